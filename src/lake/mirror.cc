#include "lake/mirror.h"

#include <algorithm>

#include "lake/cow.h"

namespace parquedb::lake {

Result<std::string> LakeMirror::ResolveFormat(Env* env, const std::string& db_dir,
                                              const std::string& requested) {
  if (!requested.empty() && requested != "native") PQ_RETURN_IF_ERROR(ParseFormat(requested).status());
  std::string path = JoinPath(db_dir, "TABLE_FORMAT");
  std::string recorded;
  if (env->FileExists(path)) {
    PQ_ASSIGN_OR_RETURN(recorded, env->ReadFileToString(path));
    while (!recorded.empty() && (recorded.back() == '\n' || recorded.back() == ' ')) recorded.pop_back();
    if (recorded != "native") {
      auto f = ParseFormat(recorded);
      if (!f.ok()) return Status::Corruption(path + ": " + f.status().message());
    }
  }
  if (requested.empty()) return recorded.empty() ? std::string("native") : recorded;
  if (!recorded.empty() && recorded != requested) {
    return Status::InvalidArgument("database " + db_dir + " uses table format '" + recorded +
                                   "', not '" + requested + "'");
  }
  if (recorded.empty() && requested != "native") {
    PQ_RETURN_IF_ERROR(env->CreateDirs(db_dir));
    PQ_RETURN_IF_ERROR(env->WriteFileAtomic(path, requested + "\n"));
  }
  return requested;
}

Result<std::unique_ptr<LakeMirror>> LakeMirror::Open(
    Env* env, const std::string& db_dir, Format format,
    const std::map<std::string, const storage::RowCodec*>& codecs) {
  std::string dir = JoinPath(AbsolutePath(db_dir), std::string(FormatName(format)));
  std::unique_ptr<LakeMirror> m(new LakeMirror(env, dir, format));
  PQ_RETURN_IF_ERROR(env->CreateDirs(dir));
  m->codecs_ = codecs;
  for (const auto& [name, codec] : codecs) {
    bool existed = env->FileExists(m->TableRoot(name));
    auto t = OpenLakeTable(format, env, m->TableRoot(name), *codec);
    if (!t.ok()) return t.status().WithContext("table " + name);
    if (!existed) m->needs_sync_ = true;
    m->tables_[name] = std::move(*t);
  }
  return m;
}

std::string LakeMirror::TableRoot(const std::string& collection) const {
  return JoinPath(dir_, collection);
}

LakeTable* LakeMirror::table(const std::string& collection) {
  auto it = tables_.find(collection);
  return it == tables_.end() ? nullptr : it->second.get();
}

Status LakeMirror::WriteMirrored(uint64_t seq) {
  return env_->WriteFileAtomic(JoinPath(dir_, "MIRRORED"), std::to_string(seq) + "\n");
}

Status LakeMirror::Sync(const storage::NativeStore& store, int64_t now_micros) {
  const storage::Manifest& m = store.current();
  std::string path = JoinPath(dir_, "MIRRORED");
  bool behind = needs_sync_;
  if (!env_->FileExists(path)) {
    behind = behind || m.version > 0;
  } else {
    PQ_ASSIGN_OR_RETURN(std::string text, env_->ReadFileToString(path));
    behind = behind || std::strtoull(text.c_str(), nullptr, 10) != m.flushed_seq;
  }
  if (!behind) return Status::OK();
  for (auto& [name, table] : tables_) {
    std::vector<storage::StoredRow> live;
    auto it = m.tables.find(name);
    if (it != m.tables.end()) {
      PQ_ASSIGN_OR_RETURN(live, ReadNativeLive(store, *codecs_.at(name), it->second));
    }
    CommitInfo ci;
    ci.timestamp_micros = now_micros;
    ci.flushed_seq = m.flushed_seq;
    ci.summary["parquedb.operation"] = "resync";
    Status s = table->Overwrite(live, ci);
    if (!s.ok()) return s.WithContext("resync of " + std::string(FormatName(format_)) + " table " + name);
  }
  PQ_RETURN_IF_ERROR(WriteMirrored(m.flushed_seq));
  needs_sync_ = false;
  return Status::OK();
}

Status LakeMirror::OnFlush(const storage::Manifest& committed,
                           const std::map<std::string, std::vector<storage::StoredRow>>& changes,
                           int64_t now_micros) {
  for (const auto& [name, rows] : changes) {
    if (rows.empty()) continue;
    LakeTable* t = table(name);
    if (t == nullptr) return Status::InvalidArgument("no lake table for collection " + name);
    CommitInfo ci;
    ci.timestamp_micros = now_micros;
    ci.flushed_seq = committed.flushed_seq;
    ci.summary["parquedb.manifest-version"] = std::to_string(committed.version);
    Status s = t->Commit(rows, ci);
    if (!s.ok()) {
      needs_sync_ = true;  // the next Sync rewrites from the native state
      return s.WithContext(std::string(FormatName(format_)) + " commit of " + name +
                           " (the native commit succeeded)");
    }
  }
  return WriteMirrored(committed.flushed_seq);
}

Result<std::vector<storage::StoredRow>> ReadNativeLive(const storage::NativeStore& store,
                                                       const storage::RowCodec& codec,
                                                       const storage::TableFiles& files) {
  std::map<std::string, storage::StoredRow> newest;
  for (const storage::DataFile& f : files.files) {  // oldest first: later files win
    PQ_ASSIGN_OR_RETURN(auto reader, store.OpenDataFile(f));
    std::vector<parquet::ColumnVector> cols;
    PQ_RETURN_IF_ERROR(reader->ReadColumns({}, {}, &cols));
    std::vector<storage::StoredRow> rows;
    PQ_RETURN_IF_ERROR(codec.Decode(reader->schema(), cols, reader->num_rows(), &rows));
    for (auto& r : rows) newest[r.id] = std::move(r);
  }
  std::vector<storage::StoredRow> out;
  out.reserve(newest.size());
  for (auto& [id, r] : newest) {
    if (!r.deleted) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace parquedb::lake
