// Hypervisors on a real libvirtd with QEMU (TCG: no /dev/kvm) inside test
// host 5, reached over SSH exactly as a plant's hypervisor is. The VMs have
// no operating system: they boot nothing, which is all libvirt needs to
// define, start, change and stop them. Each test works on its own networks,
// pools and VMs and removes them first, so a failed run leaves nothing that
// breaks the next.
#include "tests/e2e/e2e_support.h"

namespace mfgctl::e2e {
namespace {

constexpr int kHv = 6;  // tests/CMakeLists.txt: up 6 1 1 (h5 runs podman)

Result Virsh(const std::string& command) { return OnHost(kHv, "virsh -q " + command); }

// Removes what a test made by hand or through mfgctl.
void Scrub(const std::vector<std::string>& vms, const std::vector<std::string>& networks,
           const std::vector<std::string>& pools) {
  std::string s;
  for (const auto& v : vms) {
    s += "virsh -q destroy " + v + "; virsh -q undefine " + v + "; rm -f /var/lib/libvirt/"
         "cloud-init/" + v + "-seed.iso; ";
  }
  for (const auto& n : networks) s += "virsh -q net-destroy " + n + "; virsh -q net-undefine " + n + "; ";
  for (const auto& p : pools) {
    s += "for v in $(virsh -q vol-list " + p + " 2>/dev/null | awk '{print $1}'); do virsh -q "
         "vol-delete --pool " + p + " $v; done; virsh -q pool-destroy " + p +
         "; virsh -q pool-undefine " + p + "; rm -rf /var/lib/mfgctl-e2e-" + p + "; ";
  }
  OnHost(kHv, "{ " + s + "} >/dev/null 2>&1; true");
}

std::string Hypervisor(const std::string& sections) {
  return "  libvirt: { shutdown_timeout: 1 }\n"
         "hypervisors:\n  hv1:\n    address: " + HostAddress(kHv) + "\n" + sections;
}

// The domain's id while it runs: a new one means it was restarted.
std::string DomainId(const std::string& vm) { return Virsh("domid " + vm).out; }

TEST(HypervisorTest, BuildsNetworkPoolVolumesAndARunningVmWithItsSeed) {
  Scrub({"e2e-hist"}, {"e2e-lab"}, {"e2e-img"});
  Plant plant("hv-build");
  plant.Write(Hypervisor(
      "    networks:\n"
      "      e2e-lab: { mode: isolated, bridge: mfge2e0, ip: 192.168.161.1/24,\n"
      "                 dhcp: { start: 192.168.161.10, end: 192.168.161.20 } }\n"
      "    pools:\n"
      "      e2e-img: { type: dir, path: /var/lib/mfgctl-e2e-e2e-img }\n"
      "    volumes:\n"
      "      base: { pool: e2e-img, capacity_gib: 1, format: qcow2 }\n"
      "      hist-disk: { pool: e2e-img, capacity_gib: 2, format: qcow2, backing: base }\n"
      "    vms:\n"
      "      e2e-hist:\n"
      "        vcpus: 1\n"
      "        memory_mib: 64\n"
      "        disks: [hist-disk]\n"
      "        interfaces:\n"
      "          - { network: e2e-lab, mac: \"52:54:00:16:00:10\" }\n"
      "          - { network: e2e-lab }\n"
      "        cloud_init:\n"
      "          user_data: \"#cloud-config\\nhostname: historian\\n\"\n"
      "          meta_data: { local-hostname: historian }\n"
      "        autostart: true\n"
      "gateways:\n"
      "  gw:\n"
      "    address: " + HostAddress(1) + "\n"
      "    files:\n"
      "      /srv/e2e-hist.conf: { content: \"mac=${hv1:vm[e2e-hist].interfaces[1].mac}\\n\" }\n"));
  Result plan = plant.Mfgctl({"plan"});
  EXPECT_NE(plan.out.find("+ content = (known after apply)"), std::string::npos) << plan.out;
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  // In build order: the VM after its volumes and network.
  EXPECT_LT(apply.out.find("hv1:volume[e2e-img/hist-disk]: Creation complete"),
            apply.out.find("hv1:vm[e2e-hist]: Creating..."))
      << apply.out;

  EXPECT_EQ(Virsh("domstate e2e-hist").out, "running\n");
  EXPECT_EQ(Virsh("net-info e2e-lab | grep -E '^(Active|Autostart)'").out,
            "Active:         yes\nAutostart:      yes\n");
  EXPECT_NE(Virsh("vol-dumpxml --pool e2e-img hist-disk").out.find(
                "<path>/var/lib/mfgctl-e2e-e2e-img/base</path>"),
            std::string::npos);
  // The seed: a NoCloud ISO attached as a cdrom, holding the user-data.
  std::string blk = Virsh("domblklist e2e-hist").out;
  EXPECT_NE(blk.find("/var/lib/libvirt/cloud-init/e2e-hist-seed.iso"), std::string::npos) << blk;
  EXPECT_EQ(OnHost(kHv, "isoinfo -J -i /var/lib/libvirt/cloud-init/e2e-hist-seed.iso "
                        "-x /user-data")
                .out,
            "#cloud-config\nhostname: historian\n");
  // The MAC libvirt chose is recorded; the one the blueprint set is kept.
  Value state = plant.ReadState();
  const Value* vm = StateEntry(state, "hv1:vm[e2e-hist]");
  ASSERT_NE(vm, nullptr) << state.dump(2);
  const Value& nics = (*vm)["attributes"]["interfaces"];
  EXPECT_EQ(nics[0]["mac"], "52:54:00:16:00:10");
  std::string chosen = nics[1].value("mac", "");
  EXPECT_EQ(chosen.size(), 17u) << state.dump(2);
  EXPECT_NE(Virsh("domiflist e2e-hist").out.find(chosen), std::string::npos);
  // A gateway's file got that MAC through a nested reference.
  EXPECT_EQ(OnHost(1, "cat /srv/e2e-hist.conf").out, "mac=" + chosen + "\n");

  Result again = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  Scrub({"e2e-hist"}, {"e2e-lab"}, {"e2e-img"});
  OnHost(1, "rm -f /srv/e2e-hist.conf");
}

TEST(HypervisorTest, ChangesSayWhenTheyTakeEffectAndRestartOnlyWhenAllowed) {
  Scrub({"e2e-mem"}, {}, {});
  Plant plant("hv-effect");
  auto write = [&](const std::string& vm) {
    plant.Write(Hypervisor("    vms:\n      e2e-mem:\n" + vm));
  };
  write("        vcpus: 1\n        memory_mib: 64\n        max_memory_mib: 128\n");
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  std::string id = DomainId("e2e-mem");
  ASSERT_FALSE(id.empty());

  // Within the maximum: live.
  write("        vcpus: 1\n        memory_mib: 96\n        max_memory_mib: 128\n");
  Result plan = plant.Mfgctl({"plan"});
  EXPECT_NE(plan.out.find("      # note: live: memory_mib\n      ~ memory_mib = 64 -> 96\n"),
            std::string::npos)
      << plan.out;
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_NE(Virsh("dumpxml --inactive e2e-mem").out.find(
                "<currentMemory unit='KiB'>98304</currentMemory>"),
            std::string::npos);
  EXPECT_EQ(DomainId("e2e-mem"), id);

  // More vCPUs than the maximum: needs the VM stopped. Without permission
  // the definition changes and the running VM is left alone.
  write("        vcpus: 2\n        memory_mib: 96\n        max_memory_mib: 128\n");
  plan = plant.Mfgctl({"plan"});
  EXPECT_NE(plan.out.find("# note: needs stop: vcpus written to the definition; it takes effect "
                          "at the next boot (`restart: allowed` or --allow-restart "
                          "hv1:vm[e2e-mem] restarts it now)"),
            std::string::npos)
      << plan.out;
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(DomainId("e2e-mem"), id);
  EXPECT_EQ(Virsh("vcpucount e2e-mem --config --maximum").out, "2\n");
  EXPECT_EQ(Virsh("vcpucount e2e-mem --live --current").out, "1\n");  // still the old
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);

  // restart: allowed restarts it for the next such change.
  write("        vcpus: 3\n        memory_mib: 96\n        max_memory_mib: 128\n"
        "        restart: allowed\n");
  plan = plant.Mfgctl({"plan"});
  EXPECT_NE(plan.out.find("# note: needs stop: vcpus; the VM is shut down (forced off after the "
                          "shutdown timeout) and started again"),
            std::string::npos)
      << plan.out;
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_NE(DomainId("e2e-mem"), id);
  EXPECT_EQ(Virsh("domstate e2e-mem").out, "running\n");
  EXPECT_EQ(Virsh("vcpucount e2e-mem --live --current").out, "3\n");
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
  Scrub({"e2e-mem"}, {}, {});
}

TEST(HypervisorTest, DriftByHandIsShownAndFixed) {
  Scrub({"e2e-drift"}, {"e2e-dnet"}, {});
  Plant plant("hv-drift");
  plant.Write(Hypervisor("    networks:\n"
                         "      e2e-dnet: { mode: isolated, bridge: mfge2e1 }\n"
                         "    vms:\n"
                         "      e2e-drift:\n"
                         "        vcpus: 1\n"
                         "        memory_mib: 64\n"
                         "        max_memory_mib: 128\n"
                         "        interfaces: [{ network: e2e-dnet }]\n"));
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  ASSERT_EQ(Virsh("setmem e2e-drift 100M --config && virsh -q destroy e2e-drift && "
                  "virsh -q net-destroy e2e-dnet").exit_code,
            0);
  Result plan = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("~ memory_mib = 100 -> 64"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("~ active = false -> true"), std::string::npos) << plan.out;
  // Unset, a VM's state is running: stopped by hand is drift too.
  EXPECT_NE(plan.out.find("~ state      = \"stopped\" -> \"running\""), std::string::npos) << plan.out;
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(Virsh("net-info e2e-dnet | grep ^Active").out, "Active:         yes\n");
  EXPECT_EQ(Virsh("domstate e2e-drift").out, "running\n");
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
  Scrub({"e2e-drift"}, {"e2e-dnet"}, {});
}

TEST(HypervisorTest, AHandMadeVmImportsWithoutADiffAndAProtectedOneStays) {
  Scrub({"e2e-hand"}, {}, {});
  ASSERT_EQ(OnHost(kHv, "cat >/tmp/hand.xml <<'EOF'\n"
                        "<domain type='qemu'><name>e2e-hand</name><memory unit='MiB'>96</memory>"
                        "<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>\n"
                        "EOF\nvirsh -q define /tmp/hand.xml >/dev/null && virsh -q start "
                        "e2e-hand >/dev/null")
                .exit_code,
            0);
  Plant plant("hv-import");
  plant.Write(Hypervisor("    vms:\n"
                         "      e2e-hand:\n"
                         "        vcpus: 1\n"
                         "        memory_mib: 96\n"
                         "        lifecycle: { protected: true }\n"));
  Result import = plant.Mfgctl({"import", "hv1:vm[e2e-hand]", "e2e-hand"});
  ASSERT_EQ(import.exit_code, 0) << import.out << import.err;
  Result plan = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;

  // Left out of the blueprint, it is protected: not deleted.
  plant.Write(Hypervisor("    packages: []\n"));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_NE(apply.err.find("protected (lifecycle.protected): it is not deleted"),
            std::string::npos)
      << apply.out << apply.err;
  EXPECT_EQ(Virsh("domstate e2e-hand").out, "running\n");
  Scrub({"e2e-hand"}, {}, {});
}

TEST(HypervisorTest, ALocalImageIsUploadedAndChecked) {
  OnHost(kHv, "umount /var/lib/mfgctl-e2e-e2e-small 2>/dev/null");
  Scrub({}, {}, {"e2e-up", "e2e-small"});
  Plant plant("hv-upload");
  // A raw image of known bytes (qemu-img is the hypervisor's, not ours).
  std::string image = (plant.dir() / "base.img").string();
  ASSERT_EQ(RunProgram({"sh", "-c", "head -c 3145728 /dev/urandom >" + image}).exit_code, 0);
  std::string sum = RunProgram({"sh", "-c", "sha256sum <" + image + " | cut -c1-64"}).out;
  plant.Write(Hypervisor("    pools:\n"
                         "      e2e-up: { path: /var/lib/mfgctl-e2e-e2e-up }\n"
                         "    volumes:\n"
                         "      base: { pool: e2e-up, source: ./base.img, format: raw }\n"));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(OnHost(kHv, "sha256sum </var/lib/mfgctl-e2e-e2e-up/base | cut -c1-64").out, sum);
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);

  // A changed image replaces the volume.
  ASSERT_EQ(RunProgram({"sh", "-c", "head -c 1048576 /dev/urandom >>" + image}).exit_code, 0);
  Result plan = plant.Mfgctl({"plan"});
  EXPECT_NE(plan.out.find("-/+ libvirt.volume \"hv1:volume[e2e-up/base]\""), std::string::npos)
      << plan.out;
  Scrub({}, {}, {"e2e-up"});

  // A pool without room for the image: refused before libvirt copies it in.
  ASSERT_EQ(OnHost(kHv, "mkdir -p /var/lib/mfgctl-e2e-e2e-small && mount -t tmpfs -o size=2m "
                        "tmpfs /var/lib/mfgctl-e2e-e2e-small")
                .exit_code,
            0);
  plant.Write(Hypervisor("    pools:\n"
                         "      e2e-small: { path: /var/lib/mfgctl-e2e-e2e-small }\n"
                         "    volumes:\n"
                         "      base: { pool: e2e-small, source: ./base.img, format: raw }\n"));
  apply = plant.Mfgctl({"apply", "--auto-approve"});
  OnHost(kHv, "umount /var/lib/mfgctl-e2e-e2e-small");
  EXPECT_EQ(apply.exit_code, 1);
  EXPECT_NE(apply.err.find("pool e2e-small has 2097152 bytes free; the image needs 4194304"),
            std::string::npos)
      << apply.out << apply.err;
  EXPECT_EQ(Virsh("vol-list e2e-small").out, "");
  EXPECT_EQ(OnHost(kHv, "ls /var/tmp/mfgctl-volumes/e2e-small 2>/dev/null").out, "");
  Scrub({}, {}, {"e2e-small"});
}

TEST(HypervisorTest, AHostWithoutLibvirtYetPlansToBuildEverything) {
  // Host 2 is a plain gateway: no virsh. Its libvirt objects do not exist
  // yet, so the plan makes them (after the packages that would bring
  // libvirt) instead of failing them.
  Plant plant("hv-bare");
  plant.Write("hypervisors:\n  hv1:\n    address: " + HostAddress(2) + "\n"
              "    networks:\n"
              "      e2e-bare: { mode: isolated, bridge: mfge2e9 }\n"
              "    vms:\n"
              "      e2e-bare: { vcpus: 1, memory_mib: 64 }\n");
  ASSERT_NE(OnHost(2, "command -v virsh").exit_code, 0);
  Result plan = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("+ libvirt.network \"hv1:network[e2e-bare]\""), std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("+ libvirt.vm \"hv1:vm[e2e-bare]\""), std::string::npos) << plan.out;
}

TEST(HypervisorTest, LibvirtDownFailsOnlyThatHostsLibvirtResources) {
  Scrub({"e2e-down"}, {}, {});
  Plant plant("hv-down");
  plant.Write(Hypervisor("    files:\n"
                         "      /tmp/e2e-hv-note: { content: \"hv\\n\" }\n"
                         "    vms:\n"
                         "      e2e-down: { vcpus: 1, memory_mib: 64 }\n"));
  ASSERT_EQ(OnHost(kHv, "systemctl stop libvirtd.socket libvirtd-ro.socket "
                        "libvirtd-admin.socket libvirtd.service")
                .exit_code,
            0);
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  OnHost(kHv, "systemctl start libvirtd.socket libvirtd-ro.socket libvirtd-admin.socket "
              "libvirtd.service");
  EXPECT_EQ(apply.exit_code, 1);
  EXPECT_NE(apply.err.find("error: hv1:vm[e2e-down]: reading libvirt on hv1 failed: "),
            std::string::npos)
      << apply.err;
  EXPECT_EQ(OnHost(kHv, "cat /tmp/e2e-hv-note").out, "hv\n");  // the host's own went on
  EXPECT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(Virsh("domstate e2e-down").out, "running\n");
  Scrub({"e2e-down"}, {}, {});
  OnHost(kHv, "rm -f /tmp/e2e-hv-note");
}

}  // namespace
}  // namespace mfgctl::e2e
