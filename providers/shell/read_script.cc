#include "providers/shell/read_script.h"

#include <charconv>

namespace mfgctl {

namespace {
constexpr std::string_view kMarker = "@@mfgctl ";
}

std::string ItemMarker(size_t i) {
  return "echo '" + std::string(kMarker) + std::to_string(i) + "'\n";
}

std::string BuildReadScript(const std::vector<std::string>& probes, const std::string& batches) {
  std::string script = "LC_ALL=C; export LC_ALL\n";
  for (size_t i = 0; i < probes.size(); ++i) {
    if (probes[i].empty()) continue;  // nothing to read (or read in a batch)
    script += ItemMarker(i);
    script += probes[i];
  }
  return script + batches;
}

std::vector<FactMap> ParseReadOutput(std::string_view out, size_t count) {
  std::vector<FactMap> facts(count);
  FactMap* current = nullptr;
  while (!out.empty()) {
    size_t nl = out.find('\n');
    std::string_view line = out.substr(0, nl);
    out = nl == std::string_view::npos ? std::string_view() : out.substr(nl + 1);
    if (line.substr(0, kMarker.size()) == kMarker) {
      std::string_view num = line.substr(kMarker.size());
      size_t i = 0;
      auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), i);
      current = (ec == std::errc() && ptr == num.data() + num.size() && i < count) ? &facts[i]
                                                                                   : nullptr;
      continue;
    }
    size_t eq = line.find('=');
    if (!current || eq == std::string_view::npos || eq == 0) continue;
    (*current)[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  return facts;
}

}  // namespace mfgctl
