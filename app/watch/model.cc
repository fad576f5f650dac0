// The behaviour model. See model.h for the weights and the reasoning behind them.
#include "watch/model.h"

#include <algorithm>
#include <cctype>
#include <functional>

#include "watch/store.h"

namespace vigie::watch {
namespace {

constexpr size_t kMaxPending = 16;
constexpr size_t kMaxEvidence = 256;

// Extensions honest tools append or swap in when they rename: compressors, rotations,
// editors' backups, package managers, partial downloads.
bool BenignExtension(const std::string& ext) {
  static const std::set<std::string> kBenign = {
      "gz",     "bz2",     "xz",      "zst",        "lz4",      "z",        "zip",       "7z",
      "tar",    "tgz",     "old",     "bak",        "orig",     "new",      "tmp",       "temp",
      "swp",    "part",    "partial", "lock",       "dpkg-new", "dpkg-old", "dpkg-dist", "dpkg-tmp",
      "rpmnew", "rpmsave", "ucf-old", "ucf-dist",   "save",     "backup",   "prev",      "1",
      "o",      "pack",    "idx",     "crdownload", "download"};
  if (ext.empty()) return true;
  if (std::all_of(ext.begin(), ext.end(), [](char c) { return std::isdigit(uint8_t(c)); }))
    return true;
  std::string lower = ext;
  for (char& c : lower) c = char(std::tolower(uint8_t(c)));
  return kBenign.count(lower) > 0;
}

std::string ExtensionOf(const std::string& name) {
  size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0) return {};
  return name.substr(dot + 1);
}

bool SizesMatch(uint64_t a, uint64_t b) {
  uint64_t d = a > b ? a - b : b - a;
  return d <= std::max<uint64_t>(64 * 1024, std::max(a, b) / 10);
}

// Whether a text reads like a ransom note: it says files were encrypted (in a few languages),
// and names two of the means of paying or reaching the attackers (the words of the notes in
// published incident reports). One alone is common in the documentation of cryptographic
// software, copied into many directories by clones and package installs.
bool ReadsLikeRansomNote(const std::string& text) {
  std::string t = text.substr(0, 8192);
  for (char& c : t) c = char(std::tolower(uint8_t(c)));
  auto count = [&](std::initializer_list<const char*> words) {
    int n = 0;
    for (const char* w : words) n += t.find(w) != std::string::npos;
    return n;
  };
  return count({"encrypt", "crypted", "chiffr", "verschl", "cifrad", "cifrat",
                "\xd0\xb7\xd0\xb0\xd1\x88\xd0\xb8\xd1\x84\xd1\x80" /* зашифр */}) > 0 &&
         count({"bitcoin", "btc", "monero", "xmr", ".onion", "tor browser", "wallet",
                "decryption key", "decryptor", "decryption tool", "recover your files",
                "restore your files"}) >= 2;
}

}  // namespace

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

std::string BaseOf(const std::string& path) { return path.substr(path.rfind('/') + 1); }

Actor& Model::ActorFor(const ProcInfo& p) {
  auto pid_it = by_pid_.find(p.pid);
  if (pid_it != by_pid_.end()) {
    auto a = actors_.find(pid_it->second);
    if (a != actors_.end()) {
      auto known = a->second.procs.find(p.pid);
      // A reused pid (different start time) is a new process.
      if (known != a->second.procs.end() &&
          (known->second.start_time == p.start_time || p.start_time == 0)) {
        if (!p.exe.empty() && known->second.exe != p.exe) known->second.exe = p.exe;
        return a->second;
      }
    }
  }
  uint64_t id = 0;
  auto g = p.pgid > 0 ? by_pgid_.find(p.pgid) : by_pgid_.end();
  if (g != by_pgid_.end() && actors_.count(g->second)) {
    id = g->second;
  } else if (auto parent = by_pid_.find(p.ppid); p.sid == p.pid && p.ppid > 1 &&
                                                 parent != by_pid_.end() &&
                                                 actors_.count(parent->second)) {
    // A process that left its parent's session (setsid) is a worker escaping the group; one
    // that only started a new process group is a job of a shell, and stays apart.
    id = parent->second;
  } else {
    id = next_id_++;
    Actor& a = actors_[id];
    a.id = id;
    a.pgid = p.pgid;
    a.sid = p.sid;
  }
  Actor& a = actors_[id];
  a.procs[p.pid] = p;
  by_pid_[p.pid] = id;
  if (p.pgid > 0 && !by_pgid_.count(p.pgid)) by_pgid_[p.pgid] = id;
  return a;
}

Actor* Model::Find(uint64_t id) {
  auto it = actors_.find(id);
  return it == actors_.end() ? nullptr : &it->second;
}

Actor* Model::FindByPid(pid_t pid) {
  auto it = by_pid_.find(pid);
  return it == by_pid_.end() ? nullptr : Find(it->second);
}

void Model::Forget(uint64_t id) {
  for (auto it = by_pid_.begin(); it != by_pid_.end();)
    it = it->second == id ? by_pid_.erase(it) : std::next(it);
  for (auto it = by_pgid_.begin(); it != by_pgid_.end();)
    it = it->second == id ? by_pgid_.erase(it) : std::next(it);
  actors_.erase(id);
}

bool Model::Add(Actor& a, double w, std::string what, const std::string& path) {
  double now = MonotonicSeconds();
  if (a.evidence.size() < kMaxEvidence) a.evidence.push_back({w, what, path, now});
  a.score += w;
  if (on_evidence) on_evidence(a, Evidence{w, std::move(what), path, now});
  if (!a.odd_exe_counted && !a.odd_exe.empty() && a.score >= 1.0) {
    a.odd_exe_counted = true;
    a.score += 1.0;
    if (a.evidence.size() < kMaxEvidence) a.evidence.push_back({1.0, a.odd_exe, "", now});
  }
  if (!a.convicted && a.score >= threshold_) {
    a.convicted = true;
    a.convicted_at = now;
    return true;
  }
  return false;
}

bool Model::ReleaseNotes(Actor& a) {
  if (a.notes_pending.empty() || a.notes_counted) return false;
  a.notes_counted = true;
  bool convicted = Add(a, 2.0, std::move(a.notes_pending), a.notes_path);
  a.notes_pending.clear();
  return convicted;
}

bool Model::Destroyed(Actor& a, std::string what, const std::string& path) {
  if (a.first_destroy_at == 0) a.first_destroy_at = MonotonicSeconds();
  bool convicted = Add(a, 1.0, std::move(what), path);
  return ReleaseNotes(a) || convicted;
}

bool Model::Rewritten(Actor& a, const std::string& path, const Sample& before,
                      const Sample& after) {
  Verdict v = Compare(before, after);
  if (!v.destroyed) return false;
  return Destroyed(a, std::string("rewritten: ") + v.why, path);
}

bool Model::RewrittenWithoutCopy(Actor& a, const std::string& path, const Sample& after) {
  Verdict v = AssessNew(path, after);
  if (!v.destroyed) return false;
  return Destroyed(a, std::string("rewritten (no copy kept): ") + v.why, path);
}

bool Model::NewFile(Actor& a, const std::string& path, const Sample& after) {
  a.created.insert(path);
  bool convicted = false;
  // Ransom notes: one small text, many directories.
  if (after.size >= 16 && after.size <= 64 * 1024 && (KindOf(after.head) == Kind::kText)) {
    size_t h = std::hash<std::string>{}(after.head);
    auto& dirs = a.note_dirs[h];
    if (dirs.size() < 64) dirs.insert(DirOf(path));
    if (dirs.size() >= 3 && !a.notes_counted) {
      std::string what =
          "same new text file in " + std::to_string(dirs.size()) + " directories (ransom note)";
      if (a.first_destroy_at > 0 || a.rename_weight > 0 || ReadsLikeRansomNote(after.head)) {
        a.notes_counted = true;
        convicted |= Add(a, 2.0, std::move(what), path);
      } else if (a.notes_pending.empty()) {
        a.notes_pending = std::move(what);
        a.notes_path = path;
      }
    }
    if (a.note_dirs.size() > 4096) a.note_dirs.clear();
  }
  // Only a candidate copy of a deleted original when it is not plainly the output of a
  // compressor or an encryption tool (a format of its own: a conversion), nor text or a
  // program; header-preserving copies keep the original's format, so they stay candidates.
  Kind ka = KindOf(after.head);
  bool container = IsOutputKind(ka) || ka == Kind::kText;
  if (container || after.size < 512) return convicted;
  // A random copy of a deleted original in the same directory.
  std::string dir = DirOf(path);
  for (auto it = a.unpaired_deleted.begin(); it != a.unpaired_deleted.end();) {
    if (DirOf(it->path) != dir || !SizesMatch(it->sample.size, after.size)) {
      ++it;
      continue;
    }
    if (it->read) {
      // The original's content is read now that a copy could pair with it; one that can no
      // longer be read pairs with nothing.
      auto read = std::move(it->read);
      it->read = nullptr;
      if (!read(&it->sample)) {
        it = a.unpaired_deleted.erase(it);
        continue;
      }
    }
    Verdict v = Compare(it->sample, after);
    if (!v.destroyed) {
      ++it;
      continue;
    }
    std::string orig = it->path;
    a.unpaired_deleted.erase(it);
    return Destroyed(a, std::string("replaced by a random copy then deleted: ") + v.why, orig) ||
           convicted;
  }
  if (a.unpaired_new.size() < kMaxPending) {
    a.unpaired_new.push_back({path, after, nullptr});
    return convicted;
  }
  // Full: the oldest goes, and its buffers take the newest (no allocation once they are big
  // enough, as a stream of new files keeps them).
  std::rotate(a.unpaired_new.begin(), a.unpaired_new.begin() + 1, a.unpaired_new.end());
  Actor::Pending& p = a.unpaired_new.back();
  p.path = path;
  p.sample.size = after.size;
  p.sample.head.assign(after.head);
  p.sample.tail.assign(after.tail);
  p.read = nullptr;
  return convicted;
}

bool Model::Deleted(Actor& a, const std::string& path, const Sample* before) {
  if (!before) return Deleted(a, path, static_cast<const DeletedContent*>(nullptr));
  DeletedContent c{before->size, [copy = *before](Sample* s) {
                     *s = copy;
                     return true;
                   }};
  return Deleted(a, path, &c);
}

bool Model::Deleted(Actor& a, const std::string& path, const DeletedContent* before) {
  a.deleted.insert(path);
  if (!before) return false;
  std::string dir = DirOf(path);
  Sample sample;
  bool loaded = false;
  for (auto it = a.unpaired_new.begin(); it != a.unpaired_new.end(); ++it) {
    if (DirOf(it->path) != dir || !SizesMatch(it->sample.size, before->size)) continue;
    if (!loaded && !(loaded = before->read(&sample))) break;
    Verdict v = Compare(sample, it->sample);
    if (!v.destroyed) continue;
    a.unpaired_new.erase(it);
    return Destroyed(a, std::string("replaced by a random copy then deleted: ") + v.why, path);
  }
  if (a.unpaired_deleted.size() >= kMaxPending)
    a.unpaired_deleted.erase(a.unpaired_deleted.begin());
  Actor::Pending p{path, {}, nullptr};
  if (loaded) {
    p.sample = std::move(sample);
  } else {
    p.sample.size = before->size;
    p.read = before->read;
  }
  a.unpaired_deleted.push_back(std::move(p));
  return false;
}

bool Model::Renamed(Actor& a, const std::string& from, const std::string& to, bool overwrote) {
  if (a.renames.size() < 1000000) {
    a.renames.emplace_back(from, to);
    a.rename_overwrote.push_back(overwrote);
  }
  if (a.created.erase(from)) a.created.insert(to);
  std::string fb = BaseOf(from), tb = BaseOf(to);
  // A lock file put in place (gc.pid.lock -> gc.pid).
  if (fb == tb + ".lock") return false;
  std::string ext;
  if (tb.size() > fb.size() && tb.compare(0, fb.size(), fb) == 0 && tb[fb.size()] == '.')
    ext = tb.substr(fb.size() + 1);  // appended: report.pdf -> report.pdf.locked
  else if (ExtensionOf(tb) != ExtensionOf(fb))
    ext = ExtensionOf(tb);
  if (BenignExtension(ext)) return false;
  int n = ++a.new_ext_count[ext];
  if (a.new_ext_count.size() > 1024) a.new_ext_count.clear();
  double w = n == 3 ? 1.0 : n > 3 ? 0.25 : 0.0;
  w = std::min(w, 2.0 - a.rename_weight);
  if (w <= 0) return false;
  a.rename_weight += w;
  bool convicted =
      Add(a, w, "renamed to new extension ." + ext + " (" + std::to_string(n) + " files)", to);
  return ReleaseNotes(a) || convicted;
}

bool Model::DecoyTouched(Actor& a, const std::string& path, bool destructive) {
  return Add(a, destructive ? 3.0 : 1.0,
             destructive ? "decoy file written or renamed" : "decoy file deleted", path);
}

bool Model::Unprotectable(Actor& a, const std::string& path) {
  if (a.score <= 0) return false;
  return Add(a, 0.5, "write denied while the store is full", path);
}

bool Model::OddExecutable(Actor& a, const std::string& why) {
  if (a.odd_exe.empty()) a.odd_exe = why;
  if (!a.odd_exe_counted && a.score >= 1.0) {
    a.odd_exe_counted = true;
    return Add(a, 1.0, why, "");
  }
  return false;
}

}  // namespace vigie::watch
