#pragma once

#include <map>
#include <memory>
#include <string>

#include "engine/model/diagnostics.h"
#include "engine/model/resource.h"
#include "engine/model/schema.h"
#include "engine/state/backend.h"

namespace mfgctl {

/// The settings of each state backend a blueprint may name in
/// `state: { backend: NAME }`, by name: local, etcd, http.
std::map<std::string, ResourceTypeSchema> StateBackendSchemas();

/// The backend that keeps `plant`'s state: the blueprint's `state:` block
/// as evaluated (the backend's name in `provider`), or, without one or for
/// `backend: local` without `path`, the local file `default_path`. Null and
/// a diagnostic for settings it cannot use.
std::unique_ptr<StateBackend> OpenStateBackend(const std::optional<ProviderConfig>& state,
                                               const std::string& default_path,
                                               const std::string& plant, Diagnostics* diags);

}  // namespace mfgctl
