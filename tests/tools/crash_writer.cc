// crash_writer: a real-process crash test helper (public API only).
//   crash_writer write DIR SEED   inserts/updates/deletes documents, printing the
//                                 $id of every acknowledged write, and SIGKILLs
//                                 itself after a random delay (0-400 ms).
//   crash_writer check DIR        prints the live documents as "id version" lines.
// tests/crash/kill9_test.sh compares the two.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>

#include "parquedb/db.h"

namespace {

const char* kSchema = R"J({"Item": {"n": "int!", "payload": "string?", "tags": "string[]"}})J";

int Fail(const parquedb::Status& s) {
  std::fprintf(stderr, "crash_writer: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using parquedb::Value;
  if (argc < 3) {
    std::fprintf(stderr, "usage: crash_writer write DIR SEED | check DIR\n");
    return 2;
  }
  std::string mode = argv[1];
  parquedb::Options options;
  options.path = argv[2];
  options.auto_flush_events = 64;  // flushes and compactions happen during the run
  options.auto_compact_files = 4;
  auto schema = Value::ParseJson(kSchema);
  auto db = parquedb::DB::Open(options, *schema);
  if (!db.ok()) return Fail(db.status());
  if (mode == "check") {
    auto all = (*db)->Find("Item", Value(), {});
    if (!all.ok()) return Fail(all.status());
    for (const Value& d : *all) {
      std::printf("%s %lld\n", d.Find("$id")->as_string().c_str(),
                  static_cast<long long>(d.Find("n")->as_int()));
    }
    return 0;
  }
  unsigned seed = argc > 3 ? static_cast<unsigned>(std::stoul(argv[3])) : 1;
  std::mt19937 rng(seed);
  int delay_ms = static_cast<int>(rng() % 400);
  std::thread killer([delay_ms] {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(::getpid(), SIGKILL);
  });
  killer.detach();
  // Each acknowledged write prints "<op> <id> <n>" and flushes stdout, so the
  // parent knows exactly what was acknowledged before the kill. n increases across
  // runs (seed * 1e6 + i) so a version that went back in time is a detectable bug.
  const int64_t base = static_cast<int64_t>(seed) * 1000000;
  for (int64_t i = base;; i++) {
    std::string id = "it" + std::to_string(rng() % 200);
    auto cur = (*db)->Get("Item", id);
    Value doc = Value::MakeObject();
    doc.Set("n", Value::Int(i));
    doc.Set("payload", Value::String(std::string(rng() % 300, 'x')));
    if (!cur.ok()) {
      doc.Set("$id", Value::String(id));
      auto r = (*db)->Insert("Item", doc);
      if (!r.ok()) return Fail(r.status());
      std::printf("put %s %lld\n", id.c_str(), static_cast<long long>(i));
    } else if (rng() % 4 == 0) {
      parquedb::Status s = (*db)->Delete("Item", id);
      if (!s.ok()) return Fail(s);
      std::printf("del %s %lld\n", id.c_str(), static_cast<long long>(i));
    } else {
      auto r = (*db)->Update("Item", id, doc);
      if (!r.ok()) return Fail(r.status());
      std::printf("put %s %lld\n", id.c_str(), static_cast<long long>(i));
    }
    std::fflush(stdout);
  }
}
