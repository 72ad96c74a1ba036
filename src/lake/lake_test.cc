#include <unistd.h>

#include <filesystem>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "lake/avro.h"
#include "lake/cow.h"
#include "lake/iceberg_internal.h"
#include "lake/lake_table.h"

namespace parquedb::lake {
namespace {

using storage::StoredRow;

TEST(Avro, VarintRoundTrip) {
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1}, int64_t{63}, int64_t{-64}, int64_t{64},
                    INT64_MAX, INT64_MIN}) {
    std::string s;
    avro::PutLong(v, &s);
    size_t pos = 0;
    int64_t got;
    ASSERT_TRUE(avro::GetLong(s, &pos, &got).ok());
    EXPECT_EQ(got, v);
    EXPECT_EQ(pos, s.size());
  }
  std::string one;
  avro::PutLong(1, &one);
  EXPECT_EQ(one, "\x02");
  std::string m;
  avro::PutLong(-64, &m);
  EXPECT_EQ(m, "\x7f");
}

TEST(Avro, ContainerRoundTripKeepsAttributes) {
  auto schema = avro::ParseSchema(R"({"type": "record", "name": "r", "fields": [
      {"name": "a", "type": "int", "field-id": 1},
      {"name": "b", "type": ["null", "string"], "field-id": 2},
      {"name": "m", "type": {"type": "array", "logicalType": "map", "items": {"type": "record",
        "name": "kv", "fields": [{"name": "key", "type": "int", "field-id": 3},
                                 {"name": "value", "type": "bytes", "field-id": 4}]}}, "field-id": 5},
      {"name": "d", "type": "double"}, {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["X", "Y"]}},
      {"name": "mm", "type": {"type": "map", "values": "long"}}]})");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  avro::ContainerWriter w(*schema, {{"custom", "yes"}}, "0123456789abcdef");
  std::vector<Value> recs;
  for (int i = 0; i < 5000; i++) {  // more than one block
    recs.push_back(Value::MakeObject(
        {{"a", Value::Int(i - 2500)},
         {"b", i % 3 ? Value::String("s" + std::to_string(i)) : Value()},
         {"m", Value::MakeArray({Value::MakeObject({{"key", Value::Int(i)}, {"value", Value::String(std::string("\0\x01", 2))}})})},
         {"d", Value::Double(i * 0.5)},
         {"e", Value::String(i % 2 ? "Y" : "X")},
         {"mm", Value::MakeObject({{"k", Value::Int(i)}})}}));
    ASSERT_TRUE(w.Append(recs.back()).ok());
  }
  std::string file = w.Finish();
  auto c = avro::ReadContainer(file);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->metadata["custom"], "yes");
  ASSERT_EQ(c->records.size(), recs.size());
  for (size_t i = 0; i < recs.size(); i++) ASSERT_EQ(c->records[i], recs[i]) << i;
  auto j = avro::SchemaToJson(*c->schema);
  EXPECT_EQ(j["fields"][0]["field-id"], 1);
  EXPECT_EQ(j["fields"][2]["type"]["logicalType"], "map");
  EXPECT_EQ(j["fields"][2]["type"]["items"]["fields"][1]["field-id"], 4);
  // Every truncation is an error, never a crash.
  for (size_t n = 0; n + 1 < file.size(); n += 97) {
    auto t = avro::ReadContainer(std::string_view(file).substr(0, n));
    EXPECT_FALSE(t.ok()) << n;
  }
  // A flipped sync marker byte is detected.
  std::string bad = file;
  bad[bad.size() - 3] ^= 0x55;
  EXPECT_TRUE(avro::ReadContainer(bad).status().IsCorruption());
}

TEST(Avro, EncodeRejectsMismatches) {
  auto schema = avro::ParseSchema(R"({"type": "record", "name": "r", "fields": [{"name": "a", "type": "int"}]})");
  ASSERT_TRUE(schema.ok());
  std::string out;
  EXPECT_FALSE(avro::Encode(**schema, Value::MakeObject({{"a", Value::String("x")}}), &out).ok());
  EXPECT_FALSE(avro::Encode(**schema, Value::MakeObject(), &out).ok());  // missing, not nullable
  EXPECT_FALSE(avro::Encode(**schema, Value::MakeObject({{"a", Value::Int(int64_t{1} << 40)}}), &out).ok());
  EXPECT_FALSE(avro::ParseSchema(R"({"type": "nope"})").ok());
  EXPECT_TRUE(avro::ParseSchema(R"([[ "int" ]])", true).status().IsCorruption());
  // A record naming a field twice (avro_fuzz: its records would not round-trip).
  auto twice = avro::ParseSchema(
      R"({"type": "record", "name": "r", "fields": [{"name": "a", "type": "int"}, {"name": "a", "type": "long"}]})",
      true);
  EXPECT_TRUE(twice.status().IsCorruption()) << twice.status().ToString();
  EXPECT_NE(twice.status().ToString().find("repeats field a"), std::string::npos);
}

TEST(Iceberg, BoundSerialization) {
  auto dec = parquet::SchemaNode::Decimal("d", parquet::Repetition::kOptional, 10, 2);
  EXPECT_EQ(*IcebergBound(dec, Value::Dec(*Decimal::FromString("1.00"))), std::string("\x64", 1));
  EXPECT_EQ(*IcebergBound(dec, Value::Dec(*Decimal::FromString("-1.28"))), std::string("\x80", 1));
  EXPECT_EQ(*IcebergBound(dec, Value::Dec(*Decimal::FromString("1.28"))), std::string("\x00\x80", 2));
  auto i64 = parquet::SchemaNode::Leaf("x", parquet::PhysicalType::kInt64, parquet::Repetition::kOptional);
  EXPECT_EQ(*IcebergBound(i64, Value::Int(1)), std::string("\x01\0\0\0\0\0\0\0", 8));
  auto d = parquet::SchemaNode::Leaf("x", parquet::PhysicalType::kInt32, parquet::Repetition::kOptional,
                                     parquet::LogicalType::Date());
  EXPECT_EQ(*IcebergBound(d, Value::Date(-1)), std::string("\xff\xff\xff\xff", 4));
}

storage::TableSpec Spec() {
  storage::TableSpec spec;
  spec.name = "Item";
  spec.type_name = "Item";
  spec.columns = {{"name", storage::ColumnKind::kString},
                  {"qty", storage::ColumnKind::kInt},
                  {"price", storage::ColumnKind::kDecimal, 10, 2},
                  {"tags", storage::ColumnKind::kString, 0, 0, true}};
  return spec;
}

StoredRow Row(const std::string& id, uint64_t seq, int qty, bool deleted = false) {
  StoredRow r;
  r.id = id;
  r.seq = seq;
  r.deleted = deleted;
  if (!deleted) {
    r.doc = Value::MakeObject({{"$id", Value::String(id)},
                               {"name", Value::String("n" + id)},
                               {"qty", Value::Int(qty)},
                               {"price", Value::Dec(*Decimal::FromString("2.50"))},
                               {"tags", Value::MakeArray({Value::String("a")})},
                               {"version", Value::Int(1)}});
  }
  return r;
}

std::map<std::string, int64_t> Content(LakeTable& t, std::optional<int64_t> v = std::nullopt) {
  auto rows = t.Scan(v);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  std::map<std::string, int64_t> out;
  if (!rows.ok()) return out;
  for (const Value& r : *rows) {
    EXPECT_EQ(r.Find("$deleted")->as_bool(), false);
    EXPECT_TRUE(out.emplace(r.Find("$id")->as_string(), r.Find("qty")->as_int()).second)
        << "duplicate " << r.Find("$id")->as_string();
  }
  return out;
}

class LakeTableTest : public ::testing::TestWithParam<Format> {};

TEST_P(LakeTableTest, CopyOnWriteUpdatesDeletesAndTimeTravel) {
  std::string root = ::testing::TempDir() + "/lake_" + std::string(FormatName(GetParam())) + "_" +
                     std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + NewUuid();
  auto codec = storage::RowCodec::Make(Spec());
  ASSERT_TRUE(codec.ok());
  auto t = OpenLakeTable(GetParam(), Env::Default(), root, *codec);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  std::map<std::string, int64_t> model;
  std::vector<std::pair<int64_t, std::map<std::string, int64_t>>> versions;
  std::mt19937 rng(7);
  uint64_t seq = 0;
  for (int commit = 0; commit < 25; commit++) {
    std::map<std::string, StoredRow> changes;
    int n = 1 + static_cast<int>(rng() % 20);
    for (int k = 0; k < n; k++) {
      char id[16];
      std::snprintf(id, sizeof(id), "id%04u", static_cast<unsigned>(rng() % 120));
      bool del = rng() % 4 == 0;
      int qty = static_cast<int>(rng() % 1000);
      changes[id] = Row(id, ++seq, qty, del);
    }
    std::vector<StoredRow> rows;
    for (auto& [id, r] : changes) {
      if (r.deleted) model.erase(id); else model[id] = r.doc.Find("qty")->as_int();
      rows.push_back(r);
    }
    CommitInfo ci;
    ci.timestamp_micros = 1700000000000000 + commit * 1000000;
    ci.flushed_seq = seq;
    ASSERT_TRUE((*t)->Commit(rows, ci).ok());
    auto cur = (*t)->Current();
    ASSERT_TRUE(cur.ok() && cur->has_value()) << cur.status().ToString();
    EXPECT_EQ((*cur)->flushed_seq, seq);
    versions.push_back({(*cur)->version, model});
    ASSERT_EQ(Content(**t), model) << "commit " << commit;
  }
  for (const auto& [v, m] : versions) EXPECT_EQ(Content(**t, v), m) << v;
  // A fresh handle sees the same; Overwrite replaces everything.
  auto t2 = OpenLakeTableForRead(GetParam(), Env::Default(), root);
  ASSERT_TRUE(t2.ok());
  EXPECT_EQ(Content(**t2), model);
  EXPECT_TRUE((*t2)->Commit({}, {}).IsNotSupported());
  ASSERT_TRUE((*t)->Overwrite({Row("z1", 1000, 5)}, {}).ok());
  EXPECT_EQ(Content(**t), (std::map<std::string, int64_t>{{"z1", 5}}));
  auto hist = (*t)->History();
  ASSERT_TRUE(hist.ok());
  EXPECT_GE(hist->size(), 26u);
  // Few files remain thanks to compaction.
  size_t parquet_files = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(root)) {
    parquet_files += e.path().extension() == ".parquet";
  }
  EXPECT_GE(parquet_files, 2u);
  std::filesystem::remove_all(root);
}

TEST_P(LakeTableTest, NoClobberCommit) {
  std::string root = ::testing::TempDir() + "/lake_nc_" + NewUuid();
  auto codec = storage::RowCodec::Make(Spec());
  ASSERT_TRUE(codec.ok());
  auto a = OpenLakeTable(GetParam(), Env::Default(), root, *codec);
  ASSERT_TRUE(a.ok());
  // Pre-create the next commit file: the commit must lose, not overwrite it.
  std::string next = GetParam() == Format::kIceberg ? root + "/metadata/v2.metadata.json"
                                                    : root + "/_delta_log/00000000000000000001.json";
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(next, "{}").ok());
  // Iceberg finds v2 as latest (not valid metadata): Corruption. Delta reads "{}"
  // as an empty commit 1 and commits version 2.
  Status s = (*a)->Commit({Row("x", 1, 1)}, {});
  if (GetParam() == Format::kIceberg) {
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  } else {
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(Env::Default()->FileExists(root + "/_delta_log/00000000000000000002.json"));
  }
  EXPECT_EQ(*Env::Default()->ReadFileToString(next), "{}");
  std::filesystem::remove_all(root);
}

INSTANTIATE_TEST_SUITE_P(Formats, LakeTableTest, ::testing::Values(Format::kIceberg, Format::kDelta),
                         [](const auto& info) { return std::string(FormatName(info.param)); });

}  // namespace
}  // namespace parquedb::lake

#include "lake/mirror.h"

namespace parquedb::lake {
namespace {

class MirrorTest : public ::testing::TestWithParam<Format> {};

TEST_P(MirrorTest, FollowsFlushesAndResyncsAfterAMissedCommit) {
  std::string dir = ::testing::TempDir() + "/mirror_" + NewUuid();
  Env* env = Env::Default();
  auto codec = storage::RowCodec::Make(Spec());
  ASSERT_TRUE(codec.ok());
  auto store = storage::NativeStore::Open(env, Clock::Default(), dir);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::map<std::string, LakeMirror::Target> codecs = {{"Item", {&*codec, GetParam()}}};
  auto fmt = LakeMirror::ResolveFormat(env, dir, std::string(FormatName(GetParam())));
  ASSERT_TRUE(fmt.ok());
  EXPECT_TRUE(LakeMirror::ResolveFormat(env, dir, "native").status().IsInvalidArgument());
  EXPECT_EQ(*LakeMirror::ResolveFormat(env, dir, ""), std::string(FormatName(GetParam())));
  std::map<std::string, int64_t> model;
  uint64_t seq = 0;
  auto flush = [&](std::vector<StoredRow> rows, bool mirror) {
    storage::Manifest m = (*store)->current();
    for (const auto& r : rows) {
      if (r.deleted) model.erase(r.id); else model[r.id] = r.doc.Find("qty")->as_int();
    }
    auto df = (*store)->WriteDataFile(*codec, rows, &m.next_file_id, {});
    ASSERT_TRUE(df.ok());
    m.tables["Item"].files.push_back(*df);
    m.flushed_seq = seq;
    ASSERT_TRUE((*store)->Commit(&m).ok());
    if (mirror) {
      auto mir = LakeMirror::Open(env, dir, codecs);
      ASSERT_TRUE(mir.ok());
      ASSERT_TRUE((*mir)->Sync(**store, 1).ok());
      ASSERT_TRUE((*mir)->OnFlush((*store)->current(), {{"Item", rows}}, 2).ok());
    }
  };
  flush({Row("a", ++seq, 1), Row("b", ++seq, 2), Row("c", ++seq, 3)}, true);
  flush({Row("b", ++seq, 20), Row("c", ++seq, 0, true), Row("d", ++seq, 4)}, true);
  auto mir = LakeMirror::Open(env, dir, codecs);
  ASSERT_TRUE(mir.ok());
  EXPECT_EQ(Content(*(*mir)->table("Item")), model);
  // A flush the mirror never saw (crash after the native commit): Sync repairs it.
  flush({Row("a", ++seq, 0, true), Row("e", ++seq, 5)}, false);
  EXPECT_NE(Content(*(*mir)->table("Item")), model);
  ASSERT_TRUE((*mir)->Sync(**store, 3).ok());
  EXPECT_EQ(Content(*(*mir)->table("Item")), model);
  auto cur = (*mir)->table("Item")->Current();
  ASSERT_TRUE(cur.ok() && cur->has_value());
  EXPECT_EQ((*cur)->flushed_seq, seq);
  // Up to date: Sync commits nothing.
  auto before = (*mir)->table("Item")->History();
  ASSERT_TRUE((*mir)->Sync(**store, 4).ok());
  EXPECT_EQ((*mir)->table("Item")->History()->size(), before->size());
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Formats, MirrorTest, ::testing::Values(Format::kIceberg, Format::kDelta),
                         [](const auto& info) { return std::string(FormatName(info.param)); });

}  // namespace
}  // namespace parquedb::lake

namespace parquedb::lake {
namespace {

TEST_P(MirrorTest, ViewRefreshStateTracksSourceVersions) {
  std::string dir = ::testing::TempDir() + "/mirror_rs_" + NewUuid();
  Env* env = Env::Default();
  auto codec = storage::RowCodec::Make(Spec());
  ASSERT_TRUE(codec.ok());
  auto store = storage::NativeStore::Open(env, Clock::Default(), dir);
  ASSERT_TRUE(store.ok());
  // The source in the parameter's format, the view in the other one.
  Format other = GetParam() == Format::kIceberg ? Format::kDelta : Format::kIceberg;
  auto mir = LakeMirror::Open(env, dir, {{"Item", {&*codec, GetParam()}}, {"AView", {&*codec, other}}});
  ASSERT_TRUE(mir.ok()) << mir.status().ToString();
  storage::Manifest m = (*store)->current();
  m.flushed_seq = 1;
  ASSERT_TRUE((*store)->Commit(&m).ok());
  auto summary = [&](const std::string& name) -> Result<std::map<std::string, std::string>> {
    if (name != "AView") return std::map<std::string, std::string>();
    PQ_ASSIGN_OR_RETURN(std::string rs, (*mir)->RefreshState(42, {{"Item", 1}, {"Native", 5}}, 9));
    return std::map<std::string, std::string>{{"refresh-state", rs}};
  };
  // "AView" sorts before "Item": it must still commit after its source.
  ASSERT_TRUE((*mir)->OnFlush((*store)->current(), {{"Item", {Row("a", 1, 1)}}}, 10, {"AView"}, summary).ok());
  auto stale = (*mir)->StaleSources("AView", {{"Native", 5}});
  ASSERT_TRUE(stale.ok()) << stale.status().ToString();
  EXPECT_TRUE(stale->empty());
  auto cur = (*mir)->table("AView")->Current();
  ASSERT_TRUE(cur.ok() && cur->has_value());
  EXPECT_NE((*cur)->summary.at("refresh-state").find("\"refresh-version-id\":\"42\""), std::string::npos)
      << (*cur)->summary.at("refresh-state");
  // The native source moved on: stale.
  EXPECT_EQ(*(*mir)->StaleSources("AView", {{"Native", 6}}), std::vector<std::string>{"Native"});
  // The mirrored source gets a new version without a view refresh: stale.
  ASSERT_TRUE((*mir)->OnFlush((*store)->current(), {{"Item", {Row("b", 2, 2)}}}, 11).ok());
  EXPECT_EQ(*(*mir)->StaleSources("AView", {{"Native", 5}}), std::vector<std::string>{"Item"});
  EXPECT_TRUE((*mir)->StaleSources("Item", {}).status().IsNotFound());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace parquedb::lake

namespace parquedb::lake {
namespace {

// A table written by ClickHouse (chdb 3.4.0: CREATE TABLE ... ENGINE = IcebergLocal,
// two INSERTs, ALTER TABLE DELETE -> a position delete file), copied here from
// another directory: paths under its recorded location are re-rooted.
TEST(IcebergForeign, ReadsAClickHouseTableWithPositionDeletes) {
  std::string root =
      (std::filesystem::path(__FILE__).parent_path() / "testdata" / "chdb_iceberg").string();
  auto t = OpenLakeTableForRead(Format::kIceberg, Env::Default(), root);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto ids = [&](std::optional<int64_t> v) {
    std::set<std::string> out;
    auto rows = (*t)->Scan(v);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (rows.ok()) {
      for (const Value& r : *rows) out.insert(r.Find("id")->as_string() + "=" + std::to_string(r.Find("qty")->as_int()));
    }
    return out;
  };
  EXPECT_EQ(ids(std::nullopt), (std::set<std::string>{"a=1", "c=3", "d=4"}));
  auto hist = (*t)->History();
  ASSERT_TRUE(hist.ok());
  ASSERT_EQ(hist->size(), 3u);
  EXPECT_EQ(ids((*hist)[0].version), (std::set<std::string>{"a=1", "b=2", "c=3"}));
  EXPECT_EQ(ids((*hist)[1].version), (std::set<std::string>{"a=1", "b=2", "c=3", "d=4"}));
  EXPECT_TRUE((*t)->Scan(12345).status().IsNotFound());
}

}  // namespace
}  // namespace parquedb::lake

namespace parquedb::lake {
namespace {

TEST_P(LakeTableTest, ExpireKeepsTheStateAtTheCutoffAndLaterVersions) {
  std::string root = ::testing::TempDir() + "/lake_exp_" + NewUuid();
  auto codec = storage::RowCodec::Make(Spec());
  ASSERT_TRUE(codec.ok());
  auto t = OpenLakeTable(GetParam(), Env::Default(), root, *codec);
  ASSERT_TRUE(t.ok());
  const int64_t t0 = 1700000000000;  // ms
  std::map<std::string, int64_t> model;
  std::vector<std::pair<int64_t, std::map<std::string, int64_t>>> versions;
  uint64_t seq = 0;
  for (int i = 0; i < 10; i++) {
    // Updates of the same ids: every commit rewrites (and removes) files.
    std::vector<StoredRow> rows;
    for (int k = 0; k < 5; k++) {
      std::string id = "id" + std::to_string((i + k) % 7);
      rows.push_back(Row(id, ++seq, i * 10 + k));
      model[id] = i * 10 + k;
    }
    std::sort(rows.begin(), rows.end(), [](const StoredRow& a, const StoredRow& b) { return a.id < b.id; });
    CommitInfo ci;
    ci.timestamp_micros = (t0 + i * 1000) * 1000;
    ASSERT_TRUE((*t)->Commit(rows, ci).ok());
    versions.push_back({(*(*t)->Current())->version, model});
  }
  auto count_parquet = [&] {
    size_t n = 0;
    for (auto& e : std::filesystem::recursive_directory_iterator(root)) n += e.path().extension() == ".parquet";
    return n;
  };
  size_t before = count_parquet();
  auto deleted = (*t)->Expire(t0 + 5500);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_GT(*deleted, 0);
  EXPECT_LT(count_parquet(), before);
  for (int i = 5; i < 10; i++) EXPECT_EQ(Content(**t, versions[static_cast<size_t>(i)].first), versions[static_cast<size_t>(i)].second) << i;
  EXPECT_EQ(Content(**t), model);
  if (GetParam() == Format::kIceberg) {
    EXPECT_TRUE((*t)->Scan(versions[2].first).status().IsNotFound());
    EXPECT_EQ((*t)->History()->size(), 5u);
  }
  // Idempotent; and commits continue.
  ASSERT_TRUE((*t)->Expire(t0 + 5500).ok());
  ASSERT_TRUE((*t)->Commit({Row("new", ++seq, 1)}, {}).ok());
  model["new"] = 1;
  EXPECT_EQ(Content(**t), model);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace parquedb::lake

namespace parquedb::lake {
namespace {

// Metadata fields of the wrong JSON type (a fuzzer finding: a string where Delta's
// protocol.minReaderVersion must be a number) are Corruption, never an exception.
TEST(LakeMetadata, WrongTypedFieldsAreCorruptionNotACrash) {
  std::string root = (std::filesystem::temp_directory_path() /
                      ("lake_wrong_types_" + std::to_string(::getpid())))
                         .string();
  std::filesystem::remove_all(root);
  Env* env = Env::Default();
  auto write = [&](const std::string& rel, const std::string& body) {
    std::string path = root + "/" + rel;
    ASSERT_TRUE(env->CreateDirs(path.substr(0, path.rfind('/'))).ok());
    ASSERT_TRUE(env->WriteFileAtomic(path, body).ok());
  };
  const std::vector<std::string> delta_bodies = {
      R"({"protocol":{"minReaderVersion":"1","minWriterVersion":2}})",
      "{\"protocol\":{\"minReaderVersion\":1}}\n{\"metaData\":{\"id\":7,\"schemaString\":3}}",
      "{\"add\":{\"path\":\"a.parquet\",\"size\":\"big\",\"stats\":5}}",
  };
  for (const std::string& body : delta_bodies) {
    std::filesystem::remove_all(root);
    write("_delta_log/00000000000000000000.json", body);
    auto t = OpenLakeTableForRead(Format::kDelta, env, root);
    if (!t.ok()) {
      EXPECT_TRUE(t.status().IsCorruption() || t.status().IsNotSupported()) << t.status().ToString();
      continue;
    }
    auto h = (*t)->History();
    auto c = (*t)->Current();
    auto s = (*t)->Scan(std::nullopt);
    for (const Status& st : {h.status(), c.status(), s.status()}) {
      EXPECT_TRUE(st.ok() || st.IsCorruption() || st.IsNotSupported() || st.IsNotFound())
          << body << ": " << st.ToString();
    }
  }
  std::filesystem::remove_all(root);
  write("metadata/v1.metadata.json",
        R"({"format-version":2,"table-uuid":"x","location":"/tmp","last-sequence-number":"9",)"
        R"("last-updated-ms":"now","last-column-id":1,"current-schema-id":"0","schemas":[],)"
        R"("current-snapshot-id":"5","snapshots":[{"snapshot-id":"5","timestamp-ms":[]}]})");
  auto t = OpenLakeTableForRead(Format::kIceberg, env, root);
  if (t.ok()) {
    for (const Status& st : {(*t)->History().status(), (*t)->Current().status(),
                             (*t)->Scan(std::nullopt).status()}) {
      EXPECT_TRUE(st.ok() || st.IsCorruption() || st.IsNotFound()) << st.ToString();
    }
  } else {
    EXPECT_TRUE(t.status().IsCorruption()) << t.status().ToString();
  }
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace parquedb::lake
