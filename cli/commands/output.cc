#include <iostream>
#include <memory>

#include "cli/commands/commands.h"
#include "cli/operations.h"
#include "cli/render/ui.h"
#include "engine/model/suggest.h"

namespace mfgctl {

struct OutputOptions {
  BlueprintOptions blueprint;
  std::string name;
};

int RunOutput(const OutputOptions& o) {
  // --json prints one document, as Terraform's `output -json` does: no
  // message stream around it; errors go to stderr as text.
  auto ui = MakeUi(false);
  Workspace ws;
  Diagnostics diags;
  if (!LoadWorkspace(o.blueprint, &ws, &diags) || !ws.backend->Read(&ws.state, &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  std::vector<Output> outputs = ResolvedOutputs(ws.config, ws.state);
  if (!o.name.empty()) {
    std::vector<std::string> names;
    for (const Output& out : outputs) {
      names.push_back(out.name);
      if (out.name != o.name) continue;
      if (out.sensitive) {
        diags.Error("output \"" + o.name + "\" is sensitive, and mfgctl never prints a secret",
                    out.pos, "read it where it comes from (its secret file or variable)");
      } else if (!out.known) {
        diags.Error("output \"" + o.name + "\" is known only once what it references is applied",
                    out.pos, "run mfgctl apply");
      } else {
        // One value alone, for scripts: text as it is, the rest as JSON.
        std::cout << (out.value.is_string() ? out.value.get<std::string>() : ShowJson(out.value))
                  << "\n";
        return 0;
      }
      ui->ShowDiagnostics(diags);
      return 1;
    }
    diags.Error("the blueprint has no output \"" + o.name + "\"" + DidYouMean(o.name, names));
    ui->ShowDiagnostics(diags);
    return 1;
  }
  if (o.blueprint.json) {
    std::cout << ShowJson(OutputsJson(outputs)) << "\n";
    return 0;
  }
  for (const Output& out : outputs) std::cout << RenderOutput(out) << "\n";
  return 0;
}

void SetupOutputCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<OutputOptions>();
  auto* cmd = app.add_subcommand("output", "Print the plant's outputs (all, or one by name)");
  AddBlueprintOptions(cmd, &o->blueprint);
  cmd->add_option("name", o->name, "One output: its value alone (text as it is, else JSON)");
  cmd->callback([o, exit_code] { *exit_code = RunOutput(*o); });
}

}  // namespace mfgctl
