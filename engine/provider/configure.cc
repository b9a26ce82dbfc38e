#include "engine/provider/configure.h"

namespace mfgctl {
namespace {

// The provider's own errors and warnings, placed at its block unless they
// name a place of their own.
void AddAt(const std::string& name, const SourcePos& block, Diagnostics from,
           Diagnostics* to) {
  for (Diagnostic d : from) {
    d.summary = "provider \"" + name + "\": " + d.summary;
    if (!d.pos.Known()) d.pos = block;
    to->Add(std::move(d));
  }
}

}  // namespace

Diagnostics ConfigureProviders(const ProviderRegistry& providers,
                               const std::map<std::string, ProviderConfig>& configs,
                               const std::set<std::string>& used, std::set<std::string>* failed) {
  Diagnostics out;
  for (const auto& name : used) {
    Provider* provider = providers.ByName(name);
    if (!provider) continue;
    auto block = configs.find(name);
    ConfigureRequest req;
    SourcePos pos;
    if (block != configs.end()) {
      req.settings = block->second.settings;
      pos = block->second.pos;
    }
    Diagnostics missing;
    for (const auto& a : provider->ConfigSchema().attributes) {
      if (!a.required || req.settings.contains(a.name)) continue;
      missing.Error("needs \"" + a.name + ":\"", {},
                    "set it under providers: " + name + ": in the blueprint");
    }
    ConfigureResponse resp;
    if (!missing.HasErrors()) resp = provider->Configure(req);
    else resp.diagnostics = std::move(missing);
    if (resp.diagnostics.HasErrors()) failed->insert(name);
    AddAt(name, pos, std::move(resp.diagnostics), &out);
  }
  return out;
}

}  // namespace mfgctl
