// Read leases on the files of the watched trees; see leases.h.
#include "watch/leases.h"

#include <fcntl.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace vigie::watch {
namespace {

constexpr unsigned kIgnore = FAN_MARK_IGNORED_MASK | FAN_MARK_IGNORED_SURV_MODIFY;

}  // namespace

Leases::~Leases() {
  for (auto& [fd, l] : by_fd_) {
    fcntl(fd, F_SETLEASE, F_UNLCK);
    close(fd);
  }
}

bool Leases::Take(int fd, const std::string& path, const struct stat* known, bool maybe_marked) {
  struct stat st;
  if (known) {
    st = *known;
  } else if (fstat(fd, &st) != 0) {
    return false;
  }
  // The lease notifies this process (F_SETLEASE makes it the owner) with `signo_`, whose
  // siginfo carries the descriptor. It fails when someone has the file open for writing.
  if (!S_ISREG(st.st_mode) || by_inode_.count({st.st_dev, st.st_ino}) ||
      fcntl(fd, F_SETSIG, signo_) != 0 || fcntl(fd, F_SETLEASE, F_RDLCK) != 0)
    return false;
  if ((maybe_marked || scheme_ == Scheme::kPerDirectory) && !Uncheck(fd)) {
    fcntl(fd, F_SETLEASE, F_UNLCK);
    return false;
  }
  by_fd_[fd] = {fd, path, st.st_dev, st.st_ino, false};
  by_inode_[{st.st_dev, st.st_ino}] = fd;
  by_path_[path] = fd;
  return true;
}

bool Leases::Add(const std::string& path) {
  if (by_path_.count(path)) return true;
  int fd = open(path.c_str(), O_RDONLY | O_NOATIME | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  if (!Take(fd, path, nullptr)) {
    close(fd);
    return false;
  }
  return true;
}

bool Leases::Adopt(int fd, const struct stat& st, const std::string& path, bool maybe_marked) {
  return !by_path_.count(path) && Take(fd, path, &st, maybe_marked);
}

void Leases::set_scheme(Scheme s) {
  scheme_ = s;
  if (s == Scheme::kPerDirectory)
    for (auto& [fd, l] : by_fd_) l.checked = !Uncheck(fd);
}

bool Leases::Check(int fd) {
  if (scheme_ == Scheme::kPerDirectory)
    return fanotify_mark(fan_fd_, FAN_MARK_REMOVE | FAN_MARK_IGNORED_MASK, FAN_OPEN_PERM, fd,
                         nullptr) == 0;
  return fanotify_mark(fan_fd_, FAN_MARK_ADD, FAN_OPEN_PERM, fd, nullptr) == 0;
}

bool Leases::Uncheck(int fd) {
  if (scheme_ == Scheme::kPerDirectory)
    return fanotify_mark(fan_fd_, FAN_MARK_ADD | kIgnore, FAN_OPEN_PERM, fd, nullptr) == 0;
  // Per file: a file without a mark has nothing to remove (ENOENT).
  return fanotify_mark(fan_fd_, FAN_MARK_REMOVE, FAN_OPEN_PERM, fd, nullptr) == 0 ||
         errno == ENOENT;
}

Lease* Leases::ByFd(int fd) {
  auto it = by_fd_.find(fd);
  return it == by_fd_.end() ? nullptr : &it->second;
}

Lease* Leases::ByPath(const std::string& path) {
  auto it = by_path_.find(path);
  return it == by_path_.end() ? nullptr : ByFd(it->second);
}

Lease* Leases::ByInode(dev_t dev, ino_t ino) {
  auto it = by_inode_.find({dev, ino});
  return it == by_inode_.end() ? nullptr : ByFd(it->second);
}

bool Leases::Breaking(const Lease& l) {
  // During a break a read lease reads as its target, F_UNLCK.
  return fcntl(l.fd, F_GETLEASE) == F_UNLCK;
}

int Leases::Release(const Lease& l, bool watch_open) {
  int fd = l.fd;
  // The order matters: openers that come after the check is back are permission events; the
  // writer blocked on the break is the only open that FAN_OPEN reports without one.
  if (!l.checked) Check(fd);
  if (watch_open) fanotify_mark(open_fd_, FAN_MARK_ADD, FAN_OPEN, fd, nullptr);
  fcntl(fd, F_SETLEASE, F_UNLCK);
  Erase(fd);
  return fd;
}

int Leases::LetGo(const Lease& l) {
  int fd = l.fd;
  fcntl(fd, F_SETLEASE, F_UNLCK);
  Erase(fd);
  return fd;
}

void Leases::Suspend(Lease& l) {
  if (!l.checked) l.checked = Check(l.fd);
}

bool Leases::Resume(Lease& l) {
  if (l.checked) l.checked = !Uncheck(l.fd);
  return !l.checked;
}

void Leases::Erase(int fd) {
  auto it = by_fd_.find(fd);
  if (it == by_fd_.end()) return;
  auto p = by_path_.find(it->second.path);
  if (p != by_path_.end() && p->second == fd) by_path_.erase(p);
  auto i = by_inode_.find({it->second.dev, it->second.ino});
  if (i != by_inode_.end() && i->second == fd) by_inode_.erase(i);
  by_fd_.erase(it);
}

void Leases::Renamed(const std::string& from, const std::string& to) {
  auto it = by_path_.find(from);
  if (it == by_path_.end()) return;
  int fd = it->second;
  by_path_.erase(it);
  by_path_[to] = fd;
  by_fd_[fd].path = to;
}

void Leases::DirRenamed(const std::string& from, const std::string& to) {
  std::vector<std::pair<std::string, int>> moved;
  for (const auto& [path, fd] : by_path_)
    if (path.size() > from.size() && path.compare(0, from.size(), from) == 0 &&
        path[from.size()] == '/')
      moved.emplace_back(path, fd);
  for (const auto& [path, fd] : moved) {
    std::string now = to + path.substr(from.size());
    by_path_.erase(path);
    by_path_[now] = fd;
    by_fd_[fd].path = now;
  }
}

std::vector<int> Leases::Fds() const {
  std::vector<int> out;
  out.reserve(by_fd_.size());
  for (const auto& [fd, l] : by_fd_) out.push_back(fd);
  return out;
}

}  // namespace vigie::watch
