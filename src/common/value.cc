#include "parquedb/value.h"

#include <atomic>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

namespace parquedb {

namespace {

using u128 = unsigned __int128;
using i128 = __int128;

constexpr int kMaxDecimalDigits = 38;
constexpr u128 kU128Max = ~u128{0};
constexpr u128 kI128MaxMag = kU128Max >> 1;  // 2^127 - 1

// 10^0 .. 10^38 (10^38 < 2^127).
constexpr u128 Pow10(int n) {
  u128 r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}
struct Pow10Table {
  u128 v[kMaxDecimalDigits + 1];
  constexpr Pow10Table() : v() {
    for (int i = 0; i <= kMaxDecimalDigits; ++i) v[i] = Pow10(i);
  }
};
constexpr Pow10Table kPow10;

u128 Magnitude(i128 x) { return x < 0 ? u128{0} - static_cast<u128>(x) : static_cast<u128>(x); }

std::string U128ToString(u128 x) {
  char buf[48];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + static_cast<int>(x % 10));
    x /= 10;
  } while (x != 0);
  std::string out(n, '0');
  for (int i = 0; i < n; ++i) out[i] = buf[n - 1 - i];
  return out;
}

int CountDigits(u128 x) {
  int d = 1;
  while (x >= 10) {
    x /= 10;
    ++d;
  }
  return d;
}

// Quotes user text for an error message, truncating long inputs.
std::string Quote(std::string_view s) {
  constexpr size_t kMax = 64;
  std::string out = "'";
  out.append(s.substr(0, kMax));
  if (s.size() > kMax) out += "...";
  out += "'";
  return out;
}

// Compares |a| * 10^-sa with |b| * 10^-sb exactly.
int CompareScaledMagnitudes(u128 a, int64_t sa, u128 b, int64_t sb) {
  if (a == 0 || b == 0) return (a != 0) - (b != 0);
  if (sa < sb) return -CompareScaledMagnitudes(b, sb, a, sa);
  // sa >= sb: compare a with b * 10^(sa - sb).
  for (int64_t k = sa - sb; k > 0; --k) {
    if (b > kU128Max / 10) return -1;  // b * 10^k exceeds any u128, so exceeds a
    b *= 10;
  }
  return a < b ? -1 : (a > b ? 1 : 0);
}

int CompareDecimals(const Decimal& a, const Decimal& b) {
  const int sa = (a.unscaled > 0) - (a.unscaled < 0);
  const int sb = (b.unscaled > 0) - (b.unscaled < 0);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  const int c =
      CompareScaledMagnitudes(Magnitude(a.unscaled), a.scale, Magnitude(b.unscaled), b.scale);
  return sa > 0 ? c : -c;
}

// Small arbitrary-precision unsigned integer, only for exact decimal-vs-double ties.
class BigUint {
 public:
  explicit BigUint(u128 x) {
    while (x != 0) {
      limbs_.push_back(static_cast<uint32_t>(x));
      x >>= 32;
    }
  }
  void MulSmall(uint32_t m) {
    uint64_t carry = 0;
    for (uint32_t& l : limbs_) {
      const uint64_t p = static_cast<uint64_t>(l) * m + carry;
      l = static_cast<uint32_t>(p);
      carry = p >> 32;
    }
    if (carry != 0) limbs_.push_back(static_cast<uint32_t>(carry));
  }
  void MulPow10(int64_t n) {
    for (; n >= 9; n -= 9) MulSmall(1000000000u);
    for (; n > 0; --n) MulSmall(10);
  }
  void ShiftLeft(int64_t bits) {
    if (limbs_.empty() || bits <= 0) return;
    const size_t words = static_cast<size_t>(bits / 32);
    const int rem = static_cast<int>(bits % 32);
    if (rem != 0) {
      uint32_t carry = 0;
      for (uint32_t& l : limbs_) {
        const uint32_t next = l >> (32 - rem);
        l = (l << rem) | carry;
        carry = next;
      }
      if (carry != 0) limbs_.push_back(carry);
    }
    limbs_.insert(limbs_.begin(), words, 0u);
  }
  static int Compare(const BigUint& a, const BigUint& b) {
    if (a.limbs_.size() != b.limbs_.size()) return a.limbs_.size() < b.limbs_.size() ? -1 : 1;
    for (size_t i = a.limbs_.size(); i-- > 0;) {
      if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] < b.limbs_[i] ? -1 : 1;
    }
    return 0;
  }

 private:
  std::vector<uint32_t> limbs_;  // little-endian, no leading zero limbs
};

// Compares a decimal with a finite double exactly.
int CompareDecimalDouble(const Decimal& a, double d) {
  const int sa = (a.unscaled > 0) - (a.unscaled < 0);
  const int sd = (d > 0) - (d < 0);
  if (sa != sd) return sa < sd ? -1 : 1;
  if (sa == 0) return 0;
  // Same sign, both non-zero: compare magnitudes, then orient.
  const double approx = std::fabs(a.ToDouble());
  const double mag = std::fabs(d);
  int c;
  if (approx != mag) {
    // Correct rounding is monotonic, so distinct roundings decide the order.
    c = approx < mag ? -1 : 1;
  } else {
    int exp = 0;
    const double frac = std::frexp(mag, &exp);
    const u128 m = static_cast<u128>(static_cast<uint64_t>(std::ldexp(frac, 53)));
    const int64_t e = static_cast<int64_t>(exp) - 53;
    const int64_t s = a.scale;
    if (s > 1000 || s < -1000) {
      c = 0;  // unreachable: equal roundings bound the scale to about [-310, 365]
    } else {
      // |a| = U * 10^-s, |d| = m * 2^e; scale both to integers.
      BigUint lhs(Magnitude(a.unscaled));
      BigUint rhs(m);
      lhs.ShiftLeft(-e);
      lhs.MulPow10(-s);
      rhs.ShiftLeft(e);
      rhs.MulPow10(s);
      c = BigUint::Compare(lhs, rhs);
    }
  }
  return sa > 0 ? c : -c;
}

int CompareIntDouble(int64_t i, double d) {
  if (std::isnan(d)) return 1;
  constexpr double kTwo63 = 9223372036854775808.0;
  if (d >= kTwo63) return -1;
  if (d < -kTwo63) return 1;
  const double t = std::trunc(d);
  const int64_t ti = static_cast<int64_t>(t);
  if (i != ti) return i < ti ? -1 : 1;
  const double frac = d - t;
  return frac > 0 ? -1 : (frac < 0 ? 1 : 0);
}

int CompareDoubles(double a, double b) {
  const bool na = std::isnan(a), nb = std::isnan(b);
  if (na || nb) return nb - na;
  return a < b ? -1 : (a > b ? 1 : 0);
}

int CompareNumbers(const Value& a, const Value& b) {
  using K = Value::Kind;
  const K ka = a.kind(), kb = b.kind();
  if (ka == K::kInt) {
    if (kb == K::kInt) return a.as_int() < b.as_int() ? -1 : (a.as_int() > b.as_int() ? 1 : 0);
    if (kb == K::kDouble) return CompareIntDouble(a.as_int(), b.as_double());
    return CompareDecimals(Decimal{a.as_int(), 0}, b.as_decimal());
  }
  if (ka == K::kDouble) {
    const double d = a.as_double();
    if (kb == K::kInt) return -CompareIntDouble(b.as_int(), d);
    if (kb == K::kDouble) return CompareDoubles(d, b.as_double());
    if (std::isnan(d)) return -1;
    if (std::isinf(d)) return d < 0 ? -1 : 1;
    return -CompareDecimalDouble(b.as_decimal(), d);
  }
  // a is a decimal.
  if (kb == K::kInt) return CompareDecimals(a.as_decimal(), Decimal{b.as_int(), 0});
  if (kb == K::kDecimal) return CompareDecimals(a.as_decimal(), b.as_decimal());
  const double d = b.as_double();
  if (std::isnan(d)) return 1;
  if (std::isinf(d)) return d < 0 ? 1 : -1;
  return CompareDecimalDouble(a.as_decimal(), d);
}

// Rank of a kind in the total order; all numbers share one rank.
int KindRank(Value::Kind k) {
  using K = Value::Kind;
  switch (k) {
    case K::kNull:
      return 0;
    case K::kBool:
      return 1;
    case K::kInt:
    case K::kDouble:
    case K::kDecimal:
      return 2;
    case K::kString:
      return 3;
    case K::kDate:
      return 4;
    case K::kTimestamp:
      return 5;
    case K::kArray:
      return 6;
    case K::kObject:
      return 7;
  }
  return 8;
}

// ---- hashing ----

uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}
uint64_t Combine(uint64_t seed, uint64_t v) { return Mix64(seed ^ (v + 0x9e3779b97f4a7c15ULL)); }

constexpr uint64_t kTagInt = 0x1001, kTagDoubleBits = 0x1002, kTagDecimal = 0x1003,
                   kTagNaN = 0x1004;

uint64_t HashInt(int64_t i) { return Combine(kTagInt, static_cast<uint64_t>(i)); }
uint64_t HashDoubleBits(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return Combine(kTagDoubleBits, bits);
}

// Numbers hash by value class so that equal numbers of any kind hash equally:
// integers in int64 range by their int64; other values exactly representable as a
// double by that double; the rest (decimals only) by their normalized decimal.
uint64_t HashDecimal(const Decimal& x) {
  if (x.unscaled == 0) return HashInt(0);
  const u128 mag = Magnitude(x.unscaled);
  // Integral and within int64?
  if (x.scale <= 0) {
    u128 v = mag;
    bool fits = true;
    for (int64_t k = -static_cast<int64_t>(x.scale); k > 0 && fits; --k) {
      if (v > (u128{1} << 64) / 10) fits = false;
      v *= 10;
    }
    const u128 limit = x.unscaled < 0 ? (u128{1} << 63) : (u128{1} << 63) - 1;
    if (fits && v <= limit) {
      return HashInt(x.unscaled < 0 ? static_cast<int64_t>(u128{0} - v) : static_cast<int64_t>(v));
    }
  } else if (x.scale <= kMaxDecimalDigits && mag % kPow10.v[x.scale] == 0) {
    const u128 q = mag / kPow10.v[x.scale];
    const u128 limit = x.unscaled < 0 ? (u128{1} << 63) : (u128{1} << 63) - 1;
    if (q <= limit) {
      return HashInt(x.unscaled < 0 ? static_cast<int64_t>(u128{0} - q) : static_cast<int64_t>(q));
    }
  }
  const double approx = x.ToDouble();
  if (std::isfinite(approx) && approx != 0 && CompareDecimalDouble(x, approx) == 0) {
    return HashDoubleBits(approx);
  }
  // Normalize: strip trailing zeros of the unscaled value.
  u128 m = mag;
  int64_t scale = x.scale;
  while (m % 10 == 0) {
    m /= 10;
    --scale;
  }
  uint64_t h = Combine(kTagDecimal, static_cast<uint64_t>(m));
  h = Combine(h, static_cast<uint64_t>(m >> 64));
  h = Combine(h, static_cast<uint64_t>(scale));
  return Combine(h, x.unscaled < 0 ? 1 : 0);
}

uint64_t HashDouble(double d) {
  if (std::isnan(d)) return Combine(kTagNaN, 0);
  if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && std::trunc(d) == d) {
    return HashInt(static_cast<int64_t>(d));
  }
  return HashDoubleBits(d);
}

uint64_t HashValue(const Value& v) {
  using K = Value::Kind;
  const uint64_t tag = static_cast<uint64_t>(KindRank(v.kind())) << 56;
  switch (v.kind()) {
    case K::kNull:
      return Combine(tag, 0);
    case K::kBool:
      return Combine(tag, v.as_bool() ? 1 : 0);
    case K::kInt:
      return HashInt(v.as_int());
    case K::kDouble:
      return HashDouble(v.as_double());
    case K::kDecimal:
      return HashDecimal(v.as_decimal());
    case K::kString:
      return Combine(tag, std::hash<std::string_view>()(v.as_string()));
    case K::kDate:
      return Combine(tag, static_cast<uint64_t>(v.as_date()));
    case K::kTimestamp:
      return Combine(tag, static_cast<uint64_t>(v.as_int()));
    case K::kArray: {
      uint64_t h = Combine(tag, v.as_array().size());
      for (const Value& e : v.as_array()) h = Combine(h, HashValue(e));
      return h;
    }
    case K::kObject: {
      uint64_t h = Combine(tag, v.as_object().size());
      for (const auto& [k, e] : v.as_object()) {
        h = Combine(h, std::hash<std::string_view>()(k));
        h = Combine(h, HashValue(e));
      }
      return h;
    }
  }
  return 0;
}

// Parses a canonical array index ("0", "17"; no sign, no leading zeros).
bool ParseIndex(std::string_view s, size_t* out) {
  if (s.empty() || s.size() > 18 || (s.size() > 1 && s[0] == '0')) return false;
  size_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  *out = v;
  return true;
}

// ---- JSON text output ----

void AppendJsonString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      switch (c) {
        case '"':
          out->append("\\\"");
          break;
        case '\\':
          out->append("\\\\");
          break;
        case '\b':
          out->append("\\b");
          break;
        case '\f':
          out->append("\\f");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\r':
          out->append("\\r");
          break;
        case '\t':
          out->append("\\t");
          break;
        default:
          if (c < 0x20) {
            out->append("\\u00");
            out->push_back(kHex[c >> 4]);
            out->push_back(kHex[c & 15]);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // Validate one UTF-8 sequence; invalid bytes become U+FFFD.
    size_t len = 0;
    uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    }
    bool ok = len != 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if (ok) {
      // Reject overlongs, surrogates and out-of-range code points.
      if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
          (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
        ok = false;
      }
    }
    if (ok) {
      out->append(s.substr(i, len));
      i += len;
    } else {
      out->append("\xEF\xBF\xBD");
      ++i;
    }
  }
  out->push_back('"');
}

void AppendDouble(std::string* out, double d) {
  if (!std::isfinite(d)) {
    out->append("null");
    return;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  std::string_view text(buf, static_cast<size_t>(r.ptr - buf));
  out->append(text);
  if (text.find_first_of(".eE") == std::string_view::npos) out->append(".0");
}

void AppendJson(std::string* out, const Value& v) {
  using K = Value::Kind;
  switch (v.kind()) {
    case K::kNull:
      out->append("null");
      return;
    case K::kBool:
      out->append(v.as_bool() ? "true" : "false");
      return;
    case K::kInt: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, v.as_int());
      out->append(buf, r.ptr);
      return;
    }
    case K::kDouble:
      AppendDouble(out, v.as_double());
      return;
    case K::kDecimal:
      AppendJsonString(out, v.as_decimal().ToString());
      return;
    case K::kString:
      AppendJsonString(out, v.as_string());
      return;
    case K::kTimestamp:
      AppendJsonString(out, FormatTimestampMicros(v.as_int()));
      return;
    case K::kDate:
      AppendJsonString(out, FormatDateDays(v.as_date()));
      return;
    case K::kArray: {
      out->push_back('[');
      bool first = true;
      for (const Value& e : v.as_array()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJson(out, e);
      }
      out->push_back(']');
      return;
    }
    case K::kObject: {
      out->push_back('{');
      bool first = true;
      for (const auto& [k, e] : v.as_object()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(out, k);
        out->push_back(':');
        AppendJson(out, e);
      }
      out->push_back('}');
      return;
    }
  }
}

// ---- nlohmann conversion ----

template <typename J>
Value FromJsonImpl(const J& j) {
  using T = nlohmann::json::value_t;
  switch (j.type()) {
    case T::null:
    case T::discarded:
      return Value::Null();
    case T::boolean:
      return Value::Bool(j.template get<bool>());
    case T::number_integer:
      return Value::Int(j.template get<int64_t>());
    case T::number_unsigned: {
      const uint64_t u = j.template get<uint64_t>();
      if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Value::Int(static_cast<int64_t>(u));
      }
      return Value::Double(static_cast<double>(u));
    }
    case T::number_float:
      return Value::Double(j.template get<double>());
    case T::string:
      return Value::String(j.template get_ref<const typename J::string_t&>());
    case T::binary: {
      Value::Array a;
      for (uint8_t b : j.get_binary()) a.push_back(Value::Int(b));
      return Value::MakeArray(std::move(a));
    }
    case T::array: {
      Value::Array a;
      a.reserve(j.size());
      for (const auto& e : j) a.push_back(FromJsonImpl(e));
      return Value::MakeArray(std::move(a));
    }
    case T::object: {
      Value::Object o;
      o.reserve(j.size());
      for (auto it = j.begin(); it != j.end(); ++it) o.emplace_back(it.key(), FromJsonImpl(*it));
      return Value::MakeObject(std::move(o));
    }
  }
  return Value::Null();
}

// SAX handler building a Value directly, in document order, without exceptions.
class ValueBuilder {
 public:
  using number_integer_t = nlohmann::json::number_integer_t;
  using number_unsigned_t = nlohmann::json::number_unsigned_t;
  using number_float_t = nlohmann::json::number_float_t;
  using string_t = nlohmann::json::string_t;
  using binary_t = nlohmann::json::binary_t;

  bool null() { return Put(Value::Null()); }
  bool boolean(bool b) { return Put(Value::Bool(b)); }
  bool number_integer(number_integer_t i) { return Put(Value::Int(i)); }
  bool number_unsigned(number_unsigned_t u) {
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Put(Value::Int(static_cast<int64_t>(u)));
    }
    return Put(Value::Double(static_cast<double>(u)));
  }
  bool number_float(number_float_t d, const string_t& /*text*/) { return Put(Value::Double(d)); }
  bool string(string_t& s) { return Put(Value::String(std::move(s))); }
  bool binary(binary_t& b) {
    Value::Array a;
    for (uint8_t x : b) a.push_back(Value::Int(x));
    return Put(Value::MakeArray(std::move(a)));
  }
  bool start_object(std::size_t /*n*/) { return Push(false); }
  bool key(string_t& k) {
    stack_.back().key = std::move(k);
    return true;
  }
  bool end_object() { return Pop(); }
  bool start_array(std::size_t /*n*/) { return Push(true); }
  bool end_array() { return Pop(); }
  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& ex) {
    std::string what = ex.what();
    // Drop the "[json.exception.parse_error.101] " prefix.
    if (!what.empty() && what[0] == '[') {
      const size_t close = what.find("] ");
      if (close != std::string::npos) what.erase(0, close + 2);
    }
    error_ = "invalid JSON at byte " + std::to_string(position) + ": " + what;
    return false;
  }

  const std::string& error() const { return error_; }
  Value TakeRoot() { return std::move(root_); }

 private:
  struct Frame {
    bool is_array;
    Value::Array array;
    Value::Object object;
    std::string key;
    std::unordered_map<std::string, size_t> index;  // built for large objects only
  };
  static constexpr size_t kIndexThreshold = 16;

  bool Push(bool is_array) {
    if (stack_.size() >= static_cast<size_t>(Value::kMaxJsonDepth)) {
      error_ =
          "invalid JSON: nesting deeper than " + std::to_string(Value::kMaxJsonDepth) + " levels";
      return false;
    }
    stack_.emplace_back();
    stack_.back().is_array = is_array;
    return true;
  }
  bool Pop() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    return Put(f.is_array ? Value::MakeArray(std::move(f.array))
                          : Value::MakeObject(std::move(f.object)));
  }
  bool Put(Value v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return true;
    }
    Frame& f = stack_.back();
    if (f.is_array) {
      f.array.push_back(std::move(v));
      return true;
    }
    // Object member: a repeated key keeps its first position, takes the last value.
    if (f.object.size() < kIndexThreshold) {
      for (auto& m : f.object) {
        if (m.first == f.key) {
          m.second = std::move(v);
          return true;
        }
      }
    } else {
      if (f.index.empty()) {
        for (size_t i = 0; i < f.object.size(); ++i) f.index.emplace(f.object[i].first, i);
      }
      auto [it, inserted] = f.index.emplace(f.key, f.object.size());
      if (!inserted) {
        f.object[it->second].second = std::move(v);
        return true;
      }
    }
    f.object.emplace_back(std::move(f.key), std::move(v));
    return true;
  }

  std::vector<Frame> stack_;
  Value root_;
  std::string error_;
};

// ---- civil date math (days since 1970-01-01, proleptic Gregorian) ----

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;                                    // [0, 399]
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Cursor over ISO-8601 text; every failure records a reason.
class IsoScanner {
 public:
  explicit IsoScanner(std::string_view s) : s_(s) {}
  bool AtEnd() const { return pos_ == s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  bool Consume(char c) {
    if (Peek() != c || AtEnd()) return false;
    ++pos_;
    return true;
  }
  // Reads exactly n digits.
  bool Digits(int n, int* out, const char* what) {
    int v = 0;
    for (int i = 0; i < n; ++i) {
      if (AtEnd() || s_[pos_] < '0' || s_[pos_] > '9') {
        return Fail(std::string("expected ") + std::to_string(n) + "-digit " + what);
      }
      v = v * 10 + (s_[pos_++] - '0');
    }
    *out = v;
    return true;
  }
  bool Expect(char c, const char* what) {
    if (Consume(c)) return true;
    return Fail(std::string("expected ") + what);
  }
  bool Fail(std::string reason) {
    if (reason_.empty()) {
      reason_ = std::move(reason);
      if (pos_ <= s_.size()) reason_ += " at offset " + std::to_string(pos_);
    }
    return false;
  }
  // Parses YYYY-MM-DD into days since epoch.
  bool Date(int64_t* days) {
    int y, m, d;
    if (!Digits(4, &y, "year")) return false;
    if (!Expect('-', "'-' after year")) return false;
    if (!Digits(2, &m, "month")) return false;
    if (!Expect('-', "'-' after month")) return false;
    if (!Digits(2, &d, "day")) return false;
    if (y < 1) return Fail("year 0000 out of range 0001..9999");
    if (m < 1 || m > 12) return Fail("month " + std::to_string(m) + " out of range 01..12");
    const int dim = DaysInMonth(y, m);
    if (d < 1 || d > dim) {
      return Fail("day " + std::to_string(d) + " out of range for " + std::to_string(y) + "-" +
                  (m < 10 ? "0" : "") + std::to_string(m) + " (01.." + std::to_string(dim) + ")");
    }
    *days = DaysFromCivil(y, m, d);
    return true;
  }
  std::string Error(const char* kind) const {
    return std::string("invalid ") + kind + " " + Quote(s_) + ": " + reason_;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
  std::string reason_;
};

void Append2(std::string* out, int v) {
  out->push_back(static_cast<char>('0' + v / 10));
  out->push_back(static_cast<char>('0' + v % 10));
}

void AppendCivilDate(std::string* out, int64_t days) {
  int64_t y;
  int m, d;
  CivilFromDays(days, &y, &m, &d);
  if (y < 0) {
    out->push_back('-');
  } else if (y > 9999) {
    out->push_back('+');  // ISO-8601 expanded year; not accepted by the parsers
  }
  std::string ys = std::to_string(y < 0 ? -y : y);
  if (ys.size() < 4) out->append(4 - ys.size(), '0');
  out->append(ys);
  out->push_back('-');
  Append2(out, m);
  out->push_back('-');
  Append2(out, d);
}

}  // namespace

// ================================ Decimal ================================

Result<Decimal> Decimal::FromString(std::string_view s) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("invalid decimal " + Quote(s) + ": " + std::string(why));
  };
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    neg = s[i] == '-';
    ++i;
  }
  u128 mag = 0;
  int digits = 0;
  int64_t frac = 0;
  bool any_digit = false, dot = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (dot) ++frac;
      if (mag == 0 && c == '0') continue;  // leading zero
      if (digits >= kMaxDecimalDigits) return bad("more than 38 significant digits");
      mag = mag * 10 + static_cast<u128>(c - '0');
      ++digits;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!any_digit) return bad("expected digits");
  int64_t exp = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_neg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      exp_neg = s[i] == '-';
      ++i;
    }
    bool exp_digit = false;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      exp_digit = true;
      if (exp < 100000) exp = exp * 10 + (s[i] - '0');
    }
    if (!exp_digit) return bad("expected exponent digits");
    if (exp_neg) exp = -exp;
  }
  if (i != s.size()) return bad("unexpected character at offset " + std::to_string(i));
  int64_t scale = frac - exp;
  if (scale < 0) {
    if (mag != 0) {
      if (digits - scale > kMaxDecimalDigits) return bad("more than 38 significant digits");
      mag *= kPow10.v[-scale];
    }
    scale = 0;
  }
  if (scale > kMaxDecimalDigits) return bad("scale above 38");
  Decimal out;
  out.unscaled = neg ? -static_cast<i128>(mag) : static_cast<i128>(mag);
  out.scale = static_cast<int32_t>(scale);
  return out;
}

std::string Decimal::ToString() const {
  const u128 mag = Magnitude(unscaled);
  std::string digits = U128ToString(mag);
  std::string out;
  if (unscaled < 0) out.push_back('-');
  if (mag == 0 && scale <= 0) return "0";
  if (scale <= 0) {
    if (scale < -2 * kMaxDecimalDigits) {
      return out + digits + "E+" + std::to_string(-static_cast<int64_t>(scale));
    }
    out += digits;
    out.append(static_cast<size_t>(-static_cast<int64_t>(scale)), '0');
    return out;
  }
  if (scale > 2 * kMaxDecimalDigits + 2) return out + digits + "E-" + std::to_string(scale);
  const size_t sc = static_cast<size_t>(scale);
  if (digits.size() <= sc) digits.insert(0, sc + 1 - digits.size(), '0');
  digits.insert(digits.size() - sc, 1, '.');
  return out + digits;
}

Result<Decimal> Decimal::Rescale(int32_t new_scale) const {
  if (new_scale == scale || unscaled == 0) return Decimal{unscaled, new_scale};
  const int64_t diff = static_cast<int64_t>(new_scale) - scale;
  const u128 mag = Magnitude(unscaled);
  if (diff > 0) {
    if (diff > kMaxDecimalDigits || mag > kI128MaxMag / kPow10.v[diff]) {
      return Status::InvalidArgument("rescaling decimal " + ToString() + " to scale " +
                                     std::to_string(new_scale) + " overflows 128 bits");
    }
    const u128 r = mag * kPow10.v[diff];
    return Decimal{unscaled < 0 ? -static_cast<i128>(r) : static_cast<i128>(r), new_scale};
  }
  const int64_t drop = -diff;
  if (drop > kMaxDecimalDigits || mag % kPow10.v[drop] != 0) {
    return Status::InvalidArgument("rescaling decimal " + ToString() + " to scale " +
                                   std::to_string(new_scale) + " would lose digits");
  }
  const u128 r = mag / kPow10.v[drop];
  return Decimal{unscaled < 0 ? -static_cast<i128>(r) : static_cast<i128>(r), new_scale};
}

double Decimal::ToDouble() const {
  const u128 mag = Magnitude(unscaled);
  double r;
  static constexpr double kExact10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  if (mag < (u128{1} << 53) && scale >= -22 && scale <= 22) {
    // One IEEE operation on exact operands: correctly rounded.
    const double m = static_cast<double>(static_cast<uint64_t>(mag));
    r = scale >= 0 ? m / kExact10[scale] : m * kExact10[-scale];
  } else {
    const std::string text = U128ToString(mag) + "e" + std::to_string(-static_cast<int64_t>(scale));
    const auto res = std::from_chars(text.data(), text.data() + text.size(), r);
    if (res.ec == std::errc::result_out_of_range) {
      r = scale < 0 ? std::numeric_limits<double>::infinity() : 0.0;
    } else if (res.ec != std::errc()) {
      r = 0.0;
    }
  }
  return unscaled < 0 ? -r : r;
}

int Decimal::Digits() const { return CountDigits(Magnitude(unscaled)); }

// ================================ Value ================================

template <typename T>
T& Value::MutableHeavy() {
  // Sole owner: no other Value can be reading the payload. The fence pairs with the
  // release decrement of any owner that just dropped its reference.
  if (heavy_.use_count() == 1) {
    std::atomic_thread_fence(std::memory_order_acquire);
  } else {
    heavy_ = std::make_shared<T>(*static_cast<const T*>(heavy_.get()));
  }
  return *static_cast<T*>(heavy_.get());
}

Value Value::Bool(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.scalar_.b = b;
  return v;
}
Value Value::Int(int64_t i) {
  Value v;
  v.kind_ = Kind::kInt;
  v.scalar_.i = i;
  return v;
}
Value Value::Double(double d) {
  Value v;
  v.kind_ = Kind::kDouble;
  v.scalar_.d = d;
  return v;
}
Value Value::Dec(Decimal d) {
  Value v;
  v.kind_ = Kind::kDecimal;
  v.heavy_ = std::make_shared<Decimal>(d);
  return v;
}
Value Value::String(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  v.heavy_ = std::make_shared<std::string>(std::move(s));
  return v;
}
Value Value::Timestamp(int64_t micros) {
  Value v;
  v.kind_ = Kind::kTimestamp;
  v.scalar_.i = micros;
  return v;
}
Value Value::Date(int32_t days) {
  Value v;
  v.kind_ = Kind::kDate;
  v.scalar_.i = days;
  return v;
}
Value Value::MakeArray(Array a) {
  Value v;
  v.kind_ = Kind::kArray;
  v.heavy_ = std::make_shared<Array>(std::move(a));
  return v;
}
Value Value::MakeObject(Object o) {
  Value v;
  v.kind_ = Kind::kObject;
  v.heavy_ = std::make_shared<Object>(std::move(o));
  return v;
}

bool Value::as_bool() const {
  assert(kind_ == Kind::kBool);
  return kind_ == Kind::kBool && scalar_.b;
}
int64_t Value::as_int() const {
  assert(kind_ == Kind::kInt || kind_ == Kind::kTimestamp);
  return kind_ == Kind::kInt || kind_ == Kind::kTimestamp || kind_ == Kind::kDate ? scalar_.i : 0;
}
double Value::as_double() const {
  assert(is_number());
  switch (kind_) {
    case Kind::kInt:
      return static_cast<double>(scalar_.i);
    case Kind::kDouble:
      return scalar_.d;
    case Kind::kDecimal:
      return Heavy<Decimal>().ToDouble();
    default:
      return 0.0;
  }
}
const Decimal& Value::as_decimal() const {
  assert(kind_ == Kind::kDecimal);
  static const Decimal kZero{};
  return kind_ == Kind::kDecimal ? Heavy<Decimal>() : kZero;
}
const std::string& Value::as_string() const {
  assert(kind_ == Kind::kString);
  static const std::string kEmpty;
  return kind_ == Kind::kString ? Heavy<std::string>() : kEmpty;
}
int32_t Value::as_date() const {
  assert(kind_ == Kind::kDate);
  return kind_ == Kind::kDate ? static_cast<int32_t>(scalar_.i) : 0;
}
const Value::Array& Value::as_array() const {
  assert(kind_ == Kind::kArray);
  static const Array kEmpty;
  return kind_ == Kind::kArray ? Heavy<Array>() : kEmpty;
}
Value::Array& Value::mutable_array() {
  assert(kind_ == Kind::kArray);
  if (kind_ != Kind::kArray) *this = MakeArray();
  return MutableHeavy<Array>();
}
const Value::Object& Value::as_object() const {
  assert(kind_ == Kind::kObject);
  static const Object kEmpty;
  return kind_ == Kind::kObject ? Heavy<Object>() : kEmpty;
}
Value::Object& Value::mutable_object() {
  assert(kind_ == Kind::kObject);
  if (kind_ != Kind::kObject) *this = MakeObject();
  return MutableHeavy<Object>();
}

const Value* Value::Find(std::string_view key) const {
  if (kind_ != Kind::kObject) return nullptr;
  for (const auto& m : Heavy<Object>()) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

Value* Value::FindMutable(std::string_view key) {
  if (kind_ != Kind::kObject || Find(key) == nullptr) return nullptr;
  for (auto& m : mutable_object()) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

void Value::Set(std::string_view key, Value v) {
  Object& o = mutable_object();
  for (auto& m : o) {
    if (m.first == key) {
      m.second = std::move(v);
      return;
    }
  }
  o.emplace_back(std::string(key), std::move(v));
}

bool Value::Erase(std::string_view key) {
  if (Find(key) == nullptr) return false;
  Object& o = mutable_object();
  for (auto it = o.begin(); it != o.end(); ++it) {
    if (it->first == key) {
      o.erase(it);
      return true;
    }
  }
  return false;
}

const Value* Value::FindPath(std::string_view path) const {
  const Value* cur = this;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    const std::string_view seg =
        path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (cur->kind_ == Kind::kObject) {
      cur = cur->Find(seg);
    } else if (cur->kind_ == Kind::kArray) {
      size_t idx;
      const Array& a = cur->Heavy<Array>();
      cur = ParseIndex(seg, &idx) && idx < a.size() ? &a[idx] : nullptr;
    } else {
      cur = nullptr;
    }
    if (cur == nullptr || dot == std::string_view::npos) return cur;
    start = dot + 1;
  }
}

int Value::Compare(const Value& a, const Value& b) {
  const int ra = KindRank(a.kind_), rb = KindRank(b.kind_);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (a.kind_) {
    case Kind::kNull:
      return 0;
    case Kind::kBool:
      return static_cast<int>(a.scalar_.b) - static_cast<int>(b.scalar_.b);
    case Kind::kInt:
    case Kind::kDouble:
    case Kind::kDecimal:
      return CompareNumbers(a, b);
    case Kind::kString: {
      const int c = a.Heavy<std::string>().compare(b.Heavy<std::string>());
      return (c > 0) - (c < 0);
    }
    case Kind::kDate:
    case Kind::kTimestamp:
      return a.scalar_.i < b.scalar_.i ? -1 : (a.scalar_.i > b.scalar_.i ? 1 : 0);
    case Kind::kArray: {
      if (a.heavy_ == b.heavy_) return 0;
      const Array& x = a.Heavy<Array>();
      const Array& y = b.Heavy<Array>();
      const size_t n = std::min(x.size(), y.size());
      for (size_t i = 0; i < n; ++i) {
        const int c = Compare(x[i], y[i]);
        if (c != 0) return c;
      }
      return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
    }
    case Kind::kObject: {
      if (a.heavy_ == b.heavy_) return 0;
      const Object& x = a.Heavy<Object>();
      const Object& y = b.Heavy<Object>();
      const size_t n = std::min(x.size(), y.size());
      for (size_t i = 0; i < n; ++i) {
        const int kc = x[i].first.compare(y[i].first);
        if (kc != 0) return kc < 0 ? -1 : 1;
        const int c = Compare(x[i].second, y[i].second);
        if (c != 0) return c;
      }
      return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
    }
  }
  return 0;
}

size_t Value::Hash() const { return static_cast<size_t>(HashValue(*this)); }

nlohmann::json Value::ToJson() const {
  switch (kind_) {
    case Kind::kNull:
      return nullptr;
    case Kind::kBool:
      return scalar_.b;
    case Kind::kInt:
      return scalar_.i;
    case Kind::kDouble:
      if (!std::isfinite(scalar_.d)) return nullptr;
      return scalar_.d;
    case Kind::kDecimal:
      return Heavy<Decimal>().ToString();
    case Kind::kString:
      return Heavy<std::string>();
    case Kind::kTimestamp:
      return FormatTimestampMicros(scalar_.i);
    case Kind::kDate:
      return FormatDateDays(static_cast<int32_t>(scalar_.i));
    case Kind::kArray: {
      nlohmann::json j = nlohmann::json::array();
      for (const Value& e : Heavy<Array>()) j.push_back(e.ToJson());
      return j;
    }
    case Kind::kObject: {
      nlohmann::json j = nlohmann::json::object();
      for (const auto& [k, e] : Heavy<Object>()) j[k] = e.ToJson();
      return j;
    }
  }
  return nullptr;
}

std::string Value::ToJsonString() const {
  std::string out;
  AppendJson(&out, *this);
  return out;
}

Value Value::FromJson(const nlohmann::json& j) { return FromJsonImpl(j); }

Result<Value> Value::ParseJson(std::string_view text) {
  ValueBuilder builder;
  const bool ok = nlohmann::json::sax_parse(text.data(), text.data() + text.size(), &builder,
                                            nlohmann::json::input_format_t::json,
                                            /*strict=*/true);
  if (!ok) {
    return Status::InvalidArgument(builder.error().empty() ? "invalid JSON" : builder.error());
  }
  return builder.TakeRoot();
}

std::string_view Value::KindName(Kind kind) {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kDouble:
      return "double";
    case Kind::kDecimal:
      return "decimal";
    case Kind::kString:
      return "string";
    case Kind::kTimestamp:
      return "timestamp";
    case Kind::kDate:
      return "date";
    case Kind::kArray:
      return "array";
    case Kind::kObject:
      return "object";
  }
  return "unknown";
}

// ============================ ISO-8601 helpers ============================

std::string DescribeJsonError(const Status& status, std::string_view text, int64_t first_line) {
  // Value::ParseJson: "invalid JSON at byte N: parse error at line L, column C: <detail>"
  // where N counts the bytes read up to and including the offending one.
  const std::string& msg = status.message();
  static constexpr std::string_view kPrefix = "invalid JSON at byte ";
  if (msg.compare(0, kPrefix.size(), kPrefix) != 0) return msg;
  size_t pos = kPrefix.size();
  uint64_t byte = 0;
  while (pos < msg.size() && msg[pos] >= '0' && msg[pos] <= '9') {
    byte = byte * 10 + static_cast<uint64_t>(msg[pos] - '0');
    pos++;
  }
  if (msg.compare(pos, 2, ": ") != 0) return msg;
  std::string detail = msg.substr(pos + 2);
  // Drop nlohmann's own position (relative to the text we passed) for ours.
  if (detail.rfind("parse error", 0) == 0) {
    size_t colon = detail.find(": ");
    if (colon != std::string::npos) detail = detail.substr(colon + 2);
  }
  size_t offset = byte == 0 ? 0 : static_cast<size_t>(byte - 1);
  if (offset > text.size()) offset = text.size();
  int64_t line = first_line;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; i++) {
    if (text[i] == '\n') {
      line++;
      line_start = i + 1;
    }
  }
  int64_t column = static_cast<int64_t>(offset - line_start) + 1;
  return "invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(column) +
         ": " + detail;
}

Result<int64_t> ParseTimestampMicros(std::string_view s) {
  IsoScanner sc(s);
  int64_t days;
  if (!sc.Date(&days)) return Status::InvalidArgument(sc.Error("timestamp"));
  int64_t micros = days * kMicrosPerDay;
  if (sc.AtEnd()) return micros;
  if (!sc.Consume('T') && !sc.Consume('t') && !sc.Consume(' ')) {
    sc.Fail("expected 'T' or ' ' after the date");
    return Status::InvalidArgument(sc.Error("timestamp"));
  }
  int hh, mm, ss = 0;
  bool ok =
      sc.Digits(2, &hh, "hour") && sc.Expect(':', "':' after hour") && sc.Digits(2, &mm, "minute");
  if (ok && sc.Consume(':')) ok = sc.Digits(2, &ss, "second");
  int64_t frac_micros = 0;
  if (ok && (sc.Peek() == '.' || sc.Peek() == ',')) {
    sc.Consume(sc.Peek());
    int n = 0;
    while (sc.Peek() >= '0' && sc.Peek() <= '9' && !sc.AtEnd()) {
      const int digit = sc.Peek() - '0';
      sc.Consume(sc.Peek());
      if (n < 6) frac_micros = frac_micros * 10 + digit;
      ++n;
    }
    if (n == 0) ok = sc.Fail("expected fractional-second digits");
    if (n > 9) ok = sc.Fail("more than 9 fractional-second digits");
    for (int k = n; k < 6; ++k) frac_micros *= 10;
  }
  if (ok && hh > 23) ok = sc.Fail("hour " + std::to_string(hh) + " out of range 00..23");
  if (ok && mm > 59) ok = sc.Fail("minute " + std::to_string(mm) + " out of range 00..59");
  if (ok && ss > 59) ok = sc.Fail("second " + std::to_string(ss) + " out of range 00..59");
  int64_t offset_minutes = 0;
  if (ok && !sc.AtEnd()) {
    if (sc.Consume('Z') || sc.Consume('z')) {
      // UTC
    } else if (sc.Peek() == '+' || sc.Peek() == '-') {
      const bool neg = sc.Peek() == '-';
      sc.Consume(sc.Peek());
      int oh = 0, om = 0;
      ok = sc.Digits(2, &oh, "offset hour");
      if (ok && sc.Consume(':')) {
        ok = sc.Digits(2, &om, "offset minute");
      } else if (ok && sc.Peek() >= '0' && sc.Peek() <= '9' && !sc.AtEnd()) {
        ok = sc.Digits(2, &om, "offset minute");
      }
      if (ok && (oh > 23 || om > 59)) ok = sc.Fail("offset out of range");
      if (ok) offset_minutes = (neg ? -1 : 1) * (oh * 60 + om);
    } else {
      ok = sc.Fail("expected 'Z', '+HH:MM' or '-HH:MM'");
    }
  }
  if (ok && !sc.AtEnd()) ok = sc.Fail("unexpected trailing text");
  if (!ok) return Status::InvalidArgument(sc.Error("timestamp"));
  micros += ((hh * 60 + mm - offset_minutes) * 60 + ss) * kMicrosPerSecond + frac_micros;
  return micros;
}

std::string FormatTimestampMicros(int64_t micros) {
  int64_t days = micros / kMicrosPerDay;
  int64_t rem = micros % kMicrosPerDay;
  if (rem < 0) {
    rem += kMicrosPerDay;
    --days;
  }
  std::string out;
  out.reserve(28);
  AppendCivilDate(&out, days);
  const int64_t secs = rem / kMicrosPerSecond;
  const int64_t us = rem % kMicrosPerSecond;
  out.push_back('T');
  Append2(&out, static_cast<int>(secs / 3600));
  out.push_back(':');
  Append2(&out, static_cast<int>(secs / 60 % 60));
  out.push_back(':');
  Append2(&out, static_cast<int>(secs % 60));
  out.push_back('.');
  char buf[8];
  for (int i = 5, v = static_cast<int>(us); i >= 0; --i, v /= 10) {
    buf[i] = static_cast<char>('0' + v % 10);
  }
  out.append(buf, 6);
  out.push_back('Z');
  return out;
}

Result<int32_t> ParseDateDays(std::string_view s) {
  IsoScanner sc(s);
  int64_t days;
  if (!sc.Date(&days)) return Status::InvalidArgument(sc.Error("date"));
  if (!sc.AtEnd()) {
    sc.Fail("unexpected trailing text (expected YYYY-MM-DD)");
    return Status::InvalidArgument(sc.Error("date"));
  }
  return static_cast<int32_t>(days);
}

std::string FormatDateDays(int32_t days) {
  std::string out;
  out.reserve(10);
  AppendCivilDate(&out, days);
  return out;
}

}  // namespace parquedb
