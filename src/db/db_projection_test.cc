// View projections ($projection olap / oltp / both): the three layouts answer alike
// through flushes, compactions, updates, deletes, reopens and $projection changes;
// olap files are typed, partitioned by month and sorted, and range filters skip other
// partitions; oltp key lookups read one row group; per-view vacuum; refresh after the
// log was vacuumed; views reached by name and $type.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "parquedb/db.h"
#include "parquet/reader.h"
#include "storage/manifest.h"

namespace parquedb {
namespace {

namespace fs = std::filesystem;

Value J(std::string_view text) {
  auto v = Value::ParseJson(text);
  EXPECT_TRUE(v.ok()) << v.status().ToString() << " in " << text;
  return v.ok() ? std::move(v).value() : Value();
}

int64_t Ts(const char* iso) { return *ParseTimestampMicros(iso); }
constexpr int64_t kDay = 86400LL * 1000000;

std::string Sales(const char* projection, const char* type = nullptr) {
  return std::string(R"J({"$from": "Order", "$groupBy": [{"date": "$createdAt"}, "status"],
      "$compute": {"n": {"$count": "*"}, "revenue": {"$sum": "total"}, "avg": {"$avg": "total"}},
      "$projection": ")J") +
         projection + "\"" + (type ? std::string(", \"$type\": \"") + type + "\"" : "") + "}";
}
std::string Orders(const char* projection) {
  return std::string(R"J({"$from": "Order", "$select": {"total": "$total", "status": "$status",
      "customer": "$customer", "at": "$createdAt"}, "$projection": ")J") +
         projection + "\"}";
}

std::string Schema() {
  return std::string(R"J({"Order": {"total": "decimal(10,2)!", "status": "string!", "customer": "string?"},)J") +
         "\"SalesOlap\": " + Sales("olap") + ", \"SalesOltp\": " + Sales("oltp", "SaleRow") +
         ", \"SalesBoth\": " + Sales("both") + ", \"OrdersOlap\": " + Orders("olap") +
         ", \"OrdersOltp\": " + Orders("oltp") + ", \"OrdersBoth\": " + Orders("both") + "}";
}

const char* const kStatuses[] = {"paid", "new", "shipped"};

class ProjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pq_proj_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
            "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    options_.path = dir_.string();
    options_.clock = &clock_;
    options_.sync = false;
    options_.run_scheduler = false;
    options_.auto_flush_events = 0;
    options_.row_group_rows = 8;
  }
  void TearDown() override {
    db_.reset();
    fs::remove_all(dir_);
  }
  void Open(const std::string& schema) {
    db_.reset();
    auto r = DB::Open(options_, J(schema));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    db_ = std::move(r).value();
  }
  void Reopen() {
    db_.reset();
    auto r = DB::Open(options_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    db_ = std::move(r).value();
  }
  // Orders on days [from, to) of 2024 (4 per day), clock set per day.
  void Load(int from, int to) {
    for (int d = from; d < to; d++) {
      clock_.SetMicros(Ts("2024-01-01T08:00:00Z") + d * kDay);
      std::vector<Value> docs;
      for (int k = 0; k < 4; k++) {
        const int i = d * 4 + k;
        docs.push_back(J(R"({"$id": "o)" + std::to_string(10000 + i) + R"(", "total": ")" +
                         std::to_string(1 + i % 97) + "." + std::to_string(10 + i % 90) +
                         R"(", "status": ")" + kStatuses[(i * 7) % 3] + R"(", "customer": "c)" +
                         std::to_string(i % 11) + "\"}"));
      }
      auto r = db_->InsertMany("Order", docs);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
  }
  std::string Rows(std::string_view view, const Value& filter = Value()) {
    auto r = db_->Find(view, filter, {});
    EXPECT_TRUE(r.ok()) << view << ": " << r.status().ToString();
    if (!r.ok()) return "error";
    std::map<std::string, std::string> byid;
    for (const Value& d : *r) byid[d.Find("$id")->as_string()] = d.ToJsonString();
    std::string out;
    for (const auto& [id, d] : byid) out += d + "\n";
    return out;
  }
  // Every layout of each view answers the same (whole view and a few filters).
  void ExpectLayoutsAgree(const std::string& where) {
    const std::vector<std::string> filters = {
        "{}",
        R"({"date": {"$gte": "2024-02-01", "$lt": "2024-03-01"}})",
        R"({"status": "paid"})",
        R"({"n": {"$gte": 2}, "status": {"$ne": "new"}})",
        R"({"date": "2024-01-05", "status": "paid"})",
        R"({"date": {"$eq": "2024-02-10"}, "status": "shipped", "n": {"$lt": 100}})",
        R"({"date": "2024-02-10", "status": "nope"})"};
    for (const std::string& f : filters) {
      const std::string oltp = Rows("SalesOltp", J(f));
      EXPECT_EQ(Rows("SalesOlap", J(f)), oltp) << where << " " << f;
      EXPECT_EQ(Rows("SalesBoth", J(f)), oltp) << where << " " << f;
    }
    const std::vector<std::string> order_filters = {
        "{}", R"({"at": {"$gte": "2024-02-15T00:00:00Z"}})", R"({"$id": "o10009"})",
        R"({"customer": "c3", "status": "paid"})"};
    for (const std::string& f : order_filters) {
      const std::string oltp = Rows("OrdersOltp", J(f));
      EXPECT_EQ(Rows("OrdersOlap", J(f)), oltp) << where << " " << f;
      EXPECT_EQ(Rows("OrdersBoth", J(f)), oltp) << where << " " << f;
    }
    EXPECT_NE(Rows("SalesOltp"), "");
  }
  ViewState State(std::string_view view) {
    auto s = db_->GetViewState(view);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : ViewState();
  }
  storage::Manifest CurrentManifest() {
    std::ifstream cur(dir_ / "manifest" / "CURRENT");
    std::string name;
    cur >> name;
    std::ifstream in(dir_ / "manifest" / name);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto m = storage::Manifest::FromJson(text);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? *m : storage::Manifest();
  }
  std::vector<std::string> FilesOf(const std::string& table) {
    std::vector<std::string> out;
    storage::Manifest m = CurrentManifest();
    auto it = m.tables.find(table);
    if (it == m.tables.end()) return out;
    for (const auto& f : it->second.files) out.push_back((dir_ / "data" / f.path).string());
    return out;
  }
  std::unique_ptr<parquet::FileReader> OpenParquet(const std::string& path) {
    auto r = parquet::FileReader::Open(Env::Default(), path);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : nullptr;
  }
  // Overwrites the first bytes of column `leaf`'s chunk in row group `rg`.
  void CorruptChunk(const std::string& path, int rg, const std::string& column) {
    auto reader = OpenParquet(path);
    ASSERT_NE(reader, nullptr);
    const int leaf = reader->schema().FindLeaf(column);
    ASSERT_GE(leaf, 0) << column;
    const auto& md = reader->metadata().row_groups[static_cast<size_t>(rg)]
                         .columns[static_cast<size_t>(leaf)]
                         .meta_data;
    ASSERT_TRUE(md.has_value());
    const int64_t at = md->dictionary_page_offset.value_or(md->data_page_offset);
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(at);
    const std::string junk(24, '\xff');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }

  fs::path dir_;
  ManualClock clock_{Ts("2024-01-01T00:00:00Z")};
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_F(ProjectionTest, UnknownProjectionIsAClearError) {
  auto bad = DB::Open(options_, J(R"({"Order": {"status": "string!"},
      "V": {"$from": "Order", "$projection": "columnar"}})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("$projection"), std::string::npos) << bad.status().ToString();
  EXPECT_NE(bad.status().message().find("'olap', 'oltp' or 'both'"), std::string::npos)
      << bad.status().ToString();
  fs::remove_all(dir_);
  Open(R"({"Order": {"status": "string!"}})");
  Status s = db_->RegisterView("V", J(R"({"$from": "Order", "$projection": 1})"));
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("$projection"), std::string::npos) << s.ToString();
  EXPECT_FALSE(DefineView(J(R"({"$from": "Order", "$projection": "OLAP"})")).ok());
  EXPECT_TRUE(DefineView(J(R"({"$from": "Order", "$projection": "both"})")).ok());
}

TEST_F(ProjectionTest, LayoutsAgreeThroughFlushesUpdatesDeletesAndReopens) {
  Open(Schema());
  Load(0, 40);
  ExpectLayoutsAgree("memtable");
  ASSERT_TRUE(db_->Flush().ok());
  ExpectLayoutsAgree("flushed");
  Load(40, 90);  // unflushed on top of files
  ASSERT_TRUE(db_->Update("Order", "o10005", J(R"({"total": "999.99", "status": "new"})")).ok());
  ASSERT_TRUE(db_->Delete("Order", "o10006").ok());
  ASSERT_TRUE(db_->Delete("Order", "o10200").ok());
  ExpectLayoutsAgree("files + memtable");
  for (int round = 0; round < 3; round++) {
    ASSERT_TRUE(db_->Flush().ok());
    ASSERT_TRUE(db_->Update("Order", "o1000" + std::to_string(round), J(R"({"status": "shipped"})")).ok());
  }
  ExpectLayoutsAgree("several flushes");
  ASSERT_TRUE(db_->Compact().ok());
  ExpectLayoutsAgree("compacted");
  Reopen();
  ExpectLayoutsAgree("reopened");
  // Get by row key on every layout.
  auto rows = db_->Find("SalesOltp", Value(), {});
  ASSERT_TRUE(rows.ok());
  for (size_t i = 0; i < rows->size(); i += 17) {
    const std::string id = (*rows)[i].Find("$id")->as_string();
    for (const char* v : {"SalesOlap", "SalesBoth", "SalesOltp"}) {
      auto g = db_->Get(v, id);
      ASSERT_TRUE(g.ok()) << v << " " << id << ": " << g.status().ToString();
      EXPECT_EQ(g->ToJsonString(), (*rows)[i].ToJsonString()) << v;
    }
  }
  EXPECT_TRUE(db_->Get("SalesOlap", "[\"2030-01-01\",\"paid\"]").status().IsNotFound());
}

TEST_F(ProjectionTest, OlapFilesAreTypedPartitionedByMonthAndSorted) {
  Open(Schema());
  Load(0, 90);
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->Compact().ok());
  for (const std::string table : {"SalesOlap", "SalesBoth@olap", "OrdersOlap", "OrdersBoth@olap"}) {
    const bool sales = table.rfind("Sales", 0) == 0;
    const std::string time = sales ? "date" : "at";
    std::vector<std::string> files = FilesOf(table);
    EXPECT_EQ(files.size(), 3u) << table << ": one file per month (Jan, Feb, Mar)";
    std::set<std::string> months;
    for (const std::string& path : files) {
      auto r = OpenParquet(path);
      ASSERT_NE(r, nullptr);
      EXPECT_LT(r->schema().FindLeaf("$row"), 0) << path;
      const int t = r->schema().FindLeaf(time);
      ASSERT_GE(t, 0);
      EXPECT_EQ(r->schema().leaves()[static_cast<size_t>(t)].node->type,
                sales ? parquet::PhysicalType::kInt32 : parquet::PhysicalType::kInt64);
      if (sales) {
        const int n = r->schema().FindLeaf("n");
        ASSERT_GE(n, 0);
        EXPECT_EQ(r->schema().leaves()[static_cast<size_t>(n)].node->type,
                  parquet::PhysicalType::kInt64);
        const int rev = r->schema().FindLeaf("revenue");
        ASSERT_GE(rev, 0);
        EXPECT_EQ(r->schema().leaves()[static_cast<size_t>(rev)].node->type,
                  parquet::PhysicalType::kFixedLenByteArray);  // decimal, not JSON text
      }
      const int spill = r->schema().FindLeaf("$spill");
      ASSERT_GE(spill, 0);
      EXPECT_GT(r->num_row_groups(), 1) << path;
      std::vector<int64_t> times;
      for (int rg = 0; rg < r->num_row_groups(); rg++) {
        const auto& g = r->metadata().row_groups[static_cast<size_t>(rg)];
        const auto& st = g.columns[static_cast<size_t>(spill)].meta_data->statistics;
        ASSERT_TRUE(st && st->null_count);
        EXPECT_EQ(*st->null_count, g.num_rows) << "no value needed $spill";
        EXPECT_TRUE(g.columns[static_cast<size_t>(t)].meta_data->statistics->min_value);
        parquet::ColumnVector c;
        ASSERT_TRUE(r->ReadColumnChunk(rg, t, &c).ok());
        for (size_t i = 0; i < c.num_values(); i++) {
          times.push_back(sales ? c.i32[i] : c.i64[i] / kDay);
        }
      }
      ASSERT_FALSE(times.empty());
      EXPECT_TRUE(std::is_sorted(times.begin(), times.end())) << path;
      const std::string first = FormatDateDays(static_cast<int32_t>(times.front()));
      const std::string last = FormatDateDays(static_cast<int32_t>(times.back()));
      EXPECT_EQ(first.substr(0, 7), last.substr(0, 7)) << path;
      months.insert(first.substr(0, 7));
    }
    EXPECT_EQ(months, (std::set<std::string>{"2024-01", "2024-02", "2024-03"})) << table;
  }
  // The keyed layout keeps the exact row and is sorted by $id.
  for (const std::string& path : FilesOf("SalesOltp")) {
    auto r = OpenParquet(path);
    ASSERT_NE(r, nullptr);
    EXPECT_GE(r->schema().FindLeaf("$row"), 0);
    std::vector<std::string> ids;
    parquet::ColumnVector c;
    for (int rg = 0; rg < r->num_row_groups(); rg++) {
      c = parquet::ColumnVector();
      ASSERT_TRUE(r->ReadColumnChunk(rg, r->schema().FindLeaf("$id"), &c).ok());
      for (size_t i = 0; i < c.num_values(); i++) ids.emplace_back(c.ByteArray(i));
    }
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  }
}

TEST_F(ProjectionTest, OlapTimeRangeFilterSkipsOtherPartitions) {
  Open(Schema());
  Load(0, 90);
  ASSERT_TRUE(db_->Compact().ok());
  const std::string feb = Rows("SalesOltp", J(R"({"date": {"$gte": "2024-02-01"}})"));
  db_.reset();
  // Break the January file's "n" column: a scan that reads January fails from now on.
  std::string january;
  for (const std::string& path : FilesOf("SalesOlap")) {
    auto r = OpenParquet(path);
    parquet::ColumnVector c;
    ASSERT_TRUE(r->ReadColumnChunk(0, r->schema().FindLeaf("date"), &c).ok());
    if (FormatDateDays(c.i32[0]).substr(0, 7) == "2024-01") january = path;
  }
  ASSERT_FALSE(january.empty());
  auto jr = OpenParquet(january);
  const int groups = jr->num_row_groups();
  jr.reset();
  for (int rg = 0; rg < groups; rg++) CorruptChunk(january, rg, "n");
  Reopen();
  EXPECT_EQ(Rows("SalesOlap", J(R"({"date": {"$gte": "2024-02-01"}})")), feb);
  EXPECT_FALSE(db_->Find("SalesOlap", Value(), {}).ok()) << "the corruption is real";
}

TEST_F(ProjectionTest, OltpKeyEqualityIsAPointLookup) {
  Open(Schema());
  Load(0, 90);
  ASSERT_TRUE(db_->Compact().ok());
  const Value key_filter = J(R"({"date": "2024-02-10", "status": "shipped"})");
  const std::string expected = Rows("SalesOlap", key_filter);
  ASSERT_NE(expected, "");
  auto target = db_->Find("SalesOltp", key_filter, {});
  ASSERT_TRUE(target.ok() && target->size() == 1);
  const std::string key = (*target)[0].Find("$id")->as_string();
  db_.reset();
  // Break the "$row" column of every row group of the keyed file but the target's.
  std::vector<std::string> files = FilesOf("SalesOltp");
  ASSERT_EQ(files.size(), 1u);
  auto r = OpenParquet(files[0]);
  const int id_leaf = r->schema().FindLeaf("$id");
  std::vector<int> others;
  for (int rg = 0; rg < r->num_row_groups(); rg++) {
    parquet::ColumnVector c;
    ASSERT_TRUE(r->ReadColumnChunk(rg, id_leaf, &c).ok());
    bool has = false;
    for (size_t i = 0; i < c.num_values(); i++) has |= c.ByteArray(i) == key;
    if (!has) others.push_back(rg);
  }
  r.reset();
  ASSERT_GT(others.size(), 3u);
  for (int rg : others) CorruptChunk(files[0], rg, "$row");
  Reopen();
  EXPECT_EQ(Rows("SalesOltp", key_filter), expected);
  EXPECT_EQ(Rows("SalesOltp", J(R"({"date": {"$eq": "2024-02-10"}, "status": "shipped"})")), expected);
  EXPECT_EQ(Rows("SalesOltp", J(R"({"date": "2024-02-10", "status": "shipped", "n": {"$gt": 1000}})")), "");
  auto g = db_->Get("SalesOltp", key);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->ToJsonString() + "\n", expected);
  EXPECT_FALSE(db_->Find("SalesOltp", J(R"({"n": {"$gte": 1}})"), {}).ok()) << "the corruption is real";
}

TEST_F(ProjectionTest, BothKeepsTwoLayoutsAndDropRemovesThem) {
  Open(Schema());
  Load(0, 30);
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_FALSE(FilesOf("SalesBoth").empty());
  EXPECT_FALSE(FilesOf("SalesBoth@olap").empty());
  auto keyed = OpenParquet(FilesOf("SalesBoth")[0]);
  EXPECT_GE(keyed->schema().FindLeaf("$row"), 0);
  ASSERT_TRUE(db_->DropView("SalesBoth").ok());
  EXPECT_TRUE(FilesOf("SalesBoth").empty());
  EXPECT_TRUE(FilesOf("SalesBoth@olap").empty());
  EXPECT_EQ(Rows("SalesOlap"), Rows("SalesOltp"));
}

TEST_F(ProjectionTest, ProjectionChangesKeepTheRows) {
  Open(Schema());
  Load(0, 60);
  ASSERT_TRUE(db_->Flush().ok());
  const std::string expected = Rows("SalesOlap");
  for (const char* p : {"olap", "both", "oltp", "both", "olap"}) {
    ASSERT_TRUE(db_->AlterView("SalesOltp", J(std::string(R"({"$projection": ")") + p + "\"}")).ok()) << p;
    EXPECT_EQ(Rows("SalesOltp"), expected) << p;
    EXPECT_EQ(Rows("SalesOltp", J(R"({"date": "2024-01-05", "status": "paid"})")),
              Rows("SalesOlap", J(R"({"date": "2024-01-05", "status": "paid"})")))
        << p;
    ASSERT_TRUE(db_->Compact().ok());
    EXPECT_EQ(Rows("SalesOltp"), expected) << p << " compacted";
    Reopen();
    EXPECT_EQ(Rows("SalesOltp"), expected) << p << " reopened";
  }
  // A compaction of several files rewrites them in the final (olap) layout; the "both"
  // copy is gone.
  Load(60, 61);
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->Compact().ok());
  EXPECT_EQ(Rows("SalesOltp"), Rows("SalesOlap"));
  for (const std::string& path : FilesOf("SalesOltp")) {
    EXPECT_LT(OpenParquet(path)->schema().FindLeaf("$row"), 0) << path;
  }
  EXPECT_TRUE(FilesOf("SalesOltp@olap").empty());
}

TEST_F(ProjectionTest, VacuumViewDropsOnlyThatViewsHistory) {
  Open(Schema());
  Load(0, 10);
  ASSERT_TRUE(db_->Flush().ok());
  const int64_t early = clock_.NowMicros();
  const std::string early_olap = Rows("SalesOlap");
  for (int round = 0; round < 3; round++) {
    clock_.AdvanceMicros(2 * kDay);
    ASSERT_TRUE(db_->Update("Order", "o1000" + std::to_string(round), J(R"({"total": "5.00"})")).ok());
    ASSERT_TRUE(db_->Compact().ok());
  }
  const std::string now_olap = Rows("SalesOlap");
  ASSERT_NE(now_olap, early_olap);
  FindOptions at_early;
  at_early.as_of = early;
  auto count_files = [&](const std::string& table) {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir_ / "data" / table)) n += e.is_regular_file();
    return n;
  };
  const size_t olap_before = count_files("SalesOlap"), order_before = count_files("Order"),
               oltp_before = count_files("SalesOltp");
  EXPECT_TRUE(db_->VacuumView("SalesOlap", -1).IsInvalidArgument());
  EXPECT_TRUE(db_->VacuumView("Nope", kDay).IsNotFound());
  ASSERT_TRUE(db_->VacuumView("SalesOlap", kDay).ok());
  EXPECT_LT(count_files("SalesOlap"), olap_before);
  EXPECT_EQ(count_files("Order"), order_before);
  EXPECT_EQ(count_files("SalesOltp"), oltp_before);
  for (int pass = 0; pass < 2; pass++) {
    EXPECT_EQ(Rows("SalesOlap"), now_olap) << pass;
    auto old = db_->Find("SalesOlap", Value(), at_early);
    ASSERT_FALSE(old.ok()) << pass;
    EXPECT_TRUE(old.status().IsInvalidArgument());
    EXPECT_NE(old.status().message().find("retained history of view SalesOlap"), std::string::npos)
        << old.status().ToString();
    // Other tables keep their history.
    auto orders = db_->Find("Order", Value(), at_early);
    ASSERT_TRUE(orders.ok()) << orders.status().ToString();
    EXPECT_EQ(orders->size(), 40u);
    auto sales = db_->Find("SalesOltp", Value(), at_early);
    ASSERT_TRUE(sales.ok()) << sales.status().ToString();
    std::map<std::string, std::string> m;
    for (const Value& d : *sales) m[d.Find("$id")->as_string()] = d.ToJsonString();
    std::string s;
    for (const auto& [k, v] : m) s += v + "\n";
    EXPECT_EQ(s, early_olap);
    Reopen();
  }
  // By $type, too.
  EXPECT_TRUE(db_->VacuumView("SaleRow", 0).ok());
  EXPECT_FALSE(db_->Find("SalesOltp", Value(), at_early).ok());
  EXPECT_EQ(Rows("SalesOltp"), now_olap);
}

TEST_F(ProjectionTest, RefreshAfterTheLogWasVacuumedIsFull) {
  options_.log_segment_bytes = 2048;
  Open(R"({"Order": {"total": "decimal(10,2)!", "status": "string!", "customer": "string?"},
           "Manual": {"$from": "Order", "$groupBy": ["status"], "$compute": {"n": {"$count": "*"},
                      "revenue": {"$sum": "total"}}, "$refresh": {"mode": "manual"},
                      "$projection": "olap"}})");
  Load(0, 5);
  ASSERT_TRUE(db_->RefreshView("Manual").ok());
  ASSERT_TRUE(db_->RefreshView("Manual").ok());
  EXPECT_TRUE(State("Manual").incremental);
  Load(5, 30);  // many log segments past the view's last refresh
  ASSERT_TRUE(db_->Flush().ok());
  clock_.AdvanceMicros(kDay);
  ASSERT_TRUE(db_->Vacuum(0).ok());
  ViewState before = State("Manual");
  EXPECT_EQ(before.state, "stale");
  ASSERT_TRUE(db_->RefreshView("Manual").ok());
  ViewState after = State("Manual");
  EXPECT_EQ(after.state, "fresh");
  EXPECT_FALSE(after.incremental);
  EXPECT_NE(after.reason.find("vacuumed"), std::string::npos) << after.reason;
  // The result is the full one: every order counted once.
  auto rows = db_->Find("Manual", Value(), {});
  ASSERT_TRUE(rows.ok());
  int64_t n = 0;
  for (const Value& r : *rows) n += r.Find("n")->as_int();
  EXPECT_EQ(n, 120);
  auto paid = db_->Find("Order", J(R"({"status": "paid"})"), {});
  auto paid_row = db_->Find("Manual", J(R"({"status": "paid"})"), {});
  ASSERT_TRUE(paid.ok() && paid_row.ok() && paid_row->size() == 1);
  EXPECT_EQ((*paid_row)[0].Find("n")->as_int(), static_cast<int64_t>(paid->size()));
}

TEST_F(ProjectionTest, ViewsAreReachedByNameAndByType) {
  Open(Schema());
  Load(0, 10);
  const std::string by_name = Rows("SalesOltp");
  EXPECT_EQ(Rows("SaleRow"), by_name);
  auto one = db_->Find("SaleRow", J(R"({"date": "2024-01-05", "status": "paid"})"), {});
  ASSERT_TRUE(one.ok() && one->size() == 1);
  const std::string id = (*one)[0].Find("$id")->as_string();
  auto g = db_->Get("SaleRow", id);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->ToJsonString(), (*one)[0].ToJsonString());
  auto n = db_->Count("SaleRow", Value());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, db_->Count("SalesOltp", Value()).value());
  auto st = db_->GetViewState("SaleRow");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->name, "SalesOltp");
  EXPECT_EQ(st->type_name, "SaleRow");
  EXPECT_TRUE(db_->RefreshView("SaleRow", {.full = true}).ok());
  EXPECT_EQ(Rows("SaleRow"), by_name);
}

}  // namespace
}  // namespace parquedb
