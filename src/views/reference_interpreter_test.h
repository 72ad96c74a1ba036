// A deliberately simple reference interpreter for materialized views, used only by the
// tests as an oracle. It recomputes a view's complete output from plain vectors of
// documents, interpreting the raw definition (ViewDef::definition()) directly. It shares
// no code with view_spec/pipeline/maintainer/expression/aggregate: only Value, the
// catalog (schema lookups, CanonicalJson), query::Filter and the time-bucket functions.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "parquedb/status.h"
#include "parquedb/value.h"

namespace parquedb::views::reference {

// Collection name -> its documents (any order).
using Store = std::map<std::string, std::vector<Value>>;

// The full output of view `view` (row key -> row), computing source views recursively.
Result<std::map<std::string, Value>> ComputeView(const catalog::Catalog& catalog,
                                                 std::string_view view, const Store& store);

// Compares two outputs: same keys, same columns in the same order; ints, decimals and
// everything else exactly (kind and representation); doubles within relative 1e-9 (or
// absolute 1e-12). Returns "" when equal, else a description of the first difference.
std::string DiffOutputs(const std::map<std::string, Value>& expected,
                        const std::map<std::string, Value>& actual);

}  // namespace parquedb::views::reference
