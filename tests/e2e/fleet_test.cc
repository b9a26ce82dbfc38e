// mfgctl fleet plan against real test hosts: three plants sharing one
// blueprint, one per test host and one whose host does not answer; waves,
// windows in each plant's time zone at a test clock, totals, exit codes,
// JSON, one plant's full plan.
#include <fstream>

#include "tests/e2e/e2e_support.h"

namespace mfgctl::e2e {
namespace {

class FleetPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("mfgctl-e2e-fleet-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "plant.yaml")
        << "mfgctl: 1\nplant: shared\n"
           "variables:\n  gw_address: {}\n  motd: { default: managed }\n"
           "providers:\n  ssh:\n    user: root\n"
           "    identity_file: " << HostsDir() << "/id_ed25519\n"
           "    known_hosts: " << HostsDir() << "/known_hosts\n    connect_timeout: 2\n"
           "gateways:\n  gw:\n    address: ${var.gw_address}\n"
           "    files:\n      /etc/e2e-fleet-motd: { content: \"${var.motd}\\n\" }\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void WriteFleet(const std::string& plants) {
    std::ofstream(dir_ / "fleet.yaml")
        << "mfgctl: 1\nfleet: e2e\nblueprint: ./plant.yaml\nplants:\n" << plants
        << "overrides:\n  - { match: { region: emea }, variables: { motd: emea } }\n"
           "rollout:\n  waves:\n    - { name: canary, match: { tier: canary } }\n"
           "    - { name: rest, percent: 100 }\n";
  }

  Result Fleet(std::vector<std::string> args) {
    args.insert(args.begin(), {MFGCTL_BINARY, "fleet"});
    return RunProgram(args, dir_.string());
  }

  static std::string PlantOn(const std::string& name, const std::string& address,
                             const std::string& extra) {
    return "  " + name + ":\n    variables: { gw_address: " + address + " }\n" + extra;
  }

  std::filesystem::path dir_;
};

TEST_F(FleetPlanTest, EveryPlantPlannedATablePerWaveWindowsInPlantTime) {
  OnHost(1, "rm -f /etc/e2e-fleet-motd");
  OnHost(2, "echo emea > /etc/e2e-fleet-motd");  // already as the override wants it
  WriteFleet(PlantOn("suzhou-1", HostAddress(1),
                     "    time_zone: Asia/Shanghai\n"
                     "    windows: [\"Sat 22:00-Sun 06:00\"]\n"
                     "    labels: { tier: canary }\n") +
             PlantOn("stuttgart-2", HostAddress(2),
                     "    time_zone: Europe/Berlin\n"
                     "    windows: [\"Sun 02:30-04:00\"]\n"
                     "    labels: { region: emea }\n") +
             PlantOn("dark-3", "10.200.0.99", ""));
  // Saturday 2026-03-28 15:00 UTC: 23:00 in Shanghai (open), 16:00 in
  // Berlin, whose window opens when the clocks jump to summer time.
  Result plan = Fleet({"plan", "--now", "2026-03-28T15:00:00Z"});
  EXPECT_EQ(plan.exit_code, 1) << plan.out << plan.err;  // dark-3 failed
  EXPECT_NE(plan.out.find("Fleet e2e: 3 plants in 2 waves, planned at Sat 2026-03-28 15:00 UTC"),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("Wave canary (1 plant)\n"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("  suzhou-1     open until Sun 2026-03-29 06:00 CST             1    0"
                          "    0\n"),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("  stuttgart-2  closed, opens Sun 2026-03-29 03:00 CEST         0    0"
                          "    0   no changes\n"),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("  dark-3       always open                                   error: "
                          "gw:file[/etc/e2e-fleet-motd]: host gw is unreachable"),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("Fleet plan: 1 with changes, 1 without, 1 failed (1 to add, 0 to "
                          "change, 0 to destroy)."),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.err.find("Errors of plant dark-3:"), std::string::npos) << plan.err;
  // Planning changed nothing.
  EXPECT_EQ(OnHost(1, "test -e /etc/e2e-fleet-motd; echo $?").out, "1\n");

  Value json = Value::parse(Fleet({"plan", "--json", "--now", "2026-03-28T15:00:00Z"}).out);
  EXPECT_EQ(json["totals"], Value({{"plants", 3}, {"with_changes", 1}, {"without_changes", 1},
                                   {"failed", 1}, {"add", 1}, {"change", 0}, {"destroy", 0}}));
  const Value& stuttgart = json["waves"][1]["plants"][0];
  EXPECT_EQ(stuttgart["name"], "stuttgart-2");
  EXPECT_EQ(stuttgart["window"]["open"], false);
  EXPECT_EQ(stuttgart["window"]["opens"], "2026-03-29T01:00:00Z");
  EXPECT_EQ(json["now"], "2026-03-28T15:00:00Z");

  // One plant's full plan, as mfgctl plan shows it.
  Result one = Fleet({"plan", "--plant", "suzhou-1", "--detailed-exitcode"});
  EXPECT_EQ(one.exit_code, 2) << one.out << one.err;
  EXPECT_NE(one.out.find("+ content = \"managed\\n\""), std::string::npos) << one.out;
  Result typo = Fleet({"plan", "--plant", "suzhou1"});
  EXPECT_EQ(typo.exit_code, 1);
  EXPECT_NE(typo.err.find("fleet e2e has no plant \"suzhou1\"; did you mean \"suzhou-1\"?"),
            std::string::npos)
      << typo.err;

  // Without the dark plant: changes, and no failure.
  WriteFleet(PlantOn("suzhou-1", HostAddress(1), "    labels: { tier: canary }\n") +
             PlantOn("stuttgart-2", HostAddress(2), "    labels: { region: emea }\n"));
  EXPECT_EQ(Fleet({"plan", "--detailed-exitcode"}).exit_code, 2);
  EXPECT_EQ(Fleet({"validate"}).out, "The fleet is valid: e2e, 2 plants in 2 waves.\n");
  OnHost(2, "rm -f /etc/e2e-fleet-motd");
}

}  // namespace
}  // namespace mfgctl::e2e
