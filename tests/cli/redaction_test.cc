#include "cli/render/redaction.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "cli/operations.h"

namespace mfgctl {
namespace {

TEST(RedactionTest, EveryOccurrenceLongestFirst) {
  EXPECT_EQ(Scrubbed("user=admin pw=admin123 again admin123",
                     {"admin123", "admin"}),  // sorted by ScrubFromOutput; here by hand
            "user=(sensitive value) pw=(sensitive value) again (sensitive value)");
  EXPECT_EQ(Scrubbed("no secret here", {"hunter2"}), "no secret here");
  // Too short to scrub without garbling text: left alone.
  EXPECT_EQ(Scrubbed("a b c", {"b"}), "a b c");
  // A replacement is never scanned again.
  EXPECT_EQ(Scrubbed("xxxxxxxx", {"xxxx"}), "(sensitive value)(sensitive value)");
}

TEST(RedactionTest, TextWrittenElsewhereIsScrubbedAsOutputIs) {
  ScrubFromOutput({"tok-91f3e2", "line one\nline-two-secret"});
  EXPECT_EQ(ScrubbedLikeOutput("health check: Bearer tok-91f3e2 refused"),
            "health check: Bearer (sensitive value) refused");
  // The forms output has: JSON-escaped, and each line of a multi-line one.
  EXPECT_EQ(ScrubbedLikeOutput("{\"v\": \"line one\\nline-two-secret\"} line-two-secret"),
            "{\"v\": \"(sensitive value)\"} (sensitive value)");
}

TEST(RedactionTest, APlanHoldingASensitiveComputedValueIsNotSaved) {
  Plan plan;
  plan.resolved_sensitive["gw:thing[a]"] = {{"token", "s3cr3t"}};
  std::string path = std::filesystem::temp_directory_path() /
                     ("mfgctl-plan-" + std::to_string(getpid()) + ".json");
  Diagnostics d;
  EXPECT_FALSE(WritePlanFile(path, plan, {}, {}, &d));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d.items()[0].summary,
            "the plan uses gw:thing[a]'s sensitive token, and a plan file never holds a secret");
  EXPECT_EQ(d.items()[0].detail, "apply without a plan file: mfgctl apply");
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace mfgctl
