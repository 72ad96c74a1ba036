#include "views/expression.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "query/filter.h"

namespace parquedb::views {

namespace {

using Kind = Value::Kind;
using i128 = __int128;
using u128 = unsigned __int128;
using catalog::FieldType;
using catalog::TypeKind;

constexpr int kMaxDecimalDigits = 38;

constexpr u128 Pow10U(int n) {
  u128 r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}
constexpr u128 kDecimalLimit = Pow10U(kMaxDecimalDigits);  // 10^38: first 39-digit value

u128 Magnitude(i128 x) { return x < 0 ? u128{0} - static_cast<u128>(x) : static_cast<u128>(x); }

// int64 when it fits, else an exact scale-0 decimal, else a double.
Value IntOrWider(i128 v) {
  if (v >= std::numeric_limits<int64_t>::min() && v <= std::numeric_limits<int64_t>::max()) {
    return Value::Int(static_cast<int64_t>(v));
  }
  if (Magnitude(v) < kDecimalLimit) return Value::Dec(Decimal{v, 0});
  return Value::Double(static_cast<double>(v));
}

struct Scaled {
  i128 unscaled;
  int32_t scale;
};

Scaled ToScaled(const Value& v) {
  if (v.kind() == Kind::kDecimal) return {v.as_decimal().unscaled, v.as_decimal().scale};
  return {static_cast<i128>(v.as_int()), 0};
}

// x * 10^k within the 38-digit decimal range.
bool ScaleUp(i128 x, int k, i128* out) {
  if (k < 0 || k > kMaxDecimalDigits) return false;
  const u128 p = Pow10U(k);
  const u128 mag = Magnitude(x);
  if (mag != 0 && mag >= kDecimalLimit / p + 1) return false;
  const u128 r = mag * p;
  if (r >= kDecimalLimit) return false;
  *out = x < 0 ? -static_cast<i128>(r) : static_cast<i128>(r);
  return true;
}

// Exact decimal a + sign * b; nullopt beyond 38 digits.
std::optional<Value> AddDecimals(const Value& a, const Value& b, int sign) {
  const Scaled x = ToScaled(a);
  const Scaled y = ToScaled(b);
  const int32_t s = std::max(x.scale, y.scale);
  i128 xa = 0;
  i128 ya = 0;
  if (!ScaleUp(x.unscaled, s - x.scale, &xa) || !ScaleUp(y.unscaled, s - y.scale, &ya)) {
    return std::nullopt;
  }
  const i128 r = sign > 0 ? xa + ya : xa - ya;  // |xa|,|ya| < 10^38: no i128 overflow
  if (Magnitude(r) >= kDecimalLimit) return std::nullopt;
  return Value::Dec(Decimal{r, s});
}

int Cmp3(int64_t a, int64_t b) { return a < b ? -1 : (a > b ? 1 : 0); }

// Compares a temporal value `t` with a string `s` parsed as ISO-8601.
std::optional<int> CompareTemporalWithString(const Value& t, const std::string& s) {
  if (t.kind() == Kind::kTimestamp) {
    auto ts = ParseTimestampMicros(s);
    if (ts.ok()) return Cmp3(t.as_int(), *ts);
  } else if (t.kind() == Kind::kDate) {
    auto d = ParseDateDays(s);
    if (d.ok()) return Cmp3(t.as_date(), *d);
  }
  return std::nullopt;
}

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool ResolveFrom(const std::vector<FieldPath::Segment>& segs, const Value& v, size_t i,
                 Value* out) {
  if (i == segs.size()) {
    *out = v;
    return true;
  }
  const FieldPath::Segment& seg = segs[i];
  if (v.kind() == Kind::kObject) {
    const Value* m = v.Find(seg.name);
    return m != nullptr && ResolveFrom(segs, *m, i + 1, out);
  }
  if (v.kind() == Kind::kArray) {
    const Value::Array& arr = v.as_array();
    if (seg.is_index)
      return seg.index < arr.size() && ResolveFrom(segs, arr[seg.index], i + 1, out);
    Value::Array res;
    res.reserve(arr.size());
    for (const Value& e : arr) {
      Value r;
      if (!ResolveFrom(segs, e, i, &r)) r = Value();
      res.push_back(std::move(r));
    }
    *out = Value::MakeArray(std::move(res));
    return true;
  }
  return false;
}

void CollectFrom(const std::vector<FieldPath::Segment>& segs, const Value& v, size_t i,
                 std::vector<Value>* out) {
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
  const FieldPath::Segment& seg = segs[i];
  if (v.kind() == Kind::kObject) {
    const Value* m = v.Find(seg.name);
    if (m != nullptr) CollectFrom(segs, *m, i + 1, out);
  } else if (v.kind() == Kind::kArray) {
    const Value::Array& arr = v.as_array();
    if (seg.is_index) {
      if (seg.index < arr.size()) CollectFrom(segs, arr[seg.index], i + 1, out);
    } else {
      for (const Value& e : arr) CollectFrom(segs, e, i, out);
    }
  }
}

bool ExistsFrom(const std::vector<FieldPath::Segment>& segs, const Value& v, size_t i) {
  if (i == segs.size()) return true;
  const FieldPath::Segment& seg = segs[i];
  if (v.kind() == Kind::kObject) {
    const Value* m = v.Find(seg.name);
    return m != nullptr && ExistsFrom(segs, *m, i + 1);
  }
  if (v.kind() == Kind::kArray) {
    const Value::Array& arr = v.as_array();
    if (seg.is_index) return seg.index < arr.size() && ExistsFrom(segs, arr[seg.index], i + 1);
    for (const Value& e : arr) {
      if (ExistsFrom(segs, e, i)) return true;
    }
  }
  return false;
}

FieldType Variant() { return FieldType{}; }

FieldType Scalar(TypeKind k) {
  FieldType t;
  t.kind = k;
  return t;
}

bool IsNumericType(const FieldType& t) {
  return !t.is_array &&
         (t.kind == TypeKind::kInt || t.kind == TypeKind::kFloat || t.kind == TypeKind::kDecimal);
}

FieldType Unify(const FieldType& a, const FieldType& b) {
  FieldType x = a;
  FieldType y = b;
  x.required = y.required = false;
  if (x == y) return x;
  if (IsNumericType(x) && IsNumericType(y)) {
    if (x.kind == TypeKind::kFloat || y.kind == TypeKind::kFloat) return Scalar(TypeKind::kFloat);
    FieldType d = Scalar(TypeKind::kDecimal);
    d.precision = kMaxDecimalDigits;
    d.scale = std::max(x.kind == TypeKind::kDecimal ? x.scale : 0,
                       y.kind == TypeKind::kDecimal ? y.scale : 0);
    return d;
  }
  return Variant();
}

constexpr std::string_view kOperatorList =
    "$cond, $exists, $eq, $ne, $gt, $gte, $lt, $lte, $and, $or, $not, $add, $subtract, "
    "$multiply, $divide, $ifNull, $literal";

}  // namespace

// ---------------------------------- FieldPath ----------------------------------

Result<FieldPath> FieldPath::Parse(std::string_view text) {
  FieldPath p;
  p.text_ = std::string(text);
  if (text.empty()) return Status::InvalidArgument("empty path");
  size_t start = 0;
  while (true) {
    const size_t dot = text.find('.', start);
    const std::string_view seg =
        text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (seg.empty()) {
      return Status::InvalidArgument("path '" + std::string(text) + "' has an empty segment");
    }
    Segment s;
    s.name = std::string(seg);
    if (IsDigits(seg) && (seg.size() == 1 || seg[0] != '0') && seg.size() <= 18) {
      s.is_index = true;
      s.index = 0;
      for (char c : seg) s.index = s.index * 10 + static_cast<size_t>(c - '0');
    }
    p.segments_.push_back(std::move(s));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return p;
}

FieldPath FieldPath::Prefix(size_t n) const {
  FieldPath p;
  n = std::min(n, segments_.size());
  p.segments_.assign(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(n));
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) p.text_ += '.';
    p.text_ += segments_[i].name;
  }
  return p;
}

bool FieldPath::StartsWith(const FieldPath& prefix) const {
  if (prefix.segments_.size() > segments_.size()) return false;
  for (size_t i = 0; i < prefix.segments_.size(); ++i) {
    if (segments_[i].name != prefix.segments_[i].name) return false;
  }
  return true;
}

const Value* FieldPath::Find(const Value& doc) const {
  const Value* v = &doc;
  for (const Segment& seg : segments_) {
    if (v->kind() == Kind::kObject) {
      v = v->Find(seg.name);
      if (v == nullptr) return nullptr;
    } else if (v->kind() == Kind::kArray && seg.is_index) {
      const Value::Array& arr = v->as_array();
      if (seg.index >= arr.size()) return nullptr;
      v = &arr[seg.index];
    } else {
      return nullptr;
    }
  }
  return v;
}

bool FieldPath::Resolve(const Value& doc, Value* out) const {
  // Fast path: no array fan-out on the way.
  const Value* v = &doc;
  for (size_t i = 0; i < segments_.size(); ++i) {
    const Segment& seg = segments_[i];
    if (v->kind() == Kind::kObject) {
      v = v->Find(seg.name);
      if (v == nullptr) {
        *out = Value();
        return false;
      }
    } else if (v->kind() == Kind::kArray) {
      if (!seg.is_index) {
        const bool found = ResolveFrom(segments_, *v, i, out);
        if (!found) *out = Value();
        return found;
      }
      const Value::Array& arr = v->as_array();
      if (seg.index >= arr.size()) {
        *out = Value();
        return false;
      }
      v = &arr[seg.index];
    } else {
      *out = Value();
      return false;
    }
  }
  *out = *v;
  return true;
}

void FieldPath::Collect(const Value& doc, std::vector<Value>* out) const {
  CollectFrom(segments_, doc, 0, out);
}

bool FieldPath::Exists(const Value& doc) const { return ExistsFrom(segments_, doc, 0); }

// ---------------------------------- helpers ----------------------------------

bool Truthy(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull:
      return false;
    case Kind::kBool:
      return v.as_bool();
    case Kind::kInt:
      return v.as_int() != 0;
    case Kind::kDouble: {
      const double d = v.as_double();
      return d != 0 && !std::isnan(d);
    }
    case Kind::kDecimal:
      return v.as_decimal().unscaled != 0;
    default:
      return true;
  }
}

std::optional<int> CompareLikeFilter(const Value& a, const Value& b) {
  if (query::TypeBracket(a.kind()) == query::TypeBracket(b.kind())) return Value::Compare(a, b);
  if (b.kind() == Kind::kString) return CompareTemporalWithString(a, b.as_string());
  if (a.kind() == Kind::kString) {
    auto c = CompareTemporalWithString(b, a.as_string());
    if (c.has_value()) return -*c;
  }
  return std::nullopt;
}

Value AddNumbers(const Value& a, const Value& b) {
  if (!a.is_number() || !b.is_number()) return Value();
  if (a.kind() == Kind::kDouble || b.kind() == Kind::kDouble) {
    return Value::Double(a.as_double() + b.as_double());
  }
  if (a.kind() == Kind::kInt && b.kind() == Kind::kInt) {
    return IntOrWider(static_cast<i128>(a.as_int()) + b.as_int());
  }
  auto r = AddDecimals(a, b, +1);
  return r.has_value() ? *r : Value::Double(a.as_double() + b.as_double());
}

Value SubtractNumbers(const Value& a, const Value& b) {
  if (!a.is_number() || !b.is_number()) return Value();
  if (a.kind() == Kind::kDouble || b.kind() == Kind::kDouble) {
    return Value::Double(a.as_double() - b.as_double());
  }
  if (a.kind() == Kind::kInt && b.kind() == Kind::kInt) {
    return IntOrWider(static_cast<i128>(a.as_int()) - b.as_int());
  }
  auto r = AddDecimals(a, b, -1);
  return r.has_value() ? *r : Value::Double(a.as_double() - b.as_double());
}

Value MultiplyNumbers(const Value& a, const Value& b) {
  if (!a.is_number() || !b.is_number()) return Value();
  if (a.kind() == Kind::kDouble || b.kind() == Kind::kDouble) {
    return Value::Double(a.as_double() * b.as_double());
  }
  if (a.kind() == Kind::kInt && b.kind() == Kind::kInt) {
    return IntOrWider(static_cast<i128>(a.as_int()) * b.as_int());
  }
  const Scaled x = ToScaled(a);
  const Scaled y = ToScaled(b);
  i128 r = 0;
  const int32_t s = x.scale + y.scale;
  if (s <= kMaxDecimalDigits && !__builtin_mul_overflow(x.unscaled, y.unscaled, &r) &&
      Magnitude(r) < kDecimalLimit) {
    return Value::Dec(Decimal{r, s});
  }
  return Value::Double(a.as_double() * b.as_double());
}

Value DivideNumbers(const Value& a, const Value& b) {
  if (!a.is_number() || !b.is_number()) return Value();
  const double d = b.as_double();
  if (d == 0) return Value();
  return Value::Double(a.as_double() / d);
}

FieldType LiteralType(const Value& v) {
  switch (v.kind()) {
    case Kind::kBool:
      return Scalar(TypeKind::kBoolean);
    case Kind::kInt:
      return Scalar(TypeKind::kInt);
    case Kind::kDouble:
      return Scalar(TypeKind::kFloat);
    case Kind::kDecimal: {
      FieldType t = Scalar(TypeKind::kDecimal);
      t.precision = kMaxDecimalDigits;
      t.scale = std::clamp(v.as_decimal().scale, 0, kMaxDecimalDigits);
      return t;
    }
    case Kind::kString:
      return Scalar(TypeKind::kString);
    case Kind::kTimestamp:
      return Scalar(TypeKind::kTimestamp);
    case Kind::kDate:
      return Scalar(TypeKind::kDate);
    case Kind::kArray: {
      FieldType t = Variant();
      t.is_array = true;
      return t;
    }
    default:
      return Variant();
  }
}

// ------------------------------------ Expr ------------------------------------

Expr Expr::Literal(Value v) {
  Expr e;
  e.op_ = Op::kLiteral;
  e.literal_ = std::move(v);
  return e;
}

Expr Expr::Path(FieldPath path) {
  Expr e;
  e.op_ = Op::kPath;
  e.path_ = std::move(path);
  return e;
}

Result<Expr> Expr::Compile(const Value& spec) {
  switch (spec.kind()) {
    case Kind::kString: {
      const std::string& s = spec.as_string();
      if (s.empty() || s[0] != '$') return Literal(spec);
      auto path = FieldPath::Parse(std::string_view(s).substr(1));
      if (!path.ok()) {
        return Status::InvalidArgument("bad path reference '" + s +
                                       "': " + path.status().message());
      }
      return Path(std::move(path).value());
    }
    case Kind::kArray: {
      Expr e;
      e.op_ = Op::kArray;
      bool all_literal = true;
      for (const Value& item : spec.as_array()) {
        PQ_ASSIGN_OR_RETURN(Expr sub, Compile(item));
        all_literal = all_literal && sub.is_literal();
        e.args_.push_back(std::move(sub));
      }
      if (all_literal) {
        Value::Array arr;
        for (const Expr& a : e.args_) arr.push_back(a.literal_);
        return Literal(Value::MakeArray(std::move(arr)));
      }
      return e;
    }
    case Kind::kObject:
      break;
    default:
      return Literal(spec);
  }
  const Value::Object& obj = spec.as_object();
  if (obj.empty()) return Literal(spec);
  const bool is_op = !obj[0].first.empty() && obj[0].first[0] == '$';
  if (!is_op) {
    Expr e;
    e.op_ = Op::kObject;
    bool all_literal = true;
    for (const auto& [k, v] : obj) {
      if (!k.empty() && k[0] == '$') {
        return Status::InvalidArgument("object expression mixes fields and the operator '" + k +
                                       "'");
      }
      auto sub = Compile(v);
      if (!sub.ok()) return sub.status().WithContext(k);
      all_literal = all_literal && sub->is_literal();
      e.names_.push_back(k);
      e.args_.push_back(std::move(sub).value());
    }
    if (all_literal) return Literal(spec);
    return e;
  }
  if (obj.size() != 1) {
    return Status::InvalidArgument("an operator expression has exactly one member, got '" +
                                   obj[0].first + "' and '" + obj[1].first + "'");
  }
  const std::string& name = obj[0].first;
  const Value& arg = obj[0].second;
  auto ctx = [&](Status st) { return st.WithContext(name); };
  auto compile_list = [&](Expr* e, size_t min_n, size_t max_n) -> Status {
    if (arg.kind() != Kind::kArray) {
      if (min_n <= 1 && max_n >= 1) {
        auto sub = Compile(arg);
        if (!sub.ok()) return ctx(sub.status());
        e->args_.push_back(std::move(sub).value());
        return Status::OK();
      }
      return Status::InvalidArgument(name + " expects an array of " + std::to_string(min_n) +
                                     (max_n == min_n ? "" : " or more") + " operands");
    }
    const Value::Array& arr = arg.as_array();
    if (arr.size() < min_n || arr.size() > max_n) {
      if (min_n == max_n) {
        return Status::InvalidArgument(name + " expects " + std::to_string(min_n) +
                                       " operands, got " + std::to_string(arr.size()));
      }
      return Status::InvalidArgument(name + " expects at least " + std::to_string(min_n) +
                                     " operands, got " + std::to_string(arr.size()));
    }
    for (const Value& item : arr) {
      auto sub = Compile(item);
      if (!sub.ok()) return ctx(sub.status());
      e->args_.push_back(std::move(sub).value());
    }
    return Status::OK();
  };
  constexpr size_t kMany = std::numeric_limits<size_t>::max();
  Expr e;
  if (name == "$literal") return Literal(arg);
  if (name == "$cond") {
    e.op_ = Op::kCond;
    if (arg.kind() == Kind::kObject) {
      const Value* i = arg.Find("if");
      const Value* t = arg.Find("then");
      const Value* f = arg.Find("else");
      if (i == nullptr || t == nullptr || f == nullptr || arg.as_object().size() != 3) {
        return Status::InvalidArgument("$cond object needs exactly 'if', 'then' and 'else'");
      }
      for (const Value* part : {i, t, f}) {
        auto sub = Compile(*part);
        if (!sub.ok()) return ctx(sub.status());
        e.args_.push_back(std::move(sub).value());
      }
      return e;
    }
    if (arg.kind() != Kind::kArray) {
      return Status::InvalidArgument("$cond expects [if, then, else] or {if, then, else}");
    }
    PQ_RETURN_IF_ERROR(compile_list(&e, 3, 3));
    return e;
  }
  if (name == "$exists") {
    const Value* p = &arg;
    if (arg.kind() == Kind::kArray && arg.as_array().size() == 1) p = &arg.as_array()[0];
    if (p->kind() != Kind::kString || p->as_string().size() < 2 || p->as_string()[0] != '$') {
      return Status::InvalidArgument("$exists expects a '$path' string");
    }
    auto path = FieldPath::Parse(std::string_view(p->as_string()).substr(1));
    if (!path.ok()) return ctx(path.status());
    e.op_ = Op::kExists;
    e.path_ = std::move(path).value();
    return e;
  }
  struct Binary {
    std::string_view name;
    Op op;
  };
  static constexpr Binary kComparisons[] = {{"$eq", Op::kEq},
                                            {"$ne", Op::kNe},
                                            {"$gt", Op::kGt},
                                            {"$gte", Op::kGte},
                                            {"$lt", Op::kLt},
                                            {"$lte", Op::kLte},
                                            {"$subtract", Op::kSubtract},
                                            {"$divide", Op::kDivide}};
  for (const Binary& b : kComparisons) {
    if (name == b.name) {
      e.op_ = b.op;
      if (arg.kind() != Kind::kArray) {
        return Status::InvalidArgument(name + " expects an array of 2 operands");
      }
      PQ_RETURN_IF_ERROR(compile_list(&e, 2, 2));
      return e;
    }
  }
  if (name == "$and" || name == "$or") {
    e.op_ = name == "$and" ? Op::kAnd : Op::kOr;
    PQ_RETURN_IF_ERROR(compile_list(&e, 0, kMany));
    return e;
  }
  if (name == "$not") {
    e.op_ = Op::kNot;
    PQ_RETURN_IF_ERROR(compile_list(&e, 1, 1));
    return e;
  }
  if (name == "$add" || name == "$multiply") {
    e.op_ = name == "$add" ? Op::kAdd : Op::kMultiply;
    PQ_RETURN_IF_ERROR(compile_list(&e, 1, kMany));
    return e;
  }
  if (name == "$ifNull") {
    e.op_ = Op::kIfNull;
    if (arg.kind() != Kind::kArray) {
      return Status::InvalidArgument("$ifNull expects an array of 2 or more operands");
    }
    PQ_RETURN_IF_ERROR(compile_list(&e, 2, kMany));
    return e;
  }
  return Status::InvalidArgument("unknown expression operator '" + name + "' (expected " +
                                 std::string(kOperatorList) + ")");
}

Value Expr::Eval(const Value& row) const {
  switch (op_) {
    case Op::kLiteral:
      return literal_;
    case Op::kPath: {
      Value out;
      path_.Resolve(row, &out);
      return out;
    }
    case Op::kArray: {
      Value::Array arr;
      arr.reserve(args_.size());
      for (const Expr& a : args_) arr.push_back(a.Eval(row));
      return Value::MakeArray(std::move(arr));
    }
    case Op::kObject: {
      Value::Object obj;
      obj.reserve(args_.size());
      for (size_t i = 0; i < args_.size(); ++i) obj.emplace_back(names_[i], args_[i].Eval(row));
      return Value::MakeObject(std::move(obj));
    }
    case Op::kCond:
      return Truthy(args_[0].Eval(row)) ? args_[1].Eval(row) : args_[2].Eval(row);
    case Op::kExists:
      return Value::Bool(path_.Exists(row));
    case Op::kEq:
    case Op::kNe:
    case Op::kGt:
    case Op::kGte:
    case Op::kLt:
    case Op::kLte: {
      const std::optional<int> c = CompareLikeFilter(args_[0].Eval(row), args_[1].Eval(row));
      bool r = false;
      switch (op_) {
        case Op::kEq:
          r = c.has_value() && *c == 0;
          break;
        case Op::kNe:
          r = !(c.has_value() && *c == 0);
          break;
        case Op::kGt:
          r = c.has_value() && *c > 0;
          break;
        case Op::kGte:
          r = c.has_value() && *c >= 0;
          break;
        case Op::kLt:
          r = c.has_value() && *c < 0;
          break;
        default:
          r = c.has_value() && *c <= 0;
          break;
      }
      return Value::Bool(r);
    }
    case Op::kAnd:
      for (const Expr& a : args_) {
        if (!Truthy(a.Eval(row))) return Value::Bool(false);
      }
      return Value::Bool(true);
    case Op::kOr:
      for (const Expr& a : args_) {
        if (Truthy(a.Eval(row))) return Value::Bool(true);
      }
      return Value::Bool(false);
    case Op::kNot:
      return Value::Bool(!Truthy(args_[0].Eval(row)));
    case Op::kAdd:
    case Op::kMultiply: {
      Value acc = args_[0].Eval(row);
      if (!acc.is_number()) return Value();
      for (size_t i = 1; i < args_.size(); ++i) {
        acc = op_ == Op::kAdd ? AddNumbers(acc, args_[i].Eval(row))
                              : MultiplyNumbers(acc, args_[i].Eval(row));
        if (acc.is_null()) return acc;
      }
      return acc;
    }
    case Op::kSubtract:
      return SubtractNumbers(args_[0].Eval(row), args_[1].Eval(row));
    case Op::kDivide:
      return DivideNumbers(args_[0].Eval(row), args_[1].Eval(row));
    case Op::kIfNull:
      for (const Expr& a : args_) {
        Value v = a.Eval(row);
        if (!v.is_null()) return v;
      }
      return Value();
  }
  return Value();
}

FieldType Expr::InferType(const PathTypeFn& path_type) const {
  switch (op_) {
    case Op::kLiteral:
      return LiteralType(literal_);
    case Op::kPath: {
      FieldType t = path_type(path_);
      t.required = false;
      return t;
    }
    case Op::kArray: {
      FieldType t = Variant();
      t.is_array = true;
      return t;
    }
    case Op::kObject:
      return Variant();
    case Op::kCond: {
      const bool then_null = args_[1].is_literal() && args_[1].literal_.is_null();
      const bool else_null = args_[2].is_literal() && args_[2].literal_.is_null();
      if (then_null && !else_null) return args_[2].InferType(path_type);
      if (else_null && !then_null) return args_[1].InferType(path_type);
      return Unify(args_[1].InferType(path_type), args_[2].InferType(path_type));
    }
    case Op::kExists:
    case Op::kEq:
    case Op::kNe:
    case Op::kGt:
    case Op::kGte:
    case Op::kLt:
    case Op::kLte:
    case Op::kAnd:
    case Op::kOr:
    case Op::kNot:
      return Scalar(TypeKind::kBoolean);
    case Op::kAdd:
    case Op::kSubtract:
    case Op::kMultiply: {
      bool any_float = false;
      bool any_decimal = false;
      int scale = 0;
      for (const Expr& a : args_) {
        const FieldType t = a.InferType(path_type);
        if (!IsNumericType(t)) return Variant();
        if (t.kind == TypeKind::kFloat) any_float = true;
        if (t.kind == TypeKind::kDecimal) {
          any_decimal = true;
          scale = op_ == Op::kMultiply ? scale + t.scale : std::max(scale, t.scale);
        }
      }
      if (any_float) return Scalar(TypeKind::kFloat);
      if (any_decimal) {
        if (scale > kMaxDecimalDigits) return Scalar(TypeKind::kFloat);
        FieldType d = Scalar(TypeKind::kDecimal);
        d.precision = kMaxDecimalDigits;
        d.scale = scale;
        return d;
      }
      return Scalar(TypeKind::kInt);
    }
    case Op::kDivide:
      return Scalar(TypeKind::kFloat);
    case Op::kIfNull: {
      FieldType t;
      bool first = true;
      for (const Expr& a : args_) {
        if (a.is_literal() && a.literal_.is_null()) continue;
        const FieldType at = a.InferType(path_type);
        t = first ? at : Unify(t, at);
        first = false;
      }
      t.required = false;
      return t;
    }
  }
  return Variant();
}

void Expr::CollectPaths(std::vector<const FieldPath*>* out) const {
  if (op_ == Op::kPath || op_ == Op::kExists) out->push_back(&path_);
  for (const Expr& a : args_) a.CollectPaths(out);
}

}  // namespace parquedb::views
