#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace parquedb::crc32c {
namespace {

// Known-answer vectors from RFC 3720 (iSCSI), appendix B.4, and the usual check value.
TEST(Crc32cTest, StandardVectors) {
  EXPECT_EQ(Value("123456789"), 0xE3069283u);
  EXPECT_EQ(ExtendPortable(0, "123456789", 9), 0xE3069283u);

  std::string buf(32, '\0');
  EXPECT_EQ(Value(buf), 0x8A9136AAu);
  buf.assign(32, '\xff');
  EXPECT_EQ(Value(buf), 0x62A8AB43u);
  for (int i = 0; i < 32; ++i) buf[i] = static_cast<char>(i);
  EXPECT_EQ(Value(buf), 0x46DD794Eu);
  for (int i = 0; i < 32; ++i) buf[i] = static_cast<char>(31 - i);
  EXPECT_EQ(Value(buf), 0x113FDB5Cu);

  const unsigned char iscsi_read[48] = {
      0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
      0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  };
  EXPECT_EQ(Value(reinterpret_cast<const char*>(iscsi_read), sizeof(iscsi_read)), 0xD9963A56u);
  EXPECT_EQ(Value("", 0), 0u);
}

TEST(Crc32cTest, ExtendComposes) {
  std::string s = "hello world, this is a longer string to cross 8-byte words";
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    uint32_t a = Extend(0, s.data(), cut);
    EXPECT_EQ(Extend(a, s.data() + cut, s.size() - cut), Value(s)) << cut;
  }
}

TEST(Crc32cTest, HardwareMatchesPortableAtEveryAlignmentAndLength) {
  std::mt19937 rng(42);
  std::string data(4096 + 16, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t len : {0, 1, 3, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4096}) {
      ASSERT_EQ(Extend(0x1234u, data.data() + offset, len),
                ExtendPortable(0x1234u, data.data() + offset, len))
          << offset << " " << len;
    }
  }
}

TEST(Crc32cTest, MaskRoundTripsAndChangesValue) {
  uint32_t crc = Value("foo");
  EXPECT_NE(crc, Mask(crc));
  EXPECT_NE(crc, Mask(Mask(crc)));
  EXPECT_EQ(crc, Unmask(Mask(crc)));
  EXPECT_EQ(crc, Unmask(Unmask(Mask(Mask(crc)))));
}

}  // namespace
}  // namespace parquedb::crc32c
