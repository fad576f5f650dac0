// CLI metadata parsing; see cli_metadata.h for the layout and the safety rules.
#include "modules/dotnet/cli_metadata.h"

#include <algorithm>
#include <bit>
#include <cstdio>

namespace vigie::dotnet {
namespace {

using vigie::pe::le16;
using vigie::pe::le32;
using vigie::pe::Reader;

constexpr uint32_t kDirComDescriptor = 14;
constexpr uint32_t kMetadataSignature = 0x424a5342;  // "BSJB"

// Column kinds: fixed sizes, heap indexes, table indexes, coded indexes.
enum Col : uint8_t {
  c2 = 1,
  c4,
  cStr,
  cGuid,
  cBlob,
  cIdx = 0x40,    // | table
  cCoded = 0x80,  // | coded index kind
};
constexpr uint8_t idx(TableId t) { return static_cast<uint8_t>(cIdx | static_cast<uint8_t>(t)); }
constexpr uint8_t coded(CodedIndex c) {
  return static_cast<uint8_t>(cCoded | static_cast<uint8_t>(c));
}

struct Schema {
  uint8_t cols[9];
  uint8_t n;
};

// Columns of each table, ECMA-335 II.22.
constexpr Schema kSchemas[kTableCount] = {
    {{c2, cStr, cGuid, cGuid, cGuid}, 5},                                       // Module
    {{coded(kResolutionScope), cStr, cStr}, 3},                                 // TypeRef
    {{c4, cStr, cStr, coded(kTypeDefOrRef), idx(kField), idx(kMethodDef)}, 6},  // TypeDef
    {{idx(kField)}, 1},                                                         // FieldPtr
    {{c2, cStr, cBlob}, 3},                                                     // Field
    {{idx(kMethodDef)}, 1},                                                     // MethodPtr
    {{c4, c2, c2, cStr, cBlob, idx(kParam)}, 6},                                // MethodDef
    {{idx(kParam)}, 1},                                                         // ParamPtr
    {{c2, c2, cStr}, 3},                                                        // Param
    {{idx(kTypeDef), coded(kTypeDefOrRef)}, 2},                                 // InterfaceImpl
    {{coded(kMemberRefParent), cStr, cBlob}, 3},                                // MemberRef
    {{c2, coded(kHasConstant), cBlob}, 3},  // Constant (type and padding: one 2-byte column)
    {{coded(kHasCustomAttribute), coded(kCustomAttributeType), cBlob}, 3},  // CustomAttr
    {{coded(kHasFieldMarshal), cBlob}, 2},                                  // FieldMarshal
    {{c2, coded(kHasDeclSecurity), cBlob}, 3},                              // DeclSecurity
    {{c2, c4, idx(kTypeDef)}, 3},                                           // ClassLayout
    {{c4, idx(kField)}, 2},                                                 // FieldLayout
    {{cBlob}, 1},                                                           // StandAloneSig
    {{idx(kTypeDef), idx(kEvent)}, 2},                                      // EventMap
    {{idx(kEvent)}, 1},                                                     // EventPtr
    {{c2, cStr, coded(kTypeDefOrRef)}, 3},                                  // Event
    {{idx(kTypeDef), idx(kProperty)}, 2},                                   // PropertyMap
    {{idx(kProperty)}, 1},                                                  // PropertyPtr
    {{c2, cStr, cBlob}, 3},                                                 // Property
    {{c2, idx(kMethodDef), coded(kHasSemantics)}, 3},                       // MethodSemant.
    {{idx(kTypeDef), coded(kMethodDefOrRef), coded(kMethodDefOrRef)}, 3},   // MethodImpl
    {{cStr}, 1},                                                            // ModuleRef
    {{cBlob}, 1},                                                           // TypeSpec
    {{c2, coded(kMemberForwarded), cStr, idx(kModuleRef)}, 4},              // ImplMap
    {{c4, idx(kField)}, 2},                                                 // FieldRVA
    {{c4, c4}, 2},                                                          // EncLog
    {{c4}, 1},                                                              // EncMap
    {{c4, c2, c2, c2, c2, c4, cBlob, cStr, cStr}, 9},                       // Assembly
    {{c4}, 1},                                                              // AssemblyProc.
    {{c4, c4, c4}, 3},                                                      // AssemblyOS
    {{c2, c2, c2, c2, c4, cBlob, cStr, cStr, cBlob}, 9},                    // AssemblyRef
    {{c4, idx(kAssemblyRef)}, 2},                                           // AsmRefProc.
    {{c4, c4, c4, idx(kAssemblyRef)}, 4},                                   // AsmRefOS
    {{c4, cStr, cBlob}, 3},                                                 // File
    {{c4, c4, cStr, cStr, coded(kImplementation)}, 5},                      // ExportedType
    {{c4, c4, cStr, coded(kImplementation)}, 4},                            // ManifestRes.
    {{idx(kTypeDef), idx(kTypeDef)}, 2},                                    // NestedClass
    {{c2, c2, coded(kTypeOrMethodDef), cStr}, 4},                           // GenericParam
    {{coded(kMethodDefOrRef), cBlob}, 2},                                   // MethodSpec
    {{idx(kGenericParam), coded(kTypeDefOrRef)}, 2},                        // GenParamCons.
};

constexpr uint8_t kNone = 0xff;
struct Coded {
  uint8_t bits;
  uint8_t tables[22];
  uint8_t n;
};

// Tables of each coded index, in tag order (kNone: tag not used).
constexpr Coded kCoded[kCodedIndexCount] = {
    {2, {kTypeDef, kTypeRef, kTypeSpec}, 3},
    {2, {kField, kParam, kProperty}, 3},
    {5,
     {kMethodDef,        kField,        kTypeRef,
      kTypeDef,          kParam,        kInterfaceImpl,
      kMemberRef,        kModule,       kDeclSecurity,
      kProperty,         kEvent,        kStandAloneSig,
      kModuleRef,        kTypeSpec,     kAssembly,
      kAssemblyRef,      kFile,         kExportedType,
      kManifestResource, kGenericParam, kGenericParamConstraint,
      kMethodSpec},
     22},
    {1, {kField, kParam}, 2},
    {2, {kTypeDef, kMethodDef, kAssembly}, 3},
    {3, {kTypeDef, kTypeRef, kModuleRef, kMethodDef, kTypeSpec}, 5},
    {1, {kEvent, kProperty}, 2},
    {1, {kMethodDef, kMemberRef}, 2},
    {1, {kField, kMethodDef}, 2},
    {2, {kFile, kAssemblyRef, kExportedType}, 3},
    {3, {kNone, kNone, kMethodDef, kMemberRef, kNone}, 5},
    {2, {kModule, kModuleRef, kAssemblyRef, kTypeRef}, 4},
    {1, {kTypeDef, kMethodDef}, 2},
};

}  // namespace

size_t compressed_uint(const uint8_t* p, size_t n, uint32_t* value) {
  if (n < 1) return 0;
  if ((p[0] & 0x80) == 0) {
    *value = p[0];
    return 1;
  }
  if ((p[0] & 0xc0) == 0x80) {
    if (n < 2) return 0;
    *value = static_cast<uint32_t>((p[0] & 0x3f) << 8 | p[1]);
    return 2;
  }
  if ((p[0] & 0xe0) == 0xc0) {
    if (n < 4) return 0;
    *value = static_cast<uint32_t>((p[0] & 0x1f) << 24 | p[1] << 16 | p[2] << 8 | p[3]);
    return 4;
  }
  return 0;
}

std::optional<Metadata> Metadata::parse(const vigie::pe::PeFile& pe) {
  const vigie::pe::DataDirectory* dir = pe.directory(kDirComDescriptor);
  if (!dir || dir->virtual_address == 0) return std::nullopt;
  Reader r(pe.data);
  std::optional<uint64_t> cli = pe.rva_to_offset(dir->virtual_address);
  const uint8_t* h = cli ? r.at(*cli, 72) : nullptr;
  if (!h) return std::nullopt;
  std::optional<uint64_t> root = pe.rva_to_offset(le32(h + 8));
  const uint8_t* m = root ? r.at(*root, 16) : nullptr;
  if (!m || le32(m) != kMetadataSignature) return std::nullopt;
  Metadata md;
  md.pe_ = &pe;
  if (uint32_t res = le32(h + 24)) md.resources_offset_ = pe.rva_to_offset(res);
  uint32_t vlen = le32(m + 12);
  if (vlen > 255) return std::nullopt;
  std::string version;
  r.cstring(*root + 16, vlen, &version);
  md.version_ = version;
  uint64_t p = *root + 16 + vlen;
  uint16_t nstreams = 0;
  if (!r.u16(p + 2, &nstreams)) return std::nullopt;
  p += 4;
  for (uint16_t i = 0; i < nstreams && i < kMaxStreams; ++i) {
    const uint8_t* sh = r.at(p, 8);
    if (!sh) break;
    Stream s;
    s.offset = *root + le32(sh);
    s.size = le32(sh + 4);
    if (!r.terminated_cstring(p + 8, 32, &s.name)) break;
    p += 8 + ((s.name.size() + 4) & ~size_t{3});
    md.streams_.push_back(std::move(s));
  }
  for (size_t i = 0; i < md.streams_.size(); ++i) {
    const Stream& s = md.streams_[i];
    // The first stream of each name counts, and only if it lies inside the file.
    if (!r.fits(s.offset, s.size)) continue;
    int k = static_cast<int>(i);
    if ((s.name == "#~" || s.name == "#-") && md.tables_stream_ < 0) md.tables_stream_ = k;
    if (s.name == "#Strings" && md.strings_ < 0) md.strings_ = k;
    if (s.name == "#US" && md.us_ < 0) md.us_ = k;
    if (s.name == "#GUID" && md.guid_ < 0) md.guid_ = k;
    if (s.name == "#Blob" && md.blob_ < 0) md.blob_ = k;
  }
  md.layout_tables();
  return md;
}

void Metadata::layout_tables() {
  const Stream* ts = stream(tables_stream_);
  if (!ts) return;
  Reader r(pe_->data);
  const uint8_t* h = r.at(ts->offset, 24);
  if (!h) return;
  uint8_t heap_sizes = h[6];
  wide_strings_ = heap_sizes & 1;
  wide_guids_ = heap_sizes & 2;
  wide_blobs_ = heap_sizes & 4;
  uint64_t valid = static_cast<uint64_t>(le32(h + 8)) | static_cast<uint64_t>(le32(h + 12)) << 32;
  uint64_t p = ts->offset + 24;
  const uint64_t end = ts->offset + ts->size;
  std::array<uint32_t, 64> rows{};
  for (int t = 0; t < 64; ++t) {
    if (!(valid >> t & 1)) continue;
    uint32_t n = 0;
    if (p + 4 > end || !r.u32(p, &n)) return;
    rows[t] = n;
    p += 4;
  }
  // Tables after 0x2c are unknown: their sizes cannot be computed, so nothing after them is
  // readable, but they come after all known ones.
  auto width_idx = [&](int t) -> uint8_t { return rows[t] >= 0x10000 ? 4 : 2; };
  auto width_coded = [&](CodedIndex c) -> uint8_t {
    uint32_t limit = 1u << (16 - kCoded[c].bits);
    for (uint8_t i = 0; i < kCoded[c].n; ++i) {
      uint8_t t = kCoded[c].tables[i];
      if (t != kNone && rows[t] >= limit) return 4;
    }
    return 2;
  };
  for (int t = 0; t < kTableCount; ++t) {
    Table& tb = tables_[t];
    uint32_t size = 0;
    for (int c = 0; c < kSchemas[t].n; ++c) {
      uint8_t col = kSchemas[t].cols[c];
      uint8_t w = 0;
      if (col == c2)
        w = 2;
      else if (col == c4)
        w = 4;
      else if (col == cStr)
        w = wide_strings_ ? 4 : 2;
      else if (col == cGuid)
        w = wide_guids_ ? 4 : 2;
      else if (col == cBlob)
        w = wide_blobs_ ? 4 : 2;
      else if (col & cCoded)
        w = width_coded(static_cast<CodedIndex>(col & 0x3f));
      else
        w = width_idx(col & 0x3f);
      tb.widths.push_back(w);
      tb.offsets.push_back(static_cast<uint8_t>(size));
      size += w;
    }
    tb.row_size = size;
    if (rows[t] == 0) continue;
    uint64_t bytes = uint64_t{rows[t]} * size;
    if (p > end || bytes > end - p) return;  // cut: this table and the rest are absent
    tb.rows = rows[t];
    tb.offset = p;
    p += bytes;
  }
}

uint32_t Metadata::get(TableId id, uint32_t row, int col) const {
  const Table& t = tables_[id];
  if (row >= t.rows || col < 0 || col >= static_cast<int>(t.widths.size())) return 0;
  Reader r(pe_->data);
  const uint8_t* p = r.at(t.offset + uint64_t{row} * t.row_size + t.offsets[col], t.widths[col]);
  if (!p) return 0;
  return t.widths[col] == 4 ? le32(p) : le16(p);
}

std::string Metadata::string(uint32_t index) const {
  const Stream* s = stream(strings_);
  std::string out;
  if (!s || index >= s->size) return out;
  Reader r(pe_->data);
  r.cstring(s->offset + index, std::min<uint64_t>(s->size - index, kMaxStringLength), &out);
  return out;
}

std::optional<std::span<const uint8_t>> Metadata::blob(uint32_t index) const {
  const Stream* s = stream(blob_);
  if (!s || index >= s->size) return std::nullopt;
  const uint8_t* p = pe_->data.data() + s->offset + index;
  size_t avail = s->size - index;
  uint32_t len = 0;
  size_t hdr = compressed_uint(p, avail, &len);
  if (hdr == 0 || len > avail - hdr) return std::nullopt;
  return std::span<const uint8_t>(p + hdr, len);
}

std::optional<std::string> Metadata::guid(uint32_t index) const {
  const Stream* s = stream(guid_);
  if (!s || index == 0 || uint64_t{index} * 16 > s->size) return std::nullopt;
  const uint8_t* g = pe_->data.data() + s->offset + (uint64_t{index} - 1) * 16;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", le32(g),
                le16(g + 4), le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
  return std::string(buf);
}

std::pair<TableId, uint32_t> Metadata::decode(CodedIndex kind, uint32_t value) const {
  const Coded& c = kCoded[kind];
  uint32_t tag = value & ((1u << c.bits) - 1);
  if (tag >= c.n || c.tables[tag] == kNone) return {kModule, 0};
  return {static_cast<TableId>(c.tables[tag]), value >> c.bits};
}

}  // namespace vigie::dotnet
