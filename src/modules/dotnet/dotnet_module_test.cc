// The dotnet module against Debian's yara 4.2.3 on .NET assemblies from Debian packages (see
// scripts/fetch-test-binaries.sh), field by field; classes and methods on known types; and
// damaged metadata, which must give undefined fields and no crash.
#include <gtest/gtest.h>
#include <unistd.h>

#include <random>

#include "modules/dotnet/cli_metadata.h"
#include "modules/module.h"
#include "modules/pe/dump_map.h"
#include "modules/pe/test_binaries.h"
#include "modules/testing/yara_reference.h"

namespace vigie::mod {
namespace {

using vigie::pe::testing::dump_map;
using vigie::pe::testing::test_binary;

const Module& dotnet_mod() {
  const Module* m = find_module("dotnet");
  if (m == nullptr) std::abort();
  return *m;
}

Node load(std::span<const uint8_t> data) {
  Node root(&schema_of(dotnet_mod()).root());
  std::unique_ptr<ModuleState> state;
  LoadContext ctx;
  ctx.data = data;
  ctx.state = &state;
  dotnet_mod().load(ctx, root);
  return root;
}

std::string write_temp(const std::vector<uint8_t>& data) {
  char path[] = "/tmp/vigie_dotnet_test_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return "";
  (void)!write(fd, data.data(), data.size());
  close(fd);
  return path;
}

size_t compare_with_yara(const std::string& path, const std::vector<uint8_t>& data) {
  auto ours = dump_map(dump_yara_format("dotnet", load(data)));
  auto theirs = dump_map(testing::yara_dump("dotnet", path));
  EXPECT_GE(theirs.size(), 1u) << "yara printed no dotnet dump for " << path;
  size_t compared = 0;
  for (const auto& [key, value] : theirs) {
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

const char* kAssemblies[] = {
    "usr/lib/mono-cecil/Mono.Cecil.dll",
    "usr/lib/mono-cecil/Mono.Cecil.Rocks.dll",
    "usr/lib/mono-cecil/Mono.Cecil.Pdb.dll",
    "usr/lib/mono-cecil/Mono.Cecil.Mdb.dll",
    "usr/lib/cli/Be.Windows.Forms.HexBox/Be.Windows.Forms.HexBox.dll",
    "usr/lib/mono/gac/Accessibility/4.0.0.0__b03f5f7f11d50a3a/Accessibility.dll",
};

TEST(DotnetModule, MatchesYaraOnDebianAssemblies) {
  for (const char* rel : kAssemblies) {
    std::string path = test_binary(rel);
    auto data = testing::read_file(path);
    ASSERT_FALSE(data.empty()) << "missing test binary " << path;
    size_t n = compare_with_yara(path, data);
    EXPECT_GT(n, 20u) << path;
    EXPECT_EQ(load(data).field("is_dotnet").i, 1) << path;
  }
}

// Classes, methods and parameters of Mono.Cecil, as its public API declares them.
const Node* find_class(Node& root, const std::string& fullname) {
  Node& classes = root.field("classes");
  for (size_t i = 0; i < static_cast<size_t>(root.field("number_of_classes").i); ++i) {
    if (classes.at(i).field("fullname").s == fullname) return &classes.at(i);
  }
  return nullptr;
}

const Node* find_method(const Node& cls, const std::string& name) {
  const Node* methods = cls.find_field("methods");
  for (const Node& m : methods->children) {
    if (m.find_field("name")->s == name) return &m;
  }
  return nullptr;
}

TEST(DotnetModule, ClassesAndMethods) {
  auto rocks = testing::read_file(test_binary("usr/lib/mono-cecil/Mono.Cecil.Rocks.dll"));
  ASSERT_FALSE(rocks.empty());
  Node root = load(rocks);
  EXPECT_GT(root.field("number_of_classes").i, 5);
  // public static class MethodDefinitionRocks { public static MethodDefinition
  //   GetBaseMethod(this MethodDefinition self); ... }
  const Node* c = find_class(root, "Mono.Cecil.Rocks.MethodDefinitionRocks");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->find_field("namespace")->s, "Mono.Cecil.Rocks");
  EXPECT_EQ(c->find_field("visibility")->s, "public");
  EXPECT_EQ(c->find_field("type")->s, "class");
  EXPECT_EQ(c->find_field("abstract")->i, 1);  // static classes are abstract and sealed
  EXPECT_EQ(c->find_field("sealed")->i, 1);
  EXPECT_EQ(c->find_field("base_types")->children.at(0).s, "System.Object");
  const Node* m = find_method(*c, "GetBaseMethod");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->find_field("static")->i, 1);
  EXPECT_EQ(m->find_field("visibility")->s, "public");
  EXPECT_EQ(m->find_field("return_type")->s, "Mono.Cecil.MethodDefinition");
  ASSERT_EQ(m->find_field("number_of_parameters")->i, 1);
  EXPECT_EQ(m->find_field("parameters")->children.at(0).find_field("name")->s, "self");
  EXPECT_EQ(m->find_field("parameters")->children.at(0).find_field("type")->s,
            "Mono.Cecil.MethodDefinition");

  // Generic class: public class Collection<T> : IList<T>, IList { public void Add(T item); }
  auto cecil = testing::read_file(test_binary("usr/lib/mono-cecil/Mono.Cecil.dll"));
  ASSERT_FALSE(cecil.empty());
  Node croot = load(cecil);
  const Node* coll = find_class(croot, "Mono.Collections.Generic.Collection`1");
  ASSERT_NE(coll, nullptr);
  ASSERT_EQ(coll->find_field("number_of_generic_parameters")->i, 1);
  EXPECT_EQ(coll->find_field("generic_parameters")->children.at(0).s, "T");
  EXPECT_GE(coll->find_field("number_of_base_types")->i, 2);
  const Node* add = find_method(*coll, "Add");
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->find_field("return_type")->s, "void");
  EXPECT_EQ(add->find_field("static")->i, 0);
  EXPECT_EQ(add->find_field("parameters")->children.at(0).find_field("type")->s, "T");
}

TEST(DotnetModule, NotDotnet) {
  std::string path = test_binary("usr/i686-w64-mingw32/lib/zlib1.dll");
  auto data = testing::read_file(path);
  ASSERT_FALSE(data.empty());
  compare_with_yara(path, data);
  Node root = load(data);
  EXPECT_EQ(root.field("is_dotnet").i, 0);
  EXPECT_FALSE(root.field("number_of_streams").defined);
  std::vector<uint8_t> text = {'M', 'Z'};
  EXPECT_FALSE(load(text).field("is_dotnet").defined);  // not even a PE
  std::string path2 = write_temp(text);
  compare_with_yara(path2, text);
  unlink(path2.c_str());
}

// Targeted damage: each broken part leaves its own fields undefined and the rest intact.
TEST(DotnetModule, DamagedPartsAreUndefined) {
  auto data = testing::read_file(test_binary("usr/lib/mono-cecil/Mono.Cecil.Rocks.dll"));
  ASSERT_FALSE(data.empty());
  Node good = load(data);
  ASSERT_EQ(good.field("is_dotnet").i, 1);
  auto stream_offset = [&](const std::string& name) -> size_t {
    for (const Node& s : good.field("streams").children) {
      if (s.find_field("name")->s == name) return static_cast<size_t>(s.find_field("offset")->i);
    }
    return 0;
  };
  std::string text(data.begin(), data.end());
  size_t root = text.find("BSJB");
  ASSERT_NE(root, std::string::npos);

  auto m = data;
  m[root] = 'X';  // metadata signature
  Node n = load(m);
  EXPECT_EQ(n.field("is_dotnet").i, 0);
  EXPECT_FALSE(n.field("number_of_streams").defined);
  EXPECT_FALSE(n.field("version").defined);

  m = data;
  size_t tables = stream_offset("#~");
  ASSERT_NE(tables, 0u);
  for (int i = 0; i < 4; ++i) m[tables + 24 + i] = 0xff;  // Module table: 4 billion rows
  n = load(m);
  EXPECT_EQ(n.field("is_dotnet").i, 1);
  EXPECT_EQ(n.field("number_of_streams").i, good.field("number_of_streams").i);
  EXPECT_FALSE(n.field("module_name").defined);
  EXPECT_FALSE(n.field("number_of_classes").defined);
  EXPECT_FALSE(n.field("assembly").field("name").defined);
  EXPECT_EQ(n.field("number_of_user_strings").i, good.field("number_of_user_strings").i);

  m = data;
  size_t us = stream_offset("#US");
  ASSERT_NE(us, 0u);
  m[us + 1] = 0xdf;  // first user string: a length far past the heap
  n = load(m);
  EXPECT_EQ(n.field("number_of_user_strings").i, 0);
  EXPECT_EQ(n.field("module_name").s, good.field("module_name").s);

  m = data;
  uint32_t huge = 0xffff;  // stream count
  m[root + 16 + 12 + 2] = static_cast<uint8_t>(huge);
  m[root + 16 + 12 + 3] = static_cast<uint8_t>(huge >> 8);
  n = load(m);
  EXPECT_LE(n.field("number_of_streams").i, 64);
}

// Corrupting bytes of the metadata (root, stream headers, table header and rows, heaps) and
// cutting the file anywhere inside it must not crash or hang.
TEST(DotnetModule, CorruptedMetadataIsSafe) {
  auto data = testing::read_file(test_binary("usr/lib/mono-cecil/Mono.Cecil.Rocks.dll"));
  ASSERT_FALSE(data.empty());
  Node root = load(data);
  int64_t begin = root.field("streams").at(0).field("offset").i - 0x80;
  int64_t end =
      root.field("streams").at(4).field("offset").i + root.field("streams").at(4).field("size").i;
  ASSERT_GT(begin, 0);
  ASSERT_LE(end, static_cast<int64_t>(data.size()));
  std::mt19937 rng(99);
  for (int iter = 0; iter < 400; ++iter) {
    auto m = data;
    int flips = 1 + static_cast<int>(rng() % 6);
    for (int k = 0; k < flips; ++k) {
      size_t at = static_cast<size_t>(begin) + rng() % static_cast<size_t>(end - begin);
      m[at] = static_cast<uint8_t>(rng());
    }
    // Stream headers and table counts are the sensitive part: hit them more often.
    if (iter % 3 == 0) m[static_cast<size_t>(begin) + 0x80 + rng() % 64] = 0xff;
    Node n = load(m);
    (void)n;
  }
  for (int64_t cut = begin; cut < end; cut += 251) {
    std::vector<uint8_t> m(data.begin(), data.begin() + cut);
    Node n = load(m);
    // Once the stream headers are whole, the metadata is recognised whatever follows.
    if (cut >= begin + 0x80) EXPECT_EQ(n.field("is_dotnet").i, 1) << cut;
  }
}

}  // namespace
}  // namespace vigie::mod
