#pragma once

#include <map>
#include <memory>
#include <string>

#include "engine/provider/provider.h"
#include "providers/libvirt/libvirt_type.h"
#include "providers/shell/host_connections.h"

namespace mfgctl {

/// Hypervisors through libvirt: networks, storage pools, volumes and VMs,
/// driven by `virsh` on the host over the run's one SSH session per host
/// (HostConnections, shared with the `ssh` provider's resources on the same
/// host). Nothing on the host but libvirt's own tools (and genisoimage for
/// cloud-init seeds).
class LibvirtProvider : public Provider {
 public:
  explicit LibvirtProvider(HostConnections& connections);
  ~LibvirtProvider() override;

  std::string Name() const override { return "libvirt"; }
  /// A hypervisor is an SSH host: its settings are the `ssh` provider's.
  ResourceTypeSchema TargetSchema() const override;
  std::vector<ResourceTypeSchema> Schemas() const override;
  ResourceTypeSchema ConfigSchema() const override;
  ConfigureResponse Configure(const ConfigureRequest& req) override;
  /// Every libvirt item of one hypervisor in one round trip (the
  /// inventory script: two `virsh` sessions in one SSH command).
  ReadResponse Read(const ReadRequest& req) override;
  /// One action; what libvirt chose (a UUID, MACs, device names) is read
  /// back in the same connection before it is reported.
  ApplyResponse Apply(const ApplyRequest& req) override;
  ModifyPlanResponse ModifyPlan(const ModifyPlanRequest& req) override;

 private:
  const LibvirtType* TypeOf(const std::string& type) const;

  HostConnections& connections_;
  LibvirtSettings settings_;
  std::map<std::string, std::unique_ptr<LibvirtType>> types_;
};

}  // namespace mfgctl
