// Process plumbing for the vigie watch tests and benchmark; see harness.h.
#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "treegen.h"

namespace vigie::watch::testing {

std::string BinaryDir() {
  if (const char* e = getenv("VIGIE_BINARY_DIR")) return e;
#ifdef VIGIE_BINARY_DIR
  return VIGIE_BINARY_DIR;
#else
  return ".";
#endif
}

std::string VigiePath() { return BinaryDir() + "/app/watch/vigie"; }
std::string RansimPath() { return BinaryDir() + "/tests/watch/vigie-ransim"; }

std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) return {};
  return buf.data();
}

void RemoveTree(const std::string& path) {
  std::error_code ec;
  if (path.rfind("/tmp/", 0) == 0) std::filesystem::remove_all(path, ec);
}

double Now() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

static std::string ReadFile(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Workload::~Workload() { Kill(); }

bool Workload::Start(const std::vector<std::string>& argv, const std::string& out_file,
                     const std::string& cwd, const std::vector<std::string>& env) {
  out_file_ = out_file;
  start_ = Now();
  pid_ = fork();
  if (pid_ < 0) return false;
  if (pid_ == 0) {
    setpgid(0, 0);
    int fd = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    for (const std::string& e : env) putenv(strdup(e.c_str()));
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  setpgid(pid_, pid_);
  return true;
}

bool Workload::Wait(double timeout, bool stopped_ok) {
  if (pid_ <= 0 || reaped_) return true;
  double deadline = Now() + timeout;
  for (;;) {
    int status;
    pid_t r = waitpid(pid_, &status, WNOHANG | (stopped_ok ? WUNTRACED : 0));
    if (r == pid_) {
      end_ = Now();
      if (WIFSTOPPED(status)) {
        stopped_ = true;
        return true;
      }
      reaped_ = true;
      exited_ = WIFEXITED(status);
      signaled_ = WIFSIGNALED(status);
      code_ = exited_ ? WEXITSTATUS(status) : -1;
      signal_ = signaled_ ? WTERMSIG(status) : 0;
      kill(-pid_, SIGKILL);  // leftover workers in its group
      return true;
    }
    if (r < 0) {
      reaped_ = true;
      return true;
    }
    if (Now() > deadline) {
      Kill();
      return false;
    }
    usleep(2000);
  }
}

void Workload::Kill() {
  if (pid_ <= 0 || reaped_) return;
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);
  int status;
  waitpid(pid_, &status, 0);
  reaped_ = true;
  if (end_ == 0) end_ = Now();
}

std::string Workload::Output() const { return ReadFile(out_file_); }

Watcher::~Watcher() {
  Stop();
  RemoveTree(dir_);
  if (!store_dir_.empty()) RemoveTree(store_dir_);
}

bool Watcher::Start(const std::vector<std::string>& roots, const std::vector<std::string>& extra,
                    std::string* err, const std::string& lock_dir) {
  dir_ = MakeTempDir("vigie-watcher");
  std::vector<std::string> argv = {VigiePath(), "watch"};
  argv.insert(argv.end(), roots.begin(), roots.end());
  std::string store = store_dir_.empty() ? dir_ + "/store" : store_dir_;
  std::vector<std::string> fixed = {"--store",       store,
                                    "--lock-dir",    lock_dir.empty() ? dir_ + "/lock" : lock_dir,
                                    "--json",        dir_ + "/events.json",
                                    "--confine-to",  std::to_string(getpid()),
                                    "--max-seconds", "600"};
  argv.insert(argv.end(), fixed.begin(), fixed.end());
  argv.insert(argv.end(), extra.begin(), extra.end());
  if (tmpfs_kib_ > 0) {
    std::filesystem::create_directories(dir_ + "/store");
    std::vector<std::string> wrapped = {"unshare",
                                        "-m",
                                        "--propagation",
                                        "private",
                                        "sh",
                                        "-c",
                                        "mount -t tmpfs -o size=" + std::to_string(tmpfs_kib_) +
                                            "k vigie-test-store '" + dir_ +
                                            "/store' && exec \"$@\"",
                                        "sh"};
    wrapped.insert(wrapped.end(), argv.begin(), argv.end());
    argv = std::move(wrapped);
  }
  if (!proc_.Start(argv, dir_ + "/stderr.log")) {
    *err = "fork failed";
    return false;
  }
  running_ = true;
  double deadline = Now() + 20;
  while (Now() < deadline) {
    if (Stderr().find("watching ") != std::string::npos) return true;
    int status;
    if (waitpid(proc_.pid(), &status, WNOHANG) == proc_.pid()) {
      running_ = false;
      proc_ = Workload();
      *err = "vigie watch exited with status " +
             std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) +
             ": " + ReadFile(dir_ + "/stderr.log");
      last_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      return false;
    }
    usleep(5000);
  }
  *err = "vigie watch did not get ready: " + Stderr();
  Stop();
  return false;
}

int Watcher::Stop() {
  if (!running_) return last_status_;
  running_ = false;
  kill(proc_.pid(), SIGTERM);
  if (!proc_.Wait(20)) return -1;
  last_status_ = proc_.exited() ? proc_.code() : -1;
  return last_status_;
}

bool Watcher::WaitEvent(const std::string& name, double timeout) const {
  double deadline = Now() + timeout;
  do {
    for (const auto& e : Events())
      if (e.value("event", "") == name) return true;
    usleep(5000);
  } while (Now() < deadline);
  return false;
}

std::vector<nlohmann::json> Watcher::Events() const {
  std::vector<nlohmann::json> out;
  std::istringstream in(ReadFile(dir_ + "/events.json"));
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded()) out.push_back(std::move(j));
  }
  return out;
}

std::string Watcher::Stderr() const { return ReadFile(dir_ + "/stderr.log"); }

SimReport RunSimulator(Watcher& w, const std::string& tree, const std::vector<std::string>& args,
                       double timeout, bool expect_stop) {
  SimReport r;
  auto before = Snapshot(tree);
  std::string marker = tree + "/.ransim-target";
  { std::ofstream(marker) << "vigie test tree\n"; }
  std::string out = w.dir() + "/ransim.out";
  Workload sim;
  std::vector<std::string> argv = {RansimPath(), "--root", tree};
  argv.insert(argv.end(), args.begin(), args.end());
  sim.Start(argv, out);
  sim.Wait(timeout, /*stopped_ok=*/true);
  r.stopped_by_vigie = sim.stopped() || (sim.signaled() && sim.signal() == SIGKILL);
  if (expect_stop) r.restored_event = w.WaitEvent("restored", 10);
  // Ensure nothing of it keeps running (stop mode, or a worker in another session).
  sim.Kill();
  // Workers that escaped the group before their parent was seen form actors of their own, each
  // convicted and restored on its own: wait until every action has its restore, and the count
  // has held for a moment (a late conviction).
  if (expect_stop) {
    double deadline = Now() + 10, stable_since = Now();
    size_t last = 0;
    for (;;) {
      size_t actions = 0, restores = 0;
      for (const auto& e : w.Events()) {
        std::string ev = e.value("event", "");
        if (ev == "action" && e.value("action", "") != "report") actions++;
        if (ev == "restored") restores++;
      }
      if (actions != last) {
        last = actions;
        stable_since = Now();
      }
      if ((restores >= actions && Now() - stable_since > 0.3) || Now() > deadline) break;
      usleep(5000);
    }
  }
  std::string text = sim.Output();
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("touch ", 0) == 0) r.touched++;
    if (line.rfind("first-write ", 0) == 0) {
      // Each worker reports its own: the earliest counts.
      double t = std::atof(line.c_str() + 12);
      if (r.first_write == 0 || t < r.first_write) r.first_write = t;
    }
    if (line.rfind("payload-dir ", 0) == 0) RemoveTree(line.substr(12));
  }
  for (const auto& e : w.Events())
    if (e.value("event", "") == "action" && r.stop_time == 0) r.stop_time = e.value("time", 0.0);
  unlink(marker.c_str());
  Loss l = Compare(before, Snapshot(tree));
  r.lost = l.lost;
  r.extra = l.extra;
  r.first_lost = l.first;
  r.lost_paths = l.paths;
  r.sim_output = text;
  return r;
}

}  // namespace vigie::watch::testing
