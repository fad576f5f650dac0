// Serialization round trip, and hostile bytes: truncations and flipped bits give an error or a
// working set, never a crash.
#include <gtest/gtest.h>

#include <random>

#include "re/re_test_util.h"

namespace vigie::re {
namespace {

std::vector<PatternSpec> sample_specs() {
  std::vector<PatternSpec> specs{testing::text("hello"), testing::hex("4D 5A [2-4] 50 45"),
                                 testing::regex("ab+c"), testing::regex(".*")};
  auto x = testing::text("secret");
  x.modifiers.xor_ = true;
  x.modifiers.wide = true;
  x.modifiers.ascii = true;
  specs.push_back(x);
  auto b = testing::text("payload");
  b.modifiers.base64 = true;
  specs.push_back(b);
  return specs;
}

std::vector<std::vector<Match>> scan_all(const PatternSet& set, const std::string& data) {
  PatternScratch scratch(set);
  MatchTable table;
  table.reset(set.size());
  set.scan(scratch, {reinterpret_cast<const uint8_t*>(data.data()), data.size()}, 0, {}, table);
  std::vector<std::vector<Match>> out;
  for (uint32_t i = 0; i < set.size(); ++i) {
    auto m = table.matches(i);
    out.emplace_back(m.begin(), m.end());
  }
  return out;
}

bool same(const std::vector<std::vector<Match>>& a, const std::vector<std::vector<Match>>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].size() != b[i].size()) return false;
    for (size_t j = 0; j < a[i].size(); ++j)
      if (a[i][j].offset != b[i][j].offset || a[i][j].length != b[i][j].length ||
          a[i][j].xor_key != b[i][j].xor_key)
        return false;
  }
  return true;
}

const std::string kData = "hello MZ..PE abbbc\nsecret \x31\x27\x21\x30\x27\x36 cGF5bG9hZA== x";

TEST(Serialize, RoundTrip) {
  std::string err;
  auto set = PatternSet::build(sample_specs(), nullptr, &err);
  ASSERT_TRUE(set) << err;
  std::string bytes;
  set->serialize(bytes);
  auto back =
      PatternSet::deserialize({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, &err);
  ASSERT_TRUE(back) << err;
  EXPECT_EQ(back->size(), set->size());
  auto a = scan_all(*set, kData);
  EXPECT_TRUE(same(a, scan_all(*back, kData)));
  EXPECT_EQ(a[0].size(), 1u);
  EXPECT_EQ(a[1].size(), 1u);
  EXPECT_EQ(a[4].size(), 2u);
  EXPECT_EQ(a[5].size(), 1u);
}

TEST(Serialize, EmptySet) {
  std::string err;
  auto set = PatternSet::build({}, nullptr, &err);
  ASSERT_TRUE(set);
  std::string bytes;
  set->serialize(bytes);
  auto back =
      PatternSet::deserialize({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, &err);
  ASSERT_TRUE(back) << err;
  EXPECT_EQ(back->size(), 0u);
}

TEST(Serialize, CorruptBytesAreErrors) {
  std::string err;
  auto set = PatternSet::build(sample_specs(), nullptr, &err);
  ASSERT_TRUE(set);
  std::string bytes;
  set->serialize(bytes);
  for (size_t n = 0; n < bytes.size(); n += (n < 300 ? 1 : 97)) {
    auto t = PatternSet::deserialize({reinterpret_cast<const uint8_t*>(bytes.data()), n}, &err);
    EXPECT_FALSE(t) << n;
  }
  std::mt19937 rng(7);
  int rejected = 0;
  for (int i = 0; i < 300; ++i) {
    std::string c = bytes;
    size_t at = rng() % c.size();
    c[at] = static_cast<char>(c[at] ^ (1 << (rng() % 8)));
    auto t = PatternSet::deserialize({reinterpret_cast<const uint8_t*>(c.data()), c.size()}, &err);
    if (!t) {
      ++rejected;
      continue;
    }
    scan_all(*t, kData);  // a set that loads must scan safely
  }
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace vigie::re
