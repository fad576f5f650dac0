// TLSH, the Trend Micro locality-sensitive hash, in its standard form (128 buckets, 1-byte
// checksum, "T1" version prefix), as telfhash uses it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace vigie::mod::elf {

// The 70 hex digits of the hash of `data`, lowercase, without the version prefix; nullopt when
// TLSH gives no hash (fewer than 50 bytes, or too few distinct trigram buckets).
std::optional<std::string> tlsh_digest(std::span<const uint8_t> data);

}  // namespace vigie::mod::elf
