#include "views/timezone.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace parquedb::views {

// ---------------------------------------------------------------------------
// Calendar helpers.

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b) != 0 && a < 0) --q;
  return q;
}

int64_t FloorMod(int64_t a, int64_t b) {
  int64_t r = a % b;
  return r < 0 ? r + b : r;
}

bool IsLeapYear(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

// Counts days in 400-year eras (146097 days each) with years starting on March 1,
// so the leap day is the last day of the shifted year.
int64_t DaysFromCivil(int64_t year, int month, int day) {
  const int64_t y = year - (month <= 2 ? 1 : 0);
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;                          // [0, 399]
  const int64_t mp = (month + 9) % 12;                        // March = 0
  const int64_t doy = (153 * mp + 2) / 5 + day - 1;           // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // [0, 146096]
  return era * 146097 + doe - 719468;                         // 719468: 0000-03-01
}

CivilDate CivilFromDays(int64_t days) {
  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return CivilDate{year, month, day};
}

int WeekdayFromDays(int64_t days) {
  return static_cast<int>(FloorMod(days + 4, 7));  // 1970-01-01 was a Thursday
}

namespace {

int64_t SatAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
  return r;
}

int64_t SatSub(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? INT64_MAX : INT64_MIN;
  return r;
}

int64_t SatMul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
  return r;
}

// RFC 8536 recommends UT offsets in [-89999, 93599] seconds (about -25h..+26h).
constexpr int64_t kMinOffsetSecs = -89999;
constexpr int64_t kMaxOffsetSecs = 93599;
// Years outside this range are clamped when evaluating a footer rule; offsets
// there are the same as in the clamped year's season anyway.
constexpr int64_t kMaxRuleYear = 1'000'000;

// One date rule of a POSIX TZ string: "Jn", "n" or "Mm.w.d", plus "/time".
struct PosixDateRule {
  enum class Kind : uint8_t { kJulian1, kJulian0, kMonthWeekDay };
  Kind kind = Kind::kMonthWeekDay;
  int day = 0;               // Jn: 1..365; n: 0..365; M: weekday 0..6
  int week = 0;              // M: 1..5
  int month = 0;             // M: 1..12
  int64_t time_secs = 7200;  // local time of day of the transition, -167h..167h
};

// A parsed POSIX TZ string (the TZif footer).
struct PosixTz {
  int64_t std_off = 0;  // seconds east of UTC
  bool has_dst = false;
  int64_t dst_off = 0;
  PosixDateRule start, end;
};

// Days since the epoch of the day a date rule designates in `year`.
int64_t RuleDay(int64_t year, const PosixDateRule& r) {
  const int64_t jan1 = DaysFromCivil(year, 1, 1);
  switch (r.kind) {
    case PosixDateRule::Kind::kJulian1:
      return jan1 + r.day - 1 + (IsLeapYear(year) && r.day >= 60 ? 1 : 0);
    case PosixDateRule::Kind::kJulian0:
      return jan1 + r.day;
    case PosixDateRule::Kind::kMonthWeekDay: {
      const int64_t first = DaysFromCivil(year, r.month, 1);
      int64_t d = first + FloorMod(r.day - WeekdayFromDays(first), 7) + 7 * (r.week - 1);
      const int64_t last = first + DaysInMonth(year, r.month) - 1;
      while (d > last) d -= 7;
      return d;
    }
  }
  return jan1;
}

// UTC second of the transition a rule designates in `year`, where the rule's
// time is in local time with offset `off` (the offset before the transition).
int64_t RuleUtcSecs(int64_t year, const PosixDateRule& r, int64_t off) {
  return RuleDay(year, r) * 86400 + r.time_secs - off;
}

int64_t FooterOffsetSecs(const PosixTz& tz, int64_t secs) {
  if (!tz.has_dst) return tz.std_off;
  int64_t year = CivilFromDays(FloorDiv(secs + tz.std_off, 86400)).year;
  year = std::clamp<int64_t>(year, -kMaxRuleYear, kMaxRuleYear);
  const int64_t start = RuleUtcSecs(year, tz.start, tz.std_off);
  const int64_t end = RuleUtcSecs(year, tz.end, tz.dst_off);
  bool dst;
  if (start < end) {
    dst = secs >= start && secs < end;
  } else {
    dst = !(secs >= end && secs < start);
  }
  return dst ? tz.dst_off : tz.std_off;
}

// ---------------------------------------------------------------------------
// POSIX TZ string parser (the TZif footer), e.g. "CET-1CEST,M3.5.0,M10.5.0/3",
// "<+0545>-5:45", "EST5EDT,M3.2.0,M11.1.0", "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1".

class PosixParser {
 public:
  explicit PosixParser(std::string_view s) : s_(s) {}

  bool Parse(PosixTz* out) {
    if (!Name()) return false;
    int64_t v;
    if (!Offset(24, &v)) return false;
    out->std_off = -v;
    if (AtEnd()) return true;
    if (!Name()) return false;
    out->has_dst = true;
    out->dst_off = out->std_off + 3600;
    if (!AtEnd() && Peek() != ',') {
      if (!Offset(24, &v)) return false;
      out->dst_off = -v;
    }
    if (AtEnd()) {
      // No rule: POSIX leaves it implementation-defined; use the US rule as glibc does.
      out->start = PosixDateRule{PosixDateRule::Kind::kMonthWeekDay, 0, 2, 3, 7200};
      out->end = PosixDateRule{PosixDateRule::Kind::kMonthWeekDay, 0, 1, 11, 7200};
      return true;
    }
    if (!Eat(',') || !Rule(&out->start) || !Eat(',') || !Rule(&out->end)) return false;
    return AtEnd();
  }

 private:
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  static bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  bool Name() {
    size_t n = 0;
    if (Eat('<')) {
      while (!AtEnd() && Peek() != '>') {
        char c = Peek();
        if (!IsAlpha(c) && !IsDigit(c) && c != '+' && c != '-') return false;
        ++pos_;
        ++n;
      }
      if (!Eat('>')) return false;
    } else {
      while (IsAlpha(Peek())) {
        ++pos_;
        ++n;
      }
    }
    return n >= 3;
  }

  bool Number(int64_t max, int64_t* out) {
    if (!IsDigit(Peek())) return false;
    int64_t v = 0;
    while (IsDigit(Peek())) {
      v = v * 10 + (Peek() - '0');
      if (v > max) return false;
      ++pos_;
    }
    *out = v;
    return true;
  }

  // [+-]hh[:mm[:ss]] in seconds; hours up to max_hours.
  bool Offset(int64_t max_hours, int64_t* out) {
    int64_t sign = 1;
    if (Eat('-')) {
      sign = -1;
    } else {
      Eat('+');
    }
    int64_t h, m = 0, s = 0;
    if (!Number(max_hours, &h)) return false;
    if (Eat(':')) {
      if (!Number(59, &m)) return false;
      if (Eat(':') && !Number(59, &s)) return false;
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return true;
  }

  bool Rule(PosixDateRule* r) {
    int64_t v;
    if (Eat('J')) {
      r->kind = PosixDateRule::Kind::kJulian1;
      if (!Number(365, &v) || v < 1) return false;
      r->day = static_cast<int>(v);
    } else if (Eat('M')) {
      r->kind = PosixDateRule::Kind::kMonthWeekDay;
      int64_t m, w, d;
      if (!Number(12, &m) || m < 1 || !Eat('.') || !Number(5, &w) || w < 1 || !Eat('.') ||
          !Number(6, &d)) {
        return false;
      }
      r->month = static_cast<int>(m);
      r->week = static_cast<int>(w);
      r->day = static_cast<int>(d);
    } else {
      r->kind = PosixDateRule::Kind::kJulian0;
      if (!Number(365, &v)) return false;
      r->day = static_cast<int>(v);
    }
    r->time_secs = 7200;
    if (Eat('/')) {
      if (!Offset(167, &v)) return false;  // RFC 8536 extension: -167..167 hours
      r->time_secs = v;
    }
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

// ---------------------------------------------------------------------------
// TimeZone::Impl

struct TimeZone::Impl {
  std::string name;
  bool fixed = true;
  int64_t fixed_off = 0;  // seconds, when fixed

  // Offset changes only (transitions that keep the offset are dropped), seconds.
  std::vector<int64_t> trans;
  std::vector<int64_t> trans_off;
  int64_t initial_off = 0;  // before the first transition (time type 0)
  // The footer governs instants >= footer_from (the file's last transition).
  std::optional<PosixTz> footer;
  int64_t footer_from = INT64_MIN;
  // Every offset the zone can have, for LocalToUtc.
  std::vector<int64_t> offsets;

  int64_t OffsetSecs(int64_t secs) const {
    if (fixed) return fixed_off;
    if (footer && secs >= footer_from) return FooterOffsetSecs(*footer, secs);
    auto it = std::upper_bound(trans.begin(), trans.end(), secs);
    if (it == trans.begin()) return initial_off;
    return trans_off[static_cast<size_t>(it - trans.begin()) - 1];
  }

  // Smallest second > secs at which the offset might change (a listed transition
  // or a footer rule transition); nullopt if none.
  std::optional<int64_t> NextCandidate(int64_t secs) const {
    std::optional<int64_t> best;
    auto it = std::upper_bound(trans.begin(), trans.end(), secs);
    if (it != trans.end() && (!footer || *it < footer_from)) best = *it;
    if (footer && footer_from != INT64_MIN && footer_from > secs &&
        (!best || footer_from < *best)) {
      best = footer_from;
    }
    if (footer && footer->has_dst && footer->std_off != footer->dst_off) {
      const int64_t from = std::max(secs, footer_from == INT64_MIN ? secs : footer_from - 1);
      int64_t year = CivilFromDays(FloorDiv(from, 86400)).year;
      for (int64_t y = year - 1; y <= year + 2; ++y) {
        if (y < -kMaxRuleYear || y > kMaxRuleYear) continue;
        for (int64_t c : {RuleUtcSecs(y, footer->start, footer->std_off),
                          RuleUtcSecs(y, footer->end, footer->dst_off)}) {
          if (c > from && c > secs && (!best || c < *best)) best = c;
        }
      }
    }
    return best;
  }
};

namespace {

std::shared_ptr<TimeZone::Impl> MakeFixed(std::string name, int64_t off_secs) {
  auto impl = std::make_shared<TimeZone::Impl>();
  impl->name = std::move(name);
  impl->fixed = true;
  impl->fixed_off = off_secs;
  impl->offsets = {off_secs};
  return impl;
}

const std::shared_ptr<const TimeZone::Impl>& UtcImpl() {
  static const std::shared_ptr<const TimeZone::Impl> kUtc = MakeFixed("UTC", 0);
  return kUtc;
}

// "+02:00", "-0530", "+05", "+05:30:15" -> seconds east; nullopt if not that form.
std::optional<int64_t> ParseFixedOffset(std::string_view s) {
  if (s.size() < 2 || (s[0] != '+' && s[0] != '-')) return std::nullopt;
  const int64_t sign = s[0] == '-' ? -1 : 1;
  std::string_view rest = s.substr(1);
  int parts[3] = {0, 0, 0};
  int nparts = 0;
  while (!rest.empty()) {
    if (nparts == 3) return std::nullopt;
    if (rest.size() < 2 || rest[0] < '0' || rest[0] > '9' || rest[1] < '0' || rest[1] > '9') {
      return std::nullopt;
    }
    parts[nparts++] = (rest[0] - '0') * 10 + (rest[1] - '0');
    rest.remove_prefix(2);
    if (!rest.empty() && rest[0] == ':') {
      rest.remove_prefix(1);
      if (rest.empty()) return std::nullopt;
    }
  }
  if (nparts == 0 || parts[0] > 24 || parts[1] > 59 || parts[2] > 59) return std::nullopt;
  return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
}

std::string FormatOffset(int64_t secs) {
  char buf[32];
  const char sign = secs < 0 ? '-' : '+';
  const int64_t a = secs < 0 ? -secs : secs;
  if (a % 60 != 0) {
    std::snprintf(buf, sizeof(buf), "%c%02lld:%02lld:%02lld", sign,
                  static_cast<long long>(a / 3600), static_cast<long long>(a / 60 % 60),
                  static_cast<long long>(a % 60));
  } else {
    std::snprintf(buf, sizeof(buf), "%c%02lld:%02lld", sign, static_cast<long long>(a / 3600),
                  static_cast<long long>(a / 60 % 60));
  }
  return buf;
}

bool ValidZoneName(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '/' || name.back() == '/') {
    return false;
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (slash == std::string_view::npos) slash = name.size();
    std::string_view comp = name.substr(start, slash - start);
    if (comp.empty() || comp == "." || comp == "..") return false;
    for (char c : comp) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '+' || c == '.';
      if (!ok) return false;
    }
    start = slash + 1;
  }
  return true;
}

// Bounds-checked big-endian reader over a TZif image.
class TzifReader {
 public:
  TzifReader(std::string_view data, std::string_view zone) : data_(data), zone_(zone) {}

  Status Error(std::string_view what) const {
    return Status::Corruption("time zone '" + std::string(zone_) + "': malformed TZif file (" +
                              std::string(what) + ")");
  }
  size_t remaining() const { return data_.size() - pos_; }
  size_t pos() const { return pos_; }
  bool Has(uint64_t n) const { return n <= remaining(); }
  std::string_view Bytes(size_t n) {
    std::string_view v = data_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  uint8_t U8() { return static_cast<uint8_t>(data_[pos_++]); }
  uint32_t U32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(data_[pos_++]);
    return v;
  }
  int64_t I64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(data_[pos_++]);
    return static_cast<int64_t>(v);
  }

 private:
  std::string_view data_;
  std::string_view zone_;
  size_t pos_ = 0;
};

struct TzifHeader {
  char version;
  uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

Status ReadHeader(TzifReader* r, TzifHeader* h) {
  if (!r->Has(44)) return r->Error("truncated header");
  if (r->Bytes(4) != "TZif") return r->Error("bad magic");
  h->version = static_cast<char>(r->U8());
  r->Bytes(15);
  h->isutcnt = r->U32();
  h->isstdcnt = r->U32();
  h->leapcnt = r->U32();
  h->timecnt = r->U32();
  h->typecnt = r->U32();
  h->charcnt = r->U32();
  return Status::OK();
}

uint64_t BlockSize(const TzifHeader& h, uint64_t time_size) {
  return uint64_t{h.timecnt} * time_size + h.timecnt + uint64_t{h.typecnt} * 6 + h.charcnt +
         uint64_t{h.leapcnt} * (time_size + 4) + h.isstdcnt + h.isutcnt;
}

// Parses one data block (v1 with 4-byte times or v2+ with 8-byte times) into impl.
Status ReadBlock(TzifReader* r, const TzifHeader& h, int time_size, TimeZone::Impl* impl,
                 std::string_view zone) {
  if (h.typecnt == 0) return r->Error("no local time types");
  if (h.charcnt == 0) return r->Error("no abbreviation characters");
  if (h.typecnt > 256) return r->Error("more than 256 local time types");
  if (h.isstdcnt != 0 && h.isstdcnt != h.typecnt) return r->Error("bad isstdcnt");
  if (h.isutcnt != 0 && h.isutcnt != h.typecnt) return r->Error("bad isutcnt");
  if (h.leapcnt != 0) {
    return Status::InvalidArgument("time zone '" + std::string(zone) +
                                   "': leap-second zones are not supported");
  }
  if (!r->Has(BlockSize(h, time_size))) return r->Error("truncated data block");

  std::vector<int64_t> times(h.timecnt);
  for (uint32_t i = 0; i < h.timecnt; ++i) {
    times[i] = time_size == 8 ? r->I64() : static_cast<int32_t>(r->U32());
    if (i > 0 && times[i] <= times[i - 1]) return r->Error("transition times not ascending");
  }
  std::vector<uint8_t> idx(h.timecnt);
  for (uint32_t i = 0; i < h.timecnt; ++i) {
    idx[i] = r->U8();
    if (idx[i] >= h.typecnt) return r->Error("transition type index out of range");
  }
  std::vector<int64_t> type_off(h.typecnt);
  for (uint32_t i = 0; i < h.typecnt; ++i) {
    const int64_t off = static_cast<int32_t>(r->U32());
    const uint8_t isdst = r->U8();
    const uint8_t abbr = r->U8();
    if (off < kMinOffsetSecs || off > kMaxOffsetSecs) return r->Error("UT offset out of range");
    if (isdst > 1) return r->Error("bad isdst flag");
    if (abbr >= h.charcnt) return r->Error("abbreviation index out of range");
    type_off[i] = off;
  }
  r->Bytes(h.charcnt + h.isstdcnt + h.isutcnt);

  impl->fixed = false;
  impl->initial_off = type_off[0];
  impl->trans.clear();
  impl->trans_off.clear();
  int64_t prev = impl->initial_off;
  for (uint32_t i = 0; i < h.timecnt; ++i) {
    const int64_t off = type_off[idx[i]];
    if (off == prev) continue;
    impl->trans.push_back(times[i]);
    impl->trans_off.push_back(off);
    prev = off;
  }
  impl->footer_from = h.timecnt > 0 ? times.back() : INT64_MIN;
  return Status::OK();
}

Result<std::shared_ptr<TimeZone::Impl>> ParseTzif(std::string_view zone, std::string_view data) {
  auto impl = std::make_shared<TimeZone::Impl>();
  impl->name = std::string(zone);
  TzifReader r(data, zone);
  TzifHeader h;
  PQ_RETURN_IF_ERROR(ReadHeader(&r, &h));
  if (h.version == 0) {
    PQ_RETURN_IF_ERROR(ReadBlock(&r, h, 4, impl.get(), zone));
  } else {
    if (h.version < '2') return r.Error("unknown version");
    const uint64_t v1 = BlockSize(h, 4);
    if (!r.Has(v1)) return r.Error("truncated v1 data block");
    r.Bytes(v1);
    PQ_RETURN_IF_ERROR(ReadHeader(&r, &h));
    PQ_RETURN_IF_ERROR(ReadBlock(&r, h, 8, impl.get(), zone));
    // Footer: "\n<POSIX TZ string>\n".
    if (!r.Has(1) || r.U8() != '\n') return r.Error("missing footer");
    std::string_view rest = r.Bytes(r.remaining());
    const size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) return r.Error("unterminated footer");
    std::string_view tz = rest.substr(0, nl);
    if (!tz.empty()) {
      PosixTz p;
      if (!PosixParser(tz).Parse(&p) || p.std_off < kMinOffsetSecs || p.std_off > kMaxOffsetSecs ||
          p.dst_off < kMinOffsetSecs || p.dst_off > kMaxOffsetSecs) {
        return r.Error("bad TZ footer '" + std::string(tz) + "'");
      }
      impl->footer = p;
    }
  }
  // Footer with no transitions at all: it governs every instant.
  if (impl->footer && impl->footer_from == INT64_MIN) impl->trans.clear();

  std::vector<int64_t> offs = impl->trans_off;
  offs.push_back(impl->initial_off);
  if (impl->footer) {
    offs.push_back(impl->footer->std_off);
    if (impl->footer->has_dst) offs.push_back(impl->footer->dst_off);
  }
  std::sort(offs.begin(), offs.end());
  offs.erase(std::unique(offs.begin(), offs.end()), offs.end());
  impl->offsets = std::move(offs);
  return impl;
}

constexpr size_t kMaxTzifSize = 4 << 20;

Result<std::string> ReadZoneFile(const std::string& path, std::string_view zone) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return Status::InvalidArgument("unknown time zone '" + std::string(zone) + "' (no " + path +
                                     ")");
    }
    return Status::IOError("time zone '" + std::string(zone) + "': cannot stat " + path + ": " +
                           std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument("unknown time zone '" + std::string(zone) + "' (" + path +
                                   " is not a file)");
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return Status::IOError("time zone '" + std::string(zone) + "': cannot open " + path + ": " +
                           std::strerror(errno));
  }
  std::string data;
  char buf[8192];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) {
    data.append(buf, n);
    if (data.size() > kMaxTzifSize) break;
  }
  const bool err = std::ferror(f) != 0;
  std::fclose(f);
  if (err) return Status::IOError("time zone '" + std::string(zone) + "': cannot read " + path);
  if (data.size() > kMaxTzifSize) {
    return Status::Corruption("time zone '" + std::string(zone) + "': TZif file too large");
  }
  return data;
}

std::mutex& CacheMutex() {
  static std::mutex mu;
  return mu;
}

std::unordered_map<std::string, std::shared_ptr<const TimeZone::Impl>>& Cache() {
  static auto* cache = new std::unordered_map<std::string, std::shared_ptr<const TimeZone::Impl>>;
  return *cache;
}

}  // namespace

// ---------------------------------------------------------------------------
// TimeZone

TimeZone::TimeZone() : impl_(UtcImpl()) {}

Result<TimeZone> TimeZone::Load(std::string_view name) {
  if (name == "UTC" || name == "Z") return TimeZone();
  if (!name.empty() && (name[0] == '+' || name[0] == '-')) {
    std::optional<int64_t> off = ParseFixedOffset(name);
    if (!off) {
      return Status::InvalidArgument("invalid time zone offset '" + std::string(name) +
                                     "' (expected +HH:MM, +HHMM or +HH)");
    }
    if (*off == 0) return TimeZone();
    return TimeZone(MakeFixed(FormatOffset(*off), *off));
  }
  if (!ValidZoneName(name)) {
    return Status::InvalidArgument("invalid time zone name '" + std::string(name) + "'");
  }
  const char* dir = std::getenv("TZDIR");
  std::string path = (dir != nullptr && *dir != '\0') ? dir : "/usr/share/zoneinfo";
  if (path.back() != '/') path += '/';
  path.append(name);
  {
    std::lock_guard<std::mutex> lock(CacheMutex());
    auto it = Cache().find(path);
    if (it != Cache().end()) return TimeZone(it->second);
  }
  PQ_ASSIGN_OR_RETURN(std::string data, ReadZoneFile(path, name));
  PQ_ASSIGN_OR_RETURN(std::shared_ptr<Impl> impl, ParseTzif(name, data));
  std::lock_guard<std::mutex> lock(CacheMutex());
  auto [it, inserted] = Cache().emplace(path, std::move(impl));
  return TimeZone(it->second);
}

const std::string& TimeZone::name() const { return impl_->name; }

bool TimeZone::is_fixed() const { return impl_->fixed; }

int64_t TimeZone::OffsetAt(int64_t utc_micros) const {
  return impl_->OffsetSecs(FloorDiv(utc_micros, kMicrosPerSecond)) * kMicrosPerSecond;
}

int64_t TimeZone::UtcToLocal(int64_t utc_micros) const {
  return SatAdd(utc_micros, OffsetAt(utc_micros));
}

int64_t TimeZone::LocalToUtc(int64_t local_micros) const {
  const Impl& z = *impl_;
  if (z.fixed) return SatSub(local_micros, z.fixed_off * kMicrosPerSecond);
  std::optional<int64_t> best;
  for (int64_t off : z.offsets) {
    const int64_t u = SatSub(local_micros, off * kMicrosPerSecond);
    if (OffsetAt(u) == off * kMicrosPerSecond && (!best || u < *best)) best = u;
  }
  if (best) return *best;
  // In a gap: the first instant whose local time is >= local_micros, i.e. the
  // transition that jumps over it. Transitions fall on whole seconds.
  int64_t lo = FloorDiv(SatSub(local_micros, z.offsets.back() * kMicrosPerSecond),
                        kMicrosPerSecond);  // local(lo) < local_micros
  int64_t hi = FloorDiv(SatSub(local_micros, z.offsets.front() * kMicrosPerSecond),
                        kMicrosPerSecond) +
               1;  // local(hi) >= local_micros
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (UtcToLocal(SatMul(mid, kMicrosPerSecond)) >= local_micros) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return SatMul(hi, kMicrosPerSecond);
}

std::optional<int64_t> TimeZone::NextTransition(int64_t utc_micros) const {
  const Impl& z = *impl_;
  if (z.fixed) return std::nullopt;
  const int64_t secs = FloorDiv(utc_micros, kMicrosPerSecond);
  const int64_t off = z.OffsetSecs(secs);
  int64_t cursor = secs;
  for (int i = 0; i < 64; ++i) {
    std::optional<int64_t> c = z.NextCandidate(cursor);
    if (!c) return std::nullopt;
    if (z.OffsetSecs(*c) != off) return SatMul(*c, kMicrosPerSecond);
    cursor = *c;
  }
  return std::nullopt;
}

}  // namespace parquedb::views
