#include "parquet/record.h"

#include <cmath>
#include <cstring>
#include <limits>

#include <nlohmann/json.hpp>

namespace parquedb::parquet {

namespace {

// Schema node annotated with its leaf range and levels.
struct Node {
  const SchemaNode* node = nullptr;
  size_t first_leaf = 0, end_leaf = 0;
  int16_t def = 0;  // definition level when this node is present
  int16_t rep = 0;  // repetition level of this node (repeated ancestors incl. itself)
  std::vector<Node> children;
  bool is_list() const {
    return !node->is_leaf &&
           (node->logical.kind == LogicalType::Kind::kList ||
            node->converted == ConvertedType::kList) &&
           node->children.size() == 1 && node->children[0].repetition == Repetition::kRepeated;
  }
};

void BuildNodes(const SchemaNode& sn, int16_t parent_def, int16_t parent_rep, size_t* leaf,
                Node* out) {
  out->node = &sn;
  out->def = parent_def + (sn.repetition != Repetition::kRequired ? 1 : 0);
  out->rep = parent_rep + (sn.repetition == Repetition::kRepeated ? 1 : 0);
  out->first_leaf = *leaf;
  if (sn.is_leaf) {
    (*leaf)++;
  } else {
    out->children.resize(sn.children.size());
    for (size_t i = 0; i < sn.children.size(); i++) {
      BuildNodes(sn.children[i], out->def, out->rep, leaf, &out->children[i]);
    }
  }
  out->end_leaf = *leaf;
}

std::vector<Node> BuildTree(const Schema& schema) {
  std::vector<Node> nodes(schema.fields().size());
  size_t leaf = 0;
  for (size_t i = 0; i < nodes.size(); i++) BuildNodes(schema.fields()[i], 0, 0, &leaf, &nodes[i]);
  return nodes;
}

std::string ToHex(std::string_view b) {
  static const char* kDigits = "0123456789abcdef";
  std::string s = "hex:";
  for (unsigned char c : b) {
    s += kDigits[c >> 4];
    s += kDigits[c & 15];
  }
  return s;
}

Result<std::string> FromHex(std::string_view s) {
  if (s.substr(0, 4) != "hex:") return Status::InvalidArgument("binary values must be 'hex:...'");
  s.remove_prefix(4);
  if (s.size() % 2) return Status::InvalidArgument("odd-length hex string");
  std::string out;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); i += 2) {
    int hi = nib(s[i]), lo = nib(s[i + 1]);
    if (hi < 0 || lo < 0) return Status::InvalidArgument("bad hex digit");
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

// Two's complement big-endian bytes of v, exactly `width` bytes.
std::string ToBigEndian(__int128 v, size_t width) {
  std::string out(width, '\0');
  for (size_t i = 0; i < width; i++) {
    out[width - 1 - i] = static_cast<char>(static_cast<uint8_t>(v & 0xFF));
    v >>= 8;  // arithmetic shift keeps the sign
  }
  return out;
}

// Minimal two's complement big-endian bytes of v.
std::string ToBigEndianMinimal(__int128 v) {
  std::string full = ToBigEndian(v, 16);
  size_t i = 0;
  while (i + 1 < full.size()) {
    uint8_t b = static_cast<uint8_t>(full[i]), next = static_cast<uint8_t>(full[i + 1]);
    if ((b == 0x00 && !(next & 0x80)) || (b == 0xFF && (next & 0x80))) {
      i++;
    } else {
      break;
    }
  }
  return full.substr(i);
}

Result<__int128> FromBigEndian(std::string_view b) {
  if (b.empty()) return __int128{0};
  if (b.size() > 16) {
    // Accept sign-extension padding beyond 16 bytes only.
    uint8_t pad = (static_cast<uint8_t>(b[0]) & 0x80) ? 0xFF : 0x00;
    for (size_t i = 0; i < b.size() - 16; i++) {
      if (static_cast<uint8_t>(b[i]) != pad) return Status::Corruption("decimal exceeds 128 bits");
    }
    b.remove_prefix(b.size() - 16);
  }
  __int128 v = (static_cast<uint8_t>(b[0]) & 0x80) ? -1 : 0;
  for (unsigned char c : b) v = (v << 8) | c;  // NOLINT: shifting the sign is intended
  return v;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
  return q;
}

std::string TypeOf(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull: return "null";
    case Value::Kind::kBool: return "boolean";
    case Value::Kind::kInt: return "integer";
    case Value::Kind::kDouble: return "number";
    case Value::Kind::kDecimal: return "decimal";
    case Value::Kind::kString: return "string";
    case Value::Kind::kTimestamp: return "timestamp";
    case Value::Kind::kDate: return "date";
    case Value::Kind::kArray: return "array";
    case Value::Kind::kObject: return "object";
  }
  return "value";
}

// ------------------------------------------------------------------ shredding
class Shredder {
 public:
  Shredder(const Schema& schema, std::vector<ColumnVector>* cols) : schema_(schema), cols_(*cols) {}

  Status Field(const Node& n, const Value* v, int16_t def, int16_t rep) {
    const SchemaNode& sn = *n.node;
    if (sn.repetition == Repetition::kRepeated) {
      if (v == nullptr || v->is_null() ||
          (v->kind() == Value::Kind::kArray && v->as_array().empty())) {
        EmitNull(n, def, rep);
        return Status::OK();
      }
      if (v->kind() != Value::Kind::kArray) return Mismatch(n, "array", *v);
      const Value::Array& a = v->as_array();
      for (size_t i = 0; i < a.size(); i++) {
        PQ_RETURN_IF_ERROR(Present(n, &a[i], i == 0 ? rep : n.rep));
      }
      return Status::OK();
    }
    if (v == nullptr || v->is_null()) {
      if (sn.repetition == Repetition::kRequired) {
        return Status::InvalidArgument("field '" + Path(n) + "' is required but null or missing");
      }
      EmitNull(n, def, rep);
      return Status::OK();
    }
    return Present(n, v, rep);
  }

 private:
  // The node is present (for repeated nodes: one element); v is non-null.
  Status Present(const Node& n, const Value* v, int16_t rep) {
    const SchemaNode& sn = *n.node;
    if (sn.is_leaf) {
      if (v->is_null()) {
        return Status::InvalidArgument("field '" + Path(n) + "' element is null");
      }
      return Leaf(n, *v, rep);
    }
    if (n.is_list()) {
      const Node& rep_node = n.children[0];
      if (v->kind() != Value::Kind::kArray) return Mismatch(n, "array", *v);
      const Value::Array& a = v->as_array();
      if (a.empty()) {
        EmitNull(n, n.def, rep);
        return Status::OK();
      }
      for (size_t i = 0; i < a.size(); i++) {
        int16_t r = i == 0 ? rep : rep_node.rep;
        if (!rep_node.node->is_leaf && rep_node.children.size() == 1) {
          PQ_RETURN_IF_ERROR(Field(rep_node.children[0], &a[i], rep_node.def, r));
        } else {
          PQ_RETURN_IF_ERROR(Present(rep_node, &a[i], r));
        }
      }
      return Status::OK();
    }
    if (v->kind() != Value::Kind::kObject) return Mismatch(n, "object", *v);
    for (const Node& c : n.children) {
      PQ_RETURN_IF_ERROR(Field(c, v->Find(c.node->name), n.def, rep));
    }
    return Status::OK();
  }

  void EmitNull(const Node& n, int16_t def, int16_t rep) {
    for (size_t l = n.first_leaf; l < n.end_leaf; l++) {
      const LeafInfo& li = schema_.leaves()[l];
      if (li.max_def > 0) cols_[l].def_levels.push_back(def);
      if (li.max_rep > 0) cols_[l].rep_levels.push_back(rep);
    }
  }

  Status Mismatch(const Node& n, const char* expected, const Value& got) {
    return Status::InvalidArgument("field '" + Path(n) + "': expected " + expected + ", got " +
                                   TypeOf(got));
  }

  std::string Path(const Node& n) const {
    return n.node->is_leaf ? schema_.leaves()[n.first_leaf].dotted_path : n.node->name;
  }

  Result<__int128> DecimalValue(const Node& n, const Value& v) {
    const LogicalType& lt = n.node->logical;
    Decimal d;
    if (v.kind() == Value::Kind::kDecimal) {
      d = v.as_decimal();
    } else if (v.kind() == Value::Kind::kInt) {
      d = Decimal{v.as_int(), 0};
    } else if (v.kind() == Value::Kind::kString) {
      auto r = Decimal::FromString(v.as_string());
      if (!r.ok()) return r.status().WithContext("field '" + Path(n) + "'");
      d = *r;
    } else if (v.kind() == Value::Kind::kDouble) {
      // Doubles are converted through their shortest text, then must fit exactly.
      auto r = Decimal::FromString(nlohmann::json(v.as_double()).dump());
      if (!r.ok()) return r.status().WithContext("field '" + Path(n) + "'");
      d = *r;
    } else {
      return Mismatch(n, "decimal", v);
    }
    auto scaled = d.Rescale(lt.decimal_scale);
    if (!scaled.ok()) {
      return Status::InvalidArgument("field '" + Path(n) + "': " + d.ToString() +
                                     " has more than " + std::to_string(lt.decimal_scale) +
                                     " fractional digits");
    }
    if (scaled->Digits() > lt.decimal_precision && scaled->unscaled != 0) {
      return Status::InvalidArgument("field '" + Path(n) + "': " + d.ToString() +
                                     " exceeds decimal(" + std::to_string(lt.decimal_precision) +
                                     "," + std::to_string(lt.decimal_scale) + ")");
    }
    return scaled->unscaled;
  }

  Status Leaf(const Node& n, const Value& v, int16_t rep) {
    size_t l = n.first_leaf;
    const LeafInfo& li = schema_.leaves()[l];
    const SchemaNode& sn = *n.node;
    ColumnVector& c = cols_[l];
    const LogicalType& lt = sn.logical;
    auto push_levels = [&] {
      if (li.max_def > 0) c.def_levels.push_back(li.max_def);
      if (li.max_rep > 0) c.rep_levels.push_back(rep);
    };
    switch (sn.type) {
      case PhysicalType::kBoolean:
        if (v.kind() != Value::Kind::kBool) return Mismatch(n, "boolean", v);
        c.bools.push_back(v.as_bool() ? 1 : 0);
        break;
      case PhysicalType::kInt32:
      case PhysicalType::kInt64: {
        int64_t x = 0;
        if (lt.kind == LogicalType::Kind::kDecimal) {
          PQ_ASSIGN_OR_RETURN(__int128 u, DecimalValue(n, v));
          x = static_cast<int64_t>(u);
        } else if (lt.kind == LogicalType::Kind::kDate) {
          if (v.kind() == Value::Kind::kDate) {
            x = v.as_date();
          } else if (v.kind() == Value::Kind::kString) {
            auto r = ParseDateDays(v.as_string());
            if (!r.ok()) return r.status().WithContext("field '" + Path(n) + "'");
            x = *r;
          } else {
            return Mismatch(n, "date", v);
          }
        } else if (lt.kind == LogicalType::Kind::kTimestamp) {
          int64_t micros;
          if (v.kind() == Value::Kind::kTimestamp || v.kind() == Value::Kind::kInt) {
            micros = v.as_int();
          } else if (v.kind() == Value::Kind::kString) {
            auto r = ParseTimestampMicros(v.as_string());
            if (!r.ok()) return r.status().WithContext("field '" + Path(n) + "'");
            micros = *r;
          } else {
            return Mismatch(n, "timestamp", v);
          }
          switch (lt.unit) {
            case TimeUnit::kMillis: x = FloorDiv(micros, 1000); break;
            case TimeUnit::kMicros: x = micros; break;
            case TimeUnit::kNanos: x = micros * 1000; break;
          }
        } else {
          if (v.kind() == Value::Kind::kInt) {
            x = v.as_int();
          } else if (v.kind() == Value::Kind::kString) {
            // Canonical form writes integers beyond 2^53 as strings.
            const std::string& s = v.as_string();
            char* end = nullptr;
            errno = 0;
            long long parsed = std::strtoll(s.c_str(), &end, 10);
            if (s.empty() || *end != '\0' || errno != 0) return Mismatch(n, "integer", v);
            x = parsed;
          } else {
            return Mismatch(n, "integer", v);
          }
          if (sn.type == PhysicalType::kInt32 && (x < INT32_MIN || x > INT32_MAX)) {
            return Status::InvalidArgument("field '" + Path(n) + "': " + std::to_string(x) +
                                           " does not fit in int32");
          }
        }
        if (sn.type == PhysicalType::kInt32) {
          c.i32.push_back(static_cast<int32_t>(x));
        } else {
          c.i64.push_back(x);
        }
        break;
      }
      case PhysicalType::kFloat:
      case PhysicalType::kDouble: {
        double d;
        if (v.is_number()) {
          d = v.as_double();
        } else if (v.kind() == Value::Kind::kString && v.as_string() == "NaN") {
          d = std::numeric_limits<double>::quiet_NaN();
        } else if (v.kind() == Value::Kind::kString && v.as_string() == "Infinity") {
          d = std::numeric_limits<double>::infinity();
        } else if (v.kind() == Value::Kind::kString && v.as_string() == "-Infinity") {
          d = -std::numeric_limits<double>::infinity();
        } else {
          return Mismatch(n, "number", v);
        }
        if (sn.type == PhysicalType::kFloat) {
          c.f32.push_back(static_cast<float>(d));
        } else {
          c.f64.push_back(d);
        }
        break;
      }
      case PhysicalType::kByteArray: {
        if (lt.kind == LogicalType::Kind::kDecimal) {
          PQ_ASSIGN_OR_RETURN(__int128 u, DecimalValue(n, v));
          c.AppendByteArray(ToBigEndianMinimal(u));
        } else if (lt.kind == LogicalType::Kind::kString || lt.kind == LogicalType::Kind::kEnum) {
          if (v.kind() != Value::Kind::kString) return Mismatch(n, "string", v);
          c.AppendByteArray(v.as_string());
        } else if (lt.kind == LogicalType::Kind::kJson) {
          // JSON columns hold text; non-string values are stored as their JSON text.
          if (v.kind() == Value::Kind::kString) {
            c.AppendByteArray(v.as_string());
          } else {
            c.AppendByteArray(v.ToJsonString());
          }
        } else {
          if (v.kind() != Value::Kind::kString) return Mismatch(n, "hex string", v);
          auto r = FromHex(v.as_string());
          if (!r.ok()) return r.status().WithContext("field '" + Path(n) + "'");
          c.AppendByteArray(*r);
        }
        break;
      }
      case PhysicalType::kFixedLenByteArray:
      case PhysicalType::kInt96: {
        size_t w = static_cast<size_t>(sn.type_length);
        if (lt.kind == LogicalType::Kind::kDecimal) {
          PQ_ASSIGN_OR_RETURN(__int128 u, DecimalValue(n, v));
          c.bytes.append(ToBigEndian(u, w));
        } else {
          if (v.kind() != Value::Kind::kString) return Mismatch(n, "hex string", v);
          auto r = FromHex(v.as_string());
          if (!r.ok()) return r.status().WithContext("field '" + Path(n) + "'");
          if (r->size() != w) {
            return Status::InvalidArgument("field '" + Path(n) + "': expected " +
                                           std::to_string(w) + " bytes");
          }
          c.bytes.append(*r);
        }
        break;
      }
    }
    push_levels();
    return Status::OK();
  }

  const Schema& schema_;
  std::vector<ColumnVector>& cols_;
};

// ------------------------------------------------------------------ assembly
class Assembler {
 public:
  Assembler(const Schema& schema, const std::vector<ColumnVector>& cols)
      : schema_(schema), cols_(cols), level_(cols.size(), 0), value_(cols.size(), 0) {}

  Result<Value> Field(const Node& n) {
    const SchemaNode& sn = *n.node;
    PQ_ASSIGN_OR_RETURN(int16_t d, DefAt(n.first_leaf));
    if (sn.repetition == Repetition::kRepeated) {
      if (d < n.def) {
        PQ_RETURN_IF_ERROR(Skip(n));
        return Value::MakeArray();
      }
      Value::Array arr;
      while (true) {
        PQ_ASSIGN_OR_RETURN(Value v, Present(n));
        arr.push_back(std::move(v));
        if (!MoreAt(n.first_leaf, n.rep)) break;
      }
      return Value::MakeArray(std::move(arr));
    }
    if (sn.repetition == Repetition::kOptional && d < n.def) {
      PQ_RETURN_IF_ERROR(Skip(n));
      return Value::Null();
    }
    return Present(n);
  }

  // Advances past one whole row of field `n` without building its value: at each
  // leaf, the row's first slot and every following slot with a repetition level > 0.
  Status SkipRow(const Node& n) {
    for (size_t l = n.first_leaf; l < n.end_leaf; l++) {
      const LeafInfo& li = schema_.leaves()[l];
      const ColumnVector& c = cols_[l];
      const size_t end = c.num_levels(li.max_def, li.max_rep);
      if (level_[l] >= end) {
        return Status::Corruption("column '" + li.dotted_path + "' has fewer values than rows");
      }
      do {
        if (li.max_def == 0 || c.def_levels[level_[l]] == li.max_def) value_[l]++;
        level_[l]++;
      } while (li.max_rep > 0 && level_[l] < end && c.rep_levels[level_[l]] > 0);
      if (value_[l] > c.num_values()) {
        return Status::Corruption("column '" + li.dotted_path + "' has fewer values than slots");
      }
    }
    return Status::OK();
  }

  Status CheckFullyConsumed(const std::vector<Node>& fields, const std::vector<int>& which) {
    for (int f : which) {
      const Node& n = fields[static_cast<size_t>(f)];
      for (size_t l = n.first_leaf; l < n.end_leaf; l++) {
        const LeafInfo& li = schema_.leaves()[l];
        if (level_[l] != cols_[l].num_levels(li.max_def, li.max_rep) ||
            value_[l] != cols_[l].num_values()) {
          return Status::Corruption("column '" + li.dotted_path +
                                    "' holds more values than its rows use");
        }
      }
    }
    return Status::OK();
  }

 private:
  Result<int16_t> DefAt(size_t l) {
    const LeafInfo& li = schema_.leaves()[l];
    const ColumnVector& c = cols_[l];
    if (level_[l] >= c.num_levels(li.max_def, li.max_rep)) {
      return Status::Corruption("column '" + li.dotted_path + "' has fewer values than rows");
    }
    return li.max_def > 0 ? c.def_levels[level_[l]] : int16_t{0};
  }

  // True if the next slot of leaf l continues the repeated node at level `rep`.
  bool MoreAt(size_t l, int16_t rep) const {
    const LeafInfo& li = schema_.leaves()[l];
    const ColumnVector& c = cols_[l];
    if (level_[l] >= c.num_levels(li.max_def, li.max_rep) || li.max_rep == 0) return false;
    return c.rep_levels[level_[l]] >= rep && c.rep_levels[level_[l]] == rep;
  }

  Status Skip(const Node& n) {
    for (size_t l = n.first_leaf; l < n.end_leaf; l++) {
      const LeafInfo& li = schema_.leaves()[l];
      if (level_[l] >= cols_[l].num_levels(li.max_def, li.max_rep)) {
        return Status::Corruption("column '" + li.dotted_path + "' has fewer values than rows");
      }
      if (li.max_def > 0 && cols_[l].def_levels[level_[l]] == li.max_def) value_[l]++;
      level_[l]++;
    }
    return Status::OK();
  }

  Result<Value> Present(const Node& n) {
    const SchemaNode& sn = *n.node;
    if (sn.is_leaf) return LeafValue(n);
    if (n.is_list()) {
      const Node& rep_node = n.children[0];
      PQ_ASSIGN_OR_RETURN(int16_t d, DefAt(n.first_leaf));
      if (d < rep_node.def) {
        PQ_RETURN_IF_ERROR(Skip(n));
        return Value::MakeArray();
      }
      bool three_level = !rep_node.node->is_leaf && rep_node.children.size() == 1;
      Value::Array arr;
      while (true) {
        if (three_level) {
          PQ_ASSIGN_OR_RETURN(Value v, Field(rep_node.children[0]));
          arr.push_back(std::move(v));
        } else {
          PQ_ASSIGN_OR_RETURN(Value v, Present(rep_node));
          arr.push_back(std::move(v));
        }
        if (!MoreAt(rep_node.first_leaf, rep_node.rep)) break;
      }
      return Value::MakeArray(std::move(arr));
    }
    Value::Object obj;
    obj.reserve(n.children.size());
    for (const Node& c : n.children) {
      PQ_ASSIGN_OR_RETURN(Value v, Field(c));
      obj.emplace_back(c.node->name, std::move(v));
    }
    return Value::MakeObject(std::move(obj));
  }

  Result<Value> LeafValue(const Node& n) {
    size_t l = n.first_leaf;
    const LeafInfo& li = schema_.leaves()[l];
    const ColumnVector& c = cols_[l];
    PQ_ASSIGN_OR_RETURN(int16_t d, DefAt(l));
    if (d != li.max_def) return Status::Corruption("column '" + li.dotted_path + "' level mismatch");
    size_t i = value_[l];
    if (i >= c.num_values()) {
      return Status::Corruption("column '" + li.dotted_path + "' has fewer values than slots");
    }
    value_[l]++;
    level_[l]++;
    return Convert(*n.node, c, i);
  }


 public:
  static Value Convert(const SchemaNode& sn, const ColumnVector& c, size_t i) {
    const LogicalType& lt = sn.logical;
    switch (sn.type) {
      case PhysicalType::kBoolean: return Value::Bool(c.bools[i] != 0);
      case PhysicalType::kInt32: {
        int32_t x = c.i32[i];
        if (lt.kind == LogicalType::Kind::kDecimal) return Value::Dec(Decimal{x, lt.decimal_scale});
        if (lt.kind == LogicalType::Kind::kDate) return Value::Date(x);
        if (lt.kind == LogicalType::Kind::kInteger && !lt.int_is_signed) {
          return Value::Int(static_cast<uint32_t>(x));
        }
        return Value::Int(x);
      }
      case PhysicalType::kInt64: {
        int64_t x = c.i64[i];
        if (lt.kind == LogicalType::Kind::kDecimal) return Value::Dec(Decimal{x, lt.decimal_scale});
        if (lt.kind == LogicalType::Kind::kTimestamp) {
          switch (lt.unit) {
            case TimeUnit::kMillis: return Value::Timestamp(x * 1000);
            case TimeUnit::kMicros: return Value::Timestamp(x);
            case TimeUnit::kNanos: return Value::Timestamp(FloorDiv(x, 1000));
          }
        }
        if (lt.kind == LogicalType::Kind::kInteger && !lt.int_is_signed && x < 0) {
          return Value::Double(static_cast<double>(static_cast<uint64_t>(x)));
        }
        return Value::Int(x);
      }
      case PhysicalType::kInt96: {
        std::string_view b = c.FixedBytes(i);
        int64_t nanos;
        int32_t julian;
        std::memcpy(&nanos, b.data(), 8);
        std::memcpy(&julian, b.data() + 8, 4);
        constexpr int64_t kUnixEpochJulian = 2440588;
        return Value::Timestamp((julian - kUnixEpochJulian) * 86400LL * 1000000LL +
                                FloorDiv(nanos, 1000));
      }
      case PhysicalType::kFloat: return Value::Double(static_cast<double>(c.f32[i]));
      case PhysicalType::kDouble: return Value::Double(c.f64[i]);
      case PhysicalType::kByteArray:
      case PhysicalType::kFixedLenByteArray: {
        std::string_view b = sn.type == PhysicalType::kByteArray ? c.ByteArray(i) : c.FixedBytes(i);
        if (lt.kind == LogicalType::Kind::kDecimal) {
          auto v = FromBigEndian(b);
          return Value::Dec(Decimal{v.ok() ? *v : 0, lt.decimal_scale});
        }
        if (lt.kind == LogicalType::Kind::kString || lt.kind == LogicalType::Kind::kJson ||
            lt.kind == LogicalType::Kind::kEnum) {
          return Value::String(std::string(b));
        }
        return Value::String(ToHex(b));
      }
    }
    return Value::Null();
  }

 private:
  const Schema& schema_;
  const std::vector<ColumnVector>& cols_;
  std::vector<size_t> level_;
  std::vector<size_t> value_;
};

// ------------------------------------------------------------------ schema JSON
Result<SchemaNode> FieldFromJson(const nlohmann::json& f, int depth) {
  if (depth > 32) return Status::InvalidArgument("schema nested too deeply");
  if (!f.is_object()) return Status::InvalidArgument("schema field must be an object");
  std::string name = f.contains("name") && f["name"].is_string() ? f["name"].get<std::string>()
                                                                  : std::string("element");
  auto err = [&](const std::string& what) {
    return Status::InvalidArgument("schema field '" + name + "': " + what);
  };
  if (!f.contains("type")) return err("missing \"type\"");
  bool nullable = true;
  if (f.contains("nullable")) {
    if (!f["nullable"].is_boolean()) return err("\"nullable\" must be a boolean");
    nullable = f["nullable"].get<bool>();
  }
  Repetition rep = nullable ? Repetition::kOptional : Repetition::kRequired;
  const nlohmann::json& t = f["type"];
  SchemaNode node;
  if (t.is_object()) {
    if (t.contains("list")) {
      PQ_ASSIGN_OR_RETURN(SchemaNode elem, FieldFromJson(t["list"], depth + 1));
      node = SchemaNode::List(name, rep, std::move(elem));
    } else if (t.contains("struct")) {
      if (!t["struct"].is_array() || t["struct"].empty()) {
        return err("\"struct\" must be a non-empty array of fields");
      }
      std::vector<SchemaNode> children;
      for (const auto& c : t["struct"]) {
        PQ_ASSIGN_OR_RETURN(SchemaNode cn, FieldFromJson(c, depth + 1));
        children.push_back(std::move(cn));
      }
      node = SchemaNode::Group(name, rep, std::move(children));
    } else {
      return err("type object must have \"list\" or \"struct\"");
    }
  } else if (t.is_string()) {
    std::string ts = t.get<std::string>();
    using PT = PhysicalType;
    if (ts == "boolean") {
      node = SchemaNode::Leaf(name, PT::kBoolean, rep);
    } else if (ts == "int32") {
      node = SchemaNode::Leaf(name, PT::kInt32, rep);
    } else if (ts == "int64") {
      node = SchemaNode::Leaf(name, PT::kInt64, rep);
    } else if (ts == "float") {
      node = SchemaNode::Leaf(name, PT::kFloat, rep);
    } else if (ts == "double") {
      node = SchemaNode::Leaf(name, PT::kDouble, rep);
    } else if (ts == "string") {
      node = SchemaNode::Leaf(name, PT::kByteArray, rep, LogicalType::String());
    } else if (ts == "json") {
      node = SchemaNode::Leaf(name, PT::kByteArray, rep, LogicalType::Json());
    } else if (ts == "binary") {
      node = SchemaNode::Leaf(name, PT::kByteArray, rep);
    } else if (ts == "date") {
      node = SchemaNode::Leaf(name, PT::kInt32, rep, LogicalType::Date());
    } else if (ts == "timestamp") {
      node = SchemaNode::Leaf(name, PT::kInt64, rep, LogicalType::Timestamp(TimeUnit::kMicros, true));
    } else if (ts.rfind("decimal(", 0) == 0 && ts.back() == ')') {
      int p = 0, s = 0;
      char tail = 0;
      if (std::sscanf(ts.c_str(), "decimal(%d,%d%c", &p, &s, &tail) != 3 || tail != ')' ||
          p < 1 || p > 38 || s < 0 || s > p) {
        return err("bad decimal type '" + ts + "' (need 1 <= precision <= 38, 0 <= scale <= precision)");
      }
      node = SchemaNode::Decimal(name, rep, p, s);
    } else {
      return err("unknown type '" + ts + "'");
    }
  } else {
    return err("\"type\" must be a string or an object");
  }
  if (f.contains("field_id")) {
    if (!f["field_id"].is_number_integer()) return err("\"field_id\" must be an integer");
    node.field_id = f["field_id"].get<int32_t>();
  }
  return node;
}

}  // namespace

Result<Schema> SchemaFromJson(const nlohmann::json& spec) {
  if (!spec.is_object() || !spec.contains("fields") || !spec["fields"].is_array()) {
    return Status::InvalidArgument("schema must be an object with a \"fields\" array");
  }
  std::vector<SchemaNode> fields;
  for (const auto& f : spec["fields"]) {
    PQ_ASSIGN_OR_RETURN(SchemaNode n, FieldFromJson(f, 0));
    fields.push_back(std::move(n));
  }
  return Schema::Make(std::move(fields));
}

Status ShredRows(const Schema& schema, const std::vector<Value>& rows,
                 std::vector<ColumnVector>* columns) {
  if (columns->size() != schema.num_leaves()) {
    columns->assign(schema.num_leaves(), ColumnVector{});
    for (size_t i = 0; i < schema.num_leaves(); i++) {
      (*columns)[i].type = schema.leaves()[i].node->type;
      (*columns)[i].type_length = schema.leaves()[i].node->type_length;
    }
  }
  std::vector<Node> tree = BuildTree(schema);
  Shredder sh(schema, columns);
  for (size_t r = 0; r < rows.size(); r++) {
    const Value& row = rows[r];
    if (row.kind() != Value::Kind::kObject) {
      return Status::InvalidArgument("row " + std::to_string(r) + " is not an object");
    }
    for (const Node& n : tree) {
      Status s = sh.Field(n, row.Find(n.node->name), 0, 0);
      if (!s.ok()) return s.WithContext("row " + std::to_string(r));
    }
  }
  return Status::OK();
}

Status AssembleRows(const Schema& schema, const std::vector<ColumnVector>& columns,
                    int64_t num_rows, const std::vector<int>& fields, std::vector<Value>* rows,
                    const std::vector<uint32_t>* selected) {
  if (columns.size() != schema.num_leaves()) {
    return Status::InvalidArgument("need one column per leaf");
  }
  std::vector<Node> tree = BuildTree(schema);
  std::vector<int> which = fields;
  if (which.empty()) {
    for (size_t i = 0; i < tree.size(); i++) which.push_back(static_cast<int>(i));
  }
  for (int f : which) {
    if (f < 0 || static_cast<size_t>(f) >= tree.size()) {
      return Status::InvalidArgument("field index out of range");
    }
  }
  Assembler as(schema, columns);
  rows->reserve(rows->size() +
                (selected != nullptr ? selected->size() : static_cast<size_t>(num_rows)));
  size_t next_selected = 0;
  for (int64_t r = 0; r < num_rows; r++) {
    if (selected != nullptr) {
      if (next_selected < selected->size() && (*selected)[next_selected] < r) {
        return Status::InvalidArgument("selected rows must be ascending");
      }
      if (next_selected >= selected->size() || (*selected)[next_selected] != r) {
        for (int f : which) PQ_RETURN_IF_ERROR(as.SkipRow(tree[static_cast<size_t>(f)]));
        continue;
      }
      next_selected++;
    }
    Value::Object obj;
    obj.reserve(which.size());
    for (int f : which) {
      const Node& n = tree[static_cast<size_t>(f)];
      PQ_ASSIGN_OR_RETURN(Value v, as.Field(n));
      obj.emplace_back(n.node->name, std::move(v));
    }
    rows->push_back(Value::MakeObject(std::move(obj)));
  }
  if (selected != nullptr && next_selected < selected->size()) {
    return Status::InvalidArgument("selected row index out of range");
  }
  return as.CheckFullyConsumed(tree, which);
}

Value LeafValue(const SchemaNode& leaf, const ColumnVector& col, size_t i) {
  return Assembler::Convert(leaf, col, i);
}

Result<Value> DecodeStatValue(const SchemaNode& leaf, std::string_view plain) {
  ColumnVector c;
  c.type = leaf.type;
  c.type_length = leaf.type_length;
  auto need = [&](size_t n) -> Status {
    if (plain.size() != n) return Status::Corruption("statistics value has the wrong width");
    return Status::OK();
  };
  switch (leaf.type) {
    case PhysicalType::kBoolean:
      PQ_RETURN_IF_ERROR(need(1));
      c.bools.push_back(plain[0] != 0);
      break;
    case PhysicalType::kInt32:
      PQ_RETURN_IF_ERROR(need(4));
      c.i32.resize(1);
      std::memcpy(c.i32.data(), plain.data(), 4);
      break;
    case PhysicalType::kInt64:
      PQ_RETURN_IF_ERROR(need(8));
      c.i64.resize(1);
      std::memcpy(c.i64.data(), plain.data(), 8);
      break;
    case PhysicalType::kFloat:
      PQ_RETURN_IF_ERROR(need(4));
      c.f32.resize(1);
      std::memcpy(c.f32.data(), plain.data(), 4);
      break;
    case PhysicalType::kDouble:
      PQ_RETURN_IF_ERROR(need(8));
      c.f64.resize(1);
      std::memcpy(c.f64.data(), plain.data(), 8);
      break;
    case PhysicalType::kByteArray: c.AppendByteArray(plain); break;
    case PhysicalType::kInt96:
    case PhysicalType::kFixedLenByteArray:
      PQ_RETURN_IF_ERROR(need(static_cast<size_t>(leaf.type_length)));
      c.bytes.assign(plain);
      break;
  }
  return Assembler::Convert(leaf, c, 0);
}

std::vector<int> LeavesOfFields(const Schema& schema, const std::vector<int>& fields) {
  std::vector<Node> tree = BuildTree(schema);
  std::vector<int> out;
  for (int f : fields) {
    if (f < 0 || static_cast<size_t>(f) >= tree.size()) continue;
    for (size_t l = tree[static_cast<size_t>(f)].first_leaf; l < tree[static_cast<size_t>(f)].end_leaf; l++) {
      out.push_back(static_cast<int>(l));
    }
  }
  return out;
}

}  // namespace parquedb::parquet
