#include "watch/proc_info.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace vigie::watch {
namespace {

TEST(ProcInfo, ParsesStatWithAwkwardComm) {
  ProcInfo p;
  std::string stat =
      "4242 (evil (x) y) S 10 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 98765 0 0";
  ASSERT_TRUE(ParseStat(stat, &p));
  EXPECT_EQ(p.comm, "evil (x) y");
  EXPECT_EQ(p.ppid, 10);
  EXPECT_EQ(p.pgid, 4242);
  EXPECT_EQ(p.start_time, 98765u);
  EXPECT_FALSE(ParseStat("garbage", &p));
}

TEST(ProcInfo, ReadsSelfAndToleratesTheDead) {
  ProcInfo me = ReadProc(getpid());
  EXPECT_TRUE(me.alive);
  EXPECT_EQ(me.pid, getpid());
  EXPECT_EQ(me.pgid, getpgrp());
  EXPECT_FALSE(me.exe.empty());
  pid_t child = fork();
  if (child == 0) _exit(0);
  int st;
  waitpid(child, &st, 0);
  ProcInfo dead = ReadProc(child);  // must not crash or throw
  EXPECT_FALSE(dead.alive);
}

TEST(ProcInfo, SuspiciousExecutables) {
  ProcInfo p;
  p.comm = "enc";
  p.exe = "/tmp/enc";
  EXPECT_NE(SuspiciousExe(p), "");
  p.exe = "/opt/x/enc (deleted)";
  EXPECT_EQ(SuspiciousExe(p), "executable deleted");
  p.exe = "/opt/x/updater";
  EXPECT_NE(SuspiciousExe(p).find("renamed"), std::string::npos);
  p.exe = "/opt/x/enc";
  EXPECT_EQ(SuspiciousExe(p), "");
}

}  // namespace
}  // namespace vigie::watch
