#include "db/db_impl.h"

#include <algorithm>
#include <iterator>
#include <random>

#include "common/value_codec.h"
#include "db/change_codec.h"
#include "query/find_ops.h"
#include "query/update.h"

namespace parquedb {

std::string_view ChangeOpName(ChangeOp op) {
  switch (op) {
    case ChangeOp::kCreate:
      return "CREATE";
    case ChangeOp::kUpdate:
      return "UPDATE";
    case ChangeOp::kDelete:
      return "DELETE";
  }
  return "UNKNOWN";
}

void WriteBatch::Insert(std::string collection, Value doc) {
  ops_.push_back(Op{ChangeOp::kCreate, std::move(collection), "", std::move(doc)});
}
void WriteBatch::Update(std::string collection, std::string id, Value update) {
  ops_.push_back(Op{ChangeOp::kUpdate, std::move(collection), std::move(id), std::move(update)});
}
void WriteBatch::Delete(std::string collection, std::string id) {
  ops_.push_back(Op{ChangeOp::kDelete, std::move(collection), std::move(id), Value()});
}

Result<std::unique_ptr<DB>> DB::Open(const Options& options, const Value& schema) {
  return db::DBImpl::OpenImpl(options, &schema);
}

Result<std::unique_ptr<DB>> DB::Open(const Options& options) {
  return db::DBImpl::OpenImpl(options, nullptr);
}

namespace db {

storage::ColumnSpec ColumnSpecFor(const catalog::FieldDef& f, DecimalColumns decimals) {
  storage::ColumnSpec c;
  c.name = f.name;
  c.is_array = f.type.is_array;
  switch (f.type.kind) {
    case catalog::TypeKind::kString:
    case catalog::TypeKind::kRelation:
      c.kind = storage::ColumnKind::kString;
      break;
    case catalog::TypeKind::kInt:
      c.kind = storage::ColumnKind::kInt;
      break;
    case catalog::TypeKind::kFloat:
      c.kind = storage::ColumnKind::kDouble;
      break;
    case catalog::TypeKind::kDecimal:
      if (decimals == DecimalColumns::kNative) {
        c.kind = storage::ColumnKind::kDecimal;
        c.precision = f.type.precision;
        c.scale = f.type.scale;
      } else {
        c.kind = storage::ColumnKind::kVariant;
      }
      break;
    case catalog::TypeKind::kBoolean:
      c.kind = storage::ColumnKind::kBool;
      break;
    case catalog::TypeKind::kTimestamp:
      c.kind = storage::ColumnKind::kTimestamp;
      break;
    case catalog::TypeKind::kDate:
      c.kind = storage::ColumnKind::kDate;
      break;
    default:
      c.kind = storage::ColumnKind::kVariant;
      break;
  }
  return c;
}

namespace {

// Decoded row groups kept for point lookups and repeated scans, bounded by the
// number of cached documents (a row group can hold up to row_group_rows of them).
constexpr size_t kRowGroupCacheRows = 256 * 1024;

storage::TableSpec TableSpecFor(const catalog::CollectionDef& def) {
  storage::TableSpec spec;
  spec.name = def.name();
  spec.type_name = def.type_name();
  for (const catalog::FieldDef& f : def.fields()) {
    if (f.type.is_stored()) spec.columns.push_back(ColumnSpecFor(f, DecimalColumns::kNative));
  }
  return spec;
}

// Checks that `next` can take over a database created with `prev`: collections may
// be added, and fields added as optional; nothing stored may change type.
Status CheckSchemaEvolution(const catalog::Catalog& prev, const catalog::Catalog& next) {
  for (const catalog::CollectionDef& old : prev.collections()) {
    const catalog::CollectionDef* now = next.FindCollection(old.name());
    if (now == nullptr) {
      return Status::InvalidArgument("schema drops collection '" + old.name() +
                                     "', which holds data in this database");
    }
    for (const catalog::FieldDef& f : old.fields()) {
      const catalog::FieldDef* nf = now->FindField(f.name);
      if (nf == nullptr) {
        return Status::InvalidArgument("schema drops field " + old.name() + "." + f.name);
      }
      if (nf->type.kind != f.type.kind || nf->type.is_array != f.type.is_array ||
          nf->type.precision != f.type.precision || nf->type.scale != f.type.scale ||
          nf->type.target != f.type.target) {
        return Status::InvalidArgument("schema changes the type of " + old.name() + "." + f.name +
                                       " from '" + f.type.ToString() + "' to '" +
                                       nf->type.ToString() + "'");
      }
    }
    for (const catalog::FieldDef& nf : now->fields()) {
      if (old.FindField(nf.name) == nullptr && nf.type.required && nf.type.is_stored()) {
        return Status::InvalidArgument("new field " + old.name() + "." + nf.name +
                                       " must be optional: existing documents lack it");
      }
    }
  }
  return Status::OK();
}

// The user-writable part of a stored document (drops system fields).
Value UserFields(const Value& doc) {
  Value out = Value::MakeObject();
  for (const auto& [k, v] : doc.as_object()) {
    if (!catalog::IsSystemField(k)) out.Set(k, v);
  }
  return out;
}

class LogChangeStream final : public ChangeStream {
 public:
  LogChangeStream(log::Log* log, Clock* clock, uint64_t from) : log_(log), clock_(clock) {
    cursor_.next_seq = from;
  }
  Result<std::vector<ChangeEvent>> Next(size_t max_events, int64_t wait_micros) override {
    if (log_->LastSeq() < cursor_.next_seq && wait_micros > 0) {
      log_->WaitForSeq(cursor_.next_seq, clock_->NowMicros() + wait_micros);
    }
    PQ_ASSIGN_OR_RETURN(auto records, log_->Read(&cursor_, max_events));
    std::vector<ChangeEvent> out;
    out.reserve(records.size());
    for (const auto& r : records) {
      ChangeEvent e;
      PQ_RETURN_IF_ERROR(DecodeChange(r.payload, &e));
      if (e.collection == kLineageCollection) continue;  // internal view lineage
      e.seq = r.seq;
      out.push_back(std::move(e));
    }
    return out;
  }
  uint64_t next_seq() const override { return cursor_.next_seq; }

 private:
  log::Log* log_;
  Clock* clock_;
  log::LogCursor cursor_;
};

}  // namespace

DBImpl::DBImpl(const Options& options)
    : options_(options),
      env_(options.env ? options.env : Env::Default()),
      clock_(options.clock ? options.clock : Clock::Default()) {}

DBImpl::~DBImpl() {
  if (scheduler_) scheduler_->Stop();
  scheduler_.reset();
  if (log_) (void)log_->Close();
}

Result<std::unique_ptr<DB>> DBImpl::OpenImpl(const Options& options, const Value* schema) {
  std::unique_ptr<DBImpl> db(new DBImpl(options));
  PQ_RETURN_IF_ERROR(db->Init(schema));
  return std::unique_ptr<DB>(std::move(db));
}

Status DBImpl::Init(const Value* schema) {
  const std::string& dir = options_.path;
  if (dir.empty()) return Status::InvalidArgument("Options.path is empty");
  PQ_RETURN_IF_ERROR(env_->CreateDirs(dir));
  PQ_ASSIGN_OR_RETURN(lock_, env_->LockFile(dir + "/LOCK"));
  std::string schema_path = dir + "/schema.json";
  auto cat = std::make_unique<catalog::Catalog>();
  bool write_schema = false;  // only once every view of the new schema compiled
  if (env_->FileExists(schema_path)) {
    PQ_ASSIGN_OR_RETURN(std::string text, env_->ReadFileToString(schema_path));
    auto stored = catalog::Catalog::ParseJson(text);
    if (!stored.ok()) return stored.status().WithContext(schema_path);
    if (schema != nullptr) {
      PQ_ASSIGN_OR_RETURN(catalog::Catalog next, catalog::Catalog::Parse(*schema));
      PQ_RETURN_IF_ERROR(CheckSchemaEvolution(*stored, next));
      // Views registered through the API live in the stored schema only: keep them.
      {
        Value merged = next.ToValue();
        bool added = false;
        for (const catalog::ViewDef& v : stored->views()) {
          if (merged.Find(v.name()) == nullptr) {
            merged.Set(v.name(), v.definition());
            added = true;
          }
        }
        if (added) {
          PQ_ASSIGN_OR_RETURN(next, catalog::Catalog::Parse(merged));
        }
      }
      *cat = std::move(next);
      write_schema = true;
    } else {
      *cat = std::move(*stored);
    }
  } else {
    if (schema == nullptr) {
      return Status::NotFound("no database at " + dir + " (initialize it with a schema)");
    }
    PQ_ASSIGN_OR_RETURN(*cat, catalog::Catalog::Parse(*schema));
    write_schema = true;
  }
  catalog_.store(cat.get(), std::memory_order_release);
  catalogs_.push_back(std::move(cat));
  for (const catalog::CollectionDef& def : catalog().collections()) {
    auto t = std::make_unique<Table>();
    t->name = def.name();
    t->type_name = def.type_name();
    t->def = &def;
    PQ_ASSIGN_OR_RETURN(storage::RowCodec codec, storage::RowCodec::Make(TableSpecFor(def)));
    t->codec = std::make_unique<storage::RowCodec>(std::move(codec));
    tables_.emplace(def.name(), std::move(t));
  }
  // View tables (their maintainers are set up after recovery).
  for (const catalog::ViewDef& vd : catalog().views()) {
    auto v = std::make_unique<ViewRt>();
    v->name = vd.name();
    v->def = &vd;
    PQ_ASSIGN_OR_RETURN(v->spec, CompileView(vd, catalog()));
    PQ_ASSIGN_OR_RETURN(auto t, MakeViewTable(v.get()));
    v->table = t.get();
    tables_.emplace(vd.name(), std::move(t));
    views_.emplace(vd.name(), std::move(v));
  }
  // A schema is stored only after it fully validated: a rejected one leaves the
  // database as it was.
  if (write_schema) {
    PQ_RETURN_IF_ERROR(env_->WriteFileAtomic(schema_path, catalog().ToValue().ToJsonString()));
  }
  log::LogOptions lo;
  lo.env = env_;
  lo.clock = clock_;
  lo.segment_size = options_.log_segment_bytes;
  PQ_ASSIGN_OR_RETURN(log_, log::Log::Open(dir + "/log", lo));
  PQ_ASSIGN_OR_RETURN(store_, storage::NativeStore::Open(env_, clock_, dir));
  PQ_RETURN_IF_ERROR(Recover());
  PQ_RETURN_IF_ERROR(SetUpViews());
  return OpenLake();
}

Status DBImpl::Recover() {
  // Replay every logged change newer than the last flush into the memtables.
  const storage::Manifest& m = store_->current();
  last_seq_ = std::max<uint64_t>(m.flushed_seq, log_->LastSeq());
  last_ts_ = m.flushed_ts;
  uint64_t from = m.flushed_seq + 1;
  if (from <= log_->LastSeq() && from < log_->FirstSeq()) {
    return Status::Corruption("log starts at seq " + std::to_string(log_->FirstSeq()) +
                              " but the last flush covers only up to " +
                              std::to_string(m.flushed_seq));
  }
  log::LogCursor cursor;
  cursor.next_seq = from;
  while (cursor.next_seq <= log_->LastSeq()) {
    PQ_ASSIGN_OR_RETURN(auto records, log_->Read(&cursor, 4096));
    if (records.empty()) break;
    for (const auto& r : records) {
      ChangeEvent e;
      PQ_RETURN_IF_ERROR(
          DecodeChange(r.payload, &e).WithContext("log seq " + std::to_string(r.seq)));
      e.seq = r.seq;
      last_ts_ = std::max(last_ts_, e.timestamp);
      unflushed_++;
      last_change_[e.collection] = {e.seq, e.timestamp};
      if (!views_.empty()) recovered_events_.push_back(e);
      auto it = tables_.find(e.collection);
      if (it == tables_.end()) continue;  // not a table (lineage) or no longer in the schema
      storage::StoredRow row{e.id, r.seq, e.op == ChangeOp::kDelete, e.after};
      it->second->mem[e.id] = std::move(row);
    }
  }
  last_assigned_ts_ = last_ts_;
  return Status::OK();
}

Value DBImpl::schema() const { return catalog().ToValue(); }

std::vector<std::string> DBImpl::Collections() const {
  std::vector<std::string> out;
  for (const auto& c : catalog().collections()) out.push_back(c.name());
  return out;
}

DBImpl::Table* DBImpl::FindTableByName(std::string_view name) {
  std::shared_lock<std::shared_mutex> l(schema_mu_);
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : it->second.get();
}

Result<DBImpl::Table*> DBImpl::FindTable(std::string_view collection) {
  std::shared_lock<std::shared_mutex> l(schema_mu_);
  auto it = tables_.find(collection);
  if (it != tables_.end()) return it->second.get();
  const catalog::Catalog& cat = catalog();
  if (const catalog::CollectionDef* def = cat.FindCollectionByType(collection)) {
    auto t = tables_.find(def->name());
    if (t != tables_.end()) return t->second.get();
  }
  if (const catalog::ViewDef* def = cat.FindViewByType(collection)) {
    auto t = tables_.find(def->name());
    if (t != tables_.end()) return t->second.get();
  }
  std::string known;
  for (const auto& c : cat.collections()) known += (known.empty() ? "" : ", ") + c.name();
  std::string views;
  for (const auto& v : cat.views()) views += (views.empty() ? "" : ", ") + v.name();
  return Status::NotFound("no collection '" + std::string(collection) + "' (collections: " +
                          known + (views.empty() ? "" : "; views: " + views) + ")");
}

// Ids: 26-character, time-ordered (ULID layout, Crockford base32): 48 bits of
// milliseconds, 80 random bits, incremented within the same millisecond.
Result<std::string> DBImpl::NewId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t ms = static_cast<uint64_t>(std::max<int64_t>(0, clock_->NowMicros() / 1000));
  unsigned __int128 rnd;
  if (ms <= last_id_millis_) {
    ms = last_id_millis_;
    rnd = last_id_random_ + 1;
  } else {
    rnd = (static_cast<unsigned __int128>(rng() & 0xFFFF) << 64) | rng();
  }
  rnd &= (static_cast<unsigned __int128>(1) << 80) - 1;
  last_id_millis_ = ms;
  last_id_random_ = rnd;
  static const char* kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::string id(26, '0');
  unsigned __int128 v = (static_cast<unsigned __int128>(ms & 0xFFFFFFFFFFFFULL) << 80) | rnd;
  for (int i = 25; i >= 0; i--) {
    id[static_cast<size_t>(i)] = kAlphabet[static_cast<size_t>(v & 31)];
    v >>= 5;
  }
  return id;
}

Result<std::shared_ptr<parquet::FileReader>> DBImpl::OpenFile(const storage::DataFile& f) {
  {
    std::lock_guard<std::mutex> l(cache_mu_);
    auto it = readers_.find(f.path);
    if (it != readers_.end()) return it->second;
  }
  PQ_ASSIGN_OR_RETURN(auto reader, store_->OpenDataFile(f));
  std::shared_ptr<parquet::FileReader> shared(std::move(reader));
  std::lock_guard<std::mutex> l(cache_mu_);
  readers_[f.path] = shared;
  return shared;
}

Result<std::shared_ptr<const std::vector<storage::StoredRow>>> DBImpl::ReadRowGroup(
    const Table& t, const storage::DataFile& f, parquet::FileReader& reader, int rg) {
  if (auto cached = CachedRowGroup(f, rg)) return cached;
  std::string key = f.path + "#" + std::to_string(rg);
  std::vector<parquet::ColumnVector> cols(reader.schema().num_leaves());
  for (size_t l = 0; l < cols.size(); l++) {
    PQ_RETURN_IF_ERROR(reader.ReadColumnChunk(rg, static_cast<int>(l), &cols[l]));
  }
  auto rows = std::make_shared<std::vector<storage::StoredRow>>();
  PQ_RETURN_IF_ERROR(CodecFor(t, reader.schema())
                         .Decode(reader.schema(), cols,
                                 reader.metadata().row_groups[static_cast<size_t>(rg)].num_rows,
                                 rows.get())
                         .WithContext(f.path));
  PQ_RETURN_IF_ERROR(FinishViewRows(t, reader.schema(), rows.get()).WithContext(f.path));
  std::lock_guard<std::mutex> l(cache_mu_);
  rg_cache_.emplace_front(key, rows);
  rg_cache_rows_ += rows->size();
  while (rg_cache_rows_ > kRowGroupCacheRows && rg_cache_.size() > 1) {
    rg_cache_rows_ -= rg_cache_.back().second->size();
    rg_cache_.pop_back();
  }
  return std::shared_ptr<const std::vector<storage::StoredRow>>(rows);
}

Status DBImpl::MakeAsOfView(const Table& t, int64_t as_of, ReadView* view) {
  (void)t;
  std::vector<storage::ManifestInfo> hist = store_->History();
  const storage::ManifestInfo* base = nullptr;
  for (const auto& h : hist) {
    if (h.flushed_ts <= as_of) base = &h;  // history is oldest first
  }
  if (base == nullptr) {
    return Status::InvalidArgument("as_of " + FormatTimestampMicros(as_of) +
                                   " is before the retained history (horizon " +
                                   FormatTimestampMicros(HistoryHorizon()) + ")");
  }
  // A per-view vacuum (VacuumView) dropped that view's older history.
  const auto& horizons = store_->current().horizons;
  if (auto h = horizons.find(t.name); h != horizons.end() && as_of < h->second) {
    return Status::InvalidArgument("as_of " + FormatTimestampMicros(as_of) + " is before the " +
                                   "retained history of view " + t.name + " (horizon " +
                                   FormatTimestampMicros(h->second) + ")");
  }
  PQ_ASSIGN_OR_RETURN(view->manifest, store_->Load(base->version));
  uint64_t from = base->flushed_seq + 1;
  if (from <= log_->LastSeq() && from < log_->FirstSeq()) {
    return Status::InvalidArgument("as_of " + FormatTimestampMicros(as_of) +
                                   " needs log entries that were vacuumed");
  }
  log::LogCursor cursor;
  cursor.next_seq = from;
  bool done = false;
  while (!done && cursor.next_seq <= log_->LastSeq()) {
    PQ_ASSIGN_OR_RETURN(auto records, log_->Read(&cursor, 4096));
    if (records.empty()) break;
    for (const auto& r : records) {
      ChangeEvent e;
      PQ_RETURN_IF_ERROR(DecodeChange(r.payload, &e));
      if (e.timestamp > as_of) {
        done = true;
        break;
      }
      if (e.collection != t.name) continue;
      view->replay[e.id] = storage::StoredRow{e.id, r.seq, e.op == ChangeOp::kDelete, e.after};
    }
  }
  view->mem = &view->replay;
  return Status::OK();
}

Result<Value> DBImpl::Get(std::string_view collection, std::string_view id,
                          std::optional<int64_t> as_of) {
  PQ_ASSIGN_OR_RETURN(Table * t, FindTable(collection));
  std::optional<Value> doc;
  if (as_of) {
    ReadView view;
    PQ_RETURN_IF_ERROR(MakeAsOfView(*t, *as_of, &view));
    PQ_ASSIGN_OR_RETURN(doc, Lookup(*t, view, id));
  } else {
    std::shared_lock<std::shared_mutex> l(mu_);
    ReadView view;
    view.manifest = store_->current();
    view.mem = &t->mem;
    // Keyed views ($projection oltp/default) serve repeated point reads from decoded
    // row groups (db_projection.cc).
    PQ_ASSIGN_OR_RETURN(doc, Lookup(*t, view, id, t->view != nullptr && !t->columnar));
  }
  if (!doc) {
    return Status::NotFound(std::string(collection) + " has no document with $id '" +
                            std::string(id) + "'");
  }
  return std::move(*doc);
}

Result<std::vector<Value>> DBImpl::Find(std::string_view collection, const Value& filter_spec,
                                        const FindOptions& options) {
  PQ_ASSIGN_OR_RETURN(Table * t, FindTable(collection));
  PQ_ASSIGN_OR_RETURN(query::Filter filter, filter_spec.is_null()
                                                ? Result<query::Filter>(query::Filter())
                                                : query::Filter::Parse(filter_spec));
  PQ_ASSIGN_OR_RETURN(auto sort_keys, query::ParseSort(options.sort));
  PQ_ASSIGN_OR_RETURN(query::Projection projection, query::Projection::Parse(options.project));
  if (options.skip < 0) return Status::InvalidArgument("skip must be >= 0");
  std::vector<Value> docs;
  auto collect = [&](Value&& d) { docs.push_back(std::move(d)); };
  if (options.as_of) {
    ReadView view;
    PQ_RETURN_IF_ERROR(MakeAsOfView(*t, *options.as_of, &view));
    PQ_RETURN_IF_ERROR(Scan(ScanTableFor(*t, view.manifest), view, filter, collect));
  } else {
    std::shared_lock<std::shared_mutex> l(mu_);
    ReadView view;
    view.manifest = store_->current();
    view.mem = &t->mem;
    // Views keyed by the filter's equality on their key: a point lookup (db_projection.cc).
    PQ_ASSIGN_OR_RETURN(std::optional<std::vector<Value>> hit, KeyedFind(*t, view, filter));
    if (hit) {
      docs = std::move(*hit);
    } else {
      PQ_RETURN_IF_ERROR(Scan(ScanTableFor(*t, view.manifest), view, filter, collect));
    }
  }
  query::SortDocuments(&docs, sort_keys);
  size_t begin = std::min(docs.size(), static_cast<size_t>(options.skip));
  size_t end = options.limit < 0
                   ? docs.size()
                   : std::min(docs.size(), begin + static_cast<size_t>(options.limit));
  std::vector<Value> out;
  out.reserve(end - begin);
  for (size_t i = begin; i < end; i++) {
    Value d = std::move(docs[i]);
    for (const std::string& inc : options.include) {
      if (t->def == nullptr) {
        return Status::InvalidArgument("include is not supported on views (" + t->name + ")");
      }
      PQ_RETURN_IF_ERROR(Include(*t->def, inc, &d, nullptr, options.as_of, 0));
    }
    out.push_back(projection.Apply(d));
  }
  return out;
}

Status DBImpl::Include(const catalog::CollectionDef& def, const std::string& path, Value* doc,
                       const ReadView* view_hint, std::optional<int64_t> as_of, int depth) {
  (void)view_hint;
  if (depth > 8) return Status::InvalidArgument("include path too deep: " + path);
  size_t dot = path.find('.');
  std::string head = path.substr(0, dot);
  std::string rest = dot == std::string::npos ? "" : path.substr(dot + 1);
  const catalog::FieldDef* f = def.FindField(head);
  if (f == nullptr || !f->type.is_relation()) {
    return Status::InvalidArgument("include '" + head + "': " + def.name() +
                                   " has no relation field '" + head + "'");
  }
  const catalog::CollectionDef* target = catalog().FindCollection(f->type.target);
  if (target == nullptr)
    return Status::InvalidArgument("relation target missing: " + f->type.target);
  auto expand = [&](Value* related) -> Status {
    if (!rest.empty() && related->kind() == Value::Kind::kObject) {
      PQ_RETURN_IF_ERROR(Include(*target, rest, related, nullptr, as_of, depth + 1));
    }
    return Status::OK();
  };
  if (f->type.kind == catalog::TypeKind::kRelation) {
    const Value* ref = doc->Find(head);
    if (ref == nullptr || ref->is_null()) return Status::OK();
    auto resolve = [&](const Value& id) -> Result<Value> {
      if (id.kind() != Value::Kind::kString) return Value();
      auto r = Get(target->name(), id.as_string(), as_of);
      if (r.status().IsNotFound()) return Value();
      return r;
    };
    if (ref->kind() == Value::Kind::kArray) {
      Value::Array arr;
      for (const Value& id : ref->as_array()) {
        PQ_ASSIGN_OR_RETURN(Value related, resolve(id));
        PQ_RETURN_IF_ERROR(expand(&related));
        arr.push_back(std::move(related));
      }
      doc->Set(head, Value::MakeArray(std::move(arr)));
    } else {
      PQ_ASSIGN_OR_RETURN(Value related, resolve(*ref));
      PQ_RETURN_IF_ERROR(expand(&related));
      doc->Set(head, std::move(related));
    }
    return Status::OK();
  }
  // Reverse relation: documents of the target whose inverse field holds our $id.
  const Value* id = doc->Find("$id");
  if (id == nullptr) return Status::OK();
  FindOptions fo;
  fo.as_of = as_of;
  Value filter = Value::MakeObject();
  filter.Set(f->type.inverse, *id);
  PQ_ASSIGN_OR_RETURN(std::vector<Value> related, Find(target->name(), filter, fo));
  for (Value& r : related) PQ_RETURN_IF_ERROR(expand(&r));
  doc->Set(head, Value::MakeArray(std::move(related)));
  return Status::OK();
}

Result<int64_t> DBImpl::Count(std::string_view collection, const Value& filter,
                              std::optional<int64_t> as_of) {
  FindOptions fo;
  fo.as_of = as_of;
  PQ_ASSIGN_OR_RETURN(auto docs, Find(collection, filter, fo));
  return static_cast<int64_t>(docs.size());
}

Result<Value> DBImpl::Insert(std::string_view collection, const Value& doc) {
  WriteBatch b;
  b.Insert(std::string(collection), doc);
  std::vector<Value> results;
  PQ_RETURN_IF_ERROR(Write(b, &results));
  return std::move(results[0]);
}

Result<std::vector<Value>> DBImpl::InsertMany(std::string_view collection,
                                              const std::vector<Value>& docs) {
  WriteBatch b;
  for (const Value& d : docs) b.Insert(std::string(collection), d);
  std::vector<Value> results;
  PQ_RETURN_IF_ERROR(Write(b, &results));
  return results;
}

Result<Value> DBImpl::Update(std::string_view collection, std::string_view id,
                             const Value& update) {
  WriteBatch b;
  b.Update(std::string(collection), std::string(id), update);
  std::vector<Value> results;
  PQ_RETURN_IF_ERROR(Write(b, &results));
  return std::move(results[0]);
}

Status DBImpl::Delete(std::string_view collection, std::string_view id) {
  WriteBatch b;
  b.Delete(std::string(collection), std::string(id));
  return Write(b, nullptr);
}

// Write path (group commit):
//   1. under write_mu_: validate against the applied state plus the overlay of
//      appended-but-unapplied batches, append to the log without fsync, queue the
//      batch as pending;
//   2. without locks: log Sync() -- concurrent writers share one fdatasync;
//   3. ApplyCommitted(): apply every durable pending batch in sequence order to the
//      memtables and notify listeners. When it returns, this batch is visible.
Status DBImpl::Write(const WriteBatch& batch, std::vector<Value>* results) {
  if (batch.size() == 0) return Status::OK();
  {
    std::lock_guard<std::mutex> w(write_mu_);
    PQ_RETURN_IF_ERROR(AppendLocked(batch, results));
  }
  if (options_.sync) PQ_RETURN_IF_ERROR(log_->Sync());
  ApplyCommitted();
  bool flush;
  {
    std::shared_lock<std::shared_mutex> l(mu_);
    flush = options_.auto_flush_events > 0 && unflushed_ >= options_.auto_flush_events;
  }
  if (flush) PQ_RETURN_IF_ERROR(Flush());
  return Status::OK();
}

void DBImpl::ApplyCommitted() {
  std::lock_guard<std::mutex> a(apply_mu_);
  while (true) {
    PendingBatch b;
    {
      std::lock_guard<std::mutex> w(write_mu_);
      if (pending_.empty()) break;
      uint64_t durable = options_.sync ? log_->LastDurableSeq() : log_->LastSeq();
      if (pending_.front().last_seq > durable) break;
      b = std::move(pending_.front());
      pending_.pop_front();
    }
    {
      std::shared_lock<std::shared_mutex> sl(schema_mu_);
      std::unique_lock<std::shared_mutex> l(mu_);
      for (const ChangeEvent& e : b.events) {
        auto t = tables_.find(e.collection);
        if (t == tables_.end()) continue;  // a $lineage record
        t->second->mem[e.id] = storage::StoredRow{e.id, e.seq, e.op == ChangeOp::kDelete, e.after};
        if (!rev_index_.empty()) IndexAppliedEvent(e);
      }
      last_seq_ = b.last_seq;
      last_ts_ = b.timestamp;
      unflushed_ += b.events.size();
    }
    {
      std::lock_guard<std::mutex> w(write_mu_);
      for (const ChangeEvent& e : b.events) {
        auto it = overlay_.find({e.collection, e.id});
        if (it != overlay_.end() && it->second.first == e.seq) overlay_.erase(it);
      }
    }
    std::lock_guard<std::mutex> l(listeners_mu_);
    if (listeners_.empty()) continue;
    if (std::any_of(b.events.begin(), b.events.end(), [](const ChangeEvent& e) {
          return e.collection == kLineageCollection;
        })) {
      std::vector<ChangeEvent> visible;
      for (ChangeEvent& e : b.events) {
        if (e.collection != kLineageCollection) visible.push_back(std::move(e));
      }
      if (visible.empty()) continue;
      b.events = std::move(visible);
    }
    for (auto& [id, fn] : listeners_) fn(b.events);
  }
}

Status DBImpl::AppendLocked(const WriteBatch& batch, std::vector<Value>* results) {
  int64_t ts = std::max(clock_->NowMicros(), last_assigned_ts_);
  // Validate every operation against the current state plus the earlier operations
  // of this batch; nothing is written unless all succeed.
  Staged staged;
  std::vector<ChangeEvent> events;
  events.reserve(batch.size());
  std::vector<Value> out;
  out.reserve(batch.size());
  ReadView view;
  view.manifest = store_->current();  // stable: only writers change it, and we are one
  for (size_t i = 0; i < batch.size(); i++) {
    const WriteBatch::Op& op = batch.ops()[i];
    auto ctx = [&](const Status& s) {
      return batch.size() == 1 ? s : s.WithContext("operation " + std::to_string(i));
    };
    auto table = FindTable(op.collection);
    if (!table.ok()) return ctx(table.status());
    Table* t = *table;
    if (t->view != nullptr) {
      return ctx(Status::InvalidArgument(
          op.collection + " is a view; views are read-only (maintained from their source " +
          t->view->spec->source() + ")"));
    }
    view.mem = &t->mem;
    auto current = [&](const std::string& id) -> Result<std::optional<Value>> {
      auto it = staged.find({t->name, id});
      if (it != staged.end()) return it->second;
      auto ov = overlay_.find({t->name, id});
      if (ov != overlay_.end()) return ov->second.second;
      std::shared_lock<std::shared_mutex> l(mu_);  // ApplyCommitted may be changing mem
      return Lookup(*t, view, id);
    };
    ChangeEvent e;
    e.collection = t->name;
    e.timestamp = ts;
    e.op = op.op;
    if (op.op == ChangeOp::kCreate) {
      auto valid = t->def->ValidateDocument(op.value, catalog::DocumentMode::kCreate);
      if (!valid.ok()) return ctx(valid.status());
      std::string id;
      if (const Value* given = valid->Find("$id")) {
        id = given->as_string();
        auto cur = current(id);
        if (!cur.ok()) return ctx(cur.status());
        if (cur->has_value()) {
          return ctx(Status::AlreadyExists(t->name + " already has a document with $id '" +
                                           id + "'"));
        }
      } else {
        PQ_ASSIGN_OR_RETURN(id, NewId());
      }
      Value::Object doc;
      doc.reserve(valid->as_object().size() + 5);
      doc.emplace_back("$id", Value::String(id));
      doc.emplace_back("$type", Value::String(t->def->type_name()));
      for (const auto& [k, v] : valid->as_object()) {
        if (k != "$id") doc.emplace_back(k, v);
      }
      doc.emplace_back("createdAt", Value::Timestamp(ts));
      doc.emplace_back("updatedAt", Value::Timestamp(ts));
      doc.emplace_back("version", Value::Int(1));
      e.id = id;
      e.after = Value::MakeObject(std::move(doc));
    } else {
      e.id = op.id;
      auto cur = current(op.id);
      if (!cur.ok()) return ctx(cur.status());
      if (!cur->has_value()) {
        return ctx(Status::NotFound(t->name + " has no document with $id '" + op.id + "'"));
      }
      e.before = **cur;
      if (op.op == ChangeOp::kUpdate) {
        auto patched = query::ApplyUpdate(UserFields(e.before), op.value);
        if (!patched.ok()) return ctx(patched.status().WithContext(t->name));
        auto valid = t->def->ValidateDocument(*patched, catalog::DocumentMode::kReplace);
        if (!valid.ok()) return ctx(valid.status());
        Value::Object doc;
        doc.emplace_back("$id", Value::String(op.id));
        doc.emplace_back("$type", Value::String(t->def->type_name()));
        for (const auto& [k, v] : valid->as_object()) {
          if (k != "$id") doc.emplace_back(k, v);
        }
        const Value* created = e.before.Find("createdAt");
        const Value* version = e.before.Find("version");
        doc.emplace_back("createdAt", created ? *created : Value::Timestamp(ts));
        doc.emplace_back("updatedAt", Value::Timestamp(ts));
        doc.emplace_back("version", Value::Int((version ? version->as_int() : 0) + 1));
        e.after = Value::MakeObject(std::move(doc));
      }
    }
    staged[{e.collection, e.id}] =
        e.op == ChangeOp::kDelete ? std::optional<Value>() : std::optional<Value>(e.after);
    out.push_back(e.after);
    events.push_back(std::move(e));
    if (options_.progress && ((i + 1) % kProgressEvery == 0 || i + 1 == batch.size())) {
      ReportProgress(options_.progress, "write", t->name, "documents",
                     static_cast<int64_t>(i + 1), static_cast<int64_t>(batch.size()));
    }
  }
  if (!views_.empty()) {
    Status vs = MaintainViewsLocked(ts, &staged, &events, 0);
    if (!vs.ok()) return vs;
  }
  std::vector<std::string> payloads;
  payloads.reserve(events.size());
  for (const ChangeEvent& e : events) payloads.push_back(EncodeChange(e));
  auto appended = log_->Append(std::move(payloads), /*sync=*/false);
  if (!appended.ok()) {
    // The streaming maintainers already hold this batch: rebuild them on next use.
    for (ViewRt* v : views_order_) {
      if (v->streaming()) v->maint.reset();
    }
    return appended.status();
  }
  uint64_t first_seq = *appended;
  PendingBatch b;
  b.first_seq = first_seq;
  b.last_seq = first_seq + events.size() - 1;
  b.timestamp = ts;
  for (size_t i = 0; i < events.size(); i++) {
    ChangeEvent& e = events[i];
    e.seq = first_seq + i;
    overlay_[{e.collection, e.id}] = {
        e.seq, e.op == ChangeOp::kDelete ? std::optional<Value>() : std::optional<Value>(e.after)};
  }
  b.events = std::move(events);
  NoteSourceChangesLocked(b.events, 0);
  pending_.push_back(std::move(b));
  last_assigned_ts_ = ts;
  if (results) *results = std::move(out);
  return Status::OK();
}

Status DBImpl::Flush() {
  std::lock_guard<std::mutex> a(apply_mu_);
  std::lock_guard<std::mutex> w(write_mu_);
  return FlushLocked();
}

Status DBImpl::FlushLocked() {
  if (unflushed_ == 0) return Status::OK();
  storage::Manifest m = store_->current();
  parquet::WriterOptions wo;
  wo.row_group_rows = options_.row_group_rows;
  // The view checkpoint must not be ahead of the durable log.
  if (!views_.empty()) PQ_RETURN_IF_ERROR(log_->Sync());
  const bool mirror = LakeActive();  // Iceberg/Delta tables follow (db_lake.cc)
  std::map<std::string, std::vector<storage::StoredRow>> flushed;
  int64_t flush_total = 0, flush_done = 0;  // rows, for options_.progress
  for (const auto& entry : tables_) flush_total += static_cast<int64_t>(entry.second->mem.size());
  for (auto& [name, t] : tables_) {
    if (t->mem.empty()) continue;
    if (t->view != nullptr) {  // its $projection's layout(s) (db_projection.cc)
      std::vector<storage::StoredRow> rows;
      PQ_RETURN_IF_ERROR(FlushViewLocked(t.get(), &m, wo, mirror ? &rows : nullptr));
      if (mirror) flushed[name] = std::move(rows);
      flush_done += static_cast<int64_t>(t->mem.size());
      ReportProgress(options_.progress, "flush", name, "rows", flush_done, flush_total);
      continue;
    }
    // One row group at a time (the writer cuts row groups at row_group_rows anyway).
    Table* table = t.get();
    PQ_ASSIGN_OR_RETURN(auto builder, store_->NewDataFile(*table->codec, &m.next_file_id, wo));
    std::vector<storage::StoredRow> group, all;  // all: every row, when mirrored
    auto add_group = [&]() -> Status {
      PQ_RETURN_IF_ERROR(builder->Add(group));
      flush_done += static_cast<int64_t>(group.size());
      ReportProgress(options_.progress, "flush", table->name, "rows", flush_done, flush_total);
      if (mirror) std::move(group.begin(), group.end(), std::back_inserter(all));
      group.clear();
      return Status::OK();
    };
    for (const auto& [id, row] : table->mem) {
      group.push_back(table->view != nullptr ? EncodeViewRow(*table, row) : row);
      if (static_cast<int64_t>(group.size()) >= options_.row_group_rows) {
        PQ_RETURN_IF_ERROR(add_group());
      }
    }
    if (!group.empty()) PQ_RETURN_IF_ERROR(add_group());
    PQ_ASSIGN_OR_RETURN(storage::DataFile df, builder->Finish());
    m.tables[name].files.push_back(std::move(df));
    if (mirror) flushed[name] = std::move(all);
  }
  m.flushed_seq = last_seq_;
  m.flushed_ts = last_ts_;
  bool compact = false;
  if (options_.auto_compact_files > 0) {
    for (auto& [name, t] : tables_) {
      if (NeedsCompaction(*t, m)) {
        PQ_RETURN_IF_ERROR(CompactTableLocked(t.get(), &m));
        compact = true;
      }
    }
  }
  (void)compact;
  if (!views_.empty()) PQ_RETURN_IF_ERROR(SaveViewCheckpoint(m.flushed_seq));
  {
    std::unique_lock<std::shared_mutex> l(mu_);
    PQ_RETURN_IF_ERROR(store_->Commit(&m));
    for (auto& [name, t] : tables_) t->mem.clear();
    unflushed_ = 0;
  }
  if (mirror) PQ_RETURN_IF_ERROR(LakeAfterFlushLocked(m, flushed));
  // Checkpoints of older manifests are no longer needed.
  auto names = env_->GetChildren(options_.path + "/views");
  if (names.ok()) {
    std::string keep = CheckpointName(m.flushed_seq);
    for (const std::string& n : *names) {
      if (n != keep) (void)env_->RemoveFile(options_.path + "/views/" + n);
    }
  }
  return Status::OK();
}

// Merges a table's files (each sorted by $id) into one, newest version per $id,
// dropping deletions; streams one row group per input file at a time.
Status DBImpl::CompactTableLocked(Table* t, storage::Manifest* m) {
  if (t->view != nullptr) {
    if (t->olap) PQ_RETURN_IF_ERROR(CompactViewLocked(t->olap.get(), m));
    PQ_ASSIGN_OR_RETURN(bool mixed, HasColumnarFiles(*t, *m));
    if (t->columnar || mixed) return CompactViewLocked(t, m);
  }
  auto it = m->tables.find(t->name);
  if (it == m->tables.end() || it->second.files.size() <= 1) return Status::OK();
  const auto& files = it->second.files;
  struct Cursor {
    std::shared_ptr<parquet::FileReader> reader;
    const storage::DataFile* file;
    int rg = -1;
    std::shared_ptr<const std::vector<storage::StoredRow>> rows;
    size_t pos = 0;
  };
  std::vector<Cursor> cursors(files.size());
  int64_t rows_in = 0, rows_read = 0;  // for options_.progress
  for (const storage::DataFile& f : files) rows_in += f.rows;
  auto advance = [&](Cursor& c) -> Status {
    while (!c.rows || c.pos >= c.rows->size()) {
      c.rg++;
      c.pos = 0;
      if (c.rg >= c.reader->num_row_groups()) {
        c.rows.reset();
        return Status::OK();
      }
      PQ_ASSIGN_OR_RETURN(c.rows, ReadRowGroup(*t, *c.file, *c.reader, c.rg));
      rows_read += static_cast<int64_t>(c.rows->size());
      ReportProgress(options_.progress, "compact", t->name, "rows", rows_read, rows_in);
    }
    return Status::OK();
  };
  for (size_t i = 0; i < files.size(); i++) {
    cursors[i].file = &files[i];
    PQ_ASSIGN_OR_RETURN(cursors[i].reader, OpenFile(files[i]));
    PQ_RETURN_IF_ERROR(advance(cursors[i]));
  }
  parquet::WriterOptions wo;
  wo.row_group_rows = options_.row_group_rows;
  PQ_ASSIGN_OR_RETURN(auto builder, store_->NewDataFile(*t->codec, &m->next_file_id, wo));
  std::vector<storage::StoredRow> out;  // one output row group at a time
  int64_t total = 0;
  auto alive = [&](const Cursor& c) { return c.rows && c.pos < c.rows->size(); };
  while (true) {
    // Smallest id; among equal ids the newest file (highest index) wins.
    int best = -1;
    for (int i = 0; i < static_cast<int>(cursors.size()); i++) {
      if (!alive(cursors[static_cast<size_t>(i)])) continue;
      if (best < 0) {
        best = i;
        continue;
      }
      const std::string& a =
          (*cursors[static_cast<size_t>(i)].rows)[cursors[static_cast<size_t>(i)].pos].id;
      const std::string& b =
          (*cursors[static_cast<size_t>(best)].rows)[cursors[static_cast<size_t>(best)].pos].id;
      if (a < b || (a == b && i > best)) best = i;
    }
    if (best < 0) break;
    storage::StoredRow winner =
        (*cursors[static_cast<size_t>(best)].rows)[cursors[static_cast<size_t>(best)].pos];
    for (Cursor& c : cursors) {
      while (alive(c) && (*c.rows)[c.pos].id == winner.id) {
        c.pos++;
        if (c.pos >= c.rows->size()) PQ_RETURN_IF_ERROR(advance(c));
      }
    }
    if (!winner.deleted) {
      out.push_back(t->view != nullptr ? EncodeViewRow(*t, winner) : std::move(winner));
      total++;
      if (static_cast<int64_t>(out.size()) >= options_.row_group_rows) {
        PQ_RETURN_IF_ERROR(builder->Add(out));
        out.clear();
      }
    }
  }
  PQ_RETURN_IF_ERROR(builder->Add(out));
  PQ_ASSIGN_OR_RETURN(storage::DataFile df, builder->Finish());
  it->second.files.clear();
  // An empty result needs no file; the unreferenced one is removed on the next open.
  if (total > 0) it->second.files.push_back(std::move(df));
  return Status::OK();
}

Status DBImpl::Compact() {
  std::lock_guard<std::mutex> a(apply_mu_);
  std::lock_guard<std::mutex> w(write_mu_);
  PQ_RETURN_IF_ERROR(FlushLocked());
  storage::Manifest m = store_->current();
  bool changed = false;
  for (auto& [name, t] : tables_) {
    auto it = m.tables.find(name);
    if (it == m.tables.end() || it->second.files.size() <= 1) continue;
    PQ_RETURN_IF_ERROR(CompactTableLocked(t.get(), &m));
    changed = true;
  }
  if (!changed) return Status::OK();
  std::unique_lock<std::shared_mutex> l(mu_);
  return store_->Commit(&m);
}

Status DBImpl::Vacuum(int64_t retention_micros) {
  if (retention_micros < 0) return Status::InvalidArgument("retention must be >= 0");
  std::lock_guard<std::mutex> a(apply_mu_);
  std::lock_guard<std::mutex> w(write_mu_);
  int64_t cutoff = clock_->NowMicros() - retention_micros;
  storage::ManifestInfo oldest;
  {
    std::unique_lock<std::shared_mutex> l(mu_);
    PQ_ASSIGN_OR_RETURN(oldest, store_->Vacuum(cutoff, [this](int64_t examined, int64_t total,
                                                             int64_t removed) {
      ReportProgress(options_.progress, "vacuum", "", "files", examined, total, removed);
    }));
    std::lock_guard<std::mutex> c(cache_mu_);
    readers_.clear();
    rg_cache_.clear();
    rg_cache_rows_ = 0;
  }
  // Iceberg/Delta history older than the cutoff goes too (db_lake.cc).
  if (lake_ != nullptr) PQ_RETURN_IF_ERROR(lake_->Expire(cutoff));
  // Log entries at or below the oldest kept manifest are no longer needed for
  // recovery or time travel.
  return log_->DropSegmentsBefore(oldest.flushed_seq + 1);
}

int64_t DBImpl::HistoryHorizon() const {
  auto hist = store_->History();
  return hist.empty() ? 0 : hist.front().flushed_ts;
}

uint64_t DBImpl::LastSequence() const {
  std::shared_lock<std::shared_mutex> l(mu_);
  return last_seq_;
}

Result<std::vector<ChangeEvent>> DBImpl::ReadChanges(uint64_t from_seq, size_t max_events) {
  LogChangeStream s(log_.get(), clock_, from_seq);
  return s.Next(max_events, 0);
}

Result<std::unique_ptr<ChangeStream>> DBImpl::Subscribe(uint64_t from_seq) {
  if (from_seq == 0) from_seq = 1;
  if (from_seq < log_->FirstSeq() && from_seq <= log_->LastSeq()) {
    return Status::NotFound("changes before seq " + std::to_string(log_->FirstSeq()) +
                            " were vacuumed");
  }
  return std::unique_ptr<ChangeStream>(new LogChangeStream(log_.get(), clock_, from_seq));
}

uint64_t DBImpl::AddListener(ChangeListener listener) {
  std::lock_guard<std::mutex> l(listeners_mu_);
  uint64_t id = next_listener_id_++;
  listeners_[id] = std::move(listener);
  return id;
}

void DBImpl::RemoveListener(uint64_t id) {
  std::lock_guard<std::mutex> l(listeners_mu_);
  listeners_.erase(id);
}

}  // namespace db
Value ViewState::ToJson() const {
  Value o = Value::MakeObject();
  o.Set("name", Value::String(name));
  o.Set("type", Value::String(type_name));
  o.Set("source", Value::String(source));
  o.Set("mode", Value::String(mode));
  o.Set("state", Value::String(state));
  auto ts = [](const std::optional<int64_t>& t) {
    return t ? Value::String(FormatTimestampMicros(*t)) : Value();
  };
  o.Set("lastRefresh", ts(last_refresh));
  o.Set("staleSince", ts(stale_since));
  o.Set("nextRefresh", ts(next_refresh));
  Value snaps = Value::MakeObject();
  for (const auto& [src, seq] : source_snapshots) snaps.Set(src, Value::Int(static_cast<int64_t>(seq)));
  o.Set("sourceSnapshots", std::move(snaps));
  Value current = Value::MakeObject();
  for (const auto& [src, seq] : source_sequences) current.Set(src, Value::Int(static_cast<int64_t>(seq)));
  o.Set("sourceSequences", std::move(current));
  o.Set("incremental", Value::Bool(incremental));
  o.Set("reason", Value::String(reason));
  o.Set("rows", Value::Int(rows));
  o.Set("definitionVersion", Value::String(std::to_string(definition_version)));
  o.Set("withinGracePeriod", Value::Bool(within_grace_period));
  o.Set("lastError", last_error.empty() ? Value() : Value::String(last_error));
  return o;
}

}  // namespace parquedb
