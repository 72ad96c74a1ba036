// `parquedb views ...`: materialized view management (list, state, refresh, drop,
// alter, vacuum, define). States are printed as ViewState::ToJson objects.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "cli_util.h"

namespace parquedb::cli {

// Registers the `views` command group on `app`; selecting a subcommand sets *run to
// its action, which reads the global options from *global when it runs.
void AddViewsCommand(CLI::App& app, const GlobalOptions* global, std::function<int()>* run);

}  // namespace parquedb::cli
