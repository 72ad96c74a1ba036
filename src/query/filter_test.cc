// std::regex (used here only as an independent oracle) trips GCC 12's
// -Wmaybe-uninitialized inside libstdc++ when built with sanitizers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <algorithm>
#include "query/filter.h"

#include <functional>
#include <optional>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace parquedb::query {
namespace {

Value J(std::string_view text) {
  auto v = Value::ParseJson(text);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status().ToString();
  return v.ok() ? *v : Value();
}

Filter F(std::string_view spec) {
  auto f = Filter::ParseJson(spec);
  EXPECT_TRUE(f.ok()) << spec << ": " << f.status().ToString();
  return f.ok() ? *f : Filter();
}

bool M(std::string_view spec, std::string_view doc) { return F(spec).Matches(J(doc)); }

std::string ParseError(std::string_view spec) {
  auto f = Filter::ParseJson(spec);
  EXPECT_FALSE(f.ok()) << "accepted " << spec;
  if (f.ok()) return "";
  EXPECT_TRUE(f.status().IsInvalidArgument());
  return f.status().message();
}

// ------------------------------ targeted tests ------------------------------

TEST(FilterTest, EmptyFilterMatchesEverything) {
  EXPECT_TRUE(Filter().Matches(J("{}")));
  EXPECT_TRUE(Filter().Matches(J(R"({"a": 1})")));
  EXPECT_TRUE(M("{}", R"({"a": 1})"));
  EXPECT_EQ(Filter().spec().ToJsonString(), "{}");
  EXPECT_TRUE(Filter().Conjuncts().empty());
  EXPECT_TRUE(Filter().IsConjunctive());
}

TEST(FilterTest, ImplicitAndExplicitEquality) {
  const std::string doc = R"({"status": "paid", "total": 120, "n": null, "x": {"a": 1, "b": [2]}})";
  EXPECT_TRUE(M(R"({"status": "paid"})", doc));
  EXPECT_FALSE(M(R"({"status": "open"})", doc));
  EXPECT_TRUE(M(R"({"status": {"$eq": "paid"}})", doc));
  EXPECT_TRUE(M(R"({"total": 120.0})", doc));  // numbers across kinds
  EXPECT_TRUE(M(R"({"status": "paid", "total": 120})", doc));
  EXPECT_FALSE(M(R"({"status": "paid", "total": 121})", doc));
  // Whole-value equality for objects and arrays (member order matters, like Mongo).
  EXPECT_TRUE(M(R"({"x": {"a": 1, "b": [2]}})", doc));
  EXPECT_FALSE(M(R"({"x": {"b": [2], "a": 1}})", doc));
  EXPECT_FALSE(M(R"({"x": {"a": 1}})", doc));
  EXPECT_TRUE(M(R"({"x.b": [2]})", doc));
  EXPECT_TRUE(M(R"({"x": {"$eq": {"a": 1, "b": [2]}}})", doc));
  EXPECT_TRUE(M(R"({"x": {}})", R"({"x": {}})"));
  // Decimal fields equal JSON numbers.
  Value d = Value::MakeObject();
  d.Set("price", Value::Dec(*Decimal::FromString("19.90")));
  EXPECT_TRUE(F(R"({"price": 19.9})").Matches(d) == false);  // double 19.9 != decimal 19.90
  EXPECT_TRUE(F(R"({"price": {"$gt": 19.89, "$lt": 19.91}})").Matches(d));
  d.Set("qty", Value::Dec(*Decimal::FromString("3.00")));
  EXPECT_TRUE(F(R"({"qty": 3})").Matches(d));
}

TEST(FilterTest, NullAndMissing) {
  const std::string with_null = R"({"a": null})";
  const std::string missing = R"({"b": 1})";
  const std::string present = R"({"a": 5})";
  EXPECT_TRUE(M(R"({"a": null})", with_null));
  EXPECT_TRUE(M(R"({"a": null})", missing));  // Mongo: null matches missing
  EXPECT_FALSE(M(R"({"a": null})", present));
  EXPECT_FALSE(M(R"({"a": {"$ne": null}})", with_null));
  EXPECT_FALSE(M(R"({"a": {"$ne": null}})", missing));
  EXPECT_TRUE(M(R"({"a": {"$ne": null}})", present));
  // $ne / $nin match missing fields.
  EXPECT_TRUE(M(R"({"a": {"$ne": 5}})", missing));
  EXPECT_TRUE(M(R"({"a": {"$ne": 5}})", with_null));
  EXPECT_FALSE(M(R"({"a": {"$ne": 5}})", present));
  EXPECT_TRUE(M(R"({"a": {"$nin": [5, 6]}})", missing));
  EXPECT_FALSE(M(R"({"a": {"$nin": [5, 6]}})", present));
  EXPECT_FALSE(M(R"({"a": {"$nin": [null]}})", missing));
  EXPECT_TRUE(M(R"({"a": {"$in": [null, 7]}})", missing));
  // Comparisons never match missing.
  EXPECT_FALSE(M(R"({"a": {"$gt": 0}})", missing));
  EXPECT_FALSE(M(R"({"a": {"$lte": 100}})", missing));
  EXPECT_FALSE(M(R"({"a": {"$gte": 0}})", with_null));
  EXPECT_TRUE(M(R"({"a": {"$gte": null}})", with_null));
  EXPECT_FALSE(M(R"({"a": {"$gt": null}})", with_null));
  // Deeper paths through null / scalars are missing.
  EXPECT_TRUE(M(R"({"a.b": null})", with_null));
  EXPECT_TRUE(M(R"({"a.b": {"$exists": false}})", present));
  EXPECT_TRUE(M(R"({"a.b": {"$ne": 1}})", present));
}

TEST(FilterTest, Exists) {
  EXPECT_TRUE(M(R"({"a": {"$exists": true}})", R"({"a": null})"));  // null counts as present
  EXPECT_FALSE(M(R"({"a": {"$exists": false}})", R"({"a": null})"));
  EXPECT_TRUE(M(R"({"a": {"$exists": false}})", R"({"b": 1})"));
  EXPECT_FALSE(M(R"({"a": {"$exists": true}})", R"({"b": 1})"));
  EXPECT_TRUE(M(R"({"a": {"$exists": 1}})", R"({"a": 0})"));
  EXPECT_TRUE(M(R"({"a": {"$exists": 0}})", R"({})"));
  EXPECT_TRUE(M(R"({"a.0": {"$exists": true}})", R"({"a": [null]})"));
  EXPECT_FALSE(M(R"({"a.0": {"$exists": true}})", R"({"a": []})"));
  EXPECT_TRUE(
      M(R"({"logs.level": {"$exists": true}})", R"({"logs": [{"x": 1}, {"level": null}]})"));
  EXPECT_FALSE(M(R"({"logs.level": {"$exists": true}})", R"({"logs": [{"x": 1}, 5]})"));
  EXPECT_TRUE(M(R"({"logs.level": {"$exists": false}})", R"({"logs": []})"));
}

TEST(FilterTest, ArrayFanOut) {
  const std::string doc = R"({
    "tags": ["a", "b"],
    "logs": [{"level": "info", "n": 1}, {"level": "error", "n": 5}, "junk", [{"level": "deep"}]],
    "matrix": [[1, 2], [3]],
    "exceptions": [{"name": "E0", "frames": [{"fn": "f"}, {"fn": "g"}]}, {"name": "E1"}]
  })";
  EXPECT_TRUE(M(R"({"tags": "a"})", doc));
  EXPECT_TRUE(M(R"({"tags": "b"})", doc));
  EXPECT_FALSE(M(R"({"tags": "c"})", doc));
  EXPECT_TRUE(M(R"({"tags": ["a", "b"]})", doc));  // whole array
  EXPECT_FALSE(M(R"({"tags": ["b", "a"]})", doc));
  EXPECT_TRUE(M(R"({"tags": {"$in": ["c", "b"]}})", doc));
  EXPECT_FALSE(M(R"({"tags": {"$nin": ["c", "b"]}})", doc));
  EXPECT_TRUE(M(R"({"tags": {"$ne": "c"}})", doc));
  EXPECT_FALSE(M(R"({"tags": {"$ne": "a"}})", doc));  // negation of any-element equality
  EXPECT_TRUE(M(R"({"logs.level": "error"})", doc));
  EXPECT_FALSE(M(R"({"logs.level": "deep"})", doc));  // only one level of implicit fan-out
  EXPECT_TRUE(M(R"({"logs.n": {"$gt": 4}})", doc));
  EXPECT_FALSE(M(R"({"logs.n": {"$gt": 5}})", doc));
  // Each operator fans out independently (Mongo semantics, no $elemMatch).
  EXPECT_TRUE(M(R"({"logs.n": {"$gt": 2, "$lt": 3}})", doc));
  EXPECT_TRUE(M(R"({"logs.1.level": "error"})", doc));
  EXPECT_FALSE(M(R"({"logs.0.level": "error"})", doc));
  EXPECT_TRUE(M(R"({"logs.3.0.level": "deep"})", doc));
  EXPECT_TRUE(M(R"({"logs.3.level": "deep"})", doc));  // index, then fan-out
  EXPECT_TRUE(M(R"({"matrix": [3]})", doc));
  EXPECT_TRUE(M(R"({"matrix.0": 2})", doc));
  EXPECT_FALSE(M(R"({"matrix": 3})", doc));  // no fan-out into nested arrays
  EXPECT_TRUE(M(R"({"matrix.1.0": 3})", doc));
  EXPECT_TRUE(M(R"({"exceptions.0.name": "E0"})", doc));
  EXPECT_FALSE(M(R"({"exceptions.0.name": "E1"})", doc));
  EXPECT_TRUE(M(R"({"exceptions.frames.fn": "g"})", doc));  // two fan-outs
  EXPECT_TRUE(M(R"({"exceptions.name": {"$regex": "1$"}})", doc));
  EXPECT_FALSE(M(R"({"exceptions.5.name": {"$exists": true}})", doc));
  // An object member named "0" is found on objects.
  EXPECT_TRUE(M(R"({"o.0": "zero"})", R"({"o": {"0": "zero"}})"));
  // Missing in one branch: $eq null matches (Mongo), $exists still sees the present one.
  EXPECT_TRUE(M(R"({"logs.level": null})", R"({"logs": [{"level": "x"}, {}]})"));
  EXPECT_FALSE(M(R"({"logs.level": null})", R"({"logs": [{"level": "x"}]})"));
  EXPECT_FALSE(M(R"({"logs.level": null})", R"({"logs": []})"));
  EXPECT_TRUE(M(R"({"tags": null})", R"({"tags": [1, null]})"));
}

TEST(FilterTest, ComparisonsAndTypeBracketing) {
  EXPECT_TRUE(M(R"({"total": {"$gte": 100}})", R"({"total": 100})"));
  EXPECT_TRUE(M(R"({"total": {"$gte": 100}})", R"({"total": 100.5})"));
  EXPECT_FALSE(M(R"({"total": {"$gt": 100}})", R"({"total": 100.0})"));
  EXPECT_TRUE(M(R"({"total": {"$lt": 100}})", R"({"total": 99})"));
  EXPECT_TRUE(M(R"({"total": {"$lte": 99.0}})", R"({"total": 99})"));
  // Never across kinds.
  EXPECT_FALSE(M(R"({"total": {"$gt": 5}})", R"({"total": "10"})"));
  EXPECT_FALSE(M(R"({"total": {"$lt": "a"}})", R"({"total": 10})"));
  EXPECT_FALSE(M(R"({"total": {"$gt": 0}})", R"({"total": true})"));
  EXPECT_FALSE(M(R"({"total": {"$lt": 0}})", R"({"total": null})"));
  EXPECT_FALSE(M(R"({"total": {"$gt": null}})", R"({"total": 1})"));
  // Strings compare bytewise; bools within bools; arrays/objects within their bracket.
  EXPECT_TRUE(M(R"({"s": {"$gt": "abc"}})", R"({"s": "abd"})"));
  EXPECT_TRUE(M(R"({"s": {"$lt": "b"}})", R"({"s": "B"})"));
  EXPECT_TRUE(M(R"({"b": {"$gt": false}})", R"({"b": true})"));
  EXPECT_TRUE(M(R"({"a": {"$gt": [1, 2]}})", R"({"a": [1, 3]})"));
  EXPECT_TRUE(M(R"({"a": {"$gt": [1, 2]}})", R"({"a": [[1, 3]]})"));  // element
  EXPECT_TRUE(M(R"({"a": {"$gt": 2}})", R"({"a": [1, 3]})"));
  EXPECT_FALSE(M(R"({"a": {"$gt": 3}})", R"({"a": [1, 3]})"));
  EXPECT_TRUE(M(R"({"o": {"$gte": {"a": 1}}})", R"({"o": {"a": 1, "b": 2}})"));
  // Big integers compare exactly.
  EXPECT_FALSE(M(R"({"n": {"$gte": 9223372036854775808}})", R"({"n": 9223372036854775807})"));
  EXPECT_TRUE(M(R"({"n": {"$lt": 9223372036854775808}})", R"({"n": 9223372036854775807})"));
}

TEST(FilterTest, TimestampsAndDatesAgainstIsoStrings) {
  Value doc = Value::MakeObject();
  doc.Set("createdAt", Value::Timestamp(*ParseTimestampMicros("2024-01-15T10:30:00Z")));
  doc.Set("day", Value::Date(*ParseDateDays("2024-01-15")));
  doc.Set("label", Value::String("2024-01-15"));
  auto matches = [&](std::string_view spec) { return F(spec).Matches(doc); };
  EXPECT_TRUE(matches(R"({"createdAt": {"$gte": "2024-01-15"}})"));
  EXPECT_FALSE(matches(R"({"createdAt": {"$gte": "2024-01-16"}})"));
  EXPECT_TRUE(matches(R"({"createdAt": {"$lt": "2024-01-15T10:30:00.000001Z"}})"));
  EXPECT_TRUE(matches(R"({"createdAt": {"$gt": "2024-01-15T12:00:00+02:00"}})"));
  EXPECT_TRUE(matches(R"({"createdAt": "2024-01-15T10:30:00Z"})"));
  EXPECT_TRUE(matches(R"({"createdAt": "2024-01-15 12:30:00+02:00"})"));
  EXPECT_TRUE(matches(R"({"createdAt": {"$in": ["x", "2024-01-15T10:30:00.000Z"]}})"));
  EXPECT_FALSE(matches(R"({"createdAt": {"$nin": ["2024-01-15T10:30:00Z"]}})"));
  EXPECT_FALSE(matches(R"({"createdAt": {"$gte": "not a date"}})"));
  EXPECT_FALSE(matches(R"({"createdAt": {"$gte": 0}})"));  // numbers are another bracket
  EXPECT_TRUE(matches(R"({"createdAt": {"$ne": "2024-01-15"}})"));
  EXPECT_TRUE(matches(R"({"day": "2024-01-15"})"));
  EXPECT_TRUE(matches(R"({"day": {"$gt": "2024-01-14", "$lte": "2024-01-15"}})"));
  EXPECT_FALSE(matches(R"({"day": {"$gte": "2024-01-15T00:00:00Z"}})"));  // not a date literal
  EXPECT_TRUE(matches(R"({"day": {"$in": ["2024-01-15"]}})"));
  // String fields stay strings.
  EXPECT_TRUE(matches(R"({"label": {"$gte": "2024-01-15"}})"));
  EXPECT_FALSE(matches(R"({"label": {"$gte": "2024-01-16"}})"));
  // Public helper used by planners.
  EXPECT_EQ(CompareWithLiteral(Value::Timestamp(0), Value::String("1970-01-01")), 0);
  EXPECT_EQ(CompareWithLiteral(Value::Date(1), Value::String("1970-01-01")), 1);
  EXPECT_FALSE(CompareWithLiteral(Value::Int(1), Value::String("1")).has_value());
  EXPECT_EQ(CompareWithLiteral(Value::Int(1), Value::Double(1.5)), -1);
}

TEST(FilterTest, InAndNin) {
  EXPECT_TRUE(M(R"({"a": {"$in": [1, 2, 3]}})", R"({"a": 2.0})"));
  EXPECT_FALSE(M(R"({"a": {"$in": []}})", R"({"a": 2})"));
  EXPECT_TRUE(M(R"({"a": {"$nin": []}})", R"({"a": 2})"));
  EXPECT_TRUE(M(R"({"a": {"$in": [[1, 2]]}})", R"({"a": [1, 2]})"));
  EXPECT_TRUE(M(R"({"a": {"$in": [{"x": 1}]}})", R"({"a": [{"x": 1}]})"));
  EXPECT_TRUE(M(R"({"a": {"$in": ["x", 1, "x", 1.0]}})", R"({"a": 1})"));
  // Many literals: binary search path.
  std::string big = R"({"a": {"$in": [)";
  for (int i = 0; i < 1000; ++i) big += std::to_string(i * 2) + ",";
  big += R"("end"]}})";
  const Filter f = F(big);
  EXPECT_TRUE(f.Matches(J(R"({"a": 1998})")));
  EXPECT_FALSE(f.Matches(J(R"({"a": 1999})")));
  EXPECT_TRUE(f.Matches(J(R"({"a": "end"})")));
}

TEST(FilterTest, Regex) {
  EXPECT_TRUE(M(R"({"name": {"$regex": "^Al"}})", R"({"name": "Alice"})"));
  EXPECT_FALSE(M(R"({"name": {"$regex": "^al"}})", R"({"name": "Alice"})"));
  EXPECT_TRUE(M(R"({"name": {"$regex": "^al", "$options": "i"}})", R"({"name": "Alice"})"));
  EXPECT_TRUE(M(R"({"name": {"$options": "i", "$regex": "^al"}})", R"({"name": "Alice"})"));
  EXPECT_TRUE(M(R"({"t": {"$regex": "^b$", "$options": "m"}})", R"({"t": "a\nb"})"));
  EXPECT_FALSE(M(R"({"t": {"$regex": "^b$"}})", R"({"t": "a\nb"})"));
  EXPECT_TRUE(M(R"({"t": {"$regex": "a.b", "$options": "s"}})", R"({"t": "a\nb"})"));
  EXPECT_TRUE(M(R"({"t": {"$regex": "a b # c", "$options": "x"}})", R"({"t": "ab"})"));
  EXPECT_FALSE(M(R"({"t": {"$regex": "1"}})", R"({"t": 1})"));  // only strings
  EXPECT_TRUE(M(R"({"t": {"$regex": "^b"}})", R"({"t": ["a", "bc"]})"));
  EXPECT_FALSE(M(R"({"t": {"$regex": ""}})", R"({})"));
  EXPECT_TRUE(M(R"({"t": {"$not": {"$regex": "^a"}}})", R"({})"));
  EXPECT_TRUE(M(R"({"t": {"$not": {"$regex": "^a"}}})", R"({"t": "ba"})"));
  EXPECT_FALSE(M(R"({"t": {"$not": {"$regex": "^A", "$options": "i"}}})", R"({"t": "ab"})"));
}

TEST(FilterTest, LogicalOperators) {
  const std::string doc = R"({"a": 1, "b": "x"})";
  EXPECT_TRUE(M(R"({"$or": [{"a": 2}, {"b": "x"}]})", doc));
  EXPECT_FALSE(M(R"({"$or": [{"a": 2}, {"b": "y"}]})", doc));
  EXPECT_TRUE(M(R"({"$and": [{"a": 1}, {"b": "x"}]})", doc));
  EXPECT_FALSE(M(R"({"$and": [{"a": 1}, {"b": "y"}]})", doc));
  EXPECT_TRUE(M(R"({"$nor": [{"a": 2}, {"b": "y"}]})", doc));
  EXPECT_FALSE(M(R"({"$nor": [{"a": 1}, {"b": "y"}]})", doc));
  EXPECT_TRUE(M(R"({"a": {"$not": {"$gt": 1}}})", doc));
  EXPECT_FALSE(M(R"({"a": {"$not": {"$gte": 1}}})", doc));
  EXPECT_TRUE(M(R"({"c": {"$not": {"$gt": 1}}})", doc));  // $not matches missing
  EXPECT_TRUE(M(R"({"a": {"$not": {"$gt": 5, "$lt": 0}}})", doc));
  EXPECT_TRUE(M(R"({"$not": {"a": 2}})", doc));
  EXPECT_FALSE(M(R"({"$not": {"a": 1, "b": "x"}})", doc));
  EXPECT_TRUE(
      M(R"({"$or": [{"$and": [{"a": 1}, {"$nor": [{"b": "z"}]}]}], "a": {"$in": [1]}})", doc));
}

TEST(FilterTest, ParseErrorsNameOperatorAndPath) {
  auto has = [](const std::string& msg, std::initializer_list<const char*> parts) {
    for (const char* p : parts) {
      if (msg.find(p) == std::string::npos) return ::testing::AssertionFailure() << msg;
    }
    return ::testing::AssertionSuccess();
  };
  EXPECT_TRUE(has(ParseError(R"({"a.b": {"$foo": 1}})"), {"unknown operator '$foo'", "'a.b'"}));
  EXPECT_TRUE(has(ParseError(R"({"$foo": 1})"), {"unknown top-level operator '$foo'"}));
  EXPECT_TRUE(has(ParseError(R"({"$where": "1"})"), {"'$where'"}));
  EXPECT_TRUE(has(ParseError(R"({"x": {"$in": 5}})"), {"$in", "'x'", "array", "int"}));
  EXPECT_TRUE(has(ParseError(R"({"x": {"$nin": "a"}})"), {"$nin", "'x'", "string"}));
  EXPECT_TRUE(has(ParseError(R"({"$and": {"a": 1}})"), {"$and", "non-empty array", "object"}));
  EXPECT_TRUE(has(ParseError(R"({"$or": []})"), {"$or", "empty array"}));
  EXPECT_TRUE(has(ParseError(R"({"$nor": [1]})"), {"$nor", "element 0", "int"}));
  EXPECT_TRUE(has(ParseError(R"({"$or": [{"a": {"$bad": 1}}]})"), {"$bad", "'a'"}));
  EXPECT_TRUE(has(ParseError(R"({"$or": [{"$and": [{"$zz": 1}]}]})"), {"$zz", "$or[0].$and[0]"}));
  EXPECT_TRUE(has(ParseError(R"({"r": {"$regex": "(a"}})"), {"$regex", "'r'", "missing ')'"}));
  EXPECT_TRUE(has(ParseError(R"({"r": {"$regex": 5}})"), {"$regex", "'r'", "string"}));
  EXPECT_TRUE(has(ParseError(R"({"r": {"$regex": "a", "$options": "q"}})"),
                  {"$regex", "'r'", "option 'q'"}));
  EXPECT_TRUE(has(ParseError(R"({"r": {"$regex": "a", "$options": 1}})"), {"$options", "'r'"}));
  EXPECT_TRUE(has(ParseError(R"({"r": {"$options": "i"}})"), {"$options", "'r'", "$regex"}));
  EXPECT_TRUE(has(ParseError(R"({"e": {"$exists": "yes"}})"), {"$exists", "'e'", "bool"}));
  EXPECT_TRUE(has(ParseError(R"({"n": {"$not": 5}})"), {"$not", "'n'"}));
  EXPECT_TRUE(has(ParseError(R"({"n": {"$not": {"a": 1}}})"), {"$not", "'n'"}));
  EXPECT_TRUE(has(ParseError(R"({"n": {"$not": {}}})"), {"$not", "'n'"}));
  EXPECT_TRUE(has(ParseError(R"({"m": {"$gt": 1, "x": 2}})"), {"mix", "'m'", "'x'"}));
  EXPECT_TRUE(has(ParseError(R"({"a..b": 1})"), {"empty field name", "'a..b'"}));
  EXPECT_TRUE(has(ParseError(R"({"": 1})"), {"empty field name"}));
  EXPECT_TRUE(has(ParseError(R"({"a": {"$size": 1}})"), {"unknown operator '$size'"}));
  EXPECT_TRUE(has(ParseError(R"([1])"), {"filter object", "array"}));
  EXPECT_TRUE(has(ParseError(R"({"a": )"), {"filter: invalid JSON at byte"}));
  std::string deep;
  for (int i = 0; i < 150; ++i) deep += R"({"$and": [)";
  deep += "{}";
  for (int i = 0; i < 150; ++i) deep += "]}";
  EXPECT_TRUE(has(ParseError(deep), {"nesting deeper than 100"}));
  std::string deep_not = R"({"a": )";
  for (int i = 0; i < 150; ++i) deep_not += R"({"$not": )";
  deep_not += R"({"$gt": 1})";
  for (int i = 0; i < 151; ++i) deep_not += "}";
  EXPECT_TRUE(has(ParseError(deep_not), {"nesting deeper than 100", "'a'"}));
}

TEST(FilterTest, SpecAndConjuncts) {
  const Filter f = F(R"({"status": "paid", "total": {"$gte": 100, "$lt": 500},
      "$and": [{"region": {"$in": ["eu", "us"]}}, {"$and": [{"n": {"$exists": true}}]}],
      "name": {"$regex": "^A", "$options": "i"}})");
  EXPECT_EQ(f.spec().Find("status")->as_string(), "paid");
  const std::vector<Predicate> c = f.Conjuncts();
  ASSERT_EQ(c.size(), 6u);
  EXPECT_EQ(c[0].path, "status");
  EXPECT_EQ(c[0].op, PredicateOp::kEq);
  EXPECT_EQ(c[0].literal.as_string(), "paid");
  EXPECT_EQ(c[1].path, "total");
  EXPECT_EQ(c[1].op, PredicateOp::kGte);
  EXPECT_EQ(c[1].literal.as_int(), 100);
  EXPECT_EQ(c[2].op, PredicateOp::kLt);
  EXPECT_EQ(c[3].path, "region");
  EXPECT_EQ(c[3].op, PredicateOp::kIn);
  EXPECT_EQ(c[3].literal.ToJsonString(), R"(["eu","us"])");
  EXPECT_EQ(c[4].op, PredicateOp::kExists);
  EXPECT_TRUE(c[4].literal.as_bool());
  EXPECT_EQ(c[5].op, PredicateOp::kRegex);
  EXPECT_EQ(c[5].literal.as_string(), "^A");
  EXPECT_EQ(c[5].regex_options, "i");
  EXPECT_TRUE(f.IsConjunctive());
  EXPECT_EQ(PredicateOpName(PredicateOp::kGte), "$gte");

  const Filter g = F(R"({"a": 1, "$or": [{"b": 1}, {"c": 1}], "d": {"$not": {"$gt": 1}}})");
  ASSERT_EQ(g.Conjuncts().size(), 1u);
  EXPECT_EQ(g.Conjuncts()[0].path, "a");
  EXPECT_FALSE(g.IsConjunctive());
  EXPECT_EQ(F(R"({"e": {"$exists": 0}})").Conjuncts()[0].literal.as_bool(), false);
}

TEST(FilterTest, CopiesShareCompiledForm) {
  Filter a = F(R"({"x": {"$regex": "^a"}})");
  Filter b = a;
  EXPECT_TRUE(b.Matches(J(R"({"x": "abc"})")));
  a = Filter();
  EXPECT_TRUE(b.Matches(J(R"({"x": "abc"})")));
  EXPECT_TRUE(a.Matches(J(R"({"x": "zzz"})")));
}

TEST(FilterTest, NonObjectDocumentsHaveNoFields) {
  const Filter f = F(R"({"a": {"$exists": false}})");
  EXPECT_TRUE(f.Matches(Value::Int(3)));
  EXPECT_TRUE(f.Matches(J("[{\"a\": 1}]")) == false);  // arrays fan out like any array step
  EXPECT_FALSE(F(R"({"a": 1})").Matches(Value::Null()));
}

// ------------------------------ reference model ------------------------------
// A deliberately naive interpretation of the semantics in filter.h, sharing no code with
// the engine: it materializes every path outcome and re-parses literals on each use.

struct RefOutcome {
  bool present;
  Value value;
};

bool RefIsIndex(const std::string& s) {
  if (s.empty() || s.size() > 18) return false;
  if (s.size() > 1 && s[0] == '0') return false;
  for (char c : s) {
    if (!isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::vector<std::string> RefSplit(const std::string& path) {
  std::vector<std::string> out(1);
  for (char c : path) {
    if (c == '.') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

void RefResolve(const Value& v, const std::vector<std::string>& segs, size_t i,
                std::vector<RefOutcome>* out) {
  if (i == segs.size()) {
    out->push_back({true, v});
    return;
  }
  if (v.kind() == Value::Kind::kObject) {
    bool found = false;
    for (const auto& [k, child] : v.as_object()) {
      if (k == segs[i]) {
        RefResolve(child, segs, i + 1, out);
        found = true;
      }
    }
    if (!found) out->push_back({false, Value()});
  } else if (v.kind() == Value::Kind::kArray) {
    if (RefIsIndex(segs[i])) {
      const size_t idx = std::stoull(segs[i]);
      if (idx < v.as_array().size()) {
        RefResolve(v.as_array()[idx], segs, i + 1, out);
      } else {
        out->push_back({false, Value()});
      }
    } else {
      for (const Value& e : v.as_array()) {
        if (e.kind() == Value::Kind::kObject) RefResolve(e, segs, i, out);
      }
    }
  } else {
    out->push_back({false, Value()});
  }
}

std::vector<Value> RefCandidates(const Value& v) {
  std::vector<Value> c = {v};
  if (v.kind() == Value::Kind::kArray) {
    for (const Value& e : v.as_array()) c.push_back(e);
  }
  return c;
}

bool RefIsNumber(const Value& v) { return v.is_number(); }

std::optional<int> RefCompare(const Value& y, const Value& lit) {
  if ((RefIsNumber(y) && RefIsNumber(lit)) || y.kind() == lit.kind()) {
    const int c = Value::Compare(y, lit);
    return (c > 0) - (c < 0);
  }
  if (y.kind() == Value::Kind::kTimestamp && lit.kind() == Value::Kind::kString) {
    auto t = ParseTimestampMicros(lit.as_string());
    if (t.ok()) return y.as_int() < *t ? -1 : (y.as_int() > *t ? 1 : 0);
  }
  if (y.kind() == Value::Kind::kDate && lit.kind() == Value::Kind::kString) {
    auto d = ParseDateDays(lit.as_string());
    if (d.ok()) return y.as_date() < *d ? -1 : (y.as_date() > *d ? 1 : 0);
  }
  if (y.kind() == Value::Kind::kDecimal && lit.kind() == Value::Kind::kString) {
    auto d = Decimal::FromString(lit.as_string());
    if (d.ok()) {
      const int c = Value::Compare(y, Value::Dec(*d));
      return (c > 0) - (c < 0);
    }
  }
  return std::nullopt;
}

bool RefEquals(const Value& y, const Value& lit) {
  auto c = RefCompare(y, lit);
  return c && *c == 0;
}

bool RefRegex(const Value& y, const std::string& pattern, const std::string& options) {
  if (y.kind() != Value::Kind::kString) return false;
  auto flags = std::regex::ECMAScript;
  if (options.find('i') != std::string::npos) flags |= std::regex::icase;
  if (options.find('m') != std::string::npos) flags |= std::regex::multiline;
  return std::regex_search(y.as_string(), std::regex(pattern, flags));
}

bool RefMatches(const Value& doc, const Value& spec);

bool RefOp(const Value& doc, const std::string& path, const std::string& op, const Value& arg,
           const Value& cond) {
  std::vector<RefOutcome> outs;
  RefResolve(doc, RefSplit(path), 0, &outs);
  auto any = [&](const std::function<bool(const RefOutcome&)>& f) {
    for (const auto& o : outs) {
      if (f(o)) return true;
    }
    return false;
  };
  auto any_candidate = [&](const std::function<bool(const Value&)>& f) {
    return any([&](const RefOutcome& o) {
      if (!o.present) return false;
      for (const Value& c : RefCandidates(o.value)) {
        if (f(c)) return true;
      }
      return false;
    });
  };
  if (op == "$eq" || op == "$ne") {
    const bool eq = any([&](const RefOutcome& o) {
      if (!o.present) return arg.is_null();
      for (const Value& c : RefCandidates(o.value)) {
        if (RefEquals(c, arg)) return true;
      }
      return false;
    });
    return op == "$eq" ? eq : !eq;
  }
  if (op == "$in" || op == "$nin") {
    bool in = false;
    for (const Value& lit : arg.as_array()) {
      in = in || any([&](const RefOutcome& o) {
             if (!o.present) return lit.is_null();
             for (const Value& c : RefCandidates(o.value)) {
               if (RefEquals(c, lit)) return true;
             }
             return false;
           });
    }
    return op == "$in" ? in : !in;
  }
  if (op == "$gt")
    return any_candidate([&](const Value& c) {
      auto r = RefCompare(c, arg);
      return r && *r > 0;
    });
  if (op == "$gte")
    return any_candidate([&](const Value& c) {
      auto r = RefCompare(c, arg);
      return r && *r >= 0;
    });
  if (op == "$lt")
    return any_candidate([&](const Value& c) {
      auto r = RefCompare(c, arg);
      return r && *r < 0;
    });
  if (op == "$lte")
    return any_candidate([&](const Value& c) {
      auto r = RefCompare(c, arg);
      return r && *r <= 0;
    });
  if (op == "$exists") {
    const bool want = arg.kind() == Value::Kind::kBool ? arg.as_bool() : arg.as_double() != 0;
    return any([](const RefOutcome& o) { return o.present; }) == want;
  }
  if (op == "$regex") {
    const Value* opts = cond.Find("$options");
    const std::string options = opts ? opts->as_string() : "";
    return any_candidate([&](const Value& c) { return RefRegex(c, arg.as_string(), options); });
  }
  if (op == "$options") return true;
  if (op == "$not") {
    for (const auto& [k, v] : arg.as_object()) {
      if (!RefOp(doc, path, k, v, arg)) return true;
    }
    return false;
  }
  ADD_FAILURE() << "reference: unknown op " << op;
  return false;
}

bool RefMatches(const Value& doc, const Value& spec) {
  for (const auto& [key, v] : spec.as_object()) {
    bool ok;
    if (key == "$and") {
      ok = true;
      for (const Value& s : v.as_array()) ok = ok && RefMatches(doc, s);
    } else if (key == "$or") {
      ok = false;
      for (const Value& s : v.as_array()) ok = ok || RefMatches(doc, s);
    } else if (key == "$nor") {
      ok = true;
      for (const Value& s : v.as_array()) ok = ok && !RefMatches(doc, s);
    } else if (key == "$not") {
      ok = !RefMatches(doc, v);
    } else {
      bool is_ops = v.kind() == Value::Kind::kObject && !v.as_object().empty() &&
                    v.as_object()[0].first[0] == '$';
      if (is_ops) {
        ok = true;
        for (const auto& [op, arg] : v.as_object()) ok = ok && RefOp(doc, key, op, arg, v);
      } else {
        ok = RefOp(doc, key, "$eq", v, v);
      }
    }
    if (!ok) return false;
  }
  return true;
}

// ------------------------------ random generation ------------------------------

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}

  size_t Pick(size_t n) { return static_cast<size_t>(rng_() % n); }
  bool Chance(int percent) { return static_cast<int>(rng_() % 100) < percent; }

  Value Scalar() {
    static const int64_t kTs = 1705314600000000;  // 2024-01-15T10:30:00Z
    switch (Pick(22)) {
      case 0:
        return Value::Null();
      case 1:
        return Value::Bool(false);
      case 2:
        return Value::Bool(true);
      case 3:
        return Value::Int(0);
      case 4:
        return Value::Int(1);
      case 5:
        return Value::Int(2);
      case 6:
        return Value::Int(-1);
      case 7:
        return Value::Double(1.0);
      case 8:
        return Value::Double(1.5);
      case 9:
        return Value::Double(-0.0);
      case 10:
        return Value::Dec(*Decimal::FromString("1.00"));
      case 11:
        return Value::Dec(*Decimal::FromString("1.50"));
      case 12:
        return Value::String("a");
      case 13:
        return Value::String("b");
      case 14:
        return Value::String("ab");
      case 15:
        return Value::String("");
      case 16:
        return Value::String("2024-01-15");
      case 17:
        return Value::String("2024-01-15T10:30:00Z");
      case 18:
        return Value::Timestamp(kTs);
      case 19:
        return Value::Timestamp(kTs + 3600000000LL);
      case 20:
        return Value::Date(19737);
      default:
        return Value::Date(19736);
    }
  }

  std::string Key() {
    static const char* kKeys[] = {"a", "b", "c", "0", "1"};
    return kKeys[Pick(std::size(kKeys))];
  }

  Value Doc(int depth) {
    Value o = Value::MakeObject();
    for (size_t n = Pick(4); n > 0; --n) o.Set(Key(), Any(depth));
    return o;
  }

  Value Any(int depth) {
    if (depth <= 0) return Scalar();
    switch (Pick(6)) {
      case 0: {
        Value::Array a;
        for (size_t n = Pick(4); n > 0; --n) a.push_back(Any(depth - 1));
        return Value::MakeArray(std::move(a));
      }
      case 1:
        return Doc(depth - 1);
      default:
        return Scalar();
    }
  }

  std::string Path() {
    std::string p = Key();
    for (size_t n = Pick(3); n > 0; --n) p += "." + Key();
    return p;
  }

  Value Literal() { return Chance(85) ? Scalar() : Any(2); }

  Value OperatorObject(int depth) {
    static const char* kOps[] = {"$eq", "$ne",  "$gt",     "$gte",   "$lt", "$lte",
                                 "$in", "$nin", "$exists", "$regex", "$not"};
    Value ops = Value::MakeObject();
    for (size_t n = 1 + Pick(2); n > 0; --n) {
      std::string op = kOps[Pick(std::size(kOps))];
      if (op == "$not" && depth <= 0) op = "$ne";
      if (op == "$in" || op == "$nin") {
        Value::Array a;
        for (size_t k = Pick(4); k > 0; --k) a.push_back(Literal());
        ops.Set(op, Value::MakeArray(std::move(a)));
      } else if (op == "$exists") {
        ops.Set(op, Value::Bool(Chance(50)));
      } else if (op == "$regex") {
        static const char* kPatterns[] = {"a",       "^a",   "b$", "^$", "a|b",
                                          "^[ab]+$", "2024", ".",  "^A"};
        ops.Set(op, Value::String(kPatterns[Pick(std::size(kPatterns))]));
        if (Chance(30)) ops.Set("$options", Value::String("i"));
      } else if (op == "$not") {
        ops.Set(op, OperatorObject(depth - 1));
      } else {
        ops.Set(op, Literal());
      }
    }
    return ops;
  }

  Value FilterSpec(int depth) {
    Value spec = Value::MakeObject();
    for (size_t n = Pick(3) + (depth > 1 ? 1 : 0); n > 0; --n) {
      const size_t kind = Pick(depth > 0 ? 8 : 5);
      if (kind < 2) {
        spec.Set(Path(), Literal());
      } else if (kind < 5) {
        spec.Set(Path(), OperatorObject(1));
      } else if (kind < 7) {
        static const char* kLogical[] = {"$and", "$or", "$nor"};
        Value::Array kids;
        for (size_t k = 1 + Pick(3); k > 0; --k) kids.push_back(FilterSpec(depth - 1));
        spec.Set(kLogical[Pick(3)], Value::MakeArray(std::move(kids)));
      } else {
        spec.Set("$not", FilterSpec(depth - 1));
      }
    }
    return spec;
  }

 private:
  std::mt19937_64 rng_;
};

TEST(FilterPropertyTest, EngineAgreesWithReference) {
  Gen gen(20240115);
  std::vector<Value> docs;
  for (int i = 0; i < 400; ++i) docs.push_back(gen.Doc(3));
  size_t evaluations = 0, matches = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    const Value spec = gen.FilterSpec(2);
    auto filter = Filter::Parse(spec);
    ASSERT_TRUE(filter.ok()) << spec.ToJsonString() << ": " << filter.status().ToString();
    // Through JSON text too (decimal/timestamp/date literals become strings there).
    const Value spec2 = J(spec.ToJsonString());
    auto filter2 = Filter::ParseJson(spec.ToJsonString());
    ASSERT_TRUE(filter2.ok()) << spec.ToJsonString();
    for (int k = 0; k < 15; ++k) {
      const Value& doc = docs[gen.Pick(docs.size())];
      const bool expected = RefMatches(doc, spec);
      ASSERT_EQ(filter->Matches(doc), expected)
          << "filter " << spec.ToJsonString() << "\ndoc " << doc.ToJsonString();
      ASSERT_EQ(filter2->Matches(doc), RefMatches(doc, spec2))
          << "filter " << spec2.ToJsonString() << "\ndoc " << doc.ToJsonString();
      // Conjuncts are necessary conditions: each holds alone on every match.
      if (expected) {
        for (const Predicate& p : filter->Conjuncts()) {
          Value single = Value::MakeObject();
          Value op = Value::MakeObject();
          op.Set(PredicateOpName(p.op), p.literal);
          if (p.op == PredicateOp::kRegex && !p.regex_options.empty()) {
            op.Set("$options", Value::String(p.regex_options));
          }
          single.Set(p.path, op);
          ASSERT_TRUE(Filter::Parse(single)->Matches(doc)) << single.ToJsonString();
        }
      }
      // The outcome depends only on the referenced top-level fields (late
      // materialization evaluates filters on such partial documents).
      Value partial = Value::MakeObject();
      const std::vector<std::string> fields = filter->ReferencedFields();
      if (doc.kind() == Value::Kind::kObject) {
        for (const auto& [k, v] : doc.as_object()) {
          if (std::find(fields.begin(), fields.end(), k) != fields.end()) partial.Set(k, v);
        }
        ASSERT_EQ(filter->Matches(partial), expected)
            << "filter " << spec.ToJsonString() << "\npartial " << partial.ToJsonString();
      }
      ++evaluations;
      matches += expected;
    }
  }
  // The generator must exercise both outcomes substantially.
  EXPECT_GT(matches, evaluations / 10);
  EXPECT_LT(matches, evaluations * 9 / 10);
}

}  // namespace
}  // namespace parquedb::query

namespace parquedb::query {
namespace {

TEST(FilterSystemFields, IdAndTypeAreFields) {
  Value doc = *Value::ParseJson(R"J({"$id": "o1", "$type": "Order", "total": 5})J");
  auto f = Filter::ParseJson(R"J({"$id": "o1", "$type": {"$in": ["Order"]}})J");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(f->Matches(doc));
  EXPECT_FALSE(Filter::ParseJson(R"J({"$id": "o2"})J")->Matches(doc));
  EXPECT_FALSE(Filter::ParseJson(R"J({"$idx": 1})J").ok());
}

TEST(FilterCoercion, DecimalFieldsCompareWithDecimalStrings) {
  Value doc = Value::MakeObject();
  doc.Set("total", Value::Dec(*Decimal::FromString("1000.50")));
  EXPECT_TRUE(Filter::ParseJson(R"J({"total": {"$gt": "1000"}})J")->Matches(doc));
  EXPECT_TRUE(Filter::ParseJson(R"J({"total": "1000.5"})J")->Matches(doc));
  EXPECT_FALSE(Filter::ParseJson(R"J({"total": {"$lt": "1000.50"}})J")->Matches(doc));
  EXPECT_TRUE(Filter::ParseJson(R"J({"total": {"$in": ["7", "1000.500"]}})J")->Matches(doc));
  // Non-numeric strings stay in the string bracket: no match, no error.
  EXPECT_FALSE(Filter::ParseJson(R"J({"total": {"$gt": "abc"}})J")->Matches(doc));
}

}  // namespace
}  // namespace parquedb::query
