#include "stream_commands.h"

#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <thread>

#include "parquedb/server.h"
#include "parquedb/stream.h"
#include "progress.h"

namespace parquedb::cli {
namespace {

// Blocks SIGINT/SIGTERM in this thread and every thread created after it, so they
// are only received by sigwait/sigtimedwait.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

void PrintRejected(const stream::IngestResult& r) {
  for (const stream::IngestError& e : r.rejected) PrintError(e.ToString());
}

}  // namespace

int RunServe(const GlobalOptions& g, const ServeArgs& a) {
  ProgressBar::Get().Enable(false);  // a long-running server: no bars between its log lines
  sigset_t stop_signals = BlockStopSignals();
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  server::ServerOptions o;
  o.host = a.host;
  o.port = a.port;
  o.token = a.token;
  if (o.token.empty()) {
    if (const char* env = std::getenv("PARQUEDB_TOKEN")) o.token = env;
  }
  o.max_body_bytes = static_cast<size_t>(a.max_body);
  auto srv = server::Server::Create(db->get(), o);
  if (!srv.ok()) return UsageError(ErrorText(srv.status()));
  Status s = (*srv)->Bind();
  if (!s.ok()) return Fail(s);
  std::string url = "http://" + (a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host) +
                    ":" + std::to_string((*srv)->port());
  PrintJson(JsonObject({{"listening", Value::String(url)},
                        {"port", Value::Int((*srv)->port())},
                        {"auth", Value::Bool(!o.token.empty())}}));
  if (!FlushOutput()) return Fail(Status::IOError("cannot write the output"));
  server::Server* server = srv->get();
  std::thread waiter([&stop_signals, server] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server->Stop();
  });
  s = server->Serve();
  // Serve returned (stopped by a signal, or failed): release the waiter if needed.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  srv->reset();
  if (!s.ok()) return Fail(s);
  Status closed = (*db)->Flush();
  if (!closed.ok()) return Fail(closed);
  return kExitOk;
}

int RunIngest(const GlobalOptions& g, const IngestArgs& a) {
  if (!a.follow) {
    auto text = ReadInputFile(a.file);
    if (!text.ok()) return Fail(text.status());
    auto db = OpenExistingDb(g);
    if (!db.ok()) return Fail(db.status());
    stream::IngestOptions o;
    o.partial = a.partial;
    auto r = stream::IngestText(db->get(), a.collection, *text, o);
    if (!r.ok()) {
      return Fail(r.status().WithContext(a.file == "-" ? "stdin" : a.file));
    }
    PrintJson(r->ToJson());
    PrintRejected(*r);
    if (!a.partial && !r->rejected.empty()) {
      PrintError("nothing was stored (" + std::to_string(r->rejected.size()) +
                 " malformed items; --partial stores the others)");
      return kExitFailure;
    }
    return kExitOk;
  }

  sigset_t stop_signals = BlockStopSignals();
  auto adapter = stream::NdjsonAdapter::Open(a.file, /*follow=*/true);
  if (!adapter.ok()) return Fail(adapter.status());
  Options options;
  options.path = g.db_path;
  auto db = stream::OpenWithStreamOffsets(options);
  if (!db.ok()) return Fail(db.status());
  stream::StreamProcessorOptions po;
  po.collection = a.collection;
  po.adapter = adapter->get();
  po.batch_size = static_cast<size_t>(a.batch_size);
  po.flush_interval_ms = a.flush_interval_ms;
  po.partial = a.partial;
  auto processor = stream::StreamProcessor::Create(db->get(), po);
  if (!processor.ok()) return Fail(processor.status());
  (*processor)->set_on_batch([](const stream::BatchReport& r) {
    Value::Array rejected;
    for (const stream::IngestError& e : r.rejected) rejected.push_back(e.ToJson());
    PrintJson(JsonObject({{"accepted", Value::Int(r.accepted)},
                          {"rejected", Value::MakeArray(std::move(rejected))},
                          {"position", Value::String(r.position)}}));
    (void)FlushOutput();
  });
  Status s = (*processor)->Start();
  if (!s.ok()) return Fail(s);
  const timespec tick = {0, 200 * 1000 * 1000};  // how often an error stop is noticed
  while ((*processor)->running()) {
    int sig = sigtimedwait(&stop_signals, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM) break;
  }
  s = (*processor)->Stop();
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

}  // namespace parquedb::cli
