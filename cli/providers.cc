#include "cli/providers.h"

#include "providers/ssh/ssh_provider.h"

namespace mfgctl {

void RegisterProviders(ProviderRegistry* registry, HostConnections* connections) {
  registry->Add(std::make_unique<SshProvider>(*connections));
}

BlueprintSchemas SchemasOf(const ProviderRegistry& registry) {
  BlueprintSchemas s;
  s.resource_types = registry.schemas();
  for (const auto& name : registry.ProviderNames()) {
    s.target_types[name] = registry.ByName(name)->TargetSchema();
  }
  return s;
}

}  // namespace mfgctl
