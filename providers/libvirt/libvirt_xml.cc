#include "providers/libvirt/libvirt_xml.h"

#include <pugixml.hpp>

#include <cstdlib>
#include <map>
#include <sstream>

namespace mfgctl {
namespace {

constexpr char kSeedDir[] = "/var/lib/libvirt/cloud-init/";

bool Load(std::string_view xml, const char* root, pugi::xml_document* doc, pugi::xml_node* out,
          std::string* error) {
  pugi::xml_parse_result r = doc->load_buffer(xml.data(), xml.size());
  if (!r) {
    *error = std::string("libvirt returned XML that does not parse: ") + r.description();
    return false;
  }
  *out = doc->child(root);
  if (!*out) {
    *error = std::string("libvirt returned XML without <") + root + ">";
    return false;
  }
  return true;
}

// A size element (`<memory unit='KiB'>4194304</memory>`) in bytes.
unsigned long long Bytes(const pugi::xml_node& n) {
  unsigned long long v = std::strtoull(n.child_value(), nullptr, 10);
  std::string unit = n.attribute("unit").as_string("bytes");
  if (unit == "b" || unit == "bytes") return v;
  if (unit == "KB") return v * 1000;
  if (unit == "k" || unit == "KiB") return v << 10;
  if (unit == "MB") return v * 1000 * 1000;
  if (unit == "M" || unit == "MiB") return v << 20;
  if (unit == "GB") return v * 1000 * 1000 * 1000;
  if (unit == "G" || unit == "GiB") return v << 30;
  if (unit == "T" || unit == "TiB") return v << 40;
  return v << 10;  // libvirt's default for memory
}

std::string Text(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_indent | pugi::format_no_declaration);
  return out.str();
}

std::string Text(const pugi::xml_node& node) {
  std::ostringstream out;
  node.print(out, "  ", pugi::format_indent | pugi::format_no_declaration);
  return out.str();
}

std::string Str(const Value& v, const char* key, const std::string& fallback = "") {
  auto it = v.find(key);
  return it != v.end() && it->is_string() ? it->get<std::string>() : fallback;
}

long long Num(const Value& v, const char* key, long long fallback) {
  auto it = v.find(key);
  return it != v.end() && it->is_number() ? it->get<long long>() : fallback;
}

void Add(pugi::xml_node parent, const char* name, const std::string& text) {
  parent.append_child(name).text().set(text.c_str());
}

void Attr(pugi::xml_node n, const char* name, const std::string& value) {
  n.append_attribute(name).set_value(value.c_str());
}

void AppendDisk(pugi::xml_node devices, const Value& disk, const std::string& target) {
  pugi::xml_node d = devices.append_child("disk");
  bool volume = disk.contains("volume");
  Attr(d, "type", volume ? "volume" : "file");
  Attr(d, "device", "disk");
  pugi::xml_node driver = d.append_child("driver");
  Attr(driver, "name", "qemu");
  Attr(driver, "type", Str(disk, "format", "qcow2"));
  pugi::xml_node source = d.append_child("source");
  if (volume) {
    Attr(source, "pool", Str(disk, "pool"));
    Attr(source, "volume", Str(disk, "volume"));
  } else {
    Attr(source, "file", Str(disk, "file"));
  }
  pugi::xml_node t = d.append_child("target");
  Attr(t, "dev", target);
  Attr(t, "bus", Str(disk, "bus", "virtio"));
}

void AppendInterface(pugi::xml_node devices, const Value& iface) {
  pugi::xml_node i = devices.append_child("interface");
  Attr(i, "type", "network");
  std::string mac = Str(iface, "mac");
  if (!mac.empty()) Attr(i.append_child("mac"), "address", mac);
  Attr(i.append_child("source"), "network", Str(iface, "network"));
  Attr(i.append_child("model"), "type", Str(iface, "model", "virtio"));
}

// The device name of the next disk on a bus: vda, vdb, ... on virtio,
// hda, ... on ide; sata and scsi share sda, sdb, ... (`used` counts by
// prefix, so a sata seed after a scsi disk is sdb, not a second sda).
std::string NextDiskTarget(const std::string& bus, std::map<std::string, size_t>* used) {
  std::string prefix = bus == "virtio" ? "vd" : bus == "ide" ? "hd" : "sd";
  return prefix + static_cast<char>('a' + (*used)[prefix]++ % 26);
}

bool HasCloudInit(const Value& attrs) {
  return attrs.contains("user_data") || attrs.contains("meta_data") ||
         attrs.contains("network_config");
}

void AppendMetadata(pugi::xml_node parent, const Value& attrs) {
  pugi::xml_node vm = parent.append_child("mfgctl:vm");
  Attr(vm, "xmlns:mfgctl", kMetadataUri);
  pugi::xml_node ci = vm.append_child("mfgctl:cloud-init");
  for (const char* key : {"user_data", "network_config"}) {
    std::string v = Str(attrs, key);
    if (!v.empty()) Attr(ci, key, v);
  }
  if (attrs.contains("meta_data")) {
    Add(ci, "mfgctl:meta-data", ShowJson(attrs["meta_data"]));
  }
}

// mfgctl's element in a domain's <metadata>, by its namespace.
pugi::xml_node OurMetadata(const pugi::xml_node& domain) {
  for (pugi::xml_node n : domain.child("metadata").children()) {
    for (pugi::xml_attribute a : n.attributes()) {
      if (std::string_view(a.name()).rfind("xmlns", 0) == 0 &&
          std::string_view(a.value()) == kMetadataUri) {
        return n;
      }
    }
  }
  return {};
}

// A child element whatever its namespace prefix (`mfgctl:cloud-init`).
pugi::xml_node ChildNamed(const pugi::xml_node& parent, std::string_view local) {
  for (pugi::xml_node n : parent.children()) {
    std::string_view name = n.name();
    size_t colon = name.find(':');
    if ((colon == std::string_view::npos ? name : name.substr(colon + 1)) == local) return n;
  }
  return {};
}

}  // namespace

std::string SeedPath(const std::string& vm) { return kSeedDir + vm + "-seed.iso"; }

bool ParseDomainXml(std::string_view xml, Value* out, std::string* error) {
  pugi::xml_document doc;
  pugi::xml_node d;
  if (!Load(xml, "domain", &doc, &d, error)) return false;
  Value v = Value::object();
  v["name"] = d.child_value("name");
  v["uuid"] = d.child_value("uuid");
  v["domain_type"] = d.attribute("type").as_string();
  pugi::xml_node vcpu = d.child("vcpu");
  long long max_vcpus = std::atoll(vcpu.child_value());
  v["vcpus"] = vcpu.attribute("current") ? vcpu.attribute("current").as_llong() : max_vcpus;
  v["max_vcpus"] = max_vcpus;
  unsigned long long max_memory = Bytes(d.child("memory"));
  pugi::xml_node current = d.child("currentMemory");
  v["memory_mib"] = (current ? Bytes(current) : max_memory) >> 20;
  v["max_memory_mib"] = max_memory >> 20;
  Value disks = Value::array();
  Value interfaces = Value::array();
  for (pugi::xml_node dev : d.child("devices").children()) {
    std::string kind = dev.name();
    if (kind == "disk") {
      pugi::xml_node source = dev.child("source");
      std::string device = dev.attribute("device").as_string("disk");
      if (device == "cdrom") {
        std::string file = source.attribute("file").as_string();
        if (!file.empty() && file.rfind(kSeedDir, 0) == 0) v["seed"] = file;
        continue;
      }
      if (device != "disk") continue;
      Value disk = Value::object();
      if (source.attribute("volume")) {
        disk["volume"] = source.attribute("volume").as_string();
        disk["pool"] = source.attribute("pool").as_string();
      } else if (source.attribute("file")) {
        disk["file"] = source.attribute("file").as_string();
      } else if (source.attribute("dev")) {
        disk["file"] = source.attribute("dev").as_string();
      }
      std::string format = dev.child("driver").attribute("type").as_string();
      if (!format.empty()) disk["format"] = format;
      disk["bus"] = dev.child("target").attribute("bus").as_string();
      disk["target"] = dev.child("target").attribute("dev").as_string();
      disks.push_back(std::move(disk));
    } else if (kind == "interface") {
      Value iface = Value::object();
      pugi::xml_node source = dev.child("source");
      if (source.attribute("network")) iface["network"] = source.attribute("network").as_string();
      else if (source.attribute("bridge")) iface["bridge"] = source.attribute("bridge").as_string();
      iface["mac"] = dev.child("mac").attribute("address").as_string();
      std::string model = dev.child("model").attribute("type").as_string();
      if (!model.empty()) iface["model"] = model;
      interfaces.push_back(std::move(iface));
    }
  }
  v["disks"] = std::move(disks);
  v["interfaces"] = std::move(interfaces);
  if (pugi::xml_node ours = OurMetadata(d)) {
    pugi::xml_node ci = ChildNamed(ours, "cloud-init");
    for (const char* key : {"user_data", "network_config"}) {
      if (ci.attribute(key)) v[key] = ci.attribute(key).as_string();
    }
    if (pugi::xml_node meta = ChildNamed(ci, "meta-data")) {
      Value parsed = Value::parse(meta.child_value(), nullptr, false);
      if (!parsed.is_discarded()) v["meta_data"] = std::move(parsed);
    }
  }
  *out = std::move(v);
  return true;
}

bool ParseNetworkXml(std::string_view xml, Value* out, std::string* error) {
  pugi::xml_document doc;
  pugi::xml_node n;
  if (!Load(xml, "network", &doc, &n, error)) return false;
  Value v = Value::object();
  v["name"] = n.child_value("name");
  v["uuid"] = n.child_value("uuid");
  pugi::xml_node forward = n.child("forward");
  v["mode"] = forward ? forward.attribute("mode").as_string("nat") : "isolated";
  std::string bridge = n.child("bridge").attribute("name").as_string();
  if (!bridge.empty()) v["bridge"] = bridge;
  // The first IPv4 address, as ADDR/PREFIX (a netmask counts its bits).
  for (pugi::xml_node ip : n.children("ip")) {
    std::string family = ip.attribute("family").as_string("ipv4");
    if (family != "ipv4") continue;
    int prefix = ip.attribute("prefix").as_int(-1);
    if (prefix < 0 && ip.attribute("netmask")) {
      prefix = 0;
      std::istringstream mask(ip.attribute("netmask").as_string());
      std::string octet;
      while (std::getline(mask, octet, '.')) prefix += __builtin_popcount(std::atoi(octet.c_str()));
    }
    v["ip"] = std::string(ip.attribute("address").as_string()) + "/" +
              std::to_string(prefix < 0 ? 24 : prefix);
    pugi::xml_node range = ip.child("dhcp").child("range");
    if (range) {
      v["dhcp"] = {{"start", range.attribute("start").as_string()},
                   {"end", range.attribute("end").as_string()}};
    }
    break;
  }
  *out = std::move(v);
  return true;
}

bool ParsePoolXml(std::string_view xml, Value* out, std::string* error) {
  pugi::xml_document doc;
  pugi::xml_node p;
  if (!Load(xml, "pool", &doc, &p, error)) return false;
  Value v = Value::object();
  v["name"] = p.child_value("name");
  v["uuid"] = p.child_value("uuid");
  v["type"] = p.attribute("type").as_string();
  v["path"] = p.child("target").child_value("path");
  *out = std::move(v);
  return true;
}

bool ParseVolumeXml(std::string_view xml, Value* out, std::string* error) {
  pugi::xml_document doc;
  pugi::xml_node vol;
  if (!Load(xml, "volume", &doc, &vol, error)) return false;
  Value v = Value::object();
  v["name"] = vol.child_value("name");
  v["path"] = vol.child("target").child_value("path");
  v["capacity_bytes"] = Bytes(vol.child("capacity"));
  v["format"] = vol.child("target").child("format").attribute("type").as_string();
  std::string backing = vol.child("backingStore").child_value("path");
  if (!backing.empty()) v["backing"] = backing;
  *out = std::move(v);
  return true;
}

std::string DomainXml(const std::string& name, const Value& attrs) {
  pugi::xml_document doc;
  pugi::xml_node d = doc.append_child("domain");
  Attr(d, "type", Str(attrs, "domain_type", "kvm"));
  Add(d, "name", name);
  std::string uuid = Str(attrs, "uuid");
  if (!uuid.empty()) Add(d, "uuid", uuid);
  if (HasCloudInit(attrs)) AppendMetadata(d.append_child("metadata"), attrs);
  long long memory = Num(attrs, "memory_mib", 512);
  long long vcpus = Num(attrs, "vcpus", 1);
  pugi::xml_node mem = d.append_child("memory");
  Attr(mem, "unit", "MiB");
  mem.text().set(std::to_string(Num(attrs, "max_memory_mib", memory)).c_str());
  pugi::xml_node cur = d.append_child("currentMemory");
  Attr(cur, "unit", "MiB");
  cur.text().set(std::to_string(memory).c_str());
  pugi::xml_node vcpu = d.append_child("vcpu");
  Attr(vcpu, "placement", "static");
  Attr(vcpu, "current", std::to_string(vcpus));
  vcpu.text().set(std::to_string(Num(attrs, "max_vcpus", vcpus)).c_str());
  pugi::xml_node os = d.append_child("os");
  pugi::xml_node type = os.append_child("type");
  Attr(type, "arch", "x86_64");
  type.text().set("hvm");
  Attr(os.append_child("boot"), "dev", "hd");
  pugi::xml_node features = d.append_child("features");
  features.append_child("acpi");
  features.append_child("apic");
  Add(d, "on_poweroff", "destroy");
  Add(d, "on_reboot", "restart");
  Add(d, "on_crash", "destroy");
  pugi::xml_node devices = d.append_child("devices");
  std::map<std::string, size_t> targets;
  if (auto disks = attrs.find("disks"); disks != attrs.end() && disks->is_array()) {
    for (const auto& disk : *disks) {
      std::string bus = Str(disk, "bus", "virtio");
      AppendDisk(devices, disk, NextDiskTarget(bus, &targets));
    }
  }
  if (HasCloudInit(attrs)) {
    pugi::xml_node c = devices.append_child("disk");
    Attr(c, "type", "file");
    Attr(c, "device", "cdrom");
    pugi::xml_node driver = c.append_child("driver");
    Attr(driver, "name", "qemu");
    Attr(driver, "type", "raw");
    Attr(c.append_child("source"), "file", SeedPath(name));
    pugi::xml_node t = c.append_child("target");
    Attr(t, "dev", NextDiskTarget("sata", &targets));
    Attr(t, "bus", "sata");
    c.append_child("readonly");
  }
  if (auto ifaces = attrs.find("interfaces"); ifaces != attrs.end() && ifaces->is_array()) {
    for (const auto& iface : *ifaces) AppendInterface(devices, iface);
  }
  Attr(devices.append_child("serial"), "type", "pty");
  Attr(devices.append_child("console"), "type", "pty");
  return Text(doc);
}

std::string DiskXml(const Value& disk, const std::string& target) {
  pugi::xml_document doc;
  AppendDisk(doc, disk, target);
  return Text(doc.first_child());
}

std::string InterfaceXml(const Value& iface) {
  pugi::xml_document doc;
  AppendInterface(doc, iface);
  return Text(doc.first_child());
}

std::string CloudInitMetadataXml(const Value& attrs) {
  pugi::xml_document doc;
  AppendMetadata(doc, attrs);
  pugi::xml_node vm = doc.first_child();
  // `virsh metadata --set` takes the element's content under its own key.
  return Text(vm.first_child());
}

std::string NetworkXml(const std::string& name, const Value& attrs, const std::string& uuid) {
  pugi::xml_document doc;
  pugi::xml_node n = doc.append_child("network");
  Add(n, "name", name);
  if (!uuid.empty()) Add(n, "uuid", uuid);
  std::string mode = Str(attrs, "mode", "isolated");
  if (mode != "isolated") Attr(n.append_child("forward"), "mode", mode);
  std::string bridge = Str(attrs, "bridge");
  if (!bridge.empty()) {
    pugi::xml_node b = n.append_child("bridge");
    Attr(b, "name", bridge);
    if (mode != "bridge") {
      Attr(b, "stp", "on");
      Attr(b, "delay", "0");
    }
  }
  std::string ip = Str(attrs, "ip");
  if (!ip.empty() && mode != "bridge") {
    size_t slash = ip.find('/');
    pugi::xml_node i = n.append_child("ip");
    Attr(i, "address", ip.substr(0, slash));
    Attr(i, "prefix", slash == std::string::npos ? "24" : ip.substr(slash + 1));
    if (auto dhcp = attrs.find("dhcp"); dhcp != attrs.end() && dhcp->is_object()) {
      pugi::xml_node range = i.append_child("dhcp").append_child("range");
      Attr(range, "start", Str(*dhcp, "start"));
      Attr(range, "end", Str(*dhcp, "end"));
    }
  }
  return Text(doc);
}

}  // namespace mfgctl
