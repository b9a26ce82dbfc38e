#pragma once

// Planning a fleet in one process: every plant's blueprint loaded with its
// variables and the fleet's state, planned against its live plant, many
// plants at once.

#include <memory>
#include <vector>

#include "cli/operations.h"
#include "cli/workspace.h"
#include "fleet/fleet.h"

namespace mfgctl {

struct PlantRun {
  const FleetPlant* plant = nullptr;
  BlueprintOptions options;
  Workspace ws;
  bool loaded = false;  // the blueprint loaded and the state was read
  Plan plan;
  Diagnostics diags;    // loading's and planning's

  bool Failed() const { return !loaded || diags.HasErrors() || plan.diagnostics.HasErrors(); }
  /// Loaded, but every host it plans on was unreachable.
  bool Offline() const;
  /// Its first error, as ErrorLines gives it; empty when none.
  std::string FirstError() const;
};

/// Each error of `diags` as one line: `ADDRESS: summary`, or the summary.
std::vector<std::string> ErrorLines(const Diagnostics& diags);

/// Whether every error of `diags` is an unreachable host (and there is one):
/// the plant is offline, which the rollout's `offline:` judges.
bool AllUnreachable(const Diagnostics& diags);

/// The blueprint options of one plant: the fleet's blueprint, the plant's
/// variables (overrides applied), its name and the fleet's state.
BlueprintOptions PlantOptions(const Fleet& fleet, const FleetPlant& plant);

/// Loads and plans each plant, up to `parallel` at once; each run's
/// errors stay with it. `setup` registers each plant's providers (default:
/// all mfgctl ships).
std::vector<std::unique_ptr<PlantRun>> PlanPlants(const Fleet& fleet,
                                                  const std::vector<const FleetPlant*>& plants,
                                                  const PlanFlags& flags, int parallel,
                                                  const ProviderSetup& setup = {});

}  // namespace mfgctl
