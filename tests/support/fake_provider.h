#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/provider/provider.h"
#include "engine/provider/registry.h"

namespace mfgctl {

/// A provider over an in-memory world, recording every call: engine tests
/// set what is "live", run plan or apply, and assert the calls and results.
/// Types: `NAME.thing` (attributes `value`, `size` (number), `secret`
/// (sensitive), `kind` (forces replacement), `state` (present or absent),
/// `lifecycle` (an object: `enabled`, and `rule`, a list of objects with
/// `days`, `prefix` and force-new `storage`), `ports` (a map of objects:
/// `number`, `protocol`), `id` (computed: made on creation, `id-NAME-N`)),
/// `NAME.pkg`, applied in batches, and `NAME.step`, applied alone; NAME is
/// `fake` unless given, so a second instance can be a second provider. Its
/// `providers:` settings (ConfigSchema) are a cloud provider's: `endpoint`,
/// `region`, sensitive `access_key` and `secret_key`, and `credentials_file`
/// (a local file whose content becomes the sensitive `credentials`).
class FakeProvider : public Provider {
 public:
  explicit FakeProvider(std::string name = "fake") : name_(std::move(name)) {}
  std::string Name() const override { return name_; }
  int MaxActionsPerTarget() const override { return max_actions_per_target; }
  bool AppliesTogether() const override { return applies_together; }
  ResourceTypeSchema TargetSchema() const override;
  std::vector<ResourceTypeSchema> Schemas() const override;
  ResourceTypeSchema ConfigSchema() const override;
  /// Records the settings (a "configure" call), then answers
  /// `configure_errors`.
  ConfigureResponse Configure(const ConfigureRequest& req) override;
  ReadResponse Read(const ReadRequest& req) override;
  ApplyResponse Apply(const ApplyRequest& req) override;
  /// Records the batch, then applies one by one, reporting each (all at
  /// once when applies_together).
  void ApplyBatch(const std::vector<ApplyRequest>& reqs, const ApplyProgress& done) override;
  /// Sizes of the ApplyBatch calls (`fake.pkg` is batch_apply; every type
  /// comes together when applies_together is set).
  std::vector<size_t> batches;

  /// Whether ConfigSchema requires `endpoint`.
  bool endpoint_required = false;
  /// What Configure fails with.
  std::vector<std::string> configure_errors;
  /// The settings of each Configure call.
  std::vector<Value> configured;

  /// The live world: address -> attributes (canonical).
  std::map<std::string, Value> live;
  /// Targets whose reads and applies fail as unreachable.
  std::set<std::string> unreachable;
  /// Addresses whose apply fails.
  std::set<std::string> failing;
  /// What MaxActionsPerTarget says.
  int max_actions_per_target = 1;
  /// What AppliesTogether says.
  bool applies_together = false;
  /// What ModifyPlan answers, by address.
  std::map<std::string, ModifyPlanResponse> modify_plan;
  ModifyPlanResponse ModifyPlan(const ModifyPlanRequest& req) override {
    auto it = modify_plan.find(req.address.ToString());
    return it == modify_plan.end() ? ModifyPlanResponse{} : it->second;
  }
  /// When above 1, each apply waits (up to 5 s) until this many applies are
  /// in flight at once: proof that the walker runs them together.
  int rendezvous = 0;
  /// The most applies that were ever in flight at once.
  int MaxInFlight() const;

  struct Call {
    std::string kind;  // "configure", "read" or the action name
    std::string what;  // provider (configure), target (read) or address (apply)
  };
  std::vector<Call> Calls() const;
  /// Items per read call, for batching assertions.
  std::vector<size_t> ReadSizes() const;

 private:
  std::string name_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0, max_in_flight_ = 0;
  int ids_made_ = 0;
  std::vector<Call> calls_;
  std::vector<size_t> read_sizes_;
};

/// Registers a new FakeProvider named `name` in `registry`, which owns it;
/// the test keeps the pointer to program and inspect it. Null when the
/// registry refuses it (a provider of that name is there already).
FakeProvider* AddFakeProvider(ProviderRegistry* registry, const std::string& name = "fake");

}  // namespace mfgctl
