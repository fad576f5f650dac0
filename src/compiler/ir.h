// The condition IR: what a rule's condition becomes once names are resolved and types checked.
//
// A condition is a tree of Insn in one flat array (CompiledRules::code), children referred to by
// index. The compiler builds it from the AST (sema.cc), folds constants, and records for each
// rule whether its condition is false when none of its own strings matched (so the scanner can
// skip it without evaluation). The scanner walks it (scan/eval.cc). Depth is bounded by the
// compiler (CompilerOptions::max_condition_depth), so the recursive walk cannot overflow.
//
// Insn is trivially copyable: the array is saved and loaded as it is.
#pragma once

#include <cstdint>
#include <type_traits>

namespace vigie::ir {

inline constexpr uint32_t kNone = UINT32_MAX;

// The type of the value an instruction produces.
enum class Type : uint8_t {
  kBool,
  kInt,
  kFloat,
  kString,
  kRegex,   // only as an operand of kMatches and of function calls
  kObject,  // a module structure, array or dictionary (a const mod::Node*)
};

enum class Op : uint8_t {
  // Constants and scan facts.
  kConstInt,     // i (also booleans: 0/1)
  kConstFloat,   // f
  kConstString,  // str: index in the string pool
  kConstUndef,   // an undefined value of `type`
  kRegex,        // str: index in CompiledRules::regexes
  kFilesize,
  kEntrypoint,
  kExternal,  // str: index of the external variable
  kRuleRef,   // i: rule index; true when that rule matched
  // Strings of the rule. pat: pattern index, or the loop slot when the insn is anonymous
  // (flags & kAnonymous) inside a for..of body.
  kStringFound,    // $a
  kStringAt,       // $a at a
  kStringIn,       // $a in (a..b)
  kStringCount,    // #a
  kStringCountIn,  // #a in (a..b)
  kStringOffset,   // @a[a]   (1-based)
  kStringLength,   // !a[a]   (1-based)
  kReadInt,        // i: width in bytes (1, 2, 4), flags: kSigned | kBigEndian; a: offset
  // Operators. Operand types are those of the children; the result type is `type`.
  kNot,
  kNeg,
  kBitNot,
  kDefined,
  kToFloat,
  kToBool,
  kAnd,
  kOr,
  kLt,
  kLe,
  kGt,
  kGe,
  kEq,
  kNe,  // on ints, floats or strings: see the operand types
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
  kMatches,  // a: string, b: kRegex
  // Quantifiers. list/count: items in CompiledRules::lists. quant: see Quantifier; a: the count
  // or percentage expression. For kOfStrings items are pattern indexes, for kOfRules rule
  // indexes, for kOfExprs instruction indexes.
  kOfStrings,  // flags: kOfIn (range b..c) / kOfAt (offset b)
  kOfRules,
  kOfExprs,
  kForOf,       // items: pattern indexes; b: body; slot: the loop slot the body's `$` reads
  kForInRange,  // b..c: bounds; d: body; slot: variable
  kForInList,   // list: instruction indexes of the enumeration; d: body; slot
  kForInArray,  // b: the array object; d: body; slot (and slot+1 for dictionaries' values)
  kForInDict,   // b: the dictionary object; d: body; slot = key, slot+1 = value
  kLoopVar,     // slot; `type` says what it holds
  // Modules.
  kModule,  // i: module index in CompiledRules::modules; the module's root object
  kField,   // a: the structure object; i: field index; `type` is the field's type
  kIndex,   // a: array object; b: integer index
  kKey,     // a: dictionary object; b: string key
  kCall,    // a: the structure the function belongs to; i: field index; slot: overload;
            // list/count: argument instructions
};

enum class Quantifier : uint8_t { kAll, kAny, kNone, kCount, kPercent };

// Insn::flags
inline constexpr uint8_t kAnonymous = 1;  // string insns: pattern comes from a loop slot
inline constexpr uint8_t kSigned = 2;     // kReadInt
inline constexpr uint8_t kBigEndian = 4;  // kReadInt
inline constexpr uint8_t kOfIn = 8;       // kOfStrings
inline constexpr uint8_t kOfAt = 16;      // kOfStrings

struct Insn {
  Op op = Op::kConstUndef;
  Type type = Type::kBool;
  uint8_t flags = 0;
  Quantifier quant = Quantifier::kAny;
  uint32_t a = kNone, b = kNone, c = kNone, d = kNone;
  uint32_t str = kNone;   // string pool / regex / external index
  uint32_t pat = kNone;   // pattern index (or loop slot, see kAnonymous)
  uint32_t slot = kNone;  // loop variable slot, or overload index for kCall
  uint32_t list = 0;      // first item in CompiledRules::lists
  uint32_t count = 0;     // number of items
  int64_t i = 0;
  double f = 0;
};
static_assert(std::is_trivially_copyable_v<Insn>);

}  // namespace vigie::ir
