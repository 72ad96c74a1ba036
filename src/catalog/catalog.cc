#include "catalog/catalog.h"

#include <algorithm>
#include <string>
#include <utility>

#include "catalog/builtins.h"

namespace parquedb::catalog {
namespace {

constexpr std::string_view kSystemFields[] = {"$id", "$type", "createdAt", "updatedAt", "version"};
constexpr std::string_view kSystemFieldList = "$id, $type, createdAt, updatedAt, version";

// Directives that only make sense on a view (an entry with $from).
constexpr std::string_view kViewDirectives[] = {
    "$expand",  "$flatten", "$filter", "$groupBy", "$compute", "$unnest", "$select",
    "$refresh", "$project", "$sort",   "$limit",   "$skip",    "$having", "$projection"};

bool IsIdentifier(std::string_view s) {
  if (s.empty()) return false;
  auto start = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!start(s[0])) return false;
  return std::all_of(s.begin() + 1, s.end(),
                     [&](char c) { return start(c) || (c >= '0' && c <= '9'); });
}

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
char ToLower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

// "Order" -> "order", "OrderItem" -> "orderItem", "AIRequests" -> "aiRequests",
// "URL" -> "url": the leading run of capitals is lowercased, except its last letter when
// that letter starts the next word (is followed by a lowercase letter).
std::string LowerCamel(std::string_view name) {
  std::string out(name);
  size_t n = 0;
  while (n < out.size() && IsUpper(out[n])) ++n;
  size_t lower = n;
  if (n >= 2 && n < out.size() && IsLower(out[n])) lower = n - 1;
  for (size_t i = 0; i < lower; ++i) out[i] = ToLower(out[i]);
  return out;
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out.empty() ? "none" : out;
}

std::string KindOf(const Value& v) { return std::string(Value::KindName(v.kind())); }

Value SortedCopy(const Value& v) {
  if (v.kind() == Value::Kind::kArray) {
    Value::Array a;
    a.reserve(v.as_array().size());
    for (const Value& e : v.as_array()) a.push_back(SortedCopy(e));
    return Value::MakeArray(std::move(a));
  }
  if (v.kind() == Value::Kind::kObject) {
    Value::Object o;
    o.reserve(v.as_object().size());
    for (const auto& [k, e] : v.as_object()) o.emplace_back(k, SortedCopy(e));
    std::sort(o.begin(), o.end(),
              [](const Value::Member& a, const Value::Member& b) { return a.first < b.first; });
    return Value::MakeObject(std::move(o));
  }
  return v;
}

uint64_t Fnv1a64(std::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

Status CheckTypeName(const Value& v, std::string_view entry) {
  if (v.kind() != Value::Kind::kString || !IsIdentifier(v.as_string())) {
    return Status::InvalidArgument(
        "$type of " + std::string(entry) + " must be an identifier string such as \"Order\", got " +
        (v.kind() == Value::Kind::kString ? "'" + v.as_string() + "'" : KindOf(v)));
  }
  return Status::OK();
}

Status CheckFieldName(std::string_view name, std::string_view coll) {
  if (name.empty()) {
    return Status::InvalidArgument("empty field name in " + std::string(coll));
  }
  if (name.find('.') != std::string_view::npos) {
    return Status::InvalidArgument("bad field name '" + std::string(name) + "' in " +
                                   std::string(coll) +
                                   ": field names may not contain '.' (it separates paths)");
  }
  if (std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::InvalidArgument("bad field name '" + std::string(name) + "' in " +
                                   std::string(coll) +
                                   ": all-digit names are reserved for array indexes in paths");
  }
  if (IsSystemField(name)) {
    return Status::InvalidArgument(
        "'" + std::string(name) + "' is a system field and cannot be declared in " +
        std::string(coll) + " (system fields: " + std::string(kSystemFieldList) +
        "; createdAt/updatedAt are timestamps and version an int, maintained by ParqueDB)");
  }
  return Status::OK();
}

}  // namespace

bool IsSystemField(std::string_view name) {
  return std::find(std::begin(kSystemFields), std::end(kSystemFields), name) !=
         std::end(kSystemFields);
}

std::string CanonicalJson(const Value& v) { return SortedCopy(v).ToJsonString(); }

// ------------------------------- CollectionDef -------------------------------

const FieldDef* CollectionDef::FindField(std::string_view name) const {
  auto it = field_index_.find(name);
  return it == field_index_.end() ? nullptr : &fields_[it->second];
}

std::vector<const FieldDef*> CollectionDef::Relations() const {
  std::vector<const FieldDef*> out;
  for (const FieldDef& f : fields_) {
    if (f.type.is_relation()) out.push_back(&f);
  }
  return out;
}

Value CollectionDef::ToValue() const {
  if (!module_.empty()) return Value::String(module_);
  Value::Object o;
  if (type_name_ != name_) o.emplace_back("$type", Value::String(type_name_));
  for (const FieldDef& f : fields_) {
    if (!f.implicit) o.emplace_back(f.name, Value::String(f.type.ToString()));
  }
  if (!ingest_.empty()) o.emplace_back("$ingest", Value::String(ingest_));
  return Value::MakeObject(std::move(o));
}

// ---------------------------------- Catalog ----------------------------------

// Builds a Catalog from a schema object; the only writer of the private parts of
// Catalog, CollectionDef and ViewDef.
class CatalogBuilder {
 public:
  static Result<Catalog> Build(const Value& schema) {
    if (schema.kind() != Value::Kind::kObject) {
      return Status::InvalidArgument(
          "schema must be an object of collections, views and imports, got " + KindOf(schema));
    }
    Catalog c;
    for (const auto& [key, entry] : schema.as_object()) {
      if (!IsIdentifier(key)) {
        return Status::InvalidArgument(
            "bad schema entry name '" + key +
            "': expected an identifier ([A-Za-z_][A-Za-z0-9_]*) such as \"Order\"");
      }
      if (entry.kind() == Value::Kind::kString) {
        PQ_ASSIGN_OR_RETURN(Value def, ResolveBuiltin(entry.as_string(), key));
        PQ_ASSIGN_OR_RETURN(CollectionDef coll, ParseCollection(key, def));
        coll.module_ = entry.as_string();
        AddCollection(&c, std::move(coll));
      } else if (entry.kind() == Value::Kind::kObject) {
        if (entry.Find("$from") != nullptr) {
          PQ_ASSIGN_OR_RETURN(ViewDef view, ParseView(key, entry));
          c.view_by_name_.emplace(view.name_, c.views_.size());
          c.entries_.push_back({true, c.views_.size()});
          c.views_.push_back(std::move(view));
        } else {
          PQ_ASSIGN_OR_RETURN(CollectionDef coll, ParseCollection(key, entry));
          AddCollection(&c, std::move(coll));
        }
      } else {
        return Status::InvalidArgument(
            "schema entry " + key +
            " must be an object (a collection, or a view with $from) or a module name such "
            "as \"parquedb/tail\", got " +
            KindOf(entry));
      }
    }
    PQ_RETURN_IF_ERROR(IndexTypeNames(&c));
    PQ_RETURN_IF_ERROR(ResolveForwardRelations(&c));
    PQ_RETURN_IF_ERROR(ResolveReverseRelations(&c));
    PQ_RETURN_IF_ERROR(ResolveViewSources(&c));
    return c;
  }

 private:
  static void AddCollection(Catalog* c, CollectionDef coll) {
    c->collection_by_name_.emplace(coll.name_, c->collections_.size());
    c->entries_.push_back({false, c->collections_.size()});
    c->collections_.push_back(std::move(coll));
  }

  static void AddField(CollectionDef* coll, FieldDef f) {
    coll->field_index_.emplace(f.name, coll->fields_.size());
    coll->fields_.push_back(std::move(f));
  }

  static Result<CollectionDef> ParseCollection(const std::string& key, const Value& obj) {
    CollectionDef def;
    def.name_ = key;
    def.type_name_ = key;
    for (const auto& [name, v] : obj.as_object()) {
      if (name == "$type") {
        PQ_RETURN_IF_ERROR(CheckTypeName(v, key));
        def.type_name_ = v.as_string();
        continue;
      }
      if (name == "$ingest") {
        if (v.kind() != Value::Kind::kString || v.as_string().empty()) {
          return Status::InvalidArgument("$ingest of " + key +
                                         " must be a non-empty string such as \"tail\", got " +
                                         KindOf(v));
        }
        def.ingest_ = v.as_string();
        continue;
      }
      if (name == "$id") {
        return Status::InvalidArgument(
            "'$id' is a system field (the document id string) and cannot be declared in " + key);
      }
      if (!name.empty() && name[0] == '$') {
        if (std::find(std::begin(kViewDirectives), std::end(kViewDirectives), name) !=
            std::end(kViewDirectives)) {
          return Status::InvalidArgument("collection " + key + " has view directive '" + name +
                                         "' but no $from (a view is an entry with \"$from\": "
                                         "\"<collection or view>\")");
        }
        return Status::InvalidArgument("unknown directive '" + name + "' in collection " + key +
                                       " (collections accept $type and $ingest; views are "
                                       "entries with $from)");
      }
      PQ_RETURN_IF_ERROR(CheckFieldName(name, key));
      if (v.kind() != Value::Kind::kString) {
        return Status::InvalidArgument(key + "." + name +
                                       ": expected a type string such as \"string!\" or \"-> "
                                       "Customer\", got " +
                                       KindOf(v));
      }
      PQ_ASSIGN_OR_RETURN(FieldType type, ParseFieldType(v.as_string(), key + "." + name));
      AddField(&def, FieldDef{name, std::move(type), false});
    }
    return def;
  }

  static Result<ViewDef> ParseView(const std::string& key, const Value& obj) {
    ViewDef view;
    view.name_ = key;
    view.type_name_ = key;
    const Value* from = obj.Find("$from");
    if (from->kind() != Value::Kind::kString || from->as_string().empty()) {
      return Status::InvalidArgument("$from of view " + key +
                                     " must be a non-empty string naming a collection or view, "
                                     "got " +
                                     KindOf(*from));
    }
    view.source_ = from->as_string();
    if (const Value* type = obj.Find("$type")) {
      PQ_RETURN_IF_ERROR(CheckTypeName(*type, key));
      view.type_name_ = type->as_string();
    }
    view.definition_ = obj;
    view.canonical_json_ = CanonicalJson(obj);
    view.hash_ = Fnv1a64(view.canonical_json_);
    return view;
  }

  // Type names are unique across entries and never shadow another entry's key.
  static Status IndexTypeNames(Catalog* c) {
    std::map<std::string, std::string, std::less<>> owner;  // type name -> entry key
    auto add = [&](const std::string& type, const std::string& key) -> Status {
      if (type != key && (c->collection_by_name_.count(type) || c->view_by_name_.count(type))) {
        return Status::InvalidArgument("$type '" + type + "' of " + key +
                                       " conflicts with the schema entry named '" + type + "'");
      }
      auto [it, inserted] = owner.emplace(type, key);
      if (!inserted) {
        return Status::InvalidArgument("duplicate $type '" + type + "' (used by " + it->second +
                                       " and " + key + ")");
      }
      return Status::OK();
    };
    for (const Catalog::Entry& e : c->entries_) {
      if (e.is_view) {
        const ViewDef& v = c->views_[e.index];
        PQ_RETURN_IF_ERROR(add(v.type_name_, v.name_));
        c->view_by_type_.emplace(v.type_name_, e.index);
      } else {
        const CollectionDef& coll = c->collections_[e.index];
        PQ_RETURN_IF_ERROR(add(coll.type_name_, coll.name_));
        c->collection_by_type_.emplace(coll.type_name_, e.index);
      }
    }
    return Status::OK();
  }

  static std::vector<std::string> CollectionNames(const Catalog& c) {
    std::vector<std::string> out;
    for (const CollectionDef& coll : c.collections_) out.push_back(coll.name_);
    return out;
  }

  // Resolves a relation target (key or $type name) to a collection index.
  static Result<size_t> ResolveTarget(const Catalog& c, const std::string& target,
                                      const std::string& where, std::string_view what) {
    if (auto it = c.collection_by_name_.find(target); it != c.collection_by_name_.end()) {
      return it->second;
    }
    if (auto it = c.collection_by_type_.find(target); it != c.collection_by_type_.end()) {
      return it->second;
    }
    if (c.view_by_name_.count(target) || c.view_by_type_.count(target)) {
      return Status::InvalidArgument(std::string(what) + " target '" + target + "' in " + where +
                                     " is a view; relations must point to collections");
    }
    return Status::InvalidArgument("unknown " + std::string(what) + " target '" + target + "' in " +
                                   where + " (known collections: " + Join(CollectionNames(c)) +
                                   ")");
  }

  static Status ResolveForwardRelations(Catalog* c) {
    for (CollectionDef& coll : c->collections_) {
      for (FieldDef& f : coll.fields_) {
        if (f.type.kind != TypeKind::kRelation) continue;
        PQ_ASSIGN_OR_RETURN(
            size_t t, ResolveTarget(*c, f.type.target, coll.name_ + "." + f.name, "relation"));
        f.type.target = c->collections_[t].name_;
      }
    }
    return Status::OK();
  }

  static Status ResolveReverseRelations(Catalog* c) {
    for (size_t ci = 0; ci < c->collections_.size(); ++ci) {
      // Index-based: resolving may append an implicit field to any collection, this one
      // included.
      for (size_t fi = 0; fi < c->collections_[ci].fields_.size(); ++fi) {
        if (c->collections_[ci].fields_[fi].type.kind != TypeKind::kReverseRelation) continue;
        const std::string this_name = c->collections_[ci].name_;
        const std::string where = this_name + "." + c->collections_[ci].fields_[fi].name;
        FieldType type = c->collections_[ci].fields_[fi].type;
        PQ_ASSIGN_OR_RETURN(size_t ti, ResolveTarget(*c, type.target, where, "reverse relation"));
        CollectionDef& target = c->collections_[ti];
        type.target = target.name_;
        const std::string arrow = "'-> " + this_name + "'";
        if (type.inverse_explicit) {
          const FieldDef* g = target.FindField(type.inverse);
          if (g == nullptr) {
            return Status::InvalidArgument(where + ": " + target.name_ + "." + type.inverse +
                                           " does not exist (expected a forward relation " + arrow +
                                           " in " + target.name_ + ")");
          }
          if (g->type.kind != TypeKind::kRelation || g->type.target != this_name) {
            return Status::InvalidArgument(where + ": " + target.name_ + "." + type.inverse +
                                           " is '" + g->type.ToString() +
                                           "', not a forward relation " + arrow);
          }
        } else {
          std::vector<std::string> candidates;
          for (const FieldDef& g : target.fields_) {
            if (g.type.kind == TypeKind::kRelation && g.type.target == this_name) {
              candidates.push_back(g.name);
            }
          }
          if (candidates.size() > 1) {
            return Status::InvalidArgument(where + ": " + target.name_ +
                                           " has several forward relations to " + this_name + " (" +
                                           Join(candidates) + "); name one explicitly, e.g. '<- " +
                                           target.name_ + "." + candidates[0] + "[]'");
          }
          if (candidates.size() == 1) {
            type.inverse = candidates[0];
          } else {
            const std::string implicit = LowerCamel(this_name);
            if (target.FindField(implicit) != nullptr || IsSystemField(implicit)) {
              return Status::InvalidArgument(
                  where + ": " + target.name_ + " has no forward relation to " + this_name +
                  " and the implicit field name '" + implicit +
                  "' is taken; declare a field such as 'x: \"-> " + this_name + "\"' in " +
                  target.name_ + " and write '<- " + target.name_ + ".x[]'");
            }
            FieldType fwd;
            fwd.kind = TypeKind::kRelation;
            fwd.target = this_name;
            AddField(&target, FieldDef{implicit, std::move(fwd), true});
            type.inverse = implicit;
          }
        }
        c->collections_[ci].fields_[fi].type = std::move(type);
      }
    }
    return Status::OK();
  }

  static Status ResolveViewSources(Catalog* c) {
    for (ViewDef& v : c->views_) {
      if (c->collection_by_name_.count(v.source_)) continue;
      if (c->view_by_name_.count(v.source_)) {
        v.source_is_view_ = true;
        continue;
      }
      std::vector<std::string> known;
      for (const Catalog::Entry& e : c->entries_) {
        known.push_back(e.is_view ? c->views_[e.index].name_ : c->collections_[e.index].name_);
      }
      return Status::InvalidArgument("unknown $from '" + v.source_ + "' in view " + v.name_ +
                                     " (known collections and views: " + Join(known) + ")");
    }
    // Each view has one source, so the dependency graph is a forest unless a walk up the
    // sources revisits a view on the current path.
    const size_t n = c->views_.size();
    std::vector<int> depth(n, -1);  // -1: unvisited, -2: on the current path
    for (size_t start = 0; start < n; ++start) {
      std::vector<size_t> path;
      size_t cur = start;
      int base = 0;
      while (true) {
        if (depth[cur] >= 0) {
          base = depth[cur] + 1;
          break;
        }
        if (depth[cur] == -2) {
          const auto at = std::find(path.begin(), path.end(), cur);
          std::string cycle;
          for (auto it = at; it != path.end(); ++it) cycle += c->views_[*it].name_ + " -> ";
          cycle += c->views_[cur].name_;
          return Status::InvalidArgument("view cycle: " + cycle);
        }
        depth[cur] = -2;
        path.push_back(cur);
        const ViewDef& v = c->views_[cur];
        if (!v.source_is_view_) break;
        cur = c->view_by_name_.find(v.source_)->second;
      }
      // path[last] reads a collection (base 0) or a view of known depth (base set above).
      for (size_t i = path.size(); i-- > 0;) depth[path[i]] = base++;
    }
    c->view_topo_.resize(n);
    for (size_t i = 0; i < n; ++i) c->view_topo_[i] = i;
    std::stable_sort(c->view_topo_.begin(), c->view_topo_.end(),
                     [&](size_t a, size_t b) { return depth[a] < depth[b]; });
    return Status::OK();
  }
};

Result<Catalog> Catalog::Parse(const Value& schema) { return CatalogBuilder::Build(schema); }

Result<Catalog> Catalog::ParseJson(std::string_view json) {
  auto parsed = Value::ParseJson(json);
  if (!parsed.ok()) return parsed.status().WithContext("schema JSON");
  return Parse(*parsed);
}

const CollectionDef* Catalog::FindCollection(std::string_view name) const {
  auto it = collection_by_name_.find(name);
  return it == collection_by_name_.end() ? nullptr : &collections_[it->second];
}

const CollectionDef* Catalog::FindCollectionByType(std::string_view type_name) const {
  auto it = collection_by_type_.find(type_name);
  return it == collection_by_type_.end() ? nullptr : &collections_[it->second];
}

const ViewDef* Catalog::FindView(std::string_view name) const {
  auto it = view_by_name_.find(name);
  return it == view_by_name_.end() ? nullptr : &views_[it->second];
}

const ViewDef* Catalog::FindViewByType(std::string_view type_name) const {
  auto it = view_by_type_.find(type_name);
  return it == view_by_type_.end() ? nullptr : &views_[it->second];
}

std::vector<const ViewDef*> Catalog::ViewsInTopologicalOrder() const {
  std::vector<const ViewDef*> out;
  out.reserve(view_topo_.size());
  for (size_t i : view_topo_) out.push_back(&views_[i]);
  return out;
}

std::vector<const ViewDef*> Catalog::ViewsDependingOn(std::string_view name) const {
  // In topological order every view comes after its source, so one pass suffices.
  std::vector<std::string_view> reached = {name};
  std::vector<const ViewDef*> out;
  for (size_t i : view_topo_) {
    const ViewDef& v = views_[i];
    if (std::find(reached.begin(), reached.end(), v.source()) != reached.end()) {
      out.push_back(&v);
      reached.push_back(v.name());
    }
  }
  return out;
}

Value Catalog::ToValue() const {
  Value::Object o;
  o.reserve(entries_.size());
  for (const Entry& e : entries_) {
    if (e.is_view) {
      o.emplace_back(views_[e.index].name(), views_[e.index].definition());
    } else {
      o.emplace_back(collections_[e.index].name(), collections_[e.index].ToValue());
    }
  }
  return Value::MakeObject(std::move(o));
}

}  // namespace parquedb::catalog
