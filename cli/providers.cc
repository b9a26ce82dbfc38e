#include "cli/providers.h"

#include "backends/state_backends.h"
#include "providers/gcp/gcp_provider.h"
#include "providers/libvirt/libvirt_provider.h"
#include "providers/s3/s3_provider.h"
#include "providers/ssh/ssh_provider.h"

namespace mfgctl {

bool RegisterProviders(ProviderRegistry* registry, HostConnections* connections,
                       Diagnostics* diags) {
  return registry->Add(std::make_unique<SshProvider>(*connections), diags) &&
         registry->Add(std::make_unique<LibvirtProvider>(*connections), diags) &&
         registry->Add(std::make_unique<GcpProvider>(), diags) &&
         registry->Add(std::make_unique<S3Provider>(), diags);
}

BlueprintSchemas SchemasOf(const ProviderRegistry& registry) {
  BlueprintSchemas s;
  s.resource_types = registry.schemas();
  for (const auto& name : registry.ProviderNames()) {
    ResourceTypeSchema target = registry.ByName(name)->TargetSchema();
    // Every target may bound how many actions it takes at once.
    target.attributes.push_back(
        {.name = kMaxParallelSetting, .type = AttrType::kNumber,
         .description = "How many actions this target takes at once (default: its provider's; "
                        "1 for a host)."});
    s.target_types[name] = std::move(target);
    s.provider_settings[name] = registry.ByName(name)->ConfigSchema();
  }
  s.state_backends = StateBackendSchemas();
  return s;
}

}  // namespace mfgctl
