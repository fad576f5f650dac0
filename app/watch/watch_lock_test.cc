#include "watch/watch_lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

namespace vigie::watch {
namespace {

TEST(WatchLock, Overlap) {
  EXPECT_TRUE(TreesOverlap("/srv/data", "/srv/data"));
  EXPECT_TRUE(TreesOverlap("/srv/data/a", "/srv/data"));
  EXPECT_TRUE(TreesOverlap("/srv", "/srv/data"));
  EXPECT_FALSE(TreesOverlap("/srv/data2", "/srv/data"));
  EXPECT_FALSE(TreesOverlap("/srv/a", "/srv/b"));
}

TEST(WatchLock, SecondWatcherOfATreeIsRefusedUntilTheFirstExits) {
  char tmpl[] = "/tmp/vigie-lock-test-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  int ready[2], release[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(release), 0);
  pid_t child = fork();
  if (child == 0) {
    WatchLock l;
    std::string err;
    char c = l.Acquire(dir, {"/srv/data"}, &err) ? 'y' : 'n';
    (void)!write(ready[1], &c, 1);
    (void)!read(release[0], &c, 1);
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  {
    WatchLock second;
    std::string err;
    EXPECT_FALSE(second.Acquire(dir, {"/srv/data/sub"}, &err));
    EXPECT_NE(err.find("pid " + std::to_string(child)), std::string::npos) << err;
    WatchLock other;
    EXPECT_TRUE(other.Acquire(dir, {"/srv/other"}, &err)) << err;
  }
  (void)!write(release[1], "x", 1);
  int status;
  waitpid(child, &status, 0);
  WatchLock after;
  std::string err;
  EXPECT_TRUE(after.Acquire(dir, {"/srv/data"}, &err)) << err;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigie::watch
