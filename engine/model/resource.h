#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/model/address.h"
#include "engine/model/diagnostics.h"
#include "engine/model/value.h"

namespace mfgctl {

/// Something resources live on and a provider reaches: a host over SSH, a
/// cloud project. `config` holds the connection settings (address, port,
/// user, key files with paths already absolute).
struct Target {
  std::string name;
  std::string provider;
  Value config = Value::object();
  SourcePos pos;
  /// Settings whose value derives from a secret: never stored in state or
  /// plan files, never shown.
  std::vector<std::string> sensitive;
};

/// One `providers.NAME` block as the blueprint evaluated it: the settings
/// the provider is configured with (Provider::Configure), beside the
/// defaults it gives its targets. Never stored in state or plan files: a
/// saved plan reads the block from the blueprint again.
struct ProviderConfig {
  std::string provider;
  /// Plain values (secrets included), local paths absolute.
  Value settings = Value::object();
  SourcePos pos;  // where the block is written
  /// Settings the provider's schema marks sensitive or that derive from a
  /// secret: never shown, sealed in the config digest.
  std::vector<std::string> sensitive;
};

/// The target setting every target may have: how many actions it takes
/// at once (see Provider::MaxActionsPerTarget).
inline constexpr const char* kMaxParallelSetting = "max_parallel";

/// One primitive resource as the blueprint wants it.
struct Resource {
  ResourceAddress address;
  std::string type;  // "host.file"
  Value attributes = Value::object();
  std::vector<std::string> depends_on;  // addresses
  /// Attributes whose value derives from a secret (`${secret.NAME}`, a
  /// sensitive variable, another sensitive attribute), besides those the
  /// schema marks sensitive: compared, stored and shown only sealed.
  std::vector<std::string> sensitive;
  /// Attributes holding a reference to a computed attribute the blueprint
  /// leaves to the provider (UnknownMarker, engine/model/unknown.h): the
  /// planner resolves it from the live state, or the walker once the
  /// resource it names is made.
  std::vector<std::string> deferred;
  /// `lifecycle: { protected: true }`: never deleted or replaced unless a
  /// run names it in --allow-destroy.
  bool is_protected = false;
  SourcePos pos;
};

/// Everything a blueprint asks for, after variables, expressions and
/// sections are expanded: the desired side of every diff.
/// One of the plant's `outputs:`: a value it reports after apply and to
/// `mfgctl output`. It may hold unknown markers (engine/model/unknown.h)
/// until what it references is made.
struct Output {
  std::string name;
  std::string description;
  Value value;
  bool sensitive = false;
  /// False while it holds a value known only after apply.
  bool known = true;
  SourcePos pos;
};

struct DesiredConfig {
  std::string plant;
  std::map<std::string, Target> targets;
  /// The `providers:` blocks' own settings, by provider name.
  std::map<std::string, ProviderConfig> providers;
  /// The `state:` block: the backend's name in `provider`, its settings
  /// evaluated (secrets included, never stored). Unset: local state.
  std::optional<ProviderConfig> state;
  std::vector<Resource> resources;
  std::vector<Output> outputs;
  /// Blueprint files and variable overrides it was made from, so a saved
  /// plan can re-create it and prove nothing changed.
  std::vector<std::string> files;
  /// Variables declared `sensitive: true`: a saved plan withholds their
  /// command-line values.
  std::vector<std::string> sensitive_variables;
  /// The value of each variable that is not sensitive (a fleet's health
  /// checks name them). Never serialized.
  std::map<std::string, Value> variables;
  /// The plain text of every secret and sensitive variable the blueprint
  /// uses, so that output can be scrubbed of them. Never serialized.
  std::vector<std::string> secret_values;
};

/// True when `name` is in `names` (a resource's or target's sensitive list).
bool Contains(const std::vector<std::string>& names, const std::string& name);
/// Appends `name` to `names` unless it is there already (names are few:
/// dependencies, sensitive attributes).
void AddOnce(std::vector<std::string>* names, const std::string& name);
/// Removes every repeat of a name, keeping the first in its place: linear,
/// for lists that may be long (a resource's dependencies).
void RemoveRepeats(std::vector<std::string>* names);

/// A digest of everything that decides the desired side; two configs with
/// the same digest plan the same actions. Sensitive values enter it sealed
/// with `salt`, so the digest gives no way to test guesses of a secret
/// without it.
std::string DigestOf(const DesiredConfig& config, const std::string& salt);

}  // namespace mfgctl
