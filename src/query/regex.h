// Regex: a small regular-expression engine for the filter language's $regex.
// Matching simulates an NFA over the whole subject (Thompson/Pike style): time is
// O(|pattern| * |text|), memory O(|pattern|), no recursion and no backtracking, so
// hostile patterns cannot blow the stack or run exponentially.
//
// Syntax (a PCRE/ECMAScript subset, code points of UTF-8 text): literals, '.', classes
// "[a-z]", "[^...]" with escapes and POSIX names ("[[:alpha:]]"), \d \D \w \W \s \S
// (ASCII), \b \B, ^ $ \A \z \Z, groups "(...)", "(?:...)", "(?<name>...)", alternation,
// greedy or lazy quantifiers * + ? {n} {n,} {n,m} (counts up to 1000), escapes \n \r \t
// \f \v \0 \xHH \x{H..} \uHHHH. Unsupported (InvalidArgument): backreferences,
// lookaround, inline flags, possessive quantifiers.
// Options: 'i' (ASCII case-insensitive), 'm' (^/$ at line breaks), 's' ('.' matches
// '\n'), 'x' (whitespace and #-comments in the pattern are ignored outside classes).
// Without 'm', '$' matches at the end or before a final '\n' (PCRE); '^' only at start.
// Immutable after Compile; copies share the program; Search is thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "parquedb/status.h"

namespace parquedb::query {

class Regex {
 public:
  // Compiles `pattern` with `options` (any of "imsx"). InvalidArgument naming the
  // problem and its offset on bad syntax, unsupported features, unknown options, or a
  // pattern whose compiled form exceeds the size limit.
  static Result<Regex> Compile(std::string_view pattern, std::string_view options = "");

  // True if the pattern matches anywhere in `text` (unanchored search).
  bool Search(std::string_view text) const;

  const std::string& pattern() const;
  const std::string& options() const;

  struct Program;  // implementation detail

 private:
  explicit Regex(std::shared_ptr<const Program> prog) : prog_(std::move(prog)) {}
  std::shared_ptr<const Program> prog_;
};

}  // namespace parquedb::query
