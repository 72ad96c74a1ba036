#include "views/cron.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace parquedb::views {
namespace {

constexpr int64_t kH = kMicrosPerHour;
constexpr int64_t kM = kMicrosPerMinute;

int64_t Utc(int64_t y, int mo, int d, int h = 0, int mi = 0) {
  return DaysFromCivil(y, mo, d) * kMicrosPerDay + h * kH + mi * kM;
}

TimeZone Zone(std::string_view name) {
  Result<TimeZone> tz = TimeZone::Load(name);
  EXPECT_TRUE(tz.ok()) << tz.status().ToString();
  return tz.ok() ? *tz : TimeZone();
}

CronSchedule Cron(std::string_view expr) {
  Result<CronSchedule> c = CronSchedule::Parse(expr);
  EXPECT_TRUE(c.ok()) << expr << ": " << c.status().ToString();
  return c.ok() ? *c : CronSchedule();
}

int64_t Next(std::string_view expr, int64_t after, const TimeZone& tz = TimeZone()) {
  Result<int64_t> r = Cron(expr).NextAfter(after, tz);
  EXPECT_TRUE(r.ok()) << expr << ": " << r.status().ToString();
  return r.ok() ? *r : -1;
}

TEST(CronTest, SeedSchedules) {
  // Hourly.
  EXPECT_EQ(Next("0 * * * *", Utc(2024, 5, 15, 13, 47)), Utc(2024, 5, 15, 14));
  EXPECT_EQ(Next("0 * * * *", Utc(2024, 5, 15, 14)), Utc(2024, 5, 15, 15));
  EXPECT_EQ(Next("0 * * * *", Utc(2024, 5, 15, 14) - 1), Utc(2024, 5, 15, 14));
  EXPECT_EQ(Next("0 * * * *", Utc(2024, 12, 31, 23, 30)), Utc(2025, 1, 1));
  // Daily at 2 AM.
  EXPECT_EQ(Next("0 2 * * *", Utc(2024, 5, 15, 13, 47)), Utc(2024, 5, 16, 2));
  EXPECT_EQ(Next("0 2 * * *", Utc(2024, 5, 15, 1, 59)), Utc(2024, 5, 15, 2));
  EXPECT_EQ(Next("0 2 * * *", Utc(2024, 5, 14, 12), Zone("Europe/Berlin")), Utc(2024, 5, 15, 0));
  EXPECT_EQ(Next("0 */6 * * *", Utc(2024, 5, 15, 13)), Utc(2024, 5, 15, 18));
  // Pre-1970 instants.
  EXPECT_EQ(Next("0 0 * * *", Utc(1960, 5, 5, 12)), Utc(1960, 5, 6));
  EXPECT_EQ(Next("* * * * *", -1), 0);
}

TEST(CronTest, BusinessHours) {
  const char* e = "*/15 9-17 * * MON-FRI";
  EXPECT_EQ(Cron(e).ToString(), "*/15 9-17 * * 1-5");
  EXPECT_EQ(Next(e, Utc(2024, 5, 15, 8)), Utc(2024, 5, 15, 9));  // Wed
  EXPECT_EQ(Next(e, Utc(2024, 5, 15, 9)), Utc(2024, 5, 15, 9, 15));
  EXPECT_EQ(Next(e, Utc(2024, 5, 15, 9, 50)), Utc(2024, 5, 15, 10));
  EXPECT_EQ(Next(e, Utc(2024, 5, 17, 17, 44)), Utc(2024, 5, 17, 17, 45));  // Fri
  EXPECT_EQ(Next(e, Utc(2024, 5, 17, 17, 45)), Utc(2024, 5, 20, 9));       // -> Mon
  EXPECT_EQ(Next("10-50/10 * * * *", Utc(2024, 5, 15, 8, 50)), Utc(2024, 5, 15, 9, 10));
  EXPECT_EQ(Next("1,5,10-12 * * * *", Utc(2024, 5, 15, 8, 5)), Utc(2024, 5, 15, 8, 10));
  EXPECT_EQ(Next("1,5,10-12 * * * *", Utc(2024, 5, 15, 8, 12)), Utc(2024, 5, 15, 9, 1));
  EXPECT_EQ(Next("5/20 * * * *", Utc(2024, 5, 15, 8, 46)), Utc(2024, 5, 15, 9, 5));
}

TEST(CronTest, DayOfMonthOrDayOfWeek) {
  // Both restricted: the 15th OR any Sunday.
  const char* e = "0 0 15 * SUN";
  EXPECT_EQ(Next(e, Utc(2024, 6, 10)), Utc(2024, 6, 15));  // Sat the 15th
  EXPECT_EQ(Next(e, Utc(2024, 6, 15)), Utc(2024, 6, 16));  // Sunday
  EXPECT_EQ(Next(e, Utc(2024, 6, 16)), Utc(2024, 6, 23));
  // One restricted: AND.
  EXPECT_EQ(Next("0 0 * * SUN", Utc(2024, 6, 10)), Utc(2024, 6, 16));
  EXPECT_EQ(Next("0 0 15 * *", Utc(2024, 6, 10)), Utc(2024, 6, 15));
  EXPECT_EQ(Next("0 0 15 * *", Utc(2024, 6, 15)), Utc(2024, 7, 15));
  // A field spelled as its full range is unrestricted.
  EXPECT_EQ(Next("0 0 1-31 * MON", Utc(2024, 6, 11)), Utc(2024, 6, 17));
  EXPECT_EQ(Next("0 0 13 * 0-7", Utc(2024, 6, 11)), Utc(2024, 6, 13));
  // "*/2" is restricted (not "*"): odd days OR Mondays.
  EXPECT_EQ(Next("0 0 */2 * MON", Utc(2024, 6, 15, 1)), Utc(2024, 6, 17));  // Mon 17th
  EXPECT_EQ(Next("0 0 */2 * MON", Utc(2024, 6, 17)), Utc(2024, 6, 19));
  EXPECT_EQ(Next("0 0 */2 * MON", Utc(2024, 6, 29)), Utc(2024, 7, 1));
  // Month restriction applies to both.
  EXPECT_EQ(Next("0 0 1 FEB MON", Utc(2024, 6, 1)), Utc(2025, 2, 1));
  EXPECT_EQ(Next("0 0 1 FEB MON", Utc(2025, 2, 1)), Utc(2025, 2, 3));
}

TEST(CronTest, NamesAndSevenIsSunday) {
  EXPECT_EQ(Cron("0 12 * JAN,jul mon"), Cron("0 12 * 1,7 1"));
  EXPECT_EQ(Cron("0 0 * * sun"), Cron("0 0 * * 0"));
  EXPECT_EQ(Cron("0 0 * * 7"), Cron("0 0 * * 0"));
  EXPECT_EQ(Cron("0 0 * * 5-7"), Cron("0 0 * * 0,5,6"));
  EXPECT_EQ(Cron("0 0 * * Sat,SUN"), Cron("0 0 * * 6,0"));
  EXPECT_EQ(Cron("0 0 * Dec *"), Cron("0 0 * 12 *"));
  EXPECT_EQ(Cron("0 0 * MAR-may *"), Cron("0 0 * 3-5 *"));
  EXPECT_EQ(Cron("0 0 * * 0-7"), Cron("0 0 * * *"));
  EXPECT_EQ(Next("0 0 * * 7", Utc(2024, 6, 10)), Utc(2024, 6, 16));
}

TEST(CronTest, Macros) {
  EXPECT_EQ(Cron("@yearly").ToString(), "0 0 1 1 *");
  EXPECT_EQ(Cron("@annually").ToString(), "0 0 1 1 *");
  EXPECT_EQ(Cron("@monthly").ToString(), "0 0 1 * *");
  EXPECT_EQ(Cron("@weekly").ToString(), "0 0 * * 0");
  EXPECT_EQ(Cron("@daily").ToString(), "0 0 * * *");
  EXPECT_EQ(Cron("@midnight").ToString(), "0 0 * * *");
  EXPECT_EQ(Cron("@hourly").ToString(), "0 * * * *");
  EXPECT_EQ(Cron("  @DAILY ").ToString(), "0 0 * * *");
  EXPECT_EQ(Cron("@daily").expression(), "@daily");
  EXPECT_EQ(Next("@yearly", Utc(2024, 5, 1)), Utc(2025, 1, 1));
  EXPECT_EQ(Next("@weekly", Utc(2024, 6, 10)), Utc(2024, 6, 16));
}

TEST(CronTest, CanonicalForm) {
  EXPECT_EQ(Cron("* * * * *").ToString(), "* * * * *");
  EXPECT_EQ(Cron("*/1 0-23 1-31 1-12 0-6").ToString(), "* * * * *");
  EXPECT_EQ(Cron("0,15,30,45 * * * *").ToString(), "*/15 * * * *");
  EXPECT_EQ(Cron("10-50/10 * * * *").ToString(), "10,20,30,40,50 * * * *");
  EXPECT_EQ(Cron("1,5,10-12 * * * *").ToString(), "1,5,10-12 * * * *");
  EXPECT_EQ(Cron("1,2 3 * * *").ToString(), "1,2 3 * * *");
  EXPECT_EQ(Cron("0\t0  * *\t*").ToString(), "0 0 * * *");
  EXPECT_EQ(Cron("0 0 */2 * *").ToString(), "0 0 */2 * *");
  EXPECT_EQ(Cron("0 0 * 1,4,7,10 *").ToString(), "0 0 * */3 *");
  EXPECT_EQ(Cron("0 0 * 2-12/3 *").ToString(), "0 0 * 2,5,8,11 *");
  EXPECT_EQ(Cron("0 0 * * */2").ToString(), "0 0 * * */2");
}

TEST(CronTest, LeapDay) {
  EXPECT_EQ(Next("0 0 29 2 *", Utc(2025, 1, 1)), Utc(2028, 2, 29));
  EXPECT_EQ(Next("0 0 29 2 *", Utc(2028, 2, 29)), Utc(2032, 2, 29));
  EXPECT_EQ(Next("0 0 29 2 *", Utc(2096, 3, 1)), Utc(2104, 2, 29));  // 2100 is not leap
  EXPECT_EQ(Next("0 0 29 FEB *", Utc(2025, 1, 1), Zone("Europe/Berlin")), Utc(2028, 2, 28, 23));
  EXPECT_EQ(Next("0 0 31 * *", Utc(2024, 4, 1)), Utc(2024, 5, 31));
}

TEST(CronTest, NeverFires) {
  for (const char* e : {"0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 31 2,4 *", "* * 30,31 FEB *"}) {
    Result<CronSchedule> c = CronSchedule::Parse(e);
    ASSERT_TRUE(c.ok()) << e;
    EXPECT_FALSE(c->CanFire()) << e;
    Result<int64_t> r = c->NextAfter(Utc(2024, 1, 1), TimeZone());
    ASSERT_FALSE(r.ok()) << e;
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_EQ(r.status().message(),
              std::string("cron '") + e +
                  "' never fires (no selected month has the selected day-of-month)");
  }
  // With a restricted day-of-week the OR rule makes it fire.
  EXPECT_EQ(Next("0 0 30 2 MON", Utc(2024, 1, 1)), Utc(2024, 2, 5));
  EXPECT_TRUE(Cron("0 0 29 2 *").CanFire());
}

TEST(CronTest, RangeLimits) {
  CronSchedule c = Cron("0 0 29 2 *");
  Result<int64_t> r = c.NextAfter(Utc(9996, 3, 1), TimeZone());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "cron '0 0 29 2 *': no fire time before year 10000");
  EXPECT_FALSE(c.NextAfter(INT64_MAX, TimeZone()).ok());
  EXPECT_FALSE(c.NextAfter(INT64_MIN, TimeZone()).ok());
  EXPECT_EQ(Next("0 0 1 1 *", Utc(1, 1, 1)), Utc(2, 1, 1));
  EXPECT_EQ(Next("59 23 31 12 *", Utc(9999, 12, 31, 23, 58)), Utc(9999, 12, 31, 23, 59));
}

TEST(CronTest, ErrorMessages) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"0 25 * * *", "cron '0 25 * * *': hour 25 out of range 0-23"},
      {"60 * * * *", "cron '60 * * * *': minute 60 out of range 0-59"},
      {"* * 0 * *", "cron '* * 0 * *': day-of-month 0 out of range 1-31"},
      {"* * 32 * *", "cron '* * 32 * *': day-of-month 32 out of range 1-31"},
      {"* * * 13 *", "cron '* * * 13 *': month 13 out of range 1-12"},
      {"* * * 0 *", "cron '* * * 0 *': month 0 out of range 1-12"},
      {"* * * * 8", "cron '* * * * 8': day-of-week 8 out of range 0-7"},
      {"* * * * */8", "cron '* * * * */8': day-of-week step 8 out of range 1-7"},
      {"1-70 * * * *", "cron '1-70 * * * *': minute 70 out of range 0-59"},
      {"99999999999 * * * *", "cron '99999999999 * * * *': minute 99999999999 out of range 0-59"},
      {"* * * *",
       "cron '* * * *': expected 5 fields (minute hour day-of-month month day-of-week), got 4"},
      {"* * * * * *",
       "cron '* * * * * *': expected 5 fields (minute hour day-of-month month day-of-week), got "
       "6"},
      {"", "cron '': empty expression"},
      {"   ", "cron '': empty expression"},
      {"1,,2 * * * *", "cron '1,,2 * * * *': minute has an empty list item in '1,,2'"},
      {"* 1, * * *", "cron '* 1, * * *': hour has an empty list item in '1,'"},
      {"*/0 * * * *", "cron '*/0 * * * *': minute step 0 out of range 1-60"},
      {"* */25 * * *", "cron '* */25 * * *': hour step 25 out of range 1-24"},
      {"*/x * * * *", "cron '*/x * * * *': minute step 'x' is not a number"},
      {"*/ * * * *", "cron '*/ * * * *': minute step '' is not a number"},
      {"/5 * * * *", "cron '/5 * * * *': minute has a step without a range in '/5'"},
      {"20-10 * * * *", "cron '20-10 * * * *': minute range 20-10 is reversed"},
      {"* * * * FRI-MON", "cron '* * * * FRI-MON': day-of-week range FRI-MON is reversed"},
      {"5- * * * *", "cron '5- * * * *': minute has an empty value in '5-'"},
      {"x * * * *", "cron 'x * * * *': minute value 'x' is not a number"},
      {"-1 * * * *", "cron '-1 * * * *': minute has an empty value in '-1'"},
      {"* * * FOO *", "cron '* * * FOO *': month value 'FOO' is not a number or month name"},
      {"* * * * FOO", "cron '* * * * FOO': day-of-week value 'FOO' is not a number or day name"},
      {"* * MON * *", "cron '* * MON * *': day-of-month value 'MON' is not a number"},
      {"* * * * ?", "cron '* * * * ?': day-of-week value '?' is not a number or day name"},
      {"* * L * *", "cron '* * L * *': day-of-month value 'L' is not a number"},
      {"@reboot",
       "cron '@reboot': unknown macro '@reboot' (expected @yearly, @annually, @monthly, "
       "@weekly, @daily, @midnight or @hourly)"},
      {"@daily 5",
       "cron '@daily 5': unknown macro '@daily 5' (expected @yearly, @annually, @monthly, "
       "@weekly, @daily, @midnight or @hourly)"},
  };
  for (const auto& [expr, msg] : cases) {
    Result<CronSchedule> r = CronSchedule::Parse(expr);
    ASSERT_FALSE(r.ok()) << expr;
    EXPECT_TRUE(r.status().IsInvalidArgument()) << expr;
    EXPECT_EQ(r.status().message(), msg);
  }
}

TEST(CronTest, NewYorkDst) {
  TimeZone ny = Zone("America/New_York");
  // Spring forward 2024-03-10: 02:30 does not exist -> fires at 03:00 EDT.
  EXPECT_EQ(Next("30 2 * * *", Utc(2024, 3, 9, 12), ny), Utc(2024, 3, 10, 7));
  EXPECT_EQ(Next("30 2 * * *", Utc(2024, 3, 10, 7), ny), Utc(2024, 3, 11, 6, 30));
  EXPECT_EQ(Next("30 2 * * *", Utc(2024, 3, 8, 12), ny), Utc(2024, 3, 9, 7, 30));
  // Several skipped times collapse into one fire; 03:00 itself collapses too.
  EXPECT_EQ(Next("*/20 2 * * *", Utc(2024, 3, 10, 6), ny), Utc(2024, 3, 10, 7));
  EXPECT_EQ(Next("*/20 2 * * *", Utc(2024, 3, 10, 7), ny), Utc(2024, 3, 11, 6));
  EXPECT_EQ(Next("0 * * * *", Utc(2024, 3, 10, 6, 30), ny), Utc(2024, 3, 10, 7));
  EXPECT_EQ(Next("0 * * * *", Utc(2024, 3, 10, 7), ny), Utc(2024, 3, 10, 8));
  // Fall back 2024-11-03 (01:00-02:00 repeated): 02:30 happens once.
  EXPECT_EQ(Next("30 2 * * *", Utc(2024, 11, 2, 12), ny), Utc(2024, 11, 3, 7, 30));
  EXPECT_EQ(Next("30 2 * * *", Utc(2024, 11, 3, 7, 30), ny), Utc(2024, 11, 4, 7, 30));
  // 01:30 is repeated: a fixed-hour job fires at the first occurrence only.
  EXPECT_EQ(Next("30 1 * * *", Utc(2024, 11, 2, 12), ny), Utc(2024, 11, 3, 5, 30));
  EXPECT_EQ(Next("30 1 * * *", Utc(2024, 11, 3, 5, 30), ny), Utc(2024, 11, 4, 6, 30));
  EXPECT_EQ(Next("*/30 1 * * *", Utc(2024, 11, 3, 5, 30), ny), Utc(2024, 11, 4, 6));
  // An hourly job keeps its cadence through the repeated hour.
  EXPECT_EQ(Next("30 * * * *", Utc(2024, 11, 3, 5), ny), Utc(2024, 11, 3, 5, 30));
  EXPECT_EQ(Next("30 * * * *", Utc(2024, 11, 3, 5, 30), ny), Utc(2024, 11, 3, 6, 30));
  EXPECT_EQ(Next("30 * * * *", Utc(2024, 11, 3, 6, 30), ny), Utc(2024, 11, 3, 7, 30));

  TimeZone berlin = Zone("Europe/Berlin");
  EXPECT_EQ(Next("0 2 * * *", Utc(2024, 3, 30, 12), berlin), Utc(2024, 3, 31, 1));
  EXPECT_EQ(Next("0 2 * * *", Utc(2024, 10, 26, 12), berlin), Utc(2024, 10, 27, 0));
  EXPECT_EQ(Next("0 2 * * *", Utc(2024, 10, 27, 0), berlin), Utc(2024, 10, 28, 1));
  // Far future, footer-rule DST.
  EXPECT_EQ(Next("0 2 * * *", Utc(2090, 3, 25, 12), berlin), Utc(2090, 3, 26, 1));
  // 30-minute DST shift: Lord Howe 2024-10-06 02:00 -> 02:30 local.
  TimeZone lh = Zone("Australia/Lord_Howe");
  EXPECT_EQ(Next("15 2 * * *", Utc(2024, 10, 5, 10), lh), Utc(2024, 10, 5, 15, 30));
}

// Brute-force reference of the documented semantics, minute by minute in UTC.
std::optional<int64_t> BruteNext(const CronSchedule& s, const TimeZone& tz, int64_t after,
                                 int64_t limit) {
  const std::string canon = s.ToString();
  const size_t sp = canon.find(' ');
  const bool hour_wild = canon.compare(sp + 1, 2, "* ") == 0;
  for (int64_t u = (FloorDiv(after, kM) + 1) * kM; u < limit; u += kM) {
    const int64_t local = tz.UtcToLocal(u);
    if (s.MatchesLocal(local) && (hour_wild || tz.LocalToUtc(local) == u)) return u;
    const int64_t before = tz.OffsetAt(u - 1);
    const int64_t now = tz.OffsetAt(u);
    if (now > before) {
      for (int64_t l = u + before; l < u + now; l += kM) {
        if (s.MatchesLocal(l)) return u;
      }
    }
  }
  return std::nullopt;
}

std::string RandomField(std::mt19937_64& rng, int min, int max, int star_percent) {
  auto val = [&] { return min + static_cast<int>(rng() % (max - min + 1)); };
  if (static_cast<int>(rng() % 100) < star_percent) return "*";
  switch (rng() % 5) {
    case 0:
      return "*/" + std::to_string(1 + rng() % std::min(12, max - min));
    case 1:
      return std::to_string(val());
    case 2: {
      int a = val(), b = val();
      if (a > b) std::swap(a, b);
      return std::to_string(a) + "-" + std::to_string(b);
    }
    case 3: {
      int a = val(), b = val();
      if (a > b) std::swap(a, b);
      return std::to_string(a) + "-" + std::to_string(b) + "/" + std::to_string(1 + rng() % 5);
    }
    default:
      return std::to_string(val()) + "," + std::to_string(val()) + "," + std::to_string(val());
  }
}

TEST(CronTest, RandomizedAgainstBruteForce) {
  std::mt19937_64 rng(12345);
  std::vector<TimeZone> zones = {TimeZone(),
                                 Zone("Europe/Berlin"),
                                 Zone("America/New_York"),
                                 Zone("Australia/Lord_Howe"),
                                 Zone("Asia/Kathmandu"),
                                 Zone("+05:30")};
  constexpr int64_t kWindow = 4 * kMicrosPerDay;
  int checked = 0, found = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string expr = RandomField(rng, 0, 59, 20) + " " + RandomField(rng, 0, 23, 40) + " " +
                       RandomField(rng, 1, 31, 75) + " " + RandomField(rng, 1, 12, 85) + " " +
                       RandomField(rng, 0, 7, 60);
    Result<CronSchedule> s = CronSchedule::Parse(expr);
    ASSERT_TRUE(s.ok()) << expr << ": " << s.status().ToString();
    // Canonical form round-trips.
    Result<CronSchedule> again = CronSchedule::Parse(s->ToString());
    ASSERT_TRUE(again.ok()) << s->ToString();
    ASSERT_EQ(*again, *s) << expr << " -> " << s->ToString();

    const TimeZone& tz = zones[rng() % zones.size()];
    int64_t after = Utc(2020, 1, 1) + static_cast<int64_t>(rng() % (10ull * 365 * kMicrosPerDay));
    if (rng() % 2 == 0) {
      // Near a DST transition.
      std::optional<int64_t> t = tz.NextTransition(after);
      if (t) after = *t - 36 * kH + static_cast<int64_t>(rng() % (48 * kH));
    }
    if (rng() % 3 == 0) after = FloorDiv(after, kM) * kM;  // exactly on a minute
    const std::optional<int64_t> want = BruteNext(*s, tz, after, after + kWindow);
    const Result<int64_t> got = s->NextAfter(after, tz);
    ++checked;
    if (want) {
      ++found;
      ASSERT_TRUE(got.ok()) << expr << " " << tz.name() << " " << after;
      ASSERT_EQ(*got, *want) << expr << " in " << tz.name() << " after " << after;
    } else if (got.ok()) {
      ASSERT_GE(*got, after + kWindow) << expr << " in " << tz.name() << " after " << after;
    }
  }
  EXPECT_EQ(checked, 4000);
  EXPECT_GT(found, 2000);
}

TEST(CronTest, SequencesAreIncreasingAndFast) {
  TimeZone ny = Zone("America/New_York");
  const auto start = std::chrono::steady_clock::now();
  for (const char* e : {"0 0 29 2 *", "0 0 13 * FRI", "59 23 31 12 *", "*/7 */5 * * *"}) {
    CronSchedule c = Cron(e);
    int64_t t = Utc(2000, 1, 1);
    for (int i = 0; i < 200; ++i) {
      Result<int64_t> n = c.NextAfter(t, ny);
      ASSERT_TRUE(n.ok()) << e;
      ASSERT_GT(*n, t);
      t = *n;
    }
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace parquedb::views
