#include <algorithm>
#include <filesystem>
#include <fstream>

#include "engine/model/digest.h"
#include "engine/model/unknown.h"
#include "tests/blueprints/blueprint_fixture.h"

namespace mfgctl {
namespace {

TEST_F(BlueprintTest, TheIssueExampleExpands) {
  ASSERT_TRUE(Load(R"(mfgctl: 1
plant: line-demo
variables:
  greeting: { default: "hello" }
providers:
  ssh: { user: root, port: 22, identity_file: ./keys/id, known_hosts: ./keys/known_hosts }
gateways:
  gw1:
    address: 127.0.0.2
    port: 2222
    packages: [sl]
    directories:
      /srv/collector: { mode: "0750" }
    files:
      /srv/collector/app.conf: { content: "say=${var.greeting}\n", mode: "0640" }
    commands:
      init-db: { run: "touch /srv/collector/db", creates: /srv/collector/db }
resources: []
)")) << Error();
  EXPECT_EQ(config_.plant, "line-demo");
  ASSERT_EQ(config_.resources.size(), 4u);
  const Target& gw1 = config_.targets.at("gw1");
  EXPECT_EQ(gw1.config["address"], "127.0.0.2");
  EXPECT_EQ(gw1.config["port"], 2222);  // the host's own wins over the provider's
  EXPECT_EQ(gw1.config["identity_file"], (dir_ / "keys/id").string());
  const Resource* conf = Find("gw1:file[/srv/collector/app.conf]");
  ASSERT_NE(conf, nullptr);
  EXPECT_EQ(conf->attributes["content"], "say=hello\n");
  EXPECT_EQ(conf->attributes["mode"], "0640");
  EXPECT_EQ(conf->depends_on, (std::vector<std::string>{"gw1:directory[/srv/collector]"}));
  ASSERT_NE(Find("gw1:package[sl]"), nullptr);
  EXPECT_EQ(Find("gw1:command[init-db]")->attributes["creates"], "/srv/collector/db");
}

TEST_F(BlueprintTest, PackageBundleAndWheelsBecomeBundlesTheirUsersFollow) {
  for (const char* d : {"site-debs", "gw1-debs", "wheels"}) {
    std::filesystem::create_directories(dir_ / d);
  }
  std::ofstream(dir_ / "gw1-debs" / "mfg-agent_1.2-1_all.deb") << "deb";
  std::ofstream(dir_ / "gw1-debs" / ".hidden") << "left out";
  std::ofstream(dir_ / "wheels" / "paho_mqtt-1.6.1-py3-none-any.whl") << "whl";
  ASSERT_TRUE(Load(std::string(kHead) + R"(gateway_groups:
  line: { members: [gw1], package_bundle: ./site-debs }
gateways:
  gw1:
    address: 10.0.0.1
    package_bundle: ./gw1-debs
    packages: [mfg-agent, python3-venv]
    python_envs:
      /opt/collector/venv: { requirements: ["paho-mqtt==1.6.1"], wheels: ./wheels }
)")) << Error();
  // The host's package_bundle replaces its group's.
  const Resource* debs = Find("gw1:bundle[/var/lib/mfgctl/bundles/packages]");
  ASSERT_NE(debs, nullptr);
  EXPECT_EQ(debs->attributes["source"], (dir_ / "gw1-debs").string());
  EXPECT_EQ(debs->attributes["apt"], true);
  EXPECT_EQ(debs->attributes["files"],
            Value({{"mfg-agent_1.2-1_all.deb", Sha256Digest("deb")}}));
  EXPECT_EQ(Find("gw1:package[mfg-agent]")->depends_on,
            (std::vector<std::string>{"gw1:bundle[/var/lib/mfgctl/bundles/packages]"}));
  const Resource* env = Find("gw1:python_env[/opt/collector/venv]");
  ASSERT_NE(env, nullptr);
  EXPECT_EQ(env->attributes["find_links"], "/var/lib/mfgctl/wheels/opt/collector/venv");
  EXPECT_EQ(env->attributes.contains("wheels"), false);
  EXPECT_EQ(env->depends_on, (std::vector<std::string>{
                                 "gw1:bundle[/var/lib/mfgctl/wheels/opt/collector/venv]",
                                 "gw1:package[mfg-agent]", "gw1:package[python3-venv]"}));
  const Resource* wheels = Find("gw1:bundle[/var/lib/mfgctl/wheels/opt/collector/venv]");
  ASSERT_NE(wheels, nullptr);
  EXPECT_EQ(wheels->attributes.contains("apt"), false);
}

TEST_F(BlueprintTest, BundleErrorsPointAtTheKey) {
  EXPECT_FALSE(Load(std::string(kHead) +
                    "gateways:\n  gw1:\n    address: 10.0.0.1\n    package_bundle: ./nowhere\n"));
  EXPECT_EQ(Error().substr(0, Error().find('\n')),
            "DIR/plant.yaml:8:21: error: cannot read the directory DIR/nowhere: No such file or "
            "directory");
  std::filesystem::create_directories(dir_ / "wheels");
  EXPECT_FALSE(Load(std::string(kHead) +
                    "gateways:\n  gw1:\n    address: 10.0.0.1\n    python_envs:\n"
                    "      /opt/v: { wheels: ./wheels, find_links: /srv/w }\n"));
  EXPECT_EQ(Error().substr(0, Error().find('\n')),
            "DIR/plant.yaml:9:47: error: set \"wheels:\" (a local directory to upload) or "
            "\"find_links:\" (a directory on the host), not both");
}

TEST_F(BlueprintTest, TheGatewaysIssueExampleExpands) {
  for (const char* d : {"bundle", "build", "wheels"}) std::filesystem::create_directories(dir_ / d);
  std::ofstream(dir_ / "collector.service.tmpl") << "[Service]\nExecStart=/opt/collector/bin/collect\n";
  std::ofstream(dir_ / "build" / "collect") << "#!/bin/sh\n";
  ASSERT_TRUE(Load(R"(mfgctl: 1
plant: line-demo
providers:
  ssh: { user: root, identity_file: ./keys/id, known_hosts: ./keys/known_hosts }
gateway_groups:                       # shared settings, merged under each member's own
  line-gateways: { members: [gw1, gw2], packages: [mosquitto] }
gateways:
  gw1:
    address: 10.20.1.10
    package_bundle: ./bundle          # local dir of .deb files: uploaded, indexed, the source for packages
    packages:
      mfg-agent: { version: "1.2-1" }
      telnet: { state: absent }
    groups:
      plant: { gid: 1600 }
    users:
      ops: { uid: 1500, groups: [plant], shell: /bin/bash, authorized_keys: ["ssh-ed25519 AAAA... ops"] }
    files:
      /etc/systemd/system/collector.service: { template: ./collector.service.tmpl, notify: ["service[collector]"] }
      /opt/collector/bin/collect: { source: ./build/collect, mode: "0755" }
    services:
      collector: { enabled: true, running: true }   # daemon-reload when its unit file changed
    sysctl:
      net.ipv4.ip_forward: "1"
    python_envs:
      /opt/collector/venv: { requirements: ["paho-mqtt==1.6.1"], wheels: ./wheels }
  gw2:
    address: 10.20.1.11
)")) << Error();
  std::vector<std::string> addresses;
  for (const auto& r : config_.resources) addresses.push_back(r.address.ToString());
  std::sort(addresses.begin(), addresses.end());
  EXPECT_EQ(addresses, (std::vector<std::string>{
                           "gw1:bundle[/var/lib/mfgctl/bundles/packages]",
                           "gw1:bundle[/var/lib/mfgctl/wheels/opt/collector/venv]",
                           "gw1:file[/etc/systemd/system/collector.service]",
                           "gw1:file[/opt/collector/bin/collect]",
                           "gw1:group[plant]",
                           "gw1:package[mfg-agent]",
                           "gw1:package[mosquitto]",
                           "gw1:package[telnet]",
                           "gw1:python_env[/opt/collector/venv]",
                           "gw1:service[collector]",
                           "gw1:sysctl[net.ipv4.ip_forward]",
                           "gw1:user[ops]",
                           "gw2:package[mosquitto]",
                       }));
  EXPECT_EQ(Find("gw1:service[collector]")->depends_on,
            (std::vector<std::string>{"gw1:file[/etc/systemd/system/collector.service]"}));
}

TEST_F(BlueprintTest, VarOverridesDefaultAndEnvIsRead) {
  env_["SITE"] = "suzhou";
  ASSERT_TRUE(Load(std::string(kHead) + R"(variables:
  greeting: { default: "hello" }
gateways:
  gw1:
    address: 10.0.0.1
    files:
      /a: { content: "${var.greeting} from ${env.SITE}, $${literal}" }
)",
                   {{"greeting", "hi"}}))
      << Error();
  EXPECT_EQ(Find("gw1:file[/a]")->attributes["content"], "hi from suzhou, ${literal}");
}

TEST_F(BlueprintTest, MalformedYamlNamesLineAndColumn) {
  EXPECT_FALSE(Load("mfgctl: 1\nplant: x\ngateways:\n  gw1: { address: [1, 2\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:5:1: error: invalid YAML: end of sequence flow not found");
}

TEST_F(BlueprintTest, UnknownKeySuggestsTheRightOne) {
  EXPECT_FALSE(Load(std::string(kHead) + "gateways:\n  gw1:\n    adress: 10.0.0.1\n"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:7:5: error: unknown key \"adress\" in gateway \"gw1\"; did you mean "
            "\"address\"?");
}

TEST_F(BlueprintTest, UnknownTopLevelKey) {
  EXPECT_FALSE(Load("mfgctl: 1\nplant: x\ngateway: {}\n"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:3:1: error: unknown key \"gateway\" in the blueprint; did you mean "
            "\"gateways\"?");
}

TEST_F(BlueprintTest, WrongTypeSaysWhatWasExpected) {
  EXPECT_FALSE(Load(std::string(kHead) +
                    "gateways:\n  gw1:\n    address: 10.0.0.1\n    port: twenty-two\n"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:8:11: error: attribute \"port\" must be a number, got the string "
            "\"twenty-two\"");
  EXPECT_FALSE(Load(std::string(kHead) +
                    "gateways:\n  gw1:\n    address: 10.0.0.1\n    files:\n"
                    "      /a: { content: [1, 2] }\n"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:9:22: error: attribute \"content\" must be a string, got a list");
}

TEST_F(BlueprintTest, UndefinedVariablePointsAtTheExpression) {
  EXPECT_FALSE(Load(std::string(kHead) + R"(variables:
  greeting: hello
gateways:
  gw1:
    address: 10.0.0.1
    files:
      /a: { content: "say=${var.greting}" }
)"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:11:27: error: undefined variable \"greting\"; did you mean "
            "\"greeting\"?");
}

TEST_F(BlueprintTest, UnsetEnvironmentVariable) {
  EXPECT_FALSE(Load(std::string(kHead) +
                    "gateways:\n  gw1:\n    address: ${env.GW1_ADDRESS}\n"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:7:14: error: environment variable \"GW1_ADDRESS\" is not set");
}

TEST_F(BlueprintTest, UnknownCliVariable) {
  EXPECT_FALSE(Load(std::string(kHead) + "variables:\n  greeting: hello\n", {{"greting", "x"}}));
  EXPECT_EQ(Error(),
            "--var greting: error: no variable named \"greting\" is declared; did you mean "
            "\"greeting\"?\n  declare it under \"variables:\" in the blueprint");
}

TEST_F(BlueprintTest, VariableWithoutValue) {
  EXPECT_FALSE(Load(std::string(kHead) + "variables:\n  site: { type: string }\n"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:6:3: error: variable \"site\" has no value\n  give it a default, or "
            "pass --var site=VALUE");
}

TEST_F(BlueprintTest, CycleNamesEveryNode) {
  EXPECT_FALSE(Load(std::string(kHead) + R"(gateways:
  gw1:
    address: 10.0.0.1
    commands:
      a: { run: "true", after: ["command[b]"] }
      b: { run: "true", after: ["command[c]"] }
      c: { run: "true", after: ["gw1:command[a]"] }
)"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:9:7: error: dependency cycle: gw1:command[a] -> gw1:command[b] -> "
            "gw1:command[c] -> gw1:command[a]\n"
            "  gw1:command[a] declared at DIR/plant.yaml:9:7\n"
            "  gw1:command[b] declared at DIR/plant.yaml:10:7\n"
            "  gw1:command[c] declared at DIR/plant.yaml:11:7");
}

TEST_F(BlueprintTest, ReferenceAddsDependencyAndValue) {
  ASSERT_TRUE(Load(std::string(kHead) + R"(gateways:
  gw1:
    address: 10.0.0.1
    files:
      /etc/a: { content: "x", mode: "0600" }
  gw2:
    address: 10.0.0.2
    files:
      /etc/b: { content: "mode of a is ${gw1:file[/etc/a].mode}" }
)")) << Error();
  const Resource* b = Find("gw2:file[/etc/b]");
  EXPECT_EQ(b->attributes["content"], "mode of a is 0600");
  EXPECT_EQ(b->depends_on, (std::vector<std::string>{"gw1:file[/etc/a]"}));
}

TEST_F(BlueprintTest, ReferenceToAComputedAttributeWaitsForTheProvider) {
  ASSERT_TRUE(Load(std::string(kHead) + R"(gateways:
  gw1:
    address: 10.0.0.1
    packages:
      sl: {}
      mfg-demo: { version: "2.0-1" }
    users:
      ops: { uid: "${gw1:group[ops].gid}" }
    groups: [ops]
    files:
      /etc/versions: { content: "sl ${package[sl].version}, demo ${package[mfg-demo].version}" }
      /etc/copy: { content: "${file[/etc/versions].content}" }
)")) << Error();
  // What the blueprint sets is used as it is; what it leaves to the host is
  // a marker the plan or the apply resolves.
  const Resource* versions = Find("gw1:file[/etc/versions]");
  EXPECT_EQ(versions->attributes["content"],
            "sl " + UnknownMarker("gw1:package[sl]", "version") + ", demo 2.0-1");
  EXPECT_EQ(versions->deferred, std::vector<std::string>{"content"});
  EXPECT_EQ(Find("gw1:file[/etc/copy]")->deferred, std::vector<std::string>{"content"});
  // A whole marker passes for a number until it is known.
  EXPECT_EQ(Find("gw1:user[ops]")->attributes["uid"], UnknownMarker("gw1:group[ops]", "gid"));
  EXPECT_TRUE(Find("gw1:package[sl]")->deferred.empty());
}

TEST_F(BlueprintTest, LifecycleProtectedOnAnyResource) {
  ASSERT_TRUE(Load(std::string(kHead) + R"(gateways:
  gw1:
    address: 10.0.0.1
    files:
      /etc/safety.conf: { content: "x", lifecycle: { protected: true } }
resources:
  - { type: host.package, on: gw1, name: sl, lifecycle: { protected: yes } }
)")) << Error();
  EXPECT_TRUE(Find("gw1:file[/etc/safety.conf]")->is_protected);
  EXPECT_TRUE(Find("gw1:package[sl]")->is_protected);
  EXPECT_FALSE(Find("gw1:file[/etc/safety.conf]")->attributes.contains("lifecycle"));
  EXPECT_FALSE(Load(std::string(kHead) + R"(gateways:
  gw1:
    address: 10.0.0.1
    files:
      /etc/safety.conf: { content: "x", lifecycle: { protect: true } }
)"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:9:54: error: unknown key \"protect\" in \"lifecycle\"; did "
                     "you mean \"protected\"?");
}

TEST_F(BlueprintTest, AfterUndeclaredResource) {
  EXPECT_FALSE(Load(std::string(kHead) + R"(gateways:
  gw1:
    address: 10.0.0.1
    packages: [mosquitto]
    commands:
      a: { run: "true", after: ["package[mosquito]"] }
)"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:10:33: error: \"after\" names undeclared resource "
            "gw1:package[mosquito]; did you mean \"gw1:package[mosquitto]\"?");
}

TEST_F(BlueprintTest, MissingRequiredAttribute) {
  EXPECT_FALSE(Load(std::string(kHead) +
                    "gateways:\n  gw1:\n    address: 10.0.0.1\n    commands:\n      a: {}\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:9:7: error: gw1:command[a] needs \"run:\"");
  EXPECT_FALSE(Load(std::string(kHead) + "gateways:\n  gw1:\n    port: 22\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:6:3: error: gateway \"gw1\" needs \"address:\"");
}

TEST_F(BlueprintTest, RawResourcesUseTheSameTypes) {
  ASSERT_TRUE(Load(std::string(kHead) + R"(gateways:
  gw1: { address: 10.0.0.1 }
resources:
  - { type: host.command, on: gw1, name: warm, run: "echo hi", creates: /var/cache/x }
)")) << Error();
  EXPECT_EQ(Find("gw1:command[warm]")->attributes["run"], "echo hi");
  EXPECT_FALSE(Load(std::string(kHead) + R"(gateways:
  gw1: { address: 10.0.0.1 }
resources:
  - { type: host.comand, on: gw1, name: warm, run: "echo hi" }
)"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:8:13: error: unknown resource type \"host.comand\"; did you mean "
            "\"host.command\"?");
}

TEST_F(BlueprintTest, GatewayGroupsShareSettingsAndTheHostWins) {
  ASSERT_TRUE(Load(std::string(kHead) + R"(gateway_groups:
  line-gateways:
    members: [gw1, gw2]
    port: 2200
    packages: [mosquitto, sl]
    files:
      /etc/motd: { content: "line gateway\n", mode: "0644" }
  secure:
    members: [gw2]
    user: ops
gateways:
  gw1:
    address: 10.0.0.1
    files:
      /etc/motd: { content: "gw1 is special\n" }
  gw2:
    address: 10.0.0.2
    port: 22
    packages: [htop]
)")) << Error();
  EXPECT_EQ(config_.targets.at("gw1").config["port"], 2200);
  EXPECT_EQ(config_.targets.at("gw1").config["user"], "root");
  EXPECT_EQ(config_.targets.at("gw2").config["port"], 22);
  EXPECT_EQ(config_.targets.at("gw2").config["user"], "ops");
  ASSERT_NE(Find("gw1:package[mosquitto]"), nullptr);
  ASSERT_NE(Find("gw2:package[sl]"), nullptr);
  ASSERT_NE(Find("gw2:package[htop]"), nullptr);
  EXPECT_EQ(Find("gw1:package[htop]"), nullptr);
  // The host's entry replaces the group's entry of the same name, whole.
  EXPECT_EQ(Find("gw1:file[/etc/motd]")->attributes, (Value{{"content", "gw1 is special\n"}}));
  EXPECT_EQ(Find("gw2:file[/etc/motd]")->attributes["content"], "line gateway\n");
}

TEST_F(BlueprintTest, GatewayGroupMemberMustBeDeclared) {
  EXPECT_FALSE(Load(std::string(kHead) + R"(gateway_groups:
  line: { members: [gw1, gw3] }
gateways:
  gw1: { address: 10.0.0.1 }
  gw2: { address: 10.0.0.2 }
)"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:6:26: error: member \"gw3\" of gateway group \"line\" is not a "
            "declared gateway; did you mean \"gw1\"?");
}

TEST_F(BlueprintTest, UnquotedAddressInFlowBracketsPointsAtTheFix) {
  EXPECT_FALSE(Load(std::string(kHead) +
                    "gateways:\n  gw1:\n    address: 10.0.0.1\n    commands:\n"
                    "      a: { run: \"true\", after: [package[sl]] }\n"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:9:40: error: invalid YAML: end of sequence flow not found\n"
            "  a resource address inside [ ] needs quotes: [\"package[sl]\"], not "
            "[package[sl]]");
  // The same in block style.
  EXPECT_FALSE(Load(std::string(kHead) +
                    "gateways:\n  gw1:\n    address: 10.0.0.1\n    commands:\n"
                    "      a:\n        run: \"true\"\n        after: [package[sl]]\n"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:11:24: error: invalid YAML: end of sequence flow not found\n"
            "  a resource address inside [ ] needs quotes: [\"package[sl]\"], not "
            "[package[sl]]");
}

TEST_F(BlueprintTest, TemplateIsRenderedAndSourceReadVerbatim) {
  std::ofstream(dir_ / "collector.service.tmpl")
      << "[Service]\nExecStart=/opt/collector/bin/collect --site ${var.site}\n"
         "# $${literal}\n";
  std::ofstream(dir_ / "collect", std::ios::binary) << std::string("\x7f" "ELF\0\xff\x01", 7);
  ASSERT_TRUE(Load(std::string(kHead) + R"(variables:
  site: { default: suzhou-1 }
gateways:
  gw1:
    address: 10.0.0.1
    files:
      /etc/systemd/system/collector.service: { template: ./collector.service.tmpl }
      /opt/collector/bin/collect: { source: ./collect, mode: "0755" }
)")) << Error();
  EXPECT_EQ(Find("gw1:file[/etc/systemd/system/collector.service]")->attributes["content"],
            "[Service]\nExecStart=/opt/collector/bin/collect --site suzhou-1\n# ${literal}\n");
  const Resource* bin = Find("gw1:file[/opt/collector/bin/collect]");
  EXPECT_EQ(bin->attributes["content"], std::string("\x7f" "ELF\0\xff\x01", 7));
  EXPECT_FALSE(bin->attributes.contains("source"));
  // Binary content does not break the configuration digest.
  EXPECT_EQ(DigestOf(config_, "salt").size(), 71u);
}

TEST_F(BlueprintTest, TemplateErrorsPointIntoTheTemplate) {
  std::ofstream(dir_ / "bad.tmpl") << "line one\nport=${var.prot}\n";
  EXPECT_FALSE(Load(std::string(kHead) + R"(variables:
  port: { default: "1883" }
gateways:
  gw1:
    address: 10.0.0.1
    files:
      /etc/x.conf: { template: ./bad.tmpl }
)"));
  EXPECT_EQ(Error(),
            "DIR/bad.tmpl:2:6: error: undefined variable \"prot\"; did you mean \"port\"?");
}

TEST_F(BlueprintTest, ContentAndTemplateTogetherIsAnError) {
  std::ofstream(dir_ / "t.tmpl") << "x";
  EXPECT_FALSE(Load(std::string(kHead) +
                    "gateways:\n  gw1:\n    address: 10.0.0.1\n    files:\n"
                    "      /a: { content: \"x\", template: ./t.tmpl }\n"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:9:37: error: gw1:file[/a] sets both \"template\" and \"content\"; "
            "keep one");
  EXPECT_FALSE(Load(std::string(kHead) +
                    "gateways:\n  gw1:\n    address: 10.0.0.1\n    files:\n      /a: {}\n"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:9:7: error: gw1:file[/a] needs \"content:\" (or \"source:\", "
            "\"template:\")");
}

TEST_F(BlueprintTest, StateAbsentNeedsNothingElseAndOnlyKnownStates) {
  ASSERT_TRUE(Load(std::string(kHead) +
                   "gateways:\n  gw1:\n    address: 10.0.0.1\n    packages:\n"
                   "      telnet: { state: absent }\n    files:\n"
                   "      /etc/old.conf: { state: absent }\n"))
      << Error();
  EXPECT_FALSE(Load(std::string(kHead) +
                    "gateways:\n  gw1:\n    address: 10.0.0.1\n    packages:\n"
                    "      telnet: { state: absnt }\n"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:9:24: error: attribute \"state\" must be present or absent, got "
            "\"absnt\"; did you mean \"absent\"?");
}

TEST_F(BlueprintTest, SysctlEntriesAreScalars) {
  ASSERT_TRUE(Load(std::string(kHead) +
                   "gateways:\n  gw1:\n    address: 10.0.0.1\n    sysctl:\n"
                   "      net.ipv4.ip_forward: \"1\"\n      vm.swappiness: 10\n"))
      << Error();
  EXPECT_EQ(Find("gw1:sysctl[net.ipv4.ip_forward]")->attributes["value"], "1");
  EXPECT_EQ(Find("gw1:sysctl[vm.swappiness]")->attributes["value"], "10");
}

TEST_F(BlueprintTest, NotifyNamesAServiceThatComesAfterTheFile) {
  ASSERT_TRUE(Load(std::string(kHead) + R"(gateways:
  gw1:
    address: 10.0.0.1
    files:
      /etc/collector.conf: { content: "x", notify: ["service[collector]"] }
    services:
      collector: { enabled: true, running: true }
)")) << Error();
  EXPECT_EQ(Find("gw1:file[/etc/collector.conf]")->attributes["notify"],
            (Value{"gw1:service[collector]"}));
  EXPECT_EQ(Find("gw1:service[collector]")->depends_on,
            (std::vector<std::string>{"gw1:file[/etc/collector.conf]"}));
  EXPECT_FALSE(Load(std::string(kHead) + R"(gateways:
  gw1:
    address: 10.0.0.1
    files:
      /etc/collector.conf: { content: "x", notify: ["service[colector]"] }
    services:
      collector: { running: true }
)"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:9:53: error: \"notify\" names undeclared resource "
            "gw1:service[colector]; did you mean \"gw1:service[collector]\"?");
}

TEST_F(BlueprintTest, DuplicateKeysAreRefused) {
  EXPECT_FALSE(Load("mfgctl: 1\nplant: a\nplant: b\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:3:1: error: duplicate key \"plant\"");
}

TEST_F(BlueprintTest, WrongVersion) {
  EXPECT_FALSE(Load("mfgctl: 2\nplant: a\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:1:9: error: unsupported blueprint version; expected "
                     "\"mfgctl: 1\"");
}

// A container of an images: entry's name references that entry's id.
TEST_F(BlueprintTest, AContainerOfADeclaredImageRunsItsId) {
  ASSERT_TRUE(Load(std::string(kHead) +
                   "gateways:\n  gw:\n    address: 10.0.0.1\n    packages: [podman]\n"
                   "    images: { collector: { name: \"localhost/c:1\" } }\n"
                   "    containers:\n      c: { image: \"localhost/c:1\" }\n"
                   "      other: { image: \"registry.example/o:1\" }\n"))
      << Error();
  const Resource* c = Find("gw:container[c]");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->deferred, std::vector<std::string>{"image_id"});
  for (const char* dep : {"gw:image[collector]", "gw:package[podman]"}) {
    EXPECT_NE(std::find(c->depends_on.begin(), c->depends_on.end(), dep), c->depends_on.end())
        << dep;
  }
  const Resource* other = Find("gw:container[other]");
  ASSERT_NE(other, nullptr);
  EXPECT_FALSE(other->attributes.contains("image_id"));
  EXPECT_FALSE(Load(std::string(kHead) +
                    "gateways:\n  gw:\n    address: 10.0.0.1\n"
                    "    images: { \"a}b\": { name: x } }\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:8:15: error: image key \"a}b\" may not contain '[', ']', "
                     "'{', '}', '$' or spaces: containers reference it");
}

// A fleet's hold and status read a plant's state: they load its name,
// variables and state: alone, so no secret of its resources is needed.
TEST_F(BlueprintTest, StateOnlyNeedsNoSecretOfTheResources) {
  std::string yaml = std::string(kHead) +
                     "state: { backend: etcd, endpoints: [\"http://127.0.0.1:2379\"], prefix: /p }\n"
                     "gateways:\n  gw:\n    address: 10.0.0.1\n"
                     "    files: { /a: { content: \"${secret.TOKEN}\" } }\n";
  EXPECT_FALSE(Load(yaml));
  EXPECT_NE(Error().find("secret \"TOKEN\" is not set"), std::string::npos) << Error();
  state_only_ = true;
  ASSERT_TRUE(Load(yaml)) << Error();
  EXPECT_EQ(config_.plant, "line-demo");
  EXPECT_TRUE(config_.resources.empty());
  ASSERT_TRUE(config_.state.has_value());
  EXPECT_EQ(config_.state->provider, "etcd");
  EXPECT_EQ(config_.state->settings["prefix"], "/p");
}

// A plant of a fleet names its own paths: a section entry's name may hold
// variables; never a secret or a resource's attribute (names are addresses,
// fixed before anything is read).
TEST_F(BlueprintTest, VariablesInNamesAreEvaluated) {
  ASSERT_TRUE(Load(std::string(kHead) +
                   "variables: { site: { default: suzhou-1 }, t: { default: abcdef, sensitive: true } }\n"
                   "gateways:\n  gw:\n    address: 10.0.0.1\n"
                   "    directories: { \"/srv/${var.site}\": {} }\n"
                   "    files: { \"/srv/${var.site}/a\": { content: x } }\n"
                   "hypervisors:\n  hv:\n    address: 10.0.0.2\n"
                   "    networks: { \"${var.site}-ot\": { mode: isolated } }\n"))
      << Error();
  const Resource* f = Find("gw:file[/srv/suzhou-1/a]");
  ASSERT_NE(f, nullptr);
  // The file's folder is a directory of the blueprint: it comes first.
  EXPECT_NE(std::find(f->depends_on.begin(), f->depends_on.end(), "gw:directory[/srv/suzhou-1]"),
            f->depends_on.end());
  EXPECT_NE(Find("hv:network[suzhou-1-ot]"), nullptr);
  EXPECT_FALSE(Load(std::string(kHead) +
                    "variables: { t: { default: abcdef, sensitive: true } }\n"
                    "gateways:\n  gw:\n    address: 10.0.0.1\n    packages: [\"${var.t}\"]\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:9:16: error: a name cannot come from a secret: it is shown in "
                     "addresses, plans and state");
  EXPECT_FALSE(Load(std::string(kHead) +
                    "gateways:\n  gw:\n    address: 10.0.0.1\n    packages: [a]\n"
                    "    files: { \"/x/${gw:package[a].name}\": { content: a } }\n"));
  EXPECT_NE(Error().find("error: a resource reference cannot be used here"), std::string::npos)
      << Error();
}

}  // namespace
}  // namespace mfgctl
