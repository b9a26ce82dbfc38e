// The one user of yaml-cpp: converts its nodes into SourceNodes with
// positions and turns its exceptions into diagnostics.
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "blueprints/source_node.h"

namespace mfgctl {
namespace {

SourcePos PosOf(const std::string& file, const YAML::Mark& m) {
  return {file, m.line + 1, m.column + 1};
}

bool Convert(const YAML::Node& n, const std::string& file, SourceNode* out, Diagnostics* diags) {
  out->pos = PosOf(file, n.Mark());
  switch (n.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      out->kind = SourceNode::Kind::kNull;
      return true;
    case YAML::NodeType::Scalar:
      out->kind = SourceNode::Kind::kScalar;
      out->scalar = n.Scalar();
      out->quoted = n.Tag() == "!";
      return true;
    case YAML::NodeType::Sequence:
      out->kind = SourceNode::Kind::kSequence;
      out->items.resize(n.size());
      for (size_t i = 0; i < n.size(); ++i) {
        if (!Convert(n[i], file, &out->items[i], diags)) return false;
      }
      return true;
    case YAML::NodeType::Map: {
      out->kind = SourceNode::Kind::kMap;
      std::set<std::string> seen;
      for (auto it = n.begin(); it != n.end(); ++it) {
        SourceNode key, value;
        if (!Convert(it->first, file, &key, diags) || !Convert(it->second, file, &value, diags)) {
          return false;
        }
        if (!key.IsScalar()) {
          diags->Error("expected a plain key, got " + std::string(key.Describe()), key.pos);
          return false;
        }
        if (!seen.insert(key.scalar).second) {
          diags->Error("duplicate key \"" + key.scalar + "\"", key.pos);
          return false;
        }
        out->entries.emplace_back(std::move(key), std::move(value));
      }
      return true;
    }
  }
  return true;
}

}  // namespace

bool ParseYaml(const std::string& text, const std::string& name, SourceNode* out,
               Diagnostics* diags) {
  try {
    YAML::Node root = YAML::Load(text);
    *out = SourceNode{};
    return Convert(root, name, out, diags);
  } catch (const YAML::Exception& e) {
    std::string msg = e.msg;
    if (!msg.empty()) msg[0] = static_cast<char>(std::tolower(msg[0]));
    diags->Error("invalid YAML: " + msg, e.mark.is_null() ? SourcePos{name, 0, 0}
                                                          : PosOf(name, e.mark));
    return false;
  }
}

bool LoadYamlFile(const std::string& path, SourceNode* out, Diagnostics* diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags->Error("cannot read " + path);
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseYaml(ss.str(), path, out, diags);
}

}  // namespace mfgctl
