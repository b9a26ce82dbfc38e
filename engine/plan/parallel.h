#pragma once

#include <cstddef>
#include <functional>

namespace mfgctl {

/// Calls fn(i) for every i in [0, n) on up to `workers` threads at once and
/// returns when all calls have returned.
void RunParallel(size_t n, int workers, const std::function<void(size_t)>& fn);

}  // namespace mfgctl
