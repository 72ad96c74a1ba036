// Lexer and recursive-descent parser for the SQL subset.
#pragma once

#include <string>
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

// Whether an unquoted word is a keyword that cannot be a column name (case-insensitive).
bool IsReservedWord(std::string_view word);

// `path` ("a.b.0") as SQL text, quoting segments that are not plain identifiers.
std::string QuotePath(std::string_view path);

}  // namespace parquedb::sql
