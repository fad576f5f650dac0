// libFuzzer target for the pattern engine: hostile patterns and hostile data.
//
// Input layout: byte 0 picks the pattern kind (text, hex, regex), its flags and modifiers;
// bytes up to the first 0xFF (at most 256) are the pattern; the rest (at most 8 KiB) is the
// data to scan. Every pattern check() accepts is built, scanned, serialized, loaded back and
// scanned again (both scans must agree); regexes are also compiled for `matches`.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "re/pattern_set.h"

using namespace vigie;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  uint8_t sel = data[0];
  size_t i = 1;
  std::string pattern;
  while (i < size && data[i] != 0xFF && pattern.size() < 256)
    pattern.push_back(static_cast<char>(data[i++]));
  if (i < size && data[i] == 0xFF) ++i;
  std::span<const uint8_t> target(data + i, std::min<size_t>(size - i, 8192));

  re::PatternSpec spec;
  spec.kind = static_cast<lang::StringKind>(sel % 3);
  spec.value = pattern;
  spec.regex_flags = (sel >> 2) & 3;
  auto& m = spec.modifiers;
  m.nocase = sel & 0x10;
  m.wide = sel & 0x20;
  m.ascii = sel & 0x40;
  m.fullword = sel & 0x80;
  if (spec.kind == lang::StringKind::kText && (sel & 0x0C) == 0x0C) {
    m.nocase = false;
    m.xor_ = true;
    m.xor_min = 1;
    m.xor_max = 8;
  }
  if (spec.kind == lang::StringKind::kText && (sel & 0x0C) == 0x08) {
    m.nocase = m.fullword = false;
    m.base64 = true;
  }

  if (spec.kind == lang::StringKind::kRegex) {
    re::PatternError err;
    if (auto r = re::Regex::compile(pattern, spec.regex_flags, &err))
      r->search(std::string_view(reinterpret_cast<const char*>(target.data()), target.size()));
  }
  if (re::check(spec)) return 0;
  std::string error;
  std::vector<re::BuildWarning> warnings;
  auto set = re::PatternSet::build({spec}, &warnings, &error);
  if (!set) return 0;
  re::PatternScratch scratch(*set);
  re::MatchTable table;
  table.reset(1);
  set->scan(scratch, target, 0, {}, table);
  std::vector<re::Match> first(table.matches(0).begin(), table.matches(0).end());
  for (size_t k = 1; k < first.size(); ++k)
    if (first[k].offset <= first[k - 1].offset) abort();  // increasing offsets
  for (auto& mt : first)
    if (mt.offset + mt.length > target.size()) abort();

  std::string bytes;
  set->serialize(bytes);
  auto back = re::PatternSet::deserialize(
      {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, &error);
  if (!back) abort();
  re::PatternScratch scratch2(*back);
  table.reset(1);
  back->scan(scratch2, target, 0, {}, table);
  if (table.matches(0).size() != first.size()) abort();
  // Hostile serialized bytes: the data itself.
  re::PatternSet::deserialize(target, &error);
  return 0;
}
