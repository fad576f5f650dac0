// The export directory: a table of function RVAs indexed by (ordinal - Base), and two parallel
// tables, names and name ordinals, that give some of those functions a name. An RVA that points
// inside the export directory itself is not code but a forwarder string ("DLL.Function").
//
// The name tables are read once into an index from function slot to name, so the cost is linear
// in the table sizes, both capped by kMaxExports. Every slot of the function table is an export,
// an unused one (RVA 0) too, as yara lists them: ordinal Base + slot, offset 0.
#include <algorithm>

#include "modules/pe/pe_file.h"

namespace vigie::pe {
namespace {
constexpr uint32_t kDirExport = 0;
}  // namespace

void parse_exports(PeFile* pe) {
  const DataDirectory* dir = pe->directory(kDirExport);
  if (!dir || dir->virtual_address == 0) return;
  std::optional<uint64_t> off = pe->rva_to_offset(dir->virtual_address);
  if (!off) return;
  Reader r(pe->data);
  const uint8_t* d = r.at(*off, 40);
  if (!d) return;
  pe->has_exports = true;
  pe->export_timestamp = le32(d + 4);
  uint32_t name_rva = le32(d + 12);
  uint32_t base = le32(d + 16);
  uint32_t nfunctions = std::min<uint32_t>(le32(d + 20), kMaxExports);
  uint32_t nnames = std::min<uint32_t>(le32(d + 24), kMaxExports);
  uint32_t functions_rva = le32(d + 28);
  uint32_t names_rva = le32(d + 32);
  uint32_t ordinals_rva = le32(d + 36);

  if (std::optional<uint64_t> n = pe->rva_to_offset(name_rva)) {
    std::string name;
    if (r.cstring(*n, kMaxNameLength, &name)) pe->dll_name = std::move(name);
  }

  std::optional<uint64_t> functions = pe->rva_to_offset(functions_rva);
  if (!functions) return;
  std::vector<std::optional<std::string>> names(nfunctions);
  std::optional<uint64_t> name_table = pe->rva_to_offset(names_rva);
  std::optional<uint64_t> ordinal_table = pe->rva_to_offset(ordinals_rva);
  if (name_table && ordinal_table) {
    for (uint32_t i = 0; i < nnames; ++i) {
      uint32_t nrva = 0;
      uint16_t slot = 0;
      if (!r.u32(*name_table + 4ull * i, &nrva) || !r.u16(*ordinal_table + 2ull * i, &slot)) {
        break;
      }
      if (slot >= nfunctions || names[slot]) continue;
      std::optional<uint64_t> noff = pe->rva_to_offset(nrva);
      std::string name;
      // A name outside the file means the table is damaged: none of the exports is trusted.
      if (!noff || !r.cstring(*noff, kMaxNameLength, &name)) return;
      names[slot] = std::move(name);
    }
  }

  uint64_t dir_begin = dir->virtual_address;
  uint64_t dir_end = dir_begin + dir->size;
  for (uint32_t i = 0; i < nfunctions; ++i) {
    uint32_t rva = 0;
    if (!r.u32(*functions + 4ull * i, &rva)) break;
    Export e;
    e.ordinal = base + i;
    e.rva = rva;
    e.name = std::move(names[i]);
    // An RVA inside the export directory names a forwarder string; when that string cannot be
    // read the entry is taken as code, whose offset may then be missing.
    if (rva >= dir_begin && rva < dir_end) {
      std::optional<uint64_t> foff = pe->rva_to_offset(rva);
      std::string fwd;
      if (foff && r.cstring(*foff, kMaxNameLength, &fwd)) e.forward_name = std::move(fwd);
    }
    if (!e.forward_name) e.offset = pe->rva_to_offset(rva);
    pe->exports.push_back(std::move(e));
  }
}

}  // namespace vigie::pe
