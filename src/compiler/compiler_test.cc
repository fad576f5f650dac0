#include "vigie/compiler.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace vigie {
namespace {

TEST(Compiler, MissingFileIsAnErrorNamingIt) {
  Compiler c;
  EXPECT_FALSE(c.add_file("/nonexistent/dir/rules.yar"));
  ASSERT_EQ(c.error_count(), 1u);
  EXPECT_NE(c.diagnostics()[0].format().find("/nonexistent/dir/rules.yar"), std::string::npos);
  EXPECT_EQ(c.build(), nullptr);
}

TEST(Compiler, BuildsOnceAndRefusesMoreSources) {
  Compiler c;
  ASSERT_TRUE(c.add_source("rule a { condition: true }"));
  EXPECT_TRUE(c.build());
  EXPECT_FALSE(c.add_source("rule b { condition: true }"));
  EXPECT_EQ(c.build(), nullptr);
}

TEST(Compiler, RuleInfoDescribesRules) {
  Compiler c;
  ASSERT_TRUE(c.add_source(
      "private rule p { condition: true } global rule g : x y { meta: k = 1 strings: $a = \"a\" "
      "condition: $a }",
      "ns1"));
  auto rules = c.build();
  ASSERT_TRUE(rules);
  ASSERT_EQ(rules->rule_count(), 2u);
  RuleInfo p = rules->rule(0), g = rules->rule(1);
  EXPECT_TRUE(p.is_private);
  EXPECT_EQ(g.identifier, "g");
  EXPECT_EQ(g.ns, "ns1");
  EXPECT_TRUE(g.is_global);
  EXPECT_EQ(g.tags.size(), 2u);
  EXPECT_EQ(g.metas[0].integer, 1);
  EXPECT_EQ(g.string_count, 1u);
}

TEST(Compiler, DuplicateExternalIsAnError) {
  Compiler c;
  EXPECT_TRUE(c.define_external("x", int64_t{1}));
  EXPECT_FALSE(c.define_external("x", int64_t{2}));
  EXPECT_EQ(c.error_count(), 1u);
}

TEST(Compiler, FilesAreCompiledWithTheirPathInDiagnostics) {
  auto dir = std::filesystem::temp_directory_path() / "vigie-compiler-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "bad.yar") << "rule a {\n  condition:\n    undefined_thing\n}\n";
  Compiler c;
  EXPECT_FALSE(c.add_file(dir / "bad.yar"));
  ASSERT_GE(c.error_count(), 1u);
  const Diagnostic& d = c.diagnostics()[0];
  EXPECT_EQ(d.location.line, 3u);
  EXPECT_EQ(d.location.column, 5u);
  EXPECT_EQ(d.source_line, "    undefined_thing");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigie
