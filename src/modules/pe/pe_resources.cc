// Resources and version information.
//
// The resource directory is a tree of three levels, type -> name -> language, whose leaves are
// data entries (RVA, size). Every level names its entries by integer id or by a counted UTF-16
// string. The tree is walked with an explicit stack bounded to three levels, and the number of
// entries visited has a total budget, so a directory that points back at itself cannot loop.
// Only offsets inside the data are followed; a leaf whose RVA has no file offset is still
// listed (its offset is unset), as its type, name and language are meaningful.
//
// A leaf of type RT_VERSION (16) holds a VS_VERSIONINFO block: a tree of length-prefixed,
// 4-byte-aligned nodes (length, value length, type, UTF-16 key, value, children). The strings
// of its StringFileInfo -> StringTable -> String nodes are the version information. Keys and
// values are narrowed from UTF-16 by keeping the low byte of each code unit.
#include <algorithm>

#include "modules/pe/pe_file.h"

namespace vigie::pe {
namespace {

constexpr uint32_t kDirResource = 2;
constexpr uint32_t kTypeVersion = 16;
constexpr size_t kMaxVersionKey = 63;
constexpr size_t kMaxVersionValue = 255;

uint64_t align4(uint64_t x) { return (x + 3) & ~uint64_t{3}; }

// Narrow UTF-16LE string at `offset`, NUL-terminated, within [offset, end), at most `max`
// chars. Reads at most max + 1 code units: a longer string is cut, and `after` is then `end`, so
// that a block without terminator costs no more than its bounded key.
std::string narrow(const Reader& r, uint64_t offset, uint64_t end, size_t max, uint64_t* after) {
  std::string out;
  uint64_t p = offset;
  uint16_t unit = 0;
  bool terminated = false;
  while (p + 2 <= end && out.size() <= max && r.u16(p, &unit)) {
    p += 2;
    if (unit == 0) {
      terminated = true;
      break;
    }
    out += static_cast<char>(unit & 0xff);
  }
  if (out.size() > max) out.resize(max);
  if (after) *after = terminated ? p : end;
  return out;
}

struct Block {
  uint64_t offset = 0;
  uint16_t length = 0;
  uint16_t value_length = 0;
  std::string key;
  uint64_t value_offset = 0;  // 4-aligned, after the key
  uint64_t end = 0;
};

bool read_block(const Reader& r, uint64_t offset, uint64_t limit, Block* b) {
  const uint8_t* h = r.at(offset, 6);
  if (!h) return false;
  b->offset = offset;
  b->length = le16(h);
  b->value_length = le16(h + 2);
  if (b->length < 6) return false;
  b->end = std::min<uint64_t>(offset + b->length, limit);
  uint64_t after = 0;
  b->key = narrow(r, offset + 6, b->end, kMaxVersionValue, &after);
  b->value_offset = align4(after);
  return true;
}

}  // namespace

void parse_version_info(PeFile* pe, uint64_t offset, uint32_t length) {
  // Many RT_VERSION resources may point at the same bytes: parse a bounded number of them.
  if (++pe->version_info_parses > kMaxVersionInfoParses) return;
  Reader r(pe->data);
  uint64_t limit = std::min<uint64_t>(offset + length, r.size());
  Block root;
  if (!read_block(r, offset, limit, &root) || root.key != "VS_VERSION_INFO") return;
  uint64_t child = align4(root.value_offset + root.value_length);
  uint32_t budget = kMaxVersionInfos * 4;
  // Three levels: StringFileInfo, StringTable, String.
  while (child < root.end && budget-- > 0) {
    Block sfi;
    if (!read_block(r, child, root.end, &sfi)) break;
    if (sfi.key == "StringFileInfo") {
      uint64_t table = align4(sfi.value_offset + sfi.value_length);
      while (table < sfi.end && budget-- > 0) {
        Block st;
        if (!read_block(r, table, sfi.end, &st)) break;
        uint64_t str = st.value_offset;
        while (str < st.end && budget-- > 0) {
          Block s;
          if (!read_block(r, str, st.end, &s)) break;
          std::string key = s.key.substr(0, kMaxVersionKey);
          std::string value = narrow(r, s.value_offset, s.end, kMaxVersionValue, nullptr);
          if (pe->version_info.size() < kMaxVersionInfos) {
            pe->version_info.emplace_back(std::move(key), std::move(value));
          }
          str = align4(str + s.length);
        }
        table = align4(table + st.length);
      }
    }
    child = align4(child + sfi.length);
  }
}

void parse_resources(PeFile* pe) {
  const DataDirectory* dir = pe->directory(kDirResource);
  if (!dir || dir->virtual_address == 0) return;
  std::optional<uint64_t> base = pe->rva_to_offset(dir->virtual_address);
  if (!base) return;
  Reader r(pe->data);
  const uint8_t* root = r.at(*base, 16);
  if (!root) return;
  pe->has_resources = true;
  pe->resource_timestamp = le32(root + 4);
  pe->resource_major = le16(root + 8);
  pe->resource_minor = le16(root + 10);

  struct Level {
    uint64_t entries = 0;  // offset of the first entry
    uint32_t count = 0;
    uint32_t next = 0;
  };
  struct Name {
    std::optional<uint32_t> id;
    std::optional<std::string> str;
  };
  Level stack[3];
  Name path[3];
  int depth = 0;
  stack[0] = {*base + 16, std::min<uint32_t>(uint32_t{le16(root + 12)} + le16(root + 14),
                                             kMaxResourceDirEntries)};
  uint32_t budget = kMaxResources * 4;
  while (depth >= 0 && budget > 0) {
    Level& lv = stack[depth];
    if (lv.next >= lv.count) {
      --depth;
      continue;
    }
    --budget;
    const uint8_t* e = r.at(lv.entries + 8ull * lv.next++, 8);
    if (!e) {
      lv.next = lv.count;
      continue;
    }
    uint32_t name = le32(e);
    uint32_t target = le32(e + 4);
    Name n;
    if (name & 0x80000000u) {
      uint64_t soff = *base + (name & 0x7fffffffu);
      uint16_t len = 0;
      const uint8_t* chars = r.u16(soff, &len) ? r.at(soff + 2, uint64_t{len} * 2) : nullptr;
      // Names are short in practice; a cap keeps thousands of entries from costing gigabytes.
      uint64_t bytes = std::min<uint64_t>(uint64_t{len} * 2, kMaxResourceNameBytes);
      if (chars) n.str = std::string(reinterpret_cast<const char*>(chars), bytes);
    } else {
      n.id = name;
    }
    path[depth] = std::move(n);
    if (target & 0x80000000u) {
      if (depth >= 2) continue;
      uint64_t sub = *base + (target & 0x7fffffffu);
      const uint8_t* sd = r.at(sub, 16);
      if (!sd) continue;
      ++depth;
      stack[depth] = {sub + 16, std::min<uint32_t>(uint32_t{le16(sd + 12)} + le16(sd + 14),
                                                   kMaxResourceDirEntries)};
      continue;
    }
    const uint8_t* data = r.at(*base + target, 16);
    if (!data || pe->resources.size() >= kMaxResources) continue;
    Resource res;
    res.rva = le32(data);
    res.length = le32(data + 4);
    res.offset = pe->rva_to_offset(res.rva);
    res.type = path[0].id;
    res.type_string = path[0].str;
    if (depth >= 1) {
      res.id = path[1].id;
      res.name_string = path[1].str;
    }
    if (depth >= 2) {
      res.language = path[2].id;
      res.language_string = path[2].str;
    }
    if (res.type && *res.type == kTypeVersion && res.offset) {
      parse_version_info(pe, *res.offset, res.length);
    }
    pe->resources.push_back(std::move(res));
  }
}

}  // namespace vigie::pe
