// DB behaviour end to end: CRUD, validation, batches, find, relations, flush and
// recovery, compaction, time travel, vacuum, change streams, crash safety.
#include "parquedb/db.h"
#include "query/filter.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "common/fault_injection_env.h"

namespace parquedb {
namespace {

const char* kSchema = R"J({
  "Customer": {"name": "string!", "email": "string!", "tier": "string?"},
  "Order": {"total": "decimal(10,2)!", "status": "string!", "customer": "-> Customer",
            "items": "<- OrderItem[]", "tags": "string[]", "meta": "variant?"},
  "OrderItem": {"quantity": "int!", "price": "decimal(10,2)!", "product": "-> Product"},
  "Product": {"name": "string!", "sku": "string!", "price": "decimal(10,2)!"}
})J";

class DBTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pq_db_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    std::filesystem::remove_all(dir_);
    options_.path = dir_.string();
    options_.clock = &clock_;
    options_.sync = false;  // durability is exercised by the crash test
    clock_.SetMicros(1700000000000000LL);
    schema_ = *Value::ParseJson(kSchema);
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    db_.reset();
    auto r = DB::Open(options_, schema_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    db_ = std::move(*r);
  }
  static Value J(const char* text) {
    auto v = Value::ParseJson(text);
    EXPECT_TRUE(v.ok()) << text;
    return v.ok() ? *v : Value();
  }
  std::vector<std::string> Ids(const std::vector<Value>& docs) {
    std::vector<std::string> ids;
    for (const Value& d : docs) ids.push_back(d.Find("$id")->as_string());
    return ids;
  }

  static inline int counter_ = 0;
  std::filesystem::path dir_;
  ManualClock clock_;
  Options options_;
  Value schema_;
  std::unique_ptr<DB> db_;
};

TEST_F(DBTest, InsertAssignsSystemFieldsAndValidates) {
  Open();
  auto c = db_->Insert("Customer", J(R"({"name": "Ada", "email": "ada@example.com"})"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->Find("$type")->as_string(), "Customer");
  EXPECT_EQ(c->Find("$id")->as_string().size(), 26u);
  EXPECT_EQ(c->Find("version")->as_int(), 1);
  EXPECT_EQ(c->Find("createdAt")->kind(), Value::Kind::kTimestamp);

  auto bad = db_->Insert("Order", J(R"({"total": "12.345", "status": "paid"})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsInvalidArgument());
  EXPECT_NE(bad.status().message().find("total"), std::string::npos) << bad.status().ToString();

  auto missing = db_->Insert("Order", J(R"({"total": "1.00"})"));
  EXPECT_NE(missing.status().message().find("status"), std::string::npos);
  auto unknown = db_->Insert("Nope", J("{}"));
  EXPECT_TRUE(unknown.status().IsNotFound());

  auto dup = db_->Insert("Customer", J(R"({"$id": "c1", "name": "B", "email": "b@x"})"));
  ASSERT_TRUE(dup.ok());
  auto dup2 = db_->Insert("Customer", J(R"({"$id": "c1", "name": "C", "email": "c@x"})"));
  EXPECT_EQ(dup2.status().code(), Status::Code::kAlreadyExists);
}

TEST_F(DBTest, BadBatchWritesNothing) {
  Open();
  std::vector<Value> docs = {J(R"({"name": "A", "email": "a"})"), J(R"({"name": "B"})")};
  auto r = db_->InsertMany("Customer", docs);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("operation 1"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(*db_->Count("Customer", Value(), std::nullopt), 0);
  EXPECT_EQ(db_->LastSequence(), 0u);
}

TEST_F(DBTest, UpdateOperatorsAndDelete) {
  Open();
  auto o =
      db_->Insert("Order", J(R"({"$id": "o1", "total": "10.00", "status": "new", "tags": ["a"]})"));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  auto u = db_->Update(
      "Order", "o1",
      J(R"({"$set": {"status": "paid"}, "$inc": {"total": "2.50"}, "$push": {"tags": "b"}})"));
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->Find("status")->as_string(), "paid");
  EXPECT_EQ(u->Find("total")->as_decimal().ToString(), "12.50");
  EXPECT_EQ(u->Find("tags")->as_array().size(), 2u);
  EXPECT_EQ(u->Find("version")->as_int(), 2);
  auto bad = db_->Update("Order", "o1", J(R"({"$set": {"total": "abc"}})"));
  EXPECT_TRUE(bad.status().IsInvalidArgument());
  EXPECT_EQ(db_->Get("Order", "o1")->Find("status")->as_string(), "paid");
  ASSERT_TRUE(db_->Delete("Order", "o1").ok());
  EXPECT_TRUE(db_->Get("Order", "o1").status().IsNotFound());
  EXPECT_TRUE(db_->Delete("Order", "o1").IsNotFound());
}

TEST_F(DBTest, FindFilterSortLimitProjectAcrossFlushes) {
  Open();
  for (int i = 0; i < 30; i++) {
    std::string doc = R"({"$id": "o)" + std::to_string(100 + i) + R"(", "total": ")" +
                      std::to_string(i) + R"(.00", "status": ")" + (i % 3 ? "paid" : "new") +
                      R"("})";
    ASSERT_TRUE(db_->Insert("Order", J(doc.c_str())).ok());
    if (i == 9 || i == 19) {
      ASSERT_TRUE(db_->Flush().ok());
    }
  }
  ASSERT_TRUE(db_->Update("Order", "o105", J(R"({"status": "new"})")).ok());  // file -> mem
  EXPECT_EQ(db_->Get("Order", "o105")->Find("status")->as_string(), "new");
  {
    auto news = db_->Find("Order", J(R"({"status": "new"})"), {});
    std::string ids;
    for (auto& d : *news) ids += d.Find("$id")->as_string() + " ";
    EXPECT_EQ(news->size(), 11u) << ids;
  }
  ASSERT_TRUE(db_->Delete("Order", "o115").ok());
  FindOptions fo;
  fo.sort = J(R"({"total": -1})");
  fo.limit = 3;
  fo.skip = 1;
  fo.project = J(R"({"total": 1})");
  auto r = db_->Find("Order", J(R"({"status": "paid", "total": {"$lt": 20}})"), fo);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(Ids(*r), (std::vector<std::string>{"o117", "o116", "o114"}));
  EXPECT_EQ((*r)[0].as_object().size(), 2u);  // $id + total
  // 10 "new" orders (i % 3 == 0), plus o105 updated to "new", minus o115 deleted.
  EXPECT_EQ(*db_->Count("Order", J(R"({"status": "new"})"), std::nullopt), 10);
  // Reopen: everything comes back from files + log replay.
  Open();
  EXPECT_EQ(*db_->Count("Order", J(R"({"status": "new"})"), std::nullopt), 10);
  EXPECT_EQ(*db_->Count("Order", Value(), std::nullopt), 29);
  ASSERT_TRUE(db_->Compact().ok());
  EXPECT_EQ(*db_->Count("Order", Value(), std::nullopt), 29);
  EXPECT_EQ(db_->Get("Order", "o105")->Find("status")->as_string(), "new");
}

TEST_F(DBTest, IncludeRelations) {
  Open();
  ASSERT_TRUE(db_->Insert("Customer", J(R"({"$id": "c1", "name": "Ada", "email": "a@x"})")).ok());
  ASSERT_TRUE(
      db_->Insert("Product", J(R"({"$id": "p1", "name": "Pen", "sku": "P", "price": "1.00"})"))
          .ok());
  ASSERT_TRUE(
      db_->Insert("Order",
                  J(R"({"$id": "o1", "total": "3.00", "status": "paid", "customer": "c1"})"))
          .ok());
  ASSERT_TRUE(
      db_->Insert(
             "OrderItem",
             J(R"({"$id": "i1", "quantity": 3, "price": "1.00", "product": "p1", "order": "o1"})"))
          .ok());
  FindOptions fo;
  fo.include = {"customer", "items.product"};
  auto r = db_->Find("Order", Value(), fo);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].FindPath("customer.name")->as_string(), "Ada");
  EXPECT_EQ((*r)[0].FindPath("items.0.product.name")->as_string(), "Pen");
}

TEST_F(DBTest, TimeTravelAndVacuum) {
  options_.auto_flush_events = 0;
  Open();
  const int64_t created = clock_.NowMicros();
  clock_.AdvanceMicros(500000);
  int64_t t0 = clock_.NowMicros();
  ASSERT_TRUE(db_->Insert("Customer", J(R"({"$id": "c1", "name": "v1", "email": "e"})")).ok());
  clock_.AdvanceMicros(1000000);
  int64_t t1 = clock_.NowMicros();
  ASSERT_TRUE(db_->Flush().ok());
  clock_.AdvanceMicros(1000000);
  ASSERT_TRUE(db_->Update("Customer", "c1", J(R"({"name": "v2"})")).ok());
  clock_.AdvanceMicros(1000000);
  int64_t t2 = clock_.NowMicros();
  ASSERT_TRUE(db_->Flush().ok());
  clock_.AdvanceMicros(1000000);
  ASSERT_TRUE(db_->Delete("Customer", "c1").ok());
  int64_t t3 = clock_.NowMicros();
  clock_.AdvanceMicros(1000000);

  EXPECT_TRUE(db_->Get("Customer", "c1", t0 - 1).status().IsNotFound());
  // Before the database existed there is no history to answer from.
  Status before = db_->Get("Customer", "c1", created - 1).status();
  EXPECT_TRUE(before.IsInvalidArgument()) << before.ToString();
  EXPECT_NE(before.ToString().find("before the retained history"), std::string::npos);
  EXPECT_EQ(db_->Get("Customer", "c1", t1)->Find("name")->as_string(), "v1");
  EXPECT_EQ(db_->Get("Customer", "c1", t2)->Find("name")->as_string(), "v2");
  EXPECT_TRUE(db_->Get("Customer", "c1", t3).status().IsNotFound());
  FindOptions fo;
  fo.as_of = t1;
  EXPECT_EQ(db_->Find("Customer", Value(), fo)->size(), 1u);

  // Survives reopen (log + retained manifests), including instants before the
  // first flush (the empty store is history too).
  Open();
  EXPECT_EQ(db_->Get("Customer", "c1", t2)->Find("name")->as_string(), "v2");
  EXPECT_EQ(db_->Get("Customer", "c1", t0 + 1)->Find("name")->as_string(), "v1");
  EXPECT_TRUE(db_->Get("Customer", "c1", t0 - 1).status().IsNotFound());
  EXPECT_TRUE(db_->Get("Customer", "c1", created - 1).status().IsInvalidArgument());
  // $id filters and decimal-string comparisons work end to end.
  ASSERT_TRUE(db_->Insert("Order", J(R"({"$id": "o9", "total": "1000.50", "status": "x"})")).ok());
  EXPECT_EQ(db_->Find("Order", J(R"({"$id": "o9", "total": {"$gt": "1000"}})"), {})->size(), 1u);

  ASSERT_TRUE(db_->Flush().ok());
  clock_.AdvanceMicros(10000000);
  ASSERT_TRUE(db_->Vacuum(5000000).ok());  // keep 5 s of history
  EXPECT_GT(db_->HistoryHorizon(), t1);
  auto gone = db_->Get("Customer", "c1", t1);
  EXPECT_TRUE(gone.status().IsInvalidArgument()) << gone.status().ToString();
  EXPECT_TRUE(db_->Get("Customer", "c1").status().IsNotFound());
}

TEST_F(DBTest, ChangeStreamAndListeners) {
  Open();
  std::vector<ChangeEvent> pushed;
  uint64_t lid = db_->AddListener([&](const std::vector<ChangeEvent>& es) {
    pushed.insert(pushed.end(), es.begin(), es.end());
  });
  ASSERT_TRUE(db_->Insert("Customer", J(R"({"$id": "c1", "name": "a", "email": "e"})")).ok());
  ASSERT_TRUE(db_->Update("Customer", "c1", J(R"({"name": "b"})")).ok());
  ASSERT_TRUE(db_->Delete("Customer", "c1").ok());
  db_->RemoveListener(lid);
  ASSERT_EQ(pushed.size(), 3u);
  EXPECT_EQ(pushed[1].op, ChangeOp::kUpdate);
  EXPECT_EQ(pushed[1].before.Find("name")->as_string(), "a");
  EXPECT_EQ(pushed[1].after.Find("name")->as_string(), "b");
  auto stream = db_->Subscribe(1);
  ASSERT_TRUE(stream.ok());
  auto events = (*stream)->Next(100, 0);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  for (size_t i = 0; i < 3; i++) {
    EXPECT_EQ((*events)[i].seq, pushed[i].seq);
    EXPECT_EQ((*events)[i].op, pushed[i].op);
    EXPECT_EQ((*events)[i].timestamp, pushed[i].timestamp);
  }
  EXPECT_TRUE((*events)[2].after.is_null());
}

// Concurrent writers with fsync: every acknowledged write is visible exactly once,
// listeners see batches in strictly increasing sequence order, and reads after the
// write return see it (read-your-writes).
TEST_F(DBTest, ConcurrentWritersShareCommits) {
  options_.sync = true;
  options_.auto_flush_events = 150;
  Open();
  std::mutex mu;
  std::vector<uint64_t> seqs;
  db_->AddListener([&](const std::vector<ChangeEvent>& es) {
    std::lock_guard<std::mutex> l(mu);
    for (const ChangeEvent& e : es) seqs.push_back(e.seq);
  });
  constexpr int kThreads = 8, kPerThread = 40;
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; i++) {
        std::string id = "t" + std::to_string(t) + "_" + std::to_string(i);
        std::string doc = R"({"$id": ")" + id + R"(", "name": "x", "email": "e"})";
        if (!db_->Insert("Customer", J(doc.c_str())).ok()) errors++;
        if (!db_->Get("Customer", id).ok()) errors++;
        if (i % 10 == 9 && !db_->Update("Customer", id, J(R"({"name": "y"})")).ok()) errors++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(*db_->Count("Customer", Value(), std::nullopt), kThreads * kPerThread);
  EXPECT_EQ(*db_->Count("Customer", J(R"({"name": "y"})"), std::nullopt),
            kThreads * kPerThread / 10);
  ASSERT_EQ(seqs.size(), static_cast<size_t>(kThreads * kPerThread * 11 / 10));
  for (size_t i = 1; i < seqs.size(); i++) ASSERT_EQ(seqs[i], seqs[i - 1] + 1);
  Open();  // and everything survives a reopen
  EXPECT_EQ(*db_->Count("Customer", Value(), std::nullopt), kThreads * kPerThread);
}

TEST_F(DBTest, SecondOpenIsBusy) {
  Open();
  auto second = DB::Open(options_, schema_);
  EXPECT_TRUE(second.status().IsBusy()) << second.status().ToString();
}

TEST_F(DBTest, SchemaEvolutionRules) {
  Open();
  db_.reset();
  Value added = *Value::ParseJson(R"J({"Extra": {"x": "int?"}})J");
  for (const auto& m : added.as_object()) schema_.Set(m.first, m.second);
  Open();  // adding a collection is fine
  db_.reset();
  Value changed = schema_;
  changed.Set("Customer", *Value::ParseJson(R"J({"name": "int!", "email": "string!"})J"));
  auto r = DB::Open(options_, changed);
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find("Customer.name"), std::string::npos) << r.status().ToString();
}

// A schema whose view does not compile is rejected before anything is stored: a
// new database stays uninitialized, an existing one keeps its schema.
TEST_F(DBTest, RejectedSchemaIsNotStored) {
  Value bad = schema_;
  bad.Set("Broken", J(R"J({"$from": "Order", "$groupBy": ["status"],
                          "$compute": {"n": {"$median": "total"}}})J"));
  auto r = DB::Open(options_, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().ToString().find("$median"), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(dir_ / "schema.json"));
  Open();  // the good schema still initializes the directory
  db_.reset();
  const std::string before = *Env::Default()->ReadFileToString((dir_ / "schema.json").string());
  r = DB::Open(options_, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(*Env::Default()->ReadFileToString((dir_ / "schema.json").string()), before);
  Options reopen = options_;
  auto again = DB::Open(reopen);  // the stored schema alone still opens
  ASSERT_TRUE(again.ok()) << again.status().ToString();
}

// Point lookups of flushed rows (Get, and the write path's current version for
// updates, deletes and inserts with a given $id) go through the cached column chunks
// of a few row groups: alternating between more row groups than are cached, every
// lookup still sees its own row, and a flushed tombstone lets its $id be reused.
TEST_F(DBTest, FlushedPointLookupsAcrossRowGroups) {
  options_.row_group_rows = 4;
  options_.auto_compact_files = 0;
  Open();
  auto doc = [](int i, const char* status) {
    return J((R"({"$id": "o)" + std::to_string(100 + i) + R"(", "total": "1.00", "status": ")" +
              status + R"("})")
                 .c_str());
  };
  for (int i = 0; i < 40; i++) ASSERT_TRUE(db_->Insert("Order", doc(i, "new")).ok());
  ASSERT_TRUE(db_->Flush().ok());
  // 10 row groups of 4; visit them out of order, twice.
  for (int round = 0; round < 2; round++) {
    for (int k = 0; k < 40; k++) {
      const int i = (k * 7) % 40;
      const std::string id = "o" + std::to_string(100 + i);
      auto got = db_->Get("Order", id);
      if (round == 1 && i % 5 == 1) {
        EXPECT_TRUE(got.status().IsNotFound()) << id;
        continue;
      }
      ASSERT_TRUE(got.ok()) << id << ": " << got.status().ToString();
      EXPECT_EQ(got->Find("$id")->as_string(), id);
      if (round == 1) {
        EXPECT_EQ(got->Find("status")->as_string(), i % 3 == 0 ? "upd" : "new") << id;
      }
      if (round == 0 && i % 3 == 0) {
        ASSERT_TRUE(db_->Update("Order", id, J(R"({"status": "upd"})")).ok()) << id;
      }
      if (round == 0 && i % 5 == 1) {
        ASSERT_TRUE(db_->Delete("Order", id).ok()) << id;
      }
    }
    ASSERT_TRUE(db_->Flush().ok());
  }
  for (int i = 0; i < 40; i++) {
    const std::string id = "o" + std::to_string(100 + i);
    auto got = db_->Get("Order", id);
    if (i % 5 == 1) {
      EXPECT_TRUE(got.status().IsNotFound()) << id;
      // The tombstone is flushed: the $id can be taken again, once.
      ASSERT_TRUE(db_->Insert("Order", doc(i, "again")).ok()) << id;
      EXPECT_TRUE(db_->Insert("Order", doc(i, "again")).status().code() ==
                  Status::Code::kAlreadyExists)
          << id;
      continue;
    }
    ASSERT_TRUE(got.ok()) << id;
    EXPECT_EQ(got->Find("status")->as_string(), i % 3 == 0 ? "upd" : "new") << id;
    // A live flushed row is not insertable again.
    EXPECT_TRUE(db_->Insert("Order", doc(i, "dup")).status().code() == Status::Code::kAlreadyExists)
        << id;
  }
}

// Random operations with random flushes, compactions and reopens must always
// agree with a plain in-memory map.
TEST_F(DBTest, DifferentialAgainstReferenceMap) {
  options_.auto_flush_events = 37;
  options_.auto_compact_files = 3;
  options_.row_group_rows = 16;
  Open();
  std::mt19937 rng(42);
  std::map<std::string, std::string> ref;  // id -> status
  for (int step = 0; step < 1500; step++) {
    int op = static_cast<int>(rng() % 10);
    std::string id = "o" + std::to_string(rng() % 120);
    std::string status = "s" + std::to_string(rng() % 4);
    if (op < 5) {
      std::string doc =
          R"({"$id": ")" + id + R"(", "total": "1.00", "status": ")" + status + R"("})";
      auto r = db_->Insert("Order", J(doc.c_str()));
      EXPECT_EQ(r.ok(), ref.count(id) == 0) << r.status().ToString();
      if (r.ok()) ref[id] = status;
    } else if (op < 8) {
      std::string upd = R"({"status": ")" + status + R"("})";
      auto r = db_->Update("Order", id, J(upd.c_str()));
      EXPECT_EQ(r.ok(), ref.count(id) == 1);
      if (r.ok()) ref[id] = status;
    } else if (op < 9) {
      Status s = db_->Delete("Order", id);
      EXPECT_EQ(s.ok(), ref.count(id) == 1);
      ref.erase(id);
    } else if (rng() % 8 == 0) {
      Open();
    } else if (rng() % 4 == 0) {
      ASSERT_TRUE(db_->Compact().ok());
    }
    if (step % 50 == 0 || step == 1499) {
      auto all = db_->Find("Order", Value(), {});
      ASSERT_TRUE(all.ok()) << all.status().ToString();
      std::map<std::string, std::string> got;
      for (const Value& d : *all) got[d.Find("$id")->as_string()] = d.Find("status")->as_string();
      ASSERT_EQ(got, ref) << "step " << step;
      auto s1 = db_->Find("Order", J(R"({"status": "s1"})"), {});
      size_t expect = 0;
      for (auto& [k, v] : ref) expect += v == "s1";
      ASSERT_EQ(s1->size(), expect) << "step " << step;
    }
  }
}

// Filtered scans over several data files (superseded versions, tombstones, explicit
// nulls, nested columns) return exactly the documents a reference holds, whether
// their row groups are decoded whole (cached) or in two phases (late
// materialization: filter columns first, then only the matching rows).
TEST_F(DBTest, FilteredScansMatchReferenceAcrossFiles) {
  options_.auto_flush_events = 53;
  options_.auto_compact_files = 6;
  options_.row_group_rows = 8;
  Open();
  std::mt19937 rng(7);
  std::map<std::string, Value> ref;  // id -> the document as written (user fields)
  const std::vector<Value> filters = {
      J(R"({"status": "s1"})"),
      J(R"({"status": {"$in": ["s0", "s3"]}, "total": {"$gte": "5.00"}})"),
      J(R"({"$or": [{"meta": null}, {"tags": "t2"}]})"),
      J(R"({"meta.k": {"$gt": 2}})"),
      J(R"({"$nor": [{"status": "s2"}], "tags": {"$exists": true}})"),
      J(R"({"$id": {"$lt": "o50"}, "total": {"$lt": "3.00"}})"),
      J(R"({"meta": {"$exists": true}, "status": {"$ne": "s0"}})"),
      J(R"({"$type": "Order", "meta": {"$exists": false}})"),
      J(R"({"customer": {"$exists": true}, "total": {"$gte": "4.00"}})"),
  };
  auto matches = [&](const Value& f, const Value& doc) {
    return query::Filter::Parse(f)->Matches(doc);
  };
  auto user_fields = [](const Value& d) {
    Value out = Value::MakeObject();
    for (const auto& [k, v] : d.as_object()) {
      if (k == "status" || k == "total" || k == "tags" || k == "meta" || k == "customer" ||
          k == "$id" ||
          k == "$type") {
        out.Set(k, v);
      }
    }
    return out;
  };
  for (int step = 0; step < 900; step++) {
    const std::string id = "o" + std::to_string(rng() % 90);
    const int op = static_cast<int>(rng() % 10);
    Value doc = Value::MakeObject();
    doc.Set("status", Value::String("s" + std::to_string(rng() % 4)));
    doc.Set("total", Value::String(std::to_string(rng() % 10) + ".50"));
    if (rng() % 3 == 0) {
      doc.Set("tags", J(("[\"t" + std::to_string(rng() % 3) + "\"]").c_str()));
    }
    if (rng() % 3 == 0) doc.Set("meta", Value());  // explicit null (variant: JSON null)
    if (rng() % 3 == 0) doc.Set("customer", Value());  // explicit null (listed in $nulls)
    if (rng() % 3 == 0) doc.Set("meta", J(("{\"k\": " + std::to_string(rng() % 5) + "}").c_str()));
    if (op < 5) {
      Value ins = doc;
      ins.Set("$id", Value::String(id));
      auto r = db_->Insert("Order", ins);
      ASSERT_EQ(r.ok(), ref.count(id) == 0) << r.status().ToString();
      if (r.ok()) ref[id] = user_fields(*r);
    } else if (op < 8) {
      auto r = db_->Update("Order", id, doc);
      ASSERT_EQ(r.ok(), ref.count(id) == 1) << r.status().ToString();
      if (r.ok()) ref[id] = user_fields(*r);
    } else if (op < 9) {
      ASSERT_EQ(db_->Delete("Order", id).ok(), ref.count(id) == 1);
      ref.erase(id);
    } else if (rng() % 5 == 0) {
      Open();  // empties the decoded-row cache
    }
    if (step % 45 != 0 && step != 899) continue;
    Open();  // no decoded row groups cached: pass 0 reads every row group in two phases
    // Filtered finds first (row groups not yet cached take the two-phase path), then
    // the unfiltered find fills the cache, then the filtered finds again.
    for (int pass = 0; pass < 2; pass++) {
      for (const Value& f : filters) {
        auto got = db_->Find("Order", f, {});
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        std::vector<std::string> got_docs, want_docs;
        for (const Value& d : *got) got_docs.push_back(user_fields(d).ToJsonString());
        for (const auto& [rid, d] : ref) {
          if (matches(f, d)) want_docs.push_back(d.ToJsonString());
        }
        std::sort(got_docs.begin(), got_docs.end());
        std::sort(want_docs.begin(), want_docs.end());
        ASSERT_EQ(got_docs, want_docs) << "step " << step << " pass " << pass << " filter "
                                       << f.ToJsonString();
      }
      if (pass == 0) {
        ASSERT_EQ(db_->Find("Order", Value(), {})->size(), ref.size());
      }
    }
  }
}

// Crash at every file-system operation of a workload: after recovery, every
// acknowledged write is present and nothing else is, except possibly the one
// write that was in flight when the crash hit.
TEST_F(DBTest, CrashAtEveryOperationLosesNoAcknowledgedWrite) {
  std::unique_ptr<FaultInjectionEnv> fenv_holder;
  auto fresh_env = [&]() -> FaultInjectionEnv& {
    std::filesystem::remove_all(dir_);
    fenv_holder = std::make_unique<FaultInjectionEnv>(Env::Default());
    fenv_holder->SetForwardSyncs(false);
    options_.env = fenv_holder.get();
    return *fenv_holder;
  };
  options_.sync = true;
  options_.auto_flush_events = 4;
  options_.auto_compact_files = 3;
  // Count the operations of one full run first.
  auto workload = [&](DB* db, std::map<std::string, int>* acked, std::string* inflight) {
    for (int i = 0; i < 14; i++) {
      std::string id = "c" + std::to_string(i % 6);
      *inflight = id;
      Status s;
      if (acked->count(id)) {
        std::string upd = R"({"name": "n)" + std::to_string(i) + R"("})";
        s = db->Update("Customer", id, J(upd.c_str())).status();
        if (s.ok()) (*acked)[id] = i;
      } else {
        std::string doc =
            R"({"$id": ")" + id + R"(", "name": "n)" + std::to_string(i) + R"(", "email": "e"})";
        s = db->Insert("Customer", J(doc.c_str())).status();
        if (s.ok()) (*acked)[id] = i;
      }
      if (!s.ok()) return;
      inflight->clear();
    }
  };
  uint64_t total_ops;
  {
    FaultInjectionEnv& fenv = fresh_env();
    auto db = DB::Open(options_, schema_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    std::map<std::string, int> acked;
    std::string inflight;
    workload(db->get(), &acked, &inflight);
    ASSERT_EQ(acked.size(), 6u);
    total_ops = fenv.OpCount();
    db->reset();
  }
  ASSERT_GT(total_ops, 20u);
  for (uint64_t k = 0; k < total_ops; k++) {
    FaultInjectionEnv& fenv = fresh_env();
    std::map<std::string, int> acked;
    std::string inflight;
    {
      fenv.FailAfter(k, FaultInjectionEnv::FaultKind::kCrash);
      auto db = DB::Open(options_, schema_);
      if (db.ok()) workload(db->get(), &acked, &inflight);
    }
    Status crashed = fenv.Crash();
    ASSERT_TRUE(crashed.ok()) << crashed.ToString();
    auto db = DB::Open(options_, schema_);
    ASSERT_TRUE(db.ok()) << "crash point " << k << ": " << db.status().ToString();
    auto all = (*db)->Find("Customer", Value(), {});
    ASSERT_TRUE(all.ok()) << "crash point " << k << ": " << all.status().ToString();
    std::map<std::string, std::string> got;
    for (const Value& d : *all) got[d.Find("$id")->as_string()] = d.Find("name")->as_string();
    for (const auto& [id, i] : acked) {
      ASSERT_TRUE(got.count(id)) << "crash point " << k << " lost " << id;
      if (id != inflight) {
        EXPECT_EQ(got[id], "n" + std::to_string(i)) << "crash point " << k;
      }
    }
    for (const auto& [id, name] : got) {
      EXPECT_TRUE(acked.count(id) || id == inflight) << "crash point " << k << " invented " << id;
    }
  }
}

TEST_F(DBTest, ProgressReportsOfLongOperations) {
  struct Report {
    std::string operation, target, unit;
    int64_t done, total, removed;
  };
  std::vector<Report> reports;
  options_.progress = [&](const Progress& p) {
    reports.push_back({std::string(p.operation), std::string(p.target), std::string(p.unit),
                       p.done, p.total, p.removed});
  };
  options_.row_group_rows = 1000;
  options_.auto_flush_events = 0;
  options_.auto_compact_files = 0;
  options_.run_scheduler = false;
  schema_.Set("PaidOrders", J(R"({"$from": "Order", "$filter": {"status": "paid"},
      "$refresh": {"mode": "manual"}})"));
  Open();
  auto of = [&](std::string_view op) {
    std::vector<Report> out;
    for (const Report& r : reports) {
      if (r.operation == op) out.push_back(r);
    }
    return out;
  };
  auto orders = [&](int n, int from) {
    std::vector<Value> docs;
    for (int i = 0; i < n; i++) {
      Value d = Value::MakeObject();
      d.Set("total", J("\"1.00\""));
      d.Set("status", Value::String(i % 3 == 0 ? "paid" : "open"));
      d.Set("$id", Value::String("o" + std::to_string(from + i)));
      docs.push_back(std::move(d));
    }
    return docs;
  };
  // Monotonic done, ending with done == total.
  auto check = [](const std::vector<Report>& rs) {
    ASSERT_FALSE(rs.empty());
    for (size_t i = 1; i < rs.size(); i++) EXPECT_GE(rs[i].done, rs[i - 1].done);
    EXPECT_EQ(rs.back().done, rs.back().total);
  };

  reports.clear();
  ASSERT_TRUE(db_->InsertMany("Order", orders(10000, 0)).ok());
  auto w = of("write");
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].done, 4096);
  EXPECT_EQ(w[1].done, 8192);
  EXPECT_EQ(w[2].done, 10000);
  EXPECT_EQ(w[2].total, 10000);
  EXPECT_EQ(w[2].unit, "documents");

  reports.clear();
  ASSERT_TRUE(db_->Flush().ok());  // file A: 10 row groups of Order
  auto f = of("flush");
  check(f);
  EXPECT_EQ(f.back().done, 10000);
  EXPECT_EQ(std::count_if(f.begin(), f.end(), [](const Report& r) { return r.target == "Order"; }),
            10);
  ASSERT_TRUE(db_->InsertMany("Order", orders(5000, 10000)).ok());
  ASSERT_TRUE(db_->Flush().ok());  // file B

  reports.clear();
  ASSERT_TRUE(db_->Compact().ok());  // A + B -> C
  auto c = of("compact");
  check(c);
  EXPECT_EQ(c.size(), 15u);  // one report per input row group
  EXPECT_EQ(c.back().done, 15000);
  EXPECT_EQ(c.back().target, "Order");

  reports.clear();
  RefreshViewOptions full;
  full.full = true;
  ASSERT_TRUE(db_->RefreshView("PaidOrders", full).ok());
  auto r = of("refresh");
  check(r);
  ASSERT_EQ(r.size(), 5u);  // the start, 4096, 8192, 12288, then the end
  EXPECT_EQ(r[0].done, 0);
  EXPECT_EQ(r[0].total, 15000);  // the estimate from the data files
  EXPECT_EQ(r[1].done, 4096);
  EXPECT_EQ(r.back().done, 15000);
  EXPECT_EQ(r.back().target, "PaidOrders");

  ASSERT_TRUE(db_->InsertMany("Order", orders(10, 20000)).ok());
  ASSERT_TRUE(db_->Flush().ok());  // file D; manifests: C+D current, C kept as the horizon
  clock_.AdvanceMicros(10000000);
  reports.clear();
  ASSERT_TRUE(db_->Vacuum(0).ok());
  auto v = of("vacuum");
  check(v);
  EXPECT_EQ(v.back().unit, "files");
  EXPECT_EQ(v.back().removed, 2);  // A and B
  EXPECT_EQ(*db_->Count("Order", Value()), 15010);
}

}  // namespace
}  // namespace parquedb
