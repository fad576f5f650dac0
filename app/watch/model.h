// The per-process behaviour model: who is doing what to the watched files, and when it is
// ransomware.
//
// Processes are grouped into actors: a process joins the actor of its process group, or, when
// it started a session of its own, the actor of its parent, so worker processes forked by one
// program (even into new sessions) add up their evidence. A new process group alone does not
// join the parent: shells give each job one, and a job must not inherit its shell's history. Each
// actor accumulates weighted evidence; at `threshold` it is convicted. The weights (documented in
// docs/watch.md):
//   destroyed file  1.0  a file rewritten from structured to random (whole, some blocks, or
//                        behind a kept header), or replaced by a random copy then deleted
//   rename pattern  1.0  at the 3rd rename to one new extension, +0.25 each after, at most 2
//   ransom notes    2.0  the same new small text file in 3 or more directories
//   decoy           3.0  a decoy opened for writing or renamed (1.0 when only deleted)
//   odd executable  1.0  once, and only on top of other evidence: run from /tmp, deleted, or
//                        renamed after start
//   unprotectable   0.5  a write by an actor that already has evidence, denied because the
//                        store is full (blameless actors are never denied)
// A threshold of 3.0 means three destroyed files, or fewer with notes, renames or decoys.
// Honest workloads earn no destroyed-file evidence: their output is either structured or
// carries the magic of a compressed format, and a single encrypted file is one point.
//
// Time does not decay evidence, so slow encryption (a file a minute) adds up like fast
// encryption; the store keeps copies of suspicious actors until they are judged.
//
// The model is pure bookkeeping: the monitor feeds it events with content samples, so it is
// unit-tested without fanotify.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "watch/content.h"
#include "watch/proc_info.h"

namespace vigie::watch {

struct Evidence {
  double weight;
  std::string what;
  std::string path;
  double time;  // monotonic seconds
};

// The content of a deleted file, read on first use: only a new file of similar size in the same
// directory needs it (to pair a random copy with its original), and most deletions meet none.
struct DeletedContent {
  uint64_t size = 0;
  std::function<bool(Sample*)> read;  // false when it cannot be read (any more)
};

struct Actor {
  uint64_t id = 0;
  pid_t pgid = 0;
  pid_t sid = 0;
  std::map<pid_t, ProcInfo> procs;  // by pid
  double score = 0;
  bool convicted = false;
  double convicted_at = 0;
  double first_destroy_at = 0;
  bool odd_exe_counted = false;
  std::string odd_exe;
  std::vector<Evidence> evidence;
  // Bookkeeping for restore and for the patterns.
  std::set<std::string> created;                             // new paths (files)
  std::vector<std::pair<std::string, std::string>> renames;  // from, to
  std::vector<bool> rename_overwrote;  // per rename: it replaced a file the actor had seen
  std::set<std::string> deleted;
  std::map<std::string, int> new_ext_count;
  double rename_weight = 0;
  std::map<size_t, std::set<std::string>> note_dirs;  // content hash -> directories
  bool notes_counted = false;
  // Notes found before anything was destroyed or renamed, that do not read like a ransom
  // note: counted with the first destroyed file or rename pattern (alone, identical small files
  // in many directories are also what git, package managers and template copies write).
  std::string notes_pending;  // the evidence's text, empty when none
  std::string notes_path;
  struct Pending {
    std::string path;
    Sample sample;  // for a deleted original: only `size` until `read` has run
    std::function<bool(Sample*)> read;
  };
  std::vector<Pending> unpaired_new;      // random new files, waiting for a deleted original
  std::vector<Pending> unpaired_deleted;  // deleted originals, waiting for a random new file
  // Inode last seen at each path the actor opened (kept across renames), and activity time.
  std::map<std::string, std::pair<dev_t, ino_t>> seen;
  // Existing, non-empty files it opened for writing (judged even when no copy could be kept).
  std::set<std::pair<dev_t, ino_t>> rewriting;
  double last_active = 0;
  bool restored = false;
};

class Model {
 public:
  explicit Model(double threshold = 3.0) : threshold_(threshold) {}

  // The actor of a process (created on first sight). `known_parent` lets a process with a new
  // process group join its parent's actor.
  Actor& ActorFor(const ProcInfo& p);
  Actor* Find(uint64_t id);
  Actor* FindByPid(pid_t pid);
  std::map<uint64_t, Actor>& actors() { return actors_; }
  void Forget(uint64_t id);

  // Each returns true when the event convicts the actor (the first time only).
  bool Rewritten(Actor& a, const std::string& path, const Sample& before, const Sample& after);
  bool NewFile(Actor& a, const std::string& path, const Sample& after);
  // An existing file rewritten while the store had no copy of it: judged on its new content.
  bool RewrittenWithoutCopy(Actor& a, const std::string& path, const Sample& after);
  bool Deleted(Actor& a, const std::string& path, const DeletedContent* before);
  bool Deleted(Actor& a, const std::string& path, const Sample* before);
  bool Renamed(Actor& a, const std::string& from, const std::string& to, bool overwrote = false);
  bool DecoyTouched(Actor& a, const std::string& path, bool destructive);
  bool OddExecutable(Actor& a, const std::string& why);
  // A write by a suspicious actor was denied because the store could not keep a copy.
  bool Unprotectable(Actor& a, const std::string& path);

  double threshold() const { return threshold_; }
  // Called for each piece of evidence as it is added (logging).
  std::function<void(const Actor&, const Evidence&)> on_evidence;

 private:
  bool Add(Actor& a, double w, std::string what, const std::string& path);
  // A file destroyed (weight 1): the evidence, and notes found before it.
  bool Destroyed(Actor& a, std::string what, const std::string& path);
  // Notes found before (see Actor::notes_pending), with a destroyed file or a rename pattern.
  bool ReleaseNotes(Actor& a);

  double threshold_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, Actor> actors_;
  std::map<pid_t, uint64_t> by_pgid_;
  std::map<pid_t, uint64_t> by_pid_;
};

std::string DirOf(const std::string& path);
std::string BaseOf(const std::string& path);

}  // namespace vigie::watch
