#include "common/value_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace parquedb {
namespace {

Value RandomValue(std::mt19937& rng, int depth) {
  int k = static_cast<int>(rng() % (depth > 3 ? 8 : 10));
  switch (k) {
    case 0:
      return Value();
    case 1:
      return Value::Bool(rng() % 2);
    case 2:
      return Value::Int(static_cast<int64_t>(rng()) * (rng() % 2 ? -1 : 1) << (rng() % 32));
    case 3:
      return Value::Double(
          std::ldexp(static_cast<double>(rng()), static_cast<int>(rng() % 80) - 40));
    case 4: {
      __int128 u = (static_cast<__int128>(rng()) << 64) | rng();
      return Value::Dec(Decimal{rng() % 2 ? u : -u, static_cast<int32_t>(rng() % 30)});
    }
    case 5:
      return Value::String(std::string(rng() % 20, static_cast<char>('a' + rng() % 26)));
    case 6:
      return Value::Timestamp(static_cast<int64_t>(rng()) * 1000003LL - (1LL << 40));
    case 7:
      return Value::Date(static_cast<int32_t>(rng() % 3000000) - 1000000);
    case 8: {
      Value::Array a;
      for (size_t i = rng() % 5; i > 0; i--) a.push_back(RandomValue(rng, depth + 1));
      return Value::MakeArray(std::move(a));
    }
    default: {
      Value::Object o;
      for (size_t i = rng() % 5; i > 0; i--) {
        o.emplace_back("k" + std::to_string(i), RandomValue(rng, depth + 1));
      }
      return Value::MakeObject(std::move(o));
    }
  }
}

TEST(ValueCodec, RoundTripsEveryKindExactly) {
  std::mt19937 rng(5);
  for (int i = 0; i < 3000; i++) {
    Value v = RandomValue(rng, 0);
    std::string buf;
    EncodeValue(v, &buf);
    std::string_view in = buf;
    Value back;
    ASSERT_TRUE(DecodeValue(&in, &back).ok());
    EXPECT_TRUE(in.empty());
    // Same kind and same canonical JSON (Compare treats 1 == 1.0, so check kinds too).
    EXPECT_EQ(back.ToJsonString(), v.ToJsonString());
    std::string again;
    EncodeValue(back, &again);
    EXPECT_EQ(again, buf);
  }
}

TEST(ValueCodec, TruncationAndGarbageAreCorruption) {
  Value v = *Value::ParseJson(R"({"a": [1, 2.5, "x", {"b": null}], "c": true})");
  std::string buf;
  EncodeValue(v, &buf);
  for (size_t n = 0; n < buf.size(); n++) {
    std::string_view in(buf.data(), n);
    Value out;
    EXPECT_FALSE(DecodeValue(&in, &out).ok()) << n;
  }
  std::mt19937 rng(1);
  for (int i = 0; i < 5000; i++) {
    std::string junk(rng() % 40, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    std::string_view in = junk;
    Value out;
    (void)DecodeValue(&in, &out);  // must not crash or over-allocate
  }
}

}  // namespace
}  // namespace parquedb
