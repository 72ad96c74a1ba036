// Materialized views wired into DBImpl: streaming maintenance inside the write path,
// refreshes as log batches, lineage, checkpoints and recovery. See db_impl.h for the
// design and docs/storage-format.md ("Views") for the on-disk parts.
#include <algorithm>
#include <array>
#include <cstdio>
#include <set>

#include "common/base64.h"
#include "common/crc32c.h"
#include "common/value_codec.h"
#include "db/change_codec.h"
#include "db/db_impl.h"
#include "views/cron.h"

namespace parquedb {
namespace db {

namespace {

constexpr std::string_view kCheckpointMagic = "PQVIEWS1";

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// What the rows of a view depend on: the definition without $refresh, except the
// timezone (it moves time buckets). Refresh-only changes keep this hash.
uint64_t RowsHash(const catalog::ViewDef& def) {
  Value d = Value::MakeObject();
  for (const auto& [k, v] : def.definition().as_object()) {
    if (k == "$refresh") {
      if (v.kind() == Value::Kind::kObject) {
        if (const Value* tz = v.Find("timezone")) d.Set("$timezone", *tz);
      }
      continue;
    }
    d.Set(k, v);
  }
  return Fnv1a(catalog::CanonicalJson(d));
}

bool Fits(const storage::ColumnSpec& c, const Value& v) {
  if (v.is_null()) return true;
  if (!c.is_array) return ScalarFits(c.kind, v);
  if (v.kind() != Value::Kind::kArray) return false;
  for (const Value& e : v.as_array()) {
    if (!e.is_null() && !ScalarFits(c.kind, e)) return false;
  }
  return true;
}

Value Obj(std::initializer_list<std::pair<const char*, Value>> members) {
  Value o = Value::MakeObject();
  for (const auto& [k, v] : members) o.Set(k, v);
  return o;
}

void Put64(std::string* out, uint64_t v) { PutVarint64(out, v); }

}  // namespace

bool ScalarFits(storage::ColumnKind k, const Value& v) {
  switch (k) {
    case storage::ColumnKind::kString:
      return v.kind() == Value::Kind::kString;
    case storage::ColumnKind::kInt:
      return v.kind() == Value::Kind::kInt;
    case storage::ColumnKind::kDouble:
      return v.kind() == Value::Kind::kDouble;
    case storage::ColumnKind::kBool:
      return v.kind() == Value::Kind::kBool;
    case storage::ColumnKind::kTimestamp:
      return v.kind() == Value::Kind::kTimestamp;
    case storage::ColumnKind::kDate:
      return v.kind() == Value::Kind::kDate;
    case storage::ColumnKind::kVariant:
      return true;
    default:
      return false;
  }
}


// Compiles a view and checks what ViewSpec leaves to other modules (the cron text).
Result<std::shared_ptr<const views::ViewSpec>> CompileView(const catalog::ViewDef& def,
                                                           const catalog::Catalog& cat) {
  auto spec = views::ViewSpec::Compile(def, cat);
  if (!spec.ok()) return spec.status();
  const views::RefreshPolicy& r = spec->refresh();
  if (!r.schedule.empty()) {
    auto cron = views::CronSchedule::Parse(r.schedule);
    if (!cron.ok()) {
      return Status::InvalidArgument("view " + def.name() + ": $refresh.schedule: " +
                                     cron.status().message());
    }
  }
  return std::make_shared<const views::ViewSpec>(std::move(spec).value());
}

std::string CheckpointName(uint64_t flushed_seq) {
  char buf[40];
  snprintf(buf, sizeof(buf), "STATE-%020llu", static_cast<unsigned long long>(flushed_seq));
  return buf;
}

// ---------------------------------------------------------------------------
// Row storage

storage::StoredRow DBImpl::EncodeViewRow(const Table& t, const storage::StoredRow& r) {
  storage::StoredRow out{r.id, r.seq, r.deleted, Value()};
  if (r.deleted) return out;
  Value::Object doc;
  std::string bytes;
  EncodeValue(r.doc, &bytes);
  doc.emplace_back("$row", Value::String(Base64Encode(bytes)));
  for (const storage::ColumnSpec& c : t.codec->spec().columns) {
    if (c.name == "$row") continue;
    const Value* v = r.doc.Find(c.name);
    if (v != nullptr && Fits(c, *v)) doc.emplace_back(c.name, *v);
  }
  out.doc = Value::MakeObject(std::move(doc));
  return out;
}

Status DBImpl::DecodeViewRow(storage::StoredRow* r) {
  if (r->deleted) return Status::OK();
  const Value* row = r->doc.Find("$row");
  if (row == nullptr || row->kind() != Value::Kind::kString) {
    return Status::Corruption("view row '" + r->id + "' has no $row");
  }
  std::string bytes;
  if (!Base64Decode(row->as_string(), &bytes)) {
    return Status::Corruption("view row '" + r->id + "': bad $row encoding");
  }
  std::string_view in = bytes;
  Value v;
  PQ_RETURN_IF_ERROR(DecodeValue(&in, &v));
  r->doc = std::move(v);
  return Status::OK();
}

Result<std::unique_ptr<DBImpl::Table>> DBImpl::MakeViewTable(ViewRt* v) {
  auto t = std::make_unique<Table>();
  t->name = v->name;
  t->type_name = v->spec->type_name();
  t->view = v;
  // The data-file layout(s) of its $projection (db_projection.cc).
  PQ_RETURN_IF_ERROR(SetUpViewStorage(t.get(), *v));
  v->rows_hash = RowsHash(*v->def);
  return t;
}

// ---------------------------------------------------------------------------
// Reading the current state (applied + overlay + this batch's staged changes)

class DBImpl::BatchLookup : public views::RelatedLookup {
 public:
  BatchLookup(DBImpl* db, const Staged* staged) : db_(db), staged_(staged) {}

  Result<std::optional<Value>> Get(std::string_view collection, std::string_view id) override {
    std::pair<std::string, std::string> key{std::string(collection), std::string(id)};
    if (staged_ != nullptr) {
      auto it = staged_->find(key);
      if (it != staged_->end()) return it->second;
    }
    auto ov = db_->overlay_.find(key);
    if (ov != db_->overlay_.end()) return ov->second.second;
    Table* t = db_->FindTableByName(collection);
    if (t == nullptr) return std::optional<Value>();
    std::shared_lock<std::shared_mutex> l(db_->mu_);
    ReadView& view = View(t);
    return db_->Lookup(*t, view, id, /*cache_row_groups=*/true);
  }

  Result<std::vector<Value>> FindByField(std::string_view collection, std::string_view field,
                                         const Value& value) override {
    Value spec = Value::MakeObject();
    spec.Set(field, value);
    PQ_ASSIGN_OR_RETURN(query::Filter filter, query::Filter::Parse(spec));
    auto idx = db_->rev_index_.find({std::string(collection), std::string(field)});
    if (idx != db_->rev_index_.end() && value.kind() == Value::Kind::kString) {
      // The applied state's matches, except ids changed since (the overlay and this
      // batch decide for those, by their current document).
      std::set<std::string> ids;
      {
        std::shared_lock<std::shared_mutex> l(db_->mu_);
        auto hit = idx->second.find(value.as_string());
        if (hit != idx->second.end()) ids = hit->second;
      }
      const std::string coll(collection);
      std::map<std::string, const std::optional<Value>*> changed;
      for (auto it = db_->overlay_.lower_bound({coll, std::string()});
           it != db_->overlay_.end() && it->first.first == coll; ++it) {
        changed[it->first.second] = &it->second.second;
      }
      if (staged_ != nullptr) {
        for (auto it = staged_->lower_bound({coll, std::string()});
             it != staged_->end() && it->first.first == coll; ++it) {
          changed[it->first.second] = &it->second;  // the batch wins over the overlay
        }
      }
      std::map<std::string, Value> found;
      for (const auto& [id, doc] : changed) {
        ids.erase(id);
        if (doc->has_value() && filter.Matches(**doc)) found.emplace(id, **doc);
      }
      if (!ids.empty()) {
        Table* t = db_->FindTableByName(collection);
        if (t != nullptr) {
          std::shared_lock<std::shared_mutex> l(db_->mu_);
          ReadView& view = View(t);
          for (const std::string& id : ids) {
            PQ_ASSIGN_OR_RETURN(std::optional<Value> doc, db_->Lookup(*t, view, id, /*cache_row_groups=*/true));
            if (doc && filter.Matches(*doc)) found.emplace(id, std::move(*doc));
          }
        }
      }
      std::vector<Value> out;
      out.reserve(found.size());
      for (auto& [id, d] : found) out.push_back(std::move(d));
      return out;
    }
    std::map<std::string, Value> found;
    PQ_RETURN_IF_ERROR(db_->ScanCurrentLocked(
        std::string(collection), staged_,
        [&](const Value& d) -> Status {
          if (filter.Matches(d)) found.emplace(d.Find("$id")->as_string(), d);
          return Status::OK();
        },
        &filter));
    std::vector<Value> out;
    out.reserve(found.size());
    for (auto& [id, d] : found) out.push_back(std::move(d));
    return out;
  }

 private:
  ReadView& View(Table* t) {
    if (!have_manifest_) {
      view_.manifest = db_->store_->current();
      have_manifest_ = true;
    }
    view_.mem = &t->mem;
    return view_;
  }

  DBImpl* db_;
  const Staged* staged_;
  bool have_manifest_ = false;
  ReadView view_;
};

std::set<std::string, std::less<>> DBImpl::ChangedIdsLocked(const std::string& collection,
                                                            const Staged* staged) const {
  std::set<std::string, std::less<>> changed;
  auto note = [&](const auto& m) {
    for (auto it = m.lower_bound({collection, std::string()});
         it != m.end() && it->first.first == collection; ++it) {
      changed.insert(it->first.second);
    }
  };
  note(overlay_);
  if (staged != nullptr) note(*staged);
  return changed;
}

Status DBImpl::ScanCurrentLocked(const std::string& collection, const Staged* staged,
                                 const std::function<Status(const Value&)>& fn,
                                 const query::Filter* prefilter) {
  Table* t = FindTableByName(collection);
  if (t == nullptr) return Status::OK();
  std::map<std::string, Value> docs;
  const std::set<std::string, std::less<>> changed = ChangedIdsLocked(collection, staged);
  {
    std::shared_lock<std::shared_mutex> l(mu_);
    ReadView view;
    view.manifest = store_->current();
    view.mem = &t->mem;
    query::Filter all;
    PQ_RETURN_IF_ERROR(Scan(*t, view, prefilter != nullptr ? *prefilter : all, [&](Value&& d) {
      const Value* id = d.Find("$id");
      if (id == nullptr || id->kind() != Value::Kind::kString) return;
      if (changed.count(id->as_string())) return;
      docs.emplace(id->as_string(), std::move(d));
    }));
  }
  for (const std::string& id : changed) {
    std::optional<Value> doc;
    auto key = std::make_pair(collection, id);
    if (staged != nullptr && staged->count(key)) {
      doc = staged->at(key);
    } else {
      auto ov = overlay_.find(key);
      if (ov != overlay_.end()) doc = ov->second.second;
    }
    if (doc) docs[id] = std::move(*doc);
  }
  for (const auto& [id, d] : docs) PQ_RETURN_IF_ERROR(fn(d));
  return Status::OK();
}

// ---------------------------------------------------------------------------
// Maintenance

namespace {

void ForEachIndexKey(const Value* v, const std::function<void(const std::string&)>& fn) {
  if (v == nullptr) return;
  if (v->kind() == Value::Kind::kString) fn(v->as_string());
  if (v->kind() == Value::Kind::kArray) {
    for (const Value& e : v->as_array()) {
      if (e.kind() == Value::Kind::kString) fn(e.as_string());
    }
  }
}

}  // namespace

void DBImpl::IndexAppliedEvent(const ChangeEvent& e) {
  for (auto it = rev_index_.lower_bound({e.collection, std::string()});
       it != rev_index_.end() && it->first.first == e.collection; ++it) {
    auto& index = it->second;
    const std::string& field = it->first.second;
    if (e.before.kind() == Value::Kind::kObject) {
      ForEachIndexKey(e.before.Find(field), [&](const std::string& k) {
        auto hit = index.find(k);
        if (hit == index.end()) return;
        hit->second.erase(e.id);
        if (hit->second.empty()) index.erase(hit);
      });
    }
    if (e.op != ChangeOp::kDelete && e.after.kind() == Value::Kind::kObject) {
      ForEachIndexKey(e.after.Find(field), [&](const std::string& k) { index[k].insert(e.id); });
    }
  }
}

Status DBImpl::EnsureReverseIndexesLocked(const views::ViewSpec& spec) {
  for (const auto& lookup : spec.reverse_lookups()) {
    const std::string& coll = lookup.first;
    const std::string field = lookup.second;
    if (rev_index_.count({coll, field})) continue;
    Table* t = FindTableByName(coll);
    if (t == nullptr) continue;
    // Exclusive: ApplyCommitted cannot move the applied state during the scan.
    std::unique_lock<std::shared_mutex> l(mu_);
    std::unordered_map<std::string, std::set<std::string>> index;
    ReadView view;
    view.manifest = store_->current();
    view.mem = &t->mem;
    PQ_RETURN_IF_ERROR(Scan(*t, view, query::Filter(), [&](Value&& d) {
      const Value* id = d.Find("$id");
      if (id == nullptr || id->kind() != Value::Kind::kString) return;
      ForEachIndexKey(d.Find(field), [&](const std::string& k) { index[k].insert(id->as_string()); });
    }));
    rev_index_[{coll, field}] = std::move(index);
  }
  return Status::OK();
}

void DBImpl::RebuildViewOrder() {
  views_order_.clear();
  for (const catalog::ViewDef* d : catalog().ViewsInTopologicalOrder()) {
    auto it = views_.find(d->name());
    if (it != views_.end()) views_order_.push_back(it->second.get());
  }
}

void DBImpl::NoteSourceChangesLocked(const std::vector<ChangeEvent>& events, size_t from) {
  for (size_t i = from; i < events.size(); i++) {
    const ChangeEvent& e = events[i];
    if (e.collection == kLineageCollection) continue;
    last_change_[e.collection] = {e.seq, e.timestamp};
  }
  for (ViewRt* v : views_order_) {
    if (v->streaming()) {
      if (v->maint && !events.empty()) v->lin.reflected_seq = events.back().seq;
      continue;
    }
    if (v->stale_since) continue;
    const auto& deps = v->spec->dependencies();
    for (size_t i = from; i < events.size(); i++) {
      if (std::find(deps.begin(), deps.end(), events[i].collection) != deps.end()) {
        v->stale_since = events[i].timestamp;
        break;
      }
    }
  }
}

namespace {

void DeltaToEvents(const std::string& view, const views::Delta& d, int64_t ts,
                   DBImpl::Staged* staged, std::vector<ChangeEvent>* events) {
  for (const views::Delta::Change& c : d.changes()) {
    ChangeEvent e;
    e.timestamp = ts;
    e.collection = view;
    e.id = c.key;
    e.op = !c.before ? ChangeOp::kCreate : (c.row ? ChangeOp::kUpdate : ChangeOp::kDelete);
    if (c.before) e.before = *c.before;
    if (c.row) e.after = *c.row;
    (*staged)[{view, c.key}] = c.row;
    events->push_back(std::move(e));
  }
}

}  // namespace

Status DBImpl::MaintainViewsLocked(int64_t ts, Staged* staged, std::vector<ChangeEvent>* events,
                                   size_t first_event) {
  std::vector<ViewRt*> advanced;
  auto fail = [&](Status s) {
    // The batch is not written: maintainers that took it in are now ahead.
    for (ViewRt* v : advanced) v->maint.reset();
    return s;
  };
  for (ViewRt* v : views_order_) {
    if (!v->streaming()) continue;
    const views::ViewSpec& spec = *v->spec;
    const auto& related = spec.related_collections();
    std::vector<views::ViewMaintainer::SourceChange> changes;
    std::vector<size_t> rel;
    for (size_t i = first_event; i < events->size(); i++) {
      const ChangeEvent& e = (*events)[i];
      if (e.collection == spec.source()) changes.push_back({e.before, e.after});
      if (!related.empty() &&
          std::find(related.begin(), related.end(), e.collection) != related.end()) {
        rel.push_back(i);
      }
    }
    if (changes.empty() && rel.empty()) continue;
    advanced.push_back(v);
    Status s;
    views::Delta d;
    if (v->maint) {
      BatchLookup lookup(this, staged);
      s = v->maint->ApplySourceChanges(changes, lookup, &d);
      for (size_t i : rel) {
        if (!s.ok()) break;
        const ChangeEvent& e = (*events)[i];
        s = v->maint->ApplyRelatedChange(e.collection, e.before, e.after, lookup, &d);
      }
    } else {
      s = Status::Corruption("no usable maintainer state");
    }
    if (s.ok()) {
      DeltaToEvents(v->name, d, ts, staged, events);
      v->lin.last_refresh = ts;
      v->lin.incremental = true;
      v->lin.reason.clear();
      continue;
    }
    // Corruption (or a lookup failure): rebuild from the sources in this same batch.
    std::string why = s.ToString();
    v->maint.reset();
    Status r = FullRebuildLocked(v, staged, ts, events);
    if (!r.ok()) {
      v->last_error = r.ToString();
      return fail(r.WithContext("view " + v->name));
    }
    v->lin.built = true;
    v->lin.hash = v->rows_hash;
    v->lin.last_refresh = ts;
    v->lin.incremental = false;
    v->lin.reason = "rebuilt after a maintenance error: " + why;
    v->last_error.clear();
    events->push_back(LineageEvent(*v, ts));
  }
  return Status::OK();
}

Status DBImpl::FullRebuildLocked(ViewRt* v, Staged* staged, int64_t ts,
                                 std::vector<ChangeEvent>* events) {
  const std::string source = v->spec->source();
  // Progress: source rows scanned of an estimate (data file rows + memtable).
  int64_t scanned = 0, estimate = -1;
  if (options_.progress) {
    if (Table* st = FindTableByName(source)) {
      std::shared_lock<std::shared_mutex> l(mu_);
      estimate = static_cast<int64_t>(st->mem.size());
      auto tf = store_->current().tables.find(source);
      if (tf != store_->current().tables.end()) {
        for (const storage::DataFile& f : tf->second.files) estimate += f.rows;
      }
    }
    ReportProgress(options_.progress, "refresh", v->name, "rows", 0, estimate);
  }
  // Aggregated views the columnar engine covers are computed by it (db_exec.cc);
  // NotSupported: the row path.
  std::unique_ptr<views::ViewMaintainer> m;
  if (ColumnarRefreshEnabled()) {
    auto r = ExecRebuildLocked(v, staged);
    if (r.ok()) m = std::move(*r);
    if (!r.ok() && !r.status().IsNotSupported()) return r.status();
  }
  const bool columnar = m != nullptr;
  if (!columnar) m = std::make_unique<views::ViewMaintainer>(v->spec);
  BatchLookup lookup(this, staged);
  // A $filter on the source document itself (no $expand/$unnest before it) goes to
  // the scan, whose late materialization decodes only the matching rows; the
  // maintainer applies it again, so rows the scan passes through unfiltered (changed
  // ids) are still judged by it. Not with progress reports, which count source rows.
  const views::ViewSpec& vs = *v->spec;
  const Table* src = FindTableByName(source);
  const query::Filter* pre = vs.filter().has_value() && !vs.has_expand() &&
                                     !vs.unnest().has_value() && src != nullptr &&
                                     src->view == nullptr
                                 ? &*vs.filter()
                                 : nullptr;
  if (!columnar) PQ_RETURN_IF_ERROR(m->Rebuild(
      [&](const std::function<Status(const Value&)>& fn) {
        if (!options_.progress) return ScanCurrentLocked(source, staged, fn, pre);
        return ScanCurrentLocked(source, staged, [&](const Value& doc) {
          if (++scanned % kProgressEvery == 0) {
            ReportProgress(options_.progress, "refresh", v->name, "rows", scanned,
                           std::max(estimate, scanned));
          }
          return fn(doc);
        });
      },
      lookup, nullptr));
  if (columnar) scanned = std::max<int64_t>(estimate, 0);  // the engine read every file row
  ReportProgress(options_.progress, "refresh", v->name, "rows", scanned, scanned);
  // The difference from the stored rows (not from a possibly broken old maintainer).
  std::map<std::string, Value> old;
  PQ_RETURN_IF_ERROR(ScanCurrentLocked(v->name, staged, [&](const Value& r) {
    old.emplace(r.Find("$id")->as_string(), r);
    return Status::OK();
  }));
  views::Delta d;
  const auto& now = m->Rows();
  auto a = old.begin();
  auto b = now.begin();
  while (a != old.end() || b != now.end()) {
    if (b == now.end() || (a != old.end() && a->first < b->first)) {
      d.Record(a->first, a->second, std::nullopt);
      ++a;
    } else if (a == old.end() || b->first < a->first) {
      d.Record(b->first, std::nullopt, b->second);
      ++b;
    } else {
      if (!views::IdenticalValues(a->second, b->second)) d.Record(a->first, a->second, b->second);
      ++a;
      ++b;
    }
  }
  DeltaToEvents(v->name, d, ts, staged, events);
  v->maint = std::move(m);
  return Status::OK();
}

ChangeEvent DBImpl::LineageEvent(const ViewRt& v, int64_t ts) const {
  ChangeEvent e;
  e.timestamp = ts;
  e.op = ChangeOp::kUpdate;
  e.collection = std::string(kLineageCollection);
  e.id = v.name;
  Value snaps = Value::MakeObject();
  for (const auto& [k, s] : v.lin.snapshots) snaps.Set(k, Value::Int(static_cast<int64_t>(s)));
  e.after = Obj({{"built", Value::Bool(v.lin.built)},
                 {"reflectedSeq", Value::Int(static_cast<int64_t>(v.lin.reflected_seq))},
                 {"hash", Value::String(std::to_string(v.lin.hash))},
                 {"snapshots", snaps},
                 {"lastRefresh", v.lin.last_refresh ? Value::Int(*v.lin.last_refresh) : Value()},
                 {"incremental", Value::Bool(v.lin.incremental)},
                 {"reason", Value::String(v.lin.reason)},
                 {"staleSince", v.stale_since ? Value::Int(*v.stale_since) : Value()}});
  return e;
}

void DBImpl::ApplyLineage(ViewRt* v, const Value& l) {
  if (l.kind() != Value::Kind::kObject) return;
  auto i64 = [&](const char* k) -> std::optional<int64_t> {
    const Value* x = l.Find(k);
    if (x == nullptr || x->kind() != Value::Kind::kInt) return std::nullopt;
    return x->as_int();
  };
  const Value* built = l.Find("built");
  v->lin.built = built != nullptr && built->kind() == Value::Kind::kBool && built->as_bool();
  v->lin.reflected_seq = static_cast<uint64_t>(i64("reflectedSeq").value_or(0));
  const Value* h = l.Find("hash");
  v->lin.hash = h && h->kind() == Value::Kind::kString ? std::stoull(h->as_string()) : 0;
  v->lin.snapshots.clear();
  if (const Value* s = l.Find("snapshots"); s && s->kind() == Value::Kind::kObject) {
    for (const auto& [k, x] : s->as_object()) {
      if (x.kind() == Value::Kind::kInt) v->lin.snapshots[k] = static_cast<uint64_t>(x.as_int());
    }
  }
  v->lin.last_refresh = i64("lastRefresh");
  const Value* inc = l.Find("incremental");
  v->lin.incremental = inc && inc->kind() == Value::Kind::kBool && inc->as_bool();
  const Value* r = l.Find("reason");
  v->lin.reason = r && r->kind() == Value::Kind::kString ? r->as_string() : "";
  v->stale_since = i64("staleSince");
}

Status DBImpl::RefreshLocked(ViewRt* v, bool full, const std::string& why, int64_t ts,
                             Staged* staged, std::vector<ChangeEvent>* events) {
  const size_t first = events->size();
  const uint64_t upto = log_->LastSeq();
  const views::ViewSpec& spec = *v->spec;
  bool incremental = !full && v->maint != nullptr && v->lin.built && v->lin.hash == v->rows_hash;
  std::string reason;
  if (full) {
    reason = why.empty() ? "full refresh requested" : why;
  } else if (!v->lin.built) {
    reason = "initial build";
  } else if (v->lin.hash != v->rows_hash) {
    reason = "definition changed";
  } else if (v->maint == nullptr) {
    reason = v->lin.reason.empty() ? "no usable maintainer state" : v->lin.reason;
  }
  const uint64_t from = v->lin.reflected_seq + 1;
  if (incremental && from <= upto && from < log_->FirstSeq()) {
    incremental = false;
    reason = "the log no longer holds the changes after seq " +
             std::to_string(v->lin.reflected_seq) + " (vacuumed)";
  }
  if (incremental && from <= upto) {
    // Catch up from the CDC log: the changes of the source and related collections.
    const auto& related = spec.related_collections();
    const bool append_only = spec.refresh().strategy == views::RefreshStrategy::kAppend;
    std::vector<views::ViewMaintainer::SourceChange> changes;
    std::vector<ChangeEvent> rel;
    log::LogCursor cursor;
    cursor.next_seq = from;
    Status s;
    while (s.ok() && cursor.next_seq <= upto) {
      auto records = log_->Read(&cursor, 4096);
      if (!records.ok()) {
        s = records.status();
        break;
      }
      if (records->empty()) break;
      for (const auto& r : *records) {
        if (r.seq > upto) break;
        ChangeEvent e;
        s = DecodeChange(r.payload, &e);
        if (!s.ok()) break;
        if (e.collection == spec.source()) {
          if (!append_only || e.op == ChangeOp::kCreate) {
            changes.push_back({append_only ? Value() : e.before, e.after});
          }
        }
        if (!append_only && !related.empty() &&
            std::find(related.begin(), related.end(), e.collection) != related.end()) {
          rel.push_back(std::move(e));
        }
      }
    }
    views::Delta d;
    if (s.ok()) {
      BatchLookup lookup(this, staged);
      s = v->maint->ApplySourceChanges(changes, lookup, &d);
      for (const ChangeEvent& e : rel) {
        if (!s.ok()) break;
        s = v->maint->ApplyRelatedChange(e.collection, e.before, e.after, lookup, &d);
      }
    }
    if (s.ok()) {
      DeltaToEvents(v->name, d, ts, staged, events);
      reason = why;
    } else {
      incremental = false;
      v->maint.reset();
      reason = "incremental refresh failed (" + s.ToString() + ")";
    }
  }
  if (!incremental) {
    Status r = FullRebuildLocked(v, staged, ts, events);
    if (!r.ok()) {
      v->maint.reset();
      return r.WithContext("refreshing view " + v->name);
    }
  }
  v->lin.built = true;
  v->lin.reflected_seq = upto;
  v->lin.hash = v->rows_hash;
  v->lin.last_refresh = ts;
  v->lin.incremental = incremental;
  v->lin.reason = reason;
  v->lin.snapshots.clear();
  for (const std::string& dep : spec.dependencies()) {
    auto it = last_change_.find(dep);
    v->lin.snapshots[dep] = it == last_change_.end() ? 0 : it->second.first;
  }
  v->stale_since.reset();
  v->last_error.clear();
  events->push_back(LineageEvent(*v, ts));
  // Streaming views downstream take the new rows in the same batch.
  return MaintainViewsLocked(ts, staged, events, first);
}

Status DBImpl::AppendEventsLocked(std::vector<ChangeEvent> events, int64_t ts) {
  if (events.empty()) return Status::OK();
  std::vector<std::string> payloads;
  payloads.reserve(events.size());
  for (const ChangeEvent& e : events) payloads.push_back(EncodeChange(e));
  PQ_ASSIGN_OR_RETURN(uint64_t first_seq, log_->Append(std::move(payloads), /*sync=*/false));
  PendingBatch b;
  b.first_seq = first_seq;
  b.last_seq = first_seq + events.size() - 1;
  b.timestamp = ts;
  for (size_t i = 0; i < events.size(); i++) {
    ChangeEvent& e = events[i];
    e.seq = first_seq + i;
    if (e.collection == kLineageCollection) continue;
    overlay_[{e.collection, e.id}] = {
        e.seq, e.op == ChangeOp::kDelete ? std::optional<Value>() : std::optional<Value>(e.after)};
  }
  b.events = std::move(events);
  NoteSourceChangesLocked(b.events, 0);
  pending_.push_back(std::move(b));
  last_assigned_ts_ = ts;
  return Status::OK();
}

Status DBImpl::FinishInternalBatch() {
  if (options_.sync) PQ_RETURN_IF_ERROR(log_->Sync());
  ApplyCommitted();
  // Checkpoint the maintainers with the refreshed rows (recovery then needs no rebuild).
  return Flush();
}

// ---------------------------------------------------------------------------
// Checkpoints and recovery

// File: magic, varint state_seq, meta (Value: {"lastChange": {coll: [seq, ts]}}), varint
// count, then per view: name, lineage (Value), maintainer state (length-prefixed; empty
// when unusable); then a masked crc32c of everything before it (4 bytes LE).
Status DBImpl::SaveViewCheckpoint(uint64_t flushed_seq) {
  std::string out(kCheckpointMagic);
  Put64(&out, log_->LastSeq());
  Value lc = Value::MakeObject();
  for (const auto& [k, p] : last_change_) {
    Value::Array a{Value::Int(static_cast<int64_t>(p.first)), Value::Int(p.second)};
    lc.Set(k, Value::MakeArray(std::move(a)));
  }
  EncodeValue(Obj({{"lastChange", lc}}), &out);
  Put64(&out, views_.size());
  for (const auto& [name, v] : views_) {
    PutLengthPrefixed(&out, name);
    EncodeValue(LineageEvent(*v, 0).after, &out);
    std::string state;
    if (v->maint) PQ_RETURN_IF_ERROR(v->maint->Save(&state));
    PutLengthPrefixed(&out, state);
  }
  uint32_t crc = crc32c::Mask(crc32c::Value(out));
  for (int i = 0; i < 4; i++) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  std::string dir = options_.path + "/views";
  PQ_RETURN_IF_ERROR(env_->CreateDirs(dir));
  return env_->WriteFileAtomic(dir + "/" + CheckpointName(flushed_seq), out);
}

namespace {

Status ParseCheckpoint(std::string_view data, uint64_t* state_seq, Value* meta,
                       std::map<std::string, std::pair<Value, std::string>>* views) {
  if (data.size() < kCheckpointMagic.size() + 4 ||
      data.substr(0, kCheckpointMagic.size()) != kCheckpointMagic) {
    return Status::Corruption("not a view checkpoint");
  }
  std::string_view body = data.substr(0, data.size() - 4);
  uint32_t stored = 0;
  for (int i = 0; i < 4; i++) {
    stored |= static_cast<uint32_t>(static_cast<uint8_t>(data[data.size() - 4 + i])) << (8 * i);
  }
  if (crc32c::Unmask(stored) != crc32c::Value(body)) {
    return Status::Corruption("view checkpoint checksum mismatch");
  }
  std::string_view in = body.substr(kCheckpointMagic.size());
  uint64_t n = 0;
  if (!GetVarint64(&in, state_seq)) return Status::Corruption("view checkpoint: bad header");
  PQ_RETURN_IF_ERROR(DecodeValue(&in, meta));
  if (!GetVarint64(&in, &n)) return Status::Corruption("view checkpoint: bad count");
  for (uint64_t i = 0; i < n; i++) {
    std::string_view name, state;
    Value lineage;
    if (!GetLengthPrefixed(&in, &name)) return Status::Corruption("view checkpoint: bad name");
    PQ_RETURN_IF_ERROR(DecodeValue(&in, &lineage));
    if (!GetLengthPrefixed(&in, &state)) return Status::Corruption("view checkpoint: bad state");
    views->insert_or_assign(std::string(name), std::make_pair(std::move(lineage), std::string(state)));
  }
  return Status::OK();
}

}  // namespace

Status DBImpl::SetUpViews() {
  std::unique_lock<std::mutex> w(write_mu_);
  RebuildViewOrder();
  for (ViewRt* v : views_order_) PQ_RETURN_IF_ERROR(EnsureReverseIndexesLocked(*v->spec));
  const std::string dir = options_.path + "/views";
  const uint64_t flushed = store_->current().flushed_seq;
  std::string checkpoint_problem;
  if (!views_.empty()) {
    std::string path = dir + "/" + CheckpointName(flushed);
    if (env_->FileExists(path)) {
      auto data = env_->ReadFileToString(path);
      Value meta;
      Status s = data.ok() ? ParseCheckpoint(*data, &checkpoint_.state_seq, &meta,
                                             &checkpoint_.views)
                           : data.status();
      if (s.ok() && checkpoint_.state_seq > log_->LastSeq()) {
        s = Status::Corruption("the checkpoint is ahead of the log");
      }
      if (s.ok()) {
        checkpoint_.loaded = true;
        if (const Value* lc = meta.Find("lastChange"); lc && lc->kind() == Value::Kind::kObject) {
          for (const auto& [k, a] : lc->as_object()) {
            if (a.kind() != Value::Kind::kArray || a.as_array().size() != 2) continue;
            if (last_change_.count(k)) continue;  // a newer change was replayed
            last_change_[k] = {static_cast<uint64_t>(a.as_array()[0].as_int()),
                               a.as_array()[1].as_int()};
          }
        }
      } else {
        checkpoint_.views.clear();
        checkpoint_problem = "view checkpoint unreadable (" + s.ToString() + ")";
      }
    } else if (flushed > 0) {
      checkpoint_problem = "no view checkpoint for the last flush";
    }
  }
  // Remove checkpoints of other (older or uncommitted) manifests.
  if (auto names = env_->GetChildren(dir); names.ok()) {
    for (const std::string& n : *names) {
      if (n != CheckpointName(flushed)) (void)env_->RemoveFile(dir + "/" + n);
    }
  }
  const uint64_t state_seq = checkpoint_.loaded ? checkpoint_.state_seq : flushed;
  std::vector<std::pair<ViewRt*, std::string>> rebuild;  // view, why
  for (ViewRt* v : views_order_) {
    std::string why;
    auto cp = checkpoint_.views.find(v->name);
    if (cp != checkpoint_.views.end()) {
      ApplyLineage(v, cp->second.first);
      if (!cp->second.second.empty() && v->lin.hash == v->rows_hash) {
        auto m = views::ViewMaintainer::Load(v->spec, cp->second.second);
        if (m.ok()) {
          v->maint = std::make_unique<views::ViewMaintainer>(std::move(m).value());
        } else {
          why = "saved maintainer state unusable (" + m.status().ToString() + ")";
        }
      } else if (cp->second.second.empty()) {
        why = v->lin.reason.empty() ? "no saved maintainer state" : v->lin.reason;
      }
    } else {
      why = checkpoint_problem.empty() ? "no saved maintainer state" : checkpoint_problem;
      // Stored rows without a checkpoint entry: the view was built; its lineage is lost
      // (it is taken to match the current definition).
      if (store_->current().tables.count(v->name) > 0 || !v->table->mem.empty()) {
        v->lin.built = true;
        v->lin.hash = v->rows_hash;
      }
    }
    // Lineage committed after the checkpoint (a refresh whose following flush did not
    // happen): the rows are in the log but the saved state predates them.
    bool later_refresh = false;
    for (const ChangeEvent& e : recovered_events_) {
      if (e.seq <= state_seq || e.collection != kLineageCollection || e.id != v->name) continue;
      ApplyLineage(v, e.after);
      later_refresh = true;
    }
    if (later_refresh && v->maint) {
      v->maint.reset();
      why = "a refresh after the last checkpoint (state not saved before a crash)";
    }
    const views::ViewSpec& spec = *v->spec;
    if (v->streaming() && v->maint) {
      // Replay the newer changes through the saved state (their rows are already in
      // the log; the deltas are discarded).
      const auto& related = spec.related_collections();
      BatchLookup lookup(this, nullptr);
      views::Delta d;
      Status s;
      for (const ChangeEvent& e : recovered_events_) {
        if (e.seq <= state_seq) continue;
        if (e.collection == spec.source()) {
          s = v->maint->ApplySourceChange(e.before, e.after, lookup, &d);
          if (!s.ok()) break;
        }
        if (std::find(related.begin(), related.end(), e.collection) != related.end()) {
          s = v->maint->ApplyRelatedChange(e.collection, e.before, e.after, lookup, &d);
          if (!s.ok()) break;
        }
        if (e.collection == spec.source() ||
            std::find(related.begin(), related.end(), e.collection) != related.end()) {
          v->lin.last_refresh = e.timestamp;
          v->lin.incremental = true;
          v->lin.reason.clear();
        }
        d.Clear();
      }
      if (!s.ok()) {
        v->maint.reset();
        why = "replaying the log into the saved state failed (" + s.ToString() + ")";
      }
      v->lin.reflected_seq = log_->LastSeq();
    }
    if (!v->streaming()) {
      const auto& deps = spec.dependencies();
      for (const ChangeEvent& e : recovered_events_) {
        if (v->stale_since || e.seq <= v->lin.reflected_seq) continue;
        if (std::find(deps.begin(), deps.end(), e.collection) != deps.end()) {
          v->stale_since = e.timestamp;
        }
      }
    }
    if (!v->lin.built) {
      rebuild.push_back({v, "initial build"});
    } else if (v->lin.hash != v->rows_hash) {
      rebuild.push_back({v, "definition changed"});
    } else if (!v->maint) {
      if (v->streaming()) {
        rebuild.push_back({v, "rebuilt on open: " + why});
      } else {
        // Keep serving the last refresh; the next refresh is a full one.
        v->lin.reason = why + "; the next refresh is full";
      }
    }
  }
  recovered_events_.clear();
  recovered_events_.shrink_to_fit();
  checkpoint_ = Checkpoint();
  if (!rebuild.empty()) {
    int64_t ts = std::max(clock_->NowMicros(), last_assigned_ts_);
    Staged staged;
    std::vector<ChangeEvent> events;
    for (auto& [v, why] : rebuild) {
      PQ_RETURN_IF_ERROR(RefreshLocked(v, true, why, ts, &staged, &events));
    }
    PQ_RETURN_IF_ERROR(AppendEventsLocked(std::move(events), ts));
  }
  for (ViewRt* v : views_order_) PQ_RETURN_IF_ERROR(ScheduleView(v));
  w.unlock();
  if (!rebuild.empty()) return FinishInternalBatch();
  return Status::OK();
}

// ---------------------------------------------------------------------------
// Scheduling

Status DBImpl::ScheduleView(ViewRt* v) {
  const views::RefreshPolicy& r = v->spec->refresh();
  if (r.mode != views::RefreshMode::kScheduled) {
    if (scheduler_) (void)scheduler_->Remove(v->name);
    return Status::OK();
  }
  if (!scheduler_) scheduler_ = std::make_unique<views::Scheduler>(clock_);
  PQ_ASSIGN_OR_RETURN(views::CronSchedule cron, views::CronSchedule::Parse(r.schedule));
  std::string name = v->name;
  PQ_RETURN_IF_ERROR(scheduler_->Add(name, std::move(cron), r.timezone, [this, name](int64_t) {
    Status s = RefreshViewImpl(name, false, "scheduled");
    if (!s.ok()) {
      std::lock_guard<std::mutex> l(job_mu_);
      if (job_status_.ok()) job_status_ = s;
    }
  }));
  if (options_.run_scheduler) PQ_RETURN_IF_ERROR(scheduler_->Start());
  return Status::OK();
}

Status DBImpl::RunDueRefreshes() {
  if (scheduler_) scheduler_->RunDue();
  std::lock_guard<std::mutex> l(job_mu_);
  Status s = job_status_;
  job_status_ = Status::OK();
  return s;
}

// ---------------------------------------------------------------------------
// Public view API

Status DBImpl::InstallCatalog(std::unique_ptr<catalog::Catalog> next) {
  PQ_RETURN_IF_ERROR(
      env_->WriteFileAtomic(options_.path + "/schema.json", next->ToValue().ToJsonString()));
  catalog_.store(next.get(), std::memory_order_release);
  catalogs_.push_back(std::move(next));
  return Status::OK();
}

Status DBImpl::RegisterView(std::string_view name_in, const Value& definition) {
  std::string name(name_in);
  PQ_ASSIGN_OR_RETURN(Value def, DefineView(definition));
  {
    std::lock_guard<std::mutex> w(write_mu_);
    const catalog::Catalog& cur = catalog();
    if (cur.FindCollection(name) || cur.FindView(name)) {
      return Status::AlreadyExists("'" + name + "' already names a " +
                                   (cur.FindView(name) ? "view" : "collection"));
    }
    Value schema = cur.ToValue();
    schema.Set(name, def);
    auto parsed = catalog::Catalog::Parse(schema);
    if (!parsed.ok()) return parsed.status();
    auto next = std::make_unique<catalog::Catalog>(std::move(parsed).value());
    const catalog::ViewDef* vd = next->FindView(name);
    if (vd == nullptr) return Status::InvalidArgument("'" + name + "' is not a view definition");
    PQ_ASSIGN_OR_RETURN(auto spec, CompileView(*vd, *next));
    auto v = std::make_unique<ViewRt>();
    v->name = name;
    v->def = vd;
    v->spec = std::move(spec);
    PQ_ASSIGN_OR_RETURN(auto table, MakeViewTable(v.get()));
    v->table = table.get();
    PQ_RETURN_IF_ERROR(InstallCatalog(std::move(next)));
    ViewRt* vp = v.get();
    {
      std::unique_lock<std::shared_mutex> sl(schema_mu_);
      tables_[name] = std::move(table);
      views_[name] = std::move(v);
    }
    RebuildViewOrder();
    PQ_RETURN_IF_ERROR(EnsureReverseIndexesLocked(*vp->spec));
    int64_t ts = std::max(clock_->NowMicros(), last_assigned_ts_);
    Staged staged;
    std::vector<ChangeEvent> events;
    PQ_RETURN_IF_ERROR(RefreshLocked(vp, true, "initial build", ts, &staged, &events));
    PQ_RETURN_IF_ERROR(AppendEventsLocked(std::move(events), ts));
    PQ_RETURN_IF_ERROR(ScheduleView(vp));
  }
  return FinishInternalBatch();
}

Status DBImpl::DropView(std::string_view name_in) {
  std::string name(name_in);
  std::lock_guard<std::mutex> a(apply_mu_);
  std::lock_guard<std::mutex> w(write_mu_);
  auto it = views_.find(name);
  if (it == views_.end()) return Status::NotFound("no view '" + name + "'");
  const catalog::Catalog& cur = catalog();
  std::vector<const catalog::ViewDef*> readers = cur.ViewsDependingOn(name);
  if (!readers.empty()) {
    std::string list;
    for (const auto* r : readers) list += (list.empty() ? "" : ", ") + r->name();
    return Status::FailedPrecondition("view " + name + " is read by view(s) " + list +
                                      "; drop them first");
  }
  Value schema = Value::MakeObject();
  const Value full = cur.ToValue();
  for (const auto& [k, v] : full.as_object()) {
    if (k != name) schema.Set(k, v);
  }
  PQ_ASSIGN_OR_RETURN(catalog::Catalog parsed, catalog::Catalog::Parse(schema));
  // Everything logged for the view so far goes into files, so a later view of the same
  // name never replays it.
  if (options_.sync) PQ_RETURN_IF_ERROR(log_->Sync());
  PQ_RETURN_IF_ERROR(FlushLocked());
  PQ_RETURN_IF_ERROR(InstallCatalog(std::make_unique<catalog::Catalog>(std::move(parsed))));
  if (scheduler_) (void)scheduler_->Remove(name);
  storage::Manifest m = store_->current();
  bool in_manifest = m.tables.erase(name) > 0;
  in_manifest |= m.tables.erase(name + "@olap") > 0;  // the columnar copy of "both"
  in_manifest |= m.horizons.erase(name) > 0;
  {
    std::unique_lock<std::shared_mutex> sl(schema_mu_);
    std::unique_lock<std::shared_mutex> l(mu_);
    if (in_manifest) PQ_RETURN_IF_ERROR(store_->Commit(&m));
    auto t = tables_.find(name);
    if (t != tables_.end()) {
      t->second->mem.clear();
      dropped_tables_.push_back(std::move(t->second));
      tables_.erase(t);
    }
    dropped_views_.push_back(std::move(it->second));
    views_.erase(it);
  }
  last_change_.erase(name);
  RebuildViewOrder();
  return Status::OK();
}

Status DBImpl::AlterView(std::string_view name_in, const Value& changes) {
  std::string name(name_in);
  if (changes.kind() != Value::Kind::kObject) {
    return Status::InvalidArgument("AlterView: changes must be an object of directives");
  }
  {
    std::lock_guard<std::mutex> w(write_mu_);
    auto it = views_.find(name);
    if (it == views_.end()) return Status::NotFound("no view '" + name + "'");
    ViewRt* v = it->second.get();
    Value def = Value::MakeObject();
    for (const auto& [k, x] : v->def->definition().as_object()) def.Set(k, x);
    for (const auto& [k, x] : changes.as_object()) {
      if (k.empty() || k[0] != '$') {
        return Status::InvalidArgument("AlterView: '" + k + "' is not a directive ($...)");
      }
      if (x.is_null()) {
        Value d2 = Value::MakeObject();
        for (const auto& [k2, x2] : def.as_object()) {
          if (k2 != k) d2.Set(k2, x2);
        }
        def = std::move(d2);
      } else {
        def.Set(k, x);
      }
    }
    PQ_ASSIGN_OR_RETURN(def, DefineView(def));
    Value schema = catalog().ToValue();
    schema.Set(name, def);
    auto parsed = catalog::Catalog::Parse(schema);
    if (!parsed.ok()) return parsed.status();
    auto next = std::make_unique<catalog::Catalog>(std::move(parsed).value());
    // Compile the view and everything downstream of it against the new catalog first:
    // nothing changes unless all of them compile.
    std::vector<std::pair<ViewRt*, std::shared_ptr<const views::ViewSpec>>> specs;
    std::vector<ViewRt*> affected{v};
    for (const catalog::ViewDef* d : next->ViewsDependingOn(name)) {
      auto dv = views_.find(d->name());
      if (dv != views_.end()) affected.push_back(dv->second.get());
    }
    for (ViewRt* x : affected) {
      const catalog::ViewDef* xd = next->FindView(x->name);
      PQ_ASSIGN_OR_RETURN(auto spec, CompileView(*xd, *next));
      specs.push_back({x, std::move(spec)});
    }
    const catalog::Catalog* cat = next.get();
    PQ_RETURN_IF_ERROR(InstallCatalog(std::move(next)));
    RebuildViewOrder();
    int64_t ts = std::max(clock_->NowMicros(), last_assigned_ts_);
    Staged staged;
    std::vector<ChangeEvent> events;
    bool upstream_changed = false;
    for (auto& [x, spec] : specs) PQ_RETURN_IF_ERROR(EnsureReverseIndexesLocked(*spec));
    for (auto& [x, spec] : specs) {
      const uint64_t old_hash = x->rows_hash;
      const bool same_columns = spec->OutputColumns() == x->spec->OutputColumns();
      x->def = cat->FindView(x->name);
      x->spec = spec;
      uint64_t new_hash = RowsHash(*x->def);
      if (new_hash != old_hash || !same_columns || upstream_changed) {
        // The rows change: invalid, rebuilt now (a new table layout if columns changed).
        PQ_ASSIGN_OR_RETURN(auto table, MakeViewTable(x));
        {
          std::unique_lock<std::shared_mutex> l(mu_);
          std::swap(x->table->codec, table->codec);
          std::swap(x->table->layout, table->layout);
          std::swap(x->table->columnar, table->columnar);
          std::swap(x->table->olap, table->olap);
          x->table->type_name = spec->type_name();
          dropped_tables_.push_back(std::move(table));  // keeps the old codec alive
        }
        x->rows_hash = new_hash;
        x->maint.reset();
        PQ_RETURN_IF_ERROR(RefreshLocked(
            x, true, x == v ? "definition changed" : "upstream view " + name + " changed", ts,
            &staged, &events));
        upstream_changed = true;
      } else if (x == v) {
        // Refresh policy only: keep the state, catch up under the new policy.
        if (x->maint && !x->maint->Rebind(spec).ok()) x->maint.reset();
        PQ_RETURN_IF_ERROR(RefreshLocked(x, false, "refresh policy changed", ts, &staged, &events));
      }
      PQ_RETURN_IF_ERROR(ScheduleView(x));
    }
    PQ_RETURN_IF_ERROR(AppendEventsLocked(std::move(events), ts));
  }
  return FinishInternalBatch();
}

ViewState DBImpl::StateOf(const ViewRt& v) {
  ViewState s;
  const views::ViewSpec& spec = *v.spec;
  s.name = v.name;
  s.type_name = spec.type_name();
  s.source = spec.source();
  s.mode = std::string(views::RefreshModeName(spec.refresh().mode));
  s.last_refresh = v.lin.last_refresh;
  s.incremental = v.lin.incremental;
  s.reason = v.lin.reason;
  s.definition_version = v.rows_hash;
  s.last_error = v.last_error;
  if (v.maint) {
    s.rows = static_cast<int64_t>(v.maint->Rows().size());
  } else {
    auto n = Count(v.name, Value(), std::nullopt);
    s.rows = n.ok() ? *n : 0;
  }
  if (v.streaming() && v.maint) {
    for (const std::string& dep : spec.dependencies()) {
      auto it = last_change_.find(dep);
      s.source_snapshots[dep] = it == last_change_.end() ? 0 : it->second.first;
    }
  } else {
    s.source_snapshots = v.lin.snapshots;
  }
  for (const std::string& dep : spec.dependencies()) {
    auto it = last_change_.find(dep);
    s.source_sequences[dep] = it == last_change_.end() ? 0 : it->second.first;
  }
  // A scheduled/manual view without maintainer state (lost in a crash, or an unusable
  // checkpoint) still serves the rows of its last refresh: fresh or stale as usual,
  // the reason says its next refresh is full.
  if (!v.lin.built || v.lin.hash != v.rows_hash || (!v.maint && v.streaming())) {
    s.state = "invalid";
  } else if (!v.streaming() && (v.stale_since || (!v.maint && v.lin.reflected_seq == 0))) {
    // (Without state and lineage nothing proves the rows current: stale, since unknown.)
    s.state = "stale";
    s.stale_since = v.stale_since;
    if (spec.refresh().grace_period_ms && v.stale_since) {
      s.within_grace_period =
          clock_->NowMicros() - *v.stale_since <= *spec.refresh().grace_period_ms * 1000;
    }
    if (s.reason.empty() || (v.lin.incremental && v.maint)) {
      s.reason = "sources changed since the last refresh";
    }
  } else {
    s.state = "fresh";
  }
  if (scheduler_ && spec.refresh().mode == views::RefreshMode::kScheduled) {
    s.next_refresh = scheduler_->NextFire(v.name);
  }
  return s;
}

std::vector<ViewState> DBImpl::ListViews() {
  std::lock_guard<std::mutex> w(write_mu_);
  std::vector<ViewState> out;
  for (const catalog::ViewDef& d : catalog().views()) {
    auto it = views_.find(d.name());
    if (it != views_.end()) out.push_back(StateOf(*it->second));
  }
  return out;
}

Result<ViewState> DBImpl::GetViewState(std::string_view name) {
  std::lock_guard<std::mutex> w(write_mu_);
  auto it = views_.find(name);
  if (it == views_.end()) {
    if (const catalog::ViewDef* d = catalog().FindViewByType(name)) it = views_.find(d->name());
  }
  if (it == views_.end()) return Status::NotFound("no view '" + std::string(name) + "'");
  return StateOf(*it->second);
}

Status DBImpl::RefreshViewImpl(std::string_view name, bool full, const std::string& why) {
  {
    std::lock_guard<std::mutex> w(write_mu_);
    auto it = views_.find(name);
    if (it == views_.end()) {
      if (const catalog::ViewDef* d = catalog().FindViewByType(name)) it = views_.find(d->name());
    }
    if (it == views_.end()) return Status::NotFound("no view '" + std::string(name) + "'");
    ViewRt* v = it->second.get();
    ViewRt::Lineage saved = v->lin;
    int64_t ts = std::max(clock_->NowMicros(), last_assigned_ts_);
    Staged staged;
    std::vector<ChangeEvent> events;
    Status s = RefreshLocked(v, full, why, ts, &staged, &events);
    if (s.ok()) s = AppendEventsLocked(std::move(events), ts);
    if (!s.ok()) {
      v->lin = saved;
      v->maint.reset();  // may hold changes that were not committed
      v->last_error = s.ToString();
      return s;
    }
  }
  return FinishInternalBatch();
}

Status DBImpl::RefreshView(std::string_view name, const RefreshViewOptions& options) {
  return RefreshViewImpl(name, options.full, options.full ? "full refresh requested" : "");
}

}  // namespace db

// ---------------------------------------------------------------------------

Result<Value> DefineView(const Value& definition) {
  if (definition.kind() != Value::Kind::kObject) {
    return Status::InvalidArgument("a view definition is an object with \"$from\"");
  }
  const Value* from = definition.Find("$from");
  if (from == nullptr || from->kind() != Value::Kind::kString || from->as_string().empty()) {
    return Status::InvalidArgument(
        "a view definition needs \"$from\": the name of a collection or view");
  }
  static const std::set<std::string, std::less<>> kDirectives = {
      "$from",   "$type",    "$expand",  "$flatten", "$unnest",     "$filter",
      "$select", "$groupBy", "$compute", "$refresh", "$projection"};
  for (const auto& [k, v] : definition.as_object()) {
    if (!kDirectives.count(k)) {
      return Status::InvalidArgument(
          "view definition: unknown directive '" + k +
          "' (expected $from, $type, $expand, $flatten, $unnest, $filter, $select, $groupBy, "
          "$compute, $refresh, $projection)");
    }
  }
  if (const Value* e = definition.Find("$expand")) {
    bool ok = e->kind() == Value::Kind::kString || e->kind() == Value::Kind::kArray;
    if (e->kind() == Value::Kind::kArray) {
      for (const Value& x : e->as_array()) ok = ok && x.kind() == Value::Kind::kString;
    }
    if (!ok) return Status::InvalidArgument("view definition: $expand: expected relation paths");
  }
  if (const Value* f = definition.Find("$flatten")) {
    bool ok = f->kind() == Value::Kind::kObject;
    if (ok) {
      for (const auto& [k, x] : f->as_object()) ok = ok && x.kind() == Value::Kind::kString;
    }
    if (!ok) {
      return Status::InvalidArgument("view definition: $flatten: expected {\"path\": \"prefix\"}");
    }
  }
  // Everything else is checked by compiling it over a field-less stand-in source
  // (unknown paths read as missing there, so only the shape matters).
  Value probe = Value::MakeObject();
  for (const auto& [k, v] : definition.as_object()) {
    if (k == "$expand" || k == "$flatten" || k == "$type") continue;
    probe.Set(k, k == "$from" ? Value::String("DefineViewSource") : v);
  }
  Value schema = Value::MakeObject();
  schema.Set("DefineViewSource", Value::MakeObject());
  schema.Set("DefineViewProbe", probe);
  auto cat = catalog::Catalog::Parse(schema);
  if (!cat.ok()) return Status::InvalidArgument("view definition: " + cat.status().message());
  auto spec = db::CompileView(*cat->FindView("DefineViewProbe"), *cat);
  if (!spec.ok()) {
    std::string msg = spec.status().message();
    const std::string prefix = "view DefineViewProbe: ";
    if (msg.rfind(prefix, 0) == 0) msg = msg.substr(prefix.size());
    return Status::InvalidArgument("view definition: " + msg);
  }
  return definition;
}

}  // namespace parquedb
