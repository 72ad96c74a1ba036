#include "parquet/reader.h"

#include <cstring>

#include "parquet/compression.h"
#include "parquet/encoding.h"

namespace parquedb::parquet {

namespace {

constexpr int64_t kMaxPageSize = int64_t{1} << 30;

size_t WidthOf(PhysicalType type, int32_t type_length) {
  switch (type) {
    case PhysicalType::kBoolean:
      return 1;
    case PhysicalType::kInt32:
    case PhysicalType::kFloat:
      return 4;
    case PhysicalType::kInt64:
    case PhysicalType::kDouble:
      return 8;
    case PhysicalType::kInt96:
      return 12;
    case PhysicalType::kFixedLenByteArray:
      return static_cast<size_t>(type_length);
    case PhysicalType::kByteArray:
      return 0;
  }
  return 0;
}

const char* EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kPlain:
      return "PLAIN";
    case Encoding::kPlainDictionary:
      return "PLAIN_DICTIONARY";
    case Encoding::kRle:
      return "RLE";
    case Encoding::kBitPacked:
      return "BIT_PACKED";
    case Encoding::kDeltaBinaryPacked:
      return "DELTA_BINARY_PACKED";
    case Encoding::kDeltaLengthByteArray:
      return "DELTA_LENGTH_BYTE_ARRAY";
    case Encoding::kDeltaByteArray:
      return "DELTA_BYTE_ARRAY";
    case Encoding::kRleDictionary:
      return "RLE_DICTIONARY";
    case Encoding::kByteStreamSplit:
      return "BYTE_STREAM_SPLIT";
  }
  return "UNKNOWN";
}

// Appends `n` fixed-width little-endian values from `data` to `vec`.
template <typename T>
Status AppendFixed(std::string_view data, size_t n, std::vector<T>* vec, size_t* consumed) {
  if (data.size() / sizeof(T) < n) {
    return Status::Corruption("PLAIN data holds " + std::to_string(data.size()) + " bytes, need " +
                              std::to_string(n * sizeof(T)));
  }
  *consumed = n * sizeof(T);
  if (n == 0) return Status::OK();  // data may be empty (null pointer): nothing to copy
  size_t old = vec->size();
  vec->resize(old + n);
  std::memcpy(vec->data() + old, data.data(), n * sizeof(T));
  return Status::OK();
}

struct Scratch {
  std::string chunk;
  std::string page;
  std::vector<uint32_t> indices;
};
Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// Decodes one chunk's pages. Holds the dictionary and scratch buffers.
class ChunkDecoder {
 public:
  ChunkDecoder(const LeafInfo& leaf, const ColumnMetaData& md, ColumnVector* out)
      : leaf_(leaf), node_(*leaf.node), md_(md), out_(out) {
    dict_.type = node_.type;
    dict_.type_length = node_.type_length;
    width_ = WidthOf(node_.type, node_.type_length);
  }

  Status Decode(std::string_view chunk) {
    size_t pos = 0;
    while (levels_read_ < md_.num_values) {
      if (pos >= chunk.size()) {
        return Status::Corruption("column chunk ended after " + std::to_string(levels_read_) +
                                  " of " + std::to_string(md_.num_values) + " values");
      }
      PageHeader h;
      size_t hlen = 0;
      PQ_RETURN_IF_ERROR(ParsePageHeader(chunk.substr(pos), &h, &hlen));
      pos += hlen;
      if (h.compressed_page_size < 0 ||
          static_cast<size_t>(h.compressed_page_size) > chunk.size() - pos) {
        return Status::Corruption("page size " + std::to_string(h.compressed_page_size) +
                                  " overruns the column chunk");
      }
      if (h.uncompressed_page_size < 0 || h.uncompressed_page_size > kMaxPageSize) {
        return Status::Corruption("invalid uncompressed page size " +
                                  std::to_string(h.uncompressed_page_size));
      }
      std::string_view page = chunk.substr(pos, static_cast<size_t>(h.compressed_page_size));
      pos += static_cast<size_t>(h.compressed_page_size);
      switch (h.type) {
        case PageType::kDictionaryPage:
          PQ_RETURN_IF_ERROR(DictionaryPage(h, page));
          break;
        case PageType::kDataPage:
          PQ_RETURN_IF_ERROR(DataPageV1(h, page));
          break;
        case PageType::kDataPageV2:
          PQ_RETURN_IF_ERROR(DataPageV2(h, page));
          break;
        default:
          break;  // index pages and unknown page types carry no values
      }
    }
    return Status::OK();
  }

 private:
  Status Uncompress(std::string_view page, size_t uncompressed_size, std::string_view* result) {
    if (md_.codec == CompressionCodec::kUncompressed) {
      if (page.size() != uncompressed_size) {
        return Status::Corruption("uncompressed page size mismatch");
      }
      *result = page;
      return Status::OK();
    }
    PQ_RETURN_IF_ERROR(Decompress(md_.codec, page, uncompressed_size, &page_buf_));
    *result = page_buf_;
    return Status::OK();
  }

  Status DictionaryPage(const PageHeader& h, std::string_view page) {
    if (!h.dictionary_page_header) return Status::Corruption("dictionary page without header");
    if (has_dict_) return Status::Corruption("second dictionary page in a column chunk");
    const DictionaryPageHeader& dh = *h.dictionary_page_header;
    if (dh.encoding != Encoding::kPlain && dh.encoding != Encoding::kPlainDictionary) {
      return Status::NotSupported(std::string("dictionary page encoding ") +
                                  EncodingName(dh.encoding));
    }
    if (dh.num_values < 0) return Status::Corruption("negative dictionary size");
    std::string_view data;
    PQ_RETURN_IF_ERROR(Uncompress(page, static_cast<size_t>(h.uncompressed_page_size), &data));
    PQ_RETURN_IF_ERROR(DecodePlain(data, static_cast<size_t>(dh.num_values), &dict_));
    has_dict_ = true;
    return Status::OK();
  }

  // Checks a page's level count against what the chunk still owes.
  Status CheckLevelCount(int64_t n) {
    if (n < 0 || n > md_.num_values - levels_read_) {
      return Status::Corruption("page declares " + std::to_string(n) + " values; chunk has " +
                                std::to_string(md_.num_values - levels_read_) + " left");
    }
    return Status::OK();
  }

  // Counts non-null slots among the last n decoded definition levels.
  size_t CountPresent(size_t n) const {
    if (leaf_.max_def == 0) return n;
    const int16_t* d = out_->def_levels.data() + out_->def_levels.size() - n;
    size_t present = 0;
    for (size_t i = 0; i < n; i++) present += d[i] == leaf_.max_def;
    return present;
  }

  Status CheckLevelRange(const std::vector<int16_t>& levels, size_t n, int16_t max) const {
    const int16_t* p = levels.data() + levels.size() - n;
    int16_t bad = 0;
    for (size_t i = 0; i < n; i++) bad |= static_cast<int16_t>(p[i] > max);
    if (bad) return Status::Corruption("level exceeds the column's maximum level");
    return Status::OK();
  }

  Status DataPageV1(const PageHeader& h, std::string_view page) {
    if (!h.data_page_header) return Status::Corruption("data page without header");
    const DataPageHeader& dp = *h.data_page_header;
    PQ_RETURN_IF_ERROR(CheckLevelCount(dp.num_values));
    size_t n = static_cast<size_t>(dp.num_values);
    std::string_view data;
    PQ_RETURN_IF_ERROR(Uncompress(page, static_cast<size_t>(h.uncompressed_page_size), &data));
    if (leaf_.max_rep > 0) {
      if (dp.repetition_level_encoding != Encoding::kRle) {
        return Status::NotSupported(std::string("repetition level encoding ") +
                                    EncodingName(dp.repetition_level_encoding));
      }
      size_t used = 0;
      size_t old = out_->rep_levels.size();
      out_->rep_levels.resize(old + n);
      PQ_RETURN_IF_ERROR(
          DecodeLevelsV1(data, n, leaf_.max_rep, out_->rep_levels.data() + old, &used));
      PQ_RETURN_IF_ERROR(CheckLevelRange(out_->rep_levels, n, leaf_.max_rep));
      data.remove_prefix(used);
    }
    if (leaf_.max_def > 0) {
      if (dp.definition_level_encoding != Encoding::kRle) {
        return Status::NotSupported(std::string("definition level encoding ") +
                                    EncodingName(dp.definition_level_encoding));
      }
      size_t used = 0;
      size_t old = out_->def_levels.size();
      out_->def_levels.resize(old + n);
      PQ_RETURN_IF_ERROR(
          DecodeLevelsV1(data, n, leaf_.max_def, out_->def_levels.data() + old, &used));
      PQ_RETURN_IF_ERROR(CheckLevelRange(out_->def_levels, n, leaf_.max_def));
      data.remove_prefix(used);
    }
    levels_read_ += dp.num_values;
    return DecodeValues(dp.encoding, data, CountPresent(n));
  }

  Status DataPageV2(const PageHeader& h, std::string_view page) {
    if (!h.data_page_header_v2) return Status::Corruption("data page v2 without header");
    const DataPageHeaderV2& dp = *h.data_page_header_v2;
    PQ_RETURN_IF_ERROR(CheckLevelCount(dp.num_values));
    size_t n = static_cast<size_t>(dp.num_values);
    int64_t rep_len = dp.repetition_levels_byte_length;
    int64_t def_len = dp.definition_levels_byte_length;
    if (rep_len < 0 || def_len < 0 || rep_len + def_len > static_cast<int64_t>(page.size()) ||
        rep_len + def_len > h.uncompressed_page_size) {
      return Status::Corruption("data page v2 level lengths overrun the page");
    }
    const uint8_t* base = reinterpret_cast<const uint8_t*>(page.data());
    if (leaf_.max_rep > 0) {
      size_t old = out_->rep_levels.size();
      out_->rep_levels.resize(old + n);
      RleDecoder dec(base, static_cast<size_t>(rep_len),
                     BitWidth(static_cast<uint64_t>(leaf_.max_rep)));
      PQ_RETURN_IF_ERROR(dec.GetBatch(out_->rep_levels.data() + old, n));
      PQ_RETURN_IF_ERROR(CheckLevelRange(out_->rep_levels, n, leaf_.max_rep));
    }
    if (leaf_.max_def > 0) {
      size_t old = out_->def_levels.size();
      out_->def_levels.resize(old + n);
      RleDecoder dec(base + rep_len, static_cast<size_t>(def_len),
                     BitWidth(static_cast<uint64_t>(leaf_.max_def)));
      PQ_RETURN_IF_ERROR(dec.GetBatch(out_->def_levels.data() + old, n));
      PQ_RETURN_IF_ERROR(CheckLevelRange(out_->def_levels, n, leaf_.max_def));
    }
    levels_read_ += dp.num_values;
    std::string_view values = page.substr(static_cast<size_t>(rep_len + def_len));
    size_t values_size = static_cast<size_t>(h.uncompressed_page_size - rep_len - def_len);
    std::string_view data;
    if (dp.is_compressed && md_.codec != CompressionCodec::kUncompressed) {
      PQ_RETURN_IF_ERROR(Decompress(md_.codec, values, values_size, &page_buf_));
      data = page_buf_;
    } else {
      data = values;
    }
    return DecodeValues(dp.encoding, data, CountPresent(n));
  }

  Status DecodePlain(std::string_view data, size_t n, ColumnVector* dst) {
    size_t used = 0;
    switch (node_.type) {
      case PhysicalType::kBoolean: {
        size_t old = dst->bools.size();
        if (data.size() < (n + 7) / 8) return Status::Corruption("PLAIN booleans truncated");
        dst->bools.resize(old + n);
        return DecodePlainBooleans(data, n, dst->bools.data() + old, &used);
      }
      case PhysicalType::kInt32:
        return AppendFixed(data, n, &dst->i32, &used);
      case PhysicalType::kInt64:
        return AppendFixed(data, n, &dst->i64, &used);
      case PhysicalType::kFloat:
        return AppendFixed(data, n, &dst->f32, &used);
      case PhysicalType::kDouble:
        return AppendFixed(data, n, &dst->f64, &used);
      case PhysicalType::kByteArray:
        return DecodePlainByteArrays(data, n, &dst->offsets, &dst->bytes, &used);
      case PhysicalType::kInt96:
      case PhysicalType::kFixedLenByteArray:
        if (width_ == 0 || data.size() / width_ < n) {
          return Status::Corruption("PLAIN fixed-length data truncated");
        }
        dst->bytes.append(data.data(), n * width_);
        return Status::OK();
    }
    return Status::Corruption("unknown physical type");
  }

  Status Gather(const uint32_t* idx, size_t n) {
    switch (node_.type) {
      case PhysicalType::kInt32:
        return GatherFixed(dict_.i32, idx, n, &out_->i32);
      case PhysicalType::kInt64:
        return GatherFixed(dict_.i64, idx, n, &out_->i64);
      case PhysicalType::kFloat:
        return GatherFixed(dict_.f32, idx, n, &out_->f32);
      case PhysicalType::kDouble:
        return GatherFixed(dict_.f64, idx, n, &out_->f64);
      case PhysicalType::kBoolean:
        return GatherFixed(dict_.bools, idx, n, &out_->bools);
      case PhysicalType::kByteArray: {
        size_t total = 0;
        const int64_t* doff = dict_.offsets.data();
        for (size_t i = 0; i < n; i++)
          total += static_cast<size_t>(doff[idx[i] + 1] - doff[idx[i]]);
        size_t pos = out_->bytes.size();
        out_->bytes.resize(pos + total);
        size_t old = out_->offsets.size();
        out_->offsets.resize(old + n);
        char* dst = out_->bytes.data();
        int64_t* offs = out_->offsets.data() + old;
        const char* src = dict_.bytes.data();
        for (size_t i = 0; i < n; i++) {
          size_t len = static_cast<size_t>(doff[idx[i] + 1] - doff[idx[i]]);
          std::memcpy(dst + pos, src + doff[idx[i]], len);
          pos += len;
          offs[i] = static_cast<int64_t>(pos);
        }
        return Status::OK();
      }
      case PhysicalType::kInt96:
      case PhysicalType::kFixedLenByteArray: {
        size_t pos = out_->bytes.size();
        out_->bytes.resize(pos + n * width_);
        for (size_t i = 0; i < n; i++) {
          std::memcpy(out_->bytes.data() + pos + i * width_, dict_.bytes.data() + idx[i] * width_,
                      width_);
        }
        return Status::OK();
      }
    }
    return Status::OK();
  }

  template <typename T>
  static Status GatherFixed(const std::vector<T>& dict, const uint32_t* idx, size_t n,
                            std::vector<T>* out) {
    size_t old = out->size();
    out->resize(old + n);
    T* dst = out->data() + old;
    const T* src = dict.data();
    for (size_t i = 0; i < n; i++) dst[i] = src[idx[i]];
    return Status::OK();
  }

  Status DecodeValues(Encoding enc, std::string_view data, size_t n) {
    size_t used = 0;
    switch (enc) {
      case Encoding::kPlain:
        return DecodePlain(data, n, out_);
      case Encoding::kPlainDictionary:
      case Encoding::kRleDictionary: {
        if (!has_dict_) return Status::Corruption("dictionary-encoded page without dictionary");
        if (n == 0) return Status::OK();
        idx_buf_.resize(n);
        PQ_RETURN_IF_ERROR(
            DecodeDictIndices(data, n, static_cast<uint32_t>(dict_.num_values()), idx_buf_.data()));
        return Gather(idx_buf_.data(), n);
      }
      case Encoding::kRle: {
        if (node_.type != PhysicalType::kBoolean) break;
        // Booleans: 4-byte length prefix then RLE hybrid with bit width 1.
        if (data.size() < 4) return Status::Corruption("RLE boolean data truncated");
        uint32_t len;
        std::memcpy(&len, data.data(), 4);
        if (len > data.size() - 4) return Status::Corruption("RLE boolean length overruns page");
        idx_buf_.resize(n);
        RleDecoder dec(reinterpret_cast<const uint8_t*>(data.data()) + 4, len, 1);
        PQ_RETURN_IF_ERROR(dec.GetBatch(idx_buf_.data(), n));
        size_t old = out_->bools.size();
        out_->bools.resize(old + n);
        for (size_t i = 0; i < n; i++) out_->bools[old + i] = idx_buf_[i] != 0;
        return Status::OK();
      }
      case Encoding::kDeltaBinaryPacked:
        if (node_.type == PhysicalType::kInt32) {
          size_t old = out_->i32.size();
          out_->i32.resize(old + n);
          return DecodeDeltaBinaryPacked(data, n, out_->i32.data() + old, &used);
        }
        if (node_.type == PhysicalType::kInt64) {
          size_t old = out_->i64.size();
          out_->i64.resize(old + n);
          return DecodeDeltaBinaryPacked(data, n, out_->i64.data() + old, &used);
        }
        break;
      case Encoding::kDeltaLengthByteArray:
        if (node_.type == PhysicalType::kByteArray) {
          return DecodeDeltaLengthByteArray(data, n, &out_->offsets, &out_->bytes, &used);
        }
        break;
      case Encoding::kDeltaByteArray:
        if (node_.type == PhysicalType::kByteArray) {
          return DecodeDeltaByteArray(data, n, &out_->offsets, &out_->bytes, &used);
        }
        if (node_.type == PhysicalType::kFixedLenByteArray) {
          return DecodeDeltaByteArrayFixed(data, n, node_.type_length, &out_->bytes, &used);
        }
        break;
      case Encoding::kByteStreamSplit: {
        if (node_.type == PhysicalType::kByteArray || node_.type == PhysicalType::kBoolean ||
            node_.type == PhysicalType::kInt96) {
          break;
        }
        if (width_ == 0 || data.size() / width_ < n) {
          return Status::Corruption("BYTE_STREAM_SPLIT data truncated");
        }
        std::string_view exact = data.substr(0, n * width_);
        auto decode_into = [&](auto* vec) -> Status {
          size_t old = vec->size();
          vec->resize(old + n);
          return DecodeByteStreamSplit(exact, n, static_cast<int>(width_),
                                       reinterpret_cast<uint8_t*>(vec->data() + old));
        };
        switch (node_.type) {
          case PhysicalType::kInt32:
            return decode_into(&out_->i32);
          case PhysicalType::kInt64:
            return decode_into(&out_->i64);
          case PhysicalType::kFloat:
            return decode_into(&out_->f32);
          case PhysicalType::kDouble:
            return decode_into(&out_->f64);
          default: {
            size_t old = out_->bytes.size();
            out_->bytes.resize(old + n * width_);
            return DecodeByteStreamSplit(exact, n, static_cast<int>(width_),
                                         reinterpret_cast<uint8_t*>(out_->bytes.data() + old));
          }
        }
      }
      default:
        break;
    }
    return Status::NotSupported(std::string("encoding ") + EncodingName(enc) + " for column '" +
                                leaf_.dotted_path + "'");
  }

  const LeafInfo& leaf_;
  const SchemaNode& node_;
  const ColumnMetaData& md_;
  ColumnVector* out_;
  ColumnVector dict_;
  bool has_dict_ = false;
  size_t width_ = 0;
  int64_t levels_read_ = 0;
  // Scratch reused across chunks on this thread (avoids page faults and zero-filling
  // fresh allocations for every chunk).
  std::string& page_buf_ = ThreadScratch().page;
  std::vector<uint32_t>& idx_buf_ = ThreadScratch().indices;
};

}  // namespace

Result<std::unique_ptr<FileReader>> FileReader::Open(Env* env, const std::string& path,
                                                     ReaderOptions options) {
  PQ_ASSIGN_OR_RETURN(auto file, env->NewRandomAccessFile(path));
  auto r = Open(std::move(file), options);
  if (!r.ok()) return r.status().WithContext(path);
  return r;
}

Result<std::unique_ptr<FileReader>> FileReader::Open(std::unique_ptr<RandomAccessFile> file,
                                                     ReaderOptions options) {
  uint64_t size = file->Size();
  if (size < 12)
    return Status::Corruption("file too small to be Parquet (" + std::to_string(size) + " bytes)");
  char tail[8];
  std::string_view got;
  PQ_RETURN_IF_ERROR(file->Read(size - 8, 8, &got, tail));
  if (got.size() != 8) return Status::IOError("short read of Parquet footer");
  if (std::memcmp(got.data() + 4, "PARE", 4) == 0) {
    return Status::NotSupported("encrypted Parquet files (PARE) are not supported");
  }
  if (std::memcmp(got.data() + 4, "PAR1", 4) != 0) {
    return Status::Corruption("not a Parquet file: missing PAR1 trailer magic");
  }
  char head[4];
  PQ_RETURN_IF_ERROR(file->Read(0, 4, &got, head));
  if (got.size() != 4 || std::memcmp(got.data(), "PAR1", 4) != 0) {
    return Status::Corruption("not a Parquet file: missing PAR1 header magic");
  }
  uint32_t footer_len;
  std::memcpy(&footer_len, tail, 4);
  if (footer_len > size - 12 || footer_len > options.max_footer_size) {
    return Status::Corruption("footer length " + std::to_string(footer_len) +
                              " exceeds file size " + std::to_string(size));
  }
  std::string footer(footer_len, '\0');
  PQ_RETURN_IF_ERROR(file->Read(size - 8 - footer_len, footer_len, &got, footer.data()));
  if (got.size() != footer_len) return Status::IOError("short read of Parquet footer");
  std::unique_ptr<FileReader> r(new FileReader());
  PQ_RETURN_IF_ERROR(ParseFileMetaData(got, &r->metadata_).WithContext("footer"));
  if (r->metadata_.encrypted) {
    return Status::NotSupported("encrypted Parquet files are not supported");
  }
  PQ_ASSIGN_OR_RETURN(r->schema_, Schema::FromElements(r->metadata_.schema));
  if (r->metadata_.num_rows < 0) return Status::Corruption("negative row count in footer");
  int64_t rows = 0;
  for (size_t i = 0; i < r->metadata_.row_groups.size(); i++) {
    const RowGroup& rg = r->metadata_.row_groups[i];
    if (rg.columns.size() != r->schema_.num_leaves()) {
      return Status::Corruption("row group " + std::to_string(i) + " has " +
                                std::to_string(rg.columns.size()) + " columns; schema has " +
                                std::to_string(r->schema_.num_leaves()));
    }
    if (rg.num_rows < 0) return Status::Corruption("negative row count in row group");
    rows += rg.num_rows;
  }
  if (rows != r->metadata_.num_rows) {
    return Status::Corruption("row groups hold " + std::to_string(rows) + " rows; footer says " +
                              std::to_string(r->metadata_.num_rows));
  }
  r->file_ = std::move(file);
  return r;
}

Status FileReader::ReadColumnChunk(int row_group, int leaf, ColumnVector* out) const {
  if (row_group < 0 || row_group >= num_row_groups()) {
    return Status::InvalidArgument("row group " + std::to_string(row_group) + " out of range");
  }
  if (leaf < 0 || static_cast<size_t>(leaf) >= schema_.num_leaves()) {
    return Status::InvalidArgument("column " + std::to_string(leaf) + " out of range");
  }
  const LeafInfo& info = schema_.leaves()[static_cast<size_t>(leaf)];
  if (out->num_values() == 0 && out->def_levels.empty() && out->rep_levels.empty()) {
    out->type = info.node->type;
    out->type_length = info.node->type_length;
  } else if (out->type != info.node->type) {
    return Status::InvalidArgument("output column has a different type");
  }
  const ColumnChunk& cc =
      metadata_.row_groups[static_cast<size_t>(row_group)].columns[static_cast<size_t>(leaf)];
  auto ctx = [&](const Status& s) {
    return s.WithContext("column '" + info.dotted_path + "' row group " +
                         std::to_string(row_group));
  };
  if (cc.file_path.has_value()) {
    return ctx(Status::NotSupported("column chunks in external files"));
  }
  if (!cc.meta_data.has_value()) return ctx(Status::Corruption("column chunk without metadata"));
  const ColumnMetaData& md = *cc.meta_data;
  if (md.type != info.node->type) return ctx(Status::Corruption("chunk type differs from schema"));
  if (md.num_values < 0) return ctx(Status::Corruption("negative value count"));
  int64_t start = md.data_page_offset;
  if (md.dictionary_page_offset.has_value() && *md.dictionary_page_offset > 0 &&
      *md.dictionary_page_offset < start) {
    start = *md.dictionary_page_offset;
  }
  int64_t len = md.total_compressed_size;
  uint64_t size = file_->Size();
  if (start < 4 || len < 0 || static_cast<uint64_t>(start) > size ||
      static_cast<uint64_t>(len) > size - static_cast<uint64_t>(start)) {
    return ctx(Status::Corruption("chunk byte range [" + std::to_string(start) + ", +" +
                                  std::to_string(len) + ") lies outside the file"));
  }
  std::string& buf = ThreadScratch().chunk;
  buf.resize(static_cast<size_t>(len));
  std::string_view got;
  PQ_RETURN_IF_ERROR(file_->Read(static_cast<uint64_t>(start), buf.size(), &got, buf.data()));
  if (got.size() != buf.size()) return ctx(Status::IOError("short read"));
  ChunkDecoder dec(info, md, out);
  Status s = dec.Decode(got);
  if (!s.ok()) return ctx(s);
  return Status::OK();
}

Status FileReader::ReadColumns(const std::vector<int>& leaves, const std::vector<int>& row_groups,
                               std::vector<ColumnVector>* out) const {
  std::vector<int> ls = leaves, rgs = row_groups;
  if (ls.empty()) {
    for (size_t i = 0; i < schema_.num_leaves(); i++) ls.push_back(static_cast<int>(i));
  }
  if (rgs.empty()) {
    for (int i = 0; i < num_row_groups(); i++) rgs.push_back(i);
  }
  out->assign(ls.size(), ColumnVector{});
  for (size_t i = 0; i < ls.size(); i++) {
    for (int rg : rgs) PQ_RETURN_IF_ERROR(ReadColumnChunk(rg, ls[i], &(*out)[i]));
  }
  return Status::OK();
}

std::vector<int> FileReader::PruneRowGroups(const std::vector<ColumnPredicate>& preds) const {
  std::vector<int> keep;
  for (int rg = 0; rg < num_row_groups(); rg++) {
    bool may = true;
    for (const ColumnPredicate& p : preds) {
      if (p.leaf < 0 || static_cast<size_t>(p.leaf) >= schema_.num_leaves()) continue;
      const SchemaNode& node = *schema_.leaves()[static_cast<size_t>(p.leaf)].node;
      const ColumnChunk& cc =
          metadata_.row_groups[static_cast<size_t>(rg)].columns[static_cast<size_t>(p.leaf)];
      if (!cc.meta_data) continue;
      ColumnOrder order;
      if (static_cast<size_t>(p.leaf) < metadata_.column_orders.size()) {
        order = metadata_.column_orders[static_cast<size_t>(p.leaf)];
      } else {
        order = GetSortOrder(node) == SortOrder::kSigned ? ColumnOrder::kTypeDefinedOrder
                                                         : ColumnOrder::kUnknown;
      }
      if (!StatisticsMayMatch(node, *cc.meta_data, order, p)) {
        may = false;
        break;
      }
    }
    if (may) keep.push_back(rg);
  }
  return keep;
}

}  // namespace parquedb::parquet
