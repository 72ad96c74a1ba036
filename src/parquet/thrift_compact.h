// Thrift compact protocol (doc/specs/thrift-compact-protocol.md in apache/thrift):
// a writer appending to a std::string and a reader over untrusted bytes. The reader
// bounds-checks every length, caps nesting depth and container sizes against the
// remaining input, never allocates, and reports malformed input as Corruption.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "parquedb/status.h"

namespace parquedb::parquet {

// Compact protocol type ids, as used in field headers and container headers.
// In field headers a bool's value is the type itself (kBoolTrue / kBoolFalse);
// as a container element type either id means "bool".
enum class CompactType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,
  kBoolFalse = 2,
  kI8 = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
  kUuid = 13,
};

// Short lowercase name of a type id for error messages ("i32", "struct", ...).
const char* CompactTypeName(CompactType type);

inline bool IsBoolType(CompactType type) {
  return type == CompactType::kBoolTrue || type == CompactType::kBoolFalse;
}

// ----------------------------------------------------------------------------- writer

// Appends compact-protocol encoded values to a string. Every struct, the outermost
// included, is bracketed by WriteStructBegin/WriteStructEnd. Ids in increasing order
// within 15 of each other get the 1-byte header; others use the long form. Nesting
// deeper than kMaxDepth is a programming error (asserted).
class CompactWriter {
 public:
  static constexpr int kMaxDepth = 64;

  explicit CompactWriter(std::string* out) : out_(out) { last_field_id_[0] = 0; }

  // Enters a struct: field-id deltas restart from 0.
  void WriteStructBegin();
  // Writes the STOP byte and leaves the struct.
  void WriteStructEnd() {
    out_->push_back('\0');
    if (depth_ > 0) --depth_;
  }
  // Field header with delta (short form) or zigzag id (long form). Not for bools.
  void WriteFieldBegin(int16_t id, CompactType type);

  void WriteBoolField(int16_t id, bool v) {
    WriteFieldBegin(id, v ? CompactType::kBoolTrue : CompactType::kBoolFalse);
  }
  void WriteI8Field(int16_t id, int8_t v) {
    WriteFieldBegin(id, CompactType::kI8);
    WriteI8(v);
  }
  void WriteI16Field(int16_t id, int16_t v) {
    WriteFieldBegin(id, CompactType::kI16);
    WriteI16(v);
  }
  void WriteI32Field(int16_t id, int32_t v) {
    WriteFieldBegin(id, CompactType::kI32);
    WriteI32(v);
  }
  void WriteI64Field(int16_t id, int64_t v) {
    WriteFieldBegin(id, CompactType::kI64);
    WriteI64(v);
  }
  void WriteDoubleField(int16_t id, double v) {
    WriteFieldBegin(id, CompactType::kDouble);
    WriteDouble(v);
  }
  void WriteBinaryField(int16_t id, std::string_view v) {
    WriteFieldBegin(id, CompactType::kBinary);
    WriteBinary(v);
  }
  // Field header of a nested struct followed by WriteStructBegin().
  void WriteStructFieldBegin(int16_t id) {
    WriteFieldBegin(id, CompactType::kStruct);
    WriteStructBegin();
  }
  // Field header of a list followed by its list header; then write `size` elements.
  void WriteListFieldBegin(int16_t id, CompactType elem_type, uint32_t size) {
    WriteFieldBegin(id, CompactType::kList);
    WriteListBegin(elem_type, size);
  }

  // Container headers (short form for sizes < 15). A bool element type is written
  // as kBoolTrue (the de-facto standard); map headers of empty maps are one 0 byte.
  void WriteListBegin(CompactType elem_type, uint32_t size);
  void WriteSetBegin(CompactType elem_type, uint32_t size) { WriteListBegin(elem_type, size); }
  void WriteMapBegin(CompactType key_type, CompactType value_type, uint32_t size);

  // Bare values: list/set/map elements (and the bodies of fields above).
  void WriteBool(bool v) { out_->push_back(v ? '\1' : '\0'); }  // container element
  void WriteI8(int8_t v) { out_->push_back(static_cast<char>(v)); }
  void WriteI16(int16_t v) { WriteI32(v); }
  void WriteI32(int32_t v) {
    WriteVarint((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
  }
  void WriteI64(int64_t v) {
    WriteVarint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void WriteDouble(double v);  // 8 bytes little-endian IEEE 754
  void WriteBinary(std::string_view v) {
    WriteVarint(v.size());
    out_->append(v);
  }
  void WriteVarint(uint64_t v) {
    char buf[10];
    size_t n = 0;
    while (v >= 0x80) {
      buf[n++] = static_cast<char>((v & 0x7F) | 0x80);
      v >>= 7;
    }
    buf[n++] = static_cast<char>(v);
    out_->append(buf, n);
  }

 private:
  std::string* out_;
  int depth_ = 0;
  int16_t last_field_id_[kMaxDepth + 1];  // [depth]: last field id of that struct
};

// ----------------------------------------------------------------------------- reader

struct FieldHeader {
  int16_t id = 0;
  CompactType type = CompactType::kStop;  // kStop: end of struct
};

struct ListHeader {
  CompactType elem_type = CompactType::kStop;  // bool elements: kBoolTrue or kBoolFalse
  uint32_t size = 0;
};

struct MapHeader {
  CompactType key_type = CompactType::kStop;  // kStop when size == 0
  CompactType value_type = CompactType::kStop;
  uint32_t size = 0;
};

// Decodes compact-protocol values from untrusted bytes it does not own. Every method
// returns Corruption (with the byte offset) on truncated or malformed input; after an
// error the reader's state is unspecified. Struct/container nesting beyond kMaxDepth
// is Corruption. Container sizes are checked against the remaining bytes before they
// are returned, so callers may reserve() them.
class CompactReader {
 public:
  static constexpr int kMaxDepth = 64;

  // Slots above depth 0 are set on struct entry; not zero-filled (hot path).
  explicit CompactReader(std::string_view data) : data_(data) { last_field_id_[0] = 0; }

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  int depth() const { return depth_; }

  // Enters a struct (pushes a field-id context). Corruption if too deeply nested.
  Status ReadStructBegin() {
    if (depth_ >= kMaxDepth) return TooDeep();
    last_field_id_[++depth_] = 0;
    return Status::OK();
  }
  // Leaves a struct; call after ReadFieldBegin returned kStop.
  void ReadStructEnd() {
    if (depth_ > 0) --depth_;
  }
  // Reads a field header; header->type == kStop at the end of the struct. A bool
  // field's value is its type: see FieldBool(). Corruption on a bad type or id.
  Status ReadFieldBegin(FieldHeader* header) {
    if (pos_ < data_.size()) {  // fast path: short-form header or STOP
      const auto b = static_cast<uint8_t>(data_[pos_]);
      const uint8_t type = b & 0x0F;
      const int32_t id = last_field_id_[depth_] + (b >> 4);
      if ((b >> 4) != 0 && type != 0 && type <= kMaxTypeId && id <= INT16_MAX) {
        ++pos_;
        header->id = static_cast<int16_t>(id);
        header->type = static_cast<CompactType>(type);
        last_field_id_[depth_] = header->id;
        return Status::OK();
      }
      if (b == 0) {
        ++pos_;
        header->id = 0;
        header->type = CompactType::kStop;
        return Status::OK();
      }
    }
    return ReadFieldBeginSlow(header);
  }
  static bool FieldBool(const FieldHeader& header) { return header.type == CompactType::kBoolTrue; }

  // Container headers; elements follow and are read with the value readers below.
  // There is no end marker. Corruption on a bad element type or a size that cannot
  // fit in the remaining bytes.
  Status ReadListBegin(ListHeader* header);
  Status ReadSetBegin(ListHeader* header) { return ReadListBegin(header); }
  Status ReadMapBegin(MapHeader* header);

  // Bare values. ReadBool reads a container element (one byte: 1 true, 0/2 false).
  Status ReadBool(bool* v);
  Status ReadI8(int8_t* v) {
    if (pos_ >= data_.size()) return Truncated("i8");
    *v = static_cast<int8_t>(data_[pos_++]);
    return Status::OK();
  }
  Status ReadI16(int16_t* v);
  Status ReadI32(int32_t* v) {
    uint32_t u = 0;
    if (pos_ < data_.size() && static_cast<uint8_t>(data_[pos_]) < 0x80) {
      u = static_cast<uint8_t>(data_[pos_++]);  // fast path: one-byte varint
    } else {
      PQ_RETURN_IF_ERROR(ReadVarint32Slow(&u));
    }
    *v = static_cast<int32_t>((u >> 1) ^ (0u - (u & 1)));
    return Status::OK();
  }
  Status ReadI64(int64_t* v) {
    uint64_t u = 0;
    PQ_RETURN_IF_ERROR(ReadVarint64(&u));
    *v = static_cast<int64_t>((u >> 1) ^ (0ull - (u & 1)));
    return Status::OK();
  }
  Status ReadDouble(double* v);
  // A view into the input (valid as long as the input is); no copy.
  Status ReadBinary(std::string_view* v) {
    uint32_t len = 0;
    PQ_RETURN_IF_ERROR(ReadVarint32(&len));
    if (len > remaining()) return LengthTooLarge("binary", len);
    *v = data_.substr(pos_, len);
    pos_ += len;
    return Status::OK();
  }
  Status ReadVarint32(uint32_t* v) {
    if (pos_ < data_.size() && static_cast<uint8_t>(data_[pos_]) < 0x80) {
      *v = static_cast<uint8_t>(data_[pos_++]);
      return Status::OK();
    }
    return ReadVarint32Slow(v);
  }
  // At most 10 bytes; longer or overflowing encodings are Corruption.
  Status ReadVarint64(uint64_t* v) {
    if (pos_ < data_.size() && static_cast<uint8_t>(data_[pos_]) < 0x80) {
      *v = static_cast<uint8_t>(data_[pos_++]);
      return Status::OK();
    }
    return ReadVarint64Slow(v);
  }

  // Skips the value of a field of `type` whose header was just read (a bool field
  // has no value bytes), including nested structs and containers of any type.
  Status SkipField(CompactType type) { return Skip(type, /*in_container=*/false); }

 private:
  static constexpr uint8_t kMaxTypeId = static_cast<uint8_t>(CompactType::kUuid);

  Status ReadFieldBeginSlow(FieldHeader* header);
  Status ReadVarint32Slow(uint32_t* v);
  Status ReadVarint64Slow(uint64_t* v);
  Status Skip(CompactType type, bool in_container);
  Status EnterNested() {  // a container level (no field-id context)
    if (depth_ >= kMaxDepth) return TooDeep();
    ++depth_;
    return Status::OK();
  }
  Status TooDeep() const;
  Status Truncated(const char* what) const;
  Status LengthTooLarge(const char* what, uint64_t len) const;
  Status Error(std::string_view what) const;

  std::string_view data_;
  size_t pos_ = 0;
  int depth_ = 0;
  int16_t last_field_id_[kMaxDepth + 1];  // [depth]: last field id of that struct
};

}  // namespace parquedb::parquet
