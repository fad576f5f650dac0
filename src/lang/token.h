// The tokens of the YARA language.
//
// A token is a kind, the place it came from and, for literals, its decoded value. Keywords are
// kinds of their own so that the parser compares enums, never strings. The text of identifiers
// and string references stays a view into the source, which outlives every token.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigie::lang {

enum class Tok : uint8_t {
  kEof,
  kError,  // the lexer has reported a diagnostic; the parser only resynchronises
  // Literals and names.
  kIdentifier,
  kInteger,
  kFloat,
  kText,              // "..." (value: bytes after escapes)
  kRegex,             // /.../is (value: the body, regex_flags)
  kHexBody,           // produced only by Lexer::hex_body() after a {
  kStringId,          // $a, $
  kStringIdWildcard,  // $a*, $*
  kStringCount,       // #a, #
  kStringOffset,      // @a, @
  kStringLength,      // !a, !
  // Punctuation and operators.
  kLBrace,
  kRBrace,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kColon,
  kComma,
  kDot,
  kDotDot,
  kAssign,
  kPlus,
  kMinus,
  kStar,
  kBackslash,
  kPercent,
  kShl,
  kShr,
  kAmp,
  kPipe,
  kCaret,
  kTilde,
  kLt,
  kLe,
  kGt,
  kGe,
  kEq,
  kNe,
  // Keywords.
  kAll,
  kAnd,
  kAny,
  kAscii,
  kAt,
  kBase64,
  kBase64Wide,
  kCondition,
  kContains,
  kDefined,
  kEndsWith,
  kEntrypoint,
  kFalse,
  kFilesize,
  kFor,
  kFullword,
  kGlobal,
  kIContains,
  kIEndsWith,
  kIEquals,
  kImport,
  kIn,
  kInclude,
  kIStartsWith,
  kMatches,
  kMeta,
  kNocase,
  kNone,
  kNot,
  kOf,
  kOr,
  kPrivate,
  kRule,
  kStartsWith,
  kStrings,
  kThem,
  kTrue,
  kWide,
  kXor,
  kInt8,
  kInt16,
  kInt32,
  kInt8be,
  kInt16be,
  kInt32be,
  kUint8,
  kUint16,
  kUint32,
  kUint8be,
  kUint16be,
  kUint32be,
};

struct Token {
  Tok kind = Tok::kEof;
  uint32_t offset = 0;
  uint32_t length = 0;
  uint32_t line = 1;
  uint32_t column = 1;
  std::string_view text;  // the source bytes of the token
  int64_t integer = 0;    // kInteger
  double real = 0;        // kFloat
  std::string value;      // kText, kRegex, kHexBody
  uint8_t regex_flags = 0;
};

// How a token kind reads in messages: `"and"`, `a string identifier`, `end of file`...
std::string describe(Tok kind);
// How a particular token reads in messages: the keyword or punctuation in quotes, or the
// literal text for names and numbers.
std::string describe(const Token& token);
// The same from a token's kind and source text.
std::string describe(Tok kind, std::string_view text);
// The keyword spelt `word`, or Tok::kIdentifier.
Tok keyword(std::string_view word);
bool is_keyword(Tok kind);
// `text` in double quotes, cut to `max` bytes with "..." when longer.
std::string quoted(std::string_view text, size_t max = 40);
bool is_int_read(Tok kind);

}  // namespace vigie::lang
