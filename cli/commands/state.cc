#include <iostream>
#include <memory>

#include "cli/commands/commands.h"
#include "cli/operations.h"
#include "engine/state/move.h"

namespace mfgctl {

struct StateOptions {
  BlueprintOptions blueprint;
  std::vector<std::string> addresses;
  int lock_timeout_s = 0;
  bool dry_run = false;  // mv
};

namespace {

// Loads the workspace and reads the state; `lock_as` (a command name)
// takes the state lock first, empty reads without it.
bool Open(const StateOptions& o, Workspace* ws, Ui& ui, const std::string& lock_as) {
  Diagnostics diags;
  bool ok = LoadWorkspace(o.blueprint, ws, &diags) &&
            (!lock_as.empty() ? LockAndReadState(ws, lock_as, o.lock_timeout_s, &diags)
                              : ws->backend->Read(&ws->state, &diags));
  ui.ShowDiagnostics(diags);
  return ok;
}

// Writes the edited state as the next serial; false (shown) on failure.
bool WriteEdited(Ui& ui, Workspace& ws) {
  Diagnostics diags;
  ++ws.state.serial;
  if (ws.backend->Write(ws.state, &diags)) return true;
  ui.ShowDiagnostics(diags);
  return false;
}

int RunList(const StateOptions& o) {
  auto ui = MakeUi(o.blueprint.json);
  Workspace ws;
  if (!Open(o, &ws, *ui, "")) return 1;
  for (const auto& [addr, r] : ws.state.resources) {
    if (o.blueprint.json) {
      std::cout << ShowJson(Value{{"address", addr}, {"type", r.type}}) << "\n";
    } else {
      std::cout << addr << "\n";
    }
  }
  return 0;
}

int RunShowOne(const StateOptions& o) {
  auto ui = MakeUi(o.blueprint.json);
  Workspace ws;
  if (!Open(o, &ws, *ui, "")) return 1;
  Diagnostics diags;
  const ResourceState* r = FindInState(ws.state, o.addresses.at(0), &diags);
  if (!r) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  if (o.blueprint.json) {
    std::cout << ShowJson(Value{{"address", o.addresses[0]},
                                {"type", r->type},
                                {"attributes", r->attributes},
                                {"dependencies", r->dependencies}})
              << "\n";
  } else {
    std::cout << RenderResourceState(*r, ws.providers.SchemaOf(r->type));
  }
  return 0;
}

int RunRemove(const StateOptions& o) {
  auto ui = MakeUi(o.blueprint.json);
  Workspace ws;
  if (!Open(o, &ws, *ui, "state rm")) return 1;
  Diagnostics diags;
  for (const auto& addr : o.addresses) {
    if (!FindInState(ws.state, addr, &diags)) continue;
  }
  if (diags.HasErrors()) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  for (const auto& addr : o.addresses) ws.state.resources.erase(addr);
  if (!WriteEdited(*ui, ws)) return 1;
  ui->Info("Removed " + std::to_string(o.addresses.size()) +
           " resource(s) from the state; they are left as they are on their hosts.");
  return 0;
}

int RunMove(const StateOptions& o) {
  auto ui = MakeUi(o.blueprint.json);
  Workspace ws;
  if (!Open(o, &ws, *ui, o.dry_run ? "" : "state mv")) return 1;
  Diagnostics diags;
  StateMove move;
  if (!MoveInState(&ws.state, o.addresses.at(0), o.addresses.at(1), &move, &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  std::string verb = o.dry_run ? "Would move " : "Move ";
  ui->Info(verb + "\"" + move.from + "\" to \"" + move.to + "\"");
  for (const auto& addr : move.rewired) {
    ui->Info((o.dry_run ? "Would update " : "Updated ") + std::string("the dependencies of ") +
             addr);
  }
  if (o.dry_run) return 0;
  if (!WriteEdited(*ui, ws)) return 1;
  ui->Info("Successfully moved 1 object(s).");
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

  auto mv = std::make_shared<StateOptions>();
  auto* mv_cmd = cmd->add_subcommand(
      "mv", "Rename a resource in the state (after renaming it in the blueprint); nothing on "
            "the host changes");
  AddBlueprintOptions(mv_cmd, &mv->blueprint);
  mv_cmd->add_option("addresses", mv->addresses, "OLD and NEW address")->required()->expected(2);
  mv_cmd->add_flag("--dry-run", mv->dry_run, "Print what would move; change nothing");
  mv_cmd->add_option("--lock-timeout", mv->lock_timeout_s, "Seconds to wait for the state lock");
  mv_cmd->callback([mv, exit_code] { *exit_code = RunMove(*mv); });
}

}  // namespace mfgctl
