// Typed column vectors for the columnar execution engine (src/exec): one Column per
// field of a Batch, values in plain arrays with a validity byte per row. Strings are
// views into buffers the batch's producer keeps alive for the duration of a callback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace parquedb::exec {

enum class Type : uint8_t {
  kNull,       // the field is absent from every row (no column in the file)
  kInt64,      // ints
  kDouble,     // doubles
  kBool,       // ints (0/1)
  kString,     // strings
  kDecimal,    // ints: unscaled value (precision <= 18), `scale`
  kTimestamp,  // ints: micros UTC
  kDate,       // ints: days since the epoch
};

struct Column {
  Type type = Type::kNull;
  int32_t scale = 0;           // kDecimal
  std::vector<uint8_t> valid;  // 1: non-null (one per row)
  std::vector<int64_t> ints;   // kInt64, kBool, kDecimal, kTimestamp, kDate
  std::vector<double> doubles;
  std::vector<std::string_view> strings;

  // Resets to `n` null rows of `type` (keeping capacity).
  void Reset(Type t, int32_t s, size_t n) {
    type = t;
    scale = s;
    valid.assign(n, 0);
    ints.clear();
    doubles.clear();
    strings.clear();
    if (t == Type::kDouble) {
      doubles.assign(n, 0);
    } else if (t == Type::kString) {
      strings.assign(n, std::string_view());
    } else if (t != Type::kNull) {
      ints.assign(n, 0);
    }
  }
};

// Rows of the requested fields (columns in request order).
struct Batch {
  size_t num_rows = 0;
  std::vector<Column> columns;
};

}  // namespace parquedb::exec
