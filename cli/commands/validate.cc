#include <memory>
#include <set>

#include "cli/commands/commands.h"
#include "cli/render/ui.h"
#include "cli/workspace.h"

namespace mfgctl {

struct ValidateOptions {
  BlueprintOptions blueprint;
};

int RunValidate(const ValidateOptions& o) {
  auto ui = MakeUi(o.blueprint.json);
  Workspace ws;
  Diagnostics diags;
  if (!LoadWorkspace(o.blueprint, &ws, &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  ui->ShowDiagnostics(diags);
  auto count = [](size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
  };
  // The cloud's services are one target of their own, not a host.
  size_t hosts = 0;
  bool cloud = false;
  for (const auto& [name, target] : ws.config.targets) {
    if (target.provider == "cloud") {
      cloud = true;
    } else {
      ++hosts;
    }
  }
  std::string where = count(hosts, "host");
  if (cloud) where = hosts == 0 ? "the cloud" : where + " and the cloud";
  ui->Info("The blueprint is valid: plant " + ws.config.plant + ", " +
           count(ws.config.resources.size(), "resource") + " on " + where + ".");
  return 0;
}

void SetupValidateCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ValidateOptions>();
  auto* cmd = app.add_subcommand(
      "validate", "Check the blueprint (syntax, keys, types, references, cycles); touches nothing");
  AddBlueprintOptions(cmd, &o->blueprint);
  cmd->callback([o, exit_code] { *exit_code = RunValidate(*o); });
}

}  // namespace mfgctl
