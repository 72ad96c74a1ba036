// Scalar evaluation of SQL expressions over documents (three-valued logic; NULL is
// Value::Null, missing fields read as NULL).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "parquedb/status.h"
#include "parquedb/value.h"
#include "sql/ast.h"

namespace parquedb::sql {

// An interval value only exists transiently (INTERVAL literals are folded into
// timestamp arithmetic); expressions yielding a bare interval are errors.
struct EvalContext {
  const Value* row = nullptr;                 // current document (non-aggregate context)
  const std::vector<Value>* params = nullptr;
  int64_t now = 0;                            // NOW(), micros
  // Aggregate context: values of the group-by expressions (matched structurally via
  // group_texts) and of the aggregate slots.
  const std::vector<std::string>* group_texts = nullptr;
  const std::vector<Value>* group_values = nullptr;
  const std::vector<Value>* agg_values = nullptr;
};

Result<Value> Eval(const Expr& e, const EvalContext& ctx);

// SQL comparison: <0, 0, >0, or nullopt when either is NULL or they are incomparable
// (numbers with numbers, strings with strings, bools, timestamps/dates with each other
// and with strings that parse as ISO-8601, decimals with numeric strings).
std::optional<int> SqlCompare(const Value& a, const Value& b);

// Truthiness of a WHERE/HAVING result: true only for Bool(true).
inline bool IsTrue(const Value& v) { return v.kind() == Value::Kind::kBool && v.as_bool(); }

// Arithmetic (+ - * / %) with SQL typing: int op int -> int (overflow is an error) except
// '/' -> double; decimals stay exact for + - * (double when the scale would exceed
// 38); any double -> double. Division by zero -> NULL.
Result<Value> Arithmetic(const std::string& op, const Value& a, const Value& b, int pos);

// Truncates micros to `unit` (microsecond..year, week = ISO Monday) in UTC.
Result<int64_t> TruncateMicros(const std::string& unit, int64_t micros);

// CAST to a type name as produced by the parser.
Result<Value> CastValue(const Value& v, const Expr& cast);

}  // namespace parquedb::sql
