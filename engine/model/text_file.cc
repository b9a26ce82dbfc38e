#include "engine/model/text_file.h"

#include <fstream>
#include <sstream>

namespace mfgctl {

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace mfgctl
