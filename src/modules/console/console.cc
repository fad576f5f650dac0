// The `console` module: log() and hex() send one line of text to the scan's log callback and
// return true, so they can be chained with `and` in a condition.
//
// The text is formed as YARA forms it: the message argument as given up to its first NUL,
// followed by the value; string values have non-printable bytes written as \xNN, floats use
// printf's %f, hex() writes 0x and lowercase hex digits of the value as unsigned. An undefined
// argument makes the call undefined and logs nothing.
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "modules/common/args.h"
#include "modules/module.h"

namespace vigie::mod {
namespace {

void emit(CallContext& ctx, const std::string& text) {
  if (ctx.log != nullptr) ctx.log(ctx.log_ctx, text);
}

std::string escaped(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

std::string message(const Value& v) { return std::string(v.s.c_str()); }

std::string integer_text(int64_t v) { return std::to_string(v); }

std::string float_text(double v) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%f", v);
  return buf;
}

std::string hex_text(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, static_cast<uint64_t>(v));
  return buf;
}

Value logged(CallContext& ctx, std::span<const Value> a, std::string text) {
  emit(ctx, text);
  return Value::integer(1);
}

Value log_s(CallContext& ctx, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return logged(ctx, a, escaped(a[0].s));
}

Value log_ss(CallContext& ctx, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return logged(ctx, a, message(a[0]) + escaped(a[1].s));
}

Value log_i(CallContext& ctx, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return logged(ctx, a, integer_text(a[0].i));
}

Value log_si(CallContext& ctx, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return logged(ctx, a, message(a[0]) + integer_text(a[1].i));
}

Value log_f(CallContext& ctx, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return logged(ctx, a, float_text(a[0].f));
}

Value log_sf(CallContext& ctx, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return logged(ctx, a, message(a[0]) + float_text(a[1].f));
}

Value hex_i(CallContext& ctx, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return logged(ctx, a, hex_text(a[0].i));
}

Value hex_si(CallContext& ctx, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return logged(ctx, a, message(a[0]) + hex_text(a[1].i));
}

void declare(SchemaBuilder& root) {
  root.function("log", "s", 'i', log_s);
  root.function("log", "ss", 'i', log_ss);
  root.function("log", "i", 'i', log_i);
  root.function("log", "si", 'i', log_si);
  root.function("log", "f", 'i', log_f);
  root.function("log", "sf", 'i', log_sf);
  root.function("hex", "i", 'i', hex_i);
  root.function("hex", "si", 'i', hex_si);
}

}  // namespace

extern const Module kConsoleModule{"console", declare, nullptr};

}  // namespace vigie::mod
