#include "db/change_codec.h"

#include "common/value_codec.h"

namespace parquedb::db {

namespace {
constexpr uint8_t kFormat = 1;
}

std::string EncodeChange(const ChangeEvent& e) {
  std::string out;
  out.reserve(128 + e.collection.size() + e.id.size());  // most events fit: no regrowth
  out.push_back(static_cast<char>(kFormat));
  out.push_back(static_cast<char>(e.op));
  PutVarint64(&out, static_cast<uint64_t>(e.timestamp));
  PutLengthPrefixed(&out, e.collection);
  PutLengthPrefixed(&out, e.id);
  EncodeValue(e.before, &out);
  EncodeValue(e.after, &out);
  return out;
}

Status DecodeChange(std::string_view in, ChangeEvent* e) {
  if (in.size() < 2 || static_cast<uint8_t>(in[0]) != kFormat) {
    return Status::Corruption("change event: unknown format");
  }
  uint8_t op = static_cast<uint8_t>(in[1]);
  if (op > static_cast<uint8_t>(ChangeOp::kDelete))
    return Status::Corruption("change event: bad op");
  e->op = static_cast<ChangeOp>(op);
  in.remove_prefix(2);
  uint64_t ts;
  if (!GetVarint64(&in, &ts)) return Status::Corruption("change event: truncated timestamp");
  e->timestamp = static_cast<int64_t>(ts);
  std::string_view coll, id;
  if (!GetLengthPrefixed(&in, &coll) || !GetLengthPrefixed(&in, &id)) {
    return Status::Corruption("change event: truncated header");
  }
  e->collection.assign(coll);
  e->id.assign(id);
  PQ_RETURN_IF_ERROR(DecodeValue(&in, &e->before));
  PQ_RETURN_IF_ERROR(DecodeValue(&in, &e->after));
  if (!in.empty()) return Status::Corruption("change event: trailing bytes");
  return Status::OK();
}

}  // namespace parquedb::db
