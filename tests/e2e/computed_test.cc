// Computed attributes on real hosts: what the host chooses (a package's
// installed version) is recorded in state and flows into the resources
// that reference it — during the same apply when the package is new, from
// the live host when it is there, and exactly so through a saved plan.
#include "tests/e2e/e2e_support.h"

namespace mfgctl::e2e {
namespace {

TEST(ComputedTest, InstalledVersionFlowsIntoAFileInTheSameApply) {
  Plant plant("computed-version");
  ASSERT_EQ(OnHost(3, "dpkg -r mfg-demo >/dev/null 2>&1; rm -f /tmp/mfg-demo-version; true")
                .exit_code,
            0);
  auto write = [&](const std::string& content) {
    plant.Write(Gateway(3, "    packages: [mfg-demo]\n"
                           "    files:\n"
                           "      /tmp/mfg-demo-version: { content: \"" + content + "\" }\n"));
  };
  write("mfg-demo ${package[mfg-demo].version}\\n");
  Result plan = plant.Mfgctl({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("  + host.package \"gw:package[mfg-demo]\" {\n"
                          "      + name    = \"mfg-demo\"\n"
                          "      + version = (known after apply)\n"
                          "    }\n"),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("      + content = (known after apply)\n"), std::string::npos)
      << plan.out;

  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(OnHost(3, "cat /tmp/mfg-demo-version").out, "mfg-demo 2.0-1\n");
  Value state = plant.ReadState();
  const Value* package = StateEntry(state, "gw:package[mfg-demo]");
  ASSERT_NE(package, nullptr) << state.dump(2);
  EXPECT_EQ((*package)["attributes"]["version"], "2.0-1") << state.dump(2);
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);

  // The package stays: the plan reads its version from the host, shows the
  // content it makes, and a saved plan applies exactly that.
  write("installed: ${package[mfg-demo].version}\\n");
  Result saved = plant.Mfgctl({"plan", "--out", "change.plan"});
  ASSERT_EQ(saved.exit_code, 0) << saved.out << saved.err;
  EXPECT_NE(saved.out.find("~ content = (sha256:") != std::string::npos
                ? saved.out.find(") -> \"installed: 2.0-1\\n\"\n")
                : std::string::npos,
            std::string::npos)
      << saved.out;
  Result applied = plant.Mfgctl({"apply", "change.plan"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_EQ(OnHost(3, "cat /tmp/mfg-demo-version").out, "installed: 2.0-1\n");
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
  ASSERT_EQ(OnHost(3, "dpkg -r mfg-demo >/dev/null 2>&1; true").exit_code, 0);
}

}  // namespace
}  // namespace mfgctl::e2e
