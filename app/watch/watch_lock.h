// One watcher per tree. Two vigie watch processes on the same or nested trees would each copy
// files into their store and each restore on conviction, racing one another; the second is
// refused with the pid of the first.
//
// Each running watcher holds an exclusive flock on a registration file in the lock directory
// (default /run/vigie/watch, $VIGIE_WATCH_LOCK_DIR or --lock-dir) listing its canonical roots.
// Registration happens under a directory-wide flock, so two watchers starting at once cannot
// both pass the check. A registration whose flock can be taken belongs to a dead watcher and is
// removed. The kernel drops flocks when a process dies, so a crash never leaves a stale lock.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace vigie::watch {

class WatchLock {
 public:
  WatchLock() = default;
  WatchLock(const WatchLock&) = delete;
  WatchLock& operator=(const WatchLock&) = delete;
  ~WatchLock();

  // Registers `roots` (canonical absolute paths). False with a message naming the other
  // watcher when a registered tree equals, contains or lies inside one of them.
  bool Acquire(const std::string& lock_dir, const std::vector<std::string>& roots,
               std::string* err);

 private:
  int fd_ = -1;
  std::string file_;
};

// True when `a` equals `b` or one contains the other (component-wise prefix).
bool TreesOverlap(const std::string& a, const std::string& b);

}  // namespace vigie::watch
