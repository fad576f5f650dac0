// The `math` module: statistics over a range of the scanned data or over a string, plus small
// integer helpers (min, max, abs, to_number, to_string).
//
// Range arguments follow data_range(): negative or past-the-end offsets make the call undefined,
// sizes are clipped. The byte distribution of a range is cached for the scan (entropy, mean,
// deviation, count, percentage and mode all derive from it, and rules ask for
// `math.entropy(0, filesize)` over and over). The cache is bounded like the hash module's.
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>

#include "modules/common/args.h"
#include "modules/math/statistics.h"
#include "modules/module.h"

namespace vigie::mod {
namespace {

using math::Distribution;

constexpr size_t kMaxCachedDistributions = 256;

struct MathState : ModuleState {
  std::map<std::pair<uint64_t, uint64_t>, std::unique_ptr<Distribution>> cache;
};

// The distribution of a range, from the cache when possible. nullopt when the range is invalid.
std::optional<Distribution> range_distribution(CallContext& ctx, int64_t offset, int64_t size) {
  auto range = data_range(ctx.data, ctx.base_address, offset, size);
  if (!range) return std::nullopt;
  auto* state = dynamic_cast<MathState*>(ctx.state);
  if (state == nullptr) return math::distribution(*range);
  std::pair<uint64_t, uint64_t> key(range->data() - ctx.data.data(), range->size());
  auto it = state->cache.find(key);
  if (it != state->cache.end()) return *it->second;
  Distribution d = math::distribution(*range);
  if (state->cache.size() < kMaxCachedDistributions) {
    state->cache.emplace(key, std::make_unique<Distribution>(d));
  }
  return d;
}

// YARA represents an undefined float as NaN, so a NaN result (0/0, an undefined mean argument
// folded to NaN) is undefined too.
// The distribution of all the data (the functions whose range arguments are left out).
std::optional<Distribution> whole_distribution(CallContext& ctx) {
  return range_distribution(ctx, static_cast<int64_t>(ctx.base_address),
                            static_cast<int64_t>(ctx.data.size()));
}

Value real_or_undefined(std::optional<double> v) {
  return v && !std::isnan(*v) ? Value::real(*v) : Value::undefined();
}

Value entropy_range(CallContext& ctx, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  auto d = range_distribution(ctx, a[0].i, a[1].i);
  return d ? Value::real(math::entropy(*d)) : Value::undefined();
}

Value entropy_string(CallContext&, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return Value::real(math::entropy(math::distribution(bytes_of(a[0].s))));
}

Value mean_range(CallContext& ctx, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  auto d = range_distribution(ctx, a[0].i, a[1].i);
  return d ? real_or_undefined(math::mean(*d)) : Value::undefined();
}

Value mean_string(CallContext&, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return real_or_undefined(math::signed_mean(bytes_of(a[0].s)));
}

Value deviation_range(CallContext& ctx, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  auto d = range_distribution(ctx, a[0].i, a[1].i);
  return d ? real_or_undefined(math::deviation(*d, a[2].f)) : Value::undefined();
}

Value deviation_string(CallContext&, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return real_or_undefined(math::signed_deviation(bytes_of(a[0].s), a[1].f));
}

Value serial_correlation_range(CallContext& ctx, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  auto r = data_range(ctx.data, ctx.base_address, a[0].i, a[1].i);
  return r ? Value::real(math::serial_correlation(*r)) : Value::undefined();
}

Value serial_correlation_string(CallContext&, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return Value::real(math::serial_correlation(bytes_of(a[0].s), true));
}

Value monte_carlo_pi_range(CallContext& ctx, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  auto r = data_range(ctx.data, ctx.base_address, a[0].i, a[1].i);
  return r ? real_or_undefined(math::monte_carlo_pi(*r)) : Value::undefined();
}

Value monte_carlo_pi_string(CallContext&, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return real_or_undefined(math::monte_carlo_pi(bytes_of(a[0].s)));
}

bool is_byte(int64_t v) { return v >= 0 && v <= 255; }

Value count_range(CallContext& ctx, std::span<const Value> a) {
  if (any_undefined(a) || !is_byte(a[0].i)) return Value::undefined();
  auto d = range_distribution(ctx, a[1].i, a[2].i);
  return d ? Value::integer(static_cast<int64_t>((*d)[a[0].i])) : Value::undefined();
}

Value count_all(CallContext& ctx, std::span<const Value> a) {
  if (any_undefined(a) || !is_byte(a[0].i)) return Value::undefined();
  auto d = whole_distribution(ctx);
  return d ? Value::integer(static_cast<int64_t>((*d)[a[0].i])) : Value::undefined();
}

Value percentage_of(const std::optional<Distribution>& d, int64_t byte) {
  if (!d) return Value::undefined();
  uint64_t n = math::total(*d);
  if (n == 0) return Value::undefined();
  // YARA divides in single precision; rules compare against its float-rounded values.
  return Value::real(static_cast<float>((*d)[byte]) / static_cast<float>(n));
}

Value percentage_range(CallContext& ctx, std::span<const Value> a) {
  if (any_undefined(a) || !is_byte(a[0].i)) return Value::undefined();
  return percentage_of(range_distribution(ctx, a[1].i, a[2].i), a[0].i);
}

Value percentage_all(CallContext& ctx, std::span<const Value> a) {
  if (any_undefined(a) || !is_byte(a[0].i)) return Value::undefined();
  return percentage_of(whole_distribution(ctx), a[0].i);
}

Value mode_range(CallContext& ctx, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  auto d = range_distribution(ctx, a[0].i, a[1].i);
  return d ? Value::integer(math::mode(*d)) : Value::undefined();
}

Value mode_all(CallContext& ctx, std::span<const Value>) {
  auto d = whole_distribution(ctx);
  return d ? Value::integer(math::mode(*d)) : Value::undefined();
}

Value in_range(CallContext&, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return Value::integer(a[1].f <= a[0].f && a[0].f <= a[2].f ? 1 : 0);
}

// min and max compare as unsigned 64-bit values, as YARA does.
Value min_fn(CallContext&, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return Value::integer(static_cast<uint64_t>(a[0].i) < static_cast<uint64_t>(a[1].i) ? a[0].i
                                                                                      : a[1].i);
}

Value max_fn(CallContext&, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return Value::integer(static_cast<uint64_t>(a[0].i) > static_cast<uint64_t>(a[1].i) ? a[0].i
                                                                                      : a[1].i);
}

Value abs_fn(CallContext&, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  // Negating INT64_MIN would overflow; it stays itself, as in two's complement hardware.
  uint64_t v = static_cast<uint64_t>(a[0].i);
  return Value::integer(static_cast<int64_t>(a[0].i < 0 ? 0 - v : v));
}

Value to_number(CallContext&, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return Value::integer(a[0].i != 0 ? 1 : 0);
}

Value format_integer(int64_t v, int64_t base) {
  char buf[32];
  switch (base) {
    case 10:
      std::snprintf(buf, sizeof buf, "%" PRId64, v);
      break;
    case 8:
      std::snprintf(buf, sizeof buf, "%" PRIo64, static_cast<uint64_t>(v));
      break;
    case 16:
      std::snprintf(buf, sizeof buf, "%" PRIx64, static_cast<uint64_t>(v));
      break;
    default:
      return Value::undefined();
  }
  return Value::string(buf);
}

Value to_string(CallContext&, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return format_integer(a[0].i, 10);
}

Value to_string_base(CallContext&, std::span<const Value> a) {
  if (any_undefined(a)) return Value::undefined();
  return format_integer(a[0].i, a[1].i);
}

void declare(SchemaBuilder& root) {
  root.constant_float("MEAN_BYTES", 127.5);
  root.function("entropy", "ii", 'f', entropy_range);
  root.function("entropy", "s", 'f', entropy_string);
  root.function("monte_carlo_pi", "ii", 'f', monte_carlo_pi_range);
  root.function("monte_carlo_pi", "s", 'f', monte_carlo_pi_string);
  root.function("serial_correlation", "ii", 'f', serial_correlation_range);
  root.function("serial_correlation", "s", 'f', serial_correlation_string);
  root.function("mean", "ii", 'f', mean_range);
  root.function("mean", "s", 'f', mean_string);
  root.function("deviation", "iif", 'f', deviation_range);
  root.function("deviation", "sf", 'f', deviation_string);
  root.function("in_range", "fff", 'i', in_range);
  root.function("max", "ii", 'i', max_fn);
  root.function("min", "ii", 'i', min_fn);
  root.function("to_number", "b", 'i', to_number);
  // Also over integers: a compiler that passes booleans as integers still finds an overload
  // (YARA itself rejects to_number(5); accepting it is the lesser harm).
  root.function("to_number", "i", 'i', to_number);
  root.function("abs", "i", 'i', abs_fn);
  root.function("count", "iii", 'i', count_range);
  root.function("count", "i", 'i', count_all);
  root.function("percentage", "iii", 'f', percentage_range);
  root.function("percentage", "i", 'f', percentage_all);
  root.function("mode", "ii", 'i', mode_range);
  root.function("mode", "", 'i', mode_all);
  root.function("to_string", "i", 's', to_string);
  root.function("to_string", "ii", 's', to_string_base);
}

void load(LoadContext& ctx, Node&) {
  if (ctx.state != nullptr) *ctx.state = std::make_unique<MathState>();
}

}  // namespace

extern const Module kMathModule{"math", declare, load};

}  // namespace vigie::mod
