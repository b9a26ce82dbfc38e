#pragma once

// The `libvirt` provider's resource types, one file each: networks, storage
// pools, volumes and VMs on a hypervisor, driven through `virsh` over the
// host's SSH session.

#include <memory>
#include <string>

#include "engine/provider/provider.h"
#include "providers/libvirt/inventory.h"
#include "providers/shell/host_resource.h"

namespace mfgctl {

/// What every step needs to know of the provider's configuration.
struct LibvirtSettings {
  std::string uri = "qemu:///system";
  /// Seconds a VM has to shut down by itself before it is forced off.
  int shutdown_timeout = 120;
};

/// When a planned change takes effect, as the plan says with it.
inline constexpr const char* kLive = "live";
inline constexpr const char* kNextBoot = "next boot";
inline constexpr const char* kNeedsStop = "needs stop";

class LibvirtType {
 public:
  virtual ~LibvirtType() = default;

  virtual ResourceTypeSchema Schema() const = 0;
  /// The volume this item needs read (volumes only).
  virtual bool Volume(const ReadItem& /*item*/, VolumeQuery* /*query*/) const { return false; }
  /// The item's live state, canonical, from what the hypervisor holds;
  /// `volume` is the item's VolumeQuery number when it asked for one.
  virtual ReadResult Interpret(const LibvirtInventory& live, const ReadItem& item,
                               size_t volume) const = 0;
  /// The shell that carries out one action; it starts with VirshPrelude.
  virtual HostStep Step(const ApplyRequest& req, const LibvirtSettings& settings) const = 0;
  virtual ModifyPlanResponse ModifyPlan(const ModifyPlanRequest& /*req*/) const { return {}; }
};

std::unique_ptr<LibvirtType> MakeNetworkType();
std::unique_ptr<LibvirtType> MakePoolType();
std::unique_ptr<LibvirtType> MakeVolumeType();
std::unique_ptr<LibvirtType> MakeVmType();

/// An attribute as a number (0 when unset).
long long NumberAttr(const Value& attrs, const char* name);
/// Whether `after` sets `key` to something other than `before` has.
bool Changes(const Value& before, const Value& after, const char* key);
/// The `active`/`autostart` commands for a network (`net-`) or pool
/// (`pool-`) named `quoted`, for what `after` sets.
std::string ActivationCommands(const char* prefix, const std::string& quoted, const Value& before,
                               const Value& after);
/// Whether the read is of something to be deleted: dropped from the
/// blueprint, or `state: absent`.
bool ToBeDeleted(const ReadItem& item);
/// The VMs in `live` outside the blueprint that `uses` says use something.
std::string UsersOutsideBlueprint(const LibvirtInventory& live,
                                  const std::function<bool(const Value& domain)>& uses);

}  // namespace mfgctl
