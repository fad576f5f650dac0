// Everything the elf module exposes, read from an ELF file into plain values.
//
// parse_elf() reads the file header, the section table (with names from the section-name string
// table), the program header table, the dynamic table of each PT_DYNAMIC segment, and the
// SHT_SYMTAB and SHT_DYNSYM symbol tables with their names, following YARA's rules for which
// parts count (see elf_parse.cc). It trusts nothing in the input: every table is checked against
// the data before it is read, and every list is capped (kMax* below), so the work and memory are
// bounded by those caps whatever the file claims.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "modules/elf/elf_image.h"

namespace vigie::mod::elf {

constexpr size_t kMaxSections = 1u << 16;  // e_shnum is 16 bits anyway
constexpr size_t kMaxSegments = 1u << 16;
constexpr size_t kMaxDynamicEntries = 1u << 16;
// Per table. Symbols must lie in the file (16 or 24 bytes each), which bounds them already;
// the cap (the module arrays' own) keeps a huge file from costing more than yara's limit of
// memory, while real binaries (node: 108,000 dynamic symbols) are read whole, as yara reads them.
constexpr size_t kMaxSymbols = 1u << 20;

struct SectionInfo {
  Section header;
  std::optional<std::string> name;
};

struct SymbolInfo {
  std::optional<std::string> name;
  uint64_t value = 0;
  uint64_t size = 0;
  uint8_t type = 0;
  uint8_t bind = 0;
  uint8_t visibility = 0;
  uint16_t shndx = 0;
};

struct DynamicInfo {
  int64_t type = 0;
  uint64_t value = 0;
};

struct SymbolTable {
  std::vector<SymbolInfo> symbols;
};

struct ElfInfo {
  FileHeader header;
  std::optional<uint64_t> entry_point;  // file offset of e_entry (or e_entry for processes)
  bool sections_read = false;           // the section table fits in the data
  std::vector<SectionInfo> sections;
  bool segments_read = false;  // the program header table fits in the data
  std::vector<Segment> segments;
  std::optional<std::vector<DynamicInfo>> dynamic;  // from the last PT_DYNAMIC segment read
  std::optional<SymbolTable> symtab;
  std::optional<SymbolTable> dynsym;
};

// nullopt when the data is not an ELF file whose header fits.
std::optional<ElfInfo> parse_elf(std::span<const uint8_t> data, bool is_process);

}  // namespace vigie::mod::elf
