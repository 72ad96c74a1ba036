#include "storage/manifest.h"

#include <nlohmann/json.hpp>

namespace parquedb::storage {

using json = nlohmann::json;

std::string Manifest::ToJson() const {
  json j;
  j["format"] = "parquedb-native-manifest";
  j["format_version"] = 1;
  j["version"] = version;
  j["committed_at"] = committed_at;
  j["flushed_seq"] = flushed_seq;
  j["flushed_ts"] = flushed_ts;
  j["next_file_id"] = next_file_id;
  j["tables"] = json::object();
  for (const auto& [name, t] : tables) {
    json files = json::array();
    for (const DataFile& f : t.files) {
      files.push_back({{"path", f.path},
                       {"rows", f.rows},
                       {"min_seq", f.min_seq},
                       {"max_seq", f.max_seq},
                       {"bytes", f.bytes}});
    }
    j["tables"][name] = {{"files", files}};
  }
  if (!horizons.empty()) {
    j["horizons"] = json::object();
    for (const auto& [name, h] : horizons) j["horizons"][name] = h;
  }
  return j.dump(1);
}

Result<Manifest> Manifest::FromJson(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Corruption("manifest is not valid JSON");
  if (j.value("format", "") != "parquedb-native-manifest") {
    return Status::Corruption("not a ParqueDB manifest");
  }
  if (j.value("format_version", 0) != 1) {
    return Status::NotSupported("manifest format_version " +
                                std::to_string(j.value("format_version", 0)));
  }
  Manifest m;
  auto get_u64 = [&](const json& o, const char* key, uint64_t* out) -> Status {
    if (!o.contains(key) || !o[key].is_number_unsigned()) {
      return Status::Corruption(std::string("manifest field '") + key + "' missing or invalid");
    }
    *out = o[key].get<uint64_t>();
    return Status::OK();
  };
  auto get_i64 = [&](const json& o, const char* key, int64_t* out) -> Status {
    if (!o.contains(key) || !o[key].is_number_integer()) {
      return Status::Corruption(std::string("manifest field '") + key + "' missing or invalid");
    }
    *out = o[key].get<int64_t>();
    return Status::OK();
  };
  PQ_RETURN_IF_ERROR(get_u64(j, "version", &m.version));
  PQ_RETURN_IF_ERROR(get_i64(j, "committed_at", &m.committed_at));
  PQ_RETURN_IF_ERROR(get_u64(j, "flushed_seq", &m.flushed_seq));
  PQ_RETURN_IF_ERROR(get_i64(j, "flushed_ts", &m.flushed_ts));
  PQ_RETURN_IF_ERROR(get_u64(j, "next_file_id", &m.next_file_id));
  if (!j.contains("tables") || !j["tables"].is_object()) {
    return Status::Corruption("manifest field 'tables' missing");
  }
  for (auto it = j["tables"].begin(); it != j["tables"].end(); ++it) {
    const json& t = it.value();
    if (!t.is_object() || !t.contains("files") || !t["files"].is_array()) {
      return Status::Corruption("manifest table '" + it.key() + "' has no files list");
    }
    TableFiles tf;
    for (const json& f : t["files"]) {
      DataFile df;
      if (!f.is_object() || !f.contains("path") || !f["path"].is_string()) {
        return Status::Corruption("manifest file entry without path");
      }
      df.path = f["path"].get<std::string>();
      if (df.path.find("..") != std::string::npos || df.path.empty() || df.path[0] == '/') {
        return Status::Corruption("manifest file path '" + df.path + "' escapes the store");
      }
      PQ_RETURN_IF_ERROR(get_i64(f, "rows", &df.rows));
      PQ_RETURN_IF_ERROR(get_u64(f, "min_seq", &df.min_seq));
      PQ_RETURN_IF_ERROR(get_u64(f, "max_seq", &df.max_seq));
      PQ_RETURN_IF_ERROR(get_u64(f, "bytes", &df.bytes));
      tf.files.push_back(std::move(df));
    }
    m.tables[it.key()] = std::move(tf);
  }
  if (j.contains("horizons")) {
    if (!j["horizons"].is_object()) return Status::Corruption("manifest field 'horizons' invalid");
    for (auto it = j["horizons"].begin(); it != j["horizons"].end(); ++it) {
      if (!it.value().is_number_integer()) {
        return Status::Corruption("manifest horizon of '" + it.key() + "' invalid");
      }
      m.horizons[it.key()] = it.value().get<int64_t>();
    }
  }
  return m;
}

}  // namespace parquedb::storage
