#include "fleet/fleet.h"

#include <algorithm>
#include <filesystem>

#include "engine/model/duration.h"
#include "engine/model/suggest.h"
#include "engine/model/value.h"

namespace mfgctl {
namespace {

const std::vector<std::string> kFleetKeys = {"mfgctl",    "fleet",  "description", "blueprint",
                                             "state",     "plants", "overrides",   "rollout"};
const std::vector<std::string> kPlantKeys = {"variables", "time_zone", "windows", "labels",
                                             "description"};
const std::vector<std::string> kOverrideKeys = {"match", "variables"};
const std::vector<std::string> kRolloutKeys = {"waves",  "max_parallel_plants", "failure_budget",
                                               "health", "offline",             "window_margin"};
const std::vector<std::string> kWaveKeys = {"name", "match", "percent"};
const std::vector<std::string> kBudgetKeys = {"per_wave", "total"};

class FleetLoader {
 public:
  FleetLoader(Fleet* out, Diagnostics* diags) : out_(out), diags_(diags) {}

  bool Load(const std::string& path) {
    out_->doc = std::make_unique<SourceDocument>();
    if (!LoadYamlFile(path, out_->doc.get(), diags_)) return false;
    const SourceNode& root = out_->doc->root;
    if (root.IsNull()) return Fail("the fleet file is empty; expected \"mfgctl: 1\" and \"fleet:\"", root);
    if (!root.IsMap()) return Fail("a fleet file must be a map, got " + std::string(root.Describe()), root);
    if (!CheckKeys(root, kFleetKeys, "a fleet file", diags_)) return false;
    const SourceNode* version = root.Get("mfgctl");
    if (!version || !version->IsScalar() || version->scalar != "1") {
      return Fail("a fleet file starts with \"mfgctl: 1\"", version ? *version : root);
    }
    if (!Text(root.Get("fleet"), "\"fleet\"", &out_->name, true, root)) return false;
    if (!Text(root.Get("description"), "\"description\"", &out_->description, false, root)) {
      return false;
    }
    std::string blueprint;
    if (!Text(root.Get("blueprint"), "\"blueprint\"", &blueprint, true, root)) return false;
    std::filesystem::path bp(blueprint);
    if (bp.is_relative()) bp = std::filesystem::absolute(path).parent_path() / bp;
    out_->blueprint = bp.lexically_normal().string();
    out_->state = root.Get("state");
    if (out_->state && !out_->state->IsMap()) {
      return Fail("\"state\" must be a map: { backend: etcd, endpoints: [...], prefix: ... }",
                  *out_->state);
    }
    const SourceNode* plants = root.Get("plants");
    if (!plants || !plants->IsMap() || plants->entries.empty()) {
      return Fail("\"plants\" must be a map of plant names, with at least one",
                  plants ? *plants : root);
    }
    for (const auto& [key, body] : plants->entries) LoadPlant(key, body);
    if (const SourceNode* o = root.Get("overrides")) LoadOverrides(*o);
    if (const SourceNode* r = root.Get("rollout")) LoadRollout(*r);
    if (out_->rollout.waves.empty()) out_->rollout.waves.push_back({"all", {}, 100, root.pos()});
    if (diags_->HasErrors()) return false;
    // Overrides apply to every plant they match, in order.
    for (auto& plant : out_->plants) {
      for (const auto& o : out_->overrides) {
        if (!Matches(o.match, plant.labels)) continue;
        for (const auto& [k, v] : o.variables) plant.variables[k] = v;
      }
    }
    return true;
  }

  static bool Matches(const LabelMatch& match, const std::map<std::string, std::string>& labels) {
    for (const auto& [k, v] : match) {
      auto it = labels.find(k);
      if (it == labels.end() || it->second != v) return false;
    }
    return true;
  }

 private:
  bool Fail(const std::string& message, const SourceNode& at) {
    diags_->Error(message, at.pos());
    return false;
  }

  bool Text(const SourceNode* node, const std::string& what, std::string* out, bool required,
            const SourceNode& parent) {
    if (!node) return !required || Fail(what + " is required", parent);
    if (!node->IsScalar() || node->scalar.empty()) {
      return Fail(what + " must be text, got " + std::string(node->Describe()), *node);
    }
    *out = node->scalar;
    return true;
  }

  bool Count(const SourceNode& node, const std::string& what, int min, int max, int* out) {
    long long n = 0;
    if (!node.IsScalar() || !ParseWholeNumber(node.scalar, &n) || n < min || n > max) {
      return Fail(what + " must be a whole number from " + std::to_string(min) + " to " +
                      std::to_string(max),
                  node);
    }
    *out = static_cast<int>(n);
    return true;
  }

  bool Seconds(const SourceNode& node, const std::string& what, long long* out) {
    std::optional<long long> s = node.IsScalar() ? ParseDuration(node.scalar) : std::nullopt;
    if (!s) return Fail(what + " must be a duration (30s, 10m, 1h30m)", node);
    *out = *s;
    return true;
  }

  // A map of names to text: variables, labels, a match.
  bool TextMap(const SourceNode& node, const std::string& what,
               std::map<std::string, std::string>* out) {
    if (node.IsNull()) return true;
    if (!node.IsMap()) return Fail(what + " must be a map of names to values", node);
    bool ok = true;
    for (const auto& [k, v] : node.entries) {
      if (!v.IsScalar()) {
        ok = Fail(what + ": \"" + k.scalar + "\" must be a single value, got " +
                      std::string(v.Describe()),
                  v);
        continue;
      }
      (*out)[k.scalar] = v.scalar;
    }
    return ok;
  }

  void LoadPlant(const SourceNode& key, const SourceNode& body) {
    FleetPlant p;
    p.name = key.scalar;
    p.pos = key.pos();
    std::string what = "plant \"" + p.name + "\"";
    if (p.name.empty() || p.name.find_first_of("/: \t[]${}") != std::string::npos) {
      Fail(what + ": a plant's name may hold no '/', ':', '[', ']', '$', '{', '}' or spaces", key);
      return;
    }
    if (!body.IsNull() && !body.IsMap()) {
      Fail(what + " must be a map: { variables, time_zone, windows, labels }", body);
      return;
    }
    if (!CheckKeys(body, kPlantKeys, what, diags_)) return;
    if (const SourceNode* v = body.Get("variables")) TextMap(*v, what + ": variables", &p.variables);
    if (const SourceNode* l = body.Get("labels")) TextMap(*l, what + ": labels", &p.labels);
    TimeZone zone;
    if (const SourceNode* tz = body.Get("time_zone")) {
      if (!tz->IsScalar() || !TimeZone::Load(tz->scalar, &zone)) {
        Fail(what + ": time_zone must be an IANA time zone (Europe/Berlin, Asia/Shanghai, UTC), "
                    "got " + (tz->IsScalar() ? "\"" + tz->scalar + "\"" : std::string(tz->Describe())),
             *tz);
      } else {
        p.time_zone = tz->scalar;
      }
    }
    if (const SourceNode* w = body.Get("windows")) {
      if (!w->IsSequence()) {
        Fail(what + ": windows must be a list, e.g. [\"Sat 22:00-Sun 06:00\"]", *w);
      } else {
        for (const auto& item : w->items) {
          std::string error;
          std::optional<Window> win = item.IsScalar() ? ParseWindow(item.scalar, &error)
                                                      : std::nullopt;
          if (!win) {
            Fail(what + ": " + (error.empty() ? "a window is text" : error), item);
            continue;
          }
          p.windows.push_back(*win);
        }
      }
    }
    out_->plants.push_back(std::move(p));
  }

  void LoadOverrides(const SourceNode& node) {
    if (!node.IsSequence()) {
      Fail("\"overrides\" must be a list of { match: {LABEL: VALUE}, variables: {...} }", node);
      return;
    }
    for (const auto& item : node.items) {
      std::string what = "an override";
      if (!item.IsMap()) {
        Fail(what + " must be a map: { match, variables }", item);
        continue;
      }
      if (!CheckKeys(item, kOverrideKeys, what, diags_)) continue;
      FleetOverride o;
      const SourceNode* match = item.Get("match");
      if (!match) {
        Fail(what + " needs \"match:\", the labels of the plants it applies to", item);
        continue;
      }
      TextMap(*match, what + ": match", &o.match);
      if (const SourceNode* v = item.Get("variables")) TextMap(*v, what + ": variables", &o.variables);
      out_->overrides.push_back(std::move(o));
    }
  }

  void LoadRollout(const SourceNode& node) {
    if (!node.IsMap()) {
      Fail("\"rollout\" must be a map: { waves, max_parallel_plants, failure_budget, health }", node);
      return;
    }
    if (!CheckKeys(node, kRolloutKeys, "\"rollout\"", diags_)) return;
    Rollout& r = out_->rollout;
    if (const SourceNode* m = node.Get("max_parallel_plants")) {
      Count(*m, "rollout.max_parallel_plants", 1, 1000, &r.max_parallel_plants);
    }
    if (const SourceNode* b = node.Get("failure_budget")) {
      if (!b->IsMap()) {
        Fail("rollout.failure_budget must be a map: { per_wave: N, total: N }", *b);
      } else if (CheckKeys(*b, kBudgetKeys, "rollout.failure_budget", diags_)) {
        if (const SourceNode* w = b->Get("per_wave")) {
          Count(*w, "failure_budget.per_wave", 0, 100000, &r.failure_budget_per_wave);
        }
        if (const SourceNode* t = b->Get("total")) {
          Count(*t, "failure_budget.total", 0, 100000, &r.failure_budget_total);
        }
      }
    }
    if (const SourceNode* o = node.Get("offline")) {
      if (!o->IsScalar() || (o->scalar != "skip" && o->scalar != "fail")) {
        Fail("rollout.offline must be skip or fail" +
                 (o->IsScalar() ? DidYouMean(o->scalar, {"skip", "fail"}) : std::string()),
             *o);
      } else {
        r.offline_skip = o->scalar == "skip";
      }
    }
    if (const SourceNode* m = node.Get("window_margin")) {
      Seconds(*m, "rollout.window_margin", &r.window_margin_s);
    }
    if (const SourceNode* w = node.Get("waves")) LoadWaves(*w);
    if (const SourceNode* h = node.Get("health")) LoadHealth(*h);
  }

  void LoadWaves(const SourceNode& node) {
    if (!node.IsSequence() || node.items.empty()) {
      Fail("rollout.waves must be a list of { name, match, percent }", node);
      return;
    }
    for (const auto& item : node.items) {
      if (!item.IsMap()) {
        Fail("a wave must be a map: { name, match, percent }", item);
        continue;
      }
      if (!CheckKeys(item, kWaveKeys, "a wave", diags_)) continue;
      FleetWave w;
      w.pos = item.pos();
      if (!Text(item.Get("name"), "a wave's \"name\"", &w.name, true, item)) continue;
      for (const auto& other : out_->rollout.waves) {
        if (other.name == w.name) Fail("wave \"" + w.name + "\" is declared twice", item);
      }
      if (const SourceNode* m = item.Get("match")) TextMap(*m, "wave \"" + w.name + "\": match", &w.match);
      if (const SourceNode* p = item.Get("percent")) {
        Count(*p, "wave \"" + w.name + "\": percent", 1, 100, &w.percent);
      }
      out_->rollout.waves.push_back(std::move(w));
    }
  }

  void LoadHealth(const SourceNode& node) {
    if (!node.IsSequence()) {
      Fail("rollout.health must be a list of checks: { command, on }, { http, expect }, { tcp }",
           node);
      return;
    }
    for (const auto& item : node.items) {
      HealthCheck c;
      c.pos = item.pos();
      if (!item.IsMap()) {
        Fail("a health check must be a map: { command, on }, { http, expect } or { tcp }", item);
        continue;
      }
      int kinds = 0;
      std::vector<std::string> allowed = {"timeout"};
      if (item.Get("command")) {
        ++kinds;
        c.kind = HealthCheck::Kind::kCommand;
        allowed.insert(allowed.end(), {"command", "on"});
      }
      if (item.Get("http")) {
        ++kinds;
        c.kind = HealthCheck::Kind::kHttp;
        allowed.insert(allowed.end(), {"http", "expect"});
      }
      if (item.Get("tcp")) {
        ++kinds;
        c.kind = HealthCheck::Kind::kTcp;
        allowed.push_back("tcp");
      }
      if (kinds != 1) {
        Fail("a health check is one of { command, on }, { http, expect } or { tcp }", item);
        continue;
      }
      if (!CheckKeys(item, allowed, "a health check", diags_)) continue;
      const char* key = c.kind == HealthCheck::Kind::kCommand ? "command"
                        : c.kind == HealthCheck::Kind::kHttp  ? "http"
                                                              : "tcp";
      if (!Text(item.Get(key), std::string("a health check's \"") + key + "\"", &c.target, true,
                item)) {
        continue;
      }
      if (c.kind == HealthCheck::Kind::kCommand &&
          !Text(item.Get("on"), "a command check's \"on\" (the host it runs on)", &c.on, true, item)) {
        continue;
      }
      if (const SourceNode* e = item.Get("expect")) Count(*e, "a health check's expect", 100, 599, &c.expect);
      if (const SourceNode* t = item.Get("timeout")) Seconds(*t, "a health check's timeout", &c.timeout_s);
      out_->rollout.health.push_back(std::move(c));
    }
  }

  Fleet* out_;
  Diagnostics* diags_;
};

}  // namespace

const FleetPlant* Fleet::Plant(const std::string& name) const {
  for (const auto& p : plants) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool LoadFleet(const std::string& path, Fleet* out, Diagnostics* diags) {
  return FleetLoader(out, diags).Load(path);
}

bool AssignWaves(const Fleet& fleet, std::vector<std::vector<const FleetPlant*>>* waves,
                 Diagnostics* diags) {
  const size_t total = fleet.plants.size();
  std::vector<bool> taken(total, false);
  size_t assigned = 0;
  waves->assign(fleet.rollout.waves.size(), {});
  for (size_t w = 0; w < fleet.rollout.waves.size(); ++w) {
    const FleetWave& wave = fleet.rollout.waves[w];
    // The share of the fleet done by the end of this wave, rounded up: a
    // 10% canary of 6 plants is one plant, never none.
    size_t limit = (total * static_cast<size_t>(wave.percent) + 99) / 100;
    for (size_t i = 0; i < total && assigned < limit; ++i) {
      if (taken[i] || !FleetLoader::Matches(wave.match, fleet.plants[i].labels)) continue;
      taken[i] = true;
      ++assigned;
      (*waves)[w].push_back(&fleet.plants[i]);
    }
  }
  bool ok = true;
  for (size_t i = 0; i < total; ++i) {
    if (taken[i]) continue;
    diags->Error("plant \"" + fleet.plants[i].name + "\" is in no wave: no wave's match and "
                 "percent take it",
                 fleet.plants[i].pos, "end the waves with one of percent: 100 and no match");
    ok = false;
  }
  return ok;
}

}  // namespace mfgctl
