// libFuzzer target: input bytes -> CronSchedule::Parse -> (if valid) a few NextAfter
// calls in several zones and around DST transitions. Checks invariants: errors name
// the expression, the canonical form round-trips, fire times are strictly increasing
// and land on a matching local minute (or on the DST transition that skipped one),
// and schedules that can never fire report an error instead of looping.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "views/cron.h"
#include "views/timezone.h"

namespace {

using parquedb::views::CronSchedule;
using parquedb::views::DaysFromCivil;
using parquedb::views::kMicrosPerDay;
using parquedb::views::kMicrosPerMinute;
using parquedb::views::TimeZone;

void Check(bool cond) {
  if (!cond) std::abort();
}

const std::vector<TimeZone>& Zones() {
  static const std::vector<TimeZone> zones = [] {
    std::vector<TimeZone> out = {TimeZone()};
    for (const char* name :
         {"+05:45", "-09:30", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"}) {
      auto tz = TimeZone::Load(name);
      if (tz.ok()) out.push_back(*tz);
    }
    return out;
  }();
  return zones;
}

int64_t Utc(int64_t y, int mo, int d, int h = 0) {
  return DaysFromCivil(y, mo, d) * kMicrosPerDay + h * 3600 * int64_t{1000000};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = CronSchedule::Parse(text);
  if (!parsed.ok()) {
    Check(parsed.status().IsInvalidArgument());
    Check(parsed.status().message().rfind("cron '", 0) == 0);
    return 0;
  }
  const CronSchedule& cron = *parsed;
  auto again = CronSchedule::Parse(cron.ToString());
  Check(again.ok() && *again == cron);

  uint64_t h = 1469598103934665603ull;
  for (char c : text) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  const std::vector<int64_t> afters = {
      0,
      -1,
      Utc(2024, 3, 10, 5),    // before New York's spring forward
      Utc(2024, 10, 26, 23),  // before Berlin's fall back
      Utc(2090, 3, 25),
      Utc(1, 1, 1),
      Utc(9999, 12, 31),
      Utc(1900, 1, 1) + static_cast<int64_t>(h % (300ull * 365 * 86400)) * 1000000,
  };
  const auto& zones = Zones();
  const TimeZone& tz = zones[h % zones.size()];
  for (int64_t after : afters) {
    int64_t t = after;
    for (int i = 0; i < 3; ++i) {
      auto next = cron.NextAfter(t, tz);
      if (!next.ok()) {
        Check(next.status().IsInvalidArgument());
        break;
      }
      Check(cron.CanFire());
      Check(*next > t);
      const int64_t local = tz.UtcToLocal(*next);
      const bool on_match = cron.MatchesLocal(local) && local % kMicrosPerMinute == 0;
      const bool at_gap = tz.OffsetAt(*next - 1) < tz.OffsetAt(*next);
      Check(on_match || at_gap);
      t = *next;
    }
  }
  return 0;
}
