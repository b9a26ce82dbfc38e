#include "engine/model/unknown.h"

namespace mfgctl {
namespace {

// \x1e starts and ends a marker, \x1f parts the address from the attribute:
// control characters blueprint text has no use for. Only the attributes the
// loader lists as holding markers (Resource::deferred) are resolved.
constexpr char kStart = '\x1e';
constexpr char kPart = '\x1f';

// Resolves the markers in one string; `whole` gets the value when the
// string is exactly one resolved marker.
bool ResolveText(std::string* s, const UnknownLookup& lookup, Value* whole,
                 std::vector<std::string>* unresolved) {
  bool all = true;
  std::string out;
  size_t at = 0;
  for (;;) {
    size_t open = s->find(kStart, at);
    size_t part = open == std::string::npos ? open : s->find(kPart, open + 1);
    size_t close = part == std::string::npos ? part : s->find(kStart, part + 1);
    if (close == std::string::npos) break;
    std::string address = s->substr(open + 1, part - open - 1);
    std::string attribute = s->substr(part + 1, close - part - 1);
    out.append(*s, at, open - at);
    const Value* v = lookup(address, attribute);
    if (!v) {
      all = false;
      if (unresolved) unresolved->push_back(address + "." + attribute);
      out.append(*s, open, close + 1 - open);
    } else if (open == 0 && close + 1 == s->size()) {
      *whole = *v;
      return true;
    } else {
      out += v->is_string() ? v->get<std::string>() : ShowJson(*v);
    }
    at = close + 1;
  }
  if (at == 0) return true;  // no marker
  out.append(*s, at, std::string::npos);
  *s = std::move(out);
  return all;
}

}  // namespace

std::string UnknownMarker(const std::string& address, const std::string& attribute) {
  return std::string(1, kStart) + address + kPart + attribute + kStart;
}

bool IsUnknownMarker(const Value& v) {
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  return s.size() > 3 && s.front() == kStart && s.back() == kStart &&
         s.find(kStart, 1) == s.size() - 1 && s.find(kPart) != std::string::npos;
}

bool ResolveUnknowns(Value* v, const UnknownLookup& lookup, std::vector<std::string>* unresolved) {
  if (v->is_string()) {
    Value whole;
    bool ok = ResolveText(v->get_ptr<std::string*>(), lookup, &whole, unresolved);
    if (!whole.is_null()) *v = std::move(whole);
    return ok;
  }
  bool ok = true;
  if (v->is_array() || v->is_object()) {
    for (auto& element : *v) ok = ResolveUnknowns(&element, lookup, unresolved) && ok;
  }
  return ok;
}

}  // namespace mfgctl
