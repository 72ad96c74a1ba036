#include "catalog/builtins.h"

#include <initializer_list>
#include <string>
#include <utility>

namespace parquedb {
namespace {

using FieldList = std::initializer_list<std::pair<std::string_view, std::string_view>>;

Value Definition(std::string_view type_name, FieldList fields, std::string_view ingest) {
  Value::Object o;
  o.reserve(fields.size() + 2);
  o.emplace_back("$type", Value::String(std::string(type_name)));
  for (const auto& [name, type] : fields) {
    o.emplace_back(std::string(name), Value::String(std::string(type)));
  }
  o.emplace_back("$ingest", Value::String(std::string(ingest)));
  return Value::MakeObject(std::move(o));
}

}  // namespace

namespace tail {
Value TailEvents() {
  return Definition("TailEvent",
                    {{"scriptName", "string!"},
                     {"outcome", "string!"},
                     {"eventTimestamp", "timestamp!"},
                     {"timestamp", "timestamp?"},
                     {"event", "variant?"},
                     {"logs", "variant[]"},
                     {"exceptions", "variant[]"}},
                    "tail");
}
}  // namespace tail

namespace ai_sdk {
Value AIRequests() {
  return Definition("AIRequest",
                    {{"modelId", "string!"},
                     {"providerId", "string!"},
                     {"requestType", "string!"},
                     {"tokens", "int?"},
                     {"latencyMs", "int!"},
                     {"cached", "boolean!"},
                     {"error", "variant?"},
                     {"timestamp", "timestamp!"}},
                    "ai-sdk");
}
Value Generations() {
  return Definition("Generation",
                    {{"modelId", "string!"},
                     {"contentType", "string!"},
                     {"content", "variant!"},
                     {"prompt", "string?"},
                     {"tokens", "int?"},
                     {"timestamp", "timestamp!"}},
                    "ai-sdk");
}
}  // namespace ai_sdk

namespace evalite {
Value EvalRuns() {
  return Definition("EvalRun",
                    {{"runId", "int!"}, {"runType", "string!"}, {"timestamp", "timestamp!"}},
                    "evalite");
}
Value EvalScores() {
  return Definition("EvalScore",
                    {{"runId", "int!"},
                     {"suiteName", "string!"},
                     {"scorerName", "string!"},
                     {"score", "decimal(5,4)!"},
                     {"timestamp", "timestamp!"}},
                    "evalite");
}
}  // namespace evalite

namespace catalog {
namespace {

struct Export {
  std::string_view module;
  std::string_view name;
  Value (*definition)();
};

constexpr Export kExports[] = {
    {"parquedb/ai-sdk", "AIRequests", &ai_sdk::AIRequests},
    {"parquedb/ai-sdk", "Generations", &ai_sdk::Generations},
    {"parquedb/evalite", "EvalRuns", &evalite::EvalRuns},
    {"parquedb/evalite", "EvalScores", &evalite::EvalScores},
    {"parquedb/tail", "TailEvents", &tail::TailEvents},
};

std::string JoinNames(const std::vector<std::string_view>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

}  // namespace

std::vector<std::string_view> BuiltinModules() {
  std::vector<std::string_view> out;
  for (const Export& e : kExports) {
    if (out.empty() || out.back() != e.module) out.push_back(e.module);
  }
  return out;
}

std::vector<std::string_view> BuiltinModuleExports(std::string_view module) {
  std::vector<std::string_view> out;
  for (const Export& e : kExports) {
    if (e.module == module) out.push_back(e.name);
  }
  return out;
}

Result<Value> ResolveBuiltin(std::string_view module, std::string_view export_name) {
  const std::vector<std::string_view> exports = BuiltinModuleExports(module);
  if (exports.empty()) {
    return Status::InvalidArgument("unknown module '" + std::string(module) + "' imported as " +
                                   std::string(export_name) +
                                   " (known modules: " + JoinNames(BuiltinModules()) + ")");
  }
  for (const Export& e : kExports) {
    if (e.module == module && e.name == export_name) return e.definition();
  }
  return Status::InvalidArgument("module '" + std::string(module) + "' has no export '" +
                                 std::string(export_name) + "' (exports: " + JoinNames(exports) +
                                 "; the schema key must be the export name)");
}

}  // namespace catalog
}  // namespace parquedb
