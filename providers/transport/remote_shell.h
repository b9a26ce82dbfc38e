#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace mfgctl {

struct CommandResult {
  int exit_status = -1;
  std::string out;
  std::string err;
};

/// Runs commands on one host through a POSIX shell. The seam between host
/// resources and the wire: the SSH session implements it; tests may fake it.
class RemoteShell {
 public:
  virtual ~RemoteShell() = default;

  /// Receives a command's standard output so far, each time more arrived.
  using OutputWatch = std::function<void(std::string_view out)>;

  /// Runs `command` (a shell command line) with `input` on its standard
  /// input, binary-safe, and collects its output and exit status; `watch`,
  /// when set, sees the output grow. False when the command could not be
  /// run to completion (connection lost, timeout): `error` says why. A
  /// non-zero exit status is not a failure here.
  virtual bool Run(const std::string& command, std::string_view input, CommandResult* result,
                   std::string* error, const OutputWatch& watch) = 0;

  /// Copies the local file `local_path` to `remote_path` on the host as the
  /// login user (mode 0600), replacing what is there; `sent_digest` is the
  /// Sha256Digest of the bytes sent (the transport guarantees they arrive
  /// unchanged). False and `error` when it cannot: no space left, no
  /// permission, connection lost.
  virtual bool Upload(const std::string& local_path, const std::string& remote_path,
                      std::string* sent_digest, std::string* error) = 0;
};

}  // namespace mfgctl
