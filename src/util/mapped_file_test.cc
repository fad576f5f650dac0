#include "util/mapped_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace vigie::util {
namespace {

std::string temp_file(uint64_t size, uint8_t fill) {
  char name[] = "/tmp/vigie-mapped-XXXXXX";
  int fd = mkstemp(name);
  EXPECT_GE(fd, 0);
  std::vector<uint8_t> chunk(1 << 20, fill);
  for (uint64_t done = 0; done < size; done += chunk.size())
    EXPECT_EQ(write(fd, chunk.data(), std::min<uint64_t>(chunk.size(), size - done)),
              static_cast<ssize_t>(std::min<uint64_t>(chunk.size(), size - done)));
  close(fd);
  return name;
}

TEST(FileView, ReadsSmallFiles) {
  std::string path = temp_file(1000, 'x');
  int fd = ::open(path.c_str(), O_RDONLY);
  std::vector<uint8_t> buf;
  FileView v;
  ASSERT_TRUE(v.open(fd, path, 0, buf).ok());
  ASSERT_EQ(v.bytes().size(), 1000u);
  EXPECT_EQ(v.bytes()[999], 'x');
  ::close(fd);
  std::filesystem::remove(path);
}

TEST(FileView, RefusesOverLimitAndSpecialFiles) {
  std::string path = temp_file(1000, 'x');
  int fd = ::open(path.c_str(), O_RDONLY);
  std::vector<uint8_t> buf;
  FileView v;
  Error e = v.open(fd, path, 10, buf);
  EXPECT_EQ(e.code, ErrorCode::kTooLarge);
  ::close(fd);
  std::filesystem::remove(path);
  fd = ::open("/dev/null", O_RDONLY);
  EXPECT_EQ(v.open(fd, "/dev/null", 0, buf).code, ErrorCode::kNotARegularFile);
  ::close(fd);
}

TEST(FileView, FileTruncatedWhileMappedReadsZerosInsteadOfCrashing) {
  const uint64_t size = 3 * FileView::kMapThreshold;
  std::string path = temp_file(size, 0xAB);
  int fd = ::open(path.c_str(), O_RDONLY);
  std::vector<uint8_t> buf;
  FileView v;
  ASSERT_TRUE(v.open(fd, path, 0, buf).ok());
  ASSERT_EQ(v.bytes().size(), size);
  EXPECT_EQ(v.bytes()[10], 0xAB);
  ASSERT_EQ(truncate(path.c_str(), 4096), 0);
  // Every page past the new end faults; each is replaced by zeros.
  uint64_t sum = 0;
  for (uint64_t off = 0; off < size; off += 4096) sum += v.bytes()[off];
  EXPECT_EQ(sum, 0xABu);
  EXPECT_TRUE(v.truncated());
  v.close();
  ::close(fd);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace vigie::util
