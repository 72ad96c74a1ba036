// In-memory RandomAccessFile over a byte string (tests, fuzzers, small buffers).
#pragma once

#include <algorithm>
#include <cstring>
#include <string>

#include "parquedb/env.h"

namespace parquedb {

class StringRandomAccessFile final : public RandomAccessFile {
 public:
  explicit StringRandomAccessFile(std::string data) : data_(std::move(data)) {}
  Status Read(uint64_t offset, size_t n, std::string_view* result,
              char* scratch) const override {
    if (offset >= data_.size()) {
      *result = std::string_view();
      return Status::OK();
    }
    size_t len = std::min<uint64_t>(n, data_.size() - offset);
    std::memcpy(scratch, data_.data() + offset, len);
    *result = std::string_view(scratch, len);
    return Status::OK();
  }
  uint64_t Size() const override { return data_.size(); }

 private:
  std::string data_;
};

}  // namespace parquedb
