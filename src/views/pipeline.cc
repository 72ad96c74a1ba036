#include "views/pipeline.h"

#include <algorithm>
#include <utility>

#include "catalog/catalog.h"

namespace parquedb::views {

namespace {

using Kind = Value::Kind;

void AppendCanonical(std::string* out, const Value& v) {
  if (v.kind() == Kind::kArray || v.kind() == Kind::kObject) {
    out->append(catalog::CanonicalJson(v));
  } else {
    out->append(v.ToJsonString());
  }
}

}  // namespace

Result<std::optional<Value>> NoRelatedLookup::Get(std::string_view collection,
                                                  std::string_view id) {
  return Status::NotSupported("no related lookup: cannot read " + std::string(collection) + " '" +
                              std::string(id) + "'");
}

Result<std::vector<Value>> NoRelatedLookup::FindByField(std::string_view collection,
                                                        std::string_view field, const Value&) {
  return Status::NotSupported("no related lookup: cannot search " + std::string(collection) + "." +
                              std::string(field));
}

std::string GetDependencyKey(std::string_view collection, std::string_view id) {
  std::string k;
  k.reserve(collection.size() + id.size() + 2);
  k.push_back('g');
  k.append(collection);
  k.push_back('\0');
  k.append(id);
  return k;
}

std::string FindDependencyKey(std::string_view collection, std::string_view field,
                              const Value& value) {
  std::string k;
  k.push_back('f');
  k.append(collection);
  k.push_back('\0');
  k.append(field);
  k.push_back('\0');
  AppendCanonical(&k, value);
  return k;
}

const std::string* DocumentId(const Value& doc) {
  const Value* id = doc.Find("$id");
  return id != nullptr && id->kind() == Kind::kString ? &id->as_string() : nullptr;
}

Status Pipeline::ExpandInto(Value* obj, const std::vector<ExpandNode>& nodes, RelatedLookup& lookup,
                            std::vector<std::string>* deps, int depth) const {
  if (obj->kind() != Kind::kObject) return Status::OK();
  for (const ExpandNode& node : nodes) {
    Value expanded;
    if (node.reverse) {
      const std::string* id = DocumentId(*obj);
      if (id == nullptr) {
        expanded = Value::MakeArray();
      } else {
        const Value idv = Value::String(*id);
        if (deps != nullptr) deps->push_back(FindDependencyKey(node.collection, node.inverse, idv));
        PQ_ASSIGN_OR_RETURN(std::vector<Value> docs,
                            lookup.FindByField(node.collection, node.inverse, idv));
        std::sort(docs.begin(), docs.end(), [](const Value& a, const Value& b) {
          const std::string* x = DocumentId(a);
          const std::string* y = DocumentId(b);
          if (x == nullptr || y == nullptr) return x != nullptr && y == nullptr;
          return *x < *y;
        });
        if (!node.children.empty()) {
          for (Value& d : docs) {
            PQ_RETURN_IF_ERROR(ExpandInto(&d, node.children, lookup, deps, depth + 1));
          }
        }
        expanded = Value::MakeArray(std::move(docs));
      }
    } else {
      auto resolve = [&](const Value& ref) -> Result<Value> {
        if (ref.kind() != Kind::kString) return Value();
        if (deps != nullptr) deps->push_back(GetDependencyKey(node.collection, ref.as_string()));
        PQ_ASSIGN_OR_RETURN(std::optional<Value> found,
                            lookup.Get(node.collection, ref.as_string()));
        if (!found.has_value()) return Value();
        Value d = std::move(*found);
        if (!node.children.empty()) {
          PQ_RETURN_IF_ERROR(ExpandInto(&d, node.children, lookup, deps, depth + 1));
        }
        return d;
      };
      const Value* ref = obj->Find(node.field);
      if (ref != nullptr && node.many) {
        if (ref->kind() == Kind::kArray) {
          Value::Array arr;
          arr.reserve(ref->as_array().size());
          for (const Value& e : ref->as_array()) {
            PQ_ASSIGN_OR_RETURN(Value d, resolve(e));
            arr.push_back(std::move(d));
          }
          expanded = Value::MakeArray(std::move(arr));
        }
      } else if (ref != nullptr) {
        PQ_ASSIGN_OR_RETURN(expanded, resolve(*ref));
      }
    }
    obj->Set(node.field, std::move(expanded));
  }
  return Status::OK();
}

Status Pipeline::Expand(const Value& doc, RelatedLookup& lookup, std::vector<std::string>* deps,
                        Value* out) const {
  *out = doc;
  if (!spec_->has_expand()) return Status::OK();
  return ExpandInto(out, spec_->expand(), lookup, deps, 0);
}

const Value* Pipeline::UnnestTarget(const Value& nested) const {
  return spec_->unnest()->Find(nested);
}

Value Pipeline::Replace(const Value& nested, const Value& element) const {
  Value out = nested;
  Value* cur = &out;
  for (const FieldPath::Segment& seg : spec_->unnest()->segments()) {
    if (cur->kind() == Kind::kObject) {
      cur = cur->FindMutable(seg.name);
    } else if (cur->kind() == Kind::kArray && seg.is_index && seg.index < cur->as_array().size()) {
      cur = &cur->mutable_array()[seg.index];
    } else {
      cur = nullptr;
    }
    if (cur == nullptr) return nested;  // unreachable: the path resolved before
  }
  *cur = element;
  return out;
}

std::string Pipeline::RowKey(std::string_view source_id, int64_t sub) const {
  std::string key(source_id);
  if (spec_->unnest().has_value()) {
    key.push_back('#');
    key.append(std::to_string(sub));
  }
  return key;
}

Value Pipeline::Project(const Value& row, std::string_view key) const {
  Value::Object o;
  o.reserve(spec_->OutputColumns().size());
  o.emplace_back("$id", Value::String(std::string(key)));
  if (spec_->has_select()) {
    for (const SelectSpec& s : spec_->select()) o.emplace_back(s.name, s.expr.Eval(row));
  } else {
    for (const FlatColumn& c : spec_->flat_columns()) {
      Value v;
      c.path.Resolve(row, &v);
      o.emplace_back(c.name, std::move(v));
    }
  }
  const std::vector<ComputeSpec>& computes = spec_->computes();
  if (!computes.empty()) {
    std::vector<Value> inputs;
    for (size_t i = 0; i < computes.size(); ++i) {
      inputs.clear();
      ComputeInputs(row, i, &inputs);
      AggState st(computes[i].kind);
      OrderKey order;
      for (size_t j = 0; j < inputs.size(); ++j) {
        order.pos = static_cast<int64_t>(j);
        (void)st.Update(inputs[j], +1, &order);  // additions cannot fail
      }
      o.emplace_back(computes[i].name, st.Finalize(computes[i].zero));
    }
  }
  return Value::MakeObject(std::move(o));
}

Value Pipeline::Bucket(const Value& v, TimeUnit unit) const {
  const TimeZone& tz = spec_->refresh().timezone;
  const bool sub_day = unit == TimeUnit::kMinute || unit == TimeUnit::kHour;
  auto from_micros = [&](int64_t t) -> Value {
    const int64_t start = TruncateMicros(t, unit, tz);
    if (sub_day) return Value::Timestamp(start);
    return Value::Date(static_cast<int32_t>(FloorDiv(tz.UtcToLocal(start), kMicrosPerDay)));
  };
  switch (v.kind()) {
    case Kind::kTimestamp:
      return from_micros(v.as_int());
    case Kind::kDate:
      if (sub_day) return Value::Timestamp(tz.LocalToUtc(int64_t{v.as_date()} * kMicrosPerDay));
      return Value::Date(TruncateDays(v.as_date(), unit));
    case Kind::kString: {
      auto t = ParseTimestampMicros(v.as_string());
      if (t.ok()) return from_micros(*t);
      return Value();
    }
    default:
      return Value();
  }
}

void Pipeline::GroupKey(const Value& row, std::vector<Value>* values, std::string* key) const {
  values->clear();
  key->clear();
  key->push_back('[');
  const std::vector<GroupKeySpec>& keys = spec_->group_keys();
  for (size_t i = 0; i < keys.size(); ++i) {
    Value v;
    keys[i].path.Resolve(row, &v);
    if (keys[i].unit.has_value()) v = Bucket(v, *keys[i].unit);
    if (i > 0) key->push_back(',');
    AppendCanonical(key, v);
    values->push_back(std::move(v));
  }
  key->push_back(']');
}

void Pipeline::KeyFromValues(const std::vector<Value>& values, std::string* key) {
  key->clear();
  key->push_back('[');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) key->push_back(',');
    AppendCanonical(key, values[i]);
  }
  key->push_back(']');
}

void Pipeline::ComputeInputs(const Value& row, size_t i, std::vector<Value>* out) const {
  const ComputeSpec& c = spec_->computes()[i];
  switch (c.input) {
    case ComputeSpec::Input::kRows:
      out->push_back(Value::Bool(true));
      return;
    case ComputeSpec::Input::kPath:
      c.path.Collect(row, out);
      return;
    case ComputeSpec::Input::kExpr: {
      Value v = c.expr.Eval(row);
      if (v.kind() == Kind::kArray) {
        for (const Value& e : v.as_array()) {
          if (!e.is_null()) out->push_back(e);
        }
      } else if (!v.is_null()) {
        out->push_back(std::move(v));
      }
      return;
    }
  }
}

OrderKey Pipeline::MakeOrder(const Value& doc, int64_t sub) const {
  OrderKey k;
  if (!spec_->source_is_view()) {
    if (const Value* created = doc.Find("createdAt")) k.created = *created;
  }
  if (const std::string* id = DocumentId(doc)) k.id = *id;
  k.sub = sub;
  return k;
}

Status Pipeline::Evaluate(const Value& doc, RelatedLookup& lookup, Evaluation* out) const {
  out->rows.clear();
  out->contributions.clear();
  out->dependencies.clear();
  const std::string* id = DocumentId(doc);
  if (id == nullptr) {
    return Status::InvalidArgument(
        "view " + spec_->name() +
        ": source document has no string $id: " + doc.ToJsonString().substr(0, 200));
  }
  Value nested;
  PQ_RETURN_IF_ERROR(Expand(doc, lookup, &out->dependencies, &nested));
  std::sort(out->dependencies.begin(), out->dependencies.end());
  out->dependencies.erase(std::unique(out->dependencies.begin(), out->dependencies.end()),
                          out->dependencies.end());
  return ForEachRow(nested, [&](const Value& row, int64_t sub) -> Status {
    if (spec_->aggregated()) {
      Contribution c;
      GroupKey(row, &c.key_values, &c.group_key);
      c.order = MakeOrder(doc, sub);
      c.inputs.resize(spec_->computes().size());
      for (size_t i = 0; i < c.inputs.size(); ++i) ComputeInputs(row, i, &c.inputs[i]);
      out->contributions.push_back(std::move(c));
    } else {
      std::string key = RowKey(*id, sub);
      Value projected = Project(row, key);
      out->rows.emplace_back(std::move(key), std::move(projected));
    }
    return Status::OK();
  });
}

}  // namespace parquedb::views
