// The list of modules known to the compiler and the scanner, and their schemas.
//
// The list is explicit: modules live in a static library, and a module object file that only
// registered itself from a static initializer would be dropped by the linker, since nothing
// references it. Naming every module here references each one.
//
// Schemas are built on first use, once per module, under a mutex, and never freed: the compiler
// keeps pointers into them inside compiled rules.
#include <map>
#include <memory>
#include <mutex>

#include "modules/module.h"

namespace vigie::mod {

// Each module's definition, in its own file.
extern const Module kConsoleModule;
extern const Module kCuckooModule;
extern const Module kDotnetModule;
extern const Module kElfModule;
extern const Module kHashModule;
extern const Module kMagicModule;
extern const Module kMathModule;
extern const Module kPeModule;
extern const Module kStringModule;
extern const Module kTestsModule;
extern const Module kTimeModule;

namespace {

// Sorted by name, as `yara` lists them. One per line, so entries are added without conflicts.
// clang-format off
const Module* const kModules[] = {
    &kConsoleModule,
    &kCuckooModule,
    &kDotnetModule,
    &kElfModule,
    &kHashModule,
    &kMagicModule,
    &kMathModule,
    &kPeModule,
    &kStringModule,
    &kTestsModule,
    &kTimeModule,
};
// clang-format on

}  // namespace

const Module* find_module(std::string_view name) {
  for (const Module* m : kModules) {
    if (m->name == name) return m;
  }
  return nullptr;
}

std::span<const Module* const> all_modules() { return kModules; }

const Schema& schema_of(const Module& module) {
  static std::mutex mu;
  static std::map<const Module*, std::unique_ptr<Schema>> schemas;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = schemas[&module];
  if (!slot) {
    slot = std::make_unique<Schema>();
    SchemaBuilder root(*slot, *const_cast<StructType*>(slot->root().structure));
    if (module.declare != nullptr) module.declare(root);
  }
  return *slot;
}

}  // namespace vigie::mod
