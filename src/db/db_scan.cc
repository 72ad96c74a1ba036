// DBImpl::Scan and DBImpl::Lookup: the read paths behind Find/Count and Get, with
// late materialization.
//
// A table's live documents are the memtable plus, per data file (oldest first in the
// manifest), the rows no newer file and no memtable entry shadows. For each row group
// the filter's statistics prune first; a surviving row group that is not already in
// the decoded-row cache is read in two phases: the system columns and the columns the
// filter references are decoded and the filter evaluated on those partial documents,
// then the remaining columns are read and only the matching rows are materialized.
// A point lookup binary-searches the (cached) $id column of the one row group whose
// statistics admit the id and materializes that single row.
#include <algorithm>
#include <optional>
#include <unordered_set>

#include "db/db_impl.h"

namespace parquedb::db {

namespace {

constexpr size_t kShadowCacheEntries = 8;

// Data files are immutable and never reuse a path (their row and byte counts are in
// the key as well), so the shadow map of a table depends only on its ordered file
// list, not on the manifest version, which every commit to any table (e.g. a view
// refresh) bumps.
std::string ShadowKey(const std::string& table, const std::vector<storage::DataFile>& files) {
  std::string key = table;
  for (const storage::DataFile& f : files) {
    key += '\n';
    key += f.path;
    key += '#' + std::to_string(f.rows) + '#' + std::to_string(f.bytes);
  }
  return key;
}

// Bounds of a file's $id values from its row-group statistics (unsigned byte order,
// as std::string compares); nullopt when any row group lacks them.
std::optional<std::pair<std::string, std::string>> IdBounds(const parquet::FileReader& r,
                                                            int id_leaf) {
  std::optional<std::pair<std::string, std::string>> out;
  for (const parquet::RowGroup& rg : r.metadata().row_groups) {
    if (static_cast<size_t>(id_leaf) >= rg.columns.size()) return std::nullopt;
    const auto& md = rg.columns[static_cast<size_t>(id_leaf)].meta_data;
    if (!md || !md->statistics || !md->statistics->min_value || !md->statistics->max_value) {
      return std::nullopt;
    }
    const std::string& lo = *md->statistics->min_value;
    const std::string& hi = *md->statistics->max_value;
    if (!out) {
      out.emplace(lo, hi);
    } else {
      if (lo < out->first) out->first = lo;
      if (hi > out->second) out->second = hi;
    }
  }
  return out;
}

}  // namespace

std::shared_ptr<const std::vector<storage::StoredRow>> DBImpl::CachedRowGroup(
    const storage::DataFile& f, int rg) {
  const std::string key = f.path + "#" + std::to_string(rg);
  std::lock_guard<std::mutex> l(cache_mu_);
  for (auto it = rg_cache_.begin(); it != rg_cache_.end(); ++it) {
    if (it->first == key) {
      rg_cache_.splice(rg_cache_.begin(), rg_cache_, it);
      return rg_cache_.front().second;
    }
  }
  return nullptr;
}

Result<std::shared_ptr<const DBImpl::ShadowMap>> DBImpl::Shadows(
    const Table& t, const storage::Manifest& manifest) {
  static const auto kNone = std::make_shared<const ShadowMap>();
  auto tf = manifest.tables.find(t.name);
  if (tf == manifest.tables.end() || tf->second.files.size() < 2) return kNone;
  const auto& files = tf->second.files;
  const std::string key = ShadowKey(t.name, files);
  {
    std::lock_guard<std::mutex> l(cache_mu_);
    for (auto it = shadow_cache_.begin(); it != shadow_cache_.end(); ++it) {
      if (it->first == key) {
        shadow_cache_.splice(shadow_cache_.begin(), shadow_cache_, it);
        return shadow_cache_.front().second;
      }
    }
  }
  // Only files whose $id range overlaps another file's can shadow or be shadowed:
  // files without such an overlap are not read (e.g. append-only loads, where each
  // flush holds a disjoint id range).
  const size_t n = files.size();
  std::vector<std::shared_ptr<parquet::FileReader>> readers(n);
  std::vector<int> id_leaves(n, -1);
  std::vector<std::optional<std::pair<std::string, std::string>>> bounds(n);
  for (size_t fi = 0; fi < n; fi++) {
    PQ_ASSIGN_OR_RETURN(readers[fi], OpenFile(files[fi]));
    id_leaves[fi] = readers[fi]->schema().FindLeaf("$id");
    if (id_leaves[fi] < 0) return Status::Corruption(files[fi].path + " has no $id column");
    bounds[fi] = IdBounds(*readers[fi], id_leaves[fi]);
  }
  auto overlap = [&](size_t a, size_t b) {
    if (!bounds[a] || !bounds[b]) return true;
    return !(bounds[a]->second < bounds[b]->first || bounds[b]->second < bounds[a]->first);
  };
  std::vector<char> has_newer(n, 0), has_older(n, 0);  // an overlapping newer/older file
  for (size_t a = 0; a < n; a++) {
    for (size_t b = a + 1; b < n; b++) {
      if (overlap(a, b)) has_newer[a] = has_older[b] = 1;
    }
  }
  // Newest file first: a row is shadowed when a newer file holds its $id. Only the
  // ids of files that have overlapping older files after them are remembered.
  auto map = std::make_shared<ShadowMap>(n);
  std::unordered_set<std::string> newer;
  for (size_t fi = n; fi-- > 0;) {
    if (!has_newer[fi] && !has_older[fi]) continue;
    const parquet::FileReader& reader = *readers[fi];
    const int id_leaf = id_leaves[fi];
    std::vector<bool>& shadowed = (*map)[fi];
    bool any = false;
    std::vector<bool> bits;
    parquet::ColumnVector ids;
    for (int rg = 0; rg < reader.num_row_groups(); rg++) {
      ids.Clear();
      PQ_RETURN_IF_ERROR(reader.ReadColumnChunk(rg, id_leaf, &ids));
      for (size_t i = 0; i < ids.num_values(); i++) {
        const std::string_view id = ids.ByteArray(i);
        const bool hidden = has_newer[fi] && !newer.empty() && newer.count(std::string(id)) > 0;
        bits.push_back(hidden);
        any |= hidden;
        if (has_older[fi] && !hidden) newer.emplace(id);
      }
    }
    if (any) shadowed = std::move(bits);
  }
  std::lock_guard<std::mutex> l(cache_mu_);
  shadow_cache_.emplace_front(key, map);
  while (shadow_cache_.size() > kShadowCacheEntries) shadow_cache_.pop_back();
  return std::shared_ptr<const ShadowMap>(map);
}

bool DBImpl::FileScan::Hidden(int rg, size_t i, std::string_view id) const {
  if (shadowed != nullptr) {
    const size_t ord = first_row[static_cast<size_t>(rg)] + i;
    if (ord < shadowed->size() && (*shadowed)[ord]) return true;
  }
  return mem != nullptr && mem->find(id) != mem->end();
}

Result<DBImpl::FileScan> DBImpl::OpenFileScan(const Table& t, const ReadView& view,
                                              const ShadowMap& shadows, size_t fi,
                                              const query::Filter& filter) {
  const storage::DataFile& f = view.manifest.tables.at(t.name).files[fi];
  FileScan fs;
  fs.shadowed = fi < shadows.size() && !shadows[fi].empty() ? &shadows[fi] : nullptr;
  fs.mem = view.mem != nullptr && !view.mem->empty() ? view.mem : nullptr;
  PQ_ASSIGN_OR_RETURN(fs.reader, OpenFile(f));
  const parquet::FileReader& reader = *fs.reader;
  // Keyed view files: typed columns are best effort (the exact row is "$row"), so
  // statistics pruning does not apply. Columnar view files (db_projection.cc) are
  // typed, except in row groups with "$spill" values.
  const bool columnar = IsColumnarFile(t, reader.schema());
  auto preds = t.view == nullptr || columnar
                   ? CodecFor(t, reader.schema()).PrunePredicates(reader.schema(), filter)
                   : std::vector<parquet::ColumnPredicate>();
  fs.keep = reader.PruneRowGroups(preds);
  if (columnar && !preds.empty()) {
    // Row groups with spilled values may match although their statistics say no.
    for (int rg = 0; rg < reader.num_row_groups(); rg++) {
      if (HasSpill(reader, rg) && !std::binary_search(fs.keep.begin(), fs.keep.end(), rg)) {
        fs.keep.insert(std::lower_bound(fs.keep.begin(), fs.keep.end(), rg), rg);
      }
    }
  }
  fs.first_row.assign(static_cast<size_t>(reader.num_row_groups()) + 1, 0);
  for (int rg = 0; rg < reader.num_row_groups(); rg++) {
    fs.first_row[static_cast<size_t>(rg) + 1] =
        fs.first_row[static_cast<size_t>(rg)] +
        static_cast<size_t>(reader.metadata().row_groups[static_cast<size_t>(rg)].num_rows);
  }
  return fs;
}

Status DBImpl::Scan(const Table& t, const ReadView& view, const query::Filter& filter,
                    const std::function<void(Value&&)>& fn) {
  const auto* mem = view.mem;
  if (mem != nullptr) {
    for (const auto& [id, row] : *mem) {
      if (!row.deleted && filter.Matches(row.doc)) fn(Value(row.doc));
    }
  }
  auto tf = view.manifest.tables.find(t.name);
  if (tf == view.manifest.tables.end()) return Status::OK();
  const auto& files = tf->second.files;
  PQ_ASSIGN_OR_RETURN(std::shared_ptr<const ShadowMap> shadows, Shadows(t, view.manifest));
  const std::vector<std::string> filter_fields = filter.ReferencedFields();
  const bool match_all = filter.spec().kind() != Value::Kind::kObject ||
                         filter.spec().as_object().empty();
  bool system_fields = false;  // the filter reads $type/createdAt/updatedAt/version
  for (const std::string& n : filter_fields) {
    system_fields |= n == "$type" || n == "createdAt" || n == "updatedAt" || n == "version";
  }

  for (size_t fi = 0; fi < files.size(); fi++) {
    const storage::DataFile& f = files[fi];
    PQ_ASSIGN_OR_RETURN(FileScan fs, OpenFileScan(t, view, *shadows, fi, filter));
    parquet::FileReader* reader = fs.reader.get();
    const std::vector<int>& keep = fs.keep;
    const bool is_view = t.view != nullptr;
    auto hidden = [&fs](int rg, size_t i, std::string_view id) { return fs.Hidden(rg, i, id); };
    // Partial decoding: not for keyed view files (the exact row is "$row"); for columnar
    // ones unless the filter reads system fields (their partial rows differ there from
    // the exact rows) or the row group has "$spill" values.
    const bool columnar = IsColumnarFile(t, reader->schema());
    const bool typed = !is_view || (columnar && !system_fields);
    const storage::RowCodec& codec = CodecFor(t, reader->schema());
    const storage::RowCodec::ColumnSelection sel =
        storage::RowCodec::SelectColumns(reader->schema(), filter_fields);
    const storage::RowCodec::FlatFilterPlan flat =
        typed ? codec.PlanFlatFilter(reader->schema(), filter_fields)
              : storage::RowCodec::FlatFilterPlan();
    const bool partial_helps =
        typed && !match_all && sel.leaves.size() < reader->schema().num_leaves();

    for (int rg : keep) {
      const int64_t num_rows = reader->metadata().row_groups[static_cast<size_t>(rg)].num_rows;
      auto cached = CachedRowGroup(f, rg);
      if (cached == nullptr && (!partial_helps || (columnar && HasSpill(*reader, rg)))) {
        PQ_ASSIGN_OR_RETURN(cached, ReadRowGroup(t, f, *reader, rg));
      }
      if (cached != nullptr) {
        for (size_t i = 0; i < cached->size(); i++) {
          const storage::StoredRow& r = (*cached)[i];
          if (r.deleted || hidden(rg, i, r.id)) continue;
          if (filter.Matches(r.doc)) fn(Value(r.doc));
        }
        continue;
      }
      // Phase 1: the filter, straight from flat columns when it only reads such
      // columns, else on partial documents.
      std::vector<parquet::ColumnVector> cols(reader->schema().num_leaves());
      const std::vector<int>& phase1 = flat.usable ? flat.leaves : sel.leaves;
      for (int leaf : phase1) {
        PQ_RETURN_IF_ERROR(reader->ReadColumnChunk(rg, leaf, &cols[static_cast<size_t>(leaf)]));
      }
      std::vector<uint32_t> selected;
      if (flat.usable) {
        PQ_RETURN_IF_ERROR(
            codec
                .EvalFlatFilter(flat, reader->schema(), cols, num_rows, filter,
                                [&](size_t i, std::string_view id) { return hidden(rg, i, id); },
                                &selected)
                .WithContext(f.path));
      } else {
        std::vector<storage::StoredRow> partial;
        PQ_RETURN_IF_ERROR(
            codec.Decode(reader->schema(), cols, num_rows, sel.fields, nullptr, &partial)
                .WithContext(f.path));
        for (size_t i = 0; i < partial.size(); i++) {
          const storage::StoredRow& r = partial[i];
          if (r.deleted || hidden(rg, i, r.id)) continue;
          if (filter.Matches(r.doc)) selected.push_back(static_cast<uint32_t>(i));
        }
      }
      if (selected.empty()) continue;
      // Phase 2: the other columns, materializing only the matching rows.
      for (size_t leaf = 0; leaf < cols.size(); leaf++) {
        if (!std::binary_search(phase1.begin(), phase1.end(), static_cast<int>(leaf))) {
          PQ_RETURN_IF_ERROR(reader->ReadColumnChunk(rg, static_cast<int>(leaf), &cols[leaf]));
        }
      }
      std::vector<storage::StoredRow> rows;
      PQ_RETURN_IF_ERROR(codec.Decode(reader->schema(), cols, num_rows, {}, &selected, &rows)
                             .WithContext(f.path));
      PQ_RETURN_IF_ERROR(FinishViewRows(t, reader->schema(), &rows).WithContext(f.path));
      for (storage::StoredRow& r : rows) {
        // View rows: the partial rows of phase 1 carried $type, the exact rows do not.
        if (!is_view || filter.Matches(r.doc)) fn(std::move(r.doc));
      }
    }
  }
  return Status::OK();
}

Result<std::shared_ptr<const std::vector<std::string>>> DBImpl::RowGroupIds(
    const storage::DataFile& f, parquet::FileReader& reader, int rg, int id_leaf) {
  const std::string key = f.path + "#" + std::to_string(rg);
  {
    std::lock_guard<std::mutex> l(cache_mu_);
    for (auto it = id_cache_.begin(); it != id_cache_.end(); ++it) {
      if (it->first == key) {
        id_cache_.splice(id_cache_.begin(), id_cache_, it);
        return id_cache_.front().second;
      }
    }
  }
  parquet::ColumnVector col;
  PQ_RETURN_IF_ERROR(reader.ReadColumnChunk(rg, id_leaf, &col));
  auto ids = std::make_shared<std::vector<std::string>>();
  ids->reserve(col.num_values());
  for (size_t i = 0; i < col.num_values(); i++) ids->emplace_back(col.ByteArray(i));
  std::lock_guard<std::mutex> l(cache_mu_);
  id_cache_.emplace_front(key, ids);
  id_cache_ids_ += ids->size();
  while (id_cache_ids_ > kIdCacheIds && id_cache_.size() > 1) {
    id_cache_ids_ -= id_cache_.back().second->size();
    id_cache_.pop_back();
  }
  return std::shared_ptr<const std::vector<std::string>>(ids);
}

Result<std::shared_ptr<const std::vector<parquet::ColumnVector>>> DBImpl::RowGroupColumns(
    const storage::DataFile& f, parquet::FileReader& reader, int rg) {
  const std::string key = f.path + "#" + std::to_string(rg);
  {
    std::lock_guard<std::mutex> l(cache_mu_);
    for (auto it = col_cache_.begin(); it != col_cache_.end(); ++it) {
      if (it->first == key) {
        col_cache_.splice(col_cache_.begin(), col_cache_, it);
        return col_cache_.front().second;
      }
    }
  }
  auto cols = std::make_shared<std::vector<parquet::ColumnVector>>(reader.schema().num_leaves());
  for (size_t l = 0; l < cols->size(); l++) {
    PQ_RETURN_IF_ERROR(reader.ReadColumnChunk(rg, static_cast<int>(l), &(*cols)[l]));
  }
  std::lock_guard<std::mutex> l(cache_mu_);
  col_cache_.emplace_front(key, cols);
  if (col_cache_.size() > kColumnCacheGroups) col_cache_.pop_back();
  return std::shared_ptr<const std::vector<parquet::ColumnVector>>(cols);
}

Result<std::optional<Value>> DBImpl::Lookup(const Table& t, const ReadView& view,
                                            std::string_view id, bool cache_row_groups) {
  if (view.mem != nullptr) {
    auto it = view.mem->find(id);
    if (it != view.mem->end()) {
      if (it->second.deleted) return std::optional<Value>();
      return std::optional<Value>(it->second.doc);
    }
  }
  auto tf = view.manifest.tables.find(t.name);
  if (tf == view.manifest.tables.end()) return std::optional<Value>();
  const auto& files = tf->second.files;
  // Newest file first; rows within a row group are sorted by $id.
  for (auto f = files.rbegin(); f != files.rend(); ++f) {
    PQ_ASSIGN_OR_RETURN(auto reader, OpenFile(*f));
    const int leaf = reader->schema().FindLeaf("$id");
    if (leaf < 0) return Status::Corruption(f->path + " has no $id column");
    auto rgs = reader->PruneRowGroups(
        {parquet::ColumnPredicate{leaf, parquet::ColumnPredicate::Op::kEq, std::string(id)}});
    // Columnar view files are sorted by (time, $id): their ids are searched linearly.
    const bool sorted = !IsColumnarFile(t, reader->schema());
    for (int rg : rgs) {
      std::shared_ptr<const std::vector<storage::StoredRow>> cached = CachedRowGroup(*f, rg);
      if (cached == nullptr && cache_row_groups) {
        PQ_ASSIGN_OR_RETURN(cached, ReadRowGroup(t, *f, *reader, rg));
      }
      if (cached != nullptr) {
        auto it = sorted ? std::lower_bound(cached->begin(), cached->end(), id,
                                            [](const storage::StoredRow& r, std::string_view k) {
                                              return r.id < k;
                                            })
                         : std::find_if(cached->begin(), cached->end(),
                                        [&](const storage::StoredRow& r) { return r.id == id; });
        if (it == cached->end() || it->id != id) continue;
        if (it->deleted) return std::optional<Value>();
        return std::optional<Value>(it->doc);
      }
      // Not cached: find the row by the $id column, then materialize just that row.
      PQ_ASSIGN_OR_RETURN(auto ids, RowGroupIds(*f, *reader, rg, leaf));
      auto it = sorted ? std::lower_bound(ids->begin(), ids->end(), id,
                                          [](const std::string& a, std::string_view k) {
                                            return a < k;
                                          })
                       : std::find(ids->begin(), ids->end(), id);
      if (it == ids->end() || *it != id) continue;
      const size_t pos = static_cast<size_t>(it - ids->begin());
      PQ_ASSIGN_OR_RETURN(auto cols, RowGroupColumns(*f, *reader, rg));
      // A tombstone (e.g. an insert reusing a deleted $id) needs no row decode.
      if (const int del_leaf = reader->schema().FindLeaf("$deleted"); sorted && del_leaf >= 0) {
        const parquet::ColumnVector& dels = (*cols)[static_cast<size_t>(del_leaf)];
        if (dels.def_levels.empty() && dels.bools.size() == ids->size() && dels.bools[pos] != 0) {
          return std::optional<Value>();
        }
      }
      const std::vector<uint32_t> selected = {static_cast<uint32_t>(pos)};
      std::vector<storage::StoredRow> rows;
      PQ_RETURN_IF_ERROR(
          CodecFor(t, reader->schema())
              .Decode(reader->schema(), *cols,
                      reader->metadata().row_groups[static_cast<size_t>(rg)].num_rows, {},
                      &selected, &rows)
              .WithContext(f->path));
      if (rows.size() != 1 || rows[0].id != id) {
        return Status::Corruption(f->path + ": $id column and rows disagree");
      }
      if (rows[0].deleted) return std::optional<Value>();
      PQ_RETURN_IF_ERROR(FinishViewRows(t, reader->schema(), &rows).WithContext(f->path));
      return std::optional<Value>(std::move(rows[0].doc));
    }
  }
  return std::optional<Value>();
}

}  // namespace parquedb::db
