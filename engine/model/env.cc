#include "engine/model/env.h"

#include <cstdlib>

namespace mfgctl {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace mfgctl
