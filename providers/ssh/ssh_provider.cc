#include "providers/ssh/ssh_provider.h"

#include <cstdlib>
#include <filesystem>

#include "providers/ssh/read_script.h"
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

// A command's error output, or what to do when sudo wanted a password.
std::string SudoHint(const CommandResult& result) {
  const std::string& err = result.err.empty() ? result.out : result.err;
  if (err.find("sudo:") != std::string::npos &&
      err.find("password is required") != std::string::npos) {
    return "become: sudo needs a password on this host, and mfgctl never types one (sudo -n); "
           "allow the login user NOPASSWD in sudoers, or log in as root";
  }
  return Tail(err);
}

}  // namespace

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

SshProvider::SshProvider(ShellFactory factory) : factory_(std::move(factory)) {
  if (!factory_) {
    factory_ = [](const Target& t, std::string* error) -> std::unique_ptr<RemoteShell> {
      return SshSession::Connect(EndpointOf(t), error);
    };
  }
  for (auto make : {MakePackageType, MakeDirectoryType, MakeFileType, MakeCommandType,
                    MakeSysctlType, MakeGroupType, MakeUserType, MakeServiceType,
                    MakeBundleType, MakeAptRepositoryType, MakePythonEnvType}) {
    auto type = make();
    std::string name = type->Schema().type;
    types_[name] = std::move(type);
  }
}

SshProvider::~SshProvider() = default;

ResourceTypeSchema SshProvider::TargetSchema() const {
  ResourceTypeSchema s;
  s.type = "ssh";
  s.description = "How to reach a host over SSH.";
  s.attributes = {
      {.name = "address", .required = true, .description = "Host name or IP address."},
      {.name = "port", .type = AttrType::kNumber, .description = "SSH port (default 22)."},
      {.name = "user", .description = "Login user (default root)."},
      {.name = "identity_file", .local_path = true,
       .description = "Private key file; unset: the keys of ssh-agent."},
      {.name = "known_hosts", .local_path = true,
       .description = "OpenSSH known_hosts file the host key must be in."},
      {.name = "connect_timeout", .type = AttrType::kNumber,
       .description = "Seconds to wait for a connection (default 10)."},
      {.name = "command_timeout", .type = AttrType::kNumber,
       .description = "Seconds one command may run (default 600)."},
      {.name = "become", .one_of = {"sudo"},
       .description = "Run as root through `sudo -n` when logging in as another user."},
      {.name = "bastion",
       .description = "Jump host to reach this host through: [user@]host[:port], like "
                      "OpenSSH's ProxyJump."},
      {.name = "keepalive_interval", .type = AttrType::kNumber,
       .description = "Seconds of silence before a keepalive is sent (default 30; 0: none)."},
  };
  return s;
}

std::vector<ResourceTypeSchema> SshProvider::Schemas() const {
  std::vector<ResourceTypeSchema> out;
  for (const auto& [name, type] : types_) out.push_back(type->Schema());
  return out;
}

const HostResourceType* SshProvider::TypeOf(const std::string& type) const {
  auto it = types_.find(type);
  return it == types_.end() ? nullptr : it->second.get();
}

SshProvider::Held SshProvider::Hold(const Target& target, std::string* error) {
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

ReadResponse SshProvider::Read(const ReadRequest& req) {
  ReadResponse resp;
  // Types that read several items at once get them together; the rest are
  // probed one by one. Either way: one script, one round trip.
  std::vector<std::string> probes(req.items.size());
  std::map<const HostResourceType*, std::vector<std::pair<size_t, const ReadItem*>>> by_type;
  for (size_t i = 0; i < req.items.size(); ++i) {
    if (const HostResourceType* type = TypeOf(req.items[i].type)) {
      by_type[type].emplace_back(i, &req.items[i]);
    }
  }
  std::string batches;
  for (const auto& [type, items] : by_type) {
    std::string batch = items.size() > 1 ? type->BatchProbe(items) : "";
    if (!batch.empty()) {
      batches += batch;
      continue;
    }
    for (const auto& [i, item] : items) probes[i] = type->Probe(*item);
  }
  CommandResult result;
  std::string error;
  if (!RunOnTarget(*req.target, "sh -s", BuildReadScript(probes, batches),
                   "reading host " + req.target->name, &result, &error)) {
    resp.diagnostics.Error(error);
    return resp;
  }
  if (result.exit_status != 0 && result.out.find("@@mfgctl ") == std::string::npos) {
    // The script never ran (sudo refused, no shell): nothing read is no
    // evidence that nothing exists.
    resp.diagnostics.Error("reading host " + req.target->name + " failed: " + SudoHint(result));
    return resp;
  }
  std::vector<FactMap> facts = ParseReadOutput(result.out, req.items.size());
  resp.results.reserve(req.items.size());
  for (size_t i = 0; i < req.items.size(); ++i) {
    const HostResourceType* type = TypeOf(req.items[i].type);
    if (!type) {
      ReadResult r;
      r.diagnostics.Error("the ssh provider has no resource type \"" + req.items[i].type + "\"");
      resp.results.push_back(std::move(r));
      continue;
    }
    resp.results.push_back(type->Interpret(facts[i], req.items[i]));
  }
  return resp;
}

ApplyResponse SshProvider::Apply(const ApplyRequest& req) {
  ApplyResponse resp;
  const HostResourceType* type = TypeOf(req.type);
  if (!type) {
    resp.diagnostics.Error("the ssh provider has no resource type \"" + req.type + "\"");
    return resp;
  }
  HostStep step = type->Step(req);
  if (!step.script.empty()) resp.diagnostics = RunStep(*req.target, req.action, step);
  return resp;
}

std::vector<ApplyResponse> SshProvider::ApplyBatch(const std::vector<ApplyRequest>& reqs) {
  const HostResourceType* type = reqs.empty() ? nullptr : TypeOf(reqs[0].type);
  std::vector<const ApplyRequest*> ptrs;
  for (const auto& r : reqs) ptrs.push_back(&r);
  HostStep step = type ? type->BatchStep(ptrs) : HostStep{};
  if (!step.script.empty() && !RunStep(*reqs[0].target, reqs[0].action, step).HasErrors()) {
    return std::vector<ApplyResponse>(reqs.size());
  }
  return Provider::ApplyBatch(reqs);
}

bool SshProvider::RunOnTarget(const Target& target, const std::string& command,
                              std::string_view input, const std::string& what,
                              CommandResult* result, std::string* error) {
  Held held = Hold(target, error);
  if (!held.shell) return false;
  if (!held.shell->Run(Elevated(target, command), input, result, error)) {
    // The session is in no state to reuse (a command timed out, the link
    // dropped); the host's next action connects again, and only if that
    // fails are its remaining actions failed without trying.
    held.conn->shell.reset();
    *error = what + " failed: " + *error;
    return false;
  }
  return true;
}

bool SshProvider::RunScript(const Target& target, const std::string& script,
                            std::string_view input, const std::string& what,
                            std::string* error) {
  // A script travels on standard input unless the step needs that for its
  // own data (a file's content, which is then the one thing on stdin): the
  // host's `ps` shows no script, so no secret in one.
  const std::string command =
      input.empty() ? "sh -c 'eval \"$(cat)\"'" : "sh -c " + ShellQuote(script);
  CommandResult result;
  if (!RunOnTarget(target, command, input.empty() ? std::string_view(script) : input, what,
                   &result, error)) {
    return false;
  }
  if (result.exit_status == 0) return true;
  std::string why = SudoHint(result);
  *error = what + " failed (exit status " + std::to_string(result.exit_status) + ")" +
           (why.empty() ? "" : ": " + why);
  return false;
}

bool SshProvider::UploadFiles(const Target& target, const HostStep& step, std::string* error) {
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

Diagnostics SshProvider::RunStep(const Target& target, Action action, const HostStep& step) {
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

}  // namespace mfgctl
