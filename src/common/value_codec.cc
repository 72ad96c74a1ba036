#include "common/value_codec.h"

#include <cstring>

namespace parquedb {

namespace {

constexpr int kMaxDepth = 128;

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

Status DecodeImpl(std::string_view* in, Value* out, int depth) {
  if (depth > kMaxDepth) return Status::Corruption("value nested too deeply");
  if (in->empty()) return Status::Corruption("truncated value");
  auto kind = static_cast<Value::Kind>(static_cast<uint8_t>((*in)[0]));
  in->remove_prefix(1);
  uint64_t u = 0;
  switch (kind) {
    case Value::Kind::kNull:
      *out = Value();
      return Status::OK();
    case Value::Kind::kBool:
      if (in->empty()) return Status::Corruption("truncated bool");
      *out = Value::Bool((*in)[0] != 0);
      in->remove_prefix(1);
      return Status::OK();
    case Value::Kind::kInt:
    case Value::Kind::kTimestamp:
    case Value::Kind::kDate:
      if (!GetVarint64(in, &u)) return Status::Corruption("truncated integer");
      if (kind == Value::Kind::kInt)
        *out = Value::Int(UnZigZag(u));
      else if (kind == Value::Kind::kTimestamp)
        *out = Value::Timestamp(UnZigZag(u));
      else
        *out = Value::Date(static_cast<int32_t>(UnZigZag(u)));
      return Status::OK();
    case Value::Kind::kDouble: {
      if (in->size() < 8) return Status::Corruption("truncated double");
      double d;
      std::memcpy(&d, in->data(), 8);
      in->remove_prefix(8);
      *out = Value::Double(d);
      return Status::OK();
    }
    case Value::Kind::kDecimal: {
      uint64_t lo = 0, hi = 0, scale = 0;
      if (!GetVarint64(in, &scale) || in->size() < 16)
        return Status::Corruption("truncated decimal");
      std::memcpy(&lo, in->data(), 8);
      std::memcpy(&hi, in->data() + 8, 8);
      in->remove_prefix(16);
      if (scale > 76) return Status::Corruption("decimal scale out of range");
      unsigned __int128 raw = (static_cast<unsigned __int128>(hi) << 64) | lo;
      *out = Value::Dec(Decimal{static_cast<__int128>(raw), static_cast<int32_t>(scale)});
      return Status::OK();
    }
    case Value::Kind::kString: {
      std::string_view s;
      if (!GetLengthPrefixed(in, &s)) return Status::Corruption("truncated string");
      *out = Value::String(std::string(s));
      return Status::OK();
    }
    case Value::Kind::kArray: {
      if (!GetVarint64(in, &u) || u > in->size()) return Status::Corruption("bad array length");
      Value::Array a;
      a.reserve(static_cast<size_t>(u));
      for (uint64_t i = 0; i < u; i++) {
        Value e;
        PQ_RETURN_IF_ERROR(DecodeImpl(in, &e, depth + 1));
        a.push_back(std::move(e));
      }
      *out = Value::MakeArray(std::move(a));
      return Status::OK();
    }
    case Value::Kind::kObject: {
      if (!GetVarint64(in, &u) || u > in->size()) return Status::Corruption("bad object size");
      Value::Object o;
      o.reserve(static_cast<size_t>(u));
      for (uint64_t i = 0; i < u; i++) {
        std::string_view k;
        if (!GetLengthPrefixed(in, &k)) return Status::Corruption("truncated object key");
        Value e;
        PQ_RETURN_IF_ERROR(DecodeImpl(in, &e, depth + 1));
        o.emplace_back(std::string(k), std::move(e));
      }
      *out = Value::MakeObject(std::move(o));
      return Status::OK();
    }
  }
  return Status::Corruption("unknown value tag " + std::to_string(static_cast<int>(kind)));
}

}  // namespace

void PutVarint64(std::string* out, uint64_t v) {
  char buf[10];  // one append instead of a push_back (capacity check) per byte
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

bool GetVarint64(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && !in->empty(); shift += 7) {
    uint8_t b = static_cast<uint8_t>((*in)[0]);
    in->remove_prefix(1);
    result |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) {
      *v = result;
      return true;
    }
  }
  return false;
}

void PutLengthPrefixed(std::string* out, std::string_view s) {
  PutVarint64(out, s.size());
  out->append(s);
}

bool GetLengthPrefixed(std::string_view* in, std::string_view* s) {
  uint64_t n;
  if (!GetVarint64(in, &n) || n > in->size()) return false;
  *s = in->substr(0, static_cast<size_t>(n));
  in->remove_prefix(static_cast<size_t>(n));
  return true;
}

void EncodeValue(const Value& v, std::string* out) {
  out->push_back(static_cast<char>(v.kind()));
  switch (v.kind()) {
    case Value::Kind::kNull:
      break;
    case Value::Kind::kBool:
      out->push_back(v.as_bool() ? 1 : 0);
      break;
    case Value::Kind::kInt:
    case Value::Kind::kTimestamp:
      PutVarint64(out, ZigZag(v.as_int()));
      break;
    case Value::Kind::kDate:
      PutVarint64(out, ZigZag(v.as_date()));
      break;
    case Value::Kind::kDouble: {
      double d = v.as_double();
      out->append(reinterpret_cast<const char*>(&d), 8);
      break;
    }
    case Value::Kind::kDecimal: {
      const Decimal& d = v.as_decimal();
      PutVarint64(out, static_cast<uint64_t>(d.scale));
      unsigned __int128 raw = static_cast<unsigned __int128>(d.unscaled);
      uint64_t lo = static_cast<uint64_t>(raw), hi = static_cast<uint64_t>(raw >> 64);
      out->append(reinterpret_cast<const char*>(&lo), 8);
      out->append(reinterpret_cast<const char*>(&hi), 8);
      break;
    }
    case Value::Kind::kString:
      PutLengthPrefixed(out, v.as_string());
      break;
    case Value::Kind::kArray:
      PutVarint64(out, v.as_array().size());
      for (const Value& e : v.as_array()) EncodeValue(e, out);
      break;
    case Value::Kind::kObject:
      PutVarint64(out, v.as_object().size());
      for (const auto& [k, e] : v.as_object()) {
        PutLengthPrefixed(out, k);
        EncodeValue(e, out);
      }
      break;
  }
}

Status DecodeValue(std::string_view* in, Value* out) { return DecodeImpl(in, out, 0); }

}  // namespace parquedb
