// vigie-watch-bench: the figures of vigie watch.
//
// Per simulator mode, on a fresh copy of a generated tree of mixed documents (default 1,200
// files): files the simulator opened to destroy before it was stopped, files lost after
// vigie's restore (target 0), and the time from its first encrypted write to vigie's action
// (target under 100 ms). Per honest workload: whether vigie stopped it (target: never) and
// its slowdown under watch (fastest of --runs runs with and without vigie, alternated; target
// under 5%), and the CPU time vigie itself spent during the workload, as a share of the
// workload's plain time (a figure that the load of a shared machine does not blur).
// Needs root. Usage: vigie-watch-bench [--files N] [--runs N] [--only NAME] [--workloads-only]
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
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

// The fastest run: on a shared, loaded machine the noise only ever adds time.
double Best(const std::vector<double>& v) {
  double best = 0;
  for (double x : v)
    if (x > 0 && (best == 0 || x < best)) best = x;
  return best;
}

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

// One timed run of a workload on a fresh setup; returns seconds, or -1 when it failed.
double TimeOnce(const Benign& b, const std::string& base, bool watched, bool* stopped,
                double* vigie_cpu) {
  std::string tree = base + "/tree";
  RemoveTree(tree);
  SetUpBenign(b, tree);
  sync();
  // Let the writeback of the setup settle the same way before both kinds of run.
  usleep(500000);
  Watcher w;
  std::string err;
  if (watched && !w.Start({tree}, {}, &err)) {
    fprintf(stderr, "watch failed: %s\n", err.c_str());
    return -1;
  }
  double cpu0 = watched ? CpuSeconds(w.pid()) : 0;
  Workload job;
  job.Start({"/bin/sh", "-c", b.script}, base + "/out.log", tree);
  bool finished = job.Wait(300);
  if (watched) {
    *vigie_cpu += CpuSeconds(w.pid()) - cpu0;
    for (const auto& e : w.Events())
      if (e.value("event", "") == "alert") *stopped = true;
    w.Stop();
  }
  if (!finished || !job.exited() || job.code() != 0) {
    if (job.signaled()) *stopped = true;
    return -1;
  }
  return job.seconds();
}

}  // namespace

int main(int argc, char** argv) {
  size_t files = 1200;
  int runs = 5;
  std::string only;
  bool skip_modes = false;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--files") && i + 1 < argc)
      files = size_t(atol(argv[++i]));
    else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
      runs = std::max(1, atoi(argv[++i]));
    else if (!strcmp(argv[i], "--only") && i + 1 < argc)
      only = argv[++i];
    else if (!strcmp(argv[i], "--workloads-only"))
      skip_modes = true;
    else {
      fprintf(stderr,
              "usage: vigie-watch-bench [--files N] [--runs N] [--only NAME] [--workloads-only]\n");
      return 2;
    }
  }
  if (geteuid() != 0) {
    fprintf(stderr, "vigie-watch-bench: needs root (fanotify)\n");
    return 2;
  }
  std::string base = MakeTempDir("vigie-watch-bench");
  std::string tmpl = base + "/template";
  size_t made = GenerateTree(tmpl, files, 2026);
  printf("tree: %zu documents (docx, xlsx, pdf, jpg, png, sqlite, doc, xls, txt, csv, md, log)\n\n",
         made);
  std::vector<Mode> modes = {
      {"in-place", {"--mode", "inplace"}, {}},
      {"copy-then-delete", {"--mode", "copy-delete"}, {}},
      {"copy renamed over", {"--mode", "replace"}, {}},
      {"rename .ryk", {"--mode", "rename", "--ext", "ryk"}, {}},
      {"move across dirs", {"--mode", "move"}, {}},
      {"intermittent", {"--mode", "intermittent"}, {}},
      {"header-preserving", {"--mode", "header"}, {}},
      {"mmap", {"--mode", "mmap"}, {}},
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
    if (!r.stopped_by_vigie || r.lost) bad++;
  }
  printf("\n%-20s %8s %10s %10s %9s %11s\n", "honest workload", "stopped", "plain s", "watched s",
         "slowdown", "vigie cpu");
  for (const Benign& b : BenignWorkloads()) {
    if (!only.empty() && only != b.name) continue;
    bool missing = false;
    for (const std::string& t : b.tools) missing |= !HaveTool(t);
    if (missing) {
      printf("%-20s (tool missing, skipped)\n", b.name.c_str());
      continue;
    }
    std::vector<double> plain, watched;
    bool stopped = false, failed = false;
    double cpu = 0;
    for (int i = 0; i < runs; ++i) {
      // Alternate which kind runs first, so that neither inherits the other's leftovers.
      double p = 0, wt = 0;
      if (i % 2 == 0) {
        p = TimeOnce(b, base, false, &stopped, &cpu);
        wt = TimeOnce(b, base, true, &stopped, &cpu);
      } else {
        wt = TimeOnce(b, base, true, &stopped, &cpu);
        p = TimeOnce(b, base, false, &stopped, &cpu);
      }
      if (p < 0 || wt < 0) failed = true;
      plain.push_back(p);
      watched.push_back(wt);
    }
    double mp = Best(plain), mw = Best(watched);
    double cpu_share = mp > 0 ? cpu / runs / mp * 100 : 0;
    printf("%-20s %8s %10.3f %10.3f %8.1f%% %10.1f%%%s\n", b.name.c_str(), stopped ? "YES" : "no",
           mp, mw, mp > 0 ? (mw - mp) / mp * 100 : 0.0, cpu_share, failed ? " (a run failed)" : "");
    fflush(stdout);
    if (stopped || failed) bad++;
  }
  RemoveTree(base);
  return bad ? 1 : 0;
}
