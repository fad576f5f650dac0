#include "scan/process_memory.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

namespace vigie {
namespace {

// A marker made at run time, so that it is found in the heap and not in the program's image.
std::string make_marker() {
  std::string m = "vigie-process-memory-";
  m += std::to_string(getpid() * 7919u + 17);
  std::reverse(m.begin(), m.end());
  return m;
}

// Reads the regions of `pid` that contain `address` and returns where `marker` was found,
// checking the chunk limit. Reading only those regions keeps the test fast in processes with
// terabytes of readable mappings (sanitizer shadow memory).
std::vector<uint64_t> find_marker(pid_t pid, uint64_t max_chunk, uint64_t address,
                                  const std::string& marker, Error* error) {
  std::vector<uint64_t> hits;
  uint64_t limit = max_chunk ? max_chunk : uint64_t{1} << 30;
  *error = for_each_region(
      pid, max_chunk,
      [&](uint64_t base, std::span<const uint8_t> bytes) {
        EXPECT_LE(bytes.size(), limit);
        std::string_view view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        for (size_t at = view.find(marker); at != view.npos; at = view.find(marker, at + 1))
          hits.push_back(base + at);
        return true;
      },
      [&](const MemoryRegion& r) { return r.begin <= address && address < r.end; });
  return hits;
}

TEST(ProcessMemory, FindsMarkerInOwnHeap) {
  std::string marker = make_marker();
  // Page-aligned so that small chunks never split it.
  char* page = static_cast<char*>(std::aligned_alloc(4096, 8192));
  ASSERT_NE(page, nullptr);
  std::memset(page, 0, 8192);
  std::memcpy(page + 100, marker.data(), marker.size());
  uint64_t where = reinterpret_cast<uint64_t>(page + 100);
  for (uint64_t chunk : {uint64_t{4096}, uint64_t{1} << 20, uint64_t{0}}) {
    Error e;
    std::vector<uint64_t> hits = find_marker(getpid(), chunk, where, marker, &e);
    EXPECT_TRUE(e.ok()) << e.message;
    EXPECT_NE(std::find(hits.begin(), hits.end(), where), hits.end()) << "chunk " << chunk;
  }
  std::free(page);
}

TEST(ProcessMemory, FindsMarkerInChildProcess) {
  std::string marker = make_marker() + "-child";
  int to_child[2], from_child[2];
  ASSERT_EQ(pipe(to_child), 0);
  ASSERT_EQ(pipe(from_child), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child copies the marker to a new heap block, sends its address, and waits to be
    // told to exit.
    char* copy = static_cast<char*>(std::malloc(marker.size() + 1));
    std::memcpy(copy, marker.data(), marker.size() + 1);
    uint64_t address = reinterpret_cast<uint64_t>(copy);
    if (write(from_child[1], &address, sizeof address) != sizeof address) _exit(2);
    char c;
    if (read(to_child[0], &c, 1) < 0) _exit(3);
    _exit(copy[0] == 0 ? 4 : 0);
  }
  uint64_t address = 0;
  ASSERT_EQ(read(from_child[0], &address, sizeof address), static_cast<ssize_t>(sizeof address));
  Error e;
  std::vector<uint64_t> hits = find_marker(child, 1 << 16, address, marker, &e);
  EXPECT_TRUE(e.ok()) << e.message;
  EXPECT_NE(std::find(hits.begin(), hits.end(), address), hits.end());
  char c = 0;
  ASSERT_EQ(write(to_child[1], &c, 1), 1);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // The process is gone: an error value, no crash.
  Error gone =
      for_each_region(child, 4096, [](uint64_t, std::span<const uint8_t>) { return true; });
  EXPECT_EQ(gone.code, ErrorCode::kProcessAccess);
  EXPECT_NE(gone.message.find(std::to_string(child)), std::string::npos) << gone.message;
  for (int fd : {to_child[0], to_child[1], from_child[0], from_child[1]}) close(fd);
}

TEST(ProcessMemory, FilterChoosesRegions) {
  int calls = 0;
  Error e = for_each_region(
      getpid(), 4096,
      [&](uint64_t, std::span<const uint8_t>) {
        ++calls;
        return true;
      },
      [](const MemoryRegion&) { return false; });
  EXPECT_TRUE(e.ok()) << e.message;
  EXPECT_EQ(calls, 0);
}

TEST(ProcessMemory, CallbackStopsTheScan) {
  int calls = 0;
  Error e = for_each_region(getpid(), 4096,
                            [&](uint64_t, std::span<const uint8_t>) { return ++calls < 3; });
  EXPECT_EQ(e.code, ErrorCode::kAborted);
  EXPECT_EQ(calls, 3);
}

TEST(ProcessMemory, ParsesMapsAndSkipsGarbage) {
  std::vector<MemoryRegion> r = parse_proc_maps(
      "55d0c0a00000-55d0c0a21000 rw-p 00000000 00:00 0                          [heap]\n"
      "7f00aa000000-7f00aa001000 ---p 00000000 00:00 0 \n"
      "garbage line\n"
      "20-10 r--p 0 0 0\n"
      "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n"
      "7f00ab000000-7f00ab002000 r-xp 00001000 08:01 1234                       /usr/lib/x y.so\n"
      "1000-");
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].begin, 0x55d0c0a00000u);
  EXPECT_EQ(r[0].end, 0x55d0c0a21000u);
  EXPECT_TRUE(r[0].readable);
  EXPECT_EQ(r[0].path, "[heap]");
  EXPECT_FALSE(r[1].readable);
  EXPECT_EQ(r[1].path, "");
  EXPECT_FALSE(r[2].readable);
  EXPECT_EQ(r[3].path, "/usr/lib/x y.so");
  EXPECT_TRUE(parse_proc_maps("").empty());
  EXPECT_TRUE(parse_proc_maps("ffffffffffffffffff-1 r 0 0 0").empty());
}

TEST(ProcessMemory, MissingProcessIsAnErrorValue) {
  Error e = for_each_region(-5, 4096, [](uint64_t, std::span<const uint8_t>) { return true; });
  EXPECT_EQ(e.code, ErrorCode::kProcessAccess);
}

}  // namespace
}  // namespace vigie
