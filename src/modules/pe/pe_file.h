// The PE parser: untrusted bytes in, a plain description of the file out.
//
// parse_pe() reads the DOS and NT headers, the optional header (PE32 or PE32+), the data
// directories and the section table, then each directory it knows: imports, delayed imports,
// exports, resources (with the version information they carry), the debug directory (for the
// CodeView PDB path) and the rich signature of the DOS stub. The result, PeFile, knows nothing
// of YARA's Nodes: pe_module.cc maps it onto the module schema, and tests inspect it directly.
//
// Hostile input: every offset read from the file is checked against the data before use (see
// reader.h), every count read from the file is capped by a named limit below, and the resource
// tree, the only tree in the format, is walked to a fixed depth of three levels with a total
// entry budget. A malformed part leaves its fields empty (undefined in the module) and the rest
// of the file is still described.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "modules/pe/reader.h"

namespace vigie::pe {

inline constexpr uint32_t kMaxSections = 96;
inline constexpr uint32_t kMaxImportDlls = 16384;
inline constexpr uint32_t kMaxImportFunctions = 16384;  // per DLL
inline constexpr uint32_t kMaxTotalImports = 65536;
inline constexpr uint32_t kMaxExports =
    8192;  // yara's MAX_PE_EXPORTS: exports past it are not read
inline constexpr uint32_t kMaxResources = 16384;
inline constexpr uint32_t kMaxResourceNameBytes = 512;    // of a UTF-16 type/name/language string
inline constexpr uint32_t kMaxResourceDirEntries = 4096;  // entries read per directory
inline constexpr uint32_t kMaxVersionInfos = 1024;
inline constexpr uint32_t kMaxVersionInfoParses = 16;  // RT_VERSION resources parsed
inline constexpr uint32_t kMaxDebugEntries = 64;
inline constexpr uint32_t kMaxNameLength = 1024;

inline constexpr uint16_t kMagicPe32 = 0x10b;
inline constexpr uint16_t kMagicPe64 = 0x20b;
inline constexpr uint16_t kCharacteristicDll = 0x2000;

struct DataDirectory {
  uint32_t virtual_address = 0;
  uint32_t size = 0;
};

struct Section {
  std::string name;       // up to 8 bytes, stops at the first NUL
  std::string full_name;  // from the COFF string table for "/123" names, else `name`
  uint32_t characteristics = 0;
  uint32_t virtual_address = 0;
  uint32_t virtual_size = 0;
  uint32_t raw_data_offset = 0;
  uint32_t raw_data_size = 0;
  uint32_t pointer_to_relocations = 0;
  uint32_t pointer_to_line_numbers = 0;
  uint16_t number_of_relocations = 0;
  uint16_t number_of_line_numbers = 0;
};

struct ImportFunction {
  std::string name;                 // for imports by ordinal: the known name or "ordN"
  std::optional<uint32_t> ordinal;  // set for imports by ordinal
  std::optional<uint64_t> rva;      // RVA of the function's slot in the import address table
};

struct ImportDll {
  std::string name;
  std::vector<ImportFunction> functions;
};

struct Export {
  std::optional<std::string> name;
  std::optional<std::string> forward_name;
  uint32_t ordinal = 0;  // biased by the directory's Base
  uint32_t rva = 0;
  std::optional<uint64_t> offset;  // file offset of the function; unset for forwarders
};

struct Resource {
  uint32_t rva = 0;
  uint32_t length = 0;
  std::optional<uint64_t> offset;
  // Each level is either an integer id or a string (raw UTF-16LE bytes), never both.
  std::optional<uint32_t> type, id, language;
  std::optional<std::string> type_string, name_string, language_string;
};

struct RichEntry {
  uint16_t toolid = 0;
  uint16_t version = 0;
  uint32_t count = 0;
};

struct RichSignature {
  uint64_t offset = 0;  // of the "DanS" marker
  uint64_t length = 0;  // bytes from "DanS" to the "Rich" marker
  uint32_t key = 0;
  std::string raw_data;
  std::string clear_data;
  std::string version_data;  // the decrypted (compid, count) records only
  std::vector<RichEntry> entries;
};

struct PeFile {
  std::span<const uint8_t> data;
  uint64_t nt_offset = 0;  // of the "PE\0\0" signature
  bool is_64 = false;

  // File header.
  uint16_t machine = 0;
  uint16_t number_of_sections = 0;
  uint32_t timestamp = 0;
  uint32_t pointer_to_symbol_table = 0;
  uint32_t number_of_symbols = 0;
  uint16_t size_of_optional_header = 0;
  uint16_t characteristics = 0;

  // Optional header.
  uint16_t opthdr_magic = 0;
  uint8_t major_linker_version = 0, minor_linker_version = 0;
  uint32_t size_of_code = 0, size_of_initialized_data = 0, size_of_uninitialized_data = 0;
  uint32_t entry_point_rva = 0;
  uint32_t base_of_code = 0;
  std::optional<uint32_t> base_of_data;  // PE32 only
  uint64_t image_base = 0;
  uint32_t section_alignment = 0, file_alignment = 0;
  uint16_t major_os_version = 0, minor_os_version = 0;
  uint16_t major_image_version = 0, minor_image_version = 0;
  uint16_t major_subsystem_version = 0, minor_subsystem_version = 0;
  uint32_t win32_version_value = 0;
  uint32_t size_of_image = 0, size_of_headers = 0;
  uint32_t checksum = 0;
  uint64_t checksum_offset = 0;  // file offset of the CheckSum field
  uint16_t subsystem = 0, dll_characteristics = 0;
  uint64_t size_of_stack_reserve = 0, size_of_stack_commit = 0;
  uint64_t size_of_heap_reserve = 0, size_of_heap_commit = 0;
  uint32_t loader_flags = 0;
  uint32_t number_of_rva_and_sizes = 0;
  std::vector<DataDirectory> data_directories;  // at most 16

  std::vector<Section> sections;
  uint64_t overlay_offset = 0, overlay_size = 0;

  std::vector<ImportDll> imports;
  std::vector<ImportDll> delayed_imports;

  bool has_exports = false;
  std::optional<std::string> dll_name;
  uint32_t export_timestamp = 0;
  std::vector<Export> exports;

  bool has_resources = false;
  uint32_t resource_timestamp = 0;
  uint16_t resource_major = 0, resource_minor = 0;
  std::vector<Resource> resources;
  std::vector<std::pair<std::string, std::string>> version_info;
  uint32_t version_info_parses = 0;

  std::optional<RichSignature> rich;
  std::optional<std::string> pdb_path;

  // File offset of `rva`, or nullopt when no byte of the file backs it.
  std::optional<uint64_t> rva_to_offset(uint64_t rva) const;
  const DataDirectory* directory(size_t index) const {
    return index < data_directories.size() ? &data_directories[index] : nullptr;
  }
  bool is_dll() const { return characteristics & kCharacteristicDll; }
};

// Parses `data` as a PE file; nullopt when it is not one (no MZ/PE signatures, or headers cut).
std::optional<PeFile> parse_pe(std::span<const uint8_t> data);

// Steps of parse_pe(), each filling its part of `pe` from the headers parse_headers() read.
bool parse_headers(std::span<const uint8_t> data, PeFile* pe);
void parse_imports(PeFile* pe);
void parse_delayed_imports(PeFile* pe);
void parse_exports(PeFile* pe);
void parse_resources(PeFile* pe);
void parse_version_info(PeFile* pe, uint64_t offset, uint32_t length);
void parse_rich_signature(PeFile* pe);
void parse_debug(PeFile* pe);

// The PE checksum as the loader computes it (16-bit one's-complement sum plus the file size).
uint32_t calculate_checksum(const PeFile& pe);
// The import hash: MD5 of "dll.function,..." in lowercase, as pefile and YARA compute it.
std::string imphash(const PeFile& pe);
// Name of the function exported by `dll` under `ordinal` when it is well known, else "ordN".
std::string ordinal_name(std::string_view dll, uint32_t ordinal);

}  // namespace vigie::pe
