#include "engine/state/journal.h"

namespace mfgctl {

std::string JournalLine(const StateSnapshot& s, const std::string& address,
                        const std::string& target) {
  Value line = {{"serial", s.serial}, {"address", address}, {"target", target}};
  if (auto r = s.resources.find(address); r != s.resources.end()) {
    line["resource"] = ResourceToJson(address, r->second);
  }
  if (auto t = s.targets.find(target); t != s.targets.end()) {
    line["settings"] = TargetToJson(t->second);
  }
  return ShowJson(line) + "\n";
}

bool FoldJournal(const std::string& text, const std::string& origin, StateSnapshot* s,
                 Diagnostics* diags) {
  size_t at = 0, number = 0;
  for (size_t end; (end = text.find('\n', at)) != std::string::npos; at = end + 1) {
    ++number;
    Value line = Value::parse(text.substr(at, end - at), nullptr, false);
    try {
      if (line.is_discarded()) throw Value::parse_error::create(101, 0, "not JSON", nullptr);
      uint64_t serial = line.at("serial").get<uint64_t>();
      if (serial <= s->serial) continue;
      std::string address = line.at("address").get<std::string>();
      std::string target = line.at("target").get<std::string>();
      if (line.contains("resource")) {
        ResourceState rs;
        std::string written;
        if (!ResourceFromJson(line["resource"], &written, &rs)) {
          throw Value::other_error::create(501, "malformed address", nullptr);
        }
        s->resources[address] = std::move(rs);
      } else {
        s->resources.erase(address);
      }
      if (line.contains("settings")) {
        s->targets[target] = TargetFromJson(target, line["settings"]);
      } else {
        s->targets.erase(target);
      }
      s->serial = serial;
    } catch (const nlohmann::json::exception&) {
      diags->Error("state journal " + origin + " line " + std::to_string(number) + " is malformed",
                   {}, "move it away to go on from the state without it");
      return false;
    }
  }
  return true;  // what follows the last line break was cut short: not finished
}

}  // namespace mfgctl
