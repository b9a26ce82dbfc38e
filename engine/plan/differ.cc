#include "engine/plan/differ.h"

#include <algorithm>

#include "engine/model/sensitive.h"

namespace mfgctl {
namespace {

const Value kNull;

const Value& Member(const Value& v, const std::string& key) {
  if (!v.is_object()) return kNull;
  auto it = v.find(key);
  return it == v.end() ? kNull : *it;
}

void Walk(const AttributeSchema& a, const std::string& path, const Value& before,
          const Value& after, std::vector<PathChange>* out);

// One object whose attributes `owner` declares.
void WalkObject(const AttributeSchema& owner, const std::string& path, const Value& before,
                const Value& after, std::vector<PathChange>* out) {
  auto child = [&](const std::string& key) { return path.empty() ? key : path + "." + key; };
  auto leaf = [&](const std::string& key, const Value& b, const Value& v) {
    const AttributeSchema* n = owner.Find(key);
    if (n) {
      Walk(*n, child(key), b, v, out);
    } else if (!SameValue(b, v)) {
      out->push_back({child(key), b, v, nullptr});
    }
  };
  if (after.is_object()) {
    if (after.empty() && !before.is_object()) out->push_back({path, before, after, &owner});
    for (const auto& [key, v] : after.items()) leaf(key, Member(before, key), v);
  } else if (after.is_null() && before.is_object()) {
    for (const auto& [key, b] : before.items()) leaf(key, b, kNull);
  } else if (!SameValue(before, after)) {
    out->push_back({path, before, after, &owner});
  }
}

void Walk(const AttributeSchema& a, const std::string& path, const Value& before,
          const Value& after, std::vector<PathChange>* out) {
  bool list = a.type == AttrType::kObjectList && (before.is_array() || before.is_null()) &&
              (after.is_array() || after.is_null()) && !(before.is_null() && after.is_null());
  bool map = a.type == AttrType::kObjectMap && (before.is_object() || before.is_null()) &&
             (after.is_object() || after.is_null()) && !(before.is_null() && after.is_null());
  if (a.type == AttrType::kObject) {
    WalkObject(a, path, before, after, out);
  } else if (list) {
    size_t nb = before.is_array() ? before.size() : 0, na = after.is_array() ? after.size() : 0;
    if (na == 0 && nb == 0 && !SameValue(before, after)) {
      out->push_back({path, before, after, &a});
    }
    for (size_t i = 0; i < std::max(nb, na); ++i) {
      WalkObject(a, path + ElementPath(i), i < nb ? before[i] : kNull, i < na ? after[i] : kNull,
                 out);
    }
  } else if (map) {
    if (after.is_object() && after.empty() && !before.is_object()) {
      out->push_back({path, before, after, &a});
    }
    if (after.is_object()) {
      for (const auto& [key, v] : after.items()) {
        WalkObject(a, path + ElementPath(key), Member(before, key), v, out);
      }
    }
    if (before.is_object()) {
      for (const auto& [key, b] : before.items()) {
        if (!Member(after, key).is_null()) continue;
        WalkObject(a, path + ElementPath(key), b, kNull, out);
      }
    }
  } else if (!SameValue(before, after)) {  // a string map, whatever its keys' order
    out->push_back({path, before, after, &a});
  }
}

}  // namespace

std::vector<std::string> SensitiveNames(const ResourceTypeSchema& schema, const Resource* desired,
                                        const ResourceState* prior) {
  std::vector<std::string> out;
  for (const auto& a : schema.attributes) {
    if (a.sensitive) AddOnce(&out, a.name);
  }
  if (desired)
    for (const auto& n : desired->sensitive) AddOnce(&out, n);
  if (prior)
    for (const auto& n : prior->sensitive) AddOnce(&out, n);
  return out;
}

Value PlannedAttributes(const ResourceTypeSchema& schema, const Value& attrs,
                        const std::vector<std::string>& sensitive, std::string_view salt) {
  return SealNamed(CanonicalAttributes(schema, attrs), sensitive, salt);
}

std::vector<PathChange> ChangedPaths(const AttributeSchema& a, const Value& before,
                                     const Value& after) {
  std::vector<PathChange> out;
  Walk(a, "", before, after, &out);
  return out;
}

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
    const AttributeSchema* a = schema.Find(key);
    const Value& have = Member(live, key);
    if (a && IsNested(a->type)) {
      // Path by path: a force-new leaf replaces, whatever its parent says.
      std::vector<PathChange> paths = ChangedPaths(*a, have, want);
      if (paths.empty()) continue;
      changed = true;
      if (a->force_new) {
        replace_because->push_back(key);
        continue;
      }
      for (const auto& p : paths) {
        if (p.schema && p.schema->force_new) replace_because->push_back(JoinPath(key, p.path));
      }
      continue;
    }
    if (live.contains(key) && SameValue(have, want)) continue;
    changed = true;
    if (a && a->force_new) replace_because->push_back(key);
  }
  if (!changed) return Action::kNoOp;
  return replace_because->empty() ? Action::kUpdate : Action::kReplace;
}

}  // namespace mfgctl
