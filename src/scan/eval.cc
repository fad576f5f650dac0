// Condition evaluation (see eval.h). A recursive walk over the IR; the compiler bounds its depth.
#include "scan/eval.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace vigie::scan {
namespace {

using K = Value::Kind;

const Value kUndef{};

Value boolean(bool b) { return Value::integer(b ? 1 : 0); }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t k = 0; k < a.size(); ++k)
    if (lower(a[k]) != lower(b[k])) return false;
  return true;
}

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > hay.size()) return false;
  for (size_t k = 0; k + needle.size() <= hay.size(); ++k)
    if (iequal(hay.substr(k, needle.size()), needle)) return true;
  return false;
}

// Number of matches with offset in [lo, hi].
size_t count_in(std::span<const re::Match> m, int64_t lo, int64_t hi) {
  if (hi < 0 || lo > hi) return 0;
  uint64_t ulo = lo < 0 ? 0 : static_cast<uint64_t>(lo), uhi = static_cast<uint64_t>(hi);
  auto first = std::lower_bound(m.begin(), m.end(), ulo,
                                [](const re::Match& x, uint64_t v) { return x.offset < v; });
  auto last = std::upper_bound(first, m.end(), uhi,
                               [](uint64_t v, const re::Match& x) { return v < x.offset; });
  return static_cast<size_t>(last - first);
}

}  // namespace

Evaluator::Evaluator(const Rules::Impl& rules) : r_(rules) {
  rule_result_.assign(r_.rules.size(), 0);
  slots_.resize(r_.loop_slots);
  modules_.modules.resize(r_.modules.size());
}

void Evaluator::reset(const ScanFacts& facts) {
  facts_ = facts;
  std::fill(rule_result_.begin(), rule_result_.end(), 0);
  for (auto& m : modules_.modules) {
    if (m.loaded) {
      m.loaded = false;
      m.root.reset();
      m.state.reset();
    }
  }
  temps_.clear();
  entry_known_ = false;
  timed_out_ = false;
  ticks_ = 0;
}

bool Evaluator::check_deadline() {
  if (timed_out_) return true;
  if ((++ticks_ & 1023) == 0 && std::chrono::steady_clock::now() > facts_.deadline)
    timed_out_ = true;
  return timed_out_;
}

bool Evaluator::eval_rule(uint32_t r) {
  temps_.clear();
  bool v = truth(r_.rules[r].condition);
  rule_result_[r] = v;
  return v;
}

bool Evaluator::truth(uint32_t at) {
  Value v = eval(at);
  switch (v.kind) {
    case K::kInt:
      return v.i != 0;
    case K::kFloat:
      return v.f != 0;
    case K::kString:
      return !v.s.empty();
    default:
      return false;
  }
}

const mod::Node* Evaluator::module_root(uint32_t index) {
  Value v = load_module(index);
  return v.node;
}

Value Evaluator::load_module(uint32_t index) {
  if (index >= modules_.modules.size() || index >= r_.module_ptrs.size()) return kUndef;
  ModuleRuntime::Loaded& m = modules_.modules[index];
  const mod::Module* module = r_.module_ptrs[index];
  if (!m.loaded) {
    m.loaded = true;
    m.root = std::make_unique<mod::Node>(&mod::schema_of(*module).root());
    if (module->load) {
      mod::LoadContext ctx;
      ctx.data = facts_.module_input;
      if (facts_.module_data && index < facts_.module_data->size())
        ctx.module_data = (*facts_.module_data)[index];
      ctx.is_process = facts_.is_process;
      ctx.base_address = facts_.module_base;
      ctx.state = &m.state;
      ctx.log = facts_.log;
      ctx.log_ctx = facts_.log_ctx;
      module->load(ctx, *m.root);
    }
  }
  Value v;
  v.kind = K::kObject;
  v.module = index;
  v.node = m.root.get();
  return v;
}

// A node's value as the schema types it: scalars when defined, objects always.
static Value node_value(const mod::Node* n, uint32_t module) {
  if (!n || !n->type) return kUndef;
  switch (n->type->kind) {
    case mod::Kind::kInteger:
      return n->defined ? Value::integer(n->i) : kUndef;
    case mod::Kind::kFloat:
      return n->defined ? Value::real(n->f) : kUndef;
    case mod::Kind::kString:
      return n->defined ? Value::string(n->s) : kUndef;
    case mod::Kind::kFunction:
      return kUndef;
    default: {
      Value v;
      v.kind = K::kObject;
      v.module = module;
      v.node = n;
      return v;
    }
  }
}

Value Evaluator::read_int(const ir::Insn& i, const Value& off) {
  if (off.kind != K::kInt || off.i < 0) return kUndef;
  const size_t width = static_cast<size_t>(i.i);
  uint8_t buf[4] = {0, 0, 0, 0};
  const uint64_t o = static_cast<uint64_t>(off.i);
  if (facts_.fetch) {
    if (!facts_.fetch(o, buf, width)) return kUndef;
  } else {
    if (o > facts_.data.size() || facts_.data.size() - o < width) return kUndef;
    std::memcpy(buf, facts_.data.data() + o, width);
  }
  uint64_t v = 0;
  if (i.flags & ir::kBigEndian) {
    for (size_t k = 0; k < width; ++k) v = (v << 8) | buf[k];
  } else {
    for (size_t k = width; k-- > 0;) v = (v << 8) | buf[k];
  }
  if (i.flags & ir::kSigned) {
    switch (width) {
      case 1:
        return Value::integer(static_cast<int8_t>(v));
      case 2:
        return Value::integer(static_cast<int16_t>(v));
      default:
        return Value::integer(static_cast<int32_t>(v));
    }
  }
  return Value::integer(static_cast<int64_t>(v));
}

Value Evaluator::call(const ir::Insn& i, const Value& base) {
  if (base.kind != K::kObject || !base.node || !base.node->type || !base.node->type->structure)
    return kUndef;
  const auto& fields = base.node->type->structure->fields;
  if (i.i < 0 || static_cast<size_t>(i.i) >= fields.size()) return kUndef;
  const mod::Type* ft = fields[i.i].type;
  if (!ft || ft->kind != mod::Kind::kFunction || i.slot >= ft->overloads.size()) return kUndef;
  const mod::Overload& ov = ft->overloads[i.slot];
  if (!ov.fn || ov.params.size() != i.count) return kUndef;
  mod::Value args[16];
  if (i.count > 16) return kUndef;
  for (uint32_t k = 0; k < i.count; ++k) {
    Value a = eval(r_.lists[i.list + k]);
    switch (a.kind) {
      case K::kInt:
        args[k] = ov.params[k] == 'f' ? mod::Value::real(static_cast<double>(a.i))
                                      : mod::Value::integer(a.i);
        break;
      case K::kFloat:
        args[k] = mod::Value::real(a.f);
        break;
      case K::kString:
        args[k] = mod::Value::string(std::string(a.s));
        break;
      case K::kRegex:
        args[k].tag = mod::Value::Tag::kRegex;
        args[k].regex = a.i >= 0 && static_cast<size_t>(a.i) < r_.regexes.size()
                            ? r_.regexes[a.i].get()
                            : nullptr;
        if (!args[k].regex) return kUndef;
        break;
      default:
        return kUndef;  // a function of an undefined argument is undefined
    }
  }
  ModuleRuntime::Loaded* m =
      base.module < modules_.modules.size() ? &modules_.modules[base.module] : nullptr;
  mod::CallContext ctx;
  ctx.data = facts_.module_input;
  ctx.base_address = facts_.module_base;
  ctx.parent = base.node;
  ctx.root = m ? m->root.get() : nullptr;
  ctx.state = m ? m->state.get() : nullptr;
  ctx.log = facts_.log;
  ctx.log_ctx = facts_.log_ctx;
  mod::Value res = ov.fn(ctx, std::span<const mod::Value>(args, i.count));
  switch (res.tag) {
    case mod::Value::Tag::kInteger:
      return Value::integer(res.i);
    case mod::Value::Tag::kFloat:
      return Value::real(res.f);
    case mod::Value::Tag::kString:
      temps_.push_back(std::move(res.s));
      return Value::string(temps_.back());
    default:
      return kUndef;
  }
}

bool Evaluator::quantifier_met(const ir::Insn& i, uint64_t sat, uint64_t total, int64_t n) {
  switch (i.quant) {
    case ir::Quantifier::kAll:
      return sat == total;
    case ir::Quantifier::kAny:
      return sat >= 1;
    case ir::Quantifier::kNone:
      return sat == 0;
    case ir::Quantifier::kCount:  // "0 of them" means none of them
      return n <= 0 ? sat == 0 : sat >= static_cast<uint64_t>(n);
    case ir::Quantifier::kPercent:
      return static_cast<long double>(sat) * 100 >= static_cast<long double>(n) * total;
  }
  return false;
}

// `of` and `for .. of`: counts the items that hold, stopping as soon as the answer is known.
Value Evaluator::quantified(const ir::Insn& i) {
  int64_t n = 0;
  if (i.quant == ir::Quantifier::kCount || i.quant == ir::Quantifier::kPercent) {
    Value nv = eval(i.a);
    if (nv.kind != K::kInt) return boolean(false);
    n = nv.i;
  }
  const uint64_t total = i.count;
  uint64_t sat = 0;
  int64_t at = 0, lo = 0, hi = 0;
  bool range_ok = true;
  if (i.op == ir::Op::kOfStrings && (i.flags & ir::kOfAt)) {
    Value v = eval(i.b);
    range_ok = v.kind == K::kInt;
    at = v.i;
  } else if (i.op == ir::Op::kOfStrings && (i.flags & ir::kOfIn)) {
    Value a = eval(i.b), b = eval(i.c);
    range_ok = a.kind == K::kInt && b.kind == K::kInt;
    lo = a.i;
    hi = b.i;
  }
  for (uint32_t k = 0; k < i.count; ++k) {
    const uint32_t item = r_.lists[i.list + k];
    bool ok = false;
    switch (i.op) {
      case ir::Op::kOfStrings: {
        auto m = facts_.matches->matches(item);
        if (!range_ok)
          ok = false;
        else if (i.flags & ir::kOfAt)
          ok = count_in(m, at, at) > 0;
        else if (i.flags & ir::kOfIn)
          ok = count_in(m, lo, hi) > 0;
        else
          ok = !m.empty();
        break;
      }
      case ir::Op::kOfRules:
        ok = rule_result_[item] != 0;
        break;
      case ir::Op::kOfExprs:
        ok = truth(item);
        break;
      case ir::Op::kForOf:
        slots_[i.slot] = Value::integer(item);
        ok = truth(i.d);
        break;
      default:
        break;
    }
    sat += ok;
    // Stop early once the outcome cannot change.
    if (i.quant == ir::Quantifier::kAny && sat) break;
    if (i.quant == ir::Quantifier::kNone && sat) break;
    if (i.quant == ir::Quantifier::kAll && !ok) break;
    if (i.quant == ir::Quantifier::kCount && n > 0 && sat >= static_cast<uint64_t>(n)) break;
    if (timed_out_) break;
  }
  return boolean(quantifier_met(i, sat, total, n));
}

Value Evaluator::for_in(const ir::Insn& i) {
  int64_t n = 0;
  if (i.quant == ir::Quantifier::kCount || i.quant == ir::Quantifier::kPercent) {
    Value nv = eval(i.a);
    if (nv.kind != K::kInt) return boolean(false);
    n = nv.i;
  }
  uint64_t sat = 0, total = 0;
  // Visits one iteration; returns false to stop early.
  auto step = [&](bool ok) {
    sat += ok;
    ++total;
    if (check_deadline()) return false;
    if (i.quant == ir::Quantifier::kAny && sat) return false;
    if (i.quant == ir::Quantifier::kNone && sat) return false;
    if (i.quant == ir::Quantifier::kAll && !ok) return false;
    if (i.quant == ir::Quantifier::kCount && n > 0 && sat >= static_cast<uint64_t>(n)) return false;
    return true;
  };
  uint64_t expected = 0;  // iterations the loop would make without stopping early
  switch (i.op) {
    case ir::Op::kForInRange: {
      Value lo = eval(i.b), hi = eval(i.c);
      if (lo.kind != K::kInt || hi.kind != K::kInt || lo.i > hi.i) return boolean(false);
      expected = static_cast<uint64_t>(hi.i) - static_cast<uint64_t>(lo.i) + 1;
      for (int64_t v = lo.i;; ++v) {
        slots_[i.slot] = Value::integer(v);
        if (!step(truth(i.d)) || v == hi.i) break;
      }
      break;
    }
    case ir::Op::kForInList: {
      expected = i.count;
      for (uint32_t k = 0; k < i.count; ++k) {
        slots_[i.slot] = eval(r_.lists[i.list + k]);
        if (!step(truth(i.d))) break;
      }
      break;
    }
    case ir::Op::kForInArray: {
      Value arr = eval(i.b);
      if (arr.kind != K::kObject || !arr.node) return boolean(false);
      expected = arr.node->children.size();
      for (const mod::Node& el : arr.node->children) {
        slots_[i.slot] = node_value(&el, arr.module);
        if (!step(truth(i.d))) break;
      }
      break;
    }
    case ir::Op::kForInDict: {
      Value dict = eval(i.b);
      if (dict.kind != K::kObject || !dict.node) return boolean(false);
      expected = dict.node->entries.size();
      for (const auto& [key, val] : dict.node->entries) {
        slots_[i.slot] = Value::string(key);
        slots_[i.slot + 1] = node_value(&val, dict.module);
        if (!step(truth(i.d))) break;
      }
      break;
    }
    default:
      return kUndef;
  }
  if (expected == 0) return boolean(false);  // as YARA: a loop over nothing is false
  return boolean(quantifier_met(i, sat, expected, n));
}

Value Evaluator::eval(uint32_t at) {
  if (at >= r_.code.size()) return kUndef;
  const ir::Insn& i = r_.code[at];
  switch (i.op) {
    case ir::Op::kConstInt:
      return Value::integer(i.i);
    case ir::Op::kConstFloat:
      return Value::real(i.f);
    case ir::Op::kConstString:
      return Value::string(r_.strings[i.str]);
    case ir::Op::kConstUndef:
      return kUndef;
    case ir::Op::kRegex: {
      Value v;
      v.kind = K::kRegex;
      v.i = i.str;
      return v;
    }
    case ir::Op::kFilesize:
      return facts_.has_filesize ? Value::integer(static_cast<int64_t>(facts_.data.size()))
                                 : kUndef;
    case ir::Op::kEntrypoint:
      if (!entry_known_) {
        entry_known_ = true;
        entry_ok_ = mod::entry_point_offset(facts_.module_input, &entry_);
      }
      return entry_ok_ ? Value::integer(static_cast<int64_t>(entry_)) : kUndef;
    case ir::Op::kExternal: {
      if (!facts_.externals || i.str >= facts_.externals->size()) return kUndef;
      const ExternalValue& x = (*facts_.externals)[i.str];
      if (auto* v = std::get_if<int64_t>(&x)) return Value::integer(*v);
      if (auto* v = std::get_if<double>(&x)) return Value::real(*v);
      if (auto* v = std::get_if<bool>(&x)) return boolean(*v);
      return Value::string(std::get<std::string>(x));
    }
    case ir::Op::kRuleRef:
      return boolean(rule_result_[i.i] != 0);
    case ir::Op::kStringFound:
    case ir::Op::kStringAt:
    case ir::Op::kStringIn:
    case ir::Op::kStringCount:
    case ir::Op::kStringCountIn:
    case ir::Op::kStringOffset:
    case ir::Op::kStringLength: {
      uint32_t p = i.pat;
      if (i.flags & ir::kAnonymous) {
        const Value& s = slots_[i.pat];
        if (s.kind != K::kInt) return kUndef;
        p = static_cast<uint32_t>(s.i);
      }
      auto m = facts_.matches->matches(p);
      switch (i.op) {
        case ir::Op::kStringFound:
          return boolean(!m.empty());
        case ir::Op::kStringAt: {
          Value off = eval(i.a);
          if (off.kind != K::kInt) return boolean(false);
          return boolean(count_in(m, off.i, off.i) > 0);
        }
        case ir::Op::kStringIn: {
          Value lo = eval(i.a), hi = eval(i.b);
          if (lo.kind != K::kInt || hi.kind != K::kInt) return boolean(false);
          return boolean(count_in(m, lo.i, hi.i) > 0);
        }
        case ir::Op::kStringCount:
          return Value::integer(static_cast<int64_t>(m.size()));
        case ir::Op::kStringCountIn: {
          Value lo = eval(i.a), hi = eval(i.b);
          if (lo.kind != K::kInt || hi.kind != K::kInt) return kUndef;
          return Value::integer(static_cast<int64_t>(count_in(m, lo.i, hi.i)));
        }
        default: {
          Value idx = eval(i.a);
          if (idx.kind != K::kInt || idx.i < 1 || static_cast<uint64_t>(idx.i) > m.size())
            return kUndef;
          const re::Match& x = m[idx.i - 1];
          return Value::integer(i.op == ir::Op::kStringOffset ? static_cast<int64_t>(x.offset)
                                                              : static_cast<int64_t>(x.length));
        }
      }
    }
    case ir::Op::kReadInt:
      return read_int(i, eval(i.a));
    case ir::Op::kNot: {
      Value a = eval(i.a);
      if (!a.defined()) return kUndef;
      return boolean(a.i == 0);
    }
    case ir::Op::kToBool: {
      Value a = eval(i.a);
      switch (a.kind) {
        case K::kInt:
          return boolean(a.i != 0);
        case K::kFloat:
          return boolean(a.f != 0);
        case K::kString:
          return boolean(!a.s.empty());
        default:
          return kUndef;
      }
    }
    case ir::Op::kToFloat: {
      Value a = eval(i.a);
      if (a.kind == K::kInt) return Value::real(static_cast<double>(a.i));
      return a.kind == K::kFloat ? a : kUndef;
    }
    case ir::Op::kDefined:
      return boolean(eval(i.a).defined());
    case ir::Op::kNeg: {
      Value a = eval(i.a);
      if (a.kind == K::kInt)
        return Value::integer(static_cast<int64_t>(0ull - static_cast<uint64_t>(a.i)));
      if (a.kind == K::kFloat) return Value::real(-a.f);
      return kUndef;
    }
    case ir::Op::kBitNot: {
      Value a = eval(i.a);
      return a.kind == K::kInt ? Value::integer(~a.i) : kUndef;
    }
    case ir::Op::kAnd: {
      Value a = eval(i.a);
      if (!a.defined() || a.i == 0) return boolean(false);
      Value b = eval(i.b);
      return boolean(b.defined() && b.i != 0);
    }
    case ir::Op::kOr: {
      Value a = eval(i.a);
      if (a.defined() && a.i != 0) return boolean(true);
      Value b = eval(i.b);
      return boolean(b.defined() && b.i != 0);
    }
    case ir::Op::kLt:
    case ir::Op::kLe:
    case ir::Op::kGt:
    case ir::Op::kGe:
    case ir::Op::kEq:
    case ir::Op::kNe: {
      Value a = eval(i.a), b = eval(i.b);
      if (!a.defined() || !b.defined()) return kUndef;
      int c;
      if (a.kind == K::kString && b.kind == K::kString) {
        c = a.s.compare(b.s);
      } else if (a.kind == K::kFloat || b.kind == K::kFloat) {
        double x = a.kind == K::kFloat ? a.f : static_cast<double>(a.i);
        double y = b.kind == K::kFloat ? b.f : static_cast<double>(b.i);
        if (std::isnan(x) || std::isnan(y)) return boolean(i.op == ir::Op::kNe);
        c = x < y ? -1 : x > y ? 1 : 0;
      } else if (a.kind == K::kInt && b.kind == K::kInt) {
        c = a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
      } else {
        return kUndef;
      }
      switch (i.op) {
        case ir::Op::kLt:
          return boolean(c < 0);
        case ir::Op::kLe:
          return boolean(c <= 0);
        case ir::Op::kGt:
          return boolean(c > 0);
        case ir::Op::kGe:
          return boolean(c >= 0);
        case ir::Op::kEq:
          return boolean(c == 0);
        default:
          return boolean(c != 0);
      }
    }
    case ir::Op::kAdd:
    case ir::Op::kSub:
    case ir::Op::kMul:
    case ir::Op::kDiv: {
      Value a = eval(i.a), b = eval(i.b);
      if (!a.defined() || !b.defined()) return kUndef;
      if (i.type == ir::Type::kFloat) {
        double x = a.kind == K::kFloat ? a.f : static_cast<double>(a.i);
        double y = b.kind == K::kFloat ? b.f : static_cast<double>(b.i);
        switch (i.op) {
          case ir::Op::kAdd:
            return Value::real(x + y);
          case ir::Op::kSub:
            return Value::real(x - y);
          case ir::Op::kMul:
            return Value::real(x * y);
          default:
            return Value::real(x / y);  // IEEE: x / 0 is infinite, as in YARA
        }
      }
      uint64_t x = static_cast<uint64_t>(a.i), y = static_cast<uint64_t>(b.i);
      switch (i.op) {
        case ir::Op::kAdd:
          return Value::integer(static_cast<int64_t>(x + y));
        case ir::Op::kSub:
          return Value::integer(static_cast<int64_t>(x - y));
        case ir::Op::kMul:
          return Value::integer(static_cast<int64_t>(x * y));
        default:
          if (b.i == 0) return kUndef;
          if (a.i == std::numeric_limits<int64_t>::min() && b.i == -1) return Value::integer(a.i);
          return Value::integer(a.i / b.i);
      }
    }
    case ir::Op::kMod:
    case ir::Op::kShl:
    case ir::Op::kShr:
    case ir::Op::kBitAnd:
    case ir::Op::kBitOr:
    case ir::Op::kBitXor: {
      Value a = eval(i.a), b = eval(i.b);
      if (a.kind != K::kInt || b.kind != K::kInt) return kUndef;
      switch (i.op) {
        case ir::Op::kMod:
          if (b.i == 0) return kUndef;
          if (b.i == -1) return Value::integer(0);
          return Value::integer(a.i % b.i);
        // Shifts by 64 or more give 0, as in YARA; negative counts are undefined.
        case ir::Op::kShl:
          if (b.i < 0) return kUndef;
          return Value::integer(
              b.i >= 64 ? 0 : static_cast<int64_t>(static_cast<uint64_t>(a.i) << b.i));
        case ir::Op::kShr:
          if (b.i < 0) return kUndef;
          // Arithmetic shift of the signed value, as YARA does.
          return Value::integer(b.i >= 64 ? (a.i < 0 ? -1 : 0) : a.i >> b.i);
        case ir::Op::kBitAnd:
          return Value::integer(a.i & b.i);
        case ir::Op::kBitOr:
          return Value::integer(a.i | b.i);
        default:
          return Value::integer(a.i ^ b.i);
      }
    }
    case ir::Op::kContains:
    case ir::Op::kIContains:
    case ir::Op::kStartsWith:
    case ir::Op::kIStartsWith:
    case ir::Op::kEndsWith:
    case ir::Op::kIEndsWith:
    case ir::Op::kIEquals: {
      Value a = eval(i.a), b = eval(i.b);
      if (a.kind != K::kString || b.kind != K::kString) return kUndef;
      std::string_view s = a.s, t = b.s;
      switch (i.op) {
        case ir::Op::kContains:
          return boolean(s.find(t) != std::string_view::npos);
        case ir::Op::kIContains:
          return boolean(icontains(s, t));
        case ir::Op::kStartsWith:
          return boolean(s.substr(0, t.size()) == t);
        case ir::Op::kIStartsWith:
          return boolean(t.size() <= s.size() && iequal(s.substr(0, t.size()), t));
        case ir::Op::kEndsWith:
          return boolean(t.size() <= s.size() && s.substr(s.size() - t.size()) == t);
        case ir::Op::kIEndsWith:
          return boolean(t.size() <= s.size() && iequal(s.substr(s.size() - t.size()), t));
        default:
          return boolean(iequal(s, t));
      }
    }
    case ir::Op::kMatches: {
      Value a = eval(i.a), b = eval(i.b);
      if (a.kind != K::kString || b.kind != K::kRegex || b.i < 0 ||
          static_cast<size_t>(b.i) >= r_.regexes.size())
        return kUndef;
      return boolean(r_.regexes[b.i]->search(a.s));
    }
    case ir::Op::kOfStrings:
    case ir::Op::kOfRules:
    case ir::Op::kOfExprs:
    case ir::Op::kForOf:
      return quantified(i);
    case ir::Op::kForInRange:
    case ir::Op::kForInList:
    case ir::Op::kForInArray:
    case ir::Op::kForInDict:
      return for_in(i);
    case ir::Op::kLoopVar:
      return i.slot < slots_.size() ? slots_[i.slot] : kUndef;
    case ir::Op::kModule:
      return load_module(static_cast<uint32_t>(i.i));
    case ir::Op::kField: {
      Value base = eval(i.a);
      if (base.kind != K::kObject || !base.node || i.i < 0 ||
          static_cast<size_t>(i.i) >= base.node->children.size())
        return kUndef;
      return node_value(&base.node->children[i.i], base.module);
    }
    case ir::Op::kIndex: {
      Value base = eval(i.a), idx = eval(i.b);
      if (base.kind != K::kObject || !base.node || idx.kind != K::kInt || idx.i < 0 ||
          static_cast<uint64_t>(idx.i) >= base.node->children.size())
        return kUndef;
      return node_value(&base.node->children[idx.i], base.module);
    }
    case ir::Op::kKey: {
      Value base = eval(i.a), key = eval(i.b);
      if (base.kind != K::kObject || !base.node || key.kind != K::kString) return kUndef;
      return node_value(base.node->find_entry(key.s), base.module);
    }
    case ir::Op::kCall:
      return call(i, eval(i.a));
  }
  return kUndef;
}

}  // namespace vigie::scan
