#include "cli/fleet_apply.h"

#include <iostream>
#include <mutex>
#include <ostream>

#include "cli/fleet_plan.h"
#include "cli/health_checks.h"
#include "engine/plan/planner.h"
#include "engine/provider/configure.h"

namespace mfgctl {
namespace {

std::mutex g_stdout;

// A plant whose every error is an unreachable host is offline.
bool AllUnreachable(const Diagnostics& diags) {
  bool any = false;
  for (const auto& d : diags) {
    if (d.severity != Severity::kError) continue;
    if (d.summary.find(" is unreachable: ") == std::string::npos) return false;
    any = true;
  }
  return any;
}

void Errors(const Diagnostics& diags, PlantResult* r) {
  for (const auto& d : diags) {
    if (d.severity == Severity::kError) {
      r->errors.push_back((d.address.empty() ? "" : d.address + ": ") + d.summary);
    }
  }
}

std::string HoldText(const Value& hold) {
  return "held by " + hold.value("by", std::string("?")) + " since " +
         hold.value("since", std::string("?")) + ": " + hold.value("reason", std::string(""));
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

PlantResult ApplyFleetPlant(const Fleet& fleet, const FleetPlant& plant,
                            const PlantApplyOptions& options) {
  PlantResult r;
  r.plant = plant.name;
  r.started = options.now();
  PrefixedLines lines(plant.name + ": ");
  std::ostream out(&lines);
  auto ui = MakeTextUi(out, out, false);
  auto done = [&](PlantResult::Outcome o, const std::string& reason) {
    r.outcome = o;
    r.reason = reason;
    r.finished = options.now();
    return r;
  };
  Workspace ws;
  Diagnostics diags;
  if (!LoadWorkspace(PlantOptions(fleet, plant), &ws, &diags) ||
      !LockAndReadState(&ws, "fleet apply", options.lock_timeout_s, &diags)) {
    ui->ShowDiagnostics(diags);
    Errors(diags, &r);
    return done(PlantResult::Outcome::kFailed, r.errors.empty() ? "cannot start" : r.errors[0]);
  }
  if (ws.state.fleet.is_object() && ws.state.fleet.contains("hold")) {
    std::string held = HoldText(ws.state.fleet["hold"]);
    ui->Info("Skipped: " + held);
    return done(PlantResult::Outcome::kSkipped, held);
  }
  PlanOptions plan_options;
  plan_options.parallelism = options.parallelism;
  Plan plan = MakePlan(ws.config, ws.state, ws.providers, plan_options);
  PlanSummary s = Summarize(plan);
  r.add = s.add;
  r.change = s.change;
  r.destroy = s.destroy;
  if (plan.diagnostics.HasErrors()) {
    ui->ShowDiagnostics(plan.diagnostics);
    Errors(plan.diagnostics, &r);
    r.offline = AllUnreachable(plan.diagnostics);
    return done(PlantResult::Outcome::kFailed, r.offline ? "offline: " + r.errors[0] : r.errors[0]);
  }
  ui->ShowDiagnostics(plan.diagnostics);  // warnings
  PlantResult::Outcome outcome = PlantResult::Outcome::kUnchanged;
  if (plan.HasChanges()) {
    ui->ShowPlan(plan, ws.providers, &ws.config);
    int rc = ApplyAndRecord(*ui, ws, plan, options.parallelism, options.interrupted);
    outcome = PlantResult::Outcome::kApplied;
    if (rc != 0) {
      r.errors.push_back("the apply failed");
      outcome = PlantResult::Outcome::kFailed;
    }
  } else {
    ui->Info("No changes.");
  }
  std::string reason;
  if (outcome != PlantResult::Outcome::kFailed) {
    for (size_t i = 0; i < fleet.rollout.health.size(); ++i) {
      std::string error;
      if (RunHealthCheck(fleet.rollout.health[i], i, plant, ws, &error)) continue;
      ui->Info("Unhealthy: " + error);
      r.errors.push_back(error);
      outcome = PlantResult::Outcome::kFailed;
      reason = error;
      break;
    }
  } else {
    reason = "the apply failed";
  }
  // What the fleet keeps about the plant: the digest of what was applied,
  // when, and how it went.
  if (!ws.state.fleet.is_object()) ws.state.fleet = Value::object();
  ws.state.fleet["last_apply"] = {{"digest", plan.config_digest},
                                  {"at", FormatInstant(options.now())},
                                  {"result", OutcomeName(outcome)},
                                  {"fleet", fleet.name}};
  if (!reason.empty()) ws.state.fleet["last_apply"]["reason"] = reason;
  if (ws.state.lineage.empty()) ws.state.lineage = NewLineage();
  if (ws.state.salt.empty()) ws.state.salt = plan.salt;
  ws.state.plant = ws.config.plant;
  ++ws.state.serial;
  Diagnostics written;
  if (!ws.backend->Write(ws.state, &written)) {
    ui->ShowDiagnostics(written);
    Errors(written, &r);
  }
  return done(outcome, reason);
}

}  // namespace mfgctl
