// A hostile-input-safe reader of .NET (CLI, ECMA-335) metadata inside a PE file.
//
//   PE data directory 14 -> CLI header -> metadata root ("BSJB": version string, stream
//   headers) -> streams: #~ (tables), #Strings, #US, #GUID, #Blob.
//
// The #~ stream starts with a bit vector of the tables present and their row counts; the width
// of every column then follows from those counts (a table index is 2 bytes unless the table
// has 65536 rows or more; a coded index is 2 bytes unless one of its tables is too large for the
// bits left after the tag) and from the heap-size flags. Tables are laid out one after the other
// in table-number order, so the start of each is known once the widths are; a table that does
// not fit inside the stream ends the table data (it and the ones after it are absent).
//
// Heap reads (strings, blobs, GUIDs) check their index and length against the heap. Nothing
// here allocates in proportion to a count read from the file without first checking that the
// bytes counted are present.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "modules/pe/pe_file.h"

namespace vigie::dotnet {

// Table numbers (ECMA-335 II.22).
enum TableId : uint8_t {
  kModule = 0x00,
  kTypeRef = 0x01,
  kTypeDef = 0x02,
  kFieldPtr = 0x03,
  kField = 0x04,
  kMethodPtr = 0x05,
  kMethodDef = 0x06,
  kParamPtr = 0x07,
  kParam = 0x08,
  kInterfaceImpl = 0x09,
  kMemberRef = 0x0a,
  kConstant = 0x0b,
  kCustomAttribute = 0x0c,
  kFieldMarshal = 0x0d,
  kDeclSecurity = 0x0e,
  kClassLayout = 0x0f,
  kFieldLayout = 0x10,
  kStandAloneSig = 0x11,
  kEventMap = 0x12,
  kEventPtr = 0x13,
  kEvent = 0x14,
  kPropertyMap = 0x15,
  kPropertyPtr = 0x16,
  kProperty = 0x17,
  kMethodSemantics = 0x18,
  kMethodImpl = 0x19,
  kModuleRef = 0x1a,
  kTypeSpec = 0x1b,
  kImplMap = 0x1c,
  kFieldRva = 0x1d,
  kEncLog = 0x1e,
  kEncMap = 0x1f,
  kAssembly = 0x20,
  kAssemblyProcessor = 0x21,
  kAssemblyOs = 0x22,
  kAssemblyRef = 0x23,
  kAssemblyRefProcessor = 0x24,
  kAssemblyRefOs = 0x25,
  kFile = 0x26,
  kExportedType = 0x27,
  kManifestResource = 0x28,
  kNestedClass = 0x29,
  kGenericParam = 0x2a,
  kMethodSpec = 0x2b,
  kGenericParamConstraint = 0x2c,
  kTableCount = 0x2d,
};

// Coded index kinds (ECMA-335 II.24.2.6).
enum CodedIndex : uint8_t {
  kTypeDefOrRef,
  kHasConstant,
  kHasCustomAttribute,
  kHasFieldMarshal,
  kHasDeclSecurity,
  kMemberRefParent,
  kHasSemantics,
  kMethodDefOrRef,
  kMemberForwarded,
  kImplementation,
  kCustomAttributeType,
  kResolutionScope,
  kTypeOrMethodDef,
  kCodedIndexCount,
};

struct Stream {
  std::string name;
  uint64_t offset = 0;  // in the file
  uint32_t size = 0;
};

struct Table {
  uint32_t rows = 0;
  uint64_t offset = 0;  // in the file
  uint32_t row_size = 0;
  std::vector<uint8_t> widths;   // per column, 1 to 4 bytes
  std::vector<uint8_t> offsets;  // per column, within the row
  bool present() const { return rows != 0; }
};

class Metadata {
 public:
  // nullopt when the PE has no CLI header or no readable metadata root.
  static std::optional<Metadata> parse(const vigie::pe::PeFile& pe);

  const vigie::pe::PeFile& pe() const { return *pe_; }
  const std::string& version() const { return version_; }
  const std::vector<Stream>& streams() const { return streams_; }
  const Table& table(TableId id) const { return tables_[id]; }
  bool has_tables() const { return tables_stream_ >= 0; }
  // Column `col` of row `row` (0-based) of table `id`; 0 when out of range.
  uint32_t get(TableId id, uint32_t row, int col) const;

  // #Strings entry at `index` (empty when out of range).
  std::string string(uint32_t index) const;
  // #Blob entry at `index`: its bytes, or nullopt when out of range.
  std::optional<std::span<const uint8_t>> blob(uint32_t index) const;
  // #GUID entry `index` (1-based), lowercase "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".
  std::optional<std::string> guid(uint32_t index) const;
  const Stream* us_heap() const { return stream(us_); }
  const Stream* guid_heap() const { return stream(guid_); }
  // File offset of the CLI header's resources directory, when it maps.
  std::optional<uint64_t> resources_offset() const { return resources_offset_; }

  // Decodes a coded index into (table, 1-based row); row 0 means null.
  std::pair<TableId, uint32_t> decode(CodedIndex kind, uint32_t value) const;

 private:
  const vigie::pe::PeFile* pe_ = nullptr;
  std::string version_;
  std::vector<Stream> streams_;
  // Indices into streams_ (-1: absent), so that a Metadata can be moved.
  int tables_stream_ = -1, strings_ = -1, us_ = -1, guid_ = -1, blob_ = -1;
  std::array<Table, kTableCount> tables_{};
  std::optional<uint64_t> resources_offset_;
  bool wide_strings_ = false, wide_guids_ = false, wide_blobs_ = false;

  const Stream* stream(int i) const { return i >= 0 ? &streams_[i] : nullptr; }
  void layout_tables();
};

// Reads an ECMA-335 compressed unsigned integer at p[0..n); returns its length or 0.
size_t compressed_uint(const uint8_t* p, size_t n, uint32_t* value);

inline constexpr size_t kMaxStreams = 64;
inline constexpr size_t kMaxListed = 65536;  // entries of any list the module fills
inline constexpr size_t kMaxStringLength = 4096;

}  // namespace vigie::dotnet
