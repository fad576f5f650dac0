// A read-only view of a file's bytes that survives the file shrinking under it.
//
// Small files are read into a buffer the caller reuses (one pread is cheaper than mapping and
// unmapping). Larger files are memory-mapped. Touching a mapped page past the end of a file that
// was truncated after mapping raises SIGBUS; a process-wide handler catches it, and when the
// address lies inside a mapping registered here it maps a page of zeros over the faulting page and
// lets the access run again. The scan then completes on zeros instead of crashing, and
// `truncated()` tells the caller the file changed, to report it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "vigie/error.h"

namespace vigie::util {

class FileView {
 public:
  // Files at least this large are mapped rather than read.
  static constexpr uint64_t kMapThreshold = 4u << 20;

  FileView() = default;
  ~FileView();
  FileView(const FileView&) = delete;
  FileView& operator=(const FileView&) = delete;

  // Opens the view on fd (not taken over). max_size 0: no limit. `buffer` is reused for reads.
  Error open(int fd, const std::string& name, uint64_t max_size, std::vector<uint8_t>& buffer);
  void close();

  std::span<const uint8_t> bytes() const { return bytes_; }
  // True when a page past the end of the (shrunk) file was read as zeros.
  bool truncated() const;

 private:
  std::span<const uint8_t> bytes_;
  void* map_ = nullptr;
  size_t map_size_ = 0;
  int slot_ = -1;
};

}  // namespace vigie::util
