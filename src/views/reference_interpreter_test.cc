// Reference interpreter: see reference_interpreter_test.h. Written for clarity, not speed;
// every semantic rule is re-implemented here from the documented contracts.
#include "views/reference_interpreter_test.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>
#include <utility>

#include "query/filter.h"
#include "views/time_bucket.h"
#include "views/timezone.h"

namespace parquedb::views::reference {

namespace {

using Kind = Value::Kind;
using catalog::FieldDef;
using catalog::TypeKind;
using Segs = std::vector<std::string>;

Segs Split(std::string_view path) {
  Segs out;
  std::string cur;
  for (char c : path) {
    if (c == '.') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  out.push_back(cur);
  return out;
}

std::string Join(const Segs& s, size_t n, char sep) {
  std::string out;
  for (size_t i = 0; i < n && i < s.size(); ++i) {
    if (i > 0) out.push_back(sep);
    out += s[i];
  }
  return out;
}

std::string StripDollar(const std::string& s) {
  return !s.empty() && s[0] == '$' ? s.substr(1) : s;
}

bool AsIndex(const std::string& s, size_t* idx) {
  if (s.empty() || s.size() > 18) return false;
  if (s.size() > 1 && s[0] == '0') return false;
  size_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  *idx = v;
  return true;
}

// ---- path semantics (documented in expression.h) ----

// Value of a path; arrays with a non-index step map the rest over their elements.
bool GetPath(const Value& v, const Segs& segs, size_t i, Value* out) {
  if (i == segs.size()) {
    *out = v;
    return true;
  }
  size_t idx = 0;
  if (v.kind() == Kind::kObject) {
    const Value* m = v.Find(segs[i]);
    if (m == nullptr) return false;
    return GetPath(*m, segs, i + 1, out);
  }
  if (v.kind() == Kind::kArray) {
    if (AsIndex(segs[i], &idx)) {
      if (idx >= v.as_array().size()) return false;
      return GetPath(v.as_array()[idx], segs, i + 1, out);
    }
    Value::Array mapped;
    for (const Value& e : v.as_array()) {
      Value r;
      if (!GetPath(e, segs, i, &r)) r = Value();
      mapped.push_back(r);
    }
    *out = Value::MakeArray(mapped);
    return true;
  }
  return false;
}

Value GetOrNull(const Value& v, const std::string& path) {
  Value out;
  if (!GetPath(v, Split(path), 0, &out)) return Value();
  return out;
}

// All values found at a path (fan-out, final array flattened one level, nulls skipped).
void Gather(const Value& v, const Segs& segs, size_t i, std::vector<Value>* out) {
  if (i == segs.size()) {
    if (v.kind() == Kind::kArray) {
      for (const Value& e : v.as_array()) {
        if (!e.is_null()) out->push_back(e);
      }
    } else if (!v.is_null()) {
      out->push_back(v);
    }
    return;
  }
  size_t idx = 0;
  if (v.kind() == Kind::kObject) {
    if (const Value* m = v.Find(segs[i])) Gather(*m, segs, i + 1, out);
  } else if (v.kind() == Kind::kArray) {
    if (AsIndex(segs[i], &idx)) {
      if (idx < v.as_array().size()) Gather(v.as_array()[idx], segs, i + 1, out);
    } else {
      for (const Value& e : v.as_array()) Gather(e, segs, i, out);
    }
  }
}

bool Has(const Value& v, const Segs& segs, size_t i) {
  if (i == segs.size()) return true;
  size_t idx = 0;
  if (v.kind() == Kind::kObject) {
    const Value* m = v.Find(segs[i]);
    return m != nullptr && Has(*m, segs, i + 1);
  }
  if (v.kind() == Kind::kArray) {
    if (AsIndex(segs[i], &idx))
      return idx < v.as_array().size() && Has(v.as_array()[idx], segs, i + 1);
    for (const Value& e : v.as_array()) {
      if (Has(e, segs, i)) return true;
    }
  }
  return false;
}

// Object/index steps only.
const Value* PlainGet(const Value& v, const Segs& segs) {
  const Value* cur = &v;
  for (const std::string& s : segs) {
    size_t idx = 0;
    if (cur->kind() == Kind::kObject) {
      cur = cur->Find(s);
      if (cur == nullptr) return nullptr;
    } else if (cur->kind() == Kind::kArray && AsIndex(s, &idx)) {
      if (idx >= cur->as_array().size()) return nullptr;
      cur = &cur->as_array()[idx];
    } else {
      return nullptr;
    }
  }
  return cur;
}

Value PlainSet(const Value& v, const Segs& segs, size_t i, const Value& x) {
  if (i == segs.size()) return x;
  size_t idx = 0;
  if (v.kind() == Kind::kObject) {
    Value::Object o = v.as_object();
    for (auto& [k, m] : o) {
      if (k == segs[i]) m = PlainSet(m, segs, i + 1, x);
    }
    return Value::MakeObject(o);
  }
  if (v.kind() == Kind::kArray && AsIndex(segs[i], &idx)) {
    Value::Array a = v.as_array();
    a[idx] = PlainSet(a[idx], segs, i + 1, x);
    return Value::MakeArray(a);
  }
  return v;
}

bool Truthy(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull:
      return false;
    case Kind::kBool:
      return v.as_bool();
    case Kind::kInt:
    case Kind::kDouble:
    case Kind::kDecimal: {
      if (v.kind() == Kind::kDecimal) return v.as_decimal().unscaled != 0;
      const double d = v.as_double();
      return d == d && d != 0;
    }
    default:
      return true;
  }
}

// ---- exact-ish numbers ----

struct Num {
  __int128 unscaled;
  int scale;
};
Num ToNum(const Value& v) {
  if (v.kind() == Kind::kDecimal) return {v.as_decimal().unscaled, v.as_decimal().scale};
  return {v.as_int(), 0};
}
__int128 Pow10(int n) {
  __int128 r = 1;
  while (n-- > 0) r *= 10;
  return r;
}
Value FromInt128(__int128 v) {
  if (v >= INT64_MIN && v <= INT64_MAX) return Value::Int(static_cast<int64_t>(v));
  return Value::Dec(Decimal{v, 0});
}

Value Arith(char op, const Value& a, const Value& b) {
  if (!a.is_number() || !b.is_number()) return Value();
  if (op == '/') {
    if (b.as_double() == 0) return Value();
    return Value::Double(a.as_double() / b.as_double());
  }
  if (a.kind() == Kind::kDouble || b.kind() == Kind::kDouble) {
    const double x = a.as_double(), y = b.as_double();
    return Value::Double(op == '+' ? x + y : op == '-' ? x - y : x * y);
  }
  const Num x = ToNum(a), y = ToNum(b);
  const bool ints = a.kind() == Kind::kInt && b.kind() == Kind::kInt;
  if (op == '*') {
    const __int128 p = x.unscaled * y.unscaled;
    return ints ? FromInt128(p) : Value::Dec(Decimal{p, x.scale + y.scale});
  }
  const int s = std::max(x.scale, y.scale);
  const __int128 xa = x.unscaled * Pow10(s - x.scale), ya = y.unscaled * Pow10(s - y.scale);
  const __int128 r = op == '+' ? xa + ya : xa - ya;
  return ints ? FromInt128(r) : Value::Dec(Decimal{r, s});
}

std::optional<int> CompareValues(const Value& a, const Value& b) {
  std::optional<int> c = query::CompareWithLiteral(a, b);
  if (c.has_value()) return c;
  c = query::CompareWithLiteral(b, a);
  if (c.has_value()) return -*c;
  return std::nullopt;
}

Value Eval(const Value& e, const Value& row);

std::vector<Value> EvalArgs(const Value& arg, const Value& row) {
  std::vector<Value> out;
  if (arg.kind() == Kind::kArray) {
    for (const Value& a : arg.as_array()) out.push_back(Eval(a, row));
  } else {
    out.push_back(Eval(arg, row));
  }
  return out;
}

Value Eval(const Value& e, const Value& row) {
  if (e.kind() == Kind::kString) {
    const std::string& s = e.as_string();
    if (!s.empty() && s[0] == '$') return GetOrNull(row, s.substr(1));
    return e;
  }
  if (e.kind() == Kind::kArray) {
    Value::Array a;
    for (const Value& x : e.as_array()) a.push_back(Eval(x, row));
    return Value::MakeArray(a);
  }
  if (e.kind() != Kind::kObject || e.as_object().empty()) return e;
  const std::string& op = e.as_object()[0].first;
  const Value& arg = e.as_object()[0].second;
  if (op.empty() || op[0] != '$') {
    Value::Object o;
    for (const auto& [k, v] : e.as_object()) o.emplace_back(k, Eval(v, row));
    return Value::MakeObject(o);
  }
  if (op == "$literal") return arg;
  if (op == "$cond") {
    if (arg.kind() == Kind::kObject) {
      return Truthy(Eval(*arg.Find("if"), row)) ? Eval(*arg.Find("then"), row)
                                                : Eval(*arg.Find("else"), row);
    }
    const auto& a = arg.as_array();
    return Truthy(Eval(a[0], row)) ? Eval(a[1], row) : Eval(a[2], row);
  }
  if (op == "$exists") {
    const Value& p = arg.kind() == Kind::kArray ? arg.as_array()[0] : arg;
    return Value::Bool(Has(row, Split(p.as_string().substr(1)), 0));
  }
  if (op == "$eq" || op == "$ne" || op == "$gt" || op == "$gte" || op == "$lt" || op == "$lte") {
    const std::vector<Value> a = EvalArgs(arg, row);
    const std::optional<int> c = CompareValues(a[0], a[1]);
    if (op == "$eq") return Value::Bool(c == 0);
    if (op == "$ne") return Value::Bool(c != 0);
    if (!c.has_value()) return Value::Bool(false);
    if (op == "$gt") return Value::Bool(*c > 0);
    if (op == "$gte") return Value::Bool(*c >= 0);
    if (op == "$lt") return Value::Bool(*c < 0);
    return Value::Bool(*c <= 0);
  }
  if (op == "$and" || op == "$or") {
    const std::vector<Value> a = EvalArgs(arg, row);
    bool r = op == "$and";
    for (const Value& x : a) r = op == "$and" ? (r && Truthy(x)) : (r || Truthy(x));
    return Value::Bool(r);
  }
  if (op == "$not") return Value::Bool(!Truthy(EvalArgs(arg, row)[0]));
  if (op == "$add" || op == "$multiply" || op == "$subtract" || op == "$divide") {
    const std::vector<Value> a = EvalArgs(arg, row);
    const char c = op == "$add" ? '+' : op == "$multiply" ? '*' : op == "$subtract" ? '-' : '/';
    Value acc = a[0];
    if (!acc.is_number()) return Value();
    for (size_t i = 1; i < a.size(); ++i) acc = Arith(c, acc, a[i]);
    return acc;
  }
  if (op == "$ifNull") {
    for (const Value& x : EvalArgs(arg, row)) {
      if (!x.is_null()) return x;
    }
    return Value();
  }
  return Value();
}

// ---- aggregates ----

struct Item {
  Value created;
  std::string id;
  int64_t sub = 0;
  int64_t pos = 0;
  Value v;
};

bool ItemBefore(const Item& a, const Item& b) {
  int c = Value::Compare(a.created, b.created);
  if (c != 0) return c < 0;
  if (a.id != b.id) return a.id < b.id;
  if (a.sub != b.sub) return a.sub < b.sub;
  return a.pos < b.pos;
}

Value Aggregate(const std::string& op, std::vector<Item> items, const Value& zero) {
  if (op == "$count") return Value::Int(static_cast<int64_t>(items.size()));
  if (op == "$min" || op == "$max") {
    if (items.empty()) return Value();
    // Among Compare-equal values the extreme of (kind, decimal scale, sign of zero).
    auto order = [](const Value& a, const Value& b) {
      int c = Value::Compare(a, b);
      if (c != 0) return c;
      if (a.kind() != b.kind()) return a.kind() < b.kind() ? -1 : 1;
      if (a.kind() == Kind::kDecimal) return a.as_decimal().scale - b.as_decimal().scale;
      if (a.kind() == Kind::kDouble) {
        return static_cast<int>(!std::signbit(a.as_double())) -
               static_cast<int>(!std::signbit(b.as_double()));
      }
      return catalog::CanonicalJson(a).compare(catalog::CanonicalJson(b));
    };
    Value best = items[0].v;
    for (const Item& it : items) {
      const int c = order(it.v, best);
      if (op == "$min" ? c < 0 : c > 0) best = it.v;
    }
    return best;
  }
  if (op == "$first" || op == "$last") {
    if (items.empty()) return Value();
    std::sort(items.begin(), items.end(), ItemBefore);
    return op == "$first" ? items.front().v : items.back().v;
  }
  std::vector<Value> nums;
  for (const Item& it : items) {
    if (it.v.is_number()) nums.push_back(it.v);
  }
  bool any_double = false, any_decimal = false;
  for (const Value& v : nums) {
    any_double = any_double || v.kind() == Kind::kDouble;
    any_decimal = any_decimal || v.kind() == Kind::kDecimal;
  }
  int scale = 0;
  for (const Value& v : nums) {
    if (v.kind() == Kind::kDecimal) scale = std::max(scale, v.as_decimal().scale);
  }
  __int128 exact = 0;
  long double approx = 0;
  for (const Value& v : nums) {
    if (v.kind() != Kind::kDouble) {
      const Num n = ToNum(v);
      exact += n.unscaled * Pow10(scale - n.scale);
    } else {
      approx += v.as_double();
    }
  }
  const long double total =
      approx + static_cast<long double>(exact) / static_cast<long double>(Pow10(scale));
  const auto n = static_cast<long double>(nums.size());
  if (op == "$sum") {
    if (nums.empty()) return zero;
    if (any_double) return Value::Double(static_cast<double>(total));
    if (any_decimal) return Value::Dec(Decimal{exact, scale});
    return FromInt128(exact);
  }
  if (op == "$avg") {
    if (nums.empty()) return Value();
    return Value::Double(static_cast<double>(total / n));
  }
  // variance family
  const bool sample = op == "$stddevSamp" || op == "$varianceSamp";
  if (nums.empty() || (sample && nums.size() < 2)) return Value();
  const long double mean = total / n;
  long double ss = 0;
  for (const Value& v : nums) {
    long double x =
        v.kind() == Kind::kDecimal
            ? static_cast<long double>(v.as_decimal().unscaled) /
                  static_cast<long double>(Pow10(v.as_decimal().scale))
            : static_cast<long double>(v.kind() == Kind::kInt ? static_cast<long double>(v.as_int())
                                                              : v.as_double());
    ss += (x - mean) * (x - mean);
  }
  if (std::isnan(static_cast<double>(total)) || std::isinf(static_cast<double>(total))) {
    return Value::Double(std::nan(""));
  }
  bool nonfinite = false;
  for (const Value& v : nums) nonfinite = nonfinite || !std::isfinite(v.as_double());
  if (nonfinite) return Value::Double(std::nan(""));
  const double var = static_cast<double>(ss / (sample ? n - 1 : n));
  if (op == "$stddev" || op == "$stddevSamp") return Value::Double(std::sqrt(var));
  return Value::Double(var);
}

// ---- the interpreter ----

class Interpreter {
 public:
  Interpreter(const catalog::Catalog& cat, const Store& store) : cat_(cat), store_(store) {}

  Result<std::map<std::string, Value>> Run(std::string_view view_name);

 private:
  std::vector<FieldDef> Record(const std::string& coll) const {
    std::vector<FieldDef> out;
    FieldDef id;
    id.name = "$id";
    id.type.kind = TypeKind::kString;
    out.push_back(id);
    for (const FieldDef& f : cat_.FindCollection(coll)->fields()) out.push_back(f);
    for (const char* s : {"createdAt", "updatedAt", "version"}) {
      FieldDef f;
      f.name = s;
      f.type.kind = std::string(s) == "version" ? TypeKind::kInt : TypeKind::kTimestamp;
      out.push_back(f);
    }
    return out;
  }
  static const FieldDef* Field(const std::vector<FieldDef>& fs, const std::string& name) {
    for (const FieldDef& f : fs) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }

  std::optional<Value> Lookup(const std::string& coll, const std::string& id) const {
    auto it = store_.find(coll);
    if (it == store_.end()) return std::nullopt;
    for (const Value& d : it->second) {
      const Value* i = d.Find("$id");
      if (i != nullptr && i->kind() == Kind::kString && i->as_string() == id) return d;
    }
    return std::nullopt;
  }
  std::vector<Value> Referencing(const std::string& coll, const std::string& field,
                                 const std::string& id) const {
    std::vector<std::pair<std::string, Value>> found;
    auto it = store_.find(coll);
    if (it == store_.end()) return {};
    for (const Value& d : it->second) {
      const Value* f = d.Find(field);
      if (f == nullptr) continue;
      bool match = f->kind() == Kind::kString && f->as_string() == id;
      if (f->kind() == Kind::kArray) {
        for (const Value& e : f->as_array()) {
          match = match || (e.kind() == Kind::kString && e.as_string() == id);
        }
      }
      if (match) found.emplace_back(d.Find("$id")->as_string(), d);
    }
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Value> out;
    for (auto& [k, d] : found) out.push_back(d);
    return out;
  }

  // Marks the relations a path goes through as expanded (per view, not per document):
  // listed paths always; read paths when the relation is reverse, or followed by more
  // than "$id".
  void MarkExpansions(const Segs& segs, bool listed) {
    std::vector<FieldDef> fields = Record(source_coll_);
    std::string prefix;
    for (size_t i = 0; i < segs.size(); ++i) {
      const FieldDef* fd = Field(fields, segs[i]);
      if (fd == nullptr || !fd->type.is_relation()) return;
      const bool reverse = fd->type.kind == TypeKind::kReverseRelation;
      const bool more = i + 1 < segs.size();
      const bool only_id = i + 2 == segs.size() && segs[i + 1] == "$id";
      const std::string here = prefix.empty() ? segs[i] : prefix + "." + segs[i];
      if (!listed && !reverse && (!more || only_id) && expanded_.count(here) == 0) return;
      expanded_.insert(here);
      prefix = here;
      const std::string target = fd->type.target;
      const bool is_array = fd->type.is_array;
      fields = Record(target);  // invalidates fd
      size_t idx = 0;
      if (i + 1 < segs.size() && (reverse || is_array) && AsIndex(segs[i + 1], &idx)) ++i;
    }
  }

  // Replaces every marked relation of `doc` (a `coll` document at `prefix`) by the
  // related document(s), recursively.
  void ExpandDoc(Value* doc, const std::string& coll, const std::string& prefix) {
    if (doc->kind() != Kind::kObject) return;
    for (const FieldDef& f : Record(coll)) {
      if (!f.type.is_relation()) continue;
      const std::string here = prefix.empty() ? f.name : prefix + "." + f.name;
      if (expanded_.count(here) == 0) continue;
      const std::string& target = f.type.target;
      const Value* slot = doc->Find(f.name);
      Value nv;
      if (f.type.kind == TypeKind::kReverseRelation) {
        const Value* id = doc->Find("$id");
        nv = id != nullptr && id->kind() == Kind::kString
                 ? Value::MakeArray(Referencing(target, f.type.inverse, id->as_string()))
                 : Value::MakeArray();
      } else if (f.type.is_array) {
        if (slot != nullptr && slot->kind() == Kind::kArray) {
          Value::Array a;
          for (const Value& e : slot->as_array()) {
            std::optional<Value> d;
            if (e.kind() == Kind::kString) d = Lookup(target, e.as_string());
            a.push_back(d.has_value() ? *d : Value());
          }
          nv = Value::MakeArray(a);
        }
      } else if (slot != nullptr && slot->kind() == Kind::kString) {
        std::optional<Value> d = Lookup(target, slot->as_string());
        if (d.has_value()) nv = *d;
      }
      if (nv.kind() == Kind::kObject) {
        ExpandDoc(&nv, target, here);
      } else if (nv.kind() == Kind::kArray) {
        for (Value& e : nv.mutable_array()) ExpandDoc(&e, target, here);
      }
      doc->Set(f.name, nv);
    }
  }

  std::string FlatName(const Segs& prefix, const std::string& field) const {
    size_t best = 0;
    std::string renamed;
    for (const auto& [k, v] :
         def_->Find("$flatten") ? def_->Find("$flatten")->as_object() : Value::Object{}) {
      const Segs ks = Split(StripDollar(k));
      if (ks.size() > prefix.size() || ks.size() <= best) continue;
      if (std::equal(ks.begin(), ks.end(), prefix.begin())) {
        best = ks.size();
        renamed = v.as_string();
      }
    }
    std::string out = renamed;
    for (size_t i = best; i < prefix.size(); ++i) out += (out.empty() ? "" : "_") + prefix[i];
    return out + "_" + field;
  }

  // Columns of an expanded record at `prefix` (listed), then its listed children.
  void FlatRecord(const Value& row, const std::string& coll, const Segs& prefix,
                  Value::Object* out) {
    const std::string base = Join(prefix, prefix.size(), '.');
    for (const FieldDef& f : Record(coll)) {
      if (f.name == "$id" || f.name == "createdAt" || f.name == "updatedAt" ||
          f.name == "version") {
        continue;
      }
      const std::string path = base + "." + f.name;
      const bool exp = f.type.is_relation() && expanded_.count(path) > 0;
      if (f.type.kind == TypeKind::kReverseRelation && !exp) continue;
      out->emplace_back(FlatName(prefix, f.name), GetOrNull(row, exp ? path + ".$id" : path));
    }
    for (const std::string& child : ListedChildren(base)) {
      Segs sub = prefix;
      sub.push_back(child);
      const std::vector<FieldDef> fields = Record(coll);
      FlatRecord(row, Field(fields, child)->type.target, sub, out);
    }
  }

  // Listed expansion paths directly under `base` ("" = root), in $expand order.
  std::vector<std::string> ListedChildren(const std::string& base) const {
    std::vector<std::string> out;
    for (const std::string& p : listed_order_) {
      const Segs s = Split(p);
      const std::string parent = Join(s, s.size() - 1, '.');
      if (parent == base) out.push_back(s.back());
    }
    return out;
  }

  Value ZeroFor(const Value& arg) const {
    if (arg.kind() == Kind::kString && !source_coll_.empty()) {
      const Segs s = Split(StripDollar(arg.as_string()));
      std::vector<FieldDef> fields = Record(source_coll_);
      for (size_t i = 0; i < s.size(); ++i) {
        const FieldDef* f = Field(fields, s[i]);
        if (f == nullptr) return Value::Int(0);
        if (f->type.is_relation()) {
          fields = Record(f->type.target);
          continue;
        }
        if (f->type.kind == TypeKind::kDecimal) return Value::Dec(Decimal{0, f->type.scale});
        if (f->type.kind == TypeKind::kFloat) return Value::Double(0);
        return Value::Int(0);
      }
    }
    if (arg.kind() == Kind::kObject && arg.Find("$cond") != nullptr) {
      const Value& c = *arg.Find("$cond");
      const Value& then = c.kind() == Kind::kArray ? c.as_array()[1] : *c.Find("then");
      if (then.kind() == Kind::kDouble) return Value::Double(0);
    }
    return Value::Int(0);
  }

  std::vector<Item> Inputs(const Value& spec_arg, const Value& row, const Item& base) const {
    std::vector<Value> vals;
    if (spec_arg.kind() == Kind::kString && spec_arg.as_string() == "*") {
      vals.push_back(Value::Bool(true));
    } else if (spec_arg.kind() == Kind::kString) {
      Gather(row, Split(StripDollar(spec_arg.as_string())), 0, &vals);
    } else {
      Value v = Eval(spec_arg, row);
      if (v.kind() == Kind::kArray) {
        for (const Value& e : v.as_array()) {
          if (!e.is_null()) vals.push_back(e);
        }
      } else if (!v.is_null()) {
        vals.push_back(v);
      }
    }
    std::vector<Item> out;
    for (size_t i = 0; i < vals.size(); ++i) {
      Item it = base;
      it.pos = static_cast<int64_t>(i);
      it.v = vals[i];
      out.push_back(it);
    }
    return out;
  }

  Value Bucket(const Value& v, const std::string& alias) const {
    const TimeUnit unit = *ParseTimeUnit(alias);
    const bool sub_day = alias == "minute" || alias == "hour";
    auto of_instant = [&](int64_t t) {
      const int64_t start = TruncateMicros(t, unit, tz_);
      if (sub_day) return Value::Timestamp(start);
      return Value::Date(static_cast<int32_t>(FloorDiv(tz_.UtcToLocal(start), kMicrosPerDay)));
    };
    if (v.kind() == Kind::kTimestamp) return of_instant(v.as_int());
    if (v.kind() == Kind::kDate) {
      if (sub_day) return Value::Timestamp(tz_.LocalToUtc(int64_t{v.as_date()} * kMicrosPerDay));
      return Value::Date(TruncateDays(v.as_date(), unit));
    }
    if (v.kind() == Kind::kString) {
      auto t = ParseTimestampMicros(v.as_string());
      if (t.ok()) return of_instant(*t);
    }
    return Value();
  }

  const catalog::Catalog& cat_;
  const Store& store_;
  const Value* def_ = nullptr;
  std::string source_coll_;
  std::set<std::string> expanded_;
  std::vector<std::string> listed_order_;
  TimeZone tz_;
};

Result<std::map<std::string, Value>> Interpreter::Run(std::string_view view_name) {
  const catalog::ViewDef* vd = cat_.FindView(view_name);
  if (vd == nullptr) return Status::NotFound("no view " + std::string(view_name));
  const Value& def = vd->definition();
  def_ = &def;
  std::vector<Value> sources;
  if (vd->source_is_view()) {
    Interpreter up(cat_, store_);
    PQ_ASSIGN_OR_RETURN(auto rows, up.Run(vd->source()));
    for (auto& [k, r] : rows) sources.push_back(r);
  } else {
    source_coll_ = vd->source();
    auto it = store_.find(vd->source());
    if (it != store_.end()) sources = it->second;
  }
  if (const Value* r = def.Find("$refresh")) {
    if (const Value* tz = r->Find("timezone")) {
      PQ_ASSIGN_OR_RETURN(tz_, TimeZone::Load(tz->as_string()));
    }
  }
  // Every path the definition reads, plus the listed expansions.
  std::vector<std::string> listed;
  if (const Value* e = def.Find("$expand")) {
    for (const Value& p : e->as_array()) listed.push_back(StripDollar(p.as_string()));
  }
  for (const std::string& p : listed) {
    const Segs s = Split(p);
    for (size_t n = 1; n <= s.size(); ++n) {
      const std::string pre = Join(s, n, '.');
      if (std::find(listed_order_.begin(), listed_order_.end(), pre) == listed_order_.end()) {
        listed_order_.push_back(pre);
      }
    }
  }
  std::vector<std::string> reads;
  std::function<void(const Value&)> expr_paths = [&](const Value& e) {
    if (e.kind() == Kind::kString && e.as_string().size() > 1 && e.as_string()[0] == '$') {
      reads.push_back(e.as_string().substr(1));
    } else if (e.kind() == Kind::kArray) {
      for (const Value& x : e.as_array()) expr_paths(x);
    } else if (e.kind() == Kind::kObject) {
      if (!e.as_object().empty() && e.as_object()[0].first == "$literal") return;
      for (const auto& [k, v] : e.as_object()) expr_paths(v);
    }
  };
  std::function<void(const Value&)> filter_paths = [&](const Value& f) {
    for (const auto& [k, v] : f.as_object()) {
      if (k == "$and" || k == "$or" || k == "$nor") {
        for (const Value& x : v.as_array()) filter_paths(x);
      } else if (k == "$not") {
        filter_paths(v);
      } else if (k[0] != '$') {
        reads.push_back(k);
      }
    }
  };
  if (const Value* u = def.Find("$unnest")) reads.push_back(StripDollar(u->as_string()));
  if (const Value* f = def.Find("$filter")) filter_paths(*f);
  if (const Value* s = def.Find("$select")) {
    for (const auto& [k, v] : s->as_object()) expr_paths(v);
  }
  if (const Value* c = def.Find("$compute")) {
    for (const auto& [k, v] : c->as_object()) {
      const Value& arg = v.as_object()[0].second;
      if (arg.kind() == Kind::kString && arg.as_string() != "*") {
        reads.push_back(StripDollar(arg.as_string()));
      } else {
        expr_paths(arg);
      }
    }
  }
  const Value* group_by = def.Find("$groupBy");
  if (group_by != nullptr) {
    for (const Value& g : group_by->as_array()) {
      reads.push_back(StripDollar(g.kind() == Kind::kString ? g.as_string()
                                                            : g.as_object()[0].second.as_string()));
    }
  }
  if (!source_coll_.empty()) {
    for (const std::string& p : listed) MarkExpansions(Split(p), true);
    for (const std::string& p : reads) MarkExpansions(Split(p), false);
  }
  std::optional<query::Filter> filter;
  if (const Value* f = def.Find("$filter")) {
    PQ_ASSIGN_OR_RETURN(filter, query::Filter::Parse(*f));
  }

  std::map<std::string, Value> out;
  struct Group {
    std::vector<Value> keys;
    std::map<std::string, std::vector<Item>> inputs;
  };
  std::map<std::string, Group> groups;
  const Value* compute = def.Find("$compute");
  for (const Value& doc : sources) {
    Value nested = doc;
    const std::string id = doc.Find("$id")->as_string();
    if (!source_coll_.empty()) ExpandDoc(&nested, source_coll_, "");
    std::vector<std::pair<int64_t, Value>> rows;
    if (const Value* u = def.Find("$unnest")) {
      const Segs us = Split(StripDollar(u->as_string()));
      const Value* arr = PlainGet(nested, us);
      if (arr != nullptr && !arr->is_null()) {
        if (arr->kind() != Kind::kArray) {
          rows.emplace_back(0, PlainSet(nested, us, 0, *arr));
        } else {
          const Value::Array elems = arr->as_array();
          for (size_t i = 0; i < elems.size(); ++i) {
            rows.emplace_back(static_cast<int64_t>(i), PlainSet(nested, us, 0, elems[i]));
          }
        }
      }
    } else {
      rows.emplace_back(0, nested);
    }
    for (const auto& [sub, row] : rows) {
      if (filter.has_value() && !filter->Matches(row)) continue;
      Item base;
      if (!vd->source_is_view()) {
        if (const Value* c = doc.Find("createdAt")) base.created = *c;
      }
      base.id = id;
      base.sub = sub;
      if (group_by != nullptr) {
        std::vector<Value> keys;
        std::string key = "[";
        for (const Value& g : group_by->as_array()) {
          Value v;
          if (g.kind() == Kind::kString) {
            v = GetOrNull(row, StripDollar(g.as_string()));
          } else {
            const auto& [alias, ref] = g.as_object()[0];
            v = GetOrNull(row, StripDollar(ref.as_string()));
            if (ParseTimeUnit(alias).has_value()) v = Bucket(v, alias);
          }
          if (key.size() > 1) key += ",";
          key += catalog::CanonicalJson(v);
          keys.push_back(v);
        }
        key += "]";
        Group& grp = groups[key];
        grp.keys = keys;
        if (compute != nullptr) {
          for (const auto& [name, agg] : compute->as_object()) {
            std::vector<Item> items = Inputs(agg.as_object()[0].second, row, base);
            auto& dst = grp.inputs[name];
            dst.insert(dst.end(), items.begin(), items.end());
          }
        }
        continue;
      }
      const std::string key = def.Find("$unnest") ? id + "#" + std::to_string(sub) : id;
      Value::Object o;
      o.emplace_back("$id", Value::String(key));
      if (const Value* sel = def.Find("$select")) {
        for (const auto& [name, e] : sel->as_object()) o.emplace_back(name, Eval(e, row));
      } else if (vd->source_is_view()) {
        for (const auto& [k, v] : row.as_object()) {
          if (k != "$id") o.emplace_back(k, v);
        }
      } else {
        for (const FieldDef& f : Record(source_coll_)) {
          if (f.name == "$id") continue;
          const bool exp = f.type.is_relation() && expanded_.count(f.name) > 0;
          if (f.type.kind == TypeKind::kReverseRelation && !exp) continue;
          o.emplace_back(f.name, GetOrNull(row, exp ? f.name + ".$id" : f.name));
        }
        for (const std::string& child : ListedChildren("")) {
          const std::vector<FieldDef> fields = Record(source_coll_);
          FlatRecord(row, Field(fields, child)->type.target, {child}, &o);
        }
      }
      if (compute != nullptr) {
        for (const auto& [name, agg] : compute->as_object()) {
          const auto& [op, arg] = agg.as_object()[0];
          Item b;
          o.emplace_back(name, Aggregate(op, Inputs(arg, row, b), ZeroFor(arg)));
        }
      }
      out[key] = Value::MakeObject(o);
    }
  }
  for (auto& [key, grp] : groups) {
    Value::Object o;
    o.emplace_back("$id", Value::String(key));
    size_t i = 0;
    for (const Value& g : group_by->as_array()) {
      std::string name;
      if (g.kind() == Kind::kString) {
        name = Split(StripDollar(g.as_string())).back();
      } else {
        name = g.as_object()[0].first;
      }
      o.emplace_back(name, grp.keys[i++]);
    }
    if (compute != nullptr) {
      for (const auto& [name, agg] : compute->as_object()) {
        const auto& [op, arg] = agg.as_object()[0];
        o.emplace_back(name, Aggregate(op, grp.inputs[name], ZeroFor(arg)));
      }
    }
    out[key] = Value::MakeObject(o);
  }
  return out;
}

bool Close(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  const double diff = std::fabs(a - b);
  return diff <= 1e-12 || diff <= 1e-9 * std::max(std::fabs(a), std::fabs(b));
}

std::string Diff(const Value& e, const Value& a, const std::string& where) {
  if (e.kind() == Kind::kDouble && a.kind() == Kind::kDouble) {
    if (Close(e.as_double(), a.as_double())) return "";
    std::ostringstream os;
    os.precision(17);
    os << where << ": expected " << e.as_double() << ", got " << a.as_double();
    return os.str();
  }
  if (e.kind() != a.kind()) {
    return where + ": expected " + e.ToJsonString() + " (" +
           std::string(Value::KindName(e.kind())) + "), got " + a.ToJsonString() + " (" +
           std::string(Value::KindName(a.kind())) + ")";
  }
  if (e.kind() == Kind::kArray) {
    if (e.as_array().size() != a.as_array().size()) {
      return where + ": expected " + e.ToJsonString() + ", got " + a.ToJsonString();
    }
    for (size_t i = 0; i < e.as_array().size(); ++i) {
      std::string d = Diff(e.as_array()[i], a.as_array()[i], where + "[" + std::to_string(i) + "]");
      if (!d.empty()) return d;
    }
    return "";
  }
  if (e.kind() == Kind::kObject) {
    const auto& eo = e.as_object();
    const auto& ao = a.as_object();
    for (size_t i = 0; i < std::max(eo.size(), ao.size()); ++i) {
      if (i >= eo.size() || i >= ao.size() || eo[i].first != ao[i].first) {
        return where + ": member order/names differ: expected " + e.ToJsonString() + ", got " +
               a.ToJsonString();
      }
      std::string d = Diff(eo[i].second, ao[i].second, where + "." + eo[i].first);
      if (!d.empty()) return d;
    }
    return "";
  }
  if (e.kind() == Kind::kDecimal) {
    if (e.as_decimal().unscaled == a.as_decimal().unscaled &&
        e.as_decimal().scale == a.as_decimal().scale) {
      return "";
    }
    return where + ": expected decimal " + e.as_decimal().ToString() + ", got " +
           a.as_decimal().ToString();
  }
  if (Value::Compare(e, a) != 0) {
    return where + ": expected " + e.ToJsonString() + ", got " + a.ToJsonString();
  }
  return "";
}

}  // namespace

Result<std::map<std::string, Value>> ComputeView(const catalog::Catalog& catalog,
                                                 std::string_view view, const Store& store) {
  Interpreter in(catalog, store);
  return in.Run(view);
}

std::string DiffOutputs(const std::map<std::string, Value>& expected,
                        const std::map<std::string, Value>& actual) {
  for (const auto& [k, row] : expected) {
    auto it = actual.find(k);
    if (it == actual.end()) return "missing row '" + k + "': " + row.ToJsonString();
    std::string d = Diff(row, it->second, "row '" + k + "'");
    if (!d.empty()) return d;
  }
  for (const auto& [k, row] : actual) {
    if (expected.count(k) == 0) return "unexpected row '" + k + "': " + row.ToJsonString();
  }
  return "";
}

}  // namespace parquedb::views::reference
