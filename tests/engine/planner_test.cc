#include "engine/plan/planner.h"

#include <gtest/gtest.h>

#include "engine/model/digest.h"
#include "engine/model/sensitive.h"
#include "engine/model/unknown.h"
#include "tests/support/builders.h"
#include "tests/support/fake_provider.h"

namespace mfgctl {
namespace {

class PlannerTest : public ::testing::Test {
 protected:
  PlannerTest() {
    fake_ = AddFakeProvider(&providers_);
  }

  Plan PlanFor(const DesiredConfig& desired, const StateSnapshot& prior = {},
               PlanOptions options = {}) {
    return MakePlan(desired, prior, providers_, options);
  }

  static std::vector<std::string> Summary(const Plan& plan) {
    std::vector<std::string> out;
    for (const auto& c : plan.changes) {
      out.push_back(std::string(ActionSymbol(c.action)) + " " + c.address.ToString());
    }
    return out;
  }

  ProviderRegistry providers_;
  FakeProvider* fake_;
};

TEST_F(PlannerTest, CreatesWhatIsMissingInDependencyOrder) {
  auto desired = ConfigBuilder()
                     .Thing("h1", "app", {{"value", "x"}}, {"h1:thing[dir]"})
                     .Thing("h1", "dir", {{"value", "d"}})
                     .Build();
  Plan plan = PlanFor(desired);
  EXPECT_FALSE(plan.diagnostics.HasErrors());
  EXPECT_EQ(Summary(plan),
            (std::vector<std::string>{"+ h1:thing[dir]", "+ h1:thing[app]"}));
  EXPECT_EQ(plan.changes[1].after, (Value{{"value", "x"}}));
  EXPECT_TRUE(plan.changes[1].before.is_null());
}

TEST_F(PlannerTest, MatchingLiveStateIsNoChange) {
  auto desired = ConfigBuilder().Thing("h1", "a", {{"value", "x"}, {"size", 3}}).Build();
  fake_->live["h1:thing[a]"] = {{"value", "x"}, {"size", 3}, {"extra", "unmanaged"}};
  Plan plan = PlanFor(desired, StateOf(desired));
  EXPECT_FALSE(plan.HasChanges());
}

TEST_F(PlannerTest, DriftIsAnUpdateWithBeforeAndAfter) {
  auto desired = ConfigBuilder().Thing("h1", "a", {{"value", "x"}, {"size", 3}}).Build();
  fake_->live["h1:thing[a]"] = {{"value", "edited"}, {"size", 3}};
  Plan plan = PlanFor(desired, StateOf(desired));
  ASSERT_EQ(Summary(plan), (std::vector<std::string>{"~ h1:thing[a]"}));
  EXPECT_EQ(plan.changes[0].before["value"], "edited");
  EXPECT_EQ(plan.changes[0].after["value"], "x");
}

TEST_F(PlannerTest, ComputedAttributesAreKnownAfterApplyUntilTheResourceExists) {
  auto desired = ConfigBuilder()
                     .Thing("h1", "a", {{"value", "x"}})
                     .Thing("h1", "b", {{"value", "y"}, {"id", "chosen"}})
                     .Thing("h1", "c", {{"kind", "new"}})
                     .Build();
  fake_->live["h1:thing[c]"] = {{"kind", "old"}, {"id", "id-c-1"}};
  Plan plan = PlanFor(desired);
  ASSERT_EQ(Summary(plan),
            (std::vector<std::string>{"+ h1:thing[a]", "+ h1:thing[b]", "-/+ h1:thing[c]"}));
  EXPECT_EQ(plan.changes[0].unknown, std::vector<std::string>{"id"});
  EXPECT_TRUE(plan.changes[1].unknown.empty());  // the blueprint sets it
  EXPECT_EQ(plan.changes[2].unknown, std::vector<std::string>{"id"});  // a new one is made
  // Once it exists, an update keeps what the provider made.
  fake_->live["h1:thing[a]"] = {{"value", "old"}, {"id", "id-a-1"}};
  plan = PlanFor(desired);
  ASSERT_EQ(plan.changes[0].action, Action::kUpdate);
  EXPECT_TRUE(plan.changes[0].unknown.empty());
}

TEST_F(PlannerTest, ReferencesToComputedAttributesResolveFromWhatStaysAndWaitForWhatIsMade) {
  DesiredConfig desired = ReferencingPair();
  // a is made by this plan: b's value is known only after apply.
  Plan plan = PlanFor(desired);
  ASSERT_EQ(Summary(plan), (std::vector<std::string>{"+ h1:thing[a]", "+ h1:thing[b]"}));
  EXPECT_EQ(plan.changes[1].unknown, (std::vector<std::string>{"value", "id"}));
  EXPECT_TRUE(plan.resolved.empty());
  // a stays: b's value is what a's live id makes it, and the plan keeps it.
  fake_->live["h1:thing[a]"] = {{"value", "x"}, {"id", "id-a-7"}};
  fake_->live["h1:thing[b]"] = {{"value", "a is id-a-7"}, {"id", "id-b-8"}};
  EXPECT_FALSE(PlanFor(desired).HasChanges());
  fake_->live["h1:thing[b]"]["value"] = "a is id-a-6";
  plan = PlanFor(desired);
  ASSERT_EQ(Summary(plan), (std::vector<std::string>{"~ h1:thing[b]"}));
  EXPECT_EQ(plan.changes[0].after["value"], "a is id-a-7");
  EXPECT_TRUE(plan.changes[0].unknown.empty());
  EXPECT_EQ(plan.resolved.at("h1:thing[a]").dump(), R"({"id":"id-a-7"})");
  // a is replaced: its id is made anew, so b waits for it.
  desired.resources[0].attributes["kind"] = "new";
  plan = PlanFor(desired);
  ASSERT_EQ(Summary(plan), (std::vector<std::string>{"-/+ h1:thing[a]", "~ h1:thing[b]"}));
  EXPECT_EQ(plan.changes[1].unknown, std::vector<std::string>{"value"});
}

// An update the provider says renews a computed attribute (an image
// loaded again gets a new ID): what references it waits for apply.
TEST_F(PlannerTest, AnUpdateThatRenewsAComputedAttributeMakesItsReferencesWait) {
  DesiredConfig desired = ReferencingPair();
  fake_->live["h1:thing[a]"] = {{"value", "old"}, {"id", "id-a-7"}};
  fake_->live["h1:thing[b]"] = {{"value", "a is id-a-7"}, {"id", "id-b-8"}};
  // Without renews: an update keeps a's id, and b has nothing to do.
  Plan plan = PlanFor(desired);
  ASSERT_EQ(Summary(plan), (std::vector<std::string>{"~ h1:thing[a]"}));
  fake_->modify_plan["h1:thing[a]"].renews = {"id"};
  plan = PlanFor(desired);
  ASSERT_EQ(Summary(plan), (std::vector<std::string>{"~ h1:thing[a]", "~ h1:thing[b]"}));
  EXPECT_EQ(plan.changes[0].unknown, std::vector<std::string>{"id"});
  EXPECT_EQ(plan.changes[1].unknown, std::vector<std::string>{"value"});
}

TEST_F(PlannerTest, ReferencesIntoNestedComputedAttributesResolveFromTheLiveValue) {
  std::string ref = UnknownMarker("h1:thing[a]", "ports[\"http\"].handle");
  DesiredConfig desired =
      ConfigBuilder()
          .Thing("h1", "a", {{"ports", Value::parse(R"({"http": {"number": 80}})")}})
          .Thing("h1", "b", {{"value", "port " + ref}}, {"h1:thing[a]"})
          .Build();
  desired.resources[1].deferred = {"value"};
  fake_->live["h1:thing[a]"] = {{"ports", Value::parse(R"({"http": {"number": 80, "handle": "h-80"}})")},
                                {"id", "id-a"}};
  fake_->live["h1:thing[b]"] = {{"value", "port h-80"}, {"id", "id-b"}};
  Plan plan = PlanFor(desired);
  EXPECT_FALSE(plan.HasChanges()) << Summary(plan).size();
  EXPECT_EQ(plan.resolved.at("h1:thing[a]").dump(), R"({"ports[\"http\"].handle":"h-80"})");
  // A port the live resource lacks gets its handle when applied.
  desired.resources[1].attributes["value"] =
      "port " + UnknownMarker("h1:thing[a]", "ports[\"https\"].handle");
  plan = PlanFor(desired);
  ASSERT_EQ(Summary(plan), std::vector<std::string>{"~ h1:thing[b]"});
  EXPECT_EQ(plan.changes[0].unknown, std::vector<std::string>{"value"});
  // A replaced a gets new handles, even for the ports it keeps.
  desired.resources[1].attributes["value"] = "port " + ref;
  desired.resources[0].attributes["kind"] = "new";
  plan = PlanFor(desired);
  ASSERT_EQ(Summary(plan), (std::vector<std::string>{"-/+ h1:thing[a]", "~ h1:thing[b]"}));
  EXPECT_EQ(plan.changes[1].unknown, std::vector<std::string>{"value"});
}

TEST_F(PlannerTest, ProtectedIsNeverDeletedOrReplacedUnlessTheRunAllowsIt) {
  auto desired = ConfigBuilder()
                     .Thing("h1", "keep", {{"kind", "new"}})
                     .Thing("h1", "other", {{"value", "x"}})
                     .Build();
  desired.resources[0].is_protected = true;
  fake_->live["h1:thing[keep]"] = {{"kind", "old"}};
  Plan plan = PlanFor(desired);
  EXPECT_EQ(Summary(plan), std::vector<std::string>{"+ h1:thing[other]"});
  ASSERT_EQ(plan.diagnostics.size(), 1u);
  EXPECT_EQ(FormatDiagnostic(plan.diagnostics.items()[0]),
            "error: h1:thing[keep]: protected (lifecycle.protected) and must be replaced: kind "
            "cannot change in place\n  name it in --allow-destroy h1:thing[keep] to replace it, "
            "or keep kind as it is");
  PlanOptions allow;
  allow.allow_destroy = {"h1:thing[keep]"};
  plan = PlanFor(desired, {}, allow);
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"-/+ h1:thing[keep]", "+ h1:thing[other]"}));
  EXPECT_TRUE(plan.changes[0].is_protected);  // and stays protected
  EXPECT_FALSE(plan.diagnostics.HasErrors());
}

TEST_F(PlannerTest, ProtectedStaysInStateWhenTheBlueprintDropsIt) {
  auto desired = ConfigBuilder().Thing("h1", "keep", {{"value", "x"}}).Build();
  StateSnapshot prior = StateOf(desired);
  prior.resources.at("h1:thing[keep]").is_protected = true;
  fake_->live["h1:thing[keep]"] = {{"value", "x"}};
  DesiredConfig empty = ConfigBuilder().Build();
  for (bool destroy : {false, true}) {
    PlanOptions o;
    o.destroy = destroy;
    Plan plan = PlanFor(empty, prior, o);
    EXPECT_FALSE(plan.HasChanges());
    ASSERT_EQ(plan.diagnostics.size(), 1u);
    EXPECT_EQ(FormatDiagnostic(plan.diagnostics.items()[0]),
              "warning: h1:thing[keep]: protected (lifecycle.protected): it is not deleted and "
              "stays in state\n  name it in --allow-destroy h1:thing[keep] to delete it");
    o.allow_destroy = {"h1:thing[keep]"};
    EXPECT_EQ(Summary(PlanFor(empty, prior, o)), std::vector<std::string>{"- h1:thing[keep]"});
  }
  // The blueprint keeps it but asks it gone: refused, as a mistake.
  desired.resources[0].attributes["state"] = "absent";
  Plan absent = PlanFor(desired, prior);
  EXPECT_FALSE(absent.HasChanges());
  EXPECT_TRUE(absent.diagnostics.HasErrors());
}

TEST_F(PlannerTest, TurningProtectionOnIsRecordedEvenWithNothingElseToDo) {
  auto desired = ConfigBuilder().Thing("h1", "keep", {{"value", "x"}}).Build();
  StateSnapshot prior = StateOf(desired);
  fake_->live["h1:thing[keep]"] = {{"value", "x"}};
  desired.resources[0].is_protected = true;
  Plan plan = PlanFor(desired, prior);
  EXPECT_TRUE(plan.changes.empty());
  EXPECT_TRUE(plan.HasChanges());
  EXPECT_EQ(plan.protection, (std::map<std::string, bool>{{"h1:thing[keep]", true}}));
  prior.resources.at("h1:thing[keep]").is_protected = true;
  EXPECT_FALSE(PlanFor(desired, prior).HasChanges());
}

TEST_F(PlannerTest, TheProviderMayMakeAnUpdateAReplacementAndAttachNotes) {
  auto desired = ConfigBuilder()
                     .Thing("h1", "vm", {{"value", "4 vcpus"}})
                     .Thing("h1", "note", {{"value", "new"}})
                     .Build();
  fake_->live["h1:thing[vm]"] = {{"value", "2 vcpus"}, {"id", "id-vm-1"}};
  fake_->live["h1:thing[note]"] = {{"value", "old"}};
  fake_->modify_plan["h1:thing[vm]"] = {{"value"}, {"redefines the VM"}, false, {}};
  fake_->modify_plan["h1:thing[note]"] = {{}, {"takes effect at next boot"}, false, {}};
  Plan plan = PlanFor(desired);
  ASSERT_EQ(Summary(plan), (std::vector<std::string>{"-/+ h1:thing[vm]", "~ h1:thing[note]"}));
  EXPECT_EQ(plan.changes[0].replace_because, std::vector<std::string>{"value"});
  EXPECT_EQ(plan.changes[0].notes, std::vector<std::string>{"redefines the VM"});
  EXPECT_EQ(plan.changes[0].unknown, std::vector<std::string>{"id"});  // made anew
  EXPECT_EQ(plan.changes[1].notes, std::vector<std::string>{"takes effect at next boot"});
}

TEST_F(PlannerTest, ForceNewAttributeMeansReplace) {
  auto desired = ConfigBuilder().Thing("h1", "a", {{"kind", "new"}}).Build();
  fake_->live["h1:thing[a]"] = {{"kind", "old"}};
  Plan plan = PlanFor(desired);
  ASSERT_EQ(Summary(plan), (std::vector<std::string>{"-/+ h1:thing[a]"}));
  EXPECT_EQ(plan.changes[0].replace_because, (std::vector<std::string>{"kind"}));
}

TEST_F(PlannerTest, SensitiveValuesArePlannedSealedWithTheStatesSalt) {
  auto desired = ConfigBuilder().Thing("h1", "a", {{"secret", "hunter2"}}).Build();
  Plan plan = PlanFor(desired);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.salt.size(), 32u);  // a new one: there is no state yet
  EXPECT_EQ(plan.changes[0].after["secret"], Seal("hunter2", plan.salt));
  EXPECT_NE(plan.changes[0].after["secret"], Seal("hunter2", "another salt"));
  EXPECT_EQ(plan.changes[0].sensitive, (std::vector<std::string>{"secret"}));
  EXPECT_EQ(PlanToJson(plan, {}).dump().find("hunter2"), std::string::npos);
  EXPECT_EQ(PlanToJson(plan, {}).dump().find(Sha256Hex("hunter2")), std::string::npos);
}

TEST_F(PlannerTest, ValuesDerivedFromSecretsAreComparedSealed) {
  // `value` is not sensitive by schema, but this resource's derives from a
  // secret; the live side reports a plain value or digest of it.
  auto desired = ConfigBuilder().Thing("h1", "a", {{"value", "pw=hunter2"}}).Build();
  desired.resources[0].sensitive = {"value"};
  fake_->live["h1:thing[a]"] = {{"value", Sha256Digest("pw=hunter2")}};
  StateSnapshot prior = StateOf(desired);
  EXPECT_FALSE(PlanFor(desired, prior).HasChanges());

  fake_->live["h1:thing[a]"] = {{"value", "pw=old"}};
  Plan plan = PlanFor(desired, prior);
  ASSERT_EQ(Summary(plan), (std::vector<std::string>{"~ h1:thing[a]"}));
  EXPECT_EQ(plan.changes[0].before["value"], Seal("pw=old", "test-salt"));
  EXPECT_EQ(plan.changes[0].after["value"], Seal("pw=hunter2", "test-salt"));
  std::string saved = PlanToJson(plan, {}).dump();
  EXPECT_EQ(saved.find("hunter2"), std::string::npos) << saved;
  EXPECT_EQ(saved.find("pw=old"), std::string::npos) << saved;
}

TEST_F(PlannerTest, SettingsDerivedFromSecretsStayOutOfPlanFiles) {
  auto desired = ConfigBuilder().Thing("h1", "a", {{"value", "x"}}).Build();
  desired.targets["h1"].config["token"] = "s3cr3t-token";
  desired.targets["h1"].sensitive = {"token"};
  Plan plan = PlanFor(desired);
  ASSERT_TRUE(plan.HasChanges());
  std::string saved = PlanToJson(plan, {}).dump();
  EXPECT_EQ(saved.find("s3cr3t-token"), std::string::npos) << saved;
  EXPECT_NE(saved.find("\"address\":\"h1\""), std::string::npos) << saved;
  EXPECT_NE(plan.config_digest, DigestOf(desired, "another salt"));
}

TEST_F(PlannerTest, RemovedFromBlueprintIsDeletedDependentsFirst) {
  auto before = ConfigBuilder()
                    .Thing("h1", "dir", {{"value", "d"}})
                    .Thing("h1", "file", {{"value", "f"}}, {"h1:thing[dir]"})
                    .Build();
  fake_->live["h1:thing[dir]"] = {{"value", "d"}};
  fake_->live["h1:thing[file]"] = {{"value", "f"}};
  Plan plan = PlanFor(ConfigBuilder().Build(), StateOf(before));
  EXPECT_EQ(Summary(plan),
            (std::vector<std::string>{"- h1:thing[file]", "- h1:thing[dir]"}));
  // The host's connection settings come from the state.
  EXPECT_EQ(plan.targets.count("h1"), 1u);
}

TEST_F(PlannerTest, StateAbsentDeletesWhereItExists) {
  auto desired = ConfigBuilder()
                     .Thing("h1", "gone", {{"state", "absent"}})
                     .Thing("h1", "never-was", {{"state", "absent"}})
                     .Thing("h1", "kept", {{"value", "1"}, {"state", "present"}})
                     .Build();
  fake_->live["h1:thing[gone]"] = {{"value", "x"}};
  fake_->live["h1:thing[kept]"] = {{"value", "1"}};
  Plan plan = PlanFor(desired);
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"- h1:thing[gone]"}));
}

TEST_F(PlannerTest, ChangedNotifierTriggersWhatItNotifies) {
  auto desired = ConfigBuilder()
                     .Thing("h1", "conf", {{"value", "new"}, {"notify", {"h1:thing[svc]"}}})
                     .Thing("h1", "svc", {{"value", "up"}}, {"h1:thing[conf]"})
                     .Build();
  fake_->live["h1:thing[conf]"] = {{"value", "old"}};
  fake_->live["h1:thing[svc]"] = {{"value", "up"}};
  Plan plan = PlanFor(desired, StateOf(desired));
  ASSERT_EQ(Summary(plan), (std::vector<std::string>{"~ h1:thing[conf]", "~ h1:thing[svc]"}));
  EXPECT_EQ(plan.changes[1].triggered_by, (std::vector<std::string>{"h1:thing[conf]"}));
  EXPECT_EQ(plan.changes[1].before, plan.changes[1].after);  // nothing else changes
  // `notify` shapes the plan only: it is never compared or stored.
  EXPECT_FALSE(plan.changes[0].after.contains("notify"));
  // An unchanged notifier triggers nothing.
  fake_->live["h1:thing[conf]"] = {{"value", "new"}};
  EXPECT_FALSE(PlanFor(desired, StateOf(desired)).HasChanges());
}

TEST_F(PlannerTest, OneBatchedReadPerTarget) {
  auto desired = ConfigBuilder()
                     .Thing("h1", "a", {{"value", "1"}})
                     .Thing("h1", "b", {{"value", "2"}})
                     .Thing("h2", "c", {{"value", "3"}})
                     .Build();
  PlanFor(desired);
  auto sizes = fake_->ReadSizes();
  std::sort(sizes.begin(), sizes.end());
  EXPECT_EQ(sizes, (std::vector<size_t>{1, 2}));
}

TEST_F(PlannerTest, UnreachableTargetFailsOnlyItsOwnResources) {
  auto desired = ConfigBuilder()
                     .Thing("h1", "a", {{"value", "1"}})
                     .Thing("down", "b", {{"value", "2"}})
                     .Thing("down", "c", {{"value", "3"}})
                     .Build();
  fake_->unreachable.insert("down");
  Plan plan = PlanFor(desired);
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"+ h1:thing[a]"}));
  ASSERT_EQ(plan.diagnostics.size(), 2u);
  EXPECT_EQ(plan.diagnostics.items()[0].address, "down:thing[b]");
  EXPECT_EQ(plan.diagnostics.items()[0].summary, "host down is unreachable");
  EXPECT_EQ(plan.diagnostics.items()[1].address, "down:thing[c]");
}

TEST_F(PlannerTest, TargetSelectsResourceAndItsDependencies) {
  auto desired = ConfigBuilder()
                     .Thing("h1", "base", {{"value", "1"}})
                     .Thing("h1", "app", {{"value", "2"}}, {"h1:thing[base]"})
                     .Thing("h1", "other", {{"value", "3"}})
                     .Thing("h2", "x", {{"value", "4"}})
                     .Build();
  PlanOptions only;
  only.only = {"h1:thing[app]"};
  EXPECT_EQ(Summary(PlanFor(desired, {}, only)),
            (std::vector<std::string>{"+ h1:thing[base]", "+ h1:thing[app]"}));
  only.only = {"h2"};
  EXPECT_EQ(Summary(PlanFor(desired, {}, only)), (std::vector<std::string>{"+ h2:thing[x]"}));
}

TEST_F(PlannerTest, DestroyPlansEveryStateResource) {
  auto desired = ConfigBuilder().Thing("h1", "a", {{"value", "1"}}).Build();
  fake_->live["h1:thing[a]"] = {{"value", "1"}};
  PlanOptions destroy;
  destroy.destroy = true;
  EXPECT_EQ(Summary(PlanFor(desired, StateOf(desired), destroy)),
            (std::vector<std::string>{"- h1:thing[a]"}));
}

TEST_F(PlannerTest, PlanRecordsStateVersionAndConfigDigest) {
  auto desired = ConfigBuilder().Thing("h1", "a", {{"value", "1"}}).Build();
  Plan plan = PlanFor(desired, StateOf(desired));
  EXPECT_EQ(plan.state_lineage, "test-lineage");
  EXPECT_EQ(plan.state_serial, 1u);
  EXPECT_EQ(plan.salt, "test-salt");
  EXPECT_EQ(plan.config_digest, DigestOf(desired, plan.salt));
  auto edited = ConfigBuilder().Thing("h1", "a", {{"value", "2"}}).Build();
  EXPECT_NE(DigestOf(edited, plan.salt), DigestOf(desired, plan.salt));
}

TEST_F(PlannerTest, PlanFileRoundTrips) {
  auto desired = ConfigBuilder().Thing("h1", "a", {{"value", "1"}, {"kind", "k"}}).Build();
  fake_->live["h1:thing[a]"] = {{"value", "0"}, {"kind", "j"}};
  Plan plan = PlanFor(desired, StateOf(desired));
  Plan back;
  Value inputs;
  Diagnostics diags;
  ASSERT_TRUE(PlanFromJson(PlanToJson(plan, {{"files", {"x.yaml"}}}), "p", &back, &inputs, &diags));
  EXPECT_EQ(PlanToJson(back, inputs), PlanToJson(plan, inputs));
  EXPECT_EQ(inputs["files"][0], "x.yaml");
}

}  // namespace
}  // namespace mfgctl
