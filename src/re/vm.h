// The verifier's Pike VM: runs a Program (program.h) over bytes, one step per byte, keeping the
// live threads in priority order in a sparse set indexed by program counter.
//
// match_at gives YARA's (and Perl's) leftmost-first answer for a match anchored at a start:
// threads are kept in priority order; when one reaches the match instruction the lower-priority
// threads are dropped and the higher-priority ones go on, so greedy and lazy repetition and
// ordered alternation come out as a backtracking engine would give them, in time linear in the
// bytes read. A thread reaching the match instruction without having consumed a byte is not a
// match (YARA never reports empty matches and goes on to the next thread). There is no length
// cut-off: a match ends where the pattern says. (YARA 4.x stops every regex and hex match after
// YR_RE_SCAN_LIMIT = 4096 bytes: longer matches are cut short or not reported at all. vigie reports
// them whole.)
//
// Runs from many starts over one long stretch of matching bytes (/([A-Za-z0-9]{4})*=/ tried at
// every byte of a 100 KB base64 run) would cost the square of the stretch, since each match
// goes to its end. They converge instead: once two runs hold the same ordered thread list at the
// same position, their futures are the same. A MatchMemo, when given, records after a few steps
// of each run the thread list at every position and, once the run ends, the match end that list
// leads to; a later run reaching a recorded (position, list) stops there and takes that end.
// Lists are stored and compared whole, so the answer is exact; the memo has a memory budget and
// stops recording, never forgets or guesses, when it is spent. It is valid for one data buffer.
//
// reverse_starts runs a reversed program backwards from a position and reports every position
// where it reaches the match instruction: the possible starts of a match whose atom begins there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "re/dfa.h"
#include "re/program.h"

namespace vigie::re {

struct SparseSet {
  std::vector<uint32_t> dense, sparse;
  uint32_t size = 0;
  void resize(size_t n) {
    if (sparse.size() < n) {
      sparse.resize(n);
      dense.resize(n);
    }
  }
  bool contains(uint32_t v) const { return sparse[v] < size && dense[sparse[v]] == v; }
  void insert(uint32_t v) {
    sparse[v] = size;
    dense[size++] = v;
  }
  void clear() { size = 0; }
};

class MatchMemo {
 public:
  // Steps a run makes before it records or looks up: short runs, the common case, pay nothing.
  // After that, runs record and look up only at positions that are multiples of a stride, the
  // same for every run, so that converged runs still meet in the memo. A DFA step is much
  // cheaper than a lookup, a VM step less so.
  static constexpr size_t kAfterSteps = 32, kStride = 4;
  static constexpr size_t kAfterDfaSteps = 8, kDfaStride = 32;
  // Steps one run records at most (the memo itself keeps at most kMaxSlots).
  static constexpr size_t kMaxPending = size_t{1} << 16;

  // Forgets everything; call before scanning other data.
  void clear();
  // True, with the match end (or -1) that `list` at pos leads to, if a run recorded it. `key`
  // names the program.
  bool find(const void* key, size_t pos, uint64_t hash, const uint32_t* list, uint32_t n,
            int64_t& future) const;
  // Records a run's lists; `pending` holds (key, pos, hash, arena offset, length) per step.
  // A DFA run records (DFA, generation and state) in the hash and no list.
  struct Pending {
    const void* key;
    uint64_t pos, hash;
    uint32_t begin, len;
  };
  bool stash(const uint32_t* list, uint32_t n, uint32_t& begin);  // false: budget spent
  void insert(const Pending& p, int64_t future);

 private:
  struct Slot {
    const void* key = nullptr;
    uint64_t pos = 0, hash = 0;
    uint32_t begin = 0, len = 0;
    int64_t future = 0;
  };
  static constexpr size_t kMaxSlots = size_t{1} << 20;  // 40 bytes each
  static constexpr size_t kMaxArena = size_t{1} << 22;  // pcs (16 MiB)
  bool grow();
  std::vector<Slot> slots_;
  std::vector<uint32_t> used_;  // occupied slot indices, for a clear() that costs what was used
  std::vector<uint32_t> arena_;
  size_t count_ = 0;
};

struct VmScratch {
  SparseSet a, b;
  std::vector<uint32_t> stack;
  uint64_t steps = 0;  // bytes stepped over by all runs, for time-limit checks
  // Given by scans of one buffer (pattern_scan.cc) to make match_at share work between starts;
  // must be cleared whenever the data changes.
  MatchMemo* memo = nullptr;
  std::vector<MatchMemo::Pending> pending;
  void reserve(size_t program_size) {
    a.resize(program_size);
    b.resize(program_size);
  }
};

inline bool is_word_byte(uint8_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// Length of the preferred non-empty match starting at `start`, or -1. Empty matches never
// count, in any priority position: YARA reports /a??/ on "a" as "a", not as an empty match.
// The functions below take an optional DFA of the program (dfa.h: leftmost-first for match_at
// and matches_from, all-threads for reverse_starts), which gives the same answers faster. Runs
// start on the VM, where most end within a few bytes and a cold DFA would cost more, and go on
// with the DFA after kDfaAfterSteps (match_at: dfa_after, 0 for a program tried at every byte,
// whose DFA stays hot).
inline constexpr size_t kDfaAfterSteps = 64;

int64_t match_at(const Program& prog, const uint8_t* data, size_t size, size_t start, VmScratch& vm,
                 Dfa* dfa = nullptr, size_t dfa_after = kDfaAfterSteps);

// True if the program matches data[start, ...) at all (an empty match counts).
bool matches_from(const Program& prog, const uint8_t* data, size_t size, size_t start,
                  VmScratch& vm, Dfa* dfa = nullptr);

// Appends to `out` every q <= end such that the reversed program matches data[q, end), in
// decreasing order, at most `max_out` of them. Returns false if max_out was reached.
bool reverse_starts(const Program& rprog, const uint8_t* data, size_t size, size_t end,
                    VmScratch& vm, std::vector<uint64_t>& out, size_t max_out, Dfa* dfa = nullptr);

// True if the program matches starting at some byte of data (an empty match counts, but
// there is no match starting at the end: YARA's `"" matches /x*/` is false).
bool search(const Program& prog, const uint8_t* data, size_t size, VmScratch& vm);

}  // namespace vigie::re
