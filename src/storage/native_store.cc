#include "storage/native_store.h"

#include <cinttypes>
#include <cstdio>
#include <set>

namespace parquedb::storage {

namespace {

constexpr char kManifestPrefix[] = "MANIFEST-";
constexpr char kManifestSuffix[] = ".json";

bool ParseManifestName(const std::string& name, uint64_t* version) {
  const size_t plen = sizeof(kManifestPrefix) - 1, slen = sizeof(kManifestSuffix) - 1;
  if (name.size() <= plen + slen || name.compare(0, plen, kManifestPrefix) != 0 ||
      name.compare(name.size() - slen, slen, kManifestSuffix) != 0) {
    return false;
  }
  std::string digits = name.substr(plen, name.size() - plen - slen);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return false;
  *version = std::stoull(digits);
  return true;
}

ManifestInfo InfoOf(const Manifest& m) {
  return ManifestInfo{m.version, m.committed_at, m.flushed_seq, m.flushed_ts};
}

// Creation time of the store (micros since epoch); 0 for stores made before
// manifest/CREATED existed, whose history then reaches back without bound.
Result<int64_t> ReadCreated(Env* env, const std::string& dir) {
  const std::string path = dir + "/manifest/CREATED";
  if (!env->FileExists(path)) return int64_t{0};
  PQ_ASSIGN_OR_RETURN(std::string text, env->ReadFileToString(path));
  while (!text.empty() && text.back() == '\n') text.pop_back();
  if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos) {
    return Status::Corruption("manifest/CREATED holds '" + text + "', not a timestamp");
  }
  return static_cast<int64_t>(std::stoll(text));
}

}  // namespace

std::string NativeStore::ManifestPath(uint64_t version) const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%010" PRIu64 "%s", kManifestPrefix, version, kManifestSuffix);
  return dir_ + "/manifest/" + buf;
}

Result<std::unique_ptr<NativeStore>> NativeStore::Open(Env* env, Clock* clock,
                                                       const std::string& dir) {
  std::unique_ptr<NativeStore> s(new NativeStore(env, clock, dir));
  PQ_RETURN_IF_ERROR(env->CreateDirs(dir + "/manifest"));
  PQ_RETURN_IF_ERROR(env->CreateDirs(dir + "/data"));
  std::string current_path = dir + "/manifest/CURRENT";
  if (!env->FileExists(current_path) && !env->FileExists(dir + "/manifest/CREATED")) {
    PQ_RETURN_IF_ERROR(env->WriteFileAtomic(dir + "/manifest/CREATED",
                                            std::to_string(clock->NowMicros()) + "\n"));
  }
  uint64_t current_version = 0;
  if (env->FileExists(current_path)) {
    PQ_ASSIGN_OR_RETURN(std::string name, env->ReadFileToString(current_path));
    while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
    if (!ParseManifestName(name, &current_version)) {
      return Status::Corruption("manifest/CURRENT holds '" + name + "', not a manifest name");
    }
    auto text = env->ReadFileToString(dir + "/manifest/" + name);
    if (!text.ok()) {
      return Status::Corruption("manifest/CURRENT names " + name +
                                " which cannot be read: " + text.status().ToString());
    }
    auto m = Manifest::FromJson(*text);
    if (!m.ok()) return m.status().WithContext(name);
    if (m->version != current_version) {
      return Status::Corruption(name + " holds version " + std::to_string(m->version));
    }
    s->current_ = std::move(*m);
  }
  // Retained manifests: everything up to CURRENT. Newer ones are debris of a commit
  // that crashed before CURRENT moved; temp files likewise.
  PQ_ASSIGN_OR_RETURN(auto names, env->GetChildren(dir + "/manifest"));
  for (const std::string& name : names) {
    uint64_t v;
    std::string path = dir + "/manifest/" + name;
    if (name == "CURRENT" || name == "HORIZON" || name == "CREATED") continue;
    if (!ParseManifestName(name, &v) || v > current_version) {
      PQ_RETURN_IF_ERROR(env->RemoveFile(path));
      continue;
    }
    if (v == current_version) continue;
    PQ_ASSIGN_OR_RETURN(std::string text, env->ReadFileToString(path));
    auto m = Manifest::FromJson(text);
    if (!m.ok()) return m.status().WithContext(name);
    s->history_[v] = InfoOf(*m);
  }
  s->history_[current_version] = InfoOf(s->current_);
  // The empty store (version 0) is history too, until a vacuum drops it; Vacuum
  // records the oldest version it kept in manifest/HORIZON.
  uint64_t horizon = 0;
  if (env->FileExists(dir + "/manifest/HORIZON")) {
    PQ_ASSIGN_OR_RETURN(std::string h, env->ReadFileToString(dir + "/manifest/HORIZON"));
    if (h.empty() || h.find_first_not_of("0123456789\n") != std::string::npos) {
      return Status::Corruption("manifest/HORIZON holds '" + h + "'");
    }
    horizon = std::stoull(h);
  }
  if (horizon == 0) {
    // The empty version 0 is the state from the store's creation until its first
    // flush; before that instant there is no history (manifest/CREATED).
    PQ_ASSIGN_OR_RETURN(int64_t created, ReadCreated(env, dir));
    s->history_[0] = ManifestInfo{0, created, 0, created};
  }
  for (auto it = s->history_.begin(); it != s->history_.end();) {
    it =
        it->first < horizon && it->first != current_version ? s->history_.erase(it) : std::next(it);
  }
  PQ_RETURN_IF_ERROR(s->RemoveUnreferencedFiles());
  return s;
}

std::vector<ManifestInfo> NativeStore::History() const {
  std::vector<ManifestInfo> out;
  for (const auto& [v, info] : history_) out.push_back(info);
  return out;
}

Result<Manifest> NativeStore::Load(uint64_t version) const {
  if (version == current_.version) return current_;
  if (history_.find(version) == history_.end()) {
    return Status::NotFound("manifest version " + std::to_string(version) + " is not retained");
  }
  if (version == 0) return Manifest{};
  PQ_ASSIGN_OR_RETURN(std::string text, env_->ReadFileToString(ManifestPath(version)));
  return Manifest::FromJson(text);
}

Result<std::unique_ptr<DataFileBuilder>> NativeStore::NewDataFile(
    const RowCodec& codec, uint64_t* next_file_id, const parquet::WriterOptions& options) {
  const std::string& table = codec.spec().name;
  std::unique_ptr<DataFileBuilder> b(new DataFileBuilder());
  b->env_ = env_;
  b->codec_ = &codec;
  b->table_dir_ = dir_ + "/data/" + table;
  PQ_RETURN_IF_ERROR(env_->CreateDirs(b->table_dir_));
  char name[32];
  std::snprintf(name, sizeof name, "%012" PRIu64 ".parquet", (*next_file_id)++);
  b->file_.path = table + "/" + name;
  b->file_.min_seq = UINT64_MAX;
  b->path_ = dir_ + "/data/" + b->file_.path;
  PQ_ASSIGN_OR_RETURN(auto file, env_->NewWritableFile(b->path_));
  parquet::WriterOptions opts = options;
  opts.key_value_metadata.push_back({"parquedb.table", table});
  PQ_ASSIGN_OR_RETURN(b->writer_, parquet::FileWriter::Open(std::move(file), codec.schema(), opts));
  return b;
}

Status DataFileBuilder::Add(const std::vector<StoredRow>& rows) {
  if (rows.empty()) return Status::OK();
  for (const StoredRow& r : rows) {
    file_.min_seq = std::min(file_.min_seq, r.seq);
    file_.max_seq = std::max(file_.max_seq, r.seq);
  }
  file_.rows += static_cast<int64_t>(rows.size());
  std::vector<parquet::ColumnVector> cols;
  PQ_RETURN_IF_ERROR(codec_->Encode(rows, &cols));
  return writer_->WriteTable(cols, static_cast<int64_t>(rows.size()));
}

Result<DataFile> DataFileBuilder::Finish() {
  PQ_RETURN_IF_ERROR(writer_->Close(/*sync=*/true));
  PQ_RETURN_IF_ERROR(env_->SyncDir(table_dir_));
  PQ_ASSIGN_OR_RETURN(file_.bytes, env_->GetFileSize(path_));
  if (file_.rows == 0) file_.min_seq = 0;
  return file_;
}

Result<DataFile> NativeStore::WriteDataFile(const RowCodec& codec,
                                            const std::vector<StoredRow>& rows,
                                            uint64_t* next_file_id,
                                            const parquet::WriterOptions& options) {
  PQ_ASSIGN_OR_RETURN(auto builder, NewDataFile(codec, next_file_id, options));
  PQ_RETURN_IF_ERROR(builder->Add(rows));
  return builder->Finish();
}

Status NativeStore::Commit(Manifest* m) {
  m->version = current_.version + 1;
  m->committed_at = std::max(clock_->NowMicros(), current_.committed_at);
  char name[64];
  std::snprintf(name, sizeof name, "%s%010" PRIu64 "%s", kManifestPrefix, m->version,
                kManifestSuffix);
  PQ_RETURN_IF_ERROR(env_->WriteFileAtomic(ManifestPath(m->version), m->ToJson()));
  PQ_RETURN_IF_ERROR(env_->WriteFileAtomic(dir_ + "/manifest/CURRENT", std::string(name) + "\n"));
  current_ = *m;
  history_[m->version] = InfoOf(*m);
  return Status::OK();
}

Result<std::unique_ptr<parquet::FileReader>> NativeStore::OpenDataFile(const DataFile& f) const {
  return parquet::FileReader::Open(env_, dir_ + "/data/" + f.path);
}

Status NativeStore::RemoveUnreferencedFiles(const VacuumProgress& progress) {
  std::set<std::string> live;
  for (const auto& [v, info] : history_) {
    PQ_ASSIGN_OR_RETURN(Manifest m, Load(v));
    for (const auto& [t, tf] : m.tables) {
      for (const DataFile& f : tf.files) live.insert(f.path);
    }
  }
  PQ_ASSIGN_OR_RETURN(auto tables, env_->GetChildren(dir_ + "/data"));
  std::vector<std::string> paths;  // "<table>/<file>"
  for (const std::string& t : tables) {
    auto files = env_->GetChildren(dir_ + "/data/" + t);
    if (!files.ok()) continue;  // not a directory
    for (const std::string& f : *files) paths.push_back(t + "/" + f);
  }
  const int64_t total = static_cast<int64_t>(paths.size());
  int64_t removed = 0;
  for (int64_t i = 0; i < total; i++) {
    const std::string& p = paths[static_cast<size_t>(i)];
    if (live.count(p) == 0) {
      PQ_RETURN_IF_ERROR(env_->RemoveFile(dir_ + "/data/" + p));
      removed++;
    }
    if (progress && (i + 1) % 64 == 0) progress(i + 1, total, removed);
  }
  if (progress) progress(total, total, removed);
  return Status::OK();
}

Result<ManifestInfo> NativeStore::Vacuum(int64_t cutoff_micros, const VacuumProgress& progress) {
  // Keep: all manifests committed at/after the cutoff, the newest one before it,
  // and always the current one.
  std::vector<uint64_t> drop;
  uint64_t newest_before = UINT64_MAX;
  for (const auto& [v, info] : history_) {
    if (info.committed_at < cutoff_micros && v != current_.version) newest_before = v;
  }
  for (const auto& [v, info] : history_) {
    if (info.committed_at < cutoff_micros && v != current_.version && v != newest_before) {
      drop.push_back(v);
    }
  }
  for (uint64_t v : drop) history_.erase(v);
  // Record the horizon before deleting anything, so a crash mid-vacuum never
  // resurrects history whose files are gone.
  PQ_RETURN_IF_ERROR(env_->WriteFileAtomic(dir_ + "/manifest/HORIZON",
                                           std::to_string(history_.begin()->first) + "\n"));
  for (uint64_t v : drop) {
    if (v != 0 && env_->FileExists(ManifestPath(v))) {
      PQ_RETURN_IF_ERROR(env_->RemoveFile(ManifestPath(v)));
    }
  }
  PQ_RETURN_IF_ERROR(env_->SyncDir(dir_ + "/manifest"));
  PQ_RETURN_IF_ERROR(RemoveUnreferencedFiles(progress));
  return history_.begin()->second;
}

std::optional<int64_t> NativeStore::StateTimeAt(int64_t cutoff_micros) const {
  std::optional<int64_t> out;
  for (const auto& [v, info] : history_) {
    if (info.committed_at < cutoff_micros && v != current_.version) out = info.flushed_ts;
  }
  return out;
}

Status NativeStore::VacuumTables(const std::vector<std::string>& tables, int64_t cutoff_micros) {
  uint64_t newest_before = UINT64_MAX;
  for (const auto& [v, info] : history_) {
    if (info.committed_at < cutoff_micros && v != current_.version) newest_before = v;
  }
  for (const auto& [v, info] : history_) {
    if (v == 0 || info.committed_at >= cutoff_micros || v == current_.version ||
        v == newest_before) {
      continue;
    }
    PQ_ASSIGN_OR_RETURN(Manifest m, Load(v));
    bool changed = false;
    for (const std::string& t : tables) changed |= m.tables.erase(t) > 0;
    if (changed) PQ_RETURN_IF_ERROR(env_->WriteFileAtomic(ManifestPath(v), m.ToJson()));
  }
  return RemoveUnreferencedFiles();
}

}  // namespace parquedb::storage
