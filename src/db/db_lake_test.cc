// Iceberg / Delta tables next to the native store: every flush is mirrored, and
// every mirrored table (collections and materialized views, with per-view
// $refresh.backend overrides) holds exactly the database's rows, at every
// version (time travel), across reopens, conversion from native and resync.
#include <unistd.h>

#include <filesystem>
#include <random>

#include <gtest/gtest.h>

#include "lake/lake_table.h"
#include "parquedb/db.h"

namespace parquedb {
namespace {

constexpr const char* kSchema = R"J({
  "Customer": {"name": "string!", "tier": "string?"},
  "Order": {"total": "decimal(10,2)!", "status": "string!", "customer": "-> Customer",
            "tags": "string[]", "at": "timestamp?"},
  "PaidOrders": {"$from": "Order", "$filter": {"status": "paid"}},
  "SalesByStatus": {"$from": "Order", "$groupBy": ["status"],
                    "$compute": {"n": {"$count": "*"}, "revenue": {"$sum": "total"}},
                    "$refresh": {"backend": "delta"}},
  "OpenOrders": {"$from": "Order", "$filter": {"status": "open"}, "$refresh": {"backend": "native"}}
})J";

class DbLakeTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pq_lake_" + std::to_string(::getpid()) + "_" +
            std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::remove_all(dir_);
    options_.path = dir_.string();
    options_.sync = false;
    options_.run_scheduler = false;
    options_.auto_flush_events = 0;
    options_.auto_compact_files = 3;
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open(const std::string& format, bool with_schema = true) {
    db_.reset();
    Options o = options_;
    o.table_format = format;
    auto r = with_schema ? DB::Open(o, *Value::ParseJson(kSchema)) : DB::Open(o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    db_ = std::move(r).value();
  }
  // Format the database mirrors `name` in ("" = not mirrored).
  std::string FormatOf(const std::string& name, const std::string& db_format) {
    if (name == "SalesByStatus") return "delta";
    if (name == "OpenOrders") return "";
    return db_format == "native" ? "" : db_format;
  }
  std::map<std::string, Value> DbRows(const std::string& name) {
    auto r = db_->Find(name, Value());
    EXPECT_TRUE(r.ok()) << name << ": " << r.status().ToString();
    std::map<std::string, Value> out;
    if (r.ok()) for (Value& d : *r) out.emplace(d.Find("$id")->as_string(), std::move(d));
    return out;
  }
  // Compares a lake table's rows (Scan at `version`) with `want` (DB documents).
  void Compare(const std::string& name, const std::string& format,
               const std::map<std::string, Value>& want, std::optional<int64_t> version,
               const std::string& where) {
    auto t = lake::OpenLakeTableForRead(*lake::ParseFormat(format), Env::Default(),
                                        options_.path + "/" + format + "/" + name);
    ASSERT_TRUE(t.ok()) << where << " " << name << ": " << t.status().ToString();
    auto rows = (*t)->Scan(version);
    ASSERT_TRUE(rows.ok()) << where << " " << name << ": " << rows.status().ToString();
    std::map<std::string, Value> got;
    for (Value& r : *rows) {
      ASSERT_FALSE(r.Find("$deleted")->as_bool()) << where;
      std::string id = r.Find("$id")->as_string();
      ASSERT_TRUE(got.emplace(id, std::move(r)).second) << where << ": duplicate " << id;
    }
    ASSERT_EQ(got.size(), want.size()) << where << " " << name;
    for (const auto& [id, doc] : want) {
      auto it = got.find(id);
      ASSERT_NE(it, got.end()) << where << " " << name << ": missing " << id;
      for (const auto& [field, v] : doc.as_object()) {
        if (field.empty() || field[0] == '$') continue;
        // View rows keep their system fields in "$row" only (see EncodeViewRow).
        if (name != "Order" && name != "Customer" &&
            (field == "createdAt" || field == "updatedAt" || field == "version")) {
          continue;
        }
        const Value* lv = it->second.Find(field);
        ASSERT_NE(lv, nullptr) << where << " " << name << "." << field;
        if (lv->kind() == Value::Kind::kString && v.kind() != Value::Kind::kString) {
          // A variant column (JSON text), e.g. a view's $sum over decimals.
          EXPECT_EQ(lv->as_string(), v.ToJsonString()) << where << " " << name << " " << id << "." << field;
          continue;
        }
        EXPECT_TRUE(*lv == v) << where << " " << name << " " << id << "." << field << ": "
                              << lv->ToJsonString() << " vs " << v.ToJsonString();
      }
    }
  }
  void CheckAll(const std::string& db_format, const std::string& where) {
    for (const char* name : {"Customer", "Order", "PaidOrders", "SalesByStatus", "OpenOrders"}) {
      std::string f = FormatOf(name, db_format);
      for (const char* fmt : {"iceberg", "delta"}) {
        if (f != fmt) {
          EXPECT_FALSE(std::filesystem::exists(dir_ / fmt / name)) << where << ": " << fmt << "/" << name;
        }
      }
      if (f.empty()) continue;
      Compare(name, f, DbRows(name), std::nullopt, where);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }

  std::filesystem::path dir_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_P(DbLakeTest, EveryFlushIsMirroredWithTimeTravel) {
  const std::string format = GetParam();
  Open(format);
  std::mt19937 rng(11);
  std::vector<std::string> customers, orders;
  const char* statuses[] = {"paid", "open", "shipped"};
  // (table, format, version) -> the DB's rows then.
  struct Snap {
    std::string name, format;
    int64_t version;
    std::map<std::string, Value> rows;
  };
  std::vector<Snap> snaps;
  for (int b = 0; b < 36; b++) {
    WriteBatch batch;
    std::set<std::string> touched;
    for (int k = 0; k < 6; k++) {
      int op = static_cast<int>(rng() % 10);
      if (op < 2 || customers.empty()) {
        char id[32];
        std::snprintf(id, sizeof(id), "c%03d_%d", b, k);
        customers.push_back(id);
        batch.Insert("Customer", *Value::ParseJson(std::string(R"({"$id": ")") + id +
                                                   R"(", "name": "n)" + std::to_string(rng() % 50) + "\"}"));
      } else if (op < 6 || orders.empty()) {
        char id[32];
        std::snprintf(id, sizeof(id), "o%03d_%d", b, k);
        orders.push_back(id);
        batch.Insert("Order", *Value::ParseJson(
            std::string(R"({"$id": ")") + id + R"(", "total": ")" + std::to_string(rng() % 10000) +
            ".2" + std::to_string(rng() % 10) + R"(", "status": ")" + statuses[rng() % 3] +
            R"(", "customer": ")" + customers[rng() % customers.size()] +
            R"(", "tags": ["x", "y"], "at": "2024-01-0)" + std::to_string(1 + rng() % 9) +
            R"(T10:00:00.123456Z"})"));
      } else if (op < 9) {
        const std::string& id = orders[rng() % orders.size()];
        if (touched.insert(id).second) {
          batch.Update("Order", id, *Value::ParseJson(std::string(R"({"$set": {"status": ")") +
                                                      statuses[rng() % 3] + "\"}}"));
        }
      } else {
        size_t i = rng() % orders.size();
        if (touched.insert(orders[i]).second) batch.Delete("Order", orders[i]);
        orders.erase(orders.begin() + static_cast<long>(i));
      }
    }
    Status s = db_->Write(batch, nullptr);
    ASSERT_TRUE(s.ok()) << s.ToString();
    if (b % 4 == 3) {
      ASSERT_TRUE(db_->Flush().ok());
      CheckAll(format, "flush after batch " + std::to_string(b));
      if (HasFatalFailure()) return;
      for (const char* name : {"Order", "SalesByStatus"}) {
        std::string f = FormatOf(name, format);
        if (f.empty()) continue;
        auto t = lake::OpenLakeTableForRead(*lake::ParseFormat(f), Env::Default(),
                                            options_.path + "/" + f + "/" + name);
        ASSERT_TRUE(t.ok());
        auto cur = (*t)->Current();
        ASSERT_TRUE(cur.ok() && cur->has_value());
        snaps.push_back({name, f, (*cur)->version, DbRows(name)});
        if (std::string(name) == "SalesByStatus") {
          EXPECT_TRUE((*cur)->summary.count("refresh-state")) << "view snapshot without refresh-state";
        }
      }
    }
    if (b % 13 == 12) Open("", /*with_schema=*/false);  // the format is kept
  }
  ASSERT_TRUE(db_->Compact().ok());
  CheckAll(format, "after compaction");
  for (const Snap& s : snaps) {
    Compare(s.name, s.format, s.rows, s.version, "time travel to " + std::to_string(s.version));
    if (HasFatalFailure()) return;
  }  // Vacuum expires the lake history too: the current state stays, old files go.
  auto files = [&] {
    size_t n = 0;
    for (auto& e : std::filesystem::recursive_directory_iterator(dir_ / format)) {
      n += e.path().extension() == ".parquet";
    }
    return n;
  };
  size_t before = files();
  ASSERT_TRUE(db_->Vacuum(0).ok());
  EXPECT_LT(files(), before);
  CheckAll(format, "after vacuum");
  if (format == "iceberg") {
    auto t = lake::OpenLakeTableForRead(lake::Format::kIceberg, Env::Default(),
                                        options_.path + "/iceberg/Order");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ((*t)->History()->size(), 1u);
  }
}

TEST_P(DbLakeTest, ConvertsANativeDatabaseAndKeepsItsFormat) {
  const std::string format = GetParam();
  Open("native");
  for (int i = 0; i < 20; i++) {
    ASSERT_TRUE(db_->Insert("Order", *Value::ParseJson(R"({"total": ")" + std::to_string(i) +
                                                       R"(.50", "status": "paid"})")).ok());
  }
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->Insert("Customer", *Value::ParseJson(R"({"name": "unflushed"})")).ok());
  Open(format, false);  // converts: the tables are filled from the native state
  // The lake holds the flushed state: the Orders, not yet the logged Customer.
  Compare("Order", format, DbRows("Order"), std::nullopt, "after conversion");
  Compare("Customer", format, {}, std::nullopt, "after conversion");
  ASSERT_EQ(DbRows("Customer").size(), 1u);
  // Unflushed changes (replayed from the log) reach the lake at the next flush.
  ASSERT_TRUE(db_->Flush().ok());
  CheckAll(format, "after flush");
  db_.reset();
  std::string other = format == "iceberg" ? "delta" : "iceberg";
  Options o = options_;
  o.table_format = other;
  EXPECT_TRUE(DB::Open(o).status().IsInvalidArgument());
  o.table_format = "native";
  EXPECT_TRUE(DB::Open(o).status().IsInvalidArgument());
  o.table_format = "parquet";
  EXPECT_TRUE(DB::Open(o).status().IsInvalidArgument());
  // A lost mirror (deleted table, stale LAKE_MIRRORED) is rebuilt on open.
  std::filesystem::remove_all(dir_ / format / "Order");
  Open("", false);
  CheckAll(format, "after losing a table");
  ASSERT_TRUE(db_->Insert("Order", *Value::ParseJson(R"({"total": "1.00", "status": "open"})")).ok());
  ASSERT_TRUE(db_->Flush().ok());
  db_.reset();
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(options_.path + "/LAKE_MIRRORED", "1\n").ok());
  std::filesystem::remove_all(dir_ / format / "Customer");
  Open("", false);
  CheckAll(format, "after a missed mirror commit");
}

INSTANTIATE_TEST_SUITE_P(Formats, DbLakeTest, ::testing::Values("iceberg", "delta"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace parquedb
