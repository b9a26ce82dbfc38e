#include "engine/model/resource.h"

#include "engine/model/digest.h"

namespace mfgctl {

std::string DigestOf(const DesiredConfig& config) {
  std::string canon;
  canon.append(config.plant).push_back('\n');
  for (const auto& [name, t] : config.targets) {
    canon.append(name).append(" ").append(t.provider).append(" ").append(t.config.dump());
    canon.push_back('\n');
  }
  for (const auto& r : config.resources) {
    canon.append(r.address.ToString()).append(" ").append(r.type).append(" ");
    canon.append(r.attributes.dump());
    for (const auto& d : r.depends_on) canon.append(" ").append(d);
    canon.push_back('\n');
  }
  return Sha256Digest(canon);
}

}  // namespace mfgctl
