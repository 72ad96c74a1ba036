// Iceberg / Delta tables next to the native store (Options.table_format, a view's
// $refresh.backend): the db side of lake::LakeMirror. Called at open (after
// recovery and view set-up) and after every native commit of FlushLocked, with
// apply_mu_ and write_mu_ held.
#include <set>

#include "db/db_impl.h"

namespace parquedb::db {

std::optional<lake::Format> DBImpl::LakeFormatOf(const Table& t) const {
  if (t.view != nullptr && t.view->spec) {
    switch (t.view->spec->refresh().backend) {
      case views::StorageBackend::kNative:
        return std::nullopt;
      case views::StorageBackend::kIceberg:
        return lake::Format::kIceberg;
      case views::StorageBackend::kDelta:
        return lake::Format::kDelta;
      case views::StorageBackend::kDefault:
        break;
    }
  }
  if (table_format_ == "iceberg") return lake::Format::kIceberg;
  if (table_format_ == "delta") return lake::Format::kDelta;
  return std::nullopt;
}

std::map<std::string, lake::LakeMirror::Target> DBImpl::LakeTargets() const {
  std::map<std::string, lake::LakeMirror::Target> out;
  for (const auto& [name, t] : tables_) {
    if (auto f = LakeFormatOf(*t)) out[name] = {t->codec.get(), *f};
  }
  return out;
}

bool DBImpl::LakeActive() const { return lake_ != nullptr || !LakeTargets().empty(); }

Status DBImpl::OpenLake() {
  PQ_ASSIGN_OR_RETURN(table_format_, lake::LakeMirror::ResolveFormat(env_, options_.path,
                                                                     options_.table_format));
  auto targets = LakeTargets();
  if (targets.empty()) return Status::OK();
  PQ_ASSIGN_OR_RETURN(lake_, lake::LakeMirror::Open(env_, options_.path, targets));
  return lake_->Sync(*store_, clock_->NowMicros());
}

Status DBImpl::LakeAfterFlushLocked(
    const storage::Manifest& committed,
    const std::map<std::string, std::vector<storage::StoredRow>>& changes) {
  auto targets = LakeTargets();
  if (targets.empty() && lake_ == nullptr) return Status::OK();
  const int64_t now = clock_->NowMicros();
  if (lake_ == nullptr) {
    PQ_ASSIGN_OR_RETURN(lake_, lake::LakeMirror::Open(env_, options_.path, {}));
  }
  // Views registered, dropped or re-laid-out since the last flush.
  std::vector<std::string> gone;
  for (const auto& [name, target] : lake_->targets()) {
    if (!targets.count(name)) gone.push_back(name);
  }
  for (const std::string& name : gone) lake_->DropTable(name);
  std::set<std::string> refilled;
  for (const auto& [name, target] : targets) {
    auto it = lake_->targets().find(name);
    if (it == lake_->targets().end() || it->second.codec != target.codec ||
        it->second.format != target.format) {
      PQ_RETURN_IF_ERROR(lake_->AddTable(name, target, *store_, now));
      refilled.insert(name);
    }
  }
  if (lake_->needs_sync()) return lake_->Sync(*store_, now);
  std::map<std::string, std::vector<storage::StoredRow>> rest;
  for (const auto& [name, rows] : changes) {
    if (!refilled.count(name)) rest[name] = rows;
  }
  std::vector<std::string> views;
  for (const auto& [name, v] : views_) {
    if (targets.count(name) && !refilled.count(name)) views.push_back(name);
  }
  auto summary = [&](const std::string& name) -> Result<std::map<std::string, std::string>> {
    std::map<std::string, std::string> out;
    auto v = views_.find(name);
    if (v == views_.end()) return out;
    const ViewRt& rt = *v->second;
    PQ_ASSIGN_OR_RETURN(out["refresh-state"],
                        lake_->RefreshState(rt.lin.hash, rt.lin.snapshots, now));
    out["parquedb.view.reflected-seq"] = std::to_string(rt.lin.reflected_seq);
    return out;
  };
  return lake_->OnFlush(committed, rest, now, views, summary);
}

}  // namespace parquedb::db
