#include "engine/plan/planner.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "engine/plan/parallel.h"
#include "engine/model/sensitive.h"
#include "engine/plan/differ.h"

namespace mfgctl {
namespace {

// One resource the plan considers: wanted by the blueprint, known to the
// state, or both.
struct Candidate {
  std::string address;
  const Resource* desired = nullptr;
  const ResourceState* prior = nullptr;
  const ResourceAddress& addr() const { return desired ? desired->address : prior->address; }
  const std::string& type() const { return desired ? desired->type : prior->type; }
};

bool Selected(const std::vector<std::string>& only, const ResourceAddress& a,
              const std::string& text) {
  for (const auto& o : only) {
    if (o == text || o == a.target) return true;
  }
  return false;
}

// Applies --target: the selected resources plus, transitively, what they
// depend on.
std::vector<Candidate> FilterSelected(std::vector<Candidate> all,
                                      const std::vector<std::string>& only) {
  if (only.empty()) return all;
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < all.size(); ++i) index[all[i].address] = i;
  std::vector<bool> keep(all.size(), false);
  std::vector<size_t> work;
  for (size_t i = 0; i < all.size(); ++i) {
    if (Selected(only, all[i].addr(), all[i].address)) {
      keep[i] = true;
      work.push_back(i);
    }
  }
  while (!work.empty()) {
    size_t i = work.back();
    work.pop_back();
    const auto& deps = all[i].desired ? all[i].desired->depends_on : all[i].prior->dependencies;
    for (const auto& d : deps) {
      auto it = index.find(d);
      if (it != index.end() && !keep[it->second]) {
        keep[it->second] = true;
        work.push_back(it->second);
      }
    }
  }
  std::vector<Candidate> out;
  for (size_t i = 0; i < all.size(); ++i) {
    if (keep[i]) out.push_back(all[i]);
  }
  return out;
}

// The attributes of a resource compared and stored sealed: those its schema
// marks sensitive and those the blueprint or the state says derive from a
// secret.
std::vector<std::string> SensitiveNames(const ResourceTypeSchema& schema, const Candidate& c) {
  std::vector<std::string> out;
  for (const auto& a : schema.attributes) {
    if (a.sensitive) AddOnce(&out, a.name);
  }
  if (c.desired) for (const auto& n : c.desired->sensitive) AddOnce(&out, n);
  if (c.prior) for (const auto& n : c.prior->sensitive) AddOnce(&out, n);
  return out;
}

// The computed attributes a new resource gets from its provider: those the
// blueprint leaves out.
std::vector<std::string> UnknownUntilApplied(const ResourceTypeSchema& schema,
                                             const Value& after) {
  std::vector<std::string> out;
  for (const auto& a : schema.attributes) {
    if (a.computed && !after.contains(a.name)) out.push_back(a.name);
  }
  return out;
}

}  // namespace

DependencyGraph ChangeGraph(const std::vector<PlanChange>& changes) {
  DependencyGraph g(changes.size());
  std::unordered_map<std::string, size_t> index;
  index.reserve(changes.size());
  for (size_t i = 0; i < changes.size(); ++i) index[changes[i].address.ToString()] = i;
  for (size_t i = 0; i < changes.size(); ++i) {
    for (const auto& d : changes[i].depends_on) {
      auto it = index.find(d);
      if (it == index.end()) continue;
      size_t j = it->second;
      bool i_del = changes[i].action == Action::kDelete;
      bool j_del = changes[j].action == Action::kDelete;
      if (!i_del && !j_del) g.AddDependency(i, j);
      if (i_del && j_del) g.AddDependency(j, i);  // dependents go first
    }
  }
  return g;
}

Plan MakePlan(const DesiredConfig& desired, const StateSnapshot& prior,
              const ProviderRegistry& providers, const PlanOptions& options) {
  Plan plan;
  plan.plant = desired.plant.empty() ? prior.plant : desired.plant;
  plan.destroy = options.destroy;
  plan.state_lineage = prior.lineage;
  plan.state_serial = prior.serial;
  plan.salt = prior.salt.empty() ? NewSalt() : prior.salt;
  plan.config_digest = DigestOf(desired, plan.salt);

  // Everything to consider, in blueprint order, then what only the state knows.
  std::vector<Candidate> all;
  all.reserve(desired.resources.size() + prior.resources.size());
  std::unordered_map<std::string, size_t> index;
  index.reserve(all.capacity());
  if (!options.destroy) {
    for (const auto& r : desired.resources) {
      std::string a = r.address.ToString();
      index.emplace(a, all.size());
      all.push_back({std::move(a), &r, nullptr});
    }
  }
  for (const auto& [addr, rs] : prior.resources) {
    auto it = index.find(addr);
    if (it != index.end()) {
      all[it->second].prior = &rs;
    } else {
      all.push_back({addr, nullptr, &rs});
    }
  }
  all = FilterSelected(std::move(all), options.only);

  // Group by target and by the provider of each resource's type: one
  // target may carry resources of several providers. The blueprint's
  // connection settings win over the state's.
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> by_read;
  for (size_t i = 0; i < all.size(); ++i) {
    Provider* p = providers.ForType(all[i].type());
    if (!p) {
      plan.diagnostics.Error("unknown resource type \"" + all[i].type() + "\"").address =
          all[i].address;
      continue;
    }
    by_read[{all[i].addr().target, p->Name()}].push_back(i);
  }
  std::vector<const Target*> targets;
  std::vector<Provider*> readers;
  std::vector<std::vector<size_t>*> groups;
  for (auto& [key, members] : by_read) {
    const std::string& name = key.first;
    const Target* t = nullptr;
    if (auto it = desired.targets.find(name); it != desired.targets.end()) t = &it->second;
    else if (auto it2 = prior.targets.find(name); it2 != prior.targets.end()) t = &it2->second;
    if (!t) {
      for (size_t i : members) {
        plan.diagnostics.Error("no connection settings for target \"" + name + "\"").address =
            all[i].address;
      }
      continue;
    }
    plan.targets[name] = *t;
    targets.push_back(t);
    readers.push_back(providers.ByName(key.second));
    groups.push_back(&members);
  }

  // Refresh: one batched read per (target, provider), in parallel.
  std::vector<ReadResponse> responses(targets.size());
  RunParallel(targets.size(), options.parallelism, [&](size_t ti) {
    ReadRequest req;
    req.target = targets[ti];
    for (size_t i : *groups[ti]) {
      const Candidate& c = all[i];
      req.items.push_back({c.addr(), c.type(),
                           c.desired ? c.desired->attributes : Value(),
                           c.prior ? c.prior->attributes : Value()});
    }
    responses[ti] = readers[ti]->Read(req);
  });

  // Resources another one notifies (services to restart when a file
  // changes): their no-op diffs are kept in case a notifier changes.
  std::unordered_set<std::string> notified;
  for (const auto& c : all) {
    if (!c.desired) continue;
    auto n = c.desired->attributes.find("notify");
    if (n == c.desired->attributes.end() || !n->is_array()) continue;
    for (const auto& t : *n) notified.insert(t.get<std::string>());
  }
  std::unordered_map<std::string, std::pair<PlanChange, size_t>> quiet;  // with rank
  std::vector<std::pair<std::string, const Value*>> notifiers;           // changed ones

  // Diff.
  std::vector<PlanChange> unordered;
  std::vector<size_t> rank;  // position in `all`, for a stable order
  for (size_t ti = 0; ti < targets.size(); ++ti) {
    const ReadResponse& resp = responses[ti];
    const auto& members = *groups[ti];
    for (size_t k = 0; k < members.size(); ++k) {
      const Candidate& c = all[members[k]];
      if (resp.diagnostics.HasErrors() || k >= resp.results.size()) {
        for (Diagnostic d : resp.diagnostics) {
          d.address = c.address;
          plan.diagnostics.Add(std::move(d));
        }
        if (!resp.diagnostics.HasErrors()) {
          plan.diagnostics.Error("provider returned no result").address = c.address;
        }
        continue;
      }
      const ReadResult& live = resp.results[k];
      if (live.diagnostics.HasErrors()) {
        for (Diagnostic d : live.diagnostics) {
          d.address = c.address;
          plan.diagnostics.Add(std::move(d));
        }
        continue;
      }
      // Grouping found the type's provider, so its schema is there.
      const ResourceTypeSchema* schema = providers.SchemaOf(c.type());
      PlanChange change;
      change.address = c.addr();
      change.type = c.type();
      change.sensitive = SensitiveNames(*schema, c);
      change.before = live.exists ? SealNamed(live.attributes, change.sensitive, plan.salt) : Value();
      if (c.desired && c.desired->attributes.value(kStateAttribute, "") == kAbsent) {
        // Wanted gone: delete it where it exists, else nothing to do.
        change.depends_on = c.desired->depends_on;
        change.action = live.exists ? Action::kDelete : Action::kNoOp;
      } else if (c.desired) {
        change.after = SealNamed(CanonicalAttributes(*schema, c.desired->attributes),
                                 change.sensitive, plan.salt);
        change.depends_on = c.desired->depends_on;
        change.action = DiffResource(*schema, change.after, change.before,
                                     &change.replace_because);
        if (change.action == Action::kCreate || change.action == Action::kReplace) {
          change.unknown = UnknownUntilApplied(*schema, change.after);
        }
      } else {
        change.depends_on = c.prior->dependencies;
        change.action = live.exists ? Action::kDelete : Action::kNoOp;
      }
      if (change.action != Action::kNoOp && change.action != Action::kDelete && c.desired) {
        auto n = c.desired->attributes.find("notify");
        if (n != c.desired->attributes.end()) notifiers.emplace_back(c.address, &*n);
      }
      if (change.action != Action::kNoOp) {
        unordered.push_back(std::move(change));
        rank.push_back(members[k]);
      } else if (notified.count(c.address)) {
        quiet.emplace(c.address, std::make_pair(std::move(change), members[k]));
      }
    }
  }

  // A changed notifier triggers what it notifies: a restart, even when
  // nothing else about it changes.
  if (!notifiers.empty()) {
    std::unordered_map<std::string, size_t> at;
    for (size_t i = 0; i < unordered.size(); ++i) at[unordered[i].address.ToString()] = i;
    for (const auto& [source, targets] : notifiers) {
      for (const auto& t : *targets) {
        std::string addr = t.get<std::string>();
        auto it = at.find(addr);
        if (it == at.end()) {
          auto q = quiet.find(addr);
          if (q == quiet.end()) continue;  // not planned here (unreadable, --target)
          q->second.first.action = Action::kUpdate;
          it = at.emplace(addr, unordered.size()).first;
          unordered.push_back(std::move(q->second.first));
          rank.push_back(q->second.second);
          quiet.erase(q);
        }
        unordered[it->second].triggered_by.push_back(source);
      }
    }
  }

  // Order: dependency order, ties in the order the blueprint lists them.
  std::vector<size_t> by_rank(unordered.size());
  for (size_t i = 0; i < by_rank.size(); ++i) by_rank[i] = i;
  std::sort(by_rank.begin(), by_rank.end(),
            [&](size_t a, size_t b) { return rank[a] < rank[b]; });
  std::vector<PlanChange> changes;
  changes.reserve(unordered.size());
  for (size_t i : by_rank) changes.push_back(std::move(unordered[i]));
  DependencyGraph g = ChangeGraph(changes);
  std::vector<size_t> cycle;
  std::vector<size_t> order = g.TopologicalOrder(&cycle);
  if (!cycle.empty()) {
    std::string path;
    for (size_t i : cycle) path += (path.empty() ? "" : " -> ") + changes[i].address.ToString();
    plan.diagnostics.Error("dependency cycle among planned changes: " + path);
    return plan;
  }
  plan.changes.reserve(changes.size());
  for (size_t i : order) plan.changes.push_back(std::move(changes[i]));
  return plan;
}

}  // namespace mfgctl
