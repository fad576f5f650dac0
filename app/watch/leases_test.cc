#include "watch/leases.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/fanotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace vigie::watch {
namespace {

namespace fs = std::filesystem;

// Leases need root (or the files' owner) and a fanotify group (root).
class LeasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "leases on others' files and fanotify need root";
    char tmpl[] = "/tmp/vigie-leases-test-XXXXXX";
    root_ = mkdtemp(tmpl);
    fan_ = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fan_, 0);
    open_fan_ = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY | O_CLOEXEC);
    ASSERT_GE(open_fan_, 0);
    signo_ = SIGRTMIN + 3;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signo_);
    ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &set, &old_), 0);
    sfd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    ASSERT_GE(sfd_, 0);
  }
  void TearDown() override {
    if (root_.empty()) return;
    if (sfd_ >= 0) close(sfd_);
    if (fan_ >= 0) close(fan_);
    if (open_fan_ >= 0) close(open_fan_);
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    fs::remove_all(root_);
  }
  std::string Make(const std::string& name, const std::string& text) {
    std::string p = root_ + "/" + name;
    fs::create_directories(fs::path(p).parent_path());
    std::ofstream(p) << text;
    return p;
  }
  // Opens `path` for reading in a child process, which may block on a permission event.
  static pid_t OpenInChild(const std::string& path) {
    pid_t p = fork();
    if (p == 0) {
      int fd = open(path.c_str(), O_RDONLY);
      _exit(fd >= 0 ? 0 : 1);
    }
    return p;
  }
  // Reads the events of group `fan` (default: the permission group) for about 100 ms, allowing
  // the permission events; their number.
  int Events(int fan = -1) {
    if (fan < 0) fan = fan_;
    alignas(fanotify_event_metadata) char buf[4096];
    int n = 0;
    for (int i = 0; i < 50; ++i) {
      ssize_t r = read(fan, buf, sizeof buf);
      if (r <= 0) {
        usleep(2000);
        continue;
      }
      for (auto* md = reinterpret_cast<fanotify_event_metadata*>(buf); FAN_EVENT_OK(md, r);
           md = FAN_EVENT_NEXT(md, r)) {
        if (md->mask & FAN_OPEN_PERM) {
          fanotify_response resp{md->fd, FAN_ALLOW};
          (void)!write(fan, &resp, sizeof resp);
        }
        close(md->fd);
        n++;
      }
    }
    return n;
  }
  std::string root_;
  int fan_ = -1, open_fan_ = -1, sfd_ = -1, signo_ = 0;
  sigset_t old_{};
};

TEST_F(LeasesTest, LeasesRegularFilesOnly) {
  Leases l(fan_, open_fan_, signo_);
  std::string a = Make("a.txt", "alpha"), empty = Make("empty", "");
  EXPECT_TRUE(l.Add(a));
  EXPECT_TRUE(l.Add(empty));  // an empty file is leased too: its first write is seen
  EXPECT_FALSE(l.Add(root_));
  EXPECT_FALSE(l.Add(root_ + "/missing"));
  fs::create_symlink(a, root_ + "/link");
  EXPECT_FALSE(l.Add(root_ + "/link"));
  EXPECT_EQ(l.size(), 2u);
  struct stat st;
  ASSERT_EQ(stat(a.c_str(), &st), 0);
  ASSERT_NE(l.ByInode(st.st_dev, st.st_ino), nullptr);
  EXPECT_EQ(l.ByInode(st.st_dev, st.st_ino)->path, a);
  EXPECT_FALSE(Leases::Breaking(*l.ByPath(a)));
}

TEST_F(LeasesTest, AFileOpenForWritingCannotBeLeased) {
  Leases l(fan_, open_fan_, signo_);
  std::string a = Make("a.txt", "alpha");
  int w = open(a.c_str(), O_WRONLY);
  ASSERT_GE(w, 0);
  EXPECT_FALSE(l.Add(a));
  close(w);
  EXPECT_TRUE(l.Add(a));
}

// A writer blocks on the lease until it is released, and the signal names the descriptor.
TEST_F(LeasesTest, AWriterWaitsForTheRelease) {
  Leases l(fan_, open_fan_, signo_);
  std::string a = Make("a.txt", "original");
  ASSERT_TRUE(l.Add(a));
  int lease_fd = l.ByPath(a)->fd;
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  pid_t child = fork();
  if (child == 0) {
    int w = open(a.c_str(), O_WRONLY | O_TRUNC);
    char ok = w >= 0 ? 'y' : 'n';
    (void)!write(pipefd[1], &ok, 1);
    _exit(0);
  }
  signalfd_siginfo si{};
  bool got = false;
  for (int i = 0; i < 500 && !got; ++i) {
    got = read(sfd_, &si, sizeof si) == sizeof si;
    if (!got) usleep(10000);
  }
  ASSERT_TRUE(got);
  EXPECT_EQ(int(si.ssi_fd), lease_fd);
  EXPECT_TRUE(Leases::Breaking(*l.ByFd(lease_fd)));
  // Still blocked: the content is intact while the holder has not let go.
  char c;
  EXPECT_EQ(pread(lease_fd, &c, 1, 0), 1);
  EXPECT_EQ(c, 'o');
  int fd = l.Release(*l.ByFd(lease_fd), true);
  EXPECT_EQ(fd, lease_fd);
  EXPECT_EQ(l.size(), 0u);
  EXPECT_EQ(read(pipefd[0], &c, 1), 1);
  EXPECT_EQ(c, 'y');
  waitpid(child, nullptr, 0);
  close(fd);
  close(pipefd[0]);
  close(pipefd[1]);
}

TEST_F(LeasesTest, FollowsRenames) {
  Leases l(fan_, open_fan_, signo_);
  std::string a = Make("d/a.txt", "alpha"), b = Make("d/sub/b.txt", "beta");
  ASSERT_TRUE(l.Add(a));
  ASSERT_TRUE(l.Add(b));
  l.Renamed(a, root_ + "/d/a2.txt");
  EXPECT_EQ(l.ByPath(a), nullptr);
  ASSERT_NE(l.ByPath(root_ + "/d/a2.txt"), nullptr);
  l.DirRenamed(root_ + "/d", root_ + "/e");
  EXPECT_NE(l.ByPath(root_ + "/e/a2.txt"), nullptr);
  EXPECT_NE(l.ByPath(root_ + "/e/sub/b.txt"), nullptr);
  EXPECT_EQ(l.ByPath(b), nullptr);
  // A directory whose name only starts the same is not below it.
  std::string c = Make("e2/c.txt", "gamma");
  ASSERT_TRUE(l.Add(c));
  l.DirRenamed(root_ + "/e", root_ + "/f");
  EXPECT_NE(l.ByPath(c), nullptr);
}

// An adopted descriptor leases its inode once and belongs to the table; a refused one stays the
// caller's.
TEST_F(LeasesTest, AdoptsADescriptorOnce) {
  Leases l(fan_, open_fan_, signo_);
  std::string a = Make("a.txt", "alpha");
  int fd = open(a.c_str(), O_RDONLY);
  int again = open(a.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_GE(again, 0);
  struct stat st;
  ASSERT_EQ(fstat(fd, &st), 0);
  EXPECT_TRUE(l.Adopt(fd, st, a));
  EXPECT_FALSE(l.Adopt(again, st, a));
  EXPECT_GE(fcntl(again, F_GETFD), 0);  // still open: the caller's to close
  close(again);
  EXPECT_TRUE(l.Add(a));  // already leased: no second entry
  EXPECT_EQ(l.size(), 1u);
  EXPECT_EQ(l.ByPath(a)->fd, fd);
  EXPECT_FALSE(Leases::Breaking(*l.ByPath(a)));
}

// Per directory, a leased file carries an ignore mark for FAN_OPEN_PERM; suspension removes it.
TEST_F(LeasesTest, PerDirectorySchemeIgnoresLeasedOpens) {
  Leases l(fan_, open_fan_, signo_);
  std::string a = Make("a.txt", "alpha");
  // Leased before the directory is marked: this very thread would have to answer its open.
  ASSERT_TRUE(l.Add(a));
  ASSERT_EQ(fanotify_mark(fan_, FAN_MARK_ADD | FAN_MARK_ONLYDIR, FAN_OPEN_PERM | FAN_EVENT_ON_CHILD,
                          AT_FDCWD, root_.c_str()),
            0);
  l.set_scheme(Leases::Scheme::kPerDirectory);
  // An open by a child process: with the ignore mark, no permission event reaches the group.
  pid_t p = OpenInChild(a);
  EXPECT_EQ(Events(), 0);
  waitpid(p, nullptr, 0);
  l.Suspend(*l.ByPath(a));
  p = OpenInChild(a);
  EXPECT_EQ(Events(), 1);
  waitpid(p, nullptr, 0);
  EXPECT_TRUE(l.Resume(*l.ByPath(a)));
  p = OpenInChild(a);
  EXPECT_EQ(Events(), 0);
  waitpid(p, nullptr, 0);
}

// A released lease makes its file's opens permission events, and tells the open group of them
// (what names the writer waiting on the break); leased again, its opens are no permission
// events.
TEST_F(LeasesTest, ReleasedLeasesReportOpensUntilTakenAgain) {
  Leases l(fan_, open_fan_, signo_);
  std::string a = Make("a.txt", "alpha");
  ASSERT_TRUE(l.Add(a));
  int fd = l.Release(*l.ByPath(a), true);
  // The open blocks on its permission event until Events() allows it: read both groups at once.
  pid_t p = OpenInChild(a);
  EXPECT_EQ(Events(), 1);
  waitpid(p, nullptr, 0);
  EXPECT_EQ(Events(open_fan_), 1);
  struct stat st;
  ASSERT_EQ(fstat(fd, &st), 0);
  ASSERT_TRUE(l.Adopt(fd, st, a));
  p = OpenInChild(a);
  EXPECT_EQ(Events(), 0);
  waitpid(p, nullptr, 0);
}

}  // namespace
}  // namespace vigie::watch
