#include "parquet/writer.h"

#include <algorithm>
#include <cstring>

#include "parquet/compression.h"
#include "parquet/encoding.h"
#include "parquet/statistics.h"

namespace parquedb::parquet {

namespace {

constexpr char kMagic[] = "PAR1";

int FixedWidthOf(const ColumnVector& col) {
  switch (col.type) {
    case PhysicalType::kBoolean:
      return 1;
    case PhysicalType::kInt32:
    case PhysicalType::kFloat:
      return 4;
    case PhysicalType::kInt64:
    case PhysicalType::kDouble:
      return 8;
    case PhysicalType::kInt96:
    case PhysicalType::kFixedLenByteArray:
      return col.type_length;
    case PhysicalType::kByteArray:
      return 0;
  }
  return 0;
}

inline uint64_t MixHash(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

inline uint64_t HashBytes(const char* p, size_t n) {
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ (n * 0xbf58476d1ce4e5b9ULL);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 31;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * 0x94d049bb133111ebULL;
  }
  return MixHash(h);
}

inline bool BytesEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  size_t n = a.size();
  if (n <= 16 && n >= 8) {
    uint64_t x0, y0, x1, y1;
    std::memcpy(&x0, a.data(), 8);
    std::memcpy(&y0, b.data(), 8);
    std::memcpy(&x1, a.data() + n - 8, 8);
    std::memcpy(&y1, b.data() + n - 8, 8);
    return x0 == y0 && x1 == y1;
  }
  return std::memcmp(a.data(), b.data(), n) == 0;
}

// Builds a column chunk's dictionary with an open-addressing hash table. Values
// are referenced by index into the source column; the dictionary itself is a
// ColumnVector of the same type.
class DictBuilder {
 public:
  DictBuilder(const ColumnVector& src, size_t limit_bytes) : src_(src), limit_(limit_bytes) {
    dict_.type = src.type;
    dict_.type_length = src.type_length;
    width_ = FixedWidthOf(src);
    slots_.assign(1024, Slot{});
    mask_ = slots_.size() - 1;
  }

  // Adds source value i; returns false (and adds nothing) once the dictionary
  // would exceed its byte limit.
  bool Insert(size_t i, uint32_t* index) {
    uint64_t h;
    uint64_t bits = 0;
    std::string_view bytes;
    if (src_.type == PhysicalType::kByteArray) {
      bytes = src_.ByteArray(i);
      h = HashBytes(bytes.data(), bytes.size());
    } else if (width_ == 4 || width_ == 8) {
      bits = LoadBits(src_, i);
      h = MixHash(bits);
    } else {
      bytes = src_.FixedBytes(i);
      h = HashBytes(bytes.data(), bytes.size());
    }
    size_t pos = h & mask_;
    const uint32_t tag = static_cast<uint32_t>(h >> 32);
    while (true) {
      const Slot& slot = slots_[pos];
      if (slot.index == 0) break;
      if (slot.tag != tag) {
        pos = (pos + 1) & mask_;
        continue;
      }
      size_t d = slot.index - 1;
      bool eq;
      if (src_.type == PhysicalType::kByteArray) {
        eq = BytesEqual(dict_.ByteArray(d), bytes);
      } else if (width_ == 4 || width_ == 8) {
        eq = LoadBits(dict_, d) == bits;
      } else {
        eq = dict_.FixedBytes(d) == bytes;
      }
      if (eq) {
        *index = static_cast<uint32_t>(d);
        return true;
      }
      pos = (pos + 1) & mask_;
    }
    size_t add = src_.type == PhysicalType::kByteArray ? bytes.size() + 4 : width_;
    if (dict_bytes_ + add > limit_) return false;
    dict_bytes_ += add;
    size_t d = size_;
    switch (src_.type) {
      case PhysicalType::kInt32:
        dict_.i32.push_back(src_.i32[i]);
        break;
      case PhysicalType::kInt64:
        dict_.i64.push_back(src_.i64[i]);
        break;
      case PhysicalType::kFloat:
        dict_.f32.push_back(src_.f32[i]);
        break;
      case PhysicalType::kDouble:
        dict_.f64.push_back(src_.f64[i]);
        break;
      case PhysicalType::kByteArray:
        dict_.AppendByteArray(bytes);
        break;
      default:
        dict_.bytes.append(bytes);
        break;
    }
    size_++;
    slots_[pos] = Slot{static_cast<uint32_t>(d + 1), tag};
    if (size_ * 2 > slots_.size()) Grow();
    *index = static_cast<uint32_t>(d);
    return true;
  }

  const ColumnVector& dict() const { return dict_; }
  size_t size() const { return size_; }
  size_t bytes() const { return dict_bytes_; }

 private:
  static uint64_t LoadBits(const ColumnVector& c, size_t i) {
    switch (c.type) {
      case PhysicalType::kInt32:
        return static_cast<uint32_t>(c.i32[i]);
      case PhysicalType::kInt64:
        return static_cast<uint64_t>(c.i64[i]);
      case PhysicalType::kFloat: {
        uint32_t b;
        std::memcpy(&b, &c.f32[i], 4);
        return b;
      }
      case PhysicalType::kDouble: {
        uint64_t b;
        std::memcpy(&b, &c.f64[i], 8);
        return b;
      }
      default: {
        uint64_t b = 0;
        std::memcpy(&b, c.bytes.data() + i * c.type_length, static_cast<size_t>(c.type_length));
        return b;
      }
    }
  }
  uint64_t HashDictEntry(size_t d) const {
    if (dict_.type == PhysicalType::kByteArray) {
      std::string_view b = dict_.ByteArray(d);
      return HashBytes(b.data(), b.size());
    }
    if (width_ == 4 || width_ == 8) return MixHash(LoadBits(dict_, d));
    std::string_view b = dict_.FixedBytes(d);
    return HashBytes(b.data(), b.size());
  }
  void Grow() {
    slots_.assign(slots_.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    for (size_t d = 0; d < size_; d++) {
      uint64_t h = HashDictEntry(d);
      size_t pos = h & mask_;
      while (slots_[pos].index != 0) pos = (pos + 1) & mask_;
      slots_[pos] = Slot{static_cast<uint32_t>(d + 1), static_cast<uint32_t>(h >> 32)};
    }
  }

  // Open-addressing slot: dictionary index + 1 (0 = empty) and the high hash bits,
  // so most probes are decided without comparing values.
  struct Slot {
    uint32_t index = 0;
    uint32_t tag = 0;
  };

  const ColumnVector& src_;
  size_t limit_;
  int width_ = 0;
  ColumnVector dict_;
  size_t size_ = 0;
  size_t dict_bytes_ = 0;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

// Appends the PLAIN encoding of values [begin, end) of `col` to *out.
void EncodePlainRange(const ColumnVector& col, size_t begin, size_t end, std::string* out) {
  size_t n = end - begin;
  switch (col.type) {
    case PhysicalType::kBoolean:
      EncodePlainBooleans(col.bools.data() + begin, n, out);
      break;
    case PhysicalType::kInt32:
      out->append(reinterpret_cast<const char*>(col.i32.data() + begin), n * 4);
      break;
    case PhysicalType::kInt64:
      out->append(reinterpret_cast<const char*>(col.i64.data() + begin), n * 8);
      break;
    case PhysicalType::kFloat:
      out->append(reinterpret_cast<const char*>(col.f32.data() + begin), n * 4);
      break;
    case PhysicalType::kDouble:
      out->append(reinterpret_cast<const char*>(col.f64.data() + begin), n * 8);
      break;
    case PhysicalType::kByteArray:
      EncodePlainByteArrays(col.offsets.data() + begin, col.bytes.data(), n, out);
      break;
    case PhysicalType::kInt96:
    case PhysicalType::kFixedLenByteArray:
      out->append(col.bytes.data() + begin * static_cast<size_t>(col.type_length),
                  n * static_cast<size_t>(col.type_length));
      break;
  }
}

void AddEncoding(std::vector<Encoding>* encs, Encoding e) {
  if (std::find(encs->begin(), encs->end(), e) == encs->end()) encs->push_back(e);
}

void AddEncodingStat(std::vector<PageEncodingStats>* stats, PageType type, Encoding e) {
  for (auto& s : *stats) {
    if (s.page_type == type && s.encoding == e) {
      s.count++;
      return;
    }
  }
  stats->push_back(PageEncodingStats{type, e, 1});
}

}  // namespace

// A contiguous run of rows of one column: its level slots and its values.
struct FileWriter::ColumnRange {
  const ColumnVector* col = nullptr;
  size_t level_begin = 0, level_end = 0;
  size_t value_begin = 0, value_end = 0;
};

Status ValidateColumns(const Schema& schema, const std::vector<ColumnVector>& columns,
                       int64_t num_rows) {
  if (num_rows < 0) return Status::InvalidArgument("negative row count");
  if (columns.size() != schema.num_leaves()) {
    return Status::InvalidArgument("expected " + std::to_string(schema.num_leaves()) +
                                   " columns, got " + std::to_string(columns.size()));
  }
  for (size_t i = 0; i < columns.size(); i++) {
    const LeafInfo& leaf = schema.leaves()[i];
    const ColumnVector& c = columns[i];
    auto fail = [&](const std::string& what) {
      return Status::InvalidArgument("column '" + leaf.dotted_path + "': " + what);
    };
    if (c.type != leaf.node->type) return fail("physical type does not match the schema");
    if ((c.type == PhysicalType::kFixedLenByteArray || c.type == PhysicalType::kInt96) &&
        c.type_length != leaf.node->type_length) {
      return fail("fixed length does not match the schema");
    }
    if (c.type == PhysicalType::kByteArray) {
      if (c.offsets.empty() || c.offsets[0] != 0 ||
          c.offsets.back() != static_cast<int64_t>(c.bytes.size())) {
        return fail("byte array offsets do not cover the byte buffer");
      }
      for (size_t k = 1; k < c.offsets.size(); k++) {
        if (c.offsets[k] < c.offsets[k - 1]) return fail("byte array offsets decrease");
        if (c.offsets[k] - c.offsets[k - 1] > INT32_MAX) return fail("byte array value too long");
      }
    }
    if ((c.type == PhysicalType::kFixedLenByteArray || c.type == PhysicalType::kInt96) &&
        c.bytes.size() % static_cast<size_t>(c.type_length) != 0) {
      return fail("fixed-length buffer size is not a multiple of the width");
    }
    size_t values = c.num_values();
    size_t present = values;
    if (leaf.max_def > 0) {
      present = 0;
      for (int16_t d : c.def_levels) {
        if (d < 0 || d > leaf.max_def) return fail("definition level out of range");
        present += d == leaf.max_def;
      }
      if (present != values) {
        return fail("value count " + std::to_string(values) + " != non-null slot count " +
                    std::to_string(present));
      }
    } else if (!c.def_levels.empty()) {
      return fail("definition levels given for a required column");
    }
    int64_t rows;
    if (leaf.max_rep > 0) {
      size_t nlevels = leaf.max_def > 0 ? c.def_levels.size() : values;
      if (c.rep_levels.size() != nlevels) return fail("repetition/definition level counts differ");
      rows = 0;
      for (int16_t r : c.rep_levels) {
        if (r < 0 || r > leaf.max_rep) return fail("repetition level out of range");
        rows += r == 0;
      }
      if (!c.rep_levels.empty() && c.rep_levels[0] != 0) {
        return fail("first repetition level is not 0");
      }
    } else {
      if (!c.rep_levels.empty()) return fail("repetition levels given for a non-repeated column");
      rows = static_cast<int64_t>(leaf.max_def > 0 ? c.def_levels.size() : values);
    }
    if (rows != num_rows) {
      return fail("holds " + std::to_string(rows) + " rows, expected " + std::to_string(num_rows));
    }
  }
  return Status::OK();
}

FileWriter::FileWriter(std::unique_ptr<WritableFile> file, Schema schema, WriterOptions options)
    : file_(std::move(file)), schema_(std::move(schema)), options_(std::move(options)) {}

FileWriter::~FileWriter() = default;

Result<std::unique_ptr<FileWriter>> FileWriter::Open(std::unique_ptr<WritableFile> file,
                                                     Schema schema, WriterOptions options) {
  if (options.row_group_rows <= 0) return Status::InvalidArgument("row_group_rows must be > 0");
  if (options.data_page_size == 0) return Status::InvalidArgument("data_page_size must be > 0");
  std::unique_ptr<FileWriter> w(new FileWriter(std::move(file), std::move(schema), options));
  w->metadata_.version = 2;
  w->metadata_.schema = w->schema_.ToElements();
  w->metadata_.created_by = w->options_.created_by;
  w->metadata_.key_value_metadata = w->options_.key_value_metadata;
  w->metadata_.column_orders.assign(w->schema_.num_leaves(), ColumnOrder::kTypeDefinedOrder);
  PQ_RETURN_IF_ERROR(w->file_->Append(std::string_view(kMagic, 4)));
  return w;
}

uint64_t FileWriter::bytes_written() const { return file_->Size(); }

Status FileWriter::WriteRowGroup(const std::vector<ColumnVector>& columns, int64_t num_rows) {
  PQ_RETURN_IF_ERROR(ValidateColumns(schema_, columns, num_rows));
  std::vector<ColumnRange> ranges(columns.size());
  for (size_t i = 0; i < columns.size(); i++) {
    const LeafInfo& leaf = schema_.leaves()[i];
    ranges[i].col = &columns[i];
    ranges[i].level_end = columns[i].num_levels(leaf.max_def, leaf.max_rep);
    ranges[i].value_end = columns[i].num_values();
  }
  return WriteRowGroupRanges(columns, ranges, num_rows);
}

Status FileWriter::WriteTable(const std::vector<ColumnVector>& columns, int64_t num_rows) {
  PQ_RETURN_IF_ERROR(ValidateColumns(schema_, columns, num_rows));
  if (num_rows == 0) return Status::OK();
  const int64_t rg_rows = options_.row_group_rows;
  // Cursor per column: current level and value positions.
  std::vector<ColumnRange> cur(columns.size());
  for (size_t i = 0; i < columns.size(); i++) cur[i].col = &columns[i];
  for (int64_t row = 0; row < num_rows; row += rg_rows) {
    int64_t n = std::min(rg_rows, num_rows - row);
    std::vector<ColumnRange> ranges(columns.size());
    for (size_t i = 0; i < columns.size(); i++) {
      const LeafInfo& leaf = schema_.leaves()[i];
      const ColumnVector& c = columns[i];
      ColumnRange r;
      r.col = &c;
      r.level_begin = cur[i].level_end;
      r.value_begin = cur[i].value_end;
      size_t total_levels = c.num_levels(leaf.max_def, leaf.max_rep);
      size_t end;
      if (leaf.max_rep > 0) {
        // Advance past n row starts.
        int64_t seen = 0;
        end = r.level_begin;
        while (end < total_levels) {
          if (c.rep_levels[end] == 0) {
            if (seen == n) break;
            seen++;
          }
          end++;
        }
      } else {
        end = r.level_begin + static_cast<size_t>(n);
      }
      r.level_end = end;
      size_t values = 0;
      if (leaf.max_def > 0) {
        for (size_t k = r.level_begin; k < end; k++) values += c.def_levels[k] == leaf.max_def;
      } else {
        values = end - r.level_begin;
      }
      r.value_end = r.value_begin + values;
      ranges[i] = r;
      cur[i] = r;
    }
    PQ_RETURN_IF_ERROR(WriteRowGroupRanges(columns, ranges, n));
  }
  return Status::OK();
}

Status FileWriter::WriteRowGroupRanges(const std::vector<ColumnVector>& columns,
                                       const std::vector<ColumnRange>& ranges, int64_t num_rows) {
  (void)columns;
  if (closed_) return Status::InvalidArgument("writer is closed");
  RowGroup rg;
  rg.num_rows = num_rows;
  rg.file_offset = static_cast<int64_t>(file_->Size());
  rg.ordinal = static_cast<int16_t>(std::min<size_t>(metadata_.row_groups.size(), INT16_MAX));
  int64_t total_uncompressed = 0, total_compressed = 0;
  for (size_t i = 0; i < ranges.size(); i++) {
    ColumnChunk cc;
    PQ_RETURN_IF_ERROR(WriteChunk(i, ranges[i], &cc));
    total_uncompressed += cc.meta_data->total_uncompressed_size;
    total_compressed += cc.meta_data->total_compressed_size;
    rg.columns.push_back(std::move(cc));
  }
  rg.total_byte_size = total_uncompressed;
  rg.total_compressed_size = total_compressed;
  metadata_.num_rows += num_rows;
  metadata_.row_groups.push_back(std::move(rg));
  return Status::OK();
}

Status FileWriter::WriteChunk(size_t leaf_index, const ColumnRange& range, ColumnChunk* out) {
  const LeafInfo& leaf = schema_.leaves()[leaf_index];
  const SchemaNode& node = *leaf.node;
  const ColumnVector& col = *range.col;
  const size_t nlevels = range.level_end - range.level_begin;
  const size_t nvalues = range.value_end - range.value_begin;

  ColumnMetaData md;
  md.type = node.type;
  md.path_in_schema = leaf.path;
  md.codec = options_.codec;
  md.num_values = static_cast<int64_t>(nlevels);
  const int64_t chunk_start = static_cast<int64_t>(file_->Size());

  // Dictionary pass: indices for values until the dictionary outgrows its limit.
  std::vector<uint32_t> indices;
  size_t dict_end = range.value_begin;  // values [value_begin, dict_end) are in the dictionary
  std::unique_ptr<DictBuilder> dict;
  if (options_.enable_dictionary && node.type != PhysicalType::kBoolean && nvalues > 0) {
    dict = std::make_unique<DictBuilder>(col, options_.dictionary_page_size_limit);
    indices.resize(nvalues);
    size_t i = range.value_begin;
    bool give_up = false;
    for (; i < range.value_end; i++) {
      if (!dict->Insert(i, &indices[i - range.value_begin])) break;
      // Checkpoint: when nearly all values are distinct, a dictionary page is as big
      // as the plain values and the indices come on top: stop early, write PLAIN.
      size_t seen = i + 1 - range.value_begin;
      if ((seen & 8191) == 0 && dict->size() * 10 > seen * 9) {
        give_up = true;
        break;
      }
    }
    dict_end = give_up ? range.value_begin : i;
    if (dict_end == range.value_begin) dict.reset();  // nothing fit: plain only
  }

  if (options_.write_statistics) {
    Statistics st;
    st.null_count = static_cast<int64_t>(nlevels - nvalues);
    // When every value is in the dictionary, its entries have the same min/max.
    std::optional<MinMax> mm = dict && dict_end == range.value_end
                                   ? ComputeMinMax(node, dict->dict(), 0, dict->size())
                                   : ComputeMinMax(node, col, range.value_begin, range.value_end);
    // Very long byte-array bounds would bloat the footer; they are omitted.
    if (mm && mm->min.size() <= 256 && mm->max.size() <= 256) {
      st.min_value = std::move(mm->min);
      st.max_value = std::move(mm->max);
      if (GetSortOrder(node) == SortOrder::kSigned &&
          node.logical.kind != LogicalType::Kind::kDecimal) {
        st.min = st.min_value;  // legacy fields, for older readers
        st.max = st.max_value;
      }
    }
    md.statistics = std::move(st);
  }

  auto write_page = [&](PageHeader* header, std::string_view uncompressed_prefix,
                        std::string_view body_to_compress) -> Status {
    compressed_.clear();
    PQ_RETURN_IF_ERROR(
        Compress(options_.codec, body_to_compress, options_.compression_level, &compressed_));
    size_t uncompressed_size = uncompressed_prefix.size() + body_to_compress.size();
    size_t compressed_size = uncompressed_prefix.size() + compressed_.size();
    if (uncompressed_size > INT32_MAX || compressed_size > INT32_MAX) {
      return Status::InvalidArgument("page of column '" + leaf.dotted_path +
                                     "' exceeds 2 GiB; lower data_page_size");
    }
    header->uncompressed_page_size = static_cast<int32_t>(uncompressed_size);
    header->compressed_page_size = static_cast<int32_t>(compressed_size);
    std::string hdr;
    SerializePageHeader(*header, &hdr);
    PQ_RETURN_IF_ERROR(file_->Append(hdr));
    if (!uncompressed_prefix.empty()) PQ_RETURN_IF_ERROR(file_->Append(uncompressed_prefix));
    PQ_RETURN_IF_ERROR(file_->Append(compressed_));
    md.total_uncompressed_size += static_cast<int64_t>(hdr.size() + uncompressed_size);
    md.total_compressed_size += static_cast<int64_t>(hdr.size() + compressed_size);
    return Status::OK();
  };

  if (dict) {
    md.dictionary_page_offset = static_cast<int64_t>(file_->Size());
    scratch_.clear();
    EncodePlainRange(dict->dict(), 0, dict->size(), &scratch_);
    PageHeader h;
    h.type = PageType::kDictionaryPage;
    DictionaryPageHeader dh;
    dh.num_values = static_cast<int32_t>(dict->size());
    dh.encoding = Encoding::kPlain;
    h.dictionary_page_header = dh;
    PQ_RETURN_IF_ERROR(write_page(&h, {}, scratch_));
    AddEncoding(&md.encodings, Encoding::kPlain);
    AddEncodingStat(&md.encoding_stats, PageType::kDictionaryPage, Encoding::kPlain);
  }
  md.data_page_offset = static_cast<int64_t>(file_->Size());

  // Page sizing: about data_page_size bytes of plain-encoded values per page.
  size_t avg_value_bytes;
  if (node.type == PhysicalType::kByteArray) {
    size_t total =
        nvalues == 0
            ? 0
            : static_cast<size_t>(col.offsets[range.value_end] - col.offsets[range.value_begin]);
    avg_value_bytes = 4 + (nvalues == 0 ? 0 : total / nvalues);
  } else if (node.type == PhysicalType::kBoolean) {
    avg_value_bytes = 1;
  } else {
    avg_value_bytes = static_cast<size_t>(FixedWidthOf(col));
  }
  const size_t levels_per_page =
      std::max<size_t>(1, std::min<size_t>(options_.data_page_size / avg_value_bytes, 1 << 20));
  const int bit_width = dict ? std::max(1, BitWidth(dict->size() - 1)) : 0;

  size_t level = range.level_begin;
  size_t value = range.value_begin;
  std::string levels_buf;
  do {
    size_t page_end = std::min(range.level_end, level + levels_per_page);
    if (leaf.max_rep > 0) {
      while (page_end < range.level_end && col.rep_levels[page_end] != 0) page_end++;
    }
    size_t page_levels = page_end - level;
    size_t page_values = page_levels;
    if (leaf.max_def > 0) {
      page_values = 0;
      const int16_t* d = col.def_levels.data() + level;
      for (size_t k = 0; k < page_levels; k++) page_values += d[k] == leaf.max_def;
    }
    size_t value_end = value + page_values;
    bool use_dict = dict && value_end <= dict_end;
    Encoding enc = use_dict ? Encoding::kRleDictionary : Encoding::kPlain;

    scratch_.clear();
    levels_buf.clear();
    PageHeader h;
    if (!options_.data_page_v2) {
      if (leaf.max_rep > 0) {
        EncodeLevelsV1(col.rep_levels.data() + level, page_levels, leaf.max_rep, &scratch_);
      }
      if (leaf.max_def > 0) {
        EncodeLevelsV1(col.def_levels.data() + level, page_levels, leaf.max_def, &scratch_);
      }
    } else {
      int32_t rep_len = 0, def_len = 0;
      if (leaf.max_rep > 0) {
        RleEncoder e(BitWidth(static_cast<uint64_t>(leaf.max_rep)));
        e.PutBatch(col.rep_levels.data() + level, page_levels);
        e.Finish(&levels_buf);
        rep_len = static_cast<int32_t>(levels_buf.size());
      }
      if (leaf.max_def > 0) {
        RleEncoder e(BitWidth(static_cast<uint64_t>(leaf.max_def)));
        e.PutBatch(col.def_levels.data() + level, page_levels);
        e.Finish(&levels_buf);
        def_len = static_cast<int32_t>(levels_buf.size()) - rep_len;
      }
      DataPageHeaderV2 v2;
      v2.num_values = static_cast<int32_t>(page_levels);
      v2.num_nulls = static_cast<int32_t>(page_levels - page_values);
      int32_t rows = static_cast<int32_t>(page_levels);
      if (leaf.max_rep > 0) {
        rows = 0;
        for (size_t k = level; k < page_end; k++) rows += col.rep_levels[k] == 0;
      }
      v2.num_rows = rows;
      v2.encoding = enc;
      v2.repetition_levels_byte_length = rep_len;
      v2.definition_levels_byte_length = def_len;
      v2.is_compressed = options_.codec != CompressionCodec::kUncompressed;
      h.type = PageType::kDataPageV2;
      h.data_page_header_v2 = v2;
    }
    if (use_dict) {
      EncodeDictIndices(indices.data() + (value - range.value_begin), page_values, bit_width,
                        &scratch_);
    } else {
      EncodePlainRange(col, value, value_end, &scratch_);
    }
    if (!options_.data_page_v2) {
      DataPageHeader dp;
      dp.num_values = static_cast<int32_t>(page_levels);
      dp.encoding = enc;
      dp.definition_level_encoding = Encoding::kRle;
      dp.repetition_level_encoding = Encoding::kRle;
      h.type = PageType::kDataPage;
      h.data_page_header = dp;
      PQ_RETURN_IF_ERROR(write_page(&h, {}, scratch_));
    } else {
      // v2: levels stay uncompressed in front of the (compressed) values.
      PQ_RETURN_IF_ERROR(write_page(&h, levels_buf, scratch_));
    }
    AddEncoding(&md.encodings, enc);
    if (leaf.max_def > 0 || leaf.max_rep > 0) AddEncoding(&md.encodings, Encoding::kRle);
    AddEncodingStat(&md.encoding_stats,
                    options_.data_page_v2 ? PageType::kDataPageV2 : PageType::kDataPage, enc);
    level = page_end;
    value = value_end;
  } while (level < range.level_end);

  out->file_offset = chunk_start;
  out->meta_data = std::move(md);
  return Status::OK();
}

Status FileWriter::Close(bool sync) {
  if (closed_) return Status::OK();
  closed_ = true;
  std::string footer = SerializeFileMetaData(metadata_);
  uint32_t len = static_cast<uint32_t>(footer.size());
  char len_le[4];
  std::memcpy(len_le, &len, 4);
  PQ_RETURN_IF_ERROR(file_->Append(footer));
  PQ_RETURN_IF_ERROR(file_->Append(std::string_view(len_le, 4)));
  PQ_RETURN_IF_ERROR(file_->Append(std::string_view(kMagic, 4)));
  if (sync) PQ_RETURN_IF_ERROR(file_->Sync());
  return file_->Close();
}

}  // namespace parquedb::parquet
