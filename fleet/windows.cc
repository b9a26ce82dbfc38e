// The one adapter of cctz (Google's time-zone library, Debian's
// libcctz-dev): g++ 12's standard library has no time-zone database.
#include "fleet/windows.h"

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include <algorithm>
#include <array>

namespace mfgctl {
namespace {

constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

int DayIndex(const std::string& word) {
  for (size_t i = 0; i < kDays.size(); ++i) {
    if (word == kDays[i]) return static_cast<int>(i);
  }
  return -1;
}

// "HH:MM" as minutes after midnight, or -1. 24:00 is the day's end.
int Minutes(const std::string& s) {
  if (s.size() != 5 || s[2] != ':' || !isdigit(s[0]) || !isdigit(s[1]) || !isdigit(s[3]) ||
      !isdigit(s[4])) {
    return -1;
  }
  int h = (s[0] - '0') * 10 + (s[1] - '0');
  int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

int Weekday(const cctz::civil_day& d) {
  switch (cctz::get_weekday(d)) {
    case cctz::weekday::sunday: return 0;
    case cctz::weekday::monday: return 1;
    case cctz::weekday::tuesday: return 2;
    case cctz::weekday::wednesday: return 3;
    case cctz::weekday::thursday: return 4;
    case cctz::weekday::friday: return 5;
    case cctz::weekday::saturday: return 6;
  }
  return 0;
}

const cctz::time_zone& Zone(const std::shared_ptr<const void>& z) {
  return *static_cast<const cctz::time_zone*>(z.get());
}

// A wall-clock time as an instant: a time the clocks skip is the moment
// they jump; a repeated one its first occurrence.
SysSeconds Instant(const cctz::time_zone& tz, const cctz::civil_second& cs) {
  cctz::time_zone::civil_lookup l = tz.lookup(cs);
  if (l.kind == cctz::time_zone::civil_lookup::SKIPPED) return l.trans;
  return l.pre;
}

}  // namespace

std::optional<Window> ParseWindow(const std::string& text, std::string* error) {
  *error = "a window is \"DAY HH:MM-DAY HH:MM\", \"DAY HH:MM-HH:MM\" or \"daily HH:MM-HH:MM\" "
           "(DAY one of Mon Tue Wed Thu Fri Sat Sun), got \"" + text + "\"";
  size_t space = text.find(' ');
  size_t dash = text.find('-');
  if (space == std::string::npos || dash == std::string::npos || dash < space) return std::nullopt;
  Window w;
  w.text = text;
  std::string first = text.substr(0, space);
  w.daily = first == "daily";
  w.start_day = w.daily ? 0 : DayIndex(first);
  w.start_minute = Minutes(text.substr(space + 1, dash - space - 1));
  std::string rest = text.substr(dash + 1);
  int end_day = w.start_day;
  bool same_day = true;
  if (size_t sp = rest.find(' '); sp != std::string::npos) {
    if (w.daily) return std::nullopt;  // daily windows name no days
    end_day = DayIndex(rest.substr(0, sp));
    rest = rest.substr(sp + 1);
    same_day = false;
  }
  w.end_minute = Minutes(rest);
  if (w.start_day < 0 || end_day < 0 || w.start_minute < 0 || w.end_minute < 0) {
    return std::nullopt;
  }
  if (w.start_minute == 24 * 60) {
    *error = "a window starts before 24:00, got \"" + text + "\"";
    return std::nullopt;
  }
  w.end_days = (end_day - w.start_day + 7) % 7;
  // Ending at or before it starts on the same day: it ends the next day
  // ("Sun 22:00-02:00"), or, days named, a week later.
  if (w.end_days == 0 && w.end_minute <= w.start_minute) w.end_days = same_day ? 1 : 7;
  error->clear();
  return w;
}

bool TimeZone::Load(const std::string& name, TimeZone* out) {
  auto tz = std::make_shared<cctz::time_zone>();
  if (!cctz::load_time_zone(name, tz.get())) return false;
  out->name_ = name;
  out->zone_ = std::move(tz);
  return true;
}

std::string TimeZone::Format(SysSeconds t) const {
  return cctz::format("%a %Y-%m-%d %H:%M %Z", t, Zone(zone_));
}

std::vector<std::pair<SysSeconds, SysSeconds>> WindowSchedule::Occurrences(SysSeconds now,
                                                                           int days) const {
  const cctz::time_zone& tz = Zone(zone_.zone_);
  cctz::civil_day today = cctz::civil_day(cctz::convert(now, tz));
  std::vector<std::pair<SysSeconds, SysSeconds>> out;
  // Back far enough for a window that opened last week and is still open.
  for (cctz::civil_day d = today - 8; d <= today + days; ++d) {
    for (const Window& w : windows_) {
      if (!w.daily && Weekday(d) != w.start_day) continue;
      cctz::civil_second start = cctz::civil_second(d) + w.start_minute * 60;
      cctz::civil_second end = cctz::civil_second(d + w.end_days) + w.end_minute * 60;
      out.emplace_back(Instant(tz, start), Instant(tz, end));
    }
  }
  return out;
}

bool WindowSchedule::IsOpen(SysSeconds now, std::optional<SysSeconds>* closes) const {
  if (closes) closes->reset();
  if (windows_.empty()) return true;
  std::vector<std::pair<SysSeconds, SysSeconds>> all = Occurrences(now, 8);
  std::optional<SysSeconds> until;
  for (const auto& [start, end] : all) {
    if (start <= now && now < end && (!until || end > *until)) until = end;
  }
  if (!until) return false;
  if (!closes) return true;
  // Windows that overlap or meet it ("Sat 22:00-24:00" and "Sun 00:00-06:00")
  // keep it open: it closes when the last of them does.
  for (bool longer = true; longer;) {
    longer = false;
    for (const auto& [start, end] : all) {
      if (start <= *until && end > *until) {
        until = end;
        longer = true;
      }
    }
  }
  *closes = until;
  return true;
}

std::optional<SysSeconds> WindowSchedule::NextOpening(SysSeconds now) const {
  std::optional<SysSeconds> next;
  for (const auto& [start, end] : Occurrences(now, 14)) {
    if (start > now && (!next || start < *next)) next = start;
  }
  return next;
}

bool ParseInstant(const std::string& text, SysSeconds* out) {
  std::string t = text;
  if (!t.empty() && (t.back() == 'Z' || t.back() == 'z')) t = t.substr(0, t.size() - 1) + "+00:00";
  return cctz::parse("%Y-%m-%dT%H:%M:%S%Ez", t, cctz::utc_time_zone(), out);
}

std::string FormatInstant(SysSeconds t) {
  return cctz::format("%Y-%m-%dT%H:%M:%SZ", t, cctz::utc_time_zone());
}

}  // namespace mfgctl
