// The digests of the hash module, over a byte range: md5, sha1, sha256 as lowercase hex text,
// checksum32 (the byte sum modulo 2^32) and crc32 (the zlib/PNG CRC).
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace vigie::mod::hash {

enum class Algorithm : uint8_t { kMd5, kSha1, kSha256 };

std::string hex_digest(Algorithm algorithm, std::span<const uint8_t> bytes);
uint32_t checksum32(std::span<const uint8_t> bytes);
uint32_t crc32(std::span<const uint8_t> bytes);

}  // namespace vigie::mod::hash
