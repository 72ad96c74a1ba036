// Query routing: answering a query on a collection from a materialized view that
// provably gives the same result.
//
// A view V (from the schema) is a candidate for a query on collection C when:
//   - V.$from is C, V has no $expand/$unnest, reads no path through a relation of C
//     (those are expanded implicitly by the view), and V is fresh or stale within its
//     grace period (DB::GetViewState; within the grace period the view's possibly
//     older answer is served, as the seed specifies);
//   - the query's WHERE implies V.$filter: every conjunct of V's filter is implied by
//     a conjunct of the filter pushed down from WHERE (same path; $eq/$in/$gt/$gte/
//     $lt/$lte/$exists reasoning);
//   - non-aggregated V ($select or flattened): every column the query reads is a
//     column of V (renamed through $select), and no SELECT *;
//   - aggregated V ($groupBy): the query aggregates too; its GROUP BY and WHERE use
//     only V's group columns (date_trunc(u, ts) also maps onto a time bucket of V no
//     coarser than u that divides it, in UTC); COUNT(*) and COUNT(x) roll up from
//     $count, SUM(x) from $sum (needing x declared required or a $count of x, so an
//     all-NULL group stays NULL), MIN/MAX from $min/$max, AVG(x) from $sum and $count
//     of x; COUNT(DISTINCT g) for a group column g.
// Otherwise the reasons each view was rejected are reported.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "parquedb/db.h"
#include "sql/ast.h"
#include "sql/planner.h"

namespace parquedb::sql {

struct Route {
  SelectStmt stmt;  // rewritten to read the view
  TableInfo view;
};

// `stmt` must be bound against `source` (Bind). Returns the rewritten statement when a
// view covers it; appends the decision and rejection reasons to *explain.
Result<std::optional<Route>> RouteSelect(DB* db, const SelectStmt& stmt, const TableInfo& source,
                                         const std::vector<Value>& params, int64_t now,
                                         std::vector<std::string>* explain);

// find() routing: a non-aggregated view covering (filter, options) on `collection`.
// Returns the view name and the filter/options rewritten for it, or nullopt.
struct FindRoute {
  std::string view;
  Value filter;
  FindOptions options;
};
Result<std::optional<FindRoute>> RouteFind(DB* db, std::string_view collection, const Value& filter,
                                           const FindOptions& options,
                                           std::vector<std::string>* explain);

}  // namespace parquedb::sql
