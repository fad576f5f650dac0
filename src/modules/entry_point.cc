// The deprecated `entrypoint` keyword: the file offset of a PE or ELF entry point.
//
// PE: the headers must be those YARA accepts (MZ, PE signature, i386 or AMD64 machine, headers
// inside the data); AddressOfEntryPoint is then mapped through the section table (at most 96
// sections, as YARA reads): the section with the highest virtual address not above the RVA gives
// the offset, and with no such section the RVA is taken as the offset.
// ELF: e_entry mapped through the program headers for executables, through the sections otherwise.
// An ELF whose entry no segment or section maps gives 0, as YARA gives; like YARA, the keyword
// reads big-endian files as if they were little-endian (which usually maps nothing, so 0).
#include "modules/elf/elf_image.h"
#include "modules/module.h"

namespace vigie::mod {
namespace {

uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

constexpr size_t kMaxPeSections = 96;
constexpr size_t kSectionHeaderSize = 40;

bool pe_entry_point(std::span<const uint8_t> d, uint64_t* offset) {
  if (d.size() < 64 || d[0] != 'M' || d[1] != 'Z') return false;
  uint32_t lfanew = le32(&d[0x3c]);
  if (lfanew > 0x7fffffff) return false;
  uint64_t nt = lfanew;
  // Signature (4) + file header (20).
  if (d.size() < nt + 24) return false;
  const uint8_t* pe = d.data() + nt;
  if (pe[0] != 'P' || pe[1] != 'E' || pe[2] != 0 || pe[3] != 0) return false;
  uint16_t machine = le16(pe + 4);
  if (machine != 0x14c && machine != 0x8664) return false;
  uint16_t sections = le16(pe + 6);
  uint16_t optional_size = le16(pe + 20);
  uint64_t optional = nt + 24;
  if (d.size() <= optional + optional_size) return false;
  // AddressOfEntryPoint sits at the same place in PE32 and PE32+ optional headers.
  if (d.size() < optional + 20) return false;
  uint32_t rva = le32(d.data() + optional + 16);
  uint64_t table = optional + optional_size;
  uint64_t section_rva = 0;
  uint64_t section_offset = 0;
  for (size_t i = 0; i < sections && i < kMaxPeSections; ++i) {
    uint64_t s = table + i * kSectionHeaderSize;
    if (s + kSectionHeaderSize >= d.size()) return false;
    uint32_t virtual_address = le32(d.data() + s + 12);
    uint32_t raw_pointer = le32(d.data() + s + 20);
    if (rva >= virtual_address && section_rva <= virtual_address) {
      section_rva = virtual_address;
      section_offset = raw_pointer;
    }
  }
  *offset = section_offset + (rva - section_rva);
  return true;
}

}  // namespace

bool entry_point_offset(std::span<const uint8_t> data, uint64_t* offset) {
  if (pe_entry_point(data, offset)) return true;
  auto elf = elf::ElfImage::open(data, /*little_endian_only=*/true);
  if (!elf) return false;
  *offset = elf->rva_to_offset(elf->header().entry).value_or(0);
  return true;
}

}  // namespace vigie::mod
