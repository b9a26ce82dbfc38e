#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "blueprints/blueprint.h"
#include "engine/provider/registry.h"
#include "engine/state/backend.h"
#include "engine/state/state.h"
#include "providers/shell/host_connections.h"

namespace mfgctl {

/// The flags every blueprint-reading command shares.
struct BlueprintOptions {
  std::vector<std::string> files;
  std::vector<std::string> vars;  // NAME=VALUE
  /// Sensitive variables set with --var when a plan was saved: the plan
  /// file keeps their names only, and apply needs them again.
  std::vector<std::string> withheld_vars;
  std::vector<std::string> var_files;
  std::string state_path;
  bool json = false;
  /// Not flags: for a plant of a fleet, its name and the fleet's `state:`
  /// block, instead of the blueprint's `plant:` and `state:`.
  std::string fleet_plant;
  const SourceNode* fleet_state = nullptr;
  /// Not a flag: load only what the plant's state needs (LoadOptions).
  bool state_only = false;
};

/// Adds -f, --var, --var-file, --state and --json to a command.
void AddBlueprintOptions(CLI::App* cmd, BlueprintOptions* o);

/// The providers, the blueprint and the state of one run.
struct Workspace {
  /// The run's connections to hosts, shared by the providers (declared
  /// first: they outlive the registry).
  HostConnections connections;
  ProviderRegistry providers;
  DesiredConfig config;
  std::unique_ptr<StateBackend> backend;
  StateSnapshot state;
};

/// Registers a run's providers: RegisterProviders (cli/providers.h), or a
/// benchmark's in-memory stand-ins.
using ProviderSetup = std::function<bool(ProviderRegistry*, HostConnections*, Diagnostics*)>;

/// Registers the providers (all that mfgctl ships unless `setup` says
/// otherwise), loads the blueprint (plant.yaml in the current directory
/// without -f) and opens its state backend; from then on the blueprint's
/// secrets are scrubbed from all output. Does not read state.
bool LoadWorkspace(const BlueprintOptions& o, Workspace* ws, Diagnostics* diags,
                   const ProviderSetup& setup = {});

/// Who runs mfgctl: `ci@runner-3` ($USER at the host name).
std::string RunnerName();

/// How a run describes itself to others that find its lock: `pid 4711
/// (mfgctl apply) of ci@runner-3`.
std::string RunDescription(const std::string& command);

/// Takes the plant's state lock (waiting up to lock_timeout_s) and reads
/// the state. `command` is shown to other runs that find the lock taken.
bool LockAndReadState(Workspace* ws, const std::string& command, int lock_timeout_s,
                      Diagnostics* diags);

/// The state file of a plant: `.mfgctl/PLANT.state.json` beside the first
/// blueprint file, unless --state says otherwise.
std::string StatePath(const BlueprintOptions& o, const std::string& plant);

/// The blueprint flags a saved plan records, and back. Values of the
/// `sensitive` variables are withheld: only their names are recorded.
Value InputsToJson(const BlueprintOptions& o, const std::vector<std::string>& sensitive);
BlueprintOptions InputsFromJson(const Value& j);

/// Splits NAME=VALUE; false when there is no `=`.
bool SplitVar(const std::string& text, std::string* name, std::string* value);

}  // namespace mfgctl
