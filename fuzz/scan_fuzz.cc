// libFuzzer target: the whole scan path (prefilter, verification, conditions, modules) on
// arbitrary data, with a rule set that exercises every kind of pattern and the data readers.
#include <cstddef>
#include <cstdint>
#include <span>

#include "vigie/vigie.h"

namespace {

struct Sink : vigie::ScanCallback {
  vigie::CallbackAction on_rule_matching(const vigie::MatchedRule& r) override {
    for (const auto& s : r.strings)
      for (const auto& m : s.matches) touched += m.data.empty() ? 0 : m.data[0];
    return vigie::CallbackAction::kContinue;
  }
  unsigned touched = 0;
};

std::shared_ptr<const vigie::Rules> rules() {
  static std::shared_ptr<const vigie::Rules> r = [] {
    vigie::Compiler c;
    c.add_source(R"(
      import "hash"
      import "math"
      import "elf"
      import "pe"
      rule text { strings: $a = "MZ" $b = "ELF" nocase wide ascii $c = "abc" xor(1-5) fullword
                  $d = "secret" base64 condition: any of them }
      rule hex { strings: $a = { 4D 5A [0-64] 50 45 } $b = { ( 7F 45 | 00 ?? ) 4? ~00 [2-] 01 }
                 condition: #a > 0 or $b in (0..100) }
      rule re { strings: $a = /[a-z]{3,}[0-9]+\b/ $b = /x.*?y/s $c = /(ab|cd)+e?$/i
                condition: for any i in (1..#a) : (!a[i] > 4) or $b or @c[1] >= 0 }
      rule readers { condition: uint32(0) ^ uint16be(2) > int8(filesize - 1) and
                     math.entropy(0, filesize) > 1.0 and hash.md5(0, 16) != "" }
      rule modules { condition: elf.number_of_sections > 0 or pe.number_of_sections > 0 or
                     pe.is_dll() }
    )");
    return c.build();
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Inputs are capped and each scan has a deadline: some rules here cost time quadratic in a
  // run of letters (no regex length cut-off), which is a speed question, not a crash.
  if (size > (1u << 16)) return 0;
  static auto r = rules();
  if (!r) __builtin_trap();  // the rule set above must compile
  static vigie::Scanner scanner(r, [] {
    vigie::ScanOptions o;
    o.timeout = std::chrono::milliseconds(1000);
    return o;
  }());
  Sink sink;
  scanner.scan_buffer(std::span<const uint8_t>(data, size), sink);
  return 0;
}
