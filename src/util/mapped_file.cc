#include "util/mapped_file.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

namespace vigie::util {
namespace {

// Registered mappings, read by the signal handler: a fixed table of atomics, no locks.
constexpr int kSlots = 256;
struct Slot {
  std::atomic<uintptr_t> begin{0};
  std::atomic<uintptr_t> end{0};
  std::atomic<bool> faulted{false};
};
Slot g_slots[kSlots];
struct sigaction g_previous;
std::once_flag g_install_once;

void on_sigbus(int sig, siginfo_t* info, void* uctx) {
  uintptr_t addr = reinterpret_cast<uintptr_t>(info->si_addr);
  for (Slot& s : g_slots) {
    uintptr_t b = s.begin.load(std::memory_order_acquire);
    if (b && addr >= b && addr < s.end.load(std::memory_order_acquire)) {
      long page = sysconf(_SC_PAGESIZE);
      void* at = reinterpret_cast<void*>(addr & ~static_cast<uintptr_t>(page - 1));
      if (mmap(at, static_cast<size_t>(page), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
               -1, 0) != MAP_FAILED) {
        s.faulted.store(true, std::memory_order_release);
        return;  // the access is retried and now reads zeros
      }
    }
  }
  // Not ours: behave as before we were installed.
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction) return g_previous.sa_sigaction(sig, info, uctx);
  } else if (g_previous.sa_handler != SIG_IGN && g_previous.sa_handler != SIG_DFL &&
             g_previous.sa_handler) {
    return g_previous.sa_handler(sig);
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

void install_handler() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = on_sigbus;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGBUS, &sa, &g_previous);
}

int claim_slot(uintptr_t begin, uintptr_t end) {
  for (int k = 0; k < kSlots; ++k) {
    uintptr_t expected = 0;
    if (g_slots[k].begin.compare_exchange_strong(expected, begin)) {
      g_slots[k].faulted.store(false);
      g_slots[k].end.store(end, std::memory_order_release);
      return k;
    }
  }
  return -1;
}

}  // namespace

FileView::~FileView() { close(); }

void FileView::close() {
  if (map_) {
    if (slot_ >= 0) {
      g_slots[slot_].end.store(0, std::memory_order_release);
      g_slots[slot_].begin.store(0, std::memory_order_release);
      slot_ = -1;
    }
    munmap(map_, map_size_);
    map_ = nullptr;
    map_size_ = 0;
  }
  bytes_ = {};
}

bool FileView::truncated() const {
  return slot_ >= 0 && g_slots[slot_].faulted.load(std::memory_order_acquire);
}

Error FileView::open(int fd, const std::string& name, uint64_t max_size,
                     std::vector<uint8_t>& buffer) {
  close();
  struct stat st;
  if (fstat(fd, &st) != 0) return {ErrorCode::kCouldNotRead, name + ": " + std::strerror(errno)};
  if (S_ISDIR(st.st_mode)) return {ErrorCode::kNotARegularFile, name + ": is a directory"};
  if (!S_ISREG(st.st_mode)) return {ErrorCode::kNotARegularFile, name + ": not a regular file"};
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (max_size && size > max_size)
    return {ErrorCode::kTooLarge, name + ": " + std::to_string(size) +
                                      " bytes, over the limit of " + std::to_string(max_size)};
  if (size == 0) return {};
  if (size < kMapThreshold) {
    buffer.resize(size);
    size_t got = 0;
    while (got < size) {
      ssize_t n = pread(fd, buffer.data() + got, size - got, static_cast<off_t>(got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return {ErrorCode::kCouldNotRead, name + ": " + std::strerror(errno)};
      if (n == 0) break;  // the file shrank: scan what is there
      got += static_cast<size_t>(n);
    }
    bytes_ = std::span<const uint8_t>(buffer.data(), got);
    return {};
  }
  if (size > SIZE_MAX) return {ErrorCode::kTooLarge, name + ": too large to map"};
  std::call_once(g_install_once, install_handler);
  void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED)
    return {ErrorCode::kCouldNotRead, name + ": cannot map: " + std::strerror(errno)};
  map_ = p;
  map_size_ = size;
  uintptr_t b = reinterpret_cast<uintptr_t>(p);
  slot_ = claim_slot(b, b + size);
  if (slot_ < 0) {
    close();
    return {ErrorCode::kInternal, name + ": too many files mapped at once"};
  }
  madvise(p, size, MADV_SEQUENTIAL);
  bytes_ = std::span<const uint8_t>(static_cast<const uint8_t*>(p), size);
  return {};
}

}  // namespace vigie::util
