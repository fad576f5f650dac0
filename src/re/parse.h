// Parsers from YARA's pattern syntaxes into the IR (ir.h).
//
// parse_regex reads the text between the slashes of a YARA regular expression; parse_hex the
// text between the braces of a hex string. Both report the first error with the byte offset in
// the source where it was seen, using YARA's messages where YARA has one, and never recurse
// deeper than kMaxDepth groups.
#pragma once

#include <optional>
#include <string_view>

#include "re/ir.h"
#include "re/pattern_set.h"

namespace vigie::re {

inline constexpr uint32_t kMaxRepeat = 32767;    // YARA's largest {n,m} bound
inline constexpr uint32_t kMaxHexAltJump = 200;  // YARA's bound for jumps inside ( | )

// flags: lang::kRegexNocase, lang::kRegexDotAll.
std::optional<PatternError> parse_regex(std::string_view src, uint8_t flags, Ir& out);
std::optional<PatternError> parse_hex(std::string_view src, Ir& out);
// A text string: every byte literal (case folded when nocase).
NodeId literal_ir(std::string_view bytes, bool nocase, Ir& out);

}  // namespace vigie::re
