// Keyword spelling and the names of tokens in diagnostics.
#include "lang/token.h"

#include <algorithm>
#include <array>
#include <utility>

namespace vigie::lang {
namespace {

struct Spelling {
  Tok kind;
  std::string_view text;
};

constexpr std::array kKeywords = {
    Spelling{Tok::kAll, "all"},
    Spelling{Tok::kAnd, "and"},
    Spelling{Tok::kAny, "any"},
    Spelling{Tok::kAscii, "ascii"},
    Spelling{Tok::kAt, "at"},
    Spelling{Tok::kBase64, "base64"},
    Spelling{Tok::kBase64Wide, "base64wide"},
    Spelling{Tok::kCondition, "condition"},
    Spelling{Tok::kContains, "contains"},
    Spelling{Tok::kDefined, "defined"},
    Spelling{Tok::kEndsWith, "endswith"},
    Spelling{Tok::kEntrypoint, "entrypoint"},
    Spelling{Tok::kFalse, "false"},
    Spelling{Tok::kFilesize, "filesize"},
    Spelling{Tok::kFor, "for"},
    Spelling{Tok::kFullword, "fullword"},
    Spelling{Tok::kGlobal, "global"},
    Spelling{Tok::kIContains, "icontains"},
    Spelling{Tok::kIEndsWith, "iendswith"},
    Spelling{Tok::kIEquals, "iequals"},
    Spelling{Tok::kImport, "import"},
    Spelling{Tok::kIn, "in"},
    Spelling{Tok::kInclude, "include"},
    Spelling{Tok::kIStartsWith, "istartswith"},
    Spelling{Tok::kMatches, "matches"},
    Spelling{Tok::kMeta, "meta"},
    Spelling{Tok::kNocase, "nocase"},
    Spelling{Tok::kNone, "none"},
    Spelling{Tok::kNot, "not"},
    Spelling{Tok::kOf, "of"},
    Spelling{Tok::kOr, "or"},
    Spelling{Tok::kPrivate, "private"},
    Spelling{Tok::kRule, "rule"},
    Spelling{Tok::kStartsWith, "startswith"},
    Spelling{Tok::kStrings, "strings"},
    Spelling{Tok::kThem, "them"},
    Spelling{Tok::kTrue, "true"},
    Spelling{Tok::kWide, "wide"},
    Spelling{Tok::kXor, "xor"},
    Spelling{Tok::kInt8, "int8"},
    Spelling{Tok::kInt16, "int16"},
    Spelling{Tok::kInt32, "int32"},
    Spelling{Tok::kInt8be, "int8be"},
    Spelling{Tok::kInt16be, "int16be"},
    Spelling{Tok::kInt32be, "int32be"},
    Spelling{Tok::kUint8, "uint8"},
    Spelling{Tok::kUint16, "uint16"},
    Spelling{Tok::kUint32, "uint32"},
    Spelling{Tok::kUint8be, "uint8be"},
    Spelling{Tok::kUint16be, "uint16be"},
    Spelling{Tok::kUint32be, "uint32be"},
};

constexpr std::array kPunctuation = {
    Spelling{Tok::kLBrace, "{"},  Spelling{Tok::kRBrace, "}"},   Spelling{Tok::kLParen, "("},
    Spelling{Tok::kRParen, ")"},  Spelling{Tok::kLBracket, "["}, Spelling{Tok::kRBracket, "]"},
    Spelling{Tok::kColon, ":"},   Spelling{Tok::kComma, ","},    Spelling{Tok::kDot, "."},
    Spelling{Tok::kDotDot, ".."}, Spelling{Tok::kAssign, "="},   Spelling{Tok::kPlus, "+"},
    Spelling{Tok::kMinus, "-"},   Spelling{Tok::kStar, "*"},     Spelling{Tok::kBackslash, "\\"},
    Spelling{Tok::kPercent, "%"}, Spelling{Tok::kShl, "<<"},     Spelling{Tok::kShr, ">>"},
    Spelling{Tok::kAmp, "&"},     Spelling{Tok::kPipe, "|"},     Spelling{Tok::kCaret, "^"},
    Spelling{Tok::kTilde, "~"},   Spelling{Tok::kLt, "<"},       Spelling{Tok::kLe, "<="},
    Spelling{Tok::kGt, ">"},      Spelling{Tok::kGe, ">="},      Spelling{Tok::kEq, "=="},
    Spelling{Tok::kNe, "!="},
};

}  // namespace

Tok keyword(std::string_view word) {
  for (const auto& k : kKeywords)
    if (k.text == word) return k.kind;
  return Tok::kIdentifier;
}

bool is_keyword(Tok kind) { return kind >= Tok::kAll; }

bool is_int_read(Tok kind) { return kind >= Tok::kInt8 && kind <= Tok::kUint32be; }

std::string describe(Tok kind) {
  switch (kind) {
    case Tok::kEof:
      return "end of file";
    case Tok::kError:
      return "an invalid token";
    case Tok::kIdentifier:
      return "an identifier";
    case Tok::kInteger:
      return "a number";
    case Tok::kFloat:
      return "a number";
    case Tok::kText:
      return "a text string";
    case Tok::kRegex:
      return "a regular expression";
    case Tok::kHexBody:
      return "a hex string";
    case Tok::kStringId:
      return "a string identifier";
    case Tok::kStringIdWildcard:
      return "a string identifier with wildcard";
    case Tok::kStringCount:
      return "a string count";
    case Tok::kStringOffset:
      return "a string offset";
    case Tok::kStringLength:
      return "a string length";
    default:
      break;
  }
  for (const auto& k : kKeywords)
    if (k.kind == kind) return quoted(k.text);
  for (const auto& p : kPunctuation)
    if (p.kind == kind) return quoted(p.text);
  return "a token";
}

std::string describe(const Token& token) { return describe(token.kind, token.text); }

std::string describe(Tok kind, std::string_view t) {
  switch (kind) {
    case Tok::kEof:
    case Tok::kError:
      return describe(kind);
    case Tok::kText:
      return "text string " + std::string(t.size() > 40 ? t.substr(0, 40) : t) +
             (t.size() > 40 ? "..." : "");
    case Tok::kRegex:
      return "regular expression " + std::string(t.size() > 40 ? t.substr(0, 40) : t) +
             (t.size() > 40 ? "..." : "");
    default:
      break;
  }
  return quoted(t);
}

std::string quoted(std::string_view text, size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max) + 5);
  out += '"';
  out.append(text.substr(0, max));
  if (text.size() > max) out += "...";
  out += '"';
  return out;
}

}  // namespace vigie::lang
