// Conditions: precedence climbing over YARA's operator table, with YARA's two kinds of
// expression kept apart.
//
// Precedence, loosest first: or; and; not/defined (prefix); == != contains icontains startswith
// istartswith endswith iendswith iequals matches; < <= > >= and the `of` of a counted quantifier;
// |; ^; &; << >>; + -; * \ %; unary - and ~; then . [] () after identifiers.
//
// YARA's grammar distinguishes "primary expressions" (numbers, strings, identifiers, #a, @a[i],
// arithmetic) from boolean-only forms ($a, comparisons, `of`, `for`, `and`, `not`...): only
// primaries may be operands of arithmetic, bitwise and comparison operators or count an `of`. So
// `1 < 2 < 3` and `$a == true` are syntax errors in YARA, and here: each parse result carries a
// `primary` flag and operators check it. Parentheses keep the flag of what they enclose, which
// lets `(1 + 2) * 3` and `($a or $b) and $c` both parse without lookahead.
//
// `%` is the remainder operator unless `of` follows it (`50% of them`), one token of lookahead.
#include <string>

#include "lang/diag_codes.h"
#include "lang/parser_impl.h"

namespace vigie::lang {
namespace {

constexpr const char* kExpectExpr = "a string, a number, an identifier or \"(\"";

enum Prec : int {
  kPrecOr = 1,
  kPrecAnd = 2,
  kPrecNot = 3,
  kPrecEq = 4,
  kPrecRel = 5,  // also `of` after a count or percentage
  kPrecBitOr = 6,
  kPrecBitXor = 7,
  kPrecBitAnd = 8,
  kPrecShift = 9,
  kPrecAdd = 10,
  kPrecMul = 11,
  kPrecUnary = 12,
};

struct InfixOp {
  int prec = 0;  // 0: not an infix operator
  ExprKind kind = ExprKind::kTrue;
  bool logical = false;     // and/or: any operands, boolean result
  bool compares = false;    // primary operands, boolean result
  bool quantifies = false;  // `of` / `% of`
};

InfixOp infix(Tok t) {
  switch (t) {
    case Tok::kOr:
      return {kPrecOr, ExprKind::kOr, true};
    case Tok::kAnd:
      return {kPrecAnd, ExprKind::kAnd, true};
    case Tok::kEq:
      return {kPrecEq, ExprKind::kEq, false, true};
    case Tok::kNe:
      return {kPrecEq, ExprKind::kNe, false, true};
    case Tok::kContains:
      return {kPrecEq, ExprKind::kContains, false, true};
    case Tok::kIContains:
      return {kPrecEq, ExprKind::kIContains, false, true};
    case Tok::kStartsWith:
      return {kPrecEq, ExprKind::kStartsWith, false, true};
    case Tok::kIStartsWith:
      return {kPrecEq, ExprKind::kIStartsWith, false, true};
    case Tok::kEndsWith:
      return {kPrecEq, ExprKind::kEndsWith, false, true};
    case Tok::kIEndsWith:
      return {kPrecEq, ExprKind::kIEndsWith, false, true};
    case Tok::kIEquals:
      return {kPrecEq, ExprKind::kIEquals, false, true};
    case Tok::kMatches:
      return {kPrecEq, ExprKind::kMatches, false, true};
    case Tok::kLt:
      return {kPrecRel, ExprKind::kLt, false, true};
    case Tok::kLe:
      return {kPrecRel, ExprKind::kLe, false, true};
    case Tok::kGt:
      return {kPrecRel, ExprKind::kGt, false, true};
    case Tok::kGe:
      return {kPrecRel, ExprKind::kGe, false, true};
    case Tok::kOf:
      return {kPrecRel, ExprKind::kOf, false, false, true};
    case Tok::kPipe:
      return {kPrecBitOr, ExprKind::kBitOr};
    case Tok::kCaret:
      return {kPrecBitXor, ExprKind::kBitXor};
    case Tok::kAmp:
      return {kPrecBitAnd, ExprKind::kBitAnd};
    case Tok::kShl:
      return {kPrecShift, ExprKind::kShl};
    case Tok::kShr:
      return {kPrecShift, ExprKind::kShr};
    case Tok::kPlus:
      return {kPrecAdd, ExprKind::kAdd};
    case Tok::kMinus:
      return {kPrecAdd, ExprKind::kSub};
    case Tok::kStar:
      return {kPrecMul, ExprKind::kMul};
    case Tok::kBackslash:
      return {kPrecMul, ExprKind::kDiv};
    case Tok::kPercent:
      return {kPrecMul, ExprKind::kMod};
    default:
      return {};
  }
}

// "$a" for $a, #a, @a, !a: references name the string by its declared identifier.
std::string string_name(std::string_view sigiled) {
  std::string s(sigiled);
  if (!s.empty()) s[0] = '$';
  return s;
}

}  // namespace

ExprId Parser::make(ExprKind kind, const Span& span, ExprId a, ExprId b) {
  Expr e;
  e.kind = kind;
  e.span = span;
  e.a = a;
  e.b = b;
  return program_.add(std::move(e));
}

Span Parser::join(const Span& first, ExprId last) const {
  Span s = first;
  const Span& l = program_.exprs[last].span;
  if (l.offset + l.length > s.offset) s.length = l.offset + l.length - s.offset;
  return s;
}

Span Parser::join(ExprId first, ExprId last) const {
  return join(program_.exprs[first].span, last);
}

ExprId Parser::parse_operand(int min_prec) {
  Span start = span();
  Token first = cur_;
  Operand o = parse_expr(min_prec);
  if (!o.primary) {
    fail(codes::kSyntax, start,
         "unexpected " + describe(first) + ", expected " + kExpectExpr +
             " (a boolean expression cannot be an operand here)");
  }
  return o.id;
}

Operand Parser::parse_expr(int min_prec) {
  DepthGuard guard(*this);
  Operand lhs = parse_prefix();
  while (true) {
    InfixOp op = infix(cur_.kind);
    bool percent_of = false;
    if (cur_.kind == Tok::kPercent && peek().kind == Tok::kOf) {
      op = {kPrecRel, ExprKind::kOf, false, false, true};
      percent_of = true;
    }
    if (op.prec == 0 || op.prec < min_prec) break;
    if (!op.logical && !lhs.primary)
      fail(codes::kSyntax, span(),
           "unexpected " + describe(cur_) +
               " after a boolean expression, expected \"and\", "
               "\"or\" or the end of the condition");
    if (op.quantifies) {
      Quantifier q;
      q.kind = percent_of ? QuantifierKind::kPercent : QuantifierKind::kExpr;
      q.expr = lhs.id;
      if (percent_of) {
        const Expr& e = program_.exprs[lhs.id];
        if (e.kind == ExprKind::kInteger && (e.integer < 1 || e.integer > 100))
          report(Severity::kError, codes::kBadPercentage, e.span,
                 "percentage must be between 1 and 100, not " + std::to_string(e.integer));
        advance();  // %
      }
      lhs = {parse_of(q, program_.exprs[lhs.id].span), false};
      continue;
    }
    advance();
    ExprId rhs;
    if (op.logical) {
      rhs = parse_expr(op.prec + 1).id;
    } else if (op.kind == ExprKind::kMatches) {
      if (!at(Tok::kRegex)) unexpected("a regular expression");
      Expr e;
      e.kind = ExprKind::kRegex;
      e.span = span();
      e.text = cur_.value;
      e.regex_flags = cur_.regex_flags;
      rhs = program_.add(std::move(e));
      advance();
    } else {
      rhs = parse_operand(op.prec + 1);
    }
    lhs = {make(op.kind, join(lhs.id, rhs), lhs.id, rhs), !op.logical && !op.compares};
  }
  return lhs;
}

Operand Parser::parse_prefix() {
  Span start = span();
  switch (cur_.kind) {
    case Tok::kNot:
    case Tok::kDefined: {
      ExprKind k = at(Tok::kNot) ? ExprKind::kNot : ExprKind::kDefined;
      advance();
      ExprId a = parse_expr(kPrecEq).id;
      return {make(k, join(start, a), a), false};
    }
    case Tok::kMinus:
    case Tok::kTilde: {
      ExprKind k = at(Tok::kMinus) ? ExprKind::kNeg : ExprKind::kBitNot;
      advance();
      ExprId a = parse_operand(kPrecUnary);
      return {make(k, join(start, a), a), true};
    }
    case Tok::kLParen: {
      advance();
      Operand inner = parse_expr(0);
      if (!at(Tok::kRParen)) unexpected("an operator or \")\"");
      advance();
      return inner;
    }
    case Tok::kTrue:
    case Tok::kFalse: {
      ExprKind k = at(Tok::kTrue) ? ExprKind::kTrue : ExprKind::kFalse;
      advance();
      return {make(k, start), false};
    }
    case Tok::kInteger: {
      Expr e;
      e.kind = ExprKind::kInteger;
      e.span = start;
      e.integer = cur_.integer;
      advance();
      return {program_.add(std::move(e)), true};
    }
    case Tok::kFloat: {
      Expr e;
      e.kind = ExprKind::kFloat;
      e.span = start;
      e.real = cur_.real;
      advance();
      return {program_.add(std::move(e)), true};
    }
    case Tok::kText:
    case Tok::kRegex: {
      Expr e;
      e.kind = at(Tok::kText) ? ExprKind::kString : ExprKind::kRegex;
      e.span = start;
      e.text = cur_.value;
      e.regex_flags = cur_.regex_flags;
      advance();
      return {program_.add(std::move(e)), true};
    }
    case Tok::kFilesize:
      advance();
      return {make(ExprKind::kFilesize, start), true};
    case Tok::kEntrypoint:
      advance();
      return {make(ExprKind::kEntrypoint, start), true};
    case Tok::kIdentifier:
      return {parse_identifier_chain(), true};
    case Tok::kStringId:
    case Tok::kStringCount:
    case Tok::kStringOffset:
    case Tok::kStringLength:
      return parse_string_ref();
    case Tok::kAll:
    case Tok::kAny:
    case Tok::kNone: {
      Quantifier q;
      q.kind = at(Tok::kAll)   ? QuantifierKind::kAll
               : at(Tok::kAny) ? QuantifierKind::kAny
                               : QuantifierKind::kNone;
      advance();
      if (!at(Tok::kOf)) unexpected("\"of\"");
      return {parse_of(q, start), false};
    }
    case Tok::kFor:
      return {parse_for(), false};
    default:
      break;
  }
  if (is_int_read(cur_.kind)) {
    Expr e;
    e.kind = ExprKind::kReadInt;
    e.text = std::string(cur_.text);
    advance();
    expect(Tok::kLParen, "\"(\"");
    e.a = parse_operand(kPrecBitOr);
    if (!at(Tok::kRParen)) unexpected("an operator or \")\"");
    advance();
    e.span = start;
    e.span.length = prev_end_ - start.offset;
    return {program_.add(std::move(e)), true};
  }
  unexpected(kExpectExpr);
}

ExprId Parser::parse_identifier_chain() {
  Expr id;
  id.kind = ExprKind::kIdentifier;
  id.span = span();
  id.text = std::string(cur_.text);
  Span start = id.span;
  ExprId e = program_.add(std::move(id));
  advance();
  while (true) {
    if (at(Tok::kDot)) {
      advance();
      if (!at(Tok::kIdentifier)) unexpected("a field name");
      Expr f;
      f.kind = ExprKind::kField;
      f.a = e;
      f.text = std::string(cur_.text);
      f.span = start;
      f.span.length = cur_.offset + cur_.length - start.offset;
      e = program_.add(std::move(f));
      advance();
    } else if (at(Tok::kLBracket)) {
      advance();
      ExprId index = parse_operand(kPrecBitOr);
      if (!at(Tok::kRBracket)) unexpected("an operator or \"]\"");
      advance();
      Span s = start;
      s.length = prev_end_ - start.offset;
      e = make(ExprKind::kIndex, s, e, index);
    } else if (at(Tok::kLParen)) {
      advance();
      std::vector<ExprId> args;
      if (!at(Tok::kRParen)) {
        while (true) {
          args.push_back(parse_expr(0).id);
          if (accept(Tok::kComma)) continue;
          if (!at(Tok::kRParen)) unexpected("\",\" or \")\"");
          break;
        }
      }
      advance();
      Span s = start;
      s.length = prev_end_ - start.offset;
      ExprId call = make(ExprKind::kCall, s, e);
      program_.exprs[call].list = std::move(args);
      e = call;
    } else {
      return e;
    }
  }
}

Operand Parser::parse_string_ref() {
  Tok kind = cur_.kind;
  Span start = span();
  std::string name = string_name(cur_.text);
  if (name == "$") {
    if (in_for_of_ == 0)
      report(Severity::kError, codes::kAnonymousOutsideFor, start,
             "anonymous string reference \"" + std::string(cur_.text) +
                 "\" outside of a \"for ... of\" loop");
  } else {
    refs_.push_back(Ref{name, start, false});
  }
  advance();
  Expr e;
  e.text = std::move(name);
  e.span = start;
  bool primary = true;
  switch (kind) {
    case Tok::kStringId:
      primary = false;
      e.kind = ExprKind::kStringMatch;
      if (accept(Tok::kAt)) {
        e.kind = ExprKind::kStringAt;
        e.a = parse_operand(kPrecBitOr);
      } else if (at(Tok::kIn)) {
        advance();
        e.kind = ExprKind::kStringIn;
        e.a = parse_range();
      }
      break;
    case Tok::kStringCount:
      e.kind = ExprKind::kStringCount;
      if (accept(Tok::kIn)) e.a = parse_range();
      break;
    default:
      e.kind = kind == Tok::kStringOffset ? ExprKind::kStringOffset : ExprKind::kStringLength;
      if (accept(Tok::kLBracket)) {
        e.a = parse_operand(kPrecBitOr);
        if (!at(Tok::kRBracket)) unexpected("an operator or \"]\"");
        advance();
      }
      break;
  }
  e.span.length = prev_end_ - start.offset;
  return {program_.add(std::move(e)), primary};
}

ExprId Parser::parse_range() {
  Span start = span();
  expect(Tok::kLParen, "\"(\"");
  ExprId lo = parse_operand(kPrecBitOr);
  if (!at(Tok::kDotDot)) unexpected("\"..\"");
  advance();
  ExprId hi = parse_operand(kPrecBitOr);
  if (!at(Tok::kRParen)) unexpected("an operator or \")\"");
  advance();
  Span s = start;
  s.length = prev_end_ - start.offset;
  return make(ExprKind::kRange, s, lo, hi);
}

// `of` and what follows it; the quantifier has been read and cur_ is `of`.
ExprId Parser::parse_of(Quantifier q, const Span& start) {
  expect(Tok::kOf);
  Expr e;
  e.kind = ExprKind::kOf;
  e.quantifier = q;
  bool strings = false;
  parse_set(e.set, strings);
  if (strings && at(Tok::kIn)) {
    advance();
    e.of_mode = OfMode::kIn;
    e.a = parse_range();
  } else if (strings && at(Tok::kAt)) {
    advance();
    e.of_mode = OfMode::kAt;
    e.a = parse_operand(kPrecBitOr);
  }
  e.span = start;
  e.span.length = prev_end_ - start.offset;
  return program_.add(std::move(e));
}

// The set after `of`: `them`, or a parenthesised list of string identifiers (with wildcards),
// of rule names (with wildcards), or of boolean expressions. A list is read item by item; an
// item that is not a bare name turns the list into an expression set, and the names read so far
// become expressions ($a a string match, a name an identifier).
void Parser::parse_set(StringSet& set, bool& is_string_set) {
  is_string_set = false;
  if (at(Tok::kThem)) {
    refs_.push_back(Ref{"them", span(), false});
    set.kind = StringSet::Kind::kThem;
    advance();
    is_string_set = true;
    return;
  }
  if (!at(Tok::kLParen)) unexpected("\"them\" or \"(\"");
  advance();
  struct Item {
    std::string name;
    Span span;
    bool string = false, wildcard = false;
    ExprId expr = kNoExpr;
  };
  std::vector<Item> items;
  bool any_expr = false;
  while (true) {
    Item it;
    it.span = span();
    Tok k = cur_.kind;
    if ((k == Tok::kStringId || k == Tok::kStringIdWildcard) &&
        (peek().kind == Tok::kComma || peek().kind == Tok::kRParen)) {
      it.name = std::string(cur_.text);
      it.string = true;
      it.wildcard = k == Tok::kStringIdWildcard;
      if (it.name == "$" && !it.wildcard)
        report(Severity::kError, codes::kAnonymousOutsideFor, it.span,
               "anonymous string \"$\" cannot be part of a string set");
      advance();
    } else if (k == Tok::kIdentifier &&
               (peek().kind == Tok::kComma || peek().kind == Tok::kRParen ||
                peek().kind == Tok::kStar)) {
      it.name = std::string(cur_.text);
      advance();
      if (accept(Tok::kStar)) {
        it.wildcard = true;
        it.name += '*';
        it.span.length = prev_end_ - it.span.offset;
        if (!at(Tok::kComma) && !at(Tok::kRParen)) unexpected("\",\" or \")\"");
      }
    } else {
      it.expr = parse_expr(0).id;
      any_expr = true;
    }
    items.push_back(std::move(it));
    if (accept(Tok::kComma)) continue;
    if (!at(Tok::kRParen)) unexpected("\",\" or \")\"");
    advance();
    break;
  }
  bool all_strings = true, all_rules = true;
  for (const Item& it : items) {
    all_strings &= it.string;
    all_rules &= !it.string && it.expr == kNoExpr;
  }
  if (!any_expr && all_strings) {
    set.kind = StringSet::Kind::kStrings;
    is_string_set = true;
    for (Item& it : items) {
      if (it.name != "$") refs_.push_back(Ref{it.name, it.span, it.wildcard});
      set.items.push_back(std::move(it.name));
      set.item_spans.push_back(it.span);
    }
    return;
  }
  if (!any_expr && all_rules) {
    set.kind = StringSet::Kind::kRules;
    for (Item& it : items) {
      set.items.push_back(std::move(it.name));
      set.item_spans.push_back(it.span);
    }
    return;
  }
  set.kind = StringSet::Kind::kExpressions;
  for (Item& it : items) {
    if (it.expr == kNoExpr) {
      if (it.wildcard)
        fail(codes::kSyntax, it.span,
             "wildcard \"" + it.name + "\" cannot be mixed with expressions in a set");
      if (it.string) {
        if (it.name != "$") refs_.push_back(Ref{it.name, it.span, false});
        Expr e;
        e.kind = ExprKind::kStringMatch;
        e.text = it.name;
        e.span = it.span;
        it.expr = program_.add(std::move(e));
      } else {
        Expr e;
        e.kind = ExprKind::kIdentifier;
        e.text = it.name;
        e.span = it.span;
        it.expr = program_.add(std::move(e));
      }
    }
    set.exprs.push_back(it.expr);
  }
}

ExprId Parser::parse_for() {
  Span start = span();
  advance();  // for
  Quantifier q;
  if (at(Tok::kAll) || at(Tok::kAny) || at(Tok::kNone)) {
    q.kind = at(Tok::kAll)   ? QuantifierKind::kAll
             : at(Tok::kAny) ? QuantifierKind::kAny
                             : QuantifierKind::kNone;
    advance();
  } else {
    q.kind = QuantifierKind::kExpr;
    q.expr = parse_operand(kPrecBitOr);
  }
  Expr e;
  e.quantifier = q;
  if (accept(Tok::kOf)) {
    e.kind = ExprKind::kForOf;
    bool strings = false;
    Span set_at = span();
    parse_set(e.set, strings);
    if (!strings)
      fail(codes::kSyntax, set_at,
           "\"for ... of\" needs a set of strings: \"them\" or a list of string identifiers");
    expect(Tok::kColon, "\":\"");
    expect(Tok::kLParen, "\"(\"");
    ++in_for_of_;
    e.b = parse_expr(0).id;
    --in_for_of_;
  } else {
    e.kind = ExprKind::kForIn;
    if (!at(Tok::kIdentifier)) unexpected("\"of\" or a loop variable");
    e.vars.emplace_back(cur_.text);
    advance();
    if (accept(Tok::kComma)) {
      if (!at(Tok::kIdentifier)) unexpected("a loop variable");
      e.vars.emplace_back(cur_.text);
      advance();
    }
    expect(Tok::kIn, "\"in\"");
    // The iterable: a range, an enumeration, or an array or dictionary expression.
    if (at(Tok::kLParen)) {
      Span open = span();
      advance();
      ExprId first = parse_operand(kPrecBitOr);
      if (accept(Tok::kDotDot)) {
        ExprId hi = parse_operand(kPrecBitOr);
        if (!at(Tok::kRParen)) unexpected("an operator or \")\"");
        advance();
        Span s = open;
        s.length = prev_end_ - open.offset;
        e.a = make(ExprKind::kRange, s, first, hi);
      } else {
        std::vector<ExprId> list{first};
        while (accept(Tok::kComma)) list.push_back(parse_operand(kPrecBitOr));
        if (!at(Tok::kRParen)) unexpected("\",\", \"..\" or \")\"");
        advance();
        Span s = open;
        s.length = prev_end_ - open.offset;
        e.a = make(ExprKind::kEnumeration, s);
        program_.exprs[e.a].list = std::move(list);
      }
    } else {
      e.a = parse_operand(kPrecBitOr);
    }
    expect(Tok::kColon, "\":\"");
    expect(Tok::kLParen, "\"(\"");
    e.b = parse_expr(0).id;
  }
  if (!at(Tok::kRParen)) unexpected("an operator or \")\"");
  advance();
  e.span = start;
  e.span.length = prev_end_ - start.offset;
  return program_.add(std::move(e));
}

}  // namespace vigie::lang
