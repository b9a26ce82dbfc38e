#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/action.h"
#include "engine/model/diagnostics.h"
#include "engine/model/resource.h"
#include "providers/shell/host_resource.h"
#include "providers/transport/remote_shell.h"
#include "providers/transport/ssh_session.h"

namespace mfgctl {

/// The connections of one run to the hosts it reaches over SSH: one session
/// per host, opened on first use and shared by every provider that works
/// through a host's shell (the `ssh` provider's host resources, a
/// hypervisor's libvirt resources), so a host costs one login however many
/// providers have resources on it. Built by the CLI and handed to those
/// providers. Thread-safe; each host's commands run one at a time.
class HostConnections {
 public:
  /// Opens a shell on a target; the default opens an SshSession from the
  /// target's settings. Tests may pass another.
  using ShellFactory =
      std::function<std::unique_ptr<RemoteShell>(const Target&, std::string* error)>;

  explicit HostConnections(ShellFactory factory = {});
  ~HostConnections();

  /// Runs a command (as root with `become: sudo`) on the target's one
  /// connection, connecting on first use. On failure `error` is the whole
  /// message: `host NAME is unreachable: ...` when it cannot connect, else
  /// `WHAT failed: ...`, and the broken connection is dropped (the next
  /// command connects again). A non-zero exit status is not a failure here.
  bool Run(const Target& target, const std::string& command, std::string_view input,
           const std::string& what, CommandResult* result, std::string* error,
           const RemoteShell::OutputWatch& watch = {});
  /// Runs a shell script and wants exit status 0; false and `error` (the
  /// whole message, starting with `what`) otherwise. The script travels on
  /// standard input unless `input` is given, so the host's `ps` shows none.
  bool RunScript(const Target& target, const std::string& script, std::string_view input,
                 const std::string& what, std::string* error);
  /// Carries out a step: uploads its files, then runs its script;
  /// diagnostics say why it failed (and its upload folder is removed).
  Diagnostics RunStep(const Target& target, Action action, const HostStep& step);

  /// One step of a round, and the action it carries out (for its message).
  struct RoundStep {
    Action action = Action::kNoOp;
    const HostStep* step = nullptr;
  };
  /// Results of steps as they become known: each with its step's number.
  using StepsDone = std::function<void(std::vector<std::pair<size_t, Diagnostics>>)>;
  /// Carries out independent steps in one round trip (BuildRoundScript);
  /// those that upload files go first, one by one. Each step's result goes
  /// to `done` once, as soon as it is known (a success the moment the
  /// host's output says so); each fails alone, with its exit status and
  /// output, or with the connection when that failed before it finished.
  void RunSteps(const Target& target, const std::vector<RoundStep>& steps, const StepsDone& done);

  /// The key a target's host offers and whether its known_hosts knows it,
  /// without logging in (for `mfgctl trust`).
  static bool ScanHostKey(const Target& target, HostKey* key, std::string* error);

 private:
  struct Connection {
    std::mutex mu;
    std::unique_ptr<RemoteShell> shell;
    std::string error;  // why it could not connect; not retried this run
  };
  /// A target's connection, held for one use: its lock taken and its shell
  /// open (connecting on first use).
  struct Held {
    std::unique_lock<std::mutex> lock;
    Connection* conn;
    RemoteShell* shell;  // nullptr when the host cannot be reached
  };
  /// Holds the target's connection; when it cannot connect, `shell` is
  /// nullptr and `error` is `host NAME is unreachable: ...`.
  Held Hold(const Target& target, std::string* error);
  /// Copies a step's uploads into its upload_dir; false and `error` if any
  /// could not be copied.
  bool UploadFiles(const Target& target, const HostStep& step, std::string* error);

  ShellFactory factory_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Connection>> connections_;
};

/// A target's SSH settings, with defaults filled in.
SshEndpoint EndpointOf(const Target& target);

/// A command's error output for a diagnostic (its last lines), or what to
/// do when `become: sudo` wanted a password.
std::string FailureOutput(const CommandResult& result);

}  // namespace mfgctl
