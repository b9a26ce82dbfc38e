#include "tests/support/script_server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

namespace mfgctl {

const char* const kFaultServer = MFGCTL_FAULT_SERVER;
const char* const kBigQueryFake = MFGCTL_BIGQUERY_FAKE;
const char* const kHttpStateServer = MFGCTL_HTTP_STATE_SERVER;

std::unique_ptr<ScriptServer> ScriptServer::Start(const char* script,
                                                  const std::vector<std::string>& args,
                                                  std::string* error) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
    *error = "pipe failed";
    return nullptr;
  }
  std::vector<std::string> argv = {"python3", script};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    std::vector<char*> cargs;
    for (auto& a : argv) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    execvp(cargs[0], cargs.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  // The first line is the port.
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p = {out[0], POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    char buf[64];
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  close(out[0]);
  int port = atoi(line.c_str());
  if (port <= 0) {
    *error = std::string(script) + " printed no port (python3 missing?): '" + line + "'";
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
    close(in[1]);
    return nullptr;
  }
  bool tls = std::find(args.begin(), args.end(), "--tls") != args.end();
  return std::unique_ptr<ScriptServer>(new ScriptServer(pid, in[1], port, tls));
}

ScriptServer::~ScriptServer() {
  kill(pid_, SIGTERM);
  waitpid(pid_, nullptr, 0);
  close(stdin_fd_);
}

std::string ScriptServer::Url(const std::string& path_and_query) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
         path_and_query;
}

}  // namespace mfgctl
