// Plain SELECTs on the column scan (DB::FindColumns) and aggregates over views on the
// columnar engine: EXPLAIN names the engine, and every answer equals the row path's
// (SqlOptions::columnar = false) on collections and on olap / both / oltp views, with
// nulls, updates, deletes, several data files and unflushed rows.
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

std::vector<std::string> Rows(const SqlResult& r, bool sorted) {
  std::vector<std::string> out;
  for (const auto& row : r.rows) {
    std::string s;
    for (const Value& v : row) s += v.ToJsonString() + "|";
    out.push_back(s);
  }
  if (sorted) std::sort(out.begin(), out.end());
  return out;
}

std::string Engine(const SqlResult& explain) {
  for (const std::string& line : explain.plan) {
    if (line.rfind("engine: ", 0) == 0) return line;
  }
  return "";
}

class SqlColumnScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pq_sql_column_scan_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    Options o;
    o.path = dir_.string();
    o.sync = false;
    o.auto_flush_events = 0;
    o.row_group_rows = 40;
    o.run_scheduler = false;
    auto schema = Value::ParseJson(R"J({
      "Order": {"total": "decimal(10,2)!", "status": "string!", "qty": "int?",
                "price": "float?", "day": "timestamp!", "note": "string?", "tags": "string[]"},
      "ByHourOlap": {"$from": "Order", "$groupBy": ["status", {"hour": "$day"}],
                     "$compute": {"n": {"$count": "*"}, "qty_sum": {"$sum": "qty"},
                                  "price_max": {"$max": "price"}}, "$projection": "olap"},
      "ByHourBoth": {"$from": "Order", "$groupBy": ["status", {"hour": "$day"}],
                     "$compute": {"n": {"$count": "*"}, "qty_sum": {"$sum": "qty"}},
                     "$projection": "both"},
      "ByHourOltp": {"$from": "Order", "$groupBy": ["status", {"hour": "$day"}],
                     "$compute": {"n": {"$count": "*"}, "qty_sum": {"$sum": "qty"}}},
      "Paid": {"$from": "Order", "$filter": {"status": "paid"},
               "$select": {"qty": "$qty", "price": "$price", "day": "$day", "note": "$note"},
               "$projection": "olap"}
    })J");
    ASSERT_TRUE(schema.ok()) << schema.status().ToString();
    auto opened = DB::Open(o, *schema);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    db_ = std::move(*opened);
    std::mt19937_64 rng(11);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
    const char* statuses[] = {"paid", "open", "void"};
    for (int i = 0; i < 700; i++) {
      if (ids_.empty() || pick(10) < 6) {
        Value d = Value::MakeObject();
        d.Set("total", Value::String(std::to_string(pick(1000)) + ".25"));
        d.Set("status", Value::String(statuses[pick(3)]));
        if (pick(4)) d.Set("qty", Value::Int(pick(40)));
        if (pick(4)) d.Set("price", Value::Double(pick(1000) / 8.0));
        d.Set("day", Value::Timestamp(1'700'000'000'000'000LL + pick(300) * 3'600'000'000LL));
        if (pick(3) == 0) d.Set("note", Value::String(pick(2) ? "x" : "y"));
        if (pick(5) == 0) d.Set("tags", *Value::ParseJson(R"(["a", "b"])"));
        auto r = db_->Insert("Order", d);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        ids_.push_back(r->Find("$id")->as_string());
      } else if (pick(2) == 0) {
        auto r = db_->Update("Order", ids_[static_cast<size_t>(pick(static_cast<int>(ids_.size())))],
                             *Value::ParseJson(R"({"$set": {"status": "open", "qty": null}})"));
        ASSERT_TRUE(r.ok());
      } else {
        const size_t k = static_cast<size_t>(pick(static_cast<int>(ids_.size())));
        ASSERT_TRUE(db_->Delete("Order", ids_[k]).ok());
        ids_.erase(ids_.begin() + static_cast<ptrdiff_t>(k));
      }
      if (i % 150 == 149) {
        ASSERT_TRUE(db_->Flush().ok());
      }
    }
  }
  // An unflushed row.
  static Value Late() {
    Value d = *Value::ParseJson(R"({"total": "1.50", "status": "paid", "qty": 3})");
    d.Set("day", Value::Timestamp(1'700'000'000'000'000LL));
    return d;
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  SqlResult Run(const std::string& q, bool columnar) {
    SqlOptions o;
    o.allow_view_routing = false;
    o.columnar = columnar;
    auto r = ExecuteSql(db_.get(), q, {}, o);
    EXPECT_TRUE(r.ok()) << q << ": " << r.status().ToString();
    return r.ok() ? std::move(r).value() : SqlResult();
  }
  // Runs q both ways; the engine line of the columnar run must start with `engine`.
  void Check(const std::string& q, const std::string& engine, bool sorted) {
    EXPECT_EQ(Engine(Run("EXPLAIN " + q, true)).rfind(engine, 0), 0u)
        << q << "\n" << Engine(Run("EXPLAIN " + q, true));
    EXPECT_EQ(Engine(Run("EXPLAIN " + q, false)), "engine: row (documents)") << q;
    SqlResult a = Run(q, true), b = Run(q, false);
    EXPECT_EQ(a.columns, b.columns) << q;
    EXPECT_EQ(Rows(a, sorted), Rows(b, sorted)) << q;
    EXPECT_FALSE(a.rows.empty()) << q;
  }

  std::filesystem::path dir_;
  std::unique_ptr<DB> db_;
  std::vector<std::string> ids_;
};

TEST_F(SqlColumnScanTest, PlainSelectsOnTheColumnScanEqualTheRowPath) {
  const std::string scan = "engine: columnar (src/exec: column scan of the needed columns)";
  for (int phase = 0; phase < 2; phase++) {
    if (phase == 1) {
      // Unflushed rows and deletes in the memtable too.
      for (int i = 0; i < 20; i++) {
        ASSERT_TRUE(db_->Insert("Order", Late()).ok());
      }
      ASSERT_TRUE(db_->Delete("Order", ids_[0]).ok());
    }
    // Ordered with unique keys ($id ties), so the order itself is compared.
    Check("SELECT \"$id\", total, qty FROM \"Order\" WHERE total >= 300 AND status = 'paid' "
          "ORDER BY qty DESC NULLS LAST, \"$id\" LIMIT 20",
          scan, false);
    Check("SELECT status, price * 2 AS p2, note FROM \"Order\" WHERE price > 50 AND note IS NOT NULL",
          scan, true);
    // A residual WHERE (not pushed) runs on the built rows.
    Check("SELECT qty, day FROM \"Order\" WHERE qty + 1 > 30 OR note = 'x'", scan, true);
    Check("SELECT date_trunc('day', day) AS d, total FROM \"Order\" ORDER BY total DESC, d LIMIT 15",
          scan, true);
    // Views with a columnar layout.
    Check("SELECT qty, price, day FROM Paid WHERE qty BETWEEN 3 AND 30 ORDER BY day, qty LIMIT 40",
          scan, true);
    Check("SELECT status, hour, n FROM ByHourOlap WHERE n > 1", scan, true);
    Check("SELECT status, hour, qty_sum FROM ByHourBoth WHERE status <> 'void'", scan, true);
    // Beyond the column scan: '*', arrays, keyed (oltp) views.
    Check("SELECT * FROM \"Order\" WHERE qty > 30", "engine: row", true);
    Check("SELECT tags FROM \"Order\" WHERE qty > 30 AND tags IS NOT NULL", "engine: row", true);
    Check("SELECT status, n FROM ByHourOltp WHERE status = 'open'", "engine: row", true);
  }
}

TEST_F(SqlColumnScanTest, AggregatesOverViewsRunOnTheColumnarEngine) {
  const std::string agg = "engine: columnar (src/exec: column scan, vectorized hash aggregate)";
  for (int phase = 0; phase < 2; phase++) {
    if (phase == 1) {
      ASSERT_TRUE(db_->Insert("Order", Late()).ok());
    }
    for (const char* view : {"ByHourOlap", "ByHourBoth", "ByHourOltp"}) {
      const std::string v = view;
      Check("SELECT status, date_trunc('day', hour) AS d, SUM(n), SUM(qty_sum), MAX(hour) FROM " + v +
                " WHERE status <> 'void' GROUP BY status, date_trunc('day', hour)",
            agg, true);
      Check("SELECT COUNT(*), SUM(n), MIN(hour) FROM " + v + " WHERE status IN ('paid', 'open')",
            agg, true);
    }
  }
}

}  // namespace
}  // namespace parquedb
