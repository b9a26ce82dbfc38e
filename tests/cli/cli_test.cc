// The mfgctl binary's offline behaviour: commands that need no host
// (version, help, validate, graph, state), exit codes, error rendering and
// colour rules. Real binary, real files; no hosts.
#include <gtest/gtest.h>
#include <unistd.h>

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
  for (const char* cmd : {"validate", "plan", "apply", "destroy", "show", "state", "graph",
                          "trust", "version"}) {
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

TEST_F(CliTest, SavedPlanFileThatIsNotOne) {
  Write("plant.yaml", kPlant);
  Write("junk.plan", "hello");
  ProcessResult r = Mfgctl({"apply", "junk.plan"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: junk.plan is not a plan file (not JSON); make one with mfgctl plan "
                   "--out\n");
}


// Docs are part of the product: every YAML example in docs/ that is a
// blueprint, or a blueprint section, must validate.
TEST(DocsTest, EveryBlueprintExampleValidates) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("mfgctl-docs-" + std::to_string(getpid()));
  fs::create_directories(dir);
  int checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(MFGCTL_SOURCE_DIR) / "docs")) {
    if (entry.path().extension() != ".md") continue;
    std::ifstream in(entry.path());
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
        if (yaml.rfind("mfgctl: 1", 0) != 0) {
          if (yaml.rfind("gateways:", 0) != 0 && yaml.rfind("variables:", 0) != 0 &&
              yaml.rfind("secrets:", 0) != 0) {
            continue;
          }
          yaml = "mfgctl: 1\nplant: doc\nproviders:\n  ssh: { known_hosts: ./known_hosts }\n" +
                 yaml;
        }
        std::ofstream(dir / "plant.yaml") << yaml;
        // Local files an example names (source:, template:) exist, empty;
        // so do the directories it names (bundles, wheels, `./dir/`).
        std::smatch m;
        std::regex local("(source|template|package_bundle|wheels|file): (\\./[^ ,}\\n]+)");
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
        EXPECT_EQ(r.exit_code, 0) << entry.path().string() << ":" << block_line << "\n" << r.err;
        ++checked;
        continue;
      }
      if (in_yaml) block += line + "\n";
    }
  }
  fs::remove_all(dir);
  EXPECT_GE(checked, 13);  // the examples in docs/ today
}

}  // namespace
}  // namespace mfgctl
