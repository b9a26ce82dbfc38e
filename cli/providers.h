#pragma once

#include "blueprints/blueprint.h"
#include "engine/provider/registry.h"
#include "providers/shell/host_connections.h"

namespace mfgctl {

/// The provider table: every provider mfgctl ships, registered by name.
/// The one place that knows them; the engine never names a provider.
/// Providers that work through a host's shell share `connections`, which
/// must outlive the registry.
bool RegisterProviders(ProviderRegistry* registry, HostConnections* connections,
                       Diagnostics* diags);

/// What the blueprint language validates against, from the registry.
BlueprintSchemas SchemasOf(const ProviderRegistry& registry);

}  // namespace mfgctl
