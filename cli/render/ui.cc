#include "cli/render/ui.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "engine/model/digest.h"
#include "engine/model/sensitive.h"

namespace mfgctl {

std::unique_ptr<Ui> MakeUi(bool json) {
  if (json) return MakeJsonUi(std::cout);
  const char* no_color = std::getenv("NO_COLOR");
  bool color = isatty(STDOUT_FILENO) && (!no_color || !*no_color);
  return MakeTextUi(std::cout, std::cerr, color);
}

Value OutputsJson(const std::vector<Output>& outputs) {
  Value out = Value::object();
  for (const Output& o : outputs) {
    Value& j = out[o.name];
    j["sensitive"] = o.sensitive;
    j["type"] = o.value.type_name();
    if (!o.known) j["known"] = false;
    if (!o.sensitive && o.known) j["value"] = o.value;
    if (!o.description.empty()) j["description"] = o.description;
  }
  return out;
}

std::string RenderOutput(const Output& o) {
  return o.name + " = " +
         (o.sensitive ? "(sensitive)" : !o.known ? "(known after apply)" : ShowJson(o.value));
}

std::string RenderResourceState(const ResourceState& r, const ResourceTypeSchema* schema) {
  std::string out =
      "# " + r.address.ToString() + ":\n" + r.type + " " + ShowJson(r.address.ToString()) + " {\n";
  size_t width = 0;
  for (const auto& [k, v] : r.attributes.items()) width = std::max(width, k.size());
  for (const auto& [k, v] : r.attributes.items()) {
    out += "    " + k + std::string(width - k.size(), ' ') + " = " +
           RenderValue(schema ? schema->Find(k) : nullptr, v, nullptr) + "\n";
  }
  return out + "}\n";
}

std::string RenderValue(const AttributeSchema* schema, const Value& v, const Value* readable) {
  if (v.is_null()) return "null";
  bool sealed = v.is_string() && IsSealed(v.get_ref<const std::string&>());
  if (sealed || (schema && schema->sensitive)) return kRedacted;
  if (v.is_string() && IsDigest(v.get_ref<const std::string&>())) {
    // Content may be binary: show invalid UTF-8 as U+FFFD rather than fail.
    if (readable && readable->is_string()) {
      return ShowJson(*readable);
    }
    return "(" + v.get<std::string>().substr(0, 7 + 12) + ")";
  }
  return ShowJson(v);
}

}  // namespace mfgctl
