#include "providers/libvirt/inventory.h"

#include <charconv>

#include "providers/libvirt/libvirt_xml.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

const LibvirtObject* Named(const std::vector<LibvirtObject>& objects, const std::string& name) {
  for (const auto& o : objects) {
    if (o.def.value("name", "") == name) return &o;
  }
  return nullptr;
}

// `Key:   value` lines (dominfo, net-info, pool-info).
std::map<std::string, std::string> InfoLines(std::string_view text) {
  std::map<std::string, std::string> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    size_t start = value.find_first_not_of(" \t");
    value = start == std::string_view::npos ? std::string_view() : value.substr(start);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\r')) value.remove_suffix(1);
    out[std::string(line.substr(0, colon))] = std::string(value);
  }
  return out;
}

}  // namespace

const LibvirtObject* LibvirtInventory::Domain(const std::string& name) const {
  return Named(domains, name);
}
const LibvirtObject* LibvirtInventory::Network(const std::string& name) const {
  return Named(networks, name);
}
const LibvirtObject* LibvirtInventory::Pool(const std::string& name) const {
  return Named(pools, name);
}

std::string VirshPrelude(const std::string& uri, int shutdown_timeout) {
  return "LC_ALL=C; export LC_ALL\n"
         "V() { virsh -q -c " + ShellQuote(uri) + " \"$@\"; }\n"
         "stop_vm() {\n"
         "  case \"$(V domstate \"$1\" 2>/dev/null)\" in 'shut off'|'') return 0;; esac\n"
         "  V shutdown \"$1\" >/dev/null 2>&1\n"
         "  i=0\n"
         "  while [ \"$i\" -lt " + std::to_string(shutdown_timeout) + " ]; do\n"
         "    [ \"$(V domstate \"$1\" 2>/dev/null)\" = 'shut off' ] && return 0\n"
         "    sleep 1; i=$((i + 1))\n"
         "  done\n"
         "  V destroy \"$1\" >/dev/null\n"
         "}\n";
}

std::string BuildInventoryScript(const std::string& uri, const std::vector<VolumeQuery>& volumes,
                                 const std::string& nonce) {
  // virsh takes its commands as one argument, `;` between them (its shell
  // mode on stdin echoes a prompt and every command into the output). Its
  // `echo` ends no line, so markers delimit themselves: @@mfgctl-NONCE:
  // KIND:ID:@@. Session one lists every object by UUID (names may hold
  // anything); session two dumps each, then the volumes asked for — in
  // arguments of at most 60 KB (Linux takes 128 KiB), so a hypervisor with
  // thousands of objects costs a few virsh runs, not one per object.
  std::string m = "@@mfgctl-" + nonce + ":";
  std::string v = "virsh -q -c " + ShellQuote(uri);
  std::string script =
      "LC_ALL=C; export LC_ALL\n"
      "command -v virsh >/dev/null 2>&1 || { echo 'libvirt is not installed on this host (no "
      "virsh)' >&2; exit " + std::to_string(kNoLibvirtExit) + "; }\n"
      "l=$(" + v + " 'list --all --uuid ; echo @@n: ; net-list --all --uuid ; echo @@p: ; "
      "pool-list --all --uuid') || exit 1\n"
      "{ printf '%s\\n' \"$l\" | sed 's/@@\\([np]\\):/\\n@@\\1:\\n/g' | awk -v m='" + m + "' '\n"
      "$1 == \"@@n:\" || $1 == \"@@p:\" { s = $1; next }\n"
      "NF == 0 { next }\n"
      "s == \"\" { print \"echo \" m \"dom:\" $1 \":@@ ; dumpxml --inactive \" $1 \" ; echo \" m \"dominfo:\" $1 \":@@ ; dominfo \" $1 }\n"
      "s == \"@@n:\" { print \"echo \" m \"net:\" $1 \":@@ ; net-dumpxml --inactive \" $1 \" ; echo \" m \"netinfo:\" $1 \":@@ ; net-info \" $1 }\n"
      "s == \"@@p:\" { print \"echo \" m \"pool:\" $1 \":@@ ; pool-dumpxml --inactive \" $1 \" ; echo \" m \"poolinfo:\" $1 \":@@ ; pool-info \" $1 }'\n";
  std::string hashes;
  if (!volumes.empty()) {
    std::string eof = "MFGCTL_" + nonce;
    script += "cat <<'" + eof + "'\n";
    for (size_t i = 0; i < volumes.size(); ++i) {
      // virsh splits a command's words as sh does: the same quoting holds.
      std::string args = "--pool " + ShellQuote(volumes[i].pool) + " " +
                         ShellQuote(volumes[i].name);
      script += "echo " + m + "vol:" + std::to_string(i) + ":@@ ; vol-dumpxml " + args + "\n";
      if (volumes[i].hash) {
        hashes += "echo '" + m + "sum:" + std::to_string(i) + ":@@'\n"
                  "p=$(" + v + " 'vol-path " + args + "' 2>/dev/null) && sha256sum -- \"$p\" | "
                  "cut -c1-64\n";
      }
    }
    script += eof + "\n";
  }
  script += "} | awk '{ if (n && n + length($0) > 60000) { print s; n = 0 }\n"
            "  s = n ? s \" ; \" $0 : $0; n += length($0) + 3 } END { if (n) print s }' |\n"
            "while IFS= read -r c; do " + v + " \"$c\" 2>/dev/null; done\n" + hashes +
            "echo '" + m + "end::@@'\n";
  return script;
}

LibvirtInventory ParseInventory(std::string_view out, const std::string& nonce) {
  LibvirtInventory inv;
  std::string marker = "@@mfgctl-" + nonce + ":";
  std::string kind, id;
  std::string text;
  auto flush = [&] {
    if (kind.empty()) return;
    std::string error;
    Value def;
    if (kind == "dom" || kind == "net" || kind == "pool" || kind == "vol") {
      bool ok = kind == "dom"    ? ParseDomainXml(text, &def, &error)
                : kind == "net"  ? ParseNetworkXml(text, &def, &error)
                : kind == "pool" ? ParsePoolXml(text, &def, &error)
                                 : ParseVolumeXml(text, &def, &error);
      bool empty = text.find_first_not_of(" \n") == std::string::npos;
      if (kind == "vol") {
        // A volume that does not exist printed nothing.
        size_t i = 0;
        auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), i);
        if (ok && ec == std::errc()) inv.volumes[i] = std::move(def);
      } else if (ok) {
        auto& list = kind == "dom" ? inv.domains : kind == "net" ? inv.networks : inv.pools;
        list.push_back({std::move(def), {}});
      } else if (!empty) {
        inv.errors.push_back(error);
      }
    } else if (kind == "dominfo" || kind == "netinfo" || kind == "poolinfo") {
      auto& list = kind == "dominfo" ? inv.domains : kind == "netinfo" ? inv.networks : inv.pools;
      if (!list.empty() && list.back().def.value("uuid", "") == id) {
        list.back().info = InfoLines(text);
      }
    } else if (kind == "sum") {
      size_t i = 0;
      auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), i);
      std::string hex = text.substr(0, text.find('\n'));
      if (ec == std::errc() && hex.size() == 64) inv.volume_digests[i] = "sha256:" + hex;
    }
    text.clear();
  };
  // Markers may sit anywhere: virsh's echo ends no line.
  bool ended = false;
  size_t at = 0;
  while (at <= out.size()) {
    size_t next = out.find(marker, at);
    text.append(out.substr(at, next == std::string_view::npos ? std::string_view::npos
                                                             : next - at));
    if (next == std::string_view::npos) break;
    size_t close = out.find(":@@", next + marker.size());
    if (close == std::string_view::npos) break;
    flush();
    std::string_view body = out.substr(next + marker.size(), close - next - marker.size());
    size_t colon = body.find(':');
    kind = std::string(body.substr(0, colon));
    id = colon == std::string_view::npos ? "" : std::string(body.substr(colon + 1));
    if (kind == "end") ended = true;
    at = close + 3;
  }
  flush();
  if (!ended) inv.errors.push_back("the read of the hypervisor stopped before its end");
  return inv;
}

}  // namespace mfgctl
