#include "engine/apply/walker.h"

#include <gtest/gtest.h>

#include "engine/plan/planner.h"
#include "engine/apply/recorder.h"
#include "engine/model/sensitive.h"
#include "engine/model/unknown.h"
#include "tests/support/builders.h"
#include "tests/support/fake_provider.h"

namespace mfgctl {
namespace {

// Records events and folds applied changes into a snapshot.
class Recorder : public ApplyObserver {
 public:
  explicit Recorder(const Plan& plan) : plan_(plan) {}
  void OnEvent(const ApplyEvent& e) override {
    if (e.kind == ApplyEvent::Kind::kSkipped) skipped.push_back(e.change->address.ToString());
    if (e.kind == ApplyEvent::Kind::kError) failed.push_back(e.change->address.ToString());
  }
  void OnApplied(const std::vector<AppliedChange>& done) override {
    for (const auto& [c, attributes] : done) {
      applied.push_back(c->address.ToString());
      FoldChange(*c, attributes, plan_, &state);
    }
    ++recordings;
  }
  const Plan& plan_;
  StateSnapshot state;
  std::vector<std::string> applied, skipped, failed;
  int recordings = 0;  // OnApplied calls
};

class WalkerTest : public ::testing::Test {
 protected:
  WalkerTest() {
    fake_ = AddFakeProvider(&providers_);
  }
  ProviderRegistry providers_;
  FakeProvider* fake_;
};

TEST_F(WalkerTest, AppliesInDependencyOrderAndRecordsEach) {
  auto desired = ConfigBuilder()
                     .Thing("h1", "c", {{"value", "3"}}, {"h1:thing[b]"})
                     .Thing("h1", "b", {{"value", "2"}}, {"h1:thing[a]"})
                     .Thing("h1", "a", {{"value", "1"}})
                     .Build();
  Plan plan = MakePlan(desired, {}, providers_, {});
  Recorder rec(plan);
  ApplyResult r = ApplyPlan(plan, desired, providers_, rec, {});
  EXPECT_EQ(r.applied, 3);
  EXPECT_EQ(rec.applied, (std::vector<std::string>{"h1:thing[a]", "h1:thing[b]", "h1:thing[c]"}));
  EXPECT_EQ(rec.state.resources.size(), 3u);
  EXPECT_EQ(rec.state.targets.count("h1"), 1u);
  EXPECT_EQ(r.done.add, 3);
}

TEST_F(WalkerTest, StateRecordsWhatTheProviderComputed) {
  auto desired = ConfigBuilder().Thing("h1", "a", {{"value", "1"}}).Build();
  Plan plan = MakePlan(desired, {}, providers_, {});
  Recorder rec(plan);
  ASSERT_EQ(ApplyPlan(plan, desired, providers_, rec, {}).applied, 1);
  EXPECT_EQ(rec.state.resources.at("h1:thing[a]").attributes.dump(),
            R"({"value":"1","id":"id-a-1"})");
  // An update keeps the id the creation made.
  desired.resources[0].attributes["value"] = "2";
  Plan update = MakePlan(desired, rec.state, providers_, {});
  ASSERT_EQ(update.changes.size(), 1u);
  Recorder again(update);
  again.state = rec.state;
  ASSERT_EQ(ApplyPlan(update, desired, providers_, again, {}).applied, 1);
  EXPECT_EQ(again.state.resources.at("h1:thing[a]").attributes.dump(),
            R"({"value":"2","id":"id-a-1"})");
}

TEST_F(WalkerTest, ReferencesToWhatApplyMakesAreFilledInWhenItIsMade) {
  DesiredConfig desired = ReferencingPair();
  Plan plan = MakePlan(desired, {}, providers_, {});
  Recorder rec(plan);
  ASSERT_EQ(ApplyPlan(plan, desired, providers_, rec, {}).applied, 2);
  EXPECT_EQ(fake_->live.at("h1:thing[b]")["value"], "a is id-a-1");
  EXPECT_EQ(rec.state.resources.at("h1:thing[b]").attributes.dump(),
            R"({"value":"a is id-a-1","id":"id-b-2"})");
  // Planned again: nothing to do.
  EXPECT_FALSE(MakePlan(desired, rec.state, providers_, {}).HasChanges());
}

TEST_F(WalkerTest, AReferenceToASensitiveComputedValueIsSealedAndNeverInThePlan) {
  fake_->live["h1:thing[a]"] = {{"value", "x"}, {"secret", "s3cr3t-value"}};
  auto desired = ConfigBuilder()
                     .Thing("h1", "a", {{"value", "x"}})
                     .Thing("h1", "b", {{"value", "a holds " + UnknownMarker("h1:thing[a]",
                                                                             "secret")}},
                            {"h1:thing[a]"})
                     .Build();
  desired.resources[1].deferred = {"value"};
  StateSnapshot prior = StateOf(ConfigBuilder().Thing("h1", "a", {{"value", "x"}}).Build());
  Plan plan = MakePlan(desired, prior, providers_, {});
  ASSERT_EQ(plan.changes.size(), 1u);
  const PlanChange& b = plan.changes[0];
  EXPECT_TRUE(Contains(b.sensitive, "value"));
  EXPECT_TRUE(IsSealed(b.after["value"].get<std::string>()));
  EXPECT_TRUE(plan.resolved.empty());
  EXPECT_EQ(PlanToJson(plan, {}).dump().find("s3cr3t"), std::string::npos);
  Recorder rec(plan);
  rec.state = prior;
  ASSERT_EQ(ApplyPlan(plan, desired, providers_, rec, {}).applied, 1);
  EXPECT_EQ(fake_->live.at("h1:thing[b]")["value"], "a holds s3cr3t-value");
  const Value& recorded = rec.state.resources.at("h1:thing[b]").attributes;
  EXPECT_TRUE(IsSealed(recorded["value"].get<std::string>())) << recorded.dump();
  EXPECT_TRUE(Contains(rec.state.resources.at("h1:thing[b]").sensitive, "value"));
}

TEST_F(WalkerTest, AReferenceThatStaysUnknownFailsItsResourceOnly) {
  auto desired = ConfigBuilder()
                     .Thing("h1", "b", {{"value", UnknownMarker("h1:thing[gone]", "id")}})
                     .Thing("h1", "c", {{"value", "fine"}})
                     .Build();
  desired.resources[0].deferred = {"value"};
  Plan plan = MakePlan(desired, {}, providers_, {});
  Recorder rec(plan);
  ApplyResult r = ApplyPlan(plan, desired, providers_, rec, {});
  EXPECT_EQ(r.applied, 1);
  ASSERT_EQ(r.failed, 1);
  EXPECT_EQ(r.diagnostics.items()[0].summary,
            "h1:thing[gone].id is still not known: its resource reported no value for it");
  EXPECT_EQ(fake_->live.count("h1:thing[b]"), 0u);
}

TEST_F(WalkerTest, FailureSkipsOnlyItsDependents) {
  auto desired = ConfigBuilder()
                     .Thing("h1", "base", {{"value", "1"}})
                     .Thing("h1", "child", {{"value", "2"}}, {"h1:thing[base]"})
                     .Thing("h1", "grandchild", {{"value", "3"}}, {"h1:thing[child]"})
                     .Thing("h1", "sibling", {{"value", "4"}})
                     .Thing("h2", "other", {{"value", "5"}})
                     .Build();
  fake_->failing.insert("h1:thing[base]");
  Plan plan = MakePlan(desired, {}, providers_, {});
  Recorder rec(plan);
  ApplyResult r = ApplyPlan(plan, desired, providers_, rec, {});
  EXPECT_EQ(r.failed, 1);
  EXPECT_EQ(r.skipped, 2);
  EXPECT_EQ(rec.failed, (std::vector<std::string>{"h1:thing[base]"}));
  std::sort(rec.skipped.begin(), rec.skipped.end());
  EXPECT_EQ(rec.skipped, (std::vector<std::string>{"h1:thing[child]", "h1:thing[grandchild]"}));
  std::sort(rec.applied.begin(), rec.applied.end());
  EXPECT_EQ(rec.applied, (std::vector<std::string>{"h1:thing[sibling]", "h2:thing[other]"}));
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics.items()[0].address, "h1:thing[base]");
}

TEST_F(WalkerTest, ReadyChangesOfABatchTypeGoTogetherAndFailAlone) {
  auto desired = ConfigBuilder()
                     .Pkg("h1", "a")
                     .Pkg("h1", "b")
                     .Pkg("h1", "c")
                     .Thing("h1", "conf", {{"value", "1"}}, {"h1:pkg[a]"})
                     .Pkg("h2", "d")
                     .Build();
  fake_->failing.insert("h1:pkg[b]");
  Plan plan = MakePlan(desired, {}, providers_, {});
  Recorder rec(plan);
  ApplyResult r = ApplyPlan(plan, desired, providers_, rec, {});
  EXPECT_EQ(fake_->batches, (std::vector<size_t>{3}));  // h2's lone package is a plain Apply
  EXPECT_EQ(r.applied, 4);
  EXPECT_EQ(rec.failed, (std::vector<std::string>{"h1:pkg[b]"}));
  // The batch's responses came one by one, and each was recorded at once.
  EXPECT_EQ(rec.recordings, 4);
  EXPECT_EQ(rec.state.resources.count("h1:thing[conf]"), 1u);
}

TEST_F(WalkerTest, AProviderThatAppliesTogetherGetsEveryReadyChangeOfATargetAtOnce) {
  fake_->applies_together = true;
  auto desired = ConfigBuilder()
                     .Pkg("h1", "a")
                     .Thing("h1", "b", {{"value", "1"}})
                     .Thing("h1", "c", {{"value", "2"}})
                     .Thing("h1", "d", {{"value", "3"}}, {"h1:thing[b]"})
                     .Thing("h1", "e", {{"value", "4"}}, {"h1:thing[d]"})
                     .Build();
  fake_->failing.insert("h1:thing[c]");
  Plan plan = MakePlan(desired, {}, providers_, {});
  Recorder rec(plan);
  ApplyResult r = ApplyPlan(plan, desired, providers_, rec, {});
  // Round one: a, b and c of both types; then d alone (a plain Apply), then e.
  EXPECT_EQ(fake_->batches, (std::vector<size_t>{3}));
  EXPECT_EQ(r.applied, 4);
  EXPECT_EQ(rec.failed, (std::vector<std::string>{"h1:thing[c]"}));
  // What finished together is recorded together: one call per round.
  EXPECT_EQ(rec.recordings, 3);
  EXPECT_EQ(rec.applied,
            (std::vector<std::string>{"h1:pkg[a]", "h1:thing[b]", "h1:thing[d]", "h1:thing[e]"}));
}

TEST_F(WalkerTest, ATypeThatAppliesAloneNeverJoinsTheOthers) {
  fake_->applies_together = true;
  auto desired = ConfigBuilder()
                     .Step("h1", "s1")
                     .Thing("h1", "b", {{"value", "1"}})
                     .Step("h1", "s2")
                     .Thing("h1", "c", {{"value", "2"}})
                     .Build();
  Plan plan = MakePlan(desired, {}, providers_, {});
  Recorder rec(plan);
  ApplyResult r = ApplyPlan(plan, desired, providers_, rec, {});
  EXPECT_EQ(r.applied, 4);
  EXPECT_EQ(fake_->batches, (std::vector<size_t>{2}));  // b and c; each step a plain Apply
  EXPECT_EQ(rec.recordings, 3);
}

TEST_F(WalkerTest, InterruptedStartsNothing) {
  auto desired = ConfigBuilder().Thing("h1", "a", {{"value", "1"}}).Build();
  Plan plan = MakePlan(desired, {}, providers_, {});
  Recorder rec(plan);
  std::atomic<bool> stop{true};
  ApplyOptions o;
  o.interrupted = &stop;
  ApplyResult r = ApplyPlan(plan, desired, providers_, rec, o);
  EXPECT_EQ(r.applied, 0);
  EXPECT_EQ(r.not_started, 1);
}

TEST_F(WalkerTest, DeleteRemovesFromStateAndForgetsTheTarget) {
  auto before = ConfigBuilder().Thing("h1", "a", {{"value", "1"}}).Build();
  fake_->live["h1:thing[a]"] = {{"value", "1"}};
  StateSnapshot prior = StateOf(before);
  Plan plan = MakePlan(ConfigBuilder().Build(), prior, providers_, {});
  Recorder rec(plan);
  rec.state = prior;
  ApplyPlan(plan, ConfigBuilder().Build(), providers_, rec, {});
  EXPECT_TRUE(rec.state.resources.empty());
  EXPECT_TRUE(rec.state.targets.empty());
  EXPECT_TRUE(fake_->live.empty());
}

TEST_F(WalkerTest, ManyHostsInParallelEachInOrder) {
  ConfigBuilder b;
  for (int h = 0; h < 20; ++h) {
    std::string host = "h" + std::to_string(h);
    b.Thing(host, "first", {{"value", "1"}});
    b.Thing(host, "second", {{"value", "2"}}, {host + ":thing[first]"});
  }
  auto desired = b.Build();
  Plan plan = MakePlan(desired, {}, providers_, {});
  Recorder rec(plan);
  ApplyOptions o;
  o.parallelism = 4;
  ApplyResult r = ApplyPlan(plan, desired, providers_, rec, o);
  EXPECT_EQ(r.applied, 40);
  for (int h = 0; h < 20; ++h) {
    std::string host = "h" + std::to_string(h);
    auto first = std::find(rec.applied.begin(), rec.applied.end(), host + ":thing[first]");
    auto second = std::find(rec.applied.begin(), rec.applied.end(), host + ":thing[second]");
    EXPECT_LT(first, second) << host;
  }
}

}  // namespace
}  // namespace mfgctl
