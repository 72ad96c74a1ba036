// HTTP/JSON server over a DB (what `parquedb serve` runs).
//
//   POST   /ingest/<Collection>[?partial=true]     TailItem[] / records (JSON array,
//                                                  object or NDJSON) -> {accepted, rejected}
//   GET    /collections                            {"collections": [names]}
//   GET    /collections/<Name>[?filter=&sort=&limit=&skip=&project=&asOf=]
//   POST   /collections/<Name>                     insert an object (201) or an array
//                                                  (atomic, 201)
//   POST   /collections/<Name>/find                {filter, sort, limit, skip, project,
//                                                  asOf, include} -> {"documents": [...]}
//   GET|PATCH|DELETE /collections/<Name>/<id>
//   GET    /views                                  {"views": [state...]}
//   GET    /views/<Name>, POST /views/<Name>/find  rows, as for collections
//   GET    /views/<Name>/state
//   POST   /views/<Name>/refresh[?full=1]
//   GET    /health                                 {"status": "ok", ...} (no token needed)
//   GET    / and /dashboard                        the web dashboard page (no token needed;
//                                                  its API calls send one: open /?token=T)
//   GET    /api/collections                        {"collections": [{"name", "rows"}]}
//   GET    /api/views                              {"now", "lastSequence", "views": [state +
//                                                  "definition" + "lag": {"sequences",
//                                                  "seconds"}]}
//   GET    /api/dag                                {"nodes": [{"id", "kind", "level", "rows",
//                                                  ...}], "edges": [{"from", "to", "kind"}]}
//
// Errors are {"error": {"status", "code", "message"[, "field"]}}: 400 bad JSON (with
// line and column) or bad query, 401 missing/wrong bearer token, 404 unknown
// collection/view/document, 409 conflict, 413 body over the limit, 422 invalid
// document (the field named), 501 not supported, 500 otherwise.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "parquedb/db.h"
#include "parquedb/status.h"

namespace parquedb::server {

struct ServerOptions {
  std::string host = "127.0.0.1";  // loopback unless asked otherwise
  int port = 8080;                 // 0: an ephemeral port (see Server::port())
  std::string token;               // non-empty: require "Authorization: Bearer <token>"
  size_t max_body_bytes = 16 << 20;
};

class Server {
 public:
  // `db` must outlive the server.
  static Result<std::unique_ptr<Server>> Create(DB* db, const ServerOptions& options);
  ~Server();

  // Binds the listening socket. IOError if the address is taken.
  Status Bind();
  // The bound port (after Bind).
  int port() const;
  // Serves requests until Stop() (blocks). Requests in progress complete first.
  Status Serve();
  // Makes Serve() return; callable from any thread (not from a signal handler).
  void Stop();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace parquedb::server
