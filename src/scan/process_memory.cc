#include "scan/process_memory.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

namespace vigie {
namespace {

constexpr uint64_t kDefaultChunk = 1ull << 30;
constexpr size_t kMaxMapsBytes = 64u << 20;  // a maps file larger than this is not believed

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string proc_path(pid_t pid, const char* leaf) {
  return "/proc/" + std::to_string(pid) + "/" + leaf;
}

Error access_error(pid_t pid, int err, const char* what) {
  std::string reason = err == ENOENT || err == ESRCH   ? "no such process"
                       : err == EACCES || err == EPERM ? "permission denied"
                                                       : std::strerror(err);
  return Error{ErrorCode::kProcessAccess,
               "process " + std::to_string(pid) + ": cannot " + what + ": " + reason};
}

bool process_exists(pid_t pid) { return ::access(proc_path(pid, "").c_str(), F_OK) == 0; }

// Parses a hexadecimal number at the start of `s`, advancing it; false when there is none.
bool parse_hex(std::string_view& s, uint64_t* value) {
  uint64_t v = 0;
  size_t i = 0;
  for (; i < s.size() && i < 16; ++i) {
    char c = s[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) break;
    v = v << 4 | static_cast<uint64_t>(d);
  }
  if (i == 0) return false;
  s.remove_prefix(i);
  *value = v;
  return true;
}

// Skips one whitespace-separated field and the blanks after it.
void skip_field(std::string_view& s) {
  while (!s.empty() && s.front() != ' ') s.remove_prefix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
}

}  // namespace

std::vector<MemoryRegion> parse_proc_maps(std::string_view text) {
  // Each line: "begin-end perms offset dev inode [path]".
  std::vector<MemoryRegion> regions;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    MemoryRegion r;
    if (!parse_hex(line, &r.begin) || line.empty() || line.front() != '-') continue;
    line.remove_prefix(1);
    if (!parse_hex(line, &r.end) || r.end <= r.begin) continue;
    if (line.size() < 5 || line[0] != ' ') continue;
    r.readable = line[1] == 'r';
    line.remove_prefix(1);
    for (int field = 0; field < 4; ++field) skip_field(line);  // perms offset dev inode
    r.path = std::string(line);
    regions.push_back(std::move(r));
  }
  return regions;
}

Error readable_regions(pid_t pid, std::vector<MemoryRegion>* regions) {
  regions->clear();
  Fd fd(::open(proc_path(pid, "maps").c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return access_error(pid, errno, "read its memory map");
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return access_error(pid, errno, "read its memory map");
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxMapsBytes) {
      return Error{ErrorCode::kProcessAccess,
                   "process " + std::to_string(pid) + ": memory map too large"};
    }
  }
  for (MemoryRegion& r : parse_proc_maps(text))
    if (r.readable) regions->push_back(std::move(r));
  return {};
}

Error for_each_region(pid_t pid, uint64_t max_chunk, const RegionChunkFn& fn,
                      const RegionFilter& want) {
  if (max_chunk == 0) max_chunk = kDefaultChunk;
  std::vector<MemoryRegion> regions;
  if (Error e = readable_regions(pid, &regions)) return e;
  Fd mem(::open(proc_path(pid, "mem").c_str(), O_RDONLY | O_CLOEXEC));
  if (mem.get() < 0) return access_error(pid, errno, "open its memory");

  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  std::vector<uint8_t> buffer;
  for (const MemoryRegion& r : regions) {
    if (want && !want(r)) continue;
    uint64_t addr = r.begin;
    while (addr < r.end) {
      uint64_t want = std::min(max_chunk, r.end - addr);
      if (buffer.size() < want) {
        try {
          buffer.resize(want);
        } catch (const std::bad_alloc&) {
          return Error{ErrorCode::kProcessAccess, "process " + std::to_string(pid) +
                                                      ": cannot allocate a read buffer of " +
                                                      std::to_string(want) + " bytes"};
        }
      }
      uint64_t got = 0;
      while (got < want) {
        ssize_t n =
            ::pread(mem.get(), buffer.data() + got, want - got, static_cast<off_t>(addr + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<uint64_t>(n);
      }
      if (got > 0 && !fn(addr, std::span<const uint8_t>(buffer.data(), got)))
        return Error{ErrorCode::kAborted, "stopped by the callback"};
      if (got == want) {
        addr += got;
        continue;
      }
      if (got == 0 && !process_exists(pid)) {
        return Error{ErrorCode::kProcessAccess,
                     "process " + std::to_string(pid) + ": vanished while being read"};
      }
      // An unreadable page: go on after it.
      uint64_t next = (addr + got) / page * page + page;
      addr = next > addr ? next : r.end;
    }
  }
  return {};
}

}  // namespace vigie
