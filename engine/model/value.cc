#include "engine/model/value.h"

#include <algorithm>
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
  std::vector<const std::string*> keys;
  for (const auto& [k, e] : v.items()) keys.push_back(&k);
  std::sort(keys.begin(), keys.end(), [](auto* a, auto* b) { return *a < *b; });
  Value out = Value::object();
  for (const std::string* k : keys) out[*k] = Sorted(v[*k]);
  return out;
}

}  // namespace

bool SameValue(const Value& a, const Value& b) {
  if (a.is_object() && b.is_object()) {
    if (a.size() != b.size()) return false;
    for (const auto& [k, v] : a.items()) {
      auto it = b.find(k);
      if (it == b.end() || !SameValue(v, *it)) return false;
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
  return a == b;
}

std::string CanonicalJson(const Value& v) { return ShowJson(Sorted(v)); }

}  // namespace mfgctl
