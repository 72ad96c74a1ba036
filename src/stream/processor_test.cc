// Adapters and the stream processor: batching by size and (manual-clock) interval,
// back-pressure, NDJSON follow with a partial last line, exactly-once resume, and a
// real SIGKILL of a child process mid-ingestion.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "parquedb/db.h"
#include "parquedb/stream.h"

namespace parquedb::stream {
namespace {

Value J(std::string_view text) {
  auto v = Value::ParseJson(text);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : Value();
}

std::string TailLine(int i) {
  return R"({"scriptName":"w)" + std::to_string(i % 3) +
         R"(","outcome":"ok","eventTimestamp":)" + std::to_string(1735732800000 + i) +
         R"(,"event":{"request":{"url":"https://x/)" + std::to_string(i) +
         R"(","method":"GET"},"response":{"status":200}},"logs":[],"exceptions":[]})";
}

void Append(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::app | std::ios::binary);
  out << text;
}

class StreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pq_stream_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(Open(true).ok());
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  Status Open(bool create) {
    db_.reset();
    Options o;
    o.path = (dir_ / "db").string();
    o.run_scheduler = false;
    if (create) {
      auto db = DB::Open(o, J(R"({"TailEvents":"parquedb/tail"})"));
      if (!db.ok()) return db.status();
      db->reset();
    }
    auto db = OpenWithStreamOffsets(o);
    if (!db.ok()) return db.status();
    db_ = std::move(*db);
    return Status::OK();
  }
  int64_t Count() { return *db_->Count("TailEvents", Value::MakeObject()); }
  // Distinct event urls (one per input line) and the total count.
  std::set<std::string> Urls() {
    std::set<std::string> out;
    auto docs = db_->Find("TailEvents", Value::MakeObject());
    EXPECT_TRUE(docs.ok());
    for (const Value& d : *docs) out.insert(d.FindPath("event.request.url")->as_string());
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<DB> db_;
};

TEST_F(StreamTest, PushBackPressureBusyAndClose) {
  PushAdapter push("push", 2);
  ASSERT_TRUE(push.TryPush(J(TailLine(1))).ok());
  ASSERT_TRUE(push.TryPush(J(TailLine(2))).ok());
  EXPECT_TRUE(push.TryPush(J(TailLine(3))).IsBusy());
  // A blocking Push waits until the consumer makes room.
  std::thread producer([&] { EXPECT_TRUE(push.Push(J(TailLine(3))).ok()); });
  auto batch = push.Poll(1, 0);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->records.size(), 1u);
  producer.join();
  EXPECT_EQ(push.queued(), 2u);
  push.Close();
  EXPECT_TRUE(push.TryPush(J(TailLine(4))).IsAborted());
  batch = push.Poll(10, 0);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->records.size(), 2u);
  EXPECT_TRUE(batch->end);
  EXPECT_TRUE(push.Seek("1").IsNotSupported());
}

TEST_F(StreamTest, ProcessorBatchesBySizeAndManualClockInterval) {
  ManualClock clock(1000000);
  PushAdapter push("push", 100);
  StreamProcessorOptions o;
  o.collection = "TailEvents";
  o.adapter = &push;
  o.batch_size = 3;
  o.flush_interval_ms = 1000;
  o.clock = &clock;
  auto p = StreamProcessor::Create(db_.get(), o);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  for (int i = 0; i < 4; i++) ASSERT_TRUE(push.TryPush(J(TailLine(i))).ok());
  ASSERT_FALSE(*(*p)->Step());  // 3 records: a full batch
  EXPECT_EQ((*p)->batches(), 1);
  EXPECT_EQ(Count(), 3);
  ASSERT_FALSE(*(*p)->Step());  // 1 pending, interval not reached
  EXPECT_EQ((*p)->pending(), 1u);
  EXPECT_EQ(Count(), 3);
  clock.AdvanceMicros(999 * 1000);
  ASSERT_FALSE(*(*p)->Step());
  EXPECT_EQ(Count(), 3);
  clock.AdvanceMicros(1000);
  ASSERT_FALSE(*(*p)->Step());  // the oldest pending record is 1 s old: flushed
  EXPECT_EQ(Count(), 4);
  EXPECT_EQ((*p)->batches(), 2);
  push.Close();
  EXPECT_TRUE(*(*p)->Step());
  // A push source is not resumable: no position stored.
  EXPECT_FALSE(CommittedPosition(db_.get(), "push")->has_value());
}

TEST_F(StreamTest, PartialSkipsMalformedRecordsStrictStops) {
  PushAdapter push("push", 100);
  StreamProcessorOptions o;
  o.collection = "TailEvents";
  o.adapter = &push;
  o.batch_size = 10;
  std::vector<BatchReport> reports;
  auto p = StreamProcessor::Create(db_.get(), o);
  ASSERT_TRUE(p.ok());
  (*p)->set_on_batch([&](const BatchReport& r) { reports.push_back(r); });
  ASSERT_TRUE(push.TryPush(J(TailLine(0))).ok());
  ASSERT_TRUE(push.TryPush(J(R"({"scriptName":"a","outcome":"ok"})")).ok());
  ASSERT_TRUE(push.TryPush(J(TailLine(2))).ok());
  push.Close();
  ASSERT_TRUE((*p)->Drain().ok());
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].accepted, 2);
  ASSERT_EQ(reports[0].rejected.size(), 1u);
  EXPECT_EQ(reports[0].rejected[0].index, 1u);
  EXPECT_EQ(reports[0].rejected[0].field, "eventTimestamp");
  EXPECT_EQ(Count(), 2);

  PushAdapter strict_push("strict", 100);
  o.adapter = &strict_push;
  o.partial = false;
  auto strict = StreamProcessor::Create(db_.get(), o);
  ASSERT_TRUE(strict.ok());
  ASSERT_TRUE(strict_push.TryPush(J(TailLine(5))).ok());
  ASSERT_TRUE(strict_push.TryPush(J(R"({"scriptName":"a","outcome":"ok"})")).ok());
  strict_push.Close();
  Status s = (*strict)->Drain();
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("record 1: eventTimestamp"), std::string::npos) << s.message();
  EXPECT_EQ(Count(), 2);  // the strict batch was not committed
}

TEST_F(StreamTest, PollAdapterFetchesOncePerIntervalAndResumesMidPage) {
  // Source: pages of 3 items; cursor = index of the first item.
  std::vector<Value> source;
  for (int i = 0; i < 7; i++) source.push_back(J(TailLine(i)));
  int fetches = 0;
  auto fetch = [&](const std::string& cursor) -> Result<PollAdapter::FetchResult> {
    fetches++;
    size_t from = cursor.empty() ? 0 : std::stoul(cursor);
    PollAdapter::FetchResult r;
    for (size_t i = from; i < std::min(source.size(), from + 3); i++) r.items.push_back(source[i]);
    r.next_cursor = std::to_string(from + r.items.size());
    return r;
  };
  ManualClock clock(0);
  {
    PollAdapter poll("poll", fetch, 1000, &clock);
    StreamProcessorOptions o;
    o.collection = "TailEvents";
    o.adapter = &poll;
    o.batch_size = 2;
    o.flush_interval_ms = 0;
    o.clock = &clock;
    auto p = StreamProcessor::Create(db_.get(), o);
    ASSERT_TRUE(p.ok());
    ASSERT_FALSE(*(*p)->Step());  // fetch page 0..2, commit 0,1
    EXPECT_EQ(fetches, 1);
    EXPECT_EQ(Count(), 2);
    EXPECT_EQ(*(*p)->committed_position(), "#2");
    ASSERT_FALSE(*(*p)->Step());  // item 2 from the same page
    EXPECT_EQ(fetches, 1);
    EXPECT_EQ(Count(), 3);
    EXPECT_EQ(*(*p)->committed_position(), "3#0");
    ASSERT_FALSE(*(*p)->Step());  // next page not due yet
    EXPECT_EQ(fetches, 1);
    clock.AdvanceMicros(1000 * 1000);
    ASSERT_FALSE(*(*p)->Step());  // page 3..5, commit 3,4
    EXPECT_EQ(fetches, 2);
    EXPECT_EQ(Count(), 5);
    EXPECT_EQ(*(*p)->committed_position(), "3#2");
    // Destruction stops the processor: item 5, already fetched, is committed.
  }
  EXPECT_EQ(Count(), 6);
  EXPECT_EQ(**CommittedPosition(db_.get(), "poll"), "6#0");
  {
    // Resuming in the middle of a page fetches that page again and skips the consumed.
    PollAdapter mid("poll", fetch, 1000, &clock);
    ASSERT_TRUE(mid.Seek("3#2").ok());
    auto batch = mid.Poll(10, 0);
    ASSERT_TRUE(batch.ok());
    ASSERT_EQ(batch->records.size(), 1u);
    EXPECT_EQ(batch->records[0].payload.FindPath("event.request.url")->as_string(), "https://x/5");
    EXPECT_EQ(batch->records[0].position, "6#0");
  }
  // Restart: resumes at page "6".
  PollAdapter poll("poll", fetch, 1000, &clock);
  StreamProcessorOptions o;
  o.collection = "TailEvents";
  o.adapter = &poll;
  o.batch_size = 10;
  o.flush_interval_ms = 0;
  o.clock = &clock;
  auto p = StreamProcessor::Create(db_.get(), o);
  ASSERT_TRUE(p.ok());
  ASSERT_FALSE(*(*p)->Step());
  EXPECT_EQ(Count(), 7);
  EXPECT_EQ(Urls().size(), 7u);
  clock.AdvanceMicros(1000 * 1000);
  ASSERT_FALSE(*(*p)->Step());  // nothing new after cursor 7: nothing written
  EXPECT_EQ(Count(), 7);
}

TEST_F(StreamTest, IteratorResumesBySkipping) {
  int next = 0;
  auto gen = [&]() -> Result<std::optional<Value>> {
    if (next >= 5) return std::optional<Value>();
    return std::optional<Value>(J(TailLine(next++)));
  };
  {
    IteratorAdapter it("gen", gen);
    StreamProcessorOptions o;
    o.collection = "TailEvents";
    o.adapter = &it;
    o.batch_size = 3;
    auto p = StreamProcessor::Create(db_.get(), o);
    ASSERT_TRUE(p.ok());
    ASSERT_FALSE(*(*p)->Step());
    EXPECT_EQ(Count(), 3);
  }
  next = 0;  // the generator restarts from the beginning, as after a crash
  IteratorAdapter it("gen", gen);
  StreamProcessorOptions o;
  o.collection = "TailEvents";
  o.adapter = &it;
  o.batch_size = 3;
  auto p = StreamProcessor::Create(db_.get(), o);
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE((*p)->Drain().ok());
  EXPECT_EQ(Count(), 5);
  EXPECT_EQ(Urls().size(), 5u);
}

TEST_F(StreamTest, NdjsonFollowHoldsPartialLastLine) {
  auto path = dir_ / "events.ndjson";
  Append(path, TailLine(0) + "\n\n" + TailLine(1).substr(0, 20));
  auto a = NdjsonAdapter::Open(path.string(), /*follow=*/true);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto batch = (*a)->Poll(10, 0);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->records.size(), 1u);  // the partial line is held back
  EXPECT_FALSE(batch->end);
  EXPECT_EQ(batch->records[0].position, std::to_string(TailLine(0).size() + 1));
  Append(path, TailLine(1).substr(20) + "\nnot json\n");
  batch = (*a)->Poll(10, 0);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->records.size(), 2u);
  EXPECT_TRUE(batch->records[0].error.ok());
  EXPECT_EQ(batch->records[0].payload.FindPath("event.request.url")->as_string(), "https://x/1");
  EXPECT_TRUE(batch->records[1].error.IsInvalidArgument());
  EXPECT_NE(batch->records[1].error.message().find("line 4"), std::string::npos)
      << batch->records[1].error.message();
  batch = (*a)->Poll(10, 0);
  ASSERT_TRUE(batch.ok());
  EXPECT_TRUE(batch->records.empty());
  EXPECT_FALSE(batch->end);  // follow: never ends

  // Without follow, a final line without '\n' ends the input and is read.
  auto path2 = dir_ / "b.ndjson";
  Append(path2, TailLine(7) + "\n" + TailLine(8));
  auto b = NdjsonAdapter::Open(path2.string(), false);
  ASSERT_TRUE(b.ok());
  batch = (*b)->Poll(10, 0);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->records.size(), 2u);
  EXPECT_TRUE(batch->end);
  EXPECT_EQ(batch->records[1].position, std::to_string(std::filesystem::file_size(path2)));
}

TEST_F(StreamTest, FileSourceResumesExactlyOnceAfterRestart) {
  auto path = dir_ / "events.ndjson";
  for (int i = 0; i < 10; i++) Append(path, TailLine(i) + "\n");
  {
    auto a = NdjsonAdapter::Open(path.string(), true);
    ASSERT_TRUE(a.ok());
    StreamProcessorOptions o;
    o.collection = "TailEvents";
    o.adapter = a->get();
    o.batch_size = 4;
    auto p = StreamProcessor::Create(db_.get(), o);
    ASSERT_TRUE(p.ok());
    ASSERT_FALSE(*(*p)->Step());
    ASSERT_FALSE(*(*p)->Step());
    EXPECT_EQ(Count(), 8);
    ASSERT_FALSE(*(*p)->Step());
    EXPECT_EQ((*p)->pending(), 2u);
    // Destroying (stopping) the processor commits the pending records.
  }
  ASSERT_TRUE(Open(false).ok());
  EXPECT_EQ(Count(), 10);
  for (int i = 10; i < 12; i++) Append(path, TailLine(i) + "\n");
  auto a = NdjsonAdapter::Open(path.string(), false);
  ASSERT_TRUE(a.ok());
  StreamProcessorOptions o;
  o.collection = "TailEvents";
  o.adapter = a->get();
  o.batch_size = 4;
  auto p = StreamProcessor::Create(db_.get(), o);
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE((*p)->Drain().ok());
  EXPECT_EQ(Count(), 12);
  EXPECT_EQ(Urls().size(), 12u);
  auto off = db_->Get(kStreamOffsetsCollection, (*a)->name());
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->Find("records")->as_int(), 12);
  EXPECT_EQ(off->Find("position")->as_string(), std::to_string(std::filesystem::file_size(path)));
}

TEST_F(StreamTest, BackgroundThreadStartStop) {
  PushAdapter push("push", 4);
  StreamProcessorOptions o;
  o.collection = "TailEvents";
  o.adapter = &push;
  o.batch_size = 5;
  o.flush_interval_ms = 60 * 1000;
  auto p = StreamProcessor::Create(db_.get(), o);
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE((*p)->Start().ok());
  // 50 blocking pushes through a queue of 4: the consumer thread keeps up.
  for (int i = 0; i < 50; i++) ASSERT_TRUE(push.Push(J(TailLine(i))).ok());
  ASSERT_TRUE((*p)->Stop().ok());  // commits the pending tail
  EXPECT_EQ(Count(), 50);
  EXPECT_EQ((*p)->accepted(), 50);
}

// A child process ingests a large NDJSON file in small batches and is SIGKILLed
// mid-way; a restarted processor must end with every line exactly once.
TEST_F(StreamTest, SigkillDuringIngestionLosesNothingDuplicatesNothing) {
  constexpr int kLines = 3000;
  auto path = dir_ / "big.ndjson";
  {
    std::string text;
    for (int i = 0; i < kLines; i++) text += TailLine(i) + "\n";
    Append(path, text);
  }
  db_.reset();  // the child opens the database
  int progress[2];
  ASSERT_EQ(::pipe(progress), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(progress[0]);
    Options opt;
    opt.path = (dir_ / "db").string();
    opt.run_scheduler = false;
    auto db = OpenWithStreamOffsets(opt);
    if (!db.ok()) ::_exit(3);
    auto a = NdjsonAdapter::Open(path.string(), false);
    if (!a.ok()) ::_exit(4);
    StreamProcessorOptions o;
    o.collection = "TailEvents";
    o.adapter = a->get();
    o.batch_size = 7;
    auto p = StreamProcessor::Create(db->get(), o);
    if (!p.ok()) ::_exit(5);
    (*p)->set_on_batch([&](const BatchReport&) {
      char c = 'b';
      [[maybe_unused]] ssize_t n = ::write(progress[1], &c, 1);
    });
    Status s = (*p)->Drain();
    ::_exit(s.ok() ? 0 : 6);
  }
  ::close(progress[1]);
  // Wait for 40 committed batches, then kill at once (the child is mid-batch).
  int seen = 0;
  char buf[64];
  while (seen < 40) {
    ssize_t n = ::read(progress[0], buf, sizeof(buf));
    if (n <= 0) break;
    seen += static_cast<int>(n);
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(progress[0]);
  ASSERT_GE(seen, 40) << "child ended early, status " << status;
  ASSERT_TRUE(WIFSIGNALED(status)) << "child finished before the kill; raise kLines";

  ASSERT_TRUE(Open(false).ok());
  const int64_t after_crash = Count();
  EXPECT_GE(after_crash, 40 * 7);
  EXPECT_LT(after_crash, kLines);
  auto a = NdjsonAdapter::Open(path.string(), false);
  ASSERT_TRUE(a.ok());
  StreamProcessorOptions o;
  o.collection = "TailEvents";
  o.adapter = a->get();
  o.batch_size = 500;
  auto p = StreamProcessor::Create(db_.get(), o);
  ASSERT_TRUE(p.ok());
  // The resume position matches what was committed: every committed batch is whole.
  EXPECT_EQ(after_crash % 7, 0);
  ASSERT_TRUE((*p)->Drain().ok());
  EXPECT_EQ(Count(), kLines);
  EXPECT_EQ(Urls().size(), static_cast<size_t>(kLines));
}

}  // namespace
}  // namespace parquedb::stream
