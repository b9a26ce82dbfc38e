#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/provider/provider.h"

namespace mfgctl {

/// A provider over an in-memory world, recording every call: engine tests
/// set what is "live", run plan or apply, and assert the calls and results.
/// Types: `fake.thing` (attributes `value`, `size` (number), `secret`
/// (sensitive), `kind` (forces replacement), `state` (present or absent)),
/// and `fake.pkg`, applied in batches.
class FakeProvider : public Provider {
 public:
  std::string Name() const override { return "fake"; }
  ResourceTypeSchema TargetSchema() const override;
  std::vector<ResourceTypeSchema> Schemas() const override;
  ReadResponse Read(const ReadRequest& req) override;
  ApplyResponse Apply(const ApplyRequest& req) override;
  /// Records the batch, then applies one by one.
  std::vector<ApplyResponse> ApplyBatch(const std::vector<ApplyRequest>& reqs) override;
  /// Sizes of the ApplyBatch calls (`fake.pkg` is batch_apply).
  std::vector<size_t> batches;

  /// The live world: address -> attributes (canonical).
  std::map<std::string, Value> live;
  /// Targets whose reads and applies fail as unreachable.
  std::set<std::string> unreachable;
  /// Addresses whose apply fails.
  std::set<std::string> failing;

  struct Call {
    std::string kind;  // "read" or the action name
    std::string what;  // target (read) or address (apply)
  };
  std::vector<Call> Calls() const;
  /// Items per read call, for batching assertions.
  std::vector<size_t> ReadSizes() const;

 private:
  mutable std::mutex mu_;
  std::vector<Call> calls_;
  std::vector<size_t> read_sizes_;
};

}  // namespace mfgctl
