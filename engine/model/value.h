#pragma once

#include <nlohmann/json.hpp>

namespace mfgctl {

/// An attribute tree: a resource's attributes, a target's connection
/// settings, a provider's configuration. JSON-shaped because state and plan
/// files are JSON and because providers may later live out of process.
using Value = nlohmann::ordered_json;

}  // namespace mfgctl
