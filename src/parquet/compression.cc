// Page compression codecs. Compressed pages are untrusted: the declared uncompressed
// size is capped before anything is allocated, and the output must match it exactly.
#include "parquet/compression.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <string>

namespace parquedb::parquet {

namespace {

// Largest page we agree to decompress. Parquet page sizes are int32 and writers keep
// pages around 1 MiB; anything near this bound is hostile or broken.
constexpr size_t kMaxUncompressedSize = size_t{1} << 30;
// Parquet-mr and most writers use zstd level 3 (zstd's own default).
constexpr int kZstdDefaultLevel = ZSTD_CLEVEL_DEFAULT;

const char* CodecName(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::kUncompressed:
      return "UNCOMPRESSED";
    case CompressionCodec::kSnappy:
      return "SNAPPY";
    case CompressionCodec::kGzip:
      return "GZIP";
    case CompressionCodec::kLzo:
      return "LZO";
    case CompressionCodec::kBrotli:
      return "BROTLI";
    case CompressionCodec::kLz4:
      return "LZ4";
    case CompressionCodec::kZstd:
      return "ZSTD";
    case CompressionCodec::kLz4Raw:
      return "LZ4_RAW";
  }
  return nullptr;
}

Status Unsupported(CompressionCodec codec) {
  const char* name = CodecName(codec);
  if (name == nullptr) {
    return Status::NotSupported("unknown compression codec " +
                                std::to_string(static_cast<int32_t>(codec)));
  }
  return Status::NotSupported(std::string("compression codec ") + name + " is not supported");
}

Status GzipCompress(std::string_view input, int level, std::string* out) {
  if (level == 0) level = Z_DEFAULT_COMPRESSION;
  if (level != Z_DEFAULT_COMPRESSION && (level < 1 || level > 9)) {
    return Status::InvalidArgument("GZIP level " + std::to_string(level) + " not in 1..9");
  }
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  // windowBits 15 + 16: gzip framing (header and CRC trailer), as Parquet requires.
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::IOError("deflateInit2 failed");
  }
  const size_t start = out->size();
  const size_t bound = deflateBound(&zs, static_cast<uLong>(input.size()));
  out->resize(start + bound);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.next_out = reinterpret_cast<Bytef*>(out->data() + start);
  size_t in_left = input.size();
  size_t out_left = bound;
  int rc = Z_OK;
  while (rc == Z_OK) {
    // avail_in/avail_out are 32-bit: feed inputs larger than 4 GiB in slices.
    const uInt in_now = static_cast<uInt>(std::min<size_t>(in_left, UINT_MAX));
    const uInt out_now = static_cast<uInt>(std::min<size_t>(out_left, UINT_MAX));
    zs.avail_in = in_now;
    zs.avail_out = out_now;
    rc = deflate(&zs, in_left == in_now ? Z_FINISH : Z_NO_FLUSH);
    in_left -= in_now - zs.avail_in;
    out_left -= out_now - zs.avail_out;
  }
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    out->resize(start);
    return Status::IOError("deflate failed: " + std::to_string(rc));
  }
  out->resize(start + bound - out_left);
  return Status::OK();
}

Status GzipDecompress(std::string_view input, size_t size, char* dst) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  // windowBits 15 + 32: detect gzip or zlib framing automatically.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Status::IOError("inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  size_t in_left = input.size();
  size_t out_left = size;  // <= kMaxUncompressedSize, fits uInt
  Bytef probe;             // once the output is full: detects data beyond the declared size
  Status result;
  while (true) {
    const bool full = out_left == 0;
    const uInt in_now = static_cast<uInt>(std::min<size_t>(in_left, UINT_MAX));
    const uInt out_now = full ? 1 : static_cast<uInt>(out_left);
    zs.avail_in = in_now;
    zs.next_out = full ? &probe : reinterpret_cast<Bytef*>(dst + (size - out_left));
    zs.avail_out = out_now;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    in_left -= in_now - zs.avail_in;
    const size_t produced = out_now - zs.avail_out;
    if (full && produced > 0) {
      result = Status::Corruption("GZIP data decompresses to more than the declared " +
                                  std::to_string(size) + " bytes");
      break;
    }
    if (!full) out_left -= produced;
    if (rc == Z_STREAM_END) {
      if (out_left == 0) break;  // done; trailing bytes after the stream are ignored
      if (in_left == 0) {
        result = Status::Corruption("GZIP data decompresses to " + std::to_string(size - out_left) +
                                    " bytes, page header says " + std::to_string(size));
        break;
      }
      // Concatenated gzip members: continue with the next one.
      if (inflateReset(&zs) != Z_OK) {
        result = Status::Corruption("GZIP: cannot continue after end of stream");
        break;
      }
      continue;
    }
    if (rc == Z_BUF_ERROR && in_left == 0) {
      result = Status::Corruption("GZIP data truncated");
      break;
    }
    if (rc != Z_OK) {
      result = Status::Corruption(std::string("GZIP data corrupt: ") +
                                  (zs.msg ? zs.msg : ("zlib error " + std::to_string(rc)).c_str()));
      break;
    }
  }
  inflateEnd(&zs);
  return result;
}

}  // namespace

Status Compress(CompressionCodec codec, std::string_view input, int level, std::string* out) {
  switch (codec) {
    case CompressionCodec::kUncompressed:
      out->append(input);
      return Status::OK();
    case CompressionCodec::kSnappy: {
      const size_t start = out->size();
      out->resize(start + snappy::MaxCompressedLength(input.size()));
      size_t len = 0;
      snappy::RawCompress(input.data(), input.size(), out->data() + start, &len);
      out->resize(start + len);
      return Status::OK();
    }
    case CompressionCodec::kZstd: {
      if (level == 0) level = kZstdDefaultLevel;
      if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()) {
        return Status::InvalidArgument("ZSTD level " + std::to_string(level) + " out of range");
      }
      const size_t start = out->size();
      const size_t bound = ZSTD_compressBound(input.size());
      out->resize(start + bound);
      const size_t len =
          ZSTD_compress(out->data() + start, bound, input.data(), input.size(), level);
      if (ZSTD_isError(len)) {
        out->resize(start);
        return Status::IOError(std::string("ZSTD compression failed: ") + ZSTD_getErrorName(len));
      }
      out->resize(start + len);
      return Status::OK();
    }
    case CompressionCodec::kGzip:
      return GzipCompress(input, level, out);
    default:
      return Unsupported(codec);
  }
}

Status Decompress(CompressionCodec codec, std::string_view input, size_t uncompressed_size,
                  std::string* out) {
  const char* name = CodecName(codec);
  if (name == nullptr || codec == CompressionCodec::kLzo || codec == CompressionCodec::kBrotli ||
      codec == CompressionCodec::kLz4 || codec == CompressionCodec::kLz4Raw) {
    return Unsupported(codec);
  }
  if (uncompressed_size > kMaxUncompressedSize) {
    return Status::Corruption(std::string(name) + ": declared uncompressed size " +
                              std::to_string(uncompressed_size) + " exceeds the " +
                              std::to_string(kMaxUncompressedSize) + "-byte limit");
  }
  auto mismatch = [&](size_t actual) {
    return Status::Corruption(std::string(name) + " data decompresses to " +
                              std::to_string(actual) + " bytes, page header says " +
                              std::to_string(uncompressed_size));
  };
  switch (codec) {
    case CompressionCodec::kUncompressed:
      if (input.size() != uncompressed_size) return mismatch(input.size());
      out->assign(input);
      return Status::OK();
    case CompressionCodec::kSnappy: {
      size_t len = 0;
      if (!snappy::GetUncompressedLength(input.data(), input.size(), &len)) {
        return Status::Corruption("SNAPPY data corrupt: bad length header");
      }
      if (len != uncompressed_size) return mismatch(len);
      out->resize(uncompressed_size);
      if (!snappy::RawUncompress(input.data(), input.size(), out->data())) {
        out->clear();
        return Status::Corruption("SNAPPY data corrupt");
      }
      return Status::OK();
    }
    case CompressionCodec::kZstd: {
      // Frames carry their content size when known; check it before allocating.
      const unsigned long long frame = ZSTD_getFrameContentSize(input.data(), input.size());
      if (frame == ZSTD_CONTENTSIZE_ERROR) return Status::Corruption("ZSTD data corrupt");
      if (frame != ZSTD_CONTENTSIZE_UNKNOWN && frame > uncompressed_size) {
        return mismatch(static_cast<size_t>(frame));
      }
      out->resize(uncompressed_size);
      const size_t len =
          ZSTD_decompress(out->data(), uncompressed_size, input.data(), input.size());
      if (ZSTD_isError(len)) {
        out->clear();
        if (ZSTD_getErrorCode(len) == ZSTD_error_dstSize_tooSmall) {
          return Status::Corruption("ZSTD data decompresses to more than the declared " +
                                    std::to_string(uncompressed_size) + " bytes");
        }
        return Status::Corruption(std::string("ZSTD data corrupt: ") + ZSTD_getErrorName(len));
      }
      if (len != uncompressed_size) {
        out->clear();
        return mismatch(len);
      }
      return Status::OK();
    }
    case CompressionCodec::kGzip: {
      out->resize(uncompressed_size);
      Status st = GzipDecompress(input, uncompressed_size, out->data());
      if (!st.ok()) out->clear();
      return st;
    }
    default:
      return Unsupported(codec);
  }
}

}  // namespace parquedb::parquet
