// vigie-yara and vigie-yarac run in-process on small rules: exit codes, filters and the
// interplay of -c, -n, -l, -t and -i as yara 4.2.3 shows them (expected texts from its runs).
#include "cli/yara_app.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/yarac_app.h"

namespace vigie::cli {
namespace {

namespace fs = std::filesystem;

class YaraAppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vigie_app_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    write("r.yar",
          "rule n1 : foo { condition: false }\n"
          "rule n2 : bar { condition: false }\n"
          "rule n3 { condition: false }\n"
          "rule m1 : foo { strings: $a = \"hello\" condition: $a }\n"
          "rule m2 : bar { condition: true }\n");
    write("t.bin", "hello world");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    std::string p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Runs vigie-yara with `flags`, the rules and the target; returns stdout.
  std::string yara(std::vector<std::string> args, int expected_code = 0) {
    StringConsole c;
    int code = run_yara(args, c);
    EXPECT_EQ(code, expected_code) << c.err_text();
    err_ = c.err_text();
    return c.out_text();
  }

  fs::path dir_;
  std::string err_;
};

TEST_F(YaraAppTest, NegateCountAndLimit) {
  std::string t = path("t.bin"), r = path("r.yar");
  EXPECT_EQ(yara({r, t}), "m1 " + t + "\nm2 " + t + "\n");
  EXPECT_EQ(yara({"-n", "-g", r, t}), "n1 [foo] " + t + "\nn2 [bar] " + t + "\nn3 [] " + t + "\n");
  // -c counts matching rules, also with -n.
  EXPECT_EQ(yara({"-c", r, t}), "2\n");
  EXPECT_EQ(yara({"-n", "-c", r, t}), "2\n");
  // -l stops after that many matching rules; non-matching ones before it still print.
  EXPECT_EQ(yara({"-l", "1", r, t}), "m1 " + t + "\n");
  EXPECT_EQ(yara({"-n", "-l", "1", r, t}), "n1 " + t + "\nn2 " + t + "\nn3 " + t + "\n");
  EXPECT_EQ(yara({"-l", "1", "-c", r, t}), "1\n");
}

TEST_F(YaraAppTest, TagAndIdentifierFilters) {
  std::string t = path("t.bin"), r = path("r.yar");
  EXPECT_EQ(yara({"-t", "bar", r, t}), "m2 " + t + "\n");
  EXPECT_EQ(yara({"-t", "foo", "-t", "bar", r, t}), "m1 " + t + "\nm2 " + t + "\n");
  EXPECT_EQ(yara({"-n", "-t", "foo", r, t}), "n1 " + t + "\n");
  // -i overrides -t.
  EXPECT_EQ(yara({"-t", "bar", "-i", "m1", r, t}), "m1 " + t + "\n");
  // The count includes rules the filters hide, so -l 1 stops before m2 is seen.
  EXPECT_EQ(yara({"-l", "1", "-t", "bar", r, t}), "");
  EXPECT_EQ(yara({"-c", "-t", "bar", r, t}), "2\n");
}

TEST_F(YaraAppTest, ExitCodes) {
  std::string t = path("t.bin"), r = path("r.yar");
  yara({r, path("missing")}, 1);
  EXPECT_EQ(err_, "error scanning " + path("missing") + ": could not open file\n");
  yara({path("nor.yar"), t}, 1);
  EXPECT_EQ(err_, "error: could not open file: " + path("nor.yar") + "\n");
  // A directory scan reports unreadable entries and succeeds.
  fs::create_directories(dir_ / "d");
  write("d/a", "hello");
  fs::create_symlink("/nonexistent-vigie", dir_ / "d" / "b");
  EXPECT_EQ(yara({"-p", "1", "-i", "m1", r, path("d")}), "m1 " + path("d") + "/a\n");
  std::string bad = write("bad.yar", "rule x { condition: $a }");
  yara({bad, t}, 1);
  EXPECT_NE(err_.find("bad.yar:1:"), std::string::npos) << err_;
}

TEST_F(YaraAppTest, ConsoleLogAndModuleData) {
  std::string t = path("t.bin");
  std::string r = write("c.yar",
                        "import \"console\"\nimport \"math\"\n"
                        "rule c { condition: console.log(\"logged\") }\n");
  EXPECT_EQ(yara({r, t}), "logged\nc " + t + "\n");
  EXPECT_EQ(yara({"-q", r, t}), "c " + t + "\n");
  std::string d = yara({"-D", "-q", r, t});
  EXPECT_NE(d.find("math\n"), std::string::npos) << d;
  EXPECT_NE(d.find("c " + t + "\n"), std::string::npos) << d;
}

TEST_F(YaraAppTest, StatsAndXorKey) {
  std::string t = write("x.bin", std::string("yns ") + "hello");
  std::string r =
      write("x.yar", "rule x { strings: $x = \"xor\" xor $h = \"hello\" condition: any of them }");
  EXPECT_EQ(yara({"-S", r, t}),
            "number of rules                    : 1\n"
            "number of strings                  : 2\n"
            "x " +
                t + "\n");
  // Only xor strings get the key and plaintext.
  EXPECT_EQ(yara({"-X", "-s", r, t}), "x " + t + "\n0x0:$x:xor(0x01,xor): yns\n0x4:$h: hello\n");
}

TEST_F(YaraAppTest, CompiledRulesTakeDefines) {
  std::string t = path("t.bin");
  std::string r = write("e.yar", "rule e { condition: x == 16 }");
  std::string out = path("e.vgc");
  StringConsole c;
  ASSERT_EQ(run_yarac({"-d", "x=1", r, out}, c), 0) << c.err_text();
  EXPECT_EQ(yara({"-C", out, t}), "");
  EXPECT_EQ(yara({"-C", "-d", "x=16", out, t}), "e " + t + "\n");
  yara({"-C", "-d", "y=16", out, t}, 1);
  yara({"-C", "-d", "x=abc", out, t}, 1);
}

TEST_F(YaraAppTest, YaracRoundTrip) {
  std::string t = path("t.bin"), r = path("r.yar"), out = path("r.vgc");
  StringConsole c;
  EXPECT_EQ(run_yarac({r, out}, c), 0) << c.err_text();
  EXPECT_EQ(yara({"-C", "-s", out, t}), yara({"-s", r, t}));
  StringConsole bad;
  EXPECT_EQ(run_yarac({r, path("no/such/dir/out")}, bad), 1);
  EXPECT_NE(bad.err_text().find("no/such/dir/out"), std::string::npos);
}

}  // namespace
}  // namespace vigie::cli
