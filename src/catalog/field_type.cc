#include "catalog/field_type.h"

#include <string>

namespace parquedb::catalog {
namespace {

constexpr std::string_view kExpectedTypes =
    "expected string, int, float, decimal(p,s), boolean, timestamp, date, variant, or a "
    "relation '-> Type'";
constexpr int kMaxDecimalPrecision = 38;

bool IsIdentStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A cursor over the type text with the error helpers bound to it.
class TypeParser {
 public:
  TypeParser(std::string_view text, std::string_view where) : text_(text), where_(where) {}

  Result<FieldType> Parse() {
    FieldType t;
    SkipSpace();
    if (AtEnd()) {
      return Status::InvalidArgument("empty type in " + std::string(where_) + " (" +
                                     std::string(kExpectedTypes) + ")");
    }
    if (Consume("->")) {
      t.kind = TypeKind::kRelation;
      PQ_RETURN_IF_ERROR(ParseTarget(&t, "->"));
      PQ_RETURN_IF_ERROR(ParseSuffixes(&t));
      return t;
    }
    if (Consume("<-")) {
      t.kind = TypeKind::kReverseRelation;
      PQ_RETURN_IF_ERROR(ParseTarget(&t, "<-"));
      SkipSpace();
      if (Consume(".")) {
        SkipSpace();
        const std::string_view field = Ident();
        if (field.empty()) {
          return Bad("bad reverse relation",
                     "expected a field name after '.', e.g. '<- " + t.target + ".order[]'");
        }
        t.inverse = std::string(field);
        t.inverse_explicit = true;
      }
      PQ_RETURN_IF_ERROR(ParseSuffixes(&t));
      if (!t.is_array) {
        return Bad("bad reverse relation",
                   "a reverse relation must be an array, e.g. '<- " + t.target + "[]'");
      }
      if (t.required || saw_modifier_) {
        return Bad("bad reverse relation",
                   "reverse relations are computed and take no '!' or '?' modifier");
      }
      return t;
    }
    const std::string_view name = Ident();
    if (name.empty()) {
      return Status::InvalidArgument("unknown type '" + std::string(text_.substr(pos_)) + "' in " +
                                     std::string(where_) + " (" + std::string(kExpectedTypes) +
                                     ")");
    }
    if (name == "string") {
      t.kind = TypeKind::kString;
    } else if (name == "int") {
      t.kind = TypeKind::kInt;
    } else if (name == "float" || name == "double") {
      t.kind = TypeKind::kFloat;
    } else if (name == "boolean") {
      t.kind = TypeKind::kBoolean;
    } else if (name == "timestamp") {
      t.kind = TypeKind::kTimestamp;
    } else if (name == "date") {
      t.kind = TypeKind::kDate;
    } else if (name == "variant" || name == "json") {
      t.kind = TypeKind::kVariant;
    } else if (name == "decimal") {
      t.kind = TypeKind::kDecimal;
      PQ_RETURN_IF_ERROR(ParseDecimalArgs(&t));
    } else {
      return Status::InvalidArgument("unknown type '" + std::string(name) + "' in " +
                                     std::string(where_) + " (" + std::string(kExpectedTypes) +
                                     ")");
    }
    PQ_RETURN_IF_ERROR(ParseSuffixes(&t));
    return t;
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  void SkipSpace() {
    while (!AtEnd() && IsSpace(text_[pos_])) ++pos_;
  }
  bool Consume(std::string_view tok) {
    if (text_.substr(pos_, tok.size()) != tok) return false;
    pos_ += tok.size();
    return true;
  }
  std::string_view Ident() {
    if (AtEnd() || !IsIdentStart(text_[pos_])) return {};
    const size_t start = pos_;
    while (!AtEnd() && IsIdentChar(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  Status Bad(std::string_view what, const std::string& why) const {
    return Status::InvalidArgument(std::string(what) + " '" + std::string(text_) + "' in " +
                                   std::string(where_) + ": " + why);
  }

  Status ParseTarget(FieldType* t, std::string_view arrow) {
    SkipSpace();
    const std::string_view target = Ident();
    if (target.empty()) {
      return Bad("bad relation", "expected a collection name after '" + std::string(arrow) +
                                     "', e.g. '" + std::string(arrow) + " Customer'");
    }
    t->target = std::string(target);
    return Status::OK();
  }

  // Parses "(p,s)" after "decimal".
  Status ParseDecimalArgs(FieldType* t) {
    auto expected = [&] {
      return Bad("bad type",
                 "expected decimal(p,s) with precision p in 1..38 and scale s in "
                 "0..p, e.g. decimal(10,2)");
    };
    SkipSpace();
    if (!Consume("(")) return expected();
    std::string p_text, s_text;
    SkipSpace();
    p_text = Digits();
    SkipSpace();
    if (p_text.empty() || !Consume(",")) return expected();
    SkipSpace();
    s_text = Digits();
    SkipSpace();
    if (s_text.empty() || !Consume(")")) return expected();
    const int p = ToSmallInt(p_text);
    const int s = ToSmallInt(s_text);
    if (p < 1 || p > kMaxDecimalPrecision) {
      return Status::InvalidArgument("bad decimal precision " + p_text + " in " +
                                     std::string(where_) + ": precision must be 1..38");
    }
    if (s > p) {
      return Status::InvalidArgument("bad decimal scale " + s_text + " in " + std::string(where_) +
                                     ": scale must be 0.." + std::to_string(p) +
                                     " (at most the precision)");
    }
    t->precision = p;
    t->scale = s;
    return Status::OK();
  }
  std::string Digits() {
    const size_t start = pos_;
    while (!AtEnd() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }
  // Saturates at a value beyond every valid precision/scale.
  static int ToSmallInt(const std::string& digits) {
    int v = 0;
    for (char c : digits) {
      v = v * 10 + (c - '0');
      if (v > 1000) return 1000;
    }
    return v;
  }

  // Parses the optional "[]" and then the optional '!' / '?', then expects the end.
  Status ParseSuffixes(FieldType* t) {
    SkipSpace();
    if (Consume("[")) {
      SkipSpace();
      if (!Consume("]")) return Bad("bad type", "expected ']' after '['");
      t->is_array = true;
      SkipSpace();
    }
    if (Consume("!")) {
      t->required = true;
      saw_modifier_ = true;
    } else if (Consume("?")) {
      saw_modifier_ = true;
    }
    SkipSpace();
    if (!AtEnd()) {
      std::string why = "unexpected '" + std::string(text_.substr(pos_)) + "' after '" +
                        std::string(text_.substr(0, pos_)) +
                        "' (a type ends with an optional '[]' and then an optional '!' or '?'";
      if (saw_modifier_ && text_[pos_] == '[') why += ", e.g. 'string[]!'";
      why += ")";
      return Bad("bad type", why);
    }
    return Status::OK();
  }

  std::string_view text_;
  std::string_view where_;
  size_t pos_ = 0;
  bool saw_modifier_ = false;
};

}  // namespace

std::string_view TypeKindName(TypeKind kind) {
  switch (kind) {
    case TypeKind::kString:
      return "string";
    case TypeKind::kInt:
      return "int";
    case TypeKind::kFloat:
      return "float";
    case TypeKind::kDecimal:
      return "decimal";
    case TypeKind::kBoolean:
      return "boolean";
    case TypeKind::kTimestamp:
      return "timestamp";
    case TypeKind::kDate:
      return "date";
    case TypeKind::kVariant:
      return "variant";
    case TypeKind::kRelation:
      return "relation";
    case TypeKind::kReverseRelation:
      return "reverse relation";
  }
  return "?";
}

std::string FieldType::ToString() const {
  std::string out;
  switch (kind) {
    case TypeKind::kRelation:
      out = "-> " + target;
      break;
    case TypeKind::kReverseRelation:
      out = "<- " + target;
      if (inverse_explicit) out += "." + inverse;
      break;
    case TypeKind::kDecimal:
      out = "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
      break;
    default:
      out = std::string(TypeKindName(kind));
      break;
  }
  if (is_array) out += "[]";
  if (required) out += "!";
  return out;
}

Result<FieldType> ParseFieldType(std::string_view text, std::string_view where) {
  return TypeParser(text, where).Parse();
}

}  // namespace parquedb::catalog
