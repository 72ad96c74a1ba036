// Encoding of ChangeEvents as CDC log payloads (the log assigns seq/timestamp).
#pragma once

#include <string>
#include <string_view>

#include "parquedb/db.h"

namespace parquedb::db {

// Payload: [u8 format=1][u8 op][varint timestamp][collection][id][before][after]
// (length-prefixed strings, values in the binary Value codec). The seq comes from
// the log record.
std::string EncodeChange(const ChangeEvent& e);
// Fills everything but seq. Corruption on malformed payloads.
Status DecodeChange(std::string_view payload, ChangeEvent* e);

}  // namespace parquedb::db
