// The shipped template library against real components: edge-gateway
// planned against a test host (its mosquitto is not in the test hosts'
// offline repository, so it is planned, not applied), libvirt-host applied
// to the hypervisor test host (libvirtd + QEMU inside it) and
// pubsub-telemetry applied to the Pub/Sub emulator, each then planning
// nothing. The live side is checked with OpenSSH, virsh and curl.
#include <filesystem>

#include "tests/e2e/e2e_support.h"

namespace mfgctl::e2e {
namespace {

constexpr int kHv = 6;  // tests/CMakeLists.txt: up 6 1 1 (h5 runs podman)

TEST(ShippedTemplatesTest, EdgeGatewayPlansItsBaselineOnARealHost) {
  Plant plant("tpl-edge");
  plant.Write("use:\n"
              "  line1:\n"
              "    template: edge-gateway\n"
              "    with: { address: " + HostAddress(1) + ", mqtt_port: 1884, lines: [press, paint] }\n"
              "outputs:\n"
              "  broker: { value: \"${use.line1.broker}\" }\n");
  Result plan = plant.Mfgctl({"plan", "--detailed-exitcode"});
  ASSERT_EQ(plan.exit_code, 2) << plan.out << plan.err;
  for (const char* line : {"# line1.gw:package[mosquitto] will be created",
                           "# line1.gw:file[/etc/mosquitto/conf.d/plant.conf] will be created",
                           "# line1.gw:python_env[/srv/collector/venv] will be created",
                           "# line1.gw:service[mosquitto] will be created",
                           // The host's live value, read over SSH: not yet persisted.
                           "~ value = \"0 (not persisted)\" -> \"0\"",
                           "+ content = \"[\\\"press\\\",\\\"paint\\\"]\\n\"",
                           "+ content = \"listener 1884\\n\""}) {
    EXPECT_NE(plan.out.find(line), std::string::npos) << line << "\n" << plan.out;
  }
  // Nothing was changed on the host by planning.
  EXPECT_NE(OnHost(1, "test -e /srv/collector/lines.json; echo $?").out, "0\n");
  EXPECT_EQ(plant.Mfgctl({"output", "broker"}).out, HostAddress(1) + ":1884\n");
}

TEST(ShippedTemplatesTest, LibvirtHostBuildsTheOtNetworkPoolAndAVmOnARealHypervisor) {
  auto scrub = [] {
    OnHost(kHv, "{ virsh -q destroy e2e-tvm; virsh -q undefine e2e-tvm; "
                "virsh -q vol-delete --pool e2e-tpool e2e-tdisk; virsh -q pool-destroy e2e-tpool; "
                "virsh -q pool-undefine e2e-tpool; rm -rf /var/lib/mfgctl-e2e-tpool; "
                "virsh -q net-destroy e2e-tot; virsh -q net-undefine e2e-tot; } >/dev/null 2>&1; true");
  };
  scrub();
  Plant plant("tpl-hv");
  plant.Write("  libvirt: { shutdown_timeout: 1 }\n"
              "use:\n"
              "  hv1:\n"
              "    template: libvirt-host\n"
              "    with:\n"
              "      address: " + HostAddress(kHv) + "\n"
              "      network: e2e-tot\n"
              "      bridge: mfge2e9\n"
              "      ip: 192.168.163.1/24\n"
              "      dhcp_start: 192.168.163.10\n"
              "      dhcp_end: 192.168.163.20\n"
              "      pool: e2e-tpool\n"
              "      pool_path: /var/lib/mfgctl-e2e-tpool\n"
              "      volumes: { e2e-tdisk: { pool: e2e-tpool, capacity_gib: 1, format: qcow2 } }\n"
              "      vms:\n"
              "        e2e-tvm: { vcpus: 1, memory_mib: 64, disks: [e2e-tdisk], "
              "interfaces: [{ network: e2e-tot }] }\n"
              "outputs:\n"
              "  ot: { value: \"${use.hv1.network}\" }\n");
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_NE(apply.out.find("hv1.hv:vm[e2e-tvm]: Creation complete"), std::string::npos) << apply.out;
  // Outputs are printed after apply, as Terraform's are.
  EXPECT_NE(apply.out.find("Outputs:\n\not = \"e2e-tot\""), std::string::npos) << apply.out;
  EXPECT_EQ(OnHost(kHv, "virsh -q domstate e2e-tvm").out, "running\n");
  EXPECT_NE(OnHost(kHv, "virsh -q net-dumpxml e2e-tot").out.find("<bridge name='mfge2e9'"),
            std::string::npos);
  EXPECT_NE(OnHost(kHv, "virsh -q domiflist e2e-tvm").out.find("e2e-tot"), std::string::npos);
  // The packages and libvirtd the template asks for are there already.
  EXPECT_EQ(apply.out.find("hv1.hv:package["), std::string::npos) << apply.out;
  Result again = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  scrub();
}

TEST(ShippedTemplatesTest, PubsubTelemetryMakesTheSitesTopicsOnTheEmulator) {
  if (!std::filesystem::exists(
          "/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator")) {
    GTEST_SKIP() << "the Pub/Sub emulator is not installed on this machine";
  }
  const std::string base = "http://127.0.0.1:8085/v1/projects/e2e-tpl/";
  for (const char* path : {"subscriptions/s9-twin-ingest", "topics/s9-telemetry",
                           "topics/s9-telemetry-dead"}) {
    RunProgram({"curl", "-s", "-X", "DELETE", base + path});
  }
  Plant plant("tpl-pubsub");
  plant.Write("  gcp: { project: e2e-tpl, endpoints: { pubsub: \"http://127.0.0.1:8085\" } }\n"
              "use:\n"
              "  tele: { template: pubsub-telemetry, with: { site: s9, max_delivery_attempts: 7, "
              "labels: { plant: s9 } } }\n"
              "outputs:\n"
              "  topic: { value: \"${use.tele.topic}\" }\n");
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  Value sub = Value::parse(RunProgram({"curl", "-s", base + "subscriptions/s9-twin-ingest"}).out,
                           nullptr, false);
  EXPECT_EQ(sub.value("topic", ""), "projects/e2e-tpl/topics/s9-telemetry") << sub.dump();
  EXPECT_EQ(sub["deadLetterPolicy"].value("deadLetterTopic", ""),
            "projects/e2e-tpl/topics/s9-telemetry-dead")
      << sub.dump();
  EXPECT_EQ(sub["deadLetterPolicy"].value("maxDeliveryAttempts", 0), 7) << sub.dump();
  Value topic = Value::parse(RunProgram({"curl", "-s", base + "topics/s9-telemetry"}).out,
                             nullptr, false);
  EXPECT_EQ(topic["labels"], Value({{"plant", "s9"}})) << topic.dump();
  EXPECT_EQ(plant.Mfgctl({"output", "topic"}).out, "projects/e2e-tpl/topics/s9-telemetry\n");
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
}

}  // namespace
}  // namespace mfgctl::e2e
