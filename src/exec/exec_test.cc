// Unit tests of the columnar engine's pieces: Value -> column conversion and the hash
// aggregator (keys incl. nulls and time buckets, exact sums, min/max rules).
#include <gtest/gtest.h>

#include <cmath>

#include "exec/convert.h"
#include "exec/hash_agg.h"

namespace parquedb::exec {
namespace {

TEST(ExecTest, ValuesToColumnRejectsMixedKinds) {
  Value a = Value::Int(1), b = Value::String("x");
  Column c;
  EXPECT_TRUE(ValuesToColumn({&a, nullptr, &a}, &c).ok());
  EXPECT_EQ(c.type, Type::kInt64);
  EXPECT_EQ(c.valid, (std::vector<uint8_t>{1, 0, 1}));
  EXPECT_TRUE(ValuesToColumn({&a, &b}, &c).IsNotSupported());
  Value d1 = Value::Dec(Decimal{150, 2}), d2 = Value::Dec(Decimal{15, 1});
  EXPECT_TRUE(ValuesToColumn({&d1, &d2}, &c).IsNotSupported());
}

TEST(ExecTest, HashAggregateByStringAndDayBucket) {
  std::vector<Value> status = {Value::String("a"), Value::String("b"), Value(), Value::String("a")};
  const int64_t day = 86'400'000'000LL;
  std::vector<Value> at = {Value::Timestamp(day + 5), Value::Timestamp(day + 7),
                           Value::Timestamp(3 * day - 1), Value::Timestamp(2 * day)};
  std::vector<Value> total = {Value::Dec(Decimal{1050, 2}), Value::Dec(Decimal{-25, 2}), Value(),
                              Value::Dec(Decimal{INT64_MAX, 2})};
  auto ptrs = [](const std::vector<Value>& v) {
    std::vector<const Value*> p;
    for (const Value& x : v) p.push_back(&x);
    return p;
  };
  Batch b;
  b.num_rows = 4;
  b.columns.resize(3);
  ASSERT_TRUE(ValuesToColumn(ptrs(status), &b.columns[0]).ok());
  ASSERT_TRUE(ValuesToColumn(ptrs(at), &b.columns[1]).ok());
  ASSERT_TRUE(ValuesToColumn(ptrs(total), &b.columns[2]).ok());
  KeyDef k0;
  k0.column = 0;
  KeyDef k1;
  k1.column = 1;
  k1.unit = views::TimeUnit::kDay;
  k1.bucket_as = KeyDef::BucketAs::kViewBucket;
  AggDef rows;
  AggDef sum;
  sum.op = AggOp::kValues;
  sum.column = 2;
  sum.min_max = true;
  HashAggregator agg({k0, k1}, {rows, sum});
  ASSERT_TRUE(agg.Consume(b).ok());
  ASSERT_TRUE(agg.Consume(b).ok());
  auto groups = agg.Finish();
  ASSERT_EQ(groups.size(), 4u);
  // First-seen order: (a, day 1), (b, day 1), (null, day 2), (a, day 2).
  EXPECT_EQ(groups[0].keys[0].as_string(), "a");
  EXPECT_EQ(groups[0].keys[1].kind(), Value::Kind::kDate);
  EXPECT_EQ(groups[0].keys[1].as_date(), 1);
  EXPECT_EQ(groups[0].rows, 2);
  EXPECT_EQ(static_cast<int64_t>(groups[0].accs[1].isum), 2100);
  EXPECT_TRUE(groups[2].keys[0].is_null());
  EXPECT_EQ(groups[2].accs[1].n, 0);
  EXPECT_TRUE(groups[2].accs[1].Min().is_null());
  // Exact beyond int64: 2 * INT64_MAX.
  EXPECT_EQ(groups[3].accs[1].isum, static_cast<__int128>(INT64_MAX) * 2);
  EXPECT_EQ(groups[1].accs[1].Min().ToJsonString(), Value::Dec(Decimal{-25, 2}).ToJsonString());
}

TEST(ExecTest, DoubleMinMaxFollowsValueCompare) {
  std::vector<Value> xs = {Value::Double(2.0), Value::Double(std::nan("")), Value::Double(-1.0)};
  std::vector<const Value*> p = {&xs[0], &xs[1], &xs[2]};
  Batch b;
  b.num_rows = 3;
  b.columns.resize(1);
  ASSERT_TRUE(ValuesToColumn(p, &b.columns[0]).ok());
  AggDef d;
  d.op = AggOp::kValues;
  d.column = 0;
  d.min_max = true;
  HashAggregator agg({}, {d});
  ASSERT_TRUE(agg.Consume(b).ok());
  auto g = agg.Finish(true);
  ASSERT_EQ(g.size(), 1u);
  // NaN sorts below every number (Value::Compare).
  EXPECT_TRUE(std::isnan(g[0].accs[0].Min().as_double()));
  EXPECT_EQ(g[0].accs[0].Max().as_double(), 2.0);
  HashAggregator none({}, {d});
  EXPECT_EQ(none.Finish(true).size(), 1u);
  HashAggregator keyed({KeyDef{}}, {d});
  EXPECT_TRUE(keyed.Finish(true).empty());
}

TEST(ExecTest, DoubleKeysAreNotSupported) {
  Value x = Value::Double(1.5);
  Batch b;
  b.num_rows = 1;
  b.columns.resize(1);
  ASSERT_TRUE(ValuesToColumn({&x}, &b.columns[0]).ok());
  HashAggregator agg({KeyDef{}}, {AggDef{}});
  EXPECT_TRUE(agg.Consume(b).IsNotSupported());
}

}  // namespace
}  // namespace parquedb::exec
