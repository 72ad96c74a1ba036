// Pipeline: evaluates a compiled view (ViewSpec) on ONE source document.
//
//   source doc --$expand--> nested row --$unnest--> rows --$filter--> rows
//     non-aggregated: each row -> output row ($select, or flattened columns, plus
//                     per-row $compute), keyed by the source $id ("<$id>#<i>" with $unnest)
//     aggregated:     each row -> a Contribution: group key (canonical JSON of the key
//                     values), the key values, and per $compute the input values
//
// Related documents are read through RelatedLookup (implemented by the database over
// its CURRENT state). Every read is recorded as a dependency key so that a later change
// to a related document can be mapped back to the source documents it affects:
//   GetDependencyKey(collection, id)                 a Get (also when it found nothing)
//   FindDependencyKey(collection, field, value)      a FindByField
//
// A Pipeline borrows its ViewSpec (which must outlive it). Evaluation is const and
// thread-safe as long as the RelatedLookup is.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parquedb/status.h"
#include "parquedb/value.h"
#include "views/aggregate.h"
#include "views/view_spec.h"

namespace parquedb::views {

// Read access to related documents, as of the state the view is being brought to.
class RelatedLookup {
 public:
  virtual ~RelatedLookup() = default;
  // The document with this $id, or nullopt when absent.
  virtual Result<std::optional<Value>> Get(std::string_view collection, std::string_view id) = 0;
  // The documents whose `field` equals `value` or, for array fields, contains it (the
  // filter's {field: value}). Any order (the pipeline orders them by $id).
  virtual Result<std::vector<Value>> FindByField(std::string_view collection,
                                                 std::string_view field, const Value& value) = 0;
};

// A RelatedLookup for views without expansions: every call fails.
class NoRelatedLookup : public RelatedLookup {
 public:
  Result<std::optional<Value>> Get(std::string_view collection, std::string_view id) override;
  Result<std::vector<Value>> FindByField(std::string_view collection, std::string_view field,
                                         const Value& value) override;
};

std::string GetDependencyKey(std::string_view collection, std::string_view id);
std::string FindDependencyKey(std::string_view collection, std::string_view field,
                              const Value& value);

// One pipeline row's contribution to an aggregated view.
struct Contribution {
  std::string group_key;          // canonical JSON of key_values (the output row's $id)
  std::vector<Value> key_values;  // one per $groupBy entry (bucketed)
  OrderKey order;                 // the row's ordering key (pos = 0)
  // inputs[i]: the values fed to computes()[i] (for $count '*': one true per row).
  std::vector<std::vector<Value>> inputs;
};

// Everything one source document produces.
struct Evaluation {
  std::vector<std::pair<std::string, Value>> rows;  // non-aggregated: (key, output row)
  std::vector<Contribution> contributions;          // aggregated
  std::vector<std::string> dependencies;            // sorted, unique dependency keys
};

class Pipeline {
 public:
  explicit Pipeline(const ViewSpec* spec) : spec_(spec) {}
  const ViewSpec& spec() const { return *spec_; }

  // Convenience: the whole evaluation of `doc` (an object with a string "$id").
  Status Evaluate(const Value& doc, RelatedLookup& lookup, Evaluation* out) const;

  // ---- steps (used by ViewMaintainer to avoid intermediate allocations) ----

  // The nested form: `doc` with every expansion applied. Appends dependency keys to
  // `deps` (may be null). Without expansions *out is a cheap copy of doc.
  Status Expand(const Value& doc, RelatedLookup& lookup, std::vector<std::string>* deps,
                Value* out) const;
  // Calls fn(row, sub) for each row after $unnest (sub = element index, 0 without) that
  // passes $filter.
  template <typename Fn>
  Status ForEachRow(const Value& nested, Fn&& fn) const;
  // Row key of a non-aggregated output row.
  std::string RowKey(std::string_view source_id, int64_t sub) const;
  // The output row of a non-aggregated view.
  Value Project(const Value& row, std::string_view key) const;
  // Group key values and canonical key of a row (aggregated views).
  void GroupKey(const Value& row, std::vector<Value>* values, std::string* key) const;
  // The canonical group key of already computed (bucketed) key values.
  static void KeyFromValues(const std::vector<Value>& values, std::string* key);
  // Appends the inputs of computes()[i] for `row`.
  void ComputeInputs(const Value& row, size_t i, std::vector<Value>* out) const;
  // The ordering key of rows from source document `doc` (for $first/$last).
  OrderKey MakeOrder(const Value& doc, int64_t sub) const;
  // Applies a $groupBy time bucket to a value (null for non-temporal values).
  Value Bucket(const Value& v, TimeUnit unit) const;

 private:
  Status ExpandInto(Value* obj, const std::vector<ExpandNode>& nodes, RelatedLookup& lookup,
                    std::vector<std::string>* deps, int depth) const;
  const Value* UnnestTarget(const Value& nested) const;
  Value Replace(const Value& nested, const Value& element) const;

  const ViewSpec* spec_;
};

// The string $id of a document, or nullptr.
const std::string* DocumentId(const Value& doc);

template <typename Fn>
Status Pipeline::ForEachRow(const Value& nested, Fn&& fn) const {
  const std::optional<query::Filter>& filter = spec_->filter();
  if (!spec_->unnest().has_value()) {
    if (!filter.has_value() || filter->Matches(nested)) return fn(nested, int64_t{0});
    return Status::OK();
  }
  const Value* target = UnnestTarget(nested);
  if (target == nullptr || target->is_null()) return Status::OK();
  if (target->kind() != Value::Kind::kArray) {
    Value row = Replace(nested, *target);
    if (!filter.has_value() || filter->Matches(row)) return fn(row, int64_t{0});
    return Status::OK();
  }
  const Value holder = *target;  // a cheap shared copy: rows below copy-on-write `nested`
  const Value::Array& elements = holder.as_array();
  for (size_t i = 0; i < elements.size(); ++i) {
    Value row = Replace(nested, elements[i]);
    if (!filter.has_value() || filter->Matches(row)) {
      PQ_RETURN_IF_ERROR(fn(row, static_cast<int64_t>(i)));
    }
  }
  return Status::OK();
}

}  // namespace parquedb::views
