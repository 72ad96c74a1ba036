#include "catalog/document.h"

#include <charconv>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog.h"

namespace parquedb::catalog {
namespace {

constexpr int64_t kMicrosPerDay = 86400LL * 1000 * 1000;
constexpr size_t kMaxShownValue = 60;

// The value as shown in errors: its JSON text, shortened.
std::string Show(const Value& v) {
  std::string text = v.ToJsonString();
  if (text.size() > kMaxShownValue) text = text.substr(0, kMaxShownValue - 3) + "...";
  return text;
}

// "int 5", "string \"abc\"", "object {...}".
std::string KindAndValue(const Value& v) {
  return std::string(Value::KindName(v.kind())) + " " + Show(v);
}

Status Mismatch(std::string_view path, const FieldType& type, const Value& v,
                std::string_view note = {}) {
  FieldType element = type;
  element.required = false;
  std::string msg =
      std::string(path) + ": expected " + element.ToString() + ", got " + KindAndValue(v);
  if (!note.empty()) msg += " (" + std::string(note) + ")";
  return Status::InvalidArgument(msg);
}

Result<Value> CoerceInt(const FieldType& type, const Value& v, std::string_view path) {
  switch (v.kind()) {
    case Value::Kind::kInt:
      return v;
    case Value::Kind::kDouble: {
      const double d = v.as_double();
      // [-2^63, 2^63): exactly the doubles that convert to int64 without overflow.
      if (std::isfinite(d) && std::trunc(d) == d && d >= -9223372036854775808.0 &&
          d < 9223372036854775808.0) {
        return Value::Int(static_cast<int64_t>(d));
      }
      return Mismatch(
          path, type, v,
          std::isfinite(d) && std::trunc(d) == d ? "out of int64 range" : "not an integer");
    }
    case Value::Kind::kDecimal: {
      auto r = v.as_decimal().Rescale(0);
      if (!r.ok()) return Mismatch(path, type, v, "not an integer");
      const __int128 u = r->unscaled;
      if (u < INT64_MIN || u > INT64_MAX) return Mismatch(path, type, v, "out of int64 range");
      return Value::Int(static_cast<int64_t>(u));
    }
    default:
      return Mismatch(path, type, v);
  }
}

std::string DecimalDecl(const FieldType& type) {
  return "decimal(" + std::to_string(type.precision) + "," + std::to_string(type.scale) + ")";
}

Status TooManyFractionalDigits(std::string_view path, std::string_view shown,
                               const FieldType& type) {
  return Status::InvalidArgument(std::string(path) + ": " + std::string(shown) + " has more than " +
                                 std::to_string(type.scale) + " fractional digits for " +
                                 DecimalDecl(type));
}

Status TooManyIntegerDigits(std::string_view path, std::string_view shown, const FieldType& type) {
  return Status::InvalidArgument(std::string(path) + ": " + std::string(shown) + " does not fit " +
                                 DecimalDecl(type) + " (at most " +
                                 std::to_string(type.precision - type.scale) + " integer digits)");
}

// Exactly converts decimal number text ("-12.30", ".5", "1.5e3", "1e+300") to
// decimal(p,s). Leading zeros and trailing fractional zeros are not significant, so any
// text whose value fits is accepted however it is written. InvalidArgument on bad syntax
// (with `bad_syntax` as the reason), too many fractional or integer digits.
Result<Decimal> DecimalFromText(std::string_view text, const FieldType& type, std::string_view path,
                                std::string_view shown) {
  size_t i = 0;
  bool neg = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) neg = text[i++] == '-';
  std::string digits;    // all mantissa digits, without the point
  int64_t exponent = 0;  // value = digits * 10^exponent
  bool any_digit = false, dot = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (!(digits.empty() && c == '0')) digits.push_back(c);  // drop leading zeros
      if (dot) --exponent;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  bool ok = any_digit;
  if (ok && i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_neg = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_neg = text[i++] == '-';
    int64_t e = 0;
    bool exp_digit = false;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      exp_digit = true;
      if (e < 1000000) e = e * 10 + (text[i] - '0');
    }
    ok = exp_digit;
    exponent += exp_neg ? -e : e;
  }
  if (!ok || i != text.size()) {
    return Status::InvalidArgument(std::string(path) + ": " + std::string(shown) +
                                   " is not a valid decimal for " + DecimalDecl(type) +
                                   " (expected a number such as \"-12.30\")");
  }
  while (!digits.empty() && digits.back() == '0') {  // trailing zeros are not significant
    digits.pop_back();
    ++exponent;
  }
  if (digits.empty()) return Decimal{0, type.scale};
  if (exponent < -static_cast<int64_t>(type.scale)) {
    return TooManyFractionalDigits(path, shown, type);
  }
  const int64_t integer_digits = static_cast<int64_t>(digits.size()) + exponent;
  if (integer_digits > type.precision - type.scale) {
    return TooManyIntegerDigits(path, shown, type);
  }
  // Now digits.size() <= precision <= 38 and the unscaled value fits.
  __int128 unscaled = 0;
  for (char c : digits) unscaled = unscaled * 10 + (c - '0');
  for (int64_t k = 0; k < exponent + type.scale; ++k) unscaled *= 10;
  return Decimal{neg ? -unscaled : unscaled, type.scale};
}

Result<Value> CoerceDecimal(const FieldType& type, const Value& v, std::string_view path) {
  switch (v.kind()) {
    case Value::Kind::kDecimal:
    case Value::Kind::kInt: {
      const Decimal d = v.kind() == Value::Kind::kInt ? Decimal{v.as_int(), 0} : v.as_decimal();
      const std::string shown = d.ToString();
      auto rescaled = d.Rescale(type.scale);
      if (!rescaled.ok()) {
        // Rescale fails when digits would be lost (only when scaling down) or on overflow.
        if (d.scale > type.scale) {
          // Distinguish a real fractional excess from an overflowing integer part.
          return DecimalFromText(shown, type, path, shown).status();
        }
        return TooManyIntegerDigits(path, shown, type);
      }
      if (rescaled->Digits() > type.precision) return TooManyIntegerDigits(path, shown, type);
      return Value::Dec(*rescaled);
    }
    case Value::Kind::kDouble: {
      const double x = v.as_double();
      if (!std::isfinite(x)) return Mismatch(path, type, v, "not a finite number");
      char buf[64];
      const auto res = std::to_chars(buf, buf + sizeof(buf), x);  // shortest round trip
      const std::string_view text(buf, static_cast<size_t>(res.ptr - buf));
      PQ_ASSIGN_OR_RETURN(Decimal d, DecimalFromText(text, type, path, text));
      return Value::Dec(d);
    }
    case Value::Kind::kString: {
      PQ_ASSIGN_OR_RETURN(Decimal d, DecimalFromText(v.as_string(), type, path, Show(v)));
      return Value::Dec(d);
    }
    default:
      return Mismatch(path, type, v);
  }
}

Result<Value> CoerceTimestamp(const FieldType& type, const Value& v, std::string_view path) {
  switch (v.kind()) {
    case Value::Kind::kTimestamp:
      return v;
    case Value::Kind::kDate:
      return Value::Timestamp(static_cast<int64_t>(v.as_date()) * kMicrosPerDay);
    case Value::Kind::kString: {
      auto micros = ParseTimestampMicros(v.as_string());
      if (!micros.ok()) {
        return Status::InvalidArgument(std::string(path) + ": " + Show(v) +
                                       " is not an ISO-8601 timestamp (" +
                                       micros.status().message() + ")");
      }
      return Value::Timestamp(*micros);
    }
    case Value::Kind::kInt:
    case Value::Kind::kDouble:
    case Value::Kind::kDecimal:
      return Mismatch(path, type, v,
                      "write an ISO-8601 string such as \"2024-01-15T10:30:00Z\"; epoch "
                      "numbers are not accepted");
    default:
      return Mismatch(path, type, v);
  }
}

Result<Value> CoerceDate(const FieldType& type, const Value& v, std::string_view path) {
  switch (v.kind()) {
    case Value::Kind::kDate:
      return v;
    case Value::Kind::kString: {
      auto days = ParseDateDays(v.as_string());
      if (!days.ok()) {
        return Status::InvalidArgument(std::string(path) + ": " + Show(v) +
                                       " is not a date \"YYYY-MM-DD\" (" + days.status().message() +
                                       ")");
      }
      return Value::Date(*days);
    }
    default:
      return Mismatch(path, type, v, "write a date as \"YYYY-MM-DD\"");
  }
}

Result<Value> CoerceRelation(const FieldType& type, const Value& v, std::string_view path) {
  if (v.kind() == Value::Kind::kString && !v.as_string().empty()) return v;
  if (v.kind() == Value::Kind::kObject) {
    const Value* id = v.Find("$id");
    if (id != nullptr && id->kind() == Value::Kind::kString && !id->as_string().empty()) {
      return *id;
    }
  }
  return Mismatch(path, type, v,
                  "a relation takes the target's $id string or an object with a string $id");
}

Result<Value> CoerceScalar(const FieldType& type, const Value& v, std::string_view path) {
  switch (type.kind) {
    case TypeKind::kString:
      if (v.kind() == Value::Kind::kString) return v;
      return Mismatch(path, type, v);
    case TypeKind::kInt:
      return CoerceInt(type, v, path);
    case TypeKind::kFloat:
      if (v.kind() == Value::Kind::kDouble) return v;
      if (v.is_number()) return Value::Double(v.as_double());
      return Mismatch(path, type, v);
    case TypeKind::kDecimal:
      return CoerceDecimal(type, v, path);
    case TypeKind::kBoolean:
      if (v.kind() == Value::Kind::kBool) return v;
      return Mismatch(path, type, v);
    case TypeKind::kTimestamp:
      return CoerceTimestamp(type, v, path);
    case TypeKind::kDate:
      return CoerceDate(type, v, path);
    case TypeKind::kVariant:
      return v;
    case TypeKind::kRelation:
      return CoerceRelation(type, v, path);
    case TypeKind::kReverseRelation:
      break;
  }
  return Status::InvalidArgument(std::string(path) + ": reverse relation '" + type.ToString() +
                                 "' is computed and cannot be written");
}

}  // namespace

Result<Value> CoerceFieldValue(const FieldType& type, const Value& value, std::string_view path) {
  if (value.is_null()) return value;
  if (type.kind == TypeKind::kReverseRelation) return CoerceScalar(type, value, path);
  if (!type.is_array) return CoerceScalar(type, value, path);
  if (value.kind() != Value::Kind::kArray) return Mismatch(path, type, value);
  FieldType element = type;
  element.is_array = false;
  element.required = false;
  const Value::Array& in = value.as_array();
  Value::Array out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const std::string elem_path = std::string(path) + "[" + std::to_string(i) + "]";
    if (in[i].is_null()) {
      if (type.kind == TypeKind::kVariant) {
        out.push_back(in[i]);
        continue;
      }
      FieldType shown = type;
      shown.required = false;
      return Status::InvalidArgument(elem_path + ": null is not allowed in " + shown.ToString());
    }
    PQ_ASSIGN_OR_RETURN(Value e, CoerceScalar(element, in[i], elem_path));
    out.push_back(std::move(e));
  }
  return Value::MakeArray(std::move(out));
}

Result<Value> CollectionDef::ValidateDocument(const Value& doc, Mode mode) const {
  if (doc.kind() != Value::Kind::kObject) {
    return Status::InvalidArgument(name_ + ": a document must be an object, got " +
                                   std::string(Value::KindName(doc.kind())));
  }
  const Value* id = nullptr;
  std::vector<const Value*> given(fields_.size(), nullptr);
  for (const auto& [key, v] : doc.as_object()) {
    if (key == "$id") {
      if (v.kind() != Value::Kind::kString || v.as_string().empty()) {
        return Status::InvalidArgument(name_ + ".$id: expected a non-empty id string, got " +
                                       KindAndValue(v));
      }
      id = &v;
      continue;
    }
    if (key == "$type") {
      if (v.kind() != Value::Kind::kString ||
          (v.as_string() != type_name_ && v.as_string() != name_)) {
        return Status::InvalidArgument(name_ + ".$type: " + Show(v) +
                                       " does not match the collection's type '" + type_name_ +
                                       "'");
      }
      continue;
    }
    if (key == "createdAt" || key == "updatedAt" || key == "version") continue;
    auto it = field_index_.find(key);
    if (it == field_index_.end()) {
      std::string declared;
      for (const FieldDef& f : fields_) {
        if (!f.type.is_stored()) continue;
        if (!declared.empty()) declared += ", ";
        declared += f.name;
      }
      if (declared.empty()) declared = "none";
      if (!key.empty() && key[0] == '$') {
        return Status::InvalidArgument("unknown system field '" + key + "' in " + name_ +
                                       " (system fields: $id, $type, createdAt, updatedAt, "
                                       "version; declared fields: " +
                                       declared + ")");
      }
      return Status::InvalidArgument("unknown field '" + key + "' in " + name_ +
                                     " (declared fields: " + declared + ")");
    }
    const FieldDef& f = fields_[it->second];
    if (!f.type.is_stored()) {
      return Status::InvalidArgument(name_ + "." + key + ": reverse relation '" +
                                     f.type.ToString() + "' is computed from " + f.type.target +
                                     "." + f.type.inverse + " and cannot be written");
    }
    given[it->second] = &v;
  }

  Value::Object out;
  out.reserve(fields_.size() + 1);
  if (id != nullptr) out.emplace_back("$id", *id);
  for (size_t i = 0; i < fields_.size(); ++i) {
    const FieldDef& f = fields_[i];
    if (!f.type.is_stored()) continue;
    const Value* v = given[i];
    if (v == nullptr) {
      if (mode == Mode::kPatch) continue;
      if (f.type.required) {
        return Status::InvalidArgument(name_ + "." + f.name + ": required field is missing (" +
                                       f.type.ToString() + ")");
      }
      if (f.type.is_array) out.emplace_back(f.name, Value::MakeArray());
      continue;
    }
    if (v->is_null()) {
      if (f.type.required) {
        return Status::InvalidArgument(name_ + "." + f.name + ": required field is null (" +
                                       f.type.ToString() + ")");
      }
      out.emplace_back(f.name, f.type.is_array ? Value::MakeArray() : Value::Null());
      continue;
    }
    PQ_ASSIGN_OR_RETURN(Value coerced, CoerceFieldValue(f.type, *v, name_ + "." + f.name));
    out.emplace_back(f.name, std::move(coerced));
  }
  return Value::MakeObject(std::move(out));
}

}  // namespace parquedb::catalog
