#include "providers/transport/http_retry.h"

#include <time.h>

#include <algorithm>
#include <string>

namespace mfgctl {

bool IsRetryableStatus(int status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(
    std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    // More than a day is as good as forever; saturating keeps the arithmetic safe.
    if (value.size() > 6) return std::chrono::hours(24);
    return std::chrono::seconds(std::stoi(std::string(value)));
  }
  // IMF-fixdate, the only form RFC 9110 lets a sender produce; always GMT.
  std::string text(value);
  tm parts{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  if (end == nullptr || *end != '\0') return std::nullopt;
  auto at = std::chrono::system_clock::from_time_t(timegm(&parts));
  if (at <= now) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
}

std::chrono::milliseconds Backoff(int retry, std::chrono::milliseconds base,
                                  std::chrono::milliseconds cap, double unit) {
  auto d = base;
  for (int i = 1; i < retry && d < cap; ++i) d *= 2;
  d = std::min(d, cap);
  unit = std::clamp(unit, 0.0, 1.0);
  return d / 2 + std::chrono::milliseconds(static_cast<long long>(unit * (d.count() / 2.0)));
}

}  // namespace mfgctl
