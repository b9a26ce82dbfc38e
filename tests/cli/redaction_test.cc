#include "cli/render/redaction.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace mfgctl
