#include "blueprints/expressions.h"

namespace mfgctl {
namespace {

bool ParseReference(std::string_view body, InterpolationPart* part, std::string* error) {
  auto prefixed = [&](std::string_view prefix, InterpolationPart::Kind kind) {
    if (body.substr(0, prefix.size()) != prefix) return false;
    part->kind = kind;
    part->text = std::string(body.substr(prefix.size()));
    return true;
  };
  if (prefixed("var.", InterpolationPart::Kind::kVar) ||
      prefixed("env.", InterpolationPart::Kind::kEnv) ||
      prefixed("secret.", InterpolationPart::Kind::kSecret) ||
      prefixed("param.", InterpolationPart::Kind::kParam)) {
    if (part->text.empty()) {
      *error = "expected a name after \"" + std::string(body) + "\"";
      return false;
    }
    return true;
  }
  if (prefixed("use.", InterpolationPart::Kind::kUse)) {
    size_t dot = part->text.rfind('.');
    if (dot == 0 || dot == std::string::npos || dot + 1 == part->text.size()) {
      *error = "expected ${use.INSTANCE.OUTPUT}, got \"${" + std::string(body) + "}\"";
      return false;
    }
    return true;
  }
  // A resource attribute: ADDRESS.PATH, where ADDRESS ends with the first
  // `].` after its `[` (the path may index further: `interfaces[1].mac`).
  size_t open = body.find('[');
  size_t close = open == std::string_view::npos ? open : body.find("].", open);
  if (close != std::string_view::npos && close + 2 < body.size()) {
    part->kind = InterpolationPart::Kind::kResource;
    part->text = std::string(body.substr(0, close + 1));
    part->attribute = std::string(body.substr(close + 2));
    return true;
  }
  *error = "unknown expression \"${" + std::string(body) +
           "}\"; expected ${var.NAME}, ${env.NAME}, ${secret.NAME}, ${use.INSTANCE.OUTPUT}, "
           "${HOST:KIND[NAME].ATTRIBUTE} or, in a template, ${param.NAME}";
  return false;
}

std::string AsText(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return ShowJson(v);
}

}  // namespace

bool HasExpression(std::string_view text) { return text.find("${") != std::string_view::npos; }

bool ParseInterpolation(std::string_view text, std::vector<InterpolationPart>* parts,
                        std::string* error, size_t* error_offset) {
  parts->clear();
  std::string literal;
  size_t literal_start = 0;
  auto flush = [&](size_t next_start) {
    if (!literal.empty()) {
      parts->push_back({InterpolationPart::Kind::kLiteral, std::move(literal), {}, literal_start});
      literal.clear();
    }
    literal_start = next_start;
  };
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, 3, "$${") == 0) {
      literal += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      literal += text[i++];
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      *error = "unterminated \"${\": expected \"}\"";
      *error_offset = i;
      return false;
    }
    flush(i);
    InterpolationPart part;
    part.offset = i;
    if (!ParseReference(text.substr(i + 2, close - i - 2), &part, error)) {
      *error_offset = i;
      return false;
    }
    parts->push_back(std::move(part));
    i = close + 1;
    literal_start = i;
  }
  flush(text.size());
  return true;
}

bool EvaluateInterpolation(const std::vector<InterpolationPart>& parts,
                           const ReferenceResolver& resolve, Value* out, std::string* error,
                           const InterpolationPart** error_part) {
  if (parts.size() == 1 && parts[0].kind != InterpolationPart::Kind::kLiteral) {
    *error_part = &parts[0];
    return resolve(parts[0], out, error);
  }
  std::string text;
  for (const auto& p : parts) {
    if (p.kind == InterpolationPart::Kind::kLiteral) {
      text += p.text;
      continue;
    }
    Value v;
    if (!resolve(p, &v, error)) {
      *error_part = &p;
      return false;
    }
    text += AsText(v);
  }
  *out = std::move(text);
  return true;
}

}  // namespace mfgctl
