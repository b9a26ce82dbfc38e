#include "fleet/rollout.h"

#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace mfgctl {

const char* OutcomeName(PlantResult::Outcome o) {
  switch (o) {
    case PlantResult::Outcome::kApplied: return "applied";
    case PlantResult::Outcome::kUnchanged: return "unchanged";
    case PlantResult::Outcome::kFailed: return "failed";
    case PlantResult::Outcome::kSkipped: return "skipped";
    case PlantResult::Outcome::kNotStarted: return "not started";
    case PlantResult::Outcome::kInterrupted: return "interrupted";
  }
  return "?";
}

std::optional<PlantResult::Outcome> OutcomeFromName(const std::string& name) {
  for (auto o : {PlantResult::Outcome::kApplied, PlantResult::Outcome::kUnchanged,
                 PlantResult::Outcome::kFailed, PlantResult::Outcome::kSkipped,
                 PlantResult::Outcome::kNotStarted, PlantResult::Outcome::kInterrupted}) {
    if (name == OutcomeName(o)) return o;
  }
  return std::nullopt;
}

WindowState WindowAt(const FleetPlant& plant, SysSeconds now) {
  TimeZone zone;
  TimeZone::Load(plant.time_zone, &zone);  // checked when the fleet was loaded
  WindowSchedule schedule(zone, plant.windows);
  WindowState w;
  w.open = schedule.IsOpen(now, &w.closes);
  if (schedule.always_open()) {
    w.text = "always open";
  } else if (w.open) {
    w.text = "open until " + zone.Format(*w.closes);
  } else {
    w.opens = schedule.NextOpening(now);
    w.text = "closed, opens " + (w.opens ? zone.Format(*w.opens) : std::string("never"));
  }
  return w;
}

bool MayStart(const FleetPlant& plant, SysSeconds now, long long margin_s, std::string* text) {
  WindowState w = WindowAt(plant, now);
  *text = w.text;
  if (!w.open) return false;
  if (w.closes && *w.closes - now < std::chrono::seconds(margin_s)) {
    *text += ", less than the window_margin left";
    return false;
  }
  return true;
}

namespace {

// Why the budget stops the rollout, given the failures so far, or "".
std::string OverBudget(const Rollout& r, const std::string& wave, int wave_failed, int total_failed) {
  if (wave_failed > r.failure_budget_per_wave) {
    return "wave " + wave + " had " + std::to_string(wave_failed) + " failed plant" +
           (wave_failed == 1 ? "" : "s") + ", over its failure budget of " +
           std::to_string(r.failure_budget_per_wave);
  }
  if (total_failed > r.failure_budget_total) {
    return std::to_string(total_failed) + " plants failed, over the rollout's failure budget of " +
           std::to_string(r.failure_budget_total);
  }
  return "";
}

}  // namespace

RolloutReport RunRollout(const Fleet& fleet, const std::vector<std::vector<const FleetPlant*>>& waves,
                         const PlantRunner& run, const RolloutOptions& options) {
  const Rollout& r = fleet.rollout;
  RolloutReport report;
  report.fleet = fleet.name;
  report.started = options.now();
  std::mutex mu;
  int total_failed = 0;
  auto interrupted = [&] { return options.interrupted && options.interrupted->load(); };
  for (size_t w = 0; w < waves.size(); ++w) {
    const std::string& wave = r.waves[w].name;
    report.waves.push_back(wave);
    if (!options.only_wave.empty() && wave != options.only_wave) continue;
    // The wave's plants, each with its slot in the report.
    std::vector<std::pair<const FleetPlant*, size_t>> due;
    for (const FleetPlant* p : waves[w]) {
      if (!options.only_plant.empty() && p->name != options.only_plant) continue;
      PlantResult pr;
      pr.plant = p->name;
      pr.wave = wave;
      report.plants.push_back(std::move(pr));
      due.emplace_back(p, report.plants.size() - 1);
    }
    if (!report.stopped.empty()) {
      for (const auto& [p, slot] : due) report.plants[slot].reason = report.stopped;
      continue;
    }
    int wave_failed = 0;
    size_t next = 0;
    auto worker = [&] {
      std::unique_lock<std::mutex> lock(mu);
      while (next < due.size()) {
        auto [plant, slot] = due[next++];
        PlantResult& slot_result = report.plants[slot];
        if (!report.stopped.empty() || interrupted()) {
          slot_result.reason = interrupted() ? "interrupted" : report.stopped;
          continue;
        }
        SysSeconds now = options.now();
        std::string window;
        bool may = MayStart(*plant, now, r.window_margin_s, &window);
        slot_result.window = window;
        if (!may && !options.ignore_window) {
          slot_result.outcome = PlantResult::Outcome::kSkipped;
          slot_result.reason = "outside its window: " + window;
          continue;
        }
        lock.unlock();
        PlantResult result = run(*plant, wave);
        lock.lock();
        result.plant = plant->name;
        result.wave = wave;
        result.window = window;
        result.ignored_window = !may;
        if (result.offline && r.offline_skip) {
          result.outcome = PlantResult::Outcome::kSkipped;
          if (result.reason.empty()) result.reason = "offline";
        } else if (result.offline) {
          result.outcome = PlantResult::Outcome::kFailed;
        }
        if (result.outcome == PlantResult::Outcome::kFailed) {
          ++wave_failed;
          ++total_failed;
          if (report.stopped.empty()) {
            report.stopped = OverBudget(r, wave, wave_failed, total_failed);
          }
        }
        slot_result = std::move(result);
      }
    };
    size_t n = std::min<size_t>(due.size(), static_cast<size_t>(r.max_parallel_plants));
    std::vector<std::thread> threads;
    for (size_t t = 0; t < n; ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
    if (interrupted() && report.stopped.empty()) report.stopped = "interrupted";
  }
  report.failed = total_failed;
  report.finished = options.now();
  return report;
}


RolloutReport RunWorker(const Fleet& fleet, const std::vector<std::vector<const FleetPlant*>>& waves,
                        WorkerStore& store, const RolloutOptions& options,
                        const std::function<void()>& pause) {
  const Rollout& r = fleet.rollout;
  RolloutReport report;
  report.fleet = fleet.name;
  report.started = options.now();
  auto interrupted = [&] { return options.interrupted && options.interrupted->load(); };
  std::mutex mu;  // guards known and report.stopped
  // By plant: its result in the rollout, as recorded (a recorded one
  // replaces what this runner knew) or, where it could not be recorded, as
  // this runner ran it (then not tried again by this runner).
  std::map<std::string, PlantResult> known;
  int earlier_failed = 0;  // in the waves before this one, every runner's
  for (const auto& wave : r.waves) report.waves.push_back(wave.name);
  for (size_t w = 0; w < waves.size() && report.stopped.empty(); ++w) {
    const std::string& wave = r.waves[w].name;
    if (!options.only_wave.empty() && wave != options.only_wave) continue;
    std::vector<const FleetPlant*> plants;
    for (const FleetPlant* p : waves[w]) {
      if (options.only_plant.empty() || p->name == options.only_plant) plants.push_back(p);
    }
    // Reads what every runner has recorded (`all`: for every plant, else
    // for those without a known result), stops the rollout when the
    // budget is spent, and returns the wave's failures.
    auto refresh = [&](bool all) {
      for (const FleetPlant* p : plants) {
        if (!all) {
          std::lock_guard<std::mutex> lock(mu);
          if (known.count(p->name)) continue;
        }
        std::optional<PlantResult> rec = store.Recorded(*p);
        std::lock_guard<std::mutex> lock(mu);
        // What this runner ran itself (started: its times, its window flag)
        // it knows best; anything else the record replaces.
        if (rec) {
          auto it = known.find(p->name);
          if (it == known.end() || it->second.started == SysSeconds{}) known[p->name] = *rec;
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      int failed = 0;
      for (const FleetPlant* p : plants) {
        auto it = known.find(p->name);
        failed += it != known.end() && it->second.outcome == PlantResult::Outcome::kFailed;
      }
      std::string why = OverBudget(r, wave, failed, earlier_failed + failed);
      if (report.stopped.empty()) report.stopped = why;
      return failed;
    };
    while (true) {
      if (interrupted()) {
        std::lock_guard<std::mutex> lock(mu);
        if (report.stopped.empty()) report.stopped = "interrupted";
        break;
      }
      int failed = refresh(true);
      std::vector<const FleetPlant*> pending;
      for (const FleetPlant* p : plants) {
        if (!known.count(p->name)) pending.push_back(p);
      }
      if (!report.stopped.empty() || pending.empty()) {
        earlier_failed += failed;
        break;
      }
      // Claim what nobody holds, up to max_parallel_plants at once; each
      // plant starts only if the budget still allows, as just recorded.
      size_t next = 0;
      bool claimed_any = false;
      auto go = [&] {
        if (interrupted()) return false;
        refresh(false);
        std::lock_guard<std::mutex> lock(mu);
        return report.stopped.empty();
      };
      auto worker = [&] {
        std::unique_lock<std::mutex> lock(mu);
        while (next < pending.size() && report.stopped.empty() && !interrupted()) {
          const FleetPlant* plant = pending[next++];
          lock.unlock();
          std::string window;
          bool may = MayStart(*plant, options.now(), r.window_margin_s, &window);
          PlantResult result;
          WorkerStore::Claim claim =
              store.Try(*plant, wave, may || options.ignore_window, window, go, &result);
          lock.lock();
          if (claim == WorkerStore::Claim::kBusy || claim == WorkerStore::Claim::kStopped) continue;
          claimed_any = true;
          result.plant = plant->name;
          result.wave = wave;
          if (claim == WorkerStore::Claim::kRan) result.ignored_window = !may && options.ignore_window;
          known[plant->name] = result;
        }
      };
      size_t n = std::min<size_t>(pending.size(), static_cast<size_t>(r.max_parallel_plants));
      std::vector<std::thread> threads;
      for (size_t t = 0; t < n; ++t) threads.emplace_back(worker);
      for (auto& t : threads) t.join();
      if (!claimed_any && report.stopped.empty()) pause();  // others hold the rest
    }
  }
  // The report: every plant of the waves this runner took part in.
  for (size_t w = 0; w < waves.size(); ++w) {
    const std::string& wave = r.waves[w].name;
    if (!options.only_wave.empty() && wave != options.only_wave) continue;
    for (const FleetPlant* p : waves[w]) {
      if (!options.only_plant.empty() && p->name != options.only_plant) continue;
      auto it = known.find(p->name);
      PlantResult pr;
      if (it != known.end()) {
        pr = it->second;
      } else {
        pr.reason = report.stopped;
      }
      pr.plant = p->name;
      pr.wave = wave;
      if (pr.outcome == PlantResult::Outcome::kFailed) ++report.failed;
      report.plants.push_back(std::move(pr));
    }
  }
  report.finished = options.now();
  return report;
}

}  // namespace mfgctl
