// Helpers shared by module functions: YARA's reading of (offset, size) arguments and of
// undefined arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "modules/module.h"

namespace vigie::mod {

// True when a call must return undefined because one of its arguments is.
inline bool any_undefined(std::span<const Value> args) {
  for (const Value& v : args) {
    if (!v.defined()) return true;
  }
  return false;
}

// The bytes an (offset, size) pair designates, as YARA reads it: negative values and an offset
// before the data or at or past its end give nothing (the function is then undefined); a size
// reaching past the end is cut at the end. A zero size at a valid offset gives an empty range.
// Offsets are addresses: `base` is the address of data[0] (a process region's base, else 0).
inline std::optional<std::span<const uint8_t>> data_range(std::span<const uint8_t> data,
                                                          uint64_t base, int64_t offset,
                                                          int64_t size) {
  if (offset < 0 || size < 0 || static_cast<uint64_t>(offset) < base) return std::nullopt;
  uint64_t start = static_cast<uint64_t>(offset) - base;
  if (start >= data.size()) return std::nullopt;
  uint64_t available = data.size() - start;
  uint64_t n = static_cast<uint64_t>(size) < available ? static_cast<uint64_t>(size) : available;
  return data.subspan(static_cast<size_t>(start), static_cast<size_t>(n));
}

// The bytes of a string argument.
inline std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace vigie::mod
