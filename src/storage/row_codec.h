// Row codec: maps a TableSpec to a Parquet schema and converts StoredRows to and
// from shredded Parquet columns. Layout: system columns `$id` (required string),
// `$seq` (int64), `$deleted` (bool), `createdAt`, `updatedAt` (timestamps),
// `version` (int64), `$nulls` (list of names of fields explicitly set to null, so
// "null" and "absent" survive a round trip), then one column per user field.
// Variant values are stored as JSON text; every other kind natively.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
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

  // A subset of a file's top-level fields for a partial decode: the system columns
  // ($id, $seq, $deleted, $nulls) plus the requested names present in the file.
  struct ColumnSelection {
    std::vector<int> fields;  // file-schema top-level field indexes, ascending
    std::vector<int> leaves;  // the leaf columns those fields cover, ascending
  };
  static ColumnSelection SelectColumns(const parquet::Schema& file_schema,
                                       const std::vector<std::string>& names);
  // Decode of only `fields` (from SelectColumns; all when empty; leaves of other fields
  // may be empty) and only the `selected` rows (ascending indexes; nullptr: all). Docs
  // then hold just the decoded fields (plus $id/$type).
  Status Decode(const parquet::Schema& file_schema, const std::vector<parquet::ColumnVector>& cols,
                int64_t num_rows, const std::vector<int>& fields,
                const std::vector<uint32_t>* selected, std::vector<StoredRow>* rows) const;

  // Filter evaluation straight from flat columns (no document assembly), for scans:
  // usable when every field the filter references is $id, $type or a non-repeated
  // column of the file (variant columns are parsed per cell).
  struct FlatFilterPlan {
    bool usable = false;
    std::vector<int> leaves;  // leaf columns EvalFlatFilter needs (ascending)
    struct Col {
      std::string name;
      int leaf = -1;
      const ColumnSpec* spec = nullptr;  // null for createdAt/updatedAt/version
    };
    std::vector<Col> cols;
    int id_leaf = -1, deleted_leaf = -1, nulls_field = -1;
    bool wants_type = false, wants_id = false;
  };
  FlatFilterPlan PlanFlatFilter(const parquet::Schema& file_schema,
                                const std::vector<std::string>& names) const;
  // Appends to *selected the rows (ascending) that are not tombstones, not
  // hidden(row, $id), and match `filter`. `cols` holds at least plan.leaves.
  Status EvalFlatFilter(const FlatFilterPlan& plan, const parquet::Schema& file_schema,
                        const std::vector<parquet::ColumnVector>& cols, int64_t num_rows,
                        const query::Filter& filter,
                        const std::function<bool(size_t, std::string_view)>& hidden,
                        std::vector<uint32_t>* selected) const;

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
