// Differential property test: random insert/update/delete batches on source AND related
// collections; after every batch each incrementally maintained view must equal (1) the
// independent reference interpreter and (2) a fresh Rebuild, and the emitted Deltas must
// replay to the maintained rows. Save/Load round trips happen mid-stream.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "views/maintainer.h"
#include "views/reference_interpreter_test.h"
#include "views/view_test_util.h"

namespace parquedb::views {
namespace {

using testing::J;
using testing::MemoryStore;

constexpr std::string_view kSchema = R"json({
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

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(int percent) { return Int(0, 99) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Int(0, static_cast<int>(v.size()) - 1))];
  }

  Value Timestamp() {
    static const std::vector<std::string> kTimes = {
        "2023-12-31T22:30:00Z", "2023-12-31T23:30:00Z", "2024-01-31T23:15:00Z",
        "2024-03-29T10:00:00Z", "2024-03-30T23:30:00Z", "2024-03-31T00:59:59Z",
        "2024-03-31T01:00:00Z", "2024-03-31T22:30:00Z", "2024-04-01T00:00:00Z",
        "2024-10-27T00:30:00Z", "2024-10-27T01:30:00Z", "2024-10-27T02:30:00Z"};
    return Value::Timestamp(*ParseTimestampMicros(Pick(kTimes)));
  }
  Value Date() {
    static const std::vector<std::string> kDays = {"2023-12-31", "2024-01-01", "2024-03-31",
                                                   "2024-04-01", "2024-12-30", "2025-01-05"};
    return Value::Date(*ParseDateDays(Pick(kDays)));
  }
  Value Money() {
    if (Chance(30)) return Value::Dec(Decimal{Pick(std::vector<int>{1000, 2550, 9999, 0}), 2});
    return Value::Dec(Decimal{Int(0, 99999), 2});
  }
  Value Amount() {
    static const std::vector<double> kAmounts = {0.1,       0.2,       0.3, 12.5, -3.25,
                                                 1e6 + 0.1, 1e6 + 0.2, 1e9, 7.0,  1.0 / 3};
    return Value::Double(Pick(kAmounts));
  }

  // Sets `name` to `v`, or omits it (missing), or sets null, per the percentages.
  void Maybe(Value::Object* o, const std::string& name, const Value& v, int missing, int null) {
    const int r = Int(0, 99);
    if (r < missing) return;
    o->emplace_back(name, r < missing + null ? Value() : v);
  }

  Value Make(const std::string& coll, const std::string& id, const Value& created,
             int64_t version) {
    Value::Object o;
    o.emplace_back("$id", Value::String(id));
    o.emplace_back("$type", Value::String(coll));
    if (coll == "Category") {
      Maybe(&o, "title", Value::String(Pick(std::vector<std::string>{"Tools", "Toys", "Food"})), 20,
            10);
    } else if (coll == "Product") {
      o.emplace_back("name",
                     Value::String(Pick(std::vector<std::string>{"Pen", "Ink", "Cup", "Axe"})));
      o.emplace_back("price", Money());
      Maybe(&o, "category", Value::String("cat" + std::to_string(Int(0, 4))), 20, 5);
    } else if (coll == "Address") {
      Maybe(&o, "city", Value::String(Pick(std::vector<std::string>{"Berlin", "Paris", "Oslo"})),
            20, 10);
      Maybe(&o, "zip", Value::String(std::to_string(Int(10000, 10003))), 30, 10);
    } else if (coll == "Customer") {
      o.emplace_back("name", Value::String(Pick(std::vector<std::string>{"Ann", "Bob", "Cy"})));
      Maybe(&o, "tier", Value::String(Pick(std::vector<std::string>{"gold", "silver"})), 15, 15);
      Maybe(&o, "score", Value::Int(Int(0, 3)), 15, 10);
      Maybe(&o, "address", Value::String("a" + std::to_string(Int(0, 4))), 20, 5);
    } else if (coll == "Order") {
      o.emplace_back("total", Money());
      o.emplace_back("status",
                     Value::String(Pick(std::vector<std::string>{"new", "ok", "cancelled", "ok"})));
      Maybe(&o, "customer", Value::String("c" + std::to_string(Int(0, 5))), 15, 5);
      Maybe(&o, "amount", Amount(), 25, 10);
      Maybe(&o, "qty", Value::Int(Int(0, 5)), 20, 10);
      if (!Chance(15)) {
        Value::Array tags;
        const int n = Int(0, 3);
        for (int i = 0; i < n; ++i) {
          const int kind = Int(0, 9);
          if (kind == 0) {
            tags.push_back(Value());
          } else if (kind == 1) {
            tags.push_back(Value::String("loose"));
          } else {
            Value::Object t;
            Maybe(&t, "name", Value::String(Pick(std::vector<std::string>{"a", "b", "c"})), 10, 5);
            if (Chance(50)) {
              Maybe(&t, "w", Value::Int(Int(-2, 5)), 10, 10);
            } else {
              Maybe(&t, "w", Value::Double(Int(-20, 50) / 4.0), 10, 10);
            }
            tags.push_back(Value::MakeObject(std::move(t)));
          }
        }
        o.emplace_back("tags", Value::MakeArray(std::move(tags)));
      }
      const int note = Int(0, 5);
      if (note == 1) o.emplace_back("note", Value());
      if (note == 2)
        o.emplace_back("note", Value::String(Pick(std::vector<std::string>{"rush", "gift"})));
      if (note == 3) o.emplace_back("note", Value::String("2024-03-31T00:30:00+02:00"));
      if (note == 4) o.emplace_back("note", Value::Int(Int(0, 3)));
      if (note == 5) o.emplace_back("note", Value::String("2024-10-27"));
      Maybe(&o, "day", Date(), 20, 10);
      Maybe(&o, "when", Timestamp(), 20, 10);
      if (Chance(60)) {
        Value::Array flags;
        const int n = Int(0, 2);
        for (int i = 0; i < n; ++i)
          flags.push_back(Value::String("cat" + std::to_string(Int(0, 4))));
        o.emplace_back("flags", Value::MakeArray(std::move(flags)));
      }
    } else if (coll == "OrderItem") {
      o.emplace_back("quantity", Value::Int(Int(1, 5)));
      o.emplace_back("price", Money());
      Maybe(&o, "product", Value::String("p" + std::to_string(Int(0, 6))), 10, 5);
      Maybe(&o, "order", Value::String("o" + std::to_string(Int(0, 15))), 5, 5);
    }
    o.emplace_back("createdAt", created);
    o.emplace_back("updatedAt", Timestamp());
    o.emplace_back("version", Value::Int(version));
    return Value::MakeObject(std::move(o));
  }

 private:
  std::mt19937_64 rng_;
};

struct Event {
  std::string collection;
  Value before;
  Value after;
};

class PropertyHarness {
 public:
  explicit PropertyHarness(uint64_t seed) : gen_(seed), seed_(seed) {
    cat_ = testing::MustCatalog(kSchema);
    for (const catalog::ViewDef* v : cat_.ViewsInTopologicalOrder()) {
      views_.push_back(v->name());
      auto spec = testing::MustSpec(cat_, v->name());
      maintainers_.emplace(v->name(), std::make_unique<ViewMaintainer>(spec));
    }
  }

  std::vector<Event> RandomBatch() {
    static const std::vector<std::pair<std::string, int>> kColls = {
        {"Order", 40},   {"OrderItem", 25}, {"Customer", 12},
        {"Product", 10}, {"Address", 6},    {"Category", 7}};
    static const std::map<std::string, std::pair<std::string, int>> kPools = {
        {"Order", {"o", 15}},  {"OrderItem", {"i", 25}}, {"Customer", {"c", 6}},
        {"Product", {"p", 6}}, {"Address", {"a", 5}},    {"Category", {"cat", 4}}};
    std::vector<Event> events;
    const int n = gen_.Int(1, 6);
    for (int k = 0; k < n; ++k) {
      int r = gen_.Int(0, 99);
      std::string coll;
      for (const auto& [c, w] : kColls) {
        if (r < w) {
          coll = c;
          break;
        }
        r -= w;
      }
      const auto& [prefix, size] = kPools.at(coll);
      const std::string id = prefix + std::to_string(gen_.Int(0, size - 1));
      auto& docs = store_.data[coll];
      auto it = docs.find(id);
      Event e;
      e.collection = coll;
      if (it == docs.end()) {
        e.after = gen_.Make(coll, id, gen_.Timestamp(), 1);
        store_.Put(coll, e.after);
      } else if (gen_.Chance(70)) {
        e.after = gen_.Make(coll, id, *it->second.Find("createdAt"),
                            it->second.Find("version")->as_int() + 1);
        e.before = store_.Put(coll, e.after);
      } else {
        e.before = store_.Remove(coll, id);
      }
      events.push_back(std::move(e));
    }
    return events;
  }

  // Feeds a batch to every maintainer (topological order) and checks everything.
  void ApplyAndCheck(const std::vector<Event>& events, int batch) {
    std::map<std::string, Delta> deltas;
    const bool grouped = gen_.Chance(50);
    for (const std::string& name : views_) {
      ViewMaintainer& m = *maintainers_.at(name);
      const ViewSpec& spec = m.spec();
      Delta& delta = deltas[name];
      const std::vector<std::string>& related = spec.related_collections();
      auto is_related = [&](const std::string& c) {
        return std::find(related.begin(), related.end(), c) != related.end();
      };
      if (spec.source_is_view()) {
        std::vector<ViewMaintainer::SourceChange> changes;
        for (const Delta::Change& c : deltas.at(spec.source()).changes()) {
          changes.push_back({c.before.value_or(Value()), c.row.value_or(Value())});
        }
        ASSERT_TRUE(m.ApplySourceChanges(changes, store_, &delta).ok());
      } else if (grouped) {
        std::vector<ViewMaintainer::SourceChange> changes;
        for (const Event& e : events) {
          if (e.collection == spec.source()) changes.push_back({e.before, e.after});
        }
        Status st = m.ApplySourceChanges(changes, store_, &delta);
        ASSERT_TRUE(st.ok()) << name << ": " << st.ToString();
        for (const Event& e : events) {
          if (!is_related(e.collection)) continue;
          st = m.ApplyRelatedChange(e.collection, e.before, e.after, store_, &delta);
          ASSERT_TRUE(st.ok()) << name << ": " << st.ToString();
        }
      } else {
        for (const Event& e : events) {
          if (e.collection == spec.source()) {
            Status st = m.ApplySourceChange(e.before, e.after, store_, &delta);
            ASSERT_TRUE(st.ok()) << name << ": " << st.ToString();
          }
          if (is_related(e.collection)) {
            Status st = m.ApplyRelatedChange(e.collection, e.before, e.after, store_, &delta);
            ASSERT_TRUE(st.ok()) << name << ": " << st.ToString();
          }
        }
      }
      // The delta replays onto the previous rows.
      std::map<std::string, Value>& mirror = mirrors_[name];
      for (const Delta::Change& c : delta.changes()) {
        auto it = mirror.find(c.key);
        ASSERT_EQ(it != mirror.end(), c.before.has_value()) << name << " key " << c.key;
        if (c.before.has_value()) {
          ASSERT_TRUE(IdenticalValues(*c.before, it->second)) << name << " key " << c.key;
        }
        if (c.row.has_value()) {
          mirror[c.key] = *c.row;
        } else {
          mirror.erase(c.key);
        }
      }
      ASSERT_EQ(mirror.size(), m.Rows().size()) << name;
      for (const auto& [k, row] : m.Rows()) {
        ASSERT_TRUE(mirror.count(k) && IdenticalValues(mirror.at(k), row)) << name << " " << k;
      }
    }
    const reference::Store snapshot = store_.Snapshot();
    for (const std::string& name : views_) {
      const ViewMaintainer& m = *maintainers_.at(name);
      auto expected = reference::ComputeView(cat_, name, snapshot);
      ASSERT_TRUE(expected.ok()) << expected.status().ToString();
      std::string diff = reference::DiffOutputs(*expected, m.Rows());
      ASSERT_EQ(diff, "") << "seed " << seed_ << " batch " << batch << " view " << name
                          << "\nreference:\n"
                          << testing::RowsJson(*expected) << "maintained:\n"
                          << testing::RowsJson(m.Rows());
      ViewMaintainer fresh(m.shared_spec());
      const ViewSpec& spec = m.spec();
      Status st =
          spec.source_is_view()
              ? fresh.Rebuild(testing::ScanRows(&maintainers_.at(spec.source())->Rows()), store_)
              : fresh.Rebuild(store_.Scan(spec.source()), store_);
      ASSERT_TRUE(st.ok()) << st.ToString();
      diff = reference::DiffOutputs(fresh.Rows(), m.Rows());
      ASSERT_EQ(diff, "") << "seed " << seed_ << " batch " << batch << " view " << name
                          << " (vs rebuild)";
      ASSERT_EQ(fresh.tracked_sources(), m.tracked_sources()) << name;
      ASSERT_EQ(fresh.group_count(), m.group_count()) << name;
    }
  }

  void SaveLoadAll() {
    for (const std::string& name : views_) {
      std::unique_ptr<ViewMaintainer>& m = maintainers_.at(name);
      std::string bytes;
      ASSERT_TRUE(m->Save(&bytes).ok());
      auto loaded = ViewMaintainer::Load(m->shared_spec(), bytes);
      ASSERT_TRUE(loaded.ok()) << name << ": " << loaded.status().ToString();
      std::string again;
      ASSERT_TRUE(loaded->Save(&again).ok());
      ASSERT_EQ(bytes, again) << name;
      ASSERT_EQ(reference::DiffOutputs(m->Rows(), loaded->Rows()), "") << name;
      m = std::make_unique<ViewMaintainer>(std::move(loaded).value());
    }
  }

  void Run(int batches) {
    for (int b = 0; b < batches; ++b) {
      const std::vector<Event> events = RandomBatch();
      ApplyAndCheck(events, b);
      if (::testing::Test::HasFatalFailure()) return;
      if (b % 97 == 50) {
        SaveLoadAll();
        if (::testing::Test::HasFatalFailure()) return;
      }
    }
  }

  const std::map<std::string, std::unique_ptr<ViewMaintainer>>& maintainers() const {
    return maintainers_;
  }

 private:
  Generator gen_;
  uint64_t seed_;
  catalog::Catalog cat_;
  MemoryStore store_;
  std::vector<std::string> views_;
  std::map<std::string, std::unique_ptr<ViewMaintainer>> maintainers_;
  std::map<std::string, std::map<std::string, Value>> mirrors_;
};

int BatchesPerSeed() {
  const char* env = std::getenv("PQ_VIEWS_PROPERTY_BATCHES");
  return env != nullptr ? std::atoi(env) : 700;
}

class MaintainerPropertyTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(MaintainerPropertyTest, IncrementalEqualsReferenceAndRebuild) {
  PropertyHarness h(GetParam());
  h.Run(BatchesPerSeed());
  if (HasFatalFailure()) return;
  // The random data must actually exercise the views.
  size_t rows = 0;
  for (const auto& [name, m] : h.maintainers()) {
    rows += m->Rows().size();
    if (std::getenv("PQ_VIEWS_PROPERTY_VERBOSE") != nullptr) {
      std::printf("%s: %zu rows, %zu groups, %zu tracked sources\n", name.c_str(), m->Rows().size(),
                  m->group_count(), m->tracked_sources());
      if (!m->Rows().empty())
        std::printf("  %s\n", m->Rows().begin()->second.ToJsonString().c_str());
    }
  }
  EXPECT_GT(rows, 50u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, MaintainerPropertyTest, ::testing::Values(1, 2, 3));

}  // namespace
}  // namespace parquedb::views
