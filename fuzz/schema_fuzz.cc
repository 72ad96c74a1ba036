// libFuzzer target: input bytes -> Value::ParseJson -> catalog::Catalog::Parse (the
// IceType schema: collections, relations, imports of built-in stream collections, views
// with $from) -> views::ViewSpec::Compile for every view. Must never crash; errors are
// Status values. Invariants on accepted schemas:
//   - Parse(ToValue()) succeeds and gives the same ToValue() and the same view hashes,
//   - every view comes after its source in ViewsInTopologicalOrder(),
//   - lookups by name and by $type find what the lists hold.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/catalog.h"
#include "parquedb/value.h"
#include "views/view_spec.h"

namespace {

using parquedb::Value;
using parquedb::catalog::Catalog;
using parquedb::catalog::ViewDef;

void Check(bool cond) {
  if (!cond) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = Value::ParseJson(text);
  if (!parsed.ok()) return 0;
  auto catalog = Catalog::Parse(*parsed);
  if (!catalog.ok()) {
    Check(!catalog.status().ToString().empty());
    return 0;
  }
  const Catalog& c = *catalog;

  const Value canonical = c.ToValue();
  auto again = Catalog::Parse(canonical);
  Check(again.ok());
  Check(Value::Compare(again->ToValue(), canonical) == 0);
  Check(again->views().size() == c.views().size());
  for (size_t i = 0; i < c.views().size(); ++i) {
    Check(again->views()[i].Hash() == c.views()[i].Hash());
  }

  for (const auto& coll : c.collections()) {
    Check(c.FindCollection(coll.name()) == &coll);
    Check(c.FindCollectionByType(coll.type_name()) == &coll);
  }
  const auto topo = c.ViewsInTopologicalOrder();
  Check(topo.size() == c.views().size());
  for (size_t i = 0; i < topo.size(); ++i) {
    const ViewDef* v = topo[i];
    Check(c.FindView(v->name()) == v);
    Check(c.FindViewByType(v->type_name()) == v);
    if (v->source_is_view()) {
      bool before = false;
      for (size_t j = 0; j < i; ++j) before = before || topo[j]->name() == v->source();
      Check(before);
    } else {
      Check(c.FindCollection(v->source()) != nullptr);
    }
    (void)c.ViewsDependingOn(v->name());
    auto spec = parquedb::views::ViewSpec::Compile(*v, c);
    if (spec.ok()) {
      Check(spec->name() == v->name());
      Check(spec->definition_hash() == v->Hash());
      Check(!spec->OutputColumns().empty());
    }
  }
  return 0;
}
