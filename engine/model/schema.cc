#include "engine/model/schema.h"

#include <algorithm>

#include "engine/model/digest.h"
#include "engine/model/duration.h"

namespace mfgctl {

std::string_view AttrTypeName(AttrType t) {
  switch (t) {
    case AttrType::kString: return "string";
    case AttrType::kNumber: return "number";
    case AttrType::kBool: return "bool";
    case AttrType::kStringList: return "list of strings";
    case AttrType::kStringMap: return "map of strings";
    case AttrType::kObject: return "object";
    case AttrType::kObjectList: return "list of objects";
    case AttrType::kObjectMap: return "map of objects";
  }
  return "?";
}

bool IsNested(AttrType t) {
  return t == AttrType::kObject || t == AttrType::kObjectList || t == AttrType::kObjectMap;
}

namespace {

const AttributeSchema* FindIn(const std::vector<AttributeSchema>& attributes,
                              std::string_view name) {
  for (const auto& a : attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

// An object's attributes, each canonical by its own schema.
Value CanonicalObject(const AttributeSchema& a, const Value& v) {
  if (!v.is_object()) return v;
  Value out = Value::object();
  for (const auto& [key, x] : v.items()) {
    const AttributeSchema* n = a.Find(key);
    out[key] = n ? CanonicalAttribute(*n, x) : x;
  }
  return out;
}

}  // namespace

const AttributeSchema* AttributeSchema::Find(std::string_view name) const {
  return FindIn(attributes, name);
}

const AttributeSchema* ResourceTypeSchema::Find(std::string_view name) const {
  return FindIn(attributes, name);
}

std::string ElementPath(size_t index) { return "[" + std::to_string(index) + "]"; }

std::string ElementPath(const std::string& key) { return "[" + ShowJson(key) + "]"; }

std::string JoinPath(const std::string& key, const std::string& path) {
  if (path.empty()) return key;
  return path[0] == '[' ? key + path : key + "." + path;
}

AttributeSchema LifecycleBlock() {
  return {.name = kLifecycleKey,
          .type = AttrType::kObject,
          .description = "What mfgctl may do to the resource itself.",
          .attributes = {{.name = "protected",
                          .type = AttrType::kBool,
                          .description = "Never deleted or replaced unless the run names it in "
                                         "--allow-destroy."}}};
}

AttributeSchema StateAttribute() {
  return {.name = kStateAttribute,
          .one_of = {"present", kAbsent},
          .description = "present (the default) or absent: absent deletes it where it exists."};
}

namespace {

void FillObject(const AttributeSchema& a, const Value& from, Value* into) {
  if (!from.is_object() || !into->is_object()) return;
  for (const auto& child : a.attributes) {
    auto have = from.find(child.name);
    if (have == from.end()) continue;
    if (!into->contains(child.name)) {
      if (child.computed) (*into)[child.name] = *have;
    } else if (IsNested(child.type)) {
      FillComputed(child, *have, &(*into)[child.name]);
    }
  }
}

}  // namespace

void FillComputed(const AttributeSchema& a, const Value& from, Value* into) {
  if (a.type == AttrType::kObject) {
    FillObject(a, from, into);
  } else if (a.type == AttrType::kObjectList && from.is_array() && into->is_array()) {
    for (size_t i = 0; i < into->size() && i < from.size(); ++i) {
      FillObject(a, from[i], &(*into)[i]);
    }
  } else if (a.type == AttrType::kObjectMap && from.is_object() && into->is_object()) {
    for (auto& [key, v] : into->items()) {
      if (from.contains(key)) FillObject(a, from[key], &v);
    }
  }
}

std::string NormalizeMode(std::string_view mode) {
  if (mode.empty() || mode.size() > 4) return std::string(mode);
  for (char c : mode) {
    if (c < '0' || c > '7') return std::string(mode);
  }
  return std::string(4 - mode.size(), '0') + std::string(mode);
}

Value CanonicalAttribute(const AttributeSchema& a, const Value& v) {
  if (v.is_null()) return v;
  if (a.digest || a.sensitive) {
    if (v.is_string() && IsDigest(v.get_ref<const std::string&>())) return v;
    return Sha256Digest(v.is_string() ? v.get<std::string>() : CanonicalJson(v));
  }
  if (a.octal_mode && v.is_string()) return NormalizeMode(v.get<std::string>());
  if (a.duration && v.is_string()) return CanonicalDuration(v.get<std::string>());
  if (!a.aliases.empty() && v.is_string()) {
    for (const auto& [alias, meant] : a.aliases) {
      if (v.get_ref<const std::string&>() == alias) return meant;
    }
  }
  if (a.type == AttrType::kObject) return CanonicalObject(a, v);
  if ((a.type == AttrType::kObjectList && v.is_array()) ||
      (a.type == AttrType::kObjectMap && v.is_object())) {
    Value out = v;
    for (auto& element : out) element = CanonicalObject(a, element);
    return out;
  }
  if (a.unordered && v.is_array()) {
    Value sorted = v;
    std::sort(sorted.begin(), sorted.end());
    return sorted;
  }
  return v;
}

}  // namespace mfgctl
