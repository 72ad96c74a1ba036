#include "parquet/thrift_compact.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace parquedb::parquet {
namespace {

using CT = CompactType;

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

#define EXPECT_BYTES(actual, ...) EXPECT_EQ(Hex(actual), Hex(Bytes(__VA_ARGS__)))

// ------------------------------------------------------------------ exact encodings

TEST(ThriftCompactWriter, ZigZagVarints) {
  std::string out;
  CompactWriter w(&out);
  w.WriteI32(0);
  w.WriteI32(-1);
  w.WriteI32(1);
  w.WriteI32(-2);
  w.WriteI32(63);
  w.WriteI32(64);  // zigzag 128: two bytes
  EXPECT_BYTES(out, {0x00, 0x01, 0x02, 0x03, 0x7E, 0x80, 0x01});

  out.clear();
  w.WriteVarint(50399);  // example from the compact protocol spec
  EXPECT_BYTES(out, {0xDF, 0x89, 0x03});

  out.clear();
  w.WriteI32(std::numeric_limits<int32_t>::min());  // zigzag 0xFFFFFFFF
  EXPECT_BYTES(out, {0xFF, 0xFF, 0xFF, 0xFF, 0x0F});

  out.clear();
  w.WriteI64(std::numeric_limits<int64_t>::min());  // zigzag 2^64-1: ten bytes
  EXPECT_BYTES(out, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01});

  out.clear();
  w.WriteI16(-32768);
  EXPECT_BYTES(out, {0xFF, 0xFF, 0x03});
}

TEST(ThriftCompactWriter, FieldHeadersUseDeltasThenLongForm) {
  std::string out;
  CompactWriter w(&out);
  w.WriteStructBegin();
  w.WriteI32Field(1, 5);         // delta 1: 0x15
  w.WriteI64Field(3, -1);        // delta 2: 0x26
  w.WriteBinaryField(18, "hi");  // delta 15: 0xF8
  w.WriteI8Field(40, -2);        // delta 22: long form 0x03, zigzag(40) = 80
  w.WriteI16Field(2, 7);         // backwards: long form 0x04, zigzag(2) = 4
  w.WriteBoolField(3, true);     // delta 1, type 1
  w.WriteBoolField(4, false);    // delta 1, type 2
  w.WriteStructEnd();
  EXPECT_BYTES(out, {0x15, 0x0A, 0x26, 0x01, 0xF8, 0x02, 'h', 'i', 0x03, 0x50, 0xFE, 0x04, 0x04,
                     0x0E, 0x11, 0x12, 0x00});
}

TEST(ThriftCompactWriter, NestedStructRestartsDeltas) {
  std::string out;
  CompactWriter w(&out);
  w.WriteStructBegin();
  w.WriteI32Field(5, 1);
  w.WriteStructFieldBegin(6);
  w.WriteI32Field(1, 2);  // delta from 0 inside the nested struct
  w.WriteStructEnd();
  w.WriteI32Field(7, 3);  // delta from 6 in the outer struct
  w.WriteStructEnd();
  EXPECT_BYTES(out, {0x55, 0x02, 0x1C, 0x15, 0x04, 0x00, 0x15, 0x06, 0x00});
}

TEST(ThriftCompactWriter, ListHeadersShortAndLongForm) {
  std::string out;
  CompactWriter w(&out);
  w.WriteListBegin(CT::kI32, 0);
  w.WriteListBegin(CT::kI32, 14);
  w.WriteListBegin(CT::kBinary, 15);
  w.WriteListBegin(CT::kStruct, 300);
  EXPECT_BYTES(out, {0x05, 0xE5, 0xF8, 0x0F, 0xFC, 0xAC, 0x02});
}

TEST(ThriftCompactWriter, BoolListElementsAreOneByteEach) {
  std::string out;
  CompactWriter w(&out);
  w.WriteListBegin(CT::kBoolFalse, 3);  // element type canonicalised to 1
  w.WriteBool(true);
  w.WriteBool(false);
  w.WriteBool(true);
  EXPECT_BYTES(out, {0x31, 0x01, 0x00, 0x01});
}

TEST(ThriftCompactWriter, MapHeadersAndDouble) {
  std::string out;
  CompactWriter w(&out);
  w.WriteMapBegin(CT::kBinary, CT::kI32, 0);
  w.WriteMapBegin(CT::kBinary, CT::kI32, 2);
  w.WriteDouble(1.0);
  EXPECT_BYTES(out, {0x00, 0x02, 0x85, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F});
}

// ------------------------------------------------------------------ reader round trips

TEST(ThriftCompactReader, ReadsBackEveryValueType) {
  std::string out;
  CompactWriter w(&out);
  w.WriteStructBegin();
  w.WriteBoolField(1, true);
  w.WriteBoolField(2, false);
  w.WriteI8Field(3, -128);
  w.WriteI16Field(4, std::numeric_limits<int16_t>::min());
  w.WriteI32Field(5, std::numeric_limits<int32_t>::max());
  w.WriteI64Field(6, std::numeric_limits<int64_t>::min());
  w.WriteDoubleField(7, -2.5);
  w.WriteBinaryField(8, std::string("a\0b", 3));
  w.WriteListFieldBegin(9, CT::kBoolTrue, 2);
  w.WriteBool(false);
  w.WriteBool(true);
  w.WriteFieldBegin(10, CT::kMap);
  w.WriteMapBegin(CT::kI32, CT::kBinary, 1);
  w.WriteI32(-7);
  w.WriteBinary("x");
  w.WriteI64Field(-3, 42);  // negative id: long form
  w.WriteI32Field(32767, 1);
  w.WriteStructEnd();

  CompactReader r(out);
  ASSERT_TRUE(r.ReadStructBegin().ok());
  FieldHeader f;
  ASSERT_TRUE(r.ReadFieldBegin(&f).ok());
  EXPECT_EQ(f.id, 1);
  EXPECT_TRUE(IsBoolType(f.type));
  EXPECT_TRUE(CompactReader::FieldBool(f));
  ASSERT_TRUE(r.ReadFieldBegin(&f).ok());
  EXPECT_EQ(f.id, 2);
  EXPECT_FALSE(CompactReader::FieldBool(f));
  ASSERT_TRUE(r.ReadFieldBegin(&f).ok());
  EXPECT_EQ(f.type, CT::kI8);
  int8_t i8 = 0;
  ASSERT_TRUE(r.ReadI8(&i8).ok());
  EXPECT_EQ(i8, -128);
  ASSERT_TRUE(r.ReadFieldBegin(&f).ok());
  int16_t i16 = 0;
  ASSERT_TRUE(r.ReadI16(&i16).ok());
  EXPECT_EQ(i16, std::numeric_limits<int16_t>::min());
  ASSERT_TRUE(r.ReadFieldBegin(&f).ok());
  int32_t i32 = 0;
  ASSERT_TRUE(r.ReadI32(&i32).ok());
  EXPECT_EQ(i32, std::numeric_limits<int32_t>::max());
  ASSERT_TRUE(r.ReadFieldBegin(&f).ok());
  int64_t i64 = 0;
  ASSERT_TRUE(r.ReadI64(&i64).ok());
  EXPECT_EQ(i64, std::numeric_limits<int64_t>::min());
  ASSERT_TRUE(r.ReadFieldBegin(&f).ok());
  double d = 0;
  ASSERT_TRUE(r.ReadDouble(&d).ok());
  EXPECT_EQ(d, -2.5);
  ASSERT_TRUE(r.ReadFieldBegin(&f).ok());
  std::string_view bin;
  ASSERT_TRUE(r.ReadBinary(&bin).ok());
  EXPECT_EQ(bin, std::string_view("a\0b", 3));
  ASSERT_TRUE(r.ReadFieldBegin(&f).ok());
  EXPECT_EQ(f.type, CT::kList);
  ListHeader list;
  ASSERT_TRUE(r.ReadListBegin(&list).ok());
  EXPECT_EQ(list.size, 2u);
  EXPECT_TRUE(IsBoolType(list.elem_type));
  bool b = true;
  ASSERT_TRUE(r.ReadBool(&b).ok());
  EXPECT_FALSE(b);
  ASSERT_TRUE(r.ReadBool(&b).ok());
  EXPECT_TRUE(b);
  ASSERT_TRUE(r.ReadFieldBegin(&f).ok());
  EXPECT_EQ(f.id, 10);
  MapHeader map;
  ASSERT_TRUE(r.ReadMapBegin(&map).ok());
  EXPECT_EQ(map.size, 1u);
  EXPECT_EQ(map.key_type, CT::kI32);
  EXPECT_EQ(map.value_type, CT::kBinary);
  ASSERT_TRUE(r.ReadI32(&i32).ok());
  EXPECT_EQ(i32, -7);
  ASSERT_TRUE(r.ReadBinary(&bin).ok());
  EXPECT_EQ(bin, "x");
  ASSERT_TRUE(r.ReadFieldBegin(&f).ok());
  EXPECT_EQ(f.id, -3);
  ASSERT_TRUE(r.ReadI64(&i64).ok());
  EXPECT_EQ(i64, 42);
  ASSERT_TRUE(r.ReadFieldBegin(&f).ok());
  EXPECT_EQ(f.id, 32767);
  ASSERT_TRUE(r.ReadI32(&i32).ok());
  ASSERT_TRUE(r.ReadFieldBegin(&f).ok());
  EXPECT_EQ(f.type, CT::kStop);
  r.ReadStructEnd();
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(r.depth(), 0);
}

TEST(ThriftCompactReader, VarintEdgeValuesRoundTrip) {
  const int64_t values[] = {0,
                            1,
                            -1,
                            63,
                            -64,
                            64,
                            std::numeric_limits<int32_t>::max(),
                            std::numeric_limits<int32_t>::min(),
                            std::numeric_limits<int64_t>::max(),
                            std::numeric_limits<int64_t>::min()};
  for (int64_t v : values) {
    std::string out;
    CompactWriter w(&out);
    w.WriteI64(v);
    if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()) {
      w.WriteI32(static_cast<int32_t>(v));
    }
    CompactReader r(out);
    int64_t got = 0;
    ASSERT_TRUE(r.ReadI64(&got).ok());
    EXPECT_EQ(got, v);
    if (r.remaining() > 0) {
      int32_t got32 = 0;
      ASSERT_TRUE(r.ReadI32(&got32).ok());
      EXPECT_EQ(got32, v);
    }
    EXPECT_EQ(r.remaining(), 0u);
  }
}

TEST(ThriftCompactReader, AcceptsNonMinimalVarintsWithinLengthLimit) {
  const std::string r_in = Bytes({0x80, 0x80, 0x00});
  CompactReader r(r_in);  // 0 in three bytes
  uint32_t v = 1;
  ASSERT_TRUE(r.ReadVarint32(&v).ok());
  EXPECT_EQ(v, 0u);
}

TEST(ThriftCompactReader, BoolElementBytes) {
  const std::string r_in = Bytes({0x01, 0x00, 0x02, 0x03});
  CompactReader r(r_in);
  bool b = false;
  ASSERT_TRUE(r.ReadBool(&b).ok());
  EXPECT_TRUE(b);
  ASSERT_TRUE(r.ReadBool(&b).ok());
  EXPECT_FALSE(b);
  ASSERT_TRUE(r.ReadBool(&b).ok());  // Java writes false as 2
  EXPECT_FALSE(b);
  Status s = r.ReadBool(&b);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

// ------------------------------------------------------------------ skipping

// Writes one field of every type (with nesting) into the current struct, ids from
// `first_id` upwards.
void WriteEveryFieldType(CompactWriter* w, int16_t first_id) {
  int16_t id = first_id;
  w->WriteBoolField(id++, true);
  w->WriteBoolField(id++, false);
  w->WriteI8Field(id++, 9);
  w->WriteI16Field(id++, -300);
  w->WriteI32Field(id++, 1 << 30);
  w->WriteI64Field(id++, -(int64_t{1} << 60));
  w->WriteDoubleField(id++, 3.25);
  w->WriteBinaryField(id++, "unknown payload");
  w->WriteFieldBegin(id++, CT::kUuid);
  for (int i = 0; i < 16; ++i) w->WriteI8(static_cast<int8_t>(i));
  // list<i64> in long form
  w->WriteListFieldBegin(id++, CT::kI64, 20);
  for (int i = 0; i < 20; ++i) w->WriteI64(i * 1000003);
  // list<bool>
  w->WriteListFieldBegin(id++, CT::kBoolTrue, 3);
  w->WriteBool(true);
  w->WriteBool(false);
  w->WriteBool(true);
  // list<double>
  w->WriteListFieldBegin(id++, CT::kDouble, 2);
  w->WriteDouble(1.5);
  w->WriteDouble(-0.0);
  // set<binary>
  w->WriteFieldBegin(id++, CT::kSet);
  w->WriteSetBegin(CT::kBinary, 2);
  w->WriteBinary("a");
  w->WriteBinary("bb");
  // empty map, map<binary, i32>, map<i32, struct>, map<bool, list<i8>>
  w->WriteFieldBegin(id++, CT::kMap);
  w->WriteMapBegin(CT::kBinary, CT::kI32, 0);
  w->WriteFieldBegin(id++, CT::kMap);
  w->WriteMapBegin(CT::kBinary, CT::kI32, 2);
  w->WriteBinary("k1");
  w->WriteI32(1);
  w->WriteBinary("k2");
  w->WriteI32(2);
  w->WriteFieldBegin(id++, CT::kMap);
  w->WriteMapBegin(CT::kI32, CT::kStruct, 1);
  w->WriteI32(5);
  w->WriteStructBegin();
  w->WriteBinaryField(1, "in map");
  w->WriteStructEnd();
  w->WriteFieldBegin(id++, CT::kMap);
  w->WriteMapBegin(CT::kBoolTrue, CT::kList, 1);
  w->WriteBool(false);
  w->WriteListBegin(CT::kI8, 2);
  w->WriteI8(1);
  w->WriteI8(2);
  // struct { struct { list<struct{...}> } , bool field, list<list<i32>> }
  w->WriteStructFieldBegin(id++);
  w->WriteStructFieldBegin(1);
  w->WriteListFieldBegin(2, CT::kStruct, 2);
  for (int i = 0; i < 2; ++i) {
    w->WriteStructBegin();
    w->WriteI32Field(1, i);
    w->WriteBoolField(2, i == 0);
    w->WriteStructEnd();
  }
  w->WriteStructEnd();
  w->WriteBoolField(2, true);
  w->WriteListFieldBegin(3, CT::kList, 2);
  w->WriteListBegin(CT::kI32, 1);
  w->WriteI32(-1);
  w->WriteListBegin(CT::kI32, 0);
  w->WriteStructEnd();
}

TEST(ThriftCompactReader, SkipsEveryFieldTypeIncludingNested) {
  std::string out;
  CompactWriter w(&out);
  w.WriteStructBegin();
  WriteEveryFieldType(&w, 1);
  w.WriteI32Field(100, 777);  // sentinel after the unknown fields
  w.WriteStructEnd();

  CompactReader r(out);
  ASSERT_TRUE(r.ReadStructBegin().ok());
  int skipped = 0;
  int32_t sentinel = 0;
  while (true) {
    FieldHeader f;
    ASSERT_TRUE(r.ReadFieldBegin(&f).ok());
    if (f.type == CT::kStop) break;
    if (f.id == 100) {
      ASSERT_TRUE(r.ReadI32(&sentinel).ok());
    } else {
      Status s = r.SkipField(f.type);
      ASSERT_TRUE(s.ok()) << "field " << f.id << ": " << s.ToString();
      ++skipped;
    }
  }
  r.ReadStructEnd();
  EXPECT_EQ(skipped, 18);
  EXPECT_EQ(sentinel, 777);
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(r.depth(), 0);
}

TEST(ThriftCompactReader, SkipWholeStructAndEveryTruncationFails) {
  std::string out;
  CompactWriter w(&out);
  w.WriteStructBegin();
  WriteEveryFieldType(&w, 1);
  w.WriteStructEnd();
  {
    CompactReader r(out);
    ASSERT_TRUE(r.SkipField(CT::kStruct).ok());
    EXPECT_EQ(r.remaining(), 0u);
  }
  for (size_t n = 0; n < out.size(); ++n) {
    CompactReader r(std::string_view(out).substr(0, n));
    Status s = r.SkipField(CT::kStruct);
    EXPECT_TRUE(s.IsCorruption()) << "prefix " << n << ": " << s.ToString();
  }
}

// ------------------------------------------------------------------ malformed input

TEST(ThriftCompactReader, RejectsTruncatedAndOverlongVarints) {
  {
    const std::string r_in = Bytes({0x80, 0x80});
    CompactReader r(r_in);
    uint32_t v;
    Status s = r.ReadVarint32(&v);
    EXPECT_TRUE(s.IsCorruption());
    EXPECT_NE(s.message().find("truncated varint"), std::string::npos) << s.ToString();
  }
  {
    const std::string r_in = Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x10});
    CompactReader r(r_in);  // 33rd bit set
    int32_t v;
    Status s = r.ReadI32(&v);
    EXPECT_TRUE(s.IsCorruption());
    EXPECT_NE(s.message().find("overflows 32 bits"), std::string::npos) << s.ToString();
  }
  {
    const std::string r_in = Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x00});
    CompactReader r(r_in);  // six bytes
    int32_t v;
    EXPECT_TRUE(r.ReadI32(&v).IsCorruption());
  }
  {
    const std::string r_in = Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02});
    CompactReader r(r_in);
    int64_t v;
    Status s = r.ReadI64(&v);
    EXPECT_NE(s.message().find("overflows 64 bits"), std::string::npos) << s.ToString();
  }
  {
    const std::string r_in =
        Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00});
    CompactReader r(r_in);
    int64_t v;
    EXPECT_TRUE(r.ReadI64(&v).IsCorruption());  // eleven bytes
  }
  {
    std::string out;
    CompactWriter w(&out);
    w.WriteI32(40000);  // does not fit in i16
    CompactReader r(out);
    int16_t v;
    Status s = r.ReadI16(&v);
    EXPECT_NE(s.message().find("i16 value 40000 out of range"), std::string::npos) << s.ToString();
  }
  {
    const std::string r_in = Bytes({0x01, 0x02});
    CompactReader r(r_in);
    double d;
    EXPECT_TRUE(r.ReadDouble(&d).IsCorruption());
  }
}

TEST(ThriftCompactReader, RejectsHugeLengthsWithoutAllocating) {
  {
    // binary of 4 GiB - 1 declared, 3 bytes present.
    const std::string r_in = Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 'a', 'b', 'c'});
    CompactReader r(r_in);
    std::string_view v;
    Status s = r.ReadBinary(&v);
    EXPECT_TRUE(s.IsCorruption());
    EXPECT_NE(s.message().find("binary length 4294967295 exceeds the 3 remaining bytes"),
              std::string::npos)
        << s.ToString();
  }
  {
    const std::string r_in = Bytes({0xF5, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00});
    CompactReader r(r_in);  // list<i32> of 2^31-1
    ListHeader h;
    Status s = r.ReadListBegin(&h);
    EXPECT_NE(s.message().find("list length 2147483647"), std::string::npos) << s.ToString();
  }
  {
    // list<double> of 2 needs 16 bytes; only 8 present.
    const std::string r_in = Bytes({0x27, 0, 0, 0, 0, 0, 0, 0, 0});
    CompactReader r(r_in);
    ListHeader h;
    EXPECT_TRUE(r.ReadListBegin(&h).IsCorruption());
  }
  {
    const std::string r_in = Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x55, 0x00, 0x00});
    CompactReader r(r_in);  // map of 2^32-1
    MapHeader h;
    Status s = r.ReadMapBegin(&h);
    EXPECT_NE(s.message().find("map length"), std::string::npos) << s.ToString();
  }
  {
    // map<i32,i32> of 2 entries needs >= 4 bytes; 3 present.
    const std::string r_in = Bytes({0x02, 0x55, 0x00, 0x00, 0x00});
    CompactReader r(r_in);
    MapHeader h;
    EXPECT_TRUE(r.ReadMapBegin(&h).IsCorruption());
  }
}

TEST(ThriftCompactReader, RejectsInvalidTypes) {
  {
    const std::string r_in = Bytes({0x1E});
    CompactReader r(r_in);  // type 14
    ASSERT_TRUE(r.ReadStructBegin().ok());
    FieldHeader f;
    Status s = r.ReadFieldBegin(&f);
    EXPECT_NE(s.message().find("invalid field type 14"), std::string::npos) << s.ToString();
  }
  {
    const std::string r_in = Bytes({0x10});
    CompactReader r(r_in);  // delta 1, type 0 (not STOP)
    ASSERT_TRUE(r.ReadStructBegin().ok());
    FieldHeader f;
    EXPECT_TRUE(r.ReadFieldBegin(&f).IsCorruption());
  }
  {
    const std::string r_in = Bytes({0x10});
    CompactReader r(r_in);  // list element type 0
    ListHeader h;
    EXPECT_TRUE(r.ReadListBegin(&h).IsCorruption());
  }
  {
    const std::string r_in = Bytes({0x01, 0xF5, 0x00});
    CompactReader r(r_in);  // map key type 15
    MapHeader h;
    EXPECT_TRUE(r.ReadMapBegin(&h).IsCorruption());
  }
  {
    const std::string r_in = Bytes({0x00});
    CompactReader r(r_in);
    EXPECT_TRUE(r.SkipField(CT::kStop).IsCorruption());
  }
  {
    // long-form id 32767 followed by a delta: id overflow
    const std::string r_in = Bytes({0x05, 0xFE, 0xFF, 0x03, 0x00, 0x15, 0x00});
    CompactReader r(r_in);
    ASSERT_TRUE(r.ReadStructBegin().ok());
    FieldHeader f;
    ASSERT_TRUE(r.ReadFieldBegin(&f).ok());
    EXPECT_EQ(f.id, 32767);
    int32_t v;
    ASSERT_TRUE(r.ReadI32(&v).ok());
    EXPECT_TRUE(r.ReadFieldBegin(&f).IsCorruption());
  }
}

TEST(ThriftCompactReader, RejectsDeepStructNesting) {
  // 200 nested struct fields: {1: {1: {1: ...}}}
  std::string deep;
  for (int i = 0; i < 200; ++i) deep.push_back(0x1C);
  deep.append(201, '\0');
  CompactReader r(deep);
  Status s = r.SkipField(CT::kStruct);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("nesting depth exceeds 64"), std::string::npos) << s.ToString();

  // 63 levels below the outer struct fit.
  std::string ok;
  for (int i = 0; i < 63; ++i) ok.push_back(0x1C);
  ok.append(64, '\0');
  CompactReader r2(ok);
  EXPECT_TRUE(r2.SkipField(CT::kStruct).ok());
  EXPECT_EQ(r2.remaining(), 0u);
}

TEST(ThriftCompactReader, RejectsDeepContainerNesting) {
  // list<list<list<...>>> one element each, 100000 levels: must fail fast, not overflow
  // the stack.
  std::string deep(100000, static_cast<char>(0x19));
  deep.push_back(0x00);
  CompactReader r(deep);
  Status s = r.SkipField(CT::kList);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("nesting depth"), std::string::npos) << s.ToString();

  // map<i32, map<i32, ...>>
  std::string maps;
  for (int i = 0; i < 1000; ++i) maps.append(Bytes({0x01, 0x5B, 0x00}));
  maps.push_back(0x00);
  CompactReader r2(maps);
  EXPECT_TRUE(r2.SkipField(CT::kMap).IsCorruption());
}

TEST(ThriftCompactReader, TruncatedInputsReportOffsets) {
  const std::string r_in = Bytes({0x18, 0x05, 'a'});
  CompactReader r(r_in);  // binary field of 5 bytes, 1 present
  ASSERT_TRUE(r.ReadStructBegin().ok());
  FieldHeader f;
  ASSERT_TRUE(r.ReadFieldBegin(&f).ok());
  Status s = r.SkipField(f.type);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("at offset 2"), std::string::npos) << s.ToString();

  CompactReader empty("");
  ASSERT_TRUE(empty.ReadStructBegin().ok());
  EXPECT_TRUE(empty.ReadFieldBegin(&f).IsCorruption());
}

}  // namespace
}  // namespace parquedb::parquet
