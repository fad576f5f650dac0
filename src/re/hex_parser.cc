// YARA hex strings into the IR.
//
// Tokens: bytes "4D", nibble wildcards "?A" "A?" "??", negations "~4D" "~?A" "~A?", jumps
// "[n]" "[n-m]" "[n-]" "[-]", and alternatives "( ... | ... )" which nest. Whitespace and
// C/C++ comments separate tokens. A jump becomes a lazy repetition of any byte (YARA reports
// the shortest gap first, see the verifier tests). YARA's restrictions are kept: a sequence
// (the whole string or one alternative) must begin and end with a byte; jumps inside
// alternatives must be bounded and at most kMaxHexAltJump; a jump needs lo <= hi.
#include "re/parse.h"

namespace vigie::re {
namespace {

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class HexParser {
 public:
  HexParser(std::string_view s, Ir& ir) : s_(s), ir_(ir) {}

  std::optional<PatternError> run() {
    NodeId root;
    if (!sequence(0, root)) return err_;
    skip();
    if (pos_ < s_.size()) return PatternError{"syntax error", static_cast<uint32_t>(pos_)};
    ir_.root = root;
    return std::nullopt;
  }

 private:
  bool fail(std::string msg, size_t at) {
    if (!err_) err_ = PatternError{std::move(msg), static_cast<uint32_t>(at)};
    return false;
  }

  void skip() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
        ++pos_;
      } else if (c == '/' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '/') {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
      } else if (c == '/' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '*') {
        size_t end = s_.find("*/", pos_ + 2);
        pos_ = end == std::string_view::npos ? s_.size() : end + 2;
      } else {
        break;
      }
    }
  }

  // A sequence of tokens up to '|', ')' or the end. Must start and end with a byte/group.
  bool sequence(int depth, NodeId& out) {
    if (depth > kMaxDepth) return fail("hex string nested too deeply", pos_);
    std::vector<NodeId> items;
    bool last_was_jump = false;
    for (;;) {
      skip();
      if (pos_ >= s_.size() || s_[pos_] == '|' || s_[pos_] == ')') break;
      size_t at = pos_;
      char c = s_[pos_];
      if (c == '[') {
        if (items.empty()) return fail("syntax error", at);
        NodeId j;
        if (!jump(depth > 0, j)) return false;
        items.push_back(j);
        last_was_jump = true;
        continue;
      }
      if (c == '(') {
        ++pos_;
        std::vector<NodeId> branches;
        for (;;) {
          NodeId b;
          if (!sequence(depth + 1, b)) return false;
          branches.push_back(b);
          skip();
          if (pos_ < s_.size() && s_[pos_] == '|') {
            ++pos_;
            continue;
          }
          break;
        }
        if (pos_ >= s_.size() || s_[pos_] != ')') return fail("syntax error", pos_);
        ++pos_;
        if (branches.size() == 1) {
          items.push_back(branches[0]);
        } else {
          Node n;
          n.kind = NodeKind::kAlt;
          n.kids = std::move(branches);
          items.push_back(ir_.add(std::move(n)));
        }
        last_was_jump = false;
        continue;
      }
      NodeId b;
      if (!byte(b)) return false;
      items.push_back(b);
      last_was_jump = false;
    }
    if (items.empty()) return fail("syntax error", pos_);
    if (last_was_jump) return fail("syntax error", pos_);
    out = ir_.concat(std::move(items));
    return true;
  }

  bool byte(NodeId& out) {
    size_t at = pos_;
    bool negate = false;
    if (s_[pos_] == '~') {
      negate = true;
      ++pos_;
      skip();
    }
    auto digit = [&](int& v) {
      if (pos_ >= s_.size()) return false;
      char c = s_[pos_];
      if (c == '?') {
        v = -1;
      } else if ((v = hexval(c)) < 0) {
        return false;
      }
      ++pos_;
      return true;
    };
    int hi, lo;
    if (!digit(hi)) return fail("syntax error", pos_);
    if (!digit(lo)) {
      if (pos_ < s_.size() && hexval(s_[pos_]) < 0 && s_[pos_] != '?' &&
          !(s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r' ||
            s_[pos_] == ']' || s_[pos_] == ')' || s_[pos_] == '|' || s_[pos_] == '/'))
        return fail("syntax error", pos_);
      return fail("uneven number of digits in hex string", at);
    }
    if (negate && hi < 0 && lo < 0) return fail("syntax error", at);
    ByteSet s;
    for (int b = 0; b < 256; ++b) {
      if ((hi < 0 || (b >> 4) == hi) && (lo < 0 || (b & 15) == lo)) s.add(static_cast<uint8_t>(b));
    }
    if (negate) s.invert();
    out = ir_.byte_set(s);
    return true;
  }

  bool number(uint64_t& v) {
    size_t start = pos_;
    v = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      v = v * 10 + (s_[pos_] - '0');
      if (v > UINT32_MAX - 1) v = UINT32_MAX - 1;
      ++pos_;
    }
    return pos_ > start;
  }

  bool jump(bool inside_alt, NodeId& out) {
    size_t at = pos_;
    ++pos_;
    skip();
    uint64_t lo = 0, hi = 0;
    bool has_lo = number(lo);
    skip();
    bool unbounded = false;
    if (pos_ < s_.size() && s_[pos_] == '-') {
      ++pos_;
      skip();
      if (!number(hi)) unbounded = true;
      skip();
    } else {
      if (!has_lo) return fail("syntax error", pos_);
      hi = lo;
    }
    if (pos_ >= s_.size() || s_[pos_] != ']') return fail("syntax error", pos_);
    ++pos_;
    if (inside_alt && unbounded)
      return fail("unbounded jumps not allowed inside alternation (|)", at);
    if (inside_alt && (lo > kMaxHexAltJump || hi > kMaxHexAltJump))
      return fail("jumps over 200 not allowed inside alternation (|)", at);
    if (!unbounded && lo > hi) return fail("invalid jump range", at);
    ByteSet any;
    any.invert();
    out = ir_.repeat(ir_.byte_set(any), static_cast<uint32_t>(lo),
                     unbounded ? kUnbounded : static_cast<uint32_t>(hi), false);
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  Ir& ir_;
  std::optional<PatternError> err_;
};

}  // namespace

std::optional<PatternError> parse_hex(std::string_view src, Ir& out) {
  HexParser p(src, out);
  return p.run();
}

}  // namespace vigie::re
