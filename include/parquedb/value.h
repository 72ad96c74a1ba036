// Value: the in-memory document model (a JSON superset with exact decimals,
// timestamps and dates). Documents are Objects. Values are plain data with value
// semantics: a copy never observes later mutations of the original and vice versa.
// Copies are cheap (strings, decimals, arrays and objects share an immutable payload
// that is cloned on the first mutation of a shared value), so a reference obtained from
// mutable_array()/mutable_object()/FindMutable() is invalidated by copying the value
// it came from. Thread-compatible: concurrent const access (including copying) is safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "parquedb/status.h"

namespace parquedb {

// Exact decimal: unscaled * 10^-scale. Precision is a schema property, not stored.
struct Decimal {
  __int128 unscaled = 0;
  int32_t scale = 0;
  // Parses "-12.30", "+7", ".5", "5." or an exponent form ("1.5e3" = 1500, "15e-1" =
  // 1.5), exactly; the scale is the number of fractional digits as written (minus the
  // exponent, floored at 0). InvalidArgument on bad syntax, more than 38 significant
  // digits, or a scale above 38.
  static Result<Decimal> FromString(std::string_view s);
  // Exact text with exactly `scale` fractional digits, e.g. "12.30".
  std::string ToString() const;
  // Rescales to `new_scale`; InvalidArgument if digits would be lost or on overflow.
  Result<Decimal> Rescale(int32_t new_scale) const;
  // Correctly rounded (nearest double).
  double ToDouble() const;
  // Number of significant decimal digits of |unscaled| (at least 1).
  int Digits() const;
};

class Value {
 public:
  enum class Kind : uint8_t {
    kNull = 0,
    kBool,
    kInt,  // int64
    kDouble,
    kDecimal,
    kString,
    kTimestamp,  // int64 microseconds since epoch, UTC
    kDate,       // int32 days since epoch
    kArray,
    kObject,  // ordered (insertion order) list of (key, value); keys unique
  };
  using Array = std::vector<Value>;
  using Member = std::pair<std::string, Value>;
  using Object = std::vector<Member>;

  Value() = default;  // null
  static Value Null() { return Value(); }
  static Value Bool(bool b);
  static Value Int(int64_t i);
  static Value Double(double d);
  static Value Dec(Decimal d);
  static Value String(std::string s);
  static Value Timestamp(int64_t micros);
  static Value Date(int32_t days);
  static Value MakeArray(Array a = {});
  static Value MakeObject(Object o = {});

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_number() const {
    return kind_ == Kind::kInt || kind_ == Kind::kDouble || kind_ == Kind::kDecimal;
  }
  // Typed accessors. Calling one on a value of another kind is a programming error
  // (asserted in debug builds; release builds return a zero/empty value).
  bool as_bool() const;
  int64_t as_int() const;    // kInt, kTimestamp
  double as_double() const;  // any number kind, converted
  const Decimal& as_decimal() const;
  const std::string& as_string() const;
  int32_t as_date() const;
  const Array& as_array() const;
  Array& mutable_array();
  const Object& as_object() const;
  Object& mutable_object();

  // Object access: nullptr when absent (or when this is not an object).
  const Value* Find(std::string_view key) const;
  Value* FindMutable(std::string_view key);
  // Sets (replaces or appends) a member; this must be an object.
  void Set(std::string_view key, Value v);
  // Removes a member; returns whether it existed.
  bool Erase(std::string_view key);

  // Resolves a dotted path ("event.request.method", "exceptions.0.name"): object
  // keys, numeric array indexes. nullptr if any step is missing.
  const Value* FindPath(std::string_view path) const;

  // Total order used for sorting and min/max: null < bool < numbers (int/double/
  // decimal compared by value) < string < date < timestamp < array < object.
  // Returns <0, 0, >0. Numbers compare exactly by mathematical value across kinds
  // (1 == 1.0 == Decimal 1.00; -0.0 == 0); NaN equals NaN and sorts below every other
  // number. Strings compare bytewise, arrays lexicographically, objects member-wise in
  // order (key bytewise, then value), then by size. Hash() is consistent with it.
  static int Compare(const Value& a, const Value& b);
  bool operator==(const Value& other) const { return Compare(*this, other) == 0; }
  size_t Hash() const;

  // JSON conversion. Timestamps become ISO-8601 "YYYY-MM-DDTHH:MM:SS.ffffffZ" strings,
  // dates "YYYY-MM-DD", decimals their exact text as a string; NaN/infinite doubles
  // become null. nlohmann::json objects are key-sorted, so ToJson() loses member order;
  // ToJsonString() keeps it (compact text; invalid UTF-8 in strings becomes U+FFFD;
  // doubles print shortest-round-trip and always with a '.' or exponent).
  nlohmann::json ToJson() const;
  std::string ToJsonString() const;
  // From JSON: numbers without fraction/exponent -> kInt (kDouble if out of range),
  // others -> kDouble; strings stay strings (schemas coerce them later).
  static Value FromJson(const nlohmann::json& j);
  // Parses JSON text, keeping object members in document order (a repeated key keeps
  // its first position and its last value). InvalidArgument naming the byte offset on
  // malformed input, or when nesting exceeds kMaxJsonDepth. Never throws.
  static Result<Value> ParseJson(std::string_view text);
  // Maximum array/object nesting accepted by ParseJson.
  static constexpr int kMaxJsonDepth = 512;

  // "null", "bool", "int", "double", "decimal", "string", "timestamp", "date", "array",
  // "object".
  static std::string_view KindName(Kind kind);

 private:
  union Scalar {
    bool b;
    int64_t i;  // int, timestamp, date
    double d;
  };
  template <typename T>
  const T& Heavy() const {
    return *static_cast<const T*>(heavy_.get());
  }
  template <typename T>
  T& MutableHeavy();  // clones the payload first when it is shared

  Kind kind_ = Kind::kNull;
  Scalar scalar_{.i = 0};
  std::shared_ptr<void> heavy_;  // std::string / Decimal / Array / Object payload (COW)
};

// Rewrites a Value::ParseJson error ("invalid JSON at byte N: ...") as
// "invalid JSON at line L, column C: <detail>" for `text` (the parsed text), counting
// lines from `first_line`. Any other status yields its message unchanged.
std::string DescribeJsonError(const Status& status, std::string_view text, int64_t first_line = 1);

// ISO-8601 helpers (UTC). Parse accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.f{1,9}]]"
// with "Z" or "+HH:MM"/"-HH:MM" offsets (or none = UTC), and a space instead of 'T'
// (also 't'/'z', ',' as the decimal mark, "+HHMM"/"+HH"). Years 0001..9999; fractional
// digits beyond microseconds are truncated; no leap seconds. InvalidArgument quotes the
// text and names the problem. Format prints 6 fractional digits and 'Z'; days outside
// 0001..9999 print as "-YYYY"/"+YYYYY" (not accepted by Parse).
Result<int64_t> ParseTimestampMicros(std::string_view s);
std::string FormatTimestampMicros(int64_t micros);
Result<int32_t> ParseDateDays(std::string_view s);
std::string FormatDateDays(int32_t days);

}  // namespace parquedb
