// Page compression codecs: SNAPPY, ZSTD, GZIP (zlib, gzip framing) and UNCOMPRESSED.
#pragma once

#include <string>
#include <string_view>

#include "parquet/metadata.h"

namespace parquedb::parquet {

// Appends `input` compressed with `codec` to *out. `level` applies to ZSTD/GZIP
// (0 = codec default). NotSupported for codecs we do not build (LZO, BROTLI, LZ4*).
Status Compress(CompressionCodec codec, std::string_view input, int level, std::string* out);

// Decompresses `input` into exactly `uncompressed_size` bytes at *out (resized).
// Corruption if the data is malformed or does not decompress to that size.
Status Decompress(CompressionCodec codec, std::string_view input, size_t uncompressed_size,
                  std::string* out);

}  // namespace parquedb::parquet
