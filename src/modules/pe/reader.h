// Bounded little-endian reads over untrusted bytes.
//
// Every parser of a binary format in this directory reads through a Reader: each access names
// an offset and a size, and the Reader answers only when the whole range lies inside the data.
// Offsets are uint64_t so that `offset + size` computed from 32-bit file fields cannot wrap.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace vigie::pe {

class Reader {
 public:
  Reader() = default;
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}

  uint64_t size() const { return data_.size(); }
  std::span<const uint8_t> bytes() const { return data_; }
  bool fits(uint64_t offset, uint64_t length) const {
    return offset <= data_.size() && length <= data_.size() - offset;
  }
  // Pointer to `length` bytes at `offset`, or nullptr when they are not all inside.
  const uint8_t* at(uint64_t offset, uint64_t length) const {
    return fits(offset, length) ? data_.data() + offset : nullptr;
  }
  bool u8(uint64_t offset, uint8_t* v) const { return read(offset, v, 1); }
  bool u16(uint64_t offset, uint16_t* v) const { return read(offset, v, 2); }
  bool u32(uint64_t offset, uint32_t* v) const { return read(offset, v, 4); }
  bool u64(uint64_t offset, uint64_t* v) const { return read(offset, v, 8); }

  // NUL-terminated string at `offset`, at most `max` bytes; false when no byte is readable.
  // The string stops at the end of the data when no NUL is found before it.
  bool cstring(uint64_t offset, size_t max, std::string* out) const {
    if (offset >= data_.size()) return false;
    size_t avail = static_cast<size_t>(data_.size() - offset);
    size_t n = avail < max ? avail : max;
    const char* p = reinterpret_cast<const char*>(data_.data() + offset);
    size_t len = strnlen(p, n);
    out->assign(p, len);
    return true;
  }
  // Like cstring() but only succeeds when the NUL terminator is found within `max` bytes.
  bool terminated_cstring(uint64_t offset, size_t max, std::string* out) const {
    if (offset >= data_.size()) return false;
    size_t avail = static_cast<size_t>(data_.size() - offset);
    size_t n = avail < max ? avail : max;
    const char* p = reinterpret_cast<const char*>(data_.data() + offset);
    size_t len = strnlen(p, n);
    if (len == n) return false;
    out->assign(p, len);
    return true;
  }

 private:
  template <typename T>
  bool read(uint64_t offset, T* v, size_t n) const {
    if (!fits(offset, n)) return false;
    T x = 0;
    for (size_t i = 0; i < n; ++i) x |= static_cast<T>(data_[offset + i]) << (8 * i);
    *v = x;
    return true;
  }
  std::span<const uint8_t> data_;
};

// Unchecked little-endian loads for pointers obtained from Reader::at().
inline uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
inline uint32_t le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}
inline uint64_t le64(const uint8_t* p) {
  return static_cast<uint64_t>(le32(p)) | static_cast<uint64_t>(le32(p + 4)) << 32;
}

}  // namespace vigie::pe
