// Table formats next to the native store: a LakeTable is one collection (or view)
// stored as an Apache Iceberg v2 table or a Delta Lake table that external
// engines can read. Its data files hold live rows only (no superseded versions or
// tombstones), written with the RowCodec layout (field ids on every column);
// updates and deletes are copy-on-write: a commit rewrites the files holding a
// changed $id (found by $id bounds, then by content) and removes the old ones.
// Commits are no-clobber (Env::RenameNoReplace): a concurrent committer of the
// same version loses with Aborted. Not thread-safe: one committer per table.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parquedb/env.h"
#include "parquedb/value.h"
#include "parquet/writer.h"
#include "storage/row_codec.h"
#include "storage/table_spec.h"

namespace parquedb::lake {

enum class Format : uint8_t { kIceberg, kDelta };
std::string_view FormatName(Format f);  // "iceberg" | "delta"
Result<Format> ParseFormat(std::string_view name);

struct CommitInfo {
  int64_t timestamp_micros = 0;
  // Highest native CDC sequence reflected by this commit (recorded in the
  // commit as "parquedb.flushed-seq"; used to detect a mirror that fell behind).
  uint64_t flushed_seq = 0;
  // Extra summary entries (Iceberg snapshot summary / Delta commitInfo), e.g.
  // "refresh-state" for materialized views.
  std::map<std::string, std::string> summary;
};

// One committed version: an Iceberg snapshot or a Delta version.
struct VersionInfo {
  int64_t version = 0;    // Iceberg snapshot id / Delta version
  int64_t sequence = 0;   // Iceberg sequence number / Delta version
  int64_t timestamp_ms = 0;
  uint64_t flushed_seq = 0;  // parquedb.flushed-seq (0 if absent, e.g. foreign tables)
  std::map<std::string, std::string> summary;
};

class LakeTable {
 public:
  virtual ~LakeTable() = default;
  virtual Format format() const = 0;
  // Table root directory.
  virtual const std::string& root() const = 0;

  // Applies changed rows (newest version per $id; `deleted` rows are deletions)
  // as one new version. Rows must have distinct ids.
  virtual Status Commit(const std::vector<storage::StoredRow>& changes,
                        const CommitInfo& info) = 0;
  // Replaces the whole content with `live` rows (non-deleted, distinct ids).
  virtual Status Overwrite(const std::vector<storage::StoredRow>& live,
                           const CommitInfo& info) = 0;

  // The current version; nullopt if nothing was committed yet.
  virtual Result<std::optional<VersionInfo>> Current() = 0;
  // All versions still listed by the table, oldest first.
  virtual Result<std::vector<VersionInfo>> History() = 0;
  // Drops history older than `cutoff_ms`: keeps the versions committed at or
  // after it, the newest one before it (the state at the cutoff) and the
  // current one; deletes the files only dropped versions reference (Iceberg:
  // snapshots, manifest lists, manifests, data files, old metadata files; Delta:
  // data files removed before the cutoff, like VACUUM - the log is kept, but
  // time travel to a version needing a deleted file fails). Returns the number
  // of files deleted.
  virtual Result<int64_t> Expire(int64_t cutoff_ms) = 0;

  // Rows of a version (current when nullopt) as objects keyed by column name,
  // deletes applied, in file order. NotFound for an unknown version.
  virtual Result<std::vector<Value>> Scan(std::optional<int64_t> version = std::nullopt) = 0;
};

// Opens the table of `codec`'s layout in `root`, creating it (an empty table)
// when absent. Corruption when the table metadata is bad.
Result<std::unique_ptr<LakeTable>> OpenLakeTable(Format format, Env* env, const std::string& root,
                                                 const storage::RowCodec& codec);

// Opens an existing table for reading only (any layout, e.g. written by another
// engine); Commit/Overwrite then fail with NotSupported.
Result<std::unique_ptr<LakeTable>> OpenLakeTableForRead(Format format, Env* env,
                                                        const std::string& root);

}  // namespace parquedb::lake
