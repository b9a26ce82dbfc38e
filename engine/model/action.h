#pragma once

#include <optional>
#include <string_view>

namespace mfgctl {

/// The small action vocabulary every output uses.
enum class Action { kNoOp, kCreate, kUpdate, kReplace, kDelete };

/// `+`, `~`, `-/+`, `-`, or empty for no-op.
std::string_view ActionSymbol(Action a);
/// "create", "update", "replace", "delete", "no-op" (as in JSON output).
std::string_view ActionName(Action a);
std::optional<Action> ActionFromName(std::string_view name);

}  // namespace mfgctl
