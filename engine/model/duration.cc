#include "engine/model/duration.h"

namespace mfgctl {

std::optional<long long> ParseDuration(std::string_view text) {
  static constexpr struct {
    char unit;
    long long seconds;
  } kUnits[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};
  if (text.empty()) return std::nullopt;
  long long total = 0;
  size_t next_unit = 0;  // units in order, each at most once
  size_t i = 0;
  while (i < text.size()) {
    long long n = 0;
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (i - start >= 12) return std::nullopt;  // beyond any retention
      n = n * 10 + (text[i++] - '0');
    }
    if (i == start || i == text.size()) return std::nullopt;
    size_t u = next_unit;
    while (u < std::size(kUnits) && kUnits[u].unit != text[i]) ++u;
    if (u == std::size(kUnits)) return std::nullopt;
    total += n * kUnits[u].seconds;
    next_unit = u + 1;
    ++i;
  }
  return total;
}

std::string CanonicalDuration(std::string_view text) {
  std::optional<long long> s = ParseDuration(text);
  return s ? std::to_string(*s) + "s" : std::string(text);
}

}  // namespace mfgctl
