#include <cstdlib>
#include <filesystem>

#include "blueprints/expander.h"
#include "engine/model/sensitive.h"
#include "engine/model/suggest.h"
#include "engine/model/utf8.h"

namespace mfgctl {
namespace {

const std::vector<std::string> kTopLevelKeys = {
    "mfgctl",         "plant",    "variables", "secrets", "providers",
    "gateway_groups", "gateways", "hypervisors", "cloud", "resources", "state",
    "use",            "outputs"};
const std::vector<std::string> kVariableKeys = {"default", "type", "description", "sensitive"};
const std::vector<std::string> kVariableTypes = {"string", "number", "bool"};

// Converts command-line or scalar text to a variable's declared type.
bool Coerce(const std::string& type, const std::string& text, Value* out) {
  if (type == "number") {
    long long n = 0;
    if (!ParseWholeNumber(text, &n)) return false;
    *out = n;
    return true;
  }
  if (type == "bool") {
    if (text == "true" || text == "yes") *out = true;
    else if (text == "false" || text == "no") *out = false;
    else return false;
    return true;
  }
  *out = text;
  return true;
}

}  // namespace

bool Expander::ExpectMap(const SourceNode& node, const std::string& what) {
  if (node.IsMap()) return true;
  diags_->Error(what + " must be a map, got " + std::string(node.Describe()), node.pos());
  return false;
}

bool Expander::CheckKeys(const SourceNode& map, const std::vector<std::string>& allowed,
                         const std::string& what) {
  return mfgctl::CheckKeys(map, allowed, what, diags_);
}

bool Expander::Run(DesiredConfig* out) {
  Sections& s = sections_;
  for (const auto& file : options_.files) {
    auto doc = std::make_unique<SourceDocument>();
    if (!LoadYamlFile(file, doc.get(), diags_)) return false;
    const SourceNode* root = &doc->root;
    if (root->IsNull()) {
      diags_->Error("blueprint is empty; expected at least \"mfgctl: 1\" and \"plant:\"",
                    {file, 1, 1});
      return false;
    }
    if (!ExpectMap(*root, "a blueprint")) return false;
    if (!LoadFile(*root)) return false;
    if (const SourceNode* g = root->Get("gateways")) s.gateways.push_back(g);
    if (const SourceNode* g = root->Get("gateway_groups")) s.groups.push_back(g);
    if (const SourceNode* r = root->Get("resources")) s.resources.push_back(r);
    if (const SourceNode* h = root->Get("hypervisors")) s.hypervisors.push_back(h);
    if (const SourceNode* c = root->Get("cloud")) s.cloud.push_back(c);
    if (const SourceNode* u = root->Get("use")) s.use.push_back(u);
    documents_.push_back(std::move(doc));
  }
  if (!options_.plant.empty()) plant_ = options_.plant;  // a fleet's plant
  if (plant_.empty()) {
    diags_->Error("missing \"plant:\": every blueprint names its plant",
                  {options_.files.empty() ? "" : options_.files[0], 1, 1});
    return false;
  }
  if (options_.state_block && !LoadState(*options_.state_block)) return false;
  if (options_.state_only) {
    if (!ApplyVariableOverrides() || !EvaluateState()) return false;
    out->plant = plant_;
    out->state = std::move(state_config_);
    out->files = options_.files;
    out->secret_values = std::move(secret_values_);
    return true;
  }
  if (!ApplyVariableOverrides() || !EvaluateProviders() || !EvaluateState()) return false;
  // Templates are looked for in the project's templates/, then the library.
  template_search_ = {
      (std::filesystem::absolute(options_.files[0]).parent_path() / "templates").string()};
  if (!options_.template_library.empty()) template_search_.push_back(options_.template_library);
  for (const SourceNode* u : s.use) {
    std::vector<std::string> stack;
    if (!ExpandUse(*u, "", &stack)) return false;
  }
  if (!CheckPassedExpressions()) return false;
  // Size the resource tables once: large plants have 100k resources.
  size_t expected = 0;
  for (const auto* sections : {&s.gateways, &s.hypervisors}) {
    for (const SourceNode* g : *sections) {
      for (const auto& [host, body] : g->entries) {
        for (const auto& [key, section] : body.entries) {
          expected += section.items.size() + section.entries.size();
        }
      }
    }
  }
  for (const SourceNode* r : s.resources) expected += r->items.size();
  pending_.reserve(expected);
  by_address_.reserve(expected);
  for (const SourceNode* g : s.gateways) {
    if (!g->IsNull() && !ExpectMap(*g, "\"gateways\"")) return false;
  }
  for (const SourceNode* g : s.groups) {
    if (!LoadGatewayGroups(*g, s.gateways)) return false;
  }
  for (const SourceNode* g : s.gateways) {
    if (!ExpandGateways(*g)) return false;
  }
  for (const SourceNode* h : s.hypervisors) {
    if (!ExpandHypervisors(*h)) return false;
  }
  for (const SourceNode* c : s.cloud) {
    if (!ExpandCloud(*c)) return false;
  }
  for (const SourceNode* r : s.resources) {
    if (!ExpandRawResources(*r)) return false;
  }
  if (diags_->HasErrors()) return false;
  AddImplicitDependencies();
  if (!EvaluateAll() || !WireHypervisors() || !WireCloud() || !EvaluateOutputs()) return false;
  AddValueDependencies();
  if (!ResolveAfter() || !ResolveNotify()) return false;
  for (auto& p : pending_) RemoveRepeats(&p.resource.depends_on);
  if (!CheckCycles()) return false;

  out->plant = plant_;
  out->targets = std::move(targets_);
  out->providers = std::move(provider_configs_);
  out->state = std::move(state_config_);
  out->outputs = std::move(plant_outputs_);
  out->files = options_.files;
  for (const auto& [name, v] : variables_) {
    if (v.sensitive) {
      out->sensitive_variables.push_back(name);
    } else if (v.has_value) {
      out->variables[name] = v.value;
    }
  }
  out->secret_values = std::move(secret_values_);
  out->resources.reserve(pending_.size());
  for (auto& p : pending_) out->resources.push_back(std::move(p.resource));
  return true;
}

bool Expander::LoadFile(const SourceNode& root) {
  if (!CheckKeys(root, kTopLevelKeys, "the blueprint")) return false;
  const SourceNode* version = root.Get("mfgctl");
  if (!version) {
    diags_->Error("missing \"mfgctl: 1\": the blueprint language version", root.pos());
    return false;
  }
  if (!version->IsScalar() || version->scalar != "1") {
    diags_->Error("unsupported blueprint version; expected \"mfgctl: 1\"", version->pos());
    return false;
  }
  if (const SourceNode* plant = root.Get("plant")) {
    if (!plant->IsScalar() || plant->scalar.empty()) {
      diags_->Error("\"plant\" must be a name, got " + std::string(plant->Describe()),
                    plant->pos());
      return false;
    }
    if (!plant_.empty() && plant->scalar != plant_) {
      diags_->Error("plant \"" + plant->scalar + "\" differs from \"" + plant_ + "\" declared at " +
                        plant_node_->pos().ToString(),
                    plant->pos());
      return false;
    }
    plant_ = plant->scalar;
    plant_node_ = plant;
  }
  if (const SourceNode* vars = root.Get("variables")) {
    if (!vars->IsNull() && !LoadVariables(*vars)) return false;
  }
  if (const SourceNode* secrets = root.Get("secrets")) {
    if (!secrets->IsNull() && !LoadSecrets(*secrets)) return false;
  }
  if (const SourceNode* providers = root.Get("providers")) {
    if (!providers->IsNull() && !LoadProviders(*providers)) return false;
  }
  if (const SourceNode* state = root.Get("state"); state && !options_.state_block) {
    if (!LoadState(*state)) return false;
  }
  if (const SourceNode* outputs = root.Get("outputs")) {
    if (!LoadOutputs(*outputs)) return false;
  }
  return true;
}

bool Expander::LoadVariables(const SourceNode& node) {
  if (!ExpectMap(node, "\"variables\"")) return false;
  for (const auto& [key, decl] : node.entries) {
    if (variables_.count(key.scalar)) {
      diags_->Error("variable \"" + key.scalar + "\" is declared twice", key.pos());
      return false;
    }
    Variable v;
    v.decl = &key;
    if (decl.IsScalar()) {  // shorthand: `name: default`
      v.value = decl.scalar;
      v.has_value = true;
      variables_[key.scalar] = std::move(v);
      continue;
    }
    if (!decl.IsNull()) {
      if (!ExpectMap(decl, "variable \"" + key.scalar + "\"")) return false;
      if (!CheckKeys(decl, kVariableKeys, "variable \"" + key.scalar + "\"")) return false;
    }
    if (const SourceNode* t = decl.IsNull() ? nullptr : decl.Get("type")) {
      if (!t->IsScalar() ||
          std::find(kVariableTypes.begin(), kVariableTypes.end(), t->scalar) ==
              kVariableTypes.end()) {
        diags_->Error("variable type must be string, number or bool" +
                          (t->IsScalar() ? DidYouMean(t->scalar, kVariableTypes) : ""),
                      t->pos());
        return false;
      }
      v.type = t->scalar;
    }
    if (const SourceNode* sens = decl.IsNull() ? nullptr : decl.Get("sensitive")) {
      if (!sens->IsScalar() || (sens->scalar != "true" && sens->scalar != "false")) {
        diags_->Error("\"sensitive\" of variable \"" + key.scalar + "\" must be true or false",
                      sens->pos());
        return false;
      }
      v.sensitive = sens->scalar == "true";
    }
    if (const SourceNode* d = decl.IsNull() ? nullptr : decl.Get("default")) {
      if (!d->IsScalar() || !Coerce(v.type, d->scalar, &v.value)) {
        diags_->Error("default of variable \"" + key.scalar + "\" must be a " + v.type, d->pos());
        return false;
      }
      v.has_value = true;
    }
    variables_[key.scalar] = std::move(v);
  }
  return true;
}

bool Expander::ApplyVariableOverrides() {
  std::vector<std::string> names;
  for (const auto& [name, v] : variables_) names.push_back(name);
  auto set = [&](const std::string& name, const std::string& text, const SourcePos& pos) {
    auto it = variables_.find(name);
    if (it == variables_.end()) {
      diags_->Error("no variable named \"" + name + "\" is declared" + DidYouMean(name, names),
                    pos, "declare it under \"variables:\" in the blueprint");
      return false;
    }
    if (size_t bad = FindInvalidUtf8(text); bad != std::string::npos) {
      diags_->Error("variable \"" + name + "\": " + NotUtf8(text[bad]), pos);
      return false;
    }
    if (!Coerce(it->second.type, text, &it->second.value)) {
      diags_->Error("variable \"" + name + "\" must be a " + it->second.type + ", got " +
                        (it->second.sensitive ? std::string(kRedacted) : "\"" + text + "\""),
                    pos);
      return false;
    }
    it->second.has_value = true;
    return true;
  };
  for (const auto& file : options_.var_files) {
    auto doc = std::make_unique<SourceDocument>();
    if (!LoadYamlFile(file, doc.get(), diags_)) return false;
    const SourceNode* root = &doc->root;
    documents_.push_back(std::move(doc));
    if (root->IsNull()) continue;
    if (!ExpectMap(*root, "a variables file")) return false;
    for (const auto& [key, value] : root->entries) {
      if (!value.IsScalar()) {
        diags_->Error("value of variable \"" + key.scalar + "\" must be a scalar, got " +
                          std::string(value.Describe()),
                      value.pos());
        return false;
      }
      if (!set(key.scalar, value.scalar, value.pos())) return false;
    }
  }
  for (const auto& [name, text] : options_.vars) {
    if (!set(name, text, {"--var " + name, 0, 0})) return false;
  }
  for (const auto& [name, v] : variables_) {
    if (!v.has_value) {
      diags_->Error("variable \"" + name + "\" has no value", v.decl->pos(),
                    "give it a default, or pass --var " + name + "=VALUE");
    } else if (v.sensitive) {
      secret_values_.push_back(v.value.is_string() ? v.value.get<std::string>() : v.value.dump());
    }
  }
  return !diags_->HasErrors();
}

bool Expander::LoadProviders(const SourceNode& node) {
  if (!ExpectMap(node, "\"providers\"")) return false;
  std::vector<std::string> known;
  for (const auto& [name, schema] : schemas_.target_types) known.push_back(name);
  for (const auto& [key, block] : node.entries) {
    auto schema = schemas_.target_types.find(key.scalar);
    if (schema == schemas_.target_types.end()) {
      diags_->Error("unknown provider \"" + key.scalar + "\"" + DidYouMean(key.scalar, known),
                    key.pos());
      return false;
    }
    provider_configs_[key.scalar] = {key.scalar, Value::object(), key.pos(), {}};
    if (block.IsNull()) continue;
    if (!ExpectMap(block, "provider \"" + key.scalar + "\"")) return false;
    // The provider's own settings, and defaults for its targets' settings.
    std::vector<std::string> allowed;
    if (auto own = schemas_.provider_settings.find(key.scalar);
        own != schemas_.provider_settings.end()) {
      for (const auto& a : own->second.attributes) allowed.push_back(a.name);
    }
    for (const auto& a : schema->second.attributes) {
      if (a.name != "address") allowed.push_back(a.name);
    }
    if (!CheckKeys(block, allowed, "provider \"" + key.scalar + "\"")) return false;
    provider_blocks_[key.scalar] = &block;
  }
  return true;
}

bool Expander::EvaluateProviders() {
  for (auto& [name, config] : provider_configs_) {
    auto own = schemas_.provider_settings.find(name);
    auto block = provider_blocks_.find(name);
    if (own == schemas_.provider_settings.end() || block == provider_blocks_.end()) continue;
    if (!EvaluateSettings(*block->second, own->second, &config)) return false;
  }
  return true;
}

bool Expander::EvaluateSettings(const SourceNode& block, const ResourceTypeSchema& schema,
                                ProviderConfig* config) {
  for (const auto& [key, value] : block.entries) {
    const AttributeSchema* a = schema.Find(key.scalar);
    if (!a) continue;  // a default for the provider's targets
    // No host: settings cannot name resources.
    Scope scope;
    Value v;
    if (!EvaluateAttribute(value, *a, &scope, &v)) return false;
    std::string setting = key.scalar;
    if (!a->file_into.empty()) {
      // A local file whose content is the setting (a credentials file).
      if (!ReadLocalFile(value, *a, &scope, &v)) return false;
      setting = a->file_into;
      a = schema.Find(setting);
    } else if (a->local_path && v.is_string()) {
      v = AbsoluteLocalPath(v.get<std::string>(), value.pos());
    }
    if (scope.sensitive || (a && a->sensitive)) {
      AddOnce(&config->sensitive, setting);
      // A key written as is in the blueprint is kept out of output too.
      if (v.is_string()) secret_values_.push_back(v.get<std::string>());
    }
    config->settings[setting] = std::move(v);
  }
  return true;
}

}  // namespace mfgctl
