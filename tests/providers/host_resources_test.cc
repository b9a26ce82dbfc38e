// The host resource types' probes and steps, run by the real /bin/sh on
// this machine against a temporary folder: what the SSH provider sends to
// a host is exactly this text.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "engine/model/digest.h"
#include "engine/model/text_file.h"
#include "providers/shell/read_script.h"
#include "providers/ssh/host_types.h"
#include "providers/transport/shell_quote.h"
#include "tests/support/process.h"

namespace mfgctl {
namespace {

struct ShellRun {
  int status;
  std::string out;
};

// Runs a script with `sh -c` and input on stdin, like the provider does.
ShellRun Shell(const std::string& script, const std::string& input = "") {
  auto in = std::filesystem::temp_directory_path() / ("mfgctl-in-" + std::to_string(getpid()));
  std::ofstream(in, std::ios::binary) << input;
  std::string cmd = "sh -c " + ShellQuote(script) + " < " + ShellQuote(in.string()) + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  std::filesystem::remove(in);
  return ShellRun{WEXITSTATUS(status), out};
}

class HostResourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("mfgctl-host-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  ReadResult ReadOne(const HostResourceType& type, const ReadItem& item) {
    std::string script = BuildReadScript({type.Probe(item)});
    ShellRun r = Shell(script);
    return type.Interpret(ParseReadOutput(r.out, 1)[0], item);
  }

  ApplyRequest Request(const std::string& kind, const std::string& name, Action a, Value after) {
    ApplyRequest req;
    req.address = {"local", kind, name};
    req.type = "host." + kind;
    req.action = a;
    req.after = std::move(after);
    return req;
  }

  std::filesystem::path dir_;
};

TEST_F(HostResourcesTest, FileWrittenExactlyThenReadBackAsDigest) {
  auto file = MakeFileType();
  // A path and content a shell would love to misread.
  std::string path = (dir_ / "it's $(echo pwned) dir" / "a\"b.conf").string();
  std::string content = std::string("line1\n$(id) `id` 'q'\n\0binary\xff", 25);
  HostStep step =
      file->Step(Request("file", path, Action::kCreate, {{"content", content}, {"mode", "0640"}}));
  ShellRun r = Shell(step.script, step.input);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(ReadWholeFile(path), content);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms(0640));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "pwned"));

  ReadItem item{{"local", "file", path}, "host.file", {{"content", content}}, {}};
  ReadResult live = ReadOne(*file, item);
  ASSERT_TRUE(live.exists);
  EXPECT_EQ(live.attributes["content"], Sha256Digest(content));
  EXPECT_EQ(live.attributes["mode"], "0640");

  ShellRun del = Shell(file->Step(Request("file", path, Action::kDelete, {})).script);
  EXPECT_EQ(del.status, 0);
  EXPECT_FALSE(ReadOne(*file, item).exists);
}

TEST_F(HostResourcesTest, DirectoryCreatedWithModeAndRemovedOnlyWhenEmpty) {
  auto dir = MakeDirectoryType();
  std::string path = (dir_ / "srv" / "collector").string();
  ShellRun r = Shell(dir->Step(Request("directory", path, Action::kCreate, {{"mode", "0750"}})).script);
  ASSERT_EQ(r.status, 0) << r.out;
  ReadItem item{{"local", "directory", path}, "host.directory", {{"mode", "0750"}}, {}};
  ReadResult live = ReadOne(*dir, item);
  ASSERT_TRUE(live.exists);
  EXPECT_EQ(live.attributes["mode"], "0750");
  std::ofstream(path + "/keep") << "x";
  ShellRun del = Shell(dir->Step(Request("directory", path, Action::kDelete, {})).script);
  EXPECT_NE(del.status, 0);
  EXPECT_NE(del.out.find("directory is not empty"), std::string::npos) << del.out;
}

TEST_F(HostResourcesTest, FileWhereADirectoryIsWantedIsAnError) {
  auto dir = MakeDirectoryType();
  std::string path = (dir_ / "plain").string();
  std::ofstream(path) << "x";
  ReadResult live =
      ReadOne(*dir, {{"local", "directory", path}, "host.directory", Value::object(), {}});
  ASSERT_TRUE(live.diagnostics.HasErrors());
  EXPECT_EQ(live.diagnostics.items()[0].summary, "exists and is not a directory");
}

TEST_F(HostResourcesTest, CommandGuardedByCreates) {
  auto cmd = MakeCommandType();
  std::string marker = (dir_ / "db").string();
  Value attrs = {{"run", "touch " + ShellQuote(marker)}, {"creates", marker}};
  ReadItem item{{"local", "command", "init"}, "host.command", attrs, {}};
  EXPECT_FALSE(ReadOne(*cmd, item).exists);
  ShellRun r = Shell(cmd->Step(Request("command", "init", Action::kCreate, attrs)).script);
  ASSERT_EQ(r.status, 0) << r.out;
  ReadResult live = ReadOne(*cmd, item);
  EXPECT_TRUE(live.exists);
  EXPECT_EQ(live.attributes, attrs);
}

TEST_F(HostResourcesTest, UnguardedCommandExistsOnceRecorded) {
  auto cmd = MakeCommandType();
  Value attrs = {{"run", "true"}};
  EXPECT_FALSE(ReadOne(*cmd, {{"local", "command", "x"}, "host.command", attrs, {}}).exists);
  EXPECT_TRUE(ReadOne(*cmd, {{"local", "command", "x"}, "host.command", attrs, attrs}).exists);
}

TEST_F(HostResourcesTest, CommandUnlessRunsInItsDirectoryAndEnvironment) {
  auto cmd = MakeCommandType();
  std::string out = (dir_ / "out").string();
  Value attrs = {{"run", "echo \"$GREETING from $(pwd)\" > " + ShellQuote(out)},
                 {"unless", "grep -q \"$GREETING\" " + ShellQuote(out)},
                 {"environment", {{"GREETING", "it's $(hello)"}}},
                 {"cwd", dir_.string()}};
  ReadItem item{{"local", "command", "greet"}, "host.command", attrs, {}};
  EXPECT_FALSE(ReadOne(*cmd, item).exists);  // `unless` fails: no file yet
  ShellRun r = Shell(cmd->Step(Request("command", "greet", Action::kCreate, attrs)).script);
  ASSERT_EQ(r.status, 0) << r.out;
  std::ifstream in(out);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "it's $(hello) from " + dir_.string());
  EXPECT_TRUE(ReadOne(*cmd, item).exists);  // now `unless` succeeds
}

TEST_F(HostResourcesTest, CommandWithInvalidEnvironmentNameFails) {
  auto cmd = MakeCommandType();
  Value attrs = {{"run", "true"}, {"environment", {{"A;rm -rf /", "x"}}}};
  ShellRun r = Shell(cmd->Step(Request("command", "x", Action::kCreate, attrs)).script);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "invalid environment variable name: A;rm -rf /\n");
}

TEST_F(HostResourcesTest, ServiceOnAHostWithoutSystemdIsAClearError) {
  // This machine runs no systemd as PID 1, like many containers.
  if (std::filesystem::exists("/run/systemd/system")) GTEST_SKIP() << "systemd is running here";
  auto svc = MakeServiceType();
  ReadResult live = ReadOne(
      *svc, {{"local", "service", "collector"}, "host.service", {{"running", true}}, {}});
  ASSERT_TRUE(live.diagnostics.HasErrors());
  EXPECT_EQ(live.diagnostics.items()[0].summary,
            "this host does not run systemd: services cannot be managed here");
}

TEST_F(HostResourcesTest, PackagesAreReadInOneBatch) {
  // This machine is Debian too: its own dpkg database answers.
  auto pkg = MakePackageType();
  ReadItem sed{{"local", "package", "sed"}, "host.package", Value::object(), {}};
  ReadItem missing{{"local", "package", "no-such-package-mfgctl"}, "host.package",
                   Value::object(), {}};
  std::string batch = pkg->BatchProbe({{0, &sed}, {1, &missing}});
  std::string dpkg_branch = batch.substr(0, batch.find("\nelse\n"));
  EXPECT_EQ(dpkg_branch.find("dpkg-query -W"), dpkg_branch.rfind("dpkg-query -W"));  // one call
  ShellRun r = Shell(BuildReadScript({"", ""}, batch));
  auto facts = ParseReadOutput(r.out, 2);
  ReadResult live = pkg->Interpret(facts[0], sed);
  EXPECT_TRUE(live.exists) << r.out;
  ShellRun version = Shell("dpkg-query -W -f='${Version}' sed");
  EXPECT_EQ(live.attributes["version"], version.out);
  EXPECT_FALSE(pkg->Interpret(facts[1], missing).exists) << r.out;
}

TEST_F(HostResourcesTest, FilesAreReadInOneBatchWhateverTheirNames) {
  auto file = MakeFileType();
  std::vector<std::string> paths = {(dir_ / "plain.conf").string(),
                                    (dir_ / "it's a\nnew line\\ $(x).conf").string(),
                                    (dir_ / "missing.conf").string(),
                                    (dir_ / "adir").string()};
  std::ofstream(paths[0]) << "one";
  std::ofstream(paths[1]) << "two";
  std::filesystem::create_directories(paths[3]);
  std::vector<ReadItem> items;
  for (const auto& p : paths) items.push_back({{"local", "file", p}, "host.file", Value::object(), {}});
  std::vector<std::pair<size_t, const ReadItem*>> batch;
  for (size_t i = 0; i < items.size(); ++i) batch.emplace_back(i, &items[i]);
  ShellRun r = Shell(BuildReadScript(std::vector<std::string>(items.size()),
                                     file->BatchProbe(batch)));
  auto facts = ParseReadOutput(r.out, items.size());
  ReadResult one = file->Interpret(facts[0], items[0]);
  ReadResult two = file->Interpret(facts[1], items[1]);
  ASSERT_TRUE(one.exists && two.exists) << r.out;
  EXPECT_EQ(one.attributes["content"], Sha256Digest("one"));
  EXPECT_EQ(two.attributes["content"], Sha256Digest("two"));
  ShellRun mode = Shell("stat -c %a " + ShellQuote(paths[1]));
  EXPECT_EQ(two.attributes["mode"], NormalizeMode(mode.out.substr(0, mode.out.size() - 1)));
  EXPECT_FALSE(file->Interpret(facts[2], items[2]).exists);
  ReadResult dir = file->Interpret(facts[3], items[3]);
  ASSERT_TRUE(dir.diagnostics.HasErrors());
  EXPECT_EQ(dir.diagnostics.items()[0].summary, "exists and is not a regular file");
}

TEST_F(HostResourcesTest, ThousandsOfFilesAreReadInChunksEachWithItsOwnFacts) {
  // More paths than one command line takes: xargs splits them, and each
  // chunk's stat and sha256sum lines still land on their own items.
  auto file = MakeFileType();
  std::filesystem::create_directories(dir_ / "many");
  std::vector<ReadItem> items;
  for (int i = 0; i < 4000; ++i) {
    std::string p = (dir_ / "many" / ("a-rather-long-file-name-to-fill-the-line-" +
                                      std::to_string(i) + ".conf")).string();
    if (i % 3 != 0) std::ofstream(p) << "content " << i;
    items.push_back({{"local", "file", p}, "host.file", Value::object(), {}});
  }
  std::vector<std::pair<size_t, const ReadItem*>> batch;
  for (size_t i = 0; i < items.size(); ++i) batch.emplace_back(i, &items[i]);
  // The script on stdin, as a host gets it: too long for an argument.
  ProcessResult r = RunProgram({"sh", "-s"}, "", BuildReadScript(std::vector<std::string>(
                                                     items.size()), file->BatchProbe(batch)));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto facts = ParseReadOutput(r.out, items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    ReadResult got = file->Interpret(facts[i], items[i]);
    ASSERT_FALSE(got.diagnostics.HasErrors()) << i << ": " << got.diagnostics.items()[0].summary;
    ASSERT_EQ(got.exists, i % 3 != 0) << i;
    if (got.exists) {
      ASSERT_EQ(got.attributes["content"], Sha256Digest("content " + std::to_string(i))) << i;
    }
  }
}

// A bundle's step as the provider runs it: the uploads copied into the
// staging directory first (SFTP on a real host), then the script.
ShellRun RunBundleStep(const HostStep& step) {
  std::filesystem::create_directories(step.upload_dir);
  for (const auto& u : step.uploads) {
    std::filesystem::copy_file(u.local_path, step.upload_dir + "/" + u.name,
                               std::filesystem::copy_options::overwrite_existing);
  }
  return Shell(step.script, step.input);
}

Value DigestsOf(const std::map<std::string, std::string>& files) {
  Value out = Value::object();
  for (const auto& [name, content] : files) out[name] = Sha256Digest(content);
  return out;
}

TEST_F(HostResourcesTest, BundleUploadsOnlyChangedFilesAndRemovesOthers) {
  auto bundle = MakeBundleType();
  auto local = dir_ / "local";
  std::filesystem::create_directories(local);
  std::map<std::string, std::string> files = {{"a_1.0_all.deb", "AAA"},
                                              {"it's $(x).whl", std::string("b\0\xff", 3)}};
  for (const auto& [name, content] : files) std::ofstream(local / name, std::ios::binary) << content;
  std::string path = (dir_ / "remote bundle").string();
  Value after = {{"source", local.string()}, {"files", DigestsOf(files)}};

  HostStep create = bundle->Step(Request("bundle", path, Action::kCreate, after));
  EXPECT_EQ(create.uploads.size(), 2u);
  ShellRun r = RunBundleStep(create);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_FALSE(std::filesystem::exists(create.upload_dir));
  ReadItem item{{"local", "bundle", path}, "host.bundle", after, {}};
  ReadResult live = ReadOne(*bundle, item);
  ASSERT_TRUE(live.exists);
  EXPECT_EQ(live.attributes["files"], after["files"]);
  EXPECT_EQ(live.attributes["apt"], false);

  // Drift: a stray file, a tampered one (same size: the manifest's stat
  // key still catches it).
  std::ofstream(path + "/stray.deb") << "x";
  std::ofstream(path + "/a_1.0_all.deb") << "AAB";
  live = ReadOne(*bundle, item);
  EXPECT_EQ(live.attributes["files"],
            DigestsOf({{"a_1.0_all.deb", "AAB"}, {"it's $(x).whl", files["it's $(x).whl"]},
                       {"stray.deb", "x"}}));

  ApplyRequest update = Request("bundle", path, Action::kUpdate, after);
  update.before = live.attributes;
  HostStep step = bundle->Step(update);
  ASSERT_EQ(step.uploads.size(), 1u);
  EXPECT_EQ(step.uploads[0].name, "a_1.0_all.deb");
  r = RunBundleStep(step);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_FALSE(std::filesystem::exists(path + "/stray.deb"));
  EXPECT_EQ(ReadOne(*bundle, item).attributes["files"], after["files"]);
}

TEST_F(HostResourcesTest, PythonEnvReadsInstalledVersionsWithoutRunningPython) {
  auto env = MakePythonEnvType();
  auto venv = dir_ / "venv";
  std::filesystem::create_directories(venv / "bin");
  std::ofstream(venv / "bin" / "python") << "#!/bin/sh\nexit 1\n";  // never run
  std::filesystem::permissions(venv / "bin" / "python", std::filesystem::perms::owner_all);
  for (const char* d : {"Paho_MQTT-1.6.0.dist-info", "six-1.16.0.dist-info", "pip-23.0.1.dist-info"}) {
    std::filesystem::create_directories(venv / "lib" / "python3.11" / "site-packages" / d);
  }
  ReadItem item{{"local", "python_env", venv.string()}, "host.python_env",
                {{"requirements", {"paho-mqtt==1.6.1", "requests==2.31.0", "six"}}}, {}};
  ReadResult live = ReadOne(*env, item);
  ASSERT_TRUE(live.exists);
  // Installed under another spelling and version; one missing; one unpinned.
  EXPECT_EQ(live.attributes["requirements"], Value({"paho-mqtt==1.6.0", "six"}));
  std::filesystem::remove(venv / "bin" / "python");
  EXPECT_FALSE(ReadOne(*env, item).exists);
}

TEST_F(HostResourcesTest, SysctlKeysAreReadInOneProcess) {
  auto sysctl = MakeSysctlType();
  std::vector<ReadItem> items = {
      {{"local", "sysctl", "net.ipv4.tcp_rmem"}, "host.sysctl", {{"value", "x"}}, {}},
      {{"local", "sysctl", "net.ipv4.no_such_thing"}, "host.sysctl", {{"value", "1"}}, {}},
      {{"local", "sysctl", "kernel/ostype"}, "host.sysctl", {{"value", "Linux"}}, {}}};
  std::vector<std::pair<size_t, const ReadItem*>> batch;
  for (size_t i = 0; i < items.size(); ++i) batch.emplace_back(i, &items[i]);
  std::string probe = sysctl->BatchProbe(batch);
  EXPECT_EQ(probe.find("awk"), probe.rfind("awk"));  // one process for all keys
  ShellRun r = Shell(BuildReadScript(std::vector<std::string>(items.size()), probe));
  auto facts = ParseReadOutput(r.out, items.size());
  // This machine's own kernel answers; its tabs read as single spaces.
  std::string raw = ReadWholeFile("/proc/sys/net/ipv4/tcp_rmem").value_or("");
  ASSERT_NE(raw.find('\t'), std::string::npos);
  std::string spaced = raw.substr(0, raw.find('\n'));
  std::replace(spaced.begin(), spaced.end(), '\t', ' ');
  EXPECT_EQ(sysctl->Interpret(facts[0], items[0]).attributes["value"],
            spaced + " (not persisted)") << r.out;
  ReadResult none = sysctl->Interpret(facts[1], items[1]);
  ASSERT_TRUE(none.diagnostics.HasErrors()) << r.out;
  EXPECT_EQ(none.diagnostics.items()[0].summary, "no such kernel parameter on this host");
  EXPECT_EQ(sysctl->Interpret(facts[2], items[2]).attributes["value"], "Linux (not persisted)");
  // One key alone reads the same.
  EXPECT_EQ(ReadOne(*sysctl, items[2]).attributes["value"], "Linux (not persisted)");
}

TEST_F(HostResourcesTest, UsersReadInOneBatchAsOneByOne) {
  auto user = MakeUserType();
  // This machine's own accounts answer.
  std::vector<ReadItem> items = {
      {{"local", "user", "root"}, "host.user", Value::object(), {}},
      {{"local", "user", "no-such-user-mfgctl"}, "host.user", Value::object(), {}},
      {{"local", "user", "daemon"}, "host.user", Value::object(), {}}};
  std::vector<std::pair<size_t, const ReadItem*>> batch;
  for (size_t i = 0; i < items.size(); ++i) batch.emplace_back(i, &items[i]);
  ShellRun r = Shell(BuildReadScript(std::vector<std::string>(items.size()),
                                     user->BatchProbe(batch)));
  auto facts = ParseReadOutput(r.out, items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    ReadResult together = user->Interpret(facts[i], items[i]);
    ReadResult alone = ReadOne(*user, items[i]);
    EXPECT_EQ(together.exists, alone.exists) << items[i].address.name << "\n" << r.out;
    EXPECT_EQ(together.attributes, alone.attributes) << items[i].address.name;
  }
  EXPECT_TRUE(user->Interpret(facts[0], items[0]).exists);
  EXPECT_EQ(user->Interpret(facts[0], items[0]).attributes["uid"], 0);
  EXPECT_FALSE(user->Interpret(facts[1], items[1]).exists);
}

// Hosts with dnf or apk instead of apt: no such host runs here, so the
// package manager is a stand-in on PATH (and only it: no dpkg, no apt)
// that answers queries and records what it was asked to do.
class OtherPackageManagerTest : public HostResourcesTest {
 protected:
  void Install(const std::string& name, const std::string& body) {
    std::filesystem::create_directories(dir_ / "bin");
    std::ofstream(dir_ / "bin" / name) << "#!/bin/sh\necho \"" << name << " $*\" >> "
                                       << ShellQuote((dir_ / "calls").string()) << "\n" << body;
    std::filesystem::permissions(dir_ / "bin" / name, std::filesystem::perms::owner_all);
  }
  ShellRun Run(const std::string& script) {
    return Shell("PATH=" + ShellQuote((dir_ / "bin").string()) + "\n" + script);
  }
  std::string Calls() { return ReadWholeFile((dir_ / "calls").string()).value_or(""); }

  // Reads mfg-demo (installed) and mfg-missing, then installs mfg-demo at
  // 2.0 and removes mfg-old in one step.
  void ReadThenApply(ReadResult* demo, ReadResult* missing) {
    auto pkg = MakePackageType();
    std::vector<ReadItem> items = {
        {{"local", "package", "mfg-demo"}, "host.package", Value::object(), {}},
        {{"local", "package", "mfg-missing"}, "host.package", Value::object(), {}}};
    ShellRun read = Run(BuildReadScript({"", ""}, pkg->BatchProbe({{0, &items[0]}, {1, &items[1]}})));
    auto facts = ParseReadOutput(read.out, 2);
    *demo = pkg->Interpret(facts[0], items[0]);
    *missing = pkg->Interpret(facts[1], items[1]);
    ApplyRequest install = Request("package", "mfg-demo", Action::kUpdate, {{"version", "2.0-1"}});
    ApplyRequest remove = Request("package", "mfg-old", Action::kDelete, Value());
    std::filesystem::remove(dir_ / "calls");
    ShellRun step = Run(pkg->BatchStep({&install, &remove}).script);
    EXPECT_EQ(step.status, 0) << step.out;
  }
};

TEST_F(OtherPackageManagerTest, DnfHost) {
  Install("rpm", "case \"$*\" in *mfg-demo) printf 1.0-1; exit 0;; esac; exit 1\n");
  Install("dnf", "exit 0\n");
  ReadResult demo, missing;
  ReadThenApply(&demo, &missing);
  EXPECT_TRUE(demo.exists);
  EXPECT_EQ(demo.attributes["version"], "1.0-1");
  EXPECT_FALSE(missing.exists);
  EXPECT_EQ(Calls(), "dnf install -y mfg-demo-2.0-1\ndnf remove -y mfg-old\n");
}

TEST_F(OtherPackageManagerTest, ApkHost) {
  Install("apk", "case \"$*\" in \"info -e mfg-demo\") exit 0;; info*) exit 1;; esac; exit 0\n");
  ReadResult demo, missing;
  ReadThenApply(&demo, &missing);
  EXPECT_TRUE(demo.exists);
  EXPECT_FALSE(missing.exists);
  EXPECT_EQ(Calls(), "apk add mfg-demo=2.0-1\napk del mfg-old\n");
}

TEST_F(OtherPackageManagerTest, HostWithoutAPackageManagerIsAClearError) {
  Install("true", "exit 0\n");  // PATH holds nothing useful
  auto pkg = MakePackageType();
  ReadItem item{{"local", "package", "mfg-demo"}, "host.package", Value::object(), {}};
  ShellRun read = Run(BuildReadScript({pkg->Probe(item)}));
  ReadResult r = pkg->Interpret(ParseReadOutput(read.out, 1)[0], item);
  ASSERT_TRUE(r.diagnostics.HasErrors()) << read.out;
  EXPECT_EQ(r.diagnostics.items()[0].summary,
            "no supported package manager (apt, dnf or apk) on this host");
}

TEST(ReadScriptTest, SplitsFactsPerItemAndIgnoresNoise) {
  auto facts = ParseReadOutput("motd line\n@@mfgctl 0\nexists=1\nmode=644\n@@mfgctl 1\n"
                               "garbage\n@@mfgctl 7\nexists=1\n@@mfgctl 2\nv=a=b\n",
                               3);
  EXPECT_EQ(facts[0], (FactMap{{"exists", "1"}, {"mode", "644"}}));
  EXPECT_TRUE(facts[1].empty());
  EXPECT_EQ(facts[2], (FactMap{{"v", "a=b"}}));
}

}  // namespace
}  // namespace mfgctl
