// vigie-watch-bench: the figures of vigie watch.
//
// Per simulator mode, on a fresh copy of a generated tree of mixed documents (default 1,200
// files): files the simulator opened to destroy before it was stopped, files lost after
// vigie's restore (target 0), and the time from its first encrypted write to vigie's action
// (target under 100 ms). Per honest workload: whether vigie stopped it (target: never) and
// its slowdown under watch (rounds of runs with and without vigie, alternated: the median of
// the rounds' ratios with its 95% confidence interval; target under 5%), the CPU time vigie
// itself spent during the workload, as a share of the workload's plain time (a figure that the
// load of a shared machine does not blur), and the permission events each run caused. A
// workload runs at least --runs rounds, and more (up to --max-runs) until its plain runs add
// up to --seconds: one run of a workload of 0.1 s varies by 10 to 20% on a virtual machine.
// Needs root. Usage: vigie-watch-bench [--files N] [--runs N] [--seconds S] [--max-runs N]
// [--only NAME] [--workloads-only] [--modes-only] [--fs ext4|tmp] [--watch-arg ARG]...
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/fanotify.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "benign.h"
#include "harness.h"
#include "treegen.h"

using namespace vigie::watch::testing;
namespace fs = std::filesystem;

namespace {

struct Mode {
  const char* name;
  std::vector<std::string> sim;
  std::vector<std::string> watch;
};

// CPU seconds (user + system) used so far by process `pid`.
double CpuSeconds(pid_t pid) {
  FILE* f = fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!f) return 0;
  char buf[2048];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  const char* p = strrchr(buf, ')');
  if (!p) return 0;
  unsigned long long ut = 0, st = 0;
  // Fields after the command: state(3) ... utime(14) stime(15).
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
    return 0;
  return double(ut + st) / double(sysconf(_SC_CLK_TCK));
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

// A distribution-free confidence interval of the median of `v`, of at least 95%: the k-th
// smallest and k-th largest samples, with k the largest rank such that fewer than k of n
// samples fall below the median with a probability of at most 2.5% (binomial, p = 1/2). Below
// 6 samples no such interval exists, and this returns the extremes (94% for 5).
std::pair<double, double> MedianInterval(std::vector<double> v) {
  if (v.empty()) return {0, 0};
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  // P(X <= j) for X ~ Binomial(n, 1/2), summed in logs to stay finite for any n.
  double cdf = 0;
  size_t k = 1;
  for (size_t j = 0; j + 1 < n / 2 + 1; ++j) {
    cdf += std::exp(std::lgamma(double(n) + 1) - std::lgamma(double(j) + 1) -
                    std::lgamma(double(n - j) + 1) - double(n) * std::log(2.0));
    if (cdf > 0.025) break;
    k = j + 1;
  }
  return {v[k - 1], v[n - k]};
}

// A journaled ext4 file system in a sparse image, loop-mounted for the run, as a file server's
// data would be. (A file system without a journal, like some virtual machines' root, makes the
// cost of creating a file depend on how many files were deleted in the last minutes: its inode
// allocator skips recently deleted inodes one by one, and identical runs drift by a third.)
class ScratchFs {
 public:
  bool Make(const std::string& base, uint64_t gib, std::string* err) {
    image_ = base + "/fs.img";
    mount_ = base + "/fs";
    int fd = open(image_.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    bool sized = fd >= 0 && ftruncate(fd, off_t(gib << 30)) == 0;
    if (fd >= 0) close(fd);
    fs::create_directories(mount_);
    if (!sized || system(("mkfs.ext4 -q -F " + image_ + " >/dev/null 2>&1").c_str()) != 0 ||
        system(("mount -o loop " + image_ + " " + mount_ + " 2>/dev/null").c_str()) != 0) {
      *err = "cannot make and loop-mount an ext4 image (mkfs.ext4, loop devices)";
      unlink(image_.c_str());
      return false;
    }
    mounted_ = true;
    return true;
  }
  void Remove() {
    if (mounted_) umount2(mount_.c_str(), MNT_DETACH);
    mounted_ = false;
    if (!image_.empty()) unlink(image_.c_str());
    image_.clear();
  }
  ~ScratchFs() { Remove(); }
  const std::string& dir() const { return mount_; }

 private:
  std::string image_, mount_;
  bool mounted_ = false;
};

// The floor: a listener with vigie watch's mechanism and none of its work. With leases (vigie's
// default), it leases every file of the tree, marks the directories for the same events as
// vigie (close-writes, names), releases a broken lease at once and drops every event. Without
// (`--watch-arg --max-leases --watch-arg 0`), it marks the directories for permission events on
// every open, as vigie then does, and allows each at once. What a workload loses under it is the
// cost of the kernel's notifications and round trips themselves, which no work saved inside
// vigie can remove.
class Floor {
 public:
  bool Start(const std::string& tree, bool leases) {
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0) return false;
    pid_ = fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      close(ready[0]);
      Serve(tree, leases, ready[1]);
      _exit(0);
    }
    close(ready[1]);
    char c = 0;
    bool ok = read(ready[0], &c, 1) == 1 && c == 'y';
    close(ready[0]);
    if (!ok) Stop();
    return ok;
  }
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  ~Floor() { Stop(); }

 private:
  static void Serve(const std::string& tree, bool leases, int ready) {
    int content = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_TID,
                                O_RDONLY | O_LARGEFILE | O_CLOEXEC | O_NOATIME);
    int names = fanotify_init(
        FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_DFID_NAME | FAN_REPORT_TID,
        O_RDONLY | O_CLOEXEC);
    if (content < 0 || names < 0) return;
    int signo = SIGRTMIN + 3;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signo);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    int breaks = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (breaks < 0) return;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
      rl.rlim_cur = rl.rlim_max;
      setrlimit(RLIMIT_NOFILE, &rl);
    }
    std::vector<std::string> dirs{tree};
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(tree, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->is_symlink(ec)) continue;
      if (it->is_directory(ec)) dirs.push_back(it->path());
      if (!leases || !it->is_regular_file(ec)) continue;
      int fd = open(it->path().c_str(), O_RDONLY | O_NOATIME | O_NONBLOCK | O_CLOEXEC);
      if (fd >= 0 && (fcntl(fd, F_SETSIG, signo) != 0 || fcntl(fd, F_SETLEASE, F_RDLCK) != 0))
        close(fd);
    }
    uint64_t content_mask = FAN_CLOSE_WRITE | FAN_EVENT_ON_CHILD | (leases ? 0 : FAN_OPEN_PERM);
    for (const std::string& d : dirs) {
      fanotify_mark(content, FAN_MARK_ADD | FAN_MARK_ONLYDIR, content_mask, AT_FDCWD, d.c_str());
      fanotify_mark(names, FAN_MARK_ADD | FAN_MARK_ONLYDIR,
                    FAN_CREATE | FAN_DELETE | FAN_RENAME | FAN_ONDIR, AT_FDCWD, d.c_str());
    }
    (void)!write(ready, "y", 1);
    alignas(fanotify_event_metadata) char buf[64 * 1024];
    for (;;) {
      pollfd fds[3] = {{content, POLLIN, 0}, {names, POLLIN, 0}, {breaks, POLLIN, 0}};
      if (poll(fds, 3, -1) < 0) continue;
      signalfd_siginfo si[16];
      ssize_t n;
      while ((n = read(breaks, si, sizeof si)) > 0)
        for (ssize_t i = 0; i < n / ssize_t(sizeof si[0]); ++i) {
          fcntl(si[i].ssi_fd, F_SETLEASE, F_UNLCK);
          close(si[i].ssi_fd);
        }
      while ((n = read(content, buf, sizeof buf)) > 0) {
        auto* md = reinterpret_cast<fanotify_event_metadata*>(buf);
        for (; FAN_EVENT_OK(md, n); md = FAN_EVENT_NEXT(md, n)) {
          if (md->mask & FAN_OPEN_PERM) {
            fanotify_response r{md->fd, FAN_ALLOW};
            (void)!write(content, &r, sizeof r);
          }
          if (md->fd >= 0) close(md->fd);
        }
      }
      while (read(names, buf, sizeof buf) > 0) {
      }
    }
  }
  pid_t pid_ = -1;
};

enum class Under { kPlain, kFloor, kWatch };

std::vector<std::string> g_watch_args;  // --watch-arg
// VIGIE_BENCH_STATS: the exit statistics of each watched run, and its evidence and lease events.
bool g_print_stats = false;

// Whether vigie runs with leases (its default), so that the floor takes them too.
bool FloorLeases() {
  for (size_t i = 0; i < g_watch_args.size(); ++i) {
    const std::string& a = g_watch_args[i];
    if (a == "--max-leases=0" ||
        (a == "--max-leases" && i + 1 < g_watch_args.size() && g_watch_args[i + 1] == "0"))
      return false;
  }
  return true;
}

// One timed run of a workload on a fresh setup; returns seconds, or -1 when it failed. A
// watched run adds vigie's CPU seconds to `vigie_cpu` and its permission events to `opens`.
double TimeOnce(const Benign& b, const std::string& base, Under under, bool* stopped,
                double* vigie_cpu, double* opens) {
  std::string tree = base + "/tree";
  RemoveTree(tree);
  SetUpBenign(b, tree);
  sync();
  // Let the writeback of the setup settle the same way before every kind of run.
  usleep(500000);
  bool watched = under == Under::kWatch;
  Watcher w;
  w.set_store_dir(base + "/store");
  Floor floor;
  std::string err;
  if (watched && !w.Start({tree}, g_watch_args, &err)) {
    fprintf(stderr, "watch failed: %s\n", err.c_str());
    return -1;
  }
  if (under == Under::kFloor && !floor.Start(tree, FloorLeases())) {
    fprintf(stderr, "floor listener failed\n");
    return -1;
  }
  double cpu0 = watched ? CpuSeconds(w.pid()) : 0;
  Workload job;
  job.Start({"/bin/sh", "-c", b.script}, base + "/out.log", tree);
  bool finished = job.Wait(300);
  floor.Stop();
  if (watched) {
    *vigie_cpu += CpuSeconds(w.pid()) - cpu0;
    for (const auto& e : w.Events())
      if (e.value("event", "") == "alert") *stopped = true;
    w.Stop();
    for (const auto& e : w.Events())
      if (e.value("event", "") == "exit" && e.contains("stats")) {
        *opens += e["stats"].value("opens", 0.0);
        if (g_print_stats) fprintf(stderr, "%s: %s\n", b.name.c_str(), e["stats"].dump().c_str());
      } else if (g_print_stats &&
                 (e.value("event", "") == "evidence" || e.value("event", "") == "leases")) {
        // Why an honest workload lost the fast path (evidence needs --watch-arg --verbose).
        fprintf(stderr, "%s: %s\n", b.name.c_str(), e.dump().c_str());
      }
  }
  if (!finished || !job.exited() || job.code() != 0) {
    if (job.signaled()) *stopped = true;
    return -1;
  }
  return job.seconds();
}

}  // namespace

int main(int argc, char** argv) {
  g_print_stats = getenv("VIGIE_BENCH_STATS") != nullptr;
  size_t files = 1200;
  int runs = 8, max_runs = 30;
  double seconds = 4;
  std::string only;
  bool skip_modes = false, skip_workloads = false;
  std::string fs_kind = "ext4";
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--files") && i + 1 < argc)
      files = size_t(atol(argv[++i]));
    else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
      runs = std::max(1, atoi(argv[++i]));
    else if (!strcmp(argv[i], "--max-runs") && i + 1 < argc)
      max_runs = std::max(1, atoi(argv[++i]));
    else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
      seconds = std::max(0.0, atof(argv[++i]));
    else if (!strcmp(argv[i], "--only") && i + 1 < argc)
      only = argv[++i];
    else if (!strcmp(argv[i], "--workloads-only"))
      skip_modes = true;
    else if (!strcmp(argv[i], "--modes-only"))
      skip_workloads = true;
    else if (!strcmp(argv[i], "--fs") && i + 1 < argc)
      fs_kind = argv[++i];
    else if (!strcmp(argv[i], "--watch-arg") && i + 1 < argc)
      g_watch_args.push_back(argv[++i]);
    else {
      fprintf(stderr,
              "usage: vigie-watch-bench [--files N] [--runs N] [--seconds S] [--max-runs N] "
              "[--only NAME]\n"
              "                         [--workloads-only] [--modes-only] [--fs ext4|tmp] "
              "[--watch-arg ARG]...\n"
              "  --runs N      rounds of runs per honest workload, at least (default 8)\n"
              "  --seconds S   more rounds until the plain runs add up to S seconds (default 4)\n"
              "  --max-runs N  but no more rounds than N (default 30)\n"
              "  --fs ext4  trees on a journaled ext4 image made and loop-mounted for the run "
              "(default)\n"
              "  --fs tmp   trees in /tmp\n"
              "  --watch-arg ARG  pass ARG to vigie watch for the honest workloads\n");
      return 2;
    }
  }
  if (geteuid() != 0) {
    fprintf(stderr, "vigie-watch-bench: needs root (fanotify)\n");
    return 2;
  }
  std::string top = MakeTempDir("vigie-watch-bench");
  std::string base = top;
  ScratchFs scratch;
  if (fs_kind == "ext4") {
    std::string err;
    if (scratch.Make(top, 8, &err)) {
      base = scratch.dir();
    } else {
      fprintf(stderr, "vigie-watch-bench: %s; the trees stay in %s\n", err.c_str(), top.c_str());
    }
  }
  std::string tmpl = base + "/template";
  size_t made = GenerateTree(tmpl, files, 2026);
  printf("tree: %zu documents (docx, xlsx, pdf, jpg, png, sqlite, doc, xls, txt, csv, md, log)\n",
         made);
  printf("file system: %s\n\n",
         base == top ? top.c_str() : "journaled ext4 image, loop-mounted (store on it too)");
  std::vector<Mode> modes = {
      {"in-place", {"--mode", "inplace"}, {}},
      {"copy-then-delete", {"--mode", "copy-delete"}, {}},
      {"delete-then-copy", {"--mode", "delete-copy"}, {}},
      {"copy renamed over", {"--mode", "replace"}, {}},
      {"rename .ryk", {"--mode", "rename", "--ext", "ryk"}, {}},
      {"move across dirs", {"--mode", "move"}, {}},
      {"intermittent", {"--mode", "intermittent"}, {}},
      {"header-preserving", {"--mode", "header"}, {}},
      {"mmap", {"--mode", "mmap"}, {}},
      {"footer appended", {"--mode", "reopen"}, {}},
      {"read then rewrite", {"--mode", "readfirst"}, {}},
      {"ransom notes", {"--mode", "inplace", "--notes"}, {}},
      {"4 workers", {"--mode", "inplace", "--workers", "4"}, {}},
      {"3 setsid workers", {"--mode", "inplace", "--workers", "3", "--setsid-workers"}, {}},
      {"slow (200 ms/file)", {"--mode", "inplace", "--delay-ms", "200"}, {}},
      {"binary in /tmp", {"--mode", "inplace", "--exe", "tmp"}, {}},
      {"binary deleted", {"--mode", "inplace", "--exe", "deleted"}, {}},
      {"binary renamed", {"--mode", "inplace", "--exe", "renamed"}, {}},
      {"in-place + decoys", {"--mode", "inplace"}, {"--decoys"}},
  };
  printf("%-20s %8s %8s %6s %14s\n", "simulator mode", "stopped", "touched", "lost",
         "write->stop ms");
  int bad = 0;
  for (const Mode& m : modes) {
    if ((!only.empty() && only != m.name) || skip_modes) continue;
    std::string tree = base + "/tree";
    RemoveTree(tree);
    fs::copy(tmpl, tree, fs::copy_options::recursive);
    Watcher w;
    w.set_store_dir(base + "/store");
    std::string err;
    if (!w.Start({tree}, m.watch, &err)) {
      printf("%-20s watch failed: %s\n", m.name, err.c_str());
      bad++;
      continue;
    }
    SimReport r = RunSimulator(w, tree, m.sim, 120);
    w.Stop();
    double ms = r.first_write > 0 && r.stop_time > 0 ? (r.stop_time - r.first_write) * 1000 : -1;
    char delay[32];
    if (r.first_write == 0)
      snprintf(delay, sizeof delay, "before 1st");
    else
      snprintf(delay, sizeof delay, "%.1f", ms);
    printf("%-20s %8s %8d %6zu %14s\n", m.name, r.stopped_by_vigie ? "yes" : "NO", r.touched,
           r.lost, delay);
    fflush(stdout);
    if (!r.stopped_by_vigie || r.lost) {
      bad++;
      // What went wrong, for whoever reads the run.
      for (const std::string& p : r.lost_paths) fprintf(stderr, "%s: lost %s\n", m.name, p.c_str());
      fprintf(stderr, "%s", w.Stderr().c_str());
    }
  }
  // Each round is a triple of runs in rotating order: plain, under the floor listener (vigie's
  // leases and marks, no work), and under vigie watch. Slowdown: the median over the rounds of
  // the ratio to the plain run of the same round (so a machine that drifts slower or faster
  // affects both), with its 95% confidence interval, for vigie, and the median for the floor.
  // Per open: the wall time vigie adds per permission event.
  printf("\n%-20s %8s %5s %9s %9s %9s %13s %9s %9s %8s %9s\n", "honest workload", "stopped", "runs",
         "plain s", "watched s", "slowdown", "95% interval", "floor", "vigie cpu", "opens",
         "us/open");
  for (const Benign& b : BenignWorkloads()) {
    if ((!only.empty() && only != b.name) || skip_workloads) continue;
    bool missing = false;
    for (const std::string& t : b.tools) missing |= !HaveTool(t);
    if (missing) {
      printf("%-20s (tool missing, skipped)\n", b.name.c_str());
      continue;
    }
    std::vector<double> plain, watched, ratios, floor_ratios;
    bool stopped = false, failed = false;
    double cpu = 0, opens = 0, plain_total = 0;
    int rounds = 0;
    for (int i = 0; i < max_runs && (i < runs || plain_total < seconds); ++i) {
      double t[3] = {0, 0, 0};
      const Under order[3] = {Under::kPlain, Under::kFloor, Under::kWatch};
      for (int k = 0; k < 3; ++k) {
        int which = (i + k) % 3;
        bool dummy = false;
        t[which] = TimeOnce(b, base, order[which],
                            order[which] == Under::kWatch ? &stopped : &dummy, &cpu, &opens);
        if (t[which] < 0) failed = true;
      }
      if (t[0] > 0 && t[2] > 0) ratios.push_back(t[2] / t[0]);
      if (t[0] > 0 && t[1] > 0) floor_ratios.push_back(t[1] / t[0]);
      plain.push_back(t[0]);
      watched.push_back(t[2]);
      plain_total += std::max(0.0, t[0]);
      rounds++;
      if (failed || stopped) break;
    }
    double mp = Median(plain), mw = Median(watched);
    double cpu_share = mp > 0 ? cpu / rounds / mp * 100 : 0;
    double slowdown = ratios.empty() ? 0 : (Median(ratios) - 1) * 100;
    auto [lo, hi] = MedianInterval(ratios);
    char interval[32];
    snprintf(interval, sizeof interval, "%.1f..%.1f%%", (lo - 1) * 100, (hi - 1) * 100);
    double floor = floor_ratios.empty() ? 0 : (Median(floor_ratios) - 1) * 100;
    double per_run = opens / rounds;
    printf("%-20s %8s %5d %9.3f %9.3f %8.1f%% %13s %8.1f%% %8.1f%% %8.0f %9.1f%s\n", b.name.c_str(),
           stopped ? "YES" : "no", rounds, mp, mw, slowdown, ratios.empty() ? "-" : interval, floor,
           cpu_share, per_run, per_run > 0 ? (mw - mp) / per_run * 1e6 : 0.0,
           failed ? " (a run failed)" : "");
    fflush(stdout);
    if (stopped || failed) bad++;
  }
  RemoveTree(base + "/template");
  RemoveTree(base + "/tree");
  RemoveTree(base + "/store");
  scratch.Remove();
  RemoveTree(top);
  return bad ? 1 : 0;
}
