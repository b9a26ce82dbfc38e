#pragma once

#include <optional>
#include <string>

namespace mfgctl {

/// The whole content of a file, or nullopt when it cannot be read.
std::optional<std::string> ReadWholeFile(const std::string& path);

}  // namespace mfgctl
