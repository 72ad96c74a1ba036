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

Result<std::unique_ptr<LakeMirror>> LakeMirror::Open(Env* env, const std::string& db_dir,
                                                     const std::map<std::string, Target>& targets) {
  std::unique_ptr<LakeMirror> m(new LakeMirror(env, AbsolutePath(db_dir)));
  for (const auto& [name, target] : targets) {
    bool created = false;
    PQ_RETURN_IF_ERROR(m->OpenTable(name, target, &created));
    if (created) m->needs_sync_ = true;
  }
  return m;
}

Status LakeMirror::OpenTable(const std::string& name, Target target, bool* created) {
  if (target.codec == nullptr) return Status::InvalidArgument("lake table " + name + " without codec");
  targets_[name] = target;
  std::string root = TableRoot(name);
  *created = !env_->FileExists(root);
  auto t = OpenLakeTable(target.format, env_, root, *target.codec);
  if (!t.ok()) return t.status().WithContext("table " + name);
  tables_[name] = std::move(*t);
  return Status::OK();
}

std::string LakeMirror::TableRoot(const std::string& name) const {
  auto it = targets_.find(name);
  Format f = it == targets_.end() ? Format::kIceberg : it->second.format;
  return JoinPath(JoinPath(dir_, std::string(FormatName(f))), name);
}

LakeTable* LakeMirror::table(const std::string& name) {
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : it->second.get();
}

Status LakeMirror::WriteMirrored(uint64_t seq) {
  return env_->WriteFileAtomic(JoinPath(dir_, "LAKE_MIRRORED"), std::to_string(seq) + "\n");
}

Status LakeMirror::AddTable(const std::string& name, Target target,
                            const storage::NativeStore& store, int64_t now_micros) {
  bool created = false;
  PQ_RETURN_IF_ERROR(OpenTable(name, target, &created));
  return Refill(name, store, now_micros);
}

void LakeMirror::DropTable(const std::string& name) {
  tables_.erase(name);
  targets_.erase(name);
}

Status LakeMirror::Refill(const std::string& name, const storage::NativeStore& store,
                          int64_t now_micros) {
  const storage::Manifest& m = store.current();
  std::vector<storage::StoredRow> live;
  auto it = m.tables.find(name);
  if (it != m.tables.end()) {
    PQ_ASSIGN_OR_RETURN(live, ReadNativeLive(store, *targets_.at(name).codec, it->second));
  }
  CommitInfo ci;
  ci.timestamp_micros = now_micros;
  ci.flushed_seq = m.flushed_seq;
  ci.summary["parquedb.operation"] = "resync";
  Status s = tables_.at(name)->Overwrite(live, ci);
  if (!s.ok()) {
    return s.WithContext("resync of " + std::string(FormatName(targets_.at(name).format)) +
                         " table " + name);
  }
  return Status::OK();
}

Status LakeMirror::Sync(const storage::NativeStore& store, int64_t now_micros) {
  const storage::Manifest& m = store.current();
  std::string path = JoinPath(dir_, "LAKE_MIRRORED");
  bool behind = needs_sync_;
  if (!env_->FileExists(path)) {
    behind = behind || m.version > 0;
  } else {
    PQ_ASSIGN_OR_RETURN(std::string text, env_->ReadFileToString(path));
    behind = behind || std::strtoull(text.c_str(), nullptr, 10) != m.flushed_seq;
  }
  if (!behind) return Status::OK();
  for (const auto& [name, table] : tables_) PQ_RETURN_IF_ERROR(Refill(name, store, now_micros));
  PQ_RETURN_IF_ERROR(WriteMirrored(m.flushed_seq));
  needs_sync_ = false;
  return Status::OK();
}

Status LakeMirror::OnFlush(const storage::Manifest& committed,
                           const std::map<std::string, std::vector<storage::StoredRow>>& changes,
                           int64_t now_micros,
                           const std::map<std::string, std::map<std::string, std::string>>* summaries) {
  for (const auto& [name, rows] : changes) {
    if (rows.empty()) continue;
    LakeTable* t = table(name);
    if (t == nullptr) continue;  // a native-only table
    CommitInfo ci;
    ci.timestamp_micros = now_micros;
    ci.flushed_seq = committed.flushed_seq;
    ci.summary["parquedb.manifest-version"] = std::to_string(committed.version);
    if (summaries) {
      if (auto it = summaries->find(name); it != summaries->end()) {
        for (const auto& [k, v] : it->second) ci.summary[k] = v;
      }
    }
    Status s = t->Commit(rows, ci);
    if (!s.ok()) {
      needs_sync_ = true;  // the next Sync rewrites from the native state
      return s.WithContext(std::string(FormatName(t->format())) + " commit of " + name +
                           " (the native commit succeeded)");
    }
  }
  if (needs_sync_) return Status::OK();  // MIRRORED stays behind until a Sync
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
