// Peer comparison driver (bench/compare/run.sh): the same seeded orders and the same
// DailySales workload on one system per run, ParqueDB (public API), SQLite (libsqlite3),
// PostgreSQL (libpq, a server started by run.sh) or ClickHouse (HTTP interface, a server
// started by run.sh). The DuckDB half is bench/compare/duckdb_compare.mjs; run.sh runs all
// of them and bench/compare/report.mjs cross-checks the answers and prints the ratios.
//
//   compare_bench --system parquedb|sqlite|postgres|clickhouse --rows N [--batches B]
//                 [--recompute-batches R] [--ingest-rows K] [--point-queries Q]
//                 [--dir DIR] [--pg CONNINFO] [--ch-port PORT]
//
// Data, order i in [0, N) (identical in duckdb_compare.mjs):
//   id         "ord-" + i zero-padded to 10 digits
//   status     ["pending","paid","shipped","delivered","cancelled"][((i*2654435761) mod 2^32) mod 5]
//   total      decimal(10,2) = cents/100, cents = (i*7919 + 13) mod 100000
//   customer   "cust-" + ((i*48271) mod 100000) zero-padded to 6 digits
//   created_at 2024-01-01T00:00:00Z + floor(i/1000)*1000 s
// DailySales: GROUP BY (UTC date of created_at, status): count, sum(total), avg(total).
//
// Measured (one JSON object on stdout; see bench/compare/README.md for each peer's method):
//   full_refresh    recompute DailySales from all N rows, best of 3 (rows/s = N / s)
//   filter_build    recompute CancelledOrders (status = 'cancelled'), best of 3
//   point_query     Q lookups of one DailySales group by (date, status), median/p99
//   incremental     B batches of 100 rows cycling insert 100 probes / update them
//                   (total + 1.00) / delete 50 of them; per batch, the time from the
//                   start of the write until the incrementally maintained view shows it
//                   (polled), by op; `recompute` (PostgreSQL): the first R batches are also
//                   followed by REFRESH MATERIALIZED VIEW, timed as write + refresh + read
//   ingest          K rows in 1,000-row batches into a fresh table with 0 and with 3
//                   views (DailySales, CancelledOrders filter, OrderSummary projection)
//   answers         DailySales rows after the load and after the batches (from the full
//                   recompute and from the incremental view), CancelledOrders count/sum
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <exception>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "parquedb/db.h"

#ifdef PARQUEDB_BENCH_SQLITE
#include <sqlite3.h>
#endif
#ifdef PARQUEDB_BENCH_POSTGRES
#include <libpq-fe.h>
#endif
#include <httplib.h>

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr int64_t kT0 = 1704067200;  // 2024-01-01T00:00:00Z, seconds
constexpr int64_t kStep = 1000;      // rows per created_at step and per ingest batch
constexpr int kBatchRows = 100;
constexpr int kDeletedPerCycle = 50;
const char* const kStatuses[] = {"pending", "paid", "shipped", "delivered", "cancelled"};

[[noreturn]] void Fail(const std::string& what) { throw std::runtime_error(what); }

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string Pad(int64_t v, int width) {
  std::string s = std::to_string(v);
  return std::string(width > static_cast<int>(s.size()) ? width - s.size() : 0, '0') + s;
}
std::string CentsText(int64_t cents) {
  return std::string(cents < 0 ? "-" : "") + std::to_string(std::llabs(cents) / 100) + "." +
         Pad(std::llabs(cents) % 100, 2);
}
// "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" (UTC) of Unix seconds.
std::string FormatTime(int64_t sec, bool with_time) {
  std::time_t t = static_cast<std::time_t>(sec);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, with_time ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%d", &tm);
  return buf;
}
// "123.45" -> 12345; exact (no floating point).
int64_t ParseCents(const std::string& s) {
  size_t dot = s.find('.');
  const bool neg = !s.empty() && s[0] == '-';
  const std::string whole = s.substr(neg ? 1 : 0, dot == std::string::npos ? std::string::npos
                                                                          : dot - (neg ? 1 : 0));
  std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  while (frac.size() < 2) frac += '0';
  for (size_t k = 2; k < frac.size(); ++k) {
    if (frac[k] != '0') Fail("not a whole number of cents: " + s);
  }
  const int64_t v = std::stoll(whole.empty() ? "0" : whole) * 100 + std::stoll(frac.substr(0, 2));
  return neg ? -v : v;
}

struct OrderRow {
  std::string id, status, customer;
  int64_t cents;
  int64_t created;  // Unix seconds
};
OrderRow MakeOrder(int64_t i) {
  const uint64_t h = (static_cast<uint64_t>(i) * 2654435761ULL) % 4294967296ULL;
  return {"ord-" + Pad(i, 10), kStatuses[h % 5], "cust-" + Pad((i * 48271) % 100000, 6),
          (i * 7919 + 13) % 100000, kT0 + (i / kStep) * kStep};
}

struct Group {
  std::string date, status;
  int64_t count = 0, cents = 0;
  double avg = 0;
};
json GroupsJson(std::vector<Group> g) {
  std::sort(g.begin(), g.end(), [](const Group& a, const Group& b) {
    return std::tie(a.date, a.status) < std::tie(b.date, b.status);
  });
  json out = json::array();
  for (const Group& x : g) {
    out.push_back({{"date", x.date}, {"status", x.status}, {"count", x.count},
                   {"revenue", CentsText(x.cents)}, {"avg", std::round(x.avg * 1e4) / 1e4}});
  }
  return out;
}
// The same rows (count and revenue exact; avg within a cent, some systems truncate it).
bool SameGroups(const json& a, const json& b, std::string* why) {
  if (a.size() != b.size()) {
    *why = std::to_string(a.size()) + " vs " + std::to_string(b.size()) + " groups";
    return false;
  }
  for (size_t k = 0; k < a.size(); ++k) {
    if (a[k]["date"] != b[k]["date"] || a[k]["status"] != b[k]["status"] ||
        a[k]["count"] != b[k]["count"] || a[k]["revenue"] != b[k]["revenue"] ||
        std::fabs(a[k]["avg"].get<double>() - b[k]["avg"].get<double>()) > 0.0101) {
      *why = a[k].dump() + " vs " + b[k].dump();
      return false;
    }
  }
  return true;
}

enum class Op { kInsert = 0, kUpdate = 1, kDelete = 2 };
const char* const kOpNames[] = {"insert", "update", "delete"};

// One 100-row batch of the incremental workload; rows of status "probe" created at
// `created` (one DailySales group).
struct Batch {
  Op op;
  std::vector<std::string> ids;
  std::vector<int64_t> cents;  // insert: the new totals; update: the totals after it
  int64_t created;
};

struct Probe {
  int64_t count = 0, cents = 0;
  bool operator==(const Probe& o) const { return count == o.count && cents == o.cents; }
  bool operator!=(const Probe& o) const { return !(*this == o); }
};

// Batch b of the cycle insert / update / delete; tracks the expected probe group both
// with every op applied (`full`) and with inserts only (`inserts`, for peers whose
// incremental views ignore updates and deletes).
class Workload {
 public:
  explicit Workload(int64_t created) : created_(created) {}
  Batch Next(int b) {
    Batch batch{static_cast<Op>(b % 3), {}, {}, created_};
    const int cycle = b / 3;
    if (batch.op == Op::kInsert) {
      cents_.assign(kBatchRows, 0);
      for (int k = 0; k < kBatchRows; ++k) cents_[k] = 100 + (b * 31 + k * 7) % 10000;
    }
    for (int k = 0; k < (batch.op == Op::kDelete ? kDeletedPerCycle : kBatchRows); ++k) {
      batch.ids.push_back("probe-" + Pad(cycle, 6) + "-" + Pad(k, 3));
      if (batch.op == Op::kInsert) {
        full_.count += 1;
        full_.cents += cents_[k];
        inserts_.count += 1;
        inserts_.cents += cents_[k];
      } else if (batch.op == Op::kUpdate) {
        cents_[k] += 100;
        full_.cents += 100;
      } else {
        full_.count -= 1;
        full_.cents -= cents_[k];
      }
      batch.cents.push_back(cents_[k]);
    }
    return batch;
  }
  const Probe& full() const { return full_; }
  const Probe& inserts() const { return inserts_; }
  std::string date() const { return FormatTime(created_, false); }

 private:
  int64_t created_;
  std::vector<int64_t> cents_;
  Probe full_, inserts_;
};

// One system under test. Load() creates the orders and the incremental view machinery;
// everything else is timed by the driver.
class System {
 public:
  virtual ~System() = default;
  virtual std::string Version() = 0;
  virtual json Settings() = 0;
  virtual void Load(int64_t rows) = 0;
  virtual void FullRefresh() = 0;  // recompute DailySales from the orders
  virtual std::vector<Group> FullResult() = 0;
  virtual Probe FullProbe(const std::string& date) = 0;  // the "probe" group of FullResult
  virtual void FilterBuild() = 0;                         // recompute CancelledOrders
  virtual std::pair<int64_t, int64_t> FilterResult() = 0;  // rows, sum of cents
  virtual std::optional<Group> PointQuery(const std::string& date, const std::string& status) = 0;
  virtual void Write(const Batch& b) = 0;
  virtual std::string IvmMethod() = 0;
  virtual bool IvmSeesUpdatesDeletes() { return true; }
  virtual Probe IvmProbe(const std::string& date) = 0;
  virtual std::vector<Group> IvmResult() = 0;
  virtual std::string RecomputeMethod() { return ""; }  // non-empty: also time per batch
  virtual void Settle() {}  // wait for asynchronous work (ClickHouse mutations)
  virtual std::string IngestMethod() = 0;
  virtual double Ingest(bool views, int64_t rows) = 0;  // seconds for `rows` rows
};

// ---------------------------------------------------------------- ParqueDB

using parquedb::Value;

template <typename T>
T Check(parquedb::Result<T> r, const std::string& what) {
  if (!r.ok()) Fail(what + ": " + r.status().ToString());
  return std::move(r).value();
}
void Check(const parquedb::Status& s, const std::string& what) {
  if (!s.ok()) Fail(what + ": " + s.ToString());
}
Value J(const std::string& text) { return Check(Value::ParseJson(text), "parse " + text); }

int64_t ValueCents(const Value* v, const std::string& what) {
  if (v == nullptr) Fail(what + " missing");
  if (v->kind() == Value::Kind::kDecimal) {
    return static_cast<int64_t>(Check(v->as_decimal().Rescale(2), "rescale " + what).unscaled);
  }
  if (v->kind() == Value::Kind::kInt) return v->as_int() * 100;
  if (v->kind() == Value::Kind::kString) return ParseCents(v->as_string());
  Fail(what + " is " + v->ToJsonString());
}
std::string ValueText(const Value* v) {
  if (v == nullptr) return "";
  if (v->kind() == Value::Kind::kString) return v->as_string();
  if (v->kind() == Value::Kind::kDate) return parquedb::FormatDateDays(v->as_date());
  return v->ToJsonString();
}

constexpr const char* kOrderSchema =
    R"J("Order": {"total": "decimal(10,2)!", "status": "string!", "customer": "string?"})J";
constexpr const char* kDailySalesDef = R"J({"$from": "Order",
    "$groupBy": [{"date": "$createdAt"}, "status"],
    "$compute": {"orderCount": {"$count": "*"}, "revenue": {"$sum": "total"},
                 "avgOrder": {"$avg": "total"}}})J";

class ParqueDbSystem : public System {
 public:
  explicit ParqueDbSystem(fs::path dir) : dir_(std::move(dir)) {}

  std::string Version() override { return "ParqueDB (this checkout)"; }
  json Settings() override {
    return {{"sync", false}, {"note", "Options::sync off (CDC log written, not fsynced)"}};
  }

  std::unique_ptr<parquedb::DB> Open(const std::string& name, const std::string& schema) {
    fs::remove_all(dir_ / name);
    parquedb::Options o;
    o.path = (dir_ / name).string();
    o.clock = &clock_;
    o.sync = false;
    o.run_scheduler = false;
    return Check(parquedb::DB::Open(o, J(schema)), "open " + o.path);
  }
  static Value Doc(const OrderRow& r) {
    Value::Object o;
    o.emplace_back("$id", Value::String(r.id));
    o.emplace_back("total", Value::String(CentsText(r.cents)));
    o.emplace_back("status", Value::String(r.status));
    o.emplace_back("customer", Value::String(r.customer));
    return Value::MakeObject(std::move(o));
  }
  void Insert(parquedb::DB* db, int64_t from, int64_t to) {
    std::vector<Value> docs;
    for (int64_t b = from; b < to; b += kStep) {
      docs.clear();
      for (int64_t i = b; i < std::min(to, b + kStep); ++i) docs.push_back(Doc(MakeOrder(i)));
      clock_.SetMicros(MakeOrder(b).created * 1000000);
      Check(db->InsertMany("Order", docs), "InsertMany");
    }
  }

  void Load(int64_t rows) override {
    db_ = Open("main", std::string("{") + kOrderSchema + R"J(, "DailySales": )J" + kDailySalesDef +
                           R"J(, "CancelledOrders": {"$from": "Order", "$filter": {"status": "cancelled"},
                               "$refresh": {"mode": "manual"}}})J");
    Insert(db_.get(), 0, rows);
    Check(db_->Flush(), "Flush");
  }
  void FullRefresh() override {
    Check(db_->RefreshView("DailySales", parquedb::RefreshViewOptions{.full = true}),
          "RefreshView DailySales");
  }
  static Group ToGroup(const Value& r) {
    Group g;
    g.date = ValueText(r.Find("date"));
    g.status = ValueText(r.Find("status"));
    g.count = r.Find("orderCount")->as_int();
    g.cents = ValueCents(r.Find("revenue"), "revenue");
    g.avg = r.Find("avgOrder")->as_double();
    return g;
  }
  std::vector<Group> FullResult() override {
    std::vector<Group> out;
    for (const Value& r : Check(db_->Find("DailySales", J("{}")), "Find DailySales")) {
      out.push_back(ToGroup(r));
    }
    return out;
  }
  Probe FullProbe(const std::string& date) override { return IvmProbe(date); }
  void FilterBuild() override {
    Check(db_->RefreshView("CancelledOrders", parquedb::RefreshViewOptions{.full = true}),
          "RefreshView CancelledOrders");
  }
  std::pair<int64_t, int64_t> FilterResult() override {
    int64_t n = 0, cents = 0;
    for (const Value& r : Check(db_->Find("CancelledOrders", J("{}")), "Find CancelledOrders")) {
      ++n;
      cents += ValueCents(r.Find("total"), "CancelledOrders.total");
    }
    return {n, cents};
  }
  std::optional<Group> PointQuery(const std::string& date, const std::string& status) override {
    auto rows = Check(db_->Find("DailySales", J(R"({"date": ")" + date + R"(", "status": ")" +
                                                status + R"("})")),
                      "Find DailySales group");
    if (rows.empty()) return std::nullopt;
    return ToGroup(rows[0]);
  }
  void Write(const Batch& b) override {
    if (!clock_set_) {
      clock_.SetMicros(b.created * 1000000);
      clock_set_ = true;
    }
    parquedb::WriteBatch w;
    for (size_t k = 0; k < b.ids.size(); ++k) {
      if (b.op == Op::kInsert) {
        Value::Object o;
        o.emplace_back("$id", Value::String(b.ids[k]));
        o.emplace_back("total", Value::String(CentsText(b.cents[k])));
        o.emplace_back("status", Value::String("probe"));
        w.Insert("Order", Value::MakeObject(std::move(o)));
      } else if (b.op == Op::kUpdate) {
        w.Update("Order", b.ids[k], J(R"({"$set": {"total": ")" + CentsText(b.cents[k]) + R"("}})"));
      } else {
        w.Delete("Order", b.ids[k]);
      }
    }
    Check(db_->Write(w, nullptr), "Write");
  }
  std::string IvmMethod() override { return "streaming view, maintained inside the write"; }
  Probe IvmProbe(const std::string& date) override {
    auto rows = Check(
        db_->Find("DailySales", J(R"({"status": "probe", "date": ")" + date + R"("})")),
        "Find probe");
    if (rows.empty()) return {};
    return {rows[0].Find("orderCount")->as_int(), ValueCents(rows[0].Find("revenue"), "revenue")};
  }
  std::vector<Group> IvmResult() override { return FullResult(); }
  std::string IngestMethod() override { return "InsertMany of 1,000 documents"; }
  double Ingest(bool views, int64_t rows) override {
    std::string schema = std::string("{") + kOrderSchema;
    if (views) {
      schema += std::string(R"J(, "DailySales": )J") + kDailySalesDef +
                R"J(, "CancelledOrders": {"$from": "Order", "$filter": {"status": "cancelled"}},
                "OrderSummary": {"$from": "Order", "$select": {"total": "$total",
                                 "status": "$status", "customer": "$customer"}})J";
    }
    auto db = Open(views ? "ingest_views" : "ingest_plain", schema + "}");
    const double t = Now();
    Insert(db.get(), 0, rows);
    const double s = Now() - t;
    if (views && Check(db->Count("OrderSummary", J("{}")), "Count") != rows) {
      Fail("ingest: OrderSummary lost rows");
    }
    db.reset();
    fs::remove_all(dir_ / (views ? "ingest_views" : "ingest_plain"));
    return s;
  }
  ~ParqueDbSystem() override {
    db_.reset();
    fs::remove_all(dir_ / "main");
  }

 private:
  fs::path dir_;
  parquedb::ManualClock clock_{kT0 * 1000000};
  bool clock_set_ = false;
  std::unique_ptr<parquedb::DB> db_;
};

// ---------------------------------------------------------------- SQLite

#ifdef PARQUEDB_BENCH_SQLITE
// orders(total INTEGER cents, created_at INTEGER Unix seconds); DailySales maintained by
// row triggers (insert/update/delete) in daily_trig; the full recompute goes to daily_full.
class SqliteSystem : public System {
 public:
  explicit SqliteSystem(fs::path dir) : path_(dir / "sqlite_compare.db") {
    fs::remove(path_);
    fs::remove(path_.string() + "-wal");
    fs::remove(path_.string() + "-shm");
    if (sqlite3_open(path_.c_str(), &db_) != SQLITE_OK) Fail("sqlite3_open " + path_.string());
    Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;");
  }
  ~SqliteSystem() override {
    for (auto& [k, s] : stmts_) sqlite3_finalize(s);
    sqlite3_close(db_);
    fs::remove(path_);
    fs::remove(path_.string() + "-wal");
    fs::remove(path_.string() + "-shm");
  }
  void Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "?";
      sqlite3_free(err);
      Fail("sqlite: " + msg + " in: " + sql.substr(0, 200));
    }
  }
  sqlite3_stmt* Stmt(const std::string& sql) {
    auto it = stmts_.find(sql);
    if (it != stmts_.end()) {
      sqlite3_reset(it->second);
      sqlite3_clear_bindings(it->second);
      return it->second;
    }
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      Fail(std::string("sqlite prepare: ") + sqlite3_errmsg(db_) + " in: " + sql);
    }
    stmts_[sql] = s;
    return s;
  }
  void Step(sqlite3_stmt* s) {
    if (sqlite3_step(s) != SQLITE_DONE) Fail(std::string("sqlite step: ") + sqlite3_errmsg(db_));
  }
  std::string Text(sqlite3_stmt* s, int col) {
    const unsigned char* t = sqlite3_column_text(s, col);
    return t ? reinterpret_cast<const char*>(t) : "";
  }

  std::string Version() override { return std::string("SQLite ") + sqlite3_libversion(); }
  json Settings() override {
    return {{"journal_mode", "WAL"}, {"synchronous", "OFF"}, {"total", "INTEGER cents"}};
  }
  static std::string Tables(const std::string& orders) {
    return "CREATE TABLE " + orders +
           "(id TEXT PRIMARY KEY, status TEXT NOT NULL, total INTEGER NOT NULL, customer TEXT,"
           " created_at INTEGER NOT NULL);";
  }
  static std::string DailyTriggers(const std::string& orders, const std::string& table,
                                   bool all_ops) {
    const std::string key_new = "date(NEW.created_at, 'unixepoch'), NEW.status";
    const std::string where_old = " WHERE date = date(OLD.created_at, 'unixepoch') AND status = OLD.status";
    const std::string add_new = "INSERT INTO " + table + " VALUES (" + key_new +
                                ", 1, NEW.total) ON CONFLICT(date, status) DO UPDATE SET "
                                "order_count = order_count + 1, revenue = revenue + excluded.revenue;";
    const std::string sub_old = "UPDATE " + table + " SET order_count = order_count - 1, revenue = revenue - OLD.total" +
                                where_old + "; DELETE FROM " + table + where_old + " AND order_count = 0;";
    std::string s = "CREATE TABLE " + table +
                    "(date TEXT, status TEXT, order_count INTEGER NOT NULL, revenue INTEGER NOT NULL,"
                    " PRIMARY KEY (date, status)) WITHOUT ROWID;"
                    "CREATE TRIGGER " + table + "_i AFTER INSERT ON " + orders + " BEGIN " + add_new + " END;";
    if (all_ops) {
      s += "CREATE TRIGGER " + table + "_d AFTER DELETE ON " + orders + " BEGIN " + sub_old + " END;";
      s += "CREATE TRIGGER " + table + "_u AFTER UPDATE ON " + orders + " BEGIN " + sub_old + add_new + " END;";
    }
    return s;
  }
  void InsertRows(const std::string& table, int64_t from, int64_t to) {
    sqlite3_stmt* s = Stmt("INSERT INTO " + table + " VALUES (?, ?, ?, ?, ?)");
    for (int64_t i = from; i < to; ++i) {
      const OrderRow r = MakeOrder(i);
      sqlite3_reset(s);
      sqlite3_bind_text(s, 1, r.id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(s, 2, r.status.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(s, 3, r.cents);
      sqlite3_bind_text(s, 4, r.customer.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(s, 5, r.created);
      Step(s);
    }
  }
  void Load(int64_t rows) override {
    Exec(Tables("orders"));
    for (int64_t b = 0; b < rows; b += 100000) {
      Exec("BEGIN");
      InsertRows("orders", b, std::min(rows, b + 100000));
      Exec("COMMIT");
    }
    Exec(DailyTriggers("orders", "daily_trig", true));
    Exec("INSERT INTO daily_trig SELECT date(created_at, 'unixepoch'), status, count(*), sum(total)"
         " FROM orders GROUP BY 1, 2;"
         "CREATE TABLE daily_full(date TEXT, status TEXT, order_count INTEGER, revenue INTEGER,"
         " avg_order REAL);"
         "CREATE TABLE cancelled(id TEXT, status TEXT, total INTEGER, customer TEXT, created_at INTEGER);");
  }
  void FullRefresh() override {
    Exec("BEGIN; DELETE FROM daily_full; INSERT INTO daily_full SELECT date(created_at, 'unixepoch'),"
         " status, count(*), sum(total), avg(total) / 100.0 FROM orders GROUP BY 1, 2; COMMIT;");
  }
  std::vector<Group> Groups(const std::string& sql) {
    std::vector<Group> out;
    sqlite3_stmt* s = Stmt(sql);
    while (sqlite3_step(s) == SQLITE_ROW) {
      out.push_back({Text(s, 0), Text(s, 1), sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3),
                     sqlite3_column_double(s, 4)});
    }
    return out;
  }
  std::vector<Group> FullResult() override { return Groups("SELECT * FROM daily_full"); }
  Probe FullProbe(const std::string&) override { Fail("sqlite: no per-batch recompute"); }
  void FilterBuild() override {
    Exec("BEGIN; DELETE FROM cancelled; INSERT INTO cancelled SELECT * FROM orders"
         " WHERE status = 'cancelled'; COMMIT;");
  }
  std::pair<int64_t, int64_t> FilterResult() override {
    sqlite3_stmt* s = Stmt("SELECT count(*), coalesce(sum(total), 0) FROM cancelled");
    if (sqlite3_step(s) != SQLITE_ROW) Fail("sqlite filter result");
    return {sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1)};
  }
  std::optional<Group> PointQuery(const std::string& date, const std::string& status) override {
    sqlite3_stmt* s = Stmt(
        "SELECT date, status, order_count, revenue, revenue / 100.0 / order_count FROM daily_trig"
        " WHERE date = ? AND status = ?");
    sqlite3_bind_text(s, 1, date.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, status.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) != SQLITE_ROW) return std::nullopt;
    return Group{Text(s, 0), Text(s, 1), sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3),
                 sqlite3_column_double(s, 4)};
  }
  void Write(const Batch& b) override {
    Exec("BEGIN");
    for (size_t k = 0; k < b.ids.size(); ++k) {
      sqlite3_stmt* s;
      if (b.op == Op::kInsert) {
        s = Stmt("INSERT INTO orders VALUES (?, 'probe', ?, NULL, ?)");
        sqlite3_bind_text(s, 1, b.ids[k].c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 2, b.cents[k]);
        sqlite3_bind_int64(s, 3, b.created);
      } else if (b.op == Op::kUpdate) {
        s = Stmt("UPDATE orders SET total = total + 100 WHERE id = ?");
        sqlite3_bind_text(s, 1, b.ids[k].c_str(), -1, SQLITE_TRANSIENT);
      } else {
        s = Stmt("DELETE FROM orders WHERE id = ?");
        sqlite3_bind_text(s, 1, b.ids[k].c_str(), -1, SQLITE_TRANSIENT);
      }
      Step(s);
    }
    Exec("COMMIT");
  }
  std::string IvmMethod() override { return "row triggers (insert/update/delete) on a summary table"; }
  Probe IvmProbe(const std::string& date) override {
    auto g = PointQuery(date, "probe");
    return g ? Probe{g->count, g->cents} : Probe{};
  }
  std::vector<Group> IvmResult() override {
    return Groups("SELECT date, status, order_count, revenue, revenue / 100.0 / order_count FROM daily_trig");
  }
  std::string IngestMethod() override { return "1,000-row transactions of prepared INSERTs"; }
  double Ingest(bool views, int64_t rows) override {
    const std::string t = views ? "ing_v" : "ing_p";
    Exec(Tables(t));
    if (views) {
      Exec(DailyTriggers(t, t + "_daily", true) +
           "CREATE TABLE " + t + "_cancelled(id TEXT, status TEXT, total INTEGER, customer TEXT, created_at INTEGER);"
           "CREATE TRIGGER " + t + "_c AFTER INSERT ON " + t + " WHEN NEW.status = 'cancelled' BEGIN"
           " INSERT INTO " + t + "_cancelled VALUES (NEW.id, NEW.status, NEW.total, NEW.customer, NEW.created_at); END;"
           "CREATE TABLE " + t + "_summary(id TEXT PRIMARY KEY, total INTEGER, status TEXT, customer TEXT);"
           "CREATE TRIGGER " + t + "_s AFTER INSERT ON " + t + " BEGIN"
           " INSERT INTO " + t + "_summary VALUES (NEW.id, NEW.total, NEW.status, NEW.customer); END;");
    }
    const double start = Now();
    for (int64_t b = 0; b < rows; b += kStep) {
      Exec("BEGIN");
      InsertRows(t, b, std::min(rows, b + kStep));
      Exec("COMMIT");
    }
    return Now() - start;
  }

 private:
  fs::path path_;
  sqlite3* db_ = nullptr;
  std::map<std::string, sqlite3_stmt*> stmts_;
};
#endif

// ---------------------------------------------------------------- PostgreSQL

#ifdef PARQUEDB_BENCH_POSTGRES
// orders(total numeric(10,2), created_at timestamptz), session TimeZone UTC. DailySales as
// (1) MATERIALIZED VIEW daily_mv (REFRESH for the full and per-batch recompute) and
// (2) daily_trig maintained by statement-level triggers with transition tables.
class PostgresSystem : public System {
 public:
  explicit PostgresSystem(const std::string& conninfo) {
    conn_ = PQconnectdb(conninfo.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) Fail(std::string("postgres connect: ") + PQerrorMessage(conn_));
    Exec("SET TimeZone = 'UTC'");
    Exec("SET client_min_messages = warning");
  }
  ~PostgresSystem() override { PQfinish(conn_); }

  using Rows = std::vector<std::vector<std::string>>;
  Rows Exec(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    return Take(r, sql);
  }
  Rows Take(PGresult* r, const std::string& sql) {
    const auto st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      std::string msg = PQresultErrorMessage(r);
      PQclear(r);
      Fail("postgres: " + msg + " in: " + sql.substr(0, 300));
    }
    Rows out;
    for (int i = 0; i < PQntuples(r); ++i) {
      out.emplace_back();
      for (int c = 0; c < PQnfields(r); ++c) out.back().emplace_back(PQgetvalue(r, i, c));
    }
    PQclear(r);
    return out;
  }
  void Copy(const std::string& table, int64_t from, int64_t to) {
    PGresult* start = PQexec(conn_, ("COPY " + table + " FROM STDIN").c_str());
    if (PQresultStatus(start) != PGRES_COPY_IN) Take(start, "COPY " + table);  // fails
    PQclear(start);
    std::string buf;
    auto put = [&] {
      if (PQputCopyData(conn_, buf.data(), static_cast<int>(buf.size())) != 1) {
        Fail(std::string("PQputCopyData: ") + PQerrorMessage(conn_));
      }
      buf.clear();
    };
    for (int64_t i = from; i < to; ++i) {
      const OrderRow r = MakeOrder(i);
      buf += r.id + "\t" + r.status + "\t" + CentsText(r.cents) + "\t" + r.customer + "\t" +
             FormatTime(r.created, true) + "+00\n";
      if (buf.size() > (1 << 20)) put();
    }
    if (!buf.empty()) put();
    if (PQputCopyEnd(conn_, nullptr) != 1) Fail(std::string("PQputCopyEnd: ") + PQerrorMessage(conn_));
    Take(PQgetResult(conn_), "COPY end");
    while (PGresult* r = PQgetResult(conn_)) PQclear(r);
  }
  static std::string Values(int64_t from, int64_t to) {
    std::string s;
    for (int64_t i = from; i < to; ++i) {
      const OrderRow r = MakeOrder(i);
      s += (i == from ? "('" : ",('") + r.id + "','" + r.status + "'," + CentsText(r.cents) + ",'" +
           r.customer + "','" + FormatTime(r.created, true) + "+00')";
    }
    return s;
  }
  static std::string Tables(const std::string& t) {
    return "CREATE TABLE " + t +
           "(id text PRIMARY KEY, status text NOT NULL, total numeric(10,2) NOT NULL, customer text,"
           " created_at timestamptz NOT NULL);";
  }
  // Statement-level triggers: one grouped upsert per statement from the transition tables.
  static std::string DailyTriggers(const std::string& t, const std::string& d, bool all_ops) {
    auto upsert = [&](const std::string& rows_sql) {
      return "INSERT INTO " + d + " AS x (date, status, order_count, revenue) SELECT date, status,"
             " sum(n), sum(v) FROM (" + rows_sql + ") c GROUP BY date, status"
             " ON CONFLICT (date, status) DO UPDATE SET order_count = x.order_count + EXCLUDED.order_count,"
             " revenue = x.revenue + EXCLUDED.revenue; DELETE FROM " + d + " WHERE order_count = 0;";
    };
    const std::string plus = "SELECT (created_at AT TIME ZONE 'UTC')::date AS date, status, 1 AS n, total AS v FROM new_rows";
    const std::string minus = "SELECT (created_at AT TIME ZONE 'UTC')::date AS date, status, -1 AS n, -total AS v FROM old_rows";
    auto fn = [&](const std::string& name, const std::string& body) {
      return "CREATE FUNCTION " + name + "() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN " + body +
             " RETURN NULL; END $f$;";
    };
    std::string s = "CREATE TABLE " + d + "(date date, status text, order_count bigint NOT NULL,"
                    " revenue numeric NOT NULL, PRIMARY KEY (date, status));" +
                    fn(d + "_ins", upsert(plus)) +
                    "CREATE TRIGGER " + d + "_i AFTER INSERT ON " + t +
                    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION " + d + "_ins();";
    if (all_ops) {
      s += fn(d + "_del", upsert(minus)) + fn(d + "_upd", upsert(plus + " UNION ALL " + minus)) +
           "CREATE TRIGGER " + d + "_d AFTER DELETE ON " + t +
           " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION " + d + "_del();"
           "CREATE TRIGGER " + d + "_u AFTER UPDATE ON " + t +
           " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION " +
           d + "_upd();";
    }
    return s;
  }

  std::string Version() override { return Exec("SHOW server_version")[0][0]; }
  json Settings() override {
    json s;
    for (const char* k : {"fsync", "synchronous_commit", "shared_buffers", "work_mem",
                          "max_parallel_workers_per_gather"}) {
      s[k] = Exec(std::string("SHOW ") + k)[0][0];
    }
    return s;
  }
  void Load(int64_t rows) override {
    Exec("DROP SCHEMA IF EXISTS bench CASCADE; CREATE SCHEMA bench; SET search_path = bench");
    Exec(Tables("orders"));
    Copy("orders", 0, rows);
    Exec("VACUUM ANALYZE orders");
    Exec(DailyTriggers("orders", "daily_trig", true));
    Exec("INSERT INTO daily_trig SELECT (created_at AT TIME ZONE 'UTC')::date, status, count(*), sum(total)"
         " FROM orders GROUP BY 1, 2");
    Exec("CREATE MATERIALIZED VIEW daily_mv AS SELECT (created_at AT TIME ZONE 'UTC')::date AS date,"
         " status, count(*) AS order_count, sum(total) AS revenue, avg(total) AS avg_order FROM orders"
         " GROUP BY 1, 2 WITH NO DATA;"
         "CREATE UNIQUE INDEX ON daily_mv (date, status);"
         "CREATE MATERIALIZED VIEW cancelled_mv AS SELECT * FROM orders WHERE status = 'cancelled'"
         " WITH NO DATA;");
    Exec("PREPARE point(date, text) AS SELECT date::text, status, order_count, revenue::text,"
         " avg_order::float8 FROM daily_mv WHERE date = $1 AND status = $2");
    Exec("PREPARE ivm_probe(date) AS SELECT order_count, revenue::text FROM daily_trig"
         " WHERE date = $1 AND status = 'probe'");
    Exec("PREPARE mv_probe(date) AS SELECT order_count, revenue::text FROM daily_mv"
         " WHERE date = $1 AND status = 'probe'");
  }
  void FullRefresh() override { Exec("REFRESH MATERIALIZED VIEW daily_mv"); }
  std::vector<Group> ToGroups(const Rows& rows) {
    std::vector<Group> out;
    for (const auto& r : rows) {
      out.push_back({r[0], r[1], std::stoll(r[2]), ParseCents(r[3]), std::stod(r[4])});
    }
    return out;
  }
  std::vector<Group> FullResult() override {
    return ToGroups(Exec("SELECT date::text, status, order_count, revenue::text, avg_order::float8 FROM daily_mv"));
  }
  Probe ProbeOf(const Rows& r) {
    return r.empty() ? Probe{} : Probe{std::stoll(r[0][0]), ParseCents(r[0][1])};
  }
  Probe FullProbe(const std::string& date) override {
    return ProbeOf(Exec("EXECUTE mv_probe('" + date + "')"));
  }
  void FilterBuild() override { Exec("REFRESH MATERIALIZED VIEW cancelled_mv"); }
  std::pair<int64_t, int64_t> FilterResult() override {
    auto r = Exec("SELECT count(*), coalesce(sum(total), 0)::text FROM cancelled_mv");
    return {std::stoll(r[0][0]), ParseCents(r[0][1])};
  }
  std::optional<Group> PointQuery(const std::string& date, const std::string& status) override {
    // Prepared statement, parameters bound (quoting is safe: generated keys).
    auto r = ToGroups(Exec("EXECUTE point('" + date + "', '" + status + "')"));
    if (r.empty()) return std::nullopt;
    return r[0];
  }
  void Write(const Batch& b) override {
    std::string sql;
    if (b.op == Op::kInsert) {
      sql = "INSERT INTO orders VALUES ";
      for (size_t k = 0; k < b.ids.size(); ++k) {
        sql += (k ? ",('" : "('") + b.ids[k] + "','probe'," + CentsText(b.cents[k]) + ",NULL,'" +
               FormatTime(b.created, true) + "+00')";
      }
    } else {
      sql = b.op == Op::kUpdate ? "UPDATE orders SET total = total + 1.00 WHERE id IN ("
                                : "DELETE FROM orders WHERE id IN (";
      for (size_t k = 0; k < b.ids.size(); ++k) sql += (k ? ",'" : "'") + b.ids[k] + "'";
      sql += ")";
    }
    Exec(sql);
  }
  std::string IvmMethod() override {
    return "statement triggers with transition tables (insert/update/delete) upserting a summary table";
  }
  Probe IvmProbe(const std::string& date) override {
    return ProbeOf(Exec("EXECUTE ivm_probe('" + date + "')"));
  }
  std::vector<Group> IvmResult() override {
    return ToGroups(Exec("SELECT date::text, status, order_count, revenue::text,"
                         " (revenue / order_count)::float8 FROM daily_trig"));
  }
  std::string RecomputeMethod() override { return "write, then REFRESH MATERIALIZED VIEW daily_mv"; }
  std::string IngestMethod() override { return "one 1,000-row INSERT ... VALUES per transaction"; }
  double Ingest(bool views, int64_t rows) override {
    const std::string t = views ? "ing_v" : "ing_p";
    Exec(Tables(t));
    if (views) {
      Exec(DailyTriggers(t, t + "_daily", true) +
           "CREATE TABLE " + t + "_cancelled (LIKE " + t + ");"
           "CREATE FUNCTION " + t + "_c() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN INSERT INTO " + t +
           "_cancelled SELECT * FROM new_rows WHERE status = 'cancelled'; RETURN NULL; END $f$;"
           "CREATE TRIGGER " + t + "_c AFTER INSERT ON " + t +
           " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION " + t + "_c();"
           "CREATE TABLE " + t + "_summary (id text PRIMARY KEY, total numeric(10,2), status text, customer text);"
           "CREATE FUNCTION " + t + "_s() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN INSERT INTO " + t +
           "_summary SELECT id, total, status, customer FROM new_rows; RETURN NULL; END $f$;"
           "CREATE TRIGGER " + t + "_s AFTER INSERT ON " + t +
           " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION " + t + "_s();");
    }
    const double start = Now();
    for (int64_t b = 0; b < rows; b += kStep) {
      Exec("INSERT INTO " + t + " VALUES " + Values(b, std::min(rows, b + kStep)));
    }
    const double s = Now() - start;
    if (views && std::stoll(Exec("SELECT count(*) FROM " + t + "_summary")[0][0]) != rows) {
      Fail("postgres ingest: summary lost rows");
    }
    return s;
  }

 private:
  PGconn* conn_ = nullptr;
};
#endif

// ---------------------------------------------------------------- ClickHouse

// orders MergeTree (total Decimal(10,2), created_at DateTime('UTC')). DailySales as an
// incremental MATERIALIZED VIEW ... TO daily_agg (AggregatingMergeTree of count/sum/avg
// states); updates and deletes are ALTER TABLE ... UPDATE/DELETE mutations, which
// materialized views never see. Full recompute: CREATE TABLE daily_full AS SELECT.
std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", ch);
      out += buf;
    }
  }
  return out;
}

class ClickHouseSystem : public System {
 public:
  explicit ClickHouseSystem(int port) : cli_("127.0.0.1", port) {
    cli_.set_keep_alive(true);
    cli_.set_tcp_nodelay(true);  // else Nagle + delayed ACK add ~40 ms per request
    cli_.set_read_timeout(600, 0);
    cli_.set_write_timeout(600, 0);
  }
  using Rows = std::vector<std::vector<std::string>>;
  Rows Query(const std::string& sql, const std::string& body = "") {
    httplib::Result res = body.empty()
                              ? cli_.Post("/", sql, "text/plain")
                              : cli_.Post(("/?query=" + UrlEncode(sql)).c_str(),
                                          body, "text/tab-separated-values");
    if (!res) Fail("clickhouse: HTTP error " + httplib::to_string(res.error()) + " in: " + sql.substr(0, 200));
    if (res->status != 200) Fail("clickhouse: " + res->body + " in: " + sql.substr(0, 300));
    Rows out;
    size_t p = 0;
    const std::string& s = res->body;
    while (p < s.size()) {
      size_t e = s.find('\n', p);
      if (e == std::string::npos) e = s.size();
      out.emplace_back();
      size_t q = p;
      while (true) {
        size_t t = s.find('\t', q);
        if (t == std::string::npos || t > e) t = e;
        out.back().push_back(s.substr(q, t - q));
        if (t == e) break;
        q = t + 1;
      }
      p = e + 1;
    }
    return out;
  }
  static std::string Tsv(int64_t from, int64_t to) {
    std::string s;
    for (int64_t i = from; i < to; ++i) {
      const OrderRow r = MakeOrder(i);
      s += r.id + "\t" + r.status + "\t" + CentsText(r.cents) + "\t" + r.customer + "\t" +
           FormatTime(r.created, true) + "\n";
    }
    return s;
  }
  static std::string Table(const std::string& t) {
    return "CREATE TABLE " + t + " (id String, status String, total Decimal(10,2), customer String,"
           " created_at DateTime('UTC')) ENGINE = MergeTree ORDER BY id";
  }
  void DailyMv(const std::string& t, const std::string& agg) {
    Query("CREATE TABLE " + agg + " (date Date, status String, c AggregateFunction(count),"
          " s AggregateFunction(sum, Decimal(10,2)), a AggregateFunction(avg, Decimal(10,2)))"
          " ENGINE = AggregatingMergeTree ORDER BY (date, status)");
    Query("CREATE MATERIALIZED VIEW " + agg + "_mv TO " + agg + " AS SELECT toDate(created_at) AS date,"
          " status, countState() AS c, sumState(total) AS s, avgState(total) AS a FROM " + t +
          " GROUP BY date, status");
  }

  std::string Version() override { return "ClickHouse " + Query("SELECT version()")[0][0]; }
  json Settings() override {
    return {{"max_threads", Query("SELECT value FROM system.settings WHERE name = 'max_threads'")[0][0]},
            {"note", "updates/deletes as ALTER TABLE mutations (asynchronous)"}};
  }
  void Load(int64_t rows) override {
    for (const char* t : {"orders", "daily_agg", "daily_agg_mv", "daily_full", "cancelled", "ing_p", "ing_v",
                          "ing_v_daily", "ing_v_daily_mv", "ing_v_cancelled", "ing_v_cancelled_mv",
                          "ing_v_summary", "ing_v_summary_mv"}) {
      Query(std::string("DROP TABLE IF EXISTS ") + t);
    }
    Query(Table("orders"));
    for (int64_t b = 0; b < rows; b += 200000) {
      Query("INSERT INTO orders FORMAT TabSeparated", Tsv(b, std::min(rows, b + 200000)));
    }
    Query("OPTIMIZE TABLE orders FINAL");
    DailyMv("orders", "daily_agg");
    Query("INSERT INTO daily_agg SELECT toDate(created_at) AS date, status, countState(), sumState(total),"
          " avgState(total) FROM orders GROUP BY date, status");
  }
  void FullRefresh() override {
    Query("DROP TABLE IF EXISTS daily_full");
    Query("CREATE TABLE daily_full ENGINE = MergeTree ORDER BY (date, status) AS SELECT"
          " toDate(created_at) AS date, status, count() AS order_count, sum(total) AS revenue,"
          " avg(toFloat64(total)) AS avg_order FROM orders GROUP BY date, status");
  }
  std::vector<Group> ToGroups(const Rows& rows) {
    std::vector<Group> out;
    for (const auto& r : rows) {
      if (r.size() != 5) Fail("clickhouse: unexpected row");
      out.push_back({r[0], r[1], std::stoll(r[2]), ParseCents(r[3]), std::stod(r[4])});
    }
    return out;
  }
  std::vector<Group> FullResult() override {
    return ToGroups(Query("SELECT date, status, order_count, revenue, avg_order FROM daily_full FORMAT TabSeparated"));
  }
  Probe FullProbe(const std::string&) override { Fail("clickhouse: no per-batch recompute"); }
  void FilterBuild() override {
    Query("DROP TABLE IF EXISTS cancelled");
    Query("CREATE TABLE cancelled ENGINE = MergeTree ORDER BY id AS SELECT * FROM orders"
          " WHERE status = 'cancelled'");
  }
  std::pair<int64_t, int64_t> FilterResult() override {
    auto r = Query("SELECT count(), sum(total) FROM cancelled FORMAT TabSeparated");
    return {std::stoll(r[0][0]), ParseCents(r[0][1])};
  }
  static std::string AggSelect(const std::string& where) {
    return "SELECT date, status, countMerge(c), sumMerge(s), toFloat64(avgMerge(a)) FROM daily_agg " +
           where + " GROUP BY date, status FORMAT TabSeparated";
  }
  std::optional<Group> PointQuery(const std::string& date, const std::string& status) override {
    auto g = ToGroups(Query(AggSelect("WHERE date = '" + date + "' AND status = '" + status + "'")));
    if (g.empty()) return std::nullopt;
    return g[0];
  }
  void Write(const Batch& b) override {
    if (b.op == Op::kInsert) {
      std::string tsv;
      for (size_t k = 0; k < b.ids.size(); ++k) {
        tsv += b.ids[k] + "\tprobe\t" + CentsText(b.cents[k]) + "\t\t" + FormatTime(b.created, true) + "\n";
      }
      Query("INSERT INTO orders FORMAT TabSeparated", tsv);
      return;
    }
    std::string in;
    for (size_t k = 0; k < b.ids.size(); ++k) in += (k ? ",'" : "'") + b.ids[k] + "'";
    Query(b.op == Op::kUpdate
              ? "ALTER TABLE orders UPDATE total = total + toDecimal32(1, 2) WHERE id IN (" + in + ")"
              : "ALTER TABLE orders DELETE WHERE id IN (" + in + ")");
  }
  std::string IvmMethod() override {
    return "MATERIALIZED VIEW TO AggregatingMergeTree (sees inserts only)";
  }
  bool IvmSeesUpdatesDeletes() override { return false; }
  Probe IvmProbe(const std::string& date) override {
    auto g = PointQuery(date, "probe");
    return g ? Probe{g->count, g->cents} : Probe{};
  }
  std::vector<Group> IvmResult() override { return ToGroups(Query(AggSelect(""))); }
  void Settle() override {
    for (int k = 0; k < 6000; ++k) {
      if (Query("SELECT count() FROM system.mutations WHERE is_done = 0 FORMAT TabSeparated")[0][0] == "0") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    Fail("clickhouse: mutations still running after 300 s");
  }
  std::string IngestMethod() override { return "one 1,000-row INSERT (TSV over HTTP) per batch"; }
  double Ingest(bool views, int64_t rows) override {
    const std::string t = views ? "ing_v" : "ing_p";
    Query(Table(t));
    if (views) {
      DailyMv(t, t + "_daily");
      Query("CREATE TABLE " + t + "_cancelled AS " + t);
      Query("CREATE MATERIALIZED VIEW " + t + "_cancelled_mv TO " + t + "_cancelled AS SELECT * FROM " + t +
            " WHERE status = 'cancelled'");
      Query("CREATE TABLE " + t + "_summary (id String, total Decimal(10,2), status String, customer String)"
            " ENGINE = MergeTree ORDER BY id");
      Query("CREATE MATERIALIZED VIEW " + t + "_summary_mv TO " + t + "_summary AS SELECT id, total, status,"
            " customer FROM " + t);
    }
    std::vector<std::string> bodies;  // generated before the clock starts (as the text is for SQL peers)
    for (int64_t b = 0; b < rows; b += kStep) bodies.push_back(Tsv(b, std::min(rows, b + kStep)));
    const double start = Now();
    for (const std::string& body : bodies) Query("INSERT INTO " + t + " FORMAT TabSeparated", body);
    const double s = Now() - start;
    if (views && std::stoll(Query("SELECT count() FROM " + t + "_summary FORMAT TabSeparated")[0][0]) != rows) {
      Fail("clickhouse ingest: summary lost rows");
    }
    return s;
  }

 private:
  httplib::Client cli_;
};

// ---------------------------------------------------------------- driver

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::max<size_t>(rank, 1) - 1];
}
double Round4(double x) { return std::round(x * 10000) / 10000; }
json Latency(const std::vector<double>& ms) {
  if (ms.empty()) return nullptr;
  return {{"median_ms", Round4(Quantile(ms, 0.5))},
          {"p99_ms", Round4(Quantile(ms, 0.99))},
          {"max_ms", Round4(Quantile(ms, 1.0))},
          {"samples", ms.size()}};
}

struct Config {
  std::string system;
  int64_t rows = 20000;
  int batches = 300;
  int recompute_batches = 30;
  int64_t ingest_rows = 20000;
  int point_queries = 1000;
  fs::path dir = fs::temp_directory_path() / "parquedb_compare";
  std::string pg;
  int ch_port = 0;
};

template <typename F>
double BestOf3(F f) {
  double best = 1e100;
  for (int r = 0; r < 3; ++r) {
    const double t = Now();
    f();
    best = std::min(best, Now() - t);
  }
  return best;
}

json Run(System& sys, const Config& c) {
  json out = {{"system", c.system}, {"version", sys.Version()}, {"rows", c.rows}};
  std::cerr << c.system << ": loading " << c.rows << " orders\n";
  double t = Now();
  sys.Load(c.rows);
  out["load_seconds"] = Round4(Now() - t);
  out["settings"] = sys.Settings();

  std::cerr << c.system << ": full refresh\n";
  double s = BestOf3([&] { sys.FullRefresh(); });
  out["full_refresh"] = {{"seconds", Round4(s)}, {"rows_per_second", std::round(c.rows / s)}};
  std::vector<Group> after_load = sys.FullResult();
  // Sorted, so every system's point queries pick the same groups.
  std::sort(after_load.begin(), after_load.end(), [](const Group& a, const Group& b) {
    return std::tie(a.date, a.status) < std::tie(b.date, b.status);
  });
  out["answers"]["after_load"] = GroupsJson(after_load);
  std::string why;
  if (!SameGroups(GroupsJson(sys.IvmResult()), out["answers"]["after_load"], &why)) {
    Fail(c.system + ": incremental view differs from the full recompute after the load: " + why);
  }

  std::cerr << c.system << ": filter view build\n";
  s = BestOf3([&] { sys.FilterBuild(); });
  const auto [filter_rows, filter_cents] = sys.FilterResult();
  out["filter_build"] = {{"seconds", Round4(s)}, {"rows_per_second", std::round(c.rows / s)}};
  out["answers"]["cancelled"] = {{"rows", filter_rows}, {"revenue", CentsText(filter_cents)}};

  std::cerr << c.system << ": " << c.point_queries << " point queries\n";
  std::vector<double> point_ms;
  int64_t point_count_sum = 0;
  for (int k = 0; k < c.point_queries; ++k) {
    const Group& g = after_load[(static_cast<size_t>(k) * 7919) % after_load.size()];
    t = Now();
    auto r = sys.PointQuery(g.date, g.status);
    point_ms.push_back((Now() - t) * 1000);
    if (!r || r->count != g.count || r->cents != g.cents) {
      Fail(c.system + ": point query " + g.date + "/" + g.status + " wrong");
    }
    point_count_sum += r->count;
  }
  out["point_query"] = Latency(point_ms);
  out["point_query"]["order_count_sum"] = point_count_sum;

  std::cerr << c.system << ": " << c.batches << " incremental batches\n";
  Workload w(kT0 + (c.rows + kStep - 1) / kStep * kStep);
  std::vector<double> ivm_ms[3], write_ms[3], recompute_ms;
  int not_reflected = 0;
  const bool sees_all = sys.IvmSeesUpdatesDeletes();
  const bool recompute = !sys.RecomputeMethod().empty();
  for (int b = 0; b < c.batches; ++b) {
    const Batch batch = w.Next(b);
    const int op = static_cast<int>(batch.op);
    const double t0 = Now();
    sys.Write(batch);
    const double t1 = Now();
    write_ms[op].push_back((t1 - t0) * 1000);
    if (sees_all || batch.op == Op::kInsert) {
      const Probe want = sees_all ? w.full() : w.inserts();
      for (int polls = 0; sys.IvmProbe(w.date()) != want; ++polls) {
        if (Now() - t1 > 30) Fail(c.system + ": incremental view never showed batch " + std::to_string(b));
      }
      ivm_ms[op].push_back((Now() - t0) * 1000);
    } else if (sys.IvmProbe(w.date()) != w.full()) {
      ++not_reflected;
    }
    if (recompute && b < c.recompute_batches) {
      const double t2 = Now();
      sys.FullRefresh();
      if (sys.FullProbe(w.date()) != w.full()) Fail(c.system + ": recompute missed batch " + std::to_string(b));
      recompute_ms.push_back((t1 - t0 + Now() - t2) * 1000);
    }
  }
  json inc = {{"method", sys.IvmMethod()}, {"batches", c.batches}, {"rows_per_batch", kBatchRows},
              {"sees_updates_deletes", sees_all}, {"batches_not_reflected", not_reflected}};
  std::vector<double> all;
  for (int op = 0; op < 3; ++op) {
    inc[kOpNames[op]] = Latency(ivm_ms[op]);
    inc["write_only"][kOpNames[op]] = Latency(write_ms[op]);
    all.insert(all.end(), ivm_ms[op].begin(), ivm_ms[op].end());
  }
  inc["all"] = sees_all ? Latency(all) : json(nullptr);
  out["incremental"] = inc;
  if (recompute) {
    out["recompute"] = {{"method", sys.RecomputeMethod()}, {"batches", std::min(c.batches, c.recompute_batches)},
                        {"all", Latency(recompute_ms)}};
  }
  out["expected_probe"] = {{"date", w.date()},
                           {"all_ops", {{"count", w.full().count}, {"revenue", CentsText(w.full().cents)}}},
                           {"inserts_only", {{"count", w.inserts().count}, {"revenue", CentsText(w.inserts().cents)}}}};
  out["answers"]["incremental_after_batches"] = GroupsJson(sys.IvmResult());
  sys.Settle();
  sys.FullRefresh();
  out["answers"]["full_after_batches"] = GroupsJson(sys.FullResult());
  if (sees_all && !SameGroups(out["answers"]["incremental_after_batches"],
                              out["answers"]["full_after_batches"], &why)) {
    Fail(c.system + ": incremental view differs from the full recompute after the batches: " + why);
  }

  for (bool views : {false, true}) {
    std::cerr << c.system << ": ingest " << c.ingest_rows << " rows, " << (views ? 3 : 0) << " views\n";
    s = sys.Ingest(views, c.ingest_rows);
    out["ingest"][views ? "views" : "no_views"] = {{"seconds", Round4(s)},
                                                   {"rows_per_second", std::round(c.ingest_rows / s)}};
  }
  out["ingest"]["views_count"] = 3;
  out["ingest"]["method"] = sys.IngestMethod();
  out["ingest"]["rows"] = c.ingest_rows;
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  out["peak_rss_mb"] = std::round(static_cast<double>(ru.ru_maxrss) / 1024.0);
  return out;
}

int Main(int argc, char** argv) {
  Config c;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Fail("missing value for " + a);
      return argv[++i];
    };
    if (a == "--system") c.system = next();
    else if (a == "--rows") c.rows = std::stoll(next());
    else if (a == "--batches") c.batches = std::stoi(next());
    else if (a == "--recompute-batches") c.recompute_batches = std::stoi(next());
    else if (a == "--ingest-rows") c.ingest_rows = std::stoll(next());
    else if (a == "--point-queries") c.point_queries = std::stoi(next());
    else if (a == "--dir") c.dir = next();
    else if (a == "--pg") c.pg = next();
    else if (a == "--ch-port") c.ch_port = std::stoi(next());
    else Fail("unknown argument " + a + " (see the comment at the top of compare_bench.cc)");
  }
  if (c.rows < 1000 || c.ingest_rows < 1000 || c.batches < 3 || c.point_queries < 1) {
    Fail("--rows and --ingest-rows must be >= 1000, --batches >= 3, --point-queries >= 1");
  }
  c.batches = (c.batches + 2) / 3 * 3;
  fs::create_directories(c.dir);
  std::unique_ptr<System> sys;
  if (c.system == "parquedb") {
    sys = std::make_unique<ParqueDbSystem>(c.dir);
  } else if (c.system == "sqlite") {
#ifdef PARQUEDB_BENCH_SQLITE
    sys = std::make_unique<SqliteSystem>(c.dir);
#else
    Fail("built without SQLite (libsqlite3-dev)");
#endif
  } else if (c.system == "postgres") {
#ifdef PARQUEDB_BENCH_POSTGRES
    if (c.pg.empty()) Fail("--system postgres needs --pg CONNINFO");
    sys = std::make_unique<PostgresSystem>(c.pg);
#else
    Fail("built without libpq (libpq-dev)");
#endif
  } else if (c.system == "clickhouse") {
    if (c.ch_port <= 0) Fail("--system clickhouse needs --ch-port PORT");
    sys = std::make_unique<ClickHouseSystem>(c.ch_port);
  } else {
    Fail("--system must be parquedb, sqlite, postgres or clickhouse, got '" + c.system + "'");
  }
  std::cout << Run(*sys, c).dump(1) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "compare_bench: " << e.what() << "\n";
    return 1;
  }
}
