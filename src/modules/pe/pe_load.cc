// Loading a parsed PE into the pe module's Nodes.
//
// Fields follow YARA's undefined cases: for data that is not a PE only is_pe (0) is set; for a
// PE the header fields are always set, counts of absent parts are 0, and fields of an absent
// part (exports, resources, rich signature, PDB path) stay undefined.
#include <memory>

#include "modules/pe/pe_module.h"

namespace vigie::mod::pe_module {
namespace {

using vigie::pe::ImportDll;
using vigie::pe::PeFile;

void set_version(Node& root, const char* name, int64_t major, int64_t minor) {
  Node& v = root.field(name);
  v.set_integer("major", major);
  v.set_integer("minor", minor);
}

int64_t load_imports(const std::vector<ImportDll>& dlls, Node& details) {
  int64_t functions = 0;
  for (size_t i = 0; i < dlls.size(); ++i) {
    Node& lib = details.at(i);
    lib.set_string("library_name", dlls[i].name);
    lib.set_integer("number_of_functions", static_cast<int64_t>(dlls[i].functions.size()));
    Node& fns = lib.field("functions");
    for (size_t j = 0; j < dlls[i].functions.size(); ++j) {
      const auto& f = dlls[i].functions[j];
      Node& fn = fns.at(j);
      fn.set_string("name", f.name);
      if (f.ordinal) fn.set_integer("ordinal", *f.ordinal);
      if (f.rva) fn.set_integer("rva", static_cast<int64_t>(*f.rva));
    }
    functions += static_cast<int64_t>(dlls[i].functions.size());
  }
  return functions;
}

void load_pe(const PeFile& pe, bool is_process, Node& root) {
  root.set_integer("is_pe", 1);
  root.set_integer("machine", pe.machine);
  root.set_integer("number_of_sections", pe.number_of_sections);
  root.set_integer("timestamp", pe.timestamp);
  root.set_integer("pointer_to_symbol_table", pe.pointer_to_symbol_table);
  root.set_integer("number_of_symbols", pe.number_of_symbols);
  root.set_integer("size_of_optional_header", pe.size_of_optional_header);
  root.set_integer("characteristics", pe.characteristics);
  root.set_integer("entry_point_raw", pe.entry_point_rva);
  if (is_process) {
    root.set_integer("entry_point", static_cast<int64_t>(pe.entry_point_rva));
  } else {
    // -1, not undefined, when no byte of the file holds the entry point, as YARA sets it.
    auto off = pe.rva_to_offset(pe.entry_point_rva);
    root.set_integer("entry_point", off ? static_cast<int64_t>(*off) : -1);
  }
  root.set_integer("image_base", static_cast<int64_t>(pe.image_base));
  root.set_integer("number_of_rva_and_sizes", pe.number_of_rva_and_sizes);
  root.set_integer("opthdr_magic", pe.opthdr_magic);
  root.set_integer("size_of_code", pe.size_of_code);
  root.set_integer("size_of_initialized_data", pe.size_of_initialized_data);
  root.set_integer("size_of_uninitialized_data", pe.size_of_uninitialized_data);
  root.set_integer("base_of_code", pe.base_of_code);
  if (pe.base_of_data) root.set_integer("base_of_data", *pe.base_of_data);
  root.set_integer("section_alignment", pe.section_alignment);
  root.set_integer("file_alignment", pe.file_alignment);
  set_version(root, "linker_version", pe.major_linker_version, pe.minor_linker_version);
  set_version(root, "os_version", pe.major_os_version, pe.minor_os_version);
  set_version(root, "image_version", pe.major_image_version, pe.minor_image_version);
  set_version(root, "subsystem_version", pe.major_subsystem_version, pe.minor_subsystem_version);
  root.set_integer("win32_version_value", pe.win32_version_value);
  root.set_integer("size_of_image", pe.size_of_image);
  root.set_integer("size_of_headers", pe.size_of_headers);
  root.set_integer("checksum", pe.checksum);
  root.set_integer("subsystem", pe.subsystem);
  root.set_integer("dll_characteristics", pe.dll_characteristics);
  root.set_integer("size_of_stack_reserve", static_cast<int64_t>(pe.size_of_stack_reserve));
  root.set_integer("size_of_stack_commit", static_cast<int64_t>(pe.size_of_stack_commit));
  root.set_integer("size_of_heap_reserve", static_cast<int64_t>(pe.size_of_heap_reserve));
  root.set_integer("size_of_heap_commit", static_cast<int64_t>(pe.size_of_heap_commit));
  root.set_integer("loader_flags", pe.loader_flags);

  Node& dirs = root.field("data_directories");
  for (size_t i = 0; i < pe.data_directories.size(); ++i) {
    dirs.at(i).set_integer("virtual_address", pe.data_directories[i].virtual_address);
    dirs.at(i).set_integer("size", pe.data_directories[i].size);
  }

  Node& secs = root.field("sections");
  for (size_t i = 0; i < pe.sections.size(); ++i) {
    const auto& s = pe.sections[i];
    Node& n = secs.at(i);
    n.set_string("name", s.name);
    n.set_string("full_name", s.full_name);
    n.set_integer("characteristics", s.characteristics);
    n.set_integer("virtual_address", s.virtual_address);
    n.set_integer("virtual_size", s.virtual_size);
    n.set_integer("raw_data_offset", s.raw_data_offset);
    n.set_integer("raw_data_size", s.raw_data_size);
    n.set_integer("pointer_to_relocations", s.pointer_to_relocations);
    n.set_integer("pointer_to_line_numbers", s.pointer_to_line_numbers);
    n.set_integer("number_of_relocations", s.number_of_relocations);
    n.set_integer("number_of_line_numbers", s.number_of_line_numbers);
  }

  Node& overlay = root.field("overlay");
  overlay.set_integer("offset", static_cast<int64_t>(pe.overlay_offset));
  overlay.set_integer("size", static_cast<int64_t>(pe.overlay_size));

  if (pe.rich) {
    Node& rich = root.field("rich_signature");
    rich.set_integer("offset", static_cast<int64_t>(pe.rich->offset));
    rich.set_integer("length", static_cast<int64_t>(pe.rich->length));
    rich.set_integer("key", pe.rich->key);
    rich.set_string("raw_data", pe.rich->raw_data);
    rich.set_string("clear_data", pe.rich->clear_data);
    rich.set_string("version_data", pe.rich->version_data);
  }

  root.set_integer("number_of_imports", static_cast<int64_t>(pe.imports.size()));
  root.set_integer("number_of_imported_functions",
                   load_imports(pe.imports, root.field("import_details")));
  root.set_integer("number_of_delayed_imports", static_cast<int64_t>(pe.delayed_imports.size()));
  int64_t delayed = load_imports(pe.delayed_imports, root.field("delayed_import_details"));
  load_imports(pe.delayed_imports, root.field("delay_import_details"));
  root.set_integer("number_of_delayed_imported_functions", delayed);
  root.set_integer("number_of_delay_imported_functions", delayed);

  root.set_integer("number_of_exports", static_cast<int64_t>(pe.exports.size()));
  if (pe.has_exports) {
    if (pe.dll_name) root.set_string("dll_name", *pe.dll_name);
    root.set_integer("export_timestamp", pe.export_timestamp);
  }
  Node& exps = root.field("export_details");
  for (size_t i = 0; i < pe.exports.size(); ++i) {
    const auto& e = pe.exports[i];
    Node& n = exps.at(i);
    // -1, not undefined, for code outside the file, as YARA sets it.
    if (!e.forward_name) n.set_integer("offset", e.offset ? static_cast<int64_t>(*e.offset) : -1);
    if (e.name) n.set_string("name", *e.name);
    if (e.forward_name) n.set_string("forward_name", *e.forward_name);
    n.set_integer("ordinal", e.ordinal);
    n.set_integer("rva", e.rva);
  }

  root.set_integer("number_of_resources", static_cast<int64_t>(pe.resources.size()));
  if (pe.has_resources) {
    root.set_integer("resource_timestamp", pe.resource_timestamp);
    set_version(root, "resource_version", pe.resource_major, pe.resource_minor);
  }
  Node& res = root.field("resources");
  for (size_t i = 0; i < pe.resources.size(); ++i) {
    const auto& r = pe.resources[i];
    Node& n = res.at(i);
    n.set_integer("rva", r.rva);
    if (r.offset) n.set_integer("offset", static_cast<int64_t>(*r.offset));
    n.set_integer("length", r.length);
    if (r.type) n.set_integer("type", *r.type);
    if (r.id) n.set_integer("id", *r.id);
    if (r.language) n.set_integer("language", *r.language);
    if (r.type_string) n.set_string("type_string", *r.type_string);
    if (r.name_string) n.set_string("name_string", *r.name_string);
    if (r.language_string) n.set_string("language_string", *r.language_string);
  }
  root.set_integer("number_of_version_infos", static_cast<int64_t>(pe.version_info.size()));
  Node& vi = root.field("version_info");
  Node& vil = root.field("version_info_list");
  for (size_t i = 0; i < pe.version_info.size(); ++i) {
    vi.entry(pe.version_info[i].first).set_string(pe.version_info[i].second);
    vil.at(i).set_string("key", pe.version_info[i].first);
    vil.at(i).set_string("value", pe.version_info[i].second);
  }
  if (pe.pdb_path) root.set_string("pdb_path", *pe.pdb_path);

  load_signatures(pe, root);
}

}  // namespace

void load(LoadContext& ctx, Node& root) {
  std::optional<vigie::pe::PeFile> pe = vigie::pe::parse_pe(ctx.data);
  if (!pe) {
    root.set_integer("is_pe", 0);
    return;
  }
  load_pe(*pe, ctx.is_process, root);
  if (ctx.state) {
    auto state = std::make_unique<PeState>();
    state->pe = std::move(*pe);
    state->is_process = ctx.is_process;
    *ctx.state = std::move(state);
  }
}

}  // namespace vigie::mod::pe_module
