#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine/model/diagnostics.h"
#include "engine/model/resource.h"
#include "engine/model/schema.h"
#include "engine/model/value.h"
#include "engine/model/action.h"

namespace mfgctl {

/// One resource whose live state a provider should read.
struct ReadItem {
  ResourceAddress address;
  std::string type;
  Value desired;  // null when only the state still knows it
  Value prior;    // null when the state does not know it
};

struct ReadResult {
  bool exists = false;
  /// Live attributes, canonical (digests for digest attributes).
  Value attributes = Value::object();
  Diagnostics diagnostics;
};

/// Every resource of one target, read together: a provider makes this one
/// round trip (one SSH exec per host).
struct ReadRequest {
  const Target* target = nullptr;
  std::vector<ReadItem> items;
};

struct ReadResponse {
  std::vector<ReadResult> results;  // one per item, same order
  /// Target-level failures (unreachable host, refused key): every item of
  /// the target is failed by them.
  Diagnostics diagnostics;
};

/// One action on one resource. `after` holds the desired attributes in full
/// (content, not digest); `before` the canonical prior state.
struct ApplyRequest {
  const Target* target = nullptr;
  ResourceAddress address;
  std::string type;
  Action action = Action::kNoOp;
  Value before;
  Value after;
  /// Resources that changed in this apply and notify this one (a service
  /// to restart); empty otherwise.
  std::vector<std::string> triggered_by;
  /// The plan says this change restarts the resource (ModifyPlanResponse::
  /// restarts): without it, nothing running is stopped.
  bool restart = false;
};

struct ApplyResponse {
  Diagnostics diagnostics;
  /// The resource as the provider sees it once the action is done,
  /// canonical: at least its computed attributes (an installed version, a
  /// MAC, a server-made id), which the engine records in state and hands
  /// to resources that reference them. Null: nothing beyond what was asked.
  Value state;
};

/// Responses to a batch's requests as they become known: each with the
/// number of its request.
using ApplyProgress = std::function<void(std::vector<std::pair<size_t, ApplyResponse>>)>;

/// A planned change a provider may refine from what it knows of the
/// resource (ModifyPlan). `before` and `after` are canonical (sealed where
/// sensitive); `before` is null for a creation, `after` for a deletion.
struct ModifyPlanRequest {
  const Target* target = nullptr;
  ResourceAddress address;
  std::string type;
  Action action = Action::kNoOp;
  const Value* before = nullptr;
  const Value* after = nullptr;
  /// The blueprint's attributes as written, plan-only ones too (`restart:
  /// allowed`); null when the blueprint no longer has the resource.
  const Value* config = nullptr;
  /// The run names the resource in --allow-restart.
  bool restart_allowed = false;
  /// The resource is protected (lifecycle.protected): it is restarted only
  /// when the run names it.
  bool is_protected = false;
};

struct ModifyPlanResponse {
  /// Attributes (or nested paths) whose change this provider cannot make
  /// in place: an update becomes a replacement, naming them.
  std::vector<std::string> requires_replace;
  /// What the plan prints with the change ("needs the VM stopped", "takes
  /// effect at the next login").
  std::vector<std::string> notes;
  /// The change stops and starts the resource (a VM whose new vCPU count
  /// needs it stopped, where the blueprint or the run allows it).
  bool restarts = false;
  /// Computed attributes this update gives new values (a reloaded image's
  /// ID): `(known after apply)`, and what references them waits for apply.
  std::vector<std::string> renews;
  /// Errors fail the change: a change the resource cannot take at all (a
  /// volume that would shrink).
  Diagnostics diagnostics;
};

/// What a provider is configured with for one run, before any read or
/// apply: its `providers.NAME` block's settings (ConfigSchema), plain —
/// secrets included, local paths absolute — or an empty object when the
/// blueprint has no block.
struct ConfigureRequest {
  Value settings = Value::object();
};

struct ConfigureResponse {
  /// Errors fail every resource of this provider in the run.
  Diagnostics diagnostics;
};

/// The contract between the engine and a provider: request/response
/// structs, so new fields break nobody and the same shape can later cross a
/// process boundary. A provider never prints. Read and Apply may be called
/// from several threads at once: for different targets, and for one target
/// up to its MaxActionsPerTarget (or the target's `max_parallel`).
class Provider {
 public:
  virtual ~Provider() = default;

  /// The provider's name as blueprints write it under `providers:` ("ssh").
  virtual std::string Name() const = 0;
  /// The settings of one target (for `ssh`: address, port, user, key
  /// files), as hosts and the `providers:` block write them.
  virtual ResourceTypeSchema TargetSchema() const = 0;
  virtual std::vector<ResourceTypeSchema> Schemas() const = 0;
  /// The settings a `providers:` block configures this provider with,
  /// beyond its targets' defaults: credentials, endpoint, project, region.
  /// Those marked sensitive (keys, a credentials file's content) never
  /// reach state, plan files or output. None by default.
  virtual ResourceTypeSchema ConfigSchema() const { return {}; }
  /// Called once per run before any Read or Apply, with settings that
  /// passed ConfigSchema. An error fails this provider's resources.
  virtual ConfigureResponse Configure(const ConfigureRequest& /*req*/) { return {}; }
  virtual ReadResponse Read(const ReadRequest& req) = 0;
  virtual ApplyResponse Apply(const ApplyRequest& req) = 0;
  /// Looks at a change the planner made before it is shown: may turn an
  /// update into a replacement or attach notes, without the engine knowing
  /// why. The default changes nothing.
  virtual ModifyPlanResponse ModifyPlan(const ModifyPlanRequest& /*req*/) { return {}; }
  /// How many of this provider's actions one target takes at once, unless
  /// the target's `max_parallel` says otherwise: a host over one SSH
  /// session takes one (and batches), an HTTP endpoint several.
  virtual int MaxActionsPerTarget() const { return 1; }
  /// Whether the walker hands this provider every ready action of a target
  /// at once (ApplyBatch), whatever their types: a host over SSH carries
  /// them out in one round trip. Otherwise only the actions of one
  /// `batch_apply` type come together.
  virtual bool AppliesTogether() const { return false; }
  /// Several independent actions on one target (of one `batch_apply` type,
  /// or of any types when AppliesTogether), which the provider may carry
  /// out together, each failing only its own resource. Every request's
  /// response goes to `done` (with the request's number) as soon as it is
  /// known — those known together in one call — and before ApplyBatch
  /// returns: the engine records each in state at once, so a run killed in
  /// the middle of a batch loses none that finished. The default applies
  /// them one by one.
  virtual void ApplyBatch(const std::vector<ApplyRequest>& reqs, const ApplyProgress& done) {
    for (size_t i = 0; i < reqs.size(); ++i) done({{i, Apply(reqs[i])}});
  }
};

}  // namespace mfgctl
