#include "parquet/statistics.h"

#include <cmath>
#include <cstring>

namespace parquedb::parquet {

namespace {

template <typename T>
T LoadLE(std::string_view s) {
  T v;
  std::memcpy(&v, s.data(), sizeof(T));
  return v;
}

template <typename T>
std::string StoreLE(T v) {
  std::string s(sizeof(T), '\0');
  std::memcpy(s.data(), &v, sizeof(T));
  return s;
}

bool IsDecimal(const SchemaNode& leaf) {
  return leaf.logical.kind == LogicalType::Kind::kDecimal;
}

// Signed big-endian two's complement comparison (decimals in binary form).
int CompareSignedBigEndian(std::string_view a, std::string_view b) {
  bool neg_a = !a.empty() && (static_cast<uint8_t>(a[0]) & 0x80);
  bool neg_b = !b.empty() && (static_cast<uint8_t>(b[0]) & 0x80);
  if (neg_a != neg_b) return neg_a ? -1 : 1;
  // Sign-extend the shorter to the longer length, then compare unsigned.
  size_t n = std::max(a.size(), b.size());
  uint8_t pad = neg_a ? 0xFF : 0x00;
  for (size_t i = 0; i < n; i++) {
    uint8_t x = i < n - a.size() ? pad : static_cast<uint8_t>(a[i - (n - a.size())]);
    uint8_t y = i < n - b.size() ? pad : static_cast<uint8_t>(b[i - (n - b.size())]);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

int CompareUnsignedBytes(std::string_view a, std::string_view b) {
  int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (c != 0) return c < 0 ? -1 : 1;
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

size_t FixedWidth(const SchemaNode& leaf) {
  switch (leaf.type) {
    case PhysicalType::kBoolean: return 1;
    case PhysicalType::kInt32:
    case PhysicalType::kFloat: return 4;
    case PhysicalType::kInt64:
    case PhysicalType::kDouble: return 8;
    case PhysicalType::kInt96: return 12;
    case PhysicalType::kFixedLenByteArray: return static_cast<size_t>(leaf.type_length);
    case PhysicalType::kByteArray: return 0;
  }
  return 0;
}

template <typename T>
std::optional<MinMax> MinMaxNumeric(const std::vector<T>& v, size_t begin, size_t end,
                                    bool is_unsigned) {
  if (begin >= end) return std::nullopt;
  if (is_unsigned) {
    using U = std::make_unsigned_t<T>;
    U lo = static_cast<U>(v[begin]), hi = lo;
    for (size_t i = begin + 1; i < end; i++) {
      U x = static_cast<U>(v[i]);
      lo = x < lo ? x : lo;
      hi = x > hi ? x : hi;
    }
    return MinMax{StoreLE(static_cast<T>(lo)), StoreLE(static_cast<T>(hi))};
  }
  T lo = v[begin], hi = lo;
  for (size_t i = begin + 1; i < end; i++) {
    T x = v[i];
    lo = x < lo ? x : lo;
    hi = x > hi ? x : hi;
  }
  return MinMax{StoreLE(lo), StoreLE(hi)};
}

template <typename T>
std::optional<MinMax> MinMaxFloat(const std::vector<T>& v, size_t begin, size_t end) {
  bool any = false;
  T lo = 0, hi = 0;
  for (size_t i = begin; i < end; i++) {
    T x = v[i];
    if (std::isnan(x)) continue;
    if (!any) {
      lo = hi = x;
      any = true;
      continue;
    }
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (!any) return std::nullopt;
  // Spec: a zero min is written as -0.0 and a zero max as +0.0.
  if (lo == 0) lo = -static_cast<T>(0);
  if (hi == 0) hi = static_cast<T>(0);
  return MinMax{StoreLE(lo), StoreLE(hi)};
}

}  // namespace

SortOrder GetSortOrder(const SchemaNode& leaf) {
  switch (leaf.type) {
    case PhysicalType::kBoolean:
    case PhysicalType::kFloat:
    case PhysicalType::kDouble:
      return SortOrder::kSigned;
    case PhysicalType::kInt32:
    case PhysicalType::kInt64:
      if (leaf.logical.kind == LogicalType::Kind::kInteger && !leaf.logical.int_is_signed) {
        return SortOrder::kUnsigned;
      }
      return SortOrder::kSigned;
    case PhysicalType::kInt96: return SortOrder::kUnknown;
    case PhysicalType::kByteArray:
    case PhysicalType::kFixedLenByteArray:
      return IsDecimal(leaf) ? SortOrder::kSigned : SortOrder::kUnsigned;
  }
  return SortOrder::kUnknown;
}

int CompareEncoded(const SchemaNode& leaf, std::string_view a, std::string_view b) {
  bool is_unsigned = GetSortOrder(leaf) == SortOrder::kUnsigned;
  auto cmp = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (leaf.type) {
    case PhysicalType::kBoolean:
      return cmp(static_cast<uint8_t>(a[0]) != 0, static_cast<uint8_t>(b[0]) != 0);
    case PhysicalType::kInt32:
      if (is_unsigned) return cmp(LoadLE<uint32_t>(a), LoadLE<uint32_t>(b));
      return cmp(LoadLE<int32_t>(a), LoadLE<int32_t>(b));
    case PhysicalType::kInt64:
      if (is_unsigned) return cmp(LoadLE<uint64_t>(a), LoadLE<uint64_t>(b));
      return cmp(LoadLE<int64_t>(a), LoadLE<int64_t>(b));
    case PhysicalType::kFloat: return cmp(LoadLE<float>(a), LoadLE<float>(b));
    case PhysicalType::kDouble: return cmp(LoadLE<double>(a), LoadLE<double>(b));
    case PhysicalType::kByteArray:
    case PhysicalType::kFixedLenByteArray:
      return IsDecimal(leaf) ? CompareSignedBigEndian(a, b) : CompareUnsignedBytes(a, b);
    case PhysicalType::kInt96: return CompareUnsignedBytes(a, b);
  }
  return 0;
}

std::optional<MinMax> ComputeMinMax(const SchemaNode& leaf, const ColumnVector& col, size_t begin,
                                    size_t end) {
  if (begin >= end) return std::nullopt;
  bool is_unsigned = GetSortOrder(leaf) == SortOrder::kUnsigned;
  switch (leaf.type) {
    case PhysicalType::kBoolean: {
      bool any_false = false, any_true = false;
      for (size_t i = begin; i < end; i++) (col.bools[i] ? any_true : any_false) = true;
      std::string lo(1, any_false ? '\0' : '\1');
      std::string hi(1, any_true ? '\1' : '\0');
      return MinMax{lo, hi};
    }
    case PhysicalType::kInt32: return MinMaxNumeric(col.i32, begin, end, is_unsigned);
    case PhysicalType::kInt64: return MinMaxNumeric(col.i64, begin, end, is_unsigned);
    case PhysicalType::kFloat: return MinMaxFloat(col.f32, begin, end);
    case PhysicalType::kDouble: return MinMaxFloat(col.f64, begin, end);
    case PhysicalType::kInt96: return std::nullopt;
    case PhysicalType::kByteArray: {
      std::string_view lo = col.ByteArray(begin), hi = lo;
      bool dec = IsDecimal(leaf);
      for (size_t i = begin + 1; i < end; i++) {
        std::string_view x = col.ByteArray(i);
        if (dec ? CompareSignedBigEndian(x, lo) < 0 : CompareUnsignedBytes(x, lo) < 0) lo = x;
        if (dec ? CompareSignedBigEndian(x, hi) > 0 : CompareUnsignedBytes(x, hi) > 0) hi = x;
      }
      return MinMax{std::string(lo), std::string(hi)};
    }
    case PhysicalType::kFixedLenByteArray: {
      std::string_view lo = col.FixedBytes(begin), hi = lo;
      for (size_t i = begin + 1; i < end; i++) {
        std::string_view x = col.FixedBytes(i);
        if (CompareEncoded(leaf, x, lo) < 0) lo = x;
        if (CompareEncoded(leaf, x, hi) > 0) hi = x;
      }
      return MinMax{std::string(lo), std::string(hi)};
    }
  }
  return std::nullopt;
}

std::string EncodeStatInt32(int32_t v) { return StoreLE(v); }
std::string EncodeStatInt64(int64_t v) { return StoreLE(v); }
std::string EncodeStatDouble(double v) { return StoreLE(v); }
std::string EncodeStatFloat(float v) { return StoreLE(v); }

bool StatisticsMayMatch(const SchemaNode& leaf, const ColumnMetaData& chunk, ColumnOrder order,
                        const ColumnPredicate& pred) {
  if (!chunk.statistics.has_value()) return true;
  const Statistics& st = *chunk.statistics;
  using Op = ColumnPredicate::Op;
  if (pred.op == Op::kIsNull) {
    return !st.null_count.has_value() || *st.null_count > 0;
  }
  int64_t nulls = st.null_count.value_or(-1);
  if (nulls >= 0 && nulls == chunk.num_values) {
    // Every slot is null: nothing compares, nothing is "not null".
    return false;
  }
  if (pred.op == Op::kIsNotNull) return true;
  if (order != ColumnOrder::kTypeDefinedOrder) return true;
  SortOrder so = GetSortOrder(leaf);
  if (so == SortOrder::kUnknown) return true;
  const std::string* lo = nullptr;
  const std::string* hi = nullptr;
  if (st.min_value && st.max_value) {
    lo = &*st.min_value;
    hi = &*st.max_value;
  } else if (so == SortOrder::kSigned && st.min && st.max && !IsDecimal(leaf)) {
    lo = &*st.min;  // legacy fields are only meaningful for signed orders
    hi = &*st.max;
  } else {
    return true;
  }
  size_t w = FixedWidth(leaf);
  if (w != 0 && (lo->size() != w || hi->size() != w || pred.value.size() != w)) return true;
  if (leaf.type == PhysicalType::kFloat || leaf.type == PhysicalType::kDouble) {
    double l = leaf.type == PhysicalType::kFloat ? LoadLE<float>(*lo) : LoadLE<double>(*lo);
    double h = leaf.type == PhysicalType::kFloat ? LoadLE<float>(*hi) : LoadLE<double>(*hi);
    double v = leaf.type == PhysicalType::kFloat ? LoadLE<float>(pred.value)
                                                 : LoadLE<double>(pred.value);
    if (std::isnan(l) || std::isnan(h) || std::isnan(v)) return true;
  }
  int c_lo = CompareEncoded(leaf, pred.value, *lo);  // value vs min
  int c_hi = CompareEncoded(leaf, pred.value, *hi);  // value vs max
  switch (pred.op) {
    case Op::kEq: return c_lo >= 0 && c_hi <= 0;
    case Op::kLt: return CompareEncoded(leaf, *lo, pred.value) < 0;
    case Op::kLe: return c_lo >= 0;
    case Op::kGt: return CompareEncoded(leaf, *hi, pred.value) > 0;
    case Op::kGe: return c_hi <= 0;
    default: return true;
  }
}

}  // namespace parquedb::parquet
