// CronSchedule: 5-field cron expressions for scheduled view refreshes
// ($refresh: { mode: 'scheduled', schedule: '0 2 * * *', timezone: ... }).
//
// Syntax: "minute hour day-of-month month day-of-week", fields separated by
// spaces/tabs. Each field is a comma list of items: `*`, `N`, `A-B`, `*/S`,
// `A-B/S` or `A/S` (A to the field maximum, step S). Ranges: minute 0-59, hour
// 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 0-7 or SUN-SAT
// (0 and 7 are Sunday); names are case-insensitive. Macros: @yearly/@annually,
// @monthly, @weekly, @daily/@midnight, @hourly.
//
// Day matching (Vixie cron): when both day-of-month and day-of-week are
// restricted, a day matches if EITHER matches; otherwise both must. A field is
// "unrestricted" when it matches every value of its range (`*`, `*/1`, `1-31`,
// `0-7`, ...); unlike Vixie cron, `*/2` counts as restricted (it is not `*`).
//
// Fire times are local wall-clock times in the given TimeZone:
//  - a matching local time skipped by a DST gap (spring forward) fires once, at
//    the first instant after the gap (the transition; several skipped matches
//    and a match at the end of the gap collapse into that one fire);
//  - a matching local time repeated by a DST overlap (fall back) fires once, at
//    its first occurrence -- except when the hour field is `*` (hourly or more
//    frequent jobs), which also fire in the repeated hour so they keep their
//    cadence (as cronie does for wildcard jobs).
//
// Immutable and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "parquedb/status.h"
#include "views/timezone.h"

namespace parquedb::views {

class CronSchedule {
 public:
  // "* * * * *" (every minute).
  CronSchedule();

  // InvalidArgument naming the expression, the field and the bad token, e.g.
  // "cron '0 25 * * *': hour 25 out of range 0-23".
  static Result<CronSchedule> Parse(std::string_view expr);

  // The first fire time strictly after `after_utc_micros` (see the DST rules
  // above), as a UTC instant in micros (whole minutes of local time).
  // InvalidArgument if the schedule never fires (e.g. "0 0 30 2 *"), if
  // `after_utc_micros` is outside years 0001-9999, or if there is no fire time
  // before year 10000. Cost: a few field skips per DST segment; no per-minute
  // scanning over long ranges.
  Result<int64_t> NextAfter(int64_t after_utc_micros, const TimeZone& tz) const;

  // Whether the local wall-clock minute containing `local_micros` matches.
  bool MatchesLocal(int64_t local_micros) const;
  // True if some date can ever match (false for "0 0 30 2 *", "0 0 31 4,6 *").
  bool CanFire() const;

  // Canonical form: five numeric fields, ranges compressed ("*/15 9-17 * * 1-5");
  // Parse(ToString()) is an equal schedule. Macros expand ("@daily" -> "0 0 * * *").
  std::string ToString() const;
  // The expression as given to Parse (trimmed).
  const std::string& expression() const { return expr_; }

  // Equal when they match the same minutes (regardless of spelling).
  bool operator==(const CronSchedule& other) const {
    return minutes_ == other.minutes_ && hours_ == other.hours_ && dom_ == other.dom_ &&
           months_ == other.months_ && dow_ == other.dow_;
  }

 private:
  bool DayMatches(int64_t days, int day_of_month) const;
  // First local minute in [from, limit) that matches; -1 sentinel via bool.
  bool NextMatchLocal(int64_t from_local, int64_t limit_local, int64_t* out) const;

  std::string expr_;
  uint64_t minutes_;  // bits 0-59
  uint32_t hours_;    // bits 0-23
  uint32_t dom_;      // bits 1-31
  uint32_t months_;   // bits 1-12
  uint32_t dow_;      // bits 0-6 (Sunday = 0)
};

}  // namespace parquedb::views
