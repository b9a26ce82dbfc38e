// The one user of yaml-cpp. Its event parser feeds SourceNodes directly:
// building yaml-cpp's own node tree first would cost several times the
// memory and time on large plants. Its exceptions become diagnostics.
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <map>
#include <sstream>
#include <unordered_set>

#include "blueprints/source_node.h"
#include "engine/model/text_file.h"
#include "engine/model/utf8.h"

namespace mfgctl {
namespace {

// Nested aliases multiply: ten levels of ten aliases each are 10^10 nodes
// from a file under 1 KB. Nodes copied for anchors (each anchored node is
// kept) and by aliases are counted and held to this (docs/blueprints.md,
// "Text, files and limits").
constexpr size_t kMaxCopiedNodes = 1'000'000;

// A blueprint is text a person or script wrote; larger input is refused
// before it is read.
constexpr size_t kMaxBlueprintBytes = size_t{256} << 20;

// Lists and maps nest at most this deep: real blueprints nest under ten
// levels, and everything that walks a document recurses. (yaml-cpp's own
// guard, which fires first on some shapes, stops at 2000 of its steps.)
constexpr size_t kMaxNesting = 256;

std::string NestingTooDeep() {
  return "nesting too deep: lists and maps nest at most " + std::to_string(kMaxNesting) + " levels";
}

class NodeBuilder : public YAML::EventHandler {
 public:
  NodeBuilder(SourceDocument* doc, Diagnostics* diags) : doc_(doc), diags_(diags) {}

  bool ok() const { return ok_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override { done_ = true; }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    SourceNode n = Make(mark, SourceNode::Kind::kNull);
    Remember(anchor, n, 1);
    Attach(std::move(n), 1);
  }

  void OnAnchor(const YAML::Mark&, const std::string& name) override { anchor_name_ = name; }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      Fail("unknown alias", mark);
      return;
    }
    const Anchored& a = it->second;
    if (!Copy(a.nodes, "this alias of &" + a.name, Pos(mark))) return;
    SourceNode copy = a.node;
    Attach(std::move(copy), a.nodes);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    SourceNode n = Make(mark, SourceNode::Kind::kScalar);
    n.scalar = value;
    n.quoted = tag == "!";
    Remember(anchor, n, 1);
    Attach(std::move(n), 1);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(Make(mark, SourceNode::Kind::kSequence), anchor);
  }
  void OnSequenceEnd() override { Close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(Make(mark, SourceNode::Kind::kMap), anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Frame {
    Frame(SourceNode* n, YAML::anchor_t a, std::string name = {})
        : node(n), anchor(a), anchor_name(std::move(name)) {}

    SourceNode* node;
    YAML::anchor_t anchor;
    std::string anchor_name;
    /// Nodes in this subtree so far, itself included.
    size_t nodes = 1;
    bool have_key = false;
    SourceNode key;
    // Keys of a large map, for duplicate detection; small maps (nearly all)
    // are scanned instead, which is cheaper than a set per map.
    std::unordered_set<std::string> keys;

    bool Duplicate(const std::string& k) {
      constexpr size_t kScanLimit = 16;
      auto& entries = node->entries;
      if (entries.size() < kScanLimit) {
        for (const auto& e : entries) {
          if (e.key.scalar == k) return true;
        }
        return false;
      }
      if (keys.empty()) {
        for (const auto& e : entries) keys.insert(e.key.scalar);
      }
      return !keys.insert(k).second;
    }
  };

  SourceNode Make(const YAML::Mark& mark, SourceNode::Kind kind) const {
    SourceNode n;
    n.kind = kind;
    n.line = mark.line + 1;
    n.col = mark.column + 1;
    n.doc = doc_;
    return n;
  }

  SourcePos Pos(const YAML::Mark& mark) const {
    return {doc_->file, mark.line + 1, mark.column + 1};
  }

  void Fail(const std::string& message, const YAML::Mark& mark) {
    if (!ok_) return;
    ok_ = false;
    diags_->Error(message, Pos(mark));
  }

  // Counts `nodes` copied (for an anchor or by an alias: `what`) against
  // kMaxCopiedNodes; past it, says so at `pos` and stops.
  bool Copy(size_t nodes, const std::string& what, const SourcePos& pos) {
    if (!ok_) return false;
    if (nodes <= kMaxCopiedNodes - copied_nodes_) {
      copied_nodes_ += nodes;
      return true;
    }
    ok_ = false;
    diags_->Error(
        "anchors and aliases copy more than " + std::to_string(kMaxCopiedNodes) + " nodes; " +
            what + " (" + std::to_string(nodes) + " nodes) goes past the limit",
        pos, "nested aliases multiply; write the repeated part out, or nest fewer levels");
    return false;
  }

  // The anchor a node carries; the name came in the OnAnchor event before it.
  void Remember(YAML::anchor_t anchor, const SourceNode& n, size_t nodes) {
    if (anchor != YAML::NullAnchor && ok_ && Copy(nodes, "the anchor &" + anchor_name_, n.pos())) {
      anchors_[anchor] = {n, nodes, std::move(anchor_name_)};
    }
    anchor_name_.clear();
  }

  // Places a finished node of `nodes` nodes in its parent; returns where it
  // now lives.
  SourceNode* Attach(SourceNode n, size_t nodes) {
    if (!ok_ || done_) return nullptr;
    if (stack_.empty()) {
      doc_->root = std::move(n);
      return &doc_->root;
    }
    Frame& top = stack_.back();
    top.nodes += nodes;
    if (top.node->IsSequence()) {
      top.node->items.push_back(std::move(n));
      return &top.node->items.back();
    }
    if (!top.have_key) {
      if (!n.IsScalar()) {
        diags_->Error("expected a plain key, got " + std::string(n.Describe()), n.pos());
        ok_ = false;
        return nullptr;
      }
      if (top.Duplicate(n.scalar)) {
        diags_->Error("duplicate key \"" + n.scalar + "\"", n.pos());
        ok_ = false;
        return nullptr;
      }
      top.key = std::move(n);
      top.have_key = true;
      return &top.key;
    }
    top.have_key = false;
    top.node->entries.push_back({std::move(top.key), std::move(n)});
    return &top.node->entries.back().value;
  }

  void Open(SourceNode n, YAML::anchor_t anchor) {
    if (ok_ && stack_.size() >= kMaxNesting) {
      ok_ = false;
      diags_->Error(NestingTooDeep(), n.pos());
    }
    // Its nodes are counted into the parent when it closes.
    SourceNode* placed = Attach(std::move(n), 0);
    std::string name = std::move(anchor_name_);
    anchor_name_.clear();
    if (!placed) {
      // Keep the nesting balanced so the matching end event pops something.
      stack_.push_back(Frame{&scratch_, YAML::NullAnchor});
      return;
    }
    stack_.push_back(Frame{placed, anchor, std::move(name)});
  }

  void Close() {
    if (stack_.empty()) return;
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (!stack_.empty()) stack_.back().nodes += f.nodes;
    if (ok_ && f.anchor != YAML::NullAnchor &&
        Copy(f.nodes, "the anchor &" + f.anchor_name, f.node->pos())) {
      anchors_[f.anchor] = {*f.node, f.nodes, std::move(f.anchor_name)};
    }
  }

  SourceDocument* doc_;
  Diagnostics* diags_;
  bool ok_ = true;
  bool done_ = false;
  std::vector<Frame> stack_;
  struct Anchored {
    SourceNode node;
    size_t nodes = 0;  // in the subtree, itself included
    std::string name;
  };
  std::map<YAML::anchor_t, Anchored> anchors_;
  std::string anchor_name_;  // of the node whose event comes next
  size_t copied_nodes_ = 0;  // for anchors and by aliases so far
  SourceNode scratch_;
};

// YAML reads `[service[x]]` as nested lists, or fails to read it inside a
// flow map. When a syntax error's line has an unquoted `kind[name]`, say so.
std::string AddressQuotingHint(const std::string& text, int line) {
  size_t start = 0;
  for (int n = 0; n < line && start != std::string::npos; ++n) {
    start = text.find('\n', start);
    if (start != std::string::npos) ++start;
  }
  if (start == std::string::npos) return {};
  std::string l = text.substr(start, text.find('\n', start) - start);
  for (size_t open = l.find('['); open != std::string::npos; open = l.find('[', open + 1)) {
    if (open == 0) continue;
    char before = l[open - 1];
    if (std::isalnum(static_cast<unsigned char>(before)) || before == '_' || before == '.') {
      return "a resource address inside [ ] needs quotes: [\"package[sl]\"], not "
             "[package[sl]]";
    }
  }
  return {};
}

}  // namespace

bool ParseYaml(const std::string& text, SourceDocument* doc, Diagnostics* diags) {
  doc->root = SourceNode{};
  doc->root.doc = doc;
  doc->root.line = doc->root.col = 1;
  // yaml-cpp reads NUL bytes as the start of UTF-16 or UTF-32 text and
  // then fails on something else; say what it is.
  if (size_t nul = text.find('\0'); nul != std::string::npos) {
    diags->Error("a NUL byte: a blueprint is UTF-8 text", PositionInText(doc->file, text, nul));
    return false;
  }
  // State, plans and --json are JSON, which holds only UTF-8.
  if (size_t bad = FindInvalidUtf8(text); bad != std::string::npos) {
    diags->Error(NotUtf8(text[bad]) + ": a blueprint is UTF-8 text",
                 PositionInText(doc->file, text, bad));
    return false;
  }
  std::istringstream in(text);
  NodeBuilder builder(doc, diags);
  try {
    YAML::Parser parser(in);
    parser.HandleNextDocument(builder);
  } catch (const YAML::DeepRecursion& e) {
    // Where the builder stopped it, it said so at the list or map.
    if (builder.ok()) {
      diags->Error(NestingTooDeep(), {doc->file, e.mark.line + 1, e.mark.column + 1});
    }
    return false;
  } catch (const YAML::Exception& e) {
    std::string msg = e.msg;
    if (!msg.empty()) msg[0] = static_cast<char>(std::tolower(msg[0]));
    diags->Error("invalid YAML: " + msg,
                 e.mark.is_null() ? SourcePos{doc->file, 0, 0}
                                  : SourcePos{doc->file, e.mark.line + 1, e.mark.column + 1},
                 e.mark.is_null() ? std::string() : AddressQuotingHint(text, e.mark.line));
    return false;
  }
  return builder.ok();
}

bool LoadYamlFile(const std::string& path, SourceDocument* doc, Diagnostics* diags) {
  doc->file = path;
  std::string why;
  std::optional<std::string> text =
      ReadBoundedFile(path, {.max_bytes = kMaxBlueprintBytes, .allow_pipe = true}, &why);
  if (!text) {
    diags->Error("cannot read " + path + ": " + why);
    return false;
  }
  return ParseYaml(*text, doc, diags);
}

}  // namespace mfgctl
