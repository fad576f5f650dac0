// Stopping a convicted actor: which processes, and which never.
//
// The targets are the processes seen acting, every process in their process groups, and all
// their descendants (workers forked later, or that never touched a file yet). Whatever the
// model says, some processes are never signalled: pid 1, vigie itself and its ancestors, the
// members of vigie's own process group, and (with --confine-to PID, used by the tests and the
// benchmark) anything that does not descend from PID.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "watch/model.h"

namespace vigie::watch {

struct SignalGuard {
  pid_t confine_to = 0;  // 0: no confinement
  bool Allowed(pid_t pid) const;
};

// The process tree of `a`, filtered by `guard`, as pids with their /proc description.
std::vector<ProcInfo> TargetsOf(const Actor& a, const SignalGuard& guard);

// Sends `sig` to each target whose start time still matches (pid reuse). Returns the pids
// signalled.
std::vector<pid_t> SignalAll(const std::vector<ProcInfo>& targets, int sig);

// True when none of `pids` is alive and running (dead, zombie, or stopped when `stopped_ok`).
bool AllHalted(const std::vector<pid_t>& pids, bool stopped_ok);

}  // namespace vigie::watch
