// The lexer: source text in, tokens out, one at a time, with exact line and column.
//
// The parser pulls tokens with next(). Two places of the language are not regular tokens and
// need the parser's context: the body of a hex string (after `$a = {`), which the parser asks
// for with hex_body() right after it sees the `{`; and nothing else — `/` always starts a regex
// in YARA (division is `\`), and `//` always a comment.
//
// Errors are reported through the sink and never stop lexing. A malformed token that still has
// an obvious meaning (a bad escape, an overflowing number, an over-long identifier) is returned
// as its normal kind so that parsing goes on; a byte that starts no token comes back as
// Tok::kError, on which the parser resynchronises without a second message.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "lang/ast.h"
#include "lang/token.h"
#include "vigie/diagnostics.h"

namespace vigie::lang {

inline constexpr size_t kMaxIdentifierLength = 128;

using DiagSink = std::function<void(Severity, const char* code, const Span&, std::string)>;

class Lexer {
 public:
  Lexer(std::string_view text, uint32_t file, bool strict_escape, DiagSink sink);

  Token next();
  // Call right after next() returned a `{` that opens a hex string: returns a kHexBody token
  // whose value is the text up to (not including) the closing `}`, comments blanked out with
  // spaces so offsets within it still match the source. Consumes the `}`.
  Token hex_body();

  Span span_of(const Token& t) const { return Span{file_, t.offset, t.length, t.line, t.column}; }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  void advance();  // one byte, tracking lines
  // Skips whitespace and comments; false (after reporting) on an unterminated comment.
  bool skip_trivia();
  Token start() const;
  Token& finish(Token& t, Tok kind);
  // The span of `length` bytes at `offset`, which must be on the current line.
  Span here(size_t offset, size_t length) const;
  void error(const Span& at, const char* code, std::string message,
             Severity severity = Severity::kError);

  Token lex_number();
  Token lex_text();
  Token lex_regex();
  Token lex_word();
  Token lex_string_ref(Tok plain);

  std::string_view text_;
  uint32_t file_;
  bool strict_escape_;
  DiagSink sink_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  size_t line_start_ = 0;
};

}  // namespace vigie::lang
