#include "engine/model/graph.h"

#include <gtest/gtest.h>

namespace mfgctl {
namespace {

TEST(GraphTest, OrdersDependenciesFirstKeepingInputOrderForTies) {
  DependencyGraph g(4);
  g.AddDependency(0, 3);  // 0 after 3
  g.AddDependency(1, 0);
  std::vector<size_t> cycle;
  EXPECT_EQ(g.TopologicalOrder(&cycle), (std::vector<size_t>{2, 3, 0, 1}));
  EXPECT_TRUE(cycle.empty());
}

TEST(GraphTest, NamesEveryNodeOfACycle) {
  DependencyGraph g(5);
  g.AddDependency(0, 1);
  g.AddDependency(1, 2);
  g.AddDependency(2, 3);
  g.AddDependency(3, 1);  // 1 -> 2 -> 3 -> 1
  g.AddDependency(4, 0);
  std::vector<size_t> cycle;
  g.TopologicalOrder(&cycle);
  EXPECT_EQ(cycle, (std::vector<size_t>{1, 2, 3, 1}));
}

TEST(GraphTest, SelfDependencyIsACycle) {
  DependencyGraph g(1);
  g.AddDependency(0, 0);
  std::vector<size_t> cycle;
  g.TopologicalOrder(&cycle);
  EXPECT_EQ(cycle, (std::vector<size_t>{0, 0}));
}

}  // namespace
}  // namespace mfgctl
