#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/provider/provider.h"

namespace mfgctl {

/// The providers of one run, and which resource types each serves. Built
/// by the CLI from its provider table; the engine never names a provider:
/// it finds a resource's provider by the resource's type.
class ProviderRegistry {
 public:
  /// Registers a provider and its resource types; refuses it (false and a
  /// diagnostic) when it declares a type another provider has, or a name
  /// already registered: a type has exactly one provider.
  bool Add(std::unique_ptr<Provider> provider, Diagnostics* diags);

  Provider* ByName(const std::string& name) const;
  Provider* ForType(const std::string& type) const;
  const ResourceTypeSchema* SchemaOf(const std::string& type) const;
  /// Every resource type's schema, by type name.
  const std::map<std::string, ResourceTypeSchema>& schemas() const { return schemas_; }
  std::vector<std::string> ProviderNames() const;

 private:
  std::vector<std::unique_ptr<Provider>> providers_;
  std::map<std::string, ResourceTypeSchema> schemas_;
  std::map<std::string, Provider*> by_type_;
};

}  // namespace mfgctl
