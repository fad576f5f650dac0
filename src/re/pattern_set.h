// The string-matching layer: every string of a rule set, found in one pass over the data.
//
// build() turns the strings of all rules (text, hex and regex, with their modifiers) into:
//   - one Vectorscan database holding, for every pattern, its best atoms (literals that any match
//     must contain), chosen by quality;
//   - for every pattern, an exact verifier with YARA's semantics, run at each candidate that the
//     prefilter reports;
//   - a list of patterns that have no usable atom, handled separately (and reported through
//     BuildWarning as slowing down the scan, naming the string).
// scan() reports, per pattern, the matches YARA 4.5 would report: same offsets, same lengths,
// same xor keys, fullword and overlapping rules applied, in increasing offset order.
//
// A PatternSet is immutable and shared by all threads; each thread uses its own PatternScratch.
// scan() never throws and never allocates more than the match lists it fills.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lang/ast.h"

namespace vigie::re {

struct PatternSpec {
  lang::StringKind kind = lang::StringKind::kText;
  std::string value;        // as in lang::StringDecl::value
  uint8_t regex_flags = 0;  // lang::kRegexNocase | lang::kRegexDotAll
  lang::StringModifiers modifiers;
};

// A syntax error in a hex string or regular expression. offset is the byte offset inside
// PatternSpec::value where the error was seen, so the compiler can point at it.
struct PatternError {
  std::string message;
  uint32_t offset = 0;
};

// Checks one pattern's syntax and limits (hex jump ranges, regex repeat bounds, ...).
std::optional<PatternError> check(const PatternSpec& spec);

struct BuildWarning {
  uint32_t pattern = 0;  // index into the specs given to build()
  std::string message;   // why the pattern slows scanning down, e.g. "no fixed bytes to search for"
};

struct Match {
  uint64_t offset = 0;
  uint32_t length = 0;
  uint8_t xor_key = 0;
};

// Per-pattern match lists of one scan; reused across scans by a Scanner.
class MatchTable {
 public:
  void reset(size_t pattern_count);
  std::span<const Match> matches(uint32_t pattern) const { return lists_[pattern]; }
  bool overflowed(uint32_t pattern) const { return overflow_[pattern] != 0; }
  // The patterns with at least one match since reset(), each once, in the order found.
  std::span<const uint32_t> hits() const { return hits_; }
  // Used by scan():
  void add_hit(uint32_t pattern) { hits_.push_back(pattern); }
  std::vector<Match>& list(uint32_t pattern) { return lists_[pattern]; }
  void set_overflowed(uint32_t pattern) { overflow_[pattern] = 1; }

 private:
  std::vector<std::vector<Match>> lists_;
  std::vector<uint8_t> overflow_;
  std::vector<uint32_t> hits_;
};

struct ScanLimits {
  uint32_t max_matches_per_pattern = 1000000;
  bool fast_mode = false;  // at most one match per pattern...
  // ...among these: a flag per pattern, or null for all. YARA's fast mode keeps every match of
  // a string the condition counts or locates (#a, @a, $a in ...), the first one of the others.
  const uint8_t* fast_patterns = nullptr;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

enum class ScanOutcome : uint8_t { kOk, kTimeout, kError };

class PatternSet;

class PatternScratch {
 public:
  explicit PatternScratch(const PatternSet& set);
  ~PatternScratch();
  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

class PatternSet {
 public:
  // Fails (nullptr, *error set) only on a pattern check() rejects or an internal limit.
  static std::unique_ptr<PatternSet> build(std::vector<PatternSpec> specs,
                                           std::vector<BuildWarning>* warnings, std::string* error);
  ~PatternSet();

  size_t size() const;
  void serialize(std::string& out) const;
  static std::unique_ptr<PatternSet> deserialize(std::span<const uint8_t> bytes,
                                                 std::string* error);

  // Finds every pattern in data. base is added to every reported offset (process regions).
  // Matches are appended to table (callers reset() it once per scanned object, then may scan
  // several regions into it).
  ScanOutcome scan(PatternScratch& scratch, std::span<const uint8_t> data, uint64_t base,
                   const ScanLimits& limits, MatchTable& table) const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  PatternSet() = default;
  std::unique_ptr<Impl> impl_;
};

// A regular expression for the `matches` operator and for module functions that take one.
class Regex {
 public:
  static std::unique_ptr<Regex> compile(std::string_view source, uint8_t flags,
                                        PatternError* error);
  ~Regex();
  bool search(std::string_view text) const;
  const std::string& source() const;
  uint8_t flags() const;
  struct Impl;

 private:
  Regex() = default;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigie::re
