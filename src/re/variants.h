// Modifiers: one PatternSpec becomes the list of concrete byte patterns ("variants") to search.
//
//   text   ascii/wide      the bytes, and/or the bytes interleaved with zeros
//          nocase          a case-insensitive literal
//          xor(a-b)        every key, applied to the whole (possibly wide) form, zeros
//                          included; the key is reported with the match. One group variant
//                          covers all keys when the form's byte differences make a good atom,
//                          else one literal per key
//          base64[wide]    the three base64 encodings of each form (shifted by 0, 1, 2 bytes),
//                          trimmed to the characters that do not depend on the neighbouring
//                          bytes, then widened for base64wide; the match is that base64 text
//   hex    the parsed IR (no modifiers apply)
//   regex  the parsed IR; nocase folds case, wide interleaves a zero after every byte position
// fullword is checked on each match (fullword.h); wide variants use the wide rule.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "re/ir.h"
#include "re/pattern_set.h"

namespace vigie::re {

struct VariantSource {
  bool literal = false;
  std::string bytes;      // literal: the exact bytes (lower case when caseless)
  bool caseless = false;  // literal: ASCII letters match either case
  Ir ir;                  // !literal
  uint8_t xor_key = 0;
  bool wide = false;
  bool fullword = false;
  // An xor group stands for every key in [xor_min, xor_max] at once: `bytes` is the plain form,
  // found through the xor-invariant differences of consecutive bytes (see pattern_scan.cc).
  bool xor_group = false;
  uint8_t xor_min = 0, xor_max = 0;
};

// Differences of consecutive bytes: unchanged by xor with any single-byte key.
std::string xor_deltas(std::string_view bytes);

std::optional<PatternError> check_modifiers(const PatternSpec& spec);
// Expands a spec (already checked) into its variants.
std::optional<PatternError> expand(const PatternSpec& spec, std::vector<VariantSource>& out);

// Base64 of `data` with a 64-character alphabet, no padding characters.
std::string base64_encode(std::string_view data, std::string_view alphabet);
// The three trimmed encodings searched for by the base64 modifier.
std::vector<std::string> base64_variants(std::string_view text, std::string_view alphabet);
std::string widen(std::string_view bytes);
// True (and the literal in bytes/caseless) when the IR is a plain sequence of bytes that a
// literal comparison matches exactly.
bool as_literal(const Ir& ir, std::string& bytes, bool& caseless);
// Interleaves a zero byte after every byte position of the IR.
Ir widen_ir(const Ir& ir);

}  // namespace vigie::re
