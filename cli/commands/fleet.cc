// mfgctl fleet plan: every plant of a fleet planned in one process, shown
// as a table per wave with each plant's maintenance window in its own time.
#include <algorithm>
#include <iostream>
#include <thread>
#include <memory>

#include <fstream>

#include "cli/commands/commands.h"
#include "cli/fleet_apply.h"
#include "cli/fleet_plan.h"
#include "cli/render/fleet_report.h"
#include "engine/state/atomic_file.h"
#include "engine/model/env.h"
#include "engine/model/suggest.h"

namespace mfgctl {
namespace {

struct FleetOptions {
  std::string file = "fleet.yaml";
  std::string plant;
  std::string wave;
  std::string now;  // --now, the test clock
  std::string reason;
  std::string report_json;
  std::string report_html;
  bool json = false;
  bool detailed_exitcode = false;
  bool ignore_window = false;
  bool refresh = false;
  bool worker = false;
  std::string rollout;  // --rollout ID
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

std::string Padded(const std::string& s, size_t width) {
  return s + std::string(width > s.size() ? width - s.size() : 0, ' ');
}

// Loads the fleet and its waves, the clock, and checks --plant and --wave.
bool LoadFleetRun(const FleetOptions& o, Fleet* fleet,
                  std::vector<std::vector<const FleetPlant*>>* waves, SysSeconds* now,
                  Diagnostics* diags) {
  if (!Now(o, now, diags) || !LoadFleet(o.file, fleet, diags) ||
      !AssignWaves(*fleet, waves, diags)) {
    return false;
  }
  if (!o.plant.empty() && !fleet->Plant(o.plant)) {
    std::vector<std::string> names;
    for (const auto& p : fleet->plants) names.push_back(p.name);
    diags->Error("fleet " + fleet->name + " has no plant \"" + o.plant + "\"" +
                 DidYouMean(o.plant, names));
    return false;
  }
  if (!o.wave.empty()) {
    std::vector<std::string> names;
    for (const auto& w : fleet->rollout.waves) names.push_back(w.name);
    if (std::find(names.begin(), names.end(), o.wave) == names.end()) {
      diags->Error("fleet " + fleet->name + " has no wave \"" + o.wave + "\"" +
                   DidYouMean(o.wave, names));
      return false;
    }
  }
  return true;
}

int RunFleetPlan(const FleetOptions& o) {
  auto ui = MakeUi(false);  // diagnostics; the table and --json are printed here
  Diagnostics diags;
  Fleet fleet;
  SysSeconds now;
  std::vector<std::vector<const FleetPlant*>> waves;
  if (!LoadFleetRun(o, &fleet, &waves, &now, &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  if (!o.plant.empty()) {
    const FleetPlant* p = fleet.Plant(o.plant);
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
  int failed = 0, changed = 0, offline = 0;  // offline: skipped by the rollout
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
      std::string error = r.FirstError();
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
      if (r.Offline()) {
        // The rollout judges it by `offline:`; skipped, it fails nothing.
        ++(fleet.rollout.offline_skip ? offline : failed);
        text += "  offline: " + error + "\n";
        jp["offline"] = true;
        jp["error"] = error;
      } else if (r.Failed()) {
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
  int unchanged = static_cast<int>(fleet.plants.size()) - changed - failed - offline;
  json["totals"] = {{"plants", fleet.plants.size()}, {"with_changes", changed},
                    {"without_changes", unchanged}, {"failed", failed}, {"offline", offline},
                    {"add", total.add}, {"change", total.change}, {"destroy", total.destroy}};
  text += "\nFleet plan: " + std::to_string(changed) + " with changes, " +
          std::to_string(unchanged) + " without, " + std::to_string(failed) + " failed" +
          (offline > 0 ? ", " + std::to_string(offline) + " offline (the rollout skips them)"
                       : "") +
          " (" +
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

Value ReportJson(const RolloutReport& report) {
  Value j = {{"fleet", report.fleet},
             {"started", FormatInstant(report.started)},
             {"finished", FormatInstant(report.finished)},
             {"stopped", report.stopped.empty() ? Value(nullptr) : Value(report.stopped)},
             {"failed", report.failed},
             {"waves", Value::array()}};
  for (const auto& wave : report.waves) {
    Value jw = {{"name", wave}, {"plants", Value::array()}};
    for (const auto& p : report.plants) {
      if (p.wave != wave) continue;
      Value jp = {{"name", p.plant}, {"result", OutcomeName(p.outcome)}, {"window", p.window},
                  {"add", p.add}, {"change", p.change}, {"destroy", p.destroy},
                  {"errors", p.errors}};
      if (!p.reason.empty()) jp["reason"] = p.reason;
      if (p.ignored_window) jp["ignored_window"] = true;
      if (p.outcome != PlantResult::Outcome::kNotStarted &&
          p.outcome != PlantResult::Outcome::kSkipped) {
        jp["started"] = FormatInstant(p.started);
        jp["seconds"] = (p.finished - p.started).count();
      }
      jw["plants"].push_back(std::move(jp));
    }
    j["waves"].push_back(std::move(jw));
  }
  return j;
}

int RunFleetApply(const FleetOptions& o) {
  auto ui = MakeUi(false);
  Diagnostics diags;
  Fleet fleet;
  SysSeconds now;
  std::vector<std::vector<const FleetPlant*>> waves;
  if (!LoadFleetRun(o, &fleet, &waves, &now, &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  bool fixed = !o.now.empty() || !Env("MFGCTL_NOW").empty();
  auto clock = [fixed, now] {
    return fixed ? now : std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  };
  InterruptGuard guard;
  PlantApplyOptions plant_options;
  plant_options.parallelism = o.flags.parallelism;
  plant_options.lock_timeout_s = o.flags.lock_timeout_s;
  plant_options.interrupted = guard.flag();
  plant_options.now = clock;
  plant_options.rollout_id = RolloutId(fleet, o.file, o.rollout);
  RolloutOptions options;
  options.only_plant = o.plant;
  options.only_wave = o.wave;
  options.ignore_window = o.ignore_window;
  options.now = clock;
  options.interrupted = guard.flag();
  RolloutReport report;
  if (o.worker) {
    // One of many runners: they meet in the plants' states.
    std::cout << "Worker of rollout " << plant_options.rollout_id << " of fleet " << fleet.name
              << "\n" << std::flush;
    StateWorkerStore store(fleet, plant_options);
    report = RunWorker(fleet, waves, store, options,
                       [] { std::this_thread::sleep_for(std::chrono::seconds(1)); });
  } else {
    report = RunRollout(
        fleet, waves,
        [&](const FleetPlant& p, const std::string&) { return ApplyFleetPlant(fleet, p, plant_options); },
        options);
  }

  // The report: wave by wave, then why it stopped.
  std::cout << "\nRollout of fleet " << fleet.name << ":\n";
  size_t width = 5;
  for (const auto& p : report.plants) width = std::max(width, p.plant.size());
  for (const auto& wave : report.waves) {
    bool any = false;
    for (const auto& p : report.plants) {
      if (p.wave != wave) continue;
      if (!any) std::cout << "\nWave " << wave << "\n";
      any = true;
      std::string changes = p.outcome == PlantResult::Outcome::kApplied
                                ? " (" + std::to_string(p.add) + " added, " +
                                      std::to_string(p.change) + " changed, " +
                                      std::to_string(p.destroy) + " destroyed)"
                                : "";
      std::cout << "  " << Padded(p.plant, width) << "  " << Padded(OutcomeName(p.outcome), 11)
                << changes << (p.reason.empty() ? "" : "  " + p.reason)
                << (p.ignored_window ? "  [started outside its window: --ignore-window]" : "")
                << "\n";
    }
  }
  int applied = 0, skipped = 0, not_started = 0, interrupted = 0;
  for (const auto& p : report.plants) {
    applied += p.outcome == PlantResult::Outcome::kApplied || p.outcome == PlantResult::Outcome::kUnchanged;
    skipped += p.outcome == PlantResult::Outcome::kSkipped;
    not_started += p.outcome == PlantResult::Outcome::kNotStarted;
    interrupted += p.outcome == PlantResult::Outcome::kInterrupted;
  }
  std::cout << "\nFleet apply: " << applied << " done, " << report.failed << " failed, " << skipped
            << " skipped, " << not_started << " not started"
            << (interrupted ? ", " + std::to_string(interrupted) + " interrupted" : "") << ".\n";
  if (!report.stopped.empty()) std::cout << "The rollout stopped: " << report.stopped << ".\n";
  for (auto& p : report.plants) p = ScrubbedResult(std::move(p));  // for the report files
  Diagnostics written;
  if ((!o.report_json.empty() &&
       !AtomicWriteFile(o.report_json, ShowJson(ReportJson(report), 2) + "\n", &written)) ||
      (!o.report_html.empty() && !AtomicWriteFile(o.report_html, RolloutReportHtml(report), &written))) {
    ui->ShowDiagnostics(written);
    return 1;
  }
  return report.failed > 0 || !report.stopped.empty() ? 1 : 0;
}

// Sets (reason given) or clears a plant's hold in its state.
int RunFleetHold(const FleetOptions& o, bool hold) {
  auto ui = MakeUi(false);
  Diagnostics diags;
  Fleet fleet;
  SysSeconds now;
  std::vector<std::vector<const FleetPlant*>> waves;
  if (!LoadFleetRun(o, &fleet, &waves, &now, &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  Workspace ws;
  BlueprintOptions bo = PlantOptions(fleet, *fleet.Plant(o.plant));
  bo.state_only = true;  // the plant's engineers may not hold its secrets
  if (!LoadWorkspace(bo, &ws, &diags) ||
      !LockAndReadState(&ws, hold ? "fleet hold" : "fleet release", o.flags.lock_timeout_s,
                        &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  if (!ws.state.fleet.is_object()) ws.state.fleet = Value::object();
  if (hold) {
    ws.state.fleet["hold"] = {{"reason", o.reason},
                              {"by", RunnerName()},
                              {"since", FormatInstant(now)}};
  } else if (!ws.state.fleet.contains("hold")) {
    std::cout << "Plant " << o.plant << " is not held.\n";
    return 0;
  } else {
    ws.state.fleet.erase("hold");
  }
  if (ws.state.lineage.empty()) ws.state.lineage = NewLineage();
  ws.state.plant = o.plant;
  ++ws.state.serial;
  if (!ws.backend->Write(ws.state, &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  std::cout << (hold ? "Plant " + o.plant + " is held: every rollout skips it until mfgctl "
                       "fleet release " + o.plant + ".\n"
                     : "Plant " + o.plant + " is released.\n");
  return 0;
}

int RunFleetStatus(const FleetOptions& o) {
  auto ui = MakeUi(false);
  Diagnostics diags;
  Fleet fleet;
  SysSeconds now;
  std::vector<std::vector<const FleetPlant*>> waves;
  if (!LoadFleetRun(o, &fleet, &waves, &now, &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  std::vector<const FleetPlant*> plants;
  for (const auto& p : fleet.plants) {
    if (o.plant.empty() || p.name == o.plant) plants.push_back(&p);
  }
  // --refresh plans each plant: what differs from its blueprint now.
  std::vector<std::unique_ptr<PlantRun>> runs;
  if (o.refresh) runs = PlanPlants(fleet, plants, o.flags, 64);
  Value json = Value::array();
  size_t width = 5;
  for (const FleetPlant* p : plants) width = std::max(width, p->name.size());
  bool failed = false;
  for (size_t i = 0; i < plants.size(); ++i) {
    const FleetPlant& p = *plants[i];
    Workspace ws;
    Diagnostics plant_diags;
    Value j = {{"name", p.name}};
    std::string line = "  " + Padded(p.name, width) + "  ";
    BlueprintOptions bo = PlantOptions(fleet, p);
    bo.state_only = true;  // state alone: no secret of the plant's resources needed
    if (!LoadWorkspace(bo, &ws, &plant_diags) || !ws.backend->Read(&ws.state, &plant_diags)) {
      failed = true;
      std::string error = plant_diags.empty() ? "cannot read" : plant_diags.begin()->summary;
      j["error"] = error;
      line += "error: " + error;
    } else {
      const Value& f = ws.state.fleet;
      const Value none;
      const Value& last = f.is_object() && f.contains("last_apply") ? f["last_apply"] : none;
      const Value& rollout = f.is_object() && f.contains("rollout") ? f["rollout"] : none;
      if (last.is_object()) {
        j["last_apply"] = last;
        line += StringAttr(last, "result", "?") + " at " + StringAttr(last, "at", "?") +
                "  digest " + StringAttr(last, "digest", "?").substr(0, 19);
      } else {
        line += "never applied by a rollout";
      }
      // The latest rollout's word, when it is not the last apply's: a
      // plant skipped or failed since (offline, held, outside its window).
      if (rollout.is_object()) {
        j["rollout"] = rollout;
        if (StringAttr(rollout, "at") != StringAttr(last, "at")) {
          std::string reason = StringAttr(rollout, "reason");
          line += "  since: " + StringAttr(rollout, "result", "?") + " at " +
                  StringAttr(rollout, "at", "?") + (reason.empty() ? "" : " (" + reason + ")");
        }
      }
      if (f.is_object() && f.contains("hold")) {
        const Value& hold = f["hold"];
        j["hold"] = hold;
        line += "  HELD by " + StringAttr(hold, "by", "?") + " since " +
                StringAttr(hold, "since", "?") + ": " + StringAttr(hold, "reason");
      }
    }
    if (o.refresh) {
      const PlantRun& r = *runs[i];
      if (r.Failed()) {
        failed = true;
        j["drift"] = nullptr;
        line += "  drift: cannot plan (" + r.FirstError() + ")";
      } else {
        PlanSummary s = Summarize(r.plan);
        j["drift"] = {{"add", s.add}, {"change", s.change}, {"destroy", s.destroy}};
        line += r.plan.HasChanges() ? "  drift: " + std::to_string(s.add) + " to add, " +
                                          std::to_string(s.change) + " to change, " +
                                          std::to_string(s.destroy) + " to destroy"
                                    : "  in sync";
      }
    }
    json.push_back(std::move(j));
    if (!o.json) std::cout << line << "\n";
  }
  if (o.json) std::cout << ShowJson(json) << "\n";
  return failed ? 1 : 0;
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

  auto* apply = cmd->add_subcommand(
      "apply", "Roll the blueprint out: waves in order, plants inside their windows, health "
               "checked, stopping at the failure budget");
  apply->add_option("-f,--file", o->file, "The fleet file (default fleet.yaml)");
  apply->add_option("--wave", o->wave, "Only this wave");
  apply->add_option("--plant", o->plant, "Only this plant");
  apply->add_flag("--ignore-window", o->ignore_window,
                  "Start plants outside their windows too (the report says so)");
  apply->add_option("--now", o->now, "Act as if it were this time; also MFGCTL_NOW");
  apply->add_option("--report-json", o->report_json, "Write the rollout's report as JSON here");
  apply->add_option("--report", o->report_html,
                    "Write the rollout's report as one self-contained HTML page here");
  apply->add_option("--parallelism", o->flags.parallelism,
                    "Hosts of one plant changed at once (default 10)");
  apply->add_option("--lock-timeout", o->flags.lock_timeout_s,
                    "Seconds to wait for a plant's state lock (default 0)");
  apply->add_flag("--worker", o->worker,
                  "Be one of several runners of this rollout: claim plants through their state "
                  "locks, count waves and the budget fleet-wide");
  apply->add_option("--rollout", o->rollout,
                    "The rollout's ID, shared by its runners (default: a digest of the fleet file "
                    "and the blueprint)");
  apply->callback([o, exit_code] { *exit_code = RunFleetApply(*o); });

  auto* hold = cmd->add_subcommand("hold", "Hold a plant: every rollout skips it until released");
  auto* release = cmd->add_subcommand("release", "Release a held plant");
  for (auto* sub : {hold, release}) {
    sub->add_option("plant", o->plant, "The plant")->required();
    sub->add_option("-f,--file", o->file, "The fleet file (default fleet.yaml)");
    sub->add_option("--lock-timeout", o->flags.lock_timeout_s,
                    "Seconds to wait for the plant's state lock (default 0)");
  }
  hold->add_option("--reason", o->reason, "Why, for the other engineers (required)")->required();
  hold->add_option("--now", o->now, "Act as if it were this time; also MFGCTL_NOW");
  hold->callback([o, exit_code] { *exit_code = RunFleetHold(*o, true); });
  release->callback([o, exit_code] { *exit_code = RunFleetHold(*o, false); });

  auto* status = cmd->add_subcommand(
      "status", "Per plant: the last rollout's result, when, the blueprint digest, holds");
  status->add_option("-f,--file", o->file, "The fleet file (default fleet.yaml)");
  status->add_option("--plant", o->plant, "Only this plant");
  status->add_flag("--refresh", o->refresh, "Plan each plant too: its drift from the blueprint");
  status->add_flag("--json", o->json, "Print one JSON document");
  status->callback([o, exit_code] { *exit_code = RunFleetStatus(*o); });
}

}  // namespace mfgctl
