#include <iostream>
#include <memory>

#include "cli/commands/commands.h"
#include "cli/operations.h"
#include "cli/providers.h"

namespace mfgctl {

struct ShowOptions {
  BlueprintOptions blueprint;
  std::string plan_file;
};

int RunShow(const ShowOptions& o) {
  auto ui = MakeUi(o.blueprint.json);
  Diagnostics diags;
  if (!o.plan_file.empty()) {
    Plan plan;
    BlueprintOptions inputs;
    HostConnections connections;
    ProviderRegistry providers;
    if (!RegisterProviders(&providers, &connections, &diags) ||
        !ReadPlanFile(o.plan_file, &plan, &inputs, &diags)) {
      ui->ShowDiagnostics(diags);
      return 1;
    }
    ui->ShowPlan(plan, providers, nullptr);
    return 0;
  }
  Workspace ws;
  if (!LoadWorkspace(o.blueprint, &ws, &diags) || !ws.backend->Read(&ws.state, &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  if (o.blueprint.json) {
    std::cout << ShowJson(StateToJson(ws.state)) << "\n";
    return 0;
  }
  if (ws.state.resources.empty()) {
    std::cout << "The state of plant " << ws.config.plant << " is empty.\n";
    return 0;
  }
  bool first = true;
  for (const auto& [addr, r] : ws.state.resources) {
    if (!first) std::cout << "\n";
    first = false;
    std::cout << RenderResourceState(r, ws.providers.SchemaOf(r.type));
  }
  return 0;
}

void SetupShowCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ShowOptions>();
  auto* cmd = app.add_subcommand("show", "Show the plant's state, or a saved plan file");
  AddBlueprintOptions(cmd, &o->blueprint);
  cmd->add_option("planfile", o->plan_file, "A plan saved with `mfgctl plan --out`");
  cmd->callback([o, exit_code] { *exit_code = RunShow(*o); });
}

}  // namespace mfgctl
