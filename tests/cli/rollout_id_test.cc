// A rollout's ID: what the runners of one CI pipeline share and the next
// pipeline does not.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/fleet_apply.h"

namespace mfgctl {
namespace {

class RolloutIdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : {"GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT", "CI_PIPELINE_ID",
                          "BUILDKITE_BUILD_ID", "BUILD_TAG"}) {
      unsetenv(v);
    }
    dir_ = std::filesystem::temp_directory_path() / ("mfgctl-rollout-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    Write("fleet.yaml", "mfgctl: 1\nfleet: f\n");
    Write("plant.yaml", "mfgctl: 1\n");
    fleet_.blueprint = (dir_ / "plant.yaml").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::string Id(const std::string& given = "") {
    return RolloutId(fleet_, (dir_ / "fleet.yaml").string(), given);
  }

  std::filesystem::path dir_;
  Fleet fleet_;
};

TEST_F(RolloutIdTest, TheSameCommitOutsideCiIsTheSameRolloutAndAChangeIsANewOne) {
  std::string a = Id();
  EXPECT_EQ(a.rfind("sha256:", 0), 0u) << a;
  EXPECT_EQ(a.size(), 7u + 16u) << a;
  EXPECT_EQ(Id(), a);
  Write("plant.yaml", "mfgctl: 1\n# changed\n");
  EXPECT_NE(Id(), a);
  EXPECT_EQ(Id("nightly-42"), "nightly-42");  // --rollout wins
}

TEST_F(RolloutIdTest, EachPipelineIsANewRolloutAndARetriedJobResumesIt) {
  std::string plain = Id();
  setenv("CI_PIPELINE_ID", "4711", 1);
  EXPECT_EQ(Id(), plain + "@gitlab-4711");
  unsetenv("CI_PIPELINE_ID");
  setenv("GITHUB_RUN_ID", "99", 1);
  setenv("GITHUB_RUN_ATTEMPT", "1", 1);
  std::string first = Id();
  setenv("GITHUB_RUN_ATTEMPT", "2", 1);  // re-running failed jobs resumes the run's rollout
  EXPECT_EQ(first, plain + "@github-99");
  EXPECT_EQ(Id(), first);
  setenv("GITHUB_RUN_ID", "100", 1);
  EXPECT_EQ(Id(), plain + "@github-100");
  unsetenv("GITHUB_RUN_ID");
  unsetenv("GITHUB_RUN_ATTEMPT");
}

}  // namespace
}  // namespace mfgctl
