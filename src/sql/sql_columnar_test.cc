// SQL aggregates on the columnar engine (DB::Aggregate, src/exec): EXPLAIN names the
// engine, and the answers equal the row path's (forced with a WHERE the engine does
// not take) on data with nulls, updates, deletes, several data files and unflushed
// rows.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "parquedb/db.h"
#include "parquedb/sql.h"

namespace parquedb {
namespace {

std::vector<std::string> Sorted(const SqlResult& r) {
  std::vector<std::string> out;
  for (const auto& row : r.rows) {
    std::string s;
    for (const Value& v : row) s += v.ToJsonString() + "|";
    out.push_back(s);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool Columnar(DB* db, const std::string& sql) {
  auto r = ExecuteSql(db, "EXPLAIN " + sql);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return false;
  for (const std::string& line : r->plan) {
    if (line.rfind("engine: columnar", 0) == 0) return true;
  }
  return false;
}

TEST(SqlColumnarTest, AggregatesRunOnTheColumnarEngineAndMatchTheRowPath) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("pq_sql_columnar_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  Options o;
  o.path = dir.string();
  o.sync = false;
  o.auto_flush_events = 0;
  o.row_group_rows = 50;
  auto schema = Value::ParseJson(R"J({"Order": {"total": "decimal(10,2)!", "status": "string!",
      "qty": "int?", "price": "float?", "day": "timestamp?", "note": "string?"}})J");
  ASSERT_TRUE(schema.ok());
  auto opened = DB::Open(o, *schema);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<DB> db = std::move(*opened);
  std::mt19937_64 rng(7);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  const char* statuses[] = {"paid", "open", "void"};
  std::vector<std::string> ids;
  for (int i = 0; i < 900; i++) {
    if (ids.empty() || pick(10) < 6) {
      Value d = Value::MakeObject();
      d.Set("total", Value::String(std::to_string(pick(1000)) + ".25"));
      d.Set("status", Value::String(statuses[pick(3)]));
      if (pick(4)) d.Set("qty", Value::Int(pick(40)));
      if (pick(4)) d.Set("price", Value::Double(pick(1000) / 8.0));
      if (pick(4)) d.Set("day", Value::Timestamp(1'700'000'000'000'000LL + pick(500) * 3'600'000'000LL));
      if (pick(3) == 0) d.Set("note", Value::String(pick(2) ? "x" : "y"));
      auto r = db->Insert("Order", d);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ids.push_back(r->Find("$id")->as_string());
    } else if (pick(2) == 0) {
      auto r = db->Update("Order", ids[static_cast<size_t>(pick(static_cast<int>(ids.size())))],
                          *Value::ParseJson(R"({"$set": {"status": "open", "qty": null}})"));
      ASSERT_TRUE(r.ok());
    } else {
      const size_t k = static_cast<size_t>(pick(static_cast<int>(ids.size())));
      ASSERT_TRUE(db->Delete("Order", ids[k]).ok());
      ids.erase(ids.begin() + static_cast<ptrdiff_t>(k));
    }
    if (i % 200 == 199) {
      ASSERT_TRUE(db->Flush().ok());
    }
  }
  // Each query: the columnar form and a row-path twin (a WHERE the engine does not
  // take, true for every row).
  struct Q {
    std::string columnar, row;
  };
  const std::vector<Q> queries = {
      {"SELECT status, COUNT(*), SUM(total), AVG(total), MIN(total), MAX(total), COUNT(qty), "
       "SUM(qty), AVG(qty), MIN(note), MAX(note), SUM(price), MIN(price) FROM \"Order\" GROUP BY status",
       "SELECT status, COUNT(*), SUM(total), AVG(total), MIN(total), MAX(total), COUNT(qty), "
       "SUM(qty), AVG(qty), MIN(note), MAX(note), SUM(price), MIN(price) FROM \"Order\" "
       "WHERE total + 0 > -1 GROUP BY status"},
      {"SELECT date_trunc('day', day) AS d, note, COUNT(*) AS n, MAX(qty) FROM \"Order\" "
       "WHERE total >= 100 AND status IN ('paid', 'open') AND qty IS NOT NULL GROUP BY 1, note "
       "HAVING COUNT(*) > 1 ORDER BY d, note LIMIT 50",
       "SELECT date_trunc('day', day) AS d, note, COUNT(*) AS n, MAX(qty) FROM \"Order\" "
       "WHERE total + 0 >= 100 AND status IN ('paid', 'open') AND qty IS NOT NULL GROUP BY 1, note "
       "HAVING COUNT(*) > 1 ORDER BY d, note LIMIT 50"},
      {"SELECT COUNT(*), SUM(total), MIN(day), MAX(day) FROM \"Order\" WHERE qty BETWEEN 5 AND 20",
       "SELECT COUNT(*), SUM(total), MIN(day), MAX(day) FROM \"Order\" WHERE qty + 0 BETWEEN 5 AND 20"},
      {"SELECT date_trunc('month', day), COUNT(*) FROM \"Order\" WHERE note IS NULL GROUP BY 1",
       "SELECT date_trunc('month', day), COUNT(*) FROM \"Order\" WHERE note IS NULL AND 1 + 0 = 1 "
       "GROUP BY 1"},
      {"SELECT status, COUNT(*) FROM \"Order\" WHERE status <> 'void' GROUP BY status",
       "SELECT status, COUNT(*) FROM \"Order\" WHERE status || '' <> 'void' GROUP BY status"},
      {"SELECT COUNT(*), SUM(qty) FROM \"Order\" WHERE status = 'nothing'",
       "SELECT COUNT(*), SUM(qty) FROM \"Order\" WHERE status || '' = 'nothing'"},
  };
  for (int phase = 0; phase < 2; phase++) {
    if (phase == 1) {
      // Unflushed rows in the memtable too.
      for (int i = 0; i < 30; i++) {
        auto r = db->Insert("Order", *Value::ParseJson(R"({"total": "1.50", "status": "paid", "qty": 3})"));
        ASSERT_TRUE(r.ok());
      }
      ASSERT_TRUE(db->Delete("Order", ids[0]).ok());
    }
    for (const Q& q : queries) {
      EXPECT_TRUE(Columnar(db.get(), q.columnar)) << q.columnar;
      EXPECT_FALSE(Columnar(db.get(), q.row)) << q.row;
      auto a = ExecuteSql(db.get(), q.columnar);
      auto b = ExecuteSql(db.get(), q.row);
      ASSERT_TRUE(a.ok()) << a.status().ToString();
      ASSERT_TRUE(b.ok()) << b.status().ToString();
      EXPECT_EQ(Sorted(*a), Sorted(*b)) << q.columnar;
      EXPECT_FALSE(a->rows.empty());
    }
  }
  db.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace parquedb
