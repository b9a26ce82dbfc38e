#include <iostream>
#include <memory>

#include "cli/commands/commands.h"
#include "cli/operations.h"
#include "engine/model/suggest.h"

namespace mfgctl {

struct StateOptions {
  BlueprintOptions blueprint;
  std::vector<std::string> addresses;
  int lock_timeout_s = 0;
};

namespace {

bool Open(const StateOptions& o, Workspace* ws, Ui& ui, bool lock) {
  Diagnostics diags;
  bool ok = LoadWorkspace(o.blueprint, ws, &diags) &&
            (lock ? LockAndReadState(ws, "state rm", o.lock_timeout_s, &diags)
                  : ws->backend->Read(&ws->state, &diags));
  ui.ShowDiagnostics(diags);
  return ok;
}

// The state entry for an address, or a diagnostic with a suggestion.
const ResourceState* Find(const StateSnapshot& s, const std::string& addr, Diagnostics* diags) {
  auto it = s.resources.find(addr);
  if (it != s.resources.end()) return &it->second;
  std::vector<std::string> known;
  for (const auto& [a, r] : s.resources) known.push_back(a);
  diags->Error("no resource " + addr + " in the state" + DidYouMean(addr, known));
  return nullptr;
}

int RunList(const StateOptions& o) {
  auto ui = MakeUi(o.blueprint.json);
  Workspace ws;
  if (!Open(o, &ws, *ui, false)) return 1;
  for (const auto& [addr, r] : ws.state.resources) {
    if (o.blueprint.json) {
      std::cout << Value{{"address", addr}, {"type", r.type}}.dump() << "\n";
    } else {
      std::cout << addr << "\n";
    }
  }
  return 0;
}

int RunShowOne(const StateOptions& o) {
  auto ui = MakeUi(o.blueprint.json);
  Workspace ws;
  if (!Open(o, &ws, *ui, false)) return 1;
  Diagnostics diags;
  const ResourceState* r = Find(ws.state, o.addresses.at(0), &diags);
  if (!r) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  if (o.blueprint.json) {
    std::cout << Value{{"address", o.addresses[0]}, {"type", r->type},
                       {"attributes", r->attributes}, {"dependencies", r->dependencies}}
                     .dump()
              << "\n";
  } else {
    std::cout << RenderResourceState(*r, ws.providers.SchemaOf(r->type));
  }
  return 0;
}

int RunRemove(const StateOptions& o) {
  auto ui = MakeUi(o.blueprint.json);
  Workspace ws;
  if (!Open(o, &ws, *ui, true)) return 1;
  Diagnostics diags;
  for (const auto& addr : o.addresses) {
    if (!Find(ws.state, addr, &diags)) continue;
  }
  if (diags.HasErrors()) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  for (const auto& addr : o.addresses) ws.state.resources.erase(addr);
  ++ws.state.serial;
  if (!ws.backend->Write(ws.state, &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  ui->Info("Removed " + std::to_string(o.addresses.size()) +
           " resource(s) from the state; they are left as they are on their hosts.");
  return 0;
}

}  // namespace

void SetupStateCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("state", "Inspect or edit the plant's state");
  cmd->require_subcommand(1);

  auto list = std::make_shared<StateOptions>();
  auto* list_cmd = cmd->add_subcommand("list", "List the resources in the state");
  AddBlueprintOptions(list_cmd, &list->blueprint);
  list_cmd->callback([list, exit_code] { *exit_code = RunList(*list); });

  auto show = std::make_shared<StateOptions>();
  auto* show_cmd = cmd->add_subcommand("show", "Show one resource's recorded attributes");
  AddBlueprintOptions(show_cmd, &show->blueprint);
  show_cmd->add_option("address", show->addresses, "Resource address")->required()->expected(1);
  show_cmd->callback([show, exit_code] { *exit_code = RunShowOne(*show); });

  auto rm = std::make_shared<StateOptions>();
  auto* rm_cmd = cmd->add_subcommand(
      "rm", "Forget resources: mfgctl stops managing them; nothing on the host changes");
  AddBlueprintOptions(rm_cmd, &rm->blueprint);
  rm_cmd->add_option("address", rm->addresses, "Resource addresses")->required();
  rm_cmd->add_option("--lock-timeout", rm->lock_timeout_s, "Seconds to wait for the state lock");
  rm_cmd->callback([rm, exit_code] { *exit_code = RunRemove(*rm); });
}

}  // namespace mfgctl
