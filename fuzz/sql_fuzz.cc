// libFuzzer target: input bytes -> sql::Parse. Parsing never crashes and errors carry a
// line/column. For statements that parse: ExprToString is total, re-parsing the text
// of every select item as "SELECT <text> FROM t" succeeds (the printer emits valid
// SQL), and evaluating each non-aggregate item on fixed documents returns a value or
// an error, never a crash (overflow, division by zero, dates at the extremes, LIKE
// backtracking, casts).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "parquedb/value.h"
#include "sql/ast.h"
#include "sql/eval.h"
#include "sql/parser.h"

namespace {

using parquedb::Value;
namespace sql = parquedb::sql;

const std::vector<Value>& Docs() {
  static const std::vector<Value> docs = [] {
    std::vector<Value> out;
    out.push_back(*Value::ParseJson(R"({})"));
    out.push_back(*Value::ParseJson(
        R"({"a": 1, "b": -9223372036854775808, "s": "héllo%_", "n": null, "f": 2.5,
            "o": {"p": [1, "x", {"q": true}]}, "t": "2026-01-02T03:04:05Z"})"));
    Value typed = Value::MakeObject();
    typed.Set("ts", Value::Timestamp(INT64_MAX - 5));
    typed.Set("d", Value::Date(-719000));
    typed.Set("m", Value::Dec(*parquedb::Decimal::FromString("99999999999999999999999999999999.999999")));
    typed.Set("a", Value::Int(INT64_MAX));
    out.push_back(typed);
    return out;
  }();
  return docs;
}

bool ContainsAggregate(const sql::Expr& e) {
  if (e.kind == sql::ExprKind::kFunction && sql::IsAggregateName(e.name)) return true;
  for (const auto& a : e.args) {
    if (ContainsAggregate(*a)) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto stmt = sql::Parse(text);
  if (!stmt.ok()) {
    if (stmt.status().message().find("line ") == std::string::npos) {
      std::fprintf(stderr, "error without a position: %s\n", stmt.status().ToString().c_str());
      std::abort();
    }
    return 0;
  }
  std::vector<Value> params(static_cast<size_t>(stmt->num_params), Value::Int(3));
  for (const auto& item : stmt->items) {
    if (item.star) continue;
    std::string printed = sql::ExprToString(*item.expr);
    // Printed interval literals and '*' inside COUNT are valid syntax too.
    auto again = sql::Parse("SELECT " + printed + " FROM t");
    if (!again.ok() && printed.size() < 2000) {
      // Deep nesting can exceed kMaxDepth once parenthesized; anything else is a bug.
      if (again.status().message().find("nested too deeply") == std::string::npos) {
        std::fprintf(stderr, "printed expression does not parse: %s\n%s\n", printed.c_str(),
                     again.status().ToString().c_str());
        std::abort();
      }
    }
    if (ContainsAggregate(*item.expr)) continue;
    for (const Value& doc : Docs()) {
      sql::EvalContext ctx;
      ctx.row = &doc;
      ctx.params = &params;
      ctx.now = 1767225600000000;
      auto v = sql::Eval(*item.expr, ctx);
      if (v.ok()) (void)v->ToJsonString();
    }
  }
  return 0;
}
