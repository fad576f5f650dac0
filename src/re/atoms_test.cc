// Atom quality and atom choice.
#include "re/atoms.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "re/atom_quality.h"
#include "re/parse.h"

namespace vigie::re {
namespace {

std::vector<std::string> atoms_of(AtomChoice c) {
  std::vector<std::string> out;
  for (auto& a : c.atoms) out.push_back(a.bytes);
  std::sort(out.begin(), out.end());
  return out;
}

AtomChoice regex_atoms(const char* src, uint8_t flags = 0) {
  Ir ir;
  EXPECT_FALSE(parse_regex(src, flags, ir)) << src;
  return choose_atoms(ir, ir.root);
}

AtomChoice hex_atoms(const char* src) {
  Ir ir;
  EXPECT_FALSE(parse_hex(src, ir)) << src;
  return choose_atoms(ir, ir.root);
}

TEST(AtomQuality, PrefersVarietyAndRareBytes) {
  EXPECT_GT(atom_quality("This", false), atom_quality(std::string("\0\0\0\0", 4), false));
  EXPECT_GT(atom_quality("MZ\x90\x01", false),
            atom_quality(std::string("\xff\xff\xff\xff", 4), false));
  EXPECT_GT(atom_quality("abcd", false), atom_quality("aaaa", false));
  EXPECT_GT(atom_quality("abcd", false), atom_quality("abcd", true));
  EXPECT_GT(atom_quality("abcd", false), atom_quality("abc", false));
  EXPECT_LT(atom_quality(std::string("\0", 1), false), kAtomMinUsable);
  // Warned about like YARA does: one byte, or only common bytes; two rare bytes are fine.
  EXPECT_GE(atom_quality("A", false), kAtomMinUsable);
  EXPECT_LT(atom_quality("A", false), kAtomGood);
  EXPECT_LT(atom_quality(std::string("\0\0\0\0", 4), false), kAtomGood);
  EXPECT_GE(atom_quality("ab", false), kAtomGood);
  EXPECT_GE(atom_quality(std::string("\0\0\0\xc7", 4), false), kAtomGood);
  ByteSet exact, nibble;
  exact.add(0x31);
  for (int b = 0x30; b < 0x40; ++b) nibble.add(static_cast<uint8_t>(b));
  EXPECT_GT(atom_quality(std::vector<ByteSet>{exact}), atom_quality(std::vector<ByteSet>{nibble}));
}

TEST(AtomChoice, LongestDistinctLiteral) {
  EXPECT_EQ(atoms_of(regex_atoms("a.b.cdefgh")), (std::vector<std::string>{"cdefgh"}));
  EXPECT_EQ(atoms_of(regex_atoms("(ab|cd)wxyz")), (std::vector<std::string>{"wxyz"}));
  EXPECT_EQ(atoms_of(regex_atoms("(abcdef|ghijkl)x")),
            (std::vector<std::string>{"abcdef", "ghijkl"}));
  EXPECT_EQ(atoms_of(regex_atoms("x?(hello)+")), (std::vector<std::string>{"hello"}));
  EXPECT_TRUE(regex_atoms(".*").atoms.empty());
  EXPECT_TRUE(regex_atoms("(abc)?").atoms.empty());
  EXPECT_TRUE(regex_atoms("abc|.").atoms.empty());
}

TEST(AtomChoice, CaseInsensitiveAtoms) {
  auto c = regex_atoms("HeLLo", lang::kRegexNocase);
  ASSERT_EQ(c.atoms.size(), 1u);
  EXPECT_EQ(c.atoms[0].bytes, "hello");
  EXPECT_TRUE(c.atoms[0].caseless);
}

TEST(AtomChoice, MaskedBytesExpand) {
  auto c = hex_atoms("4? 02 ?? 4? 02 ?? 3? 1F 7A");
  ASSERT_EQ(c.atoms.size(), 16u);
  EXPECT_EQ(c.atoms[0].bytes, std::string("\x30\x1f\x7a", 3));
  EXPECT_EQ(c.atoms[15].bytes, std::string("\x3f\x1f\x7a", 3));
  EXPECT_EQ(c.atoms[0].prefix.size(), 6u);
  // Wildcards break literals; a run of 00 loses to a varied run.
  EXPECT_EQ(atoms_of(hex_atoms("00 00 00 00 ?? 4D 5A 90")),
            (std::vector<std::string>{std::string("MZ\x90", 3)}));
}

}  // namespace
}  // namespace vigie::re
