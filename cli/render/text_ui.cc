#include <ostream>
#include <set>

#include "cli/render/snippet.h"
#include "cli/render/ui.h"
#include "engine/model/unknown.h"
#include "engine/plan/differ.h"

namespace mfgctl {
namespace {

const char* kRed = "\033[31m";
const char* kGreen = "\033[32m";
const char* kYellow = "\033[33m";
const char* kBold = "\033[1m";
const char* kReset = "\033[0m";
const char* kKnownAfterApply = "(known after apply)";

// Past this many, a count: a hostile or badly generated blueprint can have
// 100k errors, and the first ones are those to fix (docs/cli.md).
constexpr size_t kMaxShownDiagnostics = 50;

// "... and 3 more errors and 1 more warning" (never empty).
std::string MoreDiagnostics(size_t errors, size_t warnings) {
  auto count = [](size_t n, const char* what) {
    return std::to_string(n) + " more " + what + (n == 1 ? "" : "s");
  };
  std::string out = "... and ";
  if (errors) out += count(errors, "error");
  if (errors && warnings) out += " and ";
  if (warnings) out += count(warnings, "warning");
  return out;
}

class TextUi : public Ui {
 public:
  TextUi(std::ostream& out, std::ostream& err, bool color) : out_(out), err_(err), color_(color) {}

  void ShowDiagnostics(const Diagnostics& diags) override {
    size_t shown = 0, errors = 0, warnings = 0;
    for (const auto& d : diags) {
      bool error = d.severity == Severity::kError;
      if (shown == kMaxShownDiagnostics) {
        ++(error ? errors : warnings);
        continue;
      }
      ++shown;
      err_ << Paint(error ? kRed : kYellow, FormatDiagnostic(d)) << "\n" << snippets_.At(d.pos);
    }
    if (errors || warnings) {
      err_ << Paint(errors ? kRed : kYellow, MoreDiagnostics(errors, warnings)) << "\n";
    }
  }

  void ShowPlan(const Plan& plan, const ProviderRegistry& providers,
                const DesiredConfig* desired) override {
    if (!plan.HasChanges()) {
      out_ << Paint(kGreen, "No changes.") << " The plant matches the blueprint.\n";
      return;
    }
    std::map<std::string, const Resource*> wanted;
    if (desired) {
      for (const auto& r : desired->resources) wanted[r.address.ToString()] = &r;
    }
    out_ << "mfgctl will perform the following actions:\n";
    plan_ = &plan;
    for (const auto& c : plan.changes) {
      auto it = wanted.find(c.address.ToString());
      ShowChange(c, providers.SchemaOf(c.type), it == wanted.end() ? nullptr : it->second);
    }
    for (const auto& [addr, on] : plan.protection) {
      out_ << "\n  " << Paint(kBold, "# " + addr)
           << (on ? " will be protected" : " will no longer be protected")
           << " (lifecycle.protected; recorded in state, nothing else changes)\n";
    }
    PlanSummary s = Summarize(plan);
    out_ << "\n" << Paint(kBold, "Plan:") << " " << s.add << " to add, " << s.change
         << " to change, " << s.destroy << " to destroy.\n";
  }

  void ShowDrift(const Plan& drift, const ProviderRegistry& providers) override {
    if (drift.changes.empty()) {
      // Not what could not be read: that is not known to match.
      if (drift.diagnostics.HasErrors()) {
        out_ << "No drift in what could be read; the errors below say what could not be.\n";
      } else {
        out_ << Paint(kGreen, "No changes.")
             << " The live objects still match what the state recorded.\n";
      }
      return;
    }
    out_ << Paint(kBold, "Note: Objects have changed outside of mfgctl") << "\n\n"
         << "mfgctl detected the following changes made outside of mfgctl since the last "
            "apply:\n";
    plan_ = &drift;
    int changed = 0, deleted = 0;
    for (const auto& c : drift.changes) {
      bool gone = c.action == Action::kDelete;
      ++(gone ? deleted : changed);
      ShowChange(c, providers.SchemaOf(c.type), nullptr,
                 gone ? "has been deleted outside mfgctl" : "has changed outside mfgctl");
    }
    out_ << "\n" << Paint(kBold, "Drift:") << " " << changed << " changed, " << deleted
         << " deleted outside mfgctl.\n\n"
         << "This is a refresh-only plan: mfgctl will not undo these changes. To record them "
            "in the state\nwithout changing anything on the plant, run: mfgctl apply "
            "--refresh-only\n";
  }

  void ShowApplyEvent(const ApplyEvent& ev) override {
    std::string addr = ev.change->address.ToString();
    switch (ev.kind) {
      case ApplyEvent::Kind::kStart:
        out_ << addr << ": " << Verb(ev.change->action, false) << "...\n";
        break;
      case ApplyEvent::Kind::kComplete:
        out_ << addr << ": " << Verb(ev.change->action, true) << " after "
             << Seconds(ev.elapsed) << "\n";
        break;
      case ApplyEvent::Kind::kError:
        out_ << Paint(kRed, addr + ": failed after " + Seconds(ev.elapsed)) << "\n";
        ShowDiagnostics(ev.diagnostics);
        break;
      case ApplyEvent::Kind::kSkipped:
        out_ << Paint(kYellow, addr + ": skipped") << "\n";
        ShowDiagnostics(ev.diagnostics);
        break;
    }
    out_.flush();
  }

  void ShowApplySummary(const ApplyResult& r, const Plan& plan) override {
    std::string line = std::string(plan.destroy ? "Destroy" : "Apply") +
                       (r.failed || r.not_started ? " incomplete!" : " complete!") +
                       " Resources: " + std::to_string(r.done.add) + " added, " +
                       std::to_string(r.done.change) + " changed, " +
                       std::to_string(r.done.destroy) +
                       " destroyed.";
    if (r.failed) line += " " + std::to_string(r.failed) + " failed.";
    if (r.skipped) line += " " + std::to_string(r.skipped) + " skipped.";
    if (r.not_started) line += " " + std::to_string(r.not_started) + " not started.";
    out_ << "\n" << Paint(r.failed || r.not_started ? kRed : kGreen, line) << "\n";
  }

  void ShowOutputs(const std::vector<Output>& outputs) override {
    if (outputs.empty()) return;
    out_ << "\nOutputs:\n\n";
    for (const Output& o : outputs) out_ << RenderOutput(o) << "\n";
  }

  void Info(const std::string& message) override { out_ << message << "\n"; }

 private:
  std::string Paint(const char* code, const std::string& text) const {
    return color_ ? code + text + kReset : text;
  }

  static std::string Seconds(std::chrono::milliseconds ms) {
    char buf[32];
    snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms.count()) / 1000.0);
    return buf;
  }

  static std::string Verb(Action a, bool done) {
    switch (a) {
      case Action::kCreate: return done ? "Creation complete" : "Creating";
      case Action::kUpdate: return done ? "Modifications complete" : "Modifying";
      case Action::kReplace: return done ? "Replacement complete" : "Replacing";
      case Action::kDelete: return done ? "Destruction complete" : "Destroying";
      case Action::kNoOp: break;
    }
    return "";
  }

  // `drift`, when given, is the heading of a change made outside mfgctl.
  void ShowChange(const PlanChange& c, const ResourceTypeSchema* schema, const Resource* want,
                  const char* drift = nullptr) {
    static const std::map<Action, std::pair<const char*, const char*>> kHeading = {
        {Action::kCreate, {"will be created", kGreen}},
        {Action::kUpdate, {"will be updated in-place", kYellow}},
        {Action::kReplace, {"must be replaced", kRed}},
        {Action::kDelete, {"will be destroyed", kRed}},
    };
    auto [heading, colour] = kHeading.at(c.action);
    if (drift) heading = drift;
    std::string addr = c.address.ToString();
    out_ << "\n  " << Paint(kBold, "# " + addr) << " " << heading << "\n";
    std::string sym(ActionSymbol(c.action));
    out_ << (sym.size() == 1 ? "  " : "") << Paint(colour, sym) << " " << c.type << " "
         << ShowJson(addr) << " {\n";
    for (const auto& by : c.triggered_by) {
      out_ << "      " << Paint(kYellow, "# restarted: notified by " + by) << "\n";
    }
    for (const auto& note : c.notes) out_ << "      " << Paint(kYellow, "# note: " + note) << "\n";

    // A creation says what it makes: its name first, then what it sets,
    // then what the provider will tell.
    std::vector<std::string> keys;
    std::set<std::string> seen;
    std::string name_key = schema ? schema->name_attribute : "name";
    bool name_line = c.action == Action::kCreate && !c.after.contains(name_key);
    if (name_line) {
      keys.push_back(name_key);
      seen.insert(name_key);
    }
    for (const Value* side : {&c.before, &c.after}) {
      if (!side->is_object()) continue;
      for (const auto& [k, v] : side->items()) {
        if (seen.insert(k).second) keys.push_back(k);
      }
    }
    for (const auto& k : c.unknown) {
      if (seen.insert(k).second) keys.push_back(k);
    }
    // An update shows the managed attributes that change; the rest are
    // counted as hidden.
    auto value_of = [](const Value& side, const std::string& k) {
      return side.is_object() && side.contains(k) ? side[k] : Value();
    };
    std::vector<std::string> shown;
    for (const auto& k : keys) {
      Value after = value_of(c.after, k);
      bool all = c.action == Action::kCreate || c.action == Action::kDelete;
      const AttributeSchema* a = schema ? schema->Find(k) : nullptr;
      bool changed = a && IsNested(a->type)
                         ? !ChangedPaths(*a, value_of(c.before, k), after).empty()
                         : value_of(c.before, k) != after;
      if (all || (!after.is_null() && changed) || Contains(c.unknown, k)) shown.push_back(k);
    }
    size_t width = 0;
    for (const auto& k : shown) width = std::max(width, k.size());
    size_t hidden = keys.size() - shown.size();
    for (const auto& k : shown) {
      const AttributeSchema* a = schema ? schema->Find(k) : nullptr;
      const Value* readable = nullptr;
      Value resolved;
      if (want && want->attributes.contains(k)) readable = &want->attributes[k];
      if (readable && Contains(want->deferred, k)) {
        // What the blueprint wrote, with the computed values the plan read.
        resolved = *readable;
        ResolveUnknowns(&resolved, [&](const std::string& addr, const std::string& attr) {
          return ResolvedValue(*plan_, addr, attr);
        });
        readable = &resolved;
      }
      Value before = value_of(c.before, k);
      Value after = value_of(c.after, k);
      std::string name = k + std::string(width - k.size(), ' ');
      std::string line;
      if (name_line && k == name_key) {
        out_ << "      " << Paint(kGreen, "+") << " " << name << " = "
             << ShowJson(c.address.name) << "\n";
        continue;
      }
      if (Contains(c.unknown, k)) {
        bool had = !before.is_null() && c.action != Action::kCreate;
        line = had ? Paint(kYellow, "~") + " " + name + " = " + RenderValue(a, before, nullptr) +
                         " -> " + kKnownAfterApply
                   : Paint(kGreen, "+") + " " + name + " = " + kKnownAfterApply;
        out_ << "      " << line << "\n";
        continue;
      }
      if (a && IsNested(a->type) && !a->sensitive && !Contains(c.sensitive, k)) {
        ShowNested(c, k, name, *a, before, after);
        continue;
      }
      if ((before.is_object() || after.is_object()) && !(a && a->sensitive)) {
        ShowMap(c.action, name, a, before, after);
        continue;
      }
      if (c.action == Action::kCreate) {
        line = Paint(kGreen, "+") + " " + name + " = " + RenderValue(a, after, readable);
      } else if (c.action == Action::kDelete) {
        line = Paint(kRed, "-") + " " + name + " = " + RenderValue(a, before, nullptr);
      } else {
        bool forces = std::find(c.replace_because.begin(), c.replace_because.end(), k) !=
                      c.replace_because.end();
        line = Paint(kYellow, "~") + " " + name + " = " + RenderValue(a, before, nullptr) +
               " -> " + RenderValue(a, after, readable) +
               (forces ? Paint(kRed, " # forces replacement") : "");
      }
      out_ << "      " << line << "\n";
    }
    if (hidden > 0) {
      out_ << "        # (" << hidden << " unchanged attribute" << (hidden == 1 ? "" : "s")
           << " hidden)\n";
    }
    out_ << "    }\n";
  }

  // A nested attribute path by path, as Terraform shows a block: what a
  // creation sets, what a deletion removes, the leaves an update changes.
  void ShowNested(const PlanChange& c, const std::string& key, const std::string& name,
                  const AttributeSchema& a, const Value& before, const Value& after) {
    Action action = c.action;
    const char* sym = action == Action::kCreate ? "+" : action == Action::kDelete ? "-" : "~";
    const char* colour = action == Action::kCreate ? kGreen : action == Action::kDelete ? kRed
                                                                                         : kYellow;
    std::vector<PathChange> paths = ChangedPaths(a, action == Action::kCreate ? Value() : before,
                                                 action == Action::kDelete ? Value() : after);
    out_ << "      " << Paint(colour, sym) << " " << name << " {\n";
    size_t width = 0;
    for (const auto& p : paths) width = std::max(width, p.path.size());
    for (const auto& p : paths) {
      std::string path = (p.path.empty() ? "(all)" : p.path);
      path += std::string(width > path.size() ? width - path.size() : 0, ' ');
      std::string line;
      if (p.before.is_null()) {
        line = Paint(kGreen, "+") + " " + path + " = " + RenderValue(p.schema, p.after, nullptr);
      } else if (p.after.is_null()) {
        line = Paint(kRed, "-") + " " + path + " = " + RenderValue(p.schema, p.before, nullptr);
      } else {
        bool forces = Contains(c.replace_because, JoinPath(key, p.path));
        line = Paint(kYellow, "~") + " " + path + " = " + RenderValue(p.schema, p.before, nullptr) +
               " -> " + RenderValue(p.schema, p.after, nullptr) +
               (forces ? Paint(kRed, " # forces replacement") : "");
      }
      out_ << "          " << line << "\n";
    }
    bool forces = Contains(c.replace_because, key);
    out_ << "        }" << (forces ? Paint(kRed, " # forces replacement") : "") << "\n";
  }

  // A map attribute element by element, as Terraform shows one: added,
  // removed and changed keys, the unchanged ones counted.
  void ShowMap(Action action, const std::string& name, const AttributeSchema* a,
               const Value& before, const Value& after) {
    const char* sym = action == Action::kCreate ? "+" : action == Action::kDelete ? "-" : "~";
    const char* colour = action == Action::kCreate ? kGreen : action == Action::kDelete ? kRed
                                                                                         : kYellow;
    out_ << "      " << Paint(colour, sym) << " " << name << " = {\n";
    // A create has no map before it, a delete none after it.
    Value empty = Value::object();
    const Value& old_map = before.is_object() ? before : empty;
    const Value& new_map = after.is_object() ? after : empty;
    size_t unchanged = 0;
    auto element = [&](const char* s, const char* col, const std::string& key, std::string text) {
      out_ << "          " << Paint(col, s) << " " << ShowJson(key) << " = " << text << "\n";
    };
    for (const auto& [key, v] : old_map.items()) {
      if (!new_map.contains(key)) {
        element("-", kRed, key, RenderValue(a, v, nullptr));
      } else if (new_map[key] == v) {
        ++unchanged;
      } else {
        element("~", kYellow, key,
                RenderValue(a, v, nullptr) + " -> " + RenderValue(a, new_map[key], nullptr));
      }
    }
    for (const auto& [key, v] : new_map.items()) {
      if (!old_map.contains(key)) element("+", kGreen, key, RenderValue(a, v, nullptr));
    }
    if (unchanged > 0) {
      out_ << "            # (" << unchanged << " unchanged element" << (unchanged == 1 ? "" : "s")
           << " hidden)\n";
    }
    out_ << "        }\n";
  }

  std::ostream& out_;
  std::ostream& err_;
  bool color_;
  SourceSnippets snippets_;
  const Plan* plan_ = nullptr;  // the one being shown
};

}  // namespace

std::unique_ptr<Ui> MakeTextUi(std::ostream& out, std::ostream& err, bool color) {
  return std::make_unique<TextUi>(out, err, color);
}

}  // namespace mfgctl
