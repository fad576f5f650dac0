// What /proc says about a process that touched a watched file.
//
// Every read of /proc races with the exit of the process: files vanish (ENOENT), or read as
// empty (a zombie has no command line and no executable). Each field is therefore optional and
// the reader never fails; `alive` says whether the stat line was read at all. The start time
// (in clock ticks since boot) identifies a process across pid reuse.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vigie::watch {

struct ProcInfo {
  pid_t tid = 0;
  pid_t pid = 0;  // thread group id
  pid_t ppid = 0;
  pid_t pgid = 0;
  pid_t sid = 0;
  uint64_t start_time = 0;
  bool alive = false;
  std::string comm;     // name given at exec (kept when the binary is renamed afterwards)
  std::string exe;      // resolved /proc/PID/exe, may end with " (deleted)"
  std::string cmdline;  // arguments joined by spaces
};

// Reads /proc/TID/{stat,status,exe,cmdline}; `tid` may be any thread of the process. Without
// `cmdline` (only needed when a process is reported), one read less.
ProcInfo ReadProc(pid_t tid, bool cmdline = true);
// The command line of `p`, when the process still runs (same start time).
std::string ReadCmdline(const ProcInfo& p);

// Parses the content of /proc/PID/stat (exposed for tests: the comm field may hold spaces and
// parentheses).
// `threads`, when given, receives the thread count.
bool ParseStat(const std::string& stat, ProcInfo* out, int* threads = nullptr);

// Open flags of the open(2)/openat(2)/openat2(2)/creat(2) call that thread `tid` is blocked in,
// read from /proc/TID/syscall (the thread is blocked on our permission decision, so the
// arguments are stable); O_RDONLY for execve(2)/execveat(2). Empty when the call is not one of
// those or cannot be read.
std::optional<int> BlockedOpenFlags(pid_t tid);

// The same from the content of a /proc/TID/syscall file (exposed for tests).
std::optional<int> OpenFlagsFromSyscall(std::string_view line, pid_t tid);

// BlockedOpenFlags for a stream of permission events: keeps /proc/TID/syscall open per thread
// (a read from offset 0 shows the current call), so each event costs one pread instead of a
// path lookup, a read and a close. At most kMaxOpen descriptors; not thread-safe.
class SyscallReader {
 public:
  static constexpr size_t kMaxOpen = 1024;
  SyscallReader() = default;
  SyscallReader(const SyscallReader&) = delete;
  SyscallReader& operator=(const SyscallReader&) = delete;
  ~SyscallReader();
  std::optional<int> OpenFlags(pid_t tid);
  size_t open_descriptors() const { return fds_.size(); }

 private:
  std::unordered_map<pid_t, int> fds_;
};

// Reasons an executable looks like a dropped payload: runs from a world-writable temporary
// directory, its file was deleted, or it was renamed after start (exe name differs from comm).
std::string SuspiciousExe(const ProcInfo& p);

// True when `pid` is `ancestor` or descends from it (walks ppid links, bounded).
bool DescendsFrom(pid_t pid, pid_t ancestor);

}  // namespace vigie::watch
