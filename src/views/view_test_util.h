// Test helpers for the views layer (header-only, included by *_test.cc only): an
// in-memory document store implementing RelatedLookup, and catalog/JSON shorthands.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "views/maintainer.h"
#include "views/pipeline.h"
#include "views/reference_interpreter_test.h"
#include "views/view_spec.h"

namespace parquedb::views::testing {

inline Value J(std::string_view json) {
  auto v = Value::ParseJson(json);
  EXPECT_TRUE(v.ok()) << v.status().ToString() << " in " << json;
  return v.ok() ? std::move(v).value() : Value();
}

inline catalog::Catalog MustCatalog(std::string_view json) {
  auto c = catalog::Catalog::ParseJson(json);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(c).value() : catalog::Catalog();
}

inline std::shared_ptr<const ViewSpec> MustSpec(const catalog::Catalog& cat,
                                                std::string_view view) {
  const catalog::ViewDef* def = cat.FindView(view);
  EXPECT_NE(def, nullptr) << view;
  if (def == nullptr) return nullptr;
  auto spec = ViewSpec::Compile(*def, cat);
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  if (!spec.ok()) return nullptr;
  return std::make_shared<const ViewSpec>(std::move(spec).value());
}

// Collections of documents by $id; the "current state" the views are maintained to.
class MemoryStore : public RelatedLookup {
 public:
  std::map<std::string, std::map<std::string, Value>> data;
  int64_t gets = 0;
  int64_t finds = 0;

  Result<std::optional<Value>> Get(std::string_view collection, std::string_view id) override {
    ++gets;
    auto c = data.find(std::string(collection));
    if (c == data.end()) return std::optional<Value>();
    auto d = c->second.find(std::string(id));
    if (d == c->second.end()) return std::optional<Value>();
    return std::optional<Value>(d->second);
  }

  Result<std::vector<Value>> FindByField(std::string_view collection, std::string_view field,
                                         const Value& value) override {
    ++finds;
    std::vector<Value> out;
    auto c = data.find(std::string(collection));
    if (c == data.end()) return out;
    for (const auto& [id, doc] : c->second) {
      const Value* f = doc.Find(field);
      if (f == nullptr) continue;
      bool match = Value::Compare(*f, value) == 0;
      if (f->kind() == Value::Kind::kArray) {
        for (const Value& e : f->as_array()) match = match || Value::Compare(e, value) == 0;
      }
      // Deliberately not in $id order: the pipeline must order them.
      if (match) out.insert(out.begin(), doc);
    }
    return out;
  }

  // Returns the previous document (null if none).
  Value Put(const std::string& collection, const Value& doc) {
    const std::string id = doc.Find("$id")->as_string();
    auto& coll = data[collection];
    Value before;
    auto it = coll.find(id);
    if (it != coll.end()) before = it->second;
    coll[id] = doc;
    return before;
  }
  Value Remove(const std::string& collection, const std::string& id) {
    auto& coll = data[collection];
    Value before;
    auto it = coll.find(id);
    if (it != coll.end()) {
      before = it->second;
      coll.erase(it);
    }
    return before;
  }

  reference::Store Snapshot() const {
    reference::Store s;
    for (const auto& [name, docs] : data) {
      auto& v = s[name];
      for (const auto& [id, d] : docs) v.push_back(d);
    }
    return s;
  }

  ViewMaintainer::ScanFn Scan(const std::string& collection) const {
    return [this, collection](const std::function<Status(const Value&)>& fn) -> Status {
      auto c = data.find(collection);
      if (c == data.end()) return Status::OK();
      for (const auto& [id, doc] : c->second) PQ_RETURN_IF_ERROR(fn(doc));
      return Status::OK();
    };
  }
};

inline ViewMaintainer::ScanFn ScanRows(const std::map<std::string, Value>* rows) {
  return [rows](const std::function<Status(const Value&)>& fn) -> Status {
    for (const auto& [k, r] : *rows) PQ_RETURN_IF_ERROR(fn(r));
    return Status::OK();
  };
}

inline std::string RowsJson(const std::map<std::string, Value>& rows) {
  std::string out;
  for (const auto& [k, r] : rows) out += r.ToJsonString() + "\n";
  return out;
}

}  // namespace parquedb::views::testing
