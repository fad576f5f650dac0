#include "watch/proc_info.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

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

TEST(ProcInfo, ThreadsBelongToTheirProcess) {
  std::atomic<pid_t> tid{0};
  std::atomic<bool> stop{false};
  std::thread t([&] {
    tid = pid_t(syscall(SYS_gettid));
    while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  while (tid == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ProcInfo p = ReadProc(tid);
  stop = true;
  t.join();
  EXPECT_TRUE(p.alive);
  EXPECT_EQ(p.tid, tid.load());
  EXPECT_EQ(p.pid, getpid());
  EXPECT_EQ(p.pgid, getpgrp());
  ProcInfo me = ReadProc(getpid());
  EXPECT_EQ(p.start_time, me.start_time);  // the process's, not the thread's
}

TEST(ProcInfo, OpenFlagsFromSyscallLines) {
  // openat(AT_FDCWD, path, O_WRONLY|O_CREAT|O_TRUNC, 0644)
  std::string openat = std::to_string(SYS_openat) +
                       " 0xffffff9c 0x7ffd1234 0x241 0x1a4 0x0 0x0 0x7ffd0000 0x7f0000001234\n";
  EXPECT_EQ(OpenFlagsFromSyscall(openat, 1), O_WRONLY | O_CREAT | O_TRUNC);
  std::string open = std::to_string(SYS_open) + " 0x7ffd1234 0x0 0x0 0x0 0x0 0x0 0x1 0x2\n";
  EXPECT_EQ(OpenFlagsFromSyscall(open, 1), O_RDONLY);
  std::string creat = std::to_string(SYS_creat) + " 0x7ffd1234 0x1a4 0x0 0x0 0x0 0x0 0x1 0x2\n";
  EXPECT_EQ(OpenFlagsFromSyscall(creat, 1), O_WRONLY | O_CREAT | O_TRUNC);
  std::string exec = std::to_string(SYS_execve) + " 0x1 0x2 0x3 0x0 0x0 0x0 0x1 0x2\n";
  EXPECT_EQ(OpenFlagsFromSyscall(exec, 1), O_RDONLY);
  std::string read = std::to_string(SYS_read) + " 0x3 0x7ffd 0x1000 0x0 0x0 0x0 0x1 0x2\n";
  EXPECT_FALSE(OpenFlagsFromSyscall(read, 1).has_value());
  EXPECT_FALSE(OpenFlagsFromSyscall("running\n", 1).has_value());
  EXPECT_FALSE(OpenFlagsFromSyscall("-1 0x7ffd0000 0x7f0000001234\n", 1).has_value());
  EXPECT_FALSE(OpenFlagsFromSyscall(std::to_string(SYS_openat) + " 0x1 0x2\n", 1).has_value());
  EXPECT_FALSE(OpenFlagsFromSyscall("", 1).has_value());
  EXPECT_FALSE(OpenFlagsFromSyscall(std::string(600, '9'), 1).has_value());
}

// A child blocked in open(2) on a FIFO (the open waits for the other end) shows its flags.
pid_t ChildBlockedOpening(const std::string& fifo, int flags) {
  pid_t child = fork();
  if (child == 0) {
    int fd = open(fifo.c_str(), flags);
    _exit(fd >= 0 ? 0 : 1);
  }
  // Wait until it is blocked in the call.
  for (int i = 0; i < 2000; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    auto f = BlockedOpenFlags(child);
    if (f) break;
  }
  return child;
}

TEST(ProcInfo, SyscallReaderSeesBlockedOpens) {
  char dir[] = "/tmp/vigie-proc-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string fifo = std::string(dir) + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  SyscallReader reader;
  for (int flags : {O_RDONLY, O_WRONLY}) {
    pid_t child = ChildBlockedOpening(fifo, flags);
    auto seen = reader.OpenFlags(child);
    ASSERT_TRUE(seen.has_value());
    EXPECT_EQ(*seen & O_ACCMODE, flags);
    EXPECT_EQ(reader.OpenFlags(child), seen);  // the kept descriptor reads again
    EXPECT_EQ(reader.open_descriptors(), 1u);
    // Release the child: open the other end.
    int other = open(fifo.c_str(), (flags == O_RDONLY ? O_WRONLY : O_RDONLY) | O_NONBLOCK);
    int st;
    waitpid(child, &st, 0);
    if (other >= 0) close(other);
    // The descriptor of a thread that is gone reads nothing: dropped, and the open fails.
    EXPECT_FALSE(reader.OpenFlags(child).has_value());
    EXPECT_EQ(reader.open_descriptors(), 0u);
  }
  unlink(fifo.c_str());
  rmdir(dir);
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
