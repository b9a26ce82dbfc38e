#include "engine/state/state.h"

#include <fstream>
#include <random>

namespace mfgctl {

Value StorableConfig(const Target& target) {
  Value config = target.config;
  for (const auto& name : target.sensitive) config.erase(name);
  return config;
}

Value ResourceToJson(const std::string& address, const ResourceState& r) {
  Value entry = {{"address", address},
                 {"type", r.type},
                 {"attributes", r.attributes},
                 {"dependencies", r.dependencies}};
  if (!r.sensitive.empty()) entry["sensitive"] = r.sensitive;
  if (r.is_protected) entry["protected"] = true;
  return entry;
}

Value TargetToJson(const Target& t) {
  return {{"provider", t.provider}, {"config", StorableConfig(t)}};
}

bool ResourceFromJson(const Value& r, std::string* address, ResourceState* out) {
  *address = r.at("address").get<std::string>();
  auto parsed = ResourceAddress::Parse(*address);
  if (!parsed) return false;
  out->address = *parsed;
  out->type = r.at("type").get<std::string>();
  out->attributes = r.at("attributes");
  out->dependencies = r.value("dependencies", std::vector<std::string>{});
  out->sensitive = r.value("sensitive", std::vector<std::string>{});
  out->is_protected = r.value("protected", false);
  return true;
}

Target TargetFromJson(const std::string& name, const Value& t) {
  return Target{name, t.at("provider").get<std::string>(), t.at("config"), {}, {}};
}

Value StateToJson(const StateSnapshot& s) {
  Value j = Value::object();
  j["version"] = StateSnapshot::kFormatVersion;
  j["lineage"] = s.lineage;
  j["serial"] = s.serial;
  j["plant"] = s.plant;
  j["salt"] = s.salt;
  Value targets = Value::object();
  for (const auto& [name, t] : s.targets) targets[name] = TargetToJson(t);
  j["targets"] = std::move(targets);
  Value resources = Value::array();
  for (const auto& [addr, r] : s.resources) resources.push_back(ResourceToJson(addr, r));
  j["resources"] = std::move(resources);
  if (!s.fleet.is_null()) j["fleet"] = s.fleet;
  return j;
}

bool StateFromJson(const Value& j, const std::string& origin, StateSnapshot* out,
                   Diagnostics* diags) {
  SourcePos pos{origin, 0, 0};
  try {
    if (!j.is_object() || j.value("version", 0) != StateSnapshot::kFormatVersion) {
      diags->Error("unsupported state file (expected \"version\": 1)", pos);
      return false;
    }
    StateSnapshot s;
    s.lineage = j.at("lineage").get<std::string>();
    s.serial = j.at("serial").get<uint64_t>();
    s.plant = j.value("plant", "");
    s.salt = j.value("salt", "");
    if (auto f = j.find("fleet"); f != j.end()) s.fleet = *f;
    for (const auto& [name, t] : j.at("targets").items()) s.targets[name] = TargetFromJson(name, t);
    for (const auto& r : j.at("resources")) {
      ResourceState rs;
      std::string addr;
      if (!ResourceFromJson(r, &addr, &rs)) {
        diags->Error("malformed resource address \"" + addr + "\" in state", pos);
        return false;
      }
      s.resources.emplace(std::move(addr), std::move(rs));
    }
    *out = std::move(s);
    return true;
  } catch (const nlohmann::json::exception& e) {
    diags->Error(std::string("malformed state file: ") + e.what(), pos);
    return false;
  }
}

std::string NewLineage() {
  std::random_device rd;
  std::uniform_int_distribution<int> nib(0, 15);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx";
  for (char& c : out) {
    if (c == 'x') c = kHex[nib(rd)];
    if (c == 'y') c = kHex[8 + nib(rd) % 4];
  }
  return out;
}

}  // namespace mfgctl
