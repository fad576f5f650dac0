// The `string` module: to_int (with an optional base, like strtoll) and length.
//
// to_int is undefined unless the whole text is one number that fits in 64 bits: an empty text,
// trailing characters and overflow all make it undefined. The text is read up to its first NUL,
// as a C string would be; length counts every byte, NULs included.
#include <cerrno>
#include <cstdlib>

#include "modules/common/args.h"
#include "modules/module.h"

namespace vigie::mod {
namespace {

Value parse(const std::string& text, int64_t base) {
  if (!(base == 0 || (base >= 2 && base <= 36))) return Value::undefined();
  const char* s = text.c_str();
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s, &end, static_cast<int>(base));
  if (errno != 0 || end == s || *end != '\0') return Value::undefined();
  return Value::integer(v);
}

Value to_int(CallContext&, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return parse(a[0].s, 0);
}

Value to_int_base(CallContext&, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return parse(a[0].s, a[1].i);
}

Value length(CallContext&, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return Value::integer(static_cast<int64_t>(a[0].s.size()));
}

void declare(SchemaBuilder& root) {
  root.function("to_int", "s", 'i', to_int);
  root.function("to_int", "si", 'i', to_int_base);
  root.function("length", "s", 'i', length);
}

}  // namespace

extern const Module kStringModule{"string", declare, nullptr};

}  // namespace vigie::mod
