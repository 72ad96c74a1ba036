#include "log/log_format.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "common/crc32c.h"

namespace parquedb::log {

namespace {

constexpr size_t kReadChunk = 64 << 10;

void PutFixed32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFFu);
}
void PutFixed64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFFu);
}
uint32_t GetFixed32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
uint64_t GetFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

uint32_t RecordCrc(const char* header, std::string_view payload) {
  uint32_t crc = crc32c::Value(header + 4, kHeaderSize - 4);
  return crc32c::Extend(crc, payload.data(), payload.size());
}

Status ReadExact(const RandomAccessFile* file, uint64_t offset, size_t n, char* dst, size_t* got) {
  std::string_view result;
  PQ_RETURN_IF_ERROR(file->Read(offset, n, &result, dst));
  if (result.data() != dst) std::memmove(dst, result.data(), result.size());
  *got = result.size();
  return Status::OK();
}

}  // namespace

void EncodeRecord(std::string* dst, uint64_t seq, int64_t timestamp_micros, bool last_in_batch,
                  std::string_view payload) {
  char header[kHeaderSize];
  uint32_t length_and_flags = static_cast<uint32_t>(payload.size()) & kLengthMask;
  if (last_in_batch) length_and_flags |= kLastInBatchFlag;
  PutFixed32(header + 4, length_and_flags);
  PutFixed64(header + 8, seq);
  PutFixed64(header + 16, static_cast<uint64_t>(timestamp_micros));
  PutFixed32(header, crc32c::Mask(RecordCrc(header, payload)));
  dst->append(header, kHeaderSize);
  dst->append(payload);
}

std::string SegmentFileName(uint64_t first_seq) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%016llu.log", static_cast<unsigned long long>(first_seq));
  return buf;
}

bool ParseSegmentFileName(std::string_view name, uint64_t* first_seq) {
  if (name.size() != 20 || name.substr(16) != ".log") return false;
  uint64_t v = 0;
  for (size_t i = 0; i < 16; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *first_seq = v;
  return true;
}

SegmentScanner::SegmentScanner(const RandomAccessFile* file, uint64_t start, uint64_t limit)
    : file_(file), offset_(start), limit_(std::max(start, limit)), buf_start_(start) {}

Status SegmentScanner::Ensure(size_t n) {
  uint64_t rel = offset_ - buf_start_;
  if (rel + n <= buf_.size()) return Status::OK();
  buf_.erase(0, std::min<uint64_t>(rel, buf_.size()));
  buf_start_ = offset_;
  size_t want = std::max(n, kReadChunk);
  want = static_cast<size_t>(std::min<uint64_t>(want, limit_ - buf_start_));
  size_t have = buf_.size();
  if (have >= want) return Status::OK();
  buf_.resize(want);
  size_t got = 0;
  PQ_RETURN_IF_ERROR(ReadExact(file_, buf_start_ + have, want - have, buf_.data() + have, &got));
  buf_.resize(have + got);
  if (buf_.size() < n) {
    return Status::IOError("segment shorter than expected at offset " + std::to_string(offset_));
  }
  return Status::OK();
}

Result<SegmentScanner::Outcome> SegmentScanner::Next(Record* record) {
  reason_.clear();
  if (offset_ >= limit_) return Outcome::kEnd;
  uint64_t remaining = limit_ - offset_;
  if (remaining < kHeaderSize) {
    reason_ = "truncated record header (" + std::to_string(remaining) + " bytes)";
    return Outcome::kTorn;
  }
  PQ_RETURN_IF_ERROR(Ensure(kHeaderSize));
  const char* header = buf_.data() + (offset_ - buf_start_);
  uint32_t length_and_flags = GetFixed32(header + 4);
  uint32_t length = length_and_flags & kLengthMask;
  if (length > kMaxPayloadSize) {
    reason_ = "record length " + std::to_string(length) + " exceeds the cap";
    return Outcome::kTorn;
  }
  if (length > remaining - kHeaderSize) {
    reason_ = "record length " + std::to_string(length) + " runs past the end of the segment";
    return Outcome::kTorn;
  }
  PQ_RETURN_IF_ERROR(Ensure(kHeaderSize + length));
  header = buf_.data() + (offset_ - buf_start_);  // Ensure may have moved the buffer
  std::string_view payload(header + kHeaderSize, length);
  uint32_t expected = crc32c::Unmask(GetFixed32(header));
  if (RecordCrc(header, payload) != expected) {
    reason_ = "checksum mismatch";
    return Outcome::kTorn;
  }
  if ((length_and_flags & kReservedFlag) != 0) {
    reason_ = "reserved flag set in a record with a valid checksum";
    return Outcome::kMalformed;
  }
  record->seq = GetFixed64(header + 8);
  record->timestamp_micros = static_cast<int64_t>(GetFixed64(header + 16));
  record->last_in_batch = (length_and_flags & kLastInBatchFlag) != 0;
  record->payload.assign(payload);
  offset_ += kHeaderSize + length;
  return Outcome::kRecord;
}

Result<uint64_t> CountValidRecordsIn(const RandomAccessFile* file, uint64_t start, uint64_t limit,
                                     uint64_t min_seq) {
  if (limit <= start) return uint64_t{0};
  std::string data(static_cast<size_t>(limit - start), '\0');
  size_t got = 0;
  PQ_RETURN_IF_ERROR(ReadExact(file, start, data.size(), data.data(), &got));
  data.resize(got);
  uint64_t count = 0;
  size_t pos = 0;
  while (pos + kHeaderSize <= data.size()) {
    const char* h = data.data() + pos;
    uint32_t length_and_flags = GetFixed32(h + 4);
    uint32_t length = length_and_flags & kLengthMask;
    uint64_t seq = GetFixed64(h + 8);
    bool plausible = (length_and_flags & kReservedFlag) == 0 && length <= kMaxPayloadSize &&
                     length <= data.size() - pos - kHeaderSize && seq >= min_seq &&
                     seq - min_seq < (uint64_t{1} << 32);
    if (plausible &&
        RecordCrc(h, std::string_view(h + kHeaderSize, length)) == crc32c::Unmask(GetFixed32(h))) {
      ++count;
      pos += kHeaderSize + length;
    } else {
      ++pos;
    }
  }
  return count;
}

}  // namespace parquedb::log
