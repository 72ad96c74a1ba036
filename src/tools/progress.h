// Progress bar of the `parquedb` CLI: one line on stderr, redrawn at most ~10 times
// a second, only when stderr is a terminal and progress is not turned off
// (--no-progress, --quiet). Fed by the library's Options::progress reports and by
// the CLI's own input reading. Output on stdout and error messages clear the line
// first, so the bar never ends up inside them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "parquedb/db.h"

namespace parquedb::cli {

class ProgressBar {
 public:
  // The process-wide bar (disabled until Enable(true)).
  static ProgressBar& Get();

  // Turns the bar on when `wanted` and stderr is a terminal; returns whether it is on.
  bool Enable(bool wanted);
  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }

  // Reports `done` of `total` (-1: unknown) `unit`s of the task `label`. A new label
  // restarts the rate and ETA. Cheap when disabled or throttled (done == total is
  // always drawn).
  void Update(std::string_view label, std::string_view unit, int64_t done, int64_t total,
              std::string_view extra = {});
  // A callback for Options::progress (empty when the bar is disabled).
  ProgressFn Callback();
  // Erases the bar line if it is shown (before other output).
  void Clear();

  // The text of one bar line (no control characters), `width` columns at most;
  // `seconds`: time spent on the task so far. Exposed for tests.
  static std::string Render(std::string_view label, std::string_view unit, int64_t done,
                            int64_t total, std::string_view extra, double seconds, int width);

 private:
  ProgressBar() = default;
  void ClearLocked();

  std::mutex mu_;
  std::atomic<bool> enabled_{false};
  std::atomic<bool> shown_{false};  // a bar line is on screen
  std::string label_;
  std::chrono::steady_clock::time_point started_, last_draw_;
};

// Human-readable numbers: "12.3k", "4.5M"; byte counts "12.3 KiB"; durations "3m05s".
std::string HumanCount(double n);
std::string HumanBytes(double n);
std::string HumanDuration(double seconds);

}  // namespace parquedb::cli
