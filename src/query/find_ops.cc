#include "query/find_ops.h"

#include <algorithm>

namespace parquedb::query {

Result<std::vector<SortKey>> ParseSort(const Value& spec) {
  std::vector<SortKey> keys;
  if (spec.is_null()) return keys;
  if (spec.kind() != Value::Kind::kObject) {
    return Status::InvalidArgument("sort must be an object like {\"field\": 1 | -1}");
  }
  for (const auto& [path, dir] : spec.as_object()) {
    SortKey k{path, false};
    if (dir.kind() == Value::Kind::kInt && (dir.as_int() == 1 || dir.as_int() == -1)) {
      k.descending = dir.as_int() == -1;
    } else if (dir.kind() == Value::Kind::kString &&
               (dir.as_string() == "asc" || dir.as_string() == "desc")) {
      k.descending = dir.as_string() == "desc";
    } else {
      return Status::InvalidArgument("sort direction for '" + path +
                                     "' must be 1, -1, \"asc\" or \"desc\"");
    }
    keys.push_back(std::move(k));
  }
  return keys;
}

void SortDocuments(std::vector<Value>* docs, const std::vector<SortKey>& keys) {
  static const Value kNull;
  auto field = [](const Value& d, const std::string& p) -> const Value& {
    const Value* v = d.FindPath(p);
    return v ? *v : kNull;
  };
  std::stable_sort(docs->begin(), docs->end(), [&](const Value& a, const Value& b) {
    for (const SortKey& k : keys) {
      int c = Value::Compare(field(a, k.path), field(b, k.path));
      if (c != 0) return k.descending ? c > 0 : c < 0;
    }
    return Value::Compare(field(a, "$id"), field(b, "$id")) < 0;
  });
}

Result<Projection> Projection::Parse(const Value& spec) {
  Projection p;
  if (spec.is_null()) return p;
  if (spec.kind() != Value::Kind::kObject) {
    return Status::InvalidArgument("project must be an object like {\"field\": 1}");
  }
  int ones = 0, zeros = 0;
  for (const auto& [path, v] : spec.as_object()) {
    bool keep;
    if (v.kind() == Value::Kind::kInt || v.kind() == Value::Kind::kBool) {
      keep = v.kind() == Value::Kind::kBool ? v.as_bool() : v.as_int() != 0;
    } else {
      return Status::InvalidArgument("project value for '" + path + "' must be 1 or 0");
    }
    if (path == "$id") {
      p.drop_id_ = !keep;
      continue;
    }
    (keep ? ones : zeros)++;
    p.paths_.push_back(path);
  }
  if (ones > 0 && zeros > 0) {
    return Status::InvalidArgument("project cannot mix included (1) and excluded (0) fields");
  }
  p.include_ = zeros == 0;
  return p;
}

namespace {
// Copies the value at `path` from src into dst (creating objects along the way).
void CopyPath(const Value& src, std::string_view path, Value* dst) {
  size_t dot = path.find('.');
  std::string head(path.substr(0, dot));
  const Value* v = src.Find(head);
  if (v == nullptr) return;
  if (dot == std::string_view::npos) {
    dst->Set(head, *v);
    return;
  }
  if (v->kind() != Value::Kind::kObject) return;
  Value* sub = dst->FindMutable(head);
  if (sub == nullptr || sub->kind() != Value::Kind::kObject) {
    dst->Set(head, Value::MakeObject());
    sub = dst->FindMutable(head);
  }
  CopyPath(*v, path.substr(dot + 1), sub);
}

void ErasePath(Value* doc, std::string_view path) {
  size_t dot = path.find('.');
  if (dot == std::string_view::npos) {
    doc->Erase(path);
    return;
  }
  Value* sub = doc->FindMutable(path.substr(0, dot));
  if (sub != nullptr && sub->kind() == Value::Kind::kObject) ErasePath(sub, path.substr(dot + 1));
}
}  // namespace

Value Projection::Apply(const Value& doc) const {
  if (empty()) return doc;
  if (include_ && !paths_.empty()) {
    Value out = Value::MakeObject();
    if (!drop_id_) CopyPath(doc, "$id", &out);
    for (const std::string& p : paths_) CopyPath(doc, p, &out);
    return out;
  }
  Value out = doc;
  if (drop_id_) out.Erase("$id");
  for (const std::string& p : paths_) ErasePath(&out, p);
  return out;
}

}  // namespace parquedb::query
