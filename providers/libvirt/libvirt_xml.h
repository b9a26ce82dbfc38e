#pragma once

// libvirt's XML, both ways: what a hypervisor's definitions say, as the
// attributes mfgctl compares, and the definitions mfgctl writes. The only
// user of pugixml. Pure text in, values out.

#include <string>
#include <string_view>

#include "engine/model/value.h"

namespace mfgctl {

/// Where mfgctl keeps a VM's cloud-init seed ISO on its hypervisor.
std::string SeedPath(const std::string& vm);

/// The attributes of a domain's persistent definition (`dumpxml
/// --inactive`): name, uuid, domain_type, vcpus, max_vcpus, memory_mib,
/// max_memory_mib, disks [{volume, pool, format, bus, target} or {file,
/// ...}], interfaces [{network, mac, model}], the cloud-init seed's
/// digests mfgctl left in its metadata (user_data, meta_data,
/// network_config) and `seed` (the seed cdrom's path, absent without one).
/// The seed cdrom is not among the disks. False and `error` when the text
/// is not a domain.
bool ParseDomainXml(std::string_view xml, Value* out, std::string* error);

/// A network's definition: name, uuid, mode (nat, isolated, bridge,
/// route, ...), bridge, ip (`ADDR/PREFIX`), dhcp {start, end}.
bool ParseNetworkXml(std::string_view xml, Value* out, std::string* error);

/// A storage pool's definition: name, uuid, type, path.
bool ParsePoolXml(std::string_view xml, Value* out, std::string* error);

/// A volume: name, path, capacity_bytes, format, backing (the backing
/// file's path, absent without one).
bool ParseVolumeXml(std::string_view xml, Value* out, std::string* error);

/// A new domain's definition from a libvirt.vm's attributes (disks with
/// their pool and format filled in). `domain_type` defaults to `kvm`; the
/// seed cdrom is attached when the VM has cloud-init data.
std::string DomainXml(const std::string& name, const Value& attrs);

/// One disk or interface element, for attach-device / detach-device.
/// `target` is the disk's device name (vdb).
std::string DiskXml(const Value& disk, const std::string& target);
std::string InterfaceXml(const Value& iface);

/// The cloud-init digests mfgctl keeps in a domain's metadata (for
/// `virsh metadata --key mfgctl`), from a VM's attributes.
std::string CloudInitMetadataXml(const Value& attrs);
/// The namespace URI of mfgctl's domain metadata.
inline constexpr const char* kMetadataUri = "https://mfgctl.dev/xmlns/libvirt/1";

/// A network's definition from a libvirt.network's attributes; `uuid`
/// (when not empty) keeps the network's identity on redefine.
std::string NetworkXml(const std::string& name, const Value& attrs, const std::string& uuid);

}  // namespace mfgctl
