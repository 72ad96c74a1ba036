#include "sql/router.h"

#include <algorithm>
#include <functional>
#include <map>

#include "query/filter.h"
#include "sql/eval.h"

namespace parquedb::sql {
namespace {

using K = Value::Kind;

std::string StripDollar(const std::string& s) { return !s.empty() && s[0] == '$' ? s.substr(1) : s; }
std::string TopSegment(const std::string& path) { return path.substr(0, path.find('.')); }

struct GroupKey {
  std::string name;
  std::string path;
  std::string unit;  // "" or minute/hour/day/week/month/year
};
struct Compute {
  std::string name;
  std::string agg;    // count, sum, avg, min, max, ...
  std::string input;  // "*" or a path; "" for expressions
};

// The parts of a view definition routing reasons about.
struct ViewDef {
  std::string name;
  std::string from;
  Value filter;
  bool has_select = false;
  std::vector<std::pair<std::string, std::string>> select;  // out -> source path ("" if expr)
  bool aggregated = false;
  std::vector<GroupKey> keys;
  std::vector<Compute> computes;
  bool expand_or_unnest = false;
  std::string timezone = "UTC";
};

std::string NormalizeUnit(std::string u) {
  if (u == "date") return "day";
  static const char* kUnits[] = {"minute", "hour", "day", "week", "month", "year"};
  for (const char* k : kUnits) {
    if (u == k) return u;
  }
  return "";
}

ViewDef ParseDef(const std::string& name, const Value& def) {
  ViewDef v;
  v.name = name;
  if (const Value* f = def.Find("$from"); f && f->kind() == K::kString) v.from = f->as_string();
  if (const Value* f = def.Find("$filter")) v.filter = *f;
  v.expand_or_unnest = def.Find("$expand") != nullptr || def.Find("$unnest") != nullptr;
  if (const Value* r = def.Find("$refresh"); r && r->kind() == K::kObject) {
    if (const Value* tz = r->Find("timezone"); tz && tz->kind() == K::kString) v.timezone = tz->as_string();
  }
  if (const Value* s = def.Find("$select"); s && s->kind() == K::kObject) {
    v.has_select = true;
    for (const auto& [out, src] : s->as_object()) {
      std::string p;
      if (src.kind() == K::kString && !src.as_string().empty() && src.as_string()[0] == '$') {
        p = src.as_string().substr(1);
      }
      v.select.emplace_back(out, p);
    }
  }
  if (const Value* g = def.Find("$groupBy"); g && g->kind() == K::kArray) {
    v.aggregated = true;
    for (const Value& e : g->as_array()) {
      GroupKey k;
      if (e.kind() == K::kString) {
        k.path = StripDollar(e.as_string());
        size_t dot = k.path.rfind('.');
        k.name = dot == std::string::npos ? k.path : k.path.substr(dot + 1);
      } else if (e.kind() == K::kObject && e.as_object().size() == 1) {
        k.name = e.as_object()[0].first;
        const Value& p = e.as_object()[0].second;
        if (p.kind() == K::kString) k.path = StripDollar(p.as_string());
        k.unit = NormalizeUnit(k.name);
      }
      v.keys.push_back(k);
    }
  }
  if (const Value* c = def.Find("$compute"); c && c->kind() == K::kObject) {
    for (const auto& [name, spec] : c->as_object()) {
      Compute cp;
      cp.name = name;
      if (spec.kind() == K::kObject && spec.as_object().size() == 1) {
        cp.agg = StripDollar(spec.as_object()[0].first);
        const Value& in = spec.as_object()[0].second;
        if (in.kind() == K::kString) cp.input = in.as_string() == "*" ? "*" : StripDollar(in.as_string());
      }
      v.computes.push_back(cp);
    }
  }
  return v;
}

// ---- filter implication ----

bool ValueIn(const Value& v, const Value& arr) {
  if (arr.kind() != K::kArray) return false;
  for (const Value& x : arr.as_array()) {
    auto c = query::CompareWithLiteral(v, x);
    if (c && *c == 0) return true;
  }
  return false;
}

// Whether a value v (as a present field value) satisfies the single condition `p`.
bool ValueSatisfies(const Value& v, const query::Predicate& p) {
  using Op = query::PredicateOp;
  auto c = query::CompareWithLiteral(v, p.literal);
  switch (p.op) {
    case Op::kEq:
      return c && *c == 0;
    case Op::kGt:
      return c && *c > 0;
    case Op::kGte:
      return c && *c >= 0;
    case Op::kLt:
      return c && *c < 0;
    case Op::kLte:
      return c && *c <= 0;
    case Op::kIn:
      return ValueIn(v, p.literal);
    case Op::kExists:
      return p.literal.kind() == K::kBool ? p.literal.as_bool() : p.literal.as_double() != 0;
    default:
      return false;
  }
}

bool Implies(const query::Predicate& q, const query::Predicate& v) {
  using Op = query::PredicateOp;
  // $exists: true is implied by any condition that needs a present (non-null) value at
  // the path or below it.
  bool v_exists = v.op == Op::kExists && ValueSatisfies(Value::Bool(true), v);
  if (v_exists) {
    bool same_or_below = q.path == v.path || q.path.compare(0, v.path.size() + 1, v.path + ".") == 0;
    if (!same_or_below) return false;
    switch (q.op) {
      case Op::kEq:
        return !q.literal.is_null();
      case Op::kGt:
      case Op::kGte:
      case Op::kLt:
      case Op::kLte:
      case Op::kRegex:
        return true;
      case Op::kIn:
        if (q.literal.kind() != K::kArray) return false;
        for (const Value& x : q.literal.as_array()) {
          if (x.is_null()) return false;
        }
        return true;
      case Op::kExists:
        return ValueSatisfies(Value::Bool(true), q);
      default:
        return false;
    }
  }
  if (q.path != v.path) return false;
  if (v.op == Op::kExists || v.op == Op::kNe || v.op == Op::kNin || v.op == Op::kRegex) return false;
  switch (q.op) {
    case Op::kEq:
      return !q.literal.is_null() && ValueSatisfies(q.literal, v);
    case Op::kIn:
      if (q.literal.kind() != K::kArray) return false;
      for (const Value& x : q.literal.as_array()) {
        if (x.is_null() || !ValueSatisfies(x, v)) return false;
      }
      return true;
    case Op::kGt:
    case Op::kGte:
    case Op::kLt:
    case Op::kLte: {
      bool q_lower = q.op == Op::kGt || q.op == Op::kGte;
      bool v_lower = v.op == Op::kGt || v.op == Op::kGte;
      if ((v.op != Op::kGt && v.op != Op::kGte && v.op != Op::kLt && v.op != Op::kLte) ||
          q_lower != v_lower) {
        return false;
      }
      auto c = query::CompareWithLiteral(q.literal, v.literal);
      if (!c) return false;
      if (q_lower) {
        // q: x > a (or >=); v: x > b (or >=)
        if (*c > 0) return true;
        if (*c == 0) return v.op == Op::kGte || q.op == Op::kGt;
        return false;
      }
      if (*c < 0) return true;
      if (*c == 0) return v.op == Op::kLte || q.op == Op::kLt;
      return false;
    }
    default:
      return false;
  }
}

std::string PredText(const query::Predicate& p) {
  return p.path + " " + std::string(query::PredicateOpName(p.op)) + " " + p.literal.ToJsonString();
}

// Empty when the query filter implies the view's filter; otherwise why not.
std::string CheckFilter(const ViewDef& v, const Value& query_filter) {
  if (v.filter.is_null() || (v.filter.kind() == K::kObject && v.filter.as_object().empty())) return "";
  auto vf = query::Filter::Parse(v.filter);
  if (!vf.ok()) return "its $filter does not parse";
  if (!vf->IsConjunctive()) return "its $filter is not a plain conjunction";
  std::vector<query::Predicate> qc;
  if (!query_filter.is_null()) {
    auto qf = query::Filter::Parse(query_filter);
    if (!qf.ok()) return "the query filter does not parse";
    qc = qf->Conjuncts();
  }
  for (const auto& vp : vf->Conjuncts()) {
    bool ok = false;
    for (const auto& q : qc) ok = ok || Implies(q, vp);
    if (!ok) return "the query does not imply its $filter condition " + PredText(vp);
  }
  return "";
}

std::string CheckFresh(DB* db, const ViewDef& v) {
  auto st = db->GetViewState(v.name);
  if (!st.ok()) return "its state is unavailable (" + st.status().ToString() + ")";
  if (st->state == "fresh") return "";
  if (st->state == "stale" && st->within_grace_period) return "";
  return "it is " + st->state + (st->within_grace_period ? "" : " (not within a grace period)");
}

// ---- rewriting ----

ExprPtr Clone(const Expr& e) { return std::make_shared<Expr>(e); }
ExprPtr Col(const std::string& path, int pos) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kColumn;
  e->path = path;
  e->pos = pos;
  return e;
}
ExprPtr Lit(Value v) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kLiteral;
  e->value = std::move(v);
  return e;
}
ExprPtr Fn(const std::string& name, std::vector<ExprPtr> args) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kFunction;
  e->name = name;
  e->args = std::move(args);
  return e;
}
ExprPtr Bin(const std::string& op, ExprPtr a, ExprPtr b) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kBinary;
  e->op = op;
  e->args = {std::move(a), std::move(b)};
  return e;
}
// CASE WHEN cond THEN x END
ExprPtr When(ExprPtr cond, ExprPtr x) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kCase;
  e->args = {std::move(cond), std::move(x)};
  return e;
}
ExprPtr CastTo(ExprPtr a, const std::string& type) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kCast;
  e->type_name = type;
  e->args = {std::move(a)};
  return e;
}

using Mapper = std::function<Result<ExprPtr>(const Expr&)>;

// Rebuilds `e` bottom-up, letting `fn` replace nodes first (returning null = recurse).
Result<ExprPtr> RewriteTree(const ExprPtr& e, const Mapper& fn) {
  if (!e) return ExprPtr();
  PQ_ASSIGN_OR_RETURN(ExprPtr replaced, fn(*e));
  if (replaced) return replaced;
  ExprPtr c = Clone(*e);
  for (auto& a : c->args) {
    PQ_ASSIGN_OR_RETURN(a, RewriteTree(a, fn));
  }
  return c;
}

Status Reject(const std::string& why) { return Status::NotSupported(why); }

int UnitRank(const std::string& u) {
  static const char* kUnits[] = {"minute", "hour", "day", "week", "month", "year"};
  for (int i = 0; i < 6; i++) {
    if (u == kUnits[i]) return i;
  }
  return -1;
}
// Whether buckets of `fine` nest inside buckets of `coarse`.
bool Divides(const std::string& fine, const std::string& coarse) {
  if (fine == coarse) return true;
  if (coarse == "week") return fine == "minute" || fine == "hour" || fine == "day";
  if (fine == "week") return false;
  return UnitRank(fine) >= 0 && UnitRank(coarse) > UnitRank(fine);
}

Result<SelectStmt> RewriteAggregated(const SelectStmt& stmt, const ViewDef& v, const TableInfo& src) {
  auto key_for = [&](const std::string& path) -> const GroupKey* {
    for (const auto& k : v.keys) {
      if (k.unit.empty() && k.path == path) return &k;
    }
    return nullptr;
  };
  auto compute_for = [&](const std::string& agg, const std::string& input) -> const Compute* {
    for (const auto& c : v.computes) {
      if (c.agg == agg && c.input == input) return &c;
    }
    return nullptr;
  };
  auto scalar_field = [&](const std::string& path) {
    return path == TopSegment(path) && src.fields.count(path) &&
           src.fields.at(path).find('[') == std::string::npos &&
           !src.FieldIs(path, "variant") && !src.FieldIs(path, "json");
  };
  // Non-aggregate parts: group columns and date_trunc over time buckets.
  Mapper plain = [&](const Expr& e) -> Result<ExprPtr> {
    if (e.kind == ExprKind::kColumn) {
      const GroupKey* k = key_for(e.path);
      if (k == nullptr) return Reject("column " + e.path + " is not a group column of the view");
      return Col(k->name, e.pos);
    }
    if (e.kind == ExprKind::kFunction && (e.name == "date_trunc" || e.name == "datetrunc") &&
        e.args.size() == 2 && e.args[0]->kind == ExprKind::kLiteral &&
        e.args[0]->value.kind() == K::kString && e.args[1]->kind == ExprKind::kColumn) {
      std::string u = NormalizeUnit(e.args[0]->value.as_string());
      for (const auto& k : v.keys) {
        if (k.unit.empty() || k.path != e.args[1]->path) continue;
        if (v.timezone != "UTC") return Reject("its time buckets are in " + v.timezone + ", not UTC");
        if (!src.FieldIs(k.path, "timestamp")) {
          return Reject("bucketed field " + k.path + " is not declared timestamp");
        }
        if (u.empty() || !Divides(k.unit, u)) continue;
        ExprPtr col = Col(k.name, e.pos);
        bool date_bucket = UnitRank(k.unit) >= UnitRank("day");
        if (date_bucket) col = CastTo(col, "TIMESTAMP");
        if (k.unit == u) return col;
        return Fn("date_trunc", {Lit(Value::String(u)), col});
      }
      return Reject("no time bucket of the view rolls up to date_trunc('" +
                    e.args[0]->value.as_string() + "', " + e.args[1]->path + ")");
    }
    if (e.kind == ExprKind::kFunction && IsAggregateName(e.name)) {
      const Expr& arg = *e.args[0];
      bool star = arg.kind == ExprKind::kStar;
      if (!star && arg.kind != ExprKind::kColumn) {
        return Reject("aggregate argument " + ExprToString(arg) + " is not a plain column");
      }
      const std::string path = star ? "*" : arg.path;
      if (e.distinct) {
        const GroupKey* k = star ? nullptr : key_for(path);
        if (k == nullptr || (e.name != "count" && e.name != "min" && e.name != "max")) {
          return Reject(ExprToString(e) + " needs a group column of the view");
        }
        ExprPtr f = Fn(e.name, {Col(k->name, e.pos)});
        f->distinct = true;
        return f;
      }
      const Compute* cnt_star = compute_for("count", "*");
      if (e.name == "count") {
        if (star) {
          if (!cnt_star) return Reject("it has no $count: '*'");
          return Fn("coalesce", {Fn("sum", {Col(cnt_star->name, e.pos)}), Lit(Value::Int(0))});
        }
        if (const Compute* c = compute_for("count", path); c && scalar_field(path)) {
          return Fn("coalesce", {Fn("sum", {Col(c->name, e.pos)}), Lit(Value::Int(0))});
        }
        if (const GroupKey* k = key_for(path); k && cnt_star) {
          auto is_not_null = std::make_shared<Expr>();
          is_not_null->kind = ExprKind::kIsNull;
          is_not_null->negated = true;
          is_not_null->args = {Col(k->name, e.pos)};
          return Fn("coalesce",
                    {Fn("sum", {When(is_not_null, Col(cnt_star->name, e.pos))}), Lit(Value::Int(0))});
        }
        return Reject("COUNT(" + path + ") has no matching $count in the view");
      }
      if (e.name == "min" || e.name == "max") {
        if (const GroupKey* k = key_for(path)) return Fn(e.name, {Col(k->name, e.pos)});
        const Compute* c = compute_for(e.name, path);
        if (c == nullptr || !scalar_field(path)) {
          return Reject(e.name + "(" + path + ") has no matching $" + e.name + " in the view");
        }
        return Fn(e.name, {Col(c->name, e.pos)});
      }
      if (!scalar_field(path)) return Reject(e.name + "(" + path + "): not a declared scalar field");
      const Compute* s = compute_for("sum", path);
      const Compute* c = compute_for("count", path);
      if (e.name == "sum") {
        if (s == nullptr) return Reject("SUM(" + path + ") has no matching $sum in the view");
        ExprPtr sum = Fn("sum", {Col(s->name, e.pos)});
        if (src.FieldRequired(path)) return sum;
        if (c == nullptr) {
          return Reject("SUM(" + path + ") of an optional field needs a $count of it in the view");
        }
        return When(Bin(">", Fn("sum", {Col(c->name, e.pos)}), Lit(Value::Int(0))), sum);
      }
      if (e.name == "avg") {
        if (s == nullptr || c == nullptr) return Reject("AVG(" + path + ") needs $sum and $count of it");
        ExprPtr n = Fn("sum", {Col(c->name, e.pos)});
        return When(Bin(">", n, Lit(Value::Int(0))),
                    Bin("/", CastTo(Fn("sum", {Col(s->name, e.pos)}), "DOUBLE"), n));
      }
    }
    return ExprPtr();
  };
  SelectStmt out = stmt;
  out.table = v.name;
  out.alias.clear();
  for (auto& item : out.items) {
    if (item.star) return Reject("SELECT *");
    std::string name = item.alias;
    if (name.empty() && item.expr->kind == ExprKind::kColumn) {
      size_t dot = item.expr->path.rfind('.');
      name = dot == std::string::npos ? item.expr->path : item.expr->path.substr(dot + 1);
    } else if (name.empty()) {
      name = ExprToString(*item.expr);
      if (item.expr->kind == ExprKind::kFunction && item.expr->name == "count" &&
          item.expr->args.size() == 1 && item.expr->args[0]->kind == ExprKind::kStar) {
        name = "count_star()";
      }
    }
    PQ_ASSIGN_OR_RETURN(item.expr, RewriteTree(item.expr, plain));
    item.alias = name;  // keep the source's column names
  }
  PQ_ASSIGN_OR_RETURN(out.where, RewriteTree(out.where, plain));
  for (auto& g : out.group_by) {
    PQ_ASSIGN_OR_RETURN(g, RewriteTree(g, plain));
  }
  PQ_ASSIGN_OR_RETURN(out.having, RewriteTree(out.having, plain));
  for (auto& o : out.order_by) {
    // Aliases of the select list stay as they are.
    bool alias = o.expr->kind == ExprKind::kColumn &&
                 std::any_of(stmt.items.begin(), stmt.items.end(),
                             [&](const SelectItem& i) { return !i.star && i.alias == o.expr->path; });
    if (alias || (o.expr->kind == ExprKind::kLiteral && o.expr->value.kind() == K::kInt)) continue;
    PQ_ASSIGN_OR_RETURN(o.expr, RewriteTree(o.expr, plain));
  }
  return out;
}

// Source path -> view column for a non-aggregated view; nullopt if not a column.
std::optional<std::string> MapPath(const ViewDef& v, const TableInfo& src, const std::string& path) {
  if (path == "$id") return path;
  if (!v.has_select) {
    if (src.fields.count(TopSegment(path))) return path;
    return std::nullopt;
  }
  std::optional<std::string> best;
  size_t best_len = 0;
  for (const auto& [out, p] : v.select) {
    if (p.empty()) continue;
    if (path == p && p.size() >= best_len) {
      best = out;
      best_len = p.size();
    } else if (path.size() > p.size() && path.compare(0, p.size() + 1, p + ".") == 0 &&
               p.size() >= best_len) {
      best = out + path.substr(p.size());
      best_len = p.size();
    }
  }
  return best;
}

Result<SelectStmt> RewritePlain(const SelectStmt& stmt, const ViewDef& v, const TableInfo& src) {
  Mapper cols = [&](const Expr& e) -> Result<ExprPtr> {
    if (e.kind != ExprKind::kColumn) return ExprPtr();
    auto m = MapPath(v, src, e.path);
    if (!m) return Reject("column " + e.path + " is not in the view");
    return Col(*m, e.pos);
  };
  SelectStmt out = stmt;
  out.table = v.name;
  out.alias.clear();
  for (auto& item : out.items) {
    if (item.star) return Reject("SELECT * (the view's columns differ from the collection's)");
    if (item.alias.empty() && item.expr->kind == ExprKind::kColumn) {
      size_t dot = item.expr->path.rfind('.');
      item.alias = dot == std::string::npos ? item.expr->path : item.expr->path.substr(dot + 1);
    } else if (item.alias.empty()) {
      item.alias = ExprToString(*item.expr);
      if (item.expr->kind == ExprKind::kFunction && item.expr->name == "count" &&
          item.expr->args.size() == 1 && item.expr->args[0]->kind == ExprKind::kStar) {
        item.alias = "count_star()";
      }
    }
    PQ_ASSIGN_OR_RETURN(item.expr, RewriteTree(item.expr, cols));
  }
  PQ_ASSIGN_OR_RETURN(out.where, RewriteTree(out.where, cols));
  for (auto& g : out.group_by) {
    PQ_ASSIGN_OR_RETURN(g, RewriteTree(g, cols));
  }
  PQ_ASSIGN_OR_RETURN(out.having, RewriteTree(out.having, cols));
  for (auto& o : out.order_by) {
    bool alias = o.expr->kind == ExprKind::kColumn &&
                 std::any_of(stmt.items.begin(), stmt.items.end(),
                             [&](const SelectItem& i) { return !i.star && i.alias == o.expr->path; });
    if (alias || (o.expr->kind == ExprKind::kLiteral && o.expr->value.kind() == K::kInt)) continue;
    PQ_ASSIGN_OR_RETURN(o.expr, RewriteTree(o.expr, cols));
  }
  return out;
}

// Paths the view reads from its source ($filter conjunct paths, $select sources, group
// keys, compute inputs).
std::vector<std::string> ReadPaths(const ViewDef& v) {
  std::vector<std::string> out;
  for (const auto& [o, p] : v.select) out.push_back(p);
  for (const auto& k : v.keys) out.push_back(k.path);
  for (const auto& c : v.computes) out.push_back(c.input);
  if (!v.filter.is_null()) {
    auto f = query::Filter::Parse(v.filter);
    if (f.ok()) {
      for (const auto& c : f->Conjuncts()) out.push_back(c.path);
    }
  }
  return out;
}

// Empty unless the view reads through a relation of the source (the view expands it
// implicitly, while SQL over the source sees the stored $id): then why.
std::string CheckRelations(const ViewDef& v, const TableInfo& src) {
  for (const std::string& p : ReadPaths(v)) {
    std::string top = TopSegment(p);
    auto it = src.fields.find(top);
    if (it == src.fields.end()) continue;
    const std::string& type = it->second;
    bool relation = type.rfind("->", 0) == 0 || type.rfind("<-", 0) == 0;
    if (relation && (p != top || type.rfind("<-", 0) == 0)) {
      return "it reads " + p + " through the relation " + top;
    }
  }
  return "";
}

std::vector<ViewDef> Candidates(DB* db, const std::string& source) {
  std::vector<ViewDef> out;
  Value schema = db->schema();
  if (schema.kind() != K::kObject) return out;
  for (const auto& [name, def] : schema.as_object()) {
    if (def.kind() != K::kObject) continue;
    const Value* from = def.Find("$from");
    if (from == nullptr || from->kind() != K::kString || from->as_string() != source) continue;
    out.push_back(ParseDef(name, def));
  }
  return out;
}

}  // namespace

Result<std::optional<Route>> RouteSelect(DB* db, const SelectStmt& stmt, const TableInfo& source,
                                         const std::vector<Value>& params, int64_t now,
                                         std::vector<std::string>* explain) {
  std::vector<ViewDef> views = Candidates(db, source.name);
  if (views.empty()) {
    explain->push_back("routing: no views read " + source.name);
    return std::optional<Route>();
  }
  bool aggregated = !stmt.group_by.empty();
  for (const auto& item : stmt.items) {
    if (!item.star && item.expr) {
      std::function<bool(const Expr&)> has = [&](const Expr& e) {
        if (e.kind == ExprKind::kFunction && IsAggregateName(e.name)) return true;
        for (const auto& a : e.args) {
          if (has(*a)) return true;
        }
        return false;
      };
      aggregated = aggregated || has(*item.expr);
    }
  }
  Value pushed = PushdownFilter(stmt, source, params, now);
  for (const ViewDef& v : views) {
    auto reject = [&](const std::string& why) {
      explain->push_back("routing: view " + v.name + " rejected: " + why);
    };
    if (v.expand_or_unnest) {
      reject("it uses $expand/$unnest");
      continue;
    }
    if (v.aggregated && !aggregated) {
      reject("it is aggregated and the query is not");
      continue;
    }
    std::string why = CheckRelations(v, source);
    if (!why.empty()) {
      reject(why);
      continue;
    }
    why = CheckFilter(v, pushed);
    if (!why.empty()) {
      reject(why);
      continue;
    }
    auto rewritten = v.aggregated ? RewriteAggregated(stmt, v, source) : RewritePlain(stmt, v, source);
    if (!rewritten.ok()) {
      if (!rewritten.status().IsNotSupported()) return rewritten.status();
      reject(rewritten.status().message());
      continue;
    }
    why = CheckFresh(db, v);
    if (!why.empty()) {
      reject(why);
      continue;
    }
    explain->push_back("routing: answered from view " + v.name + " (covers the query" +
                       std::string(v.aggregated ? ", rolled up from its groups" : "") + ")");
    Route r;
    r.stmt = std::move(*rewritten);
    PQ_ASSIGN_OR_RETURN(r.view, ResolveTable(db, v.name));
    return std::optional<Route>(std::move(r));
  }
  explain->push_back("routing: answered from the collection " + source.name);
  return std::optional<Route>();
}

Result<std::optional<FindRoute>> RouteFind(DB* db, std::string_view collection, const Value& filter,
                                           const FindOptions& options,
                                           std::vector<std::string>* explain) {
  if (options.as_of || !options.include.empty()) {
    explain->push_back("routing: off (as_of or include)");
    return std::optional<FindRoute>();
  }
  auto src = ResolveTable(db, std::string(collection));
  if (!src.ok() || src->is_view) return std::optional<FindRoute>();
  std::vector<ViewDef> views = Candidates(db, src->name);
  if (views.empty()) {
    explain->push_back("routing: no views read " + src->name);
    return std::optional<FindRoute>();
  }
  // Needed paths: the projection (include-only, required fields so that missing and
  // null cannot differ), the sort keys and the filter (conjunctive).
  std::vector<std::string> proj;
  if (options.project.kind() != K::kObject) {
    explain->push_back("routing: find without a projection returns whole documents; not routed");
    return std::optional<FindRoute>();
  }
  for (const auto& [p, flag] : options.project.as_object()) {
    if (!(flag.is_number() && flag.as_double() == 1)) {
      if (p == "$id" && flag.is_number() && flag.as_double() == 0) continue;
      explain->push_back("routing: only include projections are routed");
      return std::optional<FindRoute>();
    }
    if (p != "$id" && !src->FieldRequired(p)) {
      explain->push_back("routing: projected field " + p + " is optional (missing vs null); not routed");
      return std::optional<FindRoute>();
    }
    proj.push_back(p);
  }
  std::vector<query::Predicate> conj;
  if (!filter.is_null()) {
    auto f = query::Filter::Parse(filter);
    if (!f.ok()) return f.status();
    if (!f->IsConjunctive()) {
      explain->push_back("routing: the filter is not a plain conjunction; not routed");
      return std::optional<FindRoute>();
    }
    conj = f->Conjuncts();
  }
  for (const ViewDef& v : views) {
    auto reject = [&](const std::string& why) {
      explain->push_back("routing: view " + v.name + " rejected: " + why);
    };
    if (v.expand_or_unnest || v.aggregated) {
      reject(v.aggregated ? "it is aggregated" : "it uses $expand/$unnest");
      continue;
    }
    std::string why = CheckRelations(v, *src);
    if (why.empty()) why = CheckFilter(v, filter);
    if (!why.empty()) {
      reject(why);
      continue;
    }
    // Identity mapping only (the documents must come back with the same field names).
    bool ok = true;
    auto same = [&](const std::string& p) {
      auto m = MapPath(v, *src, p);
      if (!m || *m != p) {
        ok = false;
        why = "field " + p + " is not a column of it under the same name";
      }
    };
    for (const auto& p : proj) same(p);
    for (const auto& c : conj) same(c.path);
    if (options.sort.kind() == K::kObject) {
      for (const auto& [p, dir] : options.sort.as_object()) same(p);
    }
    if (!ok) {
      reject(why);
      continue;
    }
    why = CheckFresh(db, v);
    if (!why.empty()) {
      reject(why);
      continue;
    }
    explain->push_back("routing: answered from view " + v.name);
    return std::optional<FindRoute>(FindRoute{v.name, filter, options});
  }
  explain->push_back("routing: answered from the collection " + src->name);
  return std::optional<FindRoute>();
}

}  // namespace parquedb::sql
