// FileReader: reads Parquet files written by us, DuckDB, arrow-rs/pyarrow and
// parquet-mr: data pages v1 and v2, PLAIN, PLAIN_DICTIONARY/RLE_DICTIONARY (mixed
// with PLAIN pages), DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY,
// BYTE_STREAM_SPLIT, RLE booleans; nested lists and structs; SNAPPY/ZSTD/GZIP.
// Files are untrusted: malformed input yields Corruption naming the column/page.
// A FileReader is safe for concurrent Read* calls.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "parquedb/env.h"
#include "parquet/column.h"
#include "parquet/metadata.h"
#include "parquet/schema.h"
#include "parquet/statistics.h"

namespace parquedb::parquet {

struct ReaderOptions {
  // Largest footer accepted.
  uint32_t max_footer_size = 64 << 20;
};

class FileReader {
 public:
  // Parses the footer. Corruption if the file is not Parquet or the footer is bad;
  // NotSupported for encrypted files.
  static Result<std::unique_ptr<FileReader>> Open(std::unique_ptr<RandomAccessFile> file,
                                                  ReaderOptions options = {});
  static Result<std::unique_ptr<FileReader>> Open(Env* env, const std::string& path,
                                                  ReaderOptions options = {});

  const FileMetaData& metadata() const { return metadata_; }
  const Schema& schema() const { return schema_; }
  int num_row_groups() const { return static_cast<int>(metadata_.row_groups.size()); }
  int64_t num_rows() const { return metadata_.num_rows; }

  // Decodes leaf column `leaf` of row group `row_group`, appending to *out (whose
  // type is set from the schema if it is empty).
  Status ReadColumnChunk(int row_group, int leaf, ColumnVector* out) const;

  // Reads the given leaves (all when empty) from the given row groups (all when
  // empty), concatenated per leaf into *out (one ColumnVector per requested leaf).
  Status ReadColumns(const std::vector<int>& leaves, const std::vector<int>& row_groups,
                     std::vector<ColumnVector>* out) const;

  // Row groups that may contain rows satisfying every predicate (by statistics).
  std::vector<int> PruneRowGroups(const std::vector<ColumnPredicate>& preds) const;

 private:
  FileReader() = default;
  std::unique_ptr<RandomAccessFile> file_;
  FileMetaData metadata_;
  Schema schema_;
};

}  // namespace parquedb::parquet
