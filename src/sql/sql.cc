// Public entry points of the SQL layer (include/parquedb/sql.h).
#include "parquedb/sql.h"

#include <chrono>

#include "sql/parser.h"
#include "sql/planner.h"
#include "sql/router.h"

namespace parquedb {

Value SqlResult::RowToJson(size_t row) const {
  Value o = Value::MakeObject();
  if (row >= rows.size()) return o;
  for (size_t i = 0; i < columns.size() && i < rows[row].size(); i++) {
    if (o.Find(columns[i]) == nullptr) o.Set(columns[i], rows[row][i]);
  }
  return o;
}

Result<SqlResult> ExecuteSql(DB* db, std::string_view text, const std::vector<Value>& params,
                             const SqlOptions& options) {
  if (db == nullptr) return Status::InvalidArgument("ExecuteSql: null DB");
  PQ_ASSIGN_OR_RETURN(sql::SelectStmt stmt, sql::Parse(text));
  int64_t now = options.now ? *options.now
                            : std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  PQ_ASSIGN_OR_RETURN(sql::TableInfo table, sql::ResolveTable(db, stmt.table));
  std::vector<std::string> plan;
  if (options.allow_view_routing && !options.as_of && !table.is_view) {
    sql::SelectStmt bound = stmt;
    bool aggregated = false;
    std::vector<sql::ExprPtr> aggs;
    PQ_ASSIGN_OR_RETURN(int n, sql::Bind(&bound, table, &aggregated, &aggs, text));
    (void)n;
    PQ_ASSIGN_OR_RETURN(auto route, sql::RouteSelect(db, bound, table, params, now, &plan));
    if (route) {
      return sql::Run(db, route->stmt, route->view, params, options, now, std::move(plan), text);
    }
  } else if (!table.is_view) {
    plan.push_back(options.as_of ? "routing: off (as_of)" : "routing: off");
  }
  return sql::Run(db, stmt, table, params, options, now, std::move(plan), text);
}

Result<std::vector<Value>> FindRouted(DB* db, std::string_view collection, const Value& filter,
                                      const FindOptions& options, std::vector<std::string>* explain) {
  if (db == nullptr) return Status::InvalidArgument("FindRouted: null DB");
  std::vector<std::string> local;
  std::vector<std::string>* ex = explain != nullptr ? explain : &local;
  PQ_ASSIGN_OR_RETURN(auto route, sql::RouteFind(db, collection, filter, options, ex));
  if (route) return db->Find(route->view, route->filter, route->options);
  return db->Find(collection, filter, options);
}

}  // namespace parquedb
