// Imports, delayed imports and the import hash.
//
// The import directory is an array of 20-byte descriptors ended by one whose Name is zero. Each
// names a DLL and points to a zero-terminated array of thunks (32 or 64 bits wide): a thunk with
// the top bit set imports by ordinal, otherwise it is the RVA of a hint/name entry. The lookup
// table (OriginalFirstThunk) is preferred because the address table (FirstThunk) may have been
// bound; the RVA reported for a function is that of its slot in the address table.
//
// Delayed imports use 32-byte descriptors with the same thunk arrays. Descriptors made by old
// linkers (attribute bit 0 clear) hold virtual addresses instead of RVAs: the image base is
// subtracted from them.
//
// A DLL whose name is not a plausible file name (empty, too long, control characters) is
// skipped, as are functions whose name entry lies outside the file: such entries come from
// damaged or deliberately confusing files and the loader would refuse them too.
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

#include "modules/pe/pe_file.h"

namespace vigie::pe {
namespace {

constexpr uint32_t kDirImport = 1;
constexpr uint32_t kDirDelayImport = 13;
constexpr size_t kMaxDllNameLength = 256;

bool valid_dll_name(const std::string& name) {
  if (name.empty() || name.size() >= kMaxDllNameLength) return false;
  for (unsigned char c : name) {
    if (c < 0x20 || c > 0x7e) return false;
    if (c == '"' || c == '*' || c == '<' || c == '>' || c == '?' || c == '|') return false;
  }
  return true;
}

bool valid_function_name(const std::string& name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// Reads the thunk array at `lookup_rva`; `iat_rva` is where the address table starts.
std::vector<ImportFunction> read_thunks(const PeFile& pe, const std::string& dll,
                                        uint64_t lookup_rva, uint64_t iat_rva, uint32_t* budget) {
  std::vector<ImportFunction> out;
  Reader r(pe.data);
  std::optional<uint64_t> off = pe.rva_to_offset(lookup_rva);
  if (!off) return out;
  const uint64_t width = pe.is_64 ? 8 : 4;
  const uint64_t ordinal_flag = pe.is_64 ? (1ull << 63) : (1ull << 31);
  for (uint32_t i = 0; i<kMaxImportFunctions&& * budget> 0; ++i) {
    uint64_t thunk = 0;
    if (pe.is_64) {
      if (!r.u64(*off + width * i, &thunk)) break;
    } else {
      uint32_t t32 = 0;
      if (!r.u32(*off + width * i, &t32)) break;
      thunk = t32;
    }
    if (thunk == 0) break;
    ImportFunction fn;
    if (thunk & ordinal_flag) {
      uint32_t ordinal = static_cast<uint32_t>(thunk & 0xffff);
      fn.ordinal = ordinal;
      fn.name = ordinal_name(dll, ordinal);
    } else {
      std::optional<uint64_t> name_off = pe.rva_to_offset(thunk & 0x7fffffff);
      std::string name;
      if (!name_off || !r.cstring(*name_off + 2, kMaxNameLength, &name) ||
          !valid_function_name(name)) {
        continue;
      }
      fn.name = std::move(name);
    }
    if (iat_rva != 0) fn.rva = iat_rva + width * i;
    out.push_back(std::move(fn));
    --*budget;
  }
  return out;
}

}  // namespace

void parse_imports(PeFile* pe) {
  const DataDirectory* dir = pe->directory(kDirImport);
  if (!dir || dir->virtual_address == 0) return;
  std::optional<uint64_t> off = pe->rva_to_offset(dir->virtual_address);
  if (!off) return;
  Reader r(pe->data);
  uint32_t budget = kMaxTotalImports;
  for (uint32_t i = 0; i < kMaxImportDlls; ++i) {
    const uint8_t* d = r.at(*off + 20ull * i, 20);
    if (!d) break;
    uint32_t original_first_thunk = le32(d);
    uint32_t name_rva = le32(d + 12);
    uint32_t first_thunk = le32(d + 16);
    if (name_rva == 0) break;
    std::optional<uint64_t> name_off = pe->rva_to_offset(name_rva);
    ImportDll dll;
    if (!name_off || !r.cstring(*name_off, kMaxDllNameLength, &dll.name) ||
        !valid_dll_name(dll.name)) {
      continue;
    }
    uint64_t lookup = original_first_thunk != 0 ? original_first_thunk : first_thunk;
    dll.functions = read_thunks(*pe, dll.name, lookup, first_thunk, &budget);
    if (dll.functions.empty()) continue;
    pe->imports.push_back(std::move(dll));
  }
}

void parse_delayed_imports(PeFile* pe) {
  const DataDirectory* dir = pe->directory(kDirDelayImport);
  if (!dir || dir->virtual_address == 0) return;
  std::optional<uint64_t> off = pe->rva_to_offset(dir->virtual_address);
  if (!off) return;
  Reader r(pe->data);
  uint32_t budget = kMaxTotalImports;
  for (uint32_t i = 0; i < kMaxImportDlls; ++i) {
    const uint8_t* d = r.at(*off + 32ull * i, 32);
    if (!d) break;
    uint32_t attributes = le32(d);
    uint64_t name_rva = le32(d + 4);
    uint64_t iat = le32(d + 12);
    uint64_t int_rva = le32(d + 16);
    if (name_rva == 0 && int_rva == 0 && iat == 0) break;
    if ((attributes & 1) == 0) {
      // Virtual addresses: make them relative, leaving values below the base unusable.
      auto rel = [&](uint64_t va) { return va >= pe->image_base ? va - pe->image_base : 0; };
      name_rva = rel(name_rva);
      iat = rel(iat);
      int_rva = rel(int_rva);
    }
    if (name_rva == 0 || int_rva == 0) continue;
    std::optional<uint64_t> name_off = pe->rva_to_offset(name_rva);
    ImportDll dll;
    if (!name_off || !r.cstring(*name_off, kMaxDllNameLength, &dll.name) ||
        !valid_dll_name(dll.name)) {
      continue;
    }
    dll.functions = read_thunks(*pe, dll.name, int_rva, iat, &budget);
    pe->delayed_imports.push_back(std::move(dll));
  }
}

std::string imphash(const PeFile& pe) {
  std::string text;
  for (const ImportDll& dll : pe.imports) {
    std::string base = dll.name;
    std::transform(base.begin(), base.end(), base.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    size_t dot = base.rfind('.');
    if (dot != std::string::npos) {
      std::string ext = base.substr(dot + 1);
      if (ext == "dll" || ext == "ocx" || ext == "sys") base.resize(dot);
    }
    for (const ImportFunction& fn : dll.functions) {
      if (!text.empty()) text += ',';
      text += base;
      text += '.';
      for (unsigned char c : fn.name) text += static_cast<char>(std::tolower(c));
    }
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_md5(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

}  // namespace vigie::pe
