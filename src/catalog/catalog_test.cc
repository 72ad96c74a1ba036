#include "catalog/catalog.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "catalog/builtins.h"

namespace parquedb::catalog {
namespace {

// The seed's example schema (materialized-views-design.md): regular collections, the five
// stream collections imported by module, and every example view.
constexpr std::string_view kSeedSchema = R"json({
  "Customer": {"name": "string!", "email": "string!", "tier": "string?"},
  "Order": {
    "total": "decimal(10,2)!",
    "status": "string!",
    "customer": "-> Customer",
    "items": "<- OrderItem[]"
  },
  "OrderItem": {"quantity": "int!", "price": "decimal(10,2)!", "product": "-> Product"},
  "Product": {"name": "string!", "sku": "string!", "price": "decimal(10,2)!"},

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
    "$groupBy": ["modelId", "providerId", {"date": "$timestamp"}],
    "$compute": {
      "requestCount": {"$count": "*"},
      "totalTokens": {"$sum": "tokens"},
      "avgLatency": {"$avg": "latencyMs"},
      "cacheHitRate": {"$avg": {"$cond": ["$cached", 1, 0]}},
      "errorCount": {"$sum": {"$cond": [{"$exists": "$error"}, 1, 0]}}
    }
  },
  "WeeklyAIUsage": {
    "$from": "DailyAIUsage",
    "$groupBy": [{"week": "$date"}],
    "$compute": {"totalRequests": {"$sum": "requestCount"}}
  },
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
    "$filter": {"$or": [{"outcome": {"$ne": "ok"}}, {"exceptions.0": {"$exists": true}}]},
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
  "EndpointMetrics": {
    "$from": "WorkerRequests",
    "$groupBy": ["scriptName", "method", {"hour": "$timestamp"}],
    "$compute": {
      "requestCount": {"$count": "*"},
      "avgLatency": {"$avg": "latency"},
      "errorRate": {"$avg": {"$cond": [{"$ne": ["$outcome", "ok"]}, 1, 0]}}
    },
    "$refresh": {"mode": "scheduled", "schedule": "0 * * * *"}
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
  "AIErrors": {"$from": "AIRequests", "$filter": {"error": {"$exists": true}}},
  "GeneratedObjects": {"$from": "Generations", "$filter": {"contentType": "object"}},
  "EvalTrends": {
    "$from": "EvalScores",
    "$groupBy": ["suiteName", "scorerName", {"week": "$timestamp"}],
    "$compute": {
      "avgScore": {"$avg": "score"},
      "minScore": {"$min": "score"},
      "maxScore": {"$max": "score"},
      "runCount": {"$count": "*"}
    }
  }
})json";

Catalog MustParseJson(std::string_view json) {
  auto r = Catalog::ParseJson(json);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : Catalog();
}

std::string ErrorOf(std::string_view json) {
  auto r = Catalog::ParseJson(json);
  EXPECT_FALSE(r.ok()) << "expected an error for " << json;
  if (r.ok()) return "";
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  return r.status().message();
}

std::vector<std::string> Names(const std::vector<const ViewDef*>& views) {
  std::vector<std::string> out;
  for (const ViewDef* v : views) out.push_back(v->name());
  return out;
}

std::vector<std::string> FieldNames(const CollectionDef& c) {
  std::vector<std::string> out;
  for (const FieldDef& f : c.fields()) out.push_back(f.name);
  return out;
}

TEST(CatalogTest, SeedSchemaParses) {
  const Catalog cat = MustParseJson(kSeedSchema);
  std::vector<std::string> colls;
  for (const CollectionDef& c : cat.collections()) colls.push_back(c.name());
  EXPECT_EQ(colls,
            (std::vector<std::string>{"Customer", "Order", "OrderItem", "Product", "Generations",
                                      "AIRequests", "TailEvents", "EvalRuns", "EvalScores"}));
  std::vector<std::string> views;
  for (const ViewDef& v : cat.views()) views.push_back(v.name());
  EXPECT_EQ(views, (std::vector<std::string>{"OrderAnalytics", "DailySales", "DailyAIUsage",
                                             "WeeklyAIUsage", "WorkerLogs", "WorkerErrors",
                                             "EndpointMetrics", "WorkerRequests", "AIErrors",
                                             "GeneratedObjects", "EvalTrends"}));

  const CollectionDef* order = cat.FindCollection("Order");
  ASSERT_NE(order, nullptr);
  EXPECT_EQ(order->type_name(), "Order");
  EXPECT_FALSE(order->is_stream());
  EXPECT_EQ(FieldNames(*order), (std::vector<std::string>{"total", "status", "customer", "items"}));
  const FieldDef* total = order->FindField("total");
  ASSERT_NE(total, nullptr);
  EXPECT_EQ(total->type.kind, TypeKind::kDecimal);
  EXPECT_EQ(total->type.precision, 10);
  EXPECT_EQ(total->type.scale, 2);
  EXPECT_TRUE(total->type.required);
  EXPECT_EQ(order->FindField("customer")->type.target, "Customer");
  EXPECT_EQ(order->FindField("nope"), nullptr);
  std::vector<std::string> rels;
  for (const FieldDef* f : order->Relations()) rels.push_back(f->name);
  EXPECT_EQ(rels, (std::vector<std::string>{"customer", "items"}));

  // Stream collections resolve to the built-in definitions.
  const CollectionDef* tail = cat.FindCollection("TailEvents");
  ASSERT_NE(tail, nullptr);
  EXPECT_EQ(tail->type_name(), "TailEvent");
  EXPECT_EQ(tail->ingest(), "tail");
  EXPECT_EQ(tail->module(), "parquedb/tail");
  EXPECT_TRUE(tail->is_stream());
  EXPECT_EQ(FieldNames(*tail),
            (std::vector<std::string>{"scriptName", "outcome", "eventTimestamp", "timestamp",
                                      "event", "logs", "exceptions"}));
  EXPECT_EQ(tail->FindField("logs")->type.ToString(), "variant[]");
  EXPECT_EQ(tail->FindField("eventTimestamp")->type.ToString(), "timestamp!");
  EXPECT_EQ(cat.FindCollectionByType("TailEvent"), tail);
  EXPECT_EQ(cat.FindCollectionByType("TailEvents"), nullptr);
  EXPECT_EQ(cat.FindCollection("EvalScores")->FindField("score")->type.ToString(), "decimal(5,4)!");
  EXPECT_EQ(cat.FindCollection("AIRequests")->ingest(), "ai-sdk");
  EXPECT_EQ(cat.FindCollection("Generations")->FindField("content")->type.ToString(), "variant!");
  EXPECT_EQ(cat.FindCollection("EvalRuns")->type_name(), "EvalRun");

  const ViewDef* weekly = cat.FindView("WeeklyAIUsage");
  ASSERT_NE(weekly, nullptr);
  EXPECT_EQ(weekly->source(), "DailyAIUsage");
  EXPECT_TRUE(weekly->source_is_view());
  EXPECT_EQ(weekly->type_name(), "WeeklyAIUsage");
  EXPECT_EQ(cat.FindViewByType("WeeklyAIUsage"), weekly);
  EXPECT_FALSE(cat.FindView("DailySales")->source_is_view());
  EXPECT_EQ(cat.FindView("DailySales")->definition().FindPath("$refresh.mode")->as_string(),
            "scheduled");
  EXPECT_EQ(cat.FindView("Order"), nullptr);
  EXPECT_EQ(cat.FindCollection("DailySales"), nullptr);
}

TEST(CatalogTest, ImplicitReverseField) {
  const Catalog cat = MustParseJson(kSeedSchema);
  const CollectionDef* item = cat.FindCollection("OrderItem");
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(FieldNames(*item), (std::vector<std::string>{"quantity", "price", "product", "order"}));
  const FieldDef* order_field = item->FindField("order");
  ASSERT_NE(order_field, nullptr);
  EXPECT_TRUE(order_field->implicit);
  EXPECT_EQ(order_field->type.ToString(), "-> Order");
  EXPECT_FALSE(order_field->type.required);

  const FieldDef* items = cat.FindCollection("Order")->FindField("items");
  EXPECT_EQ(items->type.kind, TypeKind::kReverseRelation);
  EXPECT_EQ(items->type.target, "OrderItem");
  EXPECT_EQ(items->type.inverse, "order");
  EXPECT_FALSE(items->type.inverse_explicit);
  EXPECT_EQ(items->type.ToString(), "<- OrderItem[]");

  // The implicit field is writable like a declared one.
  auto doc = item->ValidateDocument(
      *Value::ParseJson(R"({"quantity": 2, "price": "9.99", "order": {"$id": "o1"}})"),
      CollectionDef::Mode::kCreate);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->Find("order")->as_string(), "o1");

  // lowerCamelCase of multi-word and acronym keys.
  const Catalog cat2 = MustParseJson(R"({
    "AIRequests": "parquedb/ai-sdk",
    "Note": {"text": "string", "requests": "<- AIRequests[]"},
    "LineItem": {"n": "int"},
    "Invoice": {"lines": "<- LineItem[]"}
  })");
  EXPECT_NE(cat2.FindCollection("AIRequests")->FindField("note"), nullptr);
  EXPECT_NE(cat2.FindCollection("LineItem")->FindField("invoice"), nullptr);
  const Catalog cat3 = MustParseJson(R"({
    "OrderItem": {"n": "int"},
    "AIOrder": {"items": "<- OrderItem[]"}
  })");
  EXPECT_NE(cat3.FindCollection("OrderItem")->FindField("aiOrder"), nullptr);
}

TEST(CatalogTest, ReverseRelationResolution) {
  // Exactly one forward relation back: it is the inverse; nothing is added.
  Catalog cat = MustParseJson(R"({
    "Author": {"name": "string!", "posts": "<- Post[]"},
    "Post": {"title": "string!", "writer": "-> Author!"}
  })");
  EXPECT_EQ(cat.FindCollection("Author")->FindField("posts")->type.inverse, "writer");
  EXPECT_EQ(cat.FindCollection("Post")->fields().size(), 2u);

  // Explicit inverse among several.
  cat = MustParseJson(R"({
    "User": {"authored": "<- Post.author[]", "edited": "<- Post.editor[]"},
    "Post": {"author": "-> User", "editor": "-> User"}
  })");
  EXPECT_EQ(cat.FindCollection("User")->FindField("edited")->type.inverse, "editor");
  EXPECT_EQ(cat.FindCollection("User")->FindField("edited")->type.ToString(), "<- Post.editor[]");

  // Many-to-many through an array forward relation.
  cat = MustParseJson(R"({
    "Tag": {"posts": "<- Post.tags[]"},
    "Post": {"tags": "-> Tag[]"}
  })");
  EXPECT_EQ(cat.FindCollection("Tag")->FindField("posts")->type.inverse, "tags");

  // Self relation.
  cat = MustParseJson(R"({"Employee": {"manager": "-> Employee", "reports": "<- Employee[]"}})");
  EXPECT_EQ(cat.FindCollection("Employee")->FindField("reports")->type.inverse, "manager");

  // Two reverse relations from the same collection share one implicit field.
  cat = MustParseJson(R"({
    "Order": {"items": "<- OrderItem[]", "lines": "<- OrderItem[]"},
    "OrderItem": {"n": "int"}
  })");
  EXPECT_EQ(cat.FindCollection("OrderItem")->fields().size(), 2u);
  EXPECT_EQ(cat.FindCollection("Order")->FindField("lines")->type.inverse, "order");

  // Relation targets may be written as $type names; they resolve to the key.
  cat = MustParseJson(R"({
    "TailEvents": "parquedb/tail",
    "Incident": {"event": "-> TailEvent!"}
  })");
  EXPECT_EQ(cat.FindCollection("Incident")->FindField("event")->type.target, "TailEvents");
}

TEST(CatalogTest, RelationErrors) {
  EXPECT_EQ(ErrorOf(R"({"Customer": {}, "Order": {"customer": "-> Custmer"}})"),
            "unknown relation target 'Custmer' in Order.customer (known collections: "
            "Customer, Order)");
  EXPECT_EQ(ErrorOf(R"({"Order": {"x": "int"}, "V": {"$from": "Order"},
                      "Note": {"v": "-> V"}})"),
            "relation target 'V' in Note.v is a view; relations must point to collections");
  EXPECT_NE(ErrorOf(R"({"Order": {"items": "<- Item[]"}})")
                .find("unknown reverse relation target 'Item' in Order.items"),
            std::string::npos);
  EXPECT_EQ(ErrorOf(R"({"Order": {"items": "<- OrderItem.order[]"}, "OrderItem": {}})"),
            "Order.items: OrderItem.order does not exist (expected a forward relation '-> "
            "Order' in OrderItem)");
  EXPECT_EQ(ErrorOf(R"({"Order": {"items": "<- OrderItem.order[]"},
                      "OrderItem": {"order": "string"}})"),
            "Order.items: OrderItem.order is 'string', not a forward relation '-> Order'");
  EXPECT_EQ(ErrorOf(R"({"User": {"posts": "<- Post[]"},
                      "Post": {"author": "-> User", "editor": "-> User"}})"),
            "User.posts: Post has several forward relations to User (author, editor); name "
            "one explicitly, e.g. '<- Post.author[]'");
  EXPECT_NE(ErrorOf(R"({"Order": {"items": "<- OrderItem[]"},
                      "OrderItem": {"order": "string"}})")
                .find("implicit field name 'order' is taken"),
            std::string::npos);
}

TEST(CatalogTest, FieldTypeErrorsNameTheField) {
  EXPECT_EQ(ErrorOf(R"({"Order": {"name": "strng"}})"),
            "unknown type 'strng' in Order.name (expected string, int, float, decimal(p,s), "
            "boolean, timestamp, date, variant, or a relation '-> Type')");
  EXPECT_EQ(ErrorOf(R"({"Order": {"total": "decimal(40,2)!"}})"),
            "bad decimal precision 40 in Order.total: precision must be 1..38");
  EXPECT_EQ(ErrorOf(R"({"Order": {"total": 5}})"),
            "Order.total: expected a type string such as \"string!\" or \"-> Customer\", got "
            "int");
}

TEST(CatalogTest, CollectionErrors) {
  EXPECT_EQ(ErrorOf(R"({"Order": {"total": "int", "$indexes": ["total"]}})"),
            "unknown directive '$indexes' in collection Order (collections accept $type and "
            "$ingest; views are entries with $from)");
  EXPECT_NE(ErrorOf(R"({"Order": {"total": "int", "$filter": {}}})")
                .find("collection Order has view directive '$filter' but no $from"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"Order": {"$id": "string"}})").find("'$id' is a system field"),
            std::string::npos);
  for (const char* f : {"version", "createdAt", "updatedAt"}) {
    EXPECT_NE(ErrorOf(std::string(R"({"Order": {")") + f + R"(": "int"}})")
                  .find("'" + std::string(f) +
                        "' is a system field and cannot be declared in "
                        "Order"),
              std::string::npos)
        << f;
  }
  EXPECT_NE(ErrorOf(R"({"Order": {"a.b": "int"}})").find("may not contain '.'"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"Order": {"0": "int"}})").find("all-digit"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"Order": {"": "int"}})").find("empty field name in Order"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"Order": {"$type": 5}})").find("$type of Order must be an identifier"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"Order": {"$ingest": ""}})").find("$ingest of Order"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"Order-Items": {}})").find("bad schema entry name 'Order-Items'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"Order": 5})").find("schema entry Order must be an object"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"([1])").find("schema must be an object"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"Order": )").find("schema JSON"), std::string::npos);
  EXPECT_EQ(ErrorOf(R"({"A": {"$type": "Thing"}, "B": {"$type": "Thing"}})"),
            "duplicate $type 'Thing' (used by A and B)");
  EXPECT_EQ(ErrorOf(R"({"A": {"$type": "B"}, "B": {}})"),
            "$type 'B' of A conflicts with the schema entry named 'B'");
}

TEST(CatalogTest, ImportErrors) {
  EXPECT_EQ(ErrorOf(R"({"TailEvents": "parquedb/tails"})"),
            "unknown module 'parquedb/tails' imported as TailEvents (known modules: "
            "parquedb/ai-sdk, parquedb/evalite, parquedb/tail)");
  EXPECT_EQ(ErrorOf(R"({"TailEvent": "parquedb/tail"})"),
            "module 'parquedb/tail' has no export 'TailEvent' (exports: TailEvents; the schema "
            "key must be the export name)");
  EXPECT_EQ(ErrorOf(R"({"EvalRuns": "parquedb/ai-sdk"})"),
            "module 'parquedb/ai-sdk' has no export 'EvalRuns' (exports: AIRequests, "
            "Generations; the schema key must be the export name)");
}

TEST(CatalogTest, BuiltinsInlineUnderAnyKey) {
  Value::Object schema;
  schema.emplace_back("Events", tail::TailEvents());
  schema.emplace_back("Requests", ai_sdk::AIRequests());
  schema.emplace_back("Gens", ai_sdk::Generations());
  schema.emplace_back("Runs", evalite::EvalRuns());
  schema.emplace_back("Scores", evalite::EvalScores());
  schema.emplace_back("Errors", *Value::ParseJson(R"({"$from": "Events"})"));
  auto cat = Catalog::Parse(Value::MakeObject(std::move(schema)));
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  const CollectionDef* events = cat->FindCollection("Events");
  EXPECT_EQ(events->type_name(), "TailEvent");
  EXPECT_EQ(events->ingest(), "tail");
  EXPECT_EQ(events->module(), "");
  EXPECT_EQ(cat->FindCollectionByType("EvalScore"), cat->FindCollection("Scores"));
  EXPECT_EQ(cat->FindCollection("Requests")->FindField("cached")->type.ToString(), "boolean!");
  // Imported and inline forms describe the same collection.
  const Catalog imported = MustParseJson(R"({"TailEvents": "parquedb/tail"})");
  EXPECT_EQ(imported.collections()[0].fields(), events->fields());
  // Canonical types drop the default '?'.
  EXPECT_EQ(events->ToValue().ToJsonString(),
            R"({"$type":"TailEvent","scriptName":"string!","outcome":"string!",)"
            R"("eventTimestamp":"timestamp!","timestamp":"timestamp","event":"variant",)"
            R"("logs":"variant[]","exceptions":"variant[]","$ingest":"tail"})");

  EXPECT_EQ(BuiltinModules(), (std::vector<std::string_view>{"parquedb/ai-sdk", "parquedb/evalite",
                                                             "parquedb/tail"}));
  EXPECT_EQ(BuiltinModuleExports("parquedb/evalite"),
            (std::vector<std::string_view>{"EvalRuns", "EvalScores"}));
  EXPECT_TRUE(BuiltinModuleExports("nope").empty());
}

TEST(CatalogTest, ViewErrors) {
  EXPECT_EQ(ErrorOf(R"({"Order": {}, "V": {"$from": "Ordr"}})"),
            "unknown $from 'Ordr' in view V (known collections and views: Order, V)");
  EXPECT_EQ(ErrorOf(R"({"Order": {}, "V": {"$from": 3}})"),
            "$from of view V must be a non-empty string naming a collection or view, got int");
  EXPECT_EQ(ErrorOf(R"({"Order": {}, "A": {"$from": "B"}, "B": {"$from": "A"}})"),
            "view cycle: A -> B -> A");
  EXPECT_EQ(ErrorOf(R"({"Order": {}, "X": {"$from": "Order"}, "A": {"$from": "C"},
                      "B": {"$from": "A"}, "C": {"$from": "B"}})"),
            "view cycle: A -> C -> B -> A");
  EXPECT_EQ(ErrorOf(R"({"Loop": {"$from": "Loop"}})"), "view cycle: Loop -> Loop");
  // A chain leading into a cycle names just the cycle.
  EXPECT_EQ(ErrorOf(R"({"Z": {"$from": "A"}, "A": {"$from": "B"}, "B": {"$from": "A"}})"),
            "view cycle: A -> B -> A");
}

TEST(CatalogTest, TopologicalOrder) {
  const Catalog cat = MustParseJson(kSeedSchema);
  const std::vector<std::string> order = Names(cat.ViewsInTopologicalOrder());
  EXPECT_EQ(order, (std::vector<std::string>{"OrderAnalytics", "DailySales", "DailyAIUsage",
                                             "WorkerLogs", "WorkerErrors", "WorkerRequests",
                                             "AIErrors", "GeneratedObjects", "EvalTrends",
                                             "WeeklyAIUsage", "EndpointMetrics"}));
  auto pos = [&](const std::string& n) {
    return std::find(order.begin(), order.end(), n) - order.begin();
  };
  for (const ViewDef& v : cat.views()) {
    if (v.source_is_view()) {
      EXPECT_LT(pos(v.source()), pos(v.name())) << v.name();
    }
  }
  EXPECT_EQ(Names(cat.ViewsDependingOn("TailEvents")),
            (std::vector<std::string>{"WorkerLogs", "WorkerErrors", "WorkerRequests",
                                      "EndpointMetrics"}));
  EXPECT_EQ(Names(cat.ViewsDependingOn("DailyAIUsage")),
            (std::vector<std::string>{"WeeklyAIUsage"}));
  EXPECT_TRUE(cat.ViewsDependingOn("Customer").empty());

  // Deep chain declared in reverse.
  const Catalog chain = MustParseJson(R"({
    "D": {"$from": "C"}, "C": {"$from": "B"}, "B": {"$from": "A"}, "A": {"$from": "T"},
    "T": {"x": "int"}, "E": {"$from": "T"}
  })");
  EXPECT_EQ(Names(chain.ViewsInTopologicalOrder()),
            (std::vector<std::string>{"A", "E", "B", "C", "D"}));
  EXPECT_EQ(Names(chain.ViewsDependingOn("B")), (std::vector<std::string>{"C", "D"}));
}

TEST(CatalogTest, RoundTrip) {
  const Catalog cat = MustParseJson(kSeedSchema);
  const Value v = cat.ToValue();
  // Imports stay imports; implicit fields are not serialized; the order is declared.
  EXPECT_EQ(v.Find("TailEvents")->as_string(), "parquedb/tail");
  EXPECT_EQ(v.Find("OrderItem")->Find("order"), nullptr);
  EXPECT_EQ(v.Find("Order")->Find("items")->as_string(), "<- OrderItem[]");
  EXPECT_EQ(v.as_object()[0].first, "Customer");
  EXPECT_EQ(v.as_object().back().first, "EvalTrends");

  auto again = Catalog::Parse(v);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->ToValue().ToJsonString(), v.ToJsonString());
  ASSERT_EQ(again->collections().size(), cat.collections().size());
  for (size_t i = 0; i < cat.collections().size(); ++i) {
    const CollectionDef& a = cat.collections()[i];
    const CollectionDef& b = again->collections()[i];
    EXPECT_EQ(a.name(), b.name());
    EXPECT_EQ(a.type_name(), b.type_name());
    EXPECT_EQ(a.ingest(), b.ingest());
    EXPECT_EQ(a.module(), b.module());
    EXPECT_EQ(a.fields(), b.fields()) << a.name();
  }
  ASSERT_EQ(again->views().size(), cat.views().size());
  for (size_t i = 0; i < cat.views().size(); ++i) {
    EXPECT_EQ(cat.views()[i].name(), again->views()[i].name());
    EXPECT_EQ(cat.views()[i].Hash(), again->views()[i].Hash());
    EXPECT_EQ(cat.views()[i].definition(), again->views()[i].definition());
  }
  EXPECT_EQ(Names(again->ViewsInTopologicalOrder()), Names(cat.ViewsInTopologicalOrder()));

  // Through JSON text too, with aliases and $type normalized.
  const Catalog aliased = MustParseJson(R"({
    "Thing": {"$type": "Widget", "w": "double?", "j": "json[]", "c": "  ->Thing ! ",
              "$ingest": "custom"}
  })");
  const std::string text = aliased.ToValue().ToJsonString();
  EXPECT_EQ(text, R"({"Thing":{"$type":"Widget","w":"float","j":"variant[]","c":"-> Thing!",)"
                  R"("$ingest":"custom"}})");
  const Catalog reloaded = MustParseJson(text);
  EXPECT_EQ(reloaded.collections()[0].fields(), aliased.collections()[0].fields());
  EXPECT_EQ(reloaded.collections()[0].type_name(), "Widget");

  EXPECT_TRUE(MustParseJson("{}").ToValue().as_object().empty());
}

TEST(CatalogTest, ViewHash) {
  const Catalog a = MustParseJson(R"({"Order": {"status": "string", "total": "int"},
    "V": {"$from": "Order", "$groupBy": ["status"],
          "$compute": {"n": {"$count": "*"}, "sum": {"$sum": "total"}}}})");
  const Catalog reordered = MustParseJson(R"({"Order": {"status": "string", "total": "int"},
    "V": {"$compute": {"sum": {"$sum": "total"}, "n": {"$count": "*"}},
          "$groupBy": ["status"], "$from": "Order"}})");
  const Catalog changed = MustParseJson(R"({"Order": {"status": "string", "total": "int"},
    "V": {"$from": "Order", "$groupBy": ["status"],
          "$compute": {"n": {"$count": "*"}, "sum": {"$avg": "total"}}}})");
  const Catalog reordered_array = MustParseJson(R"({"Order": {"status": "string", "total": "int"},
    "V": {"$from": "Order", "$groupBy": ["total", "status"],
          "$compute": {"n": {"$count": "*"}, "sum": {"$sum": "total"}}}})");
  const ViewDef& v = a.views()[0];
  EXPECT_EQ(v.canonical_json(),
            R"({"$compute":{"n":{"$count":"*"},"sum":{"$sum":"total"}},"$from":"Order",)"
            R"("$groupBy":["status"]})");
  EXPECT_EQ(v.Hash(), reordered.views()[0].Hash());
  EXPECT_EQ(v.canonical_json(), reordered.views()[0].canonical_json());
  EXPECT_NE(v.Hash(), changed.views()[0].Hash());
  EXPECT_NE(v.Hash(), reordered_array.views()[0].Hash());
  // Pinned: the hash is persisted, so it must not change across builds.
  EXPECT_EQ(v.Hash(), 0x8e15ba0b35e8f893ull) << std::hex << v.Hash();
  EXPECT_EQ(CanonicalJson(*Value::ParseJson(R"({"b": [{"d": 1, "c": 2.5}], "a": null})")),
            R"({"a":null,"b":[{"c":2.5,"d":1}]})");
}

TEST(CatalogTest, SystemFields) {
  for (const char* f : {"$id", "$type", "createdAt", "updatedAt", "version"}) {
    EXPECT_TRUE(IsSystemField(f)) << f;
  }
  EXPECT_FALSE(IsSystemField("id"));
  EXPECT_FALSE(IsSystemField("timestamp"));
}

TEST(CatalogTest, CopiesAreIndependent) {
  Catalog copy;
  {
    const Catalog cat = MustParseJson(kSeedSchema);
    copy = cat;
  }
  const CollectionDef* order = copy.FindCollection("Order");
  ASSERT_NE(order, nullptr);
  EXPECT_EQ(order->FindField("total")->type.ToString(), "decimal(10,2)!");
  EXPECT_EQ(copy.ViewsInTopologicalOrder().back()->name(), "EndpointMetrics");
}

}  // namespace
}  // namespace parquedb::catalog
