// `parquedb sql`: runs one SQL statement and prints the rows as NDJSON.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "cli_util.h"

namespace parquedb::cli {

// Registers the `sql` subcommand on `app`; selecting it sets *run to the action,
// which reads the global options from *global when it runs.
void AddSqlCommand(CLI::App& app, const GlobalOptions* global, std::function<int()>* run);

}  // namespace parquedb::cli
