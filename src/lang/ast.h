// The abstract syntax tree of the YARA language, as the parser produces it.
//
// Expressions live in one pool (Program::exprs) and refer to each other by index, so that no
// destructor or walker recurses over a user-controlled tree, and so that the compiler can keep
// side tables indexed by ExprId. The parser checks syntax only; names (rules, strings, externals,
// module fields) and types are resolved by the compiler (src/compiler/sema).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vigie::lang {

using ExprId = uint32_t;
inline constexpr ExprId kNoExpr = UINT32_MAX;

// A place in a source file. file is an index into Program::files.
struct Span {
  uint32_t file = 0;
  uint32_t offset = 0;  // byte offset in the file
  uint32_t length = 0;  // bytes
  uint32_t line = 0;    // 1-based
  uint32_t column = 0;  // 1-based
};

enum class ExprKind : uint8_t {
  // Literals and keywords.
  kTrue,
  kFalse,
  kInteger,  // integer (KB/MB suffixes applied, hex and octal decoded)
  kFloat,    // real
  kString,   // text: the bytes after escape processing
  kRegex,    // text: source between the slashes; regex_flags
  kFilesize,
  kEntrypoint,
  // Names.
  kIdentifier,  // text: a bare identifier (rule, external, module, loop variable)
  kField,       // a.text      a: the structure
  kIndex,       // a[b]        a: array or dictionary, b: index or key
  kCall,        // a(list...)  a: the function expression (kIdentifier/kField/kIndex)
  kReadInt,     // text: "uint32be" etc., a: the offset expression
  // String references. text: "$a", "$a*" is not used here, "$" inside for..of bodies.
  kStringMatch,   // $a
  kStringAt,      // $a at a
  kStringIn,      // $a in (a..b)
  kStringCount,   // #a, or #a in (a..b) when a != kNoExpr
  kStringOffset,  // @a[a], a may be kNoExpr (means index 1)
  kStringLength,  // !a[a], a may be kNoExpr (means index 1)
  // Unary operators: a.
  kNot,
  kNeg,
  kBitNot,
  kDefined,
  // Binary operators: a op b.
  kAnd,
  kOr,
  kLt,
  kLe,
  kGt,
  kGe,
  kEq,
  kNe,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kShl,
  kShr,
  kBitAnd,
  kBitOr,
  kBitXor,
  kContains,
  kIContains,
  kStartsWith,
  kIStartsWith,
  kEndsWith,
  kIEndsWith,
  kIEquals,
  kMatches,  // a matches b (b is a kRegex)
  kRange,    // (a..b), used by `in` and for-in
  // Quantified expressions, see Quantifier and StringSet.
  kOf,           // quantifier of set [in (a..b) | at a]: a holds the range/at expr, of_mode
  kForOf,        // for quantifier of set : ( b )
  kForIn,        // for quantifier vars in iterable : ( b ); iterable in a
  kEnumeration,  // (list...) as the iterable of a for-in
};

enum class QuantifierKind : uint8_t { kAll, kAny, kNone, kExpr, kPercent };

struct Quantifier {
  QuantifierKind kind = QuantifierKind::kAny;
  ExprId expr = kNoExpr;  // kExpr: the count; kPercent: the percentage (a number 1..100)
};

// The set after `of`: `them`, string identifiers (possibly with a trailing *), or rule names
// (possibly with a trailing *) in parentheses; or, in YARA 4.3+, a set of boolean expressions.
struct StringSet {
  enum class Kind : uint8_t { kThem, kStrings, kRules, kExpressions } kind = Kind::kThem;
  std::vector<std::string> items;  // "$a", "$b*", "rule_a", "ru*"
  std::vector<Span> item_spans;
  std::vector<ExprId> exprs;  // kExpressions
};

enum class OfMode : uint8_t { kPlain, kIn, kAt };

struct Expr {
  ExprKind kind = ExprKind::kTrue;
  Span span;
  ExprId a = kNoExpr;
  ExprId b = kNoExpr;
  int64_t integer = 0;
  double real = 0;
  std::string text;
  uint8_t regex_flags = 0;          // kRegex: kRegexNocase | kRegexDotAll
  std::vector<ExprId> list;         // kCall arguments, kEnumeration items
  Quantifier quantifier;            // kOf, kForOf, kForIn
  StringSet set;                    // kOf, kForOf
  OfMode of_mode = OfMode::kPlain;  // kOf
  std::vector<std::string> vars;    // kForIn: one or two loop variables
};

inline constexpr uint8_t kRegexNocase = 1;  // /.../i
inline constexpr uint8_t kRegexDotAll = 2;  // /.../s

enum class StringKind : uint8_t { kText, kHex, kRegex };

struct StringModifiers {
  bool nocase = false, ascii = false, wide = false, fullword = false, is_private = false;
  bool xor_ = false, base64 = false, base64wide = false;
  uint8_t xor_min = 0, xor_max = 255;  // xor without range: 0..255
  std::string base64_alphabet;         // empty: the standard alphabet
  std::string base64wide_alphabet;
};

struct StringDecl {
  std::string identifier;  // "$a", or "$" for an anonymous string
  StringKind kind = StringKind::kText;
  std::string value;        // kText: bytes after escapes; kHex: the source between { and };
                            // kRegex: the source between the slashes
  uint8_t regex_flags = 0;  // kRegex: kRegexNocase | kRegexDotAll
  StringModifiers modifiers;
  Span span;        // the whole declaration
  Span value_span;  // the value, for pattern syntax errors
};

struct MetaDecl {
  enum class Type : uint8_t { kInteger, kString, kBoolean };
  std::string identifier;
  Type type = Type::kString;
  int64_t integer = 0;
  std::string string;
  bool boolean = false;
  Span span;
};

struct Rule {
  std::string name;
  bool is_private = false;
  bool is_global = false;
  std::vector<std::string> tags;
  std::vector<MetaDecl> metas;
  std::vector<StringDecl> strings;
  ExprId condition = kNoExpr;
  Span span;  // the rule name
};

struct Import {
  std::string module;
  Span span;
};

struct SourceFile {
  std::string path;  // as the user or the include directive named it
  std::string text;
};

// The result of parsing one source (with its includes expanded in place).
struct Program {
  std::vector<SourceFile> files;  // files[0] is the source itself, then each included file
  std::vector<Import> imports;    // in order of appearance, includes expanded
  std::vector<Rule> rules;        // in order of appearance, includes expanded
  std::vector<Expr> exprs;

  ExprId add(Expr e) {
    exprs.push_back(std::move(e));
    return static_cast<ExprId>(exprs.size() - 1);
  }
};

}  // namespace vigie::lang
