// host.container: a container run by podman (or Docker) from an image on
// the host, never pulled (`--pull=never`): a missing image fails the
// container at once instead of hanging on an unreachable registry.
//
// The live configuration is read from `inspect` and compared with what the
// blueprint owns: image and its ID, command, environment, ports, volumes,
// restart policy. Any change recreates the container (each attribute is
// force-new, so the plan says "must be replaced"). The environment goes to
// the engine as an env file written from the step's standard input and
// removed after `run`: its values (secrets among them) are never on a
// command line the host shows in `ps`. A label lists the environment's
// keys, so a key the blueprint drops is seen and the container recreated.
//
// `service: true` runs it under a systemd unit mfgctl writes (Debian's
// podman 4.3 has no quadlet): container-NAME.service runs the engine in the
// foreground from a small script beside the env file (no systemd quoting
// of the arguments), so systemd restarts it when it dies and starts it at
// boot; `--rm` makes each start a fresh container from the same settings.
#include <algorithm>
#include <cctype>
#include <map>

#include "providers/ssh/container_engine.h"
#include "providers/ssh/host_types.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

constexpr char kEnvLabel[] = "mfgctl.env";
constexpr char kConfigRoot[] = "/etc/mfgctl/containers";
constexpr char kUnitMark[] = "# Written by mfgctl: host.container";

std::string UnitName(const std::string& name) { return "container-" + name + ".service"; }
std::string UnitFile(const std::string& name) { return "/etc/systemd/system/" + UnitName(name); }
std::string EnvFile(const std::string& name) {
  return std::string(kConfigRoot) + "/" + name + ".env";
}
std::string RunFile(const std::string& name) {
  return std::string(kConfigRoot) + "/" + name + ".run";
}

// The engines' own rule for names; it also keeps them safe in a unit file.
bool ValidName(const std::string& name) {
  if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

bool IsService(const Value& attrs) {
  auto it = attrs.find("service");
  return it != attrs.end() && it->is_boolean() && it->get<bool>();
}

// systemd's Restart= for a restart policy (a unit restarts on any exit but
// a stop of its own for `always` and `unless-stopped` alike).
std::string UnitRestart(const std::string& policy) {
  if (policy == "no" || policy == "on-failure") return policy;
  return "always";
}

// "8080:8080", "127.0.0.1:8080:80/udp": [ip:]host:container[/proto], in
// the form inspect is turned into (tcp unsaid).
std::string PortSpelling(std::string ip, const std::string& host, const std::string& container,
                         const std::string& proto) {
  std::string s = (ip.empty() || ip == "0.0.0.0" ? "" : ip + ":") + host + ":" + container;
  return proto.empty() || proto == "tcp" ? s : s + "/" + proto;
}
std::string CanonicalPort(const std::string& written) {
  std::string spec = written, proto;
  if (size_t slash = spec.rfind('/'); slash != std::string::npos) {
    proto = spec.substr(slash + 1);
    spec.resize(slash);
  }
  size_t last = spec.rfind(':');
  if (last == std::string::npos) return written;  // a container port alone
  std::string container = spec.substr(last + 1);
  spec.resize(last);
  size_t first = spec.rfind(':');
  std::string ip = first == std::string::npos ? "" : spec.substr(0, first);
  return PortSpelling(ip, first == std::string::npos ? spec : spec.substr(first + 1), container,
                      proto);
}

// "src:dst" or "src:dst:ro" (other options, such as `rw` or SELinux's `z`,
// are not read back).
std::string CanonicalVolume(const std::string& written) {
  size_t first = written.find(':');
  if (first == std::string::npos) return written;
  size_t second = written.find(':', first + 1);
  if (second == std::string::npos) return written;
  std::string opts = "," + written.substr(second + 1) + ",";
  return written.substr(0, second) + (opts.find(",ro,") != std::string::npos ? ":ro" : "");
}

// The live list in the blueprint's spelling where an entry means the same.
std::vector<std::string> SpelledAsWritten(std::vector<std::string> live, const Value& written,
                                          std::string (*canonical)(const std::string&)) {
  if (written.is_array()) {
    for (auto& l : live) {
      for (const auto& w : written) {
        if (w.is_string() && canonical(w.get<std::string>()) == l) l = w.get<std::string>();
      }
    }
  }
  std::sort(live.begin(), live.end());  // compared as a set
  return live;
}

std::vector<std::string> LivePorts(const Value& inspect) {
  std::vector<std::string> out;
  const Value* bindings = nullptr;
  if (auto h = inspect.find("HostConfig"); h != inspect.end() && h->is_object()) {
    if (auto b = h->find("PortBindings"); b != h->end() && b->is_object()) bindings = &*b;
  }
  if (!bindings) return out;
  for (const auto& [port, binds] : bindings->items()) {
    size_t slash = port.find('/');
    std::string container = port.substr(0, slash);
    std::string proto = slash == std::string::npos ? "" : port.substr(slash + 1);
    if (!binds.is_array()) continue;
    for (const auto& b : binds) {
      out.push_back(PortSpelling(StringAttr(b, "HostIp"), StringAttr(b, "HostPort"), container,
                                 proto));
    }
  }
  return out;
}

std::vector<std::string> LiveVolumes(const Value& inspect) {
  std::vector<std::string> out;
  auto mounts = inspect.find("Mounts");
  if (mounts == inspect.end() || !mounts->is_array()) return out;
  for (const auto& m : *mounts) {
    bool volume = StringAttr(m, "Type") == "volume";
    std::string source = volume ? StringAttr(m, "Name") : StringAttr(m, "Source");
    // The engine's own for the image's VOLUME paths: a random 64-hex name,
    // not one the blueprint can write.
    if (volume && source.size() == 64 &&
        source.find_first_not_of("0123456789abcdef") == std::string::npos) {
      continue;
    }
    bool rw = !m.contains("RW") || !m["RW"].is_boolean() || m["RW"].get<bool>();
    out.push_back(source + ":" + StringAttr(m, "Destination") + (rw ? "" : ":ro"));
  }
  return out;
}

class ContainerType : public HostResourceType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "host.container";
    s.description = "A container run by podman or Docker from an image on the host.";
    s.attributes = {
        {.name = "image", .required = true, .force_new = true,
         .description = "The image reference (`localhost/collector:1.4`); the image must be on "
                        "the host (an `images:` entry loads or pulls it): never pulled here."},
        {.name = "image_id", .force_new = true,
         .description = "The ID of the image the container runs. Set from the host's `images:` "
                        "entry of that name: a changed image recreates the container.",
         .computed = true},
        {.name = "command", .type = AttrType::kStringList, .force_new = true,
         .description = "The command and its arguments (default: the image's)."},
        {.name = "environment", .type = AttrType::kStringMap, .force_new = true,
         .description = "Environment variables; with a secret the whole map is sensitive. Sent "
                        "in an env file over standard input, never on a command line."},
        {.name = "ports", .type = AttrType::kStringList, .force_new = true, .unordered = true,
         .description = "Published ports, `[ip:]host:container[/udp]`."},
        {.name = "volumes", .type = AttrType::kStringList, .force_new = true, .unordered = true,
         .description = "Bind mounts and named volumes, `source:destination[:ro]`."},
        {.name = "restart", .force_new = true,
         .one_of = {"no", "always", "on-failure", "unless-stopped"},
         .description = "When the container is restarted after it exits: the engine's policy, "
                        "or with `service: true` the unit's (default there `always`; else "
                        "`no`)."},
        {.name = "service", .type = AttrType::kBool, .force_new = true,
         .description = "Run it under a systemd unit mfgctl writes (container-NAME.service), "
                        "enabled: restarted by systemd when it dies and started at boot."},
        EngineAttribute(),
        StateAttribute(),
    };
    return s;
  }

  std::string Probe(const ReadItem& item) const override {
    const std::string& name = item.address.name;
    std::string unit = ShellQuote(UnitName(name));
    return EngineShell(ItemAttributes(item)) + "c=" + ShellQuote(name) + "\n"
           "if grep -qxF " + ShellQuote(kUnitMark) + " " + ShellQuote(UnitFile(name)) +
           " 2>/dev/null; then echo \"unit=$(systemctl is-enabled " + unit +
           " 2>/dev/null)\"; echo \"unit_restart=$(systemctl show -P Restart " + unit +
           " 2>/dev/null)\"; fi\n"
           "if [ -z \"$e\" ]; then echo exists=0\n"
           "elif j=$(\"$e\" container inspect --format '{{json .}}' \"$c\" 2>&1); then "
           "echo exists=1; printf 'inspect=%s\\n' \"$j\" | tr -d '\\n'; echo\n"
           // Absent only when the engine says so: a container it cannot
           // read now (a locked database) is not replaced.
           "elif printf '%s' \"$j\" | grep -qi 'no such'; then echo exists=0\n"
           "else printf 'error=%s inspect failed: %s\\n' \"$e\" \"$(printf '%s' \"$j\" | "
           "tr '\\n' ' ')\"; fi\n";
  }

  ReadResult Interpret(const FactMap& facts, const ReadItem& item) const override {
    ReadResult r = ExistenceOf(facts);
    if (!r.exists) return r;
    auto text = facts.find("inspect");
    Value j = text == facts.end() ? Value() : Value::parse(text->second, nullptr, false);
    if (j.is_array() && !j.empty()) j = j[0];  // Docker's inspect is a list
    if (!j.is_object()) {
      r.exists = false;
      r.diagnostics.Error("cannot read the container's inspect output");
      return r;
    }
    const Value& want = ItemAttributes(item);
    const Value config = j.value("Config", Value::object());
    // podman names the image as given; Docker keeps it in Config.Image.
    std::string image = StringAttr(j, "ImageName");
    r.attributes["image"] = image.empty() ? StringAttr(config, "Image") : image;
    r.attributes["image_id"] = CanonicalImageId(StringAttr(j, "Image"));
    if (want.contains("command")) r.attributes["command"] = config.value("Cmd", Value::array());
    // The keys the blueprint sets now and those mfgctl set when it made
    // the container.
    std::vector<std::string> keys;
    if (want.contains("environment") && want["environment"].is_object()) {
      for (const auto& [k, v] : want["environment"].items()) keys.push_back(k);
    }
    std::string labelled;
    if (auto l = config.find("Labels"); l != config.end() && l->is_object()) {
      labelled = StringAttr(*l, kEnvLabel);
    }
    for (size_t at = 0; at < labelled.size();) {
      size_t comma = labelled.find(',', at);
      if (comma == std::string::npos) comma = labelled.size();
      if (comma > at) keys.push_back(labelled.substr(at, comma - at));
      at = comma + 1;
    }
    if (!keys.empty() || want.contains("environment")) {
      // The owned keys, in the blueprint's order (the engine's varies from
      // one inspect to the next; the differ compares maps by key anyway).
      std::map<std::string, std::string> live;
      for (const auto& e : config.value("Env", Value::array())) {
        if (!e.is_string()) continue;
        std::string kv = e.get<std::string>();
        size_t eq = kv.find('=');
        if (eq != std::string::npos) live[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
      Value env = Value::object();
      for (const auto& k : keys) {
        auto it = live.find(k);
        if (it != live.end() && !env.contains(k)) env[k] = it->second;
      }
      r.attributes["environment"] = std::move(env);
    }
    if (want.contains("ports")) {
      r.attributes["ports"] = SpelledAsWritten(LivePorts(j), want["ports"], CanonicalPort);
    }
    if (want.contains("volumes")) {
      r.attributes["volumes"] = SpelledAsWritten(LiveVolumes(j), want["volumes"], CanonicalVolume);
    }
    // Under a unit of mfgctl's, enabled, systemd restarts it.
    auto unit = facts.find("unit");
    bool service = unit != facts.end() && unit->second == "enabled";
    if (want.contains("service") || unit != facts.end()) r.attributes["service"] = service;
    if (want.contains("restart")) {
      std::string policy;
      if (service) {
        policy = facts.count("unit_restart") ? facts.at("unit_restart") : "";
        std::string wanted = StringAttr(want, "restart");
        if (UnitRestart(wanted) == policy) policy = wanted;
      } else if (auto h = j.find("HostConfig"); h != j.end() && h->is_object()) {
        policy = StringAttr(h->value("RestartPolicy", Value::object()), "Name");
      }
      r.attributes["restart"] = policy.empty() ? "no" : policy;
    }
    return r;
  }

  HostStep Step(const ApplyRequest& req) const override {
    HostStep step;
    const std::string& name = req.address.name;
    if (!ValidName(name)) {
      step.script = "echo " + ShellQuote("container name \"" + name + "\": letters, digits, "
                                         "'_', '.' and '-' only, starting with a letter or "
                                         "digit") + " >&2; exit 1\n";
      return step;
    }
    if (req.action == Action::kDelete) {
      step.script = Teardown(name, req.before);
      return step;
    }
    if (req.action == Action::kUpdate) {  // only a notifier's change updates it
      step.script = EngineOrFail(req.after) +
                    (IsService(req.after)
                         ? "systemctl restart " + ShellQuote(UnitName(name)) + " || exit 1\n" +
                               WaitRunning(name)
                         : "\"$e\" restart " + ShellQuote(name) + " >/dev/null || exit 1\n");
      return step;
    }
    std::string env_keys;
    if (!EnvironmentInput(req.after, &step.input, &env_keys, &step.script)) return step;
    step.script = EngineOrFail(req.after) + ImageCheck(req.after) +
                  (req.action == Action::kReplace ? Teardown(name, req.before) : "") +
                  (IsService(req.after) ? ServiceStart(name, req.after, env_keys)
                                        : DetachedRun(name, req.after, env_keys));
    return step;
  }

 private:
  // KEY=VALUE lines for the engine's env file (its format has no quoting:
  // a line break cannot be in one), and the keys for the label. False, with
  // a failing script, for a variable the format cannot carry.
  static bool EnvironmentInput(const Value& a, std::string* input, std::string* keys,
                               std::string* script) {
    if (!a.contains("environment") || !a["environment"].is_object()) return true;
    for (const auto& [k, v] : a["environment"].items()) {
      std::string value = v.is_string() ? v.get<std::string>() : v.dump();
      if (!IsShellName(k) || value.find_first_of("\n\r") != std::string::npos) {
        *script = "echo " + ShellQuote("environment variable \"" + k +
                                       "\": a name is letters, digits and '_', not starting "
                                       "with a digit; a value holds no line break") +
                  " >&2; exit 1\n";
        return false;
      }
      *input += k + "=" + value + "\n";
      *keys += (keys->empty() ? "" : ",") + k;
    }
    return true;
  }

  static std::string ImageCheck(const Value& a) {
    std::string image = StringAttr(a, "image");
    return "\"$e\" image inspect " + ShellQuote(image) + " >/dev/null 2>&1 || { echo " +
           ShellQuote("image " + image + " is not on this host: load it (an images: entry with "
                      "archive:) or pull it there; a container never pulls") +
           " >&2; exit 1; }\n";
  }

  // `run` and its arguments after `$e`, the env file in "$f".
  static std::string RunArguments(const std::string& name, const Value& a,
                                  const std::string& env_keys, bool service) {
    std::string run = "run" + std::string(service ? " --rm" : " -d") + " --name " +
                      ShellQuote(name) + " --pull=never $init --env-file \"$f\"";
    if (!env_keys.empty()) run += " --label " + ShellQuote(std::string(kEnvLabel) + "=" + env_keys);
    for (const char* list : {"ports", "volumes"}) {
      if (!a.contains(list) || !a[list].is_array()) continue;
      for (const auto& v : a[list]) {
        run += std::string(list[0] == 'p' ? " -p " : " -v ") + ShellQuote(v.get<std::string>());
      }
    }
    std::string restart = StringAttr(a, "restart");
    if (!service && !restart.empty()) run += " --restart " + ShellQuote(restart);
    run += " -- " + ShellQuote(StringAttr(a, "image"));
    if (a.contains("command") && a["command"].is_array()) {
      for (const auto& arg : a["command"]) run += " " + ShellQuote(arg.get<std::string>());
    }
    return run;
  }

  // Sets $init: `--init` (a PID 1 that reaps and forwards signals, so a stop
  // takes no 10 s) where the engine has an init to run — Docker's ships
  // with it; podman's (catatonit) is only recommended by Debian's podman.
  static std::string InitShell() {
    return "init=--init; if [ \"${e##*/}\" = podman ] && ! command -v catatonit >/dev/null 2>&1 "
           "&& [ ! -x /usr/libexec/podman/catatonit ]; then init=; fi\n";
  }

  // A container of the engine's own, restarted by its policy. The env
  // file is root's alone and gone once the engine has read it.
  static std::string DetachedRun(const std::string& name, const Value& a,
                                 const std::string& env_keys) {
    return InitShell() + "f=$(mktemp) && cat > \"$f\" || exit 1\n"
           "\"$e\" rm -f " + ShellQuote(name) + " >/dev/null 2>&1\n"
           "\"$e\" " + RunArguments(name, a, env_keys, false) + " >/dev/null; s=$?\n"
           "rm -f \"$f\"\nexit $s\n";
  }

  // The unit, the script it runs and the env file it reads (root's alone:
  // every start needs it), then the unit enabled and (re)started. Both
  // files name the engine by its path, put in for @ENGINE@.
  static std::string ServiceStart(const std::string& name, const Value& a,
                                  const std::string& env_keys) {
    std::string unit = ShellQuote(UnitName(name));
    std::string run_file = "e=@ENGINE@\n" + InitShell() + "f=" + ShellQuote(EnvFile(name)) +
                           "\n\"$e\" rm -f " + ShellQuote(name) + " >/dev/null 2>&1\n"
                           "exec \"$e\" " + RunArguments(name, a, env_keys, true) + "\n";
    std::string unit_file = std::string(kUnitMark) + "\n"
        "[Unit]\nDescription=Container " + name + " (mfgctl)\n"
        "Wants=network-online.target\nAfter=network-online.target\n\n"
        "[Service]\nExecStart=/bin/sh " + RunFile(name) + "\n"
        "ExecStop=@ENGINE@ stop -t 10 " + name + "\n"
        "Restart=" + UnitRestart(StringAttr(a, "restart", "always")) + "\nRestartSec=1\n"
        "TimeoutStopSec=30\n\n"
        "[Install]\nWantedBy=multi-user.target\n";
    auto write = [](const std::string& text, const std::string& path) {
      return "printf '%s' " + ShellQuote(text) + " | sed \"s|@ENGINE@|$e|g\" > " +
             ShellQuote(path) + " || exit 1\n";
    };
    return "command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ] || { echo "
           "'service: true needs systemd on the host' >&2; exit 1; }\n"
           "e=$(command -v \"$e\") && mkdir -p -m 0700 " + std::string(kConfigRoot) +
           " && (umask 077 && cat > " + ShellQuote(EnvFile(name)) + ") || exit 1\n" +
           write(run_file, RunFile(name)) + write(unit_file, UnitFile(name)) +
           "\"$e\" rm -f " + ShellQuote(name) + " >/dev/null 2>&1\n"
           "systemctl daemon-reload && systemctl enable --quiet " + unit +
           " && systemctl restart " + unit + " || exit 1\n" + WaitRunning(name);
  }

  // Shell that waits (10 s at most) for the unit's container to run: one
  // that cannot start fails the resource with what systemd saw.
  static std::string WaitRunning(const std::string& name) {
    return "i=0; until \"$e\" container inspect --format '{{.State.Running}}' " +
           ShellQuote(name) + " 2>/dev/null | grep -qx true; do i=$((i+1)); "
           "[ $i -lt 50 ] || { systemctl status --no-pager -n 10 " +
           ShellQuote(UnitName(name)) + " >&2; exit 1; }; sleep 0.2; done\n";
  }

  // What a container leaves behind: its unit and files, the container.
  // In a subshell: on a replacement its engine is the old container's,
  // and the new one's $e stays. A unit not written by mfgctl is not ours.
  static std::string Teardown(const std::string& name, const Value& before) {
    std::string unit = ShellQuote(UnitName(name)), file = ShellQuote(UnitFile(name));
    return "(\n" + EngineShell(before) +
           "if grep -qxF " + ShellQuote(kUnitMark) + " " + file + " 2>/dev/null; then "
           "systemctl disable --now --quiet " + unit + " 2>/dev/null; rm -f " + file +
           "; systemctl daemon-reload; fi\n"
           "rm -f " + ShellQuote(EnvFile(name)) + " " + ShellQuote(RunFile(name)) + "\n"
           "[ -z \"$e\" ] || \"$e\" rm -f " + ShellQuote(name) + " >/dev/null\n"
           ") || exit 1\n";
  }
};

}  // namespace

std::unique_ptr<HostResourceType> MakeContainerType() {
  return std::make_unique<ContainerType>();
}

}  // namespace mfgctl
