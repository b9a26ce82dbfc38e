#include "engine/provider/registry.h"

namespace mfgctl {

void ProviderRegistry::Add(std::unique_ptr<Provider> provider) {
  for (auto& schema : provider->Schemas()) {
    by_type_[schema.type] = provider.get();
    schemas_[schema.type] = std::move(schema);
  }
  providers_.push_back(std::move(provider));
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
