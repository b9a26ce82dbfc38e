#include <memory>

#include "cli/commands/commands.h"
#include "cli/operations.h"

namespace mfgctl {
namespace {

struct ForceUnlockOptions {
  BlueprintOptions blueprint;
  bool force = false;
};

int RunForceUnlock(const ForceUnlockOptions& o) {
  auto ui = MakeUi(o.blueprint.json);
  Workspace ws;
  Diagnostics diags;
  std::string who;
  if (!LoadWorkspace(o.blueprint, &ws, &diags) || !ws.backend->LockHolder(&who, &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  if (who.empty()) {
    ui->Info("The state of plant " + ws.config.plant + " is not locked.");
    return 0;
  }
  ui->Info("The state of plant " + ws.config.plant + " is locked by " + who + ".");
  // Asking is pointless where the lock cannot outlive its holder: the
  // backend refuses a live one, so it says why at once.
  if (ws.backend->LockOutlivesHolder() && !o.force &&
      !AskApproval(*ui, "Do you really want to force-unlock?",
                   "  mfgctl will remove the lock on the state. Do it only when that run is\n"
                   "  gone: another run could then change the state while it still works.\n",
                   "make sure that run is gone and pass --force",
                   "force-unlock cancelled.")) {
    return 1;
  }
  if (!ws.backend->ForceUnlock(&diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  ui->Info("The state has been unlocked.");
  return 0;
}

}  // namespace

void SetupForceUnlockCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ForceUnlockOptions>();
  auto* cmd = app.add_subcommand(
      "force-unlock", "Show who holds the plant's state lock, and clear one its run left behind");
  AddBlueprintOptions(cmd, &o->blueprint);
  cmd->add_flag("--force,--auto-approve", o->force, "Unlock without asking for confirmation");
  cmd->callback([o, exit_code] { *exit_code = RunForceUnlock(*o); });
}

}  // namespace mfgctl
