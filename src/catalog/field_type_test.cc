#include "catalog/field_type.h"

#include <gtest/gtest.h>

namespace parquedb::catalog {
namespace {

FieldType MustParse(std::string_view text) {
  auto r = ParseFieldType(text, "T.f");
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : FieldType{};
}

std::string ErrorOf(std::string_view text, std::string_view where = "T.f") {
  auto r = ParseFieldType(text, where);
  EXPECT_FALSE(r.ok()) << "expected an error for '" << text << "'";
  if (r.ok()) return "";
  EXPECT_TRUE(r.status().IsInvalidArgument());
  return r.status().message();
}

TEST(FieldTypeTest, Scalars) {
  struct Case {
    const char* text;
    TypeKind kind;
    bool required;
    bool array;
  };
  const Case cases[] = {
      {"string", TypeKind::kString, false, false},
      {"string!", TypeKind::kString, true, false},
      {"string?", TypeKind::kString, false, false},
      {"int!", TypeKind::kInt, true, false},
      {"float", TypeKind::kFloat, false, false},
      {"double!", TypeKind::kFloat, true, false},
      {"boolean!", TypeKind::kBoolean, true, false},
      {"timestamp?", TypeKind::kTimestamp, false, false},
      {"date", TypeKind::kDate, false, false},
      {"variant!", TypeKind::kVariant, true, false},
      {"json", TypeKind::kVariant, false, false},
      {"variant[]", TypeKind::kVariant, false, true},
      {"string[]", TypeKind::kString, false, true},
      {"int[]!", TypeKind::kInt, true, true},
      {"  string [ ] !  ", TypeKind::kString, true, true},
  };
  for (const Case& c : cases) {
    const FieldType t = MustParse(c.text);
    EXPECT_EQ(t.kind, c.kind) << c.text;
    EXPECT_EQ(t.required, c.required) << c.text;
    EXPECT_EQ(t.is_array, c.array) << c.text;
    EXPECT_FALSE(t.is_relation()) << c.text;
    EXPECT_TRUE(t.is_stored()) << c.text;
  }
}

TEST(FieldTypeTest, Decimal) {
  FieldType t = MustParse("decimal(10,2)!");
  EXPECT_EQ(t.kind, TypeKind::kDecimal);
  EXPECT_EQ(t.precision, 10);
  EXPECT_EQ(t.scale, 2);
  EXPECT_TRUE(t.required);
  t = MustParse("decimal ( 38 , 0 ) []");
  EXPECT_EQ(t.precision, 38);
  EXPECT_EQ(t.scale, 0);
  EXPECT_TRUE(t.is_array);
  t = MustParse("decimal(5,5)");
  EXPECT_EQ(t.scale, 5);
}

TEST(FieldTypeTest, Relations) {
  FieldType t = MustParse("-> Customer");
  EXPECT_EQ(t.kind, TypeKind::kRelation);
  EXPECT_EQ(t.target, "Customer");
  EXPECT_FALSE(t.required);
  EXPECT_FALSE(t.is_array);
  EXPECT_TRUE(t.is_stored());
  t = MustParse("->Customer[]!");
  EXPECT_EQ(t.target, "Customer");
  EXPECT_TRUE(t.is_array);
  EXPECT_TRUE(t.required);

  t = MustParse("<- OrderItem[]");
  EXPECT_EQ(t.kind, TypeKind::kReverseRelation);
  EXPECT_EQ(t.target, "OrderItem");
  EXPECT_TRUE(t.is_array);
  EXPECT_FALSE(t.inverse_explicit);
  EXPECT_FALSE(t.is_stored());
  t = MustParse(" <-  OrderItem . order [ ] ");
  EXPECT_EQ(t.target, "OrderItem");
  EXPECT_EQ(t.inverse, "order");
  EXPECT_TRUE(t.inverse_explicit);
}

TEST(FieldTypeTest, ToStringRoundTrips) {
  for (const char* text :
       {"string", "string!", "int[]", "int[]!", "float", "decimal(10,2)!", "decimal(5,4)",
        "boolean!", "timestamp", "date[]", "variant!", "-> Customer", "-> Customer[]!",
        "<- OrderItem[]", "<- OrderItem.order[]"}) {
    const FieldType t = MustParse(text);
    EXPECT_EQ(t.ToString(), text);
    EXPECT_EQ(MustParse(t.ToString()), t) << text;
  }
  // Aliases and the default modifier print canonically.
  EXPECT_EQ(MustParse("double?").ToString(), "float");
  EXPECT_EQ(MustParse("json[]").ToString(), "variant[]");
  EXPECT_EQ(MustParse(" ->Customer ").ToString(), "-> Customer");
}

TEST(FieldTypeTest, UnknownType) {
  EXPECT_EQ(ErrorOf("strng!", "Order.name"),
            "unknown type 'strng' in Order.name (expected string, int, float, decimal(p,s), "
            "boolean, timestamp, date, variant, or a relation '-> Type')");
  EXPECT_NE(ErrorOf("String").find("unknown type 'String'"), std::string::npos);
  EXPECT_NE(ErrorOf("").find("empty type in T.f"), std::string::npos);
  EXPECT_NE(ErrorOf("   ").find("empty type in T.f"), std::string::npos);
  EXPECT_NE(ErrorOf("!").find("unknown type '!'"), std::string::npos);
}

TEST(FieldTypeTest, BadDecimal) {
  EXPECT_EQ(ErrorOf("decimal(40,2)", "Order.total"),
            "bad decimal precision 40 in Order.total: precision must be 1..38");
  EXPECT_EQ(ErrorOf("decimal(0,0)", "Order.total"),
            "bad decimal precision 0 in Order.total: precision must be 1..38");
  EXPECT_NE(ErrorOf("decimal(99999999999999999999,2)")
                .find("bad decimal precision "
                      "99999999999999999999"),
            std::string::npos);
  EXPECT_EQ(ErrorOf("decimal(5,6)", "Order.total"),
            "bad decimal scale 6 in Order.total: scale must be 0..5 (at most the precision)");
  for (const char* text : {"decimal", "decimal!", "decimal(10)", "decimal(10,)", "decimal(,2)",
                           "decimal(10,2", "decimal(-1,2)", "decimal(a,b)"}) {
    EXPECT_NE(ErrorOf(text).find("expected decimal(p,s)"), std::string::npos) << text;
  }
}

TEST(FieldTypeTest, BadSyntax) {
  EXPECT_NE(ErrorOf("string![]").find("e.g. 'string[]!'"), std::string::npos);
  EXPECT_NE(ErrorOf("string!?").find("unexpected '?'"), std::string::npos);
  EXPECT_NE(ErrorOf("string x").find("unexpected 'x'"), std::string::npos);
  EXPECT_NE(ErrorOf("string[").find("expected ']'"), std::string::npos);
  EXPECT_NE(ErrorOf("string[][]").find("unexpected '[]'"), std::string::npos);
  EXPECT_NE(ErrorOf("->").find("expected a collection name after '->'"), std::string::npos);
  EXPECT_NE(ErrorOf("-> 9lives").find("expected a collection name"), std::string::npos);
  EXPECT_NE(ErrorOf("<- OrderItem").find("must be an array"), std::string::npos);
  EXPECT_NE(ErrorOf("<- OrderItem[]!").find("no '!' or '?'"), std::string::npos);
  EXPECT_NE(ErrorOf("<- OrderItem.[]").find("expected a field name after '.'"), std::string::npos);
  EXPECT_NE(ErrorOf("-> Customer.order").find("unexpected '.order'"), std::string::npos);
}

}  // namespace
}  // namespace parquedb::catalog
