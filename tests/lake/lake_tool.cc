// lake_tool: drives src/lake for the interop tests.
//   lake_tool gen iceberg|delta ROOT COMMITS SEED  -> writes a table with random
//       inserts/updates/deletes; prints {"versions": [{"version", "rows": {id: doc}}]}
//   lake_tool scan iceberg|delta ROOT [VERSION]    -> prints the rows as NDJSON
#include <cstdio>
#include <iostream>
#include <map>
#include <random>
#include <string>

#include "lake/lake_table.h"
#include "parquedb/value.h"

using namespace parquedb;

namespace {

storage::TableSpec Spec() {
  storage::TableSpec spec;
  spec.name = "Item";
  spec.type_name = "Item";
  spec.columns = {{"name", storage::ColumnKind::kString},
                  {"qty", storage::ColumnKind::kInt},
                  {"price", storage::ColumnKind::kDecimal, 10, 2},
                  {"score", storage::ColumnKind::kDouble},
                  {"flag", storage::ColumnKind::kBool},
                  {"at", storage::ColumnKind::kTimestamp},
                  {"day", storage::ColumnKind::kDate},
                  {"tags", storage::ColumnKind::kString, 0, 0, true}};
  return spec;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "lake_tool: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: lake_tool gen|scan iceberg|delta ROOT ...\n");
    return 2;
  }
  std::string cmd = argv[1], root = argv[3];
  auto format = lake::ParseFormat(argv[2]);
  if (!format.ok()) return Fail(format.status());
  if (cmd == "scan") {
    auto t = lake::OpenLakeTableForRead(*format, Env::Default(), root);
    if (!t.ok()) return Fail(t.status());
    std::optional<int64_t> v;
    if (argc > 4) v = std::stoll(argv[4]);
    auto rows = (*t)->Scan(v);
    if (!rows.ok()) return Fail(rows.status());
    for (const Value& r : *rows) std::cout << r.ToJsonString() << "\n";
    return 0;
  }
  if (cmd != "gen" || argc < 6) return 2;
  int commits = std::atoi(argv[4]);
  std::mt19937_64 rng(std::stoull(argv[5]));
  auto codec = storage::RowCodec::Make(Spec());
  if (!codec.ok()) return Fail(codec.status());
  auto t = lake::OpenLakeTable(*format, Env::Default(), root, *codec);
  if (!t.ok()) return Fail(t.status());
  std::map<std::string, Value> model;
  Value::Array versions;
  uint64_t seq = 0;
  for (int c = 0; c < commits; c++) {
    std::map<std::string, storage::StoredRow> changes;
    int n = 1 + static_cast<int>(rng() % 30);
    for (int k = 0; k < n; k++) {
      char id[24];
      std::snprintf(id, sizeof(id), "01J%06u", static_cast<unsigned>(rng() % 200));
      storage::StoredRow r;
      r.id = id;
      r.seq = ++seq;
      r.deleted = rng() % 5 == 0;
      if (!r.deleted) {
        int64_t q = static_cast<int64_t>(rng() % 100000) - 50000;
        Decimal price{static_cast<__int128>(rng() % 1000000) - 500000, 2};
        Value::Array tags;
        for (uint64_t i = 0, m = rng() % 3; i < m; i++) tags.push_back(Value::String("t" + std::to_string(rng() % 5)));
        r.doc = Value::MakeObject({
            {"$id", Value::String(id)},
            {"createdAt", Value::Timestamp(1700000000000000 + static_cast<int64_t>(seq) * 1000)},
            {"updatedAt", Value::Timestamp(1700000000000000 + static_cast<int64_t>(seq) * 1000)},
            {"version", Value::Int(1)},
            {"name", rng() % 7 == 0 ? Value() : Value::String("name \"" + std::to_string(rng() % 1000) + "\" é")},
            {"qty", Value::Int(q)},
            {"price", Value::Dec(price)},
            {"score", Value::Double(static_cast<double>(rng() % 10000) / 64.0)},
            {"flag", Value::Bool(rng() % 2 == 0)},
            {"at", Value::Timestamp(1600000000000000 + static_cast<int64_t>(rng() % 100000000000ull) + 123)},
            {"day", Value::Date(static_cast<int32_t>(rng() % 30000) - 5000)},
            {"tags", Value::MakeArray(std::move(tags))}});
      }
      changes[id] = std::move(r);
    }
    std::vector<storage::StoredRow> rows;
    for (auto& [id, r] : changes) {
      if (r.deleted) model.erase(id); else model[id] = r.doc;
      rows.push_back(r);
    }
    lake::CommitInfo ci;
    ci.timestamp_micros = 1700000000000000 + c * 1000000;
    ci.flushed_seq = seq;
    Status s = (*t)->Commit(rows, ci);
    if (!s.ok()) return Fail(s);
    auto cur = (*t)->Current();
    if (!cur.ok()) return Fail(cur.status());
    Value::Object m;
    for (const auto& [id, d] : model) m.emplace_back(id, d);
    versions.push_back(Value::MakeObject({{"version", Value::String(std::to_string((*cur)->version))},
                                          {"sequence", Value::Int((*cur)->sequence)},
                                          {"rows", Value::MakeObject(std::move(m))}}));
  }
  std::cout << Value::MakeObject({{"versions", Value::MakeArray(std::move(versions))}}).ToJsonString()
            << "\n";
  return 0;
}
