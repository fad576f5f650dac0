// The fanotify monitor; see monitor.h for the design.
#include "watch/monitor.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/fanotify.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <unordered_map>

#include "watch/decoys.h"
#include "watch/leases.h"
#include "watch/model.h"
#include "watch/proc_info.h"
#include "watch/response.h"
#include "watch/store.h"
#include "watch/watch_lock.h"

namespace vigie::watch {
namespace {

// Close-write events waiting for judgement keep their descriptors: at most this many.
constexpr size_t kMaxQueuedCloses = 1024;
// The store's owner of a copy taken when a lease broke, until the writer's open names it.
constexpr uint64_t kUnattributed = 0;
// The owner of the copies ahead of a write, which each writer copies in turn (no actor's id).
constexpr uint64_t kAheadHold = ~uint64_t(0);
// How long a broken lease waits for the FAN_OPEN of its writer(s).
constexpr double kBreakSeconds = 2.0;
// A read of this many events means they pile up: the monitor's priority is raised for a while.
constexpr size_t kBacklogEvents = 32;
// A file closed after writing, up to this size, is read whole at once rather than probed first.
constexpr int64_t kReadWhole = 64 * 1024;
// The marks of a directory, one per group. The permission group's is there only while the
// directory's children are checked (DirsChecked): under Leases::Scheme::kPerFile, the files
// carry their own permission marks.
constexpr uint64_t kPermDirMask = FAN_OPEN_PERM | FAN_EVENT_ON_CHILD;
constexpr uint64_t kCloseDirMask = FAN_CLOSE_WRITE | FAN_EVENT_ON_CHILD;
constexpr uint64_t kNotifMask = FAN_CREATE | FAN_DELETE | FAN_RENAME | FAN_ONDIR;
// Inodes noted as marked (past it, no file is opened by LeaseFound: the set is incomplete).
constexpr size_t kMaxMarkedNoted = 4000000;
// Per file, a file created in the trees (or renamed there) takes its own permission mark once
// it is kYoungSeconds old, if its writer has not closed it by then (it is leased then) and it
// is still the same file; at once when the monitor is not calm, and for a file moved in from
// outside the trees or a second name of a file (a hard link). Most short-lived files (journals,
// temporary files) so never take a mark: the kernel tears each inode mark down in work items
// (SRCU grace periods) that preempted the program deleting the file (sqlite: 20 times in 40
// transactions). At most kMaxYoung wait; past that the oldest is marked early.
constexpr double kYoungSeconds = 0.05;
constexpr size_t kMaxYoung = 4096;
// Judgements that come before a waiting permission event, per round of the run loop.
constexpr size_t kMaxDueJudgements = 32;
// While calm, close-writes and name events are read at most once per this many seconds.
constexpr double kBatchSeconds = 0.002;
// Copies ahead of a write (see Monitor::OnAheadOpen): an actor qualifies once it has opened
// this many leased files for writing; the opens of a directory where it did are reported for
// kAheadDirSeconds after the last use; a file let go is leased again once kAheadSeconds have
// passed and no writer has it open. At most kMaxAheads files and kMaxAheadDirs directories at
// once, and copies of a quarter of the store budget.
constexpr size_t kAheadAfterRewrites = 2;
constexpr double kAheadSeconds = 2.0;
constexpr double kAheadDirSeconds = 10.0;
constexpr size_t kMaxAheads = 1024;
constexpr size_t kMaxAheadDirs = 256;
constexpr uint64_t kAheadDirMask = FAN_OPEN | FAN_EVENT_ON_CHILD;
// Files up to this size only: the copy holds up this thread, and for a larger file the round
// trip of a lease break is a negligible share of its rewrite.
constexpr uint64_t kMaxAheadCopy = uint64_t(8) << 20;

// /proc/self/fd, open: the path of a descriptor is read, and a descriptor reopened, by a lookup
// of one name in it instead of a walk from /proc.
int ProcSelfFd() {
  static const int fd_dir = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
  return fd_dir;
}

// The path of an open descriptor.
std::string FdPath(int fd) {
  char name[16], buf[PATH_MAX];
  snprintf(name, sizeof name, "%d", fd);
  ssize_t n = ProcSelfFd() >= 0 ? readlinkat(ProcSelfFd(), name, buf, sizeof buf - 1) : -1;
  if (n <= 0) {
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, buf, sizeof buf - 1);
  }
  return n > 0 ? std::string(buf, size_t(n)) : std::string();
}

// What /proc/self/fd shows after the path of a descriptor whose name went away.
constexpr std::string_view kGoneMark = " (deleted)";

// A path read from /proc/self/fd without that mark (the name the file had).
std::string WithoutGoneMark(std::string path) {
  if (path.size() > kGoneMark.size() && path.ends_with(kGoneMark))
    path.resize(path.size() - kGoneMark.size());
  return path;
}

// A file's identity: device, inode number and, where the file system records it, birth time (an
// inode number freed is soon given to a new file: a journal recreated again and again often
// gets the same one).
struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  int64_t born_ns = -1;  // -1: not known
  bool operator==(const FileId& o) const {
    return dev == o.dev && ino == o.ino && (born_ns < 0 || o.born_ns < 0 || born_ns == o.born_ns);
  }
};

// The identity of the regular file `name` in the directory open at `dfd` (AT_FDCWD: a path; ""
// the file open at `dfd` itself; a symbolic link is not followed); false when there is none.
bool RegularFileId(int dfd, const char* name, FileId* id, uint32_t* nlink = nullptr) {
  struct statx sx;
  int flags = AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC | (*name ? 0 : AT_EMPTY_PATH);
  if (statx(dfd, name, flags, STATX_TYPE | STATX_INO | STATX_NLINK | STATX_BTIME, &sx) != 0 ||
      !S_ISREG(sx.stx_mode))
    return false;
  id->dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
  id->ino = sx.stx_ino;
  id->born_ns = (sx.stx_mask & STATX_BTIME)
                    ? int64_t(sx.stx_btime.tv_sec) * 1000000000 + sx.stx_btime.tv_nsec
                    : -1;
  if (nlink) *nlink = sx.stx_nlink;
  return true;
}

// Opens the file that an O_PATH descriptor refers to (the very inode, whatever became of its
// name), for reading.
int ReopenForReading(int path_fd) {
  char name[16];
  snprintf(name, sizeof name, "%d", path_fd);
  int flags = O_RDONLY | O_NOATIME | O_NONBLOCK | O_CLOEXEC;
  if (ProcSelfFd() >= 0) return openat(ProcSelfFd(), name, flags);
  char self[64];
  snprintf(self, sizeof self, "/proc/self/fd/%d", path_fd);
  return open(self, flags);
}

bool Inside(const std::string& path, const std::string& root) {
  return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
                          (root == "/" || path[root.size()] == '/'));
}

// Depth-first over the directories below `root`, leaving out `skip` (the store) and what lies
// below it. Each directory is opened once (a symbolic link as its last component is not
// followed: the roots are resolved paths, and a directory replaced by a link is no longer in
// the tree), and its descriptor passed to `on_dir` before it is listed (false: neither listed
// nor descended into; -1 when it could not be opened for want of descriptors or memory),
// and to `on_entry`, called for every other entry with its path, its type (DT_REG, or
// DT_UNKNOWN for anything else) and its name there; false from `on_entry` stops the walk, which
// then returns false. The descriptor is closed after the listing: the callbacks must not keep it.
bool WalkTree(
    const std::string& root, const std::string& skip,
    const std::function<bool(const std::string&, int)>& on_dir,
    const std::function<bool(const std::string&, unsigned char, int, const char*)>& on_entry) {
  std::vector<std::string> stack{root};
  while (!stack.empty()) {
    std::string dir = std::move(stack.back());
    stack.pop_back();
    if (Inside(dir, skip)) continue;
    // Without O_NOATIME, the listing would update the access time of each new directory (a
    // write to the file system's journal; 6% of vigie's time in git clones).
    int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int dfd = open(dir.c_str(), flags | O_NOATIME);
    if (dfd < 0 && errno == EPERM) dfd = open(dir.c_str(), flags);  // not the owner's
    if (dfd < 0) {
      // Out of descriptors or memory: the directory is still marked, by its path, unlisted.
      if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP) on_dir(dir, -1);
      continue;
    }
    if (!on_dir(dir, dfd)) {
      close(dfd);
      continue;
    }
    // Listed with getdents64 itself (fdopendir would first fstat and fcntl the descriptor).
    alignas(dirent64) char buf[32 * 1024];
    ssize_t n;
    while ((n = getdents64(dfd, buf, sizeof buf)) > 0) {
      for (size_t off = 0; off + offsetof(dirent64, d_name) < size_t(n);) {
        const auto* e = reinterpret_cast<const dirent64*>(buf + off);
        if (e->d_reclen == 0 || e->d_reclen > size_t(n) - off) break;
        off += e->d_reclen;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        std::string child = dir + "/" + e->d_name;
        unsigned char type = e->d_type;
        if (type == DT_UNKNOWN) {
          struct stat st;
          if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
            type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
        }
        if (type == DT_DIR) {
          stack.push_back(std::move(child));
        } else if (!on_entry(child, type == DT_REG ? DT_REG : DT_UNKNOWN, dfd, e->d_name)) {
          close(dfd);
          return false;
        }
      }
    }
    close(dfd);
  }
  return true;
}

std::string Sha256OfFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  char buf[65536];
  ssize_t n;
  uint64_t total = 0;
  while ((n = read(fd, buf, sizeof buf)) > 0 && total < (uint64_t(1) << 32)) {
    EVP_DigestUpdate(ctx, buf, size_t(n));
    total += uint64_t(n);
  }
  close(fd);
  unsigned char md[32];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

nlohmann::json ProcJson(const ProcInfo& p) {
  return {{"pid", p.pid}, {"ppid", p.ppid},       {"pgid", p.pgid}, {"sid", p.sid},
          {"exe", p.exe}, {"cmdline", p.cmdline}, {"comm", p.comm}};
}

// A restore, prepared by the monitor thread once the actor is halted and run on its own thread
// (it writes into the watched trees, so the monitor must stay free to answer its events).
struct Plan {
  uint64_t actor = 0;
  std::vector<StoreEntry> restore;
  std::vector<std::string> quarantine;
  std::vector<std::pair<std::string, std::string>> rename_back;  // current -> original
  std::string quarantine_dir;
};

bool CopyPath(const std::string& from, const std::string& to) {
  int in = open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return false;
  int out = open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  bool ok = out >= 0;
  char buf[65536];
  ssize_t n;
  while (ok && (n = read(in, buf, sizeof buf)) > 0) ok = write(out, buf, size_t(n)) == n;
  if (out >= 0 && close(out) != 0) ok = false;
  close(in);
  return ok;
}

void RunPlan(const Plan& plan, EventLog& log) {
  nlohmann::json restored = nlohmann::json::array(), quarantined = nlohmann::json::array(),
                 renamed = nlohmann::json::array(), failed = nlohmann::json::array();
  for (const auto& [now, orig] : plan.rename_back) {
    if (rename(now.c_str(), orig.c_str()) == 0)
      renamed.push_back({{"from", now}, {"to", orig}});
    else
      failed.push_back({{"path", orig}, {"error", std::strerror(errno)}});
  }
  if (!plan.quarantine.empty()) mkdir(plan.quarantine_dir.c_str(), 0700);
  for (const std::string& p : plan.quarantine) {
    std::string flat = p;
    for (char& c : flat)
      if (c == '/') c = '%';
    std::string dest = plan.quarantine_dir + "/" + flat;
    if (rename(p.c_str(), dest.c_str()) == 0 ||
        (errno == EXDEV && CopyPath(p, dest) && unlink(p.c_str()) == 0))
      quarantined.push_back(p);
  }
  for (const StoreEntry& e : plan.restore) {
    std::string err;
    if (Store::Restore(e, e.path, &err)) {
      restored.push_back(e.path);
    } else {
      failed.push_back({{"path", e.path}, {"error", err}});
      log.Line("restore failed: " + err);
    }
  }
  log.Line("actor " + std::to_string(plan.actor) + ": restored " + std::to_string(restored.size()) +
           " files from the store, undid " + std::to_string(renamed.size()) +
           " renames, quarantined " + std::to_string(quarantined.size()) + " files it created in " +
           plan.quarantine_dir +
           (failed.empty() ? "" : ", " + std::to_string(failed.size()) + " FAILED"));
  for (const auto& r : restored) log.Line("  restored " + r.get<std::string>());
  log.Json({{"event", "restored"},
            {"actor", plan.actor},
            {"restored", restored},
            {"renames_undone", renamed},
            {"quarantined", quarantined},
            {"failed", failed}});
}

class Monitor {
 public:
  Monitor(const WatchOptions& o, EventLog& log)
      : o_(o),
        log_(log),
        model_(o.threshold),
        store_(o.store_dir, o.store_budget, [this](const std::string& m) {
          log_.Line(m);
          log_.Json({{"event", "store"}, {"message", m}});
        }) {}
  ~Monitor();
  int Run();

 private:
  struct Proc {
    ProcInfo info;
    uint64_t actor = 0;
    bool allowed = false;
  };
  struct Pending {
    uint64_t actor;
    std::vector<pid_t> pids;
    double deadline;
  };
  struct Job {
    uint64_t actor;
    std::thread thread;
    std::atomic<pid_t> tid{0};  // set by the thread before its first file access
    std::atomic<bool> done{false};
  };
  // Work on an event that no opener waits for, done once the pending permission events are
  // answered. The event's descriptor is owned here until then.
  struct Later {
    int fd;
    pid_t tid;
    struct stat st {};  // of the file, for an open (a non-empty one is held)
    std::string path;   // of a file held, taken before the answer
  };
  // What the monitor did, reported in the exit event (and the benchmark).
  struct Stats {
    uint64_t opens = 0;        // permission events answered
    uint64_t write_opens = 0;  // of which with write intent
    uint64_t copies = 0;       // copies made before a write
    uint64_t close_writes = 0;
    uint64_t name_events = 0;
    uint64_t processes = 0;     // processes read from /proc
    double answer_seconds = 0;  // from reading a permission event to answering it, summed
    double answer_max = 0;
    double judge_seconds = 0;   // judging queued close-writes, summed
    uint64_t leases = 0;        // files leased at start
    uint64_t lease_breaks = 0;  // of which broken by a writer
    uint64_t lease_suspensions = 0;
    uint64_t boosts = 0;        // times the priority was raised
    uint64_t wakeups = 0;       // returns from the wait (for events, or at a timeout)
    uint64_t ahead_copies = 0;  // leases let go after a copy ahead of a write
    uint64_t file_marks = 0;  // FAN_OPEN_PERM marks put on files (a file marked again counts again)
  };
  // A lease broken by a writer not yet named (see leases.h).
  struct Break {
    int fd;  // on the inode, for removing its FAN_OPEN mark
    std::string path;
    double time;
    std::set<pid_t> perm_tids;  // threads whose opens since were permission events
    bool named = false;         // a writer's FAN_OPEN was read
  };
  using Breaks = std::map<std::pair<dev_t, ino_t>, Break>;
  // A leased file copied ahead of a write and let go, until its write is judged or it is
  // guarded again (see OnAheadOpen).
  struct Ahead {
    int fd = -1;  // the lease's descriptor: pins the inode, and takes the lease again
    double time = 0;
    std::string path;      // followed across renames of the file
    struct stat st {};     // at the copy, then after each write judged
    uint64_t size = 0;     // of the copy
    uint64_t entry = 0;    // the copy's store entry, under kAheadHold (0 for an empty file)
    bool checked = false;  // given a permission mark of its own since
    bool quiet = false;    // no writer had it open at the last check
    bool changed = false;  // found at its end not as last written
  };
  struct AheadDir {
    int fd;  // the directory, open: its mark goes with it, whatever its name becomes
    double last;
  };
  using Aheads = std::map<std::pair<dev_t, ino_t>, Ahead>;

  int Setup();
  // Marks the directories below `root`; with `files` (a directory that appeared under
  // Leases::Scheme::kPerFile) also marks the files already in them.
  // With `lease`, the files (of a directory just created or moved in, never seen) are leased
  // where they can be, and marked where they cannot.
  void MarkTree(const std::string& root, bool files = false, bool lease = false);
  // Leases the regular file found at `path` when this thread may open it. False otherwise.
  bool LeaseFound(const std::string& path, int dfd, const char* name);
  // Whether `path` lies in a watched tree.
  bool InRoots(const std::string& path) const;
  // Whether the file at `path` may take a lease now: leases on and not suspended, room left,
  // not a decoy, in a watched tree.
  bool MayLease(const std::string& path) const;
  // Forgets a broken lease (its FAN_OPEN mark and descriptor); the next entry.
  Breaks::iterator EndBreak(Breaks::iterator it);
  // Under Leases::Scheme::kPerFile: the opens of the file `name` in the directory open at `dfd`
  // (or at the path `name` with AT_FDCWD; or open at `fd`) become permission events. The
  // inodes marked are noted: this thread must never open one itself. Not a leased file, nor,
  // when `only` is given, another inode than that one.
  void MarkFile(int dfd, const char* name, const FileId* only = nullptr);
  // A new name in the trees: marked by MarkYoung (see kYoungSeconds).
  void NoteYoung(const std::string& path);
  // Marks the new names old enough, or all of them when not calm.
  void MarkYoung(double now);
  void MarkOldestYoung();
  void MarkFd(int fd, const struct stat& st);
  void NoteMarked(dev_t dev, ino_t ino);
  // Whether directories carry FAN_OPEN_PERM for their children.
  bool PerDirectory() const {
    return !leases_ || leases_->scheme() == Leases::Scheme::kPerDirectory;
  }
  // Whether directories carry FAN_OPEN_PERM now (per directory, or while leases are suspended).
  bool DirsChecked() const { return PerDirectory() || leases_suspended_; }
  // Marks the directory open at `dfd` (by its path `dir` when -1) for the events of its
  // children, and notes its handle; false when it cannot be watched.
  bool MarkDir(const std::string& dir, int dfd);
  std::string HandleKey(const void* fsid, const file_handle* fh);
  std::string DirPath(const void* fsid, const file_handle* fh);
  // Reads the events queued on one group (perm_fd_, close_fd_, notif_fd_ or ahead_fd_); all.
  bool Drain(int fd);
  bool DrainAll() {
    return Drain(close_fd_) && Drain(perm_fd_) && Drain(notif_fd_) &&
           (ahead_fd_ < 0 || Drain(ahead_fd_));
  }
  // Judges the queued close-writes, until a lease break or a permission event waits.
  void JudgeQueued();
  // No suspect about (leases not suspended, no conviction or restore in progress, no evidence
  // for --lease-calm seconds): the queues nobody waits on may be read in batches.
  bool Calm() const {
    return !leases_suspended_ && !suspect_alive_ && pending_.empty() && jobs_.empty() &&
           MonotonicSeconds() - last_suspend_ > o_.lease_calm_seconds;
  }
  // Decides a permission event. A read-only open, or any open of an empty file, is allowed at
  // once; its bookkeeping is queued in holds_, which takes over the event's descriptor (`*kept`).
  uint32_t OnOpenPerm(const fanotify_event_metadata* md, bool* kept);
  // The bookkeeping of an open allowed at once: where the actor saw the file, and for a
  // read-only open of a non-empty file a held descriptor (for a later delete).
  // `*fd_taken` when the store kept the event's descriptor as the held one.
  void AfterOpen(const Later& l, bool* fd_taken);
  // Judges a close after writing of the regular file `fd` (stat `st`, at `path`).
  void OnCloseWrite(int fd, pid_t tid, const struct stat& st, const std::string& path);
  void RunHolds();
  // After a read that was a permission event: leases the file when it may be (see the body).
  void LeaseOnRead(const Later& l);
  void JudgeNextClose();
  void JudgeClose(const Later& l);  // and closes its descriptor
  bool Suspicious(pid_t tid);       // a known process whose actor has evidence, not yet convicted
  void OnNotif(const fanotify_event_metadata* md);
  Proc* ProcFor(pid_t tid);
  Actor* ActorOf(Proc* p);
  bool OwnThread(pid_t tid);
  bool IsAllowed(const ProcInfo& p);
  void Convict(Actor& a);
  void Tick();
  void StartRestore(Actor& a);
  // Reports a store failure (at most every 5 s); nothing for kKept and kAlready.
  void StoreProblem(Store::Result r, const std::string& msg, const std::string& path);
  // Copies `fd` (the file at `path`) into the store for `actor`, counted, a failure reported.
  // True when the store holds a copy for `actor` afterwards.
  bool KeepCopy(uint64_t actor, int fd, const struct stat& st, const std::string& path);
  // Leases the files below `root`. False when the lease limit stopped it.
  bool LeaseTree(const std::string& root);
  // A file closed after writing (stat `st`, at `path`): leased, when calm (its next opens cost
  // nothing). True when the lease took `fd` (it holds the lease).
  bool LeaseAfterWrite(int fd, const struct stat& st, const std::string& path);
  // Leases the file open at `fd` (status `st`, at `path`) through `fd` itself, or through a
  // duplicate when `dup`; a lease broken before ends (see Break). False: not leased, and `fd`
  // stays the caller's.
  bool LeaseAgain(int fd, const struct stat& st, const std::string& path, bool dup,
                  bool marked = false);
  // A writer waits on the lease of `fd`: copy the file, hand it to permission events. With
  // `settle`, when no copy could be kept, the close-writes queued before the break are read
  // and judged first, so that a writer convicted by them dies before its write.
  void OnLeaseBreak(int fd, bool settle = false);
  // A FAN_OPEN of a file whose lease broke: the writer, unless a permission event came first.
  void OnBreakerOpen(const fanotify_event_metadata* md);
  // An actor rewrote the existing file at `path` in place: once it qualifies, the opens in that
  // directory are reported (ahead_fd_), for copies ahead of its next rewrites.
  void NoteRewrite(Actor& a, const std::string& path);
  // A FAN_OPEN in such a directory: copy a leased file ahead of its write, and let it go.
  void OnAheadOpen(const fanotify_event_metadata* md);
  // A file copied ahead, kAheadSeconds on: once no writer has it open, it is leased again (or
  // marked), every close-write and name event queued by then is judged, and the copy goes (to
  // no actor, when the file changed since: a truncate(2) opens nothing). Returns the next
  // entry.
  Aheads::iterator EndAhead(Aheads::iterator it);
  // The writer of a file copied ahead (at `fd`, status `st`) takes a copy of its own.
  bool TakeAhead(Actor& a, int fd, const struct stat& st, const std::string& path);
  // A name event took the leased file at `path` away (deleted, renamed over, or moved out of
  // the trees): release the lease, and give its descriptor to the actor as if it had read the
  // file (a copy, when it moved out: no mark follows it there). A copy taken at a break whose
  // writer was never named (a truncate(2), a failed O_NONBLOCK open) goes to this actor too.
  void LeaseGone(const std::string& path, pid_t tid, bool moved_out = false);
  void ClaimUnattributed(const std::string& path, pid_t tid);
  void SuspendLeases(const std::string& why);
  // Raises this thread's priority (nice -10) or gives it back (ApplyPriority).
  void Boost(bool on);
  // Boosted: the scheduling policy the process started with (normally SCHED_OTHER), nice -10 or
  // lower. Otherwise SCHED_BATCH at the starting nice value: a wake-up of this thread does not
  // preempt the program running where it wakes (it runs on an idle core, or from the next
  // tick). Most wake-ups while calm are for events nobody waits on, caused by that very
  // program; a writer held up by a lease break waits up to a tick more when every core is
  // busy. Real-time and idle policies are left as they are.
  void ApplyPriority(bool boosted);
  // Reads the command lines of the actor's processes not read yet (still running ones).
  void FillCmdlines(Actor& a);
  // After --lease-calm seconds without a suspect (or only convicted, killed and restored ones).
  void ResumeLeasesWhenCalm();
  // Reads the signal queue: lease breaks are handled; true when asked to stop.
  bool ReadSignals();
  // The samples a close-write is judged on: their buffers keep their capacity from one
  // judgement to the next.
  Sample scratch_before_, scratch_after_;

  const WatchOptions& o_;
  EventLog& log_;
  Model model_;
  Store store_;
  WatchLock lock_;
  std::vector<std::string> roots_;
  std::vector<int> root_fds_;
  // The fanotify groups: permission events (and nothing else: someone waits on each), content
  // events nobody waits on (close-writes, the open that names a lease's breaker), names.
  int perm_fd_ = -1, close_fd_ = -1, notif_fd_ = -1, signal_fd_ = -1;
  // Opens in the directories where a rewriter works (copies ahead of a write); -1 without.
  int ahead_fd_ = -1;
  Aheads aheads_;
  uint64_t ahead_bytes_ = 0;                    // in their copies
  std::map<std::string, AheadDir> ahead_dirs_;  // marked in ahead_fd_, by the path marked
  double batch_until_ = 0;      // close_fd_ and notif_fd_ wait until then, while calm
  bool suspect_alive_ = false;  // an actor with evidence, not convicted (updated by Tick)
  size_t closes_added_ = 0;     // close-writes queued since the last JudgeQueued
  size_t dirs_marked_ = 0;
  // Per file, directories took FAN_OPEN_PERM once (SuspendLeases); per directory they always do.
  bool dirs_ever_checked_ = false;
  bool dir_cap_warned_ = false;
  std::unordered_map<std::string, std::string> dir_by_handle_;
  std::unordered_map<pid_t, Proc> procs_;
  std::set<std::string> decoys_;
  std::set<std::pair<dev_t, ino_t>> decoy_inodes_;
  std::vector<Pending> pending_;
  std::vector<std::unique_ptr<Job>> jobs_;
  std::map<std::string, bool> allow_cache_;
  pid_t main_tid_ = 0;
  double last_prune_ = 0;
  double last_store_warning_ = 0;
  uint64_t events_ = 0;
  Stats stats_;
  SyscallReader syscalls_;
  std::vector<Later> holds_;  // read-only opens answered in the current batch
  std::deque<Later> closes_;  // close-write events waiting for judgement
  SignalGuard guard_;
  std::unique_ptr<Leases> leases_;
  int lease_signo_ = 0;
  bool leases_suspended_ = false;
  int base_nice_ = 0;
  int base_policy_ = SCHED_OTHER;
  bool boosted_ = false;
  double last_backlog_ = 0;  // when a read last brought kBacklogEvents events or more
  double last_suspend_ = 0;
  Breaks breaks_;
  std::set<std::pair<dev_t, ino_t>> marked_;  // inodes given a FAN_OPEN_PERM mark of their own
  struct Young {
    double seen;
    std::string path;
    FileId id;
  };
  std::deque<Young> young_;  // new names to mark (MarkYoung)
  // Processes signalled: actor, and start time (the pid may be reused).
  std::unordered_map<pid_t, std::pair<uint64_t, uint64_t>> killed_;
};

Monitor::~Monitor() {
  for (auto& j : jobs_)
    if (j->thread.joinable()) j->thread.join();
  for (const Later& l : holds_) close(l.fd);
  for (const Later& l : closes_) close(l.fd);
  leases_.reset();
  for (const auto& [k, b] : breaks_) close(b.fd);
  for (const auto& [k, h] : aheads_) close(h.fd);
  for (const auto& [k, d] : ahead_dirs_) close(d.fd);
  for (int fd : {perm_fd_, close_fd_, notif_fd_, signal_fd_, ahead_fd_})
    if (fd >= 0) close(fd);
  for (int fd : root_fds_) close(fd);
  RemoveDecoys(decoys_);
}

int Monitor::Setup() {
  main_tid_ = gettid();
  guard_.confine_to = o_.confine_to;
  model_.on_evidence = [this](const Actor& a, const Evidence& e) {
    suspect_alive_ = true;
    // Evidence ends the fast path: from now on every open is a permission event again.
    SuspendLeases("evidence against actor " + std::to_string(a.id));
    if (Actor* mutable_actor = model_.Find(a.id)) FillCmdlines(*mutable_actor);
    if (!o_.verbose) return;
    pid_t pid = a.procs.empty() ? 0 : a.procs.begin()->first;
    log_.Line("evidence against actor " + std::to_string(a.id) + " (pid " + std::to_string(pid) +
              "): +" + std::to_string(e.weight).substr(0, 4) + " " + e.what +
              (e.path.empty() ? "" : ": " + e.path) + ", score " +
              std::to_string(a.score).substr(0, 4));
    log_.Json({{"event", "evidence"},
               {"actor", a.id},
               {"weight", e.weight},
               {"what", e.what},
               {"path", e.path},
               {"score", a.score}});
  };
  if (o_.roots.empty()) {
    log_.Line("error: no path to watch");
    return kExitUsage;
  }
  for (const std::string& r : o_.roots) {
    char buf[PATH_MAX];
    struct stat st;
    if (!realpath(r.c_str(), buf) || stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
      log_.Line("error: " + r + " is not a directory" +
                (errno ? std::string(": ") + std::strerror(errno) : ""));
      return kExitUsage;
    }
    if (std::string(buf) == "/") {
      log_.Line("error: refusing to watch the whole file system; name the trees to protect");
      return kExitUsage;
    }
    roots_.push_back(buf);
  }
  // The store must live outside the trees (its copies are not to be watched or restored).
  {
    std::string store = o_.store_dir;
    char buf[PATH_MAX];
    std::string parent = store.substr(0, store.rfind('/'));
    if (realpath(store.c_str(), buf))
      store = buf;
    else if (!parent.empty() && realpath(parent.c_str(), buf))
      store = std::string(buf) + store.substr(store.rfind('/'));
    for (const std::string& r : roots_) {
      if (Inside(store, r) || Inside(r, store)) {
        log_.Line("error: the store " + store + " must not be inside or contain a watched tree (" +
                  r + ")");
        return kExitUsage;
      }
    }
  }
  std::string err;
  if (!lock_.Acquire(o_.lock_dir, roots_, &err)) {
    log_.Line("error: " + err);
    log_.Json({{"event", "error"}, {"message", err}});
    return kExitLocked;
  }
  if (!store_.Init(&err)) {
    log_.Line("error: " + err);
    return kExitSetup;
  }
  store_.set_max_held(o_.max_held);
  store_.set_max_copy(o_.max_copy);
  store_.set_memory_budget(o_.memory_copies);
  // Held descriptors need room.
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    // Held files, plus one batch of event descriptors (up to ~2,800 per 64 KiB read), the
    // queued close-writes, the /proc/TID/syscall descriptors, and room for the rest.
    rlim_t want = rlim_t(o_.max_held) + rlim_t(o_.max_leases) + 4096 + kMaxQueuedCloses +
                  SyscallReader::kMaxOpen + 4096;
    if (rl.rlim_max < want) rl.rlim_max = want;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
      getrlimit(RLIMIT_NOFILE, &rl);
      rl.rlim_cur = rl.rlim_max;
      setrlimit(RLIMIT_NOFILE, &rl);
    }
  }
  perm_fd_ = fanotify_init(
      FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_TID | FAN_UNLIMITED_MARKS,
      O_RDONLY | O_LARGEFILE | O_CLOEXEC | O_NOATIME);
  if (perm_fd_ < 0) {
    log_.Line(std::string("error: fanotify_init (permission events) failed: ") +
              std::strerror(errno) + " (vigie watch needs root and a kernel with fanotify)");
    return kExitSetup;
  }
  close_fd_ = fanotify_init(
      FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_TID | FAN_UNLIMITED_MARKS,
      O_RDONLY | O_LARGEFILE | O_CLOEXEC | O_NOATIME);
  if (close_fd_ < 0) {
    log_.Line(std::string("error: fanotify_init (close events) failed: ") + std::strerror(errno));
    return kExitSetup;
  }
  notif_fd_ = fanotify_init(
      FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_DFID_NAME | FAN_REPORT_TID,
      O_RDONLY | O_CLOEXEC);
  if (notif_fd_ < 0) {
    log_.Line(std::string("error: fanotify_init (name events) failed: ") + std::strerror(errno));
    return kExitSetup;
  }
  // Without it, rewriters' files are copied when their leases break, as everyone's.
  ahead_fd_ = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_TID,
                            O_RDONLY | O_LARGEFILE | O_CLOEXEC | O_NOATIME);
  for (const std::string& r : roots_) root_fds_.push_back(open(r.c_str(), O_PATH | O_CLOEXEC));
  if (o_.decoys) {
    decoys_ = PlaceDecoys(roots_, 64);
    for (const std::string& d : decoys_) {
      struct stat st;
      if (stat(d.c_str(), &st) == 0) decoy_inodes_.insert({st.st_dev, st.st_ino});
    }
    log_.Line("placed " + std::to_string(decoys_.size()) + " decoy files (" +
              std::string(kDecoyPrefix) + "*)");
  }
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGHUP);
  // A lease break queues a real-time signal carrying the descriptor; a full signal queue
  // sends SIGIO instead.
  lease_signo_ = SIGRTMIN + 3;
  sigaddset(&mask, lease_signo_);
  sigaddset(&mask, SIGIO);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  signal_fd_ = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  // Leases are taken before any directory is marked: the opens that take them must not be
  // permission events, which this very thread would have to answer.
  if (o_.max_leases > 0) {
    leases_ = std::make_unique<Leases>(perm_fd_, close_fd_, lease_signo_);
    bool all = true;
    for (const std::string& r : roots_) all = LeaseTree(r) && all;
    stats_.leases = leases_->size();
    if (!all) {
      leases_->set_scheme(Leases::Scheme::kPerDirectory);
      log_.Line("the trees hold more than " + std::to_string(o_.max_leases) +
                " files: opens of the files not leased are all permission events "
                "(--max-leases raises the limit)");
    }
  }
  if (!PerDirectory())
    for (const std::string& d : decoys_) MarkFile(AT_FDCWD, d.c_str());
  base_nice_ = getpriority(PRIO_PROCESS, 0);
  base_policy_ = sched_getscheduler(0);
  // Every open in the trees waits for this process to answer: it must not wait for the CPU
  // behind batch work. With per-file marks few opens wait, and a raised priority would only
  // preempt the work it watches: it is raised while events pile up or a suspect runs (Boost).
  if (PerDirectory())
    Boost(true);
  else
    ApplyPriority(false);
  // Per file, every regular file not leased gets its own mark, from the listing each directory
  // gets right after its mark: a file created after the lease walk is then either listed there
  // or reported as created. (fstatat only: an open here would wait on this very thread.)
  for (const std::string& r : roots_) MarkTree(r, !PerDirectory());
  if (leases_) {
    // A file deleted between its lease and the marks: no event will say so.
    for (int fd : leases_->Fds()) {
      struct stat st;
      if (fstat(fd, &st) == 0 && st.st_nlink > 0) continue;
      close(leases_->Release(*leases_->ByFd(fd), false));
    }
  }
  return kExitOk;
}

bool Monitor::MarkDir(const std::string& dir, int dfd) {
  if (dirs_marked_ >= o_.max_dirs) {
    if (!dir_cap_warned_) log_.Line("warning: directory limit reached, " + dir + " not watched");
    dir_cap_warned_ = true;
    return false;
  }
  // Through the descriptor, or by the path when there is none.
  int at = dfd >= 0 ? dfd : AT_FDCWD;
  const char* path = dfd >= 0 ? nullptr : dir.c_str();
  unsigned flags = FAN_MARK_ONLYDIR | FAN_MARK_DONT_FOLLOW;
  auto mark = [&](int group, uint64_t mask) {
    return fanotify_mark(group, FAN_MARK_ADD | flags, mask, at, path) == 0;
  };
  auto unmark = [&](int group, uint64_t mask) {
    fanotify_mark(group, FAN_MARK_REMOVE | flags, mask, at, path);
  };
  if (DirsChecked() && !mark(perm_fd_, kPermDirMask)) return false;
  // A directory that left the trees while checked and came back keeps its old mark (the
  // suspension's removal went by its old path): without removing it, an open there by this
  // thread (LeaseFound) would wait on itself.
  if (!DirsChecked() && dirs_ever_checked_) unmark(perm_fd_, kPermDirMask);
  if (!mark(close_fd_, kCloseDirMask)) {
    if (DirsChecked()) unmark(perm_fd_, kPermDirMask);
    return false;
  }
  if (!mark(notif_fd_, kNotifMask)) {
    if (DirsChecked()) unmark(perm_fd_, kPermDirMask);
    unmark(close_fd_, kCloseDirMask);
    return false;
  }
  dirs_marked_++;
  alignas(file_handle) char buf[sizeof(file_handle) + MAX_HANDLE_SZ];
  auto* fh = reinterpret_cast<file_handle*>(buf);
  fh->handle_bytes = MAX_HANDLE_SZ;
  int mount_id;
  struct statfs sfs;
  bool known =
      dfd >= 0
          ? name_to_handle_at(dfd, "", fh, &mount_id, AT_EMPTY_PATH) == 0 && fstatfs(dfd, &sfs) == 0
          : name_to_handle_at(AT_FDCWD, path, fh, &mount_id, 0) == 0 && statfs(path, &sfs) == 0;
  if (known) dir_by_handle_[HandleKey(&sfs.f_fsid, fh)] = dir;
  return true;
}

void Monitor::MarkFile(int dfd, const char* name, const FileId* only) {
  FileId id;
  if (!RegularFileId(dfd, name, &id) || (only && !(id == *only))) return;
  // Not a leased inode under a new name (a hard link, or a file leased when its close-write
  // was read before its creation).
  if (leases_ && leases_->ByInode(id.dev, id.ino)) return;
  if (fanotify_mark(perm_fd_, FAN_MARK_ADD | FAN_MARK_DONT_FOLLOW, FAN_OPEN_PERM, dfd, name) != 0)
    return;
  NoteMarked(id.dev, id.ino);
  // The name is looked up twice: a file renamed over it in between took the mark instead.
  FileId now;
  if (RegularFileId(dfd, name, &now) && (now.dev != id.dev || now.ino != id.ino))
    NoteMarked(now.dev, now.ino);
}

void Monitor::MarkFd(int fd, const struct stat& st) {
  if (leases_ && leases_->ByInode(st.st_dev, st.st_ino)) return;
  if (fanotify_mark(perm_fd_, FAN_MARK_ADD, FAN_OPEN_PERM, fd, nullptr) == 0)
    NoteMarked(st.st_dev, st.st_ino);
}

void Monitor::NoteYoung(const std::string& path) {
  if (!Calm()) {
    MarkFile(AT_FDCWD, path.c_str());
    return;
  }
  // The identity, for the name may be another file's when it comes due (a journal created and
  // deleted again and again); a file gone already needs nothing. A second name of a file (a
  // hard link) is no new content: marked at once.
  FileId id;
  uint32_t nlink = 0;
  if (!RegularFileId(AT_FDCWD, path.c_str(), &id, &nlink)) return;
  if (nlink > 1) {
    MarkFile(AT_FDCWD, path.c_str());
    return;
  }
  if (young_.size() >= kMaxYoung) MarkOldestYoung();
  young_.push_back({MonotonicSeconds(), path, id});
}

void Monitor::MarkOldestYoung() {
  Young y = std::move(young_.front());
  young_.pop_front();
  // Leased since (closed by its writer): the usual case, known without a look at the name.
  if (leases_ && leases_->ByInode(y.id.dev, y.id.ino)) return;
  MarkFile(AT_FDCWD, y.path.c_str(), &y.id);
}

void Monitor::MarkYoung(double now) {
  if (PerDirectory()) {
    young_.clear();  // the directories check every open
    return;
  }
  // Those due within a batch period too: one wake-up marks a batch's worth.
  bool all = !Calm();
  while (!young_.empty() && (all || now - young_.front().seen >= kYoungSeconds - kBatchSeconds))
    MarkOldestYoung();
}

void Monitor::NoteMarked(dev_t dev, ino_t ino) {
  stats_.file_marks++;
  if (marked_.size() < kMaxMarkedNoted) marked_.insert({dev, ino});
}

void Monitor::MarkTree(const std::string& root, bool files, bool lease) {
  WalkTree(
      root, store_.dir(), [this](const std::string& dir, int dfd) { return MarkDir(dir, dfd); },
      [&](const std::string& path, unsigned char, int dfd, const char* name) {
        if (files && !PerDirectory() && !(lease && LeaseFound(path, dfd, name)))
          MarkFile(dfd, name);
        return true;
      });
}

bool Monitor::LeaseFound(const std::string& path, int dfd, const char* name) {
  // Only where opening a file costs this thread no permission event: per file, not suspended
  // (the directories carry no FAN_OPEN_PERM), and an inode without a mark of this monitor.
  if (PerDirectory() || !MayLease(path) || marked_.size() >= kMaxMarkedNoted) return false;
  // Looked at through O_PATH (no open hook runs), then opened through that very descriptor:
  // the inode checked is the inode opened, whatever happens to the name meanwhile.
  int at = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (at < 0) return false;
  struct stat st;
  bool leased = false;
  if (fstat(at, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink > 0 &&
      !marked_.count({st.st_dev, st.st_ino}) && !leases_->ByInode(st.st_dev, st.st_ino) &&
      !aheads_.count({st.st_dev, st.st_ino})) {
    int fd = ReopenForReading(at);
    if (fd >= 0) {
      leased = leases_->Adopt(fd, st, path, false);  // (not in marked_)
      if (!leased) close(fd);
    }
  }
  close(at);
  return leased;
}

bool Monitor::LeaseTree(const std::string& root) {
  return WalkTree(
      root, store_.dir(), [](const std::string&, int) { return true; },
      [this](const std::string& path, unsigned char type, int, const char*) {
        if (type != DT_REG || decoys_.count(path)) return true;
        if (leases_->size() >= o_.max_leases) return false;
        leases_->Add(path);
        return true;
      });
}

bool Monitor::LeaseAgain(int fd, const struct stat& st, const std::string& path, bool dup,
                         bool marked) {
  int own = dup ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : fd;
  if (own < 0) return false;
  bool maybe_marked =
      marked || marked_.size() >= kMaxMarkedNoted || marked_.count({st.st_dev, st.st_ino}) != 0;
  if (!leases_->Adopt(own, st, path, maybe_marked)) {
    if (dup) close(own);
    return false;
  }
  // Leased again after a break: its opens no longer name writers (a reader now would be taken
  // for one).
  if (auto b = breaks_.find({st.st_dev, st.st_ino}); b != breaks_.end()) EndBreak(b);
  return true;
}

bool Monitor::LeaseAfterWrite(int fd, const struct stat& st, const std::string& path) {
  if (!leases_ || st.st_nlink == 0) return false;  // deleted: nothing to lease or mark
  if (MayLease(path) && LeaseAgain(fd, st, path, false)) return true;
  // Not leased (suspended, at the limit, a writer still has it open): per file, its opens must
  // still be permission events, whatever became of the mark its creation was to get.
  if (!PerDirectory() && InRoots(path)) MarkFd(fd, st);
  return false;
}

bool Monitor::InRoots(const std::string& path) const {
  for (const std::string& r : roots_)
    if (Inside(path, r)) return true;
  return false;
}

bool Monitor::MayLease(const std::string& path) const {
  return leases_ && !leases_suspended_ && leases_->size() < o_.max_leases && !decoys_.count(path) &&
         InRoots(path);
}

Monitor::Breaks::iterator Monitor::EndBreak(Breaks::iterator it) {
  fanotify_mark(close_fd_, FAN_MARK_REMOVE, FAN_OPEN, it->second.fd, nullptr);
  close(it->second.fd);
  return breaks_.erase(it);
}

void Monitor::OnLeaseBreak(int fd, bool settle) {
  Lease* l = leases_ ? leases_->ByFd(fd) : nullptr;
  if (!l) return;
  stats_.lease_breaks++;
  struct stat st;
  if (fstat(fd, &st) != 0) st = {};
  std::string path = l->path;
  bool kept = st.st_size == 0 || KeepCopy(kUnattributed, fd, st, path);
  if (settle && !kept) {
    // The write would be unprotected. The writer's earlier files are judged first: their
    // close-writes are in the queue already (a close is reported before the closer's next
    // system call), and a writer they convict dies before its write.
    Drain(close_fd_);
    while (!closes_.empty()) JudgeNextClose();
  }
  // The store cannot keep copies: the writes that follow must meet permission events, where a
  // suspicious writer is denied.
  if (!kept) SuspendLeases("the store cannot keep copies");
  l = leases_->ByFd(fd);
  if (!l) return;
  if (o_.verbose) log_.Line("lease broken by a writer: " + path + (kept ? "" : " (no copy)"));
  int own = leases_->Release(*l, true);
  if (!PerDirectory()) NoteMarked(st.st_dev, st.st_ino);
  auto [it, fresh] = breaks_.try_emplace({st.st_dev, st.st_ino});
  if (!fresh) close(it->second.fd);
  it->second = Break{own, path, MonotonicSeconds(), {}};
}

void Monitor::OnBreakerOpen(const fanotify_event_metadata* md) {
  if (breaks_.empty()) return;
  struct stat st;
  if (fstat(md->fd, &st) != 0) return;
  auto it = breaks_.find({st.st_dev, st.st_ino});
  if (it == breaks_.end()) return;
  Break& b = it->second;
  pid_t tid = md->pid;
  if (b.perm_tids.count(tid) || OwnThread(tid)) return;
  b.named = true;
  Proc* p = ProcFor(tid);
  if (p->allowed) return;
  Actor* a = ActorOf(p);
  if (a->convicted && o_.mode == Mode::kKill && guard_.Allowed(p->info.pid))
    kill(p->info.pid, SIGKILL);
  if (a->seen.size() < 1000000) a->seen[b.path] = {st.st_dev, st.st_ino};
  if (a->rewriting.size() < 1000000) a->rewriting.insert({st.st_dev, st.st_ino});
  if (o_.verbose)
    log_.Line("writer of " + b.path + ": pid " + std::to_string(p->info.pid) + ", actor " +
              std::to_string(a->id));
  NoteRewrite(*a, b.path);
  if (store_.Reassign(kUnattributed, a->id, md->fd, st) || store_.FindFile(a->id, md->fd, st))
    return;
  // A second writer through the same break: what the file holds now, as a permission event
  // would have kept it.
  KeepCopy(a->id, md->fd, st, b.path);
}

void Monitor::NoteRewrite(Actor& a, const std::string& path) {
  if (ahead_fd_ < 0 || PerDirectory() || a.rewriting.size() < kAheadAfterRewrites || !InRoots(path))
    return;
  std::string dir = path.substr(0, path.rfind('/'));
  double now = MonotonicSeconds();
  if (auto it = ahead_dirs_.find(dir); it != ahead_dirs_.end()) {
    it->second.last = now;
    return;
  }
  if (ahead_dirs_.size() >= kMaxAheadDirs || !Calm()) return;
  // (Opening a directory is no permission event: the directory masks lack FAN_ONDIR.)
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  if (fanotify_mark(ahead_fd_, FAN_MARK_ADD | FAN_MARK_ONLYDIR, kAheadDirMask, fd, nullptr) != 0) {
    close(fd);
    return;
  }
  ahead_dirs_[dir] = {fd, now};
}

// Copies ahead of a write. A program that rewrites files in place (an image optimiser, a
// converter, a tagger) mostly reads each file before it opens it again to write it. That write
// would break the file's lease and wait for this monitor: two wake-ups, on a small virtual
// machine most of what such a workload loses under watch. Its read is seen here instead (the
// directories where it rewrote files report their opens, and nobody waits on those events):
// the file is copied then, while its lease still keeps every writer out, and the lease is let
// go, so that the write waits for nothing. The copy is therefore the content before any write
// that follows. It is kept under no actor, and the file marked for close-writes (through any
// of its names): every writer whose close-write is judged, and every process that deletes the
// file or renames another over it, takes a copy of its own (TakeAhead). kAheadSeconds on,
// once no writer has the file open, it is leased again and the copy dropped (EndAhead). Only
// while calm, per file, for an actor without evidence that rewrote files already, and within
// a quarter of the store budget.
void Monitor::OnAheadOpen(const fanotify_event_metadata* md) {
  if (!leases_ || PerDirectory() || !Calm() || aheads_.size() >= kMaxAheads || OwnThread(md->pid))
    return;
  struct stat st;
  if (fstat(md->fd, &st) != 0 || !S_ISREG(st.st_mode)) return;
  Lease* l = leases_->ByInode(st.st_dev, st.st_ino);
  // Not leased (a new file, one let go already), or a writer's open broke the lease: the
  // break handles that one. A file copied ahead not long ago waits for the end of that copy.
  if (!l || Leases::Breaking(*l) || aheads_.count({st.st_dev, st.st_ino})) return;
  Proc* p = ProcFor(md->pid);
  if (p->allowed) return;
  Actor* a = ActorOf(p);
  if (a->convicted || a->score > 0 || a->rewriting.size() < kAheadAfterRewrites) return;
  uint64_t size = uint64_t(st.st_size);
  if (size > kMaxAheadCopy || ahead_bytes_ + size > store_.budget() / 4 ||
      store_.used() + 2 * size > store_.budget())
    return;
  l = leases_->ByInode(st.st_dev, st.st_ino);  // (reading a new process changes no lease)
  // A copy under no actor (a break's, its writer not judged yet): left to that writer.
  if (!l || store_.FindFile(kUnattributed, l->fd, st)) return;
  Ahead h;
  h.time = MonotonicSeconds();
  h.path = l->path;
  h.st = st;
  h.size = size;
  if (size > 0) {
    if (!KeepCopy(kAheadHold, l->fd, st, h.path)) return;
    const StoreEntry* e = store_.FindFile(kAheadHold, l->fd, st);
    if (!e) return;
    h.entry = e->id;
  }
  // Marked before the lease goes: no close-write of the file can come unseen.
  if (fanotify_mark(close_fd_, FAN_MARK_ADD, FAN_CLOSE_WRITE, l->fd, nullptr) != 0) {
    if (h.entry) store_.DropEntry(h.entry, kAheadHold);
    return;
  }
  h.fd = leases_->LetGo(*l);
  std::string path = h.path;
  aheads_[{st.st_dev, st.st_ino}] = std::move(h);
  ahead_bytes_ += size;
  stats_.ahead_copies++;
  if (a->seen.size() < 1000000) a->seen[path] = {st.st_dev, st.st_ino};
  if (auto d = ahead_dirs_.find(path.substr(0, path.rfind('/'))); d != ahead_dirs_.end())
    d->second.last = MonotonicSeconds();
  if (o_.verbose)
    log_.Line("copied ahead of a write: " + path + " (read by pid " + std::to_string(p->info.pid) +
              ", actor " + std::to_string(a->id) + ")");
}

bool Monitor::TakeAhead(Actor& a, int fd, const struct stat& st, const std::string& path) {
  auto h = aheads_.find({st.st_dev, st.st_ino});
  if (h == aheads_.end() || h->second.entry == 0) return false;
  // With no room for a copy of its own, this writer takes the one held (the writers after it
  // share it from there).
  if (!store_.Share(h->second.entry, a.id, fd, st) && !store_.Reassign(kAheadHold, a.id, fd, st))
    return false;
  if (o_.verbose) log_.Line("copy ahead of " + path + " taken by actor " + std::to_string(a.id));
  return true;
}

Monitor::Aheads::iterator Monitor::EndAhead(Aheads::iterator it) {
  Ahead& h = it->second;
  struct stat st;
  std::string path;
  bool leased = false;
  bool gone = fstat(h.fd, &st) != 0 || st.st_nlink == 0;
  if (!gone) {
    // Guarded again first. Leased where it may be (through a descriptor of its own; this one
    // stays the entry's), which succeeds only when no writer has the file open. Otherwise
    // marked, and a lease tried on this descriptor shows whether a writer has it open; a writer
    // that passed before the mark may still be on its way to its write, so the copy ends only
    // after a second such check, a round later.
    path = FdPath(h.fd);
    // (A name gone while another link remains: marked, wherever that link is.)
    bool named = !path.empty() && !path.ends_with(kGoneMark);
    bool inside = named && InRoots(path);
    leased = leases_->ByInode(st.st_dev, st.st_ino) != nullptr;
    if (!leased && inside && MayLease(path)) leased = LeaseAgain(h.fd, st, path, true);
    if (!leased) {
      if (!h.checked && !PerDirectory() && (inside || !named)) MarkFd(h.fd, st);
      h.checked = true;
      bool writer = fcntl(h.fd, F_SETLEASE, F_RDLCK) != 0;
      if (!writer) {
        // Broken at once: a truncate(2) on its way (it has no permission event).
        writer = fcntl(h.fd, F_GETLEASE) == F_UNLCK;
        fcntl(h.fd, F_SETLEASE, F_UNLCK);
      }
      bool second = h.quiet && !writer;
      h.quiet = !writer;
      // A writer has it open: its next opens are checked meanwhile, and the copy waits for
      // its close-write.
      if (!second) return std::next(it);
    }
  }
  // No writer has it open, and later ones meet the lease or the mark: the close-writes and
  // name events of those before are queued by now (a close is, before the writer count
  // drops). Judged now, each takes its copy, and a judged write is the file's last known state.
  Drain(close_fd_);
  Drain(notif_fd_);
  while (!closes_.empty()) JudgeNextClose();
  auto ns = [](const timespec& t) { return int64_t(t.tv_sec) * 1000000000 + t.tv_nsec; };
  if (!gone && fstat(h.fd, &st) == 0)
    h.changed = st.st_size != h.st.st_size || ns(st.st_mtim) != ns(h.st.st_mtim) ||
                ns(st.st_ctim) != ns(h.st.st_ctim);
  if (o_.verbose && !gone)
    log_.Line("done with the copy ahead of " + path + (leased ? ", leased again" : "") +
              (h.changed ? ", changed unseen" : ""));
  fanotify_mark(close_fd_, FAN_MARK_REMOVE, FAN_CLOSE_WRITE, h.fd, nullptr);
  // Changed with no close-write to show for it (a truncate(2), which opens nothing): the copy
  // stays, as one taken at a break whose writer was never named.
  if (h.entry &&
      !(h.changed && store_.Reassign(kAheadHold, kUnattributed, h.st.st_dev, h.st.st_ino)))
    store_.DropEntry(h.entry, kAheadHold);
  ahead_bytes_ -= std::min(ahead_bytes_, h.size);
  close(h.fd);
  return aheads_.erase(it);
}

void Monitor::LeaseGone(const std::string& path, pid_t tid, bool moved_out) {
  Lease* l = leases_->ByPath(path);
  if (l && Leases::Breaking(*l)) {
    OnLeaseBreak(l->fd);
    l = nullptr;
  }
  if (!l) {
    ClaimUnattributed(path, tid);
    return;
  }
  struct stat held, now;
  if (fstat(l->fd, &held) != 0) held = {};
  // A late event: the leased inode is still at that name.
  if (stat(path.c_str(), &now) == 0 && now.st_dev == held.st_dev && now.st_ino == held.st_ino)
    return;
  // A file that lived less than kYoungSeconds and is gone for good (a journal, a temporary) is
  // let go without the permission mark that makes a later open of the inode (through
  // /proc/PID/fd) a permission event: that mark's teardown would preempt the deleter.
  FileId id;
  bool brief = held.st_nlink == 0 && !PerDirectory() && RegularFileId(l->fd, "", &id) &&
               id.born_ns >= 0 && WallSeconds() * 1e9 - double(id.born_ns) < kYoungSeconds * 1e9;
  int fd = brief ? leases_->LetGo(*l) : leases_->Release(*l, false);
  if (!brief && !PerDirectory()) NoteMarked(held.st_dev, held.st_ino);
  bool adopted = false;
  if (!OwnThread(tid)) {
    Proc* p = ProcFor(tid);
    Actor* a = p->allowed ? nullptr : ActorOf(p);
    if (a && !a->seen.count(path)) {
      if (a->seen.size() < 1000000) a->seen[path] = {held.st_dev, held.st_ino};
      if (moved_out) {
        KeepCopy(a->id, fd, held, path);
      } else {
        std::string msg;
        StoreProblem(store_.Hold(a->id, fd, held, path, &adopted, &msg), msg, path);
      }
    }
  }
  if (!adopted) close(fd);
  // A copy of that file under no actor (a truncate(2), which named nobody): this process's.
  ClaimUnattributed(path, tid);
}

void Monitor::ClaimUnattributed(const std::string& path, pid_t tid) {
  if ((!store_.Has(kUnattributed) && aheads_.empty()) || OwnThread(tid)) return;
  // Files copied ahead whose name this was (the inode now has no name there, or none at all):
  // each such process takes a copy of its own.
  std::vector<std::pair<dev_t, ino_t>> found, ahead;
  struct stat now {};
  bool there = !aheads_.empty() && stat(path.c_str(), &now) == 0;
  for (const auto& [k, h] : aheads_) {
    // (Not the file now at that name: renamed over another, it took that name.)
    if (there && k == std::make_pair(now.st_dev, now.st_ino)) continue;
    std::string at = WithoutGoneMark(FdPath(h.fd));
    // (The name followed across renames: a file moved out of the trees is elsewhere now.)
    if (at == path || h.path == path) ahead.push_back(k);
  }
  for (const StoreEntry* e : store_.EntriesOf(kUnattributed))
    if (e->path == path && !aheads_.count({e->dev, e->ino})) found.emplace_back(e->dev, e->ino);
  if (found.empty() && ahead.empty()) return;
  Proc* p = ProcFor(tid);
  if (p->allowed) return;
  Actor* a = ActorOf(p);
  for (const auto& k : ahead) {
    auto h = aheads_.find(k);
    struct stat st;
    if (h == aheads_.end() || fstat(h->second.fd, &st) != 0) continue;
    if (TakeAhead(*a, h->second.fd, st, path) && a->seen.size() < 1000000) a->seen[path] = k;
  }
  for (const auto& [dev, ino] : found) {
    if (!store_.Reassign(kUnattributed, a->id, dev, ino)) continue;
    if (a->seen.size() < 1000000) a->seen[path] = {dev, ino};
    if (o_.verbose)
      log_.Line("copy of " + path + " taken by actor " + std::to_string(a->id) +
                " (its writer never named)");
  }
}

void Monitor::SuspendLeases(const std::string& why) {
  last_suspend_ = MonotonicSeconds();
  Boost(true);  // a suspect's opens wait on this process again
  if (!leases_ || leases_suspended_) return;
  leases_suspended_ = true;
  stats_.lease_suspensions++;
  if (PerDirectory()) {
    for (int fd : leases_->Fds())
      if (Lease* l = leases_->ByFd(fd)) leases_->Suspend(*l);
  } else {
    // Per file, the directories take FAN_OPEN_PERM for their children again: every open,
    // including the creation of a file, waits for this monitor, as a suspect's must.
    dirs_ever_checked_ = true;
    for (const auto& [k, dir] : dir_by_handle_)
      fanotify_mark(perm_fd_, FAN_MARK_ADD | FAN_MARK_ONLYDIR | FAN_MARK_DONT_FOLLOW, kPermDirMask,
                    AT_FDCWD, dir.c_str());
  }
  std::string line = why +
                     ": leases suspended, every open in the trees is a permission event "
                     "again";
  log_.Line(line);
  log_.Json({{"event", "leases"}, {"message", line}, {"suspended", leases_->size()}});
}

void Monitor::Boost(bool on) {
  if (on == boosted_) return;
  int want = on ? std::min(base_nice_, -10) : base_nice_;
  ApplyPriority(on);  // (no privilege needed)
  if (setpriority(PRIO_PROCESS, 0, want) != 0) return;
  boosted_ = on;
  stats_.boosts += on;
}

void Monitor::ApplyPriority(bool boosted) {
  if (base_policy_ != SCHED_OTHER && base_policy_ != SCHED_BATCH) return;
  sched_param none{};
  sched_setscheduler(0, boosted ? base_policy_ : SCHED_BATCH, &none);
}

void Monitor::FillCmdlines(Actor& a) {
  for (auto& [pid, info] : a.procs)
    if (info.cmdline.empty()) info.cmdline = ReadCmdline(info);
}

void Monitor::ResumeLeasesWhenCalm() {
  if (!leases_ || !leases_suspended_ || !pending_.empty() || !jobs_.empty()) return;
  double now = MonotonicSeconds();
  if (now - last_suspend_ < o_.lease_calm_seconds) return;
  for (const auto& [id, a] : model_.actors())
    if (a.score > 0 && !(a.convicted && a.restored && o_.mode == Mode::kKill)) return;
  leases_suspended_ = false;
  size_t n = 0;
  if (PerDirectory()) {
    for (int fd : leases_->Fds())
      if (Lease* l = leases_->ByFd(fd)) n += leases_->Resume(*l);
  } else {
    for (const auto& [k, dir] : dir_by_handle_)
      fanotify_mark(perm_fd_, FAN_MARK_REMOVE | FAN_MARK_ONLYDIR | FAN_MARK_DONT_FOLLOW,
                    kPermDirMask, AT_FDCWD, dir.c_str());
    n = leases_->size();
  }
  std::string line = "no suspect left: " + std::to_string(n) + " leases resumed";
  log_.Line(line);
  log_.Json({{"event", "leases"}, {"message", line}, {"resumed", n}});
}

std::string Monitor::HandleKey(const void* fsid, const file_handle* fh) {
  std::string key(static_cast<const char*>(fsid), 8);
  key.append(reinterpret_cast<const char*>(&fh->handle_type), sizeof fh->handle_type);
  key.append(reinterpret_cast<const char*>(fh->f_handle), fh->handle_bytes);
  return key;
}

std::string Monitor::DirPath(const void* fsid, const file_handle* fh) {
  std::string key = HandleKey(fsid, fh);
  auto it = dir_by_handle_.find(key);
  if (it != dir_by_handle_.end()) return it->second;
  alignas(file_handle) char buf[sizeof(file_handle) + MAX_HANDLE_SZ];
  if (fh->handle_bytes > MAX_HANDLE_SZ) return {};
  memcpy(buf, fh, sizeof(file_handle) + fh->handle_bytes);
  for (int rfd : root_fds_) {
    int fd = open_by_handle_at(rfd, reinterpret_cast<file_handle*>(buf), O_PATH | O_CLOEXEC);
    if (fd < 0) continue;
    std::string p = FdPath(fd);
    close(fd);
    if (!p.empty()) {
      if (dir_by_handle_.size() < 1000000) dir_by_handle_[key] = p;
      return p;
    }
  }
  return {};
}

bool Monitor::OwnThread(pid_t tid) {
  if (tid == main_tid_) return true;
  for (const auto& j : jobs_)
    if (pid_t t = j->tid.load(); t > 0 && t == tid) return true;
  return false;
}

bool Monitor::IsAllowed(const ProcInfo& p) {
  if (o_.allow_exe.empty() && o_.allow_sha256.empty()) return false;
  for (const std::string& e : o_.allow_exe)
    if (p.exe == e) return true;
  if (o_.allow_sha256.empty() || p.exe.empty()) return false;
  // Hashing opens the executable: never one inside a watched tree (the open would wait on
  // this very thread).
  if (InRoots(p.exe)) return false;
  auto c = allow_cache_.find(p.exe);
  if (c != allow_cache_.end()) return c->second;
  // Nor one whose inode carries a permission mark of this monitor (a hard link out of the
  // trees, a file moved out): opening it here would wait on this very thread.
  struct stat st;
  if (stat(p.exe.c_str(), &st) != 0 || marked_.count({st.st_dev, st.st_ino}) ||
      (leases_ && leases_->ByInode(st.st_dev, st.st_ino)))
    return false;
  std::string h = Sha256OfFile(p.exe);
  bool ok = false;
  for (const std::string& a : o_.allow_sha256)
    if (!h.empty() && a == h) ok = true;
  if (allow_cache_.size() < 10000) allow_cache_[p.exe] = ok;
  return ok;
}

Monitor::Proc* Monitor::ProcFor(pid_t tid) {
  auto it = procs_.find(tid);
  if (it != procs_.end()) return &it->second;
  Proc p;
  // The command line is read when the process's actor earns evidence (FillCmdlines).
  p.info = ReadProc(tid, false);
  stats_.processes++;
  // A process this monitor signalled belongs to the actor it was signalled for, even when
  // seen for the first time afterwards, dying or gone: its last events, read after the kill,
  // must reach that actor's restore.
  if (auto k = killed_.find(tid); k != killed_.end() &&
                                  (!p.info.alive || p.info.start_time == k->second.second) &&
                                  model_.Find(k->second.first)) {
    p.actor = k->second.first;
    return &(procs_[tid] = std::move(p));
  }
  p.allowed = IsAllowed(p.info);
  Actor& a = model_.ActorFor(p.info);
  p.actor = a.id;
  if (!p.allowed) {
    std::string why = SuspiciousExe(p.info);
    if (!why.empty() && model_.OddExecutable(a, why)) Convict(a);
  }
  if (procs_.size() > 200000) procs_.clear();
  return &(procs_[tid] = std::move(p));
}

Actor* Monitor::ActorOf(Proc* p) {
  Actor* a = model_.Find(p->actor);
  if (!a) {
    // The actor was pruned while this thread lived on: attach it again.
    Actor& fresh = model_.ActorFor(p->info);
    p->actor = fresh.id;
    a = &fresh;
  }
  a->last_active = MonotonicSeconds();
  return a;
}

bool Monitor::KeepCopy(uint64_t actor, int fd, const struct stat& st, const std::string& path) {
  std::string msg;
  Store::Result r = store_.Keep(actor, fd, st, path, true, &msg);
  stats_.copies += r == Store::Result::kKept;
  StoreProblem(r, msg, path);
  return r == Store::Result::kKept || r == Store::Result::kAlready;
}

void Monitor::StoreProblem(Store::Result r, const std::string& msg, const std::string& path) {
  if (r == Store::Result::kKept || r == Store::Result::kAlready) return;
  double now = MonotonicSeconds();
  if (now - last_store_warning_ < 5) return;
  last_store_warning_ = now;
  std::string line = "store cannot keep a copy of " + path + ": " + msg +
                     (r == Store::Result::kNoSpace || r == Store::Result::kBudget
                          ? " (honest writes continue unprotected; suspicious processes are "
                            "denied; free space or raise --store-budget)"
                          : "");
  log_.Line(line);
  log_.Json({{"event", "store"}, {"message", line}, {"path", path}});
}

uint32_t Monitor::OnOpenPerm(const fanotify_event_metadata* md, bool* kept) {
  pid_t tid = md->pid;
  if (OwnThread(tid)) return FAN_ALLOW;
  // A process seen for the first time is read from /proc now, while it is blocked and alive (a
  // short-lived child must join its parent's actor, and an odd executable counts at once).
  Proc* p = ProcFor(tid);
  if (p->allowed) return FAN_ALLOW;
  Actor* a = ActorOf(p);
  // A convicted actor's opens are refused (and its process killed, if it still runs).
  auto refuse = [&] {
    if (o_.mode == Mode::kReportOnly) return uint32_t(FAN_ALLOW);
    if (o_.mode == Mode::kKill && guard_.Allowed(p->info.pid)) kill(p->info.pid, SIGKILL);
    return uint32_t(FAN_DENY);
  };
  if (a->convicted) return refuse();
  struct stat st;
  if (fstat(md->fd, &st) != 0 || !S_ISREG(st.st_mode)) return FAN_ALLOW;
  auto b = breaks_.find({st.st_dev, st.st_ino});
  // The close queue holds what this opener did before (its events are queued before its next
  // system call). It is read first when the answer depends on it: a suspect's close-writes
  // may convict it, and the open that named the writer of a lease broken on this file must be
  // read before a reopen by that writer (else the reopen would copy what the writer wrote,
  // and take it for the original).
  if (a->score > 0 || (b != breaks_.end() && !b->second.named)) {
    Drain(close_fd_);  // (the close group carries no permission event: no deeper nesting)
    // A suspect's close-writes queued before are judged too, not only those just read.
    if (a->score > 0)
      while (!closes_.empty()) JudgeNextClose();
    p = ProcFor(tid);  // the draining may have read new processes, and pruned the table
    if (a->convicted) return refuse();
    b = breaks_.find({st.st_dev, st.st_ino});
  }
  if (b != breaks_.end()) b->second.perm_tids.insert(tid);
  // A file already copied for this actor needs nothing more, whatever the open; one already
  // held needs nothing for a read.
  const StoreEntry* kept_entry = store_.FindFile(a->id, md->fd, st);
  if (kept_entry && kept_entry->copy) return FAN_ALLOW;
  // An empty file has nothing to copy, whatever the open intends (O_TRUNC truncates after this
  // check); a read changes nothing. Both are allowed at once and recorded after the answer
  // (this event's descriptor pins the inode until then). The path of a file read is taken
  // now: the opener may delete or replace it as soon as it is answered. Decoys are always
  // judged here.
  bool write = false;
  if (st.st_size > 0 || decoy_inodes_.count({st.st_dev, st.st_ino})) {
    std::optional<int> flags = syscalls_.OpenFlags(tid);
    write = !flags || (*flags & O_ACCMODE) != O_RDONLY || (*flags & O_TRUNC);
    stats_.write_opens += write;
  }
  if (!write) {
    if (kept_entry) return FAN_ALLOW;
    // The path now, even for an empty file: once answered, the opener may rename it over
    // another (write a temporary, rename it over the original), and the name read later would
    // record the new inode under the original's name.
    holds_.push_back({md->fd, tid, st, FdPath(md->fd)});
    *kept = true;
    return FAN_ALLOW;
  }
  std::string path = FdPath(md->fd);
  if (decoys_.count(path)) {
    if (model_.DecoyTouched(*a, path, true)) Convict(*a);
    return a->convicted && o_.mode != Mode::kReportOnly ? FAN_DENY : FAN_ALLOW;
  }
  if (a->seen.size() < 1000000) a->seen[path] = {st.st_dev, st.st_ino};
  if (st.st_size == 0) return FAN_ALLOW;
  if (a->rewriting.size() < 1000000) a->rewriting.insert({st.st_dev, st.st_ino});
  if (!KeepCopy(a->id, md->fd, st, path)) {
    if (a->score > 0 && o_.mode != Mode::kReportOnly) {
      log_.Line("denied an unprotected write to " + path + " by suspicious pid " +
                std::to_string(p->info.pid));
      // A suspicious process pressing on while nothing can be protected is itself evidence;
      // without it, the store filling up would hold the actor just below conviction.
      if (model_.Unprotectable(*a, path)) Convict(*a);
      return FAN_DENY;
    }
  }
  return FAN_ALLOW;
}

void Monitor::AfterOpen(const Later& l, bool* fd_taken) {
  Proc* p = ProcFor(l.tid);  // known since the answer
  Actor* a = ActorOf(p);
  std::string path = l.path;
  if (path.empty()) {
    // Not read before the answer: a path that went away since shows as "NAME (deleted)".
    path = WithoutGoneMark(FdPath(l.fd));
  }
  if (decoys_.count(path)) return;  // backups and indexers read decoys
  if (a->seen.size() < 1000000) a->seen[path] = {l.st.st_dev, l.st.st_ino};
  if (l.st.st_size == 0) return;
  std::string msg;
  bool adopted = false;
  StoreProblem(store_.Hold(a->id, l.fd, l.st, path, &adopted, &msg), msg, path);
  *fd_taken = adopted;
}

void Monitor::RunHolds() {
  std::vector<Later> todo;
  todo.swap(holds_);
  for (const Later& l : todo) {
    bool taken = false;
    try {
      AfterOpen(l, &taken);
    } catch (const std::exception& e) {
      log_.Line(std::string("internal error: ") + e.what());
    }
    LeaseOnRead(l);
    if (!taken) close(l.fd);
  }
}

void Monitor::LeaseOnRead(const Later& l) {
  // Per file and calm, a read that was a permission event opened a file with a mark of its own:
  // new, not leased yet (its close-write not judged yet), or one that could not be leased. Read
  // once, it is likely read again: leased now (through a duplicate, the event's descriptor may
  // be the store's), its next opens cost nothing. Not a decoy, nor a file whose lease broke
  // moments ago (its writer's open is still to be named).
  if (PerDirectory() || l.st.st_nlink == 0 || l.path.empty() || l.path.ends_with(kGoneMark) ||
      !MayLease(l.path) || breaks_.count({l.st.st_dev, l.st.st_ino}) ||
      aheads_.count({l.st.st_dev, l.st.st_ino}) || leases_->ByInode(l.st.st_dev, l.st.st_ino))
    return;
  // (A permission event shows a mark: removed whatever marked_ says.)
  LeaseAgain(l.fd, l.st, l.path, true, true);
}

void Monitor::OnCloseWrite(int fd, pid_t tid, const struct stat& st, const std::string& path) {
  if (OwnThread(tid)) return;
  Proc* p = ProcFor(tid);
  if (p->allowed) return;
  Actor* a = ActorOf(p);
  if (decoys_.count(path)) return;
  // A copy taken ahead of this write (each writer takes one of its own), or at a lease break
  // whose writer was not named yet (its FAN_OPEN still queued, or a truncate(2), which opens
  // nothing): this writer's.
  if (TakeAhead(*a, fd, st, path) || store_.Reassign(kUnattributed, a->id, fd, st)) {
    a->rewriting.insert({st.st_dev, st.st_ino});
    NoteRewrite(*a, path);
  }
  bool stale = false;
  const StoreEntry* e = store_.FindFile(a->id, fd, st, &stale);
  // A copy of an earlier file that had this inode number: this one is new.
  if (stale) a->rewriting.erase({st.st_dev, st.st_ino});
  bool rewritten = (e && e->copy) || a->rewriting.count({st.st_dev, st.st_ino});
  // A new file deleted already (a journal, a temporary) is neither a note left behind nor the
  // copy that replaces an original: nothing to judge.
  if (!rewritten && st.st_nlink == 0) return;
  // A probe of the first bytes first: a new file whose kind alone judges it (compressor,
  // archiver or linker output) needs no more. A small file is read whole at once.
  Sample& after = scratch_after_;
  if (!ReadSample(fd, &after, st.st_size <= kReadWhole ? kHeadBytes : kProbeBytes, st.st_size))
    return;
  bool whole = after.head.size() == after.size;
  auto complete = [&] { return whole || ReadSample(fd, &after, kHeadBytes, st.st_size); };
  bool convict = false;
  Sample& before = scratch_before_;
  if (e && e->copy && Store::SampleOf(*e, &before)) {
    if (!complete()) return;
    convict = model_.Rewritten(*a, path, before, after);
  } else if (a->rewriting.count({st.st_dev, st.st_ino})) {
    if (!complete()) return;
    convict = model_.RewrittenWithoutCopy(*a, path, after);
  } else {
    if (!IsOutputKind(KindOf(after.head)) && !complete()) return;
    convict = model_.NewFile(*a, path, after);
  }
  if (convict) Convict(*a);
}

void Monitor::OnNotif(const fanotify_event_metadata* md) {
  const char* p = reinterpret_cast<const char*>(md) + md->metadata_len;
  const char* end = reinterpret_cast<const char*>(md) + md->event_len;
  std::string path1, path2;
  while (p + sizeof(fanotify_event_info_header) <= end) {
    auto* hdr = reinterpret_cast<const fanotify_event_info_header*>(p);
    if (hdr->len < sizeof(fanotify_event_info_fid) + sizeof(file_handle) || p + hdr->len > end)
      break;
    if (hdr->info_type == FAN_EVENT_INFO_TYPE_DFID_NAME ||
        hdr->info_type == FAN_EVENT_INFO_TYPE_OLD_DFID_NAME ||
        hdr->info_type == FAN_EVENT_INFO_TYPE_NEW_DFID_NAME) {
      auto* fid = reinterpret_cast<const fanotify_event_info_fid*>(p);
      auto* fh = reinterpret_cast<const file_handle*>(fid->handle);
      size_t room = hdr->len - sizeof(fanotify_event_info_fid) - sizeof(file_handle);
      if (fh->handle_bytes < room && fh->handle_bytes <= MAX_HANDLE_SZ) {
        const char* name = reinterpret_cast<const char*>(fh->f_handle) + fh->handle_bytes;
        std::string n(name, strnlen(name, size_t(p + hdr->len - name)));
        std::string dir = DirPath(&fid->fsid, fh);
        if (!dir.empty()) {
          std::string full = n.empty() || n == "." ? dir : dir + "/" + n;
          (hdr->info_type == FAN_EVENT_INFO_TYPE_NEW_DFID_NAME ? path2 : path1) = full;
        }
      }
    }
    p += hdr->len;
  }
  bool is_dir = md->mask & FAN_ONDIR;
  if (is_dir) {
    if ((md->mask & FAN_CREATE) && !path1.empty()) MarkTree(path1, true, true);
    // Moved in from outside the trees.
    if ((md->mask & FAN_RENAME) && path1.empty() && !path2.empty()) MarkTree(path2, true, true);
    if ((md->mask & FAN_RENAME) && !path1.empty() && !path2.empty()) {
      for (auto& [k, v] : dir_by_handle_)
        if (Inside(v, path1)) v = path2 + v.substr(path1.size());
      for (Young& y : young_)
        if (Inside(y.path, path1)) y.path = path2 + y.path.substr(path1.size());
      if (leases_) leases_->DirRenamed(path1, path2);
    }
    return;
  }
  pid_t tid = md->pid;
  if (!PerDirectory()) {
    // A new name for a file (created, renamed, or moved in from outside): checked at every
    // open, from kYoungSeconds on, until its writer closes it and it is leased. A file moved in
    // from outside the trees has content of its own: at once.
    if ((md->mask & FAN_CREATE) && !path1.empty()) NoteYoung(path1);
    if ((md->mask & FAN_RENAME) && !path2.empty()) {
      if (path1.empty())
        MarkFile(AT_FDCWD, path2.c_str());
      else
        NoteYoung(path2);
    }
  }
  if (!aheads_.empty() && (md->mask & FAN_RENAME) && !path1.empty() && !path2.empty())
    for (auto& [k, h] : aheads_)
      if (h.path == path1) h.path = path2;
  if (leases_ && (leases_->size() > 0 || !aheads_.empty())) {
    if ((md->mask & FAN_DELETE) && !path1.empty()) LeaseGone(path1, tid);
    if ((md->mask & FAN_RENAME) && !path2.empty()) LeaseGone(path2, tid);
    if ((md->mask & FAN_RENAME) && !path1.empty()) {
      if (path2.empty())
        LeaseGone(path1, tid, true);  // moved out of the trees
      else
        leases_->Renamed(path1, path2);
    }
  }
  if (OwnThread(tid)) return;
  Proc* pr = ProcFor(tid);
  if (pr->allowed) return;
  Actor* a = ActorOf(pr);
  bool convict = false;
  auto deleted = [&](const std::string& path) {
    if (decoys_.count(path)) {
      convict |= model_.DecoyTouched(*a, path, false);
      return;
    }
    auto s = a->seen.find(path);
    const StoreEntry* e = nullptr;
    if (s != a->seen.end()) {
      // A held descriptor keeps a deleted file's data: no copy needed until a restore.
      e = store_.Find(a->id, s->second.first, s->second.second);
      if (e && !store_.Orphaned(a->id, e->dev, e->ino)) {
        // Deleted files held past the budget: give the space of blameless actors back at
        // once (a backup rotation deleting old archives must get its disk space).
        for (auto& [id, other] : model_.actors())
          if (other.score == 0 && id != a->id) store_.DropOrphans(id);
        if (a->score == 0) {
          store_.DropOrphans(a->id);
          e = nullptr;
        }
        if (store_.used() > store_.budget())
          StoreProblem(Store::Result::kBudget, "deleted files held past the budget", path);
      }
    }
    if (!e) {
      convict |= model_.Deleted(*a, path, static_cast<const DeletedContent*>(nullptr));
      return;
    }
    // Read from the store only if a new file pairs with it (the entry may be gone by then).
    DeletedContent before{e->size, [this, id = e->id](Sample* s) {
                            const StoreEntry* now = store_.ById(id);
                            return now && Store::SampleOf(*now, s);
                          }};
    convict |= model_.Deleted(*a, path, &before);
  };
  if ((md->mask & FAN_CREATE) && !path1.empty()) {
    a->created.insert(path1);
  } else if ((md->mask & FAN_DELETE) && !path1.empty()) {
    deleted(path1);
  } else if ((md->mask & FAN_RENAME) && !path1.empty() && !path2.empty()) {
    if (decoys_.count(path1)) {
      convict |= model_.DecoyTouched(*a, path1, true);
    } else {
      // A file renamed over one the actor had seen destroys it. (When the inode now at the
      // target is the one seen there, the open was simply reported before the rename.)
      bool overwrote = false;
      auto t = a->seen.find(path2);
      if (t != a->seen.end()) {
        struct stat st;
        overwrote = stat(path2.c_str(), &st) != 0 || st.st_dev != t->second.first ||
                    st.st_ino != t->second.second;
        if (overwrote) deleted(path2);
      }
      auto s = a->seen.find(path1);
      if (s != a->seen.end()) {
        a->seen[path2] = s->second;
        a->seen.erase(path1);
      }
      convict |= model_.Renamed(*a, path1, path2, overwrote);
    }
  }
  if (convict) Convict(*a);
}

void Monitor::Convict(Actor& a) {
  double now = MonotonicSeconds();
  FillCmdlines(a);
  std::vector<ProcInfo> targets = TargetsOf(a, guard_);
  std::string verb = o_.mode == Mode::kKill   ? "killing"
                     : o_.mode == Mode::kStop ? "stopping"
                                              : "reporting (--report-only)";
  log_.Line("ALERT: ransomware behaviour, score " + std::to_string(a.score).substr(0, 4) +
            " >= " + std::to_string(model_.threshold()).substr(0, 4) + "; " + verb + " " +
            std::to_string(targets.size()) + " processes");
  nlohmann::json procs = nlohmann::json::array();
  std::set<pid_t> listed;
  for (const auto& [pid, info] : a.procs) {
    procs.push_back(ProcJson(info));
    listed.insert(pid);
    log_.Line("  process " + std::to_string(pid) + " (ppid " + std::to_string(info.ppid) +
              ", pgid " + std::to_string(info.pgid) + ", sid " + std::to_string(info.sid) +
              ") exe " + info.exe + " cmdline: " + info.cmdline);
  }
  for (const ProcInfo& t : targets) {
    if (listed.count(t.pid)) continue;
    procs.push_back(ProcJson(t));
    log_.Line("  process " + std::to_string(t.pid) + " (ppid " + std::to_string(t.ppid) + ") exe " +
              t.exe + " cmdline: " + t.cmdline);
  }
  nlohmann::json ev = nlohmann::json::array();
  for (const Evidence& e : a.evidence) {
    ev.push_back({{"weight", e.weight}, {"what", e.what}, {"path", e.path}});
    log_.Line("  evidence +" + std::to_string(e.weight).substr(0, 4) + " " + e.what +
              (e.path.empty() ? "" : ": " + e.path));
  }
  std::vector<pid_t> signalled;
  if (o_.mode == Mode::kKill) signalled = SignalAll(targets, SIGKILL);
  if (o_.mode == Mode::kStop) signalled = SignalAll(targets, SIGSTOP);
  if (killed_.size() > 100000) killed_.clear();
  for (const ProcInfo& t : targets)
    if (std::find(signalled.begin(), signalled.end(), t.pid) != signalled.end())
      killed_[t.pid] = {a.id, t.start_time};
  double delay_ms = a.first_destroy_at > 0 ? (now - a.first_destroy_at) * 1000 : 0;
  log_.Json({{"event", "alert"},
             {"actor", a.id},
             {"score", a.score},
             {"evidence", ev},
             {"processes", procs}});
  log_.Json({{"event", "action"},
             {"actor", a.id},
             {"action", o_.mode == Mode::kKill   ? "kill"
                        : o_.mode == Mode::kStop ? "stop"
                                                 : "report"},
             {"pids", signalled},
             {"ms_since_first_destroyed_file", delay_ms}});
  if (o_.mode == Mode::kReportOnly) return;
  pending_.push_back({a.id, signalled, now + 2.0});
  // Processes of the tree that formed actors of their own (a worker that started a session
  // before its parent was seen): what they changed is part of the same attack.
  std::set<uint64_t> joined;
  for (const ProcInfo& t : targets) {
    Actor* other = model_.FindByPid(t.pid);
    if (!other || other->id == a.id || other->convicted || !joined.insert(other->id).second)
      continue;
    other->convicted = true;
    other->convicted_at = now;
    log_.Line("actor " + std::to_string(other->id) + " (pid " + std::to_string(t.pid) +
              ") belongs to the process tree of actor " + std::to_string(a.id) +
              ": restored with it");
    log_.Json({{"event", "joined"}, {"actor", other->id}, {"with", a.id}, {"pid", t.pid}});
    pending_.push_back({other->id, {}, now + 2.0});
  }
}

void Monitor::StartRestore(Actor& a) {
  Plan plan;
  plan.actor = a.id;
  plan.quarantine_dir =
      store_.dir() + "/quarantine-" + std::to_string(getpid()) + "-" + std::to_string(a.id);
  // Where each renamed path came from, following chains (a -> b -> c: c came from a), so a
  // file first seen after a move is put back where it was before the move.
  // Renames over a file the actor had seen are not moves of that file: the file seen there
  // goes back there (write a temporary, rename it over the original).
  std::map<std::string, std::string> origin;
  for (size_t i = 0; i < a.renames.size(); ++i) {
    const auto& [from, to] = a.renames[i];
    if (i < a.rename_overwrote.size() && a.rename_overwrote[i]) {
      origin.erase(to);
      continue;
    }
    auto o = origin.find(from);
    origin[to] = o == origin.end() ? from : o->second;
  }
  std::set<std::string> targets;
  // By id: securing one entry may find the store directory gone and drop the lost copies.
  std::vector<uint64_t> ids;
  for (const StoreEntry* e : store_.EntriesOf(a.id)) ids.push_back(e->id);
  for (uint64_t id : ids) {
    const StoreEntry* e = store_.ById(id);
    if (!e) continue;
    if (!e->copy) {
      struct stat st;
      if (stat(e->path.c_str(), &st) == 0 && st.st_dev == e->dev && st.st_ino == e->ino)
        continue;  // only read, still in place
      std::string msg;
      store_.Secure(a.id, e->dev, e->ino, &msg);
      if (!(e = store_.ById(id))) continue;
    }
    // The entry itself (Secure changed it in place): a lookup by inode number could find
    // another file's.
    StoreEntry copy = *e;
    auto o = origin.find(copy.path);
    if (o != origin.end()) copy.path = o->second;
    if (!targets.insert(copy.path).second) continue;
    plan.restore.push_back(copy);
  }
  std::set<std::string> moved_back;
  for (auto it = a.renames.rbegin(); it != a.renames.rend(); ++it) {
    const auto& [from, to] = *it;
    struct stat st;
    // Not when the name it took is itself being restored (a copy renamed over an original).
    if (targets.count(from) || targets.count(to) || moved_back.count(to) ||
        stat(from.c_str(), &st) == 0)
      continue;
    if (stat(to.c_str(), &st) != 0 || decoys_.count(to)) continue;
    plan.rename_back.emplace_back(to, from);
    moved_back.insert(to);
    targets.insert(from);
  }
  std::set<std::string> q(a.created.begin(), a.created.end());
  for (const auto& r : a.renames) q.insert(r.second);
  for (const std::string& path : q) {
    struct stat st;
    if (targets.count(path) || moved_back.count(path) || decoys_.count(path)) continue;
    if (lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    plan.quarantine.push_back(path);
  }
  auto job = std::make_unique<Job>();
  job->actor = a.id;
  Job* raw = job.get();
  EventLog& log = log_;
  job->thread = std::thread([plan = std::move(plan), raw, &log] {
    raw->tid = gettid();
    RunPlan(plan, log);
    raw->done = true;
  });
  jobs_.push_back(std::move(job));
}

void Monitor::Tick() {
  double now = MonotonicSeconds();
  // Draining the queues below may convict more actors (and append to pending_): work on a
  // snapshot.
  std::vector<Pending> todo;
  todo.swap(pending_);
  for (Pending& p : todo) {
    Actor* a = model_.Find(p.actor);
    if (!a) continue;
    bool halted = AllHalted(p.pids, o_.mode == Mode::kStop);
    if (!halted && now < p.deadline) {
      pending_.push_back(std::move(p));
      continue;
    }
    // Its last renames and deletions may still wait in the queues: read them first, the plan
    // must see everything it did.
    DrainAll();
    while (!closes_.empty()) JudgeNextClose();
    a = model_.Find(p.actor);
    if (!a) continue;
    // Late children: signal whatever is left of the tree once more before restoring.
    std::vector<ProcInfo> rest = TargetsOf(*a, guard_);
    if (!rest.empty()) SignalAll(rest, o_.mode == Mode::kKill ? SIGKILL : SIGSTOP);
    if (!halted) log_.Line("warning: actor " + std::to_string(a->id) + " did not halt in time");
    StartRestore(*a);
    a->restored = true;
  }
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    if (!(*it)->done) {
      ++it;
      continue;
    }
    (*it)->thread.join();
    store_.Drop((*it)->actor);
    it = jobs_.erase(it);
  }
  if (now - last_prune_ < 1.0) return;
  last_prune_ = now;
  for (auto it = breaks_.begin(); it != breaks_.end();)
    it = now - it->second.time < kBreakSeconds ? std::next(it) : EndBreak(it);
  for (auto it = aheads_.begin(); it != aheads_.end();)
    it = now - it->second.time < kAheadSeconds ? std::next(it) : EndAhead(it);
  for (auto it = ahead_dirs_.begin(); it != ahead_dirs_.end();) {
    if (now - it->second.last < kAheadDirSeconds) {
      ++it;
      continue;
    }
    fanotify_mark(ahead_fd_, FAN_MARK_REMOVE | FAN_MARK_ONLYDIR, kAheadDirMask, it->second.fd,
                  nullptr);
    close(it->second.fd);
    it = ahead_dirs_.erase(it);
  }
  // Copies whose writer never showed (it only truncated the file): kept as long as a
  // blameless actor's.
  store_.DropOlder(kUnattributed, now - o_.keep_benign_seconds);
  ResumeLeasesWhenCalm();
  if (boosted_ && !PerDirectory() && !leases_suspended_ && now - last_backlog_ > 2.0) Boost(false);
  // Prune actors whose processes all exited and that behaved.
  std::vector<uint64_t> gone;
  bool suspect = false;
  for (auto& [id, a] : model_.actors()) {
    if (a.convicted) continue;
    suspect |= a.score > 0;
    bool alive = false;
    for (const auto& [pid, info] : a.procs) {
      ProcInfo cur;
      char path[64];
      snprintf(path, sizeof path, "/proc/%d/stat", pid);
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      char buf[1024];
      ssize_t n = read(fd, buf, sizeof buf - 1);
      close(fd);
      if (n > 0) buf[n] = 0;
      if (n > 0 && ParseStat(std::string(buf, size_t(n)), &cur) &&
          cur.start_time == info.start_time && buf[0] && strstr(buf, ") Z") == nullptr) {
        alive = true;
        break;
      }
    }
    // (Notes alone are not enough: identical small files written by an honest job can read
    // like one.)
    bool beyond_notes = a.first_destroy_at > 0 || a.score > (a.notes_counted ? 2.0 : 0.0);
    if (!alive && now - a.last_active > 1.0 && a.score >= model_.threshold() * 2 / 3 &&
        beyond_notes) {
      // Exited (or died) with most of the evidence already: nothing left to kill, but what it
      // destroyed is restored. Honest programs earn no destroyed-file evidence at all.
      log_.Line("actor " + std::to_string(id) + " exited with score " +
                std::to_string(a.score).substr(0, 4) + "; convicted after its exit");
      a.convicted = true;
      a.convicted_at = now;
      Convict(a);
      continue;
    }
    if (!alive && now - a.last_active > 2.0 && a.score < 1.0)
      gone.push_back(id);
    else if (alive && a.score == 0)
      store_.DropOlder(id, now - o_.keep_benign_seconds);
  }
  for (uint64_t id : gone) {
    store_.Drop(id);
    model_.Forget(id);
  }
  suspect_alive_ = suspect;
  if (!gone.empty()) {
    for (auto it = procs_.begin(); it != procs_.end();)
      it = model_.Find(it->second.actor) ? std::next(it) : procs_.erase(it);
  }
}

// Reads the events of one queue until it is empty. Permission events are answered as they come;
// the bookkeeping of read-only opens runs once the batch is answered. Close-writes are queued
// for judgement (JudgeQueued), except an actor's with evidence already, judged at once.
bool Monitor::Drain(int fd) {
  const bool names = fd == notif_fd_;
  alignas(fanotify_event_metadata) char buf[64 * 1024];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      log_.Line(std::string("fatal: reading fanotify events failed: ") + std::strerror(errno));
      return false;
    }
    double read_at = MonotonicSeconds();
    size_t batch = 0;
    // Events with names have lengths that are multiples of 4, not 8: each is copied to an
    // aligned buffer before its 64-bit fields are read.
    alignas(fanotify_event_metadata) char one[8192];
    for (size_t off = 0; off + FAN_EVENT_METADATA_LEN <= size_t(n);) {
      uint32_t len;
      memcpy(&len, buf + off + offsetof(fanotify_event_metadata, event_len), sizeof len);
      if (len < FAN_EVENT_METADATA_LEN || len > size_t(n) - off) break;
      if (len > sizeof one) {
        // Never seen in practice; a permission event must be answered all the same.
        fanotify_event_metadata head;
        memcpy(&head, buf + off, sizeof head);
        off += len;
        if (head.mask & FAN_OPEN_PERM) {
          fanotify_response r{head.fd, FAN_ALLOW};
          (void)!write(fd, &r, sizeof r);
        }
        if (head.fd >= 0) close(head.fd);
        continue;
      }
      memcpy(one, buf + off, len);
      off += len;
      auto* md = reinterpret_cast<fanotify_event_metadata*>(one);
      if (md->vers != FANOTIFY_METADATA_VERSION) {
        log_.Line("fatal: fanotify metadata version mismatch");
        return false;
      }
      events_++;
      batch++;
      bool kept = false;
      if (md->mask & FAN_Q_OVERFLOW) {
        log_.Line("warning: fanotify queue overflow, some events were lost");
        log_.Json({{"event", "overflow"}});
      } else if (names) {
        stats_.name_events++;
        try {
          OnNotif(md);
        } catch (const std::exception& e) {
          log_.Line(std::string("internal error: ") + e.what());
        }
      } else {
        if (md->mask & FAN_OPEN_PERM) {
          uint32_t answer = FAN_ALLOW;
          try {
            answer = OnOpenPerm(md, &kept);
          } catch (const std::exception& e) {
            answer = FAN_ALLOW;
            log_.Line(std::string("internal error, access allowed: ") + e.what());
          }
          fanotify_response r{md->fd, answer};
          if (write(fd, &r, sizeof r) != sizeof r)
            log_.Line(std::string("warning: cannot answer a permission event: ") +
                      std::strerror(errno));
          double waited = MonotonicSeconds() - read_at;
          stats_.opens++;
          stats_.answer_seconds += waited;
          stats_.answer_max = std::max(stats_.answer_max, waited);
        }
        if ((md->mask & FAN_OPEN) && md->fd >= 0) {
          try {
            if (fd == ahead_fd_)
              OnAheadOpen(md);
            else
              OnBreakerOpen(md);
          } catch (const std::exception& e) {
            log_.Line(std::string("internal error: ") + e.what());
          }
        }
        if ((md->mask & FAN_CLOSE_WRITE) && !kept && md->fd >= 0) {
          stats_.close_writes++;
          kept = true;
          if (Suspicious(md->pid)) {
            // An actor with evidence already is judged at once: its next opens should meet the
            // verdict. (Honest work never earns evidence, so it never waits.)
            JudgeClose({md->fd, md->pid, {}, {}});
          } else {
            // A full queue judges its oldest first.
            if (closes_.size() >= kMaxQueuedCloses) JudgeNextClose();
            closes_.push_back({md->fd, md->pid, {}, {}});
            closes_added_++;
          }
        }
      }
      if (md->fd >= 0 && !kept) close(md->fd);
    }
    if (batch >= kBacklogEvents) {
      last_backlog_ = read_at;
      Boost(true);
    }
    if (!holds_.empty()) RunHolds();
    // A read that left ample room in the buffer emptied the queue: no need to read again only
    // to meet EAGAIN (poll() reports what arrives next).
    if (size_t(n) + 4096 <= sizeof buf) return true;
  }
}

void Monitor::JudgeQueued() {
  // Oldest first. One at least, then as many as were queued since the last call (so that a
  // stream of permission events cannot starve them), then more while nobody waits. A waiting
  // lease break comes before all but the first (its writer is blocked: the run loop handles it
  // and comes back to the rest), a waiting permission event before those not due.
  size_t due = std::min({closes_added_, closes_.size(), kMaxDueJudgements});
  closes_added_ = 0;
  for (bool first = true; !closes_.empty(); first = false) {
    if (!first) {
      pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {perm_fd_, POLLIN, 0}};
      if (poll(fds, due > 0 ? 1 : 2, 0) > 0) {
        closes_added_ = due;  // still due on the next call
        return;
      }
    }
    if (due > 0) due--;
    JudgeNextClose();
  }
}

bool Monitor::Suspicious(pid_t tid) {
  auto it = procs_.find(tid);
  if (it == procs_.end()) return false;
  const Actor* a = model_.Find(it->second.actor);
  return a && a->score > 0 && !a->convicted;
}

void Monitor::JudgeNextClose() {
  Later l = std::move(closes_.front());
  closes_.pop_front();
  JudgeClose(l);
}

void Monitor::JudgeClose(const Later& l) {
  double start = MonotonicSeconds();
  struct stat st;
  if (fstat(l.fd, &st) == 0 && S_ISREG(st.st_mode)) {
    // One path for the judgement and the lease that follows it.
    std::string path = FdPath(l.fd);
    try {
      OnCloseWrite(l.fd, l.tid, st, path);
    } catch (const std::exception& e) {
      log_.Line(std::string("internal error: ") + e.what());
    }
    stats_.judge_seconds += MonotonicSeconds() - start;
    // A file copied ahead: this write is accounted for (EndAhead looks for changes since).
    if (auto h = aheads_.find({st.st_dev, st.st_ino}); h != aheads_.end()) h->second.st = st;
    // A copy under no actor that this write did not take (an allowed writer's, this monitor's)
    // is of a content gone for good, unless a break still waits to name its writer.
    if (auto b = breaks_.find({st.st_dev, st.st_ino}); b == breaks_.end() || b->second.named)
      if (const StoreEntry* e = store_.FindFile(kUnattributed, l.fd, st))
        store_.DropEntry(e->id, kUnattributed);
    if (LeaseAfterWrite(l.fd, st, path)) return;  // the lease holds the descriptor now
  }
  close(l.fd);
}

bool Monitor::ReadSignals() {
  // One read, of what is queued now: writers released here come back with their next break
  // while the other events (their opens and close-writes, to be judged) wait, so the loop
  // must return to them.
  signalfd_siginfo sis[16];
  ssize_t n = read(signal_fd_, sis, sizeof sis);
  for (ssize_t i = 0; n > 0 && i < n / ssize_t(sizeof(signalfd_siginfo)); ++i) {
    const signalfd_siginfo& si = sis[i];
    if (int(si.ssi_signo) == lease_signo_) {
      // A break already handled (through a deletion) may leave its signal queued, and the
      // descriptor number may belong to another lease by now: only a breaking lease is let go.
      if (Lease* l = leases_ ? leases_->ByFd(si.ssi_fd) : nullptr; l && Leases::Breaking(*l))
        OnLeaseBreak(si.ssi_fd, true);
    } else if (si.ssi_signo == SIGIO) {
      // The real-time queue overflowed: look at every lease.
      if (leases_)
        for (int fd : leases_->Fds())
          if (Lease* l = leases_->ByFd(fd); l && Leases::Breaking(*l)) OnLeaseBreak(fd);
    } else {
      log_.Line("signal " + std::to_string(si.ssi_signo) + " received, stopping");
      return true;
    }
  }
  return false;
}

int Monitor::Run() {
  int status = Setup();
  if (status != kExitOk) return status;
  std::string leased =
      leases_ ? ", " + std::to_string(leases_->size()) + " files leased" : std::string();
  std::string mode = o_.mode == Mode::kKill   ? "kill"
                     : o_.mode == Mode::kStop ? "stop"
                                              : "report-only";
  log_.Line("watching " + std::to_string(roots_.size()) + " paths (" +
            std::to_string(dirs_marked_) + " directories" + leased + "), store " + store_.dir() +
            " (budget " + std::to_string(store_.budget() >> 20) + " MiB), mode " + mode);
  log_.Json({{"event", "ready"},
             {"paths", roots_},
             {"directories", dirs_marked_},
             {"leased", leases_ ? leases_->size() : 0},
             {"store", store_.dir()},
             {"mode", mode},
             {"pid", getpid()}});
  double start = MonotonicSeconds();
  int rc = kExitOk;
  for (;;) {
    // While calm, the queues nobody waits on (close-writes, names) do not wake this process
    // more than once per kBatchSeconds: a process woken for each event costs the work it
    // watches a switch per event. Lease breaks and permission events wake it as they come, and
    // once awake it reads everything.
    double now = MonotonicSeconds();
    bool calm = Calm();
    // A break whose writer is not named yet: its FAN_OPEN is read as it comes, so that the
    // writer is read from /proc while it still runs (a short-lived one may be gone 2 ms on).
    bool unnamed = false;
    for (const auto& [k, b] : breaks_) unnamed |= !b.named;
    bool batching = calm && now < batch_until_ && !unnamed;
    pollfd fds[5] = {{signal_fd_, POLLIN, 0},
                     {perm_fd_, POLLIN, 0},
                     {batching ? -1 : close_fd_, POLLIN, 0},
                     {batching ? -1 : notif_fd_, POLLIN, 0},
                     {ahead_fd_, POLLIN, 0}};
    double wait = !closes_.empty() ? 0 : pending_.empty() && jobs_.empty() ? 0.2 : 0.01;
    if (batching) wait = std::min(wait, batch_until_ - now);
    // New names come due at the end of a batch, or on their own when no batch runs.
    if (!young_.empty() && !batching)
      wait = std::clamp(young_.front().seen + kYoungSeconds - now, 0.0, wait);
    timespec ts{time_t(wait), long((wait - double(time_t(wait))) * 1e9)};
    int n = ppoll(fds, 5, &ts, nullptr);
    stats_.wakeups++;
    if (n < 0 && errno != EINTR) {
      log_.Line(std::string("fatal: poll: ") + std::strerror(errno));
      rc = kExitRuntime;
      break;
    }
    // Lease breaks and permission events first: both hold processes up. With a suspect about,
    // its close-writes are read before its next opens are answered.
    uint64_t urgent = stats_.lease_breaks + stats_.opens;
    if (n > 0 && (fds[0].revents & POLLIN) && ReadSignals()) break;
    bool ok = true;
    if (!calm) ok = Drain(close_fd_);
    if (ok && n > 0 && (fds[1].revents & POLLIN)) ok = Drain(perm_fd_);
    // The reads of a rewriter, for copies ahead of its writes (never batched: the write follows).
    if (ok && n > 0 && (fds[4].revents & POLLIN)) ok = Drain(ahead_fd_);
    bool woken = stats_.lease_breaks + stats_.opens != urgent;
    if (ok && (!batching || woken || MonotonicSeconds() >= batch_until_)) {
      uint64_t before = events_;
      ok = (calm ? Drain(close_fd_) : true) && Drain(notif_fd_);
      if (events_ != before) batch_until_ = MonotonicSeconds() + kBatchSeconds;
    }
    if (!ok) {
      rc = kExitRuntime;
      break;
    }
    JudgeQueued();
    MarkYoung(MonotonicSeconds());
    Tick();
    if (o_.max_seconds > 0 && MonotonicSeconds() - start > o_.max_seconds) {
      log_.Line("time limit reached, stopping");
      break;
    }
  }
  // Let restores in progress finish: their events still need answers.
  while (!jobs_.empty() || !pending_.empty()) {
    pollfd fds[5] = {{perm_fd_, POLLIN, 0},
                     {close_fd_, POLLIN, 0},
                     {notif_fd_, POLLIN, 0},
                     {signal_fd_, POLLIN, 0},
                     {ahead_fd_, POLLIN, 0}};
    poll(fds, 5, 10);
    ReadSignals();  // lease breaks (a stop request is already being honoured)
    if (!DrainAll()) break;
    JudgeQueued();
    Tick();
  }
  const Stats& st = stats_;
  log_.Json({{"event", "exit"},
             {"status", rc},
             {"events", events_},
             {"stats",
              {{"opens", st.opens},
               {"write_opens", st.write_opens},
               {"copies", st.copies},
               {"close_writes", st.close_writes},
               {"name_events", st.name_events},
               {"leases", st.leases},
               {"lease_breaks", st.lease_breaks},
               {"lease_suspensions", st.lease_suspensions},
               {"boosts", st.boosts},
               {"wakeups", st.wakeups},
               {"ahead_copies", st.ahead_copies},
               {"file_marks", st.file_marks},
               {"processes", st.processes},
               {"answer_us_mean", st.opens ? st.answer_seconds / double(st.opens) * 1e6 : 0.0},
               {"answer_us_max", st.answer_max * 1e6},
               {"judge_us_mean",
                st.close_writes ? st.judge_seconds / double(st.close_writes) * 1e6 : 0.0}}}});
  return rc;
}

}  // namespace

int RunWatch(const WatchOptions& opts, EventLog& log) {
  Monitor m(opts, log);
  return m.Run();
}

}  // namespace vigie::watch
