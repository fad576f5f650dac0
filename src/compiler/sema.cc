// Semantic analysis of conditions: AST expressions in, typed IR out (see sema.h, ir.h).
//
// One Checker per rule walks the condition's AST. Every visit returns a Val: the instruction it
// emitted and the type of the value, or an invalid Val after reporting an error (the caller then
// gives up on the enclosing expression without piling up follow-on errors). Types follow YARA:
// integers and floats mix in arithmetic and comparisons (ints are widened), booleans are
// integers 0/1, strings compare with strings, `and`/`or`/`not` accept any scalar.
//
// The walk is recursive; its depth is checked against max_condition_depth so a hostile
// condition of thousands of nested parentheses is an error, not a stack overflow.
#include "compiler/sema.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "compiler/sema_codes.h"
#include "lang/diagnose.h"
#include "modules/module.h"

namespace vigie::sema {

using lang::Expr;
using lang::ExprId;
using lang::ExprKind;

namespace {

struct Val {
  uint32_t insn = ir::kNone;
  ir::Type type = ir::Type::kBool;
  const mod::Type* mtype = nullptr;  // kObject: the module type (struct, array, dictionary)
  bool ok() const { return insn != ir::kNone; }
};

bool is_numeric(ir::Type t) {
  return t == ir::Type::kInt || t == ir::Type::kFloat || t == ir::Type::kBool;
}
bool is_integer(ir::Type t) { return t == ir::Type::kInt || t == ir::Type::kBool; }
bool is_scalar(ir::Type t) { return t != ir::Type::kObject && t != ir::Type::kRegex; }

const char* type_name(ir::Type t) {
  switch (t) {
    case ir::Type::kBool:
      return "boolean";
    case ir::Type::kInt:
      return "integer";
    case ir::Type::kFloat:
      return "float";
    case ir::Type::kString:
      return "string";
    case ir::Type::kRegex:
      return "regular expression";
    case ir::Type::kObject:
      return "structure";
  }
  return "?";
}

ir::Type scalar_type(mod::Kind k) {
  switch (k) {
    case mod::Kind::kInteger:
      return ir::Type::kInt;
    case mod::Kind::kFloat:
      return ir::Type::kFloat;
    case mod::Kind::kString:
      return ir::Type::kString;
    default:
      return ir::Type::kObject;
  }
}

class Checker {
 public:
  Checker(const lang::Program& program, const lang::Rule& rule, uint32_t rule_index, uint32_t ns,
          const CompilerOptions& options, State& state, std::vector<Diagnostic>& diags,
          const std::unordered_map<std::string, uint32_t>& rule_strings,
          const std::vector<std::string>& imports, const std::vector<std::string>& unknown_imports)
      : p_(program),
        rule_(rule),
        rule_index_(rule_index),
        ns_(ns),
        options_(options),
        st_(state),
        out_(*state.out),
        diags_(diags),
        rule_strings_(rule_strings),
        imports_(imports),
        unknown_imports_(unknown_imports) {}

  uint32_t compile_condition() {
    Val v = expr(rule_.condition, 0);
    if (!v.ok()) return ir::kNone;
    if (!is_scalar(v.type)) {
      error(rule_.condition, codes::kWrongType,
            std::string("a condition must be a boolean expression, not a ") + type_name(v.type));
      return ir::kNone;
    }
    return to_bool(v).insn;
  }

  uint32_t slots_used() const { return max_slot_; }
  bool failed() const { return failed_; }

 private:
  // ---- emission helpers -------------------------------------------------------------------
  uint32_t emit(const ir::Insn& insn) {
    out_.code.push_back(insn);
    return static_cast<uint32_t>(out_.code.size() - 1);
  }
  Val make(ir::Op op, ir::Type type, uint32_t a = ir::kNone, uint32_t b = ir::kNone) {
    ir::Insn i;
    i.op = op;
    i.type = type;
    i.a = a;
    i.b = b;
    return Val{emit(i), type};
  }
  Val const_int(int64_t v, ir::Type type = ir::Type::kInt) {
    ir::Insn i;
    i.op = ir::Op::kConstInt;
    i.type = type;
    i.i = v;
    return Val{emit(i), type};
  }
  Val const_float(double v) {
    ir::Insn i;
    i.op = ir::Op::kConstFloat;
    i.type = ir::Type::kFloat;
    i.f = v;
    return Val{emit(i), ir::Type::kFloat};
  }
  uint32_t intern(const std::string& s) {
    auto it = st_.string_pool.find(s);
    if (it != st_.string_pool.end()) return it->second;
    out_.strings.push_back(s);
    uint32_t idx = static_cast<uint32_t>(out_.strings.size() - 1);
    st_.string_pool.emplace(s, idx);
    return idx;
  }
  Val const_string(const std::string& s) {
    ir::Insn i;
    i.op = ir::Op::kConstString;
    i.type = ir::Type::kString;
    i.str = intern(s);
    return Val{emit(i), ir::Type::kString};
  }
  uint32_t push_list(const std::vector<uint32_t>& items) {
    uint32_t first = static_cast<uint32_t>(out_.lists.size());
    out_.lists.insert(out_.lists.end(), items.begin(), items.end());
    return first;
  }
  const ir::Insn& insn(uint32_t i) const { return out_.code[i]; }
  bool is_const_int(const Val& v) const { return insn(v.insn).op == ir::Op::kConstInt; }
  bool is_const_float(const Val& v) const { return insn(v.insn).op == ir::Op::kConstFloat; }

  Val to_bool(const Val& v) {
    if (v.type == ir::Type::kBool) return v;
    return make(ir::Op::kToBool, ir::Type::kBool, v.insn);
  }
  Val to_float(const Val& v) {
    if (v.type == ir::Type::kFloat) return v;
    if (is_const_int(v)) return const_float(static_cast<double>(insn(v.insn).i));
    return make(ir::Op::kToFloat, ir::Type::kFloat, v.insn);
  }

  // ---- diagnostics ------------------------------------------------------------------------
  Val error(ExprId at, const char* code, std::string message) {
    diags_.push_back(
        lang::diagnostic_at(p_, p_.exprs[at].span, Severity::kError, code, std::move(message)));
    diags_.back().rule = rule_.name;
    failed_ = true;
    return Val{};
  }
  Val error_span(const lang::Span& span, const char* code, std::string message) {
    diags_.push_back(lang::diagnostic_at(p_, span, Severity::kError, code, std::move(message)));
    diags_.back().rule = rule_.name;
    failed_ = true;
    return Val{};
  }
  void warning(ExprId at, const char* code, std::string message) {
    diags_.push_back(
        lang::diagnostic_at(p_, p_.exprs[at].span, Severity::kWarning, code, std::move(message)));
    diags_.back().rule = rule_.name;
  }

  // ---- expressions ------------------------------------------------------------------------
  Val expr(ExprId id, uint32_t depth) {
    if (id == lang::kNoExpr || id >= p_.exprs.size()) {
      failed_ = true;
      return Val{};
    }
    if (depth > options_.max_condition_depth) {
      if (!depth_reported_) {
        depth_reported_ = true;
        error(id, codes::kTooDeep,
              "expression nested too deeply (more than " +
                  std::to_string(options_.max_condition_depth) + " levels)");
      }
      return Val{};
    }
    const Expr& e = p_.exprs[id];
    switch (e.kind) {
      case ExprKind::kTrue:
        return const_int(1, ir::Type::kBool);
      case ExprKind::kFalse:
        return const_int(0, ir::Type::kBool);
      case ExprKind::kInteger:
        return const_int(e.integer);
      case ExprKind::kFloat:
        return const_float(e.real);
      case ExprKind::kString:
        return const_string(e.text);
      case ExprKind::kRegex:
        return regex(id);
      case ExprKind::kFilesize:
        return make(ir::Op::kFilesize, ir::Type::kInt);
      case ExprKind::kEntrypoint:
        warning(id, codes::kDeprecated,
                "\"entrypoint\" is deprecated: use pe.entry_point or elf.entry_point");
        return make(ir::Op::kEntrypoint, ir::Type::kInt);
      case ExprKind::kIdentifier:
        return identifier(id);
      case ExprKind::kField:
        return field(id, depth);
      case ExprKind::kIndex:
        return index(id, depth);
      case ExprKind::kCall:
        return call(id, depth);
      case ExprKind::kReadInt:
        return read_int(id, depth);
      case ExprKind::kStringMatch:
      case ExprKind::kStringAt:
      case ExprKind::kStringIn:
      case ExprKind::kStringCount:
      case ExprKind::kStringOffset:
      case ExprKind::kStringLength:
        return string_ref(id, depth);
      case ExprKind::kNot: {
        Val a = expr(e.a, depth + 1);
        if (!a.ok()) return a;
        if (!is_scalar(a.type)) return error(e.a, codes::kWrongType, "wrong type for \"not\"");
        return make(ir::Op::kNot, ir::Type::kBool, to_bool(a).insn);
      }
      case ExprKind::kDefined: {
        Val a = expr(e.a, depth + 1);
        if (!a.ok()) return a;
        return make(ir::Op::kDefined, ir::Type::kBool, a.insn);
      }
      case ExprKind::kNeg: {
        Val a = expr(e.a, depth + 1);
        if (!a.ok()) return a;
        if (!is_numeric(a.type)) return error(e.a, codes::kWrongType, "wrong type for unary minus");
        if (is_const_int(a))
          return const_int(static_cast<int64_t>(0ull - static_cast<uint64_t>(insn(a.insn).i)));
        if (is_const_float(a)) return const_float(-insn(a.insn).f);
        return make(ir::Op::kNeg, a.type == ir::Type::kFloat ? ir::Type::kFloat : ir::Type::kInt,
                    a.insn);
      }
      case ExprKind::kBitNot: {
        Val a = expr(e.a, depth + 1);
        if (!a.ok()) return a;
        if (!is_integer(a.type)) return error(e.a, codes::kWrongType, "wrong type for \"~\"");
        if (is_const_int(a)) return const_int(~insn(a.insn).i);
        return make(ir::Op::kBitNot, ir::Type::kInt, a.insn);
      }
      case ExprKind::kAnd:
      case ExprKind::kOr: {
        Val a = expr(e.a, depth + 1);
        Val b = expr(e.b, depth + 1);
        if (!a.ok() || !b.ok()) return Val{};
        if (!is_scalar(a.type))
          return error(e.a, codes::kWrongType, "wrong type for boolean operator");
        if (!is_scalar(b.type))
          return error(e.b, codes::kWrongType, "wrong type for boolean operator");
        return make(e.kind == ExprKind::kAnd ? ir::Op::kAnd : ir::Op::kOr, ir::Type::kBool,
                    to_bool(a).insn, to_bool(b).insn);
      }
      case ExprKind::kLt:
        return compare(id, ir::Op::kLt, depth);
      case ExprKind::kLe:
        return compare(id, ir::Op::kLe, depth);
      case ExprKind::kGt:
        return compare(id, ir::Op::kGt, depth);
      case ExprKind::kGe:
        return compare(id, ir::Op::kGe, depth);
      case ExprKind::kEq:
        return compare(id, ir::Op::kEq, depth);
      case ExprKind::kNe:
        return compare(id, ir::Op::kNe, depth);
      case ExprKind::kAdd:
        return arith(id, ir::Op::kAdd, depth);
      case ExprKind::kSub:
        return arith(id, ir::Op::kSub, depth);
      case ExprKind::kMul:
        return arith(id, ir::Op::kMul, depth);
      case ExprKind::kDiv:
        return arith(id, ir::Op::kDiv, depth);
      case ExprKind::kMod:
        return bitwise(id, ir::Op::kMod, depth);
      case ExprKind::kShl:
        return bitwise(id, ir::Op::kShl, depth);
      case ExprKind::kShr:
        return bitwise(id, ir::Op::kShr, depth);
      case ExprKind::kBitAnd:
        return bitwise(id, ir::Op::kBitAnd, depth);
      case ExprKind::kBitOr:
        return bitwise(id, ir::Op::kBitOr, depth);
      case ExprKind::kBitXor:
        return bitwise(id, ir::Op::kBitXor, depth);
      case ExprKind::kContains:
        return string_op(id, ir::Op::kContains, depth);
      case ExprKind::kIContains:
        return string_op(id, ir::Op::kIContains, depth);
      case ExprKind::kStartsWith:
        return string_op(id, ir::Op::kStartsWith, depth);
      case ExprKind::kIStartsWith:
        return string_op(id, ir::Op::kIStartsWith, depth);
      case ExprKind::kEndsWith:
        return string_op(id, ir::Op::kEndsWith, depth);
      case ExprKind::kIEndsWith:
        return string_op(id, ir::Op::kIEndsWith, depth);
      case ExprKind::kIEquals:
        return string_op(id, ir::Op::kIEquals, depth);
      case ExprKind::kMatches: {
        Val a = expr(e.a, depth + 1);
        Val b = expr(e.b, depth + 1);
        if (!a.ok() || !b.ok()) return Val{};
        if (a.type != ir::Type::kString)
          return error(e.a, codes::kWrongType, "left operand of \"matches\" must be a string");
        if (b.type != ir::Type::kRegex)
          return error(e.b, codes::kWrongType,
                       "right operand of \"matches\" must be a regular expression");
        return make(ir::Op::kMatches, ir::Type::kBool, a.insn, b.insn);
      }
      case ExprKind::kRange:
        return error(id, codes::kWrongType, "a range is only allowed after \"in\"");
      case ExprKind::kEnumeration:
        return error(id, codes::kWrongType, "an enumeration is only allowed in a for loop");
      case ExprKind::kOf:
        return of(id, depth);
      case ExprKind::kForOf:
        return for_of(id, depth);
      case ExprKind::kForIn:
        return for_in(id, depth);
    }
    return error(id, codes::kInternal, "unsupported expression");
  }

  Val regex(ExprId id) {
    const Expr& e = p_.exprs[id];
    re::PatternError perr;
    if (!re::Regex::compile(e.text, e.regex_flags, &perr))
      return error(id, codes::kBadRegex, "invalid regular expression: " + perr.message);
    out_.regex_sources.push_back({e.text, e.regex_flags});
    ir::Insn i;
    i.op = ir::Op::kRegex;
    i.type = ir::Type::kRegex;
    i.str = static_cast<uint32_t>(out_.regex_sources.size() - 1);
    return Val{emit(i), ir::Type::kRegex};
  }

  // Pairs two numeric operands: widens an int to float when the other is a float.
  bool numeric_pair(Val& a, Val& b) {
    if (a.type == ir::Type::kFloat || b.type == ir::Type::kFloat) {
      a = to_float(a);
      b = to_float(b);
      return true;
    }
    return false;
  }

  Val compare(ExprId id, ir::Op op, uint32_t depth) {
    const Expr& e = p_.exprs[id];
    Val a = expr(e.a, depth + 1);
    Val b = expr(e.b, depth + 1);
    if (!a.ok() || !b.ok()) return Val{};
    if (is_numeric(a.type) && is_numeric(b.type)) {
      numeric_pair(a, b);
    } else if (!(a.type == ir::Type::kString && b.type == ir::Type::kString)) {
      return error(
          id, codes::kWrongType,
          std::string("cannot compare ") + type_name(a.type) + " and " + type_name(b.type));
    }
    return make(op, ir::Type::kBool, a.insn, b.insn);
  }

  Val arith(ExprId id, ir::Op op, uint32_t depth) {
    const Expr& e = p_.exprs[id];
    Val a = expr(e.a, depth + 1);
    Val b = expr(e.b, depth + 1);
    if (!a.ok() || !b.ok()) return Val{};
    if (!is_numeric(a.type))
      return error(e.a, codes::kWrongType,
                   std::string("wrong type for arithmetic operator: ") + type_name(a.type));
    if (!is_numeric(b.type))
      return error(e.b, codes::kWrongType,
                   std::string("wrong type for arithmetic operator: ") + type_name(b.type));
    bool fl = numeric_pair(a, b);
    if (!fl && is_const_int(a) && is_const_int(b)) {
      int64_t x = insn(a.insn).i, y = insn(b.insn).i;
      switch (op) {
        // Overflow of constants is an error, as in YARA; at scan time arithmetic wraps.
        case ir::Op::kAdd:
        case ir::Op::kSub:
        case ir::Op::kMul: {
          int64_t r;
          bool over = op == ir::Op::kAdd   ? __builtin_add_overflow(x, y, &r)
                      : op == ir::Op::kSub ? __builtin_sub_overflow(x, y, &r)
                                           : __builtin_mul_overflow(x, y, &r);
          if (over) return error(id, codes::kIntegerOverflow, "integer overflow");
          return const_int(r);
        }
        case ir::Op::kDiv:
          if (y == 0) return error(id, codes::kDivisionByZero, "division by zero");
          if (x == std::numeric_limits<int64_t>::min() && y == -1) break;
          return const_int(x / y);
        default:
          break;
      }
    } else if (!fl && op == ir::Op::kDiv && is_const_int(b) && insn(b.insn).i == 0) {
      return error(id, codes::kDivisionByZero, "division by zero");
    }
    return make(op, fl ? ir::Type::kFloat : ir::Type::kInt, a.insn, b.insn);
  }

  Val bitwise(ExprId id, ir::Op op, uint32_t depth) {
    const Expr& e = p_.exprs[id];
    Val a = expr(e.a, depth + 1);
    Val b = expr(e.b, depth + 1);
    if (!a.ok() || !b.ok()) return Val{};
    if (!is_integer(a.type))
      return error(e.a, codes::kWrongType,
                   std::string("wrong type for integer operator: ") + type_name(a.type));
    if (!is_integer(b.type))
      return error(e.b, codes::kWrongType,
                   std::string("wrong type for integer operator: ") + type_name(b.type));
    if (is_const_int(a) && is_const_int(b)) {
      int64_t x = insn(a.insn).i, y = insn(b.insn).i;
      switch (op) {
        case ir::Op::kMod:
          if (y == 0) return error(id, codes::kDivisionByZero, "division by zero");
          if (y == -1) return const_int(0);
          return const_int(x % y);
        case ir::Op::kBitAnd:
          return const_int(x & y);
        case ir::Op::kBitOr:
          return const_int(x | y);
        case ir::Op::kBitXor:
          return const_int(x ^ y);
        default:
          break;
      }
    } else if (op == ir::Op::kMod && is_const_int(b) && insn(b.insn).i == 0) {
      return error(id, codes::kDivisionByZero, "division by zero");
    }
    return make(op, ir::Type::kInt, a.insn, b.insn);
  }

  Val string_op(ExprId id, ir::Op op, uint32_t depth) {
    const Expr& e = p_.exprs[id];
    Val a = expr(e.a, depth + 1);
    Val b = expr(e.b, depth + 1);
    if (!a.ok() || !b.ok()) return Val{};
    if (a.type != ir::Type::kString || b.type != ir::Type::kString)
      return error(id, codes::kWrongType,
                   "string operator needs two strings, got " + std::string(type_name(a.type)) +
                       " and " + type_name(b.type));
    return make(op, ir::Type::kBool, a.insn, b.insn);
  }

  Val read_int(ExprId id, uint32_t depth) {
    const Expr& e = p_.exprs[id];
    Val off = expr(e.a, depth + 1);
    if (!off.ok()) return off;
    if (!is_integer(off.type)) return error(e.a, codes::kWrongType, "offset must be an integer");
    std::string name = e.text;
    ir::Insn i;
    i.op = ir::Op::kReadInt;
    i.type = ir::Type::kInt;
    i.a = off.insn;
    bool big = name.size() > 2 && name.substr(name.size() - 2) == "be";
    if (big) name.resize(name.size() - 2);
    bool is_unsigned = name[0] == 'u';
    std::string bits = name.substr(is_unsigned ? 4 : 3);
    i.i = bits == "8" ? 1 : bits == "16" ? 2 : 4;
    if (!is_unsigned) i.flags |= ir::kSigned;
    if (big) i.flags |= ir::kBigEndian;
    return Val{emit(i), ir::Type::kInt};
  }

  // ---- strings of the rule ----------------------------------------------------------------
  // Normalises "#a", "@a", "!a" to "$a". Returns "$" for anonymous references.
  static std::string string_name(const std::string& text) {
    if (text.empty()) return "$";
    std::string s = text;
    s[0] = '$';
    return s;
  }

  Val string_ref(ExprId id, uint32_t depth) {
    const Expr& e = p_.exprs[id];
    std::string name = string_name(e.text);
    ir::Insn i;
    if (name == "$") {
      if (anon_slots_.empty())
        return error(id, codes::kAnonymousOutsideLoop,
                     "anonymous string reference outside of a \"for .. of\" loop");
      i.flags |= ir::kAnonymous;
      i.pat = anon_slots_.back();
    } else {
      auto it = rule_strings_.find(name);
      if (it == rule_strings_.end())
        return error(id, codes::kUndefinedString, "string \"" + name + "\" is not defined");
      i.pat = it->second;
    }
    switch (e.kind) {
      case ExprKind::kStringMatch:
        i.op = ir::Op::kStringFound;
        i.type = ir::Type::kBool;
        break;
      case ExprKind::kStringAt: {
        Val a = expr(e.a, depth + 1);
        if (!a.ok()) return a;
        if (!is_integer(a.type))
          return error(e.a, codes::kWrongType, "offset after \"at\" must be an integer");
        i.op = ir::Op::kStringAt;
        i.type = ir::Type::kBool;
        i.a = a.insn;
        if (!(i.flags & ir::kAnonymous) && is_const_int(a)) {
          note_fixed_offset(i.pat, insn(a.insn).i);
          st_.counted[i.pat] = 1;
          return Val{emit(i), i.type};
        }
        break;
      }
      case ExprKind::kStringIn: {
        uint32_t lo, hi;
        if (!range(e.a, depth, &lo, &hi)) return Val{};
        i.op = ir::Op::kStringIn;
        i.type = ir::Type::kBool;
        i.a = lo;
        i.b = hi;
        break;
      }
      case ExprKind::kStringCount:
        i.type = ir::Type::kInt;
        if (e.a != lang::kNoExpr) {
          uint32_t lo, hi;
          if (!range(e.a, depth, &lo, &hi)) return Val{};
          i.op = ir::Op::kStringCountIn;
          i.a = lo;
          i.b = hi;
        } else {
          i.op = ir::Op::kStringCount;
        }
        break;
      case ExprKind::kStringOffset:
      case ExprKind::kStringLength: {
        i.op = e.kind == ExprKind::kStringOffset ? ir::Op::kStringOffset : ir::Op::kStringLength;
        i.type = ir::Type::kInt;
        Val a = e.a == lang::kNoExpr ? const_int(1) : expr(e.a, depth + 1);
        if (!a.ok()) return a;
        if (!is_integer(a.type))
          return error(e.a, codes::kWrongType, "string index must be an integer");
        i.a = a.insn;
        break;
      }
      default:
        return error(id, codes::kInternal, "bad string reference");
    }
    if (!(i.flags & ir::kAnonymous))
      note_other_use(i.pat, i.op == ir::Op::kStringFound);
    else if (i.op != ir::Op::kStringFound)
      anon_counted_.back() = true;
    return Val{emit(i), i.type};
  }

  // A string used only as `$a at N` with one constant N is searched at N only, as YARA does
  // (its -s output then shows that match alone). Any other use lifts the restriction.
  void note_fixed_offset(uint32_t p, int64_t offset) {
    int64_t& f = st_.fixed_offsets[p];
    if (f == kOffsetUnused)
      f = offset;
    else if (f != offset)
      f = kOffsetAny;
  }
  void note_other_use(uint32_t p, bool found_only = false) {
    st_.fixed_offsets[p] = kOffsetAny;
    if (!found_only) st_.counted[p] = 1;
  }

  // A range expression (lo..hi): both integers.
  bool range(ExprId id, uint32_t depth, uint32_t* lo, uint32_t* hi) {
    if (id == lang::kNoExpr) return false;
    const Expr& r = p_.exprs[id];
    if (r.kind != ExprKind::kRange) {
      error(id, codes::kWrongType, "expected a range (a..b)");
      return false;
    }
    Val a = expr(r.a, depth + 1);
    Val b = expr(r.b, depth + 1);
    if (!a.ok() || !b.ok()) return false;
    if (!is_integer(a.type) || !is_integer(b.type)) {
      error(id, codes::kWrongType, "range bounds must be integers");
      return false;
    }
    if (is_const_int(a) && is_const_int(b) && insn(a.insn).i > insn(b.insn).i) {
      error(id, codes::kBadRange, "range lower bound is greater than upper bound");
      return false;
    }
    *lo = a.insn;
    *hi = b.insn;
    return true;
  }

  // Resolves a set of strings ("them", "$a", "$a*") to pattern indexes, in declaration order.
  bool string_set(ExprId id, const lang::StringSet& set, std::vector<uint32_t>* out) {
    std::vector<bool> take(rule_.strings.size(), false);
    uint32_t first = out_.rules[rule_index_].first_pattern;
    if (set.kind == lang::StringSet::Kind::kThem) {
      std::fill(take.begin(), take.end(), true);
      if (take.empty()) {
        error(id, codes::kUndefinedString, "\"them\" used in a rule without strings");
        return false;
      }
    } else {
      for (size_t k = 0; k < set.items.size(); ++k) {
        std::string item = string_name(set.items[k]);
        bool wildcard = !item.empty() && item.back() == '*';
        std::string prefix = wildcard ? item.substr(0, item.size() - 1) : item;
        bool any = false;
        for (size_t s = 0; s < rule_.strings.size(); ++s) {
          const std::string& ident = rule_.strings[s].identifier;
          if (wildcard ? ident.compare(0, prefix.size(), prefix) == 0 : ident == prefix) {
            take[s] = true;
            any = true;
          }
        }
        if (!any) {
          const lang::Span& sp = k < set.item_spans.size() ? set.item_spans[k] : p_.exprs[id].span;
          error_span(sp, codes::kUndefinedString, "string \"" + item + "\" is not defined");
          return false;
        }
      }
    }
    for (size_t s = 0; s < take.size(); ++s) {
      if (take[s]) {
        out->push_back(first + static_cast<uint32_t>(s));
        note_other_use(first + static_cast<uint32_t>(s), true);
      }
    }
    return true;
  }

  bool quantifier(const lang::Quantifier& q, uint32_t depth, ir::Insn& i) {
    switch (q.kind) {
      case lang::QuantifierKind::kAll:
        i.quant = ir::Quantifier::kAll;
        return true;
      case lang::QuantifierKind::kAny:
        i.quant = ir::Quantifier::kAny;
        return true;
      case lang::QuantifierKind::kNone:
        i.quant = ir::Quantifier::kNone;
        return true;
      case lang::QuantifierKind::kExpr:
      case lang::QuantifierKind::kPercent: {
        Val n = expr(q.expr, depth + 1);
        if (!n.ok()) return false;
        if (!is_integer(n.type)) {
          error(q.expr, codes::kWrongType, "quantifier must be an integer");
          return false;
        }
        if (q.kind == lang::QuantifierKind::kPercent && is_const_int(n)) {
          int64_t pct = insn(n.insn).i;
          if (pct < 1 || pct > 100) {
            error(q.expr, codes::kBadRange, "percentage must be between 1 and 100");
            return false;
          }
        }
        i.quant = q.kind == lang::QuantifierKind::kExpr ? ir::Quantifier::kCount
                                                        : ir::Quantifier::kPercent;
        i.a = n.insn;
        return true;
      }
    }
    return false;
  }

  Val of(ExprId id, uint32_t depth) {
    const Expr& e = p_.exprs[id];
    ir::Insn i;
    i.type = ir::Type::kBool;
    if (!quantifier(e.quantifier, depth, i)) return Val{};
    std::vector<uint32_t> items;
    switch (e.set.kind) {
      case lang::StringSet::Kind::kThem:
      case lang::StringSet::Kind::kStrings:
        if (!string_set(id, e.set, &items)) return Val{};
        i.op = ir::Op::kOfStrings;
        if (e.of_mode == lang::OfMode::kIn) {
          uint32_t lo, hi;
          if (!range(e.a, depth, &lo, &hi)) return Val{};
          i.flags |= ir::kOfIn;
          for (uint32_t p : items) st_.counted[p] = 1;
          i.b = lo;
          i.c = hi;
        } else if (e.of_mode == lang::OfMode::kAt) {
          Val at = expr(e.a, depth + 1);
          if (!at.ok()) return at;
          if (!is_integer(at.type))
            return error(e.a, codes::kWrongType, "offset after \"at\" must be an integer");
          i.flags |= ir::kOfAt;
          for (uint32_t p : items) st_.counted[p] = 1;
          i.b = at.insn;
        }
        break;
      case lang::StringSet::Kind::kRules:
        if (!rule_set(id, e.set, &items)) return Val{};
        i.op = ir::Op::kOfRules;
        break;
      case lang::StringSet::Kind::kExpressions:
        for (ExprId x : e.set.exprs) {
          Val v = expr(x, depth + 1);
          if (!v.ok()) return v;
          if (!is_scalar(v.type))
            return error(x, codes::kWrongType, "expected a boolean expression");
          items.push_back(to_bool(v).insn);
        }
        i.op = ir::Op::kOfExprs;
        break;
    }
    if (e.set.kind != lang::StringSet::Kind::kThem &&
        e.set.kind != lang::StringSet::Kind::kStrings && e.of_mode != lang::OfMode::kPlain)
      return error(id, codes::kWrongType, "\"in\" and \"at\" apply to sets of strings only");
    i.list = push_list(items);
    i.count = static_cast<uint32_t>(items.size());
    return Val{emit(i), ir::Type::kBool};
  }

  bool rule_set(ExprId id, const lang::StringSet& set, std::vector<uint32_t>* out) {
    for (size_t k = 0; k < set.items.size(); ++k) {
      const std::string& item = set.items[k];
      bool wildcard = !item.empty() && item.back() == '*';
      std::string prefix = wildcard ? item.substr(0, item.size() - 1) : item;
      if (wildcard) st_.rule_wildcards.emplace_back(ns_, prefix, rule_.name);
      bool any = false;
      auto it = st_.rule_by_name.lower_bound({ns_, prefix});
      for (; it != st_.rule_by_name.end() && it->first.first == ns_; ++it) {
        const std::string& name = it->first.second;
        if (wildcard ? name.compare(0, prefix.size(), prefix) != 0 : name != prefix) break;
        out->push_back(it->second);
        any = true;
        if (!wildcard) break;
      }
      if (!any) {
        const lang::Span& sp = k < set.item_spans.size() ? set.item_spans[k] : p_.exprs[id].span;
        error_span(sp, codes::kUndefinedIdentifier, "undefined rule \"" + item + "\"");
        return false;
      }
    }
    std::sort(out->begin(), out->end());
    out->erase(std::unique(out->begin(), out->end()), out->end());
    return true;
  }

  uint32_t new_slot(uint32_t n = 1) {
    uint32_t s = next_slot_;
    next_slot_ += n;
    max_slot_ = std::max(max_slot_, next_slot_);
    return s;
  }

  Val for_of(ExprId id, uint32_t depth) {
    const Expr& e = p_.exprs[id];
    ir::Insn i;
    i.op = ir::Op::kForOf;
    i.type = ir::Type::kBool;
    if (!quantifier(e.quantifier, depth, i)) return Val{};
    std::vector<uint32_t> items;
    if (e.set.kind == lang::StringSet::Kind::kRules ||
        e.set.kind == lang::StringSet::Kind::kExpressions)
      return error(id, codes::kWrongType, "\"for .. of\" needs a set of strings");
    if (!string_set(id, e.set, &items)) return Val{};
    uint32_t saved = next_slot_;
    i.slot = new_slot();
    anon_slots_.push_back(i.slot);
    anon_counted_.push_back(false);
    Val body = expr(e.b, depth + 1);
    anon_slots_.pop_back();
    if (anon_counted_.back())
      for (uint32_t p : items) st_.counted[p] = 1;  // the body counts or locates each string
    anon_counted_.pop_back();
    next_slot_ = saved;
    if (!body.ok()) return body;
    if (!is_scalar(body.type))
      return error(e.b, codes::kWrongType, "loop body must be a boolean expression");
    i.d = to_bool(body).insn;
    i.list = push_list(items);
    i.count = static_cast<uint32_t>(items.size());
    return Val{emit(i), ir::Type::kBool};
  }

  Val for_in(ExprId id, uint32_t depth) {
    const Expr& e = p_.exprs[id];
    ir::Insn i;
    i.type = ir::Type::kBool;
    if (!quantifier(e.quantifier, depth, i)) return Val{};
    if (e.a == lang::kNoExpr) return error(id, codes::kInternal, "loop without iterable");
    const Expr& it = p_.exprs[e.a];
    uint32_t saved = next_slot_;
    std::vector<LoopVar> vars;
    if (it.kind == ExprKind::kRange) {
      uint32_t lo, hi;
      if (!range(e.a, depth, &lo, &hi)) return Val{};
      if (e.vars.size() != 1)
        return error(id, codes::kLoopVariables, "a range is iterated with one variable");
      i.op = ir::Op::kForInRange;
      i.b = lo;
      i.c = hi;
      i.slot = new_slot();
      vars.push_back({e.vars[0], i.slot, ir::Type::kInt, nullptr});
    } else if (it.kind == ExprKind::kEnumeration) {
      if (e.vars.size() != 1)
        return error(id, codes::kLoopVariables, "an enumeration is iterated with one variable");
      std::vector<uint32_t> items;
      ir::Type t = ir::Type::kInt;
      for (size_t k = 0; k < it.list.size(); ++k) {
        Val v = expr(it.list[k], depth + 1);
        if (!v.ok()) return v;
        if (v.type == ir::Type::kBool) v.type = ir::Type::kInt;
        if (!is_scalar(v.type))
          return error(it.list[k], codes::kWrongType,
                       "enumeration items must be integers or strings");
        if (k == 0) t = v.type;
        if (t == ir::Type::kFloat || v.type == ir::Type::kFloat) {
          return error(it.list[k], codes::kWrongType,
                       "enumeration items must be integers or strings");
        }
        if (v.type != t)
          return error(it.list[k], codes::kWrongType,
                       "enumeration items must all have the same type");
        items.push_back(v.insn);
      }
      i.op = ir::Op::kForInList;
      i.list = push_list(items);
      i.count = static_cast<uint32_t>(items.size());
      i.slot = new_slot();
      vars.push_back({e.vars[0], i.slot, t, nullptr});
    } else {
      Val obj = expr(e.a, depth + 1);
      if (!obj.ok()) return obj;
      if (obj.type != ir::Type::kObject || !obj.mtype ||
          (obj.mtype->kind != mod::Kind::kArray && obj.mtype->kind != mod::Kind::kDictionary))
        return error(e.a, codes::kWrongType,
                     "only ranges, enumerations, arrays and dictionaries can be iterated");
      const mod::Type* el = obj.mtype->element;
      ir::Type et = scalar_type(el->kind);
      i.b = obj.insn;
      if (obj.mtype->kind == mod::Kind::kArray) {
        if (e.vars.size() != 1)
          return error(id, codes::kLoopVariables, "an array is iterated with one variable");
        i.op = ir::Op::kForInArray;
        i.slot = new_slot();
        vars.push_back({e.vars[0], i.slot, et, et == ir::Type::kObject ? el : nullptr});
      } else {
        if (e.vars.size() != 2)
          return error(id, codes::kLoopVariables,
                       "a dictionary is iterated with two variables (key, value)");
        i.op = ir::Op::kForInDict;
        i.slot = new_slot(2);
        vars.push_back({e.vars[0], i.slot, ir::Type::kString, nullptr});
        vars.push_back({e.vars[1], i.slot + 1, et, et == ir::Type::kObject ? el : nullptr});
      }
    }
    for (const LoopVar& v : vars) {
      for (const LoopVar& o : scopes_) {
        if (o.name == v.name)
          return error(id, codes::kDuplicateIdentifier,
                       "loop variable \"" + v.name + "\" is already defined");
      }
    }
    scopes_.insert(scopes_.end(), vars.begin(), vars.end());
    Val body = expr(e.b, depth + 1);
    scopes_.resize(scopes_.size() - vars.size());
    next_slot_ = saved;
    if (!body.ok()) return body;
    if (!is_scalar(body.type))
      return error(e.b, codes::kWrongType, "loop body must be a boolean expression");
    i.d = to_bool(body).insn;
    return Val{emit(i), ir::Type::kBool};
  }

  // ---- names ------------------------------------------------------------------------------
  struct LoopVar {
    std::string name;
    uint32_t slot;
    ir::Type type;
    const mod::Type* mtype;
  };

  Val identifier(ExprId id) {
    const Expr& e = p_.exprs[id];
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      if (it->name == e.text) {
        ir::Insn i;
        i.op = ir::Op::kLoopVar;
        i.type = it->type;
        i.slot = it->slot;
        Val v{emit(i), it->type, it->mtype};
        return v;
      }
    }
    auto r = st_.rule_by_name.find({ns_, e.text});
    if (r != st_.rule_by_name.end()) {
      ir::Insn i;
      i.op = ir::Op::kRuleRef;
      i.type = ir::Type::kBool;
      i.i = r->second;
      return Val{emit(i), ir::Type::kBool};
    }
    auto x = st_.external_by_name.find(e.text);
    if (x != st_.external_by_name.end()) {
      const ExternalValue& v = out_.externals[x->second].value;
      ir::Insn i;
      i.op = ir::Op::kExternal;
      i.str = x->second;
      i.type = std::holds_alternative<int64_t>(v)  ? ir::Type::kInt
               : std::holds_alternative<double>(v) ? ir::Type::kFloat
               : std::holds_alternative<bool>(v)   ? ir::Type::kBool
                                                   : ir::Type::kString;
      return Val{emit(i), i.type};
    }
    if (std::find(imports_.begin(), imports_.end(), e.text) != imports_.end()) {
      const mod::Module* m = mod::find_module(e.text);
      if (!m) return error(id, codes::kUnknownModule, "unknown module \"" + e.text + "\"");
      uint32_t idx;
      auto mi = st_.module_by_name.find(e.text);
      if (mi == st_.module_by_name.end()) {
        out_.modules.push_back(e.text);
        idx = static_cast<uint32_t>(out_.modules.size() - 1);
        st_.module_by_name.emplace(e.text, idx);
      } else {
        idx = mi->second;
      }
      ir::Insn i;
      i.op = ir::Op::kModule;
      i.type = ir::Type::kObject;
      i.i = idx;
      return Val{emit(i), ir::Type::kObject, &mod::schema_of(*m).root()};
    }
    if (std::find(unknown_imports_.begin(), unknown_imports_.end(), e.text) !=
        unknown_imports_.end()) {
      failed_ = true;  // the import was reported; its uses would only repeat it
      return Val{};
    }
    return error(id, codes::kUndefinedIdentifier, "undefined identifier \"" + e.text + "\"");
  }

  // Value of a field of a structure: folds constants, types scalars, keeps objects.
  Val field_value(uint32_t base, const mod::Field& f, uint32_t index) {
    if (f.is_constant) {
      switch (f.type->kind) {
        case mod::Kind::kInteger:
          return const_int(f.int_value);
        case mod::Kind::kFloat:
          return const_float(f.float_value);
        case mod::Kind::kString:
          return const_string(f.string_value);
        default:
          break;
      }
    }
    ir::Insn i;
    i.op = ir::Op::kField;
    i.a = base;
    i.i = index;
    i.type = scalar_type(f.type->kind);
    return Val{emit(i), i.type, i.type == ir::Type::kObject ? f.type : nullptr};
  }

  Val field(ExprId id, uint32_t depth) {
    const Expr& e = p_.exprs[id];
    Val base = expr(e.a, depth + 1);
    if (!base.ok()) return base;
    if (base.type != ir::Type::kObject || !base.mtype || base.mtype->kind != mod::Kind::kStruct)
      return error(id, codes::kWrongType,
                   "\"" + e.text + "\": left side of \".\" is not a structure");
    int k = base.mtype->structure->index_of(e.text);
    if (k < 0) return error(id, codes::kUndefinedIdentifier, "unknown field \"" + e.text + "\"");
    const mod::Field& f = base.mtype->structure->fields[k];
    if (f.type->kind == mod::Kind::kFunction)
      return error(id, codes::kWrongType, "\"" + e.text + "\" is a function: call it with ()");
    return field_value(base.insn, f, static_cast<uint32_t>(k));
  }

  Val index(ExprId id, uint32_t depth) {
    const Expr& e = p_.exprs[id];
    Val base = expr(e.a, depth + 1);
    if (!base.ok()) return base;
    Val key = expr(e.b, depth + 1);
    if (!key.ok()) return key;
    if (base.type != ir::Type::kObject || !base.mtype ||
        (base.mtype->kind != mod::Kind::kArray && base.mtype->kind != mod::Kind::kDictionary))
      return error(id, codes::kWrongType, "only arrays and dictionaries can be indexed");
    const mod::Type* el = base.mtype->element;
    ir::Insn i;
    i.a = base.insn;
    i.b = key.insn;
    if (base.mtype->kind == mod::Kind::kArray) {
      if (!is_integer(key.type))
        return error(e.b, codes::kWrongType, "array index must be an integer");
      i.op = ir::Op::kIndex;
    } else {
      if (key.type != ir::Type::kString)
        return error(e.b, codes::kWrongType, "dictionary key must be a string");
      i.op = ir::Op::kKey;
    }
    i.type = scalar_type(el->kind);
    return Val{emit(i), i.type, i.type == ir::Type::kObject ? el : nullptr};
  }

  Val call(ExprId id, uint32_t depth) {
    const Expr& e = p_.exprs[id];
    const Expr& callee = p_.exprs[e.a];
    if (callee.kind != ExprKind::kField)
      return error(id, codes::kUndefinedIdentifier, "\"" + callee.text + "\" is not a function");
    Val base = expr(callee.a, depth + 1);
    if (!base.ok()) return base;
    if (base.type != ir::Type::kObject || !base.mtype || base.mtype->kind != mod::Kind::kStruct)
      return error(e.a, codes::kWrongType, "left side of \".\" is not a structure");
    int k = base.mtype->structure->index_of(callee.text);
    if (k < 0)
      return error(e.a, codes::kUndefinedIdentifier, "unknown function \"" + callee.text + "\"");
    const mod::Field& f = base.mtype->structure->fields[k];
    if (f.type->kind != mod::Kind::kFunction)
      return error(e.a, codes::kWrongType, "\"" + callee.text + "\" is not a function");
    std::vector<Val> args;
    std::string sig;
    for (ExprId a : e.list) {
      Val v = expr(a, depth + 1);
      if (!v.ok()) return v;
      args.push_back(v);
      switch (v.type) {
        case ir::Type::kBool:
          sig += 'b';
          break;
        case ir::Type::kInt:
          sig += 'i';
          break;
        case ir::Type::kFloat:
          sig += 'f';
          break;
        case ir::Type::kString:
          sig += 's';
          break;
        case ir::Type::kRegex:
          sig += 'r';
          break;
        case ir::Type::kObject:
          return error(a, codes::kWrongType, "a structure cannot be a function argument");
      }
    }
    // Exact signature first, then one where booleans widen to integers and integers to floats.
    int chosen = -1;
    const auto& ov = f.type->overloads;
    for (size_t o = 0; o < ov.size() && chosen < 0; ++o)
      if (ov[o].params == sig) chosen = static_cast<int>(o);
    for (size_t o = 0; o < ov.size() && chosen < 0; ++o) {
      const std::string& ps = ov[o].params;
      if (ps.size() != sig.size()) continue;
      bool fits = true;
      for (size_t c = 0; c < ps.size() && fits; ++c)
        fits = ps[c] == sig[c] || (ps[c] == 'f' && (sig[c] == 'i' || sig[c] == 'b')) ||
               (ps[c] == 'i' && sig[c] == 'b');
      if (fits) chosen = static_cast<int>(o);
    }
    if (chosen < 0)
      return error(id, codes::kWrongArguments,
                   "wrong arguments for function \"" + callee.text + "\" (" +
                       (sig.empty() ? std::string("none") : sig) + ")");
    const std::string& ps = ov[chosen].params;
    std::vector<uint32_t> arg_insns;
    for (size_t c = 0; c < args.size(); ++c)
      arg_insns.push_back(ps[c] == 'f' ? to_float(args[c]).insn : args[c].insn);
    ir::Insn i;
    i.op = ir::Op::kCall;
    i.a = base.insn;
    i.i = k;
    i.slot = static_cast<uint32_t>(chosen);
    i.list = push_list(arg_insns);
    i.count = static_cast<uint32_t>(arg_insns.size());
    char r = ov[chosen].result;
    i.type = r == 'f' ? ir::Type::kFloat : r == 's' ? ir::Type::kString : ir::Type::kInt;
    return Val{emit(i), i.type};
  }

 private:
  const lang::Program& p_;
  const lang::Rule& rule_;
  uint32_t rule_index_;
  uint32_t ns_;
  const CompilerOptions& options_;
  State& st_;
  Rules::Impl& out_;
  std::vector<Diagnostic>& diags_;
  const std::unordered_map<std::string, uint32_t>& rule_strings_;
  const std::vector<std::string>& imports_;
  const std::vector<std::string>& unknown_imports_;  // already reported at their import
  std::vector<LoopVar> scopes_;
  std::vector<uint32_t> anon_slots_;
  std::vector<bool> anon_counted_;  // per enclosing for..of: its body uses #, @, ! or at/in
  uint32_t next_slot_ = 0;
  uint32_t max_slot_ = 0;
  bool failed_ = false;
  bool depth_reported_ = false;
};

// True when the instruction is false (or undefined) whenever none of the rule's strings
// matched. `anon` says anonymous string references count as the rule's strings (inside a
// for..of over them). Conservative: false when unsure.
bool needs_match(const Rules::Impl& r, uint32_t at, bool anon, uint32_t depth = 0) {
  if (at == ir::kNone || depth > 64) return false;
  const ir::Insn& i = r.code[at];
  auto own = [&](const ir::Insn& s) { return !(s.flags & ir::kAnonymous) || anon; };
  auto const_int = [&](uint32_t x, int64_t* v) {
    if (x == ir::kNone || r.code[x].op != ir::Op::kConstInt) return false;
    *v = r.code[x].i;
    return true;
  };
  auto positive_quantifier = [&](const ir::Insn& q) {
    int64_t n;
    switch (q.quant) {
      case ir::Quantifier::kAny:
        return true;
      case ir::Quantifier::kAll:
        return q.count > 0;
      case ir::Quantifier::kNone:
        return false;
      case ir::Quantifier::kCount:
        return const_int(q.a, &n) && n >= 1;
      case ir::Quantifier::kPercent:
        return const_int(q.a, &n) && n >= 1;
    }
    return false;
  };
  switch (i.op) {
    case ir::Op::kStringFound:
    case ir::Op::kStringAt:
    case ir::Op::kStringIn:
      return own(i);
    case ir::Op::kAnd:
      return needs_match(r, i.a, anon, depth + 1) || needs_match(r, i.b, anon, depth + 1);
    case ir::Op::kOr:
      return needs_match(r, i.a, anon, depth + 1) && needs_match(r, i.b, anon, depth + 1);
    case ir::Op::kOfStrings:
      return positive_quantifier(i);
    case ir::Op::kForOf:
      return positive_quantifier(i) && needs_match(r, i.d, true, depth + 1);
    case ir::Op::kGt:
    case ir::Op::kGe:
    case ir::Op::kEq: {
      // #a > n (n >= 0), #a >= n (n >= 1), #a == n (n >= 1)
      const ir::Insn& lhs = r.code[i.a];
      int64_t n;
      if ((lhs.op == ir::Op::kStringCount || lhs.op == ir::Op::kStringCountIn) && own(lhs) &&
          const_int(i.b, &n))
        return i.op == ir::Op::kGt ? n >= 0 : n >= 1;
      return false;
    }
    case ir::Op::kLt:
    case ir::Op::kLe: {
      // n < #a (n >= 0), n <= #a (n >= 1)
      const ir::Insn& rhs = r.code[i.b];
      int64_t n;
      if ((rhs.op == ir::Op::kStringCount || rhs.op == ir::Op::kStringCountIn) && own(rhs) &&
          const_int(i.a, &n))
        return i.op == ir::Op::kLt ? n >= 0 : n >= 1;
      return false;
    }
    default:
      return false;
  }
}

re::PatternSpec to_spec(const lang::StringDecl& s) {
  re::PatternSpec spec;
  spec.kind = s.kind;
  spec.value = s.value;
  spec.regex_flags = s.regex_flags;
  spec.modifiers = s.modifiers;
  return spec;
}

}  // namespace

bool compile_program(const lang::Program& program, uint32_t ns, const CompilerOptions& options,
                     State& st, std::vector<Diagnostic>& diags) {
  Rules::Impl& out = *st.out;
  bool ok = true;
  std::vector<std::string> imports, unknown_imports;
  for (const lang::Import& imp : program.imports) {
    if (!mod::find_module(imp.module)) {
      unknown_imports.push_back(imp.module);
      diags.push_back(lang::diagnostic_at(program, imp.span, Severity::kError,
                                          codes::kUnknownModule,
                                          "unknown module \"" + imp.module + "\""));
      ok = false;
      continue;
    }
    imports.push_back(imp.module);
    // Imported modules are known to the rule set even when no condition reads them: the
    // scanner reports their data for `-D`, as yara does.
    if (!st.module_by_name.count(imp.module)) {
      out.modules.push_back(imp.module);
      st.module_by_name.emplace(imp.module, static_cast<uint32_t>(out.modules.size() - 1));
    }
  }
  for (const lang::Rule& rule : program.rules) {
    if (st.rule_by_name.count({ns, rule.name})) {
      diags.push_back(lang::diagnostic_at(program, rule.span, Severity::kError,
                                          codes::kDuplicateRule,
                                          "duplicated rule identifier \"" + rule.name + "\""));
      ok = false;
      continue;
    }
    if (st.external_by_name.count(rule.name)) {
      diags.push_back(lang::diagnostic_at(
          program, rule.span, Severity::kError, codes::kDuplicateIdentifier,
          "duplicated identifier \"" + rule.name + "\": an external variable has that name"));
      ok = false;
      continue;
    }
    bool wildcard_clash = false;
    for (const auto& [wns, prefix, user] : st.rule_wildcards) {
      if (wns == ns && rule.name.compare(0, prefix.size(), prefix) == 0) {
        diags.push_back(lang::diagnostic_at(
            program, rule.span, Severity::kError, codes::kWildcardOrder,
            "rule \"" + rule.name + "\" is defined after the wildcard rule set \"" + prefix +
                "*\" of rule \"" + user + "\", which would then match it"));
        wildcard_clash = true;
        break;
      }
    }
    if (wildcard_clash) {
      ok = false;
      continue;
    }
    if (rule.strings.size() > options.max_strings_per_rule) {
      diags.push_back(lang::diagnostic_at(
          program, rule.span, Severity::kError, codes::kTooManyStrings,
          "rule \"" + rule.name + "\" has " + std::to_string(rule.strings.size()) +
              " strings, more than the limit of " + std::to_string(options.max_strings_per_rule)));
      ok = false;
      continue;
    }
    bool rule_ok = true;
    size_t pattern_mark = out.patterns.size();
    size_t code_mark = out.code.size(), list_mark = out.lists.size();
    size_t regex_mark = out.regex_sources.size();
    CompiledRule cr;
    cr.identifier = rule.name;
    cr.ns = ns;
    cr.tags = rule.tags;
    cr.is_private = rule.is_private;
    cr.is_global = rule.is_global;
    for (const lang::MetaDecl& m : rule.metas) {
      Meta meta;
      meta.identifier = m.identifier;
      meta.type = static_cast<Meta::Type>(m.type);
      meta.integer = m.integer;
      meta.string = m.string;
      meta.boolean = m.boolean;
      cr.metas.push_back(std::move(meta));
    }
    cr.first_pattern = static_cast<uint32_t>(out.patterns.size());
    cr.pattern_count = static_cast<uint32_t>(rule.strings.size());
    std::unordered_map<std::string, uint32_t> rule_strings;
    for (size_t k = 0; k < rule.strings.size(); ++k) {
      const lang::StringDecl& s = rule.strings[k];
      re::PatternSpec spec = to_spec(s);
      if (auto perr = re::check(spec)) {
        lang::Span sp = s.value_span;
        if (perr->offset < sp.length) {
          sp.offset += perr->offset;
          sp.column += perr->offset;
          sp.length -= perr->offset;
        }
        diags.push_back(
            lang::diagnostic_at(program, sp, Severity::kError, codes::kBadPattern,
                                "invalid string \"" + s.identifier + "\": " + perr->message));
        diags.back().rule = rule.name;
        rule_ok = false;
      }
      if (s.identifier != "$")
        rule_strings.emplace(s.identifier, cr.first_pattern + static_cast<uint32_t>(k));
      CompiledPattern cp;
      cp.identifier = s.identifier;
      cp.rule = static_cast<uint32_t>(out.rules.size());
      cp.is_private = s.modifiers.is_private;
      cp.is_hex = s.kind == lang::StringKind::kHex;
      cp.is_xor = s.modifiers.xor_;
      out.patterns.push_back(std::move(cp));
      st.fixed_offsets.push_back(kOffsetUnused);
      st.counted.push_back(0);
      st.specs.push_back(std::move(spec));
      PatternOrigin origin;
      origin.where = lang::diagnostic_at(program, s.span, Severity::kWarning, "", "");
      origin.where.rule = rule.name;
      st.origins.push_back(std::move(origin));
    }
    uint32_t rule_index = static_cast<uint32_t>(out.rules.size());
    out.rules.push_back(std::move(cr));
    Checker checker(program, rule, rule_index, ns, options, st, diags, rule_strings, imports,
                    unknown_imports);
    uint32_t cond = rule_ok ? checker.compile_condition() : ir::kNone;
    if (cond == ir::kNone || checker.failed()) rule_ok = false;
    if (!rule_ok) {
      // Roll the rule back so later rules and references see a consistent state.
      out.rules.pop_back();
      out.patterns.resize(pattern_mark);
      st.specs.resize(pattern_mark);
      st.origins.resize(pattern_mark);
      st.fixed_offsets.resize(pattern_mark);
      st.counted.resize(pattern_mark);
      out.code.resize(code_mark);
      out.lists.resize(list_mark);
      out.regex_sources.resize(regex_mark);
      ok = false;
      continue;
    }
    CompiledRule& done = out.rules.back();
    for (uint32_t p = done.first_pattern; p < done.first_pattern + done.pattern_count; ++p) {
      int64_t f = st.fixed_offsets[p];
      out.patterns[p].fixed_offset = f >= 0 ? f : -1;
      out.patterns[p].first_match_only = !st.counted[p];
    }
    done.condition = cond;
    done.needs_match = done.pattern_count > 0 && needs_match(out, cond, false);
    out.loop_slots = std::max(out.loop_slots, checker.slots_used());
    st.rule_by_name.emplace(std::make_pair(ns, rule.name), rule_index);
  }
  return ok;
}

}  // namespace vigie::sema
