// libvirt.pool: a storage pool (a directory of volumes) on a hypervisor.
// A directory the pool's creation made is marked on the host, so that
// deleting the pool removes only a directory mfgctl made (and only when
// empty); a directory that was there before is never removed.
#include "providers/libvirt/libvirt_type.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

constexpr char kMadeDirs[] = "/var/lib/mfgctl/libvirt/pool-dirs";

class PoolType : public LibvirtType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "libvirt.pool";
    s.description = "A libvirt storage pool: a directory of volumes.";
    s.attributes = {
        {.name = "type", .force_new = true, .one_of = {"dir"},
         .description = "The pool's kind: dir (a directory; the default)."},
        {.name = "path", .required = true, .force_new = true,
         .description = "The directory; made when missing (and then removed with the pool "
                        "when empty)."},
        {.name = "active", .type = AttrType::kBool,
         .description = "Started now (default true)."},
        {.name = "autostart", .type = AttrType::kBool,
         .description = "Started when libvirtd starts (default true)."},
        {.name = "uuid", .description = "libvirt's UUID of the pool.", .computed = true},
        StateAttribute(),
    };
    return s;
  }

  ReadResult Interpret(const LibvirtInventory& live, const ReadItem& item,
                       size_t) const override {
    ReadResult r;
    const std::string& name = item.address.name;
    const LibvirtObject* p = live.Pool(name);
    if (!p) return r;
    if (ToBeDeleted(item)) {
      std::string path = p->def.value("path", "");
      std::string users = UsersOutsideBlueprint(live, [&](const Value& d) {
        for (const auto& disk : d["disks"]) {
          if (disk.value("pool", "") == name) return true;
          std::string file = disk.value("file", "");
          if (!path.empty() && file.rfind(path + "/", 0) == 0) return true;
        }
        return false;
      });
      if (!users.empty()) {
        r.diagnostics.Error("pool " + name + " is used by VMs the blueprint does not manage (" +
                            users + "): it is not deleted");
        return r;
      }
    }
    r.exists = true;
    r.attributes = p->def;
    r.attributes.erase("name");
    auto state = p->info.find("State");
    r.attributes["active"] = state != p->info.end() && state->second == "running";
    auto autostart = p->info.find("Autostart");
    r.attributes["autostart"] = autostart != p->info.end() && autostart->second == "yes";
    return r;
  }

  HostStep Step(const ApplyRequest& req, const LibvirtSettings& settings) const override {
    HostStep step;
    std::string name = ShellQuote(req.address.name);
    std::string mark = ShellQuote(std::string(kMadeDirs) + "/" + req.address.name);
    step.script = VirshPrelude(settings.uri, settings.shutdown_timeout);
    bool live = req.before.is_object() && !req.before.empty();
    if (req.action == Action::kDelete || req.action == Action::kReplace) {
      std::string path = ShellQuote(req.before.value("path", ""));
      if (req.before.value("active", false)) {
        step.script += "V pool-destroy " + name + " >/dev/null || exit 1\n";
      }
      step.script += "if [ -f " + mark + " ] && [ \"$(cat " + mark + ")\" = " + path +
                     " ]; then rmdir -- " + path + " 2>/dev/null && rm -f " + mark + "; else rm -f " + mark +
                     "; fi\n"
                     "V pool-undefine " + name + " >/dev/null || exit 1\n";
      if (req.action == Action::kDelete) return step;
      live = false;
    }
    Value before = live ? req.before : Value();
    if (!live) {
      std::string path = ShellQuote(req.after.value("path", ""));
      step.script += "V pool-define-as " + name + " " +
                     ShellQuote(req.after.value("type", "dir")) + " --target " + path +
                     " >/dev/null || exit 1\n"
                     "if [ ! -e " + path + " ]; then mkdir -p " + kMadeDirs + " && printf '%s' " +
                     path + " >" + mark + " && V pool-build " + name +
                     " >/dev/null || exit 1; fi\n";
    }
    step.script += ActivationCommands("pool-", name, before, req.after);
    return step;
  }

  ModifyPlanResponse ModifyPlan(const ModifyPlanRequest& req) const override {
    ModifyPlanResponse resp;
    if (req.action == Action::kUpdate) {
      std::string live;
      for (const char* key : {"active", "autostart"}) {
        if (Changes(*req.before, *req.after, key)) {
          live += (live.empty() ? "" : ", ") + std::string(key);
        }
      }
      if (!live.empty()) resp.notes.push_back(std::string(kLive) + ": " + live);
    }
    return resp;
  }
};

}  // namespace

std::unique_ptr<LibvirtType> MakePoolType() { return std::make_unique<PoolType>(); }

}  // namespace mfgctl
