#include "parquet/encoding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace parquedb::parquet {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes ToBytes(const std::string& s) { return Bytes(s.begin(), s.end()); }
std::string FromBytes(const Bytes& b) { return std::string(b.begin(), b.end()); }
const uint8_t* U8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

uint32_t MaskFor(int bw) { return bw >= 32 ? ~0u : (1u << bw) - 1; }

// Values with runs of random length (geometric-ish), mixing RLE and bit-packed runs.
std::vector<uint32_t> RunnyValues(std::mt19937_64& rng, size_t n, int bw) {
  std::vector<uint32_t> v;
  v.reserve(n);
  while (v.size() < n) {
    uint32_t x = static_cast<uint32_t>(rng()) & MaskFor(bw);
    size_t len = 1;
    switch (rng() % 4) {
      case 0:
        len = 1;
        break;
      case 1:
        len = 1 + rng() % 8;
        break;
      case 2:
        len = 1 + rng() % 40;
        break;
      default:
        len = 1 + rng() % 300;
        break;
    }
    for (size_t i = 0; i < len && v.size() < n; ++i) v.push_back(x);
  }
  return v;
}

std::string EncodeRle(const std::vector<uint32_t>& v, int bw) {
  RleEncoder enc(bw);
  enc.PutBatch(v.data(), v.size());
  std::string out;
  enc.Finish(&out);
  return out;
}

// ---------------------------------------------------------------- BitWidth

TEST(EncodingBitWidth, Values) {
  EXPECT_EQ(BitWidth(0), 0);
  EXPECT_EQ(BitWidth(1), 1);
  EXPECT_EQ(BitWidth(2), 2);
  EXPECT_EQ(BitWidth(3), 2);
  EXPECT_EQ(BitWidth(4), 3);
  EXPECT_EQ(BitWidth(255), 8);
  EXPECT_EQ(BitWidth(256), 9);
  EXPECT_EQ(BitWidth(0xFFFFFFFFull), 32);
  EXPECT_EQ(BitWidth(~0ull), 64);
}

// ---------------------------------------------------------------- RLE hybrid: exact bytes

TEST(RleEncoding, SpecBitPackedExample) {
  // Encodings.md: 0..7 at bit width 3 pack to 10001000 11000110 11111010.
  std::vector<uint32_t> v = {0, 1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(ToBytes(EncodeRle(v, 3)), (Bytes{0x03, 0x88, 0xC6, 0xFA}));
  std::string enc = FromBytes({0x03, 0x88, 0xC6, 0xFA});
  RleDecoder dec(U8(enc), enc.size(), 3);
  std::vector<uint32_t> out(8);
  ASSERT_TRUE(dec.GetBatch(out.data(), 8).ok());
  EXPECT_EQ(out, v);
}

TEST(RleEncoding, ExactRleRuns) {
  // 100 x 5 at width 3: header varint(100 << 1) = C8 01, value in one byte.
  EXPECT_EQ(ToBytes(EncodeRle(std::vector<uint32_t>(100, 5), 3)), (Bytes{0xC8, 0x01, 0x05}));
  // Bit width 0: header only.
  EXPECT_EQ(ToBytes(EncodeRle(std::vector<uint32_t>(10, 0), 0)), (Bytes{0x14}));
  // Width 9 stores the value in 2 little-endian bytes.
  EXPECT_EQ(ToBytes(EncodeRle(std::vector<uint32_t>(8, 300), 9)), (Bytes{0x10, 0x2C, 0x01}));
  // Width 32: 4 bytes.
  EXPECT_EQ(ToBytes(EncodeRle(std::vector<uint32_t>(9, 0xDEADBEEF), 32)),
            (Bytes{0x12, 0xEF, 0xBE, 0xAD, 0xDE}));
  // 7 repeats followed by another value stay bit-packed...
  EXPECT_EQ(ToBytes(EncodeRle({1, 1, 1, 1, 1, 1, 1, 0}, 1)), (Bytes{0x03, 0x7F}));
  // ...literals at the end are padded to a group of 8 with zeros...
  EXPECT_EQ(ToBytes(EncodeRle({1, 0, 1}, 2)), (Bytes{0x03, 0x11, 0x00}));
  // ...but a short run that ends the stream is cheaper as an RLE run (no padding).
  EXPECT_EQ(ToBytes(EncodeRle(std::vector<uint32_t>(7, 1), 1)), (Bytes{0x0E, 0x01}));
  // Empty input encodes to nothing.
  EXPECT_EQ(EncodeRle({}, 5), "");
}

TEST(RleEncoding, LiteralsThenRun) {
  // 3 literals, then 20 x 1 at width 1: the run first completes the literal group
  // (5 values), the remaining 15 become an RLE run.
  std::vector<uint32_t> v = {1, 0, 1};
  v.insert(v.end(), 20, 1);
  // Group: 1,0,1,1,1,1,1,1 -> 0b11111101.
  EXPECT_EQ(ToBytes(EncodeRle(v, 1)), (Bytes{0x03, 0xFD, 0x1E, 0x01}));
}

TEST(RleEncoding, DecodeHandWrittenMixedRuns) {
  // RLE run of 3 x 2, bit-packed 1 group (values 0..7 at width 3), RLE 2 x 7.
  std::string enc = FromBytes({0x06, 0x02, 0x03, 0x88, 0xC6, 0xFA, 0x04, 0x07});
  std::vector<uint32_t> expect = {2, 2, 2, 0, 1, 2, 3, 4, 5, 6, 7, 7, 7};
  for (size_t batch = 1; batch <= expect.size(); ++batch) {
    RleDecoder dec(U8(enc), enc.size(), 3);
    std::vector<uint32_t> out(expect.size());
    for (size_t i = 0; i < out.size(); i += batch) {
      ASSERT_TRUE(dec.GetBatch(out.data() + i, std::min(batch, out.size() - i)).ok());
    }
    EXPECT_EQ(out, expect) << "batch " << batch;
    uint32_t extra;
    EXPECT_TRUE(dec.GetBatch(&extra, 1).IsCorruption());
  }
}

// ---------------------------------------------------------------- RLE hybrid: round trips

void CheckRoundTrip(const std::vector<uint32_t>& v, int bw, std::mt19937_64& rng) {
  std::string enc = EncodeRle(v, bw);
  {
    RleDecoder dec(U8(enc), enc.size(), bw);
    std::vector<uint32_t> out(v.size());
    ASSERT_TRUE(dec.GetBatch(out.data(), out.size()).ok()) << "bw " << bw;
    ASSERT_EQ(out, v) << "bw " << bw;
  }
  {  // random batch sizes exercise the partial-group and run-boundary paths
    RleDecoder dec(U8(enc), enc.size(), bw);
    std::vector<uint32_t> out(v.size());
    for (size_t i = 0; i < out.size();) {
      size_t k = std::min<size_t>(out.size() - i, 1 + rng() % 37);
      ASSERT_TRUE(dec.GetBatch(out.data() + i, k).ok());
      i += k;
    }
    ASSERT_EQ(out, v) << "bw " << bw;
  }
  if (bw <= 16) {
    RleDecoder dec(U8(enc), enc.size(), bw);
    std::vector<int16_t> out(v.size());
    ASSERT_TRUE(dec.GetBatch(out.data(), out.size()).ok());
    for (size_t i = 0; i < v.size(); ++i) ASSERT_EQ(static_cast<uint16_t>(out[i]), v[i]);
  }
  if (bw <= 8) {
    RleDecoder dec(U8(enc), enc.size(), bw);
    std::vector<uint8_t> out(v.size());
    ASSERT_TRUE(dec.GetBatch(out.data(), out.size()).ok());
    for (size_t i = 0; i < v.size(); ++i) ASSERT_EQ(out[i], v[i]);
  }
}

TEST(RleEncoding, RoundTripEveryBitWidth) {
  std::mt19937_64 rng(42);
  for (int bw = 0; bw <= 32; ++bw) {
    for (size_t n : {0, 1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 10007}) {
      std::vector<uint32_t> uniform(n);
      for (auto& x : uniform) x = static_cast<uint32_t>(rng()) & MaskFor(bw);
      CheckRoundTrip(uniform, bw, rng);
      CheckRoundTrip(RunnyValues(rng, n, bw), bw, rng);
      std::vector<uint32_t> max_values(n, MaskFor(bw));
      CheckRoundTrip(max_values, bw, rng);
    }
  }
}

TEST(RleEncoding, RunLengthEdgeCases) {
  std::mt19937_64 rng(7);
  for (int bw : {1, 3, 8, 13, 32}) {
    for (size_t prefix = 0; prefix <= 9; ++prefix) {
      for (size_t run : {0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 127, 128, 129, 1000}) {
        std::vector<uint32_t> v;
        for (size_t i = 0; i < prefix; ++i) v.push_back(static_cast<uint32_t>(i * 3) & MaskFor(bw));
        v.insert(v.end(), run, MaskFor(bw));
        CheckRoundTrip(v, bw, rng);
        v.push_back(0);  // a different value after the run
        CheckRoundTrip(v, bw, rng);
        v.insert(v.end(), run, 1);  // another run
        CheckRoundTrip(v, bw, rng);
      }
    }
  }
}

TEST(RleEncoding, PutAndPutBatchAgree) {
  std::mt19937_64 rng(3);
  auto v = RunnyValues(rng, 5000, 6);
  RleEncoder a(6), b(6);
  for (uint32_t x : v) a.Put(x);
  // Split the batch at odd places: runs spanning calls must merge.
  for (size_t i = 0; i < v.size();) {
    size_t k = std::min<size_t>(v.size() - i, 1 + rng() % 50);
    b.PutBatch(v.data() + i, k);
    i += k;
  }
  std::string ea, eb;
  a.Finish(&ea);
  b.Finish(&eb);
  for (const std::string* e : {&ea, &eb}) {
    RleDecoder dec(U8(*e), e->size(), 6);
    std::vector<uint32_t> out(v.size());
    ASSERT_TRUE(dec.GetBatch(out.data(), out.size()).ok());
    EXPECT_EQ(out, v);
  }
  // The batch fast path may split runs slightly differently, never much worse.
  EXPECT_LE(eb.size(), ea.size() + ea.size() / 20);
  // The encoder is reusable after Finish.
  a.Put(1);
  std::string again;
  a.Finish(&again);
  EXPECT_EQ(ToBytes(again), (Bytes{0x02, 0x01}));
}

TEST(RleEncoding, RunsInsideRandomDataUseRle) {
  // High-entropy data (batch fast path) interrupted by long runs.
  std::mt19937_64 rng(31);
  std::vector<uint32_t> v;
  for (int block = 0; block < 50; ++block) {
    for (int i = 0; i < 1 + static_cast<int>(rng() % 100); ++i) {
      v.push_back(static_cast<uint32_t>(rng() % 1024));
    }
    v.insert(v.end(), 1000, static_cast<uint32_t>(rng() % 1024));
  }
  std::string enc = EncodeRle(v, 10);
  EXPECT_LT(enc.size(), 50u * (100 * 10 / 8 + 20));  // the runs cost a few bytes each
  CheckRoundTrip(v, 10, rng);
}

TEST(RleEncoding, LongRunsAreCompact) {
  std::vector<uint32_t> v((1 << 20) - 1, 3);
  EXPECT_EQ(EncodeRle(v, 2).size(), 4u);  // 3-byte varint header + 1 value byte
  v.push_back(3);
  EXPECT_EQ(EncodeRle(v, 2).size(), 5u);  // header varint(2^21) needs 4 bytes
}

TEST(RleEncoding, MorePagedValuesThanRequested) {
  std::mt19937_64 rng(11);
  auto v = RunnyValues(rng, 500, 5);
  std::string enc = EncodeRle(v, 5);
  RleDecoder dec(U8(enc), enc.size(), 5);
  std::vector<uint32_t> out(123);
  ASSERT_TRUE(dec.GetBatch(out.data(), out.size()).ok());
  EXPECT_TRUE(std::equal(out.begin(), out.end(), v.begin()));
}

// ---------------------------------------------------------------- RLE hybrid: hostile input

TEST(RleEncoding, RejectsMalformedHeaders) {
  uint32_t out[16];
  auto decode = [&](const Bytes& b, int bw, size_t n) {
    std::string s = FromBytes(b);
    RleDecoder dec(U8(s), s.size(), bw);
    return dec.GetBatch(out, n);
  };
  EXPECT_TRUE(decode({}, 3, 1).IsCorruption());
  EXPECT_TRUE(decode({}, 3, 0).ok());
  // Unterminated varint.
  EXPECT_TRUE(decode({0x80, 0x80}, 3, 1).IsCorruption());
  // Header larger than 32 bits.
  EXPECT_TRUE(decode({0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x01}, 3, 1).IsCorruption());
  // 11-byte varint.
  EXPECT_TRUE(decode({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, 3, 1)
                  .IsCorruption());
  // Bit-packed run of 2^31 - 1 groups: overflows the run-length limit.
  EXPECT_TRUE(decode({0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, 1, 1).IsCorruption());
  // Bit-packed run of 2 groups at width 3 needs 6 bytes; only 3 present.
  EXPECT_TRUE(decode({0x05, 0x88, 0xC6, 0xFA}, 3, 8).IsCorruption());
  // RLE run whose value is missing / exceeds the bit width.
  EXPECT_TRUE(decode({0x10}, 9, 8).IsCorruption());
  EXPECT_TRUE(decode({0x10, 0x2C}, 9, 8).IsCorruption());
  EXPECT_TRUE(decode({0x10, 0x08}, 3, 8).IsCorruption());
  // Run too short for the request.
  EXPECT_TRUE(decode({0x10, 0x01}, 3, 9).IsCorruption());
  // Bit width out of range.
  EXPECT_TRUE(decode({0x10, 0x01, 0, 0, 0, 0}, 33, 1).IsCorruption());
  EXPECT_TRUE(decode({0x10, 0x01}, -1, 1).IsCorruption());
  // Max-width RLE run of 2^31 - 1 values is fine (no allocation happens).
  EXPECT_TRUE(decode({0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x01}, 1, 16).ok());
  // Zero-length runs are skipped.
  EXPECT_TRUE(decode({0x00, 0x00, 0x01, 0x04, 0x01}, 1, 2).ok());
  // Narrow outputs reject wide streams.
  std::string wide = FromBytes({0x02, 0x01, 0x00, 0x00});
  int16_t l16;
  RleDecoder d16(U8(wide), wide.size(), 17);
  EXPECT_TRUE(d16.GetBatch(&l16, 1).IsCorruption());
  uint8_t b8;
  RleDecoder d8(U8(wide), wide.size(), 9);
  EXPECT_TRUE(d8.GetBatch(&b8, 1).IsCorruption());
}

TEST(RleEncoding, BitWidth32FullRange) {
  std::vector<uint32_t> v = {0, 0xFFFFFFFFu, 0x80000000u, 1, 0x7FFFFFFFu, 12345, 0xFFFFFFFEu, 7, 9};
  std::mt19937_64 rng(5);
  CheckRoundTrip(v, 32, rng);
}

// Every truncation of a valid stream either fails or yields the right prefix values;
// random mutations never crash (meaningful under ASan/UBSan).
TEST(RleEncoding, TruncationAndMutationNeverCrash) {
  std::mt19937_64 rng(99);
  for (int bw : {0, 1, 2, 5, 8, 11, 16, 20, 31, 32}) {
    auto v = RunnyValues(rng, 300, bw);
    std::string enc = EncodeRle(v, bw);
    std::vector<uint32_t> out(v.size());
    for (size_t cut = 0; cut <= enc.size(); ++cut) {
      std::string t = enc.substr(0, cut);
      RleDecoder dec(U8(t), t.size(), bw);
      if (dec.GetBatch(out.data(), out.size()).ok()) {
        ASSERT_EQ(out, v) << "truncation to " << cut << " decoded wrong values";
      }
    }
    for (int iter = 0; iter < 300; ++iter) {
      std::string m = enc;
      for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) {
        if (m.empty()) break;
        m[rng() % m.size()] ^= static_cast<char>(1 + rng() % 255);
      }
      RleDecoder dec(U8(m), m.size(), bw);
      (void)dec.GetBatch(out.data(), out.size());
      std::string d = std::string(1, static_cast<char>(bw)) + m;
      (void)DecodeDictIndices(d, out.size(), 1 + static_cast<uint32_t>(rng() % 100), out.data());
    }
  }
}

// ---------------------------------------------------------------- dictionary indices

TEST(RleEncoding, DictIndicesRoundTrip) {
  std::mt19937_64 rng(21);
  for (int bw = 0; bw <= 32; ++bw) {
    const uint32_t dict_size = bw == 32 ? 0xFFFFFFFFu : (1u << bw);
    for (size_t n : {1, 8, 100, 4099}) {
      std::vector<uint32_t> idx(n);
      for (auto& x : idx) x = static_cast<uint32_t>(rng() % dict_size);
      std::string enc;
      EncodeDictIndices(idx.data(), n, bw, &enc);
      ASSERT_EQ(static_cast<uint8_t>(enc[0]), bw);
      std::vector<uint32_t> out(n);
      ASSERT_TRUE(DecodeDictIndices(enc, n, dict_size, out.data()).ok()) << bw;
      ASSERT_EQ(out, idx);
    }
  }
}

TEST(RleEncoding, RangeChecksAtFullWidth) {
  // Width 32: indices >= 2^31 must not pass a signed comparison by accident.
  std::vector<uint32_t> idx(64, 5);
  idx[40] = 0x90000000u;
  std::string enc;
  EncodeDictIndices(idx.data(), idx.size(), 32, &enc);
  std::vector<uint32_t> out(idx.size());
  EXPECT_TRUE(DecodeDictIndices(enc, idx.size(), 0x80000000u, out.data()).IsCorruption());
  EXPECT_TRUE(DecodeDictIndices(enc, idx.size(), 0x90000001u, out.data()).ok());
  EXPECT_TRUE(DecodeDictIndices(enc, idx.size(), 0x90000000u, out.data()).IsCorruption());
  // Width 31 with values just below / at the limit.
  std::vector<uint32_t> idx31(64, 0x7FFFFFFEu);
  idx31[3] = 0x7FFFFFFFu;
  enc.clear();
  EncodeDictIndices(idx31.data(), idx31.size(), 31, &enc);
  EXPECT_TRUE(DecodeDictIndices(enc, idx31.size(), 0x7FFFFFFFu, out.data()).IsCorruption());
  EXPECT_TRUE(DecodeDictIndices(enc, idx31.size(), 0x80000000u, out.data()).ok());
  // Width 16 levels: 40000 would look negative as int16.
  std::vector<uint32_t> lv(64, 1);
  lv[17] = 40000;
  RleEncoder e(16);
  e.PutBatch(lv.data(), lv.size());
  std::string s;
  e.Finish(&s);
  std::vector<int16_t> lout(lv.size());
  RleDecoder dec(U8(s), s.size(), 16);
  EXPECT_TRUE(dec.GetLevels(lout.data(), lout.size(), 32767).IsCorruption());
  RleDecoder dec2(U8(s), s.size(), 16);
  EXPECT_TRUE(dec2.GetLevels(lout.data(), 17, 1).ok());
  // Empty dictionary.
  RleDecoder dec3(U8(s), s.size(), 16);
  EXPECT_TRUE(dec3.GetIndices(out.data(), 1, 0).IsCorruption());
}

TEST(RleEncoding, DictIndicesOutOfRange) {
  uint32_t out[16];
  // Bit-packed: values 0..7 at width 3 with a dictionary of 7 entries.
  std::string packed = FromBytes({0x03, 0x03, 0x88, 0xC6, 0xFA});
  EXPECT_TRUE(DecodeDictIndices(packed, 8, 7, out).IsCorruption());
  EXPECT_TRUE(DecodeDictIndices(packed, 8, 8, out).ok());
  // Only 7 values requested: the 8th (padding) may exceed the dictionary.
  EXPECT_TRUE(DecodeDictIndices(packed, 7, 7, out).ok());
  // RLE run of value 5 with a 5-entry dictionary.
  std::string rle = FromBytes({0x03, 0x10, 0x05});
  EXPECT_TRUE(DecodeDictIndices(rle, 8, 5, out).IsCorruption());
  EXPECT_TRUE(DecodeDictIndices(rle, 8, 6, out).ok());
  // Bit width byte out of range, missing, empty dictionary.
  EXPECT_TRUE(DecodeDictIndices(FromBytes({33, 0x02, 0, 0, 0, 0, 0}), 1, 10, out).IsCorruption());
  EXPECT_TRUE(DecodeDictIndices("", 1, 10, out).IsCorruption());
  EXPECT_TRUE(DecodeDictIndices("", 0, 10, out).ok());
  EXPECT_TRUE(DecodeDictIndices(FromBytes({0, 0x02}), 1, 0, out).IsCorruption());
  // Bit width 0: all indices are 0.
  EXPECT_TRUE(DecodeDictIndices(FromBytes({0, 0x20}), 16, 1, out).ok());
  EXPECT_EQ(out[15], 0u);
  // Large packed stream with one bad index deep inside.
  std::vector<uint32_t> idx(5000);
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<uint32_t>(i % 1000);
  idx[4321] = 1000;
  std::string enc;
  EncodeDictIndices(idx.data(), idx.size(), 10, &enc);
  std::vector<uint32_t> o(idx.size());
  EXPECT_TRUE(DecodeDictIndices(enc, idx.size(), 1000, o.data()).IsCorruption());
  EXPECT_TRUE(DecodeDictIndices(enc, 4321, 1000, o.data()).ok());
  EXPECT_TRUE(DecodeDictIndices(enc, idx.size(), 1001, o.data()).ok());
  // Streaming via the decoder.
  RleDecoder dec(U8(enc) + 1, enc.size() - 1, 10);
  ASSERT_TRUE(dec.GetIndices(o.data(), 4000, 1000).ok());
  EXPECT_TRUE(dec.GetIndices(o.data(), 1000, 1000).IsCorruption());
}

// ---------------------------------------------------------------- levels

TEST(RleEncoding, LevelsV1RoundTrip) {
  std::mt19937_64 rng(8);
  for (int16_t max_level : {1, 2, 3, 7, 100, 32767}) {
    for (size_t n : {1, 8, 9, 1000, 30000}) {
      std::vector<int16_t> lv(n);
      for (size_t i = 0; i < n;) {
        int16_t x = static_cast<int16_t>(rng() % (static_cast<uint64_t>(max_level) + 1));
        size_t len = 1 + rng() % 20;
        for (size_t j = 0; j < len && i < n; ++j) lv[i++] = x;
      }
      std::string enc = "xyz";  // appends
      EncodeLevelsV1(lv.data(), n, max_level, &enc);
      uint32_t len;
      std::memcpy(&len, enc.data() + 3, 4);
      ASSERT_EQ(len, enc.size() - 7);
      enc += "trailing values";
      std::vector<int16_t> out(n);
      size_t consumed = 0;
      ASSERT_TRUE(
          DecodeLevelsV1(std::string_view(enc).substr(3), n, max_level, out.data(), &consumed)
              .ok());
      EXPECT_EQ(consumed, 4 + len);
      ASSERT_EQ(out, lv);
    }
  }
}

TEST(RleEncoding, LevelsV1ExactAndErrors) {
  std::vector<int16_t> lv(10, 1);
  std::string enc;
  EncodeLevelsV1(lv.data(), lv.size(), 1, &enc);
  EXPECT_EQ(ToBytes(enc), (Bytes{0x02, 0, 0, 0, 0x14, 0x01}));
  int16_t out[16];
  size_t consumed;
  // Length prefix overruns.
  EXPECT_TRUE(
      DecodeLevelsV1(FromBytes({0x03, 0, 0, 0, 0x14, 0x01}), 10, 1, out, &consumed).IsCorruption());
  EXPECT_TRUE(DecodeLevelsV1(FromBytes({0x02, 0}), 10, 1, out, &consumed).IsCorruption());
  // Level 3 with max level 2 (bit width 2 allows it): rejected, in RLE and packed runs.
  EXPECT_TRUE(
      DecodeLevelsV1(FromBytes({0x02, 0, 0, 0, 0x14, 0x03}), 10, 2, out, &consumed).IsCorruption());
  EXPECT_TRUE(DecodeLevelsV1(FromBytes({0x02, 0, 0, 0, 0x14, 0x02}), 10, 2, out, &consumed).ok());
  EXPECT_TRUE(DecodeLevelsV1(FromBytes({0x03, 0, 0, 0, 0x03, 0xC0, 0x00}), 8, 2, out, &consumed)
                  .IsCorruption());
  EXPECT_TRUE(
      DecodeLevelsV1(FromBytes({0x03, 0, 0, 0, 0x03, 0x80, 0x00}), 8, 2, out, &consumed).ok());
  // max_level 0: nothing stored.
  std::string none;
  EncodeLevelsV1(lv.data(), lv.size(), 0, &none);
  EXPECT_TRUE(none.empty());
  out[0] = 5;
  ASSERT_TRUE(DecodeLevelsV1("", 3, 0, out, &consumed).ok());
  EXPECT_EQ(consumed, 0u);
  EXPECT_EQ(out[0], 0);
}

TEST(RleEncoding, LevelsV2ViaDecoder) {
  std::vector<int16_t> lv = {0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 0, 0};
  RleEncoder enc(2);
  enc.PutBatch(lv.data(), lv.size());
  std::string s;
  enc.Finish(&s);
  std::vector<int16_t> out(lv.size());
  RleDecoder dec(U8(s), s.size(), 2);
  ASSERT_TRUE(dec.GetLevels(out.data(), out.size(), 2).ok());
  EXPECT_EQ(out, lv);
  RleDecoder dec2(U8(s), s.size(), 2);
  EXPECT_TRUE(dec2.GetLevels(out.data(), out.size(), 1).IsCorruption());
}

TEST(RleEncoding, RleBooleans) {
  std::mt19937_64 rng(12);
  for (size_t n : {0, 1, 7, 8, 9, 1000}) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = (rng() % 5 == 0) ? 1 : (i / 37) % 2;
    std::string enc;
    EncodeRleBooleans(v.data(), n, &enc);
    enc += "junk";
    std::vector<uint8_t> out(n);
    size_t consumed;
    ASSERT_TRUE(DecodeRleBooleans(enc, n, out.data(), &consumed).ok());
    EXPECT_EQ(consumed, enc.size() - 4);
    EXPECT_EQ(out, v);
  }
  uint8_t b[8];
  size_t consumed;
  EXPECT_TRUE(DecodeRleBooleans(FromBytes({1, 0, 0}), 1, b, &consumed).IsCorruption());
  EXPECT_TRUE(DecodeRleBooleans(FromBytes({9, 0, 0, 0, 1}), 1, b, &consumed).IsCorruption());
}

// ---------------------------------------------------------------- PLAIN

TEST(PlainEncoding, BooleansExactAndRoundTrip) {
  std::vector<uint8_t> v = {1, 0, 1, 1, 0, 0, 0, 0, 1};
  std::string enc;
  EncodePlainBooleans(v.data(), v.size(), &enc);
  EXPECT_EQ(ToBytes(enc), (Bytes{0x0D, 0x01}));
  std::mt19937_64 rng(1);
  for (size_t n : {0, 1, 7, 8, 9, 63, 64, 65, 1001}) {
    std::vector<uint8_t> in(n);
    for (auto& x : in) x = rng() % 2;
    std::string e;
    EncodePlainBooleans(in.data(), n, &e);
    ASSERT_EQ(e.size(), (n + 7) / 8);
    e += "more";
    std::vector<uint8_t> out(n + 1, 7);
    size_t consumed;
    ASSERT_TRUE(DecodePlainBooleans(e, n, out.data(), &consumed).ok());
    EXPECT_EQ(consumed, (n + 7) / 8);
    EXPECT_TRUE(std::equal(in.begin(), in.end(), out.begin()));
    EXPECT_EQ(out[n], 7);  // no overrun
    if (n > 0) {
      EXPECT_TRUE(DecodePlainBooleans(e.substr(0, (n + 7) / 8 - 1), n, out.data(), &consumed)
                      .IsCorruption());
    }
  }
}

struct ByteArrays {
  std::vector<int64_t> offsets{0};
  std::string bytes;
  void Add(std::string_view s) {
    bytes.append(s);
    offsets.push_back(static_cast<int64_t>(bytes.size()));
  }
  size_t size() const { return offsets.size() - 1; }
  std::string_view Get(size_t i) const {
    return std::string_view(bytes).substr(static_cast<size_t>(offsets[i]),
                                          static_cast<size_t>(offsets[i + 1] - offsets[i]));
  }
};

ByteArrays RandomStrings(std::mt19937_64& rng, size_t n, size_t max_len, bool shared_prefixes) {
  ByteArrays a;
  std::string prev;
  for (size_t i = 0; i < n; ++i) {
    std::string s;
    if (shared_prefixes && !prev.empty() && rng() % 4 != 0) s = prev.substr(0, rng() % prev.size());
    size_t len = rng() % (max_len + 1);
    for (size_t j = 0; j < len; ++j) s.push_back(static_cast<char>('a' + rng() % 4));
    if (rng() % 10 == 0) s.clear();
    a.Add(s);
    prev = s;
  }
  return a;
}

void ExpectSameArrays(const ByteArrays& a, const std::vector<int64_t>& offsets,
                      const std::string& bytes, size_t first = 0) {
  ASSERT_EQ(offsets.size(), first + a.size() + 1);
  for (size_t i = 0; i < a.size(); ++i) {
    std::string_view got(bytes.data() + offsets[first + i],
                         static_cast<size_t>(offsets[first + i + 1] - offsets[first + i]));
    ASSERT_EQ(got, a.Get(i)) << "value " << i;
  }
}

TEST(PlainEncoding, ByteArraysExact) {
  ByteArrays a;
  a.Add("ab");
  a.Add("");
  a.Add("xyz");
  std::string enc;
  EncodePlainByteArrays(a.offsets.data(), a.bytes.data(), a.size(), &enc);
  EXPECT_EQ(ToBytes(enc), (Bytes{2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0, 3, 0, 0, 0, 'x', 'y', 'z'}));
}

TEST(PlainEncoding, ByteArraysRoundTripAppends) {
  std::mt19937_64 rng(17);
  for (size_t max_len : {0, 3, 16, 17, 100}) {
    for (size_t n : {0, 1, 2, 100, 2000}) {
      ByteArrays a = RandomStrings(rng, n, max_len, false);
      std::string enc;
      EncodePlainByteArrays(a.offsets.data(), a.bytes.data(), n, &enc);
      const size_t enc_size = enc.size();
      enc += "tail!";
      std::vector<int64_t> offsets = {0, 3};
      std::string bytes = "pre";
      size_t consumed;
      ASSERT_TRUE(DecodePlainByteArrays(enc, n, &offsets, &bytes, &consumed).ok());
      EXPECT_EQ(consumed, enc_size);
      EXPECT_EQ(bytes.substr(0, 3), "pre");
      ExpectSameArrays(a, offsets, bytes, 1);
      EXPECT_EQ(offsets.back(), static_cast<int64_t>(bytes.size()));
    }
  }
}

TEST(PlainEncoding, ByteArraysTruncationAndErrors) {
  std::mt19937_64 rng(18);
  ByteArrays a = RandomStrings(rng, 50, 30, false);
  std::string enc;
  EncodePlainByteArrays(a.offsets.data(), a.bytes.data(), a.size(), &enc);
  for (size_t cut = 0; cut < enc.size(); ++cut) {
    std::vector<int64_t> offsets = {0};
    std::string bytes;
    size_t consumed;
    Status st = DecodePlainByteArrays(enc.substr(0, cut), a.size(), &offsets, &bytes, &consumed);
    ASSERT_TRUE(st.IsCorruption()) << cut;
    EXPECT_EQ(offsets.size(), 1u);  // rolled back
    EXPECT_TRUE(bytes.empty());
  }
  std::vector<int64_t> offsets = {0};
  std::string bytes;
  size_t consumed;
  // Length 0xFFFFFFFF.
  EXPECT_TRUE(
      DecodePlainByteArrays(FromBytes({0xFF, 0xFF, 0xFF, 0xFF, 1}), 1, &offsets, &bytes, &consumed)
          .IsCorruption());
  // Absurd count with tiny input: rejected before allocating.
  EXPECT_TRUE(
      DecodePlainByteArrays("abcd", size_t{1} << 40, &offsets, &bytes, &consumed).IsCorruption());
  // Offsets not matching bytes.
  std::vector<int64_t> bad = {0, 5};
  EXPECT_TRUE(DecodePlainByteArrays("", 0, &bad, &bytes, &consumed).IsInvalidArgument());
}

// ---------------------------------------------------------------- DELTA_BINARY_PACKED

TEST(DeltaEncoding, SpecExample1) {
  // Block size 8, 1 miniblock, 5 values, first 1; min delta 1, bit width 0.
  std::string enc = FromBytes({0x08, 0x01, 0x05, 0x02, 0x02, 0x00});
  int32_t out32[5];
  int64_t out64[5];
  size_t consumed;
  ASSERT_TRUE(DecodeDeltaBinaryPacked(enc, 5, out32, &consumed).ok());
  EXPECT_EQ(consumed, enc.size());
  EXPECT_EQ(std::vector<int32_t>(out32, out32 + 5), (std::vector<int32_t>{1, 2, 3, 4, 5}));
  ASSERT_TRUE(DecodeDeltaBinaryPacked(enc, 5, out64, &consumed).ok());
  EXPECT_EQ(std::vector<int64_t>(out64, out64 + 5), (std::vector<int64_t>{1, 2, 3, 4, 5}));
}

TEST(DeltaEncoding, SpecExample2) {
  // 7,5,3,1,2,3,4,5: min delta -2, relative deltas 0,0,0,3,3,3,3 at 2 bits
  // (LSB first: 0xC0 0x3F, the last slot is padding).
  std::string enc = FromBytes({0x08, 0x01, 0x08, 0x0E, 0x03, 0x02, 0xC0, 0x3F});
  int64_t out[8];
  size_t consumed;
  ASSERT_TRUE(DecodeDeltaBinaryPacked(enc, 8, out, &consumed).ok());
  EXPECT_EQ(consumed, enc.size());
  EXPECT_EQ(std::vector<int64_t>(out, out + 8), (std::vector<int64_t>{7, 5, 3, 1, 2, 3, 4, 5}));
  // Reading fewer values.
  ASSERT_TRUE(DecodeDeltaBinaryPacked(enc, 3, out, &consumed).ok());
  EXPECT_EQ(out[2], 3);
  ASSERT_TRUE(DecodeDeltaBinaryPacked(enc, 1, out, &consumed).ok());
  EXPECT_EQ(consumed, 4u);  // header only
  // Asking for more than the stream holds.
  EXPECT_TRUE(DecodeDeltaBinaryPacked(enc, 9, out, &consumed).IsCorruption());
}

TEST(DeltaEncoding, EncoderExactBytes) {
  std::vector<int32_t> a = {1, 2, 3, 4, 5};
  std::string enc;
  EncodeDeltaBinaryPacked(a.data(), a.size(), &enc);
  // <128> <4> <5> <zigzag 1>, block: <zigzag min 1> widths 0 0 0 0, no data.
  EXPECT_EQ(ToBytes(enc), (Bytes{0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0}));
  std::vector<int64_t> b = {7, 5, 3, 1, 2, 3, 4, 5};
  enc.clear();
  EncodeDeltaBinaryPacked(b.data(), b.size(), &enc);
  EXPECT_EQ(ToBytes(enc), (Bytes{0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 0x02, 0, 0, 0, 0xC0, 0x3F, 0,
                                 0, 0, 0, 0, 0}));
  // No values / one value: header only.
  enc.clear();
  EncodeDeltaBinaryPacked(b.data(), 0, &enc);
  EXPECT_EQ(ToBytes(enc), (Bytes{0x80, 0x01, 0x04, 0x00, 0x00}));
  enc.clear();
  EncodeDeltaBinaryPacked(b.data(), 1, &enc);
  EXPECT_EQ(ToBytes(enc), (Bytes{0x80, 0x01, 0x04, 0x01, 0x0E}));
}

template <typename T>
void DeltaRoundTrip(const std::vector<T>& v, std::mt19937_64& rng) {
  std::string enc;
  EncodeDeltaBinaryPacked(v.data(), v.size(), &enc);
  const size_t size = enc.size();
  enc += "trailer";
  std::vector<T> out(v.size());
  size_t consumed = 0;
  ASSERT_TRUE(DecodeDeltaBinaryPacked(enc, v.size(), out.data(), &consumed).ok());
  ASSERT_EQ(consumed, size);
  ASSERT_EQ(out, v);
  if (!v.empty()) {
    size_t k = rng() % v.size();
    ASSERT_TRUE(DecodeDeltaBinaryPacked(enc, k, out.data(), &consumed).ok());
    ASSERT_LE(consumed, size);
    ASSERT_TRUE(std::equal(out.begin(), out.begin() + static_cast<ptrdiff_t>(k), v.begin()));
  }
}

TEST(DeltaEncoding, RoundTripEveryBitWidth64) {
  std::mt19937_64 rng(64);
  for (int bw = 0; bw <= 64; ++bw) {
    for (size_t n : {0, 1, 2, 31, 32, 33, 127, 128, 129, 130, 257, 1000, 4097}) {
      std::vector<int64_t> v(n);
      uint64_t x = rng();
      for (size_t i = 0; i < n; ++i) {
        uint64_t d = bw == 64 ? rng() : (rng() & ((uint64_t{1} << bw) - 1));
        x += d;
        v[i] = static_cast<int64_t>(x);
      }
      DeltaRoundTrip(v, rng);
    }
  }
}

TEST(DeltaEncoding, RoundTripEveryBitWidth32) {
  std::mt19937_64 rng(32);
  for (int bw = 0; bw <= 32; ++bw) {
    for (size_t n : {0, 1, 2, 33, 128, 129, 1000}) {
      std::vector<int32_t> v(n);
      uint32_t x = static_cast<uint32_t>(rng());
      for (size_t i = 0; i < n; ++i) {
        uint32_t d = static_cast<uint32_t>(rng()) & (bw == 32 ? ~0u : (1u << bw) - 1);
        x += d;
        v[i] = static_cast<int32_t>(x);
      }
      DeltaRoundTrip(v, rng);
    }
  }
}

TEST(DeltaEncoding, WraparoundDeltas) {
  std::mt19937_64 rng(1);
  constexpr int32_t kMin32 = std::numeric_limits<int32_t>::min();
  constexpr int32_t kMax32 = std::numeric_limits<int32_t>::max();
  std::vector<int32_t> a;
  for (int i = 0; i < 300; ++i) a.push_back(i % 2 ? kMax32 : kMin32);
  DeltaRoundTrip(a, rng);
  a = {kMax32, kMin32, 0, -1, kMin32, kMin32, kMax32, 1, kMax32};
  DeltaRoundTrip(a, rng);
  // INT32 deltas use at most 32 bits.
  std::string enc;
  std::vector<int32_t> alt = {kMin32, kMax32, kMin32, kMax32};
  EncodeDeltaBinaryPacked(alt.data(), alt.size(), &enc);
  // header 80 01 04 04 FF FF FF FF 0F, min delta -1 (wrapped) -> 01, relative 0,2,0 -> width 2.
  ASSERT_GT(enc.size(), 10u);
  EXPECT_EQ(static_cast<uint8_t>(enc[9]), 0x01);
  EXPECT_EQ(static_cast<uint8_t>(enc[10]), 2);
  constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax64 = std::numeric_limits<int64_t>::max();
  std::vector<int64_t> b;
  for (int i = 0; i < 300; ++i) b.push_back(i % 3 == 0 ? kMax64 : (i % 3 == 1 ? kMin64 : 0));
  DeltaRoundTrip(b, rng);
}

TEST(DeltaEncoding, Int32MinDeltaWrittenAs64BitStillDecodes) {
  // A writer that computed INT32_MIN -> INT32_MAX as a 64-bit delta (2^32 - 1) instead of
  // the wrapped -1: the decoder's 32-bit arithmetic gives the same values.
  // header: block 8, 1 miniblock, 2 values, first zigzag(INT32_MIN) = 0xFFFFFFFF
  std::string enc = FromBytes({0x08, 0x01, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F,
                               // min delta zigzag(2^32 - 1) = 0x1FFFFFFFE
                               0xFE, 0xFF, 0xFF, 0xFF, 0x1F, 0x00});
  int32_t out[2];
  size_t consumed;
  ASSERT_TRUE(DecodeDeltaBinaryPacked(enc, 2, out, &consumed).ok());
  EXPECT_EQ(out[0], std::numeric_limits<int32_t>::min());
  EXPECT_EQ(out[1], std::numeric_limits<int32_t>::max());
}

TEST(DeltaEncoding, UnusedMiniblockWidthsAndPaddingMayBeGarbage) {
  std::vector<int64_t> v = {10, 11, 13, 16, 20};
  std::string enc;
  EncodeDeltaBinaryPacked(v.data(), v.size(), &enc);
  // header 5 bytes (80 01 04 05 14), min delta (1 byte), widths at [6..9].
  ASSERT_EQ(static_cast<uint8_t>(enc[7]), 0);
  enc[7] = static_cast<char>(0xEE);  // unused miniblocks: garbage widths, no data
  enc[8] = static_cast<char>(0x41);
  enc[9] = static_cast<char>(0xFF);
  // Padding bits in the first miniblock after the 4 deltas: garbage.
  const int w = static_cast<uint8_t>(enc[6]);
  ASSERT_GT(w, 0);
  for (size_t i = 10 + static_cast<size_t>(w); i < enc.size(); ++i) enc[i] = '\xA5';
  int64_t out[5];
  size_t consumed;
  ASSERT_TRUE(DecodeDeltaBinaryPacked(enc, 5, out, &consumed).ok());
  EXPECT_EQ(consumed, enc.size());
  EXPECT_EQ(std::vector<int64_t>(out, out + 5), v);
  // A used miniblock with an impossible width is rejected.
  enc[6] = 65;
  EXPECT_TRUE(DecodeDeltaBinaryPacked(enc, 5, out, &consumed).IsCorruption());
  int32_t out32[5];
  EXPECT_TRUE(DecodeDeltaBinaryPacked(enc, 5, out32, &consumed).IsCorruption());
}

TEST(DeltaEncoding, Int32StreamWith64BitDeltas) {
  // DuckDB 1.5 computes INT32 deltas in 64 bits: miniblock widths of 33 and a min
  // delta outside int32. Encoding the values as INT64 produces exactly such a stream;
  // an INT32 decoder must accept it and recover the values (arithmetic mod 2^32).
  constexpr int64_t kMin = std::numeric_limits<int32_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  std::mt19937_64 rng(33);
  std::vector<int64_t> wide;
  for (int i = 0; i < 1000; ++i) {
    switch (i % 4) {
      case 0:
        wide.push_back(kMin);
        break;
      case 1:
        wide.push_back(kMax);
        break;
      case 2:
        wide.push_back(static_cast<int64_t>(rng() % 65536) - 32768);
        break;
      default:
        wide.push_back(kMin + static_cast<int64_t>(rng() % 5));
        break;
    }
  }
  std::string enc;
  EncodeDeltaBinaryPacked(wide.data(), wide.size(), &enc);
  // The first block's first miniblock needs 33 bits (relative deltas up to 2^33 - 2).
  const size_t widths_at = 2 + 1 + 2 + 5 + 5;  // header (128, 4, 1000, first) + min delta
  ASSERT_EQ(static_cast<uint8_t>(enc[widths_at]), 33);
  std::vector<int32_t> out(wide.size());
  size_t consumed;
  ASSERT_TRUE(DecodeDeltaBinaryPacked(enc, out.size(), out.data(), &consumed).ok());
  EXPECT_EQ(consumed, enc.size());
  for (size_t i = 0; i < wide.size(); ++i) ASSERT_EQ(out[i], wide[i]) << i;
}

TEST(DeltaEncoding, RejectsBadHeaders) {
  int64_t out[4];
  size_t consumed;
  auto bad = [&](const Bytes& b, size_t n) {
    return DecodeDeltaBinaryPacked(FromBytes(b), n, out, &consumed).IsCorruption();
  };
  EXPECT_TRUE(bad({}, 1));
  EXPECT_TRUE(bad({0x80, 0x01, 0x04}, 1));                          // truncated
  EXPECT_TRUE(bad({0x00, 0x01, 0x01, 0x00}, 1));                    // block size 0
  EXPECT_TRUE(bad({0x80, 0x01, 0x00, 0x01, 0x00}, 1));              // 0 miniblocks
  EXPECT_TRUE(bad({0x80, 0x01, 0x03, 0x01, 0x00}, 1));              // 128 / 3
  EXPECT_TRUE(bad({0x0C, 0x01, 0x01, 0x00}, 1));                    // miniblock of 12 values
  EXPECT_TRUE(bad({0x80, 0x01, 0x04, 0x02, 0x00}, 2));              // block missing
  EXPECT_TRUE(bad({0x80, 0x01, 0x04, 0x02, 0x00, 0x00, 0x05}, 2));  // widths truncated
  EXPECT_TRUE(bad({0x80, 0x01, 0x04, 0x02, 0x00, 0x00, 0x05, 0, 0, 0}, 2));  // data missing
  // Huge declared count but only a few values wanted: fine, nothing allocated.
  std::string huge =
      FromBytes({0x80, 0x01, 0x04, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x02, 0x02, 0, 0, 0, 0});
  ASSERT_TRUE(DecodeDeltaBinaryPacked(huge, 4, out, &consumed).ok());
  EXPECT_EQ(out[3], 4);
  // Empty data with nothing to decode.
  EXPECT_TRUE(DecodeDeltaBinaryPacked("", 0, out, &consumed).ok());
}

TEST(DeltaEncoding, TruncationAndMutationNeverCrash) {
  std::mt19937_64 rng(123);
  std::vector<int64_t> v(700);
  for (auto& x : v) x = static_cast<int64_t>(rng() % 100000) - 50000;
  std::string enc;
  EncodeDeltaBinaryPacked(v.data(), v.size(), &enc);
  std::vector<int64_t> out(v.size());
  std::vector<int32_t> out32(v.size());
  size_t consumed;
  for (size_t cut = 0; cut < enc.size(); ++cut) {
    Status st = DecodeDeltaBinaryPacked(enc.substr(0, cut), v.size(), out.data(), &consumed);
    ASSERT_TRUE(st.IsCorruption()) << cut;
  }
  for (int iter = 0; iter < 2000; ++iter) {
    std::string m = enc;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) {
      m[rng() % m.size()] ^= static_cast<char>(1 + rng() % 255);
    }
    (void)DecodeDeltaBinaryPacked(m, v.size(), out.data(), &consumed);
    (void)DecodeDeltaBinaryPacked(m, v.size(), out32.data(), &consumed);
  }
}

// ---------------------------------------------------------------- DELTA_LENGTH_BYTE_ARRAY

TEST(DeltaEncoding, LengthByteArraySpecExample) {
  ByteArrays a;
  for (const char* s : {"Hello", "World", "Foobar", "ABCDEF"}) a.Add(s);
  std::string enc;
  EncodeDeltaLengthByteArray(a.offsets.data(), a.bytes.data(), a.size(), &enc);
  std::vector<int32_t> lengths = {5, 5, 6, 6};
  std::string expect;
  EncodeDeltaBinaryPacked(lengths.data(), lengths.size(), &expect);
  expect += "HelloWorldFoobarABCDEF";
  EXPECT_EQ(enc, expect);
  std::vector<int64_t> offsets = {0};
  std::string bytes;
  size_t consumed;
  ASSERT_TRUE(DecodeDeltaLengthByteArray(enc, 4, &offsets, &bytes, &consumed).ok());
  EXPECT_EQ(consumed, enc.size());
  ExpectSameArrays(a, offsets, bytes);
}

TEST(DeltaEncoding, LengthByteArrayRoundTrip) {
  std::mt19937_64 rng(6);
  for (size_t n : {0, 1, 2, 127, 128, 129, 3000}) {
    ByteArrays a = RandomStrings(rng, n, 40, false);
    std::string enc;
    EncodeDeltaLengthByteArray(a.offsets.data(), a.bytes.data(), n, &enc);
    const size_t size = enc.size();
    enc += "zz";
    std::vector<int64_t> offsets = {0, 2};
    std::string bytes = "ab";
    size_t consumed;
    ASSERT_TRUE(DecodeDeltaLengthByteArray(enc, n, &offsets, &bytes, &consumed).ok());
    EXPECT_EQ(consumed, size);
    ExpectSameArrays(a, offsets, bytes, 1);
    // Fewer values than stored: the byte data still starts after all the lengths.
    if (n > 1) {
      std::vector<int64_t> o2 = {0};
      std::string b2;
      ASSERT_TRUE(DecodeDeltaLengthByteArray(enc, n / 2, &o2, &b2, &consumed).ok());
      ASSERT_EQ(o2.size(), n / 2 + 1);
      for (size_t i = 0; i < n / 2; ++i) {
        ASSERT_EQ(b2.substr(static_cast<size_t>(o2[i]), static_cast<size_t>(o2[i + 1] - o2[i])),
                  a.Get(i));
      }
    }
    for (size_t cut = 0; cut < size; cut += 1 + size / 50) {
      std::vector<int64_t> o3 = {0};
      std::string b3;
      if (n == 0) break;
      EXPECT_TRUE(
          DecodeDeltaLengthByteArray(enc.substr(0, cut), n, &o3, &b3, &consumed).IsCorruption());
      EXPECT_EQ(o3.size(), 1u);
    }
  }
}

TEST(DeltaEncoding, LengthByteArrayErrors) {
  std::vector<int64_t> offsets = {0};
  std::string bytes;
  size_t consumed;
  std::vector<int32_t> lens = {3, -1, 2};
  std::string enc;
  EncodeDeltaBinaryPacked(lens.data(), lens.size(), &enc);
  EXPECT_TRUE(
      DecodeDeltaLengthByteArray(enc + "abcdef", 3, &offsets, &bytes, &consumed).IsCorruption());
  lens = {3, 4, 2};
  enc.clear();
  EncodeDeltaBinaryPacked(lens.data(), lens.size(), &enc);
  EXPECT_TRUE(
      DecodeDeltaLengthByteArray(enc + "abcdefgh", 3, &offsets, &bytes, &consumed).IsCorruption());
  EXPECT_TRUE(DecodeDeltaLengthByteArray(enc + "abcdefghi", 3, &offsets, &bytes, &consumed).ok());
  EXPECT_TRUE(
      DecodeDeltaLengthByteArray(enc + "abcdefghi", 4, &offsets, &bytes, &consumed).IsCorruption());
}

// ---------------------------------------------------------------- DELTA_BYTE_ARRAY

TEST(DeltaEncoding, ByteArraySpecExample) {
  ByteArrays a;
  for (const char* s : {"axis", "axle", "babble", "babyhood"}) a.Add(s);
  std::string enc;
  EncodeDeltaByteArray(a.offsets.data(), a.bytes.data(), a.size(), &enc);
  std::vector<int32_t> prefixes = {0, 2, 0, 3}, suffixes = {4, 2, 6, 5};
  std::string expect;
  EncodeDeltaBinaryPacked(prefixes.data(), 4, &expect);
  EncodeDeltaBinaryPacked(suffixes.data(), 4, &expect);
  expect += "axislebabbleyhood";
  EXPECT_EQ(enc, expect);
  std::vector<int64_t> offsets = {0};
  std::string bytes;
  size_t consumed;
  ASSERT_TRUE(DecodeDeltaByteArray(enc, 4, &offsets, &bytes, &consumed).ok());
  EXPECT_EQ(consumed, enc.size());
  ExpectSameArrays(a, offsets, bytes);
}

TEST(DeltaEncoding, ByteArrayRoundTrip) {
  std::mt19937_64 rng(77);
  for (size_t n : {0, 1, 2, 100, 1025, 3000}) {
    ByteArrays a = RandomStrings(rng, n, 20, true);
    std::string enc;
    EncodeDeltaByteArray(a.offsets.data(), a.bytes.data(), n, &enc);
    const size_t size = enc.size();
    enc += "junk";
    std::vector<int64_t> offsets = {0, 1};
    std::string bytes = "q";
    size_t consumed;
    ASSERT_TRUE(DecodeDeltaByteArray(enc, n, &offsets, &bytes, &consumed).ok());
    EXPECT_EQ(consumed, size);
    ExpectSameArrays(a, offsets, bytes, 1);
    for (size_t cut = 0; cut < size && n > 0; cut += 1 + size / 40) {
      std::vector<int64_t> o = {0};
      std::string b;
      EXPECT_TRUE(DecodeDeltaByteArray(enc.substr(0, cut), n, &o, &b, &consumed).IsCorruption());
      EXPECT_EQ(o.size(), 1u);
      EXPECT_TRUE(b.empty());
    }
  }
}

std::string RawDeltaByteArray(const std::vector<int32_t>& pre, const std::vector<int32_t>& suf,
                              std::string_view data) {
  std::string enc;
  EncodeDeltaBinaryPacked(pre.data(), pre.size(), &enc);
  EncodeDeltaBinaryPacked(suf.data(), suf.size(), &enc);
  enc.append(data);
  return enc;
}

TEST(DeltaEncoding, ByteArrayErrors) {
  std::vector<int64_t> offsets = {0};
  std::string bytes;
  size_t consumed;
  // First value cannot have a prefix.
  EXPECT_TRUE(
      DecodeDeltaByteArray(RawDeltaByteArray({1}, {2}, "ab"), 1, &offsets, &bytes, &consumed)
          .IsCorruption());
  // Prefix longer than the previous value.
  EXPECT_TRUE(
      DecodeDeltaByteArray(RawDeltaByteArray({0, 3}, {2, 1}, "abc"), 2, &offsets, &bytes, &consumed)
          .IsCorruption());
  EXPECT_TRUE(
      DecodeDeltaByteArray(RawDeltaByteArray({0, 2}, {2, 1}, "abc"), 2, &offsets, &bytes, &consumed)
          .ok());
  EXPECT_EQ(bytes, "ababc");
  // Suffix data too short; negative lengths; too few prefixes.
  EXPECT_TRUE(
      DecodeDeltaByteArray(RawDeltaByteArray({0, 2}, {2, 1}, "ab"), 2, &offsets, &bytes, &consumed)
          .IsCorruption());
  EXPECT_TRUE(DecodeDeltaByteArray(RawDeltaByteArray({0, -1}, {2, 1}, "abc"), 2, &offsets, &bytes,
                                   &consumed)
                  .IsCorruption());
  EXPECT_TRUE(
      DecodeDeltaByteArray(RawDeltaByteArray({0}, {2, 1}, "abc"), 2, &offsets, &bytes, &consumed)
          .IsCorruption());
  // Decompression bomb: a 2 MiB value repeated through prefixes would expand past 1 GiB.
  std::vector<int32_t> pre(1024, 2 << 20), suf(1024, 0);
  pre[0] = 0;
  suf[0] = 2 << 20;
  std::string bomb = RawDeltaByteArray(pre, suf, std::string(2 << 20, 'x'));
  std::vector<int64_t> o = {0};
  std::string b;
  EXPECT_TRUE(DecodeDeltaByteArray(bomb, 1024, &o, &b, &consumed).IsCorruption());
  // Modest prefix sharing is fine.
  EXPECT_TRUE(DecodeDeltaByteArray(bomb, 20, &o, &b, &consumed).ok());
  EXPECT_EQ(b.size(), 20u * (2 << 20));
}

TEST(DeltaEncoding, ByteArrayFixed) {
  std::mt19937_64 rng(4);
  const int width = 6;
  ByteArrays a;
  std::string prev = "abcdef";
  for (int i = 0; i < 500; ++i) {
    std::string s = prev.substr(0, rng() % 7);
    while (s.size() < width) s.push_back(static_cast<char>('a' + rng() % 3));
    a.Add(s);
    prev = s;
  }
  std::string enc;
  EncodeDeltaByteArray(a.offsets.data(), a.bytes.data(), a.size(), &enc);
  std::string bytes = "#";
  size_t consumed;
  ASSERT_TRUE(DecodeDeltaByteArrayFixed(enc, a.size(), width, &bytes, &consumed).ok());
  EXPECT_EQ(consumed, enc.size());
  EXPECT_EQ(bytes, "#" + a.bytes);
  std::string b2;
  EXPECT_TRUE(DecodeDeltaByteArrayFixed(enc, a.size(), width + 1, &b2, &consumed).IsCorruption());
  EXPECT_TRUE(b2.empty());
  EXPECT_TRUE(DecodeDeltaByteArrayFixed(enc, 1, -1, &b2, &consumed).IsInvalidArgument());
}

TEST(DeltaEncoding, ByteArrayMutationNeverCrash) {
  std::mt19937_64 rng(55);
  ByteArrays a = RandomStrings(rng, 300, 12, true);
  std::string dba, dlba;
  EncodeDeltaByteArray(a.offsets.data(), a.bytes.data(), a.size(), &dba);
  EncodeDeltaLengthByteArray(a.offsets.data(), a.bytes.data(), a.size(), &dlba);
  for (int iter = 0; iter < 1500; ++iter) {
    for (const std::string* src : {&dba, &dlba}) {
      std::string m = *src;
      for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) {
        m[rng() % m.size()] ^= static_cast<char>(1 + rng() % 255);
      }
      std::vector<int64_t> o = {0};
      std::string b;
      size_t consumed;
      (void)DecodeDeltaByteArray(m, a.size(), &o, &b, &consumed);
      o = {0};
      b.clear();
      (void)DecodeDeltaLengthByteArray(m, a.size(), &o, &b, &consumed);
      b.clear();
      (void)DecodeDeltaByteArrayFixed(m, a.size(), 5, &b, &consumed);
    }
  }
}

// ---------------------------------------------------------------- BYTE_STREAM_SPLIT

TEST(ByteStreamSplitEncoding, SpecExample) {
  Bytes in = {0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33, 0xA3, 0xB4, 0xC5, 0xD6};
  std::string enc;
  EncodeByteStreamSplit(in.data(), 3, 4, &enc);
  EXPECT_EQ(ToBytes(enc),
            (Bytes{0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4, 0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6}));
  Bytes out(12);
  ASSERT_TRUE(DecodeByteStreamSplit(enc, 3, 4, out.data()).ok());
  EXPECT_EQ(out, in);
}

TEST(ByteStreamSplitEncoding, RoundTripWidths) {
  std::mt19937_64 rng(9);
  for (int width = 1; width <= 20; ++width) {
    for (size_t n : {0, 1, 2, 7, 100, 1001}) {
      Bytes in(n * static_cast<size_t>(width));
      for (auto& b : in) b = static_cast<uint8_t>(rng());
      std::string enc;
      EncodeByteStreamSplit(in.data(), n, width, &enc);
      ASSERT_EQ(enc.size(), in.size());
      Bytes out(in.size() + 1, 0x5A);
      ASSERT_TRUE(DecodeByteStreamSplit(enc, n, width, out.data()).ok());
      EXPECT_TRUE(std::equal(in.begin(), in.end(), out.begin()));
      EXPECT_EQ(out.back(), 0x5A);
      if (!enc.empty()) {
        EXPECT_TRUE(DecodeByteStreamSplit(enc.substr(1), n, width, out.data()).IsCorruption());
        EXPECT_TRUE(DecodeByteStreamSplit(enc + "x", n, width, out.data()).IsCorruption());
      }
    }
  }
  uint8_t out[8];
  EXPECT_TRUE(DecodeByteStreamSplit("", 0, 0, out).IsInvalidArgument());
  EXPECT_TRUE(DecodeByteStreamSplit("abcd", size_t{1} << 62, 8, out).IsCorruption());
}

}  // namespace
}  // namespace parquedb::parquet
