// Writer/reader round trips, statistics, pruning and corrupt-file handling.
#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdio>
#include <cstring>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "parquet/reader.h"
#include "parquet/record.h"
#include "parquet/statistics.h"
#include "parquet/writer.h"

namespace parquedb::parquet {
namespace {

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("pq_file_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

std::string WriteFile(const std::string& path, const Schema& schema,
                      const std::vector<ColumnVector>& cols, int64_t rows,
                      const WriterOptions& opts) {
  auto file = Env::Default()->NewWritableFile(path);
  EXPECT_TRUE(file.ok());
  auto w = FileWriter::Open(std::move(*file), schema, opts);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  Status s = (*w)->WriteTable(cols, rows);
  EXPECT_TRUE(s.ok()) << s.ToString();
  s = (*w)->Close();
  EXPECT_TRUE(s.ok()) << s.ToString();
  auto data = Env::Default()->ReadFileToString(path);
  return data.ok() ? *data : std::string();
}

void ExpectSameColumn(const ColumnVector& a, const ColumnVector& b, const std::string& what) {
  EXPECT_EQ(a.def_levels, b.def_levels) << what;
  EXPECT_EQ(a.rep_levels, b.rep_levels) << what;
  EXPECT_EQ(a.bools, b.bools) << what;
  EXPECT_EQ(a.i32, b.i32) << what;
  EXPECT_EQ(a.i64, b.i64) << what;
  ASSERT_EQ(a.f32.size(), b.f32.size()) << what;
  for (size_t i = 0; i < a.f32.size(); i++) {
    EXPECT_EQ(std::memcmp(&a.f32[i], &b.f32[i], 4), 0) << what << " float " << i;
  }
  ASSERT_EQ(a.f64.size(), b.f64.size()) << what;
  for (size_t i = 0; i < a.f64.size(); i++) {
    EXPECT_EQ(std::memcmp(&a.f64[i], &b.f64[i], 8), 0) << what << " double " << i;
  }
  EXPECT_EQ(a.offsets, b.offsets) << what;
  EXPECT_EQ(a.bytes, b.bytes) << what;
}

// A flat schema with one column of every physical type, half of them optional.
Schema FlatSchema() {
  std::vector<SchemaNode> f;
  f.push_back(SchemaNode::Leaf("b", PhysicalType::kBoolean, Repetition::kOptional));
  f.push_back(SchemaNode::Leaf("i32", PhysicalType::kInt32, Repetition::kRequired));
  f.push_back(SchemaNode::Leaf("i64", PhysicalType::kInt64, Repetition::kOptional));
  f.push_back(SchemaNode::Leaf("f", PhysicalType::kFloat, Repetition::kRequired));
  f.push_back(SchemaNode::Leaf("d", PhysicalType::kDouble, Repetition::kOptional));
  f.push_back(SchemaNode::Leaf("s", PhysicalType::kByteArray, Repetition::kOptional,
                               LogicalType::String()));
  f.push_back(SchemaNode::Decimal("dec", Repetition::kOptional, 30, 4));
  f.back().field_id = 42;
  auto s = Schema::Make(std::move(f));
  EXPECT_TRUE(s.ok());
  return *s;
}

std::vector<ColumnVector> FlatData(const Schema& schema, int64_t rows, uint32_t seed,
                                   int cardinality) {
  std::mt19937 rng(seed);
  std::vector<ColumnVector> cols(schema.num_leaves());
  for (size_t i = 0; i < cols.size(); i++) {
    cols[i].type = schema.leaves()[i].node->type;
    cols[i].type_length = schema.leaves()[i].node->type_length;
  }
  auto present = [&](size_t c) {
    if (schema.leaves()[c].max_def == 0) return true;
    bool p = rng() % 5 != 0;
    cols[c].def_levels.push_back(p ? 1 : 0);
    return p;
  };
  for (int64_t r = 0; r < rows; r++) {
    if (present(0)) cols[0].bools.push_back(rng() % 2);
    if (present(1))
      cols[1].i32.push_back(static_cast<int32_t>(rng() % cardinality) - cardinality / 2);
    if (present(2)) cols[2].i64.push_back((static_cast<int64_t>(rng()) << 20) - (int64_t{1} << 40));
    if (present(3)) cols[3].f32.push_back(static_cast<float>(rng() % cardinality) / 7.0f);
    if (present(4)) cols[4].f64.push_back(static_cast<double>(rng()) / 3.0 - 1e9);
    if (present(5)) {
      cols[5].AppendByteArray("value-" + std::to_string(rng() % cardinality) +
                              std::string(rng() % 20, 'x'));
    }
    if (present(6)) {
      std::string b(static_cast<size_t>(cols[6].type_length), '\0');
      for (char& ch : b) ch = static_cast<char>(rng());
      cols[6].bytes += b;
    }
  }
  return cols;
}

struct Config {
  CompressionCodec codec;
  bool dict;
  bool v2;
  int cardinality;
};

class FlatRoundTrip : public ::testing::TestWithParam<Config> {};

TEST_P(FlatRoundTrip, ReadsBackExactly) {
  const Config& cfg = GetParam();
  TempDir dir;
  Schema schema = FlatSchema();
  const int64_t rows = 20000;
  auto cols = FlatData(schema, rows, 7, cfg.cardinality);
  WriterOptions opts;
  opts.codec = cfg.codec;
  opts.enable_dictionary = cfg.dict;
  opts.data_page_v2 = cfg.v2;
  opts.row_group_rows = 6000;  // 4 row groups
  opts.data_page_size = 4096;  // many pages
  opts.dictionary_page_size_limit = 2048;
  WriteFile(dir.File("t.parquet"), schema, cols, rows, opts);

  auto reader = FileReader::Open(Env::Default(), dir.File("t.parquet"));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->num_rows(), rows);
  EXPECT_EQ((*reader)->num_row_groups(), 4);
  EXPECT_EQ((*reader)->schema().leaves()[6].node->field_id, 42);
  std::vector<ColumnVector> back;
  ASSERT_TRUE((*reader)->ReadColumns({}, {}, &back).ok());
  for (size_t i = 0; i < cols.size(); i++) {
    ExpectSameColumn(cols[i], back[i], schema.leaves()[i].dotted_path);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Configs, FlatRoundTrip,
    ::testing::Values(Config{CompressionCodec::kSnappy, true, false, 50},
                      Config{CompressionCodec::kSnappy, true, false, 1000000},
                      Config{CompressionCodec::kZstd, true, true, 50},
                      Config{CompressionCodec::kGzip, false, false, 1000},
                      Config{CompressionCodec::kUncompressed, true, true, 1000000},
                      Config{CompressionCodec::kUncompressed, false, false, 10}));

TEST(FileWriter, DictionaryFallsBackToPlain) {
  TempDir dir;
  auto schema = Schema::Make({SchemaNode::Leaf("s", PhysicalType::kByteArray, Repetition::kRequired,
                                               LogicalType::String())});
  ASSERT_TRUE(schema.ok());
  std::vector<ColumnVector> cols(1);
  cols[0].type = PhysicalType::kByteArray;
  for (int i = 0; i < 50000; i++) cols[0].AppendByteArray("distinct-value-" + std::to_string(i));
  WriterOptions opts;
  opts.dictionary_page_size_limit = 64 * 1024;
  opts.data_page_size = 64 * 1024;
  WriteFile(dir.File("f.parquet"), *schema, cols, 50000, opts);
  auto reader = FileReader::Open(Env::Default(), dir.File("f.parquet"));
  ASSERT_TRUE(reader.ok());
  const ColumnMetaData& md = *(*reader)->metadata().row_groups[0].columns[0].meta_data;
  auto has = [&](Encoding e) {
    return std::find(md.encodings.begin(), md.encodings.end(), e) != md.encodings.end();
  };
  EXPECT_TRUE(has(Encoding::kRleDictionary));
  EXPECT_TRUE(has(Encoding::kPlain));
  EXPECT_TRUE(md.dictionary_page_offset.has_value());
  std::vector<ColumnVector> back;
  ASSERT_TRUE((*reader)->ReadColumns({}, {}, &back).ok());
  ExpectSameColumn(cols[0], back[0], "s");
}

TEST(FileWriter, StatisticsAndPruning) {
  TempDir dir;
  auto schema = Schema::Make({SchemaNode::Leaf("k", PhysicalType::kInt64, Repetition::kRequired),
                              SchemaNode::Leaf("s", PhysicalType::kByteArray, Repetition::kOptional,
                                               LogicalType::String())});
  ASSERT_TRUE(schema.ok());
  std::vector<ColumnVector> cols(2);
  cols[0].type = PhysicalType::kInt64;
  cols[1].type = PhysicalType::kByteArray;
  for (int i = 0; i < 1000; i++) {
    cols[0].i64.push_back(i);
    bool null = i % 10 == 0;
    cols[1].def_levels.push_back(null ? 0 : 1);
    if (!null) cols[1].AppendByteArray(i < 500 ? "apple" : "zebra");
  }
  WriterOptions opts;
  opts.row_group_rows = 100;
  WriteFile(dir.File("s.parquet"), *schema, cols, 1000, opts);
  auto reader = FileReader::Open(Env::Default(), dir.File("s.parquet"));
  ASSERT_TRUE(reader.ok());
  ASSERT_EQ((*reader)->num_row_groups(), 10);
  const Statistics& st = *(*reader)->metadata().row_groups[3].columns[0].meta_data->statistics;
  EXPECT_EQ(*st.min_value, EncodeStatInt64(300));
  EXPECT_EQ(*st.max_value, EncodeStatInt64(399));
  EXPECT_EQ(*st.null_count, 0);
  const Statistics& st1 = *(*reader)->metadata().row_groups[3].columns[1].meta_data->statistics;
  EXPECT_EQ(*st1.min_value, "apple");
  EXPECT_EQ(*st1.null_count, 10);

  using Op = ColumnPredicate::Op;
  EXPECT_EQ((*reader)->PruneRowGroups({{0, Op::kEq, EncodeStatInt64(450)}}), std::vector<int>{4});
  EXPECT_EQ((*reader)->PruneRowGroups({{0, Op::kGe, EncodeStatInt64(850)}}),
            (std::vector<int>{8, 9}));
  EXPECT_EQ((*reader)->PruneRowGroups({{0, Op::kLt, EncodeStatInt64(100)}}), std::vector<int>{0});
  EXPECT_EQ((*reader)->PruneRowGroups({{1, Op::kEq, "zebra"}}), (std::vector<int>{5, 6, 7, 8, 9}));
  EXPECT_TRUE((*reader)->PruneRowGroups({{0, Op::kGt, EncodeStatInt64(999)}}).empty());
}

// Nested: lists of structs with lists, optional at every level.
TEST(Record, NestedShredAssembleRoundTrip) {
  auto schema_json = nlohmann::json::parse(R"J({"fields": [
    {"name": "id", "type": "int64", "nullable": false},
    {"name": "tags", "type": {"list": {"type": "string"}}},
    {"name": "addr", "type": {"struct": [
        {"name": "city", "type": "string"},
        {"name": "zips", "type": {"list": {"type": "int32", "nullable": false}}}]}},
    {"name": "items", "type": {"list": {"type": {"struct": [
        {"name": "sku", "type": "string", "nullable": false},
        {"name": "price", "type": "decimal(10,2)"},
        {"name": "opts", "type": {"list": {"type": "string"}}}]}}}},
    {"name": "ts", "type": "timestamp"},
    {"name": "day", "type": "date"}
  ]})J");
  auto schema = SchemaFromJson(schema_json);
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  const char* rows_text[] = {
      R"J({"id": 1, "tags": ["a", null, "c"], "addr": {"city": "Oslo", "zips": [1, 2]},
          "items": [{"sku": "x", "price": "1.50", "opts": ["p", "q"]},
                    {"sku": "y", "price": null, "opts": []}],
          "ts": "2024-01-15T10:00:00.000001Z", "day": "2024-01-15"})J",
      R"J({"id": 2, "tags": [], "addr": null, "items": null, "ts": null, "day": null})J",
      R"J({"id": 3, "tags": null, "addr": {"city": null, "zips": []},
          "items": [{"sku": "z", "price": "-99999999.99", "opts": null}, null]})J",
  };
  std::vector<Value> rows;
  for (const char* t : rows_text) {
    auto v = Value::ParseJson(t);
    ASSERT_TRUE(v.ok());
    rows.push_back(*v);
  }
  std::vector<ColumnVector> cols;
  Status s = ShredRows(*schema, rows, &cols);
  ASSERT_TRUE(s.ok()) << s.ToString();
  TempDir dir;
  for (bool v2 : {false, true}) {
    WriterOptions opts;
    opts.data_page_v2 = v2;
    WriteFile(dir.File("n.parquet"), *schema, cols, 3, opts);
    auto reader = FileReader::Open(Env::Default(), dir.File("n.parquet"));
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    std::vector<ColumnVector> back;
    ASSERT_TRUE((*reader)->ReadColumns({}, {}, &back).ok());
    std::vector<Value> out;
    s = AssembleRows((*reader)->schema(), back, 3, {}, &out);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(out.size(), 3u);
    // Missing members come back as explicit nulls; compare member by member.
    for (size_t r = 0; r < 3; r++) {
      for (const auto& [k, v] : out[r].as_object()) {
        const Value* orig = rows[r].Find(k);
        Value expect = orig ? *orig : Value();
        if (k == "ts" && !expect.is_null()) {
          expect = Value::Timestamp(*ParseTimestampMicros(expect.as_string()));
        }
        if (k == "day" && !expect.is_null())
          expect = Value::Date(*ParseDateDays(expect.as_string()));
        if (k == "addr" && expect.kind() == Value::Kind::kObject) continue;  // checked below
        if (k == "items" && expect.kind() == Value::Kind::kArray) continue;
        EXPECT_EQ(v.ToJsonString(), expect.ToJsonString()) << "row " << r << " field " << k;
      }
    }
    EXPECT_EQ(out[0].FindPath("items.0.price")->as_decimal().ToString(), "1.50");
    EXPECT_EQ(out[0].FindPath("items.1.opts")->as_array().size(), 0u);
    EXPECT_EQ(out[0].FindPath("items.0.opts.1")->as_string(), "q");
    EXPECT_EQ(out[0].FindPath("addr.zips.1")->as_int(), 2);
    EXPECT_TRUE(out[2].FindPath("addr.city")->is_null());
    EXPECT_EQ(out[2].FindPath("addr.zips")->as_array().size(), 0u);
    EXPECT_TRUE(out[2].FindPath("items.1")->is_null());
    EXPECT_TRUE(out[2].FindPath("items.0.opts")->is_null());
    EXPECT_EQ(out[2].FindPath("items.0.price")->as_decimal().ToString(), "-99999999.99");
    EXPECT_EQ(out[0].FindPath("tags.1")->kind(), Value::Kind::kNull);

    // Late materialization: every subset of rows (and a field subset) assembles to
    // exactly the matching rows of the full assembly.
    for (uint32_t mask = 0; mask < 8; mask++) {
      std::vector<uint32_t> selected;
      for (uint32_t r = 0; r < 3; r++) {
        if (mask & (1u << r)) selected.push_back(r);
      }
      for (const std::vector<int>& fields : {std::vector<int>{}, std::vector<int>{3, 0}}) {
        std::vector<Value> full, part;
        ASSERT_TRUE(AssembleRows((*reader)->schema(), back, 3, fields, &full).ok());
        s = AssembleRows((*reader)->schema(), back, 3, fields, &part, &selected);
        ASSERT_TRUE(s.ok()) << s.ToString();
        ASSERT_EQ(part.size(), selected.size());
        for (size_t i = 0; i < selected.size(); i++) {
          EXPECT_EQ(part[i].ToJsonString(), full[selected[i]].ToJsonString()) << "mask " << mask;
        }
      }
    }
    std::vector<uint32_t> bad = {1, 0};
    std::vector<Value> ignored;
    EXPECT_FALSE(AssembleRows((*reader)->schema(), back, 3, {}, &ignored, &bad).ok());
    bad = {3};
    EXPECT_FALSE(AssembleRows((*reader)->schema(), back, 3, {}, &ignored, &bad).ok());
  }
}

TEST(Record, RejectsBadValuesWithFieldName) {
  auto schema = SchemaFromJson(nlohmann::json::parse(
      R"J({"fields": [{"name": "total", "type": "decimal(5,2)", "nullable": false}]})J"));
  ASSERT_TRUE(schema.ok());
  std::vector<ColumnVector> cols;
  Status s = ShredRows(*schema, {*Value::ParseJson(R"J({"total": "12345.6"})J")}, &cols);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("total"), std::string::npos) << s.ToString();
  cols.clear();
  s = ShredRows(*schema, {*Value::ParseJson(R"J({"total": "1.234"})J")}, &cols);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  cols.clear();
  s = ShredRows(*schema, {*Value::ParseJson(R"J({"other": 1})J")}, &cols);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_FALSE(SchemaFromJson(nlohmann::json::parse(
                                  R"J({"fields": [{"name": "x", "type": "decimal(40,2)"}]})J"))
                   .ok());
  EXPECT_FALSE(
      SchemaFromJson(nlohmann::json::parse(R"J({"fields": [{"name": "x", "type": "strnig"}]})J"))
          .ok());
}

// Every truncation and many random corruptions of a valid file must produce an
// error or a successful read, never a crash (run under ASan/UBSan in CI).
TEST(FileReader, CorruptFilesNeverCrash) {
  TempDir dir;
  Schema schema = FlatSchema();
  auto cols = FlatData(schema, 300, 3, 20);
  WriterOptions opts;
  opts.row_group_rows = 100;
  opts.data_page_size = 512;
  std::string good = WriteFile(dir.File("g.parquet"), schema, cols, 300, opts);
  ASSERT_GT(good.size(), 100u);
  auto try_read = [&](const std::string& bytes) {
    std::string path = dir.File("c.parquet");
    Status s = Env::Default()->WriteFileAtomic(path, bytes);
    ASSERT_TRUE(s.ok());
    auto r = FileReader::Open(Env::Default(), path);
    if (!r.ok()) return;
    std::vector<ColumnVector> out;
    (void)(*r)->ReadColumns({}, {}, &out);
  };
  for (size_t len = 0; len < good.size(); len += (len < 64 || len > good.size() - 600) ? 1 : 37) {
    try_read(good.substr(0, len));
  }
  std::mt19937 rng(11);
  for (int iter = 0; iter < 1500; iter++) {
    std::string bad = good;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; k++) bad[rng() % bad.size()] = static_cast<char>(rng());
    try_read(bad);
  }
  auto r = FileReader::Open(Env::Default(), dir.File("g.parquet"));
  ASSERT_TRUE(r.ok());
  auto truncated = good.substr(0, good.size() - 1);
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(dir.File("t.parquet"), truncated).ok());
  auto t = FileReader::Open(Env::Default(), dir.File("t.parquet"));
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(t.status().IsCorruption()) << t.status().ToString();
}

TEST(FileWriter, RejectsInconsistentColumns) {
  TempDir dir;
  Schema schema = FlatSchema();
  auto cols = FlatData(schema, 10, 1, 5);
  cols[1].i32.pop_back();
  auto file = Env::Default()->NewWritableFile(dir.File("x.parquet"));
  ASSERT_TRUE(file.ok());
  auto w = FileWriter::Open(std::move(*file), schema);
  ASSERT_TRUE(w.ok());
  Status s = (*w)->WriteTable(cols, 10);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("i32"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace parquedb::parquet
