#include <algorithm>
#include <cstdlib>

#include "blueprints/expander.h"
#include "blueprints/expressions.h"
#include "engine/graph/graph.h"
#include "engine/model/suggest.h"

namespace mfgctl {
namespace {

// Where the expression at `offset` in a scalar was written, as near as the
// YAML positions allow (exact for single-line scalars).
SourcePos PosAt(const SourceNode& node, size_t offset) {
  SourcePos pos = node.pos();
  if (node.scalar.find('\n') >= offset) pos.col += static_cast<int>(offset) + (node.quoted ? 1 : 0);
  return pos;
}

std::string TypeError(const std::string& attr, AttrType want, std::string_view got) {
  return "attribute \"" + attr + "\" must be a " + std::string(AttrTypeName(want)) + ", got " +
         std::string(got);
}

std::string Describe(const Value& v) {
  if (v.is_string()) return "the string \"" + v.get<std::string>() + "\"";
  return v.dump();
}

bool ToNumber(const Value& v, Value* out) {
  if (v.is_number()) {
    *out = v;
    return true;
  }
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  char* end = nullptr;
  long long n = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0') return false;
  *out = n;
  return true;
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

bool Expander::EvaluateAll() {
  for (size_t i = 0; i < pending_.size(); ++i) {
    if (!EvaluateResource(i)) return false;
  }
  return true;
}

bool Expander::EvaluateResource(size_t index) {
  PendingResource& p = pending_[index];
  if (p.eval != PendingResource::Eval::kPending) return true;
  p.eval = PendingResource::Eval::kRunning;
  for (const auto& [key, value] : p.attributes) {
    const AttributeSchema* a = p.schema->Find(key->scalar);
    Value v;
    if (!EvaluateAttribute(*value, *a, p.resource.address.target, index, &v)) return false;
    p.resource.attributes[key->scalar] = std::move(v);
  }
  for (const auto& a : p.schema->attributes) {
    if (a.required && !p.resource.attributes.contains(a.name)) {
      diags_->Error(p.resource.address.ToString() + " needs \"" + a.name + ":\"",
                    p.resource.pos);
      return false;
    }
  }
  p.eval = PendingResource::Eval::kDone;
  return true;
}

bool Expander::EvaluateAttribute(const SourceNode& value, const AttributeSchema& schema,
                                 const std::string& owner_host, size_t owner, Value* out) {
  if (schema.type == AttrType::kStringList) {
    if (!value.IsSequence()) {
      diags_->Error(TypeError(schema.name, schema.type, value.Describe()), value.pos());
      return false;
    }
    *out = Value::array();
    for (const auto& item : value.items) {
      Value v;
      if (!item.IsScalar()) {
        diags_->Error(TypeError(schema.name, schema.type, "a list holding " +
                                                              std::string(item.Describe())),
                      item.pos());
        return false;
      }
      if (!EvaluateScalar(item, owner_host, owner, &v)) return false;
      out->push_back(v.is_string() ? v : Value(v.dump()));
    }
    return true;
  }
  if (!value.IsScalar()) {
    diags_->Error(TypeError(schema.name, schema.type, value.Describe()), value.pos());
    return false;
  }
  Value v;
  if (!EvaluateScalar(value, owner_host, owner, &v)) return false;
  switch (schema.type) {
    case AttrType::kString:
      *out = v.is_string() ? v : Value(v.dump());
      return true;
    case AttrType::kNumber:
      if (value.quoted && !HasExpression(value.scalar)) break;
      if (ToNumber(v, out)) return true;
      break;
    case AttrType::kBool:
      if (value.quoted && !HasExpression(value.scalar)) break;
      if (ToBool(v, out)) return true;
      break;
    case AttrType::kStringList:
      break;
  }
  diags_->Error(TypeError(schema.name, schema.type, Describe(v)), value.pos());
  return false;
}

bool Expander::EvaluateScalar(const SourceNode& node, const std::string& owner_host,
                              size_t owner, Value* out) {
  if (!HasExpression(node.scalar)) {
    *out = node.scalar;
    return true;
  }
  std::vector<TemplatePart> parts;
  std::string error;
  size_t offset = 0;
  if (!ParseTemplate(node.scalar, &parts, &error, &offset)) {
    diags_->Error(error, PosAt(node, offset));
    return false;
  }
  ReferenceResolver resolve = [&](const TemplatePart& ref, Value* v, std::string* err) {
    switch (ref.kind) {
      case TemplatePart::Kind::kVar: {
        auto it = variables_.find(ref.text);
        if (it == variables_.end()) {
          std::vector<std::string> names;
          for (const auto& [n, var] : variables_) names.push_back(n);
          *err = "undefined variable \"" + ref.text + "\"" + DidYouMean(ref.text, names);
          return false;
        }
        *v = it->second.value;
        return true;
      }
      case TemplatePart::Kind::kEnv: {
        auto value = options_.getenv ? options_.getenv(ref.text) : std::nullopt;
        if (!value) {
          *err = "environment variable \"" + ref.text + "\" is not set";
          return false;
        }
        *v = *value;
        return true;
      }
      case TemplatePart::Kind::kResource: {
        if (owner == SIZE_MAX) {
          *err = "a resource reference cannot be used here";
          return false;
        }
        std::string text = ref.text.find(':') == std::string::npos ? owner_host + ":" + ref.text
                                                                   : ref.text;
        auto it = by_address_.find(text);
        if (it == by_address_.end()) {
          std::vector<std::string> names;
          for (const auto& [a, i] : by_address_) names.push_back(a);
          *err = "reference to undeclared resource " + text + DidYouMean(text, names);
          return false;
        }
        auto& deps = pending_[owner].resource.depends_on;
        if (std::find(deps.begin(), deps.end(), text) == deps.end()) deps.push_back(text);
        PendingResource& target = pending_[it->second];
        if (target.eval == PendingResource::Eval::kRunning) {
          *v = "${" + ref.text + "." + ref.attribute + "}";  // a cycle: CheckCycles names it
          return true;
        }
        if (!EvaluateResource(it->second)) {
          *err = "cannot evaluate " + text;
          return false;
        }
        auto attr = target.resource.attributes.find(ref.attribute);
        if (attr == target.resource.attributes.end()) {
          std::vector<std::string> names;
          for (const auto& a : target.schema->attributes) names.push_back(a.name);
          *err = text + " has no attribute \"" + ref.attribute + "\" set" +
                 DidYouMean(ref.attribute, names);
          return false;
        }
        *v = *attr;
        return true;
      }
      case TemplatePart::Kind::kLiteral:
        break;
    }
    return false;
  };
  const TemplatePart* failed = nullptr;
  if (!EvaluateTemplate(parts, resolve, out, &error, &failed)) {
    diags_->Error(error, PosAt(node, failed ? failed->offset : 0));
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
        std::string text = e->scalar.find(':') == std::string::npos
                               ? p.resource.address.target + ":" + e->scalar
                               : e->scalar;
        if (!by_address_.count(text)) {
          std::vector<std::string> names;
          for (const auto& [a, i] : by_address_) names.push_back(a);
          diags_->Error("\"after\" names undeclared resource " + text + DidYouMean(text, names),
                        e->pos());
          return false;
        }
        auto& deps = p.resource.depends_on;
        if (std::find(deps.begin(), deps.end(), text) == deps.end()) deps.push_back(text);
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
