#include "sql/parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>
#include <vector>

namespace parquedb::sql {

bool IsAggregateName(const std::string& n) {
  return n == "count" || n == "sum" || n == "avg" || n == "min" || n == "max";
}

namespace {

enum class Tok : uint8_t { kEnd, kIdent, kQuotedIdent, kNumber, kString, kParam, kOp };

struct Token {
  Tok type = Tok::kEnd;
  std::string text;  // identifier/op text; string contents; number text
  std::string upper;  // upper-case text for unquoted identifiers
  int pos = 0;
  int param = -1;  // kParam: explicit index ($n -> n-1), -1 for '?'
};

std::string Upper(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return r;
}
std::string Lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

std::string Describe(const Token& t) {
  switch (t.type) {
    case Tok::kEnd:
      return "end of input";
    case Tok::kString:
      return "string '" + t.text + "'";
    case Tok::kQuotedIdent:
      return "identifier \"" + t.text + "\"";
    case Tok::kParam:
      return "parameter";
    default:
      return "'" + t.text + "'";
  }
}

const char* kReserved[] = {"SELECT", "FROM",  "WHERE", "GROUP",  "BY",    "HAVING", "ORDER",
                           "LIMIT",  "OFFSET", "AND",  "OR",     "NOT",   "AS",     "ON",
                           "ASC",    "DESC",  "NULLS", "CASE",   "WHEN",  "THEN",   "ELSE",
                           "END",    "IN",    "IS",    "LIKE",   "ILIKE", "BETWEEN", "DISTINCT",
                           "UNION",  "JOIN",  "ESCAPE", "EXPLAIN"};

bool IsReserved(const std::string& upper) {
  for (const char* k : kReserved) {
    if (upper == k) return true;
  }
  return false;
}

class Parser {
 public:
  explicit Parser(std::string_view sql) : sql_(sql) {}

  Result<SelectStmt> Run() {
    PQ_RETURN_IF_ERROR(Lex());
    SelectStmt stmt;
    if (IsKw("EXPLAIN")) {
      Advance();
      stmt.explain = true;
    }
    PQ_RETURN_IF_ERROR(ExpectKw("SELECT"));
    if (IsKw("DISTINCT")) {
      Advance();
      stmt.distinct = true;
    } else if (IsKw("ALL")) {
      Advance();
    }
    do {
      SelectItem item;
      if (IsOp("*")) {
        Advance();
        item.star = true;
      } else {
        PQ_ASSIGN_OR_RETURN(item.expr, ParseExpr());
        if (IsKw("AS")) {
          Advance();
          PQ_ASSIGN_OR_RETURN(item.alias, ParseName("an alias"));
        } else if (Cur().type == Tok::kQuotedIdent ||
                   (Cur().type == Tok::kIdent && !IsReserved(Cur().upper))) {
          item.alias = Cur().text;
          Advance();
        }
      }
      stmt.items.push_back(std::move(item));
    } while (AcceptOp(","));
    PQ_RETURN_IF_ERROR(ExpectKw("FROM"));
    PQ_ASSIGN_OR_RETURN(stmt.table, ParseName("a table name"));
    if (IsKw("AS")) {
      Advance();
      PQ_ASSIGN_OR_RETURN(stmt.alias, ParseName("an alias"));
    } else if (Cur().type == Tok::kQuotedIdent ||
               (Cur().type == Tok::kIdent && !IsReserved(Cur().upper))) {
      stmt.alias = Cur().text;
      Advance();
    }
    if (IsKw("JOIN") || IsOp(",")) {
      return Error("joins are not supported; expected WHERE, GROUP BY, ORDER BY, LIMIT or end");
    }
    if (IsKw("WHERE")) {
      Advance();
      PQ_ASSIGN_OR_RETURN(stmt.where, ParseExpr());
    }
    if (IsKw("GROUP")) {
      Advance();
      PQ_RETURN_IF_ERROR(ExpectKw("BY"));
      do {
        PQ_ASSIGN_OR_RETURN(auto e, ParseExpr());
        stmt.group_by.push_back(std::move(e));
      } while (AcceptOp(","));
    }
    if (IsKw("HAVING")) {
      Advance();
      PQ_ASSIGN_OR_RETURN(stmt.having, ParseExpr());
    }
    if (IsKw("ORDER")) {
      Advance();
      PQ_RETURN_IF_ERROR(ExpectKw("BY"));
      do {
        OrderItem o;
        PQ_ASSIGN_OR_RETURN(o.expr, ParseExpr());
        if (IsKw("ASC")) {
          Advance();
        } else if (IsKw("DESC")) {
          Advance();
          o.descending = true;
        }
        if (IsKw("NULLS")) {
          Advance();
          if (IsKw("FIRST")) {
            o.nulls_first = true;
          } else if (IsKw("LAST")) {
            o.nulls_first = false;
          } else {
            return Error("expected FIRST or LAST");
          }
          Advance();
        }
        stmt.order_by.push_back(std::move(o));
      } while (AcceptOp(","));
    }
    for (int i = 0; i < 2; i++) {
      if (IsKw("LIMIT") && !stmt.limit) {
        Advance();
        PQ_ASSIGN_OR_RETURN(stmt.limit, ParseExpr());
      }
      if (IsKw("OFFSET") && !stmt.offset) {
        Advance();
        PQ_ASSIGN_OR_RETURN(stmt.offset, ParseExpr());
      }
    }
    AcceptOp(";");
    if (Cur().type != Tok::kEnd) {
      return Error(stmt.order_by.empty() && !stmt.limit
                       ? "expected WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET or end"
                       : "expected end of statement");
    }
    stmt.num_params = num_params_;
    return stmt;
  }

 private:
  // ---- lexer ----
  Status Lex() {
    size_t i = 0;
    const size_t n = sql_.size();
    while (true) {
      while (i < n) {
        if (std::isspace(static_cast<unsigned char>(sql_[i]))) {
          i++;
        } else if (sql_.compare(i, 2, "--") == 0) {
          while (i < n && sql_[i] != '\n') i++;
        } else if (sql_.compare(i, 2, "/*") == 0) {
          size_t e = sql_.find("*/", i + 2);
          if (e == std::string_view::npos) return ErrorAt(static_cast<int>(i), "unterminated comment");
          i = e + 2;
        } else {
          break;
        }
      }
      Token t;
      t.pos = static_cast<int>(i);
      if (i >= n) {
        toks_.push_back(t);
        return Status::OK();
      }
      char c = sql_[i];
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t s = i;
        while (i < n && (std::isalnum(static_cast<unsigned char>(sql_[i])) || sql_[i] == '_')) i++;
        t.type = Tok::kIdent;
        t.text = std::string(sql_.substr(s, i - s));
        t.upper = Upper(t.text);
      } else if (c == '"' || c == '`') {
        char q = c;
        i++;
        while (true) {
          if (i >= n) return ErrorAt(t.pos, "unterminated quoted identifier");
          if (sql_[i] == q) {
            if (i + 1 < n && sql_[i + 1] == q) {
              t.text += q;
              i += 2;
              continue;
            }
            i++;
            break;
          }
          t.text += sql_[i++];
        }
        if (t.text.empty()) return ErrorAt(t.pos, "empty quoted identifier");
        t.type = Tok::kQuotedIdent;
      } else if (c == '\'') {
        i++;
        while (true) {
          if (i >= n) return ErrorAt(t.pos, "unterminated string literal");
          if (sql_[i] == '\'') {
            if (i + 1 < n && sql_[i + 1] == '\'') {
              t.text += '\'';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          t.text += sql_[i++];
        }
        t.type = Tok::kString;
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '.' && i + 1 < n && std::isdigit(static_cast<unsigned char>(sql_[i + 1])) &&
                  !AfterName())) {
        size_t s = i;
        bool path_step = AfterDot();
        while (i < n && std::isdigit(static_cast<unsigned char>(sql_[i]))) i++;
        if (!path_step && i < n && sql_[i] == '.') {
          i++;
          while (i < n && std::isdigit(static_cast<unsigned char>(sql_[i]))) i++;
        }
        if (!path_step && i < n && (sql_[i] == 'e' || sql_[i] == 'E')) {
          size_t save = i;
          i++;
          if (i < n && (sql_[i] == '+' || sql_[i] == '-')) i++;
          if (i < n && std::isdigit(static_cast<unsigned char>(sql_[i]))) {
            while (i < n && std::isdigit(static_cast<unsigned char>(sql_[i]))) i++;
          } else {
            i = save;
          }
        }
        t.type = Tok::kNumber;
        t.text = std::string(sql_.substr(s, i - s));
      } else if (c == '$' && i + 1 < n && std::isdigit(static_cast<unsigned char>(sql_[i + 1]))) {
        i++;
        size_t s = i;
        while (i < n && std::isdigit(static_cast<unsigned char>(sql_[i]))) i++;
        int v = 0;
        auto r = std::from_chars(sql_.data() + s, sql_.data() + i, v);
        if (r.ec != std::errc() || v < 1 || v > 65535) {
          return ErrorAt(t.pos, "parameter number must be between $1 and $65535");
        }
        t.type = Tok::kParam;
        t.param = v - 1;
        t.text = "$" + std::to_string(v);
      } else if (c == '?') {
        i++;
        t.type = Tok::kParam;
        t.text = "?";
      } else {
        static const char* kOps[] = {"<>", "!=", "<=", ">=", "==", "||", "::", "=", "<", ">", "+",
                                     "-",  "*",  "/",  "%",  "(",  ")",  ",",  ".", ";"};
        bool found = false;
        for (const char* op : kOps) {
          size_t len = std::char_traits<char>::length(op);
          if (sql_.compare(i, len, op) == 0) {
            t.type = Tok::kOp;
            t.text = op;
            i += len;
            found = true;
            break;
          }
        }
        if (!found) {
          return ErrorAt(t.pos, std::string("unexpected character '") +
                                    (std::isprint(static_cast<unsigned char>(c)) ? std::string(1, c)
                                                                                  : std::string("?")) +
                                    "'");
        }
      }
      toks_.push_back(std::move(t));
    }
  }

  // Whether the previous token ends a name, so that '.' starts a path step ("a.0").
  bool AfterName() const {
    if (toks_.empty()) return false;
    const Token& p = toks_.back();
    return p.type == Tok::kIdent || p.type == Tok::kQuotedIdent ||
           (p.type == Tok::kNumber && p.text.find_first_not_of("0123456789") == std::string::npos &&
            toks_.size() >= 2 && toks_[toks_.size() - 2].type == Tok::kOp &&
            toks_[toks_.size() - 2].text == ".");
  }

  bool AfterDot() const {
    return !toks_.empty() && toks_.back().type == Tok::kOp && toks_.back().text == ".";
  }

  // ---- helpers ----
  const Token& Cur() const { return toks_[idx_]; }
  const Token& Peek(size_t k = 1) const { return toks_[std::min(idx_ + k, toks_.size() - 1)]; }
  void Advance() {
    if (idx_ + 1 < toks_.size()) idx_++;
  }
  bool IsKw(const char* kw) const { return Cur().type == Tok::kIdent && Cur().upper == kw; }
  bool IsOp(const char* op) const { return Cur().type == Tok::kOp && Cur().text == op; }
  bool AcceptOp(const char* op) {
    if (!IsOp(op)) return false;
    Advance();
    return true;
  }
  Status ExpectKw(const char* kw) {
    if (!IsKw(kw)) return Error(std::string("expected ") + kw);
    Advance();
    return Status::OK();
  }
  Status ExpectOp(const char* op) {
    if (!IsOp(op)) return Error(std::string("expected '") + op + "'");
    Advance();
    return Status::OK();
  }
  Status ErrorAt(int pos, const std::string& what) {
    return Status::InvalidArgument(Compose(pos, what));
  }
  std::string Compose(int pos, const std::string& what) {
    std::string d = DescribePosition(sql_, pos);
    size_t nl = d.find('\n');
    return "syntax error at " + d.substr(0, nl) + ": " + what + d.substr(nl);
  }
  Status Error(const std::string& expected) {
    return Status::InvalidArgument(Compose(Cur().pos, expected + ", found " + Describe(Cur())));
  }

  Result<std::string> ParseName(const char* what) {
    if (Cur().type == Tok::kQuotedIdent || (Cur().type == Tok::kIdent && !IsReserved(Cur().upper))) {
      std::string s = Cur().text;
      Advance();
      return s;
    }
    return Error(std::string("expected ") + what);
  }

  ExprPtr Make(ExprKind k, int pos) {
    auto e = std::make_shared<Expr>();
    e->kind = k;
    e->pos = pos;
    return e;
  }

  // ---- expressions ----
  Result<ExprPtr> ParseExpr() {
    if (++depth_ > kMaxDepth) return Error("expression nested too deeply");
    auto r = ParseOr();
    depth_--;
    return r;
  }
  Result<ExprPtr> ParseOr() {
    PQ_ASSIGN_OR_RETURN(ExprPtr l, ParseAnd());
    while (IsKw("OR")) {
      int pos = Cur().pos;
      Advance();
      PQ_ASSIGN_OR_RETURN(ExprPtr r, ParseAnd());
      l = Binary("OR", l, r, pos);
    }
    return l;
  }
  Result<ExprPtr> ParseAnd() {
    PQ_ASSIGN_OR_RETURN(ExprPtr l, ParseNot());
    while (IsKw("AND")) {
      int pos = Cur().pos;
      Advance();
      PQ_ASSIGN_OR_RETURN(ExprPtr r, ParseNot());
      l = Binary("AND", l, r, pos);
    }
    return l;
  }
  Result<ExprPtr> ParseNot() {
    if (IsKw("NOT")) {
      int pos = Cur().pos;
      Advance();
      if (++depth_ > kMaxDepth) return Error("expression nested too deeply");
      PQ_ASSIGN_OR_RETURN(ExprPtr a, ParseNot());
      depth_--;
      ExprPtr e = Make(ExprKind::kUnary, pos);
      e->op = "NOT";
      e->args = {a};
      return e;
    }
    return ParsePredicate();
  }
  ExprPtr Binary(const std::string& op, ExprPtr l, ExprPtr r, int pos) {
    ExprPtr e = Make(ExprKind::kBinary, pos);
    e->op = op;
    e->args = {std::move(l), std::move(r)};
    return e;
  }
  Result<ExprPtr> ParsePredicate() {
    PQ_ASSIGN_OR_RETURN(ExprPtr l, ParseConcat());
    while (true) {
      int pos = Cur().pos;
      if (Cur().type == Tok::kOp &&
          (IsOp("=") || IsOp("==") || IsOp("<>") || IsOp("!=") || IsOp("<") || IsOp("<=") ||
           IsOp(">") || IsOp(">="))) {
        std::string op = Cur().text;
        if (op == "==") op = "=";
        if (op == "!=") op = "<>";
        Advance();
        PQ_ASSIGN_OR_RETURN(ExprPtr r, ParseConcat());
        l = Binary(op, l, r, pos);
        continue;
      }
      if (IsKw("IS")) {
        Advance();
        bool neg = false;
        if (IsKw("NOT")) {
          Advance();
          neg = true;
        }
        if (!IsKw("NULL")) return Error("expected NULL");
        Advance();
        ExprPtr e = Make(ExprKind::kIsNull, pos);
        e->negated = neg;
        e->args = {l};
        l = e;
        continue;
      }
      bool neg = false;
      if (IsKw("NOT") && (Peek().upper == "IN" || Peek().upper == "LIKE" ||
                          Peek().upper == "ILIKE" || Peek().upper == "BETWEEN")) {
        Advance();
        neg = true;
      }
      if (IsKw("IN")) {
        Advance();
        PQ_RETURN_IF_ERROR(ExpectOp("("));
        ExprPtr e = Make(ExprKind::kIn, pos);
        e->negated = neg;
        e->args.push_back(l);
        if (IsKw("SELECT")) return Error("subqueries are not supported; expected a value list");
        do {
          PQ_ASSIGN_OR_RETURN(ExprPtr v, ParseExpr());
          e->args.push_back(v);
        } while (AcceptOp(","));
        PQ_RETURN_IF_ERROR(ExpectOp(")"));
        l = e;
        continue;
      }
      if (IsKw("LIKE") || IsKw("ILIKE")) {
        bool ci = IsKw("ILIKE");
        Advance();
        ExprPtr e = Make(ExprKind::kLike, pos);
        e->negated = neg;
        e->case_insensitive = ci;
        PQ_ASSIGN_OR_RETURN(ExprPtr pat, ParseConcat());
        e->args = {l, pat};
        if (IsKw("ESCAPE")) {
          Advance();
          PQ_ASSIGN_OR_RETURN(ExprPtr esc, ParseConcat());
          e->args.push_back(esc);
        }
        l = e;
        continue;
      }
      if (IsKw("BETWEEN")) {
        Advance();
        ExprPtr e = Make(ExprKind::kBetween, pos);
        e->negated = neg;
        PQ_ASSIGN_OR_RETURN(ExprPtr lo, ParseConcat());
        PQ_RETURN_IF_ERROR(ExpectKw("AND"));
        PQ_ASSIGN_OR_RETURN(ExprPtr hi, ParseConcat());
        e->args = {l, lo, hi};
        l = e;
        continue;
      }
      if (neg) return Error("expected IN, LIKE or BETWEEN");
      return l;
    }
  }
  Result<ExprPtr> ParseConcat() {
    PQ_ASSIGN_OR_RETURN(ExprPtr l, ParseAdditive());
    while (IsOp("||")) {
      int pos = Cur().pos;
      Advance();
      PQ_ASSIGN_OR_RETURN(ExprPtr r, ParseAdditive());
      l = Binary("||", l, r, pos);
    }
    return l;
  }
  Result<ExprPtr> ParseAdditive() {
    PQ_ASSIGN_OR_RETURN(ExprPtr l, ParseMultiplicative());
    while (IsOp("+") || IsOp("-")) {
      std::string op = Cur().text;
      int pos = Cur().pos;
      Advance();
      PQ_ASSIGN_OR_RETURN(ExprPtr r, ParseMultiplicative());
      l = Binary(op, l, r, pos);
    }
    return l;
  }
  Result<ExprPtr> ParseMultiplicative() {
    PQ_ASSIGN_OR_RETURN(ExprPtr l, ParseUnary());
    while (IsOp("*") || IsOp("/") || IsOp("%")) {
      std::string op = Cur().text;
      int pos = Cur().pos;
      Advance();
      PQ_ASSIGN_OR_RETURN(ExprPtr r, ParseUnary());
      l = Binary(op, l, r, pos);
    }
    return l;
  }
  Result<ExprPtr> ParseUnary() {
    if (IsOp("-") || IsOp("+")) {
      std::string op = Cur().text;
      int pos = Cur().pos;
      Advance();
      if (++depth_ > kMaxDepth) return Error("expression nested too deeply");
      PQ_ASSIGN_OR_RETURN(ExprPtr a, ParseUnary());
      depth_--;
      if (op == "+") return a;
      // Fold a negative numeric literal.
      if (a->kind == ExprKind::kLiteral && a->value.is_number()) {
        const Value& v = a->value;
        if (v.kind() == Value::Kind::kInt && v.as_int() != INT64_MIN) {
          a->value = Value::Int(-v.as_int());
          a->pos = pos;
          return a;
        }
        if (v.kind() == Value::Kind::kDouble) {
          a->value = Value::Double(-v.as_double());
          a->pos = pos;
          return a;
        }
        if (v.kind() == Value::Kind::kDecimal) {
          Decimal d = v.as_decimal();
          d.unscaled = -d.unscaled;
          a->value = Value::Dec(d);
          a->pos = pos;
          return a;
        }
      }
      ExprPtr e = Make(ExprKind::kUnary, pos);
      e->op = "-";
      e->args = {a};
      return e;
    }
    return ParsePostfix();
  }
  Result<ExprPtr> ParsePostfix() {
    PQ_ASSIGN_OR_RETURN(ExprPtr e, ParsePrimary());
    while (IsOp("::")) {
      int pos = Cur().pos;
      Advance();
      ExprPtr c = Make(ExprKind::kCast, pos);
      c->args = {e};
      PQ_RETURN_IF_ERROR(ParseType(c.get()));
      e = c;
    }
    return e;
  }
  Status ParseType(Expr* c) {
    if (Cur().type != Tok::kIdent) return Error("expected a type name");
    std::string t = Cur().upper;
    Advance();
    if (t == "DOUBLE" && IsKw("PRECISION")) Advance();
    static const char* kTypes[] = {"INTEGER", "INT",     "BIGINT",  "SMALLINT", "TINYINT", "INT64",
                                   "HUGEINT", "DOUBLE",  "FLOAT",   "REAL",     "FLOAT8",  "NUMERIC",
                                   "DECIMAL", "VARCHAR", "TEXT",    "STRING",   "BOOLEAN", "BOOL",
                                   "TIMESTAMP", "TIMESTAMPTZ", "DATE", "JSON"};
    bool ok = false;
    for (const char* k : kTypes) ok = ok || t == k;
    if (!ok) {
      toks_idx_back();
      return Error("expected a type (INTEGER, BIGINT, DOUBLE, DECIMAL(p,s), VARCHAR, BOOLEAN, "
                   "TIMESTAMP, DATE)");
    }
    c->type_name = t;
    if ((t == "DECIMAL" || t == "NUMERIC") && AcceptOp("(")) {
      PQ_ASSIGN_OR_RETURN(c->precision, SmallInt());
      c->scale = 0;
      if (AcceptOp(",")) {
        PQ_ASSIGN_OR_RETURN(c->scale, SmallInt());
      }
      PQ_RETURN_IF_ERROR(ExpectOp(")"));
      if (c->precision < 1 || c->precision > 38 || c->scale < 0 || c->scale > c->precision) {
        return Error("DECIMAL(p,s) needs 1 <= p <= 38 and 0 <= s <= p");
      }
    } else if (t == "VARCHAR" && AcceptOp("(")) {
      PQ_ASSIGN_OR_RETURN(int ignored, SmallInt());
      (void)ignored;
      PQ_RETURN_IF_ERROR(ExpectOp(")"));
    }
    return Status::OK();
  }
  void toks_idx_back() {
    if (idx_ > 0) idx_--;
  }
  Result<int> SmallInt() {
    if (Cur().type != Tok::kNumber) return Error("expected an integer");
    int v = 0;
    auto r = std::from_chars(Cur().text.data(), Cur().text.data() + Cur().text.size(), v);
    if (r.ec != std::errc() || r.ptr != Cur().text.data() + Cur().text.size() || v > 1000) {
      return Error("expected a small integer");
    }
    Advance();
    return v;
  }

  Result<ExprPtr> NumberLiteral(const Token& t) {
    ExprPtr e = Make(ExprKind::kLiteral, t.pos);
    const std::string& s = t.text;
    if (s.find_first_of("eE") != std::string::npos) {
      e->value = Value::Double(std::strtod(s.c_str(), nullptr));
    } else if (s.find('.') == std::string::npos) {
      int64_t v = 0;
      auto r = std::from_chars(s.data(), s.data() + s.size(), v);
      if (r.ec == std::errc() && r.ptr == s.data() + s.size()) {
        e->value = Value::Int(v);
      } else {
        auto d = Decimal::FromString(s);
        if (!d.ok()) return Error("number out of range");
        e->value = Value::Dec(*d);
      }
    } else {
      auto d = Decimal::FromString(s);
      if (!d.ok()) {
        e->value = Value::Double(std::strtod(s.c_str(), nullptr));
      } else {
        e->value = Value::Dec(*d);
      }
    }
    return e;
  }

  Result<ExprPtr> ParseInterval(int pos) {
    // INTERVAL 'n unit [n unit ...]' | INTERVAL 'n' UNIT | INTERVAL n UNIT
    std::string text;
    if (Cur().type == Tok::kString || Cur().type == Tok::kNumber) {
      text = Cur().text;
      Advance();
    } else {
      return Error("expected an interval string such as '1 hour'");
    }
    if (Cur().type == Tok::kIdent && !IsReserved(Cur().upper)) {
      std::string u = Lower(Cur().text);
      if (UnitOf(u) >= 0) {
        text += " " + u;
        Advance();
      }
    }
    ExprPtr e = Make(ExprKind::kInterval, pos);
    PQ_RETURN_IF_ERROR(ParseIntervalText(text, e.get(), pos));
    return e;
  }
  static int UnitOf(std::string u) {
    if (u.size() > 1 && u.back() == 's') u.pop_back();
    static const char* kUnits[] = {"microsecond", "millisecond", "second", "minute", "hour",
                                   "day",         "week",        "month",  "year"};
    for (int i = 0; i < 9; i++) {
      if (u == kUnits[i]) return i;
    }
    if (u == "us") return 0;
    if (u == "ms" || u == "msec") return 1;
    if (u == "sec" || u == "s") return 2;
    if (u == "min" || u == "m") return 3;
    if (u == "hr" || u == "h") return 4;
    if (u == "d") return 5;
    if (u == "mon") return 7;
    if (u == "yr" || u == "y") return 8;
    return -1;
  }
  Status ParseIntervalText(const std::string& text, Expr* e, int pos) {
    size_t i = 0;
    bool any = false;
    auto skip = [&] {
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) i++;
    };
    while (true) {
      skip();
      if (i >= text.size()) break;
      bool neg = false;
      if (text[i] == '-' || text[i] == '+') neg = text[i++] == '-';
      size_t s = i;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) i++;
      if (s == i || i - s > 12) {
        return Status::InvalidArgument(Compose(pos, "invalid interval '" + text +
                                                        "' (expected e.g. '1 hour', '2 days 3 hours')"));
      }
      int64_t n = std::stoll(text.substr(s, i - s));
      if (neg) n = -n;
      skip();
      size_t us = i;
      while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) i++;
      int unit = UnitOf(Lower(text.substr(us, i - us)));
      if (unit < 0) {
        return Status::InvalidArgument(
            Compose(pos, "invalid interval unit in '" + text +
                             "' (expected second, minute, hour, day, week, month or year)"));
      }
      static const int64_t kMicros[] = {1, 1000, 1000000, 60000000, 3600000000LL, 86400000000LL,
                                        604800000000LL};
      int64_t add = 0;
      bool overflow;
      if (unit <= 6) {
        overflow = __builtin_mul_overflow(n, kMicros[unit], &add) ||
                   __builtin_add_overflow(e->interval_micros, add, &e->interval_micros);
      } else {
        int64_t months = 0;
        overflow = __builtin_mul_overflow(n, unit == 7 ? 1 : 12, &months) ||
                   __builtin_add_overflow(static_cast<int64_t>(e->interval_months), months, &add) ||
                   add > INT32_MAX || add < INT32_MIN;
        if (!overflow) e->interval_months = static_cast<int32_t>(add);
      }
      if (overflow) return Status::InvalidArgument(Compose(pos, "interval '" + text + "' is out of range"));
      any = true;
    }
    if (!any) return Status::InvalidArgument(Compose(pos, "empty interval"));
    return Status::OK();
  }

  Result<ExprPtr> ParsePrimary() {
    const Token t = Cur();
    switch (t.type) {
      case Tok::kNumber:
        Advance();
        return NumberLiteral(t);
      case Tok::kString: {
        Advance();
        ExprPtr e = Make(ExprKind::kLiteral, t.pos);
        e->value = Value::String(t.text);
        return e;
      }
      case Tok::kParam: {
        Advance();
        ExprPtr e = Make(ExprKind::kParam, t.pos);
        if (t.param >= 0) {
          if (used_qmark_) return Error("cannot mix $n and ? parameters");
          used_dollar_ = true;
          e->param_index = t.param;
          num_params_ = std::max(num_params_, t.param + 1);
        } else {
          if (used_dollar_) return Error("cannot mix $n and ? parameters");
          used_qmark_ = true;
          e->param_index = num_params_++;
        }
        return e;
      }
      case Tok::kOp:
        if (t.text == "(") {
          Advance();
          if (IsKw("SELECT")) return Error("subqueries are not supported; expected an expression");
          PQ_ASSIGN_OR_RETURN(ExprPtr e, ParseExpr());
          PQ_RETURN_IF_ERROR(ExpectOp(")"));
          return e;
        }
        return Error("expected an expression");
      case Tok::kEnd:
        return Error("expected an expression");
      case Tok::kIdent:
      case Tok::kQuotedIdent:
        break;
    }
    bool quoted = t.type == Tok::kQuotedIdent;
    if (!quoted) {
      const std::string& u = t.upper;
      if (u == "NULL" || u == "TRUE" || u == "FALSE") {
        Advance();
        ExprPtr e = Make(ExprKind::kLiteral, t.pos);
        if (u != "NULL") e->value = Value::Bool(u == "TRUE");
        return e;
      }
      if (u == "CASE") return ParseCase();
      if (u == "CAST" || u == "TRY_CAST") {
        Advance();
        PQ_RETURN_IF_ERROR(ExpectOp("("));
        ExprPtr c = Make(ExprKind::kCast, t.pos);
        PQ_ASSIGN_OR_RETURN(ExprPtr a, ParseExpr());
        c->args = {a};
        PQ_RETURN_IF_ERROR(ExpectKw("AS"));
        PQ_RETURN_IF_ERROR(ParseType(c.get()));
        PQ_RETURN_IF_ERROR(ExpectOp(")"));
        return c;
      }
      if (u == "INTERVAL") {
        Advance();
        return ParseInterval(t.pos);
      }
      if ((u == "DATE" || u == "TIMESTAMP" || u == "TIMESTAMPTZ") && Peek().type == Tok::kString) {
        Advance();
        ExprPtr c = Make(ExprKind::kCast, t.pos);
        ExprPtr lit = Make(ExprKind::kLiteral, Cur().pos);
        lit->value = Value::String(Cur().text);
        Advance();
        c->args = {lit};
        c->type_name = u;
        return c;
      }
      if (IsReserved(u)) return Error("expected an expression");
    }
    Advance();
    // Function call?
    if (!quoted && IsOp("(")) {
      Advance();
      ExprPtr f = Make(ExprKind::kFunction, t.pos);
      f->name = Lower(t.text);
      if (IsOp(")")) {
        Advance();
        return f;
      }
      if (IsKw("DISTINCT")) {
        Advance();
        f->distinct = true;
      }
      if (IsOp("*")) {
        ExprPtr s = Make(ExprKind::kStar, Cur().pos);
        Advance();
        f->args.push_back(s);
      } else {
        do {
          PQ_ASSIGN_OR_RETURN(ExprPtr a, ParseExpr());
          f->args.push_back(a);
        } while (AcceptOp(","));
      }
      PQ_RETURN_IF_ERROR(ExpectOp(")"));
      return f;
    }
    ExprPtr c = Make(ExprKind::kColumn, t.pos);
    c->path = t.text;

    while (IsOp(".")) {
      Advance();
      if (Cur().type == Tok::kIdent || Cur().type == Tok::kQuotedIdent) {
        c->path += "." + Cur().text;
      } else if (Cur().type == Tok::kNumber &&
                 Cur().text.find_first_not_of("0123456789") == std::string::npos) {
        c->path += "." + Cur().text;
      } else {
        return Error("expected a field name after '.'");
      }
      Advance();
    }
    if (c->path.front() == '.' || c->path.back() == '.' || c->path.find("..") != std::string::npos) {
      return Status::InvalidArgument(Compose(t.pos, "empty field name in path '" + c->path + "'"));
    }
    return c;
  }

  Result<ExprPtr> ParseCase() {
    ExprPtr e = Make(ExprKind::kCase, Cur().pos);
    Advance();
    if (!IsKw("WHEN")) {
      PQ_ASSIGN_OR_RETURN(ExprPtr op, ParseExpr());
      e->args.push_back(op);
      e->has_operand = true;
    }
    if (!IsKw("WHEN")) return Error("expected WHEN");
    while (IsKw("WHEN")) {
      Advance();
      PQ_ASSIGN_OR_RETURN(ExprPtr w, ParseExpr());
      PQ_RETURN_IF_ERROR(ExpectKw("THEN"));
      PQ_ASSIGN_OR_RETURN(ExprPtr th, ParseExpr());
      e->args.push_back(w);
      e->args.push_back(th);
    }
    if (IsKw("ELSE")) {
      Advance();
      PQ_ASSIGN_OR_RETURN(ExprPtr el, ParseExpr());
      e->args.push_back(el);
      e->has_else = true;
    }
    PQ_RETURN_IF_ERROR(ExpectKw("END"));
    return e;
  }

  std::string_view sql_;
  std::vector<Token> toks_;
  size_t idx_ = 0;
  int depth_ = 0;
  int num_params_ = 0;
  bool used_qmark_ = false;
  bool used_dollar_ = false;
};

}  // namespace

bool IsReservedWord(std::string_view word) { return IsReserved(Upper(word)); }

std::string QuotePath(std::string_view path) {
  std::string out;
  size_t start = 0;
  bool first = true;
  while (true) {
    size_t dot = path.find('.', start);
    std::string_view seg = path.substr(start, dot == std::string_view::npos ? dot : dot - start);
    bool plain = !seg.empty() && !IsReservedWord(seg) &&
                 (std::isalpha(static_cast<unsigned char>(seg[0])) || seg[0] == '_' ||
                  (!first && std::isdigit(static_cast<unsigned char>(seg[0]))));
    bool digits = !first && !seg.empty();
    for (char c : seg) {
      plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
      digits = digits && std::isdigit(static_cast<unsigned char>(c));
    }
    if (!first && std::isdigit(static_cast<unsigned char>(seg.empty() ? 'x' : seg[0]))) plain = digits;
    if (!first) out += '.';
    if (plain) {
      out += seg;
    } else {
      out += '"';
      for (char c : seg) {
        if (c == '"') out += '"';
        out += c;
      }
      out += '"';
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
    first = false;
  }
  return out;
}

std::string DescribePosition(std::string_view sql, int pos) {
  size_t p = std::min(static_cast<size_t>(std::max(pos, 0)), sql.size());
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < p; i++) {
    if (sql[i] == '\n') {
      line++;
      line_start = i + 1;
    }
  }
  size_t line_end = sql.find('\n', line_start);
  if (line_end == std::string_view::npos) line_end = sql.size();
  std::string text(sql.substr(line_start, line_end - line_start));
  for (char& c : text) {
    if (c == '\t' || c == '\r') c = ' ';
  }
  int col = static_cast<int>(p - line_start) + 1;
  return "line " + std::to_string(line) + ", column " + std::to_string(col) + "\n  " + text +
         "\n  " + std::string(static_cast<size_t>(col - 1), ' ') + "^";
}

Result<SelectStmt> Parse(std::string_view sql) {
  Parser p(sql);
  return p.Run();
}

}  // namespace parquedb::sql
