#pragma once

#include <chrono>
#include <string>

namespace mfgctl {

/// `t` in UTC as RFC 3339 (`2026-12-03T17:50:02Z`), with `micros` the
/// fraction to the microsecond (`...:02.123456Z`, as `terraform -json`).
std::string UtcTimestamp(std::chrono::system_clock::time_point t, bool micros = false);

}  // namespace mfgctl
