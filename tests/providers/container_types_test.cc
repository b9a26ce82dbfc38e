// host.image and host.container against a fake engine: a `podman` (or
// `docker`) shell script first on PATH that answers `inspect` from a file
// and records every call's arguments, run by the real /bin/sh as the
// provider would run the scripts on a host.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "engine/model/text_file.h"
#include "providers/shell/read_script.h"
#include "providers/ssh/host_types.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

// What podman 4.3's `container inspect --format '{{json .}}'` prints, cut
// to what the type reads (a list of one, pretty-printed).
constexpr char kPodmanInspect[] = R"([
 {
  "Image": "328fc23f60db5599e16d765bcd35e0481d090056e7a509c4b0717fd8d90ebeef",
  "ImageName": "localhost/collector:1.4",
  "Config": {
   "Cmd": ["/app/collect", "--config", "/etc/collector/collector.yaml"],
   "Env": ["PATH=/usr/bin:/bin", "container=podman", "LINE=L1", "OLD=x", "HOSTNAME=90c6"],
   "Labels": {"mfgctl.env": "LINE,OLD"}
  },
  "HostConfig": {
   "PortBindings": {"8080/tcp": [{"HostIp": "", "HostPort": "8080"}],
                    "5020/udp": [{"HostIp": "127.0.0.1", "HostPort": "502"}]},
   "RestartPolicy": {"Name": "always", "MaximumRetryCount": 0}
  },
  "Mounts": [
   {"Type": "bind", "Source": "/etc/collector", "Destination": "/etc/collector", "RW": false},
   {"Type": "volume", "Name": "collector-data", "Destination": "/data", "RW": true},
   {"Type": "volume", "Name": "3c0f6a3e2b9d4f1a8e7c6b5a4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c",
    "Destination": "/var/log/collector", "RW": true}
  ]
 }
])";

class ContainerTypesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("mfgctl-ctr-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // `name` on PATH: records its arguments (one call per line) in calls,
  // copies an --env-file's content to env, prints `inspect` for inspect.
  void FakeEngine(const std::string& name, const std::string& inspect) {
    std::ofstream(dir_ / "inspect") << inspect;
    std::string d = ShellQuote(dir_.string());
    std::ofstream(dir_ / name) << "#!/bin/sh\n"
                                  "printf '%s\\n' \"$*\" >> " + d + "/calls\n"
                                  "prev=; for a; do [ \"$prev\" = --env-file ] && "
                                  "{ cat \"$a\" > " + d + "/env; echo \"$a\" > " + d +
                                  "/env-path; }; prev=$a; done\n"
                                  "case \"$1 $2\" in\n"
                                  "  'container inspect') cat " + d + "/inspect;;\n"
                                  "  'image inspect') echo sha256:abc;;\n"
                                  "esac\n";
    ::chmod((dir_ / name).c_str(), 0755);
  }

  // Runs a script as the provider does, with the fake engine first on PATH.
  std::pair<int, std::string> Run(const std::string& script, const std::string& input = "") {
    std::ofstream(dir_ / "stdin", std::ios::binary) << input;
    std::string cmd = "PATH=" + ShellQuote(dir_.string()) + ":/usr/bin:/bin sh -c " +
                      ShellQuote(script) + " < " + ShellQuote((dir_ / "stdin").string()) + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    int status = pclose(p);
    return {WEXITSTATUS(status), out};
  }

  ReadResult Read(const HostResourceType& type, const ReadItem& item) {
    auto [status, out] = Run(BuildReadScript({type.Probe(item)}));
    return type.Interpret(ParseReadOutput(out, 1)[0], item);
  }

  static ApplyRequest Request(const std::string& kind, const std::string& name, Value after) {
    ApplyRequest req;
    req.address = {"gw", kind, name};
    req.type = "host." + kind;
    req.action = Action::kCreate;
    req.after = std::move(after);
    return req;
  }

  std::string File(const char* name) { return ReadWholeFile((dir_ / name).string()).value_or(""); }

  std::filesystem::path dir_;
};

TEST_F(ContainerTypesTest, TheLiveConfigurationIsReadFromInspectAsTheBlueprintSpellsIt) {
  FakeEngine("podman", kPodmanInspect);
  auto type = MakeContainerType();
  Value want = {{"image", "localhost/collector:1.4"},
                {"command", {"/app/collect"}},
                {"environment", {{"LINE", "L2"}, {"NEW", "1"}}},
                {"ports", {"8080:8080/tcp", "127.0.0.1:502:5020/udp"}},
                {"volumes", {"/etc/collector:/etc/collector:ro,z", "collector-data:/data"}},
                {"restart", "always"}};
  ReadResult live = Read(*type, {{"gw", "container", "collector"}, "host.container", want, {}});
  ASSERT_TRUE(live.exists) << live.diagnostics.items().size();
  EXPECT_EQ(live.attributes["image"], "localhost/collector:1.4");
  EXPECT_EQ(live.attributes["image_id"],
            "sha256:328fc23f60db5599e16d765bcd35e0481d090056e7a509c4b0717fd8d90ebeef");
  EXPECT_EQ(live.attributes["command"],
            Value({"/app/collect", "--config", "/etc/collector/collector.yaml"}));
  // The keys the blueprint sets and those mfgctl set (the label): NEW is
  // missing, OLD is left over, the image's own PATH is not ours.
  EXPECT_EQ(live.attributes["environment"], Value({{"LINE", "L1"}, {"OLD", "x"}}));
  // Read back in the blueprint's order, whatever the engine's (podman's
  // varies from one inspect to the next).
  want["environment"] = {{"OLD", "x"}, {"LINE", "L1"}};
  live = Read(*type, {{"gw", "container", "collector"}, "host.container", want, {}});
  EXPECT_EQ(live.attributes["environment"].dump(), R"({"OLD":"x","LINE":"L1"})");
  EXPECT_EQ(live.attributes["ports"], Value({"127.0.0.1:502:5020/udp", "8080:8080/tcp"}));
  // The image's VOLUME gets an anonymous volume of the engine's: not ours.
  EXPECT_EQ(live.attributes["volumes"],
            Value({"/etc/collector:/etc/collector:ro,z", "collector-data:/data"}));
  EXPECT_EQ(live.attributes["restart"], "always");
  EXPECT_EQ(File("calls"), "container inspect --format {{json .}} collector\n"
                           "container inspect --format {{json .}} collector\n");
}

TEST_F(ContainerTypesTest, DockersInspectAndAnAbsentContainer) {
  FakeEngine("docker", R"([{"Image": "sha256:1f2e", "Config": {"Image": "collector:1.4"}}])");
  auto type = MakeContainerType();
  Value want = {{"image", "collector:1.4"}, {"engine", "docker"}};
  ReadResult live = Read(*type, {{"gw", "container", "c"}, "host.container", want, {}});
  ASSERT_TRUE(live.exists);
  EXPECT_EQ(live.attributes["image"], "collector:1.4");
  EXPECT_EQ(live.attributes["image_id"], "sha256:1f2e");
  // podman asked for, and not installed: nothing there yet (the plan may
  // install it before), not an error.
  want["engine"] = "podman";
  EXPECT_FALSE(Read(*type, {{"gw", "container", "c"}, "host.container", want, {}}).exists);
}

TEST_F(ContainerTypesTest, TheEnvironmentGoesThroughAFileNeverOnTheCommandLine) {
  FakeEngine("podman", "");
  auto type = MakeContainerType();
  HostStep step = type->Step(Request("container", "collector",
                                     {{"image", "localhost/collector:1.4"},
                                      {"command", {"/app/collect", "--line", "L 1"}},
                                      {"environment", {{"LINE", "L1"}, {"TOKEN", "s3cr3t $(id)"}}},
                                      {"ports", {"8080:8080"}},
                                      {"volumes", {"/etc/collector:/etc/collector:ro"}},
                                      {"restart", "always"}}));
  EXPECT_EQ(step.script.find("s3cr3t"), std::string::npos) << step.script;
  auto [status, out] = Run(step.script, step.input);
  ASSERT_EQ(status, 0) << out;
  std::string calls = File("calls");
  EXPECT_EQ(calls.find("s3cr3t"), std::string::npos) << calls;
  // podman's init (catatonit) is only recommended by Debian: without it
  // on the host, no --init (a stop then waits out its timeout).
  EXPECT_NE(calls.find("run -d --name collector --pull=never --env-file "), std::string::npos)
      << calls;
  EXPECT_NE(calls.find(" --label mfgctl.env=LINE,TOKEN -p 8080:8080 -v "
                       "/etc/collector:/etc/collector:ro --restart always -- "
                       "localhost/collector:1.4 /app/collect --line L 1\n"),
            std::string::npos)
      << calls;
  EXPECT_EQ(File("env"), "LINE=L1\nTOKEN=s3cr3t $(id)\n");
  // The file is gone once the engine has the values.
  std::string path = File("env-path");
  ASSERT_FALSE(path.empty());
  EXPECT_FALSE(std::filesystem::exists(path.substr(0, path.size() - 1)));
  std::ofstream(dir_ / "catatonit") << "#!/bin/sh\n";
  ::chmod((dir_ / "catatonit").c_str(), 0755);
  ASSERT_EQ(Run(step.script, step.input).first, 0);
  EXPECT_NE(File("calls").find("run -d --name collector --pull=never --init --env-file "),
            std::string::npos);
}

TEST_F(ContainerTypesTest, AnInspectThatFailsIsAnErrorNotAnAbsentContainer) {
  auto type = MakeContainerType();
  ReadItem item{{"gw", "container", "c"}, "host.container", {{"image", "x"}}, {}};
  std::ofstream(dir_ / "podman") << "#!/bin/sh\necho 'Error: no such container c' >&2; exit 125\n";
  ::chmod((dir_ / "podman").c_str(), 0755);
  ReadResult absent = Read(*type, item);
  EXPECT_FALSE(absent.exists);
  EXPECT_FALSE(absent.diagnostics.HasErrors());
  std::ofstream(dir_ / "podman") << "#!/bin/sh\necho 'Error: database is locked' >&2; exit 125\n";
  ReadResult locked = Read(*type, item);
  ASSERT_TRUE(locked.diagnostics.HasErrors());
  EXPECT_EQ(locked.diagnostics.items()[0].summary,
            "podman inspect failed: Error: database is locked");
  // An empty environment is read back as one.
  FakeEngine("podman", R"([{"Image": "1f2e", "ImageName": "x", "Config": {"Env": ["PATH=/bin"]}}])");
  item.desired["environment"] = Value::object();
  EXPECT_EQ(Read(*type, item).attributes["environment"], Value::object());
}

TEST_F(ContainerTypesTest, AMissingImageOrEngineAndABadVariableFailClearly) {
  auto type = MakeContainerType();
  ApplyRequest req = Request("container", "c", {{"image", "registry.plant.example/c:1"}});
  std::ofstream(dir_ / "podman") << "#!/bin/sh\nexit 1\n";  // knows no image
  ::chmod((dir_ / "podman").c_str(), 0755);
  auto [status, out] = Run(type->Step(req).script);
  EXPECT_EQ(status, 1);
  EXPECT_EQ(out, "image registry.plant.example/c:1 is not on this host: load it (an images: "
                 "entry with archive:) or pull it there; a container never pulls\n");
  req.after["engine"] = "docker";
  EXPECT_EQ(Run(type->Step(req).script).second, "docker is not installed on this host\n");
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"A", "two\nlines"}, {"A", "crlf\r"}, {"#A", "x"}, {" A", "x"}, {"1A", "x"},
           {"A=B", "x"}}) {
    req.after["environment"] = {{name, value}};
    EXPECT_EQ(Run(type->Step(req).script).second,
              "environment variable \"" + name + "\": a name is letters, digits and '_', not "
              "starting with a digit; a value holds no line break\n");
  }
}

TEST_F(ContainerTypesTest, AnImageFromAnArchiveIsUploadedCheckedAndMarked) {
  auto type = MakeImageType();
  ApplyRequest req = Request("image", "collector",
                             {{"name", "localhost/collector:1.4"},
                              {"archive", "/plant/images/collector-1.4.tar"},
                              {"archive_sha256", "sha256:ab12"}});
  HostStep step = type->Step(req);
  ASSERT_EQ(step.uploads.size(), 1u);
  EXPECT_EQ(step.uploads[0].local_path, "/plant/images/collector-1.4.tar");
  EXPECT_EQ(step.uploads[0].digest, "sha256:ab12");
  EXPECT_EQ(step.upload_dir.rfind("/var/lib/mfgctl/images/", 0), 0u) << step.upload_dir;
  // Without an archive: pulled, unless pull: never.
  req.after = {{"name", "registry.plant.example/c:1"}, {"pull", "never"}};
  FakeEngine("podman", "");
  auto [status, out] = Run(type->Step(req).script);
  EXPECT_EQ(status, 1);
  EXPECT_EQ(out, "image registry.plant.example/c:1 is not on this host and pull: never; give it "
                 "an archive: to load\n");
  req.after.erase("pull");
  EXPECT_EQ(Run(type->Step(req).script).first, 0);
  EXPECT_NE(File("calls").find("pull -q registry.plant.example/c:1\n"), std::string::npos);
  // An update loads another image: its ID is new.
  ModifyPlanRequest update;
  update.action = Action::kUpdate;
  EXPECT_EQ(type->ModifyPlan(update).renews, std::vector<std::string>{"id"});
}

}  // namespace
}  // namespace mfgctl
