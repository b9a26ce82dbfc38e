#include "cli/commands/apply.h"

#include <memory>
#include <set>

#include "cli/commands/commands.h"
#include "engine/model/digest.h"

namespace mfgctl {
namespace {

// Loads a saved plan and proves it still holds: same blueprint (digest of
// the desired configuration) and same state (lineage and serial).
bool LoadSavedPlan(const std::string& path, const std::vector<std::string>& vars, Workspace* ws,
                   Plan* plan, Diagnostics* diags, int lock_timeout_s) {
  BlueprintOptions inputs;
  if (!ReadPlanFile(path, plan, &inputs, diags)) return false;
  // The plan withheld the values of sensitive variables: they come again
  // from this command line, and only they may.
  std::vector<std::string> given;
  for (const auto& v : vars) {
    std::string name, value;
    if (!SplitVar(v, &name, &value) || !Contains(inputs.withheld_vars, name)) {
      diags->Error("a saved plan carries its own variables; --var " + name +
                   " is not one it withheld");
      return false;
    }
    given.push_back(name);
    inputs.vars.push_back(v);
  }
  for (const auto& name : inputs.withheld_vars) {
    if (!Contains(given, name)) {
      diags->Error("the saved plan " + path + " withholds the sensitive variable \"" + name +
                       "\"",
                   {}, "pass it again: mfgctl apply --var " + name + "=VALUE " + path);
      return false;
    }
  }
  if (!LoadWorkspace(inputs, ws, diags)) return false;
  if (!LockAndReadState(ws, "apply", lock_timeout_s, diags)) return false;
  if (ws->state.lineage != plan->state_lineage || ws->state.serial != plan->state_serial) {
    diags->Error("the saved plan " + path + " is stale: the state changed since it was made",
                 {},
                 "state serial " + std::to_string(plan->state_serial) + " when planned, " +
                     std::to_string(ws->state.serial) + " now; run mfgctl plan again");
    return false;
  }
  if (DigestOf(ws->config, plan->salt) != plan->config_digest) {
    diags->Error("the saved plan " + path +
                     " is stale: the blueprint or its variables changed since it was made",
                 {}, "run mfgctl plan again");
    return false;
  }
  return true;
}

// The resource types a plan's changes act on: their providers are
// configured before it is applied.
std::set<std::string> TypesOf(const Plan& plan) {
  std::set<std::string> types;
  for (const auto& c : plan.changes) types.insert(c.type);
  return types;
}

}  // namespace

int RunApply(const ApplyCommandOptions& o, bool destroy) {
  auto ui = MakeUi(o.blueprint.json);
  Workspace ws;
  Diagnostics diags;
  Plan plan;
  if (!o.plan_file.empty()) {
    if (o.flags.refresh_only) {
      diags.Error("a saved plan is applied as it was made; --refresh-only plans are not saved",
                  {}, "run mfgctl apply --refresh-only without a plan file");
      ui->ShowDiagnostics(diags);
      return 1;
    }
    if (!o.blueprint.files.empty()) {
      diags.Error("a saved plan carries its own blueprint and variables; do not pass -f with it");
      ui->ShowDiagnostics(diags);
      return 1;
    }
    if (!LoadSavedPlan(o.plan_file, o.blueprint.vars, &ws, &plan, &diags,
                       o.flags.lock_timeout_s) ||
        !ConfigureProvidersOf(ws, TypesOf(plan), &diags)) {
      ui->ShowDiagnostics(diags);
      return 1;
    }
    ui->ShowDiagnostics(diags);  // warnings from configuring
    ui->ShowPlan(plan, ws.providers, &ws.config);
  } else {
    if (!LoadWorkspace(o.blueprint, &ws, &diags) ||
        !LockAndReadState(&ws, destroy ? "destroy" : "apply", o.flags.lock_timeout_s, &diags)) {
      ui->ShowDiagnostics(diags);
      return 1;
    }
    plan = MakeAndShowPlan(*ui, ws, o.flags, destroy);
    if (!plan.HasChanges()) {
      if (plan.diagnostics.HasErrors()) return 1;
      if (!destroy) ui->ShowOutputs(ResolvedOutputs(ws.config, ws.state));
      return 0;
    }
    if (o.flags.refresh_only) {
      // Drift is recorded whole or not at all.
      if (plan.diagnostics.HasErrors()) return 1;
      if (!o.auto_approve && !ConfirmDrift(*ui)) return 1;
      return AcceptDrift(*ui, ws, plan);
    }
    if (!o.auto_approve && !Confirm(*ui, destroy)) return 1;
  }
  if (!plan.HasChanges()) return 0;
  return ExecutePlan(*ui, ws, plan, o.flags.parallelism);
}

void SetupApplyCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ApplyCommandOptions>();
  auto* cmd = app.add_subcommand(
      "apply", "Make the plant match the blueprint (or apply exactly a saved plan file)");
  AddBlueprintOptions(cmd, &o->blueprint);
  AddPlanFlags(cmd, &o->flags);
  AddLockFlag(cmd, &o->flags);
  cmd->add_option("planfile", o->plan_file, "A plan saved with `mfgctl plan --out`");
  cmd->add_flag("--auto-approve", o->auto_approve, "Apply without asking for approval");
  AddRefreshOnlyFlag(cmd, &o->flags);
  cmd->callback([o, exit_code] { *exit_code = RunApply(*o, false); });
}

}  // namespace mfgctl
