#include "engine/plan/plan.h"

#include "engine/state/state.h"

namespace mfgctl {

void CountAction(Action action, PlanSummary* s) {
  switch (action) {
    case Action::kCreate: ++s->add; break;
    case Action::kUpdate: ++s->change; break;
    case Action::kReplace: ++s->add, ++s->destroy; break;
    case Action::kDelete: ++s->destroy; break;
    case Action::kNoOp: break;
  }
}

PlanSummary Summarize(const Plan& plan) {
  PlanSummary s;
  for (const auto& c : plan.changes) CountAction(c.action, &s);
  return s;
}

const Value* ResolvedValue(const Plan& plan, const std::string& address,
                           const std::string& attribute) {
  for (const auto* found : {&plan.resolved, &plan.resolved_sensitive}) {
    auto it = found->find(address);
    if (it == found->end()) continue;
    if (auto v = it->second.find(attribute); v != it->second.end()) return &*v;
  }
  return nullptr;
}

Value PlanToJson(const Plan& plan, const Value& inputs) {
  Value changes = Value::array();
  for (const auto& c : plan.changes) {
    changes.push_back({{"address", c.address.ToString()},
                       {"type", c.type},
                       {"action", ActionName(c.action)},
                       {"before", c.before},
                       {"after", c.after},
                       {"replace_because", c.replace_because},
                       {"depends_on", c.depends_on},
                       {"triggered_by", c.triggered_by},
                       {"sensitive", c.sensitive},
                       {"unknown", c.unknown},
                       {"protected", c.is_protected},
                       {"notes", c.notes},
                       {"restarts", c.restarts}});
  }
  Value targets = Value::object();
  for (const auto& [name, t] : plan.targets) {
    targets[name] = {{"provider", t.provider}, {"config", StorableConfig(t)}};
  }
  return {{"format", "mfgctl-plan"},
          {"version", 1},
          {"plant", plan.plant},
          {"destroy", plan.destroy},
          {"state_lineage", plan.state_lineage},
          {"state_serial", plan.state_serial},
          {"config_digest", plan.config_digest},
          {"salt", plan.salt},
          {"inputs", inputs},
          {"targets", std::move(targets)},
          {"resolved", plan.resolved},
          {"protection", plan.protection},
          {"changes", std::move(changes)}};
}

bool PlanFromJson(const Value& j, const std::string& origin, Plan* plan, Value* inputs,
                  Diagnostics* diags) {
  SourcePos pos{origin, 0, 0};
  if (!j.is_object() || j.value("format", "") != "mfgctl-plan" || j.value("version", 0) != 1) {
    diags->Error("not an mfgctl plan file (expected one written by `mfgctl plan --out`)", pos);
    return false;
  }
  try {
    Plan p;
    p.plant = j.at("plant").get<std::string>();
    p.destroy = j.at("destroy").get<bool>();
    p.state_lineage = j.at("state_lineage").get<std::string>();
    p.state_serial = j.at("state_serial").get<uint64_t>();
    p.config_digest = j.at("config_digest").get<std::string>();
    p.salt = j.value("salt", "");
    Value resolved = j.value("resolved", Value::object());
    for (const auto& [addr, attrs] : resolved.items()) p.resolved[addr] = attrs;
    Value protection = j.value("protection", Value::object());
    for (const auto& [addr, on] : protection.items()) p.protection[addr] = on.get<bool>();
    for (const auto& [name, t] : j.at("targets").items()) {
      p.targets[name] = Target{name, t.at("provider").get<std::string>(), t.at("config"), {}, {}};
    }
    for (const auto& c : j.at("changes")) {
      PlanChange pc;
      auto addr = ResourceAddress::Parse(c.at("address").get<std::string>());
      auto action = ActionFromName(c.at("action").get<std::string>());
      if (!addr || !action) {
        diags->Error("malformed change in plan file", pos);
        return false;
      }
      pc.address = *addr;
      pc.action = *action;
      pc.type = c.at("type").get<std::string>();
      pc.before = c.at("before");
      pc.after = c.at("after");
      pc.replace_because = c.at("replace_because").get<std::vector<std::string>>();
      pc.depends_on = c.at("depends_on").get<std::vector<std::string>>();
      pc.triggered_by = c.value("triggered_by", std::vector<std::string>{});
      pc.sensitive = c.value("sensitive", std::vector<std::string>{});
      pc.unknown = c.value("unknown", std::vector<std::string>{});
      pc.is_protected = c.value("protected", false);
      pc.notes = c.value("notes", std::vector<std::string>{});
      pc.restarts = c.value("restarts", false);
      p.changes.push_back(std::move(pc));
    }
    *inputs = j.at("inputs");
    *plan = std::move(p);
    return true;
  } catch (const nlohmann::json::exception& e) {
    diags->Error(std::string("malformed plan file: ") + e.what(), pos);
    return false;
  }
}

}  // namespace mfgctl
