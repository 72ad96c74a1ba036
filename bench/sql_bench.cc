// SQL benchmark (issue 7): a dashboard query over a request log, answered
//   (1) from the collection (scan with pushdown, hash aggregation), and
//   (2) routed to a streaming materialized view grouped by (scriptName, status, hour)
//       (timed before and after DB::Compact, which drops the view's superseded rows),
// through parquedb::ExecuteSql. Both answers are compared (they must be equal); the
// live rows are exported as NDJSON (--export) so bench/sql_bench_duckdb.mjs can time
// the same SQL in DuckDB. Prints one JSON object.
//
//   sql_bench --rows N --dir DIR [--runs K] [--export FILE] [--projection oltp|olap|both]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "parquedb/db.h"
#include "parquedb/sql.h"

using parquedb::Value;

namespace {

const char* kQuery =
    "SELECT scriptName, date_trunc('day', ts) AS day, COUNT(*) AS requests, "
    "AVG(latency) AS avg_latency, MAX(latency) AS max_latency, SUM(bytes) AS bytes "
    "FROM Req WHERE scriptName <> 'cron' AND status >= 500 "
    "GROUP BY scriptName, date_trunc('day', ts) ORDER BY scriptName, day";

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int Die(const std::string& what) {
  std::fprintf(stderr, "sql_bench: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = 500000;
  int runs = 5;
  std::string dir = "sql_bench_db", export_file, projection;  // ReqHourly's $projection
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--rows") rows = std::atoll(argv[i + 1]);
    else if (a == "--dir") dir = argv[i + 1];
    else if (a == "--runs") runs = std::atoi(argv[i + 1]);
    else if (a == "--export") export_file = argv[i + 1];
    else if (a == "--projection") projection = argv[i + 1];
    else return Die("unknown option " + a);
  }
  std::filesystem::remove_all(dir);
  parquedb::Options options;
  options.path = dir;
  options.sync = false;
  options.run_scheduler = false;
  std::string schema_text = R"({
    "Req": {"scriptName": "string!", "method": "string!", "status": "int!", "outcome": "string!",
            "latency": "float!", "bytes": "int!", "ts": "timestamp!"},
    "ReqHourly": {"$from": "Req", "$groupBy": ["scriptName", "status", {"hour": "$ts"}],
                  "$compute": {"n": {"$count": "*"}, "lat_sum": {"$sum": "latency"},
                               "lat_n": {"$count": "latency"}, "lat_max": {"$max": "latency"},
                               "bytes_sum": {"$sum": "bytes"}}PROJECTION}
  })";
  schema_text.replace(schema_text.find("PROJECTION"), 10,
                      projection.empty() ? "" : ", \"$projection\": \"" + projection + "\"");
  auto schema = Value::ParseJson(schema_text);
  auto db_r = parquedb::DB::Open(options, *schema);
  if (!db_r.ok()) return Die(db_r.status().ToString());
  auto db = std::move(*db_r);

  std::mt19937_64 rng(7);
  const char* scripts[] = {"api", "web", "cron", "auth", "images", "search"};
  const char* methods[] = {"GET", "POST", "PUT"};
  int statuses[] = {200, 200, 200, 201, 304, 404, 500, 503};
  const int64_t start = 1767225600LL * 1000000;  // 2026-01-01
  double t0 = Now();
  for (int64_t done = 0; done < rows;) {
    std::vector<Value> batch;
    for (int k = 0; k < 10000 && done < rows; k++, done++) {
      Value d = Value::MakeObject();
      d.Set("scriptName", Value::String(scripts[rng() % 6]));
      d.Set("method", Value::String(methods[rng() % 3]));
      d.Set("status", Value::Int(statuses[rng() % 8]));
      d.Set("outcome", Value::String(rng() % 10 ? "ok" : "exception"));
      d.Set("latency", Value::Double(static_cast<double>(rng() % 200000) / 100));
      d.Set("bytes", Value::Int(static_cast<int64_t>(rng() % 100000)));
      d.Set("ts", Value::Timestamp(start + static_cast<int64_t>(rng() % (90LL * 86400)) * 1000000));
      batch.push_back(std::move(d));
    }
    auto r = db->InsertMany("Req", batch);
    if (!r.ok()) return Die(r.status().ToString());
  }
  if (auto s = db->Flush(); !s.ok()) return Die(s.ToString());
  double load_s = Now() - t0;

  auto run = [&](bool route, parquedb::SqlResult* out, bool explain = false) -> double {
    std::vector<double> times;
    for (int i = 0; i < runs; i++) {
      parquedb::SqlOptions o;
      o.allow_view_routing = route;
      double a = Now();
      auto r = parquedb::ExecuteSql(db.get(), (explain ? "EXPLAIN " : "") + std::string(kQuery), {}, o);
      times.push_back(Now() - a);
      if (!r.ok()) {
        std::fprintf(stderr, "sql_bench: %s\n", r.status().ToString().c_str());
        std::exit(1);
      }
      *out = std::move(*r);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
  };
  // The view right after loading holds each group once per flush that changed it
  // (superseded versions); compaction (automatic after Options::auto_compact_files
  // flushes) keeps the newest. Timed both ways.
  parquedb::SqlResult routed, source;
  double routed_uncompacted_s = run(true, &routed);
  if (auto s = db->Compact(); !s.ok()) return Die(s.ToString());
  double routed_s = run(true, &routed);
  double source_s = run(false, &source);
  parquedb::SqlResult plan_only;
  double plan_s = run(true, &plan_only, /*explain=*/true);  // parse, route, plan
  bool was_routed = false;
  for (const auto& line : routed.plan) was_routed |= line.find("answered from view") != std::string::npos;
  if (!was_routed) return Die("the dashboard query was not routed to ReqHourly");
  // Same answer both ways (doubles within 1e-9 relative).
  if (routed.rows.size() != source.rows.size()) return Die("routed and source row counts differ");
  for (size_t i = 0; i < routed.rows.size(); i++) {
    for (size_t j = 0; j < routed.rows[i].size(); j++) {
      const Value& a = routed.rows[i][j];
      const Value& b = source.rows[i][j];
      bool same = a.is_number() && b.is_number()
                      ? std::abs(a.as_double() - b.as_double()) <=
                            1e-9 * std::max(1.0, std::abs(b.as_double()))
                      : a == b;
      if (!same) return Die("routed and source answers differ at row " + std::to_string(i));
    }
  }
  if (!export_file.empty()) {
    parquedb::FindOptions fo;
    auto docs = db->Find("Req", Value(), fo);
    if (!docs.ok()) return Die(docs.status().ToString());
    std::ofstream f(export_file);
    for (const Value& d : *docs) f << d.ToJsonString() << '\n';
  }
  Value answer = Value::MakeArray();
  for (size_t i = 0; i < source.rows.size(); i++) answer.mutable_array().push_back(source.RowToJson(i));
  Value out = Value::MakeObject();
  out.Set("rows", Value::Int(rows));
  out.Set("query", Value::String(kQuery));
  out.Set("load_seconds", Value::Double(load_s));
  out.Set("source_seconds", Value::Double(source_s));
  out.Set("routed_seconds", Value::Double(routed_s));
  out.Set("routed_uncompacted_seconds", Value::Double(routed_uncompacted_s));
  out.Set("routed_explain_seconds", Value::Double(plan_s));
  out.Set("speedup", Value::Double(source_s / routed_s));
  Value plan = Value::MakeArray();
  for (const auto& line : routed.plan) plan.mutable_array().push_back(Value::String(line));
  out.Set("routed_plan", plan);
  out.Set("answer", answer);
  std::printf("%s\n", out.ToJsonString().c_str());
  return 0;
}
