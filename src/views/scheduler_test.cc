#include "views/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace parquedb::views {
namespace {

constexpr int64_t kH = kMicrosPerHour;
constexpr int64_t kM = kMicrosPerMinute;

int64_t Utc(int64_t y, int mo, int d, int h = 0, int mi = 0) {
  return DaysFromCivil(y, mo, d) * kMicrosPerDay + h * kH + mi * kM;
}

CronSchedule Cron(std::string_view expr) {
  Result<CronSchedule> c = CronSchedule::Parse(expr);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : CronSchedule();
}

// Records (job, scheduled) pairs; thread-safe; lets a test wait for N runs.
class Recorder {
 public:
  Scheduler::JobFn Fn(std::string name) {
    return [this, name](int64_t scheduled) {
      std::lock_guard<std::mutex> lock(mu_);
      runs_.emplace_back(name, scheduled);
      cv_.notify_all();
    };
  }
  std::vector<std::pair<std::string, int64_t>> Take() {
    std::lock_guard<std::mutex> lock(mu_);
    auto out = std::move(runs_);
    runs_.clear();
    return out;
  }
  // Waits (real time, bounded) until at least n runs are recorded.
  bool WaitFor(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return runs_.size() >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<std::string, int64_t>> runs_;
};

using Runs = std::vector<std::pair<std::string, int64_t>>;

TEST(SchedulerTest, RunDueRunsExactlyTheDueJobs) {
  ManualClock clock(Utc(2024, 5, 15, 13, 47));
  Scheduler s(&clock);
  Recorder rec;
  ASSERT_TRUE(s.Add("hourly", Cron("0 * * * *"), TimeZone(), rec.Fn("hourly")).ok());
  ASSERT_TRUE(s.Add("daily", Cron("0 2 * * *"), TimeZone(), rec.Fn("daily")).ok());
  ASSERT_TRUE(s.Add("every5", Cron("*/5 * * * *"), TimeZone(), rec.Fn("every5")).ok());
  EXPECT_EQ(s.Jobs(), (std::vector<std::string>{"daily", "every5", "hourly"}));
  EXPECT_EQ(s.NextFire("hourly"), Utc(2024, 5, 15, 14));
  EXPECT_EQ(s.NextFire("daily"), Utc(2024, 5, 16, 2));
  EXPECT_EQ(s.NextFire("every5"), Utc(2024, 5, 15, 13, 50));
  EXPECT_FALSE(s.NextFire("nope").has_value());

  EXPECT_EQ(s.RunDue(), 0);
  clock.SetMicros(Utc(2024, 5, 15, 13, 50) - 1);
  EXPECT_EQ(s.RunDue(), 0);
  clock.SetMicros(Utc(2024, 5, 15, 13, 50));
  EXPECT_EQ(s.RunDue(), 1);
  EXPECT_EQ(rec.Take(), (Runs{{"every5", Utc(2024, 5, 15, 13, 50)}}));
  EXPECT_EQ(s.NextFire("every5"), Utc(2024, 5, 15, 13, 55));
  EXPECT_EQ(s.RunDue(), 0);  // already ran for 13:50

  clock.SetMicros(Utc(2024, 5, 15, 14) + 30 * kMicrosPerSecond);
  EXPECT_EQ(s.RunDue(), 2);
  // Ordered by scheduled time, then name; every5 missed 13:55 and 14:00 -> one run.
  EXPECT_EQ(rec.Take(),
            (Runs{{"every5", Utc(2024, 5, 15, 13, 55)}, {"hourly", Utc(2024, 5, 15, 14)}}));
  EXPECT_EQ(s.NextFire("every5"), Utc(2024, 5, 15, 14, 5));
  EXPECT_EQ(s.NextFire("hourly"), Utc(2024, 5, 15, 15));
}

TEST(SchedulerTest, MissedRunsCollapse) {
  ManualClock clock(Utc(2024, 5, 15, 13, 47));
  Scheduler s(&clock);
  Recorder rec;
  ASSERT_TRUE(s.Add("hourly", Cron("0 * * * *"), TimeZone(), rec.Fn("hourly")).ok());
  clock.AdvanceMicros(5 * kH);  // 18:47: missed 14:00 .. 18:00
  EXPECT_EQ(s.RunDue(), 1);
  EXPECT_EQ(rec.Take(), (Runs{{"hourly", Utc(2024, 5, 15, 14)}}));
  EXPECT_EQ(s.NextFire("hourly"), Utc(2024, 5, 15, 19));
  EXPECT_EQ(s.RunDue(), 0);
  clock.AdvanceMicros(400 * 24 * kH);  // over a year
  EXPECT_EQ(s.RunDue(), 1);
  EXPECT_EQ(rec.Take().size(), 1u);
  EXPECT_EQ(s.NextFire("hourly"), Utc(2025, 6, 19, 19));
}

TEST(SchedulerTest, AddReplacesRemoveAndErrors) {
  ManualClock clock(Utc(2024, 5, 15, 13, 47));
  Scheduler s(&clock);
  Recorder rec;
  ASSERT_TRUE(s.Add("job", Cron("0 * * * *"), TimeZone(), rec.Fn("a")).ok());
  ASSERT_TRUE(s.Add("job", Cron("0 2 * * *"), TimeZone(), rec.Fn("b")).ok());
  EXPECT_EQ(s.Jobs(), std::vector<std::string>{"job"});
  EXPECT_EQ(s.NextFire("job"), Utc(2024, 5, 16, 2));
  clock.SetMicros(Utc(2024, 5, 16, 2));
  EXPECT_EQ(s.RunDue(), 1);
  EXPECT_EQ(rec.Take(), (Runs{{"b", Utc(2024, 5, 16, 2)}}));

  EXPECT_TRUE(s.Remove("job").ok());
  EXPECT_TRUE(s.Remove("job").IsNotFound());
  EXPECT_TRUE(s.Jobs().empty());
  EXPECT_FALSE(s.NextFire("job").has_value());

  Status st = s.Add("never", Cron("0 0 30 2 *"), TimeZone(), rec.Fn("never"));
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("never fires"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("'never'"), std::string::npos) << st.ToString();
  EXPECT_TRUE(s.Add("", Cron("* * * * *"), TimeZone(), rec.Fn("x")).IsInvalidArgument());
  EXPECT_TRUE(s.Add("x", Cron("* * * * *"), TimeZone(), nullptr).IsInvalidArgument());
  EXPECT_TRUE(s.Jobs().empty());
}

TEST(SchedulerTest, TimeZoneAware) {
  Result<TimeZone> ny = TimeZone::Load("America/New_York");
  ASSERT_TRUE(ny.ok());
  ManualClock clock(Utc(2024, 3, 9, 12));
  Scheduler s(&clock);
  Recorder rec;
  ASSERT_TRUE(s.Add("nightly", Cron("30 2 * * *"), *ny, rec.Fn("nightly")).ok());
  // 02:30 is skipped on 2024-03-10: fires at 03:00 EDT.
  EXPECT_EQ(s.NextFire("nightly"), Utc(2024, 3, 10, 7));
  clock.SetMicros(Utc(2024, 3, 10, 7));
  EXPECT_EQ(s.RunDue(), 1);
  EXPECT_EQ(s.NextFire("nightly"), Utc(2024, 3, 11, 6, 30));
}

TEST(SchedulerTest, JobsMayAddAndRemoveJobs) {
  ManualClock clock(Utc(2024, 5, 15, 13, 59));
  Scheduler s(&clock);
  Recorder rec;
  int reentrant = -1;
  // "a" runs first (same time, name order): removes "b", adds "c", replaces "d",
  // removes itself, and tries to re-enter RunDue.
  ASSERT_TRUE(s.Add("a", Cron("0 * * * *"), TimeZone(), [&](int64_t t) {
                 rec.Fn("a")(t);
                 EXPECT_TRUE(s.Remove("b").ok());
                 EXPECT_TRUE(s.Add("c", Cron("*/5 * * * *"), TimeZone(), rec.Fn("c")).ok());
                 EXPECT_TRUE(s.Add("d", Cron("0 3 * * *"), TimeZone(), rec.Fn("d2")).ok());
                 EXPECT_TRUE(s.Remove("a").ok());
                 EXPECT_EQ(s.Jobs().size(), 3u);  // c, d, self
                 reentrant = s.RunDue();
               }).ok());
  ASSERT_TRUE(s.Add("b", Cron("0 * * * *"), TimeZone(), rec.Fn("b")).ok());
  ASSERT_TRUE(s.Add("d", Cron("0 * * * *"), TimeZone(), rec.Fn("d")).ok());
  // A job that replaces itself with a different schedule.
  ASSERT_TRUE(s.Add("self", Cron("0 * * * *"), TimeZone(), [&](int64_t t) {
                 rec.Fn("self")(t);
                 EXPECT_TRUE(s.Add("self", Cron("0 12 * * *"), TimeZone(), rec.Fn("self2")).ok());
               }).ok());
  clock.SetMicros(Utc(2024, 5, 15, 14));
  EXPECT_EQ(s.RunDue(), 2);  // a and self; b removed, d replaced (not due)
  EXPECT_EQ(reentrant, 0);
  EXPECT_EQ(rec.Take(), (Runs{{"a", Utc(2024, 5, 15, 14)}, {"self", Utc(2024, 5, 15, 14)}}));
  EXPECT_EQ(s.Jobs(), (std::vector<std::string>{"c", "d", "self"}));
  EXPECT_EQ(s.NextFire("c"), Utc(2024, 5, 15, 14, 5));
  EXPECT_EQ(s.NextFire("d"), Utc(2024, 5, 16, 3));
  EXPECT_EQ(s.NextFire("self"), Utc(2024, 5, 16, 12));  // the replacement's schedule
}

TEST(SchedulerTest, BackgroundWithManualClock) {
  const auto start = std::chrono::steady_clock::now();
  ManualClock clock(Utc(2024, 5, 15, 13, 47));
  Scheduler s(&clock);
  Recorder rec;
  ASSERT_TRUE(s.Add("minutely", Cron("* * * * *"), TimeZone(), rec.Fn("minutely")).ok());
  ASSERT_TRUE(s.Start().ok());
  ASSERT_TRUE(s.Start().ok());  // idempotent
  clock.AdvanceMicros(kM);
  ASSERT_TRUE(rec.WaitFor(1));
  EXPECT_EQ(rec.Take(), (Runs{{"minutely", Utc(2024, 5, 15, 13, 48)}}));
  clock.AdvanceMicros(10 * kM);  // missed runs collapse in the background too
  ASSERT_TRUE(rec.WaitFor(1));
  EXPECT_EQ(rec.Take(), (Runs{{"minutely", Utc(2024, 5, 15, 13, 49)}}));
  // A job added while running is picked up.
  ASSERT_TRUE(s.Add("hourly", Cron("0 * * * *"), TimeZone(), rec.Fn("hourly")).ok());
  clock.SetMicros(Utc(2024, 5, 15, 14));
  ASSERT_TRUE(rec.WaitFor(2));
  Runs runs = rec.Take();
  std::sort(runs.begin(), runs.end());
  EXPECT_EQ(runs, (Runs{{"hourly", Utc(2024, 5, 15, 14)}, {"minutely", Utc(2024, 5, 15, 13, 59)}}));
  s.Stop();
  s.Stop();  // idempotent
  // Stopped: nothing runs in the background any more (one re-check period).
  clock.AdvanceMicros(kH);
  EXPECT_FALSE(rec.WaitFor(1, std::chrono::milliseconds(110)));
  EXPECT_EQ(s.RunDue(), 2);  // but RunDue still works
  // Restart works.
  ASSERT_TRUE(s.Start().ok());
  rec.Take();
  clock.AdvanceMicros(kH);
  ASSERT_TRUE(rec.WaitFor(2));
  s.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST(SchedulerTest, StopFromInsideABackgroundJob) {
  ManualClock clock(Utc(2024, 5, 15, 13, 47));
  Scheduler s(&clock);
  Recorder rec;
  ASSERT_TRUE(s.Add("stopper", Cron("* * * * *"), TimeZone(), [&](int64_t t) {
                 s.Stop();
                 rec.Fn("stopper")(t);
               }).ok());
  ASSERT_TRUE(s.Start().ok());
  clock.AdvanceMicros(kM);
  ASSERT_TRUE(rec.WaitFor(1));
  s.Stop();  // joins the thread that stopped itself
  clock.AdvanceMicros(kM);
  EXPECT_EQ(rec.Take().size(), 1u);  // the thread is joined: nothing else ran
  ASSERT_TRUE(s.Start().ok());
  ASSERT_TRUE(rec.WaitFor(1));
  s.Stop();
}

TEST(SchedulerTest, JobsNeverOverlap) {
  ManualClock clock(Utc(2024, 5, 15, 13, 47));
  Scheduler s(&clock);
  std::atomic<int> in_job{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> runs{0};
  auto fn = [&](int64_t) {
    if (in_job.fetch_add(1) != 0) overlaps++;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    in_job.fetch_sub(1);
    runs++;
  };
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(s.Add("job" + std::to_string(i), Cron("* * * * *"), TimeZone(), fn).ok());
  }
  ASSERT_TRUE(s.Start().ok());
  for (int i = 0; i < 20; ++i) {
    clock.AdvanceMicros(kM);
    s.RunDue();  // races with the background thread
  }
  s.Stop();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_GE(runs.load(), 80);  // every job, every minute, by one runner or the other
}

TEST(SchedulerTest, DestructorStopsBackgroundThread) {
  ManualClock clock(0);
  auto s = std::make_unique<Scheduler>(&clock);
  ASSERT_TRUE(s->Add("x", Cron("* * * * *"), TimeZone(), [](int64_t) {}).ok());
  ASSERT_TRUE(s->Start().ok());
  s.reset();  // must not hang or crash
}

}  // namespace
}  // namespace parquedb::views
