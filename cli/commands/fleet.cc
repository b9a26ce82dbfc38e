// mfgctl fleet plan: every plant of a fleet planned in one process, shown
// as a table per wave with each plant's maintenance window in its own time.
#include <iostream>
#include <memory>

#include "cli/commands/commands.h"
#include "cli/fleet_plan.h"
#include "engine/model/env.h"
#include "engine/model/suggest.h"

namespace mfgctl {
namespace {

struct FleetOptions {
  std::string file = "fleet.yaml";
  std::string plant;
  std::string now;  // --now, the test clock
  bool json = false;
  bool detailed_exitcode = false;
  PlanFlags flags;
};

// The time the run acts at: --now, else $MFGCTL_NOW, else the clock.
bool Now(const FleetOptions& o, SysSeconds* now, Diagnostics* diags) {
  std::string text = o.now.empty() ? Env("MFGCTL_NOW") : o.now;
  if (text.empty()) {
    *now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    return true;
  }
  if (ParseInstant(text, now)) return true;
  diags->Error("--now (or MFGCTL_NOW) must be a time such as 2026-03-28T21:00:00Z, got \"" +
               text + "\"");
  return false;
}

struct WindowState {
  bool open = true;
  std::optional<SysSeconds> closes, opens;
  std::string text;  // for the table
};

WindowState WindowAt(const FleetPlant& p, SysSeconds now) {
  TimeZone zone;
  TimeZone::Load(p.time_zone, &zone);  // checked when the fleet was loaded
  WindowSchedule schedule(zone, p.windows);
  WindowState w;
  w.open = schedule.IsOpen(now, &w.closes);
  if (schedule.always_open()) {
    w.text = "always open";
  } else if (w.open) {
    w.text = "open until " + zone.Format(*w.closes);
  } else {
    w.opens = schedule.NextOpening(now);
    w.text = "closed, opens " + (w.opens ? zone.Format(*w.opens) : std::string("never"));
  }
  return w;
}


std::string FirstError(const PlantRun& r) {
  for (const Diagnostics* d : {&r.diags, &r.plan.diagnostics}) {
    for (const auto& diag : *d) {
      if (diag.severity == Severity::kError) {
        return (diag.address.empty() ? "" : diag.address + ": ") + diag.summary;
      }
    }
  }
  return "";
}

std::string Padded(const std::string& s, size_t width) {
  return s + std::string(width > s.size() ? width - s.size() : 0, ' ');
}

int RunFleetPlan(const FleetOptions& o) {
  auto ui = MakeUi(false);  // diagnostics; the table and --json are printed here
  Diagnostics diags;
  Fleet fleet;
  SysSeconds now;
  std::vector<std::vector<const FleetPlant*>> waves;
  if (!Now(o, &now, &diags) || !LoadFleet(o.file, &fleet, &diags) ||
      !AssignWaves(fleet, &waves, &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  if (!o.plant.empty()) {
    const FleetPlant* p = fleet.Plant(o.plant);
    if (!p) {
      std::vector<std::string> names;
      for (const auto& plant : fleet.plants) names.push_back(plant.name);
      diags.Error("fleet " + fleet.name + " has no plant \"" + o.plant + "\"" +
                  DidYouMean(o.plant, names));
      ui->ShowDiagnostics(diags);
      return 1;
    }
    // One plant's full plan, as `mfgctl plan` shows it.
    auto plant_ui = MakeUi(o.json);
    Workspace ws;
    BlueprintOptions bo = PlantOptions(fleet, *p);
    bo.json = o.json;
    if (!LoadWorkspace(bo, &ws, &diags) || !ws.backend->Read(&ws.state, &diags)) {
      plant_ui->ShowDiagnostics(diags);
      return 1;
    }
    Plan plan = MakeAndShowPlan(*plant_ui, ws, o.flags, false);
    if (plan.diagnostics.HasErrors()) return 1;
    return o.detailed_exitcode && plan.HasChanges() ? 2 : 0;
  }

  std::vector<const FleetPlant*> all;
  for (const auto& wave : waves) all.insert(all.end(), wave.begin(), wave.end());
  std::vector<std::unique_ptr<PlantRun>> runs = PlanPlants(fleet, all, o.flags, 64);
  std::map<const FleetPlant*, const PlantRun*> run_of;
  for (const auto& r : runs) run_of[r->plant] = r.get();

  size_t width = 5;
  for (const auto& p : fleet.plants) width = std::max(width, p.name.size());
  PlanSummary total;
  int failed = 0, changed = 0;
  TimeZone utc;
  TimeZone::Load("UTC", &utc);
  Value json = {{"fleet", fleet.name}, {"now", FormatInstant(now)}, {"waves", Value::array()}};
  std::string text = "Fleet " + fleet.name + ": " + std::to_string(fleet.plants.size()) +
                     " plants in " + std::to_string(waves.size()) + " wave" +
                     (waves.size() == 1 ? "" : "s") + ", planned at " + utc.Format(now) + "\n";
  for (size_t w = 0; w < waves.size(); ++w) {
    const FleetWave& wave = fleet.rollout.waves[w];
    text += "\nWave " + wave.name + " (" + std::to_string(waves[w].size()) + " plant" +
            (waves[w].size() == 1 ? "" : "s") + ")\n";
    if (!waves[w].empty()) {
      text += "  " + Padded("PLANT", width) + "  " + Padded("WINDOW", 44) + "    +    ~    -\n";
    }
    Value jwave = {{"name", wave.name}, {"plants", Value::array()}};
    for (const FleetPlant* p : waves[w]) {
      const PlantRun& r = *run_of.at(p);
      WindowState win = WindowAt(*p, now);
      PlanSummary s = r.loaded ? Summarize(r.plan) : PlanSummary{};
      std::string error = FirstError(r);
      Value jp = {{"name", p->name},
                  {"window", {{"open", win.open}, {"text", win.text}}},
                  {"add", s.add}, {"change", s.change}, {"destroy", s.destroy}};
      if (win.closes) jp["window"]["closes"] = FormatInstant(*win.closes);
      if (win.opens) jp["window"]["opens"] = FormatInstant(*win.opens);
      auto count = [](int n) {
        std::string s = std::to_string(n);
        return std::string(s.size() < 4 ? 4 - s.size() : 0, ' ') + s;
      };
      text += "  " + Padded(p->name, width) + "  " + Padded(win.text, 44);
      if (r.Failed()) {
        ++failed;
        text += "  error: " + error + "\n";
        jp["error"] = error;
      } else {
        text += " " + count(s.add) + " " + count(s.change) + " " + count(s.destroy) +
                (r.plan.HasChanges() ? "" : "   no changes") + "\n";
        if (r.plan.HasChanges()) ++changed;
        total.add += s.add;
        total.change += s.change;
        total.destroy += s.destroy;
      }
      jp["changes"] = r.plan.HasChanges();
      jwave["plants"].push_back(std::move(jp));
    }
    json["waves"].push_back(std::move(jwave));
  }
  int unchanged = static_cast<int>(fleet.plants.size()) - changed - failed;
  json["totals"] = {{"plants", fleet.plants.size()}, {"with_changes", changed},
                    {"without_changes", unchanged}, {"failed", failed},
                    {"add", total.add}, {"change", total.change}, {"destroy", total.destroy}};
  text += "\nFleet plan: " + std::to_string(changed) + " with changes, " +
          std::to_string(unchanged) + " without, " + std::to_string(failed) + " failed (" +
          std::to_string(total.add) + " to add, " + std::to_string(total.change) + " to change, " +
          std::to_string(total.destroy) + " to destroy).\n";
  if (o.json) {
    std::cout << ShowJson(json) << "\n";
  } else {
    std::cout << text;
    // Each failed plant's errors in full, after the table.
    for (const auto& r : runs) {
      if (!r->Failed()) continue;
      std::cerr << "\nErrors of plant " << r->plant->name << ":\n";
      ui->ShowDiagnostics(r->diags);
      ui->ShowDiagnostics(r->plan.diagnostics);
    }
    std::cout << "\nTo see one plant's full plan: mfgctl fleet plan --plant NAME\n";
  }
  if (failed > 0) return 1;
  return o.detailed_exitcode && changed > 0 ? 2 : 0;
}

// The fleet file, its waves, and every plant's blueprint loaded with the
// plant's variables; nothing is read from the plants.
int RunFleetValidate(const FleetOptions& o) {
  auto ui = MakeUi(false);
  Diagnostics diags;
  Fleet fleet;
  std::vector<std::vector<const FleetPlant*>> waves;
  if (!LoadFleet(o.file, &fleet, &diags) || !AssignWaves(fleet, &waves, &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  int failed = 0;
  for (const auto& plant : fleet.plants) {
    Workspace ws;
    Diagnostics plant_diags;
    if (LoadWorkspace(PlantOptions(fleet, plant), &ws, &plant_diags)) continue;
    ++failed;
    std::cerr << "Plant " << plant.name << ":\n";
    ui->ShowDiagnostics(plant_diags);
  }
  if (failed > 0) return 1;
  std::cout << "The fleet is valid: " << fleet.name << ", " << fleet.plants.size() << " plant"
            << (fleet.plants.size() == 1 ? "" : "s") << " in " << waves.size() << " wave"
            << (waves.size() == 1 ? "" : "s") << ".\n";
  return 0;
}

}  // namespace

void SetupFleetCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<FleetOptions>();
  auto* cmd = app.add_subcommand("fleet", "Roll one blueprint out to many plants (fleet.yaml)");
  cmd->require_subcommand(1);
  auto* plan = cmd->add_subcommand(
      "plan", "Plan every plant of the fleet at once: a table per wave, windows in plant time");
  plan->add_option("-f,--file", o->file, "The fleet file (default fleet.yaml)");
  plan->add_option("--plant", o->plant, "Show one plant's full plan");
  plan->add_option("--now", o->now,
                   "Act as if it were this time (2026-03-28T21:00:00Z); also MFGCTL_NOW");
  plan->add_flag("--json", o->json, "Print one JSON document");
  plan->add_flag("--detailed-exitcode", o->detailed_exitcode,
                 "Exit 0: no changes, 1: error, 2: changes present");
  plan->add_option("--parallelism", o->flags.parallelism,
                   "Hosts of one plant read at once (default 10)");
  plan->callback([o, exit_code] { *exit_code = RunFleetPlan(*o); });
  auto* validate = cmd->add_subcommand(
      "validate", "Check the fleet file and every plant's blueprint with its variables");
  validate->add_option("-f,--file", o->file, "The fleet file (default fleet.yaml)");
  validate->callback([o, exit_code] { *exit_code = RunFleetValidate(*o); });
}

}  // namespace mfgctl
