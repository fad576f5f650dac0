// The expected strings are the output of /usr/bin/yara (4.2.3) for the same rules and data:
//
//   rule hello : tag1 tag2 {
//     meta: author = "a \"quoted\" \\ back\nnl" n = 42 neg = -7 b = true f = false
//     strings: $a = "hello" $b = { 00 01 02 FF } $x = "xor" xor $ = "anon" ...
//
// run as `yara -s -g -m -e`, `yara -s -L`, `yara -L` on a file with those strings in it. The
// exceptions, which follow YARA 4.5 where 4.2.3 differs, say so.
#include "cli/output_format.h"

#include <gtest/gtest.h>

#include <deque>

namespace vigie::cli {
namespace {

// Owns what a MatchedRule points to.
struct RuleBuilder {
  std::vector<std::string> tags;
  std::vector<Meta> metas;
  std::deque<std::string> data;
  std::deque<std::vector<StringMatch>> matches;
  std::vector<StringResult> strings;
  std::deque<std::string> names;

  void meta_int(const char* id, int64_t v) {
    Meta m;
    m.identifier = id;
    m.type = Meta::Type::kInteger;
    m.integer = v;
    metas.push_back(m);
  }
  void meta_bool(const char* id, bool v) {
    Meta m;
    m.identifier = id;
    m.type = Meta::Type::kBoolean;
    m.boolean = v;
    metas.push_back(m);
  }
  void meta_str(const char* id, std::string v) {
    Meta m;
    m.identifier = id;
    m.type = Meta::Type::kString;
    m.string = std::move(v);
    metas.push_back(m);
  }
  // One string with matches {offset, bytes}.
  StringResult& string(const char* id, std::vector<std::pair<uint64_t, std::string>> ms,
                       bool hex = false) {
    names.emplace_back(id);
    auto& list = matches.emplace_back();
    for (auto& [off, bytes] : ms) {
      const std::string& d = data.emplace_back(bytes);
      StringMatch m;
      m.offset = off;
      m.length = static_cast<uint32_t>(d.size());
      m.data = {reinterpret_cast<const uint8_t*>(d.data()), d.size()};
      list.push_back(m);
    }
    StringResult r;
    r.identifier = names.back();
    r.matches = list;
    r.is_hex = hex;
    strings.push_back(r);
    return strings.back();
  }
  MatchedRule rule(std::string_view id, std::string_view ns = "default") {
    MatchedRule r;
    r.identifier = id;
    r.ns = ns;
    r.tags = tags;
    r.metas = metas;
    r.strings = strings;
    return r;
  }
};

RuleBuilder hello() {
  RuleBuilder b;
  b.tags = {"tag1", "tag2"};
  b.meta_str("author", "a \"quoted\" \\ back\nnl");
  b.meta_int("n", 42);
  b.meta_int("neg", -7);
  b.meta_bool("b", true);
  b.meta_bool("f", false);
  b.string("$a", {{0, "hello"}, {0x3f, "hello"}});
  b.string("$b", {{0xb, std::string("\x00\x01\x02\xff", 4)}}, /*hex=*/true);
  b.string("$x", {{0x1e, "xor"}, {0x22, "yns"}}).is_xor = true;
  b.string("$", {{0x14, "anon"}});
  return b;
}

TEST(OutputFormat, RuleLineWithNamespaceTagsAndMeta) {
  RuleBuilder b = hello();
  OutputOptions o;
  o.print_namespace = o.print_tags = o.print_meta = true;
  std::string out;
  append_rule_line(out, b.rule("hello"), "t1.bin", o);
  EXPECT_EQ(out,
            "default:hello [tag1,tag2] [author=\"a \\\"quoted\\\" \\\\ back\\nnl\",n =42,neg =-7,"
            "b=true,f=false] t1.bin\n");
}

TEST(OutputFormat, EmptyTagsAndMetaPrintBrackets) {
  RuleBuilder b;
  OutputOptions o;
  o.print_tags = o.print_meta = true;
  std::string out;
  append_rule_line(out, b.rule("glob"), "t1.bin", o);
  EXPECT_EQ(out, "glob [] [] t1.bin\n");
  out.clear();
  append_rule_line(out, b.rule("glob"), "t1.bin", OutputOptions{});
  EXPECT_EQ(out, "glob t1.bin\n");
}

TEST(OutputFormat, StringLines) {
  RuleBuilder b = hello();
  OutputOptions o;
  o.print_strings = true;
  std::string out;
  append_string_lines(out, b.rule("hello"), o);
  EXPECT_EQ(out,
            "0x0:$a: hello\n0x3f:$a: hello\n0xb:$b: 00 01 02 FF\n0x1e:$x: xor\n0x22:$x: yns\n"
            "0x14:$: anon\n");
}

TEST(OutputFormat, StringLinesWithLength) {
  RuleBuilder b = hello();
  OutputOptions o;
  o.print_strings = o.print_string_length = true;
  std::string out;
  append_string_lines(out, b.rule("hello"), o);
  EXPECT_EQ(out,
            "0x0:5:$a: hello\n0x3f:5:$a: hello\n0xb:4:$b: 00 01 02 FF\n0x1e:3:$x: xor\n"
            "0x22:3:$x: yns\n0x14:4:$: anon\n");
  // -L alone: no data.
  o.print_strings = false;
  out.clear();
  append_string_lines(out, b.rule("hello"), o);
  EXPECT_EQ(out, "0x0:5:$a\n0x3f:5:$a\n0xb:4:$b\n0x1e:3:$x\n0x22:3:$x\n0x14:4:$\n");
}

// yara 4.2.3 has no -X; the format is YARA 4.5's: key and plaintext after the identifier.
TEST(OutputFormat, XorKeyAndPlaintext) {
  RuleBuilder b;
  b.string("$x", {{0x22, "yns"}}).is_xor = true;
  b.matches.back()[0].xor_key = 1;
  b.string("$p", {{0, "plain"}});
  OutputOptions o;
  o.print_strings = o.print_xor_key = true;
  std::string out;
  append_string_lines(out, b.rule("r"), o);
  EXPECT_EQ(out, "0x22:$x:xor(0x01,xor): yns\n0x0:$p: plain\n");
}

// `yara -s` of /q" \\ end/, /tab\there/, /\x7f\xe9tab/, "hello" wide and "x\x00y".
TEST(OutputFormat, TextDataEscaping) {
  RuleBuilder b;
  b.string("$r", {{0x36, "q\" \\ end"}});
  b.string("$t", {{0x2c, "tab\there"}});
  b.string("$bin", {{0x2a, "\x7f\xe9tab"}});
  b.string("$w", {{0x44, std::string("h\0e\0l\0l\0o\0", 10)}});
  b.string("$n", {{0x26, std::string("x\0y", 3)}});
  OutputOptions o;
  o.print_strings = true;
  std::string out;
  append_string_lines(out, b.rule("r"), o);
  EXPECT_EQ(out,
            "0x36:$r: q\" \\ end\n"
            "0x2c:$t: tab\\x09here\n"
            "0x2a:$bin: \\x7F\\xE9tab\n"
            "0x44:$w: h\\x00e\\x00l\\x00l\\x00o\\x00\n"
            "0x26:$n: x\\x00y\n");
}

// `yara -s` of { 41 41 41 41 [100-200] 41 } on 1000 'A': 105 bytes, 64 printed.
TEST(OutputFormat, LongHexDataIsCut) {
  RuleBuilder b;
  b.string("$b", {{0, std::string(105, 'A')}}, true);
  OutputOptions o;
  o.print_strings = true;
  std::string out;
  append_string_lines(out, b.rule("hx"), o);
  std::string expected = "0x0:$b:";
  for (int i = 0; i < 64; ++i) expected += " 41";
  expected += " ...\n";
  EXPECT_EQ(out, expected);
  EXPECT_EQ(out.size(), 204u);  // yara's line: 203 characters and the newline
}

// YARA 4.5 leaves private strings out of -s (4.2.3 prints only the private ones, a bug).
TEST(OutputFormat, PrivateStringsAreNotPrinted) {
  RuleBuilder b;
  b.string("$a", {{0, "hello"}});
  b.string("$b", {{6, "world"}}).is_private = true;
  OutputOptions o;
  o.print_strings = true;
  std::string out;
  append_string_lines(out, b.rule("pv"), o);
  EXPECT_EQ(out, "0x0:$a: hello\n");
}

// `yara -m` of meta: s = "t\there\x01\x7f\xe9 \r" e = "", and of s = "\x07\x08\x0c\x0b\x00z".
TEST(OutputFormat, MetaEscaping) {
  RuleBuilder b;
  b.meta_str("s", "t\there\x01\x7f\xe9 \r");
  b.meta_str("e", "");
  OutputOptions o;
  o.print_meta = true;
  std::string out;
  append_rule_line(out, b.rule("m"), "t1.bin", o);
  EXPECT_EQ(out, "m [s=\"t\\there\\001\\177\\351 \\r\",e=\"\"] t1.bin\n");

  RuleBuilder c;
  c.meta_str("s", std::string("\x07\x08\x0c\x0b\x00z", 6));
  out.clear();
  append_rule_line(out, c.rule("m"), "t1.bin", o);
  EXPECT_EQ(out, "m [s=\"\\a\\b\\f\\v\"] t1.bin\n");
}

TEST(OutputFormat, NothingWithoutStringOptions) {
  RuleBuilder b = hello();
  std::string out;
  append_string_lines(out, b.rule("hello"), OutputOptions{});
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace vigie::cli
