// /proc readers. See proc_info.h: every field tolerates the process exiting mid-read.
#include "watch/proc_info.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace vigie::watch {
namespace {

std::string ReadSmall(const std::string& path, size_t cap = 64 * 1024) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string out;
  char buf[4096];
  while (out.size() < cap) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    out.append(buf, size_t(r));
    // These /proc files hand out all they have to a read that asks for more: a short read is
    // the end (one system call less than reading on to 0).
    if (size_t(r) < sizeof buf) break;
  }
  close(fd);
  if (out.size() > cap) out.resize(cap);
  return out;
}

std::string CmdlineOf(const std::string& base) {
  std::string cmd = ReadSmall(base + "/cmdline", 8192);
  while (!cmd.empty() && cmd.back() == '\0') cmd.pop_back();
  for (char& c : cmd)
    if (c == '\0') c = ' ';
  return cmd;
}

}  // namespace

bool ParseStat(const std::string& stat, ProcInfo* out, int* threads) {
  // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
  //  stime cutime cstime priority nice num_threads itrealvalue starttime ..."
  size_t open_paren = stat.find('(');
  size_t close_paren = stat.rfind(')');
  if (open_paren == std::string::npos || close_paren == std::string::npos ||
      close_paren < open_paren)
    return false;
  out->comm = stat.substr(open_paren + 1, close_paren - open_paren - 1);
  // The fields after comm, split on spaces: f[0] is the state (field 3 in proc(5)).
  std::string_view rest(stat);
  rest.remove_prefix(close_paren + 1);
  std::string_view f[20];
  size_t n = 0;
  while (n < 20) {
    size_t start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    size_t end = std::min(rest.find_first_of(" \n"), rest.size());
    f[n++] = rest.substr(0, end);
    rest.remove_prefix(end);
  }
  if (n < 20) return false;
  auto number = [](std::string_view v) {
    unsigned long long x = 0;
    bool negative = !v.empty() && v[0] == '-';
    for (char c : v.substr(negative ? 1 : 0)) {
      if (c < '0' || c > '9') break;
      x = x * 10 + unsigned(c - '0');
    }
    return negative ? -(long long)(x) : (long long)(x);
  };
  out->ppid = pid_t(number(f[1]));
  out->pgid = pid_t(number(f[2]));
  out->sid = pid_t(number(f[3]));
  out->start_time = uint64_t(number(f[19]));
  if (threads) *threads = int(number(f[17]));
  return true;
}

ProcInfo ReadProc(pid_t tid, bool cmdline) {
  ProcInfo p;
  p.tid = tid;
  p.pid = tid;
  // The thread's stat line. A thread that is the only one of its process is the process
  // (a group leader that exits before its threads stays counted until they are gone); other
  // threads find their process in status.
  std::string base = "/proc/" + std::to_string(tid);
  std::string stat = ReadSmall(base + "/stat", 4096);
  int threads = 0;
  p.alive = ParseStat(stat, &p, &threads);
  if (threads != 1) {
    std::string status = ReadSmall(base + "/status", 8192);
    size_t tg = status.find("\nTgid:");
    if (tg != std::string::npos) p.pid = pid_t(std::strtol(status.c_str() + tg + 6, nullptr, 10));
    if (p.pid <= 0) p.pid = tid;
    if (p.pid != tid)
      p.alive = ParseStat(ReadSmall("/proc/" + std::to_string(p.pid) + "/stat", 4096), &p);
  }
  std::string pbase = "/proc/" + std::to_string(p.pid);
  char buf[PATH_MAX];
  ssize_t n = readlink((pbase + "/exe").c_str(), buf, sizeof buf - 1);
  if (n > 0) p.exe.assign(buf, size_t(n));
  if (cmdline) p.cmdline = CmdlineOf(pbase);
  return p;
}

std::string ReadCmdline(const ProcInfo& p) {
  std::string base = "/proc/" + std::to_string(p.pid);
  ProcInfo now;
  if (!ParseStat(ReadSmall(base + "/stat", 4096), &now) || now.start_time != p.start_time)
    return {};
  return CmdlineOf(base);
}

std::optional<int> OpenFlagsFromSyscall(std::string_view line, pid_t tid) {
#if defined(__x86_64__)
  // "NR ARG1 ARG2 ARG3 ARG4 ARG5 ARG6 SP PC", the arguments in hexadecimal; "running" or
  // "-1 SP PC" when the thread is not in a system call.
  std::string text(line.substr(0, 511));
  const char* p = text.c_str();
  char* end = nullptr;
  errno = 0;
  long nr = std::strtol(p, &end, 10);
  if (end == p || errno != 0) return std::nullopt;
  unsigned long long a[6];
  int n = 0;
  for (p = end; n < 6; ++n) {
    while (*p == ' ') ++p;
    if (*p == '\0' || *p == '\n') break;
    a[n] = std::strtoull(p, &end, 16);
    if (end == p) break;
    p = end;
  }
  if (n < 4) return std::nullopt;
  switch (nr) {
    case SYS_open:
      return int(a[1]);
    case SYS_openat:
      return int(a[2]);
    case SYS_creat:
      return O_WRONLY | O_CREAT | O_TRUNC;
    case SYS_execve:
    case SYS_execveat:
      // A file being executed cannot be opened for writing (ETXTBSY).
      return O_RDONLY;
    case SYS_openat2: {
      // struct open_how starts with the 64-bit flags; read it from the blocked process.
      uint64_t flags = 0;
      int fd = open(("/proc/" + std::to_string(tid) + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return std::nullopt;
      ssize_t r = pread(fd, &flags, sizeof flags, off_t(a[2]));
      close(fd);
      if (r != sizeof flags) return std::nullopt;
      return int(flags);
    }
    default:
      return std::nullopt;
  }
#else
  (void)line;
  (void)tid;
  return std::nullopt;
#endif
}

std::optional<int> BlockedOpenFlags(pid_t tid) {
  SyscallReader reader;
  return reader.OpenFlags(tid);
}

SyscallReader::~SyscallReader() {
  for (const auto& [tid, fd] : fds_) close(fd);
}

std::optional<int> SyscallReader::OpenFlags(pid_t tid) {
  char buf[512];
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto it = fds_.find(tid);
    if (it == fds_.end()) {
      if (fds_.size() >= kMaxOpen) {
        for (const auto& [t, fd] : fds_) close(fd);
        fds_.clear();
      }
      char path[64];
      snprintf(path, sizeof path, "/proc/%d/syscall", int(tid));
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) return std::nullopt;
      it = fds_.emplace(tid, fd).first;
    }
    // Each read from offset 0 shows the thread's current call. A descriptor of a thread that
    // exited fails (ESRCH), even when a new thread took its id: it is opened again once.
    ssize_t n = pread(it->second, buf, sizeof buf - 1, 0);
    if (n > 0) return OpenFlagsFromSyscall(std::string_view(buf, size_t(n)), tid);
    close(it->second);
    fds_.erase(it);
  }
  return std::nullopt;
}

std::string SuspiciousExe(const ProcInfo& p) {
  const std::string& e = p.exe;
  if (e.empty()) return {};
  constexpr std::string_view kDeleted = " (deleted)";
  if (e.size() > kDeleted.size() &&
      e.compare(e.size() - kDeleted.size(), kDeleted.size(), kDeleted) == 0)
    return "executable deleted";
  std::string base = e.substr(e.rfind('/') + 1);
  // comm holds at most 15 bytes of the name the program was started as.
  if (!p.comm.empty() && base.compare(0, p.comm.size(), p.comm) != 0 && p.comm.size() < 15 &&
      p.comm.find('/') == std::string::npos) {
    // Interpreters and multi-call binaries set their own comm; only a name that matches
    // neither counts, and only for programs outside the system directories.
    if (e.rfind("/usr/", 0) != 0 && e.rfind("/bin/", 0) != 0 && e.rfind("/sbin/", 0) != 0)
      return "executable renamed after start (started as " + p.comm + ")";
  }
  for (const char* dir : {"/tmp/", "/var/tmp/", "/dev/shm/"})
    if (e.rfind(dir, 0) == 0) return std::string("runs from ") + dir;
  return {};
}

bool DescendsFrom(pid_t pid, pid_t ancestor) {
  for (int depth = 0; depth < 256 && pid > 1; ++depth) {
    if (pid == ancestor) return true;
    ProcInfo p;
    if (!ParseStat(ReadSmall("/proc/" + std::to_string(pid) + "/stat", 4096), &p)) return false;
    pid = p.ppid;
  }
  return pid == ancestor;
}

}  // namespace vigie::watch
