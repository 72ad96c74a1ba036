#include "parquet/metadata.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <type_traits>

#include "parquet/thrift_compact.h"

namespace parquedb::parquet {

namespace {

using CT = CompactType;

// Lists are filled element by element; reserve at most this many up front so that a
// (bounds-checked) declared size cannot amplify into a large allocation.
constexpr uint32_t kMaxReserve = 1024;

// ===================================================================== parse helpers

// Evaluates `expr` (a Status); on error returns it prefixed with `ctx` (the field it
// came from). A macro rather than a function so that the OK path moves no Status.
#define PQ_FIELD(expr, ctx)                        \
  do {                                             \
    ::parquedb::Status _pq_field_st = (expr);      \
    if (__builtin_expect(!_pq_field_st.ok(), 0)) { \
      return _pq_field_st.WithContext(ctx);        \
    }                                              \
  } while (0)

Status TypeMismatch(const FieldHeader& f, CT want) {
  std::string msg("expected ");
  msg += CompactTypeName(want);
  msg += ", got ";
  msg += CompactTypeName(f.type);
  msg += " (field id ";
  msg += std::to_string(f.id);
  msg += ")";
  return Status::Corruption(msg);
}

Status MissingField(const char* name) {
  return Status::Corruption(std::string("missing required field ") + name);
}

struct RequiredField {
  int id;
  const char* name;
};

// `seen` has bit i set if field id i (1..31) was present.
template <size_t N>
Status CheckRequired(uint32_t seen, const RequiredField (&fields)[N]) {
  for (const RequiredField& f : fields) {
    if ((seen & (1u << f.id)) == 0) return MissingField(f.name);
  }
  return Status::OK();
}

uint32_t FieldBit(const FieldHeader& f) { return f.id > 0 && f.id < 32 ? 1u << f.id : 0u; }

// Reads one struct: calls on_field(header) for every field until STOP. on_field must
// consume the field value (or skip it with r->SkipField).
template <typename Fn>
Status ParseStruct(CompactReader* r, Fn&& on_field) {
  PQ_RETURN_IF_ERROR(r->ReadStructBegin());
  while (true) {
    FieldHeader f;
    PQ_RETURN_IF_ERROR(r->ReadFieldBegin(&f));
    if (f.type == CT::kStop) break;
    PQ_RETURN_IF_ERROR(on_field(f));
  }
  r->ReadStructEnd();
  return Status::OK();
}

// ReadValue(r, T*): reads one bare value (a struct body for struct types).
Status ReadValue(CompactReader* r, int8_t* v) { return r->ReadI8(v); }
Status ReadValue(CompactReader* r, int16_t* v) { return r->ReadI16(v); }
Status ReadValue(CompactReader* r, int32_t* v) { return r->ReadI32(v); }
Status ReadValue(CompactReader* r, int64_t* v) { return r->ReadI64(v); }
Status ReadValue(CompactReader* r, std::string* v) {
  std::string_view view;
  PQ_RETURN_IF_ERROR(r->ReadBinary(&view));
  v->assign(view);
  return Status::OK();
}
// Enums are i32 on the wire. Values unknown to this version are kept as they are
// (forward compatibility); PhysicalType is closed and validated below.
template <typename E>
Status ReadValue(CompactReader* r, E* v) {
  static_assert(std::is_enum_v<E>, "no ReadValue overload for this type");
  int32_t x = 0;
  PQ_RETURN_IF_ERROR(r->ReadI32(&x));
  *v = static_cast<E>(x);
  return Status::OK();
}
Status ReadValue(CompactReader* r, PhysicalType* v) {
  int32_t x = 0;
  PQ_RETURN_IF_ERROR(r->ReadI32(&x));
  if (x < 0 || x > static_cast<int32_t>(PhysicalType::kFixedLenByteArray)) {
    return Status::Corruption("invalid physical type " + std::to_string(x));
  }
  *v = static_cast<PhysicalType>(x);
  return Status::OK();
}
Status ReadValue(CompactReader* r, Statistics* v);
Status ReadValue(CompactReader* r, LogicalType* v);
Status ReadValue(CompactReader* r, SchemaElement* v);
Status ReadValue(CompactReader* r, KeyValue* v);
Status ReadValue(CompactReader* r, PageEncodingStats* v);
Status ReadValue(CompactReader* r, ColumnMetaData* v);
Status ReadValue(CompactReader* r, ColumnChunk* v);
Status ReadValue(CompactReader* r, SortingColumn* v);
Status ReadValue(CompactReader* r, RowGroup* v);
Status ReadValue(CompactReader* r, ColumnOrder* v);
Status ReadValue(CompactReader* r, DataPageHeader* v);
Status ReadValue(CompactReader* r, DictionaryPageHeader* v);
Status ReadValue(CompactReader* r, DataPageHeaderV2* v);

template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};

// The wire type of a T-valued field or list element.
template <typename T>
constexpr CT WireType() {
  if constexpr (std::is_same_v<T, ColumnOrder>) {
    return CT::kStruct;  // an enum here, a union on the wire
  } else if constexpr (std::is_same_v<T, int8_t>) {
    return CT::kI8;
  } else if constexpr (std::is_same_v<T, int16_t>) {
    return CT::kI16;
  } else if constexpr (std::is_same_v<T, int32_t> || std::is_enum_v<T>) {
    return CT::kI32;
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return CT::kI64;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return CT::kBinary;
  } else if constexpr (IsVector<T>::value) {
    return CT::kList;
  } else {
    return CT::kStruct;
  }
}

// ReadField(r, f, T*): checks the field's wire type, then reads its value.
Status ReadField(CompactReader*, const FieldHeader& f, bool* v) {
  if (!IsBoolType(f.type)) return TypeMismatch(f, CT::kBoolTrue);
  *v = CompactReader::FieldBool(f);
  return Status::OK();
}

template <typename T>
Status ReadField(CompactReader* r, const FieldHeader& f, T* v) {
  if (f.type != WireType<T>()) return TypeMismatch(f, WireType<T>());
  return ReadValue(r, v);
}

template <typename T>
Status ReadField(CompactReader* r, const FieldHeader& f, std::optional<T>* v) {
  v->emplace();
  return ReadField(r, f, &**v);
}

template <typename T>
Status ReadField(CompactReader* r, const FieldHeader& f, std::vector<T>* v) {
  if (f.type != CT::kList) return TypeMismatch(f, CT::kList);
  ListHeader list;
  PQ_RETURN_IF_ERROR(r->ReadListBegin(&list));
  if (list.elem_type != WireType<T>()) {
    return Status::Corruption(std::string("expected list<") + CompactTypeName(WireType<T>()) +
                              ">, got list<" + CompactTypeName(list.elem_type) + ">");
  }
  v->clear();
  v->reserve(std::min(list.size, kMaxReserve));
  for (uint32_t i = 0; i < list.size; ++i) {
    Status s = ReadValue(r, &v->emplace_back());
    if (!s.ok()) return s.WithContext("element " + std::to_string(i));
  }
  return Status::OK();
}

// ===================================================================== parsers

Status ReadValue(CompactReader* r, Statistics* v) {
  return ParseStruct(r, [&](const FieldHeader& f) -> Status {
    switch (f.id) {
      case 1:
        PQ_FIELD(ReadField(r, f, &v->max), "Statistics.max");
        break;
      case 2:
        PQ_FIELD(ReadField(r, f, &v->min), "Statistics.min");
        break;
      case 3:
        PQ_FIELD(ReadField(r, f, &v->null_count), "Statistics.null_count");
        break;
      case 4:
        PQ_FIELD(ReadField(r, f, &v->distinct_count), "Statistics.distinct_count");
        break;
      case 5:
        PQ_FIELD(ReadField(r, f, &v->max_value), "Statistics.max_value");
        break;
      case 6:
        PQ_FIELD(ReadField(r, f, &v->min_value), "Statistics.min_value");
        break;
      case 7:
        PQ_FIELD(ReadField(r, f, &v->is_max_value_exact), "Statistics.is_max_value_exact");
        break;
      case 8:
        PQ_FIELD(ReadField(r, f, &v->is_min_value_exact), "Statistics.is_min_value_exact");
        break;
      default:
        return r->SkipField(f.type);  // 9: nan_count, and future fields
    }
    return Status::OK();
  });
}

// TimeUnit union; *known is false for a member this version does not know.
Status ReadTimeUnit(CompactReader* r, TimeUnit* unit, bool* known) {
  int members = 0;
  *known = false;
  PQ_RETURN_IF_ERROR(ParseStruct(r, [&](const FieldHeader& f) -> Status {
    if (++members > 1) return Status::Corruption("TimeUnit union has more than one member");
    if (f.id >= 1 && f.id <= 3) {
      if (f.type != CT::kStruct) return TypeMismatch(f, CT::kStruct);
      *unit = f.id == 1 ? TimeUnit::kMillis : f.id == 2 ? TimeUnit::kMicros : TimeUnit::kNanos;
      *known = true;
    }
    return r->SkipField(f.type);
  }));
  if (members == 0) return Status::Corruption("TimeUnit union has no member");
  return Status::OK();
}

// TimeType / TimestampType: {1: required bool isAdjustedToUTC, 2: required TimeUnit unit}.
Status ReadTimeOrTimestampBody(CompactReader* r, LogicalType* v) {
  uint32_t seen = 0;
  bool unit_known = true;
  PQ_RETURN_IF_ERROR(ParseStruct(r, [&](const FieldHeader& f) -> Status {
    seen |= FieldBit(f);
    switch (f.id) {
      case 1:
        PQ_FIELD(ReadField(r, f, &v->is_adjusted_to_utc), "isAdjustedToUTC");
        break;
      case 2:
        if (f.type != CT::kStruct) return TypeMismatch(f, CT::kStruct).WithContext("unit");
        PQ_FIELD(ReadTimeUnit(r, &v->unit, &unit_known), "unit");
        break;
      default:
        return r->SkipField(f.type);
    }
    return Status::OK();
  }));
  if (!(seen & (1u << 1))) return MissingField("isAdjustedToUTC");
  if (!(seen & (1u << 2))) return MissingField("unit");
  if (!unit_known) *v = LogicalType{LogicalType::Kind::kOther};
  return Status::OK();
}

Status ReadDecimalType(CompactReader* r, LogicalType* v) {
  uint32_t seen = 0;
  PQ_RETURN_IF_ERROR(ParseStruct(r, [&](const FieldHeader& f) -> Status {
    seen |= FieldBit(f);
    switch (f.id) {
      case 1:
        PQ_FIELD(ReadField(r, f, &v->decimal_scale), "scale");
        break;
      case 2:
        PQ_FIELD(ReadField(r, f, &v->decimal_precision), "precision");
        break;
      default:
        return r->SkipField(f.type);
    }
    return Status::OK();
  }));
  if (!(seen & (1u << 1))) return MissingField("scale");
  if (!(seen & (1u << 2))) return MissingField("precision");
  return Status::OK();
}

Status ReadIntType(CompactReader* r, LogicalType* v) {
  uint32_t seen = 0;
  PQ_RETURN_IF_ERROR(ParseStruct(r, [&](const FieldHeader& f) -> Status {
    seen |= FieldBit(f);
    switch (f.id) {
      case 1:
        PQ_FIELD(ReadField(r, f, &v->int_bit_width), "bitWidth");
        break;
      case 2:
        PQ_FIELD(ReadField(r, f, &v->int_is_signed), "isSigned");
        break;
      default:
        return r->SkipField(f.type);
    }
    return Status::OK();
  }));
  if (!(seen & (1u << 1))) return MissingField("bitWidth");
  if (!(seen & (1u << 2))) return MissingField("isSigned");
  return Status::OK();
}

// Union members that are empty structs; kOther for ids that carry data or are unknown.
LogicalType::Kind SimpleLogicalKind(int16_t id) {
  using K = LogicalType::Kind;
  switch (id) {
    case 1:
      return K::kString;
    case 2:
      return K::kMap;
    case 3:
      return K::kList;
    case 4:
      return K::kEnum;
    case 6:
      return K::kDate;
    case 11:
      return K::kNull;
    case 12:
      return K::kJson;
    case 13:
      return K::kBson;
    case 14:
      return K::kUuid;
    case 15:
      return K::kFloat16;
    default:
      return K::kOther;
  }
}

// LogicalType union. An empty union reads as kNone; an unknown member as kOther.
Status ReadValue(CompactReader* r, LogicalType* v) {
  using K = LogicalType::Kind;
  *v = LogicalType{};
  int members = 0;
  return ParseStruct(r, [&](const FieldHeader& f) -> Status {
    if (++members > 1) return Status::Corruption("LogicalType union has more than one member");
    const bool known = (f.id >= 1 && f.id <= 8) || (f.id >= 10 && f.id <= 15);
    if (!known) {
      v->kind = K::kOther;  // 9 (reserved), VARIANT, GEOMETRY, GEOGRAPHY, future members
      return r->SkipField(f.type);
    }
    if (f.type != CT::kStruct) return TypeMismatch(f, CT::kStruct).WithContext("LogicalType");
    switch (f.id) {
      case 5:
        v->kind = K::kDecimal;
        PQ_FIELD(ReadDecimalType(r, v), "LogicalType.DECIMAL");
        break;
      case 7:
        v->kind = K::kTime;
        PQ_FIELD(ReadTimeOrTimestampBody(r, v), "LogicalType.TIME");
        break;
      case 8:
        v->kind = K::kTimestamp;
        PQ_FIELD(ReadTimeOrTimestampBody(r, v), "LogicalType.TIMESTAMP");
        break;
      case 10:
        v->kind = K::kInteger;
        PQ_FIELD(ReadIntType(r, v), "LogicalType.INTEGER");
        break;
      default:
        v->kind = SimpleLogicalKind(f.id);
        return r->SkipField(f.type);  // empty struct (future fields skipped)
    }
    return Status::OK();
  });
}

Status ReadValue(CompactReader* r, SchemaElement* v) {
  uint32_t seen = 0;
  PQ_RETURN_IF_ERROR(ParseStruct(r, [&](const FieldHeader& f) -> Status {
    seen |= FieldBit(f);
    switch (f.id) {
      case 1:
        PQ_FIELD(ReadField(r, f, &v->type), "SchemaElement.type");
        break;
      case 2:
        PQ_FIELD(ReadField(r, f, &v->type_length), "SchemaElement.type_length");
        break;
      case 3:
        PQ_FIELD(ReadField(r, f, &v->repetition_type), "SchemaElement.repetition_type");
        break;
      case 4:
        PQ_FIELD(ReadField(r, f, &v->name), "SchemaElement.name");
        break;
      case 5:
        PQ_FIELD(ReadField(r, f, &v->num_children), "SchemaElement.num_children");
        break;
      case 6:
        PQ_FIELD(ReadField(r, f, &v->converted_type), "SchemaElement.converted_type");
        break;
      case 7:
        PQ_FIELD(ReadField(r, f, &v->scale), "SchemaElement.scale");
        break;
      case 8:
        PQ_FIELD(ReadField(r, f, &v->precision), "SchemaElement.precision");
        break;
      case 9:
        PQ_FIELD(ReadField(r, f, &v->field_id), "SchemaElement.field_id");
        break;
      case 10:
        PQ_FIELD(ReadField(r, f, &v->logical_type), "SchemaElement.logicalType");
        break;
      default:
        return r->SkipField(f.type);  // 11: vector_length, and future fields
    }
    return Status::OK();
  }));
  static constexpr RequiredField kRequired[] = {{4, "SchemaElement.name"}};
  return CheckRequired(seen, kRequired);
}

Status ReadValue(CompactReader* r, KeyValue* v) {
  uint32_t seen = 0;
  PQ_RETURN_IF_ERROR(ParseStruct(r, [&](const FieldHeader& f) -> Status {
    seen |= FieldBit(f);
    switch (f.id) {
      case 1:
        PQ_FIELD(ReadField(r, f, &v->key), "KeyValue.key");
        break;
      case 2:
        PQ_FIELD(ReadField(r, f, &v->value), "KeyValue.value");
        break;
      default:
        return r->SkipField(f.type);
    }
    return Status::OK();
  }));
  static constexpr RequiredField kRequired[] = {{1, "KeyValue.key"}};
  return CheckRequired(seen, kRequired);
}

Status ReadValue(CompactReader* r, PageEncodingStats* v) {
  uint32_t seen = 0;
  PQ_RETURN_IF_ERROR(ParseStruct(r, [&](const FieldHeader& f) -> Status {
    seen |= FieldBit(f);
    switch (f.id) {
      case 1:
        PQ_FIELD(ReadField(r, f, &v->page_type), "PageEncodingStats.page_type");
        break;
      case 2:
        PQ_FIELD(ReadField(r, f, &v->encoding), "PageEncodingStats.encoding");
        break;
      case 3:
        PQ_FIELD(ReadField(r, f, &v->count), "PageEncodingStats.count");
        break;
      default:
        return r->SkipField(f.type);
    }
    return Status::OK();
  }));
  static constexpr RequiredField kRequired[] = {{1, "PageEncodingStats.page_type"},
                                                {2, "PageEncodingStats.encoding"},
                                                {3, "PageEncodingStats.count"}};
  return CheckRequired(seen, kRequired);
}

Status ReadValue(CompactReader* r, ColumnMetaData* v) {
  uint32_t seen = 0;
  PQ_RETURN_IF_ERROR(ParseStruct(r, [&](const FieldHeader& f) -> Status {
    seen |= FieldBit(f);
    switch (f.id) {
      case 1:
        PQ_FIELD(ReadField(r, f, &v->type), "ColumnMetaData.type");
        break;
      case 2:
        PQ_FIELD(ReadField(r, f, &v->encodings), "ColumnMetaData.encodings");
        break;
      case 3:
        PQ_FIELD(ReadField(r, f, &v->path_in_schema), "ColumnMetaData.path_in_schema");
        break;
      case 4:
        PQ_FIELD(ReadField(r, f, &v->codec), "ColumnMetaData.codec");
        break;
      case 5:
        PQ_FIELD(ReadField(r, f, &v->num_values), "ColumnMetaData.num_values");
        break;
      case 6:
        PQ_FIELD(ReadField(r, f, &v->total_uncompressed_size),
                 "ColumnMetaData.total_uncompressed_size");
        break;
      case 7:
        PQ_FIELD(ReadField(r, f, &v->total_compressed_size),
                 "ColumnMetaData.total_compressed_size");
        break;
      case 8:
        PQ_FIELD(ReadField(r, f, &v->key_value_metadata), "ColumnMetaData.key_value_metadata");
        break;
      case 9:
        PQ_FIELD(ReadField(r, f, &v->data_page_offset), "ColumnMetaData.data_page_offset");
        break;
      case 10:
        PQ_FIELD(ReadField(r, f, &v->index_page_offset), "ColumnMetaData.index_page_offset");
        break;
      case 11:
        PQ_FIELD(ReadField(r, f, &v->dictionary_page_offset),
                 "ColumnMetaData.dictionary_page_offset");
        break;
      case 12:
        PQ_FIELD(ReadField(r, f, &v->statistics), "ColumnMetaData.statistics");
        break;
      case 13:
        PQ_FIELD(ReadField(r, f, &v->encoding_stats), "ColumnMetaData.encoding_stats");
        break;
      case 14:
        PQ_FIELD(ReadField(r, f, &v->bloom_filter_offset), "ColumnMetaData.bloom_filter_offset");
        break;
      case 15:
        PQ_FIELD(ReadField(r, f, &v->bloom_filter_length), "ColumnMetaData.bloom_filter_length");
        break;
      default:
        return r->SkipField(f.type);  // 16: size_statistics, 17: geospatial_statistics, ...
    }
    return Status::OK();
  }));
  static constexpr RequiredField kRequired[] = {
      {1, "ColumnMetaData.type"},
      {2, "ColumnMetaData.encodings"},
      {3, "ColumnMetaData.path_in_schema"},
      {4, "ColumnMetaData.codec"},
      {5, "ColumnMetaData.num_values"},
      {6, "ColumnMetaData.total_uncompressed_size"},
      {7, "ColumnMetaData.total_compressed_size"},
      {9, "ColumnMetaData.data_page_offset"},
  };
  return CheckRequired(seen, kRequired);
}

Status ReadValue(CompactReader* r, ColumnChunk* v) {
  uint32_t seen = 0;
  PQ_RETURN_IF_ERROR(ParseStruct(r, [&](const FieldHeader& f) -> Status {
    seen |= FieldBit(f);
    switch (f.id) {
      case 1:
        PQ_FIELD(ReadField(r, f, &v->file_path), "ColumnChunk.file_path");
        break;
      case 2:
        PQ_FIELD(ReadField(r, f, &v->file_offset), "ColumnChunk.file_offset");
        break;
      case 3:
        PQ_FIELD(ReadField(r, f, &v->meta_data), "ColumnChunk.meta_data");
        break;
      case 4:
        PQ_FIELD(ReadField(r, f, &v->offset_index_offset), "ColumnChunk.offset_index_offset");
        break;
      case 5:
        PQ_FIELD(ReadField(r, f, &v->offset_index_length), "ColumnChunk.offset_index_length");
        break;
      case 6:
        PQ_FIELD(ReadField(r, f, &v->column_index_offset), "ColumnChunk.column_index_offset");
        break;
      case 7:
        PQ_FIELD(ReadField(r, f, &v->column_index_length), "ColumnChunk.column_index_length");
        break;
      default:
        return r->SkipField(f.type);  // 8: crypto_metadata, 9: encrypted_column_metadata
    }
    return Status::OK();
  }));
  static constexpr RequiredField kRequired[] = {{2, "ColumnChunk.file_offset"}};
  return CheckRequired(seen, kRequired);
}

Status ReadValue(CompactReader* r, SortingColumn* v) {
  uint32_t seen = 0;
  PQ_RETURN_IF_ERROR(ParseStruct(r, [&](const FieldHeader& f) -> Status {
    seen |= FieldBit(f);
    switch (f.id) {
      case 1:
        PQ_FIELD(ReadField(r, f, &v->column_idx), "SortingColumn.column_idx");
        break;
      case 2:
        PQ_FIELD(ReadField(r, f, &v->descending), "SortingColumn.descending");
        break;
      case 3:
        PQ_FIELD(ReadField(r, f, &v->nulls_first), "SortingColumn.nulls_first");
        break;
      default:
        return r->SkipField(f.type);
    }
    return Status::OK();
  }));
  static constexpr RequiredField kRequired[] = {{1, "SortingColumn.column_idx"},
                                                {2, "SortingColumn.descending"},
                                                {3, "SortingColumn.nulls_first"}};
  return CheckRequired(seen, kRequired);
}

Status ReadValue(CompactReader* r, RowGroup* v) {
  uint32_t seen = 0;
  PQ_RETURN_IF_ERROR(ParseStruct(r, [&](const FieldHeader& f) -> Status {
    seen |= FieldBit(f);
    switch (f.id) {
      case 1:
        PQ_FIELD(ReadField(r, f, &v->columns), "RowGroup.columns");
        break;
      case 2:
        PQ_FIELD(ReadField(r, f, &v->total_byte_size), "RowGroup.total_byte_size");
        break;
      case 3:
        PQ_FIELD(ReadField(r, f, &v->num_rows), "RowGroup.num_rows");
        break;
      case 4:
        PQ_FIELD(ReadField(r, f, &v->sorting_columns), "RowGroup.sorting_columns");
        break;
      case 5:
        PQ_FIELD(ReadField(r, f, &v->file_offset), "RowGroup.file_offset");
        break;
      case 6:
        PQ_FIELD(ReadField(r, f, &v->total_compressed_size), "RowGroup.total_compressed_size");
        break;
      case 7:
        PQ_FIELD(ReadField(r, f, &v->ordinal), "RowGroup.ordinal");
        break;
      default:
        return r->SkipField(f.type);
    }
    return Status::OK();
  }));
  static constexpr RequiredField kRequired[] = {
      {1, "RowGroup.columns"}, {2, "RowGroup.total_byte_size"}, {3, "RowGroup.num_rows"}};
  return CheckRequired(seen, kRequired);
}

// ColumnOrder union: exactly TYPE_ORDER -> kTypeDefinedOrder; anything else -> kUnknown.
Status ReadValue(CompactReader* r, ColumnOrder* v) {
  int members = 0;
  bool type_order = false;
  PQ_RETURN_IF_ERROR(ParseStruct(r, [&](const FieldHeader& f) -> Status {
    ++members;
    if (f.id == 1 && f.type == CT::kStruct) type_order = true;
    return r->SkipField(f.type);
  }));
  *v = members == 1 && type_order ? ColumnOrder::kTypeDefinedOrder : ColumnOrder::kUnknown;
  return Status::OK();
}

Status ReadValue(CompactReader* r, FileMetaData* v) {
  uint32_t seen = 0;
  PQ_RETURN_IF_ERROR(ParseStruct(r, [&](const FieldHeader& f) -> Status {
    seen |= FieldBit(f);
    switch (f.id) {
      case 1:
        PQ_FIELD(ReadField(r, f, &v->version), "FileMetaData.version");
        break;
      case 2:
        PQ_FIELD(ReadField(r, f, &v->schema), "FileMetaData.schema");
        break;
      case 3:
        PQ_FIELD(ReadField(r, f, &v->num_rows), "FileMetaData.num_rows");
        break;
      case 4:
        PQ_FIELD(ReadField(r, f, &v->row_groups), "FileMetaData.row_groups");
        break;
      case 5:
        PQ_FIELD(ReadField(r, f, &v->key_value_metadata), "FileMetaData.key_value_metadata");
        break;
      case 6:
        PQ_FIELD(ReadField(r, f, &v->created_by), "FileMetaData.created_by");
        break;
      case 7:
        PQ_FIELD(ReadField(r, f, &v->column_orders), "FileMetaData.column_orders");
        break;
      case 8:  // encryption_algorithm
      case 9:  // footer_signing_key_metadata
        v->encrypted = true;
        PQ_FIELD(r->SkipField(f.type), "FileMetaData encryption fields");
        break;
      default:
        return r->SkipField(f.type);
    }
    return Status::OK();
  }));
  static constexpr RequiredField kRequired[] = {{1, "FileMetaData.version"},
                                                {2, "FileMetaData.schema"},
                                                {3, "FileMetaData.num_rows"},
                                                {4, "FileMetaData.row_groups"}};
  return CheckRequired(seen, kRequired);
}

Status ReadValue(CompactReader* r, DataPageHeader* v) {
  uint32_t seen = 0;
  PQ_RETURN_IF_ERROR(ParseStruct(r, [&](const FieldHeader& f) -> Status {
    seen |= FieldBit(f);
    switch (f.id) {
      case 1:
        PQ_FIELD(ReadField(r, f, &v->num_values), "DataPageHeader.num_values");
        break;
      case 2:
        PQ_FIELD(ReadField(r, f, &v->encoding), "DataPageHeader.encoding");
        break;
      case 3:
        PQ_FIELD(ReadField(r, f, &v->definition_level_encoding),
                 "DataPageHeader.definition_level_encoding");
        break;
      case 4:
        PQ_FIELD(ReadField(r, f, &v->repetition_level_encoding),
                 "DataPageHeader.repetition_level_encoding");
        break;
      case 5:
        PQ_FIELD(ReadField(r, f, &v->statistics), "DataPageHeader.statistics");
        break;
      default:
        return r->SkipField(f.type);
    }
    return Status::OK();
  }));
  static constexpr RequiredField kRequired[] = {{1, "DataPageHeader.num_values"},
                                                {2, "DataPageHeader.encoding"},
                                                {3, "DataPageHeader.definition_level_encoding"},
                                                {4, "DataPageHeader.repetition_level_encoding"}};
  return CheckRequired(seen, kRequired);
}

Status ReadValue(CompactReader* r, DictionaryPageHeader* v) {
  uint32_t seen = 0;
  PQ_RETURN_IF_ERROR(ParseStruct(r, [&](const FieldHeader& f) -> Status {
    seen |= FieldBit(f);
    switch (f.id) {
      case 1:
        PQ_FIELD(ReadField(r, f, &v->num_values), "DictionaryPageHeader.num_values");
        break;
      case 2:
        PQ_FIELD(ReadField(r, f, &v->encoding), "DictionaryPageHeader.encoding");
        break;
      case 3:
        PQ_FIELD(ReadField(r, f, &v->is_sorted), "DictionaryPageHeader.is_sorted");
        break;
      default:
        return r->SkipField(f.type);
    }
    return Status::OK();
  }));
  static constexpr RequiredField kRequired[] = {{1, "DictionaryPageHeader.num_values"},
                                                {2, "DictionaryPageHeader.encoding"}};
  return CheckRequired(seen, kRequired);
}

Status ReadValue(CompactReader* r, DataPageHeaderV2* v) {
  uint32_t seen = 0;
  PQ_RETURN_IF_ERROR(ParseStruct(r, [&](const FieldHeader& f) -> Status {
    seen |= FieldBit(f);
    switch (f.id) {
      case 1:
        PQ_FIELD(ReadField(r, f, &v->num_values), "DataPageHeaderV2.num_values");
        break;
      case 2:
        PQ_FIELD(ReadField(r, f, &v->num_nulls), "DataPageHeaderV2.num_nulls");
        break;
      case 3:
        PQ_FIELD(ReadField(r, f, &v->num_rows), "DataPageHeaderV2.num_rows");
        break;
      case 4:
        PQ_FIELD(ReadField(r, f, &v->encoding), "DataPageHeaderV2.encoding");
        break;
      case 5:
        PQ_FIELD(ReadField(r, f, &v->definition_levels_byte_length),
                 "DataPageHeaderV2.definition_levels_byte_length");
        break;
      case 6:
        PQ_FIELD(ReadField(r, f, &v->repetition_levels_byte_length),
                 "DataPageHeaderV2.repetition_levels_byte_length");
        break;
      case 7:
        PQ_FIELD(ReadField(r, f, &v->is_compressed), "DataPageHeaderV2.is_compressed");
        break;
      case 8:
        PQ_FIELD(ReadField(r, f, &v->statistics), "DataPageHeaderV2.statistics");
        break;
      default:
        return r->SkipField(f.type);
    }
    return Status::OK();
  }));
  static constexpr RequiredField kRequired[] = {
      {1, "DataPageHeaderV2.num_values"},
      {2, "DataPageHeaderV2.num_nulls"},
      {3, "DataPageHeaderV2.num_rows"},
      {4, "DataPageHeaderV2.encoding"},
      {5, "DataPageHeaderV2.definition_levels_byte_length"},
      {6, "DataPageHeaderV2.repetition_levels_byte_length"},
  };
  return CheckRequired(seen, kRequired);
}

Status ReadValue(CompactReader* r, PageHeader* v) {
  uint32_t seen = 0;
  PQ_RETURN_IF_ERROR(ParseStruct(r, [&](const FieldHeader& f) -> Status {
    seen |= FieldBit(f);
    switch (f.id) {
      case 1:
        PQ_FIELD(ReadField(r, f, &v->type), "PageHeader.type");
        break;
      case 2:
        PQ_FIELD(ReadField(r, f, &v->uncompressed_page_size), "PageHeader.uncompressed_page_size");
        break;
      case 3:
        PQ_FIELD(ReadField(r, f, &v->compressed_page_size), "PageHeader.compressed_page_size");
        break;
      case 4:
        PQ_FIELD(ReadField(r, f, &v->crc), "PageHeader.crc");
        break;
      case 5:
        PQ_FIELD(ReadField(r, f, &v->data_page_header), "PageHeader.data_page_header");
        break;
      case 7:
        PQ_FIELD(ReadField(r, f, &v->dictionary_page_header), "PageHeader.dictionary_page_header");
        break;
      case 8:
        PQ_FIELD(ReadField(r, f, &v->data_page_header_v2), "PageHeader.data_page_header_v2");
        break;
      default:
        return r->SkipField(f.type);  // 6: index_page_header, and future fields
    }
    return Status::OK();
  }));
  static constexpr RequiredField kRequired[] = {{1, "PageHeader.type"},
                                                {2, "PageHeader.uncompressed_page_size"},
                                                {3, "PageHeader.compressed_page_size"}};
  PQ_RETURN_IF_ERROR(CheckRequired(seen, kRequired));
  if (v->uncompressed_page_size < 0 || v->compressed_page_size < 0) {
    return Status::Corruption("negative page size in PageHeader (uncompressed " +
                              std::to_string(v->uncompressed_page_size) + ", compressed " +
                              std::to_string(v->compressed_page_size) + ")");
  }
  return Status::OK();
}

// ===================================================================== serializers

uint32_t ListSize(size_t n) {
  assert(n <= static_cast<size_t>(std::numeric_limits<int32_t>::max()));
  return static_cast<uint32_t>(n);
}

template <typename E>
int32_t EnumValue(E e) {
  return static_cast<int32_t>(e);
}

void WriteOptI32(CompactWriter* w, int16_t id, const std::optional<int32_t>& v) {
  if (v) w->WriteI32Field(id, *v);
}
void WriteOptI64(CompactWriter* w, int16_t id, const std::optional<int64_t>& v) {
  if (v) w->WriteI64Field(id, *v);
}
void WriteOptBinary(CompactWriter* w, int16_t id, const std::optional<std::string>& v) {
  if (v) w->WriteBinaryField(id, *v);
}
void WriteOptBool(CompactWriter* w, int16_t id, const std::optional<bool>& v) {
  if (v) w->WriteBoolField(id, *v);
}

void WriteStruct(CompactWriter* w, const Statistics& v) {
  w->WriteStructBegin();
  WriteOptBinary(w, 1, v.max);
  WriteOptBinary(w, 2, v.min);
  WriteOptI64(w, 3, v.null_count);
  WriteOptI64(w, 4, v.distinct_count);
  WriteOptBinary(w, 5, v.max_value);
  WriteOptBinary(w, 6, v.min_value);
  WriteOptBool(w, 7, v.is_max_value_exact);
  WriteOptBool(w, 8, v.is_min_value_exact);
  w->WriteStructEnd();
}

// Writes `id: Empty {}` (an empty-struct union member).
void WriteEmptyStructField(CompactWriter* w, int16_t id) {
  w->WriteStructFieldBegin(id);
  w->WriteStructEnd();
}

void WriteTimeUnitField(CompactWriter* w, int16_t id, TimeUnit unit) {
  w->WriteStructFieldBegin(id);
  switch (unit) {
    case TimeUnit::kMillis:
      WriteEmptyStructField(w, 1);
      break;
    case TimeUnit::kNanos:
      WriteEmptyStructField(w, 3);
      break;
    case TimeUnit::kMicros:
    default:
      WriteEmptyStructField(w, 2);
      break;
  }
  w->WriteStructEnd();
}

// Writes field `id` (the LogicalType union) unless the type is absent or unknown.
void WriteLogicalTypeField(CompactWriter* w, int16_t id, const LogicalType& v) {
  using K = LogicalType::Kind;
  int16_t member = 0;
  switch (v.kind) {
    case K::kNone:
    case K::kOther:
      return;  // nothing we could write faithfully
    case K::kString:
      member = 1;
      break;
    case K::kMap:
      member = 2;
      break;
    case K::kList:
      member = 3;
      break;
    case K::kEnum:
      member = 4;
      break;
    case K::kDecimal:
      member = 5;
      break;
    case K::kDate:
      member = 6;
      break;
    case K::kTime:
      member = 7;
      break;
    case K::kTimestamp:
      member = 8;
      break;
    case K::kInteger:
      member = 10;
      break;
    case K::kNull:
      member = 11;
      break;
    case K::kJson:
      member = 12;
      break;
    case K::kBson:
      member = 13;
      break;
    case K::kUuid:
      member = 14;
      break;
    case K::kFloat16:
      member = 15;
      break;
  }
  if (member == 0) return;  // out-of-range kind value
  w->WriteStructFieldBegin(id);
  w->WriteStructFieldBegin(member);
  switch (v.kind) {
    case K::kDecimal:
      w->WriteI32Field(1, v.decimal_scale);
      w->WriteI32Field(2, v.decimal_precision);
      break;
    case K::kTime:
    case K::kTimestamp:
      w->WriteBoolField(1, v.is_adjusted_to_utc);
      WriteTimeUnitField(w, 2, v.unit);
      break;
    case K::kInteger:
      w->WriteI8Field(1, v.int_bit_width);
      w->WriteBoolField(2, v.int_is_signed);
      break;
    default:
      break;  // empty struct
  }
  w->WriteStructEnd();  // member
  w->WriteStructEnd();  // union
}

void WriteStruct(CompactWriter* w, const SchemaElement& v) {
  w->WriteStructBegin();
  if (v.type) w->WriteI32Field(1, EnumValue(*v.type));
  WriteOptI32(w, 2, v.type_length);
  if (v.repetition_type) w->WriteI32Field(3, EnumValue(*v.repetition_type));
  w->WriteBinaryField(4, v.name);
  WriteOptI32(w, 5, v.num_children);
  if (v.converted_type) w->WriteI32Field(6, EnumValue(*v.converted_type));
  WriteOptI32(w, 7, v.scale);
  WriteOptI32(w, 8, v.precision);
  WriteOptI32(w, 9, v.field_id);
  WriteLogicalTypeField(w, 10, v.logical_type);
  w->WriteStructEnd();
}

void WriteStruct(CompactWriter* w, const KeyValue& v) {
  w->WriteStructBegin();
  w->WriteBinaryField(1, v.key);
  WriteOptBinary(w, 2, v.value);
  w->WriteStructEnd();
}

void WriteStruct(CompactWriter* w, const PageEncodingStats& v) {
  w->WriteStructBegin();
  w->WriteI32Field(1, EnumValue(v.page_type));
  w->WriteI32Field(2, EnumValue(v.encoding));
  w->WriteI32Field(3, v.count);
  w->WriteStructEnd();
}

void WriteStruct(CompactWriter* w, const ColumnChunk& v);
void WriteStruct(CompactWriter* w, const SortingColumn& v);
void WriteStruct(CompactWriter* w, const RowGroup& v);
void WriteStruct(CompactWriter* w, const ColumnOrder& v);

// A list<struct> field; `always` writes it even when empty (required fields).
template <typename T>
void WriteStructListField(CompactWriter* w, int16_t id, const std::vector<T>& v, bool always) {
  if (v.empty() && !always) return;
  w->WriteListFieldBegin(id, CT::kStruct, ListSize(v.size()));
  for (const T& e : v) WriteStruct(w, e);
}

void WriteStruct(CompactWriter* w, const ColumnMetaData& v) {
  w->WriteStructBegin();
  w->WriteI32Field(1, EnumValue(v.type));
  w->WriteListFieldBegin(2, CT::kI32, ListSize(v.encodings.size()));
  for (Encoding e : v.encodings) w->WriteI32(EnumValue(e));
  w->WriteListFieldBegin(3, CT::kBinary, ListSize(v.path_in_schema.size()));
  for (const std::string& p : v.path_in_schema) w->WriteBinary(p);
  w->WriteI32Field(4, EnumValue(v.codec));
  w->WriteI64Field(5, v.num_values);
  w->WriteI64Field(6, v.total_uncompressed_size);
  w->WriteI64Field(7, v.total_compressed_size);
  WriteStructListField(w, 8, v.key_value_metadata, /*always=*/false);
  w->WriteI64Field(9, v.data_page_offset);
  WriteOptI64(w, 10, v.index_page_offset);
  WriteOptI64(w, 11, v.dictionary_page_offset);
  if (v.statistics) {
    w->WriteFieldBegin(12, CT::kStruct);
    WriteStruct(w, *v.statistics);
  }
  WriteStructListField(w, 13, v.encoding_stats, /*always=*/false);
  WriteOptI64(w, 14, v.bloom_filter_offset);
  WriteOptI32(w, 15, v.bloom_filter_length);
  w->WriteStructEnd();
}

void WriteStruct(CompactWriter* w, const ColumnChunk& v) {
  w->WriteStructBegin();
  WriteOptBinary(w, 1, v.file_path);
  w->WriteI64Field(2, v.file_offset);
  if (v.meta_data) {
    w->WriteFieldBegin(3, CT::kStruct);
    WriteStruct(w, *v.meta_data);
  }
  WriteOptI64(w, 4, v.offset_index_offset);
  WriteOptI32(w, 5, v.offset_index_length);
  WriteOptI64(w, 6, v.column_index_offset);
  WriteOptI32(w, 7, v.column_index_length);
  w->WriteStructEnd();
}

void WriteStruct(CompactWriter* w, const SortingColumn& v) {
  w->WriteStructBegin();
  w->WriteI32Field(1, v.column_idx);
  w->WriteBoolField(2, v.descending);
  w->WriteBoolField(3, v.nulls_first);
  w->WriteStructEnd();
}

void WriteStruct(CompactWriter* w, const RowGroup& v) {
  w->WriteStructBegin();
  WriteStructListField(w, 1, v.columns, /*always=*/true);
  w->WriteI64Field(2, v.total_byte_size);
  w->WriteI64Field(3, v.num_rows);
  WriteStructListField(w, 4, v.sorting_columns, /*always=*/false);
  WriteOptI64(w, 5, v.file_offset);
  WriteOptI64(w, 6, v.total_compressed_size);
  if (v.ordinal) w->WriteI16Field(7, *v.ordinal);
  w->WriteStructEnd();
}

// kUnknown is written as an empty union (reads back as kUnknown), keeping the list
// aligned with the leaf columns.
void WriteStruct(CompactWriter* w, const ColumnOrder& v) {
  w->WriteStructBegin();
  if (v == ColumnOrder::kTypeDefinedOrder) WriteEmptyStructField(w, 1);
  w->WriteStructEnd();
}

void WriteStruct(CompactWriter* w, const DataPageHeader& v) {
  w->WriteStructBegin();
  w->WriteI32Field(1, v.num_values);
  w->WriteI32Field(2, EnumValue(v.encoding));
  w->WriteI32Field(3, EnumValue(v.definition_level_encoding));
  w->WriteI32Field(4, EnumValue(v.repetition_level_encoding));
  if (v.statistics) {
    w->WriteFieldBegin(5, CT::kStruct);
    WriteStruct(w, *v.statistics);
  }
  w->WriteStructEnd();
}

void WriteStruct(CompactWriter* w, const DictionaryPageHeader& v) {
  w->WriteStructBegin();
  w->WriteI32Field(1, v.num_values);
  w->WriteI32Field(2, EnumValue(v.encoding));
  WriteOptBool(w, 3, v.is_sorted);
  w->WriteStructEnd();
}

void WriteStruct(CompactWriter* w, const DataPageHeaderV2& v) {
  w->WriteStructBegin();
  w->WriteI32Field(1, v.num_values);
  w->WriteI32Field(2, v.num_nulls);
  w->WriteI32Field(3, v.num_rows);
  w->WriteI32Field(4, EnumValue(v.encoding));
  w->WriteI32Field(5, v.definition_levels_byte_length);
  w->WriteI32Field(6, v.repetition_levels_byte_length);
  w->WriteBoolField(7, v.is_compressed);
  if (v.statistics) {
    w->WriteFieldBegin(8, CT::kStruct);
    WriteStruct(w, *v.statistics);
  }
  w->WriteStructEnd();
}

}  // namespace

std::string SerializeFileMetaData(const FileMetaData& md) {
  std::string out;
  CompactWriter w(&out);
  w.WriteStructBegin();
  w.WriteI32Field(1, md.version);
  WriteStructListField(&w, 2, md.schema, /*always=*/true);
  w.WriteI64Field(3, md.num_rows);
  WriteStructListField(&w, 4, md.row_groups, /*always=*/true);
  WriteStructListField(&w, 5, md.key_value_metadata, /*always=*/false);
  WriteOptBinary(&w, 6, md.created_by);
  WriteStructListField(&w, 7, md.column_orders, /*always=*/false);
  w.WriteStructEnd();
  return out;
}

Status ParseFileMetaData(std::string_view data, FileMetaData* out) {
  *out = FileMetaData{};
  CompactReader r(data);
  PQ_RETURN_IF_ERROR(ReadValue(&r, out));
  // A signed plaintext footer (encrypted files) is followed by nonce + tag; otherwise
  // the footer length must match the struct exactly.
  if (r.remaining() != 0 && !out->encrypted) {
    return Status::Corruption("FileMetaData: " + std::to_string(r.remaining()) +
                              " trailing bytes after the struct (footer is " +
                              std::to_string(data.size()) + " bytes)");
  }
  return Status::OK();
}

void SerializePageHeader(const PageHeader& header, std::string* out) {
  CompactWriter w(out);
  w.WriteStructBegin();
  w.WriteI32Field(1, EnumValue(header.type));
  w.WriteI32Field(2, header.uncompressed_page_size);
  w.WriteI32Field(3, header.compressed_page_size);
  WriteOptI32(&w, 4, header.crc);
  if (header.data_page_header) {
    w.WriteFieldBegin(5, CT::kStruct);
    WriteStruct(&w, *header.data_page_header);
  }
  if (header.dictionary_page_header) {
    w.WriteFieldBegin(7, CT::kStruct);
    WriteStruct(&w, *header.dictionary_page_header);
  }
  if (header.data_page_header_v2) {
    w.WriteFieldBegin(8, CT::kStruct);
    WriteStruct(&w, *header.data_page_header_v2);
  }
  w.WriteStructEnd();
}

Status ParsePageHeader(std::string_view data, PageHeader* out, size_t* consumed) {
  // Field-wise reset: assigning PageHeader{} would zero-fill the whole struct per page.
  out->type = PageType::kDataPage;
  out->uncompressed_page_size = 0;
  out->compressed_page_size = 0;
  out->crc.reset();
  out->data_page_header.reset();
  out->dictionary_page_header.reset();
  out->data_page_header_v2.reset();
  CompactReader r(data);
  PQ_RETURN_IF_ERROR(ReadValue(&r, out));
  *consumed = r.position();
  return Status::OK();
}

}  // namespace parquedb::parquet
