#include "engine/plan/refresh.h"

#include "engine/plan/parallel.h"

namespace mfgctl {

std::vector<ReadResponse> Refresh(const std::vector<RefreshRead>& reads, int parallelism) {
  std::vector<ReadResponse> responses(reads.size());
  RunParallel(reads.size(), parallelism,
              [&](size_t i) { responses[i] = reads[i].provider->Read(reads[i].request); });
  return responses;
}

}  // namespace mfgctl
