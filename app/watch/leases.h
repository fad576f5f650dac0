// Read leases: the fast path for files nobody writes.
//
// Every open that is a fanotify permission event costs a round trip (the opener blocks, vigie
// wakes, answers, the opener wakes): tens of microseconds on a small virtual machine, more than
// the open itself. Yet only a write needs vigie before it happens. A read lease (fcntl
// F_SETLEASE, F_RDLCK) is the kernel's own "tell me before anyone writes": opens for reading
// pass untouched, and an open for writing, an O_TRUNC or a truncate(2) blocks until the holder
// is told (by a queued real-time signal carrying the descriptor) and lets go.
//
// vigie leases the files of the watched trees, and then checks their opens in one of two ways:
//  - kPerFile (the trees hold no more files than the lease limit): directories carry no
//    permission mark at all. A leased file costs nothing to open; a file that cannot be leased
//    (open for writing somewhere), a decoy, a new file until its writer closes it, and a file
//    whose lease broke carry an inode mark for FAN_OPEN_PERM.
//  - kPerDirectory (more files than the limit): every directory carries FAN_OPEN_PERM for its
//    children, and the leased files an ignore mark for it.
// When a lease breaks, the monitor copies the file into the store (the writer still blocked),
// makes the file's opens permission events again, marks it for FAN_OPEN (the writer's open,
// once through, names its thread, the only open of that file reported without a permission
// event), then releases the lease.
//
// A lease needs a descriptor per file, and pins the inode. That descriptor is also what keeps a
// leased file's content when a process that read it (unseen: reads cost no event) deletes it or
// renames another file over it: the monitor then gives the descriptor to that process's actor,
// as a read would have. As soon as any process earns evidence, every lease is suspended (its
// opens become permission events again, so that a suspicious process meets denials and the
// full-store rule everywhere) while the lease itself stays: an open that got past the check a
// moment before still blocks on the break. Leases resume once no suspect is left.
//
// Not thread-safe: the monitor thread owns it.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace vigie::watch {

struct Lease {
  int fd = -1;  // read-only, holds the lease and the inode
  std::string path;
  dev_t dev = 0;
  ino_t ino = 0;
  bool checked = false;  // suspended: its opens are permission events
};

class Leases {
 public:
  enum class Scheme { kPerFile, kPerDirectory };
  // `fan_fd`: the fanotify group of the permission events; `open_fd`: the group told of the
  // opens that follow a break. `signo`: the signal a break sends (blocked by the caller and read
  // from a signalfd).
  Leases(int fan_fd, int open_fd, int signo) : fan_fd_(fan_fd), open_fd_(open_fd), signo_(signo) {}
  ~Leases();
  Leases(const Leases&) = delete;
  Leases& operator=(const Leases&) = delete;

  // Leases the regular file at `path` (false when it is not one, or is open for writing). Under
  // kPerDirectory, the ignore mark too.
  bool Add(const std::string& path);
  // Leases the file open (read-only) at `fd`, whose status is `st`; under kPerFile removes its
  // FAN_OPEN_PERM mark once leased (unless the caller knows it has none: `maybe_marked`). On
  // success the table owns `fd`; on failure it stays the caller's.
  bool Adopt(int fd, const struct stat& st, const std::string& path, bool maybe_marked = true);
  // Set once, after the first leases: kPerDirectory gives them their ignore marks.
  void set_scheme(Scheme s);
  Scheme scheme() const { return scheme_; }
  size_t size() const { return by_fd_.size(); }

  Lease* ByFd(int fd);
  Lease* ByPath(const std::string& path);
  Lease* ByInode(dev_t dev, ino_t ino);
  // Whether the lease of `l` is being broken (a writer waits for it).
  static bool Breaking(const Lease& l);
  // Takes `l` out of the table: makes its opens permission events (and, when `watch_open`,
  // marks the inode for FAN_OPEN in the open group, so the writer waiting on the break is
  // named; the caller removes that mark), releases the lease and returns the descriptor, now
  // the caller's.
  int Release(const Lease& l, bool watch_open);
  // Takes `l` out of the table and releases the lease, leaving the file's opens free (the
  // caller has copied the file: see "copies ahead of a write" in monitor.cc). Per file only.
  // Returns the descriptor, now the caller's.
  int LetGo(const Lease& l);
  // Follows renames: of a leased file, or of a directory (every path below it).
  void Renamed(const std::string& from, const std::string& to);
  void DirRenamed(const std::string& from, const std::string& to);
  // Descriptors of all entries (for suspension, or a signal queue overflow).
  std::vector<int> Fds() const;
  // Makes the opens of `l` permission events, or free again.
  void Suspend(Lease& l);
  bool Resume(Lease& l);

 private:
  // Leases the regular file open at `fd` (read-only) under `path`; the table owns `fd` then.
  // `st`: the file's status when the caller has it.
  bool Take(int fd, const std::string& path, const struct stat* st, bool maybe_marked = true);
  bool Check(int fd);    // opens of the inode become permission events
  bool Uncheck(int fd);  // ... and free again
  void Erase(int fd);

  int fan_fd_;
  int open_fd_;
  int signo_;
  Scheme scheme_ = Scheme::kPerFile;
  std::unordered_map<int, Lease> by_fd_;
  std::unordered_map<std::string, int> by_path_;
  std::map<std::pair<dev_t, ino_t>, int> by_inode_;
};

}  // namespace vigie::watch
