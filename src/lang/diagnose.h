// Diagnostics about places in a parsed program.
#pragma once

#include <string>

#include "lang/ast.h"
#include "vigie/diagnostics.h"

namespace vigie::lang {

// A diagnostic pointing at `span`: file name, line, column, the source line and the length to
// underline (cut at the end of the line) are taken from `program`. Of a line longer than 1 KiB
// only the first KiB is kept (followed by " ..."), and none when the span starts beyond it.
// A span whose file index is out of range gives a diagnostic without location.
Diagnostic diagnostic_at(const Program& program, const Span& span, Severity severity,
                         std::string code, std::string message);

}  // namespace vigie::lang
