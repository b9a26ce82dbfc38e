// The run's SSH connections to hosts, and running commands, scripts and
// uploads on them: the kit every provider that works through a host's
// shell shares.
#include "providers/shell/host_connections.h"

#include <cstdlib>
#include <filesystem>

#include "engine/model/sensitive.h"
#include "providers/shell/round_script.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

// The last few lines of a command's error output, for a diagnostic.
std::string Tail(const std::string& text, size_t max_lines = 6) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  size_t pos = t.size();
  for (size_t n = 0; n < max_lines && pos != std::string::npos && pos > 0; ++n) {
    pos = t.rfind('\n', pos - 1);
  }
  return pos == std::string::npos || pos == 0 ? t : t.substr(pos + 1);
}

// `become: sudo` runs the command as root through sudo, never prompting.
std::string Elevated(const Target& target, const std::string& command) {
  bool sudo = target.config.value("become", "") == "sudo" &&
              target.config.value("user", "root") != "root";
  return sudo ? "sudo -n -- " + command : command;
}

// `WHAT failed (exit status N): OUTPUT`.
std::string ExitFailure(const std::string& what, const CommandResult& result) {
  std::string why = FailureOutput(result);
  return what + " failed (exit status " + std::to_string(result.exit_status) + ")" +
         (why.empty() ? "" : ": " + why);
}

}  // namespace

std::string FailureOutput(const CommandResult& result) {
  const std::string& err = result.err.empty() ? result.out : result.err;
  if (err.find("sudo:") != std::string::npos &&
      err.find("password is required") != std::string::npos) {
    return "become: sudo needs a password on this host, and mfgctl never types one (sudo -n); "
           "allow the login user NOPASSWD in sudoers, or log in as root";
  }
  return Tail(err);
}

SshEndpoint EndpointOf(const Target& target) {
  const Value& c = target.config;
  SshEndpoint e;
  e.host = c.value("address", "");
  e.port = c.value("port", 22);
  e.user = c.value("user", "root");
  e.identity_file = c.value("identity_file", "");
  e.known_hosts = c.value("known_hosts", "");
  e.connect_timeout_ms = c.value("connect_timeout", 10) * 1000;
  e.command_timeout_ms = c.value("command_timeout", 600) * 1000;
  e.keepalive_s = c.value("keepalive_interval", 30);
  std::string bastion = c.value("bastion", "");
  if (!bastion.empty()) {
    // [user@]host[:port], as OpenSSH's ProxyJump writes it; the login and
    // known_hosts are the host's own.
    auto jump = std::make_shared<SshEndpoint>(e);
    jump->jump = nullptr;
    if (size_t at = bastion.rfind('@'); at != std::string::npos) {
      jump->user = bastion.substr(0, at);
      bastion = bastion.substr(at + 1);
    }
    size_t colon = bastion.rfind(':');
    bool bracketed = !bastion.empty() && bastion[0] == '[';
    if (colon != std::string::npos && (bracketed ? bastion[colon - 1] == ']'
                                                 : bastion.find(':') == colon)) {
      jump->port = std::atoi(bastion.c_str() + colon + 1);
      bastion = bastion.substr(0, colon);
    } else {
      jump->port = 22;
    }
    if (bracketed && bastion.back() == ']') bastion = bastion.substr(1, bastion.size() - 2);
    jump->host = bastion;
    e.jump = std::move(jump);
  }
  return e;
}

HostConnections::HostConnections(ShellFactory factory) : factory_(std::move(factory)) {
  if (!factory_) {
    factory_ = [](const Target& t, std::string* error) -> std::unique_ptr<RemoteShell> {
      return SshSession::Connect(EndpointOf(t), error);
    };
  }
}

HostConnections::~HostConnections() = default;

bool HostConnections::ScanHostKey(const Target& target, HostKey* key, std::string* error) {
  return SshSession::ScanHostKey(EndpointOf(target), key, error);
}

HostConnections::Held HostConnections::Hold(const Target& target, std::string* error) {
  Connection* conn;
  {
    std::lock_guard<std::mutex> g(mu_);
    auto& slot = connections_[target.name];
    if (!slot) slot = std::make_unique<Connection>();
    conn = slot.get();
  }
  Held held{std::unique_lock<std::mutex>(conn->mu), conn, nullptr};
  if (!conn->shell && conn->error.empty()) conn->shell = factory_(target, &conn->error);
  if (!conn->shell) *error = "host " + target.name + " is unreachable: " + conn->error;
  held.shell = conn->shell.get();
  return held;
}

bool HostConnections::Run(const Target& target, const std::string& command,
                          std::string_view input, const std::string& what, CommandResult* result,
                          std::string* error, const RemoteShell::OutputWatch& watch) {
  Held held = Hold(target, error);
  if (!held.shell) return false;
  if (!held.shell->Run(Elevated(target, command), input, result, error, watch)) {
    // The session is in no state to reuse (a command timed out, the link
    // dropped); the host's next action connects again, and only if that
    // fails are its remaining actions failed without trying.
    held.conn->shell.reset();
    *error = what + " failed: " + *error;
    return false;
  }
  return true;
}

bool HostConnections::RunScript(const Target& target, const std::string& script,
                            std::string_view input, const std::string& what,
                            std::string* error) {
  // A script travels on standard input unless the step needs that for its
  // own data (a file's content, which is then the one thing on stdin): the
  // host's `ps` shows no script, so no secret in one.
  const std::string command =
      input.empty() ? "sh -c 'eval \"$(cat)\"'" : "sh -c " + ShellQuote(script);
  CommandResult result;
  if (!Run(target, command, input.empty() ? std::string_view(script) : input, what,
                   &result, error)) {
    return false;
  }
  if (result.exit_status == 0) return true;
  *error = ExitFailure(what, result);
  return false;
}

bool HostConnections::UploadFiles(const Target& target, const HostStep& step,
                                  std::string* error) {
  // Refuse before the first byte when the files would not fit: a gateway
  // whose disk fills up mid-upload takes its running services down too.
  uintmax_t bytes = 0;
  for (const auto& u : step.uploads) {
    std::error_code ec;
    bytes += std::filesystem::file_size(u.local_path, ec);
    if (ec) {
      *error = "cannot read " + u.local_path + ": " + ec.message();
      return false;
    }
  }
  std::string kib = std::to_string(bytes / 1024 + 1);
  std::string prepare =
      "d=" + ShellQuote(step.upload_dir) + "\n"
      "rm -rf -- \"$d\" && mkdir -p -- \"$d\" && chmod 700 \"$d\" && "
      "chown \"${SUDO_USER:-$(id -un)}\" \"$d\" || exit 1\n"
      "set -- $(df -Pk -- \"$d\" | awk 'NR == 2 { print $4, $6 }')\n"
      "if [ \"${1:-0}\" -lt " + kib + " ]; then rm -rf -- \"$d\"; echo \"no space for the "
      "upload on $2: $1 KiB free, " + kib + " KiB needed\" >&2; exit 1; fi\n";
  if (!RunScript(target, prepare, "", "preparing the upload", error)) return false;
  Held held = Hold(target, error);
  if (!held.shell) return false;
  for (const auto& u : step.uploads) {
    std::string remote = step.upload_dir + "/" + u.name;
    std::string sent;
    if (!held.shell->Upload(u.local_path, remote, &sent, error)) {
      *error = "uploading " + u.local_path + " to " + target.name + ":" + remote + " failed: " +
               *error;
      return false;
    }
    if (!u.digest.empty() && sent != u.digest) {
      *error = u.local_path + " changed since the plan was made (its checksum differs); plan "
               "again";
      return false;
    }
  }
  return true;
}

Diagnostics HostConnections::RunStep(const Target& target, Action action,
                                     const HostStep& step) {
  Diagnostics diags;
  std::string error;
  bool ok = step.uploads.empty() || UploadFiles(target, step, &error);
  if (ok) ok = RunScript(target, step.script, step.input, std::string(ActionName(action)), &error);
  if (!ok) {
    if (!step.uploads.empty()) {
      std::string ignored;  // the step's own error is the one to report
      RunScript(target, "rm -rf -- " + ShellQuote(step.upload_dir), "", "cleaning up", &ignored);
    }
    diags.Error(error);
  }
  return diags;
}

void HostConnections::RunSteps(const Target& target, const std::vector<RoundStep>& steps,
                               const StepsDone& done) {
  std::vector<const HostStep*> round;
  std::vector<size_t> of;  // the step each of the round's is
  std::vector<std::pair<size_t, Diagnostics>> nothing_to_do;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (!steps[i].step->uploads.empty()) {
      done({{i, RunStep(target, steps[i].action, *steps[i].step)}});
    } else if (!steps[i].step->script.empty()) {
      round.push_back(steps[i].step);
      of.push_back(i);
    } else {
      nothing_to_do.emplace_back(i, Diagnostics());
    }
  }
  if (!nothing_to_do.empty()) done(std::move(nothing_to_do));
  if (round.empty()) return;
  std::string nonce = NewSalt();
  RoundScript script = BuildRoundScript(round, nonce);
  std::vector<bool> reported(round.size());
  // Successes are reported as the output shows them; a failure waits for
  // the end, when its error output is all there.
  RoundWatch watch(nonce, round.size());
  auto report_successes = [&](std::string_view out) {
    std::vector<std::pair<size_t, Diagnostics>> now;
    for (auto [k, status] : watch.Finished(out)) {
      if (status != 0) continue;
      reported[k] = true;
      now.emplace_back(of[k], Diagnostics());
    }
    if (!now.empty()) done(std::move(now));
  };
  CommandResult result;
  std::string error;
  bool ran = Run(target, script.command, script.input, "applying changes", &result, &error,
                 report_successes);
  report_successes(result.out);
  std::vector<StepOutcome> outcomes =
      ParseRoundOutput(result.out, result.err, nonce, round.size());
  std::vector<std::pair<size_t, Diagnostics>> failed;
  for (size_t k = 0; k < round.size(); ++k) {
    if (reported[k]) continue;
    const StepOutcome& o = outcomes[k];
    std::string what(ActionName(steps[of[k]].action));
    Diagnostics& d = failed.emplace_back(of[k], Diagnostics()).second;
    if (o.finished) {
      d.Error(ExitFailure(what, {o.exit_status, o.out, o.err}));
    } else if (!ran) {
      d.Error(error);
    } else if (!outcomes[0].started) {
      // Nothing ran at all (sudo refused, no shell).
      d.Error(what + " failed: " + FailureOutput(result));
    } else {
      std::string why = FailureOutput({-1, o.out, o.err});
      d.Error(what + " failed: the host's shell stopped before this step finished" +
              (why.empty() ? "" : ": " + why));
    }
  }
  if (!failed.empty()) done(std::move(failed));
}

}  // namespace mfgctl
