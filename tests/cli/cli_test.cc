// The mfgctl binary's offline behaviour: commands that need no host
// (version, help, validate, graph, state), exit codes, error rendering and
// colour rules. Real binary, real files; no hosts.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

#include "engine/model/value.h"
#include "tests/support/process.h"

namespace mfgctl {
namespace {

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mfgctl-cli-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }

  ProcessResult Mfgctl(std::vector<std::string> args) {
    args.insert(args.begin(), MFGCTL_BINARY);
    return RunProgram(args, dir_.string());
  }

  // Runs mfgctl, which must fail (exit 1) with exactly `err`.
  void ExpectError(std::vector<std::string> args, const std::string& err) {
    ProcessResult r = Mfgctl(std::move(args));
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_EQ(r.err, err);
  }

  static constexpr const char* kPlant =
      "mfgctl: 1\n"
      "plant: cli\n"
      "providers:\n"
      "  ssh: { known_hosts: ./known_hosts }\n"
      "gateways:\n"
      "  gw1:\n"
      "    address: 192.0.2.10\n"
      "    directories:\n"
      "      /srv/app: { mode: \"0750\" }\n"
      "    files:\n"
      "      /srv/app/a.conf: { content: \"a\" }\n";

  std::filesystem::path dir_;
};

TEST_F(CliTest, VersionAndHelpListEveryCommand) {
  EXPECT_EQ(Mfgctl({"version"}).out, "mfgctl v" MFGCTL_VERSION "\n");
  ProcessResult help = Mfgctl({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* cmd : {"validate", "plan", "apply", "destroy", "show", "state", "import",
                          "force-unlock", "graph", "trust", "version", "output", "templates",
                          "fleet"}) {
    EXPECT_NE(help.out.find(std::string("\n  ") + cmd + " "), std::string::npos) << cmd;
  }
  ProcessResult plan_help = Mfgctl({"plan", "--help"});
  for (const char* flag : {"--out", "--detailed-exitcode", "--json", "--var", "--var-file",
                           "--target", "--parallelism", "-f,--file"}) {
    EXPECT_NE(plan_help.out.find(flag), std::string::npos) << flag;
  }
}

TEST_F(CliTest, UnknownCommandIsAUsageError) {
  ProcessResult r = Mfgctl({"plna"});
  EXPECT_EQ(r.exit_code, 1);
}

TEST_F(CliTest, ValidateDefaultsToPlantYaml) {
  Write("plant.yaml", kPlant);
  ProcessResult r = Mfgctl({"validate"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "The blueprint is valid: plant cli, 2 resources on 1 host.\n");
}

TEST_F(CliTest, ValidateCountsTheCloudApartFromHosts) {
  Write("plant.yaml",
        "mfgctl: 1\nplant: cli\nproviders:\n  gcp: { project: acme }\n"
        "gateways:\n  gw1:\n    address: 192.0.2.10\n    packages: [mosquitto]\n"
        "cloud:\n  pubsub:\n    topics:\n      telemetry: {}\n      dead: {}\n");
  ProcessResult r = Mfgctl({"validate"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "The blueprint is valid: plant cli, 3 resources on 1 host and the cloud.\n");
}

TEST_F(CliTest, NoBlueprintSaysHowToPassOne) {
  ProcessResult r = Mfgctl({"plan"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: no plant.yaml in the current directory\n  pass the blueprint with -f FILE\n");
}

TEST_F(CliTest, ErrorsShowFileLineColumnAndACaret) {
  Write("bad.yaml", std::string(kPlant) + "    packges: [sl]\n");
  ProcessResult r = Mfgctl({"plan", "-f", "bad.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  std::string file = (dir_ / "bad.yaml").string();
  EXPECT_EQ(r.err, file +
                       ":12:5: error: unknown key \"packges\" in gateway \"gw1\"; did you mean "
                       "\"packages\"?\n"
                       "  12 |     packges: [sl]\n"
                       "     |     ^\n");
  EXPECT_EQ(r.out, "");
}

TEST_F(CliTest, CycleIsAnErrorNamingTheCycle) {
  Write("plant.yaml", std::string(kPlant) +
                          "    commands:\n"
                          "      a: { run: \"true\", after: [\"command[b]\"] }\n"
                          "      b: { run: \"true\", after: [\"command[a]\"] }\n");
  ProcessResult r = Mfgctl({"validate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("error: dependency cycle: gw1:command[a] -> gw1:command[b] -> "
                       "gw1:command[a]"),
            std::string::npos)
      << r.err;
}

TEST_F(CliTest, JsonDiagnostics) {
  Write("plant.yaml", "mfgctl: 1\nplant: x\ngateways: [1]\n");
  ProcessResult r = Mfgctl({"validate", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  std::string second = r.out.substr(r.out.find('\n') + 1);
  Value diag = Value::parse(second);
  EXPECT_EQ(diag["type"], "diagnostic");
  EXPECT_EQ(diag["@level"], "error");
  EXPECT_EQ(diag["diagnostic"]["summary"], "\"gateways\" must be a map, got a list");
  EXPECT_EQ(diag["diagnostic"]["range"]["start"]["line"], 3);
  EXPECT_EQ(diag["diagnostic"]["range"]["start"]["column"], 11);
}

TEST_F(CliTest, ColourOnlyOnATerminalAndNeverWithNoColor) {
  Write("plant.yaml", "mfgctl: 1\nplant: x\nbogus: 1\n");
  // No terminal: plain text.
  EXPECT_EQ(Mfgctl({"validate"}).err.find("\033["), std::string::npos);
  // A terminal (script(1) gives the command a pty): coloured...
  std::string cmd = std::string(MFGCTL_BINARY) + " validate";
  ProcessResult tty = RunProgram({"script", "-qec", cmd, "/dev/null"}, dir_.string());
  EXPECT_NE(tty.out.find("\033[31m"), std::string::npos) << tty.out;
  // ...unless NO_COLOR is set.
  ProcessResult no_color =
      RunProgram({"env", "NO_COLOR=1", "script", "-qec", cmd, "/dev/null"}, dir_.string());
  EXPECT_NE(no_color.out.find("unknown key \"bogus\""), std::string::npos) << no_color.out;
  EXPECT_EQ(no_color.out.find("\033["), std::string::npos) << no_color.out;
}

TEST_F(CliTest, GraphIsDot) {
  Write("plant.yaml", kPlant);
  ProcessResult r = Mfgctl({"graph"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out,
            "digraph mfgctl {\n"
            "  rankdir = \"RL\";\n"
            "  node [shape = box];\n"
            "  subgraph cluster_0 {\n"
            "    label = \"gw1\";\n"
            "    \"gw1:directory[/srv/app]\";\n"
            "    \"gw1:file[/srv/app/a.conf]\";\n"
            "  }\n"
            "  \"gw1:file[/srv/app/a.conf]\" -> \"gw1:directory[/srv/app]\";\n"
            "}\n");
}

TEST_F(CliTest, StateListShowAndRemove) {
  Write("plant.yaml", kPlant);
  std::filesystem::create_directories(dir_ / ".mfgctl");
  Write(".mfgctl/cli.state.json", R"({"version": 1, "lineage": "L", "serial": 4, "plant": "cli",
    "targets": {"gw1": {"provider": "ssh", "config": {"address": "192.0.2.10"}}},
    "resources": [
      {"address": "gw1:directory[/srv/app]", "type": "host.directory",
       "attributes": {"mode": "0750"}, "dependencies": []},
      {"address": "gw1:file[/srv/app/a.conf]", "type": "host.file",
       "attributes": {"content": "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"},
       "dependencies": ["gw1:directory[/srv/app]"]}]})");
  EXPECT_EQ(Mfgctl({"state", "list"}).out,
            "gw1:directory[/srv/app]\ngw1:file[/srv/app/a.conf]\n");
  EXPECT_EQ(Mfgctl({"state", "show", "gw1:directory[/srv/app]"}).out,
            "# gw1:directory[/srv/app]:\n"
            "host.directory \"gw1:directory[/srv/app]\" {\n"
            "    mode = \"0750\"\n"
            "}\n");
  ProcessResult rm = Mfgctl({"state", "rm", "gw1:file[/srv/app/a.conf]"});
  EXPECT_EQ(rm.exit_code, 0) << rm.err;
  EXPECT_EQ(Mfgctl({"state", "list"}).out, "gw1:directory[/srv/app]\n");
  ProcessResult missing = Mfgctl({"state", "rm", "gw1:directory[/srv/ap]"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err,
            "error: no resource gw1:directory[/srv/ap] in the state; did you mean "
            "\"gw1:directory[/srv/app]\"?\n");
  std::ifstream in(dir_ / ".mfgctl/cli.state.json");
  Value state = Value::parse(in);
  EXPECT_EQ(state["serial"], 5);
  EXPECT_EQ(std::filesystem::status(dir_ / ".mfgctl/cli.state.json").permissions() &
                std::filesystem::perms::all,
            std::filesystem::perms(0600));
}

  static constexpr const char* kTwoResourceState =
      R"({"version": 1, "lineage": "L", "serial": 4, "plant": "cli", "salt": "s",
    "targets": {"gw1": {"provider": "ssh", "config": {"address": "192.0.2.10"}}},
    "resources": [
      {"address": "gw1:directory[/srv/app]", "type": "host.directory",
       "attributes": {"mode": "0750"}, "dependencies": []},
      {"address": "gw1:file[/srv/app/a.conf]", "type": "host.file",
       "attributes": {"mode": "0644"}, "dependencies": ["gw1:directory[/srv/app]"]}]})";

TEST_F(CliTest, StateMoveRenamesAndRewiresDependencies) {
  Write("plant.yaml", kPlant);
  std::filesystem::create_directories(dir_ / ".mfgctl");
  Write(".mfgctl/cli.state.json", kTwoResourceState);
  ProcessResult dry = Mfgctl({"state", "mv", "--dry-run", "gw1:directory[/srv/app]",
                              "gw1:directory[/srv/app2]"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(dry.out,
            "Would move \"gw1:directory[/srv/app]\" to \"gw1:directory[/srv/app2]\"\n"
            "Would update the dependencies of gw1:file[/srv/app/a.conf]\n");
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".mfgctl/cli.state.json.backup"));
  ProcessResult mv =
      Mfgctl({"state", "mv", "gw1:directory[/srv/app]", "gw1:directory[/srv/app2]"});
  EXPECT_EQ(mv.exit_code, 0) << mv.err;
  EXPECT_EQ(mv.out,
            "Move \"gw1:directory[/srv/app]\" to \"gw1:directory[/srv/app2]\"\n"
            "Updated the dependencies of gw1:file[/srv/app/a.conf]\n"
            "Successfully moved 1 object(s).\n");
  std::ifstream in(dir_ / ".mfgctl/cli.state.json");
  Value state = Value::parse(in);
  EXPECT_EQ(state["serial"], 5);
  EXPECT_EQ(state["resources"][0]["address"], "gw1:directory[/srv/app2]");
  EXPECT_EQ(state["resources"][1]["dependencies"], Value::array({"gw1:directory[/srv/app2]"}));
  EXPECT_TRUE(std::filesystem::exists(dir_ / ".mfgctl/cli.state.json.backup"));

  ExpectError({"state", "mv", "gw1:directory[/srv/ap]", "gw1:directory[/x]"},
              "error: no resource gw1:directory[/srv/ap] in the state; did you mean "
              "\"gw1:directory[/srv/app2]\"?\n");
  ExpectError({"state", "mv", "gw1:directory[/srv/app2]", "gw1:file[/x]"},
              "error: cannot move gw1:directory[/srv/app2] to gw1:file[/x]: a host.directory "
              "keeps its kind (directory, not file)\n");
  EXPECT_EQ(Mfgctl({"state", "mv", "gw1:directory[/srv/app2]"}).exit_code, 1);  // usage
}

TEST_F(CliTest, ForceUnlockNamesTheHolderAndRefusesALiveLocalLock) {
  Write("plant.yaml", kPlant);
  ProcessResult free = Mfgctl({"force-unlock"});
  EXPECT_EQ(free.exit_code, 0) << free.err;
  EXPECT_EQ(free.out, "The state of plant cli is not locked.\n");
  std::filesystem::create_directories(dir_ / ".mfgctl");
  std::string lock = (dir_ / ".mfgctl/cli.state.json.lock").string();
  int fd = open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(flock(fd, LOCK_EX | LOCK_NB), 0);
  std::string who = "pid 4242 (mfgctl apply) of ops@eng-laptop\n";
  ASSERT_EQ(write(fd, who.data(), who.size()), static_cast<ssize_t>(who.size()));
  ProcessResult held = Mfgctl({"force-unlock", "--force"});
  EXPECT_EQ(held.exit_code, 1);
  EXPECT_EQ(held.out,
            "The state of plant cli is locked by pid 4242 (mfgctl apply) of ops@eng-laptop.\n");
  EXPECT_EQ(held.err,
            "error: state of this plant is locked by pid 4242 (mfgctl apply) of ops@eng-laptop, "
            "a run that is still alive\n"
            "  this lock is a flock on " + (dir_ / ".mfgctl/cli.state.json").string() +
                ".lock, which the kernel drops when its holder exits, so it is never left behind "
                "by a dead run; wait for that run to finish, or stop it\n");
  close(fd);  // the holder is gone; its description stays in the file
  ProcessResult gone = Mfgctl({"force-unlock"});
  EXPECT_EQ(gone.exit_code, 0) << gone.err;
  EXPECT_EQ(gone.out, "The state of plant cli is not locked.\n");
}

TEST_F(CliTest, ImportRefusesWhatItCannotAdopt) {
  Write("plant.yaml", std::string(kPlant) +
                          "  gw2:\n"
                          "    address: 127.0.0.1\n"
                          "    port: 1\n"
                          "    packages: [sl]\n");
  std::filesystem::create_directories(dir_ / ".mfgctl");
  Write(".mfgctl/cli.state.json", kTwoResourceState);
  ExpectError({"import", "gw1:file[/srv/app/b.conf]", "/srv/app/b.conf"},
              "error: gw1:file[/srv/app/b.conf] is not declared in the blueprint; did you mean "
              "\"gw1:file[/srv/app/a.conf]\"?\n"
              "  declare it first, then import the object it stands for\n");
  ExpectError({"import", "gw1:file[/srv/app/a.conf]", "/srv/app/a.conf"},
              "error: gw1:file[/srv/app/a.conf] is already in the state\n"
              "  mfgctl manages it already; to import it again, first run mfgctl state rm "
              "gw1:file[/srv/app/a.conf]\n");
  ProcessResult bad = Mfgctl({"import", "gw1:file", "x"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err.rfind("error: \"gw1:file\" is not a resource address\n", 0), 0u) << bad.err;
  ProcessResult id = Mfgctl({"import", "gw2:package[sl]", "mosquitto"});
  EXPECT_EQ(id.exit_code, 1);
  EXPECT_NE(id.err.find("error: host.package objects are identified by their name: the ID of "
                        "gw2:package[sl] is \"sl\", not \"mosquitto\""),
            std::string::npos)
      << id.err;
  ProcessResult unreachable = Mfgctl({"import", "gw2:package[sl]", "sl"});
  EXPECT_EQ(unreachable.exit_code, 1);
  EXPECT_NE(unreachable.err.find("127.0.0.1"), std::string::npos) << unreachable.err;
  EXPECT_EQ(unreachable.out, "gw2:package[sl]: Importing from ID \"sl\"...\n");
  std::ifstream in(dir_ / ".mfgctl/cli.state.json");
  EXPECT_EQ(Value::parse(in)["serial"], 4);  // nothing written
}

TEST_F(CliTest, RefreshOnlyExitCodesAndRefusals) {
  Write("plant.yaml",
        "mfgctl: 1\nplant: cli\nproviders:\n  ssh: { known_hosts: ./known_hosts }\n"
        "gateways:\n  gw1: { address: 127.0.0.1, port: 1 }\n");
  // Nothing in the state: nothing to read, nothing drifted.
  ProcessResult none = Mfgctl({"plan", "--refresh-only", "--detailed-exitcode"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, "No changes. The live objects still match what the state recorded.\n");
  ProcessResult json = Mfgctl({"plan", "--refresh-only", "--json"});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  Value summary = Value::parse(json.out.substr(json.out.rfind('\n', json.out.size() - 2) + 1));
  EXPECT_EQ(summary["type"], "change_summary");
  EXPECT_EQ(summary["changes"]["operation"], "refresh");
  EXPECT_EQ(summary["changes"]["drift"], (Value{{"changed", 0}, {"deleted", 0}}));

  EXPECT_EQ(Mfgctl({"plan", "--refresh-only", "--destroy"}).exit_code, 1);
  ExpectError({"plan", "--refresh-only", "--out", "x.plan"},
              "error: a refresh-only plan is not saved\n"
              "  to record the drift in the state, run mfgctl apply --refresh-only\n");
  ExpectError({"apply", "--refresh-only", "x.plan"},
              "error: a saved plan is applied as it was made; --refresh-only plans are not "
              "saved\n"
              "  run mfgctl apply --refresh-only without a plan file\n");

  // A host that cannot be read (the blueprint's gw1 refuses connections)
  // is an error, never "no drift"; nothing is recorded.
  std::filesystem::create_directories(dir_ / ".mfgctl");
  Write(".mfgctl/cli.state.json", kTwoResourceState);
  ProcessResult failed = Mfgctl({"plan", "--refresh-only", "--detailed-exitcode"});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_EQ(failed.out,
            "No drift in what could be read; the errors below say what could not be.\n");
  EXPECT_NE(failed.err.find("gw1:directory[/srv/app]"), std::string::npos) << failed.err;
  EXPECT_EQ(Mfgctl({"apply", "--refresh-only", "--auto-approve"}).exit_code, 1);
  std::ifstream in(dir_ / ".mfgctl/cli.state.json");
  EXPECT_EQ(Value::parse(in)["serial"], 4);
}

TEST_F(CliTest, SavedPlanFileThatIsNotOne) {
  Write("plant.yaml", kPlant);
  Write("junk.plan", "hello");
  ProcessResult r = Mfgctl({"apply", "junk.plan"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: junk.plan is not a plan file (not JSON); make one with mfgctl plan "
                   "--out\n");
}

TEST_F(CliTest, ADirectoryAsTheBlueprintSaysSo) {
  std::filesystem::create_directories(dir_ / "site");  // once: "blueprint is empty"
  ExpectError({"validate", "-f", "site"}, "error: cannot read " + (dir_ / "site").string() +
                                              ": it is a directory, not a regular file\n");
}

// Bytes that are not UTF-8 once ended in "internal error: [json.exception...]".
TEST_F(CliTest, JsonOutputOfTextThatIsNotUtf8) {
  Write("plant.yaml", "mfgctl: 1\nplant: line-\xff\n");
  ProcessResult r = Mfgctl({"validate", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "");
  Value diag = Value::parse(r.out.substr(r.out.find('\n') + 1));
  EXPECT_EQ(diag["diagnostic"]["summary"], "byte 0xff is not UTF-8: a blueprint is UTF-8 text");
  EXPECT_EQ(diag["diagnostic"]["range"]["start"]["column"], 13);
}

// 100k errors: the first 50 with their snippets, then a count (once over
// two minutes, every one re-reading the file; now under a second).
TEST_F(CliTest, AHundredThousandErrorsAreCounted) {
  std::string yaml = "mfgctl: 1\nplant: p\n";
  for (int i = 0; i < 100000; ++i) yaml += "k" + std::to_string(i) + ": 1\n";
  Write("plant.yaml", yaml);
  ProcessResult r = Mfgctl({"validate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.substr(r.err.rfind('\n', r.err.size() - 2) + 1), "... and 99950 more errors\n");
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '^'), 50);
}

TEST_F(CliTest, OutputPrintsValuesOneByNameAndNeverASensitiveOne) {
  Write("plant.yaml", std::string(kPlant) +
                          "variables: { port: { type: number, default: 1884 } }\n"
                          "outputs:\n"
                          "  broker: { value: \"192.0.2.10:${var.port}\", description: the MQTT broker }\n"
                          "  ports: { value: [\"${var.port}\", 8883] }\n"
                          "  conf: { value: \"${gw1:file[/srv/app/a.conf].content}\" }\n"
                          "  token: { value: abc, sensitive: true }\n");
  ProcessResult all = Mfgctl({"output"});
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out, "broker = \"192.0.2.10:1884\"\nports = [1884,8883]\nconf = \"a\"\n"
                     "token = (sensitive)\n");
  ProcessResult one = Mfgctl({"output", "broker", "--var", "port=1999"});
  EXPECT_EQ(one.out, "192.0.2.10:1999\n");
  EXPECT_EQ(Mfgctl({"output", "ports"}).out, "[1884,8883]\n");
  Value json = Value::parse(Mfgctl({"output", "--json"}).out);
  EXPECT_EQ(json["broker"], Value({{"sensitive", false}, {"type", "string"},
                                   {"value", "192.0.2.10:1884"}, {"description", "the MQTT broker"}}));
  EXPECT_EQ(json["token"], Value({{"sensitive", true}, {"type", "string"}}));
  ProcessResult secret = Mfgctl({"output", "token"});
  EXPECT_EQ(secret.exit_code, 1);
  EXPECT_EQ(secret.out, "");
  EXPECT_NE(secret.err.find("plant.yaml:17:3: error: output \"token\" is sensitive"),
            std::string::npos)
      << secret.err;
  ProcessResult unknown = Mfgctl({"output", "broke"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no output \"broke\"; did you mean \"broker\"?"), std::string::npos)
      << unknown.err;
}

TEST_F(CliTest, TemplatesListTheProjectsThenTheLibraryAndShowOne) {
  std::filesystem::create_directories(dir_ / "templates" / "edge-gateway");
  std::filesystem::create_directories(dir_ / "templates" / "press");
  Write("templates/press/template.yaml",
        "mfgctl: 1\ntemplate: press\ndescription: a press line's PLC bridge\n"
        "parameters:\n  address: { description: the bridge's address }\n"
        "  lines: { type: list, default: [a, b] }\n  opts: { type: map, default: { x: 1 } }\n"
        "outputs:\n  url: { value: \"${param.address}\", description: where it listens }\n");
  // A project template of a library template's name is the project's.
  Write("templates/edge-gateway/template.yaml",
        "mfgctl: 1\ntemplate: edge-gateway\ndescription: the plant's own\n");
  ProcessResult list = Mfgctl({"templates", "list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out.substr(0, list.out.find('\n', list.out.find("press")) + 1),
            "edge-gateway      the plant's own\n"
            "press             a press line's PLC bridge\n");
  EXPECT_NE(list.out.find("\nlibvirt-host      KVM/libvirt hypervisor"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("\npubsub-telemetry  A plant's telemetry topic"), std::string::npos)
      << list.out;

  ProcessResult show = Mfgctl({"templates", "show", "press"});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(show.out.substr(show.out.find('\n') + 1),
            "  a press line's PLC bridge\n\n"
            "Parameters:\n"
            "  address  string  required        the bridge's address\n"
            "  lines    list    default [a, b]\n"
            "  opts     map     default {x: 1}\n\n"
            "Outputs:\n"
            "  url      where it listens\n");
  Value json = Value::parse(Mfgctl({"templates", "show", "press", "--json"}).out);
  EXPECT_EQ(json["parameters"][1]["default"], Value::array({"a", "b"}));
  EXPECT_EQ(json["parameters"][2]["default"], Value({{"x", 1}}));
  EXPECT_EQ(json["parameters"][0]["required"], true);

  ProcessResult shipped = Mfgctl({"templates", "show", "libvirt-host"});
  EXPECT_NE(shipped.out.find("  vms         map     default {}"), std::string::npos) << shipped.out;
  ProcessResult missing = Mfgctl({"templates", "show", "pres"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no template named \"pres\""), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("did you mean \"press\"?"), std::string::npos) << missing.err;
}

// Docs are part of the product: every YAML example in docs/ and in the
// shipped templates' READMEs that is a blueprint, or a blueprint section,
// must validate.
TEST(DocsTest, EveryBlueprintExampleValidates) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("mfgctl-docs-" + std::to_string(getpid()));
  fs::create_directories(dir);
  int checked = 0;
  std::vector<fs::path> pages;
  for (const char* folder : {"docs", "templates"}) {
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(MFGCTL_SOURCE_DIR) / folder)) {
      if (entry.path().extension() == ".md") pages.push_back(entry.path());
    }
  }
  for (const auto& page : pages) {
    std::ifstream in(page);
    std::string line, block;
    bool in_yaml = false;
    int block_line = 0, n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (!in_yaml && line == "```yaml") {
        in_yaml = true;
        block.clear();
        block_line = n;
        continue;
      }
      if (in_yaml && line == "```") {
        in_yaml = false;
        std::string yaml = block;
        if (yaml.find("\nfleet: ") != std::string::npos) {
          // A fleet file: checked with a blueprint that declares the
          // variables its plants and overrides set.
          std::string vars;
          std::regex flow("variables: \\{ ([^}]*) \\}");
          std::smatch fm;
          for (auto it = yaml.cbegin(); std::regex_search(it, yaml.cend(), fm, flow);
               it = fm.suffix().first) {
            std::string list = fm[1].str();
            for (size_t at = 0; at < list.size();) {
              size_t colon = list.find(':', at);
              if (colon == std::string::npos) break;
              std::string name = list.substr(at, colon - at);
              if (vars.find(" " + name + ":") == std::string::npos) vars += "  " + name + ": { default: x }\n";
              size_t comma = list.find(", ", colon);
              at = comma == std::string::npos ? list.size() : comma + 2;
            }
          }
          std::ofstream(dir / "fleet.yaml") << yaml;
          std::ofstream(dir / "plant.yaml") << "mfgctl: 1\nplant: doc\nvariables:\n" << vars
                                            << "providers:\n  ssh: { known_hosts: ./known_hosts }\n";
          ProcessResult r = RunProgram({MFGCTL_BINARY, "fleet", "validate"}, dir.string());
          EXPECT_EQ(r.exit_code, 0) << page.string() << ":" << block_line << "\n" << r.err;
          ++checked;
          continue;
        }
        if (yaml.rfind("mfgctl: 1", 0) != 0) {
          if (yaml.rfind("gateways:", 0) != 0 && yaml.rfind("hypervisors:", 0) != 0 &&
              yaml.rfind("variables:", 0) != 0 && yaml.rfind("secrets:", 0) != 0 &&
              yaml.rfind("use:", 0) != 0) {
            continue;
          }
          yaml = "mfgctl: 1\nplant: doc\nproviders:\n  ssh: { known_hosts: ./known_hosts }\n" +
                 yaml;
        }
        std::ofstream(dir / "plant.yaml") << yaml;
        // Local files an example names (source:, template:, archive:) exist, empty;
        // so do the directories it names (bundles, wheels, `./dir/`).
        std::smatch m;
        std::regex local("(source|template|package_bundle|wheels|file|archive): (\\./[^ ,}\\n]+)");
        for (auto it = yaml.cbegin(); std::regex_search(it, yaml.cend(), m, local);
             it = m.suffix().first) {
          fs::path path = dir / m[2].str();
          if (m[1] == "package_bundle" || m[1] == "wheels" || m[2].str().back() == '/') {
            fs::create_directories(path);
            continue;
          }
          fs::create_directories(path.parent_path());
          std::ofstream(path) << (m[1] == "file" ? "a-secret\n" : "");
          if (m[1] == "file") fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
        }
        std::vector<std::string> args{MFGCTL_BINARY, "validate"};
        if (yaml.find("\n  site: { type: string }") != std::string::npos) {
          args.insert(args.end(), {"--var", "site=demo"});  // the example's required variable
        }
        ProcessResult r = RunProgram(args, dir.string());
        EXPECT_EQ(r.exit_code, 0) << page.string() << ":" << block_line << "\n" << r.err;
        ++checked;
        continue;
      }
      if (in_yaml) block += line + "\n";
    }
  }
  fs::remove_all(dir);
  EXPECT_GE(checked, 16);  // the examples in docs/ and templates/ today
}

}  // namespace
}  // namespace mfgctl
