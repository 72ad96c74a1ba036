// Binding, pushdown and execution of a parsed SELECT against a DB.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "parquedb/db.h"
#include "parquedb/sql.h"
#include "sql/ast.h"

namespace parquedb::sql {

// What the planner knows about a table.
struct TableInfo {
  std::string name;          // as the DB knows it
  bool is_view = false;
  Value definition;          // views: the definition from the schema (null if unknown)
  // Declared top-level fields -> IceType type text ("timestamp!", "decimal(10,2)", ...).
  // Includes the system fields ($id, createdAt, updatedAt, version) of collections.
  std::map<std::string, std::string> fields;
  // Views: output columns whose type follows from the source's declaration (group keys
  // on its top-level scalar fields, minute/hour buckets of its timestamps). Only the
  // columnar engine reads them; other view columns stay "variant" above.
  std::map<std::string, std::string> view_types;
  bool FieldIs(const std::string& top, std::string_view type_prefix) const;
  bool FieldRequired(const std::string& top) const;
};

// Looks a table up (exact name, then case-insensitive) among collections and views.
Result<TableInfo> ResolveTable(DB* db, const std::string& name);

// Rewrites column references (strips the table/alias qualifier, fixes the case of
// top-level fields), resolves GROUP BY ordinals/aliases, and numbers aggregate calls.
// Returns the number of aggregate slots; *aggregated tells whether this is an
// aggregate query. InvalidArgument for nested aggregates, '*' misuse, etc.
Result<int> Bind(SelectStmt* stmt, const TableInfo& table, bool* aggregated,
                 std::vector<ExprPtr>* aggregates, std::string_view sql);

// The Mongo filter implied by WHERE (every row for which WHERE is true matches it):
// null when nothing is pushable.
Value PushdownFilter(const SelectStmt& stmt, const TableInfo& table,
                     const std::vector<Value>& params, int64_t now);

// Whether `e` has no column or aggregate references (a constant for one statement).
bool IsConstant(const Expr& e);

// Runs a bound statement.
Result<SqlResult> Run(DB* db, const SelectStmt& stmt, const TableInfo& table,
                      const std::vector<Value>& params, const SqlOptions& options, int64_t now,
                      std::vector<std::string> plan, std::string_view sql);

}  // namespace parquedb::sql
