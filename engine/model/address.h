#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace mfgctl {

/// The stable, readable name of one resource: `TARGET:KIND[NAME]`, e.g.
/// `gw1:file[/srv/collector/app.conf]` or `cloud:pubsub.topic[telemetry]`.
/// TARGET is the host (or service endpoint) the resource lives on, KIND the
/// resource type without its provider family, NAME anything (paths included).
struct ResourceAddress {
  std::string target;
  std::string kind;
  std::string name;

  std::string ToString() const;

  /// Parses `TARGET:KIND[NAME]`. NAME runs from the first `[` to the final
  /// `]`, so it may itself contain brackets. Returns nullopt when malformed.
  static std::optional<ResourceAddress> Parse(std::string_view text);

  auto operator<=>(const ResourceAddress&) const = default;
};

/// `host.file` -> `file`; `cloud.pubsub.topic` -> `pubsub.topic`.
std::string_view KindOfType(std::string_view type);

}  // namespace mfgctl
