// Watcher registration; see watch_lock.h.
#include "watch/watch_lock.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigie::watch {
namespace {

bool MkdirAll(const std::string& dir) {
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i != dir.size() && dir[i] != '/') continue;
    if (mkdir(dir.substr(0, i).c_str(), 0755) != 0 && errno != EEXIST) return false;
  }
  return true;
}

std::string ReadFd(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  off_t off = 0;
  while ((n = pread(fd, buf, sizeof buf, off)) > 0 && out.size() < (1 << 20)) {
    out.append(buf, size_t(n));
    off += n;
  }
  return out;
}

}  // namespace

bool TreesOverlap(const std::string& a, const std::string& b) {
  auto inside = [](const std::string& x, const std::string& y) {  // x inside or equal to y
    if (y == "/") return true;
    return x == y || (x.size() > y.size() && x.compare(0, y.size(), y) == 0 && x[y.size()] == '/');
  };
  return inside(a, b) || inside(b, a);
}

WatchLock::~WatchLock() {
  if (fd_ >= 0) {
    unlink(file_.c_str());
    close(fd_);
  }
}

bool WatchLock::Acquire(const std::string& lock_dir, const std::vector<std::string>& roots,
                        std::string* err) {
  if (!MkdirAll(lock_dir)) {
    *err = "cannot create lock directory " + lock_dir + ": " + std::strerror(errno);
    return false;
  }
  std::string guard_path = lock_dir + "/.registry.lock";
  int guard = open(guard_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (guard < 0 || flock(guard, LOCK_EX) != 0) {
    *err = "cannot lock " + guard_path + ": " + std::strerror(errno);
    if (guard >= 0) close(guard);
    return false;
  }
  bool ok = true;
  if (DIR* d = opendir(lock_dir.c_str())) {
    while (dirent* ent = readdir(d)) {
      std::string name = ent->d_name;
      if (name.rfind("watcher-", 0) != 0) continue;
      std::string path = lock_dir + "/" + name;
      int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
        unlink(path.c_str());  // its watcher is gone
        close(fd);
        continue;
      }
      std::string content = ReadFd(fd);
      close(fd);
      // Line 1: pid; then one root per line.
      size_t nl = content.find('\n');
      std::string pid = content.substr(0, nl);
      size_t pos = nl == std::string::npos ? content.size() : nl + 1;
      while (ok && pos < content.size()) {
        size_t end = content.find('\n', pos);
        if (end == std::string::npos) end = content.size();
        std::string other = content.substr(pos, end - pos);
        pos = end + 1;
        for (const std::string& r : roots) {
          if (!other.empty() && TreesOverlap(r, other)) {
            *err = "another vigie watch (pid " + pid + ") already watches " + other +
                   (r == other ? "" : ", which overlaps " + r) + "; refusing to watch it twice";
            ok = false;
            break;
          }
        }
      }
      if (!ok) break;
    }
    closedir(d);
  }
  if (ok) {
    file_ = lock_dir + "/watcher-" + std::to_string(getpid());
    fd_ = open(file_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0 || flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      *err = "cannot create " + file_ + ": " + std::strerror(errno);
      ok = false;
    } else {
      std::string content = std::to_string(getpid()) + "\n";
      for (const std::string& r : roots) content += r + "\n";
      if (write(fd_, content.data(), content.size()) != ssize_t(content.size())) {
        *err = "cannot write " + file_ + ": " + std::strerror(errno);
        ok = false;
      }
    }
    if (!ok && fd_ >= 0) {
      unlink(file_.c_str());
      close(fd_);
      fd_ = -1;
    }
  }
  flock(guard, LOCK_UN);
  close(guard);
  return ok;
}

}  // namespace vigie::watch
