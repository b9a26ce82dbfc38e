// The rollout's scheduling with a fake runner: waves in order, the failure
// budget stopping it (running plants finish, later waves untouched),
// windows and their margin, offline plants, parallelism, --wave/--plant.
#include "fleet/rollout.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace mfgctl {
namespace {

SysSeconds At(const std::string& iso) {
  SysSeconds t;
  EXPECT_TRUE(ParseInstant(iso, &t));
  return t;
}

class RolloutTest : public ::testing::Test {
 protected:
  // n plants p1..pn; waves: canary = p1, then 50%, then the rest.
  void MakeFleet(int n) {
    fleet_ = Fleet();
    fleet_.name = "f";
    for (int i = 1; i <= n; ++i) {
      FleetPlant p;
      p.name = "p" + std::to_string(i);
      if (i == 1) p.labels["tier"] = "canary";
      fleet_.plants.push_back(p);
    }
    fleet_.rollout.waves = {{"canary", {{"tier", "canary"}}, 100, {}},
                            {"half", {}, 50, {}},
                            {"rest", {}, 100, {}}};
  }

  RolloutReport Run(RolloutOptions options = {}) {
    Diagnostics diags;
    std::vector<std::vector<const FleetPlant*>> waves;
    EXPECT_TRUE(AssignWaves(fleet_, &waves, &diags));
    if (!options.now) options.now = [] { return At("2026-03-28T12:00:00Z"); };
    return RunRollout(fleet_, waves, [this](const FleetPlant& p, const std::string&) {
      int now = ++running_;
      {
        std::lock_guard<std::mutex> l(mu_);
        max_running_ = std::max(max_running_, now);
        ran_.push_back(p.name);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      --running_;
      PlantResult r;
      r.outcome = fail_.count(p.name) ? PlantResult::Outcome::kFailed : PlantResult::Outcome::kApplied;
      r.offline = offline_.count(p.name) > 0;
      if (r.outcome == PlantResult::Outcome::kFailed) r.reason = "health check failed";
      return r;
    }, options);
  }

  std::map<std::string, std::string> Outcomes(const RolloutReport& report) {
    std::map<std::string, std::string> out;
    for (const auto& p : report.plants) out[p.plant] = OutcomeName(p.outcome);
    return out;
  }

  Fleet fleet_;
  std::set<std::string> fail_, offline_;
  std::atomic<int> running_{0};
  int max_running_ = 0;
  std::vector<std::string> ran_;
  std::mutex mu_;
};

TEST_F(RolloutTest, WavesRunInOrderWithinTheParallelBound) {
  MakeFleet(6);
  fleet_.rollout.max_parallel_plants = 2;
  RolloutReport report = Run();
  EXPECT_EQ(report.stopped, "");
  EXPECT_EQ(ran_.size(), 6u);
  EXPECT_EQ(ran_[0], "p1");  // the canary first, alone
  EXPECT_LE(max_running_, 2);
  EXPECT_EQ(report.plants[0].wave, "canary");
  EXPECT_EQ(report.plants[1].wave, "half");
  EXPECT_EQ(report.plants[5].wave, "rest");
}

TEST_F(RolloutTest, AFailurePastTheBudgetStopsTheRolloutBeforeTheNextWave) {
  MakeFleet(6);
  fleet_.rollout.failure_budget_per_wave = 0;
  fleet_.rollout.failure_budget_total = 5;
  fleet_.rollout.max_parallel_plants = 1;
  fail_ = {"p2"};  // the first plant of wave 2 (p2, p3)
  RolloutReport report = Run();
  EXPECT_EQ(report.stopped, "wave half had 1 failed plant, over its failure budget of 0");
  auto o = Outcomes(report);
  EXPECT_EQ(o["p1"], "applied");
  EXPECT_EQ(o["p2"], "failed");
  EXPECT_EQ(o["p3"], "not started");  // nothing new starts
  for (const char* p : {"p4", "p5", "p6"}) EXPECT_EQ(o[p], "not started") << p;
  EXPECT_EQ(report.plants[5].reason, report.stopped);
  EXPECT_EQ(ran_, (std::vector<std::string>{"p1", "p2"}));
  EXPECT_EQ(report.failed, 1);
}

TEST_F(RolloutTest, FailuresWithinTheBudgetGoOnAndTheTotalStopsIt) {
  MakeFleet(6);
  fleet_.rollout.failure_budget_per_wave = 1;
  fleet_.rollout.failure_budget_total = 1;
  fleet_.rollout.max_parallel_plants = 1;
  fail_ = {"p2", "p4"};
  RolloutReport report = Run();
  auto o = Outcomes(report);
  EXPECT_EQ(o["p3"], "applied");  // one failure in wave 2 is tolerated
  EXPECT_EQ(o["p4"], "failed");
  EXPECT_EQ(o["p5"], "not started");
  EXPECT_EQ(report.stopped, "2 plants failed, over the rollout's failure budget of 1");
}

TEST_F(RolloutTest, APlantOutsideItsWindowIsSkippedUnlessIgnored) {
  MakeFleet(2);
  std::string error;
  fleet_.plants[1].time_zone = "Europe/Berlin";
  fleet_.plants[1].windows = {*ParseWindow("Sun 01:00-05:00", &error)};
  RolloutReport report = Run();
  auto o = Outcomes(report);
  EXPECT_EQ(o["p2"], "skipped");
  EXPECT_EQ(report.plants[1].reason,
            "outside its window: closed, opens Sun 2026-03-29 01:00 CET");
  EXPECT_EQ(report.stopped, "");  // a skipped plant is no failure
  RolloutOptions ignore;
  ignore.ignore_window = true;
  report = Run(ignore);
  EXPECT_EQ(Outcomes(report)["p2"], "applied");
  EXPECT_TRUE(report.plants[1].ignored_window);
}

TEST_F(RolloutTest, LessThanTheMarginLeftDoesNotStart) {
  MakeFleet(1);
  std::string error;
  fleet_.plants[0].windows = {*ParseWindow("daily 11:00-12:20", &error)};
  fleet_.rollout.window_margin_s = 30 * 60;
  RolloutReport report = Run();  // 12:00 UTC: 20 minutes left
  EXPECT_EQ(Outcomes(report)["p1"], "skipped");
  EXPECT_EQ(report.plants[0].reason, "outside its window: open until Sat 2026-03-28 12:20 UTC, "
                                     "less than the window_margin left");
  fleet_.rollout.window_margin_s = 10 * 60;
  EXPECT_EQ(Outcomes(Run())["p1"], "applied");
}

TEST_F(RolloutTest, AnOfflinePlantIsSkippedOrFailedAsOfflineSays) {
  MakeFleet(3);
  offline_ = {"p2"};
  fleet_.rollout.offline_skip = true;
  fleet_.rollout.failure_budget_per_wave = 0;
  RolloutReport report = Run();
  EXPECT_EQ(Outcomes(report)["p2"], "skipped");
  EXPECT_EQ(report.stopped, "");
  EXPECT_EQ(Outcomes(report)["p3"], "applied");
  fleet_.rollout.offline_skip = false;
  report = Run();
  EXPECT_EQ(Outcomes(report)["p2"], "failed");
  EXPECT_NE(report.stopped, "");
}

TEST_F(RolloutTest, WaveAndPlantNarrowARun) {
  MakeFleet(6);
  RolloutOptions only;
  only.only_wave = "rest";
  RolloutReport report = Run(only);
  std::sort(ran_.begin(), ran_.end());  // in parallel: any order
  EXPECT_EQ(ran_, (std::vector<std::string>{"p4", "p5", "p6"}));
  ran_.clear();
  only = {};
  only.only_plant = "p5";
  report = Run(only);
  EXPECT_EQ(ran_, std::vector<std::string>{"p5"});
  ASSERT_EQ(report.plants.size(), 1u);
}

// The shared side of --worker runners, in memory: claims and results.
class FakeStore : public WorkerStore {
 public:
  std::optional<PlantResult> Recorded(const FleetPlant& p) override {
    std::lock_guard<std::mutex> l(mu);
    auto it = results.find(p.name);
    if (it == results.end()) return std::nullopt;
    return it->second;
  }
  Claim Try(const FleetPlant& p, const std::string&, bool may_start, const std::string& window,
            const std::function<bool()>& go, PlantResult* result) override {
    if (std::optional<PlantResult> r = unrecorded ? unrecorded(p.name) : std::nullopt) {
      std::lock_guard<std::mutex> l(mu);
      ++runs[p.name];
      *result = *r;
      return Claim::kRan;
    }
    {
      std::lock_guard<std::mutex> l(mu);
      if (claimed.count(p.name)) return Claim::kBusy;
      if (auto it = results.find(p.name); it != results.end()) {
        *result = it->second;
        return Claim::kDone;
      }
      claimed.insert(p.name);
    }
    if (may_start && !go()) {
      std::lock_guard<std::mutex> l(mu);
      claimed.erase(p.name);
      return Claim::kStopped;
    }
    if (during) during(p.name);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    PlantResult r;
    r.outcome = !may_start               ? PlantResult::Outcome::kSkipped
                : fail.count(p.name) > 0 ? PlantResult::Outcome::kFailed
                                         : PlantResult::Outcome::kApplied;
    r.reason = may_start ? "" : "outside its window: " + window;
    std::lock_guard<std::mutex> l(mu);
    ++runs[p.name];
    results[p.name] = r;
    claimed.erase(p.name);
    *result = r;
    return Claim::kRan;
  }

  std::function<void(const std::string&)> during;  // called as a plant runs
  /// A run of the plant that records nothing (its state out of reach,
  /// an interrupt): the result it gives, or nullopt to run it as usual.
  std::function<std::optional<PlantResult>(const std::string&)> unrecorded;
  std::mutex mu;
  std::set<std::string> claimed, fail;
  std::map<std::string, PlantResult> results;
  std::map<std::string, int> runs;
};

class WorkerTest : public RolloutTest {
 protected:
  RolloutReport Work(FakeStore& store, std::function<void()> pause = [] {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }) {
    Diagnostics diags;
    std::vector<std::vector<const FleetPlant*>> waves;
    EXPECT_TRUE(AssignWaves(fleet_, &waves, &diags));
    RolloutOptions options;
    options.now = [] { return At("2026-03-28T12:00:00Z"); };
    return RunWorker(fleet_, waves, store, options, pause);
  }
};

TEST_F(WorkerTest, TwoRunnersApplyEveryPlantExactlyOnce) {
  MakeFleet(6);
  fleet_.rollout.max_parallel_plants = 2;
  FakeStore store;
  RolloutReport a, b;
  std::thread ta([&] { a = Work(store); });
  std::thread tb([&] { b = Work(store); });
  ta.join();
  tb.join();
  for (int i = 1; i <= 6; ++i) EXPECT_EQ(store.runs["p" + std::to_string(i)], 1) << i;
  EXPECT_EQ(a.stopped, "");
  EXPECT_EQ(b.stopped, "");
  // Each runner's report has every plant, whoever applied it.
  ASSERT_EQ(a.plants.size(), 6u);
  for (const auto& p : a.plants) EXPECT_EQ(OutcomeName(p.outcome), std::string("applied")) << p.plant;
}

TEST_F(WorkerTest, ADeadRunnersClaimIsWaitedForThenTheOtherFinishesThePlant) {
  MakeFleet(3);
  FakeStore store;
  store.claimed.insert("p2");  // a runner that died holding p2: its lease runs out later
  int pauses = 0;
  RolloutReport r = Work(store, [&] {
    if (++pauses == 3) {
      std::lock_guard<std::mutex> l(store.mu);
      store.claimed.erase("p2");  // the lease expired
    }
  });
  EXPECT_GE(pauses, 3);
  EXPECT_EQ(store.runs["p2"], 1);
  EXPECT_EQ(store.runs["p3"], 1);  // the wave barrier held p3's wave until p2 was done
  EXPECT_EQ(r.stopped, "");
}

TEST_F(WorkerTest, AFailureThatCouldNotBeRecordedIsCountedOnceAndNotRetried) {
  MakeFleet(3);
  fleet_.rollout.failure_budget_per_wave = 5;
  fleet_.rollout.failure_budget_total = 5;
  FakeStore store;
  store.unrecorded = [](const std::string& plant) -> std::optional<PlantResult> {
    if (plant != "p2") return std::nullopt;
    PlantResult failed;  // its state cannot be reached: nothing recorded
    failed.outcome = PlantResult::Outcome::kFailed;
    return failed;
  };
  RolloutReport r = Work(store);
  EXPECT_EQ(store.runs["p2"], 1);
  EXPECT_EQ(store.runs["p3"], 1);
  EXPECT_EQ(r.failed, 1);
  EXPECT_EQ(r.stopped, "");
}

TEST_F(WorkerTest, AFailureRecordedByAnotherRunnerCountsAgainstTheBudget) {
  MakeFleet(6);
  fleet_.rollout.failure_budget_per_wave = 0;
  FakeStore store;
  // Another runner already failed p2 in wave 2.
  PlantResult failed;
  failed.outcome = PlantResult::Outcome::kFailed;
  store.results["p2"] = failed;
  RolloutReport r = Work(store);
  EXPECT_EQ(r.stopped, "wave half had 1 failed plant, over its failure budget of 0");
  EXPECT_EQ(store.runs["p1"], 1);
  EXPECT_EQ(store.runs.count("p3"), 0u);
  EXPECT_EQ(store.runs.count("p4"), 0u);  // wave 3 untouched
  EXPECT_EQ(r.failed, 1);
}

TEST_F(WorkerTest, AFailureRecordedWhileThisRunnerWorksStopsItsNextStart) {
  MakeFleet(8);  // canary p1; half p2 p3 p4; rest p5..p8
  fleet_.rollout.max_parallel_plants = 1;
  FakeStore store;
  store.during = [&](const std::string& plant) {
    if (plant != "p2") return;
    PlantResult failed;  // another runner fails p4 meanwhile
    failed.outcome = PlantResult::Outcome::kFailed;
    std::lock_guard<std::mutex> l(store.mu);
    store.results["p4"] = failed;
  };
  RolloutReport r = Work(store);
  EXPECT_EQ(store.runs["p2"], 1);
  EXPECT_EQ(store.runs.count("p3"), 0u);  // due next, but the budget was spent
  EXPECT_EQ(store.runs.count("p5"), 0u);
  EXPECT_EQ(r.stopped, "wave half had 1 failed plant, over its failure budget of 0");
  EXPECT_EQ(r.failed, 1);
}

TEST_F(WorkerTest, AResultRecordedByAnotherRunnerReplacesWhatThisOneSaw) {
  MakeFleet(3);
  fleet_.rollout.failure_budget_per_wave = 5;
  fleet_.rollout.failure_budget_total = 5;
  FakeStore store;
  int seen = 0;
  store.unrecorded = [&](const std::string& plant) -> std::optional<PlantResult> {
    if (plant != "p2" || seen++ > 0) return std::nullopt;
    // This runner could not tell (its state unreadable), while another
    // runner was applying it and then recorded it.
    PlantResult applied;
    applied.outcome = PlantResult::Outcome::kApplied;
    {
      std::lock_guard<std::mutex> l(store.mu);
      store.results["p2"] = applied;
    }
    PlantResult failed;
    failed.outcome = PlantResult::Outcome::kFailed;
    return failed;
  };
  RolloutReport r = Work(store);
  EXPECT_EQ(r.failed, 0);
  EXPECT_EQ(Outcomes(r)["p2"], "applied");
}

TEST_F(WorkerTest, AnInterruptedPlantIsNeitherAFailureNorRetriedByThisRunner) {
  MakeFleet(3);
  std::atomic<bool> stop{false};
  FakeStore store;
  store.unrecorded = [&](const std::string& plant) -> std::optional<PlantResult> {
    if (plant != "p2") return std::nullopt;
    stop.store(true);  // SIGINT while p2 applies: left unrecorded
    PlantResult interrupted;
    interrupted.outcome = PlantResult::Outcome::kInterrupted;
    return interrupted;
  };
  Diagnostics diags;
  std::vector<std::vector<const FleetPlant*>> waves;
  ASSERT_TRUE(AssignWaves(fleet_, &waves, &diags));
  RolloutOptions options;
  options.now = [] { return At("2026-03-28T12:00:00Z"); };
  options.interrupted = &stop;
  RolloutReport r = RunWorker(fleet_, waves, store, options, [] {});
  EXPECT_EQ(r.stopped, "interrupted");
  EXPECT_EQ(r.failed, 0);
  EXPECT_EQ(Outcomes(r)["p2"], "interrupted");
  EXPECT_EQ(store.runs["p2"], 1);
  EXPECT_EQ(store.runs.count("p3"), 0u);
  EXPECT_EQ(store.results.count("p2"), 0u);  // another runner will take it
}

}  // namespace
}  // namespace mfgctl
