// FieldType: one parsed IceType field type string ("string!", "decimal(10,2)",
// "variant[]", "-> Customer", "<- OrderItem.order[]").
//
// Grammar (whitespace is allowed between all tokens):
//   type     := scalar array? modifier?
//             | "->" Name array? modifier?            forward relation (stores target $id)
//             | "<-" Name ("." field)? "[]"            reverse relation (computed, not stored)
//   scalar   := string | int | float | double | decimal(p,s) | boolean | timestamp | date
//             | variant | json
//   array    := "[]"
//   modifier := "!" (required) | "?" (optional, the default)
// `double` is an alias of `float` (both 64-bit floating), `json` an alias of `variant`
// (any Value); neither alias is remembered: ToString() prints the canonical name.
// decimal needs 1 <= p <= 38 and 0 <= s <= p. A reverse relation must be an array and
// cannot carry a modifier (it is computed from the target's forward relation).
//
// Plain value type; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "parquedb/status.h"

namespace parquedb::catalog {

enum class TypeKind : uint8_t {
  kString,
  kInt,    // int64
  kFloat,  // 64-bit IEEE double
  kDecimal,
  kBoolean,
  kTimestamp,        // microseconds since epoch, UTC
  kDate,             // days since epoch
  kVariant,          // any Value
  kRelation,         // forward: stores the target document's $id string
  kReverseRelation,  // computed from the target's forward relation; never stored
};

// "string", "int", "float", "decimal", "boolean", "timestamp", "date", "variant",
// "relation", "reverse relation".
std::string_view TypeKindName(TypeKind kind);

struct FieldType {
  TypeKind kind = TypeKind::kVariant;
  // '!': must be present and non-null on create/replace. Always false for reverse
  // relations. For arrays it means the array itself must be present (it may be empty).
  bool required = false;
  // "[]": an array of elements of `kind`. Always true for reverse relations.
  bool is_array = false;
  // kDecimal only: 1..38 and 0..precision.
  int precision = 0;
  int scale = 0;
  // Relations only: the target collection. After Catalog::Parse this is the target's
  // schema key (a `$type` name written in the schema is resolved to the key).
  std::string target;
  // kReverseRelation only: the field of `target` holding the forward relation back to the
  // declaring collection. Set by ParseFieldType when written ("<- OrderItem.order[]",
  // inverse_explicit = true); otherwise empty until Catalog::Parse resolves it.
  std::string inverse;
  bool inverse_explicit = false;

  bool is_relation() const {
    return kind == TypeKind::kRelation || kind == TypeKind::kReverseRelation;
  }
  // Whether documents store a value for this field (everything but reverse relations).
  bool is_stored() const { return kind != TypeKind::kReverseRelation; }

  // Canonical IceType text, e.g. "decimal(10,2)!", "string[]", "-> Customer[]!",
  // "<- OrderItem[]" (the inverse field is printed only when it was written explicitly).
  // ParseFieldType(ToString()) yields an equal FieldType (before catalog resolution).
  std::string ToString() const;

  bool operator==(const FieldType&) const = default;
};

// Parses one type string. `where` names the field for error messages ("Order.total").
// Errors (InvalidArgument) quote the bad text and say what was expected, e.g.
//   unknown type 'strng' in Order.name (expected string, int, float, decimal(p,s), ...)
//   bad decimal precision 40 in Order.total: precision must be 1..38
Result<FieldType> ParseFieldType(std::string_view text, std::string_view where);

}  // namespace parquedb::catalog
