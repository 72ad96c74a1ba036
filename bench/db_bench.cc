// Core-database benchmark: bulk insert rows/s and find latency on N "Order"
// documents, ParqueDB next to SQLite (embedded vs embedded, same process, same data).
// The DuckDB half is bench/duckdb_db_bench.mjs; bench/db_bench.sh runs both and
// prints the side-by-side table.
//
//   db_bench [--rows N] [--seed S] [--runs R] [--gets G] [--systems parquedb,sqlite]
//            [--dir DIR] [--keep] [--sqlite-cache-mib M]
//
// Each system gets a fresh database under DIR (default: the temp directory), then:
//   insert   InsertMany / one transaction per batch of 10,000 documents, fsynced
//            (ParqueDB: Options::sync = true, the default; SQLite: journal_mode=WAL,
//            synchronous=FULL). Reported: rows/s over the insert calls only (documents
//            are generated outside the timer), per-batch latency, then the final
//            Flush() (SQLite: wal_checkpoint(TRUNCATE)) timed separately, and the
//            size on disk.
//   finds    "selective": status = 'cancelled' AND total >= 980.00 (~0.2% of rows);
//            "customer": customer = 'cust-012345' (~10 rows per 1M). One untimed warm-up,
//            then R timed runs (default 20); median and p95 (nearest rank) in ms, and
//            the rows returned with sums of their id numbers and cents so the systems'
//            answers can be compared.
//   get      point lookup by id for G (default 1,000) pseudo-random ids.
//   update   one atomic batch of 1,000 updates (status, total, and for 10 of them
//            customer), then the same finds again: for ParqueDB they now merge the
//            unflushed memtable with the data files.
// SQLite runs every find twice: `FROM orders NOT INDEXED` (full scan, as ParqueDB) and
// with an index on customer (built after the insert, timed separately); its JSON has
// two systems, "sqlite" and "sqlite_index".
// Prints one JSON object {rows, seed, data, systems: {...}} to stdout, progress to stderr.
// The document generator is mirrored exactly by bench/duckdb_db_bench.mjs; "data"
// (counts and sums per status) lets the driver check both generated the same rows.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "parquedb/db.h"

#ifdef PARQUEDB_BENCH_SQLITE
#include <sqlite3.h>
#endif

namespace fs = std::filesystem;
using json = nlohmann::json;
using parquedb::Value;

namespace {

constexpr int64_t kBatchRows = 10000;
constexpr int64_t kUpdates = 1000;
const char* const kStatuses[] = {"pending", "paid", "shipped", "delivered", "cancelled"};
// Cumulative percentages of the skewed status distribution (15/25/20/30/10 %).
constexpr uint32_t kStatusCumPct[] = {15, 40, 60, 90, 100};
constexpr int kCancelled = 4;
constexpr int64_t kSelectiveMinCents = 98000;  // total >= 980.00
constexpr const char* kCustomerQuery = "cust-012345";

// ---------------------------------------------------------------- data generator
// Stateless and 32-bit only, so the JavaScript port is exact (Math.imul).

uint32_t Mix32(uint32_t x) {  // "lowbias32" integer hash
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

uint32_t Rand(uint32_t seed, int64_t i, uint32_t field) {
  return Mix32(Mix32(static_cast<uint32_t>(i) ^ seed) + field * 0x9e3779b9U);
}

struct Order {
  int64_t i = 0;
  int status = 0;         // index into kStatuses
  int64_t cents = 0;      // total * 100, in [0, 100000)
  uint32_t customer = 0;  // [0, 100000)
  uint32_t region = 0;    // [0, 20)
  int64_t qty = 0;        // [1, 10]
};

Order Generate(uint32_t seed, int64_t i) {
  Order o;
  o.i = i;
  uint32_t pct = Rand(seed, i, 0) % 100;
  while (pct >= kStatusCumPct[o.status]) o.status++;
  o.cents = Rand(seed, i, 1) % 100000;
  o.customer = Rand(seed, i, 2) % 100000;
  o.region = Rand(seed, i, 3) % 20;
  o.qty = 1 + Rand(seed, i, 4) % 10;
  return o;
}

std::string OrderId(int64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "ord-%010lld", static_cast<long long>(i));
  return buf;
}
std::string CustomerName(uint32_t c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "cust-%06u", c);
  return buf;
}
std::string RegionName(uint32_t r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "region-%02u", r);
  return buf;
}
int64_t IdNumber(const std::string& id) { return std::atoll(id.c_str() + 4); }

// Update k of the batch: one document per stride of N/1000, set to cancelled with a
// total in [980.00, 999.99]; every 100th also moves to the queried customer.
struct OrderUpdate {
  int64_t i;
  int64_t cents;
  bool set_customer;
};
OrderUpdate UpdateAt(uint32_t seed, int64_t rows, int64_t k) {
  int64_t stride = rows / kUpdates;
  return {k * stride + static_cast<int64_t>(Rand(seed, k, 5) % static_cast<uint32_t>(stride)),
          kSelectiveMinCents + Rand(seed, k, 6) % 2000, k % 100 == 0};
}
int64_t GetTarget(uint32_t seed, int64_t rows, int64_t k) {
  return static_cast<int64_t>(Rand(seed, k, 7) % static_cast<uint32_t>(rows));
}

json DataChecksum(uint32_t seed, int64_t rows) {
  int64_t count[5] = {}, cents[5] = {};
  int64_t qty = 0, customers = 0, regions = 0;
  for (int64_t i = 0; i < rows; i++) {
    Order o = Generate(seed, i);
    count[o.status]++;
    cents[o.status] += o.cents;
    qty += o.qty;
    customers += o.customer;
    regions += o.region;
  }
  json j;
  for (int s = 0; s < 5; s++)
    j["status"][kStatuses[s]] = {{"count", count[s]}, {"cents", cents[s]}};
  j["sum_qty"] = qty;
  j["sum_customer"] = customers;
  j["sum_region"] = regions;
  return j;
}

// ---------------------------------------------------------------- timing helpers

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Nearest-rank quantile of ms samples.
double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::max<size_t>(rank, 1) - 1];
}

double Round3(double x) { return std::round(x * 1000) / 1000; }

json LatencyJson(const std::vector<double>& ms) {
  return {{"median_ms", Round3(Quantile(ms, 0.5))},
          {"p95_ms", Round3(Quantile(ms, 0.95))},
          {"max_ms", Round3(Quantile(ms, 1.0))},
          {"runs", ms.size()}};
}

// What a find returned, to compare the systems' answers.
struct QueryResult {
  int64_t rows = 0;
  int64_t id_sum = 0;
  int64_t cents_sum = 0;
};

// One untimed warm-up, then `runs` timed runs of fn; all runs must agree.
json TimeQuery(int runs, const std::function<QueryResult()>& fn) {
  QueryResult first = fn();
  std::vector<double> ms;
  for (int r = 0; r < runs; r++) {
    double t0 = Now();
    QueryResult q = fn();
    ms.push_back((Now() - t0) * 1000);
    if (q.rows != first.rows || q.id_sum != first.id_sum) {
      throw std::runtime_error("a repeated query returned a different result");
    }
  }
  json j = LatencyJson(ms);
  j["rows"] = first.rows;
  j["id_sum"] = first.id_sum;
  j["cents_sum"] = first.cents_sum;
  return j;
}

uint64_t DirBytes(const fs::path& dir) {
  uint64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

double PeakRssMb() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;  // KiB on Linux
}

struct Config {
  int64_t rows = 1000000;
  uint32_t seed = 42;
  int runs = 20;
  int64_t gets = 1000;
  fs::path dir;
  bool keep = false;
  int sqlite_cache_mib = 256;
  std::vector<std::string> systems = {"parquedb", "sqlite"};
};

[[noreturn]] void Fail(const std::string& what) { throw std::runtime_error(what); }

// ---------------------------------------------------------------- ParqueDB

template <typename T>
T Check(parquedb::Result<T> r, const char* what) {
  if (!r.ok()) Fail(std::string(what) + ": " + r.status().ToString());
  return std::move(*r);
}
void Check(const parquedb::Status& s, const char* what) {
  if (!s.ok()) Fail(std::string(what) + ": " + s.ToString());
}

Value Str(std::string s) { return Value::String(std::move(s)); }
Value Cents(int64_t c) { return Value::Dec(parquedb::Decimal{c, 2}); }

Value OrderDoc(const Order& o) {
  return Value::MakeObject({{"$id", Str(OrderId(o.i))},
                            {"status", Str(kStatuses[o.status])},
                            {"total", Cents(o.cents)},
                            {"customer", Str(CustomerName(o.customer))},
                            {"region", Str(RegionName(o.region))},
                            {"qty", Value::Int(o.qty)}});
}

QueryResult Summarize(const std::vector<Value>& docs) {
  QueryResult q;
  for (const Value& d : docs) {
    q.rows++;
    q.id_sum += IdNumber(d.Find("$id")->as_string());
    auto c = d.Find("total")->as_decimal().Rescale(2);
    q.cents_sum += static_cast<int64_t>(c.ok() ? c->unscaled : 0);
  }
  return q;
}

json RunParqueDB(const Config& cfg) {
  fs::path dir = cfg.dir / "parquedb";
  fs::remove_all(dir);
  parquedb::Options options;
  options.path = dir.string();  // everything else default: sync = true, auto flush/compact
  Value schema = Check(Value::ParseJson(R"({"Order": {"status": "string!",
      "total": "decimal(10,2)!", "customer": "string!", "region": "string!", "qty": "int!"}})"),
                       "schema");
  auto db = Check(parquedb::DB::Open(options, schema), "DB::Open");
  json out;
  out["settings"] = {{"sync", options.sync},
                     {"auto_flush_events", options.auto_flush_events},
                     {"auto_compact_files", options.auto_compact_files},
                     {"row_group_rows", options.row_group_rows}};

  std::cerr << "parquedb: inserting " << cfg.rows << " documents...\n";
  std::vector<double> batch_ms;
  double insert_s = 0;
  for (int64_t start = 0; start < cfg.rows; start += kBatchRows) {
    std::vector<Value> docs;
    for (int64_t i = start; i < std::min(cfg.rows, start + kBatchRows); i++) {
      docs.push_back(OrderDoc(Generate(cfg.seed, i)));
    }
    double t0 = Now();
    Check(db->InsertMany("Order", docs), "InsertMany");
    double dt = Now() - t0;
    insert_s += dt;
    batch_ms.push_back(dt * 1000);
  }
  double t0 = Now();
  Check(db->Flush(), "Flush");
  double flush_s = Now() - t0;
  int data_files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".parquet") data_files++;
  }
  out["insert"] = {{"rows", cfg.rows},
                   {"batch_rows", kBatchRows},
                   {"seconds", Round3(insert_s)},
                   {"rows_per_sec", std::round(static_cast<double>(cfg.rows) / insert_s)},
                   {"batch_ms", LatencyJson(batch_ms)}};
  out["flush_seconds"] = Round3(flush_s);
  out["disk_bytes"] = DirBytes(dir);
  json parts;
  for (const auto& e : fs::directory_iterator(dir)) {
    parts[e.path().filename().string()] = e.is_directory() ? DirBytes(e.path()) : e.file_size();
  }
  out["disk_bytes_by_entry"] = parts;
  out["parquet_files"] = data_files;

  Value selective =
      Check(Value::ParseJson(R"({"status": "cancelled", "total": {"$gte": 980}})"), "filter");
  Value customer = Value::MakeObject({{"customer", Str(kCustomerQuery)}});
  auto finds = [&](const char* phase) {
    std::cerr << "parquedb: finds (" << phase << ")...\n";
    json q;
    q["selective"] =
        TimeQuery(cfg.runs, [&] { return Summarize(Check(db->Find("Order", selective), "Find")); });
    q["customer"] =
        TimeQuery(cfg.runs, [&] { return Summarize(Check(db->Find("Order", customer), "Find")); });
    return q;
  };
  out["queries"] = finds("flushed");

  std::cerr << "parquedb: gets...\n";
  std::vector<double> get_ms;
  int64_t found = 0;
  for (int64_t k = 0; k < cfg.gets; k++) {
    std::string id = OrderId(GetTarget(cfg.seed, cfg.rows, k));
    double g0 = Now();
    auto r = db->Get("Order", id);
    get_ms.push_back((Now() - g0) * 1000);
    if (r.ok()) {
      found++;
    } else if (!r.status().IsNotFound()) {
      Fail("Get: " + r.status().ToString());
    }
  }
  out["get"] = LatencyJson(get_ms);
  out["get"]["found"] = found;

  std::cerr << "parquedb: update batch...\n";
  parquedb::WriteBatch batch;
  for (int64_t k = 0; k < kUpdates; k++) {
    OrderUpdate u = UpdateAt(cfg.seed, cfg.rows, k);
    Value set = Value::MakeObject({{"status", Str("cancelled")}, {"total", Cents(u.cents)}});
    if (u.set_customer) set.Set("customer", Str(kCustomerQuery));
    batch.Update("Order", OrderId(u.i), Value::MakeObject({{"$set", set}}));
  }
  t0 = Now();
  Check(db->Write(batch, nullptr), "Write(updates)");
  out["update"] = {{"n", kUpdates}, {"seconds", Round3(Now() - t0)}};
  out["queries_after_update"] = finds("1,000 unflushed updates");
  out["peak_rss_mb"] = std::round(PeakRssMb());
  db.reset();
  if (!cfg.keep) fs::remove_all(dir);
  return out;
}

// ---------------------------------------------------------------- SQLite

#ifdef PARQUEDB_BENCH_SQLITE

class Sqlite {
 public:
  explicit Sqlite(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      Fail("sqlite3_open " + path + ": " + msg);
    }
  }
  ~Sqlite() {
    for (sqlite3_stmt* s : stmts_) sqlite3_finalize(s);
    sqlite3_close(db_);
  }
  Sqlite(const Sqlite&) = delete;
  Sqlite& operator=(const Sqlite&) = delete;

  void Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      Fail("sqlite: " + sql + ": " + msg);
    }
  }
  // A prepared statement owned by this connection.
  sqlite3_stmt* Prepare(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      Fail("sqlite prepare: " + sql + ": " + sqlite3_errmsg(db_));
    }
    stmts_.push_back(s);
    return s;
  }
  // Steps to completion; calls row(s) for each result row.
  void Run(sqlite3_stmt* s, const std::function<void(sqlite3_stmt*)>& row = nullptr) {
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      if (row) row(s);
    }
    if (rc != SQLITE_DONE) Fail(std::string("sqlite step: ") + sqlite3_errmsg(db_));
    sqlite3_reset(s);
  }
  std::string QueryText(const std::string& sql) {  // first column of every row, joined
    sqlite3_stmt* s = Prepare(sql);
    std::string out;
    Run(s, [&](sqlite3_stmt* st) {
      if (!out.empty()) out += "; ";
      for (int c = 0; c < sqlite3_column_count(st); c++) {
        const unsigned char* t = sqlite3_column_text(st, c);
        if (c) out += "|";
        out += t ? reinterpret_cast<const char*>(t) : "NULL";
      }
    });
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> stmts_;
};

void BindText(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

// A result row materialized like a returned document (all columns copied out).
struct SqlRow {
  std::string id, status, customer, region;
  int64_t cents, qty;
};

QueryResult ReadRows(Sqlite& db, sqlite3_stmt* s) {
  std::vector<SqlRow> rows;
  db.Run(s, [&](sqlite3_stmt* st) {
    auto text = [&](int c) {
      return std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, c)),
                         static_cast<size_t>(sqlite3_column_bytes(st, c)));
    };
    rows.push_back(SqlRow{text(0), text(1), text(3), text(4), sqlite3_column_int64(st, 2),
                          sqlite3_column_int64(st, 5)});
  });
  QueryResult q;
  for (const SqlRow& r : rows) {
    q.rows++;
    q.id_sum += IdNumber(r.id);
    q.cents_sum += r.cents;
  }
  return q;
}

uint64_t FileBytes(const fs::path& p) { return fs::exists(p) ? fs::file_size(p) : 0; }

json RunSqlite(const Config& cfg) {
  fs::path dir = cfg.dir / "sqlite";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::path path = dir / "orders.db";
  auto disk = [&] {
    return FileBytes(path) + FileBytes(path.string() + "-wal") + FileBytes(path.string() + "-shm");
  };
  json base;
  json with_index;
  {
    Sqlite db(path.string());
    db.Exec("PRAGMA journal_mode=WAL");
    db.Exec("PRAGMA synchronous=FULL");
    db.Exec("PRAGMA cache_size=-" + std::to_string(cfg.sqlite_cache_mib * 1024));
    db.Exec(
        "CREATE TABLE orders(id TEXT PRIMARY KEY, status TEXT NOT NULL, total INTEGER NOT NULL, "
        "customer TEXT NOT NULL, region TEXT NOT NULL, qty INTEGER NOT NULL)");
    base["version"] = sqlite3_libversion();
    base["settings"] = {{"journal_mode", db.QueryText("PRAGMA journal_mode")},
                        {"synchronous", db.QueryText("PRAGMA synchronous") + " (2 = FULL)"},
                        {"cache_size_kib", cfg.sqlite_cache_mib * 1024},
                        {"total", "INTEGER cents"}};

    std::cerr << "sqlite: inserting " << cfg.rows << " rows...\n";
    sqlite3_stmt* ins = db.Prepare("INSERT INTO orders VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    std::vector<double> batch_ms;
    double insert_s = 0;
    for (int64_t start = 0; start < cfg.rows; start += kBatchRows) {
      struct Row {
        std::string id, customer, region;
        Order o;
      };
      std::vector<Row> rows;
      for (int64_t i = start; i < std::min(cfg.rows, start + kBatchRows); i++) {
        Order o = Generate(cfg.seed, i);
        rows.push_back({OrderId(i), CustomerName(o.customer), RegionName(o.region), o});
      }
      double t0 = Now();
      db.Exec("BEGIN");
      for (const Row& r : rows) {
        BindText(ins, 1, r.id);
        sqlite3_bind_text(ins, 2, kStatuses[r.o.status], -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, r.o.cents);
        BindText(ins, 4, r.customer);
        BindText(ins, 5, r.region);
        sqlite3_bind_int64(ins, 6, r.o.qty);
        db.Run(ins);
      }
      db.Exec("COMMIT");
      double dt = Now() - t0;
      insert_s += dt;
      batch_ms.push_back(dt * 1000);
    }
    double t0 = Now();
    db.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
    base["flush_seconds"] = Round3(Now() - t0);
    base["insert"] = {{"rows", cfg.rows},
                      {"batch_rows", kBatchRows},
                      {"seconds", Round3(insert_s)},
                      {"rows_per_sec", std::round(static_cast<double>(cfg.rows) / insert_s)},
                      {"batch_ms", LatencyJson(batch_ms)}};
    base["disk_bytes"] = disk();

    std::cerr << "sqlite: creating the customer index...\n";
    t0 = Now();
    db.Exec("CREATE INDEX orders_customer ON orders(customer)");
    with_index = base;
    with_index["index_seconds"] = Round3(Now() - t0);
    db.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
    with_index["disk_bytes"] = disk();

    const std::string cols = "SELECT id, status, total, customer, region, qty FROM orders";
    struct Variant {
      json* out;
      sqlite3_stmt* selective;
      sqlite3_stmt* customer;
    };
    Variant variants[2];
    for (int v = 0; v < 2; v++) {
      std::string from = cols + (v == 0 ? " NOT INDEXED" : "");
      variants[v] = {v == 0 ? &base : &with_index,
                     db.Prepare(from + " WHERE status = ?1 AND total >= ?2"),
                     db.Prepare(from + " WHERE customer = ?1")};
      sqlite3_bind_text(variants[v].selective, 1, kStatuses[kCancelled], -1, SQLITE_STATIC);
      sqlite3_bind_int64(variants[v].selective, 2, kSelectiveMinCents);
      sqlite3_bind_text(variants[v].customer, 1, kCustomerQuery, -1, SQLITE_STATIC);
      (*variants[v].out)["query_plans"] = {
          {"selective", db.QueryText("EXPLAIN QUERY PLAN " + from +
                                     " WHERE status = 'cancelled' AND total >= 98000")},
          {"customer",
           db.QueryText("EXPLAIN QUERY PLAN " + from + " WHERE customer = 'cust-012345'")}};
    }
    auto finds = [&](const char* key, const char* phase) {
      for (Variant& v : variants) {
        std::cerr << "sqlite: finds (" << phase << (&v == &variants[0] ? ", NOT INDEXED" : "")
                  << ")...\n";
        (*v.out)[key]["selective"] = TimeQuery(cfg.runs, [&] { return ReadRows(db, v.selective); });
        (*v.out)[key]["customer"] = TimeQuery(cfg.runs, [&] { return ReadRows(db, v.customer); });
      }
    };
    finds("queries", "after insert");

    std::cerr << "sqlite: gets...\n";
    sqlite3_stmt* get =
        db.Prepare("SELECT id, status, total, customer, region, qty FROM orders WHERE id = ?1");
    std::vector<double> get_ms;
    int64_t found = 0;
    for (int64_t k = 0; k < cfg.gets; k++) {
      std::string id = OrderId(GetTarget(cfg.seed, cfg.rows, k));
      double g0 = Now();
      BindText(get, 1, id);
      found += ReadRows(db, get).rows;
      get_ms.push_back((Now() - g0) * 1000);
    }
    base["get"] = LatencyJson(get_ms);
    base["get"]["found"] = found;
    with_index["get"] = base["get"];

    std::cerr << "sqlite: update batch...\n";
    sqlite3_stmt* upd = db.Prepare("UPDATE orders SET status = ?1, total = ?2 WHERE id = ?3");
    sqlite3_stmt* upd_c =
        db.Prepare("UPDATE orders SET status = ?1, total = ?2, customer = ?4 WHERE id = ?3");
    std::vector<OrderUpdate> ups;
    for (int64_t k = 0; k < kUpdates; k++) ups.push_back(UpdateAt(cfg.seed, cfg.rows, k));
    t0 = Now();
    db.Exec("BEGIN");
    for (const OrderUpdate& u : ups) {
      sqlite3_stmt* s = u.set_customer ? upd_c : upd;
      sqlite3_bind_text(s, 1, kStatuses[kCancelled], -1, SQLITE_STATIC);
      sqlite3_bind_int64(s, 2, u.cents);
      BindText(s, 3, OrderId(u.i));
      if (u.set_customer) sqlite3_bind_text(s, 4, kCustomerQuery, -1, SQLITE_STATIC);
      db.Run(s);
    }
    db.Exec("COMMIT");
    base["update"] = {{"n", kUpdates}, {"seconds", Round3(Now() - t0)}};
    with_index["update"] = base["update"];
    with_index["update"]["note"] = "the same update run (the index was present)";
    finds("queries_after_update", "after 1,000 updates");
  }
  base["peak_rss_mb"] = std::round(PeakRssMb());
  with_index["peak_rss_mb"] = base["peak_rss_mb"];
  if (!cfg.keep) fs::remove_all(dir);
  return {{"sqlite", base}, {"sqlite_index", with_index}};
}

#endif  // PARQUEDB_BENCH_SQLITE

int Usage() {
  std::cerr << "usage: db_bench [--rows N] [--seed S] [--runs R] [--gets G] "
               "[--systems parquedb,sqlite] [--dir DIR] [--keep] [--sqlite-cache-mib M]\n";
  return 2;
}

int Main(int argc, char** argv) {
  Config cfg;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--keep") {
      cfg.keep = true;
      continue;
    }
    if ((v = next()) == nullptr) return Usage();
    if (a == "--rows") {
      cfg.rows = std::atoll(v);
    } else if (a == "--seed") {
      cfg.seed = static_cast<uint32_t>(std::strtoul(v, nullptr, 10));
    } else if (a == "--runs") {
      cfg.runs = std::atoi(v);
    } else if (a == "--gets") {
      cfg.gets = std::atoll(v);
    } else if (a == "--dir") {
      cfg.dir = v;
    } else if (a == "--sqlite-cache-mib") {
      cfg.sqlite_cache_mib = std::atoi(v);
    } else if (a == "--systems") {
      cfg.systems.clear();
      std::string s = v;
      for (size_t p = 0; p <= s.size();) {
        size_t e = std::min(s.find(',', p), s.size());
        cfg.systems.push_back(s.substr(p, e - p));
        p = e + 1;
      }
    } else {
      return Usage();
    }
  }
  if (cfg.rows < kUpdates || cfg.rows > 4000000000LL || cfg.runs < 1 || cfg.gets < 1) {
    std::cerr << "db_bench: --rows must be in [1000, 4e9], --runs and --gets >= 1\n";
    return 2;
  }
  fs::path base = cfg.dir.empty() ? fs::temp_directory_path() : cfg.dir;
  cfg.dir = base / ("db_bench_" + std::to_string(::getpid()));
  fs::create_directories(cfg.dir);

  json out;
  out["rows"] = cfg.rows;
  out["seed"] = cfg.seed;
  out["runs"] = cfg.runs;
  out["gets"] = cfg.gets;
  out["dir"] = cfg.dir.string();
  out["data"] = DataChecksum(cfg.seed, cfg.rows);
  out["systems"] = json::object();
  for (const std::string& s : cfg.systems) {
    if (s == "parquedb") {
      out["systems"]["parquedb"] = RunParqueDB(cfg);
    } else if (s == "sqlite") {
#ifdef PARQUEDB_BENCH_SQLITE
      out["systems"].update(RunSqlite(cfg));
#else
      std::cerr << "db_bench: built without SQLite (install libsqlite3-dev and reconfigure)\n";
      return 1;
#endif
    } else {
      std::cerr << "db_bench: unknown system '" << s << "' (parquedb, sqlite)\n";
      return 2;
    }
  }
  if (!cfg.keep) fs::remove_all(cfg.dir);
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "db_bench: " << e.what() << "\n";
    return 1;
  }
}
