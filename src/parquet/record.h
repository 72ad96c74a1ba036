// Row <-> column conversion: shreds document rows (Value objects) into one
// ColumnVector per leaf (Dremel definition/repetition levels) and assembles
// columns back into rows. Also parses the compact JSON schema format used by
// tools and tests. Leaf values are converted by the leaf's logical type:
// DATE <-> Value::Date, TIMESTAMP <-> Value::Timestamp (micros), DECIMAL <->
// Value::Dec, STRING/JSON/ENUM <-> Value::String, binary <-> "hex:<hex>" strings.
#pragma once

#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "parquedb/value.h"
#include "parquet/column.h"
#include "parquet/schema.h"

namespace parquedb::parquet {

// Parses {"fields": [FIELD...]}; FIELD = {"name", "type", "nullable", "field_id"?}
// with type "boolean|int32|int64|float|double|string|json|binary|date|timestamp|
// decimal(P,S)", {"list": FIELD} or {"struct": [FIELD...]}. InvalidArgument naming
// the offending field on error.
Result<Schema> SchemaFromJson(const nlohmann::json& spec);

// Appends rows (objects; missing members are null) to `columns` (resized to one per
// leaf on first use). Strings are accepted for dates, timestamps, decimals and
// "NaN"/"Infinity" doubles. On error nothing is guaranteed about `columns`.
Status ShredRows(const Schema& schema, const std::vector<Value>& rows,
                 std::vector<ColumnVector>* columns);

// Assembles `num_rows` rows from `columns` (one per leaf; leaves of fields not in
// `fields` may be empty). `fields` lists top-level field indexes to produce (all
// when empty). With `selected` (ascending row indexes < num_rows), only those rows
// are produced; the others are skipped without building values (late
// materialization). Corruption if the columns are inconsistent.
Status AssembleRows(const Schema& schema, const std::vector<ColumnVector>& columns,
                    int64_t num_rows, const std::vector<int>& fields, std::vector<Value>* rows,
                    const std::vector<uint32_t>* selected = nullptr);

// Converts value i of a leaf column to a Value (by the leaf's logical type).
Value LeafValue(const SchemaNode& leaf, const ColumnVector& col, size_t i);

// Decodes a plain-encoded statistics bound (min_value/max_value) of `leaf`.
Result<Value> DecodeStatValue(const SchemaNode& leaf, std::string_view plain);

// The leaves (indexes) under the given top-level fields.
std::vector<int> LeavesOfFields(const Schema& schema, const std::vector<int>& fields);

}  // namespace parquedb::parquet
