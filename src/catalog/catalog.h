// Catalog: the parsed, validated database schema (IceType).
//
// The schema is a JSON object whose members, in order, are:
//   Collection  "Order": {"total": "decimal(10,2)!", "customer": "-> Customer", ...}
//               optional "$type" (type name, default = the key) and "$ingest" (stream
//               ingestion wiring, kept as given). Any other "$" key is an error.
//   View        any object with "$from" naming a collection or another view. The whole
//               definition object is kept (directives are validated by the MV engine);
//               "$type" is optional (default = the key).
//   Import      "TailEvents": "parquedb/tail" -- a built-in stream collection, by module
//               (see builtins.h); the key must be one of the module's exports.
// Entry keys are identifiers ([A-Za-z_][A-Za-z0-9_]*). Type names ($type, or the key)
// are unique across all entries and may not equal another entry's key.
//
// Fields: names are non-empty, contain no '.', do not start with '$' and are not all
// digits. System fields exist on every document and cannot be declared:
//   $id string! (document id), $type string!, createdAt timestamp!, updatedAt timestamp!,
//   version int!   (createdAt/updatedAt/version are maintained by the storage engine).
//
// Relations (resolved by Parse):
//   "-> T", "-> T[]"     T must be a collection (not a view), by key or by $type name;
//                        FieldType::target is set to T's key.
//   "<- T.f[]"           T.f must be a forward relation to this collection.
//   "<- T[]"             if T has exactly one forward relation to this collection, that
//                        field is the inverse; if it has none, an optional forward field is
//                        ADDED to T (FieldDef::implicit), named lowerCamelCase of this
//                        collection's key ("Order" -> "order", "OrderItem" -> "orderItem",
//                        "AIRequests" -> "aiRequests") and typed "-> ThisCollection"; if it
//                        has several, it is an error asking for the "<- T.f[]" form.
//   FieldType::inverse is set to the resolved field in every case.
//
// All errors are InvalidArgument naming the entry/field and what was expected.
// A Catalog is immutable after Parse; const access is thread-safe. Copies are
// independent; pointers returned by accessors point into the Catalog they came from.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/document.h"
#include "catalog/field_type.h"
#include "parquedb/value.h"
#include "parquedb/status.h"

namespace parquedb::catalog {

// True for "$id", "$type", "createdAt", "updatedAt" and "version".
bool IsSystemField(std::string_view name);

struct FieldDef {
  std::string name;
  FieldType type;
  // Added by the catalog to back an implicit reverse relation ("<- T[]" on another
  // collection); not part of the declared schema, so ToValue() omits it.
  bool implicit = false;

  bool operator==(const FieldDef&) const = default;
};

class CollectionDef {
 public:
  using Mode = DocumentMode;

  const std::string& name() const { return name_; }            // schema key
  const std::string& type_name() const { return type_name_; }  // $type
  const std::string& ingest() const { return ingest_; }        // $ingest, "" if none
  // The module this collection was imported from ("parquedb/tail"), "" if declared inline.
  const std::string& module() const { return module_; }
  bool is_stream() const { return !ingest_.empty(); }

  // Declared fields in declaration order, followed by implicit ones. System fields are
  // not listed.
  const std::vector<FieldDef>& fields() const { return fields_; }
  const FieldDef* FindField(std::string_view name) const;
  // Forward and reverse relation fields, in field order.
  std::vector<const FieldDef*> Relations() const;

  // Validates `doc` (an object) against this collection and returns its canonical form
  // (see document.h for per-type coercions):
  //   - "$id": kept; must be a non-empty string.
  //   - "$type": must be a string equal to type_name() or name(); dropped.
  //   - "createdAt", "updatedAt", "version": owned by the system; ignored and dropped.
  //   - any other "$" key, and undeclared fields: error naming the field and listing the
  //     declared ones (`unknown field 'x' in Order (declared fields: ...)`).
  //   - reverse relation fields: error (they are computed, not stored).
  //   - kCreate/kReplace: required fields must be present and non-null; an absent or
  //     null optional array becomes []; other absent optional fields stay absent and an
  //     explicit null is kept.
  //   - kPatch: only the given fields are checked; null unsets an optional field (kept as
  //     null; for arrays it becomes []), and is an error for a required field.
  // Output members: "$id" first (if given), then fields in declaration order.
  // Errors are InvalidArgument and name the collection and field path
  // ("Order.total: 12.345 has more than 2 fractional digits for decimal(10,2)").
  Result<Value> ValidateDocument(const Value& doc, Mode mode) const;

  // The schema form of this collection: the module name string for imports, otherwise
  // an object with "$type" (only when it differs from the key), the declared fields as
  // canonical type strings, and "$ingest" (when set).
  Value ToValue() const;

 private:
  friend class CatalogBuilder;
  std::string name_;
  std::string type_name_;
  std::string ingest_;
  std::string module_;
  std::vector<FieldDef> fields_;
  std::map<std::string, size_t, std::less<>> field_index_;  // name -> index in fields_
};

class ViewDef {
 public:
  const std::string& name() const { return name_; }            // schema key
  const std::string& type_name() const { return type_name_; }  // $type (default: key)
  const std::string& source() const { return source_; }        // $from (an entry key)
  bool source_is_view() const { return source_is_view_; }
  // The definition object exactly as given (including "$from" and "$type").
  const Value& definition() const { return definition_; }
  // The definition as canonical JSON: compact, object keys sorted bytewise at every
  // level, arrays in order (see CanonicalJson). Equal for definitions that differ only in
  // member order.
  const std::string& canonical_json() const { return canonical_json_; }
  // 64-bit FNV-1a of canonical_json(): stable across runs, builds and platforms, so it
  // can be persisted to detect "definition changed".
  uint64_t Hash() const { return hash_; }

 private:
  friend class CatalogBuilder;
  std::string name_;
  std::string type_name_;
  std::string source_;
  bool source_is_view_ = false;
  Value definition_;
  std::string canonical_json_;
  uint64_t hash_ = 0;
};

class Catalog {
 public:
  Catalog() = default;  // empty schema

  // Parses and validates a schema object (see the file comment).
  static Result<Catalog> Parse(const Value& schema);
  // Same, from JSON text (member order is preserved).
  static Result<Catalog> ParseJson(std::string_view json);

  // In declaration order.
  const std::vector<CollectionDef>& collections() const { return collections_; }
  const std::vector<ViewDef>& views() const { return views_; }

  // nullptr when absent.
  const CollectionDef* FindCollection(std::string_view name) const;
  const CollectionDef* FindCollectionByType(std::string_view type_name) const;
  const ViewDef* FindView(std::string_view name) const;
  const ViewDef* FindViewByType(std::string_view type_name) const;

  // All views, every view after its source; ties keep declaration order.
  std::vector<const ViewDef*> ViewsInTopologicalOrder() const;
  // The views that read `name` directly or through other views, in topological order.
  std::vector<const ViewDef*> ViewsDependingOn(std::string_view name) const;

  // The schema object, entries in declaration order (collections per
  // CollectionDef::ToValue, views as their definition). Parse(ToValue()) yields an
  // equivalent catalog.
  Value ToValue() const;

 private:
  friend class CatalogBuilder;
  struct Entry {
    bool is_view;
    size_t index;
  };
  std::vector<CollectionDef> collections_;
  std::vector<ViewDef> views_;
  std::vector<Entry> entries_;     // declaration order
  std::vector<size_t> view_topo_;  // indexes into views_
  std::map<std::string, size_t, std::less<>> collection_by_name_, collection_by_type_;
  std::map<std::string, size_t, std::less<>> view_by_name_, view_by_type_;
};

// Compact JSON of `v` with object members sorted by key (bytewise) at every level;
// scalars as in Value::ToJsonString (so int 1 and double 1.0 differ).
std::string CanonicalJson(const Value& v);

}  // namespace parquedb::catalog
