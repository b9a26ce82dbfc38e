#pragma once

// Maintenance windows: when a plant may be changed, in its own time zone.
//   "Sat 22:00-Sun 06:00"   from a weekday and time to a weekday and time
//   "Sun 01:00-05:00"       within one day (an end before the start ends
//                           the next day: "Sun 22:00-02:00")
//   "daily 12:00-12:30"     every day
// Times are the plant's wall-clock time (IANA zone, daylight saving
// included): a window that starts at 02:30 on the night the clocks skip it
// starts when the clocks reach 03:00; one that ends in a repeated hour ends
// the first time the clock shows it.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mfgctl {

using SysSeconds = std::chrono::sys_seconds;

struct Window {
  std::string text;      // as written
  bool daily = false;
  int start_day = 0;     // 0 = Sunday … 6 = Saturday (daily: unused)
  int start_minute = 0;  // minutes after midnight
  int end_days = 0;      // days from the start's day to the end's
  int end_minute = 0;
};

/// Parses one window; on error says what was expected.
std::optional<Window> ParseWindow(const std::string& text, std::string* error);

/// A loaded IANA time zone.
class TimeZone {
 public:
  /// Loads `name` (Europe/Berlin, UTC) from the system's zoneinfo; false
  /// when there is no such zone.
  static bool Load(const std::string& name, TimeZone* out);
  const std::string& name() const { return name_; }
  /// `t` as the zone's wall clock: "Sat 2026-03-28 22:00 CET".
  std::string Format(SysSeconds t) const;

 private:
  friend class WindowSchedule;
  std::string name_;
  std::shared_ptr<const void> zone_;  // the library's zone
};

/// A plant's windows in its zone.
class WindowSchedule {
 public:
  WindowSchedule(TimeZone zone, std::vector<Window> windows)
      : zone_(std::move(zone)), windows_(std::move(windows)) {}

  /// Whether a window is open at `now`, and when it closes: windows that
  /// overlap or meet it (Sat 22:00-24:00, Sun 00:00-06:00) are one.
  /// With no windows at all, always open (nullopt end: never closes).
  bool IsOpen(SysSeconds now, std::optional<SysSeconds>* closes = nullptr) const;
  /// The next time a window opens after `now` (within two weeks), or
  /// nullopt when there are no windows.
  std::optional<SysSeconds> NextOpening(SysSeconds now) const;
  const TimeZone& zone() const { return zone_; }
  bool always_open() const { return windows_.empty(); }

 private:
  /// Each occurrence [start, end) of every window overlapping the eight
  /// days around `now`, in absolute time.
  std::vector<std::pair<SysSeconds, SysSeconds>> Occurrences(SysSeconds now, int days) const;

  TimeZone zone_;
  std::vector<Window> windows_;
};

/// "2026-03-28T21:00:00Z" (or with an offset) as a time; false otherwise.
bool ParseInstant(const std::string& text, SysSeconds* out);
/// A time as "2026-03-28T21:00:00Z", for JSON.
std::string FormatInstant(SysSeconds t);

}  // namespace mfgctl
