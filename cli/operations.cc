#include "cli/operations.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>

#include "engine/apply/walker.h"
#include "engine/model/text_file.h"
#include "engine/plan/planner.h"
#include "engine/provider/configure.h"
#include "engine/state/atomic_file.h"
#include "engine/apply/recorder.h"
#include "engine/model/unknown.h"

namespace mfgctl {
namespace {

// Set by SIGINT/SIGTERM during apply; the walker starts nothing new.
std::atomic<bool> g_interrupted{false};

extern "C" void OnInterrupt(int) { g_interrupted.store(true); }

class RecordingObserver : public ApplyObserver {
 public:
  RecordingObserver(Ui& ui, StateRecorder& recorder) : ui_(ui), recorder_(recorder) {}

  void OnEvent(const ApplyEvent& event) override { ui_.ShowApplyEvent(event); }

  void OnApplied(const std::vector<AppliedChange>& done) override {
    Diagnostics diags;
    if (!recorder_.Record(done, &diags)) {
      ui_.ShowDiagnostics(diags);
      record_failed_ = true;
    }
  }

  bool record_failed() const { return record_failed_; }

 private:
  Ui& ui_;
  StateRecorder& recorder_;
  bool record_failed_ = false;
};

}  // namespace

void AddPlanFlags(CLI::App* cmd, PlanFlags* o) {
  cmd->add_option("--parallelism", o->parallelism, "Hosts worked on at once (default 10)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--target", o->only,
                  "Only this resource address or host, with its dependencies (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--allow-destroy", o->allow_destroy,
                  "Let this run delete or replace this protected resource (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--allow-restart", o->allow_restart,
                  "Let this run stop and start this resource where a change needs it, such as "
                  "a running VM's new vCPU maximum (repeatable)")
      ->allow_extra_args(false);
}

CLI::Option* AddRefreshOnlyFlag(CLI::App* cmd, PlanFlags* o) {
  return cmd->add_flag("--refresh-only", o->refresh_only,
                       "Only read what the state knows and report what changed outside mfgctl "
                       "(apply: record it in the state, changing nothing on the plant)");
}

void AddLockFlag(CLI::App* cmd, PlanFlags* o) {
  cmd->add_option("--lock-timeout", o->lock_timeout_s,
                  "Seconds to wait for another run's state lock (default 0: refuse at once)");
}

Plan MakeAndShowPlan(Ui& ui, Workspace& ws, const PlanFlags& flags, bool destroy) {
  PlanOptions options;
  options.parallelism = flags.parallelism;
  options.destroy = destroy;
  options.only = flags.only;
  options.allow_destroy = flags.allow_destroy;
  options.allow_restart = flags.allow_restart;
  options.refresh_only = flags.refresh_only;
  Plan plan = MakePlan(ws.config, ws.state, ws.providers, options);
  if (flags.refresh_only) {
    ui.ShowDrift(plan, ws.providers);
  } else {
    ui.ShowPlan(plan, ws.providers, &ws.config);
  }
  ui.ShowDiagnostics(plan.diagnostics);
  return plan;
}

int AcceptDrift(Ui& ui, Workspace& ws, const Plan& drift) {
  // The state's own connection settings stay: only what drifted changes.
  Plan kept;
  kept.targets = ws.state.targets;
  for (const auto& c : drift.changes) FoldChange(c, c.after, kept, &ws.state);
  ++ws.state.serial;
  Diagnostics diags;
  if (!ws.backend->Write(ws.state, &diags)) {
    ui.ShowDiagnostics(diags);
    return 1;
  }
  ui.ShowApplySummary(ApplyResult{}, drift);
  ui.Info("The state now records what is live: " + std::to_string(drift.changes.size()) +
          " resource" + (drift.changes.size() == 1 ? "" : "s") + " updated from the plant.");
  return 0;
}

bool ConfigureProvidersOf(Workspace& ws, const std::set<std::string>& types,
                          Diagnostics* diags) {
  std::set<std::string> used, failed;
  for (const auto& t : types) {
    if (Provider* p = ws.providers.ForType(t)) used.insert(p->Name());
  }
  diags->Append(ConfigureProviders(ws.providers, ws.config.providers, used, &failed));
  return failed.empty();
}

bool AskApproval(Ui& ui, const std::string& question, const std::string& explanation,
                 const std::string& flag, const std::string& cancelled) {
  if (!isatty(STDIN_FILENO)) {
    Diagnostics d;
    d.Error("approval needed, but standard input is not a terminal", {}, flag);
    ui.ShowDiagnostics(d);
    return false;
  }
  std::cout << "\n" << question << "\n" << explanation
            << "  Only 'yes' will be accepted to approve.\n\n  Enter a value: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  if (answer != "yes") {
    ui.Info(cancelled);
    return false;
  }
  return true;
}

bool Confirm(Ui& ui, bool destroy) {
  return AskApproval(
      ui,
      std::string("Do you want to ") +
          (destroy ? "destroy these resources" : "perform these actions") + "?",
      "", "review the plan and pass --auto-approve, or apply a saved plan file",
      "Apply cancelled.");
}

bool ConfirmDrift(Ui& ui) {
  return AskApproval(ui, "Would you like to update the state to reflect these detected changes?",
                     "  mfgctl will write these changes to the state without changing anything "
                     "on the plant.\n",
                     "review the drift and pass --auto-approve", "Apply cancelled.");
}

std::vector<Output> ResolvedOutputs(const DesiredConfig& config, const StateSnapshot& state) {
  std::vector<Output> outputs = config.outputs;
  UnknownLookup lookup = [&](const std::string& address,
                             const std::string& attribute) -> const Value* {
    auto r = state.resources.find(address);
    if (r == state.resources.end() || Contains(r->second.sensitive, attribute)) return nullptr;
    auto a = r->second.attributes.find(attribute);
    return a == r->second.attributes.end() ? nullptr : &*a;
  };
  for (Output& o : outputs) o.known = ResolveUnknowns(&o.value, lookup);
  return outputs;
}

int ApplyAndRecord(Ui& ui, Workspace& ws, const Plan& plan, int parallelism,
                   const std::atomic<bool>* interrupted) {
  StateRecorder recorder(*ws.backend, ws.state, plan);
  Diagnostics recorded;
  if (!recorder.RecordProtection(&recorded)) {
    ui.ShowDiagnostics(recorded);
    return 1;
  }
  RecordingObserver observer(ui, recorder);
  ApplyOptions options;
  options.parallelism = parallelism;
  options.interrupted = interrupted;
  ApplyResult result = ApplyPlan(plan, ws.config, ws.providers, observer, options);
  Diagnostics folded;
  bool finished = recorder.Finish(&folded);
  ws.state = recorder.Snapshot();
  if (!finished) {
    ui.ShowDiagnostics(folded);
    return 1;
  }
  if (interrupted && interrupted->load()) {
    ui.Info("Interrupted: in-flight actions finished and were recorded; run apply again to "
            "continue.");
  }
  ui.ShowApplySummary(result, plan);
  if (!plan.destroy) ui.ShowOutputs(ResolvedOutputs(ws.config, ws.state));
  bool failed = result.failed || result.not_started || observer.record_failed() ||
                plan.diagnostics.HasErrors();
  return failed ? 1 : 0;
}

InterruptGuard::InterruptGuard() {
  g_interrupted.store(false);
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigaction(SIGINT, &sa, &old_int_);
  sigaction(SIGTERM, &sa, &old_term_);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
}

const std::atomic<bool>* InterruptGuard::flag() const { return &g_interrupted; }

int ExecutePlan(Ui& ui, Workspace& ws, const Plan& plan, int parallelism) {
  InterruptGuard guard;
  return ApplyAndRecord(ui, ws, plan, parallelism, guard.flag());
}

bool WritePlanFile(const std::string& path, const Plan& plan, const BlueprintOptions& inputs,
                   const DesiredConfig& config, Diagnostics* diags) {
  if (!plan.resolved_sensitive.empty()) {
    const auto& [address, attrs] = *plan.resolved_sensitive.begin();
    diags->Error("the plan uses " + address + "'s sensitive " + attrs.begin().key() +
                     ", and a plan file never holds a secret",
                 {}, "apply without a plan file: mfgctl apply");
    return false;
  }
  Value j = PlanToJson(plan, InputsToJson(inputs, config.sensitive_variables));
  return AtomicWriteFile(path, ShowJson(j) + "\n", diags);
}

bool ReadPlanFile(const std::string& path, Plan* plan, BlueprintOptions* inputs,
                  Diagnostics* diags) {
  std::optional<std::string> text = ReadWholeFile(path);
  if (!text) {
    diags->Error("cannot read plan file " + path);
    return false;
  }
  Value j = Value::parse(*text, nullptr, false);
  if (j.is_discarded()) {
    diags->Error(path + " is not a plan file (not JSON); make one with mfgctl plan --out");
    return false;
  }
  Value raw_inputs;
  if (!PlanFromJson(j, path, plan, &raw_inputs, diags)) return false;
  *inputs = InputsFromJson(raw_inputs);
  return true;
}

}  // namespace mfgctl
