// The S-expression dump of conditions (ast_dump.h). Each node expands into a list of pieces,
// text or child nodes, pushed on an explicit stack: the output order is the pre-order walk, and
// a deeply nested condition needs heap, not stack.
#include "lang/ast_dump.h"

#include <cstdio>
#include <vector>

namespace vigie::lang {
namespace {

// The dump is produced by an explicit stack of pieces (literal text or an expression still to
// expand), so its depth costs heap, not stack.
struct Piece {
  ExprId expr = kNoExpr;
  std::string text;
  bool is_text = true;
};

Piece text(std::string t) { return Piece{kNoExpr, std::move(t), true}; }
Piece sub(ExprId e) { return Piece{e, {}, false}; }

void add_quantifier(const Quantifier& q, std::vector<Piece>& out) {
  switch (q.kind) {
    case QuantifierKind::kAll:
      out.push_back(text("all"));
      return;
    case QuantifierKind::kAny:
      out.push_back(text("any"));
      return;
    case QuantifierKind::kNone:
      out.push_back(text("none"));
      return;
    case QuantifierKind::kExpr:
      out.push_back(sub(q.expr));
      return;
    case QuantifierKind::kPercent:
      out.push_back(text("(percent "));
      out.push_back(sub(q.expr));
      out.push_back(text(")"));
      return;
  }
}

void add_set(const StringSet& s, std::vector<Piece>& out) {
  switch (s.kind) {
    case StringSet::Kind::kThem:
      out.push_back(text("them"));
      return;
    case StringSet::Kind::kStrings:
    case StringSet::Kind::kRules: {
      std::string t = s.kind == StringSet::Kind::kStrings ? "(strings" : "(rules";
      for (const auto& i : s.items) t += " " + i;
      out.push_back(text(t + ")"));
      return;
    }
    case StringSet::Kind::kExpressions:
      out.push_back(text("(exprs"));
      for (ExprId e : s.exprs) {
        out.push_back(text(" "));
        out.push_back(sub(e));
      }
      out.push_back(text(")"));
      return;
  }
}

// The pieces of one node, in order; children stay unexpanded.
void expand(const Expr& e, std::vector<Piece>& out) {
  auto leaf = [&](std::string t) { out.push_back(text(std::move(t))); };
  switch (e.kind) {
    case ExprKind::kTrue:
      return leaf("true");
    case ExprKind::kFalse:
      return leaf("false");
    case ExprKind::kInteger:
      return leaf(std::to_string(e.integer));
    case ExprKind::kFloat: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%g", e.real);
      return leaf(buf);
    }
    case ExprKind::kString:
      return leaf("\"" + e.text + "\"");
    case ExprKind::kRegex:
      return leaf("/" + e.text + "/" + ((e.regex_flags & kRegexNocase) ? "i" : "") +
                  ((e.regex_flags & kRegexDotAll) ? "s" : ""));
    case ExprKind::kFilesize:
      return leaf("filesize");
    case ExprKind::kEntrypoint:
      return leaf("entrypoint");
    case ExprKind::kIdentifier:
      return leaf(e.text);
    case ExprKind::kStringMatch:
      return leaf(e.text);
    case ExprKind::kField:
      out.push_back(text("(field "));
      out.push_back(sub(e.a));
      return leaf(" " + e.text + ")");
    case ExprKind::kCall:
    case ExprKind::kEnumeration:
      out.push_back(text(e.kind == ExprKind::kCall ? "(call" : "(enum"));
      if (e.kind == ExprKind::kCall) {
        out.push_back(text(" "));
        out.push_back(sub(e.a));
      }
      for (ExprId x : e.list) {
        out.push_back(text(" "));
        out.push_back(sub(x));
      }
      return leaf(")");
    case ExprKind::kReadInt:
    case ExprKind::kStringAt:
    case ExprKind::kStringIn:
    case ExprKind::kStringCount:
    case ExprKind::kStringOffset:
    case ExprKind::kStringLength: {
      std::string head = e.kind == ExprKind::kReadInt
                             ? e.text
                             : std::string(expr_kind_name(e.kind)) + " " + e.text;
      out.push_back(text("(" + head));
      if (e.a != kNoExpr) {
        out.push_back(text(" "));
        out.push_back(sub(e.a));
      }
      return leaf(")");
    }
    case ExprKind::kOf:
      out.push_back(text("(of "));
      add_quantifier(e.quantifier, out);
      out.push_back(text(" "));
      add_set(e.set, out);
      if (e.of_mode != OfMode::kPlain) {
        out.push_back(text(e.of_mode == OfMode::kIn ? " in " : " at "));
        out.push_back(sub(e.a));
      }
      return leaf(")");
    case ExprKind::kForOf:
      out.push_back(text("(for "));
      add_quantifier(e.quantifier, out);
      out.push_back(text(" of "));
      add_set(e.set, out);
      out.push_back(text(" "));
      out.push_back(sub(e.b));
      return leaf(")");
    case ExprKind::kForIn: {
      out.push_back(text("(for "));
      add_quantifier(e.quantifier, out);
      std::string vars;
      for (const auto& v : e.vars) vars += " " + v;
      out.push_back(text(vars + " in "));
      out.push_back(sub(e.a));
      out.push_back(text(" "));
      out.push_back(sub(e.b));
      return leaf(")");
    }
    default:
      out.push_back(text(std::string("(") + expr_kind_name(e.kind) + " "));
      out.push_back(sub(e.a));
      if (e.b != kNoExpr) {
        out.push_back(text(" "));
        out.push_back(sub(e.b));
      }
      return leaf(")");
  }
}

}  // namespace

const char* expr_kind_name(ExprKind kind) {
  switch (kind) {
    case ExprKind::kTrue:
      return "true";
    case ExprKind::kFalse:
      return "false";
    case ExprKind::kInteger:
      return "integer";
    case ExprKind::kFloat:
      return "float";
    case ExprKind::kString:
      return "string";
    case ExprKind::kRegex:
      return "regex";
    case ExprKind::kFilesize:
      return "filesize";
    case ExprKind::kEntrypoint:
      return "entrypoint";
    case ExprKind::kIdentifier:
      return "identifier";
    case ExprKind::kField:
      return "field";
    case ExprKind::kIndex:
      return "index";
    case ExprKind::kCall:
      return "call";
    case ExprKind::kReadInt:
      return "read";
    case ExprKind::kStringMatch:
      return "match";
    case ExprKind::kStringAt:
      return "at";
    case ExprKind::kStringIn:
      return "in";
    case ExprKind::kStringCount:
      return "count";
    case ExprKind::kStringOffset:
      return "offset";
    case ExprKind::kStringLength:
      return "length";
    case ExprKind::kNot:
      return "not";
    case ExprKind::kNeg:
      return "neg";
    case ExprKind::kBitNot:
      return "bitnot";
    case ExprKind::kDefined:
      return "defined";
    case ExprKind::kAnd:
      return "and";
    case ExprKind::kOr:
      return "or";
    case ExprKind::kLt:
      return "lt";
    case ExprKind::kLe:
      return "le";
    case ExprKind::kGt:
      return "gt";
    case ExprKind::kGe:
      return "ge";
    case ExprKind::kEq:
      return "eq";
    case ExprKind::kNe:
      return "ne";
    case ExprKind::kAdd:
      return "add";
    case ExprKind::kSub:
      return "sub";
    case ExprKind::kMul:
      return "mul";
    case ExprKind::kDiv:
      return "div";
    case ExprKind::kMod:
      return "mod";
    case ExprKind::kShl:
      return "shl";
    case ExprKind::kShr:
      return "shr";
    case ExprKind::kBitAnd:
      return "bitand";
    case ExprKind::kBitOr:
      return "bitor";
    case ExprKind::kBitXor:
      return "bitxor";
    case ExprKind::kContains:
      return "contains";
    case ExprKind::kIContains:
      return "icontains";
    case ExprKind::kStartsWith:
      return "startswith";
    case ExprKind::kIStartsWith:
      return "istartswith";
    case ExprKind::kEndsWith:
      return "endswith";
    case ExprKind::kIEndsWith:
      return "iendswith";
    case ExprKind::kIEquals:
      return "iequals";
    case ExprKind::kMatches:
      return "matches";
    case ExprKind::kRange:
      return "range";
    case ExprKind::kOf:
      return "of";
    case ExprKind::kForOf:
      return "forof";
    case ExprKind::kForIn:
      return "forin";
    case ExprKind::kEnumeration:
      return "enum";
  }
  return "?";
}

std::string dump_expr(const Program& program, ExprId id) {
  std::string out;
  std::vector<Piece> stack{sub(id)};
  std::vector<Piece> pieces;
  while (!stack.empty()) {
    Piece p = std::move(stack.back());
    stack.pop_back();
    if (p.is_text) {
      out += p.text;
      continue;
    }
    if (p.expr == kNoExpr) {
      out += "-";
      continue;
    }
    if (p.expr >= program.exprs.size()) {
      out += "<bad>";
      continue;
    }
    pieces.clear();
    expand(program.exprs[p.expr], pieces);
    for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) stack.push_back(std::move(*it));
  }
  return out;
}

}  // namespace vigie::lang
