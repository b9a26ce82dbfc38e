#pragma once

// One plant's turn in a fleet rollout: its state locked and read, its hold
// honoured, planned, applied, checked, and the result recorded in its state
// (fleet.last_apply, and fleet.rollout for the rollout it was part of), its
// output lines prefixed with its name. With --worker, the plants' states
// are where the runners of one rollout meet (StateWorkerStore).

#include <atomic>
#include <map>
#include <memory>
#include <mutex>

#include "cli/operations.h"
#include "fleet/fleet.h"
#include "fleet/rollout.h"

namespace mfgctl {

struct PlantApplyOptions {
  int parallelism = 10;        // hosts of the plant at once
  int lock_timeout_s = 0;
  const std::atomic<bool>* interrupted = nullptr;
  std::function<SysSeconds()> now;
  std::string rollout_id;      // recorded with each plant's result
};

/// The identity every runner of one rollout shares: `given` (--rollout),
/// else a digest of the fleet file and the blueprint's text, and the CI
/// run (GitHub Actions' run, GitLab's pipeline, Buildkite's
/// build, Jenkins' BUILD_TAG): `sha256:0123456789abcdef@gitlab-4711`.
/// Runners of one pipeline share a rollout; the next pipeline starts anew.
std::string RolloutId(const Fleet& fleet, const std::string& fleet_file, const std::string& given);

/// `r` with its reason and errors (which quote hosts and checks) scrubbed
/// of secrets as standard output is: for the report files and the state.
PlantResult ScrubbedResult(PlantResult r);

/// One plant, alone: loads it, takes its state lock (waiting
/// lock_timeout_s), runs it, records the result.
PlantResult ApplyFleetPlant(const Fleet& fleet, const FleetPlant& plant,
                            const PlantApplyOptions& options);

/// The plants' states as the meeting place of --worker runners: a plant's
/// state lock is its claim (an etcd lock is a lease, lost when its runner
/// dies), `fleet.rollout` in its state its result in this rollout.
class StateWorkerStore : public WorkerStore {
 public:
  StateWorkerStore(const Fleet& fleet, PlantApplyOptions options)
      : fleet_(fleet), options_(std::move(options)) {}
  std::optional<PlantResult> Recorded(const FleetPlant& plant) override;
  Claim Try(const FleetPlant& plant, const std::string& wave, bool may_start,
            const std::string& window, const std::function<bool()>& go,
            PlantResult* result) override;

 private:
  /// The plant has a result: its workspace (and its hosts' connections)
  /// goes, its state backend stays for Recorded.
  void Finished(const FleetPlant& plant);
  /// The plant's workspace, loaded when first needed (null with `error`
  /// when it cannot be).
  Workspace* WorkspaceOf(const FleetPlant& plant, std::string* error);
  StateBackend* BackendOf(const FleetPlant& plant);
  /// Held while the plant is tried (Try) or read (Recorded): one thread
  /// at a time uses a plant's workspace and backend.
  std::mutex& PlantMutex(const FleetPlant& plant);

  const Fleet& fleet_;
  PlantApplyOptions options_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Workspace>> workspaces_;
  std::map<std::string, std::unique_ptr<StateBackend>> backends_;  // of finished plants
  std::map<std::string, std::unique_ptr<std::mutex>> plant_mu_;
};

/// An output stream whose every line goes to std::cout as one write,
/// prefixed `PLANT: `, so parallel plants' lines never mix mid-line.
class PrefixedLines : public std::streambuf {
 public:
  explicit PrefixedLines(std::string prefix) : prefix_(std::move(prefix)) {}
  ~PrefixedLines() override;

 protected:
  int overflow(int c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  void Emit();
  std::string prefix_;
  std::string line_;
};

}  // namespace mfgctl
