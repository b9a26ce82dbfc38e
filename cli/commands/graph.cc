#include <iostream>
#include <memory>

#include "cli/commands/commands.h"
#include "cli/render/ui.h"
#include "cli/workspace.h"

namespace mfgctl {

struct GraphOptions {
  BlueprintOptions blueprint;
};

int RunGraph(const GraphOptions& o) {
  Workspace ws;
  Diagnostics diags;
  if (!LoadWorkspace(o.blueprint, &ws, &diags)) {
    MakeUi(o.blueprint.json)->ShowDiagnostics(diags);
    return 1;
  }
  // DOT: one cluster per host, an edge from each resource to what it
  // depends on.
  std::cout << "digraph mfgctl {\n  rankdir = \"RL\";\n  node [shape = box];\n";
  std::map<std::string, std::vector<const Resource*>> by_host;
  for (const auto& r : ws.config.resources) by_host[r.address.target].push_back(&r);
  int n = 0;
  for (const auto& [host, resources] : by_host) {
    std::cout << "  subgraph cluster_" << n++ << " {\n    label = " << ShowJson(host) << ";\n";
    for (const Resource* r : resources) {
      std::cout << "    " << ShowJson(r->address.ToString()) << ";\n";
    }
    std::cout << "  }\n";
  }
  for (const auto& r : ws.config.resources) {
    for (const auto& d : r.depends_on) {
      std::cout << "  " << ShowJson(r.address.ToString()) << " -> " << ShowJson(d) << ";\n";
    }
  }
  std::cout << "}\n";
  return 0;
}

void SetupGraphCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<GraphOptions>();
  auto* cmd = app.add_subcommand("graph", "Print the dependency graph in DOT (Graphviz)");
  AddBlueprintOptions(cmd, &o->blueprint);
  cmd->callback([o, exit_code] { *exit_code = RunGraph(*o); });
}

}  // namespace mfgctl
