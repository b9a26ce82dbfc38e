#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/model/action.h"
#include "engine/model/diagnostics.h"
#include "engine/model/resource.h"
#include "engine/model/value.h"

namespace mfgctl {

/// One planned action: what the resource is (`before`, canonical live state,
/// null when absent) and what it will be (`after`, canonical desired state,
/// null when deleted). Sensitive and digest attributes appear as digests.
struct PlanChange {
  ResourceAddress address;
  std::string type;
  Action action = Action::kNoOp;
  Value before;
  Value after;
  /// Attributes whose change forces the replacement.
  std::vector<std::string> replace_because;
  /// Addresses this resource depends on (from the blueprint or the state).
  std::vector<std::string> depends_on;
  /// Changes in this plan that notify this resource (it will be restarted).
  std::vector<std::string> triggered_by;
  /// Attributes sealed in `before` and `after` (engine/model/sensitive.h).
  std::vector<std::string> sensitive;
  /// Attributes whose value is known only after apply: computed ones the
  /// blueprint leaves out of a resource being created or replaced.
  std::vector<std::string> unknown;
  /// The resource is protected (lifecycle.protected) and stays so in state.
  bool is_protected = false;
  /// What its provider says about the change (Provider::ModifyPlan).
  std::vector<std::string> notes;
  /// The change stops and starts the resource (ModifyPlanResponse::restarts).
  bool restarts = false;
};

/// The result of planning: changes in dependency order (deletions in reverse
/// dependency order) and what the plan was made against, so that a saved
/// plan can refuse to apply to a moved state or an edited blueprint.
struct Plan {
  std::string plant;
  bool destroy = false;
  std::string state_lineage;
  uint64_t state_serial = 0;
  std::string config_digest;
  /// The salt sensitive values are sealed with: the state's, or a new one
  /// for a plant without state.
  std::string salt;
  std::vector<PlanChange> changes;  // no-ops left out
  /// Targets the changes run on: the blueprint's, else the state's.
  std::map<std::string, Target> targets;
  /// Computed attributes of resources this plan does not make anew that its
  /// changes reference, as they were read (address -> attribute -> value):
  /// the walker puts them where the blueprint referenced them, so a saved
  /// plan applies exactly what it showed.
  std::map<std::string, Value> resolved;
  /// The same for sensitive computed attributes, in plain text: held in
  /// memory for this run's apply only, never written to a plan file (a plan
  /// that has any is not saved). What references them is sealed.
  std::map<std::string, Value> resolved_sensitive;
  /// Resources with no other change whose protection (lifecycle.protected)
  /// the blueprint turns on (true) or off: apply records it in state.
  std::map<std::string, bool> protection;
  /// Resources that could not be planned (unreachable host, read error).
  Diagnostics diagnostics;

  bool HasChanges() const { return !changes.empty() || !protection.empty(); }
};

/// A computed value the plan read for `attribute` of the resource at
/// `address` (Plan::resolved or resolved_sensitive), or null.
const Value* ResolvedValue(const Plan& plan, const std::string& address,
                           const std::string& attribute);

struct PlanSummary {
  int add = 0, change = 0, destroy = 0;
};
PlanSummary Summarize(const Plan& plan);
/// Adds one change of `action` to a summary (a replacement counts as both).
void CountAction(Action action, PlanSummary* summary);

/// A saved plan file's JSON, and back. The plan file carries no plaintext
/// secret: sensitive values are sealed, settings derived from secrets left
/// out; apply takes them from the blueprint.
Value PlanToJson(const Plan& plan, const Value& inputs);
bool PlanFromJson(const Value& j, const std::string& origin, Plan* plan, Value* inputs,
                  Diagnostics* diags);

}  // namespace mfgctl
