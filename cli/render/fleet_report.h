#pragma once

// A rollout's report as one self-contained static HTML page (inline CSS, no
// scripts, no external assets): the waves, each plant's result, duration,
// changes, window and reason, the holds, and why the rollout stopped.

#include <string>

#include "fleet/rollout.h"

namespace mfgctl {

std::string RolloutReportHtml(const RolloutReport& report);

/// `text` with &, <, >, " and ' escaped for HTML.
std::string HtmlEscape(const std::string& text);

}  // namespace mfgctl
