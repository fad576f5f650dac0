// Functions of the pe module. Each returns undefined when the scanned data is not a PE (no
// state) or an argument is undefined, as YARA's do. DLL and function names compare without
// regard to case; regular expressions match as written (use /i for case-insensitivity).
#include <strings.h>

#include "modules/pe/pe_module.h"

namespace vigie::mod::pe_module {
namespace {

using vigie::pe::ImportDll;
using vigie::pe::PeFile;

constexpr int64_t kImportStandard = 1;
constexpr int64_t kImportDelayed = 2;

bool undefined_args(std::span<const Value> args) {
  for (const Value& v : args) {
    if (!v.defined()) return true;
  }
  return false;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool matches(const Value& re, std::string_view text) {
  return re.regex != nullptr && re::regex_search(*re.regex, text);
}

// Walks the import lists selected by `flags`, calling fn(dll, function) for each function.
template <typename Fn>
void for_each_import(const PeFile& pe, int64_t flags, Fn fn) {
  if (flags & kImportStandard) {
    for (const ImportDll& d : pe.imports)
      for (const auto& f : d.functions) fn(d, f);
  }
  if (flags & kImportDelayed) {
    for (const ImportDll& d : pe.delayed_imports)
      for (const auto& f : d.functions) fn(d, f);
  }
}

// The imports() overloads, after the optional flag argument has been split off.
Value imports_impl(const PeFile& pe, int64_t flags, std::span<const Value> args,
                   std::string_view params) {
  int64_t count = 0;
  if (params == "ss") {
    for_each_import(pe, flags, [&](const ImportDll& d, const auto& f) {
      if (iequals(d.name, args[0].s) && iequals(f.name, args[1].s)) ++count;
    });
    return Value::integer(count > 0);
  }
  if (params == "si") {
    for_each_import(pe, flags, [&](const ImportDll& d, const auto& f) {
      if (iequals(d.name, args[0].s) && f.ordinal && *f.ordinal == args[1].i) ++count;
    });
    return Value::integer(count > 0);
  }
  if (params == "s") {
    for_each_import(pe, flags, [&](const ImportDll& d, const auto&) {
      if (iequals(d.name, args[0].s)) ++count;
    });
    return Value::integer(count);
  }
  // "rr"
  for_each_import(pe, flags, [&](const ImportDll& d, const auto& f) {
    if (matches(args[0], d.name) && matches(args[1], f.name)) ++count;
  });
  return Value::integer(count);
}

template <int kFlags, char kP0, char kP1>
Value imports_fixed(CallContext& ctx, std::span<const Value> args) {
  const PeState* st = pe_state(ctx);
  if (!st || undefined_args(args)) return Value::undefined();
  const char p[3] = {kP0, kP1, 0};
  return imports_impl(st->pe, kFlags, args, p);
}

template <char kP0, char kP1>
Value imports_flagged(CallContext& ctx, std::span<const Value> args) {
  const PeState* st = pe_state(ctx);
  if (!st || undefined_args(args)) return Value::undefined();
  const char p[3] = {kP0, kP1, 0};
  return imports_impl(st->pe, args[0].i, args.subspan(1), p);
}

template <bool kDelayed>
Value import_rva(CallContext& ctx, std::span<const Value> args) {
  const PeState* st = pe_state(ctx);
  if (!st || undefined_args(args)) return Value::undefined();
  const auto& dlls = kDelayed ? st->pe.delayed_imports : st->pe.imports;
  for (const ImportDll& d : dlls) {
    if (!iequals(d.name, args[0].s)) continue;
    for (const auto& f : d.functions) {
      bool hit = args[1].tag == Value::Tag::kString ? iequals(f.name, args[1].s)
                                                    : (f.ordinal && *f.ordinal == args[1].i);
      if (hit) return f.rva ? Value::integer(static_cast<int64_t>(*f.rva)) : Value::undefined();
    }
  }
  return Value::undefined();
}

// Index of the first export matching args[0] (name, ordinal or regex), or -1.
int64_t find_export(const PeFile& pe, const Value& arg) {
  for (size_t i = 0; i < pe.exports.size(); ++i) {
    const auto& e = pe.exports[i];
    bool hit = false;
    switch (arg.tag) {
      case Value::Tag::kString:
        hit = e.name && iequals(*e.name, arg.s);
        break;
      case Value::Tag::kInteger:
        hit = e.ordinal == arg.i;
        break;
      case Value::Tag::kRegex:
        hit = e.name && matches(arg, *e.name);
        break;
      default:
        break;
    }
    if (hit) return static_cast<int64_t>(i);
  }
  return -1;
}

Value exports(CallContext& ctx, std::span<const Value> args) {
  const PeState* st = pe_state(ctx);
  if (!st || undefined_args(args)) return Value::undefined();
  return Value::integer(find_export(st->pe, args[0]) >= 0);
}

Value exports_index(CallContext& ctx, std::span<const Value> args) {
  const PeState* st = pe_state(ctx);
  if (!st || undefined_args(args)) return Value::undefined();
  int64_t i = find_export(st->pe, args[0]);
  return i >= 0 ? Value::integer(i) : Value::undefined();
}

Value section_index_name(CallContext& ctx, std::span<const Value> args) {
  const PeState* st = pe_state(ctx);
  if (!st || undefined_args(args)) return Value::undefined();
  for (size_t i = 0; i < st->pe.sections.size(); ++i) {
    if (st->pe.sections[i].name == args[0].s) return Value::integer(static_cast<int64_t>(i));
  }
  return Value::undefined();
}

Value section_index_addr(CallContext& ctx, std::span<const Value> args) {
  const PeState* st = pe_state(ctx);
  if (!st || undefined_args(args)) return Value::undefined();
  int64_t addr = args[0].i;
  for (size_t i = 0; i < st->pe.sections.size(); ++i) {
    const auto& s = st->pe.sections[i];
    int64_t begin = st->is_process ? s.virtual_address : s.raw_data_offset;
    int64_t size = st->is_process ? s.virtual_size : s.raw_data_size;
    if (addr >= begin && addr < begin + size) return Value::integer(static_cast<int64_t>(i));
  }
  return Value::undefined();
}

Value locale(CallContext& ctx, std::span<const Value> args) {
  const PeState* st = pe_state(ctx);
  if (!st || undefined_args(args)) return Value::undefined();
  for (const auto& r : st->pe.resources) {
    if (r.language && *r.language == args[0].i) return Value::integer(1);
  }
  return Value::integer(0);
}

Value language(CallContext& ctx, std::span<const Value> args) {
  const PeState* st = pe_state(ctx);
  if (!st || undefined_args(args)) return Value::undefined();
  for (const auto& r : st->pe.resources) {
    if (r.language && (*r.language & 0xff) == args[0].i) return Value::integer(1);
  }
  return Value::integer(0);
}

Value imphash(CallContext& ctx, std::span<const Value>) {
  const PeState* st = pe_state(ctx);
  if (!st) return Value::undefined();
  return Value::string(vigie::pe::imphash(st->pe));
}

Value is_dll(CallContext& ctx, std::span<const Value>) {
  const PeState* st = pe_state(ctx);
  // The DLL bit itself (0x2000), not 1: rules compare it with `pe.DLL` as well as use it as a
  // boolean.
  return st ? Value::integer(st->pe.characteristics & vigie::pe::kCharacteristicDll)
            : Value::undefined();
}

Value is_32bit(CallContext& ctx, std::span<const Value>) {
  const PeState* st = pe_state(ctx);
  return st ? Value::integer(st->pe.opthdr_magic == vigie::pe::kMagicPe32) : Value::undefined();
}

Value is_64bit(CallContext& ctx, std::span<const Value>) {
  const PeState* st = pe_state(ctx);
  return st ? Value::integer(st->pe.opthdr_magic == vigie::pe::kMagicPe64) : Value::undefined();
}

Value rva_to_offset(CallContext& ctx, std::span<const Value> args) {
  const PeState* st = pe_state(ctx);
  if (!st || undefined_args(args) || args[0].i < 0) return Value::undefined();
  auto off = st->pe.rva_to_offset(static_cast<uint64_t>(args[0].i));
  return off ? Value::integer(static_cast<int64_t>(*off)) : Value::undefined();
}

Value calculate_checksum(CallContext& ctx, std::span<const Value>) {
  const PeState* st = pe_state(ctx);
  if (!st) return Value::undefined();
  return Value::integer(vigie::pe::calculate_checksum(st->pe));
}

// rich_signature.toolid(t [, v]) and rich_signature.version(v [, t]): sum of the counts of the
// records that match.
template <bool kToolFirst>
Value rich_count(CallContext& ctx, std::span<const Value> args) {
  const PeState* st = pe_state(ctx);
  if (!st || undefined_args(args) || !st->pe.rich) return Value::undefined();
  int64_t sum = 0;
  for (const auto& e : st->pe.rich->entries) {
    int64_t first = kToolFirst ? e.toolid : e.version;
    int64_t second = kToolFirst ? e.version : e.toolid;
    if (first == args[0].i && (args.size() < 2 || second == args[1].i)) sum += e.count;
  }
  return Value::integer(sum);
}

}  // namespace

Value rich_toolid(CallContext& ctx, std::span<const Value> args) {
  return rich_count<true>(ctx, args);
}
Value rich_version(CallContext& ctx, std::span<const Value> args) {
  return rich_count<false>(ctx, args);
}

void declare_functions(SchemaBuilder& root) {
  root.function("imports", "ss", 'i', imports_fixed<kImportStandard, 's', 's'>);
  root.function("imports", "si", 'i', imports_fixed<kImportStandard, 's', 'i'>);
  root.function("imports", "s", 'i', imports_fixed<kImportStandard, 's', 0>);
  root.function("imports", "rr", 'i', imports_fixed<kImportStandard, 'r', 'r'>);
  root.function("imports", "iss", 'i', imports_flagged<'s', 's'>);
  root.function("imports", "isi", 'i', imports_flagged<'s', 'i'>);
  root.function("imports", "is", 'i', imports_flagged<'s', 0>);
  root.function("imports", "irr", 'i', imports_flagged<'r', 'r'>);
  root.function("import_rva", "ss", 'i', import_rva<false>);
  root.function("import_rva", "si", 'i', import_rva<false>);
  root.function("delayed_import_rva", "ss", 'i', import_rva<true>);
  root.function("delayed_import_rva", "si", 'i', import_rva<true>);
  root.function("exports", "s", 'i', exports);
  root.function("exports", "i", 'i', exports);
  root.function("exports", "r", 'i', exports);
  root.function("exports_index", "s", 'i', exports_index);
  root.function("exports_index", "i", 'i', exports_index);
  root.function("exports_index", "r", 'i', exports_index);
  root.function("section_index", "s", 'i', section_index_name);
  root.function("section_index", "i", 'i', section_index_addr);
  root.function("locale", "i", 'i', locale);
  root.function("language", "i", 'i', language);
  root.function("imphash", "", 's', imphash);
  root.function("is_dll", "", 'i', is_dll);
  root.function("is_32bit", "", 'i', is_32bit);
  root.function("is_64bit", "", 'i', is_64bit);
  root.function("rva_to_offset", "i", 'i', rva_to_offset);
  root.function("calculate_checksum", "", 'i', calculate_checksum);
}

}  // namespace vigie::mod::pe_module
