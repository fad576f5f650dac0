// Field decoding for ElfImage. The raw readers (u16/u32/u64) are only called on ranges that the
// caller has checked with fits(); they assemble bytes one by one, so alignment and host byte
// order do not matter.
#include "modules/elf/elf_image.h"

namespace vigie::mod::elf {

uint16_t ElfImage::u16(uint64_t off) const {
  const uint8_t* p = data_.data() + off;
  return h_.big_endian ? static_cast<uint16_t>(p[0] << 8 | p[1])
                       : static_cast<uint16_t>(p[1] << 8 | p[0]);
}

uint32_t ElfImage::u32(uint64_t off) const {
  const uint8_t* p = data_.data() + off;
  uint32_t v = 0;
  for (int k = 0; k < 4; ++k) v |= static_cast<uint32_t>(p[h_.big_endian ? 3 - k : k]) << (8 * k);
  return v;
}

uint64_t ElfImage::u64(uint64_t off) const {
  const uint8_t* p = data_.data() + off;
  uint64_t v = 0;
  for (int k = 0; k < 8; ++k) v |= static_cast<uint64_t>(p[h_.big_endian ? 7 - k : k]) << (8 * k);
  return v;
}

std::optional<ElfImage> ElfImage::open(std::span<const uint8_t> data, bool little_endian_only) {
  if (data.size() < 16 || data[0] != 0x7f || data[1] != 'E' || data[2] != 'L' || data[3] != 'F') {
    return std::nullopt;
  }
  ElfImage img;
  img.data_ = data;
  FileHeader& h = img.h_;
  if (data[4] == 1) {
    h.is64 = false;
  } else if (data[4] == 2) {
    h.is64 = true;
  } else {
    return std::nullopt;
  }
  if (data[5] == 1) {
    h.big_endian = false;
  } else if (data[5] == 2) {
    h.big_endian = !little_endian_only;
  } else {
    return std::nullopt;
  }
  if (data.size() < (h.is64 ? 64u : 52u)) return std::nullopt;
  h.type = img.u16(16);
  h.machine = img.u16(18);
  if (h.is64) {
    h.entry = img.u64(24);
    h.ph_offset = img.u64(32);
    h.sh_offset = img.u64(40);
    h.flags = img.u32(48);
    h.ph_entry_size = img.u16(54);
    h.ph_count = img.u16(56);
    h.sh_entry_size = img.u16(58);
    h.sh_count = img.u16(60);
    h.sh_str_index = img.u16(62);
  } else {
    h.entry = img.u32(24);
    h.ph_offset = img.u32(28);
    h.sh_offset = img.u32(32);
    h.flags = img.u32(36);
    h.ph_entry_size = img.u16(42);
    h.ph_count = img.u16(44);
    h.sh_entry_size = img.u16(46);
    h.sh_count = img.u16(48);
    h.sh_str_index = img.u16(50);
  }
  return img;
}

bool ElfImage::segment_table_fits() const {
  return h_.ph_offset != 0 && fits(h_.ph_offset, uint64_t{h_.ph_count} * segment_entry_size());
}

bool ElfImage::section_table_fits() const {
  return h_.sh_offset != 0 && fits(h_.sh_offset, uint64_t{h_.sh_count} * section_entry_size());
}

bool ElfImage::segment(size_t i, Segment* s) const {
  uint64_t size = segment_entry_size();
  if (i >= h_.ph_count || h_.ph_offset > data_.size()) return false;
  uint64_t off = h_.ph_offset + i * size;
  if (!fits(off, size)) return false;
  s->type = u32(off);
  if (h_.is64) {
    s->flags = u32(off + 4);
    s->offset = u64(off + 8);
    s->virtual_address = u64(off + 16);
    s->physical_address = u64(off + 24);
    s->file_size = u64(off + 32);
    s->memory_size = u64(off + 40);
    s->alignment = u64(off + 48);
  } else {
    s->offset = u32(off + 4);
    s->virtual_address = u32(off + 8);
    s->physical_address = u32(off + 12);
    s->file_size = u32(off + 16);
    s->memory_size = u32(off + 20);
    s->flags = u32(off + 24);
    s->alignment = u32(off + 28);
  }
  return true;
}

bool ElfImage::section(size_t i, Section* s) const {
  uint64_t size = section_entry_size();
  if (i >= h_.sh_count || h_.sh_offset > data_.size()) return false;
  uint64_t off = h_.sh_offset + i * size;
  if (!fits(off, size)) return false;
  s->name = u32(off);
  s->type = u32(off + 4);
  s->flags = word(off + 8);
  if (h_.is64) {
    s->address = u64(off + 16);
    s->offset = u64(off + 24);
    s->size = u64(off + 32);
    s->link = u32(off + 40);
    s->info = u32(off + 44);
    s->alignment = u64(off + 48);
    s->entry_size = u64(off + 56);
  } else {
    s->address = u32(off + 12);
    s->offset = u32(off + 16);
    s->size = u32(off + 20);
    s->link = u32(off + 24);
    s->info = u32(off + 28);
    s->alignment = u32(off + 32);
    s->entry_size = u32(off + 36);
  }
  return true;
}

bool ElfImage::symbol(uint64_t offset, size_t i, Symbol* s) const {
  uint64_t size = symbol_entry_size();
  if (offset > data_.size() || i > data_.size() / size) return false;
  uint64_t off = offset + i * size;
  if (!fits(off, size)) return false;
  s->name = u32(off);
  if (h_.is64) {
    s->info = data_[off + 4];
    s->other = data_[off + 5];
    s->shndx = u16(off + 6);
    s->value = u64(off + 8);
    s->size = u64(off + 16);
  } else {
    s->value = u32(off + 4);
    s->size = u32(off + 8);
    s->info = data_[off + 12];
    s->other = data_[off + 13];
    s->shndx = u16(off + 14);
  }
  return true;
}

bool ElfImage::dynamic_entry(uint64_t offset, size_t i, DynamicEntry* d) const {
  uint64_t size = dynamic_entry_size();
  if (offset > data_.size() || i > data_.size() / size) return false;
  uint64_t off = offset + i * size;
  if (!fits(off, size)) return false;
  if (h_.is64) {
    d->tag = static_cast<int64_t>(u64(off));
    d->value = u64(off + 8);
  } else {
    d->tag = static_cast<int32_t>(u32(off));
    d->value = u32(off + 4);
  }
  return true;
}

bool ElfImage::string_at(uint64_t table_offset, uint64_t table_size, uint64_t index,
                         std::string_view* out) const {
  if (table_offset > data_.size() || index >= table_size) return false;
  uint64_t end =
      table_size > data_.size() - table_offset ? data_.size() : table_offset + table_size;
  uint64_t start = table_offset + index;
  if (start >= end) return false;
  const char* p = reinterpret_cast<const char*>(data_.data()) + start;
  for (uint64_t k = 0; k < end - start; ++k) {
    if (p[k] == '\0') {
      *out = std::string_view(p, k);
      return true;
    }
  }
  return false;
}

std::optional<uint64_t> ElfImage::rva_to_offset(uint64_t rva) const {
  if (h_.type == kEtExec) {
    if (!segment_table_fits()) return std::nullopt;
    Segment s;
    for (size_t i = 0; i < h_.ph_count && segment(i, &s); ++i) {
      if (rva >= s.virtual_address && rva - s.virtual_address < s.memory_size) {
        return s.offset + (rva - s.virtual_address);
      }
    }
    return std::nullopt;
  }
  if (!section_table_fits()) return std::nullopt;
  Section s;
  for (size_t i = 0; i < h_.sh_count && section(i, &s); ++i) {
    if (s.type == kShtNull || s.type == kShtNobits) continue;
    if (rva >= s.address && rva - s.address < s.size) return s.offset + (rva - s.address);
  }
  return std::nullopt;
}

}  // namespace vigie::mod::elf
