// DB: an embedded document database storing collections as Parquet files, with a
// durable CDC log, time travel, and materialized views.
//
//   auto db = parquedb::DB::Open(options, schema);   // schema: the IceType JSON object
//   db.value()->Insert("Order", order_doc);
//   auto paid = db.value()->Find("Order", filter, {.sort = ..., .limit = 10});
//
// Every write is appended to the checksummed CDC log (fsynced, group-committed)
// before it is acknowledged, then applied in memory; Flush() moves it into Parquet
// data files committed atomically. A DB is thread-safe: writes are serialized,
// reads run concurrently with them. Only one process may open a directory (Busy).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parquedb/env.h"
#include "parquedb/status.h"
#include "parquedb/value.h"

namespace parquedb {

// Progress of a long-running call, reported through Options::progress.
struct Progress {
  std::string_view operation;  // "write", "flush", "compact", "vacuum" or "refresh"
  std::string_view target;     // the collection or view worked on; "" for the database
  std::string_view unit;       // what done/total count: "documents", "rows" or "files"
  int64_t done = 0;
  // -1: unknown. For "refresh" an estimate from the source's data files (superseded
  // versions included), so the last report of a refresh sets total = done.
  int64_t total = -1;
  int64_t removed = -1;  // "vacuum": files deleted so far (-1 elsewhere)
};
using ProgressFn = std::function<void(const Progress&)>;

struct Options {
  // Database directory (created if missing).
  std::string path = "./data";
  Env* env = nullptr;      // nullptr: Env::Default()
  Clock* clock = nullptr;  // nullptr: Clock::Default()
  // fsync the log before acknowledging each write (concurrent writers share fsyncs).
  bool sync = true;
  // Flush to Parquet automatically once this many writes are unflushed (0: never).
  uint64_t auto_flush_events = 100000;
  // Compact a collection automatically once it has this many data files (0: never).
  size_t auto_compact_files = 8;
  // Rows per Parquet row group in data files.
  int64_t row_group_rows = 128 * 1024;
  // Size past which the CDC log starts a new segment file (Vacuum drops whole
  // segments, so smaller segments release log history sooner).
  uint64_t log_segment_bytes = 64ull << 20;
  // Table format of the collections, next to the native store (which stays the
  // source of truth for recovery, time travel and the change log):
  //   "native"  - Parquet data files + native manifests only;
  //   "iceberg" - also an Apache Iceberg v2 table per collection under
  //               <path>/iceberg/<Collection> (metadata/vN.metadata.json,
  //               version-hint.text, Avro manifests), committed at every flush;
  //   "delta"   - also a Delta Lake table per collection under <path>/delta/<Collection>.
  // "" keeps the format recorded in the directory (<path>/TABLE_FORMAT; native
  // when none). Choosing iceberg/delta for an existing native database converts it
  // (the tables are filled on open); a format that conflicts with the recorded one
  // is InvalidArgument. A view's $refresh.backend overrides it for that view.
  std::string table_format;
  // Run scheduled view refreshes on a background thread (driven by `clock`). When
  // false, call DB::RunDueRefreshes() yourself (tests use a ManualClock this way).
  bool run_scheduler = true;
  // Called during long operations: Write/InsertMany of many documents (every 4096
  // validated), Flush and Compact (per row group written), Vacuum (per 64 files
  // examined) and full view refreshes (every 4096 source rows), each ending with a
  // report of done == total. Runs on the thread doing the work with the database's
  // internal locks held: keep it fast and never call back into the DB. Empty (the
  // default): nothing is reported and nothing is counted.
  ProgressFn progress;
};

struct FindOptions {
  Value sort;          // {"field": 1 | -1, ...}; null: by $id
  int64_t limit = -1;  // -1: no limit
  int64_t skip = 0;
  Value project;                 // {"a": 1, "b": 1} (keep) or {"a": 0} (drop); null: all
  std::optional<int64_t> as_of;  // micros since epoch: the state at that instant
  // Relations to inline, e.g. {"customer", "items.product"}.
  std::vector<std::string> include;
};

enum class ChangeOp : uint8_t { kCreate, kUpdate, kDelete };
std::string_view ChangeOpName(ChangeOp op);  // "CREATE", "UPDATE", "DELETE"

// One committed change, as delivered to subscribers and stored in the CDC log.
struct ChangeEvent {
  uint64_t seq = 0;
  int64_t timestamp = 0;  // commit time, micros
  ChangeOp op = ChangeOp::kCreate;
  std::string collection;
  std::string id;
  Value before;  // null for CREATE
  Value after;   // null for DELETE
};

// Several writes committed atomically, as one CDC batch.
class WriteBatch {
 public:
  void Insert(std::string collection, Value doc);
  void Update(std::string collection, std::string id, Value update);
  void Delete(std::string collection, std::string id);
  size_t size() const { return ops_.size(); }
  void Clear() { ops_.clear(); }

  struct Op {
    ChangeOp op;
    std::string collection;
    std::string id;
    Value value;
  };
  const std::vector<Op>& ops() const { return ops_; }

 private:
  std::vector<Op> ops_;
};

struct RefreshViewOptions {
  bool full = false;  // recompute from the sources instead of applying changes
};

// What DB::GetViewState reports about one materialized view.
struct ViewState {
  std::string name;
  std::string type_name;  // $type
  std::string source;     // $from
  std::string mode;       // "streaming" | "scheduled" | "manual"
  // "fresh": reflects every source change; "stale": a source moved on since the
  // last refresh; "invalid": the definition changed (or the last refresh failed)
  // and a full refresh is needed before reads.
  std::string state;
  std::optional<int64_t> last_refresh;  // micros
  std::optional<int64_t> stale_since;   // micros: first source change not reflected
  std::optional<int64_t> next_refresh;  // scheduled views: next cron fire time
  // Source name -> the source's sequence/snapshot the view reflects.
  std::map<std::string, uint64_t> source_snapshots;
  // Source name -> the sequence of the source's latest committed change now; a
  // source whose entry is ahead of source_snapshots is what the view lags behind.
  std::map<std::string, uint64_t> source_sequences;
  bool incremental = false;  // whether the last refresh applied changes only
  std::string reason;        // why it was not incremental / why stale or invalid
  int64_t rows = 0;
  uint64_t definition_version = 0;  // hash of the normalized definition
  bool within_grace_period = false;  // stale but still served (gracePeriod)
  std::string last_error;            // empty unless the last refresh failed
  // {"name", "state", "lastRefresh", "staleSince", "sourceSnapshots",
  //  "sourceSequences", "incremental", "reason", ...} with ISO-8601 timestamps.
  Value ToJson() const;
};

// Validates a standalone view definition (`{"$from": ..., ...}`) for use in a schema
// or with DB::RegisterView; returns it normalized. Only its shape is checked here
// (directive names and value types, cron text); sources are resolved on registration.
Result<Value> DefineView(const Value& definition);

// A pull subscription to the change stream. One thread at a time.
class ChangeStream {
 public:
  virtual ~ChangeStream() = default;
  // Returns the next committed events (whole write batches, in order, no gaps),
  // waiting up to `wait_micros` for some to arrive. Empty on timeout.
  virtual Result<std::vector<ChangeEvent>> Next(size_t max_events, int64_t wait_micros) = 0;
  // Sequence number of the next event this stream will return.
  virtual uint64_t next_seq() const = 0;
};

class DB {
 public:
  // Opens the database at options.path with `schema` (the IceType schema object).
  // A new directory is initialized with it; an existing one must hold the same
  // schema unless it only adds collections or views (InvalidArgument otherwise).
  static Result<std::unique_ptr<DB>> Open(const Options& options, const Value& schema);
  // Opens an existing database with the schema stored in it. NotFound if none.
  static Result<std::unique_ptr<DB>> Open(const Options& options);

  virtual ~DB() = default;

  // The schema as stored (normalized JSON object).
  virtual Value schema() const = 0;
  // Collection names (including stream collections), in schema order.
  virtual std::vector<std::string> Collections() const = 0;

  // Validates `doc` against the collection's schema, assigns $id (unless given),
  // createdAt, updatedAt and version, and stores it. Returns the stored document.
  // InvalidArgument naming the field for bad documents; AlreadyExists for a
  // duplicate $id.
  virtual Result<Value> Insert(std::string_view collection, const Value& doc) = 0;
  // Inserts all documents atomically: if any is invalid, none is written.
  virtual Result<std::vector<Value>> InsertMany(std::string_view collection,
                                                const std::vector<Value>& docs) = 0;
  // Applies `update` ({"$set": {...}, "$unset": {...}, "$inc": {...}, "$push": {...}}
  // or a plain object, which means $set) and re-validates. NotFound if absent.
  virtual Result<Value> Update(std::string_view collection, std::string_view id,
                               const Value& update) = 0;
  // Deletes a document. NotFound if absent.
  virtual Status Delete(std::string_view collection, std::string_view id) = 0;
  // Commits every operation of `batch` atomically (all or nothing). Fills
  // *results (if non-null) with the resulting documents (null for deletes).
  virtual Status Write(const WriteBatch& batch, std::vector<Value>* results) = 0;

  // The document with this $id (at options.as_of if given). NotFound if absent.
  virtual Result<Value> Get(std::string_view collection, std::string_view id,
                            std::optional<int64_t> as_of = std::nullopt) = 0;
  // Documents of a collection matching `filter` (Mongo-style, see DESIGN.md).
  virtual Result<std::vector<Value>> Find(std::string_view collection, const Value& filter,
                                          const FindOptions& options = {}) = 0;
  virtual Result<int64_t> Count(std::string_view collection, const Value& filter,
                                std::optional<int64_t> as_of = std::nullopt) = 0;

  // GROUP BY on the columnar engine (src/exec; what SQL aggregates run on): the live
  // documents of a collection matching `filter` (as Find), grouped by top-level
  // fields, optionally truncated to a UTC time bucket (the bucket's start timestamp,
  // as SQL date_trunc), with per group: count of rows (call field ""), count of
  // non-null values, sum (exact for ints - int64, else a scale-0 decimal - and
  // decimals; doubles summed in scan order; null without values), min, max.
  // NotSupported (nothing read on the caller's behalf matters) when the engine
  // cannot answer: views, variant/array/nested fields, doubles as keys, sums over
  // non-numbers, a field whose kind differs between data files.
  struct AggregateRequest {
    Value filter;  // null or {}: every document
    struct Key {
      std::string field;
      std::string bucket;  // "" or minute, hour, day, week (ISO), month, year
    };
    std::vector<Key> group_by;
    struct Call {
      std::string op;     // "count", "sum", "min", "max"
      std::string field;  // "" with "count": rows
    };
    std::vector<Call> aggregates;
    std::optional<int64_t> as_of;
    bool check_only = false;  // only check that the engine applies (no scan)
  };
  struct AggregateRow {
    std::vector<Value> keys;    // per group_by entry
    std::vector<Value> values;  // per aggregates entry
  };
  // Groups in no particular order; with no group_by exactly one row.
  virtual Result<std::vector<AggregateRow>> Aggregate(std::string_view collection,
                                                      const AggregateRequest& request) = 0;
  // Column scan (same engine): the live documents matching `filter` (as Find), each
  // holding only `fields` (top-level; null values left out) and "$id". Only those
  // columns and the filter's are decoded; documents are built for matches only.
  // Collections and views with a columnar layout (olap, both). NotSupported when a
  // field is not a typed scalar column or the filter is beyond flat columns.
  struct ColumnsRequest {
    Value filter;  // null or {}: every document
    std::vector<std::string> fields;
    std::optional<int64_t> as_of;
    bool check_only = false;  // only check that the engine applies (no scan)
  };
  virtual Result<std::vector<Value>> FindColumns(std::string_view collection,
                                                 const ColumnsRequest& request) = 0;

  // Writes every unflushed change into Parquet data files and commits them.
  virtual Status Flush() = 0;
  // Flushes, then rewrites each collection's data files into one per collection
  // (dropping deleted and superseded versions). History stays readable via as_of.
  virtual Status Compact() = 0;
  // Drops history older than `retention_micros` before now: older snapshots and
  // log segments no longer needed. as_of before the new horizon fails afterwards.
  virtual Status Vacuum(int64_t retention_micros) = 0;
  // Oldest instant as_of can still reach (micros).
  virtual int64_t HistoryHorizon() const = 0;

  // Sequence number of the last committed change (0 if none).
  virtual uint64_t LastSequence() const = 0;
  // Committed changes with seq >= from_seq (whole batches, up to ~max_events).
  // NotFound if from_seq is older than the retained log.
  virtual Result<std::vector<ChangeEvent>> ReadChanges(uint64_t from_seq, size_t max_events) = 0;
  // A pull subscription starting at from_seq (LastSequence()+1 for "new only").
  virtual Result<std::unique_ptr<ChangeStream>> Subscribe(uint64_t from_seq) = 0;

  // Push subscription: `listener` runs synchronously after each committed write
  // batch, in commit order, before the write returns; it must not call back into
  // the DB's write methods. Returns an id for RemoveListener.
  using ChangeListener = std::function<void(const std::vector<ChangeEvent>&)>;
  virtual uint64_t AddListener(ChangeListener listener) = 0;
  virtual void RemoveListener(uint64_t id) = 0;

  // ---- Materialized views ----
  // Views are declared in the schema (entries with "$from") or registered here; they
  // are read like collections: Get/Find/Count take a view's name or its $type.
  // Registers a view and builds it (a full refresh). InvalidArgument for a bad
  // definition (unknown source, cycle, bad cron, ...); AlreadyExists for a taken name.
  virtual Status RegisterView(std::string_view name, const Value& definition) = 0;
  // Drops a view and its data. FailedPrecondition if another view reads it.
  virtual Status DropView(std::string_view name) = 0;
  // Replaces the given top-level directives (e.g. {"$refresh": {...}}); a change
  // that alters the rows makes the view invalid until refreshed (done here).
  virtual Status AlterView(std::string_view name, const Value& changes) = 0;
  virtual std::vector<ViewState> ListViews() = 0;
  virtual Result<ViewState> GetViewState(std::string_view name) = 0;
  // Brings the view up to date with its sources (incrementally unless options.full
  // or impossible), then its dependent streaming views, in topological order.
  virtual Status RefreshView(std::string_view name, const RefreshViewOptions& options = {}) = 0;
  // Drops the view's snapshots older than `retention_micros` before now.
  virtual Status VacuumView(std::string_view name, int64_t retention_micros) = 0;
  // Runs the scheduled refreshes that are due by the clock (collapsing missed runs).
  virtual Status RunDueRefreshes() = 0;
};

}  // namespace parquedb
