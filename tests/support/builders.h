#pragma once

#include <string>
#include <vector>

#include "engine/model/resource.h"
#include "engine/model/unknown.h"
#include "engine/state/state.h"

namespace mfgctl {

/// Builds desired configurations for engine tests, on `fake` targets.
class ConfigBuilder {
 public:
  explicit ConfigBuilder(std::string plant = "test-plant") { config_.plant = std::move(plant); }

  /// Adds `host:thing[name]` with attributes, depending on `deps`.
  ConfigBuilder& Thing(const std::string& host, const std::string& name, Value attrs,
                       std::vector<std::string> deps = {}) {
    if (!config_.targets.count(host)) {
      config_.targets[host] = Target{host, "fake", {{"address", host}}, {}, {}};
    }
    Resource r;
    r.address = {host, "thing", name};
    r.type = "fake.thing";
    r.attributes = std::move(attrs);
    r.depends_on = std::move(deps);
    config_.resources.push_back(std::move(r));
    return *this;
  }

  /// Adds `host:pkg[name]`, a resource type applied in batches.
  ConfigBuilder& Pkg(const std::string& host, const std::string& name) {
    Thing(host, name, {{"value", name}});
    config_.resources.back().address.kind = "pkg";
    config_.resources.back().type = "fake.pkg";
    return *this;
  }

  /// Adds `host:step[name]`, a resource type applied alone.
  ConfigBuilder& Step(const std::string& host, const std::string& name) {
    Thing(host, name, {{"value", name}});
    config_.resources.back().address.kind = "step";
    config_.resources.back().type = "fake.step";
    return *this;
  }

  DesiredConfig Build() const { return config_; }

 private:
  DesiredConfig config_;
};

/// `h1:thing[a]`, and `h1:thing[b]` whose value references a's computed
/// `id` (as the loader writes such a reference), after it.
inline DesiredConfig ReferencingPair() {
  DesiredConfig c = ConfigBuilder()
                        .Thing("h1", "a", {{"value", "x"}})
                        .Thing("h1", "b", {{"value", "a is " + UnknownMarker("h1:thing[a]", "id")}},
                               {"h1:thing[a]"})
                        .Build();
  c.resources[1].deferred = {"value"};
  return c;
}

/// A state snapshot holding the given resources as applied.
inline StateSnapshot StateOf(const DesiredConfig& config) {
  StateSnapshot s;
  s.lineage = "test-lineage";
  s.serial = 1;
  s.plant = config.plant;
  s.salt = "test-salt";
  s.targets = config.targets;
  for (const auto& r : config.resources) {
    s.resources[r.address.ToString()] = {r.address, r.type, r.attributes, r.depends_on,
                                         r.sensitive, r.is_protected};
  }
  return s;
}

}  // namespace mfgctl
