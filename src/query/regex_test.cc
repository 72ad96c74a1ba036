// std::regex (used here only as an independent oracle) trips GCC 12's
// -Wmaybe-uninitialized inside libstdc++ when built with sanitizers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "query/regex.h"

#include <random>
#include <regex>
#include <string>

#include <gtest/gtest.h>

namespace parquedb::query {
namespace {

bool Search(std::string_view pattern, std::string_view text, std::string_view options = "") {
  auto re = Regex::Compile(pattern, options);
  EXPECT_TRUE(re.ok()) << pattern << ": " << re.status().ToString();
  return re.ok() && re->Search(text);
}

std::string CompileError(std::string_view pattern, std::string_view options = "") {
  auto re = Regex::Compile(pattern, options);
  EXPECT_FALSE(re.ok()) << "accepted " << pattern;
  return re.ok() ? "" : re.status().message();
}

TEST(RegexTest, Basics) {
  EXPECT_TRUE(Search("", ""));
  EXPECT_TRUE(Search("", "abc"));
  EXPECT_TRUE(Search("b", "abc"));
  EXPECT_FALSE(Search("d", "abc"));
  EXPECT_TRUE(Search("^ab", "abc"));
  EXPECT_FALSE(Search("^bc", "abc"));
  EXPECT_TRUE(Search("bc$", "abc"));
  EXPECT_TRUE(Search("bc$", "abc\n"));  // PCRE: before a final newline
  EXPECT_FALSE(Search("bc\\z", "abc\n"));
  EXPECT_TRUE(Search("^abc$", "abc"));
  EXPECT_TRUE(Search("a.c", "abc"));
  EXPECT_FALSE(Search("a.c", "a\nc"));
  EXPECT_TRUE(Search("a.c", "a\nc", "s"));
  EXPECT_TRUE(Search("^(ab|cd)+$", "abcdab"));
  EXPECT_FALSE(Search("^(ab|cd)+$", "abcda"));
  EXPECT_TRUE(Search("^a{2,3}$", "aaa"));
  EXPECT_FALSE(Search("^a{2,3}$", "aaaa"));
  EXPECT_TRUE(Search("^a{2}$", "aa"));
  EXPECT_TRUE(Search("^a{2,}$", "aaaaa"));
  EXPECT_FALSE(Search("^a{2,}$", "a"));
  EXPECT_TRUE(Search("^a{0}b$", "b"));
  EXPECT_TRUE(Search("a{,2}", "a{,2}"));  // not a quantifier: literal
  EXPECT_TRUE(Search("x{", "x{"));
  EXPECT_TRUE(Search("^colou?r$", "color"));
  EXPECT_TRUE(Search("^.*?x$", "abx"));
  EXPECT_TRUE(Search("^[a-c]+$", "abcabc"));
  EXPECT_FALSE(Search("^[a-c]+$", "abd"));
  EXPECT_TRUE(Search("^[^a-c]+$", "xyz"));
  EXPECT_TRUE(Search("[]]", "]"));
  EXPECT_TRUE(Search("^[a-]+$", "a-a"));
  EXPECT_TRUE(Search("^[\\d.]+$", "3.14"));
  EXPECT_TRUE(Search("^[[:alpha:]_]+$", "ab_C"));
  EXPECT_FALSE(Search("^[[:digit:]]+$", "12a"));
  EXPECT_TRUE(Search("^\\d+-\\w+\\s\\S$", "12-ab_ x"));
  EXPECT_TRUE(Search("^\\D\\W$", "a-"));
  EXPECT_TRUE(Search("\\bcat\\b", "a cat!"));
  EXPECT_FALSE(Search("\\bcat\\b", "concat"));
  EXPECT_TRUE(Search("\\Bcat", "concat"));
  EXPECT_TRUE(Search("a\\.b", "a.b"));
  EXPECT_FALSE(Search("a\\.b", "axb"));
  EXPECT_TRUE(Search("\\x41\\u0042\\x{43}", "ABC"));
  EXPECT_TRUE(Search("(?:ab)(?<name>c)(?P<n2>d)", "abcd"));
  EXPECT_TRUE(Search("\\Aab", "abc"));
  EXPECT_TRUE(Search("^$", ""));
  EXPECT_FALSE(Search("^$", "a"));
  EXPECT_TRUE(Search("(a*)*b", "aaab"));
  EXPECT_TRUE(Search("(|a)+b", "ab"));
}

TEST(RegexTest, Options) {
  EXPECT_TRUE(Search("ABC", "xabcx", "i"));
  EXPECT_TRUE(Search("[a-c]+", "ABC", "i"));
  EXPECT_TRUE(Search("^[^a]$", "b", "i"));
  EXPECT_FALSE(Search("^[^a]$", "A", "i"));
  EXPECT_FALSE(Search("ABC", "xabcx"));
  EXPECT_TRUE(Search("^b$", "a\nb\nc", "m"));
  EXPECT_FALSE(Search("^b$", "a\nb\nc"));
  EXPECT_TRUE(Search("a b c # comment\n d", "abcd", "x"));
  EXPECT_TRUE(Search("a\\ b", "a b", "x"));
  EXPECT_TRUE(Search("[ ]", " ", "x"));  // whitespace in classes is kept
  EXPECT_TRUE(Search("a +", "aaa", "x"));
  EXPECT_TRUE(Search("A.B", "a\nb", "is"));
  EXPECT_NE(CompileError("a", "g").find("unsupported regex option 'g'"), std::string::npos);
}

TEST(RegexTest, Utf8) {
  EXPECT_TRUE(Search("^.$", "\xc3\xa9"));  // é is one code point
  EXPECT_TRUE(Search("^[\\x{e9}]$", "\xc3\xa9"));
  EXPECT_TRUE(Search("^\xc3\xa9+$", "\xc3\xa9\xc3\xa9"));
  EXPECT_TRUE(Search("^.$", "\xff"));  // an invalid byte is one unit
  EXPECT_TRUE(Search("\xff", "a\xff"));
  EXPECT_FALSE(Search("\xa9", "\xc3\xa9"));  // no match inside a sequence
  EXPECT_TRUE(Search("^[^a]$", "\xe2\x98\x83"));
}

TEST(RegexTest, Errors) {
  EXPECT_NE(CompileError("(a").find("missing ')'"), std::string::npos);
  EXPECT_NE(CompileError("a)").find("unmatched ')'"), std::string::npos);
  EXPECT_NE(CompileError("[a").find("missing ']'"), std::string::npos);
  EXPECT_NE(CompileError("*a").find("nothing to repeat"), std::string::npos);
  EXPECT_NE(CompileError("a**").find("nothing to repeat"), std::string::npos);
  EXPECT_NE(CompileError("^*").find("nothing to repeat"), std::string::npos);
  EXPECT_NE(CompileError("{2}").find("nothing to repeat"), std::string::npos);
  EXPECT_NE(CompileError("a{3,2}").find("n > m"), std::string::npos);
  EXPECT_NE(CompileError("a{1001}").find("above 1000"), std::string::npos);
  EXPECT_NE(CompileError("(a)\\1").find("backreferences"), std::string::npos);
  EXPECT_NE(CompileError("a(?=b)").find("lookaround"), std::string::npos);
  EXPECT_NE(CompileError("(?i)a").find("inline flags"), std::string::npos);
  EXPECT_NE(CompileError("a*+").find("possessive"), std::string::npos);
  EXPECT_NE(CompileError("\\q").find("unsupported escape"), std::string::npos);
  EXPECT_NE(CompileError("a\\").find("trailing backslash"), std::string::npos);
  EXPECT_NE(CompileError("[z-a]").find("out of order"), std::string::npos);
  EXPECT_NE(CompileError("[[:bogus:]]").find("unknown POSIX class"), std::string::npos);
  EXPECT_NE(CompileError("((a{1000}){1000}){1000}").find("too large"), std::string::npos);
  EXPECT_NE(CompileError(std::string(150, '(') + std::string(150, ')')).find("nested deeper"),
            std::string::npos);
  EXPECT_NE(CompileError("\\xZZ").find("hex"), std::string::npos);
}

TEST(RegexTest, HostilePatternsStayLinear) {
  // Classic catastrophic-backtracking cases finish quickly.
  const std::string text(20000, 'a');
  EXPECT_FALSE(Search("^(a+)+$", text + "b"));
  EXPECT_FALSE(Search("^(a|aa)*c", text));
  EXPECT_TRUE(Search("(a*)*$", text));
  EXPECT_FALSE(Search("(x+x+)+y", std::string(5000, 'x')));
}

// Differential check against std::regex on a syntax subset where ECMAScript and our
// dialect agree (no newlines in subjects, no '$' before a final newline).
TEST(RegexTest, AgreesWithStdRegexOnRandomPatterns) {
  std::mt19937 rng(3);
  const std::vector<std::string> atoms = {"a",   "b",     ".",    "[ab]", "[^a]", "\\d",
                                          "\\w", "(a|b)", "(ab)", "(a|)", "c",    "[a-c]"};
  const std::vector<std::string> quants = {"", "", "*", "+", "?", "{2}", "{1,2}", "{0,}"};
  for (int iter = 0; iter < 3000; ++iter) {
    std::string pattern = rng() % 4 == 0 ? "^" : "";
    for (int n = 1 + rng() % 4; n > 0; --n) {
      pattern += atoms[rng() % atoms.size()] + quants[rng() % quants.size()];
      if (rng() % 8 == 0) pattern += "|";
    }
    if (rng() % 4 == 0) pattern += "$";
    const bool icase = rng() % 4 == 0;
    auto re = Regex::Compile(pattern, icase ? "i" : "");
    ASSERT_TRUE(re.ok()) << pattern << ": " << re.status().ToString();
    std::regex ref(pattern,
                   icase ? std::regex::ECMAScript | std::regex::icase : std::regex::ECMAScript);
    for (int k = 0; k < 10; ++k) {
      std::string text;
      for (int len = rng() % 7; len > 0; --len) text.push_back("abcAB1 _"[rng() % 8]);
      ASSERT_EQ(re->Search(text), std::regex_search(text, ref))
          << "pattern " << pattern << " text '" << text << "' icase " << icase;
    }
  }
}

}  // namespace
}  // namespace parquedb::query
