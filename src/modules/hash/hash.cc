// The `hash` module: md5, sha1, sha256, checksum32 and crc32 of a range of the scanned data or of
// a string.
//
// Rule sets often ask for the same digest in thousands of rules (`hash.md5(0, filesize) == "..."`
// once per known sample), so range results are cached for the scan in the module state, keyed by
// algorithm and by the range after clipping to the data. String arguments are not cached: they
// are short and their digests are usually folded by the caller anyway.
#include <map>
#include <tuple>

#include "modules/common/args.h"
#include "modules/hash/digests.h"
#include "modules/module.h"

namespace vigie::mod {
namespace {

enum class Fn : uint8_t { kMd5, kSha1, kSha256, kChecksum32, kCrc32 };

// A loop over many ranges would otherwise grow the cache with the loop; past this many entries
// results are computed and not kept.
constexpr size_t kMaxCachedResults = 4096;

struct HashState : ModuleState {
  std::map<std::tuple<Fn, uint64_t, uint64_t>, Value> cache;
};

Value compute(Fn fn, std::span<const uint8_t> bytes) {
  switch (fn) {
    case Fn::kMd5:
      return Value::string(hash::hex_digest(hash::Algorithm::kMd5, bytes));
    case Fn::kSha1:
      return Value::string(hash::hex_digest(hash::Algorithm::kSha1, bytes));
    case Fn::kSha256:
      return Value::string(hash::hex_digest(hash::Algorithm::kSha256, bytes));
    case Fn::kChecksum32:
      return Value::integer(hash::checksum32(bytes));
    case Fn::kCrc32:
      return Value::integer(hash::crc32(bytes));
  }
  return Value::undefined();
}

template <Fn fn>
Value over_range(CallContext& ctx, std::span<const Value> args) {
  if (any_undefined(args)) return Value::undefined();
  auto range = data_range(ctx.data, ctx.base_address, args[0].i, args[1].i);
  if (!range) return Value::undefined();
  auto* state = dynamic_cast<HashState*>(ctx.state);
  if (state == nullptr) return compute(fn, *range);
  auto key = std::make_tuple(fn, static_cast<uint64_t>(range->data() - ctx.data.data()),
                             static_cast<uint64_t>(range->size()));
  auto it = state->cache.find(key);
  if (it != state->cache.end()) return it->second;
  Value v = compute(fn, *range);
  if (state->cache.size() < kMaxCachedResults) state->cache.emplace(key, v);
  return v;
}

template <Fn fn>
Value over_string(CallContext&, std::span<const Value> args) {
  if (any_undefined(args)) return Value::undefined();
  return compute(fn, bytes_of(args[0].s));
}

void declare(SchemaBuilder& root) {
  root.function("md5", "ii", 's', over_range<Fn::kMd5>);
  root.function("md5", "s", 's', over_string<Fn::kMd5>);
  root.function("sha1", "ii", 's', over_range<Fn::kSha1>);
  root.function("sha1", "s", 's', over_string<Fn::kSha1>);
  root.function("sha256", "ii", 's', over_range<Fn::kSha256>);
  root.function("sha256", "s", 's', over_string<Fn::kSha256>);
  root.function("checksum32", "ii", 'i', over_range<Fn::kChecksum32>);
  root.function("checksum32", "s", 'i', over_string<Fn::kChecksum32>);
  root.function("crc32", "ii", 'i', over_range<Fn::kCrc32>);
  root.function("crc32", "s", 'i', over_string<Fn::kCrc32>);
}

void load(LoadContext& ctx, Node&) {
  if (ctx.state != nullptr) *ctx.state = std::make_unique<HashState>();
}

}  // namespace

extern const Module kHashModule{"hash", declare, load};

}  // namespace vigie::mod
