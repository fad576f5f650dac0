// Scanner: applies a Rules object to buffers, files, descriptors and process memory.
//
// One Scanner per thread. It owns the per-thread scratch space (prefilter scratch, match lists,
// module objects) and reuses it from one scan to the next, so the scan path allocates little
// and never throws: every failure comes back as an Error.
//
// Results arrive through a ScanCallback while the scan runs. The views it receives (names, match
// data) are valid only during the call.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "vigie/compiler.h"
#include "vigie/error.h"
#include "vigie/rules.h"

namespace vigie {

struct StringMatch {
  uint64_t offset = 0;            // from the start of the scanned data (or of the process
                                  // memory region's base address for process scans)
  uint32_t length = 0;            // length of the match in bytes
  std::span<const uint8_t> data;  // the matched bytes (at most ScanOptions::max_match_data)
  uint8_t xor_key = 0;            // key for `xor` strings, 0 otherwise
};

struct StringResult {
  std::string_view identifier;  // "$a"; anonymous strings are "$"
  bool is_private = false;
  std::span<const StringMatch> matches;  // in increasing offset order
  bool is_hex = false;  // a hex string ({ 4D 5A ... }): yara -s prints its data in hex
  bool is_xor = false;  // has the `xor` modifier: yara -X prints key and plaintext
};

struct MatchedRule {
  std::string_view identifier;
  std::string_view ns;
  std::span<const std::string> tags;
  std::span<const Meta> metas;
  std::span<const StringResult> strings;  // every string of the rule, private ones included
  bool is_private = false;
  bool is_global = false;
};

enum class CallbackAction : uint8_t { kContinue, kAbort };

struct ScanWarning {
  enum class Kind : uint8_t { kTooManyMatches, kSlowScan } kind;
  std::string_view rule;
  std::string_view ns;
  std::string_view string;  // the string identifier, for kTooManyMatches
  std::string message;
};

class ScanCallback {
 public:
  virtual ~ScanCallback() = default;
  // A rule whose condition is true (private rules are not reported).
  virtual CallbackAction on_rule_matching(const MatchedRule& rule) {
    return CallbackAction::kContinue;
  }
  // A rule whose condition is false; called only when ScanOptions::report_non_matching is set.
  virtual CallbackAction on_rule_not_matching(const MatchedRule& rule) {
    return CallbackAction::kContinue;
  }
  virtual void on_warning(const ScanWarning& warning) {}
  // Text that console.log() produced.
  virtual void on_console_log(std::string_view message) {}
  // Module data in `yara -D` format; called only when ScanOptions::report_module_data is set,
  // once per imported module.
  virtual void on_module_data(std::string_view module, std::string_view dump) {}
};

struct ScanOptions {
  std::chrono::milliseconds timeout{0};        // 0: no limit. Over the limit: ErrorCode::kTimeout
  bool fast_mode = false;                      // stop searching a string after its first match
  uint32_t max_matches_per_string = 1000000;   // more are dropped with a kTooManyMatches warning
  uint32_t max_match_data = 512;               // bytes of match data kept per match
  bool report_non_matching = false;            // call on_rule_not_matching
  bool report_module_data = false;             // call on_module_data
  uint64_t max_file_size = 0;                  // 0: no limit. Larger files: ErrorCode::kTooLarge
  uint64_t process_memory_chunk = 1ull << 30;  // bytes read at once from process memory
};

class Scanner {
 public:
  explicit Scanner(std::shared_ptr<const Rules> rules, ScanOptions options = {});
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  ScanOptions& options();

  // Overrides an external variable's value for the following scans. The name must have been
  // declared when compiling and the type must match (an integer is accepted for a float).
  Error set_external(std::string_view name, const ExternalValue& value);
  // Data passed to a module (yara -x MODULE=FILE). The bytes are copied.
  Error set_module_data(std::string_view module, std::span<const uint8_t> data);

  Error scan_buffer(std::span<const uint8_t> data, ScanCallback& callback);
  // Maps the file; a file truncated while it is scanned does not crash the process.
  Error scan_file(const std::filesystem::path& path, ScanCallback& callback);
  Error scan_fd(int fd, ScanCallback& callback);
  // Reads the readable memory regions of a process (needs ptrace rights over it).
  Error scan_process(pid_t pid, ScanCallback& callback);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigie
