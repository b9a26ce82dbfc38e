// Plans N resources through the whole engine: blueprint load (YAML, keys,
// types, expressions), expansion, graph, refresh through a provider, diff
// and ordering. The provider is an in-memory stand-in for the SSH provider
// (bench/in_memory_hosts.h), so the figures are the engine's own. Each N
// runs in its own process so peak memory is its own.
//
//   mfgctl_plan_bench [N...]      default: 1000 10000 100000
//
// Half of the files already match on the "hosts", a quarter differ, a
// quarter are missing, so the plan has creates, updates and no-ops.
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
#include "blueprints/blueprint.h"
#include "engine/plan/planner.h"

namespace mfgctl {
namespace {

constexpr int kResourcesPerHost = 100;

std::string WriteBlueprint(int n, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  auto path = dir / "plant.yaml";
  std::ofstream out(path);
  out << "mfgctl: 1\nplant: bench\nvariables:\n  mode: { default: \"0640\" }\n"
      << "providers:\n  ssh: { user: root, known_hosts: ./known_hosts }\ngateways:\n";
  for (int h = 0; h * kResourcesPerHost < n; ++h) {
    out << "  gw" << h << ":\n    address: 10.0." << h / 250 << "." << h % 250 + 1 << "\n"
        << "    directories:\n      /srv/app: { mode: \"0750\" }\n    files:\n";
    for (int i = h * kResourcesPerHost; i < std::min(n, (h + 1) * kResourcesPerHost - 1); ++i) {
      out << "      /srv/app/conf-" << i << ": { content: \"value " << i
          << "\\n\", mode: \"${var.mode}\" }\n";
    }
  }
  return path.string();
}

// Runs in a child process; prints one result line.
int RunOne(int n) {
  auto dir = std::filesystem::temp_directory_path() / ("mfgctl-bench-" + std::to_string(n));
  std::string file = WriteBlueprint(n, dir);
  ProviderRegistry providers;
  Diagnostics registered;
  providers.Add(std::make_unique<InMemoryHosts>(), &registered);
  BlueprintSchemas schemas;
  schemas.resource_types = providers.schemas();
  schemas.target_types["ssh"] = providers.ByName("ssh")->TargetSchema();

  auto t0 = std::chrono::steady_clock::now();
  LoadOptions load;
  load.files = {file};
  DesiredConfig config;
  Diagnostics diags;
  if (!LoadBlueprint(load, schemas, &config, &diags)) {
    for (const auto& d : diags) fprintf(stderr, "%s\n", FormatDiagnostic(d).c_str());
    return 1;
  }
  double load_s = Seconds(t0);
  auto t1 = std::chrono::steady_clock::now();
  Plan plan = MakePlan(config, StateSnapshot{}, providers, PlanOptions{});
  double plan_s = Seconds(t1);
  double total_s = Seconds(t0);
  PlanSummary s = Summarize(plan);
  printf("%9zu %8.3f %8.3f %8.3f %9.1f   %d add, %d change\n", config.resources.size(), load_s,
         plan_s, total_s, PeakMiB(), s.add, s.change);
  fflush(stdout);
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace mfgctl

int main(int argc, char** argv) {
  std::vector<int> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::atoi(argv[i]));
  if (sizes.empty()) sizes = {1000, 10000, 100000};
  printf("plan through the engine (in-memory provider, %d resources per host)\n",
         mfgctl::kResourcesPerHost);
  printf("%9s %8s %8s %8s %9s   %s\n", "resources", "load s", "plan s", "total s", "peak MiB",
         "plan");
  fflush(stdout);
  for (int n : sizes) {
    pid_t pid = fork();
    if (pid == 0) _exit(mfgctl::RunOne(n));
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
  }
  printf("target: 100k resources planned in under 2 s and 300 MiB\n");
  return 0;
}
