// The `hypervisors:` section: a host like a gateway, with libvirt's
// networks, pools, volumes and VMs expanded to libvirt.* resources, wired in
// the order a hypervisor is built.
#include "engine/model/unknown.h"
#include "tests/blueprints/blueprint_fixture.h"

namespace mfgctl {
namespace {

class HypervisorsTest : public BlueprintTest {
 protected:
  static std::string Hv(const std::string& body) {
    return std::string(kHead) +
           "hypervisors:\n"
           "  hv1:\n"
           "    address: 10.20.0.5\n"
           "    packages: [libvirt-daemon-system, genisoimage]\n" +
           body;
  }
  std::vector<std::string> DependsOn(const std::string& addr) const {
    const Resource* r = Find(addr);
    return r ? r->depends_on : std::vector<std::string>{"(no " + addr + ")"};
  }
};

TEST_F(HypervisorsTest, ExpandsToLibvirtResourcesInBuildOrder) {
  ASSERT_TRUE(Load(Hv("    networks:\n"
                      "      lab: { mode: isolated, bridge: mfglab0 }\n"
                      "    pools:\n"
                      "      images: { type: dir, path: /var/lib/libvirt/images }\n"
                      "    volumes:\n"
                      "      base: { pool: images, capacity_gib: 2, format: raw }\n"
                      "      disk: { pool: images, capacity_gib: 4, backing: base }\n"
                      "    vms:\n"
                      "      historian:\n"
                      "        vcpus: 2\n"
                      "        memory_mib: 512\n"
                      "        disks: [disk]\n"
                      "        interfaces: [{ network: lab }, { network: default }]\n"
                      "        lifecycle: { protected: true }\n")))
      << Error();
  EXPECT_EQ(config_.targets.at("hv1").provider, "ssh");
  std::vector<std::string> pkgs = {"hv1:package[libvirt-daemon-system]",
                                   "hv1:package[genisoimage]"};
  EXPECT_EQ(DependsOn("hv1:network[lab]"), pkgs);
  EXPECT_EQ(DependsOn("hv1:pool[images]"), pkgs);
  EXPECT_EQ(DependsOn("hv1:volume[images/base]"), std::vector<std::string>{"hv1:pool[images]"});
  EXPECT_EQ(DependsOn("hv1:volume[images/disk]"),
            (std::vector<std::string>{"hv1:pool[images]", "hv1:volume[images/base]"}));
  // An interface on a network outside the blueprint (Debian's `default`)
  // adds no dependency.
  EXPECT_EQ(DependsOn("hv1:vm[historian]"),
            (std::vector<std::string>{"hv1:volume[images/disk]", "hv1:network[lab]"}));

  const Resource* net = Find("hv1:network[lab]");
  EXPECT_EQ(net->type, "libvirt.network");
  EXPECT_EQ(net->attributes["active"], true);  // defaults, so drift shows
  EXPECT_EQ(net->attributes["autostart"], true);
  EXPECT_EQ(Find("hv1:volume[images/disk]")->attributes["backing_format"], "raw");
  const Resource* vm = Find("hv1:vm[historian]");
  EXPECT_EQ(vm->attributes["disks"],
            Value::parse(R"([{"volume": "disk", "pool": "images"}])"));
  EXPECT_TRUE(vm->is_protected);
}

TEST_F(HypervisorsTest, CloudInitBecomesTheVmsSeedAttributes) {
  std::ofstream(dir_ / "user-data.yaml") << "#cloud-config\nhostname: ${var.name}\n";
  ASSERT_TRUE(Load(Hv("    vms:\n"
                      "      historian:\n"
                      "        vcpus: 1\n"
                      "        memory_mib: 256\n"
                      "        cloud_init:\n"
                      "          user_data: { template: ./user-data.yaml }\n"
                      "          meta_data: { local-hostname: historian }\n"
                      "          network_config: \"version: 2\\n\"\n"
                      "variables:\n"
                      "  name: { default: hist-1 }\n")))
      << Error();
  const Value& a = Find("hv1:vm[historian]")->attributes;
  EXPECT_EQ(a["user_data"], "#cloud-config\nhostname: hist-1\n");
  EXPECT_EQ(a["meta_data"], Value::parse(R"({"local-hostname": "historian"})"));
  EXPECT_EQ(a["network_config"], "version: 2\n");
}

TEST_F(HypervisorsTest, ErrorsNameWhereAndWhatWasExpected) {
  EXPECT_FALSE(Load(Hv("    volumes:\n"
                       "      disk: { capacity_gib: 4 }\n")));
  EXPECT_EQ(Error(), "DIR/plant.yaml:10:7: error: volume \"disk\" of hypervisor \"hv1\" needs "
                     "\"pool:\", the pool it lives in");

  EXPECT_FALSE(Load(Hv("    volumes:\n"
                       "      historian-disk: { pool: images, capacity_gib: 4 }\n"
                       "    vms:\n"
                       "      historian: { vcpus: 1, memory_mib: 256, disks: [historian-dsk] }\n")));
  EXPECT_EQ(Error(), "DIR/plant.yaml:12:55: error: disk \"historian-dsk\" of hv1:vm[historian] "
                     "names no volume of hypervisor \"hv1\"; did you mean \"historian-disk\"?\n"
                     "  a volume of a pool outside the blueprint needs \"pool:\"");

  EXPECT_FALSE(Load(Hv("    vms:\n"
                       "      historian:\n"
                       "        vcpus: 1\n"
                       "        memory_mib: 256\n"
                       "        cloud_init: { user_data: { content: x, source: ./y } }\n")));
  EXPECT_EQ(Error(), "DIR/plant.yaml:13:34: error: \"cloud_init.user_data\" needs one of "
                     "\"content:\", \"template:\" or \"source:\"");

  EXPECT_FALSE(Load(Hv("    vm:\n"
                       "      historian: { vcpus: 1 }\n")));
  EXPECT_EQ(Error(), "DIR/plant.yaml:9:5: error: unknown key \"vm\" in hypervisor \"hv1\"; did "
                     "you mean \"vms\"?");

  EXPECT_FALSE(Load(Hv("    vms:\n"
                       "      historian: { vcpus: 1, memory_mib: 256, state: paused }\n")));
  EXPECT_NE(Error().find("state"), std::string::npos) << Error();
}

TEST_F(HypervisorsTest, NetworkSettingsLibvirtWouldNotReadBackAreErrors) {
  EXPECT_FALSE(Load(Hv("    networks:\n"
                       "      ot: { mode: bridge, bridge: br20, ip: 10.20.0.1/24 }\n")));
  EXPECT_EQ(Error(), "DIR/plant.yaml:10:45: error: network \"ot\" of hypervisor \"hv1\" is the "
                     "host's own bridge: libvirt gives it no \"ip:\"\n"
                     "  give the address to the host's bridge itself (a gateway's files or the "
                     "host's network configuration)");
  EXPECT_FALSE(Load(Hv("    networks:\n"
                       "      lab: { mode: isolated, ip: 192.168.150.1 }\n")));
  EXPECT_EQ(Error(), "DIR/plant.yaml:10:34: error: network \"lab\" of hypervisor \"hv1\": \"ip:\" "
                     "must be an IPv4 ADDRESS/PREFIX like 192.168.150.1/24, got \"192.168.150.1\"");
  EXPECT_FALSE(Load(Hv("    networks:\n"
                       "      lab: { mode: nat, ip: 192.168.150.1/33 }\n")));
  EXPECT_NE(Error().find("must be an IPv4 ADDRESS/PREFIX"), std::string::npos) << Error();
  EXPECT_FALSE(Load(Hv("    networks:\n"
                       "      lab: { mode: nat, dhcp: { start: 10.0.0.2, end: 10.0.0.9 } }\n")));
  EXPECT_EQ(Error(), "DIR/plant.yaml:10:31: error: network \"lab\" of hypervisor \"hv1\": "
                     "\"dhcp:\" needs \"ip:\", the host's address on the network the range is in");
  ASSERT_TRUE(Load(Hv("    networks:\n"
                      "      lab: { mode: nat, ip: 192.168.150.1/24, dhcp: { start: "
                      "192.168.150.10, end: 192.168.150.99 } }\n")))
      << Error();
}

TEST_F(HypervisorsTest, AVmIsRunningUnlessItSaysOtherwise) {
  ASSERT_TRUE(Load(Hv("    vms:\n"
                      "      a: { vcpus: 1, memory_mib: 64 }\n"
                      "      b: { vcpus: 1, memory_mib: 64, state: stopped }\n")))
      << Error();
  EXPECT_EQ(Find("hv1:vm[a]")->attributes["state"], "running");
  EXPECT_EQ(Find("hv1:vm[b]")->attributes["state"], "stopped");
}

TEST_F(HypervisorsTest, AGatewayReadsAnInterfacesMacThroughANestedPath) {
  std::string vm =
      "    vms:\n"
      "      historian:\n"
      "        vcpus: 1\n"
      "        memory_mib: 256\n"
      "        interfaces:\n"
      "          - { network: default, mac: \"52:54:00:20:00:10\" }\n"
      "          - { network: default }\n"
      "gateways:\n"
      "  gw1:\n"
      "    address: 10.20.0.6\n"
      "    files:\n";
  ASSERT_TRUE(Load(Hv(vm + "      /etc/dnsmasq.d/historian.conf:\n"
                           "        content: \"${hv1:vm[historian].interfaces[0].mac} "
                           "${hv1:vm[historian].interfaces[1].mac}\"\n")))
      << Error();
  const Resource* file = Find("gw1:file[/etc/dnsmasq.d/historian.conf]");
  ASSERT_NE(file, nullptr);
  // The written MAC is known now; the one libvirt picks is left to the plan.
  std::string content = file->attributes["content"];
  EXPECT_EQ(content, "52:54:00:20:00:10 " +
                         UnknownMarker("hv1:vm[historian]", "interfaces[1].mac"));
  EXPECT_EQ(file->depends_on, std::vector<std::string>{"hv1:vm[historian]"});

  EXPECT_FALSE(Load(Hv(vm + "      /etc/x: { content: \"${hv1:vm[historian].interfaces[2].mac}\" }\n")));
  EXPECT_NE(Error().find("hv1:vm[historian] has no attribute \"interfaces[2].mac\" set"),
            std::string::npos)
      << Error();
  EXPECT_FALSE(Load(Hv(vm + "      /etc/x: { content: \"${hv1:vm[historian].interfaces[0].mca}\" }\n")));
  EXPECT_NE(Error().find("has no attribute \"interfaces[0].mca\" set"), std::string::npos)
      << Error();
  EXPECT_FALSE(Load(Hv(vm + "      /etc/x: { content: \"${hv1:vm[historian].interfaces[x].mac}\" }\n")));
  EXPECT_NE(Error().find("expected a list index [N]"), std::string::npos) << Error();
}

TEST_F(HypervisorsTest, AHostIsAGatewayOrAHypervisorOnce) {
  EXPECT_FALSE(Load(Hv("gateways:\n"
                       "  hv1: { address: 10.20.0.6 }\n")));
  EXPECT_NE(Error().find("host \"hv1\" is declared twice"), std::string::npos) << Error();
}

}  // namespace
}  // namespace mfgctl
