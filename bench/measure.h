#pragma once

// What the benchmarks measure: wall time since a point and the process's
// peak resident memory.

#include <sys/resource.h>

#include <chrono>

namespace mfgctl {

inline double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

/// The peak resident set of this process so far, in MiB.
inline double PeakMiB() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

}  // namespace mfgctl
