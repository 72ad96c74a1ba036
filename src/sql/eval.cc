#include "sql/eval.h"

#include "sql/parser.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

namespace parquedb::sql {
namespace {

using K = Value::Kind;
constexpr int64_t kMicrosPerDay = 86400000000LL;

// Howard Hinnant's civil calendar algorithms.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}
int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
  return q;
}

std::optional<int64_t> DaysToMicros(int64_t days, int64_t rem = 0) {
  int64_t r;
  if (__builtin_mul_overflow(days, kMicrosPerDay, &r) || __builtin_add_overflow(r, rem, &r)) {
    return std::nullopt;
  }
  return r;
}

std::optional<int64_t> AddMonths(int64_t micros, int32_t months) {
  int64_t days = FloorDiv(micros, kMicrosPerDay);
  int64_t rem = micros - days * kMicrosPerDay;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  int64_t total = y * 12 + (m - 1) + months;
  int64_t ny = FloorDiv(total, 12);
  unsigned nm = static_cast<unsigned>(total - ny * 12) + 1;
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  unsigned last = kDays[nm - 1];
  if (nm == 2 && ((ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0)) last = 29;
  return DaysToMicros(DaysFromCivil(ny, nm, std::min(d, last)), rem);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::optional<int64_t> AsMicros(const Value& v) {
  if (v.kind() == K::kTimestamp) return v.as_int();
  if (v.kind() == K::kDate) return DaysToMicros(v.as_date());
  if (v.kind() == K::kString) {
    auto r = ParseTimestampMicros(v.as_string());
    if (r.ok()) return *r;
  }
  return std::nullopt;
}

Status TypeError(const std::string& what, int pos) {
  return Status::InvalidArgument(what + " (at offset " + std::to_string(pos) + ")");
}

// Decimal view of an int or decimal.
Decimal ToDec(const Value& v) {
  if (v.kind() == K::kDecimal) return v.as_decimal();
  return Decimal{static_cast<__int128>(v.as_int()), 0};
}

bool RescaleTo(Decimal* d, int32_t scale) {
  auto r = d->Rescale(scale);
  if (!r.ok()) return false;
  *d = *r;
  return true;
}

constexpr __int128 kMaxUnscaled = static_cast<__int128>(1e19) * static_cast<__int128>(1e19);  // 1e38

Value NormalizeDecimalResult(__int128 u, int32_t scale, bool* ok) {
  *ok = u < kMaxUnscaled && u > -kMaxUnscaled;
  return Value::Dec(Decimal{u, scale});
}

std::string ValueText(const Value& v) {
  switch (v.kind()) {
    case K::kString:
      return v.as_string();
    case K::kNull:
      return "";
    case K::kBool:
      return v.as_bool() ? "true" : "false";
    case K::kInt:
      return std::to_string(v.as_int());
    case K::kDecimal:
      return v.as_decimal().ToString();
    case K::kTimestamp: {
      // DuckDB style: "YYYY-MM-DD HH:MM:SS[.ffffff]"
      std::string s = FormatTimestampMicros(v.as_int());
      if (s.size() >= 27 && s[10] == 'T') {
        s[10] = ' ';
        s.pop_back();  // Z
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
      }
      return s;
    }
    case K::kDate:
      return FormatDateDays(v.as_date());
    default: {
      std::string s = v.ToJsonString();
      return s;
    }
  }
}

bool LikeMatch(std::string_view s, std::string_view p, char esc, bool ci) {
  // Iterative wildcard matching with backtracking on '%'.
  size_t si = 0, pi = 0, star_p = std::string_view::npos, star_s = 0;
  auto eq = [&](char a, char b) {
    return ci ? std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b))
              : a == b;
  };
  while (si < s.size()) {
    if (pi < p.size()) {
      char c = p[pi];
      if (esc != 0 && c == esc && pi + 1 < p.size()) {
        if (eq(s[si], p[pi + 1])) {
          si++;
          pi += 2;
          continue;
        }
      } else if (c == '%') {
        star_p = pi++;
        star_s = si;
        continue;
      } else if (c == '_' || eq(s[si], c)) {
        si++;
        pi++;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p + 1;
    si = ++star_s;
  }
  while (pi < p.size() && p[pi] == '%') pi++;
  return pi == p.size();
}

Result<Value> CallFunction(const Expr& e, const EvalContext& ctx) {
  const std::string& n = e.name;
  if (IsAggregateName(n)) {
    if (e.agg_slot < 0 || ctx.agg_values == nullptr) {
      return TypeError("aggregate " + n + "() is not allowed here", e.pos);
    }
    return (*ctx.agg_values)[static_cast<size_t>(e.agg_slot)];
  }
  std::vector<Value> a;
  a.reserve(e.args.size());
  for (const auto& arg : e.args) {
    if (arg->kind == ExprKind::kStar) return TypeError("'*' is only allowed in COUNT(*)", arg->pos);
    PQ_ASSIGN_OR_RETURN(Value v, Eval(*arg, ctx));
    a.push_back(std::move(v));
  }
  auto arity = [&](size_t lo, size_t hi) -> Status {
    if (a.size() < lo || a.size() > hi) {
      return TypeError("function " + n + "() takes " + std::to_string(lo) +
                           (hi != lo ? ".." + std::to_string(hi) : std::string()) + " arguments, got " +
                           std::to_string(a.size()),
                       e.pos);
    }
    return Status::OK();
  };
  if (n == "now" || n == "current_timestamp") {
    PQ_RETURN_IF_ERROR(arity(0, 0));
    return Value::Timestamp(ctx.now);
  }
  if (n == "coalesce") {
    for (auto& v : a) {
      if (!v.is_null()) return v;
    }
    return Value();
  }
  if (n == "nullif") {
    PQ_RETURN_IF_ERROR(arity(2, 2));
    auto c = SqlCompare(a[0], a[1]);
    if (c && *c == 0) return Value();
    return a[0];
  }
  if (n == "concat") {
    std::string s;
    for (auto& v : a) s += ValueText(v);
    return Value::String(std::move(s));
  }
  if (n == "lower" || n == "upper" || n == "length" || n == "trim" || n == "ltrim" || n == "rtrim") {
    PQ_RETURN_IF_ERROR(arity(1, 1));
    if (a[0].is_null()) return Value();
    if (a[0].kind() != K::kString) {
      return TypeError(n + "() needs a string, got " + std::string(Value::KindName(a[0].kind())), e.pos);
    }
    const std::string& s = a[0].as_string();
    if (n == "lower") return Value::String(Lower(s));
    if (n == "upper") return Value::String(Upper(s));
    if (n == "length") {
      int64_t count = 0;  // code points
      for (unsigned char c : s) count += (c & 0xC0) != 0x80;
      return Value::Int(count);
    }
    size_t b = 0, en = s.size();
    if (n != "rtrim") {
      while (b < en && s[b] == ' ') b++;
    }
    if (n != "ltrim") {
      while (en > b && s[en - 1] == ' ') en--;
    }
    return Value::String(s.substr(b, en - b));
  }
  if (n == "abs") {
    PQ_RETURN_IF_ERROR(arity(1, 1));
    const Value& v = a[0];
    if (v.is_null()) return Value();
    if (v.kind() == K::kInt) {
      if (v.as_int() == INT64_MIN) return TypeError("integer overflow in abs()", e.pos);
      return Value::Int(std::abs(v.as_int()));
    }
    if (v.kind() == K::kDouble) return Value::Double(std::fabs(v.as_double()));
    if (v.kind() == K::kDecimal) {
      Decimal d = v.as_decimal();
      if (d.unscaled < 0) d.unscaled = -d.unscaled;
      return Value::Dec(d);
    }
    return TypeError("abs() needs a number", e.pos);
  }
  if (n == "round") {
    PQ_RETURN_IF_ERROR(arity(1, 2));
    if (a[0].is_null() || (a.size() == 2 && a[1].is_null())) return Value();
    int64_t digits = 0;
    if (a.size() == 2) {
      if (a[1].kind() != K::kInt) return TypeError("round() digits must be an integer", e.pos);
      digits = a[1].as_int();
    }
    const Value& v = a[0];
    if (v.kind() == K::kInt) return v;
    if (v.kind() == K::kDouble) {
      double f = std::pow(10.0, static_cast<double>(digits));
      return Value::Double(std::round(v.as_double() * f) / f);
    }
    if (v.kind() == K::kDecimal) {
      Decimal d = v.as_decimal();
      if (digits < 0) digits = 0;
      if (digits >= d.scale) return v;
      __int128 p = 1;
      for (int64_t i = digits; i < d.scale; i++) p *= 10;
      __int128 q = d.unscaled / p, r = d.unscaled % p;
      if (r * 2 >= p) q++;
      if (r * 2 <= -p) q--;
      return Value::Dec(Decimal{q, static_cast<int32_t>(digits)});
    }
    return TypeError("round() needs a number", e.pos);
  }
  if (n == "date_trunc" || n == "datetrunc") {
    PQ_RETURN_IF_ERROR(arity(2, 2));
    if (a[0].is_null() || a[1].is_null()) return Value();
    if (a[0].kind() != K::kString) return TypeError("date_trunc() part must be a string", e.pos);
    auto m = AsMicros(a[1]);
    if (!m) {
      return TypeError("date_trunc() needs a timestamp or date, got " +
                           std::string(Value::KindName(a[1].kind())),
                       e.pos);
    }
    PQ_ASSIGN_OR_RETURN(int64_t t, TruncateMicros(Lower(a[0].as_string()), *m));
    return Value::Timestamp(t);
  }
  return TypeError("unknown function " + n + "() (known: count, sum, avg, min, max, now, "
                   "date_trunc, lower, upper, length, trim, concat, coalesce, nullif, abs, round)",
                   e.pos);
}

Result<Value> AddInterval(const Value& base, const Expr& iv, int sign, int pos) {
  if (base.is_null()) return Value();
  std::optional<int64_t> m;
  if (base.kind() == K::kTimestamp || base.kind() == K::kDate) m = AsMicros(base);
  if (!m) return TypeError("interval arithmetic needs a timestamp or date", pos);
  int64_t t = *m;
  if (iv.interval_months != 0) {
    auto r = AddMonths(t, sign * iv.interval_months);
    if (!r) return TypeError("timestamp out of range", pos);
    t = *r;
  }
  if (__builtin_add_overflow(t, sign * iv.interval_micros, &t)) {
    return TypeError("timestamp out of range", pos);
  }
  return Value::Timestamp(t);
}

}  // namespace

Result<int64_t> TruncateMicros(const std::string& unit, int64_t micros) {
  static const std::pair<const char*, int64_t> kFixed[] = {
      {"microsecond", 1},         {"microseconds", 1},          {"millisecond", 1000},
      {"milliseconds", 1000},     {"second", 1000000},          {"seconds", 1000000},
      {"minute", 60000000},       {"minutes", 60000000},        {"hour", 3600000000LL},
      {"hours", 3600000000LL},    {"day", kMicrosPerDay},       {"days", kMicrosPerDay}};
  auto checked = [](std::optional<int64_t> v) -> Result<int64_t> {
    if (!v) return Status::InvalidArgument("date_trunc: timestamp out of range");
    return *v;
  };
  for (const auto& [name, step] : kFixed) {
    if (unit == name) {
      int64_t r;
      if (__builtin_mul_overflow(FloorDiv(micros, step), step, &r)) return checked(std::nullopt);
      return r;
    }
  }
  int64_t days = FloorDiv(micros, kMicrosPerDay);
  if (unit == "week" || unit == "weeks") {
    // 1970-01-01 was a Thursday; Monday-based weeks.
    int64_t wd = ((days % 7) + 7 + 3) % 7;  // 0 = Monday
    return checked(DaysToMicros(days - wd));
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  if (unit == "month" || unit == "months") return checked(DaysToMicros(DaysFromCivil(y, m, 1)));
  if (unit == "quarter") return checked(DaysToMicros(DaysFromCivil(y, ((m - 1) / 3) * 3 + 1, 1)));
  if (unit == "year" || unit == "years") return checked(DaysToMicros(DaysFromCivil(y, 1, 1)));
  return Status::InvalidArgument("date_trunc: unknown part '" + unit +
                                 "' (expected microsecond, millisecond, second, minute, hour, "
                                 "day, week, month, quarter or year)");
}

std::optional<int> SqlCompare(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return std::nullopt;
  auto sign = [](int c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); };
  if (a.is_number() && b.is_number()) {
    // A double against a decimal compares as doubles (SQL casts the decimal).
    if ((a.kind() == K::kDouble && b.kind() == K::kDecimal) ||
        (a.kind() == K::kDecimal && b.kind() == K::kDouble)) {
      double x = a.as_double(), y = b.as_double();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    return sign(Value::Compare(a, b));
  }
  K ka = a.kind(), kb = b.kind();
  if (ka == kb) {
    if (ka == K::kArray || ka == K::kObject || ka == K::kString || ka == K::kBool ||
        ka == K::kTimestamp || ka == K::kDate) {
      return sign(Value::Compare(a, b));
    }
  }
  bool ta = ka == K::kTimestamp || ka == K::kDate, tb = kb == K::kTimestamp || kb == K::kDate;
  if ((ta && (tb || kb == K::kString)) || (tb && ka == K::kString)) {
    auto ma = AsMicros(a), mb = AsMicros(b);
    if (!ma || !mb) return std::nullopt;
    return *ma < *mb ? -1 : (*ma > *mb ? 1 : 0);
  }
  if ((ka == K::kDecimal && kb == K::kString) || (kb == K::kDecimal && ka == K::kString)) {
    const Value& s = ka == K::kString ? a : b;
    auto d = Decimal::FromString(s.as_string());
    if (!d.ok()) return std::nullopt;
    Value dv = Value::Dec(*d);
    return ka == K::kString ? sign(Value::Compare(dv, b)) : sign(Value::Compare(a, dv));
  }
  return std::nullopt;
}

Result<Value> Arithmetic(const std::string& op, const Value& a, const Value& b, int pos) {
  if (a.is_null() || b.is_null()) return Value();
  if (!a.is_number() || !b.is_number()) {
    if (op == "-" && (a.kind() == K::kTimestamp || a.kind() == K::kDate) &&
        (b.kind() == K::kTimestamp || b.kind() == K::kDate)) {
      return TypeError("subtracting timestamps gives an interval, which is not supported; "
                       "use date_trunc or compare directly",
                       pos);
    }
    if ((op == "+" || op == "-") && a.kind() == K::kDate && b.kind() == K::kInt) {
      int64_t d = static_cast<int64_t>(a.as_date()) + (op == "+" ? b.as_int() : -b.as_int());
      return Value::Date(static_cast<int32_t>(d));
    }
    return TypeError("cannot apply '" + op + "' to " + std::string(Value::KindName(a.kind())) +
                         " and " + std::string(Value::KindName(b.kind())),
                     pos);
  }
  K ka = a.kind(), kb = b.kind();
  if (ka == K::kDouble || kb == K::kDouble || op == "/" ||
      (op == "%" && (ka == K::kDecimal || kb == K::kDecimal))) {
    double x = a.as_double(), y = b.as_double();
    if (op == "+") return Value::Double(x + y);
    if (op == "-") return Value::Double(x - y);
    if (op == "*") return Value::Double(x * y);
    if (y == 0) return Value();
    if (op == "/") return Value::Double(x / y);
    return Value::Double(std::fmod(x, y));
  }
  if (ka == K::kInt && kb == K::kInt) {
    int64_t x = a.as_int(), y = b.as_int(), r = 0;
    bool of = false;
    if (op == "+") {
      of = __builtin_add_overflow(x, y, &r);
    } else if (op == "-") {
      of = __builtin_sub_overflow(x, y, &r);
    } else if (op == "*") {
      of = __builtin_mul_overflow(x, y, &r);
    } else {  // %
      if (y == 0) return Value();
      if (y == -1) return Value::Int(0);
      r = x % y;
    }
    if (of) return TypeError("integer overflow in '" + op + "'", pos);
    return Value::Int(r);
  }
  // Exact decimal (+ - *).
  Decimal x = ToDec(a), y = ToDec(b);
  bool ok = true;
  if (op == "*") {
    __int128 r;
    if (!__builtin_mul_overflow(x.unscaled, y.unscaled, &r) && x.scale + y.scale <= 38) {
      Value v = NormalizeDecimalResult(r, x.scale + y.scale, &ok);
      if (ok) return v;
    }
    return Value::Double(a.as_double() * b.as_double());
  }
  int32_t s = std::max(x.scale, y.scale);
  if (RescaleTo(&x, s) && RescaleTo(&y, s)) {
    __int128 r;
    bool of = op == "+" ? __builtin_add_overflow(x.unscaled, y.unscaled, &r)
                        : __builtin_sub_overflow(x.unscaled, y.unscaled, &r);
    if (!of) {
      Value v = NormalizeDecimalResult(r, s, &ok);
      if (ok) return v;
    }
  }
  return Value::Double(op == "+" ? a.as_double() + b.as_double() : a.as_double() - b.as_double());
}

Result<Value> CastValue(const Value& v, const Expr& cast) {
  const std::string& t = cast.type_name;
  if (v.is_null()) return Value();
  auto fail = [&]() -> Status {
    return Status::InvalidArgument("cannot cast " + std::string(Value::KindName(v.kind())) + " " +
                                   v.ToJsonString() + " to " + t);
  };
  if (t == "VARCHAR" || t == "TEXT" || t == "STRING" || t == "JSON") return Value::String(ValueText(v));
  if (t == "BOOLEAN" || t == "BOOL") {
    if (v.kind() == K::kBool) return v;
    if (v.is_number()) return Value::Bool(v.as_double() != 0);
    if (v.kind() == K::kString) {
      std::string s = Lower(v.as_string());
      if (s == "true" || s == "t" || s == "1" || s == "yes") return Value::Bool(true);
      if (s == "false" || s == "f" || s == "0" || s == "no") return Value::Bool(false);
    }
    return fail();
  }
  if (t == "INTEGER" || t == "INT" || t == "BIGINT" || t == "SMALLINT" || t == "TINYINT" ||
      t == "INT64" || t == "HUGEINT") {
    if (v.kind() == K::kInt) return v;
    if (v.kind() == K::kBool) return Value::Int(v.as_bool() ? 1 : 0);
    double d;
    if (v.kind() == K::kDouble) {
      d = v.as_double();
    } else if (v.kind() == K::kDecimal) {
      // Round half away from zero, exactly.
      Decimal x = v.as_decimal();
      __int128 p = 1;
      for (int i = 0; i < x.scale; i++) p *= 10;
      __int128 q = x.unscaled / p, r = x.unscaled % p;
      if (r * 2 >= p) q++;
      if (r * 2 <= -p) q--;
      if (q > INT64_MAX || q < INT64_MIN) return fail();
      return Value::Int(static_cast<int64_t>(q));
    } else if (v.kind() == K::kString) {
      auto dec = Decimal::FromString(v.as_string());
      if (!dec.ok()) return fail();
      Expr again = cast;
      return CastValue(Value::Dec(*dec), again);
    } else {
      return fail();
    }
    if (!std::isfinite(d) || d >= 9.2233720368547758e18 || d < -9.2233720368547758e18) return fail();
    return Value::Int(static_cast<int64_t>(std::nearbyint(d)));
  }
  if (t == "DOUBLE" || t == "FLOAT" || t == "REAL" || t == "FLOAT8") {
    if (v.is_number()) return Value::Double(v.as_double());
    if (v.kind() == K::kBool) return Value::Double(v.as_bool() ? 1 : 0);
    if (v.kind() == K::kString) {
      const std::string& s = v.as_string();
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (s.empty() || end != s.c_str() + s.size()) return fail();
      return Value::Double(d);
    }
    return fail();
  }
  if (t == "DECIMAL" || t == "NUMERIC") {
    Decimal d;
    if (v.kind() == K::kInt || v.kind() == K::kDecimal) {
      d = ToDec(v);
    } else if (v.kind() == K::kDouble || v.kind() == K::kString) {
      std::string text;
      if (v.kind() == K::kDouble) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.*f", cast.scale + 1, v.as_double());
        text = buf;
      } else {
        text = v.as_string();
      }
      auto r = Decimal::FromString(text);
      if (!r.ok()) return fail();
      d = *r;
    } else {
      return fail();
    }
    // Round half away from zero to the target scale.
    if (d.scale > cast.scale) {
      __int128 p = 1;
      for (int i = cast.scale; i < d.scale; i++) p *= 10;
      __int128 q = d.unscaled / p, r = d.unscaled % p;
      if (r * 2 >= p) q++;
      if (r * 2 <= -p) q--;
      d = Decimal{q, cast.scale};
    } else if (!RescaleTo(&d, cast.scale)) {
      return fail();
    }
    if (d.Digits() > cast.precision) return fail();
    return Value::Dec(d);
  }
  if (t == "TIMESTAMP" || t == "TIMESTAMPTZ") {
    if (v.kind() == K::kTimestamp) return v;
    auto m = AsMicros(v);
    if (!m) return fail();
    return Value::Timestamp(*m);
  }
  if (t == "DATE") {
    if (v.kind() == K::kDate) return v;
    if (v.kind() == K::kString) {
      auto d = ParseDateDays(v.as_string());
      if (d.ok()) return Value::Date(*d);
    }
    auto m = AsMicros(v);
    if (!m) return fail();
    return Value::Date(static_cast<int32_t>(FloorDiv(*m, kMicrosPerDay)));
  }
  return fail();
}

Result<Value> Eval(const Expr& e, const EvalContext& ctx) {
  if (ctx.group_texts != nullptr && e.kind != ExprKind::kLiteral && e.kind != ExprKind::kParam) {
    std::string text = ExprToString(e);
    for (size_t i = 0; i < ctx.group_texts->size(); i++) {
      if ((*ctx.group_texts)[i] == text) return (*ctx.group_values)[i];
    }
  }
  switch (e.kind) {
    case ExprKind::kLiteral:
      return e.value;
    case ExprKind::kInterval:
      return TypeError("an interval can only be added to or subtracted from a timestamp", e.pos);
    case ExprKind::kStar:
      return TypeError("'*' is only allowed in COUNT(*) and the select list", e.pos);
    case ExprKind::kParam:
      if (ctx.params == nullptr || static_cast<size_t>(e.param_index) >= ctx.params->size()) {
        return TypeError("parameter $" + std::to_string(e.param_index + 1) + " is not bound", e.pos);
      }
      return (*ctx.params)[static_cast<size_t>(e.param_index)];
    case ExprKind::kColumn: {
      if (ctx.row == nullptr) {
        return TypeError("column '" + e.path + "' must appear in GROUP BY or inside an aggregate",
                         e.pos);
      }
      const Value* v = ctx.row->FindPath(e.path);
      return v == nullptr ? Value() : *v;
    }
    case ExprKind::kUnary: {
      PQ_ASSIGN_OR_RETURN(Value a, Eval(*e.args[0], ctx));
      if (a.is_null()) return Value();
      if (e.op == "NOT") {
        if (a.kind() != K::kBool) return TypeError("NOT needs a boolean", e.pos);
        return Value::Bool(!a.as_bool());
      }
      return Arithmetic("-", Value::Int(0), a, e.pos);
    }
    case ExprKind::kBinary: {
      const std::string& op = e.op;
      if (op == "AND" || op == "OR") {
        PQ_ASSIGN_OR_RETURN(Value l, Eval(*e.args[0], ctx));
        bool is_and = op == "AND";
        auto check = [&](const Value& v) -> Status {
          if (!v.is_null() && v.kind() != K::kBool) return TypeError(op + " needs booleans", e.pos);
          return Status::OK();
        };
        PQ_RETURN_IF_ERROR(check(l));
        if (!l.is_null() && l.as_bool() != is_and) return l;  // short circuit
        PQ_ASSIGN_OR_RETURN(Value r, Eval(*e.args[1], ctx));
        PQ_RETURN_IF_ERROR(check(r));
        if (!r.is_null() && r.as_bool() != is_and) return r;
        if (l.is_null() || r.is_null()) return Value();
        return Value::Bool(is_and);
      }
      if ((op == "+" || op == "-") && e.args[1]->kind == ExprKind::kInterval) {
        PQ_ASSIGN_OR_RETURN(Value l, Eval(*e.args[0], ctx));
        return AddInterval(l, *e.args[1], op == "+" ? 1 : -1, e.pos);
      }
      if (op == "+" && e.args[0]->kind == ExprKind::kInterval) {
        PQ_ASSIGN_OR_RETURN(Value r, Eval(*e.args[1], ctx));
        return AddInterval(r, *e.args[0], 1, e.pos);
      }
      PQ_ASSIGN_OR_RETURN(Value l, Eval(*e.args[0], ctx));
      PQ_ASSIGN_OR_RETURN(Value r, Eval(*e.args[1], ctx));
      if (op == "||") {
        if (l.is_null() || r.is_null()) return Value();
        return Value::String(ValueText(l) + ValueText(r));
      }
      if (op == "+" || op == "-" || op == "*" || op == "/" || op == "%") {
        return Arithmetic(op, l, r, e.pos);
      }
      auto c = SqlCompare(l, r);
      if (!c) return Value();
      if (op == "=") return Value::Bool(*c == 0);
      if (op == "<>") return Value::Bool(*c != 0);
      if (op == "<") return Value::Bool(*c < 0);
      if (op == "<=") return Value::Bool(*c <= 0);
      if (op == ">") return Value::Bool(*c > 0);
      return Value::Bool(*c >= 0);
    }
    case ExprKind::kIsNull: {
      PQ_ASSIGN_OR_RETURN(Value a, Eval(*e.args[0], ctx));
      return Value::Bool(a.is_null() != e.negated);
    }
    case ExprKind::kIn: {
      PQ_ASSIGN_OR_RETURN(Value a, Eval(*e.args[0], ctx));
      if (a.is_null()) return Value();
      bool saw_null = false;
      for (size_t i = 1; i < e.args.size(); i++) {
        PQ_ASSIGN_OR_RETURN(Value b, Eval(*e.args[i], ctx));
        auto c = SqlCompare(a, b);
        if (!c) {
          saw_null = true;
        } else if (*c == 0) {
          return Value::Bool(!e.negated);
        }
      }
      if (saw_null) return Value();
      return Value::Bool(e.negated);
    }
    case ExprKind::kBetween: {
      PQ_ASSIGN_OR_RETURN(Value a, Eval(*e.args[0], ctx));
      PQ_ASSIGN_OR_RETURN(Value lo, Eval(*e.args[1], ctx));
      PQ_ASSIGN_OR_RETURN(Value hi, Eval(*e.args[2], ctx));
      auto c1 = SqlCompare(a, lo), c2 = SqlCompare(a, hi);
      // AND of (a >= lo), (a <= hi) in three-valued logic.
      std::optional<bool> x, y;
      if (c1) x = *c1 >= 0;
      if (c2) y = *c2 <= 0;
      std::optional<bool> r;
      if ((x && !*x) || (y && !*y)) {
        r = false;
      } else if (x && y) {
        r = true;
      }
      if (!r) return Value();
      return Value::Bool(*r != e.negated);
    }
    case ExprKind::kLike: {
      PQ_ASSIGN_OR_RETURN(Value a, Eval(*e.args[0], ctx));
      PQ_ASSIGN_OR_RETURN(Value p, Eval(*e.args[1], ctx));
      char esc = 0;
      if (e.args.size() > 2) {
        PQ_ASSIGN_OR_RETURN(Value ev, Eval(*e.args[2], ctx));
        if (ev.is_null()) return Value();
        if (ev.kind() != K::kString || ev.as_string().size() > 1) {
          return TypeError("ESCAPE must be a single character", e.pos);
        }
        if (!ev.as_string().empty()) esc = ev.as_string()[0];
      }
      if (a.is_null() || p.is_null()) return Value();
      if (p.kind() != K::kString) return TypeError("LIKE pattern must be a string", e.pos);
      if (a.kind() != K::kString) return Value();
      return Value::Bool(LikeMatch(a.as_string(), p.as_string(), esc, e.case_insensitive) !=
                         e.negated);
    }
    case ExprKind::kCase: {
      size_t i = 0;
      Value operand;
      if (e.has_operand) {
        PQ_ASSIGN_OR_RETURN(operand, Eval(*e.args[0], ctx));
        i = 1;
      }
      size_t end = e.args.size() - (e.has_else ? 1 : 0);
      for (; i + 1 < end + 1 && i + 1 < e.args.size() && i < end; i += 2) {
        PQ_ASSIGN_OR_RETURN(Value w, Eval(*e.args[i], ctx));
        bool hit;
        if (e.has_operand) {
          auto c = SqlCompare(operand, w);
          hit = c && *c == 0;
        } else {
          hit = IsTrue(w);
        }
        if (hit) return Eval(*e.args[i + 1], ctx);
      }
      if (e.has_else) return Eval(*e.args.back(), ctx);
      return Value();
    }
    case ExprKind::kCast: {
      PQ_ASSIGN_OR_RETURN(Value a, Eval(*e.args[0], ctx));
      return CastValue(a, e);
    }
    case ExprKind::kFunction:
      return CallFunction(e, ctx);
  }
  return Value();
}

std::string ExprToString(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLiteral: {
      const Value& v = e.value;
      switch (v.kind()) {
        case K::kString: {
          std::string s = "'";
          for (char c : v.as_string()) {
            if (c == '\'') s += '\'';
            s += c;
          }
          return s + "'";
        }
        case K::kNull:
          return "NULL";
        case K::kBool:
          return v.as_bool() ? "TRUE" : "FALSE";
        case K::kDecimal:
          return v.as_decimal().ToString();
        case K::kDouble: {
          std::string s = v.ToJsonString();
          if (s == "null") return "CAST('NaN' AS DOUBLE)";
          return s.find_first_of("eE") == std::string::npos ? s + "e0" : s;
        }
        case K::kTimestamp:
          return "TIMESTAMP '" + FormatTimestampMicros(v.as_int()) + "'";
        case K::kDate:
          return "DATE '" + FormatDateDays(v.as_date()) + "'";
        default:
          return v.ToJsonString();
      }
    }
    case ExprKind::kInterval:
    {
      std::string s = "INTERVAL '";
      if (e.interval_months != 0) s += std::to_string(e.interval_months) + " months ";
      if (e.interval_micros % 1000000 == 0) {
        s += std::to_string(e.interval_micros / 1000000) + " seconds'";
      } else {
        s += std::to_string(e.interval_micros) + " microseconds'";
      }
      return s;
    }
    case ExprKind::kColumn:
      return QuotePath(e.path);
    case ExprKind::kParam:
      return "$" + std::to_string(e.param_index + 1);
    case ExprKind::kStar:
      return "*";
    case ExprKind::kUnary:
      return (e.op == "NOT" ? "(NOT " : "(-") + ExprToString(*e.args[0]) + ")";
    case ExprKind::kBinary:
      return "(" + ExprToString(*e.args[0]) + " " + e.op + " " + ExprToString(*e.args[1]) + ")";
    case ExprKind::kIsNull:
      return "(" + ExprToString(*e.args[0]) + (e.negated ? " IS NOT NULL)" : " IS NULL)");
    case ExprKind::kIn: {
      std::string s = "(" + ExprToString(*e.args[0]) + (e.negated ? " NOT IN (" : " IN (");
      for (size_t i = 1; i < e.args.size(); i++) s += (i > 1 ? ", " : "") + ExprToString(*e.args[i]);
      return s + "))";
    }
    case ExprKind::kBetween:
      return "(" + ExprToString(*e.args[0]) + (e.negated ? " NOT BETWEEN " : " BETWEEN ") +
             ExprToString(*e.args[1]) + " AND " + ExprToString(*e.args[2]) + ")";
    case ExprKind::kLike:
      return "(" + ExprToString(*e.args[0]) + (e.negated ? " NOT" : "") +
             (e.case_insensitive ? " ILIKE " : " LIKE ") + ExprToString(*e.args[1]) +
             (e.args.size() > 2 ? " ESCAPE " + ExprToString(*e.args[2]) : "") + ")";
    case ExprKind::kCase: {
      std::string s = "CASE";
      size_t i = 0;
      if (e.has_operand) s += " " + ExprToString(*e.args[i++]);
      size_t end = e.args.size() - (e.has_else ? 1 : 0);
      for (; i < end; i += 2) {
        s += " WHEN " + ExprToString(*e.args[i]) + " THEN " + ExprToString(*e.args[i + 1]);
      }
      if (e.has_else) s += " ELSE " + ExprToString(*e.args.back());
      return s + " END";
    }
    case ExprKind::kCast:
      return "CAST(" + ExprToString(*e.args[0]) + " AS " + e.type_name +
             (e.type_name == "DECIMAL" || e.type_name == "NUMERIC"
                  ? "(" + std::to_string(e.precision) + "," + std::to_string(e.scale) + ")"
                  : "") +
             ")";
    case ExprKind::kFunction: {
      std::string s = e.name + "(" + (e.distinct ? "DISTINCT " : "");
      for (size_t i = 0; i < e.args.size(); i++) s += (i ? ", " : "") + ExprToString(*e.args[i]);
      return s + ")";
    }
  }
  return "?";
}

}  // namespace parquedb::sql
