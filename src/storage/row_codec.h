// Row codec: maps a TableSpec to a Parquet schema and converts StoredRows to and
// from shredded Parquet columns. Layout: system columns `$id` (required string),
// `$seq` (int64), `$deleted` (bool), `createdAt`, `updatedAt` (timestamps),
// `version` (int64), `$nulls` (list of names of fields explicitly set to null, so
// "null" and "absent" survive a round trip), then one column per user field.
// Variant values are stored as JSON text; every other kind natively.
#pragma once

#include <optional>
#include <vector>

#include "parquet/column.h"
#include "parquet/schema.h"
#include "parquet/statistics.h"
#include "query/filter.h"
#include "storage/table_spec.h"

namespace parquedb::storage {

class RowCodec {
 public:
  static Result<RowCodec> Make(const TableSpec& spec);

  const parquet::Schema& schema() const { return schema_; }
  const TableSpec& spec() const { return spec_; }

  // Shreds rows into one ColumnVector per leaf (replacing *cols).
  Status Encode(const std::vector<StoredRow>& rows, std::vector<parquet::ColumnVector>* cols) const;

  // Decodes `num_rows` rows from columns read from a file whose schema is
  // `file_schema` (fields are matched by name, so files written before a column
  // was added still decode; such fields read as absent).
  Status Decode(const parquet::Schema& file_schema, const std::vector<parquet::ColumnVector>& cols,
                int64_t num_rows, std::vector<StoredRow>* rows) const;

  // Translates the filter's top-level conjuncts on typed scalar columns into
  // column predicates against `file_schema`, for row-group pruning. Conservative:
  // a predicate is emitted only when its literal converts exactly.
  std::vector<parquet::ColumnPredicate> PrunePredicates(const parquet::Schema& file_schema,
                                                        const query::Filter& filter) const;

 private:
  TableSpec spec_;
  parquet::Schema schema_;
};

}  // namespace parquedb::storage
