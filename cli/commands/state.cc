#include <algorithm>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <memory>

#include "cli/commands/commands.h"
#include "cli/operations.h"
#include "engine/model/text_file.h"
#include "engine/state/move.h"

namespace mfgctl {

struct StateOptions {
  BlueprintOptions blueprint;
  std::vector<std::string> addresses;
  int lock_timeout_s = 0;
  bool dry_run = false;  // mv
  bool force = false;    // push, migrate
  std::string file;      // push: the state to push; migrate: the local state
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

// The state as the backend holds it (values sealed, never plaintext).
int RunPull(const StateOptions& o) {
  auto ui = MakeUi(false);
  Workspace ws;
  if (!Open(o, &ws, *ui, "")) return 1;
  std::cout << ShowJson(StateToJson(ws.state), 1) << "\n";
  return 0;
}

// Whether `incoming` may replace `current`: the same plant and history,
// and not older. `what` names where incoming comes from.
bool MayReplace(const StateSnapshot& current, const StateSnapshot& incoming,
                const std::string& what, const std::string& plant, bool force,
                Diagnostics* diags) {
  if (!incoming.plant.empty() && incoming.plant != plant) {
    diags->Error(what + " is the state of plant " + incoming.plant + ", not of " + plant);
    return false;
  }
  if (force || current.lineage.empty()) return true;
  if (incoming.lineage != current.lineage) {
    diags->Error(what + " has another history (lineage " + incoming.lineage + ") than the " +
                     "plant's state (lineage " + current.lineage + ")",
                 {}, "pass --force to replace it anyway");
    return false;
  }
  if (incoming.serial < current.serial) {
    diags->Error(what + " is older (serial " + std::to_string(incoming.serial) +
                     ") than the plant's state (serial " + std::to_string(current.serial) + ")",
                 {}, "pass --force to replace it anyway");
    return false;
  }
  return true;
}

// Writes `incoming` in place of the locked, read ws.state, as its next serial.
bool Replace(Workspace& ws, StateSnapshot incoming, Ui& ui) {
  incoming.serial = std::max(incoming.serial, ws.state.serial) + 1;
  if (incoming.plant.empty()) incoming.plant = ws.config.plant;
  ws.state = std::move(incoming);
  Diagnostics diags;
  if (ws.backend->Write(ws.state, &diags)) return true;
  ui.ShowDiagnostics(diags);
  return false;
}

int RunPush(const StateOptions& o) {
  auto ui = MakeUi(o.blueprint.json);
  Workspace ws;
  if (!Open(o, &ws, *ui, "state push")) return 1;
  Diagnostics diags;
  std::string text;
  if (o.file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else if (std::optional<std::string> t = ReadWholeFile(o.file)) {
    text = *t;
  } else {
    diags.Error("cannot read " + o.file);
  }
  StateSnapshot incoming;
  Value j = Value::parse(text, nullptr, false);
  if (!diags.HasErrors() && j.is_discarded()) diags.Error(o.file + " is not JSON");
  if (diags.HasErrors() || !StateFromJson(j, o.file, &incoming, &diags) ||
      !MayReplace(ws.state, incoming, o.file, ws.config.plant, o.force, &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  if (!Replace(ws, std::move(incoming), *ui)) return 1;
  ui->Info("Pushed " + std::to_string(ws.state.resources.size()) + " resource(s) to " +
           ws.backend->Where() + ".");
  return 0;
}

// Moves the local state file (and its journal) to the backend the
// blueprint's state: block names, then renames the file so no run uses it.
int RunMigrate(const StateOptions& o) {
  auto ui = MakeUi(o.blueprint.json);
  if (!o.blueprint.state_path.empty()) {
    Diagnostics diags;
    diags.Error("--state names a local state; state migrate takes the local file as --from");
    ui->ShowDiagnostics(diags);
    return 1;
  }
  Workspace ws;
  if (!Open(o, &ws, *ui, "state migrate")) return 1;
  Diagnostics diags;
  if (!ws.config.state || ws.config.state->provider == "local") {
    diags.Error("the blueprint keeps its state in a local file: there is nothing to migrate to",
                {}, "add a state: block naming etcd or http, then run state migrate");
    ui->ShowDiagnostics(diags);
    return 1;
  }
  BlueprintOptions local_options = o.blueprint;
  local_options.state_path = o.file;
  LocalStateBackend local(StatePath(local_options, ws.config.plant));
  StateSnapshot incoming;
  if (!local.Lock(RunDescription("state migrate"), o.lock_timeout_s * 1000, &diags) ||
      !local.Read(&incoming, &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  if (incoming.lineage.empty()) {
    diags.Error("there is no local state at " + local.Where());
  } else if (!ws.state.lineage.empty() && !o.force) {
    diags.Error(ws.backend->Where() + " holds a state already (serial " +
                    std::to_string(ws.state.serial) + ", " +
                    std::to_string(ws.state.resources.size()) + " resources)",
                {}, "pass --force to replace it with the local one");
  }
  if (diags.HasErrors() ||
      !MayReplace(ws.state, incoming, local.Where(), ws.config.plant, true, &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  size_t n = incoming.resources.size();
  if (!Replace(ws, std::move(incoming), *ui)) return 1;
  std::error_code ec;
  std::filesystem::rename(local.Where(), local.Where() + ".migrated", ec);
  std::filesystem::remove(local.Where() + ".journal", ec);
  ui->Info("Migrated " + std::to_string(n) + " resource(s) from " + local.Where() + " to " +
           ws.backend->Where() + "; the local file is kept as " + local.Where() + ".migrated.");
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

  auto pull = std::make_shared<StateOptions>();
  auto* pull_cmd = cmd->add_subcommand(
      "pull", "Print the plant's state JSON from its backend (sealed values stay sealed)");
  AddBlueprintOptions(pull_cmd, &pull->blueprint);
  pull_cmd->callback([pull, exit_code] { *exit_code = RunPull(*pull); });

  auto push = std::make_shared<StateOptions>();
  auto* push_cmd = cmd->add_subcommand(
      "push", "Replace the plant's state in its backend with a state file (- : standard input)");
  AddBlueprintOptions(push_cmd, &push->blueprint);
  push_cmd->add_option("file", push->file, "The state JSON to push")->required();
  push_cmd->add_flag("--force", push->force,
                     "Push even a state of another lineage or an older serial");
  push_cmd->add_option("--lock-timeout", push->lock_timeout_s,
                       "Seconds to wait for the state lock");
  push_cmd->callback([push, exit_code] { *exit_code = RunPush(*push); });

  auto migrate = std::make_shared<StateOptions>();
  auto* migrate_cmd = cmd->add_subcommand(
      "migrate", "Move the plant's local state file to the backend its state: block names");
  AddBlueprintOptions(migrate_cmd, &migrate->blueprint);
  migrate_cmd->add_option("--from", migrate->file,
                          "The local state file; default .mfgctl/PLANT.state.json beside the "
                          "blueprint");
  migrate_cmd->add_flag("--force", migrate->force,
                        "Replace a state the backend holds already");
  migrate_cmd->add_option("--lock-timeout", migrate->lock_timeout_s,
                          "Seconds to wait for the state locks");
  migrate_cmd->callback([migrate, exit_code] { *exit_code = RunMigrate(*migrate); });
}

}  // namespace mfgctl
