// The rich signature and the CodeView PDB path.
//
// Microsoft's linker leaves, between the DOS stub and the PE header, a record of the tools that
// built the file: "DanS", three padding dwords, then (compid, count) pairs, then "Rich" and a
// key; everything before "Rich" is XORed with the key. It is found by looking for "Rich" on a
// dword boundary before the PE header, then walking back to the dword that decodes to "DanS".
// A compid is (toolid << 16) | version.
//
// The PDB path comes from the first CodeView entry of the debug directory: "RSDS" (PDB 7.0,
// path after a GUID and an age) or "NB10" (PDB 2.0, path after offset, timestamp and age).
#include <algorithm>

#include "modules/pe/pe_file.h"

namespace vigie::pe {
namespace {

constexpr uint32_t kRich = 0x68636952;  // "Rich"
constexpr uint32_t kDanS = 0x536e6144;  // "DanS"
constexpr uint32_t kDirDebug = 6;
constexpr uint32_t kDebugTypeCodeView = 2;
constexpr uint32_t kRsds = 0x53445352;  // "RSDS"
constexpr uint32_t kNb10 = 0x3031424e;  // "NB10"
constexpr size_t kMaxPdbPath = 260;     // MAX_PATH

}  // namespace

void parse_rich_signature(PeFile* pe) {
  Reader r(pe->data);
  const uint64_t start = 0x40;
  const uint64_t end = std::min<uint64_t>(pe->nt_offset, r.size());
  uint64_t rich = 0;
  bool found = false;
  for (uint64_t p = start; p + 8 <= end; p += 4) {
    uint32_t v = 0;
    if (r.u32(p, &v) && v == kRich) {
      rich = p;
      found = true;
      break;
    }
  }
  if (!found) return;
  uint32_t key = 0;
  r.u32(rich + 4, &key);
  uint64_t dans = 0;
  found = false;
  for (uint64_t p = rich; p >= start + 4;) {
    p -= 4;
    uint32_t v = 0;
    if (r.u32(p, &v) && (v ^ key) == kDanS) {
      dans = p;
      found = true;
      break;
    }
  }
  if (!found) return;
  RichSignature rs;
  rs.offset = dans;
  rs.length = rich - dans;
  rs.key = key;
  const uint8_t* raw = r.at(dans, rs.length);
  rs.raw_data.assign(reinterpret_cast<const char*>(raw), rs.length);
  rs.clear_data = rs.raw_data;
  for (uint64_t i = 0; i + 4 <= rs.length; i += 4) {
    for (int b = 0; b < 4; ++b) rs.clear_data[i + b] ^= static_cast<char>((key >> (8 * b)) & 0xff);
  }
  if (rs.length > 16) rs.version_data = rs.clear_data.substr(16);
  const uint8_t* clear = reinterpret_cast<const uint8_t*>(rs.clear_data.data());
  for (uint64_t i = 16; i + 8 <= rs.length; i += 8) {
    uint32_t compid = le32(clear + i);
    RichEntry e;
    e.toolid = static_cast<uint16_t>(compid >> 16);
    e.version = static_cast<uint16_t>(compid & 0xffff);
    e.count = le32(clear + i + 4);
    rs.entries.push_back(e);
  }
  pe->rich = std::move(rs);
}

void parse_debug(PeFile* pe) {
  const DataDirectory* dir = pe->directory(kDirDebug);
  if (!dir || dir->virtual_address == 0) return;
  std::optional<uint64_t> off = pe->rva_to_offset(dir->virtual_address);
  if (!off) return;
  Reader r(pe->data);
  uint32_t count = std::min<uint32_t>(dir->size / 28, kMaxDebugEntries);
  for (uint32_t i = 0; i < count; ++i) {
    const uint8_t* e = r.at(*off + 28ull * i, 28);
    if (!e) break;
    if (le32(e + 12) != kDebugTypeCodeView) continue;
    uint32_t address = le32(e + 20);
    uint64_t pointer = le32(e + 24);
    std::optional<uint64_t> cv = address ? pe->rva_to_offset(address) : std::nullopt;
    if (!cv) cv = pointer;
    uint32_t sig = 0;
    if (!r.u32(*cv, &sig)) continue;
    uint64_t header = sig == kRsds ? 24 : sig == kNb10 ? 16 : 0;
    if (header == 0) continue;
    // The path is bounded by MAX_PATH and the file, not by SizeOfData, which linkers may round.
    std::string path;
    if (r.terminated_cstring(*cv + header, kMaxPdbPath, &path) && !path.empty()) {
      pe->pdb_path = std::move(path);
      return;
    }
  }
}

}  // namespace vigie::pe
