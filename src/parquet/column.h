// ColumnVector: one leaf column's data for a run of rows, in Dremel shredded form
// (definition/repetition levels + the non-null values, typed and contiguous).
// This is the unit the writer consumes and the reader produces.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "parquet/metadata.h"

namespace parquedb::parquet {

struct ColumnVector {
  PhysicalType type = PhysicalType::kInt32;
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY width (12 for INT96)

  // One entry per level slot. Empty when the leaf's max definition level is 0
  // (all values present) resp. max repetition level is 0 (no repeated ancestor).
  std::vector<int16_t> def_levels;
  std::vector<int16_t> rep_levels;

  // Non-null values only, in order. Exactly one of these is used, by `type`:
  std::vector<uint8_t> bools;  // BOOLEAN (0/1)
  std::vector<int32_t> i32;    // INT32
  std::vector<int64_t> i64;    // INT64
  std::vector<float> f32;      // FLOAT
  std::vector<double> f64;     // DOUBLE
  // BYTE_ARRAY: value i is bytes[offsets[i], offsets[i+1]); offsets starts with 0.
  // FIXED_LEN_BYTE_ARRAY / INT96: value i is bytes[i*type_length, (i+1)*type_length).
  std::vector<int64_t> offsets{0};
  std::string bytes;

  // Number of non-null values stored.
  size_t num_values() const;
  // Number of level slots (== num_values() when there are no levels).
  size_t num_levels(int16_t max_def, int16_t max_rep) const {
    if (max_def > 0) return def_levels.size();
    if (max_rep > 0) return rep_levels.size();
    return num_values();
  }
  std::string_view ByteArray(size_t i) const {
    return std::string_view(bytes.data() + offsets[i],
                            static_cast<size_t>(offsets[i + 1] - offsets[i]));
  }
  std::string_view FixedBytes(size_t i) const {
    return std::string_view(bytes.data() + i * static_cast<size_t>(type_length),
                            static_cast<size_t>(type_length));
  }
  void AppendByteArray(std::string_view v) {
    bytes.append(v);
    offsets.push_back(static_cast<int64_t>(bytes.size()));
  }
  // Clears values and levels, keeping type and capacity.
  void Clear();
  // Reserves room for n values (and n levels where levels are used).
  void Reserve(size_t n, bool with_def, bool with_rep);
};

}  // namespace parquedb::parquet
