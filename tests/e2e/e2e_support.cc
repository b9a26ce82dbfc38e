#include "tests/e2e/e2e_support.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "engine/model/text_file.h"

namespace mfgctl::e2e {
namespace {

// Refuses to run without the test hosts: their addresses are only on the
// test bridge, and without it traffic to them would leave this machine.
class TestHostsEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists("/sys/class/net/mfgt0") &&
                std::filesystem::exists(HostsDir() + "/hosts"))
        << "the test hosts are not up; ctest starts them (fixture e2e_hosts), or run "
           "tests/hosts/testhosts.sh up 4";
  }
};

[[maybe_unused]] ::testing::Environment* const kTestHosts =
    ::testing::AddGlobalTestEnvironment(new TestHostsEnvironment);

}  // namespace

std::string HostsDir() {
  const char* d = std::getenv("MFGCTL_TEST_HOSTS");
  return d ? d : "/run/mfgctl-test";
}

std::string HostAddress(int i) { return "10.200.0." + std::to_string(10 + i); }

Result OnHost(int i, const std::string& command) {
  return RunProgram({"ssh", "-q", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-o",
                     "UserKnownHostsFile=" + HostsDir() + "/known_hosts", "-o",
                     "StrictHostKeyChecking=yes", "-i", HostsDir() + "/id_ed25519",
                     "root@" + HostAddress(i), command});
}

Plant::Plant(const std::string& name) : name_(name) {
  dir_ = std::filesystem::temp_directory_path() / ("mfgctl-e2e-" + name);
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
}

Plant::~Plant() {
  if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir_);
}

void Plant::Write(const std::string& body, const std::string& known_hosts) const {
  std::ofstream(dir_ / "plant.yaml")
      << "mfgctl: 1\nplant: " << name_ << "\nproviders:\n  ssh:\n    user: root\n"
      << "    identity_file: " << HostsDir() << "/id_ed25519\n"
      << "    known_hosts: " << (known_hosts.empty() ? HostsDir() + "/known_hosts" : known_hosts)
      << "\n    connect_timeout: 3\n"
      << body;
}

Result Plant::Mfgctl(const std::vector<std::string>& args, const std::string& input) const {
  std::vector<std::string> argv{MFGCTL_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, dir_.string(), input);
}

pid_t Plant::Start(const std::vector<std::string>& args, int stdout_fd) const {
  pid_t pid = fork();
  if (pid != 0) return pid;
  if (chdir(dir_.c_str()) != 0) _exit(127);
  int devnull = open("/dev/null", O_WRONLY);
  dup2(stdout_fd >= 0 ? stdout_fd : devnull, 1);
  dup2(devnull, 2);
  std::vector<char*> argv{const_cast<char*>(MFGCTL_BINARY)};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv(MFGCTL_BINARY, argv.data());
  _exit(127);
}

std::filesystem::path Plant::StatePath() const {
  return dir_ / ".mfgctl" / (name_ + ".state.json");
}

Value Plant::ReadState() const {
  return Value::parse(ReadWholeFile(StatePath().string()).value_or(""), nullptr, false);
}

const Value* StateEntry(const Value& state, const std::string& address) {
  for (const auto& r : state["resources"]) {
    if (r["address"] == address) return &r;
  }
  return nullptr;
}

std::string Gateway(int host, const std::string& sections) {
  return "gateways:\n  gw:\n    address: " + HostAddress(host) + "\n" + sections;
}

}  // namespace mfgctl::e2e
