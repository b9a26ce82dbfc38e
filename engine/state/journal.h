#pragma once

#include <string>

#include "engine/model/diagnostics.h"
#include "engine/state/state.h"

namespace mfgctl {

/// A state journal: while a plan is applied, each finished change is
/// appended as one line (and made durable) instead of rewriting the whole
/// state, so state I/O grows with the changes made, not with their square.
/// The run folds the journal into the state when it ends; a run that died
/// leaves it for the next read to fold. A line is written only once its
/// change has finished, and a line cut short by a kill is ignored: the
/// journal never records work that did not finish.

/// The journal line for `address` and its `target` as `s` holds them now,
/// at `s.serial`: the resource's record, or its removal; the target's
/// settings, or their removal.
std::string JournalLine(const StateSnapshot& s, const std::string& address,
                        const std::string& target);

/// Folds journal text into `s`: each complete line whose serial is above
/// the snapshot's. False and a diagnostic naming `origin` for a line that
/// is complete but malformed.
bool FoldJournal(const std::string& text, const std::string& origin, StateSnapshot* s,
                 Diagnostics* diags);

}  // namespace mfgctl
