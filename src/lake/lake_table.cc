// Table-format dispatch, and the guard that keeps malformed metadata JSON from
// escaping as an exception: nlohmann's typed accessors throw on a field of the
// wrong type, and table metadata is untrusted input (another engine, a corrupt
// or hostile file). Every call through the public entry points runs inside the
// guard and a JSON error becomes Status::Corruption naming the table.
#include <nlohmann/json.hpp>

#include "lake/lake_table.h"
#include "lake/iceberg_internal.h"

namespace parquedb::lake {

namespace {

Status JsonError(Format f, const std::string& root, const std::exception& e) {
  return Status::Corruption(std::string(FormatName(f)) + " table " + root +
                            ": malformed metadata JSON: " + e.what());
}

// Runs `fn`, turning any JSON exception into Corruption.
template <typename Fn>
auto Guard(Format f, const std::string& root, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const nlohmann::json::exception& e) {
    return JsonError(f, root, e);
  }
}

class GuardedTable final : public LakeTable {
 public:
  explicit GuardedTable(std::unique_ptr<LakeTable> inner) : inner_(std::move(inner)) {}
  Format format() const override { return inner_->format(); }
  const std::string& root() const override { return inner_->root(); }
  Status Commit(const std::vector<storage::StoredRow>& changes, const CommitInfo& info) override {
    return Guard(format(), root(), [&] { return inner_->Commit(changes, info); });
  }
  Status Overwrite(const std::vector<storage::StoredRow>& live, const CommitInfo& info) override {
    return Guard(format(), root(), [&] { return inner_->Overwrite(live, info); });
  }
  Result<std::optional<VersionInfo>> Current() override {
    return Guard(format(), root(), [&] { return inner_->Current(); });
  }
  Result<std::vector<VersionInfo>> History() override {
    return Guard(format(), root(), [&] { return inner_->History(); });
  }
  Result<int64_t> Expire(int64_t cutoff_ms) override {
    return Guard(format(), root(), [&] { return inner_->Expire(cutoff_ms); });
  }
  Result<std::vector<Value>> Scan(std::optional<int64_t> version) override {
    return Guard(format(), root(), [&] { return inner_->Scan(version); });
  }

 private:
  std::unique_ptr<LakeTable> inner_;
};

Result<std::unique_ptr<LakeTable>> OpenGuarded(Format format, Env* env, const std::string& root,
                                               const storage::RowCodec* codec) {
  auto t = Guard(format, root, [&] {
    return format == Format::kIceberg ? OpenIceberg(env, root, codec) : OpenDelta(env, root, codec);
  });
  if (!t.ok()) return t.status();
  return std::unique_ptr<LakeTable>(std::make_unique<GuardedTable>(std::move(*t)));
}

}  // namespace

std::string_view FormatName(Format f) { return f == Format::kIceberg ? "iceberg" : "delta"; }

Result<Format> ParseFormat(std::string_view name) {
  if (name == "iceberg") return Format::kIceberg;
  if (name == "delta") return Format::kDelta;
  return Status::InvalidArgument("unknown table format '" + std::string(name) +
                                 "' (expected native, iceberg or delta)");
}

Result<std::unique_ptr<LakeTable>> OpenLakeTable(Format format, Env* env, const std::string& root,
                                                 const storage::RowCodec& codec) {
  return OpenGuarded(format, env, root, &codec);
}

Result<std::unique_ptr<LakeTable>> OpenLakeTableForRead(Format format, Env* env,
                                                        const std::string& root) {
  return OpenGuarded(format, env, root, nullptr);
}

}  // namespace parquedb::lake
