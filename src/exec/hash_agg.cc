#include "exec/hash_agg.h"

#include <cmath>
#include <cstring>
#include <string_view>

namespace parquedb::exec {

namespace {

constexpr int64_t kMicrosPerMinute = 60'000'000;
constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
  return q;
}

struct StrHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};
struct StrEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};

// Value::Compare order for doubles: NaN equals NaN and sorts below every number.
bool DoubleLess(double a, double b) {
  if (std::isnan(a)) return !std::isnan(b);
  if (std::isnan(b)) return false;
  return a < b;
}

Value IntValue(Type t, int64_t x, int32_t scale) {
  switch (t) {
    case Type::kBool:
      return Value::Bool(x != 0);
    case Type::kDecimal:
      return Value::Dec(Decimal{x, scale});
    case Type::kTimestamp:
      return Value::Timestamp(x);
    case Type::kDate:
      return Value::Date(static_cast<int32_t>(x));
    default:
      return Value::Int(x);
  }
}

}  // namespace

Value AggAcc::Min() const {
  if (!has_min_max) return Value();
  if (type == Type::kDouble) return Value::Double(dmin);
  if (type == Type::kString) return Value::String(smin);
  return IntValue(type, imin, scale);
}

Value AggAcc::Max() const {
  if (!has_min_max) return Value();
  if (type == Type::kDouble) return Value::Double(dmax);
  if (type == Type::kString) return Value::String(smax);
  return IntValue(type, imax, scale);
}

struct HashAggregator::Impl {
  std::vector<KeyDef> keys;
  std::vector<AggDef> aggs;

  // Per key: dense codes of the distinct (bucketed) values; code 0 is null.
  struct Dict {
    Type type = Type::kNull;  // input type seen
    int32_t scale = 0;
    std::unordered_map<int64_t, uint32_t> ints;
    std::unordered_map<std::string, uint32_t, StrHash, StrEq> strs;
    std::vector<Value> values{Value()};
    bool has_last = false;
    int64_t last_in = 0, last_out = 0;  // bucket cache
    std::vector<uint32_t> codes;        // per row of the current batch
  };
  std::vector<Dict> dicts;

  std::vector<int32_t> by_code;  // one key: code -> group (-1: none)
  std::unordered_map<uint64_t, uint32_t> by_pair;
  std::unordered_map<std::string, uint32_t> by_string;

  std::vector<std::vector<uint32_t>> group_codes;
  std::vector<int64_t> rows;
  std::vector<AggAcc> accs;  // group-major
  std::vector<uint32_t> gids;

  uint32_t NewGroup(const uint32_t* codes) {
    const uint32_t g = static_cast<uint32_t>(rows.size());
    group_codes.emplace_back(codes, codes + keys.size());
    rows.push_back(0);
    for (size_t a = 0; a < aggs.size(); a++) {
      accs.emplace_back();
      if (aggs[a].exact_doubles) accs.back().exact = std::make_unique<views::ExactFloatSum>();
    }
    return g;
  }

  int64_t Bucket(const KeyDef& k, Type t, int64_t x, Dict* d) {
    if (d->has_last && d->last_in == x) return d->last_out;
    int64_t out;
    const bool sub_day = *k.unit == views::TimeUnit::kMinute || *k.unit == views::TimeUnit::kHour;
    if (t == Type::kDate) {
      const int32_t days = static_cast<int32_t>(x);
      if (k.bucket_as == KeyDef::BucketAs::kTimestamp) {
        out = views::TruncateMicros(x * kMicrosPerDay, *k.unit, k.tz);
      } else if (sub_day) {
        out = k.tz.LocalToUtc(int64_t{days} * kMicrosPerDay);
      } else {
        out = views::TruncateDays(days, *k.unit);
      }
    } else {
      int64_t start;
      if (k.tz.is_fixed() && k.tz.OffsetAt(0) == 0 && *k.unit != views::TimeUnit::kWeek &&
          *k.unit != views::TimeUnit::kMonth && *k.unit != views::TimeUnit::kYear) {
        const int64_t step = *k.unit == views::TimeUnit::kMinute ? kMicrosPerMinute
                             : *k.unit == views::TimeUnit::kHour ? kMicrosPerHour
                                                                 : kMicrosPerDay;
        start = FloorDiv(x, step) * step;
      } else {
        start = views::TruncateMicros(x, *k.unit, k.tz);
      }
      if (k.bucket_as == KeyDef::BucketAs::kViewBucket && !sub_day) {
        out = FloorDiv(k.tz.UtcToLocal(start), kMicrosPerDay);
      } else {
        out = start;
      }
    }
    d->has_last = true;
    d->last_in = x;
    d->last_out = out;
    return out;
  }

  // The Value type of a key's codes.
  static Type OutType(const KeyDef& k, Type in) {
    if (!k.unit) return in;
    const bool sub_day = *k.unit == views::TimeUnit::kMinute || *k.unit == views::TimeUnit::kHour;
    if (k.bucket_as == KeyDef::BucketAs::kTimestamp || sub_day) return Type::kTimestamp;
    return Type::kDate;
  }

  Status EncodeKey(size_t ki, const Column& c, size_t n) {
    const KeyDef& k = keys[ki];
    Dict& d = dicts[ki];
    d.codes.assign(n, 0);
    if (c.type == Type::kNull) return Status::OK();
    if (c.type == Type::kDouble) return Status::NotSupported("columnar GROUP BY on a double column");
    if (k.unit && c.type != Type::kTimestamp && c.type != Type::kDate) {
      return Status::NotSupported("time bucket of a non-temporal column");
    }
    if (d.type == Type::kNull) {
      d.type = c.type;
      d.scale = c.scale;
    } else if (d.type != c.type || d.scale != c.scale) {
      return Status::NotSupported("group key column changes type between data files");
    }
    if (c.type == Type::kString) {
      std::string_view last;
      uint32_t last_code = 0;
      for (size_t i = 0; i < n; i++) {
        if (!c.valid[i]) continue;
        const std::string_view s = c.strings[i];
        if (last_code != 0 && s == last) {
          d.codes[i] = last_code;
          continue;
        }
        auto it = d.strs.find(s);
        if (it == d.strs.end()) {
          const uint32_t code = static_cast<uint32_t>(d.values.size());
          it = d.strs.emplace(std::string(s), code).first;
          d.values.push_back(Value::String(std::string(s)));
        }
        last = s;
        last_code = it->second;
        d.codes[i] = last_code;
      }
      return Status::OK();
    }
    const Type out = OutType(k, c.type);
    int64_t last = 0;
    uint32_t last_code = 0;
    for (size_t i = 0; i < n; i++) {
      if (!c.valid[i]) continue;
      int64_t x = c.ints[i];
      if (k.unit) x = Bucket(k, c.type, x, &d);
      if (last_code != 0 && x == last) {
        d.codes[i] = last_code;
        continue;
      }
      auto it = d.ints.find(x);
      if (it == d.ints.end()) {
        const uint32_t code = static_cast<uint32_t>(d.values.size());
        it = d.ints.emplace(x, code).first;
        d.values.push_back(IntValue(out, x, c.scale));
      }
      last = x;
      last_code = it->second;
      d.codes[i] = last_code;
    }
    return Status::OK();
  }

  void GroupIds(size_t n) {
    gids.resize(n);
    const size_t nk = keys.size();
    if (nk == 0) {
      if (rows.empty()) NewGroup(nullptr);
      std::fill(gids.begin(), gids.end(), 0);
      return;
    }
    if (nk == 1) {
      const std::vector<uint32_t>& c0 = dicts[0].codes;
      by_code.resize(dicts[0].values.size(), -1);
      for (size_t i = 0; i < n; i++) {
        int32_t& g = by_code[c0[i]];
        if (g < 0) g = static_cast<int32_t>(NewGroup(&c0[i]));
        gids[i] = static_cast<uint32_t>(g);
      }
      return;
    }
    std::vector<uint32_t> codes(nk);
    if (nk == 2) {
      const std::vector<uint32_t>& c0 = dicts[0].codes;
      const std::vector<uint32_t>& c1 = dicts[1].codes;
      uint64_t last = ~uint64_t{0};
      uint32_t last_g = 0;
      for (size_t i = 0; i < n; i++) {
        const uint64_t key = (uint64_t{c0[i]} << 32) | c1[i];
        if (key != last) {
          auto it = by_pair.find(key);
          if (it == by_pair.end()) {
            codes[0] = c0[i];
            codes[1] = c1[i];
            it = by_pair.emplace(key, NewGroup(codes.data())).first;
          }
          last = key;
          last_g = it->second;
        }
        gids[i] = last_g;
      }
      return;
    }
    std::string key(nk * sizeof(uint32_t), '\0');
    for (size_t i = 0; i < n; i++) {
      for (size_t k = 0; k < nk; k++) codes[k] = dicts[k].codes[i];
      std::memcpy(key.data(), codes.data(), key.size());
      auto it = by_string.find(key);
      if (it == by_string.end()) it = by_string.emplace(key, NewGroup(codes.data())).first;
      gids[i] = it->second;
    }
  }

  Status Accumulate(size_t a, const Column& c, size_t n) {
    const AggDef& def = aggs[a];
    const size_t na = aggs.size();
    if (def.op == AggOp::kCountRows) {
      for (size_t i = 0; i < n; i++) accs[gids[i] * na + a].n++;
      return Status::OK();
    }
    if (c.type == Type::kNull) return Status::OK();
    // Type lock per aggregate (checked on the first group's accumulator of each type).
    for (size_t i = 0; i < n; i++) {
      if (!c.valid[i]) continue;
      AggAcc& acc = accs[gids[i] * na + a];
      if (acc.type == Type::kNull) {
        acc.type = c.type;
        acc.scale = c.scale;
      } else if (acc.type != c.type || acc.scale != c.scale) {
        return Status::NotSupported("aggregate input changes type between data files");
      }
      acc.n++;
      switch (c.type) {
        case Type::kDouble: {
          const double x = c.doubles[i];
          acc.fsum += x;
          if (def.exact_doubles) {
            if (std::isnan(x)) {
              acc.nan++;
            } else if (std::isinf(x)) {
              (x > 0 ? acc.pos_inf : acc.neg_inf)++;
            } else {
              acc.exact->Add(x, 1);
            }
          }
          if (def.min_max) {
            if (!acc.has_min_max) {
              acc.dmin = acc.dmax = x;
              acc.has_min_max = true;
            } else {
              if (DoubleLess(x, acc.dmin)) acc.dmin = x;
              if (DoubleLess(acc.dmax, x)) acc.dmax = x;
            }
          }
          break;
        }
        case Type::kString: {
          if (def.min_max) {
            const std::string_view s = c.strings[i];
            if (!acc.has_min_max) {
              acc.smin.assign(s);
              acc.smax.assign(s);
              acc.has_min_max = true;
            } else {
              if (s < std::string_view(acc.smin)) acc.smin.assign(s);
              if (std::string_view(acc.smax) < s) acc.smax.assign(s);
            }
          }
          break;
        }
        default: {
          const int64_t x = c.ints[i];
          acc.isum += x;
          if (def.squares) acc.sq += views::Int256::From(static_cast<__int128>(x) * x);
          if (def.min_max) {
            if (!acc.has_min_max) {
              acc.imin = acc.imax = x;
              acc.has_min_max = true;
            } else {
              if (x < acc.imin) acc.imin = x;
              if (x > acc.imax) acc.imax = x;
            }
          }
          break;
        }
      }
    }
    return Status::OK();
  }
};

HashAggregator::HashAggregator(std::vector<KeyDef> keys, std::vector<AggDef> aggs)
    : impl_(std::make_unique<Impl>()) {
  impl_->keys = std::move(keys);
  impl_->aggs = std::move(aggs);
  impl_->dicts.resize(impl_->keys.size());
}
HashAggregator::HashAggregator(HashAggregator&&) noexcept = default;
HashAggregator& HashAggregator::operator=(HashAggregator&&) noexcept = default;
HashAggregator::~HashAggregator() = default;

Status HashAggregator::Consume(const Batch& batch) {
  Impl& m = *impl_;
  const size_t n = batch.num_rows;
  if (n == 0) return Status::OK();
  for (size_t k = 0; k < m.keys.size(); k++) {
    const int col = m.keys[k].column;
    if (col < 0 || static_cast<size_t>(col) >= batch.columns.size()) {
      return Status::InvalidArgument("group key column out of range");
    }
    PQ_RETURN_IF_ERROR(m.EncodeKey(k, batch.columns[static_cast<size_t>(col)], n));
  }
  m.GroupIds(n);
  for (size_t i = 0; i < n; i++) m.rows[m.gids[i]]++;
  static const Column kNone;
  for (size_t a = 0; a < m.aggs.size(); a++) {
    const int col = m.aggs[a].column;
    if (m.aggs[a].op == AggOp::kValues &&
        (col < 0 || static_cast<size_t>(col) >= batch.columns.size())) {
      return Status::InvalidArgument("aggregate column out of range");
    }
    const Column& c = m.aggs[a].op == AggOp::kValues ? batch.columns[static_cast<size_t>(col)] : kNone;
    PQ_RETURN_IF_ERROR(m.Accumulate(a, c, n));
  }
  return Status::OK();
}

std::vector<HashAggregator::Group> HashAggregator::Finish(bool always_one) {
  Impl& m = *impl_;
  if (m.rows.empty() && m.keys.empty() && always_one) m.NewGroup(nullptr);
  std::vector<Group> out(m.rows.size());
  const size_t na = m.aggs.size();
  for (size_t g = 0; g < out.size(); g++) {
    out[g].rows = m.rows[g];
    out[g].keys.reserve(m.keys.size());
    for (size_t k = 0; k < m.keys.size(); k++) out[g].keys.push_back(m.dicts[k].values[m.group_codes[g][k]]);
    out[g].accs.reserve(na);
    for (size_t a = 0; a < na; a++) out[g].accs.push_back(std::move(m.accs[g * na + a]));
  }
  return out;
}

}  // namespace parquedb::exec
