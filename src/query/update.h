// Update operators on documents: {"$set": {...}, "$unset": {...}, "$inc": {...},
// "$push": {...}}; an object without operators means $set of its members. Paths
// may be dotted ("address.city"); $set creates missing intermediate objects.
#pragma once

#include "parquedb/value.h"

namespace parquedb::query {

// Returns `doc` with `update` applied. InvalidArgument naming the operator and path
// for unknown operators, $inc on a non-number, $push onto a non-array, system
// fields ($id, $type, createdAt, updatedAt, version), or mixing operators with
// plain fields.
Result<Value> ApplyUpdate(const Value& doc, const Value& update);

}  // namespace parquedb::query
