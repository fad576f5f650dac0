#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <sstream>

#include "modules/elf/elf_parse.h"
#include "modules/elf/symbol_hashes.h"
#include "modules/elf/tlsh.h"
#include "modules/testing/module_harness.h"

namespace vigie::mod {
namespace {

using testing::Harness;

std::string testdata(const std::string& name) {
  return std::string(VIGIE_SOURCE_DIR) + "/src/modules/elf/testdata/" + name;
}

std::vector<std::string> reference_files() {
  std::vector<std::string> files;
  for (const char* name :
       {"i386_rel.o", "mips_rel.o", "ppc64_rel.o", "aarch64_rel.o", "i386_exec", "i386_shared.so",
        "mips_shared.so", "i386_exec_entry_outside_segments"}) {
    files.push_back(testdata(name));
  }
  for (const char* host : {"/usr/bin/ls", "/usr/bin/yara", "/lib/x86_64-linux-gnu/libc.so.6",
                           "/usr/lib/x86_64-linux-gnu/libmagic.so.1"}) {
    if (!testing::read_file(host).empty()) files.push_back(host);
  }
  return files;
}

TEST(Elf, DumpMatchesYara) {
  for (const std::string& file : reference_files()) {
    Harness h("elf", testing::read_file(file));
    ASSERT_FALSE(h.data().empty()) << file;
    std::string expected = testing::yara_dump("elf", file);
    ASSERT_FALSE(expected.empty()) << "the reference yara did not run on " << file;
    EXPECT_EQ(testing::first_difference(dump_yara_format("elf", h.root()), expected), "") << file;
  }
}

TEST(Elf, EntrypointKeywordMatchesYara) {
  for (const std::string& file : reference_files()) {
    uint64_t offset = 0;
    ASSERT_TRUE(entry_point_offset(testing::read_file(file), &offset)) << file;
    EXPECT_TRUE(testing::yara_true(
        "rule vigie_rule { condition: entrypoint == " + std::to_string(offset) + " }", file))
        << file << " " << offset;
  }
}

TEST(Elf, NotAnElfLeavesEverythingUndefined) {
  Harness h("elf", {'M', 'Z', 0, 0});
  EXPECT_FALSE(h.root().find_field("type")->defined);
  EXPECT_FALSE(h.call("import_md5", "", {}).defined());
  EXPECT_FALSE(h.call("telfhash", "", {}).defined());
  EXPECT_EQ(dump_yara_format("elf", h.root()),
            testing::yara_dump("elf", std::string(VIGIE_SOURCE_DIR) + "/CMakeLists.txt"));
}

// import_md5 recomputed from the symbols yara itself reports: undefined (shndx 0), named,
// lowercased, sorted, comma-joined.
TEST(Elf, ProcessMemoryReadsOnlyExecutables) {
  auto exec = elf::parse_elf(testing::read_file(testdata("i386_exec")), /*is_process=*/true);
  ASSERT_TRUE(exec.has_value());
  EXPECT_EQ(exec->entry_point, exec->header.entry);
  EXPECT_FALSE(elf::parse_elf(testing::read_file(testdata("i386_shared.so")), true).has_value());
  EXPECT_TRUE(elf::parse_elf(testing::read_file(testdata("i386_shared.so")), false).has_value());
}

TEST(Elf, ProcessEntryPointIsAnAddress) {
  std::vector<uint8_t> exec = testing::read_file(testdata("i386_exec"));
  auto info = elf::parse_elf(exec, true);
  ASSERT_TRUE(info.has_value());
  Harness h("elf", exec, {}, 0x400000, true);
  ASSERT_TRUE(h.root().find_field("entry_point")->defined);
  EXPECT_EQ(static_cast<uint64_t>(h.root().find_field("entry_point")->i),
            info->header.entry + 0x400000);
}

TEST(Elf, ImportMd5FromYarasSymbols) {
  for (const std::string& file : {std::string("/usr/bin/ls"), testdata("i386_shared.so")}) {
    std::string dump = testing::yara_dump("elf", file);
    std::istringstream in(dump);
    std::vector<std::string> names;
    std::string line, name;
    bool in_dynsym = false;
    while (std::getline(in, line)) {
      if (line == "\tdynsym")
        in_dynsym = true;
      else if (line.size() > 1 && line[0] == '\t' && line[1] != '\t')
        in_dynsym = false;
      if (!in_dynsym) continue;
      if (line.starts_with("\t\t\tname = \"")) name = line.substr(11, line.size() - 12);
      if (line == "\t\t\tshndx = 0" && !name.empty()) {
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        names.push_back(name);
      }
    }
    ASSERT_FALSE(names.empty()) << file;
    std::sort(names.begin(), names.end());
    std::string joined;
    for (size_t k = 0; k < names.size(); ++k) joined += (k ? "," : "") + names[k];
    Harness hash("hash", {});
    Value expected = hash.call("md5", "s", {Value::string(joined)});
    Harness h("elf", testing::read_file(file));
    EXPECT_EQ(h.call("import_md5", "", {}).s, expected.s) << file;
  }
}

TEST(Elf, TelfhashShape) {
  Harness ls("elf", testing::read_file("/usr/bin/ls"));
  Value t = ls.call("telfhash", "", {});
  ASSERT_TRUE(t.defined());
  EXPECT_EQ(t.s.size(), 72u);
  EXPECT_TRUE(t.s.starts_with("t1"));
  EXPECT_EQ(t.s.find_first_not_of("0123456789abcdef", 2), std::string::npos);
  // Too few function names for TLSH: the empty string, as YARA gives.
  Harness small("elf", testing::read_file(testdata("i386_shared.so")));
  EXPECT_EQ(small.call("telfhash", "", {}).s, "");
}

TEST(Elf, TelfhashSelectsGlobalDefaultFunctions) {
  elf::ElfInfo info;
  info.dynsym.emplace();
  auto add = [&](std::string name, uint8_t type, uint8_t bind, uint8_t vis = 0) {
    elf::SymbolInfo s;
    s.name = std::move(name);
    s.type = type;
    s.bind = bind;
    s.visibility = vis;
    info.dynsym->symbols.push_back(s);
  };
  // The names telfhash keeps, and decoys it must drop.
  const char* kept[] = {"socket", "connect", "Bind",          "listen", "accept",
                        "fork",   "execve",  "kill",          "getpid", "printf",
                        "fopen",  "fclose",  "pthread_create"};
  for (const char* n : kept) add(n, 2, 1);
  add("_init", 2, 1);
  add(".hidden", 2, 1);
  add("lseek64", 2, 1);
  add("strcpy", 2, 1);
  add("memcpy", 2, 1);
  add("main", 2, 1);
  add("data_object", 1, 1);
  add("weak_fn", 2, 2);
  add("protected_fn", 2, 1, 3);
  std::string joined =
      "accept,bind,connect,execve,fclose,fopen,fork,getpid,kill,listen,printf,"
      "pthread_create,socket";
  ASSERT_GE(joined.size(), 50u);
  auto digest = elf::tlsh_digest({reinterpret_cast<const uint8_t*>(joined.data()), joined.size()});
  auto t = elf::telfhash(info);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, digest ? "t1" + *digest : std::string());
}

TEST(Elf, ParserSurvivesCorruption) {
  // Flip bytes and truncate real files; the parser must stay inside the data (run under ASan
  // in the asan preset) and never report more entries than the caps.
  std::vector<uint8_t> base = testing::read_file(testdata("i386_shared.so"));
  ASSERT_FALSE(base.empty());
  uint32_t seed = 12345;
  for (int round = 0; round < 1500; ++round) {
    std::vector<uint8_t> d = base;
    int flips = 1 + round % 8;
    for (int k = 0; k < flips; ++k) {
      seed = seed * 1103515245 + 12345;
      size_t pos = (seed >> 8) % d.size();
      seed = seed * 1103515245 + 12345;
      d[pos] = static_cast<uint8_t>(seed >> 16);
    }
    if (round % 5 == 0) d.resize((seed >> 4) % d.size());
    auto info = elf::parse_elf(d, false);
    if (!info) continue;
    EXPECT_LE(info->sections.size(), elf::kMaxSections);
    if (info->symtab) {
      EXPECT_LE(info->symtab->symbols.size(), elf::kMaxSymbols);
    }
    Harness h("elf", d);
    (void)h.call("telfhash", "", {});
    (void)h.call("import_md5", "", {});
    (void)dump_yara_format("elf", h.root());
  }
}

}  // namespace
}  // namespace vigie::mod
