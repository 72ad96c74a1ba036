// Materialized-view benchmark (issue 4, item 8). The DuckDB half is
// bench/duckdb_views.mjs; bench/views_bench.sh runs both and prints the table.
//
//   views_bench [--rows N] [--small-rows M] [--batches B] [--ingest-rows K]
//               [--parts a,b,c,d] [--dir DIR] [--sync] [--keep] [--ingest-breakdown]
//
// Data: N "Order" documents, generated exactly as bench/duckdb_views.mjs does, i in [0, N):
//   $id       "ord-" + i zero-padded to 10 digits
//   status    ["pending","paid","shipped","delivered","cancelled"][((i*2654435761) mod 2^32) mod 5]
//   total     decimal(10,2) = cents/100, cents = (i*7919 + 13) mod 100000
//   customer  "cust-" + ((i*48271) mod 100000) zero-padded to 6 digits
//   createdAt 2024-01-01T00:00:00Z + floor(i/1000)*1000 s   (a ManualClock is set before
//             each InsertMany of 1,000 documents; ~58 days for 5M rows)
// The view is DailySales from the seed ($groupBy date of createdAt and status; $count,
// $sum total, $avg total), in streaming mode.
//
// Parts:
//   a  full refresh: RefreshView("DailySales", {full}) after Flush (data in Parquet),
//      best of 3; rows/s = N / seconds. The answer (groups, sum of orderCount, sum of
//      revenue) is printed so the driver can compare it with DuckDB's.
//   b  latency from a committed 100-row batch to a visible DailySales, at M rows (first)
//      and at N rows: B batches (>= 1000 recommended) cycling insert 100 new "probe"
//      orders / update those 100 (total +1.00 each) / delete them. After each Write()
//      the probe group of DailySales is read until it shows the batch (orderCount and
//      revenue); reported: median and p99 of "write call + visible" and of "ack to
//      visible" (after Write returned), and the Write() call alone per operation kind.
//      Probes cancel out, so the data is unchanged.
//   c  sustained ingest: K documents via InsertMany(1000) into a fresh database with 4
//      streaming views on Order (DailySales, OrderMetrics with min/max, a $filter view,
//      a $select view) and into one with none; rows/s and the ratio. With
//      --ingest-breakdown also each view alone.
//   d  $projection: the same $select view and the same daily $groupBy view (one day of
//      orders per 1,000, so ~200 days and months of partitions) as "olap" and as "oltp",
//      flushed and compacted. Per layout, median latency of: Get by row key (1000 ids),
//      a selective Find on customer, point lookups of a group by its key (Find with
//      equality on date and status, 1000 keys), and a time-range scan + aggregate (Find
//      of one month of groups, summing orderCount and revenue; 20 runs), and a one-month
//      range Find on the $select view's "at" (first run after a reopen, then 5 warm runs).
//      The answers of both layouts are compared. Reported as unsupported if $projection is rejected.
// Durability: Options::sync is off unless --sync (the log is still written; this
// measures view maintenance, not fsync). Prints one JSON object to stdout.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "parquedb/db.h"

namespace fs = std::filesystem;
using json = nlohmann::json;
using parquedb::DB;
using parquedb::Value;

namespace {

constexpr int64_t kSecond = 1000000;
constexpr int64_t kT0 = 1704067200LL * kSecond;  // 2024-01-01T00:00:00Z
constexpr int64_t kRowsPerClockStep = 1000;
const char* const kStatuses[] = {"pending", "paid", "shipped", "delivered", "cancelled"};

[[noreturn]] void Fail(const std::string& what) { throw std::runtime_error(what); }

template <typename T>
T Check(parquedb::Result<T> r, const std::string& what) {
  if (!r.ok()) Fail(what + ": " + r.status().ToString());
  return std::move(r).value();
}
void Check(const parquedb::Status& s, const std::string& what) {
  if (!s.ok()) Fail(what + ": " + s.ToString());
}

Value J(const std::string& text) { return Check(Value::ParseJson(text), "parse " + text); }

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::max<size_t>(rank, 1) - 1];
}
double Round3(double x) { return std::round(x * 1000) / 1000; }
json LatencyJson(const std::vector<double>& ms) {
  return {{"median_ms", Round3(Quantile(ms, 0.5))},
          {"p99_ms", Round3(Quantile(ms, 0.99))},
          {"max_ms", Round3(Quantile(ms, 1.0))},
          {"samples", ms.size()}};
}
double PeakRssMb() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

std::string Pad(int64_t v, int width) {
  std::string s = std::to_string(v);
  return std::string(width > static_cast<int>(s.size()) ? width - s.size() : 0, '0') + s;
}
std::string CentsText(int64_t cents) {
  return std::to_string(cents / 100) + "." + Pad(cents % 100, 2);
}

Value Order(int64_t i) {
  const uint64_t h = (static_cast<uint64_t>(i) * 2654435761ULL) % 4294967296ULL;
  Value::Object o;
  o.emplace_back("$id", Value::String("ord-" + Pad(i, 10)));
  o.emplace_back("total", Value::String(CentsText((i * 7919 + 13) % 100000)));
  o.emplace_back("status", Value::String(kStatuses[h % 5]));
  o.emplace_back("customer", Value::String("cust-" + Pad((i * 48271) % 100000, 6)));
  return Value::MakeObject(std::move(o));
}

constexpr const char* kDailySales = R"J({
    "$from": "Order",
    "$groupBy": [{"date": "$createdAt"}, "status"],
    "$compute": {
      "orderCount": {"$count": "*"},
      "revenue": {"$sum": "total"},
      "avgOrder": {"$avg": "total"}
    }
  })J";

// The three extra views of part c, by name (DailySales is the fourth).
const char* const kIngestViewNames[] = {"OrderMetrics", "CancelledOrders", "OrderSummary"};

std::string Schema(bool with_views, bool ingest_views, const std::string& only = "") {
  if (!only.empty()) {
    // One view alone (part c breakdown): the same definition as in the full schema.
    const std::string full = Schema(true, true);
    auto all = Check(Value::ParseJson(full), "schema");
    Value::Object o;
    for (const auto& [k, v] : all.as_object()) {
      if (k == "Order" || k == only) o.emplace_back(k, v);
    }
    return Value::MakeObject(std::move(o)).ToJsonString();
  }
  std::string s = R"J({"Order": {"total": "decimal(10,2)!", "status": "string!", "customer": "string?"})J";
  if (with_views) s += std::string(R"J(, "DailySales": )J") + kDailySales;
  if (ingest_views) {
    s += R"J(,
    "OrderMetrics": {"$from": "Order", "$groupBy": ["status", {"day": "$createdAt"}],
      "$compute": {"orderCount": {"$count": "*"}, "totalRevenue": {"$sum": "total"},
                   "avgOrderValue": {"$avg": "total"}, "minOrder": {"$min": "total"},
                   "maxOrder": {"$max": "total"}}},
    "CancelledOrders": {"$from": "Order", "$filter": {"status": "cancelled"}},
    "OrderSummary": {"$from": "Order", "$select": {"total": "$total", "status": "$status",
                                                   "customer": "$customer"}})J";
  }
  return s + "}";
}

struct Config {
  int64_t rows = 5000000;
  int64_t small_rows = -1;  // default rows / 10
  int batches = 1200;
  int64_t ingest_rows = 500000;
  std::set<std::string> parts = {"a", "b", "c", "d"};
  fs::path dir;
  bool sync = false;
  bool keep = false;
  bool ingest_breakdown = false;  // part c: also each view alone
};

class Bench {
 public:
  explicit Bench(const Config& c) : c_(c) {}

  std::unique_ptr<DB> OpenFresh(const std::string& name, const std::string& schema) {
    const fs::path p = c_.dir / name;
    fs::remove_all(p);
    parquedb::Options o;
    o.path = p.string();
    o.clock = &clock_;
    o.sync = c_.sync;
    o.run_scheduler = false;
    return Check(DB::Open(o, J(schema)), "open " + p.string());
  }

  // Inserts orders [from, to) in InsertMany batches of 1000, setting the clock per batch.
  void Load(DB* db, int64_t from, int64_t to) {
    std::vector<Value> batch;
    for (int64_t b = from; b < to; b += kRowsPerClockStep) {
      batch.clear();
      const int64_t end = std::min(to, b + kRowsPerClockStep);
      for (int64_t i = b; i < end; ++i) batch.push_back(Order(i));
      clock_.SetMicros(kT0 + (b / kRowsPerClockStep) * kRowsPerClockStep * kSecond);
      Check(db->InsertMany("Order", batch), "InsertMany");
      if ((b / kRowsPerClockStep) % 500 == 0) {
        std::cerr << "  loaded " << end << " / " << to << "\n";
      }
    }
  }

  json Answer(DB* db) {
    auto rows = Check(db->Find("DailySales", J("{}")), "Find DailySales");
    int64_t count = 0;
    __int128 cents = 0;
    for (const Value& r : rows) {
      count += r.Find("orderCount")->as_int();
      const Value* rev = r.Find("revenue");
      if (rev->kind() == Value::Kind::kDecimal) {
        auto d = Check(rev->as_decimal().Rescale(2), "rescale revenue");
        cents += d.unscaled;
      } else if (rev->kind() == Value::Kind::kInt) {
        cents += static_cast<__int128>(rev->as_int()) * 100;
      } else {
        Fail("revenue is " + rev->ToJsonString());
      }
    }
    return {{"groups", rows.size()},
            {"order_count", count},
            {"revenue", CentsText(static_cast<int64_t>(cents))}};
  }

  json PartA(DB* db) {
    std::cerr << "a: full refresh of DailySales over " << loaded_ << " rows\n";
    Check(db->Flush(), "Flush");
    double best = 1e100;
    for (int r = 0; r < 3; ++r) {
      const double t = Now();
      Check(db->RefreshView("DailySales", parquedb::RefreshViewOptions{.full = true}),
            "RefreshView full");
      best = std::min(best, Now() - t);
    }
    auto state = Check(db->GetViewState("DailySales"), "GetViewState");
    return {{"rows", loaded_},
            {"seconds", Round3(best)},
            {"rows_per_second", std::round(static_cast<double>(loaded_) / best)},
            {"answer", Answer(db)},
            {"state", state.ToJson().ToJson()}};
  }

  // The probe group of DailySales as (orderCount, revenue cents); (0, 0) when absent.
  std::pair<int64_t, int64_t> Probe(DB* db, const Value& filter) {
    auto rows = Check(db->Find("DailySales", filter), "Find probe");
    if (rows.empty()) return {0, 0};
    const Value& r = rows[0];
    const Value* rev = r.Find("revenue");
    int64_t cents = rev->kind() == Value::Kind::kDecimal
                        ? static_cast<int64_t>(Check(rev->as_decimal().Rescale(2), "").unscaled)
                        : rev->as_int() * 100;
    return {r.Find("orderCount")->as_int(), cents};
  }

  json PartB(DB* db) {
    std::cerr << "b: " << c_.batches << " batches of 100 at " << loaded_ << " rows\n";
    // Probes get createdAt = the clock after the load: one date, status "probe".
    const int64_t now = clock_.NowMicros();
    const std::string date = parquedb::FormatDateDays(static_cast<int32_t>(
        (now >= 0 ? now : now - 86400LL * kSecond + 1) / (86400LL * kSecond)));
    const Value filter = J(R"({"status": "probe", "date": ")" + date + R"("})");
    std::vector<double> total_ms, visible_ms;
    std::vector<double> op_write_ms[3];  // insert, update, delete: the Write() call alone
    std::vector<std::string> ids;
    int64_t expect_count = 0, expect_cents = 0;
    std::vector<int64_t> cents(100);
    for (int b = 0; b < c_.batches; ++b) {
      parquedb::WriteBatch batch;
      const int phase = b % 3;
      if (phase == 0) {
        ids.clear();
        for (int k = 0; k < 100; ++k) {
          ids.push_back("probe-" + Pad(b, 7) + "-" + Pad(k, 3));
          cents[k] = 100 + (b * 31 + k * 7) % 10000;
          batch.Insert("Order", J(R"({"$id": ")" + ids.back() + R"(", "total": ")" +
                                  CentsText(cents[k]) + R"(", "status": "probe"})"));
          expect_count += 1;
          expect_cents += cents[k];
        }
      } else if (phase == 1) {
        for (int k = 0; k < 100; ++k) {
          cents[k] += 100;
          batch.Update("Order", ids[k], J(R"({"$set": {"total": ")" + CentsText(cents[k]) + R"("}})"));
          expect_cents += 100;
        }
      } else {
        for (int k = 0; k < 100; ++k) {
          batch.Delete("Order", ids[k]);
          expect_count -= 1;
          expect_cents -= cents[k];
        }
      }
      const double t0 = Now();
      Check(db->Write(batch, nullptr), "Write");
      const double t1 = Now();
      int polls = 0;
      while (Probe(db, filter) != std::make_pair(expect_count, expect_cents)) {
        if (++polls > 1000000) Fail("DailySales never showed batch " + std::to_string(b));
      }
      const double t2 = Now();
      total_ms.push_back((t2 - t0) * 1000);
      op_write_ms[phase].push_back((t1 - t0) * 1000);
      visible_ms.push_back((t2 - t1) * 1000);
    }
    return {{"rows", loaded_},
            {"batches", c_.batches},
            {"write_and_visible", LatencyJson(total_ms)},
            {"ack_to_visible", LatencyJson(visible_ms)},
            {"write_only", {{"insert", LatencyJson(op_write_ms[0])},
                            {"update", LatencyJson(op_write_ms[1])},
                            {"delete", LatencyJson(op_write_ms[2])}}}};
  }

  json PartC() {
    json out;
    for (bool views : {false, true}) {
      const std::string name = views ? "ingest_views" : "ingest_plain";
      std::cerr << "c: ingest " << c_.ingest_rows << " rows, " << (views ? 4 : 0) << " views\n";
      auto db = OpenFresh(name, Schema(views, views));
      const double t = Now();
      Load(db.get(), 0, c_.ingest_rows);
      const double s = Now() - t;
      out[views ? "four_views" : "no_views"] = {
          {"rows", c_.ingest_rows},
          {"seconds", Round3(s)},
          {"rows_per_second", std::round(static_cast<double>(c_.ingest_rows) / s)}};
      if (views) {
        const json answer = Answer(db.get());
        if (answer["order_count"] != c_.ingest_rows) Fail("ingest: DailySales lost rows");
      }
      db.reset();
      if (!c_.keep) fs::remove_all(c_.dir / name);
    }
    out["ratio"] = Round3(out["four_views"]["rows_per_second"].get<double>() /
                          out["no_views"]["rows_per_second"].get<double>());
    if (c_.ingest_breakdown) {
      std::vector<std::string> names = {"DailySales"};
      for (const char* n : kIngestViewNames) names.emplace_back(n);
      for (const std::string& view : names) {
        std::cerr << "c: ingest " << c_.ingest_rows << " rows, only " << view << "\n";
        auto db = OpenFresh("ingest_one", Schema(true, true, view));
        const double t = Now();
        Load(db.get(), 0, c_.ingest_rows);
        const double s = Now() - t;
        out["one_view"][view] = {
            {"rows_per_second", std::round(static_cast<double>(c_.ingest_rows) / s)}};
        db.reset();
        if (!c_.keep) fs::remove_all(c_.dir / "ingest_one");
      }
    }
    return out;
  }

  json PartD() {
    const int64_t n = std::min<int64_t>(c_.ingest_rows, 200000);
    std::string schema = R"J({"Order": {"total": "decimal(10,2)!", "status": "string!", "customer": "string?"})J";
    for (const char* p : {"olap", "oltp"}) {
      schema += std::string(", \"Orders_") + p +
                R"J(": {"$from": "Order", "$projection": ")J" + p +
                R"J(", "$select": {"total": "$total", "status": "$status", "customer": "$customer", "at": "$createdAt"}})J";
      schema += std::string(", \"Daily_") + p +
                R"J(": {"$from": "Order", "$projection": ")J" + p +
                R"J(", "$groupBy": [{"date": "$createdAt"}, "status"],
                    "$compute": {"orderCount": {"$count": "*"}, "revenue": {"$sum": "total"}}})J";
    }
    schema += "}";
    std::cerr << "d: $projection olap vs oltp over " << n << " rows\n";
    std::unique_ptr<DB> db;
    try {
      db = OpenFresh("projection", schema);
    } catch (const std::exception& e) {
      return {{"supported", false}, {"error", e.what()}};
    }
    // One day per 1,000 orders.
    std::vector<Value> batch;
    for (int64_t b = 0; b < n; b += kRowsPerClockStep) {
      batch.clear();
      for (int64_t i = b; i < std::min(n, b + kRowsPerClockStep); ++i) batch.push_back(Order(i));
      clock_.SetMicros(kT0 + (b / kRowsPerClockStep) * 86400 * kSecond + 3600 * kSecond);
      Check(db->InsertMany("Order", batch), "InsertMany");
    }
    Check(db->Compact(), "Compact");
    {  // Reopen: measurements start with no cached readers or row groups.
      db.reset();
      parquedb::Options o;
      o.path = (c_.dir / "projection").string();
      o.clock = &clock_;
      o.sync = c_.sync;
      o.run_scheduler = false;
      db = Check(DB::Open(o), "reopen projection");
    }
    json out = {{"supported", true}, {"rows", n}};
    const int64_t days = (n + kRowsPerClockStep - 1) / kRowsPerClockStep;
    auto day = [&](int64_t d) { return parquedb::FormatDateDays(static_cast<int32_t>(kT0 / (86400 * kSecond) + d)); };
    std::string answers[2];
    int which = 0;
    for (const char* p : {"olap", "oltp"}) {
      const std::string view = std::string("Orders_") + p;
      // A one-month time range of the 200k-row $select view: first (cold) and warm runs.
      std::vector<double> rows_range_ms;
      int64_t rows_in_range = 0;
      const Value at_range = J(R"({"at": {"$gte": ")" + day(days / 2) + R"(T00:00:00Z", "$lt": ")" +
                               day(std::min(days, days / 2 + 30)) + R"(T00:00:00Z"}})");
      for (int k = 0; k < 6; ++k) {
        const double t = Now();
        auto r = Check(db->Find(view, at_range), "Find at range " + view);
        rows_range_ms.push_back((Now() - t) * 1000);
        rows_in_range = static_cast<int64_t>(r.size());
      }
      std::vector<double> get_ms, find_ms;
      int64_t found = 0;
      for (int k = 0; k < 1000; ++k) {
        const std::string id = "ord-" + Pad((static_cast<int64_t>(k) * 7919 * 13) % n, 10);
        const double t = Now();
        auto r = db->Get(view, id);
        get_ms.push_back((Now() - t) * 1000);
        found += r.ok();
      }
      int64_t matched = 0;
      for (int k = 0; k < 10; ++k) {
        const double t = Now();
        auto r = Check(db->Find(view, J(R"({"customer": "cust-012345"})")), "Find " + view);
        find_ms.push_back((Now() - t) * 1000);
        matched = static_cast<int64_t>(r.size());
      }
      // Group point lookups by key, and a one-month range scan + aggregate.
      const std::string daily = std::string("Daily_") + p;
      std::vector<double> key_ms, range_ms;
      int64_t key_found = 0;
      for (int k = 0; k < 1000; ++k) {
        const int64_t d = (static_cast<int64_t>(k) * 7919) % days;
        const Value f = J(R"({"date": ")" + day(d) + R"(", "status": ")" + kStatuses[k % 5] + "\"}");
        const double t = Now();
        auto r = Check(db->Find(daily, f), "Find key " + daily);
        key_ms.push_back((Now() - t) * 1000);
        key_found += static_cast<int64_t>(r.size());
      }
      const int64_t from = days / 3, to = std::min(days, from + 30);
      const Value range = J(R"({"date": {"$gte": ")" + day(from) + R"(", "$lt": ")" + day(to) + "\"}}");
      json agg;
      for (int k = 0; k < 20; ++k) {
        const double t = Now();
        auto r = Check(db->Find(daily, range), "Find range " + daily);
        int64_t count = 0;
        __int128 cents = 0;
        for (const Value& row : r) {
          count += row.Find("orderCount")->as_int();
          cents += Check(row.Find("revenue")->as_decimal().Rescale(2), "rescale").unscaled;
        }
        range_ms.push_back((Now() - t) * 1000);
        agg = {{"groups", r.size()}, {"order_count", count},
               {"revenue", CentsText(static_cast<int64_t>(cents))}};
      }
      answers[which++] = agg.dump() + std::to_string(key_found) + std::to_string(found) +
                         std::to_string(matched) + "/" + std::to_string(rows_in_range);
      out[p] = {{"get", LatencyJson(get_ms)}, {"get_found", found},
                {"find_customer", LatencyJson(find_ms)}, {"find_rows", matched},
                {"group_key_lookup", LatencyJson(key_ms)}, {"group_key_found", key_found},
                {"month_range_aggregate", LatencyJson(range_ms)}, {"month_range_answer", agg},
                {"rows_month_range_first_ms", Round3(rows_range_ms[0])},
                {"rows_month_range_warm", LatencyJson(std::vector<double>(rows_range_ms.begin() + 1, rows_range_ms.end()))},
                {"rows_month_range_rows", rows_in_range}};
    }
    if (answers[0] != answers[1]) Fail("olap and oltp answers differ: " + answers[0] + " vs " + answers[1]);
    db.reset();
    if (!c_.keep) fs::remove_all(c_.dir / "projection");
    return out;
  }

  json Run() {
    json out = {{"rows", c_.rows}, {"sync", c_.sync}};
    if (c_.parts.count("a") || c_.parts.count("b")) {
      auto db = OpenFresh("main", Schema(true, false));
      const int64_t small = c_.small_rows >= 0 ? c_.small_rows : c_.rows / 10;
      const double t = Now();
      if (c_.parts.count("b") && small > 0 && small < c_.rows) {
        std::cerr << "loading " << small << " rows\n";
        Load(db.get(), 0, small);
        loaded_ = small;
        out["b_small"] = PartB(db.get());
      }
      std::cerr << "loading up to " << c_.rows << " rows\n";
      Load(db.get(), loaded_, c_.rows);
      loaded_ = c_.rows;
      out["load_seconds"] = Round3(Now() - t);
      if (c_.parts.count("b")) out["b_large"] = PartB(db.get());
      if (c_.parts.count("a")) out["a"] = PartA(db.get());
      db.reset();
      if (!c_.keep) fs::remove_all(c_.dir / "main");
    }
    if (c_.parts.count("c")) out["c"] = PartC();
    if (c_.parts.count("d")) out["d"] = PartD();
    out["peak_rss_mb"] = std::round(PeakRssMb());
    return out;
  }

 private:
  Config c_;
  parquedb::ManualClock clock_{kT0};
  int64_t loaded_ = 0;
};

int Main(int argc, char** argv) {
  Config c;
  c.dir = fs::temp_directory_path() / "parquedb_views_bench";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Fail("missing value for " + a);
      return argv[++i];
    };
    if (a == "--rows") {
      c.rows = std::stoll(next());
    } else if (a == "--small-rows") {
      c.small_rows = std::stoll(next());
    } else if (a == "--batches") {
      c.batches = std::stoi(next());
    } else if (a == "--ingest-rows") {
      c.ingest_rows = std::stoll(next());
    } else if (a == "--parts") {
      c.parts.clear();
      std::string v = next();
      for (size_t p = 0; p <= v.size();) {
        size_t q = v.find(',', p);
        if (q == std::string::npos) q = v.size();
        if (q > p) c.parts.insert(v.substr(p, q - p));
        p = q + 1;
      }
    } else if (a == "--dir") {
      c.dir = next();
    } else if (a == "--sync") {
      c.sync = true;
    } else if (a == "--keep") {
      c.keep = true;
    } else if (a == "--ingest-breakdown") {
      c.ingest_breakdown = true;
    } else {
      std::cerr << "usage: views_bench [--rows N] [--small-rows M] [--batches B] "
                   "[--ingest-rows K] [--parts a,b,c,d] [--dir DIR] [--sync] [--keep] "
                   "[--ingest-breakdown]\n";
      return 2;
    }
  }
  if (c.rows < 1000 || c.batches < 3 || c.ingest_rows < 1000) {
    Fail("--rows and --ingest-rows must be >= 1000, --batches >= 3");
  }
  c.batches = (c.batches + 2) / 3 * 3;  // whole insert/update/delete cycles
  fs::create_directories(c.dir);
  Bench bench(c);
  std::cout << bench.Run().dump(2) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "views_bench: " << e.what() << "\n";
    return 1;
  }
}
