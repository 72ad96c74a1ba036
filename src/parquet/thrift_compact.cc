#include "parquet/thrift_compact.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <limits>

namespace parquedb::parquet {

namespace {

bool IsValidElementType(uint8_t t) {
  return t >= 1 && t <= static_cast<uint8_t>(CompactType::kUuid);
}

// Smallest number of bytes one container element of type `t` can occupy.
uint64_t MinElementBytes(CompactType t) {
  switch (t) {
    case CompactType::kDouble:
      return 8;
    case CompactType::kUuid:
      return 16;
    default:
      return 1;
  }
}

// Container element types are written in their canonical form (bool -> kBoolTrue).
uint8_t ElementTypeByte(CompactType t) {
  return static_cast<uint8_t>(IsBoolType(t) ? CompactType::kBoolTrue : t);
}

}  // namespace

const char* CompactTypeName(CompactType type) {
  switch (type) {
    case CompactType::kStop:
      return "stop";
    case CompactType::kBoolTrue:
    case CompactType::kBoolFalse:
      return "bool";
    case CompactType::kI8:
      return "i8";
    case CompactType::kI16:
      return "i16";
    case CompactType::kI32:
      return "i32";
    case CompactType::kI64:
      return "i64";
    case CompactType::kDouble:
      return "double";
    case CompactType::kBinary:
      return "binary";
    case CompactType::kList:
      return "list";
    case CompactType::kSet:
      return "set";
    case CompactType::kMap:
      return "map";
    case CompactType::kStruct:
      return "struct";
    case CompactType::kUuid:
      return "uuid";
  }
  return "invalid";
}

// ----------------------------------------------------------------------------- writer

void CompactWriter::WriteStructBegin() {
  assert(depth_ < kMaxDepth && "CompactWriter: struct nesting too deep");
  ++depth_;
  last_field_id_[depth_] = 0;
}

void CompactWriter::WriteFieldBegin(int16_t id, CompactType type) {
  int16_t& last = last_field_id_[depth_];
  const int32_t delta = static_cast<int32_t>(id) - last;
  const uint8_t t = static_cast<uint8_t>(type);
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | t));
  } else {
    out_->push_back(static_cast<char>(t));
    WriteI16(id);
  }
  last = id;
}

void CompactWriter::WriteListBegin(CompactType elem_type, uint32_t size) {
  const uint8_t t = ElementTypeByte(elem_type);
  if (size < 15) {
    out_->push_back(static_cast<char>((size << 4) | t));
  } else {
    out_->push_back(static_cast<char>(0xF0 | t));
    WriteVarint(size);
  }
}

void CompactWriter::WriteMapBegin(CompactType key_type, CompactType value_type, uint32_t size) {
  if (size == 0) {
    out_->push_back('\0');
    return;
  }
  WriteVarint(size);
  out_->push_back(
      static_cast<char>((ElementTypeByte(key_type) << 4) | ElementTypeByte(value_type)));
}

void CompactWriter::WriteDouble(double v) {
  uint64_t bits = std::bit_cast<uint64_t>(v);
  char buf[8];
  for (int i = 0; i < 8; ++i) {
    buf[i] = static_cast<char>(bits & 0xFF);
    bits >>= 8;
  }
  out_->append(buf, 8);
}

// ----------------------------------------------------------------------------- reader

Status CompactReader::Error(std::string_view what) const {
  std::string msg("thrift: ");
  msg += what;
  msg += " at offset ";
  msg += std::to_string(pos_);
  return Status::Corruption(msg);
}

Status CompactReader::Truncated(const char* what) const {
  std::string msg("truncated ");
  msg += what;
  msg += " (input is ";
  msg += std::to_string(data_.size());
  msg += " bytes)";
  return Error(msg);
}

Status CompactReader::LengthTooLarge(const char* what, uint64_t len) const {
  std::string msg(what);
  msg += " length ";
  msg += std::to_string(len);
  msg += " exceeds the ";
  msg += std::to_string(remaining());
  msg += " remaining bytes";
  return Error(msg);
}

Status CompactReader::TooDeep() const {
  return Error("nesting depth exceeds " + std::to_string(kMaxDepth));
}

Status CompactReader::ReadFieldBeginSlow(FieldHeader* header) {
  if (pos_ >= data_.size()) return Truncated("field header");
  const uint8_t b = static_cast<uint8_t>(data_[pos_++]);
  if (b == 0) {
    header->id = 0;
    header->type = CompactType::kStop;
    return Status::OK();
  }
  const uint8_t t = b & 0x0F;
  if (!IsValidElementType(t)) return Error("invalid field type " + std::to_string(t));
  const uint8_t delta = b >> 4;
  int16_t& last = last_field_id_[depth_];
  if (delta != 0) {
    const int32_t id = static_cast<int32_t>(last) + delta;
    if (id > std::numeric_limits<int16_t>::max()) return Error("field id overflows i16");
    header->id = static_cast<int16_t>(id);
  } else {
    PQ_RETURN_IF_ERROR(ReadI16(&header->id));
  }
  header->type = static_cast<CompactType>(t);
  last = header->id;
  return Status::OK();
}

Status CompactReader::ReadListBegin(ListHeader* header) {
  if (pos_ >= data_.size()) return Truncated("list header");
  const uint8_t b = static_cast<uint8_t>(data_[pos_++]);
  const uint8_t t = b & 0x0F;
  uint32_t size = b >> 4;
  if (size == 15) PQ_RETURN_IF_ERROR(ReadVarint32(&size));
  if (!IsValidElementType(t)) return Error("invalid list element type " + std::to_string(t));
  const CompactType type = static_cast<CompactType>(t);
  if (size * MinElementBytes(type) > remaining()) return LengthTooLarge("list", size);
  header->elem_type = type;
  header->size = size;
  return Status::OK();
}

Status CompactReader::ReadMapBegin(MapHeader* header) {
  uint32_t size = 0;
  PQ_RETURN_IF_ERROR(ReadVarint32(&size));
  if (size == 0) {
    header->key_type = header->value_type = CompactType::kStop;
    header->size = 0;
    return Status::OK();
  }
  if (pos_ >= data_.size()) return Truncated("map header");
  const uint8_t b = static_cast<uint8_t>(data_[pos_++]);
  const uint8_t kt = b >> 4;
  const uint8_t vt = b & 0x0F;
  if (!IsValidElementType(kt) || !IsValidElementType(vt)) {
    return Error("invalid map key/value types " + std::to_string(kt) + "/" + std::to_string(vt));
  }
  header->key_type = static_cast<CompactType>(kt);
  header->value_type = static_cast<CompactType>(vt);
  const uint64_t min_entry =
      MinElementBytes(header->key_type) + MinElementBytes(header->value_type);
  if (size * min_entry > remaining()) return LengthTooLarge("map", size);
  header->size = size;
  return Status::OK();
}

Status CompactReader::ReadBool(bool* v) {
  if (pos_ >= data_.size()) return Truncated("bool");
  const uint8_t b = static_cast<uint8_t>(data_[pos_]);
  if (b > 2) return Error("invalid bool element byte " + std::to_string(b));
  ++pos_;
  *v = b == 1;
  return Status::OK();
}

Status CompactReader::ReadI16(int16_t* v) {
  int32_t x = 0;
  PQ_RETURN_IF_ERROR(ReadI32(&x));
  if (x < std::numeric_limits<int16_t>::min() || x > std::numeric_limits<int16_t>::max()) {
    return Error("i16 value " + std::to_string(x) + " out of range");
  }
  *v = static_cast<int16_t>(x);
  return Status::OK();
}

Status CompactReader::ReadDouble(double* v) {
  if (remaining() < 8) return Truncated("double");
  uint64_t bits = 0;
  for (int i = 7; i >= 0; --i) {
    bits = (bits << 8) | static_cast<uint8_t>(data_[pos_ + i]);
  }
  pos_ += 8;
  *v = std::bit_cast<double>(bits);
  return Status::OK();
}

Status CompactReader::ReadVarint32Slow(uint32_t* v) {
  const auto* p = reinterpret_cast<const uint8_t*>(data_.data()) + pos_;
  const size_t n = std::min<size_t>(remaining(), 5);
  uint32_t result = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t b = p[i];
    result |= (b & 0x7F) << (7 * i);
    if (b < 0x80) {
      if (i == 4 && b > 0x0F) {
        pos_ += i;
        return Error("varint overflows 32 bits");
      }
      pos_ += i + 1;
      *v = result;
      return Status::OK();
    }
  }
  pos_ += n;
  if (n == 5) return Error("varint longer than 5 bytes");
  return Truncated("varint");
}

Status CompactReader::ReadVarint64Slow(uint64_t* v) {
  const auto* p = reinterpret_cast<const uint8_t*>(data_.data()) + pos_;
  const size_t n = std::min<size_t>(remaining(), 10);
  uint64_t result = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t b = p[i];
    result |= (b & 0x7F) << (7 * i);
    if (b < 0x80) {
      if (i == 9 && b > 0x01) {
        pos_ += i;
        return Error("varint overflows 64 bits");
      }
      pos_ += i + 1;
      *v = result;
      return Status::OK();
    }
  }
  pos_ += n;
  if (n == 10) return Error("varint longer than 10 bytes");
  return Truncated("varint");
}

Status CompactReader::Skip(CompactType type, bool in_container) {
  switch (type) {
    case CompactType::kBoolTrue:
    case CompactType::kBoolFalse: {
      if (!in_container) return Status::OK();  // value lives in the field header
      bool ignored;
      return ReadBool(&ignored);
    }
    case CompactType::kI8:
      if (pos_ >= data_.size()) return Truncated("i8");
      ++pos_;
      return Status::OK();
    case CompactType::kI16:
    case CompactType::kI32:
    case CompactType::kI64: {
      uint64_t ignored;
      return ReadVarint64(&ignored);
    }
    case CompactType::kDouble:
      if (remaining() < 8) return Truncated("double");
      pos_ += 8;
      return Status::OK();
    case CompactType::kUuid:
      if (remaining() < 16) return Truncated("uuid");
      pos_ += 16;
      return Status::OK();
    case CompactType::kBinary: {
      std::string_view ignored;
      return ReadBinary(&ignored);
    }
    case CompactType::kStruct: {
      PQ_RETURN_IF_ERROR(ReadStructBegin());
      while (true) {
        FieldHeader field;
        PQ_RETURN_IF_ERROR(ReadFieldBegin(&field));
        if (field.type == CompactType::kStop) break;
        PQ_RETURN_IF_ERROR(Skip(field.type, /*in_container=*/false));
      }
      ReadStructEnd();
      return Status::OK();
    }
    case CompactType::kList:
    case CompactType::kSet: {
      ListHeader list;
      PQ_RETURN_IF_ERROR(ReadListBegin(&list));
      PQ_RETURN_IF_ERROR(EnterNested());
      for (uint32_t i = 0; i < list.size; ++i) {
        PQ_RETURN_IF_ERROR(Skip(list.elem_type, /*in_container=*/true));
      }
      --depth_;
      return Status::OK();
    }
    case CompactType::kMap: {
      MapHeader map;
      PQ_RETURN_IF_ERROR(ReadMapBegin(&map));
      PQ_RETURN_IF_ERROR(EnterNested());
      for (uint32_t i = 0; i < map.size; ++i) {
        PQ_RETURN_IF_ERROR(Skip(map.key_type, /*in_container=*/true));
        PQ_RETURN_IF_ERROR(Skip(map.value_type, /*in_container=*/true));
      }
      --depth_;
      return Status::OK();
    }
    case CompactType::kStop:
      break;
  }
  return Error("cannot skip value of invalid type " +
               std::to_string(static_cast<int>(static_cast<uint8_t>(type))));
}

}  // namespace parquedb::parquet
