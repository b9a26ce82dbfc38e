#pragma once

#include <vector>

#include "engine/provider/provider.h"

namespace mfgctl {

/// One read of a refresh: the resources of one target that one provider
/// serves, asked for together.
struct RefreshRead {
  Provider* provider = nullptr;
  ReadRequest request;
};

/// Reads every group, `parallelism` targets at once: one batched read per
/// (target, provider). Response i answers reads[i].
std::vector<ReadResponse> Refresh(const std::vector<RefreshRead>& reads, int parallelism);

}  // namespace mfgctl
