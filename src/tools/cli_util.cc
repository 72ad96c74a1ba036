#include "cli_util.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "parquedb/env.h"
#include "progress.h"

namespace parquedb::cli {

// ---- errors -----------------------------------------------------------------

void PrintError(std::string_view message) {
  ProgressBar::Get().Clear();
  std::fflush(stdout);  // keep already printed rows ahead of the error
  std::fprintf(stderr, "parquedb: %.*s\n", static_cast<int>(message.size()), message.data());
}

std::string ErrorText(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk:
    case Status::Code::kNotFound:
    case Status::Code::kInvalidArgument:
    case Status::Code::kAlreadyExists:
    case Status::Code::kBusy:
    case Status::Code::kIOError:
      return status.message();
    default:
      return status.ToString();
  }
}

int Fail(const Status& status) {
  PrintError(ErrorText(status));
  return kExitFailure;
}

int UsageError(std::string_view message) {
  PrintError(message);
  return kExitUsage;
}

// ---- output -------------------------------------------------------------------

void PrintLine(std::string_view text) {
  ProgressBar::Get().Clear();
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

void PrintJson(const Value& value) { PrintLine(value.ToJsonString()); }

bool FlushOutput() { return std::fflush(stdout) == 0 && !std::ferror(stdout); }

Value JsonObject(std::initializer_list<std::pair<std::string_view, Value>> members) {
  Value out = Value::MakeObject();
  for (const auto& [k, v] : members) out.Set(k, v);
  return out;
}

// ---- arguments ----------------------------------------------------------------

Result<Value> ParseJsonArgument(std::string_view what, std::string_view text) {
  auto v = Value::ParseJson(text);
  if (!v.ok()) {
    return Status::InvalidArgument(std::string(what) + ": " + DescribeJsonError(v.status(), text));
  }
  return v;
}

Result<int64_t> ParseTimestampArgument(std::string_view what, std::string_view text) {
  auto t = ParseTimestampMicros(text);
  if (!t.ok()) return t.status().WithContext(what);
  return t;
}

Result<std::string> ReadInputFile(const std::string& path) {
  if (path == "-") {
    std::string data{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    if (std::cin.bad()) return Status::IOError("cannot read stdin");
    return data;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open '" + path + "': " + std::strerror(errno));
  std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return Status::IOError("cannot read '" + path + "'");
  return data;
}

// ---- document input -----------------------------------------------------------

namespace {

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

Status ExpectObject(const Value& v, const std::string& where) {
  if (v.kind() == Value::Kind::kObject) return Status::OK();
  return Status::InvalidArgument(where + ": expected a JSON object (a document), got " +
                                 std::string(Value::KindName(v.kind())));
}

}  // namespace

DocumentReader::~DocumentReader() = default;

Result<std::unique_ptr<DocumentReader>> DocumentReader::Open(const std::string& path) {
  std::unique_ptr<DocumentReader> r(new DocumentReader());
  if (path == "-") {
    r->source_ = "stdin";
    r->in_ = &std::cin;
  } else {
    auto f = std::make_unique<std::ifstream>(path, std::ios::binary);
    if (!*f) return Status::IOError("cannot open '" + path + "': " + std::strerror(errno));
    r->source_ = path;
    r->owned_ = std::move(f);
    r->in_ = r->owned_.get();
  }
  struct stat st;
  bool known = path == "-" ? ::fstat(0, &st) == 0 : ::stat(path.c_str(), &st) == 0;
  if (known && S_ISREG(st.st_mode)) r->total_bytes_ = static_cast<int64_t>(st.st_size);
  return r;
}

Status DocumentReader::ReadArray(std::string text, int64_t first_line) {
  // The rest of the input belongs to the array.
  const size_t first_part = text.size();  // already counted in bytes_read_
  text.append(std::istreambuf_iterator<char>(*in_), std::istreambuf_iterator<char>());
  if (in_->bad()) return Status::IOError("cannot read " + source_);
  auto v = Value::ParseJson(text);
  if (!v.ok()) {
    return Status::InvalidArgument(source_ + ": " +
                                   DescribeJsonError(v.status(), text, first_line));
  }
  for (size_t i = 0; i < v->as_array().size(); i++) {
    PQ_RETURN_IF_ERROR(
        ExpectObject(v->as_array()[i], source_ + ": element " + std::to_string(i + 1)));
  }
  array_ = std::move(v->mutable_array());
  bytes_read_ += static_cast<int64_t>(text.size() - first_part);
  return Status::OK();
}

Result<std::optional<InputDocument>> DocumentReader::Next() {
  if (array_mode_) {
    if (array_pos_ >= array_.size()) return std::optional<InputDocument>();
    InputDocument d{std::move(array_[array_pos_]),
                    source_ + ": element " + std::to_string(array_pos_ + 1)};
    array_pos_++;
    return std::optional<InputDocument>(std::move(d));
  }
  std::string line;
  while (std::getline(*in_, line)) {
    line_no_++;
    bytes_read_ += static_cast<int64_t>(line.size()) + (in_->eof() ? 0 : 1);
    if (!started_) {
      if (line_no_ == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // UTF-8 BOM
      if (IsBlank(line)) continue;
      started_ = true;
      if (line[line.find_first_not_of(" \t")] == '[') {
        array_mode_ = true;
        std::string text = std::move(line);
        if (!in_->eof()) text.push_back('\n');
        PQ_RETURN_IF_ERROR(ReadArray(std::move(text), line_no_));
        return Next();
      }
    }
    if (IsBlank(line)) continue;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string where = source_ + ": line " + std::to_string(line_no_);
    auto v = Value::ParseJson(line);
    if (!v.ok()) {
      return Status::InvalidArgument(source_ + ": " +
                                     DescribeJsonError(v.status(), line, line_no_));
    }
    PQ_RETURN_IF_ERROR(ExpectObject(*v, where));
    return std::optional<InputDocument>(InputDocument{std::move(*v), std::move(where)});
  }
  if (in_->bad()) return Status::IOError("cannot read " + source_);
  return std::optional<InputDocument>();
}

// ---- database -----------------------------------------------------------------

Result<std::unique_ptr<DB>> OpenExistingDb(const GlobalOptions& options) {
  const std::string hint = "no database at " + options.db_path +
                           " (create it with: parquedb --db " + options.db_path +
                           " init --schema FILE)";
  if (!Env::Default()->FileExists(options.db_path)) return Status::NotFound(hint);
  Options o;
  o.path = options.db_path;
  o.progress = ProgressBar::Get().Callback();
  auto db = DB::Open(o);
  if (db.status().IsNotFound()) return Status::NotFound(hint);
  return db;
}

Value ChangeEventToJson(const ChangeEvent& event) {
  return JsonObject({
      {"seq", Value::Int(static_cast<int64_t>(event.seq))},
      {"timestamp", Value::Timestamp(event.timestamp)},
      {"op", Value::String(std::string(ChangeOpName(event.op)))},
      {"collection", Value::String(event.collection)},
      {"id", Value::String(event.id)},
      {"before", event.before},
      {"after", event.after},
  });
}

}  // namespace parquedb::cli
