#include "log/log_reader.h"

#include <utility>

namespace parquedb::log {

namespace {
constexpr size_t kReadAhead = 256;  // records fetched per underlying Log::Read
}  // namespace

LogReader::LogReader(Log* log) : log_(log) { cursor_.next_seq = log->FirstSeq(); }

Status LogReader::Seek(uint64_t seq) {
  if (seq == 0) return Status::InvalidArgument("log seqs start at 1");
  const uint64_t first = log_->FirstSeq();
  if (seq < first) {
    return Status::NotFound("log seq " + std::to_string(seq) +
                            " was dropped by retention (oldest kept: " + std::to_string(first) +
                            ")");
  }
  cursor_ = LogCursor();
  cursor_.next_seq = seq;
  buffered_.clear();
  pos_ = 0;
  return Status::OK();
}

Result<bool> LogReader::Next(Record* record) {
  if (pos_ >= buffered_.size()) {
    buffered_.clear();
    pos_ = 0;
    PQ_ASSIGN_OR_RETURN(buffered_, log_->Read(&cursor_, kReadAhead));
    if (buffered_.empty()) return false;
  }
  *record = std::move(buffered_[pos_++]);
  return true;
}

uint64_t LogReader::next_seq() const {
  return pos_ < buffered_.size() ? buffered_[pos_].seq : cursor_.next_seq;
}

}  // namespace parquedb::log
