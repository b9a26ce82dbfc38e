#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mfgctl {

/// A duration as blueprints write it: whole numbers of days, hours,
/// minutes and seconds, largest first, e.g. `7d`, `12h`, `1h30m`, `600s`
/// (Google's APIs write seconds only: `604800s`, also accepted). The number
/// of seconds, or nullopt when `text` is not one (or too large).
std::optional<long long> ParseDuration(std::string_view text);

/// `text` as Google's APIs write it, `604800s`: how duration attributes
/// are compared and stored. Unchanged when it is not a duration.
std::string CanonicalDuration(std::string_view text);

}  // namespace mfgctl
