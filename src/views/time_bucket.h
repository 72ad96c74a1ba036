// Time buckets for $groupBy aliases: minute, hour, date/day, week (ISO, Monday
// start), month, year, computed in a view's time zone.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "views/timezone.h"

namespace parquedb::views {

enum class TimeUnit : uint8_t { kMinute, kHour, kDay, kWeek, kMonth, kYear };

// "minute", "hour", "date" or "day", "week", "month", "year"; nullopt otherwise.
std::optional<TimeUnit> ParseTimeUnit(std::string_view alias);

// Start of the bucket containing `utc_micros`, in zone `tz`, as a UTC instant.
// The instant is truncated in local civil time and mapped back, so buckets follow
// DST: Europe/Berlin day buckets are 23 hours on 2024-03-31 and 25 hours on
// 2024-10-27; a repeated (fall-back) local hour gives two separate hour buckets;
// a bucket whose local start was skipped by a gap starts at the transition.
// Instants before 1970 floor correctly; never overflows (saturates at the int64
// range). Thread-safe.
int64_t TruncateMicros(int64_t utc_micros, TimeUnit unit, const TimeZone& tz);

// Start of the bucket containing `days` (a calendar date): for day it is `days`,
// for week the Monday on or before it, for month/year the first day. minute/hour
// return `days` unchanged.
int32_t TruncateDays(int32_t days, TimeUnit unit);

}  // namespace parquedb::views
