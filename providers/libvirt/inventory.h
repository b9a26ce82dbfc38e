#pragma once

// What one hypervisor holds, read in a single round trip: one script lists
// every domain, network and pool by UUID in one `virsh` session, then dumps
// each one's persistent definition and its runtime facts (and the volumes
// asked for) in a second — commands piped into `virsh -q`, one process.

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/value.h"

namespace mfgctl {

/// A volume to read: its pool and name on the hypervisor.
struct VolumeQuery {
  std::string pool;
  std::string name;
  /// Also print the SHA-256 of its bytes (a volume uploaded from a local
  /// image that the state does not know yet).
  bool hash = false;
};

/// One defined object: its definition's attributes (ParseDomainXml, ...)
/// and its `dominfo`/`net-info`/`pool-info` lines, by key.
struct LibvirtObject {
  Value def = Value::object();
  std::map<std::string, std::string> info;
};

struct LibvirtInventory {
  std::vector<LibvirtObject> domains;
  std::vector<LibvirtObject> networks;
  std::vector<LibvirtObject> pools;
  /// The volumes asked for, by query number; absent when it does not exist.
  std::map<size_t, Value> volumes;
  /// The SHA-256 digests asked for, by query number.
  std::map<size_t, std::string> volume_digests;
  /// Definitions that did not parse (a diagnostic each).
  std::vector<std::string> errors;
  /// The VMs the blueprint or the state knows on this hypervisor (what is
  /// "outside the blueprint" is the rest).
  std::set<std::string> managed_vms;

  const LibvirtObject* Domain(const std::string& name) const;
  const LibvirtObject* Network(const std::string& name) const;
  const LibvirtObject* Pool(const std::string& name) const;
};

/// The exit status of the read script on a host without `virsh`.
inline constexpr int kNoLibvirtExit = 3;

/// The read script for a hypervisor reached with `virsh -c uri`. `nonce`
/// makes its markers ones no definition can forge. Exit status 0 once
/// libvirt answered, kNoLibvirtExit when libvirt is not installed;
/// otherwise its error output says why.
std::string BuildInventoryScript(const std::string& uri, const std::vector<VolumeQuery>& volumes,
                                 const std::string& nonce);

/// The script's output as an inventory.
LibvirtInventory ParseInventory(std::string_view out, const std::string& nonce);

/// The prelude every libvirt step starts with: `V` runs virsh on `uri`,
/// `stop_vm NAME` shuts a domain down gracefully, forcing it off after
/// `shutdown_timeout` seconds.
std::string VirshPrelude(const std::string& uri, int shutdown_timeout);

}  // namespace mfgctl
