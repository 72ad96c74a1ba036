// End-to-end Parquet throughput benchmark on the 5M-row "orders" table:
// writes it with our writer and reads it back (all columns decoded, plus a few
// aggregates so the work cannot be skipped), single-threaded, best of N runs.
// Optionally also reads other files (e.g. DuckDB's) with our reader.
//   orders_parquet_bench --rows N --out DIR [--runs 3] [--read FILE]...
// Prints one JSON object. The data generator matches bench/duckdb_orders.mjs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "parquedb/env.h"
#include "parquedb/value.h"
#include "parquet/reader.h"
#include "parquet/record.h"
#include "parquet/writer.h"

namespace pq = parquedb::parquet;
using parquedb::Env;
using json = nlohmann::json;

namespace {

constexpr int64_t kEpoch2024Micros = 1704067200LL * 1000000LL;
const char* kStatuses[] = {"pending", "paid", "shipped", "delivered", "cancelled"};

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

pq::Schema OrdersSchema() {
  std::vector<pq::SchemaNode> f;
  f.push_back(pq::SchemaNode::Leaf("id", pq::PhysicalType::kByteArray, pq::Repetition::kOptional,
                                   pq::LogicalType::String()));
  f.push_back(pq::SchemaNode::Leaf("created_at", pq::PhysicalType::kInt64,
                                   pq::Repetition::kOptional,
                                   pq::LogicalType::Timestamp(pq::TimeUnit::kMicros, true)));
  f.push_back(pq::SchemaNode::Leaf("status", pq::PhysicalType::kByteArray,
                                   pq::Repetition::kOptional, pq::LogicalType::String()));
  f.push_back(pq::SchemaNode::Decimal("total", pq::Repetition::kOptional, 10, 2));
  f.push_back(pq::SchemaNode::Leaf("customer_id", pq::PhysicalType::kByteArray,
                                   pq::Repetition::kOptional, pq::LogicalType::String()));
  return *pq::Schema::Make(std::move(f));
}

std::vector<pq::ColumnVector> OrdersData(int64_t n) {
  std::vector<pq::ColumnVector> c(5);
  pq::PhysicalType types[] = {pq::PhysicalType::kByteArray, pq::PhysicalType::kInt64,
                              pq::PhysicalType::kByteArray, pq::PhysicalType::kInt64,
                              pq::PhysicalType::kByteArray};
  for (int i = 0; i < 5; i++) {
    c[i].type = types[i];
    c[i].Reserve(static_cast<size_t>(n), true, false);
    c[i].def_levels.assign(static_cast<size_t>(n), 1);  // nullable columns, as DuckDB writes
  }
  char buf[32];
  for (int64_t i = 0; i < n; i++) {
    int len = std::snprintf(buf, sizeof buf, "ord-%010lld", static_cast<long long>(i));
    c[0].AppendByteArray(std::string_view(buf, static_cast<size_t>(len)));
    c[1].i64.push_back(kEpoch2024Micros + i * 1000000LL);
    uint64_t h = (static_cast<uint64_t>(i) * 2654435761ULL) % 4294967296ULL;
    c[2].AppendByteArray(kStatuses[h % 5]);
    c[3].i64.push_back((i * 7919 + 13) % 100000);
    len =
        std::snprintf(buf, sizeof buf, "cust-%06lld", static_cast<long long>((i * 48271) % 100000));
    c[4].AppendByteArray(std::string_view(buf, static_cast<size_t>(len)));
  }
  return c;
}

// Reads every column of `path` and computes min/max/sum aggregates. Returns the
// aggregates as canonical strings.
json ReadAndAggregate(const std::string& path, int64_t* rows_out) {
  auto reader = pq::FileReader::Open(Env::Default(), path);
  if (!reader.ok()) {
    std::cerr << reader.status().ToString() << "\n";
    std::exit(1);
  }
  const pq::Schema& schema = (*reader)->schema();
  std::string min_id, max_id, min_status, max_status, min_cust, max_cust;
  int64_t min_ts = INT64_MAX, max_ts = INT64_MIN;
  __int128 sum_total = 0;
  int total_scale = 0;
  int64_t rows = 0;
  bool first = true;
  int li[5];
  const char* names[] = {"id", "created_at", "status", "total", "customer_id"};
  for (int k = 0; k < 5; k++) li[k] = schema.FindLeaf(names[k]);
  pq::ColumnVector c[5];  // reused across row groups, like any scan operator's vectors
  for (int rg = 0; rg < (*reader)->num_row_groups(); rg++) {
    for (int k = 0; k < 5; k++) {
      c[k].Clear();
      auto s = (*reader)->ReadColumnChunk(rg, li[k], &c[k]);
      if (!s.ok()) {
        std::cerr << s.ToString() << "\n";
        std::exit(1);
      }
    }
    size_t n = c[0].num_values();
    rows += static_cast<int64_t>(n);
    auto upd = [&](const pq::ColumnVector& col, std::string* lo, std::string* hi) {
      for (size_t i = 0; i < col.num_values(); i++) {
        std::string_view v = col.ByteArray(i);
        if (first || v < *lo) lo->assign(v);
        if (first || v > *hi) hi->assign(v);
        first = false;
      }
    };
    first = rg == 0;
    upd(c[0], &min_id, &max_id);
    first = rg == 0;
    upd(c[2], &min_status, &max_status);
    first = rg == 0;
    upd(c[4], &min_cust, &max_cust);
    for (int64_t t : c[1].i64) {
      min_ts = std::min(min_ts, t);
      max_ts = std::max(max_ts, t);
    }
    const pq::SchemaNode& tn = *schema.leaves()[static_cast<size_t>(li[3])].node;
    total_scale = tn.logical.decimal_scale;
    if (tn.type == pq::PhysicalType::kInt64) {
      for (int64_t t : c[3].i64) sum_total += t;
    } else if (tn.type == pq::PhysicalType::kInt32) {
      for (int32_t t : c[3].i32) sum_total += t;
    } else {
      for (size_t i = 0; i < c[3].num_values(); i++) {
        sum_total += pq::LeafValue(tn, c[3], i).as_decimal().unscaled;
      }
    }
  }
  *rows_out = rows;
  json r;
  r["min_id"] = min_id;
  r["max_id"] = max_id;
  r["min_created_at"] = parquedb::FormatTimestampMicros(min_ts);
  r["max_created_at"] = parquedb::FormatTimestampMicros(max_ts);
  r["min_status"] = min_status;
  r["max_status"] = max_status;
  r["sum_total"] = parquedb::Decimal{sum_total, total_scale}.ToString();
  r["min_customer_id"] = min_cust;
  r["max_customer_id"] = max_cust;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = 5000000;
  int runs = 3;
  std::string out_dir = ".";
  std::vector<std::string> extra_reads;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--rows" && i + 1 < argc)
      rows = std::atoll(argv[++i]);
    else if (a == "--runs" && i + 1 < argc)
      runs = std::atoi(argv[++i]);
    else if (a == "--out" && i + 1 < argc)
      out_dir = argv[++i];
    else if (a == "--read" && i + 1 < argc)
      extra_reads.push_back(argv[++i]);
    else {
      std::cerr << "usage: orders_parquet_bench --rows N --out DIR [--runs R] [--read FILE]...\n";
      return 2;
    }
  }
  json out;
  out["rows"] = rows;
  out["reads"] = json::array();
  auto timed_read = [&](const std::string& f) {
    double best = 1e30;
    json res;
    int64_t n = 0;
    for (int r = 0; r < runs; r++) {
      double t0 = Now();
      res = ReadAndAggregate(f, &n);
      best = std::min(best, Now() - t0);
    }
    uint64_t size = *Env::Default()->GetFileSize(f);
    return json{{"file", f},
                {"seconds", best},
                {"rows", n},
                {"rows_per_sec", static_cast<double>(n) / best},
                {"mb_per_sec", static_cast<double>(size) / best / 1e6},
                {"results", res}};
  };
  // --rows 0: only time reading the --read files.
  if (rows == 0) {
    for (const auto& f : extra_reads) out["reads"].push_back(timed_read(f));
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  pq::Schema schema = OrdersSchema();
  auto cols = OrdersData(rows);
  std::string path = out_dir + "/parquedb_orders.parquet";
  pq::WriterOptions opts;
  opts.row_group_rows = 122880;  // DuckDB's default row group size
  double best_write = 1e30;
  uint64_t bytes = 0;
  for (int r = 0; r < runs; r++) {
    double t0 = Now();
    auto file = Env::Default()->NewWritableFile(path);
    auto w = pq::FileWriter::Open(std::move(*file), schema, opts);
    auto s = (*w)->WriteTable(cols, rows);
    if (s.ok()) s = (*w)->Close();
    if (!s.ok()) {
      std::cerr << s.ToString() << "\n";
      return 1;
    }
    best_write = std::min(best_write, Now() - t0);
    bytes = *Env::Default()->GetFileSize(path);
  }
  out["file"] = path;
  out["write_seconds"] = best_write;
  out["write_bytes"] = bytes;
  out["write_rows_per_sec"] = static_cast<double>(rows) / best_write;
  json own = timed_read(path);
  out["read_seconds"] = own["seconds"];
  out["read_rows_per_sec"] = own["rows_per_sec"];
  out["read_results"] = own["results"];
  for (const auto& f : extra_reads) out["reads"].push_back(timed_read(f));
  std::cout << out.dump(2) << "\n";
  return 0;
}
