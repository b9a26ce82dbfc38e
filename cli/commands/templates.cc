#include <filesystem>
#include <iostream>
#include <memory>

#include "blueprints/template_library.h"
#include "cli/commands/commands.h"
#include "cli/render/ui.h"

namespace mfgctl {
namespace {

struct TemplatesOptions {
  std::string file = "plant.yaml";  // its folder's templates/ comes first
  std::string name;
  bool json = false;
};

std::vector<std::string> SearchPath(const TemplatesOptions& o) {
  auto project = std::filesystem::absolute(o.file).parent_path() / "templates";
  return {project.lexically_normal().string(), ShippedTemplateLibrary()};
}

Value TemplateJson(const Template& t) {
  Value j = {{"name", t.name}, {"description", t.description}, {"folder", t.dir}};
  j["parameters"] = Value::array();
  for (const auto& p : t.parameters) {
    Value pj = {{"name", p.name}, {"type", p.type}, {"description", p.description},
                {"required", p.default_value == nullptr}};
    if (p.default_value) pj["default"] = NodeAsJson(*p.default_value);
    j["parameters"].push_back(std::move(pj));
  }
  j["outputs"] = Value::array();
  for (const auto& out : t.outputs) {
    j["outputs"].push_back({{"name", out.name}, {"description", out.description},
                            {"sensitive", out.sensitive}});
  }
  return j;
}

// A default as written in the template, on one line.
std::string ShowDefault(const SourceNode& n) {
  if (n.IsScalar()) return n.scalar;
  if (n.IsNull()) return "null";
  std::string out = n.IsSequence() ? "[" : "{";
  for (size_t i = 0; i < n.items.size(); ++i) out += (i ? ", " : "") + ShowDefault(n.items[i]);
  for (size_t i = 0; i < n.entries.size(); ++i) {
    out += (i ? ", " : "") + n.entries[i].key.scalar + ": " + ShowDefault(n.entries[i].value);
  }
  return out + (n.IsSequence() ? "]" : "}");
}

std::string Padded(const std::string& s, size_t width) {
  return s + std::string(width > s.size() ? width - s.size() : 0, ' ');
}

void ShowTemplate(const Template& t) {
  std::cout << t.name << "  (" << t.dir << ")\n";
  if (!t.description.empty()) std::cout << "  " << t.description << "\n";
  size_t width = 0, given_width = 0;
  auto given = [](const TemplateParameter& p) {
    return p.default_value ? "default " + ShowDefault(*p.default_value) : std::string("required");
  };
  for (const auto& p : t.parameters) {
    width = std::max(width, p.name.size());
    given_width = std::max(given_width, given(p).size());
  }
  for (const auto& o : t.outputs) width = std::max(width, o.name.size());
  std::cout << "\nParameters:\n";
  if (t.parameters.empty()) std::cout << "  (none)\n";
  for (const auto& p : t.parameters) {
    std::cout << "  " << Padded(p.name, width) << "  " << Padded(p.type, 6) << "  "
              << Padded(given(p), given_width)
              << (p.description.empty() ? "" : "  " + p.description) << "\n";
  }
  if (!t.outputs.empty()) {
    std::cout << "\nOutputs:\n";
    for (const auto& o : t.outputs) {
      std::cout << "  " << Padded(o.name, width) << (o.sensitive ? "  (sensitive)" : "")
                << (o.description.empty() ? "" : "  " + o.description) << "\n";
    }
  }
}

int RunList(const TemplatesOptions& o) {
  Diagnostics diags;
  std::vector<Template> all = ListTemplates(SearchPath(o), &diags);
  if (!diags.empty()) MakeUi(false)->ShowDiagnostics(diags);
  if (o.json) {
    Value j = Value::array();
    for (const auto& t : all) j.push_back(TemplateJson(t));
    std::cout << ShowJson(j) << "\n";
    return diags.HasErrors() ? 1 : 0;
  }
  size_t width = 0;
  for (const auto& t : all) width = std::max(width, t.name.size());
  for (const auto& t : all) std::cout << Padded(t.name, width) << "  " << t.description << "\n";
  if (all.empty()) std::cout << "No templates in " << SearchPath(o)[0] << " or the library.\n";
  return diags.HasErrors() ? 1 : 0;
}

int RunShow(const TemplatesOptions& o) {
  Diagnostics diags;
  std::string error;
  SourcePos here{std::filesystem::absolute(o.file).string(), 0, 0};
  std::string dir = FindTemplate(o.name, here, SearchPath(o), &error);
  Template t;
  if (dir.empty()) diags.Error(error);
  if (dir.empty() || !LoadTemplate(dir, &t, &diags)) {
    MakeUi(false)->ShowDiagnostics(diags);
    return 1;
  }
  if (o.json) {
    std::cout << ShowJson(TemplateJson(t)) << "\n";
  } else {
    ShowTemplate(t);
  }
  return 0;
}

}  // namespace

void SetupTemplatesCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<TemplatesOptions>();
  auto* cmd = app.add_subcommand(
      "templates", "The blueprint templates: the project's templates/, then the shipped library");
  cmd->require_subcommand(1);
  auto* list = cmd->add_subcommand("list", "Name and describe every template");
  auto* show = cmd->add_subcommand("show", "A template's parameters and outputs");
  show->add_option("name", o->name, "A template's name, or its folder")->required();
  for (auto* sub : {list, show}) {
    sub->add_option("-f,--file", o->file,
                    "The blueprint whose folder's templates/ is the project's (default plant.yaml)");
    sub->add_flag("--json", o->json, "Print JSON");
  }
  list->callback([o, exit_code] { *exit_code = RunList(*o); });
  show->callback([o, exit_code] { *exit_code = RunShow(*o); });
}

}  // namespace mfgctl
