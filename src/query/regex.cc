#include "query/regex.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace parquedb::query {

namespace {

// Code points: valid UTF-8 decodes to U+0000..U+10FFFF; every byte that does not start a
// valid sequence decodes on its own to kInvalidBase + byte, in patterns and subjects
// alike, so arbitrary bytes still match exactly.
constexpr uint32_t kInvalidBase = 0x110000;
constexpr uint32_t kMaxCodePoint = kInvalidBase + 0xFF;
constexpr uint32_t kNoChar = 0xFFFFFFFFu;  // before the start / after the end of text

constexpr int kMaxGroupDepth = 100;
constexpr int kMaxRepeat = 1000;
constexpr size_t kMaxInsts = 20000;
constexpr size_t kMaxCompileWork = 200000;

uint32_t DecodeUtf8(const unsigned char* p, size_t n, size_t* len) {
  const unsigned char c = p[0];
  *len = 1;
  if (c < 0x80) return c;
  size_t need = 0;
  uint32_t cp = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 4;
    cp = c & 0x07;
  } else {
    return kInvalidBase + c;
  }
  if (need > n) return kInvalidBase + c;
  for (size_t k = 1; k < need; ++k) {
    if ((p[k] & 0xC0) != 0x80) return kInvalidBase + c;
    cp = (cp << 6) | (p[k] & 0x3F);
  }
  if ((need == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (need == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
    return kInvalidBase + c;
  }
  *len = need;
  return cp;
}

void EncodeUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsWordChar(uint32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

using Range = std::pair<uint32_t, uint32_t>;  // inclusive

// A set of code points as sorted, disjoint, non-adjacent ranges.
struct CharClass {
  std::vector<Range> ranges;

  bool Contains(uint32_t c) const {
    auto it = std::upper_bound(ranges.begin(), ranges.end(), c,
                               [](uint32_t v, const Range& r) { return v < r.first; });
    return it != ranges.begin() && c <= std::prev(it)->second;
  }
  void Normalize() {
    std::sort(ranges.begin(), ranges.end());
    std::vector<Range> merged;
    for (const Range& r : ranges) {
      if (!merged.empty() && r.first <= merged.back().second + 1) {
        merged.back().second = std::max(merged.back().second, r.second);
      } else {
        merged.push_back(r);
      }
    }
    ranges = std::move(merged);
  }
  void FoldAsciiCase() {
    const size_t n = ranges.size();
    for (size_t i = 0; i < n; ++i) {
      const Range r = ranges[i];
      const uint32_t lo_l = std::max<uint32_t>(r.first, 'a'),
                     hi_l = std::min<uint32_t>(r.second, 'z');
      if (lo_l <= hi_l) ranges.emplace_back(lo_l - 32, hi_l - 32);
      const uint32_t lo_u = std::max<uint32_t>(r.first, 'A'),
                     hi_u = std::min<uint32_t>(r.second, 'Z');
      if (lo_u <= hi_u) ranges.emplace_back(lo_u + 32, hi_u + 32);
    }
    Normalize();
  }
  void Negate() {
    std::vector<Range> out;
    uint32_t next = 0;
    for (const Range& r : ranges) {
      if (r.first > next) out.emplace_back(next, r.first - 1);
      next = r.second + 1;
    }
    if (next <= kMaxCodePoint) out.emplace_back(next, kMaxCodePoint);
    ranges = std::move(out);
  }
};

// Named sets (\d, \w, \s and POSIX classes).
void AddNamedSet(char name, std::vector<Range>* out) {
  switch (name) {
    case 'd':
      out->emplace_back('0', '9');
      break;
    case 'w':
      out->emplace_back('0', '9');
      out->emplace_back('A', 'Z');
      out->emplace_back('_', '_');
      out->emplace_back('a', 'z');
      break;
    case 's':
      out->emplace_back('\t', '\r');
      out->emplace_back(' ', ' ');
      break;
  }
}

bool AddPosixSet(std::string_view name, std::vector<Range>* out) {
  if (name == "alpha") {
    out->emplace_back('A', 'Z');
    out->emplace_back('a', 'z');
  } else if (name == "digit") {
    out->emplace_back('0', '9');
  } else if (name == "alnum") {
    out->emplace_back('0', '9');
    out->emplace_back('A', 'Z');
    out->emplace_back('a', 'z');
  } else if (name == "upper") {
    out->emplace_back('A', 'Z');
  } else if (name == "lower") {
    out->emplace_back('a', 'z');
  } else if (name == "space") {
    out->emplace_back('\t', '\r');
    out->emplace_back(' ', ' ');
  } else if (name == "blank") {
    out->emplace_back('\t', '\t');
    out->emplace_back(' ', ' ');
  } else if (name == "xdigit") {
    out->emplace_back('0', '9');
    out->emplace_back('A', 'F');
    out->emplace_back('a', 'f');
  } else if (name == "word") {
    AddNamedSet('w', out);
  } else if (name == "punct") {
    out->emplace_back('!', '/');
    out->emplace_back(':', '@');
    out->emplace_back('[', '`');
    out->emplace_back('{', '~');
  } else if (name == "cntrl") {
    out->emplace_back(0, 0x1F);
    out->emplace_back(0x7F, 0x7F);
  } else if (name == "print") {
    out->emplace_back(0x20, 0x7E);
  } else if (name == "graph") {
    out->emplace_back(0x21, 0x7E);
  } else {
    return false;
  }
  return true;
}

enum class AssertKind : uint8_t {
  kBeginText,       // \A, or ^ without 'm'
  kEndText,         // \z
  kEndTextOptNL,    // \Z, or $ without 'm': end, or before a final '\n'
  kBeginLine,       // ^ with 'm'
  kEndLine,         // $ with 'm'
  kWordBoundary,    // \b
  kNotWordBoundary  // \B
};

struct Node {
  enum class Type : uint8_t { kEmpty, kChar, kAny, kClass, kAssert, kConcat, kAlt, kRepeat };
  Type type = Type::kEmpty;
  uint32_t cp = 0;
  int cls = -1;
  AssertKind assert_kind = AssertKind::kBeginText;
  int min = 0, max = 0;  // kRepeat; max < 0 = unbounded
  std::vector<int> kids;
};

struct Flags {
  bool icase = false, multiline = false, dotall = false, extended = false;
};

class Parser {
 public:
  Parser(std::string_view pattern, Flags flags, std::vector<CharClass>* classes,
         std::vector<Node>* nodes)
      : flags_(flags), classes_(classes), nodes_(nodes) {
    const auto* p = reinterpret_cast<const unsigned char*>(pattern.data());
    for (size_t i = 0; i < pattern.size();) {
      size_t len;
      cps_.push_back(DecodeUtf8(p + i, pattern.size() - i, &len));
      i += len;
    }
  }

  // Returns the root node index, or -1 with error() set.
  int Parse() {
    int root;
    if (!ParseAlt(0, &root)) return -1;
    if (pos_ < cps_.size()) {
      Fail("unmatched ')'");
      return -1;
    }
    return root;
  }
  const std::string& error() const { return error_; }

 private:
  bool AtEnd() const { return pos_ >= cps_.size(); }
  uint32_t Peek(size_t ahead = 0) const {
    return pos_ + ahead < cps_.size() ? cps_[pos_ + ahead] : kNoChar;
  }
  bool Fail(std::string_view msg) {
    if (error_.empty()) error_ = std::string(msg) + " at position " + std::to_string(pos_);
    return false;
  }
  int Add(Node n) {
    nodes_->push_back(std::move(n));
    return static_cast<int>(nodes_->size() - 1);
  }
  int AddClass(CharClass c) {
    classes_->push_back(std::move(c));
    return static_cast<int>(classes_->size() - 1);
  }

  void SkipExtended() {
    if (!flags_.extended) return;
    while (!AtEnd()) {
      const uint32_t c = Peek();
      if (c == ' ' || (c >= '\t' && c <= '\r')) {
        ++pos_;
      } else if (c == '#') {
        while (!AtEnd() && Peek() != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  bool ParseAlt(int depth, int* out) {
    std::vector<int> alts;
    int first;
    if (!ParseConcat(depth, &first)) return false;
    alts.push_back(first);
    while (Peek() == '|') {
      ++pos_;
      int next;
      if (!ParseConcat(depth, &next)) return false;
      alts.push_back(next);
    }
    if (alts.size() == 1) {
      *out = alts[0];
    } else {
      Node n;
      n.type = Node::Type::kAlt;
      n.kids = std::move(alts);
      *out = Add(std::move(n));
    }
    return true;
  }

  bool ParseConcat(int depth, int* out) {
    std::vector<int> items;
    while (true) {
      SkipExtended();
      if (AtEnd() || Peek() == '|' || Peek() == ')') break;
      int atom;
      bool quantifiable = true;
      if (!ParseAtom(depth, &atom, &quantifiable)) return false;
      SkipExtended();
      int min, max;
      bool found;
      if (!ParseQuantifier(&min, &max, &found)) return false;
      if (found) {
        if (!quantifiable) return Fail("nothing to repeat");
        if (Peek() == '?') {
          ++pos_;  // lazy: same language, and only match/no-match matters here
        } else if (Peek() == '+') {
          return Fail("possessive quantifiers are not supported");
        }
        SkipExtended();
        int min2, max2;
        bool again;
        const size_t save = pos_;
        if (!ParseQuantifier(&min2, &max2, &again)) return false;
        if (again) {
          pos_ = save;
          return Fail("nothing to repeat");
        }
        Node r;
        r.type = Node::Type::kRepeat;
        r.min = min;
        r.max = max;
        r.kids.push_back(atom);
        atom = Add(std::move(r));
      }
      items.push_back(atom);
    }
    if (items.size() == 1) {
      *out = items[0];
    } else {
      Node n;
      n.type = items.empty() ? Node::Type::kEmpty : Node::Type::kConcat;
      n.kids = std::move(items);
      *out = Add(std::move(n));
    }
    return true;
  }

  // Reads a decimal count (at most 4 digits) at pos_; false if none.
  bool ReadCount(size_t* p, int* out) const {
    int v = 0, digits = 0;
    while (*p < cps_.size() && cps_[*p] >= '0' && cps_[*p] <= '9') {
      if (digits < 5) v = v * 10 + static_cast<int>(cps_[*p] - '0');
      ++digits;
      ++*p;
    }
    *out = digits > 4 ? kMaxRepeat + 1 : v;
    return digits > 0;
  }

  // Recognizes "{n}", "{n,}", "{n,m}" at pos_ without consuming; returns the end.
  bool BraceQuantifier(size_t* end, int* min, int* max) const {
    size_t p = pos_;
    if (p >= cps_.size() || cps_[p] != '{') return false;
    ++p;
    if (!ReadCount(&p, min)) return false;
    *max = *min;
    if (p < cps_.size() && cps_[p] == ',') {
      ++p;
      if (!ReadCount(&p, max)) *max = -1;
    }
    if (p >= cps_.size() || cps_[p] != '}') return false;
    *end = p + 1;
    return true;
  }

  bool ParseQuantifier(int* min, int* max, bool* found) {
    *found = true;
    switch (Peek()) {
      case '*':
        *min = 0;
        *max = -1;
        ++pos_;
        return true;
      case '+':
        *min = 1;
        *max = -1;
        ++pos_;
        return true;
      case '?':
        *min = 0;
        *max = 1;
        ++pos_;
        return true;
      case '{': {
        size_t end;
        if (BraceQuantifier(&end, min, max)) {
          if (*min > kMaxRepeat || *max > kMaxRepeat) {
            return Fail("repetition count above " + std::to_string(kMaxRepeat));
          }
          if (*max >= 0 && *max < *min) return Fail("repetition range {n,m} with n > m");
          pos_ = end;
          return true;
        }
        break;
      }
      default:
        break;
    }
    *found = false;
    return true;
  }

  bool ParseHex(size_t digits, uint32_t* out) {
    uint32_t v = 0;
    for (size_t i = 0; i < digits; ++i) {
      const uint32_t c = Peek();
      uint32_t d;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        d = c - 'A' + 10;
      } else {
        return Fail("expected hex digit");
      }
      v = v * 16 + d;
      ++pos_;
    }
    *out = v;
    return true;
  }

  // Parses an escape after '\'. Exactly one of: *cp set (literal), *set filled (named
  // set), or *assert_kind set with *is_assert (outside classes only).
  bool ParseEscape(bool in_class, uint32_t* cp, std::vector<Range>* set, bool* is_set,
                   AssertKind* assert_kind, bool* is_assert) {
    *is_set = false;
    *is_assert = false;
    if (AtEnd()) return Fail("trailing backslash");
    const uint32_t c = Peek();
    ++pos_;
    switch (c) {
      case 'd':
      case 'w':
      case 's':
      case 'D':
      case 'W':
      case 'S': {
        const bool neg = c < 'a';
        CharClass cc;
        AddNamedSet(static_cast<char>(neg ? c + 32 : c), &cc.ranges);
        cc.Normalize();
        if (neg) cc.Negate();
        set->insert(set->end(), cc.ranges.begin(), cc.ranges.end());
        *is_set = true;
        return true;
      }
      case 'b':
        if (in_class) {
          *cp = 8;
          return true;
        }
        *assert_kind = AssertKind::kWordBoundary;
        *is_assert = true;
        return true;
      case 'B':
      case 'A':
      case 'z':
      case 'Z':
        if (in_class) {
          --pos_;
          return Fail("assertion escape inside a character class");
        }
        *assert_kind = c == 'B'   ? AssertKind::kNotWordBoundary
                       : c == 'A' ? AssertKind::kBeginText
                       : c == 'z' ? AssertKind::kEndText
                                  : AssertKind::kEndTextOptNL;
        *is_assert = true;
        return true;
      case 'n':
        *cp = '\n';
        return true;
      case 'r':
        *cp = '\r';
        return true;
      case 't':
        *cp = '\t';
        return true;
      case 'f':
        *cp = '\f';
        return true;
      case 'v':
        *cp = '\v';
        return true;
      case '0':
        if (Peek() >= '0' && Peek() <= '9') return Fail("octal escapes are not supported");
        *cp = 0;
        return true;
      case 'x':
        if (Peek() == '{') {
          ++pos_;
          uint32_t v = 0;
          int n = 0;
          while (Peek() != '}') {
            uint32_t d = 0;
            if (n >= 6 || !ParseHex(1, &d)) return Fail("bad \\x{...} escape");
            v = v * 16 + d;
            ++n;
          }
          ++pos_;
          if (n == 0 || v > 0x10FFFF) return Fail("bad \\x{...} escape");
          *cp = v;
          return true;
        }
        return ParseHex(2, cp);
      case 'u':
        return ParseHex(4, cp);
      default:
        break;
    }
    if (c >= '1' && c <= '9') {
      --pos_;
      return Fail("backreferences are not supported");
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      --pos_;
      return Fail(std::string("unsupported escape \\") + static_cast<char>(c));
    }
    *cp = c;  // escaped punctuation or non-ASCII: literal
    return true;
  }

  bool ParseClass(int* out) {
    // pos_ is just after '['.
    const size_t start = pos_ - 1;
    CharClass cc;
    bool negated = false;
    if (Peek() == '^') {
      negated = true;
      ++pos_;
    }
    bool first = true;
    while (true) {
      if (AtEnd()) {
        pos_ = start;
        return Fail("missing ']'");
      }
      const uint32_t c = Peek();
      if (c == ']' && !first) {
        ++pos_;
        break;
      }
      first = false;
      if (c == '[' && Peek(1) == ':') {
        // POSIX class "[:name:]".
        size_t p = pos_ + 2;
        std::string name;
        while (p < cps_.size() && cps_[p] >= 'a' && cps_[p] <= 'z' && name.size() < 10) {
          name.push_back(static_cast<char>(cps_[p++]));
        }
        if (p + 1 < cps_.size() && cps_[p] == ':' && cps_[p + 1] == ']') {
          if (!AddPosixSet(name, &cc.ranges)) return Fail("unknown POSIX class [:" + name + ":]");
          pos_ = p + 2;
          continue;
        }
      }
      uint32_t lo;
      if (!ClassAtom(&lo, &cc)) return false;
      if (lo == kNoChar) continue;  // a named set was added
      if (Peek() == '-' && Peek(1) != ']' && Peek(1) != kNoChar) {
        ++pos_;
        uint32_t hi;
        const size_t at = pos_;
        if (!ClassAtom(&hi, nullptr)) return false;
        if (hi == kNoChar) {
          pos_ = at;
          return Fail("invalid range in character class");
        }
        if (hi < lo) {
          pos_ = at;
          return Fail("range out of order in character class");
        }
        cc.ranges.emplace_back(lo, hi);
      } else {
        cc.ranges.emplace_back(lo, lo);
      }
    }
    cc.Normalize();
    if (flags_.icase) cc.FoldAsciiCase();
    if (negated) cc.Negate();
    Node n;
    n.type = Node::Type::kClass;
    n.cls = AddClass(std::move(cc));
    *out = Add(std::move(n));
    return true;
  }

  // One class member: sets *cp, or adds a named set to `cc` and sets *cp = kNoChar.
  bool ClassAtom(uint32_t* cp, CharClass* cc) {
    const uint32_t c = Peek();
    ++pos_;
    if (c != '\\') {
      *cp = c;
      return true;
    }
    std::vector<Range> set;
    bool is_set, is_assert;
    AssertKind ak;
    if (!ParseEscape(/*in_class=*/true, cp, &set, &is_set, &ak, &is_assert)) return false;
    if (is_set) {
      if (cc == nullptr) {
        *cp = kNoChar;
        return true;
      }
      cc->ranges.insert(cc->ranges.end(), set.begin(), set.end());
      *cp = kNoChar;
    }
    return true;
  }

  bool ParseAtom(int depth, int* out, bool* quantifiable) {
    const uint32_t c = Peek();
    const size_t at = pos_;
    ++pos_;
    Node n;
    switch (c) {
      case '(': {
        if (depth + 1 > kMaxGroupDepth) {
          pos_ = at;
          return Fail("groups nested deeper than " + std::to_string(kMaxGroupDepth));
        }
        if (Peek() == '?') {
          ++pos_;
          const uint32_t k = Peek();
          if (k == ':') {
            ++pos_;
          } else if (k == '<' && Peek(1) != '=' && Peek(1) != '!') {
            if (!SkipGroupName('>')) return false;
          } else if (k == 'P' && Peek(1) == '<') {
            ++pos_;
            if (!SkipGroupName('>')) return false;
          } else if (k == '\'') {
            if (!SkipGroupName('\'')) return false;
          } else if (k == '=' || k == '!' || k == '<') {
            pos_ = at;
            return Fail("lookaround assertions are not supported");
          } else {
            pos_ = at;
            return Fail("inline flags and special groups are not supported");
          }
        }
        if (!ParseAlt(depth + 1, out)) return false;
        if (Peek() != ')') {
          pos_ = at;
          return Fail("missing ')'");
        }
        ++pos_;
        return true;
      }
      case '[':
        return ParseClass(out);
      case '.':
        n.type = Node::Type::kAny;
        *out = Add(std::move(n));
        return true;
      case '^':
      case '$':
        n.type = Node::Type::kAssert;
        if (c == '^') {
          n.assert_kind = flags_.multiline ? AssertKind::kBeginLine : AssertKind::kBeginText;
        } else {
          n.assert_kind = flags_.multiline ? AssertKind::kEndLine : AssertKind::kEndTextOptNL;
        }
        *quantifiable = false;
        *out = Add(std::move(n));
        return true;
      case '\\': {
        uint32_t cp = 0;
        std::vector<Range> set;
        bool is_set, is_assert;
        AssertKind ak;
        if (!ParseEscape(/*in_class=*/false, &cp, &set, &is_set, &ak, &is_assert)) return false;
        if (is_assert) {
          n.type = Node::Type::kAssert;
          n.assert_kind = ak;
          *quantifiable = false;
        } else if (is_set) {
          CharClass cc;
          cc.ranges = std::move(set);
          cc.Normalize();
          if (flags_.icase) cc.FoldAsciiCase();
          n.type = Node::Type::kClass;
          n.cls = AddClass(std::move(cc));
        } else {
          n.type = Node::Type::kChar;
          n.cp = cp;
        }
        *out = Add(std::move(n));
        return true;
      }
      case '*':
      case '+':
      case '?':
        pos_ = at;
        return Fail("nothing to repeat");
      case '{': {
        pos_ = at;
        size_t end;
        int mn, mx;
        if (BraceQuantifier(&end, &mn, &mx)) return Fail("nothing to repeat");
        ++pos_;
        break;  // a literal '{'
      }
      default:
        break;
    }
    n.type = Node::Type::kChar;
    n.cp = c;
    *out = Add(std::move(n));
    return true;
  }

  bool SkipGroupName(uint32_t close) {
    ++pos_;  // the opening '<' or '\''
    size_t n = 0;
    while (!AtEnd() && Peek() != close) {
      if (!IsWordChar(Peek())) return Fail("bad group name");
      ++pos_;
      ++n;
    }
    if (AtEnd() || n == 0) return Fail("bad group name");
    ++pos_;
    return true;
  }

  std::vector<uint32_t> cps_;
  size_t pos_ = 0;
  Flags flags_;
  std::vector<CharClass>* classes_;
  std::vector<Node>* nodes_;
  std::string error_;
};

enum class Op : uint8_t { kChar, kAny, kAnyNoNewline, kClass, kAssert, kSplit, kJmp, kMatch };

struct Inst {
  Op op;
  AssertKind assert_kind = AssertKind::kBeginText;
  uint32_t a = 0;  // kChar: code point; kClass: class index; kSplit/kJmp: target
  uint32_t b = 0;  // kChar: alternative (case-folded) code point; kSplit: 2nd target
};

}  // namespace

struct Regex::Program {
  std::string pattern;
  std::string options;
  std::vector<Inst> insts;
  std::vector<CharClass> classes;
  bool anchored = false;  // every match starts at offset 0
  bool is_literal = false;
  bool literal_at_start = false;
  std::string literal;
};

namespace {

class Compiler {
 public:
  Compiler(const std::vector<Node>& nodes, Flags flags, std::vector<Inst>* out)
      : nodes_(nodes), flags_(flags), out_(out) {}

  bool Compile(int root) {
    if (!Emit(root)) return false;
    return Push({Op::kMatch});
  }

 private:
  bool Push(Inst inst) {
    if (out_->size() >= kMaxInsts) return false;
    out_->push_back(inst);
    return true;
  }
  uint32_t Here() const { return static_cast<uint32_t>(out_->size()); }

  bool Emit(int idx) {
    if (++work_ > kMaxCompileWork) return false;
    const Node& n = nodes_[static_cast<size_t>(idx)];
    switch (n.type) {
      case Node::Type::kEmpty:
        return true;
      case Node::Type::kChar: {
        Inst i{Op::kChar};
        i.a = i.b = n.cp;
        if (flags_.icase) {
          if (n.cp >= 'a' && n.cp <= 'z') i.b = n.cp - 32;
          if (n.cp >= 'A' && n.cp <= 'Z') i.b = n.cp + 32;
        }
        return Push(i);
      }
      case Node::Type::kAny:
        return Push({flags_.dotall ? Op::kAny : Op::kAnyNoNewline});
      case Node::Type::kClass: {
        Inst i{Op::kClass};
        i.a = static_cast<uint32_t>(n.cls);
        return Push(i);
      }
      case Node::Type::kAssert: {
        Inst i{Op::kAssert};
        i.assert_kind = n.assert_kind;
        return Push(i);
      }
      case Node::Type::kConcat:
        for (int k : n.kids) {
          if (!Emit(k)) return false;
        }
        return true;
      case Node::Type::kAlt: {
        // split L1, next; L1: kid; jmp end; next: split ... ; last kid; end:
        std::vector<uint32_t> jumps;
        for (size_t k = 0; k < n.kids.size(); ++k) {
          if (k + 1 < n.kids.size()) {
            const uint32_t split = Here();
            if (!Push({Op::kSplit})) return false;
            (*out_)[split].a = Here();
            if (!Emit(n.kids[k])) return false;
            jumps.push_back(Here());
            if (!Push({Op::kJmp})) return false;
            (*out_)[split].b = Here();
          } else if (!Emit(n.kids[k])) {
            return false;
          }
        }
        for (uint32_t j : jumps) (*out_)[j].a = Here();
        return true;
      }
      case Node::Type::kRepeat: {
        const int kid = n.kids[0];
        if (n.max < 0) {
          // kid{min-1} then kid+ ; or kid* when min == 0.
          for (int k = 0; k + 1 < n.min; ++k) {
            if (!Emit(kid)) return false;
          }
          if (n.min == 0) {
            const uint32_t split = Here();
            if (!Push({Op::kSplit})) return false;
            (*out_)[split].a = Here();
            if (!Emit(kid)) return false;
            Inst j{Op::kJmp};
            j.a = split;
            if (!Push(j)) return false;
            (*out_)[split].b = Here();
          } else {
            const uint32_t loop = Here();
            if (!Emit(kid)) return false;
            Inst s{Op::kSplit};
            s.a = loop;
            s.b = Here() + 1;
            if (!Push(s)) return false;
          }
          return true;
        }
        for (int k = 0; k < n.min; ++k) {
          if (!Emit(kid)) return false;
        }
        std::vector<uint32_t> splits;
        for (int k = n.min; k < n.max; ++k) {
          splits.push_back(Here());
          if (!Push({Op::kSplit})) return false;
          (*out_)[splits.back()].a = Here();
          if (!Emit(kid)) return false;
        }
        for (uint32_t s : splits) (*out_)[s].b = Here();
        return true;
      }
    }
    return false;
  }

  const std::vector<Node>& nodes_;
  Flags flags_;
  std::vector<Inst>* out_;
  size_t work_ = 0;
};

// Detects a pattern that is a plain (valid UTF-8) string, optionally anchored at the
// start, so Search can use substring search.
void DetectLiteral(const std::vector<Node>& nodes, int root, Flags flags, Regex::Program* p) {
  if (flags.icase) return;
  const Node& r = nodes[static_cast<size_t>(root)];
  std::vector<int> items;
  if (r.type == Node::Type::kConcat) {
    items = r.kids;
  } else {
    items.push_back(root);
  }
  size_t first = 0;
  bool at_start = false;
  if (!items.empty()) {
    const Node& f = nodes[static_cast<size_t>(items[0])];
    if (f.type == Node::Type::kAssert && f.assert_kind == AssertKind::kBeginText) {
      at_start = true;
      first = 1;
    }
  }
  std::string lit;
  for (size_t k = first; k < items.size(); ++k) {
    const Node& n = nodes[static_cast<size_t>(items[k])];
    if (n.type == Node::Type::kEmpty) continue;
    if (n.type != Node::Type::kChar || n.cp >= kInvalidBase) return;
    EncodeUtf8(n.cp, &lit);
  }
  p->is_literal = true;
  p->literal_at_start = at_start;
  p->literal = std::move(lit);
}

struct SparseSet {
  std::vector<uint32_t> dense, sparse;
  uint32_t size = 0;
  void Reset(size_t n) {
    if (dense.size() < n) {
      dense.resize(n);
      sparse.resize(n);
    }
    size = 0;
  }
  bool Contains(uint32_t v) const { return sparse[v] < size && dense[sparse[v]] == v; }
  void Insert(uint32_t v) {
    sparse[v] = size;
    dense[size++] = v;
  }
};

struct Scratch {
  SparseSet lists[2];
  std::vector<uint32_t> stack;
};

struct Position {
  size_t offset;
  uint32_t prev;  // code point before, or kNoChar
  uint32_t next;  // code point after, or kNoChar
};

bool AssertHolds(AssertKind k, const Position& at, std::string_view text) {
  switch (k) {
    case AssertKind::kBeginText:
      return at.offset == 0;
    case AssertKind::kEndText:
      return at.offset == text.size();
    case AssertKind::kEndTextOptNL:
      return at.offset == text.size() || (at.offset + 1 == text.size() && text[at.offset] == '\n');
    case AssertKind::kBeginLine:
      return at.offset == 0 || at.prev == '\n';
    case AssertKind::kEndLine:
      return at.offset == text.size() || at.next == '\n';
    case AssertKind::kWordBoundary:
      return IsWordChar(at.prev) != IsWordChar(at.next);
    case AssertKind::kNotWordBoundary:
      return IsWordChar(at.prev) == IsWordChar(at.next);
  }
  return false;
}

// Adds pc and its epsilon closure at `at` to `set`; true if kMatch is reachable.
bool AddThread(const Regex::Program& p, SparseSet* set, std::vector<uint32_t>* stack, uint32_t pc,
               const Position& at, std::string_view text) {
  stack->clear();
  stack->push_back(pc);
  while (!stack->empty()) {
    const uint32_t cur = stack->back();
    stack->pop_back();
    if (set->Contains(cur)) continue;
    set->Insert(cur);
    const Inst& inst = p.insts[cur];
    switch (inst.op) {
      case Op::kMatch:
        return true;
      case Op::kJmp:
        stack->push_back(inst.a);
        break;
      case Op::kSplit:
        stack->push_back(inst.b);
        stack->push_back(inst.a);
        break;
      case Op::kAssert:
        if (AssertHolds(inst.assert_kind, at, text)) stack->push_back(cur + 1);
        break;
      default:
        break;  // consuming instruction: stays in the set
    }
  }
  return false;
}

bool Consumes(const Regex::Program& p, const Inst& inst, uint32_t c) {
  switch (inst.op) {
    case Op::kChar:
      return c == inst.a || c == inst.b;
    case Op::kAny:
      return true;
    case Op::kAnyNoNewline:
      return c != '\n';
    case Op::kClass:
      return p.classes[inst.a].Contains(c);
    default:
      return false;
  }
}

}  // namespace

Result<Regex> Regex::Compile(std::string_view pattern, std::string_view options) {
  Flags flags;
  for (char c : options) {
    switch (c) {
      case 'i':
        flags.icase = true;
        break;
      case 'm':
        flags.multiline = true;
        break;
      case 's':
        flags.dotall = true;
        break;
      case 'x':
        flags.extended = true;
        break;
      default:
        return Status::InvalidArgument(std::string("unsupported regex option '") + c +
                                       "' (supported: i, m, s, x)");
    }
  }
  auto prog = std::make_shared<Program>();
  prog->pattern = std::string(pattern);
  prog->options = std::string(options);
  std::vector<Node> nodes;
  Parser parser(pattern, flags, &prog->classes, &nodes);
  const int root = parser.Parse();
  if (root < 0) return Status::InvalidArgument("invalid regex: " + parser.error());
  Compiler compiler(nodes, flags, &prog->insts);
  if (!compiler.Compile(root)) {
    return Status::InvalidArgument("invalid regex: pattern too large after expanding repetitions");
  }
  prog->anchored = !prog->insts.empty() && prog->insts[0].op == Op::kAssert &&
                   prog->insts[0].assert_kind == AssertKind::kBeginText;
  DetectLiteral(nodes, root, flags, prog.get());
  return Regex(std::move(prog));
}

const std::string& Regex::pattern() const { return prog_->pattern; }
const std::string& Regex::options() const { return prog_->options; }

bool Regex::Search(std::string_view text) const {
  const Program& p = *prog_;
  if (p.is_literal) {
    return p.literal_at_start ? text.substr(0, p.literal.size()) == p.literal
                              : text.find(p.literal) != std::string_view::npos;
  }
  thread_local Scratch scratch;
  const size_t m = p.insts.size();
  SparseSet* clist = &scratch.lists[0];
  SparseSet* nlist = &scratch.lists[1];
  clist->Reset(m);
  nlist->Reset(m);
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0, len = 0;
  uint32_t prev = kNoChar;
  uint32_t cur = n > 0 ? DecodeUtf8(bytes, n, &len) : kNoChar;
  while (true) {
    const Position here{i, prev, cur};
    if (!p.anchored || i == 0) {
      if (AddThread(p, clist, &scratch.stack, 0, here, text)) return true;
    } else if (clist->size == 0) {
      return false;
    }
    if (i >= n) return false;
    const size_t next_i = i + len;
    size_t next_len = 0;
    const uint32_t next = next_i < n ? DecodeUtf8(bytes + next_i, n - next_i, &next_len) : kNoChar;
    const Position there{next_i, cur, next};
    nlist->size = 0;
    for (uint32_t k = 0; k < clist->size; ++k) {
      const uint32_t pc = clist->dense[k];
      if (Consumes(p, p.insts[pc], cur) &&
          AddThread(p, nlist, &scratch.stack, pc + 1, there, text)) {
        return true;
      }
    }
    std::swap(clist, nlist);
    prev = cur;
    cur = next;
    i = next_i;
    len = next_len;
  }
}

}  // namespace parquedb::query
