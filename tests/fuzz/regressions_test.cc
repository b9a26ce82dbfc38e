// The blueprint fuzz target's committed inputs replayed in the plain build
// (gcc's included): every input it once failed on (tests/fuzz/regressions/,
// made when the first is fixed) and the hand-written seeds
// (tests/fuzz/seeds/). Each must end with a result, and a blueprint that
// does not load must say why.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "tests/fuzz/sandbox.h"

namespace mfgctl {
namespace {

namespace fs = std::filesystem;

TEST(FuzzRegressionsTest, EveryCommittedInputEndsWithDiagnostics) {
  std::vector<fs::path> inputs;
  for (const char* dir : {"tests/fuzz/regressions", "tests/fuzz/seeds"}) {
    fs::path path = fs::path(MFGCTL_SOURCE_DIR) / dir;
    if (!fs::exists(path)) continue;
    for (const auto& e : fs::directory_iterator(path)) {
      if (e.is_regular_file()) inputs.push_back(e.path());
    }
  }
  std::sort(inputs.begin(), inputs.end());
  FuzzSandbox sandbox(fs::temp_directory_path() /
                      ("mfgctl-fuzz-regressions-" + std::to_string(getpid())));
  for (const auto& path : inputs) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    Diagnostics diags;
    bool loaded = false;
    EXPECT_NO_THROW(loaded = sandbox.Run(text.str(), &diags)) << path;
    if (!loaded) {
      EXPECT_TRUE(diags.HasErrors()) << path;
    }
  }
  EXPECT_FALSE(inputs.empty());
}

}  // namespace
}  // namespace mfgctl
