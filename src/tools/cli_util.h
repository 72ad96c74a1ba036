// Shared helpers of the `parquedb` command-line tool: output, error reporting,
// argument parsing (JSON, timestamps) and document input (NDJSON or a JSON array).
// Uses only the public API under include/parquedb/.
#pragma once

#include <cstdint>
#include <cstdio>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parquedb/db.h"
#include "parquedb/status.h"
#include "parquedb/value.h"

namespace parquedb::cli {

// Exit codes: 0 success, 1 the operation failed (database error, bad document,
// unreadable input, ...), 2 the command line is wrong (unknown option, missing or
// malformed argument).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Options shared by every command.
struct GlobalOptions {
  std::string db_path = "./data";
  bool no_progress = false;  // --no-progress: never draw progress bars
};

// ---- errors -----------------------------------------------------------------

// Prints "parquedb: <message>" to stderr.
void PrintError(std::string_view message);
// The user-facing text of a failed Status: the message, prefixed by the error kind
// only where the kind adds information (corruption, I/O error, ...).
std::string ErrorText(const Status& status);
// Prints the error and returns kExitFailure.
int Fail(const Status& status);
// Prints the message and returns kExitUsage.
int UsageError(std::string_view message);

// ---- output -------------------------------------------------------------------

// Writes one line (text + '\n') to stdout (fully buffered; clears a progress bar).
void PrintLine(std::string_view text);
// Writes a value as one line of compact JSON (member order kept).
void PrintJson(const Value& value);
// Flushes stdout; false if any write to it failed.
bool FlushOutput();

// Builds a JSON object from (key, value) pairs in order.
Value JsonObject(std::initializer_list<std::pair<std::string_view, Value>> members);

// ---- arguments ----------------------------------------------------------------

// Parses a JSON command-line argument. On malformed text the error names the
// argument (`what`, e.g. "--sort") and the line/column of the problem.
Result<Value> ParseJsonArgument(std::string_view what, std::string_view text);
// Parses an ISO-8601 timestamp argument into micros; errors name `what`.
Result<int64_t> ParseTimestampArgument(std::string_view what, std::string_view text);

// Reads a whole file ("-" = stdin).
Result<std::string> ReadInputFile(const std::string& path);

// ---- document input -----------------------------------------------------------

// One input document and where it came from ("orders.ndjson: line 7", "stdin: element 3").
struct InputDocument {
  Value doc;
  std::string where;
};

// Streams documents from NDJSON (one object per line; blank lines skipped) or from
// a single JSON array of objects (detected by a leading '['). Errors name the
// source, the line (or array element) and the column.
class DocumentReader {
 public:
  // path: a file, or "-" for stdin.
  static Result<std::unique_ptr<DocumentReader>> Open(const std::string& path);
  ~DocumentReader();

  // The next document, or nullopt at the end of the input.
  Result<std::optional<InputDocument>> Next();
  // Input bytes consumed so far, and the input's size (-1: unknown, e.g. a pipe).
  int64_t bytes_read() const { return bytes_read_; }
  int64_t total_bytes() const { return total_bytes_; }
  const std::string& source() const { return source_; }

 private:
  DocumentReader() = default;
  Status ReadArray(std::string text, int64_t first_line);

  std::string source_;  // for messages: the file name or "stdin"
  std::unique_ptr<std::istream> owned_;
  std::istream* in_ = nullptr;
  int64_t line_no_ = 0;
  bool started_ = false;
  bool array_mode_ = false;
  std::vector<Value> array_;
  size_t array_pos_ = 0;
  int64_t bytes_read_ = 0;
  int64_t total_bytes_ = -1;
};

// ---- database -----------------------------------------------------------------

// Opens the existing database at options.db_path (NotFound with a hint to run
// `init` if there is none; never creates the directory). Its long operations
// report to the progress bar (progress.h) when that is enabled.
Result<std::unique_ptr<DB>> OpenExistingDb(const GlobalOptions& options);

// The JSON form of a change event:
// {"seq","timestamp","op","collection","id","before","after"}.
Value ChangeEventToJson(const ChangeEvent& event);

}  // namespace parquedb::cli
