#include "parquet/metadata.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <string_view>

#include "parquet/thrift_compact.h"

namespace parquedb::parquet {
namespace {

using CT = CompactType;
using K = LogicalType::Kind;

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

std::string Hex(std::string_view s) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : s) {
    const auto b = static_cast<uint8_t>(c);
    if (!out.empty()) out.push_back(' ');
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

bool Contains(const Status& s, std::string_view needle) {
  return s.message().find(needle) != std::string::npos;
}

// ------------------------------------------------------------------ equality helpers

#define EXPECT_FIELD(a, b, field) EXPECT_EQ((a).field, (b).field) << #field

// Declared up front: the container helpers below call them from templates.
void ExpectEq(const Statistics& a, const Statistics& b);
void ExpectEq(const ColumnMetaData& a, const ColumnMetaData& b);
void ExpectEq(const ColumnChunk& a, const ColumnChunk& b);
void ExpectEq(const RowGroup& a, const RowGroup& b);
void ExpectEq(const DataPageHeader& a, const DataPageHeader& b);
void ExpectEq(const DictionaryPageHeader& a, const DictionaryPageHeader& b);
void ExpectEq(const DataPageHeaderV2& a, const DataPageHeaderV2& b);

void ExpectEq(const Statistics& a, const Statistics& b) {
  EXPECT_FIELD(a, b, max);
  EXPECT_FIELD(a, b, min);
  EXPECT_FIELD(a, b, null_count);
  EXPECT_FIELD(a, b, distinct_count);
  EXPECT_FIELD(a, b, max_value);
  EXPECT_FIELD(a, b, min_value);
  EXPECT_FIELD(a, b, is_max_value_exact);
  EXPECT_FIELD(a, b, is_min_value_exact);
}

template <typename T>
void ExpectEqOpt(const std::optional<T>& a, const std::optional<T>& b, const char* what) {
  ASSERT_EQ(a.has_value(), b.has_value()) << what;
  if (a) ExpectEq(*a, *b);
}

void ExpectEq(const SchemaElement& a, const SchemaElement& b) {
  EXPECT_FIELD(a, b, type);
  EXPECT_FIELD(a, b, type_length);
  EXPECT_FIELD(a, b, repetition_type);
  EXPECT_FIELD(a, b, name);
  EXPECT_FIELD(a, b, num_children);
  EXPECT_FIELD(a, b, converted_type);
  EXPECT_FIELD(a, b, scale);
  EXPECT_FIELD(a, b, precision);
  EXPECT_FIELD(a, b, field_id);
  EXPECT_TRUE(a.logical_type == b.logical_type) << "logical_type of " << a.name;
}

void ExpectEq(const KeyValue& a, const KeyValue& b) {
  EXPECT_FIELD(a, b, key);
  EXPECT_FIELD(a, b, value);
}

void ExpectEq(const PageEncodingStats& a, const PageEncodingStats& b) {
  EXPECT_FIELD(a, b, page_type);
  EXPECT_FIELD(a, b, encoding);
  EXPECT_FIELD(a, b, count);
}

void ExpectEq(const SortingColumn& a, const SortingColumn& b) {
  EXPECT_FIELD(a, b, column_idx);
  EXPECT_FIELD(a, b, descending);
  EXPECT_FIELD(a, b, nulls_first);
}

template <typename T>
void ExpectEqVec(const std::vector<T>& a, const std::vector<T>& b, const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE(std::string(what) + "[" + std::to_string(i) + "]");
    ExpectEq(a[i], b[i]);
  }
}

void ExpectEq(const ColumnMetaData& a, const ColumnMetaData& b) {
  EXPECT_FIELD(a, b, type);
  EXPECT_FIELD(a, b, encodings);
  EXPECT_FIELD(a, b, path_in_schema);
  EXPECT_FIELD(a, b, codec);
  EXPECT_FIELD(a, b, num_values);
  EXPECT_FIELD(a, b, total_uncompressed_size);
  EXPECT_FIELD(a, b, total_compressed_size);
  ExpectEqVec(a.key_value_metadata, b.key_value_metadata, "key_value_metadata");
  EXPECT_FIELD(a, b, data_page_offset);
  EXPECT_FIELD(a, b, index_page_offset);
  EXPECT_FIELD(a, b, dictionary_page_offset);
  ExpectEqOpt(a.statistics, b.statistics, "statistics");
  ExpectEqVec(a.encoding_stats, b.encoding_stats, "encoding_stats");
  EXPECT_FIELD(a, b, bloom_filter_offset);
  EXPECT_FIELD(a, b, bloom_filter_length);
}

void ExpectEq(const ColumnChunk& a, const ColumnChunk& b) {
  EXPECT_FIELD(a, b, file_path);
  EXPECT_FIELD(a, b, file_offset);
  ExpectEqOpt(a.meta_data, b.meta_data, "meta_data");
  EXPECT_FIELD(a, b, offset_index_offset);
  EXPECT_FIELD(a, b, offset_index_length);
  EXPECT_FIELD(a, b, column_index_offset);
  EXPECT_FIELD(a, b, column_index_length);
}

void ExpectEq(const RowGroup& a, const RowGroup& b) {
  ExpectEqVec(a.columns, b.columns, "columns");
  EXPECT_FIELD(a, b, total_byte_size);
  EXPECT_FIELD(a, b, num_rows);
  ExpectEqVec(a.sorting_columns, b.sorting_columns, "sorting_columns");
  EXPECT_FIELD(a, b, file_offset);
  EXPECT_FIELD(a, b, total_compressed_size);
  EXPECT_FIELD(a, b, ordinal);
}

void ExpectEq(const FileMetaData& a, const FileMetaData& b) {
  EXPECT_FIELD(a, b, version);
  ExpectEqVec(a.schema, b.schema, "schema");
  EXPECT_FIELD(a, b, num_rows);
  ExpectEqVec(a.row_groups, b.row_groups, "row_groups");
  ExpectEqVec(a.key_value_metadata, b.key_value_metadata, "key_value_metadata");
  EXPECT_FIELD(a, b, created_by);
  EXPECT_FIELD(a, b, column_orders);
  EXPECT_FIELD(a, b, encrypted);
}

void ExpectEq(const DataPageHeader& a, const DataPageHeader& b) {
  EXPECT_FIELD(a, b, num_values);
  EXPECT_FIELD(a, b, encoding);
  EXPECT_FIELD(a, b, definition_level_encoding);
  EXPECT_FIELD(a, b, repetition_level_encoding);
  ExpectEqOpt(a.statistics, b.statistics, "statistics");
}

void ExpectEq(const DictionaryPageHeader& a, const DictionaryPageHeader& b) {
  EXPECT_FIELD(a, b, num_values);
  EXPECT_FIELD(a, b, encoding);
  EXPECT_FIELD(a, b, is_sorted);
}

void ExpectEq(const DataPageHeaderV2& a, const DataPageHeaderV2& b) {
  EXPECT_FIELD(a, b, num_values);
  EXPECT_FIELD(a, b, num_nulls);
  EXPECT_FIELD(a, b, num_rows);
  EXPECT_FIELD(a, b, encoding);
  EXPECT_FIELD(a, b, definition_levels_byte_length);
  EXPECT_FIELD(a, b, repetition_levels_byte_length);
  EXPECT_FIELD(a, b, is_compressed);
  ExpectEqOpt(a.statistics, b.statistics, "statistics");
}

void ExpectEq(const PageHeader& a, const PageHeader& b) {
  EXPECT_FIELD(a, b, type);
  EXPECT_FIELD(a, b, uncompressed_page_size);
  EXPECT_FIELD(a, b, compressed_page_size);
  EXPECT_FIELD(a, b, crc);
  ExpectEqOpt(a.data_page_header, b.data_page_header, "data_page_header");
  ExpectEqOpt(a.dictionary_page_header, b.dictionary_page_header, "dictionary_page_header");
  ExpectEqOpt(a.data_page_header_v2, b.data_page_header_v2, "data_page_header_v2");
}

// ------------------------------------------------------------------ fixtures

Statistics FullStatistics() {
  Statistics s;
  s.max = std::string("\xff\x00\x01", 3);
  s.min = std::string("\x00", 1);
  s.null_count = 3;
  s.distinct_count = std::numeric_limits<int64_t>::max();
  s.max_value = "zzz";
  s.min_value = "";
  s.is_max_value_exact = true;
  s.is_min_value_exact = false;
  return s;
}

LogicalType TimeType(TimeUnit unit, bool utc) {
  LogicalType t{K::kTime};
  t.unit = unit;
  t.is_adjusted_to_utc = utc;
  return t;
}

// One schema element per LogicalType kind (and every SchemaElement field set somewhere).
std::vector<SchemaElement> FullSchema() {
  std::vector<SchemaElement> schema;
  SchemaElement root;
  root.name = "schema";
  root.num_children = 16;
  schema.push_back(root);
  const LogicalType kinds[] = {
      LogicalType::String(),
      LogicalType{K::kMap},
      LogicalType::List(),
      LogicalType{K::kEnum},
      LogicalType::Decimal(30, 2),
      LogicalType::Date(),
      TimeType(TimeUnit::kMillis, true),
      TimeType(TimeUnit::kNanos, false),
      LogicalType::Timestamp(TimeUnit::kMicros, true),
      LogicalType::Timestamp(TimeUnit::kNanos, false),
      LogicalType::Integer(8, false),
      LogicalType{K::kNull},
      LogicalType::Json(),
      LogicalType{K::kBson},
      LogicalType{K::kUuid},
      LogicalType{K::kFloat16},
  };
  int i = 0;
  for (const LogicalType& lt : kinds) {
    SchemaElement e;
    e.type = PhysicalType::kFixedLenByteArray;
    e.type_length = 16 + i;
    e.repetition_type = i % 2 ? Repetition::kOptional : Repetition::kRepeated;
    e.name = "col_" + std::to_string(i);
    e.converted_type = ConvertedType::kDecimal;
    e.scale = i;
    e.precision = 38 - i;
    e.field_id = i == 0 ? std::numeric_limits<int32_t>::min() : i;
    e.logical_type = lt;
    schema.push_back(e);
    ++i;
  }
  return schema;
}

ColumnMetaData FullColumnMetaData(int n) {
  ColumnMetaData md;
  md.type = PhysicalType::kByteArray;
  md.encodings = {Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary,
                  Encoding::kDeltaByteArray};
  for (int i = 0; i < 17; ++i) md.path_in_schema.push_back("p" + std::to_string(i));  // long list
  md.codec = CompressionCodec::kZstd;
  md.num_values = 1000 + n;
  md.total_uncompressed_size = int64_t{1} << 40;
  md.total_compressed_size = 12345;
  md.key_value_metadata = {{"ck", "cv"}, {"only_key", std::nullopt}};
  md.data_page_offset = 4 + n;
  md.index_page_offset = 77;
  md.dictionary_page_offset = 4;
  md.statistics = FullStatistics();
  md.encoding_stats = {{PageType::kDictionaryPage, Encoding::kPlain, 1},
                       {PageType::kDataPage, Encoding::kRleDictionary, 9}};
  md.bloom_filter_offset = 999999;
  md.bloom_filter_length = 4096;
  return md;
}

FileMetaData FullFileMetaData() {
  FileMetaData md;
  md.version = 1;
  md.schema = FullSchema();
  md.num_rows = std::numeric_limits<int64_t>::max();
  for (int g = 0; g < 2; ++g) {
    RowGroup rg;
    for (int c = 0; c < 3; ++c) {
      ColumnChunk cc;
      cc.file_path = "part-" + std::to_string(c) + ".parquet";
      cc.file_offset = -1;
      cc.meta_data = FullColumnMetaData(c);
      cc.offset_index_offset = 100;
      cc.offset_index_length = 10;
      cc.column_index_offset = 200;
      cc.column_index_length = 20;
      rg.columns.push_back(cc);
    }
    rg.total_byte_size = 5000;
    rg.num_rows = 500;
    rg.sorting_columns = {{0, true, false}, {2, false, true}};
    rg.file_offset = 4;
    rg.total_compressed_size = 4000;
    rg.ordinal = static_cast<int16_t>(g == 0 ? 0 : -32768);
    md.row_groups.push_back(rg);
  }
  for (int i = 0; i < 20; ++i) {
    md.key_value_metadata.push_back({"key" + std::to_string(i), std::string(i * 10, 'v')});
  }
  md.key_value_metadata.push_back({"no_value", std::nullopt});
  md.created_by = "parquedb version 0.1.0 (build test)";
  md.column_orders = {ColumnOrder::kTypeDefinedOrder, ColumnOrder::kUnknown,
                      ColumnOrder::kTypeDefinedOrder};
  return md;
}

FileMetaData MinimalFileMetaData() {
  FileMetaData md;
  SchemaElement root;
  root.name = "r";
  md.schema.push_back(root);
  return md;
}

PageHeader FullDataPageHeader() {
  PageHeader h;
  h.type = PageType::kDataPage;
  h.uncompressed_page_size = 1 << 20;
  h.compressed_page_size = 1000;
  h.crc = -123456789;
  h.data_page_header.emplace();
  h.data_page_header->num_values = 4096;
  h.data_page_header->encoding = Encoding::kRleDictionary;
  h.data_page_header->definition_level_encoding = Encoding::kRle;
  h.data_page_header->repetition_level_encoding = Encoding::kBitPacked;
  h.data_page_header->statistics = FullStatistics();
  return h;
}

PageHeader FullDictionaryPageHeader() {
  PageHeader h;
  h.type = PageType::kDictionaryPage;
  h.uncompressed_page_size = 64;
  h.compressed_page_size = 60;
  h.crc = 7;
  h.dictionary_page_header.emplace();
  h.dictionary_page_header->num_values = 16;
  h.dictionary_page_header->encoding = Encoding::kPlainDictionary;
  h.dictionary_page_header->is_sorted = true;
  return h;
}

PageHeader FullDataPageHeaderV2() {
  PageHeader h;
  h.type = PageType::kDataPageV2;
  h.uncompressed_page_size = 300;
  h.compressed_page_size = 200;
  h.data_page_header_v2.emplace();
  DataPageHeaderV2& v2 = *h.data_page_header_v2;
  v2.num_values = 100;
  v2.num_nulls = 10;
  v2.num_rows = 90;
  v2.encoding = Encoding::kDeltaBinaryPacked;
  v2.definition_levels_byte_length = 12;
  v2.repetition_levels_byte_length = 3;
  v2.is_compressed = false;
  v2.statistics = FullStatistics();
  return h;
}

FileMetaData RoundTrip(const FileMetaData& md) {
  FileMetaData out;
  Status s = ParseFileMetaData(SerializeFileMetaData(md), &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

PageHeader RoundTrip(const PageHeader& h) {
  std::string bytes;
  SerializePageHeader(h, &bytes);
  PageHeader out;
  size_t consumed = 0;
  Status s = ParsePageHeader(bytes, &out, &consumed);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(consumed, bytes.size());
  return out;
}

// ------------------------------------------------------------------ round trips

TEST(MetadataRoundTrip, FullFileMetaData) {
  const FileMetaData md = FullFileMetaData();
  ExpectEq(RoundTrip(md), md);
}

TEST(MetadataRoundTrip, MinimalFileMetaData) {
  const FileMetaData md = MinimalFileMetaData();
  const FileMetaData got = RoundTrip(md);
  ExpectEq(got, md);
  // Minimal: version, schema [ {name} ], num_rows, row_groups [].
  EXPECT_EQ(
      Hex(SerializeFileMetaData(md)),
      Hex(Bytes({0x15, 0x04, 0x19, 0x1C, 0x48, 0x01, 'r', 0x00, 0x16, 0x00, 0x19, 0x0C, 0x00})));
}

TEST(MetadataRoundTrip, MinimalStructsInsideFileMetaData) {
  FileMetaData md = MinimalFileMetaData();
  RowGroup rg;
  rg.columns.push_back(ColumnChunk{});  // no meta_data
  ColumnChunk cc;
  cc.meta_data.emplace();              // required fields only, empty lists
  cc.meta_data->statistics.emplace();  // empty statistics
  rg.columns.push_back(cc);
  md.row_groups.push_back(rg);
  md.key_value_metadata.push_back({"k", std::nullopt});
  ExpectEq(RoundTrip(md), md);
}

TEST(MetadataRoundTrip, EveryLogicalTypeKind) {
  FileMetaData md = MinimalFileMetaData();
  md.schema = FullSchema();
  const FileMetaData got = RoundTrip(md);
  ASSERT_EQ(got.schema.size(), md.schema.size());
  for (size_t i = 0; i < md.schema.size(); ++i) {
    EXPECT_TRUE(got.schema[i].logical_type == md.schema[i].logical_type) << i;
  }
  EXPECT_EQ(got.schema[5].logical_type.kind, K::kDecimal);
  EXPECT_EQ(got.schema[5].logical_type.decimal_precision, 30);
  EXPECT_EQ(got.schema[5].logical_type.decimal_scale, 2);
  EXPECT_EQ(got.schema[11].logical_type.int_bit_width, 8);
  EXPECT_FALSE(got.schema[11].logical_type.int_is_signed);
  EXPECT_EQ(got.schema[8].logical_type.unit, TimeUnit::kNanos);
}

TEST(MetadataRoundTrip, OtherLogicalTypeIsNotWritten) {
  FileMetaData md = MinimalFileMetaData();
  md.schema[0].logical_type = LogicalType{K::kOther};
  const FileMetaData got = RoundTrip(md);
  EXPECT_EQ(got.schema[0].logical_type.kind, K::kNone);
}

TEST(MetadataRoundTrip, PageHeaders) {
  for (const PageHeader& h :
       {FullDataPageHeader(), FullDictionaryPageHeader(), FullDataPageHeaderV2()}) {
    ExpectEq(RoundTrip(h), h);
  }
  PageHeader minimal;
  ExpectEq(RoundTrip(minimal), minimal);
  PageHeader v2 = FullDataPageHeaderV2();
  v2.data_page_header_v2->is_compressed = true;
  v2.data_page_header_v2->statistics.reset();
  ExpectEq(RoundTrip(v2), v2);
}

// ------------------------------------------------------------------ exact encodings

TEST(MetadataEncoding, DataPageHeaderBytes) {
  PageHeader h;
  h.type = PageType::kDataPage;
  h.uncompressed_page_size = 100;
  h.compressed_page_size = 50;
  h.data_page_header.emplace();
  h.data_page_header->num_values = 10;
  h.data_page_header->encoding = Encoding::kPlain;
  h.data_page_header->definition_level_encoding = Encoding::kRle;
  h.data_page_header->repetition_level_encoding = Encoding::kRle;
  std::string bytes;
  SerializePageHeader(h, &bytes);
  EXPECT_EQ(Hex(bytes), Hex(Bytes({0x15, 0x00,        // 1: type = DATA_PAGE
                                   0x15, 0xC8, 0x01,  // 2: uncompressed = 100
                                   0x15, 0x64,        // 3: compressed = 50
                                   0x2C,              // 5: data_page_header (delta 2)
                                   0x15, 0x14,        //   1: num_values = 10
                                   0x15, 0x00,        //   2: PLAIN
                                   0x15, 0x06,        //   3: RLE
                                   0x15, 0x06,        //   4: RLE
                                   0x00, 0x00})));
}

TEST(MetadataEncoding, DictionaryAndV2BoolsInTypeNibble) {
  PageHeader h;
  h.type = PageType::kDictionaryPage;
  h.dictionary_page_header.emplace();
  h.dictionary_page_header->is_sorted = false;
  std::string bytes;
  SerializePageHeader(h, &bytes);
  // ... 0x4C (7: struct, delta 4) {0x15 0x00, 0x15 0x00, 0x12 (3: false)} 0x00 0x00
  EXPECT_EQ(Hex(bytes), Hex(Bytes({0x15, 0x04, 0x15, 0x00, 0x15, 0x00, 0x4C, 0x15, 0x00, 0x15, 0x00,
                                   0x12, 0x00, 0x00})));
  PageHeader v2;
  v2.type = PageType::kDataPageV2;
  v2.data_page_header_v2.emplace();
  bytes.clear();
  SerializePageHeader(v2, &bytes);
  // 8: struct (delta 5 from 3) then fields 1..6 = 0, 7: true (type 1)
  EXPECT_EQ(Hex(bytes),
            Hex(Bytes({0x15, 0x06, 0x15, 0x00, 0x15, 0x00, 0x5C, 0x15, 0x00, 0x15, 0x00,
                       0x15, 0x00, 0x15, 0x00, 0x15, 0x00, 0x15, 0x00, 0x11, 0x00, 0x00})));
}

TEST(MetadataEncoding, LogicalTypeAndColumnOrderBytes) {
  FileMetaData md = MinimalFileMetaData();
  md.schema[0].logical_type = LogicalType::Timestamp(TimeUnit::kMillis, true);
  md.column_orders = {ColumnOrder::kTypeDefinedOrder, ColumnOrder::kUnknown};
  const std::string bytes = SerializeFileMetaData(md);
  EXPECT_EQ(Hex(bytes), Hex(Bytes({0x15, 0x04,              // 1: version 2
                                   0x19, 0x1C,              // 2: list<struct>[1]
                                   0x48, 0x01, 'r',         //   4: name
                                   0x6C,                    //   10: logicalType (delta 6)
                                   0x8C,                    //     8: TIMESTAMP
                                   0x11,                    //       1: isAdjustedToUTC = true
                                   0x1C, 0x1C, 0x00, 0x00,  //       2: unit { 1: MILLIS {} }
                                   0x00, 0x00,              //     end TIMESTAMP, end union
                                   0x00,                    //   end SchemaElement
                                   0x16, 0x00,              // 3: num_rows
                                   0x19, 0x0C,              // 4: row_groups []
                                   0x39, 0x2C,              // 7: column_orders list<struct>[2]
                                   0x1C, 0x00, 0x00,        //   { 1: TYPE_ORDER {} }
                                   0x00,                    //   {} (unknown)
                                   0x00})));
}

TEST(MetadataEncoding, IntegerLogicalTypeUsesI8BitWidth) {
  FileMetaData md = MinimalFileMetaData();
  md.schema[0].logical_type = LogicalType::Integer(16, true);
  const std::string bytes = SerializeFileMetaData(md);
  // 10: { 10: INTEGER { 1: i8 16, 2: true } }
  const std::string expected = Bytes({0x6C, 0xAC, 0x13, 0x10, 0x11, 0x00, 0x00});
  EXPECT_NE(bytes.find(expected), std::string::npos) << Hex(bytes);
}

// ------------------------------------------------------------------ hand-built input

// Writes fields of every wire type (nested) with ids from `first_id` upwards.
void WriteUnknownFields(CompactWriter* w, int16_t first_id) {
  int16_t id = first_id;
  w->WriteBoolField(id++, true);
  w->WriteI8Field(id++, 1);
  w->WriteI16Field(id++, 2);
  w->WriteI32Field(id++, 3);
  w->WriteI64Field(id++, 4);
  w->WriteDoubleField(id++, 5.0);
  w->WriteBinaryField(id++, "six");
  w->WriteFieldBegin(id++, CT::kUuid);
  for (int i = 0; i < 16; ++i) w->WriteI8(0);
  w->WriteListFieldBegin(id++, CT::kStruct, 1);
  w->WriteStructBegin();
  w->WriteListFieldBegin(1, CT::kI64, 2);  // like SizeStatistics histograms
  w->WriteI64(1);
  w->WriteI64(2);
  w->WriteStructEnd();
  w->WriteFieldBegin(id++, CT::kSet);
  w->WriteSetBegin(CT::kBoolTrue, 2);
  w->WriteBool(true);
  w->WriteBool(false);
  w->WriteFieldBegin(id++, CT::kMap);
  w->WriteMapBegin(CT::kBinary, CT::kStruct, 1);
  w->WriteBinary("k");
  w->WriteStructBegin();
  w->WriteDoubleField(1, 0.5);
  w->WriteStructEnd();
  w->WriteStructFieldBegin(id++);
  w->WriteStructFieldBegin(1);  // like GeospatialStatistics { bbox {...} }
  w->WriteDoubleField(1, 1.0);
  w->WriteDoubleField(2, 2.0);
  w->WriteStructEnd();
  w->WriteListFieldBegin(2, CT::kI32, 1);
  w->WriteI32(7);
  w->WriteStructEnd();
}

// A footer with unknown fields of every type in every struct level, including the
// real-world additions (Statistics.nan_count, SchemaElement.vector_length, LogicalType
// VARIANT, ColumnMetaData.size_statistics/geospatial_statistics, ColumnChunk crypto).
std::string FooterWithUnknownFields() {
  std::string out;
  CompactWriter w(&out);
  w.WriteStructBegin();
  w.WriteI32Field(1, 2);
  w.WriteListFieldBegin(2, CT::kStruct, 2);
  {
    w.WriteStructBegin();  // root
    w.WriteBinaryField(4, "root");
    w.WriteI32Field(5, 1);
    WriteUnknownFields(&w, 20);
    w.WriteStructEnd();
    w.WriteStructBegin();  // leaf with a VARIANT logical type and vector_length
    w.WriteI32Field(1, 6);
    w.WriteBinaryField(4, "v");
    w.WriteStructFieldBegin(10);
    w.WriteStructFieldBegin(16);  // VARIANT { 1: specification_version }
    w.WriteI8Field(1, 1);
    w.WriteStructEnd();
    w.WriteStructEnd();
    w.WriteI32Field(11, 4);
    w.WriteStructEnd();
  }
  w.WriteI64Field(3, 10);
  w.WriteListFieldBegin(4, CT::kStruct, 1);
  {
    w.WriteStructBegin();  // RowGroup
    w.WriteListFieldBegin(1, CT::kStruct, 1);
    w.WriteStructBegin();  // ColumnChunk
    w.WriteI64Field(2, 0);
    w.WriteStructFieldBegin(3);  // ColumnMetaData
    w.WriteI32Field(1, 6);
    w.WriteListFieldBegin(2, CT::kI32, 1);
    w.WriteI32(0);
    w.WriteListFieldBegin(3, CT::kBinary, 1);
    w.WriteBinary("v");
    w.WriteI32Field(4, 1);
    w.WriteI64Field(5, 10);
    w.WriteI64Field(6, 100);
    w.WriteI64Field(7, 90);
    w.WriteI64Field(9, 4);
    w.WriteStructFieldBegin(12);  // Statistics with nan_count (9) and unknown fields
    w.WriteI64Field(3, 0);
    w.WriteI64Field(9, 2);
    WriteUnknownFields(&w, 40);
    w.WriteStructEnd();
    WriteUnknownFields(&w, 16);  // 16 size_statistics, 17 geospatial, ...
    w.WriteStructEnd();
    w.WriteStructFieldBegin(8);  // crypto_metadata { 1: ENCRYPTION_WITH_FOOTER_KEY {} }
    w.WriteStructFieldBegin(1);
    w.WriteStructEnd();
    w.WriteStructEnd();
    w.WriteStructEnd();
    w.WriteI64Field(2, 100);
    w.WriteI64Field(3, 10);
    WriteUnknownFields(&w, 8);
    w.WriteStructEnd();
  }
  w.WriteListFieldBegin(7, CT::kStruct, 3);
  w.WriteStructBegin();  // IEEE_754_TOTAL_ORDER
  w.WriteStructFieldBegin(2);
  w.WriteStructEnd();
  w.WriteStructEnd();
  w.WriteStructBegin();  // TYPE_ORDER with an unknown field inside
  w.WriteStructFieldBegin(1);
  w.WriteI32Field(5, 5);
  w.WriteStructEnd();
  w.WriteStructEnd();
  w.WriteStructBegin();  // empty union
  w.WriteStructEnd();
  WriteUnknownFields(&w, 10);
  w.WriteI32Field(-5, 1);  // negative id
  w.WriteStructEnd();
  return out;
}

TEST(MetadataParse, SkipsUnknownFieldsOfEveryTypeAtEveryLevel) {
  const std::string bytes = FooterWithUnknownFields();
  FileMetaData md;
  Status s = ParseFileMetaData(bytes, &md);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(md.version, 2);
  ASSERT_EQ(md.schema.size(), 2u);
  EXPECT_EQ(md.schema[0].name, "root");
  EXPECT_EQ(md.schema[0].num_children, 1);
  EXPECT_EQ(md.schema[1].name, "v");
  EXPECT_EQ(md.schema[1].type, PhysicalType::kByteArray);
  EXPECT_EQ(md.schema[1].logical_type.kind, K::kOther);
  EXPECT_EQ(md.num_rows, 10);
  ASSERT_EQ(md.row_groups.size(), 1u);
  ASSERT_EQ(md.row_groups[0].columns.size(), 1u);
  EXPECT_EQ(md.row_groups[0].total_byte_size, 100);
  EXPECT_EQ(md.row_groups[0].num_rows, 10);
  const ColumnChunk& cc = md.row_groups[0].columns[0];
  ASSERT_TRUE(cc.meta_data.has_value());
  EXPECT_EQ(cc.meta_data->path_in_schema, std::vector<std::string>{"v"});
  EXPECT_EQ(cc.meta_data->codec, CompressionCodec::kSnappy);
  EXPECT_EQ(cc.meta_data->data_page_offset, 4);
  ASSERT_TRUE(cc.meta_data->statistics.has_value());
  EXPECT_EQ(cc.meta_data->statistics->null_count, 0);
  EXPECT_EQ(md.column_orders,
            (std::vector<ColumnOrder>{ColumnOrder::kUnknown, ColumnOrder::kTypeDefinedOrder,
                                      ColumnOrder::kUnknown}));
  EXPECT_FALSE(md.encrypted);
}

TEST(MetadataParse, SkipsUnknownPageHeaderFields) {
  std::string out;
  CompactWriter w(&out);
  w.WriteStructBegin();
  w.WriteI32Field(1, 0);
  w.WriteI32Field(2, 10);
  w.WriteI32Field(3, 8);
  w.WriteStructFieldBegin(5);
  w.WriteI32Field(1, 2);
  w.WriteI32Field(2, 0);
  w.WriteI32Field(3, 3);
  w.WriteI32Field(4, 3);
  WriteUnknownFields(&w, 6);
  w.WriteStructEnd();
  w.WriteStructFieldBegin(6);  // index_page_header {}
  w.WriteStructEnd();
  WriteUnknownFields(&w, 9);
  w.WriteStructEnd();
  const std::string header = out;
  out += "PAGEDATA";
  PageHeader h;
  size_t consumed = 0;
  Status s = ParsePageHeader(out, &h, &consumed);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(consumed, header.size());
  EXPECT_EQ(h.uncompressed_page_size, 10);
  EXPECT_EQ(h.compressed_page_size, 8);
  ASSERT_TRUE(h.data_page_header.has_value());
  EXPECT_EQ(h.data_page_header->num_values, 2);
  EXPECT_FALSE(h.dictionary_page_header.has_value());
}

TEST(MetadataParse, EncryptionFieldsSetEncryptedAndAllowSignature) {
  std::string bytes;
  CompactWriter w(&bytes);
  w.WriteStructBegin();
  w.WriteI32Field(1, 1);
  w.WriteListFieldBegin(2, CT::kStruct, 1);
  w.WriteStructBegin();
  w.WriteBinaryField(4, "r");
  w.WriteStructEnd();
  w.WriteI64Field(3, 0);
  w.WriteListFieldBegin(4, CT::kStruct, 0);
  w.WriteStructFieldBegin(8);  // encryption_algorithm { AES_GCM_V1 { 1: aad_prefix } }
  w.WriteStructFieldBegin(1);
  w.WriteBinaryField(1, "aad");
  w.WriteStructEnd();
  w.WriteStructEnd();
  w.WriteBinaryField(9, "key-metadata");
  w.WriteStructEnd();
  const std::string with_signature = bytes + std::string(28, 'S');  // nonce + tag
  FileMetaData md;
  Status s = ParseFileMetaData(with_signature, &md);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(md.encrypted);
  EXPECT_EQ(md.schema.size(), 1u);
}

TEST(MetadataParse, TrailingBytesAreCorruption) {
  const std::string bytes = SerializeFileMetaData(MinimalFileMetaData()) + "x";
  FileMetaData md;
  Status s = ParseFileMetaData(bytes, &md);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_TRUE(Contains(s, "1 trailing bytes")) << s.ToString();
}

TEST(MetadataParse, DuplicateFieldsLastWins) {
  std::string out;
  CompactWriter w(&out);
  w.WriteStructBegin();
  w.WriteI32Field(1, 0);
  w.WriteI32Field(2, 1);
  w.WriteI32Field(3, 2);
  w.WriteI32Field(2, 5);  // long form back to id 2
  w.WriteI32Field(3, 6);
  w.WriteStructEnd();
  PageHeader h;
  size_t consumed = 0;
  ASSERT_TRUE(ParsePageHeader(out, &h, &consumed).ok());
  EXPECT_EQ(h.uncompressed_page_size, 5);
  EXPECT_EQ(h.compressed_page_size, 6);
}

TEST(MetadataParse, ResetsOutput) {
  FileMetaData md = FullFileMetaData();
  ASSERT_TRUE(ParseFileMetaData(SerializeFileMetaData(MinimalFileMetaData()), &md).ok());
  ExpectEq(md, MinimalFileMetaData());
}

// ------------------------------------------------------------------ errors

TEST(MetadataErrors, MissingRequiredFieldsAreNamed) {
  {
    std::string out;
    CompactWriter w(&out);
    w.WriteStructBegin();
    w.WriteI32Field(1, 0);
    w.WriteI32Field(2, 10);
    w.WriteStructEnd();
    PageHeader h;
    size_t consumed;
    Status s = ParsePageHeader(out, &h, &consumed);
    EXPECT_TRUE(s.IsCorruption());
    EXPECT_EQ(s.message(), "missing required field PageHeader.compressed_page_size");
  }
  {
    // ColumnMetaData without data_page_offset, nested in a footer.
    FileMetaData md = MinimalFileMetaData();
    RowGroup rg;
    ColumnChunk cc;
    cc.meta_data.emplace();
    rg.columns.push_back(cc);
    md.row_groups.push_back(rg);
    std::string bytes = SerializeFileMetaData(md);
    // data_page_offset (9) follows total_compressed_size (7) as 0x26 0x00; drop it.
    const std::string needle = Bytes({0x16, 0x00, 0x26, 0x00, 0x00});
    const size_t pos = bytes.find(needle);
    ASSERT_NE(pos, std::string::npos) << Hex(bytes);
    bytes.erase(pos + 2, 2);
    FileMetaData got;
    Status s = ParseFileMetaData(bytes, &got);
    EXPECT_TRUE(s.IsCorruption());
    EXPECT_EQ(s.message(),
              "FileMetaData.row_groups: element 0: RowGroup.columns: element 0: "
              "ColumnChunk.meta_data: missing required field ColumnMetaData.data_page_offset");
  }
  {
    FileMetaData got;
    Status s = ParseFileMetaData(Bytes({0x15, 0x02, 0x00}), &got);
    EXPECT_EQ(s.message(), "missing required field FileMetaData.schema");
  }
  {
    // SchemaElement without name
    FileMetaData got;
    Status s = ParseFileMetaData(
        Bytes({0x15, 0x02, 0x19, 0x1C, 0x15, 0x02, 0x00, 0x16, 0x00, 0x19, 0x0C, 0x00}), &got);
    EXPECT_TRUE(Contains(s, "missing required field SchemaElement.name")) << s.ToString();
    EXPECT_TRUE(Contains(s, "FileMetaData.schema: element 0")) << s.ToString();
  }
  {
    // Decimal logical type without precision
    std::string out;
    CompactWriter w(&out);
    w.WriteStructBegin();
    w.WriteI32Field(1, 1);
    w.WriteListFieldBegin(2, CT::kStruct, 1);
    w.WriteStructBegin();
    w.WriteBinaryField(4, "d");
    w.WriteStructFieldBegin(10);
    w.WriteStructFieldBegin(5);
    w.WriteI32Field(1, 2);
    w.WriteStructEnd();
    w.WriteStructEnd();
    w.WriteStructEnd();
    w.WriteI64Field(3, 0);
    w.WriteListFieldBegin(4, CT::kStruct, 0);
    w.WriteStructEnd();
    FileMetaData got;
    Status s = ParseFileMetaData(out, &got);
    EXPECT_TRUE(Contains(s, "LogicalType.DECIMAL: missing required field precision"))
        << s.ToString();
  }
}

TEST(MetadataErrors, WrongWireTypeIsNamed) {
  // PageHeader.uncompressed_page_size written as binary.
  std::string out;
  CompactWriter w(&out);
  w.WriteStructBegin();
  w.WriteI32Field(1, 0);
  w.WriteBinaryField(2, "x");
  w.WriteI32Field(3, 0);
  w.WriteStructEnd();
  PageHeader h;
  size_t consumed;
  Status s = ParsePageHeader(out, &h, &consumed);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(s.message(),
            "PageHeader.uncompressed_page_size: expected i32, got binary (field id 2)");

  // encodings as list<binary>
  FileMetaData md = MinimalFileMetaData();
  RowGroup rg;
  ColumnChunk cc;
  cc.meta_data.emplace();
  cc.meta_data->encodings = {Encoding::kPlain};
  rg.columns.push_back(cc);
  md.row_groups.push_back(rg);
  std::string bytes = SerializeFileMetaData(md);
  const size_t pos = bytes.find(Bytes({0x19, 0x15, 0x00}));  // 2: list<i32>[1] {0}
  ASSERT_NE(pos, std::string::npos);
  bytes[pos + 1] = 0x18;
  FileMetaData got;
  s = ParseFileMetaData(bytes, &got);
  EXPECT_TRUE(Contains(s, "ColumnMetaData.encodings: expected list<i32>, got list<binary>"))
      << s.ToString();
}

TEST(MetadataErrors, InvalidValues) {
  {
    PageHeader h = FullDictionaryPageHeader();
    h.compressed_page_size = -1;
    std::string bytes;
    SerializePageHeader(h, &bytes);
    PageHeader got;
    size_t consumed;
    Status s = ParsePageHeader(bytes, &got, &consumed);
    EXPECT_TRUE(Contains(s, "negative page size")) << s.ToString();
  }
  {
    FileMetaData md = MinimalFileMetaData();
    md.schema[0].type = static_cast<PhysicalType>(8);
    FileMetaData got;
    Status s = ParseFileMetaData(SerializeFileMetaData(md), &got);
    EXPECT_TRUE(Contains(s, "SchemaElement.type: invalid physical type 8")) << s.ToString();
  }
  {
    // Unknown enum values elsewhere are preserved (forward compatibility).
    FileMetaData md = MinimalFileMetaData();
    md.schema[0].repetition_type = static_cast<Repetition>(3);  // VECTOR
    md.schema[0].converted_type = static_cast<ConvertedType>(99);
    FileMetaData got = RoundTrip(md);
    EXPECT_EQ(got.schema[0].repetition_type, static_cast<Repetition>(3));
    EXPECT_EQ(got.schema[0].converted_type, static_cast<ConvertedType>(99));
  }
}

std::string FooterWithLogicalType(const std::function<void(CompactWriter*)>& write_union) {
  std::string out;
  CompactWriter w(&out);
  w.WriteStructBegin();
  w.WriteI32Field(1, 1);
  w.WriteListFieldBegin(2, CT::kStruct, 1);
  w.WriteStructBegin();
  w.WriteBinaryField(4, "c");
  w.WriteStructFieldBegin(10);
  write_union(&w);
  w.WriteStructEnd();
  w.WriteStructEnd();
  w.WriteI64Field(3, 0);
  w.WriteListFieldBegin(4, CT::kStruct, 0);
  w.WriteStructEnd();
  return out;
}

TEST(MetadataParse, LogicalTypeUnionEdgeCases) {
  FileMetaData md;
  // Empty union: no logical type.
  ASSERT_TRUE(ParseFileMetaData(FooterWithLogicalType([](CompactWriter*) {}), &md).ok());
  EXPECT_EQ(md.schema[0].logical_type.kind, K::kNone);
  // Two members: Corruption.
  Status s = ParseFileMetaData(FooterWithLogicalType([](CompactWriter* w) {
                                 w->WriteStructFieldBegin(1);
                                 w->WriteStructEnd();
                                 w->WriteStructFieldBegin(6);
                                 w->WriteStructEnd();
                               }),
                               &md);
  EXPECT_TRUE(Contains(s, "LogicalType union has more than one member")) << s.ToString();
  // Known member with a non-struct type: Corruption.
  s = ParseFileMetaData(FooterWithLogicalType([](CompactWriter* w) { w->WriteI32Field(1, 0); }),
                        &md);
  EXPECT_TRUE(Contains(s, "expected struct, got i32")) << s.ToString();
  // Unknown TimeUnit member: the whole logical type becomes kOther.
  ASSERT_TRUE(ParseFileMetaData(FooterWithLogicalType([](CompactWriter* w) {
                                  w->WriteStructFieldBegin(8);
                                  w->WriteBoolField(1, true);
                                  w->WriteStructFieldBegin(2);
                                  w->WriteStructFieldBegin(9);
                                  w->WriteStructEnd();
                                  w->WriteStructEnd();
                                  w->WriteStructEnd();
                                }),
                                &md)
                  .ok());
  EXPECT_EQ(md.schema[0].logical_type.kind, K::kOther);
  // Unknown members with payloads of any type: kOther.
  ASSERT_TRUE(ParseFileMetaData(FooterWithLogicalType([](CompactWriter* w) {
                                  w->WriteStructFieldBegin(17);  // GEOMETRY { 1: crs }
                                  w->WriteBinaryField(1, "OGC:CRS84");
                                  w->WriteStructEnd();
                                }),
                                &md)
                  .ok());
  EXPECT_EQ(md.schema[0].logical_type.kind, K::kOther);
  // Empty-struct members tolerate unknown inner fields.
  ASSERT_TRUE(ParseFileMetaData(FooterWithLogicalType([](CompactWriter* w) {
                                  w->WriteStructFieldBegin(1);
                                  w->WriteBinaryField(3, "future");
                                  w->WriteStructEnd();
                                }),
                                &md)
                  .ok());
  EXPECT_EQ(md.schema[0].logical_type.kind, K::kString);
  // Timestamp without unit.
  s = ParseFileMetaData(FooterWithLogicalType([](CompactWriter* w) {
                          w->WriteStructFieldBegin(8);
                          w->WriteBoolField(1, true);
                          w->WriteStructEnd();
                        }),
                        &md);
  EXPECT_TRUE(Contains(s, "LogicalType.TIMESTAMP: missing required field unit")) << s.ToString();
}

// ------------------------------------------------------------------ robustness

TEST(MetadataRobustness, EveryTruncationOfAFooterFails) {
  const std::string bytes = SerializeFileMetaData(FullFileMetaData());
  ASSERT_GT(bytes.size(), 1000u);
  for (size_t n = 0; n < bytes.size(); ++n) {
    FileMetaData md;
    Status s = ParseFileMetaData(std::string_view(bytes).substr(0, n), &md);
    ASSERT_TRUE(s.IsCorruption()) << "prefix " << n << ": " << s.ToString();
  }
  const std::string unknown = FooterWithUnknownFields();
  for (size_t n = 0; n < unknown.size(); ++n) {
    FileMetaData md;
    Status s = ParseFileMetaData(std::string_view(unknown).substr(0, n), &md);
    ASSERT_TRUE(s.IsCorruption()) << "prefix " << n << ": " << s.ToString();
  }
}

TEST(MetadataRobustness, EveryTruncationOfAPageHeaderFails) {
  for (const PageHeader& h :
       {FullDataPageHeader(), FullDictionaryPageHeader(), FullDataPageHeaderV2()}) {
    std::string bytes;
    SerializePageHeader(h, &bytes);
    for (size_t n = 0; n < bytes.size(); ++n) {
      // Copy into an exactly-sized buffer so ASan catches any over-read.
      const std::string prefix = bytes.substr(0, n);
      PageHeader got;
      size_t consumed = 0;
      Status s = ParsePageHeader(prefix, &got, &consumed);
      ASSERT_TRUE(s.IsCorruption()) << "prefix " << n << ": " << s.ToString();
    }
  }
}

// Parses; if that succeeds, re-serialization must be a fixed point.
void CheckStable(std::string_view input) {
  FileMetaData md;
  if (ParseFileMetaData(input, &md).ok()) {
    const std::string s1 = SerializeFileMetaData(md);
    FileMetaData md2;
    Status s = ParseFileMetaData(s1, &md2);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(Hex(SerializeFileMetaData(md2)), Hex(s1));
  }
  PageHeader h;
  size_t consumed = 0;
  if (ParsePageHeader(input, &h, &consumed).ok()) {
    ASSERT_LE(consumed, input.size());
    std::string s1;
    SerializePageHeader(h, &s1);
    PageHeader h2;
    size_t consumed2 = 0;
    Status s = ParsePageHeader(s1, &h2, &consumed2);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(consumed2, s1.size());
    std::string s2;
    SerializePageHeader(h2, &s2);
    ASSERT_EQ(Hex(s2), Hex(s1));
  }
}

TEST(MetadataRobustness, RandomMutationsNeverCrash) {
  std::string page;
  SerializePageHeader(FullDataPageHeaderV2(), &page);
  const std::string seeds[] = {SerializeFileMetaData(FullFileMetaData()), FooterWithUnknownFields(),
                               page};
  std::mt19937 rng(20240611);  // deterministic
  int parsed_ok = 0;
  for (int iter = 0; iter < 4000; ++iter) {
    std::string input = seeds[iter % 3];
    const int mutations = 1 + static_cast<int>(rng() % 4);
    for (int m = 0; m < mutations && !input.empty(); ++m) {
      const size_t pos = rng() % input.size();
      switch (rng() % 5) {
        case 0:  // flip one bit
          input[pos] = static_cast<char>(input[pos] ^ (1 << (rng() % 8)));
          break;
        case 1:  // random byte
          input[pos] = static_cast<char>(rng());
          break;
        case 2:  // interesting byte (varint continuation, long list, stop)
          input[pos] = static_cast<char>("\xff\x80\xf9\x00\x0c\x1c"[rng() % 6]);
          break;
        case 3:  // delete a byte
          input.erase(pos, 1);
          break;
        case 4:  // insert a byte
          input.insert(pos, 1, static_cast<char>(rng()));
          break;
      }
    }
    SCOPED_TRACE("iteration " + std::to_string(iter));
    CheckStable(input);
    FileMetaData md;
    parsed_ok += ParseFileMetaData(input, &md).ok();
  }
  // Not a correctness requirement; shows the mutations hit both paths.
  EXPECT_GT(parsed_ok, 0);
}

TEST(MetadataRobustness, HugeDeclaredLengthsAreRejectedWithoutAllocating) {
  FileMetaData md;
  // schema: list<struct> declaring 2^31-1 elements, then nothing.
  Status s = ParseFileMetaData(Bytes({0x15, 0x02, 0x19, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x07}), &md);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_TRUE(Contains(s, "FileMetaData.schema: thrift: list length 2147483647 exceeds"))
      << s.ToString();
  // created_by declaring a 4 GiB string.
  s = ParseFileMetaData(Bytes({0x15, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 'a'}), &md);
  EXPECT_TRUE(Contains(s, "FileMetaData.created_by: thrift: binary length 4294967295 exceeds"))
      << s.ToString();
  // A size that barely fits the remaining bytes only reserves a bounded amount:
  // 2000 one-byte elements declared, each an empty (invalid) SchemaElement.
  std::string many = Bytes({0x15, 0x02, 0x19, 0xFC, 0xD0, 0x0F});
  many.append(2000, '\0');
  s = ParseFileMetaData(many, &md);
  EXPECT_TRUE(Contains(s, "missing required field SchemaElement.name")) << s.ToString();
}

TEST(MetadataRobustness, DeepNestingIsRejected) {
  // FileMetaData with an unknown field 20 holding 1000 nested structs.
  std::string bytes = Bytes({0x15, 0x02, 0x0C, 0x28});  // 1: version, long-form 20: struct
  bytes.append(1000, 0x1C);
  bytes.append(1002, '\0');
  FileMetaData md;
  Status s = ParseFileMetaData(bytes, &md);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_TRUE(Contains(s, "nesting depth exceeds 64")) << s.ToString();
  // Same inside a page header's statistics.
  // 5: data_page_header { 5: statistics { 10: unknown struct { 1: { 1: ...
  std::string page = Bytes({0x15, 0x00, 0x15, 0x00, 0x15, 0x00, 0x2C, 0x5C, 0xAC});
  page.append(1000, 0x1C);
  page.append(1004, '\0');
  PageHeader h;
  size_t consumed;
  s = ParsePageHeader(page, &h, &consumed);
  EXPECT_TRUE(Contains(s, "nesting depth exceeds 64")) << s.ToString();
}

}  // namespace
}  // namespace parquedb::parquet
