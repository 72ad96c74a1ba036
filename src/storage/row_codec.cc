#include "storage/row_codec.h"

#include <algorithm>
#include <unordered_map>

#include "parquet/record.h"

namespace parquedb::storage {

namespace {

using parquet::LogicalType;
using parquet::PhysicalType;
using parquet::Repetition;
using parquet::SchemaNode;

constexpr int32_t kFirstUserFieldId = 100;

SchemaNode LeafFor(const std::string& name, ColumnKind kind, int precision, int scale,
                   Repetition rep) {
  switch (kind) {
    case ColumnKind::kString:
      return SchemaNode::Leaf(name, PhysicalType::kByteArray, rep, LogicalType::String());
    case ColumnKind::kInt:
      return SchemaNode::Leaf(name, PhysicalType::kInt64, rep);
    case ColumnKind::kDouble:
      return SchemaNode::Leaf(name, PhysicalType::kDouble, rep);
    case ColumnKind::kDecimal:
      return SchemaNode::Decimal(name, rep, precision, scale);
    case ColumnKind::kBool:
      return SchemaNode::Leaf(name, PhysicalType::kBoolean, rep);
    case ColumnKind::kTimestamp:
      return SchemaNode::Leaf(name, PhysicalType::kInt64, rep,
                              LogicalType::Timestamp(parquet::TimeUnit::kMicros, true));
    case ColumnKind::kDate:
      return SchemaNode::Leaf(name, PhysicalType::kInt32, rep, LogicalType::Date());
    case ColumnKind::kVariant:
      return SchemaNode::Leaf(name, PhysicalType::kByteArray, rep, LogicalType::Json());
  }
  return SchemaNode::Leaf(name, PhysicalType::kByteArray, rep);
}

const char* kSystemColumns[] = {"$id",       "$seq",    "$deleted", "createdAt",
                                "updatedAt", "version", "$nulls"};

// Encodes a variant for storage: JSON text (arrays: element-wise).
Value ToStored(const ColumnSpec& c, const Value& v) {
  if (c.kind != ColumnKind::kVariant) return v;
  if (c.is_array && v.kind() == Value::Kind::kArray) {
    Value::Array a;
    a.reserve(v.as_array().size());
    for (const Value& e : v.as_array()) a.push_back(Value::String(e.ToJsonString()));
    return Value::MakeArray(std::move(a));
  }
  return Value::String(v.ToJsonString());
}

Result<Value> FromStored(const ColumnSpec& c, const Value& v) {
  if (c.kind != ColumnKind::kVariant || v.is_null()) return v;
  auto parse = [&](const Value& s) -> Result<Value> {
    if (s.is_null()) return Value();
    if (s.kind() != Value::Kind::kString) {
      return Status::Corruption("variant column '" + c.name + "' holds a non-text value");
    }
    auto r = Value::ParseJson(s.as_string());
    if (!r.ok()) return Status::Corruption("variant column '" + c.name + "' holds invalid JSON");
    return r;
  };
  if (c.is_array) {
    if (v.kind() != Value::Kind::kArray) return Status::Corruption("list column is not a list");
    Value::Array a;
    a.reserve(v.as_array().size());
    for (const Value& e : v.as_array()) {
      PQ_ASSIGN_OR_RETURN(Value x, parse(e));
      a.push_back(std::move(x));
    }
    return Value::MakeArray(std::move(a));
  }
  return parse(v);
}

}  // namespace

Result<RowCodec> RowCodec::Make(const TableSpec& spec) {
  std::vector<SchemaNode> fields;
  int32_t id = 1;
  auto add = [&](SchemaNode n) {
    n.field_id = id++;
    fields.push_back(std::move(n));
  };
  add(SchemaNode::Leaf("$id", PhysicalType::kByteArray, Repetition::kRequired,
                       LogicalType::String()));
  add(SchemaNode::Leaf("$seq", PhysicalType::kInt64, Repetition::kRequired));
  add(SchemaNode::Leaf("$deleted", PhysicalType::kBoolean, Repetition::kRequired));
  add(LeafFor("createdAt", ColumnKind::kTimestamp, 0, 0, Repetition::kOptional));
  add(LeafFor("updatedAt", ColumnKind::kTimestamp, 0, 0, Repetition::kOptional));
  add(LeafFor("version", ColumnKind::kInt, 0, 0, Repetition::kOptional));
  {
    SchemaNode elem = LeafFor("element", ColumnKind::kString, 0, 0, Repetition::kRequired);
    elem.field_id = 1000;
    add(SchemaNode::List("$nulls", Repetition::kOptional, std::move(elem)));
  }
  id = kFirstUserFieldId;
  for (const ColumnSpec& c : spec.columns) {
    for (const char* sys : kSystemColumns) {
      if (c.name == sys) return Status::InvalidArgument("column name '" + c.name + "' is reserved");
    }
    if (c.is_array) {
      SchemaNode elem = LeafFor("element", c.kind, c.precision, c.scale, Repetition::kOptional);
      elem.field_id = 10000 + id;
      add(SchemaNode::List(c.name, Repetition::kOptional, std::move(elem)));
    } else {
      add(LeafFor(c.name, c.kind, c.precision, c.scale, Repetition::kOptional));
    }
  }
  RowCodec codec;
  codec.spec_ = spec;
  PQ_ASSIGN_OR_RETURN(codec.schema_, parquet::Schema::Make(std::move(fields)));
  return codec;
}

Status RowCodec::Encode(const std::vector<StoredRow>& rows,
                        std::vector<parquet::ColumnVector>* cols) const {
  std::vector<Value> values;
  values.reserve(rows.size());
  for (const StoredRow& r : rows) {
    Value::Object o;
    o.reserve(spec_.columns.size() + 7);
    o.emplace_back("$id", Value::String(r.id));
    o.emplace_back("$seq", Value::Int(static_cast<int64_t>(r.seq)));
    o.emplace_back("$deleted", Value::Bool(r.deleted));
    Value::Array nulls;
    if (!r.deleted) {
      for (const char* sys : {"createdAt", "updatedAt", "version"}) {
        const Value* v = r.doc.Find(sys);
        o.emplace_back(sys, v ? *v : Value());
      }
      for (const ColumnSpec& c : spec_.columns) {
        const Value* v = r.doc.Find(c.name);
        if (v != nullptr && v->is_null()) nulls.push_back(Value::String(c.name));
        o.emplace_back(c.name, v ? ToStored(c, *v) : Value());
      }
    }
    o.emplace_back("$nulls", nulls.empty() ? Value() : Value::MakeArray(std::move(nulls)));
    values.push_back(Value::MakeObject(std::move(o)));
  }
  cols->clear();
  return parquet::ShredRows(schema_, values, cols);
}

RowCodec::ColumnSelection RowCodec::SelectColumns(const parquet::Schema& file_schema,
                                                  const std::vector<std::string>& names) {
  ColumnSelection sel;
  const std::vector<parquet::SchemaNode>& fields = file_schema.fields();
  for (size_t i = 0; i < fields.size(); i++) {
    const std::string& n = fields[i].name;
    bool want = n == "$id" || n == "$seq" || n == "$deleted" || n == "$nulls" ||
                std::find(names.begin(), names.end(), n) != names.end();
    if (want) sel.fields.push_back(static_cast<int>(i));
  }
  const std::vector<parquet::LeafInfo>& leaves = file_schema.leaves();
  for (size_t l = 0; l < leaves.size(); l++) {
    for (int f : sel.fields) {
      if (!leaves[l].path.empty() && leaves[l].path[0] == fields[static_cast<size_t>(f)].name) {
        sel.leaves.push_back(static_cast<int>(l));
        break;
      }
    }
  }
  return sel;
}

Status RowCodec::Decode(const parquet::Schema& file_schema,
                        const std::vector<parquet::ColumnVector>& cols, int64_t num_rows,
                        std::vector<StoredRow>* rows) const {
  return Decode(file_schema, cols, num_rows, {}, nullptr, rows);
}

Status RowCodec::Decode(const parquet::Schema& file_schema,
                        const std::vector<parquet::ColumnVector>& cols, int64_t num_rows,
                        const std::vector<int>& fields, const std::vector<uint32_t>* selected,
                        std::vector<StoredRow>* rows) const {
  std::vector<Value> assembled;
  PQ_RETURN_IF_ERROR(
      parquet::AssembleRows(file_schema, cols, num_rows, fields, &assembled, selected));
  rows->reserve(rows->size() + assembled.size());
  for (Value& row : assembled) {
    StoredRow sr;
    const Value* id = row.Find("$id");
    const Value* seq = row.Find("$seq");
    const Value* del = row.Find("$deleted");
    if (id == nullptr || id->kind() != Value::Kind::kString || seq == nullptr ||
        seq->kind() != Value::Kind::kInt || del == nullptr || del->kind() != Value::Kind::kBool) {
      return Status::Corruption("data file row lacks $id/$seq/$deleted");
    }
    sr.id = id->as_string();
    sr.seq = static_cast<uint64_t>(seq->as_int());
    sr.deleted = del->as_bool();
    if (!sr.deleted) {
      const Value* nulls = row.Find("$nulls");
      auto explicitly_null = [&](const std::string& name) {
        if (nulls == nullptr || nulls->kind() != Value::Kind::kArray) return false;
        for (const Value& n : nulls->as_array()) {
          if (n.kind() == Value::Kind::kString && n.as_string() == name) return true;
        }
        return false;
      };
      Value::Object doc;
      doc.reserve(spec_.columns.size() + 5);
      doc.emplace_back("$id", Value::String(sr.id));
      doc.emplace_back("$type", Value::String(spec_.type_name));
      for (const ColumnSpec& c : spec_.columns) {
        const Value* v = row.Find(c.name);
        if (v == nullptr || v->is_null()) {
          if (explicitly_null(c.name)) doc.emplace_back(c.name, Value());
          continue;
        }
        PQ_ASSIGN_OR_RETURN(Value x, FromStored(c, *v));
        doc.emplace_back(c.name, std::move(x));
      }
      for (const char* sys : {"createdAt", "updatedAt", "version"}) {
        const Value* v = row.Find(sys);
        if (v != nullptr && !v->is_null()) doc.emplace_back(sys, *v);
      }
      sr.doc = Value::MakeObject(std::move(doc));
    }
    rows->push_back(std::move(sr));
  }
  return Status::OK();
}

RowCodec::FlatFilterPlan RowCodec::PlanFlatFilter(const parquet::Schema& file_schema,
                                                  const std::vector<std::string>& names) const {
  FlatFilterPlan plan;
  const std::vector<parquet::LeafInfo>& leaves = file_schema.leaves();
  auto flat_leaf = [&](const std::string& name) -> int {
    for (size_t l = 0; l < leaves.size(); l++) {
      if (leaves[l].path.size() == 1 && leaves[l].path[0] == name && leaves[l].max_rep == 0 &&
          leaves[l].max_def <= 1) {
        return static_cast<int>(l);
      }
    }
    return -1;
  };
  plan.id_leaf = flat_leaf("$id");
  plan.deleted_leaf = flat_leaf("$deleted");
  for (size_t f = 0; f < file_schema.fields().size(); f++) {
    if (file_schema.fields()[f].name == "$nulls") plan.nulls_field = static_cast<int>(f);
  }
  if (plan.id_leaf < 0 || plan.deleted_leaf < 0) return plan;
  for (const std::string& n : names) {
    if (n == "$id") {
      plan.wants_id = true;
      continue;
    }
    if (n == "$type") {
      plan.wants_type = true;
      continue;
    }
    FlatFilterPlan::Col c;
    c.name = n;
    for (const ColumnSpec& cs : spec_.columns) {
      if (cs.name == n) c.spec = &cs;
    }
    const bool system = n == "createdAt" || n == "updatedAt" || n == "version";
    if (c.spec == nullptr && !system) continue;  // not a column: always missing
    if (c.spec != nullptr && c.spec->is_array) return plan;
    c.leaf = flat_leaf(n);
    if (c.leaf < 0) {
      // Absent from this (older) file: reads as missing. Anything else: not flat.
      for (const parquet::SchemaNode& fn : file_schema.fields()) {
        if (fn.name == n) return plan;
      }
      continue;
    }
    plan.cols.push_back(std::move(c));
  }
  plan.leaves = {plan.id_leaf, plan.deleted_leaf};
  for (const auto& c : plan.cols) plan.leaves.push_back(c.leaf);
  if (plan.nulls_field >= 0) {
    for (size_t l = 0; l < leaves.size(); l++) {
      if (!leaves[l].path.empty() && leaves[l].path[0] == "$nulls") {
        plan.leaves.push_back(static_cast<int>(l));
      }
    }
  }
  std::sort(plan.leaves.begin(), plan.leaves.end());
  plan.leaves.erase(std::unique(plan.leaves.begin(), plan.leaves.end()), plan.leaves.end());
  plan.usable = true;
  return plan;
}

Status RowCodec::EvalFlatFilter(const FlatFilterPlan& plan, const parquet::Schema& file_schema,
                                const std::vector<parquet::ColumnVector>& cols, int64_t num_rows,
                                const query::Filter& filter,
                                const std::function<bool(size_t, std::string_view)>& hidden,
                                std::vector<uint32_t>* selected) const {
  const std::vector<parquet::LeafInfo>& leaves = file_schema.leaves();
  const size_t n = static_cast<size_t>(num_rows);
  // Every flat column must hold one slot per row.
  auto slots = [&](int leaf) {
    const parquet::LeafInfo& li = leaves[static_cast<size_t>(leaf)];
    return cols[static_cast<size_t>(leaf)].num_levels(li.max_def, li.max_rep);
  };
  for (int leaf : {plan.id_leaf, plan.deleted_leaf}) {
    if (slots(leaf) != n) return Status::Corruption("column '" + leaves[static_cast<size_t>(leaf)].dotted_path + "' does not hold one value per row");
  }
  for (const auto& c : plan.cols) {
    if (slots(c.leaf) != n) return Status::Corruption("column '" + c.name + "' does not hold one value per row");
  }
  const parquet::ColumnVector& ids = cols[static_cast<size_t>(plan.id_leaf)];
  const parquet::ColumnVector& dels = cols[static_cast<size_t>(plan.deleted_leaf)];
  const parquet::LeafInfo& id_info = leaves[static_cast<size_t>(plan.id_leaf)];
  const parquet::LeafInfo& del_info = leaves[static_cast<size_t>(plan.deleted_leaf)];
  // Explicit nulls matter only for rows where a referenced column is null.
  bool any_null = false;
  for (const auto& c : plan.cols) {
    const parquet::LeafInfo& li = leaves[static_cast<size_t>(c.leaf)];
    if (li.max_def > 0 && cols[static_cast<size_t>(c.leaf)].num_values() < n) any_null = true;
  }
  std::vector<Value> nulls;
  if (any_null && plan.nulls_field >= 0) {
    PQ_RETURN_IF_ERROR(
        parquet::AssembleRows(file_schema, cols, num_rows, {plan.nulls_field}, &nulls));
  }
  std::vector<size_t> pos(plan.cols.size(), 0);
  size_t id_pos = 0, del_pos = 0;
  const Value type_value = Value::String(spec_.type_name);
  for (size_t i = 0; i < n; i++) {
    const bool id_present = id_info.max_def == 0 || ids.def_levels[i] == id_info.max_def;
    const bool del_present = del_info.max_def == 0 || dels.def_levels[i] == del_info.max_def;
    if (!id_present || !del_present) return Status::Corruption("data file row lacks $id/$deleted");
    const std::string_view id = ids.ByteArray(id_pos++);
    const bool deleted = dels.bools[del_pos++];
    // Advance every column's value position for this row first.
    Value::Object doc;
    doc.reserve(plan.cols.size() + 2);
    const bool skip = deleted || hidden(i, id);
    if (!skip) {
      if (plan.wants_id) doc.emplace_back("$id", Value::String(std::string(id)));
      if (plan.wants_type) doc.emplace_back("$type", type_value);
    }
    for (size_t k = 0; k < plan.cols.size(); k++) {
      const auto& c = plan.cols[k];
      const parquet::LeafInfo& li = leaves[static_cast<size_t>(c.leaf)];
      const parquet::ColumnVector& col = cols[static_cast<size_t>(c.leaf)];
      const bool present = li.max_def == 0 || col.def_levels[i] == li.max_def;
      if (!present) {
        if (skip) continue;
        bool explicit_null = false;
        if (i < nulls.size()) {
          const Value* list = nulls[i].Find("$nulls");
          if (list != nullptr && list->kind() == Value::Kind::kArray) {
            for (const Value& e : list->as_array()) {
              if (e.kind() == Value::Kind::kString && e.as_string() == c.name) explicit_null = true;
            }
          }
        }
        if (explicit_null) doc.emplace_back(c.name, Value());
        continue;
      }
      const size_t vi = pos[k]++;
      if (vi >= col.num_values()) return Status::Corruption("column '" + c.name + "' has fewer values than rows");
      if (skip) continue;
      Value stored = parquet::LeafValue(*li.node, col, vi);
      if (c.spec != nullptr) {
        PQ_ASSIGN_OR_RETURN(Value v, FromStored(*c.spec, stored));
        doc.emplace_back(c.name, std::move(v));
      } else {
        doc.emplace_back(c.name, std::move(stored));
      }
    }
    if (skip) continue;
    if (filter.Matches(Value::MakeObject(std::move(doc)))) {
      selected->push_back(static_cast<uint32_t>(i));
    }
  }
  return Status::OK();
}

std::vector<parquet::ColumnPredicate> RowCodec::PrunePredicates(const parquet::Schema& file_schema,
                                                                const query::Filter& filter) const {
  std::vector<parquet::ColumnPredicate> out;
  std::unordered_map<std::string, const ColumnSpec*> by_name;
  for (const ColumnSpec& c : spec_.columns) by_name[c.name] = &c;
  static const ColumnSpec kIdSpec{"$id", ColumnKind::kString, 0, 0, false};
  static const ColumnSpec kTsSpec{"ts", ColumnKind::kTimestamp, 0, 0, false};
  static const ColumnSpec kIntSpec{"version", ColumnKind::kInt, 0, 0, false};
  for (const query::Predicate& p : filter.Conjuncts()) {
    using Op = parquet::ColumnPredicate::Op;
    Op op;
    switch (p.op) {
      case query::PredicateOp::kEq:
        op = Op::kEq;
        break;
      case query::PredicateOp::kGt:
        op = Op::kGt;
        break;
      case query::PredicateOp::kGte:
        op = Op::kGe;
        break;
      case query::PredicateOp::kLt:
        op = Op::kLt;
        break;
      case query::PredicateOp::kLte:
        op = Op::kLe;
        break;
      default:
        continue;
    }
    const ColumnSpec* c = nullptr;
    if (p.path == "$id")
      c = &kIdSpec;
    else if (p.path == "createdAt" || p.path == "updatedAt")
      c = &kTsSpec;
    else if (p.path == "version")
      c = &kIntSpec;
    else if (auto it = by_name.find(p.path); it != by_name.end())
      c = it->second;
    if (c == nullptr || c->is_array || c->kind == ColumnKind::kVariant ||
        c->kind == ColumnKind::kBool) {
      continue;
    }
    int leaf = file_schema.FindLeaf(p.path);
    if (leaf < 0) continue;
    const parquet::SchemaNode& node = *file_schema.leaves()[static_cast<size_t>(leaf)].node;
    const Value& lit = p.literal;
    std::string enc;
    switch (c->kind) {
      case ColumnKind::kString:
        if (lit.kind() != Value::Kind::kString) continue;
        enc = lit.as_string();
        break;
      case ColumnKind::kInt:
        if (lit.kind() != Value::Kind::kInt || node.type != PhysicalType::kInt64) continue;
        enc = parquet::EncodeStatInt64(lit.as_int());
        break;
      case ColumnKind::kDouble:
        if (!lit.is_number() || lit.kind() == Value::Kind::kDecimal ||
            node.type != PhysicalType::kDouble) {
          continue;
        }
        if (lit.kind() == Value::Kind::kInt &&
            static_cast<int64_t>(static_cast<double>(lit.as_int())) != lit.as_int()) {
          continue;
        }
        enc = parquet::EncodeStatDouble(lit.as_double());
        break;
      case ColumnKind::kTimestamp: {
        int64_t micros;
        if (lit.kind() == Value::Kind::kTimestamp) {
          micros = lit.as_int();
        } else if (lit.kind() == Value::Kind::kString) {
          auto r = ParseTimestampMicros(lit.as_string());
          if (!r.ok()) continue;
          micros = *r;
        } else {
          continue;
        }
        if (node.type != PhysicalType::kInt64 ||
            node.logical.kind != LogicalType::Kind::kTimestamp ||
            node.logical.unit != parquet::TimeUnit::kMicros) {
          continue;
        }
        enc = parquet::EncodeStatInt64(micros);
        break;
      }
      case ColumnKind::kDate: {
        int32_t days;
        if (lit.kind() == Value::Kind::kDate) {
          days = lit.as_date();
        } else if (lit.kind() == Value::Kind::kString) {
          auto r = ParseDateDays(lit.as_string());
          if (!r.ok()) continue;
          days = *r;
        } else {
          continue;
        }
        if (node.type != PhysicalType::kInt32) continue;
        enc = parquet::EncodeStatInt32(days);
        break;
      }
      case ColumnKind::kDecimal: {
        Decimal d;
        if (lit.kind() == Value::Kind::kDecimal) {
          d = lit.as_decimal();
        } else if (lit.kind() == Value::Kind::kInt) {
          d = Decimal{lit.as_int(), 0};
        } else if (lit.kind() == Value::Kind::kString) {
          auto parsed = Decimal::FromString(lit.as_string());  // the filter coerces these too
          if (!parsed.ok()) continue;
          d = *parsed;
        } else {
          continue;
        }
        auto scaled = d.Rescale(node.logical.decimal_scale);
        if (!scaled.ok()) continue;
        __int128 u = scaled->unscaled;
        if (node.type == PhysicalType::kInt32) {
          if (u < INT32_MIN || u > INT32_MAX) continue;
          enc = parquet::EncodeStatInt32(static_cast<int32_t>(u));
        } else if (node.type == PhysicalType::kInt64) {
          if (u < INT64_MIN || u > INT64_MAX) continue;
          enc = parquet::EncodeStatInt64(static_cast<int64_t>(u));
        } else {
          continue;
        }
        break;
      }
      default:
        continue;
    }
    out.push_back(parquet::ColumnPredicate{leaf, op, std::move(enc)});
  }
  return out;
}

}  // namespace parquedb::storage
