#include "views/time_bucket.h"

#include <algorithm>
#include <climits>

namespace parquedb::views {

std::optional<TimeUnit> ParseTimeUnit(std::string_view alias) {
  if (alias == "minute") return TimeUnit::kMinute;
  if (alias == "hour") return TimeUnit::kHour;
  if (alias == "date" || alias == "day") return TimeUnit::kDay;
  if (alias == "week") return TimeUnit::kWeek;
  if (alias == "month") return TimeUnit::kMonth;
  if (alias == "year") return TimeUnit::kYear;
  return std::nullopt;
}

namespace {

// Start day of the bucket containing `days` for day/week/month/year.
int64_t TruncateDays64(int64_t days, TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMinute:
    case TimeUnit::kHour:
    case TimeUnit::kDay:
      return days;
    case TimeUnit::kWeek:
      return days - FloorMod(days + 3, 7);  // 1970-01-01 was a Thursday; Monday -> 0
    case TimeUnit::kMonth: {
      const CivilDate c = CivilFromDays(days);
      return DaysFromCivil(c.year, c.month, 1);
    }
    case TimeUnit::kYear:
      return DaysFromCivil(CivilFromDays(days).year, 1, 1);
  }
  return days;
}

// `v` rounded down to a multiple of `unit` (saturating at the int64 minimum).
int64_t FloorTo(int64_t v, int64_t unit) {
  int64_t r;
  if (__builtin_sub_overflow(v, FloorMod(v, unit), &r)) return INT64_MIN;
  return r;
}

// Largest/smallest day whose start (in micros) fits in int64.
constexpr int64_t kMaxDay = INT64_MAX / kMicrosPerDay;
constexpr int64_t kMinDay = INT64_MIN / kMicrosPerDay;

}  // namespace

int64_t TruncateMicros(int64_t utc_micros, TimeUnit unit, const TimeZone& tz) {
  const int64_t local = tz.UtcToLocal(utc_micros);
  int64_t trunc;
  switch (unit) {
    case TimeUnit::kMinute:
      trunc = FloorTo(local, kMicrosPerMinute);
      break;
    case TimeUnit::kHour:
      trunc = FloorTo(local, kMicrosPerHour);
      break;
    default: {
      const int64_t day = TruncateDays64(FloorDiv(local, kMicrosPerDay), unit);
      trunc = std::clamp(day, kMinDay, kMaxDay) * kMicrosPerDay;
      break;
    }
  }
  // Usually the bucket start has the same offset as the instant: keep it. This
  // also keeps the two occurrences of a repeated (DST overlap) hour in separate
  // hour buckets. Otherwise a transition lies in between: map the local start
  // back (gap -> first instant after the gap, overlap -> earlier instant).
  trunc = std::min(trunc, local);  // only differs at the edge of the int64 range
  int64_t delta, same;
  if (!__builtin_sub_overflow(local, trunc, &delta) &&
      !__builtin_sub_overflow(utc_micros, delta, &same) &&
      tz.OffsetAt(same) == tz.OffsetAt(utc_micros)) {
    return same;
  }
  return std::min(tz.LocalToUtc(trunc), utc_micros);
}

int32_t TruncateDays(int32_t days, TimeUnit unit) {
  const int64_t d = TruncateDays64(days, unit);
  return static_cast<int32_t>(std::max<int64_t>(d, INT32_MIN));
}

}  // namespace parquedb::views
