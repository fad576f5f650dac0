// The pe module against Debian's yara 4.2.3 on real PE files (from Debian packages, see
// scripts/fetch-test-binaries.sh) and on a hand-built PE, field by field; its functions; and
// damaged files, which must give undefined fields and no crash.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <regex>

#include "modules/module.h"
#include "modules/pe/dump_map.h"
#include "modules/pe/pe_file.h"
#include "modules/pe/pe_test_pe.h"
#include "modules/pe/test_binaries.h"
#include "modules/testing/yara_reference.h"

namespace vigie::mod {
namespace {

using vigie::pe::testing::dump_map;
using vigie::pe::testing::test_binary;

const Module& pe_mod() {
  const Module* m = find_module("pe");
  if (m == nullptr) std::abort();
  return *m;
}

struct Loaded {
  Node root;
  std::unique_ptr<ModuleState> state;
};

std::unique_ptr<Loaded> load(std::span<const uint8_t> data) {
  auto l = std::make_unique<Loaded>();
  l->root = Node(&schema_of(pe_mod()).root());
  LoadContext ctx;
  ctx.data = data;
  ctx.state = &l->state;
  pe_mod().load(ctx, l->root);
  return l;
}

Value call(Loaded& l, std::span<const uint8_t> data, std::string_view name,
           const std::string& params, std::vector<Value> args) {
  const Type& t = schema_of(pe_mod()).root();
  int k = t.structure->index_of(name);
  if (k < 0) {
    ADD_FAILURE() << "no function " << name;
    return Value::undefined();
  }
  for (const Overload& o : t.structure->fields[k].type->overloads) {
    if (o.params != params) continue;
    CallContext ctx;
    ctx.data = data;
    ctx.parent = &l.root;
    ctx.root = &l.root;
    ctx.state = l.state.get();
    return o.fn(ctx, args);
  }
  ADD_FAILURE() << "no overload " << name << "(" << params << ")";
  return Value::undefined();
}

std::string write_temp(const std::vector<uint8_t>& data) {
  char path[] = "/tmp/vigie_pe_test_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return "";
  (void)!write(fd, data.data(), data.size());
  close(fd);
  return path;
}

// yara 4.2.3 numbers imported functions across all DLLs of a file (a bug fixed in 4.3): give
// them per-DLL indices again so both dumps name the same field the same way.
std::map<std::string, std::string> renumber_functions(
    const std::map<std::string, std::string>& in) {
  static const std::regex fn(
      R"(^(pe\.(?:import_details|delay_import_details)\[\d+\]\.functions)\[(\d+)\](.*)$)");
  std::map<std::string, std::map<long, long>> index;  // prefix -> old -> new
  for (const auto& [k, v] : in) {
    std::smatch m;
    if (std::regex_match(k, m, fn)) index[m[1]][std::stol(m[2])] = 0;
  }
  for (auto& [prefix, olds] : index) {
    long n = 0;
    for (auto& [old, nu] : olds) nu = n++;
  }
  static const std::regex count(
      R"(^(pe\.(?:import_details|delay_import_details)\[\d+\])\.number_of_functions$)");
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : in) {
    std::smatch m;
    if (std::regex_match(k, m, count)) {
      // Also a running total in 4.2.3: count the library's own functions instead.
      out[k] = std::to_string(index[std::string(m[1]) + ".functions"].size());
    } else if (std::regex_match(k, m, fn)) {
      out[std::string(m[1]) + "[" + std::to_string(index[m[1]][std::stol(m[2])]) + "]" +
          std::string(m[3])] = v;
    } else {
      out[k] = v;
    }
  }
  return out;
}

// Compares every field yara prints with ours; returns the number of fields compared.
size_t compare_with_yara(const std::string& path, const std::vector<uint8_t>& data) {
  auto ours = dump_map(dump_yara_format("pe", load(data)->root));
  auto theirs = renumber_functions(dump_map(testing::yara_dump("pe", path)));
  EXPECT_GT(theirs.size(), 100u) << "yara printed no pe dump for " << path;
  size_t compared = 0;
  for (const auto& [key, value] : theirs) {
    // yara 4.2.3 has the signer certificate's fields of each signature (a subset of 4.5's).
    auto it = ours.find(key);
    if (it == ours.end()) {
      ADD_FAILURE() << path << ": missing " << key << " = " << value;
      continue;
    }
    EXPECT_EQ(it->second, value) << path << ": " << key;
    ++compared;
  }
  return compared;
}

const char* kSamples[] = {
    "usr/i686-w64-mingw32/lib/zlib1.dll",
    "usr/x86_64-w64-mingw32/lib/zlib1.dll",
    "usr/share/win32/win32-loader.exe",
    "usr/lib/shim/shimx64.efi.signed",
    "usr/lib/mono-cecil/Mono.Cecil.dll",
    "usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed",
    "usr/lib/cli/Be.Windows.Forms.HexBox/Be.Windows.Forms.HexBox.dll",
};

TEST(PeModule, MatchesYaraOnDebianBinaries) {
  for (const char* rel : kSamples) {
    std::string path = test_binary(rel);
    auto data = testing::read_file(path);
    ASSERT_FALSE(data.empty()) << "missing test binary " << path;
    size_t n = compare_with_yara(path, data);
    EXPECT_GT(n, 250u) << path;
  }
}

// The signed EFI images: signatures verify, and a changed byte breaks the file digest.
TEST(PeModule, AuthenticodeSignatures) {
  for (const char* rel :
       {"usr/lib/shim/shimx64.efi.signed", "usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed"}) {
    auto data = testing::read_file(test_binary(rel));
    ASSERT_FALSE(data.empty());
    auto l = load(data);
    Node& root = l->root;
    ASSERT_GE(root.field("number_of_signatures").i, 1) << rel;
    EXPECT_EQ(root.field("is_signed").i, 1) << rel;
    Node& sig = root.field("signatures").at(0);
    EXPECT_EQ(sig.field("verified").i, 1) << rel;
    EXPECT_EQ(sig.field("digest_alg").s, "sha256");
    EXPECT_EQ(sig.field("digest").s, sig.field("file_digest").s);
    EXPECT_GE(sig.field("number_of_certificates").i, 1);
    EXPECT_GE(sig.field("signer_info").field("length_of_chain").i, 1);
    EXPECT_EQ(sig.field("signer_info").field("chain").at(0).field("thumbprint").s,
              sig.field("thumbprint").s);
    int64_t t = (sig.field("not_before").i + sig.field("not_after").i) / 2;
    const Type& st = *root.field("signatures").type->element;
    int k = st.structure->index_of("valid_on");
    ASSERT_GE(k, 0);
    CallContext ctx;
    ctx.parent = &sig;
    std::vector<Value> args = {Value::integer(t)};
    EXPECT_EQ(st.structure->fields[k].type->overloads[0].fn(ctx, args).i, 1);
    args = {Value::integer(sig.field("not_after").i + 1)};
    EXPECT_EQ(st.structure->fields[k].type->overloads[0].fn(ctx, args).i, 0);

    if (std::string(rel).find("shim") != std::string::npos) {
      // An RFC 3161 timestamp from Microsoft's time-stamping service.
      ASSERT_GE(sig.field("number_of_countersignatures").i, 1);
      Node& cs = sig.field("countersignatures").at(0);
      EXPECT_EQ(cs.field("verified").i, 1);
      EXPECT_EQ(cs.field("digest_alg").s, "sha256");
      EXPECT_GE(cs.field("sign_time").i, sig.field("not_before").i);
      EXPECT_LE(cs.field("sign_time").i, sig.field("not_after").i);
      EXPECT_GE(cs.field("length_of_chain").i, 1);
    }

    data[0x200] ^= 1;  // inside the first section: covered by the digest
    auto broken = load(data);
    EXPECT_EQ(broken->root.field("is_signed").i, 0) << rel;
    EXPECT_NE(broken->root.field("signatures").at(0).field("file_digest").s,
              broken->root.field("signatures").at(0).field("digest").s);
  }
}

// Damaged certificate tables: no crash, and what cannot be read is not reported.
TEST(PeModule, DamagedSignaturesAreSafe) {
  auto data = testing::read_file(test_binary("usr/lib/shim/shimx64.efi.signed"));
  ASSERT_FALSE(data.empty());
  auto l = load(data);
  Node& dir = l->root.field("data_directories").at(4);
  const size_t table = static_cast<size_t>(dir.field("virtual_address").i);
  const size_t size = static_cast<size_t>(dir.field("size").i);
  ASSERT_LE(table + size, data.size());
  std::mt19937 rng(7);
  for (int iter = 0; iter < 150; ++iter) {
    auto m = data;
    for (int k = 0; k < 4; ++k) m[table + rng() % size] = static_cast<uint8_t>(rng());
    auto broken = load(m);
    EXPECT_LE(broken->root.field("number_of_signatures").i, 16);
  }
  // The table cut in the middle of the first PKCS#7 blob: nothing decodes.
  std::vector<uint8_t> cut(data.begin(), data.begin() + static_cast<long>(table + 512));
  auto c = load(cut);
  EXPECT_EQ(c->root.field("number_of_signatures").i, 0);
  EXPECT_EQ(c->root.field("is_signed").i, 0);
  // A WIN_CERTIFICATE length larger than the table: the record is not read.
  auto m = data;
  m[table + 3] = 0x7f;
  auto big = load(m);
  EXPECT_EQ(big->root.field("number_of_signatures").i, 0);
}

TEST(PeModule, MatchesYaraOnHandBuiltPe) {
  auto data = vigie::pe::testing::build_test_pe();
  std::string path = write_temp(data);
  size_t n = compare_with_yara(path, data);
  EXPECT_GT(n, 250u);
  auto l = load(data);
  Node& root = l->root;
  EXPECT_EQ(root.field("number_of_imports").i, 2);
  EXPECT_EQ(root.field("import_details").at(1).field("functions").at(0).field("name").s,
            "WSAStartup");
  EXPECT_EQ(root.field("rich_signature").field("key").i, 0x11223344);
  EXPECT_EQ(root.field("version_info").entry("CompanyName").s, "Vigie");
  EXPECT_EQ(root.field("pdb_path").s, "C:\\x\\test.pdb");
  EXPECT_EQ(root.field("number_of_delayed_imports").i, 1);
  EXPECT_EQ(root.field("export_details").at(2).field("forward_name").s, "NTDLL.RtlFoo");
  // An unused slot of the function table is listed too, as yara lists it.
  EXPECT_EQ(root.field("number_of_exports").i, 4);
  EXPECT_EQ(root.field("export_details").at(3).field("ordinal").i, 4);
  EXPECT_EQ(root.field("export_details").at(3).field("offset").i, 0);
  EXPECT_EQ(root.field("number_of_resources").i, 2);
  EXPECT_EQ(root.field("resources").at(0).field("type_string").s,
            std::string("M\0Y\0T\0Y\0P\0E\0", 12));
  unlink(path.c_str());
}

// Delayed imports described by an old linker: virtual addresses instead of RVAs.
TEST(PeModule, DelayedImportsWithVirtualAddresses) {
  auto data = vigie::pe::testing::build_test_pe();
  auto put = [&](size_t o, uint32_t v) {
    for (int i = 0; i < 4; ++i) data[o + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  const size_t d = 0x200 + 0x600;  // the descriptor, at RVA 0x1600
  const uint32_t base = 0x10000000;
  put(d, 0);  // attributes: addresses are VAs
  put(d + 4, base + 0x1640);
  put(d + 12, base + 0x1660);
  put(d + 16, base + 0x1650);
  std::string path = write_temp(data);
  compare_with_yara(path, data);
  auto l = load(data);
  Node& lib = l->root.field("delayed_import_details").at(0);
  EXPECT_EQ(lib.field("library_name").s, "USER32.dll");
  EXPECT_EQ(lib.field("functions").at(0).field("name").s, "MessageBoxA");
  EXPECT_EQ(lib.field("functions").at(0).field("rva").i, 0x1660);
  EXPECT_EQ(lib.field("functions").at(1).field("ordinal").i, 5);
  unlink(path.c_str());
}

// Each function, and its value compared with what yara computes on the same file.
TEST(PeModule, FunctionsAgreeWithYara) {
  auto data = vigie::pe::testing::build_test_pe();
  std::string path = write_temp(data);
  auto l = load(data);
  auto s = [](std::string v) { return Value::string(std::move(v)); };
  auto i = [](int64_t v) { return Value::integer(v); };
  std::string hash = call(*l, data, "imphash", "", {}).s;
  EXPECT_EQ(hash.size(), 32u);
  EXPECT_TRUE(testing::yara_true(
      "import \"pe\" rule vigie_rule { condition: pe.imphash() == \"" + hash + "\" }", path));
  struct Case {
    std::string name, params;
    std::vector<Value> args;
    std::string yara;  // the same call in rule syntax
  };
  std::vector<Case> cases = {
      {"imports", "ss", {s("kernel32.DLL"), s("sleep")}, "pe.imports(\"kernel32.DLL\", \"sleep\")"},
      {"imports", "s", {s("kernel32.dll")}, "pe.imports(\"kernel32.dll\")"},
      {"imports", "si", {s("ws2_32.dll"), i(115)}, "pe.imports(\"ws2_32.dll\", 115)"},
      {"imports", "si", {s("ws2_32.dll"), i(116)}, "pe.imports(\"ws2_32.dll\", 116)"},
      {"imports",
       "iss",
       {i(2), s("kernel32.dll"), s("Sleep")},
       "pe.imports(pe.IMPORT_DELAYED, \"kernel32.dll\", \"Sleep\")"},
      {"imports", "is", {i(-1), s("ws2_32.dll")}, "pe.imports(pe.IMPORT_ANY, \"ws2_32.dll\")"},
      {"imports",
       "iss",
       {i(2), s("user32.dll"), s("messageboxa")},
       "pe.imports(pe.IMPORT_DELAYED, \"user32.dll\", \"messageboxa\")"},
      {"imports",
       "isi",
       {i(-1), s("USER32.dll"), i(5)},
       "pe.imports(pe.IMPORT_ANY, \"USER32.dll\", 5)"},
      {"imports",
       "ss",
       {s("user32.dll"), s("MessageBoxA")},
       "pe.imports(\"user32.dll\", \"MessageBoxA\")"},
      {"exports", "i", {i(3)}, "pe.exports(3)"},
      {"exports", "s", {s("foo")}, "pe.exports(\"foo\")"},
      {"exports", "i", {i(1)}, "pe.exports(1)"},
      {"exports", "i", {i(3)}, "pe.exports(3)"},
      {"exports_index", "s", {s("Foo")}, "pe.exports_index(\"Foo\")"},
      {"exports_index", "i", {i(1)}, "pe.exports_index(1)"},
      {"section_index", "s", {s(".text")}, "pe.section_index(\".text\")"},
      {"section_index", "i", {i(0x300)}, "pe.section_index(0x300)"},
      {"locale", "i", {i(0x409)}, "pe.locale(0x409)"},
      {"language", "i", {i(9)}, "pe.language(9)"},
      {"language", "i", {i(7)}, "pe.language(7)"},
      {"is_dll", "", {}, "pe.is_dll()"},
      {"is_32bit", "", {}, "pe.is_32bit()"},
      {"is_64bit", "", {}, "pe.is_64bit()"},
      {"rva_to_offset", "i", {i(0x1100)}, "pe.rva_to_offset(0x1100)"},
      {"rva_to_offset", "i", {i(0x10)}, "pe.rva_to_offset(0x10)"},
      {"calculate_checksum", "", {}, "pe.calculate_checksum()"},
  };
  for (const Case& c : cases) {
    Value v = call(*l, data, c.name, c.params, c.args);
    ASSERT_TRUE(v.defined()) << c.yara;
    std::string rule = "import \"pe\" rule vigie_rule { condition: " + c.yara +
                       " == " + std::to_string(v.i) + " }";
    EXPECT_TRUE(testing::yara_true(rule, path)) << c.yara << " = " << v.i;
  }
  // Rich signature functions live in pe.rich_signature.
  EXPECT_TRUE(testing::yara_true(
      "import \"pe\" rule vigie_rule { condition: pe.rich_signature.toolid(0x104) == 5 and "
      "pe.rich_signature.version(21022) == 7 and pe.rich_signature.toolid(0x93, 21022) == 7 }",
      path));
  unlink(path.c_str());
}

TEST(PeModule, NotAPeLeavesEverythingUndefinedButIsPe) {
  std::vector<uint8_t> text = {'h', 'e', 'l', 'l', 'o'};
  auto l = load(text);
  EXPECT_TRUE(l->root.field("is_pe").defined);
  EXPECT_EQ(l->root.field("is_pe").i, 0);
  EXPECT_FALSE(l->root.field("number_of_sections").defined);
  EXPECT_FALSE(call(*l, text, "imphash", "", {}).defined());
  EXPECT_FALSE(call(*l, text, "is_dll", "", {}).defined());
}

// Every prefix of the test PE: no crash; the sections or directories that are cut are gone.
TEST(PeModule, TruncatedFilesAreSafe) {
  auto full = vigie::pe::testing::build_test_pe();
  for (size_t n = 0; n <= full.size(); ++n) {
    std::vector<uint8_t> cut(full.begin(), full.begin() + n);
    auto l = load(cut);
    call(*l, cut, "imphash", "", {});
    call(*l, cut, "calculate_checksum", "", {});
    if (n < 0x98) {
      EXPECT_EQ(l->root.field("is_pe").i, 0) << n;
    }
  }
  // Cuts inside each part of the file, compared with yara. (Cuts inside the import names are
  // left out: yara 4.2.3 then counts in number_of_imports DLLs it does not list.)
  for (size_t n : {0x98, 0x180, 0x1a0, 0x220, 0x310, 0x384, 0x396, 0x402, 0x550, 0x720}) {
    std::vector<uint8_t> cut(full.begin(), full.begin() + n);
    std::string path = write_temp(cut);
    SCOPED_TRACE("cut at " + std::to_string(n));
    compare_with_yara(path, cut);
    unlink(path.c_str());
  }
}

// Random corruption of the test PE, compared with yara on a sample of the mutants.
TEST(PeModule, CorruptedFilesAreSafeAndMatchYara) {
  auto full = vigie::pe::testing::build_test_pe();
  std::mt19937 rng(1234);
  for (int iter = 0; iter < 1000; ++iter) {
    auto m = full;
    int flips = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < flips; ++k) {
      size_t at = rng() % m.size();
      m[at] = static_cast<uint8_t>(rng());
    }
    auto l = load(m);
    call(*l, m, "imphash", "", {});
    call(*l, m, "exports", "s", {Value::string("Foo")});
  }
  // Large counts and self-referencing directories.
  auto m = full;
  m[0x200 + 0x100 + 20] = 0xff;  // NumberOfFunctions
  m[0x200 + 0x100 + 23] = 0x7f;
  m[0x200 + 0x200 + 0x14] = 0x00;  // resource entry points back at the root
  auto l = load(m);
  EXPECT_LE(l->root.field("number_of_exports").i, 16384);
}

// Ordinal imports from the DLLs whose ordinals have names: every name, and the import hash, as
// yara gives them.
TEST(PeModule, OrdinalNamesMatchYara) {
  std::vector<uint32_t> ordinals;
  for (uint32_t i = 1; i <= 520; ++i) ordinals.push_back(i);
  for (const char* dll : {"OLEAUT32.dll", "ws2_32.dll", "WSOCK32.DLL"}) {
    auto data = vigie::pe::testing::build_ordinal_pe(dll, ordinals);
    std::string path = write_temp(data);
    SCOPED_TRACE(dll);
    compare_with_yara(path, data);
    auto l = load(data);
    EXPECT_EQ(l->root.field("number_of_imported_functions").i, 520);
    std::string hash = call(*l, data, "imphash", "", {}).s;
    EXPECT_TRUE(testing::yara_true(
        "import \"pe\" rule vigie_rule { condition: pe.imphash() == \"" + hash + "\" }", path));
    unlink(path.c_str());
  }
}

TEST(PeParser, OrdinalNames) {
  EXPECT_EQ(vigie::pe::ordinal_name("WS2_32.DLL", 115), "WSAStartup");
  EXPECT_EQ(vigie::pe::ordinal_name("wsock32.dll", 3), "closesocket");
  EXPECT_EQ(vigie::pe::ordinal_name("oleaut32.dll", 6), "SysFreeString");
  EXPECT_EQ(vigie::pe::ordinal_name("oleaut32.dll", 200), "GetErrorInfo");
  EXPECT_EQ(vigie::pe::ordinal_name("oleaut32.dll", 303), "VarCyMul");
  EXPECT_EQ(vigie::pe::ordinal_name("oleaut32.dll", 332), "GetAltMonthNames");
  EXPECT_EQ(vigie::pe::ordinal_name("kernel32.dll", 7), "ord7");
}

}  // namespace
}  // namespace vigie::mod
