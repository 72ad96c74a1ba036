// CRC32C (Castagnoli polynomial 0x1EDC6F41, reflected 0x82F63B78), as used by iSCSI,
// ext4, LevelDB and the ParqueDB log. Uses the SSE4.2 crc32 instruction when the CPU
// has it (checked once at runtime), otherwise a portable slicing-by-8 table.
// All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace parquedb::crc32c {

// Returns the CRC32C of data[0, n) appended to a stream whose CRC so far is
// `init_crc` (use 0 to start). Extend(Extend(0, a), b) == Value(a + b).
uint32_t Extend(uint32_t init_crc, const char* data, size_t n);

inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view data) { return Extend(0, data.data(), data.size()); }

// The portable (table) implementation; exposed so tests can compare both paths.
uint32_t ExtendPortable(uint32_t init_crc, const char* data, size_t n);

// True when Extend uses the SSE4.2 instruction on this machine.
bool IsHardwareAccelerated();

// Storing the CRC of a string that itself embeds CRCs makes the outer CRC weak, so
// stored CRCs are masked (LevelDB's scheme: rotate right by 15 bits, add a constant).
inline constexpr uint32_t kMaskDelta = 0xa282ead8u;

inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }

inline uint32_t Unmask(uint32_t masked) {
  uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace parquedb::crc32c
