#pragma once

#include <mutex>

#include "engine/apply/walker.h"
#include "engine/model/diagnostics.h"
#include "engine/plan/plan.h"
#include "engine/state/backend.h"
#include "engine/state/state.h"

namespace mfgctl {

/// Keeps a plant's state true while a plan is applied: every finished change
/// is folded into the snapshot and made durable through the backend before
/// the next one is reported, so a run killed at any moment loses nothing it
/// did — the first as a whole write, the rest as journal lines when the
/// backend keeps a journal, folded into one whole write by Finish.
class StateRecorder {
 public:
  StateRecorder(StateBackend& backend, StateSnapshot initial, const Plan& plan);

  /// Records changes that finished together, each resource now holding its
  /// `attributes` (canonical, sealed; ignored for a deletion), and makes
  /// them durable at once: one write, or one journal append. Thread-safe.
  bool Record(const std::vector<AppliedChange>& done, Diagnostics* diags);

  /// Writes the whole state once if anything went to the journal.
  bool Finish(Diagnostics* diags);

  /// Records the plan's protection changes (resources with nothing else to
  /// do) in one write; true when there were none.
  bool RecordProtection(Diagnostics* diags);

  /// The snapshot as last recorded.
  StateSnapshot Snapshot() const;

 private:
  StateBackend& backend_;
  const Plan& plan_;
  mutable std::mutex mu_;
  StateSnapshot state_;
  bool written_ = false;   // a whole write happened: the rest may go to the journal
  bool journaled_ = false; // the journal holds lines the state file lacks
  /// A whole write failed (a remote backend refused it): what finishes
  /// from then on goes to the journal, which the next read folds in, and
  /// Finish does not try again (the error has been said).
  bool write_failed_ = false;
};

/// Folds one change into a snapshot (no I/O): applied changes store
/// `attributes`, deletions drop the resource, and a target's connection
/// settings are kept exactly while it has resources.
void FoldChange(const PlanChange& change, const Value& attributes, const Plan& plan,
                StateSnapshot* state);

}  // namespace mfgctl
