// Filter: a compiled Mongo-style filter over Value documents.
//
// Language (DESIGN.md "Filter language"): a filter is an object whose members are ANDed.
//   {"path": literal}                 implicit $eq (objects/arrays compare as whole values)
//   {"path": {"$op": operand, ...}}   operators on one path, ANDed: $eq $ne $gt $gte $lt
//                                     $lte $in $nin $exists $regex (+ $options) $not
//   {"$and"|"$or"|"$nor": [filter, ...]}   non-empty arrays of filters
//   {"$not": filter}                  (extension: top-level negation of a filter)
// Paths are dotted ("event.request.method"); an all-digit segment ("exceptions.0")
// indexes an array (and is an ordinary key on objects).
//
// Path resolution (Mongo array semantics). Resolving a path yields a set of outcomes,
// each "present value" or "missing":
//   - object step: the member, or missing when absent;
//   - array step with an index segment: that element, or missing when out of range;
//   - array step with a non-index segment: fans out over the elements that are objects
//     (each resolves the same segment; non-object elements are skipped);
//   - any step on a scalar (or null): missing.
// A value condition holds for a present value v if it holds for v itself or, when v is an
// array, for any element of v. A path condition holds if it holds for any outcome:
//   $eq x      present value equal to x (Value::Compare == 0; numbers across kinds).
//              $eq null also holds for missing outcomes (Mongo: null matches missing).
//   $ne x      NOT $eq x     (so it matches documents where the path is missing)
//   $gt $gte $lt $lte x   present value of the same type bracket as x compared with
//              Value::Compare (numbers with numbers, strings with strings, bools, dates,
//              timestamps, arrays, objects, null with null); never across brackets. A
//              string x compared with a timestamp (date) value is first parsed as an
//              ISO-8601 timestamp (date) when it parses, and compared with a decimal
//              value as an exact decimal ("1000.50"). Missing never matches.
//   $in [..]   $eq for any element;  $nin [..]  NOT $in.
//   $exists b  (some outcome is present) == b; null counts as present.
//   $regex p   present string value searched by the regex (see query/regex.h); $options
//              is any of "imsx".
//   $not {ops} NOT (ops ANDed)      — so it matches documents where the path is missing.
// Equality coercion is symmetric with comparisons: a timestamp field equals a string
// literal that parses to the same instant (so {$gte: s, $lte: s} is {$eq: s}).
//
// Immutable after Parse; copies share the compiled form; Matches is thread-safe and does
// not allocate (except inside $regex's per-thread scratch on first use).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parquedb/value.h"
#include "parquedb/status.h"

namespace parquedb::query {

enum class PredicateOp : uint8_t {
  kEq,
  kNe,
  kGt,
  kGte,
  kLt,
  kLte,
  kIn,
  kNin,
  kExists,
  kRegex,
};

// "$eq", "$ne", ..., "$regex".
std::string_view PredicateOpName(PredicateOp op);

// One simple condition of a filter, for planners (row-group pruning by min/max
// statistics, view containment). Semantics are exactly the per-path semantics above,
// including array fan-out, $eq null matching missing, and ISO-string coercion.
struct Predicate {
  std::string path;  // dotted path as written in the filter
  PredicateOp op = PredicateOp::kEq;
  Value literal;              // operand as written: any value for $eq..$lte; the array
                              // for $in/$nin; Bool for $exists; pattern for $regex
  std::string regex_options;  // $options for kRegex, else empty
};

// Type brackets: values compare only within one bracket (null, bool, numbers, string,
// date, timestamp, array, object; numbers of every kind share one).
int TypeBracket(Value::Kind k);

// Compares a document value `field` with a filter `literal` under the filter's type
// bracketing: <0, 0, >0, or nullopt when they are not comparable (such a comparison never
// matches). Coerces a string literal to a timestamp/date when `field` is one and the
// literal parses. Planners use it to test literals against column statistics.
std::optional<int> CompareWithLiteral(const Value& field, const Value& literal);

class Filter {
 public:
  // The empty filter: matches every document.
  Filter();

  // Compiles `spec` (an object). InvalidArgument naming the operator and path for unknown
  // operators, wrong operand types ($in/$nin need arrays, $and/$or/$nor non-empty arrays
  // of objects, $exists a bool or number, $regex/$options strings, $not an operator
  // object), bad regexes, empty path segments, or nesting deeper than kMaxDepth.
  static Result<Filter> Parse(const Value& spec);
  // Parses JSON text then compiles it.
  static Result<Filter> ParseJson(std::string_view json);

  // Evaluates the filter on `doc` (normally an object; anything else has no fields).
  bool Matches(const Value& doc) const;

  // The spec this filter was compiled from ({} for the default filter).
  const Value& spec() const;

  // The conditions ANDed at the top level (members of the root object and, recursively,
  // of top-level $and), one per operator, in spec order. Conditions under $or/$nor/$not
  // are not listed. Every matching document satisfies every returned predicate.
  std::vector<Predicate> Conjuncts() const;
  // True when the filter is exactly the conjunction of Conjuncts() (nothing else).
  bool IsConjunctive() const;
  // The top-level fields (first path segments, e.g. "event" for "event.request.url")
  // the filter reads anywhere, deduplicated, in spec order. Matches(doc) depends only
  // on these members of doc.
  std::vector<std::string> ReferencedFields() const;

  static constexpr int kMaxDepth = 100;

 private:
  struct Impl;
  explicit Filter(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace parquedb::query
