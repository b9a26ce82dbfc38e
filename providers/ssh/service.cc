// host.service: a systemd unit, enabled at boot and running — or not — and
// restarted when a resource that notifies it changed in the same apply.
#include "providers/ssh/host_types.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

// `collector` means `collector.service`; `x.timer` stays as written.
std::string UnitName(const std::string& name) {
  return name.find('.') == std::string::npos ? name + ".service" : name;
}

constexpr const char* kNeedsSystemd =
    "if [ ! -d /run/systemd/system ] || ! command -v systemctl >/dev/null 2>&1; then ";

class ServiceType : public HostResourceType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "host.service";
    s.description = "A systemd unit: enabled at boot, running.";
    s.attributes = {
        {.name = "enabled", .type = AttrType::kBool, .description = "Started at boot."},
        {.name = "running", .type = AttrType::kBool, .description = "Running now."},
    };
    return s;
  }

  std::string Probe(const ReadItem& item) const override {
    std::string unit = ShellQuote(UnitName(item.address.name));
    return std::string(kNeedsSystemd) +
           "echo 'error=this host does not run systemd: services cannot be managed here'\n"
           "elif [ \"$(systemctl show -P LoadState " + unit + " 2>/dev/null)\" != loaded ]; "
           "then echo exists=0\n"
           "else echo exists=1; echo \"enabled=$(systemctl is-enabled " + unit +
           " 2>/dev/null)\"; echo \"active=$(systemctl is-active " + unit + " 2>/dev/null)\"; "
           "fi\n";
  }

  ReadResult Interpret(const FactMap& facts, const ReadItem&) const override {
    // A unit that is not there yet is created by this plan (its unit file),
    // then enabled and started.
    ReadResult r = ExistenceOf(facts);
    if (r.exists) {
      r.attributes["enabled"] = facts.count("enabled") && facts.at("enabled") == "enabled";
      r.attributes["running"] = facts.count("active") && facts.at("active") == "active";
    }
    return r;
  }

  HostStep Step(const ApplyRequest& req) const override {
    HostStep step;
    // Leaving the blueprint does not stop a service: that would be a
    // production change nobody asked for. mfgctl forgets it.
    if (req.action == Action::kDelete) return step;
    std::string unit = ShellQuote(UnitName(req.address.name));
    step.script = std::string(kNeedsSystemd) +
                  "echo 'this host does not run systemd' >&2; exit 1; fi\n"
                  // Unit files may have changed in this apply.
                  "systemctl daemon-reload || exit 1\n";
    auto enabled = req.after.find("enabled");
    if (enabled != req.after.end()) {
      step.script += std::string("systemctl ") + (enabled->get<bool>() ? "enable" : "disable") +
                     " --quiet " + unit + " || exit 1\n";
    }
    auto running = req.after.find("running");
    bool run = running != req.after.end() && running->get<bool>();
    if (running != req.after.end() && !run) {
      step.script += "systemctl stop " + unit + " || exit 1\n";
    } else if (run && !req.triggered_by.empty()) {
      step.script += "systemctl restart " + unit + " || exit 1\n";
    } else if (run) {
      step.script += "systemctl start " + unit + " || exit 1\n";
    }
    // A service that fails right after starting fails the resource.
    if (run) {
      step.script += "sleep 0.2; systemctl is-active --quiet " + unit +
                     " || { systemctl status --no-pager -n 5 " + unit + " >&2; exit 1; }\n";
    }
    return step;
  }
};

}  // namespace

std::unique_ptr<HostResourceType> MakeServiceType() { return std::make_unique<ServiceType>(); }

}  // namespace mfgctl
