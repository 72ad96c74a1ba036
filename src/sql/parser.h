// Lexer and recursive-descent parser for the SQL subset.
#pragma once

#include <string_view>

#include "parquedb/status.h"
#include "sql/ast.h"

namespace parquedb::sql {

// Parses one statement (an optional trailing ';'). InvalidArgument on syntax errors:
// "syntax error at line L, column C: expected X, found Y" then the line and a caret.
// Never crashes on any input (fuzzed); nesting is bounded (kMaxDepth).
Result<SelectStmt> Parse(std::string_view sql);

// "line L, column C" text plus the offending line and a caret under `pos`.
std::string DescribePosition(std::string_view sql, int pos);

inline constexpr int kMaxDepth = 200;

}  // namespace parquedb::sql
