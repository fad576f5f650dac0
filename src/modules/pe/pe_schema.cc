// The schema of the pe module: constants, fields and functions with the names, types and values
// YARA 4.5 documents. Field loading is in pe_load.cc, functions in pe_functions.cc, Authenticode
// in authenticode*.cc.
#include "modules/pe/pe_module.h"

namespace vigie::mod {
namespace pe_module {
namespace {

struct Constant {
  const char* name;
  int64_t value;
};

constexpr Constant kConstants[] = {
    {"MACHINE_UNKNOWN", 0x0},
    {"MACHINE_AM33", 0x1d3},
    {"MACHINE_AMD64", 0x8664},
    {"MACHINE_ARM", 0x1c0},
    {"MACHINE_ARMNT", 0x1c4},
    {"MACHINE_ARM64", 0xaa64},
    {"MACHINE_EBC", 0xebc},
    {"MACHINE_I386", 0x14c},
    {"MACHINE_IA64", 0x200},
    {"MACHINE_M32R", 0x9041},
    {"MACHINE_MIPS16", 0x266},
    {"MACHINE_MIPSFPU", 0x366},
    {"MACHINE_MIPSFPU16", 0x466},
    {"MACHINE_POWERPC", 0x1f0},
    {"MACHINE_POWERPCFP", 0x1f1},
    {"MACHINE_R4000", 0x166},
    {"MACHINE_SH3", 0x1a2},
    {"MACHINE_SH3DSP", 0x1a3},
    {"MACHINE_SH4", 0x1a6},
    {"MACHINE_SH5", 0x1a8},
    {"MACHINE_THUMB", 0x1c2},
    {"MACHINE_WCEMIPSV2", 0x169},
    {"MACHINE_TARGET_HOST", 0x1},
    {"MACHINE_R3000", 0x162},
    {"MACHINE_R10000", 0x168},
    {"MACHINE_ALPHA", 0x184},
    {"MACHINE_SH3E", 0x1a4},
    {"MACHINE_ALPHA64", 0x284},
    {"MACHINE_AXP64", 0x284},
    {"MACHINE_TRICORE", 0x520},
    {"MACHINE_CEF", 0xcef},
    {"MACHINE_CEE", 0xc0ee},

    {"SUBSYSTEM_UNKNOWN", 0},
    {"SUBSYSTEM_NATIVE", 1},
    {"SUBSYSTEM_WINDOWS_GUI", 2},
    {"SUBSYSTEM_WINDOWS_CUI", 3},
    {"SUBSYSTEM_OS2_CUI", 5},
    {"SUBSYSTEM_POSIX_CUI", 7},
    {"SUBSYSTEM_NATIVE_WINDOWS", 8},
    {"SUBSYSTEM_WINDOWS_CE_GUI", 9},
    {"SUBSYSTEM_EFI_APPLICATION", 10},
    {"SUBSYSTEM_EFI_BOOT_SERVICE_DRIVER", 11},
    {"SUBSYSTEM_EFI_RUNTIME_DRIVER", 12},
    {"SUBSYSTEM_EFI_ROM_IMAGE", 13},
    {"SUBSYSTEM_XBOX", 14},
    {"SUBSYSTEM_WINDOWS_BOOT_APPLICATION", 16},

    {"HIGH_ENTROPY_VA", 0x20},
    {"DYNAMIC_BASE", 0x40},
    {"FORCE_INTEGRITY", 0x80},
    {"NX_COMPAT", 0x100},
    {"NO_ISOLATION", 0x200},
    {"NO_SEH", 0x400},
    {"NO_BIND", 0x800},
    {"APPCONTAINER", 0x1000},
    {"WDM_DRIVER", 0x2000},
    {"GUARD_CF", 0x4000},
    {"TERMINAL_SERVER_AWARE", 0x8000},

    {"RELOCS_STRIPPED", 0x1},
    {"EXECUTABLE_IMAGE", 0x2},
    {"LINE_NUMS_STRIPPED", 0x4},
    {"LOCAL_SYMS_STRIPPED", 0x8},
    {"AGGRESIVE_WS_TRIM", 0x10},
    {"LARGE_ADDRESS_AWARE", 0x20},
    {"BYTES_REVERSED_LO", 0x80},
    {"MACHINE_32BIT", 0x100},
    {"DEBUG_STRIPPED", 0x200},
    {"REMOVABLE_RUN_FROM_SWAP", 0x400},
    {"NET_RUN_FROM_SWAP", 0x800},
    {"SYSTEM", 0x1000},
    {"DLL", 0x2000},
    {"UP_SYSTEM_ONLY", 0x4000},
    {"BYTES_REVERSED_HI", 0x8000},

    {"IMAGE_DIRECTORY_ENTRY_EXPORT", 0},
    {"IMAGE_DIRECTORY_ENTRY_IMPORT", 1},
    {"IMAGE_DIRECTORY_ENTRY_RESOURCE", 2},
    {"IMAGE_DIRECTORY_ENTRY_EXCEPTION", 3},
    {"IMAGE_DIRECTORY_ENTRY_SECURITY", 4},
    {"IMAGE_DIRECTORY_ENTRY_BASERELOC", 5},
    {"IMAGE_DIRECTORY_ENTRY_DEBUG", 6},
    {"IMAGE_DIRECTORY_ENTRY_ARCHITECTURE", 7},
    {"IMAGE_DIRECTORY_ENTRY_COPYRIGHT", 7},
    {"IMAGE_DIRECTORY_ENTRY_GLOBALPTR", 8},
    {"IMAGE_DIRECTORY_ENTRY_TLS", 9},
    {"IMAGE_DIRECTORY_ENTRY_LOAD_CONFIG", 10},
    {"IMAGE_DIRECTORY_ENTRY_BOUND_IMPORT", 11},
    {"IMAGE_DIRECTORY_ENTRY_IAT", 12},
    {"IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT", 13},
    {"IMAGE_DIRECTORY_ENTRY_COM_DESCRIPTOR", 14},

    {"IMAGE_NT_OPTIONAL_HDR32_MAGIC", 0x10b},
    {"IMAGE_NT_OPTIONAL_HDR64_MAGIC", 0x20b},
    {"IMAGE_ROM_OPTIONAL_HDR_MAGIC", 0x107},

    {"SECTION_NO_PAD", 0x8},
    {"SECTION_CNT_CODE", 0x20},
    {"SECTION_CNT_INITIALIZED_DATA", 0x40},
    {"SECTION_CNT_UNINITIALIZED_DATA", 0x80},
    {"SECTION_LNK_OTHER", 0x100},
    {"SECTION_LNK_INFO", 0x200},
    {"SECTION_LNK_REMOVE", 0x800},
    {"SECTION_LNK_COMDAT", 0x1000},
    {"SECTION_NO_DEFER_SPEC_EXC", 0x4000},
    {"SECTION_GPREL", 0x8000},
    {"SECTION_MEM_FARDATA", 0x8000},
    {"SECTION_MEM_PURGEABLE", 0x20000},
    {"SECTION_MEM_16BIT", 0x20000},
    {"SECTION_MEM_LOCKED", 0x40000},
    {"SECTION_MEM_PRELOAD", 0x80000},
    {"SECTION_ALIGN_1BYTES", 0x100000},
    {"SECTION_ALIGN_2BYTES", 0x200000},
    {"SECTION_ALIGN_4BYTES", 0x300000},
    {"SECTION_ALIGN_8BYTES", 0x400000},
    {"SECTION_ALIGN_16BYTES", 0x500000},
    {"SECTION_ALIGN_32BYTES", 0x600000},
    {"SECTION_ALIGN_64BYTES", 0x700000},
    {"SECTION_ALIGN_128BYTES", 0x800000},
    {"SECTION_ALIGN_256BYTES", 0x900000},
    {"SECTION_ALIGN_512BYTES", 0xa00000},
    {"SECTION_ALIGN_1024BYTES", 0xb00000},
    {"SECTION_ALIGN_2048BYTES", 0xc00000},
    {"SECTION_ALIGN_4096BYTES", 0xd00000},
    {"SECTION_ALIGN_8192BYTES", 0xe00000},
    {"SECTION_ALIGN_MASK", 0xf00000},
    {"SECTION_LNK_NRELOC_OVFL", 0x1000000},
    {"SECTION_MEM_DISCARDABLE", 0x2000000},
    {"SECTION_MEM_NOT_CACHED", 0x4000000},
    {"SECTION_MEM_NOT_PAGED", 0x8000000},
    {"SECTION_MEM_SHARED", 0x10000000},
    {"SECTION_MEM_EXECUTE", 0x20000000},
    {"SECTION_MEM_READ", 0x40000000},
    {"SECTION_MEM_WRITE", 0x80000000},
    {"SECTION_SCALE_INDEX", 0x1},

    {"RESOURCE_TYPE_CURSOR", 1},
    {"RESOURCE_TYPE_BITMAP", 2},
    {"RESOURCE_TYPE_ICON", 3},
    {"RESOURCE_TYPE_MENU", 4},
    {"RESOURCE_TYPE_DIALOG", 5},
    {"RESOURCE_TYPE_STRING", 6},
    {"RESOURCE_TYPE_FONTDIR", 7},
    {"RESOURCE_TYPE_FONT", 8},
    {"RESOURCE_TYPE_ACCELERATOR", 9},
    {"RESOURCE_TYPE_RCDATA", 10},
    {"RESOURCE_TYPE_MESSAGETABLE", 11},
    {"RESOURCE_TYPE_GROUP_CURSOR", 12},
    {"RESOURCE_TYPE_GROUP_ICON", 14},
    {"RESOURCE_TYPE_VERSION", 16},
    {"RESOURCE_TYPE_DLGINCLUDE", 17},
    {"RESOURCE_TYPE_PLUGPLAY", 19},
    {"RESOURCE_TYPE_VXD", 20},
    {"RESOURCE_TYPE_ANICURSOR", 21},
    {"RESOURCE_TYPE_ANIICON", 22},
    {"RESOURCE_TYPE_HTML", 23},
    {"RESOURCE_TYPE_MANIFEST", 24},

    {"IMAGE_DEBUG_TYPE_UNKNOWN", 0},
    {"IMAGE_DEBUG_TYPE_COFF", 1},
    {"IMAGE_DEBUG_TYPE_CODEVIEW", 2},
    {"IMAGE_DEBUG_TYPE_FPO", 3},
    {"IMAGE_DEBUG_TYPE_MISC", 4},
    {"IMAGE_DEBUG_TYPE_EXCEPTION", 5},
    {"IMAGE_DEBUG_TYPE_FIXUP", 6},
    {"IMAGE_DEBUG_TYPE_OMAP_TO_SRC", 7},
    {"IMAGE_DEBUG_TYPE_OMAP_FROM_SRC", 8},
    {"IMAGE_DEBUG_TYPE_BORLAND", 9},
    {"IMAGE_DEBUG_TYPE_RESERVED10", 10},
    {"IMAGE_DEBUG_TYPE_CLSID", 11},
    {"IMAGE_DEBUG_TYPE_VC_FEATURE", 12},
    {"IMAGE_DEBUG_TYPE_POGO", 13},
    {"IMAGE_DEBUG_TYPE_ILTCG", 14},
    {"IMAGE_DEBUG_TYPE_MPX", 15},
    {"IMAGE_DEBUG_TYPE_REPRO", 16},

    {"IMPORT_STANDARD", 1},
    {"IMPORT_DELAYED", 2},
    {"IMPORT_ANY", -1},
};

void version_struct(SchemaBuilder& root, const char* name) {
  SchemaBuilder v = root.structure(name);
  v.integer("major");
  v.integer("minor");
}

void import_details(SchemaBuilder& root, const char* name) {
  SchemaBuilder lib = root.struct_array(name);
  lib.string("library_name");
  lib.integer("number_of_functions");
  SchemaBuilder fn = lib.struct_array("functions");
  fn.string("name");
  fn.integer("ordinal");
  fn.integer("rva");
}

}  // namespace

void declare(SchemaBuilder& root) {
  for (const Constant& c : kConstants) root.constant(c.name, c.value);

  root.integer("is_pe");
  root.integer("machine");
  root.integer("number_of_sections");
  root.integer("timestamp");
  root.integer("pointer_to_symbol_table");
  root.integer("number_of_symbols");
  root.integer("size_of_optional_header");
  root.integer("characteristics");
  root.integer("entry_point");
  root.integer("entry_point_raw");
  root.integer("image_base");
  root.integer("number_of_rva_and_sizes");
  root.integer("number_of_version_infos");
  root.string_dictionary("version_info");
  SchemaBuilder vil = root.struct_array("version_info_list");
  vil.string("key");
  vil.string("value");
  root.integer("opthdr_magic");
  root.integer("size_of_code");
  root.integer("size_of_initialized_data");
  root.integer("size_of_uninitialized_data");
  root.integer("base_of_code");
  root.integer("base_of_data");
  root.integer("section_alignment");
  root.integer("file_alignment");
  version_struct(root, "linker_version");
  version_struct(root, "os_version");
  version_struct(root, "image_version");
  version_struct(root, "subsystem_version");
  root.integer("win32_version_value");
  root.integer("size_of_image");
  root.integer("size_of_headers");
  root.integer("checksum");
  root.integer("subsystem");
  root.integer("dll_characteristics");
  root.integer("size_of_stack_reserve");
  root.integer("size_of_stack_commit");
  root.integer("size_of_heap_reserve");
  root.integer("size_of_heap_commit");
  root.integer("loader_flags");
  SchemaBuilder dirs = root.struct_array("data_directories");
  dirs.integer("virtual_address");
  dirs.integer("size");

  SchemaBuilder sec = root.struct_array("sections");
  sec.string("name");
  sec.string("full_name");
  sec.integer("characteristics");
  sec.integer("virtual_address");
  sec.integer("virtual_size");
  sec.integer("raw_data_offset");
  sec.integer("raw_data_size");
  sec.integer("pointer_to_relocations");
  sec.integer("pointer_to_line_numbers");
  sec.integer("number_of_relocations");
  sec.integer("number_of_line_numbers");

  SchemaBuilder overlay = root.structure("overlay");
  overlay.integer("offset");
  overlay.integer("size");

  SchemaBuilder rich = root.structure("rich_signature");
  rich.integer("offset");
  rich.integer("length");
  rich.integer("key");
  rich.string("raw_data");
  rich.string("clear_data");
  rich.string("version_data");
  rich.function("toolid", "i", 'i', rich_toolid);
  rich.function("toolid", "ii", 'i', rich_toolid);
  rich.function("version", "i", 'i', rich_version);
  rich.function("version", "ii", 'i', rich_version);

  root.integer("number_of_imports");
  root.integer("number_of_imported_functions");
  root.integer("number_of_delayed_imports");
  root.integer("number_of_delayed_imported_functions");
  // The name YARA's documentation gives to the previous field.
  root.integer("number_of_delay_imported_functions");
  root.integer("number_of_exports");
  root.string("dll_name");
  root.integer("export_timestamp");
  SchemaBuilder exp = root.struct_array("export_details");
  exp.integer("offset");
  exp.string("name");
  exp.string("forward_name");
  exp.integer("ordinal");
  exp.integer("rva");
  import_details(root, "import_details");
  import_details(root, "delayed_import_details");
  // The name YARA 4.2 used for delayed_import_details.
  import_details(root, "delay_import_details");

  root.integer("resource_timestamp");
  version_struct(root, "resource_version");
  SchemaBuilder res = root.struct_array("resources");
  res.integer("rva");
  res.integer("offset");
  res.integer("length");
  res.integer("type");
  res.integer("id");
  res.integer("language");
  res.string("type_string");
  res.string("name_string");
  res.string("language_string");
  root.integer("number_of_resources");
  root.string("pdb_path");

  declare_signatures(root);
  declare_functions(root);
}

}  // namespace pe_module

extern const Module kPeModule{"pe", pe_module::declare, pe_module::load};

}  // namespace vigie::mod
