// Stream adapters: push (bounded queue), iterator, poll, NDJSON file/stdin follow.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <utility>

#include "parquedb/stream.h"

namespace parquedb::stream {
namespace {

Result<uint64_t> ParseCount(std::string_view text, std::string_view what) {
  if (text.empty() || text.size() > 19) {
    return Status::InvalidArgument("bad " + std::string(what) + " position '" +
                                   std::string(text) + "'");
  }
  uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return Status::InvalidArgument("bad " + std::string(what) + " position '" +
                                     std::string(text) + "'");
    }
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

}  // namespace

// ---- PushAdapter ----

PushAdapter::PushAdapter(std::string name, size_t capacity)
    : name_(std::move(name)), capacity_(capacity == 0 ? 1 : capacity) {}

Status PushAdapter::Push(Value payload) {
  std::unique_lock<std::mutex> lock(mu_);
  not_full_.wait(lock, [&] { return closed_ || queue_.size() < capacity_; });
  if (closed_) return Status::Aborted("stream '" + name_ + "' is closed");
  queue_.push_back(std::move(payload));
  pushed_++;
  not_empty_.notify_one();
  return Status::OK();
}

Status PushAdapter::TryPush(Value payload) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Status::Aborted("stream '" + name_ + "' is closed");
  if (queue_.size() >= capacity_) {
    return Status::Busy("stream '" + name_ + "' queue is full (" + std::to_string(capacity_) +
                        " items)");
  }
  queue_.push_back(std::move(payload));
  pushed_++;
  not_empty_.notify_one();
  return Status::OK();
}

void PushAdapter::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  not_empty_.notify_all();
  not_full_.notify_all();
}

size_t PushAdapter::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

Status PushAdapter::Seek(std::string_view) {
  return Status::NotSupported("a push stream cannot resume from a position");
}

Result<PollBatch> PushAdapter::Poll(size_t max_records, int64_t wait_micros) {
  std::unique_lock<std::mutex> lock(mu_);
  if (queue_.empty() && !closed_ && wait_micros > 0) {
    not_empty_.wait_for(lock, std::chrono::microseconds(wait_micros),
                        [&] { return !queue_.empty() || closed_ || interrupted_; });
  }
  interrupted_ = false;
  PollBatch out;
  while (!queue_.empty() && out.records.size() < max_records) {
    taken_++;
    out.records.push_back({std::move(queue_.front()), std::to_string(taken_), Status::OK()});
    queue_.pop_front();
  }
  if (!out.records.empty()) not_full_.notify_all();
  out.end = closed_ && queue_.empty();
  return out;
}

void PushAdapter::Interrupt() {
  std::lock_guard<std::mutex> lock(mu_);
  interrupted_ = true;
  not_empty_.notify_all();
}

// ---- IteratorAdapter ----

IteratorAdapter::IteratorAdapter(std::string name, Generator next)
    : name_(std::move(name)), next_(std::move(next)) {}

Status IteratorAdapter::Seek(std::string_view position) {
  PQ_ASSIGN_OR_RETURN(uint64_t target, ParseCount(position, "iterator"));
  if (target < count_) {
    return Status::InvalidArgument("iterator '" + name_ + "' cannot go back to " +
                                   std::string(position));
  }
  while (count_ < target) {
    PQ_ASSIGN_OR_RETURN(std::optional<Value> v, next_());
    if (!v.has_value()) {
      return Status::FailedPrecondition("iterator '" + name_ + "' ended after " +
                                        std::to_string(count_) + " items, before position " +
                                        std::string(position));
    }
    count_++;
  }
  return Status::OK();
}

Result<PollBatch> IteratorAdapter::Poll(size_t max_records, int64_t) {
  PollBatch out;
  while (!end_ && out.records.size() < max_records) {
    PQ_ASSIGN_OR_RETURN(std::optional<Value> v, next_());
    if (!v.has_value()) {
      end_ = true;
      break;
    }
    count_++;
    out.records.push_back({std::move(*v), std::to_string(count_), Status::OK()});
  }
  out.end = end_;
  return out;
}

// ---- PollAdapter ----

PollAdapter::PollAdapter(std::string name, Fetch fetch, int64_t interval_ms, Clock* clock,
                         std::string initial_cursor)
    : name_(std::move(name)),
      fetch_(std::move(fetch)),
      interval_micros_(interval_ms * 1000),
      clock_(clock != nullptr ? clock : Clock::Default()),
      cursor_(std::move(initial_cursor)) {}

Status PollAdapter::Seek(std::string_view position) {
  size_t hash = position.rfind('#');
  if (hash == std::string_view::npos) {
    return Status::InvalidArgument("bad poll position '" + std::string(position) + "'");
  }
  PQ_ASSIGN_OR_RETURN(uint64_t skip, ParseCount(position.substr(hash + 1), "poll"));
  cursor_ = std::string(position.substr(0, hash));
  consumed_ = static_cast<size_t>(skip);  // items of the fetch at cursor_ already consumed
  pending_.clear();
  have_fetch_ = false;
  fetch_end_ = false;
  next_due_ = 0;
  return Status::OK();
}

Result<PollBatch> PollAdapter::Poll(size_t max_records, int64_t) {
  PollBatch out;
  if (!have_fetch_ || consumed_ >= pending_.size()) {
    if (have_fetch_) {
      // The previous fetch is fully consumed: continue after it.
      if (fetch_end_) {
        out.end = true;
        return out;
      }
      cursor_ = next_cursor_;
      consumed_ = 0;
      pending_.clear();
      have_fetch_ = false;
    }
    const int64_t now = clock_->NowMicros();
    if (now < next_due_) return out;
    next_due_ = now + interval_micros_;
    PQ_ASSIGN_OR_RETURN(FetchResult r, fetch_(cursor_));
    pending_ = std::move(r.items);
    next_cursor_ = r.next_cursor;
    fetch_end_ = r.end;
    have_fetch_ = true;
    if (consumed_ > pending_.size()) consumed_ = pending_.size();
    if (pending_.size() == consumed_ && !fetch_end_ && next_cursor_ == cursor_) {
      return out;  // nothing new; same cursor next time
    }
  }
  while (consumed_ < pending_.size() && out.records.size() < max_records) {
    Value item = pending_[consumed_++];
    // Position after the last item of a fetch is the next cursor, so a restart
    // does not fetch the consumed page again.
    std::string pos = consumed_ == pending_.size() ? next_cursor_ + "#0"
                                                   : cursor_ + "#" + std::to_string(consumed_);
    out.records.push_back({std::move(item), std::move(pos), Status::OK()});
  }
  out.end = fetch_end_ && consumed_ >= pending_.size();
  return out;
}

// ---- NdjsonAdapter ----

Result<std::unique_ptr<NdjsonAdapter>> NdjsonAdapter::Open(const std::string& path, bool follow) {
  std::unique_ptr<NdjsonAdapter> a(new NdjsonAdapter());
  a->path_ = path;
  a->follow_ = follow;
  if (path == "-") {
    a->fd_ = ::dup(STDIN_FILENO);
    if (a->fd_ < 0) return Status::IOError(Errno("cannot read stdin"));
    a->name_ = "stdin";
  } else {
    a->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (a->fd_ < 0) return Status::IOError(Errno("cannot open '" + path + "'"));
    char* real = ::realpath(path.c_str(), nullptr);
    a->name_ = "file:" + std::string(real != nullptr ? real : path.c_str());
    std::free(real);
  }
  struct stat st;
  if (::fstat(a->fd_, &st) != 0) return Status::IOError(Errno("cannot stat '" + path + "'"));
  a->is_pipe_ = !S_ISREG(st.st_mode);
  if (::pipe2(a->wake_, O_CLOEXEC | O_NONBLOCK) != 0) return Status::IOError(Errno("pipe"));
  return a;
}

NdjsonAdapter::~NdjsonAdapter() {
  if (fd_ >= 0) ::close(fd_);
  for (int fd : wake_) {
    if (fd >= 0) ::close(fd);
  }
}

Status NdjsonAdapter::Seek(std::string_view position) {
  if (is_pipe_) return Status::NotSupported("'" + name_ + "' is not seekable");
  PQ_ASSIGN_OR_RETURN(uint64_t off, ParseCount(position, "file"));
  offset_ = read_pos_ = off;
  buf_.clear();
  eof_ = false;
  line_no_ = 0;  // unknown after a seek; messages then count from the resume point
  return Status::OK();
}

void NdjsonAdapter::Interrupt() {
  char c = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_[1], &c, 1);
}

Status NdjsonAdapter::ReadMore(bool* got, int64_t wait_micros) {
  *got = false;
  char chunk[64 * 1024];
  if (!is_pipe_) {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return Status::IOError(Errno("cannot stat '" + path_ + "'"));
    if (static_cast<uint64_t>(st.st_size) < read_pos_) {
      // Truncated: start over (tail -F).
      offset_ = read_pos_ = 0;
      buf_.clear();
    }
    ssize_t n = ::pread(fd_, chunk, sizeof(chunk), static_cast<off_t>(read_pos_));
    if (n < 0) return Status::IOError(Errno("cannot read '" + path_ + "'"));
    if (n > 0) {
      buf_.append(chunk, static_cast<size_t>(n));
      read_pos_ += static_cast<uint64_t>(n);
      *got = true;
    } else if (!follow_) {
      eof_ = true;
    }
    return Status::OK();
  }
  struct pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
  int timeout_ms = static_cast<int>(std::min<int64_t>(wait_micros / 1000, 60 * 1000));
  int r = ::poll(fds, 2, timeout_ms);
  if (r < 0) {
    if (errno == EINTR) return Status::OK();
    return Status::IOError(Errno("poll"));
  }
  if (fds[1].revents != 0) {
    char drain[64];
    while (::read(wake_[0], drain, sizeof(drain)) > 0) {
    }
  }
  if (fds[0].revents == 0) return Status::OK();
  ssize_t n = ::read(fd_, chunk, sizeof(chunk));
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN) return Status::OK();
    return Status::IOError(Errno("cannot read " + name_));
  }
  if (n == 0) {
    eof_ = true;
  } else {
    buf_.append(chunk, static_cast<size_t>(n));
    read_pos_ += static_cast<uint64_t>(n);
    *got = true;
  }
  return Status::OK();
}

Result<PollBatch> NdjsonAdapter::Poll(size_t max_records, int64_t wait_micros) {
  PollBatch out;
  bool waited = false;
  while (out.records.size() < max_records) {
    size_t nl = buf_.find('\n');
    std::string line;
    if (nl != std::string::npos) {
      line = buf_.substr(0, nl);
      buf_.erase(0, nl + 1);
      offset_ += nl + 1;
    } else if (eof_ && !buf_.empty()) {
      line = std::move(buf_);  // last line without '\n' at the end of the input
      buf_.clear();
      offset_ += line.size();
    } else if (eof_) {
      out.end = true;
      break;
    } else {
      // Need more bytes; block (pipes only) just once, and only if nothing is ready.
      bool got = false;
      int64_t wait = (!waited && out.records.empty()) ? wait_micros : 0;
      waited = true;
      PQ_RETURN_IF_ERROR(ReadMore(&got, wait));
      if (!got && !eof_) break;
      continue;
    }
    line_no_++;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) {
      // A blank line: no record, but positions move past it with the next record.
      continue;
    }
    StreamRecord rec;
    rec.position = std::to_string(offset_);
    auto v = Value::ParseJson(line);
    if (v.ok()) {
      rec.payload = std::move(*v);
    } else {
      rec.error = Status::InvalidArgument("line " + std::to_string(line_no_) + " (ending at byte " +
                                          std::to_string(offset_) + "): " + v.status().message());
    }
    out.records.push_back(std::move(rec));
  }
  return out;
}

}  // namespace parquedb::stream
