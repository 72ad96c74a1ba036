// TimeZone: IANA time zones (from the system tz database, /usr/share/zoneinfo)
// and fixed offsets, for time buckets and cron schedules. Immutable; thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "parquedb/status.h"

namespace parquedb::views {

class TimeZone {
 public:
  // "UTC" (the default-constructed zone).
  TimeZone();
  // Loads "UTC", "Europe/Berlin", "America/New_York", ..., or a fixed offset
  // "+02:00" / "-0530". InvalidArgument naming the zone if unknown.
  static Result<TimeZone> Load(std::string_view name);

  const std::string& name() const;
  // Offset from UTC (micros) in effect at the UTC instant `utc_micros`.
  int64_t OffsetAt(int64_t utc_micros) const;
  // UTC instant of local wall-clock time `local_micros` (micros since the local
  // epoch). Nonexistent local times (DST gaps) map forward past the gap; ambiguous
  // ones (DST overlap) take the earlier instant.
  int64_t LocalToUtc(int64_t local_micros) const;
  int64_t UtcToLocal(int64_t utc_micros) const { return utc_micros + OffsetAt(utc_micros); }

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace parquedb::views
