// The `time` module: now(), the current time in seconds since the Unix epoch.
#include <ctime>

#include "modules/module.h"

namespace vigie::mod {
namespace {

Value now(CallContext&, std::span<const Value>) {
  return Value::integer(static_cast<int64_t>(std::time(nullptr)));
}

void declare(SchemaBuilder& root) { root.function("now", "", 'i', now); }

}  // namespace

extern const Module kTimeModule{"time", declare, nullptr};

}  // namespace vigie::mod
