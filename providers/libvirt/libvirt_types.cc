#include "providers/libvirt/libvirt_type.h"

namespace mfgctl {

long long NumberAttr(const Value& attrs, const char* name) {
  auto it = attrs.find(name);
  return it != attrs.end() && it->is_number() ? it->get<long long>() : 0;
}

bool Changes(const Value& before, const Value& after, const char* key) {
  if (!after.is_object() || !after.contains(key)) return false;
  return !before.is_object() || !before.contains(key) || !SameValue(before[key], after[key]);
}

std::string ActivationCommands(const char* prefix, const std::string& quoted, const Value& before,
                               const Value& after) {
  std::string p(prefix);
  std::string out;
  auto want = [&](const char* key) { return after.value(key, true); };
  auto had = [&](const char* key) {
    return before.is_object() && before.value(key, false);
  };
  if (want("active") && !had("active")) out += "V " + p + "start " + quoted + " >/dev/null || exit 1\n";
  if (!want("active") && had("active")) out += "V " + p + "destroy " + quoted + " >/dev/null || exit 1\n";
  if (!before.is_object() || Changes(before, after, "autostart")) {
    out += "V " + p + "autostart " + std::string(want("autostart") ? "" : "--disable ") + quoted +
           " >/dev/null || exit 1\n";
  }
  return out;
}

bool ToBeDeleted(const ReadItem& item) {
  return item.desired.is_null() || item.desired.value(kStateAttribute, "") == kAbsent;
}

std::string UsersOutsideBlueprint(const LibvirtInventory& live,
                                  const std::function<bool(const Value& domain)>& uses) {
  std::string names;
  for (const auto& d : live.domains) {
    std::string name = d.def.value("name", "");
    if (live.managed_vms.count(name) || !uses(d.def)) continue;
    names += (names.empty() ? "" : ", ") + name;
  }
  return names;
}

}  // namespace mfgctl
