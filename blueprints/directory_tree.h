#pragma once

// Internal to blueprints/: which declared directory a file or directory
// comes after.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mfgctl {

/// The directories declared on one host, as a tree of path components, to
/// find the nearest declared directory above a path in time linear in the
/// path's length (walking up one parent at a time and looking each up cost
/// the whole length per parent: quadratic in a path's depth).
///
/// "Above" is what walking up a path at each '/' gives: `/srv/a/b` has
/// `/srv/a`, `/srv` and `/` above it; `/srv/a/` has `/srv/a` above it.
class DirectoryTree {
 public:
  /// Declares directory `path` as `id`. The text must outlive the tree.
  void Add(std::string_view path, size_t id);

  /// The id of the nearest declared directory above `path`, or SIZE_MAX.
  size_t NearestAbove(std::string_view path) const;

 private:
  struct Step {
    size_t parent;
    std::string_view name;
    bool operator==(const Step& o) const { return parent == o.parent && name == o.name; }
  };
  struct StepHash {
    size_t operator()(const Step& s) const {
      return std::hash<std::string_view>()(s.name) * 31 + s.parent;
    }
  };

  std::unordered_map<Step, size_t, StepHash> children_;  // node by parent and component
  std::vector<size_t> declared_{SIZE_MAX};               // id by node; node 0 is the root
};

}  // namespace mfgctl
