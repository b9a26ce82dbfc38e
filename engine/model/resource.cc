#include "engine/model/resource.h"

#include <algorithm>
#include <string_view>
#include <unordered_set>

#include "engine/model/digest.h"
#include "engine/model/sensitive.h"

namespace mfgctl {
namespace {

// Appends an exact, unambiguous encoding of v: strings as raw bytes with
// their length (file content may be binary, which JSON text cannot hold).
void Encode(const Value& v, std::string* out) {
  switch (v.type()) {
    case Value::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      out->append("s").append(std::to_string(s.size())).append(":").append(s);
      return;
    }
    case Value::value_t::object:
      out->append("{");
      for (const auto& [k, item] : v.items()) {
        Encode(Value(k), out);
        Encode(item, out);
      }
      out->append("}");
      return;
    case Value::value_t::array:
      out->append("[");
      for (const auto& item : v) Encode(item, out);
      out->append("]");
      return;
    default:
      out->append(v.dump()).append(";");
  }
}

}  // namespace

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

void AddOnce(std::vector<std::string>* names, const std::string& name) {
  if (!Contains(*names, name)) names->push_back(name);
}

void RemoveRepeats(std::vector<std::string>* names) {
  if (names->size() < 2) return;
  // Marked first, moved after: the views must not see a string move.
  std::vector<bool> first(names->size());
  {
    std::unordered_set<std::string_view> seen;
    seen.reserve(names->size());
    for (size_t i = 0; i < names->size(); ++i) first[i] = seen.insert((*names)[i]).second;
  }
  size_t kept = 0;
  for (size_t i = 0; i < names->size(); ++i) {
    if (!first[i]) continue;
    if (kept != i) (*names)[kept] = std::move((*names)[i]);
    ++kept;
  }
  names->resize(kept);
}

std::string DigestOf(const DesiredConfig& config, const std::string& salt) {
  std::string canon;
  canon.append(config.plant).push_back('\n');
  for (const auto& [name, t] : config.targets) {
    canon.append(name).append(" ").append(t.provider).append(" ");
    Encode(SealNamed(t.config, t.sensitive, salt), &canon);
    canon.push_back('\n');
  }
  for (const auto& [name, p] : config.providers) {
    canon.append("provider ").append(name).append(" ");
    Encode(SealNamed(p.settings, p.sensitive, salt), &canon);
    canon.push_back('\n');
  }
  for (const auto& r : config.resources) {
    canon.append(r.address.ToString()).append(" ").append(r.type).append(" ");
    Encode(SealNamed(r.attributes, r.sensitive, salt), &canon);
    for (const auto& d : r.depends_on) canon.append(" ").append(d);
    if (r.is_protected) canon.append(" protected");
    canon.push_back('\n');
  }
  return Sha256Digest(canon);
}

}  // namespace mfgctl
