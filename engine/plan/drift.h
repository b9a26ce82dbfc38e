#pragma once

#include <string_view>

#include "engine/model/schema.h"
#include "engine/plan/plan.h"
#include "engine/provider/provider.h"
#include "engine/state/state.h"

namespace mfgctl {

/// What changed outside mfgctl to one resource the state knows (`plan
/// --refresh-only`): what was read `live` against what the state
/// `recorded`, attribute by attribute. Only the attributes the state
/// records are compared (inside nested ones, the keys it records), and one
/// the provider does not read back counts as unchanged; sensitive ones are
/// sealed with `salt` first, so both sides stay sealed. Returns an update
/// whose `before` is the record and `after` the record with the live value
/// of each attribute that drifted; a deletion when the resource no longer
/// exists; a no-op when nothing drifted.
PlanChange DriftChange(const ResourceTypeSchema& schema, const ResourceState& recorded,
                       const ReadResult& live, std::string_view salt);

}  // namespace mfgctl
