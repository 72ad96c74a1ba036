// TableSpec: how one collection's documents are laid out in data files. Built by
// the db layer from the catalog; storage knows nothing about IceType.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "parquedb/value.h"

namespace parquedb::storage {

enum class ColumnKind : uint8_t {
  kString,
  kInt,  // int64
  kDouble,
  kDecimal,  // precision/scale
  kBool,
  kTimestamp,  // micros UTC
  kDate,
  kVariant,  // any Value, stored as JSON text (Parquet JSON logical type)
};

struct ColumnSpec {
  std::string name;
  ColumnKind kind = ColumnKind::kVariant;
  int precision = 0;      // kDecimal
  int scale = 0;          // kDecimal
  bool is_array = false;  // a list of `kind`
};

struct TableSpec {
  std::string name;                 // collection name (directory name under data/)
  std::string type_name;            // the documents' $type
  std::vector<ColumnSpec> columns;  // user columns, in declared order
};

// One stored version of a document. `doc` holds the user fields plus the system
// fields $id, $type, createdAt, updatedAt, version (absent for tombstones).
struct StoredRow {
  std::string id;
  uint64_t seq = 0;  // CDC sequence number of the write that produced this version
  bool deleted = false;
  Value doc;
};

}  // namespace parquedb::storage
