// Dependency building stays linear in resources and references: the shapes
// that were quadratic (long `after:` lists, deep paths, many packages times
// many apt sources on one host, large gateway groups) give the same
// dependencies, or the documented linear form of them. Sizes are those that
// took seconds before; timings are bench/validate.sh's (tests assert none).
#include "blueprints/directory_tree.h"
#include "tests/blueprints/blueprint_fixture.h"

namespace mfgctl {
namespace {

TEST(DirectoryTreeTest, NearestDeclaredDirectoryAbove) {
  DirectoryTree t;
  std::string root = "/", srv = "/srv", app = "/srv/app", slash = "/srv/app/", rel = "rel";
  t.Add(root, 0);
  t.Add(srv, 1);
  t.Add(app, 2);
  t.Add(slash, 3);
  t.Add(rel, 4);
  EXPECT_EQ(t.NearestAbove("/srv/app/a.conf"), 2u);
  EXPECT_EQ(t.NearestAbove("/srv/app//a.conf"), 3u);  // `/srv/app/` is above it
  EXPECT_EQ(t.NearestAbove("/srv/app/"), 2u);
  EXPECT_EQ(t.NearestAbove("/srv/other/deep/x"), 1u);
  EXPECT_EQ(t.NearestAbove("/srv/app"), 1u);  // never itself
  EXPECT_EQ(t.NearestAbove("/etc/x"), 0u);
  EXPECT_EQ(t.NearestAbove("/srv"), 0u);
  EXPECT_EQ(t.NearestAbove("/"), SIZE_MAX);
  EXPECT_EQ(t.NearestAbove("rel/x"), 4u);
  EXPECT_EQ(t.NearestAbove("x"), SIZE_MAX);
  DirectoryTree none;
  EXPECT_EQ(none.NearestAbove("/srv/app/a.conf"), SIZE_MAX);
}

class DependencyScaleTest : public BlueprintTest {
 protected:
  static std::string Host() {
    return std::string(kHead) + "gateways:\n  gw1:\n    address: 10.0.0.1\n";
  }
};

TEST_F(DependencyScaleTest, ALongAfterListIsLinear) {
  constexpr int kCommands = 50000;  // once about 1.2 * 10^9 comparisons
  std::string yaml = Host() + "    commands:\n";
  std::string all;
  for (int i = 0; i < kCommands; ++i) {
    yaml += "      c" + std::to_string(i) + ": { run: \"true\" }\n";
    all += (all.empty() ? "" : ", ") + std::string("\"command[c") + std::to_string(i) + "]\"";
  }
  yaml += "      last: { run: \"true\", after: [" + all + ", \"command[c0]\"] }\n";
  ASSERT_TRUE(Load(yaml)) << Error();
  const Resource* last = Find("gw1:command[last]");
  ASSERT_EQ(last->depends_on.size(), size_t{kCommands});  // c0 once
  EXPECT_EQ(last->depends_on.front(), "gw1:command[c0]");
  EXPECT_EQ(last->depends_on.back(), "gw1:command[c49999]");
}

TEST_F(DependencyScaleTest, PackagesFollowTheLastOfAChainOfAptSources) {
  constexpr int kEach = 3000;  // once 9 * 10^6 dependencies
  std::string yaml = Host() + "    apt_repositories:\n";
  for (int i = 0; i < kEach; ++i) {
    yaml += "      r" + std::to_string(i) + ": { uri: \"http://m/r\", suite: stable }\n";
  }
  yaml += "    packages:\n";
  for (int i = 0; i < kEach; ++i) yaml += "      - p" + std::to_string(i) + "\n";
  ASSERT_TRUE(Load(yaml)) << Error();
  EXPECT_EQ(Find("gw1:apt_repository[r0]")->depends_on, std::vector<std::string>{});
  EXPECT_EQ(Find("gw1:apt_repository[r1]")->depends_on,
            std::vector<std::string>{"gw1:apt_repository[r0]"});
  EXPECT_EQ(Find("gw1:package[p7]")->depends_on,
            std::vector<std::string>{"gw1:apt_repository[r2999]"});
  size_t edges = 0;
  for (const auto& r : config_.resources) edges += r.depends_on.size();
  EXPECT_EQ(edges, size_t{2 * kEach - 1});
}

TEST_F(DependencyScaleTest, DeepPathsFindTheirParentInLinearTime) {
  // Files 2000 components (4 KB) below the one declared directory: once
  // 2000 lookups of up to 4 KB each per file. (The raw form: a YAML key
  // is at most 1024 characters.)
  std::string deep = "/srv";
  for (int i = 0; i < 2000; ++i) deep += "/d";
  std::string yaml = Host() + "    directories:\n      /srv: {}\nresources:\n";
  for (int i = 0; i < 1000; ++i) {
    yaml += "  - { type: host.file, on: gw1, name: " + deep + "/f" + std::to_string(i) +
            ", content: \"\" }\n";
  }
  ASSERT_TRUE(Load(yaml)) << Error();
  EXPECT_EQ(Find("gw1:file[" + deep + "/f7]")->depends_on,
            std::vector<std::string>{"gw1:directory[/srv]"});
}

TEST_F(DependencyScaleTest, ALargeGatewayGroup) {
  constexpr int kHosts = 20000;  // once 2 * 10^8 comparisons
  std::string yaml = std::string(kHead) + "gateways:\n";
  std::string members;
  for (int i = 0; i < kHosts; ++i) {
    yaml += "  h" + std::to_string(i) + ": { address: 10.0.0.1 }\n";
    members += (members.empty() ? "" : ", ") + std::string("h") + std::to_string(i);
  }
  yaml += "gateway_groups:\n  all: { members: [" + members + "], packages: [sl] }\n";
  ASSERT_TRUE(Load(yaml)) << Error();
  EXPECT_NE(Find("h19999:package[sl]"), nullptr);
}

}  // namespace
}  // namespace mfgctl
