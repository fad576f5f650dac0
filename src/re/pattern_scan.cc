// PatternSet::scan: one Vectorscan pass over the data, then exact verification per candidate.
//
// For each atom hit the callback walks the atom's uses (one per variant using that literal):
//   - a literal variant is compared in place;
//   - a variant whose prefix before the atom has a fixed length starts exactly that many bytes
//     earlier: plain byte-set sequences (hex without jumps) are checked position by position,
//     anything else runs the forward program from that start;
//   - otherwise what follows the atom is checked first (most candidates of weak atoms die
//     here), then a reversed prefix program run backwards from the atom yields every possible
//     start, and the forward program runs from each.
// The match at a start is the VM's preferred one, so the result does not depend on which atom
// found it. Runs from different starts share their work through the scratch's MatchMemo (vm.h),
// which keeps long matches over long runs of bytes from costing the square of the run. A small
// direct-mapped cache skips starts already verified for the same variant (a pattern like /a.*b/
// otherwise re-verifies every start once per later 'b').
//
// xor groups (variants.h) are found in a second pass: the differences of consecutive data bytes,
// made window by window in the scratch, are searched for the differences of each string; a hit
// gives the key (first data byte xor first string byte), checked against the range.
//
// Variants without a usable atom are tried at every offset whose byte can begin them, except
// that ^-anchored ones are tried at 0 only, fixed-length $-anchored ones at size - length only,
// and a single byte set repeated L times is found from the runs of such bytes in one pass.
//
// Matches are appended unsorted; at the end each touched list is sorted and deduplicated by
// offset (the shortest wins when several variants match at one offset, as YARA keeps ascii
// before wide). Limits: a deadline checked every 256 units of work (a candidate, a position, or
// 4 KiB stepped by the VM), max matches per pattern (then overflowed), fast mode (one match per
// pattern). Data over 1 GiB is prefiltered in overlapping windows because hs_scan takes a 32-bit
// length.
#include <algorithm>
#include <bit>
#include <cstring>

#include "re/pattern_set_impl.h"

namespace vigie::re {

// Only the lists that were filled are cleared: a scan costs what it found, not the number of
// patterns in the rule set.
void MatchTable::reset(size_t pattern_count) {
  if (lists_.size() != pattern_count) {
    lists_.assign(pattern_count, {});
    overflow_.assign(pattern_count, 0);
  } else {
    for (uint32_t p : hits_) {
      lists_[p].clear();
      overflow_[p] = 0;
    }
  }
  hits_.clear();
}

namespace {

constexpr size_t kStartCache = 4096;
constexpr size_t kMaxStartsPerCandidate = 1u << 20;
constexpr size_t kWindow = size_t{1} << 30;

struct Ctx {
  const PatternSet::Impl& set;
  PatternScratch::Impl& s;
  const uint8_t* data;
  size_t size;
  uint64_t base;
  const ScanLimits& limits;
  MatchTable& table;
  uint64_t work = 0, last_check = 0, vm_units = 0;
  bool timed_out = false;
};

// Checks the clock every 256 units of work; a unit is a candidate or 4 KiB stepped by the VM.
bool deadline_passed(Ctx& c) {
  uint64_t vm_units = c.s.vm.steps >> 12;
  if (vm_units != c.vm_units) {
    c.work += vm_units - c.vm_units;
    c.vm_units = vm_units;
  }
  if ((++c.work & 255) != 0 && c.work - c.last_check < 256) return c.timed_out;
  c.last_check = c.work;
  if (c.limits.deadline != std::chrono::steady_clock::time_point::max() &&
      std::chrono::steady_clock::now() > c.limits.deadline)
    c.timed_out = true;
  return c.timed_out;
}

void add_match(Ctx& c, uint32_t p, Match m) {
  auto& list = c.table.list(p);
  if (c.s.first_index[p] == UINT32_MAX) {
    c.s.first_index[p] = static_cast<uint32_t>(list.size());
    c.s.touched.push_back(p);
  }
  if (list.size() >= c.limits.max_matches_per_pattern) {
    if (!c.table.overflowed(p)) {
      if (list.empty()) c.table.add_hit(p);  // so that reset() clears the flag
      c.table.set_overflowed(p);
    }
    return;
  }
  if (list.empty()) c.table.add_hit(p);
  list.push_back(m);
}

bool literal_at(const Variant& v, const uint8_t* data, size_t size, size_t s) {
  size_t n = v.bytes.size();
  if (s > size || size - s < n) return false;
  const uint8_t* d = data + s;
  if (!v.caseless) return std::memcmp(d, v.bytes.data(), n) == 0;
  for (size_t i = 0; i < n; ++i) {
    uint8_t a = d[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<uint8_t>(a + 32);
    if (a != static_cast<uint8_t>(v.bytes[i])) return false;
  }
  return true;
}

bool pattern_done(Ctx& c, uint32_t p) {
  if (c.table.overflowed(p)) return true;
  return c.limits.fast_mode && (!c.limits.fast_patterns || c.limits.fast_patterns[p]) &&
         !c.table.list(p).empty();
}

void emit(Ctx& c, const Variant& v, size_t s, size_t len) {
  if (v.fullword && !fullword_ok(c.data, c.size, s, s + len, v.wide)) return;
  if (len > UINT32_MAX) len = UINT32_MAX;
  add_match(c, v.pattern, Match{c.base + s, static_cast<uint32_t>(len), v.xor_key});
}

// `hot`: the variant is tried at every byte (a fallback), so its DFA is used from the start.
void try_at(Ctx& c, uint32_t vid, size_t s, bool hot = false) {
  const Variant& v = c.set.variants[vid];
  size_t len;
  if (v.literal) {
    if (!literal_at(v, c.data, c.size, s)) return;
    len = v.bytes.size();
  } else if (v.seq_len) {
    if (s > c.size || c.size - s < v.seq_len) return;
    const uint32_t* items = c.set.seq_items.data() + v.seq_begin;
    for (uint32_t i = 0; i < v.seq_len; ++i)
      if (!c.set.seq_sets[items[i]].has(c.data[s + i])) return;
    len = v.seq_len;
  } else {
    const Program& prog = c.set.programs[v.prog];
    int64_t r = match_at(prog, c.data, c.size, s, c.s.vm, c.s.dfas.get(v.prog, prog, true),
                         hot ? 0 : kDfaAfterSteps);
    if (r <= 0) return;  // YARA does not report empty matches
    len = static_cast<size_t>(r);
  }
  emit(c, v, s, len);
}

// A pattern that is one byte set repeated L times (/[\x01-\x7f]{44}/, base64 detectors) matches
// at every start of a run of at least L such bytes. Such patterns are grouped by byte set at
// build time, so one pass finds the runs for the whole group.
void scan_uniform_group(Ctx& c, const UniformGroup& g) {
  bool in[256];
  const ByteSet& set = c.set.seq_sets[g.set];
  for (int b = 0; b < 256; ++b) in[b] = set.has(static_cast<uint8_t>(b));
  size_t i = 0;
  while (i < c.size) {
    if (!in[c.data[i]]) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < c.size && in[c.data[j]]) ++j;
    for (uint32_t vid : g.variants) {
      const Variant& v = c.set.variants[vid];
      for (size_t s = i; j - s >= v.seq_len; ++s) {
        if (pattern_done(c, v.pattern) || deadline_passed(c)) break;
        emit(c, v, s, v.seq_len);
      }
    }
    if (c.timed_out) return;
    i = j;
  }
}

bool seen_start(Ctx& c, uint32_t vid, size_t s) {
  uint64_t key = (uint64_t{vid} + 1) << 40 ^ static_cast<uint64_t>(s);
  size_t slot = (key * 0x9E3779B97F4A7C15ull) >> 52 & (kStartCache - 1);
  if (c.s.start_cache[slot] == key) return true;
  c.s.start_cache[slot] = key;
  return false;
}

static_assert(std::endian::native == std::endian::little, "AtomUse filters are little-endian");

void verify(Ctx& c, const AtomUse& use, size_t atom_start) {
  if (use.filter_mask && atom_start >= use.back) {
    size_t at = atom_start - use.back + use.filter_at;
    if (c.size >= 8 && at <= c.size - 8) {
      uint64_t w;
      std::memcpy(&w, c.data + at, 8);
      if ((w & use.filter_mask) != use.filter_value) return;
    }
  }
  const Variant& v = c.set.variants[use.variant];
  if (pattern_done(c, v.pattern)) return;
  if (use.rev_prog == kNoProgram) {
    if (atom_start < use.back) return;
    size_t start = atom_start - use.back;
    if (!v.literal && !v.seq_len && seen_start(c, use.variant, start)) return;
    try_at(c, use.variant, start);
    return;
  }
  if (use.suffix_prog != kNoProgram) {
    const Program& suffix = c.set.programs[use.suffix_prog];
    if (!matches_from(suffix, c.data, c.size, atom_start + use.atom_length, c.s.vm,
                      c.s.dfas.get(use.suffix_prog, suffix, true)))
      return;
  }
  auto& starts = c.s.starts;
  starts.clear();
  const Program& rev = c.set.programs[use.rev_prog];
  reverse_starts(rev, c.data, c.size, atom_start, c.s.vm, starts, kMaxStartsPerCandidate,
                 c.s.dfas.get(use.rev_prog, rev, false));
  // Starts come in decreasing order; verify in increasing order for fast mode's sake.
  for (size_t i = starts.size(); i-- > 0;) {
    if (pattern_done(c, v.pattern) || deadline_passed(c)) return;
    if (seen_start(c, use.variant, starts[i])) continue;
    try_at(c, use.variant, starts[i]);
  }
}

struct HsCtx {
  Ctx* c;
  size_t offset;  // of the window in the data
};

int on_atom(unsigned id, unsigned long long /*from*/, unsigned long long to, unsigned /*flags*/,
            void* p) {
  auto* h = static_cast<HsCtx*>(p);
  Ctx& c = *h->c;
  const Atom& atom = c.set.atoms[id];
  size_t end = h->offset + static_cast<size_t>(to);
  if (end < atom.bytes.size()) return 0;
  size_t start = end - atom.bytes.size();
  for (const AtomUse& use : atom.uses) {
    verify(c, use, start);
    if (c.timed_out) return 1;
  }
  return deadline_passed(c) ? 1 : 0;
}

// An xor group matches at s with key k when data[s + i] == form[i] ^ k for every i; the key is
// data[s] ^ form[0]. Its atom, the differences of consecutive form bytes, was found in the
// differences of the data, which no key changes.
void try_xor_group(Ctx& c, uint32_t vid, size_t s) {
  const Variant& v = c.set.variants[vid];
  if (pattern_done(c, v.pattern)) return;
  size_t n = v.bytes.size();
  if (s > c.size || c.size - s < n) return;
  uint8_t key = c.data[s] ^ static_cast<uint8_t>(v.bytes[0]);
  if (key < v.xor_min || key > v.xor_max) return;
  for (size_t i = 0; i < n; ++i)
    if ((c.data[s + i] ^ key) != static_cast<uint8_t>(v.bytes[i])) return;
  if (v.fullword && !fullword_ok(c.data, c.size, s, s + n, v.wide)) return;
  add_match(c, v.pattern, Match{c.base + s, static_cast<uint32_t>(n), key});
}

int on_xor_atom(unsigned id, unsigned long long /*from*/, unsigned long long to, unsigned /*flags*/,
                void* p) {
  auto* h = static_cast<HsCtx*>(p);
  Ctx& c = *h->c;
  const Atom& atom = c.set.xor_atoms[id];
  size_t end = h->offset + static_cast<size_t>(to);
  if (end < atom.bytes.size()) return 0;
  size_t start = end - atom.bytes.size();
  for (const AtomUse& use : atom.uses)
    if (start >= use.back) try_xor_group(c, use.variant, start - use.back);
  return deadline_passed(c) ? 1 : 0;
}

// The differences of the data are made window by window (kDeltaWindow bytes, overlapping by the
// longest xor atom) into the scratch, so the pass needs no memory proportional to the data.
constexpr size_t kDeltaWindow = 1 << 16;

bool scan_xor_groups(Ctx& c, hs_scratch_t* hs) {
  const auto& set = c.set;
  size_t total = c.size - 1;  // number of differences
  size_t overlap = set.max_xor_atom_length;
  auto& d = c.s.deltas;
  if (d.size() < kDeltaWindow + overlap) d.resize(kDeltaWindow + overlap);
  for (size_t off = 0; off < total; off += kDeltaWindow) {
    size_t len = std::min(kDeltaWindow + overlap, total - off);
    for (size_t j = 0; j < len; ++j) d[j] = c.data[off + j] ^ c.data[off + j + 1];
    HsCtx h{&c, off};
    hs_error_t r = hs_scan(set.xor_db.get(), reinterpret_cast<const char*>(d.data()),
                           static_cast<unsigned>(len), 0, hs, on_xor_atom, &h);
    if (r == HS_SCAN_TERMINATED) return true;
    if (r != HS_SUCCESS) return false;
    if (off + len >= total) break;
  }
  return true;
}

}  // namespace

PatternScratch::PatternScratch(const PatternSet& set) : impl_(std::make_unique<Impl>()) {
  const auto& si = set.impl();
  if (si.db) hs_alloc_scratch(si.db.get(), &impl_->hs);
  if (si.xor_db) hs_alloc_scratch(si.xor_db.get(), &impl_->hs);  // grows it to fit both
  impl_->vm.reserve(si.max_program + 1);
  impl_->first_index.assign(set.size(), UINT32_MAX);
}

PatternScratch::~PatternScratch() = default;

ScanOutcome PatternSet::scan(PatternScratch& scratch, std::span<const uint8_t> data, uint64_t base,
                             const ScanLimits& limits, MatchTable& table) const {
  const Impl& set = *impl_;
  PatternScratch::Impl& s = scratch.impl();
  if (s.first_index.size() != set.specs.size()) s.first_index.assign(set.specs.size(), UINT32_MAX);
  Ctx c{set, s, data.data(), data.size(), base, limits, table};
  s.vm.steps = 0;
  s.memo.clear();
  s.vm.memo = &s.memo;
  s.dfas.bind(&set);
  s.start_cache.assign(kStartCache, ~uint64_t{0});
  ScanOutcome outcome = ScanOutcome::kOk;
  if (!s.hs) {  // the constructor's allocation failed: try again, once per database
    if (set.db && hs_alloc_scratch(set.db.get(), &s.hs) != HS_SUCCESS) return ScanOutcome::kError;
    if (set.xor_db && hs_alloc_scratch(set.xor_db.get(), &s.hs) != HS_SUCCESS)
      return ScanOutcome::kError;
  }

  if (set.db && !data.empty()) {
    size_t overlap = set.max_atom_length;
    for (size_t off = 0; off < data.size();) {
      size_t len = std::min(kWindow, data.size() - off);
      HsCtx h{&c, off};
      hs_error_t r = hs_scan(set.db.get(), reinterpret_cast<const char*>(data.data() + off),
                             static_cast<unsigned>(len), 0, s.hs, on_atom, &h);
      if (r == HS_SCAN_TERMINATED) break;
      if (r != HS_SUCCESS) {
        outcome = ScanOutcome::kError;
        break;
      }
      if (off + len >= data.size()) break;
      off += len - std::min(len - 1, overlap);
    }
  }
  if (set.xor_db && data.size() >= 2 && !c.timed_out && outcome == ScanOutcome::kOk) {
    if (!scan_xor_groups(c, s.hs)) outcome = ScanOutcome::kError;
  }
  for (const Fallback& f : set.fallbacks) {
    if (c.timed_out) break;
    if (f.where == Fallback::Where::kAtStart) {
      try_at(c, f.variant, 0);
    } else if (f.where == Fallback::Where::kAtEnd) {
      if (f.length <= data.size()) try_at(c, f.variant, data.size() - f.length);
    }
  }
  for (const UniformGroup& g : set.uniform_groups) {
    if (c.timed_out) break;
    scan_uniform_group(c, g);
  }
  // The other fallbacks share one pass: each byte value lists the variants it can start.
  if (!set.fallback_any.empty()) {
    for (size_t pos = 0; pos < data.size() && !c.timed_out; ++pos) {
      const auto& here = set.fallback_by_byte[data[pos]];
      for (uint32_t f : here) {
        uint32_t vid = set.fallbacks[f].variant;
        if (pattern_done(c, set.variants[vid].pattern) || deadline_passed(c)) continue;
        try_at(c, vid, pos, true);
      }
    }
  }
  // Order and deduplicate what this scan added.
  for (uint32_t p : s.touched) {
    auto& list = table.list(p);
    auto first = list.begin() + s.first_index[p];
    auto before = [](const Match& a, const Match& b) {
      return a.offset != b.offset ? a.offset < b.offset : a.length < b.length;
    };
    // Lists are often filled in order already (one atom, or a run scan).
    if (!std::is_sorted(first, list.end(), before)) std::sort(first, list.end(), before);
    list.erase(std::unique(first, list.end(),
                           [](const Match& a, const Match& b) { return a.offset == b.offset; }),
               list.end());
    if (limits.fast_mode && (!limits.fast_patterns || limits.fast_patterns[p]) && list.size() > 1)
      list.resize(1);
    s.first_index[p] = UINT32_MAX;
  }
  s.touched.clear();
  if (c.timed_out) return ScanOutcome::kTimeout;
  return outcome;
}

}  // namespace vigie::re
