// The lexer. A hand-written scanner over bytes: every token kind is recognised by its first
// byte, so there is no backtracking and no regex machinery. Numbers are decoded here with
// overflow checks (YARA rejects literals that do not fit in a signed 64-bit integer, KB and MB
// suffixes included); text strings are unescaped here, regexes and hex strings are kept as
// source text for the pattern engine.
#include "lang/lexer.h"

#include <cstdlib>
#include <limits>

#include "lang/diag_codes.h"

namespace vigie::lang {
namespace {

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Escapes a regex may use without being flagged by strict_escape: the classes, anchors and
// control characters of YARA's regex syntax. Any escaped punctuation is a literal and is fine.
bool known_regex_escape(char c) {
  switch (c) {
    case 'w':
    case 'W':
    case 's':
    case 'S':
    case 'd':
    case 'D':
    case 'b':
    case 'B':
    case 'n':
    case 't':
    case 'r':
    case 'f':
    case 'a':
    case 'x':
      return true;
    default:
      return !is_ident_char(c) || c == '_';  // escaped punctuation is a literal
  }
}

// Hex digits, wildcards, jumps, alternatives and whitespace; the pattern engine checks the
// structure.
bool is_hex_string_char(char c) {
  if (hex_value(c) >= 0) return true;
  switch (c) {
    case '?':
    case '~':
    case '[':
    case ']':
    case '-':
    case '(':
    case ')':
    case '|':
    case ' ':
    case '\t':
    case '\r':
    case '\n':
    case '\v':
    case '\f':
      return true;
    default:
      return false;
  }
}

}  // namespace

Lexer::Lexer(std::string_view text, uint32_t file, bool strict_escape, DiagSink sink)
    : text_(text), file_(file), strict_escape_(strict_escape), sink_(std::move(sink)) {}

void Lexer::advance() {
  if (text_[pos_] == '\n') {
    ++line_;
    line_start_ = pos_ + 1;
  }
  ++pos_;
}

Span Lexer::here(size_t offset, size_t length) const {
  return Span{file_, static_cast<uint32_t>(offset), static_cast<uint32_t>(length), line_,
              static_cast<uint32_t>(offset - line_start_ + 1)};
}

void Lexer::error(const Span& at, const char* code, std::string message, Severity severity) {
  if (sink_) sink_(severity, code, at, std::move(message));
}

Token Lexer::start() const {
  Token t;
  t.offset = static_cast<uint32_t>(pos_);
  t.line = line_;
  t.column = static_cast<uint32_t>(pos_ - line_start_ + 1);
  return t;
}

Token& Lexer::finish(Token& t, Tok kind) {
  t.kind = kind;
  t.length = static_cast<uint32_t>(pos_ - t.offset);
  t.text = text_.substr(t.offset, t.length);
  return t;
}

bool Lexer::skip_trivia() {
  while (!at_end()) {
    char c = peek();
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
      advance();
    } else if (c == '/' && peek(1) == '/') {
      while (!at_end() && peek() != '\n') advance();
    } else if (c == '/' && peek(1) == '*') {
      Token t = start();
      advance();
      advance();
      while (!at_end() && !(peek() == '*' && peek(1) == '/')) advance();
      if (at_end()) {
        error(Span{file_, t.offset, 2, t.line, t.column}, codes::kUnterminatedComment,
              "unterminated comment: \"/*\" has no matching \"*/\"");
        return false;
      }
      advance();
      advance();
    } else {
      break;
    }
  }
  return true;
}

Token Lexer::next() {
  if (!skip_trivia()) {
    Token t = start();
    return finish(t, Tok::kError);
  }
  Token t = start();
  if (at_end()) return finish(t, Tok::kEof);
  char c = peek();
  if (is_digit(c)) return lex_number();
  if (is_ident_start(c)) return lex_word();
  switch (c) {
    case '"':
      return lex_text();
    case '/':
      return lex_regex();
    case '$':
      return lex_string_ref(Tok::kStringId);
    case '#':
      return lex_string_ref(Tok::kStringCount);
    case '@':
      return lex_string_ref(Tok::kStringOffset);
    case '!':
      if (peek(1) == '=') {
        advance();
        advance();
        return finish(t, Tok::kNe);
      }
      return lex_string_ref(Tok::kStringLength);
    default:
      break;
  }
  auto one = [&](Tok k) -> Token {
    advance();
    return finish(t, k);
  };
  auto two = [&](Tok k) -> Token {
    advance();
    advance();
    return finish(t, k);
  };
  switch (c) {
    case '{':
      return one(Tok::kLBrace);
    case '}':
      return one(Tok::kRBrace);
    case '(':
      return one(Tok::kLParen);
    case ')':
      return one(Tok::kRParen);
    case '[':
      return one(Tok::kLBracket);
    case ']':
      return one(Tok::kRBracket);
    case ':':
      return one(Tok::kColon);
    case ',':
      return one(Tok::kComma);
    case '.':
      return peek(1) == '.' ? two(Tok::kDotDot) : one(Tok::kDot);
    case '=':
      return peek(1) == '=' ? two(Tok::kEq) : one(Tok::kAssign);
    case '+':
      return one(Tok::kPlus);
    case '-':
      return one(Tok::kMinus);
    case '*':
      return one(Tok::kStar);
    case '\\':
      return one(Tok::kBackslash);
    case '%':
      return one(Tok::kPercent);
    case '&':
      return one(Tok::kAmp);
    case '|':
      return one(Tok::kPipe);
    case '^':
      return one(Tok::kCaret);
    case '~':
      return one(Tok::kTilde);
    case '<':
      if (peek(1) == '<') return two(Tok::kShl);
      return peek(1) == '=' ? two(Tok::kLe) : one(Tok::kLt);
    case '>':
      if (peek(1) == '>') return two(Tok::kShr);
      return peek(1) == '=' ? two(Tok::kGe) : one(Tok::kGt);
    default:
      break;
  }
  // A byte that starts no token. Name it readably; consume a whole UTF-8 sequence so that one
  // stray character gives one message.
  std::string shown;
  unsigned char u = static_cast<unsigned char>(c);
  size_t len = 1;
  if (u >= 0xC0) {
    while (pos_ + len < text_.size() && len < 4 &&
           (static_cast<unsigned char>(text_[pos_ + len]) & 0xC0) == 0x80)
      ++len;
  }
  if (u >= 0x20 && u < 0x7F) {
    shown = std::string("\"") + c + "\"";
  } else if (u >= 0xC0 && len > 1) {
    shown = quoted(text_.substr(pos_, len));
  } else {
    static const char* digits = "0123456789abcdef";
    shown = std::string("byte 0x") + digits[u >> 4] + digits[u & 15];
  }
  error(here(pos_, len), codes::kUnexpectedChar, "unexpected character " + shown);
  for (size_t i = 0; i < len; ++i) advance();
  return finish(t, Tok::kError);
}

Token Lexer::lex_number() {
  Token t = start();
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  bool overflow = false;
  uint64_t v = 0;
  auto accumulate = [&](uint64_t base, int digit) {
    if (v > (kMax - static_cast<uint64_t>(digit)) / base) overflow = true;
    if (!overflow) v = v * base + static_cast<uint64_t>(digit);
  };
  if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X') && hex_value(peek(2)) >= 0) {
    advance();
    advance();
    while (hex_value(peek()) >= 0) {
      accumulate(16, hex_value(peek()));
      advance();
    }
  } else if (peek() == '0' && peek(1) == 'o' && peek(2) >= '0' && peek(2) <= '7') {
    advance();
    advance();
    while (peek() >= '0' && peek() <= '7') {
      accumulate(8, peek() - '0');
      advance();
    }
  } else {
    while (is_digit(peek())) {
      accumulate(10, peek() - '0');
      advance();
    }
    if (peek() == '.' && is_digit(peek(1))) {
      advance();
      while (is_digit(peek())) advance();
      finish(t, Tok::kFloat);
      t.real = std::strtod(std::string(t.text).c_str(), nullptr);
      return t;
    }
    if ((peek() == 'K' || peek() == 'M') && peek(1) == 'B') {
      uint64_t mul = peek() == 'K' ? 1024 : 1024 * 1024;
      advance();
      advance();
      if (!overflow && v > kMax / mul) overflow = true;
      if (!overflow) v *= mul;
    }
  }
  finish(t, Tok::kInteger);
  if (overflow) {
    error(span_of(t), codes::kIntegerOverflow,
          "integer overflow: " + std::string(t.text) + " does not fit in a 64-bit signed integer");
    v = 0;
  }
  t.integer = static_cast<int64_t>(v);
  return t;
}

Token Lexer::lex_word() {
  Token t = start();
  while (is_ident_char(peek())) advance();
  finish(t, Tok::kIdentifier);
  Tok k = keyword(t.text);
  if (k != Tok::kIdentifier) {
    t.kind = k;
    return t;
  }
  if (t.length > kMaxIdentifierLength)
    error(span_of(t), codes::kIdentifierTooLong,
          "identifier \"" + std::string(t.text.substr(0, 32)) + "...\" is longer than " +
              std::to_string(kMaxIdentifierLength) + " characters");
  return t;
}

Token Lexer::lex_string_ref(Tok plain) {
  Token t = start();
  advance();  // the sigil
  while (is_ident_char(peek())) advance();
  if (plain == Tok::kStringId && peek() == '*') {
    advance();
    return finish(t, Tok::kStringIdWildcard);
  }
  finish(t, plain);
  if (t.length > kMaxIdentifierLength + 1)
    error(span_of(t), codes::kIdentifierTooLong,
          "identifier \"" + std::string(t.text.substr(0, 32)) + "...\" is longer than " +
              std::to_string(kMaxIdentifierLength) + " characters");
  return t;
}

Token Lexer::lex_text() {
  Token t = start();
  advance();  // "
  std::string value;
  while (true) {
    if (at_end() || peek() == '\n') {
      error(Span{file_, t.offset, static_cast<uint32_t>(pos_ - t.offset), t.line, t.column},
            codes::kUnterminatedString, "unterminated text string: missing closing '\"'");
      finish(t, Tok::kText);
      t.value = std::move(value);
      return t;
    }
    char c = peek();
    if (c == '"') {
      advance();
      break;
    }
    if (c != '\\') {
      value += c;
      advance();
      continue;
    }
    size_t esc = pos_;
    char e = peek(1);
    switch (e) {
      case '"':
        value += '"';
        break;
      case '\\':
        value += '\\';
        break;
      case 't':
        value += '\t';
        break;
      case 'n':
        value += '\n';
        break;
      case 'r':
        value += '\r';
        break;
      case 'x': {
        int hi = hex_value(peek(2)), lo = hex_value(peek(3));
        if (hi >= 0 && lo >= 0) {
          value += static_cast<char>(hi * 16 + lo);
          advance();
          advance();
        } else {
          size_t len = 2 + (hi >= 0 ? 1 : 0);
          error(here(esc, len), codes::kIllegalEscape,
                "illegal escape sequence \"" + std::string(text_.substr(esc, len)) +
                    "\": \\x needs two hexadecimal digits");
        }
        break;
      }
      default:
        if (e == '\n' || e == '\0') {
          // The unterminated-string check above reports it.
          advance();
          continue;
        }
        error(here(esc, 2), codes::kIllegalEscape,
              "illegal escape sequence \"\\" + std::string(1, e) +
                  "\" (text strings accept \\\" \\\\ \\t \\n \\r \\xHH)");
        break;
    }
    advance();
    advance();
  }
  finish(t, Tok::kText);
  t.value = std::move(value);
  return t;
}

Token Lexer::lex_regex() {
  Token t = start();
  advance();  // /
  size_t body = pos_;
  while (true) {
    if (at_end() || peek() == '\n') {
      error(Span{file_, t.offset, static_cast<uint32_t>(pos_ - t.offset), t.line, t.column},
            codes::kUnterminatedRegex, "unterminated regular expression: missing closing '/'");
      finish(t, Tok::kRegex);
      t.value = std::string(text_.substr(body, pos_ - body));
      return t;
    }
    char c = peek();
    if (c == '/') break;
    if (c == '\\' && peek(1) != '\n' && pos_ + 1 < text_.size()) {
      if (strict_escape_ && !known_regex_escape(peek(1)))
        error(here(pos_, 2), codes::kUnknownEscape,
              "unknown escape sequence \"\\" + std::string(1, peek(1)) + "\" in regular expression",
              Severity::kWarning);
      advance();
    }
    advance();
  }
  t.value = std::string(text_.substr(body, pos_ - body));
  advance();  // closing /
  if (peek() == 'i') {
    t.regex_flags |= kRegexNocase;
    advance();
  }
  if (peek() == 's') {
    t.regex_flags |= kRegexDotAll;
    advance();
  }
  return finish(t, Tok::kRegex);
}

Token Lexer::hex_body() {
  Token t = start();
  std::string value;
  bool bad = false;
  while (true) {
    if (at_end()) {
      error(
          Span{file_, t.offset > 0 ? t.offset - 1 : 0, 1, t.line, t.column > 1 ? t.column - 1 : 1},
          codes::kUnterminatedHex, "unterminated hex string: missing closing '}'");
      finish(t, Tok::kError);
      return t;
    }
    char c = peek();
    if (c == '}') break;
    if (c == '/' && peek(1) == '/') {
      while (!at_end() && peek() != '\n') {
        value += ' ';
        advance();
      }
      continue;
    }
    if (c == '/' && peek(1) == '*') {
      while (!at_end() && !(peek() == '*' && peek(1) == '/')) {
        value += peek() == '\n' ? '\n' : ' ';
        advance();
      }
      if (!at_end()) {
        value += "  ";
        advance();
        advance();
      }
      continue;
    }
    if (!bad && !is_hex_string_char(c)) {
      // YARA's lexer takes a hex string only if every byte belongs to it; reporting the first
      // stray byte here points at the cause (often a missing "}") rather than at the string.
      bad = true;
      error(here(pos_, 1), codes::kBadHexChar,
            "unexpected character " +
                (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F
                     ? quoted(std::string_view(&text_[pos_], 1))
                     : std::string("(not printable)")) +
                " in hex string");
    }
    value += c;
    advance();
  }
  finish(t, bad ? Tok::kError : Tok::kHexBody);
  t.value = std::move(value);
  advance();  // }
  return t;
}

}  // namespace vigie::lang
