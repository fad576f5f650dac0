// libFuzzer target: the dotnet module on arbitrary bytes (loads the tree and dumps it).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "modules/module.h"

using namespace vigie::mod;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size > (1u << 20)) return 0;
  static const Module* dotnet = find_module("dotnet");
  Node root(&schema_of(*dotnet).root());
  std::unique_ptr<ModuleState> state;
  LoadContext ctx;
  ctx.data = std::span<const uint8_t>(bytes, size);
  ctx.state = &state;
  dotnet->load(ctx, root);
  dump_yara_format("dotnet", root);
  return 0;
}
