#include "lang/lexer.h"

#include <gtest/gtest.h>

#include <vector>

#include "lang/diag_codes.h"

namespace vigie::lang {
namespace {

struct Lexed {
  std::vector<Token> tokens;
  std::vector<std::string> codes;  // of the diagnostics, in order
  std::vector<Span> spans;
};

Lexed lex(std::string_view text, bool strict = false) {
  Lexed out;
  Lexer lexer(text, 0, strict, [&](Severity, const char* code, const Span& s, std::string) {
    out.codes.emplace_back(code);
    out.spans.push_back(s);
  });
  for (int guard = 0; guard < 1000; ++guard) {
    Token t = lexer.next();
    bool eof = t.kind == Tok::kEof;
    out.tokens.push_back(std::move(t));
    if (eof) break;
  }
  return out;
}

std::vector<Tok> kinds(const Lexed& l) {
  std::vector<Tok> k;
  for (const auto& t : l.tokens) k.push_back(t.kind);
  return k;
}

TEST(Lexer, KeywordsIdentifiersAndPunctuation) {
  auto l = lex("rule foo_1 : tag { condition: a.b[1] <= 2 and not x != y }");
  EXPECT_EQ(kinds(l),
            (std::vector<Tok>{Tok::kRule,     Tok::kIdentifier, Tok::kColon,    Tok::kIdentifier,
                              Tok::kLBrace,   Tok::kCondition,  Tok::kColon,    Tok::kIdentifier,
                              Tok::kDot,      Tok::kIdentifier, Tok::kLBracket, Tok::kInteger,
                              Tok::kRBracket, Tok::kLe,         Tok::kInteger,  Tok::kAnd,
                              Tok::kNot,      Tok::kIdentifier, Tok::kNe,       Tok::kIdentifier,
                              Tok::kRBrace,   Tok::kEof}));
  EXPECT_EQ(l.tokens[1].text, "foo_1");
  EXPECT_TRUE(l.codes.empty());
}

TEST(Lexer, Operators) {
  auto l = lex("<< >> < > <= >= == != = & | ^ ~ + - * \\ % .. . , : ( ) [ ]");
  EXPECT_EQ(kinds(l), (std::vector<Tok>{Tok::kShl,       Tok::kShr,      Tok::kLt,     Tok::kGt,
                                        Tok::kLe,        Tok::kGe,       Tok::kEq,     Tok::kNe,
                                        Tok::kAssign,    Tok::kAmp,      Tok::kPipe,   Tok::kCaret,
                                        Tok::kTilde,     Tok::kPlus,     Tok::kMinus,  Tok::kStar,
                                        Tok::kBackslash, Tok::kPercent,  Tok::kDotDot, Tok::kDot,
                                        Tok::kComma,     Tok::kColon,    Tok::kLParen, Tok::kRParen,
                                        Tok::kLBracket,  Tok::kRBracket, Tok::kEof}));
}

TEST(Lexer, Numbers) {
  auto l = lex("10 0x1F 0o17 2KB 3MB 1.5 1..2 0x7FFFFFFFFFFFFFFF");
  ASSERT_EQ(l.tokens.size(), 11u);
  EXPECT_EQ(l.tokens[0].integer, 10);
  EXPECT_EQ(l.tokens[1].integer, 31);
  EXPECT_EQ(l.tokens[2].integer, 15);
  EXPECT_EQ(l.tokens[3].integer, 2048);
  EXPECT_EQ(l.tokens[4].integer, 3 * 1024 * 1024);
  EXPECT_EQ(l.tokens[5].kind, Tok::kFloat);
  EXPECT_DOUBLE_EQ(l.tokens[5].real, 1.5);
  EXPECT_EQ(l.tokens[6].integer, 1);
  EXPECT_EQ(l.tokens[7].kind, Tok::kDotDot);
  EXPECT_EQ(l.tokens[8].integer, 2);
  EXPECT_EQ(l.tokens[9].integer, INT64_MAX);
  EXPECT_TRUE(l.codes.empty());
}

TEST(Lexer, IntegerOverflow) {
  for (const char* src : {"0x8000000000000000", "9223372036854775808", "9007199254740992KB",
                          "0o1777777777777777777777"}) {
    auto l = lex(src);
    ASSERT_EQ(l.codes.size(), 1u) << src;
    EXPECT_EQ(l.codes[0], codes::kIntegerOverflow) << src;
    EXPECT_EQ(l.tokens[0].kind, Tok::kInteger);
  }
  EXPECT_TRUE(lex("9223372036854775807").codes.empty());
}

TEST(Lexer, TextStringEscapes) {
  auto l = lex(R"("a\"b\\c\t\n\r\x41\x00z")");
  ASSERT_EQ(l.tokens[0].kind, Tok::kText);
  EXPECT_EQ(l.tokens[0].value, std::string("a\"b\\c\t\n\rA\0z", 11));
  EXPECT_TRUE(l.codes.empty());
}

TEST(Lexer, IllegalEscapesAreErrors) {
  auto l = lex(R"("ab\qc" "\x4g")");
  ASSERT_EQ(l.codes.size(), 2u);
  EXPECT_EQ(l.codes[0], codes::kIllegalEscape);
  EXPECT_EQ(l.spans[0].column, 4u);
  EXPECT_EQ(l.spans[0].length, 2u);
  EXPECT_EQ(l.codes[1], codes::kIllegalEscape);
}

TEST(Lexer, UnterminatedString) {
  auto l = lex("\"abc\nrule");
  ASSERT_EQ(l.codes.size(), 1u);
  EXPECT_EQ(l.codes[0], codes::kUnterminatedString);
  EXPECT_EQ(l.tokens[1].kind, Tok::kRule);
  EXPECT_EQ(l.tokens[1].line, 2u);
}

TEST(Lexer, Regexes) {
  auto l = lex(R"(/ab\/c[0-9]+/is /x/i /y/s /z/)");
  ASSERT_EQ(l.tokens.size(), 5u);
  EXPECT_EQ(l.tokens[0].kind, Tok::kRegex);
  EXPECT_EQ(l.tokens[0].value, R"(ab\/c[0-9]+)");
  EXPECT_EQ(l.tokens[0].regex_flags, kRegexNocase | kRegexDotAll);
  EXPECT_EQ(l.tokens[1].regex_flags, kRegexNocase);
  EXPECT_EQ(l.tokens[2].regex_flags, kRegexDotAll);
  EXPECT_EQ(l.tokens[3].regex_flags, 0);
}

TEST(Lexer, StrictEscapeWarnsOnUnknownRegexEscapes) {
  EXPECT_TRUE(lex(R"(/a\kb\d\.\//)").codes.empty());
  EXPECT_TRUE(
      lex(R"(/\w\W\s\S\d\D\b\B\n\t\r\f\a\x41\_\-\[\]\(\)\{\}\|\*\+\?\^\$/)", true).codes.empty());
  auto l = lex(R"(/a\kb\d\.\//)", true);
  ASSERT_EQ(l.codes.size(), 1u);
  EXPECT_EQ(l.codes[0], codes::kUnknownEscape);
  EXPECT_EQ(l.spans[0].column, 3u);
}

TEST(Lexer, UnterminatedRegex) {
  auto l = lex("/abc\n1");
  ASSERT_EQ(l.codes.size(), 1u);
  EXPECT_EQ(l.codes[0], codes::kUnterminatedRegex);
}

TEST(Lexer, StringReferences) {
  auto l = lex("$a $ $a* $* #a # @a @ !a ! !=");
  EXPECT_EQ(kinds(l),
            (std::vector<Tok>{Tok::kStringId, Tok::kStringId, Tok::kStringIdWildcard,
                              Tok::kStringIdWildcard, Tok::kStringCount, Tok::kStringCount,
                              Tok::kStringOffset, Tok::kStringOffset, Tok::kStringLength,
                              Tok::kStringLength, Tok::kNe, Tok::kEof}));
  EXPECT_EQ(l.tokens[2].text, "$a*");
}

TEST(Lexer, CommentsAndPositions) {
  auto l = lex("// line\n/* block\n comment */  rule\n\tx");
  ASSERT_EQ(l.tokens.size(), 3u);
  EXPECT_EQ(l.tokens[0].kind, Tok::kRule);
  EXPECT_EQ(l.tokens[0].line, 3u);
  EXPECT_EQ(l.tokens[0].column, 14u);
  EXPECT_EQ(l.tokens[1].line, 4u);
  EXPECT_EQ(l.tokens[1].column, 2u);
  auto u = lex("rule /* never closed");
  ASSERT_EQ(u.codes.size(), 1u);
  EXPECT_EQ(u.codes[0], codes::kUnterminatedComment);
}

TEST(Lexer, IdentifierLengthLimit) {
  EXPECT_TRUE(lex(std::string(128, 'a')).codes.empty());
  auto l = lex(std::string(129, 'a'));
  ASSERT_EQ(l.codes.size(), 1u);
  EXPECT_EQ(l.codes[0], codes::kIdentifierTooLong);
}

TEST(Lexer, UnexpectedCharacter) {
  auto l = lex("a ` b \xc3\xa9 c");
  EXPECT_EQ(kinds(l), (std::vector<Tok>{Tok::kIdentifier, Tok::kError, Tok::kIdentifier,
                                        Tok::kError, Tok::kIdentifier, Tok::kEof}));
  ASSERT_EQ(l.codes.size(), 2u);
  EXPECT_EQ(l.codes[0], codes::kUnexpectedChar);
  EXPECT_EQ(l.spans[1].length, 2u);  // the whole UTF-8 sequence
}

TEST(Lexer, HexBodyKeepsTextAndBlanksComments) {
  std::string src = "{ AA ?? [2-4] // c }\n BB /* } */ (CC | DD) } x";
  std::vector<std::string> diags;
  Lexer lexer(src, 0, false, [&](Severity, const char* code, const Span&, std::string) {
    diags.emplace_back(code);
  });
  ASSERT_EQ(lexer.next().kind, Tok::kLBrace);
  Token body = lexer.hex_body();
  ASSERT_EQ(body.kind, Tok::kHexBody);
  EXPECT_EQ(body.value, " AA ?? [2-4]       \n BB         (CC | DD) ");
  EXPECT_EQ(body.value.size(), body.length);
  Token x = lexer.next();
  EXPECT_EQ(x.kind, Tok::kIdentifier);
  EXPECT_EQ(x.line, 2u);
  EXPECT_TRUE(diags.empty());

  Lexer open("{ AA BB", 0, false, [&](Severity, const char* code, const Span&, std::string) {
    diags.emplace_back(code);
  });
  open.next();
  EXPECT_EQ(open.hex_body().kind, Tok::kError);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0], codes::kUnterminatedHex);
}

}  // namespace
}  // namespace vigie::lang
