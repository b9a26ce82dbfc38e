#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "providers/shell/host_resource.h"

namespace mfgctl {

/// The line that starts item i's facts in the read script's output.
std::string ItemMarker(size_t i);

/// One shell script that reads every item of a host in a single round
/// trip: for item i with a probe it prints ItemMarker(i), then the probe's
/// output; `batches` (which print their own markers) follow.
std::string BuildReadScript(const std::vector<std::string>& probes,
                            const std::string& batches = "");

/// Splits the read script's output into the facts of each of `count` items.
/// Lines before the first marker, unknown markers and lines without `=` are
/// ignored; an item whose marker never appeared gets no facts.
std::vector<FactMap> ParseReadOutput(std::string_view out, size_t count);

}  // namespace mfgctl
