// Containers on a gateway: real podman inside test host 5 (tests/hosts:
// the container base). Images are made offline on the host (`podman
// import` of a busybox-static rootfs), saved as archives and brought here,
// then removed from the host: mfgctl uploads and loads them, as a plant
// without a registry needs.
#include <chrono>
#include <fstream>
#include <thread>

#include "engine/model/text_file.h"
#include "tests/e2e/e2e_support.h"

namespace mfgctl::e2e {
namespace {

constexpr int kCt = 5;  // tests/CMakeLists.txt: up 6 1 1
const char* const kToken = "Tok-ctr-9d41e7";

class ContainersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Clean();
    ::setenv("MFGCTL_SECRET_COLLECTOR_TOKEN", kToken, 1);
  }
  void TearDown() override {
    ::unsetenv("MFGCTL_SECRET_COLLECTOR_TOKEN");
    Clean();
  }
  static void Clean() {
    OnHost(kCt, "podman rm -fa >/dev/null 2>&1; podman rmi -af >/dev/null 2>&1; "
                "rm -rf /var/lib/mfgctl/images /etc/e2e-collector /var/lib/e2e-collector "
                "/etc/containers/registries.conf.d/e2e-plant.conf");
  }

  // An image archive made on the host from the test rootfs, `label`
  // making its ID its own, saved to `file` here; the host keeps no copy.
  static void MakeArchive(const std::string& name, const std::string& label,
                          const std::filesystem::path& file) {
    Result made = OnHost(kCt, "podman import --change 'LABEL v=" + label +
                                  "' /usr/local/share/mfgctl-test-rootfs.tar " + name +
                                  " >/dev/null && podman save -q -o /tmp/e2e-image.tar " + name +
                                  " && podman rmi " + name + " >/dev/null && cat /tmp/e2e-image.tar"
                                  " && rm -f /tmp/e2e-image.tar");
    ASSERT_EQ(made.exit_code, 0) << made.err;
    std::ofstream(file, std::ios::binary) << made.out;
  }

  // The collector: its config file, image and container; `conf` the
  // file's attributes, `container` more of the container's, `more` more
  // containers.
  static std::string Blueprint(const std::string& archive, const std::string& line,
                               const std::string& more = "", const std::string& container = "",
                               const std::string& conf = "content: \"conf v1\\n\"") {
    return Gateway(kCt,
                   "    directories: { /etc/e2e-collector: {}, /var/lib/e2e-collector: {} }\n"
                   "    files:\n"
                   "      /etc/e2e-collector/collector.conf: { " + conf + " }\n"
                   "    images:\n"
                   "      collector: { archive: ./" + archive +
                   ", name: \"localhost/e2e-collector:1\" }\n"
                   "    containers:\n"
                   "      collector:\n"
                   "        image: localhost/e2e-collector:1\n"
                   "        command: [\"/bin/sh\", \"-c\", \"cat /etc/collector/collector.conf > "
                   "/data/started; echo $LINE >> /data/started; exec httpd -f -p 8080 -h "
                   "/data\"]\n"
                   "        environment: { LINE: \"" + line +
                   "\", TOKEN: \"${secret.COLLECTOR_TOKEN}\" }\n"
                   "        ports: [\"8080:8080\"]\n"
                   "        volumes: [\"/etc/e2e-collector:/etc/collector:ro\", "
                   "\"/var/lib/e2e-collector:/data\"]\n"
                   "        restart: always\n"
                   "        after: [\"file[/etc/e2e-collector/collector.conf]\"]\n" + container +
                   more);
  }

  static std::string Inspect(const std::string& format) {
    return OnHost(kCt, "podman container inspect --format '" + format + "' collector").out;
  }

  // Whether `command` on the host prints `out` within 10 s.
  static bool Eventually(const std::string& command, const std::string& out) {
    for (int i = 0; i < 50; ++i) {
      if (OnHost(kCt, command).out == out) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ADD_FAILURE() << command << " printed " << OnHost(kCt, command).out << ", not " << out;
    return false;
  }

  // Waits up to `seconds` for the collector to run as a container other
  // than `old_id`; its ID, or "" when it did not.
  static std::string RunningAgain(const std::string& old_id, int seconds) {
    for (int i = 0; i < seconds * 5; ++i) {
      Result r = OnHost(kCt, "podman container inspect --format '{{.State.Running}} {{.Id}}' "
                             "collector 2>/dev/null");
      if (r.out.rfind("true ", 0) == 0 && r.out.substr(5) != old_id) return r.out.substr(5);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return "";
  }
};

TEST_F(ContainersTest, LoadsRunsRecreatesOnChangeAndKeepsTheSecretHidden) {
  Plant plant("containers");
  MakeArchive("localhost/e2e-collector:1", "one", plant.dir() / "collector-1.tar");
  MakeArchive("localhost/e2e-collector:1", "two", plant.dir() / "collector-2.tar");
  plant.Write(Blueprint("collector-1.tar", "L1"));

  Result plan = plant.Mfgctl({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("+ host.image \"gw:image[collector]\""), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("+ archive_sha256 = \"sha256:"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("+ image_id    = (known after apply)"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("+ environment = (sensitive value)"), std::string::npos) << plan.out;

  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(Inspect("{{.State.Running}}"), "true\n");
  EXPECT_TRUE(Eventually("cat /var/lib/e2e-collector/started", "conf v1\nL1\n"));
  // Published: the host's port 8080 reaches the container.
  EXPECT_EQ(OnHost(kCt, "python3 -c \"import urllib.request; print(urllib.request.urlopen("
                        "'http://127.0.0.1:8080/started').read().decode(), end='')\"").out,
            "conf v1\nL1\n");
  // The secret reached the container, and nothing else.
  EXPECT_EQ(OnHost(kCt, "podman exec collector sh -c 'echo $TOKEN'").out, std::string(kToken) + "\n");
  std::string image_id = OnHost(kCt, "podman image inspect --format '{{.Id}}' "
                                     "localhost/e2e-collector:1").out;
  EXPECT_EQ(Inspect("{{.Image}}"), image_id);
  std::string state = ReadWholeFile(plant.StatePath().string()).value_or("");
  for (const auto& [what, text] : std::vector<std::pair<std::string, std::string>>{
           {"plan", plan.out + plan.err}, {"apply", apply.out + apply.err}, {"state", state},
           {"the host's processes", OnHost(kCt, "ps -eo args").out}}) {
    EXPECT_EQ(text.find(kToken), std::string::npos) << what << ":\n" << text;
  }
  EXPECT_EQ(OnHost(kCt, "grep -rl " + std::string(kToken) + " /tmp /etc/mfgctl 2>/dev/null").out, "");

  // Converged: nothing to do.
  Result again = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;

  // A changed environment recreates the container, and the plan says so.
  plant.Write(Blueprint("collector-1.tar", "L2"));
  Result changed = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(changed.exit_code, 2) << changed.out << changed.err;
  EXPECT_NE(changed.out.find("gw:container[collector] must be replaced"), std::string::npos)
      << changed.out;
  std::string before = Inspect("{{.Id}}");
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_NE(Inspect("{{.Id}}"), before);
  EXPECT_TRUE(Eventually("cat /var/lib/e2e-collector/started", "conf v1\nL2\n"));
  Result recreated = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(recreated.exit_code, 0) << recreated.out << recreated.err;

  // A changed archive loads the new image and recreates its container.
  plant.Write(Blueprint("collector-2.tar", "L2"));
  Result reload = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(reload.exit_code, 2) << reload.out << reload.err;
  EXPECT_NE(reload.out.find("gw:image[collector] will be updated"), std::string::npos)
      << reload.out;
  EXPECT_NE(reload.out.find("gw:container[collector] must be replaced"), std::string::npos)
      << reload.out;
  Result reloaded = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(reloaded.exit_code, 0) << reloaded.out << reloaded.err;
  std::string new_id = OnHost(kCt, "podman image inspect --format '{{.Id}}' "
                                   "localhost/e2e-collector:1").out;
  EXPECT_NE(new_id, image_id);
  EXPECT_EQ(Inspect("{{.Image}}"), new_id);
  EXPECT_EQ(Inspect("{{.State.Running}}"), "true\n");
  Result converged = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(converged.exit_code, 0) << converged.out << converged.err;
}

TEST_F(ContainersTest, AMissingImageFailsOnlyItsContainerAndNeverPulls) {
  Plant plant("containers-missing");
  MakeArchive("localhost/e2e-collector:1", "one", plant.dir() / "collector-1.tar");
  plant.Write(Blueprint("collector-1.tar", "L1",
                        "      orphan:\n"
                        "        image: registry.plant.invalid/orphan:1\n"
                        "        command: [\"sleep\", \"1000\"]\n"));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << apply.out << apply.err;
  EXPECT_NE(apply.err.find("gw:container[orphan]"), std::string::npos) << apply.err;
  EXPECT_NE(apply.err.find("image registry.plant.invalid/orphan:1 is not on this host"),
            std::string::npos)
      << apply.err;
  // The rest of the plan went on.
  EXPECT_EQ(Inspect("{{.State.Running}}"), "true\n");
  EXPECT_EQ(OnHost(kCt, "podman container exists orphan; echo $?").out, "1\n");
}

// An image without an archive is pulled from the plant's registry (a real
// one: tests/cloud/registry.sh, plain HTTP, which the host's registries.conf
// — written by the same plan — allows); `pull: never` fails instead.
TEST_F(ContainersTest, AnImageIsPulledFromThePlantRegistryWhenMissing) {
  if (RunProgram({"curl", "-sf", "http://127.0.0.1:5000/v2/"}).exit_code != 0) {
    GTEST_SKIP() << "no registry on port 5000 (tests/cloud/registry.sh up)";
  }
  Plant plant("containers-registry");
  MakeArchive("localhost/e2e-collector:1", "registry", plant.dir() / "pushed.tar");
  Result pushed = RunProgram({"skopeo", "copy", "--quiet", "--dest-tls-verify=false",
                              "docker-archive:" + (plant.dir() / "pushed.tar").string(),
                              "docker://127.0.0.1:5000/e2e/collector:1"});
  ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
  const std::string image = "10.200.0.1:5000/e2e/collector:1";  // the bridge, as the host sees it
  plant.Write(Gateway(kCt,
                      "    files:\n"
                      "      /etc/containers/registries.conf.d/e2e-plant.conf:\n"
                      "        content: \"[[registry]]\\nlocation = \\\"10.200.0.1:5000\\\"\\n"
                      "insecure = true\\n\"\n"
                      "    images:\n"
                      "      collector:\n"
                      "        name: \"" + image + "\"\n"
                      "        after: [\"file[/etc/containers/registries.conf.d/e2e-plant.conf]\"]\n"
                      "      absent: { name: \"10.200.0.1:5000/e2e/absent:1\", pull: never }\n"
                      "    containers:\n"
                      "      collector:\n"
                      "        image: \"" + image + "\"\n"
                      "        command: [\"sleep\", \"1000\"]\n"));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << apply.out << apply.err;  // absent: never pulled
  EXPECT_NE(apply.err.find("error: gw:image[absent]: "), std::string::npos) << apply.err;
  EXPECT_NE(apply.err.find("image 10.200.0.1:5000/e2e/absent:1 is not on this host and pull: "
                           "never; give it an archive: to load"),
            std::string::npos)
      << apply.err;
  EXPECT_EQ(Inspect("{{.State.Running}} {{.ImageName}}"), "true " + image + "\n");
  std::string id = OnHost(kCt, "podman image inspect --format '{{.Id}}' " + image).out;
  EXPECT_EQ(id, Inspect("{{.Image}}"));
  Value state = plant.ReadState();
  const Value* entry = StateEntry(state, "gw:image[collector]");
  ASSERT_NE(entry, nullptr);
  id.pop_back();
  EXPECT_EQ((*entry)["attributes"]["id"], "sha256:" + id) << entry->dump();
  OnHost(kCt, "rm -f /etc/containers/registries.conf.d/e2e-plant.conf");
}

// `service: true`: a unit mfgctl writes runs the container; systemd
// restarts it when it dies and starts it after a reboot; a file that
// notifies it restarts it.
TEST_F(ContainersTest, AServiceSurvivesItsDeathAndARebootAndRestartsOnNotify) {
  Plant plant("containers-service");
  MakeArchive("localhost/e2e-collector:1", "one", plant.dir() / "collector-1.tar");
  auto write = [&](const std::string& conf) {
    plant.Write(Blueprint("collector-1.tar", "L1", "", "        service: true\n",
                          "content: \"" + conf + "\\n\", notify: [\"container[collector]\"]"));
  };
  write("conf v1");
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(OnHost(kCt, "systemctl is-enabled container-collector.service; "
                        "systemctl is-active container-collector.service").out,
            "enabled\nactive\n");
  EXPECT_TRUE(Eventually("cat /var/lib/e2e-collector/started", "conf v1\nL1\n"));
  Result again = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  // The secret is in the env file only, root's alone.
  EXPECT_EQ(OnHost(kCt, "stat -c %a /etc/mfgctl/containers/collector.env").out, "600\n");
  EXPECT_EQ(OnHost(kCt, "grep -rl " + std::string(kToken) +
                        " /etc/systemd/system /etc/mfgctl/containers/collector.run").out,
            "");
  EXPECT_EQ(OnHost(kCt, "ps -eo args").out.find(kToken), std::string::npos);

  // Killed, systemd starts it again.
  std::string id = Inspect("{{.Id}}");
  id.pop_back();
  OnHost(kCt, "kill -9 $(podman container inspect --format '{{.State.Pid}}' collector)");
  std::string restarted = RunningAgain(id, 30);
  EXPECT_NE(restarted, "") << OnHost(kCt, "systemctl status --no-pager collector; "
                                          "journalctl -n 20 --no-pager -u "
                                          "container-collector.service").out;

  // A changed file that notifies it restarts it: it reads the new file.
  write("conf v2");
  Result notified = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(notified.exit_code, 0) << notified.out << notified.err;
  EXPECT_NE(notified.out.find("gw:container[collector]"), std::string::npos) << notified.out;
  EXPECT_TRUE(Eventually("cat /var/lib/e2e-collector/started", "conf v2\nL1\n"));

  // A reboot brings it back.
  std::string before_reboot = Inspect("{{.Id}}");
  before_reboot.pop_back();
  OnHost(kCt, "systemctl reboot");
  EXPECT_NE(RunningAgain(before_reboot, 120), "")
      << OnHost(kCt, "journalctl -b -n 30 --no-pager -u container-collector.service").out;
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);

  // Out of the blueprint, the unit and its files go with the container.
  plant.Write(Gateway(kCt, "    directories: { /etc/e2e-collector: {}, /var/lib/e2e-collector: {} }\n"));
  Result removed = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(removed.exit_code, 0) << removed.out << removed.err;
  EXPECT_EQ(OnHost(kCt, "ls /etc/systemd/system/container-collector.service "
                        "/etc/mfgctl/containers/collector.env 2>/dev/null; "
                        "podman container exists collector; echo $?").out,
            "1\n");
}

}  // namespace
}  // namespace mfgctl::e2e
