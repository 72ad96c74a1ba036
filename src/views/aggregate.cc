#include "views/aggregate.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include "common/value_codec.h"

namespace parquedb::views {

namespace {

using Kind = Value::Kind;
using i128 = __int128;
using u128 = unsigned __int128;

constexpr int kMaxDecimalDigits = 38;

struct AggName {
  std::string_view name;
  AggKind kind;
};
constexpr AggName kAggNames[] = {
    {"$count", AggKind::kCount},
    {"$sum", AggKind::kSum},
    {"$avg", AggKind::kAvg},
    {"$min", AggKind::kMin},
    {"$max", AggKind::kMax},
    {"$first", AggKind::kFirst},
    {"$last", AggKind::kLast},
    {"$stddev", AggKind::kStdDev},
    {"$stddevSamp", AggKind::kStdDevSamp},
    {"$variance", AggKind::kVariance},
    {"$varianceSamp", AggKind::kVarianceSamp},
};

// ---- double-double primitives ----

inline void TwoSum(double a, double b, double* s, double* e) {
  *s = a + b;
  const double bb = *s - a;
  *e = (a - (*s - bb)) + (b - bb);
}

inline void QuickTwoSum(double a, double b, double* s, double* e) {
  *s = a + b;
  *e = b - (*s - a);
}

inline void Split(double a, double* hi, double* lo) {
  constexpr double kSplitter = 134217729.0;  // 2^27 + 1
  const double c = kSplitter * a;
  *hi = c - (c - a);
  *lo = a - *hi;
}

// Exact product a*b = p + e (Dekker), barring overflow.
inline void TwoProd(double a, double b, double* p, double* e) {
  *p = a * b;
  double ah = 0, al = 0, bh = 0, bl = 0;
  Split(a, &ah, &al);
  Split(b, &bh, &bl);
  *e = ((ah * bh - *p) + ah * bl + al * bh) + al * bl;
}

DoubleDouble Pow10DD(int n) {
  // 10^0 .. 10^22 are exact doubles.
  static constexpr double kExact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  if (n >= 0 && n <= 22) return DoubleDouble{kExact[n], 0};
  return DoubleDouble::From(Int256::Pow10(n));
}

// ---- varint helpers ----

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

void PutSigned(std::string* out, int64_t v) { PutVarint64(out, ZigZag(v)); }
bool GetSigned(std::string_view* in, int64_t* v) {
  uint64_t u = 0;
  if (!GetVarint64(in, &u)) return false;
  *v = UnZigZag(u);
  return true;
}
void PutFixed64(std::string* out, uint64_t v) {
  char buf[8];
  std::memcpy(buf, &v, 8);
  out->append(buf, 8);
}
bool GetFixed64(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  std::memcpy(v, in->data(), 8);
  in->remove_prefix(8);
  return true;
}
void PutInt256(std::string* out, const Int256& v) {
  for (uint64_t w : v.w) PutFixed64(out, w);
}
bool GetInt256(std::string_view* in, Int256* v) {
  for (uint64_t& w : v->w) {
    if (!GetFixed64(in, &w)) return false;
  }
  return true;
}

Status Truncated(std::string_view what) {
  return Status::Corruption("view aggregate state: truncated or malformed " + std::string(what));
}

void EncodeOrderKey(std::string* out, const OrderKey& k) {
  EncodeValue(k.created, out);
  PutLengthPrefixed(out, k.id);
  PutSigned(out, k.sub);
  PutSigned(out, k.pos);
}

Status DecodeOrderKey(std::string_view* in, OrderKey* k) {
  PQ_RETURN_IF_ERROR(DecodeValue(in, &k->created));
  std::string_view id;
  if (!GetLengthPrefixed(in, &id) || !GetSigned(in, &k->sub) || !GetSigned(in, &k->pos)) {
    return Truncated("order key");
  }
  k->id = std::string(id);
  return Status::OK();
}

}  // namespace

std::optional<AggKind> ParseAggKind(std::string_view op) {
  for (const AggName& a : kAggNames) {
    if (a.name == op) return a.kind;
  }
  return std::nullopt;
}

std::string_view AggKindName(AggKind kind) {
  for (const AggName& a : kAggNames) {
    if (a.kind == kind) return a.name;
  }
  return "?";
}

std::string_view AggKindList() {
  return "$count, $sum, $avg, $min, $max, $first, $last, $stddev, $stddevSamp, $variance, "
         "$varianceSamp";
}

int TotalCompare(const Value& a, const Value& b) {
  const int c = Value::Compare(a, b);
  if (c != 0) return c;
  if (a.kind() != b.kind()) return a.kind() < b.kind() ? -1 : 1;
  switch (a.kind()) {
    case Kind::kDouble: {
      const bool sa = std::signbit(a.as_double());
      const bool sb = std::signbit(b.as_double());
      return sa == sb ? 0 : (sa ? -1 : 1);
    }
    case Kind::kDecimal: {
      const int32_t x = a.as_decimal().scale;
      const int32_t y = b.as_decimal().scale;
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case Kind::kArray:
    case Kind::kObject: {
      std::string ea, eb;
      EncodeValue(a, &ea);
      EncodeValue(b, &eb);
      const int r = ea.compare(eb);
      return r < 0 ? -1 : (r > 0 ? 1 : 0);
    }
    default:
      return 0;
  }
}

bool OrderKey::operator==(const OrderKey& o) const { return CompareOrderKeys(*this, o) == 0; }

int CompareOrderKeys(const OrderKey& a, const OrderKey& b) {
  int c = TotalCompare(a.created, b.created);
  if (c != 0) return c;
  c = a.id.compare(b.id);
  if (c != 0) return c < 0 ? -1 : 1;
  if (a.sub != b.sub) return a.sub < b.sub ? -1 : 1;
  if (a.pos != b.pos) return a.pos < b.pos ? -1 : 1;
  return 0;
}

// ----------------------------------- Int256 -----------------------------------

Int256 Int256::From(i128 v) {
  Int256 r;
  const u128 u = static_cast<u128>(v);
  r.w[0] = static_cast<uint64_t>(u);
  r.w[1] = static_cast<uint64_t>(u >> 64);
  const uint64_t ext = v < 0 ? ~uint64_t{0} : 0;
  r.w[2] = ext;
  r.w[3] = ext;
  return r;
}

Int256 Int256::Pow10(int n) {
  struct Table {
    Int256 v[77];
    Table() {
      v[0] = From(1);
      const Int256 ten = From(10);
      for (int i = 1; i < 77; ++i) v[i] = v[i - 1] * ten;
    }
  };
  static const Table kTable;
  return kTable.v[std::clamp(n, 0, 76)];
}

Int256& Int256::operator+=(const Int256& o) {
  u128 carry = 0;
  for (int i = 0; i < 4; ++i) {
    const u128 s = static_cast<u128>(w[i]) + o.w[i] + carry;
    w[i] = static_cast<uint64_t>(s);
    carry = s >> 64;
  }
  return *this;
}

Int256 Int256::operator-() const {
  Int256 r;
  for (int i = 0; i < 4; ++i) r.w[i] = ~w[i];
  r += From(1);
  return r;
}

Int256& Int256::operator-=(const Int256& o) { return *this += -o; }

Int256 Int256::operator*(const Int256& o) const {
  Int256 r;
  for (int i = 0; i < 4; ++i) {
    u128 carry = 0;
    for (int j = 0; i + j < 4; ++j) {
      const u128 cur = static_cast<u128>(w[i]) * o.w[j] + r.w[i + j] + carry;
      r.w[i + j] = static_cast<uint64_t>(cur);
      carry = cur >> 64;
    }
  }
  return r;
}

Int256 Int256::DivPow10(int n) const {
  const bool neg = Negative();
  Int256 m = neg ? -*this : *this;
  while (n > 0) {
    const int step = std::min(n, 19);
    uint64_t d = 1;
    for (int i = 0; i < step; ++i) d *= 10;
    u128 rem = 0;
    for (int i = 3; i >= 0; --i) {
      const u128 cur = (rem << 64) | m.w[i];
      m.w[i] = static_cast<uint64_t>(cur / d);
      rem = cur % d;
    }
    n -= step;
  }
  return neg ? -m : m;
}

bool Int256::FitsInt128() const {
  const uint64_t ext = (w[1] >> 63) != 0 ? ~uint64_t{0} : 0;
  return w[2] == ext && w[3] == ext;
}

i128 Int256::ToInt128() const { return static_cast<i128>((static_cast<u128>(w[1]) << 64) | w[0]); }

int Int256::MagnitudeBits() const {
  const Int256 m = Negative() ? -*this : *this;
  for (int i = 3; i >= 0; --i) {
    if (m.w[i] != 0) return i * 64 + (64 - __builtin_clzll(m.w[i]));
  }
  return 0;
}

bool Int256::operator==(const Int256& o) const {
  return w[0] == o.w[0] && w[1] == o.w[1] && w[2] == o.w[2] && w[3] == o.w[3];
}

// -------------------------------- DoubleDouble --------------------------------

DoubleDouble DoubleDouble::From(const Int256& v) {
  const bool neg = v.Negative();
  const Int256 m = neg ? -v : v;
  DoubleDouble r;
  for (int i = 3; i >= 0; --i) {
    const uint64_t limb = m.w[i];
    if (limb == 0) continue;
    r.Add(std::ldexp(static_cast<double>(limb >> 32), 64 * i + 32));
    r.Add(std::ldexp(static_cast<double>(limb & 0xffffffffu), 64 * i));
  }
  if (neg) {
    r.hi = -r.hi;
    r.lo = -r.lo;
  }
  return r;
}

DoubleDouble& DoubleDouble::Add(double x) {
  double s = 0, e = 0;
  TwoSum(hi, x, &s, &e);
  e += lo;
  QuickTwoSum(s, e, &hi, &lo);
  return *this;
}

DoubleDouble& DoubleDouble::Add(const DoubleDouble& x) {
  double s = 0, e = 0, t = 0, f = 0;
  TwoSum(hi, x.hi, &s, &e);
  TwoSum(lo, x.lo, &t, &f);
  e += t;
  QuickTwoSum(s, e, &s, &e);
  e += f;
  QuickTwoSum(s, e, &hi, &lo);
  return *this;
}

DoubleDouble DoubleDouble::Mul(const DoubleDouble& x) const {
  double p = 0, e = 0;
  TwoProd(hi, x.hi, &p, &e);
  e += hi * x.lo + lo * x.hi;
  DoubleDouble r;
  QuickTwoSum(p, e, &r.hi, &r.lo);
  return r;
}

DoubleDouble DoubleDouble::Div(const DoubleDouble& x) const {
  const double q1 = hi / x.hi;
  DoubleDouble r = *this;
  DoubleDouble t = x.Mul(DoubleDouble{q1, 0});
  r.Add(DoubleDouble{-t.hi, -t.lo});
  const double q2 = r.hi / x.hi;
  t = x.Mul(DoubleDouble{q2, 0});
  r.Add(DoubleDouble{-t.hi, -t.lo});
  const double q3 = r.hi / x.hi;
  DoubleDouble q;
  QuickTwoSum(q1, q2, &q.hi, &q.lo);
  q.Add(q3);
  return q;
}

// -------------------------------- ExactFloatSum --------------------------------

namespace {
constexpr int kDigitBits = 32;
constexpr int64_t kDigitMask = (int64_t{1} << kDigitBits) - 1;
constexpr int64_t kMaxPending = int64_t{1} << 29;  // |limb| stays below 2^62
}  // namespace

void ExactFloatSum::Add(double x, int sign) {
  if (x == 0) return;
  uint64_t bits = 0;
  std::memcpy(&bits, &x, 8);
  const bool negative = ((bits >> 63) != 0) != (sign < 0);
  const int exp_field = static_cast<int>((bits >> 52) & 0x7ff);
  uint64_t mant = bits & ((uint64_t{1} << 52) - 1);
  int pos = 0;  // bit position of mant's lowest bit above 2^-1074
  if (exp_field == 0) {
    pos = 0;  // subnormal
  } else {
    mant |= uint64_t{1} << 52;
    pos = exp_field - 1;
  }
  const int32_t idx = pos / kDigitBits;
  const u128 v = static_cast<u128>(mant) << (pos % kDigitBits);  // < 2^85: three digits
  if (limbs_.empty()) {
    base_ = idx;
    limbs_.assign(3, 0);
  }
  if (idx < base_) {
    limbs_.insert(limbs_.begin(), static_cast<size_t>(base_ - idx), 0);
    base_ = idx;
  }
  const size_t need = static_cast<size_t>(idx - base_) + 3;
  if (limbs_.size() < need) limbs_.resize(need, 0);
  int64_t* d = &limbs_[static_cast<size_t>(idx - base_)];
  const auto d0 = static_cast<int64_t>(static_cast<uint64_t>(v) & kDigitMask);
  const auto d1 = static_cast<int64_t>(static_cast<uint64_t>(v >> 32) & kDigitMask);
  const auto d2 = static_cast<int64_t>(static_cast<uint64_t>(v >> 64));
  if (negative) {
    d[0] -= d0;
    d[1] -= d1;
    d[2] -= d2;
  } else {
    d[0] += d0;
    d[1] += d1;
    d[2] += d2;
  }
  if (++pending_ >= kMaxPending) Normalize();
}

void ExactFloatSum::Normalize() {
  pending_ = 0;
  if (limbs_.empty()) return;
  for (size_t i = 0; i + 1 < limbs_.size(); ++i) {
    const int64_t carry = limbs_[i] >> kDigitBits;  // floor division by 2^32
    limbs_[i] -= carry * (int64_t{1} << kDigitBits);
    limbs_[i + 1] += carry;
  }
  // Keep the top digit within one digit (it carries the sign).
  while (limbs_.back() > kDigitMask || limbs_.back() < -kDigitMask - 1) {
    const int64_t carry = limbs_.back() >> kDigitBits;
    limbs_.back() -= carry * (int64_t{1} << kDigitBits);
    limbs_.push_back(carry);
  }
  while (!limbs_.empty() && limbs_.back() == 0) limbs_.pop_back();
  size_t low = 0;
  while (low < limbs_.size() && limbs_[low] == 0) ++low;
  if (low > 0) {
    limbs_.erase(limbs_.begin(), limbs_.begin() + static_cast<ptrdiff_t>(low));
    base_ += static_cast<int32_t>(low);
  }
  if (limbs_.empty()) base_ = 0;
}

bool ExactFloatSum::IsZero() const {
  ExactFloatSum copy = *this;
  copy.Normalize();
  return copy.limbs_.empty();
}

DoubleDouble ExactFloatSum::ToDD() const {
  ExactFloatSum m = *this;
  m.Normalize();
  if (m.limbs_.empty()) return DoubleDouble{};
  const bool negative = m.limbs_.back() < 0;
  if (negative) {
    for (int64_t& l : m.limbs_) l = -l;
    m.Normalize();
  }
  DoubleDouble r;
  for (size_t i = m.limbs_.size(); i-- > 0;) {
    const int exp = (m.base_ + static_cast<int>(i)) * kDigitBits - 1074;
    r.Add(std::ldexp(static_cast<double>(m.limbs_[i]), exp));
  }
  if (negative) {
    r.hi = -r.hi;
    r.lo = -r.lo;
  }
  return r;
}

void ExactFloatSum::Encode(std::string* out) const {
  ExactFloatSum m = *this;
  m.Normalize();
  PutSigned(out, m.base_);
  PutVarint64(out, m.limbs_.size());
  for (int64_t l : m.limbs_) PutSigned(out, l);
}

bool ExactFloatSum::Decode(std::string_view* in) {
  int64_t base = 0;
  uint64_t n = 0;
  if (!GetSigned(in, &base) || !GetVarint64(in, &n) || n > 200 || base < 0 || base > 200) {
    return false;
  }
  base_ = static_cast<int32_t>(base);
  limbs_.assign(n, 0);
  for (int64_t& l : limbs_) {
    if (!GetSigned(in, &l) || l > kDigitMask || l < -kDigitMask - 1) return false;
  }
  pending_ = 0;
  return true;
}

// ----------------------------- NumericAccumulator -----------------------------

void NumericAccumulator::Rescale(int32_t new_scale) {
  if (new_scale > scale_) {
    exact_ = exact_ * Int256::Pow10(new_scale - scale_);
    if (squares_) exact_sq_ = exact_sq_ * Int256::Pow10(2 * (new_scale - scale_));
  } else if (new_scale < scale_) {
    exact_ = exact_.DivPow10(scale_ - new_scale);
    if (squares_) exact_sq_ = exact_sq_.DivPow10(2 * (scale_ - new_scale));
  }
  scale_ = new_scale;
}

void NumericAccumulator::AddExact(int64_t n, const Int256& sum, const Int256& sum_sq,
                                  int32_t scale) {
  if (n <= 0) return;
  if (scale < 0) {
    Int256 term = sum;
    if (scale_ > 0) term = term * Int256::Pow10(scale_);
    exact_ += term;
    if (squares_) {
      Int256 sq = sum_sq;
      if (scale_ > 0) sq = sq * Int256::Pow10(2 * scale_);
      exact_sq_ += sq;
    }
    n_ += n;
    return;
  }
  const int32_t s = std::clamp(scale, 0, kMaxDecimalDigits);
  if (s > scale_) Rescale(s);
  Int256 term = sum;
  if (scale_ > s) term = term * Int256::Pow10(scale_ - s);
  exact_ += term;
  if (squares_) {
    Int256 sq = sum_sq;
    if (scale_ > s) sq = sq * Int256::Pow10(2 * (scale_ - s));
    exact_sq_ += sq;
  }
  n_ += n;
  n_decimal_ += n;
  for (auto& [sc, cnt] : scales_) {
    if (sc == s) {
      cnt += n;
      return;
    }
  }
  scales_.emplace_back(s, n);
}

int32_t NumericAccumulator::LiveScale() const {
  int32_t s = 0;
  for (const auto& [scale, n] : scales_) s = std::max(s, scale);
  return s;
}

Int256 NumericAccumulator::ExactAt(int32_t scale) const {
  if (scale >= scale_) return exact_ * Int256::Pow10(scale - scale_);
  return exact_.DivPow10(scale_ - scale);
}

DoubleDouble NumericAccumulator::SumDD() const {
  DoubleDouble s = DoubleDouble::From(exact_);
  if (scale_ > 0) s = s.Div(Pow10DD(scale_));
  if (n_double_ > 0) s.Add(dbl_.ToDD());
  return s;
}

void NumericAccumulator::Update(const Value& v, int weight) {
  switch (v.kind()) {
    case Kind::kInt: {
      const int64_t i = v.as_int();
      Int256 term = Int256::From(i);
      if (scale_ > 0) term = term * Int256::Pow10(scale_);
      if (weight > 0) {
        exact_ += term;
      } else {
        exact_ -= term;
      }
      if (squares_) {
        Int256 sq = Int256::From(static_cast<i128>(i) * i);
        if (scale_ > 0) sq = sq * Int256::Pow10(2 * scale_);
        if (weight > 0) {
          exact_sq_ += sq;
        } else {
          exact_sq_ -= sq;
        }
      }
      n_ += weight;
      break;
    }
    case Kind::kDecimal: {
      const Decimal& d = v.as_decimal();
      const int32_t s = std::clamp(d.scale, 0, kMaxDecimalDigits);
      Int256 term = Int256::From(d.unscaled);
      if (d.scale < 0) term = term * Int256::Pow10(-d.scale);
      if (s > scale_) Rescale(s);
      if (scale_ > s) term = term * Int256::Pow10(scale_ - s);
      if (weight > 0) {
        exact_ += term;
      } else {
        exact_ -= term;
      }
      if (squares_) {
        const Int256 sq = term * term;
        if (weight > 0) {
          exact_sq_ += sq;
        } else {
          exact_sq_ -= sq;
        }
      }
      n_ += weight;
      n_decimal_ += weight;
      bool found = false;
      for (size_t i = 0; i < scales_.size(); ++i) {
        if (scales_[i].first == s) {
          found = true;
          scales_[i].second += weight;
          if (scales_[i].second == 0) scales_.erase(scales_.begin() + static_cast<ptrdiff_t>(i));
          break;
        }
      }
      if (!found) scales_.emplace_back(s, weight);
      if (n_decimal_ == 0 && scale_ != 0) Rescale(0);
      break;
    }
    case Kind::kDouble: {
      const double x = v.as_double();
      n_ += weight;
      n_double_ += weight;
      if (std::isnan(x)) {
        n_nan_ += weight;
      } else if (std::isinf(x)) {
        (x > 0 ? n_pos_inf_ : n_neg_inf_) += weight;
      } else {
        dbl_.Add(x, weight);
        if (squares_) {
          double p = 0, e = 0;
          TwoProd(x, x, &p, &e);
          dbl_sq_.Add(p, weight);
          dbl_sq_.Add(e, weight);
        }
      }
      if (n_double_ == 0) {
        dbl_.Clear();
        dbl_sq_.Clear();
      }
      break;
    }
    default:
      break;
  }
}

Value NumericAccumulator::Sum(const Value& zero) const {
  if (n_ == 0) return zero;
  if (n_nan_ > 0 || (n_pos_inf_ > 0 && n_neg_inf_ > 0)) {
    return Value::Double(std::numeric_limits<double>::quiet_NaN());
  }
  if (n_pos_inf_ > 0) return Value::Double(std::numeric_limits<double>::infinity());
  if (n_neg_inf_ > 0) return Value::Double(-std::numeric_limits<double>::infinity());
  if (n_double_ > 0) return Value::Double(SumDD().ToDouble());
  const int32_t s = n_decimal_ > 0 ? LiveScale() : 0;
  const Int256 v = ExactAt(s);
  if (v.FitsInt128()) {
    const i128 x = v.ToInt128();
    const u128 mag = x < 0 ? u128{0} - static_cast<u128>(x) : static_cast<u128>(x);
    if (n_decimal_ == 0 && x >= std::numeric_limits<int64_t>::min() &&
        x <= std::numeric_limits<int64_t>::max()) {
      return Value::Int(static_cast<int64_t>(x));
    }
    u128 limit = 1;
    for (int i = 0; i < kMaxDecimalDigits; ++i) limit *= 10;
    if (mag < limit) return Value::Dec(Decimal{x, s});
  }
  return Value::Double(SumDD().ToDouble());
}

Value NumericAccumulator::Average() const {
  if (n_ == 0) return Value();
  if (n_nan_ > 0 || (n_pos_inf_ > 0 && n_neg_inf_ > 0)) {
    return Value::Double(std::numeric_limits<double>::quiet_NaN());
  }
  if (n_pos_inf_ > 0) return Value::Double(std::numeric_limits<double>::infinity());
  if (n_neg_inf_ > 0) return Value::Double(-std::numeric_limits<double>::infinity());
  return Value::Double(SumDD().Div(DoubleDouble{static_cast<double>(n_), 0}).ToDouble());
}

Value NumericAccumulator::Variance(bool sample) const {
  if (n_ == 0 || (sample && n_ < 2)) return Value();
  if (n_nan_ > 0 || n_pos_inf_ > 0 || n_neg_inf_ > 0) {
    return Value::Double(std::numeric_limits<double>::quiet_NaN());
  }
  const DoubleDouble n{static_cast<double>(n_), 0};
  const DoubleDouble denom =
      sample ? n.Mul(DoubleDouble{static_cast<double>(n_ - 1), 0}) : n.Mul(n);
  DoubleDouble num;
  if (n_double_ == 0 && exact_.FitsInt128() && exact_sq_.MagnitudeBits() + 64 < 254) {
    const Int256 s1 = exact_;
    Int256 exact_num = exact_sq_ * Int256::From(n_);
    exact_num -= s1 * s1;
    if (exact_num.Negative()) exact_num = Int256{};
    num = DoubleDouble::From(exact_num);
    if (scale_ > 0) num = num.Div(Pow10DD(2 * scale_));
  } else {
    const DoubleDouble s1 = SumDD();
    DoubleDouble s2 = DoubleDouble::From(exact_sq_);
    if (scale_ > 0) s2 = s2.Div(Pow10DD(2 * scale_));
    if (n_double_ > 0) s2.Add(dbl_sq_.ToDD());
    num = n.Mul(s2);
    const DoubleDouble sq = s1.Mul(s1);
    num.Add(DoubleDouble{-sq.hi, -sq.lo});
    if (num.hi < 0) num = DoubleDouble{};
  }
  return Value::Double(num.Div(denom).ToDouble());
}

void NumericAccumulator::Encode(std::string* out) const {
  out->push_back(squares_ ? 1 : 0);
  PutSigned(out, n_);
  PutSigned(out, n_double_);
  PutSigned(out, n_decimal_);
  PutSigned(out, n_nan_);
  PutSigned(out, n_pos_inf_);
  PutSigned(out, n_neg_inf_);
  PutSigned(out, scale_);
  PutVarint64(out, scales_.size());
  for (const auto& [s, n] : scales_) {
    PutSigned(out, s);
    PutSigned(out, n);
  }
  PutInt256(out, exact_);
  dbl_.Encode(out);
  if (squares_) {
    PutInt256(out, exact_sq_);
    dbl_sq_.Encode(out);
  }
}

Status NumericAccumulator::Decode(std::string_view* in) {
  if (in->empty()) return Truncated("numeric state");
  squares_ = (*in)[0] != 0;
  in->remove_prefix(1);
  int64_t scale = 0;
  uint64_t nscales = 0;
  if (!GetSigned(in, &n_) || !GetSigned(in, &n_double_) || !GetSigned(in, &n_decimal_) ||
      !GetSigned(in, &n_nan_) || !GetSigned(in, &n_pos_inf_) || !GetSigned(in, &n_neg_inf_) ||
      !GetSigned(in, &scale) || !GetVarint64(in, &nscales) || nscales > 1000 || scale < 0 ||
      scale > kMaxDecimalDigits) {
    return Truncated("numeric state");
  }
  scale_ = static_cast<int32_t>(scale);
  scales_.clear();
  for (uint64_t i = 0; i < nscales; ++i) {
    int64_t s = 0, n = 0;
    if (!GetSigned(in, &s) || !GetSigned(in, &n)) return Truncated("numeric state");
    scales_.emplace_back(static_cast<int32_t>(s), n);
  }
  if (!GetInt256(in, &exact_) || !dbl_.Decode(in)) return Truncated("numeric state");
  if (squares_ && (!GetInt256(in, &exact_sq_) || !dbl_sq_.Decode(in))) {
    return Truncated("numeric state");
  }
  return Status::OK();
}

// ----------------------------------- AggState -----------------------------------

bool AggState::FirstLastLess::operator()(const FirstLastEntry& a, const FirstLastEntry& b) const {
  const int c = CompareOrderKeys(a.order, b.order);
  if (c != 0) return c < 0;
  return TotalCompare(a.value, b.value) < 0;
}

AggState::AggState(AggKind kind) : kind_(kind) {
  switch (kind) {
    case AggKind::kCount:
      break;
    case AggKind::kSum:
    case AggKind::kAvg:
      state_.emplace<NumericAccumulator>(false);
      break;
    case AggKind::kStdDev:
    case AggKind::kStdDevSamp:
    case AggKind::kVariance:
    case AggKind::kVarianceSamp:
      state_.emplace<NumericAccumulator>(true);
      break;
    case AggKind::kMin:
    case AggKind::kMax:
      state_.emplace<MinMax>();
      break;
    case AggKind::kFirst:
    case AggKind::kLast:
      state_.emplace<FirstLast>();
      break;
  }
}

Status AggState::AddCount(int64_t n) {
  if (kind_ != AggKind::kCount) return Status::InvalidArgument("AddCount on a non-$count state");
  count_ += n;
  return Status::OK();
}

Status AggState::AddExact(int64_t n, const Int256& sum, const Int256& sum_sq, int32_t scale) {
  auto* acc = std::get_if<NumericAccumulator>(&state_);
  if (acc == nullptr) return Status::InvalidArgument("AddExact on a non-numeric aggregate state");
  acc->AddExact(n, sum, sum_sq, scale);
  return Status::OK();
}

Status AggState::Update(const Value& v, int weight, const OrderKey* order) {
  if (v.is_null()) return Status::OK();
  switch (kind_) {
    case AggKind::kCount:
      count_ += weight;
      if (count_ < 0)
        return Status::Corruption(
            "$count went negative: retraction of a value that was never added");
      return Status::OK();
    case AggKind::kSum:
    case AggKind::kAvg:
    case AggKind::kStdDev:
    case AggKind::kStdDevSamp:
    case AggKind::kVariance:
    case AggKind::kVarianceSamp: {
      NumericAccumulator& acc = std::get<NumericAccumulator>(state_);
      acc.Update(v, weight);
      if (acc.count() < 0) {
        return Status::Corruption(std::string(AggKindName(kind_)) +
                                  ": retraction of a value that was never added");
      }
      return Status::OK();
    }
    case AggKind::kMin:
    case AggKind::kMax: {
      MinMax& m = std::get<MinMax>(state_);
      if (weight > 0) {
        ++m[v];
        return Status::OK();
      }
      auto it = m.find(v);
      if (it == m.end()) {
        return Status::Corruption(std::string(AggKindName(kind_)) + ": retraction of " +
                                  v.ToJsonString() + ", which is not in the group");
      }
      if (--it->second == 0) m.erase(it);
      return Status::OK();
    }
    case AggKind::kFirst:
    case AggKind::kLast: {
      FirstLast& m = std::get<FirstLast>(state_);
      FirstLastEntry e{order != nullptr ? *order : OrderKey{}, v};
      if (weight > 0) {
        ++m[std::move(e)];
        return Status::OK();
      }
      auto it = m.find(e);
      if (it == m.end()) {
        return Status::Corruption(std::string(AggKindName(kind_)) + ": retraction of " +
                                  v.ToJsonString() + " (row '" + e.order.id +
                                  "'), which is not in the group");
      }
      if (--it->second == 0) m.erase(it);
      return Status::OK();
    }
  }
  return Status::OK();
}

Value AggState::Finalize(const Value& zero) const {
  switch (kind_) {
    case AggKind::kCount:
      return Value::Int(count_);
    case AggKind::kSum:
      return std::get<NumericAccumulator>(state_).Sum(zero);
    case AggKind::kAvg:
      return std::get<NumericAccumulator>(state_).Average();
    case AggKind::kVariance:
    case AggKind::kVarianceSamp:
      return std::get<NumericAccumulator>(state_).Variance(kind_ == AggKind::kVarianceSamp);
    case AggKind::kStdDev:
    case AggKind::kStdDevSamp: {
      Value v = std::get<NumericAccumulator>(state_).Variance(kind_ == AggKind::kStdDevSamp);
      if (v.is_null()) return v;
      return Value::Double(std::sqrt(v.as_double()));
    }
    case AggKind::kMin: {
      const MinMax& m = std::get<MinMax>(state_);
      return m.empty() ? Value() : m.begin()->first;
    }
    case AggKind::kMax: {
      const MinMax& m = std::get<MinMax>(state_);
      return m.empty() ? Value() : m.rbegin()->first;
    }
    case AggKind::kFirst: {
      const FirstLast& m = std::get<FirstLast>(state_);
      return m.empty() ? Value() : m.begin()->first.value;
    }
    case AggKind::kLast: {
      const FirstLast& m = std::get<FirstLast>(state_);
      return m.empty() ? Value() : m.rbegin()->first.value;
    }
  }
  return Value();
}

void AggState::Encode(std::string* out) const {
  out->push_back(static_cast<char>(kind_));
  switch (kind_) {
    case AggKind::kCount:
      PutSigned(out, count_);
      return;
    case AggKind::kMin:
    case AggKind::kMax: {
      const MinMax& m = std::get<MinMax>(state_);
      PutVarint64(out, m.size());
      for (const auto& [v, n] : m) {
        EncodeValue(v, out);
        PutSigned(out, n);
      }
      return;
    }
    case AggKind::kFirst:
    case AggKind::kLast: {
      const FirstLast& m = std::get<FirstLast>(state_);
      PutVarint64(out, m.size());
      for (const auto& [e, n] : m) {
        EncodeOrderKey(out, e.order);
        EncodeValue(e.value, out);
        PutSigned(out, n);
      }
      return;
    }
    default:
      std::get<NumericAccumulator>(state_).Encode(out);
      return;
  }
}

Result<AggState> AggState::Decode(std::string_view* in) {
  if (in->empty()) return Truncated("aggregate kind");
  const auto k = static_cast<uint8_t>((*in)[0]);
  if (k > static_cast<uint8_t>(AggKind::kVarianceSamp)) return Truncated("aggregate kind");
  in->remove_prefix(1);
  AggState s(static_cast<AggKind>(k));
  switch (s.kind_) {
    case AggKind::kCount:
      if (!GetSigned(in, &s.count_)) return Truncated("count");
      return s;
    case AggKind::kMin:
    case AggKind::kMax: {
      MinMax& m = std::get<MinMax>(s.state_);
      uint64_t size = 0;
      if (!GetVarint64(in, &size) || size > in->size()) return Truncated("min/max multiset");
      for (uint64_t i = 0; i < size; ++i) {
        Value v;
        int64_t n = 0;
        PQ_RETURN_IF_ERROR(DecodeValue(in, &v));
        if (!GetSigned(in, &n) || n <= 0) return Truncated("min/max multiset");
        m.emplace_hint(m.end(), std::move(v), n);
      }
      return s;
    }
    case AggKind::kFirst:
    case AggKind::kLast: {
      FirstLast& m = std::get<FirstLast>(s.state_);
      uint64_t size = 0;
      if (!GetVarint64(in, &size) || size > in->size()) return Truncated("first/last multiset");
      for (uint64_t i = 0; i < size; ++i) {
        FirstLastEntry e;
        int64_t n = 0;
        PQ_RETURN_IF_ERROR(DecodeOrderKey(in, &e.order));
        PQ_RETURN_IF_ERROR(DecodeValue(in, &e.value));
        if (!GetSigned(in, &n) || n <= 0) return Truncated("first/last multiset");
        m.emplace_hint(m.end(), std::move(e), n);
      }
      return s;
    }
    default:
      PQ_RETURN_IF_ERROR(std::get<NumericAccumulator>(s.state_).Decode(in));
      return s;
  }
}

}  // namespace parquedb::views
