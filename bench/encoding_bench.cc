// Micro-benchmarks for the hot decode paths of src/parquet/encoding.cc and
// compression.cc. Bytes processed = decoded (output) bytes unless noted.
#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "parquet/compression.h"
#include "parquet/encoding.h"

namespace parquedb::parquet {
namespace {

constexpr size_t kValues = 1 << 20;
constexpr size_t kBatch = 4096;  // values per call, as a column reader would ask

// Definition levels (max 1): arg 0 = all present, otherwise 1 in `arg` values is null.
void BM_RleLevelDecode(benchmark::State& state) {
  std::mt19937_64 rng(1);
  const int64_t null_every = state.range(0);
  std::vector<int16_t> levels(kValues);
  for (auto& l : levels) l = (null_every > 0 && rng() % null_every == 0) ? 0 : 1;
  std::string enc;
  EncodeLevelsV1(levels.data(), levels.size(), 1, &enc);
  std::vector<int16_t> out(kValues);
  for (auto _ : state) {
    size_t consumed;
    Status st = DecodeLevelsV1(enc, kValues, 1, out.data(), &consumed);
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kValues));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kValues * sizeof(int16_t)));
  state.counters["encoded_bytes"] = static_cast<double>(enc.size());
}
BENCHMARK(BM_RleLevelDecode)->Arg(0)->Arg(10)->Arg(2);

// Dictionary indices, uniformly random at the given bit width (all bit-packed).
void BM_DictIndexDecode(benchmark::State& state) {
  std::mt19937_64 rng(2);
  const int bw = static_cast<int>(state.range(0));
  const uint32_t dict_size = 1u << bw;
  std::vector<uint32_t> idx(kValues);
  for (auto& x : idx) x = static_cast<uint32_t>(rng() % dict_size);
  std::string enc;
  EncodeDictIndices(idx.data(), idx.size(), bw, &enc);
  std::vector<uint32_t> out(kValues);
  for (auto _ : state) {
    Status st = DecodeDictIndices(enc, kValues, dict_size, out.data());
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kValues));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kValues * sizeof(uint32_t)));
}
BENCHMARK(BM_DictIndexDecode)->Arg(3)->Arg(10)->Arg(17);

// Same, streamed in batches through RleDecoder with a dictionary bound that is not a
// power of two (forces the fused range check).
void BM_DictIndexDecodeBatched(benchmark::State& state) {
  std::mt19937_64 rng(3);
  const int bw = static_cast<int>(state.range(0));
  const uint32_t dict_size = (1u << bw) - 1;
  std::vector<uint32_t> idx(kValues);
  for (auto& x : idx) x = static_cast<uint32_t>(rng() % dict_size);
  std::string enc;
  EncodeDictIndices(idx.data(), idx.size(), bw, &enc);
  std::vector<uint32_t> out(kBatch);
  for (auto _ : state) {
    RleDecoder dec(reinterpret_cast<const uint8_t*>(enc.data()) + 1, enc.size() - 1, bw);
    for (size_t i = 0; i < kValues; i += kBatch) {
      Status st = dec.GetIndices(out.data(), kBatch, dict_size);
      if (!st.ok()) state.SkipWithError(st.ToString().c_str());
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kValues));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kValues * sizeof(uint32_t)));
}
BENCHMARK(BM_DictIndexDecodeBatched)->Arg(3)->Arg(10)->Arg(17);

void BM_DictIndexEncode(benchmark::State& state) {
  std::mt19937_64 rng(4);
  const int bw = static_cast<int>(state.range(0));
  std::vector<uint32_t> idx(kValues);
  for (auto& x : idx) x = static_cast<uint32_t>(rng() % (1u << bw));
  std::string enc;
  for (auto _ : state) {
    enc.clear();
    EncodeDictIndices(idx.data(), idx.size(), bw, &enc);
    benchmark::DoNotOptimize(enc.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kValues));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kValues * sizeof(uint32_t)));
}
BENCHMARK(BM_DictIndexEncode)->Arg(3)->Arg(10)->Arg(17);

// INT64 timestamps with small jittery deltas (arg 0) or random INT32 (arg 1).
void BM_DeltaDecode(benchmark::State& state) {
  std::mt19937_64 rng(5);
  std::string enc;
  std::vector<int64_t> out64(kValues);
  std::vector<int32_t> out32(kValues);
  const bool random32 = state.range(0) == 1;
  if (random32) {
    std::vector<int32_t> v(kValues);
    for (auto& x : v) x = static_cast<int32_t>(rng());
    EncodeDeltaBinaryPacked(v.data(), v.size(), &enc);
  } else {
    std::vector<int64_t> v(kValues);
    int64_t t = 1700000000000000;
    for (auto& x : v) x = (t += 1000 + static_cast<int64_t>(rng() % 200));
    EncodeDeltaBinaryPacked(v.data(), v.size(), &enc);
  }
  for (auto _ : state) {
    size_t consumed;
    Status st = random32 ? DecodeDeltaBinaryPacked(enc, kValues, out32.data(), &consumed)
                         : DecodeDeltaBinaryPacked(enc, kValues, out64.data(), &consumed);
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    benchmark::DoNotOptimize(out32.data());
    benchmark::DoNotOptimize(out64.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kValues));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kValues * (random32 ? 4 : 8)));
}
BENCHMARK(BM_DeltaDecode)->Arg(0)->Arg(1);

void MakeStrings(size_t n, size_t max_len, std::vector<int64_t>* offsets, std::string* bytes) {
  std::mt19937_64 rng(6);
  offsets->assign(1, 0);
  bytes->clear();
  for (size_t i = 0; i < n; ++i) {
    size_t len = 1 + rng() % max_len;
    for (size_t j = 0; j < len; ++j) bytes->push_back(static_cast<char>('a' + rng() % 26));
    offsets->push_back(static_cast<int64_t>(bytes->size()));
  }
}

// PLAIN BYTE_ARRAY, strings of 1..arg bytes.
void BM_PlainByteArrayDecode(benchmark::State& state) {
  std::vector<int64_t> offsets;
  std::string bytes;
  MakeStrings(kValues, static_cast<size_t>(state.range(0)), &offsets, &bytes);
  std::string enc;
  EncodePlainByteArrays(offsets.data(), bytes.data(), kValues, &enc);
  std::vector<int64_t> out_offsets;
  std::string out_bytes;
  out_offsets.reserve(kValues + 1);
  out_bytes.reserve(bytes.size() + 64);
  for (auto _ : state) {
    out_offsets.assign(1, 0);
    out_bytes.clear();
    size_t consumed;
    Status st = DecodePlainByteArrays(enc, kValues, &out_offsets, &out_bytes, &consumed);
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    benchmark::DoNotOptimize(out_bytes.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kValues));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * enc.size()));
}
BENCHMARK(BM_PlainByteArrayDecode)->Arg(16)->Arg(64);

void BM_DeltaLengthByteArrayDecode(benchmark::State& state) {
  std::vector<int64_t> offsets;
  std::string bytes;
  MakeStrings(kValues, 16, &offsets, &bytes);
  std::string enc;
  EncodeDeltaLengthByteArray(offsets.data(), bytes.data(), kValues, &enc);
  std::vector<int64_t> out_offsets;
  std::string out_bytes;
  for (auto _ : state) {
    out_offsets.assign(1, 0);
    out_bytes.clear();
    size_t consumed;
    Status st = DecodeDeltaLengthByteArray(enc, kValues, &out_offsets, &out_bytes, &consumed);
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    benchmark::DoNotOptimize(out_bytes.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kValues));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * enc.size()));
}
BENCHMARK(BM_DeltaLengthByteArrayDecode);

void BM_ByteStreamSplitDecode(benchmark::State& state) {
  const int width = static_cast<int>(state.range(0));
  std::vector<uint8_t> values(kValues * static_cast<size_t>(width));
  std::mt19937_64 rng(7);
  for (auto& b : values) b = static_cast<uint8_t>(rng());
  std::string enc;
  EncodeByteStreamSplit(values.data(), kValues, width, &enc);
  std::vector<uint8_t> out(values.size());
  for (auto _ : state) {
    Status st = DecodeByteStreamSplit(enc, kValues, width, out.data());
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kValues));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * values.size()));
}
BENCHMARK(BM_ByteStreamSplitDecode)->Arg(4)->Arg(8);

// 1 MiB page resembling column data: PLAIN int64 with a small range, then words.
std::string PageLikeData() {
  std::mt19937_64 rng(8);
  std::string s;
  while (s.size() < (1 << 19)) {
    int64_t v = 100000 + static_cast<int64_t>(rng() % 5000);
    s.append(reinterpret_cast<const char*>(&v), 8);
  }
  static const char* kWords[] = {"alpha", "beta",  "gamma", "delta",  "parquet", "column", "page",
                                 "row",   "group", "zstd",  "snappy", "index",   "value",  "null"};
  while (s.size() < (1 << 20)) {
    s += kWords[rng() % (sizeof(kWords) / sizeof(kWords[0]))];
    s += static_cast<char>('0' + rng() % 10);
  }
  s.resize(1 << 20);
  return s;
}

void BM_Decompress(benchmark::State& state, CompressionCodec codec) {
  const std::string raw = PageLikeData();
  std::string comp;
  Status st = Compress(codec, raw, 0, &comp);
  if (!st.ok()) state.SkipWithError(st.ToString().c_str());
  std::string out;
  for (auto _ : state) {
    st = Decompress(codec, comp, raw.size(), &out);
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * raw.size()));
  state.counters["ratio"] = static_cast<double>(raw.size()) / static_cast<double>(comp.size());
}
BENCHMARK_CAPTURE(BM_Decompress, snappy, CompressionCodec::kSnappy);
BENCHMARK_CAPTURE(BM_Decompress, zstd, CompressionCodec::kZstd);
BENCHMARK_CAPTURE(BM_Decompress, gzip, CompressionCodec::kGzip);

void BM_Compress(benchmark::State& state, CompressionCodec codec) {
  const std::string raw = PageLikeData();
  std::string comp;
  for (auto _ : state) {
    comp.clear();
    Status st = Compress(codec, raw, 0, &comp);
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    benchmark::DoNotOptimize(comp.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * raw.size()));
}
BENCHMARK_CAPTURE(BM_Compress, snappy, CompressionCodec::kSnappy);
BENCHMARK_CAPTURE(BM_Compress, zstd, CompressionCodec::kZstd);

}  // namespace
}  // namespace parquedb::parquet

BENCHMARK_MAIN();
