// fleet.yaml: every key checked where it is written, overrides applied in
// order, plants assigned to waves.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fleet/fleet.h"

namespace mfgctl {
namespace {

class FleetFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mfgctl-fleet-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  bool Load(const std::string& yaml) {
    std::ofstream(dir_ / "fleet.yaml") << yaml;
    diags_ = Diagnostics();
    fleet_ = Fleet();
    return LoadFleet((dir_ / "fleet.yaml").string(), &fleet_, &diags_);
  }

  // Every error, "DIR" for the folder.
  std::string Error() const {
    std::string out;
    for (const auto& d : diags_) {
      std::string line = d.pos.ToString() + ": " + d.summary;
      for (size_t at = line.find(dir_.string()); at != std::string::npos;
           at = line.find(dir_.string())) {
        line.replace(at, dir_.string().size(), "DIR");
      }
      out += (out.empty() ? "" : "\n") + line;
    }
    return out;
  }

  std::vector<std::string> Wave(size_t i) {
    std::vector<std::vector<const FleetPlant*>> waves;
    EXPECT_TRUE(AssignWaves(fleet_, &waves, &diags_)) << Error();
    std::vector<std::string> names;
    if (i < waves.size()) {
      for (const FleetPlant* p : waves[i]) names.push_back(p->name);
    }
    return names;
  }

  static constexpr const char* kHead = "mfgctl: 1\nfleet: acme\nblueprint: ./plant.yaml\n";

  std::filesystem::path dir_;
  Diagnostics diags_;
  Fleet fleet_;
};

TEST_F(FleetFileTest, TheIssuesExampleLoads) {
  ASSERT_TRUE(Load(std::string(kHead) +
                   "state: { backend: etcd, endpoints: [http://127.0.0.1:2379], prefix: /mfgctl/acme }\n"
                   "plants:\n"
                   "  suzhou-1:\n"
                   "    variables: { gw_address: 10.20.1.10 }\n"
                   "    time_zone: Asia/Shanghai\n"
                   "    windows: [\"Sat 22:00-Sun 06:00\", \"daily 12:00-12:30\"]\n"
                   "    labels: { region: apac, tier: canary }\n"
                   "  stuttgart-2:\n"
                   "    variables: { gw_address: 10.30.1.10 }\n"
                   "    time_zone: Europe/Berlin\n"
                   "    windows: [\"Sun 01:00-05:00\"]\n"
                   "    labels: { region: emea }\n"
                   "overrides:\n"
                   "  - { match: { region: emea }, variables: { ntp: ntp.emea.example } }\n"
                   "  - { match: { region: emea }, variables: { ntp: ntp2.emea.example } }\n"
                   "rollout:\n"
                   "  waves:\n"
                   "    - { name: canary, match: { tier: canary } }\n"
                   "    - { name: half, percent: 50 }\n"
                   "    - { name: rest, percent: 100 }\n"
                   "  max_parallel_plants: 10\n"
                   "  failure_budget: { per_wave: 1, total: 2 }\n"
                   "  health:\n"
                   "    - { command: \"systemctl is-active mosquitto\", on: gw, timeout: 60s }\n"
                   "    - { http: \"http://${var.gw_address}:8080/healthz\", expect: 200, timeout: 30s }\n"
                   "    - { tcp: \"${var.gw_address}:1883\", timeout: 10s }\n"
                   "  offline: skip\n"))
      << Error();
  EXPECT_EQ(fleet_.name, "acme");
  EXPECT_EQ(fleet_.blueprint, (dir_ / "plant.yaml").string());
  ASSERT_NE(fleet_.state, nullptr);
  ASSERT_EQ(fleet_.plants.size(), 2u);
  EXPECT_EQ(fleet_.plants[0].windows.size(), 2u);
  EXPECT_EQ(fleet_.plants[1].variables.at("ntp"), "ntp2.emea.example");  // the later rule wins
  EXPECT_EQ(fleet_.plants[0].variables.count("ntp"), 0u);
  const Rollout& r = fleet_.rollout;
  EXPECT_EQ(r.failure_budget_per_wave, 1);
  EXPECT_EQ(r.failure_budget_total, 2);
  EXPECT_TRUE(r.offline_skip);
  ASSERT_EQ(r.health.size(), 3u);
  EXPECT_EQ(r.health[0].on, "gw");
  EXPECT_EQ(r.health[0].timeout_s, 60);
  EXPECT_EQ(r.health[1].kind, HealthCheck::Kind::kHttp);
  EXPECT_EQ(r.health[2].target, "${var.gw_address}:1883");
  EXPECT_EQ(Wave(0), std::vector<std::string>{"suzhou-1"});
  EXPECT_EQ(Wave(1), std::vector<std::string>{});  // 50% of 2 is the canary already
  EXPECT_EQ(Wave(2), std::vector<std::string>{"stuttgart-2"});
}

TEST_F(FleetFileTest, PercentWavesCountTheWholeFleetRoundedUp) {
  std::string plants = "plants:\n";
  for (int i = 1; i <= 6; ++i) plants += "  p" + std::to_string(i) + ": {}\n";
  ASSERT_TRUE(Load(std::string(kHead) + plants +
                   "rollout:\n  waves:\n    - { name: first, percent: 10 }\n"
                   "    - { name: half, percent: 50 }\n    - { name: rest, percent: 100 }\n"))
      << Error();
  EXPECT_EQ(Wave(0), std::vector<std::string>{"p1"});
  EXPECT_EQ(Wave(1), (std::vector<std::string>{"p2", "p3"}));
  EXPECT_EQ(Wave(2), (std::vector<std::string>{"p4", "p5", "p6"}));
}

TEST_F(FleetFileTest, NoWavesIsOneWaveOfEveryPlant) {
  ASSERT_TRUE(Load(std::string(kHead) + "plants: { a: {}, b: {} }\n")) << Error();
  ASSERT_EQ(fleet_.rollout.waves.size(), 1u);
  EXPECT_EQ(fleet_.rollout.waves[0].name, "all");
  EXPECT_EQ(Wave(0), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(fleet_.rollout.failure_budget_total, 0);  // the first failure stops a rollout
  EXPECT_FALSE(fleet_.rollout.offline_skip);          // an unreachable plant fails
}

TEST_F(FleetFileTest, APlantNoWaveTakesIsNamed) {
  ASSERT_TRUE(Load(std::string(kHead) + "plants:\n  a: { labels: { tier: canary } }\n  b: {}\n"
                   "rollout:\n  waves: [{ name: canary, match: { tier: canary } }]\n"))
      << Error();
  std::vector<std::vector<const FleetPlant*>> waves;
  EXPECT_FALSE(AssignWaves(fleet_, &waves, &diags_));
  EXPECT_EQ(Error(), "DIR/fleet.yaml:6:3: plant \"b\" is in no wave: no wave's match and percent "
                     "take it");
}

TEST_F(FleetFileTest, ErrorsNameWhereAndWhatWasExpected) {
  struct Case {
    std::string yaml, error;
  };
  const std::vector<Case> cases = {
      {"mfgctl: 1\nfleet: a\nplants: { a: {} }\n", "DIR/fleet.yaml:1:1: \"blueprint\" is required"},
      {std::string(kHead) + "plant: { a: {} }\n",
       "DIR/fleet.yaml:4:1: unknown key \"plant\" in a fleet file; did you mean \"plants\"?"},
      {std::string(kHead) + "plants: { a: { time_zone: Europe/Berln } }\n",
       "DIR/fleet.yaml:4:27: plant \"a\": time_zone must be an IANA time zone (Europe/Berlin, "
       "Asia/Shanghai, UTC), got \"Europe/Berln\""},
      {std::string(kHead) + "plants: { a: { windows: [\"Sat 22:00-Sun 6:00\"] } }\n",
       "DIR/fleet.yaml:4:26: plant \"a\": a window is \"DAY HH:MM-DAY HH:MM\", \"DAY HH:MM-HH:MM\" "
       "or \"daily HH:MM-HH:MM\" (DAY one of Mon Tue Wed Thu Fri Sat Sun), got \"Sat 22:00-Sun 6:00\""},
      {std::string(kHead) + "plants: { a: {} }\nrollout: { waves: [{ name: w, percent: 150 }] }\n",
       "DIR/fleet.yaml:5:40: wave \"w\": percent must be a whole number from 1 to 100"},
      {std::string(kHead) + "plants: { a: {} }\nrollout: { offline: skp }\n",
       "DIR/fleet.yaml:5:21: rollout.offline must be skip or fail; did you mean \"skip\"?"},
      {std::string(kHead) + "plants: { a: {} }\nrollout: { health: [{ tcp: \"a:1\", http: x }] }\n",
       "DIR/fleet.yaml:5:21: a health check is one of { command, on }, { http, expect } or { tcp }"},
      {std::string(kHead) + "plants: { a: {} }\nrollout: { health: [{ command: x }] }\n",
       "DIR/fleet.yaml:5:21: a command check's \"on\" (the host it runs on) is required"},
      {std::string(kHead) + "plants: { a: {} }\nrollout: { health: [{ tcp: \"a:1\", timeout: soon }] }\n",
       "DIR/fleet.yaml:5:44: a health check's timeout must be a duration (30s, 10m, 1h30m)"},
      {std::string(kHead) + "plants: { a: { variables: { x: [1] } } }\n",
       "DIR/fleet.yaml:4:32: plant \"a\": variables: \"x\" must be a single value, got a list"},
      {std::string(kHead) + "plants: { \"a/b\": {} }\n",
       "DIR/fleet.yaml:4:11: plant \"a/b\": a plant's name may hold no '/', ':', '[', ']', '$', "
       "'{', '}' or spaces"},
      {std::string(kHead) + "plants: {}\n",
       "DIR/fleet.yaml:4:9: \"plants\" must be a map of plant names, with at least one"},
      {"mfgctl: 2\nfleet: a\n", "DIR/fleet.yaml:1:9: a fleet file starts with \"mfgctl: 1\""},
  };
  for (const auto& c : cases) {
    EXPECT_FALSE(Load(c.yaml)) << c.yaml;
    EXPECT_EQ(Error(), c.error) << c.yaml;
  }
}

}  // namespace
}  // namespace mfgctl
