// How a host's settings become the SSH endpoint mfgctl connects to.
#include <gtest/gtest.h>

#include "providers/ssh/ssh_provider.h"

namespace mfgctl {
namespace {

SshEndpoint Of(Value config) {
  Target t{"gw1", "ssh", std::move(config), {}, {}};
  return EndpointOf(t);
}

TEST(EndpointTest, DefaultsAndKeepalive) {
  SshEndpoint e = Of({{"address", "10.20.1.10"}});
  EXPECT_EQ(e.user, "root");
  EXPECT_EQ(e.port, 22);
  EXPECT_EQ(e.keepalive_s, 30);
  EXPECT_EQ(e.jump, nullptr);
  EXPECT_EQ(Of({{"address", "h"}, {"keepalive_interval", 0}}).keepalive_s, 0);
}

TEST(EndpointTest, BastionIsWrittenLikeProxyJump) {
  struct Case {
    const char* bastion;
    const char* user;
    const char* host;
    int port;
  };
  for (const Case& c : {Case{"jump.plant", "ops", "jump.plant", 22},
                        Case{"admin@10.20.0.1:2222", "admin", "10.20.0.1", 2222},
                        Case{"[fd00::1]:2200", "ops", "fd00::1", 2200},
                        Case{"admin@[fd00::1]", "admin", "fd00::1", 22},
                        Case{"fd00::1", "ops", "fd00::1", 22}}) {
    SshEndpoint e = Of({{"address", "10.20.1.10"}, {"user", "ops"}, {"port", 2022},
                        {"known_hosts", "/k"}, {"bastion", c.bastion}});
    ASSERT_NE(e.jump, nullptr) << c.bastion;
    EXPECT_EQ(e.jump->user, c.user) << c.bastion;
    EXPECT_EQ(e.jump->host, c.host) << c.bastion;
    EXPECT_EQ(e.jump->port, c.port) << c.bastion;
    EXPECT_EQ(e.jump->known_hosts, "/k");  // the host's own settings
    EXPECT_EQ(e.jump->jump, nullptr);
    EXPECT_EQ(e.host, "10.20.1.10");
    EXPECT_EQ(e.port, 2022);
  }
}

}  // namespace
}  // namespace mfgctl
