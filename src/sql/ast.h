// AST of the SQL subset (see include/parquedb/sql.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parquedb/value.h"

namespace parquedb::sql {

struct Expr;
using ExprPtr = std::shared_ptr<Expr>;

enum class ExprKind : uint8_t {
  kLiteral,   // value
  kInterval,  // interval_months / interval_micros
  kColumn,    // path (dotted)
  kParam,     // param_index (0-based)
  kStar,      // '*' (only as COUNT(*) argument or select item)
  kUnary,     // op: "-", "NOT"
  kBinary,    // op: + - * / % || = <> < <= > >= AND OR
  kIsNull,    // args[0], negated
  kIn,        // args[0] IN (args[1..]), negated
  kBetween,   // args[0] BETWEEN args[1] AND args[2], negated
  kLike,      // args[0] LIKE args[1] [ESCAPE args[2]], negated, case_insensitive
  kCase,      // args: [operand?] (when, then)* [else]; has_operand, has_else
  kCast,      // args[0], type_name (upper-case), precision/scale
  kFunction,  // name (lower-case), args, distinct; aggregates too
};

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  int pos = 0;  // byte offset in the statement (for errors)
  Value value;
  int32_t interval_months = 0;
  int64_t interval_micros = 0;
  std::string path;  // kColumn
  int param_index = 0;
  std::string op;    // kUnary/kBinary
  std::string name;  // kFunction
  std::string type_name;
  int precision = 18, scale = 3;
  bool negated = false;
  bool distinct = false;
  bool case_insensitive = false;
  bool has_operand = false;
  bool has_else = false;
  std::vector<ExprPtr> args;
  int agg_slot = -1;  // set by the planner on aggregate calls
};

struct SelectItem {
  ExprPtr expr;
  std::string alias;  // empty: derived
  bool star = false;
};

struct OrderItem {
  ExprPtr expr;
  bool descending = false;
  std::optional<bool> nulls_first;  // default: NULLS LAST for ASC, FIRST for DESC
};

struct SelectStmt {
  bool explain = false;
  bool distinct = false;
  std::vector<SelectItem> items;
  std::string table;
  std::string alias;
  ExprPtr where;
  std::vector<ExprPtr> group_by;
  ExprPtr having;
  std::vector<OrderItem> order_by;
  ExprPtr limit;
  ExprPtr offset;
  int num_params = 0;
};

bool IsAggregateName(const std::string& lower_name);

// Canonical text of an expression (used for structural equality and column names).
std::string ExprToString(const Expr& e);

}  // namespace parquedb::sql
