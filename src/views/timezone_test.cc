#include "views/timezone.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace parquedb::views {
namespace {

constexpr int64_t kH = kMicrosPerHour;
constexpr int64_t kM = kMicrosPerMinute;

int64_t Utc(int64_t y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return DaysFromCivil(y, mo, d) * kMicrosPerDay + h * kH + mi * kM + s * kMicrosPerSecond;
}

TimeZone MustLoad(std::string_view name) {
  Result<TimeZone> tz = TimeZone::Load(name);
  EXPECT_TRUE(tz.ok()) << name << ": " << tz.status().ToString();
  return tz.ok() ? *tz : TimeZone();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& path, const std::string& data) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

// Sets TZDIR for the scope of a test.
class ScopedTzdir {
 public:
  explicit ScopedTzdir(const std::string& dir) {
    const char* old = std::getenv("TZDIR");
    if (old != nullptr) old_ = old;
    had_ = old != nullptr;
    setenv("TZDIR", dir.c_str(), 1);
  }
  ~ScopedTzdir() {
    if (had_) {
      setenv("TZDIR", old_.c_str(), 1);
    } else {
      unsetenv("TZDIR");
    }
  }

 private:
  bool had_ = false;
  std::string old_;
};

std::string TempDir(const std::string& tag) {
  auto dir =
      std::filesystem::temp_directory_path() / ("pq_tz_" + tag + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

TEST(CivilTest, RoundTripAndKnownDates) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1600, 1, 1), -135140);
  EXPECT_EQ(WeekdayFromDays(DaysFromCivil(2024, 12, 30)), 1);  // Monday
  EXPECT_EQ(WeekdayFromDays(DaysFromCivil(1969, 12, 28)), 0);  // Sunday
  for (int64_t d = -800000; d <= 800000; d += 13) {
    CivilDate c = CivilFromDays(d);
    ASSERT_EQ(DaysFromCivil(c.year, c.month, c.day), d);
    ASSERT_GE(c.day, 1);
    ASSERT_LE(c.day, DaysInMonth(c.year, c.month));
  }
  EXPECT_EQ(FloorDiv(-1, 60), -1);
  EXPECT_EQ(FloorMod(-1, 60), 59);
  EXPECT_TRUE(IsLeapYear(2000));
  EXPECT_FALSE(IsLeapYear(2100));
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
}

TEST(TimeZoneTest, Utc) {
  TimeZone utc;
  EXPECT_EQ(utc.name(), "UTC");
  EXPECT_TRUE(utc.is_fixed());
  EXPECT_EQ(utc.OffsetAt(Utc(2024, 6, 1)), 0);
  EXPECT_EQ(utc.LocalToUtc(123), 123);
  EXPECT_EQ(MustLoad("UTC").name(), "UTC");
  EXPECT_EQ(MustLoad("Z").name(), "UTC");
  EXPECT_FALSE(utc.NextTransition(0).has_value());
  // Saturates instead of overflowing.
  EXPECT_EQ(MustLoad("+01:00").UtcToLocal(INT64_MAX), INT64_MAX);
  EXPECT_EQ(MustLoad("+01:00").LocalToUtc(INT64_MIN), INT64_MIN);
}

TEST(TimeZoneTest, FixedOffsets) {
  TimeZone a = MustLoad("+02:00");
  EXPECT_EQ(a.name(), "+02:00");
  EXPECT_EQ(a.OffsetAt(0), 2 * kH);
  EXPECT_EQ(a.LocalToUtc(Utc(2024, 1, 1, 2)), Utc(2024, 1, 1));
  TimeZone b = MustLoad("-0530");
  EXPECT_EQ(b.name(), "-05:30");
  EXPECT_EQ(b.OffsetAt(Utc(1900, 1, 1)), -(5 * kH + 30 * kM));
  EXPECT_EQ(MustLoad("+05").OffsetAt(0), 5 * kH);
  EXPECT_EQ(MustLoad("+00:00").name(), "UTC");
  for (const char* bad : {"+25:00", "+2", "+02:60", "+0a:00", "+02:", "-", "+02:00:00:00"}) {
    Result<TimeZone> r = TimeZone::Load(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_NE(r.status().message().find(bad), std::string::npos) << r.status().ToString();
  }
}

TEST(TimeZoneTest, BerlinDst2024) {
  TimeZone tz = MustLoad("Europe/Berlin");
  EXPECT_EQ(tz.name(), "Europe/Berlin");
  EXPECT_FALSE(tz.is_fixed());
  const int64_t spring = Utc(2024, 3, 31, 1);  // 02:00 CET -> 03:00 CEST
  EXPECT_EQ(tz.OffsetAt(spring - 1), 1 * kH);
  EXPECT_EQ(tz.OffsetAt(spring), 2 * kH);
  const int64_t fall = Utc(2024, 10, 27, 1);  // 03:00 CEST -> 02:00 CET
  EXPECT_EQ(tz.OffsetAt(fall - 1), 2 * kH);
  EXPECT_EQ(tz.OffsetAt(fall), 1 * kH);
  EXPECT_EQ(tz.OffsetAt(Utc(2024, 1, 15)), 1 * kH);
  EXPECT_EQ(tz.OffsetAt(Utc(2024, 7, 15)), 2 * kH);
  EXPECT_EQ(tz.NextTransition(Utc(2024, 1, 1)), spring);
  EXPECT_EQ(tz.NextTransition(spring - 1), spring);
  EXPECT_EQ(tz.NextTransition(spring), fall);
  EXPECT_EQ(tz.UtcToLocal(spring), Utc(2024, 3, 31, 3));
}

TEST(TimeZoneTest, NewYorkDst2024) {
  TimeZone tz = MustLoad("America/New_York");
  const int64_t spring = Utc(2024, 3, 10, 7);  // 02:00 EST -> 03:00 EDT
  EXPECT_EQ(tz.OffsetAt(spring - 1), -5 * kH);
  EXPECT_EQ(tz.OffsetAt(spring), -4 * kH);
  const int64_t fall = Utc(2024, 11, 3, 6);  // 02:00 EDT -> 01:00 EST
  EXPECT_EQ(tz.OffsetAt(fall - 1), -4 * kH);
  EXPECT_EQ(tz.OffsetAt(fall), -5 * kH);
  EXPECT_EQ(tz.NextTransition(spring), fall);
}

TEST(TimeZoneTest, FarFutureUsesFooterRule) {
  TimeZone berlin = MustLoad("Europe/Berlin");
  EXPECT_EQ(berlin.OffsetAt(Utc(2090, 7, 1)), 2 * kH);
  EXPECT_EQ(berlin.OffsetAt(Utc(2090, 1, 1)), 1 * kH);
  EXPECT_EQ(berlin.NextTransition(Utc(2090, 1, 1)), Utc(2090, 3, 26, 1));
  EXPECT_EQ(berlin.OffsetAt(Utc(2090, 3, 26, 1) - 1), 1 * kH);
  EXPECT_EQ(berlin.OffsetAt(Utc(2090, 3, 26, 1)), 2 * kH);
  EXPECT_EQ(berlin.OffsetAt(Utc(9999, 7, 1)), 2 * kH);
  TimeZone ny = MustLoad("America/New_York");
  EXPECT_EQ(ny.OffsetAt(Utc(2090, 7, 1)), -4 * kH);
  EXPECT_EQ(ny.OffsetAt(Utc(2090, 12, 1)), -5 * kH);
  // Southern hemisphere: DST spans the new year.
  TimeZone syd = MustLoad("Australia/Sydney");
  EXPECT_EQ(syd.OffsetAt(Utc(2090, 1, 1)), 11 * kH);
  EXPECT_EQ(syd.OffsetAt(Utc(2090, 7, 1)), 10 * kH);
  EXPECT_EQ(syd.OffsetAt(Utc(2090, 12, 31)), 11 * kH);
}

TEST(TimeZoneTest, OddOffsets) {
  TimeZone lh = MustLoad("Australia/Lord_Howe");  // +10:30 standard, +11 DST
  EXPECT_EQ(lh.OffsetAt(Utc(2024, 1, 15)), 11 * kH);
  EXPECT_EQ(lh.OffsetAt(Utc(2024, 7, 15)), 10 * kH + 30 * kM);
  EXPECT_EQ(lh.OffsetAt(Utc(2095, 7, 15)), 10 * kH + 30 * kM);
  // 2024-04-07 02:00 LHDT -> 01:30 LHST at 15:00 UTC on Apr 6.
  EXPECT_EQ(lh.OffsetAt(Utc(2024, 4, 6, 15) - 1), 11 * kH);
  EXPECT_EQ(lh.OffsetAt(Utc(2024, 4, 6, 15)), 10 * kH + 30 * kM);
  // Local 01:45 happens twice; the earlier instant wins.
  EXPECT_EQ(lh.LocalToUtc(Utc(2024, 4, 7, 1, 45)), Utc(2024, 4, 6, 14, 45));

  TimeZone ktm = MustLoad("Asia/Kathmandu");
  EXPECT_EQ(ktm.OffsetAt(Utc(2024, 6, 1)), 5 * kH + 45 * kM);
  EXPECT_EQ(ktm.OffsetAt(Utc(1980, 6, 1)), 5 * kH + 30 * kM);
  EXPECT_EQ(ktm.OffsetAt(Utc(2100, 6, 1)), 5 * kH + 45 * kM);
}

TEST(TimeZoneTest, LocalToUtcGapsAndOverlaps) {
  TimeZone ny = MustLoad("America/New_York");
  // Gap: 02:00-03:00 local does not exist on 2024-03-10; maps to the transition.
  EXPECT_EQ(ny.LocalToUtc(Utc(2024, 3, 10, 2, 30)), Utc(2024, 3, 10, 7));
  EXPECT_EQ(ny.LocalToUtc(Utc(2024, 3, 10, 2, 0)), Utc(2024, 3, 10, 7));
  EXPECT_EQ(ny.LocalToUtc(Utc(2024, 3, 10, 3, 0)), Utc(2024, 3, 10, 7));
  EXPECT_EQ(ny.LocalToUtc(Utc(2024, 3, 10, 1, 59)), Utc(2024, 3, 10, 6, 59));
  // Overlap: 01:00-02:00 local happens twice on 2024-11-03; earlier (EDT) wins.
  EXPECT_EQ(ny.LocalToUtc(Utc(2024, 11, 3, 1, 30)), Utc(2024, 11, 3, 5, 30));
  EXPECT_EQ(ny.LocalToUtc(Utc(2024, 11, 3, 2, 0)), Utc(2024, 11, 3, 7));

  TimeZone berlin = MustLoad("Europe/Berlin");
  EXPECT_EQ(berlin.LocalToUtc(Utc(2024, 3, 31, 2, 30)), Utc(2024, 3, 31, 1));
  EXPECT_EQ(berlin.LocalToUtc(Utc(2024, 10, 27, 2, 30)), Utc(2024, 10, 27, 0, 30));
  EXPECT_EQ(berlin.LocalToUtc(Utc(2024, 7, 1, 12)), Utc(2024, 7, 1, 10));
  EXPECT_EQ(berlin.LocalToUtc(Utc(2090, 3, 26, 2, 30)), Utc(2090, 3, 26, 1));

  // Round trip for every existing local time, and local(LocalToUtc(x)) >= x.
  std::mt19937_64 rng(42);
  for (const char* name : {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe"}) {
    TimeZone tz = MustLoad(name);
    for (int i = 0; i < 20000; ++i) {
      const int64_t local =
          Utc(1950, 1, 1) + static_cast<int64_t>(rng() % (150ull * 365 * 86400)) * kMicrosPerSecond;
      const int64_t u = tz.LocalToUtc(local);
      ASSERT_GE(tz.UtcToLocal(u), local) << name << " " << local;
      if (tz.UtcToLocal(u) != local) {
        // In a gap: u is a transition instant and the previous instant is before `local`.
        ASSERT_LT(tz.UtcToLocal(u - 1), local) << name;
      }
    }
  }
}

// Cross-checks offsets against glibc's reading of the same tz database.
TEST(TimeZoneTest, MatchesLibc) {
  std::mt19937_64 rng(7);
  const char* old_tz = std::getenv("TZ");
  std::string saved = old_tz ? old_tz : "";
  for (const char* name :
       {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu",
        "America/Sao_Paulo", "Pacific/Apia", "Europe/London", "Africa/Casablanca",
        "America/St_Johns", "Pacific/Chatham", "Antarctica/Troll", "Europe/Dublin"}) {
    TimeZone tz = MustLoad(name);
    setenv("TZ", (std::string(":") + name).c_str(), 1);
    tzset();
    for (int i = 0; i < 3000; ++i) {
      // 1900..2150
      const int64_t secs = -2208988800LL + static_cast<int64_t>(rng() % (250ull * 365 * 86400));
      time_t t = static_cast<time_t>(secs);
      struct tm tm;
      ASSERT_NE(localtime_r(&t, &tm), nullptr);
      ASSERT_EQ(tz.OffsetAt(secs * kMicrosPerSecond), tm.tm_gmtoff * kMicrosPerSecond)
          << name << " at " << secs;
    }
  }
  if (old_tz) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

TEST(TimeZoneTest, NextTransitionWalk) {
  // Walking transitions visits exactly the instants where the offset changes.
  for (const char* name : {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe"}) {
    TimeZone tz = MustLoad(name);
    int64_t t = Utc(2000, 1, 1);
    int count = 0;
    while (t < Utc(2060, 1, 1)) {
      std::optional<int64_t> n = tz.NextTransition(t);
      ASSERT_TRUE(n.has_value()) << name;
      ASSERT_GT(*n, t);
      if (*n >= Utc(2060, 1, 1)) break;
      ASSERT_NE(tz.OffsetAt(*n), tz.OffsetAt(*n - 1)) << name << " " << *n;
      ASSERT_EQ(tz.OffsetAt(*n - 1), tz.OffsetAt(t)) << name << " " << *n;
      t = *n;
      ++count;
    }
    EXPECT_EQ(count, 120) << name;
  }
  EXPECT_FALSE(MustLoad("Asia/Kathmandu").NextTransition(Utc(2000, 1, 1)).has_value());
}

TEST(TimeZoneTest, BadNames) {
  for (const char* bad : {"", "Mars/Olympus", "../etc/passwd", "/etc/passwd",
                          "Europe/../Europe/Berlin", "Europe//Berlin", "Europe/Berlin/",
                          "Europe/Ber lin", "Europe\\Berlin", "./UTC", "Europe"}) {
    Result<TimeZone> r = TimeZone::Load(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(r.status().IsInvalidArgument()) << bad << ": " << r.status().ToString();
    EXPECT_NE(r.status().message().find(std::string("'") + bad + "'"), std::string::npos)
        << r.status().ToString();
  }
}

// Minimal TZif v2 writer for hand-made zones.
std::string BigEndian(uint64_t v, int n) {
  std::string s;
  for (int i = n - 1; i >= 0; --i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return s;
}

std::string MakeTzif(const std::vector<std::pair<int64_t, int>>& transitions,
                     const std::vector<int32_t>& type_offsets, const std::string& footer,
                     char version = '2') {
  auto header = [&](size_t timecnt) {
    std::string h = "TZif";
    h.push_back(version);
    h.append(15, '\0');
    h += BigEndian(0, 4) + BigEndian(0, 4) + BigEndian(0, 4);
    h += BigEndian(timecnt, 4) + BigEndian(type_offsets.size(), 4) + BigEndian(4, 4);
    return h;
  };
  auto block = [&](int time_size) {
    std::string b;
    for (auto& [t, i] : transitions) b += BigEndian(static_cast<uint64_t>(t), time_size);
    for (auto& [t, i] : transitions) b.push_back(static_cast<char>(i));
    for (int32_t off : type_offsets) {
      b += BigEndian(static_cast<uint32_t>(off), 4);
      b.push_back(0);
      b.push_back(0);
    }
    b += std::string("ABC\0", 4);
    return b;
  };
  std::string out = header(transitions.size()) + block(4);
  if (version == 0) return out;
  out += header(transitions.size()) + block(8) + "\n" + footer + "\n";
  return out;
}

TEST(TimeZoneTest, HandMadeZones) {
  std::string dir = TempDir("handmade");
  ScopedTzdir scoped(dir);
  // Footer only, no transitions; DST without an explicit rule -> US rule.
  WriteFile(dir + "/Test/FooterOnly", MakeTzif({}, {-5 * 3600}, "EST5EDT"));
  TimeZone f = MustLoad("Test/FooterOnly");
  EXPECT_EQ(f.OffsetAt(Utc(2024, 7, 1)), -4 * kH);
  EXPECT_EQ(f.OffsetAt(Utc(2024, 1, 1)), -5 * kH);
  EXPECT_EQ(f.OffsetAt(Utc(2024, 3, 10, 7)), -4 * kH);
  EXPECT_EQ(f.OffsetAt(Utc(2024, 3, 10, 7) - 1), -5 * kH);
  // v1 only: transitions, no footer; the last type holds forever.
  WriteFile(dir + "/Test/V1", MakeTzif({{0, 1}, {3600, 0}}, {3600, 7200}, "", 0));
  TimeZone v1 = MustLoad("Test/V1");
  EXPECT_EQ(v1.OffsetAt(-1), 1 * kH);
  EXPECT_EQ(v1.OffsetAt(0), 2 * kH);
  EXPECT_EQ(v1.OffsetAt(Utc(2200, 1, 1)), 1 * kH);
  // Julian rules and negative / >24h rule times (RFC 8536), all-year DST.
  WriteFile(dir + "/Test/AllYearDst", MakeTzif({}, {-5 * 3600}, "EST5EDT,0/0,J365/25"));
  TimeZone ay = MustLoad("Test/AllYearDst");
  for (int m = 1; m <= 12; ++m) EXPECT_EQ(ay.OffsetAt(Utc(2030, m, 15)), -4 * kH) << m;
  WriteFile(dir + "/Test/Quoted", MakeTzif({}, {-3 * 3600}, "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1"));
  TimeZone q = MustLoad("Test/Quoted");
  EXPECT_EQ(q.OffsetAt(Utc(2030, 1, 15)), -3 * kH);
  EXPECT_EQ(q.OffsetAt(Utc(2030, 6, 15)), -2 * kH);
  // Transition at the boundary where the footer takes over.
  WriteFile(dir + "/Test/Handover",
            MakeTzif({{Utc(2000, 1, 1) / kMicrosPerSecond, 1}}, {0, 3600}, "<+01>-1"));
  TimeZone h = MustLoad("Test/Handover");
  EXPECT_EQ(h.OffsetAt(Utc(1999, 12, 31)), 0);
  EXPECT_EQ(h.OffsetAt(Utc(2000, 1, 1)), 1 * kH);
  EXPECT_EQ(h.NextTransition(Utc(1999, 1, 1)), Utc(2000, 1, 1));
  EXPECT_FALSE(h.NextTransition(Utc(2000, 1, 1)).has_value());
  std::filesystem::remove_all(dir);
}

TEST(TimeZoneTest, CorruptFilesAreErrors) {
  const std::string berlin = ReadFile("/usr/share/zoneinfo/Europe/Berlin");
  ASSERT_GT(berlin.size(), 100u);
  std::string dir = TempDir("corrupt");
  ScopedTzdir scoped(dir);
  auto expect_corrupt = [&](const std::string& name, const std::string& data) {
    WriteFile(dir + "/" + name, data);
    Result<TimeZone> r = TimeZone::Load(name);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_TRUE(r.status().IsCorruption()) << r.status().ToString();
    EXPECT_NE(r.status().message().find("'" + name + "'"), std::string::npos)
        << r.status().ToString();
  };
  expect_corrupt("Bad/Empty", "");
  expect_corrupt("Bad/Magic", "NotATzifFileAtAll" + std::string(100, 'x'));
  expect_corrupt("Bad/Header", berlin.substr(0, 30));
  expect_corrupt("Bad/Half", berlin.substr(0, berlin.size() / 2));
  expect_corrupt("Bad/NoFooterNewline", berlin.substr(0, berlin.size() - 1));
  std::string bad_footer = berlin;
  const size_t nl = bad_footer.rfind('\n', bad_footer.size() - 2);
  bad_footer = bad_footer.substr(0, nl + 1) + "CET-1CEST,M13.5.0,M10.5.0/3\n";
  expect_corrupt("Bad/Footer", bad_footer);
  expect_corrupt("Bad/TypeIndex", MakeTzif({{0, 5}}, {0}, ""));
  expect_corrupt("Bad/Descending", MakeTzif({{10, 0}, {5, 0}}, {0}, ""));
  expect_corrupt("Bad/NoTypes", MakeTzif({}, {}, ""));
  expect_corrupt("Bad/HugeOffset", MakeTzif({}, {30 * 3600}, ""));
  // A directory is not a zone.
  std::filesystem::create_directories(dir + "/Dir/Zone");
  EXPECT_TRUE(TimeZone::Load("Dir/Zone").status().IsInvalidArgument());

  // Every truncation and many byte flips: an error or a zone, never a crash.
  for (size_t n = 0; n < berlin.size(); ++n) {
    WriteFile(dir + "/Trunc/Z" + std::to_string(n), berlin.substr(0, n));
    Result<TimeZone> r = TimeZone::Load("Trunc/Z" + std::to_string(n));
    ASSERT_FALSE(r.ok()) << n;
  }
  std::mt19937_64 rng(1);
  for (int i = 0; i < 2000; ++i) {
    std::string data = berlin;
    for (int k = 0; k < 3; ++k) data[rng() % data.size()] = static_cast<char>(rng());
    WriteFile(dir + "/Flip/Z" + std::to_string(i), data);
    Result<TimeZone> r = TimeZone::Load("Flip/Z" + std::to_string(i));
    if (r.ok()) {
      for (int64_t t : {INT64_MIN, int64_t{0}, Utc(2024, 3, 31), Utc(2090, 7, 1), INT64_MAX}) {
        (void)r->OffsetAt(t);
        (void)r->LocalToUtc(t);
        (void)r->NextTransition(t);
      }
    }
  }
  std::filesystem::remove_all(dir);
}

TEST(TimeZoneTest, ConcurrentLoads) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&failures, i] {
      for (int k = 0; k < 50; ++k) {
        const char* name = (i + k) % 2 ? "Europe/Berlin" : "America/New_York";
        Result<TimeZone> tz = TimeZone::Load(name);
        if (!tz.ok() || tz->name() != name) failures++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace parquedb::views
