#include <gtest/gtest.h>

#include "modules/testing/module_harness.h"

namespace vigie::mod {
namespace {

using testing::Harness;
using testing::YaraBatch;

std::string write_temp(const std::vector<uint8_t>& bytes) {
  char path[] = "/tmp/vigie_math_XXXXXX";
  int fd = mkstemp(path);
  (void)!write(fd, bytes.data(), bytes.size());
  close(fd);
  return path;
}

Value I(int64_t v) { return Value::integer(v); }
Value F(double v) { return Value::real(v); }
Value S(std::string v) { return Value::string(std::move(v)); }

// The YARA literal for a string of arbitrary bytes.
std::string lit(const std::string& s) { return testing::literal(Value::string(s)); }

void check_against_yara(const std::string& file) {
  Harness h("math", testing::read_file(file));
  const int64_t size = static_cast<int64_t>(h.data().size());
  const std::pair<int64_t, int64_t> ranges[] = {{0, size},      {17, 100}, {0, 0},  {size - 1, 1},
                                                {size, 1},      {-1, 5},   {0, -1}, {size - 3, 100},
                                                {0, size + 10}, {1, 5},    {0, 6},  {3, 13}};
  YaraBatch b("import \"math\"", file);
  for (auto [o, l] : ranges) {
    std::string args = std::to_string(o) + ", " + std::to_string(l);
    b.expect("math.entropy(" + args + ")", h.call("entropy", "ii", {I(o), I(l)}));
    b.expect("math.mean(" + args + ")", h.call("mean", "ii", {I(o), I(l)}));
    b.expect("math.deviation(" + args + ", 100.3)",
             h.call("deviation", "iif", {I(o), I(l), F(100.3)}));
    b.expect("math.deviation(" + args + ", math.MEAN_BYTES)",
             h.call("deviation", "iif", {I(o), I(l), F(127.5)}));
    b.expect("math.serial_correlation(" + args + ")",
             h.call("serial_correlation", "ii", {I(o), I(l)}));
    b.expect("math.monte_carlo_pi(" + args + ")", h.call("monte_carlo_pi", "ii", {I(o), I(l)}));
    b.expect("math.mode(" + args + ")", h.call("mode", "ii", {I(o), I(l)}));
    for (int byte : {0, 0x41, 0xff}) {
      std::string a3 = std::to_string(byte) + ", " + args;
      b.expect("math.count(" + a3 + ")", h.call("count", "iii", {I(byte), I(o), I(l)}));
      b.expect("math.percentage(" + a3 + ")", h.call("percentage", "iii", {I(byte), I(o), I(l)}));
    }
  }
  for (int byte : {0, 0x41, 0xff}) {
    b.expect("math.count(" + std::to_string(byte) + ")", h.call("count", "i", {I(byte)}));
    b.expect("math.percentage(" + std::to_string(byte) + ")", h.call("percentage", "i", {I(byte)}));
  }
  b.expect("math.mode()", h.call("mode", "", {}));
  const std::string strings[] = {"",
                                 "a",
                                 "ab",
                                 "abcz",
                                 "\xff\x80\x01",
                                 "dummy",
                                 "abcdefghijkl",
                                 std::string("\xff\x00zz\x10\x20\x30", 7),
                                 "\xff\xff\xff\xff\xff\xff"};
  for (const std::string& s : strings) {
    b.expect("math.entropy(" + lit(s) + ")", h.call("entropy", "s", {S(s)}));
    b.expect("math.mean(" + lit(s) + ")", h.call("mean", "s", {S(s)}));
    b.expect("math.deviation(" + lit(s) + ", 100.3)", h.call("deviation", "sf", {S(s), F(100.3)}));
    b.expect("math.serial_correlation(" + lit(s) + ")", h.call("serial_correlation", "s", {S(s)}));
    b.expect("math.monte_carlo_pi(" + lit(s) + ")", h.call("monte_carlo_pi", "s", {S(s)}));
  }
  for (auto [x, y] : {std::pair<int64_t, int64_t>{-1, 2}, {3, 2}, {0, 0}, {-5, -7}}) {
    std::string args = "(" + std::to_string(x) + ", " + std::to_string(y) + ")";
    b.expect("math.min" + args, h.call("min", "ii", {I(x), I(y)}));
    b.expect("math.max" + args, h.call("max", "ii", {I(x), I(y)}));
  }
  for (int64_t v : {-5, 0, 7})
    b.expect("math.abs(" + std::to_string(v) + ")", h.call("abs", "i", {I(v)}));
  b.expect("math.to_number(true)", h.call("to_number", "b", {I(1)}));
  b.expect("math.to_number(false)", h.call("to_number", "b", {I(0)}));
  b.expect("math.in_range(1.0, 1.0, 2.0)", h.call("in_range", "fff", {F(1), F(1), F(2)}));
  b.expect("math.in_range(2.5, 1.0, 2.0)", h.call("in_range", "fff", {F(2.5), F(1), F(2)}));
  b.expect("math.MEAN_BYTES", F(127.5));
  b.check();
}

TEST(Math, MatchesYaraOnAnExecutable) { check_against_yara("/usr/bin/ls"); }

TEST(Math, MatchesYaraOnAnEmptyFile) {
  std::string file = write_temp({});
  check_against_yara(file);
  unlink(file.c_str());
}

TEST(Math, MatchesYaraOnSmallData) {
  std::vector<uint8_t> bytes;
  for (int k = 0; k < 300; ++k) bytes.push_back(static_cast<uint8_t>((k * k * 31) >> 3));
  std::string file = write_temp(bytes);
  check_against_yara(file);
  unlink(file.c_str());
}

// Bytes outside 0..255 and bases other than 8, 10, 16 are undefined (YARA 4.5; 4.2.3 indexed its
// table out of bounds for them, so it cannot serve as the reference here).
TEST(Math, OutOfRangeArguments) {
  Harness h("math", {1, 2, 3});
  EXPECT_FALSE(h.call("count", "i", {I(256)}).defined());
  EXPECT_FALSE(h.call("count", "iii", {I(-1), I(0), I(3)}).defined());
  EXPECT_FALSE(h.call("percentage", "i", {I(300)}).defined());
  EXPECT_EQ(h.call("count", "i", {I(2)}).i, 1);
  EXPECT_EQ(h.call("to_number", "i", {I(1)}).i, 1);
  EXPECT_EQ(h.call("to_number", "i", {I(0)}).i, 0);
  EXPECT_EQ(h.call("to_string", "i", {I(-1)}).s, "-1");
  EXPECT_EQ(h.call("to_string", "ii", {I(32), I(16)}).s, "20");
  EXPECT_EQ(h.call("to_string", "ii", {I(-1), I(16)}).s, "ffffffffffffffff");
  EXPECT_EQ(h.call("to_string", "ii", {I(8), I(8)}).s, "10");
  EXPECT_FALSE(h.call("to_string", "ii", {I(8), I(2)}).defined());
  EXPECT_EQ(h.call("abs", "i", {I(INT64_MIN)}).i, INT64_MIN);
  EXPECT_FALSE(h.call("deviation", "iif", {I(0), I(3), F(NAN)}).defined());
  Harness empty("math", {});
  EXPECT_FALSE(empty.call("mode", "", {}).defined());
  EXPECT_FALSE(empty.call("count", "i", {I(0)}).defined());
}

TEST(Math, OffsetsAreAddressesInProcessScans) {
  Harness h("math", {1, 2, 2, 3}, {}, 0x7000, true);
  EXPECT_EQ(h.call("count", "iii", {I(2), I(0x7000), I(4)}).i, 2);
  EXPECT_EQ(h.call("count", "i", {I(2)}).i, 2);
  EXPECT_EQ(h.call("mode", "", {}).i, 2);
  EXPECT_DOUBLE_EQ(h.call("mean", "ii", {I(0x7002), I(2)}).f, 2.5);
  EXPECT_FALSE(h.call("mean", "ii", {I(0), I(2)}).defined());
}

TEST(Math, CachedDistributionsGiveTheSameValues) {
  std::vector<uint8_t> bytes(5000);
  for (size_t k = 0; k < bytes.size(); ++k) bytes[k] = static_cast<uint8_t>(k * 13 + (k >> 7));
  Harness h("math", bytes);
  ASSERT_NE(h.state(), nullptr);
  Value e1 = h.call("entropy", "ii", {I(0), I(5000)});
  Value e2 = h.call("entropy", "ii", {I(0), I(5000)});
  Value m = h.call("mean", "ii", {I(0), I(9999)});  // clipped to the same range
  EXPECT_EQ(e1.f, e2.f);
  double sum = 0;
  for (uint8_t c : bytes) sum += c;
  EXPECT_DOUBLE_EQ(m.f, sum / 5000);
}

}  // namespace
}  // namespace vigie::mod
