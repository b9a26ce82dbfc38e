#include "engine/plan/drift.h"

#include "engine/model/sensitive.h"
#include "engine/plan/differ.h"

namespace mfgctl {

PlanChange DriftChange(const ResourceTypeSchema& schema, const ResourceState& recorded,
                       const ReadResult& live, std::string_view salt) {
  PlanChange change;
  change.address = recorded.address;
  change.type = recorded.type;
  change.depends_on = recorded.dependencies;
  change.sensitive = SensitiveNames(schema, nullptr, &recorded);
  change.is_protected = recorded.is_protected;
  change.before = recorded.attributes;
  if (!live.exists) {
    change.action = Action::kDelete;
    return change;
  }
  Value now = SealNamed(live.attributes, change.sensitive, salt);
  change.after = recorded.attributes;
  for (const auto& [name, was] : recorded.attributes.items()) {
    auto it = now.find(name);
    // What a provider cannot read back (a command's `run`) never drifts.
    if (it == now.end()) continue;
    const AttributeSchema* a = schema.Find(name);
    // ChangedPaths compares the keys of its `after`: the recorded ones.
    bool drifted =
        a && IsNested(a->type) ? !ChangedPaths(*a, *it, was).empty() : !SameValue(*it, was);
    if (drifted) change.after[name] = *it;
  }
  change.action = SameValue(change.after, change.before) ? Action::kNoOp : Action::kUpdate;
  return change;
}

}  // namespace mfgctl
