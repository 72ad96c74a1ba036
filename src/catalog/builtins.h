// Built-in stream collections and the schema modules that export them.
//
// A schema imports one by module name, mirroring `import { TailEvents } from
// 'parquedb/tail'`:   "TailEvents": "parquedb/tail"
// or inlines the definition object returned by the C++ functions below under any key.
//
//   module            exports
//   parquedb/tail     TailEvents   ($type TailEvent,  $ingest "tail")
//   parquedb/ai-sdk   AIRequests   ($type AIRequest,  $ingest "ai-sdk")
//                     Generations  ($type Generation, $ingest "ai-sdk")
//   parquedb/evalite  EvalRuns     ($type EvalRun,    $ingest "evalite")
//                     EvalScores   ($type EvalScore,  $ingest "evalite")
//
// Each function returns a fresh collection definition object (a Value in schema form:
// "$type", the fields as IceType strings in declaration order, "$ingest"). Thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "parquedb/value.h"
#include "parquedb/status.h"

namespace parquedb::tail {
// scriptName string!, outcome string!, eventTimestamp timestamp!, timestamp timestamp?
// (ingestion fills both), event variant?, logs variant[], exceptions variant[].
Value TailEvents();
}  // namespace parquedb::tail

namespace parquedb::ai_sdk {
// modelId string!, providerId string!, requestType string!, tokens int?, latencyMs int!,
// cached boolean!, error variant?, timestamp timestamp!.
Value AIRequests();
// modelId string!, contentType string!, content variant!, prompt string?, tokens int?,
// timestamp timestamp!.
Value Generations();
}  // namespace parquedb::ai_sdk

namespace parquedb::evalite {
// runId int!, runType string!, timestamp timestamp!.
Value EvalRuns();
// runId int!, suiteName string!, scorerName string!, score decimal(5,4)!,
// timestamp timestamp!.
Value EvalScores();
}  // namespace parquedb::evalite

namespace parquedb::catalog {

// Module names, sorted ("parquedb/ai-sdk", "parquedb/evalite", "parquedb/tail").
std::vector<std::string_view> BuiltinModules();
// Export names of `module` in declaration order; empty if the module is unknown.
std::vector<std::string_view> BuiltinModuleExports(std::string_view module);

// The definition exported as `export_name` by `module` (in a schema, the entry key is the
// export name). InvalidArgument when the module is unknown (lists the modules) or does
// not export that name (lists its exports).
Result<Value> ResolveBuiltin(std::string_view module, std::string_view export_name);

}  // namespace parquedb::catalog
