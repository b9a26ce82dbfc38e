#include "engine/model/timestamp.h"

#include <cstdio>
#include <ctime>

namespace mfgctl {

std::string UtcTimestamp(std::chrono::system_clock::time_point t, bool micros) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (micros) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()) %
              1000000;
    std::snprintf(buf + n, sizeof buf - n, ".%06ldZ", static_cast<long>(us.count()));
  } else {
    std::snprintf(buf + n, sizeof buf - n, "Z");
  }
  return buf;
}

}  // namespace mfgctl
