#include "views/scheduler.h"

#include <algorithm>
#include <chrono>
#include <tuple>

namespace parquedb::views {

namespace {

// The scheduler whose job is running on this thread (to make RunDue re-entry a no-op).
thread_local const Scheduler* tl_running = nullptr;

}  // namespace

Scheduler::Scheduler(Clock* clock) : clock_(clock) {}

Scheduler::~Scheduler() {
  Stop();
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (thread_.joinable()) thread_.detach();  // only if destroyed from its own job (unsupported)
}

Status Scheduler::Add(std::string job, CronSchedule schedule, TimeZone tz, JobFn fn) {
  if (job.empty()) return Status::InvalidArgument("scheduler: empty job name");
  if (!fn) return Status::InvalidArgument("scheduler: job '" + job + "' has no function");
  Result<int64_t> next = schedule.NextAfter(clock_->NowMicros(), tz);
  if (!next.ok()) return next.status().WithContext("scheduler: job '" + job + "'");
  {
    std::lock_guard<std::mutex> lock(mu_);
    Job& j = jobs_[std::move(job)];
    j.id = next_id_++;
    j.schedule = std::move(schedule);
    j.tz = std::move(tz);
    j.fn = std::make_shared<const JobFn>(std::move(fn));
    j.next = *next;
    ++wake_seq_;
  }
  cv_.notify_all();
  return Status::OK();
}

Status Scheduler::Remove(std::string_view job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = jobs_.find(job);
    if (it == jobs_.end()) {
      return Status::NotFound("scheduler: no job '" + std::string(job) + "'");
    }
    jobs_.erase(it);
    ++wake_seq_;
  }
  cv_.notify_all();
  return Status::OK();
}

std::vector<std::string> Scheduler::Jobs() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> names;
  names.reserve(jobs_.size());
  for (const auto& [name, job] : jobs_) names.push_back(name);
  return names;
}

std::optional<int64_t> Scheduler::NextFire(std::string_view job) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(job);
  if (it == jobs_.end()) return std::nullopt;
  return it->second.next;
}

int Scheduler::RunDue() {
  if (tl_running == this) return 0;
  std::lock_guard<std::mutex> run(run_mu_);
  return RunDueHoldingRunLock();
}

int Scheduler::RunDueHoldingRunLock() {
  const int64_t now = clock_->NowMicros();
  struct Due {
    int64_t scheduled;
    std::string name;
    uint64_t id;
  };
  std::vector<Due> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, job] : jobs_) {
      if (job.next && *job.next <= now) due.push_back(Due{*job.next, name, job.id});
    }
  }
  std::sort(due.begin(), due.end(), [](const Due& a, const Due& b) {
    return std::tie(a.scheduled, a.name) < std::tie(b.scheduled, b.name);
  });
  int ran = 0;
  for (const Due& d : due) {
    std::shared_ptr<const JobFn> fn;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = jobs_.find(d.name);
      // Removed or replaced by an earlier job of this round: skip.
      if (it == jobs_.end() || it->second.id != d.id) continue;
      Job& job = it->second;
      // Reschedule before running, so the job may replace or remove itself.
      Result<int64_t> next = job.schedule.NextAfter(now, job.tz);
      job.next = next.ok() ? std::optional<int64_t>(*next) : std::nullopt;
      fn = job.fn;
    }
    const Scheduler* prev = tl_running;
    tl_running = this;
    (*fn)(d.scheduled);
    tl_running = prev;
    ++ran;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++wake_seq_;
  }
  cv_.notify_all();
  return ran;
}

void Scheduler::Loop() {
  using std::chrono::microseconds;
  using std::chrono::milliseconds;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    const int64_t now = clock_->NowMicros();
    std::optional<int64_t> earliest;
    for (const auto& [name, job] : jobs_) {
      if (job.next && (!earliest || *job.next < *earliest)) earliest = job.next;
    }
    if (earliest && *earliest <= now) {
      lock.unlock();
      // Never block on run_mu_ (a job in another thread's RunDue may be calling
      // Stop, which joins this thread): if busy, wait and re-check instead.
      std::unique_lock<std::mutex> run(run_mu_, std::try_to_lock);
      if (run.owns_lock()) {
        RunDueHoldingRunLock();
        run.unlock();
        lock.lock();
        continue;
      }
      lock.lock();
      const uint64_t seq = wake_seq_;
      cv_.wait_for(lock, milliseconds(kRecheckMillis), [&] { return stop_ || wake_seq_ != seq; });
      continue;
    }
    microseconds wait = milliseconds(kRecheckMillis);
    if (earliest) wait = std::min(wait, microseconds(*earliest - now));
    const uint64_t seq = wake_seq_;
    cv_.wait_for(lock, wait, [&] { return stop_ || wake_seq_ != seq; });
  }
}

Status Scheduler::Start() {
  if (std::this_thread::get_id() == worker_id_.load()) {
    // From a job on the background thread: it is running unless a stop is pending.
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return Status::Busy("scheduler: Start called from a job while stopping");
    return Status::OK();
  }
  std::lock_guard<std::mutex> life(lifecycle_mu_);
  if (thread_.joinable()) {
    bool stopping;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping = stop_;
    }
    if (!stopping) return Status::OK();
    thread_.join();  // a stop requested from a job: finish it
    worker_id_.store(std::thread::id());
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] {
    worker_id_.store(std::this_thread::get_id());
    Loop();
  });
  return Status::OK();
}

void Scheduler::RequestStop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    ++wake_seq_;
  }
  cv_.notify_all();
}

void Scheduler::Stop() {
  if (std::this_thread::get_id() == worker_id_.load()) {
    RequestStop();  // from a job on the background thread: it exits after the job
    return;
  }
  std::lock_guard<std::mutex> life(lifecycle_mu_);
  if (!thread_.joinable()) return;
  RequestStop();
  thread_.join();
  worker_id_.store(std::thread::id());
}

}  // namespace parquedb::views
