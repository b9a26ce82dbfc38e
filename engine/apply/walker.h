#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "engine/model/diagnostics.h"
#include "engine/model/resource.h"
#include "engine/plan/plan.h"
#include "engine/provider/registry.h"

namespace mfgctl {

/// What happened to one planned change during apply.
struct ApplyEvent {
  enum class Kind { kStart, kComplete, kError, kSkipped };
  Kind kind = Kind::kStart;
  const PlanChange* change = nullptr;
  Diagnostics diagnostics;  // kError: why; kSkipped: which dependency failed
  std::chrono::milliseconds elapsed{0};
};

/// A change that completed on its target: its resource now holds
/// `attributes` (canonical and sealed, as state keeps them: the plan's
/// `after` with the computed values the provider returned).
struct AppliedChange {
  const PlanChange* change = nullptr;
  Value attributes;
};

/// Receives every event, and every finished change so that it can be
/// recorded in state at once. Called from worker threads, one call at a time.
class ApplyObserver {
 public:
  virtual ~ApplyObserver() = default;
  virtual void OnEvent(const ApplyEvent& event) = 0;
  /// Changes that completed together (one round of actions on a target);
  /// record them before returning: their completion events follow.
  virtual void OnApplied(const std::vector<AppliedChange>& done) = 0;
};

struct ApplyOptions {
  /// How many targets run actions at once (each up to its own limit of
  /// actions in flight).
  int parallelism = 10;
  /// Set (e.g. by SIGINT) to start nothing new; in-flight actions finish.
  const std::atomic<bool>* interrupted = nullptr;
};

struct ApplyResult {
  int applied = 0, failed = 0, skipped = 0, not_started = 0;
  /// What the applied changes did, counted like a plan's summary.
  PlanSummary done;
  Diagnostics diagnostics;
};

/// Executes a plan: a want-map plus a ready queue over the change graph, one
/// provider call per change. A failed change never makes its dependents
/// ready: they are skipped and everything else goes on. `desired` supplies
/// the full desired attributes (contents, secrets) behind the plan's digests.
ApplyResult ApplyPlan(const Plan& plan, const DesiredConfig& desired,
                      const ProviderRegistry& providers, ApplyObserver& observer,
                      const ApplyOptions& options);

}  // namespace mfgctl
