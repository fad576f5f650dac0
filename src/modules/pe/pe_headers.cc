// PE headers: DOS header -> "PE\0\0" -> file header -> optional header -> data directories ->
// section table, and the address arithmetic built on them (RVA to file offset, overlay,
// checksum).
//
// A file is a PE when the MZ and PE signatures are present and the file header plus the fixed
// part of the optional header (PE32 or PE32+ by its magic) lie inside the data. Everything
// after that is optional: a directory or section table cut by the end of the file is read as
// far as it goes.
//
// RVA to offset follows the loader's view rather than the section table's claims: the section
// that holds an RVA is the last one, in table order, with the greatest virtual address not above
// it; its raw pointer is rounded down to the file alignment (capped at 0x200, as the loader
// ignores larger alignments for this rounding); RVAs below the first section map to the
// headers one to one. An RVA whose byte lies past the section's raw data or past the end of the
// file has no offset.
#include <algorithm>

#include "modules/pe/pe_file.h"

namespace vigie::pe {
namespace {

constexpr uint64_t kFileHeaderSize = 20;
constexpr uint64_t kSectionHeaderSize = 40;
constexpr uint64_t kSymbolSize = 18;

}  // namespace

bool parse_headers(std::span<const uint8_t> data, PeFile* pe) {
  Reader r(data);
  pe->data = data;
  uint16_t mz = 0;
  uint32_t lfanew = 0;
  if (!r.u16(0, &mz) || mz != 0x5a4d || !r.u32(0x3c, &lfanew)) return false;
  uint32_t sig = 0;
  if (!r.u32(lfanew, &sig) || sig != 0x00004550) return false;
  pe->nt_offset = lfanew;
  const uint8_t* fh = r.at(uint64_t{lfanew} + 4, kFileHeaderSize);
  if (!fh) return false;
  pe->machine = le16(fh);
  pe->number_of_sections = le16(fh + 2);
  pe->timestamp = le32(fh + 4);
  pe->pointer_to_symbol_table = le32(fh + 8);
  pe->number_of_symbols = le32(fh + 12);
  pe->size_of_optional_header = le16(fh + 16);
  pe->characteristics = le16(fh + 18);

  uint64_t oh_off = uint64_t{lfanew} + 4 + kFileHeaderSize;
  uint16_t magic = 0;
  if (!r.u16(oh_off, &magic)) return false;
  pe->is_64 = magic == kMagicPe64;
  // Fixed part of the optional header, before the data directories.
  const uint64_t fixed = pe->is_64 ? 112 : 96;
  const uint8_t* oh = r.at(oh_off, fixed);
  if (!oh) return false;
  pe->opthdr_magic = magic;
  pe->major_linker_version = oh[2];
  pe->minor_linker_version = oh[3];
  pe->size_of_code = le32(oh + 4);
  pe->size_of_initialized_data = le32(oh + 8);
  pe->size_of_uninitialized_data = le32(oh + 12);
  pe->entry_point_rva = le32(oh + 16);
  pe->base_of_code = le32(oh + 20);
  if (pe->is_64) {
    pe->image_base = le64(oh + 24);
  } else {
    pe->base_of_data = le32(oh + 24);
    pe->image_base = le32(oh + 28);
  }
  pe->section_alignment = le32(oh + 32);
  pe->file_alignment = le32(oh + 36);
  pe->major_os_version = le16(oh + 40);
  pe->minor_os_version = le16(oh + 42);
  pe->major_image_version = le16(oh + 44);
  pe->minor_image_version = le16(oh + 46);
  pe->major_subsystem_version = le16(oh + 48);
  pe->minor_subsystem_version = le16(oh + 50);
  pe->win32_version_value = le32(oh + 52);
  pe->size_of_image = le32(oh + 56);
  pe->size_of_headers = le32(oh + 60);
  pe->checksum = le32(oh + 64);
  pe->checksum_offset = oh_off + 64;
  pe->subsystem = le16(oh + 68);
  pe->dll_characteristics = le16(oh + 70);
  if (pe->is_64) {
    pe->size_of_stack_reserve = le64(oh + 72);
    pe->size_of_stack_commit = le64(oh + 80);
    pe->size_of_heap_reserve = le64(oh + 88);
    pe->size_of_heap_commit = le64(oh + 96);
    pe->loader_flags = le32(oh + 104);
    pe->number_of_rva_and_sizes = le32(oh + 108);
  } else {
    pe->size_of_stack_reserve = le32(oh + 72);
    pe->size_of_stack_commit = le32(oh + 76);
    pe->size_of_heap_reserve = le32(oh + 80);
    pe->size_of_heap_commit = le32(oh + 84);
    pe->loader_flags = le32(oh + 88);
    pe->number_of_rva_and_sizes = le32(oh + 92);
  }
  uint32_t ndirs = std::min<uint32_t>(pe->number_of_rva_and_sizes, 16);
  for (uint32_t i = 0; i < ndirs; ++i) {
    const uint8_t* d = r.at(oh_off + fixed + 8ull * i, 8);
    if (!d) break;
    pe->data_directories.push_back({le32(d), le32(d + 4)});
  }

  uint64_t sec_off = oh_off + pe->size_of_optional_header;
  uint32_t nsec = std::min<uint32_t>(pe->number_of_sections, kMaxSections);
  uint64_t strtab =
      uint64_t{pe->pointer_to_symbol_table} + uint64_t{pe->number_of_symbols} * kSymbolSize;
  for (uint32_t i = 0; i < nsec; ++i) {
    const uint8_t* s = r.at(sec_off + kSectionHeaderSize * i, kSectionHeaderSize);
    if (!s) break;
    Section sec;
    sec.name.assign(reinterpret_cast<const char*>(s), strnlen(reinterpret_cast<const char*>(s), 8));
    sec.full_name = sec.name;
    if (sec.name.size() > 1 && sec.name[0] == '/' && pe->pointer_to_symbol_table != 0) {
      uint64_t index = 0;
      bool digits = true;
      for (size_t k = 1; k < sec.name.size(); ++k) {
        char c = sec.name[k];
        if (c < '0' || c > '9') {
          digits = false;
          break;
        }
        index = index * 10 + static_cast<uint64_t>(c - '0');
      }
      std::string longname;
      if (digits && r.terminated_cstring(strtab + index, kMaxNameLength, &longname)) {
        sec.full_name = std::move(longname);
      }
    }
    sec.virtual_size = le32(s + 8);
    sec.virtual_address = le32(s + 12);
    sec.raw_data_size = le32(s + 16);
    sec.raw_data_offset = le32(s + 20);
    sec.pointer_to_relocations = le32(s + 24);
    sec.pointer_to_line_numbers = le32(s + 28);
    sec.number_of_relocations = le16(s + 32);
    sec.number_of_line_numbers = le16(s + 34);
    sec.characteristics = le32(s + 36);
    pe->sections.push_back(std::move(sec));
  }

  // The overlay starts after the section whose raw data ends last.
  uint64_t last_end = 0;
  for (const Section& s : pe->sections) {
    uint64_t end = uint64_t{s.raw_data_offset} + s.raw_data_size;
    if (s.raw_data_size != 0 && end <= data.size()) last_end = std::max(last_end, end);
  }
  if (last_end != 0 && last_end < data.size()) {
    pe->overlay_offset = last_end;
    pe->overlay_size = data.size() - last_end;
  }
  return true;
}

std::optional<uint64_t> PeFile::rva_to_offset(uint64_t rva) const {
  if (sections.empty()) {
    if (rva < data.size()) return rva;
    return std::nullopt;
  }
  uint64_t lowest = UINT64_MAX;
  const Section* holder = nullptr;
  for (const Section& s : sections) {
    lowest = std::min<uint64_t>(lowest, s.virtual_address);
    if (rva >= s.virtual_address && (!holder || holder->virtual_address <= s.virtual_address)) {
      holder = &s;
    }
  }
  if (rva < lowest || !holder) {
    if (rva < data.size()) return rva;
    return std::nullopt;
  }
  uint64_t raw = holder->raw_data_offset;
  uint64_t alignment = std::min<uint32_t>(file_alignment, 0x200);
  if (alignment) raw -= raw % alignment;
  uint64_t delta = rva - holder->virtual_address;
  if (delta >= holder->raw_data_size) return std::nullopt;
  uint64_t off = raw + delta;
  if (off >= data.size()) return std::nullopt;
  return off;
}

uint32_t calculate_checksum(const PeFile& pe) {
  uint64_t sum = 0;
  const uint64_t n = pe.data.size();
  for (uint64_t i = 0; i < n; i += 2) {
    if (i == pe.checksum_offset || i == pe.checksum_offset + 2) continue;
    uint32_t word = pe.data[i];
    if (i + 1 < n) word |= static_cast<uint32_t>(pe.data[i + 1]) << 8;
    sum += word;
    sum = (sum & 0xffff) + (sum >> 16);
  }
  sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint32_t>(sum + n);
}

std::optional<PeFile> parse_pe(std::span<const uint8_t> data) {
  PeFile pe;
  if (!parse_headers(data, &pe)) return std::nullopt;
  parse_imports(&pe);
  parse_delayed_imports(&pe);
  parse_exports(&pe);
  parse_resources(&pe);
  parse_rich_signature(&pe);
  parse_debug(&pe);
  return pe;
}

}  // namespace vigie::pe
