// The `tests` module: a fixed tree and a few functions that exercise every part of the module
// interface (constants, scalars of each type, arrays with holes, dictionaries, structures inside
// arrays and dictionaries, overloaded functions, string and regex arguments). Its shape follows
// YARA's own `tests` module, so `yara -D` output can be compared line for line.
#include "modules/module.h"

namespace vigie::mod {
namespace {

bool any_undefined(std::span<const Value> args) {
  for (const Value& v : args) {
    if (!v.defined()) return true;
  }
  return false;
}

Value fsum(CallContext&, std::span<const Value> args) {
  if (any_undefined(args)) return Value::undefined();
  double sum = 0;
  for (const Value& v : args) sum += v.f;
  return Value::real(sum);
}

Value isum(CallContext&, std::span<const Value> args) {
  if (any_undefined(args)) return Value::undefined();
  uint64_t sum = 0;  // wraps like YARA's 64-bit arithmetic, without signed overflow
  for (const Value& v : args) sum += static_cast<uint64_t>(v.i);
  return Value::integer(static_cast<int64_t>(sum));
}

Value length(CallContext&, std::span<const Value> args) {
  if (any_undefined(args)) return Value::undefined();
  return Value::integer(static_cast<int64_t>(args[0].s.size()));
}

Value empty(CallContext&, std::span<const Value>) { return Value::string(""); }

// 1 when the regex matches somewhere in the string, 0 otherwise. (YARA's own tests module returns
// the length of a match anchored at the start; the regex interface here answers only whether
// there is a match, which is what the module interface needs to prove.)
Value match(CallContext&, std::span<const Value> args) {
  if (any_undefined(args) || args[0].regex == nullptr) return Value::undefined();
  return Value::integer(re::regex_search(*args[0].regex, args[1].s) ? 1 : 0);
}

Value foobar(CallContext&, std::span<const Value> args) {
  if (any_undefined(args)) return Value::undefined();
  switch (args[0].i) {
    case 1:
      return Value::string("foo");
    case 2:
      return Value::string("bar");
    default:
      return Value::string("oops");
  }
}

void declare(SchemaBuilder& root) {
  SchemaBuilder constants = root.structure("constants");
  constants.constant("one", 1);
  constants.constant("two", 2);
  constants.constant("foo", std::string("foo"));
  constants.constant("empty", std::string(""));
  SchemaBuilder undefined = root.structure("undefined");
  undefined.integer("i");
  undefined.floating("f");
  root.string("module_data");
  root.integer_array("integer_array");
  root.string_array("string_array");
  root.integer_dictionary("integer_dict");
  root.string_dictionary("string_dict");
  SchemaBuilder sa = root.struct_array("struct_array");
  sa.integer("i");
  sa.string("s");
  SchemaBuilder sd = root.struct_dictionary("struct_dict");
  sd.integer("i");
  sd.string("s");
  root.struct_dictionary("empty_struct_dict").integer("unused");
  root.struct_array("empty_struct_array").integer("unused");
  root.function("fsum", "ff", 'f', fsum);
  root.function("fsum", "fff", 'f', fsum);
  root.function("isum", "ii", 'i', isum);
  root.function("isum", "iii", 'i', isum);
  root.function("length", "s", 'i', length);
  root.function("empty", "", 's', empty);
  root.function("match", "rs", 'i', match);
  root.function("foobar", "i", 's', foobar);
}

void load(LoadContext& ctx, Node& root) {
  if (!ctx.module_data.empty()) {
    root.set_string("module_data", std::string(ctx.module_data.begin(), ctx.module_data.end()));
  }
  Node& ints = root.field("integer_array");
  for (int k = 0; k < 3; ++k) ints.at(k).set_integer(k);
  ints.at(256).set_integer(256);
  Node& strings = root.field("string_array");
  strings.at(0).set_string("foo");
  strings.at(1).set_string("bar");
  strings.at(2).set_string("baz");
  strings.at(3).set_string(std::string("foo\0bar", 7));
  Node& dict = root.field("string_dict");
  dict.entry("foo").set_string("foo");
  dict.entry("bar").set_string("bar");
  root.field("struct_array").at(1).set_integer("i", 1);
  Node& foo = root.field("struct_dict").entry("foo");
  foo.set_integer("i", 1);
  foo.set_string("s", "foo");
}

}  // namespace

extern const Module kTestsModule{"tests", declare, load};

}  // namespace vigie::mod
