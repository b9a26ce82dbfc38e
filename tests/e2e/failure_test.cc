// What goes wrong in plants: unreachable hosts, unknown and changed host
// keys, stale saved plans, hostile names, a run killed mid-apply, two runs
// at once.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include "tests/e2e/e2e_support.h"

namespace mfgctl::e2e {
namespace {

TEST(FailureTest, UnreachableHostFailsOnlyItsOwnResources) {
  Plant plant("unreachable");
  ASSERT_EQ(OnHost(4, "rm -f /tmp/unreachable-b").exit_code, 0);
  // 10.200.0.250 is on the test bridge, but no host answers there.
  plant.Write("gateways:\n"
              "  down:\n    address: 10.200.0.250\n"
              "    files:\n      /tmp/unreachable-a: { content: \"a\" }\n"
              "  up:\n    address: " + HostAddress(4) + "\n"
              "    files:\n      /tmp/unreachable-b: { content: \"b\" }\n");
  Result plan = plant.Mfgctl({"plan"});
  EXPECT_EQ(plan.exit_code, 1);
  EXPECT_NE(plan.out.find("+ host.file \"up:file[/tmp/unreachable-b]\""), std::string::npos)
      << plan.out;
  EXPECT_NE(plan.err.find("error: down:file[/tmp/unreachable-a]: host down is unreachable: "
                          "cannot connect to 10.200.0.250:22: connection timed out"),
            std::string::npos)
      << plan.err;
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1);
  EXPECT_EQ(OnHost(4, "cat /tmp/unreachable-b").out, "b");
  Value state = plant.ReadState();
  ASSERT_EQ(state["resources"].size(), 1u);
  EXPECT_EQ(state["resources"][0]["address"], "up:file[/tmp/unreachable-b]");
}

TEST(FailureTest, UnknownHostKeyIsRefusedWithHowToTrustIt) {
  Plant plant("unknown-key");
  std::string empty_known_hosts = (plant.dir() / "known_hosts").string();
  std::ofstream(empty_known_hosts) << "";
  plant.Write("gateways:\n  gw:\n    address: " + HostAddress(4) +
                  "\n    files:\n      /tmp/unknown-key: { content: \"x\" }\n",
              empty_known_hosts);
  Result plan = plant.Mfgctl({"plan"});
  EXPECT_EQ(plan.exit_code, 1);
  EXPECT_NE(plan.err.find("host key of " + HostAddress(4) + " (SHA256:"), std::string::npos)
      << plan.err;
  EXPECT_NE(plan.err.find("is unknown: it is not in " + empty_known_hosts +
                          "; refusing to connect. To trust it, check the fingerprint with the "
                          "host's owner, then record it with `mfgctl trust` (docs/cli.md)"),
            std::string::npos)
      << plan.err;
}

// The host's fingerprint as its owner would read it off the host.
std::string FingerprintOf(int host) {
  Result r = OnHost(host, "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub");
  return r.out.substr(r.out.find("SHA256:"), 50);  // SHA256: + 43 base64 characters
}

TEST(FailureTest, TrustRecordsAKeyOnlyDeliberately) {
  Plant plant("trust");
  std::string known_hosts = (plant.dir() / "keys" / "known_hosts").string();
  plant.Write("gateways:\n  gw:\n    address: " + HostAddress(4) +
                  "\n    files:\n      /tmp/trust-test: { content: \"x\" }\n",
              known_hosts);
  // No terminal, no fingerprint, no --yes: nothing is recorded.
  Result refused = plant.Mfgctl({"trust"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("not recording host keys without approval"), std::string::npos)
      << refused.err;
  EXPECT_FALSE(std::filesystem::exists(known_hosts));
  // A fingerprint that does not match is refused.
  Result wrong = plant.Mfgctl(
      {"trust", "gw", "--fingerprint", "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("not the expected SHA256:AAAA"), std::string::npos) << wrong.err;
  EXPECT_FALSE(std::filesystem::exists(known_hosts));
  // The owner's fingerprint matches: recorded, and mfgctl now connects.
  std::string fingerprint = FingerprintOf(4);
  Result ok = plant.Mfgctl({"trust", "gw", "--fingerprint", fingerprint});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("gw  " + HostAddress(4) + ":22  ssh-ed25519  " + fingerprint +
                        "  new, fingerprint matches"),
            std::string::npos)
      << ok.out;
  EXPECT_EQ(plant.Mfgctl({"plan"}).exit_code, 0);
  EXPECT_NE(plant.Mfgctl({"trust", "--yes"}).out.find("already trusted"), std::string::npos);
  // A changed key is never recorded over the old one.
  std::ofstream(known_hosts) << HostAddress(4) << " ssh-ed25519 "
                             << "AAAAC3NzaC1lZDI1NTE5AAAAIHx0NPG0ZWIt9Jw0h8H06sN3Dx0pVdG8cJc1Qx"
                                "vS6K3F\n";
  Result changed = plant.Mfgctl({"trust", "--yes"});
  EXPECT_EQ(changed.exit_code, 1);
  EXPECT_NE(changed.err.find("has CHANGED"), std::string::npos) << changed.err;
}

TEST(FailureTest, ChangedHostKeyIsRefused) {
  Plant plant("changed-key");
  // Host 3's key, recorded for host 4's address: a man in the middle.
  Result keys = RunProgram({"grep", HostAddress(3) + " ", HostsDir() + "/known_hosts"});
  ASSERT_EQ(keys.exit_code, 0);
  std::string wrong = (plant.dir() / "known_hosts").string();
  std::ofstream(wrong) << HostAddress(4) << keys.out.substr(keys.out.find(' '));
  plant.Write("gateways:\n  gw:\n    address: " + HostAddress(4) +
                  "\n    files:\n      /tmp/changed-key: { content: \"x\" }\n",
              wrong);
  Result plan = plant.Mfgctl({"plan"});
  EXPECT_EQ(plan.exit_code, 1);
  EXPECT_NE(plan.err.find("host key of " + HostAddress(4) + " has CHANGED"), std::string::npos)
      << plan.err;
}

TEST(FailureTest, SavedPlanAppliesExactlyAndRefusesWhenStale) {
  Plant plant("saved-plan");
  ASSERT_EQ(OnHost(2, "rm -f /tmp/saved-plan-a").exit_code, 0);
  auto write = [&](const std::string& content) {
    plant.Write("gateways:\n  gw:\n    address: " + HostAddress(2) +
                "\n    files:\n      /tmp/saved-plan-a: { content: \"" + content + "\" }\n");
  };
  write("one");
  ASSERT_EQ(plant.Mfgctl({"plan", "--out", "p1"}).exit_code, 0);
  Result show = plant.Mfgctl({"show", "p1"});
  EXPECT_NE(show.out.find("Plan: 1 to add"), std::string::npos) << show.out;
  // The blueprint changes: the saved plan no longer describes it.
  write("two");
  Result stale = plant.Mfgctl({"apply", "p1"});
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_NE(stale.err.find("the saved plan p1 is stale: the blueprint or its variables changed "
                           "since it was made"),
            std::string::npos)
      << stale.err;
  EXPECT_EQ(OnHost(2, "test -e /tmp/saved-plan-a").exit_code, 1);
  // A fresh saved plan applies exactly (no prompt needed: the plan was reviewed).
  ASSERT_EQ(plant.Mfgctl({"plan", "--out", "p2"}).exit_code, 0);
  ASSERT_EQ(plant.Mfgctl({"plan", "--out", "p3"}).exit_code, 0);
  Result apply = plant.Mfgctl({"apply", "p2"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(OnHost(2, "cat /tmp/saved-plan-a").out, "two");
  // p3 was made against the state before p2 was applied.
  Result moved = plant.Mfgctl({"apply", "p3"});
  EXPECT_EQ(moved.exit_code, 1);
  EXPECT_NE(moved.err.find("the saved plan p3 is stale: the state changed since it was made"),
            std::string::npos)
      << moved.err;
}

TEST(FailureTest, HostileNamesAndContentArriveVerbatim) {
  Plant plant("hostile");
  // YAML double-quoted: a path with a quote, $(...), backticks and spaces;
  // content with all of that and newlines.
  plant.Write("gateways:\n  gw:\n    address: " + HostAddress(2) +
              "\n    directories:\n"
              "      \"/tmp/hostile it's $(touch /tmp/pwned1)\": {}\n"
              "    files:\n"
              "      \"/tmp/hostile it's $(touch /tmp/pwned1)/`touch /tmp/pwned2`;x\":\n"
              "        content: \"a'b\\\"c $(touch /tmp/pwned3) `id`\\nline2\\n\"\n"
              "        mode: \"0600\"\n"
              "    commands:\n"
              "      \"it's\": { run: \"echo \\\"it's\\\" > /tmp/hostile-cmd\" }\n");
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  Result content = OnHost(2, "cat \"/tmp/hostile it's \\$(touch /tmp/pwned1)/\\`touch "
                             "/tmp/pwned2\\`;x\"");
  EXPECT_EQ(content.out, "a'b\"c $(touch /tmp/pwned3) `id`\nline2\n") << content.err;
  EXPECT_EQ(OnHost(2, "cat /tmp/hostile-cmd").out, "it's\n");
  EXPECT_EQ(OnHost(2, "ls /tmp/pwned1 /tmp/pwned2 /tmp/pwned3 2>/dev/null | wc -l").out, "0\n");
  Result again = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
}

// The resources the state records, as the next run reads them: the state
// file with what the journal beside it holds.
size_t Recorded(const Plant& plant) {
  Result list = plant.Mfgctl({"state", "list"});
  return static_cast<size_t>(std::count(list.out.begin(), list.out.end(), '\n'));
}

TEST(FailureTest, KilledApplyLosesNoRecordedWork) {
  Plant plant("killed");
  ASSERT_EQ(OnHost(3, "rm -f /tmp/killed-log").exit_code, 0);
  std::string body = "gateways:\n  gw:\n    address: " + HostAddress(3) + "\n    commands:\n";
  const int kSteps = 12;
  for (int i = 0; i < kSteps; ++i) {
    body += "      step" + std::to_string(i) + ": { run: \"sleep 0.3; echo " +
            std::to_string(i) + " >> /tmp/killed-log\" }\n";
  }
  plant.Write(body);
  pid_t pid = plant.Start({"apply", "--auto-approve"});
  // Wait until some, not all, steps are recorded, then SIGKILL.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  size_t recorded = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    recorded = Recorded(plant);
    if (recorded >= 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  ASSERT_GE(recorded, 3u);
  Value state = plant.ReadState();
  ASSERT_FALSE(state.is_discarded()) << "state must be valid JSON after SIGKILL";
  recorded = Recorded(plant);
  ASSERT_LT(recorded, static_cast<size_t>(kSteps));
  // Nothing is recorded that did not finish on the host.
  Result log = OnHost(3, "wc -l < /tmp/killed-log");
  EXPECT_LE(recorded, static_cast<size_t>(std::stoi(log.out))) << log.out;
  // The lock of the killed run does not block, and the plan shows exactly
  // what is left.
  Result plan = plant.Mfgctl({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("Plan: " + std::to_string(kSteps - recorded) + " to add, 0 to change"),
            std::string::npos)
      << plan.out;
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(plant.ReadState()["resources"].size(), static_cast<size_t>(kSteps));
  EXPECT_FALSE(std::filesystem::exists(plant.StatePath().string() + ".journal"));
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST(FailureTest, SecondRunOnThePlantIsRefusedNamingTheHolder) {
  Plant plant("locked");
  plant.Write("gateways:\n  gw:\n    address: " + HostAddress(3) +
              "\n    commands:\n      slow: { run: \"sleep 3\" }\n");
  pid_t pid = plant.Start({"apply", "--auto-approve"});
  // Wait for the first run to hold the lock (its holder line is written).
  auto lock = plant.StatePath().string() + ".lock";
  for (int i = 0; i < 200; ++i) {
    std::ifstream in(lock);
    std::string holder;
    if (std::getline(in, holder) && !holder.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Result second = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("state of this plant is locked by pid " + std::to_string(pid) +
                            " (mfgctl apply)"),
            std::string::npos)
      << second.err;
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}


TEST(FailureTest, FailedActionSkipsOnlyItsDependents) {
  Plant plant("failed-action");
  plant.Write("gateways:\n  gw:\n    address: " + HostAddress(4) +
              "\n    packages: [no-such-package-mfgctl]\n"
              "    commands:\n"
              "      boom: { run: \"echo it broke >&2; exit 3\" }\n"
              "    files:\n"
              "      /tmp/failed-dependent: { content: \"x\", after: [\"command[boom]\"] }\n"
              "      /tmp/failed-independent: { content: \"y\" }\n");
  ASSERT_EQ(OnHost(4, "rm -f /tmp/failed-dependent /tmp/failed-independent").exit_code, 0);
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1);
  EXPECT_NE(apply.err.find("error: gw:command[boom]: create failed (exit status 3): it broke"),
            std::string::npos)
      << apply.err;
  EXPECT_NE(apply.err.find("error: gw:package[no-such-package-mfgctl]: create failed (exit "
                           "status 100): E: Unable to locate package no-such-package-mfgctl"),
            std::string::npos)
      << apply.err;
  EXPECT_NE(apply.out.find("gw:file[/tmp/failed-dependent]: skipped"), std::string::npos)
      << apply.out;
  EXPECT_NE(apply.out.find("Apply incomplete! Resources: 1 added, 0 changed, 0 destroyed. 2 "
                           "failed. 1 skipped."),
            std::string::npos)
      << apply.out;
  EXPECT_EQ(OnHost(4, "cat /tmp/failed-independent").out, "y");
  EXPECT_EQ(OnHost(4, "test -e /tmp/failed-dependent").exit_code, 1);
  Value state = plant.ReadState();
  ASSERT_EQ(state["resources"].size(), 1u);
  EXPECT_EQ(state["resources"][0]["address"], "gw:file[/tmp/failed-independent]");
}

TEST(FailureTest, InterruptFinishesInFlightWorkAndRecordsIt) {
  Plant plant("interrupted");
  std::string body = "gateways:\n  gw:\n    address: " + HostAddress(4) + "\n    commands:\n";
  for (int i = 0; i < 6; ++i) {
    body += "      step" + std::to_string(i) + ": { run: \"sleep 0.5\" }\n";
  }
  plant.Write(body);
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_t pid = plant.Start({"apply", "--auto-approve"}, out[1]);
  close(out[1]);
  // Interrupt while the second step runs.
  std::string seen;
  char buf[4096];
  while (seen.find("step1]: Creating...") == std::string::npos) {
    ssize_t n = read(out[0], buf, sizeof buf);
    ASSERT_GT(n, 0) << seen;
    seen.append(buf, static_cast<size_t>(n));
  }
  kill(pid, SIGINT);
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) seen.append(buf, n);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "mfgctl must finish by itself after SIGINT";
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_NE(seen.find("gw:command[step1]: Creation complete"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("step2]: Creating"), std::string::npos) << seen;
  EXPECT_NE(seen.find("Interrupted: in-flight actions finished and were recorded"),
            std::string::npos)
      << seen;
  EXPECT_EQ(plant.ReadState()["resources"].size(), 2u);
  Result plan = plant.Mfgctl({"plan"});
  EXPECT_NE(plan.out.find("Plan: 4 to add"), std::string::npos) << plan.out;
}

}  // namespace
}  // namespace mfgctl::e2e

namespace mfgctl::e2e {
namespace {

// Logs in as a user other than root; `sudoers` is its sudo rule.
void AddLoginUser(int host, const std::string& user, const std::string& sudoers) {
  ASSERT_EQ(OnHost(host, "id " + user + " >/dev/null 2>&1 || useradd -m -s /bin/sh " + user +
                             " && mkdir -p /home/" + user + "/.ssh && cp /root/.ssh/authorized_keys "
                             "/home/" + user + "/.ssh/ && chown -R " + user + " /home/" + user +
                             "/.ssh && echo '" + sudoers + "' > /etc/sudoers.d/" + user)
                .exit_code,
            0);
}

TEST(FailureTest, BecomeSudoRunsAsRootAndSaysWhenSudoWantsAPassword) {
  AddLoginUser(1, "deploy", "deploy ALL=(ALL) NOPASSWD:ALL");
  AddLoginUser(1, "clerk", "clerk ALL=(ALL) ALL");
  ASSERT_EQ(OnHost(1, "rm -rf /etc/mfgctl-become /srv/become-bundle").exit_code, 0);
  Plant plant("become");
  // A bundle goes over SFTP as the login user, then into place as root.
  std::filesystem::create_directories(plant.dir() / "bundle");
  std::ofstream(plant.dir() / "bundle" / "tool.bin") << "uploaded by deploy";
  plant.Write("gateways:\n"
              "  as-deploy:\n    address: " + HostAddress(1) + "\n    user: deploy\n"
              "    become: sudo\n"
              "    bundles:\n      /srv/become-bundle: ./bundle\n"
              "    files:\n      /etc/mfgctl-become: { content: \"root wrote this\\n\", mode: "
              "\"0600\" }\n"
              "  as-clerk:\n    address: " + HostAddress(1) + "\n    user: clerk\n"
              "    become: sudo\n"
              "    files:\n      /etc/mfgctl-become-clerk: { content: \"x\" }\n");
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1);
  EXPECT_EQ(OnHost(1, "stat -c '%U %a' /etc/mfgctl-become && cat /etc/mfgctl-become").out,
            "root 600\nroot wrote this\n");
  EXPECT_EQ(OnHost(1, "stat -c '%U %a' /srv/become-bundle/tool.bin && "
                      "cat /srv/become-bundle/tool.bin").out,
            "root 644\nuploaded by deploy");
  EXPECT_NE(apply.err.find("error: as-clerk:file[/etc/mfgctl-become-clerk]: reading host "
                           "as-clerk failed: become: sudo needs a password on this host, and "
                           "mfgctl never types one (sudo -n); allow the login user NOPASSWD in "
                           "sudoers, or log in as root"),
            std::string::npos)
      << apply.err;
  EXPECT_EQ(OnHost(1, "test -e /etc/mfgctl-become-clerk").exit_code, 1);
}

TEST(FailureTest, CommandTimeoutFailsThatActionAndTheRestGoesOn) {
  Plant plant("timeout");
  ASSERT_EQ(OnHost(4, "rm -f /tmp/timeout-other").exit_code, 0);
  ASSERT_EQ(OnHost(3, "rm -f /tmp/after-timeout").exit_code, 0);
  // After the timeout, the slow host's next action connects again.
  plant.Write("gateways:\n"
              "  slow:\n    address: " + HostAddress(3) + "\n    command_timeout: 2\n"
              "    commands:\n      hang: { run: \"sleep 30\" }\n"
              "      later: { run: \"touch /tmp/after-timeout\" }\n"
              "  other:\n    address: " + HostAddress(4) + "\n"
              "    files:\n      /tmp/timeout-other: { content: \"fine\" }\n");
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1);
  EXPECT_NE(apply.err.find("error: slow:command[hang]: create failed: command timed out after 2 s"),
            std::string::npos)
      << apply.err;
  EXPECT_EQ(OnHost(4, "cat /tmp/timeout-other").out, "fine");
  EXPECT_EQ(OnHost(3, "test -f /tmp/after-timeout").exit_code, 0);
  Value state = plant.ReadState();
  std::vector<std::string> recorded;
  for (const auto& r : state["resources"]) recorded.push_back(r["address"]);
  std::sort(recorded.begin(), recorded.end());
  EXPECT_EQ(recorded, (std::vector<std::string>{"other:file[/tmp/timeout-other]",
                                                "slow:command[later]"}));
  OnHost(3, "pkill -f 'sleep 30'; true");
}

}  // namespace
}  // namespace mfgctl::e2e

namespace mfgctl::e2e {
namespace {

TEST(FailureTest, SshAgentKeysWhenNoIdentityFileIsSet) {
  Plant plant("agent");
  std::string sock = (plant.dir() / "agent.sock").string();
  Result agent = RunProgram({"ssh-agent", "-a", sock});
  ASSERT_EQ(agent.exit_code, 0) << agent.err;
  std::string pid = agent.out.substr(agent.out.find("SSH_AGENT_PID=") + 14);
  pid = pid.substr(0, pid.find(';'));
  Result add = RunProgram({"env", "SSH_AUTH_SOCK=" + sock, "ssh-add", HostsDir() + "/id_ed25519"});
  EXPECT_EQ(add.exit_code, 0) << add.err;
  // No identity_file anywhere: the agent's key logs in.
  std::ofstream(plant.dir() / "plant.yaml")
      << "mfgctl: 1\nplant: agent\nproviders:\n  ssh:\n    known_hosts: " << HostsDir()
      << "/known_hosts\n" << Gateway(4, "    files:\n      /tmp/agent-test: { content: \"x\" }\n");
  Result plan = RunProgram({"env", "SSH_AUTH_SOCK=" + sock, MFGCTL_BINARY, "plan"},
                           plant.dir().string());
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  // Without the agent there is nothing to log in with, and mfgctl says so.
  Result none = RunProgram({"env", "-u", "SSH_AUTH_SOCK", MFGCTL_BINARY, "plan"},
                           plant.dir().string());
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no identity_file is set and no ssh-agent is reachable (SSH_AUTH_SOCK)"),
            std::string::npos)
      << none.err;
  RunProgram({"kill", pid});
}

}  // namespace
}  // namespace mfgctl::e2e
