// libFuzzer target: input bytes -> Value::ParseJson -> Filter::Parse -> Matches on a few
// fixed documents and on the input itself. Also checks invariants: JSON text round trips
// exactly, Compare/Hash agree, and every conjunct holds on every matching document.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "parquedb/value.h"
#include "query/filter.h"

namespace {

using parquedb::Value;
using parquedb::query::Filter;
using parquedb::query::Predicate;
using parquedb::query::PredicateOp;
using parquedb::query::PredicateOpName;

const std::vector<Value>& Docs() {
  static const std::vector<Value> docs = [] {
    std::vector<Value> out;
    for (const char* text : {
             R"({})",
             R"({"status": "paid", "total": 120, "tags": ["a", "b"], "n": null})",
             R"({"logs": [{"level": "info", "n": 1}, {"level": "error", "n": 5}, "x", [1]],
                 "a": {"b": {"c": [1, 2.5, "3"]}}, "0": {"1": true}})",
             R"({"exceptions": [{"name": "E0", "frames": [{"fn": "f"}]}, {"name": "E1"}],
                 "s": "Hello\nWorld", "big": 9223372036854775807, "f": -0.0})",
         }) {
      out.push_back(*Value::ParseJson(text));
    }
    Value typed = Value::MakeObject();
    typed.Set("createdAt", Value::Timestamp(1705314600000000));
    typed.Set("day", Value::Date(19737));
    typed.Set("price", Value::Dec(*parquedb::Decimal::FromString("19.90")));
    out.push_back(typed);
    return out;
  }();
  return docs;
}

void Check(bool cond) {
  if (!cond) __builtin_trap();
}

// JSON has no NaN/Infinity: such doubles (from out-of-range literals like 1e400) print as
// null, so they are excluded from the round-trip invariant.
bool HasNonFinite(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kDouble:
      return !std::isfinite(v.as_double());
    case Value::Kind::kArray:
      for (const Value& e : v.as_array()) {
        if (HasNonFinite(e)) return true;
      }
      return false;
    case Value::Kind::kObject:
      for (const auto& m : v.as_object()) {
        if (HasNonFinite(m.second)) return true;
      }
      return false;
    default:
      return false;
  }
}

void CheckConjuncts(const Filter& f, const Value& doc) {
  if (!f.Matches(doc)) return;
  for (const Predicate& p : f.Conjuncts()) {
    Value op = Value::MakeObject();
    op.Set(PredicateOpName(p.op), p.literal);
    if (p.op == PredicateOp::kRegex && !p.regex_options.empty()) {
      op.Set("$options", Value::String(p.regex_options));
    }
    Value single = Value::MakeObject();
    single.Set(p.path, op);
    auto g = Filter::Parse(single);
    Check(g.ok());
    Check(g->Matches(doc));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = Value::ParseJson(text);
  if (!parsed.ok()) return 0;
  const Value& v = *parsed;

  // Round trip through our JSON writer is exact for parsed input.
  auto again = Value::ParseJson(v.ToJsonString());
  Check(again.ok());
  if (!HasNonFinite(v)) {
    Check(Value::Compare(v, *again) == 0);
    Check(v.Hash() == again->Hash());
  }
  (void)v.ToJson();

  auto filter = Filter::Parse(v);
  if (!filter.ok()) return 0;
  for (const Value& doc : Docs()) CheckConjuncts(*filter, doc);
  CheckConjuncts(*filter, v);
  (void)filter->IsConjunctive();
  return 0;
}
