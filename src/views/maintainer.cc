#include "views/maintainer.h"

#include <algorithm>
#include <set>
#include <utility>

#include "common/value_codec.h"

namespace parquedb::views {

namespace {

using Kind = Value::Kind;

constexpr std::string_view kMagic = "PQMV";
constexpr char kFormatVersion = 1;

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }
void PutSigned(std::string* out, int64_t v) { PutVarint64(out, ZigZag(v)); }
bool GetSigned(std::string_view* in, int64_t* v) {
  uint64_t u = 0;
  if (!GetVarint64(in, &u)) return false;
  *v = UnZigZag(u);
  return true;
}
bool GetString(std::string_view* in, std::string* s) {
  std::string_view v;
  if (!GetLengthPrefixed(in, &v)) return false;
  s->assign(v);
  return true;
}
bool GetCount(std::string_view* in, uint64_t* n) {
  // Each element takes at least one byte: bounds allocations on corrupt input.
  return GetVarint64(in, n) && *n <= in->size();
}

}  // namespace

// ------------------------------------ Delta ------------------------------------

bool IdenticalValues(const Value& a, const Value& b) {
  if (Value::Compare(a, b) != 0) return false;
  std::string ea, eb;
  EncodeValue(a, &ea);
  EncodeValue(b, &eb);
  return ea == eb;
}

void Delta::Clear() {
  changes_.clear();
  index_.clear();
}

void Delta::Record(const std::string& key, const std::optional<Value>& before,
                   const std::optional<Value>& after) {
  auto it = index_.find(key);
  if (it == index_.end()) {
    index_.emplace(key, changes_.size());
    changes_.push_back(Change{key, before, after});
  } else {
    changes_[it->second].row = after;
  }
}

void Delta::Compact() {
  size_t w = 0;
  index_.clear();
  for (size_t r = 0; r < changes_.size(); ++r) {
    Change& c = changes_[r];
    const bool noop = c.before.has_value() == c.row.has_value() &&
                      (!c.row.has_value() || IdenticalValues(*c.before, *c.row));
    if (noop) continue;
    if (w != r) changes_[w] = std::move(c);
    index_.emplace(changes_[w].key, w);
    ++w;
  }
  changes_.resize(w);
}

// -------------------------------- ViewMaintainer --------------------------------

ViewMaintainer::ViewMaintainer(std::shared_ptr<const ViewSpec> spec)
    : spec_(std::move(spec)), pipeline_(spec_.get()) {}
ViewMaintainer::ViewMaintainer(ViewMaintainer&&) noexcept = default;
ViewMaintainer& ViewMaintainer::operator=(ViewMaintainer&&) noexcept = default;
ViewMaintainer::~ViewMaintainer() = default;

void ViewMaintainer::Clear() {
  rows_.clear();
  groups_.clear();
  touched_.clear();
  sources_.clear();
  dep_index_.clear();
}

Status ViewMaintainer::AddRow(const std::string& key, Value row, Delta* out) {
  auto [it, inserted] = rows_.emplace(key, std::move(row));
  if (!inserted) {
    return Status::Corruption("view " + spec_->name() + ": row '" + key +
                              "' is already in the view (a change was applied twice?)");
  }
  if (out != nullptr) out->Record(key, std::nullopt, it->second);
  return Status::OK();
}

Status ViewMaintainer::RemoveRow(const std::string& key, Delta* out) {
  auto it = rows_.find(key);
  if (it == rows_.end()) {
    return Status::Corruption("view " + spec_->name() + ": row '" + key +
                              "' is not in the view (a change was missed?)");
  }
  if (out != nullptr) out->Record(key, it->second, std::nullopt);
  rows_.erase(it);
  return Status::OK();
}

void ViewMaintainer::BuildContrib(const Value& row, const Value& doc, int64_t sub,
                                  std::vector<Value>* key_values, Contrib* c) const {
  pipeline_.GroupKey(row, key_values, &c->group_key);
  if (spec_->needs_order()) c->order = pipeline_.MakeOrder(doc, sub);
  c->values.clear();
  c->ends.clear();
  const size_t n = spec_->computes().size();
  for (size_t i = 0; i < n; ++i) {
    pipeline_.ComputeInputs(row, i, &c->values);
    c->ends.push_back(static_cast<uint32_t>(c->values.size()));
  }
}

Status ViewMaintainer::ApplyContrib(const Contrib& c, const std::vector<Value>* key_values,
                                    int weight) {
  auto it = groups_.find(c.group_key);
  if (it == groups_.end()) {
    if (weight < 0 || key_values == nullptr) {
      return Status::Corruption("view " + spec_->name() + ": retraction from group " + c.group_key +
                                ", which is not in the view (a change was missed?)");
    }
    Group g;
    g.key_values = Value::MakeArray(*key_values);
    g.aggs.reserve(spec_->computes().size());
    for (const ComputeSpec& cs : spec_->computes()) g.aggs.emplace_back(cs.kind);
    it = groups_.emplace(c.group_key, std::move(g)).first;
  }
  Group& g = it->second;
  g.rows += weight;
  if (g.rows < 0) {
    return Status::Corruption("view " + spec_->name() + ": group " + c.group_key +
                              " would have a negative row count (a change was missed?)");
  }
  const bool ordered = spec_->needs_order();
  OrderKey order;
  if (ordered) order = c.order;
  size_t begin = 0;
  for (size_t i = 0; i < g.aggs.size(); ++i) {
    const size_t end = c.ends[i];
    for (size_t j = begin; j < end; ++j) {
      order.pos = static_cast<int64_t>(j - begin);
      Status st = g.aggs[i].Update(c.values[j], weight, ordered ? &order : nullptr);
      if (!st.ok()) {
        return st.WithContext("view " + spec_->name() + ": group " + c.group_key + ": $compute." +
                              spec_->computes()[i].name);
      }
    }
    begin = end;
  }
  if (!g.touched && !rebuilding_) {
    g.touched = true;
    touched_.push_back(c.group_key);
  }
  return Status::OK();
}

Value ViewMaintainer::GroupRow(const std::string& key, const Group& g) const {
  Value::Object o;
  o.reserve(spec_->OutputColumns().size());
  o.emplace_back("$id", Value::String(key));
  const std::vector<GroupKeySpec>& keys = spec_->group_keys();
  const Value::Array& kv = g.key_values.as_array();
  for (size_t i = 0; i < keys.size(); ++i) o.emplace_back(keys[i].name, kv[i]);
  const std::vector<ComputeSpec>& computes = spec_->computes();
  for (size_t i = 0; i < computes.size(); ++i) {
    o.emplace_back(computes[i].name, g.aggs[i].Finalize(computes[i].zero));
  }
  return Value::MakeObject(std::move(o));
}

void ViewMaintainer::Finalize(Delta* out) {
  for (const std::string& key : touched_) {
    auto it = groups_.find(key);
    if (it == groups_.end()) continue;
    Group& g = it->second;
    g.touched = false;
    auto rit = rows_.find(key);
    if (g.rows == 0) {
      groups_.erase(it);
      if (rit != rows_.end()) {
        if (out != nullptr) out->Record(key, rit->second, std::nullopt);
        rows_.erase(rit);
      }
      continue;
    }
    Value row = GroupRow(key, g);
    if (rit == rows_.end()) {
      if (out != nullptr) out->Record(key, std::nullopt, row);
      rows_.emplace(key, std::move(row));
    } else if (!IdenticalValues(rit->second, row)) {
      if (out != nullptr) out->Record(key, rit->second, row);
      rit->second = std::move(row);
    }
  }
  touched_.clear();
  if (out != nullptr) out->Compact();
}

Status ViewMaintainer::ApplyDocument(const Value& doc, int weight, Delta* out) {
  const std::string* id = DocumentId(doc);
  if (id == nullptr) {
    return Status::InvalidArgument("view " + spec_->name() + ": source document has no string $id");
  }
  return pipeline_.ForEachRow(doc, [&](const Value& row, int64_t sub) -> Status {
    if (spec_->aggregated()) {
      BuildContrib(row, doc, sub, &scratch_keys_, &scratch_);
      return ApplyContrib(scratch_, &scratch_keys_, weight);
    }
    std::string key = pipeline_.RowKey(*id, sub);
    if (weight < 0) return RemoveRow(key, out);
    Value projected = pipeline_.Project(row, key);
    return AddRow(key, std::move(projected), out);
  });
}

Status ViewMaintainer::EvaluateSource(const Value& doc, RelatedLookup& lookup, Pending* p) {
  const std::string* id = DocumentId(doc);
  if (id == nullptr) {
    return Status::InvalidArgument("view " + spec_->name() + ": source document has no string $id");
  }
  Value nested;
  std::vector<std::string>& deps = p->state.deps;
  PQ_RETURN_IF_ERROR(pipeline_.Expand(doc, lookup, &deps, &nested));
  std::sort(deps.begin(), deps.end());
  deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
  return pipeline_.ForEachRow(nested, [&](const Value& row, int64_t sub) -> Status {
    if (spec_->aggregated()) {
      p->state.contribs.emplace_back();
      p->key_values.emplace_back();
      BuildContrib(row, doc, sub, &p->key_values.back(), &p->state.contribs.back());
    } else {
      std::string key = pipeline_.RowKey(*id, sub);
      Value projected = pipeline_.Project(row, key);
      p->state.row_keys.push_back(key);
      p->rows.emplace_back(std::move(key), std::move(projected));
    }
    return Status::OK();
  });
}

Status ViewMaintainer::RetractSource(const std::string& id, Delta* out) {
  auto it = sources_.find(id);
  if (it == sources_.end()) return Status::OK();
  SourceState state = std::move(it->second);
  sources_.erase(it);
  for (const std::string& dep : state.deps) {
    auto d = dep_index_.find(dep);
    if (d == dep_index_.end()) continue;
    d->second.erase(id);
    if (d->second.empty()) dep_index_.erase(d);
  }
  for (const std::string& key : state.row_keys) PQ_RETURN_IF_ERROR(RemoveRow(key, out));
  for (const Contrib& c : state.contribs) PQ_RETURN_IF_ERROR(ApplyContrib(c, nullptr, -1));
  return Status::OK();
}

Status ViewMaintainer::StoreSource(const std::string& id, Pending p, Delta* out) {
  for (auto& [key, row] : p.rows) PQ_RETURN_IF_ERROR(AddRow(key, std::move(row), out));
  for (size_t i = 0; i < p.state.contribs.size(); ++i) {
    PQ_RETURN_IF_ERROR(ApplyContrib(p.state.contribs[i], &p.key_values[i], +1));
  }
  if (p.state.deps.empty() && p.state.row_keys.empty() && p.state.contribs.empty()) {
    return Status::OK();
  }
  for (const std::string& dep : p.state.deps) dep_index_[dep].insert(id);
  if (!sources_.emplace(id, std::move(p.state)).second) {
    return Status::Corruption("view " + spec_->name() + ": source '" + id +
                              "' evaluated twice (duplicate $id in the scan?)");
  }
  return Status::OK();
}

Status ViewMaintainer::ApplyOne(const Value& before, const Value& after, RelatedLookup& lookup,
                                Delta* out) {
  if (!spec_->has_expand()) {
    if (!before.is_null()) PQ_RETURN_IF_ERROR(ApplyDocument(before, -1, out));
    if (!after.is_null()) PQ_RETURN_IF_ERROR(ApplyDocument(after, +1, out));
    return Status::OK();
  }
  const std::string* before_id = before.is_null() ? nullptr : DocumentId(before);
  const std::string* after_id = after.is_null() ? nullptr : DocumentId(after);
  if ((!before.is_null() && before_id == nullptr) || (!after.is_null() && after_id == nullptr)) {
    return Status::InvalidArgument("view " + spec_->name() + ": source document has no string $id");
  }
  Pending p;
  if (after_id != nullptr) PQ_RETURN_IF_ERROR(EvaluateSource(after, lookup, &p));
  if (before_id != nullptr && (after_id == nullptr || *before_id != *after_id)) {
    PQ_RETURN_IF_ERROR(RetractSource(*before_id, out));
  }
  if (after_id != nullptr) {
    PQ_RETURN_IF_ERROR(RetractSource(*after_id, out));
    PQ_RETURN_IF_ERROR(StoreSource(*after_id, std::move(p), out));
  }
  return Status::OK();
}

Status ViewMaintainer::ApplySourceChange(const Value& before, const Value& after,
                                         RelatedLookup& lookup, Delta* out) {
  Status st = ApplyOne(before, after, lookup, out);
  Finalize(out);
  return st;
}

Status ViewMaintainer::ApplySourceChanges(const std::vector<SourceChange>& changes,
                                          RelatedLookup& lookup, Delta* out) {
  Status st;
  for (const SourceChange& c : changes) {
    st = ApplyOne(c.before, c.after, lookup, out);
    if (!st.ok()) break;
  }
  Finalize(out);
  return st;
}

Status ViewMaintainer::ApplyRelatedChange(std::string_view collection, const Value& before,
                                          const Value& after, RelatedLookup& lookup, Delta* out) {
  if (!spec_->has_expand()) return Status::OK();
  const std::vector<std::string>& related = spec_->related_collections();
  if (std::find(related.begin(), related.end(), collection) == related.end()) return Status::OK();
  std::vector<std::string> keys;
  for (const Value* doc : {&before, &after}) {
    if (doc->kind() != Kind::kObject) continue;
    if (const std::string* id = DocumentId(*doc)) keys.push_back(GetDependencyKey(collection, *id));
    for (const auto& [coll, field] : spec_->reverse_lookups()) {
      if (coll != collection) continue;
      const Value* v = doc->Find(field);
      if (v == nullptr || v->is_null()) continue;
      if (v->kind() == Kind::kArray) {
        for (const Value& e : v->as_array()) {
          if (!e.is_null()) keys.push_back(FindDependencyKey(collection, field, e));
        }
      } else {
        keys.push_back(FindDependencyKey(collection, field, *v));
      }
    }
  }
  std::set<std::string> affected;
  for (const std::string& k : keys) {
    auto it = dep_index_.find(k);
    if (it != dep_index_.end()) affected.insert(it->second.begin(), it->second.end());
  }
  Status st;
  for (const std::string& id : affected) {
    auto src = lookup.Get(spec_->source(), id);
    if (!src.ok()) {
      st = src.status();
      break;
    }
    Pending p;
    if (src->has_value()) {
      st = EvaluateSource(**src, lookup, &p);
      if (!st.ok()) break;
    }
    st = RetractSource(id, out);
    if (!st.ok()) break;
    if (src->has_value()) {
      st = StoreSource(id, std::move(p), out);
      if (!st.ok()) break;
    }
  }
  Finalize(out);
  return st;
}

Status ViewMaintainer::Rebuild(const ScanFn& scan, RelatedLookup& lookup, Delta* out) {
  std::map<std::string, Value> old;
  if (out != nullptr) old = std::move(rows_);
  Clear();
  rebuilding_ = true;
  Status st = scan([&](const Value& doc) -> Status {
    if (!spec_->has_expand()) return ApplyDocument(doc, +1, nullptr);
    const std::string* id = DocumentId(doc);
    if (id == nullptr) {
      return Status::InvalidArgument("view " + spec_->name() +
                                     ": source document has no string $id");
    }
    Pending p;
    PQ_RETURN_IF_ERROR(EvaluateSource(doc, lookup, &p));
    return StoreSource(*id, std::move(p), nullptr);
  });
  rebuilding_ = false;
  for (auto& [key, g] : groups_) g.touched = false;
  touched_.clear();
  if (!st.ok()) return st;
  if (spec_->aggregated()) {
    for (const auto& [key, g] : groups_) rows_.emplace_hint(rows_.end(), key, GroupRow(key, g));
  }
  if (out != nullptr) {
    auto a = old.begin();
    auto b = rows_.begin();
    while (a != old.end() || b != rows_.end()) {
      if (b == rows_.end() || (a != old.end() && a->first < b->first)) {
        out->Record(a->first, a->second, std::nullopt);
        ++a;
      } else if (a == old.end() || b->first < a->first) {
        out->Record(b->first, std::nullopt, b->second);
        ++b;
      } else {
        if (!IdenticalValues(a->second, b->second)) out->Record(a->first, a->second, b->second);
        ++a;
        ++b;
      }
    }
    out->Compact();
  }
  return Status::OK();
}

Status ViewMaintainer::RebuildFromGroups(std::vector<GroupState> groups) {
  if (!spec_->aggregated() || spec_->has_expand()) {
    return Status::InvalidArgument("view " + spec_->name() +
                                   ": only aggregated views without $expand take groups");
  }
  Clear();
  std::string key;
  for (GroupState& gs : groups) {
    if (gs.rows <= 0) continue;
    if (gs.key_values.size() != spec_->group_keys().size() ||
        gs.aggs.size() != spec_->computes().size()) {
      return Status::InvalidArgument("view " + spec_->name() + ": group shape mismatch");
    }
    Pipeline::KeyFromValues(gs.key_values, &key);
    Group g;
    g.rows = gs.rows;
    g.key_values = Value::MakeArray(std::move(gs.key_values));
    g.aggs = std::move(gs.aggs);
    auto [it, inserted] = groups_.emplace(key, std::move(g));
    if (!inserted) {
      return Status::InvalidArgument("view " + spec_->name() + ": duplicate group " + key);
    }
    rows_.emplace(key, GroupRow(key, it->second));
  }
  return Status::OK();
}

// --------------------------------- persistence ---------------------------------

Status ViewMaintainer::Rebind(std::shared_ptr<const ViewSpec> spec) {
  if (spec == nullptr) return Status::InvalidArgument("Rebind: null spec");
  if (spec->source() != spec_->source() || spec->OutputColumns() != spec_->OutputColumns()) {
    return Status::InvalidArgument("view " + spec->name() +
                                   ": Rebind needs the same source and output columns");
  }
  spec_ = std::move(spec);
  pipeline_ = Pipeline(spec_.get());
  return Status::OK();
}

Status ViewMaintainer::Save(std::string* out) const {
  out->append(kMagic);
  out->push_back(kFormatVersion);
  const uint64_t hash = spec_->definition_hash();
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((hash >> (8 * i)) & 0xff));
  const bool aggregated = spec_->aggregated();
  if (aggregated) {
    std::vector<const std::string*> keys;
    keys.reserve(groups_.size());
    for (const auto& [k, g] : groups_) keys.push_back(&k);
    std::sort(keys.begin(), keys.end(),
              [](const std::string* a, const std::string* b) { return *a < *b; });
    PutVarint64(out, keys.size());
    for (const std::string* k : keys) {
      const Group& g = groups_.at(*k);
      PutLengthPrefixed(out, *k);
      EncodeValue(g.key_values, out);
      PutSigned(out, g.rows);
      for (const AggState& a : g.aggs) a.Encode(out);
    }
  } else {
    PutVarint64(out, rows_.size());
    for (const auto& [k, row] : rows_) {
      PutLengthPrefixed(out, k);
      EncodeValue(row, out);
    }
  }
  std::vector<const std::string*> ids;
  ids.reserve(sources_.size());
  for (const auto& [id, s] : sources_) ids.push_back(&id);
  std::sort(ids.begin(), ids.end(),
            [](const std::string* a, const std::string* b) { return *a < *b; });
  PutVarint64(out, ids.size());
  for (const std::string* id : ids) {
    const SourceState& s = sources_.at(*id);
    PutLengthPrefixed(out, *id);
    PutVarint64(out, s.deps.size());
    for (const std::string& d : s.deps) PutLengthPrefixed(out, d);
    PutVarint64(out, s.row_keys.size());
    for (const std::string& k : s.row_keys) PutLengthPrefixed(out, k);
    PutVarint64(out, s.contribs.size());
    for (const Contrib& c : s.contribs) {
      PutLengthPrefixed(out, c.group_key);
      EncodeValue(c.order.created, out);
      PutLengthPrefixed(out, c.order.id);
      PutSigned(out, c.order.sub);
      PutVarint64(out, c.values.size());
      for (const Value& v : c.values) EncodeValue(v, out);
      PutVarint64(out, c.ends.size());
      for (uint32_t e : c.ends) PutVarint64(out, e);
    }
  }
  return Status::OK();
}

Result<ViewMaintainer> ViewMaintainer::Load(std::shared_ptr<const ViewSpec> spec,
                                            std::string_view data) {
  ViewMaintainer m(std::move(spec));
  const ViewSpec& sp = *m.spec_;
  auto bad = [&](std::string_view what) {
    return Status::Corruption("view " + sp.name() + ": saved state: " + std::string(what));
  };
  std::string_view in = data;
  if (in.size() < kMagic.size() + 9 || in.substr(0, kMagic.size()) != kMagic) {
    return bad("bad magic");
  }
  in.remove_prefix(kMagic.size());
  if (in[0] != kFormatVersion) return bad("unknown format version");
  in.remove_prefix(1);
  uint64_t hash = 0;
  for (int i = 0; i < 8; ++i) hash |= static_cast<uint64_t>(static_cast<uint8_t>(in[i])) << (8 * i);
  in.remove_prefix(8);
  if (hash != sp.definition_hash()) {
    return Status::InvalidArgument("view " + sp.name() +
                                   ": saved state belongs to a different definition (hash "
                                   "mismatch); rebuild the view");
  }
  uint64_t n = 0;
  if (!GetCount(&in, &n)) return bad("truncated header");
  const size_t ncomputes = sp.computes().size();
  if (sp.aggregated()) {
    for (uint64_t i = 0; i < n; ++i) {
      std::string key;
      Group g;
      if (!GetString(&in, &key)) return bad("truncated group key");
      PQ_RETURN_IF_ERROR(DecodeValue(&in, &g.key_values));
      if (g.key_values.kind() != Kind::kArray ||
          g.key_values.as_array().size() != sp.group_keys().size()) {
        return bad("group key values do not match $groupBy");
      }
      if (!GetSigned(&in, &g.rows) || g.rows <= 0) return bad("bad group row count");
      for (size_t c = 0; c < ncomputes; ++c) {
        PQ_ASSIGN_OR_RETURN(AggState a, AggState::Decode(&in));
        if (a.kind() != sp.computes()[c].kind) return bad("aggregate kind mismatch");
        g.aggs.push_back(std::move(a));
      }
      Value row = m.GroupRow(key, g);
      m.rows_.emplace(key, std::move(row));
      m.groups_.emplace(std::move(key), std::move(g));
    }
  } else {
    for (uint64_t i = 0; i < n; ++i) {
      std::string key;
      Value row;
      if (!GetString(&in, &key)) return bad("truncated row key");
      PQ_RETURN_IF_ERROR(DecodeValue(&in, &row));
      m.rows_.emplace(std::move(key), std::move(row));
    }
  }
  if (!GetCount(&in, &n)) return bad("truncated source table");
  for (uint64_t i = 0; i < n; ++i) {
    std::string id;
    SourceState s;
    uint64_t k = 0;
    if (!GetString(&in, &id) || !GetCount(&in, &k)) return bad("truncated source entry");
    s.deps.resize(k);
    for (std::string& d : s.deps) {
      if (!GetString(&in, &d)) return bad("truncated dependency");
    }
    if (!GetCount(&in, &k)) return bad("truncated source rows");
    s.row_keys.resize(k);
    for (std::string& r : s.row_keys) {
      if (!GetString(&in, &r)) return bad("truncated source row key");
    }
    if (!GetCount(&in, &k)) return bad("truncated contributions");
    s.contribs.resize(k);
    for (Contrib& c : s.contribs) {
      uint64_t nv = 0;
      if (!GetString(&in, &c.group_key)) return bad("truncated contribution");
      PQ_RETURN_IF_ERROR(DecodeValue(&in, &c.order.created));
      if (!GetString(&in, &c.order.id) || !GetSigned(&in, &c.order.sub) || !GetCount(&in, &nv)) {
        return bad("truncated contribution");
      }
      c.values.resize(nv);
      for (Value& v : c.values) PQ_RETURN_IF_ERROR(DecodeValue(&in, &v));
      if (!GetCount(&in, &nv) || nv != ncomputes) return bad("bad contribution layout");
      c.ends.resize(nv);
      uint64_t prev = 0;
      for (uint32_t& e : c.ends) {
        uint64_t x = 0;
        if (!GetVarint64(&in, &x) || x < prev || x > c.values.size()) {
          return bad("bad contribution layout");
        }
        e = static_cast<uint32_t>(x);
        prev = x;
      }
    }
    for (const std::string& d : s.deps) m.dep_index_[d].insert(id);
    m.sources_.emplace(std::move(id), std::move(s));
  }
  if (!in.empty()) return bad("trailing bytes");
  return m;
}

}  // namespace parquedb::views
