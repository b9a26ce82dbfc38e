// Reaching hosts the way plants do: through a jump host, and over
// connections kept alive while a long command says nothing.
#include <fstream>

#include "engine/model/text_file.h"
#include "tests/e2e/e2e_support.h"

namespace mfgctl::e2e {
namespace {

TEST(ReachTest, BastionReachesAHostOnlyItCanSee) {
  Plant plant("bastion");
  ASSERT_EQ(OnHost(1, "rm -f /tmp/via-bastion").exit_code, 0);
  // 127.0.0.1 as host 1 sees it is host 1's own sshd: reachable only
  // through host 1.
  std::string known = ReadWholeFile(HostsDir() + "/known_hosts").value_or("");
  std::string prefix = HostAddress(1) + " ";
  size_t at = known.find(prefix);
  ASSERT_NE(at, std::string::npos);
  std::string key = known.substr(at + prefix.size(), known.find('\n', at) - at - prefix.size());
  std::ofstream(plant.dir() / "known_hosts") << known;
  auto blueprint = [&](int port) {
    return "gateways:\n  inner:\n    address: 127.0.0.1\n    port: " + std::to_string(port) +
           "\n    bastion: root@" + HostAddress(1) + ":22\n"
           "    files:\n      /tmp/via-bastion: { content: \"through the jump host\\n\" }\n";
  };
  plant.Write(blueprint(22), (plant.dir() / "known_hosts").string());
  // Its key is unknown for that address until trusted, through the bastion.
  Result refused = plant.Mfgctl({"plan"});
  EXPECT_NE(refused.err.find("(SHA256:"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find(") is unknown"), std::string::npos) << refused.err;
  Result trust = plant.Mfgctl({"trust", "inner", "--yes"});
  ASSERT_EQ(trust.exit_code, 0) << trust.out << trust.err;
  EXPECT_NE(ReadWholeFile((plant.dir() / "known_hosts").string())
                .value_or("")
                .find("127.0.0.1 " + key + "\n"),
            std::string::npos);
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(OnHost(1, "cat /tmp/via-bastion").out, "through the jump host\n");
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);

  // Nothing listens on port 1 behind the bastion: that host's resources
  // fail, saying which hop could not go on.
  plant.Write(blueprint(1), (plant.dir() / "known_hosts").string());
  Result plan = plant.Mfgctl({"plan"});
  EXPECT_EQ(plan.exit_code, 1);
  EXPECT_NE(plan.err.find("host inner is unreachable: the bastion " + HostAddress(1) +
                          " cannot reach 127.0.0.1:1"),
            std::string::npos)
      << plan.err;
}

TEST(ReachTest, KeepalivesGoOutWhileALongCommandIsSilent) {
  Plant plant("keepalive");
  // sshd logs every global request it gets at debug level.
  ASSERT_EQ(OnHost(3, "echo 'LogLevel DEBUG' > /etc/ssh/sshd_config.d/zz-debug.conf && "
                      "systemctl reload ssh && journalctl --rotate -q && journalctl --vacuum-time=1s -q")
                .exit_code,
            0);
  plant.Write(Gateway(3, "    keepalive_interval: 1\n"
                         "    commands:\n      quiet: { run: \"sleep 5\" }\n"));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  Result seen = OnHost(3, "journalctl -u ssh --no-pager -q | grep -c 'rtype keepalive@'");
  OnHost(3, "rm /etc/ssh/sshd_config.d/zz-debug.conf && systemctl reload ssh");
  EXPECT_GE(std::atoi(seen.out.c_str()), 2) << seen.out;
}

}  // namespace
}  // namespace mfgctl::e2e
