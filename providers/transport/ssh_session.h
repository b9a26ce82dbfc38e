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
  /// Seconds of silence after which a keepalive goes out (SSH and TCP), so
  /// that firewalls and NAT between plant networks do not drop a connection
  /// waiting on a long command; 0: none.
  int keepalive_s = 30;
  /// A jump host to reach `host` through (a direct-tcpip channel), or null.
  /// Its key is verified and its login made like any host's.
  std::shared_ptr<const SshEndpoint> jump;
};

/// A host's public key as offered in the key exchange.
struct HostKey {
  enum class Status { kKnown, kUnknown, kChanged };
  std::string type;         // "ssh-ed25519"
  std::string base64;       // the key blob, as known_hosts writes it
  std::string fingerprint;  // "SHA256:...", as OpenSSH prints it
  Status status = Status::kUnknown;  // against the endpoint's known_hosts

  /// The known_hosts line that trusts this key for the endpoint.
  std::string KnownHostsLine(const SshEndpoint& endpoint) const;
};

/// One authenticated SSH connection (libssh2), reused for every command on
/// the host; through a jump host, a thread relays the connection's bytes
/// over a channel of the jump host's own session. The host key is checked
/// against known_hosts before any credential is sent; an unknown or changed
/// key is refused. Not thread-safe: one command at a time.
class SshSession : public RemoteShell {
 public:
  /// Connects, verifies the host key and authenticates; nullptr and `error`
  /// (saying what to do about it) on failure.
  static std::unique_ptr<SshSession> Connect(const SshEndpoint& endpoint, std::string* error);

  /// Connects and completes the key exchange only — no credential is sent —
  /// to learn the host's key and whether known_hosts has it. For recording
  /// a key deliberately (`mfgctl trust`), never for trusting it silently.
  static bool ScanHostKey(const SshEndpoint& endpoint, HostKey* key, std::string* error);
  ~SshSession() override;

  bool Run(const std::string& command, std::string_view input, CommandResult* result,
           std::string* error, const OutputWatch& watch) override;
  /// Over SFTP, in large pipelined writes, hashed as they go.
  bool Upload(const std::string& local_path, const std::string& remote_path,
              std::string* sent_digest, std::string* error) override;

 private:
  struct Impl;
  explicit SshSession(std::unique_ptr<Impl> impl);
  /// Connects (through the jump host, if any) and completes the key
  /// exchange; nullptr and `error` on failure.
  static std::unique_ptr<Impl> Handshake(const SshEndpoint& endpoint, std::string* error);
  /// Handshake, host key verified, authenticated.
  static std::unique_ptr<Impl> Login(const SshEndpoint& endpoint, std::string* error);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mfgctl
