// FaultInjectionEnv: an Env wrapper that simulates machine crashes and I/O errors for
// crash tests, deterministically and in-process (no sleeps, no child processes).
//
// Files live in the wrapped base Env (normally a temp dir on the POSIX Env); this
// class keeps a model of what a power loss would leave behind and can rewind the base
// file system to it with Crash().
//
// Durability model (strict, like a journaling fs without auto-flush; be aware of it):
//  * File data: bytes appended through a WritableFile become durable when that file's
//    Sync() succeeds. Flush() and Close() make nothing durable. On Crash() each file is
//    cut back to its durable size (plus an optional torn prefix, see SetTornWriteBytes).
//  * Directory entries: creating a file (NewWritableFile/NewAppendableFile on a missing
//    path), RenameFile, RenameNoReplace and RemoveFile change the *live* namespace at
//    once but become durable only when SyncDir(parent dir) succeeds afterwards. Crash()
//    restores each directory to its state at its last SyncDir: unsynced creations
//    vanish, unsynced removals come back (with their durable bytes), unsynced renames
//    are undone (the old name reappears and a replaced target regains its old file).
//    A rename across two directories is durable per side (each SyncDir covers its own
//    entry), so a crash may leave the file under both names or neither. fsync of a
//    file does NOT make its directory entry durable.
//  * Modeled as durable at once (simplifications): TruncateFile (size and the lost
//    bytes), the O_TRUNC of NewWritableFile on an existing file, CreateDirs/RemoveDir,
//    and every file that already existed before this Env first touched it.
//  * Only files reached through this Env are modeled; LockFile and reads pass through.
//
// Fault triggers: FailAfter(n, kind) lets the next n counted mutating operations
// succeed and makes the one after fail with IOError (without any effect). Counted
// operations: WritableFile::Append and ::Sync, NewWritableFile, NewAppendableFile,
// RenameFile, RenameNoReplace, RemoveFile, TruncateFile, CreateDirs, RemoveDir,
// SyncDir. With FaultKind::kCrash every later mutating operation (and Flush) fails too,
// as if the machine died at that point, until Crash() or ClearFaults(). Loop
// k = 0..OpCount() of a workload to crash it at every write/fsync/rename point.
//
// Crash() invalidates every WritableFile handed out before it (their methods return
// IOError afterwards); RandomAccessFiles opened before Crash() may see stale data, so
// close everything (destroy the component under test) before calling Crash().
//
// Thread-safety: all methods, and the files it returns, are thread-safe (one mutex;
// base I/O runs under it). The base Env must outlive this object, and this object
// must outlive the WritableFiles it returns.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "parquedb/env.h"

namespace parquedb {

class FaultInjectionEnv : public Env {
 public:
  enum class FaultKind {
    kError,  // only the triggering operation fails
    kCrash,  // the triggering operation and everything after it fails
  };

  explicit FaultInjectionEnv(Env* base);
  ~FaultInjectionEnv() override;
  FaultInjectionEnv(const FaultInjectionEnv&) = delete;
  FaultInjectionEnv& operator=(const FaultInjectionEnv&) = delete;

  // --- Fault control -----------------------------------------------------------------
  // Arms the trigger: `n` more counted operations succeed, the next one fails.
  void FailAfter(uint64_t n, FaultKind kind);
  // Disarms the trigger and leaves the crashed state. Keeps the durability model.
  void ClearFaults();
  // True once a kCrash trigger fired (until Crash()/ClearFaults()).
  bool crashed() const;
  // Counted mutating operations attempted since construction or ResetOpCount().
  uint64_t OpCount() const;
  void ResetOpCount();

  // On Crash(), each file keeps up to `n` bytes of its unsynced tail (a torn write:
  // typically a prefix of the last unsynced append). 0 (default) drops the whole tail.
  void SetTornWriteBytes(uint64_t n);
  // Whether Sync/SyncDir are forwarded to the base Env (default true). Tests may turn
  // it off for speed: durability is simulated by the model either way.
  void SetForwardSyncs(bool forward);

  // Simulates a power loss: rewinds the base file system to the durable state
  // described above, then clears faults. The model continues from that state.
  Status Crash();
  // Same as Crash() (LevelDB-style name).
  Status DropUnsyncedData() { return Crash(); }

  // --- Env -----------------------------------------------------------------------------
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  bool FileExists(const std::string& path) override;
  Result<uint64_t> GetFileSize(const std::string& path) override;
  Result<std::vector<std::string>> GetChildren(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status RenameNoReplace(const std::string& from, const std::string& to) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  Status CreateDirs(const std::string& dir) override;
  Status RemoveDir(const std::string& dir) override;
  Status SyncDir(const std::string& dir) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;

 private:
  class File;
  friend class File;

  // One modeled file ("inode"): its live size and how much of it is durable. When no
  // live path refers to it any more but a durable directory entry still does, its
  // content is kept in `saved`.
  struct Node {
    uint64_t size = 0;
    uint64_t synced = 0;
    bool has_saved = false;
    std::string saved;
  };

  // Counts the operation and applies the trigger. Returns IOError if it must fail.
  Status CheckFault(const char* op, const std::string& what);
  Status CrashedError(const std::string& what) const;
  // Registers a pre-existing base file as a durable node (no-op if tracked/missing).
  void TrackLocked(const std::string& path);
  // `path` stops referring to its node in the live namespace; saves the node's
  // content if a durable entry still needs it.
  Status UnlinkLiveLocked(const std::string& path);
  void CollectGarbageLocked();
  Status RenameLocked(const std::string& from, const std::string& to, bool no_replace);
  Result<std::unique_ptr<WritableFile>> OpenLocked(const std::string& path, bool truncate);
  // File callbacks (mutex held by caller).
  Status FileAppendLocked(File* f, std::string_view data);
  Status FileSyncLocked(File* f);
  Status FileFlushLocked(File* f);

  Env* const base_;
  mutable std::mutex mu_;
  uint64_t next_node_ = 1;
  std::unordered_map<uint64_t, Node> nodes_;
  std::map<std::string, uint64_t> live_;     // path -> node, as the base fs is now
  std::map<std::string, uint64_t> durable_;  // path -> node, as after a crash
  std::set<File*> open_files_;

  uint64_t op_count_ = 0;
  bool armed_ = false;
  uint64_t countdown_ = 0;
  FaultKind kind_ = FaultKind::kError;
  bool crashed_ = false;
  uint64_t torn_bytes_ = 0;
  bool forward_syncs_ = true;
};

}  // namespace parquedb
