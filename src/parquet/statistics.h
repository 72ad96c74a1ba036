// Column statistics: computing min/max/null_count for a column chunk, comparing
// plain-encoded statistic values in each logical type's sort order, and deciding
// whether a row group can contain rows matching a simple predicate (pruning).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "parquet/column.h"
#include "parquet/metadata.h"
#include "parquet/schema.h"

namespace parquedb::parquet {

enum class SortOrder : uint8_t { kSigned, kUnsigned, kUnknown };

// The sort order the spec defines for a leaf's (physical, logical) type.
SortOrder GetSortOrder(const SchemaNode& leaf);

// Compares two plain-encoded values (as stored in Statistics.min_value/max_value)
// of `leaf`'s type: <0, 0, >0. Both must be well-formed for the type.
int CompareEncoded(const SchemaNode& leaf, std::string_view a, std::string_view b);

// Min/max of values [begin, end) of `col`, plain-encoded; nullopt when there are no
// comparable values (all null/NaN) or the type has no defined order (INT96).
struct MinMax {
  std::string min;
  std::string max;
};
std::optional<MinMax> ComputeMinMax(const SchemaNode& leaf, const ColumnVector& col, size_t begin,
                                    size_t end);

// Plain encodings of literals, for building predicates.
std::string EncodeStatInt32(int32_t v);
std::string EncodeStatInt64(int64_t v);
std::string EncodeStatDouble(double v);
std::string EncodeStatFloat(float v);

// A predicate on one leaf column, literal plain-encoded in the leaf's physical type.
struct ColumnPredicate {
  enum class Op : uint8_t { kEq, kLt, kLe, kGt, kGe, kIsNull, kIsNotNull };
  int leaf = 0;
  Op op = Op::kEq;
  std::string value;
};

// False only when the chunk's statistics prove no value satisfies `pred`.
// Untrusted stats of the wrong width are ignored (returns true).
bool StatisticsMayMatch(const SchemaNode& leaf, const ColumnMetaData& chunk, ColumnOrder order,
                        const ColumnPredicate& pred);

}  // namespace parquedb::parquet
