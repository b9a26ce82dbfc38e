#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/diagnostics.h"
#include "engine/model/value.h"

namespace mfgctl {

struct SourceEntry;
struct SourceDocument;

/// A YAML document as the blueprint language sees it: scalars, sequences and
/// maps, each remembering where it was written. Map entries keep their order.
/// Compact on purpose: a large plant has millions of these.
struct SourceNode {
  enum class Kind : unsigned char { kNull, kScalar, kSequence, kMap };

  Kind kind = Kind::kNull;
  /// The scalar was quoted: `"0750"` is text even where a number would do.
  bool quoted = false;
  int line = 0;  // 1-based
  int col = 0;   // 1-based
  /// The document this node belongs to: its file name, and the template
  /// instances it was written through.
  const SourceDocument* doc = nullptr;
  std::string scalar;
  std::vector<SourceNode> items;     // kSequence
  std::vector<SourceEntry> entries;  // kMap, in the order written

  bool IsScalar() const { return kind == Kind::kScalar; }
  bool IsMap() const { return kind == Kind::kMap; }
  bool IsSequence() const { return kind == Kind::kSequence; }
  bool IsNull() const { return kind == Kind::kNull; }

  SourcePos pos() const;

  /// The value under `key` of a map, or nullptr.
  const SourceNode* Get(std::string_view key) const;

  /// "a scalar", "a list", "a map", "nothing": for "expected X, got Y".
  std::string_view Describe() const;
};

/// One entry of a map: `for (const auto& [key, value] : node.entries)`.
/// A struct declared after SourceNode, not a std::pair: a pair of the
/// incomplete SourceNode inside SourceNode is rejected by clang in C++20.
struct SourceEntry {
  SourceNode key;
  SourceNode value;
};

/// A parsed YAML file: its name and its root node. Nodes point at their
/// document, so a document is kept where it was made (hold it by
/// unique_ptr).
struct SourceDocument {
  std::string file;
  /// For a template's text copied into an instance: the instances it came
  /// through, innermost first (SourcePos::via).
  std::string via;
  SourceNode root;

  SourceDocument() = default;
  SourceDocument(const SourceDocument&) = delete;
  SourceDocument& operator=(const SourceDocument&) = delete;
};

/// Reports each key of `map` not in `allowed` ("unknown key "x" in WHAT",
/// with a did-you-mean); false when there was one.
bool CheckKeys(const SourceNode& map, const std::vector<std::string>& allowed,
               const std::string& what, Diagnostics* diags);

/// A node as JSON, typed as YAML types it: an unquoted whole number is a
/// number, unquoted true/false a bool, anything else text.
Value NodeAsJson(const SourceNode& node);

/// Where byte `offset` of `text`, read from `file`, is: 1-based line and
/// column (a column counts bytes).
SourcePos PositionInText(const std::string& file, std::string_view text, size_t offset);

/// Parses YAML text into `doc` (whose `file` names it in positions). Syntax
/// errors and duplicate keys become diagnostics at file:line:col; never
/// throws. Anchors and aliases are expanded; only the first document counts.
bool ParseYaml(const std::string& text, SourceDocument* doc, Diagnostics* diags);

/// Reads and parses a YAML file; doc->file becomes `path`.
bool LoadYamlFile(const std::string& path, SourceDocument* doc, Diagnostics* diags);

}  // namespace mfgctl
