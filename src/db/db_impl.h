// DBImpl: the one place that wires the layers (catalog, log, storage, query)
// into the public DB API. See include/parquedb/db.h for the contract.
//
// Layout of a database directory:
//   schema.json         the catalog (written atomically)
//   LOCK                single-process lock
//   log/                the CDC log (src/log)
//   manifest/, data/    the native store (src/storage)
//
// Concurrency (lock order apply_mu_ -> write_mu_ -> mu_):
//   write_mu_  serializes validation + log append of writers; guards pending_,
//              overlay_ and last_assigned_ts_. Not held during fsync, so concurrent
//              writers share one group-committed fdatasync.
//   apply_mu_  serializes applying durable batches (in sequence order) and Flush,
//              Compact, Vacuum.
//   mu_        (shared) guards the memtables, last_seq_/last_ts_/unflushed_ and the
//              current manifest: taken exclusively to apply a batch or swap a
//              manifest, shared by readers for the duration of a read.
#pragma once

#include <deque>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

#include "catalog/catalog.h"
#include "log/log.h"
#include "parquedb/db.h"
#include "query/filter.h"
#include "storage/native_store.h"

namespace parquedb::db {

class DBImpl final : public DB {
 public:
  static Result<std::unique_ptr<DB>> OpenImpl(const Options& options, const Value* schema);
  ~DBImpl() override;

  Value schema() const override;
  std::vector<std::string> Collections() const override;
  Result<Value> Insert(std::string_view collection, const Value& doc) override;
  Result<std::vector<Value>> InsertMany(std::string_view collection,
                                        const std::vector<Value>& docs) override;
  Result<Value> Update(std::string_view collection, std::string_view id,
                       const Value& update) override;
  Status Delete(std::string_view collection, std::string_view id) override;
  Status Write(const WriteBatch& batch, std::vector<Value>* results) override;
  Result<Value> Get(std::string_view collection, std::string_view id,
                    std::optional<int64_t> as_of) override;
  Result<std::vector<Value>> Find(std::string_view collection, const Value& filter,
                                  const FindOptions& options) override;
  Result<int64_t> Count(std::string_view collection, const Value& filter,
                        std::optional<int64_t> as_of) override;
  Status Flush() override;
  Status Compact() override;
  Status Vacuum(int64_t retention_micros) override;
  int64_t HistoryHorizon() const override;
  uint64_t LastSequence() const override;
  Result<std::vector<ChangeEvent>> ReadChanges(uint64_t from_seq, size_t max_events) override;
  Result<std::unique_ptr<ChangeStream>> Subscribe(uint64_t from_seq) override;
  uint64_t AddListener(ChangeListener listener) override;
  void RemoveListener(uint64_t id) override;
  // TODO(views-integration): placeholders until the view layer is wired in.
  Status RegisterView(std::string_view, const Value&) override {
    return Status::NotSupported("views are not wired into the database yet");
  }
  Status DropView(std::string_view) override {
    return Status::NotSupported("views are not wired into the database yet");
  }
  Status AlterView(std::string_view, const Value&) override {
    return Status::NotSupported("views are not wired into the database yet");
  }
  std::vector<ViewState> ListViews() override { return {}; }
  Result<ViewState> GetViewState(std::string_view) override {
    return Status::NotSupported("views are not wired into the database yet");
  }
  Status RefreshView(std::string_view, const RefreshViewOptions&) override {
    return Status::NotSupported("views are not wired into the database yet");
  }
  Status VacuumView(std::string_view, int64_t) override {
    return Status::NotSupported("views are not wired into the database yet");
  }
  Status RunDueRefreshes() override { return Status::OK(); }

  const catalog::Catalog& catalog() const { return catalog_; }

 private:
  struct Table {
    const catalog::CollectionDef* def = nullptr;
    std::unique_ptr<storage::RowCodec> codec;
    // Unflushed versions, newest per $id (sorted, so flushed files are sorted by $id).
    std::map<std::string, storage::StoredRow, std::less<>> mem;
  };
  // The state a read runs against: a manifest plus the versions newer than it.
  struct ReadView {
    storage::Manifest manifest;
    // Versions newer than the manifest: the live memtable, or an as_of replay.
    const std::map<std::string, storage::StoredRow, std::less<>>* mem = nullptr;
    std::map<std::string, storage::StoredRow, std::less<>> replay;  // owns as_of versions
  };

  explicit DBImpl(const Options& options);
  Status Init(const Value* schema);
  Status Recover();
  Result<Table*> FindTable(std::string_view collection);
  Result<std::string> NewId();

  // Current version of a document (memtable, then files); nullopt if absent/deleted.
  Result<std::optional<Value>> Lookup(const Table& t, const ReadView& view, std::string_view id);
  // Calls fn(doc) for every live document of `t` in `view` matching `filter`.
  Status Scan(const Table& t, const ReadView& view, const query::Filter& filter,
              const std::function<void(Value&&)>& fn);
  // Builds the read view for as_of (replaying the log from a retained manifest).
  Status MakeAsOfView(const Table& t, int64_t as_of, ReadView* view);
  Result<std::shared_ptr<parquet::FileReader>> OpenFile(const storage::DataFile& f);
  Result<std::shared_ptr<const std::vector<storage::StoredRow>>> ReadRowGroup(
      const Table& t, const storage::DataFile& f, parquet::FileReader& reader, int rg);
  Status Include(const catalog::CollectionDef& def, const std::string& path, Value* doc,
                 const ReadView* view_hint, std::optional<int64_t> as_of, int depth);

  Status FlushLocked();
  Status CompactTableLocked(Table* t, storage::Manifest* m);
  // Validates `batch`, appends it to the log (unsynced) and queues it as pending.
  Status AppendLocked(const WriteBatch& batch, std::vector<Value>* results);
  // Applies every durable pending batch, in order, and notifies listeners.
  void ApplyCommitted();

  struct PendingBatch {
    uint64_t first_seq = 0;
    uint64_t last_seq = 0;
    int64_t timestamp = 0;
    std::vector<ChangeEvent> events;
  };

  Options options_;
  Env* env_;
  Clock* clock_;
  std::unique_ptr<FileLock> lock_;
  catalog::Catalog catalog_;
  std::unique_ptr<log::Log> log_;
  std::unique_ptr<storage::NativeStore> store_;
  std::map<std::string, Table, std::less<>> tables_;

  std::mutex apply_mu_;
  std::mutex write_mu_;
  mutable std::shared_mutex mu_;
  std::deque<PendingBatch> pending_;  // appended, not yet applied (write_mu_)
  // Newest appended-but-unapplied version per (collection, $id): {seq, doc or
  // nullopt for a delete} (write_mu_).
  std::map<std::pair<std::string, std::string>, std::pair<uint64_t, std::optional<Value>>> overlay_;
  int64_t last_assigned_ts_ = 0;  // write_mu_
  uint64_t last_seq_ = 0;
  int64_t last_ts_ = 0;
  uint64_t unflushed_ = 0;
  uint64_t last_id_millis_ = 0;
  unsigned __int128 last_id_random_ = 0;

  std::mutex listeners_mu_;
  uint64_t next_listener_id_ = 1;
  std::map<uint64_t, ChangeListener> listeners_;

  std::mutex cache_mu_;
  std::unordered_map<std::string, std::shared_ptr<parquet::FileReader>> readers_;
  std::list<std::pair<std::string, std::shared_ptr<const std::vector<storage::StoredRow>>>>
      rg_cache_;  // most recent first
  size_t rg_cache_rows_ = 0;
};

}  // namespace parquedb::db
