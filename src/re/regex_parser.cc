// YARA regular expressions into the IR.
//
// A recursive-descent parser over the grammar
//   alt    := concat ('|' concat)*
//   concat := piece*
//   piece  := atom quantifier?          quantifier := (* | + | ? | {n} | {n,} | {,m} | {n,m}) ?
//   atom   := ( alt ) | [class] | . | ^ | $ | \escape | byte
// Recursion happens only at '(' and is bounded by kMaxDepth. A '{' that does not start a
// well-formed repeat is a literal, as in YARA. `.` excludes '\n' unless the s flag is given;
// the i flag folds ASCII case in every byte set, classes included. As in YARA, one expression
// may use greedy or lazy quantifiers but not both.
#include <cctype>

#include "re/parse.h"

namespace vigie::re {
namespace {

ByteSet word_set() {
  ByteSet s;
  s.add_range('a', 'z');
  s.add_range('A', 'Z');
  s.add_range('0', '9');
  s.add('_');
  return s;
}
ByteSet space_set() {
  ByteSet s;
  for (uint8_t c : {' ', '\t', '\n', '\v', '\f', '\r'}) s.add(c);
  return s;
}
ByteSet digit_set() {
  ByteSet s;
  s.add_range('0', '9');
  return s;
}

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class RegexParser {
 public:
  RegexParser(std::string_view s, uint8_t flags, Ir& ir)
      : s_(s), nocase_(flags & lang::kRegexNocase), dotall_(flags & lang::kRegexDotAll), ir_(ir) {}

  std::optional<PatternError> run() {
    if (s_.empty()) return PatternError{"empty regular expression", 0};
    NodeId root;
    if (!alt(0, root)) return err_;
    if (pos_ < s_.size()) return PatternError{"syntax error", static_cast<uint32_t>(pos_)};
    ir_.root = root;
    return std::nullopt;
  }

 private:
  bool fail(std::string msg, size_t at) {
    if (!err_) err_ = PatternError{std::move(msg), static_cast<uint32_t>(at)};
    return false;
  }
  bool more() const { return pos_ < s_.size(); }
  char peek() const { return s_[pos_]; }

  bool alt(int depth, NodeId& out) {
    if (depth > kMaxDepth) return fail("regular expression nested too deeply", pos_);
    std::vector<NodeId> branches;
    for (;;) {
      NodeId c;
      if (!concat(depth, c)) return false;
      branches.push_back(c);
      if (more() && peek() == '|') {
        ++pos_;
        continue;
      }
      break;
    }
    if (branches.size() == 1) {
      out = branches[0];
    } else {
      Node n;
      n.kind = NodeKind::kAlt;
      n.kids = std::move(branches);
      out = ir_.add(std::move(n));
    }
    return true;
  }

  bool concat(int depth, NodeId& out) {
    std::vector<NodeId> items;
    while (more() && peek() != '|' && peek() != ')') {
      NodeId p;
      if (!piece(depth, p)) return false;
      items.push_back(p);
    }
    out = ir_.concat(std::move(items));
    return true;
  }

  // Parses "{n}", "{n,}", "{,m}", "{n,m}" at pos_; false (pos_ unchanged) if it is not one.
  bool brace(uint32_t& lo, uint32_t& hi, bool& too_large) {
    size_t p = pos_ + 1;
    auto number = [&](uint64_t& v) {
      size_t start = p;
      v = 0;
      while (p < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p]))) {
        v = v * 10 + (s_[p] - '0');
        if (v > 1000000) v = 1000000;
        ++p;
      }
      return p > start;
    };
    uint64_t a = 0, b = 0;
    bool has_a = number(a);
    bool has_b = false, comma = false;
    if (p < s_.size() && s_[p] == ',') {
      comma = true;
      ++p;
      has_b = number(b);
    }
    if (p >= s_.size() || s_[p] != '}') return false;
    if (!has_a && !has_b && !comma) return false;  // "{}" is literal, "{,}" means {0,}
    if (!comma) b = a, has_b = true;
    lo = has_a ? static_cast<uint32_t>(a) : 0;
    hi = has_b ? static_cast<uint32_t>(b) : kUnbounded;
    too_large = a > kMaxRepeat || (has_b && b > kMaxRepeat);
    pos_ = p + 1;
    return true;
  }

  bool piece(int depth, NodeId& out) {
    size_t start = pos_;
    NodeId a;
    if (!atom(depth, a)) return false;
    if (!more()) {
      out = a;
      return true;
    }
    uint32_t lo = 0, hi = 0;
    char c = peek();
    size_t qpos = pos_;
    if (c == '*') {
      lo = 0, hi = kUnbounded, ++pos_;
    } else if (c == '+') {
      lo = 1, hi = kUnbounded, ++pos_;
    } else if (c == '?') {
      lo = 0, hi = 1, ++pos_;
    } else if (c == '{') {
      bool too_large = false;
      if (!brace(lo, hi, too_large)) {
        out = a;
        return true;
      }
      if (too_large) return fail("repeat interval too large", qpos);
      // YARA rejects empty ranges, {0} and {0,0} included.
      if (hi != kUnbounded && (lo > hi || hi == 0)) return fail("bad repeat interval", qpos);
    } else {
      out = a;
      return true;
    }
    NodeKind k = ir_.nodes[a].kind;
    if (k == NodeKind::kBol || k == NodeKind::kEol || k == NodeKind::kWordBoundary ||
        k == NodeKind::kNotWordBoundary)
      return fail("syntax error", qpos);
    bool greedy = true;
    if (more() && peek() == '?') greedy = false, ++pos_;
    // YARA rejects a regex that has both greedy and lazy quantifiers.
    if ((greedy && saw_lazy_) || (!greedy && saw_greedy_))
      return fail("greedy and ungreedy quantifiers can't be mixed in a regular expression", qpos);
    (greedy ? saw_greedy_ : saw_lazy_) = true;
    if (more() &&
        (peek() == '*' || peek() == '+' || peek() == '?' || (peek() == '{' && looks_like_brace())))
      return fail("syntax error", pos_);
    (void)start;
    out = ir_.repeat(a, lo, hi, greedy);
    return true;
  }

  bool looks_like_brace() {
    size_t save = pos_;
    uint32_t lo, hi;
    bool tl;
    bool r = brace(lo, hi, tl);
    pos_ = save;
    return r;
  }

  NodeId set_node(ByteSet s) {
    if (nocase_) s.fold_case();
    return ir_.byte_set(s);
  }

  // Reads one escape after '\' (pos_ at the char after the backslash). Sets either `set` (a
  // class or a byte) or `assertion` (\b, \B when allowed).
  bool escape(ByteSet& set, NodeKind* assertion, bool in_class) {
    size_t at = pos_ - 1;
    if (!more()) return fail("illegal escape sequence", at);
    char c = s_[pos_++];
    switch (c) {
      case 't':
        set.add('\t');
        return true;
      case 'n':
        set.add('\n');
        return true;
      case 'r':
        set.add('\r');
        return true;
      case 'f':
        set.add('\f');
        return true;
      case 'a':
        set.add('\a');
        return true;
      case 'w':
        set.add_all(word_set());
        return true;
      case 'W': {
        ByteSet s = word_set();
        s.invert();
        set.add_all(s);
        return true;
      }
      case 's':
        set.add_all(space_set());
        return true;
      case 'S': {
        ByteSet s = space_set();
        s.invert();
        set.add_all(s);
        return true;
      }
      case 'd':
        set.add_all(digit_set());
        return true;
      case 'D': {
        ByteSet s = digit_set();
        s.invert();
        set.add_all(s);
        return true;
      }
      case 'x': {
        if (pos_ + 2 > s_.size() || hexval(s_[pos_]) < 0 || hexval(s_[pos_ + 1]) < 0)
          return fail("illegal escape sequence", at);
        set.add(static_cast<uint8_t>(hexval(s_[pos_]) * 16 + hexval(s_[pos_ + 1])));
        pos_ += 2;
        return true;
      }
      case 'b':
      case 'B':
        if (!in_class && assertion) {
          *assertion = c == 'b' ? NodeKind::kWordBoundary : NodeKind::kNotWordBoundary;
          return true;
        }
        set.add(static_cast<uint8_t>(c));
        return true;
      default:
        set.add(static_cast<uint8_t>(c));
        return true;
    }
  }

  // One class element that may be a range endpoint: returns the single byte, or -1 if the
  // element was a multi-byte class (\w...), whose members are added to `set` directly.
  bool class_atom(ByteSet& set, int& single) {
    char c = s_[pos_];
    if (c == '\\') {
      ++pos_;
      ByteSet one;
      if (!escape(one, nullptr, true)) return false;
      if (one.count() == 1) {
        single = one.first();
      } else {
        set.add_all(one);
        single = -1;
      }
      return true;
    }
    ++pos_;
    single = static_cast<uint8_t>(c);
    return true;
  }

  bool char_class(NodeId& out) {
    size_t open = pos_ - 1;
    ByteSet set;
    bool negate = false;
    if (more() && peek() == '^') negate = true, ++pos_;
    bool first = true;
    for (;;) {
      if (!more()) return fail("missing terminating ] for character class", open);
      if (peek() == ']' && !first) {
        ++pos_;
        break;
      }
      first = false;
      size_t at = pos_;
      int lo;
      if (!class_atom(set, lo)) return false;
      if (lo >= 0 && pos_ + 1 < s_.size() && s_[pos_] == '-' && s_[pos_ + 1] != ']') {
        ++pos_;
        int hi;
        ByteSet dummy;
        if (!class_atom(dummy, hi)) return false;
        if (hi < 0) return fail("bad character range", at);
        if (hi < lo) return fail("bad character range", at);
        set.add_range(lo, hi);
      } else if (lo >= 0) {
        set.add(static_cast<uint8_t>(lo));
      }
    }
    if (nocase_) set.fold_case();
    if (negate) set.invert();
    out = ir_.byte_set(set);
    return true;
  }

  bool atom(int depth, NodeId& out) {
    size_t at = pos_;
    char c = s_[pos_++];
    switch (c) {
      case '(': {
        if (more() && peek() == ')') return fail("syntax error", pos_);
        NodeId inner;
        if (!alt(depth + 1, inner)) return false;
        if (!more() || peek() != ')') return fail("syntax error", more() ? pos_ : at);
        ++pos_;
        out = inner;
        return true;
      }
      case ')':
        return fail("syntax error", at);
      case '*':
      case '+':
      case '?':
        return fail("syntax error", at);
      case '[':
        return char_class(out);
      case '.': {
        ByteSet s;
        s.invert();
        if (!dotall_) s.w[0] &= ~(uint64_t{1} << '\n');
        out = ir_.byte_set(s);
        return true;
      }
      case '^':
        out = ir_.simple(NodeKind::kBol);
        return true;
      case '$':
        out = ir_.simple(NodeKind::kEol);
        return true;
      case '\\': {
        ByteSet s;
        NodeKind assertion = NodeKind::kEmpty;
        if (!escape(s, &assertion, false)) return false;
        out = assertion != NodeKind::kEmpty ? ir_.simple(assertion) : set_node(s);
        return true;
      }
      default: {
        ByteSet s;
        s.add(static_cast<uint8_t>(c));
        out = set_node(s);
        return true;
      }
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
  bool nocase_, dotall_;
  Ir& ir_;
  std::optional<PatternError> err_;
  bool saw_greedy_ = false, saw_lazy_ = false;
};

}  // namespace

std::optional<PatternError> parse_regex(std::string_view src, uint8_t flags, Ir& out) {
  RegexParser p(src, flags, out);
  return p.run();
}

NodeId literal_ir(std::string_view bytes, bool nocase, Ir& out) {
  std::vector<NodeId> items;
  items.reserve(bytes.size());
  for (char c : bytes) {
    ByteSet s;
    s.add(static_cast<uint8_t>(c));
    if (nocase) s.fold_case();
    items.push_back(out.byte_set(s));
  }
  return out.concat(std::move(items));
}

}  // namespace vigie::re
