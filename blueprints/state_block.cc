// The `state:` block: where the plant's state lives (local, etcd, http).
#include "blueprints/expander.h"
#include "engine/model/suggest.h"

namespace mfgctl {

bool Expander::LoadState(const SourceNode& node) {
  if (state_block_) {
    diags_->Error("\"state\" is declared twice; the first is at " + state_block_->pos().ToString(),
                  node.pos());
    return false;
  }
  if (!ExpectMap(node, "\"state\"")) return false;
  std::vector<std::string> backends;
  for (const auto& [name, schema] : schemas_.state_backends) backends.push_back(name);
  std::string backend = "local";
  const SourceNode* written = node.Get("backend");
  if (written) {
    if (!written->IsScalar() || !schemas_.state_backends.count(written->scalar)) {
      std::string choices;
      for (const auto& b : backends) choices += (choices.empty() ? "" : ", ") + b;
      diags_->Error("\"state.backend\" must be one of " + choices + ", got " +
                        std::string(written->IsScalar() ? "\"" + written->scalar + "\""
                                                        : written->Describe()) +
                        (written->IsScalar() ? DidYouMean(written->scalar, backends) : ""),
                    written->pos());
      return false;
    }
    backend = written->scalar;
  }
  auto schema = schemas_.state_backends.find(backend);
  if (schema == schemas_.state_backends.end()) {
    diags_->Error("no state backend \"" + backend + "\" is built in", node.pos());
    return false;
  }
  std::vector<std::string> allowed = {"backend"};
  for (const auto& a : schema->second.attributes) allowed.push_back(a.name);
  if (!CheckKeys(node, allowed, "\"state\" (backend " + backend + ")")) return false;
  for (const auto& a : schema->second.attributes) {
    if (a.required && !node.Get(a.name)) {
      diags_->Error("the " + backend + " state backend needs \"" + a.name + "\": " +
                        a.description,
                    node.pos());
      return false;
    }
  }
  state_block_ = &node;
  state_config_ = ProviderConfig{backend, Value::object(), node.pos(), {}};
  return true;
}

bool Expander::EvaluateState() {
  if (!state_block_) return true;
  return EvaluateSettings(*state_block_, schemas_.state_backends.at(state_config_->provider),
                          &*state_config_);
}

}  // namespace mfgctl
