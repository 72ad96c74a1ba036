// crash_campaign: a real-process crash campaign over documents AND materialized views
// (public API only).
//
//   crash_campaign [--rounds N] [--seed S] [--dir D] [--max-delay-ms M]
//                  [--format native|iceberg|delta] [--verbose]
//
// Each round forks and execs a worker (this program, `--worker DIR SEED`) on the same
// database directory. The worker opens the database (Customer and Order with a
// relation, plus streaming, manual and scheduled views of several shapes) and runs
// random insert/update/delete batches, single writes, deliberately bad batches that
// must be rejected, explicit incremental and full view refreshes, Flush, Compact and
// Vacuum. Before each write it sends the parent the exact documents the write will
// produce ("B ..."), and after the call returned OK an acknowledgement ("A"), over a
// pipe: the pipe survives the worker's SIGKILL without any fsync. The parent SIGKILLs
// the worker at a random moment (seeded: during open, at a random delay, or just as a
// write/flush/compaction/vacuum/refresh starts), reaps it, reopens the database itself and
// checks:
//   - documents: every acknowledged write is there (last acknowledged state per id);
//     the one write in flight at the kill landed entirely or not at all; no $id twice,
//     Count agrees with Find, Get agrees with Find;
//   - views: the streaming views equal an independent recomputation (written here,
//     from the recovered documents); the manual view agrees with its streaming
//     dependent; after incremental refreshes the manual and scheduled views equal the
//     recomputation too; a full refresh (RefreshView(name, {.full = true})) of each
//     view changes no view's rows; every view ends fresh without an error.
// Any mismatch prints the seed, the round and a diff, and exits 1.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "parquedb/db.h"

namespace {

using parquedb::DB;
using parquedb::Result;
using parquedb::Status;
using parquedb::Value;

constexpr const char* kSchema = R"J({
  "Customer": {"name": "string!", "region": "string!", "tier": "string?"},
  "Order": {"total": "decimal(10,2)!", "status": "string!", "qty": "int!", "at": "timestamp!",
            "customer": "-> Customer", "tags": "string[]", "note": "string?"},
  "StatusDaily": {"$from": "Order", "$groupBy": [{"day": "$at"}, "status"],
                  "$compute": {"n": {"$count": "*"}, "revenue": {"$sum": "total"},
                               "avgQty": {"$avg": "qty"}, "minTotal": {"$min": "total"},
                               "maxTotal": {"$max": "total"}}},
  "StatusTotals": {"$from": "StatusDaily", "$groupBy": ["status"],
                   "$compute": {"days": {"$count": "*"}, "n": {"$sum": "n"},
                                "revenue": {"$sum": "revenue"}, "maxTotal": {"$max": "maxTotal"}}},
  "BigPaid": {"$from": "Order", "$filter": {"status": "paid", "total": {"$gte": 50}},
              "$select": {"total": "$total", "qty": "$qty", "customer": "$customer"}},
  "OrderTags": {"$from": "Order", "$unnest": "tags",
                "$select": {"tag": "$tags", "status": "$status", "qty": "$qty"}},
  "OrderCustomers": {"$from": "Order", "$expand": ["customer"]},
  "RegionStats": {"$from": "OrderCustomers", "$groupBy": ["customer_region"],
                  "$compute": {"n": {"$count": "*"}, "qty": {"$sum": "qty"}}},
  "ManualBig": {"$from": "Order", "$filter": {"qty": {"$gte": 5}}, "$refresh": {"mode": "manual"}},
  "ManualBigCount": {"$from": "ManualBig", "$groupBy": [],
                     "$compute": {"n": {"$count": "*"}, "qty": {"$sum": "qty"}}},
  "TierCounts": {"$from": "Customer", "$groupBy": ["tier"], "$compute": {"n": {"$count": "*"}},
                 "$refresh": {"mode": "scheduled", "schedule": "* * * * *"}}
})J";

const std::vector<std::string> kViews = {"StatusDaily", "StatusTotals",   "BigPaid",
                                         "OrderTags",   "OrderCustomers", "RegionStats",
                                         "ManualBig",   "ManualBigCount", "TierCounts"};
const std::vector<std::string> kCollections = {"Customer", "Order"};
constexpr int kCustomers = 30;  // ids c0..c29 (orders also reference c30..c34: dangling)
constexpr int kOrders = 200;    // ids o0..o199

// The worker syncs every write (acknowledged = durable); the checker, which is not
// crashed, does not (its refreshes reach the page cache, which a SIGKILL keeps).
std::string g_format;  // Options::table_format ("": native)

parquedb::Options DbOptions(const std::string& dir, bool worker) {
  parquedb::Options o;
  o.path = dir;
  o.table_format = g_format;
  o.sync = worker;
  o.auto_flush_events = 150;  // automatic flushes and compactions happen mid-write
  o.auto_compact_files = 4;
  o.row_group_rows = 64;
  o.run_scheduler = worker;
  return o;
}

// ---------------------------------------------------------------------------
// Canonical JSON: keys sorted, null members dropped; decimals, timestamps and dates
// become their JSON text (what Value::ToJsonString prints).

Value Plain(const Value& v) {
  auto r = Value::ParseJson(v.ToJsonString());
  return r.ok() ? std::move(r).value() : Value();
}

Value SortedNoNulls(const Value& v) {
  if (v.kind() == Value::Kind::kArray) {
    Value::Array out;
    for (const Value& e : v.as_array()) out.push_back(SortedNoNulls(e));
    return Value::MakeArray(std::move(out));
  }
  if (v.kind() != Value::Kind::kObject) return v;
  Value::Object members;
  for (const auto& [k, m] : v.as_object()) {
    if (!m.is_null()) members.emplace_back(k, SortedNoNulls(m));
  }
  std::sort(members.begin(), members.end(),
            [](const Value::Member& a, const Value::Member& b) { return a.first < b.first; });
  return Value::MakeObject(std::move(members));
}

bool IsSystemField(const std::string& k) {
  return k == "$id" || k == "$type" || k == "createdAt" || k == "updatedAt" || k == "version";
}

// A stored document reduced to its user fields, canonical.
Value UserFields(const Value& doc) {
  Value out = Value::MakeObject();
  for (const auto& [k, v] : doc.as_object()) {
    if (!IsSystemField(k)) out.Set(k, v);
  }
  return SortedNoNulls(Plain(out));
}

using Docs = std::map<std::string, Value>;             // $id -> canonical user fields
using State = std::map<std::string, Docs>;             // collection -> docs
using Rows = std::map<std::string, Value>;             // row key -> canonical row

std::string DiffDocs(const Docs& want, const Docs& got, size_t limit = 12) {
  std::string out;
  size_t n = 0;
  auto add = [&](const std::string& line) {
    if (n++ < limit) out += "    " + line + "\n";
  };
  for (const auto& [id, d] : want) {
    auto it = got.find(id);
    if (it == got.end()) {
      add("missing " + id + " " + d.ToJsonString());
    } else if (it->second.ToJsonString() != d.ToJsonString()) {
      add("differs " + id + "\n      want " + d.ToJsonString() + "\n      got  " +
          it->second.ToJsonString());
    }
  }
  for (const auto& [id, d] : got) {
    if (!want.count(id)) add("extra   " + id + " " + d.ToJsonString());
  }
  if (n > limit) out += "    ... " + std::to_string(n - limit) + " more\n";
  return out;
}

// ---------------------------------------------------------------------------
// Pipe protocol (worker -> parent), one line per message:
//   R                 the database is open
//   B <json>          a write is about to be issued: [{"c","id","doc"} | {"c","id","del":true}]
//   A                 the write announced by the last B returned OK
//   E <what>          a flush/compact/vacuum/refresh is about to start;  D  it returned OK
//   F <message>       the worker hit an unexpected error and exits 1
// A torn last line (no newline) was never fully sent: its operation never started.

int g_ack_fd = -1;

void Send(const std::string& line) {
  std::string s = line + "\n";
  const char* p = s.data();
  size_t left = s.size();
  while (left > 0) {
    ssize_t n = ::write(g_ack_fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ::_exit(4);  // the parent is gone
    p += n;
    left -= static_cast<size_t>(n);
  }
}

[[noreturn]] void WorkerFail(const std::string& what) {
  Send("F " + what);
  std::fprintf(stderr, "crash_campaign worker: %s\n", what.c_str());
  ::_exit(1);
}

// The user fields the database stores for a written document: an absent array field
// (Order.tags, also after $unset) reads back as [].
Value Stored(const std::string& coll, Value doc) {
  if (coll == "Order" && doc.Find("tags") == nullptr) doc.Set("tags", Value::MakeArray());
  return SortedNoNulls(Plain(doc));
}

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(int percent) { return Int(0, 99) < percent; }
  const char* Pick(std::initializer_list<const char*> v) {
    return *(v.begin() + Int(0, static_cast<int>(v.size()) - 1));
  }
  Value Money() {
    int cents = Int(0, 19999);
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%d.%02d", cents / 100, cents % 100);
    return Value::String(buf);
  }
  Value At() {
    // 2024-03-01T00:00:00Z + k * 7h: ~6 days, so orders fall in several day buckets.
    const int64_t base = 1709251200LL * 1000000;
    return Plain(Value::Timestamp(base + int64_t{Int(0, 20)} * 7 * 3600 * 1000000));
  }
  Value Tags() {
    Value::Array tags;
    const int n = Int(0, 3);
    for (int i = 0; i < n; i++) tags.push_back(Value::String(Pick({"red", "blue", "gift", "rush"})));
    return Value::MakeArray(std::move(tags));
  }
  Value CustomerRef() { return Value::String("c" + std::to_string(Int(0, kCustomers + 4))); }
  Value NewDoc(const std::string& coll) {
    Value o = Value::MakeObject();
    if (coll == "Customer") {
      o.Set("name", Value::String(Pick({"Ann", "Bob", "Cy", "Dee"})));
      o.Set("region", Value::String(Pick({"eu", "us", "apac"})));
      if (Chance(75)) o.Set("tier", Value::String(Pick({"gold", "silver"})));
    } else {
      o.Set("total", Money());
      o.Set("status", Value::String(Pick({"new", "paid", "paid", "shipped", "cancelled"})));
      o.Set("qty", Value::Int(Int(0, 9)));
      o.Set("at", At());
      if (Chance(85)) o.Set("customer", CustomerRef());
      if (Chance(85)) o.Set("tags", Tags());
      if (Chance(30)) o.Set("note", Value::String(Pick({"rush", "gift wrap", "call first"})));
    }
    return o;
  }
  // A random update and, in *after, the document it must produce from *before.
  Value NewUpdate(const std::string& coll, const Value& before, Value* after) {
    Value set = Value::MakeObject(), unset = Value::MakeObject(), inc = Value::MakeObject(),
          push = Value::MakeObject();
    *after = before;
    if (coll == "Customer") {
      if (Chance(50)) set.Set("name", Value::String(Pick({"Ann", "Bob", "Cy", "Dee"})));
      if (Chance(50)) set.Set("region", Value::String(Pick({"eu", "us", "apac"})));
      int t = Int(0, 2);
      if (t == 0) set.Set("tier", Value::String(Pick({"gold", "silver"})));
      if (t == 1) unset.Set("tier", Value::Int(1));
    } else {
      if (Chance(40)) set.Set("status", Value::String(Pick({"new", "paid", "shipped", "cancelled"})));
      if (Chance(30)) set.Set("total", Money());
      if (Chance(20)) set.Set("at", At());
      int q = Int(0, 2);
      if (q == 0) set.Set("qty", Value::Int(Int(0, 9)));
      if (q == 1) inc.Set("qty", Value::Int(Int(-3, 3)));
      int c = Int(0, 4);
      if (c == 0) set.Set("customer", CustomerRef());
      if (c == 1) unset.Set("customer", Value::Int(1));
      int g = Int(0, 5);
      if (g == 0) set.Set("tags", Tags());
      if (g == 1) unset.Set("tags", Value::Int(1));
      if (g == 2) push.Set("tags", Value::String(Pick({"red", "blue", "gift", "rush"})));
      int n = Int(0, 4);
      if (n == 0) set.Set("note", Value::String(Pick({"rush", "gift wrap"})));
      if (n == 1) unset.Set("note", Value::Int(1));
    }
    for (const auto& [k, v] : set.as_object()) after->Set(k, v);
    for (const auto& [k, v] : unset.as_object()) after->Erase(k);
    for (const auto& [k, v] : inc.as_object()) {
      after->Set(k, Value::Int(after->Find(k)->as_int() + v.as_int()));
    }
    for (const auto& [k, v] : push.as_object()) {
      const Value* cur = after->Find(k);
      Value::Array a = cur != nullptr ? cur->as_array() : Value::Array{};
      a.push_back(v);
      after->Set(k, Value::MakeArray(std::move(a)));
    }
    Value update = Value::MakeObject();
    if (!set.as_object().empty()) update.Set("$set", set);
    if (!unset.as_object().empty()) update.Set("$unset", unset);
    if (!inc.as_object().empty()) update.Set("$inc", inc);
    if (!push.as_object().empty()) update.Set("$push", push);
    if (update.as_object().empty()) {  // always change something
      const bool order = coll == "Order";
      Value v = order ? Value::Int(1) : Value::String("Eve");
      update.Set("$set", Value::MakeObject({{order ? "qty" : "name", v}}));
      after->Set(order ? "qty" : "name", v);
    }
    *after = Stored(coll, *after);
    return update;
  }

 private:
  std::mt19937_64 rng_;
};

// A random batch of n operations on distinct documents (insert if absent, else
// update or delete) against `model`. Returns the state it produces; *announce lists
// its operations as [{"c", "id", "doc"} | {"c", "id", "del": true}].
State RandomWrite(Gen* gen, int n, const State& model, parquedb::WriteBatch* batch, Value* announce) {
  State next = model;
  Value::Array ops;
  std::set<std::string> touched;
  for (int k = 0; k < n; k++) {
    const std::string coll = gen->Chance(30) ? "Customer" : "Order";
    const std::string id = coll == "Customer" ? "c" + std::to_string(gen->Int(0, kCustomers - 1))
                                              : "o" + std::to_string(gen->Int(0, kOrders - 1));
    if (!touched.insert(coll + "/" + id).second) continue;
    Docs& docs = next[coll];
    Value op = Value::MakeObject({{"c", Value::String(coll)}, {"id", Value::String(id)}});
    auto it = docs.find(id);
    if (it == docs.end()) {
      Value doc = gen->NewDoc(coll);
      docs[id] = Stored(coll, doc);
      doc.Set("$id", Value::String(id));
      batch->Insert(coll, doc);
      op.Set("doc", docs[id]);
    } else if (gen->Chance(75)) {
      Value after;
      batch->Update(coll, id, gen->NewUpdate(coll, it->second, &after));
      it->second = after;
      op.Set("doc", after);
    } else {
      batch->Delete(coll, id);
      docs.erase(it);
      op.Set("del", Value::Bool(true));
    }
    ops.push_back(std::move(op));
  }
  *announce = Value::MakeArray(std::move(ops));
  return next;
}

State ReadState(DB* db, std::string* error) {
  State state;
  for (const std::string& c : kCollections) {
    auto docs = db->Find(c, Value(), {});
    if (!docs.ok()) {
      *error = "Find(" + c + "): " + docs.status().ToString();
      return state;
    }
    Docs& out = state[c];
    for (const Value& d : *docs) {
      const Value* id = d.Find("$id");
      if (id == nullptr || id->kind() != Value::Kind::kString) {
        *error = c + ": a document without a string $id: " + d.ToJsonString();
        return state;
      }
      if (!out.emplace(id->as_string(), UserFields(d)).second) {
        *error = c + ": $id " + id->as_string() + " returned twice by Find";
        return state;
      }
    }
  }
  return state;
}

// ---------------------------------------------------------------------------
// Worker.

int RunWorker(const std::string& dir, uint64_t seed) {
  Gen gen(seed);
  auto schema = Value::ParseJson(kSchema);
  if (!schema.ok()) WorkerFail("schema: " + schema.status().ToString());
  auto opened = DB::Open(DbOptions(dir, /*worker=*/true), *schema);
  if (!opened.ok()) WorkerFail("Open: " + opened.status().ToString());
  std::unique_ptr<DB> db = std::move(opened).value();
  std::string error;
  State model = ReadState(db.get(), &error);
  if (!error.empty()) WorkerFail(error);
  Send("R");

  auto check = [&](const Status& s, const std::string& what) {
    if (!s.ok()) WorkerFail(what + ": " + s.ToString());
  };
  auto event = [&](const std::string& what, const std::function<Status()>& fn) {
    Send("E " + what);
    check(fn(), what);
    Send("D");
  };
  // Results returned by a write must be the documents the model predicts.
  auto verify_result = [&](const std::string& coll, const std::string& id, const Value& got) {
    Value want = model[coll][id];
    if (UserFields(got).ToJsonString() != want.ToJsonString()) {
      WorkerFail("write result of " + coll + "/" + id + ": got " + UserFields(got).ToJsonString() +
                 ", want " + want.ToJsonString());
    }
  };

  for (;;) {
    const int r = gen.Int(0, 99);
    if (r < 80) {
      // A write: a batch (mostly) or a single Insert/Update/Delete call.
      const bool single = r >= 65;
      const int n = single ? 1 : gen.Int(1, 5);
      parquedb::WriteBatch batch;
      Value announce;
      State next = RandomWrite(&gen, n, model, &batch, &announce);
      Send("B " + announce.ToJsonString());
      std::vector<Value> results;
      const parquedb::WriteBatch::Op& first = batch.ops()[0];
      if (single && first.op == parquedb::ChangeOp::kCreate) {
        auto res = db->Insert(first.collection, first.value);
        check(res.status(), "Insert");
        results.push_back(*res);
      } else if (single && first.op == parquedb::ChangeOp::kUpdate) {
        auto res = db->Update(first.collection, first.id, first.value);
        check(res.status(), "Update");
        results.push_back(*res);
      } else if (single) {
        check(db->Delete(first.collection, first.id), "Delete");
        results.push_back(Value());
      } else {
        check(db->Write(batch, &results), "Write");
      }
      Send("A");
      model = std::move(next);
      for (size_t i = 0; i < batch.ops().size() && i < results.size(); i++) {
        const auto& op = batch.ops()[i];
        if (op.op != parquedb::ChangeOp::kDelete) {
          const std::string id = op.op == parquedb::ChangeOp::kCreate
                                     ? op.value.Find("$id")->as_string()
                                     : op.id;
          verify_result(op.collection, id, results[i]);
        }
      }
    } else if (r < 82) {
      // A bad batch: valid operations plus one that must fail; nothing may land.
      parquedb::WriteBatch batch;
      std::set<std::string> touched;
      for (int k = 0; k < 3; k++) {
        const std::string id = "o" + std::to_string(gen.Int(0, kOrders - 1));
        if (!touched.insert(id).second || model["Order"].count(id)) continue;
        Value doc = gen.NewDoc("Order");
        doc.Set("$id", Value::String(id));
        batch.Insert("Order", doc);
      }
      const int kind = gen.Int(0, 2);
      std::string expect;
      if (kind == 0 && !model["Customer"].empty()) {
        Value doc = gen.NewDoc("Customer");  // duplicate $id
        doc.Set("$id", Value::String(model["Customer"].begin()->first));
        batch.Insert("Customer", doc);
        expect = "duplicate insert";
      } else if (kind == 1) {
        Value doc = gen.NewDoc("Order");
        doc.Set("qty", Value::String("many"));  // not an int
        batch.Insert("Order", doc);
        expect = "invalid document";
      } else {
        batch.Update("Customer", "nobody", Value::MakeObject({{"name", Value::String("X")}}));
        expect = "update of a missing document";
      }
      Status s = db->Write(batch, nullptr);
      if (s.ok()) WorkerFail("a bad batch (" + expect + ") was accepted");
    } else if (r < 87) {
      event("flush", [&] { return db->Flush(); });
    } else if (r < 89) {
      event("compact", [&] { return db->Compact(); });
    } else if (r < 91) {
      const int64_t retention = int64_t{gen.Int(0, 2000)} * 1000;
      event("vacuum", [&] { return db->Vacuum(retention); });
    } else if (r < 95) {
      event("refresh ManualBig", [&] { return db->RefreshView("ManualBig"); });
    } else if (r < 97) {
      event("refresh TierCounts", [&] { return db->RefreshView("TierCounts"); });
    } else if (r < 99) {
      const std::string& v = kViews[static_cast<size_t>(gen.Int(0, static_cast<int>(kViews.size()) - 1))];
      event("refresh " + v + " full",
            [&] { return db->RefreshView(v, parquedb::RefreshViewOptions{.full = true}); });
    } else {
      event("run-due-refreshes", [&] { return db->RunDueRefreshes(); });
    }
  }
}

// ---------------------------------------------------------------------------
// Independent recomputation of the views from the recovered documents.

// Exact sum of decimal(10,2) texts, as cents.
int64_t Cents(const Value& v) {
  auto d = parquedb::Decimal::FromString(v.as_string());
  if (!d.ok()) return 0;
  // Scale to 2 digits.
  int64_t u = static_cast<int64_t>(d->unscaled);
  for (int s = d->scale; s < 2; s++) u *= 10;
  for (int s = d->scale; s > 2; s--) u /= 10;
  return u;
}

std::string CentsText(int64_t c) {
  char buf[48];
  const int64_t a = c < 0 ? -c : c;
  std::snprintf(buf, sizeof(buf), "%s%" PRId64 ".%02" PRId64, c < 0 ? "-" : "", a / 100, a % 100);
  return buf;
}

std::string DayOf(const Value& at) {
  // at: "YYYY-MM-DDTHH:MM:SS.ffffffZ"; the UTC day bucket is its date part.
  return at.as_string().substr(0, 10);
}

const Value* Get(const Value& doc, const char* k) { return doc.Find(k); }

struct Expected {
  std::map<std::string, Rows> views;  // view -> key -> expected columns (canonical)
};

void Put(Rows* rows, const Value& key, Value cols) {
  (*rows)[SortedNoNulls(key).ToJsonString()] = SortedNoNulls(std::move(cols));
}

Expected Recompute(const State& s) {
  Expected e;
  const Docs& orders = s.at("Order");
  const Docs& customers = s.at("Customer");
  struct Agg {
    int64_t n = 0, revenue = 0, qty = 0, min = INT64_MAX, max = INT64_MIN;
  };
  std::map<std::pair<std::string, std::string>, Agg> daily;
  std::map<std::string, Value> big_manual;
  int64_t manual_n = 0, manual_qty = 0;
  std::map<std::string, std::pair<int64_t, int64_t>> region;  // key json -> n, qty
  for (const auto& [id, o] : orders) {
    const std::string status = Get(o, "status")->as_string();
    const int64_t cents = Cents(*Get(o, "total"));
    const int64_t qty = Get(o, "qty")->as_int();
    Agg& a = daily[{DayOf(*Get(o, "at")), status}];
    a.n++;
    a.revenue += cents;
    a.qty += qty;
    a.min = std::min(a.min, cents);
    a.max = std::max(a.max, cents);
    if (status == "paid" && cents >= 5000) {
      Value cols = Value::MakeObject({{"total", *Get(o, "total")}, {"qty", *Get(o, "qty")}});
      if (Get(o, "customer")) cols.Set("customer", *Get(o, "customer"));
      Put(&e.views["BigPaid"], Value::String(id), cols);
    }
    if (const Value* tags = Get(o, "tags")) {
      for (size_t i = 0; i < tags->as_array().size(); i++) {
        Put(&e.views["OrderTags"], Value::String(id + "#" + std::to_string(i)),
            Value::MakeObject({{"tag", tags->as_array()[i]},
                               {"status", *Get(o, "status")},
                               {"qty", *Get(o, "qty")}}));
      }
    }
    Value oc = Value::MakeObject(
        {{"status", *Get(o, "status")}, {"total", *Get(o, "total")}, {"qty", *Get(o, "qty")}});
    Value region_key;
    if (const Value* c = Get(o, "customer")) {
      auto it = customers.find(c->as_string());
      if (it != customers.end()) {
        for (const char* f : {"name", "region", "tier"}) {
          if (const Value* v = Get(it->second, f)) oc.Set(std::string("customer_") + f, *v);
        }
        region_key = *Get(it->second, "region");
      }
    }
    Put(&e.views["OrderCustomers"], Value::String(id), oc);
    auto& rg = region[Value::MakeArray({region_key}).ToJsonString()];
    rg.first++;
    rg.second += qty;
    if (qty >= 5) {
      Put(&e.views["ManualBig"], Value::String(id), o);
      manual_n++;
      manual_qty += qty;
    }
  }
  std::map<std::string, Agg> totals;
  std::map<std::string, int64_t> days;
  for (const auto& [k, a] : daily) {
    Put(&e.views["StatusDaily"], Value::MakeArray({Value::String(k.first), Value::String(k.second)}),
        Value::MakeObject({{"day", Value::String(k.first)},
                           {"status", Value::String(k.second)},
                           {"n", Value::Int(a.n)},
                           {"revenue", Value::String(CentsText(a.revenue))},
                           {"avgQty", Value::Double(static_cast<double>(a.qty) / static_cast<double>(a.n))},
                           {"minTotal", Value::String(CentsText(a.min))},
                           {"maxTotal", Value::String(CentsText(a.max))}}));
    Agg& t = totals[k.second];
    t.n += a.n;
    t.revenue += a.revenue;
    t.max = std::max(t.max, a.max);
    days[k.second]++;
  }
  for (const auto& [status, t] : totals) {
    Put(&e.views["StatusTotals"], Value::MakeArray({Value::String(status)}),
        Value::MakeObject({{"status", Value::String(status)},
                           {"days", Value::Int(days[status])},
                           {"n", Value::Int(t.n)},
                           {"revenue", Value::String(CentsText(t.revenue))},
                           {"maxTotal", Value::String(CentsText(t.max))}}));
  }
  for (const auto& [key, nq] : region) {
    auto k = Value::ParseJson(key);
    Value cols = Value::MakeObject({{"n", Value::Int(nq.first)}, {"qty", Value::Int(nq.second)}});
    cols.Set("customer_region", k->as_array()[0]);
    Put(&e.views["RegionStats"], *k, cols);
  }
  if (manual_n > 0) {
    Put(&e.views["ManualBigCount"], Value::MakeArray(),
        Value::MakeObject({{"n", Value::Int(manual_n)}, {"qty", Value::Int(manual_qty)}}));
  }
  std::map<std::string, int64_t> tiers;
  for (const auto& [id, c] : customers) {
    const Value* t = Get(c, "tier");
    tiers[Value::MakeArray({t ? *t : Value()}).ToJsonString()]++;
  }
  for (const auto& [key, n] : tiers) {
    auto k = Value::ParseJson(key);
    Value cols = Value::MakeObject({{"n", Value::Int(n)}});
    cols.Set("tier", k->as_array()[0]);
    Put(&e.views["TierCounts"], *k, cols);
  }
  for (const std::string& v : kViews) e.views[v];  // empty views too
  return e;
}

// The key columns of each view's rows ($id for row-per-document views).
std::vector<std::string> KeyColumns(const std::string& view) {
  if (view == "StatusDaily") return {"day", "status"};
  if (view == "StatusTotals") return {"status"};
  if (view == "RegionStats") return {"customer_region"};
  if (view == "ManualBigCount") return {};
  if (view == "TierCounts") return {"tier"};
  return {"$id"};
}

// All rows of a view, canonical, by $id; error on a repeated $id.
Result<Rows> ReadView(DB* db, const std::string& view) {
  auto rows = db->Find(view, Value(), {});
  if (!rows.ok()) return Status::Corruption("Find(" + view + "): " + rows.status().ToString());
  Rows out;
  for (const Value& r : *rows) {
    const Value* id = r.Find("$id");
    std::string key = id != nullptr ? Plain(*id).ToJsonString() : "<no $id>";
    if (!out.emplace(key, SortedNoNulls(Plain(r))).second) {
      return Status::Corruption(view + ": row " + key + " returned twice");
    }
  }
  return out;
}

bool SameNumber(const Value& a, const Value& b) {
  if (!a.is_number() || !b.is_number()) return false;
  const double x = a.as_double(), y = b.as_double();
  return std::fabs(x - y) <= 1e-9 * std::max(1.0, std::max(std::fabs(x), std::fabs(y)));
}

// The columns compared with the recomputation, per view (present or absent alike).
std::vector<std::string> ComparedColumns(const std::string& view) {
  if (view == "StatusDaily") return {"day", "status", "n", "revenue", "avgQty", "minTotal", "maxTotal"};
  if (view == "StatusTotals") return {"status", "days", "n", "revenue", "maxTotal"};
  if (view == "BigPaid") return {"total", "qty", "customer"};
  if (view == "OrderTags") return {"tag", "status", "qty"};
  if (view == "OrderCustomers") {
    return {"status", "total", "qty", "customer_name", "customer_region", "customer_tier"};
  }
  if (view == "RegionStats") return {"customer_region", "n", "qty"};
  if (view == "ManualBig") return {"total", "status", "qty", "at", "customer", "tags", "note"};
  if (view == "ManualBigCount") return {"n", "qty"};
  return {"tier", "n"};  // TierCounts
}

// Compares a view's rows with the independent recomputation: the same keys, and in
// each row the same compared columns (others, e.g. system fields, are not compared
// here; the full-refresh comparison covers them).
std::string CompareWithRecompute(const std::string& view, const Rows& actual, const Rows& want) {
  Rows by_key;
  std::string out;
  for (const auto& [id, row] : actual) {
    Value key;
    const std::vector<std::string> cols = KeyColumns(view);
    if (cols.size() == 1 && cols[0] == "$id") {
      key = *row.Find("$id");
    } else {
      Value::Array k;
      for (const std::string& c : cols) k.push_back(row.Find(c) ? *row.Find(c) : Value());
      key = Value::MakeArray(std::move(k));
    }
    std::string ks = SortedNoNulls(key).ToJsonString();
    if (!by_key.emplace(ks, row).second) out += "    two rows with key " + ks + "\n";
  }
  size_t n = 0;
  for (const auto& [k, w] : want) {
    auto it = by_key.find(k);
    if (it == by_key.end()) {
      if (n++ < 10) out += "    missing row " + k + " " + w.ToJsonString() + "\n";
      continue;
    }
    for (const std::string& col : ComparedColumns(view)) {
      const Value* v = w.Find(col);
      const Value* got = it->second.Find(col);
      bool same = (v == nullptr && got == nullptr) ||
                  (v != nullptr && got != nullptr &&
                   (got->ToJsonString() == v->ToJsonString() ||
                    (col == "avgQty" && SameNumber(*got, *v))));
      if (!same && n++ < 10) {
        out += "    row " + k + " column " + col + ": want " +
               (v ? v->ToJsonString() : "(absent)") + ", got " +
               (got ? got->ToJsonString() : "(absent)") + "\n";
      }
    }
  }
  for (const auto& [k, row] : by_key) {
    if (!want.count(k) && n++ < 10) out += "    extra row " + k + " " + row.ToJsonString() + "\n";
  }
  return out;
}

// Rows of a view minus the fields that legitimately change on a rewrite of the same
// content (updatedAt/version of rebuilt rows).
std::string RowsText(const Rows& rows) {
  std::string out;
  for (const auto& [id, r] : rows) {
    Value copy = r;
    copy.Erase("updatedAt");
    copy.Erase("createdAt");
    copy.Erase("version");
    out += id + " " + copy.ToJsonString() + "\n";
  }
  return out;
}

std::string DiffText(const std::string& a, const std::string& b) {
  // Line diff of two sorted row listings (both are keyed and sorted by $id).
  std::vector<std::string> la, lb;
  size_t p = 0;
  for (size_t q; (q = a.find('\n', p)) != std::string::npos; p = q + 1) la.push_back(a.substr(p, q - p));
  p = 0;
  for (size_t q; (q = b.find('\n', p)) != std::string::npos; p = q + 1) lb.push_back(b.substr(p, q - p));
  std::set<std::string> sa(la.begin(), la.end()), sb(lb.begin(), lb.end());
  std::string out;
  int n = 0;
  for (const auto& l : la) {
    if (!sb.count(l) && n++ < 10) out += "    - " + l + "\n";
  }
  for (const auto& l : lb) {
    if (!sa.count(l) && n++ < 10) out += "    + " + l + "\n";
  }
  return out;
}

// ---------------------------------------------------------------------------
// Parent: the model of acknowledged state and the checker.

struct Stats {
  int rounds = 0;
  int kills_open = 0, kills_random = 0, kills_event = 0;
  std::map<std::string, int> kill_events;  // which event the kill followed
  int64_t acked_writes = 0;
  int inflight_landed = 0, inflight_lost = 0, no_inflight = 0;
  std::map<std::string, int> view_states;  // "state: reason" after recovery
  int64_t max_orders = 0;
  int full_checks = 0;
};

void Apply(State* s, const Value& ops) {
  for (const Value& op : ops.as_array()) {
    Docs& docs = (*s)[op.Find("c")->as_string()];
    const std::string& id = op.Find("id")->as_string();
    if (op.Find("del") != nullptr) {
      docs.erase(id);
    } else {
      docs[id] = *op.Find("doc");
    }
  }
}

std::string CheckDocs(DB* db, const State& want, State* got) {
  std::string error;
  *got = ReadState(db, &error);
  if (!error.empty()) return error;
  for (const std::string& c : kCollections) {
    auto count = db->Count(c, Value());
    if (!count.ok()) return "Count(" + c + "): " + count.status().ToString();
    if (*count != static_cast<int64_t>((*got)[c].size())) {
      return "Count(" + c + ") = " + std::to_string(*count) + " but Find returned " +
             std::to_string((*got)[c].size());
    }
  }
  std::string diff;
  for (const std::string& c : kCollections) diff += DiffDocs(want.at(c), (*got)[c]);
  return diff.empty() ? "" : "documents differ from the model:\n" + diff;
}

// Streaming views (and, with `all`, every view) against the recomputation from `docs`.
std::string CheckViews(DB* db, const State& docs, bool all, const std::string& when) {
  const Expected want = Recompute(docs);
  for (const std::string& v : kViews) {
    const bool streaming = v != "ManualBig" && v != "ManualBigCount" && v != "TierCounts";
    if (!all && !streaming) continue;
    auto rows = ReadView(db, v);
    if (!rows.ok()) return rows.status().ToString();
    std::string d = CompareWithRecompute(v, *rows, want.views.at(v));
    if (!d.empty()) return "view " + v + " (" + when + ") != recomputation:\n" + d;
  }
  return "";
}

std::string Check(const std::string& dir, State* model, const std::optional<Value>& inflight,
                  uint64_t probe_seed, bool full_check, Stats* stats) {
  auto opened = DB::Open(DbOptions(dir, /*worker=*/false));
  if (!opened.ok()) return "reopen failed: " + opened.status().ToString();
  std::unique_ptr<DB> db = std::move(opened).value();
  std::string error;
  State got = ReadState(db.get(), &error);
  if (!error.empty()) return error;

  // Documents: the acknowledged state, or it plus the whole in-flight write.
  std::string docs_diff;
  for (const std::string& c : kCollections) docs_diff += DiffDocs((*model)[c], got[c]);
  if (docs_diff.empty()) {
    if (inflight) stats->inflight_lost++; else stats->no_inflight++;
  } else {
    std::string with_diff;
    if (inflight) {
      State with = *model;
      Apply(&with, *inflight);
      for (const std::string& c : kCollections) with_diff += DiffDocs(with[c], got[c]);
    }
    if (!inflight || !with_diff.empty()) {
      std::string out = "documents differ from the acknowledged state:\n" + docs_diff;
      if (inflight) {
        out += "  and from the acknowledged state plus the in-flight write " +
               inflight->ToJsonString() + ":\n" + with_diff;
      }
      return out;
    }
    stats->inflight_landed++;
  }
  for (const std::string& c : kCollections) {
    auto count = db->Count(c, Value());
    if (!count.ok()) return "Count(" + c + "): " + count.status().ToString();
    if (*count != static_cast<int64_t>(got[c].size())) {
      return "Count(" + c + ") = " + std::to_string(*count) + " but Find returned " +
             std::to_string(got[c].size());
    }
    for (const auto& [id, d] : got[c]) {
      auto one = db->Get(c, id);
      if (!one.ok()) return "Get(" + c + ", " + id + "): " + one.status().ToString();
      if (UserFields(*one).ToJsonString() != d.ToJsonString()) {
        return "Get(" + c + ", " + id + ") = " + UserFields(*one).ToJsonString() +
               " but Find has " + d.ToJsonString();
      }
    }
  }
  *model = got;
  stats->max_orders = std::max<int64_t>(stats->max_orders, static_cast<int64_t>(got["Order"].size()));

  // Views as recovered.
  for (const std::string& v : kViews) {
    auto st = db->GetViewState(v);
    if (!st.ok()) return "GetViewState(" + v + "): " + st.status().ToString();
    if (!st->last_error.empty()) return v + ": last_error after recovery: " + st->last_error;
    std::string reason = st->reason;
    if (reason.size() > 60) reason = reason.substr(0, 60);
    stats->view_states[st->mode + " " + st->state + ": " + reason]++;
  }
  const Expected want = Recompute(got);
  std::map<std::string, Rows> before;
  for (const std::string& v : kViews) {
    auto rows = ReadView(db.get(), v);
    if (!rows.ok()) return rows.status().ToString();
    before[v] = std::move(rows).value();
  }
  for (const char* v : {"StatusDaily", "StatusTotals", "BigPaid", "OrderTags", "OrderCustomers",
                        "RegionStats"}) {
    std::string d = CompareWithRecompute(v, before[v], want.views.at(v));
    if (!d.empty()) return "streaming view " + std::string(v) + " (as recovered) != recomputation:\n" + d;
  }
  // The manual view holds some refresh's rows; its streaming dependent agrees with it.
  {
    int64_t n = 0, qty = 0;
    for (const auto& [id, r] : before["ManualBig"]) {
      n++;
      qty += r.Find("qty") ? r.Find("qty")->as_int() : 0;
    }
    Rows agg;
    if (n > 0) {
      Put(&agg, Value::MakeArray(), Value::MakeObject({{"n", Value::Int(n)}, {"qty", Value::Int(qty)}}));
    }
    std::string d = CompareWithRecompute("ManualBigCount", before["ManualBigCount"], agg);
    if (!d.empty()) return "ManualBigCount (as recovered) disagrees with ManualBig:\n" + d;
  }
  // Probe writes through the recovered maintainer state (before any full refresh
  // could rebuild it): the streaming views must follow them exactly.
  Gen gen(probe_seed);
  for (int i = 0; i < 20; i++) {
    parquedb::WriteBatch batch;
    Value announce;
    State next = RandomWrite(&gen, gen.Int(1, 4), *model, &batch, &announce);
    Status s = db->Write(batch, nullptr);
    if (!s.ok()) return "probe write " + announce.ToJsonString() + ": " + s.ToString();
    *model = std::move(next);
  }
  {
    State now_docs;
    std::string e = CheckDocs(db.get(), *model, &now_docs);
    if (!e.empty()) return "after the probe writes: " + e;
    e = CheckViews(db.get(), *model, false, "after 20 probe writes following the recovery");
    if (!e.empty()) return e;
  }
  // Incremental refreshes bring the manual and scheduled views to the recomputation.
  for (const char* v : {"ManualBig", "TierCounts"}) {
    Status s = db->RefreshView(v);
    if (!s.ok()) return std::string("RefreshView(") + v + "): " + s.ToString();
  }
  if (std::string e = CheckViews(db.get(), *model, true, "after incremental refreshes"); !e.empty()) {
    return e;
  }
  if (!full_check) return "";
  stats->full_checks++;
  std::map<std::string, Rows> now;
  for (const std::string& v : kViews) {
    auto rows = ReadView(db.get(), v);
    if (!rows.ok()) return rows.status().ToString();
    now[v] = std::move(rows).value();
  }
  // A full refresh of any view changes no view.
  for (const std::string& v : kViews) {
    Status s = db->RefreshView(v, parquedb::RefreshViewOptions{.full = true});
    if (!s.ok()) return "RefreshView(" + v + ", full): " + s.ToString();
    for (const std::string& w : kViews) {
      auto rows = ReadView(db.get(), w);
      if (!rows.ok()) return rows.status().ToString();
      std::string a = RowsText(now[w]), b = RowsText(*rows);
      if (a != b) {
        return "view " + w + " changed by a full refresh of " + v + " (- before, + after):\n" +
               DiffText(a, b);
      }
    }
  }
  for (const std::string& v : kViews) {
    auto st = db->GetViewState(v);
    if (!st.ok()) return "GetViewState(" + v + "): " + st.status().ToString();
    if (st->state != "fresh" || !st->last_error.empty()) {
      return v + " not fresh after the refreshes: " + st->ToJson().ToJsonString();
    }
  }
  return "";
}

struct Child {
  pid_t pid = -1;
  int fd = -1;
};

Child Spawn(const std::string& self, const std::string& dir, uint64_t seed) {
  int fds[2];
  if (::pipe(fds) != 0) {
    std::perror("pipe");
    std::exit(2);
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("fork");
    std::exit(2);
  }
  if (pid == 0) {
    ::close(fds[0]);
    std::string fd = std::to_string(fds[1]);
    std::string s = std::to_string(seed);
    ::execl(self.c_str(), self.c_str(), "--worker", dir.c_str(), s.c_str(), fd.c_str(),
            g_format.c_str(), static_cast<char*>(nullptr));
    std::perror("exec");
    ::_exit(127);
  }
  ::close(fds[1]);
  return {pid, fds[0]};
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int Usage() {
  std::fprintf(stderr,
               "usage: crash_campaign [--rounds N] [--seed S] [--dir D] [--max-delay-ms M] "
               "[--format native|iceberg|delta] [--verbose]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 6 && std::string(argv[1]) == "--worker") {
    g_ack_fd = std::atoi(argv[4]);
    g_format = argv[5];
    return RunWorker(argv[2], std::strtoull(argv[3], nullptr, 10));
  }
  int rounds = 30;
  uint64_t seed = 1;
  std::string dir;
  int max_delay_ms = 300;
  bool verbose = false;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "crash_campaign: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--rounds") {
      rounds = std::atoi(next());
    } else if (a == "--seed") {
      seed = std::strtoull(next(), nullptr, 10);
    } else if (a == "--dir") {
      dir = next();
    } else if (a == "--max-delay-ms") {
      max_delay_ms = std::atoi(next());
    } else if (a == "--format") {
      g_format = next();
      if (g_format != "native" && g_format != "iceberg" && g_format != "delta") {
        std::fprintf(stderr, "crash_campaign: --format must be native, iceberg or delta\n");
        return 2;
      }
    } else if (a == "--verbose") {
      verbose = true;
    } else {
      std::fprintf(stderr, "crash_campaign: unknown argument %s\n", a.c_str());
      return Usage();
    }
  }
  if (rounds <= 0 || max_delay_ms <= 0) return Usage();
  if (dir.empty()) dir = "/tmp/pq_crash_campaign_" + std::to_string(::getpid());
  std::error_code ec;
  // Start from an empty database; refuse to delete anything that is not one.
  if (std::filesystem::exists(dir, ec)) {
    if (!std::filesystem::is_directory(dir, ec) ||
        (!std::filesystem::is_empty(dir, ec) && !std::filesystem::exists(dir + "/schema.json", ec))) {
      std::fprintf(stderr, "crash_campaign: --dir %s exists and is not a database directory\n",
                   dir.c_str());
      return 2;
    }
    std::filesystem::remove_all(dir, ec);
  }
  const std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (self.empty()) {
    std::fprintf(stderr, "crash_campaign: cannot resolve /proc/self/exe\n");
    return 2;
  }
  ::signal(SIGPIPE, SIG_IGN);

  std::mt19937_64 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  State model = {{"Customer", {}}, {"Order", {}}};
  Stats stats;
  const int64_t start = NowMs();
  for (int round = 1; round <= rounds; round++) {
    const uint64_t round_seed = rng();
    // Kill plan: during open (10%), just after a write, flush, compaction, vacuum or
    // refresh starts (30%), or at a random delay after the open (60%).
    const int plan = uniform(0, 99);
    const bool event_plan = plan >= 10 && plan < 40;
    const int delay_ms = plan < 10 ? uniform(0, 80) : uniform(0, max_delay_ms);
    const int event_delay_us = uniform(0, 3000);
    const std::string wanted_event =
        std::vector<std::string>{"write", "flush", "compact", "vacuum", "refresh", ""}[uniform(0, 5)];
    Child child = Spawn(self, dir, round_seed);
    const int64_t spawned = NowMs();
    int64_t deadline = plan < 10 ? spawned + delay_ms : spawned + 30000;  // open must finish
    bool ready = false, killed = false, exited = false;
    int64_t ready_at = 0;
    std::string last_line;
    std::string buf, failure, kill_reason;
    std::optional<Value> inflight;
    std::string protocol_error;
    auto handle = [&](const std::string& line) {
      if (line == "R") {
        ready = true;
        ready_at = NowMs();
        if (plan >= 10) deadline = NowMs() + (event_plan ? 1000 : delay_ms);
      } else if (line.rfind("B ", 0) == 0) {
        auto ops = Value::ParseJson(line.substr(2));
        if (!ops.ok()) protocol_error = "bad B line: " + ops.status().ToString();
        if (inflight) protocol_error = "two writes in flight";
        inflight = std::move(ops).value();
        if (ready && event_plan && !killed && wanted_event == "write") {
          if (event_delay_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(event_delay_us));
          ::kill(child.pid, SIGKILL);
          killed = true;
          kill_reason = "write";
        }
      } else if (line == "A") {
        if (!inflight) {
          protocol_error = "ack without a write";
          return;
        }
        Apply(&model, *inflight);
        stats.acked_writes++;
        inflight.reset();
      } else if (line.rfind("E ", 0) == 0) {
        if (ready && event_plan && !killed && wanted_event != "write" &&
            line.compare(2, wanted_event.size(), wanted_event) == 0) {
          if (event_delay_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(event_delay_us));
          ::kill(child.pid, SIGKILL);
          killed = true;
          kill_reason = line.substr(2);
        }
      } else if (line == "D") {
      } else if (line.rfind("F ", 0) == 0) {
        failure = line.substr(2);
      } else {
        protocol_error = "unknown line: " + line;
      }
    };
    for (;;) {
      int64_t wait = killed ? 1000 : std::max<int64_t>(0, deadline - NowMs());
      pollfd p{child.fd, POLLIN, 0};
      int pr = ::poll(&p, 1, static_cast<int>(wait));
      if (pr == 0 && !killed) {
        ::kill(child.pid, SIGKILL);
        killed = true;
        kill_reason = ready ? "delay" : "open";
        continue;
      }
      char chunk[65536];
      ssize_t n = ::read(child.fd, chunk, sizeof(chunk));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        exited = !killed;
        break;
      }
      buf.append(chunk, static_cast<size_t>(n));
      size_t pos;
      while ((pos = buf.find('\n')) != std::string::npos) {
        std::string line = buf.substr(0, pos);
        last_line = line.substr(0, 40);
        buf.erase(0, pos + 1);
        handle(line);
      }
    }
    ::close(child.fd);
    int status = 0;
    ::waitpid(child.pid, &status, 0);
    // (A torn last line in buf was never fully sent: its operation never started.)
    std::string problem;
    if (!protocol_error.empty()) problem = "protocol: " + protocol_error;
    if (!failure.empty()) problem = "worker failed: " + failure;
    if (problem.empty() && (exited || !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)) {
      problem = "worker ended on its own (status " + std::to_string(status) + ")";
    }
    if (kill_reason == "open") stats.kills_open++;
    else if (kill_reason == "delay") stats.kills_random++;
    else {
      stats.kills_event++;
      stats.kill_events[kill_reason.substr(0, kill_reason.find(' '))]++;
    }
    const int64_t check_start = NowMs();
    // Full-refresh comparisons in half of the rounds (and the last): in the others the
    // recovered maintainer state carries on into the next worker and its crash.
    const bool full_check = uniform(0, 1) == 0 || round == rounds;
    if (problem.empty()) problem = Check(dir, &model, inflight, round_seed ^ 0x9e3779b97f4a7c15ULL, full_check, &stats);
    stats.rounds = round;
    if (verbose) {
      std::printf("round %d: worker %" PRId64 " ms (open %" PRId64 " ms), kill after %s, check %" PRId64
                  " ms, %" PRId64 " acked writes so far, last message %s\n",
                  round, check_start - spawned, ready_at > 0 ? ready_at - spawned : -1,
                  kill_reason.c_str(), NowMs() - check_start, stats.acked_writes,
                  last_line.c_str());
      std::fflush(stdout);
    }
    if (!problem.empty()) {
      std::printf("crash_campaign FAILED: seed %" PRIu64 " round %d (worker seed %" PRIu64
                  ", kill after %s, in-flight write %s), dir %s\n%s\n",
                  seed, round, round_seed, kill_reason.c_str(),
                  inflight ? inflight->ToJsonString().c_str() : "none", dir.c_str(),
                  problem.c_str());
      return 1;
    }
  }
  std::printf("crash_campaign: seed %" PRIu64 ", %d rounds, %.1f s: %d kills during open, %d at a "
              "random delay, %d just after an operation started (",
              seed, stats.rounds, static_cast<double>(NowMs() - start) / 1000.0, stats.kills_open,
              stats.kills_random, stats.kills_event);
  bool first = true;
  for (const auto& [e, n] : stats.kill_events) {
    std::printf("%s%s %d", first ? "" : ", ", e.c_str(), n);
    first = false;
  }
  std::printf(");\n  %" PRId64 " acknowledged writes, all present; in-flight write at the kill: "
              "landed %d, not landed %d, none in flight %d; up to %" PRId64
              " orders; every view checked\n  against the recomputation after every kill and after 20 probe writes; full refresh of\n  every view changed nothing in %d rounds\n",
              stats.acked_writes, stats.inflight_landed, stats.inflight_lost, stats.no_inflight,
              stats.max_orders, stats.full_checks);
  std::printf("  view states after recovery (mode state: reason -> count):\n");
  for (const auto& [s, n] : stats.view_states) std::printf("    %s -> %d\n", s.c_str(), n);
  std::filesystem::remove_all(dir, ec);
  return 0;
}
