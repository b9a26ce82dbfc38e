// Provider configuration: each provider with resources in the run is
// configured once with its `providers:` block before anything is read; one
// that fails leaves only its own resources unplanned, with an error at the
// block; its sensitive settings reach no plan file.
#include <gtest/gtest.h>

#include "engine/plan/planner.h"
#include "tests/support/builders.h"
#include "tests/support/fake_provider.h"

namespace mfgctl {
namespace {

class ConfigureTest : public ::testing::Test {
 protected:
  ConfigureTest() {
    cloud_ = AddFakeProvider(&providers_, "fake");
    other_ = AddFakeProvider(&providers_, "virt");
  }

  // h1:thing[a] of the `fake` provider and h2:thing[b] of `virt`, with the
  // `fake` block at plant.yaml:4:3.
  static DesiredConfig TwoProviders() {
    DesiredConfig c = ConfigBuilder()
                          .Thing("h1", "a", {{"value", "x"}})
                          .Thing("h2", "b", {{"value", "y"}})
                          .Build();
    c.resources[1].type = "virt.thing";
    c.providers["fake"] = {"fake",
                           {{"endpoint", "http://127.0.0.1:9000"}, {"secret_key", "s3cr3t-key"}},
                           {"plant.yaml", 4, 3},
                           {"secret_key"}};
    return c;
  }

  ProviderRegistry providers_;
  FakeProvider* cloud_;
  FakeProvider* other_;
};

TEST_F(ConfigureTest, EachProviderIsConfiguredOnceBeforeAnyRead) {
  Plan plan = MakePlan(TwoProviders(), {}, providers_, {});
  EXPECT_FALSE(plan.diagnostics.HasErrors());
  ASSERT_EQ(cloud_->Calls().size(), 2u);
  EXPECT_EQ(cloud_->Calls()[0].kind, "configure");
  EXPECT_EQ(cloud_->Calls()[1].kind, "read");
  // Plain values: the provider needs the key itself.
  EXPECT_EQ(cloud_->configured,
            (std::vector<Value>{
                {{"endpoint", "http://127.0.0.1:9000"}, {"secret_key", "s3cr3t-key"}}}));
  // Without a block: configured with nothing.
  EXPECT_EQ(other_->configured, std::vector<Value>{Value::object()});
  EXPECT_EQ(plan.changes.size(), 2u);
}

TEST_F(ConfigureTest, AProviderWithNothingInTheRunIsNotConfigured) {
  DesiredConfig c = TwoProviders();
  c.resources.pop_back();
  MakePlan(c, {}, providers_, {});
  EXPECT_EQ(cloud_->configured.size(), 1u);
  EXPECT_TRUE(other_->configured.empty());
}

TEST_F(ConfigureTest, AFailedConfigureFailsOnlyItsProvidersResourcesAtTheBlock) {
  cloud_->configure_errors = {"endpoint refused the credentials"};
  Plan plan = MakePlan(TwoProviders(), {}, providers_, {});
  ASSERT_EQ(plan.diagnostics.size(), 1u);
  EXPECT_EQ(FormatDiagnostic(plan.diagnostics.items()[0]),
            "plant.yaml:4:3: error: provider \"fake\": endpoint refused the credentials");
  EXPECT_TRUE(cloud_->ReadSizes().empty());  // never read
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].address.ToString(), "h2:thing[b]");
}

TEST_F(ConfigureTest, AMissingRequiredSettingFailsBeforeConfigure) {
  other_->endpoint_required = true;
  Plan plan = MakePlan(TwoProviders(), {}, providers_, {});
  ASSERT_EQ(plan.diagnostics.size(), 1u);
  EXPECT_EQ(FormatDiagnostic(plan.diagnostics.items()[0]),
            "error: provider \"virt\": needs \"endpoint:\"\n"
            "  set it under providers: virt: in the blueprint");
  EXPECT_TRUE(other_->configured.empty());
  EXPECT_EQ(plan.changes.size(), 1u);
}

TEST_F(ConfigureTest, SensitiveSettingsReachNoPlanFileYetAChangeMakesItStale) {
  DesiredConfig c = TwoProviders();
  Plan plan = MakePlan(c, {}, providers_, {});
  std::string saved = PlanToJson(plan, Value::object()).dump();
  EXPECT_EQ(saved.find("s3cr3t-key"), std::string::npos) << saved;
  EXPECT_EQ(saved.find("127.0.0.1:9000"), std::string::npos) << saved;  // read at apply
  DesiredConfig rotated = c;
  rotated.providers["fake"].settings["secret_key"] = "other-key";
  EXPECT_NE(DigestOf(rotated, plan.salt), plan.config_digest);
}

}  // namespace
}  // namespace mfgctl
