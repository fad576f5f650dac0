// libFuzzer target for the elf module: parse arbitrary bytes as an ELF file, load the module
// tree, call its functions and dump it, as a scan with `import "elf"` and `yara -D` would.
// Inputs are capped at 1 MiB: larger ones exercise nothing new and slow the search.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "modules/module.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1u << 20)) return 0;
  using namespace vigie::mod;
  static const Module* elf = find_module("elf");
  if (elf == nullptr) return 0;
  std::span<const uint8_t> bytes(data, size);
  uint64_t offset = 0;
  (void)entry_point_offset(bytes, &offset);

  Node root(&schema_of(*elf).root());
  std::unique_ptr<ModuleState> state;
  LoadContext load;
  load.data = bytes;
  load.state = &state;
  elf->load(load, root);

  const StructType& st = *schema_of(*elf).root().structure;
  for (const Field& f : st.fields) {
    if (f.type->kind != Kind::kFunction) continue;
    for (const Overload& o : f.type->overloads) {
      if (!o.params.empty()) continue;
      CallContext call;
      call.data = bytes;
      call.parent = &root;
      call.root = &root;
      call.state = state.get();
      (void)o.fn(call, {});
    }
  }
  (void)dump_yara_format("elf", root);
  return 0;
}
