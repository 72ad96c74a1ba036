// Parquet value and level encodings. See encoding.h and Encodings.md.
//
// Performance notes: bit-(un)packing works on groups of 8 values (8 values of width
// W occupy exactly W bytes) with kernels specialized per bit width at compile time;
// the decoder dispatches once per run through a table, never per value. Unpacking
// reads whole 64-bit words, so it needs a few bytes of slack after a group; groups
// near the end of the input are first copied into a zero-padded scratch buffer.
#include "parquet/encoding.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace parquedb::parquet {

static_assert(std::endian::native == std::endian::little,
              "the Parquet encodings are little-endian; big-endian hosts are not supported");

namespace {

// Longest run (values) allowed by the spec: run lengths fit a signed 32-bit int.
constexpr uint64_t kMaxRunLength = (uint64_t{1} << 31) - 1;
constexpr uint64_t kMaxPackedGroups = kMaxRunLength / 8;
// Upper bound on the bytes a single DELTA_BYTE_ARRAY call may produce. Prefix sharing
// lets a tiny input expand quadratically; beyond this we treat the page as hostile.
constexpr uint64_t kMaxDecodedBytes = uint64_t{1} << 30;
// Values decoded per chunk when a decoder needs scratch space (bounded stack usage).
constexpr size_t kChunk = 1024;

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

inline uint32_t LoadLE32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

inline void PutLE32(std::string* out, uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);
  out->append(b, 4);
}

inline void PutUleb(std::string* out, uint64_t v) {
  char b[10];
  int n = 0;
  while (v >= 0x80) {
    b[n++] = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  b[n++] = static_cast<char>(v);
  out->append(b, static_cast<size_t>(n));
}

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1)); }

// Reads a ULEB128 varint of at most 64 bits at data[*pos]; false if truncated or
// longer than 64 bits.
inline bool ReadUleb(const uint8_t* data, size_t len, size_t* pos, uint64_t* out) {
  uint64_t v = 0;
  size_t p = *pos;
  for (int i = 0; i < 10; ++i) {
    if (p >= len) return false;
    uint8_t b = data[p++];
    if (i == 9 && b > 1) return false;
    v |= static_cast<uint64_t>(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0) {
      *pos = p;
      *out = v;
      return true;
    }
  }
  return false;
}

std::string Num(uint64_t v) { return std::to_string(v); }

// ---------------------------------------------------------------- bit packing kernels

template <int W>
constexpr uint64_t kMask = W == 64 ? ~uint64_t{0} : (uint64_t{1} << W) - 1;

// Value I of a group of 8 packed at width W. Reads up to W + 8 bytes from `in`.
template <int W, size_t I>
inline uint64_t Extract(const uint8_t* in) {
  constexpr size_t kBit = I * W;
  constexpr size_t kByte = kBit / 8;
  constexpr int kShift = kBit % 8;
  uint64_t v = Load64(in + kByte) >> kShift;
  if constexpr (kShift + W > 64) v |= Load64(in + kByte + 8) << (64 - kShift);
  return v & kMask<W>;
}

// Unpacks one group of 8 values of width W (W > 0). `in` must have W + 8 readable bytes.
template <int W, typename T>
inline void Unpack8(const uint8_t* in, T* out) {
  [&]<size_t... I>(std::index_sequence<I...>) {
    ((out[I] = static_cast<T>(Extract<W, I>(in))), ...);
  }
  (std::make_index_sequence<8>{});
}

// Unpacks `groups` groups of 8 values. `avail` = readable bytes from `in`, which must
// be at least groups * W.
template <int W, typename T>
void UnpackGroups(const uint8_t* in, size_t avail, size_t groups, T* out) {
  if constexpr (W == 0) {
    std::fill_n(out, groups * 8, T{0});
  } else {
    size_t fast = 0;
    if (avail >= W + 8) fast = std::min(groups, (avail - W - 8) / W + 1);
    for (size_t g = 0; g < fast; ++g) Unpack8<W>(in + g * W, out + g * 8);
    for (size_t g = fast; g < groups; ++g) {
      uint8_t scratch[W + 16] = {};
      std::memcpy(scratch, in + g * W, W);
      Unpack8<W>(scratch, out + g * 8);
    }
  }
}

template <typename T>
using UnpackFn = void (*)(const uint8_t* in, size_t avail, size_t groups, T* out);

template <typename T, int... W>
constexpr std::array<UnpackFn<T>, sizeof...(W)> MakeUnpackTable(std::integer_sequence<int, W...>) {
  return {&UnpackGroups<W, T>...};
}
// Widths 0..32 for level/index outputs, 0..64 for delta decoding (wider values are
// truncated to the output type).
template <typename T>
constexpr auto kUnpack32 = MakeUnpackTable<T>(std::make_integer_sequence<int, 33>{});
template <typename T>
constexpr auto kUnpack64 = MakeUnpackTable<T>(std::make_integer_sequence<int, 65>{});

// Packs value I of a group into little-endian words.
template <int W, size_t I, typename T>
inline void Deposit(uint64_t* words, T value) {
  constexpr size_t kBit = I * W;
  constexpr size_t kWord = kBit / 64;
  constexpr int kShift = kBit % 64;
  uint64_t v = static_cast<uint64_t>(value) & kMask<W>;
  words[kWord] |= v << kShift;
  if constexpr (kShift + W > 64) words[kWord + 1] |= v >> (64 - kShift);
}

// Packs `groups` groups of 8 values at width W, writing exactly groups * W bytes.
template <int W, typename T>
void PackGroups(const T* in, size_t groups, uint8_t* out) {
  if constexpr (W > 0) {
    for (size_t g = 0; g < groups; ++g) {
      uint64_t words[(8 * W + 63) / 64] = {};
      const T* v = in + g * 8;
      [&]<size_t... I>(std::index_sequence<I...>) { (Deposit<W, I>(words, v[I]), ...); }
      (std::make_index_sequence<8>{});
      std::memcpy(out + g * W, words, W);
    }
  }
}

template <typename T>
using PackFnT = void (*)(const T* in, size_t groups, uint8_t* out);

template <typename T, int... W>
constexpr std::array<PackFnT<T>, sizeof...(W)> MakePackTable(std::integer_sequence<int, W...>) {
  return {&PackGroups<W, T>...};
}
constexpr auto kPack32 = MakePackTable<uint32_t>(std::make_integer_sequence<int, 33>{});
constexpr auto kPack64 = MakePackTable<uint64_t>(std::make_integer_sequence<int, 65>{});

template <typename U>
inline PackFnT<U> GetPacker(int width) {
  if constexpr (sizeof(U) == 8) {
    return kPack64[width];
  } else {
    return kPack32[width];
  }
}

// True if any of v[0, n) is > limit. Values come from a stream of width `bit_width`,
// so for widths below the type's sign bit they are non-negative and a signed
// compare (SSE2 pcmpgt) is exact; otherwise a scalar unsigned loop is used.
template <typename T>
inline bool AnyAbove(const T* v, size_t n, uint32_t limit, int bit_width) {
  using U = std::make_unsigned_t<T>;
  constexpr int kBits = static_cast<int>(sizeof(T) * 8);
  size_t i = 0;
  bool bad = false;
#if defined(__SSE2__)
  if constexpr (sizeof(T) == 4 || sizeof(T) == 2) {
    if (bit_width < kBits && limit < (uint32_t{1} << (kBits - 1))) {
      __m128i acc = _mm_setzero_si128();
      if constexpr (sizeof(T) == 4) {
        const __m128i lim = _mm_set1_epi32(static_cast<int32_t>(limit));
        for (; i + 8 <= n; i += 8) {
          const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(v + i));
          const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(v + i + 4));
          acc = _mm_or_si128(acc, _mm_or_si128(_mm_cmpgt_epi32(a, lim), _mm_cmpgt_epi32(b, lim)));
        }
      } else {
        const __m128i lim = _mm_set1_epi16(static_cast<int16_t>(limit));
        for (; i + 8 <= n; i += 8) {
          const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(v + i));
          acc = _mm_or_si128(acc, _mm_cmpgt_epi16(a, lim));
        }
      }
      bad = _mm_movemask_epi8(acc) != 0;
    }
  }
#else
  (void)kBits;
  (void)bit_width;
#endif
  for (; i < n; ++i) bad |= static_cast<U>(v[i]) > limit;
  return bad;
}

}  // namespace

int BitWidth(uint64_t max_value) { return static_cast<int>(std::bit_width(max_value)); }

// ---------------------------------------------------------------- RleEncoder

RleEncoder::RleEncoder(int bit_width) {
  assert(bit_width >= 0 && bit_width <= 32);
  bit_width_ = std::clamp(bit_width, 0, 32);
  pack_ = kPack32[bit_width_];
}

void RleEncoder::Put(uint32_t value) {
  if (repeat_count_ > 0 && value == repeat_value_) {
    ++repeat_count_;
    return;
  }
  CommitRepeat(false);
  repeat_value_ = value;
  repeat_count_ = 1;
}

void RleEncoder::PutBatch(const uint32_t* values, size_t n) {
  size_t i = 0;
  while (i < n) {
    if (repeat_count_ == 0 && pending_count_ == 0) {
      // Fast path for high-entropy data: a group of 8 whose last two values differ
      // holds no run of 8, so it is packed straight from the input. (A run starting at
      // its last value loses that one value to the literal group; harmless.)
      size_t g = 0;
      const size_t max_groups = kMaxPackedGroups - literal_groups_;
      while (i + 8 * (g + 1) <= n && g < max_groups &&
             values[i + 8 * g + 6] != values[i + 8 * g + 7]) {
        ++g;
      }
      if (g > 0) {
        const size_t bytes = g * static_cast<size_t>(bit_width_);
        if (literal_len_ + bytes > literal_bytes_.size()) {
          literal_bytes_.resize(std::max(literal_len_ + bytes, literal_bytes_.size() * 2));
        }
        pack_(values + i, g, reinterpret_cast<uint8_t*>(literal_bytes_.data()) + literal_len_);
        literal_len_ += bytes;
        literal_groups_ += g;
        if (literal_groups_ == kMaxPackedGroups) FlushLiteralRun();
        i += 8 * g;
        continue;
      }
    }
    const uint32_t v = values[i];
    size_t j = i + 1;
    while (j < n && values[j] == v) ++j;
    if (repeat_count_ > 0 && v == repeat_value_) {
      repeat_count_ += j - i;
    } else {
      CommitRepeat(false);
      repeat_value_ = v;
      repeat_count_ = j - i;
    }
    // A run followed by a different value is complete: commit it now (only a run at
    // the end of the batch may still grow).
    if (j < n) CommitRepeat(false);
    i = j;
  }
}

void RleEncoder::PutBatch(const int16_t* values, size_t n) {
  uint32_t tmp[kChunk];
  while (n > 0) {
    size_t k = std::min(n, kChunk);
    for (size_t i = 0; i < k; ++i) tmp[i] = static_cast<uint16_t>(values[i]);
    PutBatch(tmp, k);
    values += k;
    n -= k;
  }
}

void RleEncoder::AppendLiteral(uint32_t value) {
  pending_[pending_count_++] = value;
  if (pending_count_ < 8) return;
  if (literal_len_ + 32 > literal_bytes_.size()) {
    literal_bytes_.resize(std::max<size_t>(256, literal_bytes_.size() * 2));
  }
  pack_(pending_, 1, reinterpret_cast<uint8_t*>(literal_bytes_.data()) + literal_len_);
  literal_len_ += static_cast<size_t>(bit_width_);
  ++literal_groups_;
  pending_count_ = 0;
  if (literal_groups_ == kMaxPackedGroups) FlushLiteralRun();
}

void RleEncoder::FlushLiteralRun() {
  assert(pending_count_ == 0);
  if (literal_groups_ == 0) return;
  PutUleb(&buf_, (static_cast<uint64_t>(literal_groups_) << 1) | 1);
  buf_.append(literal_bytes_.data(), literal_len_);
  literal_groups_ = 0;
  literal_len_ = 0;
}

void RleEncoder::EmitRle(uint32_t value, size_t count) {
  const int value_bytes = (bit_width_ + 7) / 8;
  if (bit_width_ < 32) value &= (uint32_t{1} << bit_width_) - 1;
  char vb[4];
  std::memcpy(vb, &value, 4);
  while (count > 0) {
    size_t c = std::min<size_t>(count, kMaxRunLength);
    PutUleb(&buf_, static_cast<uint64_t>(c) << 1);
    buf_.append(vb, static_cast<size_t>(value_bytes));
    count -= c;
  }
}

void RleEncoder::CommitRepeat(bool final) {
  size_t c = repeat_count_;
  const uint32_t v = repeat_value_;
  repeat_count_ = 0;
  // At the end of the stream any run that can complete the pending group is worth an
  // RLE run (it saves the padding); elsewhere only runs of 8 or more.
  if (c >= 8 || (final && c > 0 && pending_count_ + c >= 8) ||
      (final && c > 0 && pending_count_ == 0)) {
    // Complete the pending literal group with copies of the run so that the literal
    // run stays a multiple of 8 values, then emit the rest as an RLE run.
    while (pending_count_ != 0 && c > 0) {
      AppendLiteral(v);
      --c;
    }
    if (c >= 8 || (final && c > 0)) {
      FlushLiteralRun();
      EmitRle(v, c);
      c = 0;
    }
  }
  for (; c > 0; --c) AppendLiteral(v);
}

void RleEncoder::Finish(std::string* out) {
  CommitRepeat(true);
  if (pending_count_ > 0) {
    // Pad the final group with zeros; the reader knows how many values to decode.
    while (pending_count_ != 0) AppendLiteral(0);
  }
  FlushLiteralRun();
  out->append(buf_);
  buf_.clear();
  literal_bytes_.clear();
  literal_len_ = 0;
  literal_groups_ = 0;
  pending_count_ = 0;
  repeat_count_ = 0;
}

// ---------------------------------------------------------------- RleDecoder

void RleDecoder::Reset(const uint8_t* data, size_t len, int bit_width) {
  data_ = data;
  len_ = data == nullptr ? 0 : len;
  pos_ = 0;
  bit_width_ = bit_width;
  rle_value_ = 0;
  rle_remaining_ = 0;
  packed_ = nullptr;
  packed_groups_ = 0;
  group_pos_ = 0;
  group_len_ = 0;
}

Status RleDecoder::NextRun() {
  if (pos_ >= len_) return Status::Corruption("RLE/bit-packed data ended before all values");
  uint64_t header;
  if (!ReadUleb(data_, len_, &pos_, &header) || header > std::numeric_limits<uint32_t>::max()) {
    return Status::Corruption("malformed RLE/bit-packed run header");
  }
  const size_t remaining = len_ - pos_;
  if (header & 1) {
    const uint64_t groups = header >> 1;
    if (groups > kMaxPackedGroups) {
      return Status::Corruption("bit-packed run of " + Num(groups) + " groups is too long");
    }
    const uint64_t bytes = groups * static_cast<uint64_t>(bit_width_);
    if (bytes > remaining) {
      return Status::Corruption("bit-packed run needs " + Num(bytes) + " bytes, only " +
                                Num(remaining) + " remain");
    }
    packed_ = data_ + pos_;
    packed_groups_ = groups;
    pos_ += bytes;
  } else {
    const size_t value_bytes = static_cast<size_t>(bit_width_ + 7) / 8;
    if (value_bytes > remaining) return Status::Corruption("RLE run value truncated");
    uint32_t value = 0;
    std::memcpy(&value, data_ + pos_, value_bytes);
    if (bit_width_ < 32 && (value >> bit_width_) != 0) {
      return Status::Corruption("RLE run value " + Num(value) + " exceeds bit width " +
                                Num(static_cast<uint64_t>(bit_width_)));
    }
    pos_ += value_bytes;
    rle_value_ = value;
    rle_remaining_ = header >> 1;
  }
  return Status::OK();
}

template <typename T, bool kCheck>
Status RleDecoder::GetBatchImpl(T* out, size_t n, uint32_t bound) {
  constexpr int kMaxWidth = static_cast<int>(sizeof(T) * 8);
  if (bit_width_ < 0 || bit_width_ > kMaxWidth) {
    return Status::Corruption("RLE bit width " + std::to_string(bit_width_) + " out of range 0.." +
                              std::to_string(kMaxWidth));
  }
  // Values of a full-width run are < 2^bit_width, so only narrower bounds need checks.
  const bool check = kCheck && (bit_width_ >= 32 || bound < (uint64_t{1} << bit_width_));
  if (kCheck && bound == 0 && n > 0) {
    return Status::Corruption("RLE-decoded values cannot index an empty dictionary");
  }
  const UnpackFn<T> unpack = kUnpack32<T>[bit_width_];
  const size_t width = static_cast<size_t>(bit_width_);
  auto out_of_range = [&]() {
    return Status::Corruption("RLE-decoded value out of range (must be < " + Num(bound) + ")");
  };
  while (n > 0) {
    if (group_pos_ < group_len_) {
      size_t k = std::min<size_t>(n, group_len_ - group_pos_);
      for (size_t i = 0; i < k; ++i) {
        uint32_t v = group_[group_pos_ + i];
        if (check && v >= bound) return out_of_range();
        out[i] = static_cast<T>(v);
      }
      group_pos_ += static_cast<uint32_t>(k);
      out += k;
      n -= k;
    } else if (rle_remaining_ > 0) {
      if (check && rle_value_ >= bound) return out_of_range();
      size_t k = std::min(n, rle_remaining_);
      std::fill_n(out, k, static_cast<T>(rle_value_));
      rle_remaining_ -= k;
      out += k;
      n -= k;
    } else if (packed_groups_ > 0) {
      size_t groups = std::min(packed_groups_, n / 8);
      if (groups > 0) {
        // Check in L1-sized chunks while the values are hot.
        if (check) groups = std::min<size_t>(groups, kChunk / 8);
        unpack(packed_, static_cast<size_t>(data_ + len_ - packed_), groups, out);
        if (check && AnyAbove(out, groups * 8, bound - 1, bit_width_)) return out_of_range();
        packed_ += groups * width;
        packed_groups_ -= groups;
        out += groups * 8;
        n -= groups * 8;
      } else {
        // Fewer than 8 values wanted: decode one group and keep the rest for later.
        kUnpack32<uint32_t>[bit_width_](packed_, static_cast<size_t>(data_ + len_ - packed_), 1,
                                        group_);
        packed_ += width;
        --packed_groups_;
        group_pos_ = 0;
        group_len_ = 8;
      }
    } else {
      PQ_RETURN_IF_ERROR(NextRun());
    }
  }
  return Status::OK();
}

Status RleDecoder::GetBatch(uint32_t* out, size_t n) {
  return GetBatchImpl<uint32_t, false>(out, n, 0);
}
Status RleDecoder::GetBatch(int16_t* out, size_t n) {
  return GetBatchImpl<int16_t, false>(out, n, 0);
}
Status RleDecoder::GetBatch(uint8_t* out, size_t n) {
  return GetBatchImpl<uint8_t, false>(out, n, 0);
}
Status RleDecoder::GetLevels(int16_t* out, size_t n, int16_t max_level) {
  if (max_level < 0) return Status::InvalidArgument("negative max level");
  return GetBatchImpl<int16_t, true>(out, n, static_cast<uint32_t>(max_level) + 1);
}
Status RleDecoder::GetIndices(uint32_t* out, size_t n, uint32_t dict_size) {
  return GetBatchImpl<uint32_t, true>(out, n, dict_size);
}

// ---------------------------------------------------------------- levels, indices, RLE bools

void EncodeLevelsV1(const int16_t* levels, size_t n, int16_t max_level, std::string* out) {
  if (max_level <= 0) return;
  const size_t start = out->size();
  PutLE32(out, 0);
  RleEncoder enc(BitWidth(static_cast<uint64_t>(max_level)));
  enc.PutBatch(levels, n);
  enc.Finish(out);
  const uint32_t len = static_cast<uint32_t>(out->size() - start - 4);
  std::memcpy(out->data() + start, &len, 4);
}

namespace {
// Splits a 4-byte length prefix + payload off the front of data.
Status LengthPrefixed(std::string_view data, const char* what, std::string_view* payload) {
  if (data.size() < 4) return Status::Corruption(std::string(what) + ": length prefix truncated");
  const uint32_t len = LoadLE32(data.data());
  if (len > data.size() - 4) {
    return Status::Corruption(std::string(what) + ": length " + Num(len) + " exceeds the " +
                              Num(data.size() - 4) + " bytes available");
  }
  *payload = data.substr(4, len);
  return Status::OK();
}
}  // namespace

Status DecodeLevelsV1(std::string_view data, size_t n, int16_t max_level, int16_t* out,
                      size_t* consumed) {
  if (max_level < 0) return Status::InvalidArgument("negative max level");
  if (max_level == 0) {
    std::fill_n(out, n, int16_t{0});
    *consumed = 0;
    return Status::OK();
  }
  std::string_view payload;
  PQ_RETURN_IF_ERROR(LengthPrefixed(data, "levels", &payload));
  RleDecoder dec(reinterpret_cast<const uint8_t*>(payload.data()), payload.size(),
                 BitWidth(static_cast<uint64_t>(max_level)));
  PQ_RETURN_IF_ERROR(dec.GetLevels(out, n, max_level));
  *consumed = 4 + payload.size();
  return Status::OK();
}

void EncodeDictIndices(const uint32_t* indices, size_t n, int bit_width, std::string* out) {
  out->push_back(static_cast<char>(bit_width));
  RleEncoder enc(bit_width);
  enc.PutBatch(indices, n);
  enc.Finish(out);
}

Status DecodeDictIndices(std::string_view data, size_t n, uint32_t dict_size, uint32_t* out) {
  if (n == 0) return Status::OK();
  if (data.empty()) return Status::Corruption("dictionary indices: missing bit width byte");
  const int bit_width = static_cast<uint8_t>(data[0]);
  if (bit_width > 32) {
    return Status::Corruption("dictionary indices: bit width " + Num(bit_width) + " exceeds 32");
  }
  if (dict_size == 0) return Status::Corruption("dictionary indices into an empty dictionary");
  RleDecoder dec(reinterpret_cast<const uint8_t*>(data.data()) + 1, data.size() - 1, bit_width);
  return dec.GetIndices(out, n, dict_size);
}

void EncodeRleBooleans(const uint8_t* values, size_t n, std::string* out) {
  const size_t start = out->size();
  PutLE32(out, 0);
  RleEncoder enc(1);
  uint32_t tmp[kChunk];
  while (n > 0) {
    size_t k = std::min(n, kChunk);
    for (size_t i = 0; i < k; ++i) tmp[i] = values[i] != 0;
    enc.PutBatch(tmp, k);
    values += k;
    n -= k;
  }
  enc.Finish(out);
  const uint32_t len = static_cast<uint32_t>(out->size() - start - 4);
  std::memcpy(out->data() + start, &len, 4);
}

Status DecodeRleBooleans(std::string_view data, size_t n, uint8_t* out, size_t* consumed) {
  std::string_view payload;
  PQ_RETURN_IF_ERROR(LengthPrefixed(data, "RLE booleans", &payload));
  RleDecoder dec(reinterpret_cast<const uint8_t*>(payload.data()), payload.size(), 1);
  PQ_RETURN_IF_ERROR(dec.GetBatch(out, n));
  *consumed = 4 + payload.size();
  return Status::OK();
}

// ---------------------------------------------------------------- PLAIN

namespace {
// kBoolBytes[b] holds the 8 bits of b as 8 bytes of 0/1, LSB first.
constexpr std::array<uint64_t, 256> MakeBoolTable() {
  std::array<uint64_t, 256> t{};
  for (int b = 0; b < 256; ++b) {
    uint64_t v = 0;
    for (int j = 0; j < 8; ++j) v |= static_cast<uint64_t>((b >> j) & 1) << (8 * j);
    t[static_cast<size_t>(b)] = v;
  }
  return t;
}
constexpr std::array<uint64_t, 256> kBoolBytes = MakeBoolTable();
}  // namespace

void EncodePlainBooleans(const uint8_t* values, size_t n, std::string* out) {
  const size_t start = out->size();
  out->resize(start + (n + 7) / 8);
  uint8_t* dst = reinterpret_cast<uint8_t*>(out->data()) + start;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint8_t b = 0;
    for (int j = 0; j < 8; ++j) b |= static_cast<uint8_t>((values[i + j] != 0) << j);
    *dst++ = b;
  }
  if (i < n) {
    uint8_t b = 0;
    for (int j = 0; i + j < n; ++j) b |= static_cast<uint8_t>((values[i + j] != 0) << j);
    *dst = b;
  }
}

Status DecodePlainBooleans(std::string_view data, size_t n, uint8_t* out, size_t* consumed) {
  const size_t bytes = n / 8 + (n % 8 != 0);
  if (data.size() < bytes) {
    return Status::Corruption("PLAIN booleans: " + Num(n) + " values need " + Num(bytes) +
                              " bytes, only " + Num(data.size()) + " available");
  }
  const uint8_t* src = reinterpret_cast<const uint8_t*>(data.data());
  const size_t full = n / 8;
  for (size_t i = 0; i < full; ++i) std::memcpy(out + 8 * i, &kBoolBytes[src[i]], 8);
  if (n % 8) {
    const uint64_t v = kBoolBytes[src[full]];
    std::memcpy(out + 8 * full, &v, n % 8);
  }
  *consumed = bytes;
  return Status::OK();
}

void EncodePlainByteArrays(const int64_t* offsets, const char* bytes, size_t n, std::string* out) {
  const size_t payload = static_cast<size_t>(offsets[n] - offsets[0]);
  const size_t start = out->size();
  out->resize(start + 4 * n + payload);
  char* dst = out->data() + start;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t len = static_cast<uint32_t>(offsets[i + 1] - offsets[i]);
    std::memcpy(dst, &len, 4);
    std::memcpy(dst + 4, bytes + offsets[i], len);
    dst += 4 + len;
  }
}

namespace {
Status CheckOffsets(std::vector<int64_t>* offsets, const std::string* bytes) {
  if (offsets->empty()) offsets->push_back(static_cast<int64_t>(bytes->size()));
  if (offsets->back() != static_cast<int64_t>(bytes->size())) {
    return Status::InvalidArgument("offsets must end with bytes->size()");
  }
  return Status::OK();
}
}  // namespace

Status DecodePlainByteArrays(std::string_view data, size_t n, std::vector<int64_t>* offsets,
                             std::string* bytes, size_t* consumed) {
  PQ_RETURN_IF_ERROR(CheckOffsets(offsets, bytes));
  if (n > data.size() / 4) {
    return Status::Corruption("PLAIN byte arrays: " + Num(n) + " values cannot fit in " +
                              Num(data.size()) + " bytes");
  }
  // Every value costs 4 length bytes, so the payload is at most size - 4n. Copy into
  // a buffer with 16 bytes of slack so short values move with one fixed-size copy.
  constexpr size_t kSlack = 16;
  const size_t base = bytes->size();
  const size_t max_payload = data.size() - 4 * n;
  bytes->resize(base + max_payload + kSlack);
  const size_t old_count = offsets->size();
  offsets->resize(old_count + n);
  int64_t* off = offsets->data() + old_count;
  char* dst = bytes->data() + base;
  const char* src = data.data();
  const char* const end = data.data() + data.size();
  for (size_t i = 0; i < n; ++i) {
    // Invariant: end - src >= 4 * (n - i), so the length is readable, and a value may
    // use only what the remaining values' length fields leave (keeps dst in bounds).
    const uint32_t len = LoadLE32(src);
    src += 4;
    const size_t room = static_cast<size_t>(end - src) - 4 * (n - 1 - i);
    if (len > room) {
      bytes->resize(base);
      offsets->resize(old_count);
      return Status::Corruption("PLAIN byte array " + Num(i) + ": length " + Num(len) +
                                " exceeds the " + Num(room) + " bytes left for it");
    }
    if (len <= kSlack && end - src >= static_cast<ptrdiff_t>(kSlack)) {
      std::memcpy(dst, src, kSlack);  // dst always has kSlack bytes of room
    } else {
      std::memcpy(dst, src, len);
    }
    dst += len;
    src += len;
    off[i] = static_cast<int64_t>(dst - bytes->data());
  }
  bytes->resize(static_cast<size_t>(dst - bytes->data()));
  *consumed = static_cast<size_t>(src - data.data());
  return Status::OK();
}

// ---------------------------------------------------------------- DELTA_BINARY_PACKED

namespace {

// Streaming DELTA_BINARY_PACKED decoder. T is int32_t or int64_t; all arithmetic is
// done in the unsigned type of the same width so overflow wraps as the spec requires.
//
// INT32 streams may carry miniblock widths up to 64: some writers (DuckDB 1.5) compute
// INT32 deltas in 64 bits, producing widths of 33 and min deltas outside int32. The
// 64-bit relation v[i] = v[i-1] + min_delta + packed holds exactly, hence also modulo
// 2^32, so unpacking at the stored width and keeping the low 32 bits is exact.
template <typename T>
class DeltaDecoder {
 public:
  using U = std::make_unsigned_t<T>;
  static constexpr int kMaxWidth = 64;

  Status Init(const uint8_t* data, size_t len) {
    data_ = data;
    len_ = len;
    pos_ = 0;
    uint64_t block_size, mb_count, total, first;
    if (!ReadUleb(data, len, &pos_, &block_size) || !ReadUleb(data, len, &pos_, &mb_count) ||
        !ReadUleb(data, len, &pos_, &total) || !ReadUleb(data, len, &pos_, &first)) {
      return Status::Corruption("DELTA_BINARY_PACKED header truncated or malformed");
    }
    // The spec requires multiples of 128 / 32; we accept any layout whose miniblocks
    // are whole groups of 8 (as in the spec's own examples) within sane bounds.
    if (block_size == 0 || block_size > (uint64_t{1} << 31) || mb_count == 0 ||
        block_size % mb_count != 0 || (block_size / mb_count) % 8 != 0) {
      return Status::Corruption("DELTA_BINARY_PACKED: invalid block size " + Num(block_size) +
                                " with " + Num(mb_count) + " miniblocks");
    }
    if (total > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Status::Corruption("DELTA_BINARY_PACKED: value count " + Num(total) + " too large");
    }
    block_size_ = block_size;
    mb_count_ = mb_count;
    vpm_ = block_size / mb_count;
    total_ = total;
    values_left_ = total;
    unassigned_deltas_ = total > 0 ? total - 1 : 0;
    first_pending_ = total > 0;
    last_ = static_cast<U>(UnZigZag(first));
    mb_left_ = 0;
    mb_index_ = 0;
    data_mbs_ = 0;
    group_pos_ = group_len_ = 0;
    return Status::OK();
  }

  uint64_t total() const { return total_; }
  // Bytes through the end of the last block loaded (or the header).
  size_t consumed() const { return pos_; }

  // Decodes the next k values (k <= values left).
  Status Get(T* out_signed, size_t k) {
    if (k > values_left_) {
      return Status::Corruption("DELTA_BINARY_PACKED holds " + Num(values_left_) +
                                " more values, " + Num(k) + " requested");
    }
    U* out = reinterpret_cast<U*>(out_signed);
    values_left_ -= k;
    if (k > 0 && first_pending_) {
      *out++ = last_;
      --k;
      first_pending_ = false;
    }
    while (k > 0) {
      if (group_pos_ < group_len_) {
        size_t c = std::min<size_t>(k, group_len_ - group_pos_);
        std::memcpy(out, group_ + group_pos_, c * sizeof(U));
        group_pos_ += static_cast<uint32_t>(c);
        out += c;
        k -= c;
        continue;
      }
      if (mb_left_ == 0) PQ_RETURN_IF_ERROR(NextMiniblock());
      const size_t avail = static_cast<size_t>(data_ + len_ - mb_data_);
      size_t groups = std::min<uint64_t>(k, mb_left_) / 8;
      U* dst = out;
      if (groups == 0) {
        groups = 1;
        dst = group_;
        group_pos_ = 0;
        group_len_ = 8;
      }
      unpack_(mb_data_, avail, groups, dst);
      U acc = last_;
      const U min_delta = min_delta_;
      for (size_t i = 0; i < groups * 8; ++i) {
        acc += min_delta + dst[i];
        dst[i] = acc;
      }
      last_ = acc;
      mb_data_ += groups * static_cast<size_t>(mb_width_);
      mb_left_ -= groups * 8;
      if (dst == out) {
        out += groups * 8;
        k -= groups * 8;
      }
    }
    return Status::OK();
  }

  // Position just past the whole encoded stream (all total() values), validating the
  // block headers on the way. Does not change the decoder.
  Status FindEnd(size_t* end) const {
    size_t pos = pos_;
    uint64_t unassigned = unassigned_deltas_;
    while (unassigned > 0) {
      BlockInfo b;
      PQ_RETURN_IF_ERROR(ParseBlock(pos, unassigned, &b));
      pos = b.end;
      unassigned -= b.values;
    }
    *end = pos;
    return Status::OK();
  }

 private:
  struct BlockInfo {
    U min_delta = 0;
    size_t widths = 0;      // offset of the miniblock bit widths
    size_t data = 0;        // offset of the first miniblock
    uint64_t values = 0;    // deltas stored in this block
    uint64_t data_mbs = 0;  // miniblocks holding data
    size_t end = 0;
  };

  Status ParseBlock(size_t pos, uint64_t unassigned, BlockInfo* b) const {
    uint64_t zz;
    if (!ReadUleb(data_, len_, &pos, &zz)) {
      return Status::Corruption("DELTA_BINARY_PACKED: block header truncated");
    }
    b->min_delta = static_cast<U>(UnZigZag(zz));
    if (mb_count_ > len_ - pos) {
      return Status::Corruption("DELTA_BINARY_PACKED: miniblock bit widths truncated");
    }
    b->widths = pos;
    pos += mb_count_;
    b->data = pos;
    b->values = std::min(block_size_, unassigned);
    b->data_mbs = (b->values + vpm_ - 1) / vpm_;
    // Bit widths of unused miniblocks may be garbage: only those with data matter.
    for (uint64_t i = 0; i < b->data_mbs; ++i) {
      const int w = data_[b->widths + i];
      if (w > kMaxWidth) {
        return Status::Corruption("DELTA_BINARY_PACKED: miniblock bit width " + Num(w) +
                                  " exceeds " + Num(kMaxWidth));
      }
      const uint64_t bytes = vpm_ / 8 * static_cast<uint64_t>(w);
      if (bytes > len_ - pos) {
        return Status::Corruption("DELTA_BINARY_PACKED: miniblock data truncated");
      }
      pos += bytes;
    }
    b->end = pos;
    return Status::OK();
  }

  Status NextMiniblock() {
    if (mb_index_ + 1 < data_mbs_) {
      ++mb_index_;  // mb_data_ already points at it
    } else {
      if (unassigned_deltas_ == 0) {
        return Status::Corruption("DELTA_BINARY_PACKED: ran out of blocks");
      }
      BlockInfo b;
      PQ_RETURN_IF_ERROR(ParseBlock(pos_, unassigned_deltas_, &b));
      unassigned_deltas_ -= b.values;
      min_delta_ = b.min_delta;
      widths_ = data_ + b.widths;
      mb_data_ = data_ + b.data;
      data_mbs_ = b.data_mbs;
      mb_index_ = 0;
      pos_ = b.end;
    }
    mb_width_ = widths_[mb_index_];
    unpack_ = kUnpack64<U>[mb_width_];
    mb_left_ = vpm_;
    return Status::OK();
  }

  const uint8_t* data_ = nullptr;
  size_t len_ = 0;
  size_t pos_ = 0;  // end of the header / last loaded block
  uint64_t block_size_ = 0, mb_count_ = 0, vpm_ = 0;
  uint64_t total_ = 0;
  uint64_t values_left_ = 0;        // values not yet returned
  uint64_t unassigned_deltas_ = 0;  // deltas in blocks not yet loaded
  bool first_pending_ = false;
  U last_ = 0;
  // current block / miniblock
  U min_delta_ = 0;
  const uint8_t* widths_ = nullptr;
  uint64_t data_mbs_ = 0, mb_index_ = 0;
  const uint8_t* mb_data_ = nullptr;
  int mb_width_ = 0;
  uint64_t mb_left_ = 0;  // undecoded values (multiple of 8) in the current miniblock
  UnpackFn<U> unpack_ = nullptr;
  U group_[8] = {};
  uint32_t group_pos_ = 0, group_len_ = 0;
};

template <typename T>
void EncodeDeltaImpl(const T* values, size_t n, std::string* out) {
  using U = std::make_unsigned_t<T>;
  constexpr size_t kBlock = 128, kMiniblocks = 4, kVpm = kBlock / kMiniblocks;
  PutUleb(out, kBlock);
  PutUleb(out, kMiniblocks);
  PutUleb(out, n);
  PutUleb(out, ZigZag(n > 0 ? static_cast<int64_t>(values[0]) : 0));
  U deltas[kBlock];
  for (size_t start = 1; start < n; start += kBlock) {
    const size_t m = std::min(kBlock, n - start);
    T min_delta = std::numeric_limits<T>::max();
    for (size_t j = 0; j < m; ++j) {
      deltas[j] = static_cast<U>(values[start + j]) - static_cast<U>(values[start + j - 1]);
      min_delta = std::min(min_delta, static_cast<T>(deltas[j]));
    }
    for (size_t j = 0; j < m; ++j) deltas[j] -= static_cast<U>(min_delta);
    std::fill(deltas + m, deltas + kBlock, U{0});
    PutUleb(out, ZigZag(static_cast<int64_t>(min_delta)));
    uint8_t widths[kMiniblocks] = {};
    for (size_t mb = 0; mb * kVpm < m; ++mb) {
      U bits = 0;
      for (size_t j = 0; j < kVpm; ++j) bits |= deltas[mb * kVpm + j];
      widths[mb] = static_cast<uint8_t>(BitWidth(bits));
    }
    out->append(reinterpret_cast<const char*>(widths), kMiniblocks);
    for (size_t mb = 0; mb * kVpm < m; ++mb) {
      const size_t at = out->size();
      out->resize(at + kVpm / 8 * widths[mb]);
      GetPacker<U>(widths[mb])(deltas + mb * kVpm, kVpm / 8,
                               reinterpret_cast<uint8_t*>(out->data()) + at);
    }
  }
}

template <typename T>
Status DecodeDeltaImpl(std::string_view data, size_t n, T* out, size_t* consumed) {
  if (n == 0 && data.empty()) {
    *consumed = 0;
    return Status::OK();
  }
  DeltaDecoder<T> dec;
  PQ_RETURN_IF_ERROR(dec.Init(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
  if (dec.total() < n) {
    return Status::Corruption("DELTA_BINARY_PACKED holds " + Num(dec.total()) + " values, " +
                              Num(n) + " expected");
  }
  PQ_RETURN_IF_ERROR(dec.Get(out, n));
  *consumed = dec.consumed();
  return Status::OK();
}

}  // namespace

void EncodeDeltaBinaryPacked(const int64_t* values, size_t n, std::string* out) {
  EncodeDeltaImpl(values, n, out);
}
void EncodeDeltaBinaryPacked(const int32_t* values, size_t n, std::string* out) {
  EncodeDeltaImpl(values, n, out);
}
Status DecodeDeltaBinaryPacked(std::string_view data, size_t n, int64_t* out, size_t* consumed) {
  return DecodeDeltaImpl(data, n, out, consumed);
}
Status DecodeDeltaBinaryPacked(std::string_view data, size_t n, int32_t* out, size_t* consumed) {
  return DecodeDeltaImpl(data, n, out, consumed);
}

// ---------------------------------------------------------------- DELTA_LENGTH_BYTE_ARRAY

namespace {

void EncodeLengths(const int64_t* offsets, size_t n, std::string* out) {
  std::vector<int32_t> lengths(n);
  for (size_t i = 0; i < n; ++i) lengths[i] = static_cast<int32_t>(offsets[i + 1] - offsets[i]);
  EncodeDeltaBinaryPacked(lengths.data(), n, out);
}

// Positions a length decoder at data and finds where its stream ends.
Status OpenLengths(std::string_view data, size_t n, const char* what, DeltaDecoder<int32_t>* dec,
                   size_t* end) {
  if (n == 0 && data.empty()) {  // an empty page may omit even the header
    *end = 0;
    return dec->Init(reinterpret_cast<const uint8_t*>("\x80\x01\x04\x00\x00"), 5);
  }
  PQ_RETURN_IF_ERROR(dec->Init(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
  if (dec->total() < n) {
    return Status::Corruption(std::string(what) + ": " + Num(dec->total()) + " lengths, " + Num(n) +
                              " values expected");
  }
  return dec->FindEnd(end);
}

}  // namespace

void EncodeDeltaLengthByteArray(const int64_t* offsets, const char* bytes, size_t n,
                                std::string* out) {
  EncodeLengths(offsets, n, out);
  out->append(bytes + offsets[0], static_cast<size_t>(offsets[n] - offsets[0]));
}

Status DecodeDeltaLengthByteArray(std::string_view data, size_t n, std::vector<int64_t>* offsets,
                                  std::string* bytes, size_t* consumed) {
  PQ_RETURN_IF_ERROR(CheckOffsets(offsets, bytes));
  DeltaDecoder<int32_t> lengths;
  size_t lengths_end;
  PQ_RETURN_IF_ERROR(OpenLengths(data, n, "DELTA_LENGTH_BYTE_ARRAY", &lengths, &lengths_end));
  const std::string_view payload = data.substr(lengths_end);
  const size_t old_count = offsets->size();
  // Memory grows only with values actually decoded, never from the declared count.
  offsets->reserve(old_count + std::min(n, data.size()));
  int64_t pos = static_cast<int64_t>(bytes->size());
  uint64_t used = 0;
  int32_t len[kChunk];
  for (size_t done = 0; done < n;) {
    const size_t k = std::min(kChunk, n - done);
    Status st = lengths.Get(len, k);
    int32_t neg = 0;
    uint64_t sum = 0;
    for (size_t i = 0; i < k; ++i) {
      neg |= len[i];
      sum += static_cast<uint32_t>(len[i]);
    }
    if (st.ok() && neg < 0) st = Status::Corruption("DELTA_LENGTH_BYTE_ARRAY: negative length");
    if (st.ok() && sum > payload.size() - used) {
      st = Status::Corruption("DELTA_LENGTH_BYTE_ARRAY: lengths exceed the " + Num(payload.size()) +
                              " data bytes");
    }
    if (!st.ok()) {
      offsets->resize(old_count);
      return st;
    }
    for (size_t i = 0; i < k; ++i) {
      pos += len[i];
      offsets->push_back(pos);
    }
    used += sum;
    done += k;
  }
  bytes->append(payload.data(), used);
  *consumed = lengths_end + used;
  return Status::OK();
}

// ---------------------------------------------------------------- DELTA_BYTE_ARRAY

namespace {

Status DecodeDeltaByteArrayImpl(std::string_view data, size_t n, int width,
                                std::vector<int64_t>* offsets, std::string* bytes,
                                size_t* consumed) {
  DeltaDecoder<int32_t> prefixes, suffixes;
  size_t prefixes_end, suffixes_end;
  PQ_RETURN_IF_ERROR(
      OpenLengths(data, n, "DELTA_BYTE_ARRAY prefix lengths", &prefixes, &prefixes_end));
  const std::string_view rest = data.substr(prefixes_end);
  PQ_RETURN_IF_ERROR(
      OpenLengths(rest, n, "DELTA_BYTE_ARRAY suffix lengths", &suffixes, &suffixes_end));
  const std::string_view payload = rest.substr(suffixes_end);
  const size_t base = bytes->size();
  const size_t old_count = offsets ? offsets->size() : 0;
  if (offsets) offsets->reserve(old_count + std::min(n, data.size()));
  auto fail = [&](Status st) {
    bytes->resize(base);
    if (offsets) offsets->resize(old_count);
    return st;
  };
  size_t suffix_used = 0;
  uint64_t total_out = 0;
  size_t prev_start = 0, prev_len = 0;  // previous value, relative to base
  int32_t pre[kChunk], suf[kChunk];
  for (size_t done = 0; done < n;) {
    const size_t k = std::min(kChunk, n - done);
    Status st = prefixes.Get(pre, k);
    if (st.ok()) st = suffixes.Get(suf, k);
    if (!st.ok()) return fail(st);
    // Validate the chunk and size the output before copying.
    uint64_t chunk_out = 0, chunk_suffix = 0;
    size_t plen = prev_len;
    for (size_t i = 0; i < k; ++i) {
      if (pre[i] < 0 || suf[i] < 0) {
        return fail(Status::Corruption("DELTA_BYTE_ARRAY: negative prefix or suffix length"));
      }
      if (static_cast<size_t>(pre[i]) > plen) {
        return fail(Status::Corruption("DELTA_BYTE_ARRAY: prefix length " + Num(pre[i]) +
                                       " exceeds previous value length " + Num(plen)));
      }
      plen = static_cast<size_t>(pre[i]) + static_cast<size_t>(suf[i]);
      if (width >= 0 && plen != static_cast<size_t>(width)) {
        return fail(Status::Corruption("DELTA_BYTE_ARRAY: value of " + Num(plen) +
                                       " bytes in a FIXED_LEN_BYTE_ARRAY(" + Num(width) +
                                       ") column"));
      }
      chunk_out += plen;
      chunk_suffix += static_cast<uint32_t>(suf[i]);
    }
    if (chunk_suffix > payload.size() - suffix_used) {
      return fail(Status::Corruption("DELTA_BYTE_ARRAY: suffix lengths exceed the " +
                                     Num(payload.size()) + " data bytes"));
    }
    total_out += chunk_out;
    if (total_out > kMaxDecodedBytes) {
      return fail(Status::Corruption("DELTA_BYTE_ARRAY: decoded data exceeds " +
                                     Num(kMaxDecodedBytes) + " bytes"));
    }
    size_t w = bytes->size();
    bytes->resize(w + chunk_out);
    char* b = bytes->data();
    const char* src = payload.data() + suffix_used;
    for (size_t i = 0; i < k; ++i) {
      const size_t p = static_cast<size_t>(pre[i]), s = static_cast<size_t>(suf[i]);
      // The prefix lies inside the previous value, which ends where this one starts.
      std::memcpy(b + w, b + base + prev_start, p);
      std::memcpy(b + w + p, src, s);
      src += s;
      prev_start = w - base;
      prev_len = p + s;
      w += prev_len;
      if (offsets) offsets->push_back(static_cast<int64_t>(w));
    }
    suffix_used += chunk_suffix;
    done += k;
  }
  *consumed = prefixes_end + suffixes_end + suffix_used;
  return Status::OK();
}

}  // namespace

void EncodeDeltaByteArray(const int64_t* offsets, const char* bytes, size_t n, std::string* out) {
  std::vector<int32_t> prefix(n), suffix(n);
  std::string suffix_bytes;
  std::string_view prev;
  for (size_t i = 0; i < n; ++i) {
    std::string_view v(bytes + offsets[i], static_cast<size_t>(offsets[i + 1] - offsets[i]));
    const size_t limit = std::min(prev.size(), v.size());
    size_t p = 0;
    while (p < limit && prev[p] == v[p]) ++p;
    prefix[i] = static_cast<int32_t>(p);
    suffix[i] = static_cast<int32_t>(v.size() - p);
    suffix_bytes.append(v.data() + p, v.size() - p);
    prev = v;
  }
  EncodeDeltaBinaryPacked(prefix.data(), n, out);
  EncodeDeltaBinaryPacked(suffix.data(), n, out);
  out->append(suffix_bytes);
}

Status DecodeDeltaByteArray(std::string_view data, size_t n, std::vector<int64_t>* offsets,
                            std::string* bytes, size_t* consumed) {
  PQ_RETURN_IF_ERROR(CheckOffsets(offsets, bytes));
  return DecodeDeltaByteArrayImpl(data, n, -1, offsets, bytes, consumed);
}

Status DecodeDeltaByteArrayFixed(std::string_view data, size_t n, int width, std::string* bytes,
                                 size_t* consumed) {
  if (width < 0) return Status::InvalidArgument("negative FIXED_LEN_BYTE_ARRAY width");
  return DecodeDeltaByteArrayImpl(data, n, width, nullptr, bytes, consumed);
}

// ---------------------------------------------------------------- BYTE_STREAM_SPLIT

namespace {

template <size_t W>
void SplitFixed(const uint8_t* in, size_t n, uint8_t* out) {
  for (size_t i = 0; i < n; ++i) {
    for (size_t b = 0; b < W; ++b) out[b * n + i] = in[i * W + b];
  }
}

template <size_t W>
void JoinFixed(const uint8_t* in, size_t n, uint8_t* out, size_t start = 0) {
  for (size_t i = start; i < n; ++i) {
    uint8_t v[W];
    for (size_t b = 0; b < W; ++b) v[b] = in[b * n + i];
    std::memcpy(out + i * W, v, W);
  }
}

#if defined(__SSE2__)
// Interleaves 4 (resp. 8) byte streams with SSE2 unpack instructions, 16 values per
// step; the scalar loop finishes the tail.
void Join4(const uint8_t* in, size_t n, uint8_t* out) {
  const uint8_t* s[4] = {in, in + n, in + 2 * n, in + 3 * n};
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s[0] + i));
    __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s[1] + i));
    __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s[2] + i));
    __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s[3] + i));
    __m128i ab_lo = _mm_unpacklo_epi8(a, b), ab_hi = _mm_unpackhi_epi8(a, b);
    __m128i cd_lo = _mm_unpacklo_epi8(c, d), cd_hi = _mm_unpackhi_epi8(c, d);
    __m128i* o = reinterpret_cast<__m128i*>(out + 4 * i);
    _mm_storeu_si128(o + 0, _mm_unpacklo_epi16(ab_lo, cd_lo));
    _mm_storeu_si128(o + 1, _mm_unpackhi_epi16(ab_lo, cd_lo));
    _mm_storeu_si128(o + 2, _mm_unpacklo_epi16(ab_hi, cd_hi));
    _mm_storeu_si128(o + 3, _mm_unpackhi_epi16(ab_hi, cd_hi));
  }
  JoinFixed<4>(in, n, out, i);
}

// Interleaves 16 * k values of 8 byte streams `stride` bytes apart.
void Join8Block(const uint8_t* in, size_t stride, size_t count, uint8_t* out) {
  for (size_t i = 0; i + 16 <= count; i += 16) {
    const uint8_t* p = in + i;
    auto load = [&](size_t b) {
      return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + b * stride));
    };
    const __m128i x0 = load(0), x1 = load(1), x2 = load(2), x3 = load(3);
    const __m128i x4 = load(4), x5 = load(5), x6 = load(6), x7 = load(7);
    // Byte pairs (0,1) (2,3) (4,5) (6,7); lo = values 0-7, hi = values 8-15.
    const __m128i a_lo = _mm_unpacklo_epi8(x0, x1), a_hi = _mm_unpackhi_epi8(x0, x1);
    const __m128i b_lo = _mm_unpacklo_epi8(x2, x3), b_hi = _mm_unpackhi_epi8(x2, x3);
    const __m128i c_lo = _mm_unpacklo_epi8(x4, x5), c_hi = _mm_unpackhi_epi8(x4, x5);
    const __m128i d_lo = _mm_unpacklo_epi8(x6, x7), d_hi = _mm_unpackhi_epi8(x6, x7);
    // Bytes 0-3 (ab) and 4-7 (cd) of values 0-3, 4-7, 8-11, 12-15.
    const __m128i ab0 = _mm_unpacklo_epi16(a_lo, b_lo), ab1 = _mm_unpackhi_epi16(a_lo, b_lo);
    const __m128i ab2 = _mm_unpacklo_epi16(a_hi, b_hi), ab3 = _mm_unpackhi_epi16(a_hi, b_hi);
    const __m128i cd0 = _mm_unpacklo_epi16(c_lo, d_lo), cd1 = _mm_unpackhi_epi16(c_lo, d_lo);
    const __m128i cd2 = _mm_unpacklo_epi16(c_hi, d_hi), cd3 = _mm_unpackhi_epi16(c_hi, d_hi);
    __m128i* o = reinterpret_cast<__m128i*>(out + 8 * i);
    _mm_storeu_si128(o + 0, _mm_unpacklo_epi32(ab0, cd0));
    _mm_storeu_si128(o + 1, _mm_unpackhi_epi32(ab0, cd0));
    _mm_storeu_si128(o + 2, _mm_unpacklo_epi32(ab1, cd1));
    _mm_storeu_si128(o + 3, _mm_unpackhi_epi32(ab1, cd1));
    _mm_storeu_si128(o + 4, _mm_unpacklo_epi32(ab2, cd2));
    _mm_storeu_si128(o + 5, _mm_unpackhi_epi32(ab2, cd2));
    _mm_storeu_si128(o + 6, _mm_unpacklo_epi32(ab3, cd3));
    _mm_storeu_si128(o + 7, _mm_unpackhi_epi32(ab3, cd3));
  }
}

void Join8(const uint8_t* in, size_t n, uint8_t* out) {
  // Eight streams plus the output at large power-of-two distances map to the same L1
  // sets; staging each chunk through a small buffer keeps the working set conflict-free.
  size_t i = 0;
  const size_t rest = (n - i) / 16 * 16;
  Join8Block(in + i, n, rest, out + 8 * i);
  JoinFixed<8>(in, n, out, i + rest);
}
#else
void Join4(const uint8_t* in, size_t n, uint8_t* out) { JoinFixed<4>(in, n, out); }
void Join8(const uint8_t* in, size_t n, uint8_t* out) { JoinFixed<8>(in, n, out); }
#endif

}  // namespace

void EncodeByteStreamSplit(const uint8_t* values, size_t n, int width, std::string* out) {
  assert(width > 0);
  if (width <= 0) return;
  const size_t w = static_cast<size_t>(width);
  const size_t start = out->size();
  out->resize(start + n * w);
  uint8_t* dst = reinterpret_cast<uint8_t*>(out->data()) + start;
  switch (w) {
    case 2:
      SplitFixed<2>(values, n, dst);
      return;
    case 4:
      SplitFixed<4>(values, n, dst);
      return;
    case 8:
      SplitFixed<8>(values, n, dst);
      return;
    case 16:
      SplitFixed<16>(values, n, dst);
      return;
    default:
      for (size_t i = 0; i < n; ++i) {
        for (size_t b = 0; b < w; ++b) dst[b * n + i] = values[i * w + b];
      }
  }
}

Status DecodeByteStreamSplit(std::string_view data, size_t n, int width, uint8_t* out) {
  if (width <= 0) return Status::InvalidArgument("BYTE_STREAM_SPLIT width must be positive");
  const size_t w = static_cast<size_t>(width);
  if (n > data.size() / w || n * w != data.size()) {
    return Status::Corruption("BYTE_STREAM_SPLIT: " + Num(data.size()) + " bytes is not " + Num(n) +
                              " values of width " + Num(w));
  }
  const uint8_t* src = reinterpret_cast<const uint8_t*>(data.data());
  switch (w) {
    case 2:
      JoinFixed<2>(src, n, out);
      break;
    case 4:
      Join4(src, n, out);
      break;
    case 8:
      Join8(src, n, out);
      break;
    case 16:
      JoinFixed<16>(src, n, out);
      break;
    default:
      for (size_t i = 0; i < n; ++i) {
        for (size_t b = 0; b < w; ++b) out[i * w + b] = src[b * n + i];
      }
  }
  return Status::OK();
}

}  // namespace parquedb::parquet
