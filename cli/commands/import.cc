#include <memory>

#include "cli/commands/commands.h"
#include "cli/import_state.h"
#include "cli/operations.h"
#include "engine/model/suggest.h"

namespace mfgctl {
namespace {

struct ImportOptions {
  BlueprintOptions blueprint;
  std::string address;
  std::string id;
  PlanFlags flags;  // --lock-timeout
};

// The blueprint's resource at `text`, or null and an error: an import
// adopts only what the blueprint declares, so the next plan compares it.
const Resource* Declared(const DesiredConfig& config, const std::string& text,
                         Diagnostics* diags) {
  std::optional<ResourceAddress> addr = ResourceAddress::Parse(text);
  if (!addr) {
    diags->Error("\"" + text + "\" is not a resource address", {},
                 "write it as TARGET:KIND[NAME], e.g. gw1:package[sl]");
    return nullptr;
  }
  std::vector<std::string> known;
  for (const auto& r : config.resources) {
    if (r.address == *addr) return &r;
    known.push_back(r.address.ToString());
  }
  diags->Error(addr->ToString() + " is not declared in the blueprint" +
                   DidYouMean(addr->ToString(), known),
               {}, "declare it first, then import the object it stands for");
  return nullptr;
}

// Reads the object through its provider; false (diagnostics naming the
// address) when it cannot be read or does not exist.
bool ReadLive(Workspace& ws, const Resource& r, const std::string& id, Value* live,
              Diagnostics* diags) {
  const std::string addr = r.address.ToString();
  Provider* provider = ws.providers.ForType(r.type);
  const ResourceTypeSchema* schema = ws.providers.SchemaOf(r.type);
  auto target = ws.config.targets.find(r.address.target);
  if (!provider || !schema || target == ws.config.targets.end()) {
    diags->Error("no provider or target for " + addr).address = addr;
    return false;
  }
  if (!ConfigureProvidersOf(ws, {r.type}, diags)) return false;
  ReadRequest request{&target->second, {}};
  request.items.emplace_back();
  if (!ImportReadItem(r, *schema, id, &request.items[0], diags)) return false;
  ReadResponse response = provider->Read(request);
  Diagnostics found = response.diagnostics;
  if (!found.HasErrors() && response.results.empty()) found.Error("provider returned no result");
  if (!found.HasErrors()) found = response.results[0].diagnostics;
  if (!found.HasErrors() && !response.results[0].exists) {
    found.Error("no such object on " + r.address.target);
  }
  for (Diagnostic d : found) {
    d.address = addr;
    diags->Add(std::move(d));
  }
  if (found.HasErrors()) return false;
  *live = response.results[0].attributes;
  return true;
}

int RunImport(const ImportOptions& o) {
  auto ui = MakeUi(o.blueprint.json);
  Workspace ws;
  Diagnostics diags;
  const Resource* r = nullptr;
  bool ok = LoadWorkspace(o.blueprint, &ws, &diags) &&
            (r = Declared(ws.config, o.address, &diags)) &&
            LockAndReadState(&ws, "import", o.flags.lock_timeout_s, &diags);
  const std::string addr = r ? r->address.ToString() : o.address;
  if (ok && ws.state.resources.count(addr)) {
    diags.Error(addr + " is already in the state", {},
                "mfgctl manages it already; to import it again, first run mfgctl state rm " +
                    addr);
    ok = false;
  }
  if (!ok) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  ui->Info(addr + ": Importing from ID \"" + o.id + "\"...");
  Value live;
  if (!ReadLive(ws, *r, o.id, &live, &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  ui->Info(addr + ": Import prepared!");
  ui->Info("  Prepared " + r->type + " for import");
  RecordImport(*r, *ws.providers.SchemaOf(r->type), ws.config.targets.at(r->address.target),
               live, ws.config.plant, &ws.state);
  ++ws.state.serial;
  if (!ws.backend->Write(ws.state, &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  if (!o.blueprint.json) ui->Info("");  // a blank line, as Terraform's
  ui->Info("Import successful!");
  if (!o.blueprint.json) ui->Info("");
  ui->Info("mfgctl now manages " + addr +
           ": the next plan shows only where it differs from the blueprint.");
  return 0;
}

}  // namespace

void SetupImportCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ImportOptions>();
  auto* cmd = app.add_subcommand(
      "import", "Adopt an existing object into the state as the blueprint's resource ADDR");
  AddBlueprintOptions(cmd, &o->blueprint);
  AddLockFlag(cmd, &o->flags);
  cmd->add_option("address", o->address, "The resource's address in the blueprint")->required();
  cmd->add_option("id", o->id, "The object's ID at its provider (for host resources: the name)")
      ->required();
  cmd->callback([o, exit_code] { *exit_code = RunImport(*o); });
}

}  // namespace mfgctl
