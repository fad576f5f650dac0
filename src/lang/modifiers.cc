// String modifiers: parsing their arguments and checking which ones go together.
//
// The rules are YARA 4.5's: hex strings take only `private`; regular expressions take `nocase`,
// `wide`, `ascii`, `fullword` and `private`; `xor` excludes `nocase`, `base64` and `base64wide`;
// `base64`/`base64wide` exclude `nocase`, `xor` and `fullword`; no modifier may appear twice;
// xor keys lie in 0..255 with min <= max; a custom base64 alphabet has exactly 64 bytes, and
// base64 and base64wide together use the same alphabet.
#include <string>

#include "lang/diag_codes.h"
#include "lang/parser_impl.h"

namespace vigie::lang {
namespace {

constexpr const char kStandardBase64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const char* kind_name(StringKind k) {
  switch (k) {
    case StringKind::kText:
      return "text strings";
    case StringKind::kHex:
      return "hex strings";
    case StringKind::kRegex:
      return "regular expressions";
  }
  return "strings";
}

bool allowed_for(Tok m, StringKind k) {
  if (m == Tok::kPrivate) return true;
  if (k == StringKind::kHex) return false;
  if (k == StringKind::kRegex)
    return m == Tok::kNocase || m == Tok::kWide || m == Tok::kAscii || m == Tok::kFullword;
  return true;
}

}  // namespace

void Parser::parse_modifiers(StringDecl& s) {
  StringModifiers& mod = s.modifiers;
  std::vector<Tok> seen;
  std::vector<Span> seen_at;
  while (true) {
    Tok m = cur_.kind;
    switch (m) {
      case Tok::kNocase:
      case Tok::kWide:
      case Tok::kAscii:
      case Tok::kFullword:
      case Tok::kPrivate:
      case Tok::kXor:
      case Tok::kBase64:
      case Tok::kBase64Wide:
        break;
      default:
        m = Tok::kEof;
    }
    if (m == Tok::kEof) break;
    Span at_mod = span();
    std::string name(cur_.text);
    bool duplicate = false;
    for (Tok t : seen) duplicate |= t == m;
    if (duplicate)
      report(Severity::kError, codes::kDuplicateModifier, at_mod,
             "duplicate modifier \"" + name + "\" on string \"" + s.identifier + "\"");
    else if (!allowed_for(m, s.kind))
      report(Severity::kError, codes::kInvalidModifiers, at_mod,
             "modifier \"" + name + "\" cannot be used with " + kind_name(s.kind));
    seen.push_back(m);
    seen_at.push_back(at_mod);
    advance();
    switch (m) {
      case Tok::kNocase:
        mod.nocase = true;
        break;
      case Tok::kWide:
        mod.wide = true;
        break;
      case Tok::kAscii:
        mod.ascii = true;
        break;
      case Tok::kFullword:
        mod.fullword = true;
        break;
      case Tok::kPrivate:
        mod.is_private = true;
        break;
      case Tok::kXor: {
        mod.xor_ = true;
        mod.xor_min = 0;
        mod.xor_max = 255;
        if (!accept(Tok::kLParen)) break;
        Span range_at = span();
        int64_t lo = take(Tok::kInteger, "a number").integer;
        int64_t hi = lo;
        if (accept(Tok::kMinus)) hi = take(Tok::kInteger, "a number").integer;
        range_at.length = prev_end_ > range_at.offset ? prev_end_ - range_at.offset : 1;
        expect(Tok::kRParen, "\")\"");
        if (lo > 255 || hi > 255)
          report(Severity::kError, codes::kInvalidXorRange, range_at,
                 "xor key out of range: keys are 0..255");
        else if (lo > hi)
          report(Severity::kError, codes::kInvalidXorRange, range_at,
                 "xor range " + std::to_string(lo) + "-" + std::to_string(hi) +
                     ": the lower bound exceeds the upper bound");
        mod.xor_min = static_cast<uint8_t>(lo > 255 ? 255 : lo);
        mod.xor_max = static_cast<uint8_t>(hi > 255 ? 255 : hi);
        break;
      }
      case Tok::kBase64:
      case Tok::kBase64Wide: {
        (m == Tok::kBase64 ? mod.base64 : mod.base64wide) = true;
        if (!accept(Tok::kLParen)) break;
        Span alpha_at = span();
        std::string alphabet = take(Tok::kText, "a base64 alphabet in quotes").value;
        expect(Tok::kRParen, "\")\"");
        if (alphabet.size() != 64)
          report(Severity::kError, codes::kInvalidBase64Alphabet, alpha_at,
                 "base64 alphabet must be 64 bytes long, not " + std::to_string(alphabet.size()));
        (m == Tok::kBase64 ? mod.base64_alphabet : mod.base64wide_alphabet) = std::move(alphabet);
        break;
      }
      default:
        break;
    }
  }
  // Combinations, reported once each at the later modifier of the pair.
  auto find = [&](Tok t) -> int {
    for (size_t i = 0; i < seen.size(); ++i)
      if (seen[i] == t) return static_cast<int>(i);
    return -1;
  };
  auto clash = [&](Tok a, Tok b, const char* an, const char* bn) {
    int ia = find(a), ib = find(b);
    if (ia < 0 || ib < 0) return;
    const Span& at_mod = seen_at[static_cast<size_t>(ia > ib ? ia : ib)];
    report(Severity::kError, codes::kInvalidModifiers, at_mod,
           std::string("invalid modifier combination: \"") + an + "\" and \"" + bn +
               "\" cannot be used together");
  };
  // Without an argument the alphabet is the standard one, and compares as such (as in YARA).
  auto effective = [](const std::string& a) -> std::string_view {
    return a.empty() ? std::string_view(kStandardBase64) : std::string_view(a);
  };
  if (mod.base64 && mod.base64wide &&
      effective(mod.base64_alphabet) != effective(mod.base64wide_alphabet)) {
    int at =
        find(Tok::kBase64Wide) > find(Tok::kBase64) ? find(Tok::kBase64Wide) : find(Tok::kBase64);
    report(Severity::kError, codes::kInvalidModifiers, seen_at[static_cast<size_t>(at)],
           "base64 and base64wide must use the same alphabet");
  }
  if (s.kind == StringKind::kText) {
    clash(Tok::kXor, Tok::kNocase, "xor", "nocase");
    clash(Tok::kXor, Tok::kBase64, "xor", "base64");
    clash(Tok::kXor, Tok::kBase64Wide, "xor", "base64wide");
    clash(Tok::kBase64, Tok::kNocase, "base64", "nocase");
    clash(Tok::kBase64Wide, Tok::kNocase, "base64wide", "nocase");
    clash(Tok::kBase64, Tok::kFullword, "base64", "fullword");
    clash(Tok::kBase64Wide, Tok::kFullword, "base64wide", "fullword");
  }
}

}  // namespace vigie::lang
