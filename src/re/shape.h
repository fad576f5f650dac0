// Shape questions about IR fragments that let the verifier skip the Pike VM.
//
// fixed_length: the length every match of a node list has, if it is the same for all matches
// (then a match whose atom starts at p starts at p - length, with no reverse program to run).
// as_sequence: the pattern as a plain sequence of byte sets (hex strings without jumps or
// alternatives, regexes like [\x01-\x7f]{44}), verified by one comparison per position.
#pragma once

#include <optional>
#include <vector>

#include "re/ir.h"

namespace vigie::re {

inline constexpr size_t kMaxSequence = 4096;

std::optional<uint64_t> fixed_length(const Ir& ir, const std::vector<NodeId>& nodes);
bool as_sequence(const Ir& ir, NodeId root, std::vector<ByteSet>& out);
// The longest plain sequence every match begins with (at most `limit` sets): the whole
// pattern when it is a sequence, else the kids of its top concatenation up to the first one
// that is not.
void sequence_prefix(const Ir& ir, NodeId root, size_t limit, std::vector<ByteSet>& out);

}  // namespace vigie::re
