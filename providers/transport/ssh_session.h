#pragma once

#include <memory>
#include <string>

#include "providers/transport/remote_shell.h"

namespace mfgctl {

/// Where and how to log in.
struct SshEndpoint {
  std::string host;
  int port = 22;
  std::string user = "root";
  /// Private key file; when empty, the keys of a running ssh-agent.
  std::string identity_file;
  /// OpenSSH known_hosts file the host key must be in.
  std::string known_hosts;
  int connect_timeout_ms = 10000;
  int command_timeout_ms = 600000;
};

/// One authenticated SSH connection (libssh2), reused for every command on
/// the host. The host key is checked against known_hosts before any
/// credential is sent; an unknown or changed key is refused. Not thread-safe:
/// one command at a time.
class SshSession : public RemoteShell {
 public:
  /// Connects, verifies the host key and authenticates; nullptr and `error`
  /// (saying what to do about it) on failure.
  static std::unique_ptr<SshSession> Connect(const SshEndpoint& endpoint, std::string* error);
  ~SshSession() override;

  bool Run(const std::string& command, std::string_view input, CommandResult* result,
           std::string* error) override;

 private:
  struct Impl;
  explicit SshSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mfgctl
