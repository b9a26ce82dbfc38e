#include "providers/ssh/host_resource.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {

const Value& ItemAttributes(const ReadItem& item) {
  return item.desired.is_null() ? item.prior : item.desired;
}

std::string StringAttr(const Value& attrs, const char* name, const std::string& fallback) {
  auto it = attrs.find(name);
  if (it == attrs.end() || it->is_null()) return fallback;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

ReadResult PathResult(const FactMap& facts, std::initializer_list<const char*> keys) {
  ReadResult r;
  if (auto e = facts.find("error"); e != facts.end()) {
    r.diagnostics.Error(e->second);
    return r;
  }
  auto exists = facts.find("exists");
  r.exists = exists != facts.end() && exists->second == "1";
  if (!r.exists) return r;
  for (const char* k : keys) {
    auto it = facts.find(k);
    if (it == facts.end()) continue;
    r.attributes[k] = std::string(k) == "mode" ? NormalizeMode(it->second) : it->second;
  }
  return r;
}

std::string StatProbe() {
  // No pipeline: every process spawned counts when many hosts share cores.
  return "set -- $(stat -c '%a %U %G' \"$p\"); echo \"mode=$1\"; echo \"owner=$2\"; "
         "echo \"group=$3\"\n";
}

std::string OwnershipCommands(const Value& attrs) {
  std::string out;
  std::string mode = StringAttr(attrs, "mode");
  if (!mode.empty()) out += " && chmod " + ShellQuote(mode) + " \"$t\"";
  std::string owner = StringAttr(attrs, "owner");
  std::string group = StringAttr(attrs, "group");
  if (!owner.empty()) out += " && chown " + ShellQuote(owner) + " \"$t\"";
  if (!group.empty()) out += " && chgrp " + ShellQuote(group) + " \"$t\"";
  return out;
}

}  // namespace mfgctl
