// A compact S-expression rendering of conditions, for tests and debugging:
//   $a and #b > 2   ->   (and $a (gt (count $b) 2))
#pragma once

#include <string>

#include "lang/ast.h"

namespace vigie::lang {

// Renders the expression `id` of `program`. Nesting deeper than 4096 is cut with "...", so a
// hostile tree cannot exhaust the stack.
std::string dump_expr(const Program& program, ExprId id);

const char* expr_kind_name(ExprKind kind);

}  // namespace vigie::lang
