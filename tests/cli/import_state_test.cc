// What `mfgctl import` reads and records, without a host.
#include <gtest/gtest.h>

#include "cli/import_state.h"
#include "engine/model/sensitive.h"

namespace mfgctl {
namespace {

Resource HostFile() {
  Resource r;
  r.address = {"gw1", "file", "/etc/motd"};
  r.type = "host.file";
  r.attributes = {{"content", "hi\n"}, {"mode", "0644"}};
  r.depends_on = {"gw1:directory[/etc]"};
  return r;
}

ResourceTypeSchema FileSchema() {
  ResourceTypeSchema s;
  s.type = "host.file";
  s.attributes = {{.name = "content", .digest = true}, {.name = "mode"},
                  {.name = "token", .sensitive = true}};
  return s;
}

TEST(ImportStateTest, AHostObjectIsReadByItsNameAsThePlanReadsIt) {
  ReadItem item;
  Diagnostics d;
  ASSERT_TRUE(ImportReadItem(HostFile(), FileSchema(), "/etc/motd", &item, &d));
  EXPECT_EQ(item.address.ToString(), "gw1:file[/etc/motd]");
  EXPECT_EQ(item.type, "host.file");
  EXPECT_EQ(item.desired, HostFile().attributes);
  EXPECT_TRUE(item.prior.is_null());
}

TEST(ImportStateTest, AHostObjectsIdMustBeItsName) {
  ReadItem item;
  Diagnostics d;
  EXPECT_FALSE(ImportReadItem(HostFile(), FileSchema(), "/etc/issue", &item, &d));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d.items()[0].summary,
            "host.file objects are identified by their name: the ID of gw1:file[/etc/motd] is "
            "\"/etc/motd\", not \"/etc/issue\"");
  EXPECT_EQ(d.items()[0].detail, "mfgctl import gw1:file[/etc/motd] /etc/motd");
}

TEST(ImportStateTest, AServerMadeIdReachesTheProviderAsIfTheStateRecordedIt) {
  Resource r = HostFile();
  ResourceTypeSchema schema = FileSchema();
  schema.attributes.push_back({.name = "id", .computed = true});
  ReadItem item;
  Diagnostics d;
  ASSERT_TRUE(ImportReadItem(r, schema, "srv-42", &item, &d));
  EXPECT_EQ(item.prior, (Value{{"id", "srv-42"}}));
  EXPECT_EQ(item.desired, r.attributes);
}

TEST(ImportStateTest, RecordsLiveAttributesSealedWithTheStatesSaltAndTheTarget) {
  StateSnapshot s;
  s.lineage = "L";
  s.serial = 4;
  s.salt = "salt-1";
  Resource r = HostFile();
  r.sensitive = {"content"};
  Target t{"gw1", "ssh", {{"address", "10.0.0.1"}, {"bastion", "secret@jump"}}, {}, {"bastion"}};
  Value live = {{"content", "sha256:abc"}, {"mode", "0600"}, {"token", "t0k"}};
  RecordImport(r, FileSchema(), t, live, "p", &s);
  ASSERT_EQ(s.resources.size(), 1u);
  const ResourceState& rs = s.resources.at("gw1:file[/etc/motd]");
  EXPECT_EQ(rs.type, "host.file");
  EXPECT_EQ(rs.attributes["mode"], "0600");
  EXPECT_EQ(rs.attributes["content"], Seal("sha256:abc", "salt-1"));
  EXPECT_EQ(rs.attributes["token"], Seal("t0k", "salt-1"));
  EXPECT_EQ(rs.sensitive, (std::vector<std::string>{"token", "content"}));
  EXPECT_EQ(rs.dependencies, (std::vector<std::string>{"gw1:directory[/etc]"}));
  EXPECT_EQ(s.lineage, "L");
  EXPECT_EQ(s.serial, 4u);  // the caller counts the write
  ASSERT_TRUE(s.targets.count("gw1"));
  EXPECT_EQ(StorableConfig(s.targets["gw1"]), (Value{{"address", "10.0.0.1"}}));
}

TEST(ImportStateTest, AFirstImportStartsTheState) {
  StateSnapshot s;
  RecordImport(HostFile(), FileSchema(), Target{"gw1", "ssh", {}, {}, {}},
               {{"mode", "0644"}}, "line-demo", &s);
  EXPECT_EQ(s.lineage.size(), 36u);
  EXPECT_EQ(s.plant, "line-demo");
  EXPECT_EQ(s.salt.size(), 32u);
}

}  // namespace
}  // namespace mfgctl
