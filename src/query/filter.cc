#include "query/filter.h"

#include <algorithm>
#include <utility>

#include "query/regex.h"

namespace parquedb::query {

namespace {

using Kind = Value::Kind;


// A literal with its string coercions precomputed: ISO-8601 timestamps and dates,
// and exact decimals (JSON carries decimals as strings, e.g. "1000.50").
struct Operand {
  Value value;
  bool has_ts = false;
  bool has_date = false;
  bool has_decimal = false;
  int64_t ts = 0;
  int32_t date = 0;
  Value decimal;
};

Operand MakeOperand(const Value& v) {
  Operand op;
  op.value = v;
  if (v.kind() == Kind::kString) {
    auto ts = ParseTimestampMicros(v.as_string());
    if (ts.ok()) {
      op.has_ts = true;
      op.ts = *ts;
    }
    auto date = ParseDateDays(v.as_string());
    if (date.ok()) {
      op.has_date = true;
      op.date = *date;
    }
    auto dec = Decimal::FromString(v.as_string());
    if (dec.ok()) {
      op.has_decimal = true;
      op.decimal = Value::Dec(*dec);
    }
  }
  return op;
}

int Cmp3(int64_t a, int64_t b) { return a < b ? -1 : (a > b ? 1 : 0); }

// Compares a document value with an operand; nullopt across type brackets.
std::optional<int> CompareOperand(const Value& y, const Operand& op) {
  if (TypeBracket(y.kind()) == TypeBracket(op.value.kind())) return Value::Compare(y, op.value);
  if (y.kind() == Kind::kTimestamp && op.has_ts) return Cmp3(y.as_int(), op.ts);
  if (y.kind() == Kind::kDate && op.has_date) return Cmp3(y.as_date(), op.date);
  if (y.kind() == Kind::kDecimal && op.has_decimal) return Value::Compare(y, op.decimal);
  return std::nullopt;
}

bool EqualsOperand(const Value& y, const Operand& op) {
  const std::optional<int> c = CompareOperand(y, op);
  return c.has_value() && *c == 0;
}

// The operand of $in/$nin, prepared for binary search.
struct InSet {
  std::vector<Value> values;  // sorted by Value::Compare, unique
  std::vector<int64_t> ts;    // coerced string literals, sorted
  std::vector<int32_t> dates;
  std::vector<Value> decimals;  // coerced string literals, sorted
  bool has_null = false;

  bool Contains(const Value& y) const {
    const auto less = [](const Value& a, const Value& b) { return Value::Compare(a, b) < 0; };
    if (std::binary_search(values.begin(), values.end(), y, less)) return true;
    if (y.kind() == Kind::kTimestamp) return std::binary_search(ts.begin(), ts.end(), y.as_int());
    if (y.kind() == Kind::kDate) return std::binary_search(dates.begin(), dates.end(), y.as_date());
    if (y.kind() == Kind::kDecimal) {
      return std::binary_search(decimals.begin(), decimals.end(), y, less);
    }
    return false;
  }
};

InSet MakeInSet(const Value::Array& arr) {
  InSet s;
  for (const Value& v : arr) {
    s.values.push_back(v);
    if (v.is_null()) s.has_null = true;
    const Operand op = MakeOperand(v);
    if (op.has_ts) s.ts.push_back(op.ts);
    if (op.has_date) s.dates.push_back(op.date);
    if (op.has_decimal) s.decimals.push_back(op.decimal);
  }
  const auto less = [](const Value& a, const Value& b) { return Value::Compare(a, b) < 0; };
  const auto eq = [](const Value& a, const Value& b) { return Value::Compare(a, b) == 0; };
  std::sort(s.values.begin(), s.values.end(), less);
  s.values.erase(std::unique(s.values.begin(), s.values.end(), eq), s.values.end());
  std::sort(s.ts.begin(), s.ts.end());
  std::sort(s.dates.begin(), s.dates.end());
  std::sort(s.decimals.begin(), s.decimals.end(), less);
  return s;
}

struct Segment {
  std::string key;
  size_t index = 0;
  bool is_index = false;  // canonical non-negative integer: indexes arrays
};

enum class NodeType : uint8_t { kTrue, kAnd, kOr, kNor, kNot, kCond };

struct Node {
  NodeType type = NodeType::kTrue;
  std::vector<Node> kids;  // kAnd/kOr/kNor; kNot has exactly one
  // kCond only:
  PredicateOp op = PredicateOp::kEq;
  std::string path_text;
  std::vector<Segment> path;
  Value raw;        // operand as written
  Operand operand;  // $eq..$lte
  std::shared_ptr<const InSet> in;
  bool exists = true;
  std::optional<Regex> regex;
};

// ---- evaluation ----

// Calls f(const Value*) for each outcome of resolving `seg..end` from `v` (nullptr =
// missing) until f returns true; returns whether it did.
template <typename F>
bool AnyOutcome(const Value& v, const Segment* seg, const Segment* end, const F& f) {
  if (seg == end) return f(&v);
  switch (v.kind()) {
    case Kind::kObject: {
      const Value* child = v.Find(seg->key);
      return child != nullptr ? AnyOutcome(*child, seg + 1, end, f) : f(nullptr);
    }
    case Kind::kArray: {
      const Value::Array& arr = v.as_array();
      if (seg->is_index) {
        return seg->index < arr.size() ? AnyOutcome(arr[seg->index], seg + 1, end, f) : f(nullptr);
      }
      for (const Value& e : arr) {
        if (e.kind() == Kind::kObject && AnyOutcome(e, seg, end, f)) return true;
      }
      return false;
    }
    default:
      return f(nullptr);
  }
}

// True if p holds for v or, when v is an array, for any element.
template <typename P>
bool LeafAny(const Value& v, const P& p) {
  if (p(v)) return true;
  if (v.kind() == Kind::kArray) {
    for (const Value& e : v.as_array()) {
      if (p(e)) return true;
    }
  }
  return false;
}

bool EvalEq(const Node& n, const Value& doc) {
  const bool null_matches_missing = n.operand.value.is_null();
  return AnyOutcome(doc, n.path.data(), n.path.data() + n.path.size(), [&](const Value* v) {
    if (v == nullptr) return null_matches_missing;
    return LeafAny(*v, [&](const Value& y) { return EqualsOperand(y, n.operand); });
  });
}

bool EvalIn(const Node& n, const Value& doc) {
  const InSet& in = *n.in;
  return AnyOutcome(doc, n.path.data(), n.path.data() + n.path.size(), [&](const Value* v) {
    if (v == nullptr) return in.has_null;
    return LeafAny(*v, [&](const Value& y) { return in.Contains(y); });
  });
}

template <typename Test>
bool EvalCompare(const Node& n, const Value& doc, const Test& test) {
  return AnyOutcome(doc, n.path.data(), n.path.data() + n.path.size(), [&](const Value* v) {
    if (v == nullptr) return false;
    return LeafAny(*v, [&](const Value& y) {
      const std::optional<int> c = CompareOperand(y, n.operand);
      return c.has_value() && test(*c);
    });
  });
}

bool Eval(const Node& n, const Value& doc);

bool EvalCond(const Node& n, const Value& doc) {
  switch (n.op) {
    case PredicateOp::kEq:
      return EvalEq(n, doc);
    case PredicateOp::kNe:
      return !EvalEq(n, doc);
    case PredicateOp::kGt:
      return EvalCompare(n, doc, [](int c) { return c > 0; });
    case PredicateOp::kGte:
      return EvalCompare(n, doc, [](int c) { return c >= 0; });
    case PredicateOp::kLt:
      return EvalCompare(n, doc, [](int c) { return c < 0; });
    case PredicateOp::kLte:
      return EvalCompare(n, doc, [](int c) { return c <= 0; });
    case PredicateOp::kIn:
      return EvalIn(n, doc);
    case PredicateOp::kNin:
      return !EvalIn(n, doc);
    case PredicateOp::kExists:
      return AnyOutcome(doc, n.path.data(), n.path.data() + n.path.size(),
                        [](const Value* v) { return v != nullptr; }) == n.exists;
    case PredicateOp::kRegex: {
      const Regex& re = *n.regex;
      return AnyOutcome(doc, n.path.data(), n.path.data() + n.path.size(), [&](const Value* v) {
        if (v == nullptr) return false;
        return LeafAny(*v, [&](const Value& y) {
          return y.kind() == Kind::kString && re.Search(y.as_string());
        });
      });
    }
  }
  return false;
}

bool Eval(const Node& n, const Value& doc) {
  switch (n.type) {
    case NodeType::kTrue:
      return true;
    case NodeType::kAnd:
      for (const Node& k : n.kids) {
        if (!Eval(k, doc)) return false;
      }
      return true;
    case NodeType::kOr:
      for (const Node& k : n.kids) {
        if (Eval(k, doc)) return true;
      }
      return false;
    case NodeType::kNor:
      for (const Node& k : n.kids) {
        if (Eval(k, doc)) return false;
      }
      return true;
    case NodeType::kNot:
      return !Eval(n.kids[0], doc);
    case NodeType::kCond:
      return EvalCond(n, doc);
  }
  return false;
}

// ---- parsing ----

Status Error(const std::string& msg) { return Status::InvalidArgument("filter: " + msg); }

std::string At(const std::string& where) { return where.empty() ? "top level" : where; }

std::string KindOf(const Value& v) { return std::string(Value::KindName(v.kind())); }

Result<std::vector<Segment>> ParsePath(const std::string& path) {
  std::vector<Segment> segs;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    const std::string key =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (key.empty()) return Error("empty field name in path '" + path + "'");
    Segment s;
    s.key = key;
    if (key.size() <= 18 && (key.size() == 1 || key[0] != '0') &&
        std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      s.is_index = true;
      s.index = std::stoull(key);
    }
    segs.push_back(std::move(s));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return segs;
}

bool IsOperatorObject(const Value& v) {
  if (v.kind() != Kind::kObject) return false;
  for (const auto& m : v.as_object()) {
    if (!m.first.empty() && m.first[0] == '$') return true;
  }
  return false;
}

Node MakeCond(PredicateOp op, const std::string& path_text, const std::vector<Segment>& path,
              const Value& raw) {
  Node n;
  n.type = NodeType::kCond;
  n.op = op;
  n.path_text = path_text;
  n.path = path;
  n.raw = raw;
  return n;
}

Status ParseFieldCondition(const std::string& path_text, const std::vector<Segment>& path,
                           const Value& cond, int depth, std::vector<Node>* out);

Status ParseOperator(const std::string& path_text, const std::vector<Segment>& path,
                     const std::string& name, const Value& operand, const Value* options, int depth,
                     std::vector<Node>* out) {
  const std::string at = " at path '" + path_text + "'";
  static const std::pair<std::string_view, PredicateOp> kCompare[] = {
      {"$eq", PredicateOp::kEq},   {"$ne", PredicateOp::kNe}, {"$gt", PredicateOp::kGt},
      {"$gte", PredicateOp::kGte}, {"$lt", PredicateOp::kLt}, {"$lte", PredicateOp::kLte}};
  for (const auto& [op_name, op] : kCompare) {
    if (name == op_name) {
      Node n = MakeCond(op, path_text, path, operand);
      n.operand = MakeOperand(operand);
      out->push_back(std::move(n));
      return Status::OK();
    }
  }
  if (name == "$in" || name == "$nin") {
    if (operand.kind() != Kind::kArray) {
      return Error(name + at + " expects an array, got " + KindOf(operand));
    }
    Node n =
        MakeCond(name == "$in" ? PredicateOp::kIn : PredicateOp::kNin, path_text, path, operand);
    n.in = std::make_shared<const InSet>(MakeInSet(operand.as_array()));
    out->push_back(std::move(n));
    return Status::OK();
  }
  if (name == "$exists") {
    bool exists;
    if (operand.kind() == Kind::kBool) {
      exists = operand.as_bool();
    } else if (operand.is_number()) {
      exists = Value::Compare(operand, Value::Int(0)) != 0;
    } else {
      return Error("$exists" + at + " expects a bool, got " + KindOf(operand));
    }
    Node n = MakeCond(PredicateOp::kExists, path_text, path, Value::Bool(exists));
    n.exists = exists;
    out->push_back(std::move(n));
    return Status::OK();
  }
  if (name == "$regex") {
    if (operand.kind() != Kind::kString) {
      return Error("$regex" + at + " expects a string pattern, got " + KindOf(operand));
    }
    std::string opts;
    if (options != nullptr) {
      if (options->kind() != Kind::kString) {
        return Error("$options" + at + " expects a string, got " + KindOf(*options));
      }
      opts = options->as_string();
    }
    auto re = Regex::Compile(operand.as_string(), opts);
    if (!re.ok()) return Error("$regex" + at + ": " + re.status().message());
    Node n = MakeCond(PredicateOp::kRegex, path_text, path, operand);
    n.regex = std::move(*re);
    out->push_back(std::move(n));
    return Status::OK();
  }
  if (name == "$options") return Status::OK();  // consumed with $regex
  if (name == "$not") {
    if (!IsOperatorObject(operand)) {
      return Error("$not" + at +
                   " expects an object of operators (e.g. {\"$not\": {\"$gt\": 5}}), got " +
                   (operand.kind() == Kind::kObject ? std::string("an object without operators")
                                                    : KindOf(operand)));
    }
    Node inner;
    inner.type = NodeType::kAnd;
    PQ_RETURN_IF_ERROR(ParseFieldCondition(path_text, path, operand, depth + 1, &inner.kids));
    Node n;
    n.type = NodeType::kNot;
    n.kids.push_back(std::move(inner));
    out->push_back(std::move(n));
    return Status::OK();
  }
  return Error("unknown operator '" + name + "'" + at);
}

Status ParseFieldCondition(const std::string& path_text, const std::vector<Segment>& path,
                           const Value& cond, int depth, std::vector<Node>* out) {
  if (depth > Filter::kMaxDepth) {
    return Error("nesting deeper than " + std::to_string(Filter::kMaxDepth) + " levels at path '" +
                 path_text + "'");
  }
  if (!IsOperatorObject(cond)) {
    Node n = MakeCond(PredicateOp::kEq, path_text, path, cond);
    n.operand = MakeOperand(cond);
    out->push_back(std::move(n));
    return Status::OK();
  }
  const Value* regex = cond.Find("$regex");
  const Value* options = cond.Find("$options");
  if (options != nullptr && regex == nullptr) {
    return Error("$options at path '" + path_text + "' requires $regex");
  }
  for (const auto& [name, operand] : cond.as_object()) {
    if (name.empty() || name[0] != '$') {
      return Error("cannot mix operators and field names in the condition for path '" + path_text +
                   "' (found '" + name + "')");
    }
  }
  for (const auto& [name, operand] : cond.as_object()) {
    PQ_RETURN_IF_ERROR(ParseOperator(path_text, path, name, operand, options, depth, out));
  }
  return Status::OK();
}

Result<Node> ParseFilterObject(const Value& spec, const std::string& where, int depth) {
  if (depth > Filter::kMaxDepth) {
    return Error("nesting deeper than " + std::to_string(Filter::kMaxDepth) + " levels at " +
                 At(where));
  }
  if (spec.kind() != Kind::kObject) {
    return Error("expected a filter object at " + At(where) + ", got " + KindOf(spec));
  }
  Node root;
  root.type = NodeType::kAnd;
  for (const auto& [key, value] : spec.as_object()) {
    const std::string sub = where.empty() ? key : where + "." + key;
    // "$id" and "$type" are document fields (system fields), not operators.
    if (!key.empty() && key[0] == '$' && key != "$id" && key != "$type") {
      NodeType type;
      if (key == "$and") {
        type = NodeType::kAnd;
      } else if (key == "$or") {
        type = NodeType::kOr;
      } else if (key == "$nor") {
        type = NodeType::kNor;
      } else if (key == "$not") {
        PQ_ASSIGN_OR_RETURN(Node inner, ParseFilterObject(value, sub, depth + 1));
        Node n;
        n.type = NodeType::kNot;
        n.kids.push_back(std::move(inner));
        root.kids.push_back(std::move(n));
        continue;
      } else {
        return Error("unknown top-level operator '" + key + "' at " + At(where));
      }
      if (value.kind() != Kind::kArray || value.as_array().empty()) {
        return Error(
            key + " at " + At(where) + " expects a non-empty array of filter objects, got " +
            (value.kind() == Kind::kArray ? std::string("an empty array") : KindOf(value)));
      }
      Node n;
      n.type = type;
      const Value::Array& items = value.as_array();
      for (size_t i = 0; i < items.size(); ++i) {
        const std::string item_where = sub + "[" + std::to_string(i) + "]";
        if (items[i].kind() != Kind::kObject) {
          return Error(key + " at " + At(where) + " expects filter objects, but element " +
                       std::to_string(i) + " is " + KindOf(items[i]));
        }
        PQ_ASSIGN_OR_RETURN(Node kid, ParseFilterObject(items[i], item_where, depth + 1));
        n.kids.push_back(std::move(kid));
      }
      root.kids.push_back(std::move(n));
      continue;
    }
    PQ_ASSIGN_OR_RETURN(std::vector<Segment> path, ParsePath(key));
    PQ_RETURN_IF_ERROR(ParseFieldCondition(key, path, value, depth + 1, &root.kids));
  }
  if (root.kids.empty()) root.type = NodeType::kTrue;
  return root;
}

void CollectConjuncts(const Node& n, std::vector<Predicate>* out, bool* exact) {
  switch (n.type) {
    case NodeType::kTrue:
      return;
    case NodeType::kAnd:
      for (const Node& k : n.kids) CollectConjuncts(k, out, exact);
      return;
    case NodeType::kCond: {
      Predicate p;
      p.path = n.path_text;
      p.op = n.op;
      p.literal = n.raw;
      if (n.op == PredicateOp::kRegex) p.regex_options = n.regex->options();
      out->push_back(std::move(p));
      return;
    }
    default:
      *exact = false;
      return;
  }
}

}  // namespace

struct Filter::Impl {
  Value spec;
  Node root;
};

std::string_view PredicateOpName(PredicateOp op) {
  switch (op) {
    case PredicateOp::kEq:
      return "$eq";
    case PredicateOp::kNe:
      return "$ne";
    case PredicateOp::kGt:
      return "$gt";
    case PredicateOp::kGte:
      return "$gte";
    case PredicateOp::kLt:
      return "$lt";
    case PredicateOp::kLte:
      return "$lte";
    case PredicateOp::kIn:
      return "$in";
    case PredicateOp::kNin:
      return "$nin";
    case PredicateOp::kExists:
      return "$exists";
    case PredicateOp::kRegex:
      return "$regex";
  }
  return "?";
}

std::optional<int> CompareWithLiteral(const Value& field, const Value& literal) {
  return CompareOperand(field, MakeOperand(literal));
}

Filter::Filter() {
  static const std::shared_ptr<const Impl> kMatchAll = [] {
    auto impl = std::make_shared<Impl>();
    impl->spec = Value::MakeObject();
    return impl;
  }();
  impl_ = kMatchAll;
}

Result<Filter> Filter::Parse(const Value& spec) {
  PQ_ASSIGN_OR_RETURN(Node root, ParseFilterObject(spec, "", 0));
  auto impl = std::make_shared<Impl>();
  impl->spec = spec;
  impl->root = std::move(root);
  return Filter(std::move(impl));
}

Result<Filter> Filter::ParseJson(std::string_view json) {
  auto spec = Value::ParseJson(json);
  if (!spec.ok()) return spec.status().WithContext("filter");
  return Parse(*spec);
}

bool Filter::Matches(const Value& doc) const { return Eval(impl_->root, doc); }

const Value& Filter::spec() const { return impl_->spec; }

std::vector<Predicate> Filter::Conjuncts() const {
  std::vector<Predicate> out;
  bool exact = true;
  CollectConjuncts(impl_->root, &out, &exact);
  return out;
}

bool Filter::IsConjunctive() const {
  std::vector<Predicate> out;
  bool exact = true;
  CollectConjuncts(impl_->root, &out, &exact);
  return exact;
}

int TypeBracket(Value::Kind k) {
  switch (k) {
    case Kind::kNull:
      return 0;
    case Kind::kBool:
      return 1;
    case Kind::kInt:
    case Kind::kDouble:
    case Kind::kDecimal:
      return 2;
    case Kind::kString:
      return 3;
    case Kind::kDate:
      return 4;
    case Kind::kTimestamp:
      return 5;
    case Kind::kArray:
      return 6;
    case Kind::kObject:
      return 7;
  }
  return 8;
}

namespace {
void CollectFields(const Value& spec, std::vector<std::string>* out) {
  if (spec.kind() != Value::Kind::kObject) return;
  for (const auto& [key, operand] : spec.as_object()) {
    if (key == "$and" || key == "$or" || key == "$nor") {
      if (operand.kind() != Value::Kind::kArray) continue;
      for (const Value& clause : operand.as_array()) CollectFields(clause, out);
      continue;
    }
    if (key == "$not") {
      CollectFields(operand, out);
      continue;
    }
    std::string field = key.substr(0, key.find('.'));
    if (std::find(out->begin(), out->end(), field) == out->end()) out->push_back(field);
  }
}
}  // namespace

std::vector<std::string> Filter::ReferencedFields() const {
  std::vector<std::string> out;
  CollectFields(spec(), &out);
  return out;
}

}  // namespace parquedb::query
