#include "lake/mirror.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

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
                           int64_t now_micros, const std::vector<std::string>& views,
                           const SummaryFn& summary) {
  static const std::vector<storage::StoredRow> kNone;
  std::set<std::string> last(views.begin(), views.end());
  std::vector<std::string> order;
  for (const auto& [name, rows] : changes) {
    if (!rows.empty() && !last.count(name)) order.push_back(name);
  }
  for (const std::string& v : views) order.push_back(v);
  for (const std::string& name : order) {
    LakeTable* t = table(name);
    if (t == nullptr) continue;  // a native-only table
    auto ch = changes.find(name);
    const std::vector<storage::StoredRow>& rows = ch == changes.end() ? kNone : ch->second;
    CommitInfo ci;
    ci.timestamp_micros = now_micros;
    ci.flushed_seq = committed.flushed_seq;
    ci.summary["parquedb.manifest-version"] = std::to_string(committed.version);
    Status s;
    if (summary) {
      auto extra = summary(name);
      if (extra.ok()) {
        for (auto& [k, v] : *extra) ci.summary[k] = std::move(v);
      } else {
        s = extra.status();
      }
    }
    if (s.ok()) s = t->Commit(rows, ci);
    if (!s.ok()) {
      needs_sync_ = true;  // the next Sync rewrites from the native state
      return s.WithContext(std::string(FormatName(t->format())) + " commit of " + name +
                           " (the native commit succeeded)");
    }
  }
  return WriteMirrored(committed.flushed_seq);
}

Status LakeMirror::Expire(int64_t cutoff_micros) {
  for (const auto& [name, t] : tables_) {
    auto r = t->Expire(cutoff_micros / 1000);
    if (!r.ok()) return r.status().WithContext("expiring " + name);
  }
  return Status::OK();
}

Result<std::string> LakeMirror::RefreshState(uint64_t refresh_version_id,
                                             const std::map<std::string, uint64_t>& source_seqs,
                                             int64_t now_micros) {
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& [name, seq] : source_seqs) {
    nlohmann::json s = {{"type", "table"}, {"name", name}, {"parquedb.sequence", seq}};
    if (LakeTable* t = table(name); t != nullptr) {
      PQ_ASSIGN_OR_RETURN(auto cur, t->Current());
      s["format"] = std::string(FormatName(t->format()));
      if (t->format() == Format::kIceberg) {
        s["snapshot-id"] = cur ? cur->version : -1;
      } else {
        s["version"] = cur ? cur->version : -1;
      }
    } else {
      s["format"] = "native";
      s["snapshot-id"] = seq;
    }
    sources.push_back(std::move(s));
  }
  return nlohmann::json{{"view-version-id", refresh_version_id},
                        {"refresh-version-id", std::to_string(refresh_version_id)},
                        {"source-states", sources},
                        {"refresh-start-timestamp-ms", now_micros / 1000}}
      .dump();
}

Result<std::vector<std::string>> LakeMirror::StaleSources(
    const std::string& view, const std::map<std::string, uint64_t>& native_seqs) {
  LakeTable* v = table(view);
  if (v == nullptr) return Status::NotFound("view " + view + " is not mirrored");
  PQ_ASSIGN_OR_RETURN(auto cur, v->Current());
  if (!cur) return Status::NotFound("view " + view + " has no snapshot");
  auto it = cur->summary.find("refresh-state");
  if (it == cur->summary.end()) return Status::NotFound("view " + view + " has no refresh-state");
  nlohmann::json rs = nlohmann::json::parse(it->second, nullptr, false);
  if (!rs.is_object() || !rs.contains("source-states") || !rs["source-states"].is_array()) {
    return Status::Corruption("view " + view + ": bad refresh-state");
  }
  std::vector<std::string> stale;
  for (const auto& s : rs["source-states"]) {
    if (!s.is_object() || !s.contains("name") || !s["name"].is_string()) {
      return Status::Corruption("view " + view + ": bad source state");
    }
    std::string name = s["name"].get<std::string>();
    std::string fmt = s.contains("format") && s["format"].is_string() ? s["format"].get<std::string>() : "native";
    if (fmt == "native") {
      auto n = native_seqs.find(name);
      uint64_t rec = s.contains("snapshot-id") && s["snapshot-id"].is_number_unsigned()
                         ? s["snapshot-id"].get<uint64_t>() : 0;
      if (n == native_seqs.end() || n->second != rec) stale.push_back(name);
      continue;
    }
    LakeTable* src = table(name);
    if (src == nullptr) {
      stale.push_back(name);
      continue;
    }
    PQ_ASSIGN_OR_RETURN(auto sc, src->Current());
    const char* key = fmt == "iceberg" ? "snapshot-id" : "version";
    int64_t rec = s.contains(key) && s[key].is_number_integer() ? s[key].get<int64_t>() : -2;
    if ((sc ? sc->version : -1) != rec) stale.push_back(name);
  }
  return stale;
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
