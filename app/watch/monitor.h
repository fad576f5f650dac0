// The fanotify monitor: marks the watched trees, answers permission events, feeds the model,
// and runs the response.
//
// Three fanotify groups watch each directory of the trees (inode marks with FAN_EVENT_ON_CHILD;
// never a mount or file-system mark, so nothing outside the trees is slowed down):
//  - a permission group (FAN_CLASS_CONTENT, thread ids) for FAN_OPEN_PERM, where the opener
//    waits while the store keeps a copy: on directories only when every open is checked, else
//    on the files that are not leased (see leases.h);
//  - a close group for FAN_CLOSE_WRITE, where the new content is judged through the event's
//    descriptor, and the FAN_OPEN that names the writer of a broken lease;
//  - a name group (FAN_REPORT_DFID_NAME) for creations, deletions and renames, which carry
//    names instead of descriptors. New directories are marked as they appear.
// The write intent of an open is not part of a fanotify event; it is read from
// /proc/TID/syscall, whose arguments are stable while the opener is blocked on our answer. When
// it cannot be read the open is treated as a write (a copy too many, never one too few).
//
// Openers and writers waiting on a lease break come first: a read-only open or an open of an
// empty file is answered as soon as its flags are known and recorded right after; close-write
// judgements give way to waiting breaks and permission events (not starved: some are due at
// every round; at once for an actor that already has evidence). While no suspect is about, the
// close and name groups wake the monitor at most every 2 ms (a wake-up per event costs the
// work watched a switch per event); any wake reads them all.
//
// Every permission event is answered: FAN_DENY only for convicted processes (and suspicious
// ones the full store cannot protect), FAN_ALLOW otherwise, including on any internal failure.
// If vigie dies, the kernel allows everything pending. Files are read only through the event
// descriptors, which fanotify opens without generating events, so the monitor never waits on
// itself; restores, which write into the trees, run on a separate thread whose events the
// monitor recognises as its own and lets through.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "watch/event_log.h"

namespace vigie::watch {

enum class Mode { kKill, kStop, kReportOnly };

struct WatchOptions {
  std::vector<std::string> roots;
  Mode mode = Mode::kKill;
  std::string store_dir = "/var/lib/vigie/store";
  uint64_t store_budget = uint64_t(1) << 30;
  size_t max_held = 200000;
  size_t max_leases = 100000;      // files read-leased at start (see leases.h); 0: none
  double lease_calm_seconds = 10;  // leases resume this long after the last evidence
  uint64_t max_copy = uint64_t(512) << 20;
  uint64_t memory_copies = uint64_t(64) << 20;  // copies of small files kept in memory, in all
  std::string lock_dir = "/run/vigie/watch";
  bool decoys = false;
  std::vector<std::string> allow_exe;
  std::vector<std::string> allow_sha256;
  double threshold = 3.0;
  pid_t confine_to = 0;
  double max_seconds = 0;  // 0: until SIGINT/SIGTERM
  double keep_benign_seconds = 600;
  size_t max_dirs = 500000;
  bool verbose = false;  // log each piece of evidence as it arrives
};

// Exit statuses of `vigie watch`.
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 1;
inline constexpr int kExitSetup = 2;    // fanotify, store or path unusable
inline constexpr int kExitLocked = 3;   // another watcher holds one of the trees
inline constexpr int kExitRuntime = 4;  // the event stream broke

int RunWatch(const WatchOptions& opts, EventLog& log);

}  // namespace vigie::watch
