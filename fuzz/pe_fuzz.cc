// libFuzzer target: the pe module on arbitrary bytes. Loads the module tree, calls the functions
// that walk parsed data (imphash, checksum, exports, imports, resources), and dumps the tree.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "modules/module.h"

using namespace vigie::mod;

namespace {

Value call(const Node& root, ModuleState* state, std::span<const uint8_t> data,
           std::string_view name, std::string_view params, std::vector<Value> args) {
  const Type& t = *root.type;
  int k = t.structure->index_of(name);
  if (k < 0) return Value::undefined();
  for (const Overload& o : t.structure->fields[k].type->overloads) {
    if (o.params != params) continue;
    CallContext ctx;
    ctx.data = data;
    ctx.parent = &root;
    ctx.root = &root;
    ctx.state = state;
    return o.fn(ctx, args);
  }
  return Value::undefined();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size > (1u << 20)) return 0;
  static const Module* pe = find_module("pe");
  std::span<const uint8_t> data(bytes, size);
  Node root(&schema_of(*pe).root());
  std::unique_ptr<ModuleState> state;
  LoadContext ctx;
  ctx.data = data;
  ctx.state = &state;
  pe->load(ctx, root);
  call(root, state.get(), data, "imphash", "", {});
  call(root, state.get(), data, "calculate_checksum", "", {});
  call(root, state.get(), data, "exports", "s", {Value::string("a")});
  call(root, state.get(), data, "imports", "is", {Value::integer(-1), Value::string("k.dll")});
  call(root, state.get(), data, "locale", "i", {Value::integer(0x409)});
  call(root, state.get(), data, "rva_to_offset", "i", {Value::integer(0x1000)});
  dump_yara_format("pe", root);
  return 0;
}
