// Standard base64 (RFC 4648, with '=' padding), for binary payloads kept in text
// columns (view rows in data files).
#pragma once

#include <string>
#include <string_view>

namespace parquedb {

std::string Base64Encode(std::string_view in);
// False (and *out unspecified) unless `in` is well-formed padded base64.
bool Base64Decode(std::string_view in, std::string* out);

}  // namespace parquedb
