// SQL over collections and views (a SELECT subset), and find() with automatic routing
// to materialized views.
//
//   auto r = parquedb::ExecuteSql(db.get(),
//       "SELECT status, COUNT(*) AS n, SUM(total) FROM \"Order\" WHERE total > $1 "
//       "GROUP BY status ORDER BY n DESC LIMIT 10", {parquedb::Value::Int(100)});
//
// Language: SELECT [DISTINCT] items FROM table [[AS] alias] [WHERE] [GROUP BY] [HAVING]
// [ORDER BY expr [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]; EXPLAIN
// SELECT ... returns the plan (one column "plan"). Expressions: literals (numbers,
// 'strings', TRUE/FALSE/NULL, DATE '...', TIMESTAMP '...', INTERVAL 'n unit'),
// columns (dotted paths into objects and arrays: event.request.method, "quoted"
// identifiers), parameters ($1.. or ?), + - * / % ||, comparisons, [NOT] IN (list),
// [NOT] LIKE/ILIKE, IS [NOT] NULL, [NOT] BETWEEN, AND/OR/NOT (three-valued), CASE,
// CAST(x AS type) and x::type, COUNT(*|x|DISTINCT x), SUM, AVG, MIN, MAX, NOW(),
// date_trunc, lower, upper, length, concat, coalesce, abs, round, nullif.
// Missing fields read as NULL. Integer division '/' gives a double (as DuckDB); SUM
// of integers and decimals is exact; a double compares with a decimal as doubles.
// NULLs sort last unless NULLS FIRST; ORDER BY ties are broken by $id (rows) or by
// the group keys (groups), so results do not depend on scan order.
//
// Execution: the pushable part of WHERE becomes the Mongo filter of DB::Find (so
// Parquet row groups are pruned by statistics), only the referenced top-level fields
// are projected, the rest runs on the rows (hash aggregation, top-N for ORDER BY +
// LIMIT). With routing allowed, a query on a collection is answered from a fresh
// (or within-grace) materialized view that provably yields the same result.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parquedb/db.h"
#include "parquedb/status.h"
#include "parquedb/value.h"

namespace parquedb {

struct SqlOptions {
  // Answer from a materialized view when one provably covers the query.
  bool allow_view_routing = true;
  // Value of NOW() (micros); nullopt: the wall clock when the statement starts.
  std::optional<int64_t> now;
  // Run against the state at this instant (as FindOptions::as_of). Disables routing.
  std::optional<int64_t> as_of;
  // Use the columnar engine (DB::Aggregate, column scans) where it applies; false
  // forces the row path (documents), e.g. to compare both.
  bool columnar = true;
};

struct SqlResult {
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;
  // How the statement was executed: the table read (source or view), the pushed-down
  // filter and projection, and why views were or were not used. One line per item.
  std::vector<std::string> plan;
  // Each row as an object {column: value} (duplicate names keep the first).
  Value RowToJson(size_t row) const;
};

// Parses and runs one statement. InvalidArgument for syntax errors ("syntax error at
// line L, column C: expected ..., found ..." followed by the line and a caret), unknown
// columns/functions, type errors and unbound parameters; NotFound for an unknown table.
Result<SqlResult> ExecuteSql(DB* db, std::string_view sql, const std::vector<Value>& params = {},
                             const SqlOptions& options = {});

// find() that may be answered from a materialized view (same result as DB::Find on
// the source). When `explain` is non-null it receives the routing decision and the
// reasons views were rejected.
Result<std::vector<Value>> FindRouted(DB* db, std::string_view collection, const Value& filter,
                                      const FindOptions& options = {},
                                      std::vector<std::string>* explain = nullptr);

}  // namespace parquedb
