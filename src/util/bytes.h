// Little binary writer and bounds-checked reader for vigie's own file formats.
//
// The reader never reads past its span: every get fails (returns false and latches the error)
// instead, so a truncated or corrupt file is an error value, never an out-of-bounds access.
// Lengths read from the input are checked against the bytes left before anything is allocated.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace vigie::util {

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}
  template <class T>
  void put(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    out_.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  void put_string(std::string_view s) {
    put<uint64_t>(s.size());
    out_.append(s.data(), s.size());
  }
  template <class T>
  void put_vector(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    put<uint64_t>(v.size());
    if (!v.empty()) out_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }

 private:
  std::string& out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> in) : in_(in) {}
  template <class T>
  bool get(T* v) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (!ok_ || in_.size() - pos_ < sizeof(T)) return ok_ = false;
    std::memcpy(v, in_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool get_string(std::string* s) {
    uint64_t n;
    if (!get(&n) || n > in_.size() - pos_) return ok_ = false;
    s->assign(reinterpret_cast<const char*>(in_.data() + pos_), n);
    pos_ += n;
    return true;
  }
  template <class T>
  bool get_vector(std::vector<T>* v) {
    static_assert(std::is_trivially_copyable_v<T>);
    uint64_t n;
    if (!get(&n) || n > (in_.size() - pos_) / sizeof(T)) return ok_ = false;
    v->resize(n);
    if (n) std::memcpy(v->data(), in_.data() + pos_, n * sizeof(T));
    pos_ += n * sizeof(T);
    return true;
  }
  // A count of items still to read, each at least min_item_size bytes: refused when the input
  // cannot hold that many (stops huge allocations from a forged count).
  bool get_count(uint64_t* n, size_t min_item_size) {
    if (!get(n)) return false;
    if (*n > (in_.size() - pos_) / (min_item_size ? min_item_size : 1)) return ok_ = false;
    return true;
  }
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }

 private:
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace vigie::util
