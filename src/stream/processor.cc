// StreamProcessor: batches adapter records into atomic write batches that also
// commit the source position.
#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include "parquedb/stream.h"

namespace parquedb::stream {

StreamProcessor::StreamProcessor(DB* db, StreamProcessorOptions options)
    : db_(db),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : Clock::Default()) {}

StreamProcessor::~StreamProcessor() { (void)Stop(); }

Result<std::unique_ptr<StreamProcessor>> StreamProcessor::Create(DB* db,
                                                                 StreamProcessorOptions options) {
  if (db == nullptr || options.adapter == nullptr) {
    return Status::InvalidArgument("stream processor needs a database and an adapter");
  }
  if (options.batch_size == 0) return Status::InvalidArgument("batch_size must be at least 1");
  if (options.flush_interval_ms < 0) {
    return Status::InvalidArgument("flush_interval_ms must not be negative");
  }
  PQ_RETURN_IF_ERROR(PayloadMapper::ForCollection(*db, options.collection).status());
  for (const std::string& view : options.views) {
    PQ_RETURN_IF_ERROR(db->GetViewState(view).status().WithContext("view '" + view + "'"));
  }
  std::unique_ptr<StreamProcessor> p(new StreamProcessor(db, std::move(options)));
  StreamAdapter* adapter = p->options_.adapter;
  if (adapter->resumable()) {
    if (db->schema().Find(kStreamOffsetsCollection) == nullptr) {
      return Status::FailedPrecondition(
          "the database has no " + std::string(kStreamOffsetsCollection) +
          " collection for source positions (open it with stream::OpenWithStreamOffsets)");
    }
    PQ_ASSIGN_OR_RETURN(std::optional<std::string> pos, CommittedPosition(db, adapter->name()));
    if (pos.has_value()) {
      PQ_RETURN_IF_ERROR(adapter->Seek(*pos).WithContext("resuming '" + adapter->name() + "'"));
      p->committed_ = pos;
      p->offset_doc_exists_ = true;
    }
  }
  return p;
}

Status StreamProcessor::Flush() {
  if (pending_.empty()) return Status::OK();
  StreamAdapter* adapter = options_.adapter;
  std::vector<Value> items;
  std::vector<size_t> where;  // pending index of items[i]
  BatchReport report;
  report.position = pending_.back().position;
  for (size_t i = 0; i < pending_.size(); i++) {
    if (!pending_[i].error.ok()) {
      if (!options_.partial) {
        return pending_[i].error.WithContext("source '" + adapter->name() + "'");
      }
      report.rejected.push_back({i, "", pending_[i].error.message()});
      continue;
    }
    items.push_back(pending_[i].payload);  // copy (cheap): a failed commit is retried
    where.push_back(i);
  }
  WriteBatch extra;
  if (adapter->resumable()) {
    const auto n = static_cast<int64_t>(pending_.size());
    if (offset_doc_exists_) {
      extra.Update(std::string(kStreamOffsetsCollection), adapter->name(),
                   Value::MakeObject({{"$set", Value::MakeObject({{"position",
                                                                   Value::String(report.position)}})},
                                      {"$inc", Value::MakeObject({{"records", Value::Int(n)}})}}));
    } else {
      extra.Insert(std::string(kStreamOffsetsCollection),
                   Value::MakeObject({{"$id", Value::String(adapter->name())},
                                      {"source", Value::String(adapter->name())},
                                      {"collection", Value::String(options_.collection)},
                                      {"position", Value::String(report.position)},
                                      {"records", Value::Int(n)}}));
    }
  }
  IngestOptions io;
  io.partial = options_.partial;
  io.extra_ops = &extra;
  auto r = Ingest(db_, options_.collection, items, io);
  if (!r.ok()) return r.status().WithContext("source '" + adapter->name() + "'");
  if (!options_.partial && !r->rejected.empty()) {
    IngestError e = r->rejected.front();
    e.index = where[e.index];
    return Status::InvalidArgument("source '" + adapter->name() + "' record " +
                                   e.ToString().substr(5) + " (batch not committed)");
  }
  for (IngestError e : r->rejected) {
    e.index = where[e.index];
    report.rejected.push_back(std::move(e));
  }
  std::sort(report.rejected.begin(), report.rejected.end(),
            [](const IngestError& a, const IngestError& b) { return a.index < b.index; });
  report.accepted = r->accepted;
  if (adapter->resumable()) offset_doc_exists_ = true;
  committed_ = report.position;
  pending_.clear();
  accepted_ += report.accepted;
  rejected_ += static_cast<int64_t>(report.rejected.size());
  batches_++;
  for (const std::string& view : options_.views) {
    PQ_RETURN_IF_ERROR(db_->RefreshView(view).WithContext("refreshing view '" + view + "'"));
  }
  if (on_batch_) on_batch_(report);
  return Status::OK();
}

Result<bool> StreamProcessor::StepWithWait(int64_t wait_micros) {
  if (!source_ended_ && pending_.size() < options_.batch_size) {
    PQ_ASSIGN_OR_RETURN(PollBatch batch,
                        options_.adapter->Poll(options_.batch_size - pending_.size(),
                                               pending_.empty() ? wait_micros : 0));
    if (!batch.records.empty() && pending_.empty()) first_pending_micros_ = clock_->NowMicros();
    for (StreamRecord& r : batch.records) pending_.push_back(std::move(r));
    if (batch.end) source_ended_ = true;
  }
  const bool due =
      pending_.size() >= options_.batch_size || source_ended_ ||
      (!pending_.empty() &&
       clock_->NowMicros() - first_pending_micros_ >= options_.flush_interval_ms * 1000);
  if (due) PQ_RETURN_IF_ERROR(Flush());
  return source_ended_ && pending_.empty();
}

Result<bool> StreamProcessor::Step() {
  if (thread_.joinable()) return Status::FailedPrecondition("the processor is running");
  return StepWithWait(0);
}

Status StreamProcessor::Drain() {
  while (true) {
    PQ_ASSIGN_OR_RETURN(bool done, Step());
    if (done) return Status::OK();
  }
}

void StreamProcessor::Run() {
  Status status;
  const int64_t idle = options_.idle_wait_ms * 1000;
  while (!stop_.load()) {
    const int64_t before = batches_.load();
    const size_t pending_before = pending_.size();
    auto done = StepWithWait(idle);
    if (!done.ok()) {
      status = done.status();
      break;
    }
    if (*done) break;
    if (batches_.load() == before && pending_.size() == pending_before) {
      // Idle: nothing new. Wait (interruptibly) before polling again; wake up in time
      // for the flush interval of pending records.
      int64_t wait = idle;
      if (!pending_.empty()) {
        int64_t left = first_pending_micros_ + options_.flush_interval_ms * 1000 -
                       clock_->NowMicros();
        wait = std::max<int64_t>(0, std::min(wait, left));
      }
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::microseconds(wait), [&] { return stop_.load(); });
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  thread_status_ = status;
  running_ = false;
  cv_.notify_all();
}

Status StreamProcessor::Start() {
  if (thread_.joinable()) return Status::FailedPrecondition("the processor is already started");
  stop_ = false;
  running_ = true;
  thread_status_ = Status::OK();
  thread_ = std::thread([this] { Run(); });
  return Status::OK();
}

bool StreamProcessor::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return running_;
}

Status StreamProcessor::Wait() {
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  return thread_status_;
}

Status StreamProcessor::Stop() {
  if (thread_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
      cv_.notify_all();
    }
    options_.adapter->Interrupt();
    thread_.join();
  }
  Status s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s = thread_status_;
  }
  if (!s.ok()) return s;
  // Take in what the source already has (without waiting), then commit it.
  while (!source_ended_) {
    const size_t before = pending_.size();
    const int64_t batches = batches_.load();
    PQ_RETURN_IF_ERROR(StepWithWait(0).status());
    if (pending_.size() == before && batches_.load() == batches) break;
  }
  return Flush();
}

}  // namespace parquedb::stream
