// Stream collections: ingestion of external payloads (Cloudflare Tail Worker items,
// AI SDK request/generation records, evalite runs/scores) into the built-in stream
// collections, runtime adapters, and a stream processor with exactly-once commits.
//
//   auto r = parquedb::stream::Ingest(db.get(), "TailEvents", tail_items_json, {});
//   if (!r.ok()) ...                      // unparseable input or a database error
//   if (!r->rejected.empty()) ...         // nothing written (unless options.partial)
//
// Payload kinds are chosen by the collection's `$ingest` directive: "tail" (TailItem),
// "ai-sdk" (AIRequest or Generation by `$type`), "evalite" (EvalRun or EvalScore); a
// collection without `$ingest` takes its documents as they are.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "parquedb/db.h"
#include "parquedb/env.h"
#include "parquedb/status.h"
#include "parquedb/value.h"

namespace parquedb::stream {

// ---- payload mapping --------------------------------------------------------------

// One rejected input item: its 0-based position in the input, the offending field
// path ("" for the item as a whole) and why.
struct IngestError {
  size_t index = 0;
  std::string field;
  std::string reason;
  std::string ToString() const;  // "item 3: event.request.url: expected a string"
  Value ToJson() const;          // {"index", "field", "error"}
};

struct IngestOptions {
  // false: any malformed item rejects the whole input and nothing is written.
  // true: good items are stored, bad ones reported.
  bool partial = false;
  // Extra operations committed in the same atomic write batch as the items (even when
  // every item was rejected in partial mode). Not owned; may be null.
  const WriteBatch* extra_ops = nullptr;
};

struct IngestResult {
  int64_t accepted = 0;               // documents written
  std::vector<std::string> ids;       // their $id, in input order
  std::vector<IngestError> rejected;  // sorted by index
  Value ToJson() const;               // {"accepted", "rejected": [...]}
};

// Maps payload items of one shape into documents of one collection.
class PayloadMapper {
 public:
  // The mapper for `collection` of `db`, chosen by its $ingest/$type. NotFound if the
  // collection does not exist.
  static Result<PayloadMapper> ForCollection(const DB& db, std::string_view collection);
  // ingest: "tail" | "ai-sdk" | "evalite" | "" (as is); type_name: the collection's $type.
  static PayloadMapper ForKind(std::string_view ingest, std::string_view type_name);

  // Maps one item. On a malformed item returns false and fills error->field/reason.
  bool Map(const Value& item, Value* doc, IngestError* error) const;
  std::string_view kind() const { return kind_; }

 private:
  enum class Shape { kPlain, kTail, kAIRequest, kGeneration, kEvalRun, kEvalScore };
  Shape shape_ = Shape::kPlain;
  std::string kind_;
};

// A TailItem of a Cloudflare Tail Worker ({scriptName, outcome, eventTimestamp (ms
// epoch, or `timestamp`), event: {request: {url, method, headers, cf}, response:
// {status}}, logs: [{level, message[], timestamp}], exceptions: [{name, message,
// timestamp}]}) as a TailEvents document. Millisecond timestamps become timestamps;
// both eventTimestamp and timestamp are set. Returns false with *error on bad items.
bool MapTailItem(const Value& item, Value* doc, IngestError* error);

// Parses an input text: a JSON array of items, a single JSON object, or NDJSON (one
// object per line, blank lines skipped). InvalidArgument naming line and column.
Result<std::vector<Value>> ParsePayload(std::string_view text);

// Parses one JSON value; InvalidArgument "invalid JSON at line L, column C: ...".
Result<Value> ParseJsonDocument(std::string_view text);

// Maps and writes `items` into `collection` atomically (see IngestOptions). Database
// validation errors are reported per item like mapping errors. Fails (Status) only
// for an unknown collection or a database error other than validation.
Result<IngestResult> Ingest(DB* db, std::string_view collection, const std::vector<Value>& items,
                            const IngestOptions& options = {});
// `payload`: an array of items or a single item.
Result<IngestResult> Ingest(DB* db, std::string_view collection, const Value& payload,
                            const IngestOptions& options = {});
// `text`: see ParsePayload.
Result<IngestResult> IngestText(DB* db, std::string_view collection, std::string_view text,
                                const IngestOptions& options = {});

// ---- source positions ---------------------------------------------------------------

// The system collection holding each stream source's committed position:
//   {"$id": <adapter name>, "source", "collection", "position", "records"}.
// Names starting with '_' are system collections (tools hide them from listings).
inline constexpr std::string_view kStreamOffsetsCollection = "_stream_offsets";
// Its schema entry.
Value StreamOffsetsDefinition();
// `schema` with the _stream_offsets collection added if missing.
Value WithStreamOffsets(const Value& schema);
// Opens the existing database at options.path, adding _stream_offsets to its schema
// when missing (an additive schema change).
Result<std::unique_ptr<DB>> OpenWithStreamOffsets(const Options& options);
// The committed position of `source`, or nullopt if none.
Result<std::optional<std::string>> CommittedPosition(DB* db, std::string_view source);

// ---- adapters --------------------------------------------------------------------------

// One item read from a source. `position` is the source position just after it: a
// source reopened at that position continues with the next item. A record that could
// not be parsed carries the error and a null payload.
struct StreamRecord {
  Value payload;
  std::string position;
  Status error;
};

struct PollBatch {
  std::vector<StreamRecord> records;
  bool end = false;  // the source is exhausted (no more records will come)
};

// A source of payload items. Used by one thread (the processor) except where noted.
class StreamAdapter {
 public:
  virtual ~StreamAdapter() = default;
  // Identifies the source (its committed position is stored under this name).
  virtual std::string name() const = 0;
  // Whether Seek can resume from a committed position. A non-resumable source (push,
  // stdin) delivers at most once across restarts: items in flight are lost on a crash.
  virtual bool resumable() const = 0;
  // Continues after `position` (a StreamRecord::position of this source).
  virtual Status Seek(std::string_view position) = 0;
  // Up to `max_records` available now; waits up to `wait_micros` (real time) for the
  // first only where the source can block (push, stdin); otherwise returns at once.
  virtual Result<PollBatch> Poll(size_t max_records, int64_t wait_micros) = 0;
  // Wakes a blocked Poll (any thread).
  virtual void Interrupt() {}
};

// Push: the application calls Push from any thread. The queue is bounded: Push blocks
// while it is full (back-pressure) and TryPush returns Busy instead. Not resumable.
class PushAdapter : public StreamAdapter {
 public:
  explicit PushAdapter(std::string name, size_t capacity = 1024);
  // Aborted once Close()d.
  Status Push(Value payload);
  Status TryPush(Value payload);
  // End of stream: Poll drains what is queued, then reports end. Wakes blocked pushers.
  void Close();
  size_t queued() const;

  std::string name() const override { return name_; }
  bool resumable() const override { return false; }
  Status Seek(std::string_view position) override;
  Result<PollBatch> Poll(size_t max_records, int64_t wait_micros) override;
  void Interrupt() override;

 private:
  const std::string name_;
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<Value> queue_;
  uint64_t pushed_ = 0, taken_ = 0;
  bool closed_ = false, interrupted_ = false;
};

// Pull from a generator: next() returns the next item, nullopt at the end. Positions
// count items; Seek(n) skips n items, so resuming needs a deterministic generator.
class IteratorAdapter : public StreamAdapter {
 public:
  using Generator = std::function<Result<std::optional<Value>>()>;
  IteratorAdapter(std::string name, Generator next);
  std::string name() const override { return name_; }
  bool resumable() const override { return true; }
  Status Seek(std::string_view position) override;
  Result<PollBatch> Poll(size_t max_records, int64_t wait_micros) override;

 private:
  const std::string name_;
  Generator next_;
  uint64_t count_ = 0;
  bool end_ = false;
};

// Polling: calls fetch(cursor) at most once per interval (by `clock`). fetch must be
// repeatable for a cursor (same items for the same cursor) for resuming; it returns
// the items after the cursor and the cursor after them. Positions are
// "<cursor>#<items of that fetch consumed>".
class PollAdapter : public StreamAdapter {
 public:
  struct FetchResult {
    std::vector<Value> items;
    std::string next_cursor;
    bool end = false;  // no more items ever
  };
  using Fetch = std::function<Result<FetchResult>(const std::string& cursor)>;
  PollAdapter(std::string name, Fetch fetch, int64_t interval_ms, Clock* clock = nullptr,
              std::string initial_cursor = "");
  std::string name() const override { return name_; }
  bool resumable() const override { return true; }
  Status Seek(std::string_view position) override;
  Result<PollBatch> Poll(size_t max_records, int64_t wait_micros) override;
  // Micros of `clock` at which the next fetch is due.
  int64_t next_fetch_micros() const { return next_due_; }

 private:
  const std::string name_;
  Fetch fetch_;
  const int64_t interval_micros_;
  Clock* clock_;
  std::string cursor_;               // cursor of the fetch being consumed
  std::vector<Value> pending_;       // items of that fetch
  size_t consumed_ = 0;              // of pending_ (also: items to skip after Seek)
  std::string next_cursor_;
  bool have_fetch_ = false, fetch_end_ = false;
  int64_t next_due_ = 0;
};

// NDJSON from a file (positions are byte offsets) or from a file descriptor such as
// stdin (not resumable). follow: like `tail -f`, waits for appended lines; a last line
// without '\n' is held until it is completed (without follow it ends the input). A file
// that shrinks below the position is read again from its start (truncated/rotated).
class NdjsonAdapter : public StreamAdapter {
 public:
  // `path` "-" reads standard input.
  static Result<std::unique_ptr<NdjsonAdapter>> Open(const std::string& path, bool follow);
  ~NdjsonAdapter() override;
  std::string name() const override { return name_; }
  bool resumable() const override { return !is_pipe_; }
  Status Seek(std::string_view position) override;
  Result<PollBatch> Poll(size_t max_records, int64_t wait_micros) override;
  void Interrupt() override;
  uint64_t offset() const { return offset_; }

 private:
  NdjsonAdapter() = default;
  Status ReadMore(bool* got, int64_t wait_micros);

  std::string name_, path_;
  int fd_ = -1;
  int wake_[2] = {-1, -1};  // self-pipe for Interrupt
  bool follow_ = false, is_pipe_ = false, eof_ = false;
  uint64_t offset_ = 0;      // position after the last consumed line
  uint64_t read_pos_ = 0;    // file offset of buf_ end
  uint64_t line_no_ = 0;
  std::string buf_;          // bytes from offset_ not yet consumed
};

// ---- processor ----------------------------------------------------------------------------

struct StreamProcessorOptions {
  std::string collection;             // target stream collection
  StreamAdapter* adapter = nullptr;   // not owned; outlives the processor
  // Views refreshed (DB::RefreshView) after each committed batch, e.g. manual views.
  std::vector<std::string> views;
  size_t batch_size = 100;            // commit once this many records are pending
  int64_t flush_interval_ms = 5000;   // ... or when the oldest pending one is this old
  // true: malformed records are reported (on_batch) and skipped; false: the processor
  // stops with an error at the first one (its batch is not committed).
  bool partial = true;
  Clock* clock = nullptr;              // nullptr: Clock::Default()
  int64_t idle_wait_ms = 50;           // background thread: wait when the source is idle
};

struct BatchReport {
  int64_t accepted = 0;
  std::vector<IngestError> rejected;  // index: position in this batch
  std::string position;               // committed source position
};

// Moves records from an adapter into a collection in batches. Each batch's documents
// and the adapter's position (in _stream_offsets, which the database must have: see
// OpenWithStreamOffsets) are committed in one atomic write batch, and Create resumes
// after the committed position, so a resumable source is ingested exactly once across
// crashes and restarts.
class StreamProcessor {
 public:
  static Result<std::unique_ptr<StreamProcessor>> Create(DB* db, StreamProcessorOptions options);
  ~StreamProcessor();  // Stop()s

  // Runs Step() on a background thread until the source ends, Stop() or an error.
  Status Start();
  // Stops the thread, takes in what the source has ready (without waiting), commits
  // it, and returns the first error (if any). The destructor Stop()s.
  Status Stop();
  // Blocks until the background thread finished (source ended or error); its status.
  Status Wait();
  // Whether the background thread is still running (false once the source ended or
  // an error stopped it).
  bool running() const;

  // One step (synchronous; not while Start()ed): polls the adapter (without waiting),
  // commits when the batch is full, the flush interval passed, or the source ended.
  // Returns whether the source has ended and everything is committed.
  Result<bool> Step();
  // Step()s until the source ends (for finite sources).
  Status Drain();
  // Commits pending records now.
  Status Flush();

  void set_on_batch(std::function<void(const BatchReport&)> fn) { on_batch_ = std::move(fn); }
  int64_t accepted() const { return accepted_.load(); }
  int64_t rejected() const { return rejected_.load(); }
  int64_t batches() const { return batches_.load(); }
  size_t pending() const { return pending_.size(); }
  const std::optional<std::string>& committed_position() const { return committed_; }

 private:
  StreamProcessor(DB* db, StreamProcessorOptions options);
  Result<bool> StepWithWait(int64_t wait_micros);
  void Run();

  DB* db_;
  StreamProcessorOptions options_;
  Clock* clock_;
  std::vector<StreamRecord> pending_;
  int64_t first_pending_micros_ = 0;
  bool source_ended_ = false;
  std::optional<std::string> committed_;
  bool offset_doc_exists_ = false;
  std::function<void(const BatchReport&)> on_batch_;
  std::atomic<int64_t> accepted_{0}, rejected_{0}, batches_{0};
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool running_ = false;
  Status thread_status_;
};

}  // namespace parquedb::stream
