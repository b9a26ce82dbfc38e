#include "engine/state/move.h"

#include <algorithm>

#include "engine/model/suggest.h"

namespace mfgctl {

const ResourceState* FindInState(const StateSnapshot& state, const std::string& address,
                                 Diagnostics* diags) {
  auto it = state.resources.find(address);
  if (it != state.resources.end()) return &it->second;
  std::vector<std::string> known;
  for (const auto& [a, r] : state.resources) known.push_back(a);
  diags->Error("no resource " + address + " in the state" + DidYouMean(address, known));
  return nullptr;
}

bool MoveInState(StateSnapshot* state, const std::string& from, const std::string& to,
                 StateMove* move, Diagnostics* diags) {
  std::optional<ResourceAddress> dest = ResourceAddress::Parse(to);
  if (!dest) {
    diags->Error("\"" + to + "\" is not a resource address", {},
                 "write it as TARGET:KIND[NAME], e.g. gw1:file[/etc/motd]");
    return false;
  }
  const ResourceState* source = FindInState(*state, from, diags);
  if (!source) return false;
  // Parse again: the state's key is the text, `to` may be spelled otherwise.
  std::string to_text = dest->ToString();
  if (state->resources.count(to_text)) {
    diags->Error("cannot move " + from + " to " + to_text + ": " + to_text +
                     " is already in the state",
                 {}, "remove it first with mfgctl state rm " + to_text);
    return false;
  }
  const ResourceAddress old_addr = source->address;  // a copy: the entry is renamed below
  if (dest->kind != old_addr.kind) {
    diags->Error("cannot move " + from + " to " + to_text + ": a " + source->type +
                 " keeps its kind (" + old_addr.kind + ", not " + dest->kind + ")");
    return false;
  }
  if (dest->target != old_addr.target && !state->targets.count(dest->target)) {
    std::vector<std::string> known;
    for (const auto& [name, t] : state->targets) known.push_back(name);
    diags->Error("cannot move " + from + " to " + to_text + ": the state has no target \"" +
                     dest->target + "\"" + DidYouMean(dest->target, known),
                 {}, "apply a resource on it first, so its connection settings are recorded");
    return false;
  }
  *move = StateMove{from, to_text, {}};
  auto node = state->resources.extract(from);
  node.key() = to_text;
  node.mapped().address = *dest;
  state->resources.insert(std::move(node));
  for (auto& [addr, r] : state->resources) {
    bool changed = false;
    for (auto& d : r.dependencies) {
      if (d == from) {
        d = to_text;
        changed = true;
      }
    }
    if (changed) move->rewired.push_back(addr);
  }
  bool used = std::any_of(state->resources.begin(), state->resources.end(),
                          [&](const auto& e) { return e.second.address.target == old_addr.target; });
  if (!used) state->targets.erase(old_addr.target);
  return true;
}

}  // namespace mfgctl
