// libFuzzer target: the whole Parquet read path (footer, schema, pages, every
// encoding and codec, record assembly) on arbitrary bytes. Must never crash.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/memory_file.h"
#include "parquet/reader.h"
#include "parquet/record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace parquedb;
  auto file = std::make_unique<StringRandomAccessFile>(
      std::string(reinterpret_cast<const char*>(data), size));
  auto reader = parquet::FileReader::Open(std::move(file));
  if (!reader.ok()) return 0;
  const parquet::Schema& schema = (*reader)->schema();
  for (int rg = 0; rg < (*reader)->num_row_groups() && rg < 16; rg++) {
    std::vector<parquet::ColumnVector> cols(schema.num_leaves());
    bool ok = true;
    for (size_t l = 0; l < schema.num_leaves(); l++) {
      if (!(*reader)->ReadColumnChunk(rg, static_cast<int>(l), &cols[l]).ok()) ok = false;
    }
    if (!ok) continue;
    int64_t rows = (*reader)->metadata().row_groups[static_cast<size_t>(rg)].num_rows;
    if (rows > 1000000) continue;
    std::vector<Value> out;
    (void)parquet::AssembleRows(schema, cols, rows, {}, &out);
  }
  (void)(*reader)->PruneRowGroups(
      {{0, parquet::ColumnPredicate::Op::kGt, std::string(8, '\0')}});
  return 0;
}
