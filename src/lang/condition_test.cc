// The condition grammar: each construct parses to the expected AST shape (rendered with
// dump_expr), precedence follows YARA's table, and what YARA rejects is rejected.
#include <gtest/gtest.h>
#include <pthread.h>

#include <string>
#include <vector>

#include "lang/ast_dump.h"
#include "lang/diag_codes.h"
#include "lang/parser.h"

namespace vigie::lang {
namespace {

// Parses `cond` as the condition of a rule that declares $a, $b and $c (kept referenced by an
// `any of them` conjunct, stripped from the result). Returns the condition's dump, or the codes
// of the errors.
std::string cond(const std::string& text) {
  Program p;
  std::vector<Diagnostic> d;
  std::string src =
      "rule r { strings: $a = \"a\" $b = \"b\" $c = \"c\" condition: any of them and (" + text +
      ") }";
  bool ok = parse_source(src, "<string>", {}, p, d);
  if (!ok) {
    std::string out = "error";
    for (const auto& x : d) out += " " + x.code;
    return out;
  }
  if (p.rules.size() != 1) return "no rule";
  std::string all = dump_expr(p, p.rules[0].condition);
  const std::string prefix = "(and (of any them) ";
  if (all.rfind(prefix, 0) != 0) return "unexpected shape: " + all;
  return all.substr(prefix.size(), all.size() - prefix.size() - 1);
}

TEST(Condition, Literals) {
  EXPECT_EQ(cond("true"), "true");
  EXPECT_EQ(cond("filesize > 10KB"), "(gt filesize 10240)");
  EXPECT_EQ(cond("entrypoint == 0x10"), "(eq entrypoint 16)");
  EXPECT_EQ(cond("x == 1.5"), "(eq x 1.5)");
  EXPECT_EQ(cond("x == \"s\\x41\""), "(eq x \"sA\")");
  EXPECT_EQ(cond("x matches /ab+c/is"), "(matches x /ab+c/is)");
}

TEST(Condition, Precedence) {
  EXPECT_EQ(cond("$a or $b and $c"), "(or $a (and $b $c))");
  EXPECT_EQ(cond("not $a and $b"), "(and (not $a) $b)");
  EXPECT_EQ(cond("not x == 1"), "(not (eq x 1))");
  EXPECT_EQ(cond("1 + 2 * 3 == 7"), "(eq (add 1 (mul 2 3)) 7)");
  EXPECT_EQ(cond("1 - 2 - 3 == 0"), "(eq (sub (sub 1 2) 3) 0)");
  EXPECT_EQ(cond("1 | 2 ^ 3 & 4 << 5 + 6 == 0"),
            "(eq (bitor 1 (bitxor 2 (bitand 3 (shl 4 (add 5 6))))) 0)");
  EXPECT_EQ(cond("8 \\ 2 % 3 == 1"), "(eq (mod (div 8 2) 3) 1)");
  EXPECT_EQ(cond("-x + ~y == 0"), "(eq (add (neg x) (bitnot y)) 0)");
  EXPECT_EQ(cond("(1 + 2) * 3 > 5"), "(gt (mul (add 1 2) 3) 5)");
  EXPECT_EQ(cond("($a or $b) and $c"), "(and (or $a $b) $c)");
  EXPECT_EQ(cond("x < 1 == y > 2"), "error E101");
  EXPECT_EQ(cond("defined x.y and $a"), "(and (defined (field x y)) $a)");
}

TEST(Condition, YaraRejectsBooleanOperands) {
  EXPECT_EQ(cond("1 < 2 < 3"), "error E101");
  EXPECT_EQ(cond("$a == true"), "error E101");
  EXPECT_EQ(cond("(1 < 2) == true"), "error E101");
  EXPECT_EQ(cond("1 + $a"), "error E101");
  EXPECT_EQ(cond("-$a"), "error E101");
}

TEST(Condition, StringOperators) {
  EXPECT_EQ(cond("x contains \"a\" and x icontains \"b\""),
            "(and (contains x \"a\") (icontains x \"b\"))");
  EXPECT_EQ(cond("x startswith \"a\" or x istartswith \"b\""),
            "(or (startswith x \"a\") (istartswith x \"b\"))");
  EXPECT_EQ(cond("x endswith \"a\" or x iendswith \"b\" or x iequals \"c\""),
            "(or (or (endswith x \"a\") (iendswith x \"b\")) (iequals x \"c\"))");
  EXPECT_EQ(cond("x matches \"a\""), "error E101");
}

TEST(Condition, StringReferences) {
  EXPECT_EQ(cond("$a at 100 + 1"), "(at $a (add 100 1))");
  EXPECT_EQ(cond("$a in (0..filesize - 1)"), "(in $a (range 0 (sub filesize 1)))");
  EXPECT_EQ(cond("#a == 2"), "(eq (count $a) 2)");
  EXPECT_EQ(cond("#a in (0..100) > 1"), "(gt (count $a (range 0 100)) 1)");
  EXPECT_EQ(cond("@a[2] == !b[1] and @a == !b"),
            "(and (eq (offset $a 2) (length $b 1)) (eq (offset $a) (length $b)))");
}

TEST(Condition, IntReadsFieldsCallsIndexes) {
  EXPECT_EQ(cond("uint16(0) == 0x5A4D and uint32be(@a[1] + 4) != 0"),
            "(and (eq (uint16 0) 23117) (ne (uint32be (add (offset $a 1) 4)) 0))");
  EXPECT_EQ(cond("int8(0) < int16be(1) + int32(2)"), "(lt (int8 0) (add (int16be 1) (int32 2)))");
  EXPECT_EQ(cond("pe.sections[1].name == \".text\""),
            "(eq (field (index (field pe sections) 1) name) \".text\")");
  EXPECT_EQ(
      cond("pe.exports(\"x\") and math.entropy(0, filesize) > 7.5"),
      "(and (call (field pe exports) \"x\") (gt (call (field math entropy) 0 filesize) 7.5))");
  EXPECT_EQ(cond("pe.imports(/kernel32/i, \"a\")"), "(call (field pe imports) /kernel32/i \"a\")");
  EXPECT_EQ(cond("d[\"k\"] == f()"), "(eq (index d \"k\") (call f))");
}

TEST(Condition, Of) {
  EXPECT_EQ(cond("all of them"), "(of all them)");
  EXPECT_EQ(cond("none of ($a, $b*)"), "(of none (strings $a $b*))");
  EXPECT_EQ(cond("2 of ($*)"), "(of 2 (strings $*))");
  EXPECT_EQ(cond("1 + 1 of them"), "(of (add 1 1) them)");
  EXPECT_EQ(cond("50% of them"), "(of (percent 50) them)");
  EXPECT_EQ(cond("x % 2 == 0"), "(eq (mod x 2) 0)");
  EXPECT_EQ(cond("any of them in (0..100)"), "(of any them in (range 0 100))");
  EXPECT_EQ(cond("any of ($a, $b) at 0"), "(of any (strings $a $b) at 0)");
  EXPECT_EQ(cond("any of (r1, r2*)"), "(of any (rules r1 r2*))");
  EXPECT_EQ(cond("any of (true, $a, x > 1)"), "(of any (exprs true $a (gt x 1)))");
  EXPECT_EQ(cond("any of ($a, true)"), "(of any (exprs $a true))");
  EXPECT_EQ(cond("not 2 of them"), "(not (of 2 them))");
  EXPECT_EQ(cond("x < 2 of them"), "error E101");
  EXPECT_EQ(cond("200% of them"), "error E103");
  EXPECT_EQ(cond("any of ($a*, true)"), "error E101");
}

TEST(Condition, For) {
  EXPECT_EQ(cond("for any of ($a, $b) : ($ at 0)"), "(for any of (strings $a $b) (at $ 0))");
  EXPECT_EQ(cond("for all of them : (# > 1 and @[1] < 10 and ![1] == 3 and @ > 0 and ! > 0)"),
            "(for all of them (and (and (and (and (gt (count $) 1) (lt (offset $ 1) 10)) "
            "(eq (length $ 1) 3)) (gt (offset $) 0)) (gt (length $) 0)))");
  EXPECT_EQ(cond("for 2 of them : ($)"), "(for 2 of them $)");
  EXPECT_EQ(cond("for any i in (1..#a) : (@a[i] > 0)"),
            "(for any i in (range 1 (count $a)) (gt (offset $a i) 0))");
  EXPECT_EQ(cond("for all s in (\"a\", \"b\") : (x contains s)"),
            "(for all s in (enum \"a\" \"b\") (contains x s))");
  EXPECT_EQ(cond("for none k, v in d : (v == 1)"), "(for none k v in d (eq v 1))");
  EXPECT_EQ(cond("for 3 s in pe.sections : (s.name == \"x\")"),
            "(for 3 s in (field pe sections) (eq (field s name) \"x\"))");
  EXPECT_EQ(cond("for any i in (0..2) : (for any of them : ($ at i))"),
            "(for any i in (range 0 2) (for any of them (at $ i)))");
}

TEST(Condition, ForChecks) {
  EXPECT_EQ(cond("for any of them : (for any of ($a) : ($))"), "error E312");
  EXPECT_EQ(cond("for any i, j in (1..2) : (true)"), "error E313");
  EXPECT_EQ(cond("for any i, j in (1, 2) : (true)"), "error E313");
  EXPECT_EQ(cond("for any k, v in d : (true)"), "(for any k v in d true)");
  EXPECT_EQ(cond("for any i in 5 : (true)"), "error E101");
  EXPECT_EQ(cond("for any i in (true, 1) : (true)"), "error E101");
  EXPECT_EQ(cond("for any i in f(1)[2] : (true)"), "(for any i in (index (call f 1) 2) true)");
}

TEST(Condition, AnonymousOutsideForOf) {
  EXPECT_EQ(cond("$"), "error E304");
  EXPECT_EQ(cond("# > 0"), "error E304");
  EXPECT_EQ(cond("for any i in (0..1) : (@[i] > 0)"), "error E304");
}

TEST(Condition, SyntaxErrors) {
  EXPECT_EQ(cond("and"), "error E101");
  EXPECT_EQ(cond("$a and"), "error E101");
  EXPECT_EQ(cond("(1 + 2"), "error E101");
  EXPECT_EQ(cond("x matches"), "error E101");
  EXPECT_EQ(cond("any of"), "error E101");
  EXPECT_EQ(cond("for any of them ($)"), "error E101");
  EXPECT_EQ(cond("for any of (r1) : (true)"), "error E101");
  EXPECT_EQ(cond("$a*"), "error E101");
}

// Spans cover the whole construct, so the compiler can underline an operand or a whole loop.
TEST(Condition, SpansCoverTheirText) {
  Program p;
  std::vector<Diagnostic> d;
  const std::string src =
      "rule r { strings: $a = \"a\" condition:\n  (uint16(0) + 2) * 3 == 4 and\n"
      "  for any i in (1..#a) : (@a[i] > 0) and pe.x[1](2) }";
  ASSERT_TRUE(parse_source(src, "<string>", {}, p, d));
  auto text_of = [&](ExprId id) {
    const Span& s = p.exprs[id].span;
    return src.substr(s.offset, s.length);
  };
  const Expr& root = p.exprs[p.rules[0].condition];
  ASSERT_EQ(root.kind, ExprKind::kAnd);
  const Expr& left = p.exprs[root.a];
  ASSERT_EQ(left.kind, ExprKind::kAnd);
  EXPECT_EQ(text_of(left.a), "(uint16(0) + 2) * 3 == 4");
  EXPECT_EQ(text_of(p.exprs[left.a].a), "(uint16(0) + 2) * 3");
  EXPECT_EQ(text_of(p.exprs[p.exprs[left.a].a].a), "(uint16(0) + 2)");
  EXPECT_EQ(text_of(left.b), "for any i in (1..#a) : (@a[i] > 0)");
  EXPECT_EQ(text_of(p.exprs[left.b].a), "(1..#a)");
  EXPECT_EQ(text_of(root.b), "pe.x[1](2)");
  EXPECT_EQ(p.exprs[left.b].span.line, 3u);
  EXPECT_EQ(p.exprs[left.b].span.column, 3u);
}

TEST(Condition, DepthLimit) {
  ParseOptions opts;
  opts.max_depth = 50;
  auto parse = [&](const std::string& c) {
    Program p;
    std::vector<Diagnostic> d;
    bool ok = parse_source("rule r { condition: " + c + " }", "<string>", opts, p, d);
    return ok ? std::string("ok") : d.empty() ? std::string("?") : d[0].code;
  };
  EXPECT_EQ(parse(std::string(40, '(') + "true" + std::string(40, ')')), "ok");
  EXPECT_EQ(parse(std::string(60, '(') + "true" + std::string(60, ')')), codes::kTooDeep);
  std::string nots;
  for (int i = 0; i < 60; ++i) nots += "not ";
  EXPECT_EQ(parse(nots + "true"), codes::kTooDeep);
  // The default limit holds against input far deeper than any stack.
  Program p;
  std::vector<Diagnostic> d;
  std::string deep = std::string(200000, '(') + "true" + std::string(200000, ')');
  EXPECT_FALSE(parse_source("rule r { condition: " + deep + " }", "<string>", {}, p, d));
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0].code, codes::kTooDeep);
  std::string minus(200000, '-');
  d.clear();
  EXPECT_FALSE(parse_source("rule r { condition: " + minus + "1 }", "<string>", {}, p, d));
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0].code, codes::kTooDeep);
}

// The parse does not depend on the caller's stack: 1999 levels (just under the default limit)
// parse from a thread with a 256 KB stack, which could not hold them.
TEST(Condition, DeepNestingFromASmallStack) {
  struct Job {
    std::string src;
    bool ok = false;
    size_t diags = 0;
  } job;
  job.src = "rule r { condition: " + std::string(1999, '(') + "true" + std::string(1999, ')') +
            " and " + std::string(1990, '-') + "1 == 1 }";
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, 256 * 1024), 0);
  pthread_t t;
  auto run = [](void* arg) -> void* {
    auto* j = static_cast<Job*>(arg);
    Program p;
    std::vector<Diagnostic> d;
    j->ok = parse_source(j->src, "<string>", {}, p, d);
    j->diags = d.size();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&t, &attr, run, &job), 0);
  pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
  EXPECT_TRUE(job.ok);
  EXPECT_EQ(job.diags, 0u);
}

}  // namespace
}  // namespace vigie::lang
