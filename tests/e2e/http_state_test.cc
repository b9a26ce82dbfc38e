// State behind Terraform's http backend protocol, against the tests' state
// server with GitLab's semantics (tests/cloud/http_state_server.py), which
// Terraform's own client is run against too: a server Terraform accepts,
// mfgctl accepts; a lock mfgctl holds stops Terraform with mfgctl's holder
// shown; force-unlock sends the holder's lock info.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/e2e/e2e_support.h"
#include "tests/support/script_server.h"

namespace mfgctl::e2e {
namespace {

class HttpStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = ScriptServer::Start(kHttpStateServer, {"--user", "ci:glpat-secret-token"}, &error);
    ASSERT_NE(server_, nullptr) << error;
    setenv("MFGCTL_SECRET_GITLAB_TOKEN", "glpat-secret-token", 1);
  }
  void TearDown() override { unsetenv("MFGCTL_SECRET_GITLAB_TOKEN"); }

  std::string State(const std::string& name, const std::string& password = "${secret.GITLAB_TOKEN}") {
    std::string at = server_->Url("/state/" + name);
    return "state:\n  backend: http\n  address: " + at + "\n  lock_address: " + at +
           "/lock\n  unlock_address: " + at + "/lock\n  username: ci\n  password: \"" + password +
           "\"\n";
  }
  Value Stats() {
    return Value::parse(RunProgram({"curl", "-s", server_->Url("/__stats")}).out, nullptr, false);
  }
  Result Get(const std::string& name) {
    return RunProgram({"curl", "-s", "-u", "ci:glpat-secret-token", server_->Url("/state/" + name)});
  }
  static bool HaveTerraform() { return RunProgram({"sh", "-c", "command -v terraform"}).exit_code == 0; }
  // A Terraform configuration with only an output, its backend this server.
  Result Terraform(const std::filesystem::path& dir, const std::string& name,
                   const std::vector<std::string>& args) {
    std::filesystem::create_directories(dir);
    std::string at = server_->Url("/state/" + name);
    std::ofstream(dir / "main.tf") << "terraform {\n  backend \"http\" {\n    address = \"" << at
                                   << "\"\n    lock_address = \"" << at
                                   << "/lock\"\n    unlock_address = \"" << at
                                   << "/lock\"\n    username = \"ci\"\n    password = "
                                      "\"glpat-secret-token\"\n  }\n}\n"
                                      "output \"plant\" { value = \"suzhou-1\" }\n";
    std::vector<std::string> argv = {"terraform"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("-input=false");
    argv.push_back("-no-color");
    return RunProgram(argv, dir.string());
  }

  std::unique_ptr<ScriptServer> server_;
};

TEST_F(HttpStateTest, AServerTerraformAcceptsKeepsMfgctlsState) {
  if (HaveTerraform()) {
    std::filesystem::path tf = std::filesystem::temp_directory_path() / "mfgctl-http-tf";
    std::filesystem::remove_all(tf);
    Result init = Terraform(tf, "terraform", {"init"});
    ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
    Result tf_apply = Terraform(tf, "terraform", {"apply", "-auto-approve"});
    ASSERT_EQ(tf_apply.exit_code, 0) << tf_apply.out << tf_apply.err;
    EXPECT_NE(Get("terraform").out.find("\"terraform_version\""), std::string::npos);
    std::filesystem::remove_all(tf);
  } else {
    std::cerr << "terraform is not installed: the server is not checked against it here\n";
  }
  Plant plant("http-basic");
  plant.Write(State("suzhou-1") +
              Gateway(1, "    files:\n      /srv/http-basic.conf: { content: \"a\\n\" }\n"));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  Value state = Value::parse(Get("suzhou-1").out, nullptr, false);
  ASSERT_FALSE(state.is_discarded());
  EXPECT_EQ(state["plant"], "http-basic");
  EXPECT_NE(StateEntry(state, "gw:file[/srv/http-basic.conf]"), nullptr);
  EXPECT_FALSE(std::filesystem::exists(plant.StatePath()));
  Value stats = Stats();
  EXPECT_EQ(stats.value("LOCK /state/suzhou-1/lock", 0), 1) << stats.dump();
  EXPECT_EQ(stats.value("UNLOCK /state/suzhou-1/lock", 0), 1) << stats.dump();
  // Written while locked: with the lock's ID, which the server checks.
  EXPECT_GE(stats.value("POST /state/suzhou-1", 0), 1) << stats.dump();
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
  // The token reaches no output.
  EXPECT_EQ((apply.out + apply.err).find("glpat-secret-token"), std::string::npos);
  // A Terraform state at the address is refused, not taken for a plant's.
  plant.Write(State("terraform") + Gateway(1, ""));
  if (HaveTerraform()) {
    Result plan = plant.Mfgctl({"plan"});
    EXPECT_EQ(plan.exit_code, 1);
    EXPECT_NE(plan.err.find("is Terraform's, not mfgctl's"), std::string::npos) << plan.err;
  }
  OnHost(1, "rm -f /srv/http-basic.conf");
}

TEST_F(HttpStateTest, ALockMfgctlHoldsStopsTerraformAndAnotherRun) {
  Plant plant("http-lock");
  plant.Write(State("line1") + Gateway(2, "    commands:\n      slow: { run: \"sleep 4\" }\n"));
  pid_t pid = plant.Start({"apply", "--auto-approve"});
  for (int i = 0; i < 500 && Stats().value("LOCK /state/line1/lock", 0) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Result refused = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("state of this plant is locked by pid " + std::to_string(pid) +
                             " (mfgctl apply)"),
            std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find(", since 20"), std::string::npos) << refused.err;
  if (HaveTerraform()) {
    // Terraform takes mfgctl's lock for a held lock (it names the holder's
    // lock ID from the info mfgctl sent).
    std::filesystem::path tf = std::filesystem::temp_directory_path() / "mfgctl-http-tf-lock";
    std::filesystem::remove_all(tf);
    ASSERT_EQ(Terraform(tf, "line1", {"init"}).exit_code, 0);
    Result blocked = Terraform(tf, "line1", {"plan", "-lock-timeout=0s"});
    EXPECT_NE(blocked.exit_code, 0);
    EXPECT_NE(blocked.err.find("Error acquiring the state lock"), std::string::npos) << blocked.err;
    EXPECT_NE(blocked.err.find("HTTP remote state already locked:\nID="), std::string::npos)
        << blocked.err;
    std::filesystem::remove_all(tf);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(HttpStateTest, ForceUnlockClearsTheLockOfAKilledRun) {
  Plant plant("http-force");
  plant.Write(State("line2") + Gateway(3, "    commands:\n      slow: { run: \"sleep 5\" }\n"));
  pid_t pid = plant.Start({"apply", "--auto-approve"});
  for (int i = 0; i < 500 && Stats().value("LOCK /state/line2/lock", 0) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  // The server keeps the dead run's lock: the next run is refused.
  Result refused = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("locked by pid " + std::to_string(pid)), std::string::npos)
      << refused.err;
  Result unlock = plant.Mfgctl({"force-unlock", "--force"});
  ASSERT_EQ(unlock.exit_code, 0) << unlock.out << unlock.err;
  EXPECT_NE(unlock.out.find("is locked by pid " + std::to_string(pid)), std::string::npos)
      << unlock.out;
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_NE(StateEntry(Value::parse(Get("line2").out, nullptr, false), "gw:command[slow]"),
            nullptr);
}

TEST_F(HttpStateTest, AWrongPasswordFailsClearlyAndChangesNothing) {
  Plant plant("http-denied");
  plant.Write(State("line3", "wrong") +
              Gateway(1, "    files:\n      /srv/http-denied.conf: { content: \"a\\n\" }\n"));
  Result plan = plant.Mfgctl({"plan"});
  EXPECT_EQ(plan.exit_code, 1);
  EXPECT_NE(plan.err.find("cannot read the state of plant http-denied from " +
                          server_->Url("/state/line3") + ": HTTP 401"),
            std::string::npos)
      << plan.err;
  EXPECT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 1);
  EXPECT_NE(OnHost(1, "test -e /srv/http-denied.conf").exit_code, 0);
}

}  // namespace
}  // namespace mfgctl::e2e
