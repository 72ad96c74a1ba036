// Parquet value and level encodings (Encodings.md): RLE/bit-packed hybrid, PLAIN,
// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT.
// Decoders take untrusted bytes: every read is bounds-checked and a malformed
// stream yields Corruption, never a crash or an unbounded allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "parquedb/status.h"

namespace parquedb::parquet {

// Number of bits needed to represent values in [0, max_value].
int BitWidth(uint64_t max_value);

// ---------------------------------------------------------------- RLE / bit-packed hybrid
// Encoder for the RLE/bit-packed hybrid (no length prefix). bit_width in [0, 32].
class RleEncoder {
 public:
  explicit RleEncoder(int bit_width);
  void Put(uint32_t value);
  void PutBatch(const int16_t* values, size_t n);
  void PutBatch(const uint32_t* values, size_t n);
  // Flushes pending runs and appends the encoded bytes to *out. The encoder is reset.
  void Finish(std::string* out);

 private:
  using PackFn = void (*)(const uint32_t* in, size_t groups, uint8_t* out);
  // The run of `repeat_count_` copies of `repeat_value_` ended (or the stream ends when
  // `final`): emit it as an RLE run or append it to the literal run.
  void CommitRepeat(bool final);
  void AppendLiteral(uint32_t value);
  void FlushLiteralRun();
  void EmitRle(uint32_t value, size_t count);
  int bit_width_;
  PackFn pack_;
  std::string buf_;            // completed runs
  std::string literal_bytes_;  // packed groups of the literal run in progress
  size_t literal_len_ = 0;     // bytes of literal_bytes_ in use
  size_t literal_groups_ = 0;  // groups of 8 in the literal run in progress
  uint32_t pending_[8] = {};   // literal values not yet forming a group of 8
  size_t pending_count_ = 0;
  uint32_t repeat_value_ = 0;  // trailing run of equal values, not yet committed
  size_t repeat_count_ = 0;
};

// Decoder for the RLE/bit-packed hybrid (no length prefix).
class RleDecoder {
 public:
  RleDecoder() = default;
  RleDecoder(const uint8_t* data, size_t len, int bit_width) { Reset(data, len, bit_width); }
  void Reset(const uint8_t* data, size_t len, int bit_width);
  // Decodes exactly n values into out. Corruption if the stream ends early or a
  // header is malformed. May be called repeatedly to decode a stream in batches.
  // bit_width must be <= 32 (uint32_t), <= 16 (int16_t), <= 8 (uint8_t).
  Status GetBatch(uint32_t* out, size_t n);
  Status GetBatch(int16_t* out, size_t n);
  Status GetBatch(uint8_t* out, size_t n);
  // Like GetBatch, but Corruption unless every value is <= max_level (resp. < dict_size).
  // The check is fused into decoding: once per RLE run, and one vectorized pass over
  // each L1-sized chunk of bit-packed values.
  Status GetLevels(int16_t* out, size_t n, int16_t max_level);
  Status GetIndices(uint32_t* out, size_t n, uint32_t dict_size);

 private:
  template <typename T, bool kCheck>
  Status GetBatchImpl(T* out, size_t n, uint32_t bound);
  Status NextRun();
  const uint8_t* data_ = nullptr;
  size_t len_ = 0;
  size_t pos_ = 0;  // next run header
  int bit_width_ = 0;
  // current run
  uint32_t rle_value_ = 0;
  size_t rle_remaining_ = 0;         // values left in the current RLE run
  const uint8_t* packed_ = nullptr;  // next undecoded group of the current bit-packed run
  size_t packed_groups_ = 0;         // undecoded groups left in the current bit-packed run
  // A group of 8 decoded from a bit-packed run but only partially consumed.
  uint32_t group_[8] = {};
  uint32_t group_pos_ = 0;
  uint32_t group_len_ = 0;
};

// Levels of a data page v1: 4-byte little-endian length followed by RLE hybrid data.
// Appends the encoding of `levels` (each in [0, max_level]) to *out.
// With max_level == 0 levels are not stored at all: nothing is appended.
void EncodeLevelsV1(const int16_t* levels, size_t n, int16_t max_level, std::string* out);
// Decodes n levels from the front of data (v1 layout); *consumed = 4 + length.
// Corruption if a level exceeds max_level. With max_level == 0, fills zeros and
// consumes nothing.
Status DecodeLevelsV1(std::string_view data, size_t n, int16_t max_level, int16_t* out,
                      size_t* consumed);

// Dictionary indices in a data page: 1 byte bit width, then RLE hybrid data.
void EncodeDictIndices(const uint32_t* indices, size_t n, int bit_width, std::string* out);
// Decodes n indices; each must be < dict_size (Corruption otherwise).
Status DecodeDictIndices(std::string_view data, size_t n, uint32_t dict_size, uint32_t* out);

// RLE-encoded BOOLEAN values (Encoding::kRle, data page v1 and v2 alike): 4-byte
// little-endian length followed by RLE hybrid data with bit width 1.
void EncodeRleBooleans(const uint8_t* values, size_t n, std::string* out);
// Decodes n values (0/1) into out; *consumed = 4 + length.
Status DecodeRleBooleans(std::string_view data, size_t n, uint8_t* out, size_t* consumed);

// ---------------------------------------------------------------- PLAIN
// PLAIN for fixed-width types is the little-endian bytes of the values.
void EncodePlainBooleans(const uint8_t* values, size_t n, std::string* out);  // bit-packed LSB
Status DecodePlainBooleans(std::string_view data, size_t n, uint8_t* out, size_t* consumed);
// PLAIN BYTE_ARRAY: 4-byte little-endian length + bytes, per value.
// `offsets` has n+1 entries; value i is bytes[offsets[i], offsets[i+1]).
void EncodePlainByteArrays(const int64_t* offsets, const char* bytes, size_t n, std::string* out);
// Appends n decoded values to *offsets (which already ends with bytes->size()) and *bytes.
Status DecodePlainByteArrays(std::string_view data, size_t n, std::vector<int64_t>* offsets,
                             std::string* bytes, size_t* consumed);

// ---------------------------------------------------------------- DELTA_BINARY_PACKED
// Encodes INT32/INT64 values (block size 128, 4 miniblocks).
void EncodeDeltaBinaryPacked(const int64_t* values, size_t n, std::string* out);
void EncodeDeltaBinaryPacked(const int32_t* values, size_t n, std::string* out);
// Decodes exactly n values (the header's total count must be >= n... and equal when
// the whole stream is consumed); *consumed = bytes used through the last needed block.
Status DecodeDeltaBinaryPacked(std::string_view data, size_t n, int64_t* out, size_t* consumed);
Status DecodeDeltaBinaryPacked(std::string_view data, size_t n, int32_t* out, size_t* consumed);

// ---------------------------------------------------------------- DELTA_LENGTH_BYTE_ARRAY
void EncodeDeltaLengthByteArray(const int64_t* offsets, const char* bytes, size_t n,
                                std::string* out);
Status DecodeDeltaLengthByteArray(std::string_view data, size_t n, std::vector<int64_t>* offsets,
                                  std::string* bytes, size_t* consumed);

// ---------------------------------------------------------------- DELTA_BYTE_ARRAY
// Prefix lengths (delta binary packed) + suffixes (delta length byte array).
void EncodeDeltaByteArray(const int64_t* offsets, const char* bytes, size_t n, std::string* out);
Status DecodeDeltaByteArray(std::string_view data, size_t n, std::vector<int64_t>* offsets,
                            std::string* bytes, size_t* consumed);
// Same for FIXED_LEN_BYTE_ARRAY: every decoded value must be `width` bytes long.
Status DecodeDeltaByteArrayFixed(std::string_view data, size_t n, int width, std::string* bytes,
                                 size_t* consumed);

// ---------------------------------------------------------------- BYTE_STREAM_SPLIT
// Values of `width` bytes each (4 FLOAT/INT32, 8 DOUBLE/INT64, or FLBA width).
void EncodeByteStreamSplit(const uint8_t* values, size_t n, int width, std::string* out);
// `data` must hold exactly n*width bytes (it is the rest of the page).
Status DecodeByteStreamSplit(std::string_view data, size_t n, int width, uint8_t* out);

}  // namespace parquedb::parquet
