// `use:`: template instances. Each instance's sections are the template's,
// copied with `${param.X}` replaced by what the instance passes (a value
// written whole, `address: ${param.address}`, becomes the passed node
// itself, so errors in it point where it was passed), its hosts named
// `INSTANCE.HOST`, and its references to its own hosts and nested
// instances renamed to match. The copies are then expanded like the
// plant's own sections. A template reaches nothing but its parameters:
// `${var...}`, `${env...}`, `${secret...}` and other hosts are errors in it.
#include <algorithm>
#include <cstdlib>
#include <set>

#include "blueprints/expander.h"
#include "blueprints/expressions.h"
#include "engine/model/suggest.h"

namespace mfgctl {
namespace {

const std::vector<std::string> kInstanceKeys = {"template", "with"};
// Templates nested deeper than this are a mistake, not a design.
constexpr size_t kMaxTemplateDepth = 16;

bool ValidInstanceName(const std::string& name) {
  return !name.empty() && name.find_first_of(".:[]${} \t\n") == std::string::npos;
}

// The host part of an address as written (`gw` of `gw:package[x]`), or ""
// for an address on the same host (`package[x]`).
std::string_view HostOf(std::string_view address) {
  size_t colon = address.find(':');
  size_t open = address.find('[');
  if (colon == std::string_view::npos || (open != std::string_view::npos && open < colon)) {
    return {};
  }
  return address.substr(0, colon);
}

void Rebase(SourceNode* node, const SourceDocument* doc) {
  node->doc = doc;
  for (auto& item : node->items) Rebase(&item, doc);
  for (auto& [k, v] : node->entries) {
    Rebase(&k, doc);
    Rebase(&v, doc);
  }
}

}  // namespace

// Copies one template's text into one instance.
class Expander::InstanceCopier {
 public:
  InstanceCopier(Expander* x, const Template& t, const std::string& prefix,
                 const std::map<std::string, const SourceNode*>& with, const SourceDocument* doc)
      : x_(x), t_(t), prefix_(prefix), with_(with), doc_(doc) {
    for (const char* section : {"gateways", "hypervisors"}) {
      if (const SourceNode* s = t.doc->root.Get(section); s && s->IsMap()) {
        for (const auto& [host, body] : s->entries) hosts_.insert(host.scalar);
      }
    }
    if (const SourceNode* u = t.doc->root.Get("use"); u && u->IsMap()) {
      for (const auto& [name, body] : u->entries) uses_.insert(name.scalar);
    }
    cloud_ = t.doc->root.Get("cloud") != nullptr;
  }

  bool Copy(const SourceNode& src, SourceNode* dst, bool is_output = false) {
    dst->kind = src.kind;
    dst->quoted = src.quoted;
    dst->line = src.line;
    dst->col = src.col;
    dst->doc = doc_;
    dst->scalar = src.scalar;
    if (src.IsScalar()) return Substitute(src, dst, is_output);
    dst->items.resize(src.items.size());
    for (size_t i = 0; i < src.items.size(); ++i) {
      if (!Copy(src.items[i], &dst->items[i], is_output)) return false;
    }
    dst->entries.resize(src.entries.size());
    for (size_t i = 0; i < src.entries.size(); ++i) {
      const auto& [key, value] = src.entries[i];
      auto& [dkey, dvalue] = dst->entries[i];
      if (!Copy(key, &dkey, is_output) || !Copy(value, &dvalue, is_output)) return false;
      if (dkey.scalar == "after" || dkey.scalar == "notify") {
        if (!RenameAddresses(&dvalue)) return false;
      }
    }
    return true;
  }

  /// A host the template declares, as the instance names it.
  std::string Host(const std::string& host) const { return prefix_ + "." + host; }

  /// A host written in the template that is its own or one of the
  /// instances' it uses (`inner.gw`).
  bool Reaches(const std::string& host) const {
    return hosts_.count(host) || uses_.count(host.substr(0, host.find('.')));
  }

  /// Text read from a file, substituted as a scalar written at `at` is.
  bool CopyText(const SourceNode& at, std::string* text) {
    SourceNode src;
    src.kind = SourceNode::Kind::kScalar;
    src.scalar = *text;
    SourceNode dst = src;
    dst.line = at.line;
    dst.col = at.col;
    dst.doc = doc_;
    if (!Substitute(src, &dst, false)) return false;
    *text = dst.IsScalar() || dst.IsNull() ? dst.scalar : ShowJson(NodeAsJson(dst));
    return true;
  }

  /// `on: HOST` of a raw resource.
  bool RenameOn(SourceNode* on) {
    if (!on->IsScalar()) return true;  // the section says what is wrong
    if (!Reaches(on->scalar)) return Outside("\"on: " + on->scalar + "\"", *on);
    on->scalar = Host(on->scalar);
    return true;
  }

 private:
  bool Error(const std::string& message, const SourceNode& at, const std::string& detail = "") {
    x_->diags_->Error(message, at.pos(), detail);
    return false;
  }

  bool Outside(const std::string& what, const SourceNode& at) {
    return Error(what + " is outside the template: a template reaches only its parameters, "
                        "its own hosts and the templates it uses",
                 at, "pass what it needs as a parameter");
  }

  // The node passed for parameter `name` (or its default), or null with an
  // error.
  const SourceNode* ValueOf(const std::string& name, const SourceNode& at) {
    if (auto it = with_.find(name); it != with_.end()) return it->second;
    if (const TemplateParameter* p = t_.Parameter(name)) return p->default_value;
    std::vector<std::string> names;
    for (const auto& p : t_.parameters) names.push_back(p.name);
    Error("template " + t_.name + " declares no parameter \"" + name + "\"" +
              DidYouMean(name, names),
          at);
    return nullptr;
  }

  // `${param.X}` inside another reference's brackets, as a template names
  // what it made from a parameter (`${cloud:pubsub.topic[${param.site}-t].name}`):
  // replaced by the passed text first, so the reference is an ordinary one.
  bool SubstituteNested(std::string* text, const SourceNode& at) {
    static constexpr std::string_view kParam = "${param.";
    for (size_t i = text->find("${"); i != std::string::npos; i = text->find("${", i + 2)) {
      if (i > 0 && (*text)[i - 1] == '$') continue;  // $${ is a literal
      size_t close = text->find('}', i + 2);
      for (size_t j = text->find(kParam, i + 2); j != std::string::npos && j < close;
           j = text->find(kParam, j)) {
        size_t end = text->find('}', j);
        if (end == std::string::npos) break;  // the parser says what is wrong
        const SourceNode* value = ValueOf(text->substr(j + kParam.size(), end - j - kParam.size()), at);
        if (!value) return false;
        if (!value->IsScalar()) {
          return Error("a parameter inside a reference must be text, got " +
                           std::string(value->Describe()),
                       at);
        }
        text->replace(j, end + 1 - j, value->scalar);
        j += value->scalar.size();
        close = text->find('}', j);
      }
    }
    return true;
  }

  bool Substitute(const SourceNode& src, SourceNode* dst, bool is_output) {
    if (!HasExpression(src.scalar)) return true;
    if (!SubstituteNested(&dst->scalar, *dst)) return false;
    std::vector<InterpolationPart> parts;
    std::string error;
    size_t offset = 0;
    if (!ParseInterpolation(dst->scalar, &parts, &error, &offset)) return Error(error, *dst);
    using Kind = InterpolationPart::Kind;
    if (parts.size() == 1 && parts[0].kind == Kind::kParam) {
      const SourceNode* value = ValueOf(parts[0].text, *dst);
      if (!value) return false;
      *dst = *value;  // where it was passed: errors in it point there
      if (value->doc == t_.doc.get()) Rebase(dst, doc_);  // a default: in this instance
      return true;
    }
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
      const InterpolationPart& part = parts[i];
      size_t end = i + 1 < parts.size() ? parts[i + 1].offset : dst->scalar.size();
      std::string_view written = std::string_view(dst->scalar).substr(part.offset, end - part.offset);
      switch (part.kind) {
        case Kind::kLiteral:
          out += written;
          break;
        case Kind::kParam: {
          const SourceNode* value = ValueOf(part.text, *dst);
          if (!value) return false;
          // A list in text is its JSON: `lines=${param.lines}`.
          out += value->IsScalar() || value->IsNull() ? value->scalar : ShowJson(NodeAsJson(*value));
          break;
        }
        case Kind::kVar:
        case Kind::kEnv:
        case Kind::kSecret:
          return Outside("\"" + std::string(written) + "\"", *dst);
        case Kind::kResource: {
          std::string_view host = HostOf(part.text);
          if (host.empty()) {
            if (is_output) {
              return Error("an output names the host of what it references: "
                           "${HOST:KIND[NAME].ATTRIBUTE}",
                           *dst);
            }
            out += written;
          } else if (Reaches(std::string(host))) {
            out += "${" + Host(std::string(host)) + std::string(written.substr(2 + host.size()));
          } else if (host == "cloud" && cloud_) {
            out += written;
          } else {
            return Outside("host \"" + std::string(host) + "\"", *dst);
          }
          break;
        }
        case Kind::kUse: {
          std::string name = part.text.substr(0, part.text.find('.'));
          if (!uses_.count(name)) {
            std::vector<std::string> names(uses_.begin(), uses_.end());
            return Error("template " + t_.name + " uses no instance \"" + name + "\"" +
                             DidYouMean(name, names),
                         *dst);
          }
          out += "${use." + prefix_ + "." + part.text + "}";
          break;
        }
      }
    }
    dst->scalar = std::move(out);
    return true;
  }

  // `after:` and `notify:` entries naming a host of the template.
  bool RenameAddresses(SourceNode* value) {
    std::vector<SourceNode*> entries;
    if (value->IsScalar()) entries.push_back(value);
    for (auto& item : value->items) entries.push_back(&item);
    for (SourceNode* e : entries) {
      if (!e->IsScalar()) continue;  // the resource says what is wrong
      std::string host(HostOf(e->scalar));
      if (host.empty() || (host == "cloud" && cloud_)) continue;
      if (!Reaches(host)) return Outside("host \"" + host + "\"", *e);
      e->scalar = Host(host) + e->scalar.substr(host.size());
    }
    return true;
  }

  Expander* x_;
  const Template& t_;
  const std::string& prefix_;
  const std::map<std::string, const SourceNode*>& with_;
  const SourceDocument* doc_;
  std::set<std::string> hosts_;
  std::set<std::string> uses_;
  bool cloud_ = false;
};

const Template* Expander::TemplateAt(const std::string& dir, const SourcePos& used_at) {
  auto it = templates_.find(dir);
  if (it != templates_.end()) return it->second.get();
  auto t = std::make_unique<Template>();
  Diagnostics found;
  bool ok = LoadTemplate(dir, t.get(), &found);
  for (Diagnostic d : found) {
    if (d.pos.via.empty()) d.pos.via = "the template used at " + used_at.ToString();
    diags_->Add(std::move(d));
  }
  if (!ok) return nullptr;
  return templates_.emplace(dir, std::move(t)).first->second.get();
}

bool Expander::ExpandUse(const SourceNode& node, const std::string& prefix,
                         std::vector<std::string>* stack) {
  if (node.IsNull()) return true;
  if (!ExpectMap(node, "\"use\"")) return false;
  for (const auto& [key, body] : node.entries) {
    if (!Instantiate(key, body, prefix, stack)) return false;
  }
  return true;
}

bool Expander::Instantiate(const SourceNode& key, const SourceNode& body,
                           const std::string& prefix, std::vector<std::string>* stack) {
  if (!ValidInstanceName(key.scalar)) {
    diags_->Error("instance name \"" + key.scalar +
                      "\" may hold no '.', ':', '[', ']', '$', '{', '}' or spaces",
                  key.pos());
    return false;
  }
  std::string name = prefix.empty() ? key.scalar : prefix + "." + key.scalar;
  std::string what = "instance \"" + name + "\"";
  if (auto it = instances_.find(name); it != instances_.end()) {
    diags_->Error(what + " is declared twice; first at " + it->second.decl->pos().ToString(),
                  key.pos());
    return false;
  }
  if (!ExpectMap(body, what) || !CheckKeys(body, kInstanceKeys, what)) return false;
  const SourceNode* written = body.Get("template");
  if (!written || !written->IsScalar() || written->scalar.empty()) {
    diags_->Error(what + " needs \"template:\", a template's name or folder",
                  written ? written->pos() : key.pos());
    return false;
  }
  std::string error;
  std::string dir = FindTemplate(written->scalar, written->pos(), template_search_, &error);
  if (dir.empty()) {
    diags_->Error(error, written->pos());
    return false;
  }
  const Template* t = TemplateAt(dir, written->pos());
  if (!t) return false;
  if (std::find(stack->begin(), stack->end(), dir) != stack->end() ||
      stack->size() >= kMaxTemplateDepth) {
    std::string chain;
    for (const auto& d : *stack) chain += templates_.at(d)->name + " -> ";
    diags_->Error((stack->size() >= kMaxTemplateDepth ? "templates nested too deep: "
                                                      : "templates use each other in a cycle: ") +
                      chain + t->name,
                  written->pos());
    return false;
  }

  // The parameters: each passed one declared and of its type, each
  // required one passed.
  std::map<std::string, const SourceNode*> with;
  const SourceNode* with_node = body.Get("with");
  if (with_node && !with_node->IsNull()) {
    if (!ExpectMap(*with_node, what + ": \"with\"")) return false;
    std::vector<std::string> names;
    for (const auto& p : t->parameters) names.push_back(p.name);
    for (const auto& [pkey, value] : with_node->entries) {
      const TemplateParameter* p = t->Parameter(pkey.scalar);
      if (!p) {
        diags_->Error("template " + t->name + " has no parameter \"" + pkey.scalar + "\"" +
                          DidYouMean(pkey.scalar, names),
                      pkey.pos());
        continue;
      }
      if (value.IsScalar() && HasExpression(value.scalar)) {
        passed_expressions_.push_back({t, p, &value});  // checked once evaluated
      } else if (std::string why = ParameterTypeError(*p, value); !why.empty()) {
        diags_->Error(what + ": " + why, value.pos());
      }
      with[pkey.scalar] = &value;
    }
  }
  for (const auto& p : t->parameters) {
    if (with.count(p.name) || p.default_value) continue;
    diags_->Error(what + ": template " + t->name + " needs parameter \"" + p.name + "\" (" +
                      p.type + (p.description.empty() ? "" : ": " + p.description) + ")",
                  key.pos(), "pass it under \"with:\"");
  }
  if (diags_->HasErrors()) return false;

  // The copy, in a document of its own that names the instance.
  auto doc = std::make_unique<SourceDocument>();
  doc->file = t->doc->file;
  SourcePos used_at = key.pos();
  doc->via = name + " (template " + t->name + ") at " + used_at.ToString() +
             (used_at.via.empty() ? "" : ", in " + used_at.via);
  InstanceCopier copier(this, *t, name, with, doc.get());
  SourceNode& root = doc->root;
  root.kind = SourceNode::Kind::kMap;
  root.doc = doc.get();
  root.line = root.col = 1;
  const SourceNode& from = t->doc->root;
  for (const auto& [section, value] : from.entries) {
    bool copied = std::find(kTemplateSections.begin(), kTemplateSections.end(), section.scalar) !=
                  kTemplateSections.end();
    if (!copied && section.scalar != "outputs") continue;
    root.entries.emplace_back();
    auto& [dkey, dvalue] = root.entries.back();
    dkey = section;
    Rebase(&dkey, doc.get());
    if (!copier.Copy(value, &dvalue, section.scalar == "outputs")) return false;
    if ((section.scalar == "gateways" || section.scalar == "hypervisors") && dvalue.IsMap()) {
      for (auto& [host, hbody] : dvalue.entries) host.scalar = copier.Host(host.scalar);
    }
    if (section.scalar == "resources" && dvalue.IsSequence()) {
      for (auto& item : dvalue.items) {
        for (auto& [k, v] : item.entries) {
          if (k.scalar == "on" && !copier.RenameOn(&v)) return false;
        }
      }
    }
  }
  Instance& instance = instances_[name];
  instance.decl = &key;
  instance.t = t;
  instance.with = std::move(with);
  instance.template_name = t->name;
  const SourceDocument* copy = doc.get();
  instance_of_copy_[copy] = name;
  documents_.push_back(std::move(doc));
  if (const SourceNode* outputs = copy->root.Get("outputs"); outputs && outputs->IsMap()) {
    for (const TemplateOutput& o : t->outputs) {
      instance.outputs[o.name] = {outputs->Get(o.name)->Get("value"), o.sensitive};
    }
  }
  if (const SourceNode* g = copy->root.Get("gateways")) sections_.gateways.push_back(g);
  if (const SourceNode* h = copy->root.Get("hypervisors")) sections_.hypervisors.push_back(h);
  if (const SourceNode* c = copy->root.Get("cloud")) sections_.cloud.push_back(c);
  if (const SourceNode* r = copy->root.Get("resources")) sections_.resources.push_back(r);
  if (const SourceNode* u = copy->root.Get("use")) {
    stack->push_back(dir);
    bool ok = ExpandUse(*u, name, stack);
    stack->pop_back();
    if (!ok) return false;
  }
  return true;
}

bool Expander::SubstituteInstanceText(const SourceNode& at, std::string* text) {
  auto it = instance_of_copy_.find(at.doc);
  if (it == instance_of_copy_.end()) return true;
  const Instance& instance = instances_.at(it->second);
  InstanceCopier copier(this, *instance.t, it->second, instance.with, at.doc);
  return copier.CopyText(at, text);
}

bool Expander::CheckPassedExpressions() {
  for (const PassedExpression& e : passed_expressions_) {
    // A resource's attribute is evaluated where the template uses it (the
    // attribute there checks its type): resources are not evaluated yet.
    std::vector<InterpolationPart> parts;
    std::string error;
    size_t offset = 0;
    if (!ParseInterpolation(e.value->scalar, &parts, &error, &offset)) {
      diags_->Error(error, PosAt(*e.value, offset));
      continue;
    }
    bool reads_resources = false;
    for (const auto& part : parts) {
      if (part.kind != InterpolationPart::Kind::kResource) continue;
      reads_resources = true;
      if (HostOf(part.text).empty()) {
        diags_->Error("a reference passed to a template names its host: "
                          "${HOST:KIND[NAME].ATTRIBUTE}",
                      PosAt(*e.value, part.offset));
      }
    }
    if (reads_resources) continue;
    Scope scope;
    Value v;
    if (!EvaluateScalar(*e.value, &scope, &v)) continue;
    if (std::string why = ParameterValueTypeError(*e.parameter, v); !why.empty()) {
      diags_->Error(why, e.value->pos());
    }
  }
  return !diags_->HasErrors();
}

bool Expander::ResolveUse(const InterpolationPart& ref, Scope* scope, Value* out,
                          std::string* error) {
  size_t dot = ref.text.rfind('.');
  std::string name = ref.text.substr(0, dot), output = ref.text.substr(dot + 1);
  auto it = instances_.find(name);
  if (it == instances_.end()) {
    std::vector<std::string> names;
    for (const auto& [n, i] : instances_) {
      if (n.find('.') == std::string::npos) names.push_back(n);
    }
    *error = "no instance \"" + name + "\" is declared under \"use:\"" + DidYouMean(name, names);
    return false;
  }
  Instance& instance = it->second;
  auto o = instance.outputs.find(output);
  if (o == instance.outputs.end()) {
    std::vector<std::string> names;
    for (const auto& [n, v] : instance.outputs) names.push_back(n);
    *error = "instance \"" + name + "\" (" + instance.template_name + ") has no output \"" +
             output + "\"" + DidYouMean(output, names);
    return false;
  }
  if (std::find(outputs_evaluating_.begin(), outputs_evaluating_.end(), ref.text) !=
      outputs_evaluating_.end()) {
    std::string chain;
    for (const auto& n : outputs_evaluating_) chain += "use." + n + " -> ";
    *error = "outputs refer to each other in a cycle: " + chain + "use." + ref.text;
    return false;
  }
  outputs_evaluating_.push_back(ref.text);
  bool ok = EvaluateFree(*o->second.value, scope, out);
  outputs_evaluating_.pop_back();
  if (o->second.sensitive) scope->sensitive = true;
  if (!ok) error->clear();  // said where the output is written
  return ok;
}

bool Expander::EvaluateFree(const SourceNode& node, Scope* scope, Value* out) {
  switch (node.kind) {
    case SourceNode::Kind::kNull:
      *out = nullptr;
      return true;
    case SourceNode::Kind::kScalar:
      // An unquoted number or bool written as is keeps its type.
      if (!HasExpression(node.scalar)) {
        *out = NodeAsJson(node);
        return true;
      }
      return EvaluateScalar(node, scope, out);
    case SourceNode::Kind::kSequence:
      *out = Value::array();
      for (const auto& item : node.items) {
        Value v;
        if (!EvaluateFree(item, scope, &v)) return false;
        out->push_back(std::move(v));
      }
      return true;
    case SourceNode::Kind::kMap:
      *out = Value::object();
      for (const auto& [k, v] : node.entries) {
        if (!EvaluateFree(v, scope, &(*out)[k.scalar])) return false;
      }
      return true;
  }
  return false;
}

bool Expander::LoadOutputs(const SourceNode& node) {
  if (node.IsNull()) return true;
  if (!ExpectMap(node, "\"outputs\"")) return false;
  for (const auto& [key, decl] : node.entries) {
    std::string what = "output \"" + key.scalar + "\"";
    if (!ExpectMap(decl, what) || !CheckKeys(decl, {"value", "description", "sensitive"}, what)) {
      return false;
    }
    const SourceNode* value = decl.Get("value");
    if (!value) {
      diags_->Error(what + " needs \"value:\"", key.pos());
      return false;
    }
    for (const auto& o : plant_outputs_) {
      if (o.name == key.scalar) {
        diags_->Error(what + " is declared twice; first at " + o.pos.ToString(), key.pos());
        return false;
      }
    }
    Output o;
    o.name = key.scalar;
    o.pos = key.pos();
    if (const SourceNode* d = decl.Get("description"); d && d->IsScalar()) {
      o.description = d->scalar;
    }
    if (const SourceNode* s = decl.Get("sensitive")) {
      if (!s->IsScalar() || (s->scalar != "true" && s->scalar != "false")) {
        diags_->Error(what + ": sensitive must be true or false", s->pos());
        return false;
      }
      o.sensitive = s->scalar == "true";
    }
    plant_outputs_.push_back(std::move(o));
    plant_output_nodes_.push_back(value);
  }
  return true;
}

bool Expander::EvaluateOutputs() {
  for (size_t i = 0; i < plant_outputs_.size(); ++i) {
    Scope scope;
    scope.reads_resources = true;
    if (!EvaluateFree(*plant_output_nodes_[i], &scope, &plant_outputs_[i].value)) return false;
    if (scope.sensitive) plant_outputs_[i].sensitive = true;
  }
  return true;
}

}  // namespace mfgctl
