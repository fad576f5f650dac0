// /proc readers. See proc_info.h: every field tolerates the process exiting mid-read.
#include "watch/proc_info.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <vector>

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
  }
  close(fd);
  if (out.size() > cap) out.resize(cap);
  return out;
}

}  // namespace

bool ParseStat(const std::string& stat, ProcInfo* out) {
  // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
  //  stime cutime cstime priority nice num_threads itrealvalue starttime ..."
  size_t open_paren = stat.find('(');
  size_t close_paren = stat.rfind(')');
  if (open_paren == std::string::npos || close_paren == std::string::npos ||
      close_paren < open_paren)
    return false;
  out->comm = stat.substr(open_paren + 1, close_paren - open_paren - 1);
  std::istringstream rest(stat.substr(close_paren + 1));
  std::vector<std::string> f;
  std::string tok;
  while (rest >> tok && f.size() < 24) f.push_back(tok);
  if (f.size() < 20) return false;
  // f[0] is the state; fields after comm are numbered from 3 in proc(5).
  out->ppid = pid_t(std::strtol(f[1].c_str(), nullptr, 10));
  out->pgid = pid_t(std::strtol(f[2].c_str(), nullptr, 10));
  out->sid = pid_t(std::strtol(f[3].c_str(), nullptr, 10));
  out->start_time = std::strtoull(f[19].c_str(), nullptr, 10);
  return true;
}

ProcInfo ReadProc(pid_t tid) {
  ProcInfo p;
  p.tid = tid;
  p.pid = tid;
  std::string base = "/proc/" + std::to_string(tid);
  std::string status = ReadSmall(base + "/status", 8192);
  size_t tg = status.find("\nTgid:");
  if (tg != std::string::npos) p.pid = pid_t(std::strtol(status.c_str() + tg + 6, nullptr, 10));
  if (p.pid <= 0) p.pid = tid;
  std::string pbase = "/proc/" + std::to_string(p.pid);
  p.alive = ParseStat(ReadSmall(pbase + "/stat", 4096), &p);
  char buf[PATH_MAX];
  ssize_t n = readlink((pbase + "/exe").c_str(), buf, sizeof buf - 1);
  if (n > 0) p.exe.assign(buf, size_t(n));
  std::string cmd = ReadSmall(pbase + "/cmdline", 8192);
  while (!cmd.empty() && cmd.back() == '\0') cmd.pop_back();
  for (char& c : cmd)
    if (c == '\0') c = ' ';
  p.cmdline = std::move(cmd);
  return p;
}

std::optional<int> BlockedOpenFlags(pid_t tid) {
#if defined(__x86_64__)
  std::string s = ReadSmall("/proc/" + std::to_string(tid) + "/syscall", 512);
  if (s.empty()) return std::nullopt;
  std::istringstream in(s);
  long nr = -1;
  in >> nr;
  std::vector<unsigned long long> a;
  std::string tok;
  while (in >> tok && a.size() < 6) a.push_back(std::strtoull(tok.c_str(), nullptr, 16));
  if (a.size() < 4) return std::nullopt;
  switch (nr) {
    case SYS_open:
      return int(a[1]);
    case SYS_openat:
      return int(a[2]);
    case SYS_creat:
      return O_WRONLY | O_CREAT | O_TRUNC;
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
  (void)tid;
  return std::nullopt;
#endif
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
