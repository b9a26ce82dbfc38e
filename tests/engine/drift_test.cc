// plan --refresh-only: what changed outside mfgctl since the last apply,
// read for everything the state knows and compared with what it recorded.
#include <gtest/gtest.h>

#include "engine/model/sensitive.h"
#include "engine/plan/planner.h"
#include "tests/support/builders.h"
#include "tests/support/fake_provider.h"

namespace mfgctl {
namespace {

class DriftTest : public ::testing::Test {
 protected:
  DriftTest() {
    fake_ = AddFakeProvider(&providers_);
  }

  Plan Drift(const DesiredConfig& desired, const StateSnapshot& prior) {
    PlanOptions options;
    options.refresh_only = true;
    return MakePlan(desired, prior, providers_, options);
  }

  ProviderRegistry providers_;
  FakeProvider* fake_;
};

TEST_F(DriftTest, NothingChangedOutsideIsNoDrift) {
  auto applied = ConfigBuilder().Thing("h1", "a", {{"value", "x"}, {"size", 3}}).Build();
  fake_->live["h1:thing[a]"] = {{"value", "x"}, {"size", 3}, {"extra", "unmanaged"}};
  Plan drift = Drift(applied, StateOf(applied));
  EXPECT_FALSE(drift.diagnostics.HasErrors());
  EXPECT_FALSE(drift.HasChanges());
}

TEST_F(DriftTest, AChangedAttributeGoesFromTheRecordToWhatIsLive) {
  auto applied = ConfigBuilder().Thing("h1", "a", {{"value", "x"}, {"size", 3}}).Build();
  fake_->live["h1:thing[a]"] = {{"value", "edited"}, {"size", 3}};
  // The blueprint wants something else again, and a resource the state
  // does not know: neither counts.
  auto blueprint = ConfigBuilder()
                       .Thing("h1", "a", {{"value", "wanted"}, {"size", 3}})
                       .Thing("h1", "new", {{"value", "n"}})
                       .Build();
  Plan drift = Drift(blueprint, StateOf(applied));
  ASSERT_EQ(drift.changes.size(), 1u);
  const PlanChange& c = drift.changes[0];
  EXPECT_EQ(c.address.ToString(), "h1:thing[a]");
  EXPECT_EQ(c.action, Action::kUpdate);
  EXPECT_EQ(c.before, (Value{{"value", "x"}, {"size", 3}}));
  EXPECT_EQ(c.after, (Value{{"value", "edited"}, {"size", 3}}));
  EXPECT_EQ(fake_->ReadSizes(), std::vector<size_t>{1});  // only what the state knows
}

TEST_F(DriftTest, WhatNoLongerExistsWasDeletedOutside) {
  auto applied =
      ConfigBuilder().Thing("h1", "a", {{"value", "x"}}).Thing("h1", "b", {{"value", "y"}}).Build();
  fake_->live["h1:thing[b]"] = {{"value", "y"}};
  Plan drift = Drift(applied, StateOf(applied));
  ASSERT_EQ(drift.changes.size(), 1u);
  EXPECT_EQ(drift.changes[0].address.ToString(), "h1:thing[a]");
  EXPECT_EQ(drift.changes[0].action, Action::kDelete);
  EXPECT_EQ(drift.changes[0].before, (Value{{"value", "x"}}));
  EXPECT_TRUE(drift.changes[0].after.is_null());
}

TEST_F(DriftTest, WhatTheProviderDoesNotReadBackNeverDrifts) {
  auto applied = ConfigBuilder().Thing("h1", "a", {{"value", "x"}, {"size", 3}}).Build();
  fake_->live["h1:thing[a]"] = {{"size", 3}};
  EXPECT_FALSE(Drift(applied, StateOf(applied)).HasChanges());
}

TEST_F(DriftTest, SensitiveValuesAreComparedAndShownSealed) {
  auto applied = ConfigBuilder().Thing("h1", "a", {{"secret", "s1"}}).Build();
  StateSnapshot state = StateOf(applied);
  Value sealed = Seal("s1", state.salt);
  state.resources["h1:thing[a]"].attributes["secret"] = sealed;
  fake_->live["h1:thing[a]"] = {{"secret", "s1"}};
  EXPECT_FALSE(Drift(applied, state).HasChanges());

  fake_->live["h1:thing[a]"] = {{"secret", "rotated-by-hand"}};
  Plan drift = Drift(applied, state);
  ASSERT_EQ(drift.changes.size(), 1u);
  EXPECT_EQ(drift.changes[0].sensitive, std::vector<std::string>{"secret"});
  EXPECT_EQ(drift.changes[0].before["secret"], sealed);
  EXPECT_EQ(drift.changes[0].after["secret"], Seal("rotated-by-hand", state.salt));
  EXPECT_EQ(drift.changes[0].after.dump().find("rotated-by-hand"), std::string::npos);
}

TEST_F(DriftTest, NestedAttributesCompareTheKeysTheStateRecorded) {
  Value rule = {{"days", 30}};
  auto applied = ConfigBuilder().Thing("h1", "a", {{"lifecycle", {{"rule", {rule}}}}}).Build();
  fake_->live["h1:thing[a]"] = {
      {"lifecycle", {{"enabled", true}, {"rule", {{{"days", 30}, {"prefix", "logs/"}}}}}}};
  EXPECT_FALSE(Drift(applied, StateOf(applied)).HasChanges());

  fake_->live["h1:thing[a]"] = {{"lifecycle", {{"rule", {{{"days", 90}}}}}}};
  Plan drift = Drift(applied, StateOf(applied));
  ASSERT_EQ(drift.changes.size(), 1u);
  EXPECT_EQ(drift.changes[0].after["lifecycle"]["rule"][0]["days"], 90);
}

TEST_F(DriftTest, AnUnreachableTargetFailsOnlyItsResources) {
  auto applied =
      ConfigBuilder().Thing("h1", "a", {{"value", "x"}}).Thing("h2", "b", {{"value", "y"}}).Build();
  fake_->unreachable.insert("h1");
  fake_->live["h2:thing[b]"] = {{"value", "changed"}};
  Plan drift = Drift(applied, StateOf(applied));
  ASSERT_EQ(drift.diagnostics.size(), 1u);
  EXPECT_EQ(drift.diagnostics.begin()->address, "h1:thing[a]");
  ASSERT_EQ(drift.changes.size(), 1u);
  EXPECT_EQ(drift.changes[0].address.ToString(), "h2:thing[b]");
}

TEST_F(DriftTest, TargetSelectsWhatIsRead) {
  auto applied =
      ConfigBuilder().Thing("h1", "a", {{"value", "x"}}).Thing("h2", "b", {{"value", "y"}}).Build();
  PlanOptions options;
  options.refresh_only = true;
  options.only = {"h2"};
  Plan drift = MakePlan(applied, StateOf(applied), providers_, options);
  ASSERT_EQ(drift.changes.size(), 1u);
  EXPECT_EQ(drift.changes[0].address.ToString(), "h2:thing[b]");
  EXPECT_EQ(drift.changes[0].action, Action::kDelete);
}

}  // namespace
}  // namespace mfgctl
