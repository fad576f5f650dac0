// The inside of a PatternSet: what build() produces and scan() reads.
//
//   specs     the patterns as given (kept for serialization)
//   variants  concrete byte patterns (variants.h), each belonging to one pattern; a variant is a
//             literal (compared directly) or a forward Program run by the Pike VM
//   atoms     the prefilter's literals, deduplicated across all variants; atom i is expression
//             i of the Vectorscan database, and lists every (variant, reversed prefix program)
//             that uses it
//   fallback  variants without a usable atom, tried at every offset whose byte can start them
#pragma once

#include <hs/hs.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "re/pattern_set.h"
#include "re/program.h"
#include "re/vm.h"

namespace vigie::re {

inline constexpr uint32_t kNoProgram = UINT32_MAX;

struct Variant {
  uint32_t pattern = 0;
  uint8_t xor_key = 0;
  bool wide = false;
  bool fullword = false;
  bool literal = false;
  bool caseless = false;
  std::string bytes;           // literal
  uint32_t prog = kNoProgram;  // !literal: index into programs
  // A plain sequence of byte sets (shape.h), verified without the VM: positions
  // seq_items[seq_begin, seq_begin + seq_len) index into seq_sets.
  uint32_t seq_begin = 0, seq_len = 0;
  bool xor_group = false;  // literal: bytes is the plain form, any key in [xor_min, xor_max]
  uint8_t xor_min = 0, xor_max = 0;
};

struct AtomUse {
  uint32_t variant = 0;
  uint32_t rev_prog = kNoProgram;  // kNoProgram: the match starts `back` bytes before the atom
  uint32_t back = 0;
  // With a reverse program: a forward program for what follows the atom, checked first
  // (kNoProgram: none). Most candidates of weak atoms fail here, before any start is sought.
  uint32_t suffix_prog = kNoProgram;
  uint32_t atom_length = 0;
  // Without a reverse program: a necessary condition on the 8 bytes at match start + filter_at
  // ((bytes & filter_mask) == filter_value, little-endian), made from the byte sets every match
  // has there. It rejects most candidates of a weak atom before the variant is looked at.
  uint32_t filter_at = 0;
  uint64_t filter_mask = 0, filter_value = 0;
};

struct Atom {
  std::string bytes;
  bool caseless = false;
  std::vector<AtomUse> uses;
};

struct Fallback {
  uint32_t variant = 0;
  ByteSet first;
  // Patterns anchored with ^ can only start at 0; patterns of fixed length L ending with $ only
  // at size - L. Others are tried wherever a byte of `first` occurs.
  enum class Where : uint8_t { kAnywhere, kAtStart, kAtEnd } where = Where::kAnywhere;
  uint64_t length = 0;  // kAtEnd
};

// Unanchored fallbacks that are one byte set repeated (seq_sets[set]), found from runs.
struct UniformGroup {
  uint32_t set = 0;
  std::vector<uint32_t> variants;
};

struct HsDatabaseDeleter {
  void operator()(hs_database_t* db) const { hs_free_database(db); }
};

struct PatternSet::Impl {
  std::vector<PatternSpec> specs;
  std::vector<Variant> variants;
  std::vector<Program> programs;
  std::vector<Atom> atoms;
  std::vector<Fallback> fallbacks;
  // Fallbacks tried wherever they may start (not anchored, not uniform runs): their indices,
  // and for each byte value the ones whose first byte set contains it.
  std::vector<uint32_t> fallback_any;
  std::vector<UniformGroup> uniform_groups;
  std::array<std::vector<uint32_t>, 256> fallback_by_byte;
  std::vector<ByteSet> seq_sets;
  std::vector<uint32_t> seq_items;
  std::unique_ptr<hs_database_t, HsDatabaseDeleter> db;
  // Atoms of xor groups: byte differences, searched in the difference stream of the data.
  std::vector<Atom> xor_atoms;
  std::unique_ptr<hs_database_t, HsDatabaseDeleter> xor_db;
  size_t max_xor_atom_length = 0;
  size_t max_program = 0;
  size_t max_atom_length = 0;
};

struct PatternScratch::Impl {
  hs_scratch_t* hs = nullptr;
  VmScratch vm;
  std::vector<uint64_t> starts;
  std::vector<uint32_t> touched;      // patterns that got matches in this scan
  std::vector<uint32_t> first_index;  // per pattern: list size at scan start, or UINT32_MAX
  std::vector<uint64_t> start_cache;  // (variant + 1) << 40 ^ start, direct mapped
  std::vector<uint8_t> deltas;        // a window of the data's byte differences, for xor groups
  MatchMemo memo;                     // shared work of match_at runs over this scan's data
  DfaCache dfas;                      // per program, made on first use, kept across scans
  ~Impl() {
    if (hs) hs_free_scratch(hs);
  }
};

// Builds everything but the Vectorscan database (shared by build() and deserialize()).
bool build_structures(PatternSet::Impl& impl, std::vector<BuildWarning>* warnings,
                      std::string* error);
// Compiles impl.atoms into impl.db and impl.xor_atoms into impl.xor_db.
bool build_database(PatternSet::Impl& impl, std::string* error);

// fullword rules for a match [start, end) of data (see fullword.cc).
bool fullword_ok(const uint8_t* data, size_t size, size_t start, size_t end, bool wide);

}  // namespace vigie::re
