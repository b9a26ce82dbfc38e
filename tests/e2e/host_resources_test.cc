// Resource types on a real host, each checked with the OpenSSH client.
#include <algorithm>
#include <fstream>

#include "tests/e2e/e2e_support.h"

namespace mfgctl::e2e {
namespace {

TEST(HostResourcesTest, SysctlAppliedNowAndPersisted) {
  Plant plant("sysctl");
  ASSERT_EQ(OnHost(2, "sysctl -qw net.ipv4.ip_forward=0; rm -f /etc/sysctl.d/60-mfgctl-*")
                .exit_code,
            0);
  plant.Write(Gateway(2, "    sysctl:\n      net.ipv4.ip_forward: \"1\"\n"
                         "      net.ipv4.tcp_rmem: \"4096 131072 6291456\"\n"));
  Result plan = plant.Mfgctl({"plan"});
  EXPECT_NE(plan.out.find("~ value = \"0 (not persisted)\" -> \"1\""), std::string::npos)
      << plan.out;
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(OnHost(2, "sysctl -n net.ipv4.ip_forward").out, "1\n");
  EXPECT_EQ(OnHost(2, "cat /etc/sysctl.d/60-mfgctl-net.ipv4.ip_forward.conf").out,
            "net.ipv4.ip_forward = 1\n");
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
  // Set but no longer persisted: drift.
  ASSERT_EQ(OnHost(2, "rm /etc/sysctl.d/60-mfgctl-net.ipv4.ip_forward.conf").exit_code, 0);
  Result drift = plant.Mfgctl({"plan"});
  EXPECT_NE(drift.out.find("~ value = \"1 (not persisted)\" -> \"1\""), std::string::npos)
      << drift.out;
  // A parameter the kernel does not have fails that resource alone.
  plant.Write(Gateway(2, "    sysctl:\n      net.ipv4.no_such_thing: \"1\"\n"));
  Result bad = plant.Mfgctl({"plan"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("error: gw:sysctl[net.ipv4.no_such_thing]: no such kernel parameter on "
                         "this host"),
            std::string::npos)
      << bad.err;
}

TEST(HostResourcesTest, FileFromTemplateAndBinarySourceThenAbsent) {
  Plant plant("file-sources");
  std::ofstream(plant.dir() / "unit.tmpl") << "[Service]\nEnvironment=SITE=${var.site}\n";
  std::string binary("\x7f" "ELF\0\x01\xff\xfe\n\r", 11);
  std::ofstream(plant.dir() / "collect", std::ios::binary) << binary;
  plant.Write("variables:\n  site: { default: suzhou-1 }\n" +
              Gateway(2, "    files:\n"
                         "      /tmp/fs-unit.service: { template: ./unit.tmpl }\n"
                         "      /tmp/fs-collect: { source: ./collect, mode: \"0755\" }\n"));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(OnHost(2, "cat /tmp/fs-unit.service").out, "[Service]\nEnvironment=SITE=suzhou-1\n");
  EXPECT_EQ(OnHost(2, "cat /tmp/fs-collect").out, binary);
  EXPECT_EQ(OnHost(2, "stat -c %a /tmp/fs-collect").out, "755\n");
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
  // state: absent removes it; the second time there is nothing to do.
  plant.Write("variables:\n  site: { default: suzhou-1 }\n" +
              Gateway(2, "    files:\n"
                         "      /tmp/fs-unit.service: { state: absent }\n"
                         "      /tmp/fs-collect: { source: ./collect, mode: \"0755\" }\n"));
  Result absent = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(absent.exit_code, 0) << absent.out << absent.err;
  EXPECT_NE(absent.out.find("Resources: 0 added, 0 changed, 1 destroyed."), std::string::npos)
      << absent.out;
  EXPECT_EQ(OnHost(2, "test -e /tmp/fs-unit.service").exit_code, 1);
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST(HostResourcesTest, PackageAbsentIsRemoved) {
  Plant plant("package-absent");
  ASSERT_EQ(OnHost(2, "apt-get install -y -q mfg-demo >/dev/null 2>&1").exit_code, 0);
  plant.Write(Gateway(2, "    packages:\n      mfg-demo: { state: absent }\n"));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(OnHost(2, "dpkg-query -W -f='${db:Status-Abbrev}' mfg-demo 2>/dev/null | grep -q ^ii")
                .exit_code,
            1);
  EXPECT_EQ(OnHost(2, "test -e /usr/share/mfg-demo/VERSION").exit_code, 1);
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST(HostResourcesTest, CommandGuardsEnvironmentAndDirectory) {
  Plant plant("command-guards");
  ASSERT_EQ(OnHost(2, "rm -rf /tmp/cg && mkdir /tmp/cg").exit_code, 0);
  plant.Write(Gateway(2, "    commands:\n"
                         "      greet:\n"
                         "        run: \"echo \\\"$GREETING\\\" >> log\"\n"
                         "        unless: \"grep -q hello log\"\n"
                         "        cwd: /tmp/cg\n"
                         "        environment: { GREETING: hello }\n"));
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(OnHost(2, "cat /tmp/cg/log").out, "hello\n");
  // The guard holds: nothing to do, even with a fresh state.
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
  std::filesystem::remove(plant.StatePath());
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
  // The guard breaks on the host: the command runs again.
  ASSERT_EQ(OnHost(2, "echo bye > /tmp/cg/log").exit_code, 0);
  Result plan = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.out;
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(OnHost(2, "cat /tmp/cg/log").out, "bye\nhello\n");
}


TEST(HostResourcesTest, UsersAndGroupsWithAuthorizedKeys) {
  Plant plant("users");
  ASSERT_EQ(OnHost(3, "userdel -r ops >/dev/null 2>&1; groupdel plant >/dev/null 2>&1; "
                      "groupdel line >/dev/null 2>&1; true")
                .exit_code,
            0);
  Result pub = RunProgram({"cat", HostsDir() + "/id_ed25519.pub"});
  std::string key = pub.out.substr(0, pub.out.find('\n'));
  auto write = [&](const std::string& groups) {
    plant.Write(Gateway(3, "    groups:\n      plant: { gid: 1600 }\n      line: {}\n"
                           "    users:\n      ops: { uid: 1500, groups: " + groups +
                           ", shell: /bin/bash, authorized_keys: [\"" + key + "\"] }\n"
                           "    files:\n      /tmp/ops-owned: { content: \"x\", owner: ops, "
                           "group: plant }\n"));
  };
  write("[plant]");
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(OnHost(3, "getent passwd ops | cut -d: -f3,7").out, "1500:/bin/bash\n");
  EXPECT_EQ(OnHost(3, "getent group plant | cut -d: -f3").out, "1600\n");
  EXPECT_EQ(OnHost(3, "id -nG ops").out, "ops plant\n");
  EXPECT_EQ(OnHost(3, "stat -c '%U:%G %a' /tmp/ops-owned /home/ops/.ssh "
                      "/home/ops/.ssh/authorized_keys").out,
            "ops:plant 644\nops:ops 700\nops:ops 600\n");
  // The key works: ops can log in with it.
  Result login = RunProgram({"ssh", "-q", "-o", "BatchMode=yes", "-o",
                             "UserKnownHostsFile=" + HostsDir() + "/known_hosts", "-i",
                             HostsDir() + "/id_ed25519", "ops@" + HostAddress(3), "whoami"});
  EXPECT_EQ(login.out, "ops\n") << login.err;
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
  // Group membership is exact: a changed list is an update.
  write("[line, plant]");
  Result plan = plant.Mfgctl({"plan"});
  EXPECT_NE(plan.out.find("~ groups = [\"plant\"] -> [\"line\",\"plant\"]"), std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("# note: the new groups take effect at the user's next login\n"),
            std::string::npos)
      << plan.out;
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(OnHost(3, "id -nG ops").out, "ops plant line\n");
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
}


TEST(HostResourcesTest, ServiceEnabledRunningAndRestartedWhenItsUnitChanges) {
  Plant plant("service");
  ASSERT_EQ(OnHost(4, "systemctl disable --now mfg-collector >/dev/null 2>&1; rm -f "
                      "/etc/systemd/system/mfg-collector.service; systemctl daemon-reload")
                .exit_code,
            0);
  auto write = [&](const std::string& version) {
    plant.Write(Gateway(4, "    files:\n      /etc/systemd/system/mfg-collector.service:\n"
                           "        content: \"[Service]\\nEnvironment=VERSION=" + version +
                           "\\nExecStart=/bin/sleep infinity\\n[Install]\\n"
                           "WantedBy=multi-user.target\\n\"\n"
                           "        notify: [\"service[mfg-collector]\"]\n"
                           "    services:\n      mfg-collector: { enabled: true, running: true }\n"));
  };
  write("1");
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(OnHost(4, "systemctl is-enabled mfg-collector; systemctl is-active mfg-collector").out,
            "enabled\nactive\n");
  std::string pid = OnHost(4, "systemctl show -P MainPID mfg-collector").out;
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
  // The unit file changes: the plan says the service will be restarted.
  write("2");
  Result plan = plant.Mfgctl({"plan"});
  EXPECT_NE(plan.out.find("# restarted: notified by "
                          "gw:file[/etc/systemd/system/mfg-collector.service]"),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("Plan: 0 to add, 2 to change, 0 to destroy."), std::string::npos);
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_NE(OnHost(4, "systemctl show -P MainPID mfg-collector").out, pid);
  EXPECT_EQ(OnHost(4, "systemctl show -P Environment mfg-collector").out, "VERSION=2\n");
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
  // Stopped on the host: drift, and apply starts it again.
  ASSERT_EQ(OnHost(4, "systemctl stop mfg-collector").exit_code, 0);
  Result drift = plant.Mfgctl({"plan"});
  EXPECT_NE(drift.out.find("~ running = false -> true"), std::string::npos) << drift.out;
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(OnHost(4, "systemctl is-active mfg-collector").out, "active\n");
}

}  // namespace
}  // namespace mfgctl::e2e

namespace mfgctl::e2e {
namespace {

TEST(HostResourcesTest, AllOfAHostsPackagesInOneAptCallAndABadOneFailsAlone) {
  Plant plant("package-batch");
  ASSERT_EQ(OnHost(1, "dpkg -r sl mfg-demo >/dev/null 2>&1; : > /var/log/apt/history.log")
                .exit_code,
            0);
  plant.Write(Gateway(1, "    packages: [sl, mfg-demo]\n"));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  Result history = OnHost(1, "grep '^Commandline:' /var/log/apt/history.log");
  EXPECT_EQ(std::count(history.out.begin(), history.out.end(), '\n'), 1) << history.out;
  EXPECT_NE(history.out.find("--force-confold sl mfg-demo\n"), std::string::npos) << history.out;
  // One unknown package in the batch: the batch is retried one by one, so
  // only that one fails.
  ASSERT_EQ(OnHost(1, "dpkg -r sl mfg-demo >/dev/null 2>&1; true").exit_code, 0);
  plant.Write(Gateway(1, "    packages: [sl, no-such-package-mfgctl, mfg-demo]\n"));
  Result partial = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(partial.exit_code, 1);
  EXPECT_NE(partial.err.find("error: gw:package[no-such-package-mfgctl]: create failed"),
            std::string::npos)
      << partial.err;
  EXPECT_EQ(OnHost(1, "dpkg-query -W -f='${Package}\\n' sl mfg-demo").out, "mfg-demo\nsl\n");
  EXPECT_NE(partial.out.find("Resources: 2 added, 0 changed, 0 destroyed. 1 failed."),
            std::string::npos)
      << partial.out;
}

}  // namespace
}  // namespace mfgctl::e2e
