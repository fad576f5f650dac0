// A read-only, bounds-checked view of an ELF file (32/64-bit, little/big-endian).
//
// ElfImage::open() validates the identification bytes and that the file header fits; every other
// structure is read on demand through accessors that check its offset and size against the data
// and return false when they do not fit. Nothing here allocates or throws, so the view is safe
// on hostile input and cheap to build when a rule only needs one field.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace vigie::mod::elf {

struct FileHeader {
  bool is64 = false;
  bool big_endian = false;
  uint16_t type = 0;
  uint16_t machine = 0;
  uint64_t entry = 0;
  uint64_t ph_offset = 0;
  uint64_t sh_offset = 0;
  uint32_t flags = 0;
  uint16_t ph_entry_size = 0;
  uint16_t ph_count = 0;
  uint16_t sh_entry_size = 0;
  uint16_t sh_count = 0;
  uint16_t sh_str_index = 0;
};

struct Segment {
  uint32_t type = 0;
  uint32_t flags = 0;
  uint64_t offset = 0;
  uint64_t virtual_address = 0;
  uint64_t physical_address = 0;
  uint64_t file_size = 0;
  uint64_t memory_size = 0;
  uint64_t alignment = 0;
};

struct Section {
  uint32_t name = 0;
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t address = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t link = 0;
  uint32_t info = 0;
  uint64_t alignment = 0;
  uint64_t entry_size = 0;
};

struct Symbol {
  uint32_t name = 0;
  uint64_t value = 0;
  uint64_t size = 0;
  uint8_t info = 0;
  uint8_t other = 0;
  uint16_t shndx = 0;
};

struct DynamicEntry {
  int64_t tag = 0;
  uint64_t value = 0;
};

constexpr uint16_t kEtExec = 2;
constexpr uint32_t kShtNull = 0;
constexpr uint32_t kShtSymtab = 2;
constexpr uint32_t kShtStrtab = 3;
constexpr uint32_t kShtDynamic = 6;
constexpr uint32_t kShtNobits = 8;
constexpr uint32_t kShtDynsym = 11;
constexpr uint32_t kPtDynamic = 2;

class ElfImage {
 public:
  // The view, or nullopt when data is not an ELF file whose header fits. `little_endian_only`
  // reads every file as little-endian whatever its EI_DATA byte says, as YARA's `entrypoint`
  // keyword does.
  static std::optional<ElfImage> open(std::span<const uint8_t> data,
                                      bool little_endian_only = false);

  const FileHeader& header() const { return h_; }
  std::span<const uint8_t> data() const { return data_; }

  // Size in bytes of one entry as the format defines it (the header's entry sizes are ignored,
  // as YARA does).
  size_t segment_entry_size() const { return h_.is64 ? 56 : 32; }
  size_t section_entry_size() const { return h_.is64 ? 64 : 40; }
  size_t symbol_entry_size() const { return h_.is64 ? 24 : 16; }
  size_t dynamic_entry_size() const { return h_.is64 ? 16 : 8; }

  // True when the whole program (section) header table lies inside the data.
  bool segment_table_fits() const;
  bool section_table_fits() const;
  // Entry i of the table; false when it does not lie inside the data.
  bool segment(size_t i, Segment* out) const;
  bool section(size_t i, Section* out) const;
  // Entry i of a symbol table / dynamic table starting at `offset`.
  bool symbol(uint64_t offset, size_t i, Symbol* out) const;
  bool dynamic_entry(uint64_t offset, size_t i, DynamicEntry* out) const;

  // True when [offset, offset + size) lies inside the data.
  bool fits(uint64_t offset, uint64_t size) const {
    return offset <= data_.size() && size <= data_.size() - offset;
  }
  // The NUL-terminated string at table_offset + index, bounded by the table and the data; false
  // when the start lies outside or no NUL ends it inside.
  bool string_at(uint64_t table_offset, uint64_t table_size, uint64_t index,
                 std::string_view* out) const;

  // File offset of a virtual address, as YARA computes it for `entrypoint` and elf.entry_point:
  // through the program headers for executables (ET_EXEC), through the sections (other than
  // SHT_NULL and SHT_NOBITS) for every other type. nullopt when nothing maps it.
  std::optional<uint64_t> rva_to_offset(uint64_t rva) const;

  uint16_t u16(uint64_t off) const;
  uint32_t u32(uint64_t off) const;
  uint64_t u64(uint64_t off) const;
  // An address-sized field: 4 bytes in 32-bit files, 8 in 64-bit ones.
  uint64_t word(uint64_t off) const { return h_.is64 ? u64(off) : u32(off); }

 private:
  std::span<const uint8_t> data_;
  FileHeader h_;
};

}  // namespace vigie::mod::elf
