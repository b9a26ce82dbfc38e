#pragma once

// An in-memory stand-in for the SSH provider, for the benchmarks: the same
// resource types and schemas, no network, so the figures are the engine's
// own. A file `.../NAME-N` answers as a host would, from N alone: N % 4 of
// 0 or 1 matches the benchmarks' blueprints (content "value N\n", 0640,
// root), 2 differs, 3 is missing; so a plan has creates, updates and no-ops.

#include <string>

#include "engine/model/digest.h"
#include "engine/provider/provider.h"
#include "providers/shell/host_connections.h"
#include "providers/ssh/ssh_provider.h"

namespace mfgctl {

class InMemoryHosts : public Provider {
 public:
  std::string Name() const override { return "ssh"; }
  ResourceTypeSchema TargetSchema() const override { return real_.TargetSchema(); }
  std::vector<ResourceTypeSchema> Schemas() const override { return real_.Schemas(); }
  ReadResponse Read(const ReadRequest& req) override {
    ReadResponse resp;
    resp.results.reserve(req.items.size());
    for (const auto& item : req.items) {
      ReadResult r;
      // Derived from the name, like a host's answer: stable, no shared map.
      size_t dash = item.address.name.rfind('-');
      size_t n = dash == std::string::npos ? 3 : std::stoul(item.address.name.substr(dash + 1));
      if (n % 4 < 2) {
        r.exists = true;
        r.attributes = {{"content", Sha256Digest("value " + std::to_string(n) + "\n")},
                        {"mode", "0640"}, {"owner", "root"}, {"group", "root"}};
      } else if (n % 4 == 2) {
        r.exists = true;
        r.attributes = {{"content", Sha256Digest("old")}, {"mode", "0600"}};
      }
      resp.results.push_back(std::move(r));
    }
    return resp;
  }
  ApplyResponse Apply(const ApplyRequest&) override { return {}; }

 private:
  HostConnections connections_;
  SshProvider real_{connections_};
};

}  // namespace mfgctl
