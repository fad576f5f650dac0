// A compact S-expression rendering of conditions, for tests and debugging:
//   $a and #b > 2   ->   (and $a (gt (count $b) 2))
#pragma once

#include <string>

#include "lang/ast.h"

namespace vigie::lang {

// Renders the expression `id` of `program`. Iterative: any depth, no recursion.
std::string dump_expr(const Program& program, ExprId id);

const char* expr_kind_name(ExprKind kind);

}  // namespace vigie::lang
