#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace mfgctl {

/// The tests' Python servers (standard library only).
/// `tests/support/fault_server.py`: misbehaves on request, or proxies.
extern const char* const kFaultServer;
/// `tests/cloud/bigquery_fake.py`: BigQuery's datasets and tables.
extern const char* const kBigQueryFake;
/// `tests/cloud/http_state_server.py`: Terraform's http state protocol,
/// with GitLab's semantics.
extern const char* const kHttpStateServer;

/// One of the tests' Python servers running on 127.0.0.1 for one test or
/// suite: started with its arguments, ended (SIGTERM) when this is
/// destroyed. The server also ends by itself when this process dies: its
/// standard input is a pipe held here. Each prints its port first.
class ScriptServer {
 public:
  /// Starts `script` with `args` (e.g. `--tls DIR`) and waits for it to
  /// print its port; nullptr and `error` if it does not within 20 s.
  static std::unique_ptr<ScriptServer> Start(const char* script,
                                             const std::vector<std::string>& args,
                                             std::string* error);
  ~ScriptServer();

  int port() const { return port_; }
  /// `http://127.0.0.1:PORT` (`https` with `--tls`) + `path_and_query`.
  std::string Url(const std::string& path_and_query) const;

 private:
  ScriptServer(pid_t pid, int stdin_fd, int port, bool tls)
      : pid_(pid), stdin_fd_(stdin_fd), port_(port), tls_(tls) {}
  pid_t pid_;
  int stdin_fd_;
  int port_;
  bool tls_;
};

}  // namespace mfgctl
