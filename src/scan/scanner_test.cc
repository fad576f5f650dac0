// End-to-end tests of the engine: source text through the Compiler, data through a Scanner.
#include "vigie/scanner.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "vigie/compiler.h"

namespace vigie {
namespace {

struct Collect : ScanCallback {
  std::vector<std::string> matched, not_matched, warnings, logs;
  std::vector<std::pair<std::string, std::vector<StringMatch>>> strings;
  std::string module_dump;
  CallbackAction on_rule_matching(const MatchedRule& r) override {
    matched.emplace_back(r.ns == "default" ? std::string(r.identifier)
                                           : std::string(r.ns) + ":" + std::string(r.identifier));
    for (const StringResult& s : r.strings)
      strings.emplace_back(std::string(s.identifier),
                           std::vector<StringMatch>(s.matches.begin(), s.matches.end()));
    return CallbackAction::kContinue;
  }
  CallbackAction on_rule_not_matching(const MatchedRule& r) override {
    not_matched.emplace_back(r.identifier);
    return CallbackAction::kContinue;
  }
  void on_warning(const ScanWarning& w) override { warnings.push_back(w.message); }
  void on_console_log(std::string_view m) override { logs.emplace_back(m); }
  void on_module_data(std::string_view, std::string_view dump) override { module_dump += dump; }
};

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::shared_ptr<const Rules> compile(const std::string& src, std::string* errors = nullptr) {
  Compiler c;
  c.add_source(src);
  auto rules = c.build();
  if (errors) {
    for (const Diagnostic& d : c.diagnostics()) *errors += d.format_short() + "\n";
  }
  return rules;
}

// Names of the rules of `src` that match `data`.
std::vector<std::string> scan(const std::string& src, const std::string& data) {
  std::string errors;
  auto rules = compile(src, &errors);
  EXPECT_TRUE(rules) << errors;
  if (!rules) return {"<compile error>"};
  Scanner s(rules);
  Collect c;
  Error e = s.scan_buffer(bytes(data), c);
  EXPECT_TRUE(e.ok()) << e.message;
  return c.matched;
}

bool matches(const std::string& condition, const std::string& data = "") {
  auto m = scan("rule r { condition: " + condition + " }", data);
  return m.size() == 1 && m[0] == "r";
}

using V = std::vector<std::string>;

TEST(Engine, BooleanAndArithmetic) {
  EXPECT_TRUE(matches("true"));
  EXPECT_FALSE(matches("false"));
  EXPECT_TRUE(matches("1 + 2 * 3 == 7"));
  EXPECT_TRUE(matches("(1 + 2) * 3 == 9"));
  EXPECT_TRUE(matches("7 \\ 2 == 3 and 7 % 2 == 1"));
  EXPECT_TRUE(matches("-3 \\ 2 == -1"));
  EXPECT_TRUE(matches("1.5 + 1 == 2.5"));
  EXPECT_TRUE(matches("3 \\ 2.0 == 1.5"));
  EXPECT_TRUE(matches("0x10 == 16 and 0o10 == 8 and 1KB == 1024 and 1MB == 1048576"));
  EXPECT_TRUE(matches("~0x01 == -2 and 1 << 4 == 16 and 256 >> 4 == 16"));
  EXPECT_TRUE(matches("(0xF0 & 0x3C) == 0x30 and (0xF0 | 0x0F) == 0xFF and (0xFF ^ 0x0F) == 0xF0"));
  EXPECT_TRUE(matches("1 << 64 == 0"));
  EXPECT_TRUE(matches("not false and (true or false)"));
  EXPECT_TRUE(matches("\"abc\" < \"abd\" and \"b\" > \"abc\""));
}

TEST(Engine, UndefinedValuesFollowYara) {
  // uint32(100) is undefined on 5 bytes of data.
  const std::string d = "hello";
  EXPECT_FALSE(matches("uint32(100) == 0 and true", d));
  EXPECT_TRUE(matches("not (uint32(100) == 0 and true)", d));
  EXPECT_TRUE(matches("uint32(100) == 0 or true", d));
  EXPECT_TRUE(matches("not (uint32(100) == 0 or false)", d));
  EXPECT_FALSE(matches("not (uint32(100) == 0)", d));
  EXPECT_FALSE(matches("uint32(100) != 5", d));
  EXPECT_TRUE(matches("not defined (uint32(100) == 0)", d));
  EXPECT_TRUE(matches("defined (uint32(100) == 0 and true)", d));
  EXPECT_FALSE(matches("defined (1 \\ (filesize - 5))", d));
  EXPECT_FALSE(matches("defined (1 % (filesize - 5))", d));
}

TEST(Engine, IntegerReaders) {
  const std::string d("\x4d\x5a\x90\x00\xff\xfe\x01\x02", 8);
  EXPECT_TRUE(matches("uint16(0) == 0x5a4d and uint16be(0) == 0x4d5a", d));
  EXPECT_TRUE(matches("uint8(4) == 255 and int8(4) == -1", d));
  EXPECT_TRUE(matches("int16(4) == -257 and uint32(4) == 0x0201feff", d));
  EXPECT_TRUE(matches("uint32be(4) == 0xfffe0102 and int32be(4) == -130814", d));
  EXPECT_FALSE(matches("defined uint32(5)", d));
  EXPECT_TRUE(matches("defined uint32(4) and filesize == 8", d));
}

TEST(Engine, StringsCountsOffsetsAndLengths) {
  const std::string r =
      "rule r { strings: $a = \"ab\" $b = \"zz\" condition: $a and not $b and #a == 3 and "
      "@a[1] == 0 and @a[3] == 6 and !a[2] == 2 and $a at 3 and $a in (4..6) and "
      "#a in (1..6) == 2 and not defined @a[4] and not ($a at 1) }";
  EXPECT_EQ(scan(r, "abxab_ab"), V{"r"});
}

TEST(Engine, OfAndForOf) {
  const std::string d = "one two three";
  auto rule = [](const std::string& cond) {
    // The trailing clause references every string (unused strings are errors) without changing
    // the result.
    return "rule r { strings: $a = \"one\" $b = \"two\" $c = \"four\" condition: (" + cond +
           ") and ($a or $b or $c or true) }";
  };
  EXPECT_EQ(scan(rule("any of them"), d), V{"r"});
  EXPECT_EQ(scan(rule("2 of them"), d), V{"r"});
  EXPECT_EQ(scan(rule("3 of them"), d), V{});
  EXPECT_EQ(scan(rule("all of ($a, $b)"), d), V{"r"});
  EXPECT_EQ(scan(rule("none of ($c)"), d), V{"r"});
  EXPECT_EQ(scan(rule("50% of them"), d), V{"r"});
  EXPECT_EQ(scan(rule("67% of them"), d), V{});
  EXPECT_EQ(scan(rule("any of them in (3..6)"), d), V{"r"});
  EXPECT_EQ(scan(rule("any of them in (5..6)"), d), V{});
  EXPECT_EQ(scan(rule("any of them at 4"), d), V{"r"});
  EXPECT_EQ(scan(rule("for any of them : ($ at 4)"), d), V{"r"});
  EXPECT_EQ(scan(rule("for all of ($a, $b) : (# == 1 and @ < 5 and ! == 3)"), d), V{"r"});
  EXPECT_EQ(scan(rule("for 2 of them : ($)"), d), V{"r"});
}

TEST(Engine, ForInLoops) {
  EXPECT_TRUE(matches("for any i in (1..3) : (i == 2)"));
  EXPECT_FALSE(matches("for all i in (1..3) : (i < 3)"));
  EXPECT_TRUE(matches("for 2 i in (1..3) : (i >= 2)"));
  EXPECT_TRUE(matches("for none i in (1..3) : (i > 3)"));
  EXPECT_TRUE(matches("for any s in (\"a\", \"b\") : (s == \"b\")"));
  EXPECT_TRUE(matches("for all i in (1, 2, 3) : (i > 0)"));
  // A loop over an empty or undefined range is false, whatever the quantifier.
  EXPECT_FALSE(matches("for all i in (5..filesize) : (false)"));
  EXPECT_FALSE(matches("for none i in (5..filesize) : (true)"));
  EXPECT_TRUE(matches("not for any i in (1..uint32(100)) : (true)"));
  // An undefined body counts as false.
  EXPECT_TRUE(matches("for none i in (1..2) : (uint32(100) == 0)"));
  EXPECT_TRUE(matches("for any i in (1..2) : (for any j in (i..3) : (j == 3 and i == 2))"));
}

TEST(Engine, RuleReferencesPrivateAndGlobalRules) {
  EXPECT_EQ(
      scan("private rule a { condition: true } rule b { condition: a } rule c { condition: not a }",
           ""),
      V{"b"});
  EXPECT_EQ(scan("rule a1 { condition: true } rule a2 { condition: false } "
                 "rule b { condition: any of (a*) } rule c { condition: all of (a1, a2) }",
                 ""),
            (V{"a1", "b"}));
  EXPECT_EQ(scan("global rule g { condition: filesize > 3 } rule x { condition: true }", "ab"),
            V{});
  EXPECT_EQ(scan("global rule g { condition: filesize > 1 } rule x { condition: true }", "ab"),
            (V{"g", "x"}));
  // A global rule that needs a string it did not find fails its namespace, unevaluated.
  EXPECT_EQ(
      scan("global rule g { strings: $a = \"zz\" condition: $a } rule x { condition: true }", "ab"),
      V{});
}

TEST(Engine, StringOperators) {
  EXPECT_TRUE(matches("\"hello world\" contains \"o w\""));
  EXPECT_TRUE(matches("\"Hello\" icontains \"ELL\" and \"Hello\" iequals \"hELLO\""));
  EXPECT_TRUE(matches("\"Hello\" startswith \"He\" and \"Hello\" istartswith \"hE\""));
  EXPECT_TRUE(matches("\"Hello\" endswith \"lo\" and \"Hello\" iendswith \"LO\""));
  EXPECT_FALSE(matches("\"Hello\" endswith \"xHello\""));
  EXPECT_TRUE(matches("\"Hello\" matches /^h.l+o$/i"));
  EXPECT_FALSE(matches("\"Hello\" matches /^h/"));
}

TEST(Engine, ExternalsDefaultAndOverride) {
  Compiler c;
  c.define_external("n", int64_t{5});
  c.define_external("name", std::string("abc.exe"));
  c.define_external("flag", true);
  c.define_external("ratio", 0.5);
  ASSERT_TRUE(c.add_source(
      "rule r { condition: n == 5 and name endswith \".exe\" and flag and ratio < 1.0 }"));
  auto rules = c.build();
  ASSERT_TRUE(rules);
  Scanner s(rules);
  Collect a;
  ASSERT_TRUE(s.scan_buffer(bytes(""), a).ok());
  EXPECT_EQ(a.matched, V{"r"});
  ASSERT_TRUE(s.set_external("n", int64_t{6}).ok());
  Collect b;
  ASSERT_TRUE(s.scan_buffer(bytes(""), b).ok());
  EXPECT_EQ(b.matched, V{});
  EXPECT_FALSE(s.set_external("n", std::string("x")).ok());
  EXPECT_FALSE(s.set_external("nope", int64_t{1}).ok());
  EXPECT_TRUE(s.set_external("ratio", int64_t{0}).ok());
}

TEST(Engine, NamespacesKeepRulesApart) {
  Compiler c;
  ASSERT_TRUE(c.add_source("rule r { condition: true }", "one"));
  ASSERT_TRUE(c.add_source("rule r { condition: true }", "two"));
  EXPECT_FALSE(c.add_source("rule r { condition: true }", "two"));
  EXPECT_EQ(c.error_count(), 1u);
}

TEST(Engine, TypeErrorsAreReportedWithLocation) {
  std::string errors;
  EXPECT_FALSE(compile("rule r {\n  condition:\n    \"a\" + 1 == 2\n}", &errors));
  EXPECT_NE(errors.find("<string>:3:"), std::string::npos) << errors;
  EXPECT_NE(errors.find("E500"), std::string::npos) << errors;
  errors.clear();
  EXPECT_FALSE(compile("rule r { condition: nothing_here }", &errors));
  EXPECT_NE(errors.find("undefined identifier \"nothing_here\""), std::string::npos) << errors;
  errors.clear();
  EXPECT_FALSE(compile("rule r { condition: 1 \\ 0 == 1 }", &errors));
  EXPECT_NE(errors.find("division by zero"), std::string::npos) << errors;
  errors.clear();
  EXPECT_FALSE(compile("import \"nonexistent\" rule r { condition: true }", &errors));
  EXPECT_NE(errors.find("unknown module"), std::string::npos) << errors;
}

TEST(Engine, DeepNestingIsAnErrorNotACrash) {
  std::string cond(5000, '(');
  cond += "true";
  cond += std::string(5000, ')');
  std::string errors;
  EXPECT_FALSE(compile("rule r { condition: " + cond + " }", &errors));
  EXPECT_FALSE(errors.empty());
}

TEST(Engine, TestsModuleFieldsArraysDictionariesAndFunctions) {
  const std::string pre = "import \"tests\" rule r { condition: ";
  auto ok = [&](const std::string& cond) {
    auto m = scan(pre + cond + " }", "");
    return m == V{"r"};
  };
  EXPECT_TRUE(ok("tests.constants.one + 1 == tests.constants.two"));
  EXPECT_TRUE(ok("tests.constants.foo == \"foo\""));
  EXPECT_TRUE(ok("tests.integer_array[1] == 1 and tests.integer_array[256] == 256"));
  EXPECT_TRUE(ok("not defined tests.integer_array[3] and not defined tests.integer_array[1000]"));
  EXPECT_TRUE(ok("tests.string_array[2] == \"baz\""));
  EXPECT_TRUE(ok("tests.string_dict[\"bar\"] == \"bar\" and not defined tests.string_dict[\"x\"]"));
  EXPECT_TRUE(ok("tests.struct_array[1].i == 1 and tests.struct_dict[\"foo\"].s == \"foo\""));
  EXPECT_TRUE(ok("tests.isum(1, 2) == 3 and tests.isum(1, 2, 3) == 6"));
  EXPECT_TRUE(ok("tests.fsum(1.5, 2.5) == 4.0 and tests.fsum(1, 2) == 3.0"));
  EXPECT_TRUE(ok("tests.length(\"abc\") == 3 and tests.empty() == \"\""));
  EXPECT_TRUE(ok("tests.match(/fo+/, \"xfoo\") == 1"));
  EXPECT_TRUE(ok("for any s in tests.string_array : (s == \"bar\")"));
  EXPECT_TRUE(ok("for any k, v in tests.string_dict : (k == \"foo\" and v == \"foo\")"));
  EXPECT_TRUE(ok("for all k, x in tests.struct_dict : (x.i == 1 and k == \"foo\")"));
  EXPECT_TRUE(ok("not defined tests.undefined.i"));
  std::string errors;
  EXPECT_FALSE(compile(pre + "tests.isum(\"a\") == 1 }", &errors));
  EXPECT_NE(errors.find("wrong arguments"), std::string::npos) << errors;
  errors.clear();
  EXPECT_FALSE(compile(pre + "tests.no_such_field == 1 }", &errors));
  EXPECT_NE(errors.find("unknown field"), std::string::npos) << errors;
  errors.clear();
  EXPECT_FALSE(compile("rule r { condition: tests.constants.one == 1 }", &errors));
  EXPECT_NE(errors.find("undefined identifier \"tests\""), std::string::npos) << errors;
}

TEST(Engine, BooleanArgumentsChooseBooleanOverloads) {
  EXPECT_EQ(scan("import \"math\" rule r { condition: math.to_number(1 == 1) == 1 and "
                 "math.to_number(false) == 0 }",
                 ""),
            V{"r"});
}

TEST(Engine, ModuleDataReachesModules) {
  Compiler c;
  ASSERT_TRUE(c.add_source("import \"tests\" rule r { condition: tests.module_data == \"xyz\" }"));
  auto rules = c.build();
  ASSERT_TRUE(rules);
  Scanner s(rules);
  std::string data = "xyz";
  ASSERT_TRUE(s.set_module_data("tests", bytes(data)).ok());
  Collect col;
  ASSERT_TRUE(s.scan_buffer(bytes(""), col).ok());
  EXPECT_EQ(col.matched, V{"r"});
}

TEST(Engine, ReportsNonMatchingRulesOnRequest) {
  auto rules = compile(
      "rule a { condition: true } rule b { condition: false } private rule c { condition: false }");
  ASSERT_TRUE(rules);
  ScanOptions o;
  o.report_non_matching = true;
  Scanner s(rules, o);
  Collect col;
  ASSERT_TRUE(s.scan_buffer(bytes(""), col).ok());
  EXPECT_EQ(col.matched, V{"a"});
  EXPECT_EQ(col.not_matched, V{"b"});
}

TEST(Engine, MatchDataAndMetadataReachTheCallback) {
  auto rules = compile(
      "rule r : t1 t2 { meta: author = \"me\" version = 3 ok = true "
      "strings: $a = \"needle\" $h = { 6E 65 } condition: $a and $h }");
  ASSERT_TRUE(rules);
  struct C : ScanCallback {
    std::string seen;
    CallbackAction on_rule_matching(const MatchedRule& r) override {
      seen += std::string(r.identifier) + " tags=" + std::to_string(r.tags.size()) +
              " metas=" + std::to_string(r.metas.size()) + " " + r.metas[0].string;
      for (const StringResult& s : r.strings) {
        seen += " " + std::string(s.identifier) + (s.is_hex ? "(hex)" : "");
        for (const StringMatch& m : s.matches)
          seen += "@" + std::to_string(m.offset) + ":" +
                  std::string(reinterpret_cast<const char*>(m.data.data()), m.data.size());
      }
      return CallbackAction::kContinue;
    }
  } col;
  Scanner s(rules);
  std::string data = "a needle";
  ASSERT_TRUE(s.scan_buffer(bytes(data), col).ok());
  EXPECT_EQ(col.seen, "r tags=2 metas=3 me $a@2:needle $h(hex)@2:ne");
}

TEST(Engine, StringsUsedOnlyAtOneOffsetKeepThatMatchAlone) {
  Collect a;
  auto rules = compile("rule r { strings: $a = \"ab\" $b = \"ab\" condition: $a at 3 and $b }");
  ASSERT_TRUE(rules);
  Scanner s(rules);
  ASSERT_TRUE(s.scan_buffer(bytes("ab ab ab"), a).ok());
  ASSERT_EQ(a.strings.size(), 2u);
  ASSERT_EQ(a.strings[0].second.size(), 1u);  // $a: only the match at 3
  EXPECT_EQ(a.strings[0].second[0].offset, 3u);
  EXPECT_EQ(a.strings[1].second.size(), 3u);  // $b: used otherwise, every match
}

TEST(Engine, TooManyMatchesWarnsAndGoesOn) {
  auto rules = compile("rule r { strings: $a = \"a\" condition: #a == 10 }");
  ASSERT_TRUE(rules);
  ScanOptions o;
  o.max_matches_per_string = 10;
  Scanner s(rules, o);
  Collect col;
  std::string data(100, 'a');
  ASSERT_TRUE(s.scan_buffer(bytes(data), col).ok());
  EXPECT_EQ(col.matched, V{"r"});
  ASSERT_EQ(col.warnings.size(), 1u);
  EXPECT_NE(col.warnings[0].find("too many matches"), std::string::npos);
}

TEST(Engine, FastModeStopsAtTheFirstMatchOfStringsNotCounted) {
  // As in YARA: a string only tested for presence stops at its first match; one the condition
  // counts keeps all of them.
  auto rules = compile(
      "rule r { strings: $a = \"ab\" $b = \"ab\" $c = \"ab\" condition: $a and #b == 3 and "
      "for any of ($c) : (# == 3) }");
  ASSERT_TRUE(rules);
  ScanOptions o;
  o.fast_mode = true;
  Scanner s(rules, o);
  Collect col;
  ASSERT_TRUE(s.scan_buffer(bytes("ab ab ab"), col).ok());
  EXPECT_EQ(col.matched, V{"r"});
  ASSERT_EQ(col.strings.size(), 3u);
  EXPECT_EQ(col.strings[0].second.size(), 1u);
  EXPECT_EQ(col.strings[1].second.size(), 3u);
  EXPECT_EQ(col.strings[2].second.size(), 3u);
}

TEST(Engine, TimeoutIsAnErrorValue) {
  auto rules = compile("rule r { condition: for all i in (0..100000000000) : (i >= 0) }");
  ASSERT_TRUE(rules);
  ScanOptions o;
  o.timeout = std::chrono::milliseconds(50);
  Scanner s(rules, o);
  Collect col;
  Error e = s.scan_buffer(bytes("x"), col);
  EXPECT_EQ(e.code, ErrorCode::kTimeout);
}

TEST(Engine, SaveAndLoadRoundTrip) {
  Compiler c;
  c.define_external("ext", int64_t{1});
  ASSERT_TRUE(c.add_source(
      "import \"tests\" rule a : tag { meta: m = \"v\" strings: $a = \"xyz\" nocase "
      "condition: $a and ext == 1 and tests.constants.one == 1 and \"abc\" matches /b/ }"));
  auto rules = c.build();
  ASSERT_TRUE(rules);
  std::string saved;
  ASSERT_TRUE(rules->save(saved).ok());
  Error err;
  auto loaded = Rules::load(bytes(saved), &err);
  ASSERT_TRUE(loaded) << err.message;
  EXPECT_EQ(loaded->rule_count(), 1u);
  EXPECT_EQ(loaded->rule(0).identifier, "a");
  Scanner s(loaded);
  Collect col;
  ASSERT_TRUE(s.scan_buffer(bytes("..XyZ.."), col).ok());
  EXPECT_EQ(col.matched, V{"a"});

  // Every byte flipped in turn: a clear error or a working rule set, never a crash.
  for (size_t k = 0; k < saved.size(); k += 7) {
    std::string bad = saved;
    bad[k] = static_cast<char>(bad[k] ^ 0x5a);
    Error e;
    auto r = Rules::load(bytes(bad), &e);
    EXPECT_FALSE(r) << "byte " << k;
    EXPECT_TRUE(e.code == ErrorCode::kCorruptRules || e.code == ErrorCode::kForeignRules) << k;
  }
  Error e;
  EXPECT_FALSE(Rules::load(bytes(saved.substr(0, saved.size() / 2)), &e));
  EXPECT_EQ(e.code, ErrorCode::kCorruptRules);
  EXPECT_FALSE(
      Rules::load(bytes(std::string("YARA\x0b\x00\x00\x00", 8) + std::string(100, 'x')), &e));
  EXPECT_EQ(e.code, ErrorCode::kForeignRules);
  EXPECT_NE(e.message.find("vigie-yarac"), std::string::npos);
}

TEST(Engine, RulesWithoutHitsAreNotEvaluatedButStillCorrect) {
  // Many rules that need a string plus one that does not.
  std::string src;
  for (int k = 0; k < 200; ++k)
    src += "rule r" + std::to_string(k) + " { strings: $a = \"token" + std::to_string(k) +
           "x\" condition: $a or #a > 2 }\n";
  src += "rule always { condition: filesize > 0 }\n";
  src += "rule never_without { strings: $a = \"zz\" condition: not $a }\n";
  auto m = scan(src, "token7x token150x");
  EXPECT_EQ(m, (V{"r7", "r150", "always", "never_without"}));
}

TEST(Engine, ScansTheMemoryOfAProcess) {
  // A small child process (a system shell, not this test: a sanitizer build of the test maps
  // terabytes of shadow memory) holding a marker built at run time in its arguments.
  std::string marker = "vigie-process-";
  for (int k = 0; k < 3; ++k) marker += "marker-";
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    dup2(ready[1], 1);
    execl("/bin/sh", "sh", "-c", "echo ready; while :; do sleep 1; done", marker.c_str(), nullptr);
    _exit(127);
  }
  close(ready[1]);
  char buf[8] = {};
  ASSERT_GT(read(ready[0], buf, sizeof buf), 0);  // the shell runs its loop
  close(ready[0]);
  auto rules = compile("rule r { strings: $a = \"" + marker +
                       "\" condition: $a and not defined filesize and uint8(@a[1]) == 0x76 }");
  ASSERT_TRUE(rules);
  Scanner s(rules);
  Collect col;
  Error e = s.scan_process(child, col);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  ASSERT_TRUE(e.ok()) << e.message;
  EXPECT_EQ(col.matched, V{"r"});
  ASSERT_FALSE(col.strings.empty());
  ASSERT_FALSE(col.strings[0].second.empty());
  const StringMatch& m = col.strings[0].second[0];
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(m.data.data()), m.data.size()), marker);
  EXPECT_EQ(s.scan_process(999999999, col).code, ErrorCode::kProcessAccess);
}

}  // namespace
}  // namespace vigie
