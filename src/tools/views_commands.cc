#include "views_commands.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parquedb/db.h"
#include "parquedb/env.h"
#include "progress.h"

namespace parquedb::cli {
namespace {

struct ViewsArgs {
  std::string name;
  std::string json;
  bool full = false;
  std::optional<double> days;
  std::optional<double> hours;
  bool as_json = false;   // --json
  bool as_table = false;  // --table
};

int PrintState(DB& db, const std::string& name) {
  auto st = db.GetViewState(name);
  if (!st.ok()) return Fail(st.status());
  PrintJson(st->ToJson());
  return kExitOk;
}

// "12s ago", "3m05s ago", "never".
std::string Ago(std::optional<int64_t> micros, int64_t now) {
  if (!micros) return "never";
  if (*micros > now) return "in " + HumanDuration(static_cast<double>(*micros - now) / 1e6);
  return HumanDuration(static_cast<double>(now - *micros) / 1e6) + " ago";
}

// The human table of `views state` / `views list` (stdout is a terminal, or --table).
void PrintStateTable(const std::vector<ViewState>& states) {
  const int64_t now = Clock::Default()->NowMicros();
  std::vector<std::vector<std::string>> rows = {
      {"VIEW", "STATE", "MODE", "LAG", "LAST REFRESH", "ROWS", "INCREMENTAL", "REASON"}};
  for (const ViewState& s : states) {
    std::string state = s.state;
    if (s.within_grace_period) state += " (grace)";
    // Lag: how long the oldest change the view does not reflect has been waiting.
    std::string lag = s.stale_since   ? HumanDuration(static_cast<double>(
                                          std::max<int64_t>(0, now - *s.stale_since)) / 1e6)
                      : s.state == "fresh" ? "0s"
                                           : "-";
    std::string reason = s.last_error.empty() ? s.reason : "error: " + s.last_error;
    rows.push_back({s.name, state, s.mode, lag, Ago(s.last_refresh, now), std::to_string(s.rows),
                    s.incremental ? "yes" : "no", reason});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows) {
    for (size_t c = 0; c < r.size(); c++) width[c] = std::max(width[c], r[c].size());
  }
  winsize ws{};
  const size_t columns =
      ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40 ? ws.ws_col : 0;
  for (const auto& r : rows) {
    std::string line;
    for (size_t c = 0; c < r.size(); c++) {
      bool last = c + 1 == r.size();
      bool right = c == 5;  // ROWS
      std::string cell = r[c];
      if (!last) {
        std::string pad(width[c] - cell.size(), ' ');
        cell = right ? pad + cell : cell + pad;
      }
      line += cell;
      if (!last) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (columns > 0 && line.size() > columns) line = line.substr(0, columns - 3) + "...";
    PrintLine(line);
  }
}

// Prints states as a table or as JSON (one object per line), per --json/--table or,
// without either, per whether stdout is a terminal.
void PrintStates(const std::vector<ViewState>& states, const ViewsArgs& a) {
  bool table = a.as_table || (!a.as_json && ::isatty(STDOUT_FILENO) == 1);
  if (table) return PrintStateTable(states);
  for (const ViewState& s : states) PrintJson(s.ToJson());
}

int RunList(const GlobalOptions& g, const ViewsArgs& a) {
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  PrintStates((*db)->ListViews(), a);
  return kExitOk;
}

int RunState(const GlobalOptions& g, const ViewsArgs& a) {
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  if (a.name.empty()) {
    PrintStates((*db)->ListViews(), a);
    return kExitOk;
  }
  auto st = (*db)->GetViewState(a.name);
  if (!st.ok()) return Fail(st.status());
  PrintStates({*st}, a);
  return kExitOk;
}

int RunRefresh(const GlobalOptions& g, const ViewsArgs& a) {
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  RefreshViewOptions o;
  o.full = a.full;
  Status s = (*db)->RefreshView(a.name, o);
  if (!s.ok()) return Fail(s);
  return PrintState(**db, a.name);
}

int RunDrop(const GlobalOptions& g, const ViewsArgs& a) {
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  Status s = (*db)->DropView(a.name);
  if (!s.ok()) return Fail(s);
  PrintJson(JsonObject({{"dropped", Value::String(a.name)}}));
  return kExitOk;
}

int RunAlter(const GlobalOptions& g, const ViewsArgs& a) {
  auto changes = ParseJsonArgument("changes", a.json);
  if (!changes.ok()) return UsageError(ErrorText(changes.status()));
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  Status s = (*db)->AlterView(a.name, *changes);
  if (!s.ok()) return Fail(s);
  return PrintState(**db, a.name);
}

int RunDefine(const GlobalOptions& g, const ViewsArgs& a) {
  auto def = ParseJsonArgument("definition", a.json);
  if (!def.ok()) return UsageError(ErrorText(def.status()));
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  Status s = (*db)->RegisterView(a.name, *def);
  if (!s.ok()) return Fail(s);
  return PrintState(**db, a.name);
}

int RunVacuum(const GlobalOptions& g, const ViewsArgs& a) {
  if (a.days.has_value() == a.hours.has_value()) {
    return UsageError("views vacuum needs exactly one of --retention-days N or --retention-hours N");
  }
  double hours = a.days ? *a.days * 24 : *a.hours;
  if (!std::isfinite(hours) || hours < 0 || hours > 24.0 * 365 * 1000) {
    return UsageError("retention must be between 0 and 1000 years");
  }
  int64_t retention = std::llround(hours * 3600.0 * 1e6);
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  Status s = (*db)->VacuumView(a.name, retention);
  if (!s.ok()) return Fail(s);
  PrintJson(JsonObject({{"vacuumed", Value::String(a.name)},
                        {"retention_micros", Value::Int(retention)},
                        {"history_horizon", Value::Timestamp((*db)->HistoryHorizon())}}));
  return kExitOk;
}

void Add(CLI::App* group, const char* name, const char* help, const GlobalOptions* global,
         std::function<int()>* run, int (*fn)(const GlobalOptions&, const ViewsArgs&),
         const std::function<void(CLI::App*, ViewsArgs*)>& options) {
  auto args = std::make_shared<ViewsArgs>();
  CLI::App* sub = group->add_subcommand(name, help);
  if (options) options(sub, args.get());
  sub->callback([global, run, args, fn] { *run = [global, args, fn] { return fn(*global, *args); }; });
}

}  // namespace

void AddViewsCommand(CLI::App& app, const GlobalOptions* global, std::function<int()>* run) {
  CLI::App* group = app.add_subcommand(
      "views", "Materialized views: list, state, refresh, drop, alter, vacuum, define");
  group->require_subcommand(1);
  auto name = [](CLI::App* sub, ViewsArgs* a) {
    sub->add_option("name", a->name, "View name (or its $type)")->required();
  };
  auto format = [](CLI::App* sub, ViewsArgs* a) {
    auto* json = sub->add_flag("--json", a->as_json,
                               "Print JSON (one object per view) even when stdout is a terminal");
    auto* table = sub->add_flag("--table", a->as_table,
                                "Print the human table even when stdout is not a terminal");
    json->excludes(table);
  };
  Add(group, "list",
      "Print every view's state: a table when stdout is a terminal (view, state, mode, lag, "
      "last refresh, rows, incremental, reason), else NDJSON",
      global, run, &RunList, format);
  Add(group, "state",
      "Print a view's state (every view's without NAME): a table when stdout is a terminal, "
      "else JSON (one object per line)",
      global, run, &RunState, [format](CLI::App* sub, ViewsArgs* a) {
        sub->add_option("name", a->name, "View name (or its $type); default: every view");
        format(sub, a);
      });
  Add(group, "refresh",
      "Bring a view up to date with its sources (incrementally unless --full), then its "
      "streaming dependents; prints the new state",
      global, run, &RunRefresh, [name](CLI::App* sub, ViewsArgs* a) {
        name(sub, a);
        sub->add_flag("--full", a->full, "Recompute from the sources");
      });
  Add(group, "drop", "Drop a view and its data (refused while another view reads it)", global,
      run, &RunDrop, name);
  Add(group, "alter",
      "Replace top-level directives, e.g. '{\"$refresh\": {\"mode\": \"manual\"}}' (null "
      "removes one); a change to the rows rebuilds the view; prints the new state",
      global, run, &RunAlter, [name](CLI::App* sub, ViewsArgs* a) {
        name(sub, a);
        sub->add_option("changes", a->json, "JSON object of directives")->required();
      });
  Add(group, "define",
      "Register a view (JSON definition with \"$from\") and build it; prints its state", global,
      run, &RunDefine, [name](CLI::App* sub, ViewsArgs* a) {
        name(sub, a);
        sub->add_option("definition", a->json, "JSON view definition")->required();
      });
  Add(group, "vacuum",
      "Drop view history older than the retention (view snapshots share the database's "
      "snapshot history: this vacuums it for every table)",
      global, run, &RunVacuum, [name](CLI::App* sub, ViewsArgs* a) {
        name(sub, a);
        auto* days = sub->add_option("--retention-days", a->days, "Keep this many days");
        auto* hours = sub->add_option("--retention-hours", a->hours, "Keep this many hours");
        days->excludes(hours);
      });
}

}  // namespace parquedb::cli
