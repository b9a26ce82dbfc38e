// libvirt.vm: a VM (libvirt domain) on a hypervisor — vCPUs, memory, disks
// from pool volumes, NICs on libvirt networks, a cloud-init seed, autostart
// and whether it runs.
//
// Only what the blueprint owns is compared, against the persistent
// definition; libvirt's defaults and runtime values never show. A change
// is made with the virsh command for just that part (setmem, setvcpus,
// attach-device, ...), never by rewriting the whole definition, so UUIDs,
// MACs and everything else libvirt filled in are kept. Each change says
// when it takes effect (live, next boot, needs stop), and a running VM is
// restarted only when the plan says so.
#include <algorithm>
#include <set>

#include "engine/model/digest.h"
#include "providers/libvirt/libvirt_type.h"
#include "providers/libvirt/libvirt_xml.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

const Value kNull;

const Value& Member(const Value& v, const char* key) {
  if (!v.is_object()) return kNull;
  auto it = v.find(key);
  return it == v.end() ? kNull : *it;
}

const Value& Element(const Value& list, size_t i) {
  return list.is_array() && i < list.size() ? list[i] : kNull;
}

size_t Size(const Value& list) { return list.is_array() ? list.size() : 0; }

// Whether a live element (a disk, a NIC) already is what the blueprint's
// says, in every key the blueprint sets.
bool Owns(const Value& live, const Value& want) {
  if (live.is_null() || want.is_null()) return false;
  for (const auto& [k, v] : want.items()) {
    if (Member(live, k.c_str()) != v) return false;
  }
  return true;
}

bool Running(const Value& attrs) { return attrs.value("state", "") == "running"; }

bool HasCloudInit(const Value& attrs) {
  return attrs.contains("user_data") || attrs.contains("meta_data") ||
         attrs.contains("network_config");
}

// The meta-data file: the blueprint's keys, and an instance-id that changes
// with the seed's content, so cloud-init applies a changed seed at the next
// boot (it runs once per instance-id).
std::string MetaData(const std::string& name, const Value& attrs) {
  Value meta = attrs.value("meta_data", Value::object());
  if (!meta.contains("instance-id")) {
    std::string seed = attrs.value("user_data", "") + '\0' + attrs.value("network_config", "") +
                       '\0' + ShowJson(meta);
    meta["instance-id"] = name + "-" + Sha256Hex(seed).substr(0, 12);
  }
  return ShowJson(meta) + "\n";  // JSON is YAML
}

// The attributes with cloud-init content as the digests kept in metadata.
Value WithDigests(const Value& attrs) {
  Value out = attrs;
  for (const char* key : {"user_data", "network_config"}) {
    if (out.contains(key) && out[key].is_string()) out[key] = Sha256Digest(out[key].get<std::string>());
  }
  return out;
}

// Builds the seed ISO from the step's input and moves it into place.
void AddSeed(const std::string& name, const Value& attrs, HostStep* step) {
  std::string files = "user-data meta-data";
  std::string user = attrs.value("user_data", "#cloud-config\n");
  std::string meta = MetaData(name, attrs);
  std::string reads = "head -c " + std::to_string(user.size()) + " >\"$t/user-data\" && head -c " +
                      std::to_string(meta.size()) + " >\"$t/meta-data\"";
  step->input += user + meta;
  if (attrs.contains("network_config")) {
    std::string net = attrs.value("network_config", "");
    reads += " && head -c " + std::to_string(net.size()) + " >\"$t/network-config\"";
    files += " network-config";
    step->input += net;
  }
  std::string seed = ShellQuote(SeedPath(name));
  step->script +=
      "iso=$(command -v genisoimage || command -v mkisofs || command -v xorrisofs) || { echo "
      "'building the cloud-init seed needs genisoimage on the hypervisor (add it to "
      "packages:)' >&2; exit 1; }\n"
      "t=$(mktemp -d) || exit 1\n"
      "{ " + reads + " && mkdir -p \"$(dirname " + seed + ")\" && (cd \"$t\" && \"$iso\" -quiet "
      "-output seed.iso -volid cidata -joliet -rock " + files + ") && mv \"$t/seed.iso\" " +
      seed + "; }; s=$?; rm -rf \"$t\"; [ \"$s\" = 0 ] || exit 1\n";
}

// Feeds `xml` to a virsh command taking a file ("define", "attach-device
// NAME"), after the inputs already queued.
void AddXmlCommand(const std::string& command, const std::string& flags, const std::string& xml,
                   HostStep* step) {
  step->script += "x=$(mktemp) && head -c " + std::to_string(xml.size()) +
                  " >\"$x\" && V " + command + " \"$x\"" + flags +
                  " >/dev/null; s=$?; rm -f \"$x\"; [ \"$s\" = 0 ] || exit 1\n";
  step->input += xml;
}

std::string Mib(long long mib) { return std::to_string(mib * 1024); }  // virsh takes KiB

// What a running VM's change needs, by attribute.
struct Effects {
  std::vector<std::string> live, next_boot, needs_stop;
};

Effects EffectsOf(const Value& before, const Value& after) {
  Effects e;
  // What the running VM can take: the maximums it was started with.
  long long max_mem = before.value("max_memory_mib", 0LL);
  long long max_cpu = before.value("max_vcpus", 0LL);
  auto changed = [&](const char* k) { return Changes(before, after, k); };
  for (const char* k : {"autostart", "state"}) {
    if (changed(k)) e.live.push_back(k);
  }
  if (changed("memory_mib")) {
    (NumberAttr(after, "memory_mib") <= max_mem ? e.live : e.needs_stop).push_back("memory_mib");
  }
  if (changed("vcpus")) {
    (NumberAttr(after, "vcpus") <= max_cpu ? e.next_boot : e.needs_stop).push_back("vcpus");
  }
  for (const char* k : {"max_memory_mib", "max_vcpus"}) {
    if (changed(k)) e.needs_stop.push_back(k);
  }
  for (const char* k : {"user_data", "meta_data", "network_config"}) {
    if (changed(k)) e.next_boot.push_back(k);
  }
  auto list = [&](const char* key, std::initializer_list<const char*> cold) {
    if (!after.contains(key)) return;
    const Value& b = Member(before, key);
    const Value& a = after[key];
    bool hot = false, stop = false;
    for (size_t i = 0; i < std::max(Size(b), Size(a)); ++i) {
      const Value& bi = Element(b, i);
      const Value& ai = Element(a, i);
      if (bi.is_null() || ai.is_null()) {
        hot = true;
        continue;
      }
      for (const auto& [k, v] : ai.items()) {
        if (Member(bi, k.c_str()) == v) continue;
        bool is_cold = false;
        for (const char* c : cold) is_cold = is_cold || k == c;
        (is_cold ? stop : hot) = true;
      }
    }
    if (stop) e.needs_stop.push_back(key);
    else if (hot) e.live.push_back(key);
  };
  list("disks", {"bus", "format"});
  list("interfaces", {"model"});
  return e;
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

class VmType : public LibvirtType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "libvirt.vm";
    s.description = "A VM (libvirt domain): vCPUs, memory, disks, NICs, cloud-init, autostart.";
    s.attributes = {
        {.name = "vcpus", .type = AttrType::kNumber, .required = true, .min = 1,
         .description = "Virtual CPUs it boots with."},
        {.name = "max_vcpus", .type = AttrType::kNumber, .min = 1,
         .description = "The most vCPUs it may have without being redefined (default: vcpus)."},
        {.name = "memory_mib", .type = AttrType::kNumber, .required = true, .min = 1,
         .description = "Memory in MiB; changed live on a running VM up to max_memory_mib."},
        {.name = "max_memory_mib", .type = AttrType::kNumber, .min = 1,
         .description = "The most memory it may have without a restart (default: memory_mib)."},
        {.name = "disks", .type = AttrType::kObjectList,
         .description = "Volumes of the hypervisor's pools, in boot order (a name: the volume "
                        "of that name in `volumes:`).",
         .attributes = {
             {.name = "volume", .required = true, .description = "The volume's name."},
             {.name = "pool", .description = "Its pool (from `volumes:`)."},
             {.name = "format", .one_of = {"qcow2", "raw"},
              .description = "Its format (from `volumes:`)."},
             {.name = "bus", .one_of = {"virtio", "sata", "scsi", "ide"},
              .description = "The disk bus (default virtio); a change needs the VM stopped."},
             {.name = "target", .description = "The device name libvirt gave it (vda).",
              .computed = true},
         }},
        {.name = "interfaces", .type = AttrType::kObjectList,
         .description = "NICs on libvirt networks, in order.",
         .attributes = {
             {.name = "network", .required = true, .description = "The network's name."},
             {.name = "mac", .description = "The MAC address; chosen by libvirt once when unset, then kept.",
              .computed = true},
             {.name = "model", .description = "The NIC model (default virtio)."},
         }},
        {.name = "user_data", .digest = true,
         .description = "cloud-init user-data of the VM's NoCloud seed."},
        {.name = "user_data_template", .local_path = true, .file_into = "user_data",
         .interpolate_file = true,
         .description = "A local template rendered with the blueprint's ${...} into user_data."},
        {.name = "user_data_source", .local_path = true, .file_into = "user_data",
         .description = "A local file whose bytes are user_data."},
        {.name = "meta_data", .type = AttrType::kStringMap,
         .description = "cloud-init meta-data keys (local-hostname, instance-id)."},
        {.name = "network_config", .digest = true,
         .description = "cloud-init network-config of the seed."},
        {.name = "network_config_template", .local_path = true, .file_into = "network_config",
         .interpolate_file = true, .description = "A local template for network_config."},
        {.name = "network_config_source", .local_path = true, .file_into = "network_config",
         .description = "A local file whose bytes are network_config."},
        {.name = "autostart", .type = AttrType::kBool,
         .description = "Started when the hypervisor boots."},
        {.name = "state", .one_of = {"running", "stopped", "absent"},
         .description = "running (the default) or stopped; absent deletes it."},
        {.name = "restart", .plan_only = true, .one_of = {"allowed", "never"},
         .description = "allowed: a change that needs the VM stopped restarts it (gracefully, "
                        "forced off after the provider's shutdown_timeout); never (the "
                        "default): such a change waits for the next boot."},
        {.name = "domain_type", .force_new = true, .one_of = {"kvm", "qemu"},
         .description = "kvm, or qemu (emulation without /dev/kvm); default kvm where the "
                        "hypervisor has /dev/kvm, else qemu."},
        {.name = "uuid", .description = "libvirt's UUID of the VM.", .computed = true},
    };
    return s;
  }

  ReadResult Interpret(const LibvirtInventory& live, const ReadItem& item,
                       size_t) const override {
    ReadResult r;
    const LibvirtObject* d = live.Domain(item.address.name);
    if (!d) return r;
    r.exists = true;
    r.attributes = d->def;
    r.attributes.erase("name");
    r.attributes.erase("seed");
    auto info = [&](const char* key) {
      auto it = d->info.find(key);
      return it == d->info.end() ? std::string() : it->second;
    };
    std::string state = info("State");
    bool running = state == "running" || state == "paused" || state == "idle" ||
                   state == "in shutdown" || state == "blocked";
    r.attributes["state"] = running ? "running" : "stopped";
    r.attributes["autostart"] = info("Autostart") == "enable";
    // Memory changes live: a running VM's memory that differs from what
    // its definition (and the blueprint) says is drift to fix now. The
    // balloon reports only through the guest's driver: a guest without one
    // (still booting, no OS) shows its maximum, which says nothing.
    long long used = std::atoll(info("Used memory").c_str()) / 1024;
    long long most = std::atoll(info("Max memory").c_str()) / 1024;
    const Value& want = Member(item.desired, "memory_mib");
    if (running && used > 0 && used != most && want.is_number() &&
        r.attributes["memory_mib"] == want && used != want.get<long long>()) {
      r.attributes["memory_mib"] = used;
    }
    return r;
  }

  ModifyPlanResponse ModifyPlan(const ModifyPlanRequest& req) const override {
    ModifyPlanResponse resp;
    if (req.action == Action::kReplace && Running(*req.before)) {
      resp.notes.push_back(std::string(kNeedsStop) + ": the VM is shut down, deleted and made "
                           "anew");
    }
    if (req.action != Action::kUpdate) return resp;
    const Value& before = *req.before;
    const Value& after = *req.after;
    if (!Running(before)) {
      resp.notes.push_back(after.value("state", "running") == "running"
                               ? std::string(kLive) + ": the VM is stopped; it starts with the "
                                                      "changes"
                               : std::string(kNextBoot) + ": the VM is stopped; the changes "
                                                          "take effect when it next starts");
      return resp;
    }
    Effects e = EffectsOf(before, after);
    if (!e.live.empty()) resp.notes.push_back(std::string(kLive) + ": " + Join(e.live));
    if (!e.next_boot.empty()) {
      resp.notes.push_back(std::string(kNextBoot) + ": " + Join(e.next_boot) +
                           " written to the definition; the running VM keeps the old until it "
                           "is next started");
    }
    if (e.needs_stop.empty() || after.value("state", "running") == "stopped") return resp;
    std::string allow = "--allow-restart " + req.address.ToString();
    std::string restart = req.config ? req.config->value("restart", "") : "";
    bool allowed = req.restart_allowed || (restart == "allowed" && !req.is_protected);
    if (allowed) {
      resp.restarts = true;
      resp.notes.push_back(std::string(kNeedsStop) + ": " + Join(e.needs_stop) +
                           "; the VM is shut down (forced off after the shutdown timeout) and "
                           "started again");
    } else {
      resp.notes.push_back(
          std::string(kNeedsStop) + ": " + Join(e.needs_stop) +
          " written to the definition; it takes effect at the next boot (" +
          (req.is_protected && restart == "allowed"
               ? "the VM is protected: only " + allow + " restarts it now)"
               : "`restart: allowed` or " + allow + " restarts it now)"));
    }
    return resp;
  }

  HostStep Step(const ApplyRequest& req, const LibvirtSettings& settings) const override {
    HostStep step;
    const std::string& vm = req.address.name;
    std::string name = ShellQuote(vm);
    step.script = VirshPrelude(settings.uri, settings.shutdown_timeout);
    if (req.action == Action::kDelete || req.action == Action::kReplace) {
      step.script += "stop_vm " + name + " || exit 1\n"
                     "V undefine " + name + " --nvram >/dev/null 2>&1 || V undefine " + name +
                     " >/dev/null || exit 1\n"
                     "rm -f " + ShellQuote(SeedPath(vm)) + "\n";
      if (req.action == Action::kDelete) return step;
    }
    if (req.action == Action::kCreate || req.action == Action::kReplace) {
      Create(req, &step);
    } else {
      Update(req, &step);
    }
    return step;
  }

 private:
  void Create(const ApplyRequest& req, HostStep* step) const {
    const std::string& vm = req.address.name;
    std::string name = ShellQuote(vm);
    if (HasCloudInit(req.after)) AddSeed(vm, req.after, step);
    std::string xml = DomainXml(vm, WithDigests(req.after));
    std::string fix_type = req.after.contains("domain_type")
                               ? ""
                               : " && { [ -e /dev/kvm ] || sed -i '1s/<domain type=\"kvm\">/"
                                 "<domain type=\"qemu\">/' \"$x\"; }";
    step->script += "x=$(mktemp) && head -c " + std::to_string(xml.size()) + " >\"$x\"" +
                    fix_type + " && V define \"$x\" >/dev/null; s=$?; rm -f \"$x\"; "
                    "[ \"$s\" = 0 ] || exit 1\n";
    step->input += xml;
    if (req.after.contains("autostart")) {
      step->script += std::string("V autostart ") + (req.after.value("autostart", false) ? "" :
                      "--disable ") + name + " >/dev/null || exit 1\n";
    }
    if (req.after.value("state", "running") == "running") {
      step->script += "V start " + name + " >/dev/null || exit 1\n";
    }
  }

  void Update(const ApplyRequest& req, HostStep* step) const {
    const std::string& vm = req.address.name;
    std::string name = ShellQuote(vm);
    const Value& before = req.before;
    const Value& after = req.after;
    bool running = Running(before);
    long long max_mem = after.value("max_memory_mib", before.value("max_memory_mib", 0LL));
    long long max_cpu = after.value("max_vcpus", before.value("max_vcpus", 0LL));
    auto changed = [&](const char* k) { return Changes(before, after, k); };
    std::string& s = step->script;
    // Maximums first: a new value may need the room. Without a maximum in
    // the blueprint, it grows with the value.
    long long mib = after.value("memory_mib", before.value("memory_mib", 0LL));
    long long cpus = after.value("vcpus", before.value("vcpus", 0LL));
    long long want_mem = after.value("max_memory_mib", std::max(max_mem, mib));
    long long want_cpu = after.value("max_vcpus", std::max(max_cpu, cpus));
    if (want_mem != before.value("max_memory_mib", 0LL)) {
      s += "V setmaxmem " + name + " " + Mib(want_mem) + " --config >/dev/null || exit 1\n";
    }
    if (changed("memory_mib")) {
      bool hot = running && mib <= before.value("max_memory_mib", 0LL);
      s += "V setmem " + name + " " + Mib(mib) + " --config" + (hot ? " --live" : "") +
           " >/dev/null || exit 1\n";
    }
    if (want_cpu != before.value("max_vcpus", 0LL)) {
      s += "V setvcpus " + name + " " + std::to_string(want_cpu) +
           " --config --maximum >/dev/null || exit 1\n";
    }
    if (changed("vcpus")) {
      s += "V setvcpus " + name + " " + std::to_string(cpus) + " --config >/dev/null || exit 1\n";
    }
    // NICs and disks change live too, unless the change needs the VM
    // stopped (a disk's bus, a NIC's model): then in the definition only,
    // for the next boot or the restart below.
    Effects effects = EffectsOf(before, after);
    auto live = [&](const char* key) {
      return running && !Contains(effects.needs_stop, key) ? " --live" : "";
    };
    UpdateInterfaces(name, before, after, live("interfaces"), step);
    UpdateDisks(name, before, after, live("disks"), step);
    if (changed("user_data") || changed("meta_data") || changed("network_config")) {
      AddSeed(vm, after, step);
      if (!HasCloudInit(before)) {
        // The seed's cdrom is part of the definition once there is one.
        std::string cdrom = "<disk type=\"file\" device=\"cdrom\"><driver name=\"qemu\" "
                            "type=\"raw\"/><source file=\"" + SeedPath(vm) + "\"/><target "
                            "dev=\"sdz\" bus=\"sata\"/><readonly/></disk>";
        AddXmlCommand("attach-device " + name, " --config", cdrom, step);
      }
      s += "V metadata " + name + " --config --uri " + ShellQuote(kMetadataUri) +
           " --key mfgctl --set " + ShellQuote(CloudInitMetadataXml(WithDigests(after))) +
           " >/dev/null || exit 1\n";
    }
    if (changed("autostart")) {
      s += std::string("V autostart ") + (after.value("autostart", false) ? "" : "--disable ") +
           name + " >/dev/null || exit 1\n";
    }
    std::string want = after.value("state", "running");
    if (running && want == "stopped") {
      s += "stop_vm " + name + " || exit 1\n";
    } else if (!running && want == "running") {
      s += "V start " + name + " >/dev/null || exit 1\n";
    } else if (running && req.restart) {
      s += "stop_vm " + name + " || exit 1\nV start " + name + " >/dev/null || exit 1\n";
    }
  }

  // NICs by position: one only the blueprint has is attached, one only the
  // VM has is detached, one whose network or model changed is swapped for
  // one with the same MAC.
  static void UpdateInterfaces(const std::string& name, const Value& before, const Value& after,
                               const std::string& live, HostStep* step) {
    if (!after.contains("interfaces")) return;
    const Value& b = Member(before, "interfaces");
    const Value& a = after["interfaces"];
    for (size_t i = 0; i < std::max(Size(b), Size(a)); ++i) {
      const Value& bi = Element(b, i);
      Value ai = Element(a, i);
      if (Owns(bi, ai)) continue;
      std::string mac = Member(bi, "mac").is_string() ? bi["mac"].get<std::string>() : "";
      if (!bi.is_null()) {
        step->script += "V detach-interface " + name + " network --mac " + ShellQuote(mac) +
                        " --config" + live + " >/dev/null || exit 1\n";
      }
      if (ai.is_null()) continue;
      if (!ai.contains("mac") && !mac.empty()) ai["mac"] = mac;
      AddXmlCommand("attach-device " + name, " --config" + live, InterfaceXml(ai), step);
    }
  }

  // Disks by position, as NICs; a new disk gets the first free device name
  // of its bus.
  static void UpdateDisks(const std::string& name, const Value& before, const Value& after,
                          const std::string& live, HostStep* step) {
    if (!after.contains("disks")) return;
    const Value& b = Member(before, "disks");
    const Value& a = after["disks"];
    std::set<std::string> taken;
    for (size_t i = 0; i < Size(b); ++i) taken.insert(b[i].value("target", ""));
    for (size_t i = 0; i < std::max(Size(b), Size(a)); ++i) {
      const Value& bi = Element(b, i);
      const Value& ai = Element(a, i);
      if (Owns(bi, ai)) continue;
      std::string target = bi.is_null() ? "" : bi.value("target", "");
      if (!bi.is_null()) {
        step->script += "V detach-disk " + name + " " + ShellQuote(target) + " --config" + live +
                        " >/dev/null || exit 1\n";
      }
      if (ai.is_null()) continue;
      std::string bus = ai.value("bus", "virtio");
      std::string prefix = bus == "virtio" ? "vd" : bus == "ide" ? "hd" : "sd";
      if (target.empty() || target.rfind(prefix, 0) != 0) {
        for (char c = 'a'; c <= 'z'; ++c) {
          target = prefix + c;
          if (!taken.count(target)) break;
        }
      }
      taken.insert(target);
      AddXmlCommand("attach-device " + name, " --config" + live, DiskXml(ai, target), step);
    }
  }
};

}  // namespace

std::unique_ptr<LibvirtType> MakeVmType() { return std::make_unique<VmType>(); }

}  // namespace mfgctl
