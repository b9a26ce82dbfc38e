#pragma once

#include <string>

namespace mfgctl {

/// The environment variable `name`, or "" when it is unset.
std::string Env(const char* name);

}  // namespace mfgctl
