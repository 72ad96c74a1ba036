// DB-level tests of materialized views: streaming maintenance inside writes (checked
// against the independent reference interpreter of src/views after every batch, across
// flushes, compactions and reopens), refresh modes with a ManualClock, lineage and
// ViewState, validation, persistence of Register/Alter/Drop, and crash safety.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "catalog/catalog.h"
#include "common/fault_injection_env.h"
#include "parquedb/db.h"
#include "views/reference_interpreter_test.h"

namespace parquedb {
namespace {

Value J(std::string_view text) {
  auto v = Value::ParseJson(text);
  EXPECT_TRUE(v.ok()) << v.status().ToString() << " in " << text;
  return v.ok() ? std::move(v).value() : Value();
}

std::map<std::string, Value> RowsOf(DB* db, std::string_view name) {
  std::map<std::string, Value> out;
  auto r = db->Find(name, Value(), {});
  EXPECT_TRUE(r.ok()) << name << ": " << r.status().ToString();
  if (!r.ok()) return out;
  std::vector<Value> docs = std::move(r).value();
  for (Value& d : docs) out.emplace(d.Find("$id")->as_string(), std::move(d));
  return out;
}

int64_t Ts(const char* iso) { return *ParseTimestampMicros(iso); }

class ViewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pq_views_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
            "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    options_.path = dir_.string();
    options_.clock = &clock_;
    options_.sync = false;
    options_.run_scheduler = false;
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open(const Value& schema) {
    db_.reset();
    auto r = DB::Open(options_, schema);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    db_ = std::move(r).value();
  }
  void Reopen() {
    db_.reset();
    auto r = DB::Open(options_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    db_ = std::move(r).value();
  }
  std::map<std::string, Value> Rows(std::string_view view, std::optional<int64_t> as_of = {}) {
    FindOptions fo;
    fo.as_of = as_of;
    auto r = db_->Find(view, Value(), fo);
    EXPECT_TRUE(r.ok()) << view << ": " << r.status().ToString();
    std::map<std::string, Value> out;
    if (!r.ok()) return out;
    for (Value& d : *r) out.emplace(d.Find("$id")->as_string(), std::move(d));
    return out;
  }
  ViewState State(std::string_view view) {
    auto s = db_->GetViewState(view);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : ViewState();
  }

  std::filesystem::path dir_;
  ManualClock clock_{Ts("2024-03-01T10:00:00Z")};
  Options options_;
  std::unique_ptr<DB> db_;
};

constexpr const char* kShop = R"J({
  "Customer": {"name": "string!", "tier": "string?"},
  "Order": {"total": "decimal(10,2)!", "status": "string!", "customer": "-> Customer",
            "items": "<- OrderItem[]"},
  "OrderItem": {"sku": "string!", "qty": "int!", "order": "-> Order"},
  "PaidOrders": {"$from": "Order", "$filter": {"status": "paid"}, "$type": "PaidOrder"},
  "OrderCustomers": {"$from": "Order", "$expand": ["customer", "items"]},
  "SalesByStatus": {"$from": "Order", "$groupBy": ["status"],
                    "$compute": {"n": {"$count": "*"}, "revenue": {"$sum": "total"}}},
  "BigStatuses": {"$from": "SalesByStatus", "$filter": {"n": {"$gte": 2}}}
})J";

TEST_F(ViewsTest, StreamingViewsAreReadLikeCollections) {
  Open(J(kShop));
  ASSERT_TRUE(db_->Insert("Customer", J(R"({"$id": "c1", "name": "Ann", "tier": "gold"})")).ok());
  ASSERT_TRUE(db_->Insert("Order", J(R"({"$id": "o1", "total": "10.00", "status": "paid", "customer": "c1"})")).ok());
  ASSERT_TRUE(db_->Insert("Order", J(R"({"$id": "o2", "total": "5.50", "status": "new", "customer": "c1"})")).ok());
  ASSERT_TRUE(db_->Insert("OrderItem", J(R"({"$id": "i1", "sku": "pen", "qty": 2, "order": "o1"})")).ok());

  // By name and by $type, Get/Find/Count, with filter, sort, limit, skip, project.
  auto paid = db_->Find("PaidOrders", Value(), {});
  ASSERT_TRUE(paid.ok()) << paid.status().ToString();
  ASSERT_EQ(paid->size(), 1u);
  EXPECT_EQ((*paid)[0].Find("$id")->as_string(), "o1");
  EXPECT_EQ(*db_->Count("PaidOrder", Value()), 1);
  auto got = db_->Get("PaidOrders", "o1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->Find("status")->as_string(), "paid");
  EXPECT_TRUE(db_->Get("PaidOrders", "o2").status().IsNotFound());
  FindOptions fo;
  fo.sort = J(R"({"revenue": -1})");
  fo.limit = 1;
  fo.project = J(R"({"status": 1, "revenue": 1})");
  auto top = db_->Find("SalesByStatus", Value(), fo);
  ASSERT_TRUE(top.ok()) << top.status().ToString();
  ASSERT_EQ(top->size(), 1u);
  EXPECT_EQ((*top)[0].Find("status")->as_string(), "paid");
  EXPECT_EQ((*top)[0].Find("n"), nullptr);
  fo = FindOptions();
  fo.skip = 1;
  fo.sort = J(R"({"status": 1})");
  auto skipped = db_->Find("SalesByStatus", J(R"({"n": {"$gte": 1}})"), fo);
  ASSERT_TRUE(skipped.ok());
  ASSERT_EQ(skipped->size(), 1u);
  EXPECT_EQ((*skipped)[0].Find("status")->as_string(), "paid");

  // Related change: the customer's tier flows into the expanded order rows.
  auto oc = db_->Get("OrderCustomers", "o1");
  ASSERT_TRUE(oc.ok());
  EXPECT_EQ(oc->Find("customer_tier")->as_string(), "gold");
  ASSERT_TRUE(db_->Update("Customer", "c1", J(R"({"tier": "silver"})")).ok());
  EXPECT_EQ(db_->Get("OrderCustomers", "o1")->Find("customer_tier")->as_string(), "silver");
  EXPECT_EQ(db_->Get("OrderCustomers", "o2")->Find("customer_tier")->as_string(), "silver");
  // Reverse relation: a new item shows up in its order's row.
  ASSERT_TRUE(db_->Insert("OrderItem", J(R"({"$id": "i2", "sku": "ink", "qty": 1, "order": "o1"})")).ok());
  EXPECT_EQ(db_->Get("OrderCustomers", "o1")->Find("items_sku")->ToJsonString(), R"(["pen","ink"])");

  // Updates and deletes are weighted; MV over MV cascades in the same write.
  EXPECT_TRUE(db_->Find("BigStatuses", Value(), {})->empty());
  ASSERT_TRUE(db_->Update("Order", "o2", J(R"({"status": "paid"})")).ok());
  EXPECT_EQ(db_->Get("SalesByStatus", R"(["paid"])")->Find("revenue")->ToJsonString(), R"("15.50")");
  EXPECT_EQ(db_->Find("BigStatuses", Value(), {})->size(), 1u);
  ASSERT_TRUE(db_->Delete("Order", "o1").ok());
  EXPECT_EQ(db_->Get("SalesByStatus", R"(["paid"])")->Find("n")->as_int(), 1);
  EXPECT_TRUE(db_->Find("BigStatuses", Value(), {})->empty());

  // Views are read-only.
  auto w = db_->Insert("PaidOrders", J(R"({"total": "1.00", "status": "paid"})"));
  EXPECT_TRUE(w.status().IsInvalidArgument());
  EXPECT_NE(w.status().message().find("PaidOrders is a view"), std::string::npos)
      << w.status().ToString();
  EXPECT_TRUE(db_->Delete("SalesByStatus", R"(["paid"])").IsInvalidArgument());

  // State.
  ViewState st = State("SalesByStatus");
  EXPECT_EQ(st.state, "fresh");
  EXPECT_EQ(st.mode, "streaming");
  EXPECT_EQ(st.rows, 1);
  uint64_t last_order_seq = 0;
  auto changes = db_->ReadChanges(1, 100000);
  ASSERT_TRUE(changes.ok());
  std::vector<ChangeEvent> all_changes = std::move(changes).value();
  for (const ChangeEvent& e : all_changes) {
    if (e.collection == "Order") last_order_seq = e.seq;
  }
  EXPECT_EQ(st.source_snapshots.at("Order"), last_order_seq) << st.ToJson().ToJsonString();
  EXPECT_TRUE(st.incremental);
  EXPECT_EQ(db_->ListViews().size(), 4u);

  // Time travel on a view is exact: before the delete of o1.
  std::map<std::string, Value> now = Rows("OrderCustomers");
  EXPECT_EQ(now.size(), 1u);
  ASSERT_TRUE(db_->Flush().ok());
  clock_.AdvanceMicros(1000000);
  int64_t before_delete = clock_.NowMicros();
  clock_.AdvanceMicros(1000000);
  ASSERT_TRUE(db_->Delete("Order", "o2").ok());
  EXPECT_TRUE(Rows("OrderCustomers").empty());
  EXPECT_EQ(Rows("OrderCustomers", before_delete).size(), 1u);

  // Everything survives a reopen (and is not rebuilt).
  Reopen();
  EXPECT_TRUE(Rows("OrderCustomers").empty());
  EXPECT_EQ(Rows("SalesByStatus").size(), 0u);
  ASSERT_TRUE(db_->Insert("Order", J(R"({"$id": "o3", "total": "1.00", "status": "paid", "customer": "c1"})")).ok());
  EXPECT_EQ(db_->Get("SalesByStatus", R"(["paid"])")->Find("n")->as_int(), 1);
  EXPECT_EQ(db_->Get("OrderCustomers", "o3")->Find("customer_tier")->as_string(), "silver");
  st = State("OrderCustomers");
  EXPECT_EQ(st.state, "fresh");
  EXPECT_EQ(st.reason.find("rebuilt"), std::string::npos) << st.reason;
}

constexpr std::string_view kPropertySchema = R"json({
  "Category": {"title": "string?"},
  "Product": {"name": "string!", "price": "decimal(10,2)!", "category": "-> Category"},
  "Address": {"city": "string?", "zip": "string?"},
  "Customer": {"name": "string!", "tier": "string?", "score": "int?", "address": "-> Address"},
  "Order": {
    "total": "decimal(10,2)!",
    "status": "string!",
    "customer": "-> Customer",
    "items": "<- OrderItem[]",
    "amount": "float?",
    "qty": "int?",
    "tags": "variant[]",
    "note": "variant?",
    "day": "date?",
    "when": "timestamp?",
    "flags": "-> Category[]"
  },
  "OrderItem": {
    "quantity": "int!",
    "price": "decimal(10,2)!",
    "product": "-> Product",
    "order": "-> Order"
  },

  "OrderFlat": {
    "$from": "Order",
    "$expand": ["customer", "customer.address", "items.product", "items.product.category", "flags"],
    "$flatten": {"customer": "buyer", "customer.address": "ship"},
    "$compute": {
      "totalItems": {"$count": "items"},
      "orderValue": {"$sum": "items.price"},
      "maxQty": {"$max": "items.quantity"},
      "firstProduct": {"$first": "items.product.name"},
      "lastProduct": {"$last": "items.product.name"},
      "qtyVar": {"$variance": "items.quantity"}
    }
  },
  "OrderSelect": {
    "$from": "Order",
    "$filter": {"$or": [{"status": {"$ne": "cancelled"}}, {"customer.tier": "gold"}]},
    "$select": {
      "status": "$status",
      "tier": "$customer.tier",
      "city": "$customer.address.city",
      "big": {"$gt": ["$total", 50]},
      "hasNote": {"$exists": "$note"},
      "amt2": {"$multiply": ["$amount", 2]},
      "ratio": {"$divide": ["$qty", "$customer.score"]},
      "label": {"$cond": [{"$and": [{"$gte": ["$qty", 3]}, {"$not": [{"$eq": ["$status", "new"]}]}]}, "bulk", "single"]},
      "noteOr": {"$ifNull": ["$note", "none"]},
      "plus": {"$add": ["$total", "$qty"]},
      "minus": {"$subtract": ["$total", 1]},
      "early": {"$lt": ["$when", "2024-03-31T00:00:00Z"]},
      "itemNames": "$items.product.name",
      "firstItemPrice": "$items.0.price"
    },
    "$compute": {"nItems": {"$count": "items"}}
  },
  "DailyStats": {
    "$from": "Order",
    "$groupBy": [{"date": "$createdAt"}, "status"],
    "$compute": {
      "n": {"$count": "*"},
      "revenue": {"$sum": "total"},
      "avgTotal": {"$avg": "total"},
      "minTotal": {"$min": "total"},
      "maxTotal": {"$max": "total"},
      "firstNote": {"$first": "note"},
      "lastTotal": {"$last": "total"},
      "qtyStd": {"$stddev": "qty"},
      "qtyVarS": {"$varianceSamp": "qty"},
      "amtStdS": {"$stddevSamp": "amount"},
      "amtVar": {"$variance": "amount"},
      "totVar": {"$variance": "total"},
      "amtSum": {"$sum": "amount"},
      "amtAvg": {"$avg": "amount"},
      "qtySum": {"$sum": "qty"},
      "noteCount": {"$count": "note"},
      "withNote": {"$sum": {"$cond": [{"$exists": "$note"}, 1, 0]}}
    }
  },
  "TierMonthly": {
    "$from": "Order",
    "$expand": ["items.product"],
    "$groupBy": ["customer.tier", {"month": "$when"}],
    "$compute": {
      "n": {"$count": "*"},
      "itemRevenue": {"$sum": "items.price"},
      "itemCount": {"$count": "items"},
      "minName": {"$min": "items.product.name"},
      "maxName": {"$max": "items.product.name"},
      "avgAmount": {"$avg": "amount"},
      "lastCity": {"$last": "customer.address.city"},
      "firstCat": {"$first": "items.product.category.title"}
    },
    "$refresh": {"timezone": "Europe/Berlin"}
  },
  "OrderTags": {
    "$from": "Order",
    "$unnest": "tags",
    "$filter": {"tags": {"$ne": null}},
    "$select": {
      "tag": "$tags",
      "tagName": "$tags.name",
      "status": "$status",
      "total": "$total",
      "day": "$day",
      "when": "$when"
    }
  },
  "TagStats": {
    "$from": "Order",
    "$unnest": "tags",
    "$groupBy": [{"tag": "$tags.name"}],
    "$compute": {
      "n": {"$count": "*"},
      "firstStatus": {"$first": "status"},
      "lastTotal": {"$last": "total"},
      "totalSum": {"$sum": "total"},
      "weights": {"$sum": "tags.w"},
      "minW": {"$min": "tags.w"}
    }
  },
  "WeeklyTags": {
    "$from": "OrderTags",
    "$groupBy": ["status", {"week": "$when"}],
    "$compute": {
      "n": {"$count": "*"},
      "totals": {"$sum": "total"},
      "firstTag": {"$first": "tagName"},
      "lastTag": {"$last": "tagName"},
      "maxTotal": {"$max": "total"}
    },
    "$refresh": {"timezone": "Europe/Berlin"}
  },
  "Buckets": {
    "$from": "Order",
    "$groupBy": [{"hour": "$when"}, {"week": "$createdAt"}, {"year": "$day"}, {"day": "$note"}, {"minute": "$day"}],
    "$compute": {"n": {"$count": "*"}, "s": {"$sum": "qty"}},
    "$refresh": {"timezone": "Europe/Berlin"}
  },
  "ItemStats": {
    "$from": "OrderItem",
    "$expand": ["order.customer", "product"],
    "$groupBy": ["order.customer.tier", {"cat": "$product.category.title"}],
    "$compute": {
      "n": {"$count": "*"},
      "qty": {"$sum": "quantity"},
      "rev": {"$sum": {"$multiply": ["$price", "$quantity"]}},
      "avgP": {"$avg": "product.price"},
      "maxName": {"$max": "product.name"},
      "firstOrderStatus": {"$first": "order.status"}
    }
  },
  "Errors": {
    "$from": "Order",
    "$filter": {"$or": [{"status": {"$ne": "ok"}}, {"tags.0": {"$exists": true}}]}
  },
  "FlatItems": {
    "$from": "Order",
    "$expand": ["items.product"],
    "$unnest": "items",
    "$filter": {"items.quantity": {"$gte": 2}},
    "$compute": {"n": {"$count": "items"}, "lineTotal": {"$sum": {"$multiply": ["$items.price", "$items.quantity"]}}}
  },
  "Global": {
    "$from": "Order",
    "$groupBy": [],
    "$compute": {"n": {"$count": "*"}, "s": {"$sum": "total"}, "sd": {"$stddevSamp": "total"}, "lastStatus": {"$last": "status"}}
  },
  "ErrorsBig": {"$from": "Errors", "$filter": {"qty": {"$gte": 2}}},
  "WeeklyStats": {
    "$from": "DailyStats",
    "$groupBy": [{"week": "$date"}],
    "$compute": {"total": {"$sum": "n"}, "rev": {"$sum": "revenue"}, "firstStatus": {"$first": "status"}, "maxAvg": {"$max": "avgTotal"}}
  }
})json";


// ---------------------------------------------------------------------------
// Differential test: random batches through the DB vs the reference interpreter.

class DocGen {
 public:
  explicit DocGen(uint64_t seed) : rng_(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(int percent) { return Int(0, 99) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Int(0, static_cast<int>(v.size()) - 1))];
  }
  Value Timestamp() {
    static const std::vector<std::string> kTimes = {
        "2023-12-31T22:30:00Z", "2024-01-31T23:15:00Z", "2024-03-30T23:30:00Z",
        "2024-03-31T00:59:59Z", "2024-03-31T01:00:00Z", "2024-10-27T00:30:00Z",
        "2024-10-27T01:30:00Z"};
    return Value::Timestamp(*ParseTimestampMicros(Pick(kTimes)));
  }
  Value Date() {
    static const std::vector<std::string> kDays = {"2023-12-31", "2024-01-01", "2024-03-31",
                                                   "2025-01-05"};
    return Value::Date(*ParseDateDays(Pick(kDays)));
  }
  Value Money() { return Value::Dec(Decimal{Int(0, 99999), 2}); }
  Value Amount() {
    static const std::vector<double> kAmounts = {0.1, 0.2, 12.5, -3.25, 1e6 + 0.1, 7.0, 1.0 / 3};
    return Value::Double(Pick(kAmounts));
  }
  void Maybe(Value* o, const std::string& name, const Value& v, int missing, int null) {
    const int r = Int(0, 99);
    if (r < missing) return;
    o->Set(name, r < missing + null ? Value() : v);
  }
  // The user fields of a random document.
  Value Make(const std::string& coll) {
    Value o = Value::MakeObject();
    if (coll == "Category") {
      Maybe(&o, "title", Value::String(Pick(std::vector<std::string>{"Tools", "Toys", "Food"})), 20, 10);
    } else if (coll == "Product") {
      o.Set("name", Value::String(Pick(std::vector<std::string>{"Pen", "Ink", "Cup", "Axe"})));
      o.Set("price", Money());
      Maybe(&o, "category", Value::String("cat" + std::to_string(Int(0, 4))), 20, 5);
    } else if (coll == "Address") {
      Maybe(&o, "city", Value::String(Pick(std::vector<std::string>{"Berlin", "Paris", "Oslo"})), 20, 10);
      Maybe(&o, "zip", Value::String(std::to_string(Int(10000, 10003))), 30, 10);
    } else if (coll == "Customer") {
      o.Set("name", Value::String(Pick(std::vector<std::string>{"Ann", "Bob", "Cy"})));
      Maybe(&o, "tier", Value::String(Pick(std::vector<std::string>{"gold", "silver"})), 15, 15);
      Maybe(&o, "score", Value::Int(Int(0, 3)), 15, 10);
      Maybe(&o, "address", Value::String("a" + std::to_string(Int(0, 4))), 20, 5);
    } else if (coll == "Order") {
      o.Set("total", Money());
      o.Set("status", Value::String(Pick(std::vector<std::string>{"new", "ok", "cancelled", "ok"})));
      Maybe(&o, "customer", Value::String("c" + std::to_string(Int(0, 5))), 15, 5);
      Maybe(&o, "amount", Amount(), 25, 10);
      Maybe(&o, "qty", Value::Int(Int(0, 5)), 20, 10);
      if (!Chance(15)) {
        Value::Array tags;
        const int n = Int(0, 3);
        for (int i = 0; i < n; ++i) {
          const int kind = Int(0, 9);
          if (kind == 0) {
            tags.push_back(Value::String("loose"));
          } else {
            Value t = Value::MakeObject();
            Maybe(&t, "name", Value::String(Pick(std::vector<std::string>{"a", "b", "c"})), 10, 5);
            if (Chance(50)) {
              Maybe(&t, "w", Value::Int(Int(-2, 5)), 10, 10);
            } else {
              Maybe(&t, "w", Value::Double(Int(-20, 50) / 4.0), 10, 10);
            }
            tags.push_back(std::move(t));
          }
        }
        o.Set("tags", Value::MakeArray(std::move(tags)));
      }
      const int note = Int(0, 4);
      if (note == 1) o.Set("note", Value());
      if (note == 2) o.Set("note", Value::String(Pick(std::vector<std::string>{"rush", "gift"})));
      if (note == 3) o.Set("note", Value::String("2024-03-31T00:30:00+02:00"));
      if (note == 4) o.Set("note", Value::Int(Int(0, 3)));
      Maybe(&o, "day", Date(), 20, 10);
      Maybe(&o, "when", Timestamp(), 20, 10);
      if (Chance(60)) {
        Value::Array flags;
        const int n = Int(0, 2);
        for (int i = 0; i < n; ++i) flags.push_back(Value::String("cat" + std::to_string(Int(0, 4))));
        o.Set("flags", Value::MakeArray(std::move(flags)));
      }
    } else if (coll == "OrderItem") {
      o.Set("quantity", Value::Int(Int(1, 5)));
      o.Set("price", Money());
      Maybe(&o, "product", Value::String("p" + std::to_string(Int(0, 6))), 10, 5);
      Maybe(&o, "order", Value::String("o" + std::to_string(Int(0, 15))), 5, 5);
    }
    return o;
  }

 private:
  std::mt19937_64 rng_;
};

const std::vector<std::string> kOptionalFields = {
    "title", "category", "city", "zip", "tier", "score", "address", "customer", "amount",
    "qty", "tags", "note", "day", "when", "flags", "product", "order"};

// Every view's rows must equal the reference interpreter's over the DB's documents.
void CheckAllViews(DB* db, const catalog::Catalog& cat, const std::string& where) {
  views::reference::Store store;
  for (const catalog::CollectionDef& c : cat.collections()) {
    auto docs = db->Find(c.name(), Value(), {});
    ASSERT_TRUE(docs.ok()) << docs.status().ToString();
    store[c.name()] = std::move(*docs);
  }
  for (const catalog::ViewDef& v : cat.views()) {
    auto expected = views::reference::ComputeView(cat, v.name(), store);
    ASSERT_TRUE(expected.ok()) << expected.status().ToString();
    auto rows = db->Find(v.name(), Value(), {});
    ASSERT_TRUE(rows.ok()) << v.name() << ": " << rows.status().ToString();
    std::map<std::string, Value> actual;
    for (Value& r : *rows) actual.emplace(r.Find("$id")->as_string(), std::move(r));
    std::string diff = views::reference::DiffOutputs(*expected, actual);
    ASSERT_EQ(diff, "") << where << ", view " << v.name();
  }
}

// `projection` (optional): the $projection of every view ("olap", "oltp", "both").
void RunDifferential(ViewsTest* t, Options options, uint64_t seed, int batches,
                     int reopen_every, const char* projection = nullptr) {
  auto schema = Value::ParseJson(kPropertySchema);
  ASSERT_TRUE(schema.ok());
  if (projection != nullptr) {
    Value with = Value::MakeObject();
    for (const auto& [k, v] : schema->as_object()) {
      Value d = v;
      if (d.kind() == Value::Kind::kObject && d.Find("$from") != nullptr) {
        d.Set("$projection", Value::String(projection));
      }
      with.Set(k, d);
    }
    schema = std::move(with);
  }
  auto cat = catalog::Catalog::Parse(*schema);
  ASSERT_TRUE(cat.ok());
  std::filesystem::remove_all(options.path);
  auto opened = DB::Open(options, *schema);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<DB> db = std::move(opened).value();
  DocGen gen(seed);
  ManualClock* clock = static_cast<ManualClock*>(options.clock);
  static const std::vector<std::pair<std::string, int>> kColls = {
      {"Order", 40}, {"OrderItem", 25}, {"Customer", 12}, {"Product", 10}, {"Address", 6},
      {"Category", 7}};
  static const std::map<std::string, std::pair<std::string, int>> kPools = {
      {"Order", {"o", 15}},  {"OrderItem", {"i", 25}}, {"Customer", {"c", 6}},
      {"Product", {"p", 6}}, {"Address", {"a", 5}},    {"Category", {"cat", 4}}};
  std::map<std::string, std::set<std::string>> live;
  for (int b = 0; b < batches; b++) {
    clock->AdvanceMicros(int64_t{gen.Int(0, 30)} * 3600 * 1000000);
    WriteBatch batch;
    std::map<std::string, std::set<std::string>> next = live;
    std::set<std::pair<std::string, std::string>> touched;
    const int n = gen.Int(1, 6);
    for (int k = 0; k < n; k++) {
      int r = gen.Int(0, 99);
      std::string coll;
      for (const auto& [c, w] : kColls) {
        if (r < w) {
          coll = c;
          break;
        }
        r -= w;
      }
      const auto& [prefix, size] = kPools.at(coll);
      const std::string id = prefix + std::to_string(gen.Int(0, size - 1));
      if (!touched.insert({coll, id}).second) continue;
      if (!next[coll].count(id)) {
        Value doc = gen.Make(coll);
        doc.Set("$id", Value::String(id));
        batch.Insert(coll, doc);
        next[coll].insert(id);
      } else if (gen.Chance(70)) {
        Value doc = gen.Make(coll);
        Value unset = Value::MakeObject();
        for (const std::string& f : kOptionalFields) {
          const catalog::FieldDef* fd = cat->FindCollection(coll)->FindField(f);
          if (doc.Find(f) == nullptr && fd != nullptr && fd->type.is_stored()) {
            unset.Set(f, Value::Int(1));
          }
        }
        Value update = Value::MakeObject();
        update.Set("$set", doc);
        if (!unset.as_object().empty()) update.Set("$unset", unset);
        batch.Update(coll, id, update);
      } else {
        batch.Delete(coll, id);
        next[coll].erase(id);
      }
    }
    Status s = db->Write(batch, nullptr);
    ASSERT_TRUE(s.ok()) << "seed " << seed << " batch " << b << ": " << s.ToString();
    live = std::move(next);
    CheckAllViews(db.get(), *cat, "seed " + std::to_string(seed) + " batch " + std::to_string(b));
    if (::testing::Test::HasFatalFailure()) return;
    if (reopen_every > 0 && b % reopen_every == reopen_every - 1) {
      db.reset();
      auto re = DB::Open(options);
      ASSERT_TRUE(re.ok()) << re.status().ToString();
      db = std::move(re).value();
      CheckAllViews(db.get(), *cat, "after reopen, seed " + std::to_string(seed));
      if (::testing::Test::HasFatalFailure()) return;
      for (const ViewState& st : db->ListViews()) {
        EXPECT_EQ(st.state, "fresh") << st.ToJson().ToJsonString();
        EXPECT_EQ(st.reason.find("rebuilt on open"), std::string::npos)
            << st.ToJson().ToJsonString();
      }
    }
  }
  (void)t;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr int kBatches = 120;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr int kBatches = 120;
#else
constexpr int kBatches = 400;
#endif
#else
constexpr int kBatches = 400;
#endif

Options DiffOptions(Options o, int64_t flush_events) {
  o.auto_flush_events = static_cast<uint64_t>(flush_events);
  o.auto_compact_files = 3;
  return o;
}

// Memtable only, with reopens (maintainer state from the log replay).
TEST_F(ViewsTest, DifferentialMemtable) {
  RunDifferential(this, DiffOptions(options_, 0), 1, kBatches, kBatches / 3);
}
// Flushes + compactions of collections and views (Parquet round trips, checkpoints).
TEST_F(ViewsTest, DifferentialWithFlushes) {
  RunDifferential(this, DiffOptions(options_, 2500), 2, kBatches, kBatches / 2);
}
// Frequent reopens between flushes: checkpoint + log replay.
TEST_F(ViewsTest, DifferentialWithReopens) {
  RunDifferential(this, DiffOptions(options_, 1500), 3, kBatches / 2, 23);
}
// Every view columnar ($projection olap: typed columns, $spill, partitioned files) or
// in both layouts, through flushes, compactions and reopens.
TEST_F(ViewsTest, DifferentialOlapWithFlushes) {
  RunDifferential(this, DiffOptions(options_, 1500), 6, kBatches / 2, kBatches / 5, "olap");
}
TEST_F(ViewsTest, DifferentialBothWithFlushes) {
  RunDifferential(this, DiffOptions(options_, 1500), 7, kBatches / 2, kBatches / 5, "both");
}
TEST_F(ViewsTest, DifferentialOltpWithReopens) {
  RunDifferential(this, DiffOptions(options_, 2500), 8, kBatches / 2, 23, "oltp");
}
// The same with the Iceberg / Delta table formats: every flush is also mirrored into
// the lake tables of the collections and views (their content is checked against
// the database in db_lake_test.cc).
TEST_F(ViewsTest, DifferentialWithFlushesIceberg) {
  Options o = DiffOptions(options_, kBatches * 6);  // several flushes, also under ASan
  o.table_format = "iceberg";
  RunDifferential(this, o, 4, kBatches / 2, kBatches / 4);
  // Several flushes reached the iceberg table of a collection.
  EXPECT_TRUE(std::filesystem::exists(dir_ / "iceberg" / "Order" / "metadata" / "v3.metadata.json"));
}
TEST_F(ViewsTest, DifferentialWithFlushesDelta) {
  Options o = DiffOptions(options_, kBatches * 6);  // several flushes, also under ASan
  o.table_format = "delta";
  RunDifferential(this, o, 5, kBatches / 2, kBatches / 4);
  // Several flushes reached the delta table of a collection.
  EXPECT_TRUE(std::filesystem::exists(dir_ / "delta" / "Order" / "_delta_log" / "00000000000000000002.json"));
}

// ---------------------------------------------------------------------------
// Refresh modes, driven by a ManualClock.

constexpr const char* kAI = R"J({
  "AIRequests": {"model": "string!", "tokens": "int!", "at": "timestamp!"},
  "DailyAIUsage": {"$from": "AIRequests", "$groupBy": ["model", {"date": "$at"}],
                   "$compute": {"requests": {"$count": "*"}, "tokens": {"$sum": "tokens"}},
                   "$refresh": {"mode": "scheduled", "schedule": "0 2 * * *",
                                "timezone": "Europe/Berlin", "gracePeriod": "1h"}},
  "WeeklyAIUsage": {"$from": "DailyAIUsage", "$groupBy": ["model", {"week": "$date"}],
                    "$compute": {"requests": {"$sum": "requests"}, "tokens": {"$sum": "tokens"}},
                    "$refresh": {"mode": "scheduled", "schedule": "30 2 * * 1",
                                 "timezone": "Europe/Berlin"}},
  "BigRequests": {"$from": "AIRequests", "$filter": {"tokens": {"$gt": 100}},
                  "$refresh": {"mode": "manual"}},
  "BigByModel": {"$from": "BigRequests", "$groupBy": ["model"], "$compute": {"n": {"$count": "*"}}},
  "RequestLog": {"$from": "AIRequests", "$select": {"model": "$model", "tokens": "$tokens"},
                 "$refresh": {"mode": "manual", "strategy": "append"}}
})J";

TEST_F(ViewsTest, ScheduledManualGraceAndCascade) {
  clock_.SetMicros(Ts("2024-03-01T10:00:00Z"));  // a Friday; Berlin is UTC+1
  Open(J(kAI));
  for (const ViewState& st : db_->ListViews()) {
    EXPECT_EQ(st.state, "fresh") << st.ToJson().ToJsonString();
    EXPECT_EQ(st.reason, "initial build");
  }
  EXPECT_EQ(*State("DailyAIUsage").next_refresh, Ts("2024-03-02T01:00:00Z"));
  EXPECT_EQ(*State("WeeklyAIUsage").next_refresh, Ts("2024-03-04T01:30:00Z"));
  const int64_t t0 = clock_.NowMicros();
  ASSERT_TRUE(db_->InsertMany("AIRequests",
                              {J(R"({"$id": "r1", "model": "gpt", "tokens": 50, "at": "2024-03-01T09:00:00Z"})"),
                               J(R"({"$id": "r2", "model": "gpt", "tokens": 500, "at": "2024-03-01T23:30:00Z"})"),
                               J(R"({"$id": "r3", "model": "claude", "tokens": 700, "at": "2024-03-01T12:00:00Z"})")})
                  .ok());
  // Scheduled: stale, still served (the last refresh: empty), within the grace period.
  ViewState daily = State("DailyAIUsage");
  EXPECT_EQ(daily.state, "stale");
  EXPECT_EQ(*daily.stale_since, t0);
  EXPECT_TRUE(daily.within_grace_period);
  EXPECT_TRUE(Rows("DailyAIUsage").empty());
  clock_.AdvanceMicros(int64_t{2} * 3600 * 1000000);
  daily = State("DailyAIUsage");
  EXPECT_EQ(daily.state, "stale");
  EXPECT_FALSE(daily.within_grace_period);
  EXPECT_TRUE(Rows("DailyAIUsage").empty());

  // Not due yet; then due at 02:00 Berlin.
  clock_.SetMicros(Ts("2024-03-02T00:59:59Z"));
  ASSERT_TRUE(db_->RunDueRefreshes().ok());
  EXPECT_TRUE(Rows("DailyAIUsage").empty());
  clock_.SetMicros(Ts("2024-03-02T01:00:00Z"));
  ASSERT_TRUE(db_->RunDueRefreshes().ok());
  auto rows = Rows("DailyAIUsage");
  ASSERT_EQ(rows.size(), 3u);  // r2 is on 2024-03-02 in Berlin
  EXPECT_EQ(rows.at(R"(["gpt","2024-03-02"])").Find("tokens")->as_int(), 500);
  EXPECT_EQ(rows.at(R"(["gpt","2024-03-01"])").Find("requests")->as_int(), 1);
  daily = State("DailyAIUsage");
  EXPECT_EQ(daily.state, "fresh");
  EXPECT_TRUE(daily.incremental) << daily.reason;
  EXPECT_EQ(*daily.last_refresh, Ts("2024-03-02T01:00:00Z"));
  EXPECT_EQ(*daily.next_refresh, Ts("2024-03-03T01:00:00Z"));
  // Weekly reads Daily: stale now, still empty until Monday 02:30 Berlin.
  EXPECT_EQ(State("WeeklyAIUsage").state, "stale");
  EXPECT_TRUE(Rows("WeeklyAIUsage").empty());

  // Missed runs collapse; Daily (earlier fire time) runs before Weekly.
  ASSERT_TRUE(db_->Insert("AIRequests", J(R"({"$id": "r4", "model": "gpt", "tokens": 5, "at": "2024-03-03T10:00:00Z"})")).ok());
  clock_.SetMicros(Ts("2024-03-04T01:30:00Z"));
  ASSERT_TRUE(db_->RunDueRefreshes().ok());
  auto weekly = Rows("WeeklyAIUsage");
  ASSERT_EQ(weekly.size(), 2u);
  EXPECT_EQ(weekly.at(R"(["gpt","2024-02-26"])").Find("tokens")->as_int(), 555);
  EXPECT_EQ(weekly.at(R"(["claude","2024-02-26"])").Find("requests")->as_int(), 1);
  EXPECT_EQ(State("WeeklyAIUsage").state, "fresh");

  // Manual: only on RefreshView; the streaming view downstream follows in the same step.
  EXPECT_EQ(State("BigRequests").state, "stale");
  EXPECT_TRUE(Rows("BigRequests").empty());
  EXPECT_TRUE(Rows("BigByModel").empty());
  ASSERT_TRUE(db_->RefreshView("BigRequests").ok());
  EXPECT_EQ(Rows("BigRequests").size(), 2u);
  EXPECT_EQ(Rows("BigByModel").size(), 2u);
  EXPECT_EQ(State("BigRequests").state, "fresh");
  EXPECT_TRUE(State("BigRequests").incremental);
  ASSERT_TRUE(db_->Delete("AIRequests", "r3").ok());
  clock_.AdvanceMicros(int64_t{7} * 24 * 3600 * 1000000);
  ASSERT_TRUE(db_->RunDueRefreshes().ok());
  EXPECT_EQ(Rows("BigRequests").size(), 2u);  // manual: untouched by the scheduler
  ASSERT_TRUE(db_->RefreshView("BigRequests", {.full = true}).ok());
  EXPECT_EQ(Rows("BigRequests").size(), 1u);
  EXPECT_EQ(Rows("BigByModel").size(), 1u);
  ViewState big = State("BigRequests");
  EXPECT_FALSE(big.incremental);
  EXPECT_EQ(big.reason, "full refresh requested");

  // Append strategy: inserts only; updates and deletes of the source are not applied.
  ASSERT_TRUE(db_->RefreshView("RequestLog").ok());
  EXPECT_EQ(Rows("RequestLog").size(), 4u);  // r1..r4: the delete of r3 is not applied
  ASSERT_TRUE(db_->Update("AIRequests", "r1", J(R"({"tokens": 51})")).ok());
  ASSERT_TRUE(db_->Delete("AIRequests", "r2").ok());
  ASSERT_TRUE(db_->Insert("AIRequests", J(R"({"$id": "r5", "model": "x", "tokens": 1, "at": "2024-03-05T10:00:00Z"})")).ok());
  ASSERT_TRUE(db_->RefreshView("RequestLog").ok());
  auto log = Rows("RequestLog");
  EXPECT_EQ(log.size(), 5u);
  EXPECT_EQ(log.at("r1").Find("tokens")->as_int(), 50);
  EXPECT_TRUE(log.count("r2"));
  // Persisted: lineage, rows and states survive a reopen; nothing is rebuilt.
  auto before = Rows("WeeklyAIUsage");
  Reopen();
  EXPECT_EQ(Rows("WeeklyAIUsage").size(), before.size());
  EXPECT_EQ(Rows("RequestLog").size(), 5u);
  for (const ViewState& st : db_->ListViews()) {
    EXPECT_NE(st.state, "invalid") << st.ToJson().ToJsonString();
  }
  EXPECT_EQ(State("BigRequests").state, "stale");  // r1 update, r2 delete since
  ASSERT_TRUE(db_->RefreshView("BigRequests").ok());
  EXPECT_TRUE(State("BigRequests").incremental) << State("BigRequests").reason;
  EXPECT_TRUE(Rows("BigRequests").empty());
  EXPECT_TRUE(Rows("BigByModel").empty());
}

TEST_F(ViewsTest, BackgroundSchedulerRunsDueRefreshes) {
  options_.run_scheduler = true;
  clock_.SetMicros(Ts("2024-03-01T10:00:00Z"));
  Open(J(kAI));
  ASSERT_TRUE(db_->Insert("AIRequests", J(R"({"model": "m", "tokens": 1, "at": "2024-03-01T09:00:00Z"})")).ok());
  clock_.SetMicros(Ts("2024-03-02T01:00:00Z"));
  for (int i = 0; i < 100 && Rows("DailyAIUsage").empty(); i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(Rows("DailyAIUsage").size(), 1u);
}

// ---------------------------------------------------------------------------
// Register / alter / drop, validation, persistence.

TEST_F(ViewsTest, ValidationErrorsStoreNothing) {
  Open(J(kShop));
  auto expect_invalid = [&](const char* def, const char* needle) {
    Status s = db_->RegisterView("V", J(def));
    EXPECT_TRUE(s.IsInvalidArgument()) << def << " -> " << s.ToString();
    EXPECT_NE(s.message().find(needle), std::string::npos) << s.ToString();
    EXPECT_EQ(db_->schema().Find("V"), nullptr);
  };
  expect_invalid(R"({"$from": "Nope"})", "Nope");
  expect_invalid(R"({"$from": "Order", "$filter": {"status": {"$bogus": 1}}})", "$bogus");
  expect_invalid(R"({"$from": "Order", "$groupBy": ["status"], "$compute": {"x": {"$summ": "total"}}})",
                 "$summ");
  expect_invalid(R"({"$from": "Order", "$refresh": {"mode": "scheduled", "schedule": "61 * * * *"}})",
                 "61");
  expect_invalid(R"({"$from": "Order", "$refresh": {"mode": "scheduled"}})", "schedule");
  expect_invalid(R"({"$from": "Order", "$expand": ["custmer"]})", "custmer");
  expect_invalid(R"({"$from": "Order", "$bogus": 1})", "$bogus");
  EXPECT_TRUE(db_->RegisterView("Order", J(R"({"$from": "Customer"})")).code() == Status::Code::kAlreadyExists);
  EXPECT_TRUE(db_->RegisterView("PaidOrders", J(R"({"$from": "Customer"})")).code() == Status::Code::kAlreadyExists);
  // A cycle through an alter names it.
  Status cyc = db_->AlterView("SalesByStatus", J(R"({"$from": "BigStatuses"})"));
  EXPECT_TRUE(cyc.IsInvalidArgument()) << cyc.ToString();
  EXPECT_NE(cyc.message().find("cycle"), std::string::npos) << cyc.ToString();
  // DefineView checks the shape alone.
  EXPECT_TRUE(DefineView(J(R"({"$from": "Anything", "$groupBy": ["a"], "$compute": {"n": {"$count": "*"}}})")).ok());
  EXPECT_TRUE(DefineView(J(R"({"$from": "X", "$refresh": {"mode": "scheduled", "schedule": "* * *"}})")).status().IsInvalidArgument());
  EXPECT_TRUE(DefineView(J(R"({"$from": "X", "$compute": {"n": {"$cnt": "*"}}})")).status().IsInvalidArgument());
  EXPECT_TRUE(DefineView(J(R"({"$type": "X"})")).status().IsInvalidArgument());
  Reopen();
  EXPECT_EQ(db_->schema().Find("V"), nullptr);
  EXPECT_EQ(db_->ListViews().size(), 4u);
}

TEST_F(ViewsTest, RegisterAlterDropPersist) {
  Open(J(kShop));
  ASSERT_TRUE(db_->Insert("Order", J(R"({"$id": "o1", "total": "10.00", "status": "paid"})")).ok());
  ASSERT_TRUE(db_->Insert("Order", J(R"({"$id": "o2", "total": "3.00", "status": "new"})")).ok());
  ASSERT_TRUE(db_->RegisterView("Cheap", J(R"({"$from": "Order", "$filter": {"total": {"$lt": 5}}, "$type": "CheapOrder"})")).ok());
  EXPECT_EQ(Rows("CheapOrder").size(), 1u);
  ViewState st = State("Cheap");
  EXPECT_EQ(st.state, "fresh");
  EXPECT_EQ(st.reason, "initial build");
  ASSERT_TRUE(db_->Insert("Order", J(R"({"$id": "o3", "total": "1.00", "status": "new"})")).ok());
  EXPECT_EQ(Rows("Cheap").size(), 2u);  // streaming

  // Opening with the original schema (without Cheap) keeps the registered view.
  db_.reset();
  Open(J(kShop));
  EXPECT_EQ(Rows("Cheap").size(), 2u);
  EXPECT_EQ(State("Cheap").state, "fresh");
  EXPECT_EQ(State("Cheap").reason.find("rebuilt"), std::string::npos) << State("Cheap").reason;

  // A definition change rebuilds; a refresh-only change does not.
  ASSERT_TRUE(db_->AlterView("Cheap", J(R"({"$filter": {"total": {"$lt": 20}}})")).ok());
  EXPECT_EQ(Rows("Cheap").size(), 3u);
  st = State("Cheap");
  EXPECT_FALSE(st.incremental);
  EXPECT_EQ(st.reason, "definition changed");
  const uint64_t version = st.definition_version;
  ASSERT_TRUE(db_->AlterView("Cheap", J(R"({"$refresh": {"mode": "manual"}})")).ok());
  st = State("Cheap");
  EXPECT_TRUE(st.incremental) << st.reason;
  EXPECT_EQ(st.mode, "manual");
  EXPECT_EQ(st.definition_version, version);
  ASSERT_TRUE(db_->Insert("Order", J(R"({"$id": "o4", "total": "2.00", "status": "new"})")).ok());
  EXPECT_EQ(Rows("Cheap").size(), 3u);  // manual now
  Reopen();
  EXPECT_EQ(State("Cheap").mode, "manual");
  EXPECT_EQ(State("Cheap").state, "stale");
  ASSERT_TRUE(db_->AlterView("Cheap", J(R"({"$refresh": null})")).ok());  // back to streaming
  EXPECT_EQ(Rows("Cheap").size(), 4u);
  EXPECT_EQ(State("Cheap").state, "fresh");

  // Drop: refused while another view reads it; data gone; persists.
  EXPECT_TRUE(db_->DropView("SalesByStatus").IsFailedPrecondition());
  ASSERT_TRUE(db_->DropView("BigStatuses").ok());
  ASSERT_TRUE(db_->DropView("SalesByStatus").ok());
  EXPECT_TRUE(db_->Find("SalesByStatus", Value(), {}).status().IsNotFound());
  EXPECT_TRUE(db_->DropView("Nope").IsNotFound());
  Reopen();
  EXPECT_EQ(db_->schema().Find("SalesByStatus"), nullptr);
  EXPECT_TRUE(db_->Find("SalesByStatus", Value(), {}).status().IsNotFound());
  // Re-registering the name starts from scratch.
  ASSERT_TRUE(db_->RegisterView("SalesByStatus", J(R"({"$from": "Order", "$groupBy": ["status"], "$compute": {"n": {"$count": "*"}}})")).ok());
  auto sales = Rows("SalesByStatus");
  ASSERT_EQ(sales.size(), 2u);
  EXPECT_EQ(sales.at(R"(["new"])").Find("n")->as_int(), 3);
  Reopen();
  EXPECT_EQ(Rows("SalesByStatus").size(), 2u);
}

// Fallbacks on open, reported in ViewState.reason: an unreadable checkpoint (streaming
// views are rebuilt; a manual view keeps serving its last refresh, stale rather than
// invalid, and its next refresh is full) and a definition changed in the schema given to Open (rebuilt).
TEST_F(ViewsTest, RecoveryFallbacksAreReported) {
  constexpr const char* kSchema = R"J({
    "Order": {"total": "int!", "status": "string!"},
    "ByStatus": {"$from": "Order", "$groupBy": ["status"], "$compute": {"n": {"$count": "*"}}},
    "Manual": {"$from": "Order", "$filter": {"total": {"$gte": 3}}, "$refresh": {"mode": "manual"}}
  })J";
  Open(J(kSchema));
  for (int i = 0; i < 6; i++) {
    ASSERT_TRUE(db_->Insert("Order", J(R"({"total": )" + std::to_string(i) + R"(, "status": "s)" +
                                       std::to_string(i % 2) + R"("})")).ok());
  }
  ASSERT_TRUE(db_->RefreshView("Manual").ok());
  ASSERT_TRUE(db_->Insert("Order", J(R"({"total": 9, "status": "s0"})")).ok());
  ASSERT_TRUE(db_->Flush().ok());
  auto by_status = Rows("ByStatus");
  db_.reset();
  int corrupted = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_ / "views")) {
    std::string bytes;
    {
      std::ifstream in(e.path(), std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    ASSERT_GT(bytes.size(), 20u);
    bytes[bytes.size() / 2] ^= 0x5a;
    std::ofstream(e.path(), std::ios::binary | std::ios::trunc) << bytes;
    corrupted++;
  }
  ASSERT_EQ(corrupted, 1);
  Reopen();
  ViewState st = State("ByStatus");
  EXPECT_EQ(st.state, "fresh");
  EXPECT_NE(st.reason.find("rebuilt on open"), std::string::npos) << st.reason;
  EXPECT_NE(st.reason.find("checkpoint"), std::string::npos) << st.reason;
  EXPECT_EQ(Rows("ByStatus").size(), by_status.size());
  st = State("Manual");
  EXPECT_EQ(st.state, "stale");  // its rows are the last refresh; a source moved on since
  EXPECT_NE(st.reason.find("next refresh is full"), std::string::npos) << st.reason;
  EXPECT_EQ(Rows("Manual").size(), 3u);  // still the last refresh (3, 4, 5)
  ASSERT_TRUE(db_->RefreshView("Manual").ok());
  st = State("Manual");
  EXPECT_FALSE(st.incremental);
  EXPECT_EQ(st.state, "fresh");
  EXPECT_EQ(Rows("Manual").size(), 4u);
  // The streaming view keeps working after its rebuild.
  ASSERT_TRUE(db_->Insert("Order", J(R"({"total": 1, "status": "s2"})")).ok());
  EXPECT_EQ(Rows("ByStatus").size(), 3u);

  // A definition changed in the schema passed to Open: rebuilt, reason says so.
  db_.reset();
  Value changed = J(kSchema);
  changed.Set("ByStatus", J(R"({"$from": "Order", "$groupBy": ["status"], "$compute": {"n": {"$count": "*"}, "s": {"$sum": "total"}}})"));
  Open(changed);
  st = State("ByStatus");
  EXPECT_EQ(st.reason, "definition changed");
  EXPECT_EQ(db_->Get("ByStatus", R"(["s0"])")->Find("s")->as_int(), 0 + 2 + 4 + 9);
}

// ---------------------------------------------------------------------------
// Crash at every file-system operation of a workload with views: the recovered views
// equal the reference over the recovered collections (streaming) and the next refresh
// of a manual view is correct.

TEST_F(ViewsTest, CrashAtEveryOperationDuringRefreshAndFlush) {
  constexpr const char* kSchema = R"J({
    "Order": {"total": "int!", "status": "string!"},
    "ByStatus": {"$from": "Order", "$groupBy": ["status"],
                 "$compute": {"n": {"$count": "*"}, "s": {"$sum": "total"}, "mx": {"$max": "total"}}},
    "Manual": {"$from": "Order", "$filter": {"total": {"$gte": 3}}, "$refresh": {"mode": "manual"}},
    "ManualAgg": {"$from": "Manual", "$groupBy": [], "$compute": {"n": {"$count": "*"}}}
  })J";
  Value schema = J(kSchema);
  auto cat = catalog::Catalog::Parse(schema);
  ASSERT_TRUE(cat.ok());
  std::unique_ptr<FaultInjectionEnv> fenv_holder;
  auto fresh_env = [&]() -> FaultInjectionEnv& {
    std::filesystem::remove_all(dir_);
    fenv_holder = std::make_unique<FaultInjectionEnv>(Env::Default());
    fenv_holder->SetForwardSyncs(false);
    options_.env = fenv_holder.get();
    return *fenv_holder;
  };
  options_.sync = true;
  options_.auto_flush_events = 0;
  options_.auto_compact_files = 3;
  auto workload = [&](DB* db) {
    for (int i = 0; i < 5; i++) {
      std::string id = "o" + std::to_string(i % 4);
      Status s;
      if (i < 4) {
        s = db->Insert("Order", J(R"({"$id": ")" + id + R"(", "total": )" + std::to_string(i + 1) +
                                  R"(, "status": "s)" + std::to_string(i % 2) + R"("})"))
                .status();
      } else {
        s = db->Update("Order", id, J(R"({"total": 7})")).status();
      }
      if (!s.ok()) return;
      if (i == 2 && !db->RefreshView("Manual").ok()) return;  // (flushes after it)
      if (i == 4 && !db->Flush().ok()) return;
    }
  };
  // Crash points: every operation of the workload (writes, refreshes, flush,
  // compaction), after a fault-free open that built the views.
  uint64_t total_ops;
  {
    FaultInjectionEnv& fenv = fresh_env();
    auto db = DB::Open(options_, schema);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    fenv.ResetOpCount();
    workload(db->get());
    total_ops = fenv.OpCount();
  }
  ASSERT_GT(total_ops, 30u);
  std::printf("crash points: %llu\n", static_cast<unsigned long long>(total_ops));
  // Under ASan every other crash point (the test's time budget); all of them otherwise.
  const uint64_t stride = kBatches < 400 ? 2 : 1;
  for (uint64_t k = 0; k < total_ops; k += stride) {
    FaultInjectionEnv& fenv = fresh_env();
    {
      auto db = DB::Open(options_, schema);
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      fenv.ResetOpCount();
      fenv.FailAfter(k, FaultInjectionEnv::FaultKind::kCrash);
      workload(db->get());
    }
    ASSERT_TRUE(fenv.Crash().ok());
    auto db = DB::Open(options_, schema);
    ASSERT_TRUE(db.ok()) << "crash point " << k << ": " << db.status().ToString();
    std::string where = "crash point " + std::to_string(k);
    // Streaming views equal the recomputation over the recovered collection.
    {
      views::reference::Store store;
      for (auto& [id, d] : RowsOf(db->get(), "Order")) store["Order"].push_back(d);
      auto expected = views::reference::ComputeView(*cat, "ByStatus", store);
      ASSERT_TRUE(expected.ok());
      std::map<std::string, Value> actual = RowsOf(db->get(), "ByStatus");
      ASSERT_EQ(views::reference::DiffOutputs(*expected, actual), "") << where;
    }
    // The manual view holds exactly the rows of some refresh (no mix, no doubles), and
    // its streaming dependent agrees with it.
    auto manual = (*db)->Find("Manual", Value(), {});
    ASSERT_TRUE(manual.ok()) << where << ": " << manual.status().ToString();
    auto agg = (*db)->Find("ManualAgg", Value(), {});
    ASSERT_TRUE(agg.ok());
    int64_t agg_n = agg->empty() ? 0 : agg->front().Find("n")->as_int();
    EXPECT_EQ(agg_n, static_cast<int64_t>(manual->size())) << where;
    for (const ViewState& st : (*db)->ListViews()) EXPECT_TRUE(st.last_error.empty()) << where;
    // The next refresh is correct.
    ASSERT_TRUE((*db)->RefreshView("Manual").ok()) << where;
    views::reference::Store store;
    for (auto& [id, d] : RowsOf(db->get(), "Order")) store["Order"].push_back(d);
    for (const char* view : {"Manual", "ManualAgg"}) {
      auto expected = views::reference::ComputeView(*cat, view, store);
      ASSERT_TRUE(expected.ok());
      std::map<std::string, Value> actual = RowsOf(db->get(), view);
      ASSERT_EQ(views::reference::DiffOutputs(*expected, actual), "") << where << " " << view;
    }
    db->reset();
  }
}

}  // namespace
}  // namespace parquedb
