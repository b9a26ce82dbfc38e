#include "blueprints/source_node.h"

#include <algorithm>

#include "engine/model/suggest.h"

namespace mfgctl {

SourcePos SourceNode::pos() const {
  if (!doc) return {{}, line, col};
  return {doc->file, line, col, doc->via};
}

const SourceNode* SourceNode::Get(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k.scalar == key) return &v;
  }
  return nullptr;
}

std::string_view SourceNode::Describe() const {
  switch (kind) {
    case Kind::kNull: return "nothing";
    case Kind::kScalar: return "a scalar";
    case Kind::kSequence: return "a list";
    case Kind::kMap: return "a map";
  }
  return "?";
}

Value NodeAsJson(const SourceNode& node) {
  switch (node.kind) {
    case SourceNode::Kind::kNull:
      return nullptr;
    case SourceNode::Kind::kScalar: {
      long long n = 0;
      if (!node.quoted && ParseWholeNumber(node.scalar, &n)) return n;
      if (!node.quoted && (node.scalar == "true" || node.scalar == "false")) {
        return node.scalar == "true";
      }
      return node.scalar;
    }
    case SourceNode::Kind::kSequence: {
      Value out = Value::array();
      for (const auto& item : node.items) out.push_back(NodeAsJson(item));
      return out;
    }
    case SourceNode::Kind::kMap: {
      Value out = Value::object();
      for (const auto& [k, v] : node.entries) out[k.scalar] = NodeAsJson(v);
      return out;
    }
  }
  return nullptr;
}

bool CheckKeys(const SourceNode& map, const std::vector<std::string>& allowed,
               const std::string& what, Diagnostics* diags) {
  bool ok = true;
  for (const auto& [key, value] : map.entries) {
    if (std::find(allowed.begin(), allowed.end(), key.scalar) != allowed.end()) continue;
    diags->Error("unknown key \"" + key.scalar + "\" in " + what + DidYouMean(key.scalar, allowed),
                 key.pos());
    ok = false;
  }
  return ok;
}

SourcePos PositionInText(const std::string& file, std::string_view text, size_t offset) {
  SourcePos pos{file, 1, 1};
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      pos.col = 1;
    } else {
      ++pos.col;
    }
  }
  return pos;
}

}  // namespace mfgctl
