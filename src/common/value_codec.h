// Compact, exact binary encoding of Value (all kinds round-trip bit for bit),
// used for CDC event payloads and view state. Decoding is hardened against
// untrusted bytes: bounded depth and lengths, Corruption on malformed input.
#pragma once

#include <string>
#include <string_view>

#include "parquedb/value.h"

namespace parquedb {

// Appends the encoding of `v` to *out.
void EncodeValue(const Value& v, std::string* out);

// Decodes one value from the front of *in and advances *in past it.
Status DecodeValue(std::string_view* in, Value* out);

// Varint helpers shared by codecs built on this one.
void PutVarint64(std::string* out, uint64_t v);
bool GetVarint64(std::string_view* in, uint64_t* v);
void PutLengthPrefixed(std::string* out, std::string_view s);
bool GetLengthPrefixed(std::string_view* in, std::string_view* s);

}  // namespace parquedb
