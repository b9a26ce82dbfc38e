#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/model/diagnostics.h"
#include "engine/model/resource.h"
#include "engine/model/schema.h"

namespace mfgctl {

/// What the language validates against: every resource type, and for each
/// provider the settings of its targets (for `ssh`: address, port, user, key
/// files), which hosts and `providers:` blocks set, and the provider's own
/// settings (its ConfigSchema: endpoint, credentials), which only its
/// `providers:` block sets.
struct BlueprintSchemas {
  std::map<std::string, ResourceTypeSchema> resource_types;
  std::map<std::string, ResourceTypeSchema> target_types;      // by provider name
  std::map<std::string, ResourceTypeSchema> provider_settings;  // by provider name
  /// The settings of each `state: { backend: NAME }`, by backend name.
  std::map<std::string, ResourceTypeSchema> state_backends;
};

struct SourceNode;

struct LoadOptions {
  std::vector<std::string> files;
  /// For a plant of a fleet: its name, instead of the blueprint's `plant:`,
  /// and the fleet's `state:` block (in the fleet file), instead of the
  /// blueprint's own.
  std::string plant;
  const SourceNode* state_block = nullptr;
  /// `--var NAME=VALUE`, in command-line order (later wins).
  std::vector<std::pair<std::string, std::string>> vars;
  /// `--var-file FILE`, applied before `vars`.
  std::vector<std::string> var_files;
  /// The shipped template library, looked in after the project's
  /// templates/ (the folder of the first file's templates/).
  std::string template_library;
  /// Reads `${env.NAME}`; nullopt when unset.
  std::function<std::optional<std::string>(const std::string&)> getenv;
  /// Only what reading and writing the plant's state needs: its name,
  /// variables and `state:` (the config then has no resources, targets or
  /// providers). A fleet's hold or status needs no secret of the plant's
  /// resources.
  bool state_only = false;
};

/// Loads blueprint files into the desired configuration: parses them,
/// checks every key and type, evaluates variables and expressions, expands
/// sections into primitive resources and wires their dependencies. On any
/// error returns false with diagnostics naming file:line:col; `out` is then
/// unusable and nothing may be planned from it.
bool LoadBlueprint(const LoadOptions& options, const BlueprintSchemas& schemas,
                   DesiredConfig* out, Diagnostics* diags);

}  // namespace mfgctl
