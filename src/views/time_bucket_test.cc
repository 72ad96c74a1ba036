#include "views/time_bucket.h"

#include <gtest/gtest.h>

#include <random>

namespace parquedb::views {
namespace {

constexpr int64_t kH = kMicrosPerHour;
constexpr int64_t kM = kMicrosPerMinute;

int64_t Utc(int64_t y, int mo, int d, int h = 0, int mi = 0, int s = 0, int64_t us = 0) {
  return DaysFromCivil(y, mo, d) * kMicrosPerDay + h * kH + mi * kM + s * kMicrosPerSecond + us;
}

TimeZone Zone(std::string_view name) {
  Result<TimeZone> tz = TimeZone::Load(name);
  EXPECT_TRUE(tz.ok()) << tz.status().ToString();
  return tz.ok() ? *tz : TimeZone();
}

TEST(TimeBucketTest, ParseTimeUnit) {
  EXPECT_EQ(ParseTimeUnit("minute"), TimeUnit::kMinute);
  EXPECT_EQ(ParseTimeUnit("hour"), TimeUnit::kHour);
  EXPECT_EQ(ParseTimeUnit("date"), TimeUnit::kDay);
  EXPECT_EQ(ParseTimeUnit("day"), TimeUnit::kDay);
  EXPECT_EQ(ParseTimeUnit("week"), TimeUnit::kWeek);
  EXPECT_EQ(ParseTimeUnit("month"), TimeUnit::kMonth);
  EXPECT_EQ(ParseTimeUnit("year"), TimeUnit::kYear);
  EXPECT_FALSE(ParseTimeUnit("Hour").has_value());
  EXPECT_FALSE(ParseTimeUnit("status").has_value());
  EXPECT_FALSE(ParseTimeUnit("").has_value());
}

TEST(TimeBucketTest, EveryUnitInUtc) {
  TimeZone utc;
  const int64_t t = Utc(2024, 5, 15, 13, 47, 23, 123456);  // a Wednesday
  EXPECT_EQ(TruncateMicros(t, TimeUnit::kMinute, utc), Utc(2024, 5, 15, 13, 47));
  EXPECT_EQ(TruncateMicros(t, TimeUnit::kHour, utc), Utc(2024, 5, 15, 13));
  EXPECT_EQ(TruncateMicros(t, TimeUnit::kDay, utc), Utc(2024, 5, 15));
  EXPECT_EQ(TruncateMicros(t, TimeUnit::kWeek, utc), Utc(2024, 5, 13));
  EXPECT_EQ(TruncateMicros(t, TimeUnit::kMonth, utc), Utc(2024, 5, 1));
  EXPECT_EQ(TruncateMicros(t, TimeUnit::kYear, utc), Utc(2024, 1, 1));
  // Bucket starts are fixed points.
  for (TimeUnit u : {TimeUnit::kMinute, TimeUnit::kHour, TimeUnit::kDay, TimeUnit::kWeek,
                     TimeUnit::kMonth, TimeUnit::kYear}) {
    const int64_t b = TruncateMicros(t, u, utc);
    EXPECT_EQ(TruncateMicros(b, u, utc), b);
  }
}

TEST(TimeBucketTest, EveryUnitInBerlin) {
  TimeZone tz = Zone("Europe/Berlin");
  const int64_t t = Utc(2024, 5, 15, 13, 47, 23, 123456);  // 15:47 CEST
  EXPECT_EQ(TruncateMicros(t, TimeUnit::kMinute, tz), Utc(2024, 5, 15, 13, 47));
  EXPECT_EQ(TruncateMicros(t, TimeUnit::kHour, tz), Utc(2024, 5, 15, 13));
  EXPECT_EQ(TruncateMicros(t, TimeUnit::kDay, tz), Utc(2024, 5, 14, 22));
  EXPECT_EQ(TruncateMicros(t, TimeUnit::kWeek, tz), Utc(2024, 5, 12, 22));
  EXPECT_EQ(TruncateMicros(t, TimeUnit::kMonth, tz), Utc(2024, 4, 30, 22));
  EXPECT_EQ(TruncateMicros(t, TimeUnit::kYear, tz), Utc(2023, 12, 31, 23));  // CET on Jan 1
  // Just after local midnight the day is already the next one.
  EXPECT_EQ(TruncateMicros(Utc(2024, 5, 14, 22, 0, 0, 1), TimeUnit::kDay, tz),
            Utc(2024, 5, 14, 22));
  EXPECT_EQ(TruncateMicros(Utc(2024, 5, 14, 22) - 1, TimeUnit::kDay, tz), Utc(2024, 5, 13, 22));
}

TEST(TimeBucketTest, DstDaysAre23And25Hours) {
  TimeZone tz = Zone("Europe/Berlin");
  // 2024-03-31: 23 hours.
  const int64_t mar31 = TruncateMicros(Utc(2024, 3, 31, 10), TimeUnit::kDay, tz);
  EXPECT_EQ(mar31, Utc(2024, 3, 30, 23));
  const int64_t apr1 = TruncateMicros(Utc(2024, 3, 31, 22, 30), TimeUnit::kDay, tz);
  EXPECT_EQ(apr1, Utc(2024, 3, 31, 22));
  EXPECT_EQ(apr1 - mar31, 23 * kH);
  EXPECT_EQ(TruncateMicros(Utc(2024, 3, 31, 22) - 1, TimeUnit::kDay, tz), mar31);
  // 2024-10-27: 25 hours.
  const int64_t oct27 = TruncateMicros(Utc(2024, 10, 27, 12), TimeUnit::kDay, tz);
  EXPECT_EQ(oct27, Utc(2024, 10, 26, 22));
  const int64_t oct28 = TruncateMicros(Utc(2024, 10, 27, 23, 30), TimeUnit::kDay, tz);
  EXPECT_EQ(oct28, Utc(2024, 10, 27, 23));
  EXPECT_EQ(oct28 - oct27, 25 * kH);
  // Hours around the gap: 01:59 CET, then 03:00 CEST.
  EXPECT_EQ(TruncateMicros(Utc(2024, 3, 31, 0, 59), TimeUnit::kHour, tz), Utc(2024, 3, 31, 0));
  EXPECT_EQ(TruncateMicros(Utc(2024, 3, 31, 1, 30), TimeUnit::kHour, tz), Utc(2024, 3, 31, 1));
  // The repeated 02:00-03:00 hour on Oct 27 gives two separate hour buckets.
  EXPECT_EQ(TruncateMicros(Utc(2024, 10, 27, 0, 30), TimeUnit::kHour, tz), Utc(2024, 10, 27, 0));
  EXPECT_EQ(TruncateMicros(Utc(2024, 10, 27, 1, 30), TimeUnit::kHour, tz), Utc(2024, 10, 27, 1));
  // Month and week buckets spanning a DST change.
  EXPECT_EQ(TruncateMicros(Utc(2024, 3, 31, 12), TimeUnit::kMonth, tz), Utc(2024, 2, 29, 23));
  EXPECT_EQ(TruncateMicros(Utc(2024, 4, 1, 12), TimeUnit::kWeek, tz), Utc(2024, 3, 31, 22));
  EXPECT_EQ(TruncateMicros(Utc(2024, 3, 31, 12), TimeUnit::kWeek, tz), Utc(2024, 3, 24, 23));

  TimeZone ny = Zone("America/New_York");
  EXPECT_EQ(TruncateMicros(Utc(2024, 11, 3, 5, 30), TimeUnit::kHour, ny), Utc(2024, 11, 3, 5));
  EXPECT_EQ(TruncateMicros(Utc(2024, 11, 3, 6, 30), TimeUnit::kHour, ny), Utc(2024, 11, 3, 6));
  EXPECT_EQ(TruncateMicros(Utc(2024, 11, 3, 12), TimeUnit::kDay, ny), Utc(2024, 11, 3, 4));
  EXPECT_EQ(TruncateMicros(Utc(2024, 11, 4, 4, 59), TimeUnit::kDay, ny), Utc(2024, 11, 3, 4));
  EXPECT_EQ(TruncateMicros(Utc(2024, 11, 4, 5), TimeUnit::kDay, ny), Utc(2024, 11, 4, 5));
}

TEST(TimeBucketTest, OddOffsetZones) {
  TimeZone ktm = Zone("Asia/Kathmandu");  // +05:45
  // 2024-06-01 10:50 local = 05:05 UTC -> hour bucket 10:00 local = 04:15 UTC.
  EXPECT_EQ(TruncateMicros(Utc(2024, 6, 1, 5, 5), TimeUnit::kHour, ktm), Utc(2024, 6, 1, 4, 15));
  EXPECT_EQ(TruncateMicros(Utc(2024, 6, 1, 5, 5), TimeUnit::kDay, ktm), Utc(2024, 5, 31, 18, 15));
  TimeZone lh = Zone("Australia/Lord_Howe");
  // 2024-04-07: 02:00 LHDT -> 01:30 LHST, a 24.5-hour day.
  const int64_t d = TruncateMicros(Utc(2024, 4, 7, 0), TimeUnit::kDay, lh);
  EXPECT_EQ(d, Utc(2024, 4, 6, 13));
  const int64_t next = TruncateMicros(Utc(2024, 4, 7, 14), TimeUnit::kDay, lh);
  EXPECT_EQ(next - d, 24 * kH + 30 * kM);
}

TEST(TimeBucketTest, IsoWeekAcrossYearBoundary) {
  TimeZone utc;
  EXPECT_EQ(TruncateMicros(Utc(2024, 12, 31, 9), TimeUnit::kWeek, utc), Utc(2024, 12, 30));
  EXPECT_EQ(TruncateMicros(Utc(2025, 1, 5, 23, 59), TimeUnit::kWeek, utc), Utc(2024, 12, 30));
  EXPECT_EQ(TruncateMicros(Utc(2024, 12, 30), TimeUnit::kWeek, utc), Utc(2024, 12, 30));
  EXPECT_EQ(TruncateMicros(Utc(2021, 1, 3, 12), TimeUnit::kWeek, utc), Utc(2020, 12, 28));
  EXPECT_EQ(TruncateMicros(Utc(2021, 1, 4), TimeUnit::kWeek, utc), Utc(2021, 1, 4));
  EXPECT_EQ(TruncateDays(static_cast<int32_t>(DaysFromCivil(2021, 1, 3)), TimeUnit::kWeek),
            DaysFromCivil(2020, 12, 28));
  EXPECT_EQ(TruncateDays(static_cast<int32_t>(DaysFromCivil(2024, 12, 31)), TimeUnit::kWeek),
            DaysFromCivil(2024, 12, 30));
}

TEST(TimeBucketTest, TruncateDays) {
  const int32_t d = static_cast<int32_t>(DaysFromCivil(2024, 5, 15));
  EXPECT_EQ(TruncateDays(d, TimeUnit::kDay), d);
  EXPECT_EQ(TruncateDays(d, TimeUnit::kMinute), d);
  EXPECT_EQ(TruncateDays(d, TimeUnit::kHour), d);
  EXPECT_EQ(TruncateDays(d, TimeUnit::kWeek), DaysFromCivil(2024, 5, 13));
  EXPECT_EQ(TruncateDays(d, TimeUnit::kMonth), DaysFromCivil(2024, 5, 1));
  EXPECT_EQ(TruncateDays(d, TimeUnit::kYear), DaysFromCivil(2024, 1, 1));
  // Before 1970.
  EXPECT_EQ(TruncateDays(-1, TimeUnit::kWeek), -3);  // 1969-12-29 (Monday)
  EXPECT_EQ(TruncateDays(-1, TimeUnit::kMonth), DaysFromCivil(1969, 12, 1));
  EXPECT_EQ(TruncateDays(-1, TimeUnit::kYear), DaysFromCivil(1969, 1, 1));
  EXPECT_EQ(TruncateDays(static_cast<int32_t>(DaysFromCivil(1900, 3, 1)), TimeUnit::kMonth),
            DaysFromCivil(1900, 3, 1));
  // Extremes do not overflow.
  EXPECT_EQ(TruncateDays(INT32_MIN, TimeUnit::kYear), INT32_MIN);
  EXPECT_LE(TruncateDays(INT32_MAX, TimeUnit::kYear), INT32_MAX);
}

TEST(TimeBucketTest, PreEpochFloors) {
  TimeZone utc;
  const int64_t t = -1;  // 1969-12-31T23:59:59.999999Z
  EXPECT_EQ(TruncateMicros(t, TimeUnit::kMinute, utc), Utc(1969, 12, 31, 23, 59));
  EXPECT_EQ(TruncateMicros(t, TimeUnit::kHour, utc), Utc(1969, 12, 31, 23));
  EXPECT_EQ(TruncateMicros(t, TimeUnit::kDay, utc), Utc(1969, 12, 31));
  EXPECT_EQ(TruncateMicros(t, TimeUnit::kWeek, utc), Utc(1969, 12, 29));
  EXPECT_EQ(TruncateMicros(t, TimeUnit::kMonth, utc), Utc(1969, 12, 1));
  EXPECT_EQ(TruncateMicros(t, TimeUnit::kYear, utc), Utc(1969, 1, 1));
  EXPECT_EQ(TruncateMicros(Utc(1969, 12, 31), TimeUnit::kDay, utc), Utc(1969, 12, 31));
  EXPECT_EQ(TruncateMicros(Utc(1900, 2, 28, 5, 6, 7, 8), TimeUnit::kMinute, utc),
            Utc(1900, 2, 28, 5, 6));
  TimeZone berlin = Zone("Europe/Berlin");
  EXPECT_EQ(TruncateMicros(Utc(1965, 6, 1, 12), TimeUnit::kDay, berlin), Utc(1965, 5, 31, 23));
  // Extreme instants do not overflow.
  for (TimeUnit u : {TimeUnit::kMinute, TimeUnit::kHour, TimeUnit::kDay, TimeUnit::kWeek,
                     TimeUnit::kMonth, TimeUnit::kYear}) {
    EXPECT_LE(TruncateMicros(INT64_MIN, u, berlin), INT64_MIN + 0);
    EXPECT_LE(TruncateMicros(INT64_MAX, u, berlin), INT64_MAX);
    EXPECT_LE(TruncateMicros(INT64_MIN + 1, u, utc), INT64_MIN + 1);
  }
}

// Properties over random instants: start <= t, idempotent, monotone, and the
// start's local time is on a unit boundary unless a DST gap swallowed it.
TEST(TimeBucketTest, RandomizedProperties) {
  std::mt19937_64 rng(3);
  for (const char* name : {"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                           "Asia/Kathmandu", "America/Sao_Paulo", "+05:30", "-09:00"}) {
    TimeZone tz = Zone(name);
    for (TimeUnit u : {TimeUnit::kMinute, TimeUnit::kHour, TimeUnit::kDay, TimeUnit::kWeek,
                       TimeUnit::kMonth, TimeUnit::kYear}) {
      for (int i = 0; i < 3000; ++i) {
        const int64_t a =
            Utc(1930, 1, 1) + static_cast<int64_t>(rng() % (200ull * 365 * kMicrosPerDay));
        const int64_t b = a + static_cast<int64_t>(rng() % (3 * kMicrosPerDay));
        const int64_t ta = TruncateMicros(a, u, tz);
        const int64_t tb = TruncateMicros(b, u, tz);
        ASSERT_LE(ta, a) << name;
        ASSERT_LE(ta, tb) << name << " " << a << " " << b;
        ASSERT_EQ(TruncateMicros(ta, u, tz), ta) << name << " " << a;
        const int64_t local = tz.UtcToLocal(ta);
        int64_t unit = u == TimeUnit::kMinute ? kM : u == TimeUnit::kHour ? kH : kMicrosPerDay;
        if (tz.UtcToLocal(ta - 1) + 1 == local) {  // no transition right at the start
          if (u == TimeUnit::kMinute || u == TimeUnit::kHour) {
            // Sub-hour offsets (e.g. +05:45) still give local boundaries.
            ASSERT_EQ(FloorMod(local, unit), 0) << name << " " << a;
          } else {
            ASSERT_EQ(FloorMod(local, kMicrosPerDay), 0) << name << " " << a;
          }
        }
        // Same bucket: the same local calendar day for day buckets.
        if (u == TimeUnit::kDay && tz.UtcToLocal(ta - 1) + 1 == local) {
          ASSERT_EQ(FloorDiv(tz.UtcToLocal(a), kMicrosPerDay), FloorDiv(local, kMicrosPerDay))
              << name;
        }
      }
    }
  }
}

}  // namespace
}  // namespace parquedb::views
