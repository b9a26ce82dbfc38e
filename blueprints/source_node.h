#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/model/diagnostics.h"

namespace mfgctl {

/// A YAML document as the blueprint language sees it: scalars, sequences and
/// maps, each remembering where it was written. Map entries keep their order.
struct SourceNode {
  enum class Kind { kNull, kScalar, kSequence, kMap };

  Kind kind = Kind::kNull;
  std::string scalar;
  /// The scalar was quoted: `"0750"` is text even where a number would do.
  bool quoted = false;
  SourcePos pos;
  std::vector<SourceNode> items;                           // kSequence
  std::vector<std::pair<SourceNode, SourceNode>> entries;  // kMap: key, value

  bool IsScalar() const { return kind == Kind::kScalar; }
  bool IsMap() const { return kind == Kind::kMap; }
  bool IsSequence() const { return kind == Kind::kSequence; }
  bool IsNull() const { return kind == Kind::kNull; }

  /// The value under `key` of a map, or nullptr.
  const SourceNode* Get(std::string_view key) const;

  /// "a string", "a list", "a map", "nothing": for "expected X, got Y".
  std::string_view Describe() const;
};

/// Parses YAML text. Syntax errors and duplicate keys become diagnostics at
/// `name:line:col`; never throws.
bool ParseYaml(const std::string& text, const std::string& name, SourceNode* out,
               Diagnostics* diags);

/// Reads and parses a YAML file.
bool LoadYamlFile(const std::string& path, SourceNode* out, Diagnostics* diags);

}  // namespace mfgctl
