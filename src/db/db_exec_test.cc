// The columnar engine (src/exec) behind full view refreshes: on random data with
// updates, deletes, several data files (shadowed versions) and unflushed rows, a full
// refresh through the engine gives exactly the rows of the row path, and incremental
// maintenance continuing from the engine's aggregate state (manual catch-up and
// streaming) equals a recompute.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "db/db_impl.h"
#include "parquedb/db.h"

namespace parquedb {
namespace {

Value J(std::string_view text) {
  auto v = Value::ParseJson(text);
  EXPECT_TRUE(v.ok()) << v.status().ToString() << " in " << text;
  return v.ok() ? std::move(v).value() : Value();
}

constexpr const char* kSchema = R"J({
  "Order": {"total": "decimal(10,2)!", "status": "string!", "qty": "int?", "at": "timestamp?",
            "note": "string?"},
  "Daily": {"$from": "Order", "$groupBy": [{"day": "$createdAt"}, "status"],
            "$compute": {"n": {"$count": "*"}, "revenue": {"$sum": "total"},
                         "avg": {"$avg": "total"}, "nq": {"$count": "qty"},
                         "sq": {"$sum": "qty"}, "sd": {"$stddevSamp": "qty"},
                         "var": {"$variance": "total"}},
            "$refresh": {"mode": "manual"}},
  "Hourly": {"$from": "Order", "$filter": {"status": {"$in": ["paid", "open"]}, "total": {"$gte": 10}},
             "$groupBy": [{"hour": "$at"}, {"week": "$at"}, "note"],
             "$compute": {"n": {"$count": "*"}, "revenue": {"$sum": "total"}},
             "$refresh": {"mode": "manual", "timezone": "Europe/Berlin"}},
  "Live": {"$from": "Order", "$groupBy": ["status", {"month": "$at"}],
           "$compute": {"n": {"$count": "*"}, "revenue": {"$sum": "total"},
                        "avg": {"$avg": "qty"}}}
})J";

class ExecRefreshTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pq_exec_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
            "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    Options o;
    o.path = dir_.string();
    o.clock = &clock_;
    o.sync = false;
    o.run_scheduler = false;
    o.auto_flush_events = 0;
    o.row_group_rows = 64;
    auto r = DB::Open(o, J(kSchema));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    db_ = std::move(r).value();
  }
  void TearDown() override {
    db::SetColumnarRefreshEnabled(true);
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::map<std::string, std::string> Rows(std::string_view view) {
    auto r = db_->Find(view, Value(), {});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::map<std::string, std::string> out;
    if (!r.ok()) return out;
    for (const Value& d : *r) out.emplace(d.Find("$id")->as_string(), d.ToJsonString());
    return out;
  }

  // Random inserts, updates and deletes, with flushes in between.
  void Churn(std::mt19937_64* rng, int ops) {
    static const char* kStatus[] = {"paid", "open", "cancelled", "refunded"};
    static const char* kNotes[] = {"a", "b", "c"};
    auto pick = [&](int n) { return static_cast<int>((*rng)() % static_cast<uint64_t>(n)); };
    for (int i = 0; i < ops; i++) {
      clock_.AdvanceMicros(static_cast<int64_t>(pick(4) + 1) * 3'600'000'000LL);
      const int op = ids_.empty() ? 0 : pick(10);
      if (op < 5) {
        Value doc = Value::MakeObject();
        doc.Set("total", Value::String(std::to_string(pick(5000)) + "." + std::to_string(pick(90) + 10)));
        doc.Set("status", Value::String(kStatus[pick(4)]));
        if (pick(4) != 0) doc.Set("qty", Value::Int(pick(50) - 10));
        if (pick(5) != 0) doc.Set("at", Value::Timestamp(1'700'000'000'000'000LL + pick(2000) * 3'600'000'000LL));
        if (pick(3) == 0) doc.Set("note", pick(2) ? Value::String(kNotes[pick(3)]) : Value());
        auto r = db_->Insert("Order", doc);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        ids_.push_back(r->Find("$id")->as_string());
      } else if (op < 8) {
        const std::string& id = ids_[static_cast<size_t>(pick(static_cast<int>(ids_.size())))];
        Value set = Value::MakeObject();
        set.Set("status", Value::String(kStatus[pick(4)]));
        set.Set("qty", pick(3) == 0 ? Value() : Value::Int(pick(30)));
        set.Set("total", Value::String(std::to_string(pick(100)) + ".5"));
        auto r = db_->Update("Order", id, Value::MakeObject({{"$set", set}}));
        ASSERT_TRUE(r.ok()) << r.status().ToString();
      } else {
        const size_t k = static_cast<size_t>(pick(static_cast<int>(ids_.size())));
        ASSERT_TRUE(db_->Delete("Order", ids_[k]).ok());
        ids_.erase(ids_.begin() + static_cast<ptrdiff_t>(k));
      }
      if (pick(60) == 0) {
        ASSERT_TRUE(db_->Flush().ok());
      }
    }
  }

  // Full refresh through the row path, then through the engine: identical rows.
  void CheckFullRefresh(const std::string& view) {
    db::SetColumnarRefreshEnabled(false);
    ASSERT_TRUE(db_->RefreshView(view, {.full = true}).ok());
    const auto rows = Rows(view);
    db::SetColumnarRefreshEnabled(true);
    const uint64_t before = db::ColumnarRefreshCount();
    // The stored rows are current, so force a recompute through the engine.
    ASSERT_TRUE(db_->RefreshView(view, {.full = true}).ok());
    EXPECT_EQ(db::ColumnarRefreshCount(), before + 1) << view << " did not use the engine";
    EXPECT_EQ(Rows(view), rows) << view;
    EXPECT_FALSE(rows.empty()) << view;
  }

  std::filesystem::path dir_;
  ManualClock clock_{1'700'000'000'000'000LL};
  std::unique_ptr<DB> db_;
  std::vector<std::string> ids_;
};

TEST_F(ExecRefreshTest, FullRefreshEqualsRowPathAndMaintenanceContinues) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 4; round++) {
    Churn(&rng, 300);
    if (round == 1) {
      ASSERT_TRUE(db_->Compact().ok());
    }
    for (const char* v : {"Daily", "Hourly", "Live"}) CheckFullRefresh(v);
    // Incremental maintenance from the engine's state, then a row-path recompute.
    Churn(&rng, 150);
    ASSERT_TRUE(db_->RefreshView("Daily", {}).ok());
    ASSERT_TRUE(db_->RefreshView("Hourly", {}).ok());
    auto st = db_->GetViewState("Daily");
    ASSERT_TRUE(st.ok());
    EXPECT_TRUE(st->incremental) << st->reason;
    std::map<std::string, std::map<std::string, std::string>> incremental;
    for (const char* v : {"Daily", "Hourly", "Live"}) incremental[v] = Rows(v);
    db::SetColumnarRefreshEnabled(false);
    for (const char* v : {"Daily", "Hourly", "Live"}) {
      ASSERT_TRUE(db_->RefreshView(v, {.full = true}).ok());
      EXPECT_EQ(Rows(v), incremental[v]) << v << " round " << round;
    }
    db::SetColumnarRefreshEnabled(true);
  }
}

}  // namespace
}  // namespace parquedb
