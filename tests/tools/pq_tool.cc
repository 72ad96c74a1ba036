// pq_tool: a test/dev tool for the Parquet layer (not the product CLI).
//   pq_tool write SCHEMA_JSON ROWS_NDJSON OUT [--codec none|snappy|zstd|gzip]
//           [--row-group-rows N] [--page-size BYTES] [--no-dict] [--data-page-v2]
//   pq_tool cat FILE [--columns a,b]      rows as canonical NDJSON
//   pq_tool meta FILE                     footer summary as JSON
// Canonical values: integers beyond 2^53 and NaN/Infinity as strings, decimals as
// exact strings, dates "YYYY-MM-DD", timestamps "YYYY-MM-DDTHH:MM:SS.ffffffZ".
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "parquedb/value.h"
#include "parquedb/env.h"
#include "parquet/reader.h"
#include "parquet/record.h"
#include "parquet/writer.h"

using parquedb::Env;
using parquedb::Status;
using parquedb::Value;
using json = nlohmann::json;
namespace pq = parquedb::parquet;

namespace {

int Fail(const std::string& msg) {
  std::cerr << "pq_tool: " << msg << "\n";
  return 1;
}

json Canonical(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull: return nullptr;
    case Value::Kind::kBool: return v.as_bool();
    case Value::Kind::kInt: {
      int64_t x = v.as_int();
      constexpr int64_t kSafe = int64_t{1} << 53;
      if (x > kSafe || x < -kSafe) return std::to_string(x);
      return x;
    }
    case Value::Kind::kDouble: {
      double d = v.as_double();
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
      // Unsigned 64-bit values beyond INT64_MAX arrive as doubles; keep them exact.
      return d;
    }
    case Value::Kind::kDecimal: return v.as_decimal().ToString();
    case Value::Kind::kString: return v.as_string();
    case Value::Kind::kTimestamp: return parquedb::FormatTimestampMicros(v.as_int());
    case Value::Kind::kDate: return parquedb::FormatDateDays(v.as_date());
    case Value::Kind::kArray: {
      json a = json::array();
      for (const Value& e : v.as_array()) a.push_back(Canonical(e));
      return a;
    }
    case Value::Kind::kObject: {
      json o = json::object();
      for (const auto& [k, e] : v.as_object()) o[k] = Canonical(e);
      return o;
    }
  }
  return nullptr;
}

// nlohmann sorts object keys; rows must keep schema order, so objects are
// printed by hand at the top level and nested values via dump().
std::string RowToLine(const Value& row) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : row.as_object()) {
    if (!first) out += ",";
    first = false;
    out += json(k).dump();
    out += ":";
    out += Canonical(v).dump(-1, ' ', false, json::error_handler_t::replace);
  }
  out += "}";
  return out;
}

const char* CodecName(pq::CompressionCodec c) {
  switch (c) {
    case pq::CompressionCodec::kUncompressed: return "UNCOMPRESSED";
    case pq::CompressionCodec::kSnappy: return "SNAPPY";
    case pq::CompressionCodec::kGzip: return "GZIP";
    case pq::CompressionCodec::kLzo: return "LZO";
    case pq::CompressionCodec::kBrotli: return "BROTLI";
    case pq::CompressionCodec::kLz4: return "LZ4";
    case pq::CompressionCodec::kZstd: return "ZSTD";
    case pq::CompressionCodec::kLz4Raw: return "LZ4_RAW";
  }
  return "UNKNOWN";
}

const char* TypeName(pq::PhysicalType t) {
  switch (t) {
    case pq::PhysicalType::kBoolean: return "BOOLEAN";
    case pq::PhysicalType::kInt32: return "INT32";
    case pq::PhysicalType::kInt64: return "INT64";
    case pq::PhysicalType::kInt96: return "INT96";
    case pq::PhysicalType::kFloat: return "FLOAT";
    case pq::PhysicalType::kDouble: return "DOUBLE";
    case pq::PhysicalType::kByteArray: return "BYTE_ARRAY";
    case pq::PhysicalType::kFixedLenByteArray: return "FIXED_LEN_BYTE_ARRAY";
  }
  return "UNKNOWN";
}

const char* EncodingName(pq::Encoding e) {
  switch (e) {
    case pq::Encoding::kPlain: return "PLAIN";
    case pq::Encoding::kPlainDictionary: return "PLAIN_DICTIONARY";
    case pq::Encoding::kRle: return "RLE";
    case pq::Encoding::kBitPacked: return "BIT_PACKED";
    case pq::Encoding::kDeltaBinaryPacked: return "DELTA_BINARY_PACKED";
    case pq::Encoding::kDeltaLengthByteArray: return "DELTA_LENGTH_BYTE_ARRAY";
    case pq::Encoding::kDeltaByteArray: return "DELTA_BYTE_ARRAY";
    case pq::Encoding::kRleDictionary: return "RLE_DICTIONARY";
    case pq::Encoding::kByteStreamSplit: return "BYTE_STREAM_SPLIT";
  }
  return "UNKNOWN";
}

int Write(const std::vector<std::string>& args) {
  if (args.size() < 3) return Fail("usage: write SCHEMA_JSON ROWS_NDJSON OUT [options]");
  pq::WriterOptions opts;
  for (size_t i = 3; i < args.size(); i++) {
    const std::string& a = args[i];
    auto next = [&]() -> std::string { return i + 1 < args.size() ? args[++i] : std::string(); };
    if (a == "--codec") {
      std::string c = next();
      if (c == "none") opts.codec = pq::CompressionCodec::kUncompressed;
      else if (c == "snappy") opts.codec = pq::CompressionCodec::kSnappy;
      else if (c == "zstd") opts.codec = pq::CompressionCodec::kZstd;
      else if (c == "gzip") opts.codec = pq::CompressionCodec::kGzip;
      else return Fail("unknown codec '" + c + "'");
    } else if (a == "--row-group-rows") {
      opts.row_group_rows = std::stoll(next());
    } else if (a == "--page-size") {
      opts.data_page_size = std::stoull(next());
    } else if (a == "--no-dict") {
      opts.enable_dictionary = false;
    } else if (a == "--data-page-v2") {
      opts.data_page_v2 = true;
    } else {
      return Fail("unknown option '" + a + "'");
    }
  }
  Env* env = Env::Default();
  auto schema_text = env->ReadFileToString(args[0]);
  if (!schema_text.ok()) return Fail(schema_text.status().ToString());
  json schema_json = json::parse(*schema_text, nullptr, false);
  if (schema_json.is_discarded()) return Fail("schema file is not valid JSON");
  auto schema = pq::SchemaFromJson(schema_json);
  if (!schema.ok()) return Fail(schema.status().ToString());

  std::ifstream in(args[1]);
  if (!in) return Fail("cannot open " + args[1]);
  std::vector<Value> rows;
  std::string line;
  size_t lineno = 0;
  while (std::getline(in, line)) {
    lineno++;
    if (line.empty()) continue;
    auto v = Value::ParseJson(line);
    if (!v.ok()) return Fail(args[1] + ":" + std::to_string(lineno) + ": " + v.status().ToString());
    rows.push_back(std::move(*v));
  }
  std::vector<pq::ColumnVector> cols;
  Status s = pq::ShredRows(*schema, rows, &cols);
  if (!s.ok()) return Fail(s.ToString());
  auto file = env->NewWritableFile(args[2]);
  if (!file.ok()) return Fail(file.status().ToString());
  auto writer = pq::FileWriter::Open(std::move(*file), *schema, opts);
  if (!writer.ok()) return Fail(writer.status().ToString());
  s = (*writer)->WriteTable(cols, static_cast<int64_t>(rows.size()));
  if (s.ok()) s = (*writer)->Close(true);
  if (!s.ok()) return Fail(s.ToString());
  return 0;
}

int Cat(const std::vector<std::string>& args) {
  if (args.empty()) return Fail("usage: cat FILE [--columns a,b]");
  auto reader = pq::FileReader::Open(Env::Default(), args[0]);
  if (!reader.ok()) return Fail(reader.status().ToString());
  const pq::Schema& schema = (*reader)->schema();
  std::vector<int> fields;
  if (args.size() >= 3 && args[1] == "--columns") {
    std::stringstream ss(args[2]);
    std::string name;
    while (std::getline(ss, name, ',')) {
      int found = -1;
      for (size_t i = 0; i < schema.fields().size(); i++) {
        if (schema.fields()[i].name == name) found = static_cast<int>(i);
      }
      if (found < 0) return Fail("no column '" + name + "'");
      fields.push_back(found);
    }
  }
  std::vector<int> all_fields = fields;
  if (all_fields.empty()) {
    for (size_t i = 0; i < schema.fields().size(); i++) all_fields.push_back(static_cast<int>(i));
  }
  std::vector<int> leaves = pq::LeavesOfFields(schema, all_fields);
  std::string out;
  for (int rg = 0; rg < (*reader)->num_row_groups(); rg++) {
    std::vector<pq::ColumnVector> cols(schema.num_leaves());
    for (int l : leaves) {
      Status s = (*reader)->ReadColumnChunk(rg, l, &cols[static_cast<size_t>(l)]);
      if (!s.ok()) return Fail(s.ToString());
    }
    std::vector<Value> rows;
    Status s = pq::AssembleRows(schema, cols, (*reader)->metadata().row_groups[static_cast<size_t>(rg)].num_rows,
                                fields, &rows);
    if (!s.ok()) return Fail(s.ToString());
    for (const Value& r : rows) {
      out += RowToLine(r);
      out += '\n';
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    out.clear();
  }
  return 0;
}

int Meta(const std::vector<std::string>& args) {
  if (args.empty()) return Fail("usage: meta FILE");
  auto reader = pq::FileReader::Open(Env::Default(), args[0]);
  if (!reader.ok()) return Fail(reader.status().ToString());
  const pq::FileMetaData& md = (*reader)->metadata();
  const pq::Schema& schema = (*reader)->schema();
  json j;
  j["num_rows"] = md.num_rows;
  j["created_by"] = md.created_by.value_or("");
  j["row_groups"] = json::array();
  for (const pq::RowGroup& rg : md.row_groups) {
    json jr;
    jr["num_rows"] = rg.num_rows;
    jr["columns"] = json::array();
    for (size_t c = 0; c < rg.columns.size(); c++) {
      const pq::ColumnChunk& cc = rg.columns[c];
      json jc;
      jc["path"] = schema.leaves()[c].dotted_path;
      if (cc.meta_data) {
        const pq::ColumnMetaData& m = *cc.meta_data;
        jc["type"] = TypeName(m.type);
        jc["codec"] = CodecName(m.codec);
        jc["encodings"] = json::array();
        for (pq::Encoding e : m.encodings) jc["encodings"].push_back(EncodingName(e));
        jc["num_values"] = m.num_values;
        jc["data_page_offset"] = m.data_page_offset;
        jc["dictionary_page_offset"] =
            m.dictionary_page_offset ? json(*m.dictionary_page_offset) : json(nullptr);
        jc["total_compressed_size"] = m.total_compressed_size;
        jc["total_uncompressed_size"] = m.total_uncompressed_size;
        jc["min"] = nullptr;
        jc["max"] = nullptr;
        jc["null_count"] = nullptr;
        if (m.statistics) {
          const pq::SchemaNode& leaf = *schema.leaves()[c].node;
          if (m.statistics->min_value) {
            auto v = pq::DecodeStatValue(leaf, *m.statistics->min_value);
            if (v.ok()) jc["min"] = Canonical(*v);
          }
          if (m.statistics->max_value) {
            auto v = pq::DecodeStatValue(leaf, *m.statistics->max_value);
            if (v.ok()) jc["max"] = Canonical(*v);
          }
          if (m.statistics->null_count) jc["null_count"] = *m.statistics->null_count;
        }
      }
      jr["columns"].push_back(jc);
    }
    j["row_groups"].push_back(jr);
  }
  std::cout << j.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Fail("usage: pq_tool write|cat|meta ...");
  std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (cmd == "write") return Write(args);
  if (cmd == "cat") return Cat(args);
  if (cmd == "meta") return Meta(args);
  return Fail("unknown command '" + cmd + "'");
}
