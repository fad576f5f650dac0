// TLSH, from its published description (Oliver, Cheng and Chen, "TLSH - A Locality Sensitive
// Hash", 2013):
//   1. Slide a 5-byte window over the data; for each position, hash six 3-byte selections of the
//      window (each with its own salt) with Pearson's 8-bit hash, and count hits per bucket.
//      A running Pearson hash of consecutive byte pairs gives a 1-byte checksum.
//   2. Take the quartiles q1 <= q2 <= q3 of the first 128 bucket counts; each bucket becomes two
//      bits saying which quartile range its count falls in (32 bytes of body).
//   3. The header holds the checksum, a logarithmic code of the data length, and q1/q3 and q2/q3
//      as percentages modulo 16.
// The printed form swaps the nibbles of the checksum and length bytes and writes the body
// backwards, which is what makes hashes from every implementation comparable.
#include "modules/elf/tlsh.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace vigie::mod::elf {
namespace {

// Pearson's permutation of 0..255 (Pearson, "Fast hashing of variable-length text strings", 1990).
constexpr uint8_t kPearson[256] = {
    1,   87,  49,  12,  176, 178, 102, 166, 121, 193, 6,   84,  249, 230, 44,  163, 14,  197, 213,
    181, 161, 85,  218, 80,  64,  239, 24,  226, 236, 142, 38,  200, 110, 177, 104, 103, 141, 253,
    255, 50,  77,  101, 81,  18,  45,  96,  31,  222, 25,  107, 190, 70,  86,  237, 240, 34,  72,
    242, 20,  214, 244, 227, 149, 235, 97,  234, 57,  22,  60,  250, 82,  175, 208, 5,   127, 199,
    111, 62,  135, 248, 174, 169, 211, 58,  66,  154, 106, 195, 245, 171, 17,  187, 182, 179, 0,
    243, 132, 56,  148, 75,  128, 133, 158, 100, 130, 126, 91,  13,  153, 246, 216, 219, 119, 68,
    223, 78,  83,  88,  201, 99,  122, 11,  92,  32,  136, 114, 52,  10,  138, 30,  48,  183, 156,
    35,  61,  26,  143, 74,  251, 94,  129, 162, 63,  152, 170, 7,   115, 167, 241, 206, 3,   150,
    55,  59,  151, 220, 90,  53,  23,  131, 125, 173, 15,  238, 79,  95,  89,  16,  105, 137, 225,
    224, 217, 160, 37,  123, 118, 73,  2,   157, 46,  116, 9,   145, 134, 228, 207, 212, 202, 215,
    69,  229, 27,  188, 67,  124, 168, 252, 42,  4,   29,  108, 21,  247, 19,  205, 39,  203, 233,
    40,  186, 147, 198, 192, 155, 33,  164, 191, 98,  204, 165, 180, 117, 76,  140, 36,  210, 172,
    41,  54,  159, 8,   185, 232, 113, 196, 231, 47,  146, 120, 51,  65,  28,  144, 254, 221, 93,
    189, 194, 139, 112, 43,  71,  109, 184, 209};

uint8_t pearson(uint8_t salt, uint8_t a, uint8_t b, uint8_t c) {
  uint8_t h = kPearson[salt];
  h = kPearson[h ^ a];
  h = kPearson[h ^ b];
  return kPearson[h ^ c];
}

uint8_t length_code(size_t len) {
  double l = std::log(static_cast<double>(len));
  int i;
  if (len <= 656) {
    i = static_cast<int>(std::floor(l / 0.4054651));
  } else if (len <= 3199) {
    i = static_cast<int>(std::floor(l / 0.26236426 - 8.72777));
  } else {
    i = static_cast<int>(std::floor(l / 0.095310180 - 62.5472));
  }
  return static_cast<uint8_t>(i & 0xff);
}

uint8_t swap_nibbles(uint8_t b) { return static_cast<uint8_t>((b << 4) | (b >> 4)); }

constexpr size_t kBuckets = 128;
constexpr size_t kBodyBytes = kBuckets / 4;
constexpr size_t kMinLength = 50;

}  // namespace

std::optional<std::string> tlsh_digest(std::span<const uint8_t> data) {
  if (data.size() < kMinLength) return std::nullopt;
  std::array<uint32_t, 256> bucket{};
  uint8_t checksum = 0;
  for (size_t i = 4; i < data.size(); ++i) {
    const uint8_t w0 = data[i], w1 = data[i - 1], w2 = data[i - 2], w3 = data[i - 3],
                  w4 = data[i - 4];
    checksum = pearson(0, w0, w1, checksum);
    ++bucket[pearson(2, w0, w1, w2)];
    ++bucket[pearson(3, w0, w1, w3)];
    ++bucket[pearson(5, w0, w2, w3)];
    ++bucket[pearson(7, w0, w2, w4)];
    ++bucket[pearson(11, w0, w1, w4)];
    ++bucket[pearson(13, w0, w3, w4)];
  }
  std::array<uint32_t, kBuckets> sorted;
  std::copy_n(bucket.begin(), kBuckets, sorted.begin());
  std::sort(sorted.begin(), sorted.end());
  const uint32_t q1 = sorted[kBuckets / 4 - 1];
  const uint32_t q2 = sorted[kBuckets / 2 - 1];
  const uint32_t q3 = sorted[kBuckets - kBuckets / 4 - 1];
  size_t nonzero = 0;
  for (size_t k = 0; k < kBuckets; ++k) nonzero += bucket[k] > 0;
  if (q3 == 0 || nonzero <= kBuckets / 2) return std::nullopt;

  std::array<uint8_t, kBodyBytes> body{};
  for (size_t i = 0; i < kBodyBytes; ++i) {
    uint8_t h = 0;
    for (size_t j = 0; j < 4; ++j) {
      uint32_t k = bucket[4 * i + j];
      uint8_t code = q3 < k ? 3 : q2 < k ? 2 : q1 < k ? 1 : 0;
      h = static_cast<uint8_t>(h + (code << (j * 2)));
    }
    body[i] = h;
  }
  const uint8_t q1_ratio =
      static_cast<uint8_t>(static_cast<uint32_t>(static_cast<float>(q1 * 100) / q3) % 16);
  const uint8_t q2_ratio =
      static_cast<uint8_t>(static_cast<uint32_t>(static_cast<float>(q2 * 100) / q3) % 16);

  std::array<uint8_t, 3 + kBodyBytes> out;
  out[0] = swap_nibbles(checksum);
  out[1] = swap_nibbles(length_code(data.size()));
  out[2] = static_cast<uint8_t>(q1_ratio << 4 | q2_ratio);
  for (size_t i = 0; i < kBodyBytes; ++i) out[3 + i] = body[kBodyBytes - 1 - i];
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(out.size() * 2);
  for (uint8_t b : out) {
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  return hex;
}

}  // namespace vigie::mod::elf
