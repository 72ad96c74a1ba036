#include "parquedb/value.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <date/date.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace parquedb {
namespace {

Decimal Dec(std::string_view s) {
  auto d = Decimal::FromString(s);
  EXPECT_TRUE(d.ok()) << s << ": " << d.status().ToString();
  return d.ok() ? *d : Decimal{};
}
Value DecV(std::string_view s) { return Value::Dec(Dec(s)); }

Value Json(std::string_view text) {
  auto v = Value::ParseJson(text);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status().ToString();
  return v.ok() ? *v : Value();
}

int Sign(int c) { return (c > 0) - (c < 0); }

// ------------------------------- Decimal -------------------------------

TEST(DecimalTest, FromStringAndToString) {
  struct Case {
    const char* in;
    const char* out;
    int scale;
  };
  const Case cases[] = {
      {"12.30", "12.30", 2},
      {"-12.30", "-12.30", 2},
      {"+7", "7", 0},
      {"007.500", "7.500", 3},
      {"0", "0", 0},
      {"-0", "0", 0},
      {"-0.00", "0.00", 2},
      {".5", "0.5", 1},
      {"5.", "5", 0},
      {"0.05", "0.05", 2},
      {"1e3", "1000", 0},
      {"1.5E-2", "0.015", 3},
      {"15e-1", "1.5", 1},
      {"1.50e1", "15.0", 1},
      {"-2.5e+2", "-250", 0},
      {"0e5", "0", 0},
      {"99999999999999999999999999999999999999", "99999999999999999999999999999999999999", 0},
      {"-0.00000000000000000000000000000000000001", "-0.00000000000000000000000000000000000001",
       38},
  };
  for (const Case& c : cases) {
    auto d = Decimal::FromString(c.in);
    ASSERT_TRUE(d.ok()) << c.in << ": " << d.status().ToString();
    EXPECT_EQ(d->ToString(), c.out) << c.in;
    EXPECT_EQ(d->scale, c.scale) << c.in;
    // ToString output parses back to the same representation.
    auto back = Decimal::FromString(d->ToString());
    ASSERT_TRUE(back.ok());
    EXPECT_TRUE(back->unscaled == d->unscaled && back->scale == d->scale) << c.in;
  }
}

TEST(DecimalTest, FromStringRejectsMalformed) {
  for (const char* bad :
       {"", "-", "+", ".", "abc", "1.2.3", "1e", "1e+", "12a", " 1", "1 ", "--1", "1,5", "0x10",
        "999999999999999999999999999999999999999", "1e-39", "1e38x", "NaN", "inf"}) {
    auto d = Decimal::FromString(bad);
    ASSERT_FALSE(d.ok()) << "accepted '" << bad << "'";
    EXPECT_TRUE(d.status().IsInvalidArgument());
    EXPECT_NE(d.status().message().find("invalid decimal"), std::string::npos);
  }
  // 38 significant digits are fine even with many leading zeros.
  EXPECT_TRUE(Decimal::FromString("000000012345678901234567890123456789012345678").ok());
  EXPECT_FALSE(Decimal::FromString("1e38").ok());  // 39 digits
  EXPECT_TRUE(Decimal::FromString("1e37").ok());
}

TEST(DecimalTest, Rescale) {
  const Decimal d = Dec("12.30");
  EXPECT_EQ(d.Rescale(4)->ToString(), "12.3000");
  EXPECT_EQ(d.Rescale(1)->ToString(), "12.3");
  auto lost = d.Rescale(0);
  ASSERT_FALSE(lost.ok());
  EXPECT_NE(lost.status().message().find("lose digits"), std::string::npos);
  EXPECT_EQ(Dec("-1200").Rescale(-2)->ToString(), "-1200");
  EXPECT_EQ(Dec("-1200").Rescale(-2)->unscaled, -12);
  EXPECT_FALSE(Dec("1").Rescale(39).ok());  // overflow
  EXPECT_TRUE(Dec("1").Rescale(38).ok());
  EXPECT_FALSE(Dec("99999999999999999999999999999999999999").Rescale(2).ok());
  EXPECT_EQ(Dec("0").Rescale(-100)->ToString(), "0");
}

TEST(DecimalTest, DigitsAndToDouble) {
  EXPECT_EQ(Dec("0").Digits(), 1);
  EXPECT_EQ(Dec("0.00").Digits(), 1);
  EXPECT_EQ(Dec("12345").Digits(), 5);
  EXPECT_EQ(Dec("-9.99").Digits(), 3);
  EXPECT_EQ(Dec("99999999999999999999999999999999999999").Digits(), 38);
  Decimal min{std::numeric_limits<__int128>::min(), 0};
  EXPECT_EQ(min.Digits(), 39);
  EXPECT_EQ(min.ToString(), "-170141183460469231731687303715884105728");

  EXPECT_EQ(Dec("0.1").ToDouble(), 0.1);
  EXPECT_EQ(Dec("-2.5").ToDouble(), -2.5);
  EXPECT_EQ(Dec("1e30").ToDouble(), 1e30);
  // Correct rounding where a naive computation would be off: compare with strtod.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string digits =
        std::to_string(rng() % 1000000000000000000ULL) + std::to_string(rng() % 1000000000000ULL);
    const int scale = static_cast<int>(rng() % 39);
    Decimal d = Dec(digits);
    d.scale = scale;
    const std::string text = digits + "e-" + std::to_string(scale);
    EXPECT_EQ(d.ToDouble(), std::strtod(text.c_str(), nullptr)) << text;
  }
}

// ------------------------------- Compare -------------------------------

TEST(ValueCompareTest, KindOrder) {
  const std::vector<Value> ordered = {
      Value::Null(),
      Value::Bool(false),
      Value::Bool(true),
      Value::Double(-INFINITY),
      Value::Int(-5),
      DecV("0.5"),
      Value::Double(1e300),
      Value::String(""),
      Value::String("a"),
      Value::String("\xff"),
      Value::Date(-3),
      Value::Date(0),
      Value::Timestamp(-10),
      Value::Timestamp(0),
      Value::MakeArray(),
      Json("[1,2]"),
      Json("[1,3]"),
      Json("[2]"),
      Value::MakeObject(),
      Json(R"({"a":1})"),
      Json(R"({"a":1,"b":0})"),
      Json(R"({"a":2})"),
      Json(R"({"b":0})"),
  };
  for (size_t i = 0; i < ordered.size(); ++i) {
    for (size_t j = 0; j < ordered.size(); ++j) {
      EXPECT_EQ(Sign(Value::Compare(ordered[i], ordered[j])), i < j ? -1 : (i > j ? 1 : 0))
          << ordered[i].ToJsonString() << " vs " << ordered[j].ToJsonString();
    }
  }
  // Date and timestamp never equal even with the same integer.
  EXPECT_NE(Value::Compare(Value::Date(0), Value::Timestamp(0)), 0);
  EXPECT_NE(Value::Compare(Value::Int(0), Value::Timestamp(0)), 0);
}

TEST(ValueCompareTest, ExactNumbers) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  const double two63 = 9223372036854775808.0;
  EXPECT_EQ(Value::Compare(Value::Int(1), Value::Double(1.0)), 0);
  EXPECT_EQ(Value::Compare(Value::Int(1), DecV("1.00")), 0);
  EXPECT_EQ(Value::Compare(Value::Double(1.0), DecV("1.000")), 0);
  EXPECT_EQ(Value::Compare(Value::Double(-0.0), Value::Int(0)), 0);
  EXPECT_LT(Value::Compare(Value::Int(kMax), Value::Double(two63)), 0);  // naive cast: equal
  EXPECT_EQ(Value::Compare(Value::Int(kMin), Value::Double(-two63)), 0);
  EXPECT_GT(Value::Compare(Value::Int(kMin), Value::Double(-two63 * 2)), 0);
  EXPECT_GT(Value::Compare(Value::Int((int64_t{1} << 53) + 1), Value::Double(9007199254740992.0)),
            0);
  EXPECT_LT(Value::Compare(Value::Int(2), Value::Double(2.5)), 0);
  EXPECT_GT(Value::Compare(Value::Int(-2), Value::Double(-2.5)), 0);
  EXPECT_LT(Value::Compare(Value::Int(-3), Value::Double(-2.5)), 0);
  // Decimal vs double: 0.1 (decimal) is below the double nearest to 0.1.
  EXPECT_LT(Value::Compare(DecV("0.1"), Value::Double(0.1)), 0);
  EXPECT_GT(Value::Compare(DecV("0.3"), Value::Double(0.3)), 0);  // 0.3 double is below 0.3
  EXPECT_EQ(Value::Compare(DecV("0.0009765625"), Value::Double(0.0009765625)), 0);
  EXPECT_GT(Value::Compare(DecV("0.0009765626"), Value::Double(0.0009765625)), 0);
  EXPECT_LT(Value::Compare(DecV("-0.0009765626"), Value::Double(-0.0009765625)), 0);
  EXPECT_EQ(
      Value::Compare(DecV("1267650600228229401496703205376"), Value::Double(std::ldexp(1, 100))),
      0);
  EXPECT_GT(
      Value::Compare(DecV("1267650600228229401496703205377"), Value::Double(std::ldexp(1, 100))),
      0);
  EXPECT_EQ(Value::Compare(DecV("9223372036854775808"), Value::Double(two63)), 0);
  EXPECT_GT(Value::Compare(DecV("9223372036854775808"), Value::Int(kMax)), 0);
  EXPECT_EQ(Value::Compare(DecV("-9223372036854775808"), Value::Int(kMin)), 0);
  EXPECT_LT(Value::Compare(DecV("1e37"), Value::Double(INFINITY)), 0);
  EXPECT_GT(Value::Compare(DecV("-1e37"), Value::Double(-INFINITY)), 0);
  EXPECT_EQ(Value::Compare(DecV("1.5"), DecV("1.50000")), 0);
  EXPECT_LT(Value::Compare(DecV("-1.5"), DecV("-1.49")), 0);
  // Decimals at extreme scales (struct literals) compare without overflow.
  EXPECT_GT(Value::Compare(Value::Dec(Decimal{1, -2000000000}), Value::Dec(Decimal{1, 2000000000})),
            0);
  EXPECT_LT(Value::Compare(Value::Dec(Decimal{1, 2000000000}), Value::Double(1e-300)), 0);
  EXPECT_GT(Value::Compare(Value::Dec(Decimal{1, 300}), Value::Double(0.0)), 0);
  // Subnormal range: 5e-324 is just above the smallest subnormal double.
  EXPECT_GT(Value::Compare(Value::Dec(Decimal{5, 324}), Value::Double(4.9406564584124654e-324)), 0);
  EXPECT_LT(Value::Compare(Value::Dec(Decimal{4, 324}), Value::Double(4.9406564584124654e-324)), 0);
  EXPECT_LT(Value::Compare(Value::Dec(Decimal{1, 400}), Value::Double(4.9406564584124654e-324)), 0);
  EXPECT_GT(Value::Compare(Value::Dec(Decimal{1, -300}), Value::Double(1e299)), 0);
}

TEST(ValueCompareTest, NaNSortsBelowNumbers) {
  const Value nan = Value::Double(std::nan(""));
  EXPECT_EQ(Value::Compare(nan, nan), 0);
  EXPECT_LT(Value::Compare(nan, Value::Double(-INFINITY)), 0);
  EXPECT_LT(Value::Compare(nan, Value::Int(std::numeric_limits<int64_t>::min())), 0);
  EXPECT_LT(Value::Compare(nan, DecV("-99999999999999999999999999999999999999")), 0);
  EXPECT_GT(Value::Compare(Value::Int(0), nan), 0);
  EXPECT_GT(Value::Compare(DecV("0"), nan), 0);
  EXPECT_GT(Value::Compare(nan, Value::Bool(true)), 0);
  EXPECT_EQ(nan.Hash(), Value::Double(-std::nan("")).Hash());
}

// Random values with plenty of cross-kind numeric equalities.
class ValueGen {
 public:
  explicit ValueGen(uint64_t seed) : rng_(seed) {}

  Value Number() {
    static const int64_t kInts[] = {0,
                                    1,
                                    -1,
                                    2,
                                    3,
                                    (int64_t{1} << 53),
                                    (int64_t{1} << 53) + 1,
                                    std::numeric_limits<int64_t>::max(),
                                    std::numeric_limits<int64_t>::min(),
                                    1000000};
    static const double kDoubles[] = {0.0,
                                      -0.0,
                                      1.0,
                                      -1.0,
                                      2.0,
                                      0.5,
                                      0.1,
                                      1.5,
                                      9007199254740992.0,
                                      9223372036854775808.0,
                                      -9223372036854775808.0,
                                      1e300,
                                      INFINITY,
                                      -INFINITY,
                                      std::nan(""),
                                      1e6,
                                      0.0009765625};
    static const char* kDecs[] = {"0",
                                  "0.00",
                                  "1",
                                  "1.00",
                                  "-1.0",
                                  "2",
                                  "0.5",
                                  "0.50",
                                  "0.1",
                                  "1.5",
                                  "9007199254740992",
                                  "9007199254740993",
                                  "9223372036854775808",
                                  "9223372036854775807",
                                  "-9223372036854775808",
                                  "1e30",
                                  "1000000.000",
                                  "0.0009765625",
                                  "0.30"};
    switch (rng_() % 3) {
      case 0:
        return Value::Int(kInts[rng_() % std::size(kInts)]);
      case 1:
        return Value::Double(kDoubles[rng_() % std::size(kDoubles)]);
      default:
        return DecV(kDecs[rng_() % std::size(kDecs)]);
    }
  }

  Value Any(int depth) {
    switch (rng_() % (depth > 0 ? 9 : 7)) {
      case 0:
        return Value::Null();
      case 1:
        return Value::Bool(rng_() % 2);
      case 2:
      case 3:
        return Number();
      case 4: {
        static const char* kStrs[] = {"", "a", "b", "ab", "\xff", "A"};
        return Value::String(kStrs[rng_() % std::size(kStrs)]);
      }
      case 5:
        return Value::Date(static_cast<int32_t>(rng_() % 3));
      case 6:
        return Value::Timestamp(static_cast<int64_t>(rng_() % 3));
      case 7: {
        Value::Array a;
        for (size_t n = rng_() % 3; n > 0; --n) a.push_back(Any(depth - 1));
        return Value::MakeArray(std::move(a));
      }
      default: {
        Value o = Value::MakeObject();
        static const char* kKeys[] = {"a", "b"};
        for (size_t n = rng_() % 3; n > 0; --n) o.Set(kKeys[rng_() % 2], Any(depth - 1));
        return o;
      }
    }
  }

 private:
  std::mt19937_64 rng_;
};

TEST(ValueCompareTest, TotalOrderAndHashConsistencyProperty) {
  ValueGen gen(42);
  std::vector<Value> values;
  for (int i = 0; i < 600; ++i) values.push_back(gen.Any(2));
  size_t equal_pairs = 0;
  for (const Value& a : values) {
    EXPECT_EQ(Value::Compare(a, a), 0);
    for (const Value& b : values) {
      const int ab = Value::Compare(a, b);
      const int ba = Value::Compare(b, a);
      ASSERT_EQ(Sign(ab), -Sign(ba)) << a.ToJsonString() << " vs " << b.ToJsonString();
      if (ab == 0) {
        ++equal_pairs;
        ASSERT_EQ(a.Hash(), b.Hash()) << a.ToJsonString() << " vs " << b.ToJsonString();
      }
    }
  }
  EXPECT_GT(equal_pairs, values.size() * 3);  // the pool does produce cross-kind ties
  // Transitivity: after sorting, every earlier element is <= every later one.
  std::sort(values.begin(), values.end(),
            [](const Value& a, const Value& b) { return Value::Compare(a, b) < 0; });
  for (size_t i = 0; i < values.size(); ++i) {
    for (size_t j = i + 1; j < values.size(); ++j) {
      ASSERT_LE(Value::Compare(values[i], values[j]), 0)
          << values[i].ToJsonString() << " vs " << values[j].ToJsonString();
    }
  }
}

TEST(ValueCompareTest, NumericHashAcrossKinds) {
  EXPECT_EQ(Value::Int(1).Hash(), Value::Double(1.0).Hash());
  EXPECT_EQ(Value::Int(1).Hash(), DecV("1.00").Hash());
  EXPECT_EQ(Value::Int(0).Hash(), Value::Double(-0.0).Hash());
  EXPECT_EQ(DecV("0.5").Hash(), Value::Double(0.5).Hash());
  EXPECT_EQ(DecV("0.10").Hash(), DecV("0.1").Hash());
  EXPECT_EQ(DecV("1e30").Hash(), Value::Dec(Decimal{1, -30}).Hash());
  EXPECT_EQ(DecV("9223372036854775808").Hash(), Value::Double(9223372036854775808.0).Hash());
  EXPECT_EQ(Json("[1, {\"a\": 2}]").Hash(), Json("[1.0, {\"a\": 2.0}]").Hash());
  EXPECT_NE(Value::Int(1).Hash(), Value::Int(2).Hash());
  EXPECT_NE(Value::String("a").Hash(), Value::String("b").Hash());
}

// ------------------------------- Access -------------------------------

TEST(ValueTest, ObjectAccessAndCopyOnWrite) {
  Value doc = Value::MakeObject();
  doc.Set("a", Value::Int(1));
  doc.Set("b", Value::String("x"));
  doc.Set("a", Value::Int(2));  // replace keeps position
  ASSERT_EQ(doc.as_object().size(), 2u);
  EXPECT_EQ(doc.as_object()[0].first, "a");
  EXPECT_EQ(doc.Find("a")->as_int(), 2);
  EXPECT_EQ(doc.Find("zz"), nullptr);
  EXPECT_EQ(Value::Int(3).Find("a"), nullptr);

  Value copy = doc;
  copy.Set("c", Value::Bool(true));
  *copy.FindMutable("a") = Value::MakeArray();
  EXPECT_EQ(doc.as_object().size(), 2u);  // original unaffected
  EXPECT_EQ(copy.as_object().size(), 3u);
  EXPECT_TRUE(doc.Erase("a"));
  EXPECT_FALSE(doc.Erase("a"));
  EXPECT_EQ(copy.Find("a")->kind(), Value::Kind::kArray);

  Value arr = Value::MakeArray({Value::Int(1)});
  Value arr2 = arr;
  arr2.mutable_array().push_back(Value::Int(2));
  EXPECT_EQ(arr.as_array().size(), 1u);
  EXPECT_EQ(arr2.as_array().size(), 2u);
}

TEST(ValueTest, FindPath) {
  const Value doc = Json(R"({
    "event": {"request": {"method": "GET", "headers": {"x.y": 1}}},
    "exceptions": [{"name": "E0"}, {"name": "E1", "frames": [10, 20]}],
    "matrix": [[1, 2], [3, 4]],
    "obj": {"0": "zero"},
    "n": null
  })");
  EXPECT_EQ(doc.FindPath("event.request.method")->as_string(), "GET");
  EXPECT_EQ(doc.FindPath("exceptions.0.name")->as_string(), "E0");
  EXPECT_EQ(doc.FindPath("exceptions.1.frames.1")->as_int(), 20);
  EXPECT_EQ(doc.FindPath("matrix.1.0")->as_int(), 3);
  EXPECT_EQ(doc.FindPath("obj.0")->as_string(), "zero");
  EXPECT_TRUE(doc.FindPath("n")->is_null());
  EXPECT_EQ(doc.FindPath("exceptions")->kind(), Value::Kind::kArray);
  EXPECT_EQ(doc.FindPath("exceptions.2.name"), nullptr);
  EXPECT_EQ(doc.FindPath("exceptions.name"), nullptr);  // FindPath does not fan out
  EXPECT_EQ(doc.FindPath("exceptions.-1"), nullptr);
  EXPECT_EQ(doc.FindPath("exceptions.01"), nullptr);
  EXPECT_EQ(doc.FindPath("event.request.method.x"), nullptr);
  EXPECT_EQ(doc.FindPath("n.x"), nullptr);
  EXPECT_EQ(doc.FindPath("missing"), nullptr);
  EXPECT_EQ(doc.FindPath("event..request"), nullptr);
  EXPECT_EQ(doc.FindPath("matrix.99999999999999999999"), nullptr);
}

// ------------------------------- JSON -------------------------------

TEST(ValueJsonTest, ParseKinds) {
  const Value v = Json(
      R"({"i": -42, "big": 9223372036854775807, "over": 9223372036854775808,
          "neg_over": -9223372036854775809, "huge": 18446744073709551616,
          "f": 1.0, "e": 1e2, "s": "h\u00e9\n", "t": true, "n": null, "a": [1, [2]],
          "o": {}})");
  EXPECT_EQ(v.Find("i")->kind(), Value::Kind::kInt);
  EXPECT_EQ(v.Find("i")->as_int(), -42);
  EXPECT_EQ(v.Find("big")->kind(), Value::Kind::kInt);
  EXPECT_EQ(v.Find("big")->as_int(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(v.Find("over")->kind(), Value::Kind::kDouble);
  EXPECT_EQ(v.Find("over")->as_double(), 9223372036854775808.0);
  EXPECT_EQ(v.Find("neg_over")->kind(), Value::Kind::kDouble);
  EXPECT_EQ(v.Find("huge")->kind(), Value::Kind::kDouble);
  EXPECT_EQ(v.Find("f")->kind(), Value::Kind::kDouble);
  EXPECT_EQ(v.Find("e")->kind(), Value::Kind::kDouble);
  EXPECT_EQ(v.Find("s")->as_string(), "h\xc3\xa9\n");
  EXPECT_TRUE(v.Find("t")->as_bool());
  EXPECT_TRUE(v.Find("n")->is_null());
  EXPECT_EQ(v.Find("a")->as_array().size(), 2u);
  EXPECT_EQ(v.Find("o")->kind(), Value::Kind::kObject);
}

TEST(ValueJsonTest, KeepsMemberOrderAndLastDuplicateWins) {
  const Value v = Json(R"({"b": 1, "a": 2, "b": 3})");
  ASSERT_EQ(v.as_object().size(), 2u);
  EXPECT_EQ(v.as_object()[0].first, "b");
  EXPECT_EQ(v.Find("b")->as_int(), 3);
  EXPECT_EQ(v.ToJsonString(), R"({"b":3,"a":2})");
  // Large objects (indexed duplicate detection) too.
  std::string text = "{";
  for (int i = 0; i < 40; ++i) text += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  text += "\"k3\": 99}";
  const Value big = Json(text);
  EXPECT_EQ(big.as_object().size(), 40u);
  EXPECT_EQ(big.Find("k3")->as_int(), 99);
  EXPECT_EQ(big.as_object()[3].first, "k3");
}

TEST(ValueJsonTest, RoundTrips) {
  for (const char* text :
       {R"(null)", R"(true)", R"(-7)", R"(1.5)", R"(1.0)", R"(-0.0)", R"(1e+300)", R"(0.1)",
        R"("")", R"("a\"b\\c\u0001\t")", R"("h\u00e9 \u2603 \ud83d\ude00")", R"([])", R"({})",
        R"([1,[2,[3,{"x":null}]]])", R"({"z":1,"a":{"m":[true,false]}})", R"(9223372036854775807)",
        R"(-9223372036854775808)", R"(5e-324)", R"(1.7976931348623157e+308)"}) {
    const Value v = Json(text);
    const std::string out = v.ToJsonString();
    const Value back = Json(out);
    EXPECT_EQ(Value::Compare(v, back), 0) << text << " -> " << out;
    EXPECT_EQ(v.kind(), back.kind()) << text << " -> " << out;
    EXPECT_EQ(back.ToJsonString(), out);
    // Through nlohmann::json too (member order aside).
    const Value via = Value::FromJson(v.ToJson());
    EXPECT_EQ(via.ToJson(), v.ToJson()) << text;
  }
  EXPECT_EQ(Json("1.0").ToJsonString(), "1.0");
  EXPECT_EQ(Json("100").ToJsonString(), "100");
  EXPECT_EQ(Json("1e2").ToJsonString(), "100.0");
}

TEST(ValueJsonTest, SpecialKindsToJson) {
  Value doc = Value::MakeObject();
  doc.Set("d", DecV("-12.30"));
  doc.Set("ts", Value::Timestamp(1705314600123456));
  doc.Set("date", Value::Date(19737));
  doc.Set("nan", Value::Double(std::nan("")));
  doc.Set("inf", Value::Double(INFINITY));
  doc.Set("bad", Value::String("a\xff"
                               "b"));
  EXPECT_EQ(doc.ToJsonString(),
            R"({"d":"-12.30","ts":"2024-01-15T10:30:00.123456Z","date":"2024-01-15",)"
            R"("nan":null,"inf":null,"bad":"a)"
            "\xEF\xBF\xBD"
            R"(b"})");
  const nlohmann::json j = doc.ToJson();
  EXPECT_EQ(j["d"], "-12.30");
  EXPECT_EQ(j["ts"], "2024-01-15T10:30:00.123456Z");
  EXPECT_EQ(j["date"], "2024-01-15");
  EXPECT_TRUE(j["nan"].is_null());
  // FromJson: unsigned above INT64_MAX becomes double; binary becomes an int array.
  EXPECT_EQ(Value::FromJson(nlohmann::json(uint64_t{18446744073709551615ULL})).kind(),
            Value::Kind::kDouble);
  EXPECT_EQ(Value::FromJson(nlohmann::json(uint64_t{5})).kind(), Value::Kind::kInt);
  EXPECT_EQ(Value::FromJson(nlohmann::json::binary({1, 2})).ToJsonString(), "[1,2]");
}

TEST(ValueJsonTest, MalformedInputIsInvalidArgumentWithPosition) {
  for (const char* bad : {"", "{", "[1,]", "tru", "{\"a\" 1}", "[1] x", "\"\\uZZZZ\"", "01",
                          "{\"a\":}", "\"unterminated", "nan", "[1,2", "\"\xff\""}) {
    auto v = Value::ParseJson(bad);
    ASSERT_FALSE(v.ok()) << "accepted: " << bad;
    EXPECT_TRUE(v.status().IsInvalidArgument());
    EXPECT_NE(v.status().message().find("invalid JSON at byte"), std::string::npos)
        << v.status().message();
  }
  auto v = Value::ParseJson("[1, 2, oops]");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("byte 8"), std::string::npos) << v.status().message();
  EXPECT_NE(v.status().message().find("line 1, column 8"), std::string::npos)
      << v.status().message();
}

TEST(ValueJsonTest, NestingLimit) {
  const int limit = Value::kMaxJsonDepth;
  std::string ok(limit, '['), deep(limit + 1, '[');
  ok += std::string(limit, ']');
  deep += std::string(limit + 1, ']');
  EXPECT_TRUE(Value::ParseJson(ok).ok());
  auto r = Value::ParseJson(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nesting"), std::string::npos);
  // Pathological depth must not crash.
  std::string huge(200000, '[');
  EXPECT_FALSE(Value::ParseJson(huge).ok());
}

// --------------------------- Dates & timestamps ---------------------------

TEST(DateTest, KnownDays) {
  struct Case {
    const char* text;
    int32_t days;
  };
  const Case cases[] = {{"1970-01-01", 0},      {"1970-01-02", 1},       {"1969-12-31", -1},
                        {"2000-02-29", 11016},  {"2000-03-01", 11017},   {"2024-01-15", 19737},
                        {"2024-02-29", 19782},  {"2024-03-01", 19783},   {"1900-02-28", -25509},
                        {"1900-03-01", -25508}, {"0001-01-01", -719162}, {"9999-12-31", 2932896},
                        {"1600-02-29", -135081}};
  for (const Case& c : cases) {
    auto d = ParseDateDays(c.text);
    ASSERT_TRUE(d.ok()) << c.text << ": " << d.status().ToString();
    EXPECT_EQ(*d, c.days) << c.text;
    EXPECT_EQ(FormatDateDays(c.days), c.text);
  }
}

TEST(DateTest, MatchesHowardHinnantDateLibrary) {
  std::mt19937 rng(11);
  for (int i = 0; i < 20000; ++i) {
    const int32_t days = static_cast<int32_t>(rng() % (2932896 + 719162 + 1)) - 719162;
    const date::year_month_day ymd{date::sys_days{date::days{days}}};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    ASSERT_EQ(FormatDateDays(days), buf);
    auto back = ParseDateDays(buf);
    ASSERT_TRUE(back.ok());
    ASSERT_EQ(*back, days);
  }
  EXPECT_EQ(FormatDateDays(-719163), "0000-12-31");  // outside the parseable range
  EXPECT_EQ(FormatDateDays(2932897), "+10000-01-01");
}

TEST(DateTest, RejectsInvalidDates) {
  for (const char* bad :
       {"", "2024", "2024-1-01", "2024-01-1", "2024-13-01", "2024-00-10", "2024-01-00",
        "2024-01-32", "2023-02-29", "1900-02-29", "0000-01-01", "2024-01-15x", "2024-01-15T00:00",
        "2024/01/15", "+2024-01-15", "２０２４-01-01"}) {
    auto d = ParseDateDays(bad);
    ASSERT_FALSE(d.ok()) << "accepted " << bad;
    EXPECT_TRUE(d.status().IsInvalidArgument());
    EXPECT_NE(d.status().message().find(std::string("'") + bad), std::string::npos)
        << d.status().message();
  }
  EXPECT_NE(ParseDateDays("2023-02-29").status().message().find("day 29 out of range"),
            std::string::npos);
  EXPECT_NE(ParseDateDays("2024-13-01").status().message().find("month 13"), std::string::npos);
}

TEST(TimestampTest, Parse) {
  const int64_t day = 86400LL * 1000000;
  struct Case {
    const char* text;
    int64_t micros;
  };
  const Case cases[] = {
      {"1970-01-01T00:00:00Z", 0},
      {"1970-01-01", 0},
      {"2024-01-15", 19737 * day},
      {"2024-01-15T10:30", 19737 * day + 37800LL * 1000000},
      {"2024-01-15 10:30:00", 19737 * day + 37800LL * 1000000},
      {"2024-01-15t10:30:00z", 19737 * day + 37800LL * 1000000},
      {"2024-01-15T10:30:00.5Z", 19737 * day + 37800LL * 1000000 + 500000},
      {"2024-01-15T10:30:00,25Z", 19737 * day + 37800LL * 1000000 + 250000},
      {"2024-01-15T10:30:00.123456789Z", 19737 * day + 37800LL * 1000000 + 123456},
      {"2024-01-15T10:30:00.000001Z", 19737 * day + 37800LL * 1000000 + 1},
      {"2024-01-15T12:30:00+02:00", 19737 * day + 37800LL * 1000000},
      {"2024-01-15T05:00:00-05:30", 19737 * day + 37800LL * 1000000},
      {"2024-01-15T12:30:00+0200", 19737 * day + 37800LL * 1000000},
      {"2024-01-15T12:30:00+02", 19737 * day + 37800LL * 1000000},
      {"1969-12-31T23:59:59.999999Z", -1},
      {"1970-01-01T00:30:00+01:00", -1800LL * 1000000},
      {"0001-01-01T00:00:00Z", -719162 * day},
      {"9999-12-31T23:59:59.999999Z", 2932897 * day - 1},
  };
  for (const Case& c : cases) {
    auto t = ParseTimestampMicros(c.text);
    ASSERT_TRUE(t.ok()) << c.text << ": " << t.status().ToString();
    EXPECT_EQ(*t, c.micros) << c.text;
  }
}

TEST(TimestampTest, FormatAndRoundTrip) {
  EXPECT_EQ(FormatTimestampMicros(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatTimestampMicros(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatTimestampMicros(1705314600123456), "2024-01-15T10:30:00.123456Z");
  // Extreme values format without overflow.
  EXPECT_FALSE(FormatTimestampMicros(std::numeric_limits<int64_t>::min()).empty());
  EXPECT_FALSE(FormatTimestampMicros(std::numeric_limits<int64_t>::max()).empty());
  std::mt19937_64 rng(5);
  const int64_t lo = *ParseTimestampMicros("0001-01-01");
  const int64_t hi = *ParseTimestampMicros("9999-12-31T23:59:59.999999Z");
  for (int i = 0; i < 20000; ++i) {
    const int64_t t = lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
    const std::string s = FormatTimestampMicros(t);
    auto back = ParseTimestampMicros(s);
    ASSERT_TRUE(back.ok()) << s;
    ASSERT_EQ(*back, t) << s;
  }
}

TEST(TimestampTest, RejectsMalformed) {
  for (const char* bad :
       {"2024-01-15T", "2024-01-15T10", "2024-01-15T1:30", "2024-01-15T24:00", "2024-01-15T10:60",
        "2024-01-15T10:30:60", "2024-01-15T10:30:00.", "2024-01-15T10:30:00.1234567890Z",
        "2024-01-15T10:30:00+24:00", "2024-01-15T10:30:00+02:60", "2024-01-15T10:30:00+2",
        "2024-01-15T10:30:00Zx", "2024-01-15T10:30:00 Z", "2024-01-15X10:30", "2024-02-30T00:00",
        "yesterday", "1705314600"}) {
    auto t = ParseTimestampMicros(bad);
    ASSERT_FALSE(t.ok()) << "accepted " << bad;
    EXPECT_TRUE(t.status().IsInvalidArgument());
    EXPECT_NE(t.status().message().find(std::string("invalid timestamp '") + bad),
              std::string::npos)
        << t.status().message();
  }
  EXPECT_NE(ParseTimestampMicros("2024-01-15T24:00").status().message().find("hour 24"),
            std::string::npos);
  // ParseJson errors are reported by line and column of the text.
  const std::string text = "{\"a\": 1,\n \"b\": ]}";
  auto bad = Value::ParseJson(text);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(DescribeJsonError(bad.status(), text).rfind("invalid JSON at line 2, column 7: ", 0), 0u)
      << DescribeJsonError(bad.status(), text);
  EXPECT_EQ(DescribeJsonError(bad.status(), text, 10).rfind("invalid JSON at line 11,", 0), 0u);
  EXPECT_EQ(DescribeJsonError(Status::NotFound("x"), text), "x");
  // A malformed offset hour is an error, not arithmetic on an unset value (fuzzer find).
  EXPECT_TRUE(ParseTimestampMicros("2402-10-16T00:00:00+ 1$:00").status().IsInvalidArgument());
  EXPECT_TRUE(ParseTimestampMicros("2024-01-15T00:00:00-x").status().IsInvalidArgument());
}

}  // namespace
}  // namespace parquedb
