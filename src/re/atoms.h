// Atom extraction: literals that every match of a pattern must contain.
//
// For a pattern's IR, choose_atoms returns a set of literals such that every match contains at
// least one of them, chosen to maximise atom_quality (a set from an alternation counts as its
// weakest member). Each atom comes with its prefix: the IR nodes a match passes through before
// the atom starts, from which the verifier builds a reversed program to find the match starts.
// Literals come from runs of single-byte positions inside concatenations (case pairs become a
// case-insensitive atom), from the first iteration of repetitions with a minimum of one, and from
// all branches of an alternation.
#pragma once

#include <string>
#include <vector>

#include "re/ir.h"

namespace vigie::re {

struct AtomSpec {
  std::string bytes;  // lower case when caseless
  bool caseless = false;
  std::vector<NodeId> prefix;
};

struct AtomChoice {
  std::vector<AtomSpec> atoms;  // empty: no atom
  int quality = -1;
};

inline constexpr size_t kMaxAtomsPerPattern = 32;

AtomChoice choose_atoms(const Ir& ir, NodeId root);

}  // namespace vigie::re
