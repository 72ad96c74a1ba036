// Result shaping for find(): sort specs, projections, skip/limit.
#pragma once

#include <string>
#include <vector>

#include "parquedb/value.h"

namespace parquedb::query {

struct SortKey {
  std::string path;
  bool descending = false;
};

// Parses {"field": 1 | -1, ...} (also "asc"/"desc"). Null gives no keys.
Result<std::vector<SortKey>> ParseSort(const Value& spec);

// Stable sort by the keys (Value::Compare order; missing sorts as null), ties
// broken by $id.
void SortDocuments(std::vector<Value>* docs, const std::vector<SortKey>& keys);

// A projection: {"a": 1, "b.c": 1} keeps those paths (plus $id unless "$id": 0);
// {"a": 0} drops them. Mixing 1s and 0s (other than $id) is InvalidArgument.
class Projection {
 public:
  static Result<Projection> Parse(const Value& spec);
  bool empty() const { return paths_.empty() && !drop_id_; }
  Value Apply(const Value& doc) const;

 private:
  bool include_ = true;
  bool drop_id_ = false;
  std::vector<std::string> paths_;
};

}  // namespace parquedb::query
