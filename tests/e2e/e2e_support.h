#pragma once

// End-to-end tests run the real mfgctl binary against real Debian test
// hosts (systemd + sshd in network namespaces) started once for the suite
// by tests/hosts/testhosts.sh. They check the hosts with the OpenSSH client,
// independently of mfgctl.

#include <gtest/gtest.h>

#include <sys/types.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "engine/model/value.h"
#include "tests/support/process.h"

namespace mfgctl::e2e {

using Result = ProcessResult;

/// Where the test hosts' key, known_hosts and address list are.
std::string HostsDir();
/// Address of test host i (1-based).
std::string HostAddress(int i);

/// Runs a shell command on test host i over OpenSSH as root.
Result OnHost(int i, const std::string& command);

/// A scratch plant folder with a blueprint and its own state.
class Plant {
 public:
  explicit Plant(const std::string& name);
  ~Plant();

  /// Writes plant.yaml: the header (version, plant, ssh provider with the
  /// test key and known_hosts) followed by `body`.
  void Write(const std::string& body, const std::string& known_hosts = "") const;
  /// Starts `mfgctl ARGS` in the plant folder without waiting; its standard
  /// output goes to `stdout_fd` (or /dev/null), its errors to /dev/null.
  pid_t Start(const std::vector<std::string>& args, int stdout_fd = -1) const;
  /// Runs `mfgctl ARGS` in the plant folder.
  Result Mfgctl(const std::vector<std::string>& args, const std::string& input = "") const;
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path StatePath() const;
  Value ReadState() const;

 private:
  std::string name_;
  std::filesystem::path dir_;
};

/// The entry of `address` in a state file's JSON, or null.
const Value* StateEntry(const Value& state, const std::string& address);

/// A `gateways:` section with one host `gw` on test host `host`, followed
/// by `sections` (indented for the host).
std::string Gateway(int host, const std::string& sections);

}  // namespace mfgctl::e2e
