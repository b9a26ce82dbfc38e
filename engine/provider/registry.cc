#include "engine/provider/registry.h"

namespace mfgctl {

bool ProviderRegistry::Add(std::unique_ptr<Provider> provider, Diagnostics* diags) {
  if (ByName(provider->Name())) {
    diags->Error("provider \"" + provider->Name() + "\" is registered twice");
    return false;
  }
  std::vector<ResourceTypeSchema> schemas = provider->Schemas();
  for (const auto& schema : schemas) {
    if (Provider* other = ForType(schema.type)) {
      diags->Error("providers \"" + other->Name() + "\" and \"" + provider->Name() +
                   "\" both declare the resource type \"" + schema.type + "\"");
      return false;
    }
  }
  for (auto& schema : schemas) {
    by_type_[schema.type] = provider.get();
    schemas_[schema.type] = std::move(schema);
  }
  providers_.push_back(std::move(provider));
  return true;
}

Provider* ProviderRegistry::ByName(const std::string& name) const {
  for (const auto& p : providers_) {
    if (p->Name() == name) return p.get();
  }
  return nullptr;
}

Provider* ProviderRegistry::ForType(const std::string& type) const {
  auto it = by_type_.find(type);
  return it == by_type_.end() ? nullptr : it->second;
}

const ResourceTypeSchema* ProviderRegistry::SchemaOf(const std::string& type) const {
  auto it = schemas_.find(type);
  return it == schemas_.end() ? nullptr : &it->second;
}

std::vector<std::string> ProviderRegistry::ProviderNames() const {
  std::vector<std::string> out;
  for (const auto& p : providers_) out.push_back(p->Name());
  return out;
}

}  // namespace mfgctl
