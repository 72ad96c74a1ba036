// Scheduler: runs named jobs (scheduled view refreshes) on cron schedules, in
// process. Time comes from a parquedb::Clock, so tests drive it with a
// ManualClock and no sleeps.
//
// Two ways to run jobs:
//  - RunDue(): synchronously, in the caller's thread, runs every job whose next
//    fire time is <= clock->NowMicros();
//  - Start()/Stop(): a background thread waits for the earliest fire time (it
//    re-reads the clock at least every 100 ms of real time, so a ManualClock
//    advanced by another thread is noticed; Add/Remove/Stop wake it at once) and
//    calls RunDue.
//
// Missed runs collapse: a job that missed several fire times (clock jumped, the
// process was busy) runs ONCE, with `scheduled_micros` = the earliest missed
// fire time; its next fire time is then the first one strictly after "now" (the
// time RunDue started). Jobs due in the same RunDue run in order of fire time,
// then name.
//
// Thread-safety: all methods are thread-safe. Jobs never run concurrently with
// each other (one RunDue at a time, across the caller's threads and the
// background thread). A job may call Add/Remove/Jobs/NextFire/Stop on its own
// scheduler (no deadlock); RunDue called from inside a job returns 0. Job
// functions must not throw. `clock` must outlive the scheduler; the scheduler
// must not be destroyed from inside one of its own jobs.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "parquedb/env.h"
#include "parquedb/status.h"
#include "views/cron.h"
#include "views/timezone.h"

namespace parquedb::views {

class Scheduler {
 public:
  using JobFn = std::function<void(int64_t scheduled_micros)>;

  // How often (real time) the background thread re-reads the clock at most.
  static constexpr int64_t kRecheckMillis = 100;

  explicit Scheduler(Clock* clock);
  // Stops the background thread (waits for a running job to finish).
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Adds `job`, or replaces the job with that name (its pending run is dropped;
  // a run already in progress finishes). The next fire time is the first one
  // strictly after clock->NowMicros() in `tz`. InvalidArgument for an empty name,
  // an empty `fn`, or a schedule that never fires (the CronSchedule error).
  Status Add(std::string job, CronSchedule schedule, TimeZone tz, JobFn fn);
  // NotFound if there is no such job. A run already in progress finishes.
  Status Remove(std::string_view job);
  // Job names, sorted.
  std::vector<std::string> Jobs() const;
  // The job's next fire time (UTC micros); nullopt if unknown or if it has no
  // fire time left (beyond year 9999).
  std::optional<int64_t> NextFire(std::string_view job) const;

  // Runs the due jobs (see above); returns how many ran.
  int RunDue();

  // Starts the background thread; OK if already running.
  Status Start();
  // Stops and joins the background thread (no-op if not running). From inside a
  // job running on the background thread it only requests the stop.
  void Stop();

 private:
  struct Job {
    uint64_t id = 0;
    CronSchedule schedule;
    TimeZone tz;
    std::shared_ptr<const JobFn> fn;
    std::optional<int64_t> next;
  };

  // RunDue with run_mu_ already held.
  int RunDueHoldingRunLock();
  void Loop();
  void RequestStop();

  Clock* const clock_;

  mutable std::mutex mu_;  // guards everything below except thread_
  std::condition_variable cv_;
  std::map<std::string, Job, std::less<>> jobs_;
  uint64_t next_id_ = 1;
  uint64_t wake_seq_ = 0;  // bumped by Add/Remove/Stop and after each RunDue
  bool stop_ = false;

  std::mutex run_mu_;        // one RunDue at a time
  std::mutex lifecycle_mu_;  // serializes Start/Stop; guards thread_
  std::thread thread_;
  std::atomic<std::thread::id> worker_id_{};  // the background thread, if any
};

}  // namespace parquedb::views
