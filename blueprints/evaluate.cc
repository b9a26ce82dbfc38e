#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "blueprints/expander.h"
#include "blueprints/expressions.h"
#include "engine/model/digest.h"
#include "engine/model/duration.h"
#include "engine/model/graph.h"
#include "engine/model/sensitive.h"
#include "engine/model/suggest.h"
#include "engine/model/text_file.h"
#include "engine/model/unknown.h"
#include "engine/model/value_path.h"
#include "engine/model/utf8.h"

namespace mfgctl {
namespace {

// A file read for `content`, `template` or `source` is held in memory, in
// the plan and in state digests; larger ones belong in a bundle
// (docs/blueprints.md, "Text, files and limits").
constexpr size_t kMaxLocalFileBytes = size_t{64} << 20;

// Evaluation recurses along a chain of references (each resource after
// those it references), and the stack is finite.
constexpr size_t kMaxReferenceDepth = 100;

std::string TypeError(const std::string& attr, AttrType want, std::string_view got) {
  std::string_view type = AttrTypeName(want);
  const char* article = type[0] == 'o' ? "an " : "a ";
  return "attribute \"" + attr + "\" must be " + article + std::string(type) + ", got " +
         std::string(got);
}

std::string Describe(const Value& v) {
  if (v.is_string()) return "the string \"" + v.get<std::string>() + "\"";
  return ShowJson(v);
}

bool ToNumber(const Value& v, Value* out) {
  if (v.is_number()) {
    *out = v;
    return true;
  }
  if (!v.is_string()) return false;
  long long n = 0;
  if (!ParseWholeNumber(v.get_ref<const std::string&>(), &n)) return false;
  *out = n;
  return true;
}

// A whole number within the attribute's bounds.
bool InRange(const AttributeSchema& a, const Value& n) {
  if (!n.is_number_integer()) return false;
  long long x = n.get<long long>();
  return (!a.min || x >= *a.min) && (!a.max || x <= *a.max);
}

std::string RangeText(const AttributeSchema& a) {
  if (a.min && a.max) {
    return "a whole number from " + std::to_string(*a.min) + " to " + std::to_string(*a.max);
  }
  if (a.min) return "a whole number of at least " + std::to_string(*a.min);
  return "a whole number of at most " + std::to_string(*a.max);
}

bool ToBool(const Value& v, Value* out) {
  if (v.is_boolean()) {
    *out = v;
    return true;
  }
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  if (s == "true" || s == "yes") *out = true;
  else if (s == "false" || s == "no") *out = false;
  else return false;
  return true;
}

}  // namespace

SourcePos PosAt(const SourceNode& node, size_t offset) {
  SourcePos pos = node.pos();
  if (node.scalar.find('\n') >= offset) pos.col += static_cast<int>(offset) + (node.quoted ? 1 : 0);
  return pos;
}

bool Expander::EvaluateAll() {
  for (size_t i = 0; i < pending_.size(); ++i) {
    if (!EvaluateResource(i)) return false;
  }
  return true;
}

bool Expander::EvaluateResource(size_t index) {
  if (pending_[index].eval != PendingResource::Eval::kPending) return true;
  evaluating_.push_back(index);
  bool ok = EvaluateAttributesOf(index);
  evaluating_.pop_back();
  return ok;
}

void Expander::ReportReferenceChainTooDeep(size_t next, const SourcePos& pos) {
  std::string chain, detail;
  std::vector<size_t> links = evaluating_;
  links.push_back(next);
  for (size_t k = 0; k < links.size(); ++k) {
    const Resource& r = pending_[links[k]].resource;
    detail +=
        (detail.empty() ? "" : "\n") + r.address.ToString() + " declared at " + r.pos.ToString();
    // The summary shows the ends of the chain; the detail all of it.
    if (k < 3 || k + 3 >= links.size()) {
      chain += (chain.empty() ? "" : " -> ") + r.address.ToString();
    } else if (k == 3) {
      chain += " -> ... (" + std::to_string(links.size() - 6) + " more)";
    }
  }
  diags_->Error(
      "reference chain longer than " + std::to_string(kMaxReferenceDepth) + " resources: " + chain,
      pos, detail);
}

bool Expander::EvaluateAttributesOf(size_t index) {
  PendingResource& p = pending_[index];
  p.eval = PendingResource::Eval::kRunning;
  for (const auto& [name, value] : p.attributes) {
    const AttributeSchema* a = p.schema->Find(name);
    Scope scope{p.resource.address.target, index};
    Value v;
    if (!EvaluateAttribute(*value, *a, &scope, &v)) return false;
    if (!a->file_into.empty()) {
      // A local file (verbatim, or rendered as a template) becomes another
      // attribute: `source:` and `template:` become `content`.
      if (p.resource.attributes.contains(a->file_into)) {
        diags_->Error(p.resource.address.ToString() + " sets both \"" + name + "\" and \"" +
                          a->file_into + "\"; keep one",
                      value->pos());
        return false;
      }
      if (!ReadLocalFile(*value, *a, &scope, &v)) return false;
      p.resource.attributes[a->file_into] = std::move(v);
      if (scope.sensitive) AddOnce(&p.resource.sensitive, a->file_into);
      if (scope.deferred) AddOnce(&p.resource.deferred, a->file_into);
      continue;
    }
    if (!a->digest_into.empty() && v.is_string()) {
      // A file too large to hold: its path goes on, its checksum is compared.
      std::string path = AbsoluteLocalPath(v.get<std::string>(), value->pos());
      std::error_code ec;
      if (!std::filesystem::is_regular_file(path, ec)) {
        diags_->Error("\"" + name + ":\" must name a regular file; " + path +
                          (std::filesystem::exists(path, ec) ? " is not one" : " does not exist"),
                      value->pos());
        return false;
      }
      std::optional<std::string> digest = Sha256FileDigest(path);
      if (!digest) {
        diags_->Error("cannot read " + path, value->pos());
        return false;
      }
      v = path;
      p.resource.attributes[a->digest_into] = *digest;
    }
    if (!a->directory_into.empty()) {
      Value files;
      if (!DigestLocalDirectory(*value, &v, &files)) return false;
      p.resource.attributes[a->directory_into] = std::move(files);
    }
    if (p.resource.attributes.contains(name)) {
      diags_->Error(p.resource.address.ToString() + " sets both \"" + name +
                        "\" and a file that provides it; keep one",
                    value->pos());
      return false;
    }
    p.resource.attributes[name] = std::move(v);
    if (scope.sensitive) AddOnce(&p.resource.sensitive, name);
    if (scope.deferred) AddOnce(&p.resource.deferred, name);
  }
  if (p.lifecycle) {
    Scope scope{p.resource.address.target};
    Value lifecycle;
    if (!EvaluateObject(*p.lifecycle, LifecycleBlock(), kLifecycleKey, &scope, &lifecycle)) {
      return false;
    }
    p.resource.is_protected = lifecycle.value("protected", false);
  }
  bool absent = p.resource.attributes.value(kStateAttribute, "") == kAbsent;
  for (const auto& a : p.schema->attributes) {
    if (a.sensitive && p.resource.attributes.contains(a.name)) {
      AddOnce(&p.resource.sensitive, a.name);
    }
    if (!a.required || absent || p.resource.attributes.contains(a.name)) continue;
    std::string alternatives;
    for (const auto& other : p.schema->attributes) {
      if (other.file_into == a.name) alternatives += ", \"" + other.name + ":\"";
    }
    diags_->Error(p.resource.address.ToString() + " needs \"" + a.name + ":\"" +
                      (alternatives.empty() ? "" : " (or" + alternatives.substr(1) + ")"),
                  p.resource.pos);
    return false;
  }
  p.eval = PendingResource::Eval::kDone;
  return true;
}

bool Expander::EvaluateObject(const SourceNode& value, const AttributeSchema& schema,
                              const std::string& path, Scope* scope, Value* out) {
  if (!value.IsMap()) {
    diags_->Error(TypeError(path, AttrType::kObject, value.Describe()), value.pos());
    return false;
  }
  std::vector<std::string> allowed;
  for (const auto& a : schema.attributes) allowed.push_back(a.name);
  if (!CheckKeys(value, allowed, "\"" + path + "\"")) return false;
  *out = Value::object();
  for (const auto& [key, v] : value.entries) {
    const AttributeSchema* a = schema.Find(key.scalar);
    if (!EvaluateAttribute(v, *a, scope, &(*out)[key.scalar], JoinPath(path, key.scalar))) {
      return false;
    }
  }
  for (const auto& a : schema.attributes) {
    if (a.required && !out->contains(a.name)) {
      diags_->Error("\"" + path + "\" needs \"" + a.name + ":\"", value.pos());
      return false;
    }
  }
  return true;
}

bool Expander::EvaluateAttribute(const SourceNode& value, const AttributeSchema& schema,
                                 Scope* scope, Value* out, const std::string& written_path) {
  const std::string& path = written_path.empty() ? schema.name : written_path;
  if (schema.type == AttrType::kObject) return EvaluateObject(value, schema, path, scope, out);
  if (schema.type == AttrType::kObjectList || schema.type == AttrType::kObjectMap) {
    bool list = schema.type == AttrType::kObjectList;
    if (list ? !value.IsSequence() : !value.IsMap()) {
      diags_->Error(TypeError(path, schema.type, value.Describe()), value.pos());
      return false;
    }
    *out = list ? Value::array() : Value::object();
    auto add = [&](const SourceNode& item, const std::string& element, const std::string& key) {
      Value v;
      if (!EvaluateObject(item, schema, path + element, scope, &v)) return false;
      if (list) out->push_back(std::move(v));
      else (*out)[key] = std::move(v);
      return true;
    };
    for (size_t i = 0; list && i < value.items.size(); ++i) {
      if (!add(value.items[i], ElementPath(i), "")) return false;
    }
    for (const auto& [key, item] : value.entries) {
      if (!add(item, ElementPath(key.scalar), key.scalar)) return false;
    }
    return true;
  }
  // A list or map holds scalars, each evaluated, kept as text.
  auto element = [&](const SourceNode& item, const char* holding, Value* v) {
    if (!item.IsScalar()) {
      diags_->Error(TypeError(path, schema.type,
                              std::string(holding) + " " + std::string(item.Describe())),
                    item.pos());
      return false;
    }
    if (!EvaluateScalar(item, scope, v)) return false;
    if (!v->is_string()) *v = ShowJson(*v);
    return true;
  };
  if (schema.type == AttrType::kStringList) {
    if (!value.IsSequence()) {
      diags_->Error(TypeError(path, schema.type, value.Describe()), value.pos());
      return false;
    }
    *out = Value::array();
    for (const auto& item : value.items) {
      Value v;
      if (!element(item, "a list holding", &v)) return false;
      out->push_back(std::move(v));
    }
    return true;
  }
  if (schema.type == AttrType::kStringMap) {
    if (!value.IsMap()) {
      diags_->Error(TypeError(path, schema.type, value.Describe()), value.pos());
      return false;
    }
    *out = Value::object();
    for (const auto& [k, item] : value.entries) {
      if (!element(item, "a map holding", &(*out)[k.scalar])) return false;
    }
    return true;
  }
  if (!value.IsScalar()) {
    diags_->Error(TypeError(path, schema.type, value.Describe()), value.pos());
    return false;
  }
  Value v;
  if (!EvaluateScalar(value, scope, &v)) return false;
  if (IsUnknownMarker(v)) {
    *out = std::move(v);  // typed when it is resolved
    return true;
  }
  // What a secret gave never appears in an error.
  auto shown = [&](const Value& x) {
    return scope->sensitive ? std::string(kRedacted) : "\"" + x.get<std::string>() + "\"";
  };
  switch (schema.type) {
    case AttrType::kString:
      *out = v.is_string() ? v : Value(ShowJson(v));
      if (schema.duration && !Contains(schema.one_of, out->get<std::string>()) &&
          !ParseDuration(out->get<std::string>())) {
        std::string words;
        for (const auto& w : schema.one_of) words += ", or " + w;
        diags_->Error("attribute \"" + path + "\" must be a duration like 7d, 12h, 1h30m or "
                      "600s" + words + ", got " + shown(*out),
                      value.pos());
        return false;
      }
      if (schema.duration) return true;
      if (!schema.one_of.empty() &&
          std::find(schema.one_of.begin(), schema.one_of.end(), out->get<std::string>()) ==
              schema.one_of.end()) {
        std::string choices;
        for (const auto& c : schema.one_of) choices += (choices.empty() ? "" : " or ") + c;
        diags_->Error("attribute \"" + path + "\" must be " + choices + ", got " +
                          shown(*out) +
                          (scope->sensitive ? ""
                                            : DidYouMean(out->get<std::string>(), schema.one_of)),
                      value.pos());
        return false;
      }
      return true;
    case AttrType::kNumber:
      if (value.quoted && !HasExpression(value.scalar)) break;
      if (!ToNumber(v, out)) break;
      if (!schema.min && !schema.max) return true;
      if (!InRange(schema, *out)) {
        diags_->Error("attribute \"" + path + "\" must be " + RangeText(schema) + ", got " +
                          (scope->sensitive ? std::string(kRedacted) : ShowJson(*out)),
                      value.pos());
        return false;
      }
      return true;
    case AttrType::kBool:
      if (value.quoted && !HasExpression(value.scalar)) break;
      if (ToBool(v, out)) return true;
      break;
    case AttrType::kStringList:
    case AttrType::kStringMap:
    case AttrType::kObject:
    case AttrType::kObjectList:
    case AttrType::kObjectMap:
      break;  // handled above
  }
  diags_->Error(TypeError(path, schema.type, scope->sensitive ? kRedacted : Describe(v)),
                value.pos());
  return false;
}

bool Expander::EvaluateScalar(const SourceNode& node, Scope* scope, Value* out) {
  if (!HasExpression(node.scalar)) {
    *out = node.scalar;
    return true;
  }
  return EvaluateText(
      node.scalar, [&](size_t offset) { return PosAt(node, offset); }, scope, out);
}

bool Expander::ReadLocalFile(const SourceNode& value, const AttributeSchema& schema,
                             Scope* scope, Value* out) {
  std::string path = AbsoluteLocalPath(out->get<std::string>(), value.pos());
  std::string why;
  std::optional<std::string> text =
      ReadBoundedFile(path, {.max_bytes = kMaxLocalFileBytes, .allow_pipe = false}, &why);
  if (!text) {
    diags_->Error("cannot read " + path + " (\"" + schema.name + ":\"): " + why, value.pos());
    return false;
  }
  if (!schema.interpolate_file) {
    *out = std::move(*text);
    return true;
  }
  // A template's file reaches what the template does, no more.
  if (!SubstituteInstanceText(value, &*text)) return false;
  // Errors in a template point into the template file.
  auto pos_at = [&](size_t offset) { return PositionInText(path, *text, offset); };
  Value rendered;
  if (!EvaluateText(*text, pos_at, scope, &rendered)) return false;
  *out = rendered.is_string() ? rendered : Value(ShowJson(rendered));
  return true;
}

bool Expander::DigestLocalDirectory(const SourceNode& value, Value* path, Value* files) {
  namespace fs = std::filesystem;
  std::string dir = AbsoluteLocalPath(path->get<std::string>(), value.pos());
  *path = dir;
  *files = Value::object();
  // Every step takes an error_code: a symlink loop or a file that vanishes
  // is a diagnostic here, never a filesystem_error.
  std::error_code ec;
  std::vector<std::string> names;
  fs::directory_iterator it(dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    std::string name = entry.path().filename().string();
    if (name[0] == '.') continue;
    std::error_code kind_ec;
    bool regular = entry.is_regular_file(kind_ec);
    if (kind_ec) {
      diags_->Error("cannot bundle " + entry.path().string() + ": " + kind_ec.message(),
                    value.pos());
      return false;
    }
    if (!regular) continue;
    if (name.find_first_of("\n=") != std::string::npos) {
      diags_->Error("cannot bundle " + entry.path().string() +
                        ": file names with '=' or line breaks are not supported",
                    value.pos());
      return false;
    }
    if (size_t bad = FindInvalidUtf8(name); bad != std::string::npos) {
      diags_->Error(
          "cannot bundle " + entry.path().string() + ": in its name, " + NotUtf8(name[bad]),
          value.pos());
      return false;
    }
    names.push_back(name);
  }
  if (ec) {
    diags_->Error("cannot read the directory " + dir + ": " + ec.message(), value.pos());
    return false;
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    std::optional<std::string> digest = Sha256FileDigest((fs::path(dir) / name).string());
    if (!digest) {
      diags_->Error("cannot read " + (fs::path(dir) / name).string(), value.pos());
      return false;
    }
    (*files)[name] = *digest;
  }
  return true;
}

bool Expander::EvaluateText(const std::string& text,
                            const std::function<SourcePos(size_t)>& pos_at, Scope* scope,
                            Value* out) {
  std::vector<InterpolationPart> parts;
  std::string error;
  size_t offset = 0;
  if (!ParseInterpolation(text, &parts, &error, &offset)) {
    diags_->Error(error, pos_at(offset));
    return false;
  }
  ReferenceResolver resolve = [&](const InterpolationPart& ref, Value* v, std::string* err) {
    switch (ref.kind) {
      case InterpolationPart::Kind::kVar: {
        auto it = variables_.find(ref.text);
        if (it == variables_.end()) {
          std::vector<std::string> names;
          for (const auto& [n, var] : variables_) names.push_back(n);
          *err = "undefined variable \"" + ref.text + "\"" + DidYouMean(ref.text, names);
          return false;
        }
        *v = it->second.value;
        if (it->second.sensitive) scope->sensitive = true;
        return true;
      }
      case InterpolationPart::Kind::kSecret:
        scope->sensitive = true;
        return ResolveSecret(ref.text, v, err);
      case InterpolationPart::Kind::kEnv: {
        auto value = options_.getenv ? options_.getenv(ref.text) : std::nullopt;
        if (!value) {
          *err = "environment variable \"" + ref.text + "\" is not set";
          return false;
        }
        if (size_t bad = FindInvalidUtf8(*value); bad != std::string::npos) {
          *err = "environment variable \"" + ref.text + "\": " + NotUtf8((*value)[bad]);
          return false;
        }
        *v = *value;
        return true;
      }
      case InterpolationPart::Kind::kParam:
        *err = "${param." + ref.text + "} is a template's parameter; a blueprint's own "
               "values are ${var.NAME}";
        return false;
      case InterpolationPart::Kind::kUse:
        return ResolveUse(ref, scope, v, err);
      case InterpolationPart::Kind::kResource: {
        if (scope->owner == SIZE_MAX && !scope->reads_resources) {
          *err = "a resource reference cannot be used here";
          return false;
        }
        std::string text;
        size_t found = FindDeclared(ref.text, scope->host, "reference to", &text, err);
        if (found == SIZE_MAX) return false;
        if (scope->owner != SIZE_MAX) DependOn(&pending_[scope->owner].resource, text);
        PendingResource& target = pending_[found];
        if (target.eval == PendingResource::Eval::kRunning) {
          *v = "${" + ref.text + "." + ref.attribute + "}";  // a cycle: CheckCycles names it
          return true;
        }
        if (target.eval == PendingResource::Eval::kPending &&
            evaluating_.size() >= kMaxReferenceDepth) {
          ReportReferenceChainTooDeep(found, pos_at(ref.offset));
          err->clear();
          return false;
        }
        if (!EvaluateResource(found)) {
          err->clear();  // said where it failed, once
          return false;
        }
        ValuePath path;
        if (!ParseValuePath(ref.attribute, &path, err)) return false;
        const Value* attr = Follow(target.resource.attributes, path);
        const AttributeSchema* declared = SchemaAt(*target.schema, path);
        // A computed leaf the blueprint leaves to the provider: known from
        // the live state, or once made. Its parent must be written
        // (interfaces[1] of a VM with one interface never gets a MAC).
        if (!attr && declared && declared->computed &&
            (path.steps.empty() || Follow(target.resource.attributes, path.Parent()))) {
          *v = UnknownMarker(text, ref.attribute);
          scope->deferred = true;
          return true;
        }
        if (!attr) {
          std::vector<std::string> names;
          for (const auto& a : target.schema->attributes) names.push_back(a.name);
          *err = text + " has no attribute \"" + ref.attribute + "\" set" +
                 (target.schema->Find(path.attribute) ? "" : DidYouMean(path.attribute, names));
          return false;
        }
        *v = *attr;
        if (Contains(target.resource.sensitive, path.attribute)) scope->sensitive = true;
        if (Contains(target.resource.deferred, path.attribute)) scope->deferred = true;
        return true;
      }
      case InterpolationPart::Kind::kLiteral:
        break;
    }
    return false;
  };
  const InterpolationPart* failed = nullptr;
  if (!EvaluateInterpolation(parts, resolve, out, &error, &failed)) {
    // Empty: it was said already (a resource it references failed).
    if (!error.empty()) diags_->Error(error, pos_at(failed ? failed->offset : 0));
    return false;
  }
  return true;
}

bool Expander::ResolveAfter() {
  for (auto& p : pending_) {
    for (const SourceNode* after : p.after) {
      std::vector<const SourceNode*> entries;
      if (after->IsScalar()) entries.push_back(after);
      else if (after->IsSequence())
        for (const auto& item : after->items) entries.push_back(&item);
      for (const SourceNode* e : entries) {
        if (!e->IsScalar()) {
          diags_->Error("\"after\" lists resource addresses; got " + std::string(e->Describe()),
                        e->pos(),
                        "inside [ ] write an address in quotes: after: [\"package[sl]\"]");
          return false;
        }
        std::string text, error;
        if (FindDeclared(e->scalar, p.resource.address.target, "\"after\" names", &text,
                         &error) == SIZE_MAX) {
          diags_->Error(error, e->pos());
          return false;
        }
        DependOn(&p.resource, text);
      }
      if (!after->IsScalar() && !after->IsSequence()) {
        diags_->Error("\"after\" must be a list of resource addresses, got " +
                          std::string(after->Describe()),
                      after->pos());
        return false;
      }
    }
  }
  return true;
}

size_t Expander::FindDeclared(const std::string& written, const std::string& host,
                              const std::string& what, std::string* full,
                              std::string* error) const {
  *full = written.find(':') == std::string::npos ? host + ":" + written : written;
  auto it = by_address_.find(*full);
  if (it != by_address_.end()) return it->second;
  std::vector<std::string> names;
  for (const auto& [a, i] : by_address_) names.push_back(a);
  *error = what + " undeclared resource " + *full + DidYouMean(*full, names);
  return SIZE_MAX;
}

void DependOn(Resource* r, const std::string& address) { r->depends_on.push_back(address); }

bool Expander::ResolveNotify() {
  for (auto& p : pending_) {
    const AttributeSchema* schema = p.schema->Find("notify");
    if (!schema || !schema->plan_only || !p.resource.attributes.contains("notify")) continue;
    const SourceNode* node = p.Written("notify");
    Value& notify = p.resource.attributes["notify"];
    for (size_t i = 0; i < notify.size(); ++i) {
      std::string text, error;
      size_t found = FindDeclared(notify[i].get<std::string>(), p.resource.address.target,
                                  "\"notify\" names", &text, &error);
      if (found == SIZE_MAX) {
        diags_->Error(error, node && i < node->items.size() ? node->items[i].pos()
                                                            : p.resource.pos);
        return false;
      }
      notify[i] = text;
      DependOn(&pending_[found].resource, p.resource.address.ToString());
    }
  }
  return true;
}

bool Expander::CheckCycles() {
  DependencyGraph g(pending_.size());
  for (size_t i = 0; i < pending_.size(); ++i) {
    for (const auto& d : pending_[i].resource.depends_on) g.AddDependency(i, by_address_.at(d));
  }
  std::vector<size_t> cycle;
  g.TopologicalOrder(&cycle);
  if (cycle.empty()) return true;
  std::string path;
  for (size_t i : cycle) {
    path += (path.empty() ? "" : " -> ") + pending_[i].resource.address.ToString();
  }
  std::string detail;
  for (size_t k = 0; k + 1 < cycle.size(); ++k) {
    const auto& r = pending_[cycle[k]].resource;
    detail += (detail.empty() ? "" : "\n") + r.address.ToString() + " declared at " +
              r.pos.ToString();
  }
  diags_->Error("dependency cycle: " + path, pending_[cycle[0]].resource.pos, detail);
  return false;
}

bool LoadBlueprint(const LoadOptions& options, const BlueprintSchemas& schemas,
                   DesiredConfig* out, Diagnostics* diags) {
  Expander expander(options, schemas, diags);
  return expander.Run(out);
}

}  // namespace mfgctl
