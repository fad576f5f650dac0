// PatternSet construction: specs -> variants -> programs and atoms -> one Vectorscan database.
//
// Every variant either has atoms (literals every match contains, chosen by atoms.h and scored
// by atom_quality.h) or goes to the fallback list. Atoms are deduplicated across the whole set by
// (bytes, case sensitivity): thousands of rules sharing "This program cannot" or "MZ" cost one
// prefilter literal each, whose hit is then fanned out to every variant that uses it. The
// database is built with hs_compile_multi over \xHH-escaped literals, because
// hs_compile_lit_multi rejects literals that begin with a zero byte.
//
// Per atom use, build() also prepares what makes verification cheap: the fixed distance back to
// the match start when the prefix has a fixed length, otherwise a reversed prefix program and a
// program for what follows the atom; and per variant, a plain byte-set sequence when the pattern
// has no jumps or alternatives. Fallbacks are indexed by first byte, and repeated-set ones
// grouped by set, so that scan() covers each group in one pass.
//
// A pattern whose best atom is one byte, or only common bytes, or that has none, gets a
// BuildWarning; this matches the strings YARA reports as slowing down scanning.
#include <algorithm>
#include <unordered_map>

#include "re/atom_quality.h"
#include "re/atoms.h"
#include "re/parse.h"
#include "re/pattern_set_impl.h"
#include "re/shape.h"
#include "re/variants.h"

namespace vigie::re {

std::optional<PatternError> check(const PatternSpec& spec) {
  std::vector<VariantSource> variants;
  if (auto e = expand(spec, variants)) return e;
  for (auto& v : variants) {
    if (v.literal) continue;
    Program p;
    if (!compile(v.ir, {v.ir.root}, false, p))
      return PatternError{"pattern too large (its program would exceed the verifier's limit)", 0};
  }
  return std::nullopt;
}

namespace {

ByteSet literal_first(const Variant& v) {
  ByteSet s;
  s.add(static_cast<uint8_t>(v.bytes[0]));
  if (v.caseless) s.fold_case();
  return s;
}

std::string describe(const std::string& atom) {
  std::string out;
  static const char* hex = "0123456789ABCDEF";
  for (size_t i = 0; i < atom.size() && i < 8; ++i) {
    if (i) out.push_back(' ');
    out.push_back(hex[static_cast<uint8_t>(atom[i]) >> 4]);
    out.push_back(hex[static_cast<uint8_t>(atom[i]) & 15]);
  }
  return out;
}

// Start of the kAtomMaxLength-byte window of a long literal with the best atom quality.
size_t best_literal_window(const std::string& bytes, bool caseless) {
  std::vector<ByteSet> sets(bytes.size());
  std::vector<int> counts(bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) {
    sets[i].add(static_cast<uint8_t>(bytes[i]));
    if (caseless) sets[i].fold_case();
    counts[i] = sets[i].count();
  }
  size_t best = 0;
  int best_q = -1;
  for (size_t s = 0; s + kAtomMaxLength <= bytes.size(); ++s) {
    AtomScorer scorer;
    for (size_t i = s; i < s + kAtomMaxLength; ++i) scorer.push(sets[i], counts[i]);
    if (scorer.score() > best_q) {
      best_q = scorer.score();
      best = s;
    }
  }
  return best;
}

// The bits every member of `set` shares with its first member: (mask, value) such that
// b & mask == value for every b in the set.
std::pair<uint8_t, uint8_t> common_bits(const ByteSet& set) {
  if (set.count() == 0 || set.count() == 256) return {0, 0};
  int first = -1, diff = 0;
  for (int b = 0; b < 256; ++b) {
    if (!set.has(static_cast<uint8_t>(b))) continue;
    if (first < 0) first = b;
    diff |= b ^ first;
  }
  auto mask = static_cast<uint8_t>(~diff);
  return {mask, static_cast<uint8_t>(first & mask)};
}

// Chooses the 8-byte window of the known prefix of a match that constrains the most bits,
// leaving out the atom's own bytes (found already), and stores it as the use's filter.
void set_filter(AtomUse& use, const std::vector<ByteSet>& known, size_t atom_length) {
  constexpr size_t kWindow = 8;
  if (known.empty()) return;
  std::vector<std::pair<uint8_t, uint8_t>> bits(known.size());
  for (size_t i = 0; i < known.size(); ++i)
    if (i < use.back || i >= use.back + atom_length) bits[i] = common_bits(known[i]);
  int best_score = 0;
  for (size_t w = 0; w < known.size(); ++w) {
    int score = 0;
    uint64_t mask = 0, value = 0;
    for (size_t i = 0; i < kWindow && w + i < known.size(); ++i) {
      score += __builtin_popcount(bits[w + i].first);
      mask |= uint64_t{bits[w + i].first} << (8 * i);
      value |= uint64_t{bits[w + i].second} << (8 * i);
    }
    if (score > best_score) {
      best_score = score;
      use.filter_at = static_cast<uint32_t>(w);
      use.filter_mask = mask;
      use.filter_value = value;
    }
  }
  if (best_score < 8) use.filter_mask = use.filter_value = 0;
}

constexpr size_t kFilterPrefix = 64;

}  // namespace

bool build_structures(PatternSet::Impl& impl, std::vector<BuildWarning>* warnings,
                      std::string* error) {
  std::unordered_map<std::string, uint32_t> atom_index;
  std::unordered_map<std::string, uint32_t> seq_set_index;
  std::unordered_map<std::string, uint32_t> xor_atom_index;
  auto add_xor_atom = [&](const std::string& bytes, AtomUse use) {
    auto [it, fresh] = xor_atom_index.emplace(bytes, static_cast<uint32_t>(impl.xor_atoms.size()));
    if (fresh) impl.xor_atoms.push_back(Atom{bytes, false, {}});
    impl.xor_atoms[it->second].uses.push_back(use);
    impl.max_xor_atom_length = std::max(impl.max_xor_atom_length, bytes.size());
  };
  auto seq_set = [&](const ByteSet& b) {
    std::string key(reinterpret_cast<const char*>(b.w.data()), sizeof(b.w));
    auto [it, fresh] = seq_set_index.emplace(key, static_cast<uint32_t>(impl.seq_sets.size()));
    if (fresh) impl.seq_sets.push_back(b);
    return it->second;
  };
  auto add_atom = [&](const std::string& bytes, bool caseless, AtomUse use) {
    std::string key = (caseless ? "i" : "c") + bytes;
    auto [it, fresh] = atom_index.emplace(key, static_cast<uint32_t>(impl.atoms.size()));
    if (fresh) impl.atoms.push_back(Atom{bytes, caseless, {}});
    impl.max_atom_length = std::max(impl.max_atom_length, bytes.size());
    impl.atoms[it->second].uses.push_back(use);
  };
  for (uint32_t pi = 0; pi < impl.specs.size(); ++pi) {
    std::vector<VariantSource> sources;
    if (auto e = expand(impl.specs[pi], sources)) {
      if (error) *error = "pattern " + std::to_string(pi) + ": " + e->message;
      return false;
    }
    std::string slow;  // reason this pattern slows scanning, if any
    for (auto& src : sources) {
      Variant v;
      v.pattern = pi;
      v.xor_key = src.xor_key;
      v.wide = src.wide;
      v.fullword = src.fullword;
      v.literal = src.literal;
      v.caseless = src.caseless;
      uint32_t vid = static_cast<uint32_t>(impl.variants.size());
      if (src.literal && src.xor_group) {
        v.bytes = src.bytes;
        v.xor_group = true;
        v.xor_min = src.xor_min;
        v.xor_max = src.xor_max;
        impl.variants.push_back(v);
        std::string d = xor_deltas(src.bytes);
        size_t at = d.size() <= kMaxLiteralAtom ? 0 : best_literal_window(d, false);
        if (d.size() > kMaxLiteralAtom) d = d.substr(at, kAtomMaxLength);
        add_xor_atom(d, AtomUse{vid, kNoProgram, static_cast<uint32_t>(at)});
        continue;
      }
      if (src.literal) {
        v.bytes = src.bytes;
        impl.variants.push_back(v);
        int q = atom_quality(src.bytes, src.caseless);
        if (q < kAtomMinUsable) {
          impl.fallbacks.push_back(Fallback{vid, literal_first(impl.variants[vid])});
          slow = "no usable atom, best is {" + describe(src.bytes) + "}";
        } else if (src.bytes.size() <= kMaxLiteralAtom) {
          add_atom(src.bytes, src.caseless, AtomUse{vid, kNoProgram});
          if (q < kAtomGood && slow.empty()) slow = "weak atom {" + describe(src.bytes) + "}";
        } else {
          // Long literals: the prefilter takes the best window, the verifier compares the rest.
          size_t at = best_literal_window(src.bytes, src.caseless);
          AtomUse use{vid, kNoProgram, static_cast<uint32_t>(at)};
          std::vector<ByteSet> known(std::min(src.bytes.size(), kFilterPrefix));
          for (size_t i = 0; i < known.size(); ++i) {
            known[i].add(static_cast<uint8_t>(src.bytes[i]));
            if (src.caseless) known[i].fold_case();
          }
          set_filter(use, known, kAtomMaxLength);
          add_atom(src.bytes.substr(at, kAtomMaxLength), src.caseless, use);
        }
        continue;
      }
      Program fwd;
      if (!compile(src.ir, {src.ir.root}, false, fwd)) {
        if (error) *error = "pattern " + std::to_string(pi) + ": pattern too large";
        return false;
      }
      impl.max_program = std::max(impl.max_program, fwd.insts.size());
      v.prog = static_cast<uint32_t>(impl.programs.size());
      impl.programs.push_back(std::move(fwd));
      std::vector<ByteSet> seq;
      if (as_sequence(src.ir, src.ir.root, seq)) {
        v.seq_begin = static_cast<uint32_t>(impl.seq_items.size());
        v.seq_len = static_cast<uint32_t>(seq.size());
        for (auto& b : seq) impl.seq_items.push_back(seq_set(b));
      }
      impl.variants.push_back(v);
      AtomChoice choice = choose_atoms(src.ir, src.ir.root);
      if (choice.atoms.empty() || choice.quality < kAtomMinUsable) {
        Fallback f{vid, first_bytes(impl.programs[v.prog])};
        const Node& root = src.ir.nodes[src.ir.root];
        if (root.kind == NodeKind::kConcat) {
          auto len = fixed_length(src.ir, {src.ir.root});
          if (src.ir.nodes[root.kids.front()].kind == NodeKind::kBol) {
            f.where = Fallback::Where::kAtStart;
          } else if (src.ir.nodes[root.kids.back()].kind == NodeKind::kEol && len) {
            f.where = Fallback::Where::kAtEnd;
            f.length = *len;
          }
        }
        impl.fallbacks.push_back(f);
        slow = choice.atoms.empty()
                   ? "no fixed bytes to search for"
                   : "no usable atom, best is {" + describe(choice.atoms[0].bytes) + "}";
        continue;
      }
      if (choice.quality < kAtomGood && slow.empty())
        slow = "weak atom {" + describe(choice.atoms[0].bytes) + "}";
      std::vector<ByteSet> known;
      for (auto& a : choice.atoms) {
        uint32_t rev = kNoProgram;
        auto fixed = fixed_length(src.ir, a.prefix);
        if (fixed && *fixed < UINT32_MAX) {
          AtomUse use{vid, kNoProgram, static_cast<uint32_t>(*fixed)};
          if (known.empty()) sequence_prefix(src.ir, src.ir.root, kFilterPrefix, known);
          set_filter(use, known, a.bytes.size());
          add_atom(a.bytes, a.caseless, use);
          continue;
        }
        if (!a.prefix.empty()) {
          Program rp;
          if (!compile(src.ir, a.prefix, true, rp)) {
            if (error) *error = "pattern " + std::to_string(pi) + ": pattern too large";
            return false;
          }
          impl.max_program = std::max(impl.max_program, rp.insts.size());
          rev = static_cast<uint32_t>(impl.programs.size());
          impl.programs.push_back(std::move(rp));
        }
        AtomUse use{vid, rev};
        if (a.has_suffix && !a.suffix.empty()) {
          Program sp;
          if (compile(src.ir, a.suffix, false, sp)) {
            impl.max_program = std::max(impl.max_program, sp.insts.size());
            use.suffix_prog = static_cast<uint32_t>(impl.programs.size());
            use.atom_length = static_cast<uint32_t>(a.bytes.size());
            impl.programs.push_back(std::move(sp));
          }
        }
        add_atom(a.bytes, a.caseless, use);
      }
    }
    if (!slow.empty() && warnings) warnings->push_back(BuildWarning{pi, slow});
  }
  // Index the unanchored fallbacks by first byte so that scan() makes one pass for all.
  for (uint32_t f = 0; f < impl.fallbacks.size(); ++f) {
    const Fallback& fb = impl.fallbacks[f];
    const Variant& v = impl.variants[fb.variant];
    bool uniform = !v.literal && v.seq_len > 0;
    for (uint32_t i = 1; uniform && i < v.seq_len; ++i)
      uniform = impl.seq_items[v.seq_begin + i] == impl.seq_items[v.seq_begin];
    if (fb.where != Fallback::Where::kAnywhere) continue;
    if (uniform) {
      uint32_t set = impl.seq_items[v.seq_begin];
      auto g = std::find_if(impl.uniform_groups.begin(), impl.uniform_groups.end(),
                            [&](const UniformGroup& u) { return u.set == set; });
      if (g == impl.uniform_groups.end()) {
        impl.uniform_groups.push_back(UniformGroup{set, {}});
        g = impl.uniform_groups.end() - 1;
      }
      g->variants.push_back(fb.variant);
      continue;
    }
    impl.fallback_any.push_back(f);
    for (int b = 0; b < 256; ++b)
      if (fb.first.has(static_cast<uint8_t>(b))) impl.fallback_by_byte[b].push_back(f);
  }
  return true;
}

namespace {

bool compile_atoms(const std::vector<Atom>& atoms,
                   std::unique_ptr<hs_database_t, HsDatabaseDeleter>& out, std::string* error) {
  if (atoms.empty()) return true;
  std::vector<std::string> exprs;
  std::vector<const char*> ptrs;
  std::vector<unsigned> flags, ids;
  exprs.reserve(atoms.size());
  static const char* hex = "0123456789abcdef";
  for (size_t i = 0; i < atoms.size(); ++i) {
    std::string e;
    for (char c : atoms[i].bytes) {
      e += "\\x";
      e.push_back(hex[static_cast<uint8_t>(c) >> 4]);
      e.push_back(hex[static_cast<uint8_t>(c) & 15]);
    }
    exprs.push_back(std::move(e));
    flags.push_back(atoms[i].caseless ? HS_FLAG_CASELESS : 0);
    ids.push_back(static_cast<unsigned>(i));
  }
  for (auto& e : exprs) ptrs.push_back(e.c_str());
  hs_database_t* db = nullptr;
  hs_compile_error_t* cerr = nullptr;
  if (hs_compile_multi(ptrs.data(), flags.data(), ids.data(), static_cast<unsigned>(ptrs.size()),
                       HS_MODE_BLOCK, nullptr, &db, &cerr) != HS_SUCCESS) {
    if (error) *error = std::string("prefilter build failed: ") + (cerr ? cerr->message : "?");
    if (cerr) hs_free_compile_error(cerr);
    return false;
  }
  out.reset(db);
  return true;
}

}  // namespace

bool build_database(PatternSet::Impl& impl, std::string* error) {
  return compile_atoms(impl.atoms, impl.db, error) &&
         compile_atoms(impl.xor_atoms, impl.xor_db, error);
}

std::unique_ptr<PatternSet> PatternSet::build(std::vector<PatternSpec> specs,
                                              std::vector<BuildWarning>* warnings,
                                              std::string* error) {
  std::unique_ptr<PatternSet> set(new PatternSet());
  set->impl_ = std::make_unique<Impl>();
  set->impl_->specs = std::move(specs);
  if (!build_structures(*set->impl_, warnings, error)) return nullptr;
  if (!build_database(*set->impl_, error)) return nullptr;
  return set;
}

PatternSet::~PatternSet() = default;

size_t PatternSet::size() const { return impl_->specs.size(); }

}  // namespace vigie::re
