#include "engine/model/value_path.h"

namespace mfgctl {
namespace {

bool IsKeyChar(char c) { return c != '.' && c != '[' && c != ']' && c != '"'; }

}  // namespace

ValuePath ValuePath::Parent() const {
  ValuePath parent = *this;
  if (!parent.steps.empty()) parent.steps.pop_back();
  return parent;
}

bool ParseValuePath(std::string_view text, ValuePath* path, std::string* error) {
  *path = {};
  size_t i = 0;
  auto key = [&](std::string* out) {
    size_t start = i;
    while (i < text.size() && IsKeyChar(text[i])) ++i;
    *out = std::string(text.substr(start, i - start));
    return !out->empty();
  };
  auto fail = [&](const std::string& expected) {
    *error = "in attribute path \"" + std::string(text) + "\" at character " +
             std::to_string(i + 1) + ": expected " + expected;
    return false;
  };
  if (!key(&path->attribute)) return fail("an attribute name");
  while (i < text.size()) {
    ValuePath::Step step;
    if (text[i] == '.') {
      ++i;
      if (!key(&step.key)) return fail("a name after \".\"");
    } else if (text[i] == '[' && i + 1 < text.size() && text[i + 1] == '"') {
      size_t close = text.find("\"]", i + 2);
      if (close == std::string_view::npos) return fail("a closing \"] after the key");
      step.key = std::string(text.substr(i + 2, close - i - 2));
      i = close + 2;
    } else if (text[i] == '[') {
      size_t start = ++i;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
      if (i == start || i - start > 9 || i >= text.size() || text[i] != ']') {
        return fail("a list index [N] or a map key [\"KEY\"]");
      }
      step.index = std::stoul(std::string(text.substr(start, i - start)));
      step.is_index = true;
      ++i;
    } else {
      return fail("\".\" or \"[\"");
    }
    path->steps.push_back(std::move(step));
  }
  return true;
}

const Value* Follow(const Value& attributes, const ValuePath& path) {
  auto it = attributes.find(path.attribute);
  if (it == attributes.end()) return nullptr;
  const Value* at = &*it;
  for (const auto& step : path.steps) {
    if (step.is_index) {
      if (!at->is_array() || step.index >= at->size()) return nullptr;
      at = &(*at)[step.index];
    } else {
      if (!at->is_object()) return nullptr;
      auto next = at->find(step.key);
      if (next == at->end()) return nullptr;
      at = &*next;
    }
  }
  return at;
}

const AttributeSchema* SchemaAt(const ResourceTypeSchema& schema, const ValuePath& path) {
  const AttributeSchema* at = schema.Find(path.attribute);
  // Inside a list or map of objects, the next step picks an element first.
  bool at_element = false;
  for (const auto& step : path.steps) {
    if (!at) return nullptr;
    bool collection = at->type == AttrType::kObjectList || at->type == AttrType::kObjectMap;
    if (collection && !at_element) {
      if (step.is_index != (at->type == AttrType::kObjectList)) return nullptr;
      at_element = true;
      continue;
    }
    at_element = false;
    switch (at->type) {
      case AttrType::kStringList:
        return step.is_index && &step == &path.steps.back() ? at : nullptr;
      case AttrType::kStringMap:
        return !step.is_index && &step == &path.steps.back() ? at : nullptr;
      case AttrType::kObject:
      case AttrType::kObjectList:
      case AttrType::kObjectMap:
        if (step.is_index) return nullptr;
        at = at->Find(step.key);
        break;
      default:
        return nullptr;
    }
  }
  return at;
}

}  // namespace mfgctl
