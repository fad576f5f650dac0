// Test helper: a small hand-built PE32 DLL with a rich signature, one section, exports (one
// named, one by ordinal only, one forwarder), imports and delayed imports by name and by
// ordinal, a version-info resource, a resource with a string type, and a CodeView debug entry.
// Tests corrupt it to check that damaged files give undefined fields and never crash.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace vigie::pe::testing {

class Buf {
 public:
  explicit Buf(size_t n) : b_(n, 0) {}
  void u8(size_t o, uint8_t v) { b_.at(o) = v; }
  void u16(size_t o, uint16_t v) { u8(o, v & 0xff), u8(o + 1, v >> 8); }
  void u32(size_t o, uint32_t v) { u16(o, v & 0xffff), u16(o + 2, v >> 16); }
  void str(size_t o, const std::string& s) {
    for (size_t i = 0; i < s.size(); ++i) u8(o + i, static_cast<uint8_t>(s[i]));
  }
  void wstr(size_t o, const std::string& s) {
    for (size_t i = 0; i < s.size(); ++i) u16(o + 2 * i, static_cast<uint8_t>(s[i]));
  }
  std::vector<uint8_t>& bytes() { return b_; }

 private:
  std::vector<uint8_t> b_;
};

// Layout: headers in [0, 0x200); one section ".text" at RVA 0x1000, file offset 0x200.
inline std::vector<uint8_t> build_test_pe() {
  Buf b(0xa00);
  auto off = [](uint32_t rva) { return rva - 0x1000 + 0x200; };
  b.str(0, "MZ");
  b.u32(0x3c, 0x80);
  // Rich signature: DanS, 3 padding dwords, 2 records, "Rich", key; XORed with the key.
  const uint32_t key = 0x11223344;
  const uint32_t rich[] = {0x536e6144, 0, 0, 0, (0x0104u << 16) | 30729, 5, (0x0093u << 16) | 21022,
                           7};
  for (int i = 0; i < 8; ++i) b.u32(0x40 + 4 * i, rich[i] ^ key);
  b.str(0x60, "Rich");
  b.u32(0x64, key);
  // NT headers.
  b.str(0x80, "PE");
  b.u16(0x84, 0x14c);
  b.u16(0x86, 1);
  b.u32(0x88, 0x5f000000);
  b.u16(0x94, 224);
  b.u16(0x96, 0x2102);
  const size_t oh = 0x98;
  b.u16(oh, 0x10b);
  b.u8(oh + 2, 14);
  b.u8(oh + 3, 2);
  b.u32(oh + 4, 0x400);
  b.u32(oh + 16, 0x1010);
  b.u32(oh + 20, 0x1000);
  b.u32(oh + 24, 0x2000);
  b.u32(oh + 28, 0x10000000);
  b.u32(oh + 32, 0x1000);
  b.u32(oh + 36, 0x200);
  b.u16(oh + 40, 6);
  b.u16(oh + 48, 6);
  b.u32(oh + 56, 0x2000);
  b.u32(oh + 60, 0x200);
  b.u16(oh + 68, 2);
  b.u16(oh + 70, 0x140);
  b.u32(oh + 72, 0x100000);
  b.u32(oh + 76, 0x1000);
  b.u32(oh + 80, 0x100000);
  b.u32(oh + 84, 0x1000);
  b.u32(oh + 92, 16);
  const size_t dirs = oh + 96;
  b.u32(dirs + 0, 0x1100);  // export
  b.u32(dirs + 4, 0x100);
  b.u32(dirs + 8, 0x1200);  // import
  b.u32(dirs + 12, 0x3c);
  b.u32(dirs + 16, 0x1400);  // resource
  b.u32(dirs + 20, 0x200);
  b.u32(dirs + 48, 0x1300);  // debug
  b.u32(dirs + 52, 28);
  b.u32(dirs + 104, 0x1600);  // delay import
  b.u32(dirs + 108, 0x40);
  // Section table.
  const size_t st = oh + 224;
  b.str(st, ".text");
  b.u32(st + 8, 0x800);
  b.u32(st + 12, 0x1000);
  b.u32(st + 16, 0x800);
  b.u32(st + 20, 0x200);
  b.u32(st + 36, 0x60000020);

  // Exports.
  size_t e = off(0x1100);
  b.u32(e + 4, 0x5f000001);
  b.u32(e + 12, 0x1180);
  b.u32(e + 16, 1);
  b.u32(e + 20, 4);  // the fourth slot (0x114c) is unused: RVA 0
  b.u32(e + 24, 1);
  b.u32(e + 28, 0x1140);
  b.u32(e + 32, 0x1150);
  b.u32(e + 36, 0x1158);
  b.u32(off(0x1140), 0x1010);
  b.u32(off(0x1144), 0x1020);
  b.u32(off(0x1148), 0x11a0);  // inside the export directory: a forwarder
  b.str(off(0x11a0), "NTDLL.RtlFoo");
  b.u32(off(0x1150), 0x1190);
  b.u16(off(0x1158), 1);
  b.str(off(0x1180), "test.dll");
  b.str(off(0x1190), "Foo");

  // Imports: KERNEL32.dll (Sleep by name, ordinal 115), WS2_32.dll (ordinal 115).
  size_t i = off(0x1200);
  b.u32(i + 0, 0x1240);
  b.u32(i + 12, 0x1280);
  b.u32(i + 16, 0x1260);
  b.u32(i + 20, 0x12c0);
  b.u32(i + 32, 0x12d0);
  b.u32(i + 36, 0x12e0);
  for (uint32_t t : {0x1240u, 0x1260u}) {
    b.u32(off(t), 0x12a0);
    b.u32(off(t + 4), 0x80000073);
  }
  b.str(off(0x1280), "KERNEL32.dll");
  b.str(off(0x12a2), "Sleep");
  b.u32(off(0x12c0), 0x80000073);
  b.u32(off(0x12e0), 0x80000073);
  b.str(off(0x12d0), "WS2_32.dll");

  // Delayed imports: USER32.dll (MessageBoxA by name, ordinal 5), RVA-based descriptor.
  size_t dl = off(0x1600);
  b.u32(dl + 0, 1);
  b.u32(dl + 4, 0x1640);
  b.u32(dl + 12, 0x1660);
  b.u32(dl + 16, 0x1650);
  b.str(off(0x1640), "USER32.dll");
  for (uint32_t t : {0x1650u, 0x1660u}) {
    b.u32(off(t), 0x1680);
    b.u32(off(t + 4), 0x80000005);
  }
  b.str(off(0x1682), "MessageBoxA");

  // Debug directory: one CodeView (RSDS) entry.
  size_t d = off(0x1300);
  b.u32(d + 12, 2);
  b.u32(d + 16, 24 + 14);
  b.u32(d + 20, 0x1340);
  b.u32(d + 24, off(0x1340));
  b.str(off(0x1340), "RSDS");
  b.str(off(0x1340) + 24, "C:\\x\\test.pdb");

  // Resources: a type named "MYTYPE" -> id 7 -> language 0 -> 4 bytes at RVA 0x14d0, and
  // type 16 (version) -> id 1 -> language 0x409 -> data at RVA 0x1500.
  size_t r = off(0x1400);
  auto dir = [&](size_t at, uint16_t named, uint16_t ids) {
    b.u32(at + 4, 0x5f000002);
    b.u16(at + 8, 4);
    b.u16(at + 12, named);
    b.u16(at + 14, ids);
  };
  auto entry = [&](size_t at, uint32_t name, uint32_t target) {
    b.u32(at, name);
    b.u32(at + 4, target);
  };
  dir(r, 1, 1);
  entry(r + 0x10, 0x80000000u | 0xc0, 0x80000000u | 0x60);
  entry(r + 0x18, 16, 0x80000000u | 0x20);
  dir(r + 0x20, 0, 1);
  entry(r + 0x30, 1, 0x80000000u | 0x38);
  dir(r + 0x38, 0, 1);
  entry(r + 0x48, 0x409, 0x50);
  b.u32(r + 0x50, 0x1500);  // data entry of the version resource; size set below
  dir(r + 0x60, 0, 1);
  entry(r + 0x70, 7, 0x80000000u | 0x78);
  dir(r + 0x78, 0, 1);
  entry(r + 0x88, 0, 0x90);
  b.u32(r + 0x90, 0x14d0);
  b.u32(r + 0x94, 4);
  b.u16(r + 0xc0, 6);
  b.wstr(r + 0xc2, "MYTYPE");
  b.str(r + 0xd0, "abcd");

  // VS_VERSIONINFO at RVA 0x1500, no fixed info, one StringFileInfo/StringTable/String.
  size_t v = off(0x1500);
  auto block = [&](size_t at, uint16_t len, uint16_t vlen, const std::string& k) {
    b.u16(at, len);
    b.u16(at + 2, vlen);
    b.u16(at + 4, 1);
    b.wstr(at + 6, k);
    return (at + 6 + 2 * (k.size() + 1) + 3) & ~size_t{3};
  };
  // String "CompanyName" = "Vigie".
  size_t s_at = 0;
  size_t after_root = block(v, 0, 52, "VS_VERSION_INFO");
  b.u32(after_root, 0xfeef04bd);  // VS_FIXEDFILEINFO signature
  after_root += 52;
  size_t after_sfi = block(after_root, 0, 0, "StringFileInfo");
  size_t after_table = block(after_sfi, 0, 0, "040904b0");
  s_at = after_table;
  size_t value = block(s_at, 0, 6, "CompanyName");
  b.wstr(value, "Vigie");
  size_t end = value + 12;
  b.u16(s_at, static_cast<uint16_t>(end - s_at));
  b.u16(after_sfi, static_cast<uint16_t>(end - after_sfi));
  b.u16(after_root, static_cast<uint16_t>(end - after_root));
  b.u16(v, static_cast<uint16_t>(end - v));
  b.u32(r + 0x54, static_cast<uint32_t>(end - v));
  return b.bytes();
}

}  // namespace vigie::pe::testing

namespace vigie::pe::testing {

// A PE32 whose only import is `dll` by each ordinal of `ordinals`, to compare the ordinal names
// (and so the import hash) with another implementation.
inline std::vector<uint8_t> build_ordinal_pe(const std::string& dll,
                                             const std::vector<uint32_t>& ordinals) {
  const uint32_t thunks = 0x1100;
  const uint32_t iat = thunks + 4 * static_cast<uint32_t>(ordinals.size() + 1);
  const uint32_t end = iat + 4 * static_cast<uint32_t>(ordinals.size() + 1);
  const uint32_t raw = (end - 0x1000 + 0x1ff) & ~0x1ffu;
  Buf b(0x200 + raw);
  auto off = [](uint32_t rva) { return rva - 0x1000 + 0x200; };
  b.str(0, "MZ");
  b.u32(0x3c, 0x40);
  b.str(0x40, "PE");
  b.u16(0x44, 0x14c);
  b.u16(0x46, 1);
  b.u16(0x54, 224);
  b.u16(0x56, 0x102);
  const size_t oh = 0x58;
  b.u16(oh, 0x10b);
  b.u32(oh + 16, 0x1000);
  b.u32(oh + 28, 0x400000);
  b.u32(oh + 32, 0x1000);
  b.u32(oh + 36, 0x200);
  b.u32(oh + 56, 0x1000 + raw);
  b.u32(oh + 60, 0x200);
  b.u32(oh + 92, 16);
  b.u32(oh + 96 + 8, 0x1000);  // import directory
  b.u32(oh + 96 + 12, 40);
  const size_t st = oh + 224;
  b.str(st, ".idata");
  b.u32(st + 8, raw);
  b.u32(st + 12, 0x1000);
  b.u32(st + 16, raw);
  b.u32(st + 20, 0x200);
  b.u32(st + 36, 0xc0000040);
  b.u32(off(0x1000), thunks);
  b.u32(off(0x1000) + 12, 0x1080);
  b.u32(off(0x1000) + 16, iat);
  b.str(off(0x1080), dll);
  for (size_t i = 0; i < ordinals.size(); ++i) {
    b.u32(off(thunks) + 4 * i, 0x80000000u | ordinals[i]);
    b.u32(off(iat) + 4 * i, 0x80000000u | ordinals[i]);
  }
  return b.bytes();
}

}  // namespace vigie::pe::testing
