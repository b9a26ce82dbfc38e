// The libvirt provider's pure parts: libvirt's XML both ways, the
// inventory's output split into objects, what each VM change says about
// when it takes effect, and the virsh commands a change becomes. The real
// libvirtd is in the end-to-end tests (tests/e2e/hypervisor_test.cc).
#include <gtest/gtest.h>

#include "providers/libvirt/inventory.h"
#include "providers/libvirt/libvirt_type.h"
#include "providers/libvirt/libvirt_xml.h"

namespace mfgctl {
namespace {

// A persistent definition as libvirt 9 prints it, defaults filled in.
constexpr char kDomain[] = R"(<domain type='qemu'>
  <name>historian</name>
  <uuid>2f1d3c9a-0a4b-4a8e-9d3e-4c0f8e1b2a11</uuid>
  <metadata>
    <mfgctl:vm xmlns:mfgctl="https://mfgctl.dev/xmlns/libvirt/1">
      <mfgctl:cloud-init user_data="sha256:abc"><mfgctl:meta-data>{"local-hostname":"h"}</mfgctl:meta-data></mfgctl:cloud-init>
    </mfgctl:vm>
  </metadata>
  <memory unit='KiB'>4194304</memory>
  <currentMemory unit='KiB'>2097152</currentMemory>
  <vcpu placement='static' current='2'>4</vcpu>
  <os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type><boot dev='hd'/></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='volume' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source pool='images' volume='historian-disk'/>
      <target dev='vda' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='/var/lib/libvirt/cloud-init/historian-seed.iso'/>
      <target dev='sda' bus='sata'/>
      <readonly/>
    </disk>
    <interface type='network'>
      <mac address='52:54:00:20:00:10'/>
      <source network='lab'/>
      <model type='virtio'/>
    </interface>
    <serial type='pty'><target type='isa-serial' port='0'/></serial>
  </devices>
</domain>
)";

TEST(LibvirtXmlTest, ADomainsDefinitionAsAttributes) {
  Value v;
  std::string error;
  ASSERT_TRUE(ParseDomainXml(kDomain, &v, &error)) << error;
  EXPECT_EQ(v, Value::parse(R"({
    "name": "historian", "uuid": "2f1d3c9a-0a4b-4a8e-9d3e-4c0f8e1b2a11", "domain_type": "qemu",
    "vcpus": 2, "max_vcpus": 4, "memory_mib": 2048, "max_memory_mib": 4096,
    "seed": "/var/lib/libvirt/cloud-init/historian-seed.iso",
    "disks": [{"volume": "historian-disk", "pool": "images", "format": "qcow2", "bus": "virtio",
               "target": "vda"}],
    "interfaces": [{"network": "lab", "mac": "52:54:00:20:00:10", "model": "virtio"}],
    "user_data": "sha256:abc", "meta_data": {"local-hostname": "h"}})"));
  EXPECT_FALSE(ParseDomainXml("<network/>", &v, &error));
  EXPECT_EQ(error, "libvirt returned XML without <domain>");
  EXPECT_FALSE(ParseDomainXml("<domain", &v, &error));
  EXPECT_EQ(error.rfind("libvirt returned XML that does not parse: ", 0), 0u) << error;
}

TEST(LibvirtXmlTest, ADefinitionMfgctlWritesReadsBackAsWritten) {
  Value attrs = Value::parse(R"({
    "vcpus": 2, "max_vcpus": 4, "memory_mib": 1024, "domain_type": "qemu",
    "disks": [{"volume": "d1", "pool": "images", "format": "qcow2"},
              {"volume": "d2", "pool": "images", "format": "raw", "bus": "sata"},
              {"volume": "d3", "pool": "images", "format": "raw", "bus": "scsi"}],
    "interfaces": [{"network": "lab", "mac": "52:54:00:00:00:01"}, {"network": "mgmt"}],
    "user_data": "sha256:1", "meta_data": {"a": "b"}})");
  Value v;
  std::string error;
  std::string xml = DomainXml("vm1", attrs);
  ASSERT_TRUE(ParseDomainXml(xml, &v, &error)) << error;
  EXPECT_EQ(v["vcpus"], 2);
  EXPECT_EQ(v["max_vcpus"], 4);
  EXPECT_EQ(v["memory_mib"], 1024);
  EXPECT_EQ(v["max_memory_mib"], 1024);
  EXPECT_EQ(v["disks"], Value::parse(R"([
    {"volume": "d1", "pool": "images", "format": "qcow2", "bus": "virtio", "target": "vda"},
    {"volume": "d2", "pool": "images", "format": "raw", "bus": "sata", "target": "sda"},
    {"volume": "d3", "pool": "images", "format": "raw", "bus": "scsi", "target": "sdb"}])"));
  EXPECT_EQ(v["interfaces"], Value::parse(R"([
    {"network": "lab", "mac": "52:54:00:00:00:01", "model": "virtio"},
    {"network": "mgmt", "mac": "", "model": "virtio"}])"));
  EXPECT_EQ(v["seed"], SeedPath("vm1"));
  // The seed cdrom takes the next sdX name, after sata's and scsi's.
  EXPECT_NE(xml.find("<target dev=\"sdc\" bus=\"sata\""), std::string::npos) << xml;
  EXPECT_EQ(v["user_data"], "sha256:1");
  EXPECT_EQ(v["meta_data"], Value::parse(R"({"a": "b"})"));
}

TEST(LibvirtXmlTest, NetworksBothWays) {
  Value attrs = Value::parse(R"({"mode": "nat", "bridge": "mfgnat0", "ip": "192.168.150.1/24",
                                 "dhcp": {"start": "192.168.150.10", "end": "192.168.150.100"}})");
  Value v;
  std::string error;
  ASSERT_TRUE(ParseNetworkXml(NetworkXml("mgmt", attrs, "u-1"), &v, &error)) << error;
  attrs["name"] = "mgmt";
  attrs["uuid"] = "u-1";
  EXPECT_EQ(nlohmann::json(v), nlohmann::json(attrs));
  // What Debian ships: a netmask instead of a prefix, no bridge mode.
  ASSERT_TRUE(ParseNetworkXml("<network><name>default</name><forward mode='nat'/>"
                              "<bridge name='virbr0'/><ip address='192.168.122.1' "
                              "netmask='255.255.255.0'/></network>",
                              &v, &error));
  EXPECT_EQ(v["ip"], "192.168.122.1/24");
  ASSERT_TRUE(ParseNetworkXml("<network><name>lab</name><bridge name='b'/></network>", &v,
                              &error));
  EXPECT_EQ(v["mode"], "isolated");
}

TEST(LibvirtInventoryTest, SplitsOneSessionsOutputIntoObjects) {
  auto m = [](const std::string& what) { return "@@mfgctl-n1:" + what + ":@@"; };
  std::string uuid = "2f1d3c9a-0a4b-4a8e-9d3e-4c0f8e1b2a11";
  // As virsh prints it: its echo ends no line.
  std::string out = m("dom:" + uuid) + kDomain + m("dominfo:" + uuid) +
                    "State:          running\nAutostart:      enable\n"
                    "Used memory:    1048576 KiB\n" +
                    m("net:u2") + "<network><name>lab</name><uuid>u2</uuid></network>\n" +
                    m("netinfo:u2") + "Active:         no\nAutostart:      yes\n" + m("vol:0") +
                    "<volume><name>d</name><capacity unit='bytes'>4294967296</capacity>"
                    "<target><path>/i/d</path><format type='qcow2'/></target></volume>\n" +
                    m("vol:1") + m("end:");
  LibvirtInventory inv = ParseInventory(out, "n1");
  EXPECT_TRUE(inv.errors.empty());
  ASSERT_EQ(inv.domains.size(), 1u);
  EXPECT_EQ(inv.Domain("historian")->info.at("Used memory"), "1048576 KiB");
  ASSERT_NE(inv.Network("lab"), nullptr);
  EXPECT_EQ(inv.Network("lab")->info.at("Active"), "no");
  EXPECT_EQ(inv.volumes.at(0)["capacity_bytes"], 4294967296ull);
  EXPECT_EQ(inv.volumes.count(1), 0u);  // printed nothing: it does not exist

  // Cut short (the connection dropped): never "nothing exists".
  LibvirtInventory cut = ParseInventory(m("dom:u1") + "<domain>", "n1");
  ASSERT_FALSE(cut.errors.empty());
  EXPECT_EQ(cut.errors.back(), "the read of the hypervisor stopped before its end");
  // A forged marker without the nonce is just text inside a definition.
  EXPECT_EQ(ParseInventory("@@mfgctl-other:end::@@\n", "n1").errors.size(), 1u);
}

class VmTypeTest : public ::testing::Test {
 protected:
  VmTypeTest() : vm_(MakeVmType()) {}

  ModifyPlanResponse Plan(const Value& before, const Value& after, bool allowed = false,
                          bool is_protected = false) {
    ModifyPlanRequest req;
    req.config = &after;
    req.address = {"hv1", "vm", "historian"};
    req.type = "libvirt.vm";
    req.action = Action::kUpdate;
    req.before = &before;
    req.after = &after;
    req.restart_allowed = allowed;
    req.is_protected = is_protected;
    return vm_->ModifyPlan(req);
  }
  std::string Script(const Value& before, const Value& after, bool restart = false) {
    ApplyRequest req;
    req.address = {"hv1", "vm", "historian"};
    req.type = "libvirt.vm";
    req.action = Action::kUpdate;
    req.before = before;
    req.after = after;
    req.restart = restart;
    HostStep step = vm_->Step(req, LibvirtSettings{});
    // Only what follows the prelude.
    return step.script.substr(VirshPrelude("qemu:///system", 120).size());
  }

  Value running_ = Value::parse(R"({"state": "running", "vcpus": 2, "max_vcpus": 2,
      "memory_mib": 1024, "max_memory_mib": 2048, "autostart": false,
      "interfaces": [{"network": "lab", "mac": "52:54:00:00:00:01", "model": "virtio"}],
      "disks": [{"volume": "d", "pool": "images", "bus": "virtio", "target": "vda"}]})");
  std::unique_ptr<LibvirtType> vm_;
};

TEST_F(VmTypeTest, EachChangeSaysWhenItTakesEffect) {
  Value after = Value::parse(R"({"memory_mib": 1536, "autostart": true, "vcpus": 2})");
  EXPECT_EQ(Plan(running_, after).notes, std::vector<std::string>{"live: autostart, memory_mib"});
  EXPECT_EQ(Script(running_, after),
            "V setmem 'historian' 1572864 --config --live >/dev/null || exit 1\n"
            "V autostart 'historian' >/dev/null || exit 1\n");

  // More vCPUs than the running VM's maximum: written to the definition,
  // the VM left running unless a restart is allowed.
  Value more = Value::parse(R"({"vcpus": 4, "memory_mib": 1024})");
  ModifyPlanResponse waits = Plan(running_, more);
  EXPECT_FALSE(waits.restarts);
  EXPECT_EQ(waits.notes, std::vector<std::string>{
                             "needs stop: vcpus written to the definition; it takes effect at "
                             "the next boot (`restart: allowed` or --allow-restart "
                             "hv1:vm[historian] restarts it now)"});
  EXPECT_EQ(Script(running_, more),
            "V setvcpus 'historian' 4 --config --maximum >/dev/null || exit 1\n"
            "V setvcpus 'historian' 4 --config >/dev/null || exit 1\n");
  more["restart"] = "allowed";
  EXPECT_TRUE(Plan(running_, more).restarts);
  EXPECT_FALSE(Plan(running_, more, false, true).restarts);  // protected: only when named
  EXPECT_TRUE(Plan(running_, more, true, true).restarts);
  EXPECT_EQ(Script(running_, more, true),
            "V setvcpus 'historian' 4 --config --maximum >/dev/null || exit 1\n"
            "V setvcpus 'historian' 4 --config >/dev/null || exit 1\n"
            "stop_vm 'historian' || exit 1\nV start 'historian' >/dev/null || exit 1\n");

  // A stopped VM takes everything as it starts.
  Value stopped = running_;
  stopped["state"] = "stopped";
  EXPECT_EQ(Plan(stopped, more).notes,
            std::vector<std::string>{"live: the VM is stopped; it starts with the changes"});
}

TEST_F(VmTypeTest, NicsAndDisksChangeByPositionKeepingMacs) {
  Value after = Value::parse(R"({
      "interfaces": [{"network": "mgmt"}, {"network": "lab"}],
      "disks": [{"volume": "d", "pool": "images"}, {"volume": "e", "pool": "images"}]})");
  EXPECT_EQ(Plan(running_, after).notes,
            std::vector<std::string>{"live: disks, interfaces"});
  std::string s = Script(running_, after);
  EXPECT_NE(s.find("V detach-interface 'historian' network --mac '52:54:00:00:00:01' --config "
                   "--live >/dev/null || exit 1\n"),
            std::string::npos)
      << s;
  // The swapped NIC keeps its MAC; the new disk gets the next free name.
  EXPECT_NE(s.find("V attach-device 'historian' \"$x\" --config --live"), std::string::npos);
  HostStep step;
  ApplyRequest req;
  req.address = {"hv1", "vm", "historian"};
  req.action = Action::kUpdate;
  req.before = running_;
  req.after = after;
  step = vm_->Step(req, LibvirtSettings{});
  EXPECT_NE(step.input.find("<mac address=\"52:54:00:00:00:01\" />"), std::string::npos)
      << step.input;
  EXPECT_NE(step.input.find("<target dev=\"vdb\" bus=\"virtio\" />"), std::string::npos)
      << step.input;
  EXPECT_EQ(step.input.find("<source network=\"lab\" />"), step.input.rfind("<source network="))
      << "one NIC is attached: the second, new one";
}

TEST_F(VmTypeTest, ANicChangeThatNeedsAStopWaitsForTheNextBoot) {
  Value after = Value::parse(R"({
      "interfaces": [{"network": "lab", "mac": "52:54:00:00:00:01", "model": "e1000"}]})");
  // Without a restart the running VM keeps its NIC: the definition changes.
  std::string s = Script(running_, after);
  EXPECT_NE(s.find("V detach-interface 'historian' network --mac '52:54:00:00:00:01' --config "
                   ">/dev/null || exit 1\n"),
            std::string::npos)
      << s;
  EXPECT_EQ(s.find("--live"), std::string::npos) << s;
  EXPECT_EQ(s.find("stop_vm"), std::string::npos) << s;
  // With one, the new definition is what it starts with.
  s = Script(running_, after, /*restart=*/true);
  EXPECT_EQ(s.find("--live"), std::string::npos) << s;
  EXPECT_NE(s.find("stop_vm 'historian' || exit 1\nV start 'historian'"), std::string::npos) << s;
}

TEST(VolumeTypeTest, AVolumeGrowsAndNeverShrinks) {
  auto volume = MakeVolumeType();
  Value before = Value::parse(R"({"pool": "images", "capacity_gib": 40})");
  Value after = Value::parse(R"({"pool": "images", "capacity_gib": 20})");
  ModifyPlanRequest req;
  req.address = {"hv1", "volume", "images/disk"};
  req.action = Action::kUpdate;
  req.before = &before;
  req.after = &after;
  ModifyPlanResponse resp = volume->ModifyPlan(req);
  ASSERT_TRUE(resp.diagnostics.HasErrors());
  EXPECT_EQ(resp.diagnostics.items()[0].summary,
            "volume images/disk is 40 GiB and cannot shrink to 20 GiB: volumes only grow (a "
            "smaller one is a new volume)");
  after["capacity_gib"] = 60;
  EXPECT_FALSE(volume->ModifyPlan(req).diagnostics.HasErrors());
}

}  // namespace
}  // namespace mfgctl
