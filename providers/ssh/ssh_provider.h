#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "engine/provider/provider.h"
#include "providers/shell/host_connections.h"
#include "providers/shell/host_resource.h"

namespace mfgctl {

/// Plain Linux hosts over SSH: packages, files, users, services and the
/// rest, through the run's one connection per host (HostConnections),
/// reused for the read and every action; nothing on the host but a POSIX
/// shell and its usual tools.
class SshProvider : public Provider {
 public:
  explicit SshProvider(HostConnections& connections);
  ~SshProvider() override;

  std::string Name() const override { return "ssh"; }
  ResourceTypeSchema TargetSchema() const override;
  std::vector<ResourceTypeSchema> Schemas() const override;
  ReadResponse Read(const ReadRequest& req) override;
  ApplyResponse Apply(const ApplyRequest& req) override;
  ModifyPlanResponse ModifyPlan(const ModifyPlanRequest& req) override;
  /// Every ready action of a host in one round trip (HostConnections::
  /// RunSteps): one step per action, or one for all actions of a type that
  /// has a combined step (one package-manager call). A combined step that
  /// fails is retried as one step per action, in one more round trip, so
  /// that each failure lands on its own resource. Successes are reported
  /// as the host's output shows them, unless their type has computed
  /// attributes to read back first.
  bool AppliesTogether() const override { return true; }
  void ApplyBatch(const std::vector<ApplyRequest>& reqs, const ApplyProgress& done) override;

 private:
  const HostResourceType* TypeOf(const std::string& type) const;
  /// Whether the type has computed attributes (read back after apply).
  bool HasComputed(const std::string& type) const;
  /// Fills the state of each response that succeeded and whose type has
  /// computed attributes from one more read of the host, so that state
  /// records what the host chose (an installed version, a uid).
  void ReadBack(const std::vector<const ApplyRequest*>& reqs,
                std::vector<ApplyResponse>* responses);

  HostConnections& connections_;
  std::map<std::string, std::unique_ptr<HostResourceType>> types_;
  std::set<std::string> computed_types_;  // types with computed attributes
};

}  // namespace mfgctl
