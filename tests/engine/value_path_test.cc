// Paths into nested attributes, as references write them after an address:
// parsing with errors that say what was expected, following them through
// objects, lists and maps, and finding what the schema declares there.
#include "engine/model/value_path.h"

#include <gtest/gtest.h>

namespace mfgctl {
namespace {

ValuePath Parse(std::string_view text) {
  ValuePath path;
  std::string error;
  EXPECT_TRUE(ParseValuePath(text, &path, &error)) << text << ": " << error;
  return path;
}

std::string ParseError(std::string_view text) {
  ValuePath path;
  std::string error;
  EXPECT_FALSE(ParseValuePath(text, &path, &error)) << text;
  return error;
}

TEST(ValuePathTest, ParsesKeysIndexesAndQuotedKeys) {
  ValuePath p = Parse("interfaces[1].mac");
  EXPECT_EQ(p.attribute, "interfaces");
  ASSERT_EQ(p.steps.size(), 2u);
  EXPECT_TRUE(p.steps[0].is_index);
  EXPECT_EQ(p.steps[0].index, 1u);
  EXPECT_FALSE(p.steps[1].is_index);
  EXPECT_EQ(p.steps[1].key, "mac");

  p = Parse("meta_data[\"local.hostname\"]");
  ASSERT_EQ(p.steps.size(), 1u);
  EXPECT_EQ(p.steps[0].key, "local.hostname");
  EXPECT_EQ(Parse("uuid").steps.size(), 0u);
  EXPECT_EQ(Parse("interfaces[1].mac").Parent().steps.size(), 1u);
}

TEST(ValuePathTest, MalformedPathsSayWhatWasExpected) {
  EXPECT_EQ(ParseError(""), "in attribute path \"\" at character 1: expected an attribute name");
  EXPECT_EQ(ParseError("interfaces[x].mac"),
            "in attribute path \"interfaces[x].mac\" at character 12: expected a list index [N] "
            "or a map key [\"KEY\"]");
  EXPECT_EQ(ParseError("interfaces[1"),
            "in attribute path \"interfaces[1\" at character 13: expected a list index [N] "
            "or a map key [\"KEY\"]");
  EXPECT_EQ(ParseError("dhcp."),
            "in attribute path \"dhcp.\" at character 6: expected a name after \".\"");
  EXPECT_EQ(ParseError("m[\"k"),
            "in attribute path \"m[\"k\" at character 2: expected a closing \"] after the key");
  EXPECT_EQ(ParseError("a]b"), "in attribute path \"a]b\" at character 2: expected \".\" or \"[\"");
  // An index too long to be a list's is refused, not wrapped.
  EXPECT_NE(ParseError("a[99999999999]").find("list index"), std::string::npos);
}

TEST(ValuePathTest, FollowsObjectsListsAndMaps) {
  Value attrs = Value::parse(R"({"interfaces": [{"network": "lab"}, {"mac": "52:54:00:aa:bb:cc"}],
                                 "dhcp": {"start": "10.0.0.2"}, "tags": {"a.b": "c"}})");
  EXPECT_EQ(*Follow(attrs, Parse("interfaces[1].mac")), "52:54:00:aa:bb:cc");
  EXPECT_EQ(*Follow(attrs, Parse("dhcp.start")), "10.0.0.2");
  EXPECT_EQ(*Follow(attrs, Parse("tags[\"a.b\"]")), "c");
  EXPECT_EQ(Follow(attrs, Parse("interfaces[0].mac")), nullptr);
  EXPECT_EQ(Follow(attrs, Parse("interfaces[2]")), nullptr);
  EXPECT_EQ(Follow(attrs, Parse("interfaces.mac")), nullptr);  // a list has no keys
  EXPECT_EQ(Follow(attrs, Parse("dhcp[0]")), nullptr);         // an object no indexes
  EXPECT_EQ(Follow(attrs, Parse("missing")), nullptr);
}

TEST(ValuePathTest, SchemaAtFindsTheNestedAttribute) {
  AttributeSchema mac{.name = "mac", .computed = true};
  AttributeSchema network{.name = "network"};
  AttributeSchema interfaces{.name = "interfaces", .type = AttrType::kObjectList};
  interfaces.attributes = {network, mac};
  AttributeSchema dns{.name = "dns", .type = AttrType::kStringList};
  AttributeSchema tags{.name = "tags", .type = AttrType::kStringMap};
  ResourceTypeSchema vm;
  vm.type = "libvirt.vm";
  vm.attributes = {interfaces, dns, tags};

  const AttributeSchema* at = SchemaAt(vm, Parse("interfaces[3].mac"));
  ASSERT_NE(at, nullptr);
  EXPECT_EQ(at->name, "mac");
  EXPECT_TRUE(at->computed);
  EXPECT_EQ(SchemaAt(vm, Parse("interfaces"))->name, "interfaces");
  EXPECT_EQ(SchemaAt(vm, Parse("dns[0]"))->name, "dns");
  EXPECT_EQ(SchemaAt(vm, Parse("tags.site"))->name, "tags");
  EXPECT_EQ(SchemaAt(vm, Parse("interfaces.mac")), nullptr);  // needs an index first
  EXPECT_EQ(SchemaAt(vm, Parse("interfaces[0].mca")), nullptr);
  EXPECT_EQ(SchemaAt(vm, Parse("dns[0].x")), nullptr);
  EXPECT_EQ(SchemaAt(vm, Parse("nope")), nullptr);
}

}  // namespace
}  // namespace mfgctl
