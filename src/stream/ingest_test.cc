#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "parquedb/db.h"
#include "parquedb/stream.h"

namespace parquedb::stream {
namespace {

Value J(std::string_view text) {
  auto v = Value::ParseJson(text);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : Value();
}

// A real Tail Worker item (fetch event), as forwarded by `tail(events)`.
constexpr std::string_view kFetchItem = R"({
  "scriptName": "my-api", "outcome": "ok", "eventTimestamp": 1735732800123,
  "executionModel": "stateless", "truncated": false, "diagnosticsChannelEvents": [],
  "event": {"request": {"url": "https://api.example.com/users/7", "method": "GET",
            "headers": {"user-agent": "curl/8.0"}, "cf": {"colo": "AMS", "country": "NL"}},
            "response": {"status": 200}},
  "logs": [{"level": "log", "message": ["handled", 7], "timestamp": 1735732800125}],
  "exceptions": []})";

TEST(MapTailItem, FetchEvent) {
  Value doc;
  IngestError err;
  ASSERT_TRUE(MapTailItem(J(kFetchItem), &doc, &err)) << err.ToString();
  EXPECT_EQ(doc.Find("scriptName")->as_string(), "my-api");
  EXPECT_EQ(doc.Find("outcome")->as_string(), "ok");
  ASSERT_EQ(doc.Find("eventTimestamp")->kind(), Value::Kind::kTimestamp);
  EXPECT_EQ(doc.Find("eventTimestamp")->as_int(), 1735732800123000);
  EXPECT_EQ(doc.Find("timestamp")->as_int(), 1735732800123000);
  EXPECT_EQ(doc.FindPath("event.request.cf.colo")->as_string(), "AMS");
  EXPECT_EQ(doc.FindPath("event.response.status")->as_int(), 200);
  EXPECT_EQ(doc.FindPath("logs.0.timestamp")->kind(), Value::Kind::kTimestamp);
  EXPECT_EQ(doc.FindPath("logs.0.timestamp")->as_int(), 1735732800125000);
  EXPECT_EQ(doc.FindPath("logs.0.message.1")->as_int(), 7);
  EXPECT_EQ(doc.Find("exceptions")->as_array().size(), 0u);
  // Fields outside the TailEvents schema are dropped.
  EXPECT_EQ(doc.Find("executionModel"), nullptr);
  EXPECT_EQ(doc.Find("diagnosticsChannelEvents"), nullptr);
}

TEST(MapTailItem, TimestampAliasScheduledEventAndMissingArrays) {
  Value doc;
  IngestError err;
  ASSERT_TRUE(MapTailItem(J(R"({"scriptName":"cron","outcome":"exceededCpu",
      "timestamp":"2025-01-01T12:00:00Z","event":{"cron":"*/5 * * * *","scheduledTime":1}})"),
                          &doc, &err))
      << err.ToString();
  EXPECT_EQ(doc.Find("eventTimestamp")->as_int(), 1735732800000000);
  EXPECT_EQ(doc.FindPath("event.cron")->as_string(), "*/5 * * * *");
  EXPECT_EQ(doc.Find("logs")->as_array().size(), 0u);
  EXPECT_EQ(doc.Find("exceptions")->as_array().size(), 0u);
}

TEST(MapTailItem, ExceptionTimestampsConverted) {
  Value doc;
  IngestError err;
  ASSERT_TRUE(MapTailItem(J(R"({"scriptName":"a","outcome":"exception","eventTimestamp":5,
      "exceptions":[{"name":"TypeError","message":"x is undefined","timestamp":6}]})"),
                          &doc, &err));
  EXPECT_EQ(doc.FindPath("exceptions.0.name")->as_string(), "TypeError");
  EXPECT_EQ(doc.FindPath("exceptions.0.timestamp")->as_int(), 6000);
}

struct BadCase {
  const char* json;
  const char* field;
  const char* reason_part;
};

TEST(MapTailItem, MalformedItemsNameTheField) {
  const BadCase cases[] = {
      {R"([1])", "", "expected a TailItem object"},
      {R"({"outcome":"ok","eventTimestamp":1})", "scriptName", "missing"},
      {R"({"scriptName":null,"outcome":"ok","eventTimestamp":1})", "scriptName", "missing"},
      {R"({"scriptName":7,"outcome":"ok","eventTimestamp":1})", "scriptName", "expected a string"},
      {R"({"scriptName":"a","eventTimestamp":1})", "outcome", "missing"},
      {R"({"scriptName":"a","outcome":"ok"})", "eventTimestamp", "also accepted: timestamp"},
      {R"({"scriptName":"a","outcome":"ok","eventTimestamp":-1})", "eventTimestamp", "out of range"},
      {R"({"scriptName":"a","outcome":"ok","eventTimestamp":"yesterday"})", "eventTimestamp", ""},
      {R"({"scriptName":"a","outcome":"ok","timestamp":true})", "timestamp", "expected epoch"},
      {R"({"scriptName":"a","outcome":"ok","eventTimestamp":1,"event":[]})", "event",
       "expected an object"},
      {R"({"scriptName":"a","outcome":"ok","eventTimestamp":1,"event":{"request":{"url":5}}})",
       "event.request.url", "expected a string"},
      {R"({"scriptName":"a","outcome":"ok","eventTimestamp":1,
           "event":{"request":{"cf":{"colo":1}}}})", "event.request.cf.colo", "expected a string"},
      {R"({"scriptName":"a","outcome":"ok","eventTimestamp":1,
           "event":{"response":{"status":"200"}}})", "event.response.status", "integer"},
      {R"({"scriptName":"a","outcome":"ok","eventTimestamp":1,
           "event":{"response":{"status":42}}})", "event.response.status", "HTTP status"},
      {R"({"scriptName":"a","outcome":"ok","eventTimestamp":1,"logs":{}})", "logs",
       "expected an array"},
      {R"({"scriptName":"a","outcome":"ok","eventTimestamp":1,"logs":[{"level":"log",
           "message":[],"timestamp":1},{"message":["x"]}]})", "logs.1.level", "missing"},
      {R"({"scriptName":"a","outcome":"ok","eventTimestamp":1,"logs":[{"level":"log",
           "message":[],"timestamp":"x"}]})", "logs.0.timestamp", ""},
      {R"({"scriptName":"a","outcome":"ok","eventTimestamp":1,"exceptions":[{"name":"E"}]})",
       "exceptions.0.message", "missing"},
  };
  for (const BadCase& c : cases) {
    Value item = J(c.json);
    if (item.kind() == Value::Kind::kArray) item = item.as_array()[0];
    Value doc;
    IngestError err;
    EXPECT_FALSE(MapTailItem(item, &doc, &err)) << c.json;
    EXPECT_EQ(err.field, c.field) << c.json << " -> " << err.ToString();
    EXPECT_NE(err.reason.find(c.reason_part), std::string::npos) << c.json << " -> " << err.reason;
  }
}

TEST(PayloadMapper, AISdkAndEvaliteShapes) {
  PayloadMapper req = PayloadMapper::ForKind("ai-sdk", "AIRequest");
  Value doc;
  IngestError err;
  ASSERT_TRUE(req.Map(J(R"({"model":"gpt-4o","provider":"openai","requestType":"generate",
      "usage":{"inputTokens":10,"outputTokens":32},"durationMs":812.4,"timestamp":1000})"),
                      &doc, &err))
      << err.ToString();
  EXPECT_EQ(doc.ToJsonString(),
            R"({"modelId":"gpt-4o","providerId":"openai","requestType":"generate","tokens":42,)"
            R"("latencyMs":812,"cached":false,"timestamp":"1970-01-01T00:00:01.000000Z"})");
  EXPECT_FALSE(req.Map(J(R"({"modelId":"m","providerId":"p","requestType":"batch",
      "latencyMs":1,"timestamp":1})"), &doc, &err));
  EXPECT_EQ(err.field, "requestType");
  EXPECT_FALSE(req.Map(J(R"({"modelId":"m","providerId":"p","requestType":"stream",
      "timestamp":1})"), &doc, &err));
  EXPECT_EQ(err.field, "latencyMs");

  PayloadMapper gen = PayloadMapper::ForKind("ai-sdk", "Generation");
  ASSERT_TRUE(gen.Map(J(R"({"modelId":"m","object":{"a":1},"timestamp":1})"), &doc, &err));
  EXPECT_EQ(doc.Find("contentType")->as_string(), "object");
  ASSERT_TRUE(gen.Map(J(R"({"modelId":"m","text":"hi","prompt":"say hi","timestamp":1})"), &doc,
                      &err));
  EXPECT_EQ(doc.Find("contentType")->as_string(), "text");
  EXPECT_EQ(doc.Find("content")->as_string(), "hi");

  PayloadMapper score = PayloadMapper::ForKind("evalite", "EvalScore");
  ASSERT_TRUE(score.Map(J(R"({"run_id":3,"evalName":"qa","name":"levenshtein","score":0.87654,
      "created_at":"2025-01-01T00:00:00Z"})"), &doc, &err))
      << err.ToString();
  EXPECT_EQ(doc.Find("score")->as_decimal().ToString(), "0.8765");
  EXPECT_FALSE(score.Map(J(R"({"runId":3,"suiteName":"qa","scorerName":"x","score":1.5,
      "timestamp":1})"), &doc, &err));
  EXPECT_EQ(err.field, "score");
  PayloadMapper run = PayloadMapper::ForKind("evalite", "EvalRun");
  ASSERT_TRUE(run.Map(J(R"({"id":3,"runType":"full","created_at":1})"), &doc, &err));
  EXPECT_EQ(doc.Find("runId")->as_int(), 3);
}

TEST(ParsePayload, ArrayObjectNdjsonAndErrors) {
  EXPECT_EQ(ParsePayload(R"([{"a":1},{"a":2}])")->size(), 2u);
  EXPECT_EQ(ParsePayload("{\n \"a\": 1\n}")->size(), 1u);
  EXPECT_EQ(ParsePayload("{\"a\":1}\n\n{\"a\":2}\n")->size(), 2u);
  EXPECT_EQ(ParsePayload("  ")->size(), 0u);
  auto bad = ParsePayload("{\"a\":1}\n{\"a\":}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2, column"), std::string::npos)
      << bad.status().message();
  auto bad_array = ParsePayload("[{\"a\":1},\n {\"a\" 2}]");
  ASSERT_FALSE(bad_array.ok());
  EXPECT_NE(bad_array.status().message().find("line 2, column"), std::string::npos)
      << bad_array.status().message();
}

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pq_ingest_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    Options o;
    o.path = dir_.string();
    o.sync = false;
    o.run_scheduler = false;
    auto db = DB::Open(o, J(R"({"TailEvents":"parquedb/tail","AIRequests":"parquedb/ai-sdk",
        "EvalScores":"parquedb/evalite","Note":{"text":"string!"}})"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  int64_t Count(std::string_view coll) { return *db_->Count(coll, Value::MakeObject()); }

  std::filesystem::path dir_;
  std::unique_ptr<DB> db_;
};

TEST_F(IngestTest, AtomicBatchRejectsAllWithPositions) {
  std::string text = "[" + std::string(kFetchItem) +
                     R"(, {"scriptName":"x","outcome":"ok"}, )" + std::string(kFetchItem) +
                     R"(, {"scriptName":"y","outcome":"ok","eventTimestamp":1,"logs":[{}]}])";
  auto r = IngestText(db_.get(), "TailEvents", text);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 0);
  ASSERT_EQ(r->rejected.size(), 2u);
  EXPECT_EQ(r->rejected[0].index, 1u);
  EXPECT_EQ(r->rejected[0].field, "eventTimestamp");
  EXPECT_EQ(r->rejected[1].index, 3u);
  EXPECT_EQ(r->rejected[1].field, "logs.0.level");
  EXPECT_EQ(Count("TailEvents"), 0);
  EXPECT_EQ(r->ToJson().ToJsonString().find("\"accepted\":0"), 1u);

  IngestOptions partial;
  partial.partial = true;
  r = IngestText(db_.get(), "TailEvents", text, partial);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 2);
  EXPECT_EQ(r->ids.size(), 2u);
  EXPECT_EQ(r->rejected.size(), 2u);
  EXPECT_EQ(Count("TailEvents"), 2);
  auto found = db_->Find("TailEvents", J(R"({"event.request.cf.colo":"AMS"})"));
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].Find("eventTimestamp")->as_int(), 1735732800123000);
}

TEST_F(IngestTest, DatabaseValidationErrorsAreReportedPerItem) {
  // Plain collection: the document goes through as is; the schema rejects item 1.
  auto r = Ingest(db_.get(), "Note", J(R"([{"text":"a"},{"text":5},{"text":"c"}])"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 0);
  ASSERT_EQ(r->rejected.size(), 1u);
  EXPECT_EQ(r->rejected[0].index, 1u);
  EXPECT_EQ(r->rejected[0].field, "text") << r->rejected[0].reason;
  EXPECT_EQ(Count("Note"), 0);
  IngestOptions partial;
  partial.partial = true;
  r = Ingest(db_.get(), "Note", J(R"([{"text":"a"},{"text":5},{"bogus":1},{"text":"c"}])"),
             partial);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 2);
  ASSERT_EQ(r->rejected.size(), 2u);
  EXPECT_EQ(r->rejected[0].index, 1u);
  EXPECT_EQ(r->rejected[1].index, 2u);
  EXPECT_EQ(Count("Note"), 2);
}

TEST_F(IngestTest, UnknownCollectionAndOtherKinds) {
  auto r = IngestText(db_.get(), "Nope", "[]");
  EXPECT_TRUE(r.status().IsNotFound());
  r = IngestText(db_.get(), "AIRequests",
                 R"({"modelId":"m","providerId":"p","requestType":"stream","latencyMs":3,
                     "cached":true,"error":{"message":"rate limited"},"timestamp":1})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 1);
  r = IngestText(db_.get(), "EvalScores",
                 R"({"runId":1,"suiteName":"s","scorerName":"f","score":0.5,"timestamp":1})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 1);
  auto scores = db_->Find("EvalScores", Value::MakeObject());
  ASSERT_TRUE(scores.ok());
  EXPECT_EQ(scores->at(0).Find("score")->ToJsonString(), "\"0.5000\"");
}

}  // namespace
}  // namespace parquedb::stream
