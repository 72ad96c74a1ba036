// parquedb: the command-line tool of the core database.
//
//   parquedb [--db DIR] <command> [args...]
//
// Output is machine-readable: documents and events as NDJSON (one compact JSON
// object per line, members in document order), states as one JSON object.
// Timestamps are ISO-8601 strings, decimals exact strings. Errors go to stderr as
// "parquedb: <message>"; exit codes: 0 ok, 1 the operation failed, 2 bad usage.
//
// Each command is one Add*Command (declares its arguments) plus one Run* function
// (does the work). Command groups with their own subcommands (e.g. a future
// `views list|state|refresh|drop|alter|vacuum`) add a subcommand with
// require_subcommand(1) and register their children the same way.
//
// Only the public API (include/parquedb/) is used.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli_util.h"
#include "progress.h"
#include "stream_commands.h"
#include "sql_command.h"
#include "views_commands.h"
#include "parquedb/db.h"
#include "parquedb/env.h"
#include "parquedb/sql.h"
#include "parquedb/status.h"
#include "parquedb/value.h"

namespace parquedb::cli {
namespace {

// The selected command's action, set by its CLI11 callback during parsing and run
// once parsing succeeded.
struct Cli {
  GlobalOptions global;
  std::function<int()> run;
};

// Registers `sub` so that selecting it runs `fn(global, args)`.
template <typename Args>
void OnSelected(CLI::App* sub, Cli& cli, std::shared_ptr<Args> args,
                int (*fn)(const GlobalOptions&, const Args&)) {
  sub->callback([&cli, args, fn] { cli.run = [&cli, args, fn] { return fn(cli.global, *args); }; });
}

// Optional --as-of argument shared by the read commands.
struct AsOfArg {
  std::string text;
  Result<std::optional<int64_t>> Parse() const {
    if (text.empty()) return std::optional<int64_t>();
    PQ_ASSIGN_OR_RETURN(int64_t micros, ParseTimestampArgument("--as-of", text));
    return std::optional<int64_t>(micros);
  }
};

void AddAsOfOption(CLI::App* sub, AsOfArg* arg) {
  sub->add_option("--as-of", arg->text,
                  "Read the state at this instant (ISO-8601, e.g. 2026-01-02T03:04:05Z)");
}

// Prints `status` as a usage error (exit 2) when it came from parsing an argument.
int ArgumentError(const Status& status) { return UsageError(ErrorText(status)); }

// CLI11 validator for integer options that must be >= `min`.
CLI::Validator IntAtLeast(int64_t min) {
  return CLI::Validator(
      [min](std::string& text) -> std::string {
        int64_t v = 0;
        if (!CLI::detail::lexical_cast(text, v) || v < min) {
          return "'" + text + "' is not an integer >= " + std::to_string(min);
        }
        return std::string();
      },
      "INT>=" + std::to_string(min));
}

// ---- init ---------------------------------------------------------------------

struct InitArgs {
  std::string schema_file;
  std::string format;  // "" = keep the recorded table format
};

int RunInit(const GlobalOptions& g, const InitArgs& a) {
  auto text = ReadInputFile(a.schema_file);
  if (!text.ok()) return Fail(text.status());
  auto schema = Value::ParseJson(*text);
  if (!schema.ok()) {
    return Fail(Status::InvalidArgument("schema " + a.schema_file + ": " +
                                        DescribeJsonError(schema.status(), *text)));
  }
  Options o;
  o.path = g.db_path;
  // Look at what is there first, to report whether this created or updated it.
  bool existed = false;
  Value old_schema;
  if (Env::Default()->FileExists(g.db_path)) {
    auto old = DB::Open(o);
    if (old.ok()) {
      existed = true;
      old_schema = (*old)->schema();
    } else if (!old.status().IsNotFound()) {
      return Fail(old.status());
    }
  }
  o.table_format = a.format;
  auto db = DB::Open(o, *schema);
  if (!db.ok()) {
    if (db.status().IsInvalidArgument()) {
      return Fail(db.status().WithContext(existed ? "schema " + a.schema_file +
                                                        " is not compatible with " + g.db_path
                                                  : "schema " + a.schema_file));
    }
    return Fail(db.status());
  }
  Value stored = (*db)->schema();
  Value::Array names;
  for (const std::string& n : (*db)->Collections()) names.push_back(Value::String(n));
  PrintJson(JsonObject({
      {"path", Value::String(g.db_path)},
      {"created", Value::Bool(!existed)},
      {"schema_changed", Value::Bool(!existed || !(old_schema == stored))},
      {"collections", Value::MakeArray(std::move(names))},
  }));
  return kExitOk;
}

void AddInitCommand(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<InitArgs>();
  CLI::App* sub = app.add_subcommand(
      "init",
      "Create the database with a schema, or update its schema (compatible changes only: "
      "new collections, views, optional fields)");
  sub->add_option("--schema", args->schema_file, "Schema JSON file (IceType object)")->required();
  sub->add_option("--format", args->format,
                  "Table format: native (default), iceberg or delta (also keeps an Apache Iceberg "
                  "v2 / Delta Lake table per collection under DIR/iceberg or DIR/delta, "
                  "committed at every flush; fixed once chosen)")
      ->check(CLI::IsMember({"native", "iceberg", "delta"}));
  OnSelected(sub, cli, args, &RunInit);
}

// ---- insert -------------------------------------------------------------------

struct InsertArgs {
  std::string collection;
  std::string file = "-";
  int64_t batch_size = 0;
  bool quiet = false;
};

// A Status of the same kind as `like` with another message.
Status SameKind(const Status& like, std::string_view message) {
  switch (like.code()) {
    case Status::Code::kNotFound:
      return Status::NotFound(message);
    case Status::Code::kAlreadyExists:
      return Status::AlreadyExists(message);
    case Status::Code::kInvalidArgument:
      return Status::InvalidArgument(message);
    default:
      return like;  // other kinds keep their text as is
  }
}

// Maps the library's "operation <i>: ..." batch context to the input position
// ("line 7: ..."), so errors point at the offending input document.
Status LocateBatchError(const Status& s, const std::vector<InputDocument>& batch) {
  if (batch.size() == 1) return s.WithContext(batch[0].where);
  const std::string& msg = s.message();
  static constexpr std::string_view kPrefix = "operation ";
  if (msg.compare(0, kPrefix.size(), kPrefix) != 0) return s;
  size_t pos = kPrefix.size();
  size_t index = 0;
  bool digits = false;
  while (pos < msg.size() && msg[pos] >= '0' && msg[pos] <= '9' && index < batch.size()) {
    index = index * 10 + static_cast<size_t>(msg[pos] - '0');
    pos++;
    digits = true;
  }
  if (!digits || index >= batch.size() || msg.compare(pos, 2, ": ") != 0) return s;
  return SameKind(s, msg.substr(pos + 2)).WithContext(batch[index].where);
}

int RunInsert(const GlobalOptions& g, const InsertArgs& a) {
  auto reader = DocumentReader::Open(a.file);
  if (!reader.ok()) return Fail(reader.status());
  ProgressBar& bar = ProgressBar::Get();
  if (a.quiet) bar.Enable(false);
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  int64_t inserted = 0;
  std::vector<InputDocument> batch;
  auto failed = [&](Status s) {
    if (inserted > 0) {
      s = Status::InvalidArgument(ErrorText(s) + " (" + std::to_string(inserted) +
                                  " documents of earlier batches were stored)");
    }
    return Fail(s);
  };
  auto commit = [&]() -> Status {
    if (batch.empty()) return Status::OK();
    WriteBatch wb;
    for (InputDocument& d : batch) wb.Insert(a.collection, std::move(d.doc));
    std::vector<Value> stored;
    Status s = (*db)->Write(wb, &stored);
    if (!s.ok()) return LocateBatchError(s, batch);
    inserted += static_cast<int64_t>(stored.size());
    if (!a.quiet) {
      for (const Value& d : stored) PrintJson(d);
    }
    batch.clear();
    return Status::OK();
  };
  const std::string read_label = "read " + (*reader)->source();
  int64_t read_docs = 0;
  while (true) {
    auto next = (*reader)->Next();
    if (!next.ok()) return failed(next.status());
    if (!next->has_value()) break;
    batch.push_back(std::move(**next));
    if (bar.enabled() && ++read_docs % 256 == 0) {
      bar.Update(read_label, "bytes", (*reader)->bytes_read(), (*reader)->total_bytes(),
                 HumanCount(static_cast<double>(read_docs)) + " documents");
    }
    if (a.batch_size > 0 && static_cast<int64_t>(batch.size()) >= a.batch_size) {
      Status s = commit();
      if (!s.ok()) return failed(s);
    }
  }
  Status s = commit();
  if (!s.ok()) return failed(s);
  if (a.quiet) PrintJson(JsonObject({{"inserted", Value::Int(inserted)}}));
  return kExitOk;
}

void AddInsertCommand(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<InsertArgs>();
  CLI::App* sub = app.add_subcommand(
      "insert",
      "Insert documents (NDJSON, one per line, or a JSON array) and print them as stored. "
      "All documents are committed as one atomic batch: on any bad document nothing is "
      "stored and the error names its line");
  sub->add_option("NAME", args->collection, "Collection")->required();
  sub->add_option("FILE", args->file, "Input file, or - for stdin")->capture_default_str();
  sub->add_option("--batch-size", args->batch_size,
                  "Commit every N documents instead of all at once (for very large inputs); "
                  "on an error, only the batches completed before it are kept")
      ->check(IntAtLeast(1));
  sub->add_flag("-q,--quiet", args->quiet, "Print only {\"inserted\": N}");
  OnSelected(sub, cli, args, &RunInsert);
}

// ---- get / update / delete ----------------------------------------------------

struct GetArgs {
  std::string collection;
  std::string id;
  AsOfArg as_of;
};

int RunGet(const GlobalOptions& g, const GetArgs& a) {
  auto as_of = a.as_of.Parse();
  if (!as_of.ok()) return ArgumentError(as_of.status());
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  auto doc = (*db)->Get(a.collection, a.id, *as_of);
  if (!doc.ok()) return Fail(doc.status());
  PrintJson(*doc);
  return kExitOk;
}

void AddGetCommand(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<GetArgs>();
  CLI::App* sub = app.add_subcommand("get", "Print one document by $id");
  sub->add_option("NAME", args->collection, "Collection")->required();
  sub->add_option("ID", args->id, "Document $id")->required();
  AddAsOfOption(sub, &args->as_of);
  OnSelected(sub, cli, args, &RunGet);
}

struct UpdateArgs {
  std::string collection;
  std::string id;
  std::string update;
};

int RunUpdate(const GlobalOptions& g, const UpdateArgs& a) {
  auto update = ParseJsonArgument("update JSON", a.update);
  if (!update.ok()) return ArgumentError(update.status());
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  auto doc = (*db)->Update(a.collection, a.id, *update);
  if (!doc.ok()) return Fail(doc.status());
  PrintJson(*doc);
  return kExitOk;
}

void AddUpdateCommand(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<UpdateArgs>();
  CLI::App* sub = app.add_subcommand(
      "update",
      "Update one document and print it: JSON is {\"$set\": {...}, \"$unset\": {...}, "
      "\"$inc\": {...}, \"$push\": {...}} or a plain object (= $set)");
  sub->add_option("NAME", args->collection, "Collection")->required();
  sub->add_option("ID", args->id, "Document $id")->required();
  sub->add_option("JSON", args->update, "Update object")->required();
  OnSelected(sub, cli, args, &RunUpdate);
}

struct DeleteArgs {
  std::string collection;
  std::string id;
};

int RunDelete(const GlobalOptions& g, const DeleteArgs& a) {
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  Status s = (*db)->Delete(a.collection, a.id);
  if (!s.ok()) return Fail(s);
  PrintJson(JsonObject({{"deleted", Value::Bool(true)},
                        {"collection", Value::String(a.collection)},
                        {"id", Value::String(a.id)}}));
  return kExitOk;
}

void AddDeleteCommand(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<DeleteArgs>();
  CLI::App* sub = app.add_subcommand("delete", "Delete one document by $id");
  sub->add_option("NAME", args->collection, "Collection")->required();
  sub->add_option("ID", args->id, "Document $id")->required();
  OnSelected(sub, cli, args, &RunDelete);
}

// ---- find / count -------------------------------------------------------------

struct FindArgs {
  std::string collection;
  std::string filter;
  std::string sort;
  std::string project;
  int64_t limit = -1;
  int64_t skip = 0;
  std::vector<std::string> include;
  AsOfArg as_of;
  bool route = false;    // may answer from a materialized view (FindRouted)
  bool explain = false;  // print the routing decision to stderr
};

// An optional JSON argument: null when not given.
Result<Value> OptionalJson(std::string_view what, const std::string& text) {
  if (text.empty()) return Value();
  return ParseJsonArgument(what, text);
}

int RunFind(const GlobalOptions& g, const FindArgs& a) {
  auto filter = OptionalJson("filter", a.filter);
  if (!filter.ok()) return ArgumentError(filter.status());
  FindOptions fo;
  auto sort = OptionalJson("--sort", a.sort);
  if (!sort.ok()) return ArgumentError(sort.status());
  fo.sort = std::move(*sort);
  auto project = OptionalJson("--project", a.project);
  if (!project.ok()) return ArgumentError(project.status());
  fo.project = std::move(*project);
  auto as_of = a.as_of.Parse();
  if (!as_of.ok()) return ArgumentError(as_of.status());
  fo.as_of = *as_of;
  fo.limit = a.limit;
  fo.skip = a.skip;
  for (const std::string& inc : a.include) {
    if (!inc.empty()) fo.include.push_back(inc);
  }
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  std::vector<std::string> explain;
  auto docs = a.route || a.explain ? FindRouted(db->get(), a.collection, *filter, fo, &explain)
                                   : (*db)->Find(a.collection, *filter, fo);
  if (a.explain) {
    for (const std::string& line : explain) std::fprintf(stderr, "explain: %s\n", line.c_str());
  }
  if (!docs.ok()) return Fail(docs.status());
  for (const Value& d : *docs) PrintJson(d);
  return kExitOk;
}

void AddFindCommand(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<FindArgs>();
  CLI::App* sub = app.add_subcommand("find", "Print the documents matching a filter as NDJSON");
  sub->add_option("NAME", args->collection, "Collection")->required();
  sub->add_option("FILTER_JSON", args->filter,
                  "Mongo-style filter, e.g. '{\"status\": \"paid\", \"total\": {\"$gt\": 100}}'");
  sub->add_option("--sort", args->sort, "Sort spec, e.g. '{\"total\": -1}' (default: by $id)");
  sub->add_option("--limit", args->limit, "At most N documents")->check(IntAtLeast(0));
  sub->add_option("--skip", args->skip, "Skip the first N documents")->check(IntAtLeast(0));
  sub->add_option("--project", args->project,
                  "Projection: '{\"a\": 1, \"b\": 1}' keeps, '{\"a\": 0}' drops fields");
  sub->add_option("--include", args->include,
                  "Relations to inline, comma-separated (e.g. customer,items.product)")
      ->delimiter(',');
  AddAsOfOption(sub, &args->as_of);
  sub->add_flag("--route", args->route,
                "Answer from a materialized view when one provably gives the same documents");
  sub->add_flag("--explain", args->explain, "With --route: print the routing decision to stderr");
  OnSelected(sub, cli, args, &RunFind);
}

struct CountArgs {
  std::string collection;
  std::string filter;
  AsOfArg as_of;
};

int RunCount(const GlobalOptions& g, const CountArgs& a) {
  auto filter = OptionalJson("filter", a.filter);
  if (!filter.ok()) return ArgumentError(filter.status());
  auto as_of = a.as_of.Parse();
  if (!as_of.ok()) return ArgumentError(as_of.status());
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  auto n = (*db)->Count(a.collection, *filter, *as_of);
  if (!n.ok()) return Fail(n.status());
  PrintJson(JsonObject({{"count", Value::Int(*n)}}));
  return kExitOk;
}

void AddCountCommand(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<CountArgs>();
  CLI::App* sub = app.add_subcommand("count", "Count the documents matching a filter");
  sub->add_option("NAME", args->collection, "Collection")->required();
  sub->add_option("FILTER_JSON", args->filter, "Mongo-style filter (default: all)");
  AddAsOfOption(sub, &args->as_of);
  OnSelected(sub, cli, args, &RunCount);
}

// ---- flush / compact / vacuum -------------------------------------------------

struct NoArgs {};

int RunFlush(const GlobalOptions& g, const NoArgs&) {
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  Status s = (*db)->Flush();
  if (!s.ok()) return Fail(s);
  PrintJson(JsonObject({{"flushed", Value::Bool(true)},
                        {"last_seq", Value::Int(static_cast<int64_t>((*db)->LastSequence()))}}));
  return kExitOk;
}

void AddFlushCommand(CLI::App& app, Cli& cli) {
  CLI::App* sub = app.add_subcommand(
      "flush", "Commit all pending writes to Parquet data files now (a new snapshot)");
  OnSelected(sub, cli, std::make_shared<NoArgs>(), &RunFlush);
}

int RunCompact(const GlobalOptions& g, const NoArgs&) {
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  Status s = (*db)->Compact();
  if (!s.ok()) return Fail(s);
  PrintJson(JsonObject({{"compacted", Value::Bool(true)},
                        {"last_seq", Value::Int(static_cast<int64_t>((*db)->LastSequence()))}}));
  return kExitOk;
}

void AddCompactCommand(CLI::App& app, Cli& cli) {
  CLI::App* sub = app.add_subcommand(
      "compact", "Flush, then rewrite each collection's data files into one (history stays)");
  OnSelected(sub, cli, std::make_shared<NoArgs>(), &RunCompact);
}

struct VacuumArgs {
  std::optional<double> days;
  std::optional<double> hours;
};

int RunVacuum(const GlobalOptions& g, const VacuumArgs& a) {
  if (a.days.has_value() == a.hours.has_value()) {
    return UsageError("vacuum needs exactly one of --retention-days N or --retention-hours N");
  }
  double hours = a.days ? *a.days * 24 : *a.hours;
  if (!std::isfinite(hours) || hours < 0 || hours > 24.0 * 365 * 1000) {
    return UsageError("retention must be between 0 and 1000 years");
  }
  int64_t retention = std::llround(hours * 3600.0 * 1e6);
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  int64_t cutoff = Clock::Default()->NowMicros() - retention;
  Status s = (*db)->Vacuum(retention);
  if (!s.ok()) return Fail(s);
  PrintJson(JsonObject({{"vacuumed", Value::Bool(true)},
                        {"retention_micros", Value::Int(retention)},
                        {"cutoff", Value::Timestamp(cutoff)},
                        {"history_horizon", Value::Timestamp((*db)->HistoryHorizon())}}));
  return kExitOk;
}

void AddVacuumCommand(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<VacuumArgs>();
  CLI::App* sub = app.add_subcommand(
      "vacuum",
      "Drop history (old snapshots, log segments) older than the retention; --as-of before "
      "the new horizon fails afterwards");
  auto* days = sub->add_option("--retention-days", args->days,
                               "Keep this many days of history (may be fractional)");
  auto* hours = sub->add_option("--retention-hours", args->hours, "Keep this many hours");
  days->excludes(hours);
  OnSelected(sub, cli, args, &RunVacuum);
}

// ---- changes ------------------------------------------------------------------

struct ChangesArgs {
  uint64_t from = 1;
  int64_t limit = -1;
  bool follow = false;
};

volatile std::sig_atomic_t g_stop_requested = 0;

void OnStopSignal(int) { g_stop_requested = 1; }

void InstallStopHandlers() {
  struct sigaction sa = {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int RunChanges(const GlobalOptions& g, const ChangesArgs& a) {
  if (a.follow) InstallStopHandlers();
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  auto stream = (*db)->Subscribe(a.from);
  if (!stream.ok()) return Fail(stream.status());
  constexpr size_t kChunk = 1024;
  constexpr int64_t kPollMicros = 200 * 1000;  // how often --follow checks for signals
  int64_t remaining = a.limit;                 // -1: unlimited
  const uint64_t last = (*db)->LastSequence();
  while (remaining != 0 && !g_stop_requested) {
    if (!a.follow && (*stream)->next_seq() > last) break;
    size_t want = remaining < 0 ? kChunk : std::min<size_t>(kChunk, static_cast<size_t>(remaining));
    auto events = (*stream)->Next(want, a.follow ? kPollMicros : 0);
    if (!events.ok()) return Fail(events.status());
    if (events->empty()) {
      if (!a.follow) break;
      continue;
    }
    for (const ChangeEvent& e : *events) {
      if (remaining == 0) break;
      PrintJson(ChangeEventToJson(e));
      if (remaining > 0) remaining--;
    }
    if (a.follow && !FlushOutput()) break;  // reader went away
  }
  return kExitOk;
}

void AddChangesCommand(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<ChangesArgs>();
  CLI::App* sub = app.add_subcommand(
      "changes",
      "Print committed change events as NDJSON: "
      "{\"seq\",\"timestamp\",\"op\",\"collection\",\"id\",\"before\",\"after\"}");
  sub->add_option("--from", args->from, "First sequence number")
      ->capture_default_str()
      ->check(IntAtLeast(1));
  sub->add_option("--limit", args->limit, "At most N events")->check(IntAtLeast(0));
  sub->add_flag("-f,--follow", args->follow,
                "Keep waiting for new events until SIGINT/SIGTERM (holds the database open)");
  OnSelected(sub, cli, args, &RunChanges);
}

// ---- collections / schema -----------------------------------------------------

int RunCollections(const GlobalOptions& g, const NoArgs&) {
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  for (const std::string& name : (*db)->Collections()) {
    PrintJson(JsonObject({{"name", Value::String(name)}}));
  }
  return kExitOk;
}

void AddCollectionsCommand(CLI::App& app, Cli& cli) {
  CLI::App* sub = app.add_subcommand("collections", "List the collections as NDJSON {\"name\"}");
  OnSelected(sub, cli, std::make_shared<NoArgs>(), &RunCollections);
}

int RunSchema(const GlobalOptions& g, const NoArgs&) {
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  PrintJson((*db)->schema());
  return kExitOk;
}

void AddSchemaCommand(CLI::App& app, Cli& cli) {
  CLI::App* sub = app.add_subcommand("schema", "Print the stored schema JSON");
  OnSelected(sub, cli, std::make_shared<NoArgs>(), &RunSchema);
}

// ---- serve / ingest (stream_commands.cc) --------------------------------------

void AddServeCommand(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* sub = app.add_subcommand(
      "serve", "Serve the database over HTTP/JSON until SIGINT/SIGTERM (see server.h)");
  sub->add_option("--host", args->host, "Address to bind")->capture_default_str();
  sub->add_option("--port", args->port, "Port (0: any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  sub->add_option("--token", args->token,
                  "Require \"Authorization: Bearer TOKEN\" (default: $PARQUEDB_TOKEN)");
  sub->add_option("--max-body", args->max_body, "Largest request body in bytes (413 above)")
      ->capture_default_str()
      ->check(IntAtLeast(1));
  OnSelected(sub, cli, args, &RunServe);
}

void AddIngestCommand(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<IngestArgs>();
  CLI::App* sub = app.add_subcommand(
      "ingest",
      "Ingest payloads (Tail Worker TailItems, AI SDK or evalite records; NDJSON or a JSON "
      "array) into a stream collection; prints {\"accepted\",\"rejected\"}");
  sub->add_option("collection", args->collection, "Collection name")->required();
  sub->add_option("file", args->file, "Input file, or - for stdin")->capture_default_str();
  sub->add_flag("--partial", args->partial,
                "Store the good items and report the bad ones (default: all or nothing)");
  sub->add_flag("-f,--follow", args->follow,
                "Tail an NDJSON file (tail -f) until SIGINT/SIGTERM, committing each batch "
                "with the file position; a restart resumes after it");
  sub->add_option("--batch-size", args->batch_size, "--follow: records per commit")
      ->capture_default_str()
      ->check(IntAtLeast(1));
  sub->add_option("--flush-interval-ms", args->flush_interval_ms,
                  "--follow: commit pending records at least this often")
      ->capture_default_str()
      ->check(IntAtLeast(0));
  OnSelected(sub, cli, args, &RunIngest);
}

// ---- main ---------------------------------------------------------------------

int Main(int argc, char** argv) {
  CLI::App app{"parquedb: command-line tool of the ParqueDB embedded document database",
               "parquedb"};
  app.footer(
      "Output: NDJSON rows (documents, events), JSON objects for states; timestamps are\n"
      "ISO-8601 strings, decimals exact strings. Errors: stderr \"parquedb: <message>\";\n"
      "exit 0 ok, 1 the operation failed, 2 bad usage. One process at a time may open a\n"
      "database directory.");
  app.require_subcommand(1);
  app.fallthrough();  // --db is accepted after the command too
  Cli cli;
  app.add_option("--db", cli.global.db_path, "Database directory")->capture_default_str();
  app.add_flag("--no-progress", cli.global.no_progress,
               "Never draw progress bars (they are drawn on stderr only when it is a terminal, "
               "for insert, ingest, flush, compact, vacuum and view refreshes)");
  AddInitCommand(app, cli);
  AddInsertCommand(app, cli);
  AddGetCommand(app, cli);
  AddUpdateCommand(app, cli);
  AddDeleteCommand(app, cli);
  AddFindCommand(app, cli);
  AddCountCommand(app, cli);
  AddFlushCommand(app, cli);
  AddCompactCommand(app, cli);
  AddVacuumCommand(app, cli);
  AddChangesCommand(app, cli);
  AddCollectionsCommand(app, cli);
  AddSchemaCommand(app, cli);
  AddServeCommand(app, cli);
  AddIngestCommand(app, cli);
  AddSqlCommand(app, &cli.global, &cli.run);
  AddViewsCommand(app, &cli.global, &cli.run);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    // A command group (e.g. `views`) without a known subcommand: name the choices.
    CLI::App* group = &app;
    std::string path;
    while (!group->get_subcommands().empty()) {
      group = group->get_subcommands()[0];
      path += (path.empty() ? "" : " ") + group->get_name();
    }
    if (group != &app && group->get_require_subcommand_min() > 0) {
      std::string names;
      for (const CLI::App* sub : group->get_subcommands([](CLI::App*) { return true; })) {
        names += (names.empty() ? "" : ", ") + sub->get_name();
      }
      std::vector<std::string> rest = app.remaining(/*recurse=*/true);
      std::string what = "'" + path + "' needs a command";
      if (!rest.empty() && !rest[0].empty()) {
        what = rest[0][0] == '-' ? "unknown option '" + rest[0] + "' of '" + path + "'"
                                 : "unknown command '" + path + " " + rest[0] + "'";
      }
      return UsageError(what + " (one of: " + names + "; see parquedb " + path + " --help)");
    }
    std::vector<std::string> extra = app.remaining();
    if (app.get_subcommands().empty() && !extra.empty() && !extra[0].empty()) {
      if (extra[0][0] != '-') return UsageError("unknown command '" + extra[0] + "' (see --help)");
      return UsageError("unknown option '" + extra[0] + "' (see --help)");
    }
    return UsageError(std::string(e.what()) + " (see --help)");
  }
  if (!cli.run) return UsageError("no command given");
  ProgressBar::Get().Enable(!cli.global.no_progress);
  int code = cli.run();
  ProgressBar::Get().Clear();
  if (!FlushOutput()) {
    PrintError("cannot write the output");
    if (code == kExitOk) code = kExitFailure;
  }
  return code;
}

}  // namespace
}  // namespace parquedb::cli

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  try {
    return parquedb::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    parquedb::cli::PrintError(std::string("internal error: ") + e.what());
  } catch (...) {
    parquedb::cli::PrintError("internal error: unknown exception");
  }
  return parquedb::cli::kExitFailure;
}
