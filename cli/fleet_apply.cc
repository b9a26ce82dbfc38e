#include "cli/fleet_apply.h"

#include <iostream>
#include <mutex>
#include <ostream>

#include "cli/fleet_plan.h"
#include "cli/health_checks.h"
#include "cli/render/redaction.h"
#include "engine/plan/planner.h"
#include "engine/model/digest.h"
#include "engine/model/env.h"
#include "engine/model/text_file.h"
#include "engine/provider/configure.h"
#include "engine/state/state.h"

namespace mfgctl {
namespace {

std::mutex g_stdout;

void Errors(const Diagnostics& diags, PlantResult* r) {
  for (auto& line : ErrorLines(diags)) r->errors.push_back(std::move(line));
}

std::string HoldText(const Value& hold) {
  return "held by " + StringAttr(hold, "by", "?") + " since " + StringAttr(hold, "since", "?") +
         ": " + StringAttr(hold, "reason");
}

}  // namespace

PrefixedLines::~PrefixedLines() {
  if (!line_.empty()) {
    line_ += '\n';
    Emit();
  }
}

int PrefixedLines::overflow(int c) {
  if (c == traits_type::eof()) return 0;
  line_ += static_cast<char>(c);
  if (c == '\n') Emit();
  return c;
}

std::streamsize PrefixedLines::xsputn(const char* s, std::streamsize n) {
  for (std::streamsize i = 0; i < n; ++i) overflow(static_cast<unsigned char>(s[i]));
  return n;
}

int PrefixedLines::sync() { return 0; }

void PrefixedLines::Emit() {
  std::string out = line_ == "\n" ? std::string("\n") : prefix_ + line_;
  line_.clear();
  std::lock_guard<std::mutex> lock(g_stdout);
  std::cout << out << std::flush;
}


namespace {

// The plant's result in `state` for this rollout, when recorded.
// Read with care: a state is anyone's JSON, and a malformed field must not
// throw in a worker's thread.
std::optional<PlantResult> RecordedIn(const StateSnapshot& state, const std::string& rollout_id) {
  const Value& f = state.fleet;
  if (!f.is_object() || !f.contains("rollout")) return std::nullopt;
  const Value& rec = f["rollout"];
  if (StringAttr(rec, "id") != rollout_id) return std::nullopt;
  PlantResult r;
  r.outcome = OutcomeFromName(StringAttr(rec, "result")).value_or(PlantResult::Outcome::kFailed);
  r.reason = StringAttr(rec, "reason");
  r.window = StringAttr(rec, "window");
  r.add = static_cast<int>(IntAttr(rec, "add"));
  r.change = static_cast<int>(IntAttr(rec, "change"));
  r.destroy = static_cast<int>(IntAttr(rec, "destroy"));
  if (rec.contains("errors") && rec["errors"].is_array()) {
    for (const auto& e : rec["errors"]) {
      if (e.is_string()) r.errors.push_back(e);
    }
  }
  r.reason += std::string(r.reason.empty() ? "" : " ") + "(by " + StringAttr(rec, "by", "?") + ")";
  return r;
}

// Records the plant's result in its state (under its lock): in this
// rollout, and, when it was planned, as its last apply.
void Record(Workspace& ws, const Fleet& fleet, const PlantApplyOptions& options,
            const PlantResult& r, const std::string& digest, Ui& ui, PlantResult* out) {
  if (!ws.state.fleet.is_object()) ws.state.fleet = Value::object();
  std::string at = FormatInstant(options.now());
  PlantResult scrubbed = ScrubbedResult(r);
  const std::string& reason = scrubbed.reason;
  const std::vector<std::string>& errors = scrubbed.errors;
  if (!digest.empty()) {
    ws.state.fleet["last_apply"] = {{"digest", digest}, {"at", at},
                                    {"result", OutcomeName(r.outcome)}, {"fleet", fleet.name}};
    if (!reason.empty()) ws.state.fleet["last_apply"]["reason"] = reason;
  }
  ws.state.fleet["rollout"] = {{"id", options.rollout_id}, {"result", OutcomeName(r.outcome)},
                               {"reason", reason}, {"window", r.window}, {"at", at},
                               {"by", RunDescription("fleet apply")}, {"add", r.add},
                               {"change", r.change}, {"destroy", r.destroy},
                               {"errors", errors}};
  if (ws.state.lineage.empty()) ws.state.lineage = NewLineage();
  ws.state.plant = ws.config.plant;
  ++ws.state.serial;
  Diagnostics written;
  if (!ws.backend->Write(ws.state, &written)) {
    ui.ShowDiagnostics(written);
    Errors(written, out);
  }
}

// The plant's turn with its state locked and read.
PlantResult RunLocked(const Fleet& fleet, const FleetPlant& plant, const PlantApplyOptions& options,
                      Workspace& ws, Ui& ui) {
  PlantResult r;
  r.plant = plant.name;
  r.started = options.now();
  auto done = [&](PlantResult::Outcome o, const std::string& reason) {
    r.outcome = o;
    r.reason = reason;
    r.finished = options.now();
    return r;
  };
  auto interrupted = [&] { return options.interrupted && options.interrupted->load(); };
  // Stopped part way by SIGINT/SIGTERM: what finished is in the state and
  // its journal; the plant has no result in the rollout, so it is tried again.
  auto stopped = [&](const std::string& when) {
    ui.Info("Interrupted " + when + ": left for the next run.");
    return done(PlantResult::Outcome::kInterrupted, "interrupted " + when);
  };
  if (ws.state.fleet.is_object() && ws.state.fleet.contains("hold")) {
    std::string held = HoldText(ws.state.fleet["hold"]);
    ui.Info("Skipped: " + held);
    done(PlantResult::Outcome::kSkipped, held);
    Record(ws, fleet, options, r, "", ui, &r);
    return r;
  }
  PlanOptions plan_options;
  plan_options.parallelism = options.parallelism;
  Plan plan = MakePlan(ws.config, ws.state, ws.providers, plan_options);
  PlanSummary s = Summarize(plan);
  r.add = s.add;
  r.change = s.change;
  r.destroy = s.destroy;
  if (ws.state.salt.empty()) ws.state.salt = plan.salt;
  // An interrupt while planning (its SSH children killed with it) is no
  // plan error.
  if (interrupted()) return stopped("while planning");
  if (plan.diagnostics.HasErrors()) {
    ui.ShowDiagnostics(plan.diagnostics);
    Errors(plan.diagnostics, &r);
    // Recorded too: other runners of the rollout must not try it again.
    r.offline = AllUnreachable(plan.diagnostics);
    done(r.offline && fleet.rollout.offline_skip ? PlantResult::Outcome::kSkipped
                                                 : PlantResult::Outcome::kFailed,
         r.offline ? "offline: " + r.errors[0] : r.errors[0]);
    Record(ws, fleet, options, r, "", ui, &r);
    return r;
  }
  ui.ShowDiagnostics(plan.diagnostics);  // warnings
  PlantResult::Outcome outcome = PlantResult::Outcome::kUnchanged;
  std::string reason;
  if (plan.HasChanges()) {
    ui.ShowPlan(plan, ws.providers, &ws.config);
    outcome = PlantResult::Outcome::kApplied;
    if (ApplyAndRecord(ui, ws, plan, options.parallelism, options.interrupted) != 0) {
      if (interrupted()) return stopped("during its apply");
      r.errors.push_back("the apply failed");
      outcome = PlantResult::Outcome::kFailed;
      reason = "the apply failed";
    }
  } else {
    ui.Info("No changes.");
  }
  for (size_t i = 0; outcome != PlantResult::Outcome::kFailed && i < fleet.rollout.health.size();
       ++i) {
    std::string error;
    if (RunHealthCheck(fleet.rollout.health[i], i, ws, &error)) continue;
    if (interrupted()) return stopped("during its health checks");
    ui.Info("Unhealthy: " + error);
    r.errors.push_back(error);
    outcome = PlantResult::Outcome::kFailed;
    reason = error;
  }
  done(outcome, reason);
  Record(ws, fleet, options, r, plan.config_digest, ui, &r);
  return r;
}

}  // namespace

namespace {

// The CI run this runner is a job of, as its CI system names it, or "".
std::string CiRun() {
  if (std::string id = Env("GITHUB_RUN_ID"); !id.empty()) {
    return "github-" + id;  // a re-run of failed jobs (a new attempt) resumes it
  }
  if (std::string id = Env("CI_PIPELINE_ID"); !id.empty()) return "gitlab-" + id;
  if (std::string id = Env("BUILDKITE_BUILD_ID"); !id.empty()) return "buildkite-" + id;
  if (std::string id = Env("BUILD_TAG"); !id.empty()) return id;  // Jenkins: jenkins-JOB-N
  return "";
}

}  // namespace

PlantResult ScrubbedResult(PlantResult r) {
  r.reason = ScrubbedLikeOutput(r.reason);
  for (auto& e : r.errors) e = ScrubbedLikeOutput(e);
  return r;
}

std::string RolloutId(const Fleet& fleet, const std::string& fleet_file, const std::string& given) {
  if (!given.empty()) return given;
  std::string text = ReadWholeFile(fleet_file).value_or("") + "\n" +
                     ReadWholeFile(fleet.blueprint).value_or("");
  std::string run = CiRun();
  return "sha256:" + Sha256Hex(text).substr(0, 16) + (run.empty() ? "" : "@" + run);
}

PlantResult ApplyFleetPlant(const Fleet& fleet, const FleetPlant& plant,
                            const PlantApplyOptions& options) {
  PrefixedLines lines(plant.name + ": ");
  std::ostream out(&lines);
  auto ui = MakeTextUi(out, out, false);
  Workspace ws;
  Diagnostics diags;
  if (!LoadWorkspace(PlantOptions(fleet, plant), &ws, &diags) ||
      !LockAndReadState(&ws, "fleet apply", options.lock_timeout_s, &diags)) {
    ui->ShowDiagnostics(diags);
    PlantResult r;
    Errors(diags, &r);
    r.outcome = PlantResult::Outcome::kFailed;
    r.reason = r.errors.empty() ? "cannot start" : r.errors[0];
    return r;
  }
  return RunLocked(fleet, plant, options, ws, *ui);
}

Workspace* StateWorkerStore::WorkspaceOf(const FleetPlant& plant, std::string* error) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& ws = workspaces_[plant.name];
  if (ws) return ws.get();
  auto loaded = std::make_unique<Workspace>();
  Diagnostics diags;
  if (!LoadWorkspace(PlantOptions(fleet_, plant), loaded.get(), &diags)) {
    *error = diags.empty() ? "cannot load the blueprint" : diags.begin()->summary;
    return nullptr;
  }
  ws = std::move(loaded);
  return ws.get();
}

std::mutex& StateWorkerStore::PlantMutex(const FleetPlant& plant) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& m = plant_mu_[plant.name];
  if (!m) m = std::make_unique<std::mutex>();
  return *m;
}

StateBackend* StateWorkerStore::BackendOf(const FleetPlant& plant) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = backends_.find(plant.name); it != backends_.end()) return it->second.get();
  }
  std::string error;
  Workspace* ws = WorkspaceOf(plant, &error);
  return ws ? ws->backend.get() : nullptr;
}

void StateWorkerStore::Finished(const FleetPlant& plant) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = workspaces_.find(plant.name);
  if (it == workspaces_.end() || !it->second) return;
  backends_[plant.name] = std::move(it->second->backend);
  workspaces_.erase(it);  // its hosts' connections close
}

std::optional<PlantResult> StateWorkerStore::Recorded(const FleetPlant& plant) {
  // Being tried here right now: nobody else can record it meanwhile, and
  // its workspace and backend are that thread's.
  std::unique_lock<std::mutex> mine(PlantMutex(plant), std::try_to_lock);
  if (!mine.owns_lock()) return std::nullopt;
  StateBackend* backend = BackendOf(plant);
  StateSnapshot state;
  Diagnostics diags;
  if (!backend || !backend->Read(&state, &diags)) return std::nullopt;  // Try says why
  return RecordedIn(state, options_.rollout_id);
}

WorkerStore::Claim StateWorkerStore::Try(const FleetPlant& plant, const std::string& /*wave*/,
                                         bool may_start, const std::string& window,
                                         const std::function<bool()>& go, PlantResult* result) {
  std::lock_guard<std::mutex> mine(PlantMutex(plant));
  PrefixedLines lines(plant.name + ": ");
  std::ostream out(&lines);
  auto ui = MakeTextUi(out, out, false);
  std::string error;
  Workspace* ws = WorkspaceOf(plant, &error);
  Diagnostics diags;
  auto fail = [&](const std::string& why) {
    ui->ShowDiagnostics(diags);
    Errors(diags, result);
    result->outcome = PlantResult::Outcome::kFailed;
    result->reason = result->errors.empty() ? why : result->errors[0];
    if (result->errors.empty()) result->errors.push_back(why);
    return Claim::kRan;
  };
  if (!ws) return fail(error);
  // Taken without waiting. A lock refused whose holder is gone by the time
  // it is asked for was released in between: try again.
  for (int attempt = 0;; ++attempt) {
    diags = Diagnostics();
    if (ws->backend->Lock(RunDescription("fleet apply --worker"), 0, &diags)) break;
    std::string holder;
    Diagnostics asked;
    if (ws->backend->LockHolder(&holder, &asked) && !holder.empty()) return Claim::kBusy;
    if (attempt == 2) return fail("cannot lock its state");
  }
  struct Unlock {
    StateBackend* backend;
    ~Unlock() { backend->Unlock(); }
  } unlock{ws->backend.get()};
  Claim claim = Claim::kRan;
  if (!ws->backend->Read(&ws->state, &diags)) {
    fail("cannot read its state");
  } else if (std::optional<PlantResult> rec = RecordedIn(ws->state, options_.rollout_id)) {
    *result = *rec;  // another runner finished it while this one looked
    claim = Claim::kDone;
  } else if (!may_start) {
    result->outcome = PlantResult::Outcome::kSkipped;
    result->reason = "outside its window: " + window;
    result->window = window;
    Record(*ws, fleet_, options_, *result, "", *ui, result);
  } else if (!go()) {
    return Claim::kStopped;  // the budget was spent meanwhile, or interrupted
  } else {
    *result = RunLocked(fleet_, plant, options_, *ws, *ui);
    result->window = window;
  }
  Finished(plant);  // ws is gone; its backend, still locked, is kept
  return claim;
}

}  // namespace mfgctl
