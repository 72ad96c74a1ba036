// `parquedb serve` and `parquedb ingest`: the HTTP server and stream ingestion
// commands (include/parquedb/server.h, include/parquedb/stream.h).
#pragma once

#include <cstdint>
#include <string>

#include "cli_util.h"

namespace parquedb::cli {

struct ServeArgs {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string token;  // empty: $PARQUEDB_TOKEN if set
  int64_t max_body = 16 << 20;
};
// Serves until SIGINT/SIGTERM; prints {"listening": URL, "port": P} once bound.
int RunServe(const GlobalOptions& g, const ServeArgs& a);

struct IngestArgs {
  std::string collection;
  std::string file = "-";
  bool partial = false;
  bool follow = false;
  int64_t batch_size = 1000;
  int64_t flush_interval_ms = 1000;
};
// Without --follow: ingests the whole input (NDJSON or a JSON array) atomically
// (or partially) and prints {"accepted", "rejected"}. With --follow: tails the file,
// committing batches with the file position until SIGINT/SIGTERM, resuming after
// the committed position when restarted; prints one JSON line per batch.
int RunIngest(const GlobalOptions& g, const IngestArgs& a);

}  // namespace parquedb::cli
