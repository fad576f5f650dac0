// The `magic` module: type() and mime_type() of the scanned data, from libmagic (what `file` and
// `file --mime-type` print).
//
// A libmagic handle is not safe to share between threads and is costly to open (it loads the
// compiled database), so each thread opens one handle per flavour on first use and keeps it.
// Results are computed at most once per scan, on first call, and kept in the module state:
// libmagic reads the whole buffer for some tests, and rules often call both functions many times.
// A handle that fails to open or a buffer libmagic cannot classify gives undefined.
#include <magic.h>

#include <optional>

#include "modules/module.h"

namespace vigie::mod {
namespace {

class Handle {
 public:
  explicit Handle(int flags) : cookie_(magic_open(flags)) {
    if (cookie_ != nullptr && magic_load(cookie_, nullptr) != 0) {
      magic_close(cookie_);
      cookie_ = nullptr;
    }
  }
  ~Handle() {
    if (cookie_ != nullptr) magic_close(cookie_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  std::optional<std::string> describe(std::span<const uint8_t> data) const {
    if (cookie_ == nullptr) return std::nullopt;
    const char* r = magic_buffer(cookie_, data.data(), data.size());
    if (r == nullptr) return std::nullopt;
    return std::string(r);
  }

 private:
  magic_t cookie_;
};

struct MagicState : ModuleState {
  std::optional<std::optional<std::string>> type;
  std::optional<std::optional<std::string>> mime_type;
};

std::optional<std::string> classify(std::span<const uint8_t> data, bool mime) {
  if (mime) {
    thread_local Handle handle(MAGIC_MIME_TYPE);
    return handle.describe(data);
  }
  thread_local Handle handle(MAGIC_NONE);
  return handle.describe(data);
}

Value result(const std::optional<std::string>& s) {
  return s ? Value::string(*s) : Value::undefined();
}

template <bool mime>
Value describe(CallContext& ctx, std::span<const Value>) {
  auto* state = dynamic_cast<MagicState*>(ctx.state);
  if (state == nullptr) return result(classify(ctx.data, mime));
  auto& slot = mime ? state->mime_type : state->type;
  if (!slot) slot = classify(ctx.data, mime);
  return result(*slot);
}

void declare(SchemaBuilder& root) {
  root.function("mime_type", "", 's', describe<true>);
  root.function("type", "", 's', describe<false>);
}

void load(LoadContext& ctx, Node&) {
  if (ctx.state != nullptr) *ctx.state = std::make_unique<MagicState>();
}

}  // namespace

extern const Module kMagicModule{"magic", declare, load};

}  // namespace vigie::mod
