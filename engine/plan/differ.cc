#include "engine/plan/differ.h"

namespace mfgctl {

Value CanonicalAttributes(const ResourceTypeSchema& schema, const Value& attrs) {
  Value out = Value::object();
  for (const auto& [key, v] : attrs.items()) {
    // `state: present` is what existing means; live state never reports it.
    if (key == kStateAttribute && v == "present") continue;
    const AttributeSchema* a = schema.Find(key);
    if (a && a->plan_only) continue;
    out[key] = a ? CanonicalAttribute(*a, v) : v;
  }
  return out;
}

Action DiffResource(const ResourceTypeSchema& schema, const Value& desired, const Value& live,
                    std::vector<std::string>* replace_because) {
  replace_because->clear();
  if (live.is_null()) return Action::kCreate;
  bool changed = false;
  for (const auto& [key, want] : desired.items()) {
    auto it = live.find(key);
    if (it != live.end() && *it == want) continue;
    changed = true;
    const AttributeSchema* a = schema.Find(key);
    if (a && a->force_new) replace_because->push_back(key);
  }
  if (!changed) return Action::kNoOp;
  return replace_because->empty() ? Action::kUpdate : Action::kReplace;
}

}  // namespace mfgctl
