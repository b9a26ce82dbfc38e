#pragma once

// The container engine on a gateway, for host.image and host.container:
// podman, or Docker where that is what the host has.

#include <string>
#include <string_view>

#include "engine/model/schema.h"
#include "engine/model/value.h"

namespace mfgctl {

/// The `engine:` attribute the image and container types share.
AttributeSchema EngineAttribute();

/// Shell that sets $e to the engine: the one `attrs` names, else podman
/// when installed, else docker; empty when there is none.
std::string EngineShell(const Value& attrs);

/// Shell for a step: sets $e as EngineShell does, and fails the step,
/// saying what to install, when there is none.
std::string EngineOrFail(const Value& attrs);

/// An image ID as either engine prints it (podman: bare hex; Docker:
/// `sha256:HEX`), as `sha256:HEX`.
std::string CanonicalImageId(std::string_view printed);

}  // namespace mfgctl
