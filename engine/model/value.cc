#include "engine/model/value.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mfgctl {
namespace {

Value Sorted(const Value& v) {
  if (v.is_array()) {
    Value out = Value::array();
    for (const auto& e : v) out.push_back(Sorted(e));
    return out;
  }
  if (!v.is_object()) return v;
  // By pointer: an ordered object's lookup by key is a linear scan.
  std::vector<std::pair<const std::string*, const Value*>> items;
  items.reserve(v.size());
  for (const auto& [k, e] : v.items()) items.emplace_back(&k, &e);
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
  Value out = Value::object();
  // Appended as they are: the keys are unique and sorted already (the
  // object's own emplace would scan it for each).
  auto& pairs = static_cast<Value::object_t::Container&>(out.get_ref<Value::object_t&>());
  for (const auto& [k, e] : items) pairs.emplace_back(*k, Sorted(*e));
  return out;
}

}  // namespace

bool SameValue(const Value& a, const Value& b) {
  if (a == b) return true;  // the same order too: the common case, in one pass
  if (a.is_object() && b.is_object()) {
    if (a.size() != b.size()) return false;
    // Indexed: an ordered object's find is a linear scan (a bundle's map of
    // thousands of files).
    std::unordered_map<std::string_view, const Value*> index;
    index.reserve(b.size());
    for (const auto& [k, v] : b.items()) index.emplace(k, &v);
    for (const auto& [k, v] : a.items()) {
      auto it = index.find(k);
      if (it == index.end() || !SameValue(v, *it->second)) return false;
    }
    return true;
  }
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!SameValue(a[i], b[i])) return false;
    }
    return true;
  }
  return false;
}

std::string CanonicalJson(const Value& v) { return ShowJson(Sorted(v)); }

}  // namespace mfgctl
