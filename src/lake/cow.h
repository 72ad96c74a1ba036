// Shared machinery of the table formats (internal to src/lake): live-row data
// files with column statistics, copy-on-write planning, type mapping, ids.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "parquedb/env.h"
#include "parquedb/value.h"
#include "parquet/schema.h"
#include "parquet/writer.h"
#include "storage/row_codec.h"

namespace parquedb::lake {

// Statistics of one top-level primitive column of a written file.
struct ColumnStats {
  int32_t field_id = -1;
  std::string name;
  const parquet::SchemaNode* leaf = nullptr;  // into the codec's schema
  int64_t values = 0;  // including nulls
  int64_t nulls = 0;
  std::optional<Value> min, max;
};

struct WrittenFile {
  std::string rel_path;  // relative to the table root
  int64_t rows = 0;
  int64_t bytes = 0;
  std::vector<ColumnStats> stats;
};

// Writes `rows` (sorted by id, live) with `codec`'s layout to root/rel_path, fsynced.
Result<WrittenFile> WriteLiveFile(Env* env, const storage::RowCodec& codec,
                                  const std::vector<storage::StoredRow>& rows,
                                  const std::string& root, const std::string& rel_path);

// A live data file of the current version, as the copy-on-write planner sees it.
struct LiveFile {
  std::string rel_path;  // relative to the table root (or absolute for foreign files)
  std::optional<std::string> min_id, max_id;  // $id bounds when known
};

struct CowResult {
  std::vector<size_t> removed;          // indexes into the live file list
  std::optional<WrittenFile> added;     // absent when no row survives
};

// Plans and writes one copy-on-write commit: files whose $id range may hold a
// changed id are read; if they do, they are removed and their unchanged rows are
// rewritten with the live changed rows into one new file (rel_path). With
// `overwrite`, every file is removed and `changes` is the whole content. When
// more than `compact_over` files would remain, all are merged.
Result<CowResult> CopyOnWrite(Env* env, const storage::RowCodec& codec, const std::string& root,
                              const std::vector<LiveFile>& live,
                              std::vector<storage::StoredRow> changes, bool overwrite,
                              const std::string& rel_path, size_t compact_over = 16);

// Reads a data file as generic rows (objects keyed by top-level column name).
// Columns named in `string_columns` (string in the table schema) that the file
// stores as un-annotated BYTE_ARRAY (as some writers do) are read as UTF-8 text.
Result<std::vector<Value>> ReadRowsGeneric(Env* env, const std::string& path,
                                           const std::set<std::string>* string_columns = nullptr);

// Absolute path of a file referenced by a table (absolute, file:// URI or relative).
std::string ResolvePath(const std::string& root, const std::string& ref);

std::string NewUuid();
int64_t NewSnapshotId();
std::string JoinPath(const std::string& a, const std::string& b);
// Makes `dir` absolute (relative to the process working directory).
std::string AbsolutePath(const std::string& dir);

}  // namespace parquedb::lake
