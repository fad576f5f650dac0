// Running vigie watch and workloads under it, for the integration tests and the benchmark.
//
// Every child runs in its own process group, with bounded waits; whatever is left when a
// Watcher or a Workload goes away is killed by process group. vigie watch always runs with
// --confine-to <this process>, so it can only ever signal processes this harness started, and
// with a private lock directory, store and event file in a temporary directory.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vigie::watch::testing {

std::string BinaryDir();
std::string VigiePath();
std::string RansimPath();
std::string MakeTempDir(const std::string& prefix);
void RemoveTree(const std::string& path);
double Now();  // wall clock, seconds

// A child process in its own process group, stdout and stderr to files.
class Workload {
 public:
  Workload() = default;
  ~Workload();
  bool Start(const std::vector<std::string>& argv, const std::string& out_file,
             const std::string& cwd = "", const std::vector<std::string>& env = {});
  // Waits up to `timeout` seconds for the child to exit or (if `stopped_ok`) stop. On timeout
  // the process group is killed and false returned.
  bool Wait(double timeout, bool stopped_ok = false);
  bool exited() const { return exited_; }
  bool signaled() const { return signaled_; }
  bool stopped() const { return stopped_; }
  int code() const { return code_; }
  int signal() const { return signal_; }
  void Kill();
  pid_t pid() const { return pid_; }
  std::string Output() const;
  double seconds() const { return end_ - start_; }

 private:
  pid_t pid_ = -1;
  std::string out_file_;
  bool exited_ = false, signaled_ = false, stopped_ = false, reaped_ = false;
  int code_ = -1, signal_ = 0;
  double start_ = 0, end_ = 0;
};

class Watcher {
 public:
  Watcher() = default;
  ~Watcher();
  // Starts `vigie watch ROOTS... EXTRA...` and waits for its "watching" line.
  bool Start(const std::vector<std::string>& roots, const std::vector<std::string>& extra,
             std::string* err, const std::string& lock_dir = "");
  // SIGTERM, then SIGKILL after a bounded wait. Returns the exit status (or -1).
  int Stop();
  // Waits until an event named `name` shows up in the JSON stream.
  bool WaitEvent(const std::string& name, double timeout) const;
  std::vector<nlohmann::json> Events() const;
  std::string Stderr() const;
  const std::string& dir() const { return dir_; }
  pid_t pid() const { return proc_.pid(); }
  // Runs vigie in a private mount namespace whose store is a tmpfs of `kib` KiB (a full disk
  // on demand; the mount disappears with the namespace).
  void set_store_tmpfs(size_t kib) { tmpfs_kib_ = kib; }
  // Keeps the store in `dir` (it must not exist yet) instead of the watcher's temporary
  // directory: on the watched trees' file system, copies can be clones.
  void set_store_dir(const std::string& dir) { store_dir_ = dir; }

 private:
  Workload proc_;
  std::string dir_;
  std::string store_dir_;
  bool running_ = false;
  int last_status_ = -1;
  size_t tmpfs_kib_ = 0;
};

// The outcome of one simulator run (or workload) under watch.
struct SimReport {
  bool stopped_by_vigie = false;  // killed or stopped by a signal it did not send itself
  int touched = 0;                // files it opened to destroy before it was stopped
  double first_write = 0;         // wall clock of its first encrypted byte
  double stop_time = 0;           // wall clock of vigie's action
  size_t lost = 0, extra = 0;
  std::string first_lost;
  std::vector<std::string> lost_paths;  // every file lost (relative to the tree)
  std::string sim_output;               // what the simulator printed
  bool restored_event = false;
};

// Runs `vigie-ransim --root TREE args...` under a running watcher and measures it against
// the snapshot taken before.
SimReport RunSimulator(Watcher& w, const std::string& tree, const std::vector<std::string>& args,
                       double timeout, bool expect_stop = true);

}  // namespace vigie::watch::testing
