// Iceberg helpers shared by the table implementation and tests (internal).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "lake/lake_table.h"
#include "parquet/schema.h"

namespace parquedb::lake {

// Iceberg type JSON of a Parquet schema node (field ids taken from the node).
nlohmann::json IcebergType(const parquet::SchemaNode& n);
// {"type": "struct", "schema-id", "fields"} of a Parquet schema; *last_column_id
// receives the highest field id.
nlohmann::json IcebergSchema(const parquet::Schema& schema, int schema_id, int* last_column_id);
// Iceberg single-value binary serialization of a bound (nullopt if not
// representable).
std::optional<std::string> IcebergBound(const parquet::SchemaNode& leaf, const Value& v);

Result<std::unique_ptr<LakeTable>> OpenIceberg(Env* env, const std::string& root,
                                               const storage::RowCodec* codec);
Result<std::unique_ptr<LakeTable>> OpenDelta(Env* env, const std::string& root,
                                             const storage::RowCodec* codec);

}  // namespace parquedb::lake
