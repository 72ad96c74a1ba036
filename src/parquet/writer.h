// FileWriter: writes a Parquet file from shredded columns (ColumnVector per leaf).
// Data pages v1 (or v2), PLAIN or RLE_DICTIONARY with fallback to PLAIN when the
// dictionary outgrows its limit, RLE levels, column statistics, field ids, and
// SNAPPY/ZSTD/GZIP/no compression. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "parquedb/env.h"
#include "parquet/column.h"
#include "parquet/metadata.h"
#include "parquet/schema.h"

namespace parquedb::parquet {

struct WriterOptions {
  CompressionCodec codec = CompressionCodec::kSnappy;
  int compression_level = 0;  // 0: codec default
  // Rows per row group used by WriteTable.
  int64_t row_group_rows = 128 * 1024;
  // Target uncompressed size of the values in one data page.
  size_t data_page_size = 1 << 20;
  bool enable_dictionary = true;
  // A column chunk falls back from dictionary to PLAIN once its dictionary
  // (plain-encoded) grows past this many bytes.
  size_t dictionary_page_size_limit = 1 << 20;
  bool data_page_v2 = false;
  bool write_statistics = true;
  std::vector<KeyValue> key_value_metadata;
  std::string created_by = "parquedb version 0.1.0";
};

class FileWriter {
 public:
  // Takes ownership of `file`; writes the leading magic immediately.
  static Result<std::unique_ptr<FileWriter>> Open(std::unique_ptr<WritableFile> file,
                                                  Schema schema, WriterOptions options = {});
  ~FileWriter();

  // Writes one row group: columns[i] holds leaf i's data for exactly `num_rows`
  // rows. InvalidArgument if the columns do not match the schema or each other.
  Status WriteRowGroup(const std::vector<ColumnVector>& columns, int64_t num_rows);
  // Writes `num_rows` rows, split into row groups of options.row_group_rows.
  Status WriteTable(const std::vector<ColumnVector>& columns, int64_t num_rows);
  // Writes the footer and closes the file. If `sync`, fsyncs before closing.
  Status Close(bool sync = false);

  const Schema& schema() const { return schema_; }
  // The footer as written (valid after Close).
  const FileMetaData& metadata() const { return metadata_; }
  uint64_t bytes_written() const;

 private:
  FileWriter(std::unique_ptr<WritableFile> file, Schema schema, WriterOptions options);
  struct ColumnRange;
  Status WriteChunk(size_t leaf, const ColumnRange& range, ColumnChunk* out);
  Status WriteRowGroupRanges(const std::vector<ColumnVector>& columns,
                             const std::vector<ColumnRange>& ranges, int64_t num_rows);

  std::unique_ptr<WritableFile> file_;
  Schema schema_;
  WriterOptions options_;
  FileMetaData metadata_;
  bool closed_ = false;
  std::string scratch_;  // page assembly buffers, reused
  std::string compressed_;
};

// Validates that `columns` are a consistent shredding of `num_rows` rows for
// `schema` (types, level bounds, value counts, row starts). Used by the writer.
Status ValidateColumns(const Schema& schema, const std::vector<ColumnVector>& columns,
                       int64_t num_rows);

}  // namespace parquedb::parquet
