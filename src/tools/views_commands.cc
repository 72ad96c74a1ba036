#include "views_commands.h"

#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include "parquedb/db.h"
#include "parquedb/env.h"

namespace parquedb::cli {
namespace {

struct ViewsArgs {
  std::string name;
  std::string json;
  bool full = false;
  std::optional<double> days;
  std::optional<double> hours;
};

int PrintState(DB& db, const std::string& name) {
  auto st = db.GetViewState(name);
  if (!st.ok()) return Fail(st.status());
  PrintJson(st->ToJson());
  return kExitOk;
}

int RunList(const GlobalOptions& g, const ViewsArgs&) {
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  for (const ViewState& s : (*db)->ListViews()) PrintJson(s.ToJson());
  return kExitOk;
}

int RunState(const GlobalOptions& g, const ViewsArgs& a) {
  auto db = OpenExistingDb(g);
  if (!db.ok()) return Fail(db.status());
  return PrintState(**db, a.name);
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
  Add(group, "list", "Print every view's state as NDJSON", global, run, &RunList, nullptr);
  Add(group, "state", "Print a view's state (JSON)", global, run, &RunState, name);
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
