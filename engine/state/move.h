#pragma once

#include <string>
#include <vector>

#include "engine/model/diagnostics.h"
#include "engine/state/state.h"

namespace mfgctl {

/// What `state mv` changes: the resource renamed, and the resources whose
/// dependencies named the old address.
struct StateMove {
  std::string from;
  std::string to;
  /// Addresses of the resources whose dependencies were rewritten.
  std::vector<std::string> rewired;
};

/// Renames a resource in `state` (no I/O), as `mfgctl state mv` does: `to`
/// must be a valid address not in the state, `from` one in it (else a
/// diagnostic with a suggestion), both of the same kind; the target may
/// change only to one the state has connection settings for. Dependencies
/// on `from` follow the resource; a target left without resources is
/// dropped, as apply drops it. On failure `state` is unchanged.
bool MoveInState(StateSnapshot* state, const std::string& from, const std::string& to,
                 StateMove* move, Diagnostics* diags);

/// The entry of `address` in the state, or null and an error suggesting the
/// nearest address the state knows.
const ResourceState* FindInState(const StateSnapshot& state, const std::string& address,
                                 Diagnostics* diags);

}  // namespace mfgctl
