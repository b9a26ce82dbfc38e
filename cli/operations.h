#pragma once

#include <signal.h>

#include <atomic>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/render/ui.h"
#include "cli/workspace.h"
#include "engine/plan/plan.h"

namespace mfgctl {

/// Flags shared by plan, apply and destroy.
struct PlanFlags {
  int parallelism = 10;
  std::vector<std::string> only;  // --target
  std::vector<std::string> allow_destroy;
  std::vector<std::string> allow_restart;
  int lock_timeout_s = 0;         // apply and destroy: plan takes no lock
  bool refresh_only = false;      // plan and apply: drift, not changes
};
void AddPlanFlags(CLI::App* cmd, PlanFlags* o);
/// --refresh-only, for plan and apply.
CLI::Option* AddRefreshOnlyFlag(CLI::App* cmd, PlanFlags* o);
/// --lock-timeout, for the commands that take the state lock.
void AddLockFlag(CLI::App* cmd, PlanFlags* o);

/// Plans against the workspace's blueprint and state, shows the plan (the
/// drift, with --refresh-only) and its diagnostics.
Plan MakeAndShowPlan(Ui& ui, Workspace& ws, const PlanFlags& flags, bool destroy);

/// `apply --refresh-only`: records a refresh-only plan's drift in the
/// state under the workspace's lock, in one write (changed resources take
/// their live values, deleted ones leave it), changing nothing on the
/// plant. Returns the exit code.
int AcceptDrift(Ui& ui, Workspace& ws, const Plan& drift);

/// Configures the providers of these resource types with the blueprint's
/// `providers:` blocks, as a plan does before it reads: false, with the
/// errors, when one fails. For what reads or applies without a plan (a
/// saved plan, import).
bool ConfigureProvidersOf(Workspace& ws, const std::set<std::string>& types,
                          Diagnostics* diags);

/// Asks `question` (then `explanation`, lines ending in a newline) on a
/// terminal and approves only `yes`; says `cancelled` otherwise. Without a
/// terminal it refuses, the error's detail saying `flag_hint` (which flag
/// approves in advance). True to go ahead.
bool AskApproval(Ui& ui, const std::string& question, const std::string& explanation,
                 const std::string& flag_hint, const std::string& cancelled);

/// Asks for approval of a plan on a terminal; refuses without one. True to
/// go ahead.
bool Confirm(Ui& ui, bool destroy);
/// The same for recording a refresh-only plan's drift in the state.
bool ConfirmDrift(Ui& ui);

/// The plant's outputs, their values known after apply (computed
/// attributes) taken from `state`.
std::vector<Output> ResolvedOutputs(const DesiredConfig& config, const StateSnapshot& state);

/// While it lives, SIGINT and SIGTERM set its flag instead of ending the
/// process: new work stops, in-flight actions finish and are recorded.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  const std::atomic<bool>* flag() const;

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

/// Applies a plan under the workspace's lock, recording every finished
/// change in state at once; `interrupted` set stops new work. Afterwards
/// ws.state is what was recorded. Returns the exit code.
int ApplyAndRecord(Ui& ui, Workspace& ws, const Plan& plan, int parallelism,
                   const std::atomic<bool>* interrupted);

/// ApplyAndRecord with SIGINT and SIGTERM stopping new work (an
/// InterruptGuard). Returns the exit code.
int ExecutePlan(Ui& ui, Workspace& ws, const Plan& plan, int parallelism);

/// Writes a plan file (0600, atomic), with the inputs that made `config`.
bool WritePlanFile(const std::string& path, const Plan& plan, const BlueprintOptions& inputs,
                   const DesiredConfig& config, Diagnostics* diags);
/// Reads a plan file.
bool ReadPlanFile(const std::string& path, Plan* plan, BlueprintOptions* inputs,
                  Diagnostics* diags);

}  // namespace mfgctl
