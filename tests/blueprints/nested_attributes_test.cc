// Nested attributes (objects, lists and maps of objects) as blueprints
// write them: values kept as typed, errors at the nested key or value with
// the whole path.
#include "tests/blueprints/blueprint_fixture.h"
#include "tests/support/fake_provider.h"

namespace mfgctl {
namespace {

class NestedAttributesTest : public BlueprintTest {
 protected:
  NestedAttributesTest() {
    ResourceTypeSchema thing = FakeProvider().Schemas()[0];
    schemas_.resource_types[thing.type] = thing;
  }

  bool LoadThing(const std::string& attributes) {
    return Load(std::string(kHead) +
                "gateways:\n"
                "  gw1: { address: 10.0.0.1 }\n"
                "resources:\n"
                "  - type: fake.thing\n"
                "    on: gw1\n"
                "    name: a\n" +
                attributes);
  }
};

TEST_F(NestedAttributesTest, ObjectsListsAndMapsOfObjectsKeepTheirTypes) {
  ASSERT_TRUE(
      LoadThing("    lifecycle:\n"
                "      enabled: yes\n"
                "      rule: [ { days: 30, prefix: raw/ }, { days: \"${var.keep}\" } ]\n"
                "    ports: { http: { number: 80, protocol: tcp } }\n"
                "variables:\n"
                "  keep: { default: 7 }\n"))
      << Error();
  EXPECT_EQ(Find("gw1:thing[a]")->attributes.dump(),
            R"({"lifecycle":{"enabled":true,"rule":[{"days":30,"prefix":"raw/"},{"days":7}]},)"
            R"("ports":{"http":{"number":80,"protocol":"tcp"}}})");
}

TEST_F(NestedAttributesTest, WrongTypeNamesThePathAndWhereItIsWritten) {
  EXPECT_FALSE(LoadThing("    lifecycle: { rule: [ { days: soon } ] }\n"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:11:34: error: attribute \"lifecycle.rule[0].days\" must be "
            "a number, got the string \"soon\"");
  EXPECT_FALSE(LoadThing("    lifecycle: [ 1 ]\n"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:11:16: error: attribute \"lifecycle\" must be an object, got a list");
  EXPECT_FALSE(LoadThing("    lifecycle: { rule: { days: 1 } }\n"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:11:24: error: attribute \"lifecycle.rule\" must be a list "
            "of objects, got a map");
  EXPECT_FALSE(LoadThing("    ports: { http: 80 }\n"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:11:20: error: attribute \"ports[\"http\"]\" must be an "
            "object, got a scalar");
}

TEST_F(NestedAttributesTest, UnknownAndMissingNestedKeys) {
  EXPECT_FALSE(LoadThing("    lifecycle: { rule: [ { dayz: 1 } ] }\n"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:11:28: error: unknown key \"dayz\" in "
            "\"lifecycle.rule[0]\"; did you mean \"days\"?");
  EXPECT_FALSE(LoadThing("    lifecycle: { rule: [ { prefix: raw/ } ] }\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:11:26: error: \"lifecycle.rule[0]\" needs \"days:\"");
}

}  // namespace
}  // namespace mfgctl
