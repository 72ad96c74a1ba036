#include "views/cron.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <vector>

namespace parquedb::views {

namespace {

struct FieldSpec {
  const char* name;
  int min;
  int max;                   // largest accepted value (7 for day-of-week)
  const char* const* names;  // 3-letter names for min..min+n-1, or nullptr
  int num_names;
  const char* names_kind;  // "month" / "day"
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

constexpr FieldSpec kFields[5] = {
    {"minute", 0, 59, nullptr, 0, nullptr},       {"hour", 0, 23, nullptr, 0, nullptr},
    {"day-of-month", 1, 31, nullptr, 0, nullptr}, {"month", 1, 12, kMonthNames, 12, "month"},
    {"day-of-week", 0, 7, kDayNames, 7, "day"},
};

constexpr uint64_t kAllMinutes = (uint64_t{1} << 60) - 1;
constexpr uint32_t kAllHours = (uint32_t{1} << 24) - 1;
constexpr uint32_t kAllDom = ((uint32_t{1} << 31) - 1) << 1;  // bits 1..31
constexpr uint32_t kAllMonths = ((uint32_t{1} << 12) - 1) << 1;
constexpr uint32_t kAllDow = (uint32_t{1} << 7) - 1;

// Years 0001..9999 are supported by NextAfter.
const int64_t kMinCronMicros = DaysFromCivil(1, 1, 1) * kMicrosPerDay;
const int64_t kMaxCronMicros = DaysFromCivil(10000, 1, 1) * kMicrosPerDay;
// Any schedule that can fire does so within 8 years (Feb 29 across 2100).
constexpr int64_t kSearchHorizon = 3700 * kMicrosPerDay;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

class FieldParser {
 public:
  FieldParser(std::string_view expr, const FieldSpec& spec) : expr_(expr), spec_(spec) {}

  Status Error(const std::string& msg) const {
    return Status::InvalidArgument("cron '" + std::string(expr_) + "': " + spec_.name + " " + msg);
  }

  // Parses one field into a bit set over [spec.min, spec.max] (day-of-week 7 -> 0).
  Status Parse(std::string_view field, uint64_t* bits) {
    *bits = 0;
    size_t start = 0;
    while (true) {
      size_t comma = field.find(',', start);
      std::string_view item = field.substr(
          start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      if (item.empty()) return Error("has an empty list item in '" + std::string(field) + "'");
      PQ_RETURN_IF_ERROR(ParseItem(item, bits));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (spec_.max == 7 && (*bits & (uint64_t{1} << 7))) {
      *bits = (*bits & ~(uint64_t{1} << 7)) | 1;  // 7 is Sunday
    }
    return Status::OK();
  }

 private:
  Status ParseItem(std::string_view item, uint64_t* bits) {
    std::string_view base = item;
    int64_t step = 1;
    bool has_step = false;
    const size_t slash = item.find('/');
    if (slash != std::string_view::npos) {
      base = item.substr(0, slash);
      std::string_view st = item.substr(slash + 1);
      has_step = true;
      if (!ParseNumber(st, &step)) return Error("step '" + std::string(st) + "' is not a number");
      const int64_t span = spec_.max == 7 ? 7 : spec_.max - spec_.min + 1;
      if (step < 1 || step > span) {
        return Error("step " + std::string(st) + " out of range 1-" + std::to_string(span));
      }
      if (base.empty()) return Error("has a step without a range in '" + std::string(item) + "'");
    }
    int64_t lo, hi;
    if (base == "*") {
      lo = spec_.min;
      hi = spec_.max == 7 ? 6 : spec_.max;
    } else {
      const size_t dash = base.find('-');
      if (dash != std::string_view::npos) {
        PQ_RETURN_IF_ERROR(ParseValue(base.substr(0, dash), item, &lo));
        PQ_RETURN_IF_ERROR(ParseValue(base.substr(dash + 1), item, &hi));
        if (lo > hi) {
          return Error("range " + std::string(base) + " is reversed");
        }
      } else {
        PQ_RETURN_IF_ERROR(ParseValue(base, item, &lo));
        // "A/S" means A through the maximum, step S.
        hi = has_step ? (spec_.max == 7 ? 6 : spec_.max) : lo;
        if (hi < lo) hi = lo;  // "7/2" in day-of-week
      }
    }
    for (int64_t v = lo; v <= hi; v += step) *bits |= uint64_t{1} << v;
    return Status::OK();
  }

  static bool ParseNumber(std::string_view s, int64_t* out) {
    if (s.empty() || s.size() > 9) return false;
    int64_t v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
  }

  Status ParseValue(std::string_view tok, std::string_view item, int64_t* out) {
    if (tok.empty()) return Error("has an empty value in '" + std::string(item) + "'");
    const bool digits =
        std::all_of(tok.begin(), tok.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) {
      if (spec_.names != nullptr) {
        const std::string up = Upper(tok);
        for (int i = 0; i < spec_.num_names; ++i) {
          if (up == spec_.names[i]) {
            *out = spec_.min + i;
            return Status::OK();
          }
        }
        return Error("value '" + std::string(tok) + "' is not a number or " + spec_.names_kind +
                     " name");
      }
      return Error("value '" + std::string(tok) + "' is not a number");
    }
    if (!ParseNumber(tok, out) || *out < spec_.min || *out > spec_.max) {
      return Error(std::string(tok) + " out of range " + std::to_string(spec_.min) + "-" +
                   std::to_string(spec_.max));
    }
    return Status::OK();
  }

  std::string_view expr_;
  const FieldSpec& spec_;
};

int NextBit(uint64_t bits, int from) {
  if (from >= 64) return -1;
  const uint64_t rest = bits >> from;
  if (rest == 0) return -1;
  return from + std::countr_zero(rest);
}

std::string FormatField(uint64_t bits, int min, int max) {
  const uint64_t all =
      ((max >= 63 ? 0 : (uint64_t{1} << (max + 1))) - 1) & ~((uint64_t{1} << min) - 1);
  if (bits == all) return "*";
  // "*/S": every S-th value from the minimum.
  for (int s = 2; s <= max - min; ++s) {
    uint64_t pattern = 0;
    for (int v = min; v <= max; v += s) pattern |= uint64_t{1} << v;
    if (pattern == bits) return "*/" + std::to_string(s);
  }
  std::string out;
  for (int v = min; v <= max;) {
    if (!(bits >> v & 1)) {
      ++v;
      continue;
    }
    int end = v;
    while (end + 1 <= max && (bits >> (end + 1) & 1)) ++end;
    if (!out.empty()) out += ',';
    if (end - v >= 2) {
      out += std::to_string(v) + "-" + std::to_string(end);
    } else {
      out += std::to_string(v);
      if (end > v) out += "," + std::to_string(end);
    }
    v = end + 1;
  }
  return out;
}

}  // namespace

CronSchedule::CronSchedule()
    : expr_("* * * * *"),
      minutes_(kAllMinutes),
      hours_(kAllHours),
      dom_(kAllDom),
      months_(kAllMonths),
      dow_(kAllDow) {}

Result<CronSchedule> CronSchedule::Parse(std::string_view input) {
  const std::string_view expr = Trim(input);
  auto error = [&](const std::string& msg) {
    return Status::InvalidArgument("cron '" + std::string(expr) + "': " + msg);
  };
  if (expr.empty()) return error("empty expression");
  std::string_view text = expr;
  if (expr.front() == '@') {
    const std::string m = Upper(expr);
    if (m == "@YEARLY" || m == "@ANNUALLY") {
      text = "0 0 1 1 *";
    } else if (m == "@MONTHLY") {
      text = "0 0 1 * *";
    } else if (m == "@WEEKLY") {
      text = "0 0 * * 0";
    } else if (m == "@DAILY" || m == "@MIDNIGHT") {
      text = "0 0 * * *";
    } else if (m == "@HOURLY") {
      text = "0 * * * *";
    } else {
      return error("unknown macro '" + std::string(expr) +
                   "' (expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or "
                   "@hourly)");
    }
  }
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    if (i >= text.size()) break;
    size_t j = i;
    while (j < text.size() && !IsSpace(text[j])) ++j;
    fields.push_back(text.substr(i, j - i));
    i = j;
  }
  if (fields.size() != 5) {
    return error("expected 5 fields (minute hour day-of-month month day-of-week), got " +
                 std::to_string(fields.size()));
  }
  uint64_t bits[5];
  for (int f = 0; f < 5; ++f) {
    FieldParser p(expr, kFields[f]);
    PQ_RETURN_IF_ERROR(p.Parse(fields[f], &bits[f]));
  }
  CronSchedule s;
  s.expr_ = std::string(expr);
  s.minutes_ = bits[0];
  s.hours_ = static_cast<uint32_t>(bits[1]);
  s.dom_ = static_cast<uint32_t>(bits[2]);
  s.months_ = static_cast<uint32_t>(bits[3]);
  s.dow_ = static_cast<uint32_t>(bits[4]);
  return s;
}

std::string CronSchedule::ToString() const {
  return FormatField(minutes_, 0, 59) + " " + FormatField(hours_, 0, 23) + " " +
         FormatField(dom_, 1, 31) + " " + FormatField(months_, 1, 12) + " " +
         FormatField(dow_, 0, 6);
}

bool CronSchedule::DayMatches(int64_t days, int day_of_month) const {
  const bool dom_ok = (dom_ >> day_of_month) & 1;
  const bool dow_ok = (dow_ >> WeekdayFromDays(days)) & 1;
  if (dom_ != kAllDom && dow_ != kAllDow) return dom_ok || dow_ok;
  return dom_ok && dow_ok;
}

bool CronSchedule::MatchesLocal(int64_t local_micros) const {
  const int64_t days = FloorDiv(local_micros, kMicrosPerDay);
  const int64_t mod = FloorMod(local_micros, kMicrosPerDay);
  const int hour = static_cast<int>(mod / kMicrosPerHour);
  const int minute = static_cast<int>(mod % kMicrosPerHour / kMicrosPerMinute);
  const CivilDate c = CivilFromDays(days);
  return ((minutes_ >> minute) & 1) && ((hours_ >> hour) & 1) && ((months_ >> c.month) & 1) &&
         DayMatches(days, c.day);
}

bool CronSchedule::CanFire() const {
  if (dom_ != kAllDom && dow_ != kAllDow) return true;  // any day-of-week day matches
  if (dom_ == kAllDom) return true;                     // every month has every weekday
  static constexpr int kMaxDays[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int m = 1; m <= 12; ++m) {
    if (!((months_ >> m) & 1)) continue;
    if (dom_ & ((uint64_t{1} << (kMaxDays[m] + 1)) - 1)) return true;
  }
  return false;
}

bool CronSchedule::NextMatchLocal(int64_t from_local, int64_t limit_local, int64_t* out) const {
  // Round up to a whole minute.
  int64_t t = -FloorDiv(-from_local, kMicrosPerMinute) * kMicrosPerMinute;
  if (t >= limit_local) return false;
  int64_t days = FloorDiv(t, kMicrosPerDay);
  const int64_t mod = FloorMod(t, kMicrosPerDay);
  int hour = static_cast<int>(mod / kMicrosPerHour);
  int minute = static_cast<int>(mod % kMicrosPerHour / kMicrosPerMinute);
  CivilDate c = CivilFromDays(days);
  const int64_t limit_days = FloorDiv(limit_local, kMicrosPerDay);
  auto next_day = [&] {
    ++days;
    c = CivilFromDays(days);
    hour = 0;
    minute = 0;
  };
  while (days <= limit_days) {
    if (!((months_ >> c.month) & 1)) {
      int m = NextBit(months_, c.month + 1);
      int64_t year = c.year;
      if (m < 0 || m > 12) {
        ++year;
        m = NextBit(months_, 1);
      }
      days = DaysFromCivil(year, m, 1);
      c = CivilDate{year, m, 1};
      hour = 0;
      minute = 0;
      continue;
    }
    if (!DayMatches(days, c.day)) {
      next_day();
      continue;
    }
    const int h = NextBit(hours_, hour);
    if (h < 0) {
      next_day();
      continue;
    }
    if (h != hour) {
      hour = h;
      minute = 0;
    }
    const int m = NextBit(minutes_, minute);
    if (m < 0) {
      if (++hour >= 24) {
        next_day();
      } else {
        minute = 0;
      }
      continue;
    }
    const int64_t result = days * kMicrosPerDay + hour * kMicrosPerHour + m * kMicrosPerMinute;
    if (result >= limit_local) return false;
    *out = result;
    return true;
  }
  return false;
}

Result<int64_t> CronSchedule::NextAfter(int64_t after, const TimeZone& tz) const {
  if (!CanFire()) {
    return Status::InvalidArgument("cron '" + expr_ +
                                   "' never fires (no selected month has the selected "
                                   "day-of-month)");
  }
  if (after < kMinCronMicros || after >= kMaxCronMicros) {
    return Status::InvalidArgument("cron '" + expr_ + "': instant " + std::to_string(after) +
                                   " is outside years 0001-9999");
  }
  const bool hour_wild = hours_ == kAllHours;
  const int64_t horizon = std::min(after + kSearchHorizon, kMaxCronMicros);
  int64_t seg_start = after + 1;
  while (seg_start < horizon) {
    const int64_t off = tz.OffsetAt(seg_start);
    const std::optional<int64_t> seg_end = tz.NextTransition(seg_start);
    const int64_t end = seg_end ? std::min(*seg_end, horizon) : horizon;
    // Matching local minutes inside this constant-offset segment.
    int64_t lt;
    int64_t from = seg_start + off;
    while (NextMatchLocal(from, end + off, &lt)) {
      const int64_t u = lt - off;
      // A repeated local time fires at its first occurrence only (unless hourly).
      if (hour_wild || tz.LocalToUtc(lt) == u) return u;
      from = lt + kMicrosPerMinute;
    }
    if (!seg_end || *seg_end >= horizon) break;
    // A forward jump skips local times [seg_end + off, seg_end + off2): if any of
    // them matches, fire at the first instant after the gap.
    const int64_t off2 = tz.OffsetAt(*seg_end);
    if (off2 > off && NextMatchLocal(*seg_end + off, *seg_end + off2, &lt)) return *seg_end;
    seg_start = *seg_end;
  }
  if (horizon == kMaxCronMicros) {
    return Status::InvalidArgument("cron '" + expr_ + "': no fire time before year 10000");
  }
  return Status::InvalidArgument("cron '" + expr_ + "' never fires");
}

}  // namespace parquedb::views
