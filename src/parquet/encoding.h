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
  void FlushRepeated();
  void FlushLiterals(bool final);
  int bit_width_;
  std::string buf_;
  std::vector<uint32_t> literals_;  // pending values not yet emitted (< 8 or a literal run)
  uint32_t repeat_value_ = 0;
  size_t repeat_count_ = 0;
  size_t literal_groups_emitted_ = 0;  // groups of 8 written in the current literal run
  size_t literal_header_pos_ = 0;      // where the current literal run's header byte sits
  bool in_literal_run_ = false;
};

// Decoder for the RLE/bit-packed hybrid (no length prefix).
class RleDecoder {
 public:
  RleDecoder() = default;
  RleDecoder(const uint8_t* data, size_t len, int bit_width) { Reset(data, len, bit_width); }
  void Reset(const uint8_t* data, size_t len, int bit_width);
  // Decodes exactly n values into out. Corruption if the stream ends early or a
  // header is malformed.
  Status GetBatch(uint32_t* out, size_t n);
  Status GetBatch(int16_t* out, size_t n);

 private:
  template <typename T>
  Status GetBatchImpl(T* out, size_t n);
  Status NextRun();
  const uint8_t* data_ = nullptr;
  size_t len_ = 0;
  size_t pos_ = 0;
  int bit_width_ = 0;
  // current run
  bool run_is_rle_ = false;
  size_t run_remaining_ = 0;
  uint32_t rle_value_ = 0;
  const uint8_t* packed_ = nullptr;  // bit-packed run start
  size_t packed_index_ = 0;          // next value index within the packed run
};

// Levels of a data page v1: 4-byte little-endian length followed by RLE hybrid data.
// Appends the encoding of `levels` (each in [0, max_level]) to *out.
void EncodeLevelsV1(const int16_t* levels, size_t n, int16_t max_level, std::string* out);
// Decodes n levels from the front of data (v1 layout); *consumed = 4 + length.
Status DecodeLevelsV1(std::string_view data, size_t n, int16_t max_level, int16_t* out,
                      size_t* consumed);

// Dictionary indices in a data page: 1 byte bit width, then RLE hybrid data.
void EncodeDictIndices(const uint32_t* indices, size_t n, int bit_width, std::string* out);
// Decodes n indices; each must be < dict_size (Corruption otherwise).
Status DecodeDictIndices(std::string_view data, size_t n, uint32_t dict_size, uint32_t* out);

// ---------------------------------------------------------------- PLAIN
// PLAIN for fixed-width types is the little-endian bytes of the values.
void EncodePlainBooleans(const uint8_t* values, size_t n, std::string* out);  // bit-packed LSB
Status DecodePlainBooleans(std::string_view data, size_t n, uint8_t* out, size_t* consumed);
// PLAIN BYTE_ARRAY: 4-byte little-endian length + bytes, per value.
// `offsets` has n+1 entries; value i is bytes[offsets[i], offsets[i+1]).
void EncodePlainByteArrays(const int64_t* offsets, const char* bytes, size_t n,
                           std::string* out);
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
