#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "engine/provider/provider.h"
#include "providers/ssh/host_resource.h"
#include "providers/transport/remote_shell.h"
#include "providers/transport/ssh_session.h"

namespace mfgctl {

/// Plain Linux hosts over SSH: one connection per host, opened on first use
/// and reused for the read and every action; nothing on the host but a
/// POSIX shell and its usual tools.
class SshProvider : public Provider {
 public:
  /// Opens a shell on a target; the default opens an SshSession from the
  /// target's settings. Tests may pass another.
  using ShellFactory =
      std::function<std::unique_ptr<RemoteShell>(const Target&, std::string* error)>;

  explicit SshProvider(ShellFactory factory = {});
  ~SshProvider() override;

  std::string Name() const override { return "ssh"; }
  ResourceTypeSchema TargetSchema() const override;
  std::vector<ResourceTypeSchema> Schemas() const override;
  ReadResponse Read(const ReadRequest& req) override;
  ApplyResponse Apply(const ApplyRequest& req) override;
  /// One combined step when the type has one; if it fails, the actions are
  /// retried one by one so that each failure lands on its own resource.
  std::vector<ApplyResponse> ApplyBatch(const std::vector<ApplyRequest>& reqs) override;

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
  const HostResourceType* TypeOf(const std::string& type) const;
  /// Runs a step on the target's shell; diagnostics say why it failed.
  Diagnostics RunStep(const Target& target, Action action, const HostStep& step);
  /// Copies a step's uploads into its upload_dir; false and `error` if any
  /// could not be copied.
  bool UploadFiles(const Target& target, const HostStep& step, std::string* error);
  /// Runs a command (as root with `become: sudo`) on the target's one
  /// connection, connecting on first use. On failure `error` is the whole
  /// message: `host NAME is unreachable: ...` when it cannot connect, else
  /// `WHAT failed: ...`, and the broken connection is dropped (the next
  /// command connects again).
  bool RunOnTarget(const Target& target, const std::string& command, std::string_view input,
                   const std::string& what, CommandResult* result, std::string* error);
  /// Runs a shell script as RunStep does; false and `error` (the whole
  /// message, starting with `what`) when it fails.
  bool RunScript(const Target& target, const std::string& script, std::string_view input,
                 const std::string& what, std::string* error);

  ShellFactory factory_;
  std::map<std::string, std::unique_ptr<HostResourceType>> types_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Connection>> connections_;
};

/// A target's connection settings, with defaults filled in.
SshEndpoint EndpointOf(const Target& target);

}  // namespace mfgctl
