#include <gtest/gtest.h>

#include <chrono>

#include "modules/testing/module_harness.h"

namespace vigie::mod {
namespace {

using testing::Harness;
using testing::YaraBatch;

std::string write_temp(const std::vector<uint8_t>& bytes) {
  char path[] = "/tmp/vigie_hash_XXXXXX";
  int fd = mkstemp(path);
  (void)!write(fd, bytes.data(), bytes.size());
  close(fd);
  return path;
}

void check_against_yara(const std::string& file) {
  Harness h("hash", testing::read_file(file));
  const int64_t size = static_cast<int64_t>(h.data().size());
  const std::pair<int64_t, int64_t> ranges[] = {{0, size}, {17, 100},     {0, 0},  {size - 1, 0},
                                                {size, 0}, {-1, 2},       {0, -1}, {size - 3, 100},
                                                {5, 4096}, {size + 10, 1}};
  YaraBatch batch("import \"hash\"", file);
  for (const char* fn : {"md5", "sha1", "sha256", "checksum32", "crc32"}) {
    for (auto [off, len] : ranges) {
      std::string expr =
          std::string("hash.") + fn + "(" + std::to_string(off) + ", " + std::to_string(len) + ")";
      batch.expect(expr, h.call(fn, "ii", {Value::integer(off), Value::integer(len)}));
    }
    for (const char* s : {"", "dummy", "\\xff\\x00abc"}) {
      std::string text = s;
      // The same bytes as the YARA literal, for our call.
      std::string bytes = text == "\\xff\\x00abc" ? std::string("\xff\0abc", 5) : text;
      batch.expect(std::string("hash.") + fn + "(\"" + text + "\")",
                   h.call(fn, "s", {Value::string(bytes)}));
    }
  }
  batch.check();
}

TEST(Hash, MatchesYaraOnAnExecutable) { check_against_yara("/usr/bin/ls"); }

TEST(Hash, MatchesYaraOnAnEmptyFile) {
  std::string file = write_temp({});
  check_against_yara(file);
  unlink(file.c_str());
}

TEST(Hash, MatchesYaraOnSmallData) {
  std::vector<uint8_t> bytes;
  for (int k = 0; k < 300; ++k) bytes.push_back(static_cast<uint8_t>(k * 7));
  std::string file = write_temp(bytes);
  check_against_yara(file);
  unlink(file.c_str());
}

TEST(Hash, KnownValues) {
  Harness h("hash", {'a', 'b', 'c'});
  EXPECT_EQ(h.call("md5", "ii", {Value::integer(0), Value::integer(3)}).s,
            "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(h.call("sha1", "s", {Value::string("abc")}).s,
            "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(h.call("sha256", "s", {Value::string("abc")}).s,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(h.call("crc32", "s", {Value::string("123456789")}).i, 0xcbf43926);
  EXPECT_EQ(h.call("checksum32", "s", {Value::string("\xff\xff")}).i, 510);
  EXPECT_FALSE(h.call("md5", "ii", {Value::undefined(), Value::integer(3)}).defined());
}

// In a process scan offsets are addresses: the data starts at the region's base.
TEST(Hash, OffsetsAreAddressesInProcessScans) {
  Harness h("hash", {'a', 'b', 'c', 'd'}, {}, 0x1000, true);
  EXPECT_EQ(h.call("checksum32", "ii", {Value::integer(0x1001), Value::integer(2)}).i, 'b' + 'c');
  EXPECT_EQ(h.call("md5", "ii", {Value::integer(0x1000), Value::integer(3)}).s,
            "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_FALSE(h.call("md5", "ii", {Value::integer(0), Value::integer(3)}).defined());
  EXPECT_FALSE(h.call("md5", "ii", {Value::integer(0x1004), Value::integer(1)}).defined());
}

TEST(Hash, RepeatedRangeDigestsAreComputedOnce) {
  std::vector<uint8_t> big(8 << 20, 0x5a);
  Harness h("hash", big);
  ASSERT_NE(h.state(), nullptr);
  auto start = std::chrono::steady_clock::now();
  Value first = h.call("sha256", "ii", {Value::integer(0), Value::integer(8 << 20)});
  for (int k = 0; k < 2000; ++k) {
    Value v = h.call("sha256", "ii", {Value::integer(0), Value::integer(8 << 20)});
    ASSERT_EQ(v.s, first.s);
  }
  // 2000 uncached digests of 8 MiB take minutes (16 GB hashed); cached, well under a second.
  // The bound is loose on purpose: it tells a cache from no cache on a loaded or
  // sanitizer-instrumented machine, it does not measure speed.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

}  // namespace
}  // namespace vigie::mod
