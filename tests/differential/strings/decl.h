// A YARA string declaration as written in a rule ("abc" wide, { 4D 5A }, /a.b/is nocase) turned
// into the PatternSpec the compiler would give the pattern engine. Test support only: it
// accepts the declaration forms the differential cases use.
#pragma once

#include <optional>
#include <string>

#include "re/pattern_set.h"

namespace vigie::re::difftest {

std::optional<PatternSpec> parse_decl(const std::string& decl);

}  // namespace vigie::re::difftest
