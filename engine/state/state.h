#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/model/diagnostics.h"
#include "engine/model/resource.h"
#include "engine/model/value.h"

namespace mfgctl {

/// What mfgctl last made true for one resource.
struct ResourceState {
  ResourceAddress address;
  std::string type;
  /// Attributes as applied, canonical: digests for content and secrets.
  Value attributes = Value::object();
  std::vector<std::string> dependencies;
  /// Attributes stored sealed (engine/model/sensitive.h).
  std::vector<std::string> sensitive;
  /// Protected when last applied: kept even once the blueprint drops it.
  bool is_protected = false;
};

/// The state of one plant. `lineage` names the plant's state history (a new
/// one per fresh state), `serial` counts writes within it; together they
/// tell a saved plan whether the state moved since.
struct StateSnapshot {
  static constexpr int kFormatVersion = 1;
  std::string lineage;
  uint64_t serial = 0;
  std::string plant;
  /// Keys the sealed values of this state (Seal); made with the state.
  std::string salt;
  /// Last-known connection settings of every target that still has
  /// resources, so a resource removed from the blueprint can still be
  /// deleted on its host.
  /// Settings derived from secrets are left out.
  std::map<std::string, Target> targets;
  std::map<std::string, ResourceState> resources;  // by address string
  /// What a fleet records about this plant (null for a plant of no
  /// fleet): `hold` (reason, by, since) and `last_apply` (digest, at,
  /// result). Kept as it is by every run that is not a fleet's.
  Value fleet;
};

/// A target's settings as state and plan files keep them: without the
/// settings derived from secrets.
Value StorableConfig(const Target& target);

Value StateToJson(const StateSnapshot& s);
/// One resource's record and one target's settings as state files (and
/// journals) hold them, and back; throw nlohmann's exceptions on bad JSON.
Value ResourceToJson(const std::string& address, const ResourceState& r);
Value TargetToJson(const Target& t);
bool ResourceFromJson(const Value& j, std::string* address, ResourceState* out);
Target TargetFromJson(const std::string& name, const Value& j);
/// Parses a state file's JSON; errors name `origin` (the file).
bool StateFromJson(const Value& j, const std::string& origin, StateSnapshot* out,
                   Diagnostics* diags);

/// A fresh random lineage (UUID v4 text).
std::string NewLineage();

}  // namespace mfgctl
