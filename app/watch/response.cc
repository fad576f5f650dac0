// Process-tree targeting for the response; see response.h.
#include "watch/response.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <deque>
#include <map>
#include <set>

namespace vigie::watch {
namespace {

std::string StatOf(pid_t pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  char buf[1024];
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  return n > 0 ? std::string(buf, size_t(n)) : std::string();
}

char StateOf(const std::string& stat) {
  size_t p = stat.rfind(')');
  return p != std::string::npos && p + 2 < stat.size() ? stat[p + 2] : 0;
}

}  // namespace

bool SignalGuard::Allowed(pid_t pid) const {
  if (pid <= 1 || pid == getpid()) return false;
  // Our ancestors.
  pid_t a = getppid();
  for (int i = 0; i < 256 && a > 1; ++i) {
    if (a == pid) return false;
    ProcInfo p;
    if (!ParseStat(StatOf(a), &p)) break;
    a = p.ppid;
  }
  ProcInfo p;
  if (!ParseStat(StatOf(pid), &p)) return false;
  if (p.pgid == getpgrp()) return false;
  if (confine_to > 0 && (pid == confine_to || !DescendsFrom(pid, confine_to))) return false;
  return true;
}

std::vector<ProcInfo> TargetsOf(const Actor& a, const SignalGuard& guard) {
  std::set<pid_t> pgids;
  std::set<pid_t> chosen;
  for (const auto& [pid, info] : a.procs) {
    if (info.pgid > 1) pgids.insert(info.pgid);
    ProcInfo now;
    if (ParseStat(StatOf(pid), &now) && now.start_time == info.start_time) chosen.insert(pid);
  }
  std::map<pid_t, std::vector<pid_t>> children;
  if (DIR* d = opendir("/proc")) {
    while (dirent* e = readdir(d)) {
      pid_t pid = pid_t(std::strtol(e->d_name, nullptr, 10));
      if (pid <= 0) continue;
      ProcInfo p;
      if (!ParseStat(StatOf(pid), &p)) continue;
      children[p.ppid].push_back(pid);
      if (pgids.count(p.pgid) && p.pgid != getpgrp()) chosen.insert(pid);
    }
    closedir(d);
  }
  std::deque<pid_t> todo(chosen.begin(), chosen.end());
  while (!todo.empty() && chosen.size() < 100000) {
    pid_t p = todo.front();
    todo.pop_front();
    for (pid_t c : children[p])
      if (chosen.insert(c).second) todo.push_back(c);
  }
  std::vector<ProcInfo> out;
  for (pid_t pid : chosen) {
    if (!guard.Allowed(pid)) continue;
    ProcInfo p = ReadProc(pid);
    if (p.alive) out.push_back(std::move(p));
  }
  return out;
}

std::vector<pid_t> SignalAll(const std::vector<ProcInfo>& targets, int sig) {
  std::vector<pid_t> done;
  for (const ProcInfo& t : targets) {
    ProcInfo now;
    if (!ParseStat(StatOf(t.pid), &now) || now.start_time != t.start_time) continue;
    if (kill(t.pid, sig) == 0) done.push_back(t.pid);
  }
  return done;
}

bool AllHalted(const std::vector<pid_t>& pids, bool stopped_ok) {
  for (pid_t pid : pids) {
    char s = StateOf(StatOf(pid));
    if (s == 0 || s == 'Z' || s == 'X') continue;
    if (stopped_ok && (s == 'T' || s == 't')) continue;
    return false;
  }
  return true;
}

}  // namespace vigie::watch
