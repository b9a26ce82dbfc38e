// The `hypervisors:` section: KVM/libvirt hosts. A hypervisor is a host
// like a gateway (same connection settings, every gateway section) with
// libvirt's sections beside: networks, pools, volumes and vms, expanded to
// libvirt.* resources addressed `hv1:network[lab]`, `hv1:pool[images]`,
// `hv1:volume[images/historian-disk]` and `hv1:vm[historian]`.
#include <regex>
#include <unordered_map>

#include "blueprints/expander.h"
#include "engine/model/suggest.h"
#include "engine/model/unknown.h"

namespace mfgctl {
namespace {

struct LibvirtSection {
  const char* key;
  const char* type;
};
// In the order a hypervisor is built.
constexpr LibvirtSection kLibvirtSections[] = {
    {"networks", "libvirt.network"},
    {"pools", "libvirt.pool"},
    {"volumes", "libvirt.volume"},
    {"vms", "libvirt.vm"},
};

SourceNode Scalar(const SourceNode& at, std::string text) {
  SourceNode n = at;
  n.kind = SourceNode::Kind::kScalar;
  n.items.clear();
  n.entries.clear();
  n.scalar = std::move(text);
  return n;
}

}  // namespace

bool Expander::ExpandHypervisors(const SourceNode& node) {
  if (node.IsNull()) return true;
  if (!ExpectMap(node, "\"hypervisors\"")) return false;
  std::vector<std::string> keys;
  for (const auto& sec : kLibvirtSections) keys.push_back(sec.key);
  for (const auto& [name, body] : node.entries) {
    if (!ExpandHost(name, body, "hypervisor", keys)) return false;
    if (!ExpandLibvirt(name.scalar, body)) return false;
  }
  return true;
}

bool Expander::ExpandLibvirt(const std::string& host, const SourceNode& body) {
  for (const auto& sec : kLibvirtSections) {
    const SourceNode* section = body.Get(sec.key);
    if (!section || section->IsNull()) continue;
    if (!section->IsMap()) {
      diags_->Error("\"" + std::string(sec.key) + "\" of hypervisor \"" + host +
                        "\" must be a map of names, got " + std::string(section->Describe()),
                    section->pos());
      return false;
    }
    for (const auto& [written, attrs] : section->entries) {
      const SourceNode* evaluated = NameOf(written);
      if (!evaluated) return false;
      const SourceNode& name = *evaluated;
      SectionEntry entry{&name, &attrs};
      std::string kind = std::string(sec.key) == "vms" ? "vm" : "";
      if (std::string(sec.key) == "volumes") {
        // Addressed by pool and name: volumes of two pools may share a name.
        const SourceNode* pool = attrs.IsMap() ? attrs.Get("pool") : nullptr;
        if (!pool || !pool->IsScalar() || pool->scalar.empty()) {
          diags_->Error("volume \"" + name.scalar + "\" of hypervisor \"" + host +
                            "\" needs \"pool:\", the pool it lives in",
                        pool ? pool->pos() : name.pos());
          return false;
        }
        entry.name = &synthesized_.emplace_back(Scalar(name, pool->scalar + "/" + name.scalar));
      }
      if (std::string(sec.key) == "vms" && attrs.IsMap() && !NormalizeVm(attrs, &entry.attributes)) {
        return false;
      }
      if (!AddHostResource(host, sec.type, nullptr, entry)) return false;
    }
  }
  return true;
}

bool Expander::NormalizeVm(const SourceNode& body, const SourceNode** out) {
  SourceNode& vm = synthesized_.emplace_back(body);
  std::vector<SourceEntry> entries;
  for (auto& entry : vm.entries) {
    if (entry.key.scalar == "disks" && entry.value.IsSequence()) {
      for (auto& disk : entry.value.items) {
        if (!disk.IsScalar()) continue;
        SourceNode map = disk;
        map.kind = SourceNode::Kind::kMap;
        map.scalar.clear();
        map.entries.push_back({Scalar(disk, "volume"), disk});
        disk = std::move(map);
      }
    }
    if (entry.key.scalar != "cloud_init") {
      entries.push_back(std::move(entry));
      continue;
    }
    const SourceNode& ci = entry.value;
    if (ci.IsNull()) continue;
    if (!ExpectMap(ci, "\"cloud_init\"") ||
        !CheckKeys(ci, {"user_data", "meta_data", "network_config"}, "\"cloud_init\"")) {
      return false;
    }
    for (const auto& [key, value] : ci.entries) {
      if (key.scalar == "meta_data") {
        entries.push_back({key, value});
        continue;
      }
      // `user_data: TEXT` or `user_data: { content | template | source: ... }`.
      if (value.IsScalar()) {
        entries.push_back({key, value});
        continue;
      }
      std::string what = "\"cloud_init." + key.scalar + "\"";
      if (!ExpectMap(value, what) || !CheckKeys(value, {"content", "template", "source"}, what)) {
        return false;
      }
      if (value.entries.size() != 1) {
        diags_->Error(what + " needs one of \"content:\", \"template:\" or \"source:\"",
                      value.pos());
        return false;
      }
      const SourceEntry& form = value.entries[0];
      std::string attribute = key.scalar;
      if (form.key.scalar != "content") attribute += "_" + form.key.scalar;
      entries.push_back({Scalar(form.key, attribute), form.value});
    }
  }
  vm.entries = std::move(entries);
  *out = &vm;
  return true;
}

// Settings libvirt would take but never read back as written, so the plan
// would never converge.
bool Expander::CheckNetwork(const PendingResource& p) {
  const Resource& r = p.resource;
  const Value& a = r.attributes;
  auto at = [&](const char* key) {
    const SourceNode* node = p.Written(key);
    return node ? node->pos() : r.pos;
  };
  std::string what = "network \"" + r.address.name + "\" of hypervisor \"" +
                     r.address.target + "\"";
  const Value* ip = a.contains("ip") && a["ip"].is_string() && !IsUnknownMarker(a["ip"])
                        ? &a["ip"]
                        : nullptr;
  if (ip && a.value("mode", "") == "bridge") {
    diags_->Error(what + " is the host's own bridge: libvirt gives it no \"ip:\"", at("ip"),
                  "give the address to the host's bridge itself (a gateway's files or the "
                  "host's network configuration)");
    return false;
  }
  if (ip) {
    static const std::regex kCidr(
        R"(((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3})"
        R"((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])/([0-9]|[12][0-9]|3[0-2]))");
    if (!std::regex_match(ip->get<std::string>(), kCidr)) {
      diags_->Error(what + ": \"ip:\" must be an IPv4 ADDRESS/PREFIX like 192.168.150.1/24, "
                           "got \"" + ip->get<std::string>() + "\"",
                    at("ip"));
      return false;
    }
  }
  if (a.contains("dhcp") && !a.contains("ip")) {
    diags_->Error(what + ": \"dhcp:\" needs \"ip:\", the host's address on the network the "
                         "range is in",
                  at("dhcp"));
    return false;
  }
  return true;
}

bool Expander::WireHypervisors() {
  // By host: the volumes declared (by name, and by pool/name), packages.
  std::unordered_map<std::string, std::unordered_map<std::string, std::vector<size_t>>> volumes;
  std::unordered_map<std::string, std::vector<std::string>> packages;
  for (size_t i = 0; i < pending_.size(); ++i) {
    const ResourceAddress& a = pending_[i].resource.address;
    if (a.kind == "volume") {
      size_t slash = a.name.find('/');
      volumes[a.target][a.name.substr(slash + 1)].push_back(i);
    }
    if (a.kind == "package") packages[a.target].push_back(a.ToString());
  }
  auto declared = [&](const std::string& host, const std::string& kind,
                      const std::string& name) -> std::string {
    std::string addr = ResourceAddress{host, kind, name}.ToString();
    return by_address_.count(addr) ? addr : "";
  };
  for (auto& p : pending_) {
    Resource& r = p.resource;
    if (r.type.rfind("libvirt.", 0) != 0) continue;
    const std::string& host = r.address.target;
    Value& a = r.attributes;
    bool absent = a.value(kStateAttribute, "") == kAbsent;
    size_t before = r.depends_on.size();
    if ((r.address.kind == "network" || r.address.kind == "pool") && !absent) {
      if (!a.contains("active")) a["active"] = true;
      if (!a.contains("autostart")) a["autostart"] = true;
    }
    if (r.address.kind == "network" && !absent && !CheckNetwork(p)) return false;
    // Unset, a VM is kept running: stopped by hand is drift, as in
    // virt-manager's "start on boot" plus Terraform's `running = true`.
    if (r.address.kind == "vm" && !absent && !a.contains("state")) a["state"] = "running";
    if (r.address.kind == "volume") {
      std::string pool = a.value("pool", "");
      if (std::string d = declared(host, "pool", pool); !d.empty()) DependOn(&r, d);
      std::string backing = a.value("backing", "");
      if (std::string d = declared(host, "volume", pool + "/" + backing); !d.empty()) {
        DependOn(&r, d);
        if (!a.contains("backing_format")) {
          a["backing_format"] = pending_[by_address_.at(d)].resource.attributes.value(
              "format", "qcow2");
        }
      }
    }
    if (r.address.kind == "vm") {
      if (auto disks = a.find("disks"); disks != a.end()) {
        const SourceNode* written = p.Written("disks");
        for (size_t k = 0; k < disks->size(); ++k) {
          Value& disk = (*disks)[k];
          std::string volume = disk.value("volume", "");
          SourcePos at = written && k < written->items.size() ? written->items[k].pos() : r.pos;
          auto& of_host = volumes[host];
          auto named = of_host.find(volume);
          std::vector<size_t> match;
          for (size_t i : named == of_host.end() ? std::vector<size_t>{} : named->second) {
            if (!disk.contains("pool") ||
                pending_[i].resource.attributes.value("pool", "") == disk["pool"]) {
              match.push_back(i);
            }
          }
          if (match.empty() && disk.contains("pool")) continue;  // not the blueprint's volume
          if (match.size() != 1) {
            std::vector<std::string> names;
            for (const auto& [n, of] : of_host) names.push_back(n);
            diags_->Error(
                match.empty()
                    ? "disk \"" + volume + "\" of " + r.address.ToString() +
                          " names no volume of hypervisor \"" + host + "\"" +
                          DidYouMean(volume, names)
                    : "disk \"" + volume + "\" of " + r.address.ToString() +
                          " is a volume of several pools; say which with \"pool:\"",
                at, match.empty() ? "a volume of a pool outside the blueprint needs \"pool:\""
                                  : "");
            return false;
          }
          const Resource& v = pending_[match[0]].resource;
          disk["pool"] = v.attributes.value("pool", "");
          if (!disk.contains("format") && v.attributes.contains("format")) {
            disk["format"] = v.attributes["format"];
          }
          DependOn(&r, v.address.ToString());
        }
      }
      if (auto ifaces = a.find("interfaces"); ifaces != a.end()) {
        for (const auto& i : *ifaces) {
          std::string d = declared(host, "network", i.value("network", ""));
          if (!d.empty()) DependOn(&r, d);
        }
      }
    }
    // What depends on nothing else of libvirt's waits for the host's
    // packages (libvirt itself); the rest follows it.
    if (r.depends_on.size() == before) {
      auto it = packages.find(host);
      if (it != packages.end()) {
        r.depends_on.insert(r.depends_on.end(), it->second.begin(), it->second.end());
      }
    }
  }
  return true;
}

}  // namespace mfgctl
