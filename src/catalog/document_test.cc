#include "catalog/document.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "catalog/catalog.h"

namespace parquedb::catalog {
namespace {

using Mode = CollectionDef::Mode;

constexpr std::string_view kSchema = R"json({
  "Customer": {"name": "string!", "email": "string!", "tier": "string?"},
  "Order": {
    "total": "decimal(10,2)!",
    "status": "string!",
    "customer": "-> Customer",
    "items": "<- OrderItem[]",
    "tags": "string[]",
    "notes": "variant",
    "placedAt": "timestamp",
    "due": "date",
    "weight": "float",
    "count": "int",
    "paid": "boolean",
    "related": "-> Order[]",
    "scores": "int[]!"
  },
  "OrderItem": {"quantity": "int!", "price": "decimal(10,2)!"}
})json";

class DocumentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = Catalog::ParseJson(kSchema);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(c).value();
    order_ = catalog_.FindCollection("Order");
  }

  Value Json(std::string_view text) {
    auto v = Value::ParseJson(text);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : Value();
  }

  Value Valid(std::string_view doc, Mode mode = Mode::kCreate) {
    auto r = order_->ValidateDocument(Json(doc), mode);
    EXPECT_TRUE(r.ok()) << doc << ": " << r.status().ToString();
    return r.ok() ? *r : Value();
  }

  std::string ErrorOf(std::string_view doc, Mode mode = Mode::kCreate) {
    auto r = order_->ValidateDocument(Json(doc), mode);
    EXPECT_FALSE(r.ok()) << "expected an error for " << doc;
    if (r.ok()) return "";
    EXPECT_TRUE(r.status().IsInvalidArgument());
    return r.status().message();
  }

  // A minimal valid order plus `extra` members (a JSON object body without braces).
  std::string Order(std::string_view extra) {
    std::string s = R"({"total": 1, "status": "new", "scores": [])";
    if (!extra.empty()) s += ", " + std::string(extra);
    return s + "}";
  }

  Catalog catalog_;
  const CollectionDef* order_ = nullptr;
};

TEST_F(DocumentTest, CanonicalForm) {
  const Value out = Valid(
      R"({"tags": ["a", "b"], "status": "paid", "$id": "o1", "total": "12.5",
          "customer": {"$id": "c1", "name": "Ann"}, "placedAt": "2024-01-15T10:30:00Z",
          "due": "2024-02-01", "weight": 3, "count": 2.0, "paid": true,
          "notes": {"any": [1, "x", null]}, "related": ["o2", {"$id": "o3"}],
          "scores": [1, 2], "createdAt": "whatever", "version": 7, "$type": "Order"})");
  EXPECT_EQ(out.ToJsonString(),
            R"({"$id":"o1","total":"12.50","status":"paid","customer":"c1","tags":["a","b"],)"
            R"("notes":{"any":[1,"x",null]},"placedAt":"2024-01-15T10:30:00.000000Z",)"
            R"("due":"2024-02-01","weight":3.0,"count":2,"paid":true,"related":["o2","o3"],)"
            R"("scores":[1,2]})");
  EXPECT_EQ(out.Find("total")->kind(), Value::Kind::kDecimal);
  EXPECT_EQ(out.Find("total")->as_decimal().scale, 2);
  EXPECT_EQ(out.Find("placedAt")->kind(), Value::Kind::kTimestamp);
  EXPECT_EQ(out.Find("placedAt")->as_int(), 1705314600000000);
  EXPECT_EQ(out.Find("due")->kind(), Value::Kind::kDate);
  EXPECT_EQ(out.Find("weight")->kind(), Value::Kind::kDouble);
  EXPECT_EQ(out.Find("count")->kind(), Value::Kind::kInt);
  EXPECT_EQ(out.Find("createdAt"), nullptr);
  EXPECT_EQ(out.Find("version"), nullptr);
  EXPECT_EQ(out.Find("$type"), nullptr);
}

TEST_F(DocumentTest, MissingAndNull) {
  // Absent optional arrays become [], other absent optional fields stay absent.
  Value out = Valid(Order(""));
  EXPECT_EQ(out.ToJsonString(), R"({"total":"1.00","status":"new","tags":[],"related":[],)"
                                R"("scores":[]})");
  // Explicit nulls: kept for optional scalars, [] for optional arrays.
  out = Valid(Order(R"("notes": null, "tags": null, "count": null)"));
  EXPECT_EQ(out.Find("notes")->kind(), Value::Kind::kNull);
  EXPECT_EQ(out.Find("count")->kind(), Value::Kind::kNull);
  EXPECT_EQ(out.Find("tags")->as_array().size(), 0u);
}

TEST_F(DocumentTest, RequiredFields) {
  EXPECT_EQ(ErrorOf(R"({"status": "new", "scores": []})"),
            "Order.total: required field is missing (decimal(10,2)!)");
  EXPECT_EQ(ErrorOf(R"({"total": null, "status": "new", "scores": []})"),
            "Order.total: required field is null (decimal(10,2)!)");
  EXPECT_EQ(ErrorOf(R"({"total": 1, "status": "new"})", Mode::kReplace),
            "Order.scores: required field is missing (int[]!)");
  EXPECT_EQ(ErrorOf(R"({"status": null})", Mode::kPatch),
            "Order.status: required field is null (string!)");
}

TEST_F(DocumentTest, Patch) {
  EXPECT_EQ(Valid(R"({"status": "shipped"})", Mode::kPatch).ToJsonString(),
            R"({"status":"shipped"})");
  EXPECT_EQ(Valid(R"({"tags": null, "notes": null})", Mode::kPatch).ToJsonString(),
            R"({"tags":[],"notes":null})");
  EXPECT_EQ(Valid("{}", Mode::kPatch).ToJsonString(), "{}");
  EXPECT_EQ(ErrorOf(R"({"total": "abc"})", Mode::kPatch)
                .rfind("Order.total: \"abc\" is not a valid decimal for decimal(10,2) (", 0),
            0u);
  EXPECT_NE(ErrorOf(R"({"bogus": 1})", Mode::kPatch).find("unknown field 'bogus' in Order"),
            std::string::npos);
}

TEST_F(DocumentTest, UnknownAndSystemFields) {
  EXPECT_EQ(ErrorOf(Order(R"("x": 1)")),
            "unknown field 'x' in Order (declared fields: total, status, customer, tags, "
            "notes, placedAt, due, weight, count, paid, related, scores)");
  EXPECT_NE(ErrorOf(Order(R"("$foo": 1)")).find("unknown system field '$foo' in Order"),
            std::string::npos);
  EXPECT_EQ(ErrorOf(Order(R"("items": [])")),
            "Order.items: reverse relation '<- OrderItem[]' is computed from OrderItem.order "
            "and cannot be written");
  EXPECT_EQ(ErrorOf(Order(R"("$id": 5)")), "Order.$id: expected a non-empty id string, got int 5");
  EXPECT_EQ(ErrorOf(Order(R"("$id": "")")),
            "Order.$id: expected a non-empty id string, got string \"\"");
  EXPECT_EQ(ErrorOf(Order(R"("$type": "Customer")")),
            "Order.$type: \"Customer\" does not match the collection's type 'Order'");
  EXPECT_EQ(ErrorOf("[1]"), "Order: a document must be an object, got array");
  // Implicit reverse-backing field shows up as declared on OrderItem.
  auto r =
      catalog_.FindCollection("OrderItem")->ValidateDocument(Json(R"({"x": 1})"), Mode::kPatch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "unknown field 'x' in OrderItem (declared fields: quantity, price, order)");
}

TEST_F(DocumentTest, WrongValueTypes) {
  EXPECT_EQ(ErrorOf(Order(R"("tags": "a")")), "Order.tags: expected string[], got string \"a\"");
  EXPECT_EQ(ErrorOf(Order(R"("tags": ["a", 3])")), "Order.tags[1]: expected string, got int 3");
  EXPECT_EQ(ErrorOf(Order(R"("tags": ["a", "b", "c", null])")),
            "Order.tags[3]: null is not allowed in string[]");
  EXPECT_EQ(ErrorOf(R"({"total": 1, "status": 5, "scores": []})"),
            "Order.status: expected string, got int 5");
  EXPECT_EQ(ErrorOf(Order(R"("paid": "true")")),
            "Order.paid: expected boolean, got string \"true\"");
  EXPECT_EQ(ErrorOf(Order(R"("paid": 1)")), "Order.paid: expected boolean, got int 1");
  EXPECT_EQ(ErrorOf(Order(R"("count": 2.5)")),
            "Order.count: expected int, got double 2.5 (not an integer)");
  EXPECT_EQ(ErrorOf(Order(R"("count": "2")")), "Order.count: expected int, got string \"2\"");
  EXPECT_EQ(ErrorOf(Order(R"("count": 1e19)")),
            "Order.count: expected int, got double 1e+19 (out of int64 range)");
  EXPECT_EQ(ErrorOf(Order(R"("weight": "1.5")")),
            "Order.weight: expected float, got string \"1.5\"");
  EXPECT_EQ(ErrorOf(Order(R"("scores": [1, 2.5])")),
            "Order.scores[1]: expected int, got double 2.5 (not an integer)");
  EXPECT_EQ(ErrorOf(Order(R"("customer": 7)")),
            "Order.customer: expected -> Customer, got int 7 (a relation takes the target's "
            "$id string or an object with a string $id)");
  EXPECT_NE(ErrorOf(Order(R"("customer": {"name": "x"})")).find("Order.customer: expected"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Order(R"("related": ["o1", ""])")).find("Order.related[1]: expected"),
            std::string::npos);
  EXPECT_EQ(ErrorOf(Order(R"("placedAt": 1700000000000)")),
            "Order.placedAt: expected timestamp, got int 1700000000000 (write an ISO-8601 "
            "string such as \"2024-01-15T10:30:00Z\"; epoch numbers are not accepted)");
  EXPECT_NE(ErrorOf(Order(R"("placedAt": "yesterday")"))
                .find("Order.placedAt: \"yesterday\" is not an ISO-8601 timestamp"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf(Order(R"("due": "2024-02-30")")).find("Order.due: \"2024-02-30\" is not a date"),
      std::string::npos);
  EXPECT_NE(ErrorOf(Order(R"("due": "2024-02-01T10:00:00Z")")).find("Order.due:"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Order(R"("due": 20240201)")).find("Order.due: expected date, got int"),
            std::string::npos);
}

TEST_F(DocumentTest, Decimals) {
  auto total = [&](std::string_view json_value) {
    return Valid(Order("").replace(10, 1, std::string(json_value))).Find("total")->as_decimal();
  };
  EXPECT_EQ(total("12").ToString(), "12.00");
  EXPECT_EQ(total("\"12.3\"").ToString(), "12.30");
  EXPECT_EQ(total("\"12.3400\"").ToString(), "12.34");  // trailing zeros are not digits
  EXPECT_EQ(total("0.1").ToString(), "0.10");           // shortest text of the double
  EXPECT_EQ(total("-0.07").ToString(), "-0.07");
  EXPECT_EQ(total("99999999.99").ToString(), "99999999.99");
  EXPECT_EQ(total("\"1e3\"").ToString(), "1000.00");
  EXPECT_EQ(total("\"+.5\"").ToString(), "0.50");
  EXPECT_EQ(total("\"0e-50\"").ToString(), "0.00");
  // However it is written, a value that fits is accepted (more than 38 digits of text).
  EXPECT_EQ(total("\"00000000000000000000000000000000000000001.500000000000000000000000000000"
                  "000000000000\"")
                .ToString(),
            "1.50");
  EXPECT_EQ(total("\"1250e-2\"").ToString(), "12.50");

  EXPECT_EQ(ErrorOf(R"({"total": 12.345, "status": "x", "scores": []})"),
            "Order.total: 12.345 has more than 2 fractional digits for decimal(10,2)");
  EXPECT_EQ(ErrorOf(R"({"total": "12.345", "status": "x", "scores": []})"),
            "Order.total: \"12.345\" has more than 2 fractional digits for decimal(10,2)");
  EXPECT_EQ(ErrorOf(R"({"total": 123456789, "status": "x", "scores": []})"),
            "Order.total: 123456789 does not fit decimal(10,2) (at most 8 integer digits)");
  EXPECT_EQ(ErrorOf(R"({"total": "100000000.00", "status": "x", "scores": []})"),
            "Order.total: \"100000000.00\" does not fit decimal(10,2) (at most 8 integer "
            "digits)");
  EXPECT_NE(ErrorOf(R"({"total": "12,5", "status": "x", "scores": []})")
                .find("Order.total: \"12,5\" is not a valid decimal for decimal(10,2)"),
            std::string::npos);
  EXPECT_EQ(ErrorOf(R"({"total": 1e300, "status": "x", "scores": []})"),
            "Order.total: 1e+300 does not fit decimal(10,2) (at most 8 integer digits)");
  EXPECT_EQ(ErrorOf(R"({"total": 5e-324, "status": "x", "scores": []})"),
            "Order.total: 5e-324 has more than 2 fractional digits for decimal(10,2)");
  EXPECT_EQ(ErrorOf(R"({"total": "1e-50", "status": "x", "scores": []})"),
            "Order.total: \"1e-50\" has more than 2 fractional digits for decimal(10,2)");
  EXPECT_EQ(ErrorOf(R"({"total": "1e99999999999999", "status": "x", "scores": []})"),
            "Order.total: \"1e99999999999999\" does not fit decimal(10,2) (at most 8 integer "
            "digits)");
  for (const char* bad : {"\"\"", "\"-\"", "\".\"", "\"1e\"", "\"1.2.3\"", "\" 1\"", "\"0x10\""}) {
    EXPECT_NE(ErrorOf(std::string(R"({"status": "x", "scores": [], "total": )") + bad + "}")
                  .find("is not a valid decimal for decimal(10,2)"),
              std::string::npos)
        << bad;
  }
  EXPECT_EQ(ErrorOf(R"({"total": true, "status": "x", "scores": []})"),
            "Order.total: expected decimal(10,2), got bool true");
}

TEST(CoerceFieldValueTest, Direct) {
  auto type = [](std::string_view t) { return *ParseFieldType(t, "T.f"); };
  // Decimal values of other scales.
  auto r = CoerceFieldValue(type("decimal(5,4)"), Value::Dec(Decimal{5, 1}), "S.score");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->as_decimal().ToString(), "0.5000");
  r = CoerceFieldValue(type("decimal(5,4)"), Value::Dec(Decimal{1230000, 6}), "S.score");
  EXPECT_EQ(r->as_decimal().ToString(), "1.2300");
  r = CoerceFieldValue(type("decimal(5,4)"), Value::Dec(Decimal{1234567, 6}), "S.score");
  EXPECT_EQ(r.status().message(),
            "S.score: 1.234567 has more than 4 fractional digits for decimal(5,4)");
  r = CoerceFieldValue(type("decimal(5,4)"), Value::Double(std::nan("")), "S.score");
  EXPECT_EQ(r.status().message(),
            "S.score: expected decimal(5,4), got double null (not a finite "
            "number)");
  r = CoerceFieldValue(type("decimal(5,4)"), Value::Dec(Decimal{10, 0}), "S.score");
  EXPECT_EQ(r.status().message(),
            "S.score: 10 does not fit decimal(5,4) (at most 1 integer "
            "digits)");
  // decimal(38,0) accepts the extreme int64 values.
  r = CoerceFieldValue(type("decimal(38,0)"), Value::Int(INT64_MIN), "T.f");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->as_decimal().ToString(), "-9223372036854775808");
  // Ints from decimals with a zero fraction.
  r = CoerceFieldValue(type("int"), Value::Dec(Decimal{300, 2}), "T.f");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->as_int(), 3);
  r = CoerceFieldValue(type("int"), Value::Dec(Decimal{301, 2}), "T.f");
  EXPECT_FALSE(r.ok());
  // Floats from any number.
  r = CoerceFieldValue(type("float"), Value::Dec(Decimal{25, 1}), "T.f");
  EXPECT_EQ(r->as_double(), 2.5);
  // Timestamps from timestamps and dates; dates from dates.
  r = CoerceFieldValue(type("timestamp"), Value::Date(1), "T.f");
  EXPECT_EQ(r->kind(), Value::Kind::kTimestamp);
  EXPECT_EQ(r->as_int(), 86400LL * 1000000);
  r = CoerceFieldValue(type("timestamp"), Value::Timestamp(5), "T.f");
  EXPECT_EQ(r->as_int(), 5);
  r = CoerceFieldValue(type("date"), Value::Date(3), "T.f");
  EXPECT_EQ(r->as_date(), 3);
  r = CoerceFieldValue(type("date"), Value::Timestamp(0), "T.f");
  EXPECT_FALSE(r.ok());
  // Null passes through; variant[] keeps null elements.
  r = CoerceFieldValue(type("int!"), Value::Null(), "T.f");
  EXPECT_TRUE(r->is_null());
  r = CoerceFieldValue(type("variant[]"), *Value::ParseJson("[null, 1, {}]"), "T.f");
  EXPECT_EQ(r->ToJsonString(), "[null,1,{}]");
  // Reverse relations are never written.
  r = CoerceFieldValue(type("<- X[]"), Value::MakeArray(), "T.f");
  EXPECT_EQ(r.status().message(),
            "T.f: reverse relation '<- X[]' is computed and cannot be "
            "written");
}

TEST_F(DocumentTest, StreamCollections) {
  auto cat = Catalog::ParseJson(R"({"TailEvents": "parquedb/tail",
                                    "EvalScores": "parquedb/evalite"})");
  ASSERT_TRUE(cat.ok());
  const CollectionDef* tail = cat->FindCollection("TailEvents");
  auto r = tail->ValidateDocument(
      Json(R"({"scriptName": "w", "outcome": "ok", "eventTimestamp": "2024-01-15T10:00:00Z",
               "event": {"request": {"url": "/"}}, "logs": [{"level": "log"}]})"),
      Mode::kCreate);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Find("exceptions")->as_array().size(), 0u);
  EXPECT_EQ(r->Find("timestamp"), nullptr);
  r = tail->ValidateDocument(Json(R"({"scriptName": "w", "outcome": "ok"})"), Mode::kCreate);
  EXPECT_EQ(r.status().message(),
            "TailEvents.eventTimestamp: required field is missing "
            "(timestamp!)");
  r = tail->ValidateDocument(Json(R"({"$type": "TailEvent"})"), Mode::kPatch);
  EXPECT_TRUE(r.ok());

  const CollectionDef* scores = cat->FindCollection("EvalScores");
  r = scores->ValidateDocument(
      Json(R"({"runId": 1, "suiteName": "s", "scorerName": "f", "score": 0.12345,
               "timestamp": "2024-01-15"})"),
      Mode::kCreate);
  EXPECT_EQ(r.status().message(),
            "EvalScores.score: 0.12345 has more than 4 fractional digits for decimal(5,4)");
}

}  // namespace
}  // namespace parquedb::catalog
