// Maintenance windows in a plant's own time zone, across daylight saving.
#include "fleet/windows.h"

#include <gtest/gtest.h>

namespace mfgctl {
namespace {

SysSeconds At(const std::string& iso) {
  SysSeconds t;
  EXPECT_TRUE(ParseInstant(iso, &t)) << iso;
  return t;
}

WindowSchedule Schedule(const std::string& zone, const std::vector<std::string>& windows) {
  TimeZone tz;
  EXPECT_TRUE(TimeZone::Load(zone, &tz)) << zone;
  std::vector<Window> parsed;
  for (const auto& w : windows) {
    std::string error;
    std::optional<Window> win = ParseWindow(w, &error);
    EXPECT_TRUE(win) << error;
    if (win) parsed.push_back(*win);
  }
  return WindowSchedule(tz, parsed);
}

TEST(WindowsTest, AWeekendWindowInTheNightOfThePlantsZone) {
  WindowSchedule s = Schedule("Asia/Shanghai", {"Sat 22:00-Sun 06:00"});
  std::optional<SysSeconds> closes;
  EXPECT_FALSE(s.IsOpen(At("2026-03-28T13:59:59Z")));  // Sat 21:59:59 in Shanghai
  EXPECT_TRUE(s.IsOpen(At("2026-03-28T14:00:00Z"), &closes));
  ASSERT_TRUE(closes);
  EXPECT_EQ(*closes, At("2026-03-28T22:00:00Z"));  // Sun 06:00 +08:00
  EXPECT_FALSE(s.IsOpen(At("2026-03-28T22:00:00Z")));
  EXPECT_EQ(s.zone().Format(*closes), "Sun 2026-03-29 06:00 CST");
  EXPECT_EQ(*s.NextOpening(At("2026-03-28T22:00:00Z")), At("2026-04-04T14:00:00Z"));
}

TEST(WindowsTest, WindowsThatMeetAreOneForWhenItCloses) {
  // Written as two, open as one: a plant started at 23:50 Saturday has
  // until Sunday 06:00, not ten minutes.
  WindowSchedule s = Schedule("Europe/Berlin", {"Sat 22:00-24:00", "Sun 00:00-06:00"});
  std::optional<SysSeconds> closes;
  EXPECT_TRUE(s.IsOpen(At("2026-06-06T21:50:00Z"), &closes));  // Sat 23:50 CEST
  ASSERT_TRUE(closes);
  EXPECT_EQ(*closes, At("2026-06-07T04:00:00Z"));  // Sun 06:00 CEST
  // Overlapping ones too, and a gap ends it.
  WindowSchedule gap = Schedule("UTC", {"daily 10:00-11:00", "daily 10:30-12:00", "daily 12:01-13:00"});
  EXPECT_TRUE(gap.IsOpen(At("2026-06-06T10:15:00Z"), &closes));
  EXPECT_EQ(*closes, At("2026-06-06T12:00:00Z"));
}

TEST(WindowsTest, DailyAndSameDayWindowsAndOneEndingTheNextDay) {
  WindowSchedule s = Schedule("UTC", {"daily 12:00-12:30", "Sun 22:00-02:00"});
  EXPECT_TRUE(s.IsOpen(At("2026-03-31T12:10:00Z")));   // a Tuesday
  EXPECT_FALSE(s.IsOpen(At("2026-03-31T12:30:00Z")));  // the end is not in it
  EXPECT_TRUE(s.IsOpen(At("2026-03-30T01:59:00Z")));   // Monday 01:59, from Sunday 22:00
  EXPECT_EQ(*s.NextOpening(At("2026-03-31T12:30:00Z")), At("2026-04-01T12:00:00Z"));
}

TEST(WindowsTest, AStartTheClocksSkipOpensWhenTheyJump) {
  // Europe/Berlin springs forward on 2026-03-29: 02:00 CET becomes 03:00 CEST.
  WindowSchedule s = Schedule("Europe/Berlin", {"Sun 02:30-04:00"});
  EXPECT_FALSE(s.IsOpen(At("2026-03-29T00:59:59Z")));
  std::optional<SysSeconds> closes;
  EXPECT_TRUE(s.IsOpen(At("2026-03-29T01:00:00Z"), &closes));  // 03:00 CEST
  EXPECT_EQ(*closes, At("2026-03-29T02:00:00Z"));               // 04:00 CEST
  EXPECT_EQ(*s.NextOpening(At("2026-03-28T12:00:00Z")), At("2026-03-29T01:00:00Z"));
  // The week before, the same window is 02:30-04:00 CET: an hour later in UTC.
  EXPECT_TRUE(s.IsOpen(At("2026-03-22T01:30:00Z")));
  EXPECT_FALSE(s.IsOpen(At("2026-03-22T01:29:59Z")));
}

TEST(WindowsTest, AnEndInTheRepeatedHourIsItsFirstOccurrence) {
  // Europe/Berlin falls back on 2026-10-25: 03:00 CEST becomes 02:00 CET.
  WindowSchedule s = Schedule("Europe/Berlin", {"Sun 01:00-02:30"});
  std::optional<SysSeconds> closes;
  EXPECT_TRUE(s.IsOpen(At("2026-10-24T23:00:00Z"), &closes));  // 01:00 CEST
  EXPECT_EQ(*closes, At("2026-10-25T00:30:00Z"));              // 02:30 CEST
  EXPECT_FALSE(s.IsOpen(At("2026-10-25T01:00:00Z")));          // 02:00 CET
}

TEST(WindowsTest, NoWindowsIsAlwaysOpen) {
  WindowSchedule s = Schedule("UTC", {});
  EXPECT_TRUE(s.IsOpen(At("2026-03-28T00:00:00Z")));
  EXPECT_FALSE(s.NextOpening(At("2026-03-28T00:00:00Z")));
}

TEST(WindowsTest, WhatIsNotAWindowSaysWhatOneIs) {
  for (const char* bad : {"Sat 25:00-26:00", "Funday 10:00-11:00", "daily Mon 10:00-11:00",
                          "Sat 10:00", "Sat 9:00-10:00", "Sat 10:60-11:00", "Sat 24:00-01:00"}) {
    std::string error;
    EXPECT_FALSE(ParseWindow(bad, &error)) << bad;
    EXPECT_NE(error.find("got \"" + std::string(bad) + "\""), std::string::npos) << error;
  }
  std::string error;
  std::optional<Window> w = ParseWindow("Sat 22:00-Sun 06:00", &error);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->start_day, 6);
  EXPECT_EQ(w->end_days, 1);
  EXPECT_EQ(ParseWindow("Mon 08:00-Mon 07:00", &error)->end_days, 7);
}

TEST(WindowsTest, TimeZonesAreIanaNames) {
  TimeZone tz;
  EXPECT_TRUE(TimeZone::Load("America/Chicago", &tz));
  EXPECT_FALSE(TimeZone::Load("Mars/Olympus", &tz));
  SysSeconds t;
  EXPECT_TRUE(ParseInstant("2026-03-28T23:00:00+01:00", &t));
  EXPECT_EQ(t, At("2026-03-28T22:00:00Z"));
  EXPECT_EQ(FormatInstant(t), "2026-03-28T22:00:00Z");
  EXPECT_FALSE(ParseInstant("yesterday", &t));
}

}  // namespace
}  // namespace mfgctl
