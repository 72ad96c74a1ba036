// libFuzzer target: table-format metadata parsing. The first byte picks the
// format; the rest is written as an Iceberg v1.metadata.json or a Delta
// _delta_log/00000000000000000000.json commit in a scratch directory, then the
// table is opened read-only and its history and current version are read. Must
// never crash; errors are statuses.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "lake/lake_table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace parquedb;
  if (size < 1) return 0;
  static const std::string root = [] {
    char tmpl[] = "/tmp/lake_metadata_fuzz.XXXXXX";
    const char* d = mkdtemp(tmpl);
    if (d == nullptr) std::abort();
    return std::string(d);
  }();
  Env* env = Env::Default();
  bool iceberg = (data[0] & 1) == 0;
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string dir = root + (iceberg ? "/iceberg" : "/delta");
  std::string file = iceberg ? dir + "/metadata/v1.metadata.json"
                             : dir + "/_delta_log/00000000000000000000.json";
  if (!env->CreateDirs(file.substr(0, file.rfind('/'))).ok()) std::abort();
  {
    auto f = env->NewWritableFile(file);
    if (!f.ok() || !(*f)->Append(body).ok() || !(*f)->Close().ok()) std::abort();
  }
  auto t = lake::OpenLakeTableForRead(iceberg ? lake::Format::kIceberg : lake::Format::kDelta,
                                      env, dir);
  if (t.ok()) {
    (void)(*t)->History();
    (void)(*t)->Current();
    // No Scan(): it would follow file references the input names (any path).
  }
  return 0;
}
