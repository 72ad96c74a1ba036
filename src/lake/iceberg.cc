// Iceberg v2 tables without a catalog (file-system tables, "Hadoop" layout):
//   <root>/metadata/vN.metadata.json   table metadata, committed no-clobber
//   <root>/metadata/version-hint.text  N (a hint; readers may also list vN files)
//   <root>/metadata/snap-<id>-<uuid>.avro   manifest list (Avro, our writer)
//   <root>/metadata/<uuid>-m0.avro          manifest (Avro, our writer)
//   <root>/data/<snapshot>-<uuid>.parquet   data files (live rows, field ids)
#include <algorithm>
#include <cstring>
#include <functional>
#include <set>

#include <nlohmann/json.hpp>

#include "lake/avro.h"
#include "lake/cow.h"
#include "lake/iceberg_internal.h"
#include "lake/lake_table.h"

namespace parquedb::lake {

using nlohmann::json;

namespace {

constexpr const char* kManifestEntrySchemaTail = R"(
  {"name": "file_path", "type": "string", "field-id": 100},
  {"name": "file_format", "type": "string", "field-id": 101},
  {"name": "partition", "type": {"type": "record", "name": "r102", "fields": []}, "field-id": 102},
  {"name": "record_count", "type": "long", "field-id": 103},
  {"name": "file_size_in_bytes", "type": "long", "field-id": 104},
  {"name": "column_sizes", "type": ["null", {"type": "array", "logicalType": "map", "items": {"type": "record", "name": "k117_v118", "fields": [{"name": "key", "type": "int", "field-id": 117}, {"name": "value", "type": "long", "field-id": 118}]}}], "default": null, "field-id": 108},
  {"name": "value_counts", "type": ["null", {"type": "array", "logicalType": "map", "items": {"type": "record", "name": "k119_v120", "fields": [{"name": "key", "type": "int", "field-id": 119}, {"name": "value", "type": "long", "field-id": 120}]}}], "default": null, "field-id": 109},
  {"name": "null_value_counts", "type": ["null", {"type": "array", "logicalType": "map", "items": {"type": "record", "name": "k121_v122", "fields": [{"name": "key", "type": "int", "field-id": 121}, {"name": "value", "type": "long", "field-id": 122}]}}], "default": null, "field-id": 110},
  {"name": "nan_value_counts", "type": ["null", {"type": "array", "logicalType": "map", "items": {"type": "record", "name": "k138_v139", "fields": [{"name": "key", "type": "int", "field-id": 138}, {"name": "value", "type": "long", "field-id": 139}]}}], "default": null, "field-id": 137},
  {"name": "lower_bounds", "type": ["null", {"type": "array", "logicalType": "map", "items": {"type": "record", "name": "k126_v127", "fields": [{"name": "key", "type": "int", "field-id": 126}, {"name": "value", "type": "bytes", "field-id": 127}]}}], "default": null, "field-id": 125},
  {"name": "upper_bounds", "type": ["null", {"type": "array", "logicalType": "map", "items": {"type": "record", "name": "k129_v130", "fields": [{"name": "key", "type": "int", "field-id": 129}, {"name": "value", "type": "bytes", "field-id": 130}]}}], "default": null, "field-id": 128},
  {"name": "key_metadata", "type": ["null", "bytes"], "default": null, "field-id": 131},
  {"name": "split_offsets", "type": ["null", {"type": "array", "items": "long", "element-id": 133}], "default": null, "field-id": 132},
  {"name": "equality_ids", "type": ["null", {"type": "array", "items": "int", "element-id": 136}], "default": null, "field-id": 135},
  {"name": "sort_order_id", "type": ["null", "int"], "default": null, "field-id": 140}
]}, "field-id": 2}]})";

const std::string& ManifestEntrySchemaText() {
  static const std::string s = std::string(R"({"type": "record", "name": "manifest_entry", "fields": [
  {"name": "status", "type": "int", "field-id": 0},
  {"name": "snapshot_id", "type": ["null", "long"], "default": null, "field-id": 1},
  {"name": "sequence_number", "type": ["null", "long"], "default": null, "field-id": 3},
  {"name": "file_sequence_number", "type": ["null", "long"], "default": null, "field-id": 4},
  {"name": "data_file", "type": {"type": "record", "name": "r2", "fields": [
  {"name": "content", "type": "int", "field-id": 134},)") + kManifestEntrySchemaTail;
  return s;
}

constexpr const char* kManifestListSchema = R"({"type": "record", "name": "manifest_file", "fields": [
  {"name": "manifest_path", "type": "string", "field-id": 500},
  {"name": "manifest_length", "type": "long", "field-id": 501},
  {"name": "partition_spec_id", "type": "int", "field-id": 502},
  {"name": "content", "type": "int", "field-id": 517},
  {"name": "sequence_number", "type": "long", "field-id": 515},
  {"name": "min_sequence_number", "type": "long", "field-id": 516},
  {"name": "added_snapshot_id", "type": "long", "field-id": 503},
  {"name": "added_files_count", "type": "int", "field-id": 504},
  {"name": "existing_files_count", "type": "int", "field-id": 505},
  {"name": "deleted_files_count", "type": "int", "field-id": 506},
  {"name": "added_rows_count", "type": "long", "field-id": 512},
  {"name": "existing_rows_count", "type": "long", "field-id": 513},
  {"name": "deleted_rows_count", "type": "long", "field-id": 514},
  {"name": "partitions", "type": ["null", {"type": "array", "items": {"type": "record", "name": "r508", "fields": [
    {"name": "contains_null", "type": "boolean", "field-id": 509},
    {"name": "contains_nan", "type": ["null", "boolean"], "default": null, "field-id": 518},
    {"name": "lower_bound", "type": ["null", "bytes"], "default": null, "field-id": 510},
    {"name": "upper_bound", "type": ["null", "bytes"], "default": null, "field-id": 511}]}, "element-id": 508}], "default": null, "field-id": 507},
  {"name": "key_metadata", "type": ["null", "bytes"], "default": null, "field-id": 519}
]})";

Status Bad(const std::string& what) { return Status::Corruption("iceberg: " + what); }

// Typed access to untrusted JSON.
const json* Member(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}
Result<int64_t> GetInt(const json& j, const char* key) {
  const json* m = Member(j, key);
  if (m == nullptr || !m->is_number_integer()) {
    return Bad(std::string("metadata lacks integer \"") + key + "\"");
  }
  return m->get<int64_t>();
}
Result<std::string> GetStr(const json& j, const char* key) {
  const json* m = Member(j, key);
  if (m == nullptr || !m->is_string()) {
    return Bad(std::string("metadata lacks string \"") + key + "\"");
  }
  return m->get<std::string>();
}

int64_t IntOr(const Value* v, int64_t dflt) {
  return v && v->kind() == Value::Kind::kInt ? v->as_int() : dflt;
}

}  // namespace

json IcebergType(const parquet::SchemaNode& n) {
  using LK = parquet::LogicalType::Kind;
  if (!n.is_leaf) {
    if (n.children.size() == 1 && !n.children[0].is_leaf && n.children[0].children.size() == 1) {
      const parquet::SchemaNode& elem = n.children[0].children[0];
      return json{{"type", "list"},
                  {"element-id", elem.field_id},
                  {"element", IcebergType(elem)},
                  {"element-required", elem.repetition == parquet::Repetition::kRequired}};
    }
    json fields = json::array();
    for (const auto& c : n.children) {
      fields.push_back({{"id", c.field_id},
                        {"name", c.name},
                        {"required", c.repetition == parquet::Repetition::kRequired},
                        {"type", IcebergType(c)}});
    }
    return json{{"type", "struct"}, {"fields", fields}};
  }
  switch (n.logical.kind) {
    case LK::kString: case LK::kJson: case LK::kEnum: return "string";
    case LK::kDate: return "date";
    case LK::kTimestamp: return n.logical.is_adjusted_to_utc ? "timestamptz" : "timestamp";
    case LK::kDecimal:
      return "decimal(" + std::to_string(n.logical.decimal_precision) + ", " +
             std::to_string(n.logical.decimal_scale) + ")";
    default: break;
  }
  switch (n.type) {
    case parquet::PhysicalType::kBoolean: return "boolean";
    case parquet::PhysicalType::kInt32: return "int";
    case parquet::PhysicalType::kInt64: return "long";
    case parquet::PhysicalType::kFloat: return "float";
    case parquet::PhysicalType::kDouble: return "double";
    case parquet::PhysicalType::kFixedLenByteArray:
      return "fixed[" + std::to_string(n.type_length) + "]";
    default: return "binary";
  }
}

json IcebergSchema(const parquet::Schema& schema, int schema_id, int* last_column_id) {
  json fields = json::array();
  int max_id = 0;
  std::function<void(const parquet::SchemaNode&)> walk = [&](const parquet::SchemaNode& n) {
    max_id = std::max(max_id, n.field_id);
    for (const auto& c : n.children) walk(c);
  };
  for (const auto& f : schema.fields()) {
    walk(f);
    fields.push_back({{"id", f.field_id},
                      {"name", f.name},
                      {"required", f.repetition == parquet::Repetition::kRequired},
                      {"type", IcebergType(f)}});
  }
  if (last_column_id) *last_column_id = max_id;
  return json{{"type", "struct"}, {"schema-id", schema_id}, {"fields", fields}};
}

std::optional<std::string> IcebergBound(const parquet::SchemaNode& leaf, const Value& v) {
  std::string out;
  auto le = [&](uint64_t x, int n) {
    for (int i = 0; i < n; i++) out.push_back(static_cast<char>((x >> (8 * i)) & 0xFF));
  };
  switch (v.kind()) {
    case Value::Kind::kBool: out.push_back(v.as_bool() ? 1 : 0); return out;
    case Value::Kind::kInt:
      le(static_cast<uint64_t>(v.as_int()), leaf.type == parquet::PhysicalType::kInt32 ? 4 : 8);
      return out;
    case Value::Kind::kTimestamp: le(static_cast<uint64_t>(v.as_int()), 8); return out;
    case Value::Kind::kDate:
      le(static_cast<uint64_t>(static_cast<int64_t>(v.as_date())), 4);
      return out;
    case Value::Kind::kDouble: {
      if (leaf.type == parquet::PhysicalType::kFloat) {
        float f = static_cast<float>(v.as_double());
        uint32_t b;
        std::memcpy(&b, &f, 4);
        le(b, 4);
      } else {
        double d = v.as_double();
        uint64_t b;
        std::memcpy(&b, &d, 8);
        le(b, 8);
      }
      return out;
    }
    case Value::Kind::kString: return v.as_string();
    case Value::Kind::kDecimal: {
      // Big-endian two's complement, minimal width.
      __int128 u = v.as_decimal().unscaled;
      std::string be;
      for (int i = 0; i < 16; i++) be.insert(be.begin(), static_cast<char>(static_cast<uint8_t>((u >> (8 * i)) & 0xFF)));
      size_t start = 0;
      while (start + 1 < be.size()) {
        uint8_t b0 = static_cast<uint8_t>(be[start]), b1 = static_cast<uint8_t>(be[start + 1]);
        if ((b0 == 0x00 && !(b1 & 0x80)) || (b0 == 0xFF && (b1 & 0x80))) {
          start++;
        } else {
          break;
        }
      }
      return be.substr(start);
    }
    default: return std::nullopt;
  }
}

namespace {

struct Entry {
  Value raw;  // decoded manifest entry (generic)
  int status = 1;
  int64_t snapshot_id = 0;
  int64_t seq = 0;
  int64_t file_seq = 0;
  int content = 0;
  std::string path;
  int64_t records = 0;
  std::optional<std::string> min_id, max_id;
};

class IcebergTable final : public LakeTable {
 public:
  IcebergTable(Env* env, std::string root, const storage::RowCodec* codec)
      : env_(env), root_(std::move(root)), codec_(codec) {}

  Format format() const override { return Format::kIceberg; }
  const std::string& root() const override { return root_; }

  std::string MetaDir() const { return JoinPath(root_, "metadata"); }
  std::string MetaPath(int64_t v) const {
    return JoinPath(MetaDir(), "v" + std::to_string(v) + ".metadata.json");
  }

  // Finds the newest metadata version: version-hint.text, then any higher vN files.
  Result<int64_t> FindLatest() {
    int64_t best = 0;
    auto kids = env_->GetChildren(MetaDir());
    if (!kids.ok()) return int64_t{0};
    for (const std::string& k : *kids) {
      if (k.size() > 15 && k[0] == 'v' && k.ends_with(".metadata.json")) {
        std::string num = k.substr(1, k.size() - 15);
        if (!num.empty() && num.size() < 18 &&
            std::all_of(num.begin(), num.end(), [](char c) { return c >= '0' && c <= '9'; })) {
          best = std::max<int64_t>(best, std::stoll(num));
        }
      }
    }
    return best;
  }

  Status Load() {
    PQ_ASSIGN_OR_RETURN(version_, FindLatest());
    if (version_ == 0) return Status::NotFound("no iceberg metadata in " + root_);
    PQ_ASSIGN_OR_RETURN(std::string text, env_->ReadFileToString(MetaPath(version_)));
    meta_ = json::parse(text, nullptr, false);
    if (meta_.is_discarded() || !meta_.is_object()) return Bad("metadata is not a JSON object");
    PQ_ASSIGN_OR_RETURN(int64_t fv, GetInt(meta_, "format-version"));
    if (fv != 1 && fv != 2) return Status::NotSupported("iceberg format-version " + std::to_string(fv));
    return Status::OK();
  }

  Status Create() {
    int last_col = 0;
    json schema = IcebergSchema(codec_->schema(), 0, &last_col);
    meta_ = json{
        {"format-version", 2},
        {"table-uuid", NewUuid()},
        {"location", root_},
        {"last-sequence-number", 0},
        {"last-updated-ms", 0},
        {"last-column-id", last_col},
        {"current-schema-id", 0},
        {"schemas", json::array({schema})},
        {"default-spec-id", 0},
        {"partition-specs", json::array({json{{"spec-id", 0}, {"fields", json::array()}}})},
        {"last-partition-id", 999},
        {"default-sort-order-id", 0},
        {"sort-orders", json::array({json{{"order-id", 0}, {"fields", json::array()}}})},
        {"properties", json{{"write.format.default", "parquet"},
                            {"parquedb.layout", "live-rows copy-on-write"}}},
        {"current-snapshot-id", -1},
        {"refs", json::object()},
        {"snapshots", json::array()},
        {"snapshot-log", json::array()},
        {"metadata-log", json::array()},
    };
    PQ_RETURN_IF_ERROR(env_->CreateDirs(MetaDir()));
    PQ_RETURN_IF_ERROR(WriteMetadata(1, 0));
    version_ = 1;
    return Status::OK();
  }

  Status WriteMetadata(int64_t v, int64_t now_ms) {
    meta_["last-updated-ms"] = now_ms;
    std::string tmp = JoinPath(MetaDir(), ".tmp-" + NewUuid() + ".metadata.json");
    {
      PQ_ASSIGN_OR_RETURN(auto f, env_->NewWritableFile(tmp));
      PQ_RETURN_IF_ERROR(f->Append(meta_.dump(2)));
      PQ_RETURN_IF_ERROR(f->Sync());
      PQ_RETURN_IF_ERROR(f->Close());
    }
    Status s = env_->RenameNoReplace(tmp, MetaPath(v));
    if (!s.ok()) {
      (void)env_->RemoveFile(tmp);
      if (s.code() == Status::Code::kAlreadyExists) {
        return Status::Aborted("iceberg: concurrent commit of " + MetaPath(v));
      }
      return s;
    }
    PQ_RETURN_IF_ERROR(env_->SyncDir(MetaDir()));
    return env_->WriteFileAtomic(JoinPath(MetaDir(), "version-hint.text"), std::to_string(v));
  }

  Result<const json*> FindSnapshot(std::optional<int64_t> id) {
    int64_t want;
    if (id) {
      want = *id;
    } else {
      const json* cur = Member(meta_, "current-snapshot-id");
      if (cur == nullptr || cur->is_null() || !cur->is_number_integer() || cur->get<int64_t>() < 0) {
        return static_cast<const json*>(nullptr);
      }
      want = cur->get<int64_t>();
    }
    const json* snaps = Member(meta_, "snapshots");
    if (snaps != nullptr && snaps->is_array()) {
      for (const json& s : *snaps) {
        const json* sid = Member(s, "snapshot-id");
        if (sid && sid->is_number_integer() && sid->get<int64_t>() == want) return &s;
      }
    }
    return Status::NotFound("iceberg: no snapshot " + std::to_string(want));
  }

  // A file reference of the metadata: paths under the table's recorded
  // "location" are re-rooted at the directory the table is read from (tables
  // copied or moved keep working); others resolve as they are.
  std::string Resolve(const std::string& ref) const {
    std::string abs = ResolvePath(root_, ref);
    const json* loc = Member(meta_, "location");
    if (loc != nullptr && loc->is_string()) {
      std::string l = ResolvePath(root_, loc->get<std::string>());
      while (l.size() > 1 && l.back() == '/') l.pop_back();
      if (!l.empty() && l != root_ && abs.size() > l.size() && abs.compare(0, l.size(), l) == 0 &&
          abs[l.size()] == '/') {
        size_t rest = l.size();
        while (rest < abs.size() && abs[rest] == '/') rest++;
        return JoinPath(root_, abs.substr(rest));
      }
    }
    return abs;
  }

  Result<std::string> ReadFile(const std::string& ref) {
    return env_->ReadFileToString(Resolve(ref));
  }

  // Entries (all statuses) of a snapshot's manifests, sequence numbers inherited.
  Status LoadEntries(const json& snap, std::vector<Entry>* out) {
    PQ_ASSIGN_OR_RETURN(std::string ml_path, GetStr(snap, "manifest-list"));
    PQ_ASSIGN_OR_RETURN(std::string ml_bytes, ReadFile(ml_path));
    PQ_ASSIGN_OR_RETURN(avro::ContainerFile ml, avro::ReadContainer(ml_bytes));
    for (const Value& m : ml.records) {
      const Value* path = m.Find("manifest_path");
      if (!path || path->kind() != Value::Kind::kString) return Bad("manifest list entry without manifest_path");
      int64_t m_seq = IntOr(m.Find("sequence_number"), 0);
      int64_t m_snap = IntOr(m.Find("added_snapshot_id"), 0);
      PQ_ASSIGN_OR_RETURN(std::string mbytes, ReadFile(path->as_string()));
      PQ_ASSIGN_OR_RETURN(avro::ContainerFile mf, avro::ReadContainer(mbytes));
      for (Value& e : mf.records) {
        Entry en;
        en.status = static_cast<int>(IntOr(e.Find("status"), -1));
        if (en.status < 0 || en.status > 2) return Bad("manifest entry with bad status");
        en.snapshot_id = IntOr(e.Find("snapshot_id"), m_snap);
        en.seq = IntOr(e.Find("sequence_number"), m_seq);
        en.file_seq = IntOr(e.Find("file_sequence_number"), en.seq);
        const Value* df = e.Find("data_file");
        if (!df || df->kind() != Value::Kind::kObject) return Bad("manifest entry without data_file");
        en.content = static_cast<int>(IntOr(df->Find("content"), 0));
        const Value* fp = df->Find("file_path");
        if (!fp || fp->kind() != Value::Kind::kString) return Bad("data_file without file_path");
        en.path = fp->as_string();
        en.records = IntOr(df->Find("record_count"), 0);
        auto bound = [&](const char* key) -> std::optional<std::string> {
          const Value* b = df->Find(key);
          if (!b || b->kind() != Value::Kind::kArray) return std::nullopt;
          for (const Value& kv : b->as_array()) {
            if (IntOr(kv.Find("key"), -1) == 1) {
              const Value* v = kv.Find("value");
              if (v && v->kind() == Value::Kind::kString) return v->as_string();
            }
          }
          return std::nullopt;
        };
        en.min_id = bound("lower_bounds");
        en.max_id = bound("upper_bounds");
        en.raw = std::move(e);
        out->push_back(std::move(en));
      }
    }
    return Status::OK();
  }

  Status CommitImpl(std::vector<storage::StoredRow> rows, bool overwrite, const CommitInfo& info) {
    if (codec_ == nullptr) return Status::NotSupported("iceberg table opened read-only");
    PQ_RETURN_IF_ERROR(Load());
    // Schema evolution: a new schema (columns added) becomes current.
    int last_col = 0;
    json want = IcebergSchema(codec_->schema(), 0, &last_col);
    int64_t cur_schema = meta_.value("current-schema-id", 0);
    json* schemas = &meta_["schemas"];
    bool same = false;
    if (schemas->is_array()) {
      for (const json& s : *schemas) {
        if (s.value("schema-id", -1) == cur_schema && s.contains("fields") && s["fields"] == want["fields"]) same = true;
      }
    } else {
      *schemas = json::array();
    }
    if (!same) {
      int64_t next_id = 0;
      for (const json& s : *schemas) next_id = std::max<int64_t>(next_id, s.value("schema-id", 0) + 1);
      want["schema-id"] = next_id;
      schemas->push_back(want);
      meta_["current-schema-id"] = next_id;
      meta_["last-column-id"] = std::max<int64_t>(meta_.value("last-column-id", 0), last_col);
      cur_schema = next_id;
    }
    PQ_ASSIGN_OR_RETURN(const json* parent, FindSnapshot(std::nullopt));
    std::optional<int64_t> parent_id;
    std::vector<Entry> entries;
    if (parent != nullptr) {
      parent_id = (*parent)["snapshot-id"].get<int64_t>();
      PQ_RETURN_IF_ERROR(LoadEntries(*parent, &entries));
    }
    std::vector<Entry> live;
    for (auto& e : entries) {
      if (e.status == 2) continue;
      if (e.content != 0) {
        return Status::NotSupported("iceberg: table has delete files; parquedb writes copy-on-write tables only");
      }
      live.push_back(std::move(e));
    }
    std::vector<LiveFile> files;
    for (const Entry& e : live) files.push_back({e.path, e.min_id, e.max_id});
    int64_t snap_id = NewSnapshotId();
    int64_t seq = meta_.value("last-sequence-number", int64_t{0}) + 1;
    std::string rel = "data/" + std::to_string(snap_id) + "-" + NewUuid() + ".parquet";
    PQ_ASSIGN_OR_RETURN(CowResult cow,
                        CopyOnWrite(env_, *codec_, root_, files, std::move(rows), overwrite, rel));
    std::set<size_t> removed(cow.removed.begin(), cow.removed.end());

    PQ_ASSIGN_OR_RETURN(avro::NodePtr entry_schema, avro::ParseSchema(ManifestEntrySchemaText()));
    json spec = json{{"spec-id", 0}, {"fields", json::array()}};
    std::string schema_json;
    for (const json& s : meta_["schemas"]) {
      if (s.value("schema-id", -1) == cur_schema) schema_json = s.dump();
    }
    std::map<std::string, std::string> mmeta = {{"schema", schema_json},
                                                {"schema-id", std::to_string(cur_schema)},
                                                {"partition-spec", "[]"},
                                                {"partition-spec-id", "0"},
                                                {"format-version", "2"},
                                                {"content", "data"}};
    avro::ContainerWriter mw(entry_schema, mmeta, NewUuid().substr(0, 16));
    int added_files = 0, existing_files = 0, deleted_files = 0;
    int64_t added_rows = 0, existing_rows = 0, deleted_rows = 0, min_seq = seq;
    int64_t total_rows = 0, total_files = 0;
    for (size_t i = 0; i < live.size(); i++) {
      Entry& e = live[i];
      Value v = e.raw;
      bool del = removed.count(i) > 0;
      v.Set("status", Value::Int(del ? 2 : 0));
      v.Set("snapshot_id", Value::Int(del ? snap_id : e.snapshot_id));
      v.Set("sequence_number", Value::Int(e.seq));
      v.Set("file_sequence_number", Value::Int(e.file_seq));
      PQ_RETURN_IF_ERROR(mw.Append(v));
      if (del) {
        deleted_files++;
        deleted_rows += e.records;
      } else {
        existing_files++;
        existing_rows += e.records;
        min_seq = std::min(min_seq, e.seq);
        total_rows += e.records;
        total_files++;
      }
    }
    if (cow.added) {
      const WrittenFile& wf = *cow.added;
      Value::Array vc, nc, lo, hi;
      for (const ColumnStats& cs : wf.stats) {
        if (cs.field_id < 0) continue;
        auto kv = [&](Value val) {
          return Value::MakeObject({{"key", Value::Int(cs.field_id)}, {"value", std::move(val)}});
        };
        vc.push_back(kv(Value::Int(cs.values)));
        nc.push_back(kv(Value::Int(cs.nulls)));
        if (cs.min && cs.max) {
          auto l = IcebergBound(*cs.leaf, *cs.min);
          auto h = IcebergBound(*cs.leaf, *cs.max);
          if (l && h) {
            lo.push_back(kv(Value::String(*l)));
            hi.push_back(kv(Value::String(*h)));
          }
        }
      }
      Value df = Value::MakeObject({
          {"content", Value::Int(0)},
          {"file_path", Value::String(JoinPath(root_, wf.rel_path))},
          {"file_format", Value::String("PARQUET")},
          {"partition", Value::MakeObject()},
          {"record_count", Value::Int(wf.rows)},
          {"file_size_in_bytes", Value::Int(wf.bytes)},
          {"value_counts", Value::MakeArray(std::move(vc))},
          {"null_value_counts", Value::MakeArray(std::move(nc))},
          {"lower_bounds", Value::MakeArray(std::move(lo))},
          {"upper_bounds", Value::MakeArray(std::move(hi))},
          {"sort_order_id", Value::Int(0)},
      });
      Value en = Value::MakeObject({{"status", Value::Int(1)},
                                    {"snapshot_id", Value::Int(snap_id)},
                                    {"sequence_number", Value::Int(seq)},
                                    {"file_sequence_number", Value::Int(seq)},
                                    {"data_file", std::move(df)}});
      PQ_RETURN_IF_ERROR(mw.Append(en));
      added_files++;
      added_rows += wf.rows;
      total_rows += wf.rows;
      total_files++;
    }
    std::string uuid = NewUuid();
    std::string manifest_list_rel = "metadata/snap-" + std::to_string(snap_id) + "-1-" + uuid + ".avro";
    PQ_ASSIGN_OR_RETURN(avro::NodePtr ml_schema, avro::ParseSchema(kManifestListSchema));
    std::map<std::string, std::string> lmeta = {
        {"snapshot-id", std::to_string(snap_id)},
        {"parent-snapshot-id", parent_id ? std::to_string(*parent_id) : "null"},
        {"sequence-number", std::to_string(seq)},
        {"format-version", "2"}};
    avro::ContainerWriter lw(ml_schema, lmeta, NewUuid().substr(0, 16));
    if (!live.empty() || cow.added) {
      std::string manifest_rel = "metadata/" + uuid + "-m0.avro";
      std::string mbytes = mw.Finish();
      PQ_RETURN_IF_ERROR(WriteDurable(manifest_rel, mbytes));
      PQ_RETURN_IF_ERROR(lw.Append(Value::MakeObject({
          {"manifest_path", Value::String(JoinPath(root_, manifest_rel))},
          {"manifest_length", Value::Int(static_cast<int64_t>(mbytes.size()))},
          {"partition_spec_id", Value::Int(0)},
          {"content", Value::Int(0)},
          {"sequence_number", Value::Int(seq)},
          {"min_sequence_number", Value::Int(min_seq)},
          {"added_snapshot_id", Value::Int(snap_id)},
          {"added_files_count", Value::Int(added_files)},
          {"existing_files_count", Value::Int(existing_files)},
          {"deleted_files_count", Value::Int(deleted_files)},
          {"added_rows_count", Value::Int(added_rows)},
          {"existing_rows_count", Value::Int(existing_rows)},
          {"deleted_rows_count", Value::Int(deleted_rows)},
          {"partitions", Value::MakeArray()},
      })));
    }
    PQ_RETURN_IF_ERROR(WriteDurable(manifest_list_rel, lw.Finish()));

    int64_t now_ms = info.timestamp_micros / 1000;
    std::string op = overwrite || deleted_files > 0 ? "overwrite" : "append";
    json summary = {{"operation", op},
                    {"added-data-files", std::to_string(added_files)},
                    {"deleted-data-files", std::to_string(deleted_files)},
                    {"added-records", std::to_string(added_rows)},
                    {"deleted-records", std::to_string(deleted_rows)},
                    {"total-records", std::to_string(total_rows)},
                    {"total-data-files", std::to_string(total_files)},
                    {"total-delete-files", "0"},
                    {"total-position-deletes", "0"},
                    {"total-equality-deletes", "0"},
                    {"parquedb.flushed-seq", std::to_string(info.flushed_seq)}};
    for (const auto& [k, v] : info.summary) summary[k] = v;
    json snap = {{"snapshot-id", snap_id},
                 {"sequence-number", seq},
                 {"timestamp-ms", now_ms},
                 {"manifest-list", JoinPath(root_, manifest_list_rel)},
                 {"summary", summary},
                 {"schema-id", cur_schema}};
    if (parent_id) snap["parent-snapshot-id"] = *parent_id;
    if (!meta_["snapshots"].is_array()) meta_["snapshots"] = json::array();
    meta_["snapshots"].push_back(snap);
    meta_["current-snapshot-id"] = snap_id;
    meta_["last-sequence-number"] = seq;
    meta_["refs"] = json{{"main", {{"snapshot-id", snap_id}, {"type", "branch"}}}};
    if (!meta_["snapshot-log"].is_array()) meta_["snapshot-log"] = json::array();
    meta_["snapshot-log"].push_back({{"snapshot-id", snap_id}, {"timestamp-ms", now_ms}});
    if (!meta_["metadata-log"].is_array()) meta_["metadata-log"] = json::array();
    meta_["metadata-log"].push_back(
        {{"metadata-file", MetaPath(version_)}, {"timestamp-ms", meta_.value("last-updated-ms", int64_t{0})}});
    return WriteMetadata(version_ + 1, now_ms);
  }

  Status WriteDurable(const std::string& rel, const std::string& bytes) {
    std::string path = JoinPath(root_, rel);
    PQ_ASSIGN_OR_RETURN(auto f, env_->NewWritableFile(path));
    PQ_RETURN_IF_ERROR(f->Append(bytes));
    PQ_RETURN_IF_ERROR(f->Sync());
    PQ_RETURN_IF_ERROR(f->Close());
    return env_->SyncDir(path.substr(0, path.rfind('/')));
  }

  Status Commit(const std::vector<storage::StoredRow>& changes, const CommitInfo& info) override {
    return CommitImpl(changes, false, info);
  }
  Status Overwrite(const std::vector<storage::StoredRow>& live, const CommitInfo& info) override {
    return CommitImpl(live, true, info);
  }

  static VersionInfo Info(const json& s) {
    VersionInfo v;
    v.version = s.value("snapshot-id", int64_t{0});
    v.sequence = s.value("sequence-number", int64_t{0});
    v.timestamp_ms = s.value("timestamp-ms", int64_t{0});
    if (const json* sum = Member(s, "summary"); sum && sum->is_object()) {
      for (auto it = sum->begin(); it != sum->end(); ++it) {
        if (it.value().is_string()) v.summary[it.key()] = it.value().get<std::string>();
      }
    }
    if (auto it = v.summary.find("parquedb.flushed-seq"); it != v.summary.end()) {
      v.flushed_seq = std::strtoull(it->second.c_str(), nullptr, 10);
    }
    return v;
  }

  Result<std::optional<VersionInfo>> Current() override {
    PQ_RETURN_IF_ERROR(Load());
    PQ_ASSIGN_OR_RETURN(const json* s, FindSnapshot(std::nullopt));
    if (s == nullptr) return std::optional<VersionInfo>();
    return std::optional<VersionInfo>(Info(*s));
  }

  Result<std::vector<VersionInfo>> History() override {
    PQ_RETURN_IF_ERROR(Load());
    std::vector<VersionInfo> out;
    const json* snaps = Member(meta_, "snapshots");
    if (snaps && snaps->is_array()) {
      for (const json& s : *snaps) out.push_back(Info(s));
    }
    std::sort(out.begin(), out.end(),
              [](const VersionInfo& a, const VersionInfo& b) { return a.sequence < b.sequence; });
    return out;
  }

  Result<int64_t> Expire(int64_t cutoff_ms) override {
    if (codec_ == nullptr) return Status::NotSupported("iceberg table opened read-only");
    PQ_RETURN_IF_ERROR(Load());
    const json* snaps = Member(meta_, "snapshots");
    if (snaps == nullptr || !snaps->is_array() || snaps->empty()) return int64_t{0};
    int64_t current = meta_.value("current-snapshot-id", int64_t{-1});
    // The newest snapshot before the cutoff defines the state at the cutoff.
    int64_t newest_before = -1, newest_before_ts = INT64_MIN;
    for (const json& s : *snaps) {
      int64_t ts = s.value("timestamp-ms", int64_t{0});
      if (ts < cutoff_ms && ts >= newest_before_ts) {
        newest_before_ts = ts;
        newest_before = s.value("snapshot-id", int64_t{-1});
      }
    }
    json kept = json::array();
    std::set<int64_t> kept_ids;
    for (const json& s : *snaps) {
      int64_t id = s.value("snapshot-id", int64_t{-1});
      if (s.value("timestamp-ms", int64_t{0}) >= cutoff_ms || id == newest_before || id == current) {
        kept.push_back(s);
        kept_ids.insert(id);
      }
    }
    if (kept.size() == snaps->size()) return int64_t{0};
    // Files the kept snapshots reference.
    std::set<std::string> live;
    for (const json& s : kept) {
      PQ_ASSIGN_OR_RETURN(std::string ml, GetStr(s, "manifest-list"));
      live.insert(Resolve(ml));
      PQ_ASSIGN_OR_RETURN(std::string ml_bytes, ReadFile(ml));
      PQ_ASSIGN_OR_RETURN(avro::ContainerFile mlf, avro::ReadContainer(ml_bytes));
      for (const Value& m : mlf.records) {
        const Value* p = m.Find("manifest_path");
        if (p && p->kind() == Value::Kind::kString) live.insert(Resolve(p->as_string()));
      }
      std::vector<Entry> entries;
      PQ_RETURN_IF_ERROR(LoadEntries(s, &entries));
      for (const Entry& e : entries) live.insert(Resolve(e.path));
    }
    meta_["snapshots"] = kept;
    json log = json::array();
    for (const json& l : meta_.value("snapshot-log", json::array())) {
      if (kept_ids.count(l.value("snapshot-id", int64_t{-1}))) log.push_back(l);
    }
    meta_["snapshot-log"] = log;
    // Older metadata files go too (the new version lists none before the cutoff).
    json mlog = json::array();
    std::vector<std::string> old_meta;
    for (const json& l : meta_.value("metadata-log", json::array())) {
      if (l.value("timestamp-ms", int64_t{0}) >= cutoff_ms) {
        mlog.push_back(l);
      } else if (l.contains("metadata-file") && l["metadata-file"].is_string()) {
        old_meta.push_back(Resolve(l["metadata-file"].get<std::string>()));
      }
    }
    mlog.push_back({{"metadata-file", MetaPath(version_)},
                    {"timestamp-ms", meta_.value("last-updated-ms", int64_t{0})}});
    meta_["metadata-log"] = mlog;
    int64_t now_ms = std::max<int64_t>(meta_.value("last-updated-ms", int64_t{0}), cutoff_ms);
    PQ_RETURN_IF_ERROR(WriteMetadata(version_ + 1, now_ms));
    version_++;
    // Only after the new metadata is committed: delete what nothing kept references.
    int64_t deleted = 0;
    for (const char* sub : {"data", "metadata"}) {
      std::string dir = JoinPath(root_, sub);
      auto kids = env_->GetChildren(dir);
      if (!kids.ok()) continue;
      for (const std::string& k : *kids) {
        bool candidate = std::string(sub) == "data" ? k.ends_with(".parquet") : k.ends_with(".avro");
        std::string path = JoinPath(dir, k);
        if (candidate && !live.count(path) && env_->RemoveFile(path).ok()) deleted++;
      }
    }
    for (const std::string& m : old_meta) {
      if (m != MetaPath(version_) && env_->RemoveFile(m).ok()) deleted++;
    }
    return deleted;
  }

  Result<std::vector<Value>> Scan(std::optional<int64_t> version) override {
    PQ_RETURN_IF_ERROR(Load());
    PQ_ASSIGN_OR_RETURN(const json* s, FindSnapshot(version));
    std::vector<Value> rows;
    if (s == nullptr) return rows;
    std::vector<Entry> entries;
    PQ_RETURN_IF_ERROR(LoadEntries(*s, &entries));
    std::set<std::string> strings;  // string columns of the snapshot's schema
    int64_t schema_id = s->value("schema-id", meta_.value("current-schema-id", int64_t{0}));
    if (const json* schemas = Member(meta_, "schemas"); schemas && schemas->is_array()) {
      for (const json& sc : *schemas) {
        if (sc.value("schema-id", int64_t{-1}) != schema_id) continue;
        const json* fields = Member(sc, "fields");
        if (!fields || !fields->is_array()) continue;
        for (const json& f : *fields) {
          if (f.is_object() && f.value("type", json()) == "string" && f.contains("name") &&
              f["name"].is_string()) {
            strings.insert(f["name"].get<std::string>());
          }
        }
      }
    }
    // Position deletes: data file path -> (delete seq, positions).
    std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> pos_deletes;
    for (const Entry& e : entries) {
      if (e.status == 2 || e.content == 0) continue;
      if (e.content == 2) {
        return Status::NotSupported("iceberg: equality delete files are not supported by this reader");
      }
      PQ_ASSIGN_OR_RETURN(auto drows, ReadRowsGeneric(env_, Resolve(e.path)));
      for (const Value& d : drows) {
        const Value* fp = d.Find("file_path");
        const Value* pos = d.Find("pos");
        if (!fp || fp->kind() != Value::Kind::kString || !pos || pos->kind() != Value::Kind::kInt) {
          return Bad("position delete row without file_path/pos");
        }
        pos_deletes[Resolve(fp->as_string())].push_back({e.seq, pos->as_int()});
      }
    }
    for (const Entry& e : entries) {
      if (e.status == 2 || e.content != 0) continue;
      std::string path = Resolve(e.path);
      PQ_ASSIGN_OR_RETURN(auto frows, ReadRowsGeneric(env_, path, &strings));
      std::set<int64_t> dead;
      if (auto it = pos_deletes.find(path); it != pos_deletes.end()) {
        for (auto [dseq, p] : it->second) {
          if (dseq >= e.seq) dead.insert(p);
        }
      }
      for (size_t i = 0; i < frows.size(); i++) {
        if (!dead.count(static_cast<int64_t>(i))) rows.push_back(std::move(frows[i]));
      }
    }
    return rows;
  }

 private:
  Env* env_;
  std::string root_;
  const storage::RowCodec* codec_;  // null: read-only
  json meta_;
  int64_t version_ = 0;
};

}  // namespace

Result<std::unique_ptr<LakeTable>> OpenIceberg(Env* env, const std::string& root,
                                               const storage::RowCodec* codec) {
  auto t = std::make_unique<IcebergTable>(env, AbsolutePath(root), codec);
  Status s = t->Load();
  if (s.IsNotFound() && codec != nullptr) {
    PQ_RETURN_IF_ERROR(env->CreateDirs(JoinPath(t->root(), "data")));
    PQ_RETURN_IF_ERROR(t->Create());
  } else if (!s.ok()) {
    return s;
  }
  return std::unique_ptr<LakeTable>(std::move(t));
}

}  // namespace parquedb::lake
