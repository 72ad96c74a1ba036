// Avro object container files (https://avro.apache.org/docs/1.11.1/specification/):
// a schema model parsed from / printed to JSON (keeping extra attributes such as
// Iceberg's "field-id", "element-id", "logicalType"), a binary encoder/decoder
// of generic data held as parquedb::Value, and the container framing.
//
// Generic data mapping: null <-> Null; boolean <-> Bool; int/long <-> Int;
// float/double <-> Double; bytes/string/fixed <-> String (raw bytes); enum <->
// String (symbol); array <-> Array; map <-> Object; record <-> Object (fields in
// schema order; a missing field encodes as null and must be nullable); union <->
// the branch value (the writer picks the first branch that fits the value's kind).
//
// The writer emits the "null" codec; the reader accepts "null", "deflate" and
// "snappy". Container files are untrusted: every length and count is
// bounds-checked and failures are Corruption statuses naming the problem.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "parquedb/status.h"
#include "parquedb/value.h"

namespace parquedb::lake::avro {

enum class Type : uint8_t {
  kNull, kBoolean, kInt, kLong, kFloat, kDouble, kBytes, kString,
  kRecord, kEnum, kArray, kMap, kUnion, kFixed,
};

struct Node;
using NodePtr = std::shared_ptr<const Node>;

struct Field {
  std::string name;
  NodePtr type;
  nlohmann::json attrs = nlohmann::json::object();  // extra attributes, e.g. "field-id"
};

// One schema node. `attrs` keeps attributes we do not interpret ("logicalType",
// "element-id", ...) so they survive a parse/print round trip.
struct Node {
  Type type = Type::kNull;
  std::string name;                  // record/enum/fixed
  std::vector<Field> fields;         // record
  std::vector<std::string> symbols;  // enum
  NodePtr items;                     // array items, map values
  std::vector<NodePtr> branches;     // union
  int64_t size = 0;                  // fixed
  nlohmann::json attrs = nlohmann::json::object();
};

// Parses a schema from JSON text (named types may be referenced by name).
// InvalidArgument (or Corruption when `untrusted`) on a bad schema.
Result<NodePtr> ParseSchema(std::string_view json_text, bool untrusted = false);
// Prints the schema as canonical-ish JSON (with extra attributes).
nlohmann::json SchemaToJson(const Node& node);

// Binary encoding of one datum.
Status Encode(const Node& schema, const Value& datum, std::string* out);
// Decodes one datum from data[*pos...]; advances *pos. Corruption on bad input.
Status Decode(const Node& schema, std::string_view data, size_t* pos, Value* out);

// Writes a container file into a string.
class ContainerWriter {
 public:
  // `metadata`: extra file metadata (avro.schema and avro.codec are added).
  ContainerWriter(NodePtr schema, std::map<std::string, std::string> metadata,
                  std::string sync_marker);
  Status Append(const Value& datum);
  // Returns the whole file (header, blocks of up to block_rows records).
  std::string Finish();

 private:
  void FlushBlock();
  NodePtr schema_;
  std::string out_, block_, sync_;
  int64_t block_count_ = 0;
};

struct ContainerFile {
  NodePtr schema;
  std::map<std::string, std::string> metadata;  // all header metadata
  std::vector<Value> records;
};

// Parses a whole container file. `max_records` bounds memory on untrusted input.
Result<ContainerFile> ReadContainer(std::string_view data, size_t max_records = 10'000'000);

// Zigzag varint helpers (exposed for tests).
void PutLong(int64_t v, std::string* out);
Status GetLong(std::string_view data, size_t* pos, int64_t* v);

}  // namespace parquedb::lake::avro
