#include "sql/planner.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <functional>
#include <numeric>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "sql/eval.h"
#include "sql/parser.h"

namespace parquedb::sql {
namespace {

using K = Value::Kind;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string TopSegment(const std::string& path) { return path.substr(0, path.find('.')); }

Status SemanticError(std::string_view sql, int pos, const std::string& what) {
  std::string d = DescribePosition(sql, pos);
  size_t nl = d.find('\n');
  return Status::InvalidArgument("at " + d.substr(0, nl) + ": " + what + d.substr(nl));
}

void Walk(const ExprPtr& e, const std::function<void(const ExprPtr&)>& fn) {
  if (!e) return;
  fn(e);
  for (const auto& a : e->args) Walk(a, fn);
}

bool ContainsAggregate(const Expr& e) {
  if (e.kind == ExprKind::kFunction && IsAggregateName(e.name)) return true;
  for (const auto& a : e.args) {
    if (ContainsAggregate(*a)) return true;
  }
  return false;
}

struct ValueVecHash {
  size_t operator()(const std::vector<Value>& v) const {
    size_t h = 0x9e3779b97f4a7c15ULL;
    for (const Value& x : v) h = (h ^ x.Hash()) * 0x100000001b3ULL;
    return h;
  }
};
struct ValueVecEq {
  bool operator()(const std::vector<Value>& a, const std::vector<Value>& b) const {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); i++) {
      if (Value::Compare(a[i], b[i]) != 0) return false;
    }
    return true;
  }
};
struct ValueHash {
  size_t operator()(const Value& v) const { return v.Hash(); }
};
struct ValueEq {
  bool operator()(const Value& a, const Value& b) const { return Value::Compare(a, b) == 0; }
};

// Running state of one aggregate call in one group.
struct Acc {
  int64_t count = 0;  // rows (COUNT(*)) or non-null values
  bool has_int = false, has_dec = false, has_dbl = false;
  __int128 isum = 0;
  Decimal dsum;
  double fsum = 0;
  Value best;
  std::unordered_set<Value, ValueHash, ValueEq> distinct;
};

Status AddToSum(Acc* a, const Value& v, const Expr& call) {
  switch (v.kind()) {
    case K::kInt:
      a->has_int = true;
      a->isum += v.as_int();
      return Status::OK();
    case K::kDecimal: {
      Decimal d = v.as_decimal();
      int32_t s = std::max(d.scale, a->dsum.scale);
      auto x = a->dsum.Rescale(s);
      auto y = d.Rescale(s);
      if (!x.ok() || !y.ok()) {
        a->has_dbl = true;
        a->fsum += d.ToDouble();
        return Status::OK();
      }
      a->has_dec = true;
      a->dsum = Decimal{x->unscaled + y->unscaled, s};
      return Status::OK();
    }
    case K::kDouble:
      a->has_dbl = true;
      a->fsum += v.as_double();
      return Status::OK();
    default:
      return Status::InvalidArgument(call.name + "() needs numbers, got " +
                                     std::string(Value::KindName(v.kind())) + " " +
                                     v.ToJsonString());
  }
}

Value SumValue(const Acc& a) {
  if (!a.has_int && !a.has_dec && !a.has_dbl) return Value();
  if (a.has_dbl) {
    return Value::Double(a.fsum + static_cast<double>(a.isum) + (a.has_dec ? a.dsum.ToDouble() : 0.0));
  }
  if (a.has_dec) {
    Decimal i{a.isum, 0};
    auto r = i.Rescale(a.dsum.scale);
    if (r.ok()) return Value::Dec(Decimal{r->unscaled + a.dsum.unscaled, a.dsum.scale});
    return Value::Double(a.dsum.ToDouble() + static_cast<double>(a.isum));
  }
  if (a.isum >= INT64_MIN && a.isum <= INT64_MAX) return Value::Int(static_cast<int64_t>(a.isum));
  return Value::Dec(Decimal{a.isum, 0});
}

double SumAsDouble(const Acc& a) {
  Value s = SumValue(a);
  return s.is_null() ? 0.0 : s.as_double();
}

Status Accumulate(Acc* a, const Expr& call, const EvalContext& ctx) {
  const std::string& n = call.name;
  if (call.args.size() == 1 && call.args[0]->kind == ExprKind::kStar) {
    a->count++;
    return Status::OK();
  }
  PQ_ASSIGN_OR_RETURN(Value v, Eval(*call.args[0], ctx));
  if (v.is_null()) return Status::OK();
  if (call.distinct) {
    a->distinct.insert(std::move(v));
    return Status::OK();
  }
  a->count++;
  if (n == "sum" || n == "avg") return AddToSum(a, v, call);
  if (n == "min" || n == "max") {
    if (a->best.is_null() || (n == "min" ? Value::Compare(v, a->best) < 0
                                         : Value::Compare(v, a->best) > 0)) {
      a->best = std::move(v);
    }
  }
  return Status::OK();
}

Result<Value> Finalize(Acc& a, const Expr& call) {
  const std::string& n = call.name;
  if (call.distinct) {
    Acc b;
    for (const Value& v : a.distinct) {
      b.count++;
      if (n == "sum" || n == "avg") PQ_RETURN_IF_ERROR(AddToSum(&b, v, call));
      if ((n == "min" && (b.best.is_null() || Value::Compare(v, b.best) < 0)) ||
          (n == "max" && (b.best.is_null() || Value::Compare(v, b.best) > 0))) {
        b.best = v;
      }
    }
    Expr plain = call;
    plain.distinct = false;
    return Finalize(b, plain);
  }
  if (n == "count") return Value::Int(a.count);
  if (n == "sum") return SumValue(a);
  if (n == "avg") {
    if (a.count == 0) return Value();
    return Value::Double(SumAsDouble(a) / static_cast<double>(a.count));
  }
  return a.best;
}

std::string OutputName(const SelectItem& item) {
  if (!item.alias.empty()) return item.alias;
  if (item.expr->kind == ExprKind::kColumn) {
    const std::string& p = item.expr->path;
    size_t dot = p.rfind('.');
    return dot == std::string::npos ? p : p.substr(dot + 1);
  }
  if (item.expr->kind == ExprKind::kFunction && item.expr->name == "count" &&
      item.expr->args.size() == 1 && item.expr->args[0]->kind == ExprKind::kStar) {
    return "count_star()";
  }
  return ExprToString(*item.expr);
}

// ---- pushdown ----

std::optional<Value> ConstValue(const Expr& e, const std::vector<Value>& params, int64_t now) {
  if (!IsConstant(e)) return std::nullopt;
  EvalContext ctx;
  ctx.params = &params;
  ctx.now = now;
  auto r = Eval(e, ctx);
  if (!r.ok()) return std::nullopt;
  return *r;
}

Value Obj(std::initializer_list<std::pair<std::string, Value>> members) {
  Value o = Value::MakeObject();
  for (const auto& [k, v] : members) o.Set(k, v);
  return o;
}

// Whether a literal may be pushed against `path` (see sql.h: the Mongo filter must
// match every row the SQL predicate accepts).
bool LiteralPushable(const TableInfo& t, const std::string& path, const Value& lit) {
  switch (lit.kind()) {
    case K::kInt:
    case K::kDouble:
    case K::kBool:
      return true;
    case K::kDecimal:
      // Decimals compare exactly with ints and decimals but as doubles with doubles;
      // PushLiteral converts them for float fields. Unknown types: not pushed.
      return path == TopSegment(path) &&
             (t.FieldIs(path, "decimal") || t.FieldIs(path, "int") || t.FieldIs(path, "float"));
    case K::kString:
      // The filter compares strings with strings and coerces a string literal for
      // timestamp and decimal values exactly as SqlCompare does; date fields are left
      // to the residual WHERE (SQL also accepts timestamp text for them).
      return !t.FieldIs(TopSegment(path), "date");
    case K::kTimestamp:
      return path == TopSegment(path) && t.FieldIs(path, "timestamp");
    case K::kDate:
      return path == TopSegment(path) && t.FieldIs(path, "date");
    default:
      return false;
  }
}

// The literal as the filter must see it: decimals become doubles for float fields.
Value PushLiteral(const TableInfo& t, const std::string& path, const Value& lit) {
  if (lit.kind() == K::kDecimal && t.FieldIs(path, "float")) return Value::Double(lit.as_double());
  return lit;
}

std::optional<Value> Push(const Expr& e, const TableInfo& t, const std::vector<Value>& params,
                          int64_t now) {
  switch (e.kind) {
    case ExprKind::kBinary: {
      if (e.op == "AND") {
        auto l = Push(*e.args[0], t, params, now);
        auto r = Push(*e.args[1], t, params, now);
        if (l && r) return Obj({{"$and", Value::MakeArray({*l, *r})}});
        return l ? l : r;
      }
      if (e.op == "OR") {
        auto l = Push(*e.args[0], t, params, now);
        auto r = Push(*e.args[1], t, params, now);
        if (l && r) return Obj({{"$or", Value::MakeArray({*l, *r})}});
        return std::nullopt;
      }
      static const std::pair<const char*, const char*> kOps[] = {
          {"=", "$eq"}, {"<>", "$ne"}, {"<", "$lt"}, {"<=", "$lte"}, {">", "$gt"}, {">=", "$gte"}};
      static const std::pair<const char*, const char*> kFlip[] = {
          {"=", "$eq"}, {"<>", "$ne"}, {"<", "$gt"}, {"<=", "$gte"}, {">", "$lt"}, {">=", "$lte"}};
      const Expr* col = nullptr;
      const Expr* other = nullptr;
      bool flipped = false;
      if (e.args[0]->kind == ExprKind::kColumn) {
        col = e.args[0].get();
        other = e.args[1].get();
      } else if (e.args[1]->kind == ExprKind::kColumn) {
        col = e.args[1].get();
        other = e.args[0].get();
        flipped = true;
      }
      if (col == nullptr) return std::nullopt;
      const char* mop = nullptr;
      for (const auto& [sop, m] : flipped ? kFlip : kOps) {
        if (e.op == sop) mop = m;
      }
      if (mop == nullptr) return std::nullopt;
      auto v = ConstValue(*other, params, now);
      if (!v || v->is_null() || !LiteralPushable(t, col->path, *v)) return std::nullopt;
      *v = PushLiteral(t, col->path, *v);
      if (std::string(mop) == "$ne") {
        // SQL: the value is present, comparable and different.
        return Obj({{col->path, Obj({{"$exists", Value::Bool(true)}, {"$ne", *v}})}});
      }
      return Obj({{col->path, Obj({{mop, *v}})}});
    }
    case ExprKind::kIsNull:
      if (e.args[0]->kind != ExprKind::kColumn) return std::nullopt;
      if (e.negated) return Obj({{e.args[0]->path, Obj({{"$exists", Value::Bool(true)}})}});
      return Obj({{e.args[0]->path, Obj({{"$eq", Value()}})}});
    case ExprKind::kIn: {
      if (e.negated || e.args[0]->kind != ExprKind::kColumn) return std::nullopt;
      Value arr = Value::MakeArray();
      for (size_t i = 1; i < e.args.size(); i++) {
        auto v = ConstValue(*e.args[i], params, now);
        if (!v) return std::nullopt;
        if (v->is_null()) continue;  // never equal in SQL
        if (!LiteralPushable(t, e.args[0]->path, *v)) return std::nullopt;
        arr.mutable_array().push_back(PushLiteral(t, e.args[0]->path, *v));
      }
      return Obj({{e.args[0]->path, Obj({{"$in", arr}})}});
    }
    case ExprKind::kBetween: {
      if (e.negated || e.args[0]->kind != ExprKind::kColumn) return std::nullopt;
      auto lo = ConstValue(*e.args[1], params, now);
      auto hi = ConstValue(*e.args[2], params, now);
      const std::string& p = e.args[0]->path;
      if (!lo || !hi || lo->is_null() || hi->is_null() || !LiteralPushable(t, p, *lo) ||
          !LiteralPushable(t, p, *hi)) {
        return std::nullopt;
      }
      return Obj({{p, Obj({{"$gte", PushLiteral(t, p, *lo)}, {"$lte", PushLiteral(t, p, *hi)}})}});
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

bool TableInfo::FieldIs(const std::string& top, std::string_view prefix) const {
  auto it = fields.find(top);
  if (it == fields.end()) return false;
  const std::string& t = it->second;
  if (t.compare(0, prefix.size(), prefix) != 0) return false;
  // "timestamp" but not "timestamp[]"
  return t.find('[') == std::string::npos;
}

bool TableInfo::FieldRequired(const std::string& top) const {
  auto it = fields.find(top);
  return it != fields.end() && !it->second.empty() && it->second.back() == '!' &&
         it->second.find('[') == std::string::npos;
}

bool IsConstant(const Expr& e) {
  if (e.kind == ExprKind::kColumn || e.kind == ExprKind::kStar) return false;
  if (e.kind == ExprKind::kFunction && IsAggregateName(e.name)) return false;
  for (const auto& a : e.args) {
    if (!IsConstant(*a)) return false;
  }
  return true;
}

Result<TableInfo> ResolveTable(DB* db, const std::string& name) {
  Value schema = db->schema();
  std::vector<std::string> names;
  if (schema.kind() == K::kObject) {
    for (const auto& [k, v] : schema.as_object()) names.push_back(k);
  }
  for (const ViewState& vs : db->ListViews()) {
    if (std::find(names.begin(), names.end(), vs.name) == names.end()) names.push_back(vs.name);
  }
  std::string found;
  for (const auto& n : names) {
    if (n == name) found = n;
  }
  if (found.empty()) {
    for (const auto& n : names) {
      if (Lower(n) == Lower(name)) found = n;
    }
  }
  if (found.empty()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return Status::NotFound("no table '" + name + "' (collections and views: " + list + ")");
  }
  TableInfo t;
  t.name = found;
  const Value* def = schema.kind() == K::kObject ? schema.Find(found) : nullptr;
  if (def == nullptr || (def->kind() == K::kObject && def->Find("$from") != nullptr)) {
    t.is_view = true;
    if (def == nullptr) return t;
    t.definition = *def;
    // Output columns known from the definition (types are not: "variant").
    auto add = [&](const std::string& name) { t.fields.emplace(name, "variant"); };
    if (const Value* g = def->Find("$groupBy"); g && g->kind() == K::kArray) {
      add("$id");
      for (const Value& k : g->as_array()) {
        if (k.kind() == K::kString) {
          std::string p = k.as_string();
          if (!p.empty() && p[0] == '$') p = p.substr(1);
          add(p.substr(p.rfind('.') == std::string::npos ? 0 : p.rfind('.') + 1));
        } else if (k.kind() == K::kObject && k.as_object().size() == 1) {
          add(k.as_object()[0].first);
        }
      }
      if (const Value* c = def->Find("$compute"); c && c->kind() == K::kObject) {
        for (const auto& [name, spec] : c->as_object()) add(name);
      }
      // Group key types from a collection source, when keys name its fields directly
      // (no $select/$expand/$unnest/$flatten reshaping the rows first).
      const Value* from = def->Find("$from");
      const Value* src = from != nullptr && from->kind() == K::kString
                             ? schema.Find(from->as_string())
                             : nullptr;
      bool reshaped = false;
      for (const char* d : {"$select", "$expand", "$unnest", "$flatten"}) {
        reshaped |= def->Find(d) != nullptr;
      }
      if (!reshaped && src != nullptr && src->kind() == K::kObject &&
          src->Find("$from") == nullptr) {
        auto source_type = [&](const Value& ref) -> std::string {
          if (ref.kind() != K::kString) return "";
          std::string p = ref.as_string();
          if (!p.empty() && p[0] == '$') p = p.substr(1);
          const Value* ty = p.empty() || p[0] == '$' || p.find('.') != std::string::npos
                                ? nullptr
                                : src->Find(p);
          if (ty == nullptr || ty->kind() != K::kString) return "";
          const std::string& s = ty->as_string();
          if (s.find('[') != std::string::npos) return "";
          for (const char* scalar : {"string", "int", "boolean", "timestamp"}) {
            const size_t n = std::strlen(scalar);
            if (s.compare(0, n, scalar) == 0 && (s.size() == n || s.substr(n) == "!")) return s;
          }
          return "";
        };
        for (const Value& k : g->as_array()) {
          if (k.kind() == K::kString) {
            std::string ty = source_type(k);
            std::string name = k.as_string();
            if (!name.empty() && name[0] == '$') name = name.substr(1);
            if (!ty.empty()) t.view_types[name] = ty;
          } else if (k.kind() == K::kObject && k.as_object().size() == 1) {
            const auto& [unit, ref] = k.as_object()[0];
            std::string ty = source_type(ref);
            if ((unit == "minute" || unit == "hour") && ty.rfind("timestamp", 0) == 0) {
              t.view_types[unit] = ty;
            }
          }
        }
      }
    } else if (const Value* sel = def->Find("$select"); sel && sel->kind() == K::kObject) {
      add("$id");
      for (const auto& [name, spec] : sel->as_object()) add(name);
    }
    return t;
  }
  if (def->kind() == K::kObject) {
    for (const auto& [k, v] : def->as_object()) {
      if (!k.empty() && k[0] == '$') continue;
      if (v.kind() == K::kString) t.fields[k] = v.as_string();
    }
  }
  t.fields["$id"] = "string!";
  t.fields["createdAt"] = "timestamp!";
  t.fields["updatedAt"] = "timestamp!";
  t.fields["version"] = "int!";
  return t;
}

Result<int> Bind(SelectStmt* stmt, const TableInfo& table, bool* aggregated,
                 std::vector<ExprPtr>* aggregates, std::string_view sql) {
  // Column references.
  std::map<std::string, std::string> lower_fields;
  for (const auto& [k, v] : table.fields) lower_fields[Lower(k)] = k;
  auto fix_columns = [&](const ExprPtr& root) {
    Walk(root, [&](const ExprPtr& e) {
      if (e->kind != ExprKind::kColumn) return;
      std::string top = TopSegment(e->path);
      if (e->path.size() > top.size() && !table.fields.count(top) &&
          (top == stmt->table || top == table.name || (!stmt->alias.empty() && top == stmt->alias))) {
        e->path = e->path.substr(top.size() + 1);
        top = TopSegment(e->path);
      }
      if (!table.fields.count(top)) {
        auto it = lower_fields.find(Lower(top));
        if (it != lower_fields.end()) e->path = it->second + e->path.substr(top.size());
      }
    });
  };
  for (auto& item : stmt->items) fix_columns(item.expr);
  fix_columns(stmt->where);
  for (auto& g : stmt->group_by) fix_columns(g);
  fix_columns(stmt->having);
  for (auto& o : stmt->order_by) fix_columns(o.expr);

  // Select-list aliases used inside HAVING and ORDER BY expressions ("HAVING n > 3",
  // "ORDER BY total * 2") stand for the aliased expression, unless a declared field of
  // the table has that name (a top-level ORDER BY alias is resolved to the output column).
  std::function<ExprPtr(const ExprPtr&)> substitute = [&](const ExprPtr& e) -> ExprPtr {
    if (!e) return e;
    if (e->kind == ExprKind::kColumn && !table.fields.count(TopSegment(e->path))) {
      for (const auto& item : stmt->items) {
        if (!item.star && !item.alias.empty() && item.alias == e->path) return item.expr;
      }
      return e;
    }
    // Aggregate arguments are row-level: aliases do not apply inside them.
    if (e->kind == ExprKind::kFunction && IsAggregateName(e->name)) return e;
    bool changed = false;
    std::vector<ExprPtr> args;
    for (const auto& a : e->args) {
      args.push_back(substitute(a));
      changed = changed || args.back() != a;
    }
    if (!changed) return e;
    auto copy = std::make_shared<Expr>(*e);
    copy->args = std::move(args);
    return copy;
  };
  stmt->having = substitute(stmt->having);
  for (auto& o : stmt->order_by) {
    if (o.expr->kind != ExprKind::kColumn) o.expr = substitute(o.expr);
  }

  // GROUP BY ordinals and select aliases.
  for (auto& g : stmt->group_by) {
    if (g->kind == ExprKind::kLiteral && g->value.kind() == K::kInt) {
      int64_t k = g->value.as_int();
      if (k < 1 || k > static_cast<int64_t>(stmt->items.size()) ||
          stmt->items[static_cast<size_t>(k - 1)].star) {
        return SemanticError(sql, g->pos, "GROUP BY position " + std::to_string(k) +
                                              " is not in the select list");
      }
      g = stmt->items[static_cast<size_t>(k - 1)].expr;
    } else if (g->kind == ExprKind::kColumn && !table.fields.count(TopSegment(g->path))) {
      for (const auto& item : stmt->items) {
        if (!item.star && item.alias == g->path) g = item.expr;
      }
    }
    if (ContainsAggregate(*g)) return SemanticError(sql, g->pos, "aggregates are not allowed in GROUP BY");
  }
  if (stmt->where && ContainsAggregate(*stmt->where)) {
    return SemanticError(sql, stmt->where->pos, "aggregates are not allowed in WHERE (use HAVING)");
  }

  // Aggregate slots.
  aggregates->clear();
  std::map<std::string, int> slots;
  Status err;
  std::function<void(const ExprPtr&, bool)> number = [&](const ExprPtr& e, bool inside) {
    if (!e || !err.ok()) return;
    if (e->kind == ExprKind::kFunction && IsAggregateName(e->name)) {
      if (inside) {
        err = SemanticError(sql, e->pos, "aggregate calls cannot be nested");
        return;
      }
      if (e->args.size() != 1) {
        err = SemanticError(sql, e->pos, e->name + "() takes exactly one argument");
        return;
      }
      if (e->args[0]->kind == ExprKind::kStar && (e->name != "count" || e->distinct)) {
        err = SemanticError(sql, e->pos, "only COUNT(*) accepts '*'");
        return;
      }
      std::string key = ExprToString(*e);
      auto it = slots.find(key);
      if (it == slots.end()) {
        it = slots.emplace(key, static_cast<int>(aggregates->size())).first;
        aggregates->push_back(e);
      }
      e->agg_slot = it->second;
      for (const auto& a : e->args) {
        if (a->kind != ExprKind::kStar) number(a, true);
      }
      return;
    }
    if (e->kind == ExprKind::kStar) {
      err = SemanticError(sql, e->pos, "'*' is only allowed in COUNT(*) and the select list");
      return;
    }
    for (const auto& a : e->args) number(a, inside);
  };
  for (auto& item : stmt->items) number(item.expr, false);
  number(stmt->having, false);
  for (auto& o : stmt->order_by) number(o.expr, false);
  PQ_RETURN_IF_ERROR(err);
  std::function<void(const ExprPtr&)> no_star = [&](const ExprPtr& e) {
    Walk(e, [&](const ExprPtr& x) {
      if (x->kind == ExprKind::kStar && err.ok()) {
        err = SemanticError(sql, x->pos, "'*' is only allowed in COUNT(*) and the select list");
      }
    });
  };
  no_star(stmt->where);
  for (auto& g : stmt->group_by) no_star(g);
  PQ_RETURN_IF_ERROR(err);
  *aggregated = !stmt->group_by.empty() || !aggregates->empty();
  if (stmt->having && !*aggregated) {
    return SemanticError(sql, stmt->having->pos, "HAVING needs GROUP BY or aggregates");
  }
  if (*aggregated) {
    for (const auto& item : stmt->items) {
      if (item.star) return Status::InvalidArgument("SELECT * cannot be combined with GROUP BY or aggregates");
    }
  }
  return static_cast<int>(aggregates->size());
}

Value PushdownFilter(const SelectStmt& stmt, const TableInfo& table, const std::vector<Value>& params,
                     int64_t now) {
  if (!stmt.where) return Value();
  auto f = Push(*stmt.where, table, params, now);
  return f ? *f : Value();
}

namespace {

struct OutRow {
  std::vector<Value> values;
  std::vector<Value> keys;
  // Deterministic tie-break after the ORDER BY keys, independent of scan order (so a
  // view and its source give the same rows under LIMIT): the document's $id, or the
  // group key values.
  std::vector<Value> tiebreak;
  size_t seq = 0;
};

Result<int64_t> ConstInt(const ExprPtr& e, const std::vector<Value>& params, const char* what,
                         std::string_view sql) {
  if (!e) return -1;
  auto v = IsConstant(*e) ? ConstValue(*e, params, 0) : std::nullopt;
  if (!v || v->kind() != K::kInt || v->as_int() < 0) {
    return SemanticError(sql, e->pos, std::string(what) + " must be a non-negative integer");
  }
  return v->as_int();
}

// ---- columnar engine (DB::Aggregate, src/exec) ----

// What a declared top-level field compares like: 'n' number, 's' string, 'b' bool,
// 't' timestamp; 0 for anything else (variants, arrays, dates, relations).
char FieldClass(const TableInfo& t, const std::string& top) {
  if (top.find('.') != std::string::npos) return 0;
  for (const char* p : {"int", "float", "double", "decimal"}) {
    if (t.FieldIs(top, p)) return 'n';
  }
  if (t.FieldIs(top, "string")) return 's';
  if (t.FieldIs(top, "boolean")) return 'b';
  if (t.FieldIs(top, "timestamp")) return 't';
  return 0;
}

bool LiteralFits(char cls, const Value& v) {
  switch (cls) {
    case 'n': return v.is_number();
    case 's': return v.kind() == K::kString;
    case 'b': return v.kind() == K::kBool;
    case 't': return v.kind() == K::kTimestamp;
    default: return false;
  }
}

// The Mongo filter that selects exactly the rows for which `e` (a WHERE) is true, for
// conjunctions of comparisons of typed columns with literals of their class (<> on
// required fields), IN,
// BETWEEN and IS [NOT] NULL (the filter language and SQL agree on these); nullopt
// for anything else.
bool ExactConjuncts(const ExprPtr& e, const TableInfo& t, const std::vector<Value>& params,
                    int64_t now, Value::Array* out) {
  auto column = [&](const ExprPtr& x) -> char {
    return x->kind == ExprKind::kColumn ? FieldClass(t, x->path) : 0;
  };
  auto literal = [&](const ExprPtr& x, char cls) -> std::optional<Value> {
    auto v = ConstValue(*x, params, now);
    if (!v || !LiteralFits(cls, *v)) return std::nullopt;
    return v;
  };
  auto cond = [&](const std::string& field, Value c) {
    out->push_back(Value::MakeObject({{field, std::move(c)}}));
  };
  switch (e->kind) {
    case ExprKind::kBinary: {
      if (e->op == "AND") {
        return ExactConjuncts(e->args[0], t, params, now, out) &&
               ExactConjuncts(e->args[1], t, params, now, out);
      }
      static const std::pair<const char*, const char*> kOps[] = {
          {"=", "$eq"}, {"<", "$lt"}, {"<=", "$lte"}, {">", "$gt"}, {">=", "$gte"}};
      static const std::pair<const char*, const char*> kFlip[] = {
          {"=", "$eq"}, {"<", "$gt"}, {"<=", "$gte"}, {">", "$lt"}, {">=", "$lte"}};
      for (int side = 0; side < 2; side++) {
        const ExprPtr& col = e->args[static_cast<size_t>(side)];
        const ExprPtr& lit = e->args[static_cast<size_t>(1 - side)];
        const char cls = column(col);
        if (cls == 0) continue;
        auto v = literal(lit, cls);
        if (!v) return false;
        if (cls == 'b' && e->op != "=") return false;
        // $ne also matches a missing field, where SQL's <> is NULL: required fields only.
        if (e->op == "<>") {
          if (!t.FieldRequired(col->path)) return false;
          cond(col->path, Value::MakeObject({{"$ne", *v}}));
          return true;
        }
        for (const auto& [sql_op, mongo_op] : side == 0 ? kOps : kFlip) {
          if (e->op == sql_op) {
            cond(col->path, Value::MakeObject({{mongo_op, *v}}));
            return true;
          }
        }
        return false;
      }
      return false;
    }
    case ExprKind::kIsNull: {
      if (column(e->args[0]) == 0) return false;
      cond(e->args[0]->path, e->negated ? Value::MakeObject({{"$ne", Value()}}) : Value());
      return true;
    }
    case ExprKind::kIn: {
      const char cls = column(e->args[0]);
      if (cls == 0 || e->negated) return false;
      Value::Array list;
      for (size_t i = 1; i < e->args.size(); i++) {
        auto v = literal(e->args[i], cls);
        if (!v) return false;
        list.push_back(std::move(*v));
      }
      cond(e->args[0]->path, Value::MakeObject({{"$in", Value::MakeArray(std::move(list))}}));
      return true;
    }
    case ExprKind::kBetween: {
      const char cls = column(e->args[0]);
      if (cls == 0 || e->negated || cls == 'b') return false;
      auto lo = literal(e->args[1], cls);
      auto hi = literal(e->args[2], cls);
      if (!lo || !hi) return false;
      cond(e->args[0]->path, Value::MakeObject({{"$gte", *lo}, {"$lte", *hi}}));
      return true;
    }
    default:
      return false;
  }
}

// How one SQL aggregate reads the columnar result: indexes into the request's calls.
struct ColumnarAgg {
  std::string name;
  int first = -1, second = -1;  // avg: sum, count
};

// A DB::Aggregate request computing the groups and aggregates of `s`, or nullopt
// when the statement is beyond it (the row path runs).
std::optional<DB::AggregateRequest> ColumnarRequest(const SelectStmt& s, const TableInfo& t,
                                                    const std::vector<ExprPtr>& aggs,
                                                    const std::vector<Value>& params,
                                                    int64_t now, std::vector<ColumnarAgg>* map) {
  DB::AggregateRequest req;
  if (s.where) {
    Value::Array conj;
    if (!ExactConjuncts(s.where, t, params, now, &conj)) return std::nullopt;
    req.filter = conj.size() == 1 ? conj[0] : Value::MakeObject({{"$and", Value::MakeArray(std::move(conj))}});
  }
  for (const ExprPtr& g : s.group_by) {
    if (g->kind == ExprKind::kColumn && g->path.find('.') == std::string::npos) {
      req.group_by.push_back({g->path, ""});
      continue;
    }
    if (g->kind == ExprKind::kFunction && (g->name == "date_trunc" || g->name == "datetrunc") &&
        g->args.size() == 2 && g->args[0]->kind == ExprKind::kLiteral &&
        g->args[0]->value.kind() == K::kString && g->args[1]->kind == ExprKind::kColumn &&
        t.FieldIs(g->args[1]->path, "timestamp")) {
      std::string unit = g->args[0]->value.as_string();
      for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (unit != "minute" && unit != "hour" && unit != "day" && unit != "week" &&
          unit != "month" && unit != "year") {
        return std::nullopt;
      }
      req.group_by.push_back({g->args[1]->path, unit});
      continue;
    }
    return std::nullopt;
  }
  auto call = [&](const std::string& op, const std::string& field) {
    req.aggregates.push_back({op, field});
    return static_cast<int>(req.aggregates.size() - 1);
  };
  for (const ExprPtr& a : aggs) {
    if (a->distinct || a->args.size() != 1) return std::nullopt;
    const ExprPtr& arg = a->args[0];
    ColumnarAgg m;
    m.name = a->name;
    if (arg->kind == ExprKind::kStar) {
      if (a->name != "count") return std::nullopt;
      m.first = call("count", "");
    } else if (arg->kind == ExprKind::kColumn && arg->path.find('.') == std::string::npos) {
      if (a->name == "avg") {
        m.first = call("sum", arg->path);
        m.second = call("count", arg->path);
      } else if (a->name == "count" || a->name == "sum" || a->name == "min" || a->name == "max") {
        m.first = call(a->name, arg->path);
      } else {
        return std::nullopt;
      }
    } else {
      return std::nullopt;
    }
    map->push_back(std::move(m));
  }
  return req;
}

}  // namespace

Result<SqlResult> Run(DB* db, const SelectStmt& stmt, const TableInfo& table,
                      const std::vector<Value>& params, const SqlOptions& options, int64_t now,
                      std::vector<std::string> plan, std::string_view sql) {
  if (static_cast<int>(params.size()) < stmt.num_params) {
    return Status::InvalidArgument("the statement has " + std::to_string(stmt.num_params) +
                                   " parameters but " + std::to_string(params.size()) +
                                   " were bound");
  }
  SelectStmt s = stmt;  // Bind mutates
  bool aggregated = false;
  std::vector<ExprPtr> aggs;
  PQ_ASSIGN_OR_RETURN(int num_aggs, Bind(&s, table, &aggregated, &aggs, sql));
  PQ_ASSIGN_OR_RETURN(int64_t limit, ConstInt(s.limit, params, "LIMIT", sql));
  PQ_ASSIGN_OR_RETURN(int64_t offset, ConstInt(s.offset, params, "OFFSET", sql));
  if (offset < 0) offset = 0;

  // Pushdown.
  FindOptions fo;
  fo.as_of = options.as_of;
  Value filter = PushdownFilter(s, table, params, now);
  bool star = false;
  std::set<std::string> tops;
  auto collect = [&](const ExprPtr& root) {
    Walk(root, [&](const ExprPtr& e) {
      if (e->kind == ExprKind::kColumn) tops.insert(TopSegment(e->path));
    });
  };
  for (const auto& item : s.items) {
    if (item.star) star = true;
    collect(item.expr);
  }
  collect(s.where);
  for (const auto& g : s.group_by) collect(g);
  collect(s.having);
  for (const auto& o : s.order_by) {
    bool alias = o.expr->kind == ExprKind::kColumn &&
                 std::any_of(s.items.begin(), s.items.end(),
                             [&](const SelectItem& i) { return !i.star && i.alias == o.expr->path; });
    if (!alias) collect(o.expr);
  }
  if (!star) {
    Value proj = Value::MakeObject();
    if (tops.empty()) proj.Set("$id", Value::Int(1));
    for (const auto& t : tops) proj.Set(t, Value::Int(1));
    fo.project = proj;
  }
  plan.push_back("scan: " + table.name + (table.is_view ? " (view)" : " (collection)"));
  plan.push_back("pushed filter: " + (filter.is_null() ? std::string("none") : filter.ToJsonString()));
  plan.push_back("projection: " + (fo.project.is_null() ? std::string("all fields")
                                                        : fo.project.ToJsonString()));
  if (s.where) plan.push_back("residual filter: " + ExprToString(*s.where));
  if (aggregated) {
    std::string g;
    for (const auto& e : s.group_by) g += (g.empty() ? "" : ", ") + ExprToString(*e);
    plan.push_back("hash aggregate: " + std::to_string(num_aggs) + " aggregates" +
                   (g.empty() ? std::string(", one group") : ", by " + g));
  }
  if (!s.order_by.empty()) {
    plan.push_back(limit >= 0 ? "sort: top-" + std::to_string(limit + offset) : std::string("sort: full"));
  }

  // Aggregates run on the columnar engine when it covers them (views: typed by the
  // columns whose types are known from their source).
  std::vector<ColumnarAgg> columnar_map;
  std::optional<DB::AggregateRequest> columnar;
  if (aggregated && options.columnar) {
    TableInfo typed = table;
    if (table.is_view) typed.fields = table.view_types;
    columnar = ColumnarRequest(s, typed, aggs, params, now, &columnar_map);
    if (columnar) {
      columnar->as_of = options.as_of;
      columnar->check_only = true;
      if (!db->Aggregate(table.name, *columnar).ok()) columnar.reset();
      if (columnar) columnar->check_only = false;
    }
  }
  // Plain SELECTs (no '*') read only their columns through the column scan when every
  // one is a typed scalar column; rows are built for the pushed filter's matches only.
  std::optional<DB::ColumnsRequest> column_scan;
  if (!aggregated && !star && options.columnar) {
    column_scan.emplace();
    column_scan->filter = filter;
    column_scan->fields.assign(tops.begin(), tops.end());
    column_scan->as_of = options.as_of;
    column_scan->check_only = true;
    if (!db->FindColumns(table.name, *column_scan).ok()) column_scan.reset();
    if (column_scan) column_scan->check_only = false;
  }
  plan.push_back(columnar      ? "engine: columnar (src/exec: column scan, vectorized hash aggregate)"
                 : column_scan ? "engine: columnar (src/exec: column scan of the needed columns)"
                               : "engine: row (documents)");

  SqlResult result;
  if (stmt.explain) {
    result.columns = {"plan"};
    for (auto& line : plan) result.rows.push_back({Value::String(line)});
    result.plan = std::move(plan);
    return result;
  }

  std::optional<std::vector<DB::AggregateRow>> columnar_rows;
  if (columnar) {
    auto r = db->Aggregate(table.name, *columnar);
    if (r.ok()) {
      columnar_rows = std::move(*r);
    } else if (!r.status().IsNotSupported()) {
      return r.status();
    }
  }
  std::vector<Value> docs;
  bool scanned = false;
  if (column_scan) {
    auto r = db->FindColumns(table.name, *column_scan);
    if (r.ok()) {
      docs = std::move(*r);
      scanned = true;
    } else if (!r.status().IsNotSupported()) {
      return r.status();
    }
  }
  if (!columnar_rows && !scanned) {
    auto docs_r = db->Find(table.name, filter, fo);
    if (!docs_r.ok()) return docs_r.status();
    docs = std::move(*docs_r);
  }

  EvalContext base;
  base.params = &params;
  base.now = now;

  // WHERE.
  if (s.where && !columnar_rows) {
    size_t w = 0;
    for (size_t i = 0; i < docs.size(); i++) {
      EvalContext ctx = base;
      ctx.row = &docs[i];
      PQ_ASSIGN_OR_RETURN(Value v, Eval(*s.where, ctx));
      if (!v.is_null() && v.kind() != K::kBool) {
        return SemanticError(sql, s.where->pos, "WHERE must be a boolean, got " +
                                                    std::string(Value::KindName(v.kind())));
      }
      if (IsTrue(v)) {
        if (w != i) docs[w] = std::move(docs[i]);
        w++;
      }
    }
    docs.resize(w);
  }

  // Output columns ('*': every top-level field found in the rows, first-seen order).
  std::vector<std::string> star_names;
  if (star) {
    std::set<std::string> seen;
    for (const Value& d : docs) {
      if (d.kind() != K::kObject) continue;
      for (const auto& [k, v] : d.as_object()) {
        if (seen.insert(k).second) star_names.push_back(k);
      }
    }
  }
  for (const auto& item : s.items) {
    if (item.star) {
      for (const auto& n : star_names) result.columns.push_back(n);
    } else {
      result.columns.push_back(OutputName(item));
    }
  }

  // ORDER BY resolution: output column index or expression.
  struct SortKey {
    int column = -1;
    const Expr* expr = nullptr;
    bool desc = false;
    bool nulls_first = false;
  };
  std::vector<SortKey> keys;
  for (const auto& o : s.order_by) {
    SortKey k;
    k.desc = o.descending;
    k.nulls_first = o.nulls_first.value_or(false);
    const Expr& e = *o.expr;
    if (e.kind == ExprKind::kLiteral && e.value.kind() == K::kInt) {
      int64_t p = e.value.as_int();
      if (p < 1 || p > static_cast<int64_t>(result.columns.size())) {
        return SemanticError(sql, e.pos, "ORDER BY position " + std::to_string(p) +
                                             " is not in the select list");
      }
      k.column = static_cast<int>(p - 1);
    } else if (!star) {
      for (size_t i = 0; i < s.items.size() && k.column < 0; i++) {
        if (e.kind == ExprKind::kColumn && s.items[i].alias == e.path) k.column = static_cast<int>(i);
      }
      std::string text = ExprToString(e);
      for (size_t i = 0; i < s.items.size() && k.column < 0; i++) {
        if (ExprToString(*s.items[i].expr) == text) k.column = static_cast<int>(i);
      }
    }
    if (k.column < 0) k.expr = o.expr.get();
    keys.push_back(k);
  }

  std::vector<OutRow> out;
  auto emit = [&](const EvalContext& ctx, const Value* doc) -> Status {
    OutRow r;
    r.seq = out.size();
    if (!keys.empty()) {
      if (doc != nullptr) {
        const Value* id = doc->Find("$id");
        if (id != nullptr) r.tiebreak.push_back(*id);
      } else if (ctx.group_values != nullptr) {
        r.tiebreak = *ctx.group_values;
      }
    }
    for (const auto& item : s.items) {
      if (item.star) {
        for (const auto& n : star_names) {
          const Value* f = doc != nullptr ? doc->Find(n) : nullptr;
          r.values.push_back(f != nullptr ? *f : Value());
        }
        continue;
      }
      PQ_ASSIGN_OR_RETURN(Value v, Eval(*item.expr, ctx));
      r.values.push_back(std::move(v));
    }
    for (const auto& k : keys) {
      if (k.column >= 0) {
        r.keys.push_back(r.values[static_cast<size_t>(k.column)]);
      } else {
        PQ_ASSIGN_OR_RETURN(Value v, Eval(*k.expr, ctx));
        r.keys.push_back(std::move(v));
      }
    }
    out.push_back(std::move(r));
    return Status::OK();
  };

  if (columnar_rows) {
    std::vector<std::string> group_texts;
    for (const auto& g : s.group_by) group_texts.push_back(ExprToString(*g));
    for (DB::AggregateRow& row : *columnar_rows) {
      std::vector<Value> agg_values;
      for (const ColumnarAgg& m : columnar_map) {
        const Value& first = row.values[static_cast<size_t>(m.first)];
        if (m.name == "avg") {
          const Value& n = row.values[static_cast<size_t>(m.second)];
          agg_values.push_back(n.as_int() == 0 || first.is_null()
                                   ? Value()
                                   : Value::Double(first.as_double() / static_cast<double>(n.as_int())));
        } else {
          agg_values.push_back(first);
        }
      }
      EvalContext ctx = base;
      ctx.group_texts = &group_texts;
      ctx.group_values = &row.keys;
      ctx.agg_values = &agg_values;
      if (s.having) {
        PQ_ASSIGN_OR_RETURN(Value h, Eval(*s.having, ctx));
        if (!IsTrue(h)) continue;
      }
      PQ_RETURN_IF_ERROR(emit(ctx, nullptr));
    }
  } else if (!aggregated) {
    for (const Value& d : docs) {
      EvalContext ctx = base;
      ctx.row = &d;
      PQ_RETURN_IF_ERROR(emit(ctx, &d));
    }
  } else {
    std::vector<std::string> group_texts;
    for (const auto& g : s.group_by) group_texts.push_back(ExprToString(*g));
    struct Group {
      std::vector<Value> key;
      std::vector<Acc> accs;
    };
    std::unordered_map<std::vector<Value>, size_t, ValueVecHash, ValueVecEq> index;
    std::vector<Group> groups;
    for (const Value& d : docs) {
      EvalContext ctx = base;
      ctx.row = &d;
      std::vector<Value> key;
      key.reserve(s.group_by.size());
      for (const auto& g : s.group_by) {
        PQ_ASSIGN_OR_RETURN(Value v, Eval(*g, ctx));
        key.push_back(std::move(v));
      }
      auto [it, inserted] = index.try_emplace(key, groups.size());
      if (inserted) groups.push_back(Group{std::move(key), std::vector<Acc>(aggs.size())});
      Group& g = groups[it->second];
      for (size_t i = 0; i < aggs.size(); i++) PQ_RETURN_IF_ERROR(Accumulate(&g.accs[i], *aggs[i], ctx));
    }
    if (groups.empty() && s.group_by.empty()) groups.push_back(Group{{}, std::vector<Acc>(aggs.size())});
    for (Group& g : groups) {
      std::vector<Value> agg_values;
      for (size_t i = 0; i < aggs.size(); i++) {
        PQ_ASSIGN_OR_RETURN(Value v, Finalize(g.accs[i], *aggs[i]));
        agg_values.push_back(std::move(v));
      }
      EvalContext ctx = base;
      ctx.group_texts = &group_texts;
      ctx.group_values = &g.key;
      ctx.agg_values = &agg_values;
      if (s.having) {
        PQ_ASSIGN_OR_RETURN(Value h, Eval(*s.having, ctx));
        if (!IsTrue(h)) continue;
      }
      PQ_RETURN_IF_ERROR(emit(ctx, nullptr));
    }
  }

  if (s.distinct) {
    std::unordered_set<std::vector<Value>, ValueVecHash, ValueVecEq> seen;
    size_t w = 0;
    for (size_t i = 0; i < out.size(); i++) {
      if (seen.insert(out[i].values).second) {
        if (w != i) out[w] = std::move(out[i]);
        w++;
      }
    }
    out.resize(w);
  }

  if (!keys.empty()) {
    auto less = [&](const OutRow& a, const OutRow& b) {
      for (size_t i = 0; i < keys.size(); i++) {
        const Value& x = a.keys[i];
        const Value& y = b.keys[i];
        if (x.is_null() || y.is_null()) {
          if (x.is_null() && y.is_null()) continue;
          return x.is_null() == keys[i].nulls_first;
        }
        int c = Value::Compare(x, y);
        if (c != 0) return keys[i].desc ? c > 0 : c < 0;
      }
      size_t n = std::min(a.tiebreak.size(), b.tiebreak.size());
      for (size_t i = 0; i < n; i++) {
        int c = Value::Compare(a.tiebreak[i], b.tiebreak[i]);
        if (c != 0) return c < 0;
      }
      return a.seq < b.seq;
    };
    size_t want = out.size();
    if (limit >= 0) want = static_cast<size_t>(std::min<int64_t>(limit + offset, static_cast<int64_t>(out.size())));
    if (want < out.size()) {
      std::partial_sort(out.begin(), out.begin() + static_cast<ptrdiff_t>(want), out.end(), less);
      out.resize(want);
    } else {
      std::sort(out.begin(), out.end(), less);
    }
  }
  size_t begin = std::min(out.size(), static_cast<size_t>(offset));
  size_t end = limit < 0 ? out.size() : std::min(out.size(), begin + static_cast<size_t>(limit));
  for (size_t i = begin; i < end; i++) result.rows.push_back(std::move(out[i].values));
  result.plan = std::move(plan);
  return result;
}

}  // namespace parquedb::sql
