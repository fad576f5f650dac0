// The protected store. See store.h for the policy; this file is the mechanics: clone or copy
// with explicit offsets (the caller's fd is shared with the fanotify event and must not move),
// link with AT_EMPTY_PATH so the very inode that was opened is kept even if its name changed,
// and atomic restores.
#include "watch/store.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigie::watch {

double MonotonicSeconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

namespace {

// The file handle of the inode open at `fd`: its number and generation on the file systems that
// export them (ext4, xfs, btrfs, tmpfs...); empty elsewhere.
std::string FileHandleOf(int fd) {
  alignas(file_handle) char buf[sizeof(file_handle) + MAX_HANDLE_SZ];
  auto* fh = reinterpret_cast<file_handle*>(buf);
  fh->handle_bytes = MAX_HANDLE_SZ;
  int mount_id;
  if (name_to_handle_at(fd, "", fh, &mount_id, AT_EMPTY_PATH) != 0) return {};
  std::string h(reinterpret_cast<const char*>(&fh->handle_type), sizeof fh->handle_type);
  h.append(reinterpret_cast<const char*>(fh->f_handle), fh->handle_bytes);
  return h;
}

}  // namespace

Store::Store(std::string dir, uint64_t budget_bytes, Logger log)
    : dir_(std::move(dir)), budget_(budget_bytes), log_(std::move(log)) {}

bool Store::Init(std::string* err) { return EnsureDir(err); }

bool Store::EnsureDir(std::string* err) {
  struct stat st;
  if (stat(dir_.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return true;
  // Create each missing component; the last one private to root.
  for (size_t i = 1; i <= dir_.size(); ++i) {
    if (i != dir_.size() && dir_[i] != '/') continue;
    std::string part = dir_.substr(0, i);
    if (mkdir(part.c_str(), i == dir_.size() ? 0700 : 0755) != 0 && errno != EEXIST) {
      *err = "cannot create store directory " + part + ": " + std::strerror(errno);
      return false;
    }
  }
  chmod(dir_.c_str(), 0700);
  return true;
}

namespace {

// Reads up to `size` bytes of `fd` from offset 0 (fewer when the file shrank meanwhile).
bool ReadAllOf(int fd, uint64_t size, std::string* out) {
  out->resize(size);
  bool error = false;
  out->resize(PreadAll(fd, out->data(), size, 0, &error));
  return !error;
}

}  // namespace

Store::Result Store::CopyInto(int fd, const std::string& object, uint64_t size, bool* cloned,
                              bool clone_only) {
  int out = open(object.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0) return errno == ENOSPC || errno == EDQUOT ? Result::kNoSpace : Result::kFailed;
  Result r = Result::kKept;
  *cloned = ioctl(out, FICLONE, fd) == 0;
  if (!*cloned && clone_only) {
    r = Result::kBudget;
  } else if (!*cloned) {
    loff_t in_off = 0;
    uint64_t done = 0;
    while (done < size) {
      ssize_t n = copy_file_range(fd, &in_off, out, nullptr, size - done, 0);
      if (n < 0 && errno == EINTR) continue;
      // Across file systems (EXDEV, or EBADF for some pairs) and on file systems without
      // support, copy through a buffer instead.
      if (n < 0 && errno != ENOSPC && errno != EDQUOT) {
        n = 0;
        char buf[65536];
        while (done < size && n == 0) {
          ssize_t k = pread(fd, buf, sizeof buf, off_t(done));
          if (k < 0 && errno == EINTR) continue;
          if (k < 0) n = -1;
          if (k <= 0) break;
          if (!WriteAll(out, buf, size_t(k))) n = -1;
          if (n == 0) done += uint64_t(k);
        }
        if (n < 0) r = errno == ENOSPC || errno == EDQUOT ? Result::kNoSpace : Result::kFailed;
        break;
      }
      if (n < 0) {
        r = Result::kNoSpace;
        break;
      }
      if (n == 0) break;  // file shrank meanwhile
      done += uint64_t(n);
    }
  }
  if (close(out) != 0 && r == Result::kKept)
    r = errno == ENOSPC || errno == EDQUOT ? Result::kNoSpace : Result::kFailed;
  if (r != Result::kKept) unlink(object.c_str());
  return r;
}

bool Store::CheckDir(std::string* msg) {
  if (access(dir_.c_str(), F_OK) == 0) return true;  // the common case: one system call
  std::string err;
  if (!EnsureDir(&err)) {
    *msg = err;
    return false;
  }
  // The directory was deleted from outside: its copies are gone.
  size_t lost = 0;
  for (auto it = entries_.begin(); it != entries_.end();) {
    auto next = std::next(it);
    if (it->second.copy && !it->second.in_memory && access(it->second.object.c_str(), F_OK) != 0) {
      Erase(it);
      lost++;
    }
    it = next;
  }
  log_("store directory " + dir_ + " was removed (" + std::to_string(lost) +
       " copies lost); recreated, files are protected again from now on");
  return true;
}

Store::Result Store::Keep(uint64_t actor, int fd, const std::string& path, bool copy,
                          std::string* msg) {
  struct stat st;
  if (fstat(fd, &st) != 0) return Result::kFailed;
  return Keep(actor, fd, st, path, copy, msg);
}

Store::Result Store::Keep(uint64_t actor, int fd, const struct stat& st, const std::string& path,
                          bool copy, std::string* msg) {
  if (!S_ISREG(st.st_mode)) return Result::kFailed;
  return KeepImpl(actor, fd, st, path, copy, false, nullptr, msg);
}

Store::Result Store::Hold(uint64_t actor, int fd, const struct stat& st, const std::string& path,
                          bool* adopted, std::string* msg) {
  *adopted = false;
  if (!S_ISREG(st.st_mode)) return Result::kFailed;
  return KeepImpl(actor, fd, st, path, false, true, adopted, msg);
}

Store::Result Store::KeepImpl(uint64_t actor, int fd, const struct stat& st,
                              const std::string& path, bool copy, bool adopt, bool* adopted,
                              std::string* msg) {
  Key key{actor, st.st_dev, st.st_ino};
  auto found = by_inode_.find(key);
  if (found != by_inode_.end() && !Current(found, fd)) found = by_inode_.end();
  if (found != by_inode_.end()) {
    StoreEntry& e = entries_[found->second];
    if (e.copy || !copy) return Result::kAlready;
  }
  StoreEntry e;
  e.actor = actor;
  e.dev = st.st_dev;
  e.ino = st.st_ino;
  e.path = path;
  e.size = uint64_t(st.st_size);
  e.mode = st.st_mode & 07777;
  e.uid = st.st_uid;
  e.gid = st.st_gid;
  e.time = MonotonicSeconds();
  if (!copy) {
    if (held_ >= max_held_) {
      *msg = "store: " + std::to_string(held_) + " files already held";
      return Result::kBudget;
    }
    e.held_fd = adopt ? fd : fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (adopt) *adopted = true;
    if (e.held_fd < 0) {
      *msg = std::string("store: cannot hold file: ") + std::strerror(errno);
      return Result::kFailed;
    }
    held_++;
  } else if (e.size <= kMaxMemoryCopy && memory_used_ + e.size <= memory_budget_ &&
             used_ + e.size <= budget_ && ReadAllOf(fd, e.size, &e.data)) {
    e.size = e.data.size();
    e.copy = true;
    e.in_memory = true;
    used_ += e.size;
    memory_used_ += e.size;
  } else {
    if (!CheckDir(msg)) return Result::kFailed;
    if (used_ + e.size > budget_) {
      *msg = "store budget of " + std::to_string(budget_) + " bytes reached";
      return Result::kBudget;
    }
    e.id = next_id_;
    e.object = dir_ + "/" + std::to_string(e.id);
    bool clone_only = e.size > max_copy_;
    Result r = CopyInto(fd, e.object, e.size, &e.cloned, clone_only);
    if (r != Result::kKept) {
      *msg = r == Result::kNoSpace ? "store: no space left on device"
             : clone_only          ? "store: file of " + std::to_string(e.size) +
                                " bytes is over the copy limit and the file system cannot "
                                "clone it"
                          : "store: copy failed";
      return r;
    }
    e.copy = true;
    used_ += e.size;
  }
  if (e.copy) e.handle = FileHandleOf(fd);
  Insert(key, std::move(e), found);
  return Result::kKept;
}

bool Store::Orphaned(uint64_t actor, dev_t dev, ino_t ino) {
  auto found = by_inode_.find(Key{actor, dev, ino});
  if (found == by_inode_.end()) return true;
  StoreEntry& e = entries_[found->second];
  if (e.copy || e.orphaned) return used_ <= budget_;
  e.orphaned = true;
  used_ += e.size;
  return used_ <= budget_;
}

void Store::DropOrphans(uint64_t actor) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    auto next = std::next(it);
    if (it->second.actor == actor && it->second.orphaned) Erase(it);
    it = next;
  }
}

Store::Result Store::Secure(uint64_t actor, dev_t dev, ino_t ino, std::string* msg) {
  auto found = by_inode_.find(Key{actor, dev, ino});
  if (found == by_inode_.end()) return Result::kFailed;
  StoreEntry& e = entries_[found->second];
  if (e.copy) return Result::kAlready;
  if (!CheckDir(msg)) return Result::kFailed;
  struct stat st;
  uint64_t size = fstat(e.held_fd, &st) == 0 ? uint64_t(st.st_size) : e.size;
  uint64_t counted = e.orphaned ? e.size : 0;
  if (used_ - counted + size > budget_ && !e.orphaned) {
    *msg = "store budget of " + std::to_string(budget_) + " bytes reached";
    return Result::kBudget;
  }
  std::string object = dir_ + "/" + std::to_string(e.id);
  bool cloned = false;
  Result r = CopyInto(e.held_fd, object, size, &cloned);
  if (r != Result::kKept) {
    *msg = r == Result::kNoSpace ? "store: no space left on device" : "store: copy failed";
    return r;
  }
  e.handle = FileHandleOf(e.held_fd);
  close(e.held_fd);
  held_--;
  e.held_fd = -1;
  e.object = object;
  e.size = size;
  e.copy = true;
  e.cloned = cloned;
  e.orphaned = false;
  used_ = used_ - counted + size;
  return Result::kKept;
}

void Store::Erase(std::map<uint64_t, StoreEntry>::iterator it) {
  const StoreEntry& e = it->second;
  if (e.copy) {
    if (e.in_memory)
      memory_used_ -= std::min(memory_used_, e.size);
    else
      unlink(e.object.c_str());
    used_ -= std::min(used_, e.size);
  } else if (e.held_fd >= 0) {
    close(e.held_fd);
    held_--;
    if (e.orphaned) used_ -= std::min(used_, e.size);
  }
  auto k = by_inode_.find(Key{e.actor, e.dev, e.ino});
  if (k != by_inode_.end() && k->second == e.id) by_inode_.erase(k);
  entries_.erase(it);
}

bool Store::Current(std::map<Key, uint64_t>::iterator it, int fd) {
  auto e = entries_.find(it->second);
  if (e == entries_.end() || !e->second.copy || e->second.handle.empty()) return true;
  std::string now = FileHandleOf(fd);
  if (now.empty() || now == e->second.handle) return true;
  by_inode_.erase(it);
  return false;
}

const StoreEntry* Store::FindFile(uint64_t actor, int fd, const struct stat& st, bool* stale) {
  if (stale) *stale = false;
  auto it = by_inode_.find(Key{actor, st.st_dev, st.st_ino});
  if (it == by_inode_.end()) return nullptr;
  if (!Current(it, fd)) {
    if (stale) *stale = true;
    return nullptr;
  }
  auto e = entries_.find(it->second);
  return e == entries_.end() ? nullptr : &e->second;
}

const StoreEntry* Store::Find(uint64_t actor, dev_t dev, ino_t ino) const {
  auto it = by_inode_.find(Key{actor, dev, ino});
  if (it == by_inode_.end()) return nullptr;
  auto e = entries_.find(it->second);
  return e == entries_.end() ? nullptr : &e->second;
}

bool Store::Reassign(uint64_t from, uint64_t to, dev_t dev, ino_t ino) {
  auto it = by_inode_.find(Key{from, dev, ino});
  if (it == by_inode_.end()) return false;
  uint64_t id = it->second;
  StoreEntry& moving = entries_[id];
  if (auto held = by_inode_.find(Key{to, dev, ino}); held != by_inode_.end()) {
    auto old = entries_.find(held->second);
    if (old == entries_.end()) return false;
    if (old->second.copy && !moving.handle.empty() && !old->second.handle.empty() &&
        old->second.handle != moving.handle) {
      // A copy of an earlier file that had the inode number: no longer found by it.
      by_inode_.erase(held);
    } else if (old->second.copy) {
      return false;
    } else {
      // Only a held descriptor gives way to the copy (which keeps the path first seen).
      std::string path = old->second.path;
      Erase(old);
      moving.path = path;
    }
  }
  by_inode_.erase(it);  // erasing the other key left `it` valid
  by_inode_[Key{to, dev, ino}] = id;
  moving.actor = to;
  return true;
}

bool Store::Share(uint64_t id, uint64_t to, int fd, const struct stat& st) {
  // (First: a lost store directory drops the entries whose objects went with it.)
  std::string msg;
  if (!CheckDir(&msg)) return false;
  auto src = entries_.find(id);
  if (src == entries_.end() || !src->second.copy) return false;
  auto from = by_inode_.find(Key{src->second.actor, st.st_dev, st.st_ino});
  if (from == by_inode_.end() || from->second != id || !Current(from, fd)) return false;
  auto held = by_inode_.find(Key{to, st.st_dev, st.st_ino});
  if (held != by_inode_.end() && !Current(held, fd)) held = by_inode_.end();
  if (held != by_inode_.end()) {
    auto h = entries_.find(held->second);
    if (h != entries_.end() && h->second.copy) return false;
  }
  const StoreEntry& s = src->second;
  if (used_ + s.size > budget_) return false;
  StoreEntry e = s;
  e.actor = to;
  e.time = MonotonicSeconds();
  e.object.clear();
  if (!s.in_memory || memory_used_ + s.size > memory_budget_) {
    // Into a file of the store: from the other's object (a clone where the file system shares
    // extents), or from its bytes in memory.
    e.in_memory = false;
    e.data.clear();
    e.object = dir_ + "/" + std::to_string(next_id_);
    bool ok;
    if (s.in_memory) {
      int out = open(e.object.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      ok = out >= 0 && WriteAll(out, s.data.data(), s.data.size());
      if (out >= 0 && close(out) != 0) ok = false;
      if (!ok) unlink(e.object.c_str());
    } else {
      int in = open(s.object.c_str(), O_RDONLY | O_CLOEXEC);
      ok = in >= 0 && CopyInto(in, e.object, s.size, &e.cloned) == Result::kKept;
      if (in >= 0) close(in);
    }
    if (!ok) return false;
  } else {
    memory_used_ += e.size;
  }
  used_ += e.size;
  Insert(Key{to, st.st_dev, st.st_ino}, std::move(e), held);
  return true;
}

bool Store::Reassign(uint64_t from, uint64_t to, int fd, const struct stat& st) {
  auto it = by_inode_.find(Key{from, st.st_dev, st.st_ino});
  // Only a copy of the file open at `fd` moves (one of an earlier file is let go by the index),
  // and it gives way to one `to` has of that very file.
  if (it == by_inode_.end() || !Current(it, fd)) return false;
  if (auto held = by_inode_.find(Key{to, st.st_dev, st.st_ino});
      held != by_inode_.end() && Current(held, fd)) {
    auto old = entries_.find(held->second);
    if (old == entries_.end() || old->second.copy) return false;
  }
  return Reassign(from, to, st.st_dev, st.st_ino);
}

const StoreEntry* Store::ById(uint64_t id) const {
  auto e = entries_.find(id);
  return e == entries_.end() ? nullptr : &e->second;
}

bool Store::Has(uint64_t actor) const {
  auto it = by_inode_.lower_bound(Key{actor, 0, 0});
  return it != by_inode_.end() && it->first.actor == actor;
}

std::vector<const StoreEntry*> Store::EntriesOf(uint64_t actor) const {
  std::vector<const StoreEntry*> out;
  for (const auto& [id, e] : entries_)
    if (e.actor == actor) out.push_back(&e);
  return out;
}

void Store::Drop(uint64_t actor) { DropOlder(actor, 1e300); }

void Store::DropOlder(uint64_t actor, double before) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    auto next = std::next(it);
    if (it->second.actor == actor && it->second.time < before) Erase(it);
    it = next;
  }
}

void Store::Insert(const Key& key, StoreEntry e, std::map<Key, uint64_t>::iterator held) {
  e.id = next_id_++;
  if (held != by_inode_.end()) {
    // A held file becomes a copy: the first-seen path stays the restore target, and the id stays
    // the entry's (a reader of the deleted file's content holds it).
    auto old = entries_.find(held->second);
    if (old != entries_.end()) {
      e.path = old->second.path;
      uint64_t id = old->second.id;
      Erase(old);
      e.id = id;
    }
  }
  by_inode_[key] = e.id;
  entries_[e.id] = std::move(e);
}

void Store::DropEntry(uint64_t id, uint64_t actor) {
  auto it = entries_.find(id);
  if (it != entries_.end() && it->second.actor == actor) Erase(it);
}

bool Store::SampleOf(const StoreEntry& e, Sample* out) {
  if (!e.copy) return e.held_fd >= 0 && ReadSample(e.held_fd, out);
  if (e.in_memory) {
    SampleOfBytes(e.data, out);
    return true;
  }
  int fd = open(e.object.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ReadSample(fd, out);
  close(fd);
  return ok;
}

bool Store::Restore(const StoreEntry& e, const std::string& dest, std::string* err) {
  int in = e.in_memory ? -1
           : e.copy    ? open(e.object.c_str(), O_RDONLY | O_CLOEXEC)
                       : fcntl(e.held_fd, F_DUPFD_CLOEXEC, 3);
  if (in < 0 && !e.in_memory) {
    *err = "store copy " + e.object + " missing: " + std::strerror(errno);
    return false;
  }
  std::string tmp = dest + ".vigie-restore-" + std::to_string(e.id);
  // The directory may be gone too (an attack that removes what it encrypted).
  size_t slash = dest.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    std::string dir = dest.substr(0, slash);
    for (size_t i = 1; i <= dir.size(); ++i)
      if (i == dir.size() || dir[i] == '/') mkdir(dir.substr(0, i).c_str(), 0755);
  }
  int out = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0) {
    *err = "cannot create " + tmp + ": " + std::strerror(errno);
    if (in >= 0) close(in);
    return false;
  }
  bool ok = true;
  if (e.in_memory) {
    ok = WriteAll(out, e.data.data(), e.data.size());
  } else if (ioctl(out, FICLONE, in) != 0) {
    char buf[65536];
    off_t off = 0;
    for (;;) {
      ssize_t k = pread(in, buf, sizeof buf, off);
      if (k < 0 && errno == EINTR) continue;
      if (k < 0) ok = false;
      if (k <= 0) break;
      if (!WriteAll(out, buf, size_t(k))) {
        ok = false;
        break;
      }
      off += k;
    }
  }
  if (ok) {
    (void)fchown(out, e.uid, e.gid);
    fchmod(out, e.mode);
    ok = fsync(out) == 0;
  }
  if (close(out) != 0) ok = false;
  if (in >= 0) close(in);
  if (!ok || rename(tmp.c_str(), dest.c_str()) != 0) {
    *err = "cannot restore " + dest + ": " + std::strerror(errno);
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace vigie::watch
