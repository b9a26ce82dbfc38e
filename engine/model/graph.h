#pragma once

#include <string>
#include <vector>

namespace mfgctl {

/// A dependency graph over nodes 0..n-1: edge (from, to) means `from` must
/// come after `to` ("from depends on to").
class DependencyGraph {
 public:
  explicit DependencyGraph(size_t n) : deps_(n), dependents_(n) {}

  /// Constant time. An edge added twice is kept twice, in both lists, which
  /// orders and counts the same (looking for it first was quadratic in a
  /// node's dependencies).
  void AddDependency(size_t node, size_t depends_on);
  size_t size() const { return deps_.size(); }
  const std::vector<size_t>& DependenciesOf(size_t n) const { return deps_[n]; }
  const std::vector<size_t>& DependentsOf(size_t n) const { return dependents_[n]; }

  /// Nodes in an order where every node comes after its dependencies; ties
  /// keep the input order. Empty `cycle` on success; otherwise the nodes of
  /// one cycle in order, its first node repeated at the end, and the order
  /// is incomplete.
  std::vector<size_t> TopologicalOrder(std::vector<size_t>* cycle) const;

 private:
  std::vector<std::vector<size_t>> deps_;
  std::vector<std::vector<size_t>> dependents_;
};

}  // namespace mfgctl
