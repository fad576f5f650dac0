// Rules, metadata, strings and modifiers, imports and includes, rule-level checks and error
// recovery.
#include "lang/parser.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "lang/diag_codes.h"
#include "lang/diagnose.h"
#include "lang/parser_impl.h"

namespace vigie::lang {
namespace {

struct Parsed {
  bool ok = false;
  Program program;
  std::vector<Diagnostic> diags;
  std::vector<std::string> codes() const {
    std::vector<std::string> c;
    for (const auto& d : diags) c.push_back(d.code);
    return c;
  }
};

Parsed parse(const std::string& src, ParseOptions opts = {}, std::string origin = "<string>") {
  Parsed p;
  p.ok = parse_source(src, std::move(origin), opts, p.program, p.diags);
  return p;
}

using Codes = std::vector<std::string>;

TEST(Parser, RuleHeaderTagsAndMeta) {
  auto p = parse(R"(
import "pe"
import "math"
private global rule r1 : t1 t2 {
  meta:
    author = "me"
    version = 3
    negative = -0x10
    enabled = true
    disabled = false
  condition:
    true
}
global rule r2 { condition: false })");
  ASSERT_TRUE(p.ok) << (p.diags.empty() ? "" : p.diags[0].format());
  ASSERT_EQ(p.program.imports.size(), 2u);
  EXPECT_EQ(p.program.imports[1].module, "math");
  ASSERT_EQ(p.program.rules.size(), 2u);
  const Rule& r = p.program.rules[0];
  EXPECT_EQ(r.name, "r1");
  EXPECT_TRUE(r.is_private);
  EXPECT_TRUE(r.is_global);
  EXPECT_EQ(r.tags, (std::vector<std::string>{"t1", "t2"}));
  EXPECT_EQ(r.span.line, 4u);
  EXPECT_EQ(r.span.column, 21u);
  ASSERT_EQ(r.metas.size(), 5u);
  EXPECT_EQ(r.metas[0].type, MetaDecl::Type::kString);
  EXPECT_EQ(r.metas[0].string, "me");
  EXPECT_EQ(r.metas[1].integer, 3);
  EXPECT_EQ(r.metas[2].integer, -16);
  EXPECT_EQ(r.metas[3].type, MetaDecl::Type::kBoolean);
  EXPECT_TRUE(r.metas[3].boolean);
  EXPECT_FALSE(r.metas[4].boolean);
  EXPECT_FALSE(p.program.rules[1].is_private);
  EXPECT_TRUE(p.program.rules[1].is_global);
}

TEST(Parser, StringsAndModifiers) {
  auto p = parse(R"(rule r {
  strings:
    $t = "text\x00" nocase wide ascii fullword private
    $h = { 4D 5A ?? [2-4] ( 90 | CC ) }
    $re = /ab+c/is
    $x1 = "x" xor
    $x2 = "x" xor(7)
    $x3 = "x" xor(0x01-0x1F)
    $b1 = "bbb" base64
    $b2 = "bbb" base64wide("!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`")
    $ = "anon"
    $ = "anon2"
  condition:
    any of them
})");
  ASSERT_TRUE(p.ok) << (p.diags.empty() ? "" : p.diags[0].format());
  const auto& s = p.program.rules.at(0).strings;
  ASSERT_EQ(s.size(), 10u);
  EXPECT_EQ(s[0].identifier, "$t");
  EXPECT_EQ(s[0].value, std::string("text\0", 5));
  EXPECT_TRUE(s[0].modifiers.nocase && s[0].modifiers.wide && s[0].modifiers.ascii &&
              s[0].modifiers.fullword && s[0].modifiers.is_private);
  EXPECT_EQ(s[1].kind, StringKind::kHex);
  EXPECT_EQ(s[1].value, " 4D 5A ?? [2-4] ( 90 | CC ) ");
  EXPECT_EQ(s[1].value_span.line, 4u);
  EXPECT_EQ(s[1].value_span.column, 11u);
  EXPECT_EQ(s[2].kind, StringKind::kRegex);
  EXPECT_EQ(s[2].value, "ab+c");
  EXPECT_EQ(s[2].regex_flags, kRegexNocase | kRegexDotAll);
  EXPECT_EQ(s[2].value_span.column, 12u);
  EXPECT_TRUE(s[3].modifiers.xor_);
  EXPECT_EQ(s[3].modifiers.xor_min, 0);
  EXPECT_EQ(s[3].modifiers.xor_max, 255);
  EXPECT_EQ(s[4].modifiers.xor_min, 7);
  EXPECT_EQ(s[4].modifiers.xor_max, 7);
  EXPECT_EQ(s[5].modifiers.xor_min, 1);
  EXPECT_EQ(s[5].modifiers.xor_max, 31);
  EXPECT_TRUE(s[6].modifiers.base64);
  EXPECT_TRUE(s[6].modifiers.base64_alphabet.empty());
  EXPECT_TRUE(s[7].modifiers.base64wide);
  EXPECT_EQ(s[7].modifiers.base64wide_alphabet.size(), 64u);
  EXPECT_EQ(s[8].identifier, "$");
  // The declaration's span runs from the identifier to its last modifier.
  EXPECT_EQ(s[0].span.column, 5u);
  EXPECT_EQ(s[0].span.length,
            std::string("$t = \"text\\x00\" nocase wide ascii fullword private").size());
}

Codes string_errors(const std::string& decl) {
  auto p = parse("rule r { strings: $a = " + decl + " condition: $a }");
  return p.codes();
}

TEST(Parser, ModifierChecks) {
  EXPECT_EQ(string_errors("\"a\" xor nocase"), Codes{codes::kInvalidModifiers});
  EXPECT_EQ(string_errors("\"abc\" base64 nocase"), Codes{codes::kInvalidModifiers});
  EXPECT_EQ(string_errors("\"abc\" base64 xor"), Codes{codes::kInvalidModifiers});
  EXPECT_EQ(string_errors("\"abc\" base64wide fullword"), Codes{codes::kInvalidModifiers});
  EXPECT_EQ(string_errors("\"abc\" base64 base64wide wide ascii private"), Codes{});
  EXPECT_EQ(string_errors("\"a\" nocase nocase"), Codes{codes::kDuplicateModifier});
  EXPECT_EQ(string_errors("{ AA } wide"), Codes{codes::kInvalidModifiers});
  EXPECT_EQ(string_errors("{ AA } private"), Codes{});
  EXPECT_EQ(string_errors("/a/ xor"), Codes{codes::kInvalidModifiers});
  EXPECT_EQ(string_errors("/a/ base64"), Codes{codes::kInvalidModifiers});
  EXPECT_EQ(string_errors("/a/ nocase wide ascii fullword private"), Codes{});
  EXPECT_EQ(string_errors("\"a\" xor(3-1)"), Codes{codes::kInvalidXorRange});
  EXPECT_EQ(string_errors("\"a\" xor(256)"), Codes{codes::kInvalidXorRange});
  EXPECT_EQ(string_errors("\"a\" xor(1-300)"), Codes{codes::kInvalidXorRange});
  EXPECT_EQ(string_errors("\"a\" xor(-1)"), Codes{codes::kSyntax});
  EXPECT_EQ(string_errors("\"a\" base64(\"abc\")"), Codes{codes::kInvalidBase64Alphabet});
  EXPECT_EQ(string_errors("\"\""), Codes{codes::kEmptyString});
  EXPECT_EQ(string_errors("\"abc\" base64(\"" + std::string(64, 'A') + "\") base64wide"),
            Codes{codes::kInvalidModifiers});
  // No argument means the standard alphabet, which may also be spelt out.
  EXPECT_EQ(string_errors("\"abc\" base64wide base64(\"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
                          "qrstuvwxyz0123456789+/\")"),
            Codes{});
  EXPECT_EQ(string_errors("\"abc\" base64(\"" + std::string(64, 'A') + "\") base64wide(\"" +
                          std::string(64, 'A') + "\")"),
            Codes{});
  EXPECT_EQ(string_errors("\"caf\xc3\xa9\""), Codes{codes::kNonAscii});  // a warning
  EXPECT_EQ(string_errors("\"caf\\xc3\\xa9\""), Codes{});
  EXPECT_EQ(string_errors("{ }"), Codes{codes::kEmptyHexString});
  EXPECT_EQ(string_errors("{ AA condition: $a"), Codes{codes::kBadHexChar});
  EXPECT_EQ(parse("rule r { strings: $a = { AA").codes(), Codes{codes::kUnterminatedHex});
}

TEST(Parser, StringReferenceChecks) {
  auto codes_of = [](const std::string& strings, const std::string& cond) {
    return parse("rule r { strings: " + strings + " condition: " + cond + " }").codes();
  };
  EXPECT_EQ(codes_of("$a = \"a\"", "$a and $b"), Codes{codes::kUndefinedString});
  EXPECT_EQ(codes_of("$a = \"a\"", "$a and #b > 0"), Codes{codes::kUndefinedString});
  EXPECT_EQ(codes_of("$a = \"a\"", "$a and @b[1] > 0 and !c > 0"),
            (Codes{codes::kUndefinedString, codes::kUndefinedString}));
  EXPECT_EQ(codes_of("$a = \"a\"", "$a and any of ($b*)"), Codes{codes::kUndefinedString});
  EXPECT_EQ(codes_of("$a1 = \"a\" $a2 = \"b\"", "any of ($a*)"), Codes{});
  EXPECT_EQ(codes_of("$a = \"a\" $b = \"b\"", "$a"), Codes{codes::kUnreferencedString});
  EXPECT_EQ(codes_of("$ = \"a\"", "true"), Codes{codes::kUnreferencedString});
  EXPECT_EQ(codes_of("$ = \"a\" $ = \"b\"", "all of ($*)"), Codes{});
  EXPECT_EQ(codes_of("$a = \"a\" $a = \"b\"", "$a"), Codes{codes::kDuplicateString});
  EXPECT_EQ(codes_of("$a = \"a\"", "for any of ($a) : ($)"), Codes{});
  EXPECT_EQ(codes_of("$a = \"a\" $_b = \"b\"", "$a"), Codes{});  // $_ need not be used
  EXPECT_EQ(codes_of("$_ = \"b\"", "true"), Codes{});
  EXPECT_EQ(parse("rule r { condition: any of them }").codes(), Codes{codes::kUndefinedString});
  EXPECT_EQ(parse("rule r { condition: $a }").codes(), Codes{codes::kUndefinedString});
  EXPECT_EQ(parse("rule r : a b a { condition: true }").codes(), Codes{codes::kDuplicateTag});
}

TEST(Parser, DiagnosticsNameTheCause) {
  auto p = parse("rule r {\n  strings:\n    $a = \"a\"\n  condition:\n    $a and $b\n}");
  ASSERT_EQ(p.diags.size(), 1u);
  EXPECT_EQ(p.diags[0].format(),
            "<string>:5:12: error[E302]: string \"$b\" is not defined\n"
            " 5 |     $a and $b\n"
            "   |            ^~\n");
  EXPECT_EQ(p.diags[0].rule, "r");
  auto q = parse("rule r { condition: true and and }");
  ASSERT_EQ(q.diags.size(), 1u);
  EXPECT_EQ(q.diags[0].message,
            "unexpected \"and\", expected a string, a number, an identifier or \"(\"");
  auto u = parse("rule r { strings: $a = \"x\" condition: true }");
  ASSERT_EQ(u.diags.size(), 1u);
  EXPECT_EQ(u.diags[0].message, "string \"$a\" is not used in the condition");
}

TEST(Parser, RecoveryReportsEveryBrokenRule) {
  auto p = parse(R"(
rule ok1 { condition: true }
rule bad1 { condition: 1 + }
rule ok2 { condition: true }
rule bad2 { strings: $a = "x" $a = "y" condition: $a }
private rule ok3 { condition: true }
rule bad3 { condition: for }
import "pe"
rule ok4 { strings: $a = "x" private condition: $a }
rule bad4 ( condition: true }
global rule ok5 { condition: true }
)");
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.codes(),
            (Codes{codes::kSyntax, codes::kDuplicateString, codes::kSyntax, codes::kSyntax}));
  std::vector<std::string> names;
  for (const auto& r : p.program.rules) names.push_back(r.name);
  EXPECT_EQ(names, (std::vector<std::string>{"ok1", "ok2", "ok3", "ok4", "ok5"}));
  EXPECT_EQ(p.program.imports.size(), 1u);
  EXPECT_EQ(p.diags[0].location.line, 3u);
  EXPECT_EQ(p.diags[2].location.line, 7u);
  EXPECT_EQ(p.diags[3].location.line, 10u);
}

TEST(Parser, LexicalErrorsDoNotCascade) {
  auto p = parse("rule a { condition: ` }\nrule b { condition: true }\nrule c { condition: ` }");
  EXPECT_EQ(p.codes(), (Codes{codes::kUnexpectedChar, codes::kUnexpectedChar}));
  ASSERT_EQ(p.program.rules.size(), 1u);
  EXPECT_EQ(p.program.rules[0].name, "b");
}

TEST(Parser, DiagnosticsAreBounded) {
  std::string src;
  for (int i = 0; i < 3000; ++i) src += "rule r" + std::to_string(i) + " { condition: $x }\n";
  auto p = parse(src);
  EXPECT_FALSE(p.ok);
  ASSERT_EQ(p.diags.size(), kMaxDiagnostics + 1);
  EXPECT_EQ(p.diags.back().code, codes::kTooManyErrors);
  EXPECT_EQ(p.diags.back().location.line, 1001u);
}

TEST(Parser, HugeLinesAreNotCopiedIntoEveryDiagnostic) {
  std::string src = "rule a { strings: $a = \"x\" condition: " + std::string(5000, ' ') +
                    "$a and $b and" + std::string(5000, ' ') + "$c }";
  src = "rule z { condition: $q }" + std::string(10, ' ') + src;
  auto p = parse(src);
  ASSERT_EQ(p.codes(),
            (Codes{codes::kUndefinedString, codes::kUndefinedString, codes::kUndefinedString}));
  EXPECT_EQ(p.diags[0].source_line.size(), 1024u + 4);  // cut, with " ..."
  EXPECT_EQ(p.diags[0].source_line.substr(1024), " ...");
  EXPECT_TRUE(p.diags[1].source_line.empty());  // beyond the kept start
  EXPECT_EQ(p.diags[1].location.column, 5080u);
  EXPECT_NE(p.diags[0].format().find("^~"), std::string::npos);
}

TEST(Parser, TopLevelGarbage) {
  auto p = parse("foo bar\nrule a { condition: true }");
  EXPECT_EQ(p.codes(), Codes{codes::kSyntax});
  EXPECT_EQ(p.diags[0].message, "unexpected \"foo\", expected \"rule\", \"import\" or \"include\"");
  EXPECT_EQ(p.program.rules.size(), 1u);
  EXPECT_EQ(parse("rule a { }").codes(), Codes{codes::kSyntax});
  EXPECT_EQ(parse("rule a { meta: condition: true }").codes(), Codes{codes::kSyntax});
  EXPECT_EQ(parse("rule a { strings: condition: true }").codes(), Codes{codes::kSyntax});
  EXPECT_EQ(parse("rule a { strings: $a = \"a\" meta: x = 1 condition: $a }").codes(),
            Codes{codes::kSyntax});
  EXPECT_EQ(parse("rule condition { condition: true }").codes(), Codes{codes::kSyntax});
}

class IncludeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigie_lang_include_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "sub");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::filesystem::path dir_;
};

TEST_F(IncludeTest, IncludesAreRelativeToTheIncludingFile) {
  write("main.yar", "include \"sub/a.yar\"\nrule main { condition: a }");
  write("sub/a.yar", "import \"pe\"\ninclude \"b.yar\"\nrule a { condition: b }");
  write("sub/b.yar", "rule b { condition: true }");
  Program p;
  std::vector<Diagnostic> d;
  ASSERT_TRUE(parse_file(dir_ / "main.yar", {}, p, d)) << (d.empty() ? "" : d[0].format());
  ASSERT_EQ(p.rules.size(), 3u);
  EXPECT_EQ(p.rules[0].name, "b");
  EXPECT_EQ(p.rules[1].name, "a");
  EXPECT_EQ(p.rules[2].name, "main");
  EXPECT_EQ(p.files.size(), 3u);
  EXPECT_EQ(p.rules[0].span.file, 2u);
  EXPECT_EQ(p.imports.size(), 1u);
}

TEST_F(IncludeTest, MissingFileIsNamed) {
  write("main.yar",
        "include \"nothere.yar\"\nrule main { condition: true }\nrule x { condition: }");
  Program p;
  std::vector<Diagnostic> d;
  EXPECT_FALSE(parse_file(dir_ / "main.yar", {}, p, d));
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].code, codes::kIncludeOpen);
  EXPECT_NE(d[0].message.find("nothere.yar"), std::string::npos);
  EXPECT_EQ(d[0].location.line, 1u);
  EXPECT_EQ(d[1].code, codes::kSyntax);
  EXPECT_EQ(p.rules.size(), 1u);
}

TEST_F(IncludeTest, CyclesAreDetected) {
  write("a.yar", "include \"sub/b.yar\"\nrule a { condition: true }");
  write("sub/b.yar", "include \"../a.yar\"\nrule b { condition: true }");
  Program p;
  std::vector<Diagnostic> d;
  EXPECT_FALSE(parse_file(dir_ / "a.yar", {}, p, d));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].code, codes::kIncludeCycle);
  write("self.yar", "include \"self.yar\"");
  d.clear();
  EXPECT_FALSE(parse_file(dir_ / "self.yar", {}, p, d));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].code, codes::kIncludeCycle);
}

TEST_F(IncludeTest, DisallowedIncludes) {
  write("a.yar", "rule a { condition: true }");
  ParseOptions opts;
  opts.allow_includes = false;
  Program p;
  std::vector<Diagnostic> d;
  std::string src = "include \"" + (dir_ / "a.yar").string() + "\"\nrule b { condition: true }";
  EXPECT_FALSE(parse_source(src, "<string>", opts, p, d));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].code, codes::kIncludesDisabled);
  d.clear();
  Program q;
  EXPECT_TRUE(parse_source(src, "<string>", {}, q, d));
  EXPECT_EQ(q.rules.size(), 2u);
}

TEST_F(IncludeTest, RelativeToTheCurrentDirectoryForStrings) {
  write("sub/c.yar", "rule c { condition: true }");
  auto saved = std::filesystem::current_path();
  std::filesystem::current_path(dir_);
  Program p;
  std::vector<Diagnostic> d;
  bool ok = parse_source("include \"sub/c.yar\"", "<string>", {}, p, d);
  std::filesystem::current_path(saved);
  EXPECT_TRUE(ok);
  ASSERT_EQ(p.rules.size(), 1u);
  EXPECT_EQ(p.files[1].path, "sub/c.yar");
}

TEST_F(IncludeTest, SpecialFilesAreRefused) {
  Program p;
  std::vector<Diagnostic> d;
  EXPECT_FALSE(parse_source("include \"/dev/zero\"", "<string>", {}, p, d));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].code, codes::kIncludeOpen);
  EXPECT_NE(d[0].message.find("not a regular file"), std::string::npos);
  d.clear();
  EXPECT_FALSE(parse_file(dir_, {}, p, d));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].message.find("directory"), std::string::npos);
}

TEST_F(IncludeTest, DiamondIncludesAreBounded) {
  // Each level includes the next twice: 2^15 inclusions without the bound.
  for (int i = 0; i < 15; ++i)
    write("l" + std::to_string(i) + ".yar", "include \"l" + std::to_string(i + 1) +
                                                ".yar\"\ninclude \"l" + std::to_string(i + 1) +
                                                ".yar\"\n");
  write("l15.yar", "import \"pe\"\n");
  Program p;
  std::vector<Diagnostic> d;
  EXPECT_FALSE(parse_file(dir_ / "l0.yar", {}, p, d));
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0].code, codes::kTooManyIncludes);
  EXPECT_LE(p.files.size(), 4097u);
}

TEST_F(IncludeTest, MissingRuleFile) {
  Program p;
  std::vector<Diagnostic> d;
  EXPECT_FALSE(parse_file(dir_ / "absent.yar", {}, p, d));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].code, codes::kFileOpen);
  EXPECT_NE(d[0].message.find("absent.yar"), std::string::npos);
}

TEST(Diagnose, DiagnosticAtTakesTheSourceLine) {
  Program p;
  p.files.push_back({"f.yar", "line one\n  second line\r\nthird"});
  Span s{0, 11, 6, 2, 3};
  Diagnostic d = diagnostic_at(p, s, Severity::kWarning, "W900", "msg");
  EXPECT_EQ(d.location.file, "f.yar");
  EXPECT_EQ(d.source_line, "  second line");
  EXPECT_EQ(d.span_length, 6u);
  EXPECT_EQ(d.format(), "f.yar:2:3: warning[W900]: msg\n 2 |   second line\n   |   ^~~~~~\n");
  Span last{0, 29, 100, 3, 5};
  EXPECT_EQ(diagnostic_at(p, last, Severity::kError, "E1", "m").span_length, 1u);
  Span bad{7, 0, 1, 1, 1};
  EXPECT_EQ(diagnostic_at(p, bad, Severity::kError, "E1", "m").location.line, 0u);
}

}  // namespace
}  // namespace vigie::lang
