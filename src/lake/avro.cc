#include "lake/avro.h"

#include <cstring>
#include <snappy.h>
#include <zlib.h>


namespace parquedb::lake::avro {
namespace {

constexpr int kMaxDepth = 64;
constexpr size_t kMaxBlockBytes = 256u << 20;

Status Bad(bool untrusted, const std::string& msg) {
  return untrusted ? Status::Corruption("avro schema: " + msg)
                   : Status::InvalidArgument("avro schema: " + msg);
}

struct SchemaParser {
  bool untrusted;
  std::map<std::string, NodePtr> named;

  Result<NodePtr> Parse(const nlohmann::json& j, int depth) {
    if (depth > kMaxDepth) return Bad(untrusted, "nesting too deep");
    if (j.is_string()) {
      const std::string& s = j.get_ref<const std::string&>();
      static const std::map<std::string, Type> prims = {
          {"null", Type::kNull},   {"boolean", Type::kBoolean}, {"int", Type::kInt},
          {"long", Type::kLong},   {"float", Type::kFloat},     {"double", Type::kDouble},
          {"bytes", Type::kBytes}, {"string", Type::kString}};
      auto it = prims.find(s);
      if (it != prims.end()) {
        auto n = std::make_shared<Node>();
        n->type = it->second;
        return NodePtr(n);
      }
      auto nt = named.find(s);
      if (nt != named.end()) return nt->second;
      return Bad(untrusted, "unknown type '" + s + "'");
    }
    if (j.is_array()) {
      auto n = std::make_shared<Node>();
      n->type = Type::kUnion;
      for (const auto& b : j) {
        PQ_ASSIGN_OR_RETURN(NodePtr bn, Parse(b, depth + 1));
        if (bn->type == Type::kUnion) return Bad(untrusted, "union directly inside a union");
        n->branches.push_back(bn);
      }
      if (n->branches.empty()) return Bad(untrusted, "empty union");
      return NodePtr(n);
    }
    if (!j.is_object()) return Bad(untrusted, "a type must be a string, array or object");
    auto t = j.find("type");
    if (t == j.end()) return Bad(untrusted, "object without \"type\"");
    if (!t->is_string()) {
      // {"type": {...}} or {"type": [...]} wraps another schema.
      return Parse(*t, depth + 1);
    }
    const std::string& ts = t->get_ref<const std::string&>();
    auto n = std::make_shared<Node>();
    for (auto it = j.begin(); it != j.end(); ++it) {
      static const char* kKnown[] = {"type", "name", "namespace", "fields", "symbols",
                                     "items", "values", "size", "aliases", "doc", "default"};
      bool known = false;
      for (const char* k : kKnown) known = known || it.key() == k;
      if (!known) n->attrs[it.key()] = it.value();
    }
    auto get_name = [&]() -> Result<std::string> {
      auto nm = j.find("name");
      if (nm == j.end() || !nm->is_string()) return Bad(untrusted, ts + " without a name");
      return nm->get<std::string>();
    };
    if (ts == "record" || ts == "error") {
      n->type = Type::kRecord;
      PQ_ASSIGN_OR_RETURN(n->name, get_name());
      auto fs = j.find("fields");
      if (fs == j.end() || !fs->is_array()) return Bad(untrusted, "record without fields");
      named[n->name] = n;  // allow recursive references
      for (const auto& f : *fs) {
        if (!f.is_object() || !f.contains("name") || !f["name"].is_string() ||
            !f.contains("type")) {
          return Bad(untrusted, "bad field in record " + n->name);
        }
        Field fld;
        fld.name = f["name"].get<std::string>();
        for (const Field& other : n->fields) {
          if (other.name == fld.name) {
            return Bad(untrusted, "record " + n->name + " repeats field " + fld.name);
          }
        }
        PQ_ASSIGN_OR_RETURN(fld.type, Parse(f["type"], depth + 1));
        for (auto it = f.begin(); it != f.end(); ++it) {
          if (it.key() != "name" && it.key() != "type") fld.attrs[it.key()] = it.value();
        }
        n->fields.push_back(std::move(fld));
      }
      return NodePtr(n);
    }
    if (ts == "enum") {
      n->type = Type::kEnum;
      PQ_ASSIGN_OR_RETURN(n->name, get_name());
      auto ss = j.find("symbols");
      if (ss == j.end() || !ss->is_array()) return Bad(untrusted, "enum without symbols");
      for (const auto& s : *ss) {
        if (!s.is_string()) return Bad(untrusted, "enum symbol is not a string");
        n->symbols.push_back(s.get<std::string>());
      }
      named[n->name] = n;
      return NodePtr(n);
    }
    if (ts == "fixed") {
      n->type = Type::kFixed;
      PQ_ASSIGN_OR_RETURN(n->name, get_name());
      auto sz = j.find("size");
      if (sz == j.end() || !sz->is_number_integer() || sz->get<int64_t>() < 0 ||
          sz->get<int64_t>() > (1 << 20)) {
        return Bad(untrusted, "fixed without a valid size");
      }
      n->size = sz->get<int64_t>();
      named[n->name] = n;
      return NodePtr(n);
    }
    if (ts == "array" || ts == "map") {
      n->type = ts == "array" ? Type::kArray : Type::kMap;
      auto it = j.find(ts == "array" ? "items" : "values");
      if (it == j.end()) return Bad(untrusted, ts + " without its element type");
      PQ_ASSIGN_OR_RETURN(n->items, Parse(*it, depth + 1));
      return NodePtr(n);
    }
    // A primitive written as an object, possibly with attributes (logicalType).
    PQ_ASSIGN_OR_RETURN(NodePtr prim, Parse(*t, depth + 1));
    if (prim->type == Type::kRecord || prim->type == Type::kEnum || prim->type == Type::kFixed) {
      return prim;
    }
    n->type = prim->type;
    return NodePtr(n);
  }
};

const char* PrimName(Type t) {
  switch (t) {
    case Type::kNull: return "null";
    case Type::kBoolean: return "boolean";
    case Type::kInt: return "int";
    case Type::kLong: return "long";
    case Type::kFloat: return "float";
    case Type::kDouble: return "double";
    case Type::kBytes: return "bytes";
    case Type::kString: return "string";
    default: return "";
  }
}

Status Short(const char* what) {
  return Status::Corruption(std::string("avro: truncated ") + what);
}

bool Fits(const Node& n, const Value& v) {
  switch (n.type) {
    case Type::kNull: return v.is_null();
    case Type::kBoolean: return v.kind() == Value::Kind::kBool;
    case Type::kInt:
      return v.kind() == Value::Kind::kInt && v.as_int() >= INT32_MIN && v.as_int() <= INT32_MAX;
    case Type::kLong: return v.kind() == Value::Kind::kInt;
    case Type::kFloat: {  // only values a float holds exactly (NaN included)
      if (!v.is_number()) return false;
      double d = v.as_double();
      return d != d || static_cast<double>(static_cast<float>(d)) == d;
    }
    case Type::kDouble: return v.is_number();
    case Type::kBytes: case Type::kString: case Type::kEnum: case Type::kFixed:
      return v.kind() == Value::Kind::kString;
    case Type::kArray: return v.kind() == Value::Kind::kArray;
    case Type::kMap: case Type::kRecord: return v.kind() == Value::Kind::kObject;
    case Type::kUnion: return false;
  }
  return false;
}

Status EncodeImpl(const Node& n, const Value& v, std::string* out, int depth) {
  if (depth > kMaxDepth) return Status::InvalidArgument("avro: datum nesting too deep");
  auto mismatch = [&]() {
    return Status::InvalidArgument(std::string("avro: value of kind ") +
                                   std::string(Value::KindName(v.kind())) +
                                   " does not fit schema type " + SchemaToJson(n).dump());
  };
  switch (n.type) {
    case Type::kNull:
      if (!v.is_null()) return mismatch();
      return Status::OK();
    case Type::kBoolean:
      if (v.kind() != Value::Kind::kBool) return mismatch();
      out->push_back(v.as_bool() ? 1 : 0);
      return Status::OK();
    case Type::kInt:
    case Type::kLong:
      if (v.kind() != Value::Kind::kInt) return mismatch();
      if (n.type == Type::kInt && (v.as_int() < INT32_MIN || v.as_int() > INT32_MAX)) {
        return Status::InvalidArgument("avro: int out of range");
      }
      PutLong(v.as_int(), out);
      return Status::OK();
    case Type::kFloat: {
      if (!v.is_number()) return mismatch();
      float f = static_cast<float>(v.as_double());
      char b[4];
      std::memcpy(b, &f, 4);
      out->append(b, 4);
      return Status::OK();
    }
    case Type::kDouble: {
      if (!v.is_number()) return mismatch();
      double d = v.as_double();
      char b[8];
      std::memcpy(b, &d, 8);
      out->append(b, 8);
      return Status::OK();
    }
    case Type::kBytes:
    case Type::kString:
      if (v.kind() != Value::Kind::kString) return mismatch();
      PutLong(static_cast<int64_t>(v.as_string().size()), out);
      out->append(v.as_string());
      return Status::OK();
    case Type::kFixed:
      if (v.kind() != Value::Kind::kString) return mismatch();
      if (static_cast<int64_t>(v.as_string().size()) != n.size) {
        return Status::InvalidArgument("avro: fixed value of wrong size");
      }
      out->append(v.as_string());
      return Status::OK();
    case Type::kEnum: {
      if (v.kind() != Value::Kind::kString) return mismatch();
      for (size_t i = 0; i < n.symbols.size(); i++) {
        if (n.symbols[i] == v.as_string()) {
          PutLong(static_cast<int64_t>(i), out);
          return Status::OK();
        }
      }
      return Status::InvalidArgument("avro: unknown enum symbol '" + v.as_string() + "'");
    }
    case Type::kArray:
      if (v.kind() != Value::Kind::kArray) return mismatch();
      if (!v.as_array().empty()) {
        PutLong(static_cast<int64_t>(v.as_array().size()), out);
        for (const Value& e : v.as_array()) PQ_RETURN_IF_ERROR(EncodeImpl(*n.items, e, out, depth + 1));
      }
      out->push_back(0);
      return Status::OK();
    case Type::kMap:
      if (v.kind() != Value::Kind::kObject) return mismatch();
      if (!v.as_object().empty()) {
        PutLong(static_cast<int64_t>(v.as_object().size()), out);
        for (const auto& [k, e] : v.as_object()) {
          PutLong(static_cast<int64_t>(k.size()), out);
          out->append(k);
          PQ_RETURN_IF_ERROR(EncodeImpl(*n.items, e, out, depth + 1));
        }
      }
      out->push_back(0);
      return Status::OK();
    case Type::kRecord: {
      if (v.kind() != Value::Kind::kObject) return mismatch();
      static const Value kNull;
      for (const Field& f : n.fields) {
        const Value* fv = v.Find(f.name);
        Status s = EncodeImpl(*f.type, fv ? *fv : kNull, out, depth + 1);
        if (!s.ok()) return s.WithContext("field '" + f.name + "' of " + n.name);
      }
      return Status::OK();
    }
    case Type::kUnion:
      for (size_t i = 0; i < n.branches.size(); i++) {
        if (Fits(*n.branches[i], v)) {
          PutLong(static_cast<int64_t>(i), out);
          return EncodeImpl(*n.branches[i], v, out, depth + 1);
        }
      }
      return mismatch();
  }
  return mismatch();
}

Status GetBytes(std::string_view data, size_t* pos, std::string* s) {
  int64_t len;
  PQ_RETURN_IF_ERROR(GetLong(data, pos, &len));
  if (len < 0 || static_cast<uint64_t>(len) > data.size() - *pos) return Short("bytes/string");
  s->assign(data.substr(*pos, static_cast<size_t>(len)));
  *pos += static_cast<size_t>(len);
  return Status::OK();
}

// Reads a block count of an array/map: negative counts are followed by a byte size.
Status GetBlockCount(std::string_view data, size_t* pos, int64_t* count) {
  PQ_RETURN_IF_ERROR(GetLong(data, pos, count));
  if (*count < 0) {
    if (*count == INT64_MIN) return Status::Corruption("avro: bad block count");
    *count = -*count;
    int64_t bytes;
    PQ_RETURN_IF_ERROR(GetLong(data, pos, &bytes));
  }
  // Every item takes at least... zero bytes (null items), so bound by a sane limit.
  if (*count > (1 << 26)) return Status::Corruption("avro: block count too large");
  return Status::OK();
}

Status DecodeImpl(const Node& n, std::string_view data, size_t* pos, Value* out, int depth,
                  size_t* budget) {
  if (depth > kMaxDepth) return Status::Corruption("avro: datum nesting too deep");
  if (*budget == 0) return Status::Corruption("avro: too many values");
  --*budget;
  switch (n.type) {
    case Type::kNull:
      *out = Value();
      return Status::OK();
    case Type::kBoolean:
      if (*pos >= data.size()) return Short("boolean");
      if (static_cast<uint8_t>(data[*pos]) > 1) return Status::Corruption("avro: bad boolean");
      *out = Value::Bool(data[(*pos)++] != 0);
      return Status::OK();
    case Type::kInt:
    case Type::kLong: {
      int64_t v;
      PQ_RETURN_IF_ERROR(GetLong(data, pos, &v));
      if (n.type == Type::kInt && (v < INT32_MIN || v > INT32_MAX)) {
        return Status::Corruption("avro: int out of range");
      }
      *out = Value::Int(v);
      return Status::OK();
    }
    case Type::kFloat: {
      if (data.size() - *pos < 4) return Short("float");
      float f;
      std::memcpy(&f, data.data() + *pos, 4);
      *pos += 4;
      *out = Value::Double(f);
      return Status::OK();
    }
    case Type::kDouble: {
      if (data.size() - *pos < 8) return Short("double");
      double d;
      std::memcpy(&d, data.data() + *pos, 8);
      *pos += 8;
      *out = Value::Double(d);
      return Status::OK();
    }
    case Type::kBytes:
    case Type::kString: {
      std::string s;
      PQ_RETURN_IF_ERROR(GetBytes(data, pos, &s));
      *out = Value::String(std::move(s));
      return Status::OK();
    }
    case Type::kFixed: {
      if (static_cast<int64_t>(data.size() - *pos) < n.size) return Short("fixed");
      *out = Value::String(std::string(data.substr(*pos, static_cast<size_t>(n.size))));
      *pos += static_cast<size_t>(n.size);
      return Status::OK();
    }
    case Type::kEnum: {
      int64_t i;
      PQ_RETURN_IF_ERROR(GetLong(data, pos, &i));
      if (i < 0 || static_cast<uint64_t>(i) >= n.symbols.size()) {
        return Status::Corruption("avro: enum index out of range");
      }
      *out = Value::String(n.symbols[static_cast<size_t>(i)]);
      return Status::OK();
    }
    case Type::kArray: {
      Value::Array a;
      while (true) {
        int64_t count;
        PQ_RETURN_IF_ERROR(GetBlockCount(data, pos, &count));
        if (count == 0) break;
        for (int64_t i = 0; i < count; i++) {
          Value e;
          PQ_RETURN_IF_ERROR(DecodeImpl(*n.items, data, pos, &e, depth + 1, budget));
          a.push_back(std::move(e));
        }
      }
      *out = Value::MakeArray(std::move(a));
      return Status::OK();
    }
    case Type::kMap: {
      Value m = Value::MakeObject();
      while (true) {
        int64_t count;
        PQ_RETURN_IF_ERROR(GetBlockCount(data, pos, &count));
        if (count == 0) break;
        for (int64_t i = 0; i < count; i++) {
          std::string k;
          PQ_RETURN_IF_ERROR(GetBytes(data, pos, &k));
          Value e;
          PQ_RETURN_IF_ERROR(DecodeImpl(*n.items, data, pos, &e, depth + 1, budget));
          m.Set(k, std::move(e));
        }
      }
      *out = std::move(m);
      return Status::OK();
    }
    case Type::kRecord: {
      Value::Object o;
      o.reserve(n.fields.size());
      for (const Field& f : n.fields) {
        Value e;
        Status s = DecodeImpl(*f.type, data, pos, &e, depth + 1, budget);
        if (!s.ok()) return s.WithContext("field '" + f.name + "'");
        o.emplace_back(f.name, std::move(e));
      }
      *out = Value::MakeObject(std::move(o));
      return Status::OK();
    }
    case Type::kUnion: {
      int64_t i;
      PQ_RETURN_IF_ERROR(GetLong(data, pos, &i));
      if (i < 0 || static_cast<uint64_t>(i) >= n.branches.size()) {
        return Status::Corruption("avro: union branch out of range");
      }
      return DecodeImpl(*n.branches[static_cast<size_t>(i)], data, pos, out, depth + 1, budget);
    }
  }
  return Status::Corruption("avro: bad schema node");
}

Status Inflate(std::string_view in, std::string* out) {
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) return Status::IOError("avro: inflateInit failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  out->clear();
  char buf[65536];
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return Status::Corruption("avro: bad deflate block");
    }
    out->append(buf, sizeof(buf) - zs.avail_out);
    if (out->size() > kMaxBlockBytes) {
      inflateEnd(&zs);
      return Status::Corruption("avro: deflate block too large");
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      return Status::Corruption("avro: truncated deflate block");
    }
  } while (rc != Z_STREAM_END);
  inflateEnd(&zs);
  return Status::OK();
}

}  // namespace

void PutLong(int64_t v, std::string* out) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    out->push_back(static_cast<char>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  out->push_back(static_cast<char>(z));
}

Status GetLong(std::string_view data, size_t* pos, int64_t* v) {
  uint64_t z = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (*pos >= data.size()) return Short("varint");
    uint8_t b = static_cast<uint8_t>(data[(*pos)++]);
    if (shift == 63 && (b & 0x7e) != 0) return Status::Corruption("avro: varint overflow");
    z |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
      return Status::OK();
    }
  }
  return Status::Corruption("avro: varint too long");
}

Result<NodePtr> ParseSchema(std::string_view json_text, bool untrusted) {
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad(untrusted, "not valid JSON");
  SchemaParser p{untrusted, {}};
  return p.Parse(j, 0);
}

nlohmann::json SchemaToJson(const Node& n) {
  nlohmann::json j;
  switch (n.type) {
    case Type::kUnion:
      j = nlohmann::json::array();
      for (const auto& b : n.branches) j.push_back(SchemaToJson(*b));
      return j;
    case Type::kRecord:
      j = nlohmann::json::object({{"type", "record"}, {"name", n.name}});
      j["fields"] = nlohmann::json::array();
      for (const Field& f : n.fields) {
        nlohmann::json fj = f.attrs;
        fj["name"] = f.name;
        fj["type"] = SchemaToJson(*f.type);
        j["fields"].push_back(std::move(fj));
      }
      break;
    case Type::kEnum:
      j = nlohmann::json::object({{"type", "enum"}, {"name", n.name}, {"symbols", n.symbols}});
      break;
    case Type::kFixed:
      j = nlohmann::json::object({{"type", "fixed"}, {"name", n.name}, {"size", n.size}});
      break;
    case Type::kArray:
      j = nlohmann::json::object({{"type", "array"}, {"items", SchemaToJson(*n.items)}});
      break;
    case Type::kMap:
      j = nlohmann::json::object({{"type", "map"}, {"values", SchemaToJson(*n.items)}});
      break;
    default:
      if (n.attrs.empty()) return PrimName(n.type);
      j = nlohmann::json::object({{"type", PrimName(n.type)}});
      break;
  }
  for (auto it = n.attrs.begin(); it != n.attrs.end(); ++it) j[it.key()] = it.value();
  return j;
}

Status Encode(const Node& schema, const Value& datum, std::string* out) {
  return EncodeImpl(schema, datum, out, 0);
}

Status Decode(const Node& schema, std::string_view data, size_t* pos, Value* out) {
  size_t budget = 1u << 26;
  return DecodeImpl(schema, data, pos, out, 0, &budget);
}

ContainerWriter::ContainerWriter(NodePtr schema, std::map<std::string, std::string> metadata,
                                 std::string sync_marker)
    : schema_(std::move(schema)), sync_(std::move(sync_marker)) {
  sync_.resize(16, '\0');
  metadata["avro.schema"] = SchemaToJson(*schema_).dump();
  metadata["avro.codec"] = "null";
  out_.append("Obj\x01", 4);
  PutLong(static_cast<int64_t>(metadata.size()), &out_);
  for (const auto& [k, v] : metadata) {
    PutLong(static_cast<int64_t>(k.size()), &out_);
    out_.append(k);
    PutLong(static_cast<int64_t>(v.size()), &out_);
    out_.append(v);
  }
  out_.push_back(0);
  out_.append(sync_);
}

Status ContainerWriter::Append(const Value& datum) {
  PQ_RETURN_IF_ERROR(Encode(*schema_, datum, &block_));
  if (++block_count_ >= 4096) FlushBlock();
  return Status::OK();
}

void ContainerWriter::FlushBlock() {
  if (block_count_ == 0) return;
  PutLong(block_count_, &out_);
  PutLong(static_cast<int64_t>(block_.size()), &out_);
  out_.append(block_);
  out_.append(sync_);
  block_.clear();
  block_count_ = 0;
}

std::string ContainerWriter::Finish() {
  FlushBlock();
  return std::move(out_);
}

Result<ContainerFile> ReadContainer(std::string_view data, size_t max_records) {
  if (data.size() < 4 || data.substr(0, 4) != std::string_view("Obj\x01", 4)) {
    return Status::Corruption("avro: not an object container file (bad magic)");
  }
  size_t pos = 4;
  ContainerFile f;
  while (true) {
    int64_t count;
    PQ_RETURN_IF_ERROR(GetBlockCount(data, &pos, &count));
    if (count == 0) break;
    for (int64_t i = 0; i < count; i++) {
      std::string k, v;
      PQ_RETURN_IF_ERROR(GetBytes(data, &pos, &k));
      PQ_RETURN_IF_ERROR(GetBytes(data, &pos, &v));
      f.metadata[k] = std::move(v);
    }
  }
  if (data.size() - pos < 16) return Short("header sync marker");
  std::string_view sync = data.substr(pos, 16);
  pos += 16;
  auto sit = f.metadata.find("avro.schema");
  if (sit == f.metadata.end()) return Status::Corruption("avro: header has no avro.schema");
  PQ_ASSIGN_OR_RETURN(f.schema, ParseSchema(sit->second, /*untrusted=*/true));
  std::string codec = "null";
  if (auto c = f.metadata.find("avro.codec"); c != f.metadata.end()) codec = c->second;
  if (codec != "null" && codec != "deflate" && codec != "snappy") {
    return Status::NotSupported("avro: codec '" + codec + "'");
  }
  std::string buf;
  size_t budget = 1u << 26;
  while (pos < data.size()) {
    int64_t count, size;
    PQ_RETURN_IF_ERROR(GetLong(data, &pos, &count));
    PQ_RETURN_IF_ERROR(GetLong(data, &pos, &size));
    if (count < 0 || size < 0 || static_cast<uint64_t>(size) > data.size() - pos ||
        data.size() - pos - static_cast<size_t>(size) < 16) {
      return Status::Corruption("avro: bad block header");
    }
    if (f.records.size() + static_cast<uint64_t>(count) > max_records) {
      return Status::Corruption("avro: too many records");
    }
    std::string_view block = data.substr(pos, static_cast<size_t>(size));
    pos += static_cast<size_t>(size);
    if (data.substr(pos, 16) != sync) return Status::Corruption("avro: sync marker mismatch");
    pos += 16;
    if (codec == "deflate") {
      PQ_RETURN_IF_ERROR(Inflate(block, &buf));
      block = buf;
    } else if (codec == "snappy") {
      if (block.size() < 4) return Short("snappy block");
      size_t ulen;
      if (!snappy::GetUncompressedLength(block.data(), block.size() - 4, &ulen) ||
          ulen > kMaxBlockBytes ||
          !snappy::Uncompress(block.data(), block.size() - 4, &buf)) {
        return Status::Corruption("avro: bad snappy block");
      }
      const auto* c = reinterpret_cast<const uint8_t*>(block.data() + block.size() - 4);
      uint32_t want = (uint32_t{c[0]} << 24) | (uint32_t{c[1]} << 16) | (uint32_t{c[2]} << 8) | c[3];
      if (crc32(0L, reinterpret_cast<const Bytef*>(buf.data()), static_cast<uInt>(buf.size())) !=
          want) {
        return Status::Corruption("avro: snappy block checksum mismatch");
      }
      block = buf;
    }
    size_t bpos = 0;
    for (int64_t i = 0; i < count; i++) {
      Value v;
      PQ_RETURN_IF_ERROR(DecodeImpl(*f.schema, block, &bpos, &v, 0, &budget));
      f.records.push_back(std::move(v));
    }
    if (bpos != block.size()) return Status::Corruption("avro: trailing bytes in block");
  }
  return f;
}

}  // namespace parquedb::lake::avro
