// Conversions into exec::Column: from a decoded Parquet leaf (flat, non-repeated
// scalar columns only) and from document Values (the few unflushed rows).
#pragma once

#include <cstdint>
#include <vector>

#include "exec/column.h"
#include "parquedb/value.h"
#include "parquet/column.h"
#include "parquet/schema.h"

namespace parquedb::exec {

// The exec type of a leaf, or NotSupported (repeated/nested leaves, JSON/variant text,
// decimals over 18 digits, INT96, unsigned ints, ...).
Result<Type> LeafType(const parquet::LeafInfo& leaf, int32_t* scale);

// Fills *out with rows `rows` (ascending indexes into the row group's rows) of a
// flat leaf column holding `num_rows` rows. Strings view cv's bytes.
Status LeafToColumn(const parquet::LeafInfo& leaf, const parquet::ColumnVector& cv,
                    size_t num_rows, const std::vector<uint32_t>& rows, Column* out);

// Fills *out from one Value per row (null pointer or null Value: null). All non-null
// values must have one kind (decimals one scale), else NotSupported. Strings view the
// Values, which must outlive the column.
Status ValuesToColumn(const std::vector<const Value*>& values, Column* out);

}  // namespace parquedb::exec
