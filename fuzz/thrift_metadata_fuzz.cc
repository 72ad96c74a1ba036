// libFuzzer target: Parquet footer (FileMetaData) and PageHeader decoding.
// Any input must parse or fail cleanly; a successful parse must re-serialize to bytes
// that parse again and re-serialize identically (serialization is a fixed point).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "parquet/metadata.h"

namespace {

using parquedb::Status;
using parquedb::parquet::FileMetaData;
using parquedb::parquet::PageHeader;

void Check(bool cond, const char* what, const Status& status = Status::OK()) {
  if (cond) return;
  std::fprintf(stderr, "thrift_metadata_fuzz: %s %s\n", what, status.ToString().c_str());
  std::abort();
}

void FuzzFileMetaData(std::string_view input) {
  FileMetaData md;
  if (!parquedb::parquet::ParseFileMetaData(input, &md).ok()) return;
  const std::string s1 = parquedb::parquet::SerializeFileMetaData(md);
  FileMetaData md2;
  const Status st = parquedb::parquet::ParseFileMetaData(s1, &md2);
  Check(st.ok(), "re-parse of serialized FileMetaData failed:", st);
  Check(parquedb::parquet::SerializeFileMetaData(md2) == s1, "FileMetaData round trip unstable");
}

void FuzzPageHeader(std::string_view input) {
  PageHeader header;
  size_t consumed = 0;
  if (!parquedb::parquet::ParsePageHeader(input, &header, &consumed).ok()) return;
  Check(consumed > 0 && consumed <= input.size(), "PageHeader consumed out of range");
  std::string s1;
  parquedb::parquet::SerializePageHeader(header, &s1);
  PageHeader header2;
  size_t consumed2 = 0;
  const Status st = parquedb::parquet::ParsePageHeader(s1, &header2, &consumed2);
  Check(st.ok(), "re-parse of serialized PageHeader failed:", st);
  Check(consumed2 == s1.size(), "re-parsed PageHeader did not consume all bytes");
  std::string s2;
  parquedb::parquet::SerializePageHeader(header2, &s2);
  Check(s1 == s2, "PageHeader round trip unstable");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  FuzzFileMetaData(input);
  FuzzPageHeader(input);
  return 0;
}
