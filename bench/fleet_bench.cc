// bench/fleet at scale: `fleet plan`'s work for PLANTS plants of one
// gateway x RESOURCES resources each, in one process: the fleet file read,
// the waves assigned, every plant's blueprint loaded with its own variables
// and state, refreshed through an in-memory stand-in for the SSH provider
// (bench/in_memory_hosts.h) and planned, 64 plants at once as `fleet plan`
// does, and each plant's window found. The figures are mfgctl's own: no
// network, no hosts. Runs in a child process so peak memory is its own.
//
//   mfgctl_fleet_bench [PLANTS=1000] [RESOURCES=100]
//
// Goal (issue 11): 1,000 plants x 100 resources planned in <= 5 s and <= 1 GB.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bench/in_memory_hosts.h"
#include "bench/measure.h"
#include "cli/fleet_plan.h"
#include "fleet/rollout.h"

namespace mfgctl {
namespace {

constexpr double kGoalSeconds = 5.0;
constexpr double kGoalMiB = 1024.0;

// One blueprint for every plant: a gateway at ${var.gw_address} with a
// directory and RESOURCES - 1 files under /srv/${var.site}.
void WriteFleet(const std::filesystem::path& dir, int plants, int resources) {
  std::filesystem::create_directories(dir);
  std::ofstream bp(dir / "plant.yaml");
  bp << "mfgctl: 1\nplant: bench\nvariables:\n  gw_address: {}\n  site: {}\n"
     << "providers:\n  ssh: { user: root, known_hosts: ./known_hosts }\n"
     << "gateways:\n  gw:\n    address: ${var.gw_address}\n"
     << "    directories:\n      \"/srv/${var.site}\": { mode: \"0750\" }\n    files:\n";
  for (int i = 0; i < resources - 1; ++i) {
    bp << "      \"/srv/${var.site}/conf-" << i << "\": { content: \"value " << i
       << "\\n\", mode: \"0640\" }\n";
  }
  std::ofstream fleet(dir / "fleet.yaml");
  fleet << "mfgctl: 1\nfleet: bench\nblueprint: ./plant.yaml\nplants:\n";
  const char* zones[] = {"Europe/Berlin", "Asia/Shanghai", "America/Chicago", "UTC"};
  for (int p = 0; p < plants; ++p) {
    char name[16];
    snprintf(name, sizeof name, "p%04d", p);
    fleet << "  " << name << ":\n    variables: { gw_address: 10." << p / 62500 << "."
          << p / 250 % 250 << "." << p % 250 + 1 << ", site: " << name << " }\n"
          << "    time_zone: " << zones[p % 4] << "\n"
          << "    windows: [\"Sat 22:00-Sun 06:00\", \"daily 12:00-12:30\"]\n"
          << "    labels: { tier: " << (p < 10 ? "canary" : "main") << " }\n";
  }
  fleet << "rollout:\n  waves:\n    - { name: canary, match: { tier: canary } }\n"
        << "    - { name: half, percent: 50 }\n    - { name: rest, percent: 100 }\n"
        << "  max_parallel_plants: 10\n";
}

int RunOne(int plants, int resources) {
  auto dir = std::filesystem::temp_directory_path() /
             ("mfgctl-bench-fleet-" + std::to_string(getpid()));
  WriteFleet(dir, plants, resources);

  auto t0 = std::chrono::steady_clock::now();
  Fleet fleet;
  Diagnostics diags;
  std::vector<std::vector<const FleetPlant*>> waves;
  if (!LoadFleet((dir / "fleet.yaml").string(), &fleet, &diags) ||
      !AssignWaves(fleet, &waves, &diags)) {
    for (const auto& d : diags) fprintf(stderr, "%s\n", FormatDiagnostic(d).c_str());
    return 1;
  }
  std::vector<const FleetPlant*> all;
  for (const auto& wave : waves) all.insert(all.end(), wave.begin(), wave.end());
  auto in_memory = [](ProviderRegistry* registry, HostConnections*, Diagnostics* d) {
    return registry->Add(std::make_unique<InMemoryHosts>(), d);
  };
  std::vector<std::unique_ptr<PlantRun>> runs = PlanPlants(fleet, all, PlanFlags{}, 64, in_memory);
  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  int failed = 0, open = 0;
  PlanSummary total;
  size_t planned = 0;
  for (const auto& r : runs) {
    if (r->Failed()) {
      if (failed++ == 0) {
        for (const auto& d : r->diags) fprintf(stderr, "%s\n", FormatDiagnostic(d).c_str());
        for (const auto& d : r->plan.diagnostics) fprintf(stderr, "%s\n", FormatDiagnostic(d).c_str());
      }
      continue;
    }
    planned += r->ws.config.resources.size();
    PlanSummary s = Summarize(r->plan);
    total.add += s.add;
    total.change += s.change;
    open += WindowAt(*r->plant, now).open;
  }
  double seconds = Seconds(t0);
  double mib = PeakMiB();
  printf("%7zu %9d %8zu %8.2f %9.1f   %d add, %d change, %d windows open, %d failed\n",
         runs.size(), resources, planned, seconds, mib, total.add, total.change, open, failed);
  printf("goal: <= %.0f s and <= %.0f MiB: %.2fx the time goal, %.2fx the memory goal\n",
         kGoalSeconds, kGoalMiB, seconds / kGoalSeconds, mib / kGoalMiB);
  fflush(stdout);
  std::filesystem::remove_all(dir);
  return failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace mfgctl

int main(int argc, char** argv) {
  int plants = argc > 1 ? std::atoi(argv[1]) : 1000;
  int resources = argc > 2 ? std::atoi(argv[2]) : 100;
  printf("fleet plan through the engine (in-memory provider, 64 plants at once)\n");
  printf("%7s %9s %8s %8s %9s   %s\n", "plants", "per plant", "planned", "total s", "peak MiB",
         "plan");
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) _exit(mfgctl::RunOne(plants, resources));
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
