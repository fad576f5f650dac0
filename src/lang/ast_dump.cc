#include "lang/ast_dump.h"

#include <cstdio>

namespace vigie::lang {
namespace {

constexpr int kMaxDumpDepth = 4096;

std::string quantifier(const Program& p, const Quantifier& q, int depth);
std::string dump(const Program& p, ExprId id, int depth);

std::string set_text(const Program& p, const StringSet& s, int depth) {
  switch (s.kind) {
    case StringSet::Kind::kThem:
      return "them";
    case StringSet::Kind::kStrings:
    case StringSet::Kind::kRules: {
      std::string out = s.kind == StringSet::Kind::kStrings ? "(strings" : "(rules";
      for (const auto& i : s.items) out += " " + i;
      return out + ")";
    }
    case StringSet::Kind::kExpressions: {
      std::string out = "(exprs";
      for (ExprId e : s.exprs) out += " " + dump(p, e, depth + 1);
      return out + ")";
    }
  }
  return "?";
}

std::string quantifier(const Program& p, const Quantifier& q, int depth) {
  switch (q.kind) {
    case QuantifierKind::kAll:
      return "all";
    case QuantifierKind::kAny:
      return "any";
    case QuantifierKind::kNone:
      return "none";
    case QuantifierKind::kExpr:
      return dump(p, q.expr, depth + 1);
    case QuantifierKind::kPercent:
      return "(percent " + dump(p, q.expr, depth + 1) + ")";
  }
  return "?";
}

std::string dump(const Program& p, ExprId id, int depth) {
  if (id == kNoExpr) return "-";
  if (id >= p.exprs.size()) return "<bad>";
  if (depth > kMaxDumpDepth) return "...";
  const Expr& e = p.exprs[id];
  auto sub = [&](ExprId x) { return dump(p, x, depth + 1); };
  switch (e.kind) {
    case ExprKind::kTrue:
      return "true";
    case ExprKind::kFalse:
      return "false";
    case ExprKind::kInteger:
      return std::to_string(e.integer);
    case ExprKind::kFloat: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%g", e.real);
      return buf;
    }
    case ExprKind::kString:
      return "\"" + e.text + "\"";
    case ExprKind::kRegex:
      return "/" + e.text + "/" + ((e.regex_flags & kRegexNocase) ? "i" : "") +
             ((e.regex_flags & kRegexDotAll) ? "s" : "");
    case ExprKind::kFilesize:
      return "filesize";
    case ExprKind::kEntrypoint:
      return "entrypoint";
    case ExprKind::kIdentifier:
      return e.text;
    case ExprKind::kField:
      return "(field " + sub(e.a) + " " + e.text + ")";
    case ExprKind::kCall: {
      std::string out = "(call " + sub(e.a);
      for (ExprId x : e.list) out += " " + sub(x);
      return out + ")";
    }
    case ExprKind::kReadInt:
      return "(" + e.text + " " + sub(e.a) + ")";
    case ExprKind::kStringMatch:
      return e.text;
    case ExprKind::kStringAt:
      return "(at " + e.text + " " + sub(e.a) + ")";
    case ExprKind::kStringIn:
      return "(in " + e.text + " " + sub(e.a) + ")";
    case ExprKind::kStringCount:
      return e.a == kNoExpr ? "(count " + e.text + ")" : "(count " + e.text + " " + sub(e.a) + ")";
    case ExprKind::kStringOffset:
    case ExprKind::kStringLength: {
      std::string out = e.kind == ExprKind::kStringOffset ? "(offset " : "(length ";
      out += e.text;
      if (e.a != kNoExpr) out += " " + sub(e.a);
      return out + ")";
    }
    case ExprKind::kEnumeration: {
      std::string out = "(enum";
      for (ExprId x : e.list) out += " " + sub(x);
      return out + ")";
    }
    case ExprKind::kOf: {
      std::string out =
          "(of " + quantifier(p, e.quantifier, depth) + " " + set_text(p, e.set, depth);
      if (e.of_mode == OfMode::kIn) out += " in " + sub(e.a);
      if (e.of_mode == OfMode::kAt) out += " at " + sub(e.a);
      return out + ")";
    }
    case ExprKind::kForOf:
      return "(for " + quantifier(p, e.quantifier, depth) + " of " + set_text(p, e.set, depth) +
             " " + sub(e.b) + ")";
    case ExprKind::kForIn: {
      std::string out = "(for " + quantifier(p, e.quantifier, depth);
      for (const auto& v : e.vars) out += " " + v;
      return out + " in " + sub(e.a) + " " + sub(e.b) + ")";
    }
    default:
      break;
  }
  std::string out = std::string("(") + expr_kind_name(e.kind) + " " + sub(e.a);
  if (e.b != kNoExpr) out += " " + sub(e.b);
  return out + ")";
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

std::string dump_expr(const Program& program, ExprId id) { return dump(program, id, 0); }

}  // namespace vigie::lang
