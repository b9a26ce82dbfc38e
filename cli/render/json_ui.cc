// Machine-readable output: one JSON object per line, shaped like
// `terraform -json` (@level, @message, @module, @timestamp, type).
#include <chrono>
#include <ostream>

#include "cli/render/ui.h"
#include "engine/model/sensitive.h"
#include "engine/model/timestamp.h"

namespace mfgctl {
namespace {

std::string Timestamp() { return UtcTimestamp(std::chrono::system_clock::now(), true); }

Value ResourceJson(const PlanChange& c) {
  return {{"addr", c.address.ToString()},
          {"resource_type", c.type},
          {"resource_name", c.address.name},
          {"target", c.address.target}};
}

// Redacts the sensitive attributes of an attribute object: those the
// schema marks and those derived from secrets.
Value Redacted(const Value& attrs, const ResourceTypeSchema* schema,
               const std::vector<std::string>& sensitive) {
  if (!attrs.is_object()) return attrs;
  Value out = attrs;
  for (auto& [name, v] : out.items()) {
    const AttributeSchema* a = schema ? schema->Find(name) : nullptr;
    if ((a && a->sensitive) || Contains(sensitive, name)) v = kRedacted;
  }
  return out;
}

class JsonUi : public Ui {
 public:
  explicit JsonUi(std::ostream& out) : out_(out) {
    Emit("info", "mfgctl " MFGCTL_VERSION, "version", {{"mfgctl", MFGCTL_VERSION}, {"ui", "1.0"}});
  }

  void ShowDiagnostics(const Diagnostics& diags) override {
    for (const auto& d : diags) {
      Value diag = {{"severity", d.severity == Severity::kError ? "error" : "warning"},
                    {"summary", d.summary},
                    {"detail", d.detail}};
      if (!d.address.empty()) diag["address"] = d.address;
      if (d.pos.Known()) {
        diag["range"] = {{"filename", d.pos.file},
                         {"start", {{"line", d.pos.line}, {"column", d.pos.col}}}};
        if (!d.pos.via.empty()) diag["via"] = d.pos.via;
      }
      Emit(d.severity == Severity::kError ? "error" : "warn", d.summary, "diagnostic",
           {{"diagnostic", diag}});
    }
  }

  void ShowPlan(const Plan& plan, const ProviderRegistry& providers,
                const DesiredConfig*) override {
    for (const auto& c : plan.changes) {
      const ResourceTypeSchema* schema = providers.SchemaOf(c.type);
      Value change = {{"resource", ResourceJson(c)},
                      {"action", ActionName(c.action)},
                      {"before", Redacted(c.before, schema, c.sensitive)},
                      {"after", Redacted(c.after, schema, c.sensitive)}};
      if (!c.replace_because.empty()) change["reason"] = "replace_because_cannot_update";
      if (!c.replace_because.empty()) change["replace_paths"] = c.replace_because;
      if (!c.triggered_by.empty()) change["triggered_by"] = c.triggered_by;
      if (!c.notes.empty()) change["notes"] = c.notes;
      if (c.restarts) change["restarts"] = true;
      if (!c.unknown.empty()) {
        // As Terraform's JSON: what is not known yet is left out of `after`.
        change["after_unknown"] = Value::object();
        for (const auto& k : c.unknown) {
          change["after_unknown"][k] = true;
          if (change["after"].is_object()) change["after"].erase(k);
        }
      }
      Emit("info", c.address.ToString() + ": Plan to " + std::string(ActionName(c.action)),
           "planned_change", {{"change", change}});
    }
    for (const auto& [addr, on] : plan.protection) {
      Emit("info", addr + (on ? ": Plan to protect" : ": Plan to stop protecting"),
           "protection_change", {{"resource", {{"addr", addr}}}, {"protected", on}});
    }
    PlanSummary s = Summarize(plan);
    Emit("info",
         "Plan: " + std::to_string(s.add) + " to add, " + std::to_string(s.change) +
             " to change, " + std::to_string(s.destroy) + " to destroy.",
         "change_summary",
         {{"changes",
           {{"add", s.add}, {"change", s.change}, {"remove", s.destroy},
            {"operation", plan.destroy ? "destroy" : "plan"}}}});
  }

  void ShowDrift(const Plan& drift, const ProviderRegistry& providers) override {
    int changed = 0, deleted = 0;
    for (const auto& c : drift.changes) {
      bool gone = c.action == Action::kDelete;
      ++(gone ? deleted : changed);
      const ResourceTypeSchema* schema = providers.SchemaOf(c.type);
      Value change = {{"resource", ResourceJson(c)},
                      {"action", ActionName(c.action)},
                      {"before", Redacted(c.before, schema, c.sensitive)},
                      {"after", Redacted(c.after, schema, c.sensitive)}};
      Emit("info",
           c.address.ToString() + ": Drift detected (" + std::string(ActionName(c.action)) + ")",
           "resource_drift", {{"change", change}});
    }
    Emit("info",
         "Drift: " + std::to_string(changed) + " changed, " + std::to_string(deleted) +
             " deleted outside mfgctl.",
         "change_summary",
         {{"changes",
           {{"add", 0}, {"change", 0}, {"remove", 0}, {"operation", "refresh"},
            {"drift", {{"changed", changed}, {"deleted", deleted}}}}}});
  }

  void ShowApplyEvent(const ApplyEvent& ev) override {
    std::string addr = ev.change->address.ToString();
    Value hook = {{"resource", ResourceJson(*ev.change)},
                  {"action", ActionName(ev.change->action)}};
    switch (ev.kind) {
      case ApplyEvent::Kind::kStart:
        Emit("info", addr + ": " + std::string(ActionName(ev.change->action)) + " started",
             "apply_start", {{"hook", hook}});
        break;
      case ApplyEvent::Kind::kComplete:
        hook["elapsed_seconds"] = static_cast<double>(ev.elapsed.count()) / 1000.0;
        Emit("info", addr + ": " + std::string(ActionName(ev.change->action)) + " complete",
             "apply_complete", {{"hook", hook}});
        break;
      case ApplyEvent::Kind::kError:
        hook["elapsed_seconds"] = static_cast<double>(ev.elapsed.count()) / 1000.0;
        Emit("error", addr + ": " + std::string(ActionName(ev.change->action)) + " errored",
             "apply_errored", {{"hook", hook}});
        ShowDiagnostics(ev.diagnostics);
        break;
      case ApplyEvent::Kind::kSkipped:
        Emit("warn", addr + ": skipped", "apply_skipped", {{"hook", hook}});
        break;
    }
  }

  void ShowApplySummary(const ApplyResult& r, const Plan& plan) override {
    Emit(r.failed ? "error" : "info",
         std::string(plan.destroy ? "Destroy" : "Apply") + " complete! Resources: " +
             std::to_string(r.done.add) + " added, " + std::to_string(r.done.change) +
             " changed, " + std::to_string(r.done.destroy) + " destroyed.",
         "change_summary",
         {{"changes",
           {{"add", r.done.add}, {"change", r.done.change}, {"remove", r.done.destroy},
            {"failed", r.failed}, {"skipped", r.skipped}, {"not_started", r.not_started},
            {"operation", plan.destroy ? "destroy" : "apply"}}}});
  }

  void ShowOutputs(const std::vector<Output>& outputs) override {
    if (outputs.empty()) return;
    Emit("info", "Outputs: " + std::to_string(outputs.size()), "outputs",
         {{"outputs", OutputsJson(outputs)}});
  }

  void Info(const std::string& message) override { Emit("info", message, "log", Value::object()); }

 private:
  void Emit(const char* level, const std::string& message, const char* type, Value fields) {
    Value line = {{"@level", level},
                  {"@message", message},
                  {"@module", "mfgctl.ui"},
                  {"@timestamp", Timestamp()},
                  {"type", type}};
    for (auto& [k, v] : fields.items()) line[k] = v;
    out_ << ShowJson(line) << "\n";
    out_.flush();
  }

  std::ostream& out_;
};

}  // namespace

std::unique_ptr<Ui> MakeJsonUi(std::ostream& out) { return std::make_unique<JsonUi>(out); }

}  // namespace mfgctl
