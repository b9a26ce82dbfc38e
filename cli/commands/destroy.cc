#include <memory>

#include "cli/commands/apply.h"
#include "cli/commands/commands.h"

namespace mfgctl {

void SetupDestroyCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ApplyCommandOptions>();
  auto* cmd = app.add_subcommand("destroy", "Delete every resource the state knows of this plant");
  AddBlueprintOptions(cmd, &o->blueprint);
  AddPlanFlags(cmd, &o->flags);
  AddLockFlag(cmd, &o->flags);
  cmd->add_flag("--auto-approve", o->auto_approve, "Destroy without asking for approval");
  cmd->callback([o, exit_code] { *exit_code = RunApply(*o, true); });
}

}  // namespace mfgctl
