#include "sql_command.h"

#include <memory>
#include <string>
#include <vector>

#include "parquedb/sql.h"

namespace parquedb::cli {
namespace {

struct SqlArgs {
  std::string statement;
  std::vector<std::string> params;
  bool no_routing = false;
  std::string now;
  std::string as_of;
};

int RunSql(const GlobalOptions& g, const SqlArgs& a) {
  std::vector<Value> params;
  for (size_t i = 0; i < a.params.size(); i++) {
    auto v = ParseJsonArgument("--param " + std::to_string(i + 1), a.params[i]);
    if (!v.ok()) return UsageError(ErrorText(v.status()));
    params.push_back(std::move(*v));
  }
  SqlOptions options;
  options.allow_view_routing = !a.no_routing;
  if (!a.now.empty()) {
    auto t = ParseTimestampArgument("--now", a.now);
    if (!t.ok()) return UsageError(ErrorText(t.status()));
    options.now = *t;
  }
  if (!a.as_of.empty()) {
    auto t = ParseTimestampArgument("--as-of", a.as_of);
    if (!t.ok()) return UsageError(ErrorText(t.status()));
    options.as_of = *t;
  }
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  auto r = ExecuteSql(db->get(), a.statement, params, options);
  if (!r.ok()) return Fail(r.status());
  for (size_t i = 0; i < r->rows.size(); i++) PrintJson(r->RowToJson(i));
  return kExitOk;
}

}  // namespace

void AddSqlCommand(CLI::App& app, const GlobalOptions* global, std::function<int()>* run) {
  auto args = std::make_shared<SqlArgs>();
  CLI::App* sub = app.add_subcommand(
      "sql", "Run a SQL SELECT over collections and views; rows as NDJSON (EXPLAIN SELECT ... "
             "prints the plan)");
  sub->add_option("STATEMENT", args->statement,
                  "e.g. 'SELECT status, COUNT(*) AS n FROM \"Order\" GROUP BY status'")
      ->required();
  sub->add_option("--param", args->params,
                  "JSON value bound to $1, $2, ... (or ?) in order; repeatable");
  sub->add_flag("--no-routing", args->no_routing, "Never answer from a materialized view");
  sub->add_option("--now", args->now, "Value of NOW() (ISO-8601; default: the clock)");
  sub->add_option("--as-of", args->as_of, "Query the state at this instant (ISO-8601)");
  sub->callback([global, run, args] {
    *run = [global, args] { return RunSql(*global, *args); };
  });
}

}  // namespace parquedb::cli
