#include "views/view_spec.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace parquedb::views {

namespace {

using catalog::FieldDef;
using catalog::FieldType;
using catalog::TypeKind;
using Kind = Value::Kind;

constexpr std::string_view kDirectiveList =
    "$from, $type, $expand, $flatten, $unnest, $filter, $select, $groupBy, $compute, "
    "$refresh, $projection";

FieldType MakeType(TypeKind k, bool is_array = false) {
  FieldType t;
  t.kind = k;
  t.is_array = is_array;
  return t;
}

FieldType VariantType(bool is_array = false) { return MakeType(TypeKind::kVariant, is_array); }

FieldDef MakeField(std::string name, FieldType type) {
  FieldDef f;
  f.name = std::move(name);
  f.type = std::move(type);
  return f;
}

const FieldDef* FindField(const std::vector<FieldDef>& fields, std::string_view name) {
  for (const FieldDef& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

ExpandNode* FindNode(std::vector<ExpandNode>* nodes, std::string_view field) {
  for (ExpandNode& n : *nodes) {
    if (n.field == field) return &n;
  }
  return nullptr;
}

const ExpandNode* FindNode(const std::vector<ExpandNode>& nodes, std::string_view field) {
  for (const ExpandNode& n : nodes) {
    if (n.field == field) return &n;
  }
  return nullptr;
}

bool IsSystemColumn(std::string_view name) {
  return name == "$id" || name == "createdAt" || name == "updatedAt" || name == "version";
}

Status CheckColumnName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("empty column name");
  if (name[0] == '$') {
    return Status::InvalidArgument("column name '" + std::string(name) +
                                   "' may not start with '$'");
  }
  if (name.find('.') != std::string_view::npos) {
    return Status::InvalidArgument("column name '" + std::string(name) + "' may not contain '.'");
  }
  return Status::OK();
}

// Strips one leading '$' from a path reference.
std::string_view PathText(std::string_view s) {
  if (!s.empty() && s[0] == '$') s.remove_prefix(1);
  return s;
}

void CollectFilterPaths(const Value& f, std::vector<std::string>* out) {
  if (f.kind() != Kind::kObject) return;
  for (const auto& [k, v] : f.as_object()) {
    if (!k.empty() && k[0] == '$') {
      if ((k == "$and" || k == "$or" || k == "$nor") && v.kind() == Kind::kArray) {
        for (const Value& sub : v.as_array()) CollectFilterPaths(sub, out);
      } else if (k == "$not") {
        CollectFilterPaths(v, out);
      }
    } else {
      out->push_back(k);
    }
  }
}

FieldType ElementType(FieldType t) {
  t.required = false;
  if (t.is_array) t.is_array = false;
  return t;
}

}  // namespace

std::string_view RefreshModeName(RefreshMode mode) {
  switch (mode) {
    case RefreshMode::kStreaming:
      return "streaming";
    case RefreshMode::kScheduled:
      return "scheduled";
    case RefreshMode::kManual:
      return "manual";
  }
  return "?";
}

std::string_view RefreshStrategyName(RefreshStrategy strategy) {
  return strategy == RefreshStrategy::kAppend ? "append" : "replace";
}

std::string_view StorageBackendName(StorageBackend backend) {
  switch (backend) {
    case StorageBackend::kDefault:
      return "default";
    case StorageBackend::kNative:
      return "native";
    case StorageBackend::kIceberg:
      return "iceberg";
    case StorageBackend::kDelta:
      return "delta";
  }
  return "?";
}

std::string_view ProjectionName(Projection projection) {
  switch (projection) {
    case Projection::kDefault:
      return "default";
    case Projection::kOlap:
      return "olap";
    case Projection::kOltp:
      return "oltp";
    case Projection::kBoth:
      return "both";
  }
  return "?";
}

Result<int64_t> ParseGracePeriod(const Value& v) {
  if (v.kind() == Kind::kInt) {
    if (v.as_int() < 0) return Status::InvalidArgument("gracePeriod must not be negative");
    return v.as_int();
  }
  if (v.kind() == Kind::kDouble) {
    const double d = v.as_double();
    if (!(d >= 0) || d != static_cast<double>(static_cast<int64_t>(d)) || d > 9e15) {
      return Status::InvalidArgument("gracePeriod " + v.ToJsonString() +
                                     " is not a whole non-negative number of milliseconds");
    }
    return static_cast<int64_t>(d);
  }
  if (v.kind() != Kind::kString) {
    return Status::InvalidArgument(
        "gracePeriod must be a duration string ('30s', '15m', '2h', "
        "'1d') or milliseconds");
  }
  const std::string& s = v.as_string();
  size_t i = 0;
  int64_t n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (n > 1'000'000'000'000)
      return Status::InvalidArgument("gracePeriod '" + s + "' is too large");
    n = n * 10 + (s[i] - '0');
    ++i;
  }
  const std::string unit = s.substr(i);
  int64_t mult = 0;
  if (unit == "ms") {
    mult = 1;
  } else if (unit == "s") {
    mult = 1000;
  } else if (unit == "m") {
    mult = 60 * 1000;
  } else if (unit == "h") {
    mult = 3600 * 1000;
  } else if (unit == "d") {
    mult = 24 * 3600 * 1000;
  }
  if (i == 0 || mult == 0) {
    return Status::InvalidArgument("bad gracePeriod '" + s +
                                   "' (expected <number><unit> with unit ms, s, m, h or d, "
                                   "e.g. '30s', '15m', '2h', '1d')");
  }
  return n * mult;
}

// Compiles one view definition into a ViewSpec.
class ViewCompiler {
 public:
  ViewCompiler(const catalog::ViewDef& def, const catalog::Catalog& cat) : def_(def), cat_(cat) {}

  Result<ViewSpec> Run();

 private:
  Status Err(std::string_view directive, std::string_view msg) const {
    return Status::InvalidArgument("view " + def_.name() + ": " + std::string(directive) + ": " +
                                   std::string(msg));
  }
  const std::vector<FieldDef>& RecordOf(const std::string& collection);
  std::string RootName() const { return def_.source(); }

  Status ParseRefresh(const Value& v);
  Status ParseExpand(const Value& v);
  Status ParseFlatten(const Value& v);
  Status ParseUnnest(const Value& v);
  Status ParseSelect(const Value& v);
  Status ParseGroupBy(const Value& v);
  Status ParseCompute(const Value& v);

  void EnsureExpanded(const FieldPath& path);
  FieldType TypeOf(const FieldPath& path);
  FieldType ComputeType(const ComputeSpec& c);
  Status AddColumn(std::string_view directive, FieldDef f);
  Status AddRecordColumns(const std::vector<FieldDef>& fields, const std::vector<ExpandNode>& nodes,
                          const std::vector<std::string>& prefix, bool root);
  std::string FlatName(const std::vector<std::string>& prefix, const std::string& field) const;
  void CollectDependencies(const std::vector<ExpandNode>& nodes);

  const catalog::ViewDef& def_;
  const catalog::Catalog& cat_;
  ViewSpec spec_;
  std::vector<FieldDef> root_fields_;
  std::map<std::string, std::vector<FieldDef>> records_;
  std::vector<std::pair<FieldPath, std::string>> flatten_;  // listed prefix -> new prefix
  std::set<std::string> column_names_;
  std::set<std::string> warned_;
  const Value* compute_spec_ = nullptr;
  const Value* group_spec_ = nullptr;
};

const std::vector<FieldDef>& ViewCompiler::RecordOf(const std::string& collection) {
  auto it = records_.find(collection);
  if (it != records_.end()) return it->second;
  std::vector<FieldDef> fields;
  fields.push_back(MakeField("$id", MakeType(TypeKind::kString)));
  fields.back().type.required = true;
  if (const catalog::CollectionDef* c = cat_.FindCollection(collection)) {
    for (const FieldDef& f : c->fields()) fields.push_back(f);
  }
  fields.push_back(MakeField("createdAt", MakeType(TypeKind::kTimestamp)));
  fields.push_back(MakeField("updatedAt", MakeType(TypeKind::kTimestamp)));
  fields.push_back(MakeField("version", MakeType(TypeKind::kInt)));
  return records_.emplace(collection, std::move(fields)).first->second;
}

Status ViewCompiler::ParseRefresh(const Value& v) {
  RefreshPolicy& r = spec_.refresh_;
  if (v.kind() != Kind::kObject) return Err("$refresh", "expected an object");
  for (const auto& member : v.as_object()) {
    // Plain references: clang 14 cannot capture structured bindings in lambdas.
    const std::string& k = member.first;
    const Value& opt = member.second;
    auto need_string = [&]() -> Status {
      if (opt.kind() != Kind::kString) {
        return Err("$refresh", k + " must be a string, got " + opt.ToJsonString());
      }
      return Status::OK();
    };
    if (k == "mode") {
      PQ_RETURN_IF_ERROR(need_string());
      const std::string& m = opt.as_string();
      if (m == "streaming") {
        r.mode = RefreshMode::kStreaming;
      } else if (m == "scheduled") {
        r.mode = RefreshMode::kScheduled;
      } else if (m == "manual") {
        r.mode = RefreshMode::kManual;
      } else {
        return Err("$refresh",
                   "unknown mode '" + m + "' (expected streaming, scheduled or manual)");
      }
    } else if (k == "schedule") {
      PQ_RETURN_IF_ERROR(need_string());
      r.schedule = opt.as_string();
    } else if (k == "timezone") {
      PQ_RETURN_IF_ERROR(need_string());
      auto tz = TimeZone::Load(opt.as_string());
      if (!tz.ok()) return Err("$refresh", "timezone: " + tz.status().message());
      r.timezone = std::move(tz).value();
      r.timezone_name = opt.as_string();
    } else if (k == "strategy") {
      PQ_RETURN_IF_ERROR(need_string());
      if (opt.as_string() == "replace") {
        r.strategy = RefreshStrategy::kReplace;
      } else if (opt.as_string() == "append") {
        r.strategy = RefreshStrategy::kAppend;
      } else {
        return Err("$refresh",
                   "unknown strategy '" + opt.as_string() + "' (expected replace or append)");
      }
    } else if (k == "gracePeriod") {
      auto g = ParseGracePeriod(opt);
      if (!g.ok()) return Err("$refresh", g.status().message());
      r.grace_period_ms = *g;
    } else if (k == "backend") {
      PQ_RETURN_IF_ERROR(need_string());
      const std::string& b = opt.as_string();
      if (b == "native") {
        r.backend = StorageBackend::kNative;
      } else if (b == "iceberg") {
        r.backend = StorageBackend::kIceberg;
      } else if (b == "delta") {
        r.backend = StorageBackend::kDelta;
      } else {
        return Err("$refresh", "unknown backend '" + b + "' (expected native, iceberg or delta)");
      }
    } else {
      return Err("$refresh", "unknown option '" + k +
                                 "' (expected mode, schedule, timezone, strategy, gracePeriod, "
                                 "backend)");
    }
  }
  if (r.mode == RefreshMode::kScheduled && r.schedule.empty()) {
    return Err("$refresh",
               "mode 'scheduled' needs a schedule (a 5-field cron string, e.g. "
               "'0 * * * *')");
  }
  return Status::OK();
}

Status ViewCompiler::ParseExpand(const Value& v) {
  std::vector<Value> items;
  if (v.kind() == Kind::kString) {
    items.push_back(v);
  } else if (v.kind() == Kind::kArray) {
    items = v.as_array();
  } else {
    return Err("$expand",
               "expected an array of relation paths, e.g. ['customer', 'items.product']");
  }
  for (const Value& item : items) {
    if (item.kind() != Kind::kString) {
      return Err("$expand", "expected relation path strings, got " + item.ToJsonString());
    }
    const std::string text(PathText(item.as_string()));
    const std::string where = "$expand '" + text + "'";
    auto path = FieldPath::Parse(text);
    if (!path.ok()) return Err(where, path.status().message());
    const std::vector<FieldDef>* fields = &root_fields_;
    std::vector<ExpandNode>* nodes = &spec_.expand_;
    std::string parent = RootName();
    for (size_t i = 0; i < path->size(); ++i) {
      const std::string& seg = path->segments()[i].name;
      const FieldDef* fd = FindField(*fields, seg);
      if (fd == nullptr || !fd->type.is_relation()) {
        std::string rels;
        for (const FieldDef& f : *fields) {
          if (f.type.is_relation()) rels += (rels.empty() ? "" : ", ") + f.name;
        }
        std::string msg = parent + " has no relation '" + seg + "'";
        if (fd != nullptr) {
          msg = parent + "." + seg + " is not a relation (it is " + fd->type.ToString() + ")";
        }
        return Err(where, msg + " (relations: " + (rels.empty() ? "none" : rels) + ")");
      }
      ExpandNode* node = FindNode(nodes, seg);
      if (node == nullptr) {
        ExpandNode n;
        n.field = seg;
        n.path = path->Prefix(i + 1).text();
        n.collection = fd->type.target;
        n.reverse = fd->type.kind == TypeKind::kReverseRelation;
        n.inverse = fd->type.inverse;
        n.many = n.reverse || fd->type.is_array;
        nodes->push_back(std::move(n));
        node = &nodes->back();
      }
      node->listed = true;
      parent = node->collection;
      fields = &RecordOf(node->collection);
      nodes = &node->children;
    }
  }
  return Status::OK();
}

void ViewCompiler::EnsureExpanded(const FieldPath& path) {
  const std::vector<FieldDef>* fields = &root_fields_;
  std::vector<ExpandNode>* nodes = &spec_.expand_;
  for (size_t i = 0; i < path.size(); ++i) {
    const FieldPath::Segment& seg = path.segments()[i];
    const FieldDef* fd = FindField(*fields, seg.name);
    if (fd == nullptr || !fd->type.is_relation()) return;
    const bool reverse = fd->type.kind == TypeKind::kReverseRelation;
    const bool more = i + 1 < path.size();
    // A forward relation followed by nothing is just its id; followed by "$id" too.
    if (!reverse && (!more || (i + 2 == path.size() && path.segments()[i + 1].name == "$id"))) {
      if (FindNode(*nodes, seg.name) == nullptr) return;
    }
    ExpandNode* node = FindNode(nodes, seg.name);
    if (node == nullptr) {
      ExpandNode n;
      n.field = seg.name;
      n.path = path.Prefix(i + 1).text();
      n.collection = fd->type.target;
      n.reverse = reverse;
      n.inverse = fd->type.inverse;
      n.many = reverse || fd->type.is_array;
      nodes->push_back(std::move(n));
      node = &nodes->back();
    }
    fields = &RecordOf(node->collection);
    nodes = &node->children;
    // An index right after an array relation selects an element: skip it.
    if (node->many && i + 1 < path.size() && path.segments()[i + 1].is_index) ++i;
  }
}

FieldType ViewCompiler::TypeOf(const FieldPath& path) {
  const std::vector<FieldDef>* fields = &root_fields_;
  const std::vector<ExpandNode>* nodes = &spec_.expand_;
  std::string record = RootName();
  const size_t unnest_len =
      spec_.unnest_.has_value() && path.StartsWith(*spec_.unnest_) ? spec_.unnest_->size() : 0;
  int levels = 0;          // array levels from expanded array relations
  bool last_many = false;  // the previous step entered an array relation
  bool in_record = true;
  FieldType cur;
  int field_array = 0;
  auto result = [&](FieldType t, int total) {
    t.required = false;
    if (total <= 0) return t;
    if (total == 1 && !t.is_array) {
      t.is_array = true;
      return t;
    }
    return VariantType(true);
  };
  for (size_t i = 0; i < path.size(); ++i) {
    const FieldPath::Segment& seg = path.segments()[i];
    if (in_record) {
      if (seg.is_index && last_many) {
        --levels;
        last_many = false;
        continue;
      }
      const FieldDef* fd = FindField(*fields, seg.name);
      if (fd == nullptr) {
        if (warned_.insert(path.text()).second) {
          spec_.warnings_.push_back("path '" + path.text() + "': " + record + " has no field '" +
                                    seg.name + "'");
        }
        return result(VariantType(), levels);
      }
      const ExpandNode* node = fd->type.is_relation() ? FindNode(*nodes, seg.name) : nullptr;
      if (node != nullptr) {
        last_many = node->many;
        if (node->many) ++levels;
        if (i + 1 == unnest_len && node->many) {
          --levels;
          last_many = false;
        }
        fields = &RecordOf(node->collection);
        nodes = &node->children;
        record = node->collection;
        continue;
      }
      if (fd->type.kind == TypeKind::kReverseRelation) return result(VariantType(), levels);
      cur = fd->type;
      cur.required = false;
      field_array = cur.is_array ? 1 : 0;
      cur.is_array = false;
      if (i + 1 == unnest_len && field_array > 0) field_array = 0;
      in_record = false;
      continue;
    }
    if (seg.is_index && field_array > 0) {
      --field_array;
      continue;
    }
    // Stepping into a scalar (or an untyped variant).
    return result(VariantType(), levels + (cur.kind == TypeKind::kVariant ? field_array : 0));
  }
  if (in_record) return result(VariantType(), levels);  // an expanded document
  return result(cur, levels + field_array);
}

FieldType ViewCompiler::ComputeType(const ComputeSpec& c) {
  FieldType in;
  switch (c.input) {
    case ComputeSpec::Input::kRows:
      in = MakeType(TypeKind::kInt);
      break;
    case ComputeSpec::Input::kPath:
      in = ElementType(TypeOf(c.path));
      break;
    case ComputeSpec::Input::kExpr:
      in = ElementType(c.expr.InferType([this](const FieldPath& p) { return TypeOf(p); }));
      break;
  }
  switch (c.kind) {
    case AggKind::kCount:
      return MakeType(TypeKind::kInt);
    case AggKind::kSum:
      if (in.kind == TypeKind::kInt || in.kind == TypeKind::kFloat) return MakeType(in.kind);
      if (in.kind == TypeKind::kDecimal) {
        FieldType d = MakeType(TypeKind::kDecimal);
        d.precision = 38;
        d.scale = in.scale;
        return d;
      }
      return VariantType();
    case AggKind::kAvg:
    case AggKind::kStdDev:
    case AggKind::kStdDevSamp:
    case AggKind::kVariance:
    case AggKind::kVarianceSamp:
      return MakeType(TypeKind::kFloat);
    default:
      in.required = false;
      return in;
  }
}

Status ViewCompiler::ParseFlatten(const Value& v) {
  if (v.kind() != Kind::kObject) {
    return Err("$flatten", "expected an object {expandedPath: newPrefix}");
  }
  for (const auto& member : v.as_object()) {
    const std::string& k = member.first;
    const Value& target = member.second;
    const std::string where = "$flatten '" + k + "'";
    auto path = FieldPath::Parse(PathText(k));
    if (!path.ok()) return Err(where, path.status().message());
    // Must be a listed expansion.
    const std::vector<ExpandNode>* nodes = &spec_.expand_;
    const ExpandNode* node = nullptr;
    for (const FieldPath::Segment& seg : path->segments()) {
      node = FindNode(*nodes, seg.name);
      if (node == nullptr || !node->listed) break;
      nodes = &node->children;
    }
    if (node == nullptr || !node->listed) {
      return Err(where, "'" + k + "' is not a path listed in $expand");
    }
    if (target.kind() != Kind::kString) {
      return Err(where, "the new prefix must be a string, got " + target.ToJsonString());
    }
    PQ_RETURN_IF_ERROR([&]() -> Status {
      Status st = CheckColumnName(target.as_string());
      return st.ok() ? st : Err(where, st.message());
    }());
    flatten_.emplace_back(std::move(path).value(), target.as_string());
  }
  return Status::OK();
}

Status ViewCompiler::ParseUnnest(const Value& v) {
  if (v.kind() != Kind::kString) return Err("$unnest", "expected a path string, e.g. 'logs'");
  const std::string text(PathText(v.as_string()));
  auto path = FieldPath::Parse(text);
  if (!path.ok()) return Err("$unnest '" + text + "'", path.status().message());
  spec_.unnest_ = std::move(path).value();
  return Status::OK();
}

Status ViewCompiler::ParseSelect(const Value& v) {
  if (v.kind() != Kind::kObject) {
    return Err("$select", "expected an object {column: '$path' | expression}");
  }
  spec_.has_select_ = true;
  for (const auto& [name, e] : v.as_object()) {
    const std::string where = "$select." + name;
    Status st = CheckColumnName(name);
    if (!st.ok()) return Err(where, st.message());
    auto expr = Expr::Compile(e);
    if (!expr.ok()) return Err(where, expr.status().message());
    spec_.select_.push_back(SelectSpec{name, std::move(expr).value()});
  }
  return Status::OK();
}

Status ViewCompiler::ParseGroupBy(const Value& v) {
  if (v.kind() != Kind::kArray) {
    return Err("$groupBy", "expected an array of paths or {alias: '$path'} objects");
  }
  spec_.aggregated_ = true;
  for (const Value& item : v.as_array()) {
    GroupKeySpec g;
    std::string text;
    if (item.kind() == Kind::kString) {
      text = std::string(PathText(item.as_string()));
      auto path = FieldPath::Parse(text);
      if (!path.ok()) return Err("$groupBy '" + text + "'", path.status().message());
      g.path = std::move(path).value();
      const FieldPath::Segment& last = g.path.segments().back();
      if (last.is_index || last.name.empty() || last.name[0] == '$') {
        return Err("$groupBy '" + text + "'", "the output column would be '" + last.name +
                                                  "'; give it a name with {alias: '$" + text +
                                                  "'}");
      }
      g.name = last.name;
    } else if (item.kind() == Kind::kObject && item.as_object().size() == 1 &&
               item.as_object()[0].second.kind() == Kind::kString) {
      const auto& [alias, ref] = item.as_object()[0];
      text = std::string(PathText(ref.as_string()));
      Status st = CheckColumnName(alias);
      if (!st.ok()) return Err("$groupBy '" + alias + "'", st.message());
      auto path = FieldPath::Parse(text);
      if (!path.ok()) return Err("$groupBy '" + alias + "'", path.status().message());
      g.path = std::move(path).value();
      g.name = alias;
      g.unit = ParseTimeUnit(alias);
    } else {
      return Err("$groupBy",
                 "expected a path string or {alias: '$path'}, got " + item.ToJsonString());
    }
    for (const GroupKeySpec& other : spec_.group_keys_) {
      if (other.name == g.name) {
        return Err("$groupBy", "duplicate output column '" + g.name +
                                   "' (rename one with {alias: '$path'}, e.g. {" + g.name +
                                   "2: '$" + text + "'})");
      }
    }
    spec_.group_keys_.push_back(std::move(g));
  }
  return Status::OK();
}

Status ViewCompiler::ParseCompute(const Value& v) {
  if (v.kind() != Kind::kObject) {
    return Err("$compute", "expected an object {name: {$aggregate: path-or-expression}}");
  }
  for (const auto& [name, agg] : v.as_object()) {
    const std::string where = "$compute." + name;
    Status st = CheckColumnName(name);
    if (!st.ok()) return Err(where, st.message());
    if (agg.kind() != Kind::kObject || agg.as_object().size() != 1) {
      return Err(where, "expected {$aggregate: path-or-expression}, e.g. {$sum: 'total'}, got " +
                            agg.ToJsonString());
    }
    const auto& [op, arg] = agg.as_object()[0];
    const std::optional<AggKind> kind = ParseAggKind(op);
    if (!kind.has_value()) {
      return Err(where,
                 "unknown aggregate '" + op + "' (expected " + std::string(AggKindList()) + ")");
    }
    ComputeSpec c;
    c.name = name;
    c.kind = *kind;
    if (arg.kind() == Kind::kString && arg.as_string() == "*") {
      if (*kind != AggKind::kCount) return Err(where, "only $count accepts '*'");
      c.input = ComputeSpec::Input::kRows;
    } else if (arg.kind() == Kind::kString) {
      auto path = FieldPath::Parse(PathText(arg.as_string()));
      if (!path.ok()) return Err(where, path.status().message());
      c.input = ComputeSpec::Input::kPath;
      c.path = std::move(path).value();
    } else {
      auto expr = Expr::Compile(arg);
      if (!expr.ok()) return Err(where, expr.status().message());
      c.input = ComputeSpec::Input::kExpr;
      c.expr = std::move(expr).value();
    }
    if (c.kind == AggKind::kFirst || c.kind == AggKind::kLast) spec_.needs_order_ = true;
    spec_.computes_.push_back(std::move(c));
  }
  return Status::OK();
}

Status ViewCompiler::AddColumn(std::string_view directive, FieldDef f) {
  if (!column_names_.insert(f.name).second) {
    return Err(directive, "column '" + f.name + "' is produced twice (rename one)");
  }
  spec_.columns_.push_back(std::move(f));
  return Status::OK();
}

std::string ViewCompiler::FlatName(const std::vector<std::string>& prefix,
                                   const std::string& field) const {
  size_t best_len = 0;
  const std::string* best = nullptr;
  for (const auto& [p, renamed] : flatten_) {
    if (p.size() > prefix.size() || p.size() <= best_len) continue;
    bool match = true;
    for (size_t i = 0; i < p.size() && match; ++i) match = p.segments()[i].name == prefix[i];
    if (match) {
      best_len = p.size();
      best = &renamed;
    }
  }
  std::string out = best != nullptr ? *best : "";
  for (size_t i = best_len; i < prefix.size(); ++i) {
    if (!out.empty()) out += '_';
    out += prefix[i];
  }
  out += '_';
  out += field;
  return out;
}

Status ViewCompiler::AddRecordColumns(const std::vector<FieldDef>& fields,
                                      const std::vector<ExpandNode>& nodes,
                                      const std::vector<std::string>& prefix, bool root) {
  std::string base;
  for (const std::string& p : prefix) base += p + ".";
  for (const FieldDef& fd : fields) {
    if (fd.name == "$id") continue;
    if (!root && IsSystemColumn(fd.name)) continue;
    const ExpandNode* node = fd.type.is_relation() ? FindNode(nodes, fd.name) : nullptr;
    if (fd.type.kind == TypeKind::kReverseRelation && node == nullptr) continue;
    const std::string name = root ? fd.name : FlatName(prefix, fd.name);
    FlatColumn col;
    col.name = name;
    PQ_ASSIGN_OR_RETURN(col.path, FieldPath::Parse(base + fd.name + (node ? ".$id" : "")));
    FieldType t = TypeOf(col.path);
    if (node != nullptr) {
      const bool arr = t.is_array;
      t = fd.type;
      t.kind = TypeKind::kRelation;
      t.is_array = arr;
      t.inverse.clear();
      t.inverse_explicit = false;
      t.required = false;
    }
    PQ_RETURN_IF_ERROR(AddColumn(root ? "$from" : "$expand", MakeField(name, t)));
    spec_.flat_columns_.push_back(std::move(col));
  }
  for (const ExpandNode& child : nodes) {
    if (!child.listed) continue;
    std::vector<std::string> sub = prefix;
    sub.push_back(child.field);
    PQ_RETURN_IF_ERROR(AddRecordColumns(RecordOf(child.collection), child.children, sub, false));
  }
  return Status::OK();
}

void ViewCompiler::CollectDependencies(const std::vector<ExpandNode>& nodes) {
  for (const ExpandNode& n : nodes) {
    if (std::find(spec_.related_.begin(), spec_.related_.end(), n.collection) ==
        spec_.related_.end()) {
      spec_.related_.push_back(n.collection);
    }
    if (n.reverse) {
      const std::pair<std::string, std::string> key(n.collection, n.inverse);
      if (std::find(spec_.reverse_lookups_.begin(), spec_.reverse_lookups_.end(), key) ==
          spec_.reverse_lookups_.end()) {
        spec_.reverse_lookups_.push_back(key);
      }
    }
    CollectDependencies(n.children);
  }
}

Result<ViewSpec> ViewCompiler::Run() {
  const Value& def = def_.definition();
  spec_.name_ = def_.name();
  spec_.type_name_ = def_.type_name();
  spec_.source_ = def_.source();
  spec_.source_is_view_ = def_.source_is_view();
  spec_.definition_hash_ = def_.Hash();
  if (def.kind() != Kind::kObject) {
    return Status::InvalidArgument("view " + def_.name() + ": definition must be an object");
  }

  // Source columns.
  if (def_.source_is_view()) {
    const catalog::ViewDef* up = cat_.FindView(def_.source());
    if (up == nullptr) return Err("$from", "unknown view '" + def_.source() + "'");
    PQ_ASSIGN_OR_RETURN(ViewSpec upstream, ViewSpec::Compile(*up, cat_));
    root_fields_ = upstream.OutputColumns();
  } else {
    if (cat_.FindCollection(def_.source()) == nullptr) {
      return Err("$from", "unknown collection '" + def_.source() + "'");
    }
    root_fields_ = RecordOf(def_.source());
  }

  // Directives, in a fixed order (refresh first: buckets need its time zone).
  const Value* expand = nullptr;
  const Value* flatten = nullptr;
  const Value* unnest = nullptr;
  const Value* filter = nullptr;
  const Value* select = nullptr;
  const Value* refresh = nullptr;
  for (const auto& [k, v] : def.as_object()) {
    if (k == "$from") {
      continue;
    } else if (k == "$type") {
      if (v.kind() != Kind::kString) return Err("$type", "expected a string");
    } else if (k == "$expand") {
      expand = &v;
    } else if (k == "$flatten") {
      flatten = &v;
    } else if (k == "$unnest") {
      unnest = &v;
    } else if (k == "$filter") {
      filter = &v;
    } else if (k == "$select") {
      select = &v;
    } else if (k == "$groupBy") {
      group_spec_ = &v;
    } else if (k == "$compute") {
      compute_spec_ = &v;
    } else if (k == "$refresh") {
      refresh = &v;
    } else if (k == "$projection") {
      if (v.kind() == Kind::kString && v.as_string() == "olap") {
        spec_.projection_ = Projection::kOlap;
      } else if (v.kind() == Kind::kString && v.as_string() == "oltp") {
        spec_.projection_ = Projection::kOltp;
      } else if (v.kind() == Kind::kString && v.as_string() == "both") {
        spec_.projection_ = Projection::kBoth;
      } else {
        return Err("$projection", "expected 'olap', 'oltp' or 'both', got " + v.ToJsonString());
      }
    } else if (!k.empty() && k[0] == '$') {
      return Status::InvalidArgument("view " + def_.name() + ": unknown directive '" + k +
                                     "' (expected " + std::string(kDirectiveList) + ")");
    } else {
      return Status::InvalidArgument(
          "view " + def_.name() + ": '" + k +
          "' is not a directive; a view's columns come from its source, $expand, $select, "
          "$groupBy and $compute");
    }
  }
  if (refresh != nullptr) PQ_RETURN_IF_ERROR(ParseRefresh(*refresh));
  if (expand != nullptr) PQ_RETURN_IF_ERROR(ParseExpand(*expand));
  if (flatten != nullptr) PQ_RETURN_IF_ERROR(ParseFlatten(*flatten));
  if (unnest != nullptr) PQ_RETURN_IF_ERROR(ParseUnnest(*unnest));
  if (filter != nullptr) {
    if (filter->kind() != Kind::kObject) return Err("$filter", "expected a filter object");
    auto f = query::Filter::Parse(*filter);
    if (!f.ok()) return Err("$filter", f.status().message());
    spec_.filter_ = std::move(f).value();
  }
  if (select != nullptr) PQ_RETURN_IF_ERROR(ParseSelect(*select));
  if (group_spec_ != nullptr) PQ_RETURN_IF_ERROR(ParseGroupBy(*group_spec_));
  if (compute_spec_ != nullptr) PQ_RETURN_IF_ERROR(ParseCompute(*compute_spec_));
  if (spec_.aggregated_ && spec_.has_select_) {
    return Err("$select",
               "cannot be combined with $groupBy (the output columns of an "
               "aggregated view are its $groupBy keys and $compute values)");
  }
  if (!flatten_.empty() && spec_.has_select_) {
    spec_.warnings_.push_back("$flatten has no effect on a view with $select");
  }

  // Implicit expansions for every path read.
  std::vector<FieldPath> paths;
  if (spec_.unnest_.has_value()) paths.push_back(*spec_.unnest_);
  if (filter != nullptr) {
    std::vector<std::string> texts;
    CollectFilterPaths(*filter, &texts);
    for (const std::string& t : texts) {
      auto p = FieldPath::Parse(t);
      if (p.ok()) paths.push_back(std::move(p).value());
    }
  }
  std::vector<const FieldPath*> refs;
  for (const SelectSpec& s : spec_.select_) s.expr.CollectPaths(&refs);
  for (const ComputeSpec& c : spec_.computes_) {
    if (c.input == ComputeSpec::Input::kPath) refs.push_back(&c.path);
    if (c.input == ComputeSpec::Input::kExpr) c.expr.CollectPaths(&refs);
  }
  for (const GroupKeySpec& g : spec_.group_keys_) refs.push_back(&g.path);
  for (const FieldPath* p : refs) paths.push_back(*p);
  for (const FieldPath& p : paths) EnsureExpanded(p);

  // $unnest must name an array (when the type is known).
  if (spec_.unnest_.has_value()) {
    const std::optional<FieldPath> saved = std::move(spec_.unnest_);
    spec_.unnest_.reset();
    const FieldType t = TypeOf(*saved);
    spec_.unnest_ = saved;
    if (!t.is_array && t.kind != TypeKind::kVariant) {
      return Err(
          "$unnest '" + saved->text() + "'",
          RootName() + "." + saved->text() + " is not an array (it is " + t.ToString() + ")");
    }
  }
  // Warnings for unknown filter paths.
  for (const FieldPath& p : paths) (void)TypeOf(p);

  // Output columns.
  FieldDef id = MakeField("$id", MakeType(TypeKind::kString));
  id.type.required = true;
  PQ_RETURN_IF_ERROR(AddColumn("$id", id));
  auto path_type = [this](const FieldPath& p) { return TypeOf(p); };
  if (spec_.aggregated_) {
    for (const GroupKeySpec& g : spec_.group_keys_) {
      FieldType t = TypeOf(g.path);
      if (g.unit.has_value()) {
        t = MakeType(*g.unit == TimeUnit::kMinute || *g.unit == TimeUnit::kHour
                         ? TypeKind::kTimestamp
                         : TypeKind::kDate);
      }
      PQ_RETURN_IF_ERROR(AddColumn("$groupBy", MakeField(g.name, t)));
    }
  } else if (spec_.has_select_) {
    for (const SelectSpec& s : spec_.select_) {
      PQ_RETURN_IF_ERROR(
          AddColumn("$select." + s.name, MakeField(s.name, s.expr.InferType(path_type))));
    }
  } else {
    PQ_RETURN_IF_ERROR(AddRecordColumns(root_fields_, spec_.expand_, {}, true));
  }
  for (ComputeSpec& c : spec_.computes_) {
    const FieldType t = ComputeType(c);
    switch (t.kind) {
      case TypeKind::kDecimal:
        c.zero = Value::Dec(Decimal{0, t.scale});
        break;
      case TypeKind::kFloat:
        c.zero = Value::Double(0);
        break;
      default:
        c.zero = Value::Int(0);
        break;
    }
    PQ_RETURN_IF_ERROR(AddColumn("$compute." + c.name, MakeField(c.name, t)));
  }

  spec_.dependencies_.push_back(spec_.source_);
  CollectDependencies(spec_.expand_);
  for (const std::string& r : spec_.related_) {
    if (std::find(spec_.dependencies_.begin(), spec_.dependencies_.end(), r) ==
        spec_.dependencies_.end()) {
      spec_.dependencies_.push_back(r);
    }
  }
  return std::move(spec_);
}

Result<ViewSpec> ViewSpec::Compile(const catalog::ViewDef& def, const catalog::Catalog& catalog) {
  ViewCompiler c(def, catalog);
  return c.Run();
}

}  // namespace parquedb::views
