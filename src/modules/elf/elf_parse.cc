// Reading an ELF file the way YARA's elf module reads it, on untrusted input.
//
// Which parts count, as YARA decides:
//   - sections are read only when the section-name table index is below e_shnum and the whole
//     section table lies in the data; names come from that string table and are undefined when
//     their start lies outside the data;
//   - segments are read only when the whole program header table lies in the data; a PT_DYNAMIC
//     segment's entries are read from its file offset up to and including the first DT_NULL
//     entry, or the end of the data;
//   - a SHT_SYMTAB (SHT_DYNSYM) section whose sh_link names a SHT_STRTAB section gives the symbol
//     table (the last such section wins); the table is read only when both it and its string
//     table lie in the data; a symbol's name is undefined when its index is past the string
//     table, and is otherwise cut at a NUL or at the end of the string table.
// Entry sizes are those of the format, not the header's e_phentsize/e_shentsize, as YARA does.
// Beyond the kMax* caps entries are dropped; a count then reports what was kept.
#include "modules/elf/elf_parse.h"

#include <cstring>

namespace vigie::mod::elf {
namespace {

// A NUL-terminated string starting at `start`, cut at `end` (both inside the data).
std::string c_string(std::span<const uint8_t> data, uint64_t start, uint64_t end) {
  const uint8_t* p = data.data() + start;
  size_t max = static_cast<size_t>(end - start);
  const void* nul = std::memchr(p, 0, max);
  size_t n = nul != nullptr ? static_cast<size_t>(static_cast<const uint8_t*>(nul) - p) : max;
  return std::string(reinterpret_cast<const char*>(p), n);
}

void read_sections(const ElfImage& img, ElfInfo& info) {
  const FileHeader& h = img.header();
  if (h.sh_str_index >= h.sh_count || !img.section_table_fits()) return;
  info.sections_read = true;
  Section names;
  bool have_names = img.section(h.sh_str_index, &names) && names.offset < img.data().size();
  size_t count = h.sh_count < kMaxSections ? h.sh_count : kMaxSections;
  info.sections.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    SectionInfo s;
    if (!img.section(i, &s.header)) break;
    if (have_names && s.header.name < img.data().size() - names.offset) {
      s.name = c_string(img.data(), names.offset + s.header.name, img.data().size());
    }
    info.sections.push_back(std::move(s));
  }
}

void read_symbols(const ElfImage& img, const Section& table, const Section& strings,
                  std::optional<SymbolTable>& out) {
  if (!img.fits(table.offset, table.size) || !img.fits(strings.offset, strings.size)) return;
  SymbolTable t;
  uint64_t count = table.size / img.symbol_entry_size();
  if (count > kMaxSymbols) count = kMaxSymbols;
  t.symbols.reserve(static_cast<size_t>(count));
  for (uint64_t j = 0; j < count; ++j) {
    Symbol raw;
    if (!img.symbol(table.offset, static_cast<size_t>(j), &raw)) break;
    SymbolInfo s;
    if (raw.name < strings.size) {
      s.name = c_string(img.data(), strings.offset + raw.name, strings.offset + strings.size);
    }
    s.value = raw.value;
    s.size = raw.size;
    s.type = raw.info & 0xf;
    s.bind = raw.info >> 4;
    s.visibility = raw.other & 3;
    s.shndx = raw.shndx;
    t.symbols.push_back(std::move(s));
  }
  out = std::move(t);
}

void read_symbol_tables(const ElfImage& img, ElfInfo& info) {
  const Section* symtab = nullptr;
  const Section* symtab_strings = nullptr;
  const Section* dynsym = nullptr;
  const Section* dynsym_strings = nullptr;
  for (const SectionInfo& s : info.sections) {
    uint32_t type = s.header.type;
    if (type != kShtSymtab && type != kShtDynsym) continue;
    if (s.header.link >= info.sections.size()) continue;
    const Section& strings = info.sections[s.header.link].header;
    if (strings.type != kShtStrtab) continue;
    if (type == kShtSymtab) {
      symtab = &s.header;
      symtab_strings = &strings;
    } else {
      dynsym = &s.header;
      dynsym_strings = &strings;
    }
  }
  if (symtab != nullptr) read_symbols(img, *symtab, *symtab_strings, info.symtab);
  if (dynsym != nullptr) read_symbols(img, *dynsym, *dynsym_strings, info.dynsym);
}

void read_dynamic(const ElfImage& img, const Segment& segment, ElfInfo& info) {
  std::vector<DynamicInfo> entries;
  for (size_t j = 0; j < kMaxDynamicEntries; ++j) {
    DynamicEntry e;
    if (!img.dynamic_entry(segment.offset, j, &e)) break;
    entries.push_back({e.tag, e.value});
    if (e.tag == 0) break;
  }
  info.dynamic = std::move(entries);
}

void read_segments(const ElfImage& img, ElfInfo& info) {
  const FileHeader& h = img.header();
  if (h.ph_count == 0 || !img.segment_table_fits()) return;
  info.segments_read = true;
  size_t count = h.ph_count < kMaxSegments ? h.ph_count : kMaxSegments;
  info.segments.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    Segment s;
    if (!img.segment(i, &s)) break;
    info.segments.push_back(s);
    if (s.type == kPtDynamic) read_dynamic(img, s, info);
  }
}

}  // namespace

std::optional<ElfInfo> parse_elf(std::span<const uint8_t> data, bool is_process) {
  auto img = ElfImage::open(data);
  if (!img) return std::nullopt;
  ElfInfo info;
  info.header = img->header();
  // In process memory YARA reads only executables' headers (a mapped ET_DYN image is not
  // parsed), and reports e_entry as is (the caller adds the region's base, as YARA does).
  if (is_process && info.header.type != kEtExec) return std::nullopt;
  if (is_process) {
    info.entry_point = info.header.entry;
  } else if (info.header.entry != 0) {
    // YARA leaves elf.entry_point undefined for a zero e_entry (objects, most shared libraries)
    // even where the `entrypoint` keyword maps it.
    info.entry_point = img->rva_to_offset(info.header.entry);
  }
  read_sections(*img, info);
  read_symbol_tables(*img, info);
  read_segments(*img, info);
  return info;
}

}  // namespace vigie::mod::elf
