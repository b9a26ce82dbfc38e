#pragma once

// A plant's health checks after its apply (rollout.health in fleet.yaml):
// a command on one of the blueprint's hosts, over the run's SSH
// connection; an HTTP GET expecting a status; a TCP connect.

#include <string>

#include "cli/workspace.h"
#include "fleet/fleet.h"

namespace mfgctl {

/// `${var.NAME}` in a check's text replaced by the value of the plant's
/// blueprint variable (the fleet file's value, or the blueprint's default),
/// each shell-quoted when `quote` (a command's text: a value is one word,
/// never code); false, with `error`, when it names a variable the blueprint
/// does not declare or one that is sensitive.
bool ExpandCheckText(const std::string& text, const DesiredConfig& config, bool quote,
                     std::string* out, std::string* error);

/// Runs one check for the plant whose workspace is `ws`; false with
/// `error` ("health check 2 (tcp 10.0.0.1:1883) failed: ...") when it
/// fails or times out.
bool RunHealthCheck(const HealthCheck& check, size_t index, Workspace& ws, std::string* error);

}  // namespace mfgctl
