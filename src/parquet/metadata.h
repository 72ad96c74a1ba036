// Parquet file metadata structures (parquet.thrift) and their Thrift compact
// (de)serialization. Footers and page headers are untrusted input: the decoders
// bounds-check every length, cap nesting depth and container sizes, skip unknown
// fields, and return Corruption instead of crashing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parquedb/status.h"

namespace parquedb::parquet {

enum class PhysicalType : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

enum class ConvertedType : int32_t {
  kUtf8 = 0,
  kMap = 1,
  kMapKeyValue = 2,
  kList = 3,
  kEnum = 4,
  kDecimal = 5,
  kDate = 6,
  kTimeMillis = 7,
  kTimeMicros = 8,
  kTimestampMillis = 9,
  kTimestampMicros = 10,
  kUint8 = 11,
  kUint16 = 12,
  kUint32 = 13,
  kUint64 = 14,
  kInt8 = 15,
  kInt16 = 16,
  kInt32 = 17,
  kInt64 = 18,
  kJson = 19,
  kBson = 20,
  kInterval = 21,
};

enum class Repetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };

enum class Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9,
};

enum class CompressionCodec : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,
  kBrotli = 4,
  kLz4 = 5,
  kZstd = 6,
  kLz4Raw = 7,
};

enum class PageType : int32_t {
  kDataPage = 0,
  kIndexPage = 1,
  kDictionaryPage = 2,
  kDataPageV2 = 3,
};

enum class TimeUnit : uint8_t { kMillis, kMicros, kNanos };

// The LogicalType union (parquet.thrift field 10 of SchemaElement), flattened.
struct LogicalType {
  enum class Kind : uint8_t {
    kNone = 0,  // absent
    kString,    // 1
    kMap,       // 2
    kList,      // 3
    kEnum,      // 4
    kDecimal,   // 5
    kDate,      // 6
    kTime,      // 7
    kTimestamp, // 8
    kInteger,   // 10
    kNull,      // 11
    kJson,      // 12
    kBson,      // 13
    kUuid,      // 14
    kFloat16,   // 15
    kOther,     // any other union member: preserved as "unknown", readers treat as none
  };
  Kind kind = Kind::kNone;
  int32_t decimal_scale = 0;      // kDecimal
  int32_t decimal_precision = 0;  // kDecimal
  bool is_adjusted_to_utc = false;  // kTime, kTimestamp
  TimeUnit unit = TimeUnit::kMicros;  // kTime, kTimestamp
  int8_t int_bit_width = 0;        // kInteger
  bool int_is_signed = true;       // kInteger

  static LogicalType String() { return {Kind::kString}; }
  static LogicalType Json() { return {Kind::kJson}; }
  static LogicalType Date() { return {Kind::kDate}; }
  static LogicalType List() { return {Kind::kList}; }
  static LogicalType Decimal(int32_t precision, int32_t scale) {
    LogicalType t{Kind::kDecimal};
    t.decimal_precision = precision;
    t.decimal_scale = scale;
    return t;
  }
  static LogicalType Timestamp(TimeUnit unit, bool utc) {
    LogicalType t{Kind::kTimestamp};
    t.unit = unit;
    t.is_adjusted_to_utc = utc;
    return t;
  }
  static LogicalType Integer(int8_t bits, bool is_signed) {
    LogicalType t{Kind::kInteger};
    t.int_bit_width = bits;
    t.int_is_signed = is_signed;
    return t;
  }
  bool operator==(const LogicalType&) const = default;
};

struct Statistics {
  std::optional<std::string> max;  // 1 (deprecated, signed order)
  std::optional<std::string> min;  // 2 (deprecated, signed order)
  std::optional<int64_t> null_count;      // 3
  std::optional<int64_t> distinct_count;  // 4
  std::optional<std::string> max_value;   // 5
  std::optional<std::string> min_value;   // 6
  std::optional<bool> is_max_value_exact; // 7
  std::optional<bool> is_min_value_exact; // 8
};

struct SchemaElement {
  std::optional<PhysicalType> type;        // 1
  std::optional<int32_t> type_length;      // 2
  std::optional<Repetition> repetition_type;  // 3
  std::string name;                        // 4 (required)
  std::optional<int32_t> num_children;     // 5
  std::optional<ConvertedType> converted_type;  // 6
  std::optional<int32_t> scale;            // 7
  std::optional<int32_t> precision;        // 8
  std::optional<int32_t> field_id;         // 9
  LogicalType logical_type;                // 10 (kind kNone when absent)
};

struct KeyValue {
  std::string key;                   // 1
  std::optional<std::string> value;  // 2
};

struct PageEncodingStats {
  PageType page_type = PageType::kDataPage;  // 1
  Encoding encoding = Encoding::kPlain;      // 2
  int32_t count = 0;                         // 3
};

struct ColumnMetaData {
  PhysicalType type = PhysicalType::kInt32;        // 1
  std::vector<Encoding> encodings;                 // 2
  std::vector<std::string> path_in_schema;         // 3
  CompressionCodec codec = CompressionCodec::kUncompressed;  // 4
  int64_t num_values = 0;                          // 5
  int64_t total_uncompressed_size = 0;             // 6
  int64_t total_compressed_size = 0;               // 7
  std::vector<KeyValue> key_value_metadata;        // 8
  int64_t data_page_offset = 0;                    // 9
  std::optional<int64_t> index_page_offset;        // 10
  std::optional<int64_t> dictionary_page_offset;   // 11
  std::optional<Statistics> statistics;            // 12
  std::vector<PageEncodingStats> encoding_stats;   // 13
  std::optional<int64_t> bloom_filter_offset;      // 14
  std::optional<int32_t> bloom_filter_length;      // 15
};

struct ColumnChunk {
  std::optional<std::string> file_path;  // 1
  int64_t file_offset = 0;               // 2
  std::optional<ColumnMetaData> meta_data;  // 3
  std::optional<int64_t> offset_index_offset;  // 4
  std::optional<int32_t> offset_index_length;  // 5
  std::optional<int64_t> column_index_offset;  // 6
  std::optional<int32_t> column_index_length;  // 7
};

struct SortingColumn {
  int32_t column_idx = 0;    // 1
  bool descending = false;   // 2
  bool nulls_first = false;  // 3
};

struct RowGroup {
  std::vector<ColumnChunk> columns;              // 1
  int64_t total_byte_size = 0;                   // 2
  int64_t num_rows = 0;                          // 3
  std::vector<SortingColumn> sorting_columns;    // 4
  std::optional<int64_t> file_offset;            // 5
  std::optional<int64_t> total_compressed_size;  // 6
  std::optional<int16_t> ordinal;                // 7
};

// ColumnOrder union: only TYPE_ORDER (field 1, empty struct) is defined. A column
// order we do not know is kept as kUnknown (min/max then must not be trusted).
enum class ColumnOrder : uint8_t { kTypeDefinedOrder, kUnknown };

struct FileMetaData {
  int32_t version = 2;                        // 1
  std::vector<SchemaElement> schema;          // 2
  int64_t num_rows = 0;                       // 3
  std::vector<RowGroup> row_groups;           // 4
  std::vector<KeyValue> key_value_metadata;   // 5
  std::optional<std::string> created_by;      // 6
  std::vector<ColumnOrder> column_orders;     // 7
  bool encrypted = false;  // 8/9 present: encryption is not supported; readers reject
};

struct DataPageHeader {
  int32_t num_values = 0;                                 // 1
  Encoding encoding = Encoding::kPlain;                   // 2
  Encoding definition_level_encoding = Encoding::kRle;    // 3
  Encoding repetition_level_encoding = Encoding::kRle;    // 4
  std::optional<Statistics> statistics;                   // 5
};

struct DictionaryPageHeader {
  int32_t num_values = 0;                 // 1
  Encoding encoding = Encoding::kPlain;   // 2
  std::optional<bool> is_sorted;          // 3
};

struct DataPageHeaderV2 {
  int32_t num_values = 0;                       // 1
  int32_t num_nulls = 0;                        // 2
  int32_t num_rows = 0;                         // 3
  Encoding encoding = Encoding::kPlain;         // 4
  int32_t definition_levels_byte_length = 0;    // 5
  int32_t repetition_levels_byte_length = 0;    // 6
  bool is_compressed = true;                    // 7 (default true)
  std::optional<Statistics> statistics;         // 8
};

struct PageHeader {
  PageType type = PageType::kDataPage;      // 1
  int32_t uncompressed_page_size = 0;       // 2
  int32_t compressed_page_size = 0;         // 3
  std::optional<int32_t> crc;               // 4
  std::optional<DataPageHeader> data_page_header;              // 5
  // 6: index_page_header is skipped (never written by known writers)
  std::optional<DictionaryPageHeader> dictionary_page_header;  // 7
  std::optional<DataPageHeaderV2> data_page_header_v2;         // 8
};

// Serializes the footer struct (without the length/magic trailer).
std::string SerializeFileMetaData(const FileMetaData& md);
// Parses a footer struct from exactly `data`. Corruption on malformed input.
Status ParseFileMetaData(std::string_view data, FileMetaData* out);

// Appends a serialized page header to *out.
void SerializePageHeader(const PageHeader& header, std::string* out);
// Parses a page header from the front of `data`; *consumed gets its byte length.
Status ParsePageHeader(std::string_view data, PageHeader* out, size_t* consumed);

}  // namespace parquedb::parquet
