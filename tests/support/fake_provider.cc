#include "tests/support/fake_provider.h"

#include "engine/plan/differ.h"

namespace mfgctl {

ResourceTypeSchema FakeProvider::TargetSchema() const {
  ResourceTypeSchema s;
  s.type = "fake";
  s.attributes = {{.name = "address", .required = true}};
  return s;
}

ResourceTypeSchema FakeProvider::ConfigSchema() const {
  ResourceTypeSchema s;
  s.type = name_;
  s.attributes = {
      {.name = "endpoint", .required = endpoint_required},
      {.name = "region"},
      {.name = "access_key", .sensitive = true},
      {.name = "secret_key", .sensitive = true},
      {.name = "credentials_file", .local_path = true, .file_into = "credentials"},
      {.name = "credentials", .sensitive = true},
  };
  return s;
}

ConfigureResponse FakeProvider::Configure(const ConfigureRequest& req) {
  std::lock_guard<std::mutex> g(mu_);
  calls_.push_back({"configure", name_});
  configured.push_back(req.settings);
  ConfigureResponse resp;
  for (const auto& e : configure_errors) resp.diagnostics.Error(e);
  return resp;
}

std::vector<ResourceTypeSchema> FakeProvider::Schemas() const {
  ResourceTypeSchema s;
  s.type = name_ + ".thing";
  s.attributes = {
      {.name = "value"},
      {.name = "size", .type = AttrType::kNumber},
      {.name = "secret", .sensitive = true},
      {.name = "kind", .force_new = true},
      StateAttribute(),
      {.name = "notify", .type = AttrType::kStringList, .plan_only = true},
      {.name = "lifecycle",
       .type = AttrType::kObject,
       .attributes = {{.name = "enabled", .type = AttrType::kBool},
                      {.name = "rule",
                       .type = AttrType::kObjectList,
                       .attributes = {{.name = "days", .type = AttrType::kNumber, .required = true},
                                      {.name = "prefix"},
                                      {.name = "storage", .force_new = true}}}}},
      {.name = "ports",
       .type = AttrType::kObjectMap,
       .attributes = {{.name = "number", .type = AttrType::kNumber},
                      {.name = "protocol"},
                      {.name = "handle", .computed = true}}},
      {.name = "id", .computed = true},
  };
  ResourceTypeSchema pkg = s;
  pkg.type = name_ + ".pkg";
  pkg.batch_apply = true;
  ResourceTypeSchema step = s;
  step.type = name_ + ".step";
  step.applies_alone = true;
  return {s, pkg, step};
}

void FakeProvider::ApplyBatch(const std::vector<ApplyRequest>& reqs, const ApplyProgress& done) {
  {
    std::lock_guard<std::mutex> g(mu_);
    batches.push_back(reqs.size());
  }
  if (!applies_together) return Provider::ApplyBatch(reqs, done);
  // Like a host's round trip: every response known at once.
  std::vector<std::pair<size_t, ApplyResponse>> all;
  for (size_t i = 0; i < reqs.size(); ++i) all.emplace_back(i, Apply(reqs[i]));
  done(std::move(all));
}

ReadResponse FakeProvider::Read(const ReadRequest& req) {
  std::lock_guard<std::mutex> g(mu_);
  calls_.push_back({"read", req.target->name});
  read_sizes_.push_back(req.items.size());
  ReadResponse resp;
  if (unreachable.count(req.target->name)) {
    resp.diagnostics.Error("host " + req.target->name + " is unreachable");
    return resp;
  }
  for (const auto& item : req.items) {
    ReadResult r;
    auto it = live.find(item.address.ToString());
    if (it != live.end()) {
      r.exists = true;
      r.attributes = it->second;
    }
    resp.results.push_back(std::move(r));
  }
  return resp;
}

int FakeProvider::MaxInFlight() const {
  std::lock_guard<std::mutex> g(mu_);
  return max_in_flight_;
}

ApplyResponse FakeProvider::Apply(const ApplyRequest& req) {
  std::unique_lock<std::mutex> g(mu_);
  max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
  cv_.notify_all();
  if (rendezvous > 1) {
    cv_.wait_for(g, std::chrono::seconds(5), [&] { return max_in_flight_ >= rendezvous; });
  }
  --in_flight_;
  std::string addr = req.address.ToString();
  calls_.push_back({std::string(ActionName(req.action)), addr});
  ApplyResponse resp;
  if (unreachable.count(req.target->name)) {
    resp.diagnostics.Error("host " + req.target->name + " is unreachable");
  } else if (failing.count(addr)) {
    resp.diagnostics.Error("fake failure");
  } else if (req.action == Action::kDelete) {
    live.erase(addr);
  } else {
    // The provider makes the id of what it creates; an update keeps it.
    Value was = live.count(addr) ? live[addr] : Value::object();
    Value now = CanonicalAttributes(Schemas()[0], req.after);
    if (!now.contains("id")) {
      now["id"] = req.action == Action::kUpdate && was.contains("id")
                      ? was["id"]
                      : Value("id-" + req.address.name + "-" + std::to_string(++ids_made_));
    }
    live[addr] = now;
    resp.state = now;
  }
  return resp;
}

std::vector<FakeProvider::Call> FakeProvider::Calls() const {
  std::lock_guard<std::mutex> g(mu_);
  return calls_;
}

std::vector<size_t> FakeProvider::ReadSizes() const {
  std::lock_guard<std::mutex> g(mu_);
  return read_sizes_;
}

FakeProvider* AddFakeProvider(ProviderRegistry* registry, const std::string& name) {
  auto p = std::make_unique<FakeProvider>(name);
  FakeProvider* raw = p.get();
  Diagnostics diags;
  return registry->Add(std::move(p), &diags) ? raw : nullptr;
}

}  // namespace mfgctl
