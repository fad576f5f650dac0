// The protected store: copies of files taken before a process may change them.
//
// Copy on first write: the first time a process opens an existing file with write intent, the
// file's content is cloned into the store (FICLONE where the file system shares extents, a plain
// copy otherwise; a small file is read into memory) while the opener waits on its fanotify
// permission event. The first time a
// process opens a file read-only, the store only holds an open descriptor on the inode: free,
// invisible to the file's users (a hard link would change the link count, and gzip, for one,
// refuses to compress a file with two links), and it keeps the data alive if the process then
// deletes the file or renames another over it (the write-copy-then-delete pattern): the held
// descriptor is then the copy, and counts against the budget. Secure() turns it into a real
// copy before a restore; a later write-open by the same process does the same before the write.
//
// Entries are owned by an actor (a group of processes) and keyed by inode, so a file renamed
// and then rewritten is still found; each entry keeps the path where it was first seen, which
// is where a restore puts it back. Copies count against the size budget, held descriptors do
// not (they share the live file's blocks) but are capped in number. When the budget or the disk
// is full, Keep() says so and the caller decides (vigie lets honest work through and blocks
// suspicious processes). When the store directory disappears, it is recreated and the lost
// entries are dropped and reported.
//
// Not thread-safe: the monitor thread owns it; restores read object files by path only.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "watch/content.h"

namespace vigie::watch {

struct StoreEntry {
  uint64_t id = 0;
  uint64_t actor = 0;
  dev_t dev = 0;
  ino_t ino = 0;
  std::string path;    // where the file was when first seen: the restore target
  std::string object;  // the copy inside the store directory (when `copy` and not in memory)
  std::string data;    // the copy itself, when kept in memory (`in_memory`)
  int held_fd = -1;    // a read-only descriptor on the live inode (when not `copy`)
  uint64_t size = 0;
  mode_t mode = 0644;
  uid_t uid = 0;
  gid_t gid = 0;
  bool copy = false;
  bool in_memory = false;
  bool cloned = false;
  bool orphaned = false;  // held, and deleted from the tree (counted in the budget)
  // The file handle of a copied inode (its number and generation, as name_to_handle_at gives
  // it; empty where the file system has none). Once the file is gone its inode number may be
  // given to a new file: the handle tells them apart. (A held descriptor pins its inode.)
  std::string handle;
  double time = 0;  // seconds, monotonic
};

class Store {
 public:
  enum class Result { kKept, kAlready, kBudget, kNoSpace, kFailed };
  using Logger = std::function<void(const std::string&)>;

  Store(std::string dir, uint64_t budget_bytes, Logger log);
  // Creates the directory (mode 0700). False with a message when impossible.
  bool Init(std::string* err);

  // Keeps the content of `fd` (an open file at `path`) for `actor`: a copy, or when `copy` is
  // false a held descriptor.
  Result Keep(uint64_t actor, int fd, const std::string& path, bool copy, std::string* msg);
  // The same with the file's stat at hand.
  Result Keep(uint64_t actor, int fd, const struct stat& st, const std::string& path, bool copy,
              std::string* msg);
  // Keep(copy = false) for a descriptor the caller gives away, with its stat: when the file is
  // held, `fd` itself becomes the held descriptor (`*adopted`), otherwise the caller keeps it.
  Result Hold(uint64_t actor, int fd, const struct stat& st, const std::string& path, bool* adopted,
              std::string* msg);
  // Turns a held descriptor into a copy (before a restore).
  Result Secure(uint64_t actor, dev_t dev, ino_t ino, std::string* msg);
  // The held file lost its last name: its blocks now live only through the store, so they
  // count against the budget from now on.
  // Returns false when the budget is now exceeded.
  bool Orphaned(uint64_t actor, dev_t dev, ino_t ino);
  // Releases the deleted files held for `actor` (its disk space comes back).
  void DropOrphans(uint64_t actor);
  // The entry of `actor` for an inode, by number. Only for inodes that cannot have been
  // reused since (held, or open): FindFile checks a copy against the file.
  const StoreEntry* Find(uint64_t actor, dev_t dev, ino_t ino) const;
  // The entry of `actor` for the file open at `fd` (status `st`). A copy of an earlier file that
  // had the same inode number is no longer found by number (`*stale` then, when given); it is
  // still restored with the actor's other entries.
  const StoreEntry* FindFile(uint64_t actor, int fd, const struct stat& st, bool* stale = nullptr);
  // Gives the entry of `from` for an inode to `to` (a copy taken before its owner was known).
  // False when `from` has none, or `to` has a copy already (a held descriptor gives way).
  bool Reassign(uint64_t from, uint64_t to, dev_t dev, ino_t ino);
  // The same for the file open at `fd` (status `st`): only a copy of that very file moves, and
  // a copy of an earlier file with its inode number, on either side, no longer counts.
  bool Reassign(uint64_t from, uint64_t to, int fd, const struct stat& st);
  // Gives `to` a copy of its own of the copy `id` (the file open at `fd`, status `st`): an
  // entry of another actor that several writers may need. False when `id` is no copy of that
  // very file, `to` has a copy of it already, or the budget is reached.
  bool Share(uint64_t id, uint64_t to, int fd, const struct stat& st);
  // An entry by its id (stable while the entry lives).
  const StoreEntry* ById(uint64_t id) const;
  std::vector<const StoreEntry*> EntriesOf(uint64_t actor) const;
  // Whether `actor` has any entry (a lookup, where EntriesOf walks them all).
  bool Has(uint64_t actor) const;
  // Forgets the entries of `actor` and removes their objects.
  void Drop(uint64_t actor);
  // Drops entries of `actor` older than `before` (monotonic seconds).
  void DropOlder(uint64_t actor, double before);
  // Drops the entry `id` when it still belongs to `actor`.
  void DropEntry(uint64_t id, uint64_t actor);

  // Writes the content of `e` to `dest` atomically (temporary file in the same directory,
  // then rename), with the original mode and owner.
  static bool Restore(const StoreEntry& e, const std::string& dest, std::string* err);
  // The content sample of an entry (the copy, or the held file).
  static bool SampleOf(const StoreEntry& e, Sample* out);

  uint64_t used() const { return used_; }
  uint64_t budget() const { return budget_; }
  size_t size() const { return entries_.size(); }
  size_t held() const { return held_; }
  void set_max_held(size_t n) { max_held_ = n; }
  // Files larger than this are only cloned (instant), never copied byte by byte: the opener
  // waits for the copy, and a many-gigabyte copy would stall it (and every other opener).
  void set_max_copy(uint64_t bytes) { max_copy_ = bytes; }
  // Copies of files up to kMaxMemoryCopy bytes are kept in memory, up to `bytes` in all: no
  // file to create, so the opener waits less. (Neither kind outlives vigie: the store has no
  // index on disk.) 0 keeps every copy in the directory.
  void set_memory_budget(uint64_t bytes) { memory_budget_ = bytes; }
  uint64_t memory_used() const { return memory_used_; }
  static constexpr uint64_t kMaxMemoryCopy = uint64_t(1) << 20;
  const std::string& dir() const { return dir_; }

 private:
  Result KeepImpl(uint64_t actor, int fd, const struct stat& st, const std::string& path, bool copy,
                  bool adopt, bool* adopted, std::string* msg);
  bool EnsureDir(std::string* err);
  Result CopyInto(int fd, const std::string& object, uint64_t size, bool* cloned,
                  bool clone_only = false);
  void Erase(std::map<uint64_t, StoreEntry>::iterator it);
  bool CheckDir(std::string* msg);

  std::string dir_;
  uint64_t budget_;
  Logger log_;
  uint64_t used_ = 0;
  size_t held_ = 0;
  size_t max_held_ = 200000;
  uint64_t max_copy_ = uint64_t(512) << 20;
  uint64_t memory_budget_ = 0;
  uint64_t memory_used_ = 0;
  uint64_t next_id_ = 1;
  std::map<uint64_t, StoreEntry> entries_;  // by id
  struct Key {
    uint64_t actor;
    dev_t dev;
    ino_t ino;
    auto operator<=>(const Key&) const = default;
  };
  std::map<Key, uint64_t> by_inode_;
  // Whether the entry indexed at `it` is of the file open at `fd`; if not (a copy of an earlier
  // file with the same inode number), the index lets go of it.
  bool Current(std::map<Key, uint64_t>::iterator it, int fd);
  // Indexes `e` under `key` with a new id; `held`, when not the end, is the index of the entry
  // `e` replaces (a held file: its path and id go to `e`).
  void Insert(const Key& key, StoreEntry e, std::map<Key, uint64_t>::iterator held);
};

double MonotonicSeconds();

}  // namespace vigie::watch
