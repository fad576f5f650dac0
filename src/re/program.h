// Programs for the verifier: the IR compiled into instructions for a Pike VM (vm.h).
//
// Instructions are the classic Thompson/Pike set: consume one byte from a set, split into two
// threads (the first preferred), jump, match, and the zero-width assertions. Repetition is
// expanded (x{2,4} becomes x x x? x?, nested), so the VM needs no counters and a state is just
// a program counter; this is what keeps the VM linear in the data for any pattern. Programs are
// bounded by kMaxProgram instructions; bigger patterns are rejected at build time.
//
// A program can be compiled reversed (concatenations emitted back to front): run backwards from
// an atom, it finds where matches may start.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "re/ir.h"

namespace vigie::re {

inline constexpr uint32_t kMaxProgram = 1u << 18;

enum class Op : uint8_t {
  kByte,
  kSplit,
  kJmp,
  kMatch,
  kBol,
  kEol,
  kWordBoundary,
  kNotWordBoundary,
  kWideWordBoundary,
  kWideNotWordBoundary
};

// kByte instructions whose set is one range of bytes (a byte, ?? or a nibble 4? of hex strings,
// [a-z]) carry it in y, so the VM tests it without reading the set (a cache miss per thread
// and step on cold programs): y = kInlineRange | lo << 8 | hi, else 0.
inline constexpr uint32_t kInlineRange = 1u << 16;

struct Inst {
  Op op = Op::kMatch;
  uint32_t x = 0;  // kByte: index into Program::sets; kSplit/kJmp: target (preferred for split)
  uint32_t y = 0;  // kSplit: second target; kByte: inline range or 0
};

struct Program {
  std::vector<Inst> insts;
  std::vector<ByteSet> sets;
  uint32_t start = 0;

  // Whether the byte instruction `in` accepts b.
  bool accepts(const Inst& in, uint8_t b) const {
    if (in.y != 0) {
      auto lo = static_cast<uint8_t>(in.y >> 8), hi = static_cast<uint8_t>(in.y);
      return static_cast<uint8_t>(b - lo) <= static_cast<uint8_t>(hi - lo);
    }
    return sets[in.x].has(b);
  }
};

// A hash of a list of program counters (the VM's and the DFA's thread lists), seeded.
inline uint64_t hash_pcs(const uint32_t* pcs, size_t n, uint64_t seed) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ seed;
  for (size_t i = 0; i < n; ++i) {
    h ^= pcs[i];
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  return h;
}

// Compiles the concatenation of `nodes` (in order, or reversed when `reverse`) followed by a
// match instruction. Returns false when the program would exceed kMaxProgram.
bool compile(const Ir& ir, const std::vector<NodeId>& nodes, bool reverse, Program& out);

// Byte sets that can start a non-empty match (for patterns scanned without an atom).
ByteSet first_bytes(const Program& prog);

}  // namespace vigie::re
