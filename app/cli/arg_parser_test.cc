#include "cli/arg_parser.h"

#include <gtest/gtest.h>

namespace vigie::cli {
namespace {

using K = OptionSpec::Kind;

const std::vector<OptionSpec>& table() {
  static const std::vector<OptionSpec> t = {
      {'s', "print-strings", K::kFlag, "", "print matching strings"},
      {'g', "print-tags", K::kFlag, "", "print tags"},
      {'l', "max-rules", K::kInteger, "NUMBER", "abort scanning after matching a NUMBER of rules"},
      {'d', "define", K::kString, "VAR=VALUE", "define external variable"},
      {0, "fail-on-warnings", K::kFlag, "", "fail on warnings"},
  };
  return t;
}

ParseResult parse(std::vector<std::string> args) { return parse_args(table(), args); }

TEST(ArgParser, GroupedShortFlagsAndTrailingValue) {
  ParseResult r = parse({"-sgl", "5", "rules", "target"});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.args.has(0));
  EXPECT_TRUE(r.args.has(1));
  EXPECT_EQ(r.args.integer(2, 0), 5);
  EXPECT_EQ(r.args.positional, (std::vector<std::string>{"rules", "target"}));
}

// The messages below are those of yara 4.2.3 for the same command lines.
TEST(ArgParser, AttachedShortValueIsRefusedLikeYara) {
  EXPECT_EQ(parse({"-l1"}).error, "option `-l1` requires an integer argument");
  EXPECT_EQ(parse({"-ls", "1"}).error, "option `-ls` requires an integer argument");
  EXPECT_EQ(parse({"-d=", "x"}).error, "option `-d=` requires a string argument");
}

TEST(ArgParser, MissingAndBadValues) {
  EXPECT_EQ(parse({"r", "t", "-l"}).error, "option `-l` requires an integer argument");
  EXPECT_EQ(parse({"-l", "10x"}).error, "option `-l` requires an integer argument");
  EXPECT_EQ(parse({"--max-rules"}).error, "option `--max-rules` requires an integer argument");
  EXPECT_EQ(parse({"--max-rules", "1"}).error, "option `--max-rules` requires an integer argument");
  EXPECT_EQ(parse({"--max-rules=x"}).error, "option `--max-rules=x` requires an integer argument");
  EXPECT_EQ(parse({"--define"}).error, "option `--define` requires a string argument");
}

TEST(ArgParser, UnknownOptionsQuoteTheWholeArgument) {
  EXPECT_EQ(parse({"-Q"}).error, "unknown option `-Q`");
  EXPECT_EQ(parse({"-sQ"}).error, "unknown option `-sQ`");
  EXPECT_EQ(parse({"--foo"}).error, "unknown option `--foo`");
  EXPECT_EQ(parse({"--print"}).error, "unknown option `--print`");  // no abbreviations
  EXPECT_FALSE(parse({"-s-"}).ok);
}

TEST(ArgParser, IntegersReadAsStrtollBaseZero) {
  EXPECT_EQ(parse({"-l", "0x10"}).args.integer(2, -1), 16);
  EXPECT_EQ(parse({"-l", " 5"}).args.integer(2, -1), 5);
  EXPECT_EQ(parse({"-l", ""}).args.integer(2, -1), 0);
  EXPECT_EQ(parse({"-l", "-1"}).args.integer(2, 7), -1);
  EXPECT_EQ(parse({"--max-rules="}).args.integer(2, -1), 0);
  EXPECT_EQ(parse({"--max-rules=010"}).args.integer(2, -1), 8);
}

TEST(ArgParser, LongFlagIgnoresValueAndDashesArePositional) {
  ParseResult r = parse({"--print-tags=5", "--", "-", "x"});
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(r.args.has(1));
  EXPECT_EQ(r.args.positional, (std::vector<std::string>{"--", "-", "x"}));
}

TEST(ArgParser, RepeatedStringOptionsKeepOrderAndOptionsMayFollowPositionals) {
  ParseResult r = parse({"rules", "-d", "a=1", "--define=b=2", "target", "-d", "c"});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.args.strings[3], (std::vector<std::string>{"a=1", "b=2", "c"}));
  EXPECT_EQ(r.args.count[3], 3);
  EXPECT_EQ(r.args.positional, (std::vector<std::string>{"rules", "target"}));
}

TEST(ArgParser, HelpLayoutMatchesYara) {
  std::string help = format_option_help(table(), 36);
  EXPECT_NE(help.find("  -s,  --print-strings                     print matching strings\n"),
            std::string::npos)
      << help;
  EXPECT_NE(help.find("       --fail-on-warnings                  fail on warnings\n"),
            std::string::npos)
      << help;
  EXPECT_NE(help.find("  -l,  --max-rules=NUMBER                  abort scanning after"),
            std::string::npos)
      << help;
}

}  // namespace
}  // namespace vigie::cli
