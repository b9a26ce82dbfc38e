#include "engine/plan/parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace mfgctl {

void RunParallel(size_t n, int workers, const std::function<void(size_t)>& fn) {
  size_t threads = std::min<size_t>(n, static_cast<size_t>(std::max(1, workers)));
  if (threads <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < n; i = next++) fn(i);
    });
  }
  for (auto& th : pool) th.join();
}

}  // namespace mfgctl
