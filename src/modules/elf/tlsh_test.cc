#include "modules/elf/tlsh.h"

#include <gtest/gtest.h>

#include <string>

namespace vigie::mod::elf {
namespace {

std::optional<std::string> digest(const std::string& s) {
  return tlsh_digest({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

// A comma-separated word list of the given length, deterministic.
std::string words(size_t n, uint32_t seed) {
  static const char* kWords[] = {"read",    "write",  "open",   "close",  "socket",
                                 "connect", "bind",   "listen", "accept", "fork",
                                 "execve",  "kill",   "getpid", "printf", "fopen",
                                 "fclose",  "malloc", "free",   "strlen", "pthread_create"};
  std::string s;
  while (s.size() < n) {
    seed = seed * 1103515245u + 12345u;
    s += kWords[(seed >> 16) % 20];
    s += ',';
  }
  return s.substr(0, n);
}

// Digests of words(n, 7) produced by an independent TLSH implementation (the npm `tlsh` port of
// the reference code), for lengths covering the three branches of the length code.
TEST(Tlsh, MatchesAnIndependentImplementation) {
  const std::pair<size_t, const char*> cases[] = {
      {512, "9cf0b480f9392d8ca3f31c30384c8bb681576422c2710e20ebf9d8e89c26099215957f"},
      {656, "dcf06280e9392e4cb7f31d30288cdbb5915b6522c7710e20abeddcd89c67196215957f"},
      {1000, "5211e680ea3d2e9c67f31d31189c8bf191577522c6700d20bfecdcd88c261a5261957f"},
      {3300, "40614840d7392f9ca7f31d35288887e5804bb517da760e10afe8ccd4ed161aa324a97f"},
      {20000, "f0925780eb3d2eac67f35d3218884be58007b517d6750a10afe8ccd4dd265ae324a97f"},
  };
  for (auto [n, expected] : cases) {
    auto d = digest(words(n, 7));
    ASSERT_TRUE(d.has_value()) << n;
    EXPECT_EQ(*d, expected) << n;
  }
}

TEST(Tlsh, NoDigestForShortOrUniformData) {
  EXPECT_FALSE(digest(words(49, 3)).has_value());
  EXPECT_TRUE(digest(words(2000, 3)).has_value());
  EXPECT_FALSE(digest("short").has_value());
  EXPECT_FALSE(digest(std::string(1000, 'a')).has_value());
}

}  // namespace
}  // namespace vigie::mod::elf
