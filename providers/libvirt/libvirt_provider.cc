#include "providers/libvirt/libvirt_provider.h"

#include <algorithm>

#include "engine/model/sensitive.h"

namespace mfgctl {
namespace {

std::string NoSuchType(const std::string& type) {
  return "the libvirt provider has no resource type \"" + type + "\"";
}

}  // namespace

LibvirtProvider::LibvirtProvider(HostConnections& connections) : connections_(connections) {
  for (auto make : {MakeNetworkType, MakePoolType, MakeVolumeType, MakeVmType}) {
    auto type = make();
    types_[type->Schema().type] = std::move(type);
  }
}

LibvirtProvider::~LibvirtProvider() = default;

ResourceTypeSchema LibvirtProvider::TargetSchema() const {
  ResourceTypeSchema s;
  s.type = "libvirt";
  s.description = "Hypervisors are SSH hosts: they take the ssh provider's settings.";
  return s;
}

std::vector<ResourceTypeSchema> LibvirtProvider::Schemas() const {
  std::vector<ResourceTypeSchema> out;
  for (const auto& [name, type] : types_) out.push_back(type->Schema());
  return out;
}

ResourceTypeSchema LibvirtProvider::ConfigSchema() const {
  ResourceTypeSchema s;
  s.type = "libvirt";
  s.attributes = {
      {.name = "uri",
       .description = "The libvirt connection virsh uses on each hypervisor (default "
                      "qemu:///system)."},
      {.name = "shutdown_timeout", .type = AttrType::kNumber,
       .description = "Seconds a VM has to shut down gracefully (ACPI) before it is forced off "
                      "(default 120)."},
  };
  return s;
}

ConfigureResponse LibvirtProvider::Configure(const ConfigureRequest& req) {
  ConfigureResponse resp;
  settings_ = LibvirtSettings{};
  if (auto uri = req.settings.find("uri"); uri != req.settings.end() && uri->is_string()) {
    settings_.uri = uri->get<std::string>();
  }
  if (auto t = req.settings.find("shutdown_timeout"); t != req.settings.end() && t->is_number()) {
    if (t->get<double>() < 0) {
      resp.diagnostics.Error("libvirt's shutdown_timeout must be 0 or more seconds");
    } else {
      settings_.shutdown_timeout = t->get<int>();
    }
  }
  return resp;
}

const LibvirtType* LibvirtProvider::TypeOf(const std::string& type) const {
  auto it = types_.find(type);
  return it == types_.end() ? nullptr : it->second.get();
}

ReadResponse LibvirtProvider::Read(const ReadRequest& req) {
  ReadResponse resp;
  std::vector<VolumeQuery> volumes;
  std::vector<size_t> volume_of(req.items.size(), SIZE_MAX);
  std::set<std::string> managed;
  for (size_t i = 0; i < req.items.size(); ++i) {
    const LibvirtType* type = TypeOf(req.items[i].type);
    VolumeQuery q;
    if (type && type->Volume(req.items[i], &q)) {
      volume_of[i] = volumes.size();
      volumes.push_back(std::move(q));
    }
    if (req.items[i].type == "libvirt.vm") managed.insert(req.items[i].address.name);
  }
  std::string nonce = NewSalt().substr(0, 16);
  CommandResult result;
  std::string error;
  std::string what = "reading libvirt on " + req.target->name;
  if (!connections_.Run(*req.target, "sh -s", BuildInventoryScript(settings_.uri, volumes, nonce),
                        what, &result, &error)) {
    resp.diagnostics.Error(error);
    return resp;
  }
  // A host without libvirt has none of its objects: on a bare hypervisor
  // the plan makes them after the packages that bring libvirt. Unless the
  // state knows some: libvirt removed under them is an error, not a
  // clean slate.
  bool known = std::any_of(req.items.begin(), req.items.end(),
                           [](const ReadItem& item) { return !item.prior.is_null(); });
  if (result.exit_status == kNoLibvirtExit && !known) {
    resp.results.resize(req.items.size());
    return resp;
  }
  if (result.exit_status != 0) {
    // libvirt did not answer: nothing read is no evidence that nothing
    // exists. Only this host's libvirt resources fail.
    resp.diagnostics.Error(what + " failed: " + FailureOutput(result));
    return resp;
  }
  LibvirtInventory live = ParseInventory(result.out, nonce);
  live.managed_vms = std::move(managed);
  if (!live.errors.empty()) {
    resp.diagnostics.Error(what + ": " + live.errors[0]);
    return resp;
  }
  for (size_t i = 0; i < req.items.size(); ++i) {
    const LibvirtType* type = TypeOf(req.items[i].type);
    if (!type) {
      ReadResult r;
      r.diagnostics.Error(NoSuchType(req.items[i].type));
      resp.results.push_back(std::move(r));
      continue;
    }
    resp.results.push_back(type->Interpret(live, req.items[i], volume_of[i]));
  }
  return resp;
}

ModifyPlanResponse LibvirtProvider::ModifyPlan(const ModifyPlanRequest& req) {
  const LibvirtType* type = TypeOf(req.type);
  return type ? type->ModifyPlan(req) : ModifyPlanResponse{};
}

ApplyResponse LibvirtProvider::Apply(const ApplyRequest& req) {
  ApplyResponse resp;
  const LibvirtType* type = TypeOf(req.type);
  if (!type) {
    resp.diagnostics.Error(NoSuchType(req.type));
    return resp;
  }
  HostStep step = type->Step(req, settings_);
  resp.diagnostics = connections_.RunStep(*req.target, req.action, step);
  if (resp.diagnostics.HasErrors() || req.action == Action::kDelete) return resp;
  // What libvirt chose goes to state: read the resource back.
  ReadRequest read{req.target, {{req.address, req.type, req.after, Value()}}};
  ReadResponse live = Read(read);
  if (!live.results.empty() && live.results[0].exists) {
    resp.state = std::move(live.results[0].attributes);
  }
  return resp;
}

}  // namespace mfgctl
