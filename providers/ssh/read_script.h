#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "providers/ssh/host_resource.h"

namespace mfgctl {

/// One shell script that reads every item of a host in a single round
/// trip: for item i it prints a line `@@mfgctl i`, then the item's probe
/// output. `probes[i]` is the probe of item i.
std::string BuildReadScript(const std::vector<std::string>& probes);

/// Splits the read script's output into the facts of each of `count` items.
/// Lines before the first marker, unknown markers and lines without `=` are
/// ignored; an item whose marker never appeared gets no facts.
std::vector<FactMap> ParseReadOutput(std::string_view out, size_t count);

}  // namespace mfgctl
