#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/value.h"

namespace mfgctl {

/// One piece of a string with `${...}` expressions: literal text, or a
/// reference: `${var.NAME}`, `${env.NAME}`, `${secret.NAME}`, a template's
/// `${param.NAME}`, an instance's output `${use.INSTANCE.OUTPUT}`, or a resource
/// attribute `${ADDRESS.ATTR}` where ADDRESS is `host:kind[name]` or, on
/// the same host, `kind[name]`, and ATTR may be a path into a nested
/// attribute (`interfaces[1].mac`, engine/model/value_path.h).
struct InterpolationPart {
  enum class Kind { kLiteral, kVar, kEnv, kSecret, kParam, kUse, kResource };
  Kind kind = Kind::kLiteral;
  std::string text;       // literal text, the name (var, env, secret, param), INSTANCE.OUTPUT or address
  std::string attribute;  // kResource: the attribute, or a path into it
  size_t offset = 0;      // where the part starts in the source string
};

/// Splits `text` into parts; `$${` stands for a literal `${`. On a malformed
/// expression returns false with a message and the offset it concerns.
bool ParseInterpolation(std::string_view text, std::vector<InterpolationPart>* parts,
                        std::string* error, size_t* error_offset);

/// Resolves one reference, or says why it cannot.
using ReferenceResolver =
    std::function<bool(const InterpolationPart& ref, Value* out, std::string* error)>;

/// Evaluates parsed parts. A string that is exactly one reference takes that
/// reference's value with its type (a number stays a number); otherwise the
/// pieces are joined as text. On failure `error_part` names the part.
bool EvaluateInterpolation(const std::vector<InterpolationPart>& parts,
                           const ReferenceResolver& resolve, Value* out, std::string* error,
                           const InterpolationPart** error_part);

/// True when text contains an expression (so a literal fast path can skip it).
bool HasExpression(std::string_view text);

}  // namespace mfgctl
