// libFuzzer target: compiled rules files are input too (vigie-yara -C). Arbitrary bytes given
// to Rules::load must give an error value or a rule set that scans safely. The seed is a real
// compiled rule set, with its checksum recomputed after mutation so the fuzzer reaches the
// table validation behind it rather than stopping at the digest.
#include <openssl/sha.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "vigie/vigie.h"

namespace {

struct Sink : vigie::ScanCallback {};

const std::string& seed() {
  static const std::string bytes = [] {
    vigie::Compiler c;
    c.define_external("e", int64_t{1});
    c.add_source(
        "import \"tests\" rule a { strings: $a = \"abc\" nocase $h = { 61 ?? 63 } $r = /a.c/ "
        "condition: 2 of them and e == 1 and for any i in (1..#a) : (@a[i] < 100) and "
        "tests.isum(1, 2) == 3 } rule b { condition: a or filesize > 3 }");
    auto rules = c.build();
    std::string out;
    if (rules) rules->save(out);
    return out;
  }();
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1u << 20)) return 0;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  // Half of the inputs: splice into the seed and fix the digest (header: digest at 32..63).
  if (size > 0 && (data[0] & 1) && seed().size() > 64) {
    std::string s = seed();
    size_t at = 64 + (size * 7919) % (s.size() - 64);
    for (size_t k = 1; k < size && at + k - 1 < s.size(); ++k) s[at + k - 1] = bytes[k];
    SHA256(reinterpret_cast<const uint8_t*>(s.data()) + 64, s.size() - 64,
           reinterpret_cast<uint8_t*>(s.data()) + 32);
    bytes = std::move(s);
  }
  vigie::Error err;
  auto rules = vigie::Rules::load(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), &err);
  if (!rules) return 0;
  // A forged rule set may hold a legal but endless loop (for all i in (0..2^62)); the scan
  // deadline is what bounds it, as for rules compiled from such a source.
  vigie::ScanOptions options;
  options.timeout = std::chrono::milliseconds(1000);
  vigie::Scanner scanner(rules, options);
  Sink sink;
  static const std::string text = "xxabcxxaXcxx";
  scanner.scan_buffer(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()), sink);
  return 0;
}
