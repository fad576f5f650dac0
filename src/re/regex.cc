// Regex: a compiled regular expression for the `matches` operator and module functions.
// Unanchored search with the same parser and VM as string patterns. As in YARA, a match may
// start at any byte and may be empty (`"abc" matches /x?/` is true), but the empty string
// matches nothing (`"" matches /x*/` and `"" matches /^$/` are false). Searching needs VM scratch
// sized to the program; a thread-local one is reused so that concurrent scanners never share it.
#include "modules/module.h"
#include "re/parse.h"
#include "re/program.h"
#include "re/vm.h"

namespace vigie::re {

struct Regex::Impl {
  std::string source;
  uint8_t flags = 0;
  Program prog;
};

std::unique_ptr<Regex> Regex::compile(std::string_view source, uint8_t flags, PatternError* error) {
  Ir ir;
  if (auto e = parse_regex(source, flags, ir)) {
    if (error) *error = *e;
    return nullptr;
  }
  auto impl = std::make_unique<Impl>();
  impl->source = std::string(source);
  impl->flags = flags;
  if (!re::compile(ir, {ir.root}, false, impl->prog)) {
    if (error) *error = PatternError{"regular expression too large", 0};
    return nullptr;
  }
  std::unique_ptr<Regex> r(new Regex());
  r->impl_ = std::move(impl);
  return r;
}

Regex::~Regex() = default;

bool Regex::search(std::string_view text) const {
  thread_local VmScratch vm;
  return re::search(impl_->prog, reinterpret_cast<const uint8_t*>(text.data()), text.size(), vm);
}

const std::string& Regex::source() const { return impl_->source; }
uint8_t Regex::flags() const { return impl_->flags; }

bool regex_search(const Regex& re, std::string_view text) { return re.search(text); }

}  // namespace vigie::re
