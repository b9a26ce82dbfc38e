#include "cli/fleet_plan.h"

#include <atomic>
#include <thread>

#include "engine/plan/planner.h"

namespace mfgctl {

std::vector<std::string> ErrorLines(const Diagnostics& diags) {
  std::vector<std::string> lines;
  for (const auto& d : diags) {
    if (d.severity == Severity::kError) {
      lines.push_back((d.address.empty() ? "" : d.address + ": ") + d.summary);
    }
  }
  return lines;
}

bool AllUnreachable(const Diagnostics& diags) {
  bool any = false;
  for (const auto& d : diags) {
    if (d.severity != Severity::kError) continue;
    if (d.summary.find(" is unreachable: ") == std::string::npos) return false;
    any = true;
  }
  return any;
}

bool PlantRun::Offline() const {
  return loaded && !diags.HasErrors() && AllUnreachable(plan.diagnostics);
}

std::string PlantRun::FirstError() const {
  for (const Diagnostics* d : {&diags, &plan.diagnostics}) {
    std::vector<std::string> lines = ErrorLines(*d);
    if (!lines.empty()) return lines.front();
  }
  return "";
}

BlueprintOptions PlantOptions(const Fleet& fleet, const FleetPlant& plant) {
  BlueprintOptions o;
  o.files = {fleet.blueprint};
  for (const auto& [name, value] : plant.variables) o.vars.push_back(name + "=" + value);
  o.fleet_plant = plant.name;
  o.fleet_state = fleet.state;
  return o;
}

std::vector<std::unique_ptr<PlantRun>> PlanPlants(const Fleet& fleet,
                                                  const std::vector<const FleetPlant*>& plants,
                                                  const PlanFlags& flags, int parallel,
                                                  const ProviderSetup& setup) {
  std::vector<std::unique_ptr<PlantRun>> runs;
  for (const FleetPlant* p : plants) {
    auto run = std::make_unique<PlantRun>();
    run->plant = p;
    run->options = PlantOptions(fleet, *p);
    runs.push_back(std::move(run));
  }
  PlanOptions options;
  options.parallelism = flags.parallelism;
  options.only = flags.only;
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < runs.size(); i = next++) {
      PlantRun& r = *runs[i];
      r.loaded = LoadWorkspace(r.options, &r.ws, &r.diags, setup) && r.ws.backend->Read(&r.ws.state, &r.diags);
      if (r.loaded) r.plan = MakePlan(r.ws.config, r.ws.state, r.ws.providers, options);
    }
  };
  std::vector<std::thread> threads;
  size_t n = std::min<size_t>(runs.size(), static_cast<size_t>(std::max(parallel, 1)));
  for (size_t t = 0; t < n; ++t) threads.emplace_back(work);
  for (auto& t : threads) t.join();
  return runs;
}

}  // namespace mfgctl
