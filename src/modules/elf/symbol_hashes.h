// Hashes of an ELF file's symbol names: telfhash (TLSH of the exported/imported function names)
// and import_md5 (MD5 of the imported symbol names).
#pragma once

#include <optional>
#include <string>

#include "modules/elf/elf_parse.h"

namespace vigie::mod::elf {

// Both read .dynsym when the file has one, else .symtab; nullopt when it has neither.
std::optional<std::string> telfhash(const ElfInfo& info);
std::optional<std::string> import_md5(const ElfInfo& info);

}  // namespace vigie::mod::elf
