#include "common/fault_injection_env.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace parquedb {
namespace {

using FaultKind = FaultInjectionEnv::FaultKind;

class FaultInjectionEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = ::testing::TempDir() + "pq_fault_env_" + info->name() + "_" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    env_.SetForwardSyncs(false);  // durability is simulated; keep the tests fast
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // Reads through the base Env (the "disk" as it is now).
  std::string Contents(const std::string& name) {
    auto r = Env::Default()->ReadFileToString(Path(name));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::string();
  }
  bool Exists(const std::string& name) { return Env::Default()->FileExists(Path(name)); }

  // Creates `name` with `data`, synced and with its directory entry synced.
  void MakeDurable(const std::string& name, const std::string& data) {
    auto f = env_.NewWritableFile(Path(name));
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append(data).ok());
    ASSERT_TRUE((*f)->Sync().ok());
    ASSERT_TRUE((*f)->Close().ok());
    ASSERT_TRUE(env_.SyncDir(dir_).ok());
  }

  std::string dir_;
  FaultInjectionEnv env_{Env::Default()};
};

TEST_F(FaultInjectionEnvTest, UnsyncedDataIsLostSyncedDataIsKept) {
  auto f = env_.NewWritableFile(Path("a"));
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(env_.SyncDir(dir_).ok());
  ASSERT_TRUE((*f)->Append("abc").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Append("def").ok());
  ASSERT_TRUE((*f)->Flush().ok());
  EXPECT_EQ(Contents("a"), "abcdef");  // visible before the crash
  EXPECT_EQ((*f)->Size(), 6u);
  ASSERT_TRUE(env_.Crash().ok());
  EXPECT_EQ(Contents("a"), "abc");
  // The handle died with the "process".
  EXPECT_TRUE((*f)->Append("x").IsIOError());
  EXPECT_TRUE((*f)->Sync().IsIOError());
  // The model continues from the durable state.
  auto g = env_.NewAppendableFile(Path("a"));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ((*g)->Size(), 3u);
  ASSERT_TRUE((*g)->Append("XY").ok());
  ASSERT_TRUE(env_.Crash().ok());
  EXPECT_EQ(Contents("a"), "abc");
}

TEST_F(FaultInjectionEnvTest, CloseAndFlushDoNotMakeDataDurable) {
  MakeDurable("a", "");
  auto f = env_.NewAppendableFile(Path("a"));
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("data").ok());
  ASSERT_TRUE((*f)->Flush().ok());
  ASSERT_TRUE((*f)->Close().ok());
  f->reset();
  ASSERT_TRUE(env_.Crash().ok());
  EXPECT_TRUE(Exists("a"));
  EXPECT_EQ(Contents("a"), "");
}

TEST_F(FaultInjectionEnvTest, NewFileNeedsSyncDir) {
  {
    auto f = env_.NewWritableFile(Path("new"));
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append("payload").ok());
    ASSERT_TRUE((*f)->Sync().ok());  // fsync of the file is not enough
  }
  ASSERT_TRUE(env_.Crash().ok());
  EXPECT_FALSE(Exists("new"));

  {
    auto f = env_.NewWritableFile(Path("new"));
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append("payload").ok());
    ASSERT_TRUE((*f)->Sync().ok());
  }
  ASSERT_TRUE(env_.SyncDir(dir_ + "/").ok());  // trailing slash is the same directory
  ASSERT_TRUE(env_.Crash().ok());
  EXPECT_EQ(Contents("new"), "payload");
}

TEST_F(FaultInjectionEnvTest, SyncDirBeforeDataSyncKeepsAnEmptyFile) {
  auto f = env_.NewWritableFile(Path("seg"));
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(env_.SyncDir(dir_).ok());
  ASSERT_TRUE((*f)->Append("unsynced").ok());
  ASSERT_TRUE(env_.Crash().ok());
  EXPECT_TRUE(Exists("seg"));
  EXPECT_EQ(Contents("seg"), "");
}

TEST_F(FaultInjectionEnvTest, RenameIsDurableOnlyAfterSyncDir) {
  MakeDurable("CURRENT", "old");
  // The atomic-replace pattern without the final directory sync.
  {
    auto f = env_.NewWritableFile(Path("CURRENT.tmp"));
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append("new").ok());
    ASSERT_TRUE((*f)->Sync().ok());
  }
  ASSERT_TRUE(env_.RenameFile(Path("CURRENT.tmp"), Path("CURRENT")).ok());
  EXPECT_EQ(Contents("CURRENT"), "new");
  ASSERT_TRUE(env_.Crash().ok());
  EXPECT_EQ(Contents("CURRENT"), "old");  // the replaced target came back
  EXPECT_FALSE(Exists("CURRENT.tmp"));    // its creation was never made durable

  // With the directory sync the rename survives.
  ASSERT_TRUE(env_.WriteFileAtomic(Path("CURRENT"), "new").ok());
  ASSERT_TRUE(env_.Crash().ok());
  EXPECT_EQ(Contents("CURRENT"), "new");
  EXPECT_FALSE(Exists("CURRENT.tmp"));
}

TEST_F(FaultInjectionEnvTest, UnsyncedRenameOfDurableFileIsUndone) {
  MakeDurable("a", "A");
  ASSERT_TRUE(env_.RenameNoReplace(Path("a"), Path("b")).ok());
  EXPECT_FALSE(env_.FileExists(Path("a")));
  ASSERT_TRUE(env_.Crash().ok());
  EXPECT_EQ(Contents("a"), "A");
  EXPECT_FALSE(Exists("b"));

  ASSERT_TRUE(env_.RenameNoReplace(Path("a"), Path("b")).ok());
  ASSERT_TRUE(env_.SyncDir(dir_).ok());
  ASSERT_TRUE(env_.Crash().ok());
  EXPECT_FALSE(Exists("a"));
  EXPECT_EQ(Contents("b"), "A");
}

TEST_F(FaultInjectionEnvTest, RenamedFileKeepsItsUnsyncedTailModel) {
  MakeDurable("a", "12");
  {
    auto f = env_.NewAppendableFile(Path("a"));
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append("34").ok());
    ASSERT_TRUE((*f)->Sync().ok());
    ASSERT_TRUE((*f)->Append("56").ok());  // never synced
  }
  ASSERT_TRUE(env_.RenameFile(Path("a"), Path("b")).ok());
  ASSERT_TRUE(env_.SyncDir(dir_).ok());
  ASSERT_TRUE(env_.Crash().ok());
  EXPECT_FALSE(Exists("a"));
  EXPECT_EQ(Contents("b"), "1234");
}

TEST_F(FaultInjectionEnvTest, RemoveIsUndoneWithoutSyncDir) {
  MakeDurable("a", "keep me");
  ASSERT_TRUE(env_.RemoveFile(Path("a")).ok());
  EXPECT_FALSE(Exists("a"));
  ASSERT_TRUE(env_.Crash().ok());
  EXPECT_EQ(Contents("a"), "keep me");

  ASSERT_TRUE(env_.RemoveFile(Path("a")).ok());
  ASSERT_TRUE(env_.SyncDir(dir_).ok());
  ASSERT_TRUE(env_.Crash().ok());
  EXPECT_FALSE(Exists("a"));
}

TEST_F(FaultInjectionEnvTest, PreExistingFilesAreTakenAsDurable) {
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(Path("old"), "base").ok());
  auto f = env_.NewAppendableFile(Path("old"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->Size(), 4u);
  ASSERT_TRUE((*f)->Append("+tail").ok());
  ASSERT_TRUE(env_.Crash().ok());
  EXPECT_EQ(Contents("old"), "base");
}

TEST_F(FaultInjectionEnvTest, TruncateIsDurableAtOnce) {
  MakeDurable("a", "0123456789");
  ASSERT_TRUE(env_.TruncateFile(Path("a"), 4).ok());
  ASSERT_TRUE(env_.Crash().ok());
  EXPECT_EQ(Contents("a"), "0123");
}

TEST_F(FaultInjectionEnvTest, TornWriteKeepsAPrefixOfTheUnsyncedTail) {
  MakeDurable("a", "abc");
  env_.SetTornWriteBytes(2);
  auto f = env_.NewAppendableFile(Path("a"));
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("defgh").ok());
  ASSERT_TRUE(env_.Crash().ok());
  EXPECT_EQ(Contents("a"), "abcde");

  env_.SetTornWriteBytes(100);  // more than the tail: everything written survives
  auto g = env_.NewAppendableFile(Path("a"));
  ASSERT_TRUE(g.ok());
  ASSERT_TRUE((*g)->Append("XY").ok());
  ASSERT_TRUE(env_.Crash().ok());
  EXPECT_EQ(Contents("a"), "abcdeXY");
}

TEST_F(FaultInjectionEnvTest, FailAfterErrorFailsExactlyOneOperation) {
  auto f = env_.NewWritableFile(Path("a"));  // op 0
  ASSERT_TRUE(f.ok());
  env_.ResetOpCount();
  env_.FailAfter(2, FaultKind::kError);
  EXPECT_TRUE((*f)->Append("1").ok());  // op 0
  EXPECT_TRUE((*f)->Append("2").ok());  // op 1
  Status s = (*f)->Append("3");         // op 2: fails, no effect
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_FALSE(env_.crashed());
  EXPECT_TRUE((*f)->Append("4").ok());
  EXPECT_TRUE((*f)->Sync().ok());
  EXPECT_EQ(env_.OpCount(), 5u);
  EXPECT_EQ(Contents("a"), "124");
}

TEST_F(FaultInjectionEnvTest, FailAfterCrashFailsEverythingUntilCrash) {
  MakeDurable("a", "x");
  env_.FailAfter(0, FaultKind::kCrash);
  EXPECT_TRUE(env_.RenameFile(Path("a"), Path("b")).IsIOError());
  EXPECT_TRUE(env_.crashed());
  EXPECT_TRUE(env_.RemoveFile(Path("a")).IsIOError());
  EXPECT_TRUE(env_.SyncDir(dir_).IsIOError());
  EXPECT_TRUE(env_.TruncateFile(Path("a"), 0).IsIOError());
  EXPECT_TRUE(env_.CreateDirs(Path("d")).IsIOError());
  EXPECT_FALSE(env_.NewWritableFile(Path("c")).ok());
  EXPECT_FALSE(env_.NewAppendableFile(Path("a")).ok());
  EXPECT_EQ(Contents("a"), "x");  // reads still work
  ASSERT_TRUE(env_.Crash().ok());
  EXPECT_FALSE(env_.crashed());
  EXPECT_TRUE(env_.RenameFile(Path("a"), Path("b")).ok());
}

// Crash WriteFileAtomic at every operation: the file is always entirely old or new.
TEST_F(FaultInjectionEnvTest, WriteFileAtomicCrashLoop) {
  MakeDurable("f", "old contents");
  env_.ResetOpCount();
  ASSERT_TRUE(env_.WriteFileAtomic(Path("probe"), "x").ok());
  const uint64_t ops = env_.OpCount();
  EXPECT_GE(ops, 5u);  // create, append, sync, rename, syncdir
  bool saw_old = false;
  bool saw_new = false;
  for (uint64_t k = 0; k <= ops; ++k) {
    for (uint64_t torn : {0, 3}) {
      MakeDurable("f", "old contents");
      env_.SetTornWriteBytes(torn);
      env_.FailAfter(k, FaultKind::kCrash);
      Status s = env_.WriteFileAtomic(Path("f"), "new contents!");
      ASSERT_TRUE(env_.Crash().ok());
      std::string got = Contents("f");
      if (s.ok()) {
        EXPECT_EQ(got, "new contents!") << k;  // acknowledged => durable
      } else {
        EXPECT_TRUE(got == "old contents" || got == "new contents!") << k << ": " << got;
      }
      saw_old |= got == "old contents";
      saw_new |= got == "new contents!";
    }
  }
  EXPECT_TRUE(saw_old);
  EXPECT_TRUE(saw_new);
}

TEST_F(FaultInjectionEnvTest, ConcurrentWritersKeepExactlyTheirSyncedBytes) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 50;
  std::vector<std::unique_ptr<WritableFile>> files;
  for (int t = 0; t < kThreads; ++t) {
    auto f = env_.NewWritableFile(Path("t" + std::to_string(t)));
    ASSERT_TRUE(f.ok());
    files.push_back(std::move(*f));
  }
  ASSERT_TRUE(env_.SyncDir(dir_).ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        ASSERT_TRUE(files[t]->Append("s").ok());
        ASSERT_TRUE(files[t]->Sync().ok());
        ASSERT_TRUE(files[t]->Append("u").ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(env_.Crash().ok());
  std::string expected;
  for (int i = 0; i < kRounds; ++i) expected += i == 0 ? "s" : "us";
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(Contents("t" + std::to_string(t)), expected);
}

}  // namespace
}  // namespace parquedb
