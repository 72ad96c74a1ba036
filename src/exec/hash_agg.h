// HashAggregator: vectorized GROUP BY over Batches (src/exec). Keys are columns of
// the batch, optionally truncated to a time bucket (views::TruncateMicros, any time
// zone); aggregates are row counts and, per input column, the count of non-null
// values, exact sums (ints and decimals in 128 bits, plus sums of squares in 256
// bits on request), double sums in input order, and min/max by Value::Compare.
// Consumers (SQL, view refreshes) turn the raw accumulators into their own results,
// so their typing rules stay in one place each. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "exec/column.h"
#include "parquedb/status.h"
#include "parquedb/value.h"
#include "views/aggregate.h"
#include "views/time_bucket.h"
#include "views/timezone.h"

namespace parquedb::exec {

struct KeyDef {
  int column = 0;
  std::optional<views::TimeUnit> unit;  // time bucket of a timestamp/date column
  views::TimeZone tz;                   // zone of the bucket
  // How a bucket key reads: kTimestamp = the bucket's start instant (SQL date_trunc
  // in UTC); kViewBucket = views::Pipeline::Bucket (minute/hour: the start instant,
  // day and coarser: the local calendar date of the start).
  enum class BucketAs : uint8_t { kTimestamp, kViewBucket };
  BucketAs bucket_as = BucketAs::kTimestamp;
};

enum class AggOp : uint8_t {
  kCountRows,  // rows of the group (column ignored)
  kValues,     // non-null values of `column`: count, sums (numbers), min/max
};

struct AggDef {
  AggOp op = AggOp::kCountRows;
  int column = -1;
  bool squares = false;  // also the exact sum of squares (ints/decimals)
  bool min_max = false;  // track min and max
  bool exact_doubles = false;  // also an order-independent exact double sum
};

// Raw state of one aggregate in one group.
struct AggAcc {
  Type type = Type::kNull;  // of the values seen (one type per input)
  int32_t scale = 0;        // kDecimal
  int64_t n = 0;            // values (rows for kCountRows)
  __int128 isum = 0;        // ints, decimals (unscaled), bools
  views::Int256 sq;         // sum of squares of isum's terms (squares)
  double fsum = 0;          // doubles, summed in input order
  int64_t nan = 0, pos_inf = 0, neg_inf = 0;  // doubles (exact_doubles)
  std::unique_ptr<views::ExactFloatSum> exact;  // finite doubles (exact_doubles)
  bool has_min_max = false;
  int64_t imin = 0, imax = 0;
  double dmin = 0, dmax = 0;
  std::string smin, smax;

  // The min/max as Values (null without values).
  Value Min() const;
  Value Max() const;
};

class HashAggregator {
 public:
  HashAggregator(std::vector<KeyDef> keys, std::vector<AggDef> aggs);
  HashAggregator(HashAggregator&&) noexcept;
  HashAggregator& operator=(HashAggregator&&) noexcept;
  ~HashAggregator();

  // Adds a batch. NotSupported when a column's type is not usable here (doubles as
  // keys, a bucket over a non-temporal column) or changes between batches.
  Status Consume(const Batch& batch);

  struct Group {
    std::vector<Value> keys;
    int64_t rows = 0;
    std::vector<AggAcc> accs;  // one per AggDef
  };
  // The groups in first-seen order (an aggregate with no group keys has exactly one
  // group, possibly with 0 rows, only if `always_one` is set).
  std::vector<Group> Finish(bool always_one = false);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parquedb::exec
