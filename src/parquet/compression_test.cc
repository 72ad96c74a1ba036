#include "parquet/compression.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <random>
#include <string>
#include <vector>

namespace parquedb::parquet {
namespace {

constexpr CompressionCodec kCodecs[] = {CompressionCodec::kUncompressed, CompressionCodec::kSnappy,
                                        CompressionCodec::kZstd, CompressionCodec::kGzip};

std::string RandomText(std::mt19937_64& rng, size_t n, int alphabet) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>('a' + rng() % static_cast<uint64_t>(alphabet));
  return s;
}

std::vector<std::string> Inputs() {
  std::mt19937_64 rng(1);
  std::vector<std::string> v = {"", "a", std::string(1000, 'z'), RandomText(rng, 1000, 4),
                                RandomText(rng, 1 << 20, 26)};
  std::string binary(70000, '\0');
  for (auto& c : binary) c = static_cast<char>(rng());
  v.push_back(binary);
  return v;
}

TEST(CompressionTest, RoundTripAllCodecsAndLevels) {
  for (CompressionCodec codec : kCodecs) {
    for (int level : {0, 1, 5, 9}) {
      for (const std::string& in : Inputs()) {
        std::string comp = "prefix";  // Compress appends
        ASSERT_TRUE(Compress(codec, in, level, &comp).ok());
        ASSERT_EQ(comp.substr(0, 6), "prefix");
        comp.erase(0, 6);
        std::string out = "stale";
        Status st = Decompress(codec, comp, in.size(), &out);
        ASSERT_TRUE(st.ok()) << st.ToString() << " codec " << static_cast<int>(codec);
        ASSERT_EQ(out, in);
      }
    }
  }
}

TEST(CompressionTest, CompressibleDataShrinks) {
  std::string in(1 << 20, 'x');
  for (CompressionCodec codec :
       {CompressionCodec::kSnappy, CompressionCodec::kZstd, CompressionCodec::kGzip}) {
    std::string comp;
    ASSERT_TRUE(Compress(codec, in, 0, &comp).ok());
    EXPECT_LT(comp.size(), in.size() / 10);
  }
}

TEST(CompressionTest, GzipFramingAndZlibAccepted) {
  std::string in = "hello hello hello hello";
  std::string comp;
  ASSERT_TRUE(Compress(CompressionCodec::kGzip, in, 0, &comp).ok());
  ASSERT_GE(comp.size(), 18u);
  EXPECT_EQ(static_cast<uint8_t>(comp[0]), 0x1F);  // gzip magic
  EXPECT_EQ(static_cast<uint8_t>(comp[1]), 0x8B);
  // zlib framing (some old writers) decompresses too.
  uLongf len = compressBound(static_cast<uLong>(in.size()));
  std::string z(len, '\0');
  ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(z.data()), &len,
                      reinterpret_cast<const Bytef*>(in.data()), static_cast<uLong>(in.size()), 6),
            Z_OK);
  z.resize(len);
  std::string out;
  ASSERT_TRUE(Decompress(CompressionCodec::kGzip, z, in.size(), &out).ok());
  EXPECT_EQ(out, in);
  // Concatenated gzip members form one stream.
  std::string two;
  ASSERT_TRUE(Compress(CompressionCodec::kGzip, "abc", 0, &two).ok());
  ASSERT_TRUE(Compress(CompressionCodec::kGzip, "defg", 0, &two).ok());
  ASSERT_TRUE(Decompress(CompressionCodec::kGzip, two, 7, &out).ok());
  EXPECT_EQ(out, "abcdefg");
}

TEST(CompressionTest, ZstdFrameWithoutContentSize) {
  std::string in(5000, 'q');
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  std::string comp(ZSTD_compressBound(in.size()), '\0');
  ZSTD_outBuffer ob = {comp.data(), comp.size(), 0};
  ZSTD_inBuffer ib = {in.data(), in.size(), 0};
  ASSERT_EQ(ZSTD_compressStream2(cctx, &ob, &ib, ZSTD_e_continue), 0u);  // no pledged size
  size_t left;
  do {
    left = ZSTD_compressStream2(cctx, &ob, &ib, ZSTD_e_end);
    ASSERT_FALSE(ZSTD_isError(left));
  } while (left != 0);
  ZSTD_freeCCtx(cctx);
  comp.resize(ob.pos);
  std::string out;
  ASSERT_TRUE(Decompress(CompressionCodec::kZstd, comp, in.size(), &out).ok());
  EXPECT_EQ(out, in);
  EXPECT_TRUE(Decompress(CompressionCodec::kZstd, comp, in.size() - 1, &out).IsCorruption());
  EXPECT_TRUE(Decompress(CompressionCodec::kZstd, comp, in.size() + 1, &out).IsCorruption());
}

TEST(CompressionTest, DeclaredSizeMustMatch) {
  std::string in(3000, 'k');
  in += "unique tail";
  for (CompressionCodec codec : kCodecs) {
    std::string comp;
    ASSERT_TRUE(Compress(codec, in, 0, &comp).ok());
    std::string out;
    EXPECT_TRUE(Decompress(codec, comp, in.size() - 1, &out).IsCorruption());
    EXPECT_TRUE(Decompress(codec, comp, in.size() + 1, &out).IsCorruption());
    EXPECT_TRUE(Decompress(codec, comp, 0, &out).IsCorruption());
    // Hostile sizes are rejected before allocating.
    Status st = Decompress(codec, comp, size_t{1} << 40, &out);
    EXPECT_TRUE(st.IsCorruption());
    EXPECT_NE(st.message().find("limit"), std::string::npos) << st.ToString();
  }
}

TEST(CompressionTest, EmptyInputs) {
  std::string out = "x";
  EXPECT_TRUE(Decompress(CompressionCodec::kUncompressed, "", 0, &out).ok());
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(Decompress(CompressionCodec::kSnappy, "", 0, &out).IsCorruption());
  EXPECT_TRUE(Decompress(CompressionCodec::kZstd, "", 0, &out).IsCorruption());
  EXPECT_TRUE(Decompress(CompressionCodec::kGzip, "", 0, &out).IsCorruption());
  EXPECT_TRUE(Decompress(CompressionCodec::kGzip, "", 5, &out).IsCorruption());
}

TEST(CompressionTest, CorruptedInputNeverCrashes) {
  std::mt19937_64 rng(2024);
  std::string in = RandomText(rng, 20000, 6);
  for (CompressionCodec codec :
       {CompressionCodec::kSnappy, CompressionCodec::kZstd, CompressionCodec::kGzip}) {
    std::string comp;
    ASSERT_TRUE(Compress(codec, in, 0, &comp).ok());
    std::string out;
    for (size_t cut = 0; cut < comp.size(); cut += 1 + comp.size() / 200) {
      Status st = Decompress(codec, comp.substr(0, cut), in.size(), &out);
      EXPECT_FALSE(st.ok()) << "codec " << static_cast<int>(codec) << " cut " << cut;
    }
    for (int iter = 0; iter < 300; ++iter) {
      std::string m = comp;
      for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k) {
        m[rng() % m.size()] ^= static_cast<char>(1 + rng() % 255);
      }
      Status st = Decompress(codec, m, in.size(), &out);
      if (st.ok()) {
        EXPECT_EQ(out.size(), in.size());
      } else {
        EXPECT_TRUE(st.IsCorruption()) << st.ToString();
      }
      // gzip (CRC-32) and zstd (frame checks) rarely accept corrupted data; snappy has
      // no checksum, so silently different output is possible there.
    }
    // Pure garbage.
    std::string garbage = RandomText(rng, 500, 256);
    EXPECT_FALSE(Decompress(codec, garbage, 1000, &out).ok());
  }
}

TEST(CompressionTest, UnsupportedCodecs) {
  std::string out;
  struct Case {
    CompressionCodec codec;
    const char* name;
  } cases[] = {{CompressionCodec::kLzo, "LZO"},
               {CompressionCodec::kBrotli, "BROTLI"},
               {CompressionCodec::kLz4, "LZ4"},
               {CompressionCodec::kLz4Raw, "LZ4_RAW"}};
  for (const Case& c : cases) {
    Status st = Compress(c.codec, "abc", 0, &out);
    EXPECT_TRUE(st.IsNotSupported());
    EXPECT_NE(st.message().find(c.name), std::string::npos) << st.ToString();
    st = Decompress(c.codec, "abc", 3, &out);
    EXPECT_TRUE(st.IsNotSupported());
    EXPECT_NE(st.message().find(c.name), std::string::npos) << st.ToString();
  }
  Status st = Decompress(static_cast<CompressionCodec>(42), "abc", 3, &out);
  EXPECT_TRUE(st.IsNotSupported());
  EXPECT_NE(st.message().find("42"), std::string::npos);
  EXPECT_TRUE(Compress(static_cast<CompressionCodec>(-1), "abc", 0, &out).IsNotSupported());
}

TEST(CompressionTest, InvalidLevels) {
  std::string out;
  EXPECT_TRUE(Compress(CompressionCodec::kZstd, "abc", 1000, &out).IsInvalidArgument());
  EXPECT_TRUE(Compress(CompressionCodec::kGzip, "abc", 10, &out).IsInvalidArgument());
  EXPECT_TRUE(Compress(CompressionCodec::kGzip, "abc", -5, &out).IsInvalidArgument());
  EXPECT_TRUE(Compress(CompressionCodec::kZstd, "abc", -3, &out).ok());  // fast levels
}

}  // namespace
}  // namespace parquedb::parquet
