#include "engine/model/action.h"

namespace mfgctl {

std::string_view ActionSymbol(Action a) {
  switch (a) {
    case Action::kCreate: return "+";
    case Action::kUpdate: return "~";
    case Action::kReplace: return "-/+";
    case Action::kDelete: return "-";
    case Action::kNoOp: return "";
  }
  return "";
}

std::string_view ActionName(Action a) {
  switch (a) {
    case Action::kCreate: return "create";
    case Action::kUpdate: return "update";
    case Action::kReplace: return "replace";
    case Action::kDelete: return "delete";
    case Action::kNoOp: return "no-op";
  }
  return "no-op";
}

std::optional<Action> ActionFromName(std::string_view name) {
  for (Action a : {Action::kNoOp, Action::kCreate, Action::kUpdate, Action::kReplace,
                   Action::kDelete}) {
    if (ActionName(a) == name) return a;
  }
  return std::nullopt;
}

}  // namespace mfgctl
