// Manifest: one committed version of the native store: which immutable data
// files make up each table, and up to which CDC sequence they hold the data.
// Serialized as JSON; committed by writing manifest/MANIFEST-<version>.json
// durably and then atomically replacing manifest/CURRENT.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "parquedb/status.h"

namespace parquedb::storage {

struct DataFile {
  std::string path;  // relative to the store's data directory, e.g. "Order/000012.parquet"
  int64_t rows = 0;
  uint64_t min_seq = 0;
  uint64_t max_seq = 0;
  uint64_t bytes = 0;
};

struct TableFiles {
  std::vector<DataFile> files;  // oldest first; a newer file's row wins for the same $id
};

struct Manifest {
  uint64_t version = 0;      // 0 = the implicit empty store
  int64_t committed_at = 0;  // micros
  uint64_t flushed_seq = 0;  // every CDC event <= flushed_seq is in the files
  int64_t flushed_ts = 0;    // timestamp of event flushed_seq (0 if none)
  uint64_t next_file_id = 1;
  std::map<std::string, TableFiles> tables;
  // Per-table history horizons (micros) set by a per-table vacuum: as_of earlier than
  // this cannot read that table any more (its older files may be gone).
  std::map<std::string, int64_t> horizons;

  std::string ToJson() const;
  static Result<Manifest> FromJson(std::string_view text);
};

}  // namespace parquedb::storage
