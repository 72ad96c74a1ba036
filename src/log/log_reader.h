// LogReader: a record-at-a-time iterator over a Log's visible records.
//
//   LogReader reader(log);
//   PQ_RETURN_IF_ERROR(reader.Seek(42));
//   Record r;
//   while (true) {
//     PQ_ASSIGN_OR_RETURN(bool more, reader.Next(&r));
//     if (!more) break;  // caught up with the log (more may arrive later)
//     ...
//   }
//
// Seeking is cheap: segments are found by binary search on their first seq, then a
// sparse in-memory offset index narrows the scan to at most ~64 KiB. Not thread-safe;
// must not outlive its Log.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "log/log.h"

namespace parquedb::log {

class LogReader {
 public:
  explicit LogReader(Log* log);

  // Positions the reader so that Next() yields `seq` first. Seeking past the end is
  // allowed (Next() returns false until the log reaches it). NotFound if `seq` was
  // dropped by retention; InvalidArgument for seq 0.
  Status Seek(uint64_t seq);

  // Fills *record with the next visible record and returns true, or returns false
  // when the reader is at the end of the visible log (call again later to continue).
  Result<bool> Next(Record* record);

  // The seq Next() will yield next.
  uint64_t next_seq() const;

 private:
  Log* const log_;
  LogCursor cursor_;
  std::vector<Record> buffered_;
  size_t pos_ = 0;
};

}  // namespace parquedb::log
