// NativeStore: the default backend. Tables are sets of immutable Parquet data
// files under <dir>/data/<table>/; a Manifest says which files form each table at
// a committed version. Commit = write MANIFEST-<v>.json durably, then atomically
// replace CURRENT (temp file, fsync, rename, directory fsync): readers and a
// recovering process see the old version or the new one, never a mix. Files and
// manifests not reachable from CURRENT (a crash mid-flush) are removed on Open.
// Retained older manifests serve time travel until Vacuum drops them.
// Thread-safety: const methods may run concurrently; mutating calls need external
// serialization (the db layer's writer lock).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parquedb/env.h"
#include "parquet/reader.h"
#include "parquet/writer.h"
#include "storage/manifest.h"
#include "storage/row_codec.h"

namespace parquedb::storage {

struct ManifestInfo {
  uint64_t version = 0;
  int64_t committed_at = 0;
  uint64_t flushed_seq = 0;
  int64_t flushed_ts = 0;
};

// Streams rows into one new data file, a row group per Add() call (or several,
// per the writer's row_group_rows). Finish() fsyncs and describes the file.
class DataFileBuilder {
 public:
  Status Add(const std::vector<StoredRow>& rows);
  Result<DataFile> Finish();

 private:
  friend class NativeStore;
  Env* env_ = nullptr;
  const RowCodec* codec_ = nullptr;
  std::string path_, table_dir_;
  DataFile file_;
  std::unique_ptr<parquet::FileWriter> writer_;
};

class NativeStore {
 public:
  // Opens (creating) the store in `dir`, loads CURRENT and removes debris of
  // interrupted commits. Corruption if CURRENT names a missing or bad manifest.
  static Result<std::unique_ptr<NativeStore>> Open(Env* env, Clock* clock, const std::string& dir);

  const Manifest& current() const { return current_; }
  // Every retained manifest, oldest first (version 0, the empty store, included
  // until vacuumed).
  std::vector<ManifestInfo> History() const;
  // Loads a retained manifest. NotFound if it was vacuumed.
  Result<Manifest> Load(uint64_t version) const;

  // Writes rows as a new data file for `codec`'s table (fsynced, not yet part of
  // any manifest). Allocates the file id from *next_file_id.
  Result<DataFile> WriteDataFile(const RowCodec& codec, const std::vector<StoredRow>& rows,
                                 uint64_t* next_file_id, const parquet::WriterOptions& options);

  // Starts a new data file for `codec`'s table (see DataFileBuilder).
  Result<std::unique_ptr<DataFileBuilder>> NewDataFile(const RowCodec& codec,
                                                       uint64_t* next_file_id,
                                                       const parquet::WriterOptions& options);

  // Durably commits `m` as the next version (sets m->version and committed_at).
  Status Commit(Manifest* m);

  // Per-table vacuum: removes `tables` from every retained manifest committed before
  // `cutoff_micros` except the newest such one (it defines the state at the cutoff),
  // rewriting each atomically, then deletes the data files no retained manifest
  // references. Other tables keep their history. Callers record the tables' new as_of
  // horizon (Manifest::horizons, committed) BEFORE calling this.
  Status VacuumTables(const std::vector<std::string>& tables, int64_t cutoff_micros);
  // flushed_ts of the newest retained manifest committed before `cutoff_micros` (the
  // state VacuumTables keeps at the cutoff); nullopt if none is older.
  std::optional<int64_t> StateTimeAt(int64_t cutoff_micros) const;

  // Opens a data file of the current or a retained manifest.
  Result<std::unique_ptr<parquet::FileReader>> OpenDataFile(const DataFile& f) const;

  // Keeps manifests with committed_at >= cutoff plus the newest older one (it
  // defines the state at the cutoff); deletes the rest and every data file no
  // kept manifest references. Returns the oldest kept manifest. `progress` (optional)
  // gets (data files examined, data files in total, removed so far) every 64 files
  // and once at the end.
  using VacuumProgress = std::function<void(int64_t examined, int64_t total, int64_t removed)>;
  Result<ManifestInfo> Vacuum(int64_t cutoff_micros, const VacuumProgress& progress = {});

  const std::string& dir() const { return dir_; }

 private:
  NativeStore(Env* env, Clock* clock, std::string dir)
      : env_(env), clock_(clock), dir_(std::move(dir)) {}
  std::string ManifestPath(uint64_t version) const;
  Status RemoveUnreferencedFiles(const VacuumProgress& progress = {});

  Env* env_;
  Clock* clock_;
  std::string dir_;
  Manifest current_;
  std::map<uint64_t, ManifestInfo> history_;
};

}  // namespace parquedb::storage
