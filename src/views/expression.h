// Field paths and row expressions of materialized-view definitions.
//
// FieldPath: a dotted path ("event.request.method", "exceptions.0.name") compiled once
// into segments. An all-digit segment indexes an array (and is an ordinary key on
// objects). Three resolution flavours, all pure and allocation-light:
//   Find     object steps and index steps only; nullptr when anything is missing.
//   Resolve  expression semantics: like Find, but a non-index segment applied to an
//            array maps the rest of the path over the elements and yields an array
//            aligned with them (an element where the rest is missing gives null):
//            "items.product.name" on an expanded order -> ["Pen", null, "Ink"].
//   Collect  aggregate semantics ("the values found at a path"): fans out over arrays
//            like Resolve, skips missing and null values, and flattens a final array
//            one level: "items" -> each item, "items.price" -> each price, "tags" ->
//            each tag. Values come in document order.
//   Exists   true when some resolution outcome is present (null counts as present),
//            as in the filter's $exists.
//
// Expr: a compiled expression (the $select values and $compute arguments).
//   "$path"                       the path's value (Resolve); missing -> null
//   literals                      numbers, strings not starting with '$', bools, null;
//                                 {"$literal": v} for anything verbatim
//   [e, ...] / {"k": e, ...}      arrays / objects of expressions
//   {"$cond": [if, then, else]} or {"$cond": {"if":..,"then":..,"else":..}}
//   {"$exists": "$path"}          bool: the path is present (null counts as present)
//   {"$eq"|"$ne"|"$gt"|"$gte"|"$lt"|"$lte": [a, b]}
//                                 bool. Compared like the filter: within one type
//                                 bracket (numbers across int/float/decimal by value;
//                                 null only equals null/missing); a string compared with
//                                 a timestamp (date) is parsed as ISO-8601 first. Across
//                                 brackets nothing is equal or ordered ($ne is true).
//   {"$and"|"$or": [e, ...]}, {"$not": e | [e]}   bool, by truthiness
//   {"$add"|"$multiply": [e, ...]}, {"$subtract"|"$divide": [a, b]}
//                                 numbers only (any other operand, null or missing ->
//                                 null). int op int -> int (overflowing int64 -> decimal
//                                 scale 0); with a decimal -> exact decimal (beyond 38
//                                 digits -> float); with a float -> float. $divide is
//                                 always float; dividing by zero -> null.
//   {"$ifNull": [e1, e2, ...]}    the first non-null operand (null if none)
// Truthiness: null/missing, false, numeric zero and NaN are false; everything else true.
//
// Expr and FieldPath are immutable after compilation; const use is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/field_type.h"
#include "parquedb/status.h"
#include "parquedb/value.h"

namespace parquedb::views {

class FieldPath {
 public:
  struct Segment {
    std::string name;
    bool is_index = false;  // canonical non-negative integer ("0", "12"; not "01")
    size_t index = 0;
  };

  FieldPath() = default;
  // InvalidArgument for an empty path or an empty segment ("a..b", ".a").
  static Result<FieldPath> Parse(std::string_view text);

  const std::string& text() const { return text_; }
  const std::vector<Segment>& segments() const { return segments_; }
  size_t size() const { return segments_.size(); }
  bool empty() const { return segments_.empty(); }
  // The first `n` segments as a path.
  FieldPath Prefix(size_t n) const;
  // Whether `prefix`'s segments are a prefix of this path's segments.
  bool StartsWith(const FieldPath& prefix) const;

  const Value* Find(const Value& doc) const;
  // Returns false when missing (then *out is left null).
  bool Resolve(const Value& doc, Value* out) const;
  void Collect(const Value& doc, std::vector<Value>* out) const;
  bool Exists(const Value& doc) const;

 private:
  std::string text_;
  std::vector<Segment> segments_;
};

// Truthiness as described in the file comment.
bool Truthy(const Value& v);

// Filter-style comparison of two values: <0, 0, >0, or nullopt when they are in
// different type brackets (after ISO-8601 coercion of a string against a
// timestamp/date).
std::optional<int> CompareLikeFilter(const Value& a, const Value& b);

// Exact-where-possible arithmetic used by $add/$subtract/$multiply (null when an operand
// is not a number).
Value AddNumbers(const Value& a, const Value& b);
Value SubtractNumbers(const Value& a, const Value& b);
Value MultiplyNumbers(const Value& a, const Value& b);
Value DivideNumbers(const Value& a, const Value& b);

// Type of a path in the view's input rows; kVariant when unknown.
using PathTypeFn = std::function<catalog::FieldType(const FieldPath&)>;

class Expr {
 public:
  enum class Op : uint8_t {
    kLiteral,
    kPath,
    kArray,
    kObject,
    kCond,
    kExists,
    kEq,
    kNe,
    kGt,
    kGte,
    kLt,
    kLte,
    kAnd,
    kOr,
    kNot,
    kAdd,
    kSubtract,
    kMultiply,
    kDivide,
    kIfNull,
  };

  Expr() = default;  // the literal null
  // Compiles an expression. InvalidArgument naming the offending operator/operand
  // (without view context: callers prefix it).
  static Result<Expr> Compile(const Value& spec);
  static Expr Literal(Value v);
  static Expr Path(FieldPath path);

  Op op() const { return op_; }
  bool is_path() const { return op_ == Op::kPath; }
  bool is_literal() const { return op_ == Op::kLiteral; }
  const FieldPath& path() const { return path_; }  // kPath and kExists
  const Value& literal() const { return literal_; }

  Value Eval(const Value& row) const;
  // The result's type given the types of the paths it reads.
  catalog::FieldType InferType(const PathTypeFn& path_type) const;
  // Every path read (kPath and kExists operands), in expression order.
  void CollectPaths(std::vector<const FieldPath*>* out) const;

 private:
  Op op_ = Op::kLiteral;
  Value literal_;
  FieldPath path_;
  std::vector<Expr> args_;
  std::vector<std::string> names_;  // kObject member names
};

// The FieldType of a literal value (kVariant for null, arrays of one scalar kind become
// arrays, objects are variant).
catalog::FieldType LiteralType(const Value& v);

}  // namespace parquedb::views
