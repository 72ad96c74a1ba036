#include "log/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/fault_injection_env.h"
#include "log/log_format.h"
#include "log/log_reader.h"

namespace parquedb::log {
namespace {

using FaultKind = FaultInjectionEnv::FaultKind;

// ---------------------------------------------------------------------------------------
// Helpers

std::string ReadRaw(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteRaw(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

// Forwards to a base Env and counts WritableFile::Sync calls. Optionally parks the
// first Sync until Release() so a test can line writers up behind a leader.
class CountingEnv : public Env {
 public:
  explicit CountingEnv(Env* base) : base_(base) {}

  std::atomic<uint64_t> syncs{0};

  void ArmGate() {
    std::lock_guard<std::mutex> l(mu_);
    gate_armed_ = true;
  }
  void WaitUntilParked() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return parked_; });
  }
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    gate_armed_ = false;
    cv_.notify_all();
  }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p) override {
    PQ_ASSIGN_OR_RETURN(auto f, base_->NewWritableFile(p));
    return std::unique_ptr<WritableFile>(new File(this, std::move(f)));
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& p) override {
    PQ_ASSIGN_OR_RETURN(auto f, base_->NewAppendableFile(p));
    return std::unique_ptr<WritableFile>(new File(this, std::move(f)));
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& p) override {
    return base_->NewRandomAccessFile(p);
  }
  bool FileExists(const std::string& p) override { return base_->FileExists(p); }
  Result<uint64_t> GetFileSize(const std::string& p) override { return base_->GetFileSize(p); }
  Result<std::vector<std::string>> GetChildren(const std::string& d) override {
    return base_->GetChildren(d);
  }
  Status RemoveFile(const std::string& p) override { return base_->RemoveFile(p); }
  Status RenameFile(const std::string& a, const std::string& b) override {
    return base_->RenameFile(a, b);
  }
  Status RenameNoReplace(const std::string& a, const std::string& b) override {
    return base_->RenameNoReplace(a, b);
  }
  Status TruncateFile(const std::string& p, uint64_t n) override {
    return base_->TruncateFile(p, n);
  }
  Status CreateDirs(const std::string& d) override { return base_->CreateDirs(d); }
  Status RemoveDir(const std::string& d) override { return base_->RemoveDir(d); }
  Status SyncDir(const std::string& d) override { return base_->SyncDir(d); }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& p) override {
    return base_->LockFile(p);
  }

 private:
  class File : public WritableFile {
   public:
    File(CountingEnv* env, std::unique_ptr<WritableFile> base)
        : env_(env), base_(std::move(base)) {}
    Status Append(std::string_view d) override { return base_->Append(d); }
    Status Flush() override { return base_->Flush(); }
    Status Sync() override {
      env_->syncs.fetch_add(1);
      {
        std::unique_lock<std::mutex> l(env_->mu_);
        if (env_->gate_armed_) {
          env_->parked_ = true;
          env_->cv_.notify_all();
          env_->cv_.wait(l, [&] { return !env_->gate_armed_; });
        }
      }
      return base_->Sync();
    }
    Status Close() override { return base_->Close(); }
    uint64_t Size() const override { return base_->Size(); }

   private:
    CountingEnv* env_;
    std::unique_ptr<WritableFile> base_;
  };

  Env* base_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool gate_armed_ = false;
  bool parked_ = false;
};

std::string Payload(uint64_t batch, size_t i, size_t len = 0) {
  std::string p = "b" + std::to_string(batch) + "." + std::to_string(i);
  if (p.size() < len) p.append(len - p.size(), static_cast<char>('a' + batch % 26));
  return p;
}

std::vector<std::string> MakeBatch(uint64_t batch, size_t n, size_t len = 0) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(Payload(batch, i, len));
  return out;
}

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = ::testing::TempDir() + "pq_log_" + info->name() + "_" + std::to_string(::getpid());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    dir_ = root_ + "/log";
    fenv_.SetForwardSyncs(false);  // durability is simulated; no real fsyncs in tests
    options_.env = &fenv_;
    options_.clock = &clock_;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::unique_ptr<Log> OpenOrDie() { return OpenOrDie(options_); }
  std::unique_ptr<Log> OpenOrDie(const LogOptions& options) {
    auto log = Log::Open(dir_, options);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(*log) : nullptr;
  }

  std::vector<Record> ReadAll(Log* log) {
    auto r = log->ReadBatch(log->FirstSeq(), SIZE_MAX);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : std::vector<Record>{};
  }

  std::string SegPath(uint64_t first) const { return dir_ + "/" + SegmentFileName(first); }

  std::vector<std::string> SegmentFiles() {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) {
      uint64_t s;
      if (ParseSegmentFileName(e.path().filename().string(), &s)) {
        out.push_back(e.path().filename().string());
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string root_;
  std::string dir_;
  FaultInjectionEnv fenv_{Env::Default()};
  ManualClock clock_{1'700'000'000'000'000};
  LogOptions options_;
};

// Checks that `records` are exactly the batches `batches` (with first seqs
// `first_seqs`), in order.
void ExpectBatches(const std::vector<Record>& records,
                   const std::vector<std::vector<std::string>>& batches,
                   const std::vector<uint64_t>& first_seqs) {
  size_t pos = 0;
  for (size_t b = 0; b < batches.size(); ++b) {
    for (size_t i = 0; i < batches[b].size(); ++i, ++pos) {
      ASSERT_LT(pos, records.size());
      EXPECT_EQ(records[pos].seq, first_seqs[b] + i);
      EXPECT_EQ(records[pos].payload, batches[b][i]);
      EXPECT_EQ(records[pos].last_in_batch, i + 1 == batches[b].size());
    }
  }
  EXPECT_EQ(pos, records.size());
}

// ---------------------------------------------------------------------------------------
// Format

TEST(LogFormatTest, SegmentNames) {
  EXPECT_EQ(SegmentFileName(42), "0000000000000042.log");
  uint64_t s = 0;
  EXPECT_TRUE(ParseSegmentFileName("0000000000000042.log", &s));
  EXPECT_EQ(s, 42u);
  EXPECT_FALSE(ParseSegmentFileName("000000000000042.log", &s));
  EXPECT_FALSE(ParseSegmentFileName("0000000000000042.log.corrupt", &s));
  EXPECT_FALSE(ParseSegmentFileName("00000000000000x2.log", &s));
  EXPECT_FALSE(ParseSegmentFileName("LOCK", &s));
}

TEST(LogFormatTest, RecordLayout) {
  std::string buf;
  EncodeRecord(&buf, 7, 99, true, "hey");
  ASSERT_EQ(buf.size(), kHeaderSize + 3);
  EXPECT_EQ(static_cast<unsigned char>(buf[4]), 3u);             // length, little-endian
  EXPECT_EQ(static_cast<unsigned char>(buf[7]) & 0x80u, 0x80u);  // last-in-batch flag
  EXPECT_EQ(static_cast<unsigned char>(buf[8]), 7u);             // seq
  EXPECT_EQ(static_cast<unsigned char>(buf[16]), 99u);           // timestamp
  EXPECT_EQ(buf.substr(kHeaderSize), "hey");
}

// ---------------------------------------------------------------------------------------
// Basics

TEST_F(LogTest, RoundTripAndReopen) {
  std::vector<std::vector<std::string>> batches = {
      MakeBatch(0, 1), MakeBatch(1, 3), {""}, MakeBatch(3, 2, 1000)};
  std::vector<uint64_t> seqs;
  {
    auto log = OpenOrDie();
    EXPECT_EQ(log->FirstSeq(), 1u);
    EXPECT_EQ(log->LastSeq(), 0u);
    for (size_t b = 0; b < batches.size(); ++b) {
      clock_.AdvanceMicros(10);
      auto seq = log->Append(batches[b], b % 2 == 0);
      ASSERT_TRUE(seq.ok()) << seq.status().ToString();
      seqs.push_back(*seq);
    }
    EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 2, 5, 6}));
    EXPECT_EQ(log->LastSeq(), 7u);
    auto records = ReadAll(log.get());
    ExpectBatches(records, batches, seqs);
    EXPECT_EQ(records[0].timestamp_micros, 1'700'000'000'000'010);
    EXPECT_EQ(records[6].timestamp_micros, 1'700'000'000'000'040);
    ASSERT_TRUE(log->Sync().ok());
    EXPECT_EQ(log->LastDurableSeq(), 7u);
  }
  auto log = OpenOrDie();
  EXPECT_EQ(log->recovery_info().records, 7u);
  EXPECT_EQ(log->recovery_info().batches, 4u);
  EXPECT_EQ(log->recovery_info().tail_bytes_dropped, 0u);
  EXPECT_EQ(log->LastSeq(), 7u);
  EXPECT_EQ(log->LastDurableSeq(), 7u);
  ExpectBatches(ReadAll(log.get()), batches, seqs);
  auto next = log->Append({"x"}, true);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, 8u);
}

TEST_F(LogTest, RejectsBadInputAndClosedLog) {
  auto log = OpenOrDie();
  EXPECT_TRUE(log->Append({}, true).status().IsInvalidArgument());
  EXPECT_TRUE(log->ReadBatch(0, 10).status().IsInvalidArgument());
  EXPECT_TRUE(log->ReadBatch(1, 10)->empty());
  EXPECT_TRUE(Log::Open(dir_, options_).status().IsBusy());
  ASSERT_TRUE(log->Append({"a"}, false).ok());
  ASSERT_TRUE(log->Close().ok());
  EXPECT_EQ(log->LastDurableSeq(), 1u);  // Close syncs
  EXPECT_EQ(log->Append({"b"}, true).status().code(), Status::Code::kAborted);
  EXPECT_EQ(log->ReadBatch(1, 10)->size(), 1u);  // reads still work
  EXPECT_TRUE(log->Close().ok());
}

TEST_F(LogTest, TimestampsNeverGoBackwards) {
  auto log = OpenOrDie();
  ASSERT_TRUE(log->Append({"a"}, false).ok());
  clock_.AdvanceMicros(-1'000'000);
  ASSERT_TRUE(log->Append({"b"}, false).ok());
  auto r = ReadAll(log.get());
  ASSERT_EQ(r.size(), 2u);
  EXPECT_GE(r[1].timestamp_micros, r[0].timestamp_micros);
}

TEST_F(LogTest, ReadReturnsWholeBatches) {
  auto log = OpenOrDie();
  ASSERT_TRUE(log->Append(MakeBatch(0, 3), false).ok());  // 1..3
  ASSERT_TRUE(log->Append(MakeBatch(1, 1), false).ok());  // 4
  ASSERT_TRUE(log->Append(MakeBatch(2, 4), false).ok());  // 5..8
  auto seqs = [&](uint64_t from, size_t max) {
    std::vector<uint64_t> out;
    auto r = log->ReadBatch(from, max);
    EXPECT_TRUE(r.ok());
    for (const Record& rec : *r) out.push_back(rec.seq);
    return out;
  };
  EXPECT_EQ(seqs(1, 1), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(seqs(1, 3), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(seqs(1, 4), (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(seqs(2, 1), (std::vector<uint64_t>{2, 3}));  // rest of a batch
  EXPECT_EQ(seqs(4, 2), (std::vector<uint64_t>{4, 5, 6, 7, 8}));
  EXPECT_EQ(seqs(9, 2), std::vector<uint64_t>{});

  LogCursor cursor;  // repeated reads continue where they stopped
  std::vector<uint64_t> all;
  while (true) {
    auto r = log->Read(&cursor, 1);
    ASSERT_TRUE(r.ok());
    if (r->empty()) break;
    EXPECT_TRUE(r->back().last_in_batch);
    for (const Record& rec : *r) all.push_back(rec.seq);
  }
  EXPECT_EQ(all, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(cursor.next_seq, 9u);
}

// ---------------------------------------------------------------------------------------
// Segments, seeking, retention

TEST_F(LogTest, SegmentsRollAtTheConfiguredSize) {
  options_.segment_size = 400;
  std::vector<std::vector<std::string>> batches;
  std::vector<uint64_t> seqs;
  {
    auto log = OpenOrDie();
    for (uint64_t b = 0; b < 40; ++b) {
      batches.push_back(MakeBatch(b, 1 + b % 3, 40));
      auto s = log->Append(batches.back(), b % 4 == 0);
      ASSERT_TRUE(s.ok());
      seqs.push_back(*s);
    }
    // A batch larger than a segment gets a segment of its own.
    batches.push_back(MakeBatch(40, 3, 300));
    auto s = log->Append(batches.back(), true);
    ASSERT_TRUE(s.ok());
    seqs.push_back(*s);
    batches.push_back(MakeBatch(41, 1));
    s = log->Append(batches.back(), true);
    ASSERT_TRUE(s.ok());
    seqs.push_back(*s);

    auto firsts = log->SegmentFirstSeqs();
    EXPECT_GT(firsts.size(), 5u);
    EXPECT_EQ(firsts.front(), 1u);
    EXPECT_NE(std::find(firsts.begin(), firsts.end(), seqs[40]), firsts.end());
    EXPECT_NE(std::find(firsts.begin(), firsts.end(), seqs[41]), firsts.end());
    // Every segment starts with a batch and stays under the limit unless it holds one
    // oversized batch.
    for (uint64_t f : firsts) {
      EXPECT_NE(std::find(seqs.begin(), seqs.end(), f), seqs.end()) << f;
      auto size = std::filesystem::file_size(SegPath(f));
      if (f != seqs[40]) {
        EXPECT_LE(size, 400u) << f;
      }
    }
    ExpectBatches(ReadAll(log.get()), batches, seqs);
    EXPECT_GE(log->stats().syncs, firsts.size() - 1);  // every roll syncs
  }
  auto log = OpenOrDie();
  EXPECT_EQ(log->recovery_info().tail_bytes_dropped, 0u);
  EXPECT_EQ(log->recovery_info().segments, SegmentFiles().size());
  ExpectBatches(ReadAll(log.get()), batches, seqs);
}

TEST_F(LogTest, SeekToEverySequenceNumber) {
  options_.segment_size = 300 << 10;  // several segments, each with index entries
  uint64_t total = 0;
  {
    auto log = OpenOrDie();
    for (uint64_t b = 0; b < 2000; ++b) {
      auto s = log->Append(MakeBatch(b, 1 + b % 5, 100), false);
      ASSERT_TRUE(s.ok());
      total = *s + b % 5;
    }
    EXPECT_GE(log->SegmentFirstSeqs().size(), 3u);
  }
  for (bool reopened : {false, true}) {
    auto log = OpenOrDie();
    if (!reopened) {
      ASSERT_TRUE(log->Append({"tail"}, false).ok());
    }
    const uint64_t last = log->LastSeq();
    LogReader reader(log.get());
    for (uint64_t seq = 1; seq <= last; seq += 7) {
      ASSERT_TRUE(reader.Seek(seq).ok());
      EXPECT_EQ(reader.next_seq(), seq);
      Record rec;
      for (uint64_t want = seq; want < seq + 3 && want <= last; ++want) {
        auto more = reader.Next(&rec);
        ASSERT_TRUE(more.ok() && *more) << seq;
        ASSERT_EQ(rec.seq, want);
      }
    }
    // Full scan from a seek point.
    ASSERT_TRUE(reader.Seek(last - 500).ok());
    Record rec;
    uint64_t expect = last - 500;
    while (true) {
      auto more = reader.Next(&rec);
      ASSERT_TRUE(more.ok());
      if (!*more) break;
      ASSERT_EQ(rec.seq, expect++);
    }
    EXPECT_EQ(expect, last + 1);
    // At the end: nothing, then new records show up.
    auto more = reader.Next(&rec);
    ASSERT_TRUE(more.ok());
    EXPECT_FALSE(*more);
    auto s = log->Append({"more"}, false);
    ASSERT_TRUE(s.ok());
    more = reader.Next(&rec);
    ASSERT_TRUE(more.ok() && *more);
    EXPECT_EQ(rec.seq, *s);
    EXPECT_EQ(rec.payload, "more");
    // Seeking past the end is allowed.
    ASSERT_TRUE(reader.Seek(last + 100).ok());
    more = reader.Next(&rec);
    ASSERT_TRUE(more.ok());
    EXPECT_FALSE(*more);
    EXPECT_TRUE(reader.Seek(0).IsInvalidArgument());
  }
  (void)total;
}

TEST_F(LogTest, DropSegmentsBeforeKeepsSequenceAndActiveSegment) {
  options_.segment_size = 200;
  std::vector<uint64_t> firsts;
  uint64_t last = 0;
  {
    auto log = OpenOrDie();
    for (uint64_t b = 0; b < 30; ++b) {
      auto s = log->Append(MakeBatch(b, 2, 30), true);
      ASSERT_TRUE(s.ok());
      last = *s + 1;
    }
    firsts = log->SegmentFirstSeqs();
    ASSERT_GE(firsts.size(), 4u);
    // Drop below the middle of the third segment: the first two go.
    const uint64_t cut = firsts[2] + 1;
    ASSERT_TRUE(log->DropSegmentsBefore(cut).ok());
    EXPECT_EQ(log->FirstSeq(), firsts[2]);
    EXPECT_EQ(SegmentFiles().size(), firsts.size() - 2);
    EXPECT_TRUE(log->ReadBatch(firsts[2] - 1, 1).status().IsNotFound());
    LogReader reader(log.get());
    EXPECT_TRUE(reader.Seek(1).IsNotFound());
    auto r = log->ReadBatch(firsts[2], SIZE_MAX);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->front().seq, firsts[2]);
    EXPECT_EQ(r->back().seq, last);
    ASSERT_TRUE(log->DropSegmentsBefore(cut).ok());  // idempotent
  }
  {
    auto log = OpenOrDie();
    EXPECT_EQ(log->FirstSeq(), firsts[2]);
    EXPECT_EQ(log->LastSeq(), last);
    // Dropping "everything" keeps the active segment.
    ASSERT_TRUE(log->DropSegmentsBefore(UINT64_MAX).ok());
    EXPECT_EQ(SegmentFiles().size(), 1u);
    EXPECT_EQ(log->LastSeq(), last);
    // An oversized batch rolls to a new segment; then drop everything before it.
    ASSERT_TRUE(log->Append(MakeBatch(99, 1, 300), true).ok());
    ++last;
    ASSERT_TRUE(log->DropSegmentsBefore(UINT64_MAX).ok());
    EXPECT_EQ(log->FirstSeq(), last);
  }
  auto log = OpenOrDie();
  EXPECT_EQ(log->LastSeq(), last);
  auto s = log->Append({"after"}, true);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, last + 1);  // never reused, even with all old segments gone
}

// ---------------------------------------------------------------------------------------
// Concurrency and group commit

TEST_F(LogTest, ConcurrentAppendersProduceAGapFreeSequence) {
  options_.segment_size = 16 << 10;
  options_.clock = nullptr;  // the subscriber waits with short real-time deadlines
  auto log = OpenOrDie();
  constexpr int kThreads = 6;
  constexpr int kBatches = 150;
  std::mutex mu;
  std::map<uint64_t, std::vector<std::string>> by_seq;  // first seq -> batch
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int b = 0; b < kBatches; ++b) {
        auto batch = MakeBatch(t * 1000 + b, 1 + rng() % 4, rng() % 80);
        auto s = log->Append(batch, rng() % 2 == 0);
        ASSERT_TRUE(s.ok()) << s.status().ToString();
        std::lock_guard<std::mutex> l(mu);
        ASSERT_TRUE(by_seq.emplace(*s, std::move(batch)).second);
      }
    });
  }
  // A concurrent subscriber sees exactly the committed batches, in order.
  std::atomic<bool> producers_done{false};
  std::vector<Record> streamed;
  std::thread consumer([&] {
    auto sub = log->Subscribe(1);
    while (true) {
      const bool done = producers_done.load();
      auto r = sub->Poll(50, Clock::Default()->NowMicros() + 5'000);
      ASSERT_TRUE(r.ok());
      if (!r->empty()) {
        ASSERT_TRUE(r->back().last_in_batch);
      }
      for (Record& rec : *r) streamed.push_back(std::move(rec));
      if (done && sub->next_seq() > log->LastSeq()) break;
    }
  });
  for (auto& th : threads) th.join();
  producers_done = true;
  consumer.join();

  uint64_t expect = 1;
  std::vector<std::vector<std::string>> batches;
  std::vector<uint64_t> seqs;
  for (auto& [seq, batch] : by_seq) {
    ASSERT_EQ(seq, expect);
    expect += batch.size();
    seqs.push_back(seq);
    batches.push_back(batch);
  }
  EXPECT_EQ(log->LastSeq(), expect - 1);
  ExpectBatches(ReadAll(log.get()), batches, seqs);
  ExpectBatches(streamed, batches, seqs);
  log.reset();
  auto reopened = OpenOrDie();
  ExpectBatches(ReadAll(reopened.get()), batches, seqs);
}

TEST_F(LogTest, GroupCommitMergesQueuedWritersIntoOneSync) {
  CountingEnv counting(&fenv_);
  options_.env = &counting;
  auto log = OpenOrDie();
  ASSERT_TRUE(log->Append({"warmup"}, true).ok());

  const uint64_t syncs_before = counting.syncs.load();
  const uint64_t groups_before = log->stats().groups;
  counting.ArmGate();
  std::thread leader([&] { ASSERT_TRUE(log->Append({"leader"}, true).ok()); });
  counting.WaitUntilParked();  // the leader is inside fdatasync
  constexpr int kFollowers = 7;
  std::vector<std::thread> followers;
  std::vector<uint64_t> seqs(kFollowers);
  for (int i = 0; i < kFollowers; ++i) {
    followers.emplace_back([&, i] {
      auto s = log->Append(MakeBatch(i, 2), true);
      ASSERT_TRUE(s.ok());
      seqs[i] = *s;
    });
  }
  while (log->QueuedWriters() < kFollowers + 1) std::this_thread::yield();
  EXPECT_EQ(log->LastSeq(), 1u);  // nothing visible before its sync completes
  counting.Release();
  leader.join();
  for (auto& th : followers) th.join();

  // One sync for the leader, one for all seven followers.
  EXPECT_EQ(counting.syncs.load() - syncs_before, 2u);
  EXPECT_EQ(log->stats().groups - groups_before, 2u);
  EXPECT_EQ(log->LastSeq(), 2u + 2 * kFollowers);
  EXPECT_EQ(log->LastDurableSeq(), log->LastSeq());
  std::sort(seqs.begin(), seqs.end());
  for (int i = 0; i < kFollowers; ++i) EXPECT_EQ(seqs[i], 3u + 2 * i);

  // An explicit Sync with nothing new to sync is free.
  const uint64_t before = counting.syncs.load();
  ASSERT_TRUE(log->Sync().ok());
  EXPECT_EQ(counting.syncs.load(), before);
  ASSERT_TRUE(log->Append({"nosync"}, false).ok());
  EXPECT_EQ(log->LastDurableSeq(), log->LastSeq() - 1);
  ASSERT_TRUE(log->Sync().ok());
  EXPECT_EQ(counting.syncs.load(), before + 1);
  EXPECT_EQ(log->LastDurableSeq(), log->LastSeq());
}

TEST_F(LogTest, WaitForSeqUsesTheInjectedClock) {
  auto log = OpenOrDie();
  const int64_t now = clock_.NowMicros();
  EXPECT_FALSE(log->WaitForSeq(1, now));  // deadline already reached
  EXPECT_TRUE(log->WaitForSeq(0, now));   // already there

  // Times out only when the manual clock passes the deadline.
  std::atomic<bool> timed_out{false};
  std::thread waiter([&] { timed_out = !log->WaitForSeq(1, now + 5'000); });
  clock_.AdvanceMicros(6'000);
  waiter.join();
  EXPECT_TRUE(timed_out.load());

  // Wakes up when the record is committed.
  std::atomic<bool> reached{false};
  std::thread waiter2([&] { reached = log->WaitForSeq(2, INT64_MAX); });
  ASSERT_TRUE(log->Append({"a", "b"}, true).ok());
  waiter2.join();
  EXPECT_TRUE(reached.load());

  // Subscription: returns the batch, then times out empty.
  auto sub = log->Subscribe(1);
  auto r = sub->Poll(10, clock_.NowMicros());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(sub->next_seq(), 3u);
  r = sub->Poll(10, clock_.NowMicros());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());

  // Close wakes waiters.
  std::atomic<bool> closed_wait{true};
  std::thread waiter3([&] { closed_wait = log->WaitForSeq(100, INT64_MAX); });
  ASSERT_TRUE(log->Close().ok());
  waiter3.join();
  EXPECT_FALSE(closed_wait.load());
}

TEST_F(LogTest, WriteErrorsAreSticky) {
  auto log = OpenOrDie();
  ASSERT_TRUE(log->Append({"ok"}, true).ok());
  fenv_.FailAfter(0, FaultKind::kError);  // the next Append's write fails once
  auto s = log->Append({"fails"}, true);
  EXPECT_TRUE(s.status().IsIOError()) << s.status().ToString();
  auto s2 = log->Append({"also fails"}, true);
  EXPECT_TRUE(s2.status().IsIOError());
  EXPECT_TRUE(log->Sync().IsIOError());
  EXPECT_EQ(log->LastSeq(), 1u);
  log.reset();
  log = OpenOrDie();
  EXPECT_EQ(log->LastSeq(), 1u);
  auto s3 = log->Append({"again"}, true);
  ASSERT_TRUE(s3.ok());
  EXPECT_EQ(*s3, 2u);
}

// ---------------------------------------------------------------------------------------
// Recovery from torn tails and corruption

// Writes batches and returns, for the last segment, the byte offset where each whole
// batch ends (and the cumulative record count at that point).
struct Layout {
  std::vector<std::vector<std::string>> batches;
  std::vector<uint64_t> seqs;
  std::string last_segment;  // file name
  uint64_t last_first_seq = 0;
  std::vector<std::pair<uint64_t, size_t>> ends;  // (offset in last segment, batches so far)
};

TEST_F(LogTest, TornTailAtEveryOffsetOfTheLastSegment) {
  options_.segment_size = 600;
  Layout lay;
  {
    auto log = OpenOrDie();
    for (uint64_t b = 0; b < 14; ++b) {
      lay.batches.push_back(MakeBatch(b, 1 + b % 3, 20 + b * 3));
      auto s = log->Append(lay.batches.back(), true);
      ASSERT_TRUE(s.ok());
      lay.seqs.push_back(*s);
    }
    auto firsts = log->SegmentFirstSeqs();
    ASSERT_GE(firsts.size(), 2u);
    lay.last_first_seq = firsts.back();
  }
  lay.last_segment = SegmentFileName(lay.last_first_seq);
  const std::string path = dir_ + "/" + lay.last_segment;
  const std::string full = ReadRaw(path);
  // Batch end offsets within the last segment.
  uint64_t off = 0;
  size_t batches_before_last = 0;
  for (size_t b = 0; b < lay.batches.size(); ++b) {
    if (lay.seqs[b] < lay.last_first_seq) {
      ++batches_before_last;
      continue;
    }
    if (lay.ends.empty()) lay.ends.emplace_back(0, batches_before_last);
    for (const auto& p : lay.batches[b]) off += kHeaderSize + p.size();
    lay.ends.emplace_back(off, b + 1);
  }
  ASSERT_EQ(off, full.size());
  const auto original_files = SegmentFiles();

  for (int garbage = 0; garbage < 2; ++garbage) {
    for (uint64_t t = 0; t <= full.size(); ++t) {
      // Reset the directory: original segments, last one cut at t (or its bytes from
      // t on replaced by zeros, like unwritten blocks after a crash).
      for (const auto& f : SegmentFiles()) {
        if (std::find(original_files.begin(), original_files.end(), f) == original_files.end()) {
          std::filesystem::remove(dir_ + "/" + f);
        }
      }
      std::string content = full.substr(0, t);
      if (garbage) content.append(full.size() - t, '\0');
      WriteRaw(path, content);

      // Expected: every batch ending at or before t.
      auto it = std::upper_bound(lay.ends.begin(), lay.ends.end(), std::make_pair(t, SIZE_MAX));
      ASSERT_NE(it, lay.ends.begin());
      const auto [valid_end, nbatches] = *std::prev(it);
      std::vector<std::vector<std::string>> want(lay.batches.begin(),
                                                 lay.batches.begin() + nbatches);
      std::vector<uint64_t> want_seqs(lay.seqs.begin(), lay.seqs.begin() + nbatches);
      const uint64_t want_last = nbatches == 0 ? 0 : want_seqs.back() + want.back().size() - 1;

      auto log = OpenOrDie();
      ASSERT_NE(log, nullptr) << "t=" << t;
      EXPECT_EQ(log->recovery_info().tail_bytes_dropped, content.size() - valid_end) << "t=" << t;
      EXPECT_EQ(log->recovery_info().tail_valid_records_dropped, 0u) << "t=" << t;
      EXPECT_EQ(std::filesystem::file_size(path), valid_end) << "t=" << t;
      EXPECT_EQ(log->LastSeq(), want_last) << "t=" << t;
      ExpectBatches(ReadAll(log.get()), want, want_seqs);
      // The sequence continues right after the last valid record.
      auto s = log->Append({"next"}, true);
      ASSERT_TRUE(s.ok());
      EXPECT_EQ(*s, want_last + 1) << "t=" << t;
      log.reset();
      log = OpenOrDie();
      EXPECT_EQ(log->LastSeq(), want_last + 1);
      EXPECT_EQ(log->recovery_info().tail_bytes_dropped, 0u);
    }
  }
}

TEST_F(LogTest, BitFlipInANonLastSegmentIsCorruption) {
  options_.segment_size = 300;
  std::vector<std::vector<std::string>> batches;
  std::vector<uint64_t> seqs;
  std::vector<uint64_t> firsts;
  {
    auto log = OpenOrDie();
    for (uint64_t b = 0; b < 20; ++b) {
      batches.push_back(MakeBatch(b, 2, 30));
      auto s = log->Append(batches.back(), true);
      ASSERT_TRUE(s.ok());
      seqs.push_back(*s);
    }
    firsts = log->SegmentFirstSeqs();
    ASSERT_GE(firsts.size(), 4u);
  }
  // Flip one bit in the middle of the second segment.
  const std::string victim = SegPath(firsts[1]);
  const std::string original = ReadRaw(victim);
  for (size_t pos : {original.size() / 2, size_t{0}, size_t{5}, size_t{10}, size_t{20}}) {
    std::string bad = original;
    bad[pos] ^= 0x10;
    WriteRaw(victim, bad);
    auto r = Log::Open(dir_, options_);
    EXPECT_TRUE(r.status().IsCorruption()) << pos << ": " << r.status().ToString();
  }
  // A missing middle segment is a gap: Corruption too.
  WriteRaw(victim, original);
  std::filesystem::rename(SegPath(firsts[2]), root_ + "/moved");
  EXPECT_TRUE(Log::Open(dir_, options_).status().IsCorruption());
  std::filesystem::rename(root_ + "/moved", SegPath(firsts[2]));
  // A garbage length field is capped, not trusted.
  {
    std::string bad = original;
    bad[4] = bad[5] = bad[6] = '\xff';
    bad[7] = '\x3f';
    WriteRaw(victim, bad);
    EXPECT_TRUE(Log::Open(dir_, options_).status().IsCorruption());
  }

  // paranoid=false: the log ends at the last whole batch before the damage.
  std::string bad = original;
  bad[original.size() / 2] ^= 0x10;
  WriteRaw(victim, bad);
  options_.paranoid = false;
  auto log = OpenOrDie();
  ASSERT_NE(log, nullptr);
  const auto& info = log->recovery_info();
  EXPECT_EQ(info.segments_dropped, firsts.size() - 2);
  EXPECT_GT(info.tail_bytes_dropped, 0u);
  EXPECT_TRUE(std::filesystem::exists(SegPath(firsts[2]) + ".corrupt"));
  auto records = ReadAll(log.get());
  ASSERT_FALSE(records.empty());
  EXPECT_TRUE(records.back().last_in_batch);
  EXPECT_GE(records.back().seq, firsts[1] - 1);
  EXPECT_LT(records.back().seq, firsts[2] - 1);
  for (size_t i = 0; i < records.size(); ++i) EXPECT_EQ(records[i].seq, i + 1);
  auto s = log->Append({"resume"}, true);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, records.back().seq + 1);
}

TEST_F(LogTest, BitFlipInTheLastSegmentIsReportedWhenItIsCut) {
  {
    auto log = OpenOrDie();
    for (uint64_t b = 0; b < 10; ++b) ASSERT_TRUE(log->Append(MakeBatch(b, 1, 50), true).ok());
  }
  const std::string path = SegPath(1);
  std::string data = ReadRaw(path);
  data[data.size() / 2] ^= 1;
  WriteRaw(path, data);
  auto log = OpenOrDie();
  const auto& info = log->recovery_info();
  EXPECT_GT(info.tail_bytes_dropped, 0u);
  EXPECT_FALSE(info.tail_reason.empty());
  EXPECT_GE(info.tail_valid_records_dropped, 4u);  // real data followed the damage
  EXPECT_LT(log->LastSeq(), 10u);
}

TEST_F(LogTest, ValidChecksumWithWrongSequenceIsCorruptionEvenInTheTail) {
  {
    auto log = OpenOrDie();
    ASSERT_TRUE(log->Append({"one"}, true).ok());
  }
  std::string rec;
  EncodeRecord(&rec, 5, 0, true, "stray");  // seq 2 expected
  std::string data = ReadRaw(SegPath(1)) + rec;
  WriteRaw(SegPath(1), data);
  EXPECT_TRUE(Log::Open(dir_, options_).status().IsCorruption());
}

// ---------------------------------------------------------------------------------------
// Crash loop

// The workload: single-threaded batches (some unsynced), a retention drop midway,
// small segments so rolls happen. Returns the attempted batches in seq order and the
// index of the last batch acknowledged durable (-1 if none).
struct WorkloadResult {
  std::vector<std::vector<std::string>> attempted;  // in order; the last may have failed
  std::vector<uint64_t> attempted_seqs;
  std::vector<bool> acked_durable;
};

WorkloadResult RunWorkload(const std::string& dir, const LogOptions& options) {
  WorkloadResult w;
  auto opened = Log::Open(dir, options);
  if (!opened.ok()) return w;
  std::unique_ptr<Log> log = std::move(*opened);
  uint64_t next = log->LastSeq() + 1;
  for (uint64_t b = 0; b < 16; ++b) {
    const bool sync = b % 5 != 3;
    std::vector<std::string> batch = MakeBatch(b, 1 + b % 3, 25);
    w.attempted.push_back(batch);
    w.attempted_seqs.push_back(next);
    w.acked_durable.push_back(false);
    auto s = log->Append(std::move(batch), sync);
    if (!s.ok()) break;
    EXPECT_EQ(*s, next);
    next += w.attempted.back().size();
    w.acked_durable.back() = sync;
    if (b == 9) {
      if (!log->DropSegmentsBefore(*s).ok()) break;
    }
  }
  (void)log->Close();  // may sync the unsynced tail; failures are fine
  return w;
}

// After recovery: the records are a prefix (at a batch boundary) of the attempted
// batches, starting at FirstSeq(); everything acknowledged durable is there.
void VerifyRecovered(Log* log, const WorkloadResult& w, const std::string& context) {
  auto r = log->ReadBatch(log->FirstSeq(), SIZE_MAX);
  ASSERT_TRUE(r.ok()) << context << ": " << r.status().ToString();
  std::map<uint64_t, std::pair<std::string, bool>> expected;  // seq -> payload, last
  for (size_t b = 0; b < w.attempted.size(); ++b) {
    for (size_t i = 0; i < w.attempted[b].size(); ++i) {
      expected[w.attempted_seqs[b] + i] = {w.attempted[b][i], i + 1 == w.attempted[b].size()};
    }
  }
  uint64_t seq = log->FirstSeq();
  for (const Record& rec : *r) {
    ASSERT_EQ(rec.seq, seq++) << context;
    auto it = expected.find(rec.seq);
    ASSERT_NE(it, expected.end()) << context << ": unexpected seq " << rec.seq;
    EXPECT_EQ(rec.payload, it->second.first) << context;
    EXPECT_EQ(rec.last_in_batch, it->second.second) << context;
  }
  if (!r->empty()) {
    EXPECT_TRUE(r->back().last_in_batch) << context << ": partial batch visible";
  }
  EXPECT_EQ(log->LastSeq(), seq - 1) << context;
  for (size_t b = 0; b < w.attempted.size(); ++b) {
    if (!w.acked_durable[b]) continue;
    const uint64_t last = w.attempted_seqs[b] + w.attempted[b].size() - 1;
    EXPECT_GE(log->LastSeq(), last) << context << ": acknowledged batch " << b << " lost";
  }
}

TEST_F(LogTest, CrashAtEveryMutatingOperation) {
  options_.segment_size = 250;
  // Dry run to count the operations of the workload.
  fenv_.ResetOpCount();
  {
    WorkloadResult w = RunWorkload(dir_, options_);
    ASSERT_EQ(w.attempted.size(), 16u);
  }
  const uint64_t ops = fenv_.OpCount();
  ASSERT_GT(ops, 40u);

  enum Mode { kCrashThenPowerLoss, kErrorThenPowerLoss, kErrorThenProcessRestart };
  uint64_t iterations = 0;
  for (uint64_t k = 0; k <= ops; ++k) {
    for (Mode mode : {kCrashThenPowerLoss, kErrorThenPowerLoss, kErrorThenProcessRestart}) {
      for (uint64_t torn : {0, 10, 1000}) {
        if (mode == kErrorThenProcessRestart && torn != 0) continue;
        const std::string context = "k=" + std::to_string(k) + " mode=" + std::to_string(mode) +
                                    " torn=" + std::to_string(torn);
        std::filesystem::remove_all(dir_);
        FaultInjectionEnv env(Env::Default());
        env.SetForwardSyncs(false);
        env.SetTornWriteBytes(torn);
        LogOptions opts = options_;
        opts.env = &env;
        env.FailAfter(k, mode == kCrashThenPowerLoss ? FaultKind::kCrash : FaultKind::kError);
        WorkloadResult w = RunWorkload(dir_, opts);
        if (mode != kErrorThenProcessRestart) {
          ASSERT_TRUE(env.Crash().ok()) << context;
        }
        env.ClearFaults();
        auto log = Log::Open(dir_, opts);
        ASSERT_TRUE(log.ok()) << context << ": " << log.status().ToString();
        VerifyRecovered(log->get(), w, context);
        if (HasFatalFailure() || HasFailure()) return;
        // The sequence continues after the last valid record, durably.
        const uint64_t last = (*log)->LastSeq();
        auto s = (*log)->Append({"post-crash"}, true);
        ASSERT_TRUE(s.ok()) << context;
        EXPECT_EQ(*s, last + 1) << context;
        log->reset();
        ASSERT_TRUE(env.Crash().ok());
        auto again = Log::Open(dir_, opts);
        ASSERT_TRUE(again.ok()) << context << ": " << again.status().ToString();
        EXPECT_EQ((*again)->LastSeq(), last + 1) << context;
        ++iterations;
      }
    }
  }
  EXPECT_GT(iterations, 3 * ops);
}

TEST_F(LogTest, CrashWithConcurrentWriters) {
  options_.segment_size = 2000;
  constexpr int kThreads = 4;
  constexpr int kBatches = 25;
  for (uint64_t k = 5; k < 400; k += 13) {
    const std::string context = "k=" + std::to_string(k);
    std::filesystem::remove_all(dir_);
    FaultInjectionEnv env(Env::Default());
    env.SetForwardSyncs(false);
    env.SetTornWriteBytes(k % 3 == 0 ? 17 : 0);
    LogOptions opts = options_;
    opts.env = &env;
    std::mutex mu;
    std::vector<std::pair<uint64_t, std::vector<std::string>>> acked;  // durable ones
    {
      auto log = Log::Open(dir_, opts);
      ASSERT_TRUE(log.ok());
      env.FailAfter(k, FaultKind::kCrash);
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
          for (int b = 0; b < kBatches; ++b) {
            auto batch = MakeBatch(t * 100 + b, 1 + (t + b) % 3, 15);
            auto s = (*log)->Append(batch, true);
            if (!s.ok()) return;
            std::lock_guard<std::mutex> l(mu);
            acked.emplace_back(*s, std::move(batch));
          }
        });
      }
      for (auto& th : threads) th.join();
    }
    ASSERT_TRUE(env.Crash().ok());
    auto log = Log::Open(dir_, opts);
    ASSERT_TRUE(log.ok()) << context << ": " << log.status().ToString();
    auto r = (*log)->ReadBatch(1, SIZE_MAX);
    ASSERT_TRUE(r.ok());
    // Every acknowledged batch is present, intact.
    for (const auto& [seq, batch] : acked) {
      ASSERT_LE(seq + batch.size() - 1, r->size()) << context;
      for (size_t i = 0; i < batch.size(); ++i) {
        const Record& rec = (*r)[seq - 1 + i];
        EXPECT_EQ(rec.payload, batch[i]) << context;
        EXPECT_EQ(rec.last_in_batch, i + 1 == batch.size()) << context;
      }
    }
    // Everything recovered is whole batches: "b<id>.<i>" with i running 0..n-1.
    size_t expect_index = 0;
    for (size_t i = 0; i < r->size(); ++i) {
      const Record& rec = (*r)[i];
      EXPECT_EQ(rec.seq, i + 1);
      const std::string suffix = "." + std::to_string(expect_index);
      EXPECT_NE(rec.payload.find(suffix), std::string::npos) << context;
      expect_index = rec.last_in_batch ? 0 : expect_index + 1;
    }
    EXPECT_EQ(expect_index, 0u) << context << ": partial batch visible";
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace parquedb::log
