// DBImpl: the one place that wires the layers (catalog, log, storage, query)
// into the public DB API. See include/parquedb/db.h for the contract.
//
// Layout of a database directory:
//   schema.json         the catalog (written atomically)
//   LOCK                single-process lock
//   log/                the CDC log (src/log)
//   manifest/, data/    the native store (src/storage)
//
// Concurrency (lock order apply_mu_ -> write_mu_ -> schema_mu_ -> mu_):
//   write_mu_  serializes validation + log append of writers; guards pending_,
//              overlay_ and last_assigned_ts_. Not held during fsync, so concurrent
//              writers share one group-committed fdatasync.
//   apply_mu_  serializes applying durable batches (in sequence order) and Flush,
//              Compact, Vacuum.
//   mu_        (shared) guards the memtables, last_seq_/last_ts_/unflushed_ and the
//              current manifest: taken exclusively to apply a batch or swap a
//              manifest, shared by readers for the duration of a read.
//
// Materialized views (see docs/storage-format.md, "Views"): every view is a table of
// tables_ (rows keyed by the view row key, stored in Parquet like collections, with
// the exact row in a "$row" column). Its row changes are CDC events of the view, in
// the SAME log batch as the source writes that caused them (streaming views: computed
// by the views::ViewMaintainer inside AppendLocked, before the log append) or in one
// batch per refresh (scheduled/manual/full), together with a "$lineage" event (what the
// view reflects: log sequence, rows-definition hash, refresh time, incremental/reason).
// So flush, compaction, as_of, vacuum, recovery and change streams treat views like
// collections, and a refresh is atomic (one log batch). Maintainer states are saved
// at every flush in views/STATE-<flushed_seq> (written before the manifest that makes
// it current); recovery loads them and replays newer source events through them.
#pragma once

#include <deque>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

#include <atomic>

#include "catalog/catalog.h"
#include "exec/column.h"
#include "lake/mirror.h"
#include "log/log.h"
#include "parquedb/db.h"
#include "query/filter.h"
#include "storage/native_store.h"
#include "views/maintainer.h"
#include "views/scheduler.h"
#include "views/view_spec.h"

namespace parquedb::db {

// How a stored field maps to a column. Views store decimals as JSON text (kAsVariant):
// the scale of an aggregate over decimals varies.
enum class DecimalColumns : uint8_t { kNative, kAsVariant };
storage::ColumnSpec ColumnSpecFor(const catalog::FieldDef& f, DecimalColumns decimals);

// Options::progress granularity: documents/rows per report.
inline constexpr int64_t kProgressEvery = 4096;
// Calls `fn` (if set) with one Progress report.
inline void ReportProgress(const ProgressFn& fn, std::string_view operation,
                           std::string_view target, std::string_view unit, int64_t done,
                           int64_t total, int64_t removed = -1) {
  if (!fn) return;
  Progress p;
  p.operation = operation;
  p.target = target;
  p.unit = unit;
  p.done = done;
  p.total = total;
  p.removed = removed;
  fn(p);
}

// Collection name of the internal lineage records of views in the CDC log (never a
// valid schema key, filtered out of change streams and listeners).
inline constexpr std::string_view kLineageCollection = "$lineage";
// File name (under <db>/views/) of the view checkpoint of the manifest flushed to `seq`.
std::string CheckpointName(uint64_t flushed_seq);
// Whether `v` has the Value kind a scalar column of kind `k` stores (string, int,
// double, bool, timestamp, date; any value for a variant; false for decimals, whose
// scale and precision need the column spec).
bool ScalarFits(storage::ColumnKind k, const Value& v);
// Whether full refreshes of aggregated views may use the columnar engine (default
// true; tests switch it off to compare with the row path) and how many did.
bool ColumnarRefreshEnabled();
void SetColumnarRefreshEnabled(bool enabled);
uint64_t ColumnarRefreshCount();
// ViewSpec::Compile plus the checks it leaves to other modules (cron text), as the DB
// needs them for schema views, RegisterView and AlterView.
Result<std::shared_ptr<const views::ViewSpec>> CompileView(const catalog::ViewDef& def,
                                                           const catalog::Catalog& cat);

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
  Result<std::vector<AggregateRow>> Aggregate(std::string_view collection,
                                              const AggregateRequest& request) override;
  Result<std::vector<Value>> FindColumns(std::string_view collection,
                                         const ColumnsRequest& request) override;
  Status Flush() override;
  Status Compact() override;
  Status Vacuum(int64_t retention_micros) override;
  int64_t HistoryHorizon() const override;
  uint64_t LastSequence() const override;
  Result<std::vector<ChangeEvent>> ReadChanges(uint64_t from_seq, size_t max_events) override;
  Result<std::unique_ptr<ChangeStream>> Subscribe(uint64_t from_seq) override;
  uint64_t AddListener(ChangeListener listener) override;
  void RemoveListener(uint64_t id) override;
  Status RegisterView(std::string_view name, const Value& definition) override;
  Status DropView(std::string_view name) override;
  Status AlterView(std::string_view name, const Value& changes) override;
  std::vector<ViewState> ListViews() override;
  Result<ViewState> GetViewState(std::string_view name) override;
  Status RefreshView(std::string_view name, const RefreshViewOptions& options) override;
  Status VacuumView(std::string_view name, int64_t retention_micros) override;
  Status RunDueRefreshes() override;

  // The current catalog. Catalogs replaced by RegisterView/AlterView/DropView stay
  // alive until the DB closes (tables and views keep pointers into them).
  // (collection, $id) -> the document after this batch (nullopt: deleted).
  using Staged = std::map<std::pair<std::string, std::string>, std::optional<Value>>;

  const catalog::Catalog& catalog() const { return *catalog_.load(std::memory_order_acquire); }

 private:
  struct ViewRt;
  struct ViewLayout;
  struct Table {
    std::string name;       // schema key (directory under data/)
    std::string type_name;  // $type
    const catalog::CollectionDef* def = nullptr;  // collections only
    ViewRt* view = nullptr;                       // views only
    std::unique_ptr<storage::RowCodec> codec;
    // Unflushed versions, newest per $id (sorted, so flushed files are sorted by $id).
    std::map<std::string, storage::StoredRow, std::less<>> mem;

    // Views ($projection, db_projection.cc): how rows sit in data files. `codec` writes
    // the files under `name`; `layout` knows both layouts, so each file is read by its
    // own (a $projection change leaves files of the other layout behind until rewritten).
    std::shared_ptr<const ViewLayout> layout;
    bool columnar = false;  // files under `name` are written columnar (olap)
    size_t partitions = 1;  // columnar: partitions written by the last flush
    // "both": the columnar copy of the same rows, files under name + "@olap" (mem unused:
    // reads pass this table's mem). Scans use it; point lookups use this table.
    std::unique_ptr<Table> olap;
  };
  // The state a read runs against: a manifest plus the versions newer than it.
  struct ReadView {
    storage::Manifest manifest;
    // Versions newer than the manifest: the live memtable, or an as_of replay.
    const std::map<std::string, storage::StoredRow, std::less<>>* mem = nullptr;
    std::map<std::string, storage::StoredRow, std::less<>> replay;  // owns as_of versions
  };

  // One materialized view. Guarded by write_mu_ (maintainers advance at append time).
  struct ViewRt {
    std::string name;
    const catalog::ViewDef* def = nullptr;  // into a catalog of catalogs_
    std::shared_ptr<const views::ViewSpec> spec;
    uint64_t rows_hash = 0;  // RowsHash(def): what the rows depend on
    Table* table = nullptr;
    // null: the state is unusable (invalid / lost) and the next refresh is full.
    std::unique_ptr<views::ViewMaintainer> maint;
    // What the stored rows reflect; persisted in $lineage events and the checkpoint.
    struct Lineage {
      bool built = false;          // a refresh ever committed
      uint64_t reflected_seq = 0;  // the log sequence the rows reflect
      uint64_t hash = 0;           // rows_hash the rows were built with
      std::map<std::string, uint64_t> snapshots;  // source -> its last change reflected
      std::optional<int64_t> last_refresh;
      bool incremental = false;
      std::string reason;
    } lin;
    // ---- runtime ----
    std::string last_error;
    std::optional<int64_t> stale_since;  // first unreflected source change (non-streaming)
    bool streaming() const { return spec->refresh().mode == views::RefreshMode::kStreaming; }
  };
  class BatchLookup;

  // ---- view projections (db_projection.cc) ----
  // Both data-file layouts of a view: keyed (exact row in "$row", typed columns best
  // effort, sorted by $id) and columnar (typed columns with statistics, values that do
  // not fit their column in "$spill", partitioned by the time column, sorted by
  // (time, $id)).
  struct ViewLayout {
    std::unique_ptr<storage::RowCodec> keyed, columnar;
    std::vector<catalog::FieldDef> columns;  // output columns after $id, in row order
    std::string time_column;  // partition/sort column of columnar files ("": none)
    int partition = 0;        // 0 none, 1 day, 2 month, 3 year
    std::vector<std::string> key_columns;  // group key columns (aggregated views)
    bool aggregated = false;
  };
  Status SetUpViewStorage(Table* t, const ViewRt& v);
  // The codec that decodes `file_schema` (views: by the file's layout).
  const storage::RowCodec& CodecFor(const Table& t, const parquet::Schema& file_schema) const;
  // Whether a file of view table `t` is columnar (no exact "$row").
  static bool IsColumnarFile(const Table& t, const parquet::Schema& file_schema);
  // Turns rows decoded with CodecFor into the exact view rows.
  Status FinishViewRows(const Table& t, const parquet::Schema& file_schema,
                        std::vector<storage::StoredRow>* rows) const;
  // Whether row group `rg` of a columnar file has rows with "$spill" values (their typed
  // columns are incomplete: no pruning, no flat filters).
  static bool HasSpill(const parquet::FileReader& reader, int rg);
  // Flush of a view's memtable into its layout(s); fills *flushed (if non-null) with the
  // rows written under t->name (for the lake mirror).
  Status FlushViewLocked(Table* t, storage::Manifest* m, const parquet::WriterOptions& wo,
                         std::vector<storage::StoredRow>* flushed);
  // Rewrites every file of view table `t` in its layout (newest version per $id, no
  // tombstones): for columnar tables and keyed ones holding columnar files (whose rows
  // are not sorted by $id, so the merge of CompactTableLocked does not apply).
  Status CompactViewLocked(Table* t, storage::Manifest* m);
  Result<bool> HasColumnarFiles(const Table& t, const storage::Manifest& m);
  // Auto-compaction trigger (columnar tables write a file per partition per flush).
  bool NeedsCompaction(const Table& t, const storage::Manifest& m) const;
  // Find on a keyed view with equality on every key column ($id, or the group key):
  // a point lookup. nullopt: not applicable (scan instead).
  Result<std::optional<std::vector<Value>>> KeyedFind(const Table& t, const ReadView& view,
                                                      const query::Filter& filter);
  // The table a scan of `t` in manifest `m` reads (the columnar copy of a "both" view
  // once it has files).
  static const Table& ScanTableFor(const Table& t, const storage::Manifest& m);

  explicit DBImpl(const Options& options);
  Status Init(const Value* schema);
  Status Recover();
  // A collection or view by name or $type (for reads).
  Result<Table*> FindTable(std::string_view collection);
  Table* FindTableByName(std::string_view name);

  // ---- views (db_views.cc) ----
  Result<std::unique_ptr<Table>> MakeViewTable(ViewRt* v);
  Status SetUpViews();  // at open, after Recover
  void RebuildViewOrder();  // views_order_ from the catalog (write_mu_)
  // Applies the batch's `events` to every streaming view (topological order), appending
  // the views' row changes to *events and *staged.
  Status MaintainViewsLocked(int64_t ts, Staged* staged, std::vector<ChangeEvent>* events,
                             size_t first_event);
  // Recomputes v from its source at the current state (+staged); appends to *events the
  // changes against its stored rows.
  Status FullRebuildLocked(ViewRt* v, Staged* staged, int64_t ts,
                           std::vector<ChangeEvent>* events);
  // Brings a view up to date (incrementally unless full/impossible); appends its row
  // changes, the cascade into streaming views and a lineage event to *events.
  Status RefreshLocked(ViewRt* v, bool full, const std::string& why, int64_t ts, Staged* staged,
                       std::vector<ChangeEvent>* events);
  ChangeEvent LineageEvent(const ViewRt& v, int64_t ts) const;
  void ApplyLineage(ViewRt* v, const Value& lineage);
  // Appends internally generated events as one batch (write_mu_ held).
  Status AppendEventsLocked(std::vector<ChangeEvent> events, int64_t ts);
  // Sync + apply + flush after an internal batch.
  Status FinishInternalBatch();
  // Calls fn for every live document of `collection` in the current state (applied +
  // overlay + staged), in $id order. `prefilter` (optional) may skip applied documents.
  Status ScanCurrentLocked(const std::string& collection, const Staged* staged,
                           const std::function<Status(const Value&)>& fn,
                           const query::Filter* prefilter = nullptr);
  // Ids of `collection` changed after the applied state (appended-but-unapplied
  // batches in the overlay, and `staged`, if any): their current version is decided
  // there, not in the memtable or files.
  std::set<std::string, std::less<>> ChangedIdsLocked(const std::string& collection,
                                                      const Staged* staged) const;
  Status SaveViewCheckpoint(uint64_t flushed_seq);

  // ---- Iceberg / Delta tables next to the native store (db_lake.cc) ----
  // The table format of a collection or view (a view's $refresh.backend first);
  // nullopt: native only.
  std::optional<lake::Format> LakeFormatOf(const Table& t) const;
  std::map<std::string, lake::LakeMirror::Target> LakeTargets() const;
  bool LakeActive() const;
  // At open, after SetUpViews: resolves the table format (TABLE_FORMAT) and brings
  // the tables up to the native state.
  Status OpenLake();
  // After FlushLocked's native commit: mirrors the rows it flushed.
  Status LakeAfterFlushLocked(const storage::Manifest& committed,
                              const std::map<std::string, std::vector<storage::StoredRow>>& changes);
  // View rows in data files: typed columns (best effort, for other readers) plus the
  // exact row in "$row" (base64 of the binary Value codec), which reads use.
  static storage::StoredRow EncodeViewRow(const Table& t, const storage::StoredRow& r);
  static Status DecodeViewRow(storage::StoredRow* r);
  ViewState StateOf(const ViewRt& v);
  Status RefreshViewImpl(std::string_view name, bool full, const std::string& why);
  Status ScheduleView(ViewRt* v);
  Status InstallCatalog(std::unique_ptr<catalog::Catalog> next);  // writes schema.json
  void NoteSourceChangesLocked(const std::vector<ChangeEvent>& events, size_t from);
  std::mutex job_mu_;
  Status job_status_;  // first error of scheduled refreshes since the last RunDueRefreshes
  Result<std::string> NewId();

  // Current version of a document (memtable, then files); nullopt if absent/deleted.
  // With cache_row_groups, whole row groups are decoded through the row-group cache
  // (view maintenance looks up the same related documents again and again);
  // otherwise only the one row is materialized.
  Result<std::optional<Value>> Lookup(const Table& t, const ReadView& view, std::string_view id,
                                      bool cache_row_groups = false);
  // Calls fn(doc) for every live document of `t` in `view` matching `filter`.
  Status Scan(const Table& t, const ReadView& view, const query::Filter& filter,
              const std::function<void(Value&&)>& fn);
  // Per data file of a table in one manifest: which rows newer files shadow (empty
  // vector: none). Computed once per manifest version from the $id columns (db_scan.cc).
  using ShadowMap = std::vector<std::vector<bool>>;
  Result<std::shared_ptr<const ShadowMap>> Shadows(const Table& t,
                                                   const storage::Manifest& manifest);
  // One data file of a scan: its row groups left after statistics pruning and which
  // of its rows newer versions supersede (shared by Scan and ScanColumns).
  struct FileScan {
    std::shared_ptr<parquet::FileReader> reader;
    std::vector<int> keep;            // row groups to read
    std::vector<size_t> first_row;    // file row ordinal of each row group's first row
    const std::vector<bool>* shadowed = nullptr;
    const std::map<std::string, storage::StoredRow, std::less<>>* mem = nullptr;  // non-empty
    // Whether row i of row group rg (with $id `id`) is superseded by a newer version.
    bool Hidden(int rg, size_t i, std::string_view id) const;
    bool MayHide() const { return shadowed != nullptr || mem != nullptr; }
  };
  Result<FileScan> OpenFileScan(const Table& t, const ReadView& view, const ShadowMap& shadows,
                                size_t fi, const query::Filter& filter);
  // ---- columnar execution (db_exec.cc) ----
  // Calls fn with batches (columns = `fields`, top-level names) of every live row of
  // `t` in `view` matching `filter` whose $id is not in *exclude: first the
  // memtable's rows, then per data file and row group. NotSupported when a field or
  // the filter is beyond the engine (the caller falls back to the row path).
  Status ScanColumns(const Table& t, const ReadView& view, const query::Filter& filter,
                     const std::vector<std::string>& fields,
                     const std::set<std::string, std::less<>>* exclude,
                     const std::function<Status(const exec::Batch&)>& fn);
  // Full refresh of an aggregated view through src/exec; NotSupported when its
  // pipeline is beyond it (FullRebuildLocked then uses the row path).
  Result<std::unique_ptr<views::ViewMaintainer>> ExecRebuildLocked(ViewRt* v, Staged* staged);
  // The $id column of a row group (sorted), cached (bounded by kIdCacheIds ids).
  Result<std::shared_ptr<const std::vector<std::string>>> RowGroupIds(
      const storage::DataFile& f, parquet::FileReader& reader, int rg, int id_leaf);
  // Every column chunk of a row group, cached (a few row groups): point lookups of
  // flushed rows decode one row from them instead of re-reading the row group.
  Result<std::shared_ptr<const std::vector<parquet::ColumnVector>>> RowGroupColumns(
      const storage::DataFile& f, parquet::FileReader& reader, int rg);
  // A cached decoded row group, or null (does not read or fill the cache).
  std::shared_ptr<const std::vector<storage::StoredRow>> CachedRowGroup(
      const storage::DataFile& f, int rg);
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
  std::unique_ptr<log::Log> log_;
  std::unique_ptr<storage::NativeStore> store_;
  std::string table_format_ = "native";     // effective format (db_lake.cc)
  std::unique_ptr<lake::LakeMirror> lake_;  // null while nothing is mirrored
  // Tables never die before the DB: dropped views move to dropped_tables_.
  std::map<std::string, std::unique_ptr<Table>, std::less<>> tables_;
  std::vector<std::unique_ptr<Table>> dropped_tables_;
  mutable std::shared_mutex schema_mu_;  // guards tables_ / views_ map structure
  std::atomic<const catalog::Catalog*> catalog_{nullptr};
  std::vector<std::unique_ptr<catalog::Catalog>> catalogs_;  // write_mu_
  std::map<std::string, std::unique_ptr<ViewRt>, std::less<>> views_;
  std::vector<std::unique_ptr<ViewRt>> dropped_views_;
  std::vector<ViewRt*> views_order_;  // topological (write_mu_)
  // Last logged change per collection/view: {seq, timestamp} (write_mu_).
  std::map<std::string, std::pair<uint64_t, int64_t>, std::less<>> last_change_;
  std::unique_ptr<views::Scheduler> scheduler_;
  // Reverse-relation index for the views' $expand of "<- T[]" relations:
  // (collection, field) -> string value -> $ids whose field equals/contains it, over the
  // APPLIED state (guarded by mu_; maintained by ApplyCommitted). FindByField adds the
  // overlay's and the batch's ids, so a lookup costs O(matches), not O(table).
  std::map<std::pair<std::string, std::string>,
           std::unordered_map<std::string, std::set<std::string>>>
      rev_index_;
  // Builds the missing reverse indexes `spec` looks up by (write_mu_ held).
  Status EnsureReverseIndexesLocked(const views::ViewSpec& spec);
  // Updates rev_index_ for one applied event (mu_ held exclusively).
  void IndexAppliedEvent(const ChangeEvent& e);
  // Recovery: the checkpoint's view states and the events replayed after it.
  struct Checkpoint {
    bool loaded = false;
    uint64_t state_seq = 0;
    std::map<std::string, std::pair<Value, std::string>> views;  // lineage, maintainer
  };
  Checkpoint checkpoint_;
  std::vector<ChangeEvent> recovered_events_;

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
  // (table, manifest version, files) -> shadow map; a few recent ones.
  std::list<std::pair<std::string, std::shared_ptr<const ShadowMap>>> shadow_cache_;
  static constexpr size_t kIdCacheIds = 4 << 20;
  std::list<std::pair<std::string, std::shared_ptr<const std::vector<std::string>>>> id_cache_;
  size_t id_cache_ids_ = 0;
  static constexpr size_t kColumnCacheGroups = 4;
  std::list<std::pair<std::string, std::shared_ptr<const std::vector<parquet::ColumnVector>>>>
      col_cache_;  // most recent first
};

}  // namespace parquedb::db
