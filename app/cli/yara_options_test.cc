#include "cli/yara_options.h"

#include <gtest/gtest.h>

namespace vigie::cli {
namespace {

TEST(YaraOptions, WrongNumberOfArguments) {
  auto c = parse_yara_command({"rules.yar"});
  EXPECT_FALSE(c.run);
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_EQ(c.err,
            "vigie-yara: wrong number of arguments\n"
            "Usage: vigie-yara [OPTION]... [NAMESPACE:]RULES_FILE... FILE | DIR | PID\n\n"
            "Try `--help` for more options\n");
  // `-i` takes the next argument, leaving one positional.
  EXPECT_FALSE(parse_yara_command({"-i", "rules.yar", "target"}).run);
}

TEST(YaraOptions, VersionAndHelpWinOverMissingArguments) {
  auto v = parse_yara_command({"-v"});
  EXPECT_FALSE(v.run);
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("4.5.0 (vigie ", 0), 0u) << v.out;
  auto h = parse_yara_command({"--help=1"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_EQ(h.out, yara_help());
}

// Every option of yara 4.2.3's --help and of the YARA 4.5 documentation, with the same forms.
TEST(YaraOptions, HelpListsEveryYaraOption) {
  const char* lines[] = {
      "       --atom-quality-table=FILE ",
      "  -C,  --compiled-rules ",
      "  -c,  --count ",
      "  -d,  --define=VAR=VALUE ",
      "       --fail-on-warnings ",
      "  -f,  --fast-scan ",
      "  -h,  --help ",
      "  -i,  --identifier=IDENTIFIER ",
      "       --max-process-memory-chunk=NUMBER ",
      "  -l,  --max-rules=NUMBER ",
      "       --max-strings-per-rule=NUMBER ",
      "  -x,  --module-data=MODULE=FILE ",
      "  -n,  --negate ",
      "  -N,  --no-follow-symlinks ",
      "  -w,  --no-warnings ",
      "  -m,  --print-meta ",
      "  -D,  --print-module-data ",
      "  -e,  --print-namespace ",
      "  -S,  --print-stats ",
      "  -s,  --print-strings ",
      "  -L,  --print-string-length ",
      "  -X,  --print-xor-key ",
      "  -g,  --print-tags ",
      "  -r,  --recursive ",
      "       --scan-list ",
      "       --strict-escape ",
      "  -z,  --skip-larger=NUMBER ",
      "  -k,  --stack-size=SLOTS ",
      "  -t,  --tag=TAG ",
      "  -p,  --threads=NUMBER ",
      "  -a,  --timeout=SECONDS ",
      "  -q,  --disable-console-logs ",
      "  -v,  --version ",
  };
  std::string help = yara_help();
  for (const char* l : lines) EXPECT_NE(help.find(l), std::string::npos) << l;
  EXPECT_NE(help.find("no effect"), std::string::npos);  // -k says it does nothing
}

TEST(YaraOptions, ReadsEveryOption) {
  auto c = parse_yara_command({"-CcfnNwmDeSsLXgrqk",
                               "100",
                               "--fail-on-warnings",
                               "--scan-list",
                               "--strict-escape",
                               "-d",
                               "a=1",
                               "-i",
                               "r",
                               "-x",
                               "m=f",
                               "-t",
                               "T",
                               "-l",
                               "3",
                               "-a",
                               "9",
                               "-p",
                               "4",
                               "-z",
                               "1000",
                               "--max-strings-per-rule=7",
                               "--max-process-memory-chunk=4096",
                               "--atom-quality-table=q",
                               "ns:rules.yar",
                               "target"});
  ASSERT_TRUE(c.run) << c.err;
  const YaraOptions& o = c.options;
  EXPECT_TRUE(o.compiled_rules && o.count && o.fast_scan && o.negate && o.no_follow_symlinks &&
              o.no_warnings && o.print_meta && o.print_module_data && o.print_namespace &&
              o.print_stats && o.print_strings && o.print_string_length && o.print_xor_key &&
              o.print_tags && o.recursive && o.disable_console_logs && o.fail_on_warnings &&
              o.scan_list && o.strict_escape);
  EXPECT_EQ(o.stack_size, 100);
  EXPECT_EQ(o.defines, std::vector<std::string>{"a=1"});
  EXPECT_EQ(o.identifiers, std::vector<std::string>{"r"});
  EXPECT_EQ(o.module_data, std::vector<std::string>{"m=f"});
  EXPECT_EQ(o.tags, std::vector<std::string>{"T"});
  EXPECT_EQ(o.max_rules, 3);
  EXPECT_EQ(o.timeout_seconds, 9);
  EXPECT_EQ(o.threads, 4);
  EXPECT_EQ(o.skip_larger, 1000);
  EXPECT_EQ(o.max_strings_per_rule, 7);
  EXPECT_EQ(o.max_process_memory_chunk, 4096);
  EXPECT_EQ(o.atom_quality_table, "q");
  EXPECT_EQ(o.rule_files, std::vector<std::string>{"ns:rules.yar"});
  EXPECT_EQ(o.target, "target");
}

TEST(YaraOptions, Defaults) {
  auto c = parse_yara_command({"a.yar", "b.yar", "t"});
  ASSERT_TRUE(c.run);
  EXPECT_EQ(c.options.rule_files, (std::vector<std::string>{"a.yar", "b.yar"}));
  EXPECT_EQ(c.options.timeout_seconds, 1000000);
  EXPECT_EQ(c.options.max_strings_per_rule, 10000);
  EXPECT_EQ(c.options.max_process_memory_chunk, 1073741824);
  EXPECT_EQ(c.options.max_rules, 0);
}

TEST(YaraOptions, LimitsAndCompiledRules) {
  auto t = parse_yara_command({"-p", "33", "r", "t"});
  EXPECT_EQ(t.exit_code, 1);
  EXPECT_EQ(t.err, "maximum number of threads is 32\n");
  EXPECT_TRUE(parse_yara_command({"-p", "32", "r", "t"}).run);
  auto c = parse_yara_command({"-C", "a", "b", "t"});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_EQ(c.err,
            "error: can't accept multiple rules files if one of them is in compiled form.\n");
  auto u = parse_yara_command({"-Q", "r", "t"});
  EXPECT_EQ(u.exit_code, 1);
  EXPECT_EQ(u.err, "unknown option `-Q`\n");
}

TEST(YaracOptions, CommandLine) {
  auto c =
      parse_yarac_command({"-w", "-d", "x=1", "--fail-on-warnings", "ns:a.yar", "b.yar", "out"});
  ASSERT_TRUE(c.run);
  EXPECT_TRUE(c.options.no_warnings && c.options.fail_on_warnings);
  EXPECT_EQ(c.options.rule_files, (std::vector<std::string>{"ns:a.yar", "b.yar"}));
  EXPECT_EQ(c.options.output, "out");
  auto bad = parse_yarac_command({"a.yar"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err,
            "vigie-yarac: wrong number of arguments\n"
            "Usage: vigie-yarac [OPTION]... [NAMESPACE:]SOURCE_FILE... OUTPUT_FILE\n\n"
            "Try `--help` for more options\n");
  EXPECT_EQ(parse_yarac_command({"-s", "a", "b"}).err, "unknown option `-s`\n");
  std::string help = parse_yarac_command({"-h"}).out;
  for (const char* l : {"  -d,  --define=VAR=VALUE ", "       --fail-on-warnings ",
                        "       --max-strings-per-rule=NUMBER ", "  -w,  --no-warnings ",
                        "  -v,  --version ", "       --atom-quality-table=FILE "})
    EXPECT_NE(help.find(l), std::string::npos) << l;
}

}  // namespace
}  // namespace vigie::cli
