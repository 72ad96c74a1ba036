// View projections ($projection): how a view's rows sit in data files, and the read
// paths that use it.
//
//   keyed (default, "oltp"): the exact row in "$row" plus typed columns (best effort),
//       files sorted by the row key ($id = source $id or group key): Get and a Find with
//       equality on every key column are one binary search of the cached $id column.
//   columnar ("olap"): one typed Parquet column per output field (statistics, so filters
//       prune row groups and read only their columns); a value that does not fit its
//       column exactly goes to "$spill" (binary, base64) and its row group is then read
//       whole. Files are partitioned by the view's time column (day for minute/hour
//       buckets, month for day/week buckets and timestamp/date columns, year for
//       month/year buckets), rows sorted by (time, $id) within them.
//   "both": keyed files under the view's name and a columnar copy under "<name>@olap";
//       scans read the copy, point lookups the keyed files.
// Every file is read by its own layout (files of the other layout stay readable after
// a $projection change until compaction rewrites them). Per-view vacuum lives here too.
#include <algorithm>
#include <cmath>

#include "common/base64.h"
#include "common/value_codec.h"
#include "db/db_impl.h"
#include "views/pipeline.h"

namespace parquedb::db {

namespace {

constexpr std::string_view kSpill = "$spill";
constexpr std::string_view kRow = "$row";
constexpr const char* kOlapSuffix = "@olap";

bool ReservedViewColumn(std::string_view n) {
  return n == "$id" || n == "$seq" || n == "$deleted" || n == "$nulls" || n == kRow ||
         n == kSpill || n == "$type" || n == "createdAt" || n == "updatedAt" || n == "version";
}

// Whether JSON text round-trips `v` exactly (variant columns store JSON text).
bool JsonExact(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull:
    case Value::Kind::kBool:
    case Value::Kind::kInt:
    case Value::Kind::kString:
      return true;
    case Value::Kind::kDouble:
      return std::isfinite(v.as_double());
    case Value::Kind::kArray:
      for (const Value& e : v.as_array()) {
        if (!JsonExact(e)) return false;
      }
      return true;
    case Value::Kind::kObject:
      for (const auto& [k, e] : v.as_object()) {
        if (!JsonExact(e)) return false;
      }
      return true;
    default:
      return false;  // decimals, timestamps and dates come back as strings
  }
}

bool ScalarExact(const storage::ColumnSpec& c, const Value& v) {
  if (v.is_null()) return true;
  switch (c.kind) {
    case storage::ColumnKind::kDecimal: {
      if (v.kind() != Value::Kind::kDecimal || v.as_decimal().scale != c.scale) return false;
      __int128 u = v.as_decimal().unscaled;
      if (u < 0) u = -u;
      __int128 limit = 1;
      for (int i = 0; i < c.precision; i++) limit *= 10;
      return u < limit;
    }
    case storage::ColumnKind::kVariant:
      return JsonExact(v);
    default:
      return ScalarFits(c.kind, v);
  }
}

// Whether the codec stores `v` in column `c` and decodes exactly `v` back.
bool Exact(const storage::ColumnSpec& c, const Value& v) {
  if (!c.is_array) return ScalarExact(c, v);
  if (v.kind() != Value::Kind::kArray) return false;
  for (const Value& e : v.as_array()) {
    if (!ScalarExact(c, e)) return false;
  }
  return true;
}

// Partition of a row by its time value: "YYYY-MM-DD", "YYYY-MM", "YYYY"; "" when the
// value is not a timestamp/date (or the layout has no time column).
std::string PartitionOf(const Value* t, int granularity) {
  if (t == nullptr || granularity == 0) return "";
  int64_t days;
  if (t->kind() == Value::Kind::kDate) {
    days = t->as_date();
  } else if (t->kind() == Value::Kind::kTimestamp) {
    const int64_t us = t->as_int();
    const int64_t day = 86400LL * 1000000;
    days = (us >= 0 ? us : us - day + 1) / day;
  } else {
    return "";
  }
  std::string d = FormatDateDays(static_cast<int32_t>(days));
  return granularity == 1 ? d : granularity == 2 ? d.substr(0, 7) : d.substr(0, 4);
}

}  // namespace

Status DBImpl::SetUpViewStorage(Table* t, const ViewRt& v) {
  auto layout = std::make_shared<ViewLayout>();
  const views::ViewSpec& spec = *v.spec;
  storage::TableSpec keyed, columnar;
  keyed.name = columnar.name = v.name;
  keyed.type_name = columnar.type_name = spec.type_name();
  storage::ColumnSpec row;
  row.name = std::string(kRow);
  row.kind = storage::ColumnKind::kString;
  keyed.columns.push_back(row);
  storage::ColumnSpec spill = row;
  spill.name = std::string(kSpill);
  columnar.columns.push_back(spill);
  for (const catalog::FieldDef& f : spec.OutputColumns()) {
    if (f.name == "$id") continue;
    layout->columns.push_back(f);
    if (ReservedViewColumn(f.name)) continue;
    // Keyed: decimals as JSON text (typed columns there are only for other readers).
    keyed.columns.push_back(ColumnSpecFor(f, DecimalColumns::kAsVariant));
    storage::ColumnSpec c = ColumnSpecFor(f, DecimalColumns::kNative);
    if (c.kind == storage::ColumnKind::kDecimal && (c.precision < 1 || c.precision > 38)) {
      c.kind = storage::ColumnKind::kVariant;
    }
    columnar.columns.push_back(c);
  }
  PQ_ASSIGN_OR_RETURN(storage::RowCodec kc, storage::RowCodec::Make(keyed));
  PQ_ASSIGN_OR_RETURN(storage::RowCodec cc, storage::RowCodec::Make(columnar));
  layout->keyed = std::make_unique<storage::RowCodec>(std::move(kc));
  layout->columnar = std::make_unique<storage::RowCodec>(std::move(cc));
  // The time column: the first time-bucket group key, else the first timestamp/date
  // output column.
  layout->aggregated = spec.aggregated();
  for (const views::GroupKeySpec& k : spec.group_keys()) {
    layout->key_columns.push_back(k.name);
    if (!layout->time_column.empty() || !k.unit.has_value()) continue;
    layout->time_column = k.name;
    switch (*k.unit) {
      case views::TimeUnit::kMinute:
      case views::TimeUnit::kHour:
        layout->partition = 1;
        break;
      case views::TimeUnit::kMonth:
      case views::TimeUnit::kYear:
        layout->partition = 3;
        break;
      default:
        layout->partition = 2;
    }
  }
  if (layout->time_column.empty()) {
    for (const catalog::FieldDef& f : layout->columns) {
      if (!f.type.is_array && (f.type.kind == catalog::TypeKind::kTimestamp ||
                               f.type.kind == catalog::TypeKind::kDate)) {
        layout->time_column = f.name;
        layout->partition = 2;
        break;
      }
    }
  }
  const views::Projection p = spec.projection();
  t->columnar = p == views::Projection::kOlap;
  t->codec = std::make_unique<storage::RowCodec>(t->columnar ? *layout->columnar : *layout->keyed);
  t->olap.reset();
  if (p == views::Projection::kBoth) {
    auto o = std::make_unique<Table>();
    o->name = v.name + kOlapSuffix;
    o->type_name = spec.type_name();
    o->view = t->view;
    storage::TableSpec copy = columnar;
    copy.name = o->name;
    PQ_ASSIGN_OR_RETURN(storage::RowCodec oc, storage::RowCodec::Make(copy));
    o->codec = std::make_unique<storage::RowCodec>(std::move(oc));
    o->layout = layout;
    o->columnar = true;
    t->olap = std::move(o);
  }
  t->layout = std::move(layout);
  return Status::OK();
}

bool DBImpl::IsColumnarFile(const Table& t, const parquet::Schema& file_schema) {
  return t.view != nullptr && file_schema.FindLeaf(std::string(kRow)) < 0;
}

const storage::RowCodec& DBImpl::CodecFor(const Table& t, const parquet::Schema& fs) const {
  if (t.view == nullptr || t.layout == nullptr) return *t.codec;
  return IsColumnarFile(t, fs) ? *t.layout->columnar : *t.layout->keyed;
}

bool DBImpl::HasSpill(const parquet::FileReader& reader, int rg) {
  const int leaf = reader.schema().FindLeaf(std::string(kSpill));
  if (leaf < 0) return false;
  const parquet::RowGroup& g = reader.metadata().row_groups[static_cast<size_t>(rg)];
  if (static_cast<size_t>(leaf) >= g.columns.size()) return true;
  const auto& md = g.columns[static_cast<size_t>(leaf)].meta_data;
  if (!md || !md->statistics || !md->statistics->null_count) return true;
  return *md->statistics->null_count != g.num_rows;
}

Status DBImpl::FinishViewRows(const Table& t, const parquet::Schema& fs,
                              std::vector<storage::StoredRow>* rows) const {
  if (t.view == nullptr) return Status::OK();
  if (!IsColumnarFile(t, fs)) {
    for (storage::StoredRow& r : *rows) PQ_RETURN_IF_ERROR(DecodeViewRow(&r));
    return Status::OK();
  }
  const ViewLayout& l = *t.layout;
  for (storage::StoredRow& r : *rows) {
    if (r.deleted) continue;
    Value spill;
    if (const Value* s = r.doc.Find(kSpill); s != nullptr && s->kind() == Value::Kind::kString) {
      std::string bytes;
      if (!Base64Decode(s->as_string(), &bytes)) {
        return Status::Corruption("view row '" + r.id + "': bad $spill encoding");
      }
      std::string_view in = bytes;
      PQ_RETURN_IF_ERROR(DecodeValue(&in, &spill));
    }
    Value::Object o;
    o.reserve(l.columns.size() + 1);
    o.emplace_back("$id", Value::String(r.id));
    for (const catalog::FieldDef& f : l.columns) {
      const Value* v = spill.kind() == Value::Kind::kObject ? spill.Find(f.name) : nullptr;
      if (v == nullptr) v = r.doc.Find(f.name);
      o.emplace_back(f.name, v != nullptr ? *v : Value());
    }
    r.doc = Value::MakeObject(std::move(o));
  }
  return Status::OK();
}

namespace {

// The columnar encoding of an exact view row: typed cells, misfits in "$spill".
storage::StoredRow EncodeColumnar(const storage::RowCodec& codec,
                                  const std::vector<catalog::FieldDef>& columns,
                                  const storage::StoredRow& r) {
  storage::StoredRow out{r.id, r.seq, r.deleted, Value()};
  if (r.deleted) return out;
  static const storage::ColumnSpec kTimestampCol{"", storage::ColumnKind::kTimestamp, 0, 0, false};
  static const storage::ColumnSpec kIntCol{"", storage::ColumnKind::kInt, 0, 0, false};
  Value::Object doc, spill;
  for (const catalog::FieldDef& f : columns) {
    const Value* v = r.doc.Find(f.name);
    if (v == nullptr) continue;
    const storage::ColumnSpec* c = nullptr;
    if (f.name == "createdAt" || f.name == "updatedAt") {
      c = &kTimestampCol;
    } else if (f.name == "version") {
      c = &kIntCol;
    } else {
      for (const storage::ColumnSpec& cs : codec.spec().columns) {
        if (cs.name == f.name) c = &cs;
      }
    }
    if (c != nullptr && Exact(*c, *v)) {
      doc.emplace_back(f.name, *v);
    } else {
      spill.emplace_back(f.name, *v);
    }
  }
  if (!spill.empty()) {
    std::string bytes;
    EncodeValue(Value::MakeObject(std::move(spill)), &bytes);
    doc.emplace_back(std::string(kSpill), Value::String(Base64Encode(bytes)));
  }
  out.doc = Value::MakeObject(std::move(doc));
  return out;
}

}  // namespace

// Writes exact rows (tombstones included) as columnar files of `part`, one per partition
// (tombstones in a file of their own), rows sorted by (time, $id); appends the files to
// m->tables[part->name] and the encoded rows to *encoded (if non-null).
static Status WriteColumnarFiles(storage::NativeStore* store, const storage::RowCodec& codec,
                                 const std::string& table, const std::string& time_column,
                                 int granularity, const std::vector<catalog::FieldDef>& columns,
                                 std::vector<const storage::StoredRow*> rows,
                                 storage::Manifest* m, const parquet::WriterOptions& wo,
                                 std::vector<storage::StoredRow>* encoded, size_t* partitions) {
  struct Key {
    std::string partition;
    bool tombstone;
  };
  std::vector<std::pair<Key, const storage::StoredRow*>> keyed;
  keyed.reserve(rows.size());
  for (const storage::StoredRow* r : rows) {
    const Value* t = r->deleted || time_column.empty() ? nullptr : r->doc.Find(time_column);
    keyed.push_back({Key{PartitionOf(t, granularity), r->deleted}, r});
  }
  std::sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    if (a.first.tombstone != b.first.tombstone) return b.first.tombstone;
    if (a.first.partition != b.first.partition) return a.first.partition < b.first.partition;
    if (!a.first.tombstone && !time_column.empty()) {
      const Value* ta = a.second->doc.Find(time_column);
      const Value* tb = b.second->doc.Find(time_column);
      const int c = Value::Compare(ta ? *ta : Value(), tb ? *tb : Value());
      if (c != 0) return c < 0;
    }
    return a.second->id < b.second->id;
  });
  *partitions = 0;
  for (size_t i = 0; i < keyed.size();) {
    size_t j = i;
    std::vector<storage::StoredRow> out;
    while (j < keyed.size() && keyed[j].first.tombstone == keyed[i].first.tombstone &&
           keyed[j].first.partition == keyed[i].first.partition) {
      out.push_back(EncodeColumnar(codec, columns, *keyed[j].second));
      j++;
    }
    PQ_ASSIGN_OR_RETURN(storage::DataFile df,
                        store->WriteDataFile(codec, out, &m->next_file_id, wo));
    m->tables[table].files.push_back(std::move(df));
    if (!keyed[i].first.tombstone) ++*partitions;
    if (encoded != nullptr) {
      for (storage::StoredRow& r : out) encoded->push_back(std::move(r));
    }
    i = j;
  }
  return Status::OK();
}

Status DBImpl::FlushViewLocked(Table* t, storage::Manifest* m, const parquet::WriterOptions& wo,
                               std::vector<storage::StoredRow>* flushed) {
  std::vector<const storage::StoredRow*> rows;
  rows.reserve(t->mem.size());
  for (const auto& [id, row] : t->mem) rows.push_back(&row);
  const ViewLayout& l = *t->layout;
  // The columnar copy of a "both" view: missing while the keyed files exist (the view
  // just became "both") means it starts with every current row.
  std::vector<storage::StoredRow> all;
  bool rebuild_copy = false;
  if (t->olap) {
    const auto copy = m->tables.find(t->olap->name);
    const auto main = m->tables.find(t->name);
    rebuild_copy = (copy == m->tables.end() || copy->second.files.empty()) &&
                   main != m->tables.end() && !main->second.files.empty();
    if (rebuild_copy) {
      ReadView view;
      view.manifest = *m;
      view.mem = &t->mem;
      PQ_RETURN_IF_ERROR(Scan(*t, view, query::Filter(), [&](Value&& d) {
        const Value* id = d.Find("$id");
        if (id == nullptr || id->kind() != Value::Kind::kString) return;
        all.push_back(storage::StoredRow{id->as_string(), last_seq_, false, std::move(d)});
      }));
    }
  } else {
    m->tables.erase(t->name + kOlapSuffix);  // a copy left by an earlier "both"
  }
  if (t->columnar) {
    PQ_RETURN_IF_ERROR(WriteColumnarFiles(store_.get(), *t->codec, t->name, l.time_column,
                                          l.partition, l.columns, rows, m, wo, flushed,
                                          &t->partitions));
  } else {
    std::vector<storage::StoredRow> enc;
    enc.reserve(rows.size());
    for (const storage::StoredRow* r : rows) enc.push_back(EncodeViewRow(*t, *r));
    PQ_ASSIGN_OR_RETURN(storage::DataFile df,
                        store_->WriteDataFile(*t->codec, enc, &m->next_file_id, wo));
    m->tables[t->name].files.push_back(std::move(df));
    if (flushed != nullptr) *flushed = std::move(enc);
  }
  if (t->olap) {
    std::vector<const storage::StoredRow*> copy_rows;
    if (rebuild_copy) {
      m->tables.erase(t->olap->name);
      for (const storage::StoredRow& r : all) copy_rows.push_back(&r);
    } else {
      copy_rows = rows;
    }
    PQ_RETURN_IF_ERROR(WriteColumnarFiles(store_.get(), *t->olap->codec, t->olap->name,
                                          l.time_column, l.partition, l.columns, copy_rows, m,
                                          wo, nullptr, &t->olap->partitions));
  }
  return Status::OK();
}

Result<bool> DBImpl::HasColumnarFiles(const Table& t, const storage::Manifest& m) {
  auto tf = m.tables.find(t.name);
  if (tf == m.tables.end()) return false;
  for (const storage::DataFile& f : tf->second.files) {
    PQ_ASSIGN_OR_RETURN(auto reader, OpenFile(f));
    if (IsColumnarFile(t, reader->schema())) return true;
  }
  return false;
}

Status DBImpl::CompactViewLocked(Table* t, storage::Manifest* m) {
  auto tf = m->tables.find(t->name);
  if (tf == m->tables.end() || tf->second.files.empty()) return Status::OK();
  // Newest version per $id: files newest first.
  std::map<std::string, storage::StoredRow> live;
  std::set<std::string> seen;
  const auto files = tf->second.files;
  for (auto f = files.rbegin(); f != files.rend(); ++f) {
    PQ_ASSIGN_OR_RETURN(auto reader, OpenFile(*f));
    for (int rg = 0; rg < reader->num_row_groups(); rg++) {
      PQ_ASSIGN_OR_RETURN(auto rows, ReadRowGroup(*t, *f, *reader, rg));
      for (const storage::StoredRow& r : *rows) {
        if (!seen.insert(r.id).second) continue;
        if (!r.deleted) live.emplace(r.id, r);
      }
    }
  }
  parquet::WriterOptions wo;
  wo.row_group_rows = options_.row_group_rows;
  tf->second.files.clear();
  if (live.empty()) return Status::OK();
  if (t->columnar) {
    std::vector<const storage::StoredRow*> rows;
    rows.reserve(live.size());
    for (const auto& [id, r] : live) rows.push_back(&r);
    const ViewLayout& l = *t->layout;
    return WriteColumnarFiles(store_.get(), *t->codec, t->name, l.time_column, l.partition,
                              l.columns, std::move(rows), m, wo, nullptr, &t->partitions);
  }
  std::vector<storage::StoredRow> enc;
  enc.reserve(live.size());
  for (const auto& [id, r] : live) enc.push_back(EncodeViewRow(*t, r));
  PQ_ASSIGN_OR_RETURN(storage::DataFile df,
                      store_->WriteDataFile(*t->codec, enc, &m->next_file_id, wo));
  m->tables[t->name].files.push_back(std::move(df));
  return Status::OK();
}

bool DBImpl::NeedsCompaction(const Table& t, const storage::Manifest& m) const {
  if (options_.auto_compact_files == 0) return false;
  auto over = [&](const Table& x) {
    auto it = m.tables.find(x.name);
    if (it == m.tables.end()) return false;
    // Columnar tables write a file per partition per flush.
    const size_t per_flush = x.columnar ? std::max<size_t>(1, x.partitions + 1) : 1;
    return it->second.files.size() >= options_.auto_compact_files * per_flush;
  };
  return over(t) || (t.olap && over(*t.olap));
}

const DBImpl::Table& DBImpl::ScanTableFor(const Table& t, const storage::Manifest& m) {
  if (!t.olap) return t;
  // The copy serves scans once it exists (or when there are no keyed files either).
  auto copy = m.tables.find(t.olap->name);
  if (copy != m.tables.end() && !copy->second.files.empty()) return *t.olap;
  auto main = m.tables.find(t.name);
  return main == m.tables.end() || main->second.files.empty() ? *t.olap : t;
}

Result<std::optional<std::vector<Value>>> DBImpl::KeyedFind(const Table& t, const ReadView& view,
                                                            const query::Filter& filter) {
  using Out = std::optional<std::vector<Value>>;
  if (t.view == nullptr || t.layout == nullptr || t.columnar) return Out();
  const Value& spec = filter.spec();
  if (spec.kind() != Value::Kind::kObject) return Out();
  // The equality literal a top-level member gives `name` (nullptr: none).
  auto eq = [&](const std::string& name) -> const Value* {
    const Value* v = spec.Find(name);
    if (v == nullptr) return nullptr;
    if (v->kind() == Value::Kind::kObject) {
      if (v->as_object().size() != 1 || v->as_object()[0].first != "$eq") return nullptr;
      v = &v->as_object()[0].second;
    }
    if (v->kind() == Value::Kind::kObject || v->kind() == Value::Kind::kArray || v->is_null()) {
      return nullptr;
    }
    return v;
  };
  const ViewLayout& l = *t.layout;
  std::string key;
  if (const Value* id = eq("$id"); id != nullptr && id->kind() == Value::Kind::kString) {
    key = id->as_string();
  } else if (l.aggregated && !l.key_columns.empty()) {
    std::vector<Value> values;
    for (const std::string& k : l.key_columns) {
      const Value* lit = eq(k);
      if (lit == nullptr) return Out();
      const catalog::FieldDef* f = nullptr;
      for (const catalog::FieldDef& c : l.columns) {
        if (c.name == k) f = &c;
      }
      if (f == nullptr || f->type.is_array) return Out();
      // The literal as the key value the filter would find equal (typed columns only,
      // so equal under the filter means an identical canonical key).
      switch (f->type.kind) {
        case catalog::TypeKind::kString:
        case catalog::TypeKind::kRelation:
          if (lit->kind() != Value::Kind::kString) return Out();
          values.push_back(*lit);
          break;
        case catalog::TypeKind::kInt:
          if (lit->kind() != Value::Kind::kInt) return Out();
          values.push_back(*lit);
          break;
        case catalog::TypeKind::kBoolean:
          if (lit->kind() != Value::Kind::kBool) return Out();
          values.push_back(*lit);
          break;
        case catalog::TypeKind::kDate: {
          if (lit->kind() != Value::Kind::kString) return Out();
          auto d = ParseDateDays(lit->as_string());
          if (!d.ok()) return Out();
          values.push_back(Value::Date(*d));
          break;
        }
        case catalog::TypeKind::kTimestamp: {
          if (lit->kind() != Value::Kind::kString) return Out();
          auto ts = ParseTimestampMicros(lit->as_string());
          if (!ts.ok()) return Out();
          values.push_back(Value::Timestamp(*ts));
          break;
        }
        default:
          return Out();
      }
    }
    views::Pipeline::KeyFromValues(values, &key);
  } else {
    return Out();
  }
  PQ_ASSIGN_OR_RETURN(std::optional<Value> doc, Lookup(t, view, key, /*cache_row_groups=*/true));
  std::vector<Value> out;
  if (doc && filter.Matches(*doc)) out.push_back(std::move(*doc));
  return Out(std::move(out));
}

// ---------------------------------------------------------------------------
// Per-view vacuum

Status DBImpl::VacuumView(std::string_view name_in, int64_t retention_micros) {
  if (retention_micros < 0) return Status::InvalidArgument("retention must be >= 0");
  std::lock_guard<std::mutex> a(apply_mu_);
  std::lock_guard<std::mutex> w(write_mu_);
  auto it = views_.find(name_in);
  if (it == views_.end()) {
    if (const catalog::ViewDef* d = catalog().FindViewByType(name_in)) it = views_.find(d->name());
  }
  if (it == views_.end()) return Status::NotFound("no view '" + std::string(name_in) + "'");
  const std::string name = it->first;
  const int64_t cutoff = clock_->NowMicros() - retention_micros;
  // The view's state at the cutoff is the newest manifest before it: as_of earlier than
  // that manifest's flush time cannot read the view any more. Record that first, so a
  // crash never leaves history readable whose files are gone.
  const std::optional<int64_t> horizon = store_->StateTimeAt(cutoff);
  if (!horizon) return Status::OK();  // nothing older than the cutoff
  storage::Manifest m = store_->current();
  if (m.horizons[name] < *horizon) {
    m.horizons[name] = *horizon;
    std::unique_lock<std::shared_mutex> l(mu_);
    PQ_RETURN_IF_ERROR(store_->Commit(&m));
  }
  {
    std::unique_lock<std::shared_mutex> l(mu_);
    PQ_RETURN_IF_ERROR(store_->VacuumTables({name, name + kOlapSuffix}, cutoff));
    std::lock_guard<std::mutex> c(cache_mu_);
    readers_.clear();
    rg_cache_.clear();
    rg_cache_rows_ = 0;
  }
  return Status::OK();
}

}  // namespace parquedb::db
