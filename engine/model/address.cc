#include "engine/model/address.h"

namespace mfgctl {

std::string ResourceAddress::ToString() const {
  std::string out;
  out.reserve(target.size() + kind.size() + name.size() + 3);
  out.append(target).append(":").append(kind).append("[").append(name).append("]");
  return out;
}

std::optional<ResourceAddress> ResourceAddress::Parse(std::string_view text) {
  size_t colon = text.find(':');
  size_t open = text.find('[');
  if (colon == std::string_view::npos || open == std::string_view::npos ||
      colon == 0 || open < colon + 2 || text.back() != ']' ||
      open + 1 > text.size() - 1) {
    return std::nullopt;
  }
  ResourceAddress a;
  a.target = std::string(text.substr(0, colon));
  a.kind = std::string(text.substr(colon + 1, open - colon - 1));
  a.name = std::string(text.substr(open + 1, text.size() - open - 2));
  if (a.name.empty()) return std::nullopt;
  return a;
}

std::string_view KindOfType(std::string_view type) {
  size_t dot = type.find('.');
  return dot == std::string_view::npos ? type : type.substr(dot + 1);
}

}  // namespace mfgctl
