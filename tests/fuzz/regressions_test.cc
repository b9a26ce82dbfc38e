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

// The sandbox's own files (`#%file`, `#%fifo`, `#%link`, ...) reach the
// loader: each input here ends in the error its file was made for.
TEST(FuzzRegressionsTest, SandboxFilesReachTheLoader) {
  FuzzSandbox sandbox(fs::temp_directory_path() /
                      ("mfgctl-fuzz-sandbox-" + std::to_string(getpid())));
  const std::string head =
      "mfgctl: 1\nplant: p\nproviders:\n  ssh: { known_hosts: ./known_hosts }\n"
      "gateways:\n  gw1:\n    address: 10.0.0.1\n";
  auto summary = [&](const std::string& input) {
    Diagnostics diags;
    EXPECT_FALSE(sandbox.Run(input, &diags)) << input;
    std::string s = diags.empty() ? "(none)" : diags.items()[0].summary;
    std::string root = sandbox.root().string();
    for (size_t p; (p = s.find(root)) != std::string::npos;) s.replace(p, root.size(), "ROOT");
    return s;
  };
  EXPECT_EQ(summary(head + "    files:\n      /etc/x: { template: ./fuzz/pipe }\n#%fifo pipe\n"),
            "cannot read ROOT/fuzz/pipe (\"template:\"): it is a FIFO, not a regular file");
  EXPECT_EQ(summary(head + "    bundles:\n      /srv/b: ./fuzz/b\n#%dir b\n#%link b/loop loop\n"),
            "cannot bundle ROOT/fuzz/b/loop: Too many levels of symbolic links");
  EXPECT_EQ(summary(head + "    files:\n      /etc/x: { template: ./fuzz.tmpl }\n#%template\n"
                           "${var.x}\n#%file ../../escape\nx\n"),
            "undefined variable \"x\"");
  EXPECT_TRUE(fs::exists(sandbox.root() / "fuzz" / "escape"));  // kept inside
  Diagnostics diags;
  EXPECT_TRUE(sandbox.Run(head + "    files:\n      /etc/x: { source: ./fuzz/a/b }\n"
                                 "#%file a/b\nline 1\nline 2\n",
                          &diags));
  std::ifstream in(sandbox.root() / "fuzz" / "a" / "b");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "line 1\nline 2");
}

}  // namespace
}  // namespace mfgctl
