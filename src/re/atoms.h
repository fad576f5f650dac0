// Atom extraction: literals that every match of a pattern must contain.
//
// For a pattern's IR, choose_atoms returns a set of literals such that every match contains at
// least one of them, chosen to maximise atom_quality (a set from an alternation counts as its
// weakest member). Literals come from runs of positions inside concatenations: exact bytes, case
// pairs (which make a case-insensitive atom) and small classes such as nibble masks, which are
// expanded into one literal per value (at most kAtomMaxExpansion per atom). They also come from
// the first iteration of repetitions with a minimum of one, and from every branch of an
// alternation. Each atom carries its prefix: the IR nodes a match passes through before the atom
// starts, from which the verifier finds where the match starts.
#pragma once

#include <string>
#include <vector>

#include "re/ir.h"

namespace vigie::re {

struct AtomSpec {
  std::string bytes;  // lower case when caseless
  bool caseless = false;
  std::vector<NodeId> prefix;
  // For atoms taken from the top-level sequence: what must follow the atom, which the verifier
  // checks before looking for starts (empty and false otherwise).
  bool has_suffix = false;
  std::vector<NodeId> suffix;
};

struct AtomChoice {
  std::vector<AtomSpec> atoms;  // empty: no atom
  int quality = -1;
};

inline constexpr size_t kMaxAtomsPerPattern = 64;

AtomChoice choose_atoms(const Ir& ir, NodeId root);

}  // namespace vigie::re
