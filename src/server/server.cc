// HTTP/JSON server (cpp-httplib) over the public DB API. See include/parquedb/server.h.
#include "parquedb/server.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "parquedb/stream.h"
#include "server/dashboard_page.h"

namespace parquedb::server {
namespace {

constexpr const char* kJson = "application/json";

std::string CodeName(const Status& s) {
  switch (s.code()) {
    case Status::Code::kOk:
      return "ok";
    case Status::Code::kNotFound:
      return "not_found";
    case Status::Code::kInvalidArgument:
      return "invalid_argument";
    case Status::Code::kAlreadyExists:
      return "already_exists";
    case Status::Code::kNotSupported:
      return "not_supported";
    case Status::Code::kBusy:
      return "busy";
    case Status::Code::kFailedPrecondition:
      return "failed_precondition";
    case Status::Code::kAborted:
      return "aborted";
    case Status::Code::kCorruption:
      return "corruption";
    case Status::Code::kIOError:
      return "io_error";
    default:
      return "internal";
  }
}

void SendJson(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, kJson);
}

void SendError(httplib::Response& res, int status, const std::string& code,
               const std::string& message, const std::string& field = "") {
  Value::Object err{{"status", Value::Int(status)},
                    {"code", Value::String(code)},
                    {"message", Value::String(message)}};
  if (!field.empty()) err.emplace_back("field", Value::String(field));
  SendJson(res, status, Value::MakeObject({{"error", Value::MakeObject(std::move(err))}}).ToJsonString());
}

// "operation 0: Order.total: expected ..." / "Order.total: expected ..." -> "total".
std::string FieldOf(const std::string& message, std::string_view collection) {
  std::string_view m = message;
  if (m.rfind("operation ", 0) == 0) {
    size_t colon = m.find(": ");
    if (colon != std::string_view::npos) m = m.substr(colon + 2);
  }
  if (!collection.empty() && m.size() > collection.size() + 1 && m.rfind(collection, 0) == 0 &&
      m[collection.size()] == '.') {
    size_t colon = m.find(": ", collection.size());
    if (colon != std::string_view::npos) {
      return std::string(m.substr(collection.size() + 1, colon - collection.size() - 1));
    }
  }
  return "";
}

// Status -> HTTP. InvalidArgument is 422 for writes (an invalid document), 400 for
// reads (a bad filter/sort/...).
void SendStatus(httplib::Response& res, const Status& s, bool write,
                std::string_view collection = "") {
  int code = 500;
  switch (s.code()) {
    case Status::Code::kInvalidArgument:
      code = write ? 422 : 400;
      break;
    case Status::Code::kNotFound:
      code = 404;
      break;
    case Status::Code::kAlreadyExists:
    case Status::Code::kFailedPrecondition:
    case Status::Code::kAborted:
      code = 409;
      break;
    case Status::Code::kBusy:
      code = 503;
      break;
    case Status::Code::kNotSupported:
      code = 501;
      break;
    default:
      break;
  }
  SendError(res, code, CodeName(s), s.message(),
            s.IsInvalidArgument() ? FieldOf(s.message(), collection) : "");
}

std::string DocumentsJson(const std::vector<Value>& docs) {
  std::string out = "{\"documents\":[";
  for (size_t i = 0; i < docs.size(); i++) {
    if (i > 0) out += ',';
    out += docs[i].ToJsonString();
  }
  out += "],\"count\":" + std::to_string(docs.size()) + "}";
  return out;
}

bool ParamTrue(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return false;
  std::string v = req.get_param_value(name);
  return v.empty() || v == "1" || v == "true" || v == "yes";
}

Result<int64_t> ParseInt(std::string_view what, const Value& v) {
  if (v.kind() == Value::Kind::kInt) return v.as_int();
  if (v.kind() == Value::Kind::kString) {
    const std::string& s = v.as_string();
    if (!s.empty() && s.size() < 19 &&
        std::all_of(s.begin() + (s[0] == '-' ? 1 : 0), s.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
        s != "-") {
      return std::stoll(s);
    }
  }
  return Status::InvalidArgument(std::string(what) + ": expected an integer, got " + v.ToJsonString());
}

// FindOptions + filter from a JSON object {filter, sort, limit, skip, project, asOf,
// include}; asOf: an ISO-8601 string or micros since the epoch.
Status ParseFind(const Value& body, Value* filter, FindOptions* opts) {
  if (body.kind() != Value::Kind::kObject) {
    return Status::InvalidArgument("find body: expected an object");
  }
  static const std::string_view kKeys[] = {"filter", "sort", "limit", "skip",
                                           "project", "asOf", "include"};
  for (const auto& [key, value] : body.as_object()) {
    if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys)) {
      return Status::InvalidArgument("find body: unknown key '" + key +
                                     "' (known: filter, sort, limit, skip, project, asOf, include)");
    }
  }
  *filter = Value::MakeObject();
  if (const Value* f = body.Find("filter"); f != nullptr && !f->is_null()) *filter = *f;
  if (const Value* v = body.Find("sort"); v != nullptr) opts->sort = *v;
  if (const Value* v = body.Find("project"); v != nullptr) opts->project = *v;
  if (const Value* v = body.Find("limit"); v != nullptr && !v->is_null()) {
    PQ_ASSIGN_OR_RETURN(opts->limit, ParseInt("limit", *v));
  }
  if (const Value* v = body.Find("skip"); v != nullptr && !v->is_null()) {
    PQ_ASSIGN_OR_RETURN(opts->skip, ParseInt("skip", *v));
  }
  if (const Value* v = body.Find("asOf"); v != nullptr && !v->is_null()) {
    if (v->kind() == Value::Kind::kString) {
      auto t = ParseTimestampMicros(v->as_string());
      if (!t.ok()) return t.status().WithContext("asOf");
      opts->as_of = *t;
    } else if (v->kind() == Value::Kind::kInt) {
      opts->as_of = v->as_int();
    } else {
      return Status::InvalidArgument("asOf: expected an ISO-8601 string or micros");
    }
  }
  if (const Value* v = body.Find("include"); v != nullptr && !v->is_null()) {
    if (v->kind() != Value::Kind::kArray) return Status::InvalidArgument("include: expected an array");
    for (const Value& p : v->as_array()) {
      if (p.kind() != Value::Kind::kString) {
        return Status::InvalidArgument("include: expected an array of strings");
      }
      opts->include.push_back(p.as_string());
    }
  }
  return Status::OK();
}

// The same from query parameters (JSON-valued: filter, sort, project, include).
Result<Value> FindBodyFromQuery(const httplib::Request& req) {
  Value::Object o;
  for (const char* key : {"filter", "sort", "project", "include"}) {
    if (!req.has_param(key)) continue;
    auto v = stream::ParseJsonDocument(req.get_param_value(key));
    if (!v.ok()) return v.status().WithContext(key);
    o.emplace_back(key, *v);
  }
  for (const char* key : {"limit", "skip", "asOf"}) {
    if (req.has_param(key)) o.emplace_back(key, Value::String(req.get_param_value(key)));
  }
  return Value::MakeObject(std::move(o));
}


bool IsSystemName(std::string_view name) { return !name.empty() && name[0] == '_'; }

int64_t WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A view's state for the dashboard: ViewState::ToJson() plus its definition (the
// schema entry) and how far it lags: "lag": {"sequences": the largest distance of a
// source's latest change sequence ahead of the one the view reflects, "seconds":
// since the first source change the view does not reflect (0 when fresh)}.
Value DashboardView(const ViewState& v, const Value& schema, int64_t now) {
  Value o = v.ToJson();
  const Value* def = schema.Find(v.name);
  o.Set("definition", def != nullptr ? *def : Value());
  uint64_t behind = 0;
  for (const auto& [src, current] : v.source_sequences) {
    auto it = v.source_snapshots.find(src);
    uint64_t reflected = it == v.source_snapshots.end() ? 0 : it->second;
    if (current > reflected) behind = std::max(behind, current - reflected);
  }
  double seconds = 0;
  if (v.state == "stale" && v.stale_since) {
    seconds = static_cast<double>(std::max<int64_t>(0, now - *v.stale_since)) / 1e6;
  }
  o.Set("lag", Value::MakeObject({{"sequences", Value::Int(static_cast<int64_t>(behind))},
                                  {"seconds", Value::Double(seconds)}}));
  return o;
}

}  // namespace

struct Server::Impl {
  DB* db = nullptr;
  ServerOptions options;
  httplib::Server http;
  int port = -1;

  bool IsCollection(std::string_view name) const {
    for (const std::string& c : db->Collections()) {
      if (c == name) return true;
    }
    return false;
  }

  // Responds 404 and returns false for an unknown collection.
  bool RequireCollection(const std::string& name, httplib::Response& res) const {
    if (IsCollection(name)) return true;
    SendError(res, 404, "not_found", "no collection '" + name + "'");
    return false;
  }

  // Parses a JSON request body; responds 400 with the position otherwise.
  bool Body(const httplib::Request& req, httplib::Response& res, Value* out) const {
    auto v = stream::ParseJsonDocument(req.body);
    if (!v.ok()) {
      SendError(res, 400, "bad_json", v.status().message());
      return false;
    }
    *out = std::move(*v);
    return true;
  }

  void Find(const std::string& name, const Value& body, httplib::Response& res) {
    Value filter;
    FindOptions opts;
    Status s = ParseFind(body, &filter, &opts);
    if (!s.ok()) return SendStatus(res, s, false);
    auto docs = db->Find(name, filter, opts);
    if (!docs.ok()) return SendStatus(res, docs.status(), false, name);
    SendJson(res, 200, DocumentsJson(*docs));
  }

  void Routes();
};

void Server::Impl::Routes() {
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    // The dashboard page itself holds no data (its API calls carry the token).
    if (options.token.empty() || req.path == "/health" || req.path == "/" ||
        req.path == "/dashboard") {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    const std::string expected = "Bearer " + options.token;
    const std::string got = req.get_header_value("Authorization");
    // Constant-time comparison of equal-length strings.
    unsigned diff = got.size() == expected.size() ? 0u : 1u;
    for (size_t i = 0; i < std::min(got.size(), expected.size()); i++) {
      diff |= static_cast<unsigned>(got[i] ^ expected[i]);
    }
    if (diff == 0) return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("WWW-Authenticate", "Bearer");
    SendError(res, 401, "unauthorized", "missing or wrong bearer token");
    return httplib::Server::HandlerResponse::Handled;
  });
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string message = res.status == 404   ? "no such endpoint"
                          : res.status == 413 ? "request body too large"
                                              : "HTTP error " + std::to_string(res.status);
    SendError(res, res.status, res.status == 413 ? "payload_too_large" : "http_error", message);
  });
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    SendError(res, 500, "internal", what);
  });

  http.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    SendJson(res, 200,
             Value::MakeObject({{"status", Value::String("ok")},
                                {"lastSequence", Value::Int(static_cast<int64_t>(db->LastSequence()))}})
                 .ToJsonString());
  });

  http.Post(R"(/ingest/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    if (!RequireCollection(name, res)) return;
    stream::IngestOptions opts;
    opts.partial = ParamTrue(req, "partial");
    auto r = stream::IngestText(db, name, req.body, opts);
    if (!r.ok()) {
      if (r.status().IsInvalidArgument()) {
        return SendError(res, 400, "bad_json", r.status().message());
      }
      return SendStatus(res, r.status(), true, name);
    }
    const bool failed = !opts.partial && !r->rejected.empty();
    SendJson(res, failed ? 422 : 200, r->ToJson().ToJsonString());
  });

  // ---- collections ----
  http.Get("/collections", [this](const httplib::Request&, httplib::Response& res) {
    Value::Array names;
    for (const std::string& c : db->Collections()) {
      if (!c.empty() && c[0] == '_') continue;  // system collections
      names.push_back(Value::String(c));
    }
    SendJson(res, 200, Value::MakeObject({{"collections", Value::MakeArray(std::move(names))}}).ToJsonString());
  });
  http.Get(R"(/collections/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    if (!RequireCollection(name, res)) return;
    auto body = FindBodyFromQuery(req);
    if (!body.ok()) return SendError(res, 400, "bad_query", body.status().message());
    Find(name, *body, res);
  });
  http.Post(R"(/collections/([^/]+)/find)", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    if (!RequireCollection(name, res)) return;
    Value body;
    if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
      body = Value::MakeObject();
    } else if (!Body(req, res, &body)) {
      return;
    }
    Find(name, body, res);
  });
  http.Post(R"(/collections/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    if (!RequireCollection(name, res)) return;
    Value body;
    if (!Body(req, res, &body)) return;
    if (body.kind() == Value::Kind::kArray) {
      auto docs = db->InsertMany(name, body.as_array());
      if (!docs.ok()) return SendStatus(res, docs.status(), true, name);
      return SendJson(res, 201, DocumentsJson(*docs));
    }
    if (body.kind() != Value::Kind::kObject) {
      return SendError(res, 400, "bad_request", "expected a document object or an array of them");
    }
    auto doc = db->Insert(name, body);
    if (!doc.ok()) return SendStatus(res, doc.status(), true, name);
    SendJson(res, 201, doc->ToJsonString());
  });
  http.Get(R"(/collections/([^/]+)/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    if (!RequireCollection(name, res)) return;
    std::optional<int64_t> as_of;
    if (req.has_param("asOf")) {
      auto t = ParseTimestampMicros(req.get_param_value("asOf"));
      if (!t.ok()) return SendError(res, 400, "bad_query", t.status().WithContext("asOf").message());
      as_of = *t;
    }
    auto doc = db->Get(name, std::string(req.matches[2]), as_of);
    if (!doc.ok()) return SendStatus(res, doc.status(), false, name);
    SendJson(res, 200, doc->ToJsonString());
  });
  http.Patch(R"(/collections/([^/]+)/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    if (!RequireCollection(name, res)) return;
    Value body;
    if (!Body(req, res, &body)) return;
    if (body.kind() != Value::Kind::kObject) {
      return SendError(res, 400, "bad_request", "expected an update object");
    }
    auto doc = db->Update(name, std::string(req.matches[2]), body);
    if (!doc.ok()) return SendStatus(res, doc.status(), true, name);
    SendJson(res, 200, doc->ToJsonString());
  });
  http.Delete(R"(/collections/([^/]+)/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    if (!RequireCollection(name, res)) return;
    const std::string id = req.matches[2];
    Status s = db->Delete(name, id);
    if (!s.ok()) return SendStatus(res, s, true, name);
    SendJson(res, 200, Value::MakeObject({{"deleted", Value::String(id)}}).ToJsonString());
  });

  // ---- views ----
  http.Get("/views", [this](const httplib::Request&, httplib::Response& res) {
    Value::Array views;
    for (const ViewState& v : db->ListViews()) views.push_back(v.ToJson());
    SendJson(res, 200, Value::MakeObject({{"views", Value::MakeArray(std::move(views))}}).ToJsonString());
  });
  http.Get(R"(/views/([^/]+)/state)", [this](const httplib::Request& req, httplib::Response& res) {
    auto state = db->GetViewState(std::string(req.matches[1]));
    if (!state.ok()) return SendStatus(res, state.status(), false);
    SendJson(res, 200, state->ToJson().ToJsonString());
  });
  http.Post(R"(/views/([^/]+)/refresh)", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    RefreshViewOptions opts;
    opts.full = ParamTrue(req, "full");
    Status s = db->RefreshView(name, opts);
    if (!s.ok()) return SendStatus(res, s, true);
    auto state = db->GetViewState(name);
    if (!state.ok()) return SendStatus(res, state.status(), false);
    SendJson(res, 200, state->ToJson().ToJsonString());
  });
  auto view_find = [this](const std::string& name, const Value& body, httplib::Response& res) {
    auto state = db->GetViewState(name);
    if (!state.ok()) return SendStatus(res, state.status(), false);
    Find(name, body, res);
  };
  http.Get(R"(/views/([^/]+))", [view_find](const httplib::Request& req, httplib::Response& res) {
    auto body = FindBodyFromQuery(req);
    if (!body.ok()) return SendError(res, 400, "bad_query", body.status().message());
    view_find(req.matches[1], *body, res);
  });
  http.Post(R"(/views/([^/]+)/find)", [this, view_find](const httplib::Request& req, httplib::Response& res) {
    Value body = Value::MakeObject();
    if (req.body.find_first_not_of(" \t\r\n") != std::string::npos && !Body(req, res, &body)) return;
    view_find(req.matches[1], body, res);
  });

  // ---- dashboard: the page, and the JSON it reads beyond the endpoints above ----
  auto page = [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_content(std::string(DashboardPage()), "text/html; charset=utf-8");
  };
  http.Get("/", page);
  http.Get("/dashboard", page);
  // {"collections": [{"name", "rows"}]} (system collections left out).
  http.Get("/api/collections", [this](const httplib::Request&, httplib::Response& res) {
    Value::Array out;
    for (const std::string& c : db->Collections()) {
      if (IsSystemName(c)) continue;
      auto n = db->Count(c, Value::MakeObject());
      if (!n.ok()) return SendStatus(res, n.status(), false, c);
      out.push_back(Value::MakeObject({{"name", Value::String(c)}, {"rows", Value::Int(*n)}}));
    }
    SendJson(res, 200, Value::MakeObject({{"collections", Value::MakeArray(std::move(out))}}).ToJsonString());
  });
  // {"now", "lastSequence", "views": [state + "definition" + "lag"]} (see DashboardView).
  http.Get("/api/views", [this](const httplib::Request&, httplib::Response& res) {
    const int64_t now = WallMicros();
    const Value schema = db->schema();
    Value::Array out;
    for (const ViewState& v : db->ListViews()) out.push_back(DashboardView(v, schema, now));
    SendJson(res, 200,
             Value::MakeObject({{"now", Value::String(FormatTimestampMicros(now))},
                                {"lastSequence", Value::Int(static_cast<int64_t>(db->LastSequence()))},
                                {"views", Value::MakeArray(std::move(out))}})
                 .ToJsonString());
  });
  // The lineage DAG: {"nodes": [{"id", "kind": "collection"|"view", "level", "rows"
  // [, "mode", "state"]}], "edges": [{"from", "to", "kind": "from"|"expand"}]}; a view's
  // "from" edge comes from its $from, "expand" edges from the other collections its
  // $expand reads; level 0 for collections, 1 + the deepest input for views.
  http.Get("/api/dag", [this](const httplib::Request&, httplib::Response& res) {
    std::map<std::string, int64_t> level;
    Value::Array nodes;
    for (const std::string& c : db->Collections()) {
      if (IsSystemName(c)) continue;
      auto n = db->Count(c, Value::MakeObject());
      if (!n.ok()) return SendStatus(res, n.status(), false, c);
      level[c] = 0;
      nodes.push_back(Value::MakeObject({{"id", Value::String(c)},
                                         {"kind", Value::String("collection")},
                                         {"level", Value::Int(0)},
                                         {"rows", Value::Int(*n)}}));
    }
    const std::vector<ViewState> views = db->ListViews();
    // Levels by relaxation (views come in topological order; the loop does not rely on it).
    for (size_t round = 0; round <= views.size(); round++) {
      bool changed = false;
      for (const ViewState& v : views) {
        int64_t l = 1;
        for (const auto& entry : v.source_sequences) {
          auto it = level.find(entry.first);
          if (it != level.end()) l = std::max(l, it->second + 1);
        }
        if (level[v.name] != l) {
          level[v.name] = l;
          changed = true;
        }
      }
      if (!changed) break;
    }
    Value::Array edges;
    for (const ViewState& v : views) {
      nodes.push_back(Value::MakeObject({{"id", Value::String(v.name)},
                                         {"kind", Value::String("view")},
                                         {"level", Value::Int(level[v.name])},
                                         {"rows", Value::Int(v.rows)},
                                         {"mode", Value::String(v.mode)},
                                         {"state", Value::String(v.state)}}));
      edges.push_back(Value::MakeObject({{"from", Value::String(v.source)},
                                         {"to", Value::String(v.name)},
                                         {"kind", Value::String("from")}}));
      for (const auto& entry : v.source_sequences) {
        if (entry.first == v.source) continue;
        edges.push_back(Value::MakeObject({{"from", Value::String(entry.first)},
                                           {"to", Value::String(v.name)},
                                           {"kind", Value::String("expand")}}));
      }
    }
    SendJson(res, 200,
             Value::MakeObject({{"nodes", Value::MakeArray(std::move(nodes))},
                                {"edges", Value::MakeArray(std::move(edges))}})
                 .ToJsonString());
  });
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Create(DB* db, const ServerOptions& options) {
  if (db == nullptr) return Status::InvalidArgument("server needs a database");
  if (options.port < 0 || options.port > 65535) {
    return Status::InvalidArgument("port " + std::to_string(options.port) + " out of range");
  }
  if (options.max_body_bytes == 0) return Status::InvalidArgument("max body size must be positive");
  auto impl = std::make_unique<Impl>();
  impl->db = db;
  impl->options = options;
  impl->http.set_payload_max_length(options.max_body_bytes);
  impl->Routes();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Status Server::Bind() {
  const std::string& host = impl_->options.host;
  if (impl_->options.port == 0) {
    impl_->port = impl_->http.bind_to_any_port(host);
    if (impl_->port < 0) return Status::IOError("cannot bind " + host + " (any port)");
  } else {
    if (!impl_->http.bind_to_port(host, impl_->options.port)) {
      return Status::IOError("cannot bind " + host + ":" + std::to_string(impl_->options.port) +
                             " (in use, or not a local address)");
    }
    impl_->port = impl_->options.port;
  }
  return Status::OK();
}

int Server::port() const { return impl_->port; }

Status Server::Serve() {
  if (impl_->port < 0) PQ_RETURN_IF_ERROR(Bind());
  if (!impl_->http.listen_after_bind()) return Status::IOError("the server stopped with an error");
  return Status::OK();
}

void Server::Stop() { impl_->http.stop(); }

}  // namespace parquedb::server
