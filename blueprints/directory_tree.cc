#include "blueprints/directory_tree.h"

namespace mfgctl {

// A path is the components between its '/'s: `/srv/a` is "", "srv", "a".
// Node k of a path stands for its text before the k-th '/'; `/` itself is
// the node of the empty first component, which is what `/srv` has above it.

void DirectoryTree::Add(std::string_view path, size_t id) {
  if (path == "/") path = "";
  size_t node = 0;
  for (size_t start = 0;;) {
    size_t slash = path.find('/', start);
    std::string_view name = path.substr(start, slash - start);
    auto [it, inserted] = children_.try_emplace(Step{node, name}, declared_.size());
    if (inserted) declared_.push_back(SIZE_MAX);
    node = it->second;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  declared_[node] = id;
}

size_t DirectoryTree::NearestAbove(std::string_view path) const {
  if (path == "/") return SIZE_MAX;
  size_t node = 0, nearest = SIZE_MAX;
  // Every component but the last names a directory above the path.
  for (size_t start = 0;;) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) break;
    auto it = children_.find(Step{node, path.substr(start, slash - start)});
    if (it == children_.end()) break;  // nothing declared below here
    node = it->second;
    if (declared_[node] != SIZE_MAX) nearest = declared_[node];
    start = slash + 1;
  }
  return nearest;
}

}  // namespace mfgctl
