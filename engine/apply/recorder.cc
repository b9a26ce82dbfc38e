#include "engine/apply/recorder.h"

#include "engine/state/journal.h"

namespace mfgctl {

void FoldChange(const PlanChange& change, const Value& attributes, const Plan& plan,
                StateSnapshot* state) {
  std::string addr = change.address.ToString();
  const std::string& target = change.address.target;
  if (change.action == Action::kDelete) {
    state->resources.erase(addr);
    bool target_used = false;
    for (const auto& [a, r] : state->resources) {
      if (r.address.target == target) {
        target_used = true;
        break;
      }
    }
    if (!target_used) state->targets.erase(target);
    return;
  }
  ResourceState& rs = state->resources[addr];
  rs.address = change.address;
  rs.type = change.type;
  rs.attributes = attributes;
  rs.dependencies = change.depends_on;
  rs.sensitive = change.sensitive;
  rs.is_protected = change.is_protected;
  if (auto it = plan.targets.find(target); it != plan.targets.end()) {
    state->targets[target] = it->second;
  }
}

StateRecorder::StateRecorder(StateBackend& backend, StateSnapshot initial, const Plan& plan)
    : backend_(backend), plan_(plan), state_(std::move(initial)) {
  if (state_.lineage.empty()) state_.lineage = NewLineage();
  if (state_.plant.empty()) state_.plant = plan.plant;
  if (state_.salt.empty()) state_.salt = plan.salt;
}

bool StateRecorder::Record(const std::vector<AppliedChange>& done, Diagnostics* diags) {
  std::lock_guard<std::mutex> g(mu_);
  bool journal = (written_ || write_failed_) && backend_.HasJournal();
  std::string lines;
  for (const auto& [change, attributes] : done) {
    FoldChange(*change, attributes, plan_, &state_);
    ++state_.serial;
    if (backend_.HasJournal()) {
      lines += JournalLine(state_, change->address.ToString(), change->address.target);
    }
  }
  if (!journal) {
    written_ = true;
    if (backend_.Write(state_, diags)) return true;
    if (!backend_.HasJournal()) return false;
    // The work is done on the hosts: the journal keeps it for the next
    // read even when the whole state cannot be written.
    write_failed_ = true;
    backend_.AppendJournal(lines, diags);
    return false;
  }
  journaled_ = true;
  return backend_.AppendJournal(lines, diags);
}

bool StateRecorder::Finish(Diagnostics* diags) {
  std::lock_guard<std::mutex> g(mu_);
  if (!journaled_ || write_failed_) return !write_failed_;
  journaled_ = false;
  return backend_.Write(state_, diags);
}

bool StateRecorder::RecordProtection(Diagnostics* diags) {
  std::lock_guard<std::mutex> g(mu_);
  bool changed = false;
  for (const auto& [addr, on] : plan_.protection) {
    auto it = state_.resources.find(addr);
    if (it == state_.resources.end() || it->second.is_protected == on) continue;
    it->second.is_protected = on;
    changed = true;
  }
  if (!changed) return true;
  ++state_.serial;
  written_ = true;
  return backend_.Write(state_, diags);
}

StateSnapshot StateRecorder::Snapshot() const {
  std::lock_guard<std::mutex> g(mu_);
  return state_;
}

}  // namespace mfgctl
