// The `elf` module: the schema (declared in YARA's order, which `yara -D` output depends on) and
// the load step that copies what parse_elf() read into the module tree. The parsed file stays
// in the module state for telfhash() and import_md5(), which compute on first call and keep
// their result for the scan.
#include <optional>

#include "modules/elf/elf_parse.h"
#include "modules/elf/symbol_hashes.h"
#include "modules/module.h"

namespace vigie::mod {
namespace {

struct ElfState : ModuleState {
  elf::ElfInfo info;
  std::optional<std::optional<std::string>> telfhash;
  std::optional<std::optional<std::string>> import_md5;
};

Value string_or_undefined(const std::optional<std::string>& s) {
  return s ? Value::string(*s) : Value::undefined();
}

Value telfhash_fn(CallContext& ctx, std::span<const Value>) {
  auto* state = dynamic_cast<ElfState*>(ctx.state);
  if (state == nullptr) return Value::undefined();
  if (!state->telfhash) state->telfhash = elf::telfhash(state->info);
  return string_or_undefined(*state->telfhash);
}

Value import_md5_fn(CallContext& ctx, std::span<const Value>) {
  auto* state = dynamic_cast<ElfState*>(ctx.state);
  if (state == nullptr) return Value::undefined();
  if (!state->import_md5) state->import_md5 = elf::import_md5(state->info);
  return string_or_undefined(*state->import_md5);
}

void constants(SchemaBuilder& b, std::initializer_list<std::pair<const char*, int64_t>> list) {
  for (const auto& [name, value] : list) b.constant(name, value);
}

void declare_symbol(SchemaBuilder s) {
  s.string("name");
  s.integer("value");
  s.integer("size");
  s.integer("type");
  s.integer("bind");
  s.integer("shndx");
}

void declare(SchemaBuilder& root) {
  constants(root, {{"ET_NONE", 0}, {"ET_REL", 1}, {"ET_EXEC", 2}, {"ET_DYN", 3}, {"ET_CORE", 4}});
  constants(root, {{"EM_NONE", 0},
                   {"EM_M32", 1},
                   {"EM_SPARC", 2},
                   {"EM_386", 3},
                   {"EM_68K", 4},
                   {"EM_88K", 5},
                   {"EM_860", 7},
                   {"EM_MIPS", 8},
                   {"EM_MIPS_RS3_LE", 10},
                   {"EM_PPC", 20},
                   {"EM_PPC64", 21},
                   {"EM_ARM", 40},
                   {"EM_X86_64", 62},
                   {"EM_AARCH64", 183}});
  constants(root, {{"SHT_NULL", 0},
                   {"SHT_PROGBITS", 1},
                   {"SHT_SYMTAB", 2},
                   {"SHT_STRTAB", 3},
                   {"SHT_RELA", 4},
                   {"SHT_HASH", 5},
                   {"SHT_DYNAMIC", 6},
                   {"SHT_NOTE", 7},
                   {"SHT_NOBITS", 8},
                   {"SHT_REL", 9},
                   {"SHT_SHLIB", 10},
                   {"SHT_DYNSYM", 11}});
  constants(root, {{"SHF_WRITE", 1}, {"SHF_ALLOC", 2}, {"SHF_EXECINSTR", 4}});
  root.integer("type");
  root.integer("machine");
  root.integer("entry_point");
  root.integer("number_of_sections");
  root.integer("sh_offset");
  root.integer("sh_entry_size");
  root.integer("number_of_segments");
  root.integer("ph_offset");
  root.integer("ph_entry_size");
  SchemaBuilder sections = root.struct_array("sections");
  sections.integer("type");
  sections.integer("flags");
  sections.integer("address");
  sections.string("name");
  sections.integer("size");
  sections.integer("offset");
  constants(root, {{"PT_NULL", 0},
                   {"PT_LOAD", 1},
                   {"PT_DYNAMIC", 2},
                   {"PT_INTERP", 3},
                   {"PT_NOTE", 4},
                   {"PT_SHLIB", 5},
                   {"PT_PHDR", 6},
                   {"PT_TLS", 7},
                   {"PT_GNU_EH_FRAME", 0x6474e550},
                   {"PT_GNU_STACK", 0x6474e551}});
  constants(root, {{"DT_NULL", 0},          {"DT_NEEDED", 1},        {"DT_PLTRELSZ", 2},
                   {"DT_PLTGOT", 3},        {"DT_HASH", 4},          {"DT_STRTAB", 5},
                   {"DT_SYMTAB", 6},        {"DT_RELA", 7},          {"DT_RELASZ", 8},
                   {"DT_RELAENT", 9},       {"DT_STRSZ", 10},        {"DT_SYMENT", 11},
                   {"DT_INIT", 12},         {"DT_FINI", 13},         {"DT_SONAME", 14},
                   {"DT_RPATH", 15},        {"DT_SYMBOLIC", 16},     {"DT_REL", 17},
                   {"DT_RELSZ", 18},        {"DT_RELENT", 19},       {"DT_PLTREL", 20},
                   {"DT_DEBUG", 21},        {"DT_TEXTREL", 22},      {"DT_JMPREL", 23},
                   {"DT_BIND_NOW", 24},     {"DT_INIT_ARRAY", 25},   {"DT_FINI_ARRAY", 26},
                   {"DT_INIT_ARRAYSZ", 27}, {"DT_FINI_ARRAYSZ", 28}, {"DT_RUNPATH", 29},
                   {"DT_FLAGS", 30},        {"DT_ENCODING", 32}});
  constants(root, {{"STT_NOTYPE", 0},
                   {"STT_OBJECT", 1},
                   {"STT_FUNC", 2},
                   {"STT_SECTION", 3},
                   {"STT_FILE", 4},
                   {"STT_COMMON", 5},
                   {"STT_TLS", 6}});
  constants(root, {{"STB_LOCAL", 0}, {"STB_GLOBAL", 1}, {"STB_WEAK", 2}});
  constants(root, {{"PF_X", 1}, {"PF_W", 2}, {"PF_R", 4}});
  SchemaBuilder segments = root.struct_array("segments");
  segments.integer("type");
  segments.integer("flags");
  segments.integer("offset");
  segments.integer("virtual_address");
  segments.integer("physical_address");
  segments.integer("file_size");
  segments.integer("memory_size");
  segments.integer("alignment");
  root.integer("dynamic_section_entries");
  SchemaBuilder dynamic = root.struct_array("dynamic");
  dynamic.integer("type");
  dynamic.integer("val");
  root.integer("symtab_entries");
  declare_symbol(root.struct_array("symtab"));
  root.integer("dynsym_entries");
  declare_symbol(root.struct_array("dynsym"));
  root.function("telfhash", "", 's', telfhash_fn);
  root.function("import_md5", "", 's', import_md5_fn);
}

int64_t as_integer(uint64_t v) { return static_cast<int64_t>(v); }

void fill_symbols(const std::optional<elf::SymbolTable>& table, Node& array, Node& count) {
  if (!table) return;
  for (size_t j = 0; j < table->symbols.size(); ++j) {
    const elf::SymbolInfo& s = table->symbols[j];
    Node& n = array.at(j);
    if (s.name) n.set_string("name", *s.name);
    n.set_integer("bind", s.bind);
    n.set_integer("type", s.type);
    n.set_integer("shndx", s.shndx);
    n.set_integer("value", as_integer(s.value));
    n.set_integer("size", as_integer(s.size));
  }
  count.set_integer(static_cast<int64_t>(table->symbols.size()));
}

void load(LoadContext& ctx, Node& root) {
  auto parsed = elf::parse_elf(ctx.data, ctx.is_process);
  if (!parsed) return;
  const elf::ElfInfo& info = *parsed;
  const elf::FileHeader& h = info.header;
  root.set_integer("type", h.type);
  root.set_integer("machine", h.machine);
  root.set_integer("sh_offset", as_integer(h.sh_offset));
  root.set_integer("sh_entry_size", h.sh_entry_size);
  root.set_integer("number_of_sections", h.sh_count);
  root.set_integer("ph_offset", as_integer(h.ph_offset));
  root.set_integer("ph_entry_size", h.ph_entry_size);
  root.set_integer("number_of_segments", h.ph_count);
  if (info.entry_point) {
    // In a process, YARA reports the header's entry plus the region's base.
    uint64_t base = ctx.is_process ? ctx.base_address : 0;
    root.set_integer("entry_point", as_integer(*info.entry_point + base));
  }

  Node& sections = root.field("sections");
  for (size_t i = 0; i < info.sections.size(); ++i) {
    const elf::SectionInfo& s = info.sections[i];
    Node& n = sections.at(i);
    n.set_integer("type", s.header.type);
    n.set_integer("flags", as_integer(s.header.flags));
    n.set_integer("address", as_integer(s.header.address));
    n.set_integer("size", as_integer(s.header.size));
    n.set_integer("offset", as_integer(s.header.offset));
    if (s.name) n.set_string("name", *s.name);
  }
  Node& segments = root.field("segments");
  for (size_t i = 0; i < info.segments.size(); ++i) {
    const elf::Segment& s = info.segments[i];
    Node& n = segments.at(i);
    n.set_integer("type", s.type);
    n.set_integer("flags", s.flags);
    n.set_integer("offset", as_integer(s.offset));
    n.set_integer("virtual_address", as_integer(s.virtual_address));
    n.set_integer("physical_address", as_integer(s.physical_address));
    n.set_integer("file_size", as_integer(s.file_size));
    n.set_integer("memory_size", as_integer(s.memory_size));
    n.set_integer("alignment", as_integer(s.alignment));
  }
  if (info.dynamic) {
    Node& dynamic = root.field("dynamic");
    for (size_t j = 0; j < info.dynamic->size(); ++j) {
      Node& n = dynamic.at(j);
      n.set_integer("type", (*info.dynamic)[j].type);
      n.set_integer("val", as_integer((*info.dynamic)[j].value));
    }
    root.set_integer("dynamic_section_entries", static_cast<int64_t>(info.dynamic->size()));
  }
  fill_symbols(info.symtab, root.field("symtab"), root.field("symtab_entries"));
  fill_symbols(info.dynsym, root.field("dynsym"), root.field("dynsym_entries"));

  if (ctx.state != nullptr) {
    auto state = std::make_unique<ElfState>();
    state->info = std::move(*parsed);
    *ctx.state = std::move(state);
  }
}

}  // namespace

extern const Module kElfModule{"elf", declare, load};

}  // namespace vigie::mod
