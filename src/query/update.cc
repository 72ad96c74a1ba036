#include "query/update.h"

#include <string>
#include <vector>

namespace parquedb::query {

namespace {

bool IsSystemField(std::string_view path) {
  std::string_view head = path.substr(0, path.find('.'));
  return head == "$id" || head == "$type" || head == "createdAt" || head == "updatedAt" ||
         head == "version";
}

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    parts.emplace_back(path.substr(start, dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}

// Finds (creating intermediate objects when `create`) the parent object of the
// path's last segment. Returns nullptr if the path crosses a non-object.
Value* ParentOf(Value* doc, const std::vector<std::string>& parts, bool create) {
  Value* cur = doc;
  for (size_t i = 0; i + 1 < parts.size(); i++) {
    if (cur->kind() != Value::Kind::kObject) return nullptr;
    Value* next = cur->FindMutable(parts[i]);
    if (next == nullptr || next->is_null()) {
      if (!create) return nullptr;
      cur->Set(parts[i], Value::MakeObject());
      next = cur->FindMutable(parts[i]);
    }
    cur = next;
  }
  return cur->kind() == Value::Kind::kObject ? cur : nullptr;
}

Result<Value> Add(const Value& a, const Value& b) {
  using K = Value::Kind;
  if (a.kind() == K::kInt && b.kind() == K::kInt) {
    int64_t r;
    if (__builtin_add_overflow(a.as_int(), b.as_int(), &r)) {
      return Status::InvalidArgument("$inc overflows int64");
    }
    return Value::Int(r);
  }
  if (a.kind() == K::kDecimal || b.kind() == K::kDecimal) {
    if (a.kind() == K::kDouble || b.kind() == K::kDouble) {
      return Value::Double(a.as_double() + b.as_double());
    }
    Decimal x = a.kind() == K::kDecimal ? a.as_decimal() : Decimal{a.as_int(), 0};
    Decimal y = b.kind() == K::kDecimal ? b.as_decimal() : Decimal{b.as_int(), 0};
    int32_t scale = std::max(x.scale, y.scale);
    PQ_ASSIGN_OR_RETURN(Decimal xs, x.Rescale(scale));
    PQ_ASSIGN_OR_RETURN(Decimal ys, y.Rescale(scale));
    return Value::Dec(Decimal{xs.unscaled + ys.unscaled, scale});
  }
  return Value::Double(a.as_double() + b.as_double());
}

}  // namespace

Result<Value> ApplyUpdate(const Value& doc, const Value& update) {
  if (update.kind() != Value::Kind::kObject) {
    return Status::InvalidArgument("update must be an object");
  }
  bool has_ops = false, has_plain = false;
  for (const auto& [k, v] : update.as_object()) (k.rfind('$', 0) == 0 ? has_ops : has_plain) = true;
  if (has_ops && has_plain) {
    return Status::InvalidArgument("update mixes operators ($set, ...) with plain fields");
  }
  Value out = doc;
  auto for_each_field = [&](const std::string& op, const Value& arg, auto&& fn) -> Status {
    if (arg.kind() != Value::Kind::kObject) {
      return Status::InvalidArgument(op + " takes an object of field paths");
    }
    for (const auto& [path, v] : arg.as_object()) {
      if (path.empty()) return Status::InvalidArgument(op + " with an empty field path");
      if (IsSystemField(path)) {
        return Status::InvalidArgument(op + " on system field '" + path + "' is not allowed");
      }
      PQ_RETURN_IF_ERROR(fn(path, v));
    }
    return Status::OK();
  };
  auto set = [&](const std::string& path, const Value& v) -> Status {
    auto parts = Split(path);
    Value* parent = ParentOf(&out, parts, /*create=*/true);
    if (parent == nullptr) {
      return Status::InvalidArgument("$set path '" + path + "' crosses a non-object value");
    }
    parent->Set(parts.back(), v);
    return Status::OK();
  };
  if (!has_ops) {
    PQ_RETURN_IF_ERROR(for_each_field("$set", update, set));
    return out;
  }
  for (const auto& [op, arg] : update.as_object()) {
    if (op == "$set") {
      PQ_RETURN_IF_ERROR(for_each_field(op, arg, set));
    } else if (op == "$unset") {
      PQ_RETURN_IF_ERROR(for_each_field(op, arg, [&](const std::string& path, const Value&) {
        auto parts = Split(path);
        Value* parent = ParentOf(&out, parts, /*create=*/false);
        if (parent != nullptr) parent->Erase(parts.back());
        return Status::OK();
      }));
    } else if (op == "$inc") {
      PQ_RETURN_IF_ERROR(for_each_field(op, arg, [&](const std::string& path, const Value& by_in) {
        // Exact decimals travel as strings in JSON ("2.50").
        Value by = by_in;
        if (by.kind() == Value::Kind::kString) {
          auto d = Decimal::FromString(by.as_string());
          if (d.ok()) by = Value::Dec(*d);
        }
        if (!by.is_number()) {
          return Status::InvalidArgument("$inc of '" + path + "' needs a number");
        }
        auto parts = Split(path);
        Value* parent = ParentOf(&out, parts, /*create=*/true);
        if (parent == nullptr) {
          return Status::InvalidArgument("$inc path '" + path + "' crosses a non-object value");
        }
        const Value* cur = parent->Find(parts.back());
        if (cur == nullptr || cur->is_null()) {
          parent->Set(parts.back(), by);
          return Status::OK();
        }
        if (!cur->is_number()) {
          return Status::InvalidArgument("$inc of '" + path + "': the field is not a number");
        }
        PQ_ASSIGN_OR_RETURN(Value sum, Add(*cur, by));
        parent->Set(parts.back(), std::move(sum));
        return Status::OK();
      }));
    } else if (op == "$push") {
      PQ_RETURN_IF_ERROR(for_each_field(op, arg, [&](const std::string& path, const Value& v) {
        auto parts = Split(path);
        Value* parent = ParentOf(&out, parts, /*create=*/true);
        if (parent == nullptr) {
          return Status::InvalidArgument("$push path '" + path + "' crosses a non-object value");
        }
        Value arr = Value::MakeArray();
        if (const Value* cur = parent->Find(parts.back()); cur != nullptr && !cur->is_null()) {
          if (cur->kind() != Value::Kind::kArray) {
            return Status::InvalidArgument("$push onto '" + path + "': the field is not an array");
          }
          arr = *cur;
        }
        const Value* each = v.kind() == Value::Kind::kObject ? v.Find("$each") : nullptr;
        if (each != nullptr) {
          if (each->kind() != Value::Kind::kArray) {
            return Status::InvalidArgument("$push $each of '" + path + "' needs an array");
          }
          for (const Value& e : each->as_array()) arr.mutable_array().push_back(e);
        } else {
          arr.mutable_array().push_back(v);
        }
        parent->Set(parts.back(), std::move(arr));
        return Status::OK();
      }));
    } else {
      return Status::InvalidArgument("unknown update operator '" + op +
                                     "' (expected $set, $unset, $inc, $push)");
    }
  }
  return out;
}

}  // namespace parquedb::query
