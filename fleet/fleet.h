#pragma once

// fleet.yaml: one blueprint rolled out to many plants. The file names the
// shared blueprint, where the plants' state lives, each plant's variables,
// time zone, maintenance windows and labels, override rules, and the
// rollout: waves, parallelism, failure budget, health checks. See
// docs/fleet.md.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "blueprints/source_node.h"
#include "engine/model/diagnostics.h"
#include "fleet/windows.h"

namespace mfgctl {

/// Labels a rule matches: every key must have that value.
using LabelMatch = std::map<std::string, std::string>;

struct FleetPlant {
  std::string name;
  SourcePos pos;
  /// The variables passed to the blueprint: the plant's own, then each
  /// matching override's, in order (later wins).
  std::map<std::string, std::string> variables;
  std::map<std::string, std::string> labels;
  std::string time_zone = "UTC";
  std::vector<Window> windows;  // none: always open
};

struct FleetOverride {
  LabelMatch match;
  std::map<std::string, std::string> variables;
};

struct FleetWave {
  std::string name;
  LabelMatch match;     // empty: every plant not in an earlier wave
  int percent = 100;    // of the whole fleet, counted up to this wave
  SourcePos pos;
};

struct HealthCheck {
  enum class Kind { kCommand, kHttp, kTcp } kind = Kind::kCommand;
  std::string target;  // the command, URL, or HOST:PORT (may hold ${var...})
  std::string on;      // kCommand: the blueprint's host it runs on
  int expect = 200;    // kHttp: the status expected
  long long timeout_s = 30;
  SourcePos pos;
};

struct Rollout {
  std::vector<FleetWave> waves;
  int max_parallel_plants = 10;
  int failure_budget_per_wave = 0;  // failed plants a wave tolerates
  int failure_budget_total = 0;     // and the rollout
  std::vector<HealthCheck> health;
  bool offline_skip = false;        // offline: skip (else fail)
  long long window_margin_s = 30 * 60;  // not started with less left
};

struct Fleet {
  std::unique_ptr<SourceDocument> doc;  // the file: plants' positions point into it
  std::string name;
  std::string description;
  std::string blueprint;  // absolute path
  const SourceNode* state = nullptr;  // the `state:` block, for every plant
  std::vector<FleetPlant> plants;     // in the order written
  std::vector<FleetOverride> overrides;
  Rollout rollout;

  const FleetPlant* Plant(const std::string& name) const;
};

/// Reads and checks a fleet file: every key, every plant's time zone and
/// windows, every wave and health check. Errors name file:line:col. With
/// no waves, one wave `all` holds every plant.
bool LoadFleet(const std::string& path, Fleet* out, Diagnostics* diags);

/// The plants of each wave, in wave order: a plant is in the first wave
/// whose labels it matches, and a wave with `percent` takes plants (that
/// match, in the order written) until that share of the fleet is in it or
/// an earlier wave. An error names a plant no wave takes.
bool AssignWaves(const Fleet& fleet, std::vector<std::vector<const FleetPlant*>>* waves,
                 Diagnostics* diags);

}  // namespace mfgctl
