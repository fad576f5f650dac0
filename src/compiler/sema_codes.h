// Codes of the errors and warnings the compiler reports after parsing: E5xx and W5xx (the
// parser's own codes are in src/lang/diag_codes.h). Codes are stable: tools and golden files
// rely on them.
#pragma once

namespace vigie::sema::codes {

inline constexpr const char* kWrongType = "E500";  // operand or result of the wrong type
inline constexpr const char* kUndefinedIdentifier =
    "E501";                                              // unknown rule, external, field, function
inline constexpr const char* kUndefinedString = "E502";  // $a not declared in the rule
inline constexpr const char* kDuplicateRule = "E503";    // two rules with one name in a namespace
inline constexpr const char* kDuplicateIdentifier = "E504";   // loop variable shadows another
inline constexpr const char* kUnknownModule = "E505";         // import of a module vigie lacks
inline constexpr const char* kWrongArguments = "E506";        // no overload takes these arguments
inline constexpr const char* kDivisionByZero = "E507";        // constant division by zero
inline constexpr const char* kBadRange = "E508";              // (a..b) with a > b, bad percentage
inline constexpr const char* kBadRegex = "E509";              // invalid regular expression literal
inline constexpr const char* kBadPattern = "E510";            // invalid hex string or regex string
inline constexpr const char* kTooManyStrings = "E511";        // over max_strings_per_rule
inline constexpr const char* kTooDeep = "E512";               // over max_condition_depth
inline constexpr const char* kAnonymousOutsideLoop = "E513";  // $ outside for..of
inline constexpr const char* kLoopVariables = "E514";         // wrong number of loop variables
inline constexpr const char* kDuplicateExternal = "E515";     // external defined twice
inline constexpr const char* kCouldNotOpen = "E516";          // a rule file could not be read
inline constexpr const char* kPatternEngine = "E517";    // the pattern database failed to build
inline constexpr const char* kIntegerOverflow = "E518";  // constant arithmetic overflows
inline constexpr const char* kWildcardOrder =
    "E519";                                       // rule declared after a wildcard set matching it
inline constexpr const char* kInternal = "E599";  // a bug: please report it

inline constexpr const char* kSlowPattern = "W500";  // string slows down scanning
inline constexpr const char* kDeprecated = "W501";   // entrypoint and other deprecated forms

}  // namespace vigie::sema::codes
