#include "modules/module.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "modules/testing/yara_reference.h"
#include "re/pattern_set.h"

namespace vigie::mod {
namespace {

const Module& tests_module() {
  const Module* m = find_module("tests");
  if (m == nullptr) std::abort();
  return *m;
}

Value call(const Module& m, std::string_view name, const std::string& params,
           std::vector<Value> args) {
  const Type& t = schema_of(m).root();
  int k = t.structure->index_of(name);
  EXPECT_GE(k, 0) << name;
  if (k < 0) return Value::undefined();
  for (const Overload& o : t.structure->fields[k].type->overloads) {
    if (o.params != params) continue;
    CallContext ctx;
    return o.fn(ctx, args);
  }
  ADD_FAILURE() << "no overload " << name << "(" << params << ")";
  return Value::undefined();
}

Node load(const Module& m, std::span<const uint8_t> data,
          std::span<const uint8_t> module_data = {}) {
  Node root(&schema_of(m).root());
  std::unique_ptr<ModuleState> state;
  LoadContext ctx;
  ctx.data = data;
  ctx.module_data = module_data;
  ctx.state = &state;
  m.load(ctx, root);
  return root;
}

TEST(Schema, BuilderDeclaresFieldsInOrder) {
  Schema s;
  SchemaBuilder b(s, *const_cast<StructType*>(s.root().structure));
  b.integer("a");
  b.floating("b");
  b.string("c");
  b.constant("K", 7);
  b.constant("S", std::string("x"));
  b.constant_float("F", 1.5);
  SchemaBuilder inner = b.structure("inner");
  inner.integer("x");
  b.struct_array("arr").string("name");
  b.integer_array("ia");
  b.string_dictionary("sd");
  b.function("f", "i", 'i', nullptr);
  b.function("f", "ii", 'i', nullptr);
  const StructType& st = *s.root().structure;
  ASSERT_EQ(st.fields.size(), 11u);
  EXPECT_EQ(st.index_of("a"), 0);
  EXPECT_EQ(st.index_of("F"), 5);
  EXPECT_EQ(st.index_of("f"), 10);
  EXPECT_EQ(st.index_of("nope"), -1);
  EXPECT_EQ(st.fields[1].type->kind, Kind::kFloat);
  EXPECT_TRUE(st.fields[3].is_constant);
  EXPECT_EQ(st.fields[3].int_value, 7);
  EXPECT_EQ(st.fields[4].string_value, "x");
  EXPECT_DOUBLE_EQ(st.fields[5].float_value, 1.5);
  EXPECT_EQ(st.fields[6].type->structure->index_of("x"), 0);
  const Type* arr = st.fields[7].type;
  EXPECT_EQ(arr->kind, Kind::kArray);
  EXPECT_EQ(arr->element->kind, Kind::kStruct);
  EXPECT_EQ(arr->element->structure->index_of("name"), 0);
  EXPECT_EQ(st.fields[8].type->element->kind, Kind::kInteger);
  EXPECT_EQ(st.fields[9].type->kind, Kind::kDictionary);
  EXPECT_EQ(st.fields[10].type->overloads.size(), 2u);
  EXPECT_EQ(st.fields[10].type->overloads[1].params, "ii");
}

TEST(Node, StructGetsOneChildPerFieldWithConstantsSet) {
  const Type& root_type = schema_of(tests_module()).root();
  Node root(&root_type);
  ASSERT_EQ(root.children.size(), root_type.structure->fields.size());
  const Node* constants = root.find_field("constants");
  ASSERT_NE(constants, nullptr);
  const Node* one = constants->find_field("one");
  ASSERT_NE(one, nullptr);
  EXPECT_TRUE(one->defined);
  EXPECT_EQ(one->i, 1);
  EXPECT_EQ(constants->find_field("foo")->s, "foo");
  EXPECT_FALSE(root.find_field("module_data")->defined);
  EXPECT_EQ(root.find_field("nope"), nullptr);
}

TEST(Node, ArraysGrowWithHolesAndStopAtTheCap) {
  Schema s;
  SchemaBuilder b(s, *const_cast<StructType*>(s.root().structure));
  b.integer_array("ia");
  b.struct_array("sa").integer("x");
  Node root(&s.root());
  Node& ia = root.field("ia");
  ia.at(5).set_integer(42);
  ASSERT_EQ(ia.children.size(), 6u);
  EXPECT_FALSE(ia.children[4].defined);
  EXPECT_TRUE(ia.children[5].defined);
  EXPECT_EQ(ia.children[5].i, 42);
  ia.at(Node::kMaxArrayLength).set_integer(1);
  EXPECT_EQ(ia.children.size(), 6u);
  Node& sa = root.field("sa");
  sa.at(2).set_integer("x", 3);
  ASSERT_EQ(sa.children.size(), 3u);
  EXPECT_FALSE(sa.children[0].defined);
  EXPECT_TRUE(sa.children[2].defined);
  EXPECT_EQ(sa.children[2].find_field("x")->i, 3);
  EXPECT_EQ(sa.children[0].children.size(), 1u);
}

TEST(Node, FillingALargeArrayIsLinear) {
  Schema s;
  SchemaBuilder b(s, *const_cast<StructType*>(s.root().structure));
  SchemaBuilder e = b.struct_array("sa");
  e.integer("x");
  e.string("name");
  Node root(&s.root());
  Node& sa = root.field("sa");
  auto start = std::chrono::steady_clock::now();
  for (size_t k = 0; k < 200000; ++k) sa.at(k).set_integer("x", static_cast<int64_t>(k));
  // Quadratic growth would copy ~2e10 nodes; the loose bound tells that apart from linear
  // growth on a loaded or sanitizer-instrumented machine, it does not measure speed.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  ASSERT_EQ(sa.children.size(), 200000u);
  EXPECT_EQ(sa.children[199999].find_field("x")->i, 199999);
}

TEST(Node, DictionariesKeepInsertionOrderAndAreBounded) {
  Schema s;
  SchemaBuilder b(s, *const_cast<StructType*>(s.root().structure));
  b.integer_dictionary("d");
  Node root(&s.root());
  Node& d = root.field("d");
  d.entry("b").set_integer(2);
  d.entry("a").set_integer(1);
  d.entry("b").set_integer(3);
  ASSERT_EQ(d.entries.size(), 2u);
  EXPECT_EQ(d.entries[0].first, "b");
  EXPECT_EQ(d.find_entry("b")->i, 3);
  EXPECT_EQ(d.find_entry("a")->i, 1);
  EXPECT_EQ(d.find_entry("c"), nullptr);
  for (size_t k = 0; k < Node::kMaxDictionaryEntries + 10; ++k) {
    d.entry("k" + std::to_string(k)).set_integer(static_cast<int64_t>(k));
  }
  EXPECT_EQ(d.entries.size(), Node::kMaxDictionaryEntries);
}

TEST(Registry, FindsModulesAndBuildsEachSchemaOnce) {
  EXPECT_EQ(find_module("no_such_module"), nullptr);
  ASSERT_FALSE(all_modules().empty());
  for (const Module* m : all_modules()) {
    EXPECT_EQ(find_module(m->name), m);
    EXPECT_EQ(schema_of(*m).root().kind, Kind::kStruct);
  }
  for (size_t k = 1; k < all_modules().size(); ++k) {
    EXPECT_LT(all_modules()[k - 1]->name, all_modules()[k]->name) << "sorted, no duplicates";
  }
  for (const char* name :
       {"console", "cuckoo", "elf", "hash", "magic", "math", "string", "tests", "time"}) {
    EXPECT_NE(find_module(name), nullptr) << name;
  }
  const Schema* seen[4] = {};
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&seen, k] { seen[k] = &schema_of(tests_module()); });
  }
  for (auto& t : threads) t.join();
  for (int k = 1; k < 4; ++k) EXPECT_EQ(seen[k], seen[0]);
}

TEST(TestsModule, FunctionsAndOverloads) {
  const Module& m = tests_module();
  EXPECT_EQ(call(m, "isum", "ii", {Value::integer(1), Value::integer(2)}).i, 3);
  EXPECT_EQ(call(m, "isum", "iii", {Value::integer(1), Value::integer(2), Value::integer(3)}).i, 6);
  EXPECT_FALSE(call(m, "isum", "ii", {Value::integer(1), Value::undefined()}).defined());
  EXPECT_DOUBLE_EQ(call(m, "fsum", "ff", {Value::real(1.5), Value::real(2)}).f, 3.5);
  EXPECT_DOUBLE_EQ(call(m, "fsum", "fff", {Value::real(1), Value::real(2), Value::real(3)}).f, 6);
  EXPECT_EQ(call(m, "length", "s", {Value::string("dummy")}).i, 5);
  Value e = call(m, "empty", "", {});
  EXPECT_EQ(e.tag, Value::Tag::kString);
  EXPECT_EQ(e.s, "");
  EXPECT_EQ(call(m, "foobar", "i", {Value::integer(1)}).s, "foo");
  EXPECT_EQ(call(m, "foobar", "i", {Value::integer(2)}).s, "bar");
  EXPECT_EQ(call(m, "foobar", "i", {Value::integer(9)}).s, "oops");
  re::PatternError error;
  auto foo = re::Regex::compile("fo+", 0, &error);
  ASSERT_NE(foo, nullptr) << error.message;
  Value rv;
  rv.tag = Value::Tag::kRegex;
  rv.regex = foo.get();
  EXPECT_EQ(call(m, "match", "rs", {rv, Value::string("xfoooa")}).i, 1);
  EXPECT_EQ(call(m, "match", "rs", {rv, Value::string("bar")}).i, 0);
  // A null regex (no compiled expression) is refused rather than dereferenced.
  Value r;
  r.tag = Value::Tag::kRegex;
  EXPECT_FALSE(call(m, "match", "rs", {r, Value::string("x")}).defined());
}

TEST(TestsModule, LoadFillsTheTree) {
  const Module& m = tests_module();
  const uint8_t extra[] = {'h', 'i'};
  Node root = load(m, {}, extra);
  EXPECT_EQ(root.find_field("module_data")->s, "hi");
  const Node& ia = *root.find_field("integer_array");
  ASSERT_EQ(ia.children.size(), 257u);
  EXPECT_EQ(ia.children[2].i, 2);
  EXPECT_FALSE(ia.children[3].defined);
  EXPECT_EQ(ia.children[256].i, 256);
  EXPECT_EQ(root.find_field("string_array")->children[3].s, std::string("foo\0bar", 7));
  EXPECT_EQ(root.find_field("struct_dict")->find_entry("foo")->find_field("s")->s, "foo");
  EXPECT_FALSE(root.find_field("struct_array")->children[1].find_field("s")->defined);
}

TEST(Dump, TestsModuleMatchesYara) {
  Node root = load(tests_module(), {});
  std::string expected = testing::yara_dump("tests", "/usr/bin/ls");
  ASSERT_FALSE(expected.empty()) << "the reference yara did not run";
  EXPECT_EQ(dump_yara_format("tests", root), expected);
}

TEST(Dump, FormatsEveryKind) {
  Schema s;
  SchemaBuilder b(s, *const_cast<StructType*>(s.root().structure));
  b.integer("i");
  b.floating("f");
  b.string("s");
  b.constant_float("PI", 3.25);
  b.float_dictionary("fd");
  Node root(&s.root());
  root.set_string("s", std::string("a\"\\\x01\xff", 5));
  root.set_float("f", 0.5);
  root.field("fd").entry("x").set_float(-2);
  EXPECT_EQ(dump_yara_format("m", root),
            "m\n\tfd\n\t\tx = -2.000000\n\tPI = 3.250000\n\ts = \"a\"\\\\x01\\xff\"\n"
            "\tf = 0.500000\n\ti = YR_UNDEFINED\n");
}

TEST(EntryPoint, MatchesYaraOnHostElfFiles) {
  for (const char* path : {"/usr/bin/ls", "/usr/bin/yara", "/lib/x86_64-linux-gnu/libc.so.6",
                           "/usr/lib/x86_64-linux-gnu/libmagic.so.1"}) {
    std::vector<uint8_t> data = testing::read_file(path);
    if (data.empty()) continue;
    uint64_t offset = 0;
    ASSERT_TRUE(entry_point_offset(data, &offset)) << path;
    EXPECT_TRUE(testing::yara_true(
        "rule vigie_rule { condition: entrypoint == " + std::to_string(offset) + " }", path))
        << path << " " << offset;
  }
}

TEST(EntryPoint, HandlesSyntheticPeAndElf) {
  // A minimal PE: MZ header, PE header at 0x40, one section mapping RVA 0x1000 to offset 0x200.
  std::vector<uint8_t> pe(0x400, 0);
  pe[0] = 'M';
  pe[1] = 'Z';
  pe[0x3c] = 0x40;
  pe[0x40] = 'P';
  pe[0x41] = 'E';
  pe[0x44] = 0x4c;
  pe[0x45] = 0x01;  // i386
  pe[0x46] = 1;     // one section
  pe[0x54] = 0xe0;  // SizeOfOptionalHeader
  pe[0x58 + 16] = 0x10;
  pe[0x58 + 17] = 0x10;  // AddressOfEntryPoint 0x1010
  size_t sec = 0x58 + 0xe0;
  pe[sec + 13] = 0x10;  // VirtualAddress 0x1000
  pe[sec + 21] = 0x02;  // PointerToRawData 0x200
  uint64_t offset = 0;
  ASSERT_TRUE(entry_point_offset(pe, &offset));
  EXPECT_EQ(offset, 0x210u);
  pe[0x44] = 0x00;  // unknown machine: not a PE for this purpose
  EXPECT_FALSE(entry_point_offset(pe, &offset));

  std::vector<uint8_t> junk(100, 0x41);
  EXPECT_FALSE(entry_point_offset(junk, &offset));
  // An ELF header with nothing mapping its entry gives 0.
  std::vector<uint8_t> elf(64, 0);
  elf[0] = 0x7f;
  elf[1] = 'E';
  elf[2] = 'L';
  elf[3] = 'F';
  elf[4] = 2;
  elf[5] = 1;
  elf[24] = 0x34;
  offset = 99;
  ASSERT_TRUE(entry_point_offset(elf, &offset));
  EXPECT_EQ(offset, 0u);
  elf.resize(40);
  EXPECT_FALSE(entry_point_offset(elf, &offset));
}

}  // namespace
}  // namespace vigie::mod
