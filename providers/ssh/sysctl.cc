// host.sysctl: a kernel parameter, set now (sysctl -w) and persisted in
// /etc/sysctl.d/ so it survives a reboot.
#include "providers/ssh/host_resource.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

// The drop-in file mfgctl owns for one key.
std::string PersistPath(const std::string& key) {
  return "/etc/sysctl.d/60-mfgctl-" + key + ".conf";
}

// Multi-field values (tcp_rmem) are tab-separated by the kernel: compare
// them with single spaces.
constexpr const char* kSqueeze = " | tr -s '\\t ' '  '";

class SysctlType : public HostResourceType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "host.sysctl";
    s.description = "A kernel parameter, applied now and persisted under /etc/sysctl.d/.";
    s.attributes = {
        {.name = "value", .required = true,
         .description = "The value; fields of multi-field parameters separated by spaces."},
    };
    return s;
  }

  std::string Probe(const ReadItem& item) const override {
    std::string key = ShellQuote(item.address.name);
    std::string file = ShellQuote(PersistPath(item.address.name));
    return "if v=$(sysctl -n " + key + " 2>/dev/null); then echo \"value=$(printf '%s' \"$v\"" +
           kSqueeze + ")\"; else echo 'error=no such kernel parameter on this host'; fi\n" +
           "if [ -f " + file + " ]; then echo \"persisted=$(sed -n 's/^[^=]*= *//p' " + file +
           kSqueeze + ")\"; fi\n";
  }

  ReadResult Interpret(const FactMap& facts, const ReadItem& item) const override {
    ReadResult r;
    auto persisted = facts.find("persisted");
    if (item.desired.is_null()) {  // left the blueprint: only our file is ours
      r.exists = persisted != facts.end();
      return r;
    }
    if (auto e = facts.find("error"); e != facts.end()) {
      r.diagnostics.Error(e->second);
      return r;
    }
    std::string now = facts.count("value") ? facts.at("value") : "";
    r.exists = true;
    // A value set but not persisted (or persisted differently) is drift too.
    bool kept = persisted != facts.end() && persisted->second == now;
    r.attributes["value"] = kept ? now : now + " (not persisted)";
    return r;
  }

  HostStep Step(const ApplyRequest& req) const override {
    HostStep step;
    std::string file = ShellQuote(PersistPath(req.address.name));
    if (req.action == Action::kDelete) {
      // The running value stays: there is no "previous" value to go back to.
      step.script = "rm -f " + file + "\n";
      return step;
    }
    std::string key = req.address.name;
    std::string value = StringAttr(req.after, "value");
    step.script = "sysctl -q -w " + ShellQuote(key + "=" + value) + " || exit 1\n" +
                  "mkdir -p /etc/sysctl.d && t=$(mktemp /etc/sysctl.d/.mfgctl.XXXXXX) && "
                  "printf '%s = %s\\n' " + ShellQuote(key) + " " + ShellQuote(value) +
                  " > \"$t\" && chmod 644 \"$t\" && mv -f \"$t\" " + file + "\n";
    return step;
  }
};

}  // namespace

std::unique_ptr<HostResourceType> MakeSysctlType() { return std::make_unique<SysctlType>(); }

}  // namespace mfgctl
