#pragma once

#include <string>
#include <vector>

#include "engine/model/graph.h"
#include "engine/model/resource.h"
#include "engine/plan/plan.h"
#include "engine/provider/registry.h"
#include "engine/state/state.h"

namespace mfgctl {

struct PlanOptions {
  /// How many targets are read at once.
  int parallelism = 10;
  /// Plan the deletion of everything the state knows.
  bool destroy = false;
  /// `--target`: addresses or target names; empty means everything. A
  /// selected resource brings its dependencies along.
  std::vector<std::string> only;
  /// `--allow-destroy`: protected resources this run may delete or replace.
  std::vector<std::string> allow_destroy;
  /// `--allow-restart`: resources this run may stop and start where a
  /// change needs it (a running VM's new vCPU maximum).
  std::vector<std::string> allow_restart;
  /// `--refresh-only`: read everything the state knows and plan only what
  /// changed outside mfgctl (DriftChange: updates and deletions whose
  /// `after` is what is live), not changes to match the blueprint, whose
  /// targets are still the ones read through.
  bool refresh_only = false;
};

/// Refreshes live state through the providers (one batched read per target,
/// targets in parallel), diffs it against `desired` and `prior`, and orders
/// the changes. Never changes anything. Resources that cannot be read fail
/// with a diagnostic naming them; the rest are planned.
Plan MakePlan(const DesiredConfig& desired, const StateSnapshot& prior,
              const ProviderRegistry& providers, const PlanOptions& options);

/// The order constraints between planned changes: a create or update after
/// the changes of what it depends on; a deletion after the deletions of what
/// depends on it.
DependencyGraph ChangeGraph(const std::vector<PlanChange>& changes);

}  // namespace mfgctl
