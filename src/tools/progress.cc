#include "progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace parquedb::cli {
namespace {

constexpr auto kRedrawEvery = std::chrono::milliseconds(100);  // ~10 Hz

int TerminalWidth(int fd) {
  winsize ws{};
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
  return 80;
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string Amount(double n, std::string_view unit) {
  return unit == "bytes" ? HumanBytes(n) : HumanCount(n);
}

}  // namespace

std::string HumanCount(double n) {
  if (n < 1000) return Fixed(n, 0);
  if (n < 1e6) return Fixed(n / 1e3, n < 1e4 ? 1 : 0) + "k";
  if (n < 1e9) return Fixed(n / 1e6, n < 1e7 ? 1 : 0) + "M";
  return Fixed(n / 1e9, 1) + "G";
}

std::string HumanBytes(double n) {
  if (n < 1024) return Fixed(n, 0) + " B";
  if (n < 1024.0 * 1024) return Fixed(n / 1024, 1) + " KiB";
  if (n < 1024.0 * 1024 * 1024) return Fixed(n / (1024.0 * 1024), 1) + " MiB";
  return Fixed(n / (1024.0 * 1024 * 1024), 2) + " GiB";
}

std::string HumanDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  int64_t s = std::llround(seconds);
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60));
  }
  return buf;
}

ProgressBar& ProgressBar::Get() {
  static ProgressBar* bar = new ProgressBar();  // never destroyed: used until exit
  return *bar;
}

bool ProgressBar::Enable(bool wanted) {
  std::lock_guard<std::mutex> l(mu_);
  enabled_ = wanted && ::isatty(STDERR_FILENO) == 1;
  return enabled_;
}

std::string ProgressBar::Render(std::string_view label, std::string_view unit, int64_t done,
                                int64_t total, std::string_view extra, double seconds,
                                int width) {
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::string counts = Amount(static_cast<double>(done), unit);
  if (total >= 0) counts += "/" + Amount(static_cast<double>(total), unit);
  if (unit != "bytes") counts += " " + std::string(unit);
  std::string tail = "  " + counts;
  if (!extra.empty()) tail += ", " + std::string(extra);
  if (rate > 0) {
    tail += "  " + (unit == "bytes" ? HumanBytes(rate) : HumanCount(rate)) + "/s";
  }
  if (total > 0 && done < total && rate > 0) {
    tail += "  ETA " + HumanDuration(static_cast<double>(total - done) / rate);
  } else {
    tail += "  " + HumanDuration(seconds);
  }
  std::string line(label);
  if (total > 0) {
    double frac = std::clamp(static_cast<double>(done) / static_cast<double>(total), 0.0, 1.0);
    int room = width - 1 - static_cast<int>(line.size() + tail.size()) - 8;  // " [] 100%"
    int bar = std::clamp(room, 10, 40);
    int full = static_cast<int>(frac * bar);
    line += " [" + std::string(static_cast<size_t>(full), '#') +
            std::string(static_cast<size_t>(bar - full), '-') + "] " +
            Fixed(std::floor(frac * 100), 0) + "%";
  }
  line += tail;
  if (static_cast<int>(line.size()) > width - 1) line.resize(static_cast<size_t>(width - 1));
  return line;
}

void ProgressBar::Update(std::string_view label, std::string_view unit, int64_t done,
                         int64_t total, std::string_view extra) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> l(mu_);
  if (label != label_) {
    label_ = std::string(label);
    started_ = now;
  } else if (shown_ && now - last_draw_ < kRedrawEvery && !(total > 0 && done == total)) {
    return;  // throttled (the completion of a task is always drawn)
  }
  last_draw_ = now;
  double seconds = std::chrono::duration<double>(now - started_).count();
  std::string line =
      Render(label, unit, done, total, extra, seconds, TerminalWidth(STDERR_FILENO));
  std::fflush(stdout);  // rows already printed go first
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  shown_ = true;
}

ProgressFn ProgressBar::Callback() {
  if (!enabled_) return nullptr;
  return [this](const Progress& p) {
    std::string label(p.operation);
    if (!p.target.empty()) label += " " + std::string(p.target);
    std::string extra;
    if (p.removed >= 0) extra = std::to_string(p.removed) + " removed";
    Update(label, p.unit, p.done, p.total, extra);
  };
}

void ProgressBar::Clear() {
  if (!shown_) return;
  std::lock_guard<std::mutex> l(mu_);
  ClearLocked();
}

void ProgressBar::ClearLocked() {
  if (!shown_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace parquedb::cli
