// mfgctl trust: records hosts' SSH keys in their known_hosts on first
// contact — deliberately: after a check against a fingerprint given out of
// band (--fingerprint), an approval on a terminal, or an explicit --yes.
// Never for a key that changed.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands/commands.h"
#include "cli/operations.h"
#include "engine/model/suggest.h"
#include "engine/state/atomic_file.h"
#include "providers/shell/host_connections.h"

namespace mfgctl {

struct TrustOptions {
  BlueprintOptions blueprint;
  std::vector<std::string> hosts;
  std::string fingerprint;
  bool yes = false;
};

namespace {

// Appends lines to a known_hosts file, creating it (0644) when missing.
bool AppendLines(const std::string& path, const std::string& lines, Diagnostics* diags) {
  std::error_code ec;
  auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  bool ok = fd >= 0 && WriteAllFd(fd, lines) && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!ok) diags->Error("cannot write " + path);
  return ok;
}

}  // namespace

int RunTrust(const TrustOptions& o) {
  auto ui = MakeUi(o.blueprint.json);
  Workspace ws;
  Diagnostics diags;
  if (!LoadWorkspace(o.blueprint, &ws, &diags)) {
    ui->ShowDiagnostics(diags);
    return 1;
  }
  std::vector<std::string> names = o.hosts;
  std::vector<std::string> all;
  for (const auto& [name, t] : ws.config.targets) {
    if (t.provider == "ssh") all.push_back(name);
  }
  if (names.empty()) names = all;
  for (const auto& n : names) {
    if (!ws.config.targets.count(n)) {
      diags.Error("no host named \"" + n + "\" in the blueprint" + DidYouMean(n, all));
    }
  }
  if (!o.fingerprint.empty() && names.size() != 1) {
    diags.Error("--fingerprint checks one host's key: name exactly one host");
  }
  if (diags.HasErrors()) {
    ui->ShowDiagnostics(diags);
    return 1;
  }

  struct Pending {
    std::string known_hosts, line;
  };
  std::vector<Pending> to_record;
  for (const auto& name : names) {
    SshEndpoint endpoint = EndpointOf(ws.config.targets.at(name));
    std::string where = endpoint.host + ":" + std::to_string(endpoint.port);
    if (endpoint.known_hosts.empty()) {
      diags.Error("host " + name + " has no known_hosts file to record its key in; set "
                  "known_hosts: in the ssh provider");
      continue;
    }
    HostKey key;
    std::string error;
    if (!HostConnections::ScanHostKey(ws.config.targets.at(name), &key, &error)) {
      diags.Error("host " + name + ": " + error);
      continue;
    }
    std::string line = name + "  " + where + "  " + key.type + "  " + key.fingerprint;
    switch (key.status) {
      case HostKey::Status::kKnown:
        ui->Info(line + "  already trusted");
        break;
      case HostKey::Status::kChanged:
        diags.Error("host key of " + name + " (" + where + ") has CHANGED: it offers " +
                        key.fingerprint + ", not the key recorded in " + endpoint.known_hosts +
                        "; not recorded",
                    {},
                    "if the host was reinstalled, remove the old key with `ssh-keygen -R " +
                        (endpoint.port == 22 ? endpoint.host
                                             : "[" + endpoint.host + "]:" +
                                                   std::to_string(endpoint.port)) +
                        " -f " + endpoint.known_hosts + "` and run mfgctl trust again");
        break;
      case HostKey::Status::kUnknown:
        if (!o.fingerprint.empty() && o.fingerprint != key.fingerprint) {
          diags.Error("host " + name + " offers " + key.fingerprint + ", not the expected " +
                      o.fingerprint + "; not recorded");
          break;
        }
        ui->Info(line + "  new" + (o.fingerprint.empty() ? "" : ", fingerprint matches"));
        to_record.push_back({endpoint.known_hosts, key.KnownHostsLine(endpoint) + "\n"});
        break;
    }
  }
  ui->ShowDiagnostics(diags);
  if (!to_record.empty()) {
    bool approved = o.yes || !o.fingerprint.empty();
    if (!approved) {
      if (!isatty(STDIN_FILENO)) {
        Diagnostics refuse;
        refuse.Error("not recording host keys without approval: standard input is not a "
                     "terminal",
                     {},
                     "check each fingerprint with the host's owner, then pass --fingerprint "
                     "SHA256:... (one host) or --yes");
        ui->ShowDiagnostics(refuse);
        return 1;
      }
      std::cout << "\nRecord the new keys above as trusted? Only 'yes' will be accepted: "
                << std::flush;
      std::string answer;
      std::getline(std::cin, answer);
      approved = answer == "yes";
    }
    if (!approved) {
      ui->Info("Nothing recorded.");
      return 1;
    }
    for (const auto& p : to_record) {
      if (!AppendLines(p.known_hosts, p.line, &diags)) {
        ui->ShowDiagnostics(diags);
        return 1;
      }
    }
    ui->Info("Recorded " + std::to_string(to_record.size()) + " host key" +
             (to_record.size() == 1 ? "" : "s") + ".");
  }
  return diags.HasErrors() ? 1 : 0;
}

void SetupTrustCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<TrustOptions>();
  auto* cmd = app.add_subcommand(
      "trust", "Record hosts' SSH keys in known_hosts, deliberately (first contact only)");
  AddBlueprintOptions(cmd, &o->blueprint);
  cmd->add_option("hosts", o->hosts, "Host names from the blueprint (default: all)");
  cmd->add_option("--fingerprint", o->fingerprint,
                  "Record the key only if it has this fingerprint (SHA256:..., from the host's "
                  "owner; one host)");
  cmd->add_flag("--yes", o->yes, "Record new keys without asking");
  cmd->callback([o, exit_code] { *exit_code = RunTrust(*o); });
}

}  // namespace mfgctl
