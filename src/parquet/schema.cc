#include "parquet/schema.h"

#include <functional>

namespace parquedb::parquet {

namespace {
constexpr int kMaxDepth = 64;
constexpr size_t kMaxElements = 100000;
}  // namespace

SchemaNode SchemaNode::Leaf(std::string name, PhysicalType type, Repetition rep,
                            LogicalType logical, int32_t type_length) {
  SchemaNode n;
  n.name = std::move(name);
  n.repetition = rep;
  n.is_leaf = true;
  n.type = type;
  n.logical = logical;
  n.type_length = type_length;
  return n;
}

SchemaNode SchemaNode::Group(std::string name, Repetition rep, std::vector<SchemaNode> children) {
  SchemaNode n;
  n.name = std::move(name);
  n.repetition = rep;
  n.is_leaf = false;
  n.children = std::move(children);
  return n;
}

SchemaNode SchemaNode::Decimal(std::string name, Repetition rep, int precision, int scale) {
  LogicalType lt = LogicalType::Decimal(precision, scale);
  if (precision <= 9) return Leaf(std::move(name), PhysicalType::kInt32, rep, lt);
  if (precision <= 18) return Leaf(std::move(name), PhysicalType::kInt64, rep, lt);
  // Max precision held by a two's complement integer of n bytes, n = 1..16.
  static constexpr int kMaxPrecision[17] = {0,  2,  4,  6,  9,  11, 14, 16, 18,
                                            21, 23, 26, 28, 31, 33, 35, 38};
  int bytes = 1;
  while (bytes < 16 && kMaxPrecision[bytes] < precision) bytes++;
  return Leaf(std::move(name), PhysicalType::kFixedLenByteArray, rep, lt, bytes);
}

SchemaNode SchemaNode::List(std::string name, Repetition rep, SchemaNode element) {
  element.name = "element";
  std::vector<SchemaNode> inner;
  inner.push_back(std::move(element));
  SchemaNode list = Group("list", Repetition::kRepeated, std::move(inner));
  std::vector<SchemaNode> outer;
  outer.push_back(std::move(list));
  SchemaNode n = Group(std::move(name), rep, std::move(outer));
  n.logical = LogicalType::List();
  return n;
}

Schema& Schema::operator=(const Schema& other) {
  if (this == &other) return *this;
  if (other.root_ == nullptr) {
    root_.reset();
    leaves_.clear();
    return *this;
  }
  root_ = std::make_unique<SchemaNode>(*other.root_);
  Status s = Init();
  assert(s.ok());
  (void)s;
  return *this;
}

Result<Schema> Schema::Make(std::vector<SchemaNode> fields) {
  Schema s;
  s.root_ = std::make_unique<SchemaNode>(
      SchemaNode::Group("schema", Repetition::kRequired, std::move(fields)));
  PQ_RETURN_IF_ERROR(s.Init());
  return s;
}

Status Schema::Init() {
  leaves_.clear();
  std::vector<std::string> path;
  std::function<Status(const SchemaNode&, int16_t, int16_t, int)> walk =
      [&](const SchemaNode& node, int16_t def, int16_t rep, int depth) -> Status {
    if (depth > kMaxDepth) return Status::Corruption("schema nested deeper than 64 levels");
    for (const SchemaNode& child : node.children) {
      if (child.name.empty()) return Status::InvalidArgument("schema field with empty name");
      int16_t d = def, r = rep;
      if (child.repetition == Repetition::kOptional) d++;
      if (child.repetition == Repetition::kRepeated) {
        d++;
        r++;
      }
      path.push_back(child.name);
      if (child.is_leaf) {
        if (child.type == PhysicalType::kFixedLenByteArray && child.type_length <= 0) {
          return Status::InvalidArgument("FIXED_LEN_BYTE_ARRAY field '" + child.name +
                                         "' needs a positive type_length");
        }
        LeafInfo info;
        info.path = path;
        for (size_t i = 0; i < path.size(); i++) {
          if (i) info.dotted_path += '.';
          info.dotted_path += path[i];
        }
        info.max_def = d;
        info.max_rep = r;
        info.node = &child;
        leaves_.push_back(std::move(info));
      } else {
        if (child.children.empty()) {
          return Status::InvalidArgument("group field '" + child.name + "' has no children");
        }
        PQ_RETURN_IF_ERROR(walk(child, d, r, depth + 1));
      }
      path.pop_back();
    }
    return Status::OK();
  };
  return walk(*root_, 0, 0, 0);
}

Result<Schema> Schema::FromElements(const std::vector<SchemaElement>& elements) {
  if (elements.empty()) return Status::Corruption("footer schema is empty");
  if (elements.size() > kMaxElements) return Status::Corruption("footer schema too large");
  size_t pos = 0;
  std::function<Result<SchemaNode>(int)> build = [&](int depth) -> Result<SchemaNode> {
    if (depth > kMaxDepth) return Status::Corruption("schema nested deeper than 64 levels");
    if (pos >= elements.size()) return Status::Corruption("schema num_children overruns elements");
    const SchemaElement& e = elements[pos++];
    SchemaNode n;
    n.name = e.name;
    n.repetition = e.repetition_type.value_or(Repetition::kRequired);
    n.field_id = e.field_id.value_or(-1);
    n.logical = e.logical_type;
    n.converted = e.converted_type;
    int32_t nc = e.num_children.value_or(0);
    if (nc < 0) return Status::Corruption("negative num_children in schema element '" + e.name + "'");
    if (!e.type.has_value() || nc > 0) {
      n.is_leaf = false;
      if (static_cast<size_t>(nc) > elements.size() - pos) {
        return Status::Corruption("schema element '" + e.name + "' claims " +
                                  std::to_string(nc) + " children; only " +
                                  std::to_string(elements.size() - pos) + " remain");
      }
      n.children.reserve(static_cast<size_t>(nc));
      for (int32_t i = 0; i < nc; i++) {
        PQ_ASSIGN_OR_RETURN(SchemaNode c, build(depth + 1));
        n.children.push_back(std::move(c));
      }
    } else {
      n.is_leaf = true;
      n.type = *e.type;
      n.type_length = e.type_length.value_or(0);
      if (n.type == PhysicalType::kInt96) n.type_length = 12;
      if (n.type == PhysicalType::kFixedLenByteArray && (n.type_length <= 0 || n.type_length > (1 << 20))) {
        return Status::Corruption("FIXED_LEN_BYTE_ARRAY column '" + e.name +
                                  "' has invalid type_length");
      }
      // Legacy annotations -> logical types when the new field is absent.
      if (n.logical.kind == LogicalType::Kind::kNone && e.converted_type.has_value()) {
        switch (*e.converted_type) {
          case ConvertedType::kUtf8: n.logical = LogicalType::String(); break;
          case ConvertedType::kJson: n.logical = LogicalType::Json(); break;
          case ConvertedType::kDate: n.logical = LogicalType::Date(); break;
          case ConvertedType::kDecimal:
            n.logical = LogicalType::Decimal(e.precision.value_or(0), e.scale.value_or(0));
            break;
          case ConvertedType::kTimestampMillis:
            n.logical = LogicalType::Timestamp(TimeUnit::kMillis, true);
            break;
          case ConvertedType::kTimestampMicros:
            n.logical = LogicalType::Timestamp(TimeUnit::kMicros, true);
            break;
          case ConvertedType::kInt8: n.logical = LogicalType::Integer(8, true); break;
          case ConvertedType::kInt16: n.logical = LogicalType::Integer(16, true); break;
          case ConvertedType::kInt32: n.logical = LogicalType::Integer(32, true); break;
          case ConvertedType::kInt64: n.logical = LogicalType::Integer(64, true); break;
          case ConvertedType::kUint8: n.logical = LogicalType::Integer(8, false); break;
          case ConvertedType::kUint16: n.logical = LogicalType::Integer(16, false); break;
          case ConvertedType::kUint32: n.logical = LogicalType::Integer(32, false); break;
          case ConvertedType::kUint64: n.logical = LogicalType::Integer(64, false); break;
          default: break;
        }
      }
    }
    return n;
  };
  Schema s;
  PQ_ASSIGN_OR_RETURN(SchemaNode root, build(0));
  if (pos != elements.size()) {
    return Status::Corruption("footer schema has " + std::to_string(elements.size() - pos) +
                              " trailing elements outside the root");
  }
  if (root.is_leaf) return Status::Corruption("footer schema root is not a group");
  s.root_ = std::make_unique<SchemaNode>(std::move(root));
  Status st = s.Init();
  if (!st.ok()) return Status::Corruption(st.message());
  return s;
}

std::vector<SchemaElement> Schema::ToElements() const {
  std::vector<SchemaElement> out;
  std::function<void(const SchemaNode&, bool)> emit = [&](const SchemaNode& n, bool is_root) {
    SchemaElement e;
    e.name = n.name;
    if (!is_root) e.repetition_type = n.repetition;
    if (n.field_id >= 0) e.field_id = n.field_id;
    if (n.is_leaf) {
      e.type = n.type;
      if (n.type == PhysicalType::kFixedLenByteArray) e.type_length = n.type_length;
      e.logical_type = n.logical;
      switch (n.logical.kind) {
        case LogicalType::Kind::kString: e.converted_type = ConvertedType::kUtf8; break;
        case LogicalType::Kind::kJson: e.converted_type = ConvertedType::kJson; break;
        case LogicalType::Kind::kDate: e.converted_type = ConvertedType::kDate; break;
        case LogicalType::Kind::kDecimal:
          e.converted_type = ConvertedType::kDecimal;
          e.scale = n.logical.decimal_scale;
          e.precision = n.logical.decimal_precision;
          break;
        case LogicalType::Kind::kTimestamp:
          if (n.logical.is_adjusted_to_utc && n.logical.unit == TimeUnit::kMicros) {
            e.converted_type = ConvertedType::kTimestampMicros;
          } else if (n.logical.is_adjusted_to_utc && n.logical.unit == TimeUnit::kMillis) {
            e.converted_type = ConvertedType::kTimestampMillis;
          }
          break;
        default: break;
      }
    } else {
      e.num_children = static_cast<int32_t>(n.children.size());
      if (!is_root && n.logical.kind == LogicalType::Kind::kList) {
        e.logical_type = n.logical;
        e.converted_type = ConvertedType::kList;
      }
    }
    out.push_back(std::move(e));
    for (const SchemaNode& c : n.children) emit(c, false);
  };
  if (root_) emit(*root_, true);
  return out;
}

int Schema::FindLeaf(const std::string& dotted_path) const {
  for (size_t i = 0; i < leaves_.size(); i++) {
    if (leaves_[i].dotted_path == dotted_path) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace parquedb::parquet
