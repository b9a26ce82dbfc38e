#pragma once

// The rollout of a fleet: waves in order, within a wave up to
// max_parallel_plants at once, each plant started only inside one of its
// maintenance windows (with window_margin left), the failure budget counted
// per wave and in total. Past the budget nothing new starts: running plants
// finish, the rest are reported as not started, with the reason. What one
// plant's apply is (plan, apply, health checks) is the runner's.

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fleet/fleet.h"
#include "fleet/windows.h"

namespace mfgctl {

struct PlantResult {
  /// kInterrupted: stopped by SIGINT/SIGTERM part way; neither a failure
  /// nor a result of the rollout (recorded nowhere, tried again).
  enum class Outcome { kApplied, kUnchanged, kFailed, kSkipped, kNotStarted, kInterrupted };
  std::string plant;
  std::string wave;
  Outcome outcome = Outcome::kNotStarted;
  std::string reason;  // why it failed, was skipped or not started
  /// Set by the runner: its hosts could not be reached (then `offline:`
  /// decides between skipped and failed).
  bool offline = false;
  bool ignored_window = false;  // started outside its window: --ignore-window
  std::string window;           // the window as the plant saw it when it was due
  int add = 0, change = 0, destroy = 0;
  SysSeconds started{}, finished{};
  std::vector<std::string> errors;
};

const char* OutcomeName(PlantResult::Outcome o);
std::optional<PlantResult::Outcome> OutcomeFromName(const std::string& name);

struct RolloutReport {
  std::string fleet;
  SysSeconds started{}, finished{};
  std::vector<PlantResult> plants;  // in wave order
  std::vector<std::string> waves;   // the waves' names, in order
  /// Why the rollout stopped early, or "" when every due plant ran.
  std::string stopped;
  int failed = 0;
};

struct RolloutOptions {
  std::string only_wave;   // --wave: this wave only
  std::string only_plant;  // --plant: this plant only
  bool ignore_window = false;
  /// The time now (the test clock, or the system's).
  std::function<SysSeconds()> now;
  /// Set (SIGINT, SIGTERM): nothing new starts, running plants finish.
  const std::atomic<bool>* interrupted = nullptr;
};

/// Runs one plant: plans, applies, checks its health. Called from several
/// threads at once, each with its own plant.
using PlantRunner = std::function<PlantResult(const FleetPlant&, const std::string& wave)>;

/// Rolls the fleet out. `waves` is AssignWaves' answer.
RolloutReport RunRollout(const Fleet& fleet, const std::vector<std::vector<const FleetPlant*>>& waves,
                         const PlantRunner& run, const RolloutOptions& options);

/// The shared side of `fleet apply --worker`: what every runner of one
/// rollout sees (each plant's state in the fleet's backend, etcd for many
/// runners). Thread-safe.
class WorkerStore {
 public:
  virtual ~WorkerStore() = default;
  /// The plant's result in this rollout, when one is recorded.
  virtual std::optional<PlantResult> Recorded(const FleetPlant& plant) = 0;
  enum class Claim { kBusy, kDone, kRan, kStopped };
  /// Claims the plant (a lock another runner cannot hold at once, lost if
  /// this runner dies) and, unless it has a result already (kDone), records
  /// one: skipped when `may_start` is false, else, when `go()` (asked with
  /// the plant claimed) agrees, the plant's run (kRan); when it does not,
  /// nothing (kStopped). kBusy when another runner holds it. `result` is
  /// the recorded or new result.
  virtual Claim Try(const FleetPlant& plant, const std::string& wave, bool may_start,
                    const std::string& window, const std::function<bool()>& go,
                    PlantResult* result) = 0;
};

/// One runner of a rollout shared by many (`--worker`): wave by wave, it
/// claims the plants nobody has a result for, up to max_parallel_plants at
/// once, and waits (`pause`) while other runners hold the rest; a wave is
/// done when every plant in it has a result, and the failure budget counts
/// every runner's failures: before each plant starts, the wave's results
/// are read again, so no runner starts one after a failure past the budget
/// is recorded.
RolloutReport RunWorker(const Fleet& fleet, const std::vector<std::vector<const FleetPlant*>>& waves,
                        WorkerStore& store, const RolloutOptions& options,
                        const std::function<void()>& pause);

/// A plant's windows at a time: open or not, when the open one closes
/// (none: always open), when the next opens, and as text in the plant's
/// zone ("open until ...", "closed, opens ...", "always open").
struct WindowState {
  bool open = true;
  std::optional<SysSeconds> closes, opens;
  std::string text;
};
WindowState WindowAt(const FleetPlant& plant, SysSeconds now);

/// The window text of a plant at `now` ("open until ...", "closed, opens
/// ...", "always open") and whether it may start: open, with at least
/// `margin_s` left.
bool MayStart(const FleetPlant& plant, SysSeconds now, long long margin_s, std::string* text);

}  // namespace mfgctl
