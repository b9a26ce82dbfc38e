// Several providers on one target: the registry gives each type one
// provider, reads are batched per (target, provider), actions go to the
// provider of their type, and each target takes as many actions at once as
// its provider (or its `max_parallel`) allows.
#include <gtest/gtest.h>

#include "engine/apply/walker.h"
#include "engine/plan/planner.h"
#include "tests/support/builders.h"
#include "tests/support/fake_provider.h"

namespace mfgctl {
namespace {

class NullObserver : public ApplyObserver {
 public:
  void OnEvent(const ApplyEvent&) override {}
  void OnApplied(const std::vector<AppliedChange>&) override {}
};

class RoutingTest : public ::testing::Test {
 protected:
  RoutingTest() {
    hosts_ = AddFakeProvider(&providers_, "fake");
    vms_ = AddFakeProvider(&providers_, "virt");
  }

  // Things on h1: `hosts` of the host provider's type, `vms` of the other's.
  static DesiredConfig OnOneTarget(int hosts, int vms) {
    ConfigBuilder b;
    for (int i = 0; i < hosts; ++i) b.Thing("h1", "pkg" + std::to_string(i), {{"value", "x"}});
    for (int i = 0; i < vms; ++i) b.Thing("h1", "vm" + std::to_string(i), {{"value", "y"}});
    DesiredConfig c = b.Build();
    for (auto& r : c.resources) {
      if (r.address.name.rfind("vm", 0) == 0) r.type = "virt.thing";
    }
    return c;
  }

  ApplyResult Apply(const DesiredConfig& desired, int parallelism = 10) {
    Plan plan = MakePlan(desired, {}, providers_, {});
    EXPECT_FALSE(plan.diagnostics.HasErrors());
    NullObserver observer;
    ApplyOptions options;
    options.parallelism = parallelism;
    return ApplyPlan(plan, desired, providers_, observer, options);
  }

  static std::vector<std::string> Whats(const std::vector<FakeProvider::Call>& calls) {
    std::vector<std::string> out;
    for (const auto& c : calls) out.push_back(c.kind + " " + c.what);
    return out;
  }

  ProviderRegistry providers_;
  FakeProvider* hosts_;
  FakeProvider* vms_;
};

TEST_F(RoutingTest, ARegistryRefusesATypeTwoProvidersDeclare) {
  class Clashing : public FakeProvider {
   public:
    Clashing() : FakeProvider("clash") {}
    std::vector<ResourceTypeSchema> Schemas() const override {
      return FakeProvider("virt").Schemas();
    }
  };
  Diagnostics diags;
  EXPECT_FALSE(providers_.Add(std::make_unique<Clashing>(), &diags));
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.items()[0].summary,
            "providers \"virt\" and \"clash\" both declare the resource type \"virt.thing\"");
  EXPECT_FALSE(providers_.Add(std::make_unique<FakeProvider>("fake"), &diags));
  EXPECT_EQ(diags.items()[1].summary, "provider \"fake\" is registered twice");
  EXPECT_EQ(providers_.ForType("virt.thing"), vms_);  // the first one keeps it
}

TEST_F(RoutingTest, OneReadPerTargetAndProviderAndActionsByType) {
  DesiredConfig desired = OnOneTarget(2, 3);
  Plan plan = MakePlan(desired, {}, providers_, {});
  EXPECT_EQ(hosts_->ReadSizes(), (std::vector<size_t>{2}));
  EXPECT_EQ(vms_->ReadSizes(), (std::vector<size_t>{3}));
  ASSERT_EQ(plan.changes.size(), 5u);
  NullObserver observer;
  ApplyResult r = ApplyPlan(plan, desired, providers_, observer, {});
  EXPECT_EQ(r.applied, 5);
  EXPECT_EQ(Whats(hosts_->Calls()),
            (std::vector<std::string>{"configure fake", "read h1", "create h1:thing[pkg0]",
                                      "create h1:thing[pkg1]"}));
  EXPECT_EQ(vms_->Calls().size(), 5u);  // configured, its read and its three creates
}

TEST_F(RoutingTest, ATargetTakesAsManyActionsAsItsProviderAllows) {
  vms_->max_actions_per_target = 3;
  vms_->rendezvous = 3;  // each waits until three run at once
  ApplyResult r = Apply(OnOneTarget(0, 3));
  EXPECT_EQ(r.applied, 3);
  EXPECT_EQ(vms_->MaxInFlight(), 3);
}

TEST_F(RoutingTest, MaxParallelOfATargetBoundsIt) {
  vms_->max_actions_per_target = 3;
  DesiredConfig desired = OnOneTarget(0, 3);
  desired.targets["h1"].config[kMaxParallelSetting] = 1;
  EXPECT_EQ(Apply(desired).applied, 3);
  EXPECT_EQ(vms_->MaxInFlight(), 1);
}

TEST_F(RoutingTest, AHostTakesOneActionAtATime) {
  ApplyResult r = Apply(OnOneTarget(3, 0));
  EXPECT_EQ(r.applied, 3);
  EXPECT_EQ(hosts_->MaxInFlight(), 1);
}

}  // namespace
}  // namespace mfgctl
