// On-disk format of the CDC log, and a verifying sequential reader for one segment.
//
// A log is a directory of segments named "<first seq, 16 decimal digits>.log". A
// segment is a sequence of records, all little-endian:
//
//   offset  size  field
//   0       4     masked crc32c of bytes [4, 24 + length)  (crc32c::Mask)
//   4       4     length_and_flags: bits 0..29 payload length (<= kMaxPayloadSize),
//                 bit 31 kLastInBatch, bit 30 reserved (must be 0)
//   8       8     sequence number (first record of a segment has the file's seq; each
//                 next record has seq + 1)
//   16      8     timestamp, microseconds since the Unix epoch (int64)
//   24      len   payload (opaque bytes)
//
// A write batch is a run of records whose last one carries kLastInBatch; a batch never
// spans two segments. Readers and recovery treat a batch without its final record as
// never written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "parquedb/env.h"
#include "parquedb/status.h"

namespace parquedb::log {

inline constexpr size_t kHeaderSize = 24;
inline constexpr uint32_t kMaxPayloadSize = 256u << 20;  // 256 MiB
inline constexpr uint32_t kLengthMask = (1u << 30) - 1;
inline constexpr uint32_t kReservedFlag = 1u << 30;
inline constexpr uint32_t kLastInBatchFlag = 1u << 31;

// One log record as delivered to readers.
struct Record {
  uint64_t seq = 0;
  int64_t timestamp_micros = 0;
  bool last_in_batch = false;  // true on the final record of its write batch
  std::string payload;

  bool operator==(const Record&) const = default;
};

// Appends the encoded record to *dst. payload.size() must be <= kMaxPayloadSize.
void EncodeRecord(std::string* dst, uint64_t seq, int64_t timestamp_micros, bool last_in_batch,
                  std::string_view payload);

// "0000000000000042.log" for 42, and back. Parse returns false for any other name.
std::string SegmentFileName(uint64_t first_seq);
bool ParseSegmentFileName(std::string_view name, uint64_t* first_seq);

// Reads and verifies the records of one segment file in [start, limit), sequentially.
// Never trusts a length field: it is capped at kMaxPayloadSize and checked against
// `limit` before anything is allocated. Not thread-safe; `file` must outlive it.
class SegmentScanner {
 public:
  enum class Outcome {
    kRecord,     // *record filled; offset() moved past it
    kEnd,        // offset() == limit
    kTorn,       // what follows offset() is not a whole valid record (short header,
                 // length past the limit or over the cap, checksum mismatch): what a
                 // torn or partial write leaves behind
    kMalformed,  // checksum is valid but the header is not (reserved bits): never
                 // produced by a torn write
  };

  SegmentScanner(const RandomAccessFile* file, uint64_t start, uint64_t limit);

  // Decodes the record at offset(). I/O errors are returned as a Status; otherwise
  // the outcome, with reason() describing kTorn/kMalformed. Records are not checked
  // for sequence continuity (callers do that).
  Result<Outcome> Next(Record* record);

  uint64_t offset() const { return offset_; }
  const std::string& reason() const { return reason_; }

 private:
  // Makes bytes [offset_, offset_ + n) available in buf_ (n <= limit_ - offset_).
  Status Ensure(size_t n);

  const RandomAccessFile* file_;
  uint64_t offset_;
  uint64_t limit_;
  std::string buf_;
  uint64_t buf_start_;  // file offset of buf_[0]
  std::string reason_;
};

// Counts records with a valid checksum and a sequence number in
// [min_seq, min_seq + 2^32) that start at any byte offset in [start, limit). Used
// after a torn tail to report whether real data followed the tear. Reads the range.
Result<uint64_t> CountValidRecordsIn(const RandomAccessFile* file, uint64_t start, uint64_t limit,
                                     uint64_t min_seq);

}  // namespace parquedb::log
