#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace mfgctl {

/// `tests/support/fault_server.py` running on 127.0.0.1 for one test suite:
/// started with its arguments, ended (SIGTERM) when this is destroyed. The
/// server also ends by itself when this process dies: its standard input is
/// a pipe held here.
class FaultServer {
 public:
  /// Starts the server with `args` (e.g. `--tls DIR`) and waits for it to
  /// print its port; nullptr and `error` if it does not within 20 s.
  static std::unique_ptr<FaultServer> Start(const std::vector<std::string>& args,
                                            std::string* error);
  ~FaultServer();

  int port() const { return port_; }
  /// `http://127.0.0.1:PORT` (`https` with `--tls`) + `path_and_query`.
  std::string Url(const std::string& path_and_query) const;

 private:
  FaultServer(pid_t pid, int stdin_fd, int port, bool tls)
      : pid_(pid), stdin_fd_(stdin_fd), port_(port), tls_(tls) {}
  pid_t pid_;
  int stdin_fd_;
  int port_;
  bool tls_;
};

}  // namespace mfgctl
