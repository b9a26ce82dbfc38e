// mfgctl fleet against real test hosts. plan: three plants sharing one
// blueprint, one per test host and one whose host does not answer; waves,
// windows in each plant's time zone at a test clock, totals, exit codes,
// JSON, one plant's full plan. apply: six plants of one or two hosts each
// sharing one blueprint, in a canary wave and then shares of the fleet; a
// plant failing its health check in wave 2 stopping the rollout at its
// budget with wave 3 untouched; windows across a DST change; holds;
// offline plants under skip and fail. The hosts are checked with OpenSSH.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

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
        << Blueprint("  gw_address: {}\n  motd: { default: managed }\n",
                     "  gw:\n    address: ${var.gw_address}\n"
                     "    files:\n      /etc/e2e-fleet-motd: { content: \"${var.motd}\\n\" }\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void WriteFleet(const std::string& plants, const std::string& rollout = "") {
    std::ofstream(dir_ / "fleet.yaml")
        << "mfgctl: 1\nfleet: e2e\nblueprint: ./plant.yaml\nplants:\n" << plants
        << "overrides:\n  - { match: { region: emea }, variables: { motd: emea } }\n"
           "rollout:\n  waves:\n    - { name: canary, match: { tier: canary } }\n"
           "    - { name: rest, percent: 100 }\n" << rollout;
  }

  Result Fleet(std::vector<std::string> args) {
    args.insert(args.begin(), {MFGCTL_BINARY, "fleet"});
    return RunProgram(args, dir_.string());
  }

  // The plants' shared blueprint: its variables, the ssh provider for the
  // test hosts, its gateways.
  static std::string Blueprint(const std::string& variables, const std::string& gateways) {
    return "mfgctl: 1\nplant: shared\nvariables:\n" + variables +
           "providers:\n  ssh:\n    user: root\n    identity_file: " + HostsDir() +
           "/id_ed25519\n    known_hosts: " + HostsDir() +
           "/known_hosts\n    connect_timeout: 2\ngateways:\n" + gateways;
  }

  static std::string PlantOn(const std::string& name, const std::string& address,
                             const std::string& extra) {
    return "  " + name + ":\n    variables: { gw_address: " + address + " }\n" + extra;
  }

  std::filesystem::path dir_;
};

// Six plants on the four gateway test hosts: plants 5 and 6 have two hosts
// each (gw2 on another test host), the others name one host twice. Each
// plant writes /srv/e2e-fleet/PLANT/ on its hosts.
class FleetApplyTest : public FleetPlanTest {
 protected:
  void SetUp() override {
    FleetPlanTest::SetUp();
    for (int h = 1; h <= 4; ++h) OnHost(h, "rm -rf /srv/e2e-fleet");
    std::ofstream(dir_ / "plant.yaml")
        << Blueprint("  gw_address: {}\n  gw2_address: {}\n  site: {}\n"
                     "  health: { description: the file the health check looks for }\n"
                     "  ssh_port: { default: 22 }\n",
                     "  gw:\n    address: ${var.gw_address}\n"
                     "    directories: { /srv/e2e-fleet: {}, \"/srv/e2e-fleet/${var.site}\": {} }\n"
                     "    files: { \"/srv/e2e-fleet/${var.site}/a\": { content: \"${var.site}\\n\" } }\n"
                     "  gw2:\n    address: ${var.gw2_address}\n"
                     "    directories: { /srv/e2e-fleet: {}, \"/srv/e2e-fleet/${var.site}-2\": {} }\n"
                     "    files: { \"/srv/e2e-fleet/${var.site}-2/b\": { content: \"${var.site}\\n\" } }\n");
  }
  void TearDown() override {
    for (int h = 1; h <= 4; ++h) OnHost(h, "rm -rf /srv/e2e-fleet");
    FleetPlanTest::TearDown();
  }

  // A plant on hosts a and b (the same for a one-host plant).
  static std::string P(const std::string& name, const std::string& a, const std::string& b,
                       const std::string& extra = "", const std::string& health = "") {
    return "  " + name + ":\n    variables: { gw_address: " + a + ", gw2_address: " + b +
           ", site: " + name + ", health: " + (health.empty() ? "/srv/e2e-fleet" : health) +
           " }\n" + extra;
  }

  void Write(const std::string& plants, const std::string& rollout) {
    std::ofstream(dir_ / "fleet.yaml")
        << "mfgctl: 1\nfleet: e2e\nblueprint: ./plant.yaml\nplants:\n" << plants
        << "rollout:\n" << rollout;
  }

  bool Applied(int host, const std::string& site) {
    return OnHost(host, "cat /srv/e2e-fleet/" + site + "/a 2>/dev/null").out == site + "\n";
  }

  Value Report() {
    std::ifstream in(dir_ / "report.json");
    return Value::parse(in, nullptr, false);
  }

  // The HTML report as headless Chromium renders it: its DOM, and a
  // screenshot kept as a test artefact.
  void CheckHtmlReport() {
    if (RunProgram({"sh", "-c", "command -v chromium"}).exit_code != 0) {
      ADD_FAILURE() << "chromium is not installed (scripts/bootstrap.sh installs it)";
      return;
    }
    std::string url = "file://" + (dir_ / "report.html").string();
    Result dom = RunProgram({"chromium", "--headless", "--no-sandbox", "--disable-gpu",
                             "--dump-dom", url});
    ASSERT_EQ(dom.exit_code, 0) << dom.err;
    const std::string& d = dom.out;
    auto row = [&](const std::string& plant) {
      size_t at = d.find("<tr class=\"plant\" data-plant=\"" + plant + "\">");
      return at == std::string::npos ? std::string() : d.substr(at, d.find("</tr>", at) - at);
    };
    EXPECT_NE(d.find("<span id=\"fleet\">e2e</span>"), std::string::npos) << d;
    EXPECT_NE(d.find("<div class=\"stopped\" id=\"stopped\">The rollout stopped: wave half had "
                     "1 failed plant, over its failure budget of 0.</div>"),
              std::string::npos)
        << d;
    EXPECT_NE(row("p1").find("<span class=\"result applied\">applied</span>"), std::string::npos)
        << row("p1");
    EXPECT_NE(row("p2").find("<span class=\"result failed\">failed</span>"), std::string::npos);
    EXPECT_NE(row("p2").find("<td>health check 1 (command test -e '/nonexistent') on gw failed: "
                             "exit status 1</td>"),
              std::string::npos)
        << row("p2");
    EXPECT_NE(row("p6").find("<span class=\"result not-started\">not started</span>"),
              std::string::npos);
    EXPECT_NE(d.find("<section class=\"wave\" data-wave=\"rest\">"), std::string::npos);
    EXPECT_EQ(d.find("<script"), std::string::npos);  // static: no scripts
    EXPECT_EQ(d.find("http://"), std::string::npos);  // and no external assets
    EXPECT_EQ(d.find("https://"), std::string::npos);
    std::filesystem::create_directories(MFGCTL_TEST_ARTEFACTS);
    std::string png = std::string(MFGCTL_TEST_ARTEFACTS) + "/fleet-report.png";
    std::filesystem::remove(png);
    RunProgram({"chromium", "--headless", "--no-sandbox", "--disable-gpu", "--screenshot=" + png,
                "--window-size=1280,900", url});
    EXPECT_GT(std::filesystem::exists(png) ? std::filesystem::file_size(png) : 0, 10000u) << png;
  }

  static std::string OutcomeOf(const Value& report, const std::string& plant) {
    for (const auto& w : report["waves"]) {
      for (const auto& p : w["plants"]) {
        if (p["name"] == plant) return p["result"];
      }
    }
    return "(absent)";
  }
};

TEST_F(FleetApplyTest, WavesThenABudgetStopLeavingTheLastWaveUntouched) {
  std::string h1 = HostAddress(1), h2 = HostAddress(2), h3 = HostAddress(3), h4 = HostAddress(4);
  Write(P("p1", h1, h1, "    labels: { tier: canary }\n") +
            P("p2", h2, h2, "", "/nonexistent") +  // fails its health check
            P("p3", h3, h3) + P("p4", h4, h4) + P("p5", h1, h2) + P("p6", h3, h4),
        "  waves:\n    - { name: canary, match: { tier: canary } }\n"
        "    - { name: half, percent: 50 }\n    - { name: rest, percent: 100 }\n"
        "  max_parallel_plants: 1\n"
        "  failure_budget: { per_wave: 0, total: 3 }\n"
        "  health:\n"
        "    - { command: \"test -e ${var.health}\", on: gw, timeout: 10s }\n"
        "    - { tcp: \"${var.gw_address}:${var.ssh_port}\", timeout: 3s }\n");  // a default
  Result apply = Fleet({"apply", "--report-json", "report.json", "--report", "report.html"});
  EXPECT_EQ(apply.exit_code, 1) << apply.out << apply.err;
  CheckHtmlReport();
  EXPECT_NE(apply.out.find("The rollout stopped: wave half had 1 failed plant, over its failure "
                           "budget of 0."),
            std::string::npos)
      << apply.out;
  EXPECT_NE(apply.out.find("p2: Unhealthy: health check 1 (command test -e '/nonexistent') on gw "
                           "failed: exit status 1"),
            std::string::npos)
      << apply.out;
  Value report = Report();
  EXPECT_EQ(OutcomeOf(report, "p1"), "applied");
  EXPECT_EQ(OutcomeOf(report, "p2"), "failed");  // applied, then unhealthy
  for (const char* p : {"p3", "p4", "p5", "p6"}) EXPECT_EQ(OutcomeOf(report, p), "not started") << p;
  EXPECT_TRUE(Applied(1, "p1"));
  EXPECT_TRUE(Applied(2, "p2"));
  EXPECT_FALSE(Applied(3, "p3"));
  EXPECT_FALSE(Applied(4, "p4"));  // wave 3 untouched
  EXPECT_EQ(OnHost(3, "test -e /srv/e2e-fleet; echo $?").out, "1\n");

  // With p2 healthy the rest goes out, p5 and p6 on two hosts each.
  Write(P("p1", h1, h1, "    labels: { tier: canary }\n") + P("p2", h2, h2) + P("p3", h3, h3) +
            P("p4", h4, h4) + P("p5", h1, h2) + P("p6", h3, h4),
        "  waves:\n    - { name: canary, match: { tier: canary } }\n"
        "    - { name: half, percent: 50 }\n    - { name: rest, percent: 100 }\n"
        "  max_parallel_plants: 3\n");
  apply = Fleet({"apply", "--report-json", "report.json"});
  EXPECT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  report = Report();
  // p1 and p2 were applied by the first rollout (p2 then failed its check).
  EXPECT_EQ(OutcomeOf(report, "p1"), "unchanged");
  EXPECT_EQ(OutcomeOf(report, "p2"), "unchanged");
  for (const char* p : {"p3", "p4", "p5", "p6"}) EXPECT_EQ(OutcomeOf(report, p), "applied") << p;
  EXPECT_TRUE(Applied(1, "p5"));
  EXPECT_EQ(OnHost(2, "cat /srv/e2e-fleet/p5-2/b").out, "p5\n");
  EXPECT_EQ(OnHost(4, "cat /srv/e2e-fleet/p6-2/b").out, "p6\n");
  // Status: each plant's last rollout, from its state.
  Result status = Fleet({"status", "--json"});
  Value st = Value::parse(status.out, nullptr, false);
  ASSERT_TRUE(st.is_array()) << status.out << status.err;
  EXPECT_EQ(st[0]["last_apply"]["result"], "unchanged");
  EXPECT_EQ(st[5]["last_apply"]["result"], "applied");
  EXPECT_EQ(st[5]["last_apply"]["digest"].get<std::string>().rfind("sha256:", 0), 0u);
  Result refresh = Fleet({"status", "--refresh", "--plant", "p6"});
  EXPECT_NE(refresh.out.find("in sync"), std::string::npos) << refresh.out;
  OnHost(4, "rm -rf /srv/e2e-fleet/p6-2");
  refresh = Fleet({"status", "--refresh", "--plant", "p6"});
  EXPECT_NE(refresh.out.find("drift: 2 to add"), std::string::npos) << refresh.out;
}

TEST_F(FleetApplyTest, WindowsAcrossDaylightSavingHoldsAndOfflinePlants) {
  std::string h1 = HostAddress(1), h2 = HostAddress(2);
  auto write = [&](const std::string& offline) {
    Write(P("berlin", h1, h1, "    time_zone: Europe/Berlin\n    windows: [\"Sun 02:30-04:00\"]\n") +
              P("held", h2, h2) + P("dark", "10.200.0.99", "10.200.0.99"),
          "  failure_budget: { per_wave: 5, total: 5 }\n  offline: " + offline + "\n");
  };
  write("skip");
  ASSERT_EQ(Fleet({"hold", "held", "--reason", "line 2 retooling"}).exit_code, 0);
  // 00:30 UTC on 2026-03-29 is 01:30 CET: the window's 02:30 never comes
  // that night, it opens when the clocks jump to 03:00 CEST.
  Result early = Fleet({"apply", "--now", "2026-03-29T00:30:00Z", "--report-json", "report.json"});
  EXPECT_EQ(early.exit_code, 0) << early.out << early.err;
  Value report = Report();
  EXPECT_EQ(OutcomeOf(report, "berlin"), "skipped");
  EXPECT_EQ(report["waves"][0]["plants"][0]["reason"],
            "outside its window: closed, opens Sun 2026-03-29 03:00 CEST");
  EXPECT_EQ(OutcomeOf(report, "held"), "skipped");
  EXPECT_NE(early.out.find("held by"), std::string::npos) << early.out;
  EXPECT_NE(early.out.find(": line 2 retooling"), std::string::npos) << early.out;
  EXPECT_EQ(OutcomeOf(report, "dark"), "skipped");  // offline: skip
  Result status = Fleet({"status", "--plant", "dark"});
  EXPECT_NE(status.out.find("never applied by a rollout  since: skipped at 2026-03-29T00:30:00Z "
                            "(offline: "),
            std::string::npos)
      << status.out;
  EXPECT_FALSE(Applied(1, "berlin"));
  EXPECT_FALSE(Applied(2, "held"));

  // At 01:00 UTC, 03:00 CEST, it is open.
  Result open = Fleet({"apply", "--now", "2026-03-29T01:00:00Z", "--plant", "berlin"});
  EXPECT_EQ(open.exit_code, 0) << open.out << open.err;
  EXPECT_TRUE(Applied(1, "berlin"));

  // --ignore-window starts it anyway, and the report says so.
  OnHost(1, "rm -rf /srv/e2e-fleet/berlin");
  Result forced = Fleet({"apply", "--now", "2026-03-29T00:30:00Z", "--plant", "berlin",
                         "--ignore-window", "--report-json", "report.json"});
  EXPECT_EQ(forced.exit_code, 0) << forced.out << forced.err;
  EXPECT_NE(forced.out.find("[started outside its window: --ignore-window]"), std::string::npos)
      << forced.out;
  EXPECT_EQ(Report()["waves"][0]["plants"][0]["ignored_window"], true);

  // Released, the held plant goes out; offline: fail fails the dark one.
  ASSERT_EQ(Fleet({"release", "held"}).exit_code, 0);
  write("fail");
  Result last = Fleet({"apply", "--now", "2026-03-29T01:00:00Z", "--report-json", "report.json"});
  EXPECT_EQ(last.exit_code, 1) << last.out;
  report = Report();
  EXPECT_EQ(OutcomeOf(report, "held"), "applied");
  EXPECT_EQ(OutcomeOf(report, "dark"), "failed");
  EXPECT_TRUE(Applied(2, "held"));
}

// SIGINT in the middle of a plant's apply: what finished stays done, the
// plant is "interrupted" (not failed, no result recorded for the rollout),
// and the next run finishes it.
TEST_F(FleetApplyTest, AnInterruptedPlantIsLeftForTheNextRun) {
  std::ofstream(dir_ / "plant.yaml")
      << Blueprint("  gw_address: {}\n",
                   "  gw:\n    address: ${var.gw_address}\n"
                   "    directories: { /srv/e2e-fleet: {} }\n"
                   "    commands:\n"
                   "      first: { run: \"sleep 3 && touch /srv/e2e-fleet/first\", "
                   "creates: /srv/e2e-fleet/first, after: [\"directory[/srv/e2e-fleet]\"] }\n"
                   "      second: { run: \"touch /srv/e2e-fleet/second\", "
                   "creates: /srv/e2e-fleet/second, after: [\"command[first]\"] }\n");
  Write("  s1: { variables: { gw_address: " + HostAddress(1) + " } }\n", "  max_parallel_plants: 1\n");
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(dir_.c_str()) != 0) _exit(127);
    int fd = open((dir_ / "apply.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    execl(MFGCTL_BINARY, MFGCTL_BINARY, "fleet", "apply", "--report-json", "report.json",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // in `first`'s sleep
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  std::ifstream in(dir_ / "apply.log");
  std::string out((std::istreambuf_iterator<char>(in)), {});
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status << out;
  EXPECT_NE(out.find("s1: Interrupted during its apply: left for the next run."), std::string::npos)
      << out;
  EXPECT_NE(out.find("0 failed, 0 skipped, 0 not started, 1 interrupted."), std::string::npos) << out;
  Value report = Report();
  EXPECT_EQ(OutcomeOf(report, "s1"), "interrupted");
  EXPECT_EQ(report["failed"], 0);
  EXPECT_EQ(OnHost(1, "ls /srv/e2e-fleet").out, "first\n");  // in flight: finished, recorded
  std::ifstream sin(dir_ / ".mfgctl" / "s1.state.json");
  Value state = Value::parse(sin, nullptr, false);
  ASSERT_TRUE(state.is_object());
  EXPECT_FALSE(state.contains("fleet") && state["fleet"].contains("rollout")) << state.dump(2);
  // The next run does the rest only.
  Result again = Fleet({"apply", "--report-json", "report.json"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(OutcomeOf(Report(), "s1"), "applied");
  EXPECT_EQ(again.out.find("command[first]"), std::string::npos) << again.out;
  EXPECT_EQ(OnHost(1, "ls /srv/e2e-fleet").out, "first\nsecond\n");
}

// A secret a health check's output quotes: scrubbed from the terminal, both
// report files and the result recorded in the plant's state; the plant's
// variables reach the check's command as words.
TEST_F(FleetApplyTest, SecretsQuotedByAHealthCheckStayOutOfReportsAndState) {
  ::setenv("MFGCTL_SECRET_FLEET_TOKEN", "tok-e2e-5f0c9a", 1);
  std::ofstream(dir_ / "plant.yaml")
      << Blueprint("  gw_address: {}\n  site: {}\n",
                   "  gw:\n    address: ${var.gw_address}\n"
                   "    directories: { /srv/e2e-fleet: {} }\n"
                   "    files: { \"/srv/e2e-fleet/${var.site} token\": "
                   "{ content: \"${secret.FLEET_TOKEN}\", mode: \"0600\" } }\n");
  Write("  t1: { variables: { gw_address: " + HostAddress(2) + ", site: \"t1; touch /tmp/pwned;\" } }\n",
        "  health:\n    - { command: \"cat /srv/e2e-fleet/${var.site}' token' && false\", on: gw }\n");
  OnHost(2, "rm -f /tmp/pwned");
  Result apply = Fleet({"apply", "--report-json", "report.json", "--report", "report.html"});
  EXPECT_EQ(apply.exit_code, 1) << apply.out << apply.err;
  // The check ran, read the file (its name holds the variable, quoted), failed.
  EXPECT_NE(apply.out.find("exit status 1: (sensitive value)"), std::string::npos) << apply.out;
  EXPECT_EQ(OnHost(2, "test -e /tmp/pwned; echo $?").out, "1\n");
  for (const char* file : {"report.json", "report.html", ".mfgctl/t1.state.json"}) {
    std::ifstream f(dir_ / file);
    std::string text((std::istreambuf_iterator<char>(f)), {});
    EXPECT_NE(text.find("(sensitive value)"), std::string::npos) << file << "\n" << text;
    EXPECT_EQ(text.find("tok-e2e-5f0c9a"), std::string::npos) << file << "\n" << text;
  }
  // Status: the last apply, and what the rollout did since when it differs;
  // reading state needs none of the blueprint's secrets, nor does a hold.
  ::unsetenv("MFGCTL_SECRET_FLEET_TOKEN");
  Result status = Fleet({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
  EXPECT_NE(status.out.find("failed at"), std::string::npos) << status.out;
  EXPECT_EQ(status.out.find("tok-e2e-5f0c9a"), std::string::npos) << status.out;
  Result hold = Fleet({"hold", "t1", "--reason", "line stop"});
  EXPECT_EQ(hold.exit_code, 0) << hold.out << hold.err;
  EXPECT_EQ(Fleet({"release", "t1"}).exit_code, 0);
}

// Two `fleet apply --worker` runners share one rollout through a real etcd
// (tests/cloud/etcd.sh): each plant's state lock is a lease, its result in
// the rollout a key there. One runner is killed with SIGKILL in the middle
// of a plant; its lease runs out, the other claims the plant and finishes
// the rollout. Each plant's slow command appends its name to a log on its
// host once it has slept: every name is there exactly once.
TEST_F(FleetApplyTest, TwoWorkersShareARolloutThroughEtcdAndSurviveAKilledOne) {
  if (RunProgram({"curl", "-sf", "-o", "/dev/null", "--max-time", "2",
                  "http://127.0.0.1:2379/health"}).exit_code != 0) {
    GTEST_SKIP() << "etcd is not running on 127.0.0.1:2379 (tests/cloud/etcd.sh up)";
  }
  std::string prefix = "/e2e-fleet-" + std::to_string(getpid());
  RunProgram({"etcdctl", "--endpoints", "http://127.0.0.1:2379", "del", "--prefix", prefix});
  std::ofstream(dir_ / "plant.yaml")
      << Blueprint("  gw_address: {}\n  site: {}\n",
                   "  gw:\n    address: ${var.gw_address}\n"
                   "    directories: { /srv/e2e-fleet: {} }\n"
                   "    commands:\n"
                   "      \"slow-${var.site}\":\n"
                   "        run: \"sleep 2 && echo ${var.site} >> /srv/e2e-fleet/applied.log && "
                   "touch /srv/e2e-fleet/${var.site}.done\"\n"
                   "        creates: \"/srv/e2e-fleet/${var.site}.done\"\n"
                   "        after: [\"directory[/srv/e2e-fleet]\"]\n");
  std::string plants;
  for (int i = 1; i <= 6; ++i) {
    plants += "  w" + std::to_string(i) + ": { variables: { gw_address: " +
              HostAddress((i - 1) % 4 + 1) + ", site: w" + std::to_string(i) + " } }\n";
  }
  std::ofstream(dir_ / "fleet.yaml")
      << "mfgctl: 1\nfleet: e2e-workers\nblueprint: ./plant.yaml\n"
         "state: { backend: etcd, endpoints: [\"http://127.0.0.1:2379\"], prefix: " << prefix
      << ", lock_ttl: 3s }\nplants:\n" << plants
      << "rollout:\n  max_parallel_plants: 1\n  failure_budget: { per_wave: 0, total: 0 }\n";
  auto start = [&](const std::string& log) {
    pid_t pid = fork();
    if (pid == 0) {
      if (chdir(dir_.c_str()) != 0) _exit(127);
      int fd = open((dir_ / log).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      execl(MFGCTL_BINARY, MFGCTL_BINARY, "fleet", "apply", "--worker", "--rollout", "r1",
            "--report-json", (log + ".json").c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    return pid;
  };
  pid_t doomed = start("doomed.log");
  pid_t survivor = start("survivor.log");
  // The doomed runner is asleep in its first plant's command: kill it there.
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  kill(doomed, SIGKILL);
  int status = 0;
  waitpid(doomed, &status, 0);
  waitpid(survivor, &status, 0);
  std::ifstream in(dir_ / "survivor.log");
  std::string out((std::istreambuf_iterator<char>(in)), {});
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  // Every plant applied exactly once, across the two runners.
  std::string logs;
  for (int h = 1; h <= 4; ++h) logs += OnHost(h, "cat /srv/e2e-fleet/applied.log 2>/dev/null").out;
  for (int i = 1; i <= 6; ++i) {
    std::string site = "w" + std::to_string(i) + "\n";
    size_t first = logs.find(site);
    EXPECT_NE(first, std::string::npos) << site << logs << out;
    EXPECT_EQ(logs.find(site, first + 1), std::string::npos) << site << logs;
  }
  // The survivor reports all six done: applied, or unchanged where the
  // killed runner's command had finished on the host before it died.
  std::ifstream rin(dir_ / "survivor.log.json");
  Value report = Value::parse(rin, nullptr, false);
  int done = 0;
  for (const auto& p : report["waves"][0]["plants"]) {
    done += p["result"] == "applied" || p["result"] == "unchanged";
  }
  EXPECT_EQ(done, 6) << report.dump(2);
  // The result of each plant in the rollout is in etcd, in its state.
  Result keys = RunProgram({"etcdctl", "--endpoints", "http://127.0.0.1:2379", "get", "--prefix",
                            "--keys-only", prefix});
  for (int i = 1; i <= 6; ++i) {
    EXPECT_NE(keys.out.find(prefix + "/w" + std::to_string(i) + "/state"), std::string::npos)
        << keys.out;
  }
  RunProgram({"etcdctl", "--endpoints", "http://127.0.0.1:2379", "del", "--prefix", prefix});
}

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
  EXPECT_NE(plan.out.find("  dark-3       always open                                   offline: "
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
                                   {"failed", 1}, {"offline", 0}, {"add", 1}, {"change", 0},
                                   {"destroy", 0}}));
  EXPECT_EQ(json["waves"][1]["plants"][1]["offline"], true) << json.dump();
  const Value& stuttgart = json["waves"][1]["plants"][0];
  EXPECT_EQ(stuttgart["name"], "stuttgart-2");
  EXPECT_EQ(stuttgart["window"]["open"], false);
  EXPECT_EQ(stuttgart["window"]["opens"], "2026-03-29T01:00:00Z");
  EXPECT_EQ(json["now"], "2026-03-28T15:00:00Z");

  // Under `offline: skip` the rollout skips the dark plant: offline, not
  // failed, and the plan's exit code is the other plants'.
  WriteFleet(PlantOn("suzhou-1", HostAddress(1), "    labels: { tier: canary }\n") +
                 PlantOn("dark-3", "10.200.0.99", ""),
             "  offline: skip\n");
  Result skip = Fleet({"plan", "--detailed-exitcode"});
  EXPECT_EQ(skip.exit_code, 2) << skip.out << skip.err;
  EXPECT_NE(skip.out.find("Fleet plan: 1 with changes, 0 without, 0 failed, 1 offline (the "
                          "rollout skips them) (1 to add, 0 to change, 0 to destroy)."),
            std::string::npos)
      << skip.out;
  EXPECT_NE(skip.err.find("Errors of plant dark-3:"), std::string::npos) << skip.err;
  WriteFleet(PlantOn("suzhou-1", HostAddress(1),
                     "    time_zone: Asia/Shanghai\n"
                     "    windows: [\"Sat 22:00-Sun 06:00\"]\n"
                     "    labels: { tier: canary }\n") +
             PlantOn("stuttgart-2", HostAddress(2), "    labels: { region: emea }\n"));

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
