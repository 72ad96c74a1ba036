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

#include <functional>
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
  // Tables without changes get no commit, except those in `views`: they commit
  // last (after their sources), every time, so their "refresh-state" names the
  // sources' new versions. `summary` (optional) supplies extra snapshot summary
  // entries of a table right before its commit (e.g. a view's refresh-state).
  using SummaryFn =
      std::function<Result<std::map<std::string, std::string>>(const std::string& table)>;
  Status OnFlush(const storage::Manifest& committed,
                 const std::map<std::string, std::vector<storage::StoredRow>>& changes,
                 int64_t now_micros, const std::vector<std::string>& views = {},
                 const SummaryFn& summary = nullptr);

  // Expire(cutoff) on every mirrored table (DB::Vacuum).
  Status Expire(int64_t cutoff_micros);

  // Whether a commit failed since the last Sync (the next Sync rewrites all).
  bool needs_sync() const { return needs_sync_; }
  // Names and targets of the mirrored tables.
  const std::map<std::string, Target>& targets() const { return targets_; }

  // Staleness by the table formats' own versions: for a view whose current
  // snapshot carries a "refresh-state" summary entry (see RefreshState), the
  // sources whose current Iceberg snapshot id / Delta version (or, for sources
  // not mirrored, whose native sequence in `native_seqs`) differs from the one
  // recorded. Empty: fresh. NotFound if the view has no refresh-state.
  Result<std::vector<std::string>> StaleSources(
      const std::string& view, const std::map<std::string, uint64_t>& native_seqs);

  // The "refresh-state" summary value of a view refresh (Iceberg materialized
  // view spec: view-version-id / refresh-version-id, source-states with the
  // sources' snapshot ids; mirrored sources by their table-format version,
  // others by native sequence).
  Result<std::string> RefreshState(uint64_t refresh_version_id,
                                   const std::map<std::string, uint64_t>& source_seqs,
                                   int64_t now_micros);

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
