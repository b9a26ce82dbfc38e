#include "cli/health_checks.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>

#include "providers/transport/http_client.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

// Connects to HOST:PORT within `timeout_ms`; "" on success, else why not.
std::string TcpConnect(const std::string& host_port, long long timeout_ms) {
  size_t colon = host_port.rfind(':');
  if (colon == std::string::npos || colon + 1 == host_port.size()) {
    return "expected HOST:PORT, got \"" + host_port + "\"";
  }
  std::string host = host_port.substr(0, colon), port = host_port.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return std::string("cannot resolve ") + host + ": " + gai_strerror(rc);
  }
  std::string why = "no address";
  for (addrinfo* a = found; a; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int rc = connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      // A signal (SIGINT stopping the rollout) cuts poll short: wait out the rest.
      pollfd p{fd, POLLOUT, 0};
      auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
      do {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        rc = poll(&p, 1, static_cast<int>(std::max<long long>(0, left.count())));
      } while (rc < 0 && errno == EINTR);
      if (rc == 0) {
        why = "no answer within " + std::to_string(timeout_ms / 1000) + " s";
        rc = -1;
      } else if (rc > 0) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) why = std::strerror(err);
        rc = err == 0 ? 0 : -1;
      } else {
        why = std::strerror(errno);
      }
    } else if (rc != 0) {
      why = std::strerror(errno);
    }
    close(fd);
    if (rc == 0) {
      freeaddrinfo(found);
      return "";
    }
  }
  freeaddrinfo(found);
  return why;
}

}  // namespace

bool ExpandCheckText(const std::string& text, const DesiredConfig& config, bool quote,
                     std::string* out, std::string* error) {
  out->clear();
  for (size_t i = 0; i < text.size();) {
    size_t at = text.find("${var.", i);
    if (at == std::string::npos) {
      *out += text.substr(i);
      break;
    }
    size_t end = text.find('}', at);
    if (end == std::string::npos) {
      *error = "unterminated \"${\" in \"" + text + "\"";
      return false;
    }
    std::string name = text.substr(at + 6, end - at - 6);
    auto it = config.variables.find(name);
    if (it == config.variables.end()) {
      *error = "\"" + text + "\" names ${var." + name + "}, which " +
               (Contains(config.sensitive_variables, name)
                    ? "is sensitive: health checks do not use sensitive variables"
                    : "plant " + config.plant + "'s blueprint does not declare");
      return false;
    }
    std::string value = it->second.is_string() ? it->second.get<std::string>() : it->second.dump();
    *out += text.substr(i, at - i) + (quote ? ShellQuote(value) : value);
    i = end + 1;
  }
  return true;
}

bool RunHealthCheck(const HealthCheck& check, size_t index, Workspace& ws, std::string* error) {
  std::string target;
  const char* kind = check.kind == HealthCheck::Kind::kCommand ? "command"
                     : check.kind == HealthCheck::Kind::kHttp  ? "http"
                                                               : "tcp";
  std::string what = "health check " + std::to_string(index + 1) + " (" + kind + " ";
  if (!ExpandCheckText(check.target, ws.config, check.kind == HealthCheck::Kind::kCommand, &target,
                       error)) {
    *error = what + check.target + "): " + *error;
    return false;
  }
  what += target + ")";
  switch (check.kind) {
    case HealthCheck::Kind::kCommand: {
      auto host = ws.config.targets.find(check.on);
      if (host == ws.config.targets.end()) {
        *error = what + ": the blueprint has no host \"" + check.on + "\"";
        return false;
      }
      // coreutils' timeout ends a command that hangs; 124 is its status then.
      std::string command = "timeout " + std::to_string(check.timeout_s) + " sh -c " +
                            ShellQuote(target);
      CommandResult r;
      std::string why;
      if (!ws.connections.Run(host->second, command, "", what, &r, &why)) {
        *error = why;
        return false;
      }
      if (r.exit_status == 0) return true;
      std::string out = r.err.empty() ? r.out : r.err;
      while (!out.empty() && out.back() == '\n') out.pop_back();
      *error = what + " on " + check.on + " failed: " +
               (r.exit_status == 124 ? "no answer within " + std::to_string(check.timeout_s) + " s"
                                     : "exit status " + std::to_string(r.exit_status)) +
               (out.empty() ? "" : ": " + out);
      return false;
    }
    case HealthCheck::Kind::kHttp: {
      HttpClientOptions options;
      options.max_attempts = 1;
      options.connect_timeout = std::chrono::seconds(check.timeout_s);
      options.timeout = std::chrono::seconds(check.timeout_s);
      CurlHttpClient client(options);
      HttpRequest request;
      request.url = target;
      HttpResponse response = client.Send(request);
      if (!response.error.empty()) {
        *error = what + " failed: " + response.error;
        return false;
      }
      if (response.status == check.expect) return true;
      *error = what + " failed: HTTP " + std::to_string(response.status) + ", expected " +
               std::to_string(check.expect);
      return false;
    }
    case HealthCheck::Kind::kTcp: {
      std::string why = TcpConnect(target, check.timeout_s * 1000);
      if (why.empty()) return true;
      *error = what + " failed: " + why;
      return false;
    }
  }
  return false;
}

}  // namespace mfgctl
