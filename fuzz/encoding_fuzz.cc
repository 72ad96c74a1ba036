// libFuzzer target for the Parquet value/level decoders (src/parquet/encoding.cc).
//
// Input layout: an 8-byte parameter header, then the encoded bytes.
//   [0] selector  (low bits pick a decoder to favour; every decoder runs anyway)
//   [1] bit width (mod 34, so the invalid width 33 is exercised too)
//   [2..3] value count n (little-endian, mod 4096)
//   [4] dictionary size seed   [5] max level seed   [6] fixed width seed
//   [7] batch size seed for streaming decodes
// Every decoder must either succeed or return an error: no crash, no sanitizer report,
// no out-of-bounds write. Successful decodes are re-encoded and checked to round-trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "parquet/encoding.h"

namespace pq = parquedb::parquet;

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void RleDecoders(std::string_view data, size_t n, int bw, uint32_t dict_size, int16_t max_level,
                 size_t batch) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(data.data());
  std::vector<uint32_t> u32(n);
  std::vector<int16_t> i16(n);
  std::vector<uint8_t> u8(n);
  {
    pq::RleDecoder dec(p, data.size(), bw);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i += batch) {
      ok = dec.GetBatch(u32.data() + i, std::min(batch, n - i)).ok();
    }
    if (ok && bw <= 32) {
      // Round trip: re-encode what we decoded and decode again.
      pq::RleEncoder enc(bw);
      enc.PutBatch(u32.data(), n);
      std::string re;
      enc.Finish(&re);
      std::vector<uint32_t> again(n);
      pq::RleDecoder dec2(reinterpret_cast<const uint8_t*>(re.data()), re.size(), bw);
      Check(dec2.GetBatch(again.data(), n).ok());
      Check(again == u32);
    }
  }
  {
    pq::RleDecoder dec(p, data.size(), bw);
    (void)dec.GetBatch(i16.data(), n);
  }
  {
    pq::RleDecoder dec(p, data.size(), bw);
    (void)dec.GetBatch(u8.data(), n);
  }
  {
    pq::RleDecoder dec(p, data.size(), bw);
    if (dec.GetLevels(i16.data(), n, max_level).ok()) {
      for (size_t i = 0; i < n; ++i) Check(i16[i] >= 0 && i16[i] <= max_level);
    }
  }
  {
    pq::RleDecoder dec(p, data.size(), bw);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i += batch) {
      ok = dec.GetIndices(u32.data() + i, std::min(batch, n - i), dict_size).ok();
    }
    if (ok) {
      for (size_t i = 0; i < n; ++i) Check(u32[i] < dict_size);
    }
  }
  size_t consumed = 0;
  if (pq::DecodeLevelsV1(data, n, max_level, i16.data(), &consumed).ok()) {
    Check(consumed <= data.size());
    for (size_t i = 0; i < n; ++i) Check(i16[i] >= 0 && i16[i] <= max_level);
  }
  if (pq::DecodeDictIndices(data, n, dict_size, u32.data()).ok()) {
    for (size_t i = 0; i < n; ++i) Check(u32[i] < dict_size);
  }
  if (pq::DecodeRleBooleans(data, n, u8.data(), &consumed).ok()) {
    Check(consumed <= data.size());
    for (size_t i = 0; i < n; ++i) Check(u8[i] <= 1);
  }
}

void PlainDecoders(std::string_view data, size_t n) {
  std::vector<uint8_t> bools(n);
  size_t consumed = 0;
  if (pq::DecodePlainBooleans(data, n, bools.data(), &consumed).ok()) {
    Check(consumed <= data.size());
    std::string re;
    pq::EncodePlainBooleans(bools.data(), n, &re);
    std::vector<uint8_t> again(n);
    Check(pq::DecodePlainBooleans(re, n, again.data(), &consumed).ok());
    Check(again == bools);
  }
  std::vector<int64_t> offsets = {0};
  std::string bytes;
  if (pq::DecodePlainByteArrays(data, n, &offsets, &bytes, &consumed).ok()) {
    Check(consumed <= data.size());
    Check(offsets.size() == n + 1 && offsets.back() == static_cast<int64_t>(bytes.size()));
    std::string re;
    pq::EncodePlainByteArrays(offsets.data(), bytes.data(), n, &re);
    Check(re == data.substr(0, consumed));
  }
}

template <typename T>
void DeltaDecoder(std::string_view data, size_t n) {
  std::vector<T> out(n);
  size_t consumed = 0;
  if (!pq::DecodeDeltaBinaryPacked(data, n, out.data(), &consumed).ok()) return;
  Check(consumed <= data.size());
  std::string re;
  pq::EncodeDeltaBinaryPacked(out.data(), n, &re);
  std::vector<T> again(n);
  Check(pq::DecodeDeltaBinaryPacked(re, n, again.data(), &consumed).ok());
  Check(consumed == re.size());
  Check(again == out);
}

void ByteArrayDecoders(std::string_view data, size_t n, int width) {
  size_t consumed = 0;
  {
    std::vector<int64_t> offsets = {0};
    std::string bytes;
    if (pq::DecodeDeltaLengthByteArray(data, n, &offsets, &bytes, &consumed).ok()) {
      Check(consumed <= data.size());
      Check(offsets.size() == n + 1 && offsets.back() == static_cast<int64_t>(bytes.size()));
      std::string re;
      pq::EncodeDeltaLengthByteArray(offsets.data(), bytes.data(), n, &re);
      std::vector<int64_t> o2 = {0};
      std::string b2;
      Check(pq::DecodeDeltaLengthByteArray(re, n, &o2, &b2, &consumed).ok());
      Check(o2 == offsets && b2 == bytes);
    }
  }
  {
    std::vector<int64_t> offsets = {0};
    std::string bytes;
    if (pq::DecodeDeltaByteArray(data, n, &offsets, &bytes, &consumed).ok()) {
      Check(consumed <= data.size());
      Check(offsets.size() == n + 1 && offsets.back() == static_cast<int64_t>(bytes.size()));
      std::string re;
      pq::EncodeDeltaByteArray(offsets.data(), bytes.data(), n, &re);
      std::vector<int64_t> o2 = {0};
      std::string b2;
      Check(pq::DecodeDeltaByteArray(re, n, &o2, &b2, &consumed).ok());
      Check(o2 == offsets && b2 == bytes);
    }
  }
  {
    std::string bytes;
    if (pq::DecodeDeltaByteArrayFixed(data, n, width, &bytes, &consumed).ok()) {
      Check(bytes.size() == n * static_cast<size_t>(width));
    }
  }
  {
    const size_t w = static_cast<size_t>(width);
    std::vector<uint8_t> out(n * w);
    // Exact size (the normal case) and the raw remainder (usually a size mismatch).
    std::string_view exact = data.substr(0, std::min(data.size(), n * w));
    if (pq::DecodeByteStreamSplit(exact, n, width, out.data()).ok()) {
      std::string re;
      pq::EncodeByteStreamSplit(out.data(), n, width, &re);
      Check(re == exact);
    }
    (void)pq::DecodeByteStreamSplit(data, n, width, out.data());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* input, size_t size) {
  if (size < 8) return 0;
  const uint8_t selector = input[0];
  const int bw = input[1] % 34;
  const size_t n = (static_cast<size_t>(input[2]) | static_cast<size_t>(input[3]) << 8) % 4096;
  const uint32_t dict_size = input[4] == 0 ? 0 : 1 + static_cast<uint32_t>(input[4]) * 131 % 70000;
  const int16_t max_level = static_cast<int16_t>(input[5] % 40);
  const int width = 1 + input[6] % 20;
  const size_t batch = 1 + input[7] % 64;
  std::string_view data(reinterpret_cast<const char*>(input + 8), size - 8);

  // Run the selected family first (so its coverage is attributed), then the rest.
  switch (selector % 4) {
    case 0:
      RleDecoders(data, n, bw, dict_size, max_level, batch);
      break;
    case 1:
      PlainDecoders(data, n);
      break;
    case 2:
      DeltaDecoder<int32_t>(data, n);
      break;
    default:
      ByteArrayDecoders(data, n, width);
      break;
  }
  if (selector & 0x80) return 0;  // focused mode
  RleDecoders(data, n, bw, dict_size, max_level, batch);
  PlainDecoders(data, n);
  DeltaDecoder<int32_t>(data, n);
  DeltaDecoder<int64_t>(data, n);
  ByteArrayDecoders(data, n, width);
  return 0;
}
