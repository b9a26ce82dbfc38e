#include "engine/plan/planner.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "engine/model/sensitive.h"
#include "engine/model/unknown.h"
#include "engine/model/value_path.h"
#include "engine/plan/differ.h"
#include "engine/plan/drift.h"
#include "engine/plan/refresh.h"
#include "engine/provider/configure.h"

namespace mfgctl {
namespace {

// One resource the plan considers: wanted by the blueprint, known to the
// state, or both; once refreshed, what is live; once diffed, its change.
struct Candidate {
  Candidate(std::string a, const Resource* d, const ResourceState* p)
      : address(std::move(a)), desired(d), prior(p) {}
  std::string address;
  const Resource* desired = nullptr;
  const ResourceState* prior = nullptr;
  const ReadResult* live = nullptr;  // null: not read (its failure is reported)
  enum class Diff { kTodo, kRunning, kDone } diff = Diff::kTodo;
  std::optional<PlanChange> change;  // once diffed; a no-op too
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

namespace {

// Planning in named steps: collect what to consider, refresh it, diff each
// resource, let changed notifiers trigger what they notify, order.
class Planner {
 public:
  Planner(const DesiredConfig& desired, const StateSnapshot& prior,
          const ProviderRegistry& providers, const PlanOptions& options)
      : desired_(desired), prior_(prior), providers_(providers), options_(options) {}

  Plan Run() {
    plan_.plant = desired_.plant.empty() ? prior_.plant : desired_.plant;
    plan_.destroy = options_.destroy;
    plan_.state_lineage = prior_.lineage;
    plan_.state_serial = prior_.serial;
    plan_.salt = prior_.salt.empty() ? NewSalt() : prior_.salt;
    plan_.config_digest = DigestOf(desired_, plan_.salt);
    Collect();
    Configure();
    RefreshAll();
    for (size_t i = 0; i < all_.size(); ++i) Diff(i);
    Notify();
    Order();
    return std::move(plan_);
  }

 private:
  // Everything to consider, in blueprint order, then what only the state
  // knows (only that for a refresh-only plan); filtered by --target.
  void Collect() {
    all_.reserve(desired_.resources.size() + prior_.resources.size());
    std::unordered_map<std::string, size_t> at;
    at.reserve(all_.capacity());
    if (!options_.destroy && !options_.refresh_only) {
      for (const auto& r : desired_.resources) {
        std::string a = r.address.ToString();
        at.emplace(a, all_.size());
        all_.push_back({std::move(a), &r, nullptr});
      }
    }
    for (const auto& [addr, rs] : prior_.resources) {
      auto it = at.find(addr);
      if (it != at.end()) {
        all_[it->second].prior = &rs;
      } else {
        all_.push_back({addr, nullptr, &rs});
      }
    }
    all_ = FilterSelected(std::move(all_), options_.only);
    index_.reserve(all_.size());
    for (size_t i = 0; i < all_.size(); ++i) index_[all_[i].address] = i;
  }

  // Configures the providers of what is considered, once, before any
  // read; the resources of one that fails are left unplanned.
  void Configure() {
    std::set<std::string> used;
    for (const auto& c : all_) {
      if (Provider* p = providers_.ForType(c.type())) used.insert(p->Name());
    }
    plan_.diagnostics.Append(
        ConfigureProviders(providers_, desired_.providers, used, &unconfigured_));
  }

  // Groups by target and by the provider of each resource's type (one
  // target may carry resources of several providers; the blueprint's
  // connection settings win over the state's) and reads each group once.
  void RefreshAll() {
    std::map<std::pair<std::string, std::string>, std::vector<size_t>> by_read;
    for (size_t i = 0; i < all_.size(); ++i) {
      Provider* p = providers_.ForType(all_[i].type());
      if (!p) {
        Fail(i, "unknown resource type \"" + all_[i].type() + "\"");
        continue;
      }
      if (unconfigured_.count(p->Name())) continue;  // its error is reported once
      by_read[{all_[i].addr().target, p->Name()}].push_back(i);
    }
    std::vector<RefreshRead> reads;
    std::vector<const std::vector<size_t>*> groups;
    for (const auto& [key, members] : by_read) {
      const std::string& name = key.first;
      const Target* t = nullptr;
      if (auto it = desired_.targets.find(name); it != desired_.targets.end()) t = &it->second;
      else if (auto it2 = prior_.targets.find(name); it2 != prior_.targets.end()) t = &it2->second;
      if (!t) {
        for (size_t i : members) Fail(i, "no connection settings for target \"" + name + "\"");
        continue;
      }
      plan_.targets[name] = *t;
      RefreshRead read{providers_.ByName(key.second), {t, {}}};
      for (size_t i : members) {
        const Candidate& c = all_[i];
        read.request.items.push_back({c.addr(), c.type(),
                                      c.desired ? c.desired->attributes : Value(),
                                      c.prior ? c.prior->attributes : Value()});
      }
      reads.push_back(std::move(read));
      groups.push_back(&members);
    }
    responses_ = Refresh(reads, options_.parallelism);
    for (size_t g = 0; g < groups.size(); ++g) {
      const ReadResponse& resp = responses_[g];
      const auto& members = *groups[g];
      for (size_t k = 0; k < members.size(); ++k) {
        size_t i = members[k];
        if (resp.diagnostics.HasErrors() || k >= resp.results.size()) {
          for (Diagnostic d : resp.diagnostics) Report(i, std::move(d));
          if (!resp.diagnostics.HasErrors()) Fail(i, "provider returned no result");
          continue;
        }
        const ReadResult& live = resp.results[k];
        if (live.diagnostics.HasErrors()) {
          for (Diagnostic d : live.diagnostics) Report(i, std::move(d));
          continue;
        }
        all_[i].live = &live;
      }
    }
  }

  // The change one resource needs. References to computed attributes of
  // other resources are resolved first from what those resources will be:
  // live when they stay, unknown when they are made in this plan.
  void Diff(size_t i) {
    Candidate& c = all_[i];
    if (c.diff != Candidate::Diff::kTodo) return;  // done, or a reference cycle
    c.diff = Candidate::Diff::kRunning;
    if (!c.live) {
      c.diff = Candidate::Diff::kDone;
      return;
    }
    // Refresh found the type's provider, so its schema is there.
    const ResourceTypeSchema* schema = providers_.SchemaOf(c.type());
    if (options_.refresh_only) {
      c.change = DriftChange(*schema, *c.prior, *c.live, plan_.salt);
      c.diff = Candidate::Diff::kDone;
      return;
    }
    PlanChange change;
    change.address = c.addr();
    change.type = c.type();
    change.sensitive = SensitiveNames(*schema, c.desired, c.prior);
    change.before =
        c.live->exists ? SealNamed(c.live->attributes, change.sensitive, plan_.salt) : Value();
    bool exists = c.live->exists;
    if (c.desired && c.desired->attributes.value(kStateAttribute, "") == kAbsent) {
      // Wanted gone: delete it where it exists, else nothing to do.
      change.depends_on = c.desired->depends_on;
      change.action = exists ? Action::kDelete : Action::kNoOp;
    } else if (c.desired) {
      Value attrs = c.desired->attributes;
      bool secret = false;
      UnknownLookup lookup = Lookup(&secret);
      for (const auto& name : c.desired->deferred) {
        secret = false;
        if (attrs.contains(name) && !ResolveUnknowns(&attrs[name], lookup)) {
          AddOnce(&change.unknown, name);
        }
        if (secret && !Contains(change.sensitive, name)) {
          // Derived from a sensitive computed value: sealed on both sides.
          change.sensitive.push_back(name);
          change.before = SealNamed(change.before, change.sensitive, plan_.salt);
        }
      }
      change.after = PlannedAttributes(*schema, attrs, change.sensitive, plan_.salt);
      change.depends_on = c.desired->depends_on;
      change.action = DiffResource(*schema, change.after, change.before, &change.replace_because);
    } else {
      change.depends_on = c.prior->dependencies;
      change.action = exists ? Action::kDelete : Action::kNoOp;
    }
    if (change.action != Action::kNoOp) AskProvider(c, &change);
    if (change.action == Action::kCreate || change.action == Action::kReplace) {
      for (const auto& name : UnknownUntilApplied(*schema, change.after)) {
        AddOnce(&change.unknown, name);
      }
    }
    Protect(c, &change);
    c.change = std::move(change);
    c.diff = Candidate::Diff::kDone;
  }

  // The provider's look at the change: a replacement where it cannot update
  // in place, and notes to show.
  void AskProvider(const Candidate& c, PlanChange* change) {
    ModifyPlanRequest req;
    req.target = &plan_.targets.at(change->address.target);
    req.address = change->address;
    req.type = change->type;
    req.action = change->action;
    req.before = &change->before;
    req.after = &change->after;
    req.config = c.desired ? &c.desired->attributes : nullptr;
    req.restart_allowed = Contains(options_.allow_restart, c.address);
    req.is_protected = c.desired ? c.desired->is_protected : c.prior->is_protected;
    ModifyPlanResponse resp = providers_.ForType(c.type())->ModifyPlan(req);
    change->notes = std::move(resp.notes);
    change->restarts = resp.restarts;
    for (const auto& name : resp.renews) AddOnce(&change->unknown, name);
    for (auto d : resp.diagnostics.items()) {
      d.address = c.address;
      plan_.diagnostics.Add(std::move(d));
    }
    if (resp.diagnostics.HasErrors()) {
      // A change the resource cannot take is not planned at all.
      change->action = Action::kNoOp;
      return;
    }
    if (resp.requires_replace.empty()) return;
    if (change->action == Action::kUpdate) change->action = Action::kReplace;
    for (const auto& r : resp.requires_replace) AddOnce(&change->replace_because, r);
  }

  // A protected resource (by the blueprint, or by the state once the
  // blueprint drops it) is never deleted or replaced unless the run names
  // it in --allow-destroy: a deletion becomes a warning and it stays in
  // state; a replacement or `state: absent` fails it.
  void Protect(const Candidate& c, PlanChange* change) {
    change->is_protected = c.desired ? c.desired->is_protected : c.prior->is_protected;
    bool was = c.prior && c.prior->is_protected;
    if (c.desired && c.prior && c.desired->is_protected != was &&
        change->action == Action::kNoOp) {
      plan_.protection[c.address] = c.desired->is_protected;
    }
    bool is = (c.desired && c.desired->is_protected) || was;
    if (!is || Contains(options_.allow_destroy, c.address)) return;
    std::string what = "protected (lifecycle.protected)";
    std::string allow = "name it in --allow-destroy " + c.address + " to ";
    if (change->action == Action::kDelete && !(c.desired && !options_.destroy)) {
      plan_.diagnostics.Warning(what + ": it is not deleted and stays in state", {},
                                allow + "delete it")
          .address = c.address;
      change->action = Action::kNoOp;
    } else if (change->action == Action::kDelete) {
      plan_.diagnostics.Error(what + " and state: absent would delete it", {}, allow + "delete it")
          .address = c.address;
      change->action = Action::kNoOp;
    } else if (change->action == Action::kReplace) {
      std::string because;
      for (const auto& r : change->replace_because) because += (because.empty() ? "" : ", ") + r;
      plan_.diagnostics
          .Error(what + " and must be replaced: " + because + " cannot change in place", {},
                 allow + "replace it, or keep " + because + " as it is")
          .address = c.address;
      change->action = Action::kNoOp;
    }
  }

  // What a reference to another resource's computed attribute takes: its
  // live value when that resource is not made anew by this plan (kept in
  // the plan for the walker), else nothing yet. `*sensitive` is set when
  // the attribute is sensitive (known yet or not).
  UnknownLookup Lookup(bool* sensitive) {
    return [this, sensitive](const std::string& address,
                             const std::string& attribute) -> const Value* {
      auto it = index_.find(address);
      if (it == index_.end()) return nullptr;
      Diff(it->second);
      const Candidate& r = all_[it->second];
      ValuePath path;
      std::string unused;
      if (!ParseValuePath(attribute, &path, &unused)) return nullptr;
      const ResourceTypeSchema* schema = providers_.SchemaOf(r.type());
      const AttributeSchema* a = schema ? schema->Find(path.attribute) : nullptr;
      bool secret =
          (a && a->sensitive) || (r.change && Contains(r.change->sensitive, path.attribute));
      *sensitive = *sensitive || secret;
      if (!r.change || !r.live || !r.live->exists || r.change->action == Action::kDelete ||
          Contains(r.change->unknown, path.attribute)) {
        return nullptr;
      }
      // A replacement gets new computed values, nested ones too (the MACs
      // libvirt picks for a new VM's NICs).
      if (r.change->action == Action::kReplace && !Follow(r.change->after, path)) return nullptr;
      const Value* v = Follow(r.live->attributes, path);
      if (!v) return nullptr;
      (secret ? plan_.resolved_sensitive : plan_.resolved)[address][attribute] = *v;
      return v;
    };
  }

  // A changed notifier triggers what it notifies: a restart, even when
  // nothing else about it changes (unless it could not be planned).
  void Notify() {
    for (const auto& c : all_) {
      if (!c.change || !c.desired) continue;
      Action a = c.change->action;
      if (a == Action::kNoOp || a == Action::kDelete) continue;
      auto n = c.desired->attributes.find("notify");
      if (n == c.desired->attributes.end() || !n->is_array()) continue;
      for (const auto& t : *n) {
        auto it = index_.find(t.get<std::string>());
        if (it == index_.end() || !all_[it->second].change) continue;
        PlanChange& notified = *all_[it->second].change;
        if (notified.action == Action::kNoOp) notified.action = Action::kUpdate;
        notified.triggered_by.push_back(c.address);
      }
    }
  }

  // Dependency order, ties in the order the blueprint lists them.
  void Order() {
    std::vector<PlanChange> changes;
    for (auto& c : all_) {
      if (c.change && c.change->action != Action::kNoOp) changes.push_back(std::move(*c.change));
    }
    DependencyGraph g = ChangeGraph(changes);
    std::vector<size_t> cycle;
    std::vector<size_t> order = g.TopologicalOrder(&cycle);
    if (!cycle.empty()) {
      std::string path;
      for (size_t i : cycle) path += (path.empty() ? "" : " -> ") + changes[i].address.ToString();
      plan_.diagnostics.Error("dependency cycle among planned changes: " + path);
      return;
    }
    plan_.changes.reserve(changes.size());
    for (size_t i : order) plan_.changes.push_back(std::move(changes[i]));
  }

  void Report(size_t i, Diagnostic d) {
    d.address = all_[i].address;
    plan_.diagnostics.Add(std::move(d));
  }
  void Fail(size_t i, const std::string& message) {
    plan_.diagnostics.Error(message).address = all_[i].address;
  }

  const DesiredConfig& desired_;
  const StateSnapshot& prior_;
  const ProviderRegistry& providers_;
  const PlanOptions& options_;
  Plan plan_;
  std::vector<Candidate> all_;
  std::unordered_map<std::string, size_t> index_;  // by address
  std::vector<ReadResponse> responses_;            // the refresh; `live` points into it
  std::set<std::string> unconfigured_;             // providers whose Configure failed
};

}  // namespace

Plan MakePlan(const DesiredConfig& desired, const StateSnapshot& prior,
              const ProviderRegistry& providers, const PlanOptions& options) {
  return Planner(desired, prior, providers, options).Run();
}

}  // namespace mfgctl
