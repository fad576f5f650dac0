// Errors as values. Functions of the public API that can fail for reasons outside the caller's
// control (I/O, corrupt files, limits) return an Error, or fill one through a pointer. The scan
// path never throws.
#pragma once

#include <cstdint>
#include <string>

namespace vigie {

enum class ErrorCode : uint8_t {
  kOk = 0,
  kCouldNotOpen,     // file missing, permission denied, ...
  kCouldNotRead,     // read or map failed, file vanished or shrank
  kNotARegularFile,  // device, fifo, socket
  kTooLarge,         // over a size limit
  kTimeout,          // scan took longer than ScanOptions::timeout
  kCorruptRules,     // compiled rules file: bad checksum, truncated
  kForeignRules,     // compiled rules file of another program or version (e.g. YARA's yarac)
  kInvalidArgument,  // unknown external, wrong type, ...
  kAborted,          // the callback asked to stop
  kProcessAccess,    // process memory could not be attached or read
  kInternal,
};

struct Error {
  ErrorCode code = ErrorCode::kOk;
  std::string message;  // names the path or object and the reason

  bool ok() const { return code == ErrorCode::kOk; }
  explicit operator bool() const { return !ok(); }  // true when there is an error
};

}  // namespace vigie
