// telfhash (Trend Micro's ELF symbol hash) and import_md5.
//
// telfhash keeps global, default-visibility function symbols, drops names that start with '.' or
// '_', end with "64", or start with "str" or "mem" (compiler and libc plumbing that says little
// about the program), and a short list of ubiquitous names; lowercases the rest, sorts them,
// joins them with commas and takes the TLSH of that text, written "t1" + 70 hex digits. When
// TLSH gives no hash (too few names), the result is the empty string.
// import_md5 keeps every named symbol that is undefined in the file (st_shndx == SHN_UNDEF, i.e.
// imported), lowercases, sorts, joins with commas and takes the MD5.
#include "modules/elf/symbol_hashes.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "modules/elf/tlsh.h"
#include "modules/hash/digests.h"

namespace vigie::mod::elf {
namespace {

constexpr uint8_t kSttFunc = 2;
constexpr uint8_t kStbGlobal = 1;
constexpr uint8_t kStvDefault = 0;

const SymbolTable* preferred_table(const ElfInfo& info) {
  if (info.dynsym) return &*info.dynsym;
  if (info.symtab) return &*info.symtab;
  return nullptr;
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string sorted_list(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  std::string out;
  for (size_t k = 0; k < names.size(); ++k) {
    if (k > 0) out += ',';
    out += names[k];
  }
  return out;
}

bool excluded_from_telfhash(std::string_view name) {
  static constexpr std::string_view kCommon[] = {
      "__libc_start_main", "main", "abort", "cachectl",
      "cacheflush",        "puts", "atol",  "malloc_trim"};
  if (name.empty() || name[0] == '.' || name[0] == '_') return true;
  if (name.size() >= 2 && name.substr(name.size() - 2) == "64") return true;
  if (name.starts_with("str") || name.starts_with("mem")) return true;
  return std::find(std::begin(kCommon), std::end(kCommon), name) != std::end(kCommon);
}

}  // namespace

std::optional<std::string> telfhash(const ElfInfo& info) {
  const SymbolTable* table = preferred_table(info);
  if (table == nullptr) return std::nullopt;
  std::vector<std::string> names;
  for (const SymbolInfo& s : table->symbols) {
    if (!s.name || s.bind != kStbGlobal || s.type != kSttFunc || s.visibility != kStvDefault) {
      continue;
    }
    if (excluded_from_telfhash(*s.name)) continue;
    names.push_back(lowercase(*s.name));
  }
  std::string text = sorted_list(std::move(names));
  auto digest = tlsh_digest({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  return digest ? "t1" + *digest : std::string();
}

std::optional<std::string> import_md5(const ElfInfo& info) {
  const SymbolTable* table = preferred_table(info);
  if (table == nullptr) return std::nullopt;
  std::vector<std::string> names;
  for (const SymbolInfo& s : table->symbols) {
    if (!s.name || s.name->empty() || s.shndx != 0) continue;
    names.push_back(lowercase(*s.name));
  }
  std::string text = sorted_list(std::move(names));
  return hash::hex_digest(hash::Algorithm::kMd5,
                          {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

}  // namespace vigie::mod::elf
