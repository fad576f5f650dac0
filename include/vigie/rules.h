// Rules: a compiled, immutable rule set.
//
// A Rules object is never modified after build() or load(), so any number of threads may scan
// with it at once, each through its own Scanner. It is shared through std::shared_ptr.
//
// save()/load() use vigie's own format: a header with magic "VIGIERUL", a format version, the
// platform's pointer size and byte order, and a checksum of the payload. A truncated or altered
// file is refused with ErrorCode::kCorruptRules; a file of another format (including rules
// compiled by YARA's yarac, magic "YARA") with ErrorCode::kForeignRules and a message that says
// to recompile the sources with vigie-yarac.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigie/error.h"

namespace vigie {

struct Meta {
  enum class Type : uint8_t { kInteger, kString, kBoolean };
  std::string identifier;
  Type type = Type::kInteger;
  int64_t integer = 0;
  std::string string;
  bool boolean = false;
};

// What a program may know about one rule without scanning.
struct RuleInfo {
  std::string_view identifier;
  std::string_view ns;
  std::span<const std::string> tags;
  std::span<const Meta> metas;
  bool is_private = false;
  bool is_global = false;
  uint32_t string_count = 0;
};

class Rules {
 public:
  ~Rules();
  Rules(const Rules&) = delete;
  Rules& operator=(const Rules&) = delete;

  size_t rule_count() const;
  RuleInfo rule(size_t index) const;
  // Names of the modules the rules import, in first-import order.
  std::vector<std::string> imported_modules() const;

  Error save(const std::filesystem::path& path) const;
  Error save(std::string& out) const;
  static std::shared_ptr<const Rules> load(const std::filesystem::path& path, Error* error);
  static std::shared_ptr<const Rules> load(std::span<const uint8_t> bytes, Error* error);

  struct Impl;
  const Impl& impl() const { return *impl_; }
  explicit Rules(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigie
