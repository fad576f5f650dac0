// Reading another process's memory, region by region, in bounded chunks.
//
// The readable regions come from /proc/PID/maps; their bytes from pread() on /proc/PID/mem,
// which needs the same rights as ptrace (same user and no Yama restriction, or
// CAP_SYS_PTRACE) but does not stop the process. The process keeps running while it is read,
// so what is read is a snapshot that may be inconsistent between regions, as with yara.
//
// A region is delivered in chunks of at most `max_chunk` bytes, each with the address of its
// first byte, so that the caller's memory stays bounded whatever the size of the mappings.
// Pages that cannot be read (guard pages, [vvar], regions unmapped since maps was read) are
// skipped one page at a time and the rest of the region is still read. Errors come back as
// values: ErrorCode::kProcessAccess when the process does not exist, vanishes, or may not be
// read; ErrorCode::kAborted when the callback asked to stop.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigie/error.h"

namespace vigie {

struct MemoryRegion {
  uint64_t begin = 0;  // first address
  uint64_t end = 0;    // one past the last address
  bool readable = false;
  std::string path;  // mapped file or pseudo-name ("[heap]"), empty for anonymous memory
};

// The regions of a /proc/PID/maps text; malformed lines are skipped.
std::vector<MemoryRegion> parse_proc_maps(std::string_view text);

// The readable regions of `pid`.
Error readable_regions(pid_t pid, std::vector<MemoryRegion>* regions);

using RegionChunkFn = std::function<bool(uint64_t base, std::span<const uint8_t> bytes)>;
using RegionFilter = std::function<bool(const MemoryRegion& region)>;

// Calls `fn` for every chunk of every readable region, in address order. `fn` returns false
// to stop (the result is then kAborted). `max_chunk` 0 means 1 GiB. When `want` is given, only
// the regions it accepts are read: a process may map terabytes of readable address space
// (a sanitizer's shadow memory, a runtime's reserved heap) that a caller can choose to leave.
Error for_each_region(pid_t pid, uint64_t max_chunk, const RegionChunkFn& fn,
                      const RegionFilter& want = {});

}  // namespace vigie
