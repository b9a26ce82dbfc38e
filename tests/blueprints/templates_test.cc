// Blueprint templates: instances, parameters and their errors, nested
// templates, outputs, the cycle. Templates are written into the test's
// project templates/ folder; the shipped library is the repo's templates/.
#include <fstream>

#include "blueprints/template_library.h"
#include "tests/blueprints/blueprint_fixture.h"

namespace mfgctl {
namespace {

class TemplatesTest : public BlueprintTest {
 protected:
  void Template(const std::string& name, const std::string& yaml) {
    auto dir = dir_ / "templates" / name;
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "template.yaml") << yaml;
  }

  static constexpr const char* kBroker =
      "mfgctl: 1\n"
      "template: broker\n"
      "parameters:\n"
      "  address: { type: string, description: the gateway's address }\n"
      "  port: { type: number, default: 1883 }\n"
      "  lines: { type: list, default: [] }\n"
      "gateways:\n"
      "  gw:\n"
      "    address: ${param.address}\n"
      "    packages: [mosquitto]\n"
      "    files:\n"
      "      /etc/broker.conf: { content: \"listener ${param.port}\\nlines=${param.lines}\\n\", "
      "notify: [\"gw:service[mosquitto]\"] }\n"
      "    services:\n"
      "      mosquitto: { running: true }\n"
      "outputs:\n"
      "  broker: { value: \"${param.address}:${param.port}\" }\n";
};

TEST_F(TemplatesTest, InstancesGetTheirOwnAddressesAndParameters) {
  Template("broker", kBroker);
  ASSERT_TRUE(Load(std::string(kHead) +
                   "use:\n"
                   "  line1: { template: broker, with: { address: 10.0.0.1, port: 1884, lines: [a, b] } }\n"
                   "  line2: { template: ./templates/broker, with: { address: 10.0.0.2 } }\n"))
      << Error();
  const Resource* conf = Find("line1.gw:file[/etc/broker.conf]");
  ASSERT_NE(conf, nullptr);
  EXPECT_EQ(conf->attributes["content"], "listener 1884\nlines=[\"a\",\"b\"]\n");
  EXPECT_EQ(config_.targets.at("line1.gw").config["address"], "10.0.0.1");
  EXPECT_EQ(config_.targets.at("line2.gw").config["address"], "10.0.0.2");
  EXPECT_EQ(Find("line2.gw:file[/etc/broker.conf]")->attributes["content"],
            "listener 1883\nlines=[]\n");
  // notify named the template's own host: the instance's.
  const Resource* svc = Find("line1.gw:service[mosquitto]");
  ASSERT_NE(svc, nullptr);
  EXPECT_NE(std::find(svc->depends_on.begin(), svc->depends_on.end(),
                      "line1.gw:file[/etc/broker.conf]"),
            svc->depends_on.end());
}

TEST_F(TemplatesTest, OutputsAreReferableAndThePlantsOwnAreEvaluated) {
  Template("broker", kBroker);
  ASSERT_TRUE(Load(std::string(kHead) +
                   "variables: { port: { type: number, default: 1999 } }\n"
                   "use:\n"
                   "  line1: { template: broker, with: { address: 10.0.0.1, port: \"${var.port}\" } }\n"
                   "gateways:\n"
                   "  hist:\n"
                   "    address: 10.0.0.9\n"
                   "    files: { /etc/brokers: { content: \"${use.line1.broker}\" } }\n"
                   "outputs:\n"
                   "  brokers: { value: [\"${use.line1.broker}\"], description: all of them }\n"))
      << Error();
  EXPECT_EQ(Find("hist:file[/etc/brokers]")->attributes["content"], "10.0.0.1:1999");
  ASSERT_EQ(config_.outputs.size(), 1u);
  EXPECT_EQ(config_.outputs[0].name, "brokers");
  EXPECT_EQ(config_.outputs[0].value, Value::array({"10.0.0.1:1999"}));
}

TEST_F(TemplatesTest, AMissingParameterIsNamedAtTheInstance) {
  Template("broker", kBroker);
  EXPECT_FALSE(Load(std::string(kHead) + "use:\n  line1: { template: broker }\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:6:3: error: instance \"line1\": template broker needs "
                     "parameter \"address\" (string: the gateway's address)\n"
                     "  pass it under \"with:\"");
}

TEST_F(TemplatesTest, AnUnknownParameterGetsADidYouMean) {
  Template("broker", kBroker);
  EXPECT_FALSE(Load(std::string(kHead) +
                    "use:\n  line1: { template: broker, with: { adress: 10.0.0.1 } }\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:6:38: error: template broker has no parameter \"adress\"; "
                     "did you mean \"address\"?");
}

TEST_F(TemplatesTest, AWrongTypeIsNamedWhereItIsPassed) {
  Template("broker", kBroker);
  EXPECT_FALSE(Load(std::string(kHead) +
                    "use:\n  line1: { template: broker, with: { address: a, port: many } }\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:6:56: error: instance \"line1\": parameter \"port\" must be "
                     "a number, got \"many\"");
  EXPECT_FALSE(Load(std::string(kHead) + "variables: { p: { default: lots } }\n" +
                    "use:\n  line1: { template: broker, with: { address: a, port: \"${var.p}\" } }\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:7:56: error: parameter \"port\" must be a number, got \"lots\"");
  EXPECT_FALSE(Load(std::string(kHead) +
                    "use:\n  line1: { template: broker, with: { address: a, lines: x } }\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:6:57: error: instance \"line1\": parameter \"lines\" must be "
                     "a list, got a scalar");
}

TEST_F(TemplatesTest, AnErrorInsideATemplateNamesTheTemplateAndTheInstance) {
  Template("bad", "mfgctl: 1\ntemplate: bad\nparameters: { a: {} }\n"
                  "gateways:\n  gw:\n    address: ${param.a}\n    pakages: [x]\n");
  EXPECT_FALSE(Load(std::string(kHead) + "use:\n  line1: { template: bad, with: { a: b } }\n"));
  EXPECT_EQ(Error(), "DIR/templates/bad/template.yaml:7:5: error: unknown key \"pakages\" in "
                     "gateway \"line1.gw\"; did you mean \"packages\"?\n"
                     "  in line1 (template bad) at DIR/plant.yaml:6:3");
}

TEST_F(TemplatesTest, ATemplateReachesOnlyItsParameters) {
  Template("leaky", "mfgctl: 1\ntemplate: leaky\n"
                    "gateways:\n  gw:\n    address: ${var.address}\n");
  EXPECT_FALSE(Load(std::string(kHead) + "use:\n  line1: { template: leaky }\n"));
  EXPECT_NE(Error().find("templates/leaky/template.yaml:5:14: error: \"${var.address}\" is "
                         "outside the template"),
            std::string::npos)
      << Error();
  Template("reach", "mfgctl: 1\ntemplate: reach\n"
                    "gateways:\n  gw:\n    address: a\n    files: { /x: { content: y, after: "
                    "[\"hist:package[sl]\"] } }\n");
  EXPECT_FALSE(Load(std::string(kHead) + "use:\n  line1: { template: reach }\n"));
  EXPECT_NE(Error().find("host \"hist\" is outside the template"), std::string::npos) << Error();
}

TEST_F(TemplatesTest, NestedTemplatesAndTheirOutputs) {
  Template("broker", kBroker);
  Template("line", "mfgctl: 1\ntemplate: line\nparameters: { n: { type: number } }\n"
                   "use:\n  mqtt: { template: broker, with: { address: \"10.1.0.${param.n}\" } }\n"
                   "gateways:\n  plc:\n    address: \"10.2.0.${param.n}\"\n"
                   "    files: { /etc/mqtt: { content: \"${use.mqtt.broker}\", "
                   "after: [\"mqtt.gw:package[mosquitto]\"] } }\n"
                   "outputs:\n  broker: { value: \"${use.mqtt.broker}\" }\n");
  ASSERT_TRUE(Load(std::string(kHead) + "use:\n  l7: { template: line, with: { n: 7 } }\n"
                   "outputs:\n  b: { value: \"${use.l7.broker}\" }\n"))
      << Error();
  EXPECT_EQ(config_.targets.at("l7.mqtt.gw").config["address"], "10.1.0.7");
  const Resource* f = Find("l7.plc:file[/etc/mqtt]");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->attributes["content"], "10.1.0.7:1883");
  EXPECT_NE(std::find(f->depends_on.begin(), f->depends_on.end(), "l7.mqtt.gw:package[mosquitto]"),
            f->depends_on.end());
  EXPECT_EQ(config_.outputs[0].value, "10.1.0.7:1883");
}

TEST_F(TemplatesTest, ACycleIsNamed) {
  Template("a", "mfgctl: 1\ntemplate: a\nuse:\n  x: { template: b }\n");
  Template("b", "mfgctl: 1\ntemplate: b\nuse:\n  y: { template: a }\n");
  EXPECT_FALSE(Load(std::string(kHead) + "use:\n  top: { template: a }\n"));
  EXPECT_NE(Error().find("error: templates use each other in a cycle: a -> b -> a"),
            std::string::npos)
      << Error();
}

TEST_F(TemplatesTest, AnUnknownTemplateGetsADidYouMean) {
  Template("broker", kBroker);
  EXPECT_FALSE(Load(std::string(kHead) + "use:\n  line1: { template: broker2 }\n"));
  EXPECT_NE(Error().find("no template named \"broker2\""), std::string::npos) << Error();
  EXPECT_NE(Error().find("did you mean \"broker\"?"), std::string::npos) << Error();
}

TEST_F(TemplatesTest, AnUnknownOutputGetsADidYouMean) {
  Template("broker", kBroker);
  EXPECT_FALSE(Load(std::string(kHead) +
                    "use:\n  line1: { template: broker, with: { address: a } }\n"
                    "outputs:\n  o: { value: \"${use.line1.brokr}\" }\n"));
  EXPECT_NE(Error().find("has no output \"brokr\"; did you mean \"broker\"?"), std::string::npos)
      << Error();
}

TEST_F(TemplatesTest, AMapParameterIsPassedWholeAndTypeChecked) {
  Template("host", "mfgctl: 1\ntemplate: host\n"
                   "parameters: { files: { type: map, default: {} }, site: { type: string } }\n"
                   "gateways:\n  gw:\n    address: 10.0.0.1\n    files: ${param.files}\n"
                   "    packages: [sl]\n"
                   "    services: { \"${param.site}-agent\": { running: true } }\n"
                   "outputs:\n"
                   "  agent: { value: \"${gw:service[${param.site}-agent].running}\" }\n");
  ASSERT_TRUE(Load(std::string(kHead) +
                   "use:\n  a: { template: host, with: { site: s1, files: { /etc/x: { content: y } } } }\n"))
      << Error();
  ASSERT_NE(Find("a.gw:file[/etc/x]"), nullptr);
  EXPECT_EQ(Find("a.gw:file[/etc/x]")->attributes["content"], "y");
  // A parameter inside a reference's brackets names what it made.
  ASSERT_NE(Find("a.gw:service[s1-agent]"), nullptr);
  EXPECT_FALSE(Load(std::string(kHead) + "use:\n  a: { template: host, with: { site: s1, files: [x] } }\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:6:49: error: instance \"a\": parameter \"files\" must be a "
                     "map, got a list");
  EXPECT_FALSE(Load(std::string(kHead) + "use:\n  a: { template: host, with: { site: [s] } }\n"));
  EXPECT_NE(Error().find("error: instance \"a\": parameter \"site\" must be a string, got a list"),
            std::string::npos)
      << Error();
}

TEST_F(TemplatesTest, ATemplatesInterpolatedFileFollowsTheTemplatesRules) {
  Template("conf", "mfgctl: 1\ntemplate: conf\nparameters: { port: { type: number } }\n"
                   "gateways:\n  gw:\n    address: a\n"
                   "    files: { /etc/b.conf: { template: ./b.conf.tmpl } }\n");
  std::ofstream(dir_ / "templates" / "conf" / "b.conf.tmpl") << "listener ${param.port}\n";
  ASSERT_TRUE(Load(std::string(kHead) + "use:\n  l1: { template: conf, with: { port: 1884 } }\n"))
      << Error();
  EXPECT_EQ(Find("l1.gw:file[/etc/b.conf]")->attributes["content"], "listener 1884\n");
  std::ofstream(dir_ / "templates" / "conf" / "b.conf.tmpl") << "listener ${var.port}\n";
  EXPECT_FALSE(Load(std::string(kHead) + "variables: { port: { default: 1 } }\n"
                    "use:\n  l1: { template: conf, with: { port: 1884 } }\n"));
  EXPECT_NE(Error().find("templates/conf/template.yaml:7:39: error: \"${var.port}\" is outside "
                         "the template"),
            std::string::npos)
      << Error();
}

TEST_F(TemplatesTest, AResourcesAttributeMayBePassedAndIsDependedOn) {
  Template("peer", "mfgctl: 1\ntemplate: peer\nparameters: { peer: {} }\n"
                   "gateways:\n  gw:\n    address: 10.0.0.2\n"
                   "    files: { /etc/peer: { content: \"${param.peer}\" } }\n");
  std::string hist = "gateways:\n  hist: { address: 10.0.0.1, files: { /etc/x: { content: abc } } }\n";
  ASSERT_TRUE(Load(std::string(kHead) + hist +
                   "use:\n  a: { template: peer, with: { peer: \"${hist:file[/etc/x].content}\" } }\n"))
      << Error();
  const Resource* f = Find("a.gw:file[/etc/peer]");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->attributes["content"], "abc");
  EXPECT_NE(std::find(f->depends_on.begin(), f->depends_on.end(), "hist:file[/etc/x]"),
            f->depends_on.end());
  // The plant's use: has no host of its own for a reference to be on.
  EXPECT_FALSE(Load(std::string(kHead) + hist +
                    "use:\n  a: { template: peer, with: { peer: \"${file[/etc/x].content}\" } }\n"));
  EXPECT_NE(Error().find("plant.yaml:8:39: error: a reference passed to a template names its host"),
            std::string::npos)
      << Error();
}

TEST_F(TemplatesTest, AListInsideAReferenceIsAnError) {
  Template("t", "mfgctl: 1\ntemplate: t\nparameters: { l: { type: list } }\n"
                "gateways:\n  gw:\n    address: a\n    packages: [sl]\n"
                "    files: { /x: { content: \"${gw:package[${param.l}].name}\" } }\n");
  EXPECT_FALSE(Load(std::string(kHead) + "use:\n  i: { template: t, with: { l: [a] } }\n"));
  EXPECT_NE(Error().find("template.yaml:8:29: error: a parameter inside a reference must be "
                         "text, got a list"),
            std::string::npos)
      << Error();
}

// The shipped library, from the repo's templates/: each loads, and a plant
// using it expands to what its README says.
TEST_F(TemplatesTest, TheShippedLibraryLoads) {
  std::vector<mfgctl::Template> all = ListTemplates({MFGCTL_SOURCE_DIR "/templates"}, &diags_);
  ASSERT_FALSE(diags_.HasErrors()) << Error();
  std::vector<std::string> names;
  for (const auto& t : all) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"edge-gateway", "libvirt-host", "pubsub-telemetry"}));
}

TEST_F(TemplatesTest, TheShippedLibvirtHostMakesTheNetworkPoolAndThePassedVms) {
  template_library_ = MFGCTL_SOURCE_DIR "/templates";
  ASSERT_TRUE(Load(std::string(kHead) +
                   "use:\n"
                   "  hv:\n"
                   "    template: libvirt-host\n"
                   "    with:\n"
                   "      address: 10.0.0.5\n"
                   "      volumes: { hist-disk: { pool: images, capacity_gib: 8, format: qcow2 } }\n"
                   "      vms:\n"
                   "        historian: { vcpus: 1, memory_mib: 128, disks: [hist-disk], "
                   "interfaces: [{ network: ot }] }\n"))
      << Error();
  EXPECT_EQ(config_.targets.at("hv.hv").config["address"], "10.0.0.5");
  const Resource* net = Find("hv.hv:network[ot]");
  ASSERT_NE(net, nullptr);
  EXPECT_EQ(net->attributes["bridge"], "mfgot0");
  EXPECT_EQ(net->attributes["dhcp"]["start"], "192.168.160.10");
  ASSERT_NE(Find("hv.hv:pool[images]"), nullptr);
  const Resource* vm = Find("hv.hv:vm[historian]");
  ASSERT_NE(vm, nullptr);
  // Built after its disk and its network, as a plant's own VM is.
  for (const char* dep : {"hv.hv:volume[images/hist-disk]", "hv.hv:network[ot]"}) {
    EXPECT_NE(std::find(vm->depends_on.begin(), vm->depends_on.end(), dep), vm->depends_on.end())
        << dep;
  }
}

TEST_F(TemplatesTest, TheShippedPubsubTelemetryNamesItsTopicsAfterTheSite) {
  template_library_ = MFGCTL_SOURCE_DIR "/templates";
  ASSERT_TRUE(Load(std::string(kHead) +
                   "  gcp: { project: acme-twin }\n"
                   "use:\n"
                   "  tele: { template: pubsub-telemetry, with: { site: suzhou-1, labels: { plant: suzhou-1 } } }\n"
                   "outputs:\n  topic: { value: \"${use.tele.topic}\" }\n"))
      << Error();
  const Resource* topic = Find("cloud:pubsub.topic[suzhou-1-telemetry]");
  ASSERT_NE(topic, nullptr);
  EXPECT_EQ(topic->attributes["message_retention"], "7d");
  EXPECT_EQ(topic->attributes["labels"], Value({{"plant", "suzhou-1"}}));
  const Resource* sub = Find("cloud:pubsub.subscription[suzhou-1-twin-ingest]");
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->attributes["ack_deadline_seconds"], 30);
  EXPECT_EQ(sub->attributes["dead_letter"]["max_delivery_attempts"], 5);
  ASSERT_EQ(config_.outputs.size(), 1u);
  EXPECT_EQ(config_.outputs[0].value, "projects/acme-twin/topics/suzhou-1-telemetry");
}

}  // namespace
}  // namespace mfgctl
