#pragma once

#include <string>

#include "engine/model/diagnostics.h"
#include "engine/model/resource.h"
#include "engine/model/schema.h"
#include "engine/provider/provider.h"
#include "engine/state/state.h"

namespace mfgctl {

/// The attribute that names a resource's object at its provider when the
/// provider, not the blueprint, picks the name (a server-made id): a
/// computed attribute of this name.
inline constexpr const char* kIdAttribute = "id";

/// The one-item read `mfgctl import ADDR ID` makes, the same read a plan
/// makes of `desired`. A type whose schema has a computed `id` is read as if
/// the state recorded only that id (`prior` = {"id": ID}), which is how a
/// provider with server-made ids finds its object; any other type (every
/// host type) is identified by the address's name, and ID must equal it.
/// False and a diagnostic when it does not.
bool ImportReadItem(const Resource& desired, const ResourceTypeSchema& schema,
                    const std::string& id, ReadItem* item, Diagnostics* diags);

/// Records an imported object in `state` (no I/O), as apply would record
/// it: its live attributes (canonical) with the sensitive ones sealed with
/// the state's salt, the blueprint's dependencies, and its target's
/// storable settings. A state without lineage, plant or salt gets them.
void RecordImport(const Resource& desired, const ResourceTypeSchema& schema,
                  const Target& target, const Value& live, const std::string& plant,
                  StateSnapshot* state);

}  // namespace mfgctl
