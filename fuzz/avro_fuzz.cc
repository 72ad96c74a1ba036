// libFuzzer target: input bytes -> avro::ReadContainer (the reader of Iceberg
// manifests and manifest lists). Must never crash; a file that parses must
// re-encode with its own schema and read back to the same records.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lake/avro.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace parquedb::lake::avro;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto f = ReadContainer(in, /*max_records=*/100000);
  if (!f.ok()) return 0;
  ContainerWriter w(f->schema, {}, "0123456789abcdef");
  for (const auto& r : f->records) {
    // Decoded data always fits its schema, except floats widened from NaN payloads
    // and maps decoded with duplicate keys; those may fail to re-encode.
    if (!w.Append(r).ok()) return 0;
  }
  auto back = ReadContainer(w.Finish());
  if (!back.ok() || back->records.size() != f->records.size()) std::abort();
  for (size_t i = 0; i < f->records.size(); i++) {
    if (!(back->records[i] == f->records[i])) std::abort();
  }
  return 0;
}
