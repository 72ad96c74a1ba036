// ViewSpec: a materialized-view definition compiled and validated against the catalog.
//
// Directives (object members of the view definition; anything else is an error):
//   $from        collection or view (resolved by the catalog). For a view source, its
//                output rows (OutputColumns) are the input.
//   $type        type name (string; the catalog defaults it to the key).
//   $expand      ["customer", "items.product", "customer.address", ...]: relation paths
//                from the source. A forward relation ("-> T", "-> T[]") is replaced by
//                the related document (null when absent; an array of documents/nulls for
//                "-> T[]"); a reverse relation ("<- T[]") becomes the array of T
//                documents whose inverse field holds this document's $id, ordered by
//                $id. Listing "a.b" also lists "a".
//   $flatten     {"customer": "buyer", "customer.address": "shipping"}: renames the
//                prefix of expanded columns (longest listed prefix wins):
//                customer_name -> buyer_name, customer_address_city -> shipping_city.
//   $unnest      "logs" | "$logs": one row per element of the array at that path (object
//                and index steps only); the element replaces the array; row key
//                "<$id>#<index>". Null/missing/empty: no row; a non-array value: one row
//                (index 0).
//   $filter      Mongo filter (query::Filter) on the row after $expand and $unnest, so
//                it can use "customer.tier" or "logs.level".
//   $select      {"out": "$path" | literal | expression}: the output columns.
//   $groupBy     ["path", {"alias": "$path"}, ...]: a plain path's column is its last
//                segment; an alias that is a time unit (minute, hour, date, day, week,
//                month, year) buckets timestamps, ISO-8601 strings parsing as
//                timestamps, and dates in $refresh.timezone (other values -> null);
//                day..year buckets are dates, minute/hour timestamps. [] = one group.
//   $compute     {"name": {"$agg": "*" | "path" | "$path" | expression}}; aggregates
//                per AggKind (aggregate.h). With $groupBy: per group over all rows;
//                without: per row, over the values found at the path within the row
//                (FieldPath::Collect: "items.price" sums an order's item prices).
//   $refresh     {mode: streaming|scheduled|manual, schedule: "<cron>" (required for
//                scheduled; the text is validated by the cron module), timezone
//                (default UTC), strategy: replace|append, gracePeriod: "30s"|"15m"|
//                "2h"|"1d"|"500ms" or a number of milliseconds, backend:
//                native|iceberg|delta}.
//   $projection  "olap" | "oltp" | "both".
// Paths through relations that are not listed in $expand (e.g. $groupBy
// "customer.tier", or $count of a reverse relation "items") expand those relations
// implicitly: they are read and tracked as dependencies but add no output columns.
// Paths naming no known field are allowed (they read as missing; the type is variant)
// and reported in warnings().
//
// Output (OutputColumns(), in row member order; every row has every column, null when
// missing; "$id", the row key, is always first):
//   aggregated ($groupBy):  $id (canonical JSON of the array of key values), the group
//                           columns, the computes.
//   $select:                $id, the selected columns, per-row computes.
//   otherwise (flattened):  $id, the source's fields ($type omitted; for collections the
//                           declared fields then createdAt, updatedAt, version), then the
//                           listed expansions' columns <prefix>_<field> (declared fields
//                           of the related collection, depth-first; columns under an
//                           array relation are arrays aligned with it), then per-row
//                           computes. The column of an expanded relation holds the $id(s)
//                           of the related document(s) (null when the reference dangles);
//                           a reverse relation's column is the array of related $ids.
//
// Errors: InvalidArgument "view <name>: <directive>: <problem>", e.g.
//   view DailySales: $compute.revenue: unknown aggregate '$summ' (expected $count, ...)
//   view V: $expand 'custmer': Order has no relation 'custmer'
// Immutable after Compile; thread-safe for concurrent const use.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "parquedb/status.h"
#include "parquedb/value.h"
#include "query/filter.h"
#include "views/aggregate.h"
#include "views/expression.h"
#include "views/time_bucket.h"
#include "views/timezone.h"

namespace parquedb::views {

enum class RefreshMode : uint8_t { kStreaming, kScheduled, kManual };
enum class RefreshStrategy : uint8_t { kReplace, kAppend };
enum class StorageBackend : uint8_t { kDefault, kNative, kIceberg, kDelta };  // kDefault: as source
enum class Projection : uint8_t { kDefault, kOlap, kOltp, kBoth };            // kDefault: unset

std::string_view RefreshModeName(RefreshMode mode);              // "streaming", ...
std::string_view RefreshStrategyName(RefreshStrategy strategy);  // "replace", "append"
std::string_view StorageBackendName(StorageBackend backend);     // "default", "native", ...
std::string_view ProjectionName(Projection projection);          // "default", "olap", ...

struct RefreshPolicy {
  RefreshMode mode = RefreshMode::kStreaming;
  std::string schedule;  // cron text as written ("" when absent)
  std::string timezone_name = "UTC";
  TimeZone timezone;
  RefreshStrategy strategy = RefreshStrategy::kReplace;
  std::optional<int64_t> grace_period_ms;
  StorageBackend backend = StorageBackend::kDefault;
};

// One relation expanded into the nested row (listed in $expand or implied by a path).
struct ExpandNode {
  std::string field;       // relation field of the parent document
  std::string path;        // dotted path from the source root ("items.product")
  std::string collection;  // target collection (schema key)
  bool reverse = false;    // "<- T[]": FindByField(collection, inverse, parent $id)
  std::string inverse;     // reverse only
  bool many = false;       // the expanded value is an array
  bool listed = false;     // in $expand: contributes output columns
  std::vector<ExpandNode> children;
};

struct GroupKeySpec {
  std::string name;  // output column
  FieldPath path;
  std::optional<TimeUnit> unit;  // time bucket alias
};

struct ComputeSpec {
  enum class Input : uint8_t { kRows, kPath, kExpr };  // kRows: {$count: '*'}
  std::string name;
  AggKind kind = AggKind::kCount;
  Input input = Input::kRows;
  FieldPath path;  // kPath
  Expr expr;       // kExpr
  Value zero;      // $sum of no values (0 of the output type)
};

struct SelectSpec {
  std::string name;
  Expr expr;
};

// A column of the flattened output, read from the nested row with FieldPath::Resolve.
struct FlatColumn {
  std::string name;
  FieldPath path;
};

class ViewSpec {
 public:
  // Compiles `def` (one of catalog.views()). A view source is compiled too (for its
  // output columns). InvalidArgument as described in the file comment.
  static Result<ViewSpec> Compile(const catalog::ViewDef& def, const catalog::Catalog& catalog);

  const std::string& name() const { return name_; }
  const std::string& type_name() const { return type_name_; }
  const std::string& source() const { return source_; }
  bool source_is_view() const { return source_is_view_; }
  // ViewDef::Hash() of the definition this was compiled from.
  uint64_t definition_hash() const { return definition_hash_; }
  // The source, then every collection reached by an expansion (deduplicated).
  const std::vector<std::string>& dependencies() const { return dependencies_; }
  // The collections reached by expansions (may include the source itself).
  const std::vector<std::string>& related_collections() const { return related_; }
  const RefreshPolicy& refresh() const { return refresh_; }
  Projection projection() const { return projection_; }
  bool aggregated() const { return aggregated_; }
  const std::vector<catalog::FieldDef>& OutputColumns() const { return columns_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

  // ---- compiled pipeline (used by Pipeline) ----
  const std::vector<ExpandNode>& expand() const { return expand_; }
  bool has_expand() const { return !expand_.empty(); }
  // The (collection, field) pairs reverse expansions look up by.
  const std::vector<std::pair<std::string, std::string>>& reverse_lookups() const {
    return reverse_lookups_;
  }
  const std::optional<query::Filter>& filter() const { return filter_; }
  const std::optional<FieldPath>& unnest() const { return unnest_; }
  bool has_select() const { return has_select_; }
  const std::vector<SelectSpec>& select() const { return select_; }
  const std::vector<FlatColumn>& flat_columns() const { return flat_columns_; }
  const std::vector<GroupKeySpec>& group_keys() const { return group_keys_; }
  const std::vector<ComputeSpec>& computes() const { return computes_; }
  // Whether any compute is $first/$last (rows then need their ordering key).
  bool needs_order() const { return needs_order_; }

 private:
  friend class ViewCompiler;

  std::string name_;
  std::string type_name_;
  std::string source_;
  bool source_is_view_ = false;
  uint64_t definition_hash_ = 0;
  std::vector<std::string> dependencies_;
  std::vector<std::string> related_;
  RefreshPolicy refresh_;
  Projection projection_ = Projection::kDefault;
  bool aggregated_ = false;
  std::vector<catalog::FieldDef> columns_;
  std::vector<std::string> warnings_;

  std::vector<ExpandNode> expand_;
  std::vector<std::pair<std::string, std::string>> reverse_lookups_;
  std::optional<query::Filter> filter_;
  std::optional<FieldPath> unnest_;
  bool has_select_ = false;
  std::vector<SelectSpec> select_;
  std::vector<FlatColumn> flat_columns_;
  std::vector<GroupKeySpec> group_keys_;
  std::vector<ComputeSpec> computes_;
  bool needs_order_ = false;
};

// Parses a grace period: "<digits><unit>" with unit ms, s, m, h or d, or a non-negative
// integral number of milliseconds. InvalidArgument otherwise.
Result<int64_t> ParseGracePeriod(const Value& v);

}  // namespace parquedb::views
