#include "engine/model/graph.h"

#include <algorithm>
#include <functional>
#include <queue>

namespace mfgctl {

void DependencyGraph::AddDependency(size_t node, size_t depends_on) {
  deps_[node].push_back(depends_on);
  dependents_[depends_on].push_back(node);
}

std::vector<size_t> DependencyGraph::TopologicalOrder(std::vector<size_t>* cycle) const {
  const size_t n = deps_.size();
  std::vector<size_t> pending(n);
  // Min-heap on the node index keeps the input order among ready nodes.
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < n; ++i) {
    pending[i] = deps_[i].size();
    if (pending[i] == 0) ready.push(i);
  }
  std::vector<size_t> order;
  order.reserve(n);
  while (!ready.empty()) {
    size_t node = ready.top();
    ready.pop();
    order.push_back(node);
    for (size_t dep : dependents_[node]) {
      if (--pending[dep] == 0) ready.push(dep);
    }
  }
  if (cycle) cycle->clear();
  if (order.size() == n || !cycle) return order;

  // Every node left has an unfinished dependency; walking first unfinished
  // dependencies from one of them must revisit a node: that is a cycle.
  size_t start = 0;
  while (pending[start] == 0) ++start;
  std::vector<size_t> seen_at(n, SIZE_MAX);
  std::vector<size_t> path;
  size_t node = start;
  while (seen_at[node] == SIZE_MAX) {
    seen_at[node] = path.size();
    path.push_back(node);
    for (size_t dep : deps_[node]) {
      if (pending[dep] != 0) {
        node = dep;
        break;
      }
    }
  }
  cycle->assign(path.begin() + seen_at[node], path.end());
  cycle->push_back(node);
  return order;
}

}  // namespace mfgctl
