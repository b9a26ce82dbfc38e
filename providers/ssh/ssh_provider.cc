#include "providers/ssh/ssh_provider.h"

#include "providers/shell/read_script.h"
#include "providers/ssh/host_types.h"

namespace mfgctl {
namespace {

std::string NoSuchType(const std::string& type) {
  return "the ssh provider has no resource type \"" + type + "\"";
}

}  // namespace

SshProvider::SshProvider(HostConnections& connections) : connections_(connections) {
  for (auto make : {MakePackageType, MakeDirectoryType, MakeFileType, MakeCommandType,
                    MakeSysctlType, MakeGroupType, MakeUserType, MakeServiceType,
                    MakeBundleType, MakeAptRepositoryType, MakePythonEnvType, MakeImageType,
                    MakeContainerType}) {
    auto type = make();
    ResourceTypeSchema schema = type->Schema();
    for (const auto& a : schema.attributes) {
      if (a.computed) computed_types_.insert(schema.type);
    }
    types_[schema.type] = std::move(type);
  }
}

SshProvider::~SshProvider() = default;

ResourceTypeSchema SshProvider::TargetSchema() const {
  ResourceTypeSchema s;
  s.type = "ssh";
  s.description = "How to reach a host over SSH.";
  s.attributes = {
      {.name = "address", .required = true, .description = "Host name or IP address."},
      {.name = "port", .type = AttrType::kNumber, .description = "SSH port (default 22)."},
      {.name = "user", .description = "Login user (default root)."},
      {.name = "identity_file", .local_path = true,
       .description = "Private key file; unset: the keys of ssh-agent."},
      {.name = "known_hosts", .local_path = true,
       .description = "OpenSSH known_hosts file the host key must be in."},
      {.name = "connect_timeout", .type = AttrType::kNumber,
       .description = "Seconds to wait for a connection (default 10)."},
      {.name = "command_timeout", .type = AttrType::kNumber,
       .description = "Seconds one command may run (default 600)."},
      {.name = "become", .one_of = {"sudo"},
       .description = "Run as root through `sudo -n` when logging in as another user."},
      {.name = "bastion",
       .description = "Jump host to reach this host through: [user@]host[:port], like "
                      "OpenSSH's ProxyJump."},
      {.name = "keepalive_interval", .type = AttrType::kNumber,
       .description = "Seconds of silence before a keepalive is sent (default 30; 0: none)."},
  };
  return s;
}

std::vector<ResourceTypeSchema> SshProvider::Schemas() const {
  std::vector<ResourceTypeSchema> out;
  for (const auto& [name, type] : types_) out.push_back(type->Schema());
  return out;
}

const HostResourceType* SshProvider::TypeOf(const std::string& type) const {
  auto it = types_.find(type);
  return it == types_.end() ? nullptr : it->second.get();
}

ReadResponse SshProvider::Read(const ReadRequest& req) {
  ReadResponse resp;
  // Types that read several items at once get them together; the rest are
  // probed one by one. Either way: one script, one round trip.
  std::vector<std::string> probes(req.items.size());
  std::map<const HostResourceType*, std::vector<std::pair<size_t, const ReadItem*>>> by_type;
  for (size_t i = 0; i < req.items.size(); ++i) {
    if (const HostResourceType* type = TypeOf(req.items[i].type)) {
      by_type[type].emplace_back(i, &req.items[i]);
    }
  }
  std::string batches;
  for (const auto& [type, items] : by_type) {
    std::string batch = items.size() > 1 ? type->BatchProbe(items) : "";
    if (!batch.empty()) {
      batches += batch;
      continue;
    }
    for (const auto& [i, item] : items) probes[i] = type->Probe(*item);
  }
  CommandResult result;
  std::string error;
  if (!connections_.Run(*req.target, "sh -s", BuildReadScript(probes, batches),
                   "reading host " + req.target->name, &result, &error)) {
    resp.diagnostics.Error(error);
    return resp;
  }
  if (result.exit_status != 0 && result.out.find("@@mfgctl ") == std::string::npos) {
    // The script never ran (sudo refused, no shell): nothing read is no
    // evidence that nothing exists.
    resp.diagnostics.Error("reading host " + req.target->name + " failed: " + FailureOutput(result));
    return resp;
  }
  std::vector<FactMap> facts = ParseReadOutput(result.out, req.items.size());
  resp.results.reserve(req.items.size());
  for (size_t i = 0; i < req.items.size(); ++i) {
    const HostResourceType* type = TypeOf(req.items[i].type);
    if (!type) {
      ReadResult r;
      r.diagnostics.Error(NoSuchType(req.items[i].type));
      resp.results.push_back(std::move(r));
      continue;
    }
    resp.results.push_back(type->Interpret(facts[i], req.items[i]));
  }
  return resp;
}

ModifyPlanResponse SshProvider::ModifyPlan(const ModifyPlanRequest& req) {
  const HostResourceType* type = TypeOf(req.type);
  return type ? type->ModifyPlan(req) : ModifyPlanResponse{};
}

ApplyResponse SshProvider::Apply(const ApplyRequest& req) {
  ApplyResponse resp;
  const HostResourceType* type = TypeOf(req.type);
  if (!type) {
    resp.diagnostics.Error(NoSuchType(req.type));
    return resp;
  }
  HostStep step = type->Step(req);
  if (!step.script.empty()) resp.diagnostics = connections_.RunStep(*req.target, req.action, step);
  std::vector<ApplyResponse> one{std::move(resp)};
  ReadBack({&req}, &one);
  return std::move(one[0]);
}

bool SshProvider::HasComputed(const std::string& type) const {
  return computed_types_.count(type) > 0;
}

void SshProvider::ReadBack(const std::vector<const ApplyRequest*>& reqs,
                           std::vector<ApplyResponse>* responses) {
  ReadRequest read;
  read.target = reqs[0]->target;
  std::vector<size_t> of;  // the response each item reads for
  for (size_t i = 0; i < reqs.size(); ++i) {
    const HostResourceType* type = TypeOf(reqs[i]->type);
    if (!type || reqs[i]->action == Action::kDelete || (*responses)[i].diagnostics.HasErrors()) {
      continue;
    }
    if (!HasComputed(reqs[i]->type)) continue;
    read.items.push_back({reqs[i]->address, reqs[i]->type, reqs[i]->after, Value()});
    of.push_back(i);
  }
  if (read.items.empty()) return;
  ReadResponse live = Read(read);
  for (size_t k = 0; k < of.size() && k < live.results.size(); ++k) {
    if (live.results[k].exists) (*responses)[of[k]].state = std::move(live.results[k].attributes);
  }
}

void SshProvider::ApplyBatch(const std::vector<ApplyRequest>& reqs, const ApplyProgress& done) {
  if (reqs.empty()) return;
  // A step, and the requests it carries out.
  struct Unit {
    HostStep step;
    std::vector<size_t> reqs;
  };
  std::vector<Unit> units;
  std::vector<std::pair<size_t, ApplyResponse>> unknown;
  std::map<const HostResourceType*, std::vector<size_t>> by_type;
  for (size_t i = 0; i < reqs.size(); ++i) {
    if (const HostResourceType* type = TypeOf(reqs[i].type)) {
      by_type[type].push_back(i);
    } else {
      unknown.emplace_back(i, ApplyResponse{});
      unknown.back().second.diagnostics.Error(NoSuchType(reqs[i].type));
    }
  }
  if (!unknown.empty()) done(std::move(unknown));
  for (const auto& [type, of] : by_type) {
    HostStep combined;
    if (of.size() > 1) {
      std::vector<const ApplyRequest*> ptrs;
      for (size_t i : of) ptrs.push_back(&reqs[i]);
      combined = type->BatchStep(ptrs);
    }
    if (!combined.script.empty()) {
      units.push_back({std::move(combined), of});
      continue;
    }
    for (size_t i : of) units.push_back({type->Step(reqs[i]), {i}});
  }
  // Round one: every unit. Round two, only when a combined step failed:
  // its actions one by one. Successes whose type has computed attributes
  // wait for one read back at the end.
  std::vector<const ApplyRequest*> read_back;
  for (int round = 0; round < 2 && !units.empty(); ++round) {
    std::vector<HostConnections::RoundStep> steps;
    for (const Unit& u : units) steps.push_back({reqs[u.reqs[0]].action, &u.step});
    std::vector<Unit> retry;
    connections_.RunSteps(
        *reqs[0].target, steps, [&](std::vector<std::pair<size_t, Diagnostics>> results) {
          std::vector<std::pair<size_t, ApplyResponse>> now;
          for (auto& [k, diags] : results) {
            const Unit& u = units[k];
            if (u.reqs.size() > 1 && diags.HasErrors()) {
              const HostResourceType* type = TypeOf(reqs[u.reqs[0]].type);
              for (size_t i : u.reqs) retry.push_back({type->Step(reqs[i]), {i}});
              continue;
            }
            for (size_t i : u.reqs) {
              if (!diags.HasErrors() && HasComputed(reqs[i].type)) {
                read_back.push_back(&reqs[i]);
                continue;
              }
              now.emplace_back(i, ApplyResponse{diags, Value()});
            }
          }
          if (!now.empty()) done(std::move(now));
        });
    units = std::move(retry);
  }
  if (read_back.empty()) return;
  std::vector<ApplyResponse> responses(read_back.size());
  ReadBack(read_back, &responses);
  std::vector<std::pair<size_t, ApplyResponse>> now;
  for (size_t k = 0; k < read_back.size(); ++k) {
    now.emplace_back(static_cast<size_t>(read_back[k] - reqs.data()), std::move(responses[k]));
  }
  done(std::move(now));
}

}  // namespace mfgctl
