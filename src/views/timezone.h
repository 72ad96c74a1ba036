// TimeZone: IANA time zones (from the system tz database, /usr/share/zoneinfo)
// and fixed offsets, for time buckets and cron schedules. Immutable; thread-safe.
//
// Zones are read from "$TZDIR/<Name>" (default /usr/share/zoneinfo; Debian
// package `tzdata`) by a built-in TZif v1/v2/v3/v4 parser: the 64-bit data block
// is used when present, and the POSIX TZ footer rule (e.g.
// "CET-1CEST,M3.5.0,M10.5.0/3") gives offsets after the last listed transition.
// Loaded zones are cached process-wide (keyed by file path), so Load is cheap
// after the first call. Leap-second ("right/") zones are rejected.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "parquedb/status.h"

namespace parquedb::views {

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
inline constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
inline constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

class TimeZone {
 public:
  // "UTC" (the default-constructed zone).
  TimeZone();
  // Loads "UTC", "Europe/Berlin", "America/New_York", ..., or a fixed offset
  // "+02:00" / "-0530" / "+05" (also "Z" = "UTC"). InvalidArgument naming the zone
  // if unknown or the name is malformed (empty, absolute, "..", odd characters);
  // Corruption naming the zone if its TZif file is malformed; IOError if the file
  // cannot be read.
  static Result<TimeZone> Load(std::string_view name);

  // The name as loaded ("Europe/Berlin"); fixed offsets are canonical ("+05:30"),
  // "Z" is "UTC".
  const std::string& name() const;
  // True for UTC and fixed offsets (no transitions ever).
  bool is_fixed() const;

  // Offset from UTC (micros) in effect at the UTC instant `utc_micros`.
  int64_t OffsetAt(int64_t utc_micros) const;
  // UTC instant of local wall-clock time `local_micros` (micros since the local
  // epoch). Nonexistent local times (DST gaps) map forward past the gap, to the
  // transition instant (the first instant after the gap, e.g. 02:30 on a
  // New York spring-forward day -> 03:00 EDT); ambiguous ones (DST overlap) take
  // the earlier instant. Saturates at the int64 range.
  int64_t LocalToUtc(int64_t local_micros) const;
  // Saturates at the int64 range.
  int64_t UtcToLocal(int64_t utc_micros) const;

  // The first UTC instant strictly after `utc_micros` at which the offset
  // differs from OffsetAt(utc_micros); nullopt if the offset never changes again.
  std::optional<int64_t> NextTransition(int64_t utc_micros) const;

  bool operator==(const TimeZone& other) const { return name() == other.name(); }

  struct Impl;  // opaque; defined in timezone.cc

 private:
  explicit TimeZone(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// Proleptic Gregorian calendar helpers; days are counted from 1970-01-01.
struct CivilDate {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};
int64_t FloorDiv(int64_t a, int64_t b);  // b > 0
int64_t FloorMod(int64_t a, int64_t b);  // b > 0; result in [0, b)
bool IsLeapYear(int64_t year);
int DaysInMonth(int64_t year, int month);
int64_t DaysFromCivil(int64_t year, int month, int day);
CivilDate CivilFromDays(int64_t days);
// 0 = Sunday ... 6 = Saturday.
int WeekdayFromDays(int64_t days);

}  // namespace parquedb::views
