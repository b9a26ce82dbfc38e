// `mfgctl import` on a real host (test host 4, paths under /tmp/import-*):
// an object made by hand is adopted, and the next plan shows only where it
// differs from the blueprint.
#include "tests/e2e/e2e_support.h"

namespace mfgctl::e2e {
namespace {

constexpr int kHost = 4;

TEST(ImportTest, AnInstalledPackageIsAdoptedAndThenManaged) {
  Plant plant("import-package");
  ASSERT_EQ(OnHost(kHost, "apt-get install -y -qq sl >/dev/null 2>&1 || "
                          "{ apt-get update -qq && apt-get install -y -qq sl; } >/dev/null 2>&1")
                .exit_code,
            0);
  std::string version = OnHost(kHost, "dpkg-query -W -f='${Version}' sl").out;
  ASSERT_FALSE(version.empty());
  plant.Write(Gateway(kHost, "    packages: [sl]\n"));

  Result import = plant.Mfgctl({"import", "gw:package[sl]", "sl"});
  ASSERT_EQ(import.exit_code, 0) << import.out << import.err;
  EXPECT_NE(import.out.find("gw:package[sl]: Importing from ID \"sl\"...\n"
                            "gw:package[sl]: Import prepared!\n"
                            "  Prepared host.package for import\n"
                            "\nImport successful!\n"),
            std::string::npos)
      << import.out;
  Value state = plant.ReadState();
  const Value* entry = StateEntry(state, "gw:package[sl]");
  ASSERT_NE(entry, nullptr) << state.dump(2);
  EXPECT_EQ((*entry)["type"], "host.package");
  EXPECT_EQ((*entry)["attributes"]["version"], version);  // computed, recorded
  EXPECT_EQ(state["targets"]["gw"]["config"]["address"], HostAddress(kHost));
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);

  Result again = plant.Mfgctl({"import", "gw:package[sl]", "sl"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("error: gw:package[sl] is already in the state\n"), std::string::npos)
      << again.err;

  // Managed now: out of the blueprint, it is removed from the host.
  plant.Write(Gateway(kHost, "    files:\n      /tmp/import-keep: { content: \"x\" }\n"));
  Result plan = plant.Mfgctl({"plan"});
  EXPECT_NE(plan.out.find("  - host.package \"gw:package[sl]\""), std::string::npos) << plan.out;
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_NE(OnHost(kHost, "dpkg-query -W -f='${Status}' sl 2>/dev/null").out,
            "install ok installed");
  ASSERT_EQ(OnHost(kHost, "apt-get remove -y -qq sl >/dev/null 2>&1; rm -f /tmp/import-keep")
                .exit_code,
            0);
}

TEST(ImportTest, AFileWhoseModeDiffersPlansOnlyTheMode) {
  Plant plant("import-file");
  ASSERT_EQ(OnHost(kHost, "printf 'hello\\n' > /tmp/import-motd && chmod 0600 /tmp/import-motd")
                .exit_code,
            0);
  plant.Write(Gateway(kHost, "    files:\n"
                             "      /tmp/import-motd: { content: \"hello\\n\", mode: \"0644\" }\n"
                             "      /tmp/import-missing: { content: \"x\" }\n"));
  Result import = plant.Mfgctl({"import", "gw:file[/tmp/import-motd]", "/tmp/import-motd"});
  ASSERT_EQ(import.exit_code, 0) << import.out << import.err;
  Value state = plant.ReadState();
  const Value* entry = StateEntry(state, "gw:file[/tmp/import-motd]");
  ASSERT_NE(entry, nullptr) << state.dump(2);
  EXPECT_EQ((*entry)["attributes"]["mode"], "0600");
  EXPECT_EQ((*entry)["attributes"]["content"],
            "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");

  Result plan = plant.Mfgctl({"plan", "--detailed-exitcode", "--target",
                              "gw:file[/tmp/import-motd]"});
  EXPECT_EQ(plan.exit_code, 2) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("  # gw:file[/tmp/import-motd] will be updated in-place\n"),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("\"0600\" -> \"0644\"\n"), std::string::npos) << plan.out;
  EXPECT_EQ(plan.out.find("~ content"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("Plan: 0 to add, 1 to change, 0 to destroy."), std::string::npos)
      << plan.out;

  Result missing = plant.Mfgctl({"import", "gw:file[/tmp/import-missing]", "/tmp/import-missing"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("error: gw:file[/tmp/import-missing]: no such object on gw\n"),
            std::string::npos)
      << missing.err;
  state = plant.ReadState();
  EXPECT_EQ(StateEntry(state, "gw:file[/tmp/import-missing]"), nullptr);
  ASSERT_EQ(OnHost(kHost, "rm -f /tmp/import-motd").exit_code, 0);
}

}  // namespace
}  // namespace mfgctl::e2e
