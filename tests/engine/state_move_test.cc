// `mfgctl state mv`: renaming a resource in a state snapshot.
#include <gtest/gtest.h>

#include "engine/state/move.h"

namespace mfgctl {
namespace {

void Put(StateSnapshot* s, const std::string& addr, const std::string& type,
         std::vector<std::string> deps = {}) {
  ResourceState r;
  r.address = *ResourceAddress::Parse(addr);
  r.type = type;
  r.attributes = {{"mode", "0640"}};
  r.dependencies = std::move(deps);
  s->resources[addr] = r;
}

StateSnapshot Sample() {
  StateSnapshot s;
  s.lineage = "L";
  s.serial = 3;
  s.targets["gw1"] = Target{"gw1", "ssh", {{"address", "10.0.0.1"}}, {}, {}};
  s.targets["gw2"] = Target{"gw2", "ssh", {{"address", "10.0.0.2"}}, {}, {}};
  Put(&s, "gw1:directory[/srv/app]", "host.directory");
  Put(&s, "gw1:file[/srv/app/a.conf]", "host.file", {"gw1:directory[/srv/app]"});
  Put(&s, "gw1:service[app]", "host.service", {"gw1:file[/srv/app/a.conf]"});
  Put(&s, "gw2:package[sl]", "host.package");
  return s;
}

TEST(StateMoveTest, RenamesTheResourceAndTheDependenciesOnIt) {
  StateSnapshot s = Sample();
  StateMove move;
  Diagnostics d;
  ASSERT_TRUE(MoveInState(&s, "gw1:file[/srv/app/a.conf]", "gw1:file[/srv/app/app.conf]", &move,
                          &d));
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(move.from, "gw1:file[/srv/app/a.conf]");
  EXPECT_EQ(move.to, "gw1:file[/srv/app/app.conf]");
  EXPECT_EQ(move.rewired, (std::vector<std::string>{"gw1:service[app]"}));
  EXPECT_FALSE(s.resources.count("gw1:file[/srv/app/a.conf]"));
  const ResourceState& moved = s.resources.at("gw1:file[/srv/app/app.conf]");
  EXPECT_EQ(moved.address.name, "/srv/app/app.conf");
  EXPECT_EQ(moved.type, "host.file");
  EXPECT_EQ(moved.attributes, (Value{{"mode", "0640"}}));
  EXPECT_EQ(moved.dependencies, (std::vector<std::string>{"gw1:directory[/srv/app]"}));
  EXPECT_EQ(s.resources.at("gw1:service[app]").dependencies,
            (std::vector<std::string>{"gw1:file[/srv/app/app.conf]"}));
  EXPECT_EQ(s.serial, 3u);  // the caller counts the write
}

TEST(StateMoveTest, ToAnotherTargetTheStateKnowsDroppingTheEmptiedOne) {
  StateSnapshot s = Sample();
  StateMove move;
  Diagnostics d;
  ASSERT_TRUE(MoveInState(&s, "gw2:package[sl]", "gw1:package[sl]", &move, &d));
  EXPECT_EQ(s.resources.at("gw1:package[sl]").address.target, "gw1");
  EXPECT_FALSE(s.targets.count("gw2"));  // no resource left on it
  EXPECT_TRUE(s.targets.count("gw1"));
}

struct Refusal {
  std::string from, to, summary;
};

class StateMoveRefusalTest : public ::testing::TestWithParam<Refusal> {};

TEST_P(StateMoveRefusalTest, LeavesTheStateAsItWas) {
  StateSnapshot s = Sample();
  StateSnapshot before = s;
  StateMove move;
  Diagnostics d;
  EXPECT_FALSE(MoveInState(&s, GetParam().from, GetParam().to, &move, &d));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d.items()[0].summary, GetParam().summary);
  EXPECT_EQ(StateToJson(s), StateToJson(before));
}

INSTANTIATE_TEST_SUITE_P(
    Refusals, StateMoveRefusalTest,
    ::testing::Values(
        Refusal{"gw1:file[/srv/app/a.conf]", "gw1:file/x",
                "\"gw1:file/x\" is not a resource address"},
        Refusal{"gw1:file[/srv/app/a.cnf]", "gw1:file[/x]",
                "no resource gw1:file[/srv/app/a.cnf] in the state; did you mean "
                "\"gw1:file[/srv/app/a.conf]\"?"},
        Refusal{"gw1:file[/srv/app/a.conf]", "gw1:directory[/srv/app]",
                "cannot move gw1:file[/srv/app/a.conf] to gw1:directory[/srv/app]: "
                "gw1:directory[/srv/app] is already in the state"},
        Refusal{"gw1:file[/srv/app/a.conf]", "gw1:directory[/srv/other]",
                "cannot move gw1:file[/srv/app/a.conf] to gw1:directory[/srv/other]: a host.file "
                "keeps its kind (file, not directory)"},
        Refusal{"gw1:file[/srv/app/a.conf]", "gw3:file[/srv/app/a.conf]",
                "cannot move gw1:file[/srv/app/a.conf] to gw3:file[/srv/app/a.conf]: the state "
                "has no target \"gw3\"; did you mean \"gw1\"?"}));

}  // namespace
}  // namespace mfgctl
