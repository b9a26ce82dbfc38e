#include <memory>

#include "cli/commands/commands.h"
#include "cli/operations.h"

namespace mfgctl {

struct PlanCommandOptions {
  BlueprintOptions blueprint;
  PlanFlags flags;
  std::string out;
  bool detailed_exitcode = false;
  bool destroy = false;
};

int RunPlan(const PlanCommandOptions& o) {
  auto ui = MakeUi(o.blueprint.json);
  Workspace ws;
  Diagnostics diags;
  if (o.flags.refresh_only && !o.out.empty()) {
    diags.Error("a refresh-only plan is not saved", {},
                "to record the drift in the state, run mfgctl apply --refresh-only");
    ui->ShowDiagnostics(diags);
    return 1;
  }
  if (!LoadWorkspace(o.blueprint, &ws, &diags) || !ws.backend->Read(&ws.state, &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  Plan plan = MakeAndShowPlan(*ui, ws, o.flags, o.destroy);
  if (!o.out.empty()) {
    if (plan.diagnostics.HasErrors()) {
      ui->Info("The plan was not saved: it has errors.");
      return 1;
    }
    if (!WritePlanFile(o.out, plan, o.blueprint, ws.config, &diags)) {
      ui->ShowDiagnostics(diags);
      return 1;
    }
    ui->Info("\nSaved the plan to: " + o.out +
             "\nTo apply exactly these actions, run: mfgctl apply " + o.out);
  }
  if (plan.diagnostics.HasErrors()) return 1;
  return o.detailed_exitcode && plan.HasChanges() ? 2 : 0;
}

void SetupPlanCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<PlanCommandOptions>();
  auto* cmd = app.add_subcommand(
      "plan", "Show exactly what apply would change, attribute by attribute; changes nothing");
  AddBlueprintOptions(cmd, &o->blueprint);
  AddPlanFlags(cmd, &o->flags);
  cmd->add_option("--out,-o", o->out, "Save the plan to this file for `mfgctl apply FILE`");
  cmd->add_flag("--detailed-exitcode", o->detailed_exitcode,
                "Exit 0: no changes, 1: error, 2: changes present");
  auto* destroy =
      cmd->add_flag("--destroy", o->destroy, "Plan the deletion of everything in the state");
  AddRefreshOnlyFlag(cmd, &o->flags)->excludes(destroy);
  cmd->callback([o, exit_code] { *exit_code = RunPlan(*o); });
}

}  // namespace mfgctl
