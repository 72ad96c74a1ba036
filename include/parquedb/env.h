// Env: the file-system and clock seam. Every file ParqueDB touches goes through an
// Env, so tests can inject faults (crash at any write/fsync/rename) and a fake clock.
// Env::Default() is the POSIX implementation; it is thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "parquedb/status.h"

namespace parquedb {

// A file opened for sequential appends. Not thread-safe.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Pushes buffered bytes to the OS (no durability guarantee).
  virtual Status Flush() = 0;
  // Makes everything appended so far durable (fdatasync).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  // Bytes appended so far (including any initial size for appendable files).
  virtual uint64_t Size() const = 0;
};

// A file opened for positional reads. Thread-safe.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset into scratch; *result points into scratch (or into
  // a stable mapping). Fewer than n bytes only at end of file.
  virtual Status Read(uint64_t offset, size_t n, std::string_view* result,
                      char* scratch) const = 0;
  virtual uint64_t Size() const = 0;
};

// Opaque handle for an advisory whole-file lock.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX Env. Never deleted.
  static Env* Default();

  // Creates or truncates `path`.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Opens `path` for appending, creating it if missing.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;

  virtual bool FileExists(const std::string& path) = 0;
  virtual Result<uint64_t> GetFileSize(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, without "." and "..".
  virtual Result<std::vector<std::string>> GetChildren(const std::string& dir) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Atomically replaces `to` with `from` (POSIX rename).
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  // Renames only if `to` does not exist (no-clobber commit); AlreadyExists otherwise.
  virtual Status RenameNoReplace(const std::string& from, const std::string& to) = 0;
  // Truncates `path` to `size` bytes.
  virtual Status TruncateFile(const std::string& path, uint64_t size) = 0;
  // Creates `dir` and missing parents; OK if it exists.
  virtual Status CreateDirs(const std::string& dir) = 0;
  virtual Status RemoveDir(const std::string& dir) = 0;
  // fsyncs a directory so renames/creations in it are durable.
  virtual Status SyncDir(const std::string& dir) = 0;

  // Takes an exclusive advisory lock on `path` (created if missing). Busy if another
  // process holds it.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;

  // Convenience helpers built on the primitives above.
  Result<std::string> ReadFileToString(const std::string& path);
  // Writes `data` to `path` via temp file + fsync + rename + directory fsync.
  Status WriteFileAtomic(const std::string& path, std::string_view data);
};

// Time source. Clock::Default() is the system clock; tests substitute a manual clock.
class Clock {
 public:
  virtual ~Clock() = default;
  static Clock* Default();
  // Microseconds since the Unix epoch (UTC).
  virtual int64_t NowMicros() = 0;
};

// A clock that only moves when told to. Thread-safe.
class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t start_micros = 0) : now_(start_micros) {}
  int64_t NowMicros() override;
  void SetMicros(int64_t micros);
  void AdvanceMicros(int64_t delta);

 private:
  std::atomic<int64_t> now_;
};

}  // namespace parquedb
