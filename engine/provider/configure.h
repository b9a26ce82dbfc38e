#pragma once

#include <map>
#include <set>
#include <string>

#include "engine/model/diagnostics.h"
#include "engine/model/resource.h"
#include "engine/provider/registry.h"

namespace mfgctl {

/// Configures the providers named in `used` (those with resources in the
/// run) once, before anything is read: each gets its `providers:` block's
/// settings from `configs` (an empty object without a block), checked for
/// the required settings of its ConfigSchema first. A provider that fails
/// goes into `failed`, and its errors, which name the block's
/// file:line:col, are returned; its resources must not be read or applied.
Diagnostics ConfigureProviders(const ProviderRegistry& providers,
                               const std::map<std::string, ProviderConfig>& configs,
                               const std::set<std::string>& used, std::set<std::string>* failed);

}  // namespace mfgctl
