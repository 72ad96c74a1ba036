#include "exec/convert.h"

#include <cstddef>
#include <string>

namespace parquedb::exec {

using parquet::LogicalType;
using parquet::PhysicalType;

Result<Type> LeafType(const parquet::LeafInfo& leaf, int32_t* scale) {
  *scale = 0;
  if (leaf.max_rep > 0 || leaf.path.size() != 1 || leaf.max_def > 1) {
    return Status::NotSupported("column '" + leaf.dotted_path + "' is not a flat scalar");
  }
  const parquet::SchemaNode& n = *leaf.node;
  const LogicalType& lt = n.logical;
  switch (n.type) {
    case PhysicalType::kBoolean:
      return Type::kBool;
    case PhysicalType::kInt32:
      if (lt.kind == LogicalType::Kind::kDecimal) {
        *scale = lt.decimal_scale;
        return Type::kDecimal;
      }
      if (lt.kind == LogicalType::Kind::kDate) return Type::kDate;
      if (lt.kind == LogicalType::Kind::kInteger && !lt.int_is_signed) break;
      return Type::kInt64;
    case PhysicalType::kInt64:
      if (lt.kind == LogicalType::Kind::kDecimal) {
        *scale = lt.decimal_scale;
        return Type::kDecimal;
      }
      if (lt.kind == LogicalType::Kind::kTimestamp) {
        if (lt.unit != parquet::TimeUnit::kMicros) break;
        return Type::kTimestamp;
      }
      if (lt.kind == LogicalType::Kind::kInteger && !lt.int_is_signed) break;
      if (lt.kind != LogicalType::Kind::kNone && lt.kind != LogicalType::Kind::kInteger) break;
      return Type::kInt64;
    case PhysicalType::kDouble:
      return Type::kDouble;
    case PhysicalType::kByteArray:
      if (lt.kind == LogicalType::Kind::kString || lt.kind == LogicalType::Kind::kEnum) {
        return Type::kString;
      }
      break;
    default:
      break;
  }
  return Status::NotSupported("column '" + leaf.dotted_path + "' has a type the columnar engine does not read");
}

Status LeafToColumn(const parquet::LeafInfo& leaf, const parquet::ColumnVector& cv,
                    size_t num_rows, const std::vector<uint32_t>& rows, Column* out) {
  int32_t scale = 0;
  PQ_ASSIGN_OR_RETURN(Type t, LeafType(leaf, &scale));
  const size_t n = rows.size();
  out->Reset(t, scale, n);
  const bool has_def = leaf.max_def > 0;
  if (has_def && cv.def_levels.size() != num_rows) {
    return Status::Corruption("column '" + leaf.dotted_path + "' does not hold one value per row");
  }
  if (!has_def && cv.num_values() != num_rows) {
    return Status::Corruption("column '" + leaf.dotted_path + "' does not hold one value per row");
  }
  const size_t nv = cv.num_values();
  if (!has_def && (cv.type == PhysicalType::kBoolean || cv.type == PhysicalType::kInt32 ||
                   cv.type == PhysicalType::kInt64)) {
    // Required integer-like leaf: gather (or copy, when every row is selected) the
    // values without a per-row type switch.
    out->valid.assign(n, 1);
    auto gather = [&](const auto& src) {
      if (n == num_rows) {
        out->ints.assign(src.begin(), src.begin() + static_cast<std::ptrdiff_t>(n));
      } else {
        for (size_t k = 0; k < n; k++) out->ints[k] = src[rows[k]];
      }
    };
    if (cv.type == PhysicalType::kBoolean) {
      gather(cv.bools);
    } else if (cv.type == PhysicalType::kInt32) {
      gather(cv.i32);
    } else {
      gather(cv.i64);
    }
    return Status::OK();
  }
  // Value index of each selected row: walk the def levels once.
  size_t vi = 0, r = 0;
  for (size_t k = 0; k < n; k++) {
    const size_t row = rows[k];
    size_t idx;
    if (has_def) {
      for (; r < row; r++) vi += cv.def_levels[r] == leaf.max_def;
      if (cv.def_levels[row] != leaf.max_def) continue;
      idx = vi;
    } else {
      idx = row;
    }
    if (idx >= nv) return Status::Corruption("column '" + leaf.dotted_path + "' has fewer values than rows");
    out->valid[k] = 1;
    switch (cv.type) {
      case PhysicalType::kBoolean:
        out->ints[k] = cv.bools[idx];
        break;
      case PhysicalType::kInt32:
        out->ints[k] = cv.i32[idx];
        break;
      case PhysicalType::kInt64:
        out->ints[k] = cv.i64[idx];
        break;
      case PhysicalType::kDouble:
        out->doubles[k] = cv.f64[idx];
        break;
      case PhysicalType::kByteArray:
        out->strings[k] = cv.ByteArray(idx);
        break;
      default:
        return Status::NotSupported("column '" + leaf.dotted_path + "': physical type");
    }
  }
  return Status::OK();
}

Status ValuesToColumn(const std::vector<const Value*>& values, Column* out) {
  using K = Value::Kind;
  Type t = Type::kNull;
  int32_t scale = 0;
  for (const Value* v : values) {
    if (v == nullptr || v->is_null()) continue;
    Type vt;
    int32_t vs = 0;
    switch (v->kind()) {
      case K::kBool: vt = Type::kBool; break;
      case K::kInt: vt = Type::kInt64; break;
      case K::kDouble: vt = Type::kDouble; break;
      case K::kString: vt = Type::kString; break;
      case K::kTimestamp: vt = Type::kTimestamp; break;
      case K::kDate: vt = Type::kDate; break;
      case K::kDecimal: {
        const Decimal& d = v->as_decimal();
        if (d.unscaled > INT64_MAX || d.unscaled < INT64_MIN) {
          return Status::NotSupported("decimal beyond 18 digits");
        }
        vt = Type::kDecimal;
        vs = d.scale;
        break;
      }
      default:
        return Status::NotSupported("a " + std::string(Value::KindName(v->kind())) + " value");
    }
    if (t == Type::kNull) {
      t = vt;
      scale = vs;
    } else if (t != vt || scale != vs) {
      return Status::NotSupported("values of different kinds in one field");
    }
  }
  const size_t n = values.size();
  out->Reset(t, scale, n);
  if (t == Type::kNull) return Status::OK();
  for (size_t i = 0; i < n; i++) {
    const Value* v = values[i];
    if (v == nullptr || v->is_null()) continue;
    out->valid[i] = 1;
    switch (t) {
      case Type::kBool: out->ints[i] = v->as_bool() ? 1 : 0; break;
      case Type::kInt64:
      case Type::kTimestamp: out->ints[i] = v->as_int(); break;
      case Type::kDate: out->ints[i] = v->as_date(); break;
      case Type::kDecimal: out->ints[i] = static_cast<int64_t>(v->as_decimal().unscaled); break;
      case Type::kDouble: out->doubles[i] = v->as_double(); break;
      case Type::kString: out->strings[i] = v->as_string(); break;
      default: break;
    }
  }
  return Status::OK();
}

}  // namespace parquedb::exec
