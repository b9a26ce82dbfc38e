// State I/O while applying N actions: the fake provider (in memory, no
// network) applies N independent resources spread over hosts; the figures
// are what recording them in a local state costs. The journal appends one
// line per action and writes the whole state once at the end; the floor it
// is compared with is the apply with no state at all, and the peer is the
// old way, a whole-state rewrite after every action (for the smaller N
// only: it grows with N squared).
//
//   mfgctl_state_io_bench [N...]      default: 2000 20000
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/apply/recorder.h"
#include "engine/apply/walker.h"
#include "engine/plan/planner.h"
#include "engine/state/backend.h"
#include "tests/support/builders.h"
#include "tests/support/fake_provider.h"

namespace mfgctl {
namespace {

// The local backend without its journal: every change rewrites the state.
class RewritingBackend : public LocalStateBackend {
 public:
  using LocalStateBackend::LocalStateBackend;
  bool HasJournal() const override { return false; }
};

class Observer : public ApplyObserver {
 public:
  explicit Observer(StateRecorder* recorder) : recorder_(recorder) {}
  void OnEvent(const ApplyEvent&) override {}
  void OnApplied(const std::vector<AppliedChange>& done) override {
    Diagnostics d;
    if (recorder_ && !recorder_->Record(done, &d)) std::abort();
  }

 private:
  StateRecorder* recorder_;
};

// Seconds to apply the plan, recording into `backend` (none: no state).
double Apply(const Plan& plan, const DesiredConfig& desired, const ProviderRegistry& providers,
             StateBackend* backend) {
  auto start = std::chrono::steady_clock::now();
  Diagnostics d;
  if (backend) {
    StateRecorder recorder(*backend, StateSnapshot{}, plan);
    Observer observer(&recorder);
    ApplyPlan(plan, desired, providers, observer, {});
    if (!recorder.Finish(&d)) std::abort();
  } else {
    Observer observer(nullptr);
    ApplyPlan(plan, desired, providers, observer, {});
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace
}  // namespace mfgctl

int main(int argc, char** argv) {
  using namespace mfgctl;
  std::vector<int> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::atoi(argv[i]));
  if (sizes.empty()) sizes = {2000, 20000};
  auto dir =
      std::filesystem::temp_directory_path() / ("mfgctl-state-io-" + std::to_string(getpid()));
  double first = 0;
  for (size_t k = 0; k < sizes.size(); ++k) {
    int n = sizes[k];
    ConfigBuilder b;
    for (int i = 0; i < n; ++i) {
      b.Thing("h" + std::to_string(i % 20), "r" + std::to_string(i),
              {{"value", "content of resource " + std::to_string(i)}});
    }
    DesiredConfig desired = b.Build();
    auto run = [&](StateBackend* backend) {
      ProviderRegistry providers;
      Diagnostics d;
      providers.Add(std::make_unique<FakeProvider>(), &d);
      Plan plan = MakePlan(desired, {}, providers, {});
      return Apply(plan, desired, providers, backend);
    };
    std::filesystem::remove_all(dir);
    double floor = run(nullptr);
    LocalStateBackend journal((dir / "journal.state.json").string());
    double with_journal = run(&journal) - floor;
    std::printf("N=%-6d journal: state I/O %.3f s (%.1f us per action)", n, with_journal,
                1e6 * with_journal / n);
    if (k == 0)
      first = with_journal;
    else
      std::printf(", growth %.1fx for %.0fx the actions", with_journal / first,
                  static_cast<double>(n) / sizes[0]);
    if (n <= 5000) {
      RewritingBackend rewrite((dir / "rewrite.state.json").string());
      double with_rewrite = run(&rewrite) - floor;
      std::printf("; rewrite after every action: %.3f s, %.1fx the journal", with_rewrite,
                  with_rewrite / with_journal);
    }
    std::printf("\n");
  }
  std::filesystem::remove_all(dir);
  return 0;
}
