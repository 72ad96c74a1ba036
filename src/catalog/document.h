// Document validation and coercion to the canonical representation of a field type.
// The per-collection entry point is CollectionDef::ValidateDocument (catalog.h); this
// header holds the mode and the per-value coercion it is built from.
//
// Canonical representation per type (what a coerced value is):
//   string       Value string             (strings only)
//   int          Value int                (ints; doubles/decimals with an integral value
//                                          in int64 range, so 2.0 -> 2 but 2.5 is an error)
//   float        Value double             (any number; decimals/ints converted)
//   decimal(p,s) Value decimal, scale s   (ints, decimals, strings parsed exactly, doubles
//                                          via their shortest round-trip text; an error if
//                                          more than s fractional digits are needed (after
//                                          dropping trailing zeros) or more than p-s
//                                          integer digits)
//   boolean      Value bool               (bools only)
//   timestamp    Value timestamp          (timestamps, dates (midnight UTC), ISO-8601
//                                          strings; epoch numbers are rejected)
//   date         Value date               (dates, "YYYY-MM-DD" strings)
//   variant      the value as given       (anything)
//   -> T         Value string: the $id    (an id string, or an object with a string $id)
//   arrays       Value array, element-wise (element errors name the index: "tags[3]");
//                null elements are errors except in variant[]
// Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <string_view>

#include "catalog/field_type.h"
#include "parquedb/value.h"
#include "parquedb/status.h"

namespace parquedb::catalog {

enum class DocumentMode : uint8_t {
  // A new document: required fields must be present and non-null.
  kCreate,
  // A whole-document replacement: same checks as kCreate.
  kReplace,
  // A partial update: only the given fields are checked; null means "unset" and is an
  // error for required fields.
  kPatch,
};

// Coerces one non-null value to the canonical representation of `type` (see above).
// `path` names the value in errors ("Order.total", "Order.tags[3]"). For arrays the
// whole array is coerced. A null `value` is returned unchanged (nullability is the
// caller's concern). Reverse relations are not storable: always an error.
Result<Value> CoerceFieldValue(const FieldType& type, const Value& value, std::string_view path);

}  // namespace parquedb::catalog
