// The stable codes of the diagnostics the language front end emits.
//
// A code never changes meaning once published: tools and tests match on it. New kinds of error
// get new numbers at the end of their group. E0xx are lexical errors, E1xx syntax errors, E2xx
// include errors, E3xx rule-level checks; Wxxx are warnings. The compiler has its own range
// (E5xx and up) for name and type errors.
#pragma once

namespace vigie::lang::codes {

// Lexical errors.
inline constexpr const char kUnexpectedChar[] = "E001";       // a byte that starts no token
inline constexpr const char kUnterminatedString[] = "E002";   // text string without closing quote
inline constexpr const char kIllegalEscape[] = "E003";        // \q in a text string, or bad \xHH
inline constexpr const char kUnterminatedRegex[] = "E004";    // regex without closing slash
inline constexpr const char kUnterminatedHex[] = "E005";      // hex string without closing brace
inline constexpr const char kUnterminatedComment[] = "E006";  // /* without */
inline constexpr const char kIdentifierTooLong[] = "E007";    // identifier over 128 characters
inline constexpr const char kIntegerOverflow[] = "E008";      // literal does not fit in int64
// E009 is not used: an empty regex cannot be written, "//" starts a comment.
inline constexpr const char kBadHexChar[] = "E010";  // a byte no hex string may contain

// Syntax errors.
inline constexpr const char kSyntax[] = "E101";         // unexpected token
inline constexpr const char kTooDeep[] = "E102";        // nesting over max_depth
inline constexpr const char kBadPercentage[] = "E103";  // literal percentage not in 1..100
inline constexpr const char kTooManyErrors[] = "E104";  // 1000 diagnostics reported: stop

// Includes.
inline constexpr const char kIncludeOpen[] = "E201";       // included file missing/unreadable
inline constexpr const char kIncludeCycle[] = "E202";      // a file includes itself
inline constexpr const char kIncludesDisabled[] = "E203";  // include with allow_includes=false
inline constexpr const char kIncludeTooDeep[] = "E204";    // include nesting over the limit
inline constexpr const char kFileOpen[] = "E205";          // parse_file: missing/unreadable
inline constexpr const char kTooManyIncludes[] = "E206";   // over 4096 files included in one parse
inline constexpr const char kSourceTooLarge[] = "E207";    // source text of 2 GiB or more

// Checks on one rule.
inline constexpr const char kDuplicateString[] = "E301";      // two strings named $a in a rule
inline constexpr const char kUndefinedString[] = "E302";      // $b, #b, @b, !b, ($b*) unknown
inline constexpr const char kUnreferencedString[] = "E303";   // string not used in the condition
inline constexpr const char kAnonymousOutsideFor[] = "E304";  // $, #, @, ! outside for..of
inline constexpr const char kDuplicateTag[] = "E305";         // rule a : x x
inline constexpr const char kInvalidModifiers[] = "E306";     // modifier not allowed here/together
inline constexpr const char kDuplicateModifier[] = "E307";    // "a" nocase nocase
inline constexpr const char kInvalidXorRange[] = "E308";      // xor(300), xor(3-1)
inline constexpr const char kInvalidBase64Alphabet[] = "E309";  // alphabet not 64 bytes
inline constexpr const char kEmptyString[] = "E310";            // $a = ""
inline constexpr const char kEmptyHexString[] = "E311";         // $a = { }
inline constexpr const char kNestedForOf[] = "E312";            // for..of inside for..of
inline constexpr const char kLoopVariables[] = "E313";          // for i, j in (1..2)

// Warnings.
inline constexpr const char kUnknownEscape[] = "W001";  // strict_escape: \k in a regex
inline constexpr const char kNonAscii[] = "W002";       // non-ASCII byte in a string declaration

}  // namespace vigie::lang::codes
