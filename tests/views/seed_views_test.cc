// The seed's example views, end to end through the public API (issue 4).
//
// Every example view of shared/seed/materialized-views-design.md is declared verbatim
// (TypeScript object syntax translated to JSON; stream collections imported by module,
// e.g. "TailEvents": "parquedb/tail"), a deterministic, realistic dataset is loaded,
// and each view's rows are compared with what DuckDB computes by plain SQL over the
// same source documents (tests/views/duckdb_expected.mjs, run with node). Then
// inserts, updates and deletes are applied and the comparison is repeated: streaming
// views must stay equal to a recompute (and to their own full refresh), scheduled
// views refresh when a ManualClock reaches their cron time (RunDueRefreshes), manual
// views on RefreshView. Finally the database is flushed, closed and reopened.
//
// The seed defines some views twice with different bodies (DailyAIUsage, WorkerErrors,
// EndpointMetrics); schema keys are unique, so each example block gets its own
// database: Shop (main DB example + refresh-mode examples), Tail (tail worker
// analytics), AI (AI observability, local ai-sdk and evalite usage).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "parquedb/db.h"
#include "parquedb/env.h"
#include "parquedb/value.h"

#ifndef PARQUEDB_NODE
#define PARQUEDB_NODE "node"
#endif
#ifndef PARQUEDB_VIEWS_ORACLE
#define PARQUEDB_VIEWS_ORACLE "tests/views/duckdb_expected.mjs"
#endif

namespace parquedb {
namespace {

constexpr int64_t kSecond = 1000000;
constexpr int64_t kHour = 3600 * kSecond;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kStart = 1705276800LL * kSecond;  // 2024-01-15T00:00:00Z, a Monday

Value J(std::string_view text) {
  auto v = Value::ParseJson(text);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status().ToString();
  return v.ok() ? *v : Value();
}

Value Obj(Value::Object members) { return Value::MakeObject(std::move(members)); }
Value Str(std::string s) { return Value::String(std::move(s)); }

// xorshift64*: deterministic across platforms.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ULL + 1) {}
  uint64_t Next() {
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    return s_ * 0x2545F4914F6CDD1DULL;
  }
  int Uniform(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }
  bool Chance(int percent) { return Uniform(100) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Uniform(static_cast<int>(v.size()))];
  }

 private:
  uint64_t s_;
};

std::string Cents(int64_t cents) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return buf;
}

std::string Id(const char* prefix, int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%05d", prefix, i);
  return buf;
}

// ---------------------------------------------------------------------------
// The test's own copy of every source document (as written by the test, plus the
// system fields the database assigned), exported as NDJSON for the DuckDB oracle.
class Model {
 public:
  void Declare(const std::string& collection) { docs_[collection]; }
  // `written`: the document as sent; `stored`: what the database returned.
  void Put(const std::string& collection, Value written, const Value& stored) {
    const Value* id = stored.Find("$id");
    ASSERT_NE(id, nullptr);
    written.Set("$id", *id);
    if (const Value* c = stored.Find("createdAt")) written.Set("createdAt", *c);
    docs_[collection][id->as_string()] = std::move(written);
  }
  void Set(const std::string& collection, const std::string& id, const Value& set) {
    Value& doc = docs_[collection].at(id);
    for (const auto& [k, v] : set.as_object()) doc.Set(k, v);
  }
  void Unset(const std::string& collection, const std::string& id, const std::string& field) {
    docs_[collection].at(id).Erase(field);
  }
  void Remove(const std::string& collection, const std::string& id) {
    docs_[collection].erase(id);
  }
  const std::map<std::string, Value>& docs(const std::string& collection) const {
    return docs_.at(collection);
  }
  std::vector<std::string> Ids(const std::string& collection) const {
    std::vector<std::string> ids;
    for (const auto& [id, doc] : docs_.at(collection)) ids.push_back(id);
    return ids;
  }
  void Export(const std::filesystem::path& dir) const {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    for (const auto& [collection, docs] : docs_) {
      std::ofstream out(dir / (collection + ".ndjson"));
      for (const auto& [id, doc] : docs) out << doc.ToJsonString() << "\n";
    }
  }

 private:
  std::map<std::string, std::map<std::string, Value>> docs_;
};

// ---------------------------------------------------------------------------
// Comparison of a view's rows with the oracle's.

// Canonical text of a group-key value: dates, timestamps and strings by their text.
std::string KeyText(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kString:
      return "s:" + v.as_string();
    case Value::Kind::kDate:
      return "s:" + FormatDateDays(v.as_date());
    case Value::Kind::kTimestamp:
      return "s:" + FormatTimestampMicros(v.as_int());
    default:
      return v.ToJsonString();
  }
}

bool CloseEnough(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::fabs(a - b) <= 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)});
}

// Whether `got` (a view cell) equals `want` (the oracle's JSON value, see
// duckdb_expected.mjs for the conventions). On mismatch, *why says how.
bool Matches(const Value& got, const Value& want) {
  switch (want.kind()) {
    case Value::Kind::kNull:
      return got.is_null();
    case Value::Kind::kBool:
      return got.kind() == Value::Kind::kBool && got.as_bool() == want.as_bool();
    case Value::Kind::kInt:
    case Value::Kind::kDouble:
    case Value::Kind::kDecimal:
      if (!got.is_number()) return false;
      if (want.kind() == Value::Kind::kInt && got.kind() != Value::Kind::kDouble) {
        return Value::Compare(got, want) == 0;
      }
      return CloseEnough(got.as_double(), want.as_double());
    case Value::Kind::kString: {
      const std::string& s = want.as_string();
      switch (got.kind()) {
        case Value::Kind::kString:
          return got.as_string() == s;
        case Value::Kind::kDecimal:
        case Value::Kind::kInt: {
          auto d = Decimal::FromString(s);
          return d.ok() && Value::Compare(got, Value::Dec(*d)) == 0;  // exact
        }
        case Value::Kind::kDouble: {
          auto d = Decimal::FromString(s);
          return d.ok() && CloseEnough(got.as_double(), d->ToDouble());
        }
        case Value::Kind::kDate: {
          auto d = ParseDateDays(s);
          return d.ok() && *d == got.as_date();
        }
        case Value::Kind::kTimestamp: {
          auto t = ParseTimestampMicros(s);
          return t.ok() && *t == got.as_int();
        }
        default:
          return false;
      }
    }
    case Value::Kind::kArray: {
      if (got.kind() != Value::Kind::kArray) return false;
      const auto& g = got.as_array();
      const auto& w = want.as_array();
      if (g.size() != w.size()) return false;
      for (size_t i = 0; i < g.size(); ++i) {
        if (!Matches(g[i], w[i])) return false;
      }
      return true;
    }
    case Value::Kind::kObject: {
      if (got.kind() != Value::Kind::kObject) return false;
      if (got.as_object().size() != want.as_object().size()) return false;
      for (const auto& [k, w] : want.as_object()) {
        const Value* g = got.Find(k);
        if (g == nullptr || !Matches(*g, w)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

// key_columns empty: rows are matched by "$id".
::testing::AssertionResult RowsMatch(const std::string& view, const std::vector<Value>& got,
                                     const std::vector<Value>& want,
                                     const std::vector<std::string>& key_columns) {
  auto key_of = [&](const Value& row) {
    std::string key;
    if (key_columns.empty()) {
      const Value* id = row.Find("$id");
      return id == nullptr ? std::string("<no $id>") : KeyText(*id);
    }
    for (const std::string& c : key_columns) {
      const Value* v = row.Find(c);
      key += (v == nullptr ? std::string("<missing>") : KeyText(*v)) + " | ";
    }
    return key;
  };
  std::vector<std::string> problems;
  std::map<std::string, const Value*> by_key;
  for (const Value& row : got) {
    if (!by_key.emplace(key_of(row), &row).second) {
      problems.push_back("duplicate row for key " + key_of(row) + ": " + row.ToJsonString());
    }
  }
  std::set<std::string> expected_keys;
  for (const Value& w : want) {
    const std::string key = key_of(w);
    expected_keys.insert(key);
    auto it = by_key.find(key);
    if (it == by_key.end()) {
      problems.push_back("missing row " + key + " expected " + w.ToJsonString());
      continue;
    }
    for (const auto& [column, wv] : w.as_object()) {
      const Value* gv = it->second->Find(column);
      if (gv == nullptr) {
        problems.push_back("row " + key + ": no column '" + column + "' in " +
                           it->second->ToJsonString());
      } else if (!Matches(*gv, wv)) {
        problems.push_back("row " + key + ": column '" + column + "' is " + gv->ToJsonString() +
                           " (" + std::string(Value::KindName(gv->kind())) + "), expected " +
                           wv.ToJsonString());
      }
    }
  }
  for (const auto& [key, row] : by_key) {
    if (!expected_keys.count(key)) problems.push_back("unexpected row " + row->ToJsonString());
  }
  if (problems.empty()) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure();
  failure << "view " << view << ": " << got.size() << " rows, expected " << want.size() << "; "
          << problems.size() << " problems:";
  for (size_t i = 0; i < problems.size() && i < 12; ++i) failure << "\n  " << problems[i];
  return failure;
}

// ---------------------------------------------------------------------------

struct ViewCheck {
  std::string view;    // name in the schema
  std::string oracle;  // query name in duckdb_expected.mjs
  std::vector<std::string> keys;  // group columns; empty: match by $id
};

class SeedViewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = std::filesystem::temp_directory_path() /
            (std::string("pq_seed_views_") + info->name() + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    options_.path = (root_ / "db").string();
    options_.clock = &clock_;
    options_.sync = false;
    options_.run_scheduler = false;
    clock_.SetMicros(kStart);
  }
  void TearDown() override {
    db_.reset();
    if (!HasFailure()) std::filesystem::remove_all(root_);
  }

  void Open(const Value& schema) {
    db_.reset();
    auto r = DB::Open(options_, schema);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    db_ = std::move(*r);
  }
  void Reopen() {
    db_.reset();
    auto r = DB::Open(options_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    db_ = std::move(*r);
  }

  // Runs the DuckDB oracle on the model; returns oracle name -> rows.
  std::map<std::string, std::vector<Value>> Oracle(const std::vector<ViewCheck>& checks) {
    const auto data = root_ / "oracle_data";
    model_.Export(data);
    std::string names;
    for (const ViewCheck& c : checks) names += (names.empty() ? "" : ",") + c.oracle;
    const auto out = root_ / "oracle_out.json";
    const std::string cmd = std::string("'") + PARQUEDB_NODE + "' '" + PARQUEDB_VIEWS_ORACLE +
                            "' '" + data.string() + "' '" + names + "' > '" + out.string() + "'";
    const int rc = std::system(cmd.c_str());
    std::map<std::string, std::vector<Value>> result;
    EXPECT_EQ(rc, 0) << "oracle failed: " << cmd;
    if (rc != 0) return result;
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    Value all = J(text.str());
    if (all.kind() != Value::Kind::kObject) return result;
    for (const auto& [name, rows] : all.as_object()) result[name] = rows.as_array();
    return result;
  }

  std::vector<Value> Rows(const std::string& view) {
    auto rows = db_->Find(view, J("{}"));
    EXPECT_TRUE(rows.ok()) << "Find(" << view << "): " << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<Value>{};
  }

  // Every view in `checks` equals the oracle.
  void CheckAll(const std::vector<ViewCheck>& checks, const std::string& stage) {
    SCOPED_TRACE(stage);
    auto expected = Oracle(checks);
    for (const ViewCheck& c : checks) {
      ASSERT_TRUE(expected.count(c.oracle)) << c.oracle;
      EXPECT_FALSE(expected[c.oracle].empty()) << "oracle " << c.oracle
                                               << " is empty: the dataset does not exercise it";
      auto got = db_->Find(c.view, J("{}"));
      if (!got.ok()) {
        ADD_FAILURE() << "Find(" << c.view << "): " << got.status().ToString();
        continue;
      }
      EXPECT_TRUE(RowsMatch(c.view, *got, expected[c.oracle], c.keys));
    }
  }

  void ExpectState(const std::string& view, const std::string& state) {
    auto s = db_->GetViewState(view);
    ASSERT_TRUE(s.ok()) << view << ": " << s.status().ToString();
    EXPECT_EQ(s->state, state) << view << ": " << s->ToJson().ToJsonString();
  }

  // Incremental maintenance equals a full refresh at the same state.
  void ExpectEqualsFullRefresh(const std::string& view) {
    std::vector<Value> before = Rows(view);
    Status st = db_->RefreshView(view, RefreshViewOptions{.full = true});
    ASSERT_TRUE(st.ok()) << view << ": " << st.ToString();
    std::vector<Value> after = Rows(view);
    auto by_id = [](const std::vector<Value>& rows) {
      std::map<std::string, std::string> m;
      for (const Value& r : rows) m[KeyText(*r.Find("$id"))] = r.ToJsonString();
      return m;
    };
    EXPECT_EQ(by_id(before), by_id(after)) << view << ": incremental state differs from a full "
                                              "refresh";
  }

  void Insert(const std::string& collection, Value doc) {
    auto r = db_->Insert(collection, doc);
    ASSERT_TRUE(r.ok()) << collection << " " << doc.ToJsonString() << ": "
                        << r.status().ToString();
    model_.Put(collection, std::move(doc), *r);
  }
  void Set(const std::string& collection, const std::string& id, Value set) {
    auto r = db_->Update(collection, id, Obj({{"$set", set}}));
    ASSERT_TRUE(r.ok()) << collection << " " << id << ": " << r.status().ToString();
    model_.Set(collection, id, set);
  }
  void Unset(const std::string& collection, const std::string& id, const std::string& field) {
    auto r = db_->Update(collection, id, Obj({{"$unset", Obj({{field, Str("")}})}}));
    ASSERT_TRUE(r.ok()) << collection << " " << id << ": " << r.status().ToString();
    model_.Unset(collection, id, field);
  }
  void Delete(const std::string& collection, const std::string& id) {
    Status st = db_->Delete(collection, id);
    ASSERT_TRUE(st.ok()) << collection << " " << id << ": " << st.ToString();
    model_.Remove(collection, id);
  }

  // ---- datasets ----

  static constexpr int kCustomers = 40;
  static constexpr int kProducts = 25;

  // Customers (some without tier), products, then orders with their items committed
  // as atomic write batches while the clock advances (createdAt spans ~8 days).
  void LoadShop(int orders, uint64_t seed) {
    Rng rng(seed);
    const std::vector<std::string> tiers = {"basic", "premium", "gold"};
    for (int c = 0; c < kCustomers; ++c) {
      Value doc = Obj({{"$id", Str(Id("cus", c))},
                       {"name", Str("Customer " + std::to_string(c))},
                       {"email", Str("c" + std::to_string(c) + "@example.com")}});
      if (c % 5 != 4) doc.Set("tier", Str(tiers[c % 3]));
      Insert("Customer", doc);
    }
    for (int p = 0; p < kProducts; ++p) {
      Insert("Product", Obj({{"$id", Str(Id("prd", p))},
                             {"name", Str("Product " + std::to_string(p))},
                             {"sku", Str("SKU-" + std::to_string(1000 + p))},
                             {"price", Str(Cents(199 + 137 * p))}}));
    }
    AppendOrders(0, orders, &rng);
  }

  void AppendOrders(int first, int count, Rng* rng) {
    const std::vector<std::string> statuses = {"pending", "paid", "shipped", "delivered",
                                               "cancelled"};
    constexpr int kPerBatch = 20;
    for (int b = first; b < first + count; b += kPerBatch) {
      WriteBatch batch;
      std::vector<std::pair<std::string, Value>> written;
      for (int o = b; o < std::min(first + count, b + kPerBatch); ++o) {
        Value order = Obj({{"$id", Str(Id("ord", o))},
                           {"total", Str(Cents(500 + rng->Uniform(100000)))},
                           {"status", Str(rng->Pick(statuses))}});
        if (o % 23 != 0) order.Set("customer", Str(Id("cus", rng->Uniform(kCustomers))));
        batch.Insert("Order", order);
        written.emplace_back("Order", order);
        const int items = rng->Uniform(4);  // 0..3 items
        for (int i = 0; i < items; ++i) {
          Value it = Obj({{"$id", Str(Id("itm", next_item_++))},
                          {"quantity", Value::Int(1 + rng->Uniform(5))},
                          {"price", Str(Cents(99 + rng->Uniform(20000)))},
                          {"product", Str(Id("prd", rng->Uniform(kProducts)))},
                          {"order", Str(Id("ord", o))}});
          batch.Insert("OrderItem", it);
          written.emplace_back("OrderItem", it);
        }
      }
      std::vector<Value> results;
      Status st = db_->Write(batch, &results);
      ASSERT_TRUE(st.ok()) << st.ToString();
      ASSERT_EQ(results.size(), written.size());
      for (size_t i = 0; i < written.size(); ++i) {
        model_.Put(written[i].first, std::move(written[i].second), results[i]);
      }
      clock_.AdvanceMicros(3 * kHour + 17 * 60 * kSecond);
    }
  }

  // Tail events over ~3 weeks: ok/exception/exceededCpu outcomes, fetch events with
  // request/response/cf, scheduled events without a request, events without `event`,
  // 0-3 log lines, exceptions.
  void LoadTail(int first, int count, uint64_t seed) {
    Rng rng(seed);
    const std::vector<std::string> scripts = {"api-worker", "auth-worker", "cron-worker"};
    const std::vector<std::string> methods = {"GET", "GET", "POST", "PUT", "DELETE"};
    const std::vector<std::string> urls = {"https://api.example.com/users",
                                           "https://api.example.com/orders",
                                           "https://api.example.com/login",
                                           "https://api.example.com/health"};
    const std::vector<std::string> colos = {"SJC", "FRA", "NRT", "LHR"};
    const std::vector<std::string> countries = {"US", "DE", "JP", "GB"};
    const std::vector<std::string> levels = {"log", "info", "warn", "error"};
    std::vector<Value> docs;
    for (int i = first; i < first + count; ++i) {
      const int64_t ts = kStart + static_cast<int64_t>(rng.Next() % (21 * kDay));
      const int r = rng.Uniform(100);
      const std::string outcome = r < 80 ? "ok" : r < 92 ? "exception" : "exceededCpu";
      Value doc = Obj({{"$id", Str(Id("tev", i))},
                       {"scriptName", Str(rng.Pick(scripts))},
                       {"outcome", Str(outcome)},
                       {"eventTimestamp", Value::Timestamp(ts)},
                       {"timestamp", Value::Timestamp(ts)}});
      const int kind = rng.Uniform(100);
      if (kind < 85) {
        doc.Set("event",
                Obj({{"request", Obj({{"method", Str(rng.Pick(methods))},
                                      {"url", Str(rng.Pick(urls))},
                                      {"cf", Obj({{"colo", Str(rng.Pick(colos))},
                                                  {"country", Str(rng.Pick(countries))}})}})},
                     {"response", Obj({{"status", Value::Int(outcome == "ok" ? 200 : 500)}})}}));
      } else if (kind < 93) {
        doc.Set("event", Obj({{"cron", Str("*/5 * * * *")},
                              {"scheduledTime", Value::Int(ts / 1000)}}));
      }  // else: no event at all
      Value::Array logs;
      const int nlogs = rng.Uniform(4);
      for (int l = 0; l < nlogs; ++l) {
        logs.push_back(Obj({{"level", Str(rng.Pick(levels))},
                            {"message", Str("line " + std::to_string(l) + " of " + Id("tev", i))},
                            {"timestamp", Str(FormatTimestampMicros(ts + l * 1000))}}));
      }
      doc.Set("logs", Value::MakeArray(std::move(logs)));
      Value::Array exceptions;
      if (outcome == "exception" || rng.Chance(4)) {
        exceptions.push_back(Obj({{"name", Str(rng.Chance(50) ? "TypeError" : "Error")},
                                  {"message", Str("boom " + std::to_string(i))},
                                  {"timestamp", Value::Int(ts / 1000)}}));
      }
      doc.Set("exceptions", Value::MakeArray(std::move(exceptions)));
      docs.push_back(std::move(doc));
    }
    InsertManyChunked("TailEvents", docs);
  }

  void LoadAI(int first, int count, uint64_t seed) {
    Rng rng(seed);
    const std::vector<std::pair<std::string, std::string>> models = {
        {"gpt-4", "openai"}, {"gpt-4o-mini", "openai"}, {"claude-3-5-sonnet", "anthropic"},
        {"gemini-1.5-pro", "google"}};
    std::vector<Value> requests;
    for (int i = first; i < first + count; ++i) {
      const auto& [model, provider] = rng.Pick(models);
      const int64_t ts = kStart + static_cast<int64_t>(rng.Next() % (17 * kDay));
      Value doc = Obj({{"$id", Str(Id("air", i))},
                       {"modelId", Str(model)},
                       {"providerId", Str(provider)},
                       {"requestType", Str(rng.Chance(60) ? "generate" : "stream")},
                       {"latencyMs", Value::Int(50 + rng.Uniform(3000))},
                       {"cached", Value::Bool(rng.Chance(25))},
                       {"timestamp", Value::Timestamp(ts)}});
      if (!rng.Chance(10)) doc.Set("tokens", Value::Int(1 + rng.Uniform(4000)));
      if (rng.Chance(8)) {
        doc.Set("error", Obj({{"message", Str("rate limited")}, {"code", Value::Int(429)}}));
      }
      requests.push_back(std::move(doc));
    }
    InsertManyChunked("AIRequests", requests);

    std::vector<Value> generations;
    for (int i = first / 5; i < (first + count) / 5; ++i) {
      const bool object = rng.Chance(40);
      Value doc = Obj({{"$id", Str(Id("gen", i))},
                       {"modelId", Str(rng.Pick(models).first)},
                       {"contentType", Str(object ? "object" : "text")},
                       {"content", object ? Obj({{"title", Str("t" + std::to_string(i))},
                                                 {"score", Value::Int(i % 10)}})
                                          : Str("generated text " + std::to_string(i))},
                       {"timestamp", Value::Timestamp(kStart + i * kHour)}});
      if (rng.Chance(70)) doc.Set("tokens", Value::Int(10 + rng.Uniform(500)));
      generations.push_back(std::move(doc));
    }
    InsertManyChunked("Generations", generations);

    const std::vector<std::string> suites = {"summarize", "classify", "extract"};
    const std::vector<std::string> scorers = {"Levenshtein", "Factuality", "ExactMatch"};
    std::vector<Value> runs;
    std::vector<Value> scores;
    for (int run = first / 50; run < (first + count) / 50; ++run) {
      const int64_t ts = kStart + run * 9 * kHour;
      runs.push_back(Obj({{"$id", Str(Id("run", run))},
                          {"runId", Value::Int(run)},
                          {"runType", Str(run % 4 == 0 ? "full" : "partial")},
                          {"timestamp", Value::Timestamp(ts)}}));
      for (int s = 0; s < 12; ++s) {
        scores.push_back(Obj({{"$id", Str(Id("scr", run * 12 + s))},
                              {"runId", Value::Int(run)},
                              {"suiteName", Str(suites[s % 3])},
                              {"scorerName", Str(scorers[(s / 3) % 3])},
                              {"score", Str("0." + std::to_string(1000 + rng.Uniform(9000)))},
                              {"timestamp", Value::Timestamp(ts + s * kSecond)}}));
      }
    }
    InsertManyChunked("EvalRuns", runs);
    InsertManyChunked("EvalScores", scores);
  }

  void InsertManyChunked(const std::string& collection, const std::vector<Value>& docs) {
    constexpr size_t kChunk = 100;
    for (size_t i = 0; i < docs.size(); i += kChunk) {
      std::vector<Value> chunk(docs.begin() + i, docs.begin() + std::min(docs.size(), i + kChunk));
      auto r = db_->InsertMany(collection, chunk);
      ASSERT_TRUE(r.ok()) << collection << ": " << r.status().ToString();
      ASSERT_EQ(r->size(), chunk.size());
      for (size_t k = 0; k < chunk.size(); ++k) model_.Put(collection, chunk[k], (*r)[k]);
    }
  }

  std::filesystem::path root_;
  ManualClock clock_;
  Options options_;
  Model model_;
  int next_item_ = 0;
  std::unique_ptr<DB> db_;
};

// ---------------------------------------------------------------------------
// Schemas: the seed's definitions, verbatim.

constexpr const char* kShopCollections = R"J(
  "Customer": {"name": "string!", "email": "string!", "tier": "string?"},
  "Order": {"total": "decimal(10,2)!", "status": "string!", "customer": "-> Customer",
            "items": "<- OrderItem[]"},
  "OrderItem": {"quantity": "int!", "price": "decimal(10,2)!", "product": "-> Product"},
  "Product": {"name": "string!", "sku": "string!", "price": "decimal(10,2)!"}
)J";

// The main DB example, the cascading example and the refresh-mode examples.
std::string ShopSchema() {
  return std::string("{") + kShopCollections + R"J(,
  "Generations": "parquedb/ai-sdk",
  "AIRequests": "parquedb/ai-sdk",
  "TailEvents": "parquedb/tail",
  "EvalRuns": "parquedb/evalite",
  "EvalScores": "parquedb/evalite",

  "OrderAnalytics": {
    "$from": "Order",
    "$expand": ["customer", "items.product"],
    "$flatten": {"customer": "buyer"}
  },
  "DailySales": {
    "$from": "Order",
    "$groupBy": [{"date": "$createdAt"}, "status"],
    "$compute": {
      "orderCount": {"$count": "*"},
      "revenue": {"$sum": "total"},
      "avgOrder": {"$avg": "total"}
    },
    "$refresh": {"mode": "scheduled", "schedule": "0 * * * *"}
  },
  "DailyAIUsage": {
    "$from": "AIRequests",
    "$groupBy": [{"date": "$timestamp"}, "modelId"],
    "$compute": {
      "requestCount": {"$count": "*"},
      "totalTokens": {"$sum": "tokens"},
      "avgLatency": {"$avg": "latencyMs"},
      "errorCount": {"$sum": {"$cond": [{"$exists": "$error"}, 1, 0]}}
    }
  },
  "WorkerErrors": {
    "$from": "TailEvents",
    "$filter": {"outcome": {"$ne": "ok"}}
  },
  "EndpointMetrics": {
    "$from": "TailEvents",
    "$filter": {"event.request": {"$exists": true}},
    "$groupBy": ["scriptName", "event.request.method", {"path": "$event.request.url"}],
    "$compute": {
      "requestCount": {"$count": "*"},
      "avgLatency": {"$avg": "duration"},
      "errorRate": {"$avg": {"$cond": [{"$ne": ["$outcome", "ok"]}, 1, 0]}}
    }
  },
  "WeeklyAIUsage": {
    "$from": "DailyAIUsage",
    "$groupBy": [{"week": "$date"}],
    "$compute": {"totalRequests": {"$sum": "requestCount"}}
  },
  "RealtimeOrders": {
    "$type": "RealtimeOrdersView",
    "$from": "Order",
    "$expand": ["customer"],
    "$refresh": {"mode": "streaming"}
  },
  "DailyAnalytics": {
    "$type": "DailyAnalyticsView",
    "$from": "Order",
    "$expand": ["customer", "items.product"],
    "$refresh": {"mode": "scheduled", "schedule": "0 2 * * *", "strategy": "replace",
                 "timezone": "UTC"}
  },
  "AdHocReport": {
    "$type": "AdHocReportView",
    "$from": "Order",
    "$refresh": {"mode": "manual"}
  },
  "OrderMetrics": {
    "$type": "OrderMetricsView",
    "$from": "Order",
    "$groupBy": ["status", "customer.tier", {"day": "$createdAt"}],
    "$compute": {
      "orderCount": {"$count": "*"},
      "totalRevenue": {"$sum": "total"},
      "avgOrderValue": {"$avg": "total"},
      "minOrder": {"$min": "total"},
      "maxOrder": {"$max": "total"}
    }
  }
})J";
}

// The tail worker analytics example (src/tail/db.ts).
constexpr const char* kTailSchema = R"J({
  "TailEvents": "parquedb/tail",
  "WorkerLogs": {
    "$from": "TailEvents",
    "$unnest": "logs",
    "$select": {
      "scriptName": "$scriptName",
      "level": "$logs.level",
      "message": "$logs.message",
      "timestamp": "$logs.timestamp",
      "colo": "$event.request.cf.colo"
    }
  },
  "WorkerErrors": {
    "$from": "TailEvents",
    "$filter": {
      "$or": [
        {"outcome": {"$ne": "ok"}},
        {"exceptions.0": {"$exists": true}}
      ]
    },
    "$select": {
      "scriptName": "$scriptName",
      "outcome": "$outcome",
      "exceptionName": "$exceptions.0.name",
      "exceptionMessage": "$exceptions.0.message",
      "url": "$event.request.url",
      "status": "$event.response.status",
      "colo": "$event.request.cf.colo",
      "timestamp": "$eventTimestamp"
    }
  },
  "WorkerRequests": {
    "$from": "TailEvents",
    "$filter": {"event": {"$exists": true}},
    "$select": {
      "scriptName": "$scriptName",
      "method": "$event.request.method",
      "url": "$event.request.url",
      "status": "$event.response.status",
      "outcome": "$outcome",
      "colo": "$event.request.cf.colo",
      "country": "$event.request.cf.country",
      "timestamp": "$eventTimestamp"
    }
  },
  "EndpointMetrics": {
    "$from": "WorkerRequests",
    "$groupBy": ["scriptName", "method", {"hour": "$timestamp"}],
    "$compute": {
      "requestCount": {"$count": "*"},
      "avgLatency": {"$avg": "latency"},
      "errorRate": {"$avg": {"$cond": [{"$ne": ["$outcome", "ok"]}, 1, 0]}}
    },
    "$refresh": {"mode": "scheduled", "schedule": "0 * * * *"}
  }
})J";

// The AI observability example, plus the local ai-sdk (DailyUsage) and evalite
// (ScoreTrends) examples and the cascading WeeklyAIUsage.
constexpr const char* kAISchema = R"J({
  "AIRequests": "parquedb/ai-sdk",
  "Generations": "parquedb/ai-sdk",
  "EvalRuns": "parquedb/evalite",
  "EvalScores": "parquedb/evalite",
  "DailyAIUsage": {
    "$from": "AIRequests",
    "$groupBy": ["modelId", "providerId", {"date": "$timestamp"}],
    "$compute": {
      "requestCount": {"$count": "*"},
      "totalTokens": {"$sum": "tokens"},
      "avgLatency": {"$avg": "latencyMs"},
      "cacheHitRate": {"$avg": {"$cond": ["$cached", 1, 0]}},
      "errorCount": {"$sum": {"$cond": [{"$exists": "$error"}, 1, 0]}}
    }
  },
  "AIErrors": {
    "$from": "AIRequests",
    "$filter": {"error": {"$exists": true}}
  },
  "GeneratedObjects": {
    "$from": "Generations",
    "$filter": {"contentType": "object"}
  },
  "EvalTrends": {
    "$from": "EvalScores",
    "$groupBy": ["suiteName", "scorerName", {"week": "$timestamp"}],
    "$compute": {
      "avgScore": {"$avg": "score"},
      "minScore": {"$min": "score"},
      "maxScore": {"$max": "score"},
      "runCount": {"$count": "*"}
    }
  },
  "WeeklyAIUsage": {
    "$from": "DailyAIUsage",
    "$groupBy": [{"week": "$date"}],
    "$compute": {"totalRequests": {"$sum": "requestCount"}}
  },
  "DailyUsage": {
    "$from": "AIRequests",
    "$groupBy": [{"date": "$timestamp"}, "modelId"],
    "$compute": {"count": {"$count": "*"}, "tokens": {"$sum": "tokens"}}
  },
  "ScoreTrends": {
    "$from": "EvalScores",
    "$groupBy": ["suiteName", {"week": "$timestamp"}],
    "$compute": {
      "avgScore": {"$avg": "score"},
      "runCount": {"$count": "*"}
    }
  }
})J";

// The standalone defineView() OrderAnalytics (per-row $compute over items).
constexpr const char* kDefineViewOrderAnalytics = R"J({
  "$from": "Order",
  "$expand": ["customer", "items.product"],
  "$flatten": {"customer": "buyer"},
  "$compute": {
    "totalItems": {"$count": "items"},
    "orderValue": {"$sum": "items.price"}
  }
})J";

const std::vector<ViewCheck> kShopStreaming = {
    {"OrderAnalytics", "OrderAnalytics", {}},
    {"RealtimeOrders", "RealtimeOrders", {}},
    {"OrderMetrics", "OrderMetrics", {"status", "tier", "day"}},
};
const std::vector<ViewCheck> kShopStreamSources = {
    {"DailyAIUsage", "DailyAIUsageV1", {"date", "modelId"}},
    {"WeeklyAIUsage", "WeeklyAIUsage", {"week"}},
    {"WorkerErrors", "WorkerErrorsV1", {}},
    {"EndpointMetrics", "EndpointMetricsV1", {"scriptName", "method", "path"}},
};
const ViewCheck kDailySales = {"DailySales", "DailySales", {"date", "status"}};
const ViewCheck kDailyAnalytics = {"DailyAnalytics", "DailyAnalytics", {}};
const ViewCheck kAdHocReport = {"AdHocReport", "AdHocReport", {}};

const std::vector<ViewCheck> kTailStreaming = {
    {"WorkerLogs", "WorkerLogs", {}},
    {"WorkerErrors", "WorkerErrorsV2", {}},
    {"WorkerRequests", "WorkerRequests", {}},
};
const ViewCheck kTailEndpointMetrics = {"EndpointMetrics", "EndpointMetricsV2",
                                        {"scriptName", "method", "hour"}};

const std::vector<ViewCheck> kAIStreaming = {
    {"DailyAIUsage", "DailyAIUsageV2", {"modelId", "providerId", "date"}},
    {"AIErrors", "AIErrors", {}},
    {"GeneratedObjects", "GeneratedObjects", {}},
    {"EvalTrends", "EvalTrends", {"suiteName", "scorerName", "week"}},
    {"WeeklyAIUsage", "WeeklyAIUsage", {"week"}},
    {"DailyUsage", "DailyUsage", {"date", "modelId"}},
    {"ScoreTrends", "ScoreTrends", {"suiteName", "week"}},
};

std::vector<ViewCheck> Concat(std::vector<ViewCheck> a, const std::vector<ViewCheck>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Next time > now at which the cron "M H * * *"-style schedules below fire: the next
// full hour, or the next 02:00 UTC.
int64_t NextFullHour(int64_t now) { return (now / kHour + 1) * kHour; }
int64_t NextTwoAm(int64_t now) {
  int64_t t = (now / kDay) * kDay + 2 * kHour;
  return t > now ? t : t + kDay;
}

// ---------------------------------------------------------------------------

TEST_F(SeedViewsTest, ShopExampleViews) {
  Open(J(ShopSchema()));
  for (const char* c : {"Customer", "Order", "OrderItem", "Product", "Generations",
                        "AIRequests", "TailEvents", "EvalRuns", "EvalScores"}) {
    model_.Declare(c);
  }
  {
    std::vector<std::string> names;
    for (const ViewState& s : db_->ListViews()) names.push_back(s.name);
    EXPECT_EQ(names.size(), 10u) << ::testing::PrintToString(names);
  }
  LoadShop(/*orders=*/600, /*seed=*/1);
  LoadTail(0, 800, /*seed=*/2);
  LoadAI(0, 800, /*seed=*/3);
  if (HasFatalFailure()) return;

  const auto streaming = Concat(kShopStreaming, kShopStreamSources);
  CheckAll(streaming, "after load");
  for (const ViewCheck& c : streaming) ExpectState(c.view, "fresh");

  // Views are reachable by $type too.
  EXPECT_EQ(Rows("RealtimeOrdersView").size(), model_.docs("Order").size());
  EXPECT_EQ(Rows("OrderMetricsView").size(), Rows("OrderMetrics").size());

  // Scheduled: DailySales (hourly) and DailyAnalytics (02:00). The clock moved past
  // several of their fire times while loading (nobody called RunDueRefreshes): the
  // missed runs collapse into one refresh now.
  ExpectState("DailySales", "stale");
  ExpectState("DailyAnalytics", "stale");
  ExpectState("AdHocReport", "stale");
  const int64_t t0 = clock_.NowMicros();
  ASSERT_TRUE(db_->RunDueRefreshes().ok());
  ExpectState("DailySales", "fresh");
  ExpectState("DailyAnalytics", "fresh");
  for (const auto& [view, next] : {std::pair<std::string, int64_t>{"DailySales", NextFullHour(t0)},
                                   {"DailyAnalytics", NextTwoAm(t0)}}) {
    auto s = db_->GetViewState(view);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->mode, "scheduled");
    ASSERT_TRUE(s->next_refresh.has_value()) << view;
    EXPECT_EQ(FormatTimestampMicros(*s->next_refresh), FormatTimestampMicros(next)) << view;
  }
  CheckAll({kDailySales, kDailyAnalytics}, "scheduled views after the collapsed runs");

  // A new order: the scheduled views stay stale until their next fire time, exactly.
  Insert("Order", Obj({{"$id", Str("ord-late")}, {"total", Str("77.70")}, {"status", Str("paid")},
                       {"customer", Str(Id("cus", 1))}}));
  ExpectState("DailySales", "stale");
  clock_.SetMicros(NextFullHour(t0) - kSecond);
  ASSERT_TRUE(db_->RunDueRefreshes().ok());
  ExpectState("DailySales", "stale");
  ExpectState("DailyAnalytics", "stale");
  clock_.SetMicros(NextFullHour(t0));
  ASSERT_TRUE(db_->RunDueRefreshes().ok());
  ExpectState("DailySales", "fresh");
  if (NextTwoAm(t0) != NextFullHour(t0)) ExpectState("DailyAnalytics", "stale");
  CheckAll({kDailySales}, "DailySales after its scheduled refresh");
  clock_.SetMicros(NextTwoAm(t0));
  ASSERT_TRUE(db_->RunDueRefreshes().ok());
  ExpectState("DailyAnalytics", "fresh");
  CheckAll({kDailyAnalytics}, "DailyAnalytics after its scheduled refresh");

  // Manual: only on RefreshView (by name or $type).
  ASSERT_TRUE(db_->RunDueRefreshes().ok());
  ExpectState("AdHocReport", "stale");
  ASSERT_TRUE(db_->RefreshView("AdHocReport").ok());
  ExpectState("AdHocReport", "fresh");
  CheckAll({kAdHocReport}, "AdHocReport after RefreshView");

  // ---- inserts, updates, deletes on every source and related collection ----
  Rng rng(4);
  const std::vector<std::string> orders = model_.Ids("Order");
  for (size_t i = 0; i < orders.size(); ++i) {
    if (i % 7 == 0) Set("Order", orders[i], Obj({{"status", Str("refunded")}}));
    if (i % 11 == 0) Set("Order", orders[i], Obj({{"total", Str(Cents(1 + rng.Uniform(9999)))}}));
    if (i % 13 == 5) Delete("Order", orders[i]);
    if (i % 29 == 3 && model_.docs("Order").count(orders[i])) {
      Set("Order", orders[i], Obj({{"customer", Str(Id("cus", rng.Uniform(kCustomers)))}}));
    }
  }
  const std::vector<std::string> items = model_.Ids("OrderItem");
  for (size_t i = 0; i < items.size(); i += 17) Delete("OrderItem", items[i]);
  for (size_t i = 3; i < items.size(); i += 19) {
    if (model_.docs("OrderItem").count(items[i])) {
      Set("OrderItem", items[i], Obj({{"price", Str(Cents(4242))}, {"quantity", Value::Int(9)}}));
    }
  }
  for (int c = 0; c < kCustomers; c += 6) Set("Customer", Id("cus", c), Obj({{"tier", Str("vip")}}));
  for (int c = 1; c < kCustomers; c += 9) Unset("Customer", Id("cus", c), "tier");
  for (int p = 0; p < kProducts; p += 4) {
    Set("Product", Id("prd", p), Obj({{"name", Str("Renamed " + std::to_string(p))}}));
  }
  clock_.AdvanceMicros(2 * kDay);
  AppendOrders(1000, 60, &rng);
  const std::vector<std::string> tail = model_.Ids("TailEvents");
  for (size_t i = 0; i < tail.size(); ++i) {
    if (i % 9 == 0) Set("TailEvents", tail[i], Obj({{"outcome", Str(i % 2 ? "ok" : "exception")}}));
    if (i % 15 == 1) Delete("TailEvents", tail[i]);
  }
  LoadTail(5000, 50, /*seed=*/5);
  const std::vector<std::string> ai = model_.Ids("AIRequests");
  for (size_t i = 0; i < ai.size(); ++i) {
    const Value& doc = model_.docs("AIRequests").at(ai[i]);
    if (i % 5 == 0 && doc.Find("error") != nullptr) Unset("AIRequests", ai[i], "error");
    if (i % 10 == 3) Set("AIRequests", ai[i], Obj({{"error", Obj({{"message", Str("timeout")}})}}));
    if (i % 12 == 7) Delete("AIRequests", ai[i]);
    if (i % 14 == 2 && model_.docs("AIRequests").count(ai[i])) {
      Set("AIRequests", ai[i], Obj({{"tokens", Value::Int(7)}, {"modelId", Str("gpt-4")}}));
    }
  }
  if (HasFatalFailure()) return;

  CheckAll(streaming, "after updates and deletes");
  for (const ViewCheck& c : streaming) ExpectState(c.view, "fresh");
  ExpectState("DailySales", "stale");
  ExpectState("AdHocReport", "stale");
  for (const ViewCheck& c : streaming) ExpectEqualsFullRefresh(c.view);

  clock_.SetMicros(NextFullHour(clock_.NowMicros()));
  ASSERT_TRUE(db_->RunDueRefreshes().ok());
  CheckAll({kDailySales}, "DailySales after the next scheduled refresh");
  ASSERT_TRUE(db_->RefreshView("AdHocReportView").ok());
  CheckAll({kAdHocReport}, "AdHocReport after RefreshView by $type");

  // Flushed to Parquet, closed and reopened: same rows, still maintained.
  ASSERT_TRUE(db_->Flush().ok());
  Reopen();
  if (HasFatalFailure()) return;
  CheckAll(Concat(streaming, {kDailySales, kAdHocReport}), "after flush and reopen");
  Set("Order", model_.Ids("Order")[0], Obj({{"status", Str("after-reopen")}}));
  CheckAll(kShopStreaming, "after a write following reopen");
}

TEST_F(SeedViewsTest, TailWorkerAnalyticsViews) {
  Open(J(kTailSchema));
  model_.Declare("TailEvents");
  LoadTail(0, 1500, /*seed=*/11);
  if (HasFatalFailure()) return;
  CheckAll(kTailStreaming, "after load");
  for (const ViewCheck& c : kTailStreaming) ExpectState(c.view, "fresh");

  // EndpointMetrics is scheduled (hourly) and reads the WorkerRequests view.
  ExpectState("EndpointMetrics", "stale");
  clock_.SetMicros(NextFullHour(kStart) - kSecond);
  ASSERT_TRUE(db_->RunDueRefreshes().ok());
  ExpectState("EndpointMetrics", "stale");
  clock_.SetMicros(NextFullHour(kStart));
  ASSERT_TRUE(db_->RunDueRefreshes().ok());
  ExpectState("EndpointMetrics", "fresh");
  CheckAll({kTailEndpointMetrics}, "EndpointMetrics after its scheduled refresh");

  const std::vector<std::string> ids = model_.Ids("TailEvents");
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i % 8 == 0) Set("TailEvents", ids[i], Obj({{"outcome", Str("ok")}}));
    if (i % 8 == 1) Set("TailEvents", ids[i], Obj({{"outcome", Str("canceled")}}));
    if (i % 10 == 2) Unset("TailEvents", ids[i], "event");
    if (i % 10 == 4) Set("TailEvents", ids[i], Obj({{"logs", Value::MakeArray()}}));
    if (i % 11 == 5) Delete("TailEvents", ids[i]);
  }
  LoadTail(9000, 100, /*seed=*/12);
  if (HasFatalFailure()) return;
  CheckAll(kTailStreaming, "after updates and deletes");
  ExpectState("EndpointMetrics", "stale");
  for (const ViewCheck& c : kTailStreaming) ExpectEqualsFullRefresh(c.view);
  clock_.SetMicros(NextFullHour(clock_.NowMicros()));
  ASSERT_TRUE(db_->RunDueRefreshes().ok());
  CheckAll({kTailEndpointMetrics}, "EndpointMetrics after the next scheduled refresh");
}

TEST_F(SeedViewsTest, AIObservabilityViews) {
  Open(J(kAISchema));
  for (const char* c : {"AIRequests", "Generations", "EvalRuns", "EvalScores"}) model_.Declare(c);
  LoadAI(0, 1500, /*seed=*/21);
  if (HasFatalFailure()) return;
  CheckAll(kAIStreaming, "after load");
  for (const ViewCheck& c : kAIStreaming) ExpectState(c.view, "fresh");

  Rng rng(22);
  const std::vector<std::string> ai = model_.Ids("AIRequests");
  for (size_t i = 0; i < ai.size(); ++i) {
    if (i % 6 == 0) Unset("AIRequests", ai[i], "tokens");
    if (i % 6 == 1) Set("AIRequests", ai[i], Obj({{"cached", Value::Bool(true)}}));
    if (i % 9 == 2) Set("AIRequests", ai[i], Obj({{"timestamp", Value::Timestamp(kStart + 40 * kDay)}}));
    if (i % 13 == 3) Delete("AIRequests", ai[i]);
  }
  const std::vector<std::string> gens = model_.Ids("Generations");
  for (size_t i = 0; i < gens.size(); i += 3) {
    Set("Generations", gens[i], Obj({{"contentType", Str("object")},
                                     {"content", Obj({{"n", Value::Int(static_cast<int64_t>(i))}})}}));
  }
  const std::vector<std::string> scores = model_.Ids("EvalScores");
  for (size_t i = 0; i < scores.size(); ++i) {
    if (i % 5 == 0) Set("EvalScores", scores[i], Obj({{"score", Str("0.0001")}}));
    if (i % 8 == 1) Delete("EvalScores", scores[i]);
  }
  LoadAI(2000, 200, /*seed=*/23);
  if (HasFatalFailure()) return;
  CheckAll(kAIStreaming, "after updates and deletes");
  for (const ViewCheck& c : kAIStreaming) ExpectState(c.view, "fresh");
  for (const ViewCheck& c : kAIStreaming) ExpectEqualsFullRefresh(c.view);
}

// The standalone defineView() OrderAnalytics, with per-row $compute over the items,
// registered through DefineView + RegisterView on a database with data.
TEST_F(SeedViewsTest, DefineViewOrderAnalytics) {
  Open(J(std::string("{") + kShopCollections + "}"));
  for (const char* c : {"Customer", "Order", "OrderItem", "Product"}) model_.Declare(c);
  LoadShop(/*orders=*/300, /*seed=*/31);
  if (HasFatalFailure()) return;
  auto def = DefineView(J(kDefineViewOrderAnalytics));
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  Status st = db_->RegisterView("OrderAnalytics", *def);
  ASSERT_TRUE(st.ok()) << st.ToString();
  const std::vector<ViewCheck> checks = {{"OrderAnalytics", "OrderAnalyticsComputed", {}}};
  CheckAll(checks, "after RegisterView");
  const std::vector<std::string> items = model_.Ids("OrderItem");
  for (size_t i = 0; i < items.size(); i += 5) Delete("OrderItem", items[i]);
  for (size_t i = 2; i < items.size(); i += 7) {
    if (model_.docs("OrderItem").count(items[i])) {
      Set("OrderItem", items[i], Obj({{"price", Str("0.01")}}));
    }
  }
  Rng rng(32);
  AppendOrders(500, 40, &rng);
  if (HasFatalFailure()) return;
  CheckAll(checks, "after item changes");
  ExpectEqualsFullRefresh("OrderAnalytics");
}

}  // namespace
}  // namespace parquedb
