#include "engine/plan/differ.h"

#include <gtest/gtest.h>

#include "engine/model/sensitive.h"
#include "tests/support/fake_provider.h"

namespace mfgctl {
namespace {

// The fake's `fake.thing`: `lifecycle` is an object holding a list of rule
// objects, `ports` a map of objects.
class DifferTest : public ::testing::Test {
 protected:
  DifferTest() : schema_(FakeProvider().Schemas()[0]) {}

  std::vector<std::string> Paths(const std::string& attr, const Value& before,
                                 const Value& after) const {
    std::vector<std::string> out;
    for (const auto& p : ChangedPaths(*schema_.Find(attr), before, after)) {
      out.push_back(p.path + ": " + p.before.dump() + " -> " + p.after.dump());
    }
    return out;
  }

  ResourceTypeSchema schema_;
};

// Maps are maps: a provider's answer need not list keys in the
// blueprint's order (podman's environment varies from one inspect to the
// next), and a sealed map is sealed alike.
TEST_F(DifferTest, MapsCompareAndSealWhateverTheOrderOfTheirKeys) {
  Value written = {{"LINE", "L1"}, {"TOKEN", "t"}};
  Value read = {{"TOKEN", "t"}, {"LINE", "L1"}};
  ASSERT_NE(written.dump(), read.dump());  // a Value keeps its order
  std::vector<std::string> replace;
  EXPECT_EQ(DiffResource(schema_, {{"tags", written}}, {{"tags", read}}, &replace), Action::kNoOp);
  EXPECT_EQ(DiffResource(schema_, {{"tags", written}}, {{"tags", {{"LINE", "L2"}, {"TOKEN", "t"}}}},
                         &replace),
            Action::kUpdate);
  EXPECT_EQ(Seal(written, "salt"), Seal(read, "salt"));
  EXPECT_EQ(CanonicalAttribute(*schema_.Find("secret"), written),
            CanonicalAttribute(*schema_.Find("secret"), read));
  EXPECT_EQ(Paths("ports", {{"http", {{"number", 80}}}, {"mqtt", {{"number", 1883}}}},
                  {{"mqtt", {{"number", 1883}}}, {"http", {{"number", 80}}}}),
            std::vector<std::string>{});
}

TEST_F(DifferTest, NestedChangesArePathByPath) {
  Value before = {{"enabled", true}, {"rule", {{{"days", 30}, {"prefix", "raw/"}}, {{"days", 7}}}}};
  Value after = {{"enabled", true}, {"rule", {{{"days", 90}, {"prefix", "raw/"}}, {{"days", 7}}}}};
  EXPECT_EQ(Paths("lifecycle", before, after), std::vector<std::string>{"rule[0].days: 30 -> 90"});
  EXPECT_EQ(Paths("lifecycle", before, before), std::vector<std::string>{});
}

TEST_F(DifferTest, KeysTheBlueprintLeavesOutAreNotManagedInsideObjectsEither) {
  // The live object has server defaults the blueprint never set.
  Value live = {{"enabled", true}, {"rule", {{{"days", 30}, {"prefix", "raw/"}}}}};
  Value want = {{"rule", {{{"days", 30}}}}};
  EXPECT_EQ(Paths("lifecycle", live, want), std::vector<std::string>{});
  std::vector<std::string> replace;
  EXPECT_EQ(DiffResource(schema_, {{"lifecycle", want}}, {{"lifecycle", live}}, &replace),
            Action::kNoOp);
}

TEST_F(DifferTest, ListElementsAddedOrRemovedShowEveryLeaf) {
  Value before = {{"rule", {{{"days", 30}}, {{"days", 7}, {"prefix", "tmp/"}}}}};
  Value after = {{"rule", {{{"days", 30}}}}};
  EXPECT_EQ(
      Paths("lifecycle", before, after),
      (std::vector<std::string>{"rule[1].days: 7 -> null", "rule[1].prefix: \"tmp/\" -> null"}));
  EXPECT_EQ(
      Paths("lifecycle", after, before),
      (std::vector<std::string>{"rule[1].days: null -> 7", "rule[1].prefix: null -> \"tmp/\""}));
}

TEST_F(DifferTest, MapsOfObjectsGoKeyByKey) {
  Value before = {{"http", {{"number", 80}}}, {"old", {{"number", 1}}}};
  Value after = {{"http", {{"number", 8080}}}, {"mqtt", {{"number", 1883}}}};
  EXPECT_EQ(
      Paths("ports", before, after),
      (std::vector<std::string>{"[\"http\"].number: 80 -> 8080", "[\"mqtt\"].number: null -> 1883",
                                "[\"old\"].number: 1 -> null"}));
}

TEST_F(DifferTest, CreationListsEveryLeaf) {
  Value after = {{"enabled", false}, {"rule", {{{"days", 1}}}}};
  EXPECT_EQ(Paths("lifecycle", Value(), after),
            (std::vector<std::string>{"enabled: null -> false", "rule[0].days: null -> 1"}));
}

TEST_F(DifferTest, ForceNewLeafReplacesAndNamesItsPath) {
  Value live = {{"lifecycle", {{"rule", {{{"days", 1}, {"storage", "hot"}}}}}}};
  Value want = {{"lifecycle", {{"rule", {{{"days", 2}, {"storage", "cold"}}}}}}};
  std::vector<std::string> replace;
  EXPECT_EQ(DiffResource(schema_, want, live, &replace), Action::kReplace);
  EXPECT_EQ(replace, std::vector<std::string>{"lifecycle.rule[0].storage"});
  want["lifecycle"]["rule"][0]["storage"] = "hot";
  EXPECT_EQ(DiffResource(schema_, want, live, &replace), Action::kUpdate);
  EXPECT_TRUE(replace.empty());
}

}  // namespace
}  // namespace mfgctl
