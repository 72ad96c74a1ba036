// Mergeable, retractable aggregate state for $compute.
//
// Every aggregate consumes input values with a weight of +1 (add) or -1 (retract) and
// can be finalized at any time; the result depends only on the multiset of live values
// (not on the order or history of updates), up to the double-rounding notes below.
// Null inputs are ignored by every aggregate (the pipeline never feeds missing values).
//
//   $count        number of live values (the pipeline feeds one per row for '*').
//   $sum          numbers only (other kinds are ignored). Ints and decimals are summed
//                 EXACTLY in a 256-bit accumulator at the largest live decimal scale.
//                 Result: int when only ints are live and the sum fits int64 (else an
//                 exact scale-0 decimal); decimal (scale = largest live scale) when a
//                 decimal is live; float when a float is live. Finite floats are summed
//                 EXACTLY too (ExactFloatSum), so the float result is the exact sum of
//                 the live values rounded once (via double-double), independent of the
//                 update history. Infinities and NaNs are
//                 counted, not summed, so retracting them restores finite sums. Sum of no
//                 values: the `zero` given to Finalize (0 of the output type).
//   $avg          sum / count of the numbers, as float; null without numbers.
//   $variance, $varianceSamp, $stddev, $stddevSamp
//                 from n, sum and sum of squares: exact (256-bit integers) while only
//                 ints/decimals are live, so the result is the correctly computed
//                 n*S2 - S1^2 rounded once or twice; with floats, S1 and S2 are exact
//                 sums too (x^2 split exactly into two doubles with Dekker's product,
//                 barring underflow below ~1e-292) and n*S2 - S1^2 is evaluated in
//                 double-double from them: relative error ~1e-32 * (mean^2 / variance),
//                 i.e. full double accuracy unless the coefficient of variation is below
//                 ~1e-8, and independent of the update history (retractions included).
//                 Population variants need n >= 1, sample
//                 variants n >= 2 (else null).
//   $min, $max    any kind, by Value::Compare (ties between equal values of different
//                 representation - 1 vs 1.0, 1.5 vs 1.50 - broken by kind/scale so the
//                 result is history-independent); an ordered multiset value -> count, so
//                 retraction never rescans.
//   $first, $last by the value's OrderKey (row ordering key, then the position of the
//                 value within the row), then by value; an ordered multiset too.
//
// Retracting a value that is not live (or a count going negative) is reported as
// Corruption: the state no longer matches the inputs and the view must be rebuilt.
// Not thread-safe; plain value type.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "parquedb/status.h"
#include "parquedb/value.h"

namespace parquedb::views {

enum class AggKind : uint8_t {
  kCount,
  kSum,
  kAvg,
  kMin,
  kMax,
  kFirst,
  kLast,
  kStdDev,
  kStdDevSamp,
  kVariance,
  kVarianceSamp,
};

// "$count" -> kCount, ...; nullopt for anything else.
std::optional<AggKind> ParseAggKind(std::string_view op);
std::string_view AggKindName(AggKind kind);  // "$count", ...
// "$count, $sum, $avg, $min, $max, $first, $last, $stddev, $stddevSamp, $variance,
// $varianceSamp"
std::string_view AggKindList();

// Total order refining Value::Compare: equal-comparing values of different
// representation are ordered by kind, decimal scale, sign of zero, then encoding.
int TotalCompare(const Value& a, const Value& b);
struct TotalLess {
  bool operator()(const Value& a, const Value& b) const { return TotalCompare(a, b) < 0; }
};

// Where a value sits in the view's row order, for $first/$last.
struct OrderKey {
  Value created;    // source createdAt (null for view sources)
  std::string id;   // source $id (for view sources: the upstream row key)
  int64_t sub = 0;  // $unnest element index (0 without $unnest)
  int64_t pos = 0;  // position of the value among the row's values for this aggregate

  bool operator==(const OrderKey& o) const;
};
int CompareOrderKeys(const OrderKey& a, const OrderKey& b);

// Signed 256-bit two's complement integer (exact sums and sums of squares).
struct Int256 {
  uint64_t w[4] = {0, 0, 0, 0};  // little-endian limbs

  static Int256 From(__int128 v);
  static Int256 Pow10(int n);  // 0 <= n <= 76
  bool IsZero() const { return (w[0] | w[1] | w[2] | w[3]) == 0; }
  bool Negative() const { return (w[3] >> 63) != 0; }
  Int256& operator+=(const Int256& o);
  Int256& operator-=(const Int256& o);
  Int256 operator-() const;
  // Truncated (mod 2^256) product; exact when the true product fits.
  Int256 operator*(const Int256& o) const;
  // Exact division by 10^n when divisible (n <= 76); otherwise truncates.
  Int256 DivPow10(int n) const;
  bool FitsInt128() const;
  __int128 ToInt128() const;  // requires FitsInt128()
  // Number of significant bits of |v| (0 for zero).
  int MagnitudeBits() const;
  bool operator==(const Int256& o) const;
};

// Double-double: hi + lo with |lo| <= ulp(hi)/2.
struct DoubleDouble {
  double hi = 0;
  double lo = 0;
  static DoubleDouble From(const Int256& v);
  DoubleDouble& Add(double x);
  DoubleDouble& Add(const DoubleDouble& x);
  DoubleDouble Mul(const DoubleDouble& x) const;
  DoubleDouble Div(const DoubleDouble& x) const;
  double ToDouble() const { return hi + lo; }
};

// Exact sum of finite doubles (a sparse fixed-point "superaccumulator" over the whole
// double range, 32-bit digits in int64 limbs with carry headroom, so additions and
// retractions are exact and order-independent). Typically 3-8 limbs are live.
class ExactFloatSum {
 public:
  // Adds x * sign (sign is +1 or -1); x must be finite.
  void Add(double x, int sign);
  bool IsZero() const;
  void Clear() {
    limbs_.clear();
    base_ = 0;
    pending_ = 0;
  }
  // The exact sum rounded to double-double (relative error ~2^-106).
  DoubleDouble ToDD() const;

  void Encode(std::string* out) const;
  bool Decode(std::string_view* in);

 private:
  void Normalize();
  int32_t base_ = 0;            // limb index (units of 2^32 above 2^-1074) of limbs_[0]
  std::vector<int64_t> limbs_;  // little-endian base-2^32 digits, any sign until normalized
  int64_t pending_ = 0;         // additions since the last normalization
};

// Exact/compensated numeric accumulator behind $sum/$avg/$stddev/$variance.
class NumericAccumulator {
 public:
  explicit NumericAccumulator(bool squares = false) : squares_(squares) {}
  // Adds (weight +1) or retracts (-1) a number; non-numbers are ignored.
  void Update(const Value& v, int weight);
  // Bulk addition (the columnar engine): `n` ints (scale < 0) or decimals of one
  // `scale` whose exact sum and sum of squares (at that scale) are given; the state
  // then equals Update(v, +1) for each of them.
  void AddExact(int64_t n, const Int256& sum, const Int256& sum_sq, int32_t scale);
  int64_t count() const { return n_; }
  Value Sum(const Value& zero) const;
  Value Average() const;
  // Population (sample = false) or sample variance; null when n is too small.
  Value Variance(bool sample) const;

  void Encode(std::string* out) const;
  Status Decode(std::string_view* in);

 private:
  void Rescale(int32_t new_scale);
  int32_t LiveScale() const;
  Int256 ExactAt(int32_t scale) const;
  DoubleDouble SumDD() const;

  bool squares_ = false;
  int64_t n_ = 0;
  int64_t n_double_ = 0;
  int64_t n_decimal_ = 0;
  int64_t n_nan_ = 0;
  int64_t n_pos_inf_ = 0;
  int64_t n_neg_inf_ = 0;
  int32_t scale_ = 0;                                // scale of exact_ (exact_sq_: 2x)
  std::vector<std::pair<int32_t, int64_t>> scales_;  // live decimals per scale
  Int256 exact_;
  Int256 exact_sq_;
  ExactFloatSum dbl_;     // finite doubles
  ExactFloatSum dbl_sq_;  // their squares (each split exactly into two doubles)
};

class AggState {
 public:
  explicit AggState(AggKind kind);
  AggKind kind() const { return kind_; }

  // Adds (weight +1) or retracts (-1) one value. Nulls are ignored. `order` is used by
  // $first/$last only (may be null for the others). Corruption when retracting a value
  // that is not live.
  Status Update(const Value& v, int weight, const OrderKey* order);
  // Bulk additions (the columnar engine), equal to Update(v, +1, nullptr) per value:
  // $count of `n` non-null values; $sum/$avg/$stddev/$variance of ints or decimals
  // (NumericAccumulator::AddExact). InvalidArgument for other kinds.
  Status AddCount(int64_t n);
  Status AddExact(int64_t n, const Int256& sum, const Int256& sum_sq, int32_t scale);
  // The aggregate's current value; `zero` is the result of $sum over no values.
  Value Finalize(const Value& zero) const;

  void Encode(std::string* out) const;
  static Result<AggState> Decode(std::string_view* in);

 private:
  struct FirstLastEntry {
    OrderKey order;
    Value value;
  };
  struct FirstLastLess {
    bool operator()(const FirstLastEntry& a, const FirstLastEntry& b) const;
  };
  using MinMax = std::map<Value, int64_t, TotalLess>;
  using FirstLast = std::map<FirstLastEntry, int64_t, FirstLastLess>;

  AggKind kind_;
  int64_t count_ = 0;
  std::variant<std::monostate, NumericAccumulator, MinMax, FirstLast> state_;
};

}  // namespace parquedb::views
