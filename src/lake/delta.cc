// Delta Lake tables: <root>/_delta_log/NNNNNNNNNNNNNNNNNNNN.json commits (one
// JSON action per line: commitInfo, protocol, metaData, add, remove), written
// put-if-absent (temp file + RenameNoReplace); data files <root>/part-*.parquet.
// Protocol (1, 2): no column mapping, no deletion vectors; copy-on-write updates.
#include <algorithm>
#include <cstdio>
#include <set>

#include <nlohmann/json.hpp>

#include "lake/cow.h"
#include "lake/iceberg_internal.h"
#include "lake/lake_table.h"

namespace parquedb::lake {

using nlohmann::json;

namespace {

Status Bad(const std::string& what) { return Status::Corruption("delta: " + what); }

json DeltaType(const parquet::SchemaNode& n) {
  using LK = parquet::LogicalType::Kind;
  if (!n.is_leaf) {
    if (n.children.size() == 1 && !n.children[0].is_leaf && n.children[0].children.size() == 1) {
      const parquet::SchemaNode& elem = n.children[0].children[0];
      return json{{"type", "array"},
                  {"elementType", DeltaType(elem)},
                  {"containsNull", elem.repetition != parquet::Repetition::kRequired}};
    }
    json fields = json::array();
    for (const auto& c : n.children) {
      fields.push_back({{"name", c.name}, {"type", DeltaType(c)},
                        {"nullable", c.repetition != parquet::Repetition::kRequired},
                        {"metadata", json::object()}});
    }
    return json{{"type", "struct"}, {"fields", fields}};
  }
  switch (n.logical.kind) {
    case LK::kString: case LK::kJson: case LK::kEnum: return "string";
    case LK::kDate: return "date";
    case LK::kTimestamp: return "timestamp";
    case LK::kDecimal:
      return "decimal(" + std::to_string(n.logical.decimal_precision) + "," +
             std::to_string(n.logical.decimal_scale) + ")";
    default: break;
  }
  switch (n.type) {
    case parquet::PhysicalType::kBoolean: return "boolean";
    case parquet::PhysicalType::kInt32: return "integer";
    case parquet::PhysicalType::kInt64: return "long";
    case parquet::PhysicalType::kFloat: return "float";
    case parquet::PhysicalType::kDouble: return "double";
    default: return "binary";
  }
}

std::string DeltaSchemaString(const parquet::Schema& schema) {
  json fields = json::array();
  for (const auto& f : schema.fields()) {
    fields.push_back({{"name", f.name}, {"type", DeltaType(f)},
                      {"nullable", f.repetition != parquet::Repetition::kRequired},
                      {"metadata", json::object()}});
  }
  return json{{"type", "struct"}, {"fields", fields}}.dump();
}

// A stats bound as JSON text; empty when the column gets no bound.
std::string StatJson(const Value& v, bool is_max) {
  switch (v.kind()) {
    case Value::Kind::kInt: return std::to_string(v.as_int());
    case Value::Kind::kDouble: {
      double d = v.as_double();
      if (d != d || d == 1.0 / 0.0 || d == -1.0 / 0.0) return "";
      return json(d).dump();
    }
    case Value::Kind::kDecimal: return v.as_decimal().ToString();
    case Value::Kind::kString: return json(v.as_string()).dump();
    case Value::Kind::kDate: return json(FormatDateDays(v.as_date())).dump();
    case Value::Kind::kTimestamp: {
      // Millisecond precision (what Delta readers assume): a safe outer bound.
      int64_t us = v.as_int();
      int64_t ms = us / 1000 - ((us % 1000 != 0 && us < 0) ? 1 : 0);
      if (is_max && us % 1000 != 0) ms += 1;
      std::string iso = FormatTimestampMicros(ms * 1000);  // ...SS.ffffffZ
      if (iso.size() > 8 && iso.back() == 'Z') iso = iso.substr(0, iso.size() - 4) + "Z";
      return json(iso).dump();
    }
    default: return "";
  }
}

std::string StatsJson(const WrittenFile& wf) {
  std::string mins, maxs, nulls;
  for (const ColumnStats& cs : wf.stats) {
    std::string key = json(cs.name).dump();
    if (!nulls.empty()) nulls += ",";
    nulls += key + ":" + std::to_string(cs.nulls);
    if (cs.min && cs.max) {
      std::string lo = StatJson(*cs.min, false), hi = StatJson(*cs.max, true);
      if (!lo.empty() && !hi.empty()) {
        if (!mins.empty()) mins += ",", maxs += ",";
        mins += key + ":" + lo;
        maxs += key + ":" + hi;
      }
    }
  }
  return "{\"numRecords\":" + std::to_string(wf.rows) + ",\"minValues\":{" + mins +
         "},\"maxValues\":{" + maxs + "},\"nullCount\":{" + nulls + "}}";
}

struct Snapshot {
  int64_t version = -1;
  json protocol, metadata, commit_info;
  std::map<std::string, json> files;  // path -> add action (insertion order not needed)
  int64_t timestamp_ms = 0;
};

class DeltaTable final : public LakeTable {
 public:
  DeltaTable(Env* env, std::string root, const storage::RowCodec* codec)
      : env_(env), root_(std::move(root)), codec_(codec) {}
  Format format() const override { return Format::kDelta; }
  const std::string& root() const override { return root_; }

  std::string LogDir() const { return JoinPath(root_, "_delta_log"); }
  std::string CommitPath(int64_t v) const {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%020lld.json", static_cast<long long>(v));
    return JoinPath(LogDir(), buf);
  }

  Result<std::vector<int64_t>> Versions() {
    std::vector<int64_t> out;
    auto kids = env_->GetChildren(LogDir());
    if (!kids.ok()) return out;
    bool checkpoint = false;
    for (const std::string& k : *kids) {
      if (k.size() == 25 && k.ends_with(".json") &&
          std::all_of(k.begin(), k.begin() + 20, [](char c) { return c >= '0' && c <= '9'; })) {
        out.push_back(std::stoll(k.substr(0, 20)));
      }
      if (k.find(".checkpoint.") != std::string::npos) checkpoint = true;
    }
    std::sort(out.begin(), out.end());
    if (!out.empty() && out[0] != 0 && checkpoint) {
      return Status::NotSupported("delta: log starts at a checkpoint; checkpoint reading is not supported");
    }
    for (size_t i = 0; i < out.size(); i++) {
      if (out[i] != static_cast<int64_t>(i)) return Bad("gap in _delta_log before version " + std::to_string(out[i]));
    }
    return out;
  }

  // Replays commits 0..version (latest when nullopt).
  Result<Snapshot> Replay(std::optional<int64_t> version, std::vector<VersionInfo>* history = nullptr) {
    PQ_ASSIGN_OR_RETURN(auto versions, Versions());
    if (versions.empty()) return Status::NotFound("no delta log in " + root_);
    int64_t last = versions.back();
    if (version) {
      if (*version < 0 || *version > last) return Status::NotFound("delta: no version " + std::to_string(*version));
      last = *version;
    }
    Snapshot snap;
    for (int64_t v = 0; v <= last; v++) {
      PQ_ASSIGN_OR_RETURN(std::string text, env_->ReadFileToString(CommitPath(v)));
      VersionInfo vi;
      vi.version = vi.sequence = v;
      size_t start = 0;
      while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string_view line(text.data() + start, end - start);
        start = end + 1;
        if (line.find_first_not_of(" \r\t") == std::string_view::npos) continue;
        json a = json::parse(line, nullptr, false);
        if (a.is_discarded() || !a.is_object()) return Bad("commit " + std::to_string(v) + " has a bad JSON line");
        if (auto it = a.find("add"); it != a.end()) {
          if (!it->is_object() || !it->contains("path") || !(*it)["path"].is_string()) return Bad("add without path");
          if (it->contains("deletionVector") && !(*it)["deletionVector"].is_null()) {
            return Status::NotSupported("delta: deletion vectors are not supported");
          }
          snap.files[(*it)["path"].get<std::string>()] = *it;
        } else if (auto rt = a.find("remove"); rt != a.end()) {
          if (!rt->is_object() || !rt->contains("path") || !(*rt)["path"].is_string()) return Bad("remove without path");
          snap.files.erase((*rt)["path"].get<std::string>());
        } else if (auto mt = a.find("metaData"); mt != a.end()) {
          snap.metadata = *mt;
        } else if (auto pt = a.find("protocol"); pt != a.end()) {
          snap.protocol = *pt;
          int rv = pt->is_object() && pt->contains("minReaderVersion") && (*pt)["minReaderVersion"].is_number_integer()
                     ? (*pt)["minReaderVersion"].get<int>()
                     : 1;
          if (rv > 3) return Status::NotSupported("delta: reader version " + std::to_string(rv));
          if (rv == 3 && pt->contains("readerFeatures") && (*pt)["readerFeatures"].is_array()) {
            for (const json& f : (*pt)["readerFeatures"]) {
              if (f != "timestampNtz" && f != "v2Checkpoint" && f != "vacuumProtocolCheck") {
                return Status::NotSupported("delta: reader feature " + f.dump());
              }
            }
          }
        } else if (auto ct = a.find("commitInfo"); ct != a.end()) {
          snap.commit_info = *ct;
          if (ct->is_object()) {
            vi.timestamp_ms = ct->value("timestamp", int64_t{0});
            if (auto ot = ct->find("operationParameters"); ot != ct->end() && ot->is_object()) {
              for (auto p = ot->begin(); p != ot->end(); ++p) {
                if (p.value().is_string()) vi.summary[p.key()] = p.value().get<std::string>();
              }
            }
            if (auto fs = ct->find("parquedb.flushed-seq"); fs != ct->end() && fs->is_number_unsigned()) {
              vi.flushed_seq = fs->get<uint64_t>();
            }
            if (auto tags = ct->find("tags"); tags != ct->end() && tags->is_object()) {
              for (auto p = tags->begin(); p != tags->end(); ++p) {
                if (p.value().is_string()) vi.summary[p.key()] = p.value().get<std::string>();
              }
            }
          }
        }
      }
      if (history) history->push_back(std::move(vi));
      snap.timestamp_ms = vi.timestamp_ms;
    }
    if (snap.metadata.is_null()) return Bad("no metaData action");
    snap.version = last;
    return snap;
  }

  Status WriteCommit(int64_t v, const std::vector<json>& actions) {
    std::string text;
    for (const json& a : actions) text += a.dump() + "\n";
    std::string tmp = JoinPath(LogDir(), "." + NewUuid() + ".json.tmp");
    {
      PQ_ASSIGN_OR_RETURN(auto f, env_->NewWritableFile(tmp));
      PQ_RETURN_IF_ERROR(f->Append(text));
      PQ_RETURN_IF_ERROR(f->Sync());
      PQ_RETURN_IF_ERROR(f->Close());
    }
    Status s = env_->RenameNoReplace(tmp, CommitPath(v));
    if (!s.ok()) {
      (void)env_->RemoveFile(tmp);
      if (s.code() == Status::Code::kAlreadyExists) {
        return Status::Aborted("delta: concurrent commit of version " + std::to_string(v));
      }
      return s;
    }
    return env_->SyncDir(LogDir());
  }

  json CommitInfoAction(const std::string& op, const CommitInfo& info) {
    json params = json::object();
    json tags = json::object();
    for (const auto& [k, v] : info.summary) tags[k] = v;
    return json{{"commitInfo",
                 {{"timestamp", info.timestamp_micros / 1000},
                  {"operation", op},
                  {"operationParameters", params},
                  {"engineInfo", "parquedb/0.1.0"},
                  {"isBlindAppend", op == "WRITE"},
                  {"parquedb.flushed-seq", info.flushed_seq},
                  {"tags", tags}}}};
  }

  Status Create(int64_t now_ms) {
    PQ_RETURN_IF_ERROR(env_->CreateDirs(LogDir()));
    std::vector<json> actions;
    CommitInfo ci;
    ci.timestamp_micros = now_ms * 1000;
    actions.push_back(CommitInfoAction("CREATE TABLE", ci));
    actions.push_back(json{{"protocol", {{"minReaderVersion", 1}, {"minWriterVersion", 2}}}});
    actions.push_back(MetaDataAction(NewUuid(), now_ms));
    return WriteCommit(0, actions);
  }

  json MetaDataAction(const std::string& id, int64_t created_ms) {
    return json{{"metaData",
                 {{"id", id},
                  {"format", {{"provider", "parquet"}, {"options", json::object()}}},
                  {"schemaString", DeltaSchemaString(codec_->schema())},
                  {"partitionColumns", json::array()},
                  {"configuration", json::object()},
                  {"createdTime", created_ms}}}};
  }

  Status CommitImpl(std::vector<storage::StoredRow> rows, bool overwrite, const CommitInfo& info) {
    if (codec_ == nullptr) return Status::NotSupported("delta table opened read-only");
    PQ_ASSIGN_OR_RETURN(Snapshot snap, Replay(std::nullopt));
    std::vector<LiveFile> files;
    std::vector<const json*> adds;
    for (const auto& [path, add] : snap.files) {
      LiveFile lf;
      lf.rel_path = path;
      if (add.contains("stats") && add["stats"].is_string()) {
        json st = json::parse(add["stats"].get<std::string>(), nullptr, false);
        if (st.is_object() && st.contains("minValues") && st["minValues"].is_object() &&
            st["minValues"].contains("$id") && st["minValues"]["$id"].is_string() &&
            st.contains("maxValues") && st["maxValues"].is_object() &&
            st["maxValues"].contains("$id") && st["maxValues"]["$id"].is_string()) {
          lf.min_id = st["minValues"]["$id"].get<std::string>();
          lf.max_id = st["maxValues"]["$id"].get<std::string>();
        }
      }
      files.push_back(std::move(lf));
      adds.push_back(&add);
    }
    std::string rel = "part-00000-" + NewUuid() + "-c000.snappy.parquet";
    PQ_ASSIGN_OR_RETURN(CowResult cow, CopyOnWrite(env_, *codec_, root_, files, std::move(rows), overwrite, rel));
    int64_t now_ms = info.timestamp_micros / 1000;
    std::vector<json> actions;
    actions.push_back(CommitInfoAction(overwrite ? "WRITE" : (cow.removed.empty() ? "WRITE" : "MERGE"), info));
    std::string want_schema = DeltaSchemaString(codec_->schema());
    if (snap.metadata.value("schemaString", "") != want_schema) {
      json md = MetaDataAction(snap.metadata.value("id", NewUuid()), snap.metadata.value("createdTime", now_ms));
      actions.push_back(md);
    }
    for (size_t i : cow.removed) {
      const json& add = *adds[i];
      json rm = {{"path", add["path"]}, {"deletionTimestamp", now_ms}, {"dataChange", true},
                 {"extendedFileMetadata", true}, {"partitionValues", json::object()}};
      if (add.contains("size")) rm["size"] = add["size"];
      actions.push_back(json{{"remove", rm}});
    }
    if (cow.added) {
      actions.push_back(json{{"add",
                              {{"path", cow.added->rel_path},
                               {"partitionValues", json::object()},
                               {"size", cow.added->bytes},
                               {"modificationTime", now_ms},
                               {"dataChange", true},
                               {"stats", StatsJson(*cow.added)}}}});
    }
    return WriteCommit(snap.version + 1, actions);
  }

  Status Commit(const std::vector<storage::StoredRow>& changes, const CommitInfo& info) override {
    return CommitImpl(changes, false, info);
  }
  Status Overwrite(const std::vector<storage::StoredRow>& live, const CommitInfo& info) override {
    return CommitImpl(live, true, info);
  }

  Result<std::optional<VersionInfo>> Current() override {
    std::vector<VersionInfo> h;
    PQ_ASSIGN_OR_RETURN(Snapshot snap, Replay(std::nullopt, &h));
    (void)snap;
    // The newest version that carries our flushed seq wins (foreign commits have 0).
    VersionInfo v = h.back();
    return std::optional<VersionInfo>(v);
  }

  Result<std::vector<VersionInfo>> History() override {
    std::vector<VersionInfo> h;
    PQ_ASSIGN_OR_RETURN(Snapshot snap, Replay(std::nullopt, &h));
    (void)snap;
    return h;
  }

  Result<std::vector<Value>> Scan(std::optional<int64_t> version) override {
    PQ_ASSIGN_OR_RETURN(Snapshot snap, Replay(version));
    std::set<std::string> strings;
    if (snap.metadata.is_object() && snap.metadata.contains("schemaString") &&
        snap.metadata["schemaString"].is_string()) {
      json sch = json::parse(snap.metadata["schemaString"].get<std::string>(), nullptr, false);
      if (sch.is_object() && sch.contains("fields") && sch["fields"].is_array()) {
        for (const json& f : sch["fields"]) {
          if (f.is_object() && f.value("type", json()) == "string" && f.contains("name") &&
              f["name"].is_string()) {
            strings.insert(f["name"].get<std::string>());
          }
        }
      }
    }
    std::vector<Value> rows;
    for (const auto& [path, add] : snap.files) {
      std::string p = path;
      // Paths are URIs relative to the root (percent-encoded).
      std::string dec;
      for (size_t i = 0; i < p.size(); i++) {
        if (p[i] == '%' && i + 2 < p.size() && isxdigit(p[i + 1]) && isxdigit(p[i + 2])) {
          dec.push_back(static_cast<char>(std::stoi(p.substr(i + 1, 2), nullptr, 16)));
          i += 2;
        } else {
          dec.push_back(p[i]);
        }
      }
      PQ_ASSIGN_OR_RETURN(auto frows, ReadRowsGeneric(env_, ResolvePath(root_, dec), &strings));
      for (auto& r : frows) rows.push_back(std::move(r));
    }
    return rows;
  }

  Result<int64_t> Expire(int64_t cutoff_ms) override {
    if (codec_ == nullptr) return Status::NotSupported("delta table opened read-only");
    PQ_ASSIGN_OR_RETURN(auto versions, Versions());
    if (versions.empty()) return int64_t{0};
    // Files some version at or after the cutoff (or the state at the cutoff) needs:
    // the live files of every such version. Replaying each version is quadratic;
    // instead track, per removed file, when it was removed.
    std::map<std::string, int64_t> removed_at;  // path -> deletionTimestamp (ms)
    std::set<std::string> ever;
    for (int64_t v : versions) {
      PQ_ASSIGN_OR_RETURN(std::string text, env_->ReadFileToString(CommitPath(v)));
      size_t start = 0;
      while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        json a = json::parse(std::string_view(text.data() + start, end - start), nullptr, false);
        start = end + 1;
        if (!a.is_object()) continue;
        if (auto it = a.find("add"); it != a.end() && it->is_object() && it->contains("path")) {
          std::string p = (*it)["path"].get<std::string>();
          ever.insert(p);
          removed_at.erase(p);
        } else if (auto rt = a.find("remove"); rt != a.end() && rt->is_object() && rt->contains("path")) {
          removed_at[(*rt)["path"].get<std::string>()] = rt->value("deletionTimestamp", int64_t{0});
        }
      }
    }
    int64_t deleted = 0;
    for (const auto& [p, ts] : removed_at) {
      // Removed before the cutoff: no version at or after the cutoff reads it.
      if (ts < cutoff_ms && p.find("..") == std::string::npos && p.find('/') == std::string::npos &&
          env_->RemoveFile(JoinPath(root_, p)).ok()) {
        deleted++;
      }
    }
    return deleted;
  }

  Status Load() {
    PQ_ASSIGN_OR_RETURN(auto versions, Versions());
    if (versions.empty()) return Status::NotFound("no delta log in " + root_);
    return Status::OK();
  }

 private:
  Env* env_;
  std::string root_;
  const storage::RowCodec* codec_;
};

}  // namespace

Result<std::unique_ptr<LakeTable>> OpenDelta(Env* env, const std::string& root,
                                             const storage::RowCodec* codec) {
  auto t = std::make_unique<DeltaTable>(env, AbsolutePath(root), codec);
  Status s = t->Load();
  if (s.IsNotFound() && codec != nullptr) {
    PQ_RETURN_IF_ERROR(t->Create(0));
  } else if (!s.ok()) {
    return s;
  }
  return std::unique_ptr<LakeTable>(std::move(t));
}

}  // namespace parquedb::lake
