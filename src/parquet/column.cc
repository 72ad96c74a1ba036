#include "parquet/column.h"

namespace parquedb::parquet {

size_t ColumnVector::num_values() const {
  switch (type) {
    case PhysicalType::kBoolean: return bools.size();
    case PhysicalType::kInt32: return i32.size();
    case PhysicalType::kInt64: return i64.size();
    case PhysicalType::kFloat: return f32.size();
    case PhysicalType::kDouble: return f64.size();
    case PhysicalType::kByteArray: return offsets.size() - 1;
    case PhysicalType::kInt96:
    case PhysicalType::kFixedLenByteArray:
      return type_length > 0 ? bytes.size() / static_cast<size_t>(type_length) : 0;
  }
  return 0;
}

void ColumnVector::Clear() {
  def_levels.clear();
  rep_levels.clear();
  bools.clear();
  i32.clear();
  i64.clear();
  f32.clear();
  f64.clear();
  offsets.assign(1, 0);
  bytes.clear();
}

void ColumnVector::Reserve(size_t n, bool with_def, bool with_rep) {
  if (with_def) def_levels.reserve(n);
  if (with_rep) rep_levels.reserve(n);
  switch (type) {
    case PhysicalType::kBoolean: bools.reserve(n); break;
    case PhysicalType::kInt32: i32.reserve(n); break;
    case PhysicalType::kInt64: i64.reserve(n); break;
    case PhysicalType::kFloat: f32.reserve(n); break;
    case PhysicalType::kDouble: f64.reserve(n); break;
    case PhysicalType::kByteArray: offsets.reserve(n + 1); break;
    case PhysicalType::kInt96:
    case PhysicalType::kFixedLenByteArray:
      bytes.reserve(n * static_cast<size_t>(type_length));
      break;
  }
}

}  // namespace parquedb::parquet
