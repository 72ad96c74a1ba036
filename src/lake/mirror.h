// LakeMirror: keeps one Iceberg or Delta table per collection in step with the
// native store, so a database opened with table format "iceberg" or "delta" has
// tables external engines read (chdb, Spark, Trino, DuckDB's extensions, ...).
//
// Layout: <db>/<format>/<Collection>/ (a complete Iceberg or Delta table) and
// <db>/LAKE_MIRRORED (the native flushed_seq the tables reflect). Each table has
// its own format (a view's $refresh.backend may differ from the database's).
// Native store stays the source of truth for recovery, as_of and the CDC log;
// each native flush that changed a collection becomes one lake commit of that
// collection (its newest versions: upserts and deletes, copy-on-write). Commits
// record the native flushed_seq in the snapshot summary / commitInfo
// ("parquedb.flushed-seq"). If the process dies between the native commit and
// the lake commits, Sync() on the next open sees MIRRORED behind the store and
// rewrites every table from the native live state (one overwrite commit each).
// Not thread-safe: the db layer calls it under its flush serialization.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lake/lake_table.h"
#include "storage/native_store.h"

namespace parquedb::lake {

class LakeMirror {
 public:
  // Format persisted for a database directory: <db>/TABLE_FORMAT. `requested`
  // is "" (keep what the directory has; native when none), "native", "iceberg"
  // or "delta". InvalidArgument when it conflicts with the recorded format or
  // is unknown. Returns the effective format name and records it.
  static Result<std::string> ResolveFormat(Env* env, const std::string& db_dir,
                                           const std::string& requested);

  struct Target {
    const storage::RowCodec* codec = nullptr;  // must outlive the mirror's use of it
    Format format = Format::kIceberg;
  };
  // Opens (creating) the tables of `targets` (collection/view name -> target).
  static Result<std::unique_ptr<LakeMirror>> Open(Env* env, const std::string& db_dir,
                                                  const std::map<std::string, Target>& targets);

  // Starts mirroring one more table (e.g. a registered view) and fills it from
  // the store's current state. Replaces an existing target of that name.
  Status AddTable(const std::string& name, Target target, const storage::NativeStore& store,
                  int64_t now_micros);
  // Stops mirroring a table (its files stay; Iceberg/Delta history is kept).
  void DropTable(const std::string& name);

  // Brings every table up to the store's current manifest when MIRRORED is
  // behind (or a table is new): overwrite from the native live rows.
  Status Sync(const storage::NativeStore& store, int64_t now_micros);

  // After a native commit of `committed`: `changes` holds, per collection, the
  // rows that flush wrote (newest version per $id; tombstones = deletes).
  // Collections without changes get no commit. `summaries` (optional) adds
  // entries to a table's snapshot summary, e.g. a view's "refresh-state".
  Status OnFlush(const storage::Manifest& committed,
                 const std::map<std::string, std::vector<storage::StoredRow>>& changes,
                 int64_t now_micros,
                 const std::map<std::string, std::map<std::string, std::string>>* summaries =
                     nullptr);

  // The table of a collection (nullptr if unknown).
  LakeTable* table(const std::string& collection);
  std::string TableRoot(const std::string& collection) const;

 private:
  LakeMirror(Env* env, std::string dir) : env_(env), dir_(std::move(dir)) {}
  Status WriteMirrored(uint64_t seq);
  Status OpenTable(const std::string& name, Target target, bool* created);
  Status Refill(const std::string& name, const storage::NativeStore& store, int64_t now_micros);
  Env* env_;
  std::string dir_;  // <db> (absolute)
  std::map<std::string, Target> targets_;
  std::map<std::string, std::unique_ptr<LakeTable>> tables_;
  bool needs_sync_ = false;
};

// Live rows of one table in a native manifest: the newest version per $id
// across its files (a later file wins), deletions dropped, sorted by $id.
Result<std::vector<storage::StoredRow>> ReadNativeLive(const storage::NativeStore& store,
                                                       const storage::RowCodec& codec,
                                                       const storage::TableFiles& files);

}  // namespace parquedb::lake
