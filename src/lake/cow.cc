#include "lake/cow.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>

#include "parquet/reader.h"
#include "parquet/record.h"

namespace parquedb::lake {

std::string JoinPath(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  return a.back() == '/' ? a + b : a + "/" + b;
}

std::string AbsolutePath(const std::string& dir) {
  std::error_code ec;
  auto p = std::filesystem::absolute(dir, ec);
  if (ec) return dir;
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::string ResolvePath(const std::string& root, const std::string& ref) {
  if (ref.rfind("file://", 0) == 0) return ref.substr(7);
  if (ref.rfind("file:", 0) == 0) return ref.substr(5);
  if (!ref.empty() && ref[0] == '/') return ref;
  return JoinPath(root, ref);
}

namespace {
std::mt19937_64& Rng() {
  static thread_local std::mt19937_64 rng(std::random_device{}() ^
                                          (static_cast<uint64_t>(std::random_device{}()) << 32));
  return rng;
}
}  // namespace

std::string NewUuid() {
  uint64_t a = Rng()(), b = Rng()();
  a = (a & ~0xF000ull) | 0x4000ull;                        // version 4
  b = (b & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(a >> 32), static_cast<unsigned>((a >> 16) & 0xFFFF),
                static_cast<unsigned>(a & 0xFFFF), static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFull));
  return buf;
}

int64_t NewSnapshotId() {
  int64_t id = static_cast<int64_t>(Rng()() >> 2);
  return id == 0 ? 1 : id;
}

Result<WrittenFile> WriteLiveFile(Env* env, const storage::RowCodec& codec,
                                  const std::vector<storage::StoredRow>& rows,
                                  const std::string& root, const std::string& rel_path) {
  std::string path = JoinPath(root, rel_path);
  std::string dir = path.substr(0, path.rfind('/'));
  PQ_RETURN_IF_ERROR(env->CreateDirs(dir));
  std::vector<parquet::ColumnVector> cols;
  PQ_RETURN_IF_ERROR(codec.Encode(rows, &cols));
  PQ_ASSIGN_OR_RETURN(auto file, env->NewWritableFile(path));
  parquet::WriterOptions wo;
  PQ_ASSIGN_OR_RETURN(auto writer, parquet::FileWriter::Open(std::move(file), codec.schema(), wo));
  PQ_RETURN_IF_ERROR(writer->WriteTable(cols, static_cast<int64_t>(rows.size())));
  PQ_RETURN_IF_ERROR(writer->Close(/*sync=*/true));
  PQ_RETURN_IF_ERROR(env->SyncDir(dir));
  WrittenFile wf;
  wf.rel_path = rel_path;
  wf.rows = static_cast<int64_t>(rows.size());
  wf.bytes = static_cast<int64_t>(writer->bytes_written());
  const parquet::Schema& schema = codec.schema();
  const parquet::FileMetaData& md = writer->metadata();
  for (size_t i = 0; i < schema.num_leaves(); i++) {
    const parquet::LeafInfo& leaf = schema.leaves()[i];
    if (leaf.path.size() != 1) continue;  // lists: no bounds
    ColumnStats cs;
    cs.field_id = leaf.node->field_id;
    cs.name = leaf.path[0];
    cs.leaf = leaf.node;
    bool bounds_ok = true;
    for (const parquet::RowGroup& rg : md.row_groups) {
      if (i >= rg.columns.size() || !rg.columns[i].meta_data) {
        return Status::Corruption("written file lacks column metadata");
      }
      const parquet::ColumnMetaData& cm = *rg.columns[i].meta_data;
      cs.values += cm.num_values;
      const auto& st = cm.statistics;
      if (!st || !st->null_count) {
        bounds_ok = false;
        continue;
      }
      cs.nulls += *st->null_count;
      if (*st->null_count == cm.num_values) continue;  // all null: no bound here
      if (!st->min_value || !st->max_value) {
        bounds_ok = false;
        continue;
      }
      auto lo = parquet::DecodeStatValue(*leaf.node, *st->min_value);
      auto hi = parquet::DecodeStatValue(*leaf.node, *st->max_value);
      if (!lo.ok() || !hi.ok()) {
        bounds_ok = false;
        continue;
      }
      if (!cs.min || Value::Compare(*lo, *cs.min) < 0) cs.min = *lo;
      if (!cs.max || Value::Compare(*hi, *cs.max) > 0) cs.max = *hi;
    }
    if (!bounds_ok) cs.min.reset(), cs.max.reset();
    wf.stats.push_back(std::move(cs));
  }
  return wf;
}

namespace {

Result<std::vector<storage::StoredRow>> ReadOwnFile(Env* env, const storage::RowCodec& codec,
                                                    const std::string& path) {
  PQ_ASSIGN_OR_RETURN(auto reader, parquet::FileReader::Open(env, path));
  std::vector<parquet::ColumnVector> cols;
  PQ_RETURN_IF_ERROR(reader->ReadColumns({}, {}, &cols));
  std::vector<storage::StoredRow> rows;
  Status s = codec.Decode(reader->schema(), cols, reader->num_rows(), &rows);
  if (!s.ok()) return s.WithContext(path);
  return rows;
}

}  // namespace

Result<CowResult> CopyOnWrite(Env* env, const storage::RowCodec& codec, const std::string& root,
                              const std::vector<LiveFile>& live,
                              std::vector<storage::StoredRow> changes, bool overwrite,
                              const std::string& rel_path, size_t compact_over) {
  std::set<std::string> changed;
  for (const auto& r : changes) {
    if (!changed.insert(r.id).second) {
      return Status::InvalidArgument("lake commit: duplicate id '" + r.id + "' in one commit");
    }
  }
  CowResult res;
  std::vector<storage::StoredRow> out;
  std::vector<bool> gone(live.size(), false);
  auto absorb = [&](size_t i, bool only_if_touched) -> Status {
    PQ_ASSIGN_OR_RETURN(auto rows, ReadOwnFile(env, codec, ResolvePath(root, live[i].rel_path)));
    bool touched = !only_if_touched;
    for (const auto& r : rows) touched = touched || changed.count(r.id) > 0;
    if (!touched) return Status::OK();
    gone[i] = true;
    res.removed.push_back(i);
    for (auto& r : rows) {
      if (!r.deleted && changed.count(r.id) == 0) out.push_back(std::move(r));
    }
    return Status::OK();
  };
  for (size_t i = 0; i < live.size(); i++) {
    if (overwrite) {
      gone[i] = true;
      res.removed.push_back(i);
      continue;
    }
    if (changed.empty()) continue;
    const LiveFile& f = live[i];
    if (f.min_id && f.max_id) {
      auto it = changed.lower_bound(*f.min_id);
      if (it == changed.end() || *it > *f.max_id) continue;
    }
    PQ_RETURN_IF_ERROR(absorb(i, /*only_if_touched=*/true));
  }
  size_t remaining = 0;
  for (bool g : gone) remaining += g ? 0 : 1;
  if (remaining + 1 > compact_over) {
    for (size_t i = 0; i < live.size(); i++) {
      if (!gone[i]) PQ_RETURN_IF_ERROR(absorb(i, /*only_if_touched=*/false));
    }
  }
  for (auto& r : changes) {
    if (!r.deleted) out.push_back(std::move(r));
  }
  if (out.empty() && res.removed.empty()) return res;
  std::sort(out.begin(), out.end(),
            [](const storage::StoredRow& a, const storage::StoredRow& b) { return a.id < b.id; });
  if (!out.empty()) {
    PQ_ASSIGN_OR_RETURN(WrittenFile wf, WriteLiveFile(env, codec, out, root, rel_path));
    res.added = std::move(wf);
  }
  return res;
}

Result<std::vector<Value>> ReadRowsGeneric(Env* env, const std::string& path,
                                           const std::set<std::string>* string_columns) {
  PQ_ASSIGN_OR_RETURN(auto reader, parquet::FileReader::Open(env, path));
  std::vector<parquet::ColumnVector> cols;
  PQ_RETURN_IF_ERROR(reader->ReadColumns({}, {}, &cols));
  const parquet::Schema* schema = &reader->schema();
  parquet::Schema patched;
  if (string_columns != nullptr && !string_columns->empty()) {
    std::vector<parquet::SchemaElement> elems = reader->metadata().schema;
    bool changed = false;
    for (size_t i = 1; i < elems.size(); i++) {
      parquet::SchemaElement& e = elems[i];
      if (e.type == parquet::PhysicalType::kByteArray && !e.converted_type &&
          e.logical_type.kind == parquet::LogicalType::Kind::kNone &&
          string_columns->count(e.name) > 0) {
        e.logical_type = parquet::LogicalType::String();
        changed = true;
      }
    }
    if (changed) {
      PQ_ASSIGN_OR_RETURN(patched, parquet::Schema::FromElements(elems));
      schema = &patched;
    }
  }
  std::vector<Value> rows;
  Status s = parquet::AssembleRows(*schema, cols, reader->num_rows(), {}, &rows);
  if (!s.ok()) return s.WithContext(path);
  return rows;
}

}  // namespace parquedb::lake
