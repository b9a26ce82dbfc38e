#pragma once

#include "blueprints/blueprint.h"
#include "engine/provider/registry.h"

namespace mfgctl {

/// The provider table: every provider mfgctl ships, registered by name.
/// The one place that knows them; the engine never names a provider.
void RegisterProviders(ProviderRegistry* registry);

/// What the blueprint language validates against, from the registry.
BlueprintSchemas SchemasOf(const ProviderRegistry& registry);

}  // namespace mfgctl
