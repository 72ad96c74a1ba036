#include "log/log.h"

#include <algorithm>
#include <chrono>
#include <utility>

namespace parquedb::log {

namespace {

// A leader stops adding queued batches to its group beyond this many bytes (it
// always takes its own batch).
constexpr size_t kMaxGroupBytes = 4 << 20;
// One sparse index entry per this many bytes of segment.
constexpr uint64_t kIndexInterval = 64 << 10;
// Longest real-time sleep between two checks of the (possibly manual) clock.
constexpr int64_t kWaitSliceMicros = 10'000;

std::string StripTrailingSlashes(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

}  // namespace

struct Log::Writer {
  Writer(std::vector<std::string>* p, bool s) : payloads(p), sync(s) {}
  std::vector<std::string>* payloads;  // nullptr: a Sync() request
  bool sync;
  size_t bytes = 0;  // encoded size
  bool done = false;
  Status status;
  uint64_t first_seq = 0;
  std::condition_variable cv;
};

Log::Log(std::string dir, const LogOptions& options)
    : dir_(std::move(dir)),
      options_(options),
      env_(options.env != nullptr ? options.env : Env::Default()),
      clock_(options.clock != nullptr ? options.clock : Clock::Default()) {}

Log::~Log() { (void)Close(); }

std::string Log::SegmentPath(uint64_t first_seq) const {
  return dir_ + "/" + SegmentFileName(first_seq);
}

Result<std::unique_ptr<Log>> Log::Open(const std::string& dir, const LogOptions& options) {
  if (options.segment_size == 0) return Status::InvalidArgument("log segment_size must be > 0");
  std::string clean = StripTrailingSlashes(dir);
  if (clean.empty()) return Status::InvalidArgument("empty log directory");
  std::unique_ptr<Log> log(new Log(clean, options));
  PQ_RETURN_IF_ERROR(log->env_->CreateDirs(clean));
  PQ_ASSIGN_OR_RETURN(log->lock_file_, log->env_->LockFile(clean + "/LOCK"));
  PQ_RETURN_IF_ERROR(log->Recover());
  return log;
}

// ---------------------------------------------------------------------------------------
// Recovery

Status Log::CreateFirstSegment() {
  PQ_ASSIGN_OR_RETURN(file_, env_->NewWritableFile(SegmentPath(1)));
  PQ_RETURN_IF_ERROR(env_->SyncDir(dir_));
  Segment seg;
  seg.first_seq = 1;
  seg.last_seq = 0;
  segments_.push_back(std::move(seg));
  active_first_seq_ = 1;
  active_size_ = 0;
  active_last_index_offset_ = 0;
  next_seq_ = 1;
  committed_seq_ = durable_seq_ = 0;
  recovery_.segments = 1;
  return Status::OK();
}

Status Log::Recover() {
  PQ_ASSIGN_OR_RETURN(auto children, env_->GetChildren(dir_));
  std::vector<uint64_t> firsts;
  for (const std::string& name : children) {
    uint64_t first = 0;
    if (ParseSegmentFileName(name, &first)) firsts.push_back(first);
  }
  std::sort(firsts.begin(), firsts.end());
  if (firsts.empty()) return CreateFirstSegment();

  uint64_t expected = firsts[0];
  bool set_aside_rest = false;
  size_t i = 0;
  for (; i < firsts.size(); ++i) {
    const uint64_t first = firsts[i];
    const bool is_last = i + 1 == firsts.size();
    const std::string path = SegmentPath(first);
    if (first == 0 || first != expected) {
      std::string msg = "log segment " + path + " starts at seq " + std::to_string(first) +
                        " but the previous segment ends at seq " + std::to_string(expected - 1);
      if (options_.paranoid) return Status::Corruption(msg);
      recovery_.tail_reason = msg;
      set_aside_rest = true;
      break;
    }
    PQ_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env_->NewRandomAccessFile(path));
    const uint64_t size = file->Size();
    SegmentScanner scanner(file.get(), 0, size);
    Segment seg;
    seg.first_seq = first;
    seg.last_seq = first - 1;
    uint64_t next = first;   // seq the next record must have
    uint64_t valid_end = 0;  // end of the last whole batch
    uint64_t last_index = 0;
    int64_t last_ts = last_ts_;
    std::string problem;
    bool hard = false;  // not explainable by a torn write
    uint64_t bad_at = 0;
    Record rec;
    while (true) {
      const uint64_t at = scanner.offset();
      PQ_ASSIGN_OR_RETURN(SegmentScanner::Outcome outcome, scanner.Next(&rec));
      if (outcome == SegmentScanner::Outcome::kEnd) {
        if (valid_end != at) problem = "incomplete batch at the end of the segment";
        bad_at = at;
        break;
      }
      if (outcome != SegmentScanner::Outcome::kRecord) {
        problem = scanner.reason();
        hard = outcome == SegmentScanner::Outcome::kMalformed;
        bad_at = at;
        break;
      }
      if (rec.seq != next) {
        problem =
            "record has seq " + std::to_string(rec.seq) + ", expected " + std::to_string(next);
        hard = true;
        bad_at = at;
        break;
      }
      if (seg.index.empty() || at >= last_index + kIndexInterval) {
        seg.index.emplace_back(rec.seq, at);
        last_index = at;
      }
      ++next;
      if (rec.last_in_batch) {
        valid_end = scanner.offset();
        seg.last_seq = rec.seq;
        last_ts = rec.timestamp_micros;
        ++recovery_.batches;
      }
    }
    // Index entries pointing into the discarded partial batch go away.
    while (!seg.index.empty() && seg.index.back().second >= valid_end) seg.index.pop_back();
    recovery_.records += seg.last_seq + 1 - first;

    if (!problem.empty()) {
      const std::string where =
          "log segment " + path + " at offset " + std::to_string(bad_at) + ": " + problem;
      if (is_last && !hard) {
        // A torn tail: the end of the log.
        recovery_.tail_bytes_dropped = size - valid_end;
        recovery_.tail_reason = where;
        if (bad_at < size) {
          PQ_ASSIGN_OR_RETURN(recovery_.tail_valid_records_dropped,
                              CountValidRecordsIn(file.get(), bad_at + 1, size, next));
        }
      } else if (options_.paranoid) {
        return Status::Corruption(where);
      } else {
        recovery_.tail_bytes_dropped = size - valid_end;
        recovery_.tail_reason = where;
        set_aside_rest = true;
      }
      if (valid_end < size) {
        PQ_RETURN_IF_ERROR(env_->TruncateFile(path, valid_end));
      }
    }
    seg.committed_size = valid_end;
    seg.reader = std::move(file);
    expected = seg.last_seq + 1;
    last_ts_ = std::max(last_ts_, last_ts);
    segments_.push_back(std::move(seg));
    if (set_aside_rest) {
      ++i;
      break;
    }
  }
  if (set_aside_rest) {
    for (; i < firsts.size(); ++i) {
      const std::string path = SegmentPath(firsts[i]);
      PQ_RETURN_IF_ERROR(env_->RenameFile(path, path + ".corrupt"));
      ++recovery_.segments_dropped;
    }
  }
  if (segments_.empty()) {
    // Only reachable with paranoid=false when the very first segment was unusable.
    return CreateFirstSegment();
  }
  recovery_.segments = segments_.size();

  const Segment& active = segments_.back();
  PQ_ASSIGN_OR_RETURN(file_, env_->NewAppendableFile(SegmentPath(active.first_seq)));
  if (file_->Size() != active.committed_size) {
    return Status::IOError("log segment " + SegmentPath(active.first_seq) + " has size " +
                           std::to_string(file_->Size()) + ", expected " +
                           std::to_string(active.committed_size));
  }
  active_first_seq_ = active.first_seq;
  active_size_ = active.committed_size;
  active_last_index_offset_ = active.index.empty() ? 0 : active.index.back().second;
  // Whatever recovery kept may still sit only in the OS cache after a process crash,
  // file bytes and directory entries alike (a segment whose creation was never
  // dir-synced): make both durable before acknowledging anything on top of them.
  PQ_RETURN_IF_ERROR(file_->Sync());
  ++stats_.syncs;
  PQ_RETURN_IF_ERROR(env_->SyncDir(dir_));
  next_seq_ = expected;
  committed_seq_ = durable_seq_ = expected - 1;
  return Status::OK();
}

// ---------------------------------------------------------------------------------------
// Writing

Result<uint64_t> Log::Append(std::vector<std::string> payloads, bool sync) {
  if (payloads.empty()) return Status::InvalidArgument("empty log batch");
  size_t bytes = 0;
  for (const std::string& p : payloads) {
    if (p.size() > kMaxPayloadSize) {
      return Status::InvalidArgument("log payload of " + std::to_string(p.size()) +
                                     " bytes exceeds the maximum of " +
                                     std::to_string(kMaxPayloadSize));
    }
    bytes += kHeaderSize + p.size();
  }
  Writer w(&payloads, sync);
  w.bytes = bytes;
  PQ_RETURN_IF_ERROR(Commit(&w));
  return w.first_seq;
}

Status Log::Sync() {
  Writer w(nullptr, /*sync=*/true);
  return Commit(&w);
}

Status Log::Commit(Writer* w) {
  std::unique_lock<std::mutex> lock(mu_);
  if (closing_) return Status::Aborted("log " + dir_ + " is closed");
  if (!bg_error_.ok()) return bg_error_;
  writers_.push_back(w);
  while (!w->done && w != writers_.front()) w->cv.wait(lock);
  if (w->done) return w->status;

  // This writer leads: take a prefix of the queue as one group.
  std::vector<Writer*> group;
  size_t bytes = 0;
  bool want_sync = false;
  bool has_records = false;
  uint64_t batches = 0;
  for (Writer* x : writers_) {
    if (!group.empty() && bytes + x->bytes > kMaxGroupBytes) break;
    group.push_back(x);
    bytes += x->bytes;
    want_sync |= x->sync;
    if (x->payloads != nullptr) {
      has_records = true;
      ++batches;
    }
  }
  const uint64_t first = next_seq_;
  uint64_t seq = first;
  for (Writer* x : group) {
    if (x->payloads == nullptr) continue;
    x->first_seq = seq;
    seq += x->payloads->size();
  }
  // Timestamps never go backwards, even if the clock does.
  const int64_t ts = std::max(clock_->NowMicros(), last_ts_);
  const bool do_sync = want_sync && (has_records || durable_seq_ < committed_seq_);

  Status s = bg_error_;
  std::vector<SegmentDelta> deltas;
  uint64_t syncs = 0;
  if (s.ok() && (has_records || do_sync)) {
    lock.unlock();
    s = WriteGroup(group, first, ts, do_sync, &deltas, &syncs);
    lock.lock();
  }
  stats_.syncs += syncs;
  if (s.ok()) {
    for (SegmentDelta& d : deltas) {
      if (d.is_new) {
        Segment seg;
        seg.first_seq = d.first_seq;
        seg.last_seq = d.first_seq - 1;
        segments_.push_back(std::move(seg));
      }
      Segment& seg = segments_.back();
      seg.committed_size = d.end_size;
      if (d.last_seq != 0) seg.last_seq = d.last_seq;
      seg.index.insert(seg.index.end(), d.index.begin(), d.index.end());
    }
    if (has_records) {
      next_seq_ = seq;
      committed_seq_ = seq - 1;
      last_ts_ = ts;
      stats_.batches += batches;
    }
    if (do_sync) durable_seq_ = committed_seq_;
    if (has_records || do_sync) ++stats_.groups;
    visible_cv_.notify_all();
  } else if (bg_error_.ok()) {
    bg_error_ = s;
  }

  for (Writer* x : group) {
    writers_.pop_front();
    x->status = s;
    x->done = true;
    if (x != w) x->cv.notify_one();
  }
  if (!writers_.empty()) {
    writers_.front()->cv.notify_one();
  } else {
    idle_cv_.notify_all();
  }
  return s;
}

Status Log::WriteGroup(const std::vector<Writer*>& group, uint64_t first_seq, int64_t ts,
                       bool do_sync, std::vector<SegmentDelta>* deltas, uint64_t* syncs) {
  std::string buf;
  uint64_t seq = first_seq;
  SegmentDelta cur;
  cur.first_seq = active_first_seq_;
  uint64_t last_index = active_last_index_offset_;
  for (Writer* x : group) {
    if (x->payloads == nullptr) continue;
    const std::vector<std::string>& payloads = *x->payloads;
    const uint64_t cur_size = active_size_ + buf.size();
    if (cur_size > 0 && cur_size + x->bytes > options_.segment_size) {
      if (!buf.empty()) {
        PQ_RETURN_IF_ERROR(file_->Append(buf));
        active_size_ += buf.size();
        buf.clear();
      }
      cur.end_size = active_size_;
      deltas->push_back(std::move(cur));
      PQ_RETURN_IF_ERROR(Roll(seq));
      ++*syncs;
      cur = SegmentDelta();
      cur.first_seq = seq;
      cur.is_new = true;
      last_index = 0;
    }
    for (size_t i = 0; i < payloads.size(); ++i) {
      const uint64_t off = active_size_ + buf.size();
      if (off == 0 || off >= last_index + kIndexInterval) {
        cur.index.emplace_back(seq, off);
        last_index = off;
      }
      EncodeRecord(&buf, seq, ts, i + 1 == payloads.size(), payloads[i]);
      ++seq;
    }
    cur.last_seq = seq - 1;
  }
  if (!buf.empty()) {
    PQ_RETURN_IF_ERROR(file_->Append(buf));
    active_size_ += buf.size();
  }
  if (do_sync) {
    PQ_RETURN_IF_ERROR(file_->Sync());
    ++*syncs;
  } else {
    PQ_RETURN_IF_ERROR(file_->Flush());  // visible to readers once committed
  }
  cur.end_size = active_size_;
  deltas->push_back(std::move(cur));
  active_last_index_offset_ = last_index;
  return Status::OK();
}

Status Log::Roll(uint64_t first_seq) {
  // Sync the old segment first: a later segment must never hold durable records while
  // an earlier one can still lose some (that would be a gap after a crash).
  PQ_RETURN_IF_ERROR(file_->Sync());
  PQ_RETURN_IF_ERROR(file_->Close());
  file_.reset();
  PQ_ASSIGN_OR_RETURN(file_, env_->NewWritableFile(SegmentPath(first_seq)));
  PQ_RETURN_IF_ERROR(env_->SyncDir(dir_));
  active_first_seq_ = first_seq;
  active_size_ = 0;
  active_last_index_offset_ = 0;
  return Status::OK();
}

Status Log::Close() {
  std::unique_lock<std::mutex> lock(mu_);
  closing_ = true;
  idle_cv_.wait(lock, [&] { return writers_.empty(); });
  if (closed_) return Status::OK();
  closed_ = true;
  Status s;
  if (file_ != nullptr) {
    if (bg_error_.ok() && durable_seq_ < committed_seq_) {
      s = file_->Sync();
      if (s.ok()) {
        durable_seq_ = committed_seq_;
        ++stats_.syncs;
      }
    }
    Status c = file_->Close();
    if (s.ok()) s = c;
    file_.reset();
  }
  visible_cv_.notify_all();
  return s;
}

// ---------------------------------------------------------------------------------------
// State

uint64_t Log::FirstSeq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return segments_.front().first_seq;
}

uint64_t Log::LastSeq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return committed_seq_;
}

uint64_t Log::LastDurableSeq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return durable_seq_;
}

LogStats Log::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

size_t Log::QueuedWriters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return writers_.size();
}

std::vector<uint64_t> Log::SegmentFirstSeqs() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<uint64_t> out;
  for (const Segment& s : segments_) out.push_back(s.first_seq);
  return out;
}

// ---------------------------------------------------------------------------------------
// Reading

size_t Log::FindSegmentLocked(uint64_t seq) const {
  auto it = std::upper_bound(segments_.begin(), segments_.end(), seq,
                             [](uint64_t s, const Segment& seg) { return s < seg.first_seq; });
  if (it == segments_.begin()) return segments_.size();
  return static_cast<size_t>(it - segments_.begin()) - 1;
}

Result<std::vector<Record>> Log::Read(LogCursor* cursor, size_t max_records) {
  if (cursor->next_seq == 0) return Status::InvalidArgument("log seqs start at 1");
  if (max_records == 0) max_records = 1;
  std::vector<Record> out;
  while (true) {
    std::shared_ptr<RandomAccessFile> file;
    uint64_t limit = 0;
    uint64_t segment = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (cursor->next_seq > committed_seq_) break;
      size_t idx = FindSegmentLocked(cursor->next_seq);
      if (idx == segments_.size()) {
        return Status::NotFound("log seq " + std::to_string(cursor->next_seq) +
                                " was dropped by retention (oldest kept: " +
                                std::to_string(segments_.front().first_seq) + ")");
      }
      Segment& seg = segments_[idx];
      if (!cursor->positioned || cursor->segment != seg.first_seq) {
        auto it = std::upper_bound(
            seg.index.begin(), seg.index.end(), cursor->next_seq,
            [](uint64_t s, const std::pair<uint64_t, uint64_t>& e) { return s < e.first; });
        cursor->offset = it == seg.index.begin() ? 0 : std::prev(it)->second;
        cursor->segment = seg.first_seq;
        cursor->positioned = true;
      }
      if (seg.reader == nullptr) {
        PQ_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> f,
                            env_->NewRandomAccessFile(SegmentPath(seg.first_seq)));
        seg.reader = std::move(f);
      }
      file = seg.reader;
      limit = seg.committed_size;
      segment = seg.first_seq;
    }
    const uint64_t before = cursor->next_seq;
    SegmentScanner scanner(file.get(), cursor->offset, limit);
    bool full = false;
    Record rec;
    while (true) {
      PQ_ASSIGN_OR_RETURN(SegmentScanner::Outcome outcome, scanner.Next(&rec));
      if (outcome == SegmentScanner::Outcome::kEnd) break;
      if (outcome != SegmentScanner::Outcome::kRecord) {
        return Status::Corruption("log segment " + SegmentPath(segment) + " at offset " +
                                  std::to_string(scanner.offset()) + ": " + scanner.reason());
      }
      if (rec.seq < cursor->next_seq) {
        cursor->offset = scanner.offset();
        continue;
      }
      if (rec.seq != cursor->next_seq) {
        return Status::Corruption("log segment " + SegmentPath(segment) + ": found seq " +
                                  std::to_string(rec.seq) + " where " +
                                  std::to_string(cursor->next_seq) + " was expected");
      }
      cursor->next_seq = rec.seq + 1;
      cursor->offset = scanner.offset();
      const bool last = rec.last_in_batch;
      out.push_back(std::move(rec));
      rec = Record();
      if (last && out.size() >= max_records) {
        full = true;
        break;
      }
    }
    if (full) break;
    if (cursor->next_seq == before) {
      return Status::Corruption("log segment " + SegmentPath(segment) + " does not contain seq " +
                                std::to_string(before));
    }
  }
  return out;
}

Result<std::vector<Record>> Log::ReadBatch(uint64_t from_seq, size_t max_records) {
  LogCursor cursor;
  cursor.next_seq = from_seq;
  return Read(&cursor, max_records);
}

bool Log::WaitForSeq(uint64_t seq, int64_t deadline_micros) {
  std::unique_lock<std::mutex> lock(mu_);
  while (committed_seq_ < seq) {
    if (closed_) return false;
    const int64_t now = clock_->NowMicros();
    if (now >= deadline_micros) return false;
    const int64_t slice = std::min<int64_t>(deadline_micros - now, kWaitSliceMicros);
    visible_cv_.wait_for(lock, std::chrono::microseconds(slice));
  }
  return true;
}

std::unique_ptr<Subscription> Log::Subscribe(uint64_t from_seq) {
  return std::make_unique<Subscription>(this, from_seq);
}

Status Log::DropSegmentsBefore(uint64_t seq) {
  std::lock_guard<std::mutex> drop_lock(drop_mu_);
  std::vector<std::string> doomed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    while (segments_.size() > 1 && segments_[1].first_seq <= seq) {
      doomed.push_back(SegmentPath(segments_.front().first_seq));
      segments_.erase(segments_.begin());
    }
  }
  if (doomed.empty()) return Status::OK();
  // Oldest first: a crash in between leaves a contiguous suffix of segments.
  for (const std::string& path : doomed) {
    Status s = env_->RemoveFile(path);
    if (!s.ok() && !s.IsNotFound()) return s;
  }
  return env_->SyncDir(dir_);
}

// ---------------------------------------------------------------------------------------
// Subscription

Subscription::Subscription(Log* log, uint64_t from_seq) : log_(log) { cursor_.next_seq = from_seq; }

Result<std::vector<Record>> Subscription::Poll(size_t max_records, int64_t deadline_micros) {
  while (true) {
    PQ_ASSIGN_OR_RETURN(std::vector<Record> records, log_->Read(&cursor_, max_records));
    if (!records.empty()) return records;
    if (!log_->WaitForSeq(cursor_.next_seq, deadline_micros)) return std::vector<Record>{};
  }
}

}  // namespace parquedb::log
