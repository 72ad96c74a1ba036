// Log: the durable, checksummed, segmented CDC log. Stores opaque payloads; assigns
// each one a sequence number (1, 2, 3, ... never reused for a valid record) and a
// commit timestamp. Format: see log/log_format.h.
//
// Writing: Append(batch, sync) writes a batch atomically (after a crash it is present
// whole or not at all) and returns its first seq. Concurrent Append/Sync calls are
// group-committed: the first queued writer (the leader) writes every queued batch in
// one write and one fdatasync, then wakes the others; each caller returns only when
// its own batch is written (and durable, if it or anyone in its group asked for sync).
// After any write/sync error the log refuses further writes (the error is sticky):
// reopen it to recover.
//
// Visibility: a batch becomes visible to readers (Read/ReadBatch/WaitForSeq/
// Subscription/LogReader) when its Append would return OK, i.e. after the write (and
// the sync, for sync groups). Batches appended with sync=false are visible before
// they are durable; consumers that persist derived state can bound themselves with
// LastDurableSeq(). Readers always receive whole batches, in order, without gaps.
//
// Recovery (Open): every segment is scanned and every record verified. In the LAST
// segment, the first torn/unverifiable record or incomplete batch is where the log
// ends: the file is truncated there (recovery_info() reports the bytes dropped). A bad
// record or a sequence gap anywhere else, or a record with a valid checksum but an
// unexpected sequence number or header, is Corruption, unless options.paranoid is
// false: then the log ends at the last whole batch before the damage, the damaged
// segment is truncated, later segments are renamed to "<name>.corrupt", and sequence
// numbers after that point WILL be reused (that data is treated as lost).
//
// Crash safety relies on: fdatasync of the active segment per sync group; a new
// segment is created only after the previous one is synced, and its directory entry
// is synced before use; retention removes oldest segments first, then syncs the dir.
//
// All file access goes through options.env. Thread-safety: every Log method is
// thread-safe. A Subscription or LogReader is for one thread at a time and must not
// outlive its Log.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "log/log_format.h"
#include "parquedb/env.h"
#include "parquedb/status.h"

namespace parquedb::log {

struct LogOptions {
  Env* env = nullptr;      // nullptr: Env::Default()
  Clock* clock = nullptr;  // nullptr: Clock::Default(); timestamps and wait deadlines
  // A new segment is started before a batch that would grow the current, non-empty
  // segment past this size. A batch bigger than this gets a segment of its own.
  uint64_t segment_size = 64ull << 20;
  // See "Recovery" above.
  bool paranoid = true;
};

// What Open() found and repaired.
struct RecoveryInfo {
  uint64_t segments = 0;  // segments kept
  uint64_t records = 0;   // valid records in them
  uint64_t batches = 0;
  uint64_t tail_bytes_dropped = 0;  // torn tail cut from the last segment
  std::string tail_reason;          // why ("" when the log ended cleanly)
  // Records with a valid checksum found beyond the tear. Non-zero means the tear was
  // probably not a torn write but damage in front of real data; callers may warn.
  uint64_t tail_valid_records_dropped = 0;
  uint64_t segments_dropped = 0;  // paranoid=false only: segments set aside
};

struct LogStats {
  uint64_t groups = 0;   // leader write rounds
  uint64_t batches = 0;  // Append calls committed
  uint64_t syncs = 0;    // fdatasyncs issued (group commits and segment rolls)
};

// A read position. Start one with `next_seq` set; Log::Read keeps the rest up to date
// so repeated reads do not seek again. Plain data, owned by the caller.
struct LogCursor {
  uint64_t next_seq = 1;
  // Internal: a record boundary at or before next_seq in segment `segment`.
  bool positioned = false;
  uint64_t segment = 0;
  uint64_t offset = 0;
};

class Subscription;

class Log {
 public:
  // Opens (creating if needed) the log in `dir` and recovers it. Takes the lock file
  // "<dir>/LOCK": Busy if another Log has it open. Errors: Corruption (see above),
  // IOError, Busy.
  static Result<std::unique_ptr<Log>> Open(const std::string& dir, const LogOptions& options);

  // Closes (see Close()); errors are ignored.
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // Appends `payloads` as one atomic batch and returns the seq of its first record
  // (the rest follow consecutively). With sync=true, returns after the batch is
  // durable. InvalidArgument for an empty batch or a payload over kMaxPayloadSize;
  // Aborted after Close(); the sticky error after a failed write.
  Result<uint64_t> Append(std::vector<std::string> payloads, bool sync);

  // Makes every batch appended so far durable (joins the group-commit queue).
  Status Sync();

  // Waits for queued writers, syncs anything unsynced, closes the active segment.
  // Later Appends fail with Aborted; reads keep working. Idempotent.
  Status Close();

  // Oldest retained seq (equals LastSeq() + 1 when the log is empty).
  uint64_t FirstSeq() const;
  // Last visible (committed) seq; 0 if nothing was ever written.
  uint64_t LastSeq() const;
  // Last seq known to be durable.
  uint64_t LastDurableSeq() const;

  const RecoveryInfo& recovery_info() const { return recovery_; }
  LogStats stats() const;
  // Writers waiting in the group-commit queue, including the one writing. For tests
  // and metrics.
  size_t QueuedWriters() const;
  // First seq of every live segment, oldest first (tests, tooling).
  std::vector<uint64_t> SegmentFirstSeqs() const;

  // Reads visible records starting at cursor->next_seq: whole batches, in order,
  // stopping after the batch that brings the count to >= max_records (so a result can
  // exceed max_records by less than one batch; it holds at least one batch whenever
  // one is visible). If next_seq is inside a batch, the rest of that batch comes
  // first. Empty when nothing is visible yet. Advances the cursor. NotFound if
  // next_seq was dropped by retention; Corruption if a record fails verification.
  Result<std::vector<Record>> Read(LogCursor* cursor, size_t max_records);
  // Stateless form of Read().
  Result<std::vector<Record>> ReadBatch(uint64_t from_seq, size_t max_records);

  // Blocks until LastSeq() >= seq (true), or the clock passes deadline_micros or the
  // log is closed (false). The deadline is checked against options.clock at least
  // every 10 ms of real time, so a ManualClock advanced by another thread works.
  bool WaitForSeq(uint64_t seq, int64_t deadline_micros);

  // A pull subscription delivering every batch from `from_seq` on.
  std::unique_ptr<Subscription> Subscribe(uint64_t from_seq);

  // Retention: deletes the segments all of whose records have seq < `seq` (never the
  // active segment), oldest first, then syncs the directory. Reads below the new
  // FirstSeq() get NotFound.
  Status DropSegmentsBefore(uint64_t seq);

  Clock* clock() const { return clock_; }

 private:
  struct Writer;
  struct Segment {
    uint64_t first_seq = 0;
    uint64_t last_seq = 0;                             // first_seq - 1 while empty
    uint64_t committed_size = 0;                       // bytes of visible (whole-batch) records
    std::vector<std::pair<uint64_t, uint64_t>> index;  // sparse (seq, offset), ascending
    std::shared_ptr<RandomAccessFile> reader;          // opened lazily
  };
  // Changes a leader's round made to one segment, applied under mu_ on success.
  struct SegmentDelta {
    uint64_t first_seq = 0;
    bool is_new = false;
    uint64_t end_size = 0;
    uint64_t last_seq = 0;
    std::vector<std::pair<uint64_t, uint64_t>> index;
  };

  Log(std::string dir, const LogOptions& options);
  Status Recover();
  Status CreateFirstSegment();
  std::string SegmentPath(uint64_t first_seq) const;
  Status Commit(Writer* w);
  // Leader only, without mu_: writes the group, rolling segments as needed.
  Status WriteGroup(const std::vector<Writer*>& group, uint64_t first_seq, int64_t ts, bool do_sync,
                    std::vector<SegmentDelta>* deltas, uint64_t* syncs);
  Status Roll(uint64_t first_seq);
  // Index of the segment holding `seq` (mu_ held); segments_.size() if none.
  size_t FindSegmentLocked(uint64_t seq) const;

  const std::string dir_;
  const LogOptions options_;
  Env* const env_;
  Clock* const clock_;
  std::unique_ptr<FileLock> lock_file_;
  RecoveryInfo recovery_;

  mutable std::mutex mu_;
  std::condition_variable visible_cv_;  // LastSeq() advanced, or closed
  std::condition_variable idle_cv_;     // writers_ became empty
  std::deque<Writer*> writers_;
  std::vector<Segment> segments_;  // ascending first_seq; back() is the active one
  uint64_t next_seq_ = 1;
  uint64_t committed_seq_ = 0;
  uint64_t durable_seq_ = 0;
  int64_t last_ts_ = 0;
  Status bg_error_;
  bool closing_ = false;
  bool closed_ = false;
  LogStats stats_;

  // Owned by the current leader (or by Open/Close when no writer is queued).
  std::unique_ptr<WritableFile> file_;
  uint64_t active_first_seq_ = 0;
  uint64_t active_size_ = 0;
  uint64_t active_last_index_offset_ = 0;

  std::mutex drop_mu_;  // serializes DropSegmentsBefore
};

// Pull-based change-stream consumer. Not thread-safe; must not outlive its Log.
class Subscription {
 public:
  Subscription(Log* log, uint64_t from_seq);

  // The next whole batches (up to about max_records, see Log::Read) from next_seq().
  // Waits until the log's clock reaches deadline_micros if nothing is visible yet;
  // returns an empty vector on timeout or when the log closes.
  Result<std::vector<Record>> Poll(size_t max_records, int64_t deadline_micros);

  // The seq the next Poll starts at (one past the last delivered record).
  uint64_t next_seq() const { return cursor_.next_seq; }

 private:
  Log* const log_;
  LogCursor cursor_;
};

}  // namespace parquedb::log
