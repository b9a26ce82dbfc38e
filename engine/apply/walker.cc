#include "engine/apply/walker.h"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "engine/model/sensitive.h"
#include "engine/model/unknown.h"
#include "engine/model/value_path.h"
#include "engine/plan/differ.h"
#include "engine/plan/planner.h"

namespace mfgctl {
namespace {

class Walker {
 public:
  Walker(const Plan& plan, const DesiredConfig& desired, const ProviderRegistry& providers,
         ApplyObserver& observer, const ApplyOptions& options)
      : plan_(plan), providers_(providers), observer_(observer), options_(options),
        graph_(ChangeGraph(plan.changes)), waiting_on_(plan.changes.size()),
        state_(plan.changes.size(), kWaiting) {
    for (const auto& r : desired.resources) desired_[r.address.ToString()] = &r;
    // The blueprint's settings, with their secrets, win over the plan's,
    // which a saved plan keeps without them.
    for (const auto& [name, t] : plan.targets) {
      auto it = desired.targets.find(name);
      const Target* target = it != desired.targets.end() ? &it->second : &t;
      targets_[name] = target;
      if (int n = target->config.value(kMaxParallelSetting, 0); n > 0) max_parallel_[name] = n;
    }
    for (const auto& c : plan.changes) {
      max_limit_ = std::max(max_limit_, LimitOf(c.address.target, providers_.ForType(c.type)));
    }
    for (size_t i = 0; i < plan.changes.size(); ++i) {
      waiting_on_[i] = graph_.DependenciesOf(i).size();
      if (waiting_on_[i] == 0) MakeReady(i);
    }
  }

  ApplyResult Run() {
    // Enough workers for `parallelism` targets each at its limit.
    int workers = std::clamp(options_.parallelism * max_limit_, 1, kMaxWorkers);
    std::vector<std::thread> pool;
    for (int w = 0; w < workers; ++w) pool.emplace_back([this] { Work(); });
    for (auto& t : pool) t.join();
    for (auto s : state_) {
      if (s == kWaiting || s == kReady) ++result_.not_started;
    }
    return std::move(result_);
  }

 private:
  enum NodeState { kWaiting, kReady, kRunning, kDone, kFailed, kSkipped };

  void MakeReady(size_t i) {
    state_[i] = kReady;
    ready_[plan_.changes[i].address.target].push_back(i);
  }

  bool Interrupted() const { return options_.interrupted && options_.interrupted->load(); }

  // How many actions of provider `p` may run at once on a target: its
  // `max_parallel`, else the provider's own number.
  int LimitOf(const std::string& target, const Provider* p) const {
    if (auto set = max_parallel_.find(target); set != max_parallel_.end()) return set->second;
    return p ? std::max(1, p->MaxActionsPerTarget()) : 1;
  }

  // Picks the next ready change on a target below its limit (a target with
  // nothing running only while fewer than `parallelism` targets are busy),
  // with every other ready change there of the same provider when it
  // applies actions together (but none of a type that applies alone), or
  // of the same type when the type applies in batches; false when there is
  // nothing to start now.
  bool PickLocked(std::vector<size_t>* out) {
    out->clear();
    bool room = static_cast<int>(in_flight_.size()) < std::max(1, options_.parallelism);
    for (auto& [target, queue] : ready_) {
      if (queue.empty()) continue;
      auto running = in_flight_.find(target);
      bool full = running == in_flight_.end()
                      ? !room
                      : running->second >= LimitOf(target, ProviderOf(queue.front()));
      if (full) continue;
      size_t first = queue.front();
      queue.pop_front();
      out->push_back(first);
      const std::string& type = plan_.changes[first].type;
      const Provider* provider = providers_.ForType(type);
      const ResourceTypeSchema* schema = providers_.SchemaOf(type);
      bool alone = schema && schema->applies_alone;
      bool together = !alone && provider && provider->AppliesTogether();
      if (together || (schema && schema->batch_apply)) {
        for (auto it = queue.begin(); it != queue.end();) {
          if (together ? ProviderOf(*it) == provider && !AppliesAlone(*it)
                       : plan_.changes[*it].type == type) {
            out->push_back(*it);
            it = queue.erase(it);
          } else {
            ++it;
          }
        }
      }
      ++in_flight_[target];
      for (size_t i : *out) state_[i] = kRunning;
      ++running_;
      return true;
    }
    return false;
  }

  void Work() {
    std::unique_lock<std::mutex> lock(mu_);
    std::vector<size_t> batch;
    for (;;) {
      if (Interrupted() || !PickLocked(&batch)) {
        if (running_ == 0) {
          cv_.notify_all();
          return;
        }
        cv_.wait(lock);
        continue;
      }
      lock.unlock();
      std::vector<bool> ok = Execute(batch);
      lock.lock();
      --running_;
      auto running = in_flight_.find(plan_.changes[batch[0]].address.target);
      if (--running->second == 0) in_flight_.erase(running);
      for (size_t k = 0; k < batch.size(); ++k) {
        size_t i = batch[k];
        if (ok[k]) {
          state_[i] = kDone;
          for (size_t dep : graph_.DependentsOf(i)) {
            if (state_[dep] == kWaiting && --waiting_on_[dep] == 0) MakeReady(dep);
          }
        } else {
          state_[i] = kFailed;
          SkipDependents(i);
        }
      }
      cv_.notify_all();
    }
  }

  void SkipDependents(size_t failed) {
    std::vector<size_t> work{failed};
    while (!work.empty()) {
      size_t n = work.back();
      work.pop_back();
      for (size_t dep : graph_.DependentsOf(n)) {
        if (state_[dep] != kWaiting) continue;
        state_[dep] = kSkipped;
        ApplyEvent ev;
        ev.kind = ApplyEvent::Kind::kSkipped;
        ev.change = &plan_.changes[dep];
        ev.diagnostics.Warning("skipped because " + plan_.changes[failed].address.ToString() +
                               " failed")
            .address = plan_.changes[dep].address.ToString();
        {
          std::lock_guard<std::mutex> g(observer_mu_);
          ++result_.skipped;
          observer_.OnEvent(ev);
        }
        work.push_back(dep);
      }
    }
  }

  // Carries out changes of one target and one provider (several when it
  // applies them together or their type is batch_apply) and reports each;
  // true per change that completed.
  std::vector<bool> Execute(const std::vector<size_t>& batch) {
    auto start = std::chrono::steady_clock::now();
    std::vector<Diagnostics> diags(batch.size());
    std::vector<Value> states(batch.size());
    std::vector<Value> resolved(batch.size());  // the after of deferred attributes, once known
    std::vector<ApplyRequest> reqs;
    std::vector<size_t> sent;  // positions in `batch` of the requests made
    const std::string& target_name = plan_.changes[batch[0]].address.target;
    auto target = targets_.find(target_name);
    Provider* provider = ProviderOf(batch[0]);  // the same for all of them
    for (size_t k = 0; k < batch.size(); ++k) {
      const PlanChange& change = plan_.changes[batch[k]];
      Emit({ApplyEvent::Kind::kStart, &change, {}, {}});
      if (target == targets_.end()) {
        diags[k].Error("no connection settings for target \"" + target_name + "\"");
        continue;
      }
      if (!provider) {
        diags[k].Error("no provider for resource type \"" + change.type + "\"");
        continue;
      }
      ApplyRequest req;
      req.target = target->second;
      req.address = change.address;
      req.type = change.type;
      req.action = change.action;
      req.before = change.before;
      req.triggered_by = change.triggered_by;
      req.restart = change.restarts;
      if (change.action != Action::kDelete) {
        auto it = desired_.find(change.address.ToString());
        if (it == desired_.end()) {
          diags[k].Error("the blueprint no longer declares this resource");
          continue;
        }
        req.after = it->second->attributes;
        if (!it->second->deferred.empty() && !ResolveDeferred(change, *it->second, &req.after,
                                                              &resolved[k], &diags[k])) {
          continue;
        }
      }
      reqs.push_back(std::move(req));
      sent.push_back(k);
    }
    std::vector<bool> ok(batch.size()), reported(batch.size());
    // Reports positions `ks` of the batch, none reported before (recorded
    // together when they succeeded).
    auto report = [&](const std::vector<size_t>& ks) {
      for (size_t k : ks) reported[k] = true;
      Report(batch, ks, diags, resolved, states,
             std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now() - start),
             &ok);
    };
    std::vector<size_t> unsent;
    for (size_t k = 0; k < batch.size(); ++k) {
      if (diags[k].HasErrors()) unsent.push_back(k);
    }
    report(unsent);
    if (reqs.size() == 1) {
      ApplyResponse response = provider->Apply(reqs[0]);
      diags[sent[0]] = std::move(response.diagnostics);
      states[sent[0]] = std::move(response.state);
      report({sent[0]});
    } else if (!reqs.empty()) {
      // Each response is recorded and reported as soon as the provider has
      // it: a run killed in the middle of a batch loses none of them.
      provider->ApplyBatch(reqs, [&](std::vector<std::pair<size_t, ApplyResponse>> done) {
        std::vector<size_t> ks;
        for (auto& [r, response] : done) {
          if (r >= sent.size() || reported[sent[r]]) continue;
          diags[sent[r]] = std::move(response.diagnostics);
          states[sent[r]] = std::move(response.state);
          ks.push_back(sent[r]);
        }
        report(ks);
      });
      std::vector<size_t> missing;
      for (size_t k : sent) {
        if (reported[k]) continue;
        diags[k].Error("the provider returned no result for this action");
        missing.push_back(k);
      }
      report(missing);
    }
    return ok;
  }

  // Puts the computed values a resource's attributes reference where the
  // blueprint referenced them: from the resources this run made, else as
  // the plan read them. `planned` gets the attributes as state keeps them.
  bool ResolveDeferred(const PlanChange& change, const Resource& want, Value* after,
                       Value* planned, Diagnostics* diags) {
    std::deque<Value> found;
    UnknownLookup lookup = [&](const std::string& address,
                               const std::string& attribute) -> const Value* {
      {
        std::lock_guard<std::mutex> g(observer_mu_);
        auto made = made_.find(address);
        ValuePath path;
        std::string unused;
        const Value* v = made != made_.end() && ParseValuePath(attribute, &path, &unused)
                             ? Follow(made->second, path)
                             : nullptr;
        if (v) return &found.emplace_back(*v);
      }
      return ResolvedValue(plan_, address, attribute);
    };
    std::vector<std::string> unresolved;
    for (const auto& name : want.deferred) {
      if (after->contains(name)) ResolveUnknowns(&(*after)[name], lookup, &unresolved);
    }
    if (!unresolved.empty()) {
      diags->Error(unresolved[0] + " is still not known: its resource reported no value for it");
      return false;
    }
    const ResourceTypeSchema* schema = providers_.SchemaOf(change.type);
    if (schema) *planned = PlannedAttributes(*schema, *after, change.sensitive, plan_.salt);
    return true;
  }

  // What a resource holds once its change is done: the plan's `after` (or,
  // with deferred attributes, `resolved`) with the computed attributes the
  // provider returned in `state`, sealed when sensitive; an update keeps
  // the computed values it did not change.
  Value Recorded(const PlanChange& change, const Value& resolved, const Value& state) const {
    if (change.action == Action::kDelete) return Value();
    const Value& base = resolved.is_object() ? resolved : change.after;
    Value out = base.is_object() ? base : Value::object();
    const ResourceTypeSchema* schema = providers_.SchemaOf(change.type);
    if (!schema) return out;
    for (const auto& a : schema->attributes) {
      if (IsNested(a.type) && out.contains(a.name)) {
        // Computed leaves inside (a NIC's MAC): from what the provider
        // returned, else, for an update, from before.
        if (state.is_object() && state.contains(a.name)) {
          FillComputed(a, state[a.name], &out[a.name]);
        } else if (change.action == Action::kUpdate && change.before.is_object() &&
                   change.before.contains(a.name)) {
          FillComputed(a, change.before[a.name], &out[a.name]);
        }
      }
      if (!a.computed || (out.contains(a.name) && !Contains(change.unknown, a.name))) continue;
      Value v;
      if (state.is_object() && state.contains(a.name)) {
        v = SealNamed({{a.name, state[a.name]}}, change.sensitive, plan_.salt)[a.name];
      } else if (change.action == Action::kUpdate && change.before.is_object()) {
        v = change.before.value(a.name, Value());
      }
      if (v.is_null()) out.erase(a.name);
      else out[a.name] = std::move(v);
    }
    return out;
  }

  // Reports positions `ks` of a batch that finished together: those that
  // succeeded are recorded together (and `(*ok)[k]` set), then each is
  // reported.
  void Report(const std::vector<size_t>& batch, const std::vector<size_t>& ks,
              const std::vector<Diagnostics>& diags, const std::vector<Value>& resolved,
              const std::vector<Value>& states, std::chrono::milliseconds elapsed,
              std::vector<bool>* ok) {
    if (ks.empty()) return;
    std::vector<AppliedChange> done;
    std::lock_guard<std::mutex> g(observer_mu_);
    for (size_t k : ks) {
      const PlanChange& change = plan_.changes[batch[k]];
      if (diags[k].HasErrors()) {
        Diagnostics named;
        for (Diagnostic d : diags[k]) {
          d.address = change.address.ToString();
          named.Add(std::move(d));
        }
        ++result_.failed;
        result_.diagnostics.Append(named);
        observer_.OnEvent({ApplyEvent::Kind::kError, &change, named, elapsed});
        continue;
      }
      (*ok)[k] = true;
      if (states[k].is_object()) made_[change.address.ToString()] = states[k];
      done.push_back({&change, Recorded(change, resolved[k], states[k])});
    }
    if (!done.empty()) observer_.OnApplied(done);
    for (size_t k : ks) {
      if (!(*ok)[k]) continue;
      const PlanChange& change = plan_.changes[batch[k]];
      ++result_.applied;
      CountAction(change.action, &result_.done);
      observer_.OnEvent({ApplyEvent::Kind::kComplete, &change, diags[k], elapsed});
    }
  }

  bool AppliesAlone(size_t change) const {
    const ResourceTypeSchema* schema = providers_.SchemaOf(plan_.changes[change].type);
    return schema && schema->applies_alone;
  }

  Provider* ProviderOf(size_t change) const {
    return providers_.ForType(plan_.changes[change].type);
  }

  void Emit(ApplyEvent ev) {
    std::lock_guard<std::mutex> g(observer_mu_);
    observer_.OnEvent(ev);
  }

  const Plan& plan_;
  const ProviderRegistry& providers_;
  ApplyObserver& observer_;
  const ApplyOptions& options_;
  DependencyGraph graph_;
  std::unordered_map<std::string, const Resource*> desired_;
  std::unordered_map<std::string, const Target*> targets_;
  std::unordered_map<std::string, int> max_parallel_;  // targets that set max_parallel
  int max_limit_ = 1;  // the largest per-target limit of this plan
  static constexpr int kMaxWorkers = 256;

  std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  std::vector<size_t> waiting_on_;
  std::vector<NodeState> state_;
  std::map<std::string, std::deque<size_t>> ready_;  // by target
  std::map<std::string, int> in_flight_;             // actions running, by busy target
  int running_ = 0;

  std::mutex observer_mu_;  // serializes observer calls, result_ and made_
  ApplyResult result_;
  /// What the provider returned for each resource applied so far.
  std::unordered_map<std::string, Value> made_;
};

}  // namespace

ApplyResult ApplyPlan(const Plan& plan, const DesiredConfig& desired,
                      const ProviderRegistry& providers, ApplyObserver& observer,
                      const ApplyOptions& options) {
  return Walker(plan, desired, providers, observer, options).Run();
}

}  // namespace mfgctl
