// Log append throughput: 100-byte records, fdatasync per batch, on the real POSIX Env.
//   BM_LogAppendSync/N        one writer, batches of N records, sync=true
//   BM_LogAppendNoSync/N      same without sync (write + flush only)
//   BM_LogAppendSyncThreads   4 writers, 1-record batches, sync=true (group commit)
// items_per_second counts records. The log lives in $TMPDIR (default /tmp).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "log/log.h"

namespace {

using parquedb::log::Log;
using parquedb::log::LogOptions;

std::string BenchDir(const char* name) {
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/pq_log_bench_" + name + "_" +
                    std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

std::unique_ptr<Log> OpenLog(const std::string& dir, benchmark::State& state) {
  auto log = Log::Open(dir, LogOptions());
  if (!log.ok()) {
    state.SkipWithError(log.status().ToString().c_str());
    return nullptr;
  }
  return std::move(*log);
}

std::vector<std::string> MakeBatch(size_t n) {
  return std::vector<std::string>(n, std::string(100, 'x'));
}

void RunSingleWriter(benchmark::State& state, bool sync, const char* name) {
  const size_t n = static_cast<size_t>(state.range(0));
  const std::string dir = BenchDir(name);
  auto log = OpenLog(dir, state);
  if (log == nullptr) return;
  const std::vector<std::string> batch = MakeBatch(n);
  for (auto _ : state) {
    auto s = log->Append(batch, sync);
    if (!s.ok()) {
      state.SkipWithError(s.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n * 100));
  log.reset();
  std::filesystem::remove_all(dir);
}

void BM_LogAppendSync(benchmark::State& state) { RunSingleWriter(state, true, "sync"); }
BENCHMARK(BM_LogAppendSync)->Arg(1)->Arg(100)->Arg(1000)->UseRealTime();

void BM_LogAppendNoSync(benchmark::State& state) { RunSingleWriter(state, false, "nosync"); }
BENCHMARK(BM_LogAppendNoSync)->Arg(1)->Arg(100)->Arg(1000)->UseRealTime();

// Shared by the threads of one run; thread 0 sets it up before the (barriered) loop.
std::unique_ptr<Log> g_shared_log;
std::string g_shared_dir;

void BM_LogAppendSyncThreads(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_shared_dir = BenchDir("threads");
    g_shared_log = OpenLog(g_shared_dir, state);
  }
  const std::vector<std::string> batch = MakeBatch(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    if (g_shared_log == nullptr) break;
    auto s = g_shared_log->Append(batch, true);
    if (!s.ok()) {
      state.SkipWithError(s.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch.size()));
  if (state.thread_index() == 0) {
    if (g_shared_log != nullptr) {
      auto stats = g_shared_log->stats();
      state.counters["batches_per_sync"] =
          stats.syncs == 0 ? 0.0
                           : static_cast<double>(stats.batches) / static_cast<double>(stats.syncs);
    }
    g_shared_log.reset();
    std::filesystem::remove_all(g_shared_dir);
  }
}
BENCHMARK(BM_LogAppendSyncThreads)->Arg(1)->Arg(100)->Threads(4)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
