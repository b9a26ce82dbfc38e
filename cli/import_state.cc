#include "cli/import_state.h"

#include "engine/apply/recorder.h"
#include "engine/model/sensitive.h"
#include "engine/plan/differ.h"

namespace mfgctl {

bool ImportReadItem(const Resource& desired, const ResourceTypeSchema& schema,
                    const std::string& id, ReadItem* item, Diagnostics* diags) {
  *item = ReadItem{desired.address, desired.type, desired.attributes, Value()};
  const AttributeSchema* id_attr = schema.Find(kIdAttribute);
  if (id_attr && id_attr->computed) {
    item->prior = {{kIdAttribute, id}};
    return true;
  }
  if (id != desired.address.name) {
    diags->Error(desired.type + " objects are identified by their name: the ID of " +
                     desired.address.ToString() + " is \"" + desired.address.name +
                     "\", not \"" + id + "\"",
                 {}, "mfgctl import " + desired.address.ToString() + " " +
                         desired.address.name);
    return false;
  }
  return true;
}

void RecordImport(const Resource& desired, const ResourceTypeSchema& schema,
                  const Target& target, const Value& live, const std::string& plant,
                  StateSnapshot* state) {
  if (state->lineage.empty()) state->lineage = NewLineage();
  if (state->plant.empty()) state->plant = plant;
  if (state->salt.empty()) state->salt = NewSalt();
  // The import folds in as the creation of what is live, so it is recorded
  // exactly as apply records a change.
  PlanChange change;
  change.address = desired.address;
  change.type = desired.type;
  change.action = Action::kCreate;
  change.depends_on = desired.depends_on;
  change.sensitive = SensitiveNames(schema, &desired, nullptr);
  change.is_protected = desired.is_protected;
  Plan plan;
  plan.salt = state->salt;
  plan.targets[target.name] = target;
  FoldChange(change, SealNamed(live, change.sensitive, state->salt), plan, state);
}

}  // namespace mfgctl
