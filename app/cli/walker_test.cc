#include "cli/walker.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace vigie::cli {
namespace {

namespace fs = std::filesystem;

class WalkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("vigie_walk_" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "sub" / "deep");
    std::ofstream(root_ / "a.bin") << "aaaa";
    std::ofstream(root_ / "c.txt") << "c";
    std::ofstream(root_ / "sub" / "b.bin") << "bb";
    std::ofstream(root_ / "sub" / "deep" / "d") << "";
    fs::create_symlink(root_ / "a.bin", root_ / "link");
    fs::create_symlink("/nonexistent-vigie", root_ / "dangling");
    fs::create_symlink("..", root_ / "sub" / "up");  // a loop back to the root
    ASSERT_EQ(::mkfifo((root_ / "fifo").c_str(), 0644), 0);
  }
  void TearDown() override { fs::remove_all(root_); }

  std::vector<std::string> walk(const std::string& dir, WalkOptions o) {
    std::vector<std::string> seen;
    walk_directory(dir, o, [&](const std::string& p, uint64_t size) {
      seen.push_back(p.substr(dir.size()) + ":" + std::to_string(size));
      return true;
    });
    return seen;
  }

  fs::path root_;
};

TEST_F(WalkerTest, TopLevelOnlyRegularFilesThroughSymlinks) {
  EXPECT_EQ(walk(root_.string(), {}),
            (std::vector<std::string>{"/a.bin:4", "/c.txt:1", "/link:4"}));
}

TEST_F(WalkerTest, RecursiveStopsAtLoops) {
  WalkOptions o;
  o.recursive = true;
  EXPECT_EQ(walk(root_.string(), o), (std::vector<std::string>{"/a.bin:4", "/c.txt:1", "/link:4",
                                                               "/sub/b.bin:2", "/sub/deep/d:0"}));
}

TEST_F(WalkerTest, NoFollowSkipsSymlinks) {
  WalkOptions o;
  o.recursive = true;
  o.follow_symlinks = false;
  EXPECT_EQ(walk(root_.string(), o),
            (std::vector<std::string>{"/a.bin:4", "/c.txt:1", "/sub/b.bin:2", "/sub/deep/d:0"}));
}

TEST_F(WalkerTest, NamesJoinWithASlashLikeYara) {
  // yara prints `dir//file` for `dir/`.
  EXPECT_EQ(walk(root_.string() + "/", {})[0], "/a.bin:4");
  std::vector<std::string> raw;
  walk_directory(root_.string() + "/", {}, [&](const std::string& p, uint64_t) {
    raw.push_back(p);
    return true;
  });
  EXPECT_EQ(raw[0], root_.string() + "//a.bin");
}

// The walk keeps its own stack: a deep tree costs heap, not call depth.
TEST_F(WalkerTest, DeepTree) {
  fs::path p = root_ / "deep";
  for (int i = 0; i < 600; ++i) p /= "d";
  fs::create_directories(p);
  std::ofstream(p / "leaf") << "x";
  WalkOptions o;
  o.recursive = true;
  std::vector<std::string> seen = walk((root_ / "deep").string(), o);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].size(), 600 * 2 + std::string("/leaf:1").size());
}

TEST_F(WalkerTest, CallbackStopsTheWalkAndMissingRootIsEmpty) {
  int calls = 0;
  walk_directory(root_.string(), {}, [&](const std::string&, uint64_t) { return ++calls < 2; });
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(walk((root_ / "missing").string(), {}).empty());
  EXPECT_TRUE(walk((root_ / "a.bin").string(), {}).empty());
}

}  // namespace
}  // namespace vigie::cli
