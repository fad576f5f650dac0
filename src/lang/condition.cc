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
//
// Nesting is bounded by ParseOptions::max_depth (DepthGuard in parse_expr). The default, 2000,
// must fit the stack even in sanitizer builds, so the functions that recurse keep their frames
// small: nodes are built by out-of-line helpers or on the heap, error messages are composed in
// out-of-line failure functions, and no Token or Expr is ever a local of the recursion.
#include <memory>
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
  bool quantifies = false;  // `of` after a count
  bool percent = false;     // `% of`
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

QuantifierKind keyword_quantifier(Tok t) {
  return t == Tok::kAll   ? QuantifierKind::kAll
         : t == Tok::kAny ? QuantifierKind::kAny
                          : QuantifierKind::kNone;
}

// "$a" for $a, #a, @a, !a: references name the string by its declared identifier.
std::string string_name(std::string_view sigiled) {
  std::string s(sigiled);
  if (!s.empty()) s[0] = '$';
  return s;
}

}  // namespace

// One item of a parenthesised set while it is read: a bare name ($a, $a*, rule, rule*) or an
// expression.
struct SetItem {
  std::string name;
  Span span;
  bool string = false, wildcard = false;
  ExprId expr = kNoExpr;
};

// ---- Node builders and failure paths (out of line) ----

ExprId Parser::make(ExprKind kind, const Span& span, ExprId a, ExprId b) {
  Expr e;
  e.kind = kind;
  e.span = span;
  e.a = a;
  e.b = b;
  return program_.add(std::move(e));
}

uint32_t Parser::end_of(ExprId e) const {
  const Span& s = program_.exprs[e].span;
  return s.offset + s.length;
}

ExprId Parser::make_binary(ExprKind kind, ExprId a, ExprId b) {
  Span s = program_.exprs[a].span;
  uint32_t end = end_of(b);
  if (end > s.offset) s.length = end - s.offset;
  return make(kind, s, a, b);
}

ExprId Parser::make_regex_operand() {
  if (!at(Tok::kRegex)) unexpected("a regular expression");
  Expr e;
  e.kind = ExprKind::kRegex;
  e.span = span();
  e.text = cur_.value;
  e.regex_flags = cur_.regex_flags;
  advance();
  return program_.add(std::move(e));
}

Operand Parser::parse_literal() {
  Expr e;
  e.span = span();
  bool primary = true;
  switch (cur_.kind) {
    case Tok::kTrue:
    case Tok::kFalse:
      e.kind = at(Tok::kTrue) ? ExprKind::kTrue : ExprKind::kFalse;
      primary = false;
      break;
    case Tok::kInteger:
      e.kind = ExprKind::kInteger;
      e.integer = cur_.integer;
      break;
    case Tok::kFloat:
      e.kind = ExprKind::kFloat;
      e.real = cur_.real;
      break;
    case Tok::kText:
      e.kind = ExprKind::kString;
      e.text = cur_.value;
      break;
    case Tok::kRegex:
      e.kind = ExprKind::kRegex;
      e.text = cur_.value;
      e.regex_flags = cur_.regex_flags;
      break;
    case Tok::kFilesize:
      e.kind = ExprKind::kFilesize;
      break;
    case Tok::kEntrypoint:
      e.kind = ExprKind::kEntrypoint;
      break;
    default:
      unexpected(kExpectExpr);
  }
  advance();
  return {program_.add(std::move(e)), primary};
}

// Records the reference for check_rule, and builds the node of a plain $a/#a/@a/!a; the caller
// adds what follows (at, in, [index]).
ExprId Parser::make_string_ref() {
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
  Expr e;
  switch (cur_.kind) {
    case Tok::kStringId:
      e.kind = ExprKind::kStringMatch;
      break;
    case Tok::kStringCount:
      e.kind = ExprKind::kStringCount;
      break;
    case Tok::kStringOffset:
      e.kind = ExprKind::kStringOffset;
      break;
    default:
      e.kind = ExprKind::kStringLength;
      break;
  }
  e.text = std::move(name);
  e.span = start;
  advance();
  return program_.add(std::move(e));
}

void Parser::check_percentage(ExprId id) {
  const Expr& e = program_.exprs[id];
  if (e.kind == ExprKind::kInteger && (e.integer < 1 || e.integer > 100))
    report(Severity::kError, codes::kBadPercentage, e.span,
           "percentage must be between 1 and 100, not " + std::to_string(e.integer));
}

void Parser::fail_boolean_lhs() {
  fail(codes::kSyntax, span(),
       "unexpected " + describe(cur_) +
           " after a boolean expression, expected \"and\", \"or\" or the end of the condition");
}

void Parser::fail_not_operand(const Span& at, Tok kind, std::string_view text) {
  fail(codes::kSyntax, at,
       "unexpected " + describe(kind, text) + ", expected " + kExpectExpr +
           " (a boolean expression cannot be an operand here)");
}

void Parser::fail_nested_for_of(const Span& at) {
  Span s = at;
  s.length = 3;  // "for"
  fail(codes::kNestedForOf, s, "\"for ... of\" loops cannot be nested");
}

void Parser::fail_not_string_set(const Span& at) {
  fail(codes::kSyntax, at,
       "\"for ... of\" needs a set of strings: \"them\" or a list of string identifiers");
}

// ---- The recursion ----

ExprId Parser::parse_operand(int min_prec) {
  Span start = span();
  Tok kind = cur_.kind;
  std::string_view text = cur_.text;
  Operand o = parse_expr(min_prec);
  if (!o.primary) fail_not_operand(start, kind, text);
  return o.id;
}

Operand Parser::parse_expr(int min_prec) {
  DepthGuard guard(*this);
  Operand lhs = parse_prefix();
  while (true) {
    InfixOp op = infix(cur_.kind);
    if (op.kind == ExprKind::kMod && peek().kind == Tok::kOf) {
      op = {kPrecRel, ExprKind::kOf, false, false, true, true};
    }
    if (op.prec == 0 || op.prec < min_prec) break;
    if (!op.logical && !lhs.primary) fail_boolean_lhs();
    if (op.quantifies) {
      Quantifier q;
      q.kind = op.percent ? QuantifierKind::kPercent : QuantifierKind::kExpr;
      q.expr = lhs.id;
      if (op.percent) {
        check_percentage(lhs.id);
        advance();  // %
      }
      Span start = program_.exprs[lhs.id].span;
      lhs = {parse_of(q, start), false};
      continue;
    }
    advance();
    ExprId rhs;
    if (op.logical)
      rhs = parse_expr(op.prec + 1).id;
    else if (op.kind == ExprKind::kMatches)
      rhs = make_regex_operand();
    else
      rhs = parse_operand(op.prec + 1);
    lhs = {make_binary(op.kind, lhs.id, rhs), !op.logical && !op.compares};
  }
  return lhs;
}

Operand Parser::parse_prefix() {
  switch (cur_.kind) {
    case Tok::kNot:
    case Tok::kDefined:
    case Tok::kMinus:
    case Tok::kTilde:
      return parse_unary();
    case Tok::kLParen:
      return parse_paren();
    case Tok::kIdentifier:
      return {parse_identifier_chain(), true};
    case Tok::kStringId:
    case Tok::kStringCount:
    case Tok::kStringOffset:
    case Tok::kStringLength:
      return parse_string_ref();
    case Tok::kAll:
    case Tok::kAny:
    case Tok::kNone:
      return {parse_quantified_of(), false};
    case Tok::kFor:
      return {parse_for(), false};
    default:
      if (is_int_read(cur_.kind)) return {parse_int_read(), true};
      return parse_literal();
  }
}

Operand Parser::parse_unary() {
  Span start = span();
  Tok t = cur_.kind;
  advance();
  if (t == Tok::kNot || t == Tok::kDefined) {
    ExprId a = parse_expr(kPrecEq).id;
    Span s = start;
    s.length = end_of(a) - start.offset;
    return {make(t == Tok::kNot ? ExprKind::kNot : ExprKind::kDefined, s, a), false};
  }
  ExprId a = parse_operand(kPrecUnary);
  Span s = start;
  s.length = end_of(a) - start.offset;
  return {make(t == Tok::kMinus ? ExprKind::kNeg : ExprKind::kBitNot, s, a), true};
}

// Parentheses keep the kind (primary or boolean) of what they enclose, and are not nodes of
// their own: the enclosed node's span grows to include them, so that spans built on it stay
// balanced.
Operand Parser::parse_paren() {
  Span open = span();
  advance();
  Operand inner = parse_expr(0);
  if (!at(Tok::kRParen)) unexpected("an operator or \")\"");
  advance();
  Span& s = program_.exprs[inner.id].span;
  s.offset = open.offset;
  s.line = open.line;
  s.column = open.column;
  s.length = prev_end_ - open.offset;
  return inner;
}

ExprId Parser::parse_int_read() {
  Span start = span();
  ExprId id = make(ExprKind::kReadInt, start);
  program_.exprs[id].text = std::string(cur_.text);
  advance();
  expect(Tok::kLParen, "\"(\"");
  ExprId offset = parse_operand(kPrecBitOr);
  if (!at(Tok::kRParen)) unexpected("an operator or \")\"");
  advance();
  Expr& e = program_.exprs[id];
  e.a = offset;
  e.span.length = prev_end_ - start.offset;
  return id;
}

ExprId Parser::parse_identifier_chain() {
  Span start = span();
  ExprId e = make(ExprKind::kIdentifier, start);
  program_.exprs[e].text = std::string(cur_.text);
  advance();
  while (true) {
    if (at(Tok::kDot)) {
      advance();
      if (!at(Tok::kIdentifier)) unexpected("a field name");
      Span s = start;
      s.length = cur_.offset + cur_.length - start.offset;
      e = make(ExprKind::kField, s, e);
      program_.exprs[e].text = std::string(cur_.text);
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
      auto args = std::make_unique<std::vector<ExprId>>();
      if (!at(Tok::kRParen)) {
        while (true) {
          args->push_back(parse_expr(0).id);
          if (accept(Tok::kComma)) continue;
          if (!at(Tok::kRParen)) unexpected("\",\" or \")\"");
          break;
        }
      }
      advance();
      Span s = start;
      s.length = prev_end_ - start.offset;
      e = make(ExprKind::kCall, s, e);
      program_.exprs[e].list = std::move(*args);
    } else {
      return e;
    }
  }
}

Operand Parser::parse_string_ref() {
  Tok kind = cur_.kind;
  uint32_t start = cur_.offset;
  ExprId id = make_string_ref();
  ExprId sub = kNoExpr;
  bool primary = true;
  switch (kind) {
    case Tok::kStringId:
      primary = false;
      if (accept(Tok::kAt)) {
        sub = parse_operand(kPrecBitOr);
        program_.exprs[id].kind = ExprKind::kStringAt;
      } else if (accept(Tok::kIn)) {
        sub = parse_range();
        program_.exprs[id].kind = ExprKind::kStringIn;
      }
      break;
    case Tok::kStringCount:
      if (accept(Tok::kIn)) sub = parse_range();
      break;
    default:
      if (accept(Tok::kLBracket)) {
        sub = parse_operand(kPrecBitOr);
        if (!at(Tok::kRBracket)) unexpected("an operator or \"]\"");
        advance();
      }
      break;
  }
  Expr& e = program_.exprs[id];
  e.a = sub;
  e.span.length = prev_end_ - start;
  return {id, primary};
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

ExprId Parser::parse_quantified_of() {
  Span start = span();
  Quantifier q;
  q.kind = keyword_quantifier(cur_.kind);
  advance();
  if (!at(Tok::kOf)) unexpected("\"of\"");
  return parse_of(q, start);
}

// `of` and what follows it; the quantifier has been read and cur_ is `of`.
ExprId Parser::parse_of(const Quantifier& q, const Span& start) {
  advance();  // of
  bool strings = false;
  std::unique_ptr<StringSet> set = parse_set(strings);
  OfMode mode = OfMode::kPlain;
  ExprId where = kNoExpr;
  if (strings && accept(Tok::kIn)) {
    mode = OfMode::kIn;
    where = parse_range();
  } else if (strings && accept(Tok::kAt)) {
    mode = OfMode::kAt;
    where = parse_operand(kPrecBitOr);
  }
  Span s = start;
  s.length = prev_end_ - start.offset;
  ExprId id = make(ExprKind::kOf, s, where);
  Expr& e = program_.exprs[id];
  e.quantifier = q;
  e.set = std::move(*set);
  e.of_mode = mode;
  return id;
}

// Reads a bare name item ($a, $a*, rule, rule*) followed by "," or ")"; false if the item is
// an expression instead (nothing consumed then).
bool Parser::read_set_name(std::vector<SetItem>& items) {
  SetItem it;
  it.span = span();
  Tok k = cur_.kind;
  Tok n = peek().kind;
  if ((k == Tok::kStringId || k == Tok::kStringIdWildcard) &&
      (n == Tok::kComma || n == Tok::kRParen)) {
    it.name = std::string(cur_.text);
    it.string = true;
    it.wildcard = k == Tok::kStringIdWildcard;
    if (it.name == "$")
      report(Severity::kError, codes::kAnonymousOutsideFor, it.span,
             "anonymous string \"$\" cannot be part of a string set");
    advance();
  } else if (k == Tok::kIdentifier && (n == Tok::kComma || n == Tok::kRParen || n == Tok::kStar)) {
    it.name = std::string(cur_.text);
    advance();
    if (accept(Tok::kStar)) {
      it.wildcard = true;
      it.name += '*';
      it.span.length = prev_end_ - it.span.offset;
      if (!at(Tok::kComma) && !at(Tok::kRParen)) unexpected("\",\" or \")\"");
    }
  } else {
    return false;
  }
  items.push_back(std::move(it));
  return true;
}

// The set after `of`: `them`, or a parenthesised list of string identifiers (with wildcards),
// of rule names (with wildcards), or of boolean expressions. A list is read item by item; an
// item that is not a bare name makes it an expression set, and the names read so far become
// expressions ($a a string match, a name an identifier).
std::unique_ptr<StringSet> Parser::parse_set(bool& is_string_set) {
  auto set = std::make_unique<StringSet>();
  is_string_set = false;
  if (at(Tok::kThem)) {
    refs_.push_back(Ref{"them", span(), false});
    set->kind = StringSet::Kind::kThem;
    advance();
    is_string_set = true;
    return set;
  }
  if (!at(Tok::kLParen)) unexpected("\"them\" or \"(\"");
  advance();
  auto items = std::make_unique<std::vector<SetItem>>();
  while (true) {
    if (!read_set_name(*items)) {
      ExprId e = parse_expr(0).id;
      items->emplace_back();
      items->back().expr = e;
    }
    if (accept(Tok::kComma)) continue;
    if (!at(Tok::kRParen)) unexpected("\",\" or \")\"");
    advance();
    break;
  }
  finish_set(*items, *set, is_string_set);
  return set;
}

void Parser::finish_set(std::vector<SetItem>& items, StringSet& set, bool& is_string_set) {
  bool all_strings = true, all_rules = true;
  for (const SetItem& it : items) {
    all_strings &= it.string;
    all_rules &= !it.string && it.expr == kNoExpr;
  }
  if (all_strings || all_rules) {
    set.kind = all_strings ? StringSet::Kind::kStrings : StringSet::Kind::kRules;
    is_string_set = all_strings;
    for (SetItem& it : items) {
      if (all_strings && it.name != "$") refs_.push_back(Ref{it.name, it.span, it.wildcard});
      set.items.push_back(std::move(it.name));
      set.item_spans.push_back(it.span);
    }
    return;
  }
  set.kind = StringSet::Kind::kExpressions;
  for (SetItem& it : items) {
    if (it.expr == kNoExpr) {
      if (it.wildcard)
        fail(codes::kSyntax, it.span,
             "wildcard \"" + it.name + "\" cannot be mixed with expressions in a set");
      if (it.string && it.name != "$") refs_.push_back(Ref{it.name, it.span, false});
      it.expr = make(it.string ? ExprKind::kStringMatch : ExprKind::kIdentifier, it.span);
      program_.exprs[it.expr].text = it.name;
    }
    set.exprs.push_back(it.expr);
  }
}

ExprId Parser::parse_for() {
  Span start = span();
  advance();  // for
  auto e = std::make_unique<Expr>();
  if (at(Tok::kAll) || at(Tok::kAny) || at(Tok::kNone)) {
    e->quantifier.kind = keyword_quantifier(cur_.kind);
    advance();
  } else {
    e->quantifier.kind = QuantifierKind::kExpr;
    e->quantifier.expr = parse_operand(kPrecBitOr);
  }
  if (at(Tok::kOf)) {
    if (in_for_of_ > 0) fail_nested_for_of(start);
    advance();
    e->kind = ExprKind::kForOf;
    bool strings = false;
    Span set_at = span();
    std::unique_ptr<StringSet> set = parse_set(strings);
    if (!strings) fail_not_string_set(set_at);
    e->set = std::move(*set);
    expect(Tok::kColon, "\":\"");
    expect(Tok::kLParen, "\"(\"");
    ++in_for_of_;
    e->b = parse_expr(0).id;
    --in_for_of_;
  } else {
    e->kind = ExprKind::kForIn;
    if (!at(Tok::kIdentifier)) unexpected("\"of\" or a loop variable");
    e->vars.emplace_back(cur_.text);
    advance();
    if (accept(Tok::kComma)) {
      if (!at(Tok::kIdentifier)) unexpected("a loop variable");
      e->vars.emplace_back(cur_.text);
      advance();
    }
    expect(Tok::kIn, "\"in\"");
    e->a = parse_for_iterable();
    ExprKind iterable = program_.exprs[e->a].kind;
    if (e->vars.size() == 2 && (iterable == ExprKind::kRange || iterable == ExprKind::kEnumeration))
      report(Severity::kError, codes::kLoopVariables, program_.exprs[e->a].span,
             "a range or an enumeration gives one value per iteration, but the loop has two "
             "variables");
    expect(Tok::kColon, "\":\"");
    expect(Tok::kLParen, "\"(\"");
    e->b = parse_expr(0).id;
  }
  if (!at(Tok::kRParen)) unexpected("an operator or \")\"");
  advance();
  e->span = start;
  e->span.length = prev_end_ - start.offset;
  return program_.add(std::move(*e));
}

// The iterable of a for-in: a range, an enumeration, or an array or dictionary expression.
ExprId Parser::parse_for_iterable() {
  if (at(Tok::kIdentifier)) return parse_identifier_chain();
  if (!at(Tok::kLParen)) unexpected("a range, an enumeration or an array or dictionary");
  Span open = span();
  advance();
  ExprId first = parse_operand(kPrecBitOr);
  if (accept(Tok::kDotDot)) {
    ExprId hi = parse_operand(kPrecBitOr);
    if (!at(Tok::kRParen)) unexpected("an operator or \")\"");
    advance();
    Span s = open;
    s.length = prev_end_ - open.offset;
    return make(ExprKind::kRange, s, first, hi);
  }
  auto list = std::make_unique<std::vector<ExprId>>(1, first);
  while (accept(Tok::kComma)) list->push_back(parse_operand(kPrecBitOr));
  if (!at(Tok::kRParen)) unexpected("\",\", \"..\" or \")\"");
  advance();
  Span s = open;
  s.length = prev_end_ - open.offset;
  ExprId id = make(ExprKind::kEnumeration, s);
  program_.exprs[id].list = std::move(*list);
  return id;
}

}  // namespace vigie::lang
