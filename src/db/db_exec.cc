// The columnar read path (src/exec) over a collection's live rows: ScanColumns (the
// scan operator: memtable rows, then per data file the row groups left after
// statistics pruning, superseded versions skipped exactly as Scan skips them, only
// the requested columns read), DB::Aggregate (SQL's GROUP BY) and the full refresh of
// aggregated views (ExecRebuildLocked).
#include <algorithm>
#include <atomic>

#include "db/db_impl.h"
#include "exec/convert.h"
#include "exec/hash_agg.h"

namespace parquedb::db {

namespace {

std::atomic<bool> g_columnar_refresh{true};
std::atomic<uint64_t> g_columnar_refreshes{0};

bool MatchAll(const query::Filter& filter) {
  return filter.spec().kind() != Value::Kind::kObject || filter.spec().as_object().empty();
}

// Index of field `f` in `fields`, appended when absent (the columns a scan decodes).
int ColumnOf(std::vector<std::string>* fields, const std::string& f) {
  auto it = std::find(fields->begin(), fields->end(), f);
  if (it != fields->end()) return static_cast<int>(it - fields->begin());
  fields->push_back(f);
  return static_cast<int>(fields->size() - 1);
}

// Batch of `fields` from documents.
Status ValuesBatch(const std::vector<const Value*>& docs, const std::vector<std::string>& fields,
                   exec::Batch* b) {
  b->num_rows = docs.size();
  b->columns.resize(fields.size());
  std::vector<const Value*> cells(docs.size());
  for (size_t k = 0; k < fields.size(); k++) {
    for (size_t i = 0; i < docs.size(); i++) cells[i] = docs[i]->Find(fields[k]);
    PQ_RETURN_IF_ERROR(exec::ValuesToColumn(cells, &b->columns[k]));
  }
  return Status::OK();
}

// The exec type a declared column reads as (NotSupported for variants and arrays; for
// the system fields of views, which their columnar layout does not hold).
Result<storage::ColumnKind> FieldKind(const storage::TableSpec& spec, const std::string& field,
                                      bool view = false) {
  if (field == "$id") return storage::ColumnKind::kString;
  const bool system = field == "createdAt" || field == "updatedAt" || field == "version";
  if (system && view) return Status::NotSupported("system field '" + field + "' of a view");
  if (field == "createdAt" || field == "updatedAt") return storage::ColumnKind::kTimestamp;
  if (field == "version") return storage::ColumnKind::kInt;
  for (const storage::ColumnSpec& c : spec.columns) {
    if (c.name != field) continue;
    if (c.is_array || c.kind == storage::ColumnKind::kVariant) {
      return Status::NotSupported("field '" + field + "' is not a typed scalar column");
    }
    if (c.kind == storage::ColumnKind::kDecimal && c.precision > 18) {
      return Status::NotSupported("field '" + field + "' is a decimal over 18 digits");
    }
    return c.kind;
  }
  return Status::NotSupported("field '" + field + "' is not a declared column");
}

bool IsNumeric(storage::ColumnKind k) {
  return k == storage::ColumnKind::kInt || k == storage::ColumnKind::kDouble ||
         k == storage::ColumnKind::kDecimal;
}

}  // namespace

bool ColumnarRefreshEnabled() { return g_columnar_refresh.load(); }
void SetColumnarRefreshEnabled(bool enabled) { g_columnar_refresh.store(enabled); }
uint64_t ColumnarRefreshCount() { return g_columnar_refreshes.load(); }

Status DBImpl::ScanColumns(const Table& t, const ReadView& view, const query::Filter& filter,
                           const std::vector<std::string>& fields,
                           const std::set<std::string, std::less<>>* exclude,
                           const std::function<Status(const exec::Batch&)>& fn) {
  const bool match_all = MatchAll(filter);
  const bool excluding = exclude != nullptr && !exclude->empty();
  exec::Batch batch;
  if (view.mem != nullptr && !view.mem->empty()) {
    std::vector<const Value*> docs;
    for (const auto& [id, row] : *view.mem) {
      if (row.deleted || (excluding && exclude->count(id) > 0)) continue;
      if (filter.Matches(row.doc)) docs.push_back(&row.doc);
    }
    if (!docs.empty()) {
      PQ_RETURN_IF_ERROR(ValuesBatch(docs, fields, &batch));
      PQ_RETURN_IF_ERROR(fn(batch));
    }
  }
  auto tf = view.manifest.tables.find(t.name);
  if (tf == view.manifest.tables.end()) return Status::OK();
  const auto& files = tf->second.files;
  PQ_ASSIGN_OR_RETURN(std::shared_ptr<const ShadowMap> shadows, Shadows(t, view.manifest));
  const std::vector<std::string> filter_fields = filter.ReferencedFields();
  std::vector<parquet::ColumnVector> cols;
  std::vector<uint32_t> selected;
  std::vector<char> loaded;
  for (size_t fi = 0; fi < files.size(); fi++) {
    PQ_ASSIGN_OR_RETURN(FileScan fs, OpenFileScan(t, view, *shadows, fi, filter));
    const parquet::Schema& schema = fs.reader->schema();
    const std::string& path = files[fi].path;
    std::vector<int> field_leaf(fields.size(), -1);
    for (size_t k = 0; k < fields.size(); k++) {
      field_leaf[k] = schema.FindLeaf(fields[k]);
      if (field_leaf[k] < 0) continue;
      int32_t scale = 0;
      PQ_RETURN_IF_ERROR(
          exec::LeafType(schema.leaves()[static_cast<size_t>(field_leaf[k])], &scale).status());
    }
    const int id_leaf = schema.FindLeaf("$id");
    const int deleted_leaf = schema.FindLeaf("$deleted");
    if (id_leaf < 0 || deleted_leaf < 0) return Status::Corruption(path + " lacks $id/$deleted");
    // View files: typed columns are exact only in columnar files, outside row groups
    // with "$spill" values; other row groups are decoded into their exact rows.
    const bool is_view = t.view != nullptr;
    const bool typed = !is_view || IsColumnarFile(t, schema);
    storage::RowCodec::FlatFilterPlan flat;
    if (!match_all && typed) {
      flat = CodecFor(t, schema).PlanFlatFilter(schema, filter_fields);
      if (!flat.usable && !is_view) return Status::NotSupported("the filter reads non-flat fields");
    }
    const bool need_ids = fs.MayHide() || excluding;
    auto hidden = [&](int rg, size_t i, std::string_view id) {
      return fs.Hidden(rg, i, id) || (excluding && exclude->count(id) > 0);
    };
    cols.assign(schema.num_leaves(), parquet::ColumnVector());
    for (int rg : fs.keep) {
      const size_t num_rows = static_cast<size_t>(
          fs.reader->metadata().row_groups[static_cast<size_t>(rg)].num_rows);
      if (is_view && (!typed || (!match_all && !flat.usable) || HasSpill(*fs.reader, rg))) {
        PQ_ASSIGN_OR_RETURN(auto rows, ReadRowGroup(t, files[fi], *fs.reader, rg));
        std::vector<const Value*> docs;
        for (size_t i = 0; i < rows->size(); i++) {
          const storage::StoredRow& r = (*rows)[i];
          if (r.deleted || hidden(rg, i, r.id)) continue;
          if (filter.Matches(r.doc)) docs.push_back(&r.doc);
        }
        if (docs.empty()) continue;
        PQ_RETURN_IF_ERROR(ValuesBatch(docs, fields, &batch));
        PQ_RETURN_IF_ERROR(fn(batch));
        continue;
      }
      loaded.assign(cols.size(), 0);
      auto load = [&](int leaf) -> Status {
        if (loaded[static_cast<size_t>(leaf)]) return Status::OK();
        parquet::ColumnVector& cv = cols[static_cast<size_t>(leaf)];
        cv.Clear();
        PQ_RETURN_IF_ERROR(fs.reader->ReadColumnChunk(rg, leaf, &cv));
        loaded[static_cast<size_t>(leaf)] = 1;
        return Status::OK();
      };
      selected.clear();
      if (match_all) {
        PQ_RETURN_IF_ERROR(load(deleted_leaf));
        if (need_ids) PQ_RETURN_IF_ERROR(load(id_leaf));
        const parquet::ColumnVector& dels = cols[static_cast<size_t>(deleted_leaf)];
        const parquet::ColumnVector& ids = cols[static_cast<size_t>(id_leaf)];
        if (dels.bools.size() != num_rows || (need_ids && ids.num_values() != num_rows)) {
          return Status::Corruption(path + ": $id/$deleted do not hold one value per row");
        }
        selected.reserve(num_rows);
        for (size_t i = 0; i < num_rows; i++) {
          if (dels.bools[i]) continue;
          if (need_ids && hidden(rg, i, ids.ByteArray(i))) continue;
          selected.push_back(static_cast<uint32_t>(i));
        }
      } else {
        for (int leaf : flat.leaves) PQ_RETURN_IF_ERROR(load(leaf));
        PQ_RETURN_IF_ERROR(t.codec
                               ->EvalFlatFilter(flat, schema, cols, static_cast<int64_t>(num_rows),
                                                filter,
                                                [&](size_t i, std::string_view id) {
                                                  return hidden(rg, i, id);
                                                },
                                                &selected)
                               .WithContext(path));
      }
      if (selected.empty()) continue;
      batch.num_rows = selected.size();
      batch.columns.resize(fields.size());
      for (size_t k = 0; k < fields.size(); k++) {
        if (field_leaf[k] < 0) {
          batch.columns[k].Reset(exec::Type::kNull, 0, selected.size());
          continue;
        }
        PQ_RETURN_IF_ERROR(load(field_leaf[k]));
        PQ_RETURN_IF_ERROR(exec::LeafToColumn(schema.leaves()[static_cast<size_t>(field_leaf[k])],
                                              cols[static_cast<size_t>(field_leaf[k])], num_rows,
                                              selected, &batch.columns[k])
                               .WithContext(path));
      }
      PQ_RETURN_IF_ERROR(fn(batch));
    }
  }
  return Status::OK();
}

Result<std::vector<DB::AggregateRow>> DBImpl::Aggregate(std::string_view collection,
                                                        const AggregateRequest& req) {
  PQ_ASSIGN_OR_RETURN(Table * t, FindTable(collection));
  PQ_ASSIGN_OR_RETURN(query::Filter filter,
                      req.filter.is_null() ? Result<query::Filter>(query::Filter())
                                           : query::Filter::Parse(req.filter));
  // Views: the kinds of their columnar layout (keyed files are decoded to exact rows).
  const bool is_view = t->view != nullptr;
  if (is_view && t->layout == nullptr) return Status::NotSupported("view without a layout");
  const storage::TableSpec& spec = is_view ? t->layout->columnar->spec() : t->codec->spec();
  std::vector<std::string> fields;
  auto column_of = [&](const std::string& f) { return ColumnOf(&fields, f); };
  std::vector<exec::KeyDef> keys;
  for (const AggregateRequest::Key& k : req.group_by) {
    PQ_ASSIGN_OR_RETURN(storage::ColumnKind kind, FieldKind(spec, k.field, is_view));
    exec::KeyDef kd;
    kd.column = column_of(k.field);
    if (!k.bucket.empty()) {
      auto unit = k.bucket == "date" ? std::nullopt : views::ParseTimeUnit(k.bucket);
      if (!unit) return Status::InvalidArgument("unknown time bucket '" + k.bucket + "'");
      if (kind != storage::ColumnKind::kTimestamp && kind != storage::ColumnKind::kDate) {
        return Status::NotSupported("time bucket of non-temporal field '" + k.field + "'");
      }
      kd.unit = unit;
    } else if (kind == storage::ColumnKind::kDouble) {
      return Status::NotSupported("GROUP BY a double field ('" + k.field + "')");
    }
    keys.push_back(std::move(kd));
  }
  std::vector<exec::AggDef> aggs;
  for (const AggregateRequest::Call& c : req.aggregates) {
    exec::AggDef d;
    if (c.op == "count" && c.field.empty()) {
      d.op = exec::AggOp::kCountRows;
    } else if (c.op == "count" || c.op == "sum" || c.op == "min" || c.op == "max") {
      PQ_ASSIGN_OR_RETURN(storage::ColumnKind kind, FieldKind(spec, c.field, is_view));
      if (c.op == "sum" && !IsNumeric(kind)) {
        return Status::NotSupported("sum of non-numeric field '" + c.field + "'");
      }
      d.op = exec::AggOp::kValues;
      d.column = column_of(c.field);
      d.min_max = c.op == "min" || c.op == "max";
    } else {
      return Status::InvalidArgument("unknown aggregate '" + c.op + "' (count, sum, min, max)");
    }
    aggs.push_back(d);
  }
  if (!is_view && !MatchAll(filter) &&
      !t->codec->PlanFlatFilter(t->codec->schema(), filter.ReferencedFields()).usable) {
    return Status::NotSupported("the filter reads non-flat fields");
  }
  std::vector<AggregateRow> out;
  if (req.check_only) return out;
  exec::HashAggregator agg(std::move(keys), std::move(aggs));
  auto consume = [&](const exec::Batch& b) { return agg.Consume(b); };
  if (req.as_of) {
    ReadView view;
    PQ_RETURN_IF_ERROR(MakeAsOfView(*t, *req.as_of, &view));
    PQ_RETURN_IF_ERROR(
        ScanColumns(ScanTableFor(*t, view.manifest), view, filter, fields, nullptr, consume));
  } else {
    std::shared_lock<std::shared_mutex> l(mu_);
    ReadView view;
    view.manifest = store_->current();
    view.mem = &t->mem;
    PQ_RETURN_IF_ERROR(
        ScanColumns(ScanTableFor(*t, view.manifest), view, filter, fields, nullptr, consume));
  }
  std::vector<exec::HashAggregator::Group> groups = agg.Finish(req.group_by.empty());
  out.reserve(groups.size());
  for (exec::HashAggregator::Group& g : groups) {
    AggregateRow row;
    row.keys = std::move(g.keys);
    for (size_t i = 0; i < req.aggregates.size(); i++) {
      const exec::AggAcc& a = g.accs[i];
      const std::string& op = req.aggregates[i].op;
      if (op == "count") {
        row.values.push_back(Value::Int(req.aggregates[i].field.empty() ? g.rows : a.n));
      } else if (op == "min") {
        row.values.push_back(a.Min());
      } else if (op == "max") {
        row.values.push_back(a.Max());
      } else if (a.n == 0) {
        row.values.push_back(Value());
      } else if (a.type == exec::Type::kDouble) {
        row.values.push_back(Value::Double(a.fsum));
      } else if (a.type == exec::Type::kDecimal) {
        row.values.push_back(Value::Dec(Decimal{a.isum, a.scale}));
      } else if (a.isum >= INT64_MIN && a.isum <= INT64_MAX) {
        row.values.push_back(Value::Int(static_cast<int64_t>(a.isum)));
      } else {
        row.values.push_back(Value::Dec(Decimal{a.isum, 0}));
      }
    }
    out.push_back(std::move(row));
  }
  return out;
}

namespace {

// Row i of a column as the Value the row codec decodes (null: invalid).
Value CellValue(const exec::Column& c, size_t i) {
  if (!c.valid[i]) return Value();
  switch (c.type) {
    case exec::Type::kInt64: return Value::Int(c.ints[i]);
    case exec::Type::kDouble: return Value::Double(c.doubles[i]);
    case exec::Type::kBool: return Value::Bool(c.ints[i] != 0);
    case exec::Type::kString: return Value::String(std::string(c.strings[i]));
    case exec::Type::kDecimal: return Value::Dec(Decimal{c.ints[i], c.scale});
    case exec::Type::kTimestamp: return Value::Timestamp(c.ints[i]);
    case exec::Type::kDate: return Value::Date(static_cast<int32_t>(c.ints[i]));
    case exec::Type::kNull: break;
  }
  return Value();
}

}  // namespace

Result<std::vector<Value>> DBImpl::FindColumns(std::string_view collection,
                                               const ColumnsRequest& req) {
  PQ_ASSIGN_OR_RETURN(Table * t, FindTable(collection));
  PQ_ASSIGN_OR_RETURN(query::Filter filter,
                      req.filter.is_null() ? Result<query::Filter>(query::Filter())
                                           : query::Filter::Parse(req.filter));
  const bool is_view = t->view != nullptr;
  if (is_view && (t->layout == nullptr || (!t->columnar && !t->olap))) {
    return Status::NotSupported("keyed views are read by Find (point lookups, exact rows)");
  }
  const storage::TableSpec& spec = is_view ? t->layout->columnar->spec() : t->codec->spec();
  std::vector<std::string> fields = {"$id"};
  for (const std::string& f : req.fields) {
    if (std::find(fields.begin(), fields.end(), f) == fields.end()) fields.push_back(f);
  }
  for (const std::string& f : fields) PQ_RETURN_IF_ERROR(FieldKind(spec, f, is_view).status());
  if (!is_view && !MatchAll(filter) &&
      !t->codec->PlanFlatFilter(t->codec->schema(), filter.ReferencedFields()).usable) {
    return Status::NotSupported("the filter reads non-flat fields");
  }
  std::vector<Value> out;
  if (req.check_only) return out;
  auto consume = [&](const exec::Batch& b) -> Status {
    for (size_t i = 0; i < b.num_rows; i++) {
      Value::Object o;
      o.reserve(fields.size());
      for (size_t k = 0; k < fields.size(); k++) {
        if (b.columns[k].valid[i]) o.emplace_back(fields[k], CellValue(b.columns[k], i));
      }
      out.push_back(Value::MakeObject(std::move(o)));
    }
    return Status::OK();
  };
  ReadView view;
  std::shared_lock<std::shared_mutex> l(mu_, std::defer_lock);
  if (req.as_of) {
    PQ_RETURN_IF_ERROR(MakeAsOfView(*t, *req.as_of, &view));
  } else {
    l.lock();
    view.manifest = store_->current();
    view.mem = &t->mem;
  }
  PQ_RETURN_IF_ERROR(
      ScanColumns(ScanTableFor(*t, view.manifest), view, filter, fields, nullptr, consume));
  return out;
}

Result<std::unique_ptr<views::ViewMaintainer>> DBImpl::ExecRebuildLocked(ViewRt* v,
                                                                        Staged* staged) {
  const views::ViewSpec& spec = *v->spec;
  if (!spec.aggregated() || spec.has_expand() || spec.unnest().has_value() ||
      spec.has_select() || spec.source_is_view() || spec.needs_order()) {
    return Status::NotSupported("pipeline beyond the columnar engine");
  }
  Table* t = FindTableByName(spec.source());
  if (t == nullptr || t->view != nullptr) return Status::NotSupported("source is not a collection");
  const storage::TableSpec& tspec = t->codec->spec();
  std::vector<std::string> fields;
  auto column_of = [&](const std::string& f) { return ColumnOf(&fields, f); };
  std::vector<exec::KeyDef> keys;
  for (const views::GroupKeySpec& g : spec.group_keys()) {
    if (g.path.size() != 1 || g.path.segments()[0].is_index) {
      return Status::NotSupported("nested group key");
    }
    const std::string& f = g.path.segments()[0].name;
    PQ_ASSIGN_OR_RETURN(storage::ColumnKind kind, FieldKind(tspec, f));
    exec::KeyDef kd;
    kd.column = column_of(f);
    if (g.unit) {
      // Pipeline::Bucket also parses strings; the engine reads temporal columns only.
      if (kind != storage::ColumnKind::kTimestamp && kind != storage::ColumnKind::kDate) {
        return Status::NotSupported("time bucket of a non-temporal column");
      }
      kd.unit = g.unit;
      kd.tz = spec.refresh().timezone;
      kd.bucket_as = exec::KeyDef::BucketAs::kViewBucket;
    } else if (kind == storage::ColumnKind::kDouble) {
      return Status::NotSupported("double group key");
    }
    keys.push_back(std::move(kd));
  }
  std::vector<exec::AggDef> aggs;
  for (const views::ComputeSpec& c : spec.computes()) {
    exec::AggDef d;
    if (c.input == views::ComputeSpec::Input::kRows) {
      d.op = exec::AggOp::kCountRows;
    } else if (c.input == views::ComputeSpec::Input::kPath && c.path.size() == 1 &&
               !c.path.segments()[0].is_index) {
      PQ_ASSIGN_OR_RETURN(storage::ColumnKind kind, FieldKind(tspec, c.path.segments()[0].name));
      d.op = exec::AggOp::kValues;
      d.column = column_of(c.path.segments()[0].name);
      switch (c.kind) {
        case views::AggKind::kCount:
          break;
        case views::AggKind::kSum:
        case views::AggKind::kAvg:
        case views::AggKind::kStdDev:
        case views::AggKind::kStdDevSamp:
        case views::AggKind::kVariance:
        case views::AggKind::kVarianceSamp:
          // Exact states for ints and decimals; doubles keep the row path.
          if (kind != storage::ColumnKind::kInt && kind != storage::ColumnKind::kDecimal) {
            return Status::NotSupported("numeric aggregate over a non-int/decimal column");
          }
          d.squares = c.kind != views::AggKind::kSum && c.kind != views::AggKind::kAvg;
          break;
        default:
          return Status::NotSupported("aggregate kept by the row path");
      }
    } else {
      return Status::NotSupported("computed aggregate input");
    }
    aggs.push_back(d);
  }
  const query::Filter all;
  const query::Filter& filter = spec.filter().has_value() ? *spec.filter() : all;
  if (!MatchAll(filter) &&
      !t->codec->PlanFlatFilter(t->codec->schema(), filter.ReferencedFields()).usable) {
    return Status::NotSupported("the filter reads non-flat fields");
  }
  // As ScanCurrentLocked: ids changed after the applied state come from the overlay
  // and this batch.
  const std::set<std::string, std::less<>> changed = ChangedIdsLocked(t->name, staged);
  exec::HashAggregator agg(std::move(keys), std::move(aggs));
  auto consume = [&](const exec::Batch& b) { return agg.Consume(b); };
  {
    std::shared_lock<std::shared_mutex> l(mu_);
    ReadView view;
    view.manifest = store_->current();
    view.mem = &t->mem;
    PQ_RETURN_IF_ERROR(ScanColumns(*t, view, filter, fields, &changed, consume));
  }
  std::vector<Value> docs;
  docs.reserve(changed.size());
  for (const std::string& id : changed) {
    auto key = std::make_pair(t->name, id);
    std::optional<Value> doc;
    if (staged != nullptr && staged->count(key)) {
      doc = staged->at(key);
    } else {
      auto ov = overlay_.find(key);
      if (ov != overlay_.end()) doc = ov->second.second;
    }
    if (doc && filter.Matches(*doc)) docs.push_back(std::move(*doc));
  }
  if (!docs.empty()) {
    std::vector<const Value*> ptrs;
    for (const Value& d : docs) ptrs.push_back(&d);
    exec::Batch b;
    PQ_RETURN_IF_ERROR(ValuesBatch(ptrs, fields, &b));
    PQ_RETURN_IF_ERROR(agg.Consume(b));
  }
  std::vector<exec::HashAggregator::Group> groups = agg.Finish();
  std::vector<views::ViewMaintainer::GroupState> states;
  states.reserve(groups.size());
  for (exec::HashAggregator::Group& g : groups) {
    views::ViewMaintainer::GroupState gs;
    gs.key_values = std::move(g.keys);
    gs.rows = g.rows;
    for (size_t i = 0; i < spec.computes().size(); i++) {
      const views::ComputeSpec& c = spec.computes()[i];
      const exec::AggAcc& a = g.accs[i];
      views::AggState st(c.kind);
      if (c.kind == views::AggKind::kCount) {
        PQ_RETURN_IF_ERROR(st.AddCount(c.input == views::ComputeSpec::Input::kRows ? g.rows : a.n));
      } else if (a.n > 0) {
        if (a.type != exec::Type::kInt64 && a.type != exec::Type::kDecimal) {
          return Status::NotSupported("numeric aggregate over non-numbers");
        }
        PQ_RETURN_IF_ERROR(st.AddExact(a.n, views::Int256::From(a.isum), a.sq,
                                       a.type == exec::Type::kDecimal ? a.scale : -1));
      }
      gs.aggs.push_back(std::move(st));
    }
    states.push_back(std::move(gs));
  }
  auto m = std::make_unique<views::ViewMaintainer>(v->spec);
  PQ_RETURN_IF_ERROR(m->RebuildFromGroups(std::move(states)));
  g_columnar_refreshes.fetch_add(1);
  return m;
}

}  // namespace parquedb::db
