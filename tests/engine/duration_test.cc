// Durations as blueprints write them and as Google's APIs compare them.
#include "engine/model/duration.h"

#include <gtest/gtest.h>

namespace mfgctl {
namespace {

TEST(DurationTest, UnitsLargestFirstEachOnce) {
  EXPECT_EQ(ParseDuration("7d"), 604800);
  EXPECT_EQ(ParseDuration("12h"), 43200);
  EXPECT_EQ(ParseDuration("1h30m"), 5400);
  EXPECT_EQ(ParseDuration("1d2h3m4s"), 93784);
  EXPECT_EQ(ParseDuration("600s"), 600);
  EXPECT_EQ(ParseDuration("0s"), 0);
  for (const char* bad : {"", "7", "d", "7 d", "1m1h", "1h1h", "1.5h", "-1s", "1w", "7D",
                          "9999999999999s"}) {
    EXPECT_EQ(ParseDuration(bad), std::nullopt) << bad;
  }
}

TEST(DurationTest, CanonicalIsGooglesSeconds) {
  EXPECT_EQ(CanonicalDuration("7d"), "604800s");
  EXPECT_EQ(CanonicalDuration("604800s"), "604800s");
  EXPECT_EQ(CanonicalDuration("10m"), "600s");
  EXPECT_EQ(CanonicalDuration("never"), "never");          // a word, kept
  EXPECT_EQ(CanonicalDuration("604800.5s"), "604800.5s");  // not ours to round
}

}  // namespace
}  // namespace mfgctl
