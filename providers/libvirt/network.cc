// libvirt.network: a virtual network on a hypervisor — NAT with DHCP, an
// isolated segment, or a bridge the host already has (an OT VLAN).
// A changed definition is written at once and takes effect when the
// network next starts: restarting it would cut off every VM on it.
#include "providers/libvirt/libvirt_type.h"
#include "providers/libvirt/libvirt_xml.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

constexpr const char* kDefinition[] = {"mode", "bridge", "ip", "dhcp"};

bool DefinitionChanges(const Value& before, const Value& after) {
  for (const char* key : kDefinition) {
    if (Changes(before, after, key)) return true;
  }
  return false;
}

class NetworkType : public LibvirtType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "libvirt.network";
    s.description = "A libvirt virtual network: NAT with DHCP, isolated, or a host bridge.";
    s.attributes = {
        {.name = "mode", .required = true, .one_of = {"nat", "isolated", "bridge", "route"},
         .description = "nat: routed out through the host with masquerading; isolated: VMs and "
                        "host only; bridge: an existing host bridge (`bridge:`); route: routed "
                        "without NAT."},
        {.name = "bridge",
         .description = "The bridge device: the one libvirt creates (nat, isolated, route; "
                        "libvirt picks virbrN when unset) or the host's own (bridge)."},
        {.name = "ip", .description = "The host's address on the network, ADDR/PREFIX."},
        {.name = "dhcp", .type = AttrType::kObject,
         .description = "A DHCP range handed out by libvirt's dnsmasq (needs `ip:`).",
         .attributes = {{.name = "start", .required = true, .description = "First address."},
                        {.name = "end", .required = true, .description = "Last address."}}},
        {.name = "active", .type = AttrType::kBool,
         .description = "Started now (default true)."},
        {.name = "autostart", .type = AttrType::kBool,
         .description = "Started when libvirtd starts (default true)."},
        {.name = "uuid", .description = "libvirt's UUID of the network.", .computed = true},
        StateAttribute(),
    };
    return s;
  }

  ReadResult Interpret(const LibvirtInventory& live, const ReadItem& item,
                       size_t) const override {
    ReadResult r;
    const std::string& name = item.address.name;
    const LibvirtObject* n = live.Network(name);
    if (!n) return r;
    if (ToBeDeleted(item)) {
      std::string users = UsersOutsideBlueprint(live, [&](const Value& d) {
        for (const auto& i : d["interfaces"]) {
          if (i.value("network", "") == name) return true;
        }
        return false;
      });
      if (!users.empty()) {
        r.diagnostics.Error("network " + name + " is used by VMs the blueprint does not manage (" +
                            users + "): it is not deleted");
        return r;
      }
    }
    r.exists = true;
    r.attributes = n->def;
    r.attributes.erase("name");
    auto info = [&](const char* key) {
      auto it = n->info.find(key);
      return it != n->info.end() && it->second == "yes";
    };
    r.attributes["active"] = info("Active");
    r.attributes["autostart"] = info("Autostart");
    return r;
  }

  HostStep Step(const ApplyRequest& req, const LibvirtSettings& settings) const override {
    HostStep step;
    std::string name = ShellQuote(req.address.name);
    step.script = VirshPrelude(settings.uri, settings.shutdown_timeout);
    bool live = req.before.is_object() && !req.before.empty();
    if (req.action == Action::kDelete || req.action == Action::kReplace) {
      if (live && req.before.value("active", false)) {
        step.script += "V net-destroy " + name + " >/dev/null || exit 1\n";
      }
      step.script += "V net-undefine " + name + " >/dev/null || exit 1\n";
      if (req.action == Action::kDelete) return step;
      live = false;
    }
    Value before = live ? req.before : Value();
    if (!live || DefinitionChanges(before, req.after)) {
      // Redefined with its UUID, so it stays the same network to libvirt.
      std::string uuid = live ? before.value("uuid", "") : "";
      step.input = NetworkXml(req.address.name, req.after, uuid);
      step.script += "t=$(mktemp) && cat >\"$t\" && V net-define \"$t\" >/dev/null; s=$?; "
                     "rm -f \"$t\"; [ \"$s\" = 0 ] || exit 1\n";
    }
    step.script += ActivationCommands("net-", name, before, req.after);
    return step;
  }

  ModifyPlanResponse ModifyPlan(const ModifyPlanRequest& req) const override {
    ModifyPlanResponse resp;
    if (req.action != Action::kUpdate) return resp;
    const Value& before = *req.before;
    const Value& after = *req.after;
    if (DefinitionChanges(before, after) && before.value("active", false)) {
      resp.notes.push_back(std::string(kNextBoot) +
                           ": the definition is written now and takes effect when the network "
                           "next starts (restarting it now would cut off its VMs)");
    }
    std::string live;
    for (const char* key : {"active", "autostart"}) {
      if (Changes(before, after, key)) live += (live.empty() ? "" : ", ") + std::string(key);
    }
    if (!live.empty()) resp.notes.push_back(std::string(kLive) + ": " + live);
    return resp;
  }
};

}  // namespace

std::unique_ptr<LibvirtType> MakeNetworkType() { return std::make_unique<NetworkType>(); }

}  // namespace mfgctl
