#include "blueprints/template_library.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "engine/model/env.h"
#include "engine/model/suggest.h"

namespace mfgctl {
namespace fs = std::filesystem;
namespace {

constexpr char kTemplateFile[] = "template.yaml";
const std::vector<std::string> kParameterKeys = {"type", "default", "description"};
const std::vector<std::string> kOutputKeys = {"value", "description", "sensitive"};

bool Fail(Diagnostics* diags, const std::string& message, const SourceNode& at) {
  diags->Error(message, at.pos());
  return false;
}

// True when `node` holds a `${` anywhere.
bool HoldsExpression(const SourceNode& node) {
  if (node.scalar.find("${") != std::string::npos) return true;
  for (const auto& item : node.items) {
    if (HoldsExpression(item)) return true;
  }
  for (const auto& [k, v] : node.entries) {
    if (HoldsExpression(k) || HoldsExpression(v)) return true;
  }
  return false;
}

bool IsBool(const std::string& s) { return s == "true" || s == "false"; }

// A parameter's or an output's name: it is written after `${param.` or
// `${use.INSTANCE.`, so it holds nothing that would end or split it there.
bool CheckName(const SourceNode& key, const std::string& what, const char* noun,
               Diagnostics* diags) {
  if (!key.scalar.empty() && key.scalar.find_first_of(".${} ") == std::string::npos) return true;
  return Fail(diags, what + ": " + noun + " name may not hold '.', '$', '{', '}' or spaces", key);
}

// Text beside a value: a description.
bool TextOf(const SourceNode* node, const std::string& what, std::string* out,
            Diagnostics* diags) {
  if (!node) return true;
  if (!node->IsScalar()) return Fail(diags, what + " must be text", *node);
  *out = node->scalar;
  return true;
}

bool LoadParameters(const SourceNode& node, Template* t, Diagnostics* diags) {
  if (node.IsNull()) return true;
  if (!node.IsMap()) return Fail(diags, "\"parameters\" must be a map of names", node);
  for (const auto& [key, decl] : node.entries) {
    std::string what = "parameter \"" + key.scalar + "\"";
    TemplateParameter p;
    p.name = key.scalar;
    p.decl = &key;
    if (!CheckName(key, what, "a parameter", diags)) return false;
    if (!decl.IsNull()) {
      if (!decl.IsMap()) {
        return Fail(diags, what + " must be a map: { type: string, default: ..., description: ... }",
                    decl);
      }
      if (!CheckKeys(decl, kParameterKeys, what, diags)) return false;
    }
    if (const SourceNode* type = decl.Get("type")) {
      if (!type->IsScalar() || std::find(kParameterTypes.begin(), kParameterTypes.end(),
                                         type->scalar) == kParameterTypes.end()) {
        return Fail(diags,
                    what + ": type must be string, number, bool, list or map" +
                        (type->IsScalar() ? DidYouMean(type->scalar, kParameterTypes) : ""),
                    *type);
      }
      p.type = type->scalar;
    }
    if (!TextOf(decl.Get("description"), what + ": description", &p.description, diags)) {
      return false;
    }
    p.default_value = decl.Get("default");
    if (p.default_value) {
      if (HoldsExpression(*p.default_value)) {
        return Fail(diags, what + ": a default is a plain value, without ${...}",
                    *p.default_value);
      }
      if (std::string why = ParameterTypeError(p, *p.default_value); !why.empty()) {
        return Fail(diags, what + ": default: " + why, *p.default_value);
      }
    }
    t->parameters.push_back(std::move(p));
  }
  return true;
}

bool LoadOutputs(const SourceNode& node, Template* t, Diagnostics* diags) {
  if (node.IsNull()) return true;
  if (!node.IsMap()) return Fail(diags, "\"outputs\" must be a map of names", node);
  for (const auto& [key, decl] : node.entries) {
    std::string what = "output \"" + key.scalar + "\"";
    if (!CheckName(key, what, "an output", diags)) return false;
    if (!decl.IsMap() || !decl.Get("value")) {
      return Fail(diags, what + " must be a map with \"value:\"", decl.IsNull() ? key : decl);
    }
    if (!CheckKeys(decl, kOutputKeys, what, diags)) return false;
    TemplateOutput o;
    o.name = key.scalar;
    o.value = decl.Get("value");
    if (!TextOf(decl.Get("description"), what + ": description", &o.description, diags)) {
      return false;
    }
    if (const SourceNode* s = decl.Get("sensitive")) {
      if (!s->IsScalar() || (s->scalar != "true" && s->scalar != "false")) {
        return Fail(diags, what + ": sensitive must be true or false", *s);
      }
      o.sensitive = s->scalar == "true";
    }
    t->outputs.push_back(std::move(o));
  }
  return true;
}

}  // namespace

std::string ParameterTypeError(const TemplateParameter& p, const SourceNode& value) {
  std::string want = "parameter \"" + p.name + "\" must be " +
                     (p.type == "list" ? "a list" : p.type == "map" ? "a map"
                      : p.type == "bool" ? "true or false" : "a " + p.type);
  if (p.type == "list") return value.IsSequence() ? "" : want + ", got " + std::string(value.Describe());
  if (p.type == "map") return value.IsMap() ? "" : want + ", got " + std::string(value.Describe());
  if (!value.IsScalar()) return want + ", got " + std::string(value.Describe());
  long long n = 0;
  if (p.type == "number" && !ParseWholeNumber(value.scalar, &n)) return want + ", got \"" + value.scalar + "\"";
  if (p.type == "bool" && !IsBool(value.scalar)) return want + ", got \"" + value.scalar + "\"";
  return "";
}

std::string ParameterValueTypeError(const TemplateParameter& p, const Value& value) {
  SourceNode as_written;
  if (value.is_array()) {
    as_written.kind = SourceNode::Kind::kSequence;
  } else if (value.is_object()) {
    as_written.kind = SourceNode::Kind::kMap;
  } else if (!value.is_null()) {
    as_written.kind = SourceNode::Kind::kScalar;
    as_written.scalar = value.is_string() ? value.get<std::string>() : value.dump();
  }
  return ParameterTypeError(p, as_written);
}

const TemplateParameter* Template::Parameter(const std::string& name) const {
  for (const auto& p : parameters) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool LoadTemplate(const std::string& dir, Template* out, Diagnostics* diags) {
  out->dir = dir;
  out->doc = std::make_unique<SourceDocument>();
  if (!LoadYamlFile((fs::path(dir) / kTemplateFile).string(), out->doc.get(), diags)) {
    return false;
  }
  const SourceNode& root = out->doc->root;
  if (!root.IsMap()) return Fail(diags, "a template must be a map, got " +
                                            std::string(root.Describe()), root);
  std::vector<std::string> allowed{"mfgctl", "template", "description", "parameters", "outputs"};
  allowed.insert(allowed.end(), kTemplateSections.begin(), kTemplateSections.end());
  if (!CheckKeys(root, allowed, "a template", diags)) return false;
  const SourceNode* version = root.Get("mfgctl");
  if (!version || !version->IsScalar() || version->scalar != "1") {
    return Fail(diags, "a template starts with \"mfgctl: 1\"", version ? *version : root);
  }
  const SourceNode* name = root.Get("template");
  if (!name || !name->IsScalar() || name->scalar.empty()) {
    return Fail(diags, "a template names itself: \"template: NAME\"", name ? *name : root);
  }
  out->name = name->scalar;
  if (!TextOf(root.Get("description"), "\"description\"", &out->description, diags)) {
    return false;
  }
  if (const SourceNode* p = root.Get("parameters")) {
    if (!LoadParameters(*p, out, diags)) return false;
  }
  if (const SourceNode* o = root.Get("outputs")) {
    if (!LoadOutputs(*o, out, diags)) return false;
  }
  return true;
}

std::string FindTemplate(const std::string& written, const SourcePos& written_at,
                         const std::vector<std::string>& search, std::string* error) {
  std::error_code ec;
  bool is_path = written.find('/') != std::string::npos || written.rfind("~", 0) == 0 ||
                 written == "." || written == "..";
  if (is_path) {
    fs::path dir = written.rfind("~/", 0) == 0 ? fs::path(Env("HOME")) / written.substr(2)
                                                : fs::path(written);
    if (dir.is_relative()) dir = fs::absolute(fs::path(written_at.file)).parent_path() / dir;
    dir = dir.lexically_normal();
    if (dir.filename() == kTemplateFile) dir = dir.parent_path();
    if (fs::is_regular_file(dir / kTemplateFile, ec)) return dir.string();
    *error = "no template at " + written + ": " + (dir / kTemplateFile).string() +
             " does not exist";
    return {};
  }
  for (const auto& folder : search) {
    fs::path dir = fs::path(folder) / written;
    if (fs::is_regular_file(dir / kTemplateFile, ec)) return dir.string();
  }
  // Not found: the folders are listed only now, for the did-you-mean.
  std::vector<std::string> known;
  for (const auto& folder : search) {
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
      if (fs::is_regular_file(it->path() / kTemplateFile, ec)) {
        known.push_back(it->path().filename().string());
      }
    }
  }
  std::string where;
  for (const auto& folder : search) where += (where.empty() ? "" : ", ") + folder;
  *error = "no template named \"" + written + "\" in " + where + DidYouMean(written, known);
  return {};
}

std::vector<Template> ListTemplates(const std::vector<std::string>& search, Diagnostics* diags) {
  std::vector<Template> out;
  std::set<std::string> seen;
  for (const auto& folder : search) {
    std::error_code ec;
    std::vector<fs::path> dirs;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
      if (fs::is_regular_file(it->path() / kTemplateFile, ec)) dirs.push_back(it->path());
    }
    std::sort(dirs.begin(), dirs.end());
    for (const auto& dir : dirs) {
      if (!seen.insert(dir.filename().string()).second) continue;
      Template t;
      if (LoadTemplate(dir.string(), &t, diags)) out.push_back(std::move(t));
    }
  }
  return out;
}

std::string ShippedTemplateLibrary() {
  std::string dir = Env("MFGCTL_TEMPLATE_LIBRARY");
  return dir.empty() ? std::string(MFGCTL_TEMPLATE_LIBRARY) : dir;
}

}  // namespace mfgctl
