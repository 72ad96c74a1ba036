#include "common/fault_injection_env.h"

#include <algorithm>
#include <utility>

namespace parquedb {

namespace {

// Parent directory of `path`, spelled the way callers pass it to SyncDir ("a/b/c" ->
// "a/b"); trailing slashes are ignored on both sides.
std::string ParentDir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  size_t end = slash;
  while (end > 0 && path[end - 1] == '/') --end;
  if (end == 0) return "/";
  return path.substr(0, end);
}

std::string StripTrailingSlashes(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

Result<std::string> ReadPrefix(Env* env, const std::string& path, uint64_t n) {
  PQ_ASSIGN_OR_RETURN(auto file, env->NewRandomAccessFile(path));
  std::string out(n, '\0');
  std::string_view got;
  PQ_RETURN_IF_ERROR(file->Read(0, n, &got, out.data()));
  if (got.data() != out.data()) std::copy(got.begin(), got.end(), out.begin());
  out.resize(got.size());
  return out;
}

}  // namespace

// A WritableFile whose every append is forwarded (and flushed) to the base file at
// once, so the base file always holds the "page cache" contents the model reasons
// about. All methods lock the env mutex.
class FaultInjectionEnv::File final : public WritableFile {
 public:
  File(FaultInjectionEnv* env, std::string path, uint64_t node, std::unique_ptr<WritableFile> base,
       uint64_t size)
      : env_(env), path_(std::move(path)), node_(node), base_(std::move(base)), size_(size) {}

  ~File() override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    if (!dead_) (void)base_->Close();
    env_->open_files_.erase(this);
    env_->CollectGarbageLocked();
  }

  Status Append(std::string_view data) override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    return env_->FileAppendLocked(this, data);
  }
  Status Flush() override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    return env_->FileFlushLocked(this);
  }
  Status Sync() override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    return env_->FileSyncLocked(this);
  }
  Status Close() override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    if (dead_) return Status::OK();
    dead_ = true;
    return base_->Close();
  }
  uint64_t Size() const override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    return size_;
  }

 private:
  friend class FaultInjectionEnv;
  FaultInjectionEnv* const env_;
  const std::string path_;  // as opened; only for messages (renames keep the node)
  const uint64_t node_;
  std::unique_ptr<WritableFile> base_;
  uint64_t size_;
  bool dead_ = false;  // closed, or invalidated by Crash()
};

FaultInjectionEnv::FaultInjectionEnv(Env* base) : base_(base) {}

FaultInjectionEnv::~FaultInjectionEnv() = default;

// ---------------------------------------------------------------------------------------
// Fault control

void FaultInjectionEnv::FailAfter(uint64_t n, FaultKind kind) {
  std::lock_guard<std::mutex> lock(mu_);
  armed_ = true;
  countdown_ = n;
  kind_ = kind;
  crashed_ = false;
}

void FaultInjectionEnv::ClearFaults() {
  std::lock_guard<std::mutex> lock(mu_);
  armed_ = false;
  crashed_ = false;
}

bool FaultInjectionEnv::crashed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return crashed_;
}

uint64_t FaultInjectionEnv::OpCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return op_count_;
}

void FaultInjectionEnv::ResetOpCount() {
  std::lock_guard<std::mutex> lock(mu_);
  op_count_ = 0;
}

void FaultInjectionEnv::SetTornWriteBytes(uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  torn_bytes_ = n;
}

void FaultInjectionEnv::SetForwardSyncs(bool forward) {
  std::lock_guard<std::mutex> lock(mu_);
  forward_syncs_ = forward;
}

Status FaultInjectionEnv::CrashedError(const std::string& what) const {
  return Status::IOError("injected crash: " + what);
}

Status FaultInjectionEnv::CheckFault(const char* op, const std::string& what) {
  ++op_count_;
  if (crashed_) return CrashedError(std::string(op) + " " + what);
  if (armed_) {
    if (countdown_ == 0) {
      armed_ = false;
      if (kind_ == FaultKind::kCrash) crashed_ = true;
      return Status::IOError("injected fault at operation " + std::to_string(op_count_ - 1) + ": " +
                             op + " " + what);
    }
    --countdown_;
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------------------
// Model bookkeeping

void FaultInjectionEnv::TrackLocked(const std::string& path) {
  if (live_.count(path) != 0) return;
  if (!base_->FileExists(path)) return;
  if (base_->GetChildren(path).ok()) return;  // a directory
  auto size = base_->GetFileSize(path);
  if (!size.ok()) return;
  uint64_t id = next_node_++;
  Node& node = nodes_[id];
  node.size = node.synced = *size;
  live_[path] = id;
  // A file we have never seen is taken as durable, unless the durable namespace
  // already has another file under that name (it was replaced behind our back).
  durable_.emplace(path, id);
}

void FaultInjectionEnv::CollectGarbageLocked() {
  std::set<uint64_t> used;
  for (const auto& [path, id] : live_) used.insert(id);
  for (const auto& [path, id] : durable_) used.insert(id);
  for (const File* f : open_files_) {
    if (!f->dead_) used.insert(f->node_);
  }
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    if (used.count(it->first) == 0) {
      it = nodes_.erase(it);
    } else {
      ++it;
    }
  }
}

Status FaultInjectionEnv::UnlinkLiveLocked(const std::string& path) {
  // Called before the base operation that makes `path` stop naming its node: if the
  // node will have no live name left but a durable entry still names it, keep its
  // bytes so Crash() can bring it back.
  auto it = live_.find(path);
  if (it == live_.end()) return Status::OK();
  uint64_t id = it->second;
  Node& node = nodes_[id];
  bool other_live = false;
  for (const auto& [p, other] : live_) {
    if (other == id && p != path) other_live = true;
  }
  bool durable_ref = false;
  for (const auto& [p, other] : durable_) {
    if (other == id) durable_ref = true;
  }
  if (!other_live && durable_ref && !node.has_saved) {
    PQ_ASSIGN_OR_RETURN(node.saved, ReadPrefix(base_, path, node.size));
    node.has_saved = true;
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------------------
// Files

Status FaultInjectionEnv::FileAppendLocked(File* f, std::string_view data) {
  if (f->dead_) return Status::IOError("append to closed or crashed file " + f->path_);
  PQ_RETURN_IF_ERROR(CheckFault("Append", f->path_));
  PQ_RETURN_IF_ERROR(f->base_->Append(data));
  PQ_RETURN_IF_ERROR(f->base_->Flush());
  f->size_ += data.size();
  auto it = nodes_.find(f->node_);
  if (it != nodes_.end()) it->second.size += data.size();
  return Status::OK();
}

Status FaultInjectionEnv::FileFlushLocked(File* f) {
  if (f->dead_) return Status::IOError("flush of closed or crashed file " + f->path_);
  if (crashed_) return CrashedError("Flush " + f->path_);
  return f->base_->Flush();
}

Status FaultInjectionEnv::FileSyncLocked(File* f) {
  if (f->dead_) return Status::IOError("sync of closed or crashed file " + f->path_);
  PQ_RETURN_IF_ERROR(CheckFault("Sync", f->path_));
  PQ_RETURN_IF_ERROR(forward_syncs_ ? f->base_->Sync() : f->base_->Flush());
  auto it = nodes_.find(f->node_);
  if (it != nodes_.end()) it->second.synced = it->second.size;
  return Status::OK();
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::OpenLocked(const std::string& path,
                                                                    bool truncate) {
  PQ_RETURN_IF_ERROR(CheckFault(truncate ? "NewWritableFile" : "NewAppendableFile", path));
  TrackLocked(path);
  std::unique_ptr<WritableFile> base;
  if (truncate) {
    PQ_ASSIGN_OR_RETURN(base, base_->NewWritableFile(path));
  } else {
    PQ_ASSIGN_OR_RETURN(base, base_->NewAppendableFile(path));
  }
  uint64_t id;
  auto it = live_.find(path);
  if (it != live_.end()) {
    id = it->second;
    Node& node = nodes_[id];
    node.size = base->Size();  // 0 after O_TRUNC (modeled as durable at once)
    node.synced = std::min(node.synced, node.size);
  } else {
    id = next_node_++;
    nodes_[id].size = base->Size();
    live_[path] = id;  // durable only after SyncDir(parent)
  }
  uint64_t size = base->Size();
  auto file = std::make_unique<File>(this, path, id, std::move(base), size);
  open_files_.insert(file.get());
  return std::unique_ptr<WritableFile>(std::move(file));
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewWritableFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  return OpenLocked(path, /*truncate=*/true);
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewAppendableFile(
    const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  return OpenLocked(path, /*truncate=*/false);
}

Result<std::unique_ptr<RandomAccessFile>> FaultInjectionEnv::NewRandomAccessFile(
    const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  return base_->NewRandomAccessFile(path);
}

// ---------------------------------------------------------------------------------------
// Namespace operations

bool FaultInjectionEnv::FileExists(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  return base_->FileExists(path);
}

Result<uint64_t> FaultInjectionEnv::GetFileSize(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  return base_->GetFileSize(path);
}

Result<std::vector<std::string>> FaultInjectionEnv::GetChildren(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  return base_->GetChildren(dir);
}

Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  PQ_RETURN_IF_ERROR(CheckFault("RemoveFile", path));
  TrackLocked(path);
  PQ_RETURN_IF_ERROR(UnlinkLiveLocked(path));
  PQ_RETURN_IF_ERROR(base_->RemoveFile(path));
  live_.erase(path);
  CollectGarbageLocked();
  return Status::OK();
}

Status FaultInjectionEnv::RenameLocked(const std::string& from, const std::string& to,
                                       bool no_replace) {
  PQ_RETURN_IF_ERROR(CheckFault(no_replace ? "RenameNoReplace" : "RenameFile", from + " -> " + to));
  TrackLocked(from);
  TrackLocked(to);
  if (from == to)
    return no_replace ? base_->RenameNoReplace(from, to) : base_->RenameFile(from, to);
  bool replaces = live_.count(to) != 0;
  if (replaces && !no_replace) PQ_RETURN_IF_ERROR(UnlinkLiveLocked(to));
  PQ_RETURN_IF_ERROR(no_replace ? base_->RenameNoReplace(from, to) : base_->RenameFile(from, to));
  auto it = live_.find(from);
  if (it == live_.end()) {
    live_.erase(to);  // untracked source (e.g. a directory): stop modeling `to`
  } else {
    live_[to] = it->second;
    live_.erase(from);
  }
  CollectGarbageLocked();
  return Status::OK();
}

Status FaultInjectionEnv::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mu_);
  return RenameLocked(from, to, /*no_replace=*/false);
}

Status FaultInjectionEnv::RenameNoReplace(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mu_);
  return RenameLocked(from, to, /*no_replace=*/true);
}

Status FaultInjectionEnv::TruncateFile(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  PQ_RETURN_IF_ERROR(CheckFault("TruncateFile", path));
  TrackLocked(path);
  PQ_RETURN_IF_ERROR(base_->TruncateFile(path, size));
  auto it = live_.find(path);
  if (it != live_.end()) {
    Node& node = nodes_[it->second];
    node.size = size;
    node.synced = std::min(node.synced, size);
  }
  return Status::OK();
}

Status FaultInjectionEnv::CreateDirs(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  PQ_RETURN_IF_ERROR(CheckFault("CreateDirs", dir));
  return base_->CreateDirs(dir);
}

Status FaultInjectionEnv::RemoveDir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  PQ_RETURN_IF_ERROR(CheckFault("RemoveDir", dir));
  return base_->RemoveDir(dir);
}

Status FaultInjectionEnv::SyncDir(const std::string& dir_in) {
  std::lock_guard<std::mutex> lock(mu_);
  PQ_RETURN_IF_ERROR(CheckFault("SyncDir", dir_in));
  if (forward_syncs_) PQ_RETURN_IF_ERROR(base_->SyncDir(dir_in));
  const std::string dir = StripTrailingSlashes(dir_in);
  for (auto it = durable_.begin(); it != durable_.end();) {
    if (ParentDir(it->first) == dir) {
      it = durable_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [path, id] : live_) {
    if (ParentDir(path) == dir) durable_[path] = id;
  }
  CollectGarbageLocked();
  return Status::OK();
}

Result<std::unique_ptr<FileLock>> FaultInjectionEnv::LockFile(const std::string& path) {
  return base_->LockFile(path);
}

// ---------------------------------------------------------------------------------------
// Crash

Status FaultInjectionEnv::Crash() {
  std::lock_guard<std::mutex> lock(mu_);
  // The process is gone: every open handle dies with it.
  for (File* f : open_files_) {
    if (!f->dead_) {
      (void)f->base_->Close();
      f->dead_ = true;
    }
  }

  auto keep_of = [&](const Node& node) {
    uint64_t keep = std::min(node.size, node.synced + torn_bytes_);
    if (node.has_saved) keep = std::min<uint64_t>(keep, node.saved.size());
    return keep;
  };

  // 1. Work out, for every durable entry, where its bytes come from. Read everything
  //    that has to move before the base file system is touched.
  struct Placement {
    std::string path;
    std::string content;
  };
  std::vector<Placement> moved;
  std::vector<std::pair<std::string, uint64_t>> in_place;  // path, keep
  for (const auto& [path, id] : durable_) {
    const Node& node = nodes_[id];
    uint64_t keep = keep_of(node);
    auto live = live_.find(path);
    if (live != live_.end() && live->second == id) {
      in_place.emplace_back(path, keep);
      continue;
    }
    Placement p{path, {}};
    if (node.has_saved) {
      p.content = node.saved.substr(0, keep);
    } else {
      for (const auto& [lpath, lid] : live_) {
        if (lid != id) continue;
        PQ_ASSIGN_OR_RETURN(p.content, ReadPrefix(base_, lpath, keep));
        break;
      }
    }
    moved.push_back(std::move(p));
  }

  // 2. Remove every live name the durable namespace does not have (or has for
  //    another file).
  for (const auto& [path, id] : live_) {
    auto d = durable_.find(path);
    if (d != durable_.end() && d->second == id) continue;
    Status s = base_->RemoveFile(path);
    if (!s.ok() && !s.IsNotFound()) return s.WithContext("crash: remove");
  }

  // 3. Recreate moved/removed files, and cut in-place files back to their durable size.
  for (const Placement& p : moved) {
    PQ_RETURN_IF_ERROR(base_->CreateDirs(ParentDir(p.path)));
    PQ_ASSIGN_OR_RETURN(auto file, base_->NewWritableFile(p.path));
    PQ_RETURN_IF_ERROR(file->Append(p.content));
    PQ_RETURN_IF_ERROR(file->Close());
  }
  for (const auto& [path, keep] : in_place) {
    PQ_ASSIGN_OR_RETURN(uint64_t size, base_->GetFileSize(path));
    if (size > keep) PQ_RETURN_IF_ERROR(base_->TruncateFile(path, keep));
  }

  // 4. The durable state is now the whole truth.
  for (const auto& [path, id] : durable_) {
    Node& node = nodes_[id];
    uint64_t keep = keep_of(node);
    node.size = node.synced = keep;
    node.has_saved = false;
    node.saved.clear();
  }
  live_ = durable_;
  CollectGarbageLocked();
  armed_ = false;
  crashed_ = false;
  return Status::OK();
}

}  // namespace parquedb
